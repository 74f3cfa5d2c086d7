/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/rfc3339.h"

#include <errno.h>

static time_t parse(const char *s)
{
	time_t t = -1;
	assert_int_equal(rfc3339_parse(s, &t), 0);
	return t;
}

/* Times as `tailscale status --json` and Headscale print them (values checked with Python's
 * calendar.timegm). */
static void valid_times(void **state)
{
	(void)state;
	assert_int_equal(parse("2025-04-29T14:56:43Z"), 1745938603);
	assert_int_equal(parse("2024-10-31T13:58:41.960578707Z"), 1730383121);
	assert_int_equal(parse("2024-02-29T23:59:59Z"), 1709251199);
	assert_int_equal(parse("2024-10-31T15:58:41+02:00"), 1730383121);
	assert_int_equal(parse("2024-10-31T08:28:41-05:30"), 1730383121);
	assert_int_equal(parse("0001-01-01T00:00:00Z"), 0); /* Go's zero time: never */
}

static void invalid_times(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "2025-04-29", "2025-04-29T14:56Z", "2025-04-29T14:56:43", "2025-13-01T00:00:00Z",
		"2023-02-29T00:00:00Z", "2025-04-29T24:00:00Z", "2025-04-29T14:56:43.Z",
		"2025-04-29T14:56:43.1234567890Z", "2025-04-29T14:56:43+0200",
		"2025-04-29T14:56:43Z junk", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
	};
	time_t t;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (rfc3339_parse(bad[i], &t) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_times),
		cmocka_unit_test(invalid_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
