/* SPDX-License-Identifier: MIT */
#include "fstab/fstab.h"
#include "fstab/fstab_private.h"

#include "core/optlist.h"
#include "core/safewrite.h"
#include "format/mnttab.h"

#include <errno.h>
#include <libmount.h>

/* Blanks to the byte scan. libmount (2.38) separates fields by spaces and tabs only; \r, \v
 * and \f are blanks here too, so that a line where they sit between or before fields reads
 * differently from libmount's and is refused (fstab_parse compares the two). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

char *fstab_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
		    is_octal(s[i + 3])) {
			*o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

char *fstab_escape(const char *s)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\' || *p == '#' || *p == '\r')
			buf_printf(&b, "\\%03o", *p);
		else
			buf_append(&b, p, 1);
	}
	return b.data;
}

/* Sanitised, shortened copy of a line for a message. */
static void quote_line(const char *p, size_t n, char *buf, size_t size)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 4 < size; i++) {
		unsigned char c = (unsigned char)p[i];
		buf[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (i == 60 && n > 64) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
	}
	buf[k] = '\0';
}

struct mnt_err {
	int line;
};

static int on_parse_error(struct libmnt_table *tb, const char *filename, int line)
{
	struct mnt_err *e = mnt_table_get_userdata(tb);

	(void)filename;
	if (e && !e->line)
		e->line = line;
	return -EINVAL;
}

/* The line's bytes, by 1-based number. */
static void line_span(const char *data, size_t len, unsigned lineno, size_t *s, size_t *e)
{
	size_t p = 0;

	for (unsigned l = 1; l < lineno && p < len; p++)
		if (data[p] == '\n')
			l++;
	*s = p;
	while (p < len && data[p] != '\n')
		p++;
	*e = p;
}

/* The first three fields of each entry as libmount reads them: source, target, type (the
 * entries of a table are SEEN_FIELDS strings each, one after the other). */
#define SEEN_FIELDS 3

/* libmount's verdict and the fields it saw, in order. */
static int libmount_parse(const char *file, const char *data, size_t len, char ***out_seen,
			  size_t *out_n, struct diag *diag)
{
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	struct mnt_err err = { 0 };
	char **seen = NULL;
	size_t n = 0;
	int r;

	*out_seen = NULL;
	*out_n = 0;
	r = mnttab_parse_buffer(file, data, len, on_parse_error, &err, &tb);
	if (!tb)
		return r;
	if (r < 0 || err.line) {
		char q[128];
		size_t s, e;
		mnt_unref_table(tb);
		if (!err.line)
			return diag_set(diag, file, 0, "libmount cannot parse the file (error %d)", r);
		line_span(data, len, (unsigned)err.line, &s, &e);
		quote_line(data + s, e - s, q, sizeof(q));
		return diag_set(diag, file, (unsigned)err.line,
				"libmount rejects this line (fstab(5) wants: source target type "
				"options dump pass): \"%s\"",
				q);
	}
	it = mnt_new_iter(MNT_ITER_FORWARD);
	while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *f[SEEN_FIELDS] = { mnt_fs_get_source(fs), mnt_fs_get_target(fs),
					       mnt_fs_get_fstype(fs) };
		seen = xrealloc(seen, (n + SEEN_FIELDS) * sizeof(*seen));
		for (unsigned k = 0; k < SEEN_FIELDS; k++)
			seen[n++] = xstrdup(f[k] ? f[k] : "");
	}
	mnt_free_iter(it);
	mnt_unref_table(tb);
	*out_seen = seen;
	*out_n = n / SEEN_FIELDS;
	return 0;
}

/* Whether meshnfs's byte scan of a line read its first fields as libmount did (seen: that
 * entry's SEEN_FIELDS strings). A field libmount left empty (a line of fewer fields) is
 * compared only when meshnfs found it. */
static bool same_fields(const struct fstab_line *l, char *const *seen)
{
	if (!l->field[FSTAB_TARGET])
		return false;
	for (unsigned k = 0; k < SEEN_FIELDS; k++)
		if (k < l->n_fields && !streq(l->field[k], seen[k]))
			return false;
	return true;
}

/* Splits one entry line into fields, recording their byte ranges. */
static void scan_fields(const char *data, struct fstab_line *l)
{
	size_t p = l->start;

	while (p < l->end && l->n_fields < FSTAB_FIELDS) {
		while (p < l->end && is_blank(data[p]))
			p++;
		if (p >= l->end)
			break;
		size_t s = p;
		while (p < l->end && !is_blank(data[p]))
			p++;
		l->field_start[l->n_fields] = s;
		l->field_end[l->n_fields] = p;
		l->field[l->n_fields] = fstab_unescape(data + s, p - s);
		l->n_fields++;
	}
}

int fstab_parse(const char *file, const char *data, size_t len, struct fstab *out,
		struct diag *diag)
{
	char **seen;
	size_t n_seen, p = 0;
	unsigned lineno = 0;
	int r;

	*out = (struct fstab){ .file = xstrdup(file) };
	if (memchr(data, '\0', len)) {
		const char *z = memchr(data, '\0', len);
		unsigned l = 1;
		for (const char *q = data; q < z; q++)
			l += *q == '\n';
		fstab_free(out);
		return diag_set(diag, file, l, "contains a NUL byte");
	}
	r = libmount_parse(file, data, len, &seen, &n_seen, diag);
	if (r < 0) {
		fstab_free(out);
		return r;
	}
	while (p < len) {
		size_t s = p, e = p;
		while (e < len && data[e] != '\n')
			e++;
		lineno++;
		p = e < len ? e + 1 : e;
		size_t q = s;
		while (q < e && is_blank(data[q]))
			q++;
		if (q == e || data[q] == '#')
			continue;
		out->lines = xrealloc(out->lines, (out->n_lines + 1) * sizeof(*out->lines));
		struct fstab_line *l = &out->lines[out->n_lines++];
		*l = (struct fstab_line){ .lineno = lineno, .start = s, .end = e };
		scan_fields(data, l);
	}
	/* The byte scan and libmount must see the same entries, or edits could hit the wrong
	 * line. */
	for (size_t i = 0; r == 0 && i < out->n_lines; i++) {
		const struct fstab_line *l = &out->lines[i];
		if (i >= n_seen || !same_fields(l, seen + i * SEEN_FIELDS)) {
			char q[128];
			quote_line(data + l->start, l->end - l->start, q, sizeof(q));
			r = diag_set(diag, file, l->lineno,
				     "meshnfs reads this line differently from libmount: \"%s\"", q);
		}
	}
	if (r == 0 && out->n_lines != n_seen)
		r = diag_set(diag, file, 0, "libmount sees %zu entries, meshnfs %zu", n_seen,
			     out->n_lines);
	strv_free(seen, n_seen * SEEN_FIELDS);
	if (r < 0)
		fstab_free(out);
	return r;
}

void fstab_free(struct fstab *f)
{
	for (size_t i = 0; i < f->n_lines; i++)
		for (unsigned k = 0; k < f->lines[i].n_fields; k++)
			free(f->lines[i].field[k]);
	free(f->lines);
	free(f->file);
	*f = (struct fstab){ 0 };
}

int fstab_find(const struct fstab *f, const char *target, struct diag *diag)
{
	_cleanup_free_ char *want = mnttab_path_normalize(target);
	int found = -ENOENT;

	for (size_t i = 0; i < f->n_lines; i++) {
		const char *t = f->lines[i].field[FSTAB_TARGET];
		if (!t)
			continue;
		_cleanup_free_ char *have = mnttab_path_normalize(t);
		if (!streq(have, want))
			continue;
		if (found >= 0)
			return diag_set(diag, f->file, f->lines[i].lineno,
					"a second entry for %s (the first is on line %u): remove one",
					want, f->lines[found].lineno);
		found = (int)i;
	}
	return found;
}

bool fstab_options_compare(const char *have, const char *want, char **missing, char **extra)
{
	/* "defaults" is fstab's word for no option at all. */
	return optlist_compare(have && !streq(have, "defaults") ? have : NULL,
			       want && !streq(want, "defaults") ? want : NULL, missing, extra);
}

char *fstab_options_for_node(const char *options, bool systemd)
{
	size_t n;
	char **v = optlist_split(options, &n);
	struct buf b = { 0 };
	bool has_bg = false;

	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (!systemd && startswith(v[i], "x-systemd."))
			continue;
		has_bg |= streq(v[i], "bg") || streq(v[i], "fg");
		buf_printf(&b, "%s%s", b.len ? "," : "", v[i]);
	}
	if (!systemd && !has_bg)
		buf_printf(&b, "%sbg", b.len ? "," : "");
	strv_free(v, n);
	return b.data;
}

const char *fstab_mesh_order_option(enum fstab_order o)
{
	static const char *const opts[] = {
		[FSTAB_ORDER_NONE] = NULL,
		[FSTAB_ORDER_TAILSCALED] = "x-systemd.after=tailscaled.service",
		[FSTAB_ORDER_ONLINE] = "x-systemd.requires=tailscale-online.target",
	};
	return ENUM_NAME(opts, o, NULL);
}

static bool is_mesh_order(const char *opt)
{
	const char *u = strchr(opt, '=');

	if (!u || !(startswith(opt, "x-systemd.requires=") || startswith(opt, "x-systemd.after=")))
		return false;
	return streq(u + 1, "tailscale-online.target") || streq(u + 1, "tailscaled.service");
}

bool fstab_has_mesh_order(const char *options)
{
	size_t n;
	char **v = optlist_split(options ? options : "", &n);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++)
		found = is_mesh_order(v[i]);
	strv_free(v, n);
	return found;
}

char *fstab_options_drop_mesh_order(const char *options)
{
	size_t n;
	char **v = optlist_split(options ? options : "", &n);
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		if (!is_mesh_order(v[i]))
			buf_printf(&b, "%s%s", b.len ? "," : "", v[i]);
	strv_free(v, n);
	return b.data;
}

static int field_number(const struct fstab_line *l, unsigned i)
{
	if (i >= l->n_fields)
		return 0;
	return atoi(l->field[i]);
}

static bool field_equal(const struct fstab_line *l, unsigned i, const struct fstab_entry *e)
{
	const char *have = i < l->n_fields ? l->field[i] : NULL;

	switch (i) {
	case FSTAB_SOURCE:
		return streq_ptr(have, e->source);
	case FSTAB_TARGET: {
		if (!have)
			return false;
		_cleanup_free_ char *a = mnttab_path_normalize(have), *b = mnttab_path_normalize(e->target);
		return streq(a, b);
	}
	case FSTAB_TYPE:
		return streq_ptr(have, e->fstype);
	case FSTAB_OPTIONS:
		return fstab_options_compare(have, e->options, NULL, NULL);
	case FSTAB_FREQ:
		return field_number(l, i) == e->freq;
	default:
		return field_number(l, i) == e->passno;
	}
}

bool fstab_line_matches(const struct fstab_line *l, const struct fstab_entry *e)
{
	for (unsigned i = 0; i < FSTAB_FIELDS; i++)
		if (!field_equal(l, i, e))
			return false;
	return true;
}

static char *field_text(const struct fstab_entry *e, unsigned i)
{
	switch (i) {
	case FSTAB_SOURCE:
		return fstab_escape(e->source);
	case FSTAB_TARGET:
		return fstab_escape(e->target);
	case FSTAB_TYPE:
		return fstab_escape(e->fstype);
	case FSTAB_OPTIONS:
		return fstab_escape(e->options ? e->options : "defaults");
	case FSTAB_FREQ:
		return xasprintf("%d", e->freq);
	default:
		return xasprintf("%d", e->passno);
	}
}

static bool plain_blanks(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return n > 0;
}

/* The line rewritten. keep: fields that already mean the same keep their bytes, the
 * separators and anything after the last field stay. Otherwise a clean line: the indent and
 * the first separator (when they are plain blanks) and the six fields. */
static void rewrite_line(const char *data, const struct fstab_line *l, const struct fstab_entry *e,
			 bool keep, struct buf *out)
{
	const char *sep = "  ";
	size_t sep_len = 2;

	if (l->n_fields >= 2 && (keep || plain_blanks(data + l->field_end[0],
						       l->field_start[1] - l->field_end[0]))) {
		sep = data + l->field_end[0];
		sep_len = l->field_start[1] - l->field_end[0];
	}
	if (keep || plain_blanks(data + l->start, l->field_start[0] - l->start))
		buf_append(out, data + l->start, l->field_start[0] - l->start);
	for (unsigned i = 0; i < FSTAB_FIELDS; i++) {
		if (i > 0 && keep && i < l->n_fields)
			buf_append(out, data + l->field_end[i - 1],
				   l->field_start[i] - l->field_end[i - 1]);
		else if (i > 0)
			buf_append(out, sep, sep_len);
		if (keep && i < l->n_fields && field_equal(l, i, e)) {
			buf_append(out, data + l->field_start[i], l->field_end[i] - l->field_start[i]);
		} else {
			_cleanup_free_ char *t = field_text(e, i);
			buf_append(out, t, strlen(t));
		}
	}
	if (keep) {
		size_t rest = l->field_end[l->n_fields - 1];
		buf_append(out, data + rest, l->end - rest);
	}
}

/* The result holds e exactly once and libmount accepts it. */
static bool verify(const char *data, size_t len, const struct fstab_entry *e)
{
	struct fstab f;
	struct diag d = { 0 };
	bool ok;

	if (fstab_parse("verify", data, len, &f, &d) < 0)
		return false;
	int i = fstab_find(&f, e->target, &d);
	ok = i >= 0 && fstab_line_matches(&f.lines[i], e);
	fstab_free(&f);
	return ok;
}

int fstab_set_entry(const char *file, const char *data, size_t len, const struct fstab_entry *e,
		    struct buf *out, struct diag *diag)
{
	struct fstab f;
	int r = fstab_parse(file, data, len, &f, diag);

	if (r < 0)
		return r;
	r = fstab_find(&f, e->target, diag);
	if (r == -EBADMSG)
		goto out;
	if (r >= 0) {
		const struct fstab_line *l = &f.lines[r];
		if (fstab_line_matches(l, e)) {
			buf_append(out, data, len);
			r = 0;
			goto out;
		}
		/* In place, keeping what can be kept; libmount is picky about odd blanks (a
		 * "\r\r" after the pass number), so a result it rejects is made clean. */
		for (int keep = 1; keep >= 0; keep--) {
			out->len = 0;
			buf_append(out, data, l->start);
			rewrite_line(data, l, e, keep, out);
			buf_append(out, data + l->end, len - l->end);
			if (verify(out->data, out->len, e)) {
				r = 0;
				goto out;
			}
		}
		r = diag_set(diag, file, l->lineno, "cannot rewrite this line so libmount accepts it");
		goto out;
	}
	/* Appended: after a newline of its own when the file lacks a final one. */
	buf_append(out, data, len);
	if (len > 0 && data[len - 1] != '\n')
		buf_append(out, "\n", 1);
	for (unsigned i = 0; i < FSTAB_FIELDS; i++) {
		_cleanup_free_ char *t = field_text(e, i);
		buf_printf(out, "%s%s", i ? "  " : "", t);
	}
	buf_append(out, "\n", 1);
	r = verify(out->data, out->len, e) ? 0
		: diag_set(diag, file, 0, "cannot append an entry libmount accepts");
out:
	fstab_free(&f);
	return r;
}

int fstab_read_entry(const char *path, const char *mountpoint, char **options, char **source,
		     struct diag *diag)
{
	_cleanup_free_ char *data = NULL;
	struct fstab f;
	size_t len;
	int r = safewrite_read_input(path, &data, &len, diag);

	*options = *source = NULL;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = fstab_parse(path, data, len, &f, diag);
	if (r < 0)
		return r;
	r = fstab_find(&f, mountpoint, diag);
	if (r >= 0) {
		const struct fstab_line *l = &f.lines[r];
		*options = xstrdup(l->n_fields > 3 ? l->field[FSTAB_OPTIONS] : "defaults");
		*source = xstrdup(l->field[FSTAB_SOURCE]);
		r = 0;
	} else if (r == -ENOENT)
		r = 0;
	fstab_free(&f);
	return r;
}
