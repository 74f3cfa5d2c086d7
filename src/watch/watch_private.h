/* SPDX-License-Identifier: MIT */
/* Inside the watch module only (its files and their unit tests);
 * other modules use watch/watch.h. */
#pragma once

#include "watch/watch.h"

void watch_event_free(struct watch_event *e);

/* ---- the judge (pure: facts in, transition and action out) ---- */
enum watch_diag watch_judge(const struct watch_facts *f);

/* When the diagnosis or the server's cause differs from what m remembers: fills ev (a
 * transition), updates m, returns true. Otherwise false and ev untouched. */
bool watch_transition(struct watch_mem *m, const struct watch_facts *f, const char *mountpoint,
		      const char *server, int64_t now, struct watch_event *ev);

/* What to do about diagnosis d now (m already updated by watch_transition). */
enum watch_action watch_decide(const struct watch_mem *m, const struct watch_facts *f,
			       const struct watch_policy *p, int64_t now);

/* The gap before the next repair may run, after m->repair_failures failures. */
int64_t watch_repair_gap(const struct watch_mem *m, const struct watch_policy *p);

/* Records an action's outcome (0 or a negative errno) in m. */
void watch_action_done(struct watch_mem *m, enum watch_action a, int r, int64_t now);
const char *watch_action_name(enum watch_action a);

/* The MESHNFS_CHECK= id of a diagnosis. */
const char *watch_diag_check(enum watch_diag d);

/* Processes blocked on the mount at mountpoint (of filesystem type fstype, "" when unknown):
 * in state D (or S in FUSE's request_wait_answer, where FUSE waits interruptibly first), in
 * this mount namespace, and either waiting in a function of that filesystem's client (rpc_
 * or nfs for NFS, fuse_ or request_wait_answer for FUSE) or holding their working directory
 * or a descriptor below the mount point (readlink of /proc/PID/cwd and fd/N: never touches
 * the mount). exclude: a pid not to count (watch's own stuck child), 0 for none. */
int watch_blocked_scan(const char *mountpoint, const char *fstype, pid_t exclude,
		       struct watch_blocked *out);

/* Pure: is wchan a wait of fstype's client? */
bool watch_wchan_matches(const char *wchan, const char *fstype);
void watch_target_free(struct watch_target *t);

/* The gateway in use for t: the host of the fstab entry for t->mountpoint (read under
 * fstab_path), else of source (the mount's), when it is one of t->gateways; else t->server.
 * Never touches the mount. */
const char *watch_gateway_in_use(const struct watch_target *t, const char *fstab_path,
				 const char *source);

/* watch_round.c's reattach (a round runs it when the server answers again while the
 * placeholder stands): the placeholder away, the repair hook, the placeholder back unless the
 * share is mounted now. 0 or a negative errno; *summary a new string. Here for its unit test. */
int watch_reattach(struct watch *w, char **summary);

/* After a repair (r its result) of a share with several gateways: w->gateway set to the one in
 * use now (fstab, then the mount's source); when that is no longer from and the repair did not
 * fail, the move is counted (metrics.failovers), logged (a watch.failover event) and true
 * returned: the round then logs nothing else for that repair. Otherwise false. */
bool watch_moved(struct watch *w, const char *from, const struct watch_facts *f,
		 const char *summary, int r);
