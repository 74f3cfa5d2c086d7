/* SPDX-License-Identifier: MIT */
/* Listening TCP sockets, from the two sides of a WSL2 machine: the distro's /proc/net/tcp and
 * /proc/net/tcp6 (kernel format, hex addresses), and the Windows host's `netstat.exe -ano`
 * (CRLF, headers in the Windows display language, states possibly in the OEM code page, e.g.
 * "ABHÖREN" on German Windows). Pure parsers on buffers, each fuzzed. */
#pragma once

#include "core/diag.h"

#include <stdint.h>

struct listener {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
	uint16_t port;
	uint32_t pid;     /* Windows owning process (netstat -o), 0 when unknown */
};

struct listeners {
	struct listener *v;
	size_t n;
	size_t cap; /* allocated: grows by doubling (one realloc per socket was quadratic under
		       ASan, whose realloc always copies: 200k lines took over a minute) */
};

#define LISTENERS_MAX_LINES 200000

/* Appends the LISTEN sockets (state 0A) of /proc/net/tcp (v6 false) or /proc/net/tcp6. */
int proc_net_tcp_parse(const char *file, const char *data, size_t len, bool v6,
		       struct listeners *out, struct diag *diag);
/* Appends the listening TCP sockets of `netstat -ano` output: "TCP" rows whose foreign address
 * is 0.0.0.0:0 or [::]:0 (the state word is localized, the foreign address is not). Other
 * lines (headers in any language, UDP rows) are checked for shape and skipped. At least one
 * TCP row must be present. */
int netstat_parse(const char *file, const char *data, size_t len, struct listeners *out,
		  struct diag *diag);
void listeners_free(struct listeners *l);

/* The IPv4 address (host byte order) of an AF_INET listener or of a v4-mapped v6 one
 * (::ffff:a.b.c.d); false for other v6 addresses. */
bool listener_ipv4(const struct listener *l, uint32_t *addr);
bool listener_is_loopback(const struct listener *l);
bool listener_is_wildcard(const struct listener *l);
/* "0.0.0.0:445", "[::]:22" into buf. */
void listener_format(const struct listener *l, char *buf, size_t size);
