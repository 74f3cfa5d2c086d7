/* SPDX-License-Identifier: MIT */
/* Where bad input was found. Parsers fill one and return -EBADMSG; only the command layer
 * prints it, as "FILE:LINE: problem" (exit 65). */
#pragma once

#include "core/util.h"

struct diag {
	char file[512]; /* file or program the input came from */
	unsigned line;  /* 1-based; 0 when the input has no lines (e.g. a JSON document) */
	char msg[512];  /* one line, quotes the offending token */
};

/* Fills d (if not NULL) and returns -EBADMSG, so a parser can `return diag_set(...)`. */
int diag_set(struct diag *d, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);
/* "FILE:LINE: msg" or "FILE: msg" into buf. */
void diag_format(const struct diag *d, char *buf, size_t size);
