/* SPDX-License-Identifier: MIT */
/* A node of the mesh as a node-list source sees it: the Headscale REST API, `tailscale status
 * --json` (local or the Windows host's tailscale.exe), or the [nodes] section of meshnfs.conf.
 * Deliberately small and generic so that every source can fill it; fields a source does not
 * know stay NULL / MESH_UNKNOWN / 0. Strings are owned by the node. */
#pragma once

#include "core/util.h"

#include <time.h>

enum mesh_tristate {
	MESH_UNKNOWN = 0,
	MESH_NO,
	MESH_YES,
};

#define MESH_NODE_MAX_IPS 8

struct mesh_node {
	char *id;         /* the source's id (Headscale "id", Tailscale "ID"), or NULL */
	char *name;       /* host name as registered (Headscale "name", Tailscale HostName) */
	char *given_name; /* Headscale "givenName" (the MagicDNS label), or NULL */
	char *ips[MESH_NODE_MAX_IPS]; /* textual addresses as the source lists them (v4 or v6) */
	size_t n_ips;
	char *os;                  /* "linux", "windows", ... or NULL when the source does not say */
	char *user;                /* owning user / namespace, or NULL */
	enum mesh_tristate online; /* the control plane's view */
	time_t last_seen;          /* UTC seconds; 0 when unknown or never */
	char *role;                /* from meshnfs.conf [nodes]: server, client, windows, wsl2 */
	char *via; /* a WSL2 distro riding a Windows host's identity (it shares the host's
		      address): the host's display name; NULL otherwise */
};

struct mesh_nodes {
	struct mesh_node *nodes;
	size_t n;
	char *source; /* "headscale https://hs.example", "config /etc/meshnfs.conf", ... */
	bool control_plane; /* the list comes from a control plane (Headscale, Tailscale), not
			       from meshnfs.conf: its nodes have identities of their own */
	bool first_is_self; /* nodes[0] is this machine as Tailscale sees it (on WSL2: the
			       Windows host the distro rides) */
	char **warnings;    /* notes met while loading: sources passed over, [nodes] entries that
			       match nothing; one line each */
	size_t n_warnings;
};

/* Appends a zeroed node and returns it (valid until the next add). */
struct mesh_node *mesh_nodes_add(struct mesh_nodes *l);
void mesh_node_free(struct mesh_node *n);
void mesh_nodes_free(struct mesh_nodes *l);
/* Adds a copy of ip unless already present or full; returns 0, -EEXIST or -E2BIG. */
int mesh_node_add_ip(struct mesh_node *n, const char *ip);
/* The first IPv4 address of the node inside range (host byte order) -> 0, or -ENOENT. */
struct cidr;
/* The first IPv4 address the node lists (as text), or NULL. */
const char *mesh_node_ipv4(const struct mesh_node *n);
int mesh_node_ipv4_in(const struct mesh_node *n, const struct cidr *range, uint32_t *ret);
/* The name to show: givenName when set, else name, else the first address, else "?". */
const char *mesh_node_display_name(const struct mesh_node *n);
const char *mesh_tristate_name(enum mesh_tristate t); /* "yes", "no", "unknown" */
/* The node holds ip (textual, as listed). */
bool mesh_node_has_ip(const struct mesh_node *n, const char *ip);
/* A Windows host: role windows from [nodes], or the source says its OS is Windows. */
bool mesh_node_is_windows(const struct mesh_node *n);
/* name is the node's givenName or name (case-insensitive). */
bool mesh_node_named(const struct mesh_node *n, const char *name);
/* The node's id is Headscale's (a decimal number: `headscale nodes delete --identifier ID`);
 * Tailscale's look like "n1234CNTRL" (removed in the admin console). */
bool mesh_node_headscale_id(const struct mesh_node *n);
void mesh_nodes_warn(struct mesh_nodes *l, const char *fmt, ...) _printf_(2, 3);
