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
/* s, an IPv6 address or network in text ("fd7a:115c:a1e0::9", "fd7a:115c:a1e0::/64"), lies
 * wholly inside outer; false when s is not one. */
bool cidr6_text_within(const char *s, const struct cidr6 *outer);
/* "ADDR/N" into buf (at least 44 bytes). */
void cidr6_format(const struct cidr6 *c, char *buf, size_t size);
