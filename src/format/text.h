/* SPDX-License-Identifier: MIT */
/* Text files written by Windows editors: UTF-8 with or without BOM, UTF-16LE/BE with BOM
 * (Notepad's "Unicode"), UTF-16LE without BOM, CRLF or LF. Decoded to UTF-8 for parsing, and
 * encoded back in the original encoding and line endings when meshnfs rewrites such a file. */
#pragma once

#include "core/diag.h"

enum text_encoding {
	TEXT_UTF8 = 0,
	TEXT_UTF8_BOM,
	TEXT_UTF16LE_BOM,
	TEXT_UTF16BE_BOM,
	TEXT_UTF16LE, /* no BOM, recognised by its zero high bytes */
};

struct text {
	char *utf8; /* decoded, NUL-terminated; line endings as in the file */
	size_t len;
	enum text_encoding encoding;
	bool crlf;          /* the first line ending is CRLF */
	bool final_newline; /* the text ends with a line ending (or is empty) */
};

/* Decodes data. Invalid UTF-8, unpaired surrogates and NUL characters are errors (-EBADMSG,
 * diag names file and line). */
int text_decode(const char *file, const void *data, size_t len, struct text *out,
		struct diag *diag);
/* Encodes UTF-8 text to enc (with its BOM), appending to out. -EINVAL on invalid UTF-8. */
int text_encode(const char *utf8, size_t len, enum text_encoding enc, struct buf *out);
const char *text_encoding_name(enum text_encoding enc);
void text_free(struct text *t);
