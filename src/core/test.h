/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): cmocka and a few helpers. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the above first. */
#include <cmocka.h>

#include "core/util.h"

#define assert_str(a, b) assert_string_equal((a), (b))

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* Moves the test into a network namespace of its own with loopback up, so nothing it sends
 * can reach any other network. False without CAP_SYS_ADMIN (skip the network tests then). */
static inline bool test_isolate_net(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	bool ok;
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return false;
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

