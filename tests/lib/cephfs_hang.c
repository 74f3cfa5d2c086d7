/* SPDX-License-Identifier: MIT */
/* A stand-in libcephfs.so.2 for one fault (tests only, labelled as such): a client whose check
 * succeeds and whose ceph_shutdown then never returns, as libcephfs's unmount can block on an
 * MDS session that went away. Built as build/test/cephfs_hang.so with the real library's
 * soname; src/node/ceph_hang_test.c loads it by path first, so the lazy loader's
 * dlopen("libcephfs.so.2") finds it. Nothing else here is Ceph: every other call succeeds,
 * except ceph_init when the configuration file's path holds "init-fails" (then it fails with
 * ENOENT, nothing is mounted, and ceph_shutdown returns at once). */
#define _FILE_OFFSET_BITS 64
#include <cephfs/libcephfs.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int dummy, init_err, mounted;

int ceph_create(struct ceph_mount_info **cmount, const char *const id)
{
	(void)id;
	*cmount = (struct ceph_mount_info *)&dummy;
	return 0;
}

int ceph_conf_read_file(struct ceph_mount_info *cmount, const char *path_list)
{
	(void)cmount;
	init_err = path_list && strstr(path_list, "init-fails") ? -ENOENT : 0;
	return 0;
}

int ceph_conf_set(struct ceph_mount_info *cmount, const char *option, const char *value)
{
	(void)cmount, (void)option, (void)value;
	return 0;
}

int ceph_init(struct ceph_mount_info *cmount)
{
	(void)cmount;
	return init_err;
}

int ceph_select_filesystem(struct ceph_mount_info *cmount, const char *fs_name)
{
	(void)cmount, (void)fs_name;
	return 0;
}

int ceph_mount(struct ceph_mount_info *cmount, const char *root)
{
	(void)cmount, (void)root;
	mounted = 1;
	return 0;
}

int ceph_statx(struct ceph_mount_info *cmount, const char *path, struct ceph_statx *stx,
	       unsigned int want, unsigned int flags)
{
	(void)cmount, (void)path, (void)want, (void)flags;
	stx->stx_mode = S_IFDIR | 0755;
	return 0;
}

/* Hangs once mounted; but never outlives the test (dies with its parent, when a broken check left it
 * behind) and does not hold the test runner's output open meanwhile. */
void ceph_shutdown(struct ceph_mount_info *cmount)
{
	pid_t parent = getppid();
	int null = open("/dev/null", O_RDWR);

	(void)cmount;
	if (!mounted) {
		close(null);
		return;
	}
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	for (;;)
		pause();
}
