/* SPDX-License-Identifier: MIT */
/* One poll loop for any number of probes, with a bound on how many run at once (each holds
 * at most one descriptor) and an optional deadline for the whole run. */
#include "net/probe.h"

#include "net/net.h"

#include <errno.h>

/* After p was started or advanced: while it is done, offers it to the done hook, which may
 * re-arm it (then it starts again at once, in the same slot). Returns true while p runs. */
static bool settle(struct probe *p, const struct probe_loop_hooks *h, size_t *finished)
{
	while (probe_done(p)) {
		if (!h || !h->done || !h->done(p, h->userdata)) {
			(*finished)++;
			return false;
		}
		probe_start(p, now_ms());
	}
	return true;
}

int probe_loop_hooked(struct probe *const *probes, size_t n, size_t max_active,
		      int64_t deadline, const struct probe_loop_hooks *h)
{
	size_t next = 0, finished = 0, cap = max_active && max_active < n ? max_active : n;
	_cleanup_free_ struct pollfd *pfd = xcalloc(cap + 1, sizeof(*pfd));
	_cleanup_free_ struct probe **run = xcalloc(cap + 1, sizeof(*run));
	_cleanup_free_ int *slot = xcalloc(cap + 1, sizeof(*slot));
	size_t n_run = 0;
	bool progress = h && h->progress;

	for (;;) {
		int64_t now = now_ms(), wake;
		size_t k = 0;

		if (deadline && now >= deadline) {
			for (size_t i = 0; i < n_run; i++)
				probe_abort(run[i], now, "the run's deadline");
			return 0;
		}
		/* Start queued probes while there is room. */
		while (n_run < cap && next < n) {
			struct probe *p = probes[next++];
			probe_start(p, now_ms());
			if (settle(p, h, &finished))
				run[n_run++] = p;
		}
		if (progress)
			h->progress(finished, n_run, n, h->userdata);
		/* Queued probes start above until the slots are full: none running means none left. */
		if (n_run == 0)
			return 0;

		wake = deadline ? deadline : INT64_MAX;
		for (size_t i = 0; i < n_run; i++) {
			short ev;
			int fd = probe_poll(run[i], &ev);
			int64_t d = probe_deadline(run[i]);
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
		if (poll(pfd, k, (int)wait) < 0 && errno != EINTR)
			return -errno;
		now = now_ms();
		for (size_t i = 0; i < n_run; i++) {
			short rev = slot[i] >= 0 ? pfd[slot[i]].revents : 0;
			if (rev || now >= probe_deadline(run[i]))
				probe_advance(run[i], rev, now);
		}
		/* Drop the finished ones (or restart those the done hook re-armed). */
		for (size_t i = 0; i < n_run;) {
			if (settle(run[i], h, &finished))
				i++;
			else
				run[i] = run[--n_run];
		}
	}
}

int probe_loop(struct probe *const *probes, size_t n, size_t max_active, int64_t deadline)
{
	return probe_loop_hooked(probes, n, max_active, deadline, NULL);
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
		/* An unknown name is the route step failing: there is nowhere to go. */
		p->steps[PROBE_ROUTE] = (struct probe_step){ .status = STEP_FAIL,
							     .ms = now_ms() - t0,
							     .detail = xstrdup(err) };
		p->diagnosis = PROBE_UNREACHABLE;
		p->state = PS_DONE;
		p->ms = p->steps[PROBE_ROUTE].ms;
		return 0;
	}
	return probe_loop(&pp, 1, 1, 0);
}
