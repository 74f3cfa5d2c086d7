/* SPDX-License-Identifier: MIT */
#include "format/fibtrie.h"

#include "format/cidr.h"

#include <ctype.h>

int fib_trie_local_addrs(const char *file, const char *data, size_t len, uint32_t **addrs,
			 struct diag *diag)
{
	uint32_t leaf = 0, *out = NULL;
	bool have_leaf = false;
	unsigned line = 0;
	size_t n_out = 0;

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
				bool dup = false;
				for (size_t i = 0; i < n_out; i++)
					dup |= out[i] == leaf;
				if (!dup) {
					out = xrealloc(out, (n_out + 1) * sizeof(*out));
					out[n_out++] = leaf;
				}
			}
		} else if (!startswith(s, "+-- ") && !(isalpha((unsigned char)s[0]) && s[strlen(s) - 1] == ':')) {
			free(out);
			return diag_set(diag, file, line, "unexpected line \"%.40s\"", s);
		}
	}
	*addrs = out;
	return (int)n_out;
}
