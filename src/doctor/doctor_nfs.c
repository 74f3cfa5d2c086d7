/* SPDX-License-Identifier: MIT */
/* mesh.address, nfs.tcp, nfs.rpc, nfs.export, nfs.write, nfs.root_squash: the probe ladder
 * against the configured server, each step a check with its cause and fix. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "mesh/tailscale.h"
#include "net/gateway.h"
#include "net/net.h"
#include "net/probe.h"

_Static_assert((int)STEP_SKIP == CHECK_SKIP && (int)STEP_OK == CHECK_OK &&
		       (int)STEP_WARN == CHECK_WARN && (int)STEP_FAIL == CHECK_FAIL,
	       "a probe step status converts to a check status by value");

static void addr_list(const struct node_info *n, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->n_addrs + n->n_addrs6 && off + 48 < size; i++) {
		char a[NETADDR_STRLEN];
		struct netaddr na = i < n->n_addrs ? netaddr_ipv4(n->addrs[i]) : n->addrs6[i - n->n_addrs];
		netaddr_format(&na, a, sizeof(a));
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? ", " : "", a);
	}
}

static void check_mesh_address(const struct doctor_facts *d, const struct probe *p, struct report *r)
{
	const struct node_info *n = d->node;
	const char *srv = d->nfs.server ? d->nfs.server : d->cfg->server;
	char range[64], src[NETADDR_STRLEN], addrs[256];
	struct check *c;
	bool wsl2 = n->kind == NODE_WSL2;
	bool nat = wsl2 && n->wsl.networking_mode && !streq(n->wsl.networking_mode, "mirrored");

	if (p->addr.family == AF_INET6)
		cidr6_format(&d->cfg->mesh6, range, sizeof(range));
	else
		cidr_format(&d->cfg->mesh, range, sizeof(range));
	netaddr_format(&p->source, src, sizeof(src));
	addr_list(n, addrs, sizeof(addrs));

	if (!netaddr_is_set(&p->source)) {
		report_check(r, "mesh.address", CHECK_FAIL,
			     .summary = xasprintf("no route to the server %s", srv),
			     .detail = xasprintf("%s",
						 p->steps[PROBE_ROUTE].detail ? p->steps[PROBE_ROUTE].detail
										    : "no route"),
			     .fix = xasprintf("%s",
					      wsl2 ? "Connect the Windows host to the mesh (PowerShell: tailscale "
						  "status; tailscale up), then check from here: ip route get "
						  "the server's address"
						: "Bring this node onto the mesh: sudo tailscale up (Headscale: "
						  "sudo tailscale up --login-server URL); then: tailscale status"));
		return;
	}
	bool known = p->source.family == AF_INET6 ? n->addrs6_known : n->addrs_known;
	if (p->source_in_mesh && (!known || node_holds_netaddr(n, &p->source))) {
		c = report_add(r, "mesh.address", CHECK_OK, "%s; the route to %s leaves from it", src,
			       srv);
		if (n->n_addrs + n->n_addrs6)
			check_set_detail(c, "mesh addresses here (%s): %s%s", range, addrs,
					 wsl2 ? " (shared with the Windows host: mirrored networking)"
					      : "");
		return;
	}
	if (p->source_in_mesh) {
		/* Unusual: a mesh source that this namespace does not hold (--root audit). */
		report_check(r, "mesh.address", CHECK_OK,
			     .summary = xasprintf("the route to %s leaves from %s", srv, src),
			     .detail = xasprintf("%s is in the mesh range %s", src, range));
		return;
	}
	if (nat) {
		report_check(r, "mesh.address", CHECK_WARN,
			     .summary = xasprintf("WSL2 with %s networking: no mesh address here; "
						  "the route to %s leaves from %s (NAT to the "
						  "Windows host)",
						  n->wsl.networking_mode, srv, src),
			     .detail = xasprintf("The guide's working model is mirrored networking, "
						 "where this distro shares the Windows host's mesh "
						 "address. Under NAT, traffic to the mesh is "
						 "translated by the Windows host and should still "
						 "reach the server (the guide's \"Mirrored mode not "
						 "working\"), but the server sees the Windows "
						 "host's address, and exports without `insecure` "
						 "may refuse NATed source ports."),
			     .fix = xasprintf("In %%USERPROFILE%%\\.wslconfig: [wsl2] "
					      "networkingMode=mirrored, then wsl --shutdown "
					      "(PowerShell); check the Windows host: tailscale "
					      "status"));
		return;
	}
	if (n->n_addrs + n->n_addrs6) {
		report_check(r, "mesh.address", CHECK_FAIL,
			     .summary = xasprintf("the route to %s leaves from %s, not from this "
						  "node's mesh address %s",
						  srv, src, addrs),
			     .detail = xasprintf("Traffic to the server does not enter the mesh "
						 "here: another route to %s is preferred over the "
						 "mesh interface's.",
						 srv),
			     .fix = xasprintf("ip route get %s  (it should say `dev tailscale0`); "
					      "restore the mesh's routes: sudo tailscale up; then: "
					      "tailscale status",
					      srv));
		return;
	}
	c = report_add(r, "mesh.address", CHECK_FAIL,
		       "no address in the mesh range %s here; the route to %s leaves from %s", range,
		       srv, src);
	if (wsl2) {
		check_set_detail(c, "In mirrored networking this distro shares the Windows host's mesh "
				    "address; none is visible, so the Windows host is not on the mesh "
				    "or mirrored networking is not in effect (guide: \"Mirrored mode "
				    "not working\").");
		check_set_fix(c, "ip addr | grep 100.64  (here); on Windows, PowerShell: tailscale "
				 "status; tailscale up");
	} else {
		check_set_detail(c, "This node is not on the mesh (no Tailscale address).");
		check_set_fix(c, "sudo tailscale up (Headscale: sudo tailscale up --login-server URL); "
				 "then: tailscale status");
	}
}

/* One nfs.* check from one probe step. */
static void check_step(const struct doctor_facts *d, const struct probe *p, struct report *r,
		       const char *id, enum probe_step_id s, const char *ok_summary,
		       const char *words, const char *fix, enum probe_step_id failed)
{
	const struct probe_step *st = &p->steps[s];
	struct check *c;

	if (st->status == STEP_SKIP) {
		if (failed < s)
			report_add(r, id, CHECK_SKIP, "not tested: the %s step failed",
				   probe_step_name(failed));
		else
			report_add(r, id, CHECK_SKIP, "not tested");
		return;
	}
	if (st->status == STEP_OK) {
		c = report_add(r, id, CHECK_OK, "%s", ok_summary);
		if (st->detail && d->verbose)
			check_set_detail(c, "%s", st->detail);
	} else {
		/* The step's own line says what happened; the detail what it means. */
		enum check_status status = (enum check_status)st->status;
		if (p->diagnosis == PROBE_GRACE && s == PROBE_WRITE)
			status = CHECK_WARN; /* transient: ends by itself */
		c = report_add(r, id, status, "%s", st->detail ? st->detail : "failed");
		if (s == failed && words)
			check_set_detail(c, "%s", words);
		if (s == failed && fix)
			check_set_fix(c, "%s", fix);
	}
	c->ms = st->ms;
}

static void probe_checks(const struct doctor_facts *d, const struct probe *p, struct report *r)
{
	const char *srv = d->nfs.server ? d->nfs.server : d->cfg->server;
	const char *exp = d->cfg->export_path;
	_cleanup_free_ char *words = NULL, *fix = NULL, *tcp_ok = NULL, *rpc_ok = NULL,
			    *exp_ok = NULL, *write_ok = NULL;
	enum probe_step_id failed = PROBE_N_STEPS;

	for (int i = 0; i < PROBE_N_STEPS; i++)
		if (p->steps[i].status == STEP_FAIL) {
			failed = i;
			break;
		}
	words = probe_explain(p, &fix);
	check_mesh_address(d, p, r);
	tcp_ok = xasprintf("%s:%u accepts TCP connections", srv, (unsigned)p->port);
	rpc_ok = xasprintf("the NFSv4 service on %s answers", srv);
	exp_ok = xasprintf("%s exports %s to this client", srv, exp);
	write_ok = xasprintf("%s is writable: create, write, fsync, read back, remove", exp);
	check_step(d, p, r, "nfs.tcp", PROBE_TCP, tcp_ok, words, fix, failed);
	check_step(d, p, r, "nfs.rpc", PROBE_RPC, rpc_ok, words, fix, failed);
	check_step(d, p, r, "nfs.export", PROBE_EXPORT, exp_ok, words, fix, failed);
	check_step(d, p, r, "nfs.write", PROBE_WRITE, write_ok, words, fix, failed);

	const struct probe_step *o = &p->steps[PROBE_OWNERSHIP];
	struct check *c;
	if (o->status == STEP_SKIP) {
		if (p->diagnosis == PROBE_PERMISSION_DENIED)
			c = report_add(r, "nfs.root_squash", CHECK_WARN,
				       "root could not create a file: root squash is likely (see "
				       "nfs.write)");
		else
			c = report_add(r, "nfs.root_squash", CHECK_SKIP, "not tested: no test file");
	} else if (!p->owner_known || p->uid != 0) {
		c = report_add(r, "nfs.root_squash", CHECK_SKIP, "%s",
			       p->uid != 0 ? "not tested: run as root to see whether root is squashed"
					   : o->detail);
	} else if (p->owner == 0) {
		c = report_add(r, "nfs.root_squash", CHECK_OK,
			       "no root squash: root's files stay root's (as the guide's "
			       "no_root_squash)");
	} else {
		c = report_check(r, "nfs.root_squash", CHECK_WARN,
				 .summary = xasprintf("root is squashed: files root creates are "
						      "owned by uid %" PRIu64, p->owner),
				 .detail = xasprintf("The guide exports with no_root_squash; with "
						     "root_squash, root on clients acts as the "
						     "anonymous user (fine for users, surprising "
						     "for root-run services)."),
				 .fix = fix ? xstrdup(fix) : NULL);
	}
	c->ms = o->ms;
}

void doctor_judge_nfs(const struct doctor_facts *f, struct report *r)
{
	if (!f->nfs.gathered)
		return;
	if (f->nfs.resolve_rc < 0) {
		report_check(r, "mesh.address", CHECK_FAIL,
			     .summary = xasprintf("%s", f->nfs.resolve_err),
			     .fix = xasprintf("Use the server's mesh address in "
					      "/etc/meshnfs.conf ([server] "
					      "address = 100.64.0.1), or fix name "
					      "resolution (MagicDNS: tailscale "
					      "status)"));
		static const char *const ids[] = { "nfs.tcp", "nfs.rpc", "nfs.export", "nfs.write",
						   "nfs.root_squash" };
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
			report_add(r, ids[i], CHECK_SKIP, "not tested: the server's name does not resolve");
		return;
	}
	probe_checks(f, &f->nfs.probe, r);
}

/* ---- gather (I/O) ---- */

/* A share with several gateways: the one the client uses (its mount's source, else its fstab
 * entry's: files only, never the mount itself), else the one gateway_choose picks from a
 * probe of each up to the export (the first that answers; none: the first). */
static void choose_server(struct doctor_facts *f)
{
	const struct config_share *s = f->cfg->share;
	struct doctor_nfs_facts *n = &f->nfs;
	const char *const *gw = (const char *const *)s->servers;
	_cleanup_free_ char *mi = root_path("/proc/self/mountinfo"), *ft = root_path("/etc/fstab");
	_cleanup_free_ char *opts = NULL, *fsrc = NULL;
	struct mount_stack st = { 0 };
	struct diag d = { 0 };
	int i = -1;

	if (mountinfo_read(mi, s->mountpoint, &st, &d) == 0 && mount_stack_top(&st))
		i = gateway_in_use(gw, s->n_servers, NULL, mount_stack_top(&st)->source);
	mount_stack_free(&st);
	if (i >= 0) {
		n->server = gw[i];
		n->server_why = "the gateway the mount uses";
		return;
	}
	if (fstab_read_entry(ft, s->mountpoint, &opts, &fsrc, &d) == 0)
		i = gateway_in_use(gw, s->n_servers, fsrc, NULL);
	if (i >= 0) {
		n->server = gw[i];
		n->server_why = "the gateway the fstab entry names";
		return;
	}
	struct probe pr[CONFIG_SHARE_MAX_SERVERS];
	struct gateway_fact g[CONFIG_SHARE_MAX_SERVERS];
	struct gateway_choice c;
	if (gateway_probe_all(gw, s->n_servers, s->export_path, &f->cfg->mesh, f->timeout_ms, true,
			      pr) < 0)
		for (size_t k = 0; k < s->n_servers; k++)
			if (!probe_done(&pr[k]))
				probe_abort(&pr[k], now_ms(), "poll failed");
	for (size_t k = 0; k < s->n_servers; k++) {
		g[k] = (struct gateway_fact){ .host = gw[k], .probed = true,
					      .diagnosis = pr[k].diagnosis };
		probe_free(&pr[k]);
	}
	gateway_choose(g, s->n_servers, -1, -1, &c);
	n->server = gw[c.use >= 0 ? c.use : 0];
	n->server_why = c.use >= 0 ? "no gateway in use here: the first that answers"
				   : "no gateway in use here and none answers: the first";
}

void doctor_gather_nfs(struct doctor_facts *f)
{
	struct doctor_nfs_facts *n = &f->nfs;
	struct netaddr addr;
	struct probe *pp = &n->probe;

	n->gathered = true;
	n->server = f->cfg->server;
	if (f->cfg->share && f->cfg->share->n_servers > 1)
		choose_server(f);
	n->resolve_rc = net_resolve(n->server, f->timeout_ms, &addr, n->resolve_err,
				    sizeof(n->resolve_err));
	if (n->resolve_rc < 0)
		return;
	probe_init(pp, &(struct probe_opts){ .host = n->server, .addr = addr,
					     .export_path = f->cfg->export_path,
					     .mesh = f->cfg->mesh, .mesh6 = f->cfg->mesh6,
					     .step_ms = f->timeout_ms });
	if (probe_loop(&pp, 1, 1, 0) < 0)
		probe_abort(pp, now_ms(), "poll failed");
	/* The SYN unanswered: the mesh's own witness (`tailscale ping --tsmp`), through the CLI
	 * that carries this node (on WSL2 the Windows host's). */
	if (pp->diagnosis == PROBE_UNREACHABLE) {
		struct ts_cli cli;
		char err[512];
		if (ts_cli_find(f->node->kind == NODE_WSL2, &cli) == 0)
			probe_tsmp(pp, cli.path, cli.exact, f->timeout_ms, err, sizeof(err));
		ts_cli_free(&cli);
	}
}
