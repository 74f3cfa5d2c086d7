/* SPDX-License-Identifier: MIT */
/* meshnfs watch: keeps the configured share from freezing its users. Each round (every
 * interval) it probes the server at protocol level (the probe ladder, net/) and checks the
 * mount in a forked child with a deadline (mount/health), at the same time, in a worker
 * thread: the caller's loop never blocks. A child that is still stuck from an earlier round is
 * remembered, and no second one is started for that mount.
 *
 * From those facts a pure judge (watch_judge.c) names the diagnosis, the transition to log once, and
 * the action: repair a stale or lost mount (the existing repair, through a hook the command
 * layer wires: engines do not include one another), detach a mount hung for --detach-after
 * seconds (umount -l, then a read-only placeholder on the mount point so that nothing lands in
 * the bare directory), and attach it again when the server answers.
 *
 * Nothing here prints: events and metrics (Prometheus text) are handed to the command layer.
 */
#pragma once

#include "core/util.h"
#include "format/cidr.h"
#include "mount/health.h"
#include "net/gateway.h"
#include "net/probe.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The diagnosis of one mount: metric label values and the MESHNFS_DIAGNOSIS= journal field (a
 * contract, like check ids: never rename one). */
enum watch_diag {
	WATCH_UNKNOWN,      /* no round yet */
	WATCH_HEALTHY,      /* the mount answers and so does the server */
	WATCH_HUNG,         /* the mount did not answer within the deadline */
	WATCH_STALE,        /* ESTALE: the server no longer knows the mount's handles */
	WATCH_LOST,         /* nothing mounted at the mount point */
	WATCH_DETACHED,     /* watch detached it: the read-only placeholder stands there */
	WATCH_SERVER_DOWN,  /* the mount answers (from the client's cache), the server does not */
	WATCH_MOUNT_ERROR,  /* the mount answers with an error (EIO, EACCES, ENOTCONN...) */
	WATCH_DEGRADED,     /* the mount answers, the server's path loses large packets (the
			       probe's mtu_blackhole): not down; nothing is moved or detached */
	WATCH_N_DIAG,
};

enum watch_action {
	WATCH_NONE,
	WATCH_REPAIR,   /* the existing repair: umount -l and mount again / mount what is lost */
	WATCH_DETACH,   /* umount -l and the placeholder */
	WATCH_REATTACH, /* the placeholder away, then the repair mounts the share again */
	WATCH_FAILOVER, /* the gateway in use does not answer, another does: the existing repair,
			   which re-points the client to it (net/gateway.h's choice) */
};

/* What one round found. */
struct watch_facts {
	enum probe_diagnosis server; /* PROBE_PENDING when the probe did not finish */
	const char *server_words;    /* the probe's explanation, or NULL */
	const char *server_fix;      /* its fix, or NULL */
	bool mounted;      /* something other than the placeholder is mounted there */
	bool placeholder;  /* watch's placeholder is the top mount */
	bool checked;      /* a health child ran this round (else: see child_stuck) */
	enum mount_health_state mount; /* when checked; HUNG when child_stuck */
	enum mount_step step;          /* the step that decided mount */
	int err;                       /* its errno */
	bool child_stuck;  /* the child of an earlier round is still stuck: no new one */
	unsigned blocked;  /* processes blocked on the mount (state D), ours excluded */
	int timeout_ms;    /* the health check's deadline, for the words */
	/* A share with several gateways: server is the probe of the one in use; alt_up when
	 * another one answers (probed only when the one in use does not), alt its name. */
	bool alt_up;
	const char *alt;
};

/* What the judge remembers about one mount between rounds. */
struct watch_mem {
	enum watch_diag diag;
	enum probe_diagnosis server; /* the cause the last transition was logged with */
	int64_t since;               /* when diag began (ms, now_ms clock) */
	int64_t cause_since;         /* when the server's cause last changed */
	int64_t last_repair;         /* when a repair or reattach last ran, 0 never */
	unsigned repair_failures;    /* consecutive */
};

struct watch_policy {
	int64_t detach_after_ms; /* 0: never detach */
	int64_t repair_gap_ms;   /* at least this long between repairs; doubled after each failed
				    one, up to 16 times */
};

/* One log record: a transition, or an action's outcome. */
struct watch_event {
	bool transition;
	enum watch_diag from, to;
	enum probe_diagnosis server;
	int priority;       /* syslog level: 3 err, 4 warning, 5 notice, 6 info */
	const char *check;  /* MESHNFS_CHECK=: "mount.responsive", "watch.repair"... */
	char *message;      /* one line */
	char *cause;        /* or NULL */
	char *fix;          /* or NULL */
};

const char *watch_diag_name(enum watch_diag d);

/* ---- metrics (Prometheus text exposition format 0.0.4) ---- */
struct watch_metrics {
	const char *server, *export_path, *mountpoint;
	bool have_round;
	enum watch_diag diag;
	enum probe_diagnosis server_diag;
	bool step_ran[PROBE_N_STEPS];
	double step_seconds[PROBE_N_STEPS];
	double probe_seconds;
	bool mount_checked;
	bool mount_responsive;
	double mount_seconds;
	unsigned blocked;
	unsigned stuck_children;
	bool detached;
	uint64_t rounds, transitions, repairs_ok, repairs_failed, detaches, reattaches;
	uint64_t failovers; /* moves to another gateway of the share */
	double last_check; /* Unix time of the last finished round */
};
/* The exposition text into out (appended). Label values escaped as the format says. */
void watch_metrics_format(const struct watch_metrics *m, struct buf *out);
/* Replaces DIR/meshnfs.prom atomically (a temporary in DIR, fsync, rename). 0 or a negative
 * errno; the path that failed in err. */
#define WATCH_TEXTFILE_NAME "meshnfs.prom"
int watch_textfile_write(const char *dir, const char *text, size_t len, char *err,
			 size_t errsize);

/* ---- blocked processes (the live /proc) ---- */
struct watch_blocked_proc {
	pid_t pid;
	char name[17];
	char wchan[64];
};
struct watch_blocked {
	unsigned n;
	struct watch_blocked_proc first[4]; /* the first few, for the log */
};

/* ---- the metrics endpoint (libmicrohttpd, its own thread) ---- */
struct watch_http;
/* Listens on addr:port (host byte order). -errno with the reason in err (EADDRINUSE...). */
int watch_http_start(uint32_t addr, uint16_t port, struct watch_http **out, char *err,
		     size_t errsize);
/* The text GET /metrics answers from now on (copied). */
void watch_http_set(struct watch_http *h, const char *text, size_t len);
void watch_http_stop(struct watch_http *h);

/* ---- rounds ---- */
struct watch_target {
	char *server, *export_path, *mountpoint, *options;
	struct cidr mesh;
	int timeout_ms; /* per probe step and for the health check */
	bool write;     /* the probe's write test, and the health check's create/remove */
	/* The share's gateways in order of preference (server is the first; n_gateways 1 for a
	 * single server) and its name (NULL for the default share). */
	char **gateways;
	size_t n_gateways;
	char *share;
};

struct watch_hooks {
	/* The existing repair of the mount (src/setup through the command layer): 0 when it was
	 * applied, a negative errno when it failed or had nothing to do; *summary a new string
	 * saying what it did. known: for a failover, the round's probe result of each of
	 * t->gateways (the repair chooses from them instead of probing again), else NULL. Runs
	 * in the worker thread. */
	int (*repair)(void *userdata, const struct watch_target *t,
		      const struct gateway_fact *known, char **summary);
	void *userdata;
};

/* The placeholder: a read-only, empty tmpfs with this source name. */
#define WATCH_PLACEHOLDER_SOURCE "meshnfs-detached"

struct watch {
	struct watch_target target;
	struct watch_policy policy;
	struct watch_hooks hooks;
	struct watch_mem mem;
	pid_t stuck_pid;        /* the health child still stuck, 0 when none */
	int stuck_mount_id;     /* the mount (mountinfo id) it is stuck on */
	pid_t *reap;            /* other children of ours (umount) to reap when they die */
	size_t n_reap;
	struct watch_metrics metrics;
	/* The last round's events, for the caller to log (then watch_events_clear). */
	struct watch_event *events;
	size_t n_events;
	struct probe probe;     /* the last round's probe (its step times), valid after a round */
	bool probe_valid;
	/* The gateway the client uses (its fstab entry's, else its mount's source; else the
	 * target's server): what the round probes. Points into target.gateways or is server. */
	const char *gateway;
	/* This round's answers of every gateway (t->n_gateways), valid when alt_probed: the
	 * gateway in use did not answer and the others were probed. */
	struct gateway_fact *known;
	bool alt_probed;
};

void watch_init(struct watch *w, const struct watch_policy *p, const struct watch_hooks *h);
/* Takes over t (the target of the next rounds; the old one is freed). */
void watch_set_target(struct watch *w, struct watch_target *t);
void watch_free(struct watch *w);
void watch_events_clear(struct watch *w);
/* One round: facts, judge, action; events and metrics in w. Blocks for at most about
 * 2 * timeout (probe and health check run in parallel) plus an action's deadline: call it
 * from a worker thread. 0, or a negative errno when a round could not run at all. */
int watch_round(struct watch *w);
