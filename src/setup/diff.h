/* SPDX-License-Identifier: MIT */
/* Unified diffs for the plans of setup and repair: what a file is now and what it will be. */
#pragma once

#include "core/util.h"

/* Appends to out a unified diff (3 lines of context, "\ No newline at end of file" where
 * needed) turning a into b. old_label NULL means the file does not exist yet (/dev/null).
 * Appends nothing when a and b are equal. The changed lines form one hunk (edits of setup
 * touch one place; a diff of two places in one hunk is still exact). */
void diff_unified(const char *old_label, const char *new_label, const char *a, size_t a_len,
		  const char *b, size_t b_len, struct buf *out);
