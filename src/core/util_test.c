/* SPDX-License-Identifier: MIT */
/* ENUM_NAME and ENUM_PARSE: the one way enums and their names meet. */
#include "core/test.h"

enum color { RED, GREEN, BLUE, N_COLORS };

static const char *const names[] = { [RED] = "red", [BLUE] = "blue" }; /* GREEN unnamed */

static void enum_tables(void **state)
{
	(void)state;
	assert_str(ENUM_NAME(names, RED, "?"), "red");
	assert_str(ENUM_NAME(names, BLUE, "?"), "blue");
	assert_str(ENUM_NAME(names, GREEN, "?"), "?");       /* a hole in the table */
	assert_str(ENUM_NAME(names, N_COLORS, "?"), "?");    /* past its end */
	assert_str(ENUM_NAME(names, (enum color)-1, "?"), "?"); /* negative: huge as size_t */
	assert_null(ENUM_NAME(names, 7, NULL));
	assert_int_equal(ENUM_PARSE(names, "blue"), BLUE);
	assert_int_equal(ENUM_PARSE(names, "red"), RED);
	assert_int_equal(ENUM_PARSE(names, "Red"), -1); /* exact */
	assert_int_equal(ENUM_PARSE(names, ""), -1);
	assert_int_equal(ENUM_PARSE(names, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(enum_tables) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
