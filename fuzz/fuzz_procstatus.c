/* SPDX-License-Identifier: MIT */
/* /proc/PID/status and /proc/PID/wchan. */
#include "fuzz.h"

#include <ctype.h>
#include "format/procstatus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status s;
	struct diag d = { 0 };
	char w[64];

	/* State is one of the kernel's letters, the name a bounded string, ppid -1 or a pid; the
	 * wchan a symbol name (letters, digits, '_', '.') taken from the input, or "". */
	if (proc_status_parse("fuzz", (const char *)data, size, &s, &d) == 0) {
		FUZZ_ASSERT(s.state && strchr("RSDZTtXxIPWK", s.state));
		FUZZ_ASSERT(strnlen(s.name, sizeof(s.name)) < sizeof(s.name));
		FUZZ_ASSERT(s.ppid >= -1);
		FUZZ_ASSERT(proc_state_name(s.state) != NULL);
	} else {
		FUZZ_ASSERT(d.msg[0]);
	}
	if (proc_wchan_parse((const char *)data, size, w, sizeof(w)) == 0) {
		size_t n = strnlen(w, sizeof(w));
		FUZZ_ASSERT(n < sizeof(w) && n <= size);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(isalnum((unsigned char)w[i]) || w[i] == '_' || w[i] == '.');
		FUZZ_ASSERT(n == 0 || memmem(data, size, w, n) != NULL);
	}
	return 0;
}
