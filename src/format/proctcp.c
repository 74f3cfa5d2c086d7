/* SPDX-License-Identifier: MIT */
#include "format/proctcp.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* n hex digits into v; false on anything else. */
static bool hex(const char *s, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return false;
		*v = (*v << 4) | (uint32_t)d;
	}
	return true;
}

/* "AAAAAAAA:PPPP" (v4) or 32 hex digits ":PPPP" (v6). */
static bool parse_addr(const char *s, size_t n, bool v6, struct tcp_socket *t)
{
	size_t alen = v6 ? 32 : 8;
	uint32_t w, port;

	if (n != alen + 5 || s[alen] != ':' || !hex(s + alen + 1, 4, &port))
		return false;
	t->port = (uint16_t)port;
	t->v6 = v6;
	if (!v6) {
		if (!hex(s, 8, &w))
			return false;
		t->addr4 = ntohl(w); /* printed in host order: the bytes of the __be32 */
		return true;
	}
	for (int i = 0; i < 4; i++) {
		if (!hex(s + 8 * i, 8, &w))
			return false;
		uint32_t be = w; /* host-order print of a network-order word */
		memcpy(t->addr6 + 4 * i, &be, 4);
	}
	return true;
}

int proc_tcp_parse(const char *file, const char *data, size_t len, bool v6,
		   struct tcp_socket **ret, size_t *ret_n, struct diag *diag)
{
	struct tcp_socket *v = NULL;
	size_t n = 0, p = 0;
	unsigned line = 0;

	*ret = NULL;
	*ret_n = 0;
	while (p < len) {
		const char *s = data + p, *nl = memchr(s, '\n', len - p);
		size_t l = nl ? (size_t)(nl - s) : len - p;
		p += l + (nl ? 1 : 0);
		line++;
		if (line == 1)
			continue; /* the header */
		/* "  N: LOCAL REMOTE ST ..." */
		size_t i = 0, f = 0, fs[4], fl[4];
		while (f < 4) {
			while (i < l && s[i] == ' ')
				i++;
			if (i >= l)
				break;
			fs[f] = i;
			while (i < l && s[i] != ' ')
				i++;
			fl[f] = i - fs[f];
			f++;
		}
		if (f == 0)
			continue;
		struct tcp_socket t = { 0 };
		uint32_t st;
		if (f < 4 || s[fs[0] + fl[0] - 1] != ':' || !parse_addr(s + fs[1], fl[1], v6, &t) ||
		    fl[3] != 2 || !hex(s + fs[3], 2, &st)) {
			free(v);
			return diag_set(diag, file, line, "not a socket line: \"%.*s\"",
					(int)(l > 60 ? 60 : l), s);
		}
		t.state = st;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = t;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

bool tcp_socket_v4mapped(const struct tcp_socket *s)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return s->v6 && memcmp(s->addr6, prefix, 12) == 0;
}

bool tcp_socket_any(const struct tcp_socket *s)
{
	static const uint8_t zero[16];
	return s->v6 ? memcmp(s->addr6, zero, 16) == 0 : s->addr4 == 0;
}

void tcp_socket_format(const struct tcp_socket *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!s->v6) {
		uint32_t be = htonl(s->addr4);
		inet_ntop(AF_INET, &be, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, s->port);
	} else {
		inet_ntop(AF_INET6, s->addr6, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, s->port);
	}
}
