/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/proctcp.h"

#include <errno.h>

#define HEAD "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static void test_v4(void **state)
{
	const char *s = HEAD
		"   0: 00000000:0801 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
		"   1: 014040640:0801 00000000:0000 0A 0\n";
	struct tcp_socket *v;
	size_t n;
	struct diag d = { 0 };
	char buf[64];

	(void)state;
	/* The second line has a 9-digit address: refused, naming the line. */
	assert_int_equal(proc_tcp_parse("tcp", s, strlen(s), false, &v, &n, &d), -EBADMSG);
	assert_int_equal(d.line, 3);

	s = HEAD "   0: 00000000:0801 00000000:0000 0A 0\n"
		 "   1: 0100007F:0801 0100007F:C350 01 0\n"
		 "   2: 01004064:0801 00000000:0000 0A 0\n";
	assert_int_equal(proc_tcp_parse("tcp", s, strlen(s), false, &v, &n, &d), 0);
	assert_int_equal(n, 3);
	assert_true(tcp_socket_any(&v[0]));
	assert_int_equal(v[0].state, TCP_STATE_LISTEN);
	assert_int_equal(v[1].addr4, 0x7f000001);
	assert_int_equal(v[1].state, 1);
	assert_int_equal(v[2].addr4, 0x64400001);
	tcp_socket_format(&v[2], buf, sizeof(buf));
	assert_str(buf, "100.64.0.1:2049");
	free(v);
}

static void test_v6(void **state)
{
	const char *s = "  sl  local_address                         remote_address\n"
			"   0: 00000000000000000000000000000000:0801 00000000000000000000000000000000:0000 0A 0\n"
			"   1: 0000000000000000FFFF000001004064:0801 00000000000000000000000000000000:0000 0A 0\n";
	struct tcp_socket *v;
	size_t n;
	struct diag d = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(proc_tcp_parse("tcp6", s, strlen(s), true, &v, &n, &d), 0);
	assert_int_equal(n, 2);
	assert_true(tcp_socket_any(&v[0]));
	tcp_socket_format(&v[0], buf, sizeof(buf));
	assert_str(buf, "[::]:2049");
	assert_true(tcp_socket_v4mapped(&v[1]));
	tcp_socket_format(&v[1], buf, sizeof(buf));
	assert_str(buf, "[::ffff:100.64.0.1]:2049");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
