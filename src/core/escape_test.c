/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "core/core_private.h"
#include "core/escape.h"

static void expect(const char *in, size_t n, unsigned flags, const char *want)
{
	struct buf b = { 0 };

	assert_int_equal(escape_append(&b, in, n, flags), n);
	assert_str(b.data, want);
	buf_free(&b);
}

static void test_controls(void **state)
{
	(void)state;
	/* an OSC title change and a CSI colour, as os-release or a node name could carry them */
	expect("a\033]0;pwned\007b", 12, 0, "a\\x1b]0;pwned\\ab");
	expect("\033[31mred", 8, 0, "\\x1b[31mred");
	expect("x\ty\nz\r", 6, 0, "x\\ty\\nz\\r");
	expect("x\ty\nz\r", 6, ESC_KEEP_LAYOUT, "x\ty\nz\\r");
	expect("\x7f\x01\x00", 3, 0, "\\x7f\\x01\\x00");
	expect("back\\slash", 10, 0, "back\\slash");
}

static void test_c1_bidi_utf8(void **state)
{
	(void)state;
	/* C1 CSI as UTF-8 (U+009B) and as a raw byte (not UTF-8) */
	expect("\xc2\x9b" "31m", 5, 0, "\\u009b31m");
	expect("\x9b" "31m", 4, 0, "\\x9b31m");
	/* bidi override (Trojan Source), isolates, marks */
	expect("\xe2\x80\xae" "exe.txt", 10, 0, "\\u202eexe.txt");
	expect("\xe2\x81\xa6" "\xe2\x81\xa9", 6, 0, "\\u2066\\u2069");
	expect("\xe2\x80\x8f", 3, 0, "\\u200f");
	/* each escaped range to its first and last code point, its neighbours kept (mutation run
	 * 14: cp_escaped's `c >= 0x80` made `>` let U+0080 through) */
	expect("\xc2\x80" "\xc2\x9f" "\xc2\xa0", 6, 0, "\\u0080\\u009f\xc2\xa0");
	expect("\xd8\x9b" "\xd8\x9c" "\xd8\x9d", 6, 0, "\xd8\x9b\\u061c\xd8\x9d");
	expect("\xe2\x80\x8d" "\xe2\x80\x8e" "\xe2\x80\x90", 9, 0,
	       "\xe2\x80\x8d\\u200e\xe2\x80\x90");
	expect("\xe2\x80\xa7" "\xe2\x80\xa8" "\xe2\x80\xae" "\xe2\x80\xaf", 12, 0,
	       "\xe2\x80\xa7\\u2028\\u202e\xe2\x80\xaf");
	expect("\xe2\x81\xa5" "\xe2\x81\xa6" "\xe2\x81\xa9" "\xe2\x81\xaa", 12, 0,
	       "\xe2\x81\xa5\\u2066\\u2069\xe2\x81\xaa");
	/* printable UTF-8 stays */
	expect("Café ÉTAT 東京 🙂", strlen("Café ÉTAT 東京 🙂"), 0, "Café ÉTAT 東京 🙂");
	/* invalid: Latin-1, overlong, surrogate, beyond U+10FFFF, truncated */
	expect("caf\xe9", 4, 0, "caf\\xe9");
	expect("\xc0\xaf", 2, 0, "\\xc0\\xaf");
	expect("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");
	expect("\xf4\x90\x80\x80", 4, 0, "\\xf4\\x90\\x80\\x80");
	expect("\xe2\x80", 2, 0, "\\xe2\\x80");
}

static void test_stream(void **state)
{
	struct buf b = { 0 };

	(void)state;
	/* a sequence cut by the end of one write is left for the next */
	assert_int_equal(escape_append(&b, "ab\xe2\x80", 4, ESC_STREAM), 2);
	assert_str(b.data, "ab");
	assert_int_equal(escape_append(&b, "\xe2\x80\xae!", 4, ESC_STREAM), 4);
	assert_str(b.data, "ab\\u202e!");
	/* a prefix that cannot become valid is not held back */
	assert_int_equal(escape_append(&b, "\xe0\x80", 2, ESC_STREAM), 2);
	assert_str(b.data, "ab\\u202e!\\xe0\\x80");
	buf_free(&b);
}

/* Each side of the cut-prefix rule (mutation run 6: `p[0] == 0xed` made `!=` held back no
 * valid prefix with a second byte over 0x9f, "\xea\xb0" of U+AC00 among them, and escaped it
 * as invalid bytes): a prefix that can still become valid UTF-8 is held back (nothing
 * consumed), one that cannot is escaped at once. */
static void test_stream_prefixes(void **state)
{
	static const char *const held[] = { "\xea\xb0", "\xed\x9f", "\xe0\xa0", "\xf0\x90",
					     "\xf4\x8f", "\xe2", "\xf0\x9f\x99" };
	static const char *const not_held[] = { "\xed\xa0", "\xe0\x9f", "\xf0\x8f", "\xf4\x90" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(held); i++) {
		struct buf b = { 0 };
		buf_append(&b, "", 0);
		if (escape_append(&b, held[i], strlen(held[i]), ESC_STREAM) != 0)
			fail_msg("held[%zu] not held back: \"%s\"", i, b.data);
		buf_free(&b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(not_held); i++) {
		struct buf b = { 0 };
		assert_int_equal(escape_append(&b, not_held[i], 2, ESC_STREAM), 2);
		assert_non_null(strstr(b.data, "\\x"));
		buf_free(&b);
	}
	/* the held prefix of U+AC00 completed by the next write */
	struct buf b = { 0 };
	assert_int_equal(escape_append(&b, "\xea\xb0", 2, ESC_STREAM), 0);
	assert_int_equal(escape_append(&b, "\xea\xb0\x80", 3, ESC_STREAM), 3);
	assert_str(b.data, "\xea\xb0\x80");
	buf_free(&b);
}

/* The edges of what UTF-8 may encode, each side (mutation run 3: the surrogate range's last
 * code point, U+DFFF, passed as valid with `c <= 0xdfff` turned into `c < 0xdfff`). */
static void test_utf8_edges(void **state)
{
	(void)state;
	expect("\xed\x9f\xbf", 3, 0, "\xed\x9f\xbf");		/* U+D7FF: valid */
	expect("\xed\xbf\xbf", 3, 0, "\\xed\\xbf\\xbf");       /* U+DFFF: a surrogate */
	expect("\xee\x80\x80", 3, 0, "\xee\x80\x80");             /* U+E000: valid */
	expect("\xe0\xa0\x80", 3, 0, "\xe0\xa0\x80");             /* U+0800: shortest form */
	expect("\xe0\x9f\xbf", 3, 0, "\\xe0\\x9f\\xbf");       /* U+07FF in 3 bytes: overlong */
	expect("\xf4\x8f\xbf\xbf", 4, 0, "\xf4\x8f\xbf\xbf");   /* U+10FFFF: valid */
	expect("\xf0\x8f\xbf\xbf", 4, 0, "\\xf0\\x8f\\xbf\\xbf"); /* U+FFFF in 4: overlong */
	/* Each lead byte's range at both ends (mutation run 8: `c <= 0xdf` -> `c < 0xdf` refused
	 * U+07C0..U+07FF, e.g. NKo, as invalid bytes). */
	expect("\xc2\xa0", 2, 0, "\xc2\xa0");			/* U+00A0: first of 2 bytes */
	expect("\xdf\xbf", 2, 0, "\xdf\xbf");			/* U+07FF: last of 2 bytes */
	expect("\xc1\xbf", 2, 0, "\\xc1\\xbf");		/* U+007F in 2: overlong */
	expect("\xef\xbf\xbd", 3, 0, "\xef\xbf\xbd");	/* U+FFFD: last lead of 3 */
	expect("\xf5\x80\x80\x80", 4, 0, "\\xf5\\x80\\x80\\x80"); /* beyond U+10FFFF */
	assert_false(utf8_is_valid("\xed\xbf\xbf", 3));
	assert_true(utf8_is_valid("\xed\x9f\xbf", 3));
}

static void test_clean_and_json(void **state)
{
	_cleanup_free_ char *fixed = utf8_escape_invalid("caf\xe9\033", 5);
	_cleanup_free_ char *s = escape_str("n\xc2\x85l");
	unsigned before = json_text_replaced();
	json_t *j;

	(void)state;
	assert_true(escape_is_clean("plain ÄÖÜ", strlen("plain ÄÖÜ")));
	assert_false(escape_is_clean("a\nb", 3));
	assert_false(escape_is_clean("\xc2\x9b", 2));
	assert_true(utf8_is_valid("\xc2\x9b", 2));
	assert_false(utf8_is_valid("caf\xe9", 4));
	assert_str(fixed, "caf\\xe9\033");
	assert_str(s, "n\\u0085l");
	/* jansson refuses the Latin-1 string; json_text repairs and counts it */
	assert_null(json_string("caf\xe9"));
	j = json_text("caf\xe9");
	assert_non_null(j);
	assert_str(json_string_value(j), "caf\\xe9");
	json_decref(j);
	assert_int_equal(json_text_replaced(), before + 1);
	j = json_text("ok \xe2\x80\xae");
	assert_str(json_string_value(j), "ok \xe2\x80\xae"); /* JSON stays exact */
	json_decref(j);
	assert_int_equal(json_text_replaced(), before + 1);
	assert_true(json_is_null(json_text(NULL)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1_bidi_utf8),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_prefixes),
		cmocka_unit_test(test_clean_and_json),
		cmocka_unit_test(test_utf8_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
