/* SPDX-License-Identifier: MIT */
/* The tcp step's last witness: `tailscale ping --tsmp` (net/probe.h probe_tsmp). */
#include "net/probe.h"

#include "core/root.h"
#include "core/spawn.h"
#include "format/tsping.h"

#include <errno.h>

int probe_tsmp(struct probe *p, const char *cli, bool exact, int timeout_ms, char *err,
	       size_t err_size)
{
	const struct probe_step *t = &p->steps[PROBE_TCP];
	char addr[NETADDR_STRLEN], secs[16];
	struct spawn_result res = { 0 };
	struct ts_ping ping;
	struct diag d = { 0 };
	int r;

	err[0] = '\0';
	if (p->diagnosis != PROBE_UNREACHABLE || t->status != STEP_FAIL || !netaddr_is_set(&p->source) || !cli ||
	    !root_is_host())
		return -ECANCELED;
	if (timeout_ms < 1000)
		timeout_ms = 1000;
	netaddr_format(&p->addr, addr, sizeof(addr));
	/* Its own timeout a little inside ours, so that it says "timed out" itself. */
	snprintf(secs, sizeof(secs), "%ds", timeout_ms / 1000 > 1 ? timeout_ms / 1000 - 1 : 1);
	const char *argv[] = { cli, "ping", "--tsmp", "-c", "1", "--timeout", secs, addr, NULL };
	r = spawn_run(argv, &(struct spawn_opts){ .timeout_ms = timeout_ms, .exact_path = exact,
						  .max_output = 64 * 1024 },
		      &res);
	if (r < 0) {
		snprintf(err, err_size, "%s ping --tsmp: %s", cli,
			 r == -ETIMEDOUT ? "no result within the deadline" : strerror(-r));
		spawn_result_free(&res);
		return r;
	}
	r = ts_ping_parse("tailscale ping --tsmp", res.out, res.out_len, &ping, &d);
	if (r < 0) {
		/* Said on the step: what the CLI printed is no evidence either way. */
		struct probe_step *ts = &p->steps[PROBE_TCP];
		char *old = ts->detail;
		diag_format(&d, err, err_size);
		ts->detail = xasprintf("%s; %s ping --tsmp printed what is not understood (%s)",
				       old ? old : "no answer", cli, err);
		free(old);
		spawn_result_free(&res);
		return r;
	}
	if (ping.pongs > 0) {
		struct probe_step *ts = &p->steps[PROBE_TCP];
		p->filter = PROBE_FILTER_TSMP;
		p->diagnosis = PROBE_FILTERED;
		free(p->tsmp);
		p->tsmp = xasprintf("pong from %s (%s) via %s in %.1f ms", ping.name, ping.ip,
				    ping.via_text, ping.latency_us / 1000.0);
		char *old = ts->detail;
		ts->detail = xasprintf("%s; yet `tailscale ping --tsmp` answers (%s): the peer is "
				       "up, TCP to port %u is dropped by a packet filter",
				       old ? old : "no answer", p->tsmp, (unsigned)p->port);
		free(old);
	}
	spawn_result_free(&res);
	return 0;
}
