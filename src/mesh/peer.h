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

/* How this machine's Tailscale reaches a peer (ipnstate.PeerStatus: CurAddr, Relay, PeerRelay,
 * Active; judged as `tailscale status` prints it, cmd/tailscale/cli/status.go). */
enum mesh_path_kind {
	MESH_PATH_UNKNOWN = 0, /* the source does not say (Headscale, [nodes], this machine, a
				  Tailscale whose status has no CurAddr/Relay fields) */
	MESH_PATH_IDLE,        /* Active false: no packet sent to it lately, no path chosen */
	MESH_PATH_DIRECT,      /* CurAddr: WireGuard's UDP straight to the peer */
	MESH_PATH_DERP,        /* CurAddr and PeerRelay empty, Relay set: a DERP relay server */
	MESH_PATH_PEER_RELAY,  /* PeerRelay: another node's UDP relay (Tailscale 1.86.0 on) */
};

struct mesh_path {
	enum mesh_path_kind kind;
	char *addr;   /* direct: CurAddr "ip:port"; peer relay: PeerRelay "ip:port:vni:N"; or NULL */
	char *region; /* Relay: the DERP region code ("fra"), or NULL */
};

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
	struct mesh_path path; /* how this machine's Tailscale reaches it (Tailscale sources) */
};

struct mesh_nodes {
	struct mesh_node *nodes;
	size_t n;
	char *source; /* "headscale https://hs.example", "config /etc/meshnfs.conf", ... */
	bool control_plane; /* the list comes from a control plane (Headscale, Tailscale), not
			       from meshnfs.conf: its nodes have identities of their own */
	bool first_is_self; /* nodes[0] is this machine as Tailscale sees it (on WSL2: the
			       Windows host the distro rides) */
	bool wsl2;          /* loaded on a WSL2 distro: its Tailscale is the Windows host's */
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
int mesh_node_ipv4_in(const struct mesh_node *n, const struct cidr *range, uint32_t *out);
/* The name to show: givenName when set, else name, else the first address, else "?". */
const char *mesh_node_display_name(const struct mesh_node *n);
 /* "yes", "no", "unknown" */
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

void mesh_path_free(struct mesh_path *p);
void mesh_path_copy(struct mesh_path *dst, const struct mesh_path *src);
/* "direct", "relay:fra" ("relay" without a region), "peer-relay", "idle", "unknown" into buf. */
const char *mesh_path_name(const struct mesh_path *p, char *buf, size_t size);
/* DERP or a peer relay: the packets take a detour. */
bool mesh_path_relayed(const struct mesh_path *p);

/* What a path means for NFS to peer (its name or address), rtt_ms the measured connect or
 * NULL-call time (-1 unknown): level 0 fine, 1 a warning, -1 no verdict (idle, unknown).
 * Words are new strings (detail and fix may be NULL); pure. */
struct mesh_path_verdict {
	int level;
	char *summary, *detail, *fix;
};
void mesh_path_judge(const struct mesh_path *p, const char *peer, int64_t rtt_ms,
		     struct mesh_path_verdict *v);
void mesh_path_verdict_free(struct mesh_path_verdict *v);
