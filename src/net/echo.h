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

