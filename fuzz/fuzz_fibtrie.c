/* SPDX-License-Identifier: MIT */
/* /proc/net/fib_trie. */
#include "fuzz.h"
#include "format/fibtrie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *a = NULL;
	struct diag d = { 0 };

	if (fib_trie_local_addrs("fuzz", (const char *)data, size, &a, &d) >= 0)
		free(a);
	return 0;
}
