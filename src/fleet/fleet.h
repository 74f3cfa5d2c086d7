/* SPDX-License-Identifier: MIT */
/* Fleet doctor: `meshnfs doctor --json` on every node over OpenSSH (BatchMode, ConnectTimeout,
 * the node's mesh address; Tailscale SSH answers the same way), a bounded number of sessions
 * at once, each a spawn_run() with a deadline, no shell on this side. Every node gets a row:
 * its doctor verdict and failing checks, or why there is none (not installed, unreachable,
 * authentication failed, ...). Nothing here prints. */
#pragma once

#include "core/diag.h"
#include "core/spawn.h"
#include "format/cidr.h"
#include "mesh/peer.h"
#include "report/report.h"

enum fleet_result {
	FLEET_OK,            /* doctor ran: verdict ok */
	FLEET_WARN,          /* doctor ran: warnings */
	FLEET_FAIL,          /* doctor ran: failures */
	FLEET_SKIPPED,       /* not a node meshnfs runs on (a Windows endpoint), or --root */
	FLEET_NO_ADDRESS,    /* no address in the mesh range */
	FLEET_NOT_INSTALLED, /* the remote shell found no meshnfs (exit 127) */
	FLEET_UNREACHABLE,   /* no route, no answer to the SYN, connect timeout */
	FLEET_REFUSED,       /* port 22 refused: no sshd */
	FLEET_AUTH_FAILED,   /* ssh authentication failed */
	FLEET_HOST_KEY,      /* host key unknown or changed */
	FLEET_TIMEOUT,       /* the whole session passed its deadline */
	FLEET_BAD_CONFIG,    /* the node's meshnfs.conf is broken (exit 65) */
	FLEET_ERROR,         /* anything else: ssh error, unexpected exit or output */
};

struct fleet_check {
	char *id;
	enum check_status status;
	char *summary;
	char *fix; /* or NULL */
};

/* What a node's doctor says about ID mapping ("ids" of its --json), validated. */
struct fleet_user {
	char name[33];
	uint32_t uid;
};
struct fleet_ids {
	bool present;
	char *domain;           /* idmapd.conf [General] Domain, or NULL */
	int client_numeric;     /* nfs4_disable_idmapping of nfs: 1 Y, 0 N, -1 unknown */
	int server_numeric;     /* of nfsd */
	struct fleet_user *users;
	size_t n_users;
};
/* One NFSv4 client of a node's kernel nfsd ("nfsd_clients"). */
struct fleet_client {
	char address[64];
	char *host;             /* the host in a Linux client's id string, or NULL */
	bool connected;         /* its lease has not expired */
};

#define FLEET_MAX_USERS 1000
#define FLEET_MAX_CLIENTS 4096

struct fleet_row {
	const struct mesh_node *node; /* borrowed from the node list */
	char address[64];             /* the mesh address ssh connects to, or "" */
	enum fleet_result result;
	char *reason;                 /* one line when the result is not a doctor verdict */
	char *warning; /* the node's answer contradicts itself (its verdict is better than its
			  worst check: shown as the worse), or NULL */
	struct fleet_check *checks;   /* the node's warn and fail checks, in its order */
	size_t n_checks;
	struct fleet_ids ids;
	bool has_clients;             /* the node's doctor listed its nfsd clients */
	struct fleet_client *clients;
	size_t n_clients;
	bool has_share_entry;         /* fstab.entry or mount.present is ok or warn there: the
					 node is set up to mount the share */
	int exit_code; /* ssh's exit status, -1 when it did not run or was killed */
	int64_t ms;
};

struct fleet_opts {
	const char *ssh_config; /* ssh -F, or NULL */
	const char *identity;   /* ssh -i, or NULL */
	const char *user;       /* ssh -l, or NULL */
	const char *meshnfs;    /* the program on the nodes; NULL means "meshnfs" */
	int sessions;           /* concurrent sessions, >= 1 */
	int connect_timeout_s;  /* ssh ConnectTimeout */
	int timeout_ms;         /* the remote doctor's --timeout */
	const struct cidr *mesh; /* the mesh range: which address to connect to */
};

/* Runs doctor on every node; *rows gets one row per node, in the list's order. */
void fleet_run(const struct fleet_opts *o, const struct mesh_nodes *nodes, struct fleet_row **rows);
void fleet_rows_free(struct fleet_row *rows, size_t n);

/* Fills row->result, reason and checks from a finished ssh run (spawn_r is spawn_run's
 * return value). Pure: used by fleet_run and the tests. */
void fleet_classify(int spawn_r, const struct spawn_result *res, struct fleet_row *row);

/* Checks across the nodes' answers, added to r (pure): fleet.idmap (idmapd Domain and
 * nfs4_disable_idmapping compared, the server's against every client's), fleet.uids (one user
 * name with different uids on different nodes), fleet.clients (a node that should mount the
 * share, by its [nodes] role or its own fstab entry, but is not among the NFSv4 clients of the
 * server's kernel nfsd). server: the configured server address; rows as fleet_run made them. */
void fleet_judge(const struct mesh_nodes *nodes, const struct fleet_row *rows, const char *server,
		 struct report *r);

const char *fleet_result_name(enum fleet_result r); /* "ok", "not_installed", ... */
/* ok/skipped -> CHECK_OK, warn -> CHECK_WARN, everything else -> CHECK_FAIL */
enum check_status fleet_result_status(enum fleet_result r);
