/* SPDX-License-Identifier: MIT */
/* /proc/net/if_inet6: the IPv6 addresses this network namespace holds, one line each
 * (net/ipv6/addrconf.c if6_seq_show: "%pi6 %02x %02x %02x %02x %8s"):
 *
 *   fd7a115ca1e000000000000000000001 05 80 00 80 tailscale0
 *   ADDRESS (32 hex digits)          IFINDEX PREFIX SCOPE FLAGS DEVICE
 *
 * Read as a file (under --root), it needs no socket. Pure. */
#pragma once

#include "core/diag.h"

#include <stdbool.h>
#include <stdint.h>

/* A namespace holds a few addresses; a file with more is made up: said, not read on. */
#define IFINET6_MAX_ADDRS (1 << 16)

/* IFA_F_* flags (linux/if_addr.h) that make an address unusable as a source yet or ever. */
#define IFINET6_F_DADFAILED 0x08
#define IFINET6_F_TENTATIVE 0x40

struct ifinet6 {
	uint8_t addr[16];  /* network byte order */
	unsigned ifindex;  /* the interface's index */
	unsigned prefix;   /* 0..128 */
	unsigned scope;    /* 0x00 global, 0x10 host, 0x20 link, 0x40 site, 0x50 compat... */
	unsigned flags;    /* IFA_F_* (low 8 bits, as the kernel prints them) */
	char ifname[16];   /* the device, up to IFNAMSIZ - 1 bytes */
};

/* Every line of data into a new array *out (free it). Returns the count, or -EBADMSG (diag:
 * file, line, what is wrong) for a line that is not if_inet6's; nothing is returned then.
 * An address listed twice (on two interfaces) is kept twice. */
int if_inet6_parse(const char *file, const char *data, size_t len, struct ifinet6 **out,
		   struct diag *diag);
/* a is usable as a source: neither tentative (duplicate address detection running) nor
 * failed it. */
bool if_inet6_usable(const struct ifinet6 *a);
