/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "node/wslconfig.h"

static void lint(const char *text, struct ini_doc *doc, struct wslcfg_lint *l)
{
	struct diag d = { 0 };

	*doc = (struct ini_doc){ 0 };
	assert_int_equal(ini_parse_buffer(".wslconfig", text, strlen(text), true, doc, &d), 0);
	wslconfig_lint(doc, l);
}

static void clean_file(void **state)
{
	(void)state;
	struct ini_doc doc;
	struct wslcfg_lint l;

	/* As in microsoft/WSL#12161: inline comments after the header and the value. */
	lint("[wsl2]                      # Core configuration\n"
	     "memory=4GB                  # Limit memory\n"
	     "networkingMode=mirrored     # Enable the mirrored networking feature\n"
	     "[experimental]\nsparseVhd=true\n",
	     &doc, &l);
	assert_int_equal(l.n, 0);
	assert_str(l.mode, "mirrored");
	assert_int_equal(l.mode_line, 3);
	wslcfg_lint_free(&l);
	ini_doc_free(&doc);
}

static void every_mistake(void **state)
{
	(void)state;
	struct ini_doc doc;
	struct wslcfg_lint l;

	lint("[wsl2]\n"
	     "networkMode=mirrored\n"      /* 2: typo */
	     "[experimental]\n"
	     "networkingMode=mirrored\n"   /* 4: misplaced (the WSL 2.0 preview place) */
	     "[wsl]\n"                     /* 5: section typo */
	     "[boot]\n"
	     "systemd=true\n"              /* 7: belongs in wsl.conf */
	     "[WSL2]\n"
	     "networkingMode=mirror\n"     /* 9: bad value */
	     "networkingmode=NAT\n",       /* 10: duplicate (valid) */
	     &doc, &l);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.v[0].kind, WSLCFG_SECTION);
	assert_int_equal(l.v[0].line, 5);
	assert_int_equal(l.v[1].kind, WSLCFG_TYPO);
	assert_int_equal(l.v[1].line, 2);
	assert_str(l.v[1].fix, "networkingMode=mirrored");
	assert_non_null(strstr(l.v[1].msg, "\"networkMode\" is not a WSL setting"));
	assert_int_equal(l.v[2].kind, WSLCFG_MISPLACED);
	assert_int_equal(l.v[2].line, 4);
	assert_non_null(strstr(l.v[2].msg, "under [experimental]"));
	assert_int_equal(l.v[3].kind, WSLCFG_WRONG_FILE);
	assert_int_equal(l.v[3].line, 7);
	assert_non_null(strstr(l.v[3].msg, "Unknown key 'boot.systemd'"));
	assert_int_equal(l.v[4].kind, WSLCFG_BAD_VALUE);
	assert_int_equal(l.v[4].line, 9);
	assert_str(l.v[4].fix, "networkingMode=mirrored");
	assert_int_equal(l.v[5].kind, WSLCFG_DUPLICATE);
	assert_int_equal(l.v[5].line, 10);
	assert_str(l.mode, "NAT"); /* the last one counts */
	wslcfg_lint_free(&l);
	ini_doc_free(&doc);
}

static void typo_detection(void **state)
{
	(void)state;
	static const char *const typos[] = { "networkMode", "networking_mode", "networkingmod",
					     "netwrokingMode", "NetworkingModes", "networking-mode" };
	static const char *const fine[] = { "networkingMode", "NETWORKINGMODE", "dnsTunneling",
					    "memory", "localhostForwarding", "kernelCommandLine" };

	for (size_t i = 0; i < ARRAY_SIZE(typos); i++)
		assert_true(wslconfig_key_is_typo(typos[i]));
	for (size_t i = 0; i < ARRAY_SIZE(fine); i++)
		assert_false(wslconfig_key_is_typo(fine[i]));
	assert_int_equal(strcase_distance("networkMode", "networkingMode"), 3);
	assert_int_equal(strcase_distance("ab", "BA"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_file),
		cmocka_unit_test(every_mistake),
		cmocka_unit_test(typo_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
