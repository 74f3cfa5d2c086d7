/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/icmp.h"

#include <errno.h>

/* RFC 1071's worked example: the sum of 0001 f203 f4f5 f6f7 is ddf2, its complement 220d. */
static void checksum(void **state)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(icmp_checksum(b, sizeof(b)), 0x220d);
}

static void build_and_parse(void **state)
{
	uint8_t b[1500];
	uint16_t id, seq;

	(void)state;
	assert_int_equal(icmp_echo_build(b, sizeof(b), 0xbeef, 0x0102, 1200 - ICMP_IP_HEADER), 1180);
	assert_int_equal(b[0], 8);
	assert_int_equal(icmp_checksum(b, 1180), 0); /* a valid checksum sums to zero */
	assert_int_equal(icmp_echo_build(b, sizeof(b), 1, 1, 7), 0);
	assert_int_equal(icmp_echo_build(b, 100, 1, 1, 101), 0);

	/* The same message as a reply, alone (unprivileged socket) and behind an IP header. */
	b[0] = 0;
	assert_int_equal(icmp_echo_reply_parse(b, 1180, false, &id, &seq), 0);
	assert_int_equal(id, 0xbeef);
	assert_int_equal(seq, 0x0102);
	uint8_t ip[40] = { 0x45, 0, 0, 36, 0, 0, 0x40, 0, 64, 1 };
	memcpy(ip + 20, b, 16);
	assert_int_equal(icmp_echo_reply_parse(ip, 36, true, &id, &seq), 0);
	assert_int_equal(seq, 0x0102);

	/* Not a reply, too short, not IPv4 ICMP. */
	ip[20] = 3;
	assert_int_equal(icmp_echo_reply_parse(ip, 36, true, &id, &seq), -ENOMSG);
	assert_int_equal(icmp_echo_reply_parse(ip, 27, true, &id, &seq), -EBADMSG);
	ip[9] = 6;
	assert_int_equal(icmp_echo_reply_parse(ip, 36, true, &id, &seq), -EBADMSG);
	ip[9] = 1;
	ip[0] = 0x4f; /* a header of 60 bytes in 36 */
	assert_int_equal(icmp_echo_reply_parse(ip, 36, true, &id, &seq), -EBADMSG);
	assert_int_equal(icmp_echo_reply_parse(b, 7, false, &id, &seq), -EBADMSG);
}

/* Which unreachable codes are a filter's reject. Mutation run 6: "code == ICMP_HOST_ANO"
 * turned "!=" made nearly every code a reject (a router's host or network unreachable
 * reported as the peer's firewall) and host-prohibited none. */
static void unreach_reject(void **state)
{
	(void)state;
	for (unsigned code = 0; code < 16; code++) {
		/* port unreachable 3, net/host/communication administratively prohibited 9, 10,
		 * 13; host unreachable 1 only from the peer itself. */
		bool reject = code == 3 || code == 9 || code == 10 || code == 13;
		assert_int_equal(icmp_unreach_is_reject(false, (uint8_t)code, false), reject);
		assert_int_equal(icmp_unreach_is_reject(false, (uint8_t)code, true),
				 reject || code == 1);
	}
	for (unsigned code = 0; code < 8; code++) {
		/* admin prohibited 1, port unreachable 4, source policy 5, reject route 6;
		 * address unreachable 3 only from the peer itself. */
		bool reject = code == 1 || code == 4 || code == 5 || code == 6;
		assert_int_equal(icmp_unreach_is_reject(true, (uint8_t)code, false), reject);
		assert_int_equal(icmp_unreach_is_reject(true, (uint8_t)code, true),
				 reject || code == 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum),
		cmocka_unit_test(build_and_parse),
		cmocka_unit_test(unreach_reject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
