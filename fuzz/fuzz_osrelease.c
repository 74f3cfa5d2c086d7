/* SPDX-License-Identifier: MIT */
/* /etc/os-release. */
#include "fuzz.h"
#include "format/osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_release o;
	struct diag d = { 0 };

	/* A failure says why; each field kept is no longer than the input (unquoting and
	 * unescaping only shorten), and an ID of "debian" is Debian-like. */
	if (os_release_parse("fuzz", (const char *)data, size, &o, &d) == 0) {
		const char *f[] = { o.id, o.id_like, o.pretty_name, o.version_id };
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			FUZZ_ASSERT(!f[i] || strlen(f[i]) <= size);
		FUZZ_ASSERT(!o.id || strcmp(o.id, "debian") || os_release_is_debian_like(&o));
		os_release_free(&o);
	} else {
		FUZZ_ASSERT(d.msg[0]);
	}
	return 0;
}
