/* SPDX-License-Identifier: MIT */
/* /proc/self/mountinfo: libmount's parse, then ours on what it yields (stacking, HOST:PATH
 * sources, clientaddr/addr/vers, the configured options against the mount's, what the
 * mount's options bound). */
#include "fuzz.h"
#include "mount/mountinfo.h"
#include "mount/options.h"

/* Whether another mount of the stack sits on e (names e as its parent). */
static bool covered(const struct mount_stack *s, const struct mount_entry *e)
{
	for (size_t i = 0; i < s->n; i++)
		if (&s->entries[i] != e && s->entries[i].parent_id == e->id)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const targets[] = { "/opt/shared", "/", "/mnt" };
	struct diag d = { 0 };

	for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
		struct mount_stack s;
		if (mountinfo_parse("fuzz", (const char *)data, size, targets[t], &s, &d) < 0)
			continue;
		const struct mount_entry *top = mount_stack_top(&s);
		/* At most one mount per line; the top is one of the stack's mounts, and one that
		 * no other mount covers (its parent) whenever such a mount exists; a server is
		 * only split from a HOST:PATH source, and the splitter agrees. */
		FUZZ_ASSERT(s.n <= fuzz_lines(data, size));
		FUZZ_ASSERT((top == NULL) == (s.n == 0));
		FUZZ_ASSERT(!top || (top >= s.entries && top < s.entries + s.n));
		if (top && covered(&s, top))
			for (size_t i = 0; i < s.n; i++)
				FUZZ_ASSERT(covered(&s, &s.entries[i]));
		FUZZ_ASSERT(!s.bad_line || s.bad.msg[0]);
		for (size_t i = 0; i < s.n; i++) {
			const struct mount_entry *e = &s.entries[i];
			FUZZ_ASSERT(e->target && e->fstype);
			if (e->server) {
				char *h = NULL, *p = NULL;
				FUZZ_ASSERT(e->source && mount_source_split(e->source, &h, &p) == 0);
				FUZZ_ASSERT(!strcmp(h, e->server));
				free(h);
				free(p);
			}
		}
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
		/* Host and path come from the source, and the path is absolute. */
		FUZZ_ASSERT(h[0] && p[0] == '/' && strlen(h) + strlen(p) < strlen(str) + 1);
		free(h);
		free(p);
	}
	free(str);
	return 0;
}
