/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/ceph_grace.h"

#include <errno.h>

#define RULE "======================================================\n"

static int parse(const char *s, struct ceph_grace *g, struct diag *d)
{
	return ceph_grace_parse("dump", s, strlen(s), g, d);
}

/* Recorded in the lab (ganesha-rados-grace of Debian 12's nfs-ganesha-rados-grace 4.3): two
 * gateways added, then gw2 started with rados_cluster and its grace lifted. */
static void recorded(void **state)
{
	struct ceph_grace g;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse("cur=1 rec=0\n" RULE "gw2\t E\nsrv\t E\n", &g, &d), 0);
	assert_int_equal(g.cur, 1);
	assert_int_equal(g.rec, 0);
	assert_int_equal(g.n_nodes, 2);
	assert_str(g.nodes[0].nodeid, "gw2");
	assert_false(g.nodes[0].need);
	assert_true(g.nodes[0].enforcing);
	assert_ptr_equal(ceph_grace_find(&g, "srv"), &g.nodes[1]);
	assert_null(ceph_grace_find(&g, "gw"));
	assert_int_equal(ceph_grace_needing(&g), 0);
	ceph_grace_free(&g);

	assert_int_equal(parse("cur=2 rec=0\n" RULE "gw2\t  \nsrv\t E\n", &g, &d), 0);
	assert_int_equal(g.cur, 2);
	assert_false(g.nodes[0].enforcing);
	assert_false(g.nodes[0].need);
	ceph_grace_free(&g);
}

/* From rados_grace_dump's format strings: a grace period in force, one node needing it; an
 * empty database; the largest epochs. */
static void from_source(void **state)
{
	struct ceph_grace g;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse("cur=3 rec=2\n" RULE "nfs.a.0\tNE\nnfs.a.1\t E\n", &g, &d), 0);
	assert_int_equal(g.rec, 2);
	assert_true(g.nodes[0].need && g.nodes[0].enforcing);
	assert_int_equal(ceph_grace_needing(&g), 1);
	ceph_grace_free(&g);
	assert_int_equal(parse("cur=1 rec=0\n" RULE, &g, &d), 0);
	assert_int_equal(g.n_nodes, 0);
	assert_null(g.nodes);
	ceph_grace_free(&g);
	assert_int_equal(parse("cur=18446744073709551615 rec=18446744073709551614\n" RULE, &g, &d),
			 0);
	assert_true(g.cur == UINT64_MAX);
	ceph_grace_free(&g);
}

static void refused(void **state)
{
	static const struct {
		const char *in, *msg;
		unsigned line;
	} bad[] = {
		{ "", "empty", 0 },
		{ "rados_grace_dump: ret=-2", "has no end", 1 },
		{ "cur=1 rec=0\n", "one line", 0 },
		{ "cur=1 rec=0\n=====\n", "line of '='", 2 },
		{ "cur=0 rec=0\n" RULE, "epoch is 0", 1 },
		{ "cur=1  rec=0\n" RULE, "expected \"cur=EPOCH", 1 },
		{ "cur=18446744073709551616 rec=0\n" RULE, "expected \"cur=EPOCH", 1 },
		{ "cur=-1 rec=0\n" RULE, "expected \"cur=EPOCH", 1 },
		{ "cur=1 rec=0\n" RULE "gw2 E\n", "NODEID<TAB>FLAGS", 3 },
		{ "cur=1 rec=0\n" RULE "gw2\tEN\n", "NODEID<TAB>FLAGS", 3 },
		{ "cur=1 rec=0\n" RULE "gw2\t E\r\n", "NODEID<TAB>FLAGS", 3 },
		{ "cur=1 rec=0\n" RULE "\t E\n", "NODEID<TAB>FLAGS", 3 },
		{ "cur=1 rec=0\n" RULE "g w\t E\n", "byte 2 of the node id is 0x20", 3 },
		{ "cur=1 rec=0\n" RULE "gw\x1b\t E\n", "0x1b", 3 },
		{ "cur=1 rec=0\n" RULE "gw2\t E\nsrv\t E\ngw2\tNE\n", "\"gw2\" listed twice", 5 },
		{ "cur=1 rec=0\n" RULE "gw2\t E", "has no end", 3 },
	};
	struct ceph_grace g;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct diag d = { 0 };
		assert_int_equal(parse(bad[i].in, &g, &d), -EBADMSG);
		if (!strstr(d.msg, bad[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, d.msg, bad[i].msg);
		assert_int_equal(d.line, bad[i].line);
		assert_null(g.nodes);
		assert_int_equal(g.n_nodes, 0);
	}
	/* A NUL byte anywhere. */
	struct diag d = { 0 };
	assert_int_equal(ceph_grace_parse("dump", "cur=1 rec=0\n\0", 13, &g, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "NUL"));
}

/* A node id of 255 bytes passes, 256 does not; 1024 nodes pass, 1025 do not. */
static void limits(void **state)
{
	struct buf b = { 0 };
	struct ceph_grace g;
	struct diag d = { 0 };

	(void)state;
	buf_printf(&b, "cur=1 rec=0\n" RULE "%0255d\t E\n", 7);
	assert_int_equal(ceph_grace_parse("dump", b.data, b.len, &g, &d), 0);
	assert_int_equal(strlen(g.nodes[0].nodeid), 255);
	ceph_grace_free(&g);
	buf_free(&b);
	buf_printf(&b, "cur=1 rec=0\n" RULE "%0256d\t E\n", 7);
	assert_int_equal(ceph_grace_parse("dump", b.data, b.len, &g, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "256 bytes"));
	buf_free(&b);

	buf_printf(&b, "cur=1 rec=0\n" RULE);
	for (int i = 0; i < CEPH_GRACE_MAX_NODES; i++)
		buf_printf(&b, "gw%d\t E\n", i);
	assert_int_equal(ceph_grace_parse("dump", b.data, b.len, &g, &d), 0);
	assert_int_equal(g.n_nodes, CEPH_GRACE_MAX_NODES);
	assert_ptr_equal(ceph_grace_find(&g, "gw1023"), &g.nodes[1023]);
	ceph_grace_free(&g);
	buf_printf(&b, "one-more\t E\n");
	assert_int_equal(ceph_grace_parse("dump", b.data, b.len, &g, &d), -EBADMSG);
	assert_int_equal(d.line, CEPH_GRACE_MAX_NODES + 3);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded),
		cmocka_unit_test(from_source),
		cmocka_unit_test(refused),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
