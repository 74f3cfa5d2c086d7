/* SPDX-License-Identifier: MIT */
/* /proc/fs/nfsd/clients/ID/info (kernel nfsd's NFSv4 clients). */
#include "fuzz.h"

#include <sys/socket.h>
#include "format/nfsdclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfsd_client c;
	struct diag d = { 0 };
	char b[64];

	/* Accepted: an address family and port were read, the strings are no longer than the
	 * input, the host of a Linux id is a non-empty part of the name; refused: a message, and
	 * nothing left to free. Lines are bounded. */
	if (nfsd_client_parse("fuzz", (const char *)data, size, &c, &d) == 0) {
		FUZZ_ASSERT(c.family == AF_INET || c.family == AF_INET6);
		FUZZ_ASSERT(fuzz_lines(data, size) <= NFSD_CLIENT_MAX_LINES + 1);
		FUZZ_ASSERT(c.minor_version >= -1 && c.minor_version <= 255);
		FUZZ_ASSERT(!c.name || strlen(c.name) < size);
		FUZZ_ASSERT(!c.impl_name || strlen(c.impl_name) < size);
		if (nfsd_client_linux_host(&c, b, sizeof(b))) {
			FUZZ_ASSERT(b[0] && strstr(c.name, b));
		}
		nfsd_client_addr_format(&c, b, sizeof(b));
		FUZZ_ASSERT(b[0]);
		nfsd_client_free(&c);
	} else {
		FUZZ_ASSERT(d.msg[0]);
		FUZZ_ASSERT(!c.name && !c.impl_name);
	}
	return 0;
}
