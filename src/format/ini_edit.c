/* SPDX-License-Identifier: MIT */
#include "format/ini_edit.h"
#include "format/format_private.h"

#include "format/ini.h"

#include <ctype.h>

struct line {
	const char *p; /* start */
	size_t len;    /* without the line ending */
	size_t eol;    /* bytes of the line ending: 0, 1 (LF) or 2 (CRLF) */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The section a header line opens ("[ wsl2 ]  # core" -> "wsl2"), or false: the same lines
 * format/ini.c accepts as headers (others it ignores, and so does WSL). */
static bool header_name(const struct line *l, char *name, size_t size)
{
	size_t i = 0, end, k;

	while (i < l->len && is_space(l->p[i]))
		i++;
	if (i == l->len || l->p[i] != '[')
		return false;
	const char *close = memchr(l->p + i, ']', l->len - i);
	if (!close)
		return false;
	for (k = (size_t)(close - l->p) + 1; k < l->len && is_space(l->p[k]); k++)
		;
	if (k < l->len && l->p[k] != '#' && l->p[k] != ';')
		return false;
	i++;
	end = (size_t)(close - l->p);
	for (k = i; k < end; k++)
		if (!ini_key_char(l->p[k]) && !is_space(l->p[k]))
			return false;
	while (i < end && is_space(l->p[i]))
		i++;
	while (end > i && is_space(l->p[end - 1]))
		end--;
	if (end - i >= size)
		return false;
	memcpy(name, l->p + i, end - i);
	name[end - i] = '\0';
	return true;
}

/* Spans of a "key = value ; comment" line: [ks,ke) the key, [vs,ve) the value (quotes
 * included). False for comments, blank lines and lines without '='. */
static bool key_value(const struct line *l, size_t *ks, size_t *ke, size_t *vs, size_t *ve)
{
	size_t i = 0, eq;

	while (i < l->len && is_space(l->p[i]))
		i++;
	if (i == l->len || l->p[i] == '#' || l->p[i] == ';' || l->p[i] == '[')
		return false;
	const char *e = memchr(l->p + i, '=', l->len - i);
	if (!e)
		return false;
	eq = (size_t)(e - l->p);
	*ks = i;
	*ke = eq;
	while (*ke > *ks && is_space(l->p[*ke - 1]))
		(*ke)--;
	if (*ke == *ks)
		return false;
	for (size_t k = *ks; k < *ke; k++)
		if (!ini_key_char(l->p[k]))
			return false;
	i = eq + 1;
	while (i < l->len && is_space(l->p[i]))
		i++;
	*vs = i;
	/* The value ends before an inline comment, as the parser reads it. */
	size_t end = i + ini_comment_at(l->p + i, l->len - i);
	while (end > i && is_space(l->p[end - 1]))
		end--;
	*ve = end;
	return true;
}

static bool already(const struct ini_set *set, const char *p, size_t n)
{
	char v[INI_MAX_LINE + 1];

	if (!set->same)
		return strlen(set->value) == n && strncasecmp(p, set->value, n) == 0;
	memcpy(v, p, n);
	v[n] = '\0';
	return set->same(v, set->value);
}

static void put_line(struct buf *out, const struct line *l)
{
	buf_append(out, l->p, l->len + l->eol);
}

int ini_set(const char *file, const char *text, size_t len, const struct ini_set *set,
	    bool crlf, struct buf *out, struct ini_set_result *res, struct diag *diag)
{
	_cleanup_free_ struct line *lines = NULL;
	const char *nl = crlf ? "\r\n" : "\n";
	size_t n = 0, header = SIZE_MAX, match = SIZE_MAX, typo = SIZE_MAX;
	char section[INI_MAX_LINE + 1] = "";
	bool in_target = false;

	*res = (struct ini_set_result){ 0 };
	buf_append(out, "", 0);
	for (size_t pos = 0; pos < len;) {
		const char *e = memchr(text + pos, '\n', len - pos);
		size_t l = e ? (size_t)(e - (text + pos)) : len - pos;
		struct line ln = { .p = text + pos, .len = l, .eol = e ? 1 : 0 };
		if (e && ln.len && ln.p[ln.len - 1] == '\r') {
			ln.len--;
			ln.eol++;
		}
		if (memchr(ln.p, '\0', ln.len))
			return diag_set(diag, file, (unsigned)n + 1, "NUL byte in line");
		if (ln.len > INI_MAX_LINE)
			return diag_set(diag, file, (unsigned)n + 1, "line longer than %d bytes",
					INI_MAX_LINE);
		lines = xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n] = ln;
		size_t ks, ke, vs, ve;
		if (header_name(&ln, section, sizeof(section))) {
			in_target = strcasecmp(section, set->section) == 0;
			if (in_target)
				header = n;
		} else if (in_target && key_value(&ln, &ks, &ke, &vs, &ve)) {
			char key[INI_MAX_LINE + 1];
			memcpy(key, ln.p + ks, ke - ks);
			key[ke - ks] = '\0';
			if (strcasecmp(key, set->key) == 0)
				match = n;
			else if (typo == SIZE_MAX && set->is_typo && set->is_typo(key))
				typo = n;
		}
		n++;
		pos += l + (e ? 1 : 0);
	}

	if (match != SIZE_MAX) {
		size_t ks, ke, vs, ve;
		const struct line *l = &lines[match];
		key_value(l, &ks, &ke, &vs, &ve);
		bool quoted = ve - vs >= 2 && l->p[vs] == '"' && l->p[ve - 1] == '"';
		size_t ivs = quoted ? vs + 1 : vs, ive = quoted ? ve - 1 : ve;
		res->line = (unsigned)match + 1;
		if (already(set, l->p + ivs, ive - ivs)) {
			buf_append(out, text, len);
			return 0;
		}
		for (size_t i = 0; i < n; i++) {
			if (i != match) {
				put_line(out, &lines[i]);
				continue;
			}
			buf_append(out, l->p, ivs);
			buf_append(out, set->value, strlen(set->value));
			buf_append(out, l->p + ive, l->len - ive + l->eol);
		}
		res->action = INI_SET_REPLACED;
		return 0;
	}
	if (typo != SIZE_MAX) {
		size_t ks, ke, vs, ve;
		const struct line *l = &lines[typo];
		key_value(l, &ks, &ke, &vs, &ve);
		for (size_t i = 0; i < n; i++) {
			if (i != typo) {
				put_line(out, &lines[i]);
				continue;
			}
			/* Indentation, spacing around '=' and an inline comment stay. */
			buf_append(out, l->p, ks);
			buf_append(out, set->key, strlen(set->key));
			buf_append(out, l->p + ke, vs - ke);
			buf_append(out, set->value, strlen(set->value));
			buf_append(out, l->p + ve, l->len - ve + l->eol);
		}
		res->action = INI_SET_RENAMED;
		res->line = (unsigned)typo + 1;
		return 0;
	}
	if (header != SIZE_MAX) {
		for (size_t i = 0; i < n; i++) {
			put_line(out, &lines[i]);
			if (i == header) {
				if (!lines[i].eol)
					buf_append(out, nl, strlen(nl));
				buf_printf(out, "%s=%s%s", set->key, set->value,
					   i + 1 < n || lines[i].eol ? nl : "");
			}
		}
		res->action = INI_SET_INSERTED;
		res->line = (unsigned)header + 2;
		return 0;
	}
	buf_append(out, text, len);
	unsigned line = (unsigned)n + 1;
	if (len && text[len - 1] != '\n') {
		buf_append(out, nl, strlen(nl));
	}
	if (len) {
		buf_append(out, nl, strlen(nl)); /* a blank line before the new section */
		line++;
	}
	buf_printf(out, "[%s]%s%s=%s%s", set->section, nl, set->key, set->value, nl);
	res->action = INI_SET_APPENDED;
	res->line = line + 1;
	return 0;
}
