/* SPDX-License-Identifier: MIT */
/* The one escaping function for bytes that came from outside (files under the root, /proc,
 * program output, JSON answers, node names, a remote doctor's text) on their way to a person.
 * Like systemd's cescape() or git's quote_path(): what a terminal would act on becomes a
 * visible escape instead.
 *
 *   C0 controls and DEL        \a \b \t \n \v \f \r, else \xNN     (\t and \n kept with
 *                                                                  ESC_KEEP_LAYOUT)
 *   bytes that are not UTF-8   \xNN (overlong forms, surrogates, > U+10FFFF, stray bytes)
 *   C1 controls U+0080-U+009F  \u0080 .. \u009f  (U+009B is CSI to many terminals)
 *   bidi and line controls     \u061c \u200e \u200f \u2028 \u2029 \u202a-\u202e
 *                              \u2066-\u2069  (U+202E reverses what follows: "Trojan Source")
 *
 * Everything else, printable ASCII and valid UTF-8, is copied as it is (backslashes too: the
 * aim is a terminal that shows what is there, not a reversible encoding). Human output goes
 * through it as a whole (report/output.h: output_escape_std), so no caller has to remember. */
#pragma once

#include "core/util.h"

#include <jansson.h>

enum {
	ESC_KEEP_LAYOUT = 1 << 0, /* \n and \t stay as they are (multi-line text of our own) */
	ESC_STREAM = 1 << 1,      /* stop before an incomplete UTF-8 sequence at the end of the
				     input (more may follow); return how much was consumed */
};

/* Appends s[0..n) escaped to out. Returns the number of input bytes consumed: n, unless
 * ESC_STREAM left an incomplete trailing sequence (at most 3 bytes) for the next call. */
size_t escape_append(struct buf *out, const char *s, size_t n, unsigned flags);
/* True if s[0..n) holds nothing escape_str would change, i.e. no control, no C1, no bidi
 * control and only valid UTF-8. */
bool escape_is_clean(const char *s, size_t n);

/* True if s[0..n) is valid UTF-8 (no overlong forms, surrogates or code points > U+10FFFF). */
bool utf8_is_valid(const char *s, size_t n);
/* s with every byte that is not part of valid UTF-8 written as the text \xNN, the rest as it
 * is (controls too: JSON escapes those itself). For JSON, which must be UTF-8. New string. */
char *utf8_escape_invalid(const char *s, size_t n);

/* A JSON string of any text, from outside or not: valid UTF-8 as it is; bytes that are not
 * UTF-8 (jansson refuses them, and json_pack then fails as a whole) written as the text \xNN
 * (utf8_escape_invalid) and counted (json_text_replaced), so a document is always complete
 * and valid. NULL gives null. */

json_t *json_text(const char *s);
/* What a JSON value is, for a parser's message: "an object", "a number", "null"; "nothing
 * (missing)" for NULL. */
const char *json_type_desc(const json_t *v);
/* How many strings json_text had to repair so far in this process. */
unsigned json_text_replaced(void);
