/* SPDX-License-Identifier: MIT */
/* The last step of setup and repair: does the share answer now? Each is a gatherer (the probe
 * ladder, the mount's health probe: I/O with deadlines) and a pure judge over what it found,
 * so the words are unit-tested on made-up results. */
#include "setup/setup.h"

#include "core/root.h"
#include "net/probe.h"
#include "setup/setup_private.h"

void setup_verify_judge(const char *server, const char *export_path, const struct probe *p,
			struct report *r)
{
	_cleanup_free_ char *summary = NULL, *fix = NULL;
	struct check *c;

	if (!p) {
		_cleanup_free_ char *target = config_nfs_source(server, export_path);
		report_check(r, "setup.verify", CHECK_SKIP,
			     .summary = xasprintf("not verified: --root names another machine's "
						  "files, not this network"),
			     .fix = xasprintf("on that machine: meshnfs probe %s", target));
		return;
	}
	summary = probe_explain(p, &fix);
	_cleanup_free_ char *target = config_nfs_source(server, export_path);
	struct buf steps = { 0 };
	buf_append(&steps, "", 0);
	for (int i = 0; i < PROBE_N_STEPS; i++)
		if (p->steps[i].status != STEP_SKIP || p->steps[i].detail)
			buf_printf(&steps, "%s%s %s%s%s", steps.len ? "\n" : "", probe_step_name(i),
				   probe_step_status_name(p->steps[i].status),
				   p->steps[i].detail ? ": " : "",
				   p->steps[i].detail ? p->steps[i].detail : "");
	c = report_check(r, "setup.verify", p->diagnosis == PROBE_OK ? CHECK_OK : CHECK_FAIL,
			 .summary = xasprintf("meshnfs probe %s: %s", target, summary),
			 .detail = xstrdup(steps.data), .fix = TAKE_PTR(fix));
	c->ms = p->ms;
	buf_free(&steps);
}

void setup_verify(const char *server, const char *export_path, const struct cidr *mesh,
		  int timeout_ms, struct report *r)
{
	struct probe p;

	if (!root_is_host()) {
		setup_verify_judge(server, export_path, NULL, r);
		return;
	}
	if (probe_run(&p, &(struct probe_opts){ .host = server, .export_path = export_path,
						.mesh = *mesh, .step_ms = timeout_ms },
		      timeout_ms) < 0)
		probe_abort(&p, now_ms(), "poll failed");
	setup_verify_judge(server, export_path, &p, r);
	probe_free(&p);
}

void repair_verify_judge(const struct repair *rp, bool mounted_again, int health_rc,
			 const struct mount_health *h, struct report *r)
{
	struct check *c;

	if (!mounted_again) {
		report_add(r, "repair.verify", CHECK_SKIP,
			   "not verified: nothing was mounted again (see the notes)");
		return;
	}
	if (!rp->live) {
		report_add(r, "repair.verify", CHECK_SKIP,
			   "not verified: --root names another machine's files, not this mount");
		return;
	}
	if (health_rc < 0) {
		report_add(r, "repair.verify", CHECK_SKIP, "the health probe did not run");
		return;
	}
	if (h->state == MOUNT_HEALTH_OK) {
		c = report_add(r, "repair.verify", CHECK_OK, "%s answers (ls)", rp->mountpoint);
		c->ms = h->ms;
		return;
	}
	_cleanup_free_ char *target = config_nfs_source(rp->server, rp->export_path);
	report_check(r, "repair.verify", CHECK_FAIL,
		     .summary = xasprintf("%s is still %s after the repair (%s)", rp->mountpoint,
					  mount_health_state_name(h->state), mount_step_name(h->step)),
		     .fix = xasprintf("meshnfs doctor   (then: meshnfs probe %s)", target));
}

void repair_verify(const struct repair *rp, const struct plan *p, struct report *r)
{
	struct mount_health h = { 0 };
	bool mounted_again = false;
	int rc = -1;

	_cleanup_free_ char *unit = repair_unit_name(rp->mountpoint, ".automount");

	/* This share's mount step (a plan may hold several shares'): mount MP, mount ... MP,
	 * systemctl restart UNIT. */
	for (size_t i = 0; i < p->n_steps; i++) {
		char **a = p->steps[i].argv;
		if (!streq(p->steps[i].id, "repair.mount") || !a)
			continue;
		for (; *a; a++)
			mounted_again |= streq(*a, rp->mountpoint) || streq(*a, unit);
	}
	if (mounted_again && rp->live)
		rc = mount_health_check(rp->mountpoint,
					&(struct mount_health_opts){ .timeout_ms = rp->timeout_ms,
								     .kill_grace_ms = -1 },
					&h);
	repair_verify_judge(rp, mounted_again, rc, &h, r);
}
