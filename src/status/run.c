/* SPDX-License-Identifier: MIT */
/* Probing every target of `meshnfs status` in one poll loop. */
#include "status/status.h"

#include <stddef.h>
#include <sys/resource.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static void arm(const struct status *st, struct status_target *t, bool full, int connect_ms,
		int step_ms, int total_ms)
{
	const struct config *c = st->o.cfg;
	char host[16];

	ipv4_format(t->addr, host, sizeof(host));
	probe_init(&t->p, &(struct probe_opts){ .host = host, .addr = t->addr,
						 .export_path = full ? c->export_path : NULL,
						 .mesh = c->mesh, .connect_ms = connect_ms,
						 .step_ms = step_ms,
						 .total_ms = total_ms, .no_write = st->o.no_write });
	t->full = full;
}

/* A short probe that found an NFS server goes on with the whole ladder, in the time left. */
static bool on_done(struct probe *p, void *userdata)
{
	struct status *st = userdata;
	struct status_target *t = container_of(p, struct status_target, p);
	int64_t left = st->deadline - now_ms();

	if (t->full || p->diagnosis != PROBE_OK)
		return false;
	if (left < 100) {
		t->no_time_left = true;
		return false;
	}
	t->tcp_ms = p->steps[PROBE_TCP].ms;
	probe_free(p);
	int step = left < st->o.timeout_ms ? (int)left : st->o.timeout_ms;
	arm(st, t, true, step, step, (int)left);
	return true;
}

static void on_progress(size_t finished, size_t running, size_t n, void *userdata)
{
	struct status *st = userdata;

	(void)running;
	st->o.progress(finished, n, st->deadline - now_ms(), st->o.userdata);
}

/* At most want descriptors for probes: the soft limit raised toward the hard one if needed,
 * some kept for everything else. */
static size_t fd_budget(size_t want)
{
	struct rlimit rl;
	const rlim_t reserve = 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want < 64 ? want : 64;
	if (rl.rlim_cur < want + reserve && rl.rlim_cur < rl.rlim_max) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = want + reserve < rl.rlim_max ? want + reserve : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = cur;
	}
	if (rl.rlim_cur <= reserve)
		return 1;
	return want < rl.rlim_cur - reserve ? want : (size_t)(rl.rlim_cur - reserve);
}

int status_run(struct status *st)
{
	int T = st->o.timeout_ms > 0 ? st->o.timeout_ms : 5000;
	size_t cap = st->o.max_active ? st->o.max_active : STATUS_MAX_ACTIVE, n = st->n_targets;
	_cleanup_free_ struct probe **order = xcalloc(n + 1, sizeof(*order));
	size_t k = 0;
	int r;

	st->o.timeout_ms = T;
	cap = fd_budget(cap < n ? cap : n ? n : 1);
	/* A short probe's TCP connect gets the whole timeout when every target has a slot at
	 * once; else a share such that waves of silent nodes still fit in the run (at least
	 * STATUS_MIN_STEP_MS: the ones that do not fit are reported as not probed). A node that
	 * answered holds its slot no longer than it needs; its NULL call may take the rest of the
	 * run (a busy server is not a silent one). */
	st->discovery_ms = T;
	if (n > cap) {
		int64_t share = (int64_t)T * (int64_t)cap / (int64_t)n;
		int floor_ms = T < STATUS_MIN_STEP_MS ? T : STATUS_MIN_STEP_MS;
		st->discovery_ms = share > floor_ms ? (int)share : floor_ms;
	}
	/* The configured server first, with the whole ladder. */
	for (size_t i = 0; i < n; i++) {
		struct status_target *t = &st->targets[i];
		if (t->expected_server) {
			arm(st, t, true, T, T, T);
			order[k++] = &t->p;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct status_target *t = &st->targets[i];
		if (!t->expected_server) {
			arm(st, t, false, st->discovery_ms, T, T);
			order[k++] = &t->p;
		}
	}
	struct probe_loop_hooks h = {
		.done = on_done,
		.progress = st->o.progress ? on_progress : NULL,
		.userdata = st,
	};
	/* A little grace after one timeout, so that probes of the first wave end by their own
	 * deadlines (their diagnosis), and only later ones are cut by the run's. */
	st->t0 = now_ms();
	st->deadline = st->t0 + T + STATUS_GRACE_MS;
	r = probe_loop_hooked(order, n, cap, st->deadline, &h);
	st->ms = now_ms() - st->t0;
	return r;
}
