/* SPDX-License-Identifier: MIT */
/* Mount tables (fstab, mountinfo) as text: libmount's parser fed from a buffer, and the one
 * meaning of "the same path" for mount points and exports. Pure: no file is opened. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* data parsed by libmount (fstab or mountinfo: it tells them apart) into a new table in *out
 * (unref it), errcb and userdata as mnt_table_set_parser_errcb and set_userdata take them.
 * Returns libmount's result; *out is NULL only when no table could be made. Shared by
 * mountinfo_parse and the fstab editor. */
struct libmnt_table;
int mnttab_parse_buffer(const char *file, const char *data, size_t len,
			int (*errcb)(struct libmnt_table *, const char *, int), void *userdata,
			struct libmnt_table **out);

/* A path with repeated and trailing slashes removed ("/" stays). New string. */
char *mnttab_path_normalize(const char *s);
/* Two paths equal once normalized as above (no allocation). */
bool mnttab_path_eq(const char *a, const char *b);
