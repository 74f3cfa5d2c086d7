/* SPDX-License-Identifier: MIT */
/* Small network helpers for the probe ladder: the kernel's choice of source address, name
 * resolution with a deadline, and the HOST[:EXPORT] operand. */
#pragma once

#include "core/diag.h"

#include <stdint.h>

/* The local address the kernel would use to reach dst:port (a UDP socket connected, no
 * packet sent). Returns 0, or a negative errno: -ENETUNREACH when there is no route. */
int net_route_source(uint32_t dst, uint16_t port, uint32_t *src);

/* host as an IPv4 address: a dotted quad at once, a name through the resolver (getaddrinfo_a)
 * within timeout_ms. Returns 0, -ETIMEDOUT, or -ENOENT (unknown name); err gets a one-line
 * reason. */
int net_resolve(const char *host, int timeout_ms, uint32_t *addr, char *err, size_t errsize);

/* Splits "HOST[:EXPORT]" (HOST an IPv4 address or a DNS name, EXPORT an absolute path).
 * export is NULL when absent. Returns 0 or -EBADMSG with d filled (file "argument"). */
int net_parse_target(const char *arg, char **host, char **export_path, struct diag *d);
