/* SPDX-License-Identifier: MIT */
/* The one place meshnfs runs other programs: an argv array (never a shell), posix_spawn, a
 * deadline, stdin from /dev/null, bounded captured stdout and stderr, LC_ALL=C. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_DEFAULT_MAX_OUTPUT (1024 * 1024)

struct spawn_opts {
	int timeout_ms;    /* whole run; <= 0 means 5000 */
	size_t max_output; /* per stream; 0 means SPAWN_DEFAULT_MAX_OUTPUT */
	const char *cwd;   /* directory to run in, or NULL */
	bool exact_path;   /* argv[0] is a path to run as is, no PATH lookup */
	/* Called once when the deadline expires, before the process group is killed, with the
	 * child's pid (its process group's id): to take the evidence of where it was stuck. */
	void (*at_deadline)(pid_t pid, void *data);
	void *at_deadline_data;
};

struct spawn_result {
	int exit_code;  /* exit status, or -1 when killed by a signal */
	int signal;     /* terminating signal, or 0 */
	bool timed_out; /* the deadline expired and the process group was killed */
	bool left_running; /* killed at the deadline but not reaped within 500 ms: stuck in the
			    * kernel; it stays a child of this process */
	pid_t pid;      /* the child's pid (and process group), 0 when it did not start */
	bool truncated; /* some output beyond max_output was dropped */
	char *out;      /* captured stdout, NUL-terminated (never NULL after a run) */
	size_t out_len;
	char *err; /* captured stderr, NUL-terminated */
	size_t err_len;
	int64_t ms; /* wall time */
};

/* Runs argv[0] and waits for it. Returns 0 when it ran (whatever its exit code),
 * -ETIMEDOUT when the deadline expired (result filled with what was captured),
 * or the negative errno of the failed exec: -ENOENT (not found), -EACCES, -ENOEXEC
 * ("Exec format error", e.g. a .exe without WSL interop). */
int spawn_run(const char *const argv[], const struct spawn_opts *opts, struct spawn_result *res);
void spawn_result_free(struct spawn_result *res);

/* Finds an executable on PATH (or checks an absolute path). Returns a new string or NULL. */
char *spawn_which(const char *name);
