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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_addresses_deduplicated),
		cmocka_unit_test(rejects_other_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
