/* SPDX-License-Identifier: MIT */
/* The client side of the guide, from files only: client.packages (step 1: nfs-common gives
 * mount.nfs4) and fstab.entry (step 4: the entry, as the configuration wants it on this
 * node). Not run on the node that holds the server's address. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "core/safewrite.h"
#include "fstab/fstab.h"
#include "node/host.h"

#include <errno.h>

static void packages(const struct doctor_facts *d, struct report *r)
{
	struct check *c;

	if (d->client.have_mount_nfs4) {
		report_add(r, "client.packages", CHECK_OK, "mount.nfs4 is installed (nfs-common)");
		return;
	}
	c = report_add(r, "client.packages", CHECK_FAIL,
		       "mount.nfs4 is missing: this node cannot mount NFS (the guide's step 1)");
	if (d->node->debian_like)
		check_set_fix(c, "sudo apt-get install nfs-common   (or: sudo meshnfs setup client)");
	else
		check_set_fix(c, "install the NFS client package (nfs-utils on Fedora, RHEL, Arch; "
				 "nfs-client on openSUSE)");
}

/* The guide's own fstab line (step 4) from the built-in defaults, whose mount options are the
 * ones measured best (bench/README.md, mount-options), not the guide's soft,timeo=150. */
static char *guide_line(void)
{
	struct config g = { 0 };

	config_defaults(&g);
	char *l = xasprintf("%s:%s  %s  nfs4  %s  0  0", g.server, g.export_path, g.mountpoint,
			    g.mount_options);
	config_free(&g);
	return l;
}

static void entry(const struct doctor_facts *d, struct report *r)
{
	const struct doctor_client_facts *cf = &d->client;
	const char *path = cf->fstab_path;
	_cleanup_free_ char *want_source = config_nfs_source(d->cfg->server, d->cfg->export_path);
	_cleanup_free_ char *want_opts = node_fstab_options(d->node, d->cfg->mount_options);
	const char *order = node_mesh_order_option(d->node);
	_cleanup_free_ char *missing = NULL, *extra = NULL;
	struct diag dg = { 0 };
	const struct fstab *f = &cf->fstab;
	struct check *c;
	char msg[DOCTOR_MSG];

	if (cf->read_rc < 0) {
		report_add(r, "fstab.entry", CHECK_FAIL, "%s: cannot read: %s", path,
			   read_strerror(cf->read_rc));
		return;
	}
	if (cf->parse_rc < 0) {
		report_check(r, "fstab.entry", CHECK_FAIL,
			     .summary = xasprintf("%s", cf->parse_msg),
			     .detail = xasprintf("mount -a, systemd's fstab generator and WSL's "
						 "automount read this file; meshnfs will not edit "
						 "it until the line is fixed."),
			     .fix = xasprintf("correct that line of /etc/fstab (findmnt --verify "
					      "shows the problems)"));
		return;
	}
	int i = fstab_find(f, d->cfg->mountpoint, &dg);
	if (i == -EBADMSG) {
		diag_format(&dg, msg, sizeof(msg));
		report_check(r, "fstab.entry", CHECK_FAIL,
			     .summary = xasprintf("%s", msg),
			     .fix = xasprintf("remove one of the two entries, then: sudo meshnfs "
					      "setup client"));
		return;
	}
	if (i < 0) {
		c = report_add(r, "fstab.entry", CHECK_FAIL, "/etc/fstab has no entry for %s",
			       d->cfg->mountpoint);
		_cleanup_free_ char *want = xasprintf("%s  %s  nfs4  %s  0  0", want_source,
						      d->cfg->mountpoint, want_opts);
		_cleanup_free_ char *guide = guide_line();
		if (streq(want, guide))
			check_set_detail(c, "Without it the share is not mounted at boot (the guide's "
					    "step 4, with the mount options measured best: %s).",
					 guide);
		else
			check_set_detail(c, "Without it the share is not mounted at boot. The guide's "
					    "step 4, with the mount options measured best: %s. The "
					    "entry for this node%s%s%s: %s.",
					 guide, d->node->systemd ? " (from " : "",
					 d->node->systemd ? (d->cfg->source ? d->cfg->source
									    : "the configuration")
							  : " (no systemd here: no x-systemd.* "
							    "options, with 'bg')",
					 d->node->systemd ? ")" : "", want);
		check_set_fix(c, "sudo meshnfs setup client");
		return;
	}
	const struct fstab_line *l = &f->lines[i];
	const char *source = l->field[FSTAB_SOURCE], *type = l->n_fields > 2 ? l->field[FSTAB_TYPE] : "";
	const char *opts = l->n_fields > 3 ? l->field[FSTAB_OPTIONS] : "defaults";
	if (!streq(source, want_source)) {
		report_check(r, "fstab.entry", CHECK_FAIL,
			     .summary = xasprintf("line %u mounts %s on %s, not %s",
						  l->lineno, source,
						  d->cfg->mountpoint, want_source),
			     .fix = xasprintf("sudo meshnfs setup client   (replaces that line in "
					      "place)"));
		return;
	}
	if (!streq(type, "nfs4")) {
		report_check(r, "fstab.entry", CHECK_WARN,
			     .summary = xasprintf("line %u has type '%s', not nfs4",
						  l->lineno, type),
			     .detail = xasprintf("The guide mounts with nfs4; 'nfs' may negotiate "
						 "NFSv3, which needs rpcbind and more ports than "
						 "the mesh opens."),
			     .fix = xasprintf("sudo meshnfs setup client"));
		return;
	}
	/* The ordering is judged on its own: any of Tailscale's units will do. */
	_cleanup_free_ char *have_base = fstab_options_drop_mesh_order(opts);
	_cleanup_free_ char *want_base = fstab_options_drop_mesh_order(want_opts);
	if (!fstab_options_compare(have_base, want_base, &missing, &extra)) {
		c = report_add(r, "fstab.entry", CHECK_WARN,
			       "line %u: options differ from the configuration%s%s%s%s", l->lineno,
			       *missing ? ": missing " : "", missing, *extra ? "; extra " : "", extra);
		bool systemd_opts = strstr(opts, "x-systemd.") != NULL;
		if (!d->node->systemd && systemd_opts)
			check_set_detail(c, "systemd is not running here: x-systemd.* options do "
					    "nothing (no automount, no idle unmount); the entry for this "
					    "node is without them, with 'bg'.");
		else
			check_set_detail(c, "Wanted (%s): %s", d->cfg->source ? d->cfg->source
									       : "the guide's defaults",
					 want_opts);
		check_set_fix(c, "sudo meshnfs setup client");
		return;
	}
	if (order && !fstab_has_mesh_order(opts)) {
		report_check(r, "fstab.entry", CHECK_WARN,
			     .summary = xasprintf("line %u: the mount does not wait for the mesh at "
						  "boot (no %s)",
						  l->lineno, order),
			     .detail = xasprintf("%s",
						 d->node->ts_unit == NODE_TS_UNIT_ONLINE_TARGET
						      ? "tailscaled reports ready before its address can be used "
							"(tailscale/tailscale#11504, #3340): a mount at boot can fail "
							"or hang on the mesh address. tailscale-online.target (installed "
							"here; Tailscale 1.98 on) runs `tailscale wait`, which returns "
							"once the interface is up with its address; the option makes "
							"the mount unit require it and start after it."
						      : "tailscaled.service is installed here, tailscale-online.target "
							"is not (Tailscale before 1.98): the option orders the mount "
							"after tailscaled starts (tailscale/tailscale#11504, #3340: "
							"mounts at boot before the mesh fail or hang). Tailscale 1.98 "
							"and later ship tailscale-online.target, which waits for the "
							"address itself; run setup again after upgrading."),
			     .fix = xasprintf("add %s to the options of line %u of /etc/fstab (or: "
					      "sudo meshnfs setup client), then: sudo systemctl "
					      "daemon-reload",
					      order, l->lineno));
		return;
	}
	report_add(r, "fstab.entry", CHECK_OK, "line %u: %s on %s, nfs4, %s", l->lineno, source,
		   d->cfg->mountpoint, opts);
}

void doctor_judge_client(const struct doctor_facts *d, struct report *r)
{
	if (d->node->kind == NODE_WSL1)
		return; /* node.kind says why WSL1 cannot */
	if (d->is_server) {
		report_add(r, "client.packages", CHECK_SKIP,
			   "this node holds the server address %s: it exports, it does not mount",
			   d->cfg->server);
		report_add(r, "fstab.entry", CHECK_SKIP,
			   "this node holds the server address %s: it exports, it does not mount",
			   d->cfg->server);
		return;
	}
	if (!d->client.gathered)
		return;
	packages(d, r);
	entry(d, r);
}

/* ---- gather (I/O) ---- */

void doctor_gather_client(struct doctor_facts *f)
{
	struct doctor_client_facts *c = &f->client;
	_cleanup_free_ char *data = NULL;
	struct diag dg = { 0 };
	size_t len = 0;

	if (f->node->kind == NODE_WSL1 || f->is_server)
		return; /* judged without facts */
	c->gathered = true;
	c->have_mount_nfs4 = node_have_program("mount.nfs4");
	c->fstab_path = root_path("/etc/fstab");
	c->read_rc = safewrite_read(c->fstab_path, &data, &len);
	if (c->read_rc == -ENOENT) {
		c->read_rc = 0;
		free(data);
		data = xstrdup("");
		len = 0;
	}
	if (c->read_rc < 0)
		return;
	c->parse_rc = fstab_parse(c->fstab_path, data, len, &c->fstab, &dg);
	if (c->parse_rc < 0)
		diag_format(&dg, c->parse_msg, sizeof(c->parse_msg));
}
