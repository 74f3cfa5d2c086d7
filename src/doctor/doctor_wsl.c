/* SPDX-License-Identifier: MIT */
/* The WSL2 checks that need no network: wsl.interop, wsl.networking_mode, wsl.wslconfig,
 * wsl.systemd, wsl.tailscaled. Each names its cause and the exact fix, and on which side
 * (the distro or Windows) to apply it. Only on WSL2 (node.kind covers WSL1). */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "format/mnttab.h"
#include "node/wslconfig.h"

#include <errno.h>
#include <libmount.h>
#include <sys/stat.h>

#define RESTART_WSL                                                                          \
	"then, on Windows (PowerShell or cmd), run `wsl --shutdown` and wait about 8 seconds " \
	"before opening the distro again"

/* Configured mirrored, running NAT by wslinfo's word: WSL fell back (mode_fallback). */
static bool fell_back(const struct wsl_info *w)
{
	const char *configured = w->configured_mode ? wsl_mode_normalize(w->configured_mode) : NULL;

	return streq(w->networking_mode, "nat") && configured && streq(configured, "mirrored") &&
	       w->mode_source == MODE_FROM_WSLINFO;
}

/* --- wsl.interop --- */

static void check_interop(const struct doctor_facts *d, struct report *r)
{
	const struct wsl_info *w = &d->node->wsl;
	struct check *c;

	if (w->conf_interop == SETTING_OFF) {
		report_check(r, "wsl.interop", CHECK_FAIL,
			     .summary = xasprintf("interop is off in /etc/wsl.conf ([interop] "
						  "enabled=false): Windows programs cannot run from "
						  "this distro"),
			     .detail = xasprintf("meshnfs asks the Windows host's Tailscale "
						 "(tailscale.exe) and its listening ports "
						 "(netstat.exe) through interop."),
			     .fix = xasprintf("In /etc/wsl.conf set `enabled=true` under [interop] "
					      "(or delete the line), " RESTART_WSL "."));
		return;
	}
	if (!w->binfmt_present) {
		c = report_add(r, "wsl.interop", CHECK_FAIL,
			       "no WSLInterop entry in /proc/sys/fs/binfmt_misc: running a .exe "
			       "fails with \"Exec format error\"%s%s%s",
			       w->exe_error ? " (measured: " : "",
			       w->exe_error ? w->exe_error_program : "",
			       w->exe_error ? ")" : "");
		if (d->node->systemd) {
			check_set_detail(c, "systemd is running: its systemd-binfmt.service reloads "
					    "binfmt_misc at boot and drops the entry WSL registered "
					    "(microsoft/WSL#8843).");
			check_set_fix(c, "echo ':WSLInterop:M::MZ::/init:PF' | sudo tee "
					 "/usr/lib/binfmt.d/WSLInterop.conf && sudo systemctl restart "
					 "systemd-binfmt");
		} else {
			check_set_detail(c, "WSL registers the entry when the distro starts; something "
					    "removed it since.");
			check_set_fix(c, "On Windows (PowerShell or cmd), run `wsl --shutdown` and open "
					 "the distro again.");
		}
		return;
	}
	if (!w->binfmt_interop) {
		report_check(r, "wsl.interop", CHECK_FAIL,
			     .summary = xasprintf("the WSLInterop binfmt entry is disabled: Windows "
						  "programs cannot run"),
			     .fix = xasprintf("echo 1 | sudo tee "
					      "/proc/sys/fs/binfmt_misc/WSLInterop"));
		return;
	}
	if (w->exe_error) {
		c = report_add(r, "wsl.interop", CHECK_FAIL, "%s could not be run: %s",
			       w->exe_error_program, strerror(-w->exe_error));
		if (w->exe_error == -EACCES) {
			check_set_detail(c, "Permission denied on a Windows program usually means the "
					    "drive is mounted noexec ([automount] options in "
					    "/etc/wsl.conf).");
			check_set_fix(c, "Remove `noexec` from [automount] options in /etc/wsl.conf, "
					 RESTART_WSL ".");
		} else
			check_set_fix(c, "On Windows (PowerShell or cmd), run `wsl --shutdown` and open "
					 "the distro again.");
		return;
	}
	report_add(r, "wsl.interop", CHECK_OK, "Windows programs run from this distro (binfmt "
					       "WSLInterop enabled%s)",
		   w->exe_ran ? ", cmd.exe answered" : "");
}

/* --- wsl.networking_mode --- */

static void mode_fallback(const struct doctor_facts *d, struct report *r)
{
	const char *ver = d->wsl.asked_windows ? d->wsl.winver : NULL;
	unsigned build = d->wsl.build;

	if (d->node->wsl.interop && d->wsl.asked_windows && d->wsl.winver_rc == 0 &&
	    build < WSL_MIRRORED_MIN_BUILD) {
		report_check(r, "wsl.networking_mode", CHECK_WARN,
			     .summary = xasprintf("configured mirrored, running NAT: Windows %s "
						  "(build %u) has no mirrored networking",
						  ver, build),
			     .detail = xasprintf("Mirrored networking needs Windows 11 22H2 (build "
						 "%u) or later; on older Windows WSL says "
						 "\"Mirrored networking mode is not supported, "
						 "falling back to NAT networking\". Under NAT "
						 "outbound NFS to the mesh still works through the "
						 "host; inbound does not.",
						 WSL_MIRRORED_MIN_BUILD),
			     .fix = xasprintf("Upgrade Windows to 11 22H2 or later (on Windows). "
					      "Until then the NAT fallback works for the NFS mount: "
					      "see wsl.nfs_networking."));
		return;
	}
	report_check(r, "wsl.networking_mode", CHECK_WARN,
		     .summary = xasprintf("configured mirrored (%s line %u), but wslinfo says "
					  "NAT", d->node->wsl.wslconfig,
					  d->node->wsl.configured_line),
		     .detail = xasprintf("%s%s%sEither .wslconfig changed after the WSL VM "
					 "started (it is read only at start), or WSL fell back "
					 "to NAT at start (\"Mirrored networking mode is not "
					 "supported, falling back to NAT networking\": Windows "
					 "older than 11 22H2, or a WSL older than 2.0).",
					 ver ? "Windows " : "", ver ? ver : "", ver ? ". " : ""),
		     .fix = xasprintf("On Windows (PowerShell or cmd): `wsl --update`, then "
				      "`wsl --shutdown`, wait about 8 seconds and open the "
				      "distro again."));
}

static void check_networking_mode(const struct doctor_facts *d, struct report *r)
{
	const struct node_info *n = d->node;
	const struct wsl_info *w = &n->wsl;
	const char *mode = w->networking_mode, *src = mode_source_name(w->mode_source);

	if (streq(mode, "mirrored")) {
		char a[16];
		if (w->mode_source == MODE_FROM_WSLINFO || n->n_addrs) {
			if (n->n_addrs)
				ipv4_format(n->addrs[0], a, sizeof(a));
			report_add(r, "wsl.networking_mode", CHECK_OK,
				   "mirrored (%s%s%s): this distro shares the Windows host's addresses",
				   w->mode_source == MODE_FROM_WSLINFO ? "wslinfo" : "configured; ",
				   w->mode_source != MODE_FROM_WSLINFO ? "the host's mesh address " : "",
				   w->mode_source != MODE_FROM_WSLINFO ? a : "");
			return;
		}
		report_check(r, "wsl.networking_mode", CHECK_WARN,
			     .summary = xasprintf("mirrored is configured but not confirmed: no "
						  "wslinfo (WSL older than 2.0?) and no mesh "
						  "address visible here"),
			     .fix = xasprintf("On Windows: `wsl --update`, then `wsl --shutdown` "
					      "and open the distro again."));
		return;
	}
	if (fell_back(w)) {
		mode_fallback(d, r);
		return;
	}
	if (streq(mode, "nat")) {
		report_check(r, "wsl.networking_mode", CHECK_WARN,
			     .summary = xasprintf("NAT (%s): outbound NFS works through the Windows "
						  "host, but this distro has no mesh address and "
						  "its services are not reachable from the mesh",
						  src),
			     .detail = xasprintf("Under NAT the NFS server sees connections from "
						 "the Windows host's NATed ports (above 1023): an "
						 "export without `insecure` refuses them. The "
						 "guide's Working Model is mirrored networking."),
			     .fix = xasprintf("meshnfs setup wsl   (writes [wsl2] "
					      "networkingMode=mirrored into "
					      "%%USERPROFILE%%\\.wslconfig), " RESTART_WSL "."));
		return;
	}
	report_check(r, "wsl.networking_mode", streq(mode, "none") ? CHECK_FAIL : CHECK_WARN,
		     .summary = xasprintf("%s networking (%s): %s", mode, src,
					  streq(mode, "none") ? "this distro has no network at all"
							      : "not a mode the guide covers"),
		     .fix = xasprintf("meshnfs setup wsl   (sets [wsl2] "
				      "networkingMode=mirrored), " RESTART_WSL
				      "."));
}

/* --- wsl.wslconfig --- */

static void check_wslconfig(const struct doctor_facts *d, struct report *r)
{
	const struct wsl_info *w = &d->node->wsl;
	const struct text *t = &d->wsl.wslconfig_text;
	struct wslcfg_lint l = { 0 };
	struct check *c;

	if (!w->wslconfig) {
		report_check(r, "wsl.wslconfig", CHECK_WARN,
			     .summary = xasprintf("no %%USERPROFILE%%\\.wslconfig found: WSL runs "
						  "with its defaults (NAT)"),
			     .detail = xasprintf("Looked for it through cmd.exe and wslpath%s.",
						 w->interop ? "" : " (interop is off) and under /mnt/c/Users"),
			     .fix = xasprintf("meshnfs setup wsl   (creates it with [wsl2] "
					      "networkingMode=mirrored)"));
		return;
	}
	if (d->wsl.wslconfig_rc < 0) {
		report_check(r, "wsl.wslconfig", CHECK_WARN,
			     .summary = xasprintf("cannot read .wslconfig: %s",
						  d->wsl.wslconfig_msg),
			     .fix = xasprintf("Save %s again as UTF-8 or UTF-16 (Notepad: \"Save "
					      "as\", encoding UTF-8), or delete it and run `meshnfs "
					      "setup wsl`.",
					      w->wslconfig));
		return;
	}
	wslconfig_lint(&d->wsl.wslconfig, &l);
	if (l.n) {
		struct buf det = { 0 };
		buf_append(&det, "", 0);
		for (size_t i = 1; i < l.n; i++) /* the first one is the summary and the fix */
			buf_printf(&det, "%s%s:%u: %s%s%s", i > 1 ? "\n" : "", w->wslconfig,
				   l.v[i].line, l.v[i].msg, l.v[i].fix ? "; write: " : "",
				   l.v[i].fix ? l.v[i].fix : "");
		c = report_add(r, "wsl.wslconfig", CHECK_WARN, "%s:%u: %s", w->wslconfig, l.v[0].line,
			       l.v[0].msg);
		if (det.len)
			check_set_detail(c, "%s", det.data);
		check_set_fix(c, "Edit %s line %u%s%s, or run `meshnfs setup wsl` (it corrects "
				 "[wsl2] networkingMode in place, keeping the file's encoding and "
				 "comments); " RESTART_WSL ".",
			      w->wslconfig, l.v[0].line, l.v[0].fix ? ": write " : "",
			      l.v[0].fix ? l.v[0].fix : "");
		buf_free(&det);
	} else if (!l.mode) {
		report_check(r, "wsl.wslconfig", CHECK_WARN,
			     .summary = xasprintf("%s has no [wsl2] networkingMode: WSL uses "
						  "NAT", w->wslconfig),
			     .fix = xasprintf("meshnfs setup wsl   (adds [wsl2] "
					      "networkingMode=mirrored, keeping everything "
					      "else), " RESTART_WSL "."));
	} else
		report_add(r, "wsl.wslconfig", CHECK_OK, "%s:%u: [wsl2] networkingMode=%s (%s%s)",
			   w->wslconfig, l.mode_line, l.mode, text_encoding_name(t->encoding),
			   t->crlf ? ", CRLF" : "");
	wslcfg_lint_free(&l);
}

/* --- wsl.systemd --- */

static void check_systemd(const struct doctor_facts *d, struct report *r)
{
	const struct node_info *n = d->node;
	const struct wsl_info *w = &n->wsl;
	const struct doctor_fstab_use *u = &d->wsl.fstab;

	if (n->systemd) {
		report_add(r, "wsl.systemd", CHECK_OK, "systemd is running%s",
			   u->xsystemd[0] ? ": the x-systemd.* options in /etc/fstab take effect" : "");
		return;
	}
	if (w->conf_boot_systemd == SETTING_ON) {
		report_check(r, "wsl.systemd", CHECK_WARN,
			     .summary = xasprintf("/etc/wsl.conf asks for systemd ([boot] "
						  "systemd=true) but systemd is not running"),
			     .detail = xasprintf("The distro has not been restarted since the "
						 "setting was made, or WSL is older than 0.67.6 (no "
						 "systemd support)."),
			     .fix = xasprintf("On Windows (PowerShell or cmd): `wsl --update`, then "
					      "`wsl --shutdown`, wait about 8 seconds and open the "
					      "distro again."));
		return;
	}
	if (u->nfs[0] && w->conf_mount_fstab != SETTING_OFF) {
		report_check(r, "wsl.systemd", CHECK_WARN,
			     .summary = xasprintf("/etc/fstab mounts NFS (%s) while systemd is off "
						  "and mountFsTab is on: an unreachable server can "
						  "stall the distro's start",
						  u->nfs),
			     .detail = xasprintf("Without systemd, WSL itself mounts /etc/fstab "
						 "when the distro starts ([automount] mountFsTab, "
						 "on by default), before the network to the mesh is "
						 "up, and waits for it; the guide's "
						 "x-systemd.automount and _netdev need systemd to "
						 "do anything."),
			     .fix = xasprintf("meshnfs setup wsl   (sets [boot] systemd=true in "
					      "/etc/wsl.conf), "
					      RESTART_WSL ". Or set `mountFsTab=false` under [automount] in "
					      "/etc/wsl.conf and mount by hand."));
		return;
	}
	if (u->xsystemd[0]) {
		report_check(r, "wsl.systemd", CHECK_WARN,
			     .summary = xasprintf("x-systemd.* options in /etc/fstab (%s) do "
						  "nothing: systemd is not running",
						  u->xsystemd),
			     .fix = xasprintf("meshnfs setup wsl   (sets [boot] systemd=true in "
					      "/etc/wsl.conf), "
					      RESTART_WSL "."));
		return;
	}
	report_add(r, "wsl.systemd", u->error[0] ? CHECK_WARN : CHECK_OK,
		   "systemd is off; nothing in /etc/fstab needs it%s%s%s", u->error[0] ? " (" : "",
		   u->error, u->error[0] ? ")" : "");
}

/* --- wsl.tailscaled --- */

static void check_tailscaled(const struct doctor_facts *d, struct report *r)
{
	const struct node_info *n = d->node;
	bool enabled = d->wsl.tailscaled_enabled;
	char pid[32] = "";

	if (n->tailscaled_pid)
		snprintf(pid, sizeof(pid), "pid %d", (int)n->tailscaled_pid);
	if (n->tailscaled_pid || n->tailscale_iface) {
		_cleanup_free_ char *stop =
			n->systemd ? xstrdup("sudo systemctl disable --now tailscaled")
			: n->tailscaled_pid ? xasprintf("sudo kill %d", (int)n->tailscaled_pid)
					    : xstrdup("sudo ip link delete tailscale0");
		report_check(r, "wsl.tailscaled", CHECK_FAIL,
			     .summary = xasprintf("a tailscaled runs inside WSL2 (%s%s%s%s%s)",
						  pid,
						  *pid && n->tailscale_iface ? ", " : "",
						  n->tailscale_iface ? "tailscale0 present" : "",
						  enabled ? ", enabled at boot" : "",
						  n->tailscaled_socket ? ", socket present" : ""),
			     .detail = xasprintf("WSL2 must ride the Windows host's Tailscale. "
						 "A second tailscaled here tunnels WireGuard "
						 "inside the host's WireGuard (its packets "
						 "cannot fit), claims a second mesh identity "
						 "for addresses the distro shares with Windows "
						 "in mirrored mode, usually has no TUN device "
						 "and no control of the host's routes, and its "
						 "replies leave by another path than the "
						 "requests came (asymmetric routing)."),
			     .fix = xasprintf("%s; then remove the node it registered from Headscale "
					      "(`headscale nodes list`, then `headscale nodes delete "
					      "--identifier ID`; see wsl.stale_identity).",
					      stop));
		return;
	}
	if (enabled || n->tailscaled_socket) {
		report_check(r, "wsl.tailscaled", CHECK_WARN,
			     .summary = xasprintf("tailscaled is not running inside WSL2, but %s",
						  enabled ? "it is enabled and starts with the distro"
							  : "its socket /var/run/tailscale/tailscaled.sock is left over"),
			     .fix = xasprintf("%s",
					      enabled ? "sudo systemctl disable --now tailscaled"
							    : "sudo rm /var/run/tailscale/tailscaled.sock"));
		return;
	}
	report_add(r, "wsl.tailscaled", CHECK_OK,
		   "no tailscaled inside WSL2: it rides the Windows host's Tailscale");
}

void doctor_judge_wsl(const struct doctor_facts *d, struct report *r)
{
	if (d->node->kind != NODE_WSL2 || !d->wsl.gathered)
		return;
	check_tailscaled(d, r);
	check_interop(d, r);
	check_networking_mode(d, r);
	check_wslconfig(d, r);
	check_systemd(d, r);
}

/* ---- gather (I/O) ---- */

static void read_fstab(struct doctor_fstab_use *u)
{
	_cleanup_free_ char *path = root_path("/etc/fstab"), *data = NULL;
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	struct diag dg = { 0 };
	size_t len = 0;

	*u = (struct doctor_fstab_use){ 0 };
	/* Read by the one safe reader (under the root, never blocking), parsed from memory:
	 * libmount's own open followed links out of the root and blocked on a FIFO. */
	int e = read_input(path, 4 * 1024 * 1024, &data, &len, &dg);
	if (e == -ENOENT)
		return;
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (e < 0) {
		diag_format(&dg, u->error, sizeof(u->error));
		goto out;
	}
	if (!it || mnttab_parse_buffer(path, data, len, NULL, NULL, &tb) < 0 || !tb) {
		snprintf(u->error, sizeof(u->error), "%s: cannot parse", path);
		goto out;
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *type = mnt_fs_get_fstype(fs), *opts = mnt_fs_get_options(fs);
		const char *src = mnt_fs_get_source(fs), *tgt = mnt_fs_get_target(fs);
		bool noauto = opts && mnt_fs_get_option(fs, "noauto", NULL, NULL) == 0;
		if (!u->nfs[0] && type && (streq(type, "nfs") || streq(type, "nfs4")) && !noauto)
			snprintf(u->nfs, sizeof(u->nfs), "%s on %s", src ? src : "?", tgt ? tgt : "?");
		if (!u->xsystemd[0] && opts && strstr(opts, "x-systemd."))
			snprintf(u->xsystemd, sizeof(u->xsystemd), "%s", tgt ? tgt : "?");
	}
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
}

static void read_wslconfig(struct doctor_wsl_facts *f, const char *path)
{
	_cleanup_free_ char *data = NULL;
	struct diag dg = { 0 };
	size_t len;
	int e = read_input(path, 256 * 1024, &data, &len, &dg);

	if (e == 0)
		e = text_decode(path, data, len, &f->wslconfig_text, &dg);
	if (e == 0)
		e = ini_parse_buffer(path, f->wslconfig_text.utf8, f->wslconfig_text.len, true,
				     &f->wslconfig, &dg);
	f->wslconfig_rc = e;
	if (e < 0) {
		if (dg.msg[0])
			diag_format(&dg, f->wslconfig_msg, sizeof(f->wslconfig_msg));
		else
			snprintf(f->wslconfig_msg, sizeof(f->wslconfig_msg), "%s: %s", path,
				 strerror(-e));
	}
}

void doctor_gather_wsl(struct doctor_facts *f)
{
	const struct wsl_info *w = &f->node->wsl;
	struct doctor_wsl_facts *g = &f->wsl;

	if (f->node->kind != NODE_WSL2)
		return;
	g->gathered = true;
	g->tailscaled_enabled =
		root_entry_exists("/etc/systemd/system/multi-user.target.wants/tailscaled.service");
	if (fell_back(w) && w->interop) {
		g->asked_windows = true;
		g->winver_rc = wsl_windows_version(f->timeout_ms, &g->winver, &g->build);
	}
	if (w->wslconfig)
		read_wslconfig(g, w->wslconfig);
	read_fstab(&g->fstab);
}
