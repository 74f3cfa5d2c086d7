/* SPDX-License-Identifier: MIT */
/* Inside the status module only (its files and their unit tests);
 * other modules use status/status.h. */
#pragma once

#include "status/status.h"

/* A row that makes the run fail: a server (by role) whose NFS probe did not end ok, or an
 * expected server that was not probed at all; but not a gateway whose shares are all still
 * available through another gateway (its warning stays). */
bool status_row_fails(const struct status *st, const struct status_row *r);

/* The row's node answered from here (TCP accepted or refused). */
bool status_row_answered(const struct status *st, const struct status_row *r);

/* Adds a warning (fix: a new string or NULL, taken over). */
void status_warn(struct status *st, enum status_warning_kind k, const char *node, char *fix,
		 const char *fmt, ...) _printf_(5, 6);
