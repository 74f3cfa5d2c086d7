/* SPDX-License-Identifier: MIT */
/* The Ceph cluster a CephFS gateway is given, asked through Ceph's own client programs (each
 * run with spawn_run: argv, a deadline, bounded output; nothing under --root):
 *   ceph status --format json, ceph mds stat --format json    (the monitors)
 * and libcephfs itself (libcephfs2, loaded on first use: node/cephfs_lazy.c) in a forked child
 * with the deadline: it mounts the file system with the gateway's key and stats the exported
 * path, as ganesha's FSAL_CEPH does, and writes one line, parsed by ceph_client_line_parse.
 * Every command names the cluster's conf, the cephx user and its keyring explicitly. */
#pragma once

#include "format/ceph.h"
#include "format/ceph_grace.h"

#include <stdint.h>
#include <sys/types.h>

struct ceph_cli {
	const char *conf;    /* the cluster's ceph.conf */
	const char *user;    /* cephx id, without "client." */
	const char *keyring; /* the user's key */
	int timeout_ms;      /* each command's deadline */
};

/* How one command went. rc: 0 (parsed); -ETIMEDOUT our deadline passed first (a cut: no
 * verdict); -EPROTO it exited non-zero (exit_code, err_line: its last line of stderr, e.g.
 * "[errno 13] RADOS permission denied (error connecting to the cluster)"); -EBADMSG its output
 * was refused (msg); -ENOENT the program is missing; SPAWN_REFUSED_ROOT under --root. */
struct ceph_run {
	int rc;
	int exit_code;
	char err_line[400];
	char msg[1200];
	int64_t ms;
};

/* Fills argv (at most 16 entries, NULL-terminated) with `ceph --conf C --id U --keyring K
 * --connect-timeout S WHAT... --format json`, S derived from the deadline; for plans that
 * list the command. Strings in argv point into c, what and buf (which must outlive argv). */
void ceph_cli_argv(const struct ceph_cli *c, const char *const *what, const char **argv,
		   char *buf, size_t size);
int ceph_cli_status(const struct ceph_cli *c, struct ceph_status *st, struct ceph_run *run);
int ceph_cli_fsmap(const struct ceph_cli *c, struct ceph_fsmap *m, struct ceph_run *run);

/* The client check: mount fs with the key, stat path. */
enum ceph_client_result {
	CEPH_CLIENT_OK,        /* path is a directory */
	CEPH_CLIENT_NOT_DIR,   /* path is there but not a directory */
	CEPH_CLIENT_FAILED,    /* step failed with errno (EACCES at init: the key was refused;
				  ENOENT at mount: no such file system; ENOENT at stat: no such
				  path; ETIMEDOUT at mount: no MDS answered) */
	CEPH_CLIENT_NO_MODULE, /* libcephfs (libcephfs2) cannot be loaded */
};
struct ceph_client {
	enum ceph_client_result result;
	char step[16];          /* "init", "mount", "stat" */
	int err;                /* errno, when failed */
};
/* One line of the script's output: "ok dir", "ok other", "fail STEP ERRNO", "nomodule".
 * -EBADMSG (diag) otherwise. Pure. */
int ceph_client_line_parse(const char *source, const char *data, size_t len,
			   struct ceph_client *cl, struct diag *diag);
int ceph_cli_client(const struct ceph_cli *c, const char *fs, const char *path,
		    struct ceph_client *cl, struct ceph_run *run);

/* The gateways' grace database (NFS-Ganesha's rados_cluster recovery backend), through
 * nfs-ganesha-rados-grace's tool: `ganesha-rados-grace --cephconf C --userid U --pool P --ns N
 * WHAT [NODEID]`. The tool takes no keyring option: the key is the one the configuration
 * names ([client] keyring), else Ceph's default /etc/ceph/ceph.client.U.keyring. It exits 1
 * with "Failure: -ERRNO" on stderr (err_line); -2 for dump: no database in that pool and
 * namespace yet (add creates it). */
struct ceph_grace_where {
	const char *pool, *ns;
};
/* Fills argv (at most 12 entries, NULL-terminated) for WHAT ("dump", "add") and nodeid (or
 * NULL); strings point into c, w, what and nodeid. */
void ceph_cli_grace_argv(const struct ceph_cli *c, const struct ceph_grace_where *w,
			 const char *what, const char *nodeid, const char **argv);
int ceph_cli_grace(const struct ceph_cli *c, const struct ceph_grace_where *w,
		   struct ceph_grace *g, struct ceph_run *run);
/* `ganesha-rados-grace ... add NODEID`: 0 when it exited 0, else as ceph_cli_grace's run
 * (-EPROTO: an exit status, or a signal: run->exit_code -1). */
int ceph_cli_grace_add(const struct ceph_cli *c, const struct ceph_grace_where *w,
		       const char *nodeid, struct ceph_run *run);
/* "Failure: -2" in err_line: the errno (2), else 0. Pure. */
int ceph_grace_failure_errno(const char *err_line);

/* The key file (path as on the node, opened under the root): 0 when it is a regular file
 * only its owner may read (*mode set), -ENOENT missing, -EPERM readable by group or others
 * (*mode set), -EINVAL not a regular file; diag says which, naming the file and the fix. */
int ceph_key_file_check(const char *path, mode_t *mode, struct diag *diag);
