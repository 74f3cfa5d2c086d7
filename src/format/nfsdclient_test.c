/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/nfsdclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

/* The shape Linux 6.1's client_info_show() writes (fs/nfsd/nfs4state.c), for a Linux 4.2
 * client; the values are made up. */
static const char linux61[] =
	"clientid: 0x6f3a1c2b5e000001\n"
	"address: \"100.64.0.3:876\"\n"
	"status: confirmed\n"
	"seconds from last renew: 12\n"
	"name: \"Linux NFSv4.2 office-one\"\n"
	"minor version: 2\n"
	"Implementation domain: \"kernel.org\"\n"
	"Implementation name: \"Linux 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
	"(2024-11-22) x86_64\"\n"
	"Implementation time: [0, 0]\n"
	"callback state: UP\n"
	"callback address: 100.64.0.3:0\n";

static void parses_linux61(void **state)
{
	(void)state;
	struct nfsd_client c;
	struct diag d = { 0 };
	char b[64];

	assert_int_equal(nfsd_client_parse("info", linux61, strlen(linux61), &c, &d), 0);
	assert_true(c.clientid == 0x6f3a1c2b5e000001ULL);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.port, 876);
	nfsd_client_addr_format(&c, b, sizeof(b));
	assert_str(b, "100.64.0.3");
	assert_str(c.status, "confirmed");
	assert_int_equal(c.renew_s, 12);
	assert_int_equal(c.minor_version, 2);
	assert_str(c.name, "Linux NFSv4.2 office-one");
	assert_true(startswith(c.impl_name, "Linux 6.1.0-28-amd64"));
	assert_true(nfsd_client_linux_host(&c, b, sizeof(b)));
	assert_str(b, "office-one");
	nfsd_client_free(&c);
}

/* RECORDED: /proc/fs/nfsd/clients/3/info of Debian 12's kernel 6.1.0-57-amd64 serving NFSv4
 * in the VM of tests/vm (tests/vm/lib/record-nfsd-clients.sh), its own client mounting it over
 * its mesh address (tests/fixtures/nfsd/debian12-linux-6.1.0-57-clients-3-info). */
static void parses_recording(void **state)
{
	(void)state;
	static const char rec[] =
		"clientid: 0x2b2863996b1521a3\n"
		"address: \"100.64.0.9:731\"\n"
		"status: confirmed\n"
		"seconds from last renew: 1\n"
		"name: \"Linux NFSv4.2 meshnfs-vm\"\n"
		"minor version: 2\n"
		"Implementation domain: \"kernel.org\"\n"
		"Implementation name: \"Linux 6.1.0-57-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 "
		"(2026-11-26) x86_64\"\n"
		"Implementation time: [0, 0]\n"
		"callback state: UP\n"
		"callback address: 100.64.0.9:0\n";
	struct nfsd_client c;
	struct diag d = { 0 };
	char b[64];

	assert_int_equal(nfsd_client_parse("info", rec, strlen(rec), &c, &d), 0);
	assert_true(c.clientid == 0x2b2863996b1521a3ULL);
	nfsd_client_addr_format(&c, b, sizeof(b));
	assert_str(b, "100.64.0.9");
	assert_int_equal(c.port, 731);
	assert_str(c.status, "confirmed");
	assert_int_equal(c.renew_s, 1);
	assert_int_equal(c.minor_version, 2);
	assert_true(nfsd_client_linux_host(&c, b, sizeof(b)));
	assert_str(b, "meshnfs-vm");
	/* Cut short at every byte: before the address's end refused with a message; after it,
	 * at a line's end accepted (the lines read so far), inside a line either way. */
	size_t addr_end = strlen("clientid: 0x2b2863996b1521a3\naddress: \"100.64.0.9:731\"");
	for (size_t n = 0; n < strlen(rec); n++) {
		struct nfsd_client cut;
		int r = nfsd_client_parse("info", rec, n, &cut, &d);
		if (r == 0)
			nfsd_client_free(&cut);
		else
			assert_true(d.msg[0] != '\0');
		if (n < addr_end)
			assert_int_equal(r, -EBADMSG);
		else if (rec[n - 1] == '\n' || n == addr_end)
			assert_int_equal(r, 0);
	}
	nfsd_client_free(&c);
}

/* An older kernel (5.10: no status, no renew line), IPv6, an escaped name, a 4.0 client with
 * the non-uniform id string and no Implementation lines. */
static void parses_older_and_ipv6(void **state)
{
	(void)state;
	static const char v6[] = "clientid: 0x1\n"
				 "address: \"[fd7a:115c:a1e0::3]:700\"\n"
				 "name: \"Linux NFSv4.0 100.64.0.3/100.64.0.1 tcp\"\n"
				 "minor version: 0\n";
	static const char esc[] = "clientid: 0xab\naddress: \"100.64.0.9:1\"\n"
				  "name: \"a\\\"b\\\\c\\x01\\xffd\"\n";
	struct nfsd_client c;
	struct diag d = { 0 };
	char b[64];

	assert_int_equal(nfsd_client_parse("info", v6, strlen(v6), &c, &d), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(c.port, 700);
	nfsd_client_addr_format(&c, b, sizeof(b));
	assert_str(b, "fd7a:115c:a1e0::3");
	assert_str(c.status, "");
	assert_int_equal(c.renew_s, -1);
	assert_true(nfsd_client_linux_host(&c, b, sizeof(b)));
	assert_str(b, "100.64.0.3");
	nfsd_client_free(&c);

	assert_int_equal(nfsd_client_parse("info", esc, strlen(esc), &c, &d), 0);
	assert_memory_equal(c.name, "a\"b\\c\x01\xff" "d", 8);
	assert_false(nfsd_client_linux_host(&c, b, sizeof(b)));
	nfsd_client_free(&c);
}

static void expect_bad(const char *data, const char *msg_part, unsigned line)
{
	struct nfsd_client c;
	struct diag d = { 0 };

	assert_int_equal(nfsd_client_parse("info", data, strlen(data), &c, &d), -EBADMSG);
	if (!strstr(d.msg, msg_part))
		fail_msg("\"%s\" does not say \"%s\"", d.msg, msg_part);
	assert_int_equal(d.line, line);
	assert_null(c.name);
}

static void rejects_bad_and_cut_short(void **state)
{
	(void)state;
	/* Cut short: in the middle of a quoted value, before the address, empty. */
	expect_bad("clientid: 0x1\naddress: \"100.64", "cut short", 2);
	expect_bad("clientid: 0x1\naddress: \"100.64.0.3:876\"\nname: \"Linux NFSv4.2 of",
		   "cut short", 3);
	expect_bad("clientid: 0x1\n", "no address line", 1);
	expect_bad("", "no clientid line", 0);
	expect_bad("clientid: 0x1\naddress: \"100.64.0.3:876\\\"\n", "cut short", 2);
	/* Malformed. */
	expect_bad("clientid: 12\n", "not a hexadecimal", 1);
	expect_bad("clientid: 0x\n", "not a hexadecimal", 1);
	expect_bad("clientid: 0x1\naddress: \"100.64.0.3\"\n", "not ADDRESS:PORT", 2);
	expect_bad("clientid: 0x1\naddress: \"100.64.0.3:70000\"\n", "not ADDRESS:PORT", 2);
	expect_bad("clientid: 0x1\naddress: \"[::1:80\"\n", "not ADDRESS:PORT", 2);
	expect_bad("clientid: 0x1\naddress: 100.64.0.3:876\n", "not quoted", 2);
	expect_bad("clientid: 0x1\naddress: \"1.2.3.4:5\"x\n", "after the closing", 2);
	expect_bad("clientid: 0x1\nstatus: happy\n", "not a client state", 2);
	expect_bad("clientid: 0x1\nminor version: 300\n", "not 0..255", 2);
	expect_bad("clientid: 0x1\nname: \"a\\qb\"\n", "bad escape", 2);
	expect_bad("clientid: 0x1\nname: \"a\\x00b\"\n", "bad escape", 2);
	expect_bad("clientid: 0x1\ngarbage\n", "not a \"key: value\" line", 2);
	expect_bad("clientid: 0x1\nname: \"a\033[2Jb\"\n", "would have escaped (0x1b)", 2);
	expect_bad("clientid: 0x1\nname: \"caf\xc3\xa9\"\n", "would have escaped (0xc3)", 2);
}

/* Keys a later kernel adds are skipped; a final line without '\n' counts. */
static void skips_unknown_keys(void **state)
{
	(void)state;
	static const char later[] = "clientid: 0x2\naddress: \"100.64.0.4:600\"\n"
				    "admin-revoked states: 0\nsession slots: 16 16\n"
				    "status: courtesy";
	struct nfsd_client c;
	struct diag d = { 0 };

	assert_int_equal(nfsd_client_parse("info", later, strlen(later), &c, &d), 0);
	assert_str(c.status, "courtesy");
	assert_null(c.name);
	nfsd_client_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_linux61),
		cmocka_unit_test(parses_recording),
		cmocka_unit_test(parses_older_and_ipv6),
		cmocka_unit_test(rejects_bad_and_cut_short),
		cmocka_unit_test(skips_unknown_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
