/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/listeners.h"

#include <arpa/inet.h>
#include <errno.h>

static void fmt(const struct listener *l, char *buf)
{
	listener_format(l, buf, 64);
}

/* The kernel's format, as `cat /proc/net/tcp` prints it (header padded with spaces). */
static const char proc_tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode                                                     \n"
	"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
	"      0 20512 1 0000000000000000 100 0 0 10 0                     \n"
	"   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  "
	"      0 20933 1 0000000000000000 100 0 0 10 0                     \n"
	"   2: 03004064:0016 02004064:D431 01 00000000:00000000 02:0009F2E5 00000000     0  "
	"      0 21877 4 0000000000000000 20 4 29 10 -1                    \n";

static const char proc_tcp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000    33        0 23011 1 0000000000000000 100 0 0 "
	"10 0\n"
	"   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 23012 1 0000000000000000 100 0 0 "
	"10 0\n";

static void proc_listeners(void **state)
{
	(void)state;
	struct listeners l = { 0 };
	struct diag d = { 0 };
	char b[64];

	assert_int_equal(proc_net_tcp_parse("tcp", proc_tcp, sizeof(proc_tcp) - 1, false, &l, &d), 0);
	assert_int_equal(proc_net_tcp_parse("tcp6", proc_tcp6, sizeof(proc_tcp6) - 1, true, &l, &d),
			 0);
	assert_int_equal(l.n, 4); /* the ESTABLISHED row (st 01) is not a listener */
	fmt(&l.v[0], b);
	assert_str(b, "0.0.0.0:22");
	assert_true(listener_is_wildcard(&l.v[0]));
	fmt(&l.v[1], b);
	assert_str(b, "127.0.0.1:8080");
	assert_true(listener_is_loopback(&l.v[1]));
	fmt(&l.v[2], b);
	assert_str(b, "[::]:80");
	fmt(&l.v[3], b);
	assert_str(b, "[::1]:631");
	assert_true(listener_is_loopback(&l.v[3]));
	listeners_free(&l);
}

/* 200k sockets, all listening (the table: over a minute under ASan with one realloc
 * per socket), and the line cap, which is said. */
static void many_sockets(void **state)
{
	struct buf b = { 0 };
	struct listeners l = { 0 };
	struct diag d = { 0 };

	(void)state;
	buf_printf(&b, "  sl  local_address rem_address   st tx_queue rx_queue\n");
	for (unsigned i = 0; i < LISTENERS_MAX_LINES - 1; i++)
		buf_printf(&b, "%4u: %08X:%04X 00000000:0000 0A 00000000:00000000\n", i, i,
			   i & 0xffff);
	assert_int_equal(proc_net_tcp_parse("tcp", b.data, b.len, false, &l, &d), 0);
	assert_int_equal(l.n, LISTENERS_MAX_LINES - 1);
	listeners_free(&l);
	buf_printf(&b, "x: 00000000:0000 00000000:0000 0A\n");
	assert_int_equal(proc_net_tcp_parse("tcp", b.data, b.len, false, &l, &d), -EBADMSG);
	assert_int_equal(d.line, LISTENERS_MAX_LINES + 1);
	assert_str(d.msg, "more than 200000 lines");
	listeners_free(&l);
	buf_free(&b);
}

/* German Windows (pastebin.com/kDSmMTcd, abridged): localized header and states, "Ö" in the
 * console's OEM code page 850 (0x99), CRLF. */
static const char netstat_de[] =
	"\r\nAktive Verbindungen\r\n\r\n"
	"  Proto  Lokale Adresse         Remoteadresse          Status           PID\r\n"
	"  TCP    0.0.0.0:135            0.0.0.0:0              ABH\x99REN         896\r\n"
	"  TCP    0.0.0.0:445            0.0.0.0:0              ABH\x99REN         4\r\n"
	"  TCP    127.0.0.1:5939         0.0.0.0:0              ABH\x99REN         4844\r\n"
	"  TCP    127.0.0.1:62221        127.0.0.1:62222        HERGESTELLT     12600\r\n"
	"  TCP    [::]:445               [::]:0                 ABH\x99REN         4\r\n"
	"  UDP    0.0.0.0:5353           *:*                                    2104\r\n"
	"  UDP    [fe80::297f:1c43:7984:df29%11]:1900  *:*                                    8708\r\n";

static void netstat_localized(void **state)
{
	(void)state;
	struct listeners l = { 0 };
	struct diag d = { 0 };
	char b[64];

	assert_int_equal(netstat_parse("netstat.exe -ano", netstat_de, sizeof(netstat_de) - 1, &l, &d),
			 0);
	assert_int_equal(l.n, 4);
	fmt(&l.v[0], b);
	assert_str(b, "0.0.0.0:135");
	assert_int_equal(l.v[0].pid, 896);
	assert_int_equal(l.v[1].pid, 4);
	assert_true(listener_is_loopback(&l.v[2]));
	fmt(&l.v[3], b);
	assert_str(b, "[::]:445");
	listeners_free(&l);
}

/* Bad input names the file, the line and the problem, for both parsers. */
static void bad_input(void **state)
{
	(void)state;
	static const char hdr[] = "  sl  local_address rem_address   st\n";
	static const struct {
		bool netstat;
		const char *in;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ false, "garbage\n", 1, "not a /proc/net/tcp header" },
		/* A header needs both words: "st" without "local_address" is not /proc/net/tcp (a
		 * mutation survivor: requiring only one of them passed every case). */
		{ false, "  sl  remote_address st\n", 1, "not a /proc/net/tcp header" },
		{ false, "   0: 0000000:0016 00000000:0000 0A\n", 2, "bad address" },
		{ false, "   x: 00000000:0016 00000000:0000 0A\n", 2, "bad slot" },
		{ false, "   0: 00000000:0016 00000000:0000 ZZ\n", 2, "bad state" },
		{ false, "   0: 00000000:0016\n", 2, "expected" },
		{ true, "Active Connections\r\n", 0, "no TCP rows" },
		{ true, "\r\n  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING\r\n", 2,
		  "columns" },
		{ true, "  TCP    0.0.0.0:99999          0.0.0.0:0              LISTENING       4\r\n", 1,
		  "bad local address" },
		{ true, "  TCP    0.0.0.0:135            nowhere                LISTENING       4\r\n", 1,
		  "bad foreign address" },
		{ true, "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       -4\r\n", 1,
		  "bad PID" },
		{ true, "  UDP    [fe80::1:1900          *:*                                    4\r\n", 1,
		  "bad local address" },
		{ true, "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       4\0\r\n", 1,
		  "NUL" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct listeners l = { 0 };
		struct diag d = { 0 };
		struct buf in = { 0 };
		int r;
		if (!cases[i].netstat && !streq(cases[i].msg, "not a /proc/net/tcp header"))
			buf_append(&in, hdr, strlen(hdr));
		/* "+ 3" keeps the bytes after an embedded NUL. */
		buf_append(&in, cases[i].in, strlen(cases[i].in) + (strstr(cases[i].msg, "NUL") ? 3 : 0));
		if (cases[i].netstat)
			r = netstat_parse("netstat.exe -ano", in.data, in.len, &l, &d);
		else
			r = proc_net_tcp_parse("/proc/net/tcp", in.data, in.len, false, &l, &d);
		assert_int_equal(r, -EBADMSG);
		assert_int_equal(d.line, cases[i].line);
		if (!strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, d.msg, cases[i].msg);
		assert_str(d.file, cases[i].netstat ? "netstat.exe -ano" : "/proc/net/tcp");
		listeners_free(&l);
		buf_free(&in);
	}
}

/* The recordings the CLI tests replay parse as expected. */
static void netstat_recordings(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		size_t listeners;
	} rec[] = {
		{ "tests/fixtures/windows/mirrored/netstat.exe/-ano.out", 37 },
		{ "tests/fixtures/windows/port-collision/netstat.exe/-ano.out", 21 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rec); i++) {
		_cleanup_free_ char *data = NULL;
		struct listeners l = { 0 };
		struct diag d = { 0 };
		size_t len;
		assert_int_equal(read_file_bounded(rec[i].file, 1 << 20, &data, &len), 0);
		assert_int_equal(netstat_parse(rec[i].file, data, len, &l, &d), 0);
		assert_int_equal(l.n, rec[i].listeners);
		listeners_free(&l);
	}
}

/* The IPv4 behind a listener: plain v4, v4-mapped v6 (::ffff:100.64.0.1), none for real v6.
 * The kernel's short /proc/net/tcp6 lines (fields after st cut) are accepted. */
static void ipv4_of_listeners(void **state)
{
	(void)state;
	const char *v4 = "  sl  local_address rem_address   st\n"
			 "   0: 01004064:0801 00000000:0000 0A 0\n"
			 "   1: 0100007F:0801 0100007F:C350 01 0\n";
	const char *v6 = "  sl  local_address                         remote_address                        st\n"
			 "   0: 0000000000000000FFFF000001004064:0801 00000000000000000000000000000000:0000 0A 0\n"
			 "   1: 00000000000000000000000001000000:0801 00000000000000000000000000000000:0000 0A 0\n";
	struct listeners l = { 0 };
	struct diag d = { 0 };
	uint32_t a = 0;
	char buf[64];

	assert_int_equal(proc_net_tcp_parse("tcp", v4, strlen(v4), false, &l, &d), 0);
	assert_int_equal(l.n, 1); /* the established socket (01) is not a listener */
	assert_true(listener_ipv4(&l.v[0], &a));
	assert_int_equal(a, 0x64400001u);
	assert_int_equal(proc_net_tcp_parse("tcp6", v6, strlen(v6), true, &l, &d), 0);
	assert_int_equal(l.n, 3);
	a = 0;
	assert_true(listener_ipv4(&l.v[1], &a));
	assert_int_equal(a, 0x64400001u);
	listener_format(&l.v[1], buf, sizeof(buf));
	assert_str(buf, "[::ffff:100.64.0.1]:2049");
	assert_false(listener_ipv4(&l.v[2], &a)); /* ::1 */
	assert_true(listener_is_loopback(&l.v[2]));
	listeners_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_listeners),
		cmocka_unit_test(many_sockets),
		cmocka_unit_test(netstat_localized),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(netstat_recordings),
		cmocka_unit_test(ipv4_of_listeners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
