/* SPDX-License-Identifier: MIT */
/* The durable-write order of safewrite, on any machine: this test program interposes open,
 * openat, write, fchmod, fsync, close and rename(at) (its own definitions win over libc's for
 * every call in the program, safewrite.c's included) and records, while a safewrite call
 * runs, each call with the path it acted on. Then, for every rename safewrite made:
 *   the temporary was created (O_CREAT|O_EXCL) in the target's directory, all its bytes written,
 *   its mode set, then fsync'ed, then closed, then renamed over the target, then the directory
 *   fsync'ed before safewrite went on or returned;
 * the target itself was never opened for writing; the backup was in place (renamed and its
 * directory synced) before the new version replaced the original.
 * Fault injection (tests/cli/setup-faults.sh) proves the original survives a failing call; it
 * cannot see a missing or reordered fsync, which only matters at a power cut. This can. */
#include "core/test.h"
#include "core/core_private.h"
#include "core/safewrite.h"
#include "core/test_files.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

struct ev {
	char op[8];
	char path[512];  /* the file acted on (fd calls: where the descriptor points) */
	char path2[512]; /* rename: the new name */
	int flags;       /* open: the flags */
	size_t n;        /* write: bytes written */
};

static struct ev evs[512];
static int n_evs;
static bool recording;
static char dir[] = "/tmp/meshnfs-safewrite-order-XXXXXX";

static struct ev *record(const char *op)
{
	if (!recording || n_evs == (int)(sizeof(evs) / sizeof(evs[0])))
		return NULL;
	struct ev *e = &evs[n_evs++];
	memset(e, 0, sizeof(*e));
	snprintf(e->op, sizeof(e->op), "%s", op);
	return e;
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

static mode_t mode_arg(int flags, va_list ap)
{
	bool needs = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	return needs ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	struct ev *e = record("open");
	if (e) {
		snprintf(e->path, sizeof(e->path), "%s", path);
		e->flags = flags;
	}
	return NEXT("open", int (*)(const char *, int, ...))(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	struct ev *e = record("open");
	if (e) {
		test_at_path(dirfd, path, e->path, sizeof(e->path));
		e->flags = flags;
	}
	return NEXT("openat", int (*)(int, const char *, int, ...))(dirfd, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r = NEXT("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n);
	struct ev *e = recording ? record("write") : NULL;
	if (e) {
		test_fd_path(fd, e->path, sizeof(e->path));
		e->n = r > 0 ? (size_t)r : 0;
	}
	return r;
}

/* When set, fchmod fails with this errno while recording (test_chmod_errors). */
static int fchmod_errno;

int fchmod(int fd, mode_t mode)
{
	struct ev *e = record("fchmod");
	if (e)
		test_fd_path(fd, e->path, sizeof(e->path));
	if (e && fchmod_errno) {
		errno = fchmod_errno;
		return -1;
	}
	return NEXT("fchmod", int (*)(int, mode_t))(fd, mode);
}

int fsync(int fd)
{
	struct ev *e = record("fsync");
	if (e)
		test_fd_path(fd, e->path, sizeof(e->path));
	return NEXT("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
	struct ev *e = record("fsync");
	if (e)
		test_fd_path(fd, e->path, sizeof(e->path));
	return NEXT("fdatasync", int (*)(int))(fd);
}

int close(int fd)
{
	struct ev *e = record("close");
	if (e)
		test_fd_path(fd, e->path, sizeof(e->path));
	return NEXT("close", int (*)(int))(fd);
}

int rename(const char *from, const char *to)
{
	struct ev *e = record("rename");
	if (e) {
		snprintf(e->path, sizeof(e->path), "%s", from);
		snprintf(e->path2, sizeof(e->path2), "%s", to);
	}
	return NEXT("rename", int (*)(const char *, const char *))(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	struct ev *e = record("rename");
	if (e) {
		test_at_path(fd1, from, e->path, sizeof(e->path));
		test_at_path(fd2, to, e->path2, sizeof(e->path2));
	}
	return NEXT("renameat", int (*)(int, const char *, int, const char *))(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
	struct ev *e = record("rename");
	if (e) {
		test_at_path(fd1, from, e->path, sizeof(e->path));
		test_at_path(fd2, to, e->path2, sizeof(e->path2));
	}
	return NEXT("renameat2", int (*)(int, const char *, int, const char *, unsigned))(
		fd1, from, fd2, to, flags);
}

/* The whole log, for a failure message. */
static void dump(void)
{
	for (int i = 0; i < n_evs; i++)
		print_message("  %2d %-6s %s%s%s\n", i, evs[i].op, evs[i].path, evs[i].path2[0] ? " -> " : "",
			      evs[i].path2);
}

#define must(cond, ...)                                                                        \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			dump();                                                                \
			fail_msg(__VA_ARGS__);                                                 \
		}                                                                              \
	} while (0)

/* The index of the first (last when last is true) event op on path in [from, to), or -1. */
static int find(const char *op, const char *path, int from, int to, bool last)
{
	int found = -1;
	for (int i = from; i < to && i < n_evs; i++)
		if (!strcmp(evs[i].op, op) && !strcmp(evs[i].path, path)) {
			found = i;
			if (!last)
				break;
		}
	return found;
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	*slash = '\0';
	return d;
}

/* Asserts the order above for rename number r (an index into evs); returns the size written. */
static size_t check_rename(int r)
{
	const char *tmp = evs[r].path, *target = evs[r].path2;
	_cleanup_free_ char *d = dir_of(target), *td = dir_of(tmp);
	int op = -1, w_last, fc, fs, cl, ds, next = n_evs;
	size_t written = 0;

	must(!strcmp(d, td), "rename %s -> %s: the temporary is not in the target's directory", tmp,
	     target);
	for (int i = 0; i < r; i++)
		if (!strcmp(evs[i].op, "open") && !strcmp(evs[i].path, tmp))
			op = i;
	must(op >= 0, "%s was renamed but never opened", tmp);
	must((evs[op].flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL),
	     "%s: not created with O_CREAT|O_EXCL (flags %#x)", tmp, evs[op].flags);
	for (int i = op; i < r; i++)
		if (!strcmp(evs[i].op, "write") && !strcmp(evs[i].path, tmp))
			written += evs[i].n;
	w_last = find("write", tmp, op, r, true);
	fc = find("fchmod", tmp, op, r, true);
	fs = find("fsync", tmp, op, r, true);
	cl = find("close", tmp, op, r, false);
	must(fs >= 0, "%s: renamed over %s without an fsync", tmp, target);
	must(w_last < fs, "%s: written after its fsync (event %d, fsync %d)", tmp, w_last, fs);
	must(fc >= 0 && fc < fs, "%s: its mode is not set before the fsync (fchmod %d, fsync %d)",
	     tmp, fc, fs);
	must(cl >= 0, "%s: renamed while still open", tmp);
	must(fs < cl, "%s: closed before its fsync (close %d, fsync %d)", tmp, cl, fs);
	must(cl < r, "%s: closed after the rename", tmp);
	for (int i = r + 1; i < n_evs; i++)
		if (!strcmp(evs[i].op, "rename")) {
			next = i;
			break;
		}
	ds = find("fsync", d, r + 1, next, false);
	must(ds >= 0, "rename -> %s: the directory %s is not fsync'ed after it (before the next "
		      "rename or the end)", target, d);
	return written;
}

static int setup(void **state)
{
	(void)state;
	assert_true(test_dir_make(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_dir_remove(dir);
	return 0;
}

/* Runs safewrite_file(path, data) with the log on; returns its result. */
static int logged_write(const char *path, const char *data, unsigned flags,
			struct safewrite_result *res)
{
	struct safewrite_opts o = { .new_mode = 0640, .flags = flags };
	int r;

	n_evs = 0;
	recording = true;
	r = safewrite_file(path, data, strlen(data), &o, res);
	recording = false;
	return r;
}

static int renames(int *idx, int max)
{
	int n = 0;
	for (int i = 0; i < n_evs && n < max; i++)
		if (!strcmp(evs[i].op, "rename"))
			idx[n++] = i;
	return n;
}

static void test_create_order(void **state)
{
	_cleanup_free_ char *p = xasprintf("%s/fstab", dir);
	struct safewrite_result res = { 0 };
	int idx[8], n;

	(void)state;
	assert_int_equal(logged_write(p, "first version\n", 0, &res), 0);
	assert_true(res.changed && res.created);
	n = renames(idx, 8);
	must(n == 1, "a new file: %d renames, expected 1", n);
	must(!strcmp(evs[idx[0]].path2, p), "the rename goes to %s, not %s", evs[idx[0]].path2, p);
	assert_int_equal(check_rename(idx[0]), strlen("first version\n"));
	safewrite_result_free(&res);
}

static void test_replace_order(void **state)
{
	_cleanup_free_ char *p = xasprintf("%s/exports", dir), *bak = safewrite_backup_path(p);
	struct safewrite_result res = { 0 };
	const char *v2 = "/opt/shared 100.64.0.0/10(rw,sync)\n";
	int idx[8], n, main_r = -1, bak_r = -1;

	(void)state;
	assert_int_equal(logged_write(p, "old\n", 0, &res), 0);
	safewrite_result_free(&res);
	assert_int_equal(logged_write(p, v2, 0, &res), 0);
	assert_true(res.changed && !res.created);
	n = renames(idx, 8);
	must(n >= 2, "replacing a file with a backup: %d renames, expected at least 2", n);
	for (int i = 0; i < n; i++) {
		size_t w = check_rename(idx[i]);
		if (!strcmp(evs[idx[i]].path2, p)) {
			main_r = idx[i];
			assert_int_equal(w, strlen(v2));
		} else if (!strcmp(evs[idx[i]].path2, bak)) {
			bak_r = idx[i];
			assert_int_equal(w, strlen("old\n"));
		}
	}
	must(main_r >= 0, "no rename over %s", p);
	must(bak_r >= 0, "no rename to the backup %s", bak);
	must(bak_r < main_r, "the new version replaced %s (event %d) before its backup was in place "
			     "(event %d)", p, main_r, bak_r);
	for (int i = 0; i < n_evs; i++)
		must(strcmp(evs[i].op, "open") || strcmp(evs[i].path, p) ||
			     (evs[i].flags & O_ACCMODE) == O_RDONLY,
		     "%s opened for writing in place (event %d, flags %#x)", p, i, evs[i].flags);
	safewrite_result_free(&res);
}

/* Without a backup (SAFEWRITE_NO_BACKUP): one rename, same order. */
static void test_no_backup_order(void **state)
{
	_cleanup_free_ char *p = xasprintf("%s/wsl.conf", dir);
	struct safewrite_result res = { 0 };
	int idx[8], n;

	(void)state;
	assert_int_equal(logged_write(p, "[boot]\n", SAFEWRITE_NO_BACKUP, &res), 0);
	safewrite_result_free(&res);
	assert_int_equal(logged_write(p, "[boot]\nsystemd=true\n", SAFEWRITE_NO_BACKUP, &res), 0);
	n = renames(idx, 8);
	must(n >= 1, "no rename at all");
	for (int i = 0; i < n; i++)
		check_rename(idx[i]);
	must(!strcmp(evs[idx[n - 1]].path2, p), "the last rename goes to %s, not %s",
	     evs[idx[n - 1]].path2, p);
	safewrite_result_free(&res);
}

/* The same content again: nothing written at all, so nothing to order (and no rename). */
static void test_same_content_no_calls(void **state)
{
	_cleanup_free_ char *p = xasprintf("%s/same", dir);
	struct safewrite_result res = { 0 };
	int idx[8];

	(void)state;
	assert_int_equal(logged_write(p, "x\n", 0, &res), 0);
	safewrite_result_free(&res);
	assert_int_equal(logged_write(p, "x\n", 0, &res), 0);
	assert_false(res.changed);
	must(renames(idx, 8) == 0, "the same content was renamed into place again");
	for (int i = 0; i < n_evs; i++)
		must(strcmp(evs[i].op, "write"), "the same content: a write to %s", evs[i].path);
	safewrite_result_free(&res);
}

/* A failing fchmod of the temporary: with best-effort metadata (.wslconfig on drvfs) the
 * refusals a filesystem gives for modes (EPERM, EINVAL, ENOTSUP, EROFS, ENOSYS) are ignored
 * and the file is written; any other error (EIO) fails the write at "chmod", as does every
 * error without the flag; the target is unchanged then. Mutation run 10: ignorable()'s two
 * arguments swapped (flags taken for the errno) ignored every odd errno, EIO included. */
static void test_chmod_errors(void **state)
{
	static const struct {
		int err;
		unsigned flags;
		bool written;
	} cases[] = {
		{ EPERM, SAFEWRITE_BEST_EFFORT_METADATA, true },
		{ ENOTSUP, SAFEWRITE_BEST_EFFORT_METADATA, true },
		{ EIO, SAFEWRITE_BEST_EFFORT_METADATA, false },
		{ EACCES, SAFEWRITE_BEST_EFFORT_METADATA, false },
		{ EPERM, 0, false },
		{ EIO, 0, false },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *p = xasprintf("%s/chmod%zu", dir, i), *data = NULL;
		struct safewrite_result res = { 0 };
		size_t len = 0;

		fchmod_errno = cases[i].err;
		int r = logged_write(p, "new\n", cases[i].flags, &res);
		fchmod_errno = 0;
		bool there = safewrite_read(p, &data, &len) == 0;
		if (cases[i].written && (r != 0 || !res.changed || !there))
			fail_msg("case %zu (%s): not written: %d", i, strerror(cases[i].err), r);
		if (!cases[i].written &&
		    (r != -cases[i].err || !res.step || strcmp(res.step, "chmod") || there))
			fail_msg("case %zu (%s): %d at %s, the file %s", i, strerror(cases[i].err), r,
				 res.step ? res.step : "-", there ? "written" : "absent");
		safewrite_result_free(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_order),
		cmocka_unit_test(test_replace_order),
		cmocka_unit_test(test_no_backup_order),
		cmocka_unit_test(test_same_content_no_calls),
		cmocka_unit_test(test_chmod_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
