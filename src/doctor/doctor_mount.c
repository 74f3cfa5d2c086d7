/* SPDX-License-Identifier: MIT */
/* mount.present, mount.responsive, mount.write, mount.stale: the guide's "mount | grep nfs4",
 * `ls /opt/shared` and `touch .write_test && rm .write_test`, without ever hanging: what is
 * mounted comes from mountinfo (under --root), the rest from mount_health_check(), whose
 * child is killed, not waited for, when the mount does not answer. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "format/mnttab.h"
#include "format/procstatus.h"
#include "mount/health.h"
#include "mount/mountinfo.h"
#include "mount/options.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

/* How long a killed probe child is watched: long enough to see an NFS waiter go (measured
 * 0.1-0.25 s), a quarter of the deadline at most, so the whole check stays near --timeout. */
int doctor_kill_grace_ms(int timeout_ms)
{
	int g = timeout_ms / 4;
	return g > 250 ? 250 : g < 50 ? 50 : g;
}

/* What the judge looks at: the facts, under short names. */
struct mount_view {
	const struct doctor_facts *d;
	const struct config *cfg;
	const char *mp;
	const char *mountinfo;
	const struct mount_entry *top;
	bool automount; /* an autofs mount (systemd automount) lies at or under the top */
	bool probed;
	struct mount_health h;
};

static const char *errno_name(int err)
{
	const char *n = err ? strerrorname_np(err) : NULL;
	return n ? n : "?";
}

/* NFS, or a systemd automount whose access mounts it: the fixes speak of the server. */
static bool is_nfs(const struct mount_entry *e)
{
	return e && (streq(e->fstype, "nfs4") || streq(e->fstype, "nfs") ||
		     streq(e->fstype, "autofs"));
}

static char *mount_fix(const struct config *cfg)
{
	_cleanup_free_ char *o = mount_options_kernel(cfg->mount_options);
	return xasprintf("mount %s   (from its fstab entry: see fstab.entry)\n"
			 "without an fstab entry: mount -t nfs4 %s:%s %s%s%s",
			 cfg->mountpoint, cfg->server, cfg->export_path, cfg->mountpoint,
			 *o ? " -o " : "", o);
}

/* ---- mount.present ---- */

static void check_clientaddr(struct mount_view *c, struct buf *detail, enum check_status *st,
			     struct buf *problems)
{
	const struct mount_entry *e = c->top;
	const struct node_info *n = c->d->node;
	char range[32];
	uint32_t a;

	cidr_format(&c->cfg->mesh, range, sizeof(range));
	if (!e->clientaddr) {
		buf_printf(detail, "\nNo clientaddr= in the mount options: which local address the "
				   "mount uses is not shown.");
		if (*st < CHECK_WARN)
			*st = CHECK_WARN;
		buf_printf(problems, "%sno clientaddr", problems->len ? "; " : "");
		return;
	}
	if (cidr6_text_within(e->clientaddr, &c->cfg->mesh6)) {
		char range6[64];
		cidr6_format(&c->cfg->mesh6, range6, sizeof(range6));
		buf_printf(detail, "\nclientaddr=%s lies in the mesh's IPv6 range %s (the tailnet's "
				   "own addresses).",
			   e->clientaddr, range6);
		return;
	}
	if (ipv4_parse(e->clientaddr, &a) == 0 && cidr_contains(&c->cfg->mesh, a)) {
		buf_printf(detail, "\nclientaddr=%s lies in the mesh range %s, as the guide says.",
			   e->clientaddr, range);
		return;
	}
	buf_printf(problems, "%sclientaddr %s outside %s", problems->len ? "; " : "",
		   e->clientaddr, range);
	if (n->kind == NODE_WSL2 && n->wsl.networking_mode && streq(n->wsl.networking_mode, "nat")) {
		buf_printf(detail,
			   "\nclientaddr=%s is outside the mesh range %s: in WSL2 NAT mode the distro "
			   "has its own NAT address and the server sees the Windows host's mesh "
			   "address. It works for plain I/O, but the server's NFSv4 callbacks "
			   "(delegations) cannot reach %s. The guide's model is mirrored networking.",
			   e->clientaddr, range, e->clientaddr);
		if (*st < CHECK_WARN)
			*st = CHECK_WARN;
		return;
	}
	buf_printf(detail,
		   "\nclientaddr=%s is outside the mesh range %s: the kernel reaches the server "
		   "from an address that is not this node's mesh address, so the traffic does not "
		   "go through the WireGuard tunnel (the guide: \"The clientaddr in the mount output "
		   "should be a 100.64.x.x address\").",
		   e->clientaddr, range);
	*st = CHECK_FAIL;
}

static void report_present_nfs4(struct mount_view *c, struct report *r)
{
	const struct mount_entry *e = c->top;
	const struct config *cfg = c->cfg;
	enum check_status st = CHECK_OK;
	struct buf detail = { 0 }, problems = { 0 };
	char **diffs = NULL;
	size_t n_diffs;
	struct check *k;

	buf_printf(&detail, "%s on %s type %s (%s%s%s)", e->source, e->target, e->fstype,
		   e->vfs_options, *e->fs_options ? "; " : "", e->fs_options);
	if (c->automount)
		buf_printf(&detail, "\nMounted on access through an automount (autofs) at %s.",
			   c->mp);

	bool server_ok = e->server && (streq(e->server, cfg->server) ||
				       (e->addr && streq(e->addr, cfg->server)));
	bool export_ok = e->export_path && mnttab_path_eq(e->export_path, cfg->export_path);
	if (!server_ok || !export_ok) {
		_cleanup_free_ char *fix = mount_fix(cfg);
		report_check(r, "mount.present", CHECK_FAIL,
			     .summary = xasprintf("%s mounted at %s, configured %s:%s",
						  e->source, c->mp, cfg->server, cfg->export_path),
			     .detail = xasprintf("%s\nThe mount comes from another server or "
						 "export than the configuration (%s) says.",
						 detail.data, cfg->source ? cfg->source : "built-in defaults"),
			     .fix = xasprintf("umount %s\n%s", c->mp, fix));
		buf_free(&detail);
		return;
	}

	check_clientaddr(c, &detail, &st, &problems);

	n_diffs = mount_options_diff(cfg->mount_options, e, &diffs);
	for (size_t i = 0; i < n_diffs; i++)
		buf_printf(&detail, "\nOption %s", diffs[i]);
	if (n_diffs) {
		buf_printf(&problems, "%s%zu option%s not as configured", problems.len ? "; " : "",
			   n_diffs, n_diffs == 1 ? "" : "s");
		if (st < CHECK_WARN)
			st = CHECK_WARN;
	}
	_cleanup_free_ char *kopts = mount_options_kernel(cfg->mount_options);
	bool want_ro = mount_options_has(kopts, "ro");
	if (e->read_only && !want_ro) {
		buf_printf(&detail, "\nMounted read-only: nothing can be written to the share.");
		buf_printf(&problems, "%sread-only", problems.len ? "; " : "");
		if (st < CHECK_WARN)
			st = CHECK_WARN;
	}
	/* What these options bound and what they do not (bench/README.md, mount-options). */
	_cleanup_free_ char *bounds = mount_options_bounds(e->fs_options);
	buf_printf(&detail, "\n%s", bounds);

	if (problems.len)
		k = report_add(r, "mount.present", st, "%s on %s (%s): %s", e->source, c->mp,
			       e->fstype, problems.data);
	else
		k = report_add(r, "mount.present", st, "%s on %s (%s, vers=%s, clientaddr %s)",
			       e->source, c->mp, e->fstype, e->vers ? e->vers : "?", e->clientaddr);
	check_set_detail(k, "%s", detail.data);
	if (st == CHECK_FAIL)
		check_set_fix(k,
			      "meshnfs doctor: see mesh.address (the route to %s must leave from this "
			      "node's mesh address)\nthen: umount %s && mount %s",
			      cfg->server, c->mp, c->mp);
	else if (n_diffs)
		check_set_fix(k, "umount %s && mount %s   (remount with the configured options: %s)",
			      c->mp, c->mp, kopts);
	else if (e->read_only && !want_ro)
		check_set_fix(k, "mount -o remount,rw %s", c->mp);
	mount_options_lines_free(diffs, n_diffs);
	buf_free(&detail);
	buf_free(&problems);
}

static void report_present(struct mount_view *c, struct report *r)
{
	const struct mount_entry *e = c->top;
	const struct config *cfg = c->cfg;

	if (!e) {
		_cleanup_free_ char *fix = mount_fix(cfg);
		report_check(r, "mount.present", CHECK_FAIL,
			     .summary = xasprintf("nothing is mounted at %s", c->mp),
			     .detail = xasprintf("%s lists no mount at %s (the guide's `mount | "
						 "grep nfs4`).",
						 c->mountinfo, c->mp),
			     .fix = xasprintf("%s", fix));
		return;
	}
	if (streq(e->fstype, "autofs")) {
		report_check(r, "mount.present", CHECK_OK,
			     .summary = xasprintf("automount armed at %s (%s); %s:%s mounts on "
						  "first access", c->mp,
						  e->source, cfg->server, cfg->export_path),
			     .detail = xasprintf("%s on %s type autofs (%s). With "
						 "x-systemd.automount the share is mounted on first "
						 "access and unmounted when idle.%s",
						 e->source, e->target, e->vfs_options,
						 c->probed ? " The probe's access did not leave an NFS mount." : ""));
		return;
	}
	if (streq(e->fstype, "nfs4")) {
		report_present_nfs4(c, r);
		return;
	}
	if (streq(e->fstype, "nfs")) {
		_cleanup_free_ char *fix = mount_fix(cfg);
		report_check(r, "mount.present", CHECK_FAIL,
			     .summary = xasprintf("%s on %s is NFSv%s (type nfs), not nfs4",
						  e->source, c->mp, e->vers ? e->vers : "3"),
			     .detail = xasprintf("%s on %s type nfs (%s). The guide mounts with "
						 "-t nfs4; NFSv3 needs rpcbind and mountd on "
						 "the server, which an NFSv4-only server does "
						 "not run.",
						 e->source, e->target, e->fs_options),
			     .fix = xasprintf("umount %s\n%s", c->mp, fix));
		return;
	}
	_cleanup_free_ char *fix = mount_fix(cfg);
	report_check(r, "mount.present", CHECK_FAIL,
		     .summary = xasprintf("%s (%s) is mounted at %s, not %s:%s over nfs4",
					  e->source, e->fstype, c->mp, cfg->server, cfg->export_path),
		     .detail = xasprintf("%s on %s type %s (%s)",
					 e->source, e->target, e->fstype,
					 e->vfs_options),
		     .fix = xasprintf("umount %s\n%s", c->mp, fix));
}

/* ---- mount.responsive, mount.write, mount.stale ---- */

/* The stuck child, in words: the evidence of a hung mount. */
static void hung_evidence(const struct mount_view *c, struct buf *b)
{
	const struct mount_health *h = &c->h;

	buf_printf(b, "The probe child (pid %d) was still in %s of %s after %d ms", (int)h->pid,
		   mount_step_name(h->step), c->mp, c->d->timeout_ms);
	if (h->proc_state)
		buf_printf(b, ": state %c (%s)%s%s", h->proc_state, proc_state_name(h->proc_state),
			   h->wchan[0] ? ", wchan " : "", h->wchan);
	buf_printf(b, ".\n");
	if (h->exited)
		buf_printf(b, "SIGKILL freed it in %" PRId64 " ms.\n", h->kill_ms);
	else if (h->state_after_kill)
		buf_printf(b,
			   "%d ms after SIGKILL it was still there in state %c%s%s: killed processes "
			   "stay stuck until the filesystem answers.\n",
			   doctor_kill_grace_ms(c->d->timeout_ms), h->state_after_kill, h->wchan_after_kill[0] ? ", wchan " : "",
			   h->wchan_after_kill);
	buf_printf(b, "A hung mount: every process that touches %s blocks the same way (the "
		      "guide's `ls` would not return).",
		   c->mp);
	/* Why (on NFS: a hung server, an offline peer, a stopped server all block alike) is not
	 * seen from the mount: the nfs checks tell, and doctor_mount_cause adds it here. */
}

static char *hung_fix(const struct mount_view *c)
{
	if (!is_nfs(c->top))
		return xasprintf("umount -l %s   (detaches it at once; processes already blocked stay "
				 "blocked until the filesystem answers)\nthen restart what serves %s",
				 c->mp, c->top ? c->top->source : c->mp);
	/* The first line finds the cause; doctor_mount_cause puts the cause's fix there. */
	_cleanup_free_ char *target = config_nfs_source(c->cfg->server, c->cfg->export_path);
	return xasprintf("meshnfs probe %s   (hung server, offline peer, or refused?)\n"
			 "umount -l %s   (detaches the hung mount at once; processes already blocked "
			 "stay blocked until the server answers or they are killed)\n"
			 "mount %s   (once the probe is ok)",
			 target, c->mp, c->mp);
}

/* The mount is NFS from the configured server (or an automount of it): its trouble is that
 * server's, which the nfs judge sees from the same run's probe. */
static bool mount_is_the_servers(const struct mount_view *c)
{
	const struct mount_entry *e = c->top;

	if (!e || !e->fstype)
		return false;
	if (streq(e->fstype, "autofs"))
		return true;
	if (!streq(e->fstype, "nfs4") && !streq(e->fstype, "nfs"))
		return false;
	return streq_ptr(e->server, c->cfg->server) || streq_ptr(e->addr, c->cfg->server);
}

/* A check that found the mount hung: summary (taken), the evidence as detail, the fix, the
 * time; on the server's NFS mount, with the cause the nfs judge sees. */
static void hung_check(const struct mount_view *c, struct report *r, const char *id,
		       char *summary)
{
	struct buf b = { 0 };
	struct doctor_words w = { .summary = summary, .fix = hung_fix(c) };
	struct check *k;

	hung_evidence(c, &b);
	w.detail = xstrdup(b.data);
	buf_free(&b);
	if (mount_is_the_servers(c))
		doctor_mount_cause(c->d, &w);
	k = report_check(r, id, CHECK_FAIL, .summary = w.summary, .detail = w.detail, .fix = w.fix);
	k->ms = c->h.ms;
}

static char *remount_fix(const struct mount_view *c)
{
	if (!is_nfs(c->top))
		return xasprintf("umount -l %s\nthen mount it again", c->mp);
	_cleanup_free_ char *target = config_nfs_source(c->cfg->server, c->cfg->export_path);
	return xasprintf("meshnfs probe %s   (is the server reachable?)\n"
			 "umount -l %s && mount %s   (once the probe is ok)",
			 target, c->mp, c->mp);
}

/* The detail of a failed check: the evidence first (which step met which errno, when), then
 * what it means (NULL: nothing more). */
static void set_evidence(const struct mount_view *c, struct check *k, enum mount_step step,
			 const char *meaning)
{
	const struct mount_step_result *s = &c->h.steps[step];

	check_set_detail(k, "%s of %s failed with %s (%s) after %" PRId64 " ms (probe child pid %d)%s%s",
			 mount_step_name(step), c->mp, errno_name(s->err), strerror(s->err), s->ms,
			 (int)c->h.pid, meaning ? ".\n" : ".", meaning ? meaning : "");
}

static void error_check(struct mount_view *c, struct report *r, const char *id, const char *what)
{
	const struct mount_health *h = &c->h;
	const char *step = mount_step_name(h->step);
	struct check *k;
	_cleanup_free_ char *fix = NULL, *meaning = NULL;

	switch (h->state) {
	case MOUNT_HEALTH_STALE:
		k = report_add(r, id, CHECK_FAIL, "%s: stale file handle (ESTALE in %s), see mount.stale",
			       what, step);
		fix = xasprintf("umount -l %s && mount %s", c->mp, c->mp);
		break;
	case MOUNT_HEALTH_IO_ERROR:
		k = report_add(r, id, CHECK_FAIL, "%s: I/O error (%s in %s)", what, errno_name(h->err),
			       step);
		meaning = xasprintf("The filesystem answered %s with %s. On a soft NFS mount this is "
				    "the kernel giving up (timeo x retrans) after the connection to "
				    "the server broke: the server or the path to it is down.",
				 step, strerror(h->err));
		fix = remount_fix(c);
		break;
	case MOUNT_HEALTH_READ_ONLY: {
		k = report_add(r, id, CHECK_FAIL, "%s: read-only (EROFS in %s)", what, step);
		if (c->top && c->top->read_only) {
			meaning = xasprintf("The mount itself is read-only (ro in its options).");
			fix = xasprintf("mount -o remount,rw %s", c->mp);
		} else {
			meaning = xasprintf("The mount is rw but the server refuses writes: the export is "
					    "read-only.");
			fix = xasprintf("on the server %s: export %s with rw, as the guide: %s "
					"100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash), then "
					"exportfs -ra",
					c->cfg->server, c->cfg->export_path, c->cfg->export_path);
		}
		break;
	}
	case MOUNT_HEALTH_DENIED:
		k = report_add(r, id, CHECK_FAIL, "%s: permission denied (%s in %s)", what,
			       errno_name(h->err), step);
		if (h->step >= MOUNT_STEP_CREATE) {
			meaning = xasprintf("Reading works but creating a file does not: the server maps "
					    "root to an anonymous user (root_squash) or the directory is "
					    "not writable for this user.");
			fix = xasprintf("ssh %s 'sudo exportfs -v'   (the guide exports with "
					"rw,no_root_squash)\nor write as a user who owns %s on the server",
					c->cfg->server, c->cfg->export_path);
		} else {
			meaning = xasprintf("The server refuses this client: its export must allow the "
					    "mesh range, and this mount's clientaddr must be a 100.64.x.x "
					    "address (the guide's Permission denied section).");
			fix = xasprintf("ssh %s 'sudo exportfs -v'", c->cfg->server);
		}
		break;
	default:
		k = report_add(r, id, CHECK_FAIL, "%s: %s failed: %s (%s)", what, step,
			       strerror(h->err), errno_name(h->err));
		fix = remount_fix(c);
		break;
	}
	if (fix)
		check_set_fix(k, "%s", fix);
	set_evidence(c, k, h->step, meaning);
}

static int64_t steps_ms(const struct mount_health *h, enum mount_step from, enum mount_step to)
{
	int64_t ms = 0;
	for (int i = from; i <= (int)to; i++)
		if (h->steps[i].done)
			ms += h->steps[i].ms;
	return ms;
}

static void report_responsive(struct mount_view *c, struct report *r)
{
	const struct mount_health *h = &c->h;
	struct check *k;

	if (h->state == MOUNT_HEALTH_OK || h->step >= MOUNT_STEP_CREATE) {
		k = report_add(r, "mount.responsive", CHECK_OK, "ls %s: %u entr%s", c->mp, h->entries,
			       h->entries == 1 ? "y" : "ies");
		k->ms = steps_ms(h, MOUNT_STEP_ROOT, MOUNT_STEP_READDIR);
		return;
	}
	if (h->state == MOUNT_HEALTH_NOT_MOUNTED) {
		report_add(r, "mount.responsive", CHECK_SKIP, "%s is no longer a mount point (%s)",
			   c->mp, h->err ? strerror(h->err) : "unmounted since mountinfo was read");
		return;
	}
	if (h->state == MOUNT_HEALTH_HUNG) {
		hung_check(c, r, "mount.responsive",
			   xasprintf("blocked: `ls %s` did not answer within %.1f s (stuck in %s, "
				     "state %c)",
				     c->mp, c->d->timeout_ms / 1000.0, mount_step_name(h->step),
				     h->proc_state ? h->proc_state : '?'));
		return;
	}
	error_check(c, r, "mount.responsive", "ls");
}

static void report_write(struct mount_view *c, struct report *r)
{
	const struct mount_health *h = &c->h;
	struct check *k;

	if (h->state != MOUNT_HEALTH_OK && h->step < MOUNT_STEP_CREATE) {
		report_add(r, "mount.write", CHECK_SKIP, "not tried: %s",
			   h->state == MOUNT_HEALTH_HUNG ? "the mount is hung (see mount.responsive)"
							 : "reading already failed (see mount.responsive)");
		return;
	}
	if (h->state == MOUNT_HEALTH_OK) {
		k = report_add(r, "mount.write", CHECK_OK, "created, wrote and removed %s/%s", c->mp,
			       h->probe_file);
		k->ms = steps_ms(h, MOUNT_STEP_CREATE, MOUNT_STEP_UNLINK);
		return;
	}
	if (h->state == MOUNT_HEALTH_HUNG) {
		hung_check(c, r, "mount.write",
			   xasprintf("blocked: %s of a file in %s did not answer within %.1f s "
				     "(state %c)",
				     mount_step_name(h->step), c->mp, c->d->timeout_ms / 1000.0,
				     h->proc_state ? h->proc_state : '?'));
		return;
	}
	error_check(c, r, "mount.write", h->step == MOUNT_STEP_CREATE ? "touch" : "rm");
}

static void report_stale(struct mount_view *c, struct report *r)
{
	const struct mount_health *h = &c->h;
	struct check *k;

	for (int i = 0; i < MOUNT_STEP__MAX; i++) {
		if (!h->steps[i].done || h->steps[i].err != ESTALE)
			continue;
		k = report_check(r, "mount.stale", CHECK_FAIL,
				 .summary = xasprintf("stale file handle on %s (ESTALE in %s)",
						      c->mp, mount_step_name((enum mount_step)i)),
				 .fix = xasprintf("umount -l %s && mount %s", c->mp, c->mp));
		set_evidence(c, k, (enum mount_step)i,
			     "The server no longer knows the file handle this mount holds: the "
			     "export was moved or re-created, the server restarted with another "
			     "export, or WSL2 restarted under the mount. Nothing on this mount works "
			     "until it is mounted again (the guide's \"Stale file handle\" section).");
		return;
	}
	if (h->state == MOUNT_HEALTH_HUNG && h->step <= MOUNT_STEP_READDIR)
		report_add(r, "mount.stale", CHECK_SKIP, "cannot tell: the mount is hung");
	else if (h->state == MOUNT_HEALTH_NOT_MOUNTED)
		report_add(r, "mount.stale", CHECK_SKIP, "%s is no longer a mount point", c->mp);
	else
		report_add(r, "mount.stale", CHECK_OK, "no stale file handle");
}

static void skip_health(struct report *r, const char *fmt, const char *arg)
{
	static const char *const ids[] = { "mount.responsive", "mount.write", "mount.stale" };
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		report_add(r, ids[i], CHECK_SKIP, fmt, arg);
}

/* ---- the judge ---- */

void doctor_judge_mount(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_mount_facts *m = &f->mount;
	struct mount_view c = { .d = f, .cfg = f->cfg, .mp = f->cfg->mountpoint,
				.mountinfo = m->mountinfo, .top = m->top, .automount = m->automount,
				.probed = m->probed, .h = m->health };

	if (f->is_server) {
		static const char *const ids[] = { "mount.present", "mount.responsive", "mount.write",
						   "mount.stale" };
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
			report_add(r, ids[i], CHECK_SKIP,
				   "this node holds the server address %s: it exports, it does not mount",
				   f->cfg->server);
		return;
	}
	if (!m->gathered)
		return;
	if (m->read_rc == -EBADMSG) {
		report_check(r, "mount.present", CHECK_FAIL,
			     .summary = xasprintf("%s", m->read_msg),
			     .detail = xasprintf("What is mounted cannot be read: "
						 "%s is not a mountinfo table.",
						 m->mountinfo));
	} else if (m->read_rc < 0)
		report_add(r, "mount.present", CHECK_FAIL, "cannot read %s: %s", m->mountinfo,
			   strerror(-m->read_rc));
	if (m->read_rc < 0) {
		skip_health(r, "%s", "what is mounted is not known (see mount.present)");
		return;
	}
	if (m->stack.bad_line) {
		char msg[DOCTOR_MSG];
		diag_format(&m->stack.bad, msg, sizeof(msg));
		report_add(r, "mount.input", CHECK_WARN, "%s", msg);
	}
	report_present(&c, r);
	if (!c.top)
		skip_health(r, "nothing is mounted at %s (see mount.present)", c.mp);
	else if (!m->live)
		skip_health(r, "%s", "--root names another machine's files: its mount cannot be "
				      "exercised from here");
	else if (!c.probed)
		skip_health(r, "%s", "the probe could not start (fork or pipe failed)");
	else {
		report_responsive(&c, r);
		report_write(&c, r);
		report_stale(&c, r);
	}
}

void doctor_judge_mountpoint(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_mount_facts *m = &f->mount;
	const char *mp = f->cfg->mountpoint;

	if (!m->gathered || m->read_rc < 0 || m->top)
		return; /* the server, or something is mounted there: the point exists */
	switch (m->point_rc) {
	case 0:
		report_add(r, "mount.point", CHECK_OK, "%s is a directory: a mount can go there", mp);
		return;
	case -ENOENT:
		report_check(r, "mount.point", CHECK_WARN,
			     .summary = xasprintf("%s does not exist (the guide's step 2)", mp),
			     .detail = xasprintf("mount fails with \"mount point does not exist\"; "
						 "systemd's x-systemd.automount creates it itself."),
			     .fix = xasprintf("sudo mkdir -p %s", mp));
		return;
	case -ENOTDIR:
		report_check(r, "mount.point", CHECK_FAIL,
			     .summary = xasprintf("%s is not a directory", mp),
			     .fix = xasprintf("move the file away, then: sudo mkdir -p %s", mp));
		return;
	default:
		report_add(r, "mount.point", CHECK_SKIP, "cannot tell whether %s exists: %s", mp,
			   strerror(-m->point_rc));
	}
}

/* ---- gather (I/O) ---- */

/* Nothing is mounted at mp: is it a directory? Live, in the health probe's child (a hung
 * mount above it blocks the child, not doctor); under --root, a file there. */
static int point_rc(const char *mp, bool live, int timeout_ms)
{
	struct mount_health h;
	struct stat st;

	if (live) {
		struct mount_health_opts o = { .timeout_ms = timeout_ms,
					       .kill_grace_ms = doctor_kill_grace_ms(timeout_ms) };
		if (mount_health_check(mp, &o, &h) < 0)
			return -ECHILD;
		if (h.state != MOUNT_HEALTH_NOT_MOUNTED)
			return h.state == MOUNT_HEALTH_HUNG ? -ETIMEDOUT : 0;
		return h.err ? -h.err : 0;
	}
	_cleanup_free_ char *p = root_path(mp);
	if (stat(p, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}


static int read_stack(struct doctor_mount_facts *m, const char *mp)
{
	struct diag dg = { 0 };

	mount_stack_free(&m->stack);
	m->top = NULL;
	m->read_rc = mountinfo_read(m->mountinfo, mp, &m->stack, &dg);
	if (m->read_rc == -EBADMSG)
		diag_format(&dg, m->read_msg, sizeof(m->read_msg));
	if (m->read_rc < 0)
		return m->read_rc;
	m->top = mount_stack_top(&m->stack);
	m->automount = mount_stack_find_type(&m->stack, "autofs") != NULL;
	return 0;
}

void doctor_gather_mount(struct doctor_facts *f)
{
	struct doctor_mount_facts *m = &f->mount;
	const char *mp = f->cfg->mountpoint;

	if (f->is_server)
		return;
	m->gathered = true;
	m->live = root_is_host();
	m->mountinfo = root_path("/proc/self/mountinfo");
	if (read_stack(m, mp) < 0)
		return;
	if (!m->top)
		m->point_rc = point_rc(mp, m->live, f->timeout_ms);
	if (!m->top || !m->live)
		return;
	struct mount_health_opts o = {
		.timeout_ms = f->timeout_ms,
		.kill_grace_ms = doctor_kill_grace_ms(f->timeout_ms),
		.write = true,
	};
	bool was_autofs = streq(m->top->fstype, "autofs");
	if (mount_health_check(mp, &o, &m->health) == 0)
		m->probed = true;
	/* The probe's access may have triggered the automount: see what it mounted. */
	if (was_autofs)
		read_stack(m, mp);
}
