/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets: a NUL-terminated copy of the input. */
#pragma once

#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Invariants: a fuzzer that finds one broken aborts (libFuzzer reports a crash). */
#define FUZZ_ASSERT(cond)                                                                      \
	do {                                                                                   \
		if (!(cond))                                                                   \
			__builtin_trap();                                                      \
	} while (0)

/* Lines in the input (a count every parser's results are bounded by). */
static inline size_t fuzz_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

/* Occurrences of needle in the input. */
static inline size_t fuzz_count(const uint8_t *data, size_t size, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	for (size_t i = 0; k && i + k <= size; i++)
		n += memcmp(data + i, needle, k) == 0;
	return n;
}

/* Printable ASCII only (what a formatter meant for a terminal produces). */
static inline bool fuzz_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
