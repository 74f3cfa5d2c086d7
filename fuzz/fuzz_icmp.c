/* SPDX-License-Identifier: MIT */
/* What an ICMP socket returns (format/icmp.h), with and without the IP header. */
#include "fuzz.h"
#include "format/icmp.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t id = 0, seq = 0;

	for (int with_ip = 0; with_ip < 2; with_ip++) {
		int r = icmp_echo_reply_parse(data, size, with_ip, &id, &seq);
		FUZZ_ASSERT(r == 0 || r == -ENOMSG || r == -EBADMSG);
		FUZZ_ASSERT(r == -EBADMSG || size >= (size_t)(with_ip ? 28 : 8));
	}
	{
		int r = icmp6_echo_reply_parse(data, size, &id, &seq);
		FUZZ_ASSERT(r == 0 || r == -ENOMSG || r == -EBADMSG);
		FUZZ_ASSERT((r == -EBADMSG) == (size < 8));
		FUZZ_ASSERT(r != 0 || (data[0] == 129 && id == (data[4] << 8 | data[5])));
	}
	/* A request built here, turned into its reply, parses back to its id and seq. */
	if (size >= 4 && size < 2000) {
		uint8_t b[2048];
		uint16_t i0 = (uint16_t)(data[0] << 8 | data[1]), s0 = (uint16_t)(data[2] << 8 | data[3]);
		size_t n = icmp_echo_build(b, sizeof(b), i0, s0, size);
		FUZZ_ASSERT(n == (size >= 8 ? size : 0));
		if (n) {
			FUZZ_ASSERT(icmp_checksum(b, n) == 0);
			b[0] = 0;
			FUZZ_ASSERT(icmp_echo_reply_parse(b, n, false, &id, &seq) == 0);
			FUZZ_ASSERT(id == i0 && seq == s0);
		}
		n = icmp6_echo_build(b, sizeof(b), i0, s0, size);
		FUZZ_ASSERT(n == (size >= 8 ? size : 0));
		if (n) {
			FUZZ_ASSERT(b[0] == 128 && b[2] == 0 && b[3] == 0);
			b[0] = 129;
			FUZZ_ASSERT(icmp6_echo_reply_parse(b, n, &id, &seq) == 0);
			FUZZ_ASSERT(id == i0 && seq == s0);
		}
	}
	return 0;
}
