/* SPDX-License-Identifier: MIT */
/* Included by tests only: the unit tests that make files (safewrite, root, facts, the setup
 * plan, ceph_cli) and the LD_PRELOAD fault shim (tests/lib/faultshim.c). A scratch directory,
 * a file put into it, and the path a call on a descriptor or a (dirfd, name) pair acts on
 * (/proc/self/fd). Plain libc: no cmocka, no meshnfs code (the shim links neither). */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file descriptor fd points to, or "" when it cannot be told. */
static inline void test_fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* The path name names relative to the directory dirfd (as openat and renameat read it). */
static inline void test_at_path(int dirfd, const char *name, char *buf, size_t size)
{
	char d[4096];

	if (name[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(buf, size, "%s", name);
		return;
	}
	test_fd_path(dirfd, d, sizeof(d));
	snprintf(buf, size, "%s/%s", d, name);
}

/* mkdtemp on tmpl ("/tmp/NAME-XXXXXX", rewritten in place); false when it failed. */
static inline bool test_dir_make(char *tmpl)
{
	return mkdtemp(tmpl) != NULL;
}

/* Removes dir and everything below it (a link is removed, never followed). */
static inline void test_dir_remove(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[4096];

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno == EISDIR &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < sizeof(sub))
			test_dir_remove(sub);
	closedir(d);
	rmdir(path);
}

/* Writes text to dir/rel with the given mode (chmod'ed, so the umask does not narrow it),
 * making the missing directories of rel (0755) first; text NULL makes rel a directory of that
 * mode instead. 0, or -errno of the call that failed. */
static inline int test_file_put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char p[4096];
	size_t len = strlen(text ? text : "");
	int fd, r = 0;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, rel) >= sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (!text)
		return mkdir(p, mode) < 0 ? -errno : (chmod(p, mode) < 0 ? -errno : 0);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) < 0)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}
