/* SPDX-License-Identifier: MIT */
/* The network ladder against one NFSv4 server, as a non-blocking state machine, so that one
 * poll loop can drive one probe (`meshnfs probe`, doctor) or hundreds (`meshnfs status`) with a
 * bounded number of descriptors (each probe polls at most one at a time, and holds at most
 * one more: the ICMP echo socket of the tcp and write steps, never polled):
 *
 *   route      which local address the kernel would use (UDP connect, no packet sent)
 *   tcp        TCP connect to port 2049 (tells refused from unreachable, and either from
 *              filtered: an ICMP echo sent with the SYN answered while the SYN is not, or
 *              an ICMP reject of the SYN)
 *   rpc        NFSv4 NULL on the tcp step's connection (no portmapper): the NFS service
 *              answers
 *   export     the export looked up as this client: with the write test, libnfs's NFSv4 mount
 *              (a new connection, NULL, SETCLIENTID, SETCLIENTID_CONFIRM, then PUTROOTFH,
 *              LOOKUPs, GETATTR, GETFH); without it (no_write), the same PUTROOTFH, LOOKUPs,
 *              GETATTR, GETFH as one COMPOUND on the rpc step's connection (format/rpc.h): no
 *              client id, no state left on the server, no second connection (a symlink on
 *              the way, or a reply not understood, falls back to the libnfs mount)
 *   write      create a uniquely named file, write 64 KiB (<= 3900-byte chunks), fsync, read
 *              back, compare, close, unlink; with it, a ladder of DF-set ICMP echoes up to the
 *              route's MTU: a write that stalls while small echoes come back and large ones
 *              do not is an MTU black hole, not a hung server
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
#include "net/echo.h"

#include <inttypes.h>
#include <jansson.h>
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
	PROBE_FILTERED,                /* the peer is alive, TCP to the port dropped or rejected */
	PROBE_REFUSED,                 /* nothing listens on 2049 */
	PROBE_NO_NFS_ANSWER,           /* TCP accepted, the NFS service silent */
	PROBE_EXPORT_DENIED_OR_MISSING, /* NFS4ERR_NOENT: wrong path OR client not allowed */
	PROBE_READ_ONLY,               /* NFS4ERR_ROFS */
	PROBE_GRACE,                   /* NFS4ERR_GRACE: the server's grace period */
	PROBE_PERMISSION_DENIED,       /* NFS4ERR_ACCESS / PERM */
	PROBE_WRITE_FAILED,            /* any other failure of the write test */
	PROBE_MTU_BLACKHOLE,           /* the write stalled; small packets pass, large ones vanish */
	PROBE_CUT,                     /* no verdict: the probe ran out of the time it was given
					  (the run's deadline, the whole probe's bound) before a
					  step's own bound, or could not start a step here (no
					  descriptor left): never a fault of the server */
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

/* A bound on NFS conversations at once, shared by many probes (status): a probe whose TCP
 * connection is accepted while max are running closes it and waits for a turn for its NULL
 * call, on a new connection then. Servers limit their connections (ganesha's
 * RPC_Max_Connections, 1024 by default, closes the ones beyond it unanswered; the kernel's nfsd
 * drops idle ones beyond 20 per thread and 3 more), so hundreds of addresses of one server
 * must not hold a connection each. */
struct probe_gate {
	size_t active, max;
	size_t waited; /* connections accepted while every turn was taken (closed: the NULL
			  call goes out on a second one) */
};

struct probe_opts {
	const char *host;    /* as the user gave it, for messages */
	struct netaddr addr; /* IPv4 or IPv6 (names are resolved before: net_resolve) */
	const char *export_path; /* absolute; NULL stops the ladder after rpc */
	struct cidr mesh;    /* the mesh range, for the route step */
	struct cidr6 mesh6;  /* the mesh's IPv6 range; prefix 0: the tailnet's (TAILNET_RANGE6) */
	uint16_t port;       /* 0 means 2049 */
	int step_ms;         /* per step; <= 0 means 5000. Only a step that had all of it gets
				a verdict from its expiry (unreachable, no_nfs_answer) */
	int total_ms;        /* whole probe; <= 0 means 2 * step_ms. Its expiry before the
				step's own is a cut (PROBE_CUT), not a verdict */
	bool no_write;       /* stop after export */
	struct probe_gate *gate; /* NULL: none */
	bool patient;        /* the control plane says the peer is online: a silent SYN is
				waited out to the step's bound, never given up early from other
				addresses' answers (probe_loop_hooks.silence_margin_ms): its first
				packet may wait for a WireGuard handshake through a relay */
};

enum probe_state {
	PS_IDLE,
	PS_TCP,
	PS_RPC_WAIT,    /* TCP accepted and closed; the NULL call waits for a turn (gate) */
	PS_RPC_CONNECT, /* its turn came: a new connection for it */
	PS_RPC_NULL,
	PS_LOOKUP_CONNECT, /* no_write, extended: a new connection for the export's COMPOUND */
	PS_LOOKUP,      /* no_write: the export's COMPOUND on the rpc step's connection (or, after
			   probe_extend, on a new one: no second NULL call) */
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

/* How a filtered port was told (PROBE_FILTERED). */
enum probe_filter {
	PROBE_FILTER_NONE,
	PROBE_FILTER_ECHO,   /* the SYN unanswered, an ICMP echo sent with it answered */
	PROBE_FILTER_TSMP,   /* the SYN unanswered, `tailscale ping --tsmp` answered */
	PROBE_FILTER_REJECT, /* an ICMP error (admin-prohibited, port unreachable) for the SYN */
	PROBE_FILTER_N,
};

/* The DF-set echo ladder of the write step: sizes are IP packet lengths. */
#define PROBE_LADDER_MAX 16
struct probe_ladder {
	size_t n;                     /* sizes sent */
	uint16_t size[PROBE_LADDER_MAX];
	bool answered[PROBE_LADDER_MAX];
	int mtu;                      /* the route's MTU (the outgoing interface's), 0 unknown */
	int passed, lost;             /* the largest size answered, the smallest lost; 0 none */
	bool read;                    /* the answers were read (when the write step ended) */
};

struct probe {
	char *host, *export_path;
	struct netaddr addr;
	struct cidr mesh;
	struct cidr6 mesh6;
	uint16_t port;
	int step_ms, total_ms;
	bool no_write;
	bool patient;            /* probe_opts.patient */
	struct probe_gate *gate;
	bool in_gate;            /* counted in gate->active */
	bool rpc_retried;        /* the NULL call's connection was closed unanswered once */
	bool held;               /* rpc_done: the connection is kept past an ok end (probe_let_go) */

	enum probe_state state;
	enum probe_step_id step; /* the step running */
	int64_t t_start, t_step, step_deadline, deadline;
	int64_t owner_ms;        /* time of the fstat, taken out of the write step */
	int fd;                  /* the socket of the tcp and rpc steps, or -1 */
	struct echo echo;        /* ICMP echo of the tcp step, the ladder of the write step, */
	bool has_echo;           /* while open */
	bool echo_answered;      /* the tcp step's echo came back */
	bool echo_failed;        /* the tcp step's echo could not be sent (no ICMP socket) */
	enum probe_filter filter;
	uint8_t icmp_type, icmp_code; /* PROBE_FILTER_REJECT: the ICMP error, */
	struct netaddr icmp_from; /* and who sent it (ICMPv6 for an IPv6 peer) */
	char *tsmp;              /* PROBE_FILTER_TSMP: the pong line */
	struct probe_ladder ladder;
	uint32_t xid;            /* the NULL call's */
	int64_t rtt_us;          /* the kernel's round trip of the TCP handshake, 0 if unknown */
	bool resent;             /* probe_resend: the tcp step's SYN was sent again */
	int64_t resent_ms;       /* when, after the step's start */
	bool learnt;             /* its answer was counted by the loop (net/silence.h) */
	uint8_t call[44];        /* the NULL call (format/rpc.h), sent up to off */
	uint8_t *lookup;         /* PS_LOOKUP: the export's COMPOUND (format/rpc.h), */
	size_t lookup_len;       /* its length (sent up to off) */
	struct nfs_context *nfs;
	struct nfsfh *fh;
	char *fname;             /* test file, relative to the export */
	uint8_t *wbuf, *rbuf;
	size_t len, off;
	bool created, cleaning;
	bool extended;           /* probe_extend: the next probe_start goes on from export */
	enum probe_diagnosis cleanup_diag; /* the write failure that sent us to cleanup */

	/* The last libnfs callback, filled by the callback, read by probe_advance. */
	bool cb_fired;
	int cb_err;
	char cb_msg[256];
	uint64_t cb_uid;

	struct netaddr source; /* the route step's local address, family 0 if none */
	bool source_in_mesh;
	uint64_t uid;     /* our uid, as sent in AUTH_SYS */
	uint64_t owner;   /* the owner the server reported */
	bool owner_known;

	struct probe_step steps[PROBE_N_STEPS];
	enum probe_diagnosis diagnosis;
	int64_t ms; /* whole probe */
	bool cut;   /* diagnosis PROBE_CUT: ended before a step's own bound expired */
};

void probe_init(struct probe *p, const struct probe_opts *o);
void probe_free(struct probe *p);

/* A short probe (export_path NULL) that ended ok after its rpc step goes on with the rest of
 * the ladder against export_path, keeping its route, tcp and rpc steps (no second NULL call):
 * the next probe_start starts the export step, with total_ms from then for the rest; on a
 * new connection (libnfs's mount), or, without the write test, on the NULL call's when a
 * gated probe still holds it (extended from the loop's done hook at once), else its own. */
void probe_extend(struct probe *p, const char *export_path, int total_ms);
/* Ends a running probe now (a run's deadline): cut, the running step says why. */
void probe_abort(struct probe *p, int64_t now, const char *why);
static inline bool probe_done(const struct probe *p) { return p->state == PS_DONE; }

/* Drives probes[0..n) to completion with at most max_active running at once (each holds at
 * most one descriptor; 0: no bound), started a few at a time (16 every 4 ms, or faster when
 * they must all start sooner: a burst of thousands of SYNs is lost on the way). deadline:
 * absolute now_ms() time ending the whole run, 0 for none; probes still running then are
 * aborted, probes not started are left PS_IDLE. Returns 0 or a negative errno (poll failed). */
int probe_loop(struct probe *const *probes, size_t n, size_t max_active, int64_t deadline);

/* The same with hooks (any may be NULL), for callers that chain probes, give up on silent
 * addresses early or show progress. */
struct probe_loop_hooks {
	/* p finished before the run's deadline. Return true after re-initialising it
	 * (probe_free + probe_init with other options) to run it again at once in the same slot
	 * (e.g. the whole ladder after a short probe found an NFS server). */
	bool (*done)(struct probe *p, void *userdata);
	/* When there is room and the list is all started: another probe to start now (one the
	 * caller held back, e.g. a whole ladder waiting for its server's turn), or NULL. */
	struct probe *(*next)(void *userdata);
	/* Once per turn of the loop, at least every 200 ms: probes running now, and in all. */
	void (*progress)(size_t running, size_t n, void *userdata);
	void *userdata;
	/* Give up on an address whose SYN and resent SYN got no answer while others answered
	 * (net/silence.h), with at least this margin after the resent SYN; 0: never early. */
	int silence_margin_ms;
	/* Every probe of the list started within this many ms of the loop's start (the pace
	 * quickened to fit; probe_loop_pacing_ms says how long a list takes); 0: within a
	 * quarter of the time to the deadline (none: the base pace). */
	int64_t start_within_ms;
};

/* How long probe_loop takes to start n probes at its base pace, at most within_ms (0: no
 * bound): a caller that wants each probe's step to end before the run's deadline adds it. */
int64_t probe_loop_pacing_ms(size_t n, int64_t within_ms);
int probe_loop_hooked(struct probe *const *probes, size_t n, size_t max_active,
		      int64_t deadline, const struct probe_loop_hooks *h);

/* One server from start to end: resolves o->host (within resolve_ms; o->addr is ignored),
 * then runs the ladder. An unknown name is the route step failing (diagnosis unreachable).
 * p must be freed with probe_free. Returns 0, or a negative errno when poll failed. */
int probe_run(struct probe *p, const struct probe_opts *o, int resolve_ms);

/* The tcp step ended unanswered (diagnosis unreachable after a SYN timed out): asks the
 * mesh itself whether the peer is alive, `CLI ping --tsmp -c 1 ADDR` (a TSMP ping passes
 * WireGuard but not the peer's packet filter), within timeout_ms. cli: the local tailscale or
 * the Windows host's tailscale.exe (exact: a fixed path). An answer makes the diagnosis
 * filtered (PROBE_FILTER_TSMP). Runs nothing for any other result, or under --root. Returns 0
 * when it asked (whatever the answer), -ENOENT/-EACCES/-ENOEXEC when the CLI did not run,
 * -ETIMEDOUT, -EBADMSG when its output was not understood (why in err), -ECANCELED when
 * there was nothing to ask. */
int probe_tsmp(struct probe *p, const char *cli, bool exact, int timeout_ms, char *err,
	       size_t err_size);
/* The owner an NFSv4 server or client shows when it could not map an owner: nobody, 65534
 * (libnfs gives it for any owner string that is not a number, e.g. user@domain), or
 * 4294967294 ((uint32_t)-2, the kernel's). */
static inline bool probe_owner_is_nobody(uint64_t owner)
{
	return owner == 65534 || (owner & 0xffffffffu) == 4294967294u;
}
/* Why a file created by a non-root uid is owned by nobody, and the fix: ID mapping (words
 * shared by probe's ownership rung, doctor's ids.idmap and the probe's explanation). */
extern const char probe_idmap_why[];
extern const char probe_idmap_fix[];

/* Names: "route".."ownership"; "ok".."write_failed". */
const char *probe_step_name(enum probe_step_id s);
const char *probe_diagnosis_name(enum probe_diagnosis d);

/* What a libnfs error means: NFS4ERR_* names in msg first (libnfs 4.0.0 maps NFSv4 statuses
 * through an NFSv3 table, so NFS4ERR_GRACE arrives as -EIO), then err. mounting: the error
 * came from the mount (NOENT there is the export's). Pure. */
enum probe_diagnosis probe_classify_nfs_error(int err, const char *msg, bool mounting);

/* The evidence below TCP, for JSON: {"filter": null | {"evidence": "icmp_echo" | "tsmp" |
 * "icmp_reject", "how": "dropped" | "rejected", "icmp": null | {"type", "code", "from"},
 * "tsmp": null | the pong, "echo": bool}, "mtu": null | {"route_mtu", "largest_passed",
 * "smallest_lost", "sizes": [{"bytes", "answered"}]}} ("mtu" once the write step's ladder was
 * read: the write stalled). A new object. */
json_t *probe_below_json(const struct probe *p);

/* The diagnosis in plain words and the fix, for this probe's result (new strings; *fix may
 * be set to NULL when there is nothing to do). */
char *probe_explain(const struct probe *p, char **fix);
