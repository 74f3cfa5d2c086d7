/* SPDX-License-Identifier: MIT */
/* meshnfs.conf over the defaults. */
#include "fuzz.h"
#include "config/config.h"
#include "format/mnttab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c = { 0 };
	struct diag d = { 0 };

	config_defaults(&c);
	if (config_parse("fuzz", (const char *)data, size, &c, &d) < 0) {
		if (!d.msg[0])
			abort(); /* every failure must say why */
	} else {
		/* Shares: a header each at most; each one complete, no mount point twice. */
		size_t n = config_n_shares(&c);
		FUZZ_ASSERT(c.n_shares <= size / 8);
		for (size_t i = 0; i < n; i++) {
			struct config_share s;
			config_share_get(&c, i, &s);
			FUZZ_ASSERT(s.name && s.export_path && s.mountpoint && s.options);
			FUZZ_ASSERT(s.n_servers >= 1 && s.n_servers <= CONFIG_SHARE_MAX_SERVERS);
			FUZZ_ASSERT(config_share_find(&c, s.name) == (int)i);
			for (size_t j = 0; j < i; j++) {
				struct config_share o;
				config_share_get(&c, j, &o);
				FUZZ_ASSERT(!mnttab_path_eq(o.mountpoint, s.mountpoint));
			}
		}
	}
	config_free(&c);
	return 0;
}
