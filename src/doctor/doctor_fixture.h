/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): made-up doctor facts, to feed the judges. A struct
 * fx holds the inputs (config, node) and the facts that point at them: keep it in place
 * (never copy it), fx_free it at the end. */
#pragma once

#include "core/test.h"
#include "doctor/doctor_facts.h"

#include <arpa/inet.h>
#include <sys/socket.h>

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

/* A whole file read for a test (tests/fixtures/..., relative to the checkout): new string,
 * NUL-terminated, *len its length (len may be NULL). Fails the test when it cannot be read. */
static inline char *fx_read(const char *path, size_t *len)
{
	char *data = NULL;
	if (read_file_bounded(path, 1 << 20, &data, len) < 0)
		fail_msg("cannot read %s", path);
	return data;
}

/* %USERPROFILE%\.wslconfig at path with text (bytes as on disk), decoded and parsed as the wsl
 * gatherer does. */
static inline void fx_wslconfig(struct fx *x, const char *path, const char *text, size_t len)
{
	struct diag dg = { 0 };

	x->f.wsl.gathered = true;
	x->node.wsl.wslconfig = (char *)path;
	assert_int_equal(text_decode(path, text, len, &x->f.wsl.wslconfig_text, &dg), 0);
	assert_int_equal(ini_parse_buffer(path, x->f.wsl.wslconfig_text.utf8,
					  x->f.wsl.wslconfig_text.len, true, &x->f.wsl.wslconfig, &dg),
			 0);
}

/* The client's facts: /etc/fstab with text, parsed as the client gatherer does (a parse
 * error lands in parse_rc and parse_msg, as there). text NULL: not read (set its read_rc). */
static inline void fx_fstab(struct fx *x, const char *text)
{
	struct diag dg = { 0 };

	x->f.client.gathered = true;
	x->f.client.have_mount_nfs4 = true;
	x->f.client.fstab_path = xstrdup("/etc/fstab");
	if (!text)
		return;
	x->f.client.parse_rc = fstab_parse("/etc/fstab", text, strlen(text), &x->f.client.fstab, &dg);
	if (x->f.client.parse_rc < 0)
		diag_format(&dg, x->f.client.parse_msg, sizeof(x->f.client.parse_msg));
}

/* One more exports file (path) with text, parsed as the server gatherer does (a parse error
 * lands in parse_rc and parse_msg, as there). text NULL: not read (set its read_rc). */
static inline void fx_exports(struct fx *x, const char *path, const char *text)
{
	struct doctor_server_facts *s = &x->f.server;
	struct doctor_exports_facts *e;
	struct diag dg = { 0 };

	s->gathered = true;
	s->exports = xrealloc(s->exports, (s->n_exports + 1) * sizeof(*s->exports));
	e = &s->exports[s->n_exports++];
	*e = (struct doctor_exports_facts){ .path = xstrdup(path) };
	if (!text)
		return;
	e->parse_rc = exports_parse(e->path, text, strlen(text), &e->f, &dg);
	if (e->parse_rc < 0)
		diag_format(&dg, e->parse_msg, sizeof(e->parse_msg));
}

/* One more TCP socket listening on ipv4:port on the server. */
static inline void fx_listen(struct fx *x, const char *ipv4, uint16_t port)
{
	struct listeners *l = &x->f.server.listeners;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n] = (struct listener){ .family = AF_INET, .port = port };
	assert_int_equal(inet_pton(AF_INET, ipv4, l->v[l->n].addr), 1);
	l->n++;
}

/* /etc/ganesha/ganesha.conf with text, as the server gatherer reads it. */
static inline void fx_ganesha(struct fx *x, const char *text)
{
	x->f.server.gathered = true;
	x->f.server.ganesha_path = xstrdup("/etc/ganesha/ganesha.conf");
	x->f.server.ganesha_conf = xstrdup(text);
}

/* How many checks in x->r have this id and status, words in their summary. */
static inline size_t fx_count(const struct fx *x, const char *id, enum check_status status,
			      const char *words)
{
	size_t n = 0;
	for (size_t i = 0; i < x->r.n_checks; i++)
		n += streq(x->r.checks[i].id, id) && x->r.checks[i].status == status &&
		     strstr(x->r.checks[i].summary, words);
	return n;
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
