/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

static void captures_output_and_exit_code(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "printf 'out\\r\\n'; echo err >&2; exit 3", NULL };
	struct spawn_result r;

	assert_int_equal(spawn_run(argv, &(struct spawn_opts){ .timeout_ms = 5000 }, &r), 0);
	assert_int_equal(r.exit_code, 3);
	assert_false(r.timed_out);
	assert_str(r.out, "out\r\n");
	assert_str(r.err, "err\n");
	spawn_result_free(&r);
}

/* A caller that ignores SIGCHLD (the kernel reaps its children): once the child is gone
 * waitpid says ECHILD, and that is the end of the run, not a wait until the deadline. (A
 * mutation survivor: reap() returning false on ECHILD ran every such call to its deadline
 * and reported it timed out; no test ignored SIGCHLD.) */
static void ignored_sigchld_is_not_a_timeout(void **state)
{
	const char *argv[] = { "sh", "-c", "echo done", NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct spawn_result r;
	int rc;

	(void)state;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	rc = spawn_run(argv, &(struct spawn_opts){ .timeout_ms = TEST_FAR_DEADLINE_MS }, &r);
	sigaction(SIGCHLD, &old, NULL);
	assert_int_equal(rc, 0);
	assert_false(r.timed_out);
	assert_str(r.out, "done\n");
	spawn_result_free(&r);
}

static void argv_is_not_a_shell_line(void **state)
{
	(void)state;
	/* Metacharacters reach the program as one literal argument. */
	const char *argv[] = { "printf", "%s", "a; rm -rf / $(x) `y` | z", NULL };
	struct spawn_result r;

	assert_int_equal(spawn_run(argv, NULL, &r), 0);
	assert_str(r.out, "a; rm -rf / $(x) `y` | z");
	spawn_result_free(&r);
}

static void deadline_kills_the_process_group(void **state)
{
	(void)state;
	/* The child leaves a grandchild holding the pipe: the whole group must go. */
	const char *argv[] = { "sh", "-c", "sleep 30 & echo started; wait", NULL };
	struct spawn_result r;
	int64_t t0 = now_ms();

	assert_int_equal(spawn_run(argv, &(struct spawn_opts){ .timeout_ms = 300 }, &r), -ETIMEDOUT);
	assert_true(r.timed_out);
	assert_str(r.out, "started\n");
	assert_true(now_ms() - t0 < TEST_TIME_BOUND_MS(300));
	spawn_result_free(&r);
}

static void note_deadline(pid_t pid, void *data)
{
	pid_t *seen = data;
	*seen = pid;
	/* Called before the kill: the child is still there. */
	assert_int_equal(kill(pid, 0), 0);
}

static void deadline_hook_sees_the_child_before_the_kill(void **state)
{
	(void)state;
	const char *argv[] = { "sleep", "30", NULL };
	struct spawn_result r;
	pid_t seen = 0;

	assert_int_equal(spawn_run(argv,
				   &(struct spawn_opts){ .timeout_ms = 200, .at_deadline = note_deadline,
							 .at_deadline_data = &seen },
				   &r),
			 -ETIMEDOUT);
	assert_true(r.pid > 0);
	assert_int_equal(seen, r.pid);
	assert_false(r.left_running); /* sleep dies on SIGKILL at once */
	assert_int_equal(r.signal, SIGKILL);
	spawn_result_free(&r);

	/* A command that returns in time never calls it. */
	const char *quick[] = { "true", NULL };
	seen = 0;
	assert_int_equal(spawn_run(quick,
				   &(struct spawn_opts){ .timeout_ms = 5000, .at_deadline = note_deadline,
							 .at_deadline_data = &seen },
				   &r),
			 0);
	assert_int_equal(seen, 0);
	assert_true(r.pid > 0);
	spawn_result_free(&r);
}

static void output_is_bounded(void **state)
{
	(void)state;
	const char *argv[] = { "head", "-c", "100000", "/dev/zero", NULL };
	struct spawn_result r;

	assert_int_equal(spawn_run(argv, &(struct spawn_opts){ .max_output = 1000 }, &r), 0);
	assert_int_equal(r.out_len, 1000);
	assert_true(r.truncated);
	assert_int_equal(r.exit_code, 0);
	spawn_result_free(&r);
}

static void exec_errors_are_told_apart(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-spawn-XXXXXX";
	struct spawn_result r;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *exe = xasprintf("%s/tailscale.exe", dir);
	int fd = open(exe, O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	/* A Windows PE header: without WSL interop the kernel says "Exec format error". */
	assert_int_equal(write(fd, "MZ\x90\x00\x03\x00\x00\x00", 8), 8);
	close(fd);

	const char *pe[] = { exe, "status", NULL };
	assert_int_equal(spawn_run(pe, &(struct spawn_opts){ .exact_path = true }, &r), -ENOEXEC);
	spawn_result_free(&r);
	const char *missing[] = { "meshnfs-no-such-program", NULL };
	assert_int_equal(spawn_run(missing, NULL, &r), -ENOENT);
	spawn_result_free(&r);
	unlink(exe);
	rmdir(dir);
}

static void cwd_and_locale(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "pwd; echo $LC_ALL", NULL };
	struct spawn_result r;

	assert_int_equal(spawn_run(argv, &(struct spawn_opts){ .cwd = "/tmp" }, &r), 0);
	assert_str(r.out, "/tmp\nC\n");
	spawn_result_free(&r);
}

static void which(void **state)
{
	(void)state;
	_cleanup_free_ char *sh = spawn_which("sh");
	assert_non_null(sh);
	assert_true(sh[0] == '/');
	assert_null(spawn_which("meshnfs-no-such-program"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(captures_output_and_exit_code),
		cmocka_unit_test(argv_is_not_a_shell_line),
		cmocka_unit_test(ignored_sigchld_is_not_a_timeout),
		cmocka_unit_test(deadline_kills_the_process_group),
		cmocka_unit_test(deadline_hook_sees_the_child_before_the_kill),
		cmocka_unit_test(output_is_bounded),
		cmocka_unit_test(exec_errors_are_told_apart),
		cmocka_unit_test(cwd_and_locale),
		cmocka_unit_test(which),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
