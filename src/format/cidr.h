/* SPDX-License-Identifier: MIT */
/* IPv4 addresses and CIDR ranges (the mesh range is 100.64.0.0/10), and IPv6 ranges (the
 * tailnet's own IPv6 range is fd7a:115c:a1e0::/48: tailscale.com/net/tsaddr
 * TailscaleULARange, Headscale's default prefixes.v6). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct cidr {
	uint32_t addr; /* host byte order, host bits cleared */
	unsigned prefix;
};

/* Parses "A.B.C.D/N" or a bare "A.B.C.D" (/32). strict: host bits must be zero.
 * Returns 0, -EINVAL for a malformed range, -EDOM for host bits set in strict mode. */
int cidr_parse(const char *s, bool strict, struct cidr *out);
/* Parses a dotted IPv4 address exactly (no shortened forms). */
int ipv4_parse(const char *s, uint32_t *out);
bool cidr_contains(const struct cidr *c, uint32_t addr);
/* inner lies entirely inside outer. */
bool cidr_within(const struct cidr *inner, const struct cidr *outer);
/* "A.B.C.D/N" into buf (at least 19 bytes). */
void cidr_format(const struct cidr *c, char *buf, size_t size);
void ipv4_format(uint32_t addr, char *buf, size_t size);

/* The IPv6 range Tailscale gives every node an address in (and Headscale by default). */
#define TAILNET_RANGE6 "fd7a:115c:a1e0::/48"

struct cidr6 {
	uint8_t addr[16]; /* network byte order, host bits cleared */
	unsigned prefix;
};

/* Parses "ADDR/N" or a bare IPv6 address (/128), as inet_pton(AF_INET6) reads ADDR (no zone,
 * no IPv4 form). strict: host bits must be zero. Returns 0, -EINVAL, or -EDOM. */
int cidr6_parse(const char *s, bool strict, struct cidr6 *out);
bool cidr6_contains(const struct cidr6 *c, const uint8_t addr[16]);
/* inner lies entirely inside outer. */
bool cidr6_within(const struct cidr6 *inner, const struct cidr6 *outer);
/* s, an IPv6 address or network in text ("fd7a:115c:a1e0::9", "fd7a:115c:a1e0::/64"), lies
 * wholly inside outer; false when s is not one. */
bool cidr6_text_within(const char *s, const struct cidr6 *outer);
/* "ADDR/N" into buf (at least 44 bytes). */
void cidr6_format(const struct cidr6 *c, char *buf, size_t size);

/* An IPv4 or IPv6 address: a probe's target, a route's source. */
struct netaddr {
	int family;     /* 0 (none), AF_INET or AF_INET6 */
	uint32_t v4;    /* AF_INET: host byte order */
	uint8_t v6[16]; /* AF_INET6: network byte order */
};
/* The longest text of a struct netaddr, with its NUL (INET6_ADDRSTRLEN). */
#define NETADDR_STRLEN 46

static inline struct netaddr netaddr_ipv4(uint32_t a)
{
	return (struct netaddr){ .family = AF_INET, .v4 = a };
}
/* A dotted quad, or an IPv6 address as inet_pton reads it (no brackets, no zone, no
 * IPv4-mapped form: ::ffff:A.B.C.D is refused, it is an IPv4 peer). Returns 0 or -EINVAL. */
int netaddr_parse(const char *s, struct netaddr *out);
/* The address in text ("100.64.0.1", "fd7a:115c:a1e0::1"), "" when none (family 0). */
void netaddr_format(const struct netaddr *a, char *buf, size_t size);
bool netaddr_eq(const struct netaddr *a, const struct netaddr *b);
static inline bool netaddr_is_set(const struct netaddr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}
/* a lies in the mesh: m4 for IPv4, m6 for IPv6. */
bool netaddr_in_mesh(const struct netaddr *a, const struct cidr *m4, const struct cidr6 *m6);
