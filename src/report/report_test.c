/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "report/output.h"
#include "report/report.h"

#include <signal.h>
#include <sys/wait.h>

static void verdict_is_the_worst_status(void **state)
{
	(void)state;
	struct report r;

	report_init(&r, "doctor");
	assert_int_equal(report_exit_code(&r), 0);
	report_add(&r, "a.skip", CHECK_SKIP, "skipped");
	assert_int_equal(report_verdict(&r), CHECK_OK);
	report_add(&r, "a.ok", CHECK_OK, "fine");
	report_add(&r, "a.warn", CHECK_WARN, "hm %d", 1);
	assert_int_equal(report_exit_code(&r), 1);
	struct check *c = report_add(&r, "a.fail", CHECK_FAIL, "broken");
	check_set_fix(c, "sudo %s", "fix-it");
	assert_int_equal(report_exit_code(&r), 2);
	assert_str(report_find(&r, "a.fail")->fix, "sudo fix-it");
	assert_null(report_find(&r, "nope"));
	report_free(&r);
}

static void json_shape(void **state)
{
	(void)state;
	struct report r;

	report_init(&r, "doctor");
	struct check *c = report_add(&r, "mount.present", CHECK_WARN, "not mounted");
	check_set_detail(c, "line1\nline2");
	json_object_set_new(r.extra, "node", json_string("x"));
	json_t *doc = report_to_json(&r);
	assert_str(json_string_value(json_object_get(doc, "command")), "doctor");
	assert_str(json_string_value(json_object_get(doc, "verdict")), "warn");
	json_t *c0 = json_array_get(json_object_get(doc, "checks"), 0);
	assert_str(json_string_value(json_object_get(c0, "id")), "mount.present");
	assert_str(json_string_value(json_object_get(c0, "status")), "warn");
	assert_str(json_string_value(json_object_get(c0, "detail")), "line1\nline2");
	assert_true(json_is_null(json_object_get(c0, "fix")));
	assert_str(json_string_value(json_object_get(doc, "node")), "x");
	json_decref(doc);
	report_free(&r);
}

/* r as report_print_human prints it (a new string); r freed. */
static char *human(struct report *r, bool color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	report_print_human(r, f, color);
	fclose(f);
	report_free(r);
	return text;
}

static void human_is_aligned(void **state)
{
	(void)state;
	struct report r;

	report_init(&r, "doctor");
	report_add(&r, "a", CHECK_OK, "short id");
	struct check *c = report_add(&r, "long.id", CHECK_FAIL, "long id");
	check_set_fix(c, "do this");
	_cleanup_free_ char *text = human(&r, false);
	assert_str(text, "ok    a        short id\n"
			 "fail  long.id  long id\n"
			 "               fix: do this\n"
			 "verdict: fail (1 ok, 0 warn, 1 fail, 0 skipped)\n");
}

/* In colour each status has its own (red fail, yellow warn, green ok, dim skip), the verdict
 * the worst's; every colour is reset after its word (mutation run 14: check_status_color's
 * red made NULL survived: the one colour test, cli.sh's, saw only a plan's skips). */
static void human_colours_by_status(void **state)
{
	(void)state;
	struct report r;

	report_init(&r, "doctor");
	report_add(&r, "a", CHECK_OK, "o");
	report_add(&r, "b", CHECK_WARN, "w");
	report_add(&r, "c", CHECK_FAIL, "f");
	report_add(&r, "d", CHECK_SKIP, "s");
	_cleanup_free_ char *text = human(&r, true);
	assert_str(text, COLOR_GREEN "ok  " COLOR_RESET "  a  o\n"
			 COLOR_YELLOW "warn" COLOR_RESET "  b  w\n"
			 COLOR_RED "fail" COLOR_RESET "  c  f\n"
			 COLOR_DIM "skip" COLOR_RESET "  d  s\n"
			 COLOR_RED "verdict: fail" COLOR_RESET " (1 ok, 1 warn, 1 fail, 1 skipped)\n");
}

static void table_aligns_utf8(void **state)
{
	(void)state;
	struct table t;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	table_init(&t, 3);
	table_add_row(&t, (const char *[]){ "NODE", "IP", "ROLE" });
	table_add_row(&t, (const char *[]){ "caf\xc3\xa9", "100.64.0.1", "server" });
	table_print(&t, f);
	fclose(f);
	assert_str(text, "NODE  IP          ROLE\ncaf\xc3\xa9  100.64.0.1  server\n");
	free(text);
	table_free(&t);
}

/* report_check: the words named, taken by the report; detail and fix may be left out. */
static void check_words(void **state)
{
	(void)state;
	struct report r;

	report_init(&r, "doctor");
	struct check *c = report_check(&r, "mount.point", CHECK_WARN,
				       .summary = xasprintf("%s does not exist", "/opt/shared"),
				       .detail = xasprintf("step %d", 2),
				       .fix = xasprintf("sudo mkdir -p %s", "/opt/shared"));
	c->ms = 7;
	report_check(&r, "mount.present", CHECK_OK, .summary = xasprintf("fine"));
	assert_int_equal(r.n_checks, 2);
	c = &r.checks[0];
	assert_str(c->id, "mount.point");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/opt/shared does not exist");
	assert_str(c->detail, "step 2");
	assert_str(c->fix, "sudo mkdir -p /opt/shared");
	assert_int_equal(c->ms, 7);
	c = &r.checks[1];
	assert_str(c->summary, "fine");
	assert_null(c->detail);
	assert_null(c->fix);
	assert_int_equal(c->ms, -1);
	report_free(&r); /* LeakSanitizer: every string taken was freed */
}

/* The escaping stdout on a pipe nobody reads (EPIPE, SIGPIPE ignored, as meshnfs | head):
 * the flush fails at once. Mutation run 3: write_all's `w < 0 && errno == EINTR` turned into
 * `||` retried a failing write forever (the child below spun until its deadline). */
static void write_error_is_not_retried(void **state)
{
	int p[2], status = 0;
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(p), 0);
	/* The read end is closed before the fork: closed after it, in the parent, a child that ran
	 * first still had a reader and its write succeeded (stress run 1, session 9). */
	close(p[0]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		dup2(p[1], STDOUT_FILENO);
		if (output_escape_std() < 0)
			_exit(3);
		fputs("nobody reads this\n", stdout);
		_exit(fflush(stdout) == EOF ? 0 : 1);
	}
	close(p[1]);
	for (int ms = 0; ms < TEST_FAR_DEADLINE_MS && waitpid(pid, &status, WNOHANG) == 0; ms += 10)
		usleep(10000);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("a failing write to stdout was retried until the deadline");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Our own colour codes reach the terminal as they are, on stdout and on stderr, while the
 * same byte in text is escaped. Mutation run 3: esc_of's `f == esc_out.f` negated sent
 * stdout's colour codes through the escaping (shown as "\\x1b[1m") and passed. */
static void raw_codes_pass_the_escaping_streams(void **state)
{
	int o[2], e[2], status = 0;
	char out[64] = "", err[64] = "";
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(o), 0);
	assert_int_equal(pipe(e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		dup2(e[1], STDERR_FILENO);
		if (output_escape_std() < 0)
			_exit(3);
		output_raw(stdout, "\033[1m");
		fputs("a\033b\n", stdout);
		/* Text still in stdio's buffer when a raw code comes is escaped all the same
		 * (mutation run 5: esc_drain's first fflush dropped let it out raw with the code). */
		fputs("e\033f", stdout);
		/* A UTF-8 sequence cut by a raw code can no longer be completed: its bytes go out
		 * escaped before the code (mutation run 14: esc_drain's write dropped lost them). */
		fputs("caf\xc3", stdout);
		output_raw(stdout, "\033[0m");
		output_raw(stderr, "\033[31m");
		fputs("c\033d\n", stderr);
		_exit(fflush(stdout) == 0 && fflush(stderr) == 0 ? 0 : 1);
	}
	close(o[1]);
	close(e[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(read(o[0], out, sizeof(out) - 1) > 0);
	assert_true(read(e[0], err, sizeof(err) - 1) > 0);
	close(o[0]);
	close(e[0]);
	assert_str(out, "\033[1ma\\x1bb\ne\\x1bfcaf\\xc3\033[0m");
	assert_str(err, "\033[31mc\\x1bd\n");
}

/* An empty text (a line from outside that was empty, a detail with nothing to say) is an
 * empty string in the check, not a crash: vasprintf returns 0 for it. Mutation run 4:
 * report.c:30's `vasprintf(...) < 0` made `<= 0` aborted on it, and no test formatted "". */
static void empty_texts_are_kept(void **state)
{
	(void)state;
	struct report r;
	const char *empty = "";

	report_init(&r, "doctor");
	struct check *c = report_add(&r, "x.y", CHECK_OK, "%s", empty);
	assert_str(c->summary, "");
	assert_int_equal(report_verdict(&r), CHECK_OK);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdict_is_the_worst_status),
		cmocka_unit_test(check_words),
		cmocka_unit_test(human_colours_by_status),
		cmocka_unit_test(json_shape),
		cmocka_unit_test(human_is_aligned),
		cmocka_unit_test(table_aligns_utf8),
		cmocka_unit_test(write_error_is_not_retried),
		cmocka_unit_test(raw_codes_pass_the_escaping_streams),
		cmocka_unit_test(empty_texts_are_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
