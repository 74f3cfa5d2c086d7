/* SPDX-License-Identifier: MIT */
/* Encoding detection and decoding of Windows-written text; a decoded text must encode back
 * to exactly the input bytes (the rewrite of .wslconfig depends on it). */
#include "fuzz.h"
#include "format/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text t;
	struct diag d = { 0 };

	if (text_decode("fuzz", data, size, &t, &d) < 0)
		return 0;
	struct buf b = { 0 };
	if (text_encode(t.utf8, t.len, t.encoding, &b) < 0)
		abort();
	/* UTF-16LE without BOM is recognised by its shape only: skip the identity there. */
	if (t.encoding != TEXT_UTF16LE && (b.len != size || memcmp(b.data, data, size) != 0))
		abort();
	buf_free(&b);
	text_free(&t);
	return 0;
}
