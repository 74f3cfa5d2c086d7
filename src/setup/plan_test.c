/* SPDX-License-Identifier: MIT */
/* The plan machinery itself (src/setup/plan.c), on made-up plans: what the user is shown
 * (plan_format, whole) and when a step's check runs. The plans of setup client and server are
 * tested in setup_plan_test.c; their printed form in tests/golden. */
#include "core/test.h"
#include "core/test_files.h"
#include "setup/plan.h"
#include "setup/setup.h"
#include "setup/setup_private.h"

#include <errno.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/stat.h>

/* Mutation run 4: plan.c:230 (the "already right" line dropped from plan_format) survived:
 * the setup goldens show those lines, but only this file's unit tests ran for plan.c. */
static void format_whole(void **state)
{
	(void)state;
	struct plan p;
	struct buf b = { 0 };

	plan_init(&p, "mount %s on %s", "100.64.0.1:/opt/shared", "/opt/shared");
	plan_right(&p, "setup.fstab", "/etc/fstab has the line for %s", "/opt/shared");
	plan_right(&p, "setup.packages", "nfs-common is installed");
	plan_note(&p, "setup.note", "two lines:\nthe second");
	plan_format(&p, &b);
	buf_append(&b, "", 1);
	assert_str(b.data, "Plan: mount 100.64.0.1:/opt/shared on /opt/shared\n"
			   "  already right: /etc/fstab has the line for /opt/shared\n"
			   "  already right: nfs-common is installed\n"
			   "  nothing to do\n"
			   "Notes:\n"
			   "  - two lines:\n"
			   "the second\n");
	free(b.data);

	b = (struct buf){ 0 };
	const char *argv[] = { "/bin/true", "x y", NULL };
	struct plan_step *s = plan_add_run(&p, "setup.run", 5000, argv);
	plan_format(&p, &b);
	buf_append(&b, "", 1);
	_cleanup_free_ char *want = xasprintf("Plan: mount 100.64.0.1:/opt/shared on /opt/shared\n"
					      "  already right: /etc/fstab has the line for /opt/shared\n"
					      "  already right: nfs-common is installed\n"
					      "  1. %s\n"
					      "Notes:\n"
					      "  - two lines:\n"
					      "the second\n", s->title);
	assert_str(b.data, want);
	assert_non_null(strstr(s->title, "/bin/true"));
	free(b.data);
	plan_free(&p);
}

static int checks;

static int failing_check(const struct plan_step *s, void *data, int timeout_ms, char **msg)
{
	(void)s;
	(void)timeout_ms;
	checks++;
	assert_ptr_equal(data, &checks);
	*msg = xstrdup("the server does not listen on 2049 after the start");
	return -ENOTCONN;
}

/* A step's check runs after the step succeeded, and only then; its failure is the step's.
 * Mutation run 4: plan.c:517's `r == 0 && s->check` made `r != 0` checked only failed steps
 * (a start that did not take passed), and nothing tried a check that fails. */
static void check_after_success_only(void **state)
{
	(void)state;
	struct plan p;
	struct diag d = { 0 };

	plan_init(&p, "checks");
	const char *ok[] = { "/bin/true", NULL }, *bad[] = { "/bin/false", NULL };
	struct plan_step *s = plan_add_run(&p, "setup.start", 5000, ok);
	s->check = failing_check;
	s->check_data = &checks;
	checks = 0;
	assert_int_equal(plan_step_apply(s, &d), -ENOTCONN);
	assert_int_equal(checks, 1);
	assert_int_equal(s->status, CHECK_FAIL);
	assert_str(s->result, "the server does not listen on 2049 after the start");

	s = plan_add_run(&p, "setup.start2", 5000, bad);
	s->check = failing_check;
	s->check_data = &checks;
	checks = 0;
	assert_true(plan_step_apply(s, &d) < 0);
	assert_int_equal(checks, 0); /* the command failed: nothing to confirm */
	assert_int_equal(s->status, CHECK_FAIL);
	plan_free(&p);
}

/* The install step of setup's plans, with a stand-in apt-get on PATH that succeeds: the
 * program then present (sh) makes the step ok; one still missing fails it, named. (Mutation:
 * packages.c:16's `return 0` made -EIO failed every install that worked; no test applied an
 * install step.) */
static void install_step_checks_the_program(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-apt.XXXXXX";
	struct plan p;
	struct diag d = { 0 };
	_cleanup_free_ char *old_path = xstrdup(getenv("PATH"));

	assert_non_null(mkdtemp(dir));
	assert_int_equal(test_file_put(dir, "apt-get", "#!/bin/sh\nexit 0\n", 0755), 0);
	_cleanup_free_ char *path = xasprintf("%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	plan_init(&p, "install");
	setup_plan_install(&p, "sh", "dash", 5000);
	setup_plan_install(&p, "meshnfs-no-such-program", "nothing", 5000);
	assert_int_equal(plan_step_apply(&p.steps[0], &d), 0);
	assert_int_equal(p.steps[0].status, CHECK_OK);
	assert_true(plan_step_apply(&p.steps[1], &d) < 0);
	assert_int_equal(p.steps[1].status, CHECK_FAIL);
	assert_str(p.steps[1].result, "apt-get ran, but meshnfs-no-such-program is still missing");
	plan_free(&p);
	setenv("PATH", old_path, 1);
	_cleanup_free_ char *apt = xasprintf("%s/apt-get", dir);
	unlink(apt);
	assert_int_equal(rmdir(dir), 0);
}

/* The mkdir step makes every missing directory of the path, and fails when the path is there
 * but not a directory (a file put there after the plan was made): a mount point must be one
 * (mutation run 14: mkdir_p's last `r < 0` made `<= 0` returned success before looking at
 * what was there, and the step said "created" of a regular file). */
static void mkdir_step_wants_a_directory(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-mkdir.XXXXXX";
	struct plan p;
	struct diag d = { 0 };
	struct stat st;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *deep = xasprintf("%s/a/b", dir), *file = xasprintf("%s/f", dir);
	_cleanup_free_ char *a = xasprintf("%s/a", dir);
	assert_int_equal(test_file_put(dir, "f", "not a directory\n", 0644), 0);
	plan_init(&p, "mkdir");
	plan_add_mkdir(&p, "setup.mountpoint", deep, deep, 0755);
	plan_add_mkdir(&p, "setup.mountpoint", file, file, 0755);
	assert_int_equal(plan_step_apply(&p.steps[0], &d), 0);
	assert_int_equal(p.steps[0].status, CHECK_OK);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(plan_step_apply(&p.steps[1], &d), -ENOTDIR);
	assert_int_equal(p.steps[1].status, CHECK_FAIL);
	_cleanup_free_ char *want = xasprintf("cannot create %s: Not a directory", file);
	assert_str(p.steps[1].result, want);
	plan_free(&p);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(deep), 0);
	assert_int_equal(rmdir(a), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The signal step (setup server's reload of a running ganesha): sent, the process gets it;
 * to a pid that is no process, the step fails naming it (mutation run 16: plan.c:505's
 * `kill(...) < 0` negated said "sent" of a failure, and nothing applied a signal step). */
static void signal_step(void **state)
{
	(void)state;
	struct plan p;
	struct diag d = { 0 };
	int st = 0;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	plan_init(&p, "signal");
	plan_add_signal(&p, "setup.reload", child, SIGTERM, "reload");
	plan_add_signal(&p, "setup.reload", 0x3ffffff0, SIGHUP, "reload");
	assert_int_equal(plan_step_apply(&p.steps[0], &d), 0);
	assert_int_equal(p.steps[0].status, CHECK_OK);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	assert_int_equal(plan_step_apply(&p.steps[1], &d), -ESRCH);
	assert_int_equal(p.steps[1].status, CHECK_FAIL);
	assert_str(p.steps[1].result, "cannot send SIGHUP to pid 1073741808: No such process");
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_whole),
		cmocka_unit_test(check_after_success_only),
		cmocka_unit_test(install_step_checks_the_program),
		cmocka_unit_test(mkdir_step_wants_a_directory),
		cmocka_unit_test(signal_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
