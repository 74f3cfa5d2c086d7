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
#include <dirent.h>

/* Wall-clock bounds: never tighter than the code's own deadline D plus a generous margin (a
 * loaded 2-core machine runs these under ASan several times slower than an idle one). "Ends
 * at once, not at its deadline" is asserted with a deadline far above the margin. Lower
 * bounds (a deadline cannot fire early) stay exact. */
#define TEST_TIME_BOUND_MS(d) (2 * (int64_t)(d) + 5000)
#define TEST_FAR_DEADLINE_MS 30000

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

/* Open descriptors in this process (a leak test counts them before and after). */
static inline int test_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#include <errno.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Makes every later fork() of this process fail with EAGAIN, as on a machine out of
 * processes: becomes user nobody (65534, which drops root's capabilities) with RLIMIT_NPROC 0.
 * Only in a child of the test, which it changes for good; false without root. */
static inline bool test_forbid_fork(void)
{
	struct rlimit none = { 0, 0 };

	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
	    setrlimit(RLIMIT_NPROC, &none) < 0)
		return false;
	pid_t pid = fork(); /* the proof */
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return false;
	}
	return errno == EAGAIN;
}

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

/* Starts build/tools/hangfs (tests/fuse/hangfs.c, a test-only FUSE filesystem whose answers
 * the test switches through the file ctl; `make unit` builds it) on mp, in a child whose
 * output goes to /dev/null (libfuse's notices); found beside the test's own binary
 * (build/test/DIR/X_test). Returns its pid, for the test to SIGTERM and reap. */
static inline pid_t test_hangfs_start(const char *ctl, const char *mp, const char *max_threads)
{
	char self[PATH_MAX], opt[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	assert_true(n > 0);
	self[n] = '\0';
	for (int up = 0; up < 3; up++) { /* build/test/DIR/X_test -> build */
		char *slash = strrchr(self, '/');
		assert_non_null(slash);
		*slash = '\0';
	}
	_cleanup_free_ char *hangfs = xasprintf("%s/tools/hangfs", self);
	assert_int_equal(access(hangfs, X_OK), 0);
	snprintf(opt, sizeof(opt), "max_threads=%s", max_threads);
	pid_t fs = fork();
	assert_true(fs >= 0);
	if (fs == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl(hangfs, "hangfs", ctl, mp, "-o", opt, (char *)NULL);
		_exit(127);
	}
	return fs;
}

/* hangfs's control file ctl replaced at once by words (it reads it on every request). */
static inline void test_hangfs_control(const char *ctl, const char *words)
{
	_cleanup_free_ char *tmp = xasprintf("%s.new", ctl);
	FILE *f;

	assert_non_null(f = fopen(tmp, "we"));
	fprintf(f, "%s\n", words);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, ctl), 0);
}

#include <signal.h>
#include <sys/mount.h>

/* test_hangfs_start's filesystem stopped and gone: SIGTERM, reaped, the mount detached, mp,
 * ctl and dir (mp's and ctl's directory) removed. Release what it holds hung first
 * (test_hangfs_control(ctl, "")) and reap its blocked callers. */
static inline void test_hangfs_stop(pid_t fs, const char *dir, const char *mp, const char *ctl)
{
	kill(fs, SIGTERM);
	assert_int_equal(waitpid(fs, NULL, 0), fs);
	(void)umount2(mp, MNT_DETACH);
	assert_int_equal(rmdir(mp), 0);
	assert_int_equal(unlink(ctl), 0);
	assert_int_equal(rmdir(dir), 0);
}
