/* SPDX-License-Identifier: MIT */
/* The network ladder against one NFSv4 server, as a non-blocking state machine, so that one
 * poll loop can drive one probe (`meshnfs probe`, doctor) or hundreds (`meshnfs status`) with a
 * bounded number of descriptors (each probe holds at most one at a time):
 *
 *   route      which local address the kernel would use (UDP connect, no packet sent)
 *   tcp        TCP connect to port 2049 (tells refused from unreachable)
 *   rpc        NFSv4 NULL (libnfs raw RPC, no portmapper): the NFS service answers
 *   export     NFSv4 mount of the export (PUTROOTFH + LOOKUP)
 *   write      create a uniquely named file, write (<= 3900-byte chunks), fsync, read back,
 *              compare, close, unlink
 *   ownership  the owner the server gave the file: root squash or not
 *
 * Each step is bounded by opts.step_ms, the whole probe by opts.total_ms. Nothing in here
 * blocks: probe_start() and probe_advance() only issue non-blocking calls.
 *
 *   struct probe p;
 *   probe_init(&p, &opts);
 *   probe_loop(&pp, 1, 1, 0);      // or any poll loop using probe_poll/probe_advance
 *   ... p.diagnosis, p.steps[] ...
 *   probe_free(&p);
 */
#pragma once

#include "core/util.h"
#include "format/cidr.h"

#include <inttypes.h>
#include <poll.h>

enum probe_step_id {
	PROBE_ROUTE,
	PROBE_TCP,
	PROBE_RPC,
	PROBE_EXPORT,
	PROBE_WRITE,
	PROBE_OWNERSHIP,
	PROBE_N_STEPS,
};

enum probe_diagnosis {
	PROBE_PENDING = -1,
	PROBE_OK = 0,
	PROBE_UNREACHABLE,             /* no route, or no answer to the SYN */
	PROBE_REFUSED,                 /* nothing listens on 2049 */
	PROBE_NO_NFS_ANSWER,           /* TCP accepted, the NFS service silent */
	PROBE_EXPORT_DENIED_OR_MISSING, /* NFS4ERR_NOENT: wrong path OR client not allowed */
	PROBE_READ_ONLY,               /* NFS4ERR_ROFS */
	PROBE_GRACE,                   /* NFS4ERR_GRACE: the server's grace period */
	PROBE_PERMISSION_DENIED,       /* NFS4ERR_ACCESS / PERM */
	PROBE_WRITE_FAILED,            /* any other failure of the write test */
	PROBE_N_DIAGNOSES,
};

/* How a step ended. The values are report's check statuses (CHECK_SKIP, CHECK_OK, CHECK_WARN,
 * CHECK_FAIL, in this order), so a command shows a step as a check by converting the value:
 * (enum check_status)step.status. */
enum probe_step_status {
	STEP_SKIP = 0, /* not run */
	STEP_OK,
	STEP_WARN,     /* done, with a reservation (a route from outside the mesh, a file left) */
	STEP_FAIL,
};
/* "skip", "ok", "warn", "fail". */
const char *probe_step_status_name(enum probe_step_status s);

struct probe_step {
	enum probe_step_status status; /* STEP_SKIP until run */
	int64_t ms;               /* -1 when not run */
	char *detail;
};

struct probe_opts {
	const char *host;    /* as the user gave it, for messages */
	uint32_t addr;       /* IPv4, host byte order (names are resolved before: net_resolve) */
	const char *export_path; /* absolute; NULL stops the ladder after rpc */
	struct cidr mesh;    /* the mesh range, for the route step */
	uint16_t port;       /* 0 means 2049 */
	int step_ms;         /* per step; <= 0 means 5000 */
	int connect_ms;      /* the tcp step alone (a peer that does not answer holds a slot
				for this long); <= 0 means step_ms */
	int total_ms;        /* whole probe; <= 0 means 2 * step_ms */
	bool no_write;       /* stop after export */
};

enum probe_state {
	PS_IDLE,
	PS_TCP,
	PS_RPC_CONNECT,
	PS_RPC_NULL,
	PS_MOUNT,
	PS_CREATE,
	PS_WRITE,
	PS_FSYNC,
	PS_READ,
	PS_STAT,
	PS_CLOSE,
	PS_UNLINK,
	PS_DONE,
};

struct probe {
	char *host, *export_path;
	uint32_t addr;
	struct cidr mesh;
	uint16_t port;
	int step_ms, total_ms, connect_ms;
	bool no_write;

	enum probe_state state;
	enum probe_step_id step; /* the step running */
	int64_t t_start, t_step, step_deadline, deadline;
	int64_t owner_ms;        /* time of the fstat, taken out of the write step */
	int fd;                  /* the TCP probe's socket, or -1 */
	struct rpc_context *rpc;
	struct nfs_context *nfs;
	struct nfsfh *fh;
	char *fname;             /* test file, relative to the export */
	uint8_t *wbuf, *rbuf;
	size_t len, off;
	bool created, cleaning;
	enum probe_diagnosis cleanup_diag; /* the write failure that sent us to cleanup */

	/* The last libnfs callback, filled by the callback, read by probe_advance. */
	bool cb_fired;
	int cb_err;
	char cb_msg[256];
	uint64_t cb_uid;

	uint32_t source;  /* the route step's local address, 0 if none */
	bool source_in_mesh;
	uint64_t uid;     /* our uid, as sent in AUTH_SYS */
	uint64_t owner;   /* the owner the server reported */
	bool owner_known;

	struct probe_step steps[PROBE_N_STEPS];
	enum probe_diagnosis diagnosis;
	int64_t ms; /* whole probe */
	bool cut;   /* ended by probe_abort (a run's deadline), not by its own deadlines */
};

void probe_init(struct probe *p, const struct probe_opts *o);
void probe_free(struct probe *p);

/* Runs the route step and starts the TCP connect. Never blocks. */
void probe_start(struct probe *p, int64_t now);
/* The descriptor to poll and its events, or -1 when there is none right now (then only the
 * deadline matters). */
int probe_poll(const struct probe *p, short *events);
/* The absolute time (now_ms clock) by which probe_advance must be called. */
int64_t probe_deadline(const struct probe *p);
/* Reacts to revents on probe_poll's descriptor (0 when woken by the deadline). */
void probe_advance(struct probe *p, short revents, int64_t now);
/* Ends a running probe now (a run's deadline): the running step times out. */
void probe_abort(struct probe *p, int64_t now, const char *why);
static inline bool probe_done(const struct probe *p) { return p->state == PS_DONE; }

/* Drives probes[0..n) to completion with at most max_active running at once (each holds at
 * most one descriptor). deadline: absolute now_ms() time ending the whole run, 0 for none;
 * probes still running then are aborted, probes not started are left PS_IDLE. Returns 0 or
 * a negative errno (poll failed). */
int probe_loop(struct probe *const *probes, size_t n, size_t max_active, int64_t deadline);

/* The same with hooks (any may be NULL), for callers that chain probes or show progress. */
struct probe_loop_hooks {
	/* p finished before the run's deadline. Return true after re-initialising it
	 * (probe_free + probe_init with other options) to run it again at once in the same slot
	 * (e.g. the whole ladder after a short probe found an NFS server). */
	bool (*done)(struct probe *p, void *userdata);
	/* Once per turn of the loop, at least every 200 ms: probes finished for good, running
	 * now, and in all. */
	void (*progress)(size_t finished, size_t running, size_t n, void *userdata);
	void *userdata;
};
int probe_loop_hooked(struct probe *const *probes, size_t n, size_t max_active,
		      int64_t deadline, const struct probe_loop_hooks *h);

/* One server from start to end: resolves o->host (within resolve_ms; o->addr is ignored),
 * then runs the ladder. An unknown name is the route step failing (diagnosis unreachable).
 * p must be freed with probe_free. Returns 0, or a negative errno when poll failed. */
int probe_run(struct probe *p, const struct probe_opts *o, int resolve_ms);

/* Names: "route".."ownership"; "ok".."write_failed". */
const char *probe_step_name(enum probe_step_id s);
const char *probe_diagnosis_name(enum probe_diagnosis d);

/* What a libnfs error means: NFS4ERR_* names in msg first (libnfs 4.0.0 maps NFSv4 statuses
 * through an NFSv3 table, so NFS4ERR_GRACE arrives as -EIO), then err. mounting: the error
 * came from the mount (NOENT there is the export's). Pure. */
enum probe_diagnosis probe_classify_nfs_error(int err, const char *msg, bool mounting);

/* The diagnosis in plain words and the fix, for this probe's result (new strings; *fix may
 * be set to NULL when there is nothing to do). */
char *probe_explain(const struct probe *p, char **fix);
