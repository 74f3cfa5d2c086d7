/* SPDX-License-Identifier: MIT */
/* Small network helpers for the probe ladder: the kernel's choice of source address, name
 * resolution with a deadline, and the HOST[:EXPORT] operand. */
#pragma once

#include "core/diag.h"
#include "format/cidr.h"

#include <stdint.h>
#include <sys/socket.h>

/* host as an address: a dotted quad or an IPv6 literal (with or without brackets) at once, a
 * name through the resolver (getaddrinfo_a) within timeout_ms: its first IPv4 address, else
 * its first IPv6 one. Returns 0, -ETIMEDOUT, or -ENOENT (unknown name); err gets a one-line
 * reason. */
int net_resolve(const char *host, int timeout_ms, struct netaddr *addr, char *err,
		size_t errsize);

/* Splits "HOST[:EXPORT]" (HOST an IPv4 address, a DNS name, or an IPv6 address: bare when
 * there is no export, "[ADDR]" or "[ADDR]:EXPORT" in brackets; EXPORT an absolute path).
 * host comes back without brackets; export is NULL when absent. Returns 0 or -EBADMSG with d filled (file "argument"). */
int net_parse_target(const char *arg, char **host, char **export_path, struct diag *d);
