/* SPDX-License-Identifier: MIT */
/* RFC 3339 timestamps as Go and protobuf's JSON mapping write them:
 * "2025-09-12T16:02:43.659739649Z", "2024-01-01T10:00:00+01:00". */
#pragma once

#include <time.h>

/* Parses s into UTC seconds. Go's zero time ("0001-01-01T00:00:00Z", meaning "never") gives
 * 0. Returns 0 or -EINVAL (malformed, out of range, or trailing characters). */
int rfc3339_parse(const char *s, time_t *out);
