/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/text.h"

#include <errno.h>

static void decode(const char *data, size_t len, struct text *t)
{
	struct diag d = { 0 };
	assert_int_equal(text_decode("f", data, len, t, &d), 0);
}

static void utf8_plain_and_bom(void **state)
{
	(void)state;
	struct text t;

	decode("[wsl2]\nnetworkingMode=nat", 25, &t);
	assert_int_equal(t.encoding, TEXT_UTF8);
	assert_false(t.crlf);
	assert_false(t.final_newline);
	assert_str(t.utf8, "[wsl2]\nnetworkingMode=nat");
	text_free(&t);

	decode("\xef\xbb\xbf[a]\r\nk=v\r\n", 13, &t);
	assert_int_equal(t.encoding, TEXT_UTF8_BOM);
	assert_true(t.crlf);
	assert_true(t.final_newline);
	assert_str(t.utf8, "[a]\r\nk=v\r\n");
	text_free(&t);
}

static void utf16le_bom_crlf_and_non_ascii(void **state)
{
	(void)state;
	/* "[é]\r\n" + U+1F600 as a surrogate pair */
	const char in[] = "\xff\xfe[\x00\xe9\x00]\x00\r\x00\n\x00\x3d\xd8\x00\xde";
	struct text t;

	decode(in, sizeof(in) - 1, &t);
	assert_int_equal(t.encoding, TEXT_UTF16LE_BOM);
	assert_true(t.crlf);
	assert_str(t.utf8, "[\xc3\xa9]\r\n\xf0\x9f\x98\x80");
	text_free(&t);
}

static void utf16le_without_bom_and_be(void **state)
{
	(void)state;
	struct text t;

	decode("a\x00=\x00" "b\x00", 6, &t);
	assert_int_equal(t.encoding, TEXT_UTF16LE);
	assert_str(t.utf8, "a=b");
	text_free(&t);
	decode("\xfe\xff\x00x", 4, &t);
	assert_int_equal(t.encoding, TEXT_UTF16BE_BOM);
	assert_str(t.utf8, "x");
	text_free(&t);
}

/* An empty file, and one that is a BOM alone: "" (never NULL), no final newline needed.
 * (A mutation survivor: dropping the buf_append that makes the empty buffer left utf8 NULL
 * for callers that print or compare it; every case had content.) */
static void empty_text_is_an_empty_string(void **state)
{
	static const char *const in[] = { "", "\xef\xbb\xbf", "\xff\xfe" };
	static const size_t len[] = { 0, 3, 2 };
	struct text t;
	struct diag d = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		assert_int_equal(text_decode("w", in[i], len[i], &t, &d), 0);
		assert_non_null(t.utf8);
		assert_str(t.utf8, "");
		assert_int_equal(t.len, 0);
		assert_true(t.final_newline);
		text_free(&t);
	}
}

static void invalid_input_names_the_line(void **state)
{
	(void)state;
	struct text t;
	struct diag d = { 0 };

	assert_int_equal(text_decode("w", "ok\nbad\xc3(\n", 9, &t, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	assert_str(d.msg, "invalid UTF-8 byte 0xc3");
	assert_int_equal(text_decode("w", "\xff\xfe\x00\xd8", 4, &t, &d), -EBADMSG);
	assert_str(d.msg, "unpaired UTF-16 surrogate");
	/* A lone low surrogate, at both ends of its range (a mutation survivor: "u > 0xdc00"
	 * let U+DC00 through as a character, and no case had a lone low surrogate). */
	assert_int_equal(text_decode("w", "\xff\xfe\x00\xdc", 4, &t, &d), -EBADMSG);
	assert_str(d.msg, "unpaired UTF-16 surrogate");
	assert_int_equal(text_decode("w", "\xff\xfe" "a\x00\xff\xdf", 6, &t, &d), -EBADMSG);
	assert_str(d.msg, "unpaired UTF-16 surrogate");
	assert_int_equal(text_decode("w", "\xff\xfe\x61", 3, &t, &d), -EBADMSG);
	assert_str(d.msg, "UTF-16 text with an odd number of bytes");
	assert_int_equal(text_decode("w", "a\xc0\x80", 3, &t, &d), -EBADMSG); /* overlong NUL */
	assert_int_equal(text_decode("w", "\xed\xa0\x80", 3, &t, &d), -EBADMSG); /* surrogate */
}

static void encode_round_trips_every_encoding(void **state)
{
	(void)state;
	const char *s = "# h\xc3\xa9\r\n[wsl2]\r\nnetworkingMode=mirrored \xf0\x9f\x98\x80\r\n";
	enum text_encoding encs[] = { TEXT_UTF8, TEXT_UTF8_BOM, TEXT_UTF16LE_BOM, TEXT_UTF16BE_BOM,
				      TEXT_UTF16LE };

	for (size_t i = 0; i < ARRAY_SIZE(encs); i++) {
		struct buf b = { 0 };
		struct text t;
		assert_int_equal(text_encode(s, strlen(s), encs[i], &b), 0);
		decode(b.data, b.len, &t);
		assert_int_equal(t.encoding, encs[i]);
		assert_str(t.utf8, s);
		text_free(&t);
		buf_free(&b);
	}
	struct buf b = { 0 };
	assert_int_equal(text_encode("\xff", 1, TEXT_UTF16LE_BOM, &b), -EINVAL);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_plain_and_bom),
		cmocka_unit_test(utf16le_bom_crlf_and_non_ascii),
		cmocka_unit_test(utf16le_without_bom_and_be),
		cmocka_unit_test(empty_text_is_an_empty_string),
		cmocka_unit_test(invalid_input_names_the_line),
		cmocka_unit_test(encode_round_trips_every_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
