/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "doctor/doctor_facts.h"

#include <arpa/inet.h>

static void port_collisions(void **state)
{
	(void)state;
	struct listener l_any22 = { .family = AF_INET, .port = 22 };
	struct listener l_lo8080 = { .family = AF_INET, .port = 8080, .addr = { 127, 0, 0, 1 } };
	struct listener l6_any445 = { .family = AF_INET6, .port = 445 };
	struct listener w_any445 = { .family = AF_INET, .port = 445, .pid = 4 };
	struct listener w_lo22 = { .family = AF_INET, .port = 22, .pid = 99, .addr = { 127, 0, 0, 1 } };
	struct listener w_any8080 = { .family = AF_INET, .port = 8080, .pid = 7 };
	struct listener w6_any445 = { .family = AF_INET6, .port = 445, .pid = 4 };
	struct listener lin_v[] = { l_any22, l_lo8080, l6_any445 };
	struct listener win_v[] = { w_any445, w_lo22, w_any8080, w6_any445 };
	struct listeners lin = { lin_v, 3, 3 }, win = { win_v, 4, 4 };
	struct port_collision col[4];

	/* 22: Windows only on loopback; 8080: WSL only on loopback; 445: both, reported once. */
	assert_int_equal(wsl_port_collisions(&lin, &win, col, 4), 1);
	assert_int_equal(col[0].port, 445);
	assert_int_equal(col[0].windows_side.pid, 4);
	assert_int_equal(wsl_port_collisions(&lin, &win, col, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_collisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
