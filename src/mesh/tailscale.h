/* SPDX-License-Identifier: MIT */
/* `tailscale status --json` (tailscale.com/ipn/ipnstate.Status): the backend state, this node
 * and its peers. Parsed with jansson: 64-bit integers, unknown fields ignored, every field
 * that is read checked for its type; malformed output is -EBADMSG with a diag naming the
 * program. And the CLI that carries this node: on WSL2 the Windows host's tailscale.exe
 * through interop, on native Linux the local `tailscale`. The CLI exits 0 in every backend
 * state: BackendState is what tells. */
#pragma once

#include "core/diag.h"
#include "mesh/peer.h"

#include <jansson.h>

enum ts_backend {
	TS_BACKEND_UNKNOWN = 0, /* a state this version of meshnfs does not know */
	TS_NO_STATE,
	TS_NEEDS_LOGIN,
	TS_NEEDS_MACHINE_AUTH,
	TS_STOPPED,
	TS_STARTING,
	TS_RUNNING,
};

/* One PeerStatus: the source-neutral node (id = StableNodeID, name = HostName, given_name =
 * the MagicDNS label, ips = TailscaleIPs, os, online, last_seen, path: of a peer, from
 * CurAddr, Relay, PeerRelay and Active; Self's stays unknown) and what only Tailscale says. */
struct ts_node {
	struct mesh_node n;
	char *key;         /* "nodekey:...", or the Peer map key */
	char *dns_name;    /* MagicDNS FQDN without the trailing dot, or NULL */
	bool expired;      /* the node key expired */
	bool active;       /* traffic in the last minutes */
	time_t key_expiry; /* UTC seconds; 0 when absent (expiry disabled) */
	int64_t user_id;
};

struct ts_status {
	char *version;       /* the daemon's version, or NULL */
	char *backend_state; /* BackendState as printed */
	enum ts_backend backend;
	char *auth_url;      /* AuthURL when logged out, or NULL */
	bool has_self;
	struct ts_node self;
	struct ts_node *peers; /* in the order of the Peer object */
	size_t n_peers;
	char **health; /* Health: problems tailscaled found; empty when none */
	size_t n_health;
	bool has_tailnet;       /* CurrentTailnet is not null (connected to a control plane) */
	char *tailnet_name;     /* CurrentTailnet.Name, or NULL */
	char *magic_dns_suffix; /* CurrentTailnet.MagicDNSSuffix (or the legacy field), or NULL */
};

#define TS_MAX_OUTPUT (64u * 1024 * 1024)
#define TS_MAX_PEERS 100000

/* Parses the output of `tailscale status --json`. source names the program in messages.
 * Returns 0, or -EBADMSG with diag filled ("SOURCE: problem", line of the JSON error). */
int ts_status_parse(const char *source, const char *data, size_t len, struct ts_status *st,
		    struct diag *diag);
void ts_status_free(struct ts_status *st);
/* The node list (Self first, then the peers) for `meshnfs status` and wsl.stale_identity;
 * source names it ("tailscale.exe status --json"). */
void ts_status_nodes(const struct ts_status *st, const char *source, struct mesh_nodes *out);
/* The peer that holds ip (textual, as listed) or is named name (HostName or MagicDNS label),
 * or NULL; either may be NULL. */
const struct ts_node *ts_status_peer(const struct ts_status *st, const char *ip, const char *name);
/* The first IPv4 of a node, or NULL. */
const char *ts_node_ipv4(const struct ts_node *t);
/* {"id", "name", "dns_name", "os", "ips", "online", "expired", "last_seen", "key_expiry",
 * "path"} */
json_t *ts_node_to_json(const struct ts_node *t);

/* The CLI to ask. */
struct ts_cli {
	char *path;   /* what is run: a path under the root, or a name found on PATH */
	bool windows; /* the Windows host's tailscale.exe, run through WSL interop */
	bool exact;   /* a fixed path (spawn with .exact_path) */
};

/* Fixed install paths of the Windows CLI, resolved under the root (newest first). */
extern const char *const ts_windows_paths[];
/* WSL2: the first ts_windows_paths entry that exists under the root, else tailscale.exe on
 * PATH. Native Linux: tailscale on PATH. Returns 0 or -ENOENT. */
int ts_cli_find(bool wsl2, struct ts_cli *cli);
void ts_cli_free(struct ts_cli *cli);

struct ts_run {
	int64_t ms;
	int exit_code;  /* when it ran */
	char *err_line; /* first non-empty line of stderr (trimmed, bounded), or NULL */
};

/* Runs `CLI status --json` with a deadline and parses it. Returns 0 (st filled); the negative
 * errno of a failed exec (-ENOEXEC: "Exec format error", WSL interop broken; -ENOENT; -EACCES);
 * -ETIMEDOUT; -EPROTO when it exited non-zero (tailscaled / the Windows service is not
 * running: see run->exit_code and run->err_line); -EBADMSG with diag on malformed output. */
int ts_status_run(const struct ts_cli *cli, int timeout_ms, struct ts_status *st,
		  struct ts_run *run, struct diag *diag);
void ts_run_free(struct ts_run *run);

/* The path this machine's Tailscale (on WSL2 the Windows host's) has to the peer that holds ip
 * or is named name: the CLI asked once. Returns 0 with *out filled and *peer the peer's
 * HostName (new string, or NULL); -ENOENT when Tailscale is not Running or lists no such
 * peer; or ts_cli_find's and ts_status_run's errors (SPAWN_REFUSED_ROOT under --root). */
int ts_path_to(bool wsl2, const char *ip, const char *name, int timeout_ms, struct mesh_path *out,
	       char **peer);
