/* SPDX-License-Identifier: MIT */
/* `meshnfs status`: every node of the mesh probed at once, and what the results say.
 *
 *   status_plan()   rows from the node list (+ the configured server when no node holds it),
 *                   one probe per distinct IPv4 mesh address
 *   status_run()    all probes through one probe_loop: every address's SYN at once, the
 *                   whole ladders bounded, the run bounded by the deadline
 *   status_judge()  roles (server / client / Windows endpoint / WSL2 via host) and the
 *                   consistency warnings; pure over the probes' results
 *
 * What is probed: every address gets the short ladder (route, TCP connect to 2049, NFSv4
 * NULL): it tells an NFS server from a node that answers without one (refused) from one that
 * does not answer, and its TCP connect time is the latency. An address whose NULL call is
 * answered (an NFS server) gets the whole ladder (export, write test, ownership) as soon as
 * one of the max_ladders turns is free; the configured server ([server] address, or [nodes]
 * role server) gets it from the start. The bound on whole ladders is one for all addresses:
 * which addresses are one server cannot be known before probing them (one ganesha may answer
 * on hundreds of addresses, and a node list's names say nothing about it), so no server ever
 * sees more than max_ladders of them at once, however many addresses it answers on. Without
 * the write test (no_write) the whole ladder is one lookup without client state on a new
 * connection (net/probe.h), still in a turn: a first try that carried it on the NULL call's
 * connection in the conversation turn (then 128 at once) slowed the SYN answers on the loaded lab
 * until silent addresses were cut by the loss rule in 3 of 4 runs (1 of 4 with the turns). */
#pragma once

#include "config/config.h"
#include "core/hindex.h"
#include "mesh/peer.h"
#include "net/probe.h"
#include "node/ceph_cli.h"
#include "report/report.h"

#include <pthread.h>

enum status_role {
	STATUS_ROLE_NONE,    /* nothing says */
	STATUS_ROLE_SERVER,  /* serves NFS on 2049 (the probe), or configured as the server */
	STATUS_ROLE_CLIENT,  /* [nodes] role client */
	STATUS_ROLE_WINDOWS, /* a Windows host: Tailscale endpoint */
	STATUS_ROLE_WSL2,    /* a WSL2 distro riding its Windows host */
};

struct status_target {
	struct netaddr addr;   /* the node's IPv4 mesh address, else its IPv6 one (range6) */
	struct probe p;
	bool full;             /* the probe is (now) the whole ladder */
	bool expected_server;  /* configured as the server: whole ladder from the start */
	int64_t tcp_ms;        /* the short probe's TCP connect time when the whole ladder
				  followed it, else -1 */
	bool no_time_left;     /* an NFS server, but the run ended before its whole ladder
				  (its diagnosis is then PROBE_CUT) */
	bool waiting;          /* NULL answered, waiting for a turn for its whole ladder */
	bool online;           /* a node at this address is online to the control plane and not
				  on a direct path: its silence is waited out (probe_opts.patient) */
	const char *export_path; /* a gateway of a share: the share's export (the first share
				    that names it), else NULL: [server] export */
	bool share_only;       /* one more export on a gateway another target probes already
				  (a second share with its own export): judged for that share
				  only, not counted as one more address */
};

struct status_row {
	const struct mesh_node *node; /* NULL: the configured server, in no node of the list */
	char *name;
	size_t target;         /* index into targets, or SIZE_MAX when not probed */
	char *not_probed;      /* why not, when target == SIZE_MAX */
	bool expected_server;
	enum status_role role;
	bool self;             /* this machine (Tailscale's Self, or a WSL2 distro riding it) */
	struct mesh_path path; /* how this machine's Tailscale reaches the node: after the
				  probes (status_paths), else as the node list said */
};

enum status_warning_kind {
	STATUS_W_SOURCE,            /* from loading the list (sources passed over, ...) */
	STATUS_W_OFFLINE_ANSWERING, /* offline in the control plane, yet it answers */
	STATUS_W_SERVER_UNREACHABLE,
	STATUS_W_SERVER_UNHEALTHY,  /* a server answers, but its ladder fails */
	STATUS_W_STALE_WSL2,        /* a WSL2 distro's own, stale mesh identity */
	STATUS_W_DUPLICATE_IP,      /* two nodes claim one address */
	STATUS_W_NOT_LISTED,        /* the configured server is not in the list */
	STATUS_W_NOT_PROBED,        /* the run's deadline came before some nodes were probed */
	STATUS_W_RELAYED,           /* an NFS server reached through a relay, not directly */
};

struct status_warning {
	enum status_warning_kind kind;
	char *message;
	char *fix;  /* or NULL */
	char *node; /* the row it is about, or NULL */
};

/* A share of the configuration and its gateways (shown only when the configuration has
 * [share NAME] sections: an old single-share one shows no shares, as before). */
struct status_share {
	const char *name, *export_path, *mountpoint; /* into the configuration */
	size_t n;                                    /* gateways */
	const char *gateway[CONFIG_SHARE_MAX_SERVERS]; /* as configured, in order */
	size_t row[CONFIG_SHARE_MAX_SERVERS];        /* its row, SIZE_MAX when none */
	size_t target[CONFIG_SHARE_MAX_SERVERS];     /* the target probing this share's export
							on it, SIZE_MAX when none */
	/* status_judge: */
	enum probe_diagnosis diag[CONFIG_SHARE_MAX_SERVERS]; /* PROBE_PENDING: not probed */
	bool healthy[CONFIG_SHARE_MAX_SERVERS];      /* answers up to the export (net/gateway.h) */
	size_t n_healthy;
	int use;                    /* the gateway clients should use (gateway_choose with no
				       gateway in use: the first that answers), -1 when none */
	enum check_status verdict;  /* ok: every gateway answers; warn: available (at least one
				       does); fail: none does */
};

struct status_opts {
	const struct config *cfg;
	const char *share; /* --share NAME: only that share's row in the shares; NULL: all */
	int timeout_ms;    /* --timeout: the whole run of probes, and each step at most */
	size_t max_active; /* probes (descriptors) at once; 0: one per address, as far as the
			      descriptor limit (soft raised to hard) goes */
	size_t max_ladders; /* whole ladders at once, in all; 0 means STATUS_MAX_LADDERS */
	bool no_write;     /* the whole ladder stops after the export */
	/* progress while probes run (NULL: none): addresses finished, in all, ms left */
	void (*progress)(size_t finished, size_t n, int64_t ms_left, void *userdata);
	void *userdata;
};

#define STATUS_MAX_LADDERS 16
/* NULL calls at once, in all (net/probe.h, probe_gate). What bounds what:
 *  - per address: one conversation, by construction (one target, one probe per address; a
 *    share_only target is one more on a gateway's address, one per further export). In a
 *    mesh every address is its own machine (one target per node), so this is the bound a
 *    real server sees: at most a few connections from one status run.
 *  - in all: this. It matters only where many addresses are one server, which status cannot
 *    know before probing (the labs: bench/status-vs-nmap.sh puts 601 addresses behind one
 *    ganesha, bench/status-scale.sh up to 10000, 6000 answering): half of ganesha's RPC_Max_Connections
 *    (1024, beyond which it closes connections unanswered), leaving room for the ladders'
 *    connections and the SYN burst's accepted ones not yet closed. A kernel nfsd behind more
 *    addresses than its limit (20 per thread + 3: 220 with 8 threads) closes its oldest
 *    connections, most of them answered already; a NULL call closed unanswered is retried
 *    once on a new connection in a later turn (net/probe.c).
 * A connection accepted while every turn is taken is closed and the NULL call waits for a
 * turn, on a new connection then; at 128 (until 2026-12-07) that was 461 of the lab's 600
 * answering addresses, a second handshake each (bench/README.md, "Where status's time
 * goes", item 1). */
#define STATUS_MAX_CONVERSATIONS 512
#define STATUS_GRACE_MS 100 /* the run ends at --timeout + this + the start pace (run.c) */

struct status {
	const struct mesh_nodes *nodes;
	struct status_opts o;
	struct status_row *rows;
	size_t n_rows;
	struct status_target *targets;
	size_t n_targets;
	struct hindex target_index; /* every target, by address */
	size_t *queue;        /* targets waiting for a turn for their whole ladder, in order */
	size_t q_head, q_tail;
	size_t ladders;       /* whole ladders running */
	size_t finished;      /* targets finished for good */
	struct probe_gate gate; /* NULL calls at once */
	int64_t t0, deadline; /* now_ms() times of the run */
	int64_t ms;           /* the run's wall time */
	struct status_warning *warnings;
	size_t n_warnings;
	struct mesh_node server_node; /* the configured server, when no node holds it */
	struct mesh_node **gateway_nodes; /* gateways no node holds (each its own allocation) */
	size_t n_gateway_nodes;
	struct status_share *shares; /* named shares in the configuration: all of them (or the
					one --share names); none without [share NAME] sections */
	size_t n_shares;
};

/* Rows and targets for nodes (which must outlive st). A [server] address given as a name
 * is matched against the nodes' names; an IPv4 address against their addresses. */
void status_plan(struct status *st, const struct mesh_nodes *nodes, const struct status_opts *o);
/* Probes every target; returns 0 or a negative errno (poll failed). */
int status_run(struct status *st);
/* The path to every node from this machine's Tailscale CLI (the Windows host's on WSL2), asked
 * once after the probes, whose packets have made each answering peer's path; a row whose
 * node the CLI does not list (or no CLI, or --root) keeps the node list's path. Returns 0 or
 * the negative errno of finding or running the CLI (not an error of the run). */
int status_paths(struct status *st);
/* Roles and warnings from the results. */
void status_judge(struct status *st);
/* The run's verdict: fail when a row fails, warn when there are warnings, else ok. */
enum check_status status_verdict(const struct status *st);
void status_free(struct status *st);

/* The target of a row, or NULL when it was not probed (or the run ended first). */
const struct status_target *status_row_target(const struct status *st, const struct status_row *r);
/* The address answered from here (TCP accepted or refused). */
bool status_target_answered(const struct status_target *t);
/* The addresses probed: the targets but for the share_only ones (their address has one). */
size_t status_n_addresses(const struct status *st);
/* TCP connect time in ms when the node answered, else -1. */
int64_t status_row_latency(const struct status *st, const struct status_row *r);
/* The row is a gateway of a share with more than one (status_judge's shares). */
bool status_row_is_gateway(const struct status *st, size_t row);
const char *status_role_name(enum status_role r);  /* JSON: "server", ..., NULL for none */
const char *status_role_title(enum status_role r); /* table: "server", "Windows endpoint", ... */
const char *status_warning_kind_name(enum status_warning_kind k);

/* The Ceph cluster behind the gateways ([server] backend = ceph), shown once per run:
 * `ceph status` asked with [ceph]'s conf, user and keyring while the probes run (a thread of
 * its own, the same deadline). Not asked under --root, nor without the conf or with a key file
 * others can read (why says so). */
struct status_ceph {
	bool wanted;            /* backend ceph */
	bool asked;             /* the command ran (run holds how) */
	char why[1300];          /* not asked: why */
	char *keyring;
	struct ceph_run run;    /* run.rc 0: st is filled */
	struct ceph_status st;
	pthread_t thread;
	bool started;
};
void status_ceph_start(struct status_ceph *c, const struct config *cfg, int timeout_ms);
void status_ceph_wait(struct status_ceph *c);
/* One line for the table's foot: "Ceph cluster F: HEALTH_WARN: 1 osds down; ...", or why it
 * was not asked or did not answer (a cut says so). New string, NULL when not wanted. Pure. */
char *status_ceph_line(const struct status_ceph *c);
void status_ceph_free(struct status_ceph *c);
