/* SPDX-License-Identifier: MIT */
/* What follows from this node's facts (meshnfs env's "What follows"): a judge over node_info,
 * one sentence each, for people and scripts alike. Pure. */
#include "doctor/doctor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct lines {
	char **v;
	size_t n;
};

static void say(struct lines *a, const char *fmt, ...) _printf_(2, 3);
static void say(struct lines *a, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		abort(); /* out of memory, as xasprintf */
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = line;
}

size_t doctor_node_follows(const struct node_info *n, char ***out)
{
	struct lines lines = { 0 }, *a = &lines;
	const struct wsl_info *w = &n->wsl;
#define SAY(...) say(a, __VA_ARGS__)

	switch (n->kind) {
	case NODE_LINUX:
		SAY("Native Linux: runs its own tailscaled and mounts the share from /etc/fstab, "
		    "like the guide's Linux nodes.");
		if (!n->tun)
			SAY("No /dev/net/tun: tailscaled cannot create its interface (kernel mode).");
		break;
	case NODE_WSL1:
		SAY("WSL1 has no Linux kernel and no NFS client: the share cannot be mounted here. "
		    "Convert the distro with `wsl --set-version DISTRO 2` (PowerShell).");
		break;
	case NODE_WSL2:
		SAY("WSL2: must not run its own tailscaled; it rides the Windows host's Tailscale "
		    "(the guide's Working Model).");
		if (streq(w->networking_mode, "mirrored"))
			SAY("Mirrored networking: this distro shares the Windows host's mesh addresses; "
			    "services listening here are reachable from the mesh unless Windows binds "
			    "the same port.");
		else if (streq(w->networking_mode, "nat"))
			SAY("NAT networking: outbound NFS to the mesh still works through the host, but "
			    "this distro has no mesh address and its services are not reachable from the "
			    "mesh; an export without 'insecure' may refuse the NATed source port.");
		else if (streq(w->networking_mode, "none"))
			SAY("Networking is off (networkingMode=none): the mesh cannot be reached.");
		else
			SAY("Networking mode '%s' is not one the guide covers; mirrored is recommended.",
			    w->networking_mode);
		if (w->mode_source != MODE_FROM_WSLINFO)
			SAY("The mode shown is the %s one, not measured: wslinfo (WSL 2.0+) is not "
			    "available to tell the effective mode.",
			    w->mode_source == MODE_FROM_WSLCONFIG ? "configured" : "default");
		if (n->tailscaled_pid || n->tailscaled_socket || n->tailscale_iface)
			SAY("A tailscaled runs inside WSL2: it conflicts with the Windows host's "
			    "Tailscale (run `meshnfs doctor`).");
		break;
	}
	if (n->is_wsl && !w->interop)
		SAY("Interop is off: Windows programs (tailscale.exe, cmd.exe) cannot run from here.");
	if (!n->systemd)
		SAY("systemd is not running: x-systemd.* options in /etc/fstab do nothing%s.",
		    n->is_wsl ? " (set [boot] systemd=true in /etc/wsl.conf)" : "");
	if (n->kind == NODE_WSL2 && w->conf_mount_fstab != SETTING_OFF)
		SAY("WSL mounts /etc/fstab when the distro starts (mountFsTab): an unreachable NFS "
		    "server there can stall the start.");
#undef SAY
	*out = lines.v;
	return lines.n;
}
