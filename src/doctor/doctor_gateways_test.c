/* SPDX-License-Identifier: MIT */
/* The gateways judge (share.gateway, share.gateways) on made-up probe results: a share of two
 * gateways, the client mounted from one of them or from none. */
#include "doctor/doctor_fixture.h"

static struct config_share share = {
	.name = (char *)"ceph",
	.servers = { (char *)"100.64.0.1", (char *)"100.64.0.2" },
	.n_servers = 2,
	.export_path = (char *)"/opt/shared",
	.mountpoint = (char *)"/opt/shared",
};

/* x with the share, gateway i's probe ended with diagnosis dg[i], mounted from `mounted` (NULL:
 * nothing mounted). */
static void gateways(struct fx *x, const enum probe_diagnosis dg[2], const char *mounted)
{
	fx_init(x, NODE_LINUX, NULL);
	x->cfg.share = &share;
	fx_mount(x, mounted ? "nfs4" : NULL, mounted, MOUNT_HEALTH_OK, MOUNT_STEP__MAX - 1, 0);
	x->f.gateways.gathered = true;
	x->f.gateways.n = 2;
	for (size_t i = 0; i < 2; i++) {
		uint32_t a;
		struct probe *p = &x->f.gateways.probes[i];
		assert_int_equal(ipv4_parse(share.servers[i], &a), 0);
		probe_init(p, &(struct probe_opts){ .host = share.servers[i], .addr = netaddr_ipv4(a),
						    .export_path = share.export_path,
						    .mesh = x->cfg.mesh });
		p->diagnosis = dg[i];
		p->ms = 12;
		p->state = PS_DONE;
	}
}

static void done(struct fx *x)
{
	x->cfg.share = NULL;
	fx_free(x);
}

/* Both answer, the client uses the first: it stays, nothing to repair (mutation run 7:
 * doctor_gateways.c:74's `MOVE && cur >= 0` -> `||` said the client's gateway did not
 * answer). */
static void in_use_answers(void **state)
{
	(void)state;
	struct fx x;

	gateways(&x, (enum probe_diagnosis[]){ PROBE_OK, PROBE_OK }, "100.64.0.1");
	const struct check *c = fx_judge(&x, doctor_judge_gateways, "share.gateways");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "2 of 2 gateways answer; the client uses a healthy one");
	assert_int_equal(fx_count(&x, "share.gateway", CHECK_OK, "answers: route, TCP"), 2);
	done(&x);
}

/* Nothing mounted, the first does not answer: the second would be used, and there is no
 * client to move (no "the client uses" of a gateway it does not use). */
static void not_mounted(void **state)
{
	(void)state;
	struct fx x;

	gateways(&x, (enum probe_diagnosis[]){ PROBE_UNREACHABLE, PROBE_OK }, NULL);
	const struct check *c = fx_judge(&x, doctor_judge_gateways, "share.gateways");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "1 of 2 gateways answer, among them 100.64.0.2");
	assert_int_equal(fx_count(&x, "share.gateway", CHECK_FAIL, "100.64.0.1 does not answer"), 1);
	done(&x);
}

/* The client uses the one that does not answer: a failure, and the repair that moves it. */
static void in_use_silent(void **state)
{
	(void)state;
	struct fx x;

	gateways(&x, (enum probe_diagnosis[]){ PROBE_UNREACHABLE, PROBE_OK }, "100.64.0.1");
	const struct check *c = fx_judge(&x, doctor_judge_gateways, "share.gateways");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "1 of 2 gateways answer (100.64.0.2); the client uses 100.64.0.1, "
			       "which does not");
	assert_true(startswith(c->fix, "sudo meshnfs repair --share ceph "));
	done(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_use_answers),
		cmocka_unit_test(not_mounted),
		cmocka_unit_test(in_use_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
