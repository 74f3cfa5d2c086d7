/* SPDX-License-Identifier: MIT */
#include "format/ifinet6.h"

#include "core/util.h"

#include <errno.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex field of 1..8 digits at *s, then one or more spaces; *s moves past them. */
static bool hex_field(const char **s, unsigned max, unsigned *v)
{
	const char *p = *s;
	unsigned long x = 0;
	size_t n = 0;

	for (; hexval(*p) >= 0; p++, n++) {
		if (n == 8)
			return false;
		x = x << 4 | (unsigned)hexval(*p);
	}
	if (!n || *p != ' ' || x > max)
		return false;
	while (*p == ' ')
		p++;
	*s = p;
	*v = (unsigned)x;
	return true;
}

/* One line (NUL-terminated, without its newline) into a; NULL or what is wrong. */
static const char *parse_line(const char *s, struct ifinet6 *a)
{
	size_t n;

	for (int i = 0; i < 32; i++)
		if (hexval(s[i]) < 0)
			return "expected 32 hex digits of an IPv6 address";
	for (int i = 0; i < 16; i++)
		a->addr[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	s += 32;
	if (*s != ' ')
		return "expected a space after the address";
	while (*s == ' ')
		s++;
	if (!hex_field(&s, 0xffffffffu, &a->ifindex))
		return "bad interface index";
	if (!hex_field(&s, 128, &a->prefix))
		return "bad prefix length (hex, at most 0x80)";
	if (!hex_field(&s, 0xff, &a->scope))
		return "bad scope";
	if (!hex_field(&s, 0xff, &a->flags))
		return "bad flags";
	n = strlen(s);
	if (n == 0 || n >= sizeof(a->ifname) || strpbrk(s, " /:") || !str_is_printable(s, n))
		return "bad interface name";
	memcpy(a->ifname, s, n + 1);
	return NULL;
}

int if_inet6_parse(const char *file, const char *data, size_t len, struct ifinet6 **out,
		   struct diag *diag)
{
	_cleanup_free_ struct ifinet6 *v = NULL;
	size_t n = 0, cap = 0;
	unsigned line = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t k = nl ? (size_t)(nl - (data + pos)) : len - pos;
		char buf[128];
		const char *why;
		line++;
		if (k >= sizeof(buf) || memchr(data + pos, '\0', k))
			return diag_set(diag, file, line, "line is not if_inet6 output");
		memcpy(buf, data + pos, k);
		buf[k] = '\0';
		pos += k + 1;
		/* The device name is right-aligned in 8 columns: leading spaces are the format's,
		 * trailing ones are not. */
		char *s = buf;
		while (*s == ' ')
			s++;
		if (!*s)
			continue;
		if (n == IFINET6_MAX_ADDRS)
			return diag_set(diag, file, line, "more than %d addresses: not read further",
					IFINET6_MAX_ADDRS);
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		struct ifinet6 a = { 0 };
		if ((why = parse_line(s, &a)))
			return diag_set(diag, file, line, "%s in \"%.60s\"", why, s);
		v[n++] = a;
	}
	*out = TAKE_PTR(v);
	return (int)n;
}

bool if_inet6_usable(const struct ifinet6 *a)
{
	return !(a->flags & (IFINET6_F_DADFAILED | IFINET6_F_TENTATIVE));
}
