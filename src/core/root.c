/* SPDX-License-Identifier: MIT */
#include "core/root.h"

#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

static const char *root = "/";
static int root_fd = -1;

void root_set(const char *r)
{
	root = (r && *r) ? r : "/";
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
}

const char *root_get(void)
{
	return root;
}

bool root_is_host(void)
{
	return root[strspn(root, "/")] == '\0';
}

/* The root without its trailing slashes ("" for the host's "/"). */
static size_t root_len(void)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	return n;
}

char *root_path(const char *path)
{
	size_t n = root_len();

	while (*path == '/')
		path++;
	return xasprintf("%.*s/%s", (int)n, root, path);
}

/* The part of path below the root ("." for the root itself), or NULL when path is not under
 * it. The host's root holds every absolute path. */
static const char *below_root(const char *path)
{
	size_t n = root_len();

	if (path[0] != '/')
		return NULL;
	if (n > 0 && (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0')))
		return NULL;
	path += n;
	path += strspn(path, "/");
	return *path ? path : ".";
}

static int get_root_fd(void)
{
	if (root_fd < 0) {
		root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			return -errno;
	}
	return root_fd;
}

int root_open(const char *path, int flags, mode_t mode)
{
	const char *rel = below_root(path);
	int fd;

	if (!rel) {
		fd = open(path, flags | O_CLOEXEC, mode);
		return fd < 0 ? -errno : fd;
	}
	int rfd = get_root_fd();
	if (rfd < 0)
		return rfd;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a concurrent rename raced the walk of ".."; the kernel asks to retry. */
	int tries = 0;
	do
		fd = (int)syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	return fd < 0 ? -errno : fd;
}

int root_stat(const char *path, struct stat *st)
{
	_cleanup_close_ int fd = root_open(path, O_PATH, 0);

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

bool root_exists(const char *path)
{
	struct stat st;
	return root_stat(path, &st) == 0;
}

int root_lstat(const char *path, struct stat *st)
{
	_cleanup_close_ int fd = root_open(path, O_PATH | O_NOFOLLOW, 0);

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

bool root_lexists(const char *path)
{
	struct stat st;
	return root_lstat(path, &st) == 0;
}

bool root_entry_exists(const char *path)
{
	_cleanup_free_ char *p = root_path(path);
	return root_lexists(p);
}

DIR *root_opendir(const char *path)
{
	int fd = root_open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

int root_mkdir(const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1])
		return -EINVAL;
	_cleanup_free_ char *parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	_cleanup_close_ int dfd = root_open(parent, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0)
		return dfd;
	return mkdirat(dfd, slash + 1, mode) < 0 ? -errno : 0;
}
