/* SPDX-License-Identifier: MIT */
/* /proc/net/fib_trie. */
#include "fuzz.h"

#include <errno.h>
#include "format/fibtrie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *a = NULL;
	struct diag d = { 0 };
	int n = fib_trie_local_addrs("fuzz", (const char *)data, size, &a, &d);

	/* A failure is bad input, said; a count is at most one per "/32 host LOCAL" leaf, and
	 * the addresses are deduplicated. */
	if (n < 0) {
		FUZZ_ASSERT(n == -EBADMSG && d.msg[0]);
		return 0;
	}
	FUZZ_ASSERT((size_t)n <= fuzz_count(data, size, "/32 host LOCAL"));
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			FUZZ_ASSERT(a[i] != a[j]);
	free(a);
	return 0;
}
