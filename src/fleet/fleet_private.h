/* SPDX-License-Identifier: MIT */
/* What only fleet/'s own files (and their unit tests) share: not part of the
 * module's API (the public headers), so it may change with them. */
#pragma once

#include "fleet/fleet.h"

void fleet_argv_free(char **argv);

/* Parses the JSON of a remote `meshnfs doctor --json` into row (verdict and checks).
 * -EBADMSG with diag when it is not such a document. */
int fleet_parse_doctor(const char *data, size_t len, struct fleet_row *row, struct diag *d);

/* The whole session's deadline in ms for these options. */
int fleet_session_deadline_ms(const struct fleet_opts *o);

/* The ssh command line for one address (NULL-terminated, free with fleet_argv_free). */
char **fleet_ssh_argv(const struct fleet_opts *o, const char *address);
