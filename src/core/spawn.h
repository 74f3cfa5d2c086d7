/* SPDX-License-Identifier: MIT */
/* The one place meshnfs runs other programs: an argv array (never a shell), posix_spawn, a
 * deadline, stdin from /dev/null, bounded captured stdout and stderr, a minimal environment.
 *
 * Under --root (another machine's files, root_is_host() false) nothing runs at all:
 * spawn_run refuses with SPAWN_REFUSED_ROOT before looking anything up, so no program of the
 * audited tree (nor of this machine, driven by that tree's files) is ever executed. Callers
 * turn the refusal into a check "skipped under --root" or a command listed to run on that
 * machine.
 *
 * Programs are looked up on PATH's absolute entries only: an empty entry (the current
 * directory) or a relative one is skipped (and reported through spawn_set_log). The child's
 * environment is built, not inherited: PATH (those absolute entries, or the standard system
 * directories when none), LC_ALL=C, DEBIAN_FRONTEND=noninteractive (apt-get asks nothing),
 * and from ours only HOME, SSH_AUTH_SOCK (ssh of doctor
 * --all finds its keys and agent) and WSL_INTEROP, WSL_DISTRO_NAME, WSLENV (without them WSL
 * cannot start a Windows program). */
#pragma once

#include <errno.h>
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

/* spawn_run's refusal under --root (no errno a real exec returns). */
#define SPAWN_REFUSED_ROOT (-ENOTSUP)

/* Runs argv[0] and waits for it. Returns 0 when it ran (whatever its exit code),
 * -ETIMEDOUT when the deadline expired (result filled with what was captured),
 * or the negative errno of the failed exec: -ENOENT (not found), -EACCES, -ENOEXEC
 * ("Exec format error", e.g. a .exe without WSL interop). */
int spawn_run(const char *const argv[], const struct spawn_opts *opts, struct spawn_result *res);
void spawn_result_free(struct spawn_result *res);

/* Finds an executable on PATH's absolute entries (or checks an absolute path). Returns a new
 * string or NULL. Under --root always NULL: nothing would run. */
char *spawn_which(const char *name);

/* Where spawn reports what it skipped ("PATH entry \"bin\" is not absolute: not searched"):
 * the command layer sets this under -v. NULL (the default) says nothing. */
void spawn_set_log(void (*log)(const char *msg));
