/* SPDX-License-Identifier: MIT */
/* ICMP echo to one address on a non-blocking socket of its own, for the probe's evidence below
 * TCP: is the peer alive when its port 2049 is silent (one echo), which packet sizes does the
 * path carry (a ladder of echoes with DF set). The socket is never polled: the probe sends
 * when a step starts and reads what came back when the step ends (echo_drain never blocks).
 *
 * The unprivileged ICMP socket (SOCK_DGRAM, IPPROTO_ICMP) where net.ipv4.ping_group_range
 * allows this process's group, a raw socket otherwise (root, whose group 0 the default range
 * "1 0" excludes). Both are connected to the address: only its answers are read. An IPv6
 * peer gets ICMPv6 the same way (IPPROTO_ICMPV6; IPV6_MTU_DISCOVER, IPV6_MTU). */
#pragma once

#include "format/cidr.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest echo sent and read (sizes of a jumbo path stop here). */
#define ECHO_MAX_IP 9216

struct echo {
	int fd;      /* -1 when closed */
	bool raw;
	bool v6;     /* ICMPv6 */
	uint16_t id; /* the echo id (an unprivileged socket's is its port: the kernel sets it) */
	int mtu;     /* the route's MTU (IP_MTU of the connected socket), 0 when unknown */
};

/* Opens e to dst (IPv4 or IPv6). df: IP_PMTUDISC_DO (IPV6_PMTUDISC_DO), so a packet beyond the
 * route's MTU is refused here rather than fragmented. Returns 0 or a negative errno (e->fd
 * -1). */
int echo_open(struct echo *e, const struct netaddr *dst, bool df);
void echo_close(struct echo *e);
/* The IP header of e's packets: 20 (IPv4) or 40 (IPv6) bytes. */
static inline size_t echo_ip_header(const struct echo *e) { return e->v6 ? 40 : 20; }
/* Sends one echo request whose IP packet is ip_len bytes (>= header + 8). 0 or a negative errno
 * (-EMSGSIZE: beyond the route's MTU). */
int echo_send(const struct echo *e, uint16_t seq, size_t ip_len);
/* Reads every echo reply waiting, calling got(seq, data) for each of this socket's; never
 * blocks. Returns the number of replies of this socket read, or a negative errno. */
int echo_drain(const struct echo *e, void (*got)(uint16_t seq, void *data), void *data);
