/* SPDX-License-Identifier: MIT */
/* `tailscale ping` output (format/tsping.h), the local CLI's or tailscale.exe's. */
#include "fuzz.h"
#include "format/tsping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_ping r;
	struct diag d = { 0 };
	int64_t us;

	if (ts_ping_parse("fuzz", (const char *)data, size, &r, &d) == 0) {
		/* Every pong, timeout and local line is a line of its own. */
		FUZZ_ASSERT(r.pongs + r.timeouts + (r.local ? 1 : 0) <= fuzz_lines(data, size));
		FUZZ_ASSERT(r.pongs <= fuzz_count(data, size, "pong from "));
		FUZZ_ASSERT((r.pongs == 0) == (r.via == TS_VIA_NONE));
		FUZZ_ASSERT(r.latency_us >= 0);
		FUZZ_ASSERT(strlen(r.name) < sizeof(r.name) && strlen(r.ip) < sizeof(r.ip));
		FUZZ_ASSERT(r.pongs == 0 || r.ip[0]);
	} else {
		FUZZ_ASSERT(d.line >= 1 && d.line <= fuzz_lines(data, size));
		FUZZ_ASSERT(d.msg[0]);
	}
	ts_go_duration_us((const char *)data, size, &us);
	return 0;
}
