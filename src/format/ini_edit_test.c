/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/ini.h"
#include "format/ini_edit.h"

#include <errno.h>

static bool typo(const char *key)
{
	return strcasecmp(key, "networkMode") == 0;
}

static const struct ini_set mode = { .section = "wsl2", .key = "networkingMode",
				     .value = "mirrored", .is_typo = typo };

static void check(const char *in, bool crlf, const char *want, enum ini_set_action action,
		  unsigned line)
{
	struct buf out = { 0 };
	struct ini_set_result res;
	struct diag d = { 0 };

	assert_int_equal(ini_set("f", in, strlen(in), &mode, crlf, &out, &res, &d), 0);
	assert_str(out.data, want);
	assert_int_equal(res.action, action);
	assert_int_equal(res.line, line);
	/* Idempotent: the result, edited again, is unchanged. */
	struct buf again = { 0 };
	assert_int_equal(ini_set("f", out.data, out.len, &mode, crlf, &again, &res, &d), 0);
	assert_str(again.data, want);
	assert_int_equal(res.action, INI_SET_UNCHANGED);
	buf_free(&out);
	buf_free(&again);
}

static void replaces_the_value_only(void **state)
{
	(void)state;
	/* Spacing around '=', key spelling, inline comment and other lines stay. */
	check("# WSL settings\r\n[wsl2]\r\nmemory=8GB\r\n  NetworkingMode = nat   # was NAT\r\n", true,
	      "# WSL settings\r\n[wsl2]\r\nmemory=8GB\r\n  NetworkingMode = mirrored   # was NAT\r\n",
	      INI_SET_REPLACED, 4);
	/* Quoted values keep their quotes; the last of two lines is the one WSL uses. */
	check("[wsl2]\nnetworkingMode=nat\nnetworkingMode=\"bridged\"\n", false,
	      "[wsl2]\nnetworkingMode=nat\nnetworkingMode=\"mirrored\"\n", INI_SET_REPLACED, 3);
	/* Already right (any case): not touched. */
	check("[WSL2]\nnetworkingMode=Mirrored", false, "[WSL2]\nnetworkingMode=Mirrored",
	      INI_SET_UNCHANGED, 2);
}

static void rewrites_a_typo(void **state)
{
	(void)state;
	check("[wsl2]\r\nnetworkMode=mirrored ; typo\r\nswap=0\r\n", true,
	      "[wsl2]\r\nnetworkingMode=mirrored ; typo\r\nswap=0\r\n", INI_SET_RENAMED, 2);
	/* A typo outside the section is not this key. */
	check("[experimental]\nnetworkMode=mirrored\n[wsl2]\nswap=0\n", false,
	      "[experimental]\nnetworkMode=mirrored\n[wsl2]\nnetworkingMode=mirrored\nswap=0\n",
	      INI_SET_INSERTED, 4);
}

static void inserts_or_appends(void **state)
{
	(void)state;
	check("[wsl2] # core\r\nmemory=4GB\r\n", true,
	      "[wsl2] # core\r\nnetworkingMode=mirrored\r\nmemory=4GB\r\n", INI_SET_INSERTED, 2);
	check("[wsl2]", false, "[wsl2]\nnetworkingMode=mirrored", INI_SET_INSERTED, 2);
	check("[experimental]\r\nsparseVhd=true", true,
	      "[experimental]\r\nsparseVhd=true\r\n\r\n[wsl2]\r\nnetworkingMode=mirrored\r\n",
	      INI_SET_APPENDED, 5);
	check("", true, "[wsl2]\r\nnetworkingMode=mirrored\r\n", INI_SET_APPENDED, 2);
	/* Comments that look like keys or headers are comments. */
	check("# [wsl2]\n; networkingMode=nat\n", false,
	      "# [wsl2]\n; networkingMode=nat\n\n[wsl2]\nnetworkingMode=mirrored\n",
	      INI_SET_APPENDED, 5);
}

/* mutation run 6: header_name taking "[a/b]" as a header (its check of the name's
 * characters made to return true, before the name is copied, so the section stayed
 * [wsl2]) moved the insertion point under the bad line: the key landed after "[a/b]"
 * instead of right after "[wsl2]". A bad header neither opens nor ends a section. */
static void a_bad_header_is_not_a_section(void **state)
{
	(void)state;
	check("[wsl2]\n[a/b]\nmemory=4GB\n", false,
	      "[wsl2]\nnetworkingMode=mirrored\n[a/b]\nmemory=4GB\n", INI_SET_INSERTED, 2);
	check("[wsl2]\r\n[ bad@name ] # x\r\nnetworkingMode=nat\r\n", true,
	      "[wsl2]\r\n[ bad@name ] # x\r\nnetworkingMode=mirrored\r\n", INI_SET_REPLACED, 3);
}

static void bad_input(void **state)
{
	(void)state;
	struct buf out = { 0 };
	struct ini_set_result res;
	struct diag d = { 0 };
	char big[INI_MAX_LINE + 20];

	assert_int_equal(ini_set("f", "[wsl2]\n\0x\n", 10, &mode, false, &out, &res, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ini_set("f", big, sizeof(big), &mode, false, &out, &res, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "longer than"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replaces_the_value_only),
		cmocka_unit_test(rewrites_a_typo),
		cmocka_unit_test(inserts_or_appends),
		cmocka_unit_test(a_bad_header_is_not_a_section),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
