/* SPDX-License-Identifier: MIT */
/* One poll loop for any number of probes, with a bound on how many run at once (each holds
 * at most one descriptor), new ones started in small bursts (PROBE_LOOP_BURST), an optional
 * deadline for the whole run, and optionally an earlier end for addresses that are silent
 * while others answer (net/silence.h). */
#include "net/probe.h"

#include "net/net.h"
#include "net/silence.h"
#include "net/net_private.h"

#include <errno.h>

struct loop {
	const struct probe_loop_hooks *h;
	struct silence silence;
	bool early;
};

int64_t probe_loop_pacing_ms(size_t n, int64_t within_ms)
{
	int64_t base = (int64_t)((n + PROBE_LOOP_BURST - 1) / PROBE_LOOP_BURST - (n > 0)) *
		       PROBE_LOOP_BURST_GAP_MS;

	return within_ms > 0 && base > within_ms ? within_ms : base;
}

/* How many new probes a burst may start: PROBE_LOOP_BURST (net_private.h), or more when n of
 * them would otherwise not all start within within_ms (0: no bound). */
static size_t burst_size(size_t n, int64_t within_ms)
{
	size_t need = within_ms > 0 ? (size_t)(((int64_t)n * PROBE_LOOP_BURST_GAP_MS + within_ms - 1) /
					      within_ms)
				    : 0;

	return need > PROBE_LOOP_BURST ? need : PROBE_LOOP_BURST;
}

/* p's TCP step ended with an answer from the address (accepted or refused): what its round
 * trip says about silence (once per step). */
static void learn(struct loop *l, struct probe *p)
{
	const struct probe_step *t = &p->steps[PROBE_TCP];

	if (p->learnt || probe_connecting(p) || t->ms < 0)
		return;
	p->learnt = true;
	/* An answer to a resent SYN (ours, or the kernel's after 1 s): the time since that one. */
	bool resent = p->resent || t->ms >= SILENCE_SYN_RESEND_MS;
	int64_t ms = p->resent && t->ms >= p->resent_ms ? t->ms - p->resent_ms : t->ms;
	int64_t rtt = t->status == STEP_OK && p->rtt_us > 0 ? (p->rtt_us + 999) / 1000 : -1;
	if (t->status != STEP_OK && p->diagnosis != PROBE_REFUSED)
		return;
	if (resent)
		silence_answer_resent(&l->silence, ms, rtt);
	else
		silence_answer(&l->silence, ms, rtt);
}

/* After p was started or advanced: while it is done, offers it to the done hook, which may
 * re-arm it (then it starts again at once, in the same slot). Returns true while p runs. */
static bool settle(struct loop *l, struct probe *p)
{
	const struct probe_loop_hooks *h = l->h;

	while (probe_done(p)) {
		if (!h || !h->done || !h->done(p, h->userdata)) {
			probe_let_go(p);
			return false;
		}
		probe_start(p, now_ms());
		learn(l, p);
	}
	return true;
}

/* When a connecting probe next acts on silence: resends its SYN (not resent yet), or is given
 * up (resent); INT64_MAX when nothing says (no answer seen yet), when it is not connecting,
 * or when its own bound comes first. */
static int64_t silent_at(const struct loop *l, const struct probe *p)
{
	int64_t resend = l->early ? silence_resend_after(&l->silence) : -1;
	int64_t give_up = l->early ? silence_after(&l->silence) : -1;

	if (p->patient || !probe_connecting(p) || resend < 0 || resend >= p->step_ms)
		return INT64_MAX;
	if (!p->resent)
		return p->t_step + resend;
	return give_up < 0 || give_up >= p->step_ms ? INT64_MAX : p->t_step + give_up;
}

/* SYNs sent to p's address so far: its first, ours, and the kernel's on the current socket. */
static int syns_sent(const struct probe *p, int64_t now)
{
	int64_t since = now - p->t_step - (p->resent ? p->resent_ms : 0);

	return (p->resent ? 1 : 0) + silence_syns(since);
}

static void on_silence(const struct loop *l, struct probe *p, int64_t now)
{
	char why[200];

	if (!p->resent) {
		probe_resend(p, now);
		return;
	}
	snprintf(why, sizeof(why),
		 "the SYN and the one resent after %" PRId64 " ms unanswered, while %zu addresses "
		 "answered within %" PRId64 " ms",
		 p->resent_ms, l->silence.answers, l->silence.rtt_ms);
	probe_give_up(p, now, why);
}

static void untellable(const struct loop *l, struct probe *p, int64_t now)
{
	char why[200];

	snprintf(why, sizeof(why),
		 "silence tells nothing on this path: %zu of %zu answers came only after a SYN was "
		 "sent again, the slowest in %" PRId64 " ms",
		 l->silence.resent, l->silence.answers, l->silence.rtt_ms);
	probe_abort(p, now, why);
}

/* Starts p; true when it runs (false: it finished at once and was not re-armed). */
static bool launch(struct loop *l, struct probe *p)
{
	probe_start(p, now_ms());
	learn(l, p);
	return settle(l, p);
}

int probe_loop_hooked(struct probe *const *probes, size_t n, size_t max_active,
		      int64_t deadline, const struct probe_loop_hooks *h)
{
	struct loop l = { .h = h, .silence = { .margin_ms = h ? h->silence_margin_ms : 0 },
			  .early = h && h->silence_margin_ms > 0 };
	size_t next = 0, cap = max_active ? max_active : SIZE_MAX, alloc = 16;
	struct pollfd *pfd = xcalloc(alloc, sizeof(*pfd));
	struct probe **run = xcalloc(alloc, sizeof(*run));
	int *slot = xcalloc(alloc, sizeof(*slot));
	int64_t start = now_ms();
	int64_t within = h && h->start_within_ms > 0 ? h->start_within_ms
			 : deadline		   ? (deadline - start) / 4
						   : 0;
	size_t n_run = 0, burst = 0, per_burst = burst_size(n, within);
	bool progress = h && h->progress, more = h && h->next, queued = true;
	int64_t next_burst = 0;
	int r = 0;

	for (;;) {
		int64_t now = now_ms(), wake;
		size_t k = 0;

		if (deadline && now >= deadline) {
			for (size_t i = 0; i < n_run; i++)
				probe_abort(run[i], now, "the run's deadline");
			break;
		}
		/* Start queued probes while there is room: the list, then what the caller holds;
		 * a burst at a time. */
		if (now >= next_burst)
			burst = 0;
		queued = false;
		while (n_run < cap) {
			if (burst >= per_burst) {
				queued = true;
				if (now >= next_burst)
					next_burst = now + PROBE_LOOP_BURST_GAP_MS;
				break;
			}
			struct probe *p = next < n ? probes[next++] : more ? h->next(h->userdata) : NULL;
			if (!p)
				break;
			burst++;
			if (!launch(&l, p))
				continue;
			if (n_run == alloc) {
				alloc *= 2;
				pfd = xrealloc(pfd, alloc * sizeof(*pfd));
				run = xrealloc(run, alloc * sizeof(*run));
				slot = xrealloc(slot, alloc * sizeof(*slot));
			}
			run[n_run++] = p;
		}
		if (progress)
			h->progress(n_run, n, h->userdata);
		/* Nothing running or held back after the starts above means nothing is left. */
		if (n_run == 0 && !queued)
			break;

		/* NULL calls that waited for a turn (probe_gate), while there are turns. */
		for (size_t i = 0; i < n_run; i++) {
			struct probe *p = run[i];
			if (probe_rpc_waiting(p) && p->gate->active < p->gate->max)
				probe_rpc_resume(p, now_ms());
		}
		wake = deadline ? deadline : INT64_MAX;
		if (queued && next_burst < wake)
			wake = next_burst;
		for (size_t i = 0; i < n_run; i++) {
			short ev;
			int fd = probe_poll(run[i], &ev);
			int64_t d = probe_deadline(run[i]), s = silent_at(&l, run[i]);
			if (s < d)
				d = s;
			if (d < wake)
				wake = d;
			slot[i] = -1;
			if (fd >= 0 && ev) {
				pfd[k] = (struct pollfd){ .fd = fd, .events = ev };
				slot[i] = (int)k++;
			}
		}
		now = now_ms();
		int64_t wait = wake - now;
		if (wait < 0)
			wait = 0;
		/* Re-check now and then; a progress line wants a few updates a second. */
		if (wait > (progress ? 200 : 1000))
			wait = progress ? 200 : 1000;
		if (poll(pfd, k, (int)wait) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		now = now_ms();
		for (size_t i = 0; i < n_run; i++) {
			struct probe *p = run[i];
			short rev = slot[i] >= 0 ? pfd[slot[i]].revents : 0;
			/* A silent address at its own bound, on a path whose answers say silence
			 * proves nothing (lossy or slow): no verdict. */
			if (!rev && l.early && probe_connecting(p) && now >= probe_deadline(p) &&
			    silence_untellable(&l.silence, p->step_ms, syns_sent(p, now)))
				untellable(&l, p, now);
			if (rev || now >= probe_deadline(p))
				probe_advance(p, rev, now);
			learn(&l, p);
		}
		/* Silent addresses: SYN resent, or given up, judged after this turn's answers. */
		for (size_t i = 0; i < n_run; i++)
			if (now >= silent_at(&l, run[i]))
				on_silence(&l, run[i], now);
		/* Drop the finished ones (or restart those the done hook re-armed). */
		for (size_t i = 0; i < n_run;) {
			if (settle(&l, run[i]))
				i++;
			else
				run[i] = run[--n_run];
		}
	}
	free(pfd);
	free(run);
	free(slot);
	return r;
}

int probe_loop(struct probe *const *probes, size_t n, size_t max_active, int64_t deadline)
{
	return probe_loop_hooked(probes, n, max_active, deadline, NULL);
}

void probe_unresolved(struct probe *p, int64_t t0, const char *err)
{
	p->steps[PROBE_ROUTE] = (struct probe_step){ .status = STEP_FAIL, .ms = now_ms() - t0,
						     .detail = xstrdup(err) };
	p->diagnosis = PROBE_UNREACHABLE;
	p->state = PS_DONE;
	p->ms = p->steps[PROBE_ROUTE].ms;
}

int probe_run(struct probe *p, const struct probe_opts *o, int resolve_ms)
{
	struct probe_opts opts = *o;
	struct probe *pp = p;
	char err[300] = "";
	int64_t t0 = now_ms();
	int r = net_resolve(o->host, resolve_ms, &opts.addr, err, sizeof(err));

	probe_init(p, &opts);
	if (r < 0) {
		probe_unresolved(p, t0, err);
		return 0;
	}
	return probe_loop(&pp, 1, 1, 0);
}
