/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/cidr.h"

#include <errno.h>

static void parse_and_contain(void **state)
{
	(void)state;
	struct cidr mesh, c;
	uint32_t a;
	char buf[32];

	assert_int_equal(cidr_parse("100.64.0.0/10", true, &mesh), 0);
	assert_int_equal(mesh.prefix, 10);
	assert_int_equal(ipv4_parse("100.64.0.1", &a), 0);
	assert_true(cidr_contains(&mesh, a));
	assert_int_equal(ipv4_parse("100.127.255.255", &a), 0);
	assert_true(cidr_contains(&mesh, a));
	assert_int_equal(ipv4_parse("100.128.0.0", &a), 0);
	assert_false(cidr_contains(&mesh, a));
	assert_int_equal(ipv4_parse("198.18.0.1", &a), 0);
	assert_false(cidr_contains(&mesh, a));

	assert_int_equal(cidr_parse("100.64.0.1", true, &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_true(cidr_within(&c, &mesh));
	assert_int_equal(cidr_parse("0.0.0.0/0", true, &c), 0);
	assert_false(cidr_within(&c, &mesh));
	assert_true(cidr_within(&mesh, &c));
	cidr_format(&mesh, buf, sizeof(buf));
	assert_str(buf, "100.64.0.0/10");
}

static void rejects_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = { "", "/10", "100.64.0.0/", "100.64.0.0/33", "100.64.0/10",
					   "100.64.0.0/1x", "100.64.0.0/-1", "1.2.3.4.5", "256.1.1.1",
					   "100.64.0.0/010", " 100.64.0.0/10", "0x64.0.0.0/8" };
	struct cidr c;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(cidr_parse(bad[i], false, &c), -EINVAL);
	assert_int_equal(cidr_parse("100.64.0.1/10", true, &c), -EDOM);
	assert_int_equal(cidr_parse("100.64.0.1/10", false, &c), 0);
	assert_int_equal(c.addr, 0x64400000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_contain),
		cmocka_unit_test(rejects_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
