/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/fibtrie.h"

#include <errno.h>

/* As `cat /proc/net/fib_trie` printed it in a namespace holding 100.64.0.3/10 on lo. */
static const char sample[] = "Main:\n"
			     "  +-- 0.0.0.0/0 3 0 5\n"
			     "     +-- 100.64.0.0/10 2 0 2\n"
			     "        |-- 100.64.0.0\n"
			     "           /10 link UNICAST\n"
			     "        |-- 100.64.0.3\n"
			     "           /32 host LOCAL\n"
			     "     +-- 127.0.0.0/8 2 0 2\n"
			     "        |-- 127.0.0.1\n"
			     "           /32 host LOCAL\n"
			     "        |-- 127.255.255.255\n"
			     "           /32 link BROADCAST\n"
			     "Local:\n"
			     "  +-- 0.0.0.0/0 3 0 5\n"
			     "        |-- 100.64.0.3\n"
			     "           /32 host LOCAL\n";

static void local_addresses_deduplicated(void **state)
{
	(void)state;
	uint32_t *a = NULL;
	int n = fib_trie_local_addrs("f", sample, sizeof(sample) - 1, &a, NULL);

	assert_int_equal(n, 2);
	assert_int_equal(a[0], 0x64400003u);
	assert_int_equal(a[1], 0x7f000001u);
	free(a);
}

static void rejects_other_text(void **state)
{
	(void)state;
	uint32_t *a = NULL;
	struct diag d = { 0 };
	const char *bad = "Main:\n  |-- 100.64.0.300\n";

	assert_int_equal(fib_trie_local_addrs("f", bad, strlen(bad), &a, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	assert_int_equal(fib_trie_local_addrs("f", "hello world\n", 12, &a, &d), -EBADMSG);
	assert_int_equal(fib_trie_local_addrs("f", "", 0, &a, &d), 0);
	free(a);
}

/* 160k leaves (80k addresses, each twice, as Main and Local list them): the table,
 * which took 4.3 s with a scan per address (minutes under ASan). Every address once, in the
 * order of first appearance; the cap is said. Speed figures: bench/README.md. */
static void many_leaves(void **state)
{
	struct buf b = { 0 };
	uint32_t *a = NULL;
	struct diag d = { 0 };
	int n;

	(void)state;
	buf_append(&b, "Main:\n", 6);
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < 80000; i++)
			buf_printf(&b, "        |-- 100.%u.%u.%u\n           /32 host LOCAL\n",
				   64 + (i >> 16), (i >> 8) & 0xff, i & 0xff);
	n = fib_trie_local_addrs("f", b.data, b.len, &a, &d);
	assert_int_equal(n, 80000);
	assert_int_equal(a[0], 0x64400000u);
	assert_int_equal(a[79999], 0x64400000u + 79999);
	free(a);
	buf_free(&b);

	for (uint32_t i = 0; i <= FIBTRIE_MAX_ADDRS; i++)
		buf_printf(&b, "|-- 10.%u.%u.%u\n/32 host LOCAL\n", i >> 16, (i >> 8) & 0xff, i & 0xff);
	assert_int_equal(fib_trie_local_addrs("f", b.data, b.len, &a, &d), -EBADMSG);
	assert_str(d.msg, "more than 262144 local addresses: not read further");
	assert_int_equal(d.line, 2 * FIBTRIE_MAX_ADDRS + 2);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_addresses_deduplicated),
		cmocka_unit_test(rejects_other_text),
		cmocka_unit_test(many_leaves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
