/* SPDX-License-Identifier: MIT */
#include "core/safewrite.h"
#include "core/core_private.h"

#include "core/root.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/xattr.h>

#define LOCK_TIMEOUT_DEFAULT_MS 30000

/* The directory and the last component of path (no trailing slash allowed). */
static int split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1])
		return -EINVAL;
	*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	*base = xstrdup(slash + 1);
	return 0;
}

static char *beside(const char *path, const char *prefix, const char *suffix)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;

	if (split_path(path, &dir, &base) < 0)
		return xasprintf("%s%s", path, suffix);
	return xasprintf("%s%s%s%s%s", dir, streq(dir, "/") ? "" : "/", prefix, base, suffix);
}

char *safewrite_backup_path(const char *path)
{
	return beside(path, "", SAFEWRITE_BACKUP_SUFFIX);
}

char *safewrite_original_path(const char *path)
{
	return beside(path, "", SAFEWRITE_ORIGINAL_SUFFIX);
}

char *safewrite_lock_path(const char *path)
{
	return beside(path, ".", ".meshnfs.lock");
}

void safewrite_result_free(struct safewrite_result *res)
{
	free(res->backup);
	free(res->original);
	*res = (struct safewrite_result){ 0 };
}

static int read_stat(const char *path, char **out, size_t *out_len, struct stat *st)
{
	/* Resolved under the root (core/root.h); the file itself is never a link, and a FIFO
	 * does not block the open. */
	_cleanup_close_ int fd = root_open(path, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0);

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0)
		return -errno;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EFTYPE_;
	return read_fd_bounded(fd, SAFEWRITE_MAX_SIZE, out, out_len);
}

int safewrite_read(const char *path, char **out, size_t *out_len)
{
	struct stat st;
	return read_stat(path, out, out_len, &st);
}

int safewrite_read_input(const char *path, char **out, size_t *out_len, struct diag *diag)
{
	struct stat st;
	int r = safewrite_read(path, out, out_len);

	if (r == 0 || r == -ENOENT)
		return r;
	if (r == -ELOOP)
		return diag_set(diag, path, 0, "is a symbolic link: meshnfs replaces only regular files");
	if (r == -EFBIG)
		return diag_set(diag, path, 0, "larger than %d MiB", SAFEWRITE_MAX_SIZE >> 20);
	if (r == -EISDIR || r == -EFTYPE_)
		return diag_set(diag, path, 0, "is %s, not a regular file",
				root_lstat(path, &st) == 0 ? file_kind(st.st_mode) : "not a regular file");
	return diag_set(diag, path, 0, "cannot read: %s", strerror(-r));
}

static int lock_take(const char *path, const char *lock_path, int timeout_ms, int *out_fd)
{
	_cleanup_free_ char *lock = lock_path ? xstrdup(lock_path) : safewrite_lock_path(path);
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : LOCK_TIMEOUT_DEFAULT_MS);
	unsigned wait_us = 1000;
	int fd = root_open(lock, O_RDWR | O_CREAT | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0600);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EFTYPE_;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (now_ms() >= deadline) {
			close(fd);
			return -ETIMEDOUT;
		}
		usleep(wait_us);
		if (wait_us < 20000)
			wait_us *= 2;
	}
	*out_fd = fd;
	return 0;
}

static bool ignorable(unsigned flags, int err)
{
	return (flags & SAFEWRITE_BEST_EFFORT_METADATA) &&
	       (err == EPERM || err == EINVAL || err == ENOTSUP || err == EROFS || err == ENOSYS);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct meta {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool keep_owner; /* the file existed: give the new version its owner */
	int xattr_fd;    /* the file being replaced, whose extended attributes the new version
			    gets, or -1 */
};

/* Copies every extended attribute of src onto dst: user.*, POSIX ACLs
 * (system.posix_acl_access/default), the SELinux label (security.selinux), ... A rename would
 * otherwise drop them with the old inode. After chmod: an ACL also sets the group bits. */
static int copy_xattrs(int src, int dst)
{
	_cleanup_free_ char *names = NULL;
	ssize_t n = flistxattr(src, NULL, 0);

	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno; /* a filesystem without any */
	if (n == 0)
		return 0;
	names = xmalloc((size_t)n + 1);
	n = flistxattr(src, names, (size_t)n);
	if (n < 0)
		return -errno; /* changed meanwhile (ERANGE): the lock does not cover xattrs */
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		_cleanup_free_ char *value = NULL;
		ssize_t v = fgetxattr(src, name, NULL, 0);
		if (v < 0 && errno == ENODATA)
			continue; /* removed meanwhile */
		if (v < 0)
			return -errno;
		value = xmalloc((size_t)v + 1);
		v = fgetxattr(src, name, value, (size_t)v);
		if (v < 0)
			return -errno;
		if (fsetxattr(dst, name, value, (size_t)v, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Creates a temporary beside base in dirfd, with a name nobody else uses. */
static int temp_create(int dirfd, const char *base, char **out_name)
{
	for (int tries = 0; tries < 100; tries++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint64_t)now_ms() * 2654435761u ^ (uint64_t)getpid() ^ (uint64_t)tries;
		char *name = xasprintf(".%s.meshnfs-%06llx", base, (unsigned long long)(rnd & 0xffffff));
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			*out_name = name;
			return fd;
		}
		int r = -errno;
		free(name);
		if (r != -EEXIST)
			return r;
	}
	return -EEXIST;
}

/* Writes data as dirfd/base through a temporary: the steps of the header. On failure before
 * the rename the temporary is removed and base is untouched. */
static int write_replace(int dirfd, const char *base, const char *data, size_t len,
			 const struct meta *m, unsigned flags, struct safewrite_result *res,
			 bool *renamed)
{
	_cleanup_free_ char *tmp = NULL;
	struct stat st;
	int fd, r;

	*renamed = false;
	fd = temp_create(dirfd, base, &tmp);
	if (fd < 0) {
		res->step = "open";
		return fd;
	}
	r = write_all(fd, data, len);
	if (r < 0) {
		res->step = "write";
		goto fail;
	}
	if (fchmod(fd, m->mode & 07777) < 0 && !ignorable(flags, errno)) {
		r = -errno;
		res->step = "chmod";
		goto fail;
	}
	if (m->keep_owner && fstat(fd, &st) == 0 && (st.st_uid != m->uid || st.st_gid != m->gid) &&
	    fchown(fd, m->uid, m->gid) < 0 && !ignorable(flags, errno)) {
		r = -errno;
		res->step = "chown";
		goto fail;
	}
	if (m->xattr_fd >= 0 && (r = copy_xattrs(m->xattr_fd, fd)) < 0 && !ignorable(flags, -r)) {
		res->step = "xattr";
		goto fail;
	}
	if (fsync(fd) < 0) {
		r = -errno;
		res->step = "fsync";
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = -errno;
		res->step = "close";
		goto fail;
	}
	if (renameat(dirfd, tmp, dirfd, base) < 0) {
		r = -errno;
		res->step = "rename";
		goto fail;
	}
	*renamed = true;
	if (fsync(dirfd) < 0 && !ignorable(flags, errno)) {
		res->dir_sync_failed = true;
		res->step = "sync directory";
		return -errno;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return r;
}

/* A copy of the current version beside it (.bak, .orig), written the same safe way. A failure
 * of the directory's fsync after its rename is not one of the update. */
static int keep_copy(int dirfd, const char *name, const char *data, size_t len,
		     const struct meta *m, unsigned flags, struct safewrite_result *res)
{
	bool renamed;
	int r = write_replace(dirfd, name, data, len, m, flags, res, &renamed);

	if (r < 0 && !renamed) {
		res->step = "backup";
		return r;
	}
	res->step = NULL;
	res->dir_sync_failed = false;
	return 0;
}

/* The current content (absent: "" and exists false) and what edit makes of it. */
static int read_and_edit(const char *path, struct stat *st, safewrite_edit_fn edit,
			 void *userdata, char **old, size_t *old_len, bool *exists, struct buf *out,
			 struct safewrite_result *res, struct diag *diag)
{
	int r = read_stat(path, old, old_len, st);

	*exists = r == 0;
	if (r < 0 && r != -ENOENT) {
		res->step = "read";
		return r;
	}
	if (!*exists) {
		*old = xstrdup("");
		*old_len = 0;
	}
	buf_append(out, "", 0);
	r = edit(userdata, *old, *old_len, *exists, out, diag);
	if (r < 0)
		res->step = "edit";
	return r;
}

int safewrite_preview(const char *path, safewrite_edit_fn edit, void *userdata, char **old,
		      size_t *old_len, bool *exists, struct buf *out, struct diag *diag)
{
	struct safewrite_result res = { 0 };
	struct stat st;

	*old = NULL;
	int r = read_and_edit(path, &st, edit, userdata, old, old_len, exists, out, &res, diag);
	if (r < 0 && streq_ptr(res.step, "read")) {
		free(*old);
		*old = NULL;
	}
	return r;
}

int safewrite_update(const char *path, safewrite_edit_fn edit, void *userdata,
		     const struct safewrite_opts *opts, struct safewrite_result *res,
		     struct diag *diag)
{
	const struct safewrite_opts dflt = { 0 };
	_cleanup_free_ char *dir = NULL, *base = NULL, *old = NULL;
	_cleanup_close_ int lock_fd = -1, dirfd = -1, cur_fd = -1;
	struct buf out = { 0 };
	struct stat st;
	size_t old_len = 0;
	bool exists, renamed;
	struct meta m;
	int r;

	if (!opts)
		opts = &dflt;
	*res = (struct safewrite_result){ 0 };
	if (split_path(path, &dir, &base) < 0) {
		res->step = "open";
		return -EINVAL;
	}
	r = lock_take(path, opts->lock_path, opts->lock_timeout_ms, &lock_fd);
	if (r < 0) {
		res->step = "lock";
		return r;
	}
	r = read_and_edit(path, &st, edit, userdata, &old, &old_len, &exists, &out, res, diag);
	if (r < 0)
		goto out;
	if (exists && out.len == old_len && memcmp(out.data, old, old_len) == 0)
		goto out; /* already right: nothing is written */

	dirfd = root_open(dir, O_RDONLY | O_DIRECTORY, 0);
	if (dirfd < 0) {
		r = dirfd;
		res->step = "open";
		goto out;
	}
	if (exists) {
		cur_fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (cur_fd < 0) {
			r = -errno;
			res->step = "read";
			goto out;
		}
		m = (struct meta){ st.st_mode, st.st_uid, st.st_gid, true, cur_fd };
		if (!(opts->flags & SAFEWRITE_NO_BACKUP)) {
			/* The admin's own version, kept once (the .bak follows every change). */
			_cleanup_free_ char *obase = xasprintf("%s%s", base, SAFEWRITE_ORIGINAL_SUFFIX);
			struct stat ost;
			if (fstatat(dirfd, obase, &ost, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
				r = keep_copy(dirfd, obase, old, old_len, &m, opts->flags, res);
				if (r < 0)
					goto out;
				res->original = safewrite_original_path(path);
			}
			_cleanup_free_ char *bbase = xasprintf("%s%s", base, SAFEWRITE_BACKUP_SUFFIX);
			r = keep_copy(dirfd, bbase, old, old_len, &m, opts->flags, res);
			if (r < 0)
				goto out;
			res->backup = safewrite_backup_path(path);
		}
	} else
		m = (struct meta){ opts->new_mode ? opts->new_mode : 0644, 0, 0, false, -1 };

	r = write_replace(dirfd, base, out.data, out.len, &m, opts->flags, res, &renamed);
	if (renamed) {
		res->changed = true;
		res->created = !exists;
	}
out:
	buf_free(&out);
	return r;
}

struct fixed {
	const void *data;
	size_t len;
};

static int edit_fixed(void *userdata, const char *old, size_t old_len, bool exists,
		      struct buf *out, struct diag *diag)
{
	const struct fixed *f = userdata;

	(void)old;
	(void)old_len;
	(void)exists;
	(void)diag;
	buf_append(out, f->data, f->len);
	return 0;
}

int safewrite_file(const char *path, const void *data, size_t len,
		   const struct safewrite_opts *opts, struct safewrite_result *res)
{
	struct fixed f = { data, len };
	return safewrite_update(path, edit_fixed, &f, opts, res, NULL);
}
