/* SPDX-License-Identifier: MIT */
/* /proc/net/tcp and /proc/net/tcp6: the sockets of this network namespace, read without
 * opening one. Only what doctor and setup need: the listening sockets, their addresses and
 * ports. The kernel prints each 32-bit word of an address in host byte order (%08X). */
#pragma once

#include "core/diag.h"

#include <stdint.h>

#define TCP_STATE_LISTEN 0x0A

struct tcp_socket {
	bool v6;
	uint32_t addr4;    /* IPv4 (or the IPv4 of a v4-mapped v6 address), host byte order */
	uint8_t addr6[16]; /* v6: network byte order */
	uint16_t port;
	unsigned state;
};

/* Parses the whole file (header line first). -EBADMSG with diag naming the line. */
int proc_tcp_parse(const char *file, const char *data, size_t len, bool v6,
		   struct tcp_socket **ret, size_t *ret_n, struct diag *diag);
/* The address is the wildcard (0.0.0.0 or ::): the socket listens on every address. */
bool tcp_socket_any(const struct tcp_socket *s);
/* A v6 address that is really IPv4 (::ffff:a.b.c.d); sets addr4. */
bool tcp_socket_v4mapped(const struct tcp_socket *s);
/* "100.64.0.1:2049" or "[::]:2049" into buf. */
void tcp_socket_format(const struct tcp_socket *s, char *buf, size_t size);
