/* SPDX-License-Identifier: MIT */
/* The one escaping function (core/escape.h): its output is clean whatever the input, and a
 * stream cut anywhere gives the same text as the whole. */
#include "fuzz.h"
#include "core/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = { 0 }, parts = { 0 };
	const char *s = (const char *)data;
	size_t cut = size ? data[0] % (size + 1) : 0, used;
	_cleanup_free_ char *fixed = utf8_escape_invalid(s, size);

	escape_append(&whole, s, size, ESC_KEEP_LAYOUT);
	for (size_t i = 0; i < whole.len; i++) {
		unsigned char c = (unsigned char)whole.data[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			__builtin_trap();
	}
	{
		struct buf line = { 0 };
		escape_append(&line, s, size, 0);
		if (!utf8_is_valid(line.data, line.len) || !escape_is_clean(line.data, line.len))
			__builtin_trap();
		buf_free(&line);
	}
	used = escape_append(&parts, s, cut, ESC_KEEP_LAYOUT | ESC_STREAM);
	{
		struct buf rest = { 0 };
		buf_append(&rest, s + used, size - used);
		escape_append(&parts, rest.data, rest.len, ESC_KEEP_LAYOUT);
		buf_free(&rest);
	}
	if (parts.len != whole.len || memcmp(parts.data, whole.data, whole.len))
		__builtin_trap();
	if (!utf8_is_valid(fixed, strlen(fixed)))
		__builtin_trap();
	buf_free(&whole);
	buf_free(&parts);
	return 0;
}
