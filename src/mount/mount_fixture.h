/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): waiting for a FUSE mount of the test's own. */
#pragma once

#include "core/test.h"
#include "mount/mountinfo.h"

#include <unistd.h>

/* Whether build/tools/hangfs (core/test.h's test_hangfs_start) is mounted at mp, polled up
 * to 30 s (a loaded machine). */
static inline bool test_hangfs_wait(const char *mp)
{
	for (int i = 0; i < 600; i++) {
		struct mount_stack st = { 0 };
		struct diag d = { 0 };
		bool r = mountinfo_read("/proc/self/mountinfo", mp, &st, &d) == 0 &&
			 mount_stack_find_type(&st, "fuse.hangfs") != NULL;

		mount_stack_free(&st);
		if (r)
			return true;
		usleep(50000);
	}
	return false;
}
