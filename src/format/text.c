/* SPDX-License-Identifier: MIT */
#include "format/text.h"

#include <errno.h>

static unsigned line_at(const char *s, size_t pos)
{
	unsigned line = 1;
	for (size_t i = 0; i < pos; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/* Decodes one UTF-8 sequence at s[0..n); returns its length or 0 if invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void utf8_put(struct buf *b, uint32_t c)
{
	unsigned char o[4];
	size_t n;

	if (c < 0x80)
		o[0] = (unsigned char)c, n = 1;
	else if (c < 0x800)
		o[0] = 0xc0 | (c >> 6), o[1] = 0x80 | (c & 0x3f), n = 2;
	else if (c < 0x10000)
		o[0] = 0xe0 | (c >> 12), o[1] = 0x80 | ((c >> 6) & 0x3f), o[2] = 0x80 | (c & 0x3f), n = 3;
	else
		o[0] = 0xf0 | (c >> 18), o[1] = 0x80 | ((c >> 12) & 0x3f),
		o[2] = 0x80 | ((c >> 6) & 0x3f), o[3] = 0x80 | (c & 0x3f), n = 4;
	buf_append(b, o, n);
}

static int decode_utf16(const char *file, const unsigned char *p, size_t len, bool be,
			struct buf *b, struct diag *diag)
{
	if (len % 2)
		return diag_set(diag, file, line_at(b->data ? b->data : "", b->len),
				"UTF-16 text with an odd number of bytes");
	for (size_t i = 0; i < len; i += 2) {
		uint32_t u = be ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);
		if (u >= 0xd800 && u <= 0xdbff) {
			uint32_t lo = 0;
			if (i + 3 < len)
				lo = be ? (uint32_t)(p[i + 2] << 8 | p[i + 3]) : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
			if (lo < 0xdc00 || lo > 0xdfff)
				return diag_set(diag, file, line_at(b->data, b->len),
						"unpaired UTF-16 surrogate");
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (u >= 0xdc00 && u <= 0xdfff)
			return diag_set(diag, file, line_at(b->data, b->len), "unpaired UTF-16 surrogate");
		if (u == 0)
			return diag_set(diag, file, line_at(b->data, b->len), "NUL character in text");
		utf8_put(b, u);
	}
	return 0;
}

int text_decode(const char *file, const void *data, size_t len, struct text *out,
		struct diag *diag)
{
	const unsigned char *p = data;
	struct buf b = { 0 };
	int r = 0;

	*out = (struct text){ 0 };
	buf_append(&b, "", 0);
	if (len >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		out->encoding = TEXT_UTF16LE_BOM;
		r = decode_utf16(file, p + 2, len - 2, false, &b, diag);
	} else if (len >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		out->encoding = TEXT_UTF16BE_BOM;
		r = decode_utf16(file, p + 2, len - 2, true, &b, diag);
	} else if (len >= 2 && p[0] != 0 && p[1] == 0) {
		out->encoding = TEXT_UTF16LE;
		r = decode_utf16(file, p, len, false, &b, diag);
	} else {
		size_t start = 0;
		if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
			out->encoding = TEXT_UTF8_BOM;
			start = 3;
		}
		for (size_t i = start; i < len;) {
			uint32_t cp;
			size_t n = utf8_next(p + i, len - i, &cp);
			if (n == 0 || cp == 0) {
				r = diag_set(diag, file, line_at((const char *)p, i),
					     n == 0 ? "invalid UTF-8 byte 0x%02x" : "NUL byte 0x%02x", p[i]);
				break;
			}
			i += n;
		}
		if (r == 0)
			buf_append(&b, p + start, len - start);
	}
	if (r < 0) {
		buf_free(&b);
		return r;
	}
	const char *nl = memchr(b.data, '\n', b.len);
	out->crlf = nl && nl > b.data && nl[-1] == '\r';
	out->final_newline = b.len == 0 || b.data[b.len - 1] == '\n';
	out->utf8 = b.data;
	out->len = b.len;
	return 0;
}

int text_encode(const char *utf8, size_t len, enum text_encoding enc, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)utf8;
	bool be = enc == TEXT_UTF16BE_BOM;

	buf_append(out, "", 0);
	switch (enc) {
	case TEXT_UTF8_BOM:
		buf_append(out, "\xef\xbb\xbf", 3);
		/* fall through */
	case TEXT_UTF8:
		for (size_t i = 0; i < len;) {
			uint32_t cp;
			size_t n = utf8_next(p + i, len - i, &cp);
			if (!n)
				return -EINVAL;
			i += n;
		}
		buf_append(out, utf8, len);
		return 0;
	case TEXT_UTF16LE_BOM:
		buf_append(out, "\xff\xfe", 2);
		break;
	case TEXT_UTF16BE_BOM:
		buf_append(out, "\xfe\xff", 2);
		break;
	case TEXT_UTF16LE:
		break;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(p + i, len - i, &cp);
		unsigned char o[4];
		if (!n)
			return -EINVAL;
		i += n;
		uint16_t u[2];
		size_t k = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = (uint16_t)(0xd800 + (cp >> 10));
			u[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
			k = 2;
		} else
			u[0] = (uint16_t)cp;
		for (size_t j = 0; j < k; j++) {
			o[2 * j] = be ? u[j] >> 8 : u[j] & 0xff;
			o[2 * j + 1] = be ? u[j] & 0xff : u[j] >> 8;
		}
		buf_append(out, o, 2 * k);
	}
	return 0;
}

const char *text_encoding_name(enum text_encoding enc)
{
	static const char *const names[] = {
		[TEXT_UTF8] = "utf-8",
		[TEXT_UTF8_BOM] = "utf-8-bom",
		[TEXT_UTF16LE_BOM] = "utf-16le-bom",
		[TEXT_UTF16BE_BOM] = "utf-16be-bom",
		[TEXT_UTF16LE] = "utf-16le",
	};
	return ENUM_NAME(names, enc, "unknown");
}

void text_free(struct text *t)
{
	free(t->utf8);
	*t = (struct text){ 0 };
}
