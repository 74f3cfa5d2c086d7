/* SPDX-License-Identifier: MIT */
#include "core/escape.h"
#include "core/core_private.h"

#include <jansson.h>

/* Decodes one UTF-8 sequence at p (n > 0 bytes available): its length with *cp set, 0 when
 * p[0] does not start a valid sequence, or -1 when the bytes so far are a valid prefix but
 * the sequence is cut off by the end of the input. */
static int utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	int len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n) {
			/* Cut off: a valid prefix unless its second byte already rules out every
			 * completion (overlong forms, surrogates, beyond U+10FFFF). */
			if (i >= 2 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
				       (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f)))
				return 0;
			return -1;
		}
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points shown as \uXXXX although they are valid UTF-8. */
static bool cp_escaped(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static void append_c0(struct buf *out, unsigned char c)
{
	static const char names[] = { [7] = 'a', [8] = 'b', [9] = 't', [10] = 'n',
				      [11] = 'v', [12] = 'f', [13] = 'r' };
	char tmp[5];

	if (c < sizeof(names) && names[c]) {
		tmp[0] = '\\', tmp[1] = names[c];
		buf_append(out, tmp, 2);
		return;
	}
	snprintf(tmp, sizeof(tmp), "\\x%02x", c);
	buf_append(out, tmp, 4);
}

size_t escape_append(struct buf *out, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0; /* run: clean bytes not yet copied, ending at i */

	if (!out->data)
		buf_append(out, "", 0);
	while (i < n) {
		unsigned char c = p[i];
		uint32_t cp;
		int len;

		if (c >= 0x20 && c < 0x7f) {
			i++, run++;
			continue;
		}
		if (c < 0x80) {
			if ((flags & ESC_KEEP_LAYOUT) && (c == '\n' || c == '\t')) {
				i++, run++;
				continue;
			}
			buf_append(out, s + i - run, run), run = 0;
			append_c0(out, c);
			i++;
			continue;
		}
		len = utf8_decode(p + i, n - i, &cp);
		if (len < 0 && (flags & ESC_STREAM)) {
			buf_append(out, s + i - run, run);
			return i;
		}
		if (len > 0 && !cp_escaped(cp)) {
			i += (size_t)len, run += (size_t)len;
			continue;
		}
		buf_append(out, s + i - run, run), run = 0;
		if (len > 0) {
			buf_printf(out, "\\u%04x", (unsigned)cp);
			i += (size_t)len;
		} else {
			buf_printf(out, "\\x%02x", c);
			i++;
		}
	}
	buf_append(out, s + i - run, run);
	return n;
}

char *escape_str(const char *s)
{
	struct buf b = { 0 };

	escape_append(&b, s, strlen(s), 0);
	return b.data;
}

bool escape_is_clean(const char *s, size_t n)
{
	struct buf b = { 0 };
	bool clean;

	escape_append(&b, s, n, 0);
	clean = b.len == n;
	buf_free(&b);
	return clean;
}

bool utf8_is_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		int len = utf8_decode(p + i, n - i, &cp);
		if (len <= 0)
			return false;
		i += (size_t)len;
	}
	return true;
}

char *utf8_escape_invalid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };
	uint32_t cp;

	buf_append(&b, "", 0);
	for (size_t i = 0; i < n;) {
		int len = utf8_decode(p + i, n - i, &cp);
		if (len > 0 && cp != 0) {
			buf_append(&b, s + i, (size_t)len);
			i += (size_t)len;
		} else {
			buf_printf(&b, "\\x%02x", p[i]);
			i++;
		}
	}
	return b.data;
}

static unsigned n_replaced;

json_t *json_text(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	_cleanup_free_ char *fixed = utf8_escape_invalid(s, strlen(s));
	__atomic_fetch_add(&n_replaced, 1, __ATOMIC_RELAXED);
	return json_string(fixed);
}

unsigned json_text_replaced(void)
{
	return __atomic_load_n(&n_replaced, __ATOMIC_RELAXED);
}

const char *json_type_desc(const json_t *v)
{
	if (!v)
		return "nothing (missing)";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}
