/* SPDX-License-Identifier: MIT */
#include "format/fibtrie.h"

#include "format/cidr.h"

#include <ctype.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Keeps the first of equal addresses, in their order: O(n log n) (a scan per address was
 * quadratic: 160k leaves took 4.3 s). */
static size_t dedupe(uint32_t *v, size_t n)
{
	_cleanup_free_ uint64_t *k = xcalloc(n, sizeof(*k));
	_cleanup_free_ bool *drop = xcalloc(n, sizeof(*drop));
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		k[i] = (uint64_t)v[i] << 32 | i;
	qsort(k, n, sizeof(*k), cmp_u64);
	for (size_t i = 1; i < n; i++)
		if (k[i] >> 32 == k[i - 1] >> 32)
			drop[(uint32_t)k[i]] = true;
	for (size_t i = 0; i < n; i++)
		if (!drop[i])
			v[m++] = v[i];
	return m;
}

int fib_trie_local_addrs(const char *file, const char *data, size_t len, uint32_t **addrs,
			 struct diag *diag)
{
	uint32_t leaf = 0, *out = NULL;
	bool have_leaf = false;
	unsigned line = 0;
	size_t n_out = 0, cap = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		char buf[256];
		line++;
		if (n >= sizeof(buf) || memchr(data + pos, '\0', n)) {
			free(out);
			return diag_set(diag, file, line, "line is not fib_trie output");
		}
		memcpy(buf, data + pos, n);
		buf[n] = '\0';
		pos += n + 1;
		char *s = strstrip(buf);
		if (!*s)
			continue;
		if (startswith(s, "|-- ")) {
			have_leaf = ipv4_parse(s + 4, &leaf) == 0;
			if (!have_leaf) {
				free(out);
				return diag_set(diag, file, line, "bad leaf address \"%.40s\"", s + 4);
			}
		} else if (s[0] == '/') {
			/* "/32 host LOCAL": the leaf above is an address of this namespace. */
			if (have_leaf && startswith(s, "/32 host LOCAL")) {
				if (n_out == FIBTRIE_MAX_ADDRS) {
					free(out);
					return diag_set(diag, file, line,
							"more than %d local addresses: not read further",
							FIBTRIE_MAX_ADDRS);
				}
				if (n_out == cap) {
					cap = cap ? 2 * cap : 64;
					out = xrealloc(out, cap * sizeof(*out));
				}
				out[n_out++] = leaf;
			}
		} else if (!startswith(s, "+-- ") && !(isalpha((unsigned char)s[0]) && s[strlen(s) - 1] == ':')) {
			free(out);
			return diag_set(diag, file, line, "unexpected line \"%.40s\"", s);
		}
	}
	*addrs = out;
	return (int)(n_out ? dedupe(out, n_out) : 0);
}
