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
	wsl_mode_normalize(s);
	_cleanup_free_ char *ver = NULL;
	unsigned build;
	wsl_parse_ver(second ? second : s, &ver, &build);
	cidr_parse(s, size & 1, &c);
	config_check_host(s);
	config_check_abs_path(s);
	config_check_mount_options(s);
	return 0;
}
