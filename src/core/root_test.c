/* SPDX-License-Identifier: MIT */
/* The --root resolver (links never leave the root), the safe reader (never blocks, regular
 * files only, bounded) and spawn under --root (nothing runs) and without it (absolute PATH
 * entries only, a minimal environment). */
#include "core/test.h"
#include "core/core_private.h"
#include "core/diag.h"
#include "core/root.h"
#include "core/spawn.h"
#include "core/test_files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

static char dir[64];
static bool had_stdin; /* descriptor 0 open at the start: else it may be anything of ours */

static void put(const char *rel, const char *text)
{
	assert_int_equal(test_file_put(dir, rel, text, 0644), 0);
}

static void link_at(const char *target, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	(void)state;
	had_stdin = fcntl(0, F_GETFD) >= 0;
	snprintf(dir, sizeof(dir), "/tmp/meshnfs-root-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *sub = xasprintf("%s/etc", dir), *deep = xasprintf("%s/etc/deep", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkdir(deep, 0755), 0);
	put("etc/inside", "inside\n");
	/* Absolute and .. links, as another machine's tree holds them. */
	link_at("/etc/inside", "etc/abs");
	link_at("../../../../../../../../etc/inside", "etc/deep/dotdot");
	link_at("/etc/passwd", "etc/passwd"); /* this machine's has a root line; the tree's none */
	link_at("/", "etc/up");
	_cleanup_free_ char *fifo = xasprintf("%s/etc/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	root_set(dir);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	(void)state;
	root_set("/");
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

static char *read_root(const char *path, int *r)
{
	_cleanup_free_ char *p = root_path(path);
	char *data = NULL;
	*r = read_file_bounded(p, 4096, &data, NULL);
	return data;
}

static void links_resolve_inside(void **state)
{
	int r;
	(void)state;
	_cleanup_free_ char *a = read_root("/etc/abs", &r);
	assert_int_equal(r, 0);
	assert_str(a, "inside\n");
	_cleanup_free_ char *b = read_root("/etc/deep/dotdot", &r);
	assert_int_equal(r, 0);
	assert_str(b, "inside\n");
	/* /etc/passwd of the tree is a link to "/etc/passwd": itself, never this machine's. */
	_cleanup_free_ char *c = read_root("/etc/passwd", &r);
	assert_true(r == -ELOOP || r == -ENOENT);
	assert_null(c);
	/* "/" inside the root is the root. */
	_cleanup_free_ char *d = read_root("/etc/up/etc/inside", &r);
	assert_int_equal(r, 0);
	assert_str(d, "inside\n");
	_cleanup_free_ char *pa = root_path("/etc/abs"), *pp = root_path("/etc/passwd");
	assert_true(root_exists(pa));
	assert_false(root_exists(pp));
	assert_true(root_lexists(pp)); /* the link itself is there */
}

static void mkdir_stays_inside(void **state)
{
	(void)state;
	_cleanup_free_ char *p = root_path("/etc/up/made-inside");
	_cleanup_free_ char *real = xasprintf("%s/made-inside", dir);
	struct stat st;
	bool was_there = stat("/made-inside", &st) == 0;
	int r = root_mkdir(p, 0755);
	/* An escape made this machine's /made-inside: removed before failing, so that a broken
	 * build (mutation run 13's root.c:206 did it) leaves nothing behind for the next run. */
	if (!was_there && stat("/made-inside", &st) == 0) {
		rmdir("/made-inside");
		rmdir(real);
		fail_msg("root_mkdir escaped the root: it made /made-inside");
	}
	assert_false(was_there); /* left by something else: this test cannot tell */
	assert_int_equal(r, 0);
	assert_int_equal(stat(real, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(rmdir(real), 0); /* the case runs twice (openat2, the walk) */
}

static void reader_refuses_what_is_not_a_file(void **state)
{
	struct diag d = { 0 };
	char *data = NULL;
	int r;
	(void)state;
	int64_t t0 = now_ms();
	_cleanup_free_ char *f = read_root("/etc/fifo", &r);
	assert_int_equal(r, -EFTYPE_);
	assert_true(now_ms() - t0 < 2000); /* an open that blocked would never return */
	_cleanup_free_ char *p = root_path("/etc/fifo");
	assert_int_equal(read_input(p, 4096, &data, NULL, &d), -EBADMSG);
	assert_str(d.msg, "is a FIFO, not a regular file");
	assert_str(d.file, p);
	_cleanup_free_ char *e = root_path("/etc");
	assert_int_equal(read_input(e, 4096, &data, NULL, &d), -EBADMSG);
	assert_str(d.msg, "is a directory, not a regular file");
	_cleanup_free_ char *big = root_path("/etc/inside");
	assert_int_equal(read_file_bounded(big, 3, &data, NULL), -EFBIG);
	assert_int_equal(read_input(big, 3, &data, NULL, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "larger than 3 bytes"));
	_cleanup_free_ char *none = root_path("/etc/none");
	assert_int_equal(read_input(none, 4096, &data, NULL, &d), -ENOENT);
	/* /proc files are regular files of size 0, read to their end. */
	root_set("/");
	assert_int_equal(read_file_bounded("/proc/self/status", 1 << 20, &data, NULL), 0);
	assert_non_null(strstr(data, "Pid:"));
	free(data);
	root_set(dir);
}

static void nothing_runs_under_root(void **state)
{
	const char *argv[] = { "true", NULL };
	struct spawn_result res;
	(void)state;
	assert_int_equal(spawn_run(argv, NULL, &res), SPAWN_REFUSED_ROOT);
	assert_int_equal(res.pid, 0);
	spawn_result_free(&res);
	assert_null(spawn_which("sh"));
	const char *abs[] = { "/bin/true", NULL };
	assert_int_equal(spawn_run(abs, &(struct spawn_opts){ .exact_path = true }, &res),
			 SPAWN_REFUSED_ROOT);
	spawn_result_free(&res);
}

static void path_and_environment(void **state)
{
	const char *env[] = { "env", NULL };
	struct spawn_result res;
	char cwd[512];
	(void)state;
	root_set("/");
	/* A program in the current directory, reachable only through relative PATH entries. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	put("etc/true", "#!/bin/sh\nexit 0\n");
	_cleanup_free_ char *t = xasprintf("%s/etc/true", dir);
	assert_int_equal(chmod(t, 0755), 0);
	setenv("PATH", "etc::.", 1);
	_cleanup_free_ char *w0 = spawn_which("true"); /* no absolute entry: the system's dirs */
	assert_true(!w0 || (w0[0] == '/' && !strstr(w0, dir)));
	setenv("PATH", "etc:/nonexistent:", 1);
	assert_null(spawn_which("true")); /* only /nonexistent is searched */
	setenv("PATH", "etc:/usr/bin:", 1);
	_cleanup_free_ char *w = spawn_which("env");
	assert_non_null(w);
	assert_str(w, "/usr/bin/env");
	/* The child's environment is built: none of ours leaks. */
	setenv("MESHNFS_TEST_SECRET", "leak", 1);
	setenv("PATH", "/usr/bin:/bin:relative", 1);
	assert_int_equal(spawn_run(env, NULL, &res), 0);
	assert_non_null(strstr(res.out, "PATH=/usr/bin:/bin\n"));
	assert_non_null(strstr(res.out, "LC_ALL=C\n"));
	assert_null(strstr(res.out, "MESHNFS_TEST_SECRET"));
	spawn_result_free(&res);
	unsetenv("MESHNFS_TEST_SECRET");
	assert_int_equal(chdir(cwd), 0);
	root_set(dir);
}

/* What only the user-space walk (kernels without openat2) has to get right by itself. */
/* Descriptor 0 free (a caller that closed stdin: `meshnfs ... <&-`): the file opened takes it,
 * and is a file all the same (mutation run 7: root.c:234, root_stat's `fd < 0` -> `<= 0`,
 * took descriptor 0 for a failure and left st unset). */
static void stdin_closed(void **state)
{
	(void)state;
	if (!had_stdin)
		skip(); /* run with stdin closed: descriptor 0 may hold the root itself */
	_cleanup_free_ char *p = root_path("/etc/inside");
	struct stat st, was;
	int saved, r;

	assert_int_equal(root_stat(p, &was), 0); /* the root's own descriptor opened first */
	saved = dup(0);
	assert_true(saved > 0);
	close(0);
	memset(&st, 0xa5, sizeof(st));
	r = root_stat(p, &st);
	int fd0 = fcntl(0, F_GETFD);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r, 0);
	assert_int_equal(fd0, -1); /* closed again after the stat */
	assert_int_equal(st.st_ino, was.st_ino);
	assert_int_equal(st.st_size, 7);
	assert_true(S_ISREG(st.st_mode));
}

/* A path outside the root (a program's own file, /dev/null) opened as descriptor 0 with stdin
 * closed is that descriptor, not an error made of a stale errno (mutation run 15: root.c:208's
 * `fd < 0` made `<= 0` returned -errno for descriptor 0). */
static void outside_root_as_descriptor_0(void **state)
{
	(void)state;
	if (!had_stdin)
		skip();
	int saved = dup(0), r;

	assert_true(saved > 0);
	close(0);
	errno = EINTR; /* whatever an earlier call left there */
	r = root_open("/dev/null", O_RDONLY, 0);
	int fd0 = fcntl(0, F_GETFD);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r, 0);
	assert_true(fd0 >= 0);
}

/* The root's own descriptor opened as descriptor 0 (stdin closed) is closed when the root is
 * set again (mutation run 8: root_set's `root_fd >= 0` -> `> 0` kept it open for good). */
static void root_descriptor_0_closed_on_reset(void **state)
{
	(void)state;
	if (!had_stdin)
		skip();
	_cleanup_free_ char *p = root_path("/etc/inside");
	struct stat st;
	int saved = dup(0), in_use, after;

	assert_true(saved > 0);
	close(0);
	root_set(dir); /* drops the descriptor opened before: the next one is opened anew */
	int r = root_stat(p, &st);
	in_use = fcntl(0, F_GETFD);
	root_set(dir);
	after = fcntl(0, F_GETFD);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r, 0);
	assert_true(in_use >= 0); /* the root's descriptor took 0 */
	assert_int_equal(after, -1);
}

static void walk_edges(void **state)
{
	int r;
	(void)state;
	link_at("loop-b", "etc/loop-a");
	link_at("loop-a", "etc/loop-b");
	link_at("/etc/none-yet", "etc/dangling");
	link_at("abs", "etc/chain"); /* a link to a link to /etc/inside */
	_cleanup_free_ char *loop = read_root("/etc/loop-a", &r);
	assert_int_equal(r, -ELOOP);
	_cleanup_free_ char *chain = read_root("/etc/chain", &r);
	assert_int_equal(r, 0);
	assert_str(chain, "inside\n");
	/* ".." past the root, many times, then down again. */
	_cleanup_free_ char *up = read_root("/../../etc/deep/../../../etc/./inside", &r);
	assert_int_equal(r, 0);
	assert_str(up, "inside\n");
	/* A file is not a directory. */
	_cleanup_free_ char *p1 = root_path("/etc/inside/x"), *p2 = root_path("/etc/inside/");
	assert_int_equal(root_open(p1, O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(root_open(p2, O_RDONLY, 0), -ENOTDIR);
	/* The root itself, and a directory through ".." at the end. */
	_cleanup_free_ char *p3 = root_path("/"), *p4 = root_path("/etc/deep/..");
	int fd = root_open(p3, O_RDONLY | O_DIRECTORY, 0);
	assert_true(fd >= 0);
	close(fd);
	struct stat a, b;
	assert_int_equal(root_stat(p4, &a), 0);
	_cleanup_free_ char *real = xasprintf("%s/etc", dir);
	assert_int_equal(stat(real, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	/* O_CREAT makes a new name, inside; never the target of a dangling link (openat2 would
	 * follow it inside the root; the walk refuses: the safer of the two). */
	_cleanup_free_ char *p5 = root_path("/etc/up/etc/made"), *p6 = root_path("/etc/dangling");
	fd = root_open(p5, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	_cleanup_free_ char *made = xasprintf("%s/etc/made", dir);
	assert_int_equal(stat(made, &b), 0);
	fd = root_open(p6, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	assert_int_equal(stat("/etc/none-yet", &b), -1);
	/* O_NOFOLLOW on the last name: the link itself. */
	_cleanup_free_ char *p7 = root_path("/etc/abs");
	assert_int_equal(root_lstat(p7, &a), 0);
	assert_true(S_ISLNK(a.st_mode));
	assert_int_equal(unlink(made), 0);
	for (const char *const *l = (const char *const[]){ "loop-a", "loop-b", "dangling", "chain", NULL };
	     *l; l++) {
		_cleanup_free_ char *p = xasprintf("%s/etc/%s", dir, *l);
		assert_int_equal(unlink(p), 0);
	}
}

static int walk_on(void **state)
{
	(void)state;
	root_force_walk(true);
	return 0;
}

static int walk_off(void **state)
{
	(void)state;
	root_force_walk(false);
	return 0;
}

/* Each case twice: with openat2, and with the user-space walk of older kernels. */
#define BOTH(t) cmocka_unit_test(t), cmocka_unit_test_setup_teardown(t, walk_on, walk_off)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(links_resolve_inside),
		BOTH(mkdir_stays_inside),
		BOTH(reader_refuses_what_is_not_a_file),
		BOTH(nothing_runs_under_root),
		BOTH(path_and_environment),
		BOTH(walk_edges),
		BOTH(stdin_closed),
		BOTH(root_descriptor_0_closed_on_reset),
		BOTH(outside_root_as_descriptor_0),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
