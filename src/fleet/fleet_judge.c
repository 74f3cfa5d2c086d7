/* SPDX-License-Identifier: MIT */
/* doctor --all's own checks, across the nodes' answers: what no single node can see. Pure:
 * rows in, checks out. */
#include "fleet/fleet.h"

#include "net/probe.h"

#include <strings.h>

#define MAX_UID_FINDINGS 20

static const char *name_of(const struct fleet_row *r)
{
	return mesh_node_display_name(r->node);
}

static bool has_ip(const struct mesh_node *n, const char *ip)
{
	for (size_t i = 0; ip && i < n->n_ips; i++)
		if (strcasecmp(n->ips[i], ip) == 0)
			return true;
	return false;
}

static bool is_server_row(const struct fleet_row *r, const char *server)
{
	return (r->node->role && streq(r->node->role, "server")) || has_ip(r->node, server);
}

static const char *flag_yn(int v)
{
	return v == 1 ? "Y" : "N";
}

/* fleet.idmap: the idmapd Domain, and nfs4_disable_idmapping of the server's nfsd against
 * every client's nfs. */
static void judge_idmap(const struct mesh_nodes *nodes, const struct fleet_row *rows,
			const char *server, struct report *rep)
{
	struct buf doms = { 0 };
	const char *first = NULL;
	bool differ = false, names = false, any = false;
	size_t n_present = 0;

	for (size_t i = 0; i < nodes->n; i++) {
		const struct fleet_ids *x = &rows[i].ids;
		if (!x->present)
			continue;
		const char *dom = x->domain ? x->domain : "none (the host's DNS domain)";
		if (!any)
			first = dom;
		else if (!streq(first, dom))
			differ = true;
		any = true;
		n_present++;
		names = names || x->client_numeric == 0 || x->server_numeric == 0;
		buf_printf(&doms, "%s%s on %s", doms.len ? "; " : "", dom, name_of(&rows[i]));
	}
	if (n_present < 2) {
		buf_free(&doms);
		return;
	}
	if (differ && names) {
		report_check(rep, "fleet.idmap", CHECK_WARN,
			     .summary = xasprintf("the idmapd Domain differs: %s",
						  doms.data),
			     .detail = xasprintf("Some node sends owners as names "
						 "(nfs4_disable_idmapping=N): a name from "
						 "another Domain maps to nobody (65534, "
						 "4294967294), so files show up owned by "
						 "nobody."),
			     .fix = xasprintf("%s", probe_idmap_fix));
	} else if (differ)
		report_add(rep, "fleet.idmap", CHECK_OK,
			   "the idmapd Domain differs (%s), but no node sends owners as names "
			   "(nfs4_disable_idmapping is not N anywhere): numeric ids, no effect",
			   doms.data);
	else
		report_add(rep, "fleet.idmap", CHECK_OK, "idmapd Domain %s on all %zu nodes", first,
			   n_present);
	buf_free(&doms);

	/* The server's nfsd against every client's nfs module. */
	for (size_t s = 0; s < nodes->n; s++) {
		const struct fleet_ids *sx = &rows[s].ids;
		if (!sx->present || sx->server_numeric < 0 || !is_server_row(&rows[s], server))
			continue;
		for (size_t i = 0; i < nodes->n; i++) {
			const struct fleet_ids *x = &rows[i].ids;
			if (i == s || !x->present || x->client_numeric < 0 ||
			    x->client_numeric == sx->server_numeric)
				continue;
			report_check(rep, "fleet.idmap", CHECK_WARN,
				     .summary = xasprintf("nfs4_disable_idmapping differs: %s "
							  "on the server %s (nfsd), %s on %s "
							  "(nfs)",
							  flag_yn(sx->server_numeric), name_of(&rows[s]), flag_yn(x->client_numeric),
							  name_of(&rows[i])),
				     .detail = xasprintf("One side sends numeric owners, the "
							 "other names: owners the other side "
							 "cannot map show up as nobody."),
				     .fix = xasprintf("%s", probe_idmap_fix));
		}
	}
}

struct uid_entry {
	const char *name;
	uint32_t uid;
	size_t row;
};

static int cmp_uid_entry(const void *a, const void *b)
{
	const struct uid_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* fleet.uids: one user name, several uids. */
static void judge_uids(const struct mesh_nodes *nodes, const struct fleet_row *rows,
		       const char *server, struct report *rep)
{
	struct uid_entry *e = NULL;
	size_t n = 0, cap = 0, n_nodes = 0, n_findings = 0, n_names = 0;

	for (size_t i = 0; i < nodes->n; i++) {
		const struct fleet_ids *x = &rows[i].ids;
		if (!x->present)
			continue;
		n_nodes++;
		for (size_t k = 0; k < x->n_users; k++) {
			if (x->users[k].uid == 0)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				e = xrealloc(e, cap * sizeof(*e));
			}
			e[n++] = (struct uid_entry){ x->users[k].name, x->users[k].uid, i };
		}
	}
	if (n_nodes < 2) {
		free(e);
		return;
	}
	if (n)
		qsort(e, n, sizeof(*e), cmp_uid_entry);
	for (size_t g = 0; g < n;) {
		size_t end = g;
		while (end < n && streq(e[end].name, e[g].name))
			end++;
		n_names++;
		if (e[g].uid != e[end - 1].uid) {
			if (n_findings++ < MAX_UID_FINDINGS) {
				/* The server's uid is the one that counts: files live there. */
				uint32_t want = e[g].uid;
				const char *ref = NULL;
				struct buf where = { 0 }, fix = { 0 };
				for (size_t k = g; k < end; k++)
					if (is_server_row(&rows[e[k].row], server)) {
						want = e[k].uid;
						ref = name_of(&rows[e[k].row]);
					}
				for (size_t k = g; k < end; k++) {
					buf_printf(&where, "%s%u on %s", k > g ? ", " : "", e[k].uid,
						   name_of(&rows[e[k].row]));
					if (e[k].uid != want)
						buf_printf(&fix, "%son %s: sudo usermod -u %u %s", fix.len ? "; " : "",
							   name_of(&rows[e[k].row]), want, e[k].name);
				}
				_cleanup_free_ char *srv = ref ? xasprintf(" The server %s has uid %u: files "
									   "live there.",
									   ref, want)
							       : xstrdup("");
				report_check(rep, "fleet.uids", CHECK_WARN,
					     .summary = xasprintf("user %s has different uids: %s",
								  e[g].name, where.data),
					     .detail = xasprintf("With AUTH_SYS the server trusts the "
								 "client's numeric uid: files %s writes "
								 "from one node belong to another user, "
								 "or to no one, on the others.%s",
								 e[g].name, srv),
					     .fix = xasprintf("%s (then chown the files the old uid "
							      "owned)", fix.data));
				buf_free(&where);
				buf_free(&fix);
			}
		}
		g = end;
	}
	if (n_findings > MAX_UID_FINDINGS)
		report_add(rep, "fleet.uids", CHECK_WARN, "%zu more user names have different uids",
			   n_findings - MAX_UID_FINDINGS);
	if (!n_findings)
		report_add(rep, "fleet.uids", CHECK_OK,
			   "%zu user name(s) on %zu nodes: the same uid everywhere", n_names, n_nodes);
	free(e);
}

static bool host_matches(const char *host, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return host && n && strncasecmp(host, name, n) == 0 && (host[n] == '\0' || host[n] == '.');
}

/* fleet.clients: who should mount the share but is not a client of the server's nfsd. */
static void judge_clients(const struct mesh_nodes *nodes, const struct fleet_row *rows,
			  const char *server, struct report *rep)
{
	for (size_t s = 0; s < nodes->n; s++) {
		const struct fleet_row *sr = &rows[s];
		size_t n_should = 0, n_missing = 0;
		if (!sr->has_clients || !is_server_row(sr, server))
			continue;
		for (size_t i = 0; i < nodes->n; i++) {
			const struct fleet_row *r = &rows[i];
			const char *role = r->node->role;
			bool by_role = role && (streq(role, "client") || streq(role, "wsl2"));
			bool connected = false;
			if (i == s || mesh_node_is_windows(r->node) || !(by_role || r->has_share_entry))
				continue;
			n_should++;
			for (size_t k = 0; k < sr->n_clients && !connected; k++) {
				const struct fleet_client *c = &sr->clients[k];
				connected = c->connected &&
					    (has_ip(r->node, c->address) ||
					     host_matches(c->host, r->node->name) ||
					     host_matches(c->host, r->node->given_name));
			}
			if (connected)
				continue;
			n_missing++;
			report_check(rep, "fleet.clients", CHECK_WARN,
				     .summary = xasprintf("%s should mount the "
							  "share (%s) but has no "
							  "NFSv4 session with "
							  "%s",
							  name_of(r), by_role ? "its role in [nodes]" : "its fstab has the entry",
							  name_of(sr)),
				     .detail = xasprintf("%s's kernel NFS server "
							 "lists %zu client(s); "
							 "none is %s (by address "
							 "or by the host name in "
							 "its client id).",
							 name_of(sr), sr->n_clients, name_of(r)),
				     .fix = xasprintf("on %s: meshnfs doctor "
						      "(mount.present, nfs.*), "
						      "then mount it: sudo mount "
						      "/opt/shared",
						      name_of(r)));
		}
		if (n_should && !n_missing)
			report_add(rep, "fleet.clients", CHECK_OK,
				   "all %zu node(s) that should mount the share have an NFSv4 session "
				   "with %s",
				   n_should, name_of(sr));
	}
}

void fleet_judge(const struct mesh_nodes *nodes, const struct fleet_row *rows, const char *server,
		 struct report *r)
{
	judge_idmap(nodes, rows, server, r);
	judge_uids(nodes, rows, server, r);
	judge_clients(nodes, rows, server, r);
}
