/* SPDX-License-Identifier: MIT */
/* Is the filesystem mounted at a path alive? The guide's `ls` and `touch && rm`, done so that
 * they can never hang the caller: in a forked child with a deadline. On expiry the child is
 * SIGKILLed and not waited for; its state (D, S...) and wait channel are the evidence of a
 * hung mount, and its pid is handed back so that a later step (repair) can watch it.
 *
 * Safe to call from any thread: the child only makes async-signal-safe system calls on
 * buffers prepared before fork(), and reports through a pipe. Nothing below the mount point
 * is touched in this process. The live /proc is read for the child's state (whatever --root
 * says: the child is a process of this machine). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum mount_health_state {
	MOUNT_HEALTH_OK,          /* every step answered, no error */
	MOUNT_HEALTH_HUNG,        /* a step did not return before the deadline */
	MOUNT_HEALTH_STALE,       /* ESTALE: the server no longer knows the handle */
	MOUNT_HEALTH_IO_ERROR,    /* EIO (a soft mount gave up, a broken path) */
	MOUNT_HEALTH_READ_ONLY,   /* EROFS on create */
	MOUNT_HEALTH_DENIED,      /* EACCES or EPERM */
	MOUNT_HEALTH_NOT_MOUNTED, /* the path is missing or not the root of a mount */
	MOUNT_HEALTH_ERROR,       /* another error (err says which) */
};

/* The steps the child takes, in order. */
enum mount_step {
	MOUNT_STEP_ROOT,    /* statx(AT_STATX_DONT_SYNC) of the path: exists, is a mount root */
	MOUNT_STEP_STAT,    /* stat of the path, synced with the server */
	MOUNT_STEP_READDIR, /* open the directory and read all entries (`ls`) */
	MOUNT_STEP_CREATE,  /* create a new file, write a line, close (`touch`) */
	MOUNT_STEP_UNLINK,  /* remove it (`rm`) */
	MOUNT_STEP__MAX,
};

struct mount_step_result {
	bool started;
	bool done; /* finished before the deadline */
	int err;   /* 0 or the positive errno the step failed with */
	int64_t ms;
};

struct mount_health_opts {
	int timeout_ms;    /* the whole probe; <= 0 means 5000 */
	int kill_grace_ms; /* how long to watch the killed child die; < 0 means 250 */
	bool write;        /* also create and remove a file (the guide's touch && rm) */
};

struct mount_health {
	enum mount_health_state state;
	enum mount_step step; /* the step that decided state (the stuck one when HUNG) */
	int err;              /* its errno (ETIMEDOUT when HUNG), 0 when OK */
	struct mount_step_result steps[MOUNT_STEP__MAX];
	unsigned entries; /* directory entries read (without . and ..) */
	int64_t ms;       /* the whole probe */
	char probe_file[64]; /* the name of the file created and removed */

	/* The child. When HUNG: the evidence, read when the deadline expired. */
	pid_t pid;
	char proc_state;     /* 'D', 'S', 'R'... at the deadline; 0 when unknown */
	char wchan[64];      /* kernel function it waited in, "" when unknown */
	bool killed;         /* SIGKILL was sent */
	bool exited;         /* the child is gone (reaped or zombie) */
	int64_t kill_ms;     /* from SIGKILL to its death, -1 when it had not died yet */
	char state_after_kill;  /* its state when we stopped watching, 0 when gone */
	char wchan_after_kill[64];
};

/* Probes the filesystem mounted at path (absolute). Returns 0 with out filled (whatever the
 * health), or a negative errno when the probe itself could not run (pipe, fork). */
int mount_health_check(const char *path, const struct mount_health_opts *opts,
		       struct mount_health *out);

/* Reaps, without waiting, the killed children that have died since. Returns how many are
 * still alive (stuck in the kernel). Called by mount_health_check too. */
size_t mount_health_reap(void);

const char *mount_health_state_name(enum mount_health_state s);
const char *mount_step_name(enum mount_step s);

/* The state and wait channel of a live process, from /proc (not under --root). 0, or a
 * negative errno (-ENOENT: the process is gone). state 'Z' means dead, not yet reaped. */
int mount_health_proc_state(pid_t pid, char *state, char *wchan, size_t wchan_size);

/* A process that waits: its pid, name (comm), state and wait channel. */
struct mount_proc {
	pid_t pid;
	char name[17];
	char state;
	char wchan[64];
};
/* Where a command (pid and the processes it started, through PPid in the live /proc) is
 * stuck: the deepest process in state D (a helper such as umount.nfs4 waiting for the
 * server), else pid itself. 0 with out filled; -ENOENT when pid is gone. */
int mount_health_proc_stuck(pid_t pid, struct mount_proc *out);
/* Waits at most ms for pid (not necessarily a child) to be gone or a zombie: true when it is. */
bool mount_health_proc_gone(pid_t pid, int ms);
