/* SPDX-License-Identifier: MIT */
/* doctor: every check of the guide's Verification and Troubleshooting sections, and what
 * they miss. Checks are grouped in areas (one file each: node.c, nfs.c, mount.c, ...) listed
 * in one table (areas.c). Phase-1 areas run concurrently, each in its own thread with its own
 * report, so independent network and filesystem waits overlap; phase-2 areas run afterwards
 * and may read what phase 1 found (doctor_find). Reports are merged in table order, so the
 * output does not depend on timing. */
#pragma once

#include "config/config.h"
#include "format/listeners.h"
#include "mesh/peer.h"
#include "node/node.h"
#include "report/report.h"

#include <time.h>

struct doctor {
	const struct config *cfg;
	const struct node_info *node;
	int timeout_ms; /* per blocking step */
	int verbose;
	/* Phase-1 results, for phase-2 areas (NULL during phase 1): read with doctor_find and
	 * doctor_find_extra, amended with doctor_amend. */
	struct report *const *phase1;
	size_t n_phase1;
};

struct doctor_area {
	const char *name;
	int phase; /* 1: independent, run concurrently; 2: after phase 1, may read its results */
	/* Appends checks to r. Must not print; may block at most about one timeout per
	 * independent step. */
	void (*run)(const struct doctor *d, struct report *r);
};

extern const struct doctor_area doctor_areas[];
extern const size_t doctor_n_areas;

/* Runs every area and merges their checks into out (initialised by the caller). */
void doctor_run(const struct doctor *d, struct report *out);
/* A phase-1 check by id, for phase-2 areas; NULL when absent. */
const struct check *doctor_find(const struct doctor *d, const char *id);
/* The same check for a phase-2 area to add words to (phase 1 has ended: no other thread
 * touches it). Its id and status are a contract: only summary, detail and fix may change. */
struct check *doctor_amend(const struct doctor *d, const char *id);
/* A phase-1 area's extra JSON member by key ("probe", "mount"); NULL when absent. */
const json_t *doctor_find_extra(const struct doctor *d, const char *key);

/* The areas. */
void doctor_node(const struct doctor *d, struct report *r);
void doctor_mount(const struct doctor *d, struct report *r);
/* mesh.address and nfs.*: the probe ladder against the configured server. */
void doctor_nfs(const struct doctor *d, struct report *r);
/* The checks for a finished probe (pure: unit tests feed it made-up probes). */
struct probe;
void doctor_nfs_checks(const struct doctor *d, const struct probe *p, struct report *r);
void doctor_wsl(const struct doctor *d, struct report *r);
void doctor_mesh(const struct doctor *d, struct report *r);
void doctor_wsl_ports(const struct doctor *d, struct report *r);
void doctor_wsl_nfs(const struct doctor *d, struct report *r);
/* Phase 2: the cause of a blocked NFS mount (from nfs.tcp, nfs.rpc) added to mount.responsive
 * or mount.write. Adds no check of its own. */
void doctor_mount_cause(const struct doctor *d, struct report *r);

/* A port both sides of a WSL2 machine listen on (wsl.ports). */
struct port_collision {
	uint16_t port;
	struct listener linux_side, windows_side;
};
/* The ports (each once) on which a non-loopback listener of the distro meets a non-loopback
 * listener of Windows; at most max. */
size_t wsl_port_collisions(const struct listeners *lin, const struct listeners *win,
			   struct port_collision *out, size_t max);

/* Pure judges behind the mesh area, exposed for tests and for `meshnfs status`. */
struct ts_status;
/* mesh.tailscale from a parsed status; who names it ("Windows host's Tailscale"), windows
 * says on which side the fixes apply, now is the time to compare key expiry with. */
void doctor_mesh_judge(const struct ts_status *st, const char *who, bool windows, time_t now,
		       struct report *r);
/* wsl.stale_identity over any node list (the Windows host's `tailscale status --json`; the
 * Headscale nodes of mesh_sources_load()): host is the Windows host's node (NULL when
 * unknown), names the distro's host names; the summary names l->source. */
void doctor_stale_identity(const struct mesh_nodes *l, const struct mesh_node *host,
			   const char *const *names, size_t n_names, struct report *r);
void doctor_client(const struct doctor *d, struct report *r);
void doctor_server(const struct doctor *d, struct report *r);

/* This node holds the configured server address (the client checks do not apply to it). */
bool doctor_is_server(const struct doctor *d);
/* n holds the mesh address a (host byte order). */
bool doctor_node_holds(const struct node_info *n, uint32_t a);
