/* SPDX-License-Identifier: MIT */
#include "core/optlist.h"
#include "core/core_private.h"

char **optlist_split(const char *s, size_t *n)
{
	char **v = NULL;

	*n = 0;
	if (!s)
		return NULL;
	for (const char *p = s;;) {
		size_t k = strcspn(p, ",");
		if (k) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = xstrndup(p, k);
		}
		if (!p[k])
			break;
		p += k + 1;
	}
	return v;
}

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool strv_contains(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

static char *difference(char *const *a, size_t na, char *const *b, size_t nb)
{
	struct buf out = { 0 };

	buf_append(&out, "", 0);
	for (size_t i = 0; i < na; i++)
		if (!strv_contains(b, nb, a[i]))
			buf_printf(&out, "%s%s", out.len ? "," : "", a[i]);
	return out.data;
}

bool optlist_compare(const char *have, const char *want, char **missing, char **extra)
{
	size_t nh, nw;
	char **h = optlist_split(have, &nh), **w = optlist_split(want, &nw);
	char *m = difference(w, nw, h, nh), *x = difference(h, nh, w, nw);
	bool same = !*m && !*x;

	strv_free(h, nh);
	strv_free(w, nw);
	if (missing)
		*missing = m;
	else
		free(m);
	if (extra)
		*extra = x;
	else
		free(x);
	return same;
}

char *optlist_join(char *const *v, size_t n)
{
	struct buf out = { 0 };

	buf_append(&out, "", 0);
	for (size_t i = 0; i < n; i++)
		buf_printf(&out, "%s%s", i ? "," : "", v[i]);
	return out.data;
}
