/* SPDX-License-Identifier: MIT */
/* gateway_choose on made-up facts. */
#include "net/gateway.h"
#include "core/test.h"

#define G(h, d) { .host = h, .probed = true, .diagnosis = d }

static void stays_on_a_healthy_current(void **state)
{
	(void)state;
	struct gateway_fact g[] = { G("gw1", PROBE_OK), G("gw2", PROBE_OK) };
	struct gateway_choice c;

	gateway_choose(g, 2, 1, -1, &c);
	assert_int_equal(c.action, GATEWAY_STAY); /* moved away before: not moved back by itself */
	assert_int_equal(c.use, 1);
	assert_int_equal(c.n_healthy, 2);
	assert_non_null(strstr(c.reason, "gw2, the gateway in use, answers"));
	/* The first gateway in use and healthy stays too: index 0 is a gateway, not "none"
	 * (mutation run 12, gateway.c:49's `current >= 0` -> `> 0`: a MOVE to the gateway in
	 * use, which unmounts and mounts the share again for nothing). */
	gateway_choose(g, 2, 0, -1, &c);
	assert_int_equal(c.action, GATEWAY_STAY);
	assert_int_equal(c.use, 0);
	assert_non_null(strstr(c.reason, "gw1, the gateway in use, answers"));
}

static void moves_off_a_dead_current(void **state)
{
	(void)state;
	struct gateway_fact g[] = { G("gw1", PROBE_REFUSED), G("gw2", PROBE_NO_NFS_ANSWER),
				    G("gw3", PROBE_GRACE) };
	struct gateway_choice c;

	gateway_choose(g, 3, 0, -1, &c);
	assert_int_equal(c.action, GATEWAY_MOVE);
	assert_int_equal(c.use, 2); /* the first healthy one; grace passes by itself */
	assert_int_equal(c.n_healthy, 1);
	assert_non_null(strstr(c.reason, "gw1, the gateway in use, does not answer (refused); gw3 does"));
	/* No current gateway (fstab names none of them): the first healthy one. */
	g[1].diagnosis = PROBE_OK;
	gateway_choose(g, 3, -1, -1, &c);
	assert_int_equal(c.action, GATEWAY_MOVE);
	assert_int_equal(c.use, 1);
}

static void none_answers(void **state)
{
	(void)state;
	struct gateway_fact g[] = { G("gw1", PROBE_UNREACHABLE), { .host = "gw2" } };
	struct gateway_choice c;

	gateway_choose(g, 2, 0, -1, &c);
	assert_int_equal(c.action, GATEWAY_NONE);
	assert_int_equal(c.use, -1);
	assert_int_equal(c.n_healthy, 0);
	assert_str(c.reason, "none of the 2 gateway(s) answers");
	gateway_choose(g, 0, -1, -1, &c);
	assert_int_equal(c.action, GATEWAY_NONE);
}

static void asked_for(void **state)
{
	(void)state;
	struct gateway_fact g[] = { G("gw1", PROBE_OK), G("gw2", PROBE_OK), G("gw3", PROBE_READ_ONLY) };
	struct gateway_choice c;

	gateway_choose(g, 3, 1, 0, &c); /* back to gw1, asked */
	assert_int_equal(c.action, GATEWAY_MOVE);
	assert_int_equal(c.use, 0);
	gateway_choose(g, 3, 1, 1, &c);
	assert_int_equal(c.action, GATEWAY_STAY);
	/* Asked for one that does not answer: nothing else chosen behind the user's back. */
	gateway_choose(g, 3, 1, 2, &c);
	assert_int_equal(c.action, GATEWAY_NONE);
	assert_non_null(strstr(c.reason, "gw3 was asked for, but it does not answer (read_only)"));
	/* Out of range indices are none. */
	gateway_choose(g, 3, 7, 9, &c);
	assert_int_equal(c.action, GATEWAY_MOVE);
	assert_int_equal(c.use, 0);
}

static void index_of(void **state)
{
	(void)state;
	const char *const h[] = { "gw1", "GW2.mesh" };
	assert_int_equal(gateway_index(h, 2, "gw2.MESH"), 1);
	assert_int_equal(gateway_index(h, 2, "gw3"), -1);
	assert_int_equal(gateway_index(h, 2, NULL), -1);
}

/* The gateway in use: fstab's source first (what a new mount would use), else the mount's. */
static void in_use(void **state)
{
	(void)state;
	const char *h[] = { "100.64.0.1", "gw2.mesh" };
	assert_int_equal(gateway_in_use(h, 2, "GW2.mesh:/opt/shared", "100.64.0.1:/opt/shared"), 1);
	assert_int_equal(gateway_in_use(h, 2, NULL, "100.64.0.1:/opt/shared"), 0);
	assert_int_equal(gateway_in_use(h, 2, "100.64.0.9:/opt/shared", "100.64.0.1:/x"), -1);
	assert_int_equal(gateway_in_use(h, 2, NULL, "hangfs"), -1); /* not HOST:/PATH */
	assert_int_equal(gateway_in_use(h, 2, NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stays_on_a_healthy_current),
		cmocka_unit_test(moves_off_a_dead_current),
		cmocka_unit_test(none_answers),
		cmocka_unit_test(asked_for),
		cmocka_unit_test(index_of),
		cmocka_unit_test(in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
