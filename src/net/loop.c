/* SPDX-License-Identifier: MIT */
/* One poll loop for any number of probes, with a bound on how many run at once (each holds
 * at most one descriptor) and an optional deadline for the whole run. */
#include "net/probe.h"

#include "net/net.h"

#include <errno.h>

int probe_loop(struct probe *const *probes, size_t n, size_t max_active, int64_t deadline)
{
	size_t next = 0, cap = max_active && max_active < n ? max_active : n;
	_cleanup_free_ struct pollfd *pfd = xcalloc(cap + 1, sizeof(*pfd));
	_cleanup_free_ struct probe **run = xcalloc(cap + 1, sizeof(*run));
	_cleanup_free_ int *slot = xcalloc(cap + 1, sizeof(*slot));
	size_t n_run = 0;

	for (;;) {
		int64_t now = now_ms(), wake;
		size_t k = 0;

		if (deadline && now >= deadline) {
			for (size_t i = 0; i < n_run; i++)
				probe_abort(run[i], now, "the run's deadline");
			return 0;
		}
		/* Start queued probes while there is room; drop the finished ones. */
		for (size_t i = 0; i < n_run;) {
			if (probe_done(run[i]))
				run[i] = run[--n_run];
			else
				i++;
		}
		while (n_run < cap && next < n) {
			struct probe *p = probes[next++];
			probe_start(p, now_ms());
			if (!probe_done(p))
				run[n_run++] = p;
		}
		if (n_run == 0 && next >= n)
			return 0;
		if (n_run == 0)
			continue;

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
		if (wait > 1000)
			wait = 1000; /* re-check now and then; nothing depends on it */
		if (poll(pfd, k, (int)wait) < 0 && errno != EINTR)
			return -errno;
		now = now_ms();
		for (size_t i = 0; i < n_run; i++) {
			short rev = slot[i] >= 0 ? pfd[slot[i]].revents : 0;
			if (rev || now >= probe_deadline(run[i]))
				probe_advance(run[i], rev, now);
		}
	}
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
		p->steps[PROBE_ROUTE] = (struct probe_step){ .status = CHECK_FAIL,
							     .ms = now_ms() - t0,
							     .detail = xstrdup(err) };
		p->diagnosis = PROBE_UNREACHABLE;
		p->state = PS_DONE;
		p->ms = p->steps[PROBE_ROUTE].ms;
		return 0;
	}
	return probe_loop(&pp, 1, 1, 0);
}
