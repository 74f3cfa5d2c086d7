/* SPDX-License-Identifier: MIT */
/* The plans of `meshnfs setup client` and `meshnfs setup server`: what the guide's steps mean
 * on this node, minus what is already right. Building a plan reads files only (under --root)
 * and runs nothing. Errors: -EBADMSG a file meshnfs would edit is refused (diag: file, line);
 * -EDOM an argument is refused (diag: why, and what --force does); -ENOPKG a package is
 * missing and cannot be installed here (diag: what to install); -ENOTSUP the node cannot do
 * it (WSL1); -EEXIST a file is someone else's (diag: what --force does). */
#pragma once

#include "config/config.h"
#include "node/host.h"
#include "node/node.h"
#include "setup/plan.h"

/* Deadlines of the commands setup runs, in ms (the global --timeout raises them, never
 * lowers them below these: an apt-get or a first NFS mount takes time). */
#define SETUP_APT_TIMEOUT_MS (15 * 60 * 1000)
#define SETUP_MOUNT_TIMEOUT_MS (150 * 1000) /* mount.nfs retries a foreground mount ~2 min */
#define SETUP_SYSTEMCTL_TIMEOUT_MS (90 * 1000)

struct setup_client {
	const char *server;      /* address or name of the NFS server */
	const char *export_path; /* the path the server exports */
	const char *mountpoint;
	const char *options;     /* fstab options as configured (adapted to the node here) */
	int timeout_ms;
};

/* The plan for the shares c[0..n_shares): the package once, every share's fstab entry in one
 * atomic edit of /etc/fstab, each mount point, one daemon-reload, each mount. */
int setup_client_plan(const struct setup_client *c, size_t n_shares, const struct node_info *n,
		      struct plan *p, struct diag *diag);

enum setup_backend {
	SETUP_KERNEL,  /* nfs-kernel-server and exports(5), as the guide */
	SETUP_GANESHA, /* nfs-ganesha in user space: containers, kernels without nfsd, the lab */
	SETUP_CEPH,    /* nfs-ganesha with FSAL_CEPH: a gateway of a CephFS (setup_ceph.c) */
};

/* The CephFS a gateway exports ([ceph] of meshnfs.conf). */
struct setup_ceph {
	const char *conf, *user, *keyring, *fs, *path, *pool, *ns;
	const char *nodeid; /* this gateway's name in the RADOS recovery records */
};

#define SETUP_MAX_EXPORTS 32
struct setup_server {
	const char *export_path; /* the first of exports */
	/* Every export of this node (setup server exports each share this node serves, as its
	 * server or one of its gateways; --share NAME limits it): one exports edit, or one
	 * ganesha configuration with one EXPORT each. 1..SETUP_MAX_EXPORTS. */
	const char *const *exports;
	size_t n_exports;
	const char *clients; /* "A.B.C.D/N", an IPv6 "ADDR/N", a comma-separated list of them, or "*" */
	const struct cidr *mesh;
	const struct cidr6 *mesh6; /* the tailnet's IPv6 range, or NULL */
	enum setup_backend backend;
	bool root_squash;
	bool force; /* clients wider than the mesh; replacing a foreign ganesha.conf */
	int timeout_ms;
	const struct setup_ceph *ceph; /* SETUP_CEPH */
};

int setup_server_plan(const struct setup_server *s, const struct node_info *n, struct plan *p,
		      struct diag *diag);

/* Where the drop-in meshnfs writes when no exports file has the path yet. */
#define SETUP_EXPORTS_DROPIN "/etc/exports.d/meshnfs.exports"
/* One ganesha EXPORT block appended to b: NFSv4 over TCP, Path path (in the FSAL's namespace),
 * Pseudo pseudo (what clients mount), Squash, anonymous ids nobody:nogroup, sec=sys, the FSAL
 * block with fsal as its inner lines ("\t\tName = VFS;\n"...), clients read-write. The values
 * must be quotable (the callers check). What setup server (VFS) and the CephFS gateway
 * (CEPH) share. */
/* ganesha's NFS_CORE_PARAM block of every configuration setup writes: NFSv4 only, over TCP,
 * as the mesh guide's kernel export (no UDP, NLM or RQUOTA). */
#define SETUP_GANESHA_CORE                                                                        \
	"NFS_CORE_PARAM {\n"                                                                       \
	"\tProtocols = 4;\n"                                                                       \
	"\tEnable_UDP = false;\n"                                                                  \
	"\tEnable_NLM = false;\n"                                                                  \
	"\tEnable_RQUOTA = false;\n"                                                               \
	"}\n"

/* meshnfs repair: the configured share's mount on this node. */
struct gateway_fact; /* net/gateway.h */
struct repair {
	const char *server, *export_path, *mountpoint;
	const char *options; /* configured fstab options, for a mount without an fstab entry */
	const struct cidr *mesh;
	int timeout_ms;
	bool live;      /* the root is "/": the mount and the network are this machine's */
	bool is_server; /* this node holds the server address: nothing to repair */
	/* The share's gateways (its servers, in order of preference; server is one of them).
	 * With more than one, or with gateway set, the gateway the fstab entry names is probed
	 * with the others, and a client whose gateway does not answer is re-pointed (fstab, the
	 * mount) to the first that does (net/gateway.h). */
	const char *const *gateways;
	size_t n_gateways;
	const char *gateway; /* repair --gateway: move to this one (back only when asked) */
	/* The gateways' probe results already in hand (n_gateways of them, in gateways' order:
	 * watch's round), or NULL: repair probes them itself. */
	const struct gateway_fact *known;
	const char *share;   /* the share's name, for messages */
};

/* The plan: -EBADMSG (diag) when /etc/fstab or mountinfo cannot be parsed, -EDOM (diag) when
 * rp->gateway is not one of the share's gateways. A live hung or
 * stale mount is probed in a forked child (never blocks) and the server with the probe
 * ladder before a new mount is planned. */
int repair_plan(const struct repair *rp, const struct node_info *n, struct plan *p,
		struct diag *diag);
/* plan_init for the repair of the n shares of rp[]: one share with one server is named by
 * it ("repair the mount of SERVER:EXPORT on MP"); one with several gateways by the share, as
 * the plan may move the client off the configured server. */
void repair_plan_init(struct plan *p, const struct repair *rp, size_t n);

/* The last step of `setup client` (setup.verify): the probe ladder from this node to
 * server:export_path; with --root not verified (another machine's network). */
void setup_verify(const char *server, const char *export_path, const struct cidr *mesh,
		  int timeout_ms, struct report *r);
struct probe;
/* The last step of `repair` (repair.verify): after a plan that mounted again, the mount's
 * health probe on this machine (never blocks: a forked child with rp->timeout_ms). */
void repair_verify(const struct repair *rp, const struct plan *p, struct report *r);
