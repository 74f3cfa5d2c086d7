/* SPDX-License-Identifier: MIT */
/* The plan machinery itself (src/setup/plan.c), on made-up plans: what the user is shown
 * (plan_format, whole) and when a step's check runs. The plans of setup client and server are
 * tested in setup_plan_test.c; their printed form in tests/golden. */
#include "core/test.h"
#include "setup/plan.h"

#include <errno.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_whole),
		cmocka_unit_test(check_after_success_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
