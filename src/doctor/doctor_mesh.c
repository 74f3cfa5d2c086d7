/* SPDX-License-Identifier: MIT */
/* mesh.tailscale: the Tailscale that carries this node (on WSL2 the Windows host's, asked
 * through interop; on native Linux the local one), judged by BackendState, Self.Online,
 * Health and the node key's expiry. wsl.stale_identity: a node in the mesh left by a
 * tailscaled once run inside this WSL2 distro. The node list goes into the report's JSON
 * ("tailscale") for whoever wants it. */
#include "doctor/doctor_facts.h"

#include "core/spawn.h"
#include "mesh/tailscale.h"
#include "mesh/wslghost.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

#define DAY (24 * 3600)
#define EXPIRY_WARN_DAYS 14

static void utc(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, size, "%lld", (long long)t);
}

static const char *side(bool windows)
{
	return windows ? "on the Windows host (PowerShell)" : "on this node";
}

static void login_fix(struct check *c, const struct ts_status *st, bool windows)
{
	check_set_fix(c, "Log in %s: `%s --login-server <your Headscale URL>`%s%s%s", side(windows),
		      windows ? "tailscale login" : "sudo tailscale up",
		      windows ? " (or the tray icon: Log in)" : "", st->auth_url ? ", or open " : "",
		      st->auth_url ? st->auth_url : "");
}

static void judge_running(const struct ts_status *st, const char *who, bool windows, time_t now,
			  struct report *r)
{
	const struct ts_node *s = &st->self;
	const char *ip = ts_node_ipv4(s), *name = s->n.name ? s->n.name : "this node";
	size_t online = 0;
	char when[32] = "";
	struct check *c;

	for (size_t i = 0; i < st->n_peers; i++)
		online += st->peers[i].n.online == MESH_YES;
	if (s->key_expiry)
		utc(s->key_expiry, when, sizeof(when));
	if (s->expired || (s->key_expiry && s->key_expiry <= now)) {
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s: the node key of %s expired on %s",
						  who, name, when[0] ? when : "an unknown date"),
			     .detail = xasprintf("With an expired key the control plane drops the "
						 "node: no peer accepts its packets."),
			     .fix = xasprintf("Log in again %s: `tailscale up --force-reauth "
					      "--login-server <your Headscale URL>`%s",
					      side(windows), windows ? "" : " (with sudo)"));
		return;
	}
	if (s->n.online != MESH_YES) {
		report_check(r, "mesh.tailscale", CHECK_WARN,
			     .summary = xasprintf("%s: Running, but the control plane sees %s "
						  "offline", who, name),
			     .detail = xasprintf("Established tunnels keep working for a while; new "
						 "peers and key rotations do not. Health: %s",
						 st->n_health ? st->health[0] : "(none)"),
			     .fix = xasprintf("Check that the Headscale server is reachable %s "
					      "(`tailscale netcheck`, `tailscale status`).",
					      side(windows)));
		return;
	}
	if (st->n_health) {
		struct buf b = { 0 };
		buf_append(&b, "", 0);
		for (size_t i = 0; i < st->n_health; i++)
			buf_printf(&b, "%s%s", i ? "\n" : "", st->health[i]);
		report_check(r, "mesh.tailscale", CHECK_WARN,
			     .summary = xasprintf("%s: Running, with a health warning: %s",
						  who, st->health[0]),
			     .detail = xasprintf("%s", b.data),
			     .fix = xasprintf("See `tailscale status` %s; the message says what "
					      "tailscaled found.",
					      side(windows)));
		buf_free(&b);
		return;
	}
	if (s->key_expiry && s->key_expiry - now < EXPIRY_WARN_DAYS * DAY) {
		report_check(r, "mesh.tailscale", CHECK_WARN,
			     .summary = xasprintf("%s: Running, but the node key expires in %lld "
						  "day(s), on %s", who,
						  (long long)((s->key_expiry - now) / DAY), when),
			     .fix = xasprintf("Renew it before then %s: `tailscale up "
					      "--force-reauth --login-server <your Headscale URL>`, "
					      "or disable key expiry for this node in the control "
					      "plane.",
					      side(windows)));
		return;
	}
	c = report_add(r, "mesh.tailscale", CHECK_OK, "%s: Running as %s%s%s, %zu peer(s), %zu online",
		       who, name, ip ? " " : "", ip ? ip : "", st->n_peers, online);
	if (when[0])
		check_set_detail(c, "Node key expires on %s.", when);
}

void doctor_mesh_judge(const struct ts_status *st, const char *who, bool windows, time_t now,
		       struct report *r)
{
	struct check *c;

	switch (st->backend) {
	case TS_RUNNING:
		judge_running(st, who, windows, now, r);
		return;
	case TS_NEEDS_LOGIN:
		c = report_add(r, "mesh.tailscale", CHECK_FAIL, "%s: logged out (NeedsLogin)", who);
		if (st->n_health)
			check_set_detail(c, "Health: %s", st->health[0]);
		login_fix(c, st, windows);
		return;
	case TS_NEEDS_MACHINE_AUTH:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s: waiting for the machine to be approved "
						  "(NeedsMachineAuth)", who),
			     .fix = xasprintf("Approve the machine in the control plane (Tailscale "
					      "admin console: Machines, Approve; Headscale: "
					      "`headscale nodes register --user USER --key KEY` "
					      "with the key the client shows)."));
		return;
	case TS_STOPPED:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s: stopped (`tailscale down`)", who),
			     .fix = xasprintf("Connect %s: `tailscale up`%s", side(windows),
					      windows ? " (or the tray icon: Connect)" : " (with sudo)"));
		return;
	case TS_STARTING:
		report_add(r, "mesh.tailscale", CHECK_WARN,
			   "%s: still starting; run meshnfs doctor again in a few seconds", who);
		return;
	case TS_NO_STATE:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s: tailscaled has no state yet", who),
			     .fix = xasprintf("Restart the Tailscale service %s%s.", side(windows),
					      windows ? ": `Restart-Service Tailscale` (as administrator)"
						   : ": `sudo systemctl restart tailscaled`"));
		return;
	case TS_BACKEND_UNKNOWN:
		report_add(r, "mesh.tailscale", CHECK_WARN, "%s: unknown BackendState \"%s\"", who,
			   st->backend_state);
		return;
	}
}

static void run_failed(int e, const struct ts_cli *cli, const struct ts_run *run,
		       const char *msg, int timeout_ms, struct report *r)
{

	switch (e) {
	case -ENOEXEC:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("cannot run %s: Exec format error (WSL interop is "
						  "broken)", cli->path),
			     .fix = xasprintf("Repair interop first (see wsl.interop)."));
		return;
	case -ETIMEDOUT:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s status --json: no answer within %d ms",
						  cli->path, timeout_ms),
			     .fix = xasprintf("Restart the Tailscale service %s%s.",
					      side(cli->windows),
					      cli->windows ? ": `Restart-Service Tailscale` (as administrator)"
							: ": `sudo systemctl restart tailscaled`"));
		return;
	case -EPROTO:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("%s status --json exited with status %d%s%s",
						  cli->path, run->exit_code,
						  run->err_line ? ": " : "", run->err_line ? run->err_line : ""),
			     .detail = xasprintf("The CLI could not reach the Tailscale service "
						 "(tailscaled)."),
			     .fix = xasprintf("Start the Tailscale service %s%s.",
					      side(cli->windows),
					      cli->windows ? ": `Start-Service Tailscale` (as administrator), or "
							  "start the Tailscale app"
							: ": `sudo systemctl enable --now tailscaled`"));
		return;
	case -EBADMSG:
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("unexpected output: %s", msg),
			     .detail = xasprintf("meshnfs reads `tailscale status --json` "
						 "(tailscale.com ipnstate); this is not it. A very "
						 "old or a wrapped CLI?"),
			     .fix = xasprintf("Update Tailscale %s, then run meshnfs doctor again.",
					      side(cli->windows)));
		return;
	default:
		report_add(r, "mesh.tailscale", CHECK_FAIL, "cannot run %s: %s", cli->path,
			   strerror(-e));
	}
}

static void stale_identity(const struct doctor_facts *d, const struct ts_status *st, const char *cli,
			   struct report *r)
{
	const struct node_info *n = d->node;
	const char *cand[] = { n->hostname, n->wsl.conf_hostname, st->self.n.name };
	const char *names[ARRAY_SIZE(cand)];
	struct mesh_nodes l;
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cand); i++) {
		bool dup = !cand[i] || !*cand[i];
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcasecmp(names[j], cand[i]) == 0;
		if (!dup)
			names[k++] = cand[i];
	}
	_cleanup_free_ char *src = xasprintf("%s status --json", cli);
	ts_status_nodes(st, src, &l);
	doctor_stale_identity(&l, l.n ? &l.nodes[0] : NULL, names, k, r);
	mesh_nodes_free(&l);
}

static const char *first_ipv4(const struct mesh_node *n)
{
	const char *a = mesh_node_ipv4(n);

	return a ? a : n->n_ips ? n->ips[0] : "?";
}

void doctor_stale_identity(const struct mesh_nodes *l, const struct mesh_node *host,
			   const char *const *names, size_t n_names, struct report *r)
{
	struct wsl_identity who = { .names = names, .n_names = n_names, .host = host };
	_cleanup_free_ size_t *idx = xcalloc(l->n + 1, sizeof(*idx));
	size_t found = mesh_find_wsl_ghosts(l, &who, idx);
	const char *source = l->source ? l->source : "the mesh";
	struct buf names_b = { 0 }, det = { 0 }, fix = { 0 };

	buf_append(&names_b, "", 0);
	for (size_t i = 0; i < n_names; i++)
		buf_printf(&names_b, "%s%s", i ? ", " : "", names[i]);
	if (!found) {
		report_add(r, "wsl.stale_identity", CHECK_OK,
			   "no other node in %s carries this distro's name (%s)", source, names_b.data);
		goto out;
	}
	buf_append(&det, "", 0);
	buf_append(&fix, "", 0);
	for (size_t i = 0; i < found; i++) {
		const struct mesh_node *g = &l->nodes[idx[i]];
		char seen[32] = "unknown";
		if (g->last_seen)
			utc(g->last_seen, seen, sizeof(seen));
		buf_printf(&det, "%s%s (id %s, %s, %s, %s%s)", i ? "\n" : "", g->name,
			   g->id ? g->id : "?", first_ipv4(g), g->os ? g->os : "OS unknown",
			   g->online == MESH_YES ? "online" : "offline, last seen ",
			   g->online == MESH_YES ? "" : seen);
		if (mesh_node_headscale_id(g))
			buf_printf(&fix, "%sheadscale nodes delete --identifier %s", i ? "; " : "", g->id);
		else
			buf_printf(&fix, "%sremove %s in the Tailscale admin console (Machines)",
				   i ? "; " : "", g->name);
	}
	const struct mesh_node *g0 = &l->nodes[idx[0]];
	report_check(r, "wsl.stale_identity", CHECK_WARN,
		     .summary = xasprintf("%s lists %s%s (%s) besides the Windows host%s%s%s: a "
					  "left-over of a tailscaled once run inside this "
					  "distro",
					  source, g0->name, found > 1 ? " and others" : "", first_ipv4(g0),
					  host ? " (" : "", host ? first_ipv4(host) : "", host ? ")" : ""),
		     .detail = xasprintf("%s\nA WSL2 distro has no mesh identity of its own: it "
					 "shares the Windows host's (mirrored networking). The "
					 "guide's topology table shows exactly this: office-one "
					 "(WSL2) 100.64.0.3 next to office-one (Windows) "
					 "100.64.0.4. Peers may still route the distro's name "
					 "to the dead address.%s",
					 det.data,
					 g0->online == MESH_YES ? " This node is online: a tailscaled still runs "
							       "somewhere under this name (see wsl.tailscaled)."
							     : ""),
		     .fix = xasprintf("On the Headscale server: %s (check first with `headscale "
				      "nodes list`).",
				      fix.data));
out:
	buf_free(&names_b);
	buf_free(&det);
	buf_free(&fix);
}

void doctor_judge_mesh(const struct doctor_facts *d, struct report *r)
{
	const struct doctor_mesh_facts *m = &d->mesh;
	bool wsl2 = d->node->kind == NODE_WSL2;

	if (!m->gathered)
		return;
	if (m->cli_rc == SPAWN_REFUSED_ROOT) {
		report_check(r, "mesh.tailscale", CHECK_SKIP,
			     .summary = xasprintf("skipped under --root: asking %s means running "
						  "it, and meshnfs runs no program under --root",
						  wsl2 ? "tailscale.exe" : "tailscale"),
			     .fix = xasprintf("on that machine: meshnfs doctor"));
		return;
	}
	if (m->cli_rc < 0) {
		if (!wsl2) {
			report_check(r, "mesh.tailscale", CHECK_SKIP,
				     .summary = xasprintf("no tailscale CLI on PATH: the mesh is "
							  "judged by mesh.address"),
				     .detail = xasprintf("Install Tailscale if this node should "
							 "join the Headscale mesh: "
							 "https://tailscale.com/download/linux"));
			return;
		}
		report_check(r, "mesh.tailscale", CHECK_FAIL,
			     .summary = xasprintf("Tailscale for Windows not found (C:\\Program "
						  "Files\\Tailscale\\tailscale.exe, or "
						  "tailscale.exe on PATH)"),
			     .detail = xasprintf("WSL2 rides the Windows host's Tailscale: without "
						 "it the distro has no way into the mesh."),
			     .fix = xasprintf("Install Tailscale on Windows "
					      "(https://tailscale.com/download/windows) and log in "
					      "to your Headscale: `tailscale login --login-server "
					      "<your Headscale URL>` (PowerShell)."));
		return;
	}
	const char *who = wsl2 ? "Windows host's Tailscale" : "Tailscale";
	size_t first = r->n_checks;
	if (m->run_rc < 0)
		run_failed(m->run_rc, &m->cli, &m->run, m->run_msg, d->timeout_ms, r);
	else
		doctor_mesh_judge(&m->st, who, m->cli.windows, d->now, r);
	if (r->n_checks > first)
		r->checks[r->n_checks - 1].ms = m->ms; /* the check just made: the CLI's time */
	if (wsl2) {
		if (m->run_rc < 0 || !m->st.has_self || m->st.backend != TS_RUNNING)
			report_add(r, "wsl.stale_identity", CHECK_SKIP,
				   "no peer list to look in (see mesh.tailscale)");
		else
			stale_identity(d, &m->st, m->cli.windows ? "tailscale.exe" : "tailscale", r);
	}
}

const struct ts_node *doctor_server_peer(const struct doctor_facts *f, const struct ts_status *st)
{
	const struct ts_node *t = NULL;
	char addr[NETADDR_STRLEN];

	if (f->nfs.gathered && f->nfs.resolve_rc == 0 && netaddr_is_set(&f->nfs.probe.addr)) {
		netaddr_format(&f->nfs.probe.addr, addr, sizeof(addr));
		t = ts_status_peer(st, addr, NULL);
	}
	return t ? t : ts_status_peer(st, f->cfg->server, f->cfg->server);
}

/* The probe's time to the server: its TCP connect, else its NULL call; -1 when neither ran. */
static int64_t server_rtt(const struct doctor_facts *f)
{
	const struct probe *p = &f->nfs.probe;

	if (!f->nfs.gathered || f->nfs.resolve_rc < 0)
		return -1;
	if (p->steps[PROBE_TCP].status == STEP_OK)
		return p->steps[PROBE_TCP].ms;
	if (p->steps[PROBE_RPC].status == STEP_OK)
		return p->steps[PROBE_RPC].ms;
	return -1;
}

void doctor_judge_mesh_path(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_mesh_facts *m = &f->mesh;
	const struct ts_status *st = m->path_asked && m->path_rc == 0 ? &m->path_st : &m->st;
	struct mesh_path_verdict v;
	struct check *c;

	if (!m->gathered)
		return;
	if (f->is_server) {
		report_add(r, "mesh.path", CHECK_SKIP,
			   "this node holds the server address %s: no path to judge", f->cfg->server);
		return;
	}
	if (m->cli_rc < 0 || m->run_rc < 0 || st->backend != TS_RUNNING) {
		report_add(r, "mesh.path", CHECK_SKIP,
			   "no Tailscale status to read the path from (see mesh.tailscale)");
		return;
	}
	const struct ts_node *peer = doctor_server_peer(f, st);
	if (!peer) {
		report_check(r, "mesh.path", CHECK_SKIP,
			     .summary = xasprintf("the server %s is not a peer of this node's "
						  "Tailscale: no path to judge",
						  f->cfg->server),
			     .detail = xasprintf("Neither its address nor its name is among the %zu "
						 "peers of `tailscale status --json`.",
						 st->n_peers));
		return;
	}
	const char *name = peer->n.name ? peer->n.name : f->cfg->server;
	int64_t rtt = server_rtt(f);
	mesh_path_judge(&peer->n.path, name, rtt, &v);
	c = report_add(r, "mesh.path", v.level == 0 ? CHECK_OK : v.level > 0 ? CHECK_WARN : CHECK_SKIP,
		       "%s", v.summary);
	if (v.detail) {
		const struct probe *p = &f->nfs.probe;
		if (rtt >= 0 && p->steps[PROBE_RPC].status == STEP_OK)
			check_set_detail(c, "%s\nMeasured by the probe: TCP connect %" PRId64
					    " ms, NFSv4 NULL call %" PRId64 " ms.",
					 v.detail, p->steps[PROBE_TCP].ms, p->steps[PROBE_RPC].ms);
		else
			check_set_detail(c, "%s", v.detail);
	}
	if (v.fix)
		check_set_fix(c, "%s", v.fix);
	mesh_path_verdict_free(&v);
}

/* ---- gather (I/O) ---- */

void doctor_gather_mesh_path(struct doctor_facts *f)
{
	struct doctor_mesh_facts *m = &f->mesh;
	struct ts_run run;
	struct diag dg = { 0 };

	if (!m->gathered || m->run_rc < 0 || m->st.backend != TS_RUNNING || f->is_server)
		return;
	const struct ts_node *peer = doctor_server_peer(f, &m->st);
	if (!peer || peer->n.path.kind != MESH_PATH_IDLE)
		return; /* no such peer, or its path was in use already */
	m->path_asked = true;
	m->path_rc = ts_status_run(&m->cli, f->timeout_ms, &m->path_st, &run, &dg);
	ts_run_free(&run);
}

void doctor_gather_mesh(struct doctor_facts *f)
{
	struct doctor_mesh_facts *m = &f->mesh;
	struct diag dg = { 0 };

	if (f->node->kind == NODE_WSL1)
		return;
	m->gathered = true;
	m->cli_rc = ts_cli_find(f->node->kind == NODE_WSL2, &m->cli);
	if (m->cli_rc < 0)
		return;
	int64_t start = now_ms();
	m->run_rc = ts_status_run(&m->cli, f->timeout_ms, &m->st, &m->run, &dg);
	if (m->run_rc == -EBADMSG)
		diag_format(&dg, m->run_msg, sizeof(m->run_msg));
	m->ms = now_ms() - start;
}
