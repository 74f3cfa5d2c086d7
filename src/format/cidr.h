/* SPDX-License-Identifier: MIT */
/* IPv4 addresses and CIDR ranges (the mesh range is 100.64.0.0/10). */
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
