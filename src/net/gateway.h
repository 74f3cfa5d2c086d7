/* SPDX-License-Identifier: MIT */
/* Several gateways for one share (NFS servers exporting the same data, e.g. NFS-Ganesha in
 * front of CephFS): each one probed (gather), then which one a client should use (judge:
 * pure, from the probes' diagnoses). Doctor, status and repair share both. */
#pragma once

#include "format/cidr.h"
#include "net/probe.h"

#include <stdbool.h>
#include <stddef.h>

/* What is known of one gateway. */
struct gateway_fact {
	const char *host;              /* as configured */
	bool probed;                   /* diagnosis is filled */
	enum probe_diagnosis diagnosis;
};

/* A gateway that answers up to the export: a client can mount from it (the grace period
 * passes by itself). */
bool gateway_healthy(const struct gateway_fact *g);

enum gateway_action {
	GATEWAY_STAY, /* keep (or mount again from) the current gateway */
	GATEWAY_MOVE, /* re-point the client to gateways[use] */
	GATEWAY_NONE, /* no gateway to use: none answers, or the one asked for does not */
};

struct gateway_choice {
	enum gateway_action action;
	int use;          /* the gateway to use, or -1 (GATEWAY_NONE) */
	int n_healthy;
	char reason[512]; /* one sentence */
};

/* Which gateway of g[0..n) a client should use. current: the one its fstab entry (or mount)
 * names, -1 when none of them; asked: the one the user asked for (repair --gateway), -1 for
 * none. Rules: the gateway asked for when it is healthy (else none: never another one behind
 * the user's back); the current one while it is healthy (a client moved away is moved back
 * only when asked); else the first healthy one in the configured order. Pure. */
void gateway_choose(const struct gateway_fact *g, size_t n, int current, int asked,
		    struct gateway_choice *out);

/* The index of host in hosts[0..n) (case-insensitive), or -1. */
int gateway_index(const char *const *hosts, size_t n, const char *host);

/* The gateway a client uses: the host of its fstab entry's source ("HOST:/PATH"), else of
 * its mount's source (NULL when none), as an index into hosts[0..n); -1 when it names none of
 * them. Repair and watch share it. Pure. */
int gateway_in_use(const char *const *hosts, size_t n, const char *fstab_source,
		   const char *mount_source);

/* Gather: probes every host at once (route, TCP, NFSv4 NULL, the export; the write test
 * unless no_write), each step bounded by step_ms, names resolved within step_ms. probes[i] is
 * hosts[i]'s (free each with probe_free). Returns 0, or a negative errno when poll failed. */
int gateway_probe_all(const char *const *hosts, size_t n, const char *export_path,
		      const struct cidr *mesh, int step_ms, bool no_write, struct probe *probes);
