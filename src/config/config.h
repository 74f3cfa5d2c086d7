/* SPDX-License-Identifier: MIT */
/* meshnfs.conf: the guide's values as built-in defaults, overridden by /etc/meshnfs.conf
 * (under --root) or --config FILE. Strict: an unknown section or key, or a bad value, is an
 * error naming file, line and token (a typo must not silently fall back to a default). */
#pragma once

#include "core/diag.h"
#include "core/hindex.h"
#include "format/cidr.h"

#define CONFIG_DEFAULT_PATH "/etc/meshnfs.conf"

/* One entry of [nodes]: "NAME = [ADDRESS[,ADDRESS...]] [ROLE] [os=OS]". The section is the
 * node-list source "config", and gives roles to nodes other sources list (matched by name). */
#define CONFIG_NODE_MAX_ADDRS 8
struct config_node {
	char *name;
	char *addrs[CONFIG_NODE_MAX_ADDRS]; /* IPv4 or IPv6, as written */
	size_t n_addrs;
	char *role; /* server, client, windows, wsl2, or NULL */
	char *os;   /* or NULL */
	unsigned line;
};

/* A share: one directory a client mounts from one or more gateways (servers exporting the
 * same data, e.g. NFS-Ganesha in front of CephFS). The unnamed [server]/[client] sections are
 * the share CONFIG_DEFAULT_SHARE; "[share NAME]" sections add named ones. */
#define CONFIG_SHARE_MAX_SERVERS 8
#define CONFIG_DEFAULT_SHARE "default"
struct config_share {
	char *name;
	char *servers[CONFIG_SHARE_MAX_SERVERS]; /* gateways, in order of preference */
	size_t n_servers;
	char *export_path;
	char *mountpoint;
	char *options;
	unsigned line; /* its section header; 0 for the default share */
	/* Where each key was given (0: not given, defaulted). */
	unsigned servers_line, export_line, mountpoint_line, options_line;
};

struct config {
	char *server;        /* [server] address: the NFS server's mesh address or name */
	char *export_path;   /* [server] export: the exported path, as clients mount it */
	char *mountpoint;    /* [client] mountpoint */
	char *mount_options; /* [client] options: the fstab options */
	struct cidr mesh;    /* [mesh] range */
	struct cidr6 mesh6;  /* [mesh] range6: the tailnet's IPv6 range */
	char *source;        /* file the values came from, or NULL for built-in defaults */

	/* [headscale]: the node-list source "headscale" (REST API, libcurl, TLS verified). */
	char *hs_url;          /* url: https://host[:port][/prefix], or NULL when not configured */
	char *hs_api_key;      /* api_key (the file holding it must not be readable by others) */
	unsigned hs_api_key_line;
	char *hs_api_key_file; /* api_key_file: a file holding the key, mode 0600 or stricter */
	char *hs_ca_file;      /* ca_file: PEM bundle of a private CA, or NULL: the system's */

	/* [fleet]: doctor --all over OpenSSH. */
	char *fleet_ssh_config; /* ssh_config: passed as ssh -F */
	char *fleet_identity;   /* identity: passed as ssh -i */
	char *fleet_user;       /* user: passed as ssh -l */
	char *fleet_meshnfs;    /* meshnfs: the program on the nodes; default "meshnfs" */
	int fleet_sessions;     /* sessions: concurrent ssh sessions, 1..64; default 8 */
	int fleet_connect_timeout; /* connect_timeout: seconds, 1..120; default 5 */

	/* [watch]: meshnfs watch (its command-line options override these). */
	int watch_interval;     /* interval: seconds between rounds, 1..86400; default 10 */
	int watch_detach_after; /* detach_after: seconds hung before detaching, 0 (off)..86400 */
	char *watch_textfile;   /* textfile: node_exporter's textfile collector directory */
	char *watch_listen;     /* listen: [ADDRESS:]PORT of the metrics endpoint */

	/* [server] backend: what `setup server` sets up and doctor checks on a server. */
	char *backend; /* kernel (default), ganesha, ceph */

	/* [ceph]: CephFS behind NFS-Ganesha (FSAL_CEPH) on a gateway: setup server --backend ceph,
	 * doctor's ceph.* checks. */
	char *ceph_conf;      /* conf: the cluster's ceph.conf; default /etc/ceph/ceph.conf */
	char *ceph_user;      /* user: the cephx client name without "client."; default admin */
	char *ceph_keyring;   /* keyring: the user's key, readable by root only; NULL: Ceph's own
				 default /etc/ceph/ceph.client.USER.keyring (config_ceph_keyring) */
	char *ceph_fs;        /* fs: the CephFS file system; default cephfs */
	char *ceph_path;      /* path: the directory of it exported; default / */
	char *ceph_pool;      /* pool: RADOS pool of the gateways' NFSv4 recovery records */
	char *ceph_namespace; /* namespace: RADOS namespace in it */
	char *ceph_nodeid;    /* nodeid: this gateway's name in the grace database (rados_cluster);
				 NULL: the host name (config_ceph_nodeid) */

	struct config_node *nodes; /* [nodes] */
	size_t n_nodes;

	/* [share NAME] sections, in file order. */
	struct config_share *shares;
	size_t n_shares;
	/* [server]/[client] are a share too: there is no [share] section, or one of those two
	 * sections is in the file. */
	bool has_default_share;
	/* In a view (config_view): the share it shows; NULL in the loaded configuration. */
	const struct config_share *share;
};

/* The shares commands act on: the default share first (when there is one), then the named
 * ones in file order. */
size_t config_n_shares(const struct config *c);
/* Share i (< config_n_shares) into *out: pointers into c (not to be freed), the default share
 * made from [server] address/export and [client] mountpoint/options. */
void config_share_get(const struct config *c, size_t i, struct config_share *out);
/* The index of the share called name (case-insensitive), or -ENOENT. */
int config_share_find(const struct config *c, const char *name);

/* A configuration that shows one share through the fields every engine reads (server,
 * export_path, mountpoint, mount_options): a shallow copy of the loaded one (never freed with
 * config_free, never copied: cfg.share points into it), cfg.server its gateway gw. */
struct config_view {
	struct config cfg;
	struct config_share share;
};
void config_view(const struct config *c, size_t i, size_t gw, struct config_view *v);
/* For what acts on one share (probe without HOST, status, watch): the share called name
 * (NULL: the first one) becomes c's server (its first gateway), export_path, mountpoint and
 * mount_options (new copies). 0, or -ENOENT when there is no such share. */
int config_focus_share(struct config *c, const char *name);

/* Fills c with the defaults, then applies the file: path when given (must exist), else
 * CONFIG_DEFAULT_PATH under the root when it exists. -EBADMSG (diag filled) on bad input. */
int config_load(const char *path, struct config *c, struct diag *diag);
/* Parses configuration text over the values already in c. */
int config_parse(const char *file, const char *data, size_t len, struct config *c,
		 struct diag *diag);
void config_defaults(struct config *c);
void config_free(struct config *c);
/* c's [nodes] entries by name, for config_node_find: a list of thousands matched in linear
 * time, not its square (issue 16). */
void config_nodes_index(const struct config *c, struct hindex *names);
/* The index in c->nodes of the first entry named name, case ignored (node names' rule), or
 * SIZE_MAX. names: config_nodes_index's, kept up to date. */
size_t config_node_find(const struct config *c, const struct hindex *names, const char *name);

/* The keyring file: [ceph] keyring, else /etc/ceph/ceph.client.USER.keyring. New string. */
char *config_ceph_keyring(const struct config *c);
/* This gateway's node id in the gateways' grace database: [ceph] nodeid, else hostname when
 * it is a valid Ceph name, else "gateway". Points into c or hostname. */
const char *config_ceph_nodeid(const struct config *c, const char *hostname);

/* Checks a value as [section] key of the file does (the command line's --server, --export,
 * --mountpoint, --options): 0, or -EINVAL with the problem in err, quoting the value, for a
 * message after "KEY: " or "--OPTION: ". */
int config_check_value(const char *section, const char *key, const char *value, char *err,
		       size_t size);
/* Validators shared with other parsers (return 0 or -EINVAL). */
/* A host: an IPv4 address, an IPv6 address (bare: "fd7a:115c:a1e0::1"), or a DNS name. */
int config_check_host(const char *s);
/* The NFS source "SERVER:PATH" of mount(8) and fstab, an IPv6 server in brackets
 * ("[fd7a:115c:a1e0::1]:/opt/shared"). New string. */
char *config_nfs_source(const char *server, const char *path);
int config_check_abs_path(const char *s);
int config_check_mount_options(const char *s);
/* "[ADDRESS:]PORT" (IPv4; no address or an empty one: 127.0.0.1): 0 with *addr (host byte
 * order) and *port set (either may be NULL), or -EINVAL. */
int config_parse_listen(const char *s, uint32_t *addr, uint16_t *port);
