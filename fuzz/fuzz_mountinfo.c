/* SPDX-License-Identifier: MIT */
/* /proc/self/mountinfo: libmount's parse, then ours on what it yields (stacking, HOST:PATH
 * sources, clientaddr/addr/vers, the configured options against the mount's, what the
 * mount's options bound). */
#include "fuzz.h"
#include "mount/mountinfo.h"
#include "mount/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const targets[] = { "/opt/shared", "/", "/mnt" };
	struct diag d = { 0 };

	for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
		struct mount_stack s;
		if (mountinfo_parse("fuzz", (const char *)data, size, targets[t], &s, &d) < 0)
			continue;
		const struct mount_entry *top = mount_stack_top(&s);
		for (size_t i = 0; i < s.n; i++) {
			char **lines;
			size_t n = mount_options_diff(
				"_netdev,x-systemd.automount,soft,hard,timeo=150,vers=4,ro,noexec,tcp",
				&s.entries[i], &lines);
			mount_options_lines_free(lines, n);
			free(mount_options_bounds(s.entries[i].fs_options));
		}
		(void)top;
		mount_stack_free(&s);
	}
	/* The source splitter on the raw input too (sources come from mountinfo and fstab). */
	char *str = fuzz_cstr(data, size), *h = NULL, *p = NULL;
	if (mount_source_split(str, &h, &p) == 0) {
		free(h);
		free(p);
	}
	free(str);
	return 0;
}
