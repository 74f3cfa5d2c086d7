/* SPDX-License-Identifier: MIT */
/* meshnfs.conf over the defaults. */
#include "fuzz.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c = { 0 };
	struct diag d = { 0 };

	config_defaults(&c);
	if (config_parse("fuzz", (const char *)data, size, &c, &d) < 0 && !d.msg[0])
		abort(); /* every failure must say why */
	config_free(&c);
	return 0;
}
