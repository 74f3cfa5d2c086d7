/* SPDX-License-Identifier: MIT */
/* What the kernel, wslinfo and `cmd.exe /c ver` print: kind detection, mode names, the
 * Windows version, CIDR and host validation (the input is split at the first newline into
 * two strings). */
#include "fuzz.h"
#include "config/config.h"
#include "node/node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_cstr(data, size), *reason = NULL;
	char *second = strchr(s, '\n');
	struct cidr c;

	if (second)
		*second++ = '\0';
	node_kind_from(s, second, size & 1, size & 2, &reason);
	FUZZ_ASSERT(reason && reason[0] && !strchr(reason, '\n')); /* a one-line reason */
	/* A normalised mode is a fixed name, and normalising it again gives it back. */
	const char *mode = wsl_mode_normalize(s);
	FUZZ_ASSERT(!mode || (fuzz_printable(mode) && wsl_mode_normalize(mode) &&
			     !strcmp(wsl_mode_normalize(mode), mode)));
	_cleanup_free_ char *ver = NULL;
	unsigned build;
	if (wsl_parse_ver(second ? second : s, &ver, &build) == 0)
		FUZZ_ASSERT(ver && strlen(ver) <= size);
	/* A range that parses formats as text that parses to the same range. */
	if (cidr_parse(s, size & 1, &c) == 0) {
		char buf[32];
		struct cidr c2;
		cidr_format(&c, buf, sizeof(buf));
		FUZZ_ASSERT(cidr_parse(buf, true, &c2) == 0 && c2.addr == c.addr &&
			    c2.prefix == c.prefix);
	}
	config_check_host(s);
	config_check_abs_path(s);
	config_check_mount_options(s);
	return 0;
}
