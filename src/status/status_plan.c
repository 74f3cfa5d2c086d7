/* SPDX-License-Identifier: MIT */
/* Rows and probe targets for `meshnfs status`. */
#include "status/status.h"

#include "format/mnttab.h"
#include "net/net.h"
#include "status/status_private.h"

#include <errno.h>
#include <stdarg.h>
#include <strings.h>

void status_warn(struct status *st, enum status_warning_kind k, const char *node, char *fix,
		 const char *fmt, ...)
{
	struct status_warning *w;
	va_list ap;

	st->warnings = xrealloc(st->warnings, (st->n_warnings + 1) * sizeof(*st->warnings));
	w = &st->warnings[st->n_warnings++];
	*w = (struct status_warning){ .kind = k, .fix = fix, .node = node ? xstrdup(node) : NULL };
	va_start(ap, fmt);
	if (vasprintf(&w->message, fmt, ap) < 0)
		abort();
	va_end(ap);
}

static bool names_node(const struct mesh_node *n, const char *host)
{
	struct netaddr a;
	return netaddr_parse(host, &a) == 0 ? mesh_node_has_ip(n, host) : mesh_node_named(n, host);
}

/* Is n a configured server? [nodes] role server, [server] address names it, or it is one of
 * the gateways of a share (meshnfs.conf(5), [share NAME] servers). */
static bool is_configured_server(const struct mesh_node *n, const struct config *c,
				 bool server_is_ip)
{
	if (n->role && streq(n->role, "server"))
		return true;
	if (c->server &&
	    (server_is_ip ? mesh_node_has_ip(n, c->server) : mesh_node_named(n, c->server)))
		return true;
	for (size_t i = 0; i < config_n_shares(c); i++) {
		struct config_share sh;
		config_share_get(c, i, &sh);
		for (size_t k = 0; k < sh.n_servers; k++)
			if (names_node(n, sh.servers[k]))
				return true;
	}
	return false;
}

struct addr_key {
	const struct status *st;
	const struct netaddr *addr;
};

static bool target_at(size_t i, const void *ctx)
{
	const struct addr_key *key = ctx;
	return netaddr_eq(&key->st->targets[i].addr, key->addr);
}

static uint64_t addr_hash(const struct netaddr *a)
{
	/* What netaddr_eq compares: the family, then v4 or v6 (a family 0's address: none). */
	uint8_t b[1 + 16] = { (uint8_t)a->family };
	if (a->family == AF_INET)
		memcpy(b + 1, &a->v4, sizeof(a->v4));
	else if (a->family == AF_INET6)
		memcpy(b + 1, a->v6, 16);
	return hash_bytes(b, sizeof(b));
}

/* A new target, recorded in the index of targets by address. */
static void target_new(struct status *st, const struct netaddr *addr)
{
	hindex_add(&st->target_index, addr_hash(addr), st->n_targets); /* addr may be a target's */
	st->targets = xrealloc(st->targets, (st->n_targets + 1) * sizeof(*st->targets));
}

static size_t target_for(struct status *st, struct netaddr addr, bool expected)
{
	/* The first target at addr (share_target's copies come after it), found in O(1). */
	size_t i = hindex_find(&st->target_index, addr_hash(&addr), target_at,
			       &(struct addr_key){ st, &addr });
	if (i != SIZE_MAX) {
		st->targets[i].expected_server |= expected;
		return i;
	}
	target_new(st, &addr);
	st->targets[st->n_targets] = (struct status_target){ .addr = addr, .expected_server = expected,
							    .tcp_ms = -1 };
	st->targets[st->n_targets].p = (struct probe){ .fd = -1, .diagnosis = PROBE_PENDING };
	return st->n_targets++;
}

static void add_row(struct status *st, const struct mesh_node *n, bool expected)
{
	const struct config *c = st->o.cfg;
	struct status_row *r;
	struct netaddr a6 = { 0 };
	uint32_t a;

	st->rows = xrealloc(st->rows, (st->n_rows + 1) * sizeof(*st->rows));
	r = &st->rows[st->n_rows++];
	*r = (struct status_row){ .node = n, .name = xstrdup(mesh_node_display_name(n)),
				  .target = SIZE_MAX, .expected_server = expected };
	const struct mesh_nodes *l = st->nodes;
	r->self = l->first_is_self && l->n &&
		  (n == &l->nodes[0] || (n->via && streq(n->via, mesh_node_display_name(&l->nodes[0]))));
	mesh_path_copy(&r->path, &n->path);
	/* Its IPv4 mesh address; a node with none (an IPv6-only tailnet node) by its IPv6 one. */
	for (size_t k = 0; k < n->n_ips && !a6.family; k++)
		if (netaddr_parse(n->ips[k], &a6) < 0 || a6.family != AF_INET6 ||
		    !cidr6_contains(&c->mesh6, a6.v6))
			a6 = (struct netaddr){ 0 };
	if (mesh_node_ipv4_in(n, &c->mesh, &a) == 0 || a6.family) {
		r->target = target_for(st, a6.family && mesh_node_ipv4_in(n, &c->mesh, &a) < 0
						   ? a6 : netaddr_ipv4(a), expected);
		/* Online to the control plane, and not known to be reached straight (a direct path
		 * with recent traffic has its handshake done): its silence is waited out. */
		st->targets[r->target].online |= n->online == MESH_YES &&
						  n->path.kind != MESH_PATH_DIRECT;
		return;
	}
	char range[20];
	cidr_format(&c->mesh, range, sizeof(range));
	r->not_probed = xasprintf("no IPv4 address in the mesh range %s", range);
}

/* A configured server that no node of the list holds (s: its node, filled here): a row of
 * its own, probed all the same (a name is resolved within the timeout). Its index. */
static size_t add_unlisted(struct status *st, struct mesh_node *s, const char *host)
{
	char err[300] = "", addr[NETADDR_STRLEN];
	struct netaddr a;

	s->name = xstrdup(host);
	s->role = xstrdup("server");
	if (net_resolve(host, st->o.timeout_ms < 2000 ? st->o.timeout_ms : 2000, &a, err,
			sizeof(err)) == 0) {
		netaddr_format(&a, addr, sizeof(addr));
		mesh_node_add_ip(s, addr);
	}
	add_row(st, s, true);
	if (st->rows[st->n_rows - 1].target == SIZE_MAX && err[0]) {
		free(st->rows[st->n_rows - 1].not_probed);
		st->rows[st->n_rows - 1].not_probed = xstrdup(err);
	}
	return st->n_rows - 1;
}

/* The configured server when no node of the list is it. */
static void add_unlisted_server(struct status *st)
{
	const struct config *c = st->o.cfg;

	status_warn(st, STATUS_W_NOT_LISTED, c->server,
		    xasprintf("add it to the mesh (on the server: sudo tailscale up), or set [server] "
			      "address in %s to one of the listed nodes",
			      c->source ? c->source : CONFIG_DEFAULT_PATH),
		    "the configured NFS server %s ([server] address) is not among the %zu nodes of %s",
		    c->server, st->nodes->n, st->nodes->source ? st->nodes->source : "the list");
	add_unlisted(st, &st->server_node, c->server);
}

/* The row of host (a name or an address) among the rows so far, or SIZE_MAX. */
static size_t row_of(const struct status *st, const char *host)
{
	for (size_t i = 0; i < st->n_rows; i++)
		if (names_node(st->rows[i].node, host))
			return i;
	return SIZE_MAX;
}

/* A gateway of a share that no node of the list holds. */
static size_t add_unlisted_gateway(struct status *st, const char *host, const char *share)
{
	const struct config *c = st->o.cfg;
	struct mesh_node *s = xcalloc(1, sizeof(*s));

	st->gateway_nodes = xrealloc(st->gateway_nodes,
				     (st->n_gateway_nodes + 1) * sizeof(*st->gateway_nodes));
	st->gateway_nodes[st->n_gateway_nodes++] = s;
	status_warn(st, STATUS_W_NOT_LISTED, host,
		    xasprintf("add it to the mesh (on the gateway: sudo tailscale up), or correct "
			      "[share %s] servers in %s",
			      share, c->source ? c->source : CONFIG_DEFAULT_PATH),
		    "gateway %s of share %s is not among the %zu nodes of %s", host, share,
		    st->nodes->n, st->nodes->source ? st->nodes->source : "the list");
	return add_unlisted(st, s, host);
}

/* The target that probes export on the address of target t: t itself when it probes that
 * export or none yet (then it does), else another target at the same address for that export
 * (made once: two shares with one export on a gateway share it). */
static size_t share_target(struct status *st, size_t t, const char *export)
{
	if (t == SIZE_MAX)
		return SIZE_MAX;
	if (!st->targets[t].export_path)
		st->targets[t].export_path = export;
	if (mnttab_path_eq(st->targets[t].export_path, export))
		return t;
	for (size_t i = 0; i < st->n_targets; i++)
		if (st->targets[i].share_only && netaddr_eq(&st->targets[i].addr, &st->targets[t].addr) &&
		    mnttab_path_eq(st->targets[i].export_path, export))
			return i;
	target_new(st, &st->targets[t].addr);
	st->targets[st->n_targets] = (struct status_target){
		.addr = st->targets[t].addr, .expected_server = st->targets[t].expected_server,
		.tcp_ms = -1, .online = st->targets[t].online, .export_path = export,
		.share_only = true
	};
	st->targets[st->n_targets].p = (struct probe){ .fd = -1, .diagnosis = PROBE_PENDING };
	return st->n_targets++;
}

/* The shares and their gateways' rows, when the configuration names shares; each gateway's
 * target probes its share's export. */
static void plan_shares(struct status *st)
{
	const struct config *c = st->o.cfg;

	if (!c->n_shares)
		return; /* no [share NAME]: the single share of [server]/[client], shown as before */
	for (size_t i = 0; i < config_n_shares(c); i++) {
		struct config_share sh;
		config_share_get(c, i, &sh);
		if (st->o.share && strcasecmp(sh.name, st->o.share) != 0)
			continue;
		st->shares = xrealloc(st->shares, (st->n_shares + 1) * sizeof(*st->shares));
		struct status_share *x = &st->shares[st->n_shares++];
		*x = (struct status_share){ .name = sh.name, .export_path = sh.export_path,
					    .mountpoint = sh.mountpoint, .n = sh.n_servers,
					    .use = -1 };
		for (size_t k = 0; k < sh.n_servers; k++) {
			x->gateway[k] = sh.servers[k];
			x->diag[k] = PROBE_PENDING;
			x->row[k] = row_of(st, sh.servers[k]);
			if (x->row[k] == SIZE_MAX)
				x->row[k] = add_unlisted_gateway(st, sh.servers[k], sh.name);
			x->target[k] = share_target(st, st->rows[x->row[k]].target, sh.export_path);
		}
	}
}

void status_plan(struct status *st, const struct mesh_nodes *nodes, const struct status_opts *o)
{
	const struct config *c = o->cfg;
	struct netaddr a;
	bool server_is_ip = c->server && netaddr_parse(c->server, &a) == 0, listed = false;

	*st = (struct status){ .nodes = nodes, .o = *o };
	for (size_t i = 0; i < nodes->n_warnings; i++)
		status_warn(st, STATUS_W_SOURCE, NULL, NULL, "%s", nodes->warnings[i]);
	for (size_t i = 0; i < nodes->n; i++)
		listed |= c->server && (server_is_ip ? mesh_node_has_ip(&nodes->nodes[i], c->server)
						     : mesh_node_named(&nodes->nodes[i], c->server));
	if (c->server && !listed)
		add_unlisted_server(st);
	for (size_t i = 0; i < nodes->n; i++)
		add_row(st, &nodes->nodes[i],
			is_configured_server(&nodes->nodes[i], c, server_is_ip));
	plan_shares(st);
}

void status_free(struct status *st)
{
	for (size_t i = 0; i < st->n_rows; i++) {
		free(st->rows[i].name);
		free(st->rows[i].not_probed);
		mesh_path_free(&st->rows[i].path);
	}
	free(st->rows);
	for (size_t i = 0; i < st->n_targets; i++)
		probe_free(&st->targets[i].p);
	free(st->targets);
	hindex_free(&st->target_index);
	free(st->queue);
	for (size_t i = 0; i < st->n_warnings; i++) {
		free(st->warnings[i].message);
		free(st->warnings[i].fix);
		free(st->warnings[i].node);
	}
	free(st->warnings);
	mesh_node_free(&st->server_node);
	for (size_t i = 0; i < st->n_gateway_nodes; i++) {
		mesh_node_free(st->gateway_nodes[i]);
		free(st->gateway_nodes[i]);
	}
	free(st->gateway_nodes);
	free(st->shares);
	*st = (struct status){ 0 };
}
