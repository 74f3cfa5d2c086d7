/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets: a NUL-terminated copy of the input. */
#pragma once

#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
