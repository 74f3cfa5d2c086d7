/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "net/silence.h"
#include "net/net_private.h"

/* Answers after a resent SYN count with the time since that SYN (1, 3, 7 s ...). */
static void rtt(void **state)
{
	(void)state;
	assert_int_equal(silence_rtt(0), 0);
	assert_int_equal(silence_rtt(3), 3);
	assert_int_equal(silence_rtt(999), 999);
	assert_int_equal(silence_rtt(1000), 0);
	assert_int_equal(silence_rtt(1004), 4);
	assert_int_equal(silence_rtt(2999), 1999);
	assert_int_equal(silence_rtt(3020), 20);
	assert_int_equal(silence_rtt(7001), 1);
	assert_int_equal(silence_rtt(-5), 0);
}

static void after(void **state)
{
	struct silence s = { .margin_ms = SILENCE_MARGIN_MS };

	(void)state;
	/* Nothing answered: nothing says how long an answer takes. */
	assert_int_equal(silence_after(&s), -1);
	assert_int_equal(silence_resend_after(&s), -1);
	/* Fast answers: the margin (a WireGuard handshake) before the resend, as much after. */
	silence_answer(&s, 2, -1);
	silence_answer(&s, 41, -1);
	assert_int_equal(s.answers, 2);
	assert_int_equal(silence_resend_after(&s), SILENCE_MARGIN_MS);
	assert_int_equal(silence_after(&s), 2 * SILENCE_MARGIN_MS);
	/* One answer only after the kernel resent its SYN: 8 ms after it, still fast. */
	silence_answer(&s, 1008, -1);
	assert_int_equal(silence_after(&s), 2 * SILENCE_MARGIN_MS);
	/* A slow path: four of its round trips before the resend, as many after. */
	silence_answer(&s, 400, -1);
	assert_int_equal(s.rtt_ms, 400);
	assert_int_equal(silence_resend_after(&s), 4 * 400);
	assert_int_equal(silence_after(&s), 2 * 4 * 400);
	/* The kernel's measure wins over the loop's: noticed 700 ms late on a busy machine, but
	 * the handshake took 3 ms. */
	struct silence k = { .margin_ms = SILENCE_MARGIN_MS };
	silence_answer(&k, 700, 3);
	assert_int_equal(k.rtt_ms, 3);
	assert_int_equal(silence_after(&k), 2 * SILENCE_MARGIN_MS);
}

/* Silence proves nothing on a lossy or slow path: a verdict only when losing every SYN sent
 * is under 1 in 1000 at the loss rate seen, and four round trips fit in the step. */
static void untellable(void **state)
{
	struct silence s = { .margin_ms = SILENCE_MARGIN_MS };

	(void)state;
	assert_false(silence_untellable(&s, 2000, 1)); /* nothing seen: the step's bound decides */
	assert_true(silence_confident(&s, 1));
	for (int i = 0; i < 97; i++)
		silence_answer(&s, 3, 2);
	for (int i = 0; i < 3; i++)
		silence_answer_resent(&s, 1004, 2);
	/* 3 of 100 needed a second SYN: two lost is 0.0009, three 0.000027. */
	assert_true(silence_confident(&s, 2));
	assert_int_equal(silence_after(&s), 2 * SILENCE_MARGIN_MS);
	silence_answer_resent(&s, 1003, 2);
	/* 4 of 101: two lost 0.0016, not unlikely enough to give up early; three are. */
	assert_false(silence_confident(&s, 2));
	assert_int_equal(silence_resend_after(&s), SILENCE_MARGIN_MS);
	assert_int_equal(silence_after(&s), -1);
	assert_true(silence_untellable(&s, 2000, 2));
	assert_false(silence_untellable(&s, 2000, 3));
	/* Slow: four of the slowest round trips do not fit in the step. */
	struct silence slow = { .margin_ms = SILENCE_MARGIN_MS };
	silence_answer(&slow, 600, 520);
	assert_false(silence_untellable(&slow, 5000, 3));
	assert_true(silence_untellable(&slow, 2000, 3));
	/* SYNs on one socket: at 0, 1, 3, 7 s. */
	assert_int_equal(silence_syns(0), 1);
	assert_int_equal(silence_syns(999), 1);
	assert_int_equal(silence_syns(1000), 2);
	assert_int_equal(silence_syns(2999), 2);
	assert_int_equal(silence_syns(3000), 3);
	assert_int_equal(silence_syns(7000), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rtt),
		cmocka_unit_test(after),
		cmocka_unit_test(untellable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
