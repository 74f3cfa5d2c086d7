/* SPDX-License-Identifier: MIT */
/* doctor: every check of the guide's Verification and Troubleshooting sections, and what
 * they miss, for this node. The public API is one call:
 *
 *   struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
 *   struct report r;
 *   report_init(&r, "doctor");
 *   doctor_run(&d, &r);        // gather facts, judge them, render the extras
 *   ... print r (cmd_finish) ...
 *   report_free(&r);
 *
 * The caller owns cfg, node and r; doctor_run keeps no pointer to them after it returns.
 * Inside (doctor_facts.h): gatherers collect typed facts concurrently, each with its deadline;
 * pure judges turn facts into checks; render.c writes the facts a --json reader wants into
 * r->extra ("probe", "mount", "tailscale"). */
#pragma once

#include "config/config.h"
#include "node/node.h"
#include "report/report.h"

struct doctor {
	const struct config *cfg;
	const struct node_info *node;
	int timeout_ms; /* per blocking step */
	int verbose;
};

/* Appends every check, in the areas' order (not the order the facts arrived in), to out
 * (initialised by the caller). Blocks at most about one timeout per independent step. */
void doctor_run(const struct doctor *d, struct report *out);

/* Whether check id is about a share (the server or gateways, the mount, the fstab entry)
 * rather than about this node: what doctor reports for each share of several. */
bool doctor_check_per_share(const char *id);

/* What follows from this node's facts, one sentence each (meshnfs env's "What follows"):
 * *out gets a new array of new strings (free each, then the array); returns their number.
 * Pure: node_info in, words out. */
size_t doctor_node_follows(const struct node_info *n, char ***out);
