/* SPDX-License-Identifier: MIT */
/* The pure parts of node/ceph_cli.h: the client check's one line, the ceph command line, and
 * the key file's permissions (a file of this test, under a root of its own). */
#include "core/test.h"
#include "node/ceph_cli.h"
#include "node/node_private.h"

#include "core/root.h"
#include "core/test_files.h"

#include <errno.h>
#include <sys/stat.h>

static int line(const char *s, struct ceph_client *cl)
{
	struct diag d = { 0 };
	return ceph_client_line_parse("check", s, strlen(s), cl, &d);
}

static void client_lines(void **state)
{
	struct ceph_client cl;
	(void)state;

	assert_int_equal(line("ok dir\n", &cl), 0);
	assert_int_equal(cl.result, CEPH_CLIENT_OK);
	assert_int_equal(line("ok other", &cl), 0);
	assert_int_equal(cl.result, CEPH_CLIENT_NOT_DIR);
	assert_int_equal(line("nomodule\n", &cl), 0);
	assert_int_equal(cl.result, CEPH_CLIENT_NO_MODULE);
	assert_int_equal(line("fail init 13\n", &cl), 0);
	assert_int_equal(cl.result, CEPH_CLIENT_FAILED);
	assert_string_equal(cl.step, "init");
	assert_int_equal(cl.err, EACCES);
	assert_int_equal(line("fail stat 2", &cl), 0);
	assert_string_equal(cl.step, "stat");

	static const char *const bad[] = { "", "\n", "ok", "ok dir\nok dir\n", "fail init",
					   "fail init 13 extra", "fail reboot 1", "fail init -1",
					   "fail init 99999", "ok dir\0", "Traceback (most recent call last):" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct diag d = { 0 };
		size_t n = strlen(bad[i]) + (i == 9 ? 1 : 0);
		if (ceph_client_line_parse("check", bad[i], n, &cl, &d) != -EBADMSG)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(d.file, "check"));
	}
}

static void argv_of_status(void **state)
{
	struct ceph_cli c = { "/etc/ceph/ceph.conf", "ganesha", "/etc/ceph/k", 5000 };
	static const char *const what[] = { "mds", "stat", NULL };
	const char *argv[17];
	char buf[16];
	(void)state;

	ceph_cli_argv(&c, what, argv, buf, sizeof(buf));
	_cleanup_free_ char *text = NULL;
	struct buf b = { 0 };
	for (size_t i = 0; argv[i]; i++)
		buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	text = b.data;
	/* The connect timeout two thirds of the deadline: its "timed out" is an answer. */
	assert_string_equal(text, "ceph --conf /etc/ceph/ceph.conf --id ganesha --keyring "
				  "/etc/ceph/k --connect-timeout 3 mds stat --format json");
	c.timeout_ms = 500;
	ceph_cli_argv(&c, what, argv, buf, sizeof(buf));
	assert_string_equal(argv[8], "1");
}

static void key_file(void **state)
{
	char dir[] = "/tmp/meshnfs-ceph.XXXXXX";
	struct diag d = { 0 };
	mode_t mode;
	(void)state;

	assert_non_null(mkdtemp(dir));
	root_set(dir);
	_cleanup_free_ char *etc = xasprintf("%s/etc", dir), *p = xasprintf("%s/etc/k", dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(ceph_key_file_check("/etc/k", &mode, &d), -ENOENT);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("[client.x]\n", f);
	fclose(f);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(ceph_key_file_check("/etc/k", &mode, &d), 0);
	assert_int_equal(mode, 0600);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(ceph_key_file_check("/etc/k", &mode, &d), -EPERM);
	assert_int_equal(mode, 0640);
	assert_non_null(strstr(d.msg, "readable by others (mode 0640): chmod 600 /etc/k"));
	assert_non_null(strstr(d.file, "/etc/k"));
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(ceph_key_file_check("/etc/k", &mode, &d), 0);
	assert_int_equal(ceph_key_file_check("/etc", &mode, &d), -EINVAL);
	root_set("/");
	unlink(p);
	rmdir(etc);
	rmdir(dir);
}

/* A stand-in `ceph` on PATH (the CLI needs a cluster: tests/ceph has the real one) that
 * replays a recorded answer of the lab's cluster, or fails the way a refused key does.
 * Mutation run 3: with ask()'s `if (r == 0)` negated, a good answer was never parsed and
 * the status came back empty with rc 0; nothing ran ceph_cli_status or ceph_cli_fsmap before. */
static void write_fake_ceph(const char *dir, const char *body)
{
	_cleanup_free_ char *text = xasprintf("#!/bin/sh\n%s\n", body);
	assert_int_equal(test_file_put(dir, "ceph", text, 0755), 0);
}

static void status_through_the_cli(void **state)
{
	char dir[] = "/tmp/meshnfs-ceph-cli.XXXXXX", cwd[512];
	struct ceph_cli c = { "/etc/ceph/ceph.conf", "ganesha", "/etc/ceph/k", 20000 };
	struct ceph_status st;
	struct ceph_run run;
	_cleanup_free_ char *old_path = xstrdup(getenv("PATH"));
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	_cleanup_free_ char *path = xasprintf("%s:/usr/bin:/bin", dir);
	_cleanup_free_ char *replay = xasprintf("exec cat '%s/tests/fixtures/ceph/status-ok.json'", cwd);
	setenv("PATH", path, 1);

	write_fake_ceph(dir, replay);
	memset(&st, 0, sizeof(st));
	assert_int_equal(ceph_cli_status(&c, &st, &run), 0);
	assert_int_equal(run.rc, 0);
	assert_string_equal(st.fsid, "fed9eff8-fe96-4730-a39b-33514b7ceb03");
	assert_int_equal(st.num_mons, 1);
	assert_int_equal(st.n_quorum, 1);
	ceph_status_free(&st);

	_cleanup_free_ char *replay_mds =
		xasprintf("exec cat '%s/tests/fixtures/ceph/mds-stat-ok.json'", cwd);
	struct ceph_fsmap m;
	write_fake_ceph(dir, replay_mds);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ceph_cli_fsmap(&c, &m, &run), 0);
	assert_int_equal(m.n_fs, 1);
	assert_string_equal(m.fs[0].name, "cephfs");
	ceph_fsmap_free(&m);

	write_fake_ceph(dir, "echo 'error connecting to the cluster' >&2; exit 13");
	memset(&st, 0, sizeof(st));
	assert_int_equal(ceph_cli_status(&c, &st, &run), -EPROTO);
	assert_int_equal(run.exit_code, 13);
	assert_string_equal(run.err_line, "error connecting to the cluster");

	write_fake_ceph(dir, "echo '{\"fsid\": 7}'");
	memset(&st, 0, sizeof(st));
	assert_true(ceph_cli_status(&c, &st, &run) < 0);
	assert_true(run.rc < 0);
	assert_non_null(strstr(run.msg, "ceph status --format json"));

	setenv("PATH", old_path, 1);
	_cleanup_free_ char *fake = xasprintf("%s/ceph", dir);
	unlink(fake);
	rmdir(dir);
}

/* ganesha-rados-grace 4.3 may crash at exit (SIGSEGV): before it printed anything the dump is
 * run once more, and that answer is taken; a dump printed whole before the crash is the answer
 * at once. Mutation run 4: ceph_cli.c:331's `r == -EPROTO` made `!=` never retried (the
 * stand-in crashes on its first run only), and only setup-ceph.sh tried a crash. */
static void grace_dump_crash_is_retried(void **state)
{
	char dir[] = "/tmp/meshnfs-ceph-grace.XXXXXX";
	struct ceph_cli c = { "/etc/ceph/ceph.conf", "ganesha", "/etc/ceph/k", 20000 };
	struct ceph_grace_where w = { "nfs-ganesha", "ganesha" };
	struct ceph_grace g;
	struct ceph_run run;
	_cleanup_free_ char *old_path = xstrdup(getenv("PATH"));
	(void)state;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s:/usr/bin:/bin", dir);
	_cleanup_free_ char *prog = xasprintf("%s/ganesha-rados-grace", dir);
	_cleanup_free_ char *mark = xasprintf("%s/crashed", dir);
	setenv("PATH", path, 1);

	FILE *f = fopen(prog, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nif [ ! -e '%s' ]; then : >'%s'; kill -SEGV $$; fi\n"
		   "printf 'cur=3 rec=2\\n======================================================\\ngw-a\\tNE\\ngw-b\\t  \\n'\n", mark, mark);
	fclose(f);
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(ceph_cli_grace(&c, &w, &g, &run), 0);
	assert_int_equal(run.rc, 0);
	assert_int_equal(g.cur, 3);
	assert_int_equal(g.rec, 2);
	assert_int_equal(g.n_nodes, 2);
	assert_int_equal(access(mark, F_OK), 0); /* it did crash once */
	ceph_grace_free(&g);

	/* The whole dump printed, then the crash: no second run (the mark is not made again). */
	f = fopen(prog, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nprintf 'cur=5 rec=0\\n======================================================\\ngw-a\\t  \\n'; : >'%s'; kill -SEGV $$\n", mark);
	fclose(f);
	assert_int_equal(unlink(mark), 0);
	assert_int_equal(ceph_cli_grace(&c, &w, &g, &run), 0);
	assert_int_equal(g.cur, 5);
	assert_int_equal(g.n_nodes, 1);
	ceph_grace_free(&g);

	/* A dump that is not one (another tool's words): refused, the run says why, rc set
	 * (mutation run 16: ceph_cli.c:332's parse-failure test negated left rc 0 and no words
	 * on the failure, and set them on success). */
	f = fopen(prog, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho 'usage: ganesha-rados-grace [--pool pool] ...'\n");
	fclose(f);
	memset(&run, 0, sizeof(run));
	assert_true(ceph_cli_grace(&c, &w, &g, &run) < 0);
	assert_true(run.rc < 0);
	assert_non_null(strstr(run.msg, "ganesha-rados-grace dump"));
	ceph_grace_free(&g);

	/* Crashing every time before any output: a failure naming the signal, not a dump. */
	f = fopen(prog, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nkill -SEGV $$\n");
	fclose(f);
	assert_true(ceph_cli_grace(&c, &w, &g, &run) < 0);
	assert_int_equal(g.n_nodes, 0);

	setenv("PATH", old_path, 1);
	unlink(prog);
	unlink(mark);
	assert_int_equal(rmdir(dir), 0);
}

/* The libcephfs client check in its child, on a ceph.conf that is not there: the child says
 * "fail init 2" at once, and the check leaves no descriptor open (mutation run 5: ceph_cli.c's
 * close of the pipe's read end dropped leaked one per check; nothing ran ceph_cli_client). */
static void client_check_leaves_no_descriptor(void **state)
{
	struct ceph_cli c = { "/nonexistent/meshnfs/ceph.conf", "ganesha", "/nonexistent/k", 20000 };
	struct ceph_client cl;
	struct ceph_run run;
	(void)state;

	if (cephfs_lazy_load() < 0)
		skip(); /* no libcephfs2 here */
	int before = test_open_fds();
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ceph_cli_client(&c, "cephfs", "/", &cl, &run), 0);
		assert_int_equal(cl.result, CEPH_CLIENT_FAILED);
		assert_str(cl.step, "init");
		assert_int_equal(cl.err, ENOENT);
	}
	assert_int_equal(test_open_fds(), before);
}

/* The client check when fork fails (a machine out of processes): -EAGAIN, and both ends of
 * the pipe closed (mutation run 6: ceph_cli.c's close of the read end on that path dropped
 * leaked it). Run in a child, as nobody with no process allowed (test_forbid_fork). */
static void client_check_when_fork_fails(void **state)
{
	struct ceph_cli c = { "/nonexistent/meshnfs/ceph.conf", "ganesha", "/nonexistent/k", 20000 };
	(void)state;

	if (cephfs_lazy_load() < 0)
		skip(); /* no libcephfs2 here */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ceph_client cl;
		struct ceph_run run;
		if (!test_forbid_fork())
			_exit(77);
		int before = test_open_fds();
		int rc = ceph_cli_client(&c, "cephfs", "/", &cl, &run);
		_exit(rc != -EAGAIN ? 1 : test_open_fds() != before ? 2 : 0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip(); /* not root: fork cannot be made to fail */
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_lines),
		cmocka_unit_test(argv_of_status),
		cmocka_unit_test(key_file),
		cmocka_unit_test(status_through_the_cli),
		cmocka_unit_test(grace_dump_crash_is_retried),
		cmocka_unit_test(client_check_leaves_no_descriptor),
		cmocka_unit_test(client_check_when_fork_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
