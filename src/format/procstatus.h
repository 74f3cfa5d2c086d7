/* SPDX-License-Identifier: MIT */
/* /proc/PID/status and /proc/PID/wchan: the state of a process and where in the kernel it
 * sleeps, the evidence of a hung mount (a probe child stuck in state D). */
#pragma once

#include "core/diag.h"

#include <sys/types.h>

struct proc_status {
	char state;    /* 'R', 'S', 'D', 'Z', 'T', 't', 'X', 'x', 'I', 'P', 'W', 'K' */
	char name[17]; /* Name: (the kernel's comm, at most 15 bytes plus escapes trimmed) */
	pid_t ppid;    /* PPid:, or -1 when absent */
};

/* Parses the "Name:", "State:" and "PPid:" lines (others are ignored). State is required:
 * -EBADMSG with diag when it is missing or malformed. */
int proc_status_parse(const char *file, const char *data, size_t len, struct proc_status *out,
		      struct diag *diag);
/* A long name for a state letter: "D" -> "disk sleep (uninterruptible)". */
const char *proc_state_name(char state);
/* /proc/PID/wchan: a kernel symbol, or "0" when the task runs. Copies a valid symbol into buf
 * (size > 1), "" for "0" or empty; -EBADMSG when it is not a symbol name. */
int proc_wchan_parse(const char *data, size_t len, char *buf, size_t size);
