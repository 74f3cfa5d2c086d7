/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "core/core_private.h"
#include "core/safewrite.h"
#include "core/test_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/xattr.h>

static char dir[] = "/tmp/meshnfs-safewrite-XXXXXX";

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *name, const char *content, mode_t mode)
{
	assert_int_equal(test_file_put(dir, name, content, mode), 0);
}

static char *get(const char *name)
{
	_cleanup_free_ char *p = path_in(name);
	char *s = NULL;
	size_t n;
	if (safewrite_read(p, &s, &n) < 0)
		return NULL;
	return s;
}

/* Files whose name starts with ".NAME.meshnfs-": temporaries left behind. */
static int temporaries(const char *name)
{
	_cleanup_free_ char *prefix = xasprintf(".%s.meshnfs-", name);
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		n += startswith(de->d_name, prefix);
	closedir(d);
	return n;
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

static void test_create_replace_backup(void **state)
{
	_cleanup_free_ char *p = path_in("fstab"), *got = NULL, *bak = NULL;
	struct safewrite_result res;
	struct safewrite_opts o = { .new_mode = 0640 };
	struct stat st;

	(void)state;
	assert_int_equal(safewrite_file(p, "one\n", 4, &o, &res), 0);
	assert_true(res.changed && res.created);
	assert_null(res.backup);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	safewrite_result_free(&res);

	/* The mode and owner of the original carry over to the new version and the backup. */
	assert_int_equal(chmod(p, 0604), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(p, 1234, 5678), 0);
	assert_int_equal(safewrite_file(p, "two\n", 4, NULL, &res), 0);
	assert_true(res.changed && !res.created);
	assert_non_null(res.backup);
	assert_str(got = get("fstab"), "two\n");
	assert_str(bak = get("fstab" SAFEWRITE_BACKUP_SUFFIX), "one\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 1234);
		assert_int_equal(st.st_gid, 5678);
		assert_int_equal(stat(res.backup, &st), 0);
		assert_int_equal(st.st_uid, 1234);
	}
	safewrite_result_free(&res);
	assert_int_equal(temporaries("fstab"), 0);
}

/* Extended attributes (user.*, a POSIX ACL, security.* where settable) survive a replace:
 * the rename used to drop them with the old inode. The first version is kept once as
 * NAME.meshnfs.orig; the .bak follows the last change. */
static void test_xattrs_and_original(void **state)
{
	_cleanup_free_ char *p = path_in("exports"), *got = NULL, *orig = NULL, *bak = NULL;
	/* system.posix_acl_access for user::rw- user:1234:r-- group::r-- mask::r-- other::r--
	 * (the kernel's binary form: version 2, then tag, perm, id per entry). */
	static const uint32_t acl[] = { 2, 0x0001 | 6 << 16, 0xffffffff, 0x0002 | 4 << 16, 1234,
					0x0004 | 4 << 16, 0xffffffff, 0x0010 | 4 << 16, 0xffffffff,
					0x0020 | 4 << 16, 0xffffffff };
	struct safewrite_result res;
	char v[64];
	ssize_t n;

	(void)state;
	put("exports", "admin's own\n", 0644);
	if (setxattr(p, "user.meshnfs-test", "kept", 4, 0) < 0) {
		/* user xattrs on this filesystem are needed (ext4, tmpfs since Linux 6.6) */
		fail_msg("setxattr user.*: %s", strerror(errno));
	}
	assert_int_equal(setxattr(p, "system.posix_acl_access", acl, sizeof(acl), 0), 0);
	assert_int_equal(safewrite_file(p, "first change\n", 13, NULL, &res), 0);
	assert_non_null(res.original);
	safewrite_result_free(&res);
	n = getxattr(p, "user.meshnfs-test", v, sizeof(v));
	assert_int_equal(n, 4);
	assert_memory_equal(v, "kept", 4);
	n = getxattr(p, "system.posix_acl_access", v, sizeof(v));
	assert_int_equal(n, sizeof(acl));
	assert_memory_equal(v, acl, sizeof(acl));

	assert_int_equal(safewrite_file(p, "second change\n", 14, NULL, &res), 0);
	assert_null(res.original); /* written once */
	safewrite_result_free(&res);
	assert_str(got = get("exports"), "second change\n");
	assert_str(orig = get("exports" SAFEWRITE_ORIGINAL_SUFFIX), "admin's own\n");
	assert_str(bak = get("exports" SAFEWRITE_BACKUP_SUFFIX), "first change\n");
	/* the kept versions carry the attributes too */
	_cleanup_free_ char *op = path_in("exports" SAFEWRITE_ORIGINAL_SUFFIX);
	assert_int_equal(getxattr(op, "user.meshnfs-test", v, sizeof(v)), 4);
	assert_int_equal(temporaries("exports"), 0);
}

/* An attribute with an empty value is copied too, whatever errno holds when safewrite is
 * called (mutation run 6: copy_xattrs' "v < 0 && errno == ENODATA" made "v <= 0" skipped an
 * empty value as "removed meanwhile" when errno still held ENODATA, as a caller's earlier
 * failed lookup of an absent attribute, say security.selinux, leaves it: fgetxattr returning
 * 0 does not set errno). */
static void test_empty_xattr_kept(void **state)
{
	_cleanup_free_ char *p = path_in("wsl.conf");
	const struct safewrite_opts o = { .flags = SAFEWRITE_NO_BACKUP };
	struct safewrite_result res;
	char v[8];

	(void)state;
	put("wsl.conf", "[boot]\n", 0644);
	assert_int_equal(setxattr(p, "user.empty", "", 0, 0), 0);
	assert_int_equal(setxattr(p, "user.full", "x", 1, 0), 0);
	assert_int_equal(getxattr(p, "security.meshnfs-absent", v, sizeof(v)), -1);
	assert_int_equal(errno, ENODATA);
	assert_int_equal(safewrite_file(p, "[boot]\nsystemd=true\n", 20, &o, &res), 0);
	assert_true(res.changed);
	safewrite_result_free(&res);
	assert_int_equal(getxattr(p, "user.empty", v, sizeof(v)), 0);
	assert_int_equal(getxattr(p, "user.full", v, sizeof(v)), 1);
}

static void test_same_content_writes_nothing(void **state)
{
	_cleanup_free_ char *p = path_in("same");
	struct safewrite_result res;
	struct stat a, b;

	(void)state;
	put("same", "content\n", 0644);
	assert_int_equal(stat(p, &a), 0);
	usleep(20000);
	assert_int_equal(safewrite_file(p, "content\n", 8, NULL, &res), 0);
	assert_false(res.changed);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_memory_equal(&a.st_mtim, &b.st_mtim, sizeof(a.st_mtim));
	assert_memory_equal(&a.st_ctim, &b.st_ctim, sizeof(a.st_ctim));
	_cleanup_free_ char *bak = path_in("same" SAFEWRITE_BACKUP_SUFFIX);
	assert_int_equal(access(bak, F_OK), -1);
	safewrite_result_free(&res);
}

static int refuse(void *u, const char *old, size_t n, bool exists, struct buf *out,
		  struct diag *d)
{
	(void)u;
	(void)old;
	(void)n;
	(void)exists;
	buf_append(out, "partial", 7);
	return diag_set(d, "f", 3, "bad line");
}

static void test_edit_error_changes_nothing(void **state)
{
	_cleanup_free_ char *p = path_in("bad"), *got = NULL;
	struct safewrite_result res;
	struct diag d = { 0 };

	(void)state;
	put("bad", "original", 0644);
	assert_int_equal(safewrite_update(p, refuse, NULL, NULL, &res, &d), -EBADMSG);
	assert_str(res.step, "edit");
	assert_false(res.changed);
	assert_int_equal(d.line, 3);
	assert_str(got = get("bad"), "original");
	assert_int_equal(temporaries("bad"), 0);
	safewrite_result_free(&res);
}

/* A write that fails half way (the file size limit: EFBIG, as a full disk would give ENOSPC):
 * the error and its step come back, the original is untouched, the temporary removed
 * (mutation run 7: safewrite.c:281, the failure path's `return r` -> 0, reported success). */
static void test_write_failure_reported(void **state)
{
	_cleanup_free_ char *p = path_in("big"), *got = NULL;
	struct safewrite_result res;
	struct rlimit old, small = { .rlim_cur = 16, .rlim_max = RLIM_INFINITY };
	char data[64];
	int r;

	(void)state;
	memset(data, 'x', sizeof(data));
	put("big", "original", 0644);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = safewrite_file(p, data, sizeof(data), NULL, &res);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(r, -EFBIG);
	assert_str(res.step, "write");
	assert_false(res.changed);
	assert_str(got = get("big"), "original");
	assert_int_equal(temporaries("big"), 0);
	safewrite_result_free(&res);
}

static void test_symlink_refused(void **state)
{
	_cleanup_free_ char *p = path_in("link"), *t = path_in("target"), *got = NULL;
	struct safewrite_result res;

	(void)state;
	put("target", "x", 0644);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(safewrite_file(p, "y", 1, NULL, &res), -ELOOP);
	assert_str(res.step, "read");
	assert_str(got = get("target"), "x");
	safewrite_result_free(&res);
}

static void test_lock_timeout(void **state)
{
	_cleanup_free_ char *p = path_in("locked"), *lock = safewrite_lock_path(p), *got = NULL;
	struct safewrite_opts o = { .lock_timeout_ms = 150 };
	struct safewrite_result res;
	int fd;

	(void)state;
	put("locked", "a", 0644);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	int64_t t0 = now_ms();
	int fds = test_open_fds();
	assert_int_equal(safewrite_file(p, "b", 1, &o, &res), -ETIMEDOUT);
	assert_true(now_ms() - t0 >= 140);
	/* the lock file's descriptor closed on the way out (mutation run 7: dropped, it leaked) */
	assert_int_equal(test_open_fds(), fds);
	assert_str(res.step, "lock");
	assert_str(got = get("locked"), "a");
	close(fd);
	safewrite_result_free(&res);
	assert_int_equal(safewrite_file(p, "b", 1, &o, &res), 0);
	assert_true(res.changed);
	safewrite_result_free(&res);

	/* A lock file elsewhere: that one is taken, none is made beside the file. */
	_cleanup_free_ char *other = path_in("elsewhere.lock"), *beside = path_in("own");
	_cleanup_free_ char *beside_lock = safewrite_lock_path(beside);
	struct safewrite_opts o2 = { .lock_timeout_ms = 150, .lock_path = other };
	assert_int_equal(flock(fd = open(other, O_RDWR | O_CREAT, 0600), LOCK_EX), 0);
	assert_int_equal(safewrite_file(beside, "c", 1, &o2, &res), -ETIMEDOUT);
	close(fd);
	assert_int_equal(safewrite_file(beside, "c", 1, &o2, &res), 0);
	assert_int_equal(access(beside_lock, F_OK), -1);
	safewrite_result_free(&res);
}

static void test_paths_beside(void **state)
{
	_cleanup_free_ char *a = safewrite_lock_path("/etc/fstab");
	_cleanup_free_ char *b = safewrite_backup_path("/etc/exports.d/meshnfs.exports");
	_cleanup_free_ char *c = safewrite_lock_path("/top");

	(void)state;
	assert_str(a, "/etc/.fstab.meshnfs.lock");
	assert_str(b, "/etc/exports.d/meshnfs.exports.meshnfs.bak");
	assert_str(c, "/.top.meshnfs.lock");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_replace_backup),
		cmocka_unit_test(test_xattrs_and_original),
		cmocka_unit_test(test_empty_xattr_kept),
		cmocka_unit_test(test_same_content_writes_nothing),
		cmocka_unit_test(test_edit_error_changes_nothing),
		cmocka_unit_test(test_write_failure_reported),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_lock_timeout),
		cmocka_unit_test(test_paths_beside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
