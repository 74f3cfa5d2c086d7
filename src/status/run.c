/* SPDX-License-Identifier: MIT */
/* Probing every target of `meshnfs status` in one poll loop: every address's short probe at
 * once (one descriptor each), the whole ladders of the NFS servers found a bounded number at a
 * time, silent addresses given up once the network has said enough (net/silence.h). */
#include "status/status.h"

#include "mesh/tailscale.h"
#include "net/silence.h"

#include <stddef.h>
#include <sys/resource.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Each step gets the whole --timeout; the probe as a whole what is left of the run, whose end
 * is then a cut, never a verdict (probe.h). */
static void arm(struct status *st, struct status_target *t, bool full, int total_ms)
{
	const struct config *c = st->o.cfg;
	char host[NETADDR_STRLEN];

	netaddr_format(&t->addr, host, sizeof(host));
	probe_init(&t->p, &(struct probe_opts){ .host = host, .addr = t->addr,
						 .export_path = !full	      ? NULL
								: t->export_path ? t->export_path
										 : c->export_path,
						 .mesh = c->mesh, .mesh6 = c->mesh6, .step_ms = st->o.timeout_ms,
						 .total_ms = total_ms, .no_write = st->o.no_write,
						 .gate = &st->gate, .patient = t->online });
	t->full = full;
	if (full)
		st->ladders++;
}

/* The run ended (or is about to) before t's whole ladder: an NFS server, no verdict. */
static void no_time(struct status_target *t)
{
	struct probe_step *s = &t->p.steps[PROBE_EXPORT];

	t->no_time_left = true;
	t->waiting = false;
	t->p.diagnosis = PROBE_CUT;
	t->p.cut = true;
	s->status = STEP_WARN;
	free(s->detail);
	s->detail = xstrdup("not started: the NFSv4 NULL call was answered, but the run's deadline "
			    "came before this address's turn for the whole ladder (no verdict)");
}

/* t's short probe goes on with the whole ladder in the time left (probe_extend: on the
 * connection's results so far, from the export step); false when too little is left. */
static bool ladder(struct status *st, struct status_target *t)
{
	int64_t left = st->deadline - now_ms();

	if (left < 100) {
		no_time(t);
		return false;
	}
	t->waiting = false;
	t->full = true;
	st->ladders++;
	probe_extend(&t->p, t->export_path ? t->export_path : st->o.cfg->export_path, (int)left);
	return true;
}

/* A short probe that found an NFS server goes on with the whole ladder when a turn is free,
 * else waits for one; a whole ladder that ended frees its turn. */
static bool on_done(struct probe *p, void *userdata)
{
	struct status *st = userdata;
	struct status_target *t = container_of(p, struct status_target, p);

	if (t->full) {
		st->ladders--;
		st->finished++;
		return false;
	}
	if (p->diagnosis != PROBE_OK) {
		st->finished++;
		return false;
	}
	t->tcp_ms = p->steps[PROBE_TCP].ms;
	if (st->ladders < st->o.max_ladders) {
		if (ladder(st, t))
			return true;
		st->finished++;
		return false;
	}
	t->waiting = true;
	st->queue[st->q_tail++] = (size_t)(t - st->targets);
	return false;
}

/* The next waiting ladder, when a turn is free. */
static struct probe *on_next(void *userdata)
{
	struct status *st = userdata;

	while (st->ladders < st->o.max_ladders && st->q_head < st->q_tail) {
		struct status_target *t = &st->targets[st->queue[st->q_head++]];
		if (ladder(st, t))
			return &t->p;
		st->finished++;
	}
	return NULL;
}

static void on_progress(size_t running, size_t n, void *userdata)
{
	struct status *st = userdata;

	(void)running;
	st->o.progress(st->finished, n, st->deadline - now_ms(), st->o.userdata);
}

/* Descriptors for probes: the soft limit raised to the hard one (every address's SYN at once
 * wants two: its socket and the ICMP echo sent with it), some kept for everything else; at
 * most want probes. */
static size_t fd_budget(size_t want)
{
	struct rlimit rl;
	const rlim_t reserve = 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want < 64 ? want : 64;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = cur;
	}
	if (rl.rlim_cur <= reserve)
		return 1;
	rlim_t probes = (rl.rlim_cur - reserve) / 2;
	return probes == 0 ? 1 : want < probes ? want : (size_t)probes;
}

int status_run(struct status *st)
{
	int T = st->o.timeout_ms > 0 ? st->o.timeout_ms : 5000;
	size_t n = st->n_targets, cap = n ? n : 1;
	_cleanup_free_ struct probe **order = xcalloc(n + 1, sizeof(*order));
	size_t k = 0;
	int r;

	st->o.timeout_ms = T;
	if (!st->o.max_ladders)
		st->o.max_ladders = STATUS_MAX_LADDERS;
	if (st->o.max_active && st->o.max_active < cap)
		cap = st->o.max_active;
	cap = fd_budget(cap);
	free(st->queue);
	st->queue = xcalloc(n + 1, sizeof(*st->queue));
	st->q_head = st->q_tail = st->ladders = st->finished = 0;
	st->gate = (struct probe_gate){ .max = STATUS_MAX_CONVERSATIONS };
	/* A little grace after one timeout, so that the steps of the short probes end by their
	 * own bounds (a verdict), and only later ones are cut by the run's; the probes are
	 * started in bursts (net/probe.h), so the last one's step ends up to `pace` later
	 * (stress run 11 of 2026-12-07: without it, silent addresses started after the grace
	 * were cut by the run's deadline instead of judged at their own bound). */
	int64_t pace = probe_loop_pacing_ms(n, T / 4);
	st->t0 = now_ms();
	st->deadline = st->t0 + T + STATUS_GRACE_MS + pace;
	/* The configured server first, with the whole ladder; then every other address's short
	 * probe (route, TCP connect, NULL call), started in bursts by the loop. */
	for (size_t i = 0; i < n; i++) {
		struct status_target *t = &st->targets[i];
		if (t->expected_server) {
			arm(st, t, true, T + STATUS_GRACE_MS);
			order[k++] = &t->p;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct status_target *t = &st->targets[i];
		if (!t->expected_server) {
			arm(st, t, false, T + STATUS_GRACE_MS);
			order[k++] = &t->p;
		}
	}
	struct probe_loop_hooks h = {
		.done = on_done,
		.next = on_next,
		.progress = st->o.progress ? on_progress : NULL,
		.userdata = st,
		.silence_margin_ms = SILENCE_MARGIN_MS,
		.start_within_ms = pace,
	};
	r = probe_loop_hooked(order, n, cap, st->deadline, &h);
	/* Ladders still waiting for a turn: NFS servers without a verdict. */
	while (st->q_head < st->q_tail)
		no_time(&st->targets[st->queue[st->q_head++]]);
	st->ms = now_ms() - st->t0;
	return r;
}

int status_paths(struct status *st)
{
	struct ts_status ts;
	struct ts_run run;
	struct ts_cli cli;
	struct diag d = { 0 };
	int r = ts_cli_find(st->nodes->wsl2, &cli);

	if (r < 0)
		return r;
	r = ts_status_run(&cli, st->o.timeout_ms, &ts, &run, &d);
	ts_run_free(&run);
	ts_cli_free(&cli);
	if (r < 0)
		return r;
	for (size_t i = 0; i < st->n_rows; i++) {
		struct status_row *row = &st->rows[i];
		const struct ts_node *peer = NULL;
		for (size_t k = 0; !row->self && !peer && k < row->node->n_ips; k++)
			peer = ts_status_peer(&ts, row->node->ips[k], NULL);
		if (!peer)
			continue;
		mesh_path_free(&row->path);
		mesh_path_copy(&row->path, &peer->n.path);
	}
	ts_status_free(&ts);
	return 0;
}
