/* SPDX-License-Identifier: MIT */
/* The client plan: the guide's "NFS Shared Directory" steps 1-4 on this node. */
#include "setup/setup.h"

#include "core/root.h"
#include "fstab/fstab.h"
#include "mount/mountinfo.h"
#include "setup/setup_private.h"

#include <errno.h>
#include <sys/stat.h>

struct fstab_edit {
	char *file; /* for messages: the real path */
	struct fstab_entry *entries; /* one per share */
	size_t n;
};

/* Every share's entry, one after the other, in one edit (one atomic replacement). */
static int fstab_edit_fn(void *userdata, const char *old, size_t len, bool exists,
			 struct buf *out, struct diag *diag)
{
	const struct fstab_edit *e = userdata;
	struct buf cur = { 0 };
	int r = 0;

	(void)exists;
	buf_append(&cur, old, len);
	for (size_t i = 0; i < e->n && r >= 0; i++) {
		struct buf next = { 0 };
		r = fstab_set_entry(e->file, cur.data ? cur.data : "", cur.len, &e->entries[i],
				    i + 1 == e->n ? out : &next, diag);
		free(cur.data);
		cur = next;
	}
	free(cur.data);
	return r;
}

/* What is mounted on target, from mountinfo under the root (src/mount: no path is touched,
 * so a hung mount cannot block this): the mount a process sees there. 0 with *source and
 * *fstype set (new strings), -ENOENT when nothing is. A right NFS mount under systemd's
 * automount counts as the NFS mount. */
static int mounted_on(const char *target, const char *want_source, char **source, char **fstype)
{
	_cleanup_free_ char *path = root_path("/proc/self/mountinfo");
	struct mount_stack st = { 0 };
	struct diag d = { 0 };
	int r = mountinfo_read(path, target, &st, &d);

	if (r < 0 || st.n == 0) {
		mount_stack_free(&st);
		return -ENOENT; /* no mount table, or nothing there */
	}
	const struct mount_entry *e = mount_stack_top(&st);
	for (size_t i = 0; i < st.n; i++)
		if (startswith(st.entries[i].fstype, "nfs") &&
		    streq_ptr(st.entries[i].source, want_source))
			e = &st.entries[i];
	*source = xstrdup(e->source ? e->source : "");
	*fstype = xstrdup(e->fstype ? e->fstype : "");
	mount_stack_free(&st);
	return 0;
}

int setup_client_plan(const struct setup_client *cs, size_t n_shares,
		      const struct node_info *n, struct plan *p, struct diag *diag)
{
	_cleanup_free_ char *fstab = root_path("/etc/fstab");
	struct buf right = { 0 };
	bool fstab_changes = false;
	int r;

	if (n->kind == NODE_WSL1)
		return diag_set(diag, NULL, 0,
				"WSL1 has no Linux kernel and no NFS client: convert the distro with "
				"`wsl --set-version DISTRO 2` (PowerShell), then run setup again"),
		       -ENOTSUP;

	/* 1. The NFS client (mount.nfs4 comes with nfs-common). */
	if (node_have_program("mount.nfs4"))
		plan_right(p, "setup.packages", "mount.nfs4 is installed (nfs-common)");
	else if (n->debian_like)
		setup_plan_install(p, "mount.nfs4", "nfs-common", cs[0].timeout_ms);
	else {
		diag_set(diag, NULL, 0,
			 "mount.nfs4 is missing and this is not a Debian-like system (%s): install "
			 "the NFS client (nfs-utils on Fedora, RHEL, Arch; nfs-client on openSUSE), "
			 "then run setup again",
			 n->distro ? n->distro : "no /etc/os-release");
		return -ENOPKG;
	}

	/* 2. The fstab entries (one per share, one atomic edit), adapted to whether systemd
	 * runs here. */
	struct fstab_edit *fe = plan_own(p, xcalloc(1, sizeof(*fe)));
	fe->file = plan_own(p, xstrdup(fstab));
	fe->entries = plan_own(p, xcalloc(n_shares, sizeof(*fe->entries)));
	fe->n = n_shares;
	for (size_t i = 0; i < n_shares; i++) {
		const struct setup_client *c = &cs[i];
		_cleanup_free_ char *o = node_fstab_options(n, c->options);
		fe->entries[i] = (struct fstab_entry){
			.source = plan_own(p, config_nfs_source(c->server, c->export_path)),
			.target = plan_own(p, xstrdup(c->mountpoint)),
			.fstype = "nfs4",
			.options = plan_own(p, xstrdup(o)),
		};
		buf_printf(&right, "%s%s %s nfs4 %s", i ? "; " : "", fe->entries[i].source,
			   c->mountpoint, o);
	}

	/* 3. The mount points, planned before the fstab edit so that they are made first: when
	 * one cannot be made, fstab is left as it was (not naming a directory that does not
	 * exist). mountinfo first, so an existing (maybe hung) mount is never touched. */
	bool *mounted = plan_own(p, xcalloc(n_shares, sizeof(bool)));
	/* What is mounted there, said after the fstab step (the order a reader checks it in). */
	char **mount_said = plan_own(p, xcalloc(n_shares, sizeof(char *)));
	bool *mount_wrong = plan_own(p, xcalloc(n_shares, sizeof(bool)));
	for (size_t i = 0; i < n_shares; i++) {
		const struct setup_client *c = &cs[i];
		_cleanup_free_ char *mp_real = root_path(c->mountpoint);
		_cleanup_free_ char *m_source = NULL, *m_type = NULL;
		const char *source = fe->entries[i].source;
		mounted[i] = mounted_on(c->mountpoint, source, &m_source, &m_type) == 0;
		if (mounted[i]) {
			bool right_mount = (streq(m_source, source) && startswith(m_type, "nfs")) ||
					   streq(m_type, "autofs");
			plan_right(p, "setup.mountpoint", "%s exists (a mount point)", c->mountpoint);
			mount_wrong[i] = !right_mount;
			mount_said[i] = plan_own(
				p, right_mount ? xasprintf("%s is mounted from %s (%s)", c->mountpoint,
							   m_source, m_type)
					       : xasprintf("%s is mounted from %s (%s), not from %s: "
							   "unmount it (`umount %s`) and run setup "
							   "again; meshnfs does not unmount what it did "
							   "not mount",
							   c->mountpoint, m_source, m_type, source,
							   c->mountpoint));
			continue;
		}
		struct stat st;
		bool there = root_stat(mp_real, &st) == 0;
		if (there && !S_ISDIR(st.st_mode)) {
			free(right.data);
			return diag_set(diag, mp_real, 0, "exists and is not a directory"), -ENOTDIR;
		}
		if (there)
			plan_right(p, "setup.mountpoint", "%s exists", c->mountpoint);
		else
			plan_add_mkdir(p, "setup.mountpoint", c->mountpoint, mp_real, 0755);
	}

	_cleanup_free_ char *right_text = xasprintf("/etc/fstab has the entr%s %s",
						    n_shares == 1 ? "y" : "ies", right.data);
	free(right.data);
	r = plan_add_write(p, "setup.fstab", "/etc/fstab", fstab, fstab_edit_fn, fe, false, NULL,
			   right_text, diag);
	if (r < 0)
		return r;
	fstab_changes = r > 0;
	const char *order = node_mesh_order_option(n);
	bool ordered = false;
	for (size_t i = 0; order && i < n_shares; i++)
		ordered |= strstr(fe->entries[i].options, order) != NULL;
	if (fstab_changes && ordered) {
		/* Why the entry carries the ordering, in the step's own line. */
		struct plan_step *w = &p->steps[p->n_steps - 1];
		char *t = xasprintf(
			"%s; %s: %s", w->title, order,
			n->ts_unit == NODE_TS_UNIT_ONLINE_TARGET
				? "at boot the mount waits until `tailscale wait` sees the mesh "
				  "address (tailscale-online.target, Tailscale 1.98 on)"
				: "at boot the mount starts after tailscaled (this Tailscale installs no "
				  "tailscale-online.target, which waits for the address: 1.98 on)");
		free(w->title);
		w->title = t;
	}
	if (!n->systemd) {
		plan_note(p, "setup.systemd",
			  "systemd is not running here%s: x-systemd.* options would do nothing (no "
			  "automount, no idle unmount), so the entry is written without them and "
			  "with 'bg' (mount.nfs retries in the background when the server is down)",
			  n->is_wsl ? " ([boot] systemd=true is not in effect in /etc/wsl.conf)" : "");
		if (n->is_wsl && n->wsl.conf_boot_systemd == SETTING_ON)
			plan_note(p, "setup.systemd",
				  "/etc/wsl.conf asks for systemd, but it is not running yet: after "
				  "`wsl --shutdown` (PowerShell) run setup again to get the automount "
				  "entry");
	}
	if (n->is_wsl && !n->systemd && n->wsl.conf_mount_fstab != SETTING_OFF)
		plan_note(p, "setup.wsl",
			  "WSL mounts /etc/fstab itself when the distro starts ([automount] "
			  "mountFsTab, on by default): when %s is unreachable then, the start can "
			  "stall until mount.nfs gives up on its first try. To avoid it, set "
			  "mountFsTab=false in /etc/wsl.conf and mount with `meshnfs repair`, or "
			  "enable systemd ([boot] systemd=true) for an automount",
			  cs[0].server);

	for (size_t i = 0; i < n_shares; i++) {
		if (mount_wrong[i])
			plan_note(p, "setup.mount", "%s", mount_said[i]);
		else if (mount_said[i])
			plan_right(p, "setup.mount", "%s", mount_said[i]);
	}

	/* 4. systemd reads fstab through its generator: reload it, then mount (the guide). */
	if (fstab_changes && n->systemd) {
		const char *argv[] = { "systemctl", "daemon-reload", NULL };
		plan_add_run(p, "setup.systemd",
			     setup_timeout(cs[0].timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS), argv);
	}
	for (size_t i = 0; i < n_shares; i++) {
		if (mounted[i])
			continue;
		const char *argv[] = { "mount", cs[i].mountpoint, NULL };
		plan_add_run(p, "setup.mount",
			     setup_timeout(cs[i].timeout_ms, SETUP_MOUNT_TIMEOUT_MS), argv);
	}
	return 0;
}
