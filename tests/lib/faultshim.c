/* SPDX-License-Identifier: MIT */
/* Fault injection for the write path (LD_PRELOAD, tests only): the FAULT_NTH-th call of
 * FAULT_FUNC (open, write, fsync, rename or mkdir; or fopencookie, which has no path: give no
 * FAULT_MATCH) on a path containing FAULT_MATCH fails with
 * FAULT_ERRNO (default EIO). Calls on other paths pass and are not counted; for write and
 * fsync the path is the descriptor's (/proc/self/fd). When the fault fires, a line is appended
 * to FAULT_HIT (if set), so a test knows whether the run met it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/core/test_files.h"

static int counter;

/* Whether this call of func on path is the one to fail. */
static int should_fail(const char *func, const char *path)
{
	const char *f = getenv("FAULT_FUNC"), *m = getenv("FAULT_MATCH"), *n = getenv("FAULT_NTH");

	if (!f || strcmp(f, func) != 0 || !n || (m && !strstr(path, m)))
		return 0;
	if (++counter != atoi(n))
		return 0;
	const char *hit = getenv("FAULT_HIT");
	if (hit) {
		FILE *h = fopen(hit, "a");
		if (h) {
			fprintf(h, "%s %s\n", func, path);
			fclose(h);
		}
	}
	const char *e = getenv("FAULT_ERRNO");
	errno = e ? atoi(e) : EIO;
	return 1;
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

/* The mode argument exists only with O_CREAT or O_TMPFILE (glibc's __OPEN_NEEDS_MODE).
 * O_TMPFILE includes the O_DIRECTORY bit, so a plain O_DIRECTORY open (safewrite's directory
 * fsync) must not read a mode that was never passed. */
static mode_t mode_arg(int flags, va_list ap)
{
	bool needs = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	return needs ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_SHIM(name)                                                                       \
	int name(const char *path, int flags, ...)                                            \
	{                                                                                     \
		va_list ap;                                                                   \
		va_start(ap, flags);                                                          \
		mode_t mode = mode_arg(flags, ap);                                            \
		va_end(ap);                                                                   \
		if (should_fail("open", path))                                                \
			return -1;                                                            \
		return NEXT(#name, int (*)(const char *, int, ...))(path, flags, mode);       \
	}
OPEN_SHIM(open)
OPEN_SHIM(open64)

#define OPENAT_SHIM(name)                                                                     \
	int name(int dirfd, const char *path, int flags, ...)                                 \
	{                                                                                     \
		char full[8192];                                                              \
		va_list ap;                                                                   \
		va_start(ap, flags);                                                          \
		mode_t mode = mode_arg(flags, ap);                                            \
		va_end(ap);                                                                   \
		test_at_path(dirfd, path, full, sizeof(full));                                     \
		if (should_fail("open", full))                                                \
			return -1;                                                            \
		return NEXT(#name, int (*)(int, const char *, int, ...))(dirfd, path, flags, mode); \
	}
OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)

/* _FORTIFY_SOURCE variants. */
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	if (should_fail("open", path))
		return -1;
	return NEXT("__open_2", int (*)(const char *, int))(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags)
{
	char full[8192];
	test_at_path(dirfd, path, full, sizeof(full));
	if (should_fail("open", full))
		return -1;
	return NEXT("__openat_2", int (*)(int, const char *, int))(dirfd, path, flags);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	char path[4096];
	if (getenv("FAULT_FUNC") && strcmp(getenv("FAULT_FUNC"), "write") == 0) {
		test_fd_path(fd, path, sizeof(path));
		if (should_fail("write", path))
			return -1;
	}
	return NEXT("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n);
}

#define FSYNC_SHIM(name)                                                                      \
	int name(int fd)                                                                      \
	{                                                                                     \
		char path[4096];                                                              \
		test_fd_path(fd, path, sizeof(path));                                              \
		if (should_fail("fsync", path))                                               \
			return -1;                                                            \
		return NEXT(#name, int (*)(int))(fd);                                         \
	}
FSYNC_SHIM(fsync)
FSYNC_SHIM(fdatasync)

int rename(const char *from, const char *to)
{
	if (should_fail("rename", to))
		return -1;
	return NEXT("rename", int (*)(const char *, const char *))(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	char full[8192];
	test_at_path(fd2, to, full, sizeof(full));
	if (should_fail("rename", full))
		return -1;
	return NEXT("renameat", int (*)(int, const char *, int, const char *))(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
	char full[8192];
	test_at_path(fd2, to, full, sizeof(full));
	if (should_fail("rename", full))
		return -1;
	return NEXT("renameat2", int (*)(int, const char *, int, const char *, unsigned))(
		fd1, from, fd2, to, flags);
}

/* mkdir: meshnfs creates directories by mkdirat under the root (root_mkdir). */
int mkdirat(int dirfd, const char *path, mode_t mode)
{
	char full[8192];

	test_at_path(dirfd, path, full, sizeof(full));
	if (should_fail("mkdir", full))
		return -1;
	return NEXT("mkdirat", int (*)(int, const char *, mode_t))(dirfd, path, mode);
}

int mkdir(const char *path, mode_t mode)
{
	if (should_fail("mkdir", path))
		return -1;
	return NEXT("mkdir", int (*)(const char *, mode_t))(path, mode);
}

/* fopencookie: NULL, as glibc's when it cannot allocate the stream. */
FILE *fopencookie(void *cookie, const char *mode, cookie_io_functions_t fns)
{
	if (should_fail("fopencookie", ""))
		return NULL;
	return NEXT("fopencookie", FILE * (*)(void *, const char *, cookie_io_functions_t))(
		cookie, mode, fns);
}
