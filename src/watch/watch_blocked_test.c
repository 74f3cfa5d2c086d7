/* SPDX-License-Identifier: MIT */
/* watch's scan for processes blocked on a mount (watch_blocked_scan) against a real hung FUSE
 * mount: build/tools/hangfs (test-only; `make unit` builds it), in a private mount namespace
 * (root only; skipped otherwise). */
#include "core/test.h"
#include "watch/watch_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static bool found(const struct watch_blocked *b, pid_t pid)
{
	for (unsigned i = 0; i < b->n && i < ARRAY_SIZE(b->first); i++)
		if (b->first[i].pid == pid)
			return true;
	return false;
}

/* A process hung in the filesystem on a file it holds open below the mount point is found by
 * what it holds when its wait channel says nothing of the filesystem's type (fstype unknown
 * here). Mutation run 8: link_below's `below(target, mountpoint)` with its arguments swapped
 * asked whether the mount point lies below the file, and found nobody. */
static void holder_of_a_file_below_is_found(void **state)
{
	char dir[] = "/tmp/meshnfs-blocked-XXXXXX";
	char mp[PATH_MAX], ctl[PATH_MAX], file[PATH_MAX + 8];
	struct watch_blocked b = { 0 };
	struct stat top, in;
	int ready[2], go[2], i;
	bool mounted = false, seen = false;
	pid_t fs, holder;
	char c = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(mp, sizeof(mp), "%s/mnt", dir);
	snprintf(ctl, sizeof(ctl), "%s/control", dir);
	snprintf(file, sizeof(file), "%s/hello", mp);
	assert_int_equal(mkdir(mp, 0755), 0);
	test_hangfs_control(ctl, "");
	fs = test_hangfs_start(ctl, mp, "10");
	assert_int_equal(stat(dir, &top), 0);
	for (i = 0; i < 600 && !mounted; i++) { /* up to 30 s on a loaded machine */
		mounted = stat(file, &in) == 0 && in.st_dev != top.st_dev;
		if (!mounted)
			usleep(50000);
	}
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	holder = mounted ? fork() : -1;
	if (holder == 0) {
		struct stat st;
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		(void)fstat(fd, &st); /* hangs in hangfs until released */
		_exit(0);
	}
	if (holder > 0 && read(ready[0], &c, 1) == 1) {
		test_hangfs_control(ctl, "getattr=hang");
		assert_int_equal(write(go[1], "g", 1), 1);
		for (i = 0; i < 200 && !seen; i++) { /* up to 10 s */
			seen = watch_blocked_scan(mp, "", 0, &b) == 0 && found(&b, holder);
			if (!seen)
				usleep(50000);
		}
	}

	/* Whatever happened: release, stop hangfs, drop the mount. */
	test_hangfs_control(ctl, "");
	if (holder > 0)
		assert_int_equal(waitpid(holder, NULL, 0), holder);
	test_hangfs_stop(fs, dir, mp, ctl);
	for (i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
	assert_true(mounted);
	assert_true(holder > 0);
	assert_true(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holder_of_a_file_below_is_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
