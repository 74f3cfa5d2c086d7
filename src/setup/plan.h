/* SPDX-License-Identifier: MIT */
/* A plan: what setup or repair will do, built first, shown whole (a unified diff of each file
 * and every command), then applied step by step, stopping at the first failure. Building a
 * plan reads only; applying it is the only part that changes the machine. What is already
 * right is listed too, so "nothing to do" can say why. The command layer prints. */
#pragma once

#include "core/diag.h"
#include "core/safewrite.h"
#include "mount/health.h"
#include "report/report.h"

#include <sys/types.h>

enum plan_kind {
	PLAN_WRITE,  /* a file, through safewrite (lock, backup, atomic replace) */
	PLAN_MKDIR,  /* a directory (and its parents) */
	PLAN_RUN,    /* a program, argv, with a deadline */
	PLAN_SIGNAL, /* a signal to a process (reload a daemon) */
};

struct plan_step;
/* Runs after a step succeeded, to confirm its effect (a package now provides its program, a
 * server now listens). Returns 0 or a negative errno with *msg set (new string). */
typedef int (*plan_check_fn)(const struct plan_step *s, void *data, int timeout_ms, char **msg);
/* Judges a PLAN_RUN step by its effect, whatever the command's outcome: r is 0 when it ran
 * and exited 0, else the negative errno of its failure (-ETIMEDOUT: stopped at its deadline,
 * stuck says where it waited). A lazy unmount, say, detaches the mount at once while umount
 * itself still waits for a server that does not answer. May replace status, result and
 * detail (plan_step_set_result); returns the step's outcome, 0 or a negative errno. */
typedef int (*plan_judge_fn)(struct plan_step *s, void *data, int r);

struct plan_step {
	enum plan_kind kind;
	char *id;    /* the check id its result is reported under: "setup.fstab" */
	char *title; /* one line, what it does */
	/* PLAN_WRITE and PLAN_MKDIR */
	char *shown; /* the path as on the node: "/etc/fstab" */
	char *path;  /* the path meshnfs touches (under --root) */
	char *diff;  /* PLAN_WRITE: the unified diff of the plan */
	safewrite_edit_fn edit;
	void *edit_data;
	struct safewrite_opts wopts;
	mode_t mode; /* PLAN_MKDIR */
	/* PLAN_RUN */
	char **argv;
	char **retry_after; /* when argv fails: run this, then argv once more (apt-get update) */
	int timeout_ms;
	plan_judge_fn judge;
	void *judge_data; /* not freed with the plan: plan_own it */
	/* At the deadline: where the command was stuck (the deepest process it started that
	 * waited in state D, else the command itself), and whether SIGKILL ended that process. */
	bool stuck_known;
	struct mount_proc stuck;
	bool stuck_gone;
	/* PLAN_SIGNAL */
	pid_t pid;
	int sig;
	plan_check_fn check;
	void *check_data;
	/* The outcome, once applied. */
	bool applied;
	enum check_status status;
	char *result; /* one line */
	char *detail; /* more: a command's output, how to undo */
	int64_t ms;
};

struct plan_item {
	char *id;
	char *text;
};

struct plan {
	char *title; /* "mount 100.64.0.1:/opt/shared on /opt/shared" */
	struct plan_step *steps;
	size_t n_steps;
	struct plan_item *right; /* already right: nothing to do there */
	size_t n_right;
	struct plan_item *notes; /* warnings and explanations shown with the plan */
	size_t n_notes;
	void **owned; /* edit data freed with the plan */
	size_t n_owned;
};

void plan_init(struct plan *p, const char *title_fmt, ...) _printf_(2, 3);
void plan_free(struct plan *p);

/* A file edit: reads the file (unlocked), runs edit on it and keeps the diff. When the edit
 * changes nothing no step is added and "already right" is recorded with right_text. Returns
 * 1 when a step was added, 0 when already right, -EBADMSG (diag) when the file is refused, or
 * another negative errno (diag says why). edit_data is freed with the plan when owned. */
int plan_add_write(struct plan *p, const char *id, const char *shown, const char *path,
		   safewrite_edit_fn edit, void *edit_data, bool owned,
		   const struct safewrite_opts *wopts, const char *right_text, struct diag *diag);
void plan_note(struct plan *p, const char *id, const char *fmt, ...) _printf_(3, 4);

/* The plan as text: numbered steps, each write with its diff indented, then the notes. */
void plan_format(const struct plan *p, struct buf *out);
json_t *plan_to_json(const struct plan *p, bool dry_run);

/* Every step in order; after a failure the rest are marked skipped. Results become checks. */
int plan_apply(struct plan *p, struct report *r, struct diag *diag);
/* The steps as checks (status skip, "would ...") for --dry-run, and the already-right ones as
 * ok checks, notes as warnings. */
void plan_report(const struct plan *p, struct report *r, bool dry_run);
