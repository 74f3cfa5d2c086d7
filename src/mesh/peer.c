/* SPDX-License-Identifier: MIT */
#include "mesh/peer.h"

#include "format/cidr.h"
#include "mesh/mesh_private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

struct mesh_node *mesh_nodes_add(struct mesh_nodes *l)
{
	l->nodes = xrealloc(l->nodes, (l->n + 1) * sizeof(*l->nodes));
	struct mesh_node *n = &l->nodes[l->n++];
	*n = (struct mesh_node){ 0 };
	return n;
}

void mesh_node_free(struct mesh_node *n)
{
	free(n->id);
	free(n->name);
	free(n->given_name);
	for (size_t i = 0; i < n->n_ips; i++)
		free(n->ips[i]);
	free(n->os);
	free(n->user);
	free(n->role);
	free(n->via);
	mesh_path_free(&n->path);
	*n = (struct mesh_node){ 0 };
}

void mesh_nodes_free(struct mesh_nodes *l)
{
	for (size_t i = 0; i < l->n; i++)
		mesh_node_free(&l->nodes[i]);
	free(l->nodes);
	free(l->source);
	for (size_t i = 0; i < l->n_warnings; i++)
		free(l->warnings[i]);
	free(l->warnings);
	*l = (struct mesh_nodes){ 0 };
}

int mesh_node_add_ip(struct mesh_node *n, const char *ip)
{
	if (mesh_node_has_ip(n, ip))
		return -EEXIST;
	if (n->n_ips >= MESH_NODE_MAX_IPS)
		return -E2BIG;
	n->ips[n->n_ips++] = xstrdup(ip);
	return 0;
}

const char *mesh_node_ipv4(const struct mesh_node *n)
{
	uint32_t a;

	for (size_t i = 0; i < n->n_ips; i++)
		if (ipv4_parse(n->ips[i], &a) == 0)
			return n->ips[i];
	return NULL;
}

int mesh_node_ipv4_in(const struct mesh_node *n, const struct cidr *range, uint32_t *out)
{
	for (size_t i = 0; i < n->n_ips; i++) {
		uint32_t a;
		if (ipv4_parse(n->ips[i], &a) == 0 && (!range || cidr_contains(range, a))) {
			*out = a;
			return 0;
		}
	}
	return -ENOENT;
}

const char *mesh_node_display_name(const struct mesh_node *n)
{
	if (n->given_name && n->given_name[0])
		return n->given_name;
	if (n->name && n->name[0])
		return n->name;
	return n->n_ips ? n->ips[0] : "?";
}

const char *mesh_tristate_name(enum mesh_tristate t)
{
	static const char *const names[] = {
		[MESH_UNKNOWN] = "unknown", [MESH_NO] = "no", [MESH_YES] = "yes"
	};
	return ENUM_NAME(names, t, "unknown");
}

bool mesh_node_has_ip(const struct mesh_node *n, const char *ip)
{
	for (size_t i = 0; i < n->n_ips; i++)
		if (streq(n->ips[i], ip))
			return true;
	return false;
}

bool mesh_node_is_windows(const struct mesh_node *n)
{
	return (n->role && streq(n->role, "windows")) || (n->os && strcasecmp(n->os, "windows") == 0);
}

bool mesh_node_named(const struct mesh_node *n, const char *name)
{
	return (n->given_name && strcasecmp(n->given_name, name) == 0) ||
	       (n->name && strcasecmp(n->name, name) == 0);
}

bool mesh_node_headscale_id(const struct mesh_node *n)
{
	return n->id && *n->id && strspn(n->id, "0123456789") == strlen(n->id);
}

void mesh_nodes_warn(struct mesh_nodes *l, const char *fmt, ...)
{
	va_list ap;
	char *w;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		abort();
	va_end(ap);
	l->warnings = xrealloc(l->warnings, (l->n_warnings + 1) * sizeof(*l->warnings));
	l->warnings[l->n_warnings++] = w;
}

void mesh_path_free(struct mesh_path *p)
{
	free(p->addr);
	free(p->region);
	*p = (struct mesh_path){ 0 };
}

void mesh_path_copy(struct mesh_path *dst, const struct mesh_path *src)
{
	*dst = (struct mesh_path){ .kind = src->kind,
				   .addr = src->addr ? xstrdup(src->addr) : NULL,
				   .region = src->region ? xstrdup(src->region) : NULL };
}

const char *mesh_path_name(const struct mesh_path *p, char *buf, size_t size)
{
	switch (p->kind) {
	case MESH_PATH_DIRECT:
		snprintf(buf, size, "direct");
		break;
	case MESH_PATH_DERP:
		snprintf(buf, size, "relay%s%s", p->region ? ":" : "", p->region ? p->region : "");
		break;
	case MESH_PATH_PEER_RELAY:
		snprintf(buf, size, "peer-relay");
		break;
	case MESH_PATH_IDLE:
		snprintf(buf, size, "idle");
		break;
	default:
		snprintf(buf, size, "unknown");
	}
	return buf;
}

bool mesh_path_relayed(const struct mesh_path *p)
{
	return p->kind == MESH_PATH_DERP || p->kind == MESH_PATH_PEER_RELAY;
}

static const char *path_fix =
	"Run `tailscale netcheck` on both nodes: \"UDP: false\" means UDP is blocked on the way "
	"out (allow outgoing UDP, and incoming UDP 41641 on the server's firewall: Tailscale's "
	"default port); \"MappingVariesByDestIP: true\" is a hard NAT (forward UDP 41641 to the "
	"node, or let the router keep one mapping per source port). Then `tailscale ping %s` shows "
	"when the path turns direct (\"via IP:PORT\" instead of \"via DERP(...)\")";

/* Why a path is relayed, for either kind of relay. */
#define PATH_CAUSE \
	" The usual cause: UDP 41641 blocked by a firewall, or both nodes behind hard NAT."

void mesh_path_judge(const struct mesh_path *p, const char *peer, int64_t rtt_ms,
		     struct mesh_path_verdict *v)
{
	char rtt[48] = "";

	*v = (struct mesh_path_verdict){ .level = -1 };
	if (rtt_ms >= 0)
		snprintf(rtt, sizeof(rtt), " (%" PRId64 " ms to connect from here)", rtt_ms);
	switch (p->kind) {
	case MESH_PATH_DIRECT:
		v->level = 0;
		v->summary = xasprintf("direct: %s is reached straight over UDP (%s)%s", peer,
				       p->addr ? p->addr : "?", rtt);
		return;
	case MESH_PATH_DERP:
		v->level = 1;
		v->summary = xasprintf("relayed: %s is reached through the DERP relay %s, not "
				       "directly%s",
				       peer, p->region ? p->region : "(region unknown)", rtt);
		v->detail = xstrdup(
			"Tailscale found no direct UDP path and sends every packet through a DERP "
			"relay server (WireGuard inside TCP/TLS, a detour over the Internet). NFS "
			"works, slowly: each NFS call waits a whole relayed round trip (listing a "
			"directory takes many), and DERP servers limit each node's bandwidth, so large "
			"reads and writes crawl." PATH_CAUSE);
		v->fix = xasprintf(path_fix, peer);
		return;
	case MESH_PATH_PEER_RELAY:
		v->level = 1;
		v->summary = xasprintf("relayed: %s is reached through a peer relay (%s), not "
				       "directly%s",
				       peer, p->addr ? p->addr : "?", rtt);
		v->detail = xstrdup(
			"Tailscale found no direct UDP path and sends the packets through another "
			"node of the tailnet acting as a UDP relay (peer relays, Tailscale 1.86 on). "
			"Better than DERP (UDP, no DERP bandwidth limit), but every NFS call takes the "
			"extra hop and the relay's uplink bounds the throughput." PATH_CAUSE);
		v->fix = xasprintf(path_fix, peer);
		return;
	case MESH_PATH_IDLE:
		v->summary = xasprintf("no path yet: nothing was sent to %s lately (Tailscale chooses "
				       "the path when traffic flows)",
				       peer);
		v->fix = xasprintf("tailscale ping %s   (makes traffic and prints the path)", peer);
		return;
	default:
		v->summary = xasprintf("unknown: this Tailscale's status says nothing of the path to "
				       "%s (no CurAddr/Relay fields: an old or a foreign CLI)",
				       peer);
		v->fix = xasprintf("tailscale ping %s   (prints \"via DERP(...)\" or \"via IP:PORT\")",
				   peer);
	}
}

void mesh_path_verdict_free(struct mesh_path_verdict *v)
{
	free(v->summary);
	free(v->detail);
	free(v->fix);
	*v = (struct mesh_path_verdict){ 0 };
}
