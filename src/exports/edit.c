/* SPDX-License-Identifier: MIT */
/* The exports(5) editor: one client token changed, added, or one line appended; every other
 * byte stays. */
#include "exports/exports.h"
#include "exports/exports_private.h"

#include "core/optlist.h"
#include "format/mnttab.h"

#include <errno.h>

bool exports_path_equal(const char *a, const char *b)
{
	_cleanup_free_ char *x = mnttab_path_normalize(a), *y = mnttab_path_normalize(b);
	return streq(x, y);
}

int exports_find_path(const struct exports_file *f, const char *path, size_t from)
{
	for (size_t i = from; i < f->n_entries; i++)
		if (exports_path_equal(f->entries[i].path, path))
			return (int)i;
	return -ENOENT;
}

char *exports_escape_path(const char *path)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\' || *p == '#')
			buf_printf(&b, "\\%03o", *p);
		else
			buf_append(&b, p, 1);
	}
	return b.data;
}

/* The same client: equal networks for IPv4, else the same name ("*" and "" are everyone). */
static bool same_client(const struct exports_client *have, const struct exports_client *want)
{
	if (have->kind != want->kind)
		return false;
	if (have->kind == EXPORTS_IPV4)
		return have->net.addr == want->net.addr && have->net.prefix == want->net.prefix;
	if (have->kind == EXPORTS_WORLD)
		return true;
	return streq(have->name, want->name);
}

static bool same_options(const struct exports_client *have, const struct exports_client *want)
{
	_cleanup_free_ char *a = optlist_join(have->opts + (have->n_opts - have->n_own), have->n_own);
	_cleanup_free_ char *b = optlist_join(want->opts, want->n_opts);
	return have->has_parens && optlist_compare(a, b, NULL, NULL);
}

int exports_set_client(const char *file, const char *data, size_t len, const char *path,
		       const char *client_token, struct buf *out, struct diag *diag)
{
	struct exports_file f, want;
	_cleanup_free_ char *line = NULL, *esc = exports_escape_path(path);
	int r;

	/* The wanted client, parsed the same way as the file (so it is valid exports(5)). */
	line = xasprintf("%s  %s\n", esc, client_token);
	r = exports_parse("(new export)", line, strlen(line), &want, diag);
	if (r < 0)
		return r;
	if (want.n_entries != 1 || want.entries[0].n_clients != 1) {
		exports_free(&want);
		return -EINVAL;
	}
	const struct exports_client *w = &want.entries[0].clients[0];

	r = exports_parse(file, data, len, &f, diag);
	if (r < 0)
		goto out_want;

	/* The client already on a line of this path: its token is replaced (or kept). */
	for (int i = exports_find_path(&f, path, 0); i >= 0; i = exports_find_path(&f, path, i + 1)) {
		const struct exports_entry *e = &f.entries[i];
		for (size_t k = 0; k < e->n_clients; k++) {
			const struct exports_client *c = &e->clients[k];
			if (!same_client(c, w))
				continue;
			buf_append(out, data, c->tok_start);
			if (c->tok_start == c->tok_end)
				buf_printf(out, " %s", client_token); /* implicit: made explicit */
			else if (same_options(c, w))
				buf_append(out, data + c->tok_start, c->tok_end - c->tok_start);
			else
				buf_append(out, client_token, strlen(client_token));
			buf_append(out, data + c->tok_end, len - c->tok_end);
			goto out;
		}
	}
	/* The path exported to others: the client joins the first such line. */
	r = exports_find_path(&f, path, 0);
	if (r >= 0) {
		size_t at = f.entries[r].last_tok_end;
		buf_append(out, data, at);
		buf_printf(out, " %s", client_token);
		buf_append(out, data + at, len - at);
		r = 0;
		goto out;
	}
	/* A new line. A file without a final newline gets one; when its last byte is a
	 * backslash, a blank first, or the newline would turn it into a continuation. A file
	 * ending in a continuation gets an empty line, or it would continue into ours. */
	buf_append(out, data, len);
	if (len > 0 && data[len - 1] == '\\')
		buf_append(out, " ", 1);
	if (len > 0 && data[len - 1] != '\n')
		buf_append(out, "\n", 1);
	else if (len > 1 && data[len - 2] == '\\')
		buf_append(out, "\n", 1);
	buf_append(out, line, strlen(line));
	r = 0;
out:
	exports_free(&f);
out_want:
	exports_free(&want);
	return r;
}
