/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "node/node.h"

#include <errno.h>

static void windows_ver(void **state)
{
	(void)state;
	static const struct {
		const char *out, *version;
		unsigned build;
	} ok[] = {
		/* cmd.exe's `ver` starts with an empty line; the word is localized (French
		 * Windows writes "version"), the bracket and the number are not. */
		{ "\r\nMicrosoft Windows [Version 10.0.19045.4717]\r\n", "10.0.19045.4717", 19045 },
		{ "\r\nMicrosoft Windows [version 10.0.22631.2861]\r\n", "10.0.22631.2861", 22631 },
		{ "Microsoft Windows [Version 10.0.26100]\r\n", "10.0.26100", 26100 },
	};
	static const char *const bad[] = { "", "Microsoft Windows\r\n", "[Version ]",
					   "[Version 10.0]", "[Version 10.0.x.1]", "[Version 10.0.1.2 ]",
					   "[Version -1.0.19045]" };
	char *v;
	unsigned build;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(wsl_parse_ver(ok[i].out, &v, &build), 0);
		assert_str(v, ok[i].version);
		assert_int_equal(build, ok[i].build);
		free(v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(wsl_parse_ver(bad[i], &v, &build), -EBADMSG);
	assert_true(19045 < WSL_MIRRORED_MIN_BUILD && 22631 >= WSL_MIRRORED_MIN_BUILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows_ver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
