/* SPDX-License-Identifier: MIT */
/* /etc/os-release. */
#include "fuzz.h"
#include "format/osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_release o;
	struct diag d = { 0 };

	if (os_release_parse("fuzz", (const char *)data, size, &o, &d) == 0) {
		os_release_is_debian_like(&o);
		os_release_free(&o);
	}
	return 0;
}
