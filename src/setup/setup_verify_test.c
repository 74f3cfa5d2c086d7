/* SPDX-License-Identifier: MIT */
/* setup.verify and repair.verify: their judges on made-up probe and health results. */
#include "core/test.h"
#include "net/probe.h"
#include "setup/setup.h"
#include "setup/setup_private.h"

#include <errno.h>

static void setup_verify_words(void **state)
{
	(void)state;
	struct report r;
	struct probe p;
	const struct check *c;

	report_init(&r, "setup");
	setup_verify_judge("100.64.0.1", "/opt/shared", NULL, &r);
	c = report_find(&r, "setup.verify");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->fix, "on that machine: meshnfs probe 100.64.0.1:/opt/shared");
	report_free(&r);

	/* Refused: fail, the steps in the detail, the probe's fix. */
	probe_init(&p, &(struct probe_opts){ .host = "100.64.0.1", .export_path = "/opt/shared" });
	p.source = netaddr_ipv4(1);
	p.steps[PROBE_ROUTE] = (struct probe_step){ .status = STEP_OK, .detail = xstrdup("fine") };
	p.steps[PROBE_TCP] = (struct probe_step){ .status = STEP_FAIL,
						  .detail = xstrdup("connection refused") };
	p.diagnosis = PROBE_REFUSED;
	p.ms = 7;
	report_init(&r, "setup");
	setup_verify_judge("100.64.0.1", "/opt/shared", &p, &r);
	c = report_find(&r, "setup.verify");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "meshnfs probe 100.64.0.1:/opt/shared: 100.64.0.1 is "
					   "reachable, but nothing listens"));
	assert_str(c->detail, "route ok: fine\ntcp fail: connection refused");
	assert_true(startswith(c->fix, "Check that the NFS server is running on 100.64.0.1"));
	assert_int_equal(c->ms, 7);
	report_free(&r);
	probe_free(&p);

	/* Cut before its first step (no step has a word to say): a failed check with an empty
	 * detail (mutation run 10: the steps' buffer started without its "" left it NULL, and
	 * the detail was strdup(NULL)). */
	probe_init(&p, &(struct probe_opts){ .host = "100.64.0.1", .export_path = "/opt/shared" });
	for (int i = 0; i < PROBE_N_STEPS; i++)
		p.steps[i] = (struct probe_step){ .status = STEP_SKIP };
	p.diagnosis = PROBE_CUT;
	report_init(&r, "setup");
	setup_verify_judge("100.64.0.1", "/opt/shared", &p, &r);
	c = report_find(&r, "setup.verify");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->detail, "");
	report_free(&r);
	probe_free(&p);
}

static void repair_verify_words(void **state)
{
	(void)state;
	struct repair rp = { .server = "100.64.0.1", .export_path = "/opt/shared",
			     .mountpoint = "/opt/shared", .live = true };
	struct mount_health h = { .state = MOUNT_HEALTH_OK, .ms = 12 };
	struct report r;
	const struct check *c;

	report_init(&r, "repair");
	repair_verify_judge(&rp, false, 0, &h, &r);
	assert_str(report_find(&r, "repair.verify")->summary,
		   "not verified: nothing was mounted again (see the notes)");
	report_free(&r);

	report_init(&r, "repair");
	repair_verify_judge(&rp, true, -ENOMEM, &h, &r);
	assert_str(report_find(&r, "repair.verify")->summary, "the health probe did not run");
	report_free(&r);

	report_init(&r, "repair");
	repair_verify_judge(&rp, true, 0, &h, &r);
	c = report_find(&r, "repair.verify");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "/opt/shared answers (ls)");
	assert_int_equal(c->ms, 12);
	report_free(&r);

	h = (struct mount_health){ .state = MOUNT_HEALTH_HUNG, .step = MOUNT_STEP_STAT };
	report_init(&r, "repair");
	repair_verify_judge(&rp, true, 0, &h, &r);
	c = report_find(&r, "repair.verify");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "/opt/shared is still hung after the repair (stat)");
	assert_str(c->fix, "meshnfs doctor   (then: meshnfs probe 100.64.0.1:/opt/shared)");
	report_free(&r);

	rp.live = false;
	report_init(&r, "repair");
	repair_verify_judge(&rp, true, 0, &h, &r);
	assert_int_equal(report_find(&r, "repair.verify")->status, CHECK_SKIP);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(setup_verify_words),
		cmocka_unit_test(repair_verify_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
