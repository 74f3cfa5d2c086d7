/* SPDX-License-Identifier: MIT */
/* The repair plan: what doctor finds fixable on a client, fixed the guide's way. A hung or
 * stale mount: `umount -l` (returns at once, detaches it), then mount again (`mount MP`, or
 * a restart of the automount unit under systemd), but only when the server answers the probe
 * (else a new mount would hang too). A mount fstab describes that is missing: mounted. A
 * missing mount point: created. What is mounted is read from mountinfo (never touches the
 * mount); whether it answers is src/mount's health check in a forked child (live system
 * only: with --root the mount is another machine's). */
#include "setup/setup.h"

#include "core/root.h"
#include "core/safewrite.h"
#include "format/mnttab.h"
#include "fstab/fstab.h"
#include "mount/health.h"
#include "mount/mountinfo.h"
#include "mount/options.h"
#include "net/gateway.h"
#include "net/probe.h"
#include "setup/setup_private.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

char *repair_unit_name(const char *path, const char *suffix)
{
	_cleanup_free_ char *n = mnttab_path_normalize(path);
	struct buf b = { 0 };
	const char *p = n;

	buf_append(&b, "", 0);
	while (*p == '/')
		p++;
	if (!*p)
		buf_append(&b, "-", 1);
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '/')
			buf_append(&b, "-", 1);
		else if (isalnum(c) || c == ':' || c == '_' || (c == '.' && b.len > 0))
			buf_append(&b, p, 1);
		else
			buf_printf(&b, "\\x%02x", c);
	}
	buf_printf(&b, "%s", suffix);
	return b.data;
}

/* The fstab entry for the mount point (NULL when none): its options and its source, new
 * strings. */
static int fstab_options(const char *mountpoint, char **options, char **source,
			 struct diag *diag)
{
	_cleanup_free_ char *path = root_path("/etc/fstab");

	return fstab_read_entry(path, mountpoint, options, source, diag);
}

/* The server answers (the probe up to the export, no write): a new mount would work. */
static bool server_answers(const struct repair *rp, struct plan *p)
{
	_cleanup_free_ char *fix = NULL, *why = NULL;
	struct probe pr;

	if (!rp->live)
		return true; /* another machine's files: its network is not this one */
	if (rp->n_gateways > 1 || rp->gateway)
		return true; /* the gateways were probed: rp->server is the one that answers */
	if (probe_run(&pr, &(struct probe_opts){ .host = rp->server, .export_path = rp->export_path,
						 .mesh = *rp->mesh, .step_ms = rp->timeout_ms,
						 .no_write = true },
		      rp->timeout_ms) < 0)
		probe_abort(&pr, now_ms(), "poll failed");
	bool ok = pr.diagnosis == PROBE_OK || pr.diagnosis == PROBE_GRACE;
	if (!ok) {
		why = probe_explain(&pr, &fix);
		/* The explanation is a sentence; here it sits in parentheses. */
		size_t n = strlen(why);
		if (n && why[n - 1] == '.')
			why[n - 1] = '\0';
		plan_note(p, "repair.server",
			  "not mounting again: %s:%s does not answer (%s)%s%s; run repair again "
			  "once it does",
			  rp->server, rp->export_path, why, fix ? "; fix: " : "", fix ? fix : "");
	} else
		plan_right(p, "repair.server", "%s:%s answers (probe up to the export, %" PRId64 " ms)",
			   rp->server, rp->export_path, pr.ms);
	probe_free(&pr);
	return ok;
}

/* What the lazy unmount has to achieve: this mount (its mountinfo id) gone from the table. */
struct umount_judge {
	char *mountinfo; /* resolved under the root */
	char *mountpoint;
	int mount_id;
	bool nfs; /* an NFS mount: umount closes its session with the server */
};

/* 1 when the mount is still in the table, 0 when it is gone, a negative errno when the table
 * cannot be read. */
static int still_mounted(const struct umount_judge *j)
{
	struct mount_stack st = { 0 };
	struct diag d = { 0 };
	int r = mountinfo_read(j->mountinfo, j->mountpoint, &st, &d);

	if (r < 0)
		return r;
	r = 0;
	for (size_t i = 0; i < st.n; i++)
		if (st.entries[i].id == j->mount_id)
			r = 1;
	mount_stack_free(&st);
	return r;
}

/* `umount -l` is judged by the mount table, not by umount's return: on Linux 6.1 with a
 * server that does not answer, the mount leaves the table at once, and then umount itself (its
 * helper umount.nfs4) waits in state D to close the NFS session, until the server answers. */
static int judge_umount(struct plan_step *s, void *data, int r)
{
	const struct umount_judge *j = data;
	const struct mount_proc *sp = &s->stuck;
	const char *why = j->nfs ? " to close the NFS session with the server" : "";
	_cleanup_free_ char *cmd = plan_argv_text(s->argv), *old = NULL;
	int m = still_mounted(j);

	if (m < 0)
		return r; /* the table cannot be read: the command's own verdict stands */
	if (m > 0) {
		if (r == 0) {
			plan_step_set_result(s, CHECK_FAIL,
					     "%s returned, but %s is still in the mount table (id %d)",
					     cmd, j->mountpoint, j->mount_id);
			return -EBUSY;
		}
		return r;
	}
	if (r == 0) {
		plan_step_set_result(s, CHECK_OK, "%s: detached (gone from the mount table)", cmd);
		return 0;
	}
	old = TAKE_PTR(s->detail);
	if (r != -ETIMEDOUT) {
		plan_step_set_result(s, CHECK_OK,
				     "%s: detached (gone from the mount table), although umount "
				     "reported a failure (%s)",
				     cmd, s->result ? s->result : "?");
		s->detail = TAKE_PTR(old);
		return 0;
	}
	plan_step_set_result(s, CHECK_OK,
			     "%s: detached (gone from the mount table at once); umount itself did "
			     "not return within %d s%s",
			     cmd, s->timeout_ms / 1000,
			     j->nfs ? ": it waited for the server to close the NFS session" : "");
	if (!s->stuck_known)
		s->detail = xasprintf("umount was stopped at its deadline.%s%s", old ? "\n" : "",
				      old ? old : "");
	else
		s->detail = xasprintf(
			"At the deadline %s (pid %d) waited in state %c%s%s%s%s; %s%s The mount was "
			"already detached: nothing new blocks on it.",
			sp->name, (int)sp->pid, sp->state ? sp->state : '?',
			sp->wchan[0] ? " (wchan " : "", sp->wchan, sp->wchan[0] ? ")" : "", why,
			s->stuck_gone ? "SIGKILL ended it (the wait is killable)"
				      : "it is still there after SIGKILL and ends when ",
			s->stuck_gone ? (j->nfs ? "; the server forgets the session when its lease "
						  "expires."
						: ".")
				      : (j->nfs ? "the server answers." : "what it waits for answers."));
	return 0;
}

/* A share with several gateways: which one the client uses from now on. */
struct gw_plan {
	bool active;      /* several gateways, or --gateway: chosen below */
	bool none;        /* no gateway to mount from */
	bool repoint;     /* the fstab entry is re-pointed to server */
	const char *server;
	char *new_source; /* "GATEWAY:EXPORT": set when the client moves to server (the mount,
			   * and the fstab entry if any); NULL when it stays */
};

/* Gather (every gateway probed at once, up to the export) and judge (net/gateway.h), each
 * gateway's answer shown with the plan. */
static int plan_gateways(const struct repair *rp, struct plan *p, const char *fstab_src,
			 const char *mount_src, struct gw_plan *g, struct diag *diag)
{
	size_t n = rp->n_gateways;
	int current = gateway_in_use(rp->gateways, n, fstab_src, mount_src);
	int asked = rp->gateway ? gateway_index(rp->gateways, n, rp->gateway) : -1;
	_cleanup_free_ struct gateway_fact *facts = xcalloc(n, sizeof(*facts));
	struct gateway_choice c;

	if (rp->gateway && asked < 0) {
		_cleanup_free_ char *list = NULL;
		struct buf b = { 0 };
		for (size_t i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", rp->gateways[i]);
		list = b.data;
		return diag_set(diag, NULL, 0, "--gateway: \"%s\" is not a gateway of share %s (%s)",
				rp->gateway, rp->share ? rp->share : "default", list ? list : ""),
		       -EDOM;
	}
	g->active = true;
	for (size_t i = 0; i < n; i++)
		facts[i] = (struct gateway_fact){ .host = rp->gateways[i] };
	if (rp->live && rp->known) {
		/* The gateways' answers already in hand (watch's round, a moment ago): the same
		 * choice, without a second probe of a hung gateway. */
		for (size_t i = 0; i < n; i++) {
			facts[i].probed = rp->known[i].probed;
			facts[i].diagnosis = rp->known[i].diagnosis;
			if (gateway_healthy(&facts[i]))
				plan_right(p, "repair.gateway", "gateway %s answers (watch's probe)%s",
					   rp->gateways[i], (int)i == current ? "; in use" : "");
			else
				plan_note(p, "repair.gateway", "gateway %s does not answer (%s, watch's "
					  "probe)%s", rp->gateways[i],
					  facts[i].probed ? probe_diagnosis_name(facts[i].diagnosis)
							  : "not probed",
					  (int)i == current ? "; in use" : "");
		}
		gateway_choose(facts, n, current, asked, &c);
	} else if (rp->live) {
		struct probe *pr = xcalloc(n, sizeof(*pr));
		gateway_probe_all(rp->gateways, n, rp->export_path, rp->mesh, rp->timeout_ms, true,
				  pr);
		for (size_t i = 0; i < n; i++) {
			facts[i].probed = true;
			facts[i].diagnosis = pr[i].diagnosis;
			if (gateway_healthy(&facts[i])) {
				plan_right(p, "repair.gateway", "gateway %s answers (probe up to the "
					   "export, %" PRId64 " ms)%s",
					   rp->gateways[i], pr[i].ms, (int)i == current ? "; in use" : "");
			} else {
				_cleanup_free_ char *fix = NULL;
				_cleanup_free_ char *why = probe_explain(&pr[i], &fix);
				plan_note(p, "repair.gateway", "gateway %s does not answer (%s)%s: %s",
					  rp->gateways[i], probe_diagnosis_name(pr[i].diagnosis),
					  (int)i == current ? "; in use" : "", why);
			}
			probe_free(&pr[i]);
		}
		free(pr);
		gateway_choose(facts, n, current, asked, &c);
	} else {
		/* Another machine's files: its gateways are not probed from here. */
		c = (struct gateway_choice){ .use = asked >= 0 ? asked : current >= 0 ? current : 0 };
		c.action = c.use == current ? GATEWAY_STAY : GATEWAY_MOVE;
		snprintf(c.reason, sizeof(c.reason), "%s%s (gateways are probed on the live system "
			 "only, no --root)", rp->gateways[c.use],
			 asked >= 0 ? " was asked for" : current >= 0 ? " is the one in use" : " is the first");
	}
	if (c.action == GATEWAY_NONE) {
		g->none = true;
		plan_note(p, "repair.gateway", "share %s: %s; not mounting again (run repair again "
			  "once a gateway answers)", rp->share ? rp->share : "default", c.reason);
		return 0;
	}
	g->server = rp->gateways[c.use];
	if (c.action == GATEWAY_STAY) {
		plan_right(p, "repair.gateway", "share %s: %s", rp->share ? rp->share : "default",
			   c.reason);
		return 0;
	}
	/* Moving: the fstab entry (if any) names the new gateway, with its own export path. */
	const char *path = fstab_src && strstr(fstab_src, ":/") ? strstr(fstab_src, ":/") + 1
								 : rp->export_path;
	g->new_source = config_nfs_source(g->server, path);
	g->repoint = fstab_src != NULL;
	plan_right(p, "repair.gateway", "share %s: %s: moving the client to %s",
		   rp->share ? rp->share : "default", c.reason, g->server);
	return 0;
}

struct repoint_edit {
	char *file;
	char *mountpoint;
	char *source;
};

/* Under the lock: the entry for the mount point, as it is now, with only its source
 * changed. */
static int repoint_edit_fn(void *userdata, const char *old, size_t len, bool exists,
			   struct buf *out, struct diag *diag)
{
	const struct repoint_edit *e = userdata;
	struct fstab f;
	int r;

	if (!exists)
		return diag_set(diag, e->file, 0, "is gone: no entry for %s to re-point",
				e->mountpoint),
		       -ENOENT;
	r = fstab_parse(e->file, old, len, &f, diag);
	if (r < 0)
		return r;
	r = fstab_find(&f, e->mountpoint, diag);
	if (r >= 0) {
		const struct fstab_line *l = &f.lines[r];
		struct fstab_entry ent = {
			.source = e->source,
			.target = l->field[FSTAB_TARGET],
			.fstype = l->n_fields > 2 ? l->field[FSTAB_TYPE] : "nfs4",
			.options = l->n_fields > 3 ? l->field[FSTAB_OPTIONS] : NULL,
			.freq = l->n_fields > 4 ? atoi(l->field[FSTAB_FREQ]) : 0,
			.passno = l->n_fields > 5 ? atoi(l->field[FSTAB_PASSNO]) : 0,
		};
		r = fstab_set_entry(e->file, old, len, &ent, out, diag);
	} else if (r == -ENOENT)
		r = diag_set(diag, e->file, 0, "has no entry for %s any more", e->mountpoint);
	fstab_free(&f);
	return r;
}

/* The fstab entry re-pointed to the chosen gateway (safewrite: lock, backup, atomic rename);
 * under systemd its generator reads fstab again before the mount. */
static int plan_repoint(const struct repair *rp, const struct node_info *n, struct plan *p,
			const struct gw_plan *g, struct diag *diag)
{
	struct repoint_edit *e = xcalloc(1, sizeof(*e));
	_cleanup_free_ char *path = root_path("/etc/fstab");

	e->file = plan_own(p, xstrdup(path));
	e->mountpoint = plan_own(p, xstrdup(rp->mountpoint));
	e->source = plan_own(p, xstrdup(g->new_source));
	int r = plan_add_write(p, "repair.fstab", "/etc/fstab", path, repoint_edit_fn, e, true, NULL,
			       "/etc/fstab already names the gateway", diag);
	if (r > 0 && n->systemd) {
		const char *argv[] = { "systemctl", "daemon-reload", NULL };
		plan_add_run(p, "repair.fstab",
			     setup_timeout(rp->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS), argv);
	}
	return r < 0 ? r : 0;
}

/* The mount again: under systemd with an automount entry, a restart of its unit; else
 * `mount MP` from fstab, or from the configuration when fstab has no entry. */
static void plan_mount(const struct repair *rp, const struct node_info *n, struct plan *p,
		       const char *fstab_opts)
{
	int t = setup_timeout(rp->timeout_ms, SETUP_MOUNT_TIMEOUT_MS);

	if (n->systemd && fstab_opts && mount_options_has(fstab_opts, "x-systemd.automount")) {
		_cleanup_free_ char *unit = repair_unit_name(rp->mountpoint, ".automount");
		const char *argv[] = { "systemctl", "restart", unit, NULL };
		plan_add_run(p, "repair.mount", t, argv);
	} else if (fstab_opts) {
		const char *argv[] = { "mount", rp->mountpoint, NULL };
		plan_add_run(p, "repair.mount", t, argv);
	} else {
		_cleanup_free_ char *src = config_nfs_source(rp->server, rp->export_path);
		_cleanup_free_ char *o = mount_options_kernel(rp->options);
		const char *argv[] = { "mount", "-t", "nfs4", "-o", *o ? o : "defaults", src,
				       rp->mountpoint, NULL };
		plan_add_run(p, "repair.mount", t, argv);
	}
}

/* After an unmount (or with nothing mounted): re-point fstab when moving, then mount, only
 * when the server (the chosen gateway) answers. */
static int plan_remount(const struct repair *rp, const struct node_info *n, struct plan *p,
			const char *fstab_opts, const struct gw_plan *g, struct diag *diag)
{
	if (g->none || !server_answers(rp, p))
		return 0;
	if (g->repoint) {
		int r = plan_repoint(rp, n, p, g, diag);
		if (r < 0)
			return r;
	}
	plan_mount(rp, n, p, fstab_opts);
	return 0;
}

static int plan_unmounted(const struct repair *rp, const struct node_info *n, struct plan *p,
			  const char *fstab_opts, const struct gw_plan *g, struct diag *diag)
{
	_cleanup_free_ char *real = root_path(rp->mountpoint);
	struct stat st;

	if (!fstab_opts) {
		plan_note(p, "repair.mount",
			  "%s is not mounted and /etc/fstab has no entry for it: that is setup's "
			  "work (sudo meshnfs setup client)",
			  rp->mountpoint);
		return 0;
	}
	if (root_stat(real, &st) < 0)
		plan_add_mkdir(p, "repair.mountpoint", rp->mountpoint, real, 0755);
	return plan_remount(rp, n, p, fstab_opts, g, diag);
}

/* `umount -l`, judged by the mount table; title_fmt says why (after "run: umount -l MP   ("). */
static void plan_umount(const struct repair *rp, struct plan *p, const struct mount_entry *top,
			const char *why)
{
	const char *argv[] = { "umount", "-l", rp->mountpoint, NULL };
	struct plan_step *s = plan_add_run(p, "repair.umount", rp->timeout_ms, argv);
	struct umount_judge *j = plan_own(p, xcalloc(1, sizeof(*j)));
	*j = (struct umount_judge){ plan_own(p, root_path("/proc/self/mountinfo")),
				    plan_own(p, xstrdup(rp->mountpoint)), top->id,
				    streq(top->fstype, "nfs4") || streq(top->fstype, "nfs") };
	s->judge = judge_umount;
	s->judge_data = j;
	free(s->title);
	s->title = xasprintf("run: umount -l %s   (%s; a lazy unmount detaches it at once: judged "
			     "by the mount table)",
			     rp->mountpoint, why);
}

static int plan_mounted(const struct repair *rp, const struct node_info *n, struct plan *p,
			const struct mount_entry *top, const char *fstab_opts,
			const struct gw_plan *g, struct diag *diag)
{
	struct mount_health h;
	const char *what;

	if (g->new_source) {
		/* Its gateway is gone or hung (or another was asked for): the mount moves, without
		 * touching the old one (it would block on a hung gateway); mounted from the
		 * configuration (no fstab entry), the new mount is too. */
		_cleanup_free_ char *why = xasprintf("moving %s from %s to %s", rp->mountpoint,
						     top->source ? top->source : "?", g->new_source);
		plan_umount(rp, p, top, why);
		return plan_remount(rp, n, p, fstab_opts, g, diag);
	}
	if (!rp->live) {
		plan_right(p, "repair.mount",
			   "%s is mounted (%s, %s); whether it answers is checked on the live system "
			   "only (no --root)",
			   rp->mountpoint, top->source ? top->source : "?", top->fstype);
		return 0;
	}
	if (mount_health_check(rp->mountpoint, &(struct mount_health_opts){
						      .timeout_ms = rp->timeout_ms,
						      .kill_grace_ms = -1 },
			       &h) < 0) {
		plan_note(p, "repair.mount", "cannot check %s: the health probe did not run",
			  rp->mountpoint);
		return 0;
	}
	what = mount_health_state_name(h.state);
	switch (h.state) {
	case MOUNT_HEALTH_OK:
		plan_right(p, "repair.mount", "%s is mounted (%s, %s) and answers (%" PRId64 " ms)",
			   rp->mountpoint, top->source ? top->source : "?", top->fstype, h.ms);
		return 0;
	case MOUNT_HEALTH_HUNG:
	case MOUNT_HEALTH_STALE:
	case MOUNT_HEALTH_IO_ERROR: {
		_cleanup_free_ char *why = xasprintf("%s: %s failed%s%s", what,
						     mount_step_name(h.step), h.err ? ": " : "",
						     h.err ? strerror(h.err) : "");
		bool nfs = streq(top->fstype, "nfs4") || streq(top->fstype, "nfs");
		plan_umount(rp, p, top, why);
		if (h.state == MOUNT_HEALTH_HUNG && nfs)
			plan_note(p, "repair.umount",
				  "processes already blocked in %s stay blocked until the server "
				  "answers or they are killed (kill -9 works: the wait is killable); "
				  "umount itself may then wait to close the NFS session with the "
				  "server (at most %d s here), after the mount has left the mount "
				  "table",
				  rp->mountpoint, rp->timeout_ms / 1000);
		else if (h.state == MOUNT_HEALTH_HUNG)
			plan_note(p, "repair.umount",
				  "processes already blocked in %s stay blocked until the server "
				  "answers or they are killed (kill -9 works: the wait is killable)",
				  rp->mountpoint);
		return plan_remount(rp, n, p, fstab_opts, g, diag);
	}
	default:
		plan_note(p, "repair.mount",
			  "%s is %s (%s failed%s%s): not something a new mount fixes (see meshnfs "
			  "doctor)",
			  rp->mountpoint, what, mount_step_name(h.step), h.err ? ": " : "",
			  h.err ? strerror(h.err) : "");
		return 0;
	}
}

void repair_plan_init(struct plan *p, const struct repair *rp, size_t n)
{
	if (n != 1)
		plan_init(p, "repair the mounts of %zu shares", n);
	else if (rp->n_gateways > 1 || rp->gateway)
		plan_init(p, "repair the mount of share %s on %s from one of its gateways",
			  rp->share ? rp->share : "default", rp->mountpoint);
	else
		plan_init(p, "repair the mount of %s:%s on %s", rp->server, rp->export_path,
			  rp->mountpoint);
}

int repair_plan(const struct repair *rp, const struct node_info *n, struct plan *p,
		struct diag *diag)
{
	_cleanup_free_ char *mountinfo = root_path("/proc/self/mountinfo"), *fstab_opts = NULL;
	_cleanup_free_ char *fstab_src = NULL;
	struct mount_stack st = { 0 };
	struct gw_plan g = { 0 };
	struct repair eff = *rp;
	int r;

	if (rp->is_server) {
		plan_right(p, "repair.role",
			   "this node holds the server address %s: it exports, it does not mount",
			   rp->server);
		return 0;
	}
	r = fstab_options(rp->mountpoint, &fstab_opts, &fstab_src, diag);
	if (r < 0)
		return r;
	r = mountinfo_read(mountinfo, rp->mountpoint, &st, diag);
	if (r == -EBADMSG)
		return r;
	const struct mount_entry *top = r == 0 ? mount_stack_top(&st) : NULL;
	if (rp->n_gateways > 1 || rp->gateway) {
		r = plan_gateways(rp, p, fstab_src, top ? top->source : NULL, &g, diag);
		if (r < 0)
			goto out;
		if (g.server)
			eff.server = g.server;
	}
	if (top)
		r = plan_mounted(&eff, n, p, top, fstab_opts, &g, diag);
	else
		r = plan_unmounted(&eff, n, p, fstab_opts, &g, diag);
out:
	free(g.new_source);
	mount_stack_free(&st);
	return r;
}
