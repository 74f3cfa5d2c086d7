/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/format_private.h"
#include "format/cidr.h"

#include <arpa/inet.h>
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

/* The tailnet's IPv6 range is mesh: addresses and networks inside it, nothing else. */
static void tailnet_ipv6(void **state)
{
	(void)state;
	struct cidr6 t, c;
	uint8_t a[16];
	char buf[64];

	assert_int_equal(cidr6_parse(TAILNET_RANGE6, true, &t), 0);
	assert_int_equal(t.prefix, 48);
	cidr6_format(&t, buf, sizeof(buf));
	assert_str(buf, "fd7a:115c:a1e0::/48");
	static const char *const inside[] = { "fd7a:115c:a1e0::1", "fd7a:115c:a1e0::9",
					      "fd7a:115c:a1e0:ab12:4843:cd96:6200:1",
					      "FD7A:115C:A1E0::3", "fd7a:115c:a1e0::/48",
					      "fd7a:115c:a1e0:1::/64", "fd7a:115c:a1e0::5/128" };
	static const char *const outside[] = { "fd7a:115c:a1e1::1", "fd7a:115c::/32", "fd00::/8",
					       "::/0", "2001:db8::1", "fe80::1", "::ffff:100.64.0.1",
					       "100.64.0.1", "fd7a:115c:a1e0::1%eth0", "sfspark1", "" };
	for (size_t i = 0; i < ARRAY_SIZE(inside); i++)
		assert_true(cidr6_text_within(inside[i], &t));
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++)
		assert_false(cidr6_text_within(outside[i], &t));
	assert_false(cidr6_text_within(NULL, &t));
	assert_int_equal(inet_pton(AF_INET6, "fd7a:115c:a1e0:ffff::", a), 1);
	assert_true(cidr6_contains(&t, a));
	a[5] ^= 1; /* the last bit of the /48 */
	assert_false(cidr6_contains(&t, a));
	/* Host bits, malformed prefixes. */
	assert_int_equal(cidr6_parse("fd7a:115c:a1e0::1/48", true, &c), -EDOM);
	assert_int_equal(cidr6_parse("fd7a:115c:a1e0::1/48", false, &c), 0);
	assert_true(cidr6_within(&c, &t));
	static const char *const bad[] = { "", "/48", "fd7a::/", "fd7a::/129", "fd7a::/048",
					   "fd7a::/4x", "fd7a:::1", "1.2.3.4/8", "::ffff:1.2.3.4" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(cidr6_parse(bad[i], false, &c), -EINVAL);
	assert_int_equal(cidr6_parse("::/0", true, &c), 0);
	assert_true(cidr6_within(&t, &c));
	assert_int_equal(cidr6_parse("fd7a:115c:a1e0::/47", true, &c), 0);
	assert_false(cidr6_within(&c, &t)); /* wider than the tailnet */
}

/* The probe's address: IPv4 or IPv6, compared, printed, judged against the mesh's ranges. */
static void netaddr_both_families(void **state)
{
	struct netaddr a, b, none = { 0 };
	struct cidr m4;
	struct cidr6 m6;
	char s[NETADDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_parse("100.64.0.0/10", true, &m4), 0);
	assert_int_equal(cidr6_parse(TAILNET_RANGE6, true, &m6), 0);
	assert_int_equal(netaddr_parse("100.64.0.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.v4, 0x64400001u);
	assert_true(netaddr_in_mesh(&a, &m4, &m6));
	netaddr_format(&a, s, sizeof(s));
	assert_str(s, "100.64.0.1");
	assert_int_equal(netaddr_parse("FD7A:115C:A1E0:0::0001", &b), 0);
	assert_int_equal(b.family, AF_INET6);
	netaddr_format(&b, s, sizeof(s));
	assert_str(s, "fd7a:115c:a1e0::1"); /* canonical */
	assert_true(netaddr_in_mesh(&b, &m4, &m6));
	assert_false(netaddr_in_mesh(&b, &m4, NULL));
	assert_false(netaddr_eq(&a, &b));
	struct netaddr c;
	assert_int_equal(netaddr_parse("fd7a:115c:a1e0::1", &c), 0);
	assert_true(netaddr_eq(&b, &c));
	assert_int_equal(netaddr_parse("2001:db8::1", &c), 0);
	assert_false(netaddr_in_mesh(&c, &m4, &m6));
	assert_false(netaddr_eq(&b, &c));
	assert_false(netaddr_is_set(&none));
	netaddr_format(&none, s, sizeof(s));
	assert_str(s, "");
	static const char *const bad[] = { "", "[::1]", "::ffff:100.64.0.1", "fd7a::1%eth0",
					   "100.64.0", "fd7a::1/128", "host" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(netaddr_parse(bad[i], &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_contain),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(tailnet_ipv6),
		cmocka_unit_test(netaddr_both_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
