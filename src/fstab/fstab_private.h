/* SPDX-License-Identifier: MIT */
/* What only fstab/'s own files (and their unit tests) share: not part of the
 * module's API (the public headers), so it may change with them. */
#pragma once

#include "fstab/fstab.h"

/* A field as fstab(5) needs it: space, tab, newline, backslash and '#' as \ooo. New string. */
char *fstab_escape(const char *s);

/* Decodes \ooo escapes (three octal digits, as libmount does). New string. */
char *fstab_unescape(const char *s, size_t n);
