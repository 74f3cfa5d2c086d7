/* SPDX-License-Identifier: MIT */
/* What only exports/'s own files (and their unit tests) share: not part of the
 * module's API (the public headers), so it may change with them. */
#pragma once

#include "exports/exports.h"

/* Checks one option list as it appears in "(...)" or after '-': -EBADMSG naming the option. */
int exports_check_options(const char *file, unsigned line, const char *list, struct diag *diag);

void exports_ctx_init(struct exports_ctx *ctx, const char *file, struct exports_file *out,
		      struct diag *diag);

/* One physical line (without its '\n'), starting at offset in the buffer. */
int exports_ctx_line(struct exports_ctx *ctx, const char *line, size_t len, size_t offset,
		     bool has_newline);

/* After the last line: parses a line left pending by a final continuation (nfs-utils
 * accepts that too) and frees the context. Returns 0 or the first error. */
int exports_ctx_finish(struct exports_ctx *ctx);

/* Paths compare after repeated and trailing slashes are removed. */
bool exports_path_equal(const char *a, const char *b);
