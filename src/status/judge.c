/* SPDX-License-Identifier: MIT */
/* Roles and consistency warnings of `meshnfs status`, from the node list and the probes. */
#include "status/status.h"

#include "mesh/wslghost.h"
#include "net/gateway.h"
#include "status/status_private.h"

#include <time.h>

const struct status_target *status_row_target(const struct status *st, const struct status_row *r)
{
	if (r->target == SIZE_MAX || r->target >= st->n_targets)
		return NULL;
	const struct status_target *t = &st->targets[r->target];
	return probe_done(&t->p) ? t : NULL;
}

size_t status_n_addresses(const struct status *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n_targets; i++)
		n += !st->targets[i].share_only;
	return n;
}

bool status_target_answered(const struct status_target *t)
{
	return probe_done(&t->p) && (t->tcp_ms >= 0 || t->p.steps[PROBE_TCP].status == STEP_OK ||
				     t->p.diagnosis == PROBE_REFUSED);
}

bool status_row_answered(const struct status *st, const struct status_row *r)
{
	const struct status_target *t = status_row_target(st, r);

	return t && status_target_answered(t);
}

int64_t status_row_latency(const struct status *st, const struct status_row *r)
{
	const struct status_target *t = status_row_target(st, r);

	if (!status_row_answered(st, r))
		return -1;
	return t->tcp_ms >= 0 ? t->tcp_ms : t->p.steps[PROBE_TCP].ms;
}

/* Port 2049 accepted the connection: an NFS server (answering or hung). */
static bool serves_nfs(const struct status *st, const struct status_row *r)
{
	const struct status_target *t = status_row_target(st, r);

	return t && (t->tcp_ms >= 0 || t->p.steps[PROBE_TCP].status == STEP_OK);
}

static bool has_role(const struct mesh_node *n, const char *role)
{
	return n->role && streq(n->role, role);
}

static enum status_role role_of(const struct status *st, const struct status_row *r)
{
	const struct mesh_node *n = r->node;

	if (has_role(n, "wsl2"))
		return STATUS_ROLE_WSL2;
	if (mesh_node_is_windows(n))
		return STATUS_ROLE_WINDOWS;
	if (r->expected_server || serves_nfs(st, r))
		return STATUS_ROLE_SERVER;
	if (has_role(n, "client"))
		return STATUS_ROLE_CLIENT;
	return STATUS_ROLE_NONE;
}

const char *status_role_name(enum status_role r)
{
	static const char *const names[] = { NULL, "server", "client", "windows", "wsl2" };
	return ENUM_NAME(names, r, NULL);
}

const char *status_role_title(enum status_role r)
{
	static const char *const titles[] = { "-", "server", "client", "Windows endpoint",
					      "WSL2 (via host)" };
	return ENUM_NAME(titles, r, "-");
}

const char *status_warning_kind_name(enum status_warning_kind k)
{
	static const char *const names[] = {
		[STATUS_W_SOURCE] = "source",
		[STATUS_W_OFFLINE_ANSWERING] = "offline_but_answering",
		[STATUS_W_SERVER_UNREACHABLE] = "server_unreachable",
		[STATUS_W_SERVER_UNHEALTHY] = "server_unhealthy",
		[STATUS_W_STALE_WSL2] = "stale_wsl2_identity",
		[STATUS_W_DUPLICATE_IP] = "duplicate_ip",
		[STATUS_W_NOT_LISTED] = "server_not_listed",
		[STATUS_W_NOT_PROBED] = "not_probed",
		[STATUS_W_RELAYED] = "relayed",
	};
	return ENUM_NAME(names, k, "?");
}

static void day(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, size, "never");
}

static void warn_offline_answering(struct status *st, const struct status_row *r)
{
	const struct mesh_node *n = r->node;
	char seen[40], addr[NETADDR_STRLEN];

	if (n->online != MESH_NO || n->via || !status_row_answered(st, r))
		return;
	day(n->last_seen, seen, sizeof(seen));
	netaddr_format(&st->targets[r->target].addr, addr, sizeof(addr));
	status_warn(st, STATUS_W_OFFLINE_ANSWERING, r->name,
		    xasprintf("On the machine that holds %s now: tailscale status. If the "
			      "control plane's node is a left-over, remove it (Headscale: headscale "
			      "nodes list; headscale nodes delete --identifier %s)",
			      addr, n->id ? n->id : "ID"),
		    "%s (%s) is offline in the control plane (last seen %s), yet %s answers from "
		    "here in %" PRId64 " ms: the control plane's view is stale, or another machine "
		    "holds that address now",
		    r->name, addr, seen, addr, status_row_latency(st, r));
}

/* The configured server unreachable, or any server whose ladder fails: once per address. */
static void warn_servers(struct status *st)
{
	bool *seen = xcalloc(st->n_targets + 1, sizeof(*seen));

	for (size_t i = 0; i < st->n_rows; i++) {
		const struct status_row *r = &st->rows[i];
		const struct status_target *t = status_row_target(st, r);
		char addr[NETADDR_STRLEN];
		/* A cut server has no verdict: warn_not_probed counts it. */
		if (r->role != STATUS_ROLE_SERVER || !t || seen[r->target] ||
		    t->p.diagnosis == PROBE_OK || t->p.diagnosis == PROBE_CUT)
			continue;
		seen[r->target] = true;
		netaddr_format(&t->addr, addr, sizeof(addr));
		char *fix = NULL, *why = probe_explain(&t->p, &fix);
		if (t->p.diagnosis == PROBE_UNREACHABLE)
			status_warn(st, STATUS_W_SERVER_UNREACHABLE, r->name, fix,
				    "the NFS server %s (%s) is unreachable from here: %s", r->name, addr,
				    why);
		else
			status_warn(st, STATUS_W_SERVER_UNHEALTHY, r->name, fix,
				    "NFS server %s (%s): %s: %s", r->name, addr,
				    probe_diagnosis_name(t->p.diagnosis), why);
		free(why);
	}
	free(seen);
}

/* The fix for a stale node: in Headscale, or in Tailscale's admin console. */
static char *remove_fix(const struct mesh_node *g, const char *then)
{
	if (mesh_node_headscale_id(g))
		return xasprintf("Remove the stale node on the Headscale server: headscale nodes "
				 "delete --identifier %s (check first with `headscale nodes list`); %s",
				 g->id, then);
	return xasprintf("Remove %s in the Tailscale admin console (Machines); %s",
			 g->name ? g->name : "the node", then);
}

static char *ips_text(const struct mesh_node *n)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t k = 0; k < n->n_ips; k++)
		buf_printf(&b, "%s%s", k ? ", " : "", n->ips[k]);
	return b.data;
}

/* Stale WSL2 identities: a Linux node named like a Windows host but with addresses of its
 * own (mesh_find_wsl_ghosts, with the host's name), or a node [nodes] calls wsl2 that the
 * control plane lists with addresses of its own: a tailscaled once ran inside the distro
 * (the guide: WSL2 has no mesh identity of its own). */
static void warn_stale_wsl2(struct status *st)
{
	const struct mesh_nodes *l = st->nodes;
	_cleanup_free_ size_t *idx = xcalloc(l->n + 1, sizeof(*idx));
	_cleanup_free_ bool *warned = xcalloc(l->n + 1, sizeof(*warned));
	const char *stop = "make sure no tailscaled runs inside the WSL2 distro (sudo systemctl "
			   "disable --now tailscaled there)";

	if (!l->control_plane)
		return;
	for (size_t w = 0; w < l->n; w++) {
		const struct mesh_node *host = &l->nodes[w];
		if (!mesh_node_is_windows(host) || !host->name)
			continue;
		const char *names[] = { host->name };
		struct wsl_identity who = { .names = names, .n_names = 1, .host = host };
		size_t found = mesh_find_wsl_ghosts(l, &who, idx);
		for (size_t i = 0; i < found; i++) {
			const struct mesh_node *g = &l->nodes[idx[i]];
			if (warned[idx[i]] || g->via)
				continue;
			warned[idx[i]] = true;
			_cleanup_free_ char *ips = ips_text(g);
			status_warn(st, STATUS_W_STALE_WSL2, mesh_node_display_name(g),
				    remove_fix(g, stop),
				    "%s (%s) looks like a stale WSL2 identity: a Linux node named like "
				    "the Windows host %s (%s) with addresses of its own. A WSL2 distro "
				    "rides its host's Tailscale and has none",
				    mesh_node_display_name(g), ips, mesh_node_display_name(host),
				    host->n_ips ? host->ips[0] : "?");
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct mesh_node *n = &l->nodes[i];
		if (warned[i] || n->via || !n->n_ips || !has_role(n, "wsl2"))
			continue;
		_cleanup_free_ char *ips = ips_text(n);
		status_warn(st, STATUS_W_STALE_WSL2, mesh_node_display_name(n),
			    remove_fix(n, "stop tailscaled inside the distro (sudo systemctl disable "
					  "--now tailscaled); it uses the Windows host's Tailscale"),
			    "%s (%s) is a WSL2 distro ([nodes] role wsl2) with a mesh identity of its "
			    "own in %s: a tailscaled ran inside the distro, which the guide rules out",
			    mesh_node_display_name(n), ips, l->source ? l->source : "the control plane");
	}
}

struct claim {
	const char *ip;
	size_t row;
};

static int claim_cmp(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int c = strcmp(x->ip, y->ip);
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Row k is a WSL2 distro riding another row of the group (its Windows host): sharing the
 * host's address is what it should do, not a claim of its own. */
static bool rides_in(const struct status *st, const struct claim *c, size_t i, size_t j, size_t k)
{
	const char *via = st->rows[c[k].row].node->via;

	for (size_t m = i; via && m < j; m++)
		if (m != k && streq(st->rows[c[m].row].name, via))
			return true;
	return false;
}

static void warn_duplicates(struct status *st)
{
	struct claim *c = NULL;
	size_t n = 0;

	for (size_t i = 0; i < st->n_rows; i++) {
		const struct mesh_node *node = st->rows[i].node;
		if (node == &st->server_node)
			continue;
		c = xrealloc(c, (n + node->n_ips + 1) * sizeof(*c));
		for (size_t k = 0; k < node->n_ips; k++)
			c[n++] = (struct claim){ .ip = node->ips[k], .row = i };
	}
	if (n)
		qsort(c, n, sizeof(*c), claim_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, others = 0;
		struct buf names = { 0 };
		while (j < n && streq(c[j].ip, c[i].ip))
			j++;
		for (size_t k = i; k < j; k++) {
			if (rides_in(st, c, i, j, k))
				continue;
			buf_printf(&names, "%s%s", others ? " and " : "", st->rows[c[k].row].name);
			others++;
		}
		if (others > 1)
			status_warn(st, STATUS_W_DUPLICATE_IP, st->rows[c[i].row].name,
				    xasprintf("Keep one: remove the other node from the control plane "
					      "(Headscale: headscale nodes list; headscale nodes delete "
					      "--identifier ID) or fix [nodes] in the configuration"),
				    "%s is claimed by %zu nodes: %s", c[i].ip, others, names.data);
		buf_free(&names);
		i = j;
	}
	free(c);
}

/* Addresses the run could not finish: never started, or cut before a verdict. */
static void warn_not_probed(struct status *st)
{
	size_t idle = 0, cut = 0;

	for (size_t i = 0; i < st->n_targets; i++) {
		if (st->targets[i].share_only)
			continue; /* its address is counted once, with its row's target */
		idle += st->targets[i].p.state == PS_IDLE;
		cut += probe_done(&st->targets[i].p) && st->targets[i].p.diagnosis == PROBE_CUT;
	}
	if (idle)
		status_warn(st, STATUS_W_NOT_PROBED, NULL,
			    xasprintf("Give the run more time (--timeout), or more descriptors "
				      "(ulimit -Hn)"),
			    "%zu of %zu addresses were not probed: the run's deadline (%.1f s) came "
			    "first",
			    idle, status_n_addresses(st), st->o.timeout_ms / 1000.0);
	if (cut)
		status_warn(st, STATUS_W_NOT_PROBED, NULL,
			    xasprintf("Give the run more time (--timeout), or more whole ladders at "
				      "once (--parallel)"),
			    "%zu of %zu addresses were cut before a verdict (NFS column: cut): the "
			    "run's deadline (%.1f s) came first",
			    cut, status_n_addresses(st), st->o.timeout_ms / 1000.0);
}

/* An NFS server this machine reaches through a relay: its NFS crawls (mesh_path_judge). */
static void warn_relayed(struct status *st)
{
	for (size_t i = 0; i < st->n_rows; i++) {
		const struct status_row *r = &st->rows[i];
		struct mesh_path_verdict v;
		if (r->role != STATUS_ROLE_SERVER || !mesh_path_relayed(&r->path) ||
		    !status_row_answered(st, r))
			continue;
		mesh_path_judge(&r->path, r->name, status_row_latency(st, r), &v);
		status_warn(st, STATUS_W_RELAYED, r->name, TAKE_PTR(v.fix), "NFS server %s: %s",
			    r->name, v.summary);
		mesh_path_verdict_free(&v);
	}
}

/* Each share: which gateways answer up to the export, which one clients should use (the
 * choice of repair and watch, with no gateway in use), the verdict. */
static void judge_shares(struct status *st)
{
	for (size_t i = 0; i < st->n_shares; i++) {
		struct status_share *x = &st->shares[i];
		struct gateway_fact g[CONFIG_SHARE_MAX_SERVERS];
		struct gateway_choice c;
		for (size_t k = 0; k < x->n; k++) {
			const struct status_target *t = x->target[k] < st->n_targets &&
								probe_done(&st->targets[x->target[k]].p)
								? &st->targets[x->target[k]]
								: NULL;
			x->diag[k] = t ? t->p.diagnosis : PROBE_PENDING;
			g[k] = (struct gateway_fact){ .host = x->gateway[k], .probed = t != NULL,
						      .diagnosis = x->diag[k] };
			x->healthy[k] = gateway_healthy(&g[k]);
		}
		gateway_choose(g, x->n, -1, -1, &c);
		x->use = c.use;
		x->n_healthy = (size_t)c.n_healthy;
		x->verdict = x->n_healthy == x->n ? CHECK_OK : x->n_healthy ? CHECK_WARN : CHECK_FAIL;
	}
}

bool status_row_is_gateway(const struct status *st, size_t row)
{
	for (size_t i = 0; i < st->n_shares; i++)
		for (size_t k = 0; st->shares[i].n > 1 && k < st->shares[i].n; k++)
			if (st->shares[i].row[k] == row)
				return true;
	return false;
}

/* Row is a gateway, and every share it serves is available through one that answers. */
static bool covered(const struct status *st, size_t row)
{
	bool some = false;

	for (size_t i = 0; i < st->n_shares; i++)
		for (size_t k = 0; k < st->shares[i].n; k++)
			if (st->shares[i].row[k] == row) {
				if (st->shares[i].verdict == CHECK_FAIL)
					return false;
				some = true;
			}
	return some;
}

void status_judge(struct status *st)
{
	for (size_t i = 0; i < st->n_rows; i++)
		st->rows[i].role = role_of(st, &st->rows[i]);
	judge_shares(st);
	warn_servers(st);
	warn_relayed(st);
	for (size_t i = 0; i < st->n_rows; i++)
		warn_offline_answering(st, &st->rows[i]);
	warn_stale_wsl2(st);
	warn_duplicates(st);
	warn_not_probed(st);
}

bool status_row_fails(const struct status *st, const struct status_row *r)
{
	const struct status_target *t = status_row_target(st, r);

	if (r->role != STATUS_ROLE_SERVER)
		return false;
	if (st->n_shares && covered(st, (size_t)(r - st->rows)))
		return false; /* its share(s) still answer through another gateway: a warning */
	if (!t)
		return r->expected_server;
	/* Cut: no verdict, so no failure (a warning says so). */
	return t->p.diagnosis != PROBE_OK && t->p.diagnosis != PROBE_CUT;
}

enum check_status status_verdict(const struct status *st)
{
	for (size_t i = 0; i < st->n_rows; i++)
		if (status_row_fails(st, &st->rows[i]))
			return CHECK_FAIL;
	for (size_t i = 0; i < st->n_shares; i++)
		if (st->shares[i].verdict == CHECK_FAIL)
			return CHECK_FAIL;
	return st->n_warnings ? CHECK_WARN : CHECK_OK;
}
