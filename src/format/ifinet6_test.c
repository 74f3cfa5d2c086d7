/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/ifinet6.h"

#include <arpa/inet.h>
#include <errno.h>

/* As `cat /proc/net/if_inet6` printed it on a Tailscale node (tailscale0 holding its
 * fd7a:115c:a1e0::/48 address) with a tentative address on eth0. */
static const char sample[] =
	"fd7a115ca1e000000000000000000001 05 80 00 80 tailscale0\n"
	"00000000000000000000000000000001 01 80 10 80       lo\n"
	"fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
	"20010db8000000000000000000000009 04 40 00 c0     eth0\n";

static void reads_every_line(void **state)
{
	(void)state;
	_cleanup_free_ struct ifinet6 *a = NULL;
	uint8_t want[16];
	struct diag d = { 0 };
	int n = if_inet6_parse("f", sample, sizeof(sample) - 1, &a, &d);

	assert_int_equal(n, 4);
	assert_int_equal(inet_pton(AF_INET6, "fd7a:115c:a1e0::1", want), 1);
	assert_memory_equal(a[0].addr, want, 16);
	assert_int_equal(a[0].ifindex, 5);
	assert_int_equal(a[0].prefix, 128);
	assert_int_equal(a[0].scope, 0);
	assert_string_equal(a[0].ifname, "tailscale0");
	assert_true(if_inet6_usable(&a[0]));
	assert_string_equal(a[1].ifname, "lo");
	assert_int_equal(a[1].scope, 0x10);
	assert_int_equal(a[2].prefix, 64);
	assert_int_equal(a[2].scope, 0x20);
	/* 0xc0: permanent and tentative (duplicate address detection running) */
	assert_int_equal(a[3].flags, 0xc0);
	assert_false(if_inet6_usable(&a[3]));
}

static void empty_is_none(void **state)
{
	(void)state;
	struct ifinet6 *a = NULL;

	assert_int_equal(if_inet6_parse("f", "", 0, &a, NULL), 0);
	assert_null(a);
	/* no newline at the end, blank lines skipped */
	assert_int_equal(if_inet6_parse("f", "\n00000000000000000000000000000001 01 80 10 80 lo", 48, &a,
					NULL), 1);
	free(a);
}

static void rejects_what_is_not_if_inet6(void **state)
{
	(void)state;
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "fd7a115ca1e0 05 80 00 80 tailscale0\n", "expected 32 hex digits" },
		{ "fd7a115ca1e00000000000000000000g 05 80 00 80 t\n", "expected 32 hex digits" },
		{ "fd7a115ca1e000000000000000000001x05 80 00 80 t\n", "expected a space" },
		{ "fd7a115ca1e000000000000000000001 05 81 00 80 t\n", "bad prefix length" },
		{ "fd7a115ca1e000000000000000000001 05 80 100 80 t\n", "bad scope" },
		{ "fd7a115ca1e000000000000000000001 05 80 00 zz t\n", "bad flags" },
		{ "fd7a115ca1e000000000000000000001 123456789 80 00 80 t\n", "bad interface index" },
		{ "fd7a115ca1e000000000000000000001 05 80 00 80 \n", "bad interface name" },
		{ "fd7a115ca1e000000000000000000001 05 80 00 80 a/b\n", "bad interface name" },
		{ "fd7a115ca1e000000000000000000001 05 80 00 80 waytoolonginterface\n",
		  "bad interface name" },
		{ "Inter-|   Receive\n", "expected 32 hex digits" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ifinet6 *a = NULL;
		struct diag d = { 0 };
		assert_int_equal(if_inet6_parse("/proc/net/if_inet6", bad[i].in, strlen(bad[i].in), &a,
						&d),
				 -EBADMSG);
		assert_null(a);
		assert_non_null(strstr(d.msg, bad[i].msg));
		assert_int_equal(d.line, 1);
	}
	/* the line is named */
	struct ifinet6 *a = NULL;
	struct diag d = { 0 };
	static const char two[] = "00000000000000000000000000000001 01 80 10 80 lo\nnonsense\n";
	assert_int_equal(if_inet6_parse("f", two, sizeof(two) - 1, &a, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	assert_int_equal(if_inet6_parse("f", "0\0", 2, &a, &d), -EBADMSG);
}

static void bounded(void **state)
{
	(void)state;
	struct buf b = { 0 };
	struct ifinet6 *a = NULL;
	struct diag d = { 0 };

	for (unsigned i = 0; i <= IFINET6_MAX_ADDRS; i++)
		buf_printf(&b, "fd7a115ca1e00000000000000000%04x 05 80 00 80 t\n", i & 0xffff);
	assert_int_equal(if_inet6_parse("f", b.data, b.len, &a, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "more than 65536 addresses"));
	assert_null(a);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_line),
		cmocka_unit_test(empty_is_none),
		cmocka_unit_test(rejects_what_is_not_if_inet6),
		cmocka_unit_test(bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
