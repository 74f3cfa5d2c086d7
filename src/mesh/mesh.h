/* SPDX-License-Identifier: MIT */
/* A node of the mesh as a control plane knows it, whatever the source: `tailscale status
 * --json` (this node and its peers), later Headscale's API (GET /api/v1/node). Reusable data:
 * doctor judges it, `meshnfs status` lists it. */
#pragma once

#include "core/util.h"

#include <jansson.h>

#define MESH_TIME_NONE INT64_MIN /* a timestamp that is absent or Go's zero time */

struct mesh_node {
	char *id;       /* Tailscale StableNodeID ("nRJT1utJ3i11CNTRL"); Headscale: its numeric id */
	char *key;      /* "nodekey:..." or NULL */
	char *hostname; /* the name the node reports for itself (not deduplicated), or NULL */
	char *dns_name; /* MagicDNS FQDN without the trailing dot, or NULL */
	char *os;       /* "linux", "windows", ... or NULL when the source does not say */
	char **ips;     /* mesh addresses, validated IPv4/IPv6 text */
	size_t n_ips;
	int64_t user_id;
	bool online;         /* connected to the control plane */
	bool active;         /* traffic in the last minutes (Tailscale only) */
	bool expired;        /* node key expired */
	int64_t last_seen;   /* unix seconds or MESH_TIME_NONE */
	int64_t key_expiry;  /* unix seconds or MESH_TIME_NONE (expiry disabled) */
	int64_t created;     /* unix seconds or MESH_TIME_NONE */
};

void mesh_node_free(struct mesh_node *n);
/* The node's first IPv4 mesh address, or NULL. */
const char *mesh_node_ipv4(const struct mesh_node *n);
bool mesh_node_has_ip(const struct mesh_node *n, const char *ip);
/* {"id", "name", "dns_name", "os", "ips": [...], "online", "last_seen", "key_expiry", ...} */
json_t *mesh_node_to_json(const struct mesh_node *n);
/* The name to show: hostname, else the DNS name, else the id (may be NULL). */
const char *mesh_node_name(const struct mesh_node *n);

/* Stale WSL2 identities: a node registered by a tailscaled once run inside a WSL2 distro.
 * The distro has no mesh identity of its own (it rides the Windows host's); a Linux node that
 * carries the distro's host name (by default the Windows computer name) and addresses other
 * than the host's is a left-over. */
struct wsl_identity {
	const char *const *names; /* the distro's host names: /etc/hostname, wsl.conf
				     [network] hostname, the Windows host's own name */
	size_t n_names;
	const struct mesh_node *host; /* the Windows host's node, or NULL when unknown */
};
/* Fills idx (capacity n) with the indexes of nodes that look like stale identities of this
 * distro; returns how many. Pure: the source of the node list does not matter. */
size_t mesh_find_wsl_ghosts(const struct mesh_node *nodes, size_t n,
			    const struct wsl_identity *who, size_t *idx);
