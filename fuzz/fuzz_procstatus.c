/* SPDX-License-Identifier: MIT */
/* /proc/PID/status and /proc/PID/wchan. */
#include "fuzz.h"
#include "format/procstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status s;
	struct diag d = { 0 };
	char w[64];

	(void)proc_status_parse("fuzz", (const char *)data, size, &s, &d);
	(void)proc_wchan_parse((const char *)data, size, w, sizeof(w));
	return 0;
}
