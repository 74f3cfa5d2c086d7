/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/format_private.h"
#include "format/ini.h"

#include <errno.h>

static void parses_sections_keys_comments_quotes(void **state)
{
	(void)state;
	const char *s = "# top comment\n; another\nroot = 1\n[wsl2]\r\n"
			"  networkingMode =  mirrored  # inline\r\n"
			"memory=8GB ; half\n[boot]\nsystemd = \"true\"\n\n[empty]\n";
	struct ini_doc doc = { 0 };
	struct diag d = { 0 };
	unsigned line = 0;

	assert_int_equal(ini_parse_buffer("f", s, strlen(s), false, &doc, &d), 0);
	assert_int_equal(doc.n_entries, 4);
	assert_str(ini_doc_get(&doc, "", "root", NULL), "1");
	assert_str(ini_doc_get(&doc, "WSL2", "networkingmode", &line), "mirrored");
	assert_int_equal(line, 5);
	assert_str(ini_doc_get(&doc, "wsl2", "memory", NULL), "8GB");
	assert_str(ini_doc_get(&doc, "boot", "systemd", NULL), "true");
	assert_null(ini_doc_get(&doc, "boot", "nope", NULL));
	assert_int_equal(doc.n_sections, 3);
	assert_str(doc.sections[2].section, "empty");
	assert_int_equal(doc.sections[2].line, 10);
	ini_doc_free(&doc);
}

static void later_value_wins_and_hash_inside_value_kept(void **state)
{
	(void)state;
	const char *s = "[a]\nk=1\nk=2\nurl=http://x/#frag\nq=\"a # b\"\n";
	struct ini_doc doc = { 0 };

	assert_int_equal(ini_parse_buffer("f", s, strlen(s), false, &doc, NULL), 0);
	assert_str(ini_doc_get(&doc, "a", "k", NULL), "2");
	assert_str(ini_doc_get(&doc, "a", "url", NULL), "http://x/#frag");
	assert_str(ini_doc_get(&doc, "a", "q", NULL), "a # b");
	ini_doc_free(&doc);
}

static void strict_errors_name_line_and_token(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ "[a]\nthis is not a pair\n", 2, "expected \"key = value\", got \"this is not a pair\"" },
		{ "[a\n", 1, "section header without closing ']': \"[a\"" },
		{ "[a] x\n", 1, "text after section header: \"[a] x\"" },
		{ "[]\n", 1, "empty section name: \"[]\"" },
		{ "[a]\n= v\n", 2, "missing key before '=' in \"=v\"" },
		{ "[a]\nk y = v\n", 2, "invalid key \"k y\"" },
		{ "[a]\nk = \"v\n", 2, "unbalanced quote in value \"\"v\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ini_doc doc = { 0 };
		struct diag d = { 0 };
		int r = ini_parse_buffer("x.conf", cases[i].text, strlen(cases[i].text), false, &doc, &d);
		assert_int_equal(r, -EBADMSG);
		assert_int_equal(d.line, cases[i].line);
		assert_str(d.msg, cases[i].msg);
		assert_str(d.file, "x.conf");
		ini_doc_free(&doc);
	}
}

static void lenient_keeps_bad_lines_as_findings(void **state)
{
	(void)state;
	const char *s = "[wsl2]\ngarbage line\nnetworkingMode=nat\n";
	struct ini_doc doc = { 0 };

	assert_int_equal(ini_parse_buffer("f", s, strlen(s), true, &doc, NULL), 0);
	assert_int_equal(doc.n_bad, 1);
	assert_int_equal(doc.bad[0].line, 2);
	assert_str(ini_doc_get(&doc, "wsl2", "networkingMode", NULL), "nat");
	ini_doc_free(&doc);
}

static void nul_and_long_lines_fail_even_lenient(void **state)
{
	(void)state;
	char big[INI_MAX_LINE + 10];
	struct ini_doc doc = { 0 };
	struct diag d = { 0 };

	assert_int_equal(ini_parse_buffer("f", "[a]\nk=v\0x\n", 10, true, &doc, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	ini_doc_free(&doc);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ini_parse_buffer("f", big, sizeof(big), true, &doc, &d), -EBADMSG);
	ini_doc_free(&doc);
}

static void bools(void **state)
{
	(void)state;
	assert_int_equal(ini_parse_bool("TRUE"), 1);
	assert_int_equal(ini_parse_bool("yes"), 1);
	assert_int_equal(ini_parse_bool("0"), 0);
	assert_int_equal(ini_parse_bool("Off"), 0);
	assert_int_equal(ini_parse_bool("maybe"), -EINVAL);
	assert_int_equal(ini_parse_bool(""), -EINVAL);
}

/* The grammar the editor shares: where a value's comment starts, and what a key is. */
static void shared_grammar(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		size_t at;
	} cases[] = {
		{ "mirrored # the guide", 9 }, { "mirrored\t; why", 9 }, { "a#b;c", 5 },
		{ "\"a # b\" # c", 8 },       { "# all comment", 13 },  { "", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(ini_comment_at(cases[i].value, strlen(cases[i].value)), cases[i].at);
	assert_true(ini_key_char('.') && ini_key_char('-') && ini_key_char('_') && ini_key_char('Z'));
	assert_false(ini_key_char(' ') || ini_key_char('=') || ini_key_char('['));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_sections_keys_comments_quotes),
		cmocka_unit_test(later_value_wins_and_hash_inside_value_kept),
		cmocka_unit_test(strict_errors_name_line_and_token),
		cmocka_unit_test(lenient_keeps_bad_lines_as_findings),
		cmocka_unit_test(nul_and_long_lines_fail_even_lenient),
		cmocka_unit_test(bools),
		cmocka_unit_test(shared_grammar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
