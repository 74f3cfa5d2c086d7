/* SPDX-License-Identifier: MIT */
/* `ganesha-rados-grace ... dump`: the shared grace database of NFS-Ganesha's rados_cluster
 * recovery backend (outside input: the tool's stdout), parsed; pure. What it prints, from
 * nfs-ganesha's src/support/rados_grace.c (rados_grace_dump, 2.7 to 6):
 *
 *   cur=2 rec=1                                          the epochs (rec 0: no grace period)
 *   ======================================================
 *   gw1\tNE                                              one line per gateway: nodeid TAB,
 *   gw2\t E                                              N (needs a grace period) or space,
 *                                                        E (enforcing it) or space
 *
 * The database holds at most 1024 gateways (MAX_ITEMS there). A failed read prints
 * "rados_grace_dump: ret=-2" (no newline) on stdout and exits 1: refused here as not a dump.
 *
 *   struct ceph_grace g;
 *   ceph_grace_parse("ganesha-rados-grace dump", out, len, &g, &diag);
 *   // 0: g filled; -EBADMSG: diag names the line and what is wrong with it */
#pragma once

#include "core/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CEPH_GRACE_MAX_NODES 1024
#define CEPH_GRACE_NODEID_MAX 255

struct ceph_grace_node {
	char *nodeid;     /* outside bytes: printable ASCII, no space, at most 255 */
	bool need;        /* N: it needs a grace period (it restarted and its clients may reclaim) */
	bool enforcing;   /* E: it refuses new state (opens, locks) until the grace is lifted */
};

struct ceph_grace {
	uint64_t cur;     /* the current epoch: new client records go there */
	uint64_t rec;     /* the epoch clients reclaim from; 0: no grace period in force */
	struct ceph_grace_node *nodes;
	size_t n_nodes;
};

int ceph_grace_parse(const char *source, const char *data, size_t len, struct ceph_grace *g,
		     struct diag *diag);
void ceph_grace_free(struct ceph_grace *g);
/* The node named nodeid, or NULL. */
const struct ceph_grace_node *ceph_grace_find(const struct ceph_grace *g, const char *nodeid);
/* The number of nodes with need set. */
size_t ceph_grace_needing(const struct ceph_grace *g);
