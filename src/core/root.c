/* SPDX-License-Identifier: MIT */
#include "core/root.h"
#include "core/core_private.h"

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

/* ---- the walk: RESOLVE_IN_ROOT in user space, for kernels without openat2 (< 5.6) ---- */

#define WALK_MAX_DEPTH 256 /* directories below the root on the way */
#define WALK_MAX_LINKS 40  /* as the kernel's MAXSYMLINKS */

static bool walk_forced;

void root_force_walk(bool on)
{
	walk_forced = on;
}

/* The directories walked through, the root at the bottom (never closed here: it is rfd). */
struct walk {
	int fd[WALK_MAX_DEPTH + 1];
	size_t depth;
};

static void walk_reset(struct walk *w)
{
	while (w->depth > 0)
		close(w->fd[w->depth--]);
}

/* Replaces the unwalked rest with target + rest (a link's text spliced in). */
static void walk_splice(char **rest, const char *target, const char *after)
{
	char *n = xasprintf("%s%s", target, after); /* after is "" or starts with "/" */
	free(*rest);
	*rest = n;
}

int root_walk_open(int rfd, const char *rel, int flags, mode_t mode)
{
	struct walk w = { .fd = { rfd } };
	char *rest = xstrdup(rel), *cur = rest;
	unsigned links = 0;
	int r = -EINVAL;

	for (;;) {
		char name[256];

		cur += strspn(cur, "/");
		size_t n = strcspn(cur, "/");
		const char *after = cur + n;
		bool last = after[strspn(after, "/")] == '\0', want_dir = last && *after == '/';

		if (n >= sizeof(name)) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, cur, n);
		name[n] = '\0';
		if (n == 0)
			strcpy(name, "."); /* the root itself, or a path of slashes */
		if (streq(name, "..")) {
			if (w.depth > 0) /* ".." stops at the root */
				close(w.fd[w.depth--]);
			strcpy(name, ".");
		}
		if (streq(name, ".") && !last) {
			cur += n;
			continue;
		}
		int dir = w.fd[w.depth];
		/* What the name is, without following it. */
		int pfd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (pfd < 0 && errno == ENOENT && last && (flags & O_CREAT)) {
			r = 0; /* created below, never through a link */
		} else if (pfd < 0) {
			r = -errno;
			break;
		} else if (fstat(pfd, &st) < 0) {
			r = -errno;
			close(pfd);
			break;
		} else if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			char target[4096];
			ssize_t len = readlinkat(pfd, "", target, sizeof(target) - 1);
			close(pfd);
			if (len < 0) {
				r = -errno;
				break;
			}
			if (++links > WALK_MAX_LINKS) {
				r = -ELOOP;
				break;
			}
			target[len] = '\0';
			if (target[0] == '/')
				walk_reset(&w); /* an absolute link starts at the root */
			walk_splice(&rest, target, after);
			cur = rest;
			continue;
		} else if (!last) {
			if (!S_ISDIR(st.st_mode)) {
				r = -ENOTDIR;
				close(pfd);
				break;
			}
			if (w.depth >= WALK_MAX_DEPTH) {
				r = -ENAMETOOLONG;
				close(pfd);
				break;
			}
			w.fd[++w.depth] = pfd;
			cur += n;
			continue;
		} else {
			close(pfd);
		}
		/* The last name: opened for real, never following a link (one that appeared since
		 * the look above gives ELOOP, not a way out). */
		int fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC | (want_dir ? O_DIRECTORY : 0),
				(flags & (O_CREAT | O_TMPFILE)) ? mode : 0);
		r = fd < 0 ? -errno : fd;
		break;
	}
	walk_reset(&w);
	free(rest);
	return r;
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
	if (walk_forced)
		return root_walk_open(rfd, rel, flags, mode);
	/* EAGAIN: a concurrent rename raced the walk of ".."; the kernel asks to retry. */
	int tries = 0;
	do
		fd = (int)syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	if (fd < 0 && errno == ENOSYS) /* a kernel before 5.6 */
		return root_walk_open(rfd, rel, flags, mode);
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
