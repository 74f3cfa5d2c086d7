/* SPDX-License-Identifier: MIT */
#include "format/mnttab.h"

#include "core/util.h"

#include <errno.h>
#include <libmount.h>
#include <stdio.h>

int mnttab_parse_buffer(const char *file, const char *data, size_t len,
			int (*errcb)(struct libmnt_table *, const char *, int), void *userdata,
			struct libmnt_table **out)
{
	struct libmnt_table *tb = mnt_new_table();
	FILE *f;
	int r = 0;

	*out = NULL;
	if (!tb)
		return -ENOMEM;
	mnt_table_set_userdata(tb, userdata);
	mnt_table_set_parser_errcb(tb, errcb);
	if (len > 0) { /* an empty table: nothing in it (fmemopen refuses size 0) */
		f = fmemopen((void *)data, len, "r");
		if (!f) {
			r = -errno;
			mnt_unref_table(tb);
			return r;
		}
		r = mnt_table_parse_stream(tb, f, file);
		fclose(f);
	}
	*out = tb;
	return r;
}

char *mnttab_path_normalize(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1), *o = out;

	for (const char *p = s; *p; p++) {
		if (*p == '/' && o > out && o[-1] == '/')
			continue;
		*o++ = *p;
	}
	while (o > out + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}

bool mnttab_path_eq(const char *a, const char *b)
{
	if (!*a || !*b) /* "" is no path, not "/" */
		return !*a && !*b;
	for (;;) {
		while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
			a++;
		while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}
