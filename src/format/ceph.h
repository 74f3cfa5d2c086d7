/* SPDX-License-Identifier: MIT */
/* What the Ceph CLI prints with --format json, for the CephFS backend: `ceph status` (health,
 * monitors, OSDs, MDS summary) and `ceph mds stat` (the FSMap: each file system's MDS ranks).
 * Outside input: parsed strictly with jansson (duplicate keys refused, every field meshnfs
 * reads must be there with its type, bounded counts). The layout is the one of Ceph 15 to 18
 * (recorded from Debian 12's 16.2.15, tests/fixtures/ceph/); the layouts of Ceph 14 and older
 * (a nested "osdmap.osdmap", "health.overall_status") are refused with a message that says so.
 * Errors: -EBADMSG with diag (source, "field: problem"). */
#pragma once

#include "core/diag.h"

#include <stdbool.h>
#include <stddef.h>

#define CEPH_MAX_CHECKS 256
#define CEPH_MAX_FS 64
#define CEPH_MAX_MDS 1024

enum ceph_health {
	CEPH_HEALTH_OK,
	CEPH_HEALTH_WARN,
	CEPH_HEALTH_ERR,
};

/* One health check: "MDS_ALL_DOWN", HEALTH_ERR, "1 filesystem is offline". */
struct ceph_check {
	char *code;
	enum ceph_health severity;
	char *message;
	bool muted;
};

/* `ceph status --format json`. */
struct ceph_status {
	char *fsid;
	enum ceph_health health;
	struct ceph_check *checks;
	size_t n_checks;
	size_t n_quorum;     /* quorum_names */
	int num_mons;        /* monmap.num_mons */
	int num_osds, num_up_osds, num_in_osds;
	int mds_up, mds_in, mds_max, mds_failed; /* fsmap: ranks over all file systems */
	bool mgr_available;  /* mgrmap.available */
};

/* One MDS daemon of a file system (mdsmap.info). */
struct ceph_mds {
	char *name;
	int rank;            /* -1 for none */
	char *state;         /* "up:active", "up:replay", ... */
};

struct ceph_fs {
	char *name;          /* mdsmap.fs_name */
	int max_mds;
	size_t n_in;         /* ranks that should be served */
	size_t n_failed, n_damaged;
	struct ceph_mds *mds;
	size_t n_mds;
};

/* `ceph mds stat --format json` (the FSMap). */
struct ceph_fsmap {
	struct ceph_fs *fs;
	size_t n_fs;
	size_t n_standby;
};

int ceph_status_parse(const char *source, const char *data, size_t len, struct ceph_status *st,
		      struct diag *diag);
void ceph_status_free(struct ceph_status *st);
int ceph_fsmap_parse(const char *source, const char *data, size_t len, struct ceph_fsmap *m,
		     struct diag *diag);
void ceph_fsmap_free(struct ceph_fsmap *m);

/* The file system called name, or NULL. */
const struct ceph_fs *ceph_fsmap_find(const struct ceph_fsmap *m, const char *name);
/* The MDS daemons of fs in state "up:active". */
size_t ceph_fs_active(const struct ceph_fs *fs);
/* "HEALTH_OK", "HEALTH_WARN", "HEALTH_ERR". */
const char *ceph_health_name(enum ceph_health h);
