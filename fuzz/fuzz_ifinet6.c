/* SPDX-License-Identifier: MIT */
/* /proc/net/if_inet6. */
#include "fuzz.h"

#include <errno.h>
#include "format/ifinet6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifinet6 *a = NULL;
	struct diag d = { 0 };
	int n = if_inet6_parse("fuzz", (const char *)data, size, &a, &d);

	/* A failure is bad input, said, with nothing returned; a count is at most one per line,
	 * every field within what the kernel prints. */
	if (n < 0) {
		FUZZ_ASSERT(n == -EBADMSG && d.msg[0] && d.line >= 1 && !a);
		return 0;
	}
	FUZZ_ASSERT((size_t)n <= fuzz_lines(data, size) && n <= IFINET6_MAX_ADDRS);
	FUZZ_ASSERT(n > 0 || !a);
	for (int i = 0; i < n; i++) {
		size_t k = strlen(a[i].ifname);
		FUZZ_ASSERT(k > 0 && k < sizeof(a[i].ifname) && str_is_printable(a[i].ifname, k));
		FUZZ_ASSERT(a[i].prefix <= 128 && a[i].scope <= 0xff && a[i].flags <= 0xff);
		FUZZ_ASSERT(!strpbrk(a[i].ifname, " /:"));
	}
	free(a);
	return 0;
}
