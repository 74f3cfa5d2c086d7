/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): made-up doctor facts, to feed the judges. A struct
 * fx holds the inputs (config, node) and the facts that point at them: keep it in place
 * (never copy it), fx_free it at the end. */
#pragma once

#include "core/test.h"
#include "doctor/doctor_facts.h"

struct fx {
	struct config cfg;
	struct node_info node;
	uint32_t addr; /* the node's one mesh address: 100.64.0.3 */
	struct doctor d;
	struct doctor_facts f;
	struct mount_entry top;
	struct report r;
};

/* A node of kind (mode: WSL2's networking mode, or NULL) with the guide's configuration and
 * nothing gathered. */
static inline void fx_init(struct fx *x, enum node_kind kind, const char *mode)
{
	*x = (struct fx){ 0 };
	config_defaults(&x->cfg);
	assert_int_equal(ipv4_parse("100.64.0.3", &x->addr), 0);
	x->node = (struct node_info){ .kind = kind, .addrs_known = true, .addrs = &x->addr,
				      .n_addrs = 1, .is_wsl = kind != NODE_LINUX, .systemd = true };
	x->node.wsl.networking_mode = (char *)mode;
	x->node.wsl.interop = x->node.wsl.binfmt_present = x->node.wsl.binfmt_interop = true;
	x->node.wsl.conf_boot_systemd = x->node.wsl.conf_mount_fstab = SETTING_UNSET;
	x->node.wsl.conf_interop = SETTING_UNSET;
	x->d = (struct doctor){ .cfg = &x->cfg, .node = &x->node, .timeout_ms = 5000 };
	doctor_facts_init(&x->f, &x->d);
	x->f.now = 1767225600; /* 2026-01-01T00:00:00Z */
	report_init(&x->r, "doctor");
}

/* The probe ladder's facts: steps before `fail` ok, `fail` failed with detail (PROBE_N_STEPS:
 * none failed), the rest not run. no_route: the route step found no source address. */
static inline void fx_probe(struct fx *x, int fail, const char *detail, enum probe_diagnosis dg,
			    bool no_route)
{
	struct probe *p = &x->f.nfs.probe;
	uint32_t a;

	assert_int_equal(ipv4_parse("100.64.0.1", &a), 0);
	x->f.nfs.gathered = true;
	probe_init(p, &(struct probe_opts){ .host = x->cfg.server, .addr = netaddr_ipv4(a),
					    .export_path = x->cfg.export_path, .mesh = x->cfg.mesh });
	if (!no_route) {
		p->source = netaddr_ipv4(x->addr);
		p->source_in_mesh = true;
	}
	p->uid = 0;
	for (int i = 0; i < fail && i < PROBE_N_STEPS; i++)
		p->steps[i] = (struct probe_step){ .status = STEP_OK, .ms = 1, .detail = xstrdup("fine") };
	if (fail < PROBE_N_STEPS)
		p->steps[fail] = (struct probe_step){ .status = STEP_FAIL, .ms = 5000,
						      .detail = xstrdup(detail) };
	else {
		p->owner_known = true;
		p->owner = 0;
	}
	p->diagnosis = dg;
	p->state = PS_DONE;
}

/* What is mounted at /opt/shared (fstype NULL: nothing), from server, and how the live health
 * probe ended: state at step (err: its errno), steps before it fine. */
static inline void fx_mount(struct fx *x, const char *fstype, const char *server,
			    enum mount_health_state state, enum mount_step step, int err)
{
	struct doctor_mount_facts *m = &x->f.mount;
	struct mount_health *h = &m->health;
	static char src[128];

	m->gathered = true;
	m->live = true;
	m->mountinfo = xstrdup("/proc/self/mountinfo");
	if (!fstype)
		return;
	if (server)
		snprintf(src, sizeof(src), "%s:/opt/shared", server);
	x->top = (struct mount_entry){
		.target = (char *)"/opt/shared", .fstype = (char *)fstype,
		.source = server ? src : (char *)"hangfs", .vfs_options = (char *)"rw,relatime",
		.fs_options = (char *)"rw,vers=4.2,soft,timeo=50,retrans=2,clientaddr=100.64.0.3",
		.server = (char *)server, .export_path = server ? (char *)"/opt/shared" : NULL,
		.clientaddr = (char *)"100.64.0.3", .addr = (char *)server, .vers = (char *)"4.2",
	};
	m->top = &x->top;
	m->probed = true;
	*h = (struct mount_health){ .state = state, .step = step, .err = err, .entries = 1,
				    .ms = 5000, .pid = 812, .kill_ms = -1 };
	snprintf(h->probe_file, sizeof(h->probe_file), ".meshnfs-probe-812");
	for (int i = 0; i <= (int)step && i < MOUNT_STEP__MAX; i++)
		h->steps[i] = (struct mount_step_result){ .started = true, .done = true, .ms = 1 };
	if (state == MOUNT_HEALTH_OK)
		for (int i = 0; i < MOUNT_STEP__MAX; i++)
			h->steps[i] = (struct mount_step_result){ .started = true, .done = true, .ms = 1 };
	else if (state == MOUNT_HEALTH_HUNG) {
		h->steps[step].done = false;
		h->proc_state = 'D';
		snprintf(h->wchan, sizeof(h->wchan), "rpc_wait_bit_killable");
		h->killed = true;
	} else
		h->steps[step].err = err;
}

/* Runs judge on the facts into x->r; the check id (fails the test when absent). */
static inline const struct check *fx_judge(struct fx *x,
					   void (*judge)(const struct doctor_facts *, struct report *),
					   const char *id)
{
	report_free(&x->r);
	report_init(&x->r, "doctor");
	judge(&x->f, &x->r);
	const struct check *c = report_find(&x->r, id);
	if (!c)
		fail_msg("no check %s", id);
	return c;
}

static inline void fx_free(struct fx *x)
{
	if (x->f.nfs.gathered)
		probe_free(&x->f.nfs.probe);
	x->f.nfs.gathered = false;
	x->f.mount.top = NULL;
	doctor_facts_free(&x->f);
	report_free(&x->r);
	config_free(&x->cfg);
}
