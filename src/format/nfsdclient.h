/* SPDX-License-Identifier: MIT */
/* /proc/fs/nfsd/clients/ID/info: one NFSv4 client of the kernel NFS server, as Linux's
 * client_info_show() (fs/nfsd/nfs4state.c) writes it, one "key: value" per line:
 *
 *   clientid: 0x6f3a1c2b5e000001
 *   address: "100.64.0.3:876"            %pISpc: "[fd7a:115c:a1e0::3]:876" for IPv6
 *   status: confirmed                    (5.4+; unconfirmed, courtesy, expirable: 5.19+)
 *   seconds from last renew: 12          (5.19+)
 *   name: "Linux NFSv4.2 office-one"     the client's id string, escaped (\xHH, \\, \")
 *   minor version: 2
 *   Implementation domain: "kernel.org"  (4.1+ clients only, the next three lines)
 *   Implementation name: "Linux 6.1.0-28-amd64 #1 SMP ..."
 *   Implementation time: [0, 0]
 *   callback state: UP                   (5.14+; callback address, admin-revoked states,
 *                                         session slots: later kernels)
 *
 * Fed line by line through a context struct; keys it does not know are skipped (newer
 * kernels add lines). clientid and address are required: a file without them, or with a
 * quoted value that does not end (a file cut short), is -EBADMSG naming the line. Pure. */
#pragma once

#include "core/diag.h"

#include <stdint.h>

#define NFSD_CLIENT_MAX_LINES 1000

struct nfsd_client {
	uint64_t clientid;
	int family;         /* AF_INET or AF_INET6 */
	uint8_t addr[16];   /* network byte order; IPv4 in the first 4 bytes */
	uint16_t port;
	char status[16];    /* "confirmed", ..., or "" when the kernel has no such line */
	int minor_version;  /* -1 when absent */
	long long renew_s;  /* seconds from last renew, -1 when absent */
	char *name;         /* the id string, unescaped (may hold any byte but NUL), or NULL */
	char *impl_name;    /* Implementation name, unescaped, or NULL */
};

struct nfsd_client_ctx {
	const char *file;
	struct nfsd_client *out;
	struct diag *diag;
	unsigned line;
	bool have_id, have_addr;
};

/* The whole file. On error out holds nothing to free. */
int nfsd_client_parse(const char *file, const char *data, size_t len, struct nfsd_client *out,
		      struct diag *diag);
void nfsd_client_free(struct nfsd_client *c);

/* The host part of a Linux client's id string: "Linux NFSv4.2 office-one" and
 * "Linux NFSv4.1 office-one/uuid" give "office-one" (copied into buf); other clients' ids
 * (or a NULL name) give false. NFSv4.0 clients that use the non-uniform string give the
 * client's address instead ("Linux NFSv4.0 100.64.0.3/100.64.0.1 tcp"). */
bool nfsd_client_linux_host(const struct nfsd_client *c, char *buf, size_t size);
/* The address without the port: "100.64.0.3", "fd7a:115c:a1e0::3". */
void nfsd_client_addr_format(const struct nfsd_client *c, char *buf, size_t size);
