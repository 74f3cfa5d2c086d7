/* SPDX-License-Identifier: MIT */
#include "format/osrelease.h"

#include <ctype.h>

/* Unquotes an os-release value in place: "..." with \" \\ \$ \` escapes, or '...'. */
static int unquote(char *v)
{
	size_t n = strlen(v);
	char q = v[0];

	if (q != '"' && q != '\'') {
		for (char *p = v; *p; p++)
			if (isspace((unsigned char)*p) || strchr("\"'`$\\", *p))
				return -1;
		return 0;
	}
	if (n < 2 || v[n - 1] != q)
		return -1;
	char *w = v;
	for (size_t i = 1; i < n - 1; i++) {
		if (q == '"' && v[i] == '\\' && i + 1 < n - 1 && strchr("\"\\$`", v[i + 1]))
			i++;
		else if (v[i] == q)
			return -1;
		*w++ = v[i];
	}
	*w = '\0';
	return 0;
}

int os_release_parse(const char *file, const char *data, size_t len, struct os_release *out,
		     struct diag *diag)
{
	unsigned line = 0;
	int r = 0;

	*out = (struct os_release){ 0 };
	for (size_t pos = 0; pos < len && r == 0;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		line++;
		if (memchr(data + pos, '\0', n)) {
			r = diag_set(diag, file, line, "NUL byte in line");
			break;
		}
		_cleanup_free_ char *s = xstrndup(data + pos, n);
		char *l = strstrip(s), *eq;
		pos += n + 1;
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (!eq || eq == l) {
			r = diag_set(diag, file, line, "expected KEY=value, got \"%.80s\"", l);
			break;
		}
		*eq = '\0';
		for (char *p = l; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_') {
				r = diag_set(diag, file, line, "invalid key \"%.80s\"", l);
				break;
			}
		if (r)
			break;
		char *v = eq + 1;
		if (unquote(v) < 0) {
			r = diag_set(diag, file, line, "badly quoted value %.80s", v);
			break;
		}
		char **slot = streq(l, "ID") ? &out->id :
			      streq(l, "ID_LIKE") ? &out->id_like :
			      streq(l, "PRETTY_NAME") ? &out->pretty_name :
			      streq(l, "VERSION_ID") ? &out->version_id : NULL;
		if (slot) {
			free(*slot);
			*slot = xstrdup(v);
		}
	}
	if (r < 0)
		os_release_free(out);
	return r;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " ");
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, word, n) == 0)
			return true;
		p += k;
	}
	return false;
}

bool os_release_is_debian_like(const struct os_release *o)
{
	return (o->id && (streq(o->id, "debian") || streq(o->id, "ubuntu"))) ||
	       word_in(o->id_like, "debian") || word_in(o->id_like, "ubuntu");
}

void os_release_free(struct os_release *o)
{
	free(o->id);
	free(o->id_like);
	free(o->pretty_name);
	free(o->version_id);
	*o = (struct os_release){ 0 };
}
