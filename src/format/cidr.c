/* SPDX-License-Identifier: MIT */
#include "format/cidr.h"
#include "format/format_private.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>

static uint32_t mask(unsigned prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	/* inet_pton accepts only the full dotted-quad form, no octal or shortened forms. */
	if (strlen(s) > 15 || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

int cidr_parse(const char *s, bool strict, struct cidr *out)
{
	char addr[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long prefix = 32;
	uint32_t a;

	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (ipv4_parse(addr, &a) < 0)
		return -EINVAL;
	if (slash) {
		char *end;
		const char *p = slash + 1;
		if (*p < '0' || *p > '9' || strlen(p) > 2)
			return -EINVAL;
		errno = 0;
		prefix = strtoul(p, &end, 10);
		if (errno || *end || prefix > 32)
			return -EINVAL;
	}
	if (strict && (a & ~mask((unsigned)prefix)))
		return -EDOM;
	out->prefix = (unsigned)prefix;
	out->addr = a & mask(out->prefix);
	return 0;
}

bool cidr_contains(const struct cidr *c, uint32_t addr)
{
	return (addr & mask(c->prefix)) == c->addr;
}

bool cidr_within(const struct cidr *inner, const struct cidr *outer)
{
	return inner->prefix >= outer->prefix && cidr_contains(outer, inner->addr);
}

void ipv4_format(uint32_t addr, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
}

void cidr_format(const struct cidr *c, char *buf, size_t size)
{
	char a[16];
	ipv4_format(c->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, c->prefix);
}

static void mask6(uint8_t a[16], unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
		a[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
	}
}

int cidr6_parse(const char *s, bool strict, struct cidr6 *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long prefix = 128;
	uint8_t a[16], m[16];

	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (!strchr(addr, ':') || strchr(addr, '.') || inet_pton(AF_INET6, addr, a) != 1)
		return -EINVAL;
	if (slash) {
		char *end;
		const char *p = slash + 1;
		if (*p < '0' || *p > '9' || strlen(p) > 3 || (p[0] == '0' && p[1]))
			return -EINVAL;
		errno = 0;
		prefix = strtoul(p, &end, 10);
		if (errno || *end || prefix > 128)
			return -EINVAL;
	}
	memcpy(m, a, 16);
	mask6(m, (unsigned)prefix);
	if (strict && memcmp(m, a, 16))
		return -EDOM;
	memcpy(out->addr, m, 16);
	out->prefix = (unsigned)prefix;
	return 0;
}

bool cidr6_contains(const struct cidr6 *c, const uint8_t addr[16])
{
	uint8_t a[16];

	memcpy(a, addr, 16);
	mask6(a, c->prefix);
	return memcmp(a, c->addr, 16) == 0;
}

bool cidr6_within(const struct cidr6 *inner, const struct cidr6 *outer)
{
	return inner->prefix >= outer->prefix && cidr6_contains(outer, inner->addr);
}

bool cidr6_text_within(const char *s, const struct cidr6 *outer)
{
	struct cidr6 c;

	return s && cidr6_parse(s, false, &c) == 0 && cidr6_within(&c, outer);
}

void cidr6_format(const struct cidr6 *c, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, c->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, size, "%s/%u", a, c->prefix);
}

int netaddr_parse(const char *s, struct netaddr *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct netaddr a = { .family = AF_INET };

	if (ipv4_parse(s, &a.v4) == 0) {
		*out = a;
		return 0;
	}
	a.family = AF_INET6;
	if (strlen(s) >= NETADDR_STRLEN || inet_pton(AF_INET6, s, a.v6) != 1 ||
	    memcmp(a.v6, mapped, sizeof(mapped)) == 0)
		return -EINVAL;
	*out = a;
	return 0;
}

void netaddr_format(const struct netaddr *a, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (a->family == AF_INET)
		ipv4_format(a->v4, buf, size);
	else if (a->family == AF_INET6 && !inet_ntop(AF_INET6, a->v6, buf, (socklen_t)size) &&
		 size)
		buf[0] = '\0';
}

bool netaddr_eq(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return a->family != AF_INET6 || memcmp(a->v6, b->v6, 16) == 0;
}

bool netaddr_in_mesh(const struct netaddr *a, const struct cidr *m4, const struct cidr6 *m6)
{
	if (a->family == AF_INET)
		return m4 && cidr_contains(m4, a->v4);
	return a->family == AF_INET6 && m6 && cidr6_contains(m6, a->v6);
}
