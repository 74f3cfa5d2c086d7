/* SPDX-License-Identifier: MIT */
/* The judge of meshnfs watch: facts in, diagnosis, transition record and action out. Pure: no
 * clock, no I/O (now is an argument), so every rule is a unit test. */
#include "watch/watch.h"
#include "watch/watch_private.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

static const char *const diag_names[WATCH_N_DIAG] = {
	[WATCH_UNKNOWN] = "unknown",         [WATCH_HEALTHY] = "healthy",
	[WATCH_HUNG] = "hung",               [WATCH_STALE] = "stale",
	[WATCH_LOST] = "lost",               [WATCH_DETACHED] = "detached",
	[WATCH_SERVER_DOWN] = "server_down", [WATCH_MOUNT_ERROR] = "mount_error",
	[WATCH_DEGRADED] = "degraded",
};

const char *watch_diag_name(enum watch_diag d)
{
	return ENUM_NAME(diag_names, d, "?");
}

const char *watch_action_name(enum watch_action a)
{
	static const char *const names[] = {
		[WATCH_NONE] = "none",         [WATCH_REPAIR] = "repair",
		[WATCH_DETACH] = "detach",     [WATCH_REATTACH] = "reattach",
		[WATCH_FAILOVER] = "failover",
	};
	return ENUM_NAME(names, a, "?");
}

/* The MESHNFS_CHECK= id of each diagnosis; the others (unknown, healthy) mount.responsive. */
const char *watch_diag_check(enum watch_diag d)
{
	static const char *const checks[WATCH_N_DIAG] = {
		[WATCH_HUNG] = "mount.responsive",   [WATCH_STALE] = "mount.stale",
		[WATCH_LOST] = "mount.present",      [WATCH_DETACHED] = "watch.detach",
		[WATCH_SERVER_DOWN] = "nfs.rpc",     [WATCH_MOUNT_ERROR] = "mount.responsive",
		[WATCH_DEGRADED] = "nfs.write",
	};
	return ENUM_NAME(checks, d, "mount.responsive");
}

void watch_event_free(struct watch_event *e)
{
	free(e->message);
	free(e->cause);
	free(e->fix);
	*e = (struct watch_event){ 0 };
}

static bool server_answers(enum probe_diagnosis s)
{
	return s == PROBE_OK || s == PROBE_GRACE || s == PROBE_READ_ONLY ||
	       s == PROBE_PERMISSION_DENIED || s == PROBE_WRITE_FAILED;
}

enum watch_diag watch_judge(const struct watch_facts *f)
{
	if (f->placeholder)
		return WATCH_DETACHED;
	if (!f->mounted)
		return WATCH_LOST;
	if (f->child_stuck)
		return WATCH_HUNG;
	if (!f->checked)
		return WATCH_UNKNOWN;
	switch (f->mount) {
	case MOUNT_HEALTH_OK:
		if (server_answers(f->server) || f->server == PROBE_PENDING)
			return WATCH_HEALTHY;
		/* Small requests pass (the mount answers, so does the probe up to the export),
		 * large ones vanish: the server is there, the path below the mesh is not right. */
		return f->server == PROBE_MTU_BLACKHOLE ? WATCH_DEGRADED : WATCH_SERVER_DOWN;
	case MOUNT_HEALTH_HUNG:
		return WATCH_HUNG;
	case MOUNT_HEALTH_STALE:
		return WATCH_STALE;
	case MOUNT_HEALTH_NOT_MOUNTED:
		return WATCH_LOST;
	default:
		return WATCH_MOUNT_ERROR;
	}
}

/* Why, from the server's side: the probe's own words when there are some. */
static char *cause_text(const struct watch_facts *f, enum watch_diag d)
{
	if (d == WATCH_HEALTHY)
		return NULL;
	if (f->server == PROBE_OK || f->server == PROBE_GRACE) {
		switch (d) {
		case WATCH_HUNG:
			return xstrdup("the server answers the probe, yet the mount does not: the "
				       "client's session is stuck");
		case WATCH_STALE:
			return xstrdup("the server answers but no longer knows the mount's file "
				       "handles (the export was recreated or moved)");
		case WATCH_LOST:
			return xstrdup("the server answers; the mount is gone on this node (unmounted, "
				       "or never mounted since boot)");
		case WATCH_DETACHED:
			return xstrdup("the server answers again");
		default:
			return NULL;
		}
	}
	if (f->server == PROBE_PENDING)
		return xstrdup("the server probe did not finish");
	if (f->server_words) {
		/* The probe's sentence, without its full stop: more follows it in the log. */
		char *w = xstrdup(f->server_words);
		size_t n = strlen(w);
		while (n && (w[n - 1] == '.' || w[n - 1] == ' '))
			w[--n] = '\0';
		return w;
	}
	return xasprintf("the server probe says %s", probe_diagnosis_name(f->server));
}

static char *fix_text(const struct watch_facts *f, enum watch_diag d)
{
	bool up = f->server == PROBE_OK || f->server == PROBE_GRACE;

	switch (d) {
	case WATCH_HEALTHY:
	case WATCH_UNKNOWN:
		return NULL;
	case WATCH_STALE:
	case WATCH_LOST:
		if (up)
			return xstrdup("watch repairs it (meshnfs repair), rate-limited");
		return xasprintf("watch repairs it once the server answers%s%s",
				 f->server_fix ? "; meanwhile: " : "",
				 f->server_fix ? f->server_fix : "");
	case WATCH_DETACHED:
		return xstrdup(up ? "watch mounts it again now"
			       : f->alt_up ? "watch mounts it again from the gateway that answers"
					   : "watch mounts it again when the server answers");
	case WATCH_HUNG:
		if (up)
			return xstrdup("meshnfs repair (umount -l and mount again)");
		/* fall through */
	default:
		if (f->alt_up && f->server != PROBE_MTU_BLACKHOLE)
			return xasprintf("watch moves the client to %s, a gateway of the share that "
					 "answers (meshnfs repair)", f->alt ? f->alt : "another gateway");
		if (f->server_fix)
			return xstrdup(f->server_fix);
		return xstrdup("meshnfs doctor");
	}
}

static const char *mount_words(enum watch_diag d)
{
	switch (d) {
	case WATCH_HEALTHY: return "answers";
	case WATCH_HUNG: return "does not answer (hung)";
	case WATCH_STALE: return "answers with stale file handles (ESTALE)";
	case WATCH_LOST: return "is not mounted (lost)";
	case WATCH_DETACHED: return "is detached: a read-only placeholder stands there";
	case WATCH_SERVER_DOWN: return "answers from the client's cache, the server does not";
	case WATCH_MOUNT_ERROR: return "answers with an error";
	case WATCH_DEGRADED:
		return "answers, but the server's path loses large packets (degraded, not down)";
	default: return "is in an unknown state";
	}
}

bool watch_transition(struct watch_mem *m, const struct watch_facts *f, const char *mountpoint,
		      const char *server, int64_t now, struct watch_event *ev)
{
	enum watch_diag d = watch_judge(f);
	/* The cause is part of the state only where it explains the diagnosis. */
	enum probe_diagnosis cause = d == WATCH_HEALTHY ? PROBE_OK : f->server;
	struct buf b = { 0 };

	if (d == WATCH_UNKNOWN)
		return false;
	if (d == m->diag && cause == m->server)
		return false;
	*ev = (struct watch_event){ .transition = true, .from = m->diag, .to = d, .server = cause,
				    .check = watch_diag_check(d) };
	switch (d) {
	case WATCH_HEALTHY: ev->priority = LOG_NOTICE; break;
	case WATCH_DETACHED:
	case WATCH_DEGRADED:
	case WATCH_SERVER_DOWN: ev->priority = LOG_WARNING; break;
	default: ev->priority = LOG_ERR; break;
	}
	buf_printf(&b, "%s -> %s: %s %s", watch_diag_name(m->diag), watch_diag_name(d),
		   mountpoint, mount_words(d));
	if (d == WATCH_HUNG && f->child_stuck)
		buf_printf(&b, " (the check of an earlier round is still stuck)");
	else if (d == WATCH_HUNG)
		buf_printf(&b, " (%s did not return within the %d ms deadline)",
			   mount_step_name(f->step), f->timeout_ms);
	else if (d == WATCH_STALE || d == WATCH_MOUNT_ERROR)
		buf_printf(&b, " (%s failed: %s)", mount_step_name(f->step),
			   strerror(f->err ? f->err : EIO));
	if ((d == WATCH_HUNG || d == WATCH_SERVER_DOWN) && f->blocked)
		buf_printf(&b, "; %u process%s blocked on it", f->blocked, f->blocked == 1 ? "" : "es");
	buf_printf(&b, "; server %s: %s", server,
		   cause == PROBE_PENDING ? "not probed" : probe_diagnosis_name(cause));
	ev->message = b.data;
	ev->cause = cause_text(f, d);
	ev->fix = fix_text(f, d);
	if (d != m->diag)
		m->since = now;
	m->diag = d;
	m->server = cause;
	m->cause_since = now;
	return true;
}

int64_t watch_repair_gap(const struct watch_mem *m, const struct watch_policy *p)
{
	unsigned k = m->repair_failures > 4 ? 4 : m->repair_failures;
	return p->repair_gap_ms << k;
}

enum watch_action watch_decide(const struct watch_mem *m, const struct watch_facts *f,
			       const struct watch_policy *p, int64_t now)
{
	bool up = f->server == PROBE_OK || f->server == PROBE_GRACE;
	bool may_repair = !m->last_repair || now - m->last_repair >= watch_repair_gap(m, p);

	/* An MTU black hole is a degraded path, not a server that is down: nothing a new mount,
	 * another gateway or a detach would fix. */
	if (f->server == PROBE_MTU_BLACKHOLE)
		return WATCH_NONE;
	/* The gateway in use is hung or gone and another one of the share answers: the repair
	 * moves the client there (re-points fstab, mounts again), whatever state the mount is
	 * in; back only when asked (the repair keeps a gateway in use that answers). */
	if (!up && f->alt_up && f->server != PROBE_PENDING) {
		switch (m->diag) {
		case WATCH_HUNG:
		case WATCH_STALE:
		case WATCH_LOST:
		case WATCH_SERVER_DOWN:
		case WATCH_MOUNT_ERROR:
			return may_repair ? WATCH_FAILOVER : WATCH_NONE;
		case WATCH_DETACHED:
			return !m->repair_failures || may_repair ? WATCH_REATTACH : WATCH_NONE;
		default:
			return WATCH_NONE;
		}
	}
	switch (m->diag) {
	case WATCH_DETACHED:
		/* Attach again as soon as the server answers; a failed attempt waits its gap. */
		return up && (!m->repair_failures || may_repair) ? WATCH_REATTACH : WATCH_NONE;
	case WATCH_STALE:
	case WATCH_LOST:
		/* A new mount of a server that does not answer would hang too. */
		return up && may_repair ? WATCH_REPAIR : WATCH_NONE;
	case WATCH_HUNG:
		if (p->detach_after_ms > 0 && now - m->since >= p->detach_after_ms && !up)
			return WATCH_DETACH;
		/* The server answers but the mount stays hung for a whole gap (a client whose
		 * server came back recovers by itself, given a moment): the session is stuck. */
		return up && may_repair && now - m->cause_since >= p->repair_gap_ms ? WATCH_REPAIR
										: WATCH_NONE;
	case WATCH_MOUNT_ERROR:
		return up && f->mount == MOUNT_HEALTH_IO_ERROR && may_repair ? WATCH_REPAIR
									     : WATCH_NONE;
	default:
		return WATCH_NONE;
	}
}

void watch_action_done(struct watch_mem *m, enum watch_action a, int r, int64_t now)
{
	if (a == WATCH_REPAIR || a == WATCH_REATTACH || a == WATCH_FAILOVER) {
		m->last_repair = now;
		m->repair_failures = r < 0 ? m->repair_failures + 1 : 0;
	}
}
