/* SPDX-License-Identifier: MIT */
/* Inside doctor (private to src/doctor/ and its unit tests): facts, gatherers, judges.
 *
 *   doctor_gather()   every area's gatherer fills its own part of struct doctor_facts, all
 *                     at once in threads (each blocks at most about one timeout per step)
 *   doctor_judge()    every area's judge, in table order: facts in, checks out. Judges are
 *                     pure: no I/O, no clock (facts.now), no JSON; a judge may call another
 *                     judge on the same facts (the cause of a blocked mount asks the nfs
 *                     judge what mesh.address and nfs.tcp say). A check is final when made.
 *   doctor_render()   the facts --json readers want, into the report's extra
 *
 * A new check: one field in the gatherer's facts, one judge (or a case in one), one row in
 * the table of areas.c when it is a new area. Unit tests fill a struct doctor_facts by hand
 * (doctor_facts_init, then the fields) and call the judge. */
#pragma once

#include "doctor/doctor.h"
#include "exports/exports.h"
#include "format/ini.h"
#include "format/listeners.h"
#include "format/nfsdclient.h"
#include "format/text.h"
#include "fstab/fstab.h"
#include "mesh/tailscale.h"
#include "mount/health.h"
#include "mount/mountinfo.h"
#include "net/probe.h"
#include "node/ceph_cli.h"

#include <time.h>

#define DOCTOR_MSG 1200 /* a formatted diag */

/* nfs: the probe ladder against the configured server; for a share with several gateways,
 * against the gateway the client uses (its mount's source, else its fstab entry's), else the
 * one net/gateway.h's gateway_choose picks. */
struct doctor_nfs_facts {
	bool gathered;
	const char *server;      /* the host probed (into the configuration) */
	const char *server_why;  /* for a share with several gateways, why that one ("the mount
				    uses it", ...); NULL otherwise */
	int resolve_rc;          /* 0, or the negative errno of net_resolve (resolve_err) */
	char resolve_err[300];
	struct probe probe;      /* when resolve_rc == 0 */
};

/* gateways: a share with several gateways (config share->servers), each probed up to the
 * export. */
struct doctor_gateway_facts {
	bool gathered;
	size_t n;
	struct probe probes[CONFIG_SHARE_MAX_SERVERS]; /* share->servers[i]'s */
};

/* mount: what is mounted at the mount point, and how it answers. */
struct doctor_mount_facts {
	bool gathered;
	char *mountinfo;          /* the table read (path under the root) */
	int read_rc;              /* mountinfo_read's: 0, -EBADMSG (read_msg) or another errno */
	char read_msg[DOCTOR_MSG];
	struct mount_stack stack;
	const struct mount_entry *top; /* in stack: what a process sees there, or NULL */
	bool automount;           /* an autofs mount lies at or under the top */
	bool live;                /* the root is "/": the mount can be exercised */
	bool probed;              /* health is filled */
	struct mount_health health;
	int point_rc;             /* nothing mounted: 0 the mount point is a directory, -ENOENT
				     missing, -ENOTDIR not a directory, another errno: unknown */
};

/* client: the client side of the guide, from files. */
struct doctor_client_facts {
	bool gathered;
	bool have_mount_nfs4;
	char *fstab_path;
	int read_rc;              /* 0 (an absent file reads as empty) or a negative errno */
	int parse_rc;             /* fstab_parse's; parse_msg when < 0 */
	char parse_msg[DOCTOR_MSG];
	struct fstab fstab;       /* when read_rc == 0 && parse_rc == 0 */
};

struct doctor_exports_facts {
	char *path;               /* under the root */
	int read_rc, parse_rc;
	char parse_msg[DOCTOR_MSG];
	struct exports_file f;    /* when both are 0 */
};

/* server: exports, ganesha, what listens, what runs. */
struct doctor_server_facts {
	bool gathered;
	struct doctor_exports_facts *exports; /* /etc/exports, then /etc/exports.d/ *.exports */
	size_t n_exports;
	int list_rc;              /* exports_files_list's: list_msg when < 0 */
	char list_msg[DOCTOR_MSG];
	char *ganesha_path;
	char *ganesha_conf;       /* its text, or NULL when unreadable */
	int listeners_rc;         /* node_listeners': listeners_msg when < 0 */
	char listeners_msg[DOCTOR_MSG];
	struct listeners listeners;
	int nfsd_threads;         /* /proc/fs/nfsd/threads, 0 when absent */
	pid_t ganesha_pid;
	/* Kernel nfsd's NFSv4 clients (/proc/fs/nfsd/clients/ID/info). clients_rc: 0 read (the
	 * files that could be parsed are in clients; clients_msg names the first that could
	 * not), -ENOENT no such directory (no kernel nfsd, or older than 5.3), another errno. */
	bool clients_dir;         /* the directory exists and was listed */
	int clients_rc;
	char clients_msg[DOCTOR_MSG];
	size_t n_bad_clients;
	size_t n_denied_clients;  /* info files this user may not read (the kernel's 0400) */
	struct nfsd_client *clients;
	size_t n_clients;
	/* The local tailscaled's command line (NUL bytes between words made blanks), when
	 * node_detect found one and it could be read; "" otherwise. */
	char ts_cmdline[512];
	bool ts_userspace;        /* it has --tun=userspace-networking (or --tun userspace-...) */
};

/* ids: how this node maps NFSv4 owners (idmapd.conf, the nfs and nfsd module parameters) and
 * which user names have which uids (/etc/passwd): judged here against the probe, compared
 * across nodes by doctor --all. */
#define DOCTOR_MAX_USERS 500
struct doctor_user {
	char name[33];
	uint32_t uid;
};
struct doctor_ids_facts {
	bool gathered;
	char *idmapd_path;        /* /etc/idmapd.conf under the root */
	int idmapd_rc;            /* 0, -ENOENT, -EBADMSG (idmapd_msg) or a read error */
	char idmapd_msg[DOCTOR_MSG];
	char *domain;             /* [General] Domain, or NULL */
	unsigned domain_line;
	/* /sys/module/{nfs,nfsd}/parameters/nfs4_disable_idmapping: 1 (Y: numeric ids with
	 * AUTH_SYS), 0 (N: names user@domain), -1 (module not loaded or unreadable). */
	int client_numeric, server_numeric;
	int passwd_rc;            /* /etc/passwd: 0 or a negative errno */
	struct doctor_user *users; /* root and regular users (uid 1000..59999), in file order */
	size_t n_users;
};

/* mesh: the Tailscale that carries this node. */
struct doctor_mesh_facts {
	bool gathered;
	int cli_rc;               /* ts_cli_find's */
	struct ts_cli cli;
	int run_rc;               /* ts_status_run's: 0 (st) or a negative errno (run, run_msg) */
	char run_msg[DOCTOR_MSG];
	struct ts_status st;
	struct ts_run run;
	int64_t ms;
	/* mesh.path: the CLI asked again after the probe (doctor_gather_mesh_path) when st showed
	 * the server's peer idle: the probe's packets have made its path since. */
	bool path_asked;
	int path_rc;              /* ts_status_run's for path_st */
	struct ts_status path_st;
};

/* What /etc/fstab asks of systemd (wsl.systemd). */
struct doctor_fstab_use {
	char nfs[300];      /* "SRC on TARGET" of the first NFS line, or "" */
	char xsystemd[300]; /* target of the first line with x-systemd.* options, or "" */
	char error[300];
};

/* wsl: the WSL2 facts node_detect does not hold. */
struct doctor_wsl_facts {
	bool gathered;
	bool tailscaled_enabled;  /* a systemd wants link for tailscaled.service */
	bool asked_windows;       /* configured mirrored, running NAT: the Windows version asked */
	int winver_rc;            /* wsl_windows_version's */
	char *winver;
	unsigned build;
	int wslconfig_rc;         /* reading, decoding, parsing .wslconfig: wslconfig_msg when < 0 */
	char wslconfig_msg[DOCTOR_MSG];
	struct text wslconfig_text;
	struct ini_doc wslconfig;
	struct doctor_fstab_use fstab;
};

/* wsl_ports: both sides' listening sockets in mirrored mode. */
struct doctor_ports_facts {
	bool gathered;
	int lin_rc, win_rc;       /* -1 with no message: not asked (interop off) */
	char lin_msg[DOCTOR_MSG], win_msg[DOCTOR_MSG];
	struct listeners lin, win;
	int64_t ms;
};

/* ceph: a CephFS gateway ([server] backend = ceph): the key file, the cluster's answers. */
struct doctor_ceph_facts {
	bool gathered;            /* the backend is ceph */
	char *conf, *keyring;     /* as on the node */
	bool conf_exists;
	int key_rc;               /* ceph_key_file_check's: key_msg when < 0 */
	char key_msg[DOCTOR_MSG];
	bool live;                /* not under --root: the commands ran */
	struct ceph_run status_run, fsmap_run, client_run; /* rc 0: the fact below is filled */
	struct ceph_status status;
	struct ceph_fsmap fsmap;
	struct ceph_client client;
	const char *nodeid;       /* this gateway's in the grace database (config_ceph_nodeid) */
	struct ceph_run grace_run; /* ganesha-rados-grace dump */
	struct ceph_grace grace;
};

struct doctor_facts {
	const struct config *cfg;
	const struct node_info *node;
	int timeout_ms;
	int verbose;
	bool is_server; /* this node holds the configured server address */
	time_t now;     /* the clock, once, for key expiry */
	struct doctor_nfs_facts nfs;
	struct doctor_gateway_facts gateways;
	struct doctor_mount_facts mount;
	struct doctor_client_facts client;
	struct doctor_server_facts server;
	struct doctor_mesh_facts mesh;
	struct doctor_wsl_facts wsl;
	struct doctor_ports_facts ports;
	struct doctor_ids_facts ids;
	struct doctor_ceph_facts ceph;
};

struct doctor_area {
	const char *name;
	/* Fills its part of f (nothing else: gatherers run at the same time); may block about one
	 * timeout per independent step. NULL when the area's facts are node_detect's. */
	void (*gather)(struct doctor_facts *f);
	/* Appends the area's checks. Pure. */
	void (*judge)(const struct doctor_facts *f, struct report *r);
};

extern const struct doctor_area doctor_areas[];
extern const size_t doctor_n_areas;

/* f from d: the inputs, the clock, nothing gathered. */
void doctor_facts_init(struct doctor_facts *f, const struct doctor *d);
void doctor_facts_free(struct doctor_facts *f);
void doctor_gather(struct doctor_facts *f);
void doctor_judge(const struct doctor_facts *f, struct report *r);
/* The extras of --json: "probe", "mount", "tailscale" (render.c: the only JSON in doctor). */
void doctor_render(const struct doctor_facts *f, struct report *r);

/* Gatherers. */
void doctor_gather_wsl(struct doctor_facts *f);
void doctor_gather_nfs(struct doctor_facts *f);
void doctor_gather_gateways(struct doctor_facts *f);
void doctor_gather_mount(struct doctor_facts *f);
void doctor_gather_client(struct doctor_facts *f);
void doctor_gather_server(struct doctor_facts *f);
void doctor_gather_mesh(struct doctor_facts *f);
void doctor_gather_ports(struct doctor_facts *f);
void doctor_gather_ids(struct doctor_facts *f);
/* After every gatherer: the path to the server once the nfs probe has sent it packets. */
void doctor_gather_mesh_path(struct doctor_facts *f);
void doctor_gather_ceph(struct doctor_facts *f);

/* Judges. */
void doctor_judge_node(const struct doctor_facts *f, struct report *r);
void doctor_judge_wsl(const struct doctor_facts *f, struct report *r);
/* mesh.address and nfs.*. */
void doctor_judge_nfs(const struct doctor_facts *f, struct report *r);
/* share.gateway (one per gateway: answers or not, and why) and share.gateways (how many
 * answer, the one the mount uses, whether the client must move: meshnfs repair), for a share
 * with several gateways; nothing otherwise. */
void doctor_judge_gateways(const struct doctor_facts *f, struct report *r);
/* mount.*; a blocked NFS mount of the server carries its cause (doctor_mount_cause). */
void doctor_judge_mount(const struct doctor_facts *f, struct report *r);
/* mount.point: nothing is mounted, is the mount point there (the guide's step 2)? */
void doctor_judge_mountpoint(const struct doctor_facts *f, struct report *r);
void doctor_judge_client(const struct doctor_facts *f, struct report *r);
void doctor_judge_server(const struct doctor_facts *f, struct report *r);
void doctor_judge_mesh(const struct doctor_facts *f, struct report *r);
/* mesh.path: how this node's Tailscale reaches the configured server (direct or relayed),
 * with the probe's connect time. */
void doctor_judge_mesh_path(const struct doctor_facts *f, struct report *r);
/* The configured server's peer in a status (by the probe's address, [server] address as an
 * address or a name), or NULL. */
const struct ts_node *doctor_server_peer(const struct doctor_facts *f, const struct ts_status *st);
void doctor_judge_ports(const struct doctor_facts *f, struct report *r);
/* ids.idmap: this node's ID mapping, and why the probe's test file belongs to nobody. */
void doctor_judge_ids(const struct doctor_facts *f, struct report *r);
/* ceph.health, ceph.mds, ceph.client, ceph.grace on a CephFS gateway; a failing probe of the gateway
 * (nfs.*) is explained by them where they can. */
void doctor_judge_ceph(const struct doctor_facts *f, struct report *r);
/* wsl.nfs_networking: WSL2's networking against what the nfs and mount judges say. */
void doctor_judge_wsl_nfs(const struct doctor_facts *f, struct report *r);

/* The words of a check being made, for a judge that completes another's before it is added. */
struct doctor_words {
	char *summary, *detail, *fix; /* owned; detail and fix may be NULL */
};
/* The cause of a blocked NFS mount of the configured server (writing: the create or unlink
 * step blocked), from the nfs judge's view of the same facts, added to w: a short cause at
 * the end of the summary, the reason in the detail, the server's fix as the fix's first line. */
void doctor_mount_cause(const struct doctor_facts *f, struct doctor_words *w);

/* A port both sides of a WSL2 machine listen on (wsl.ports). */
struct port_collision {
	uint16_t port;
	struct listener linux_side, windows_side;
};
/* The ports (each once) on which a non-loopback listener of the distro meets a non-loopback
 * listener of Windows; at most max. */
size_t wsl_port_collisions(const struct listeners *lin, const struct listeners *win,
			   struct port_collision *out, size_t max);

/* mesh.tailscale from a parsed status; who names it ("Windows host's Tailscale"), windows
 * says on which side the fixes apply, now is the time to compare key expiry with. */
void doctor_mesh_judge(const struct ts_status *st, const char *who, bool windows, time_t now,
		       struct report *r);
/* wsl.stale_identity over any node list (the Windows host's `tailscale status --json`; the
 * Headscale nodes of mesh_sources_load()): host is the Windows host's node (NULL when
 * unknown), names the distro's host names; the summary names l->source. */
void doctor_stale_identity(const struct mesh_nodes *l, const struct mesh_node *host,
			   const char *const *names, size_t n_names, struct report *r);

/* The mount health probe's grace after SIGKILL, from the deadline (shown in the evidence). */
int doctor_kill_grace_ms(int timeout_ms);
