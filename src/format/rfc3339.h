/* SPDX-License-Identifier: MIT */
/* RFC 3339 timestamps as Go's encoding/json writes time.Time (Tailscale's status JSON) and as
 * Headscale's API returns them: "2025-04-29T14:56:43Z", "2024-10-31T13:58:41.960578707Z",
 * "2024-10-31T15:58:41+02:00". Pure, no time zone database, no locale. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Go's zero time.Time, "0001-01-01T00:00:00Z", means "never" in ipnstate. */
#define RFC3339_ZERO INT64_MIN

/* Parses s into seconds since the epoch (UTC, fraction dropped). Year 1 midnight UTC (Go's
 * zero time) gives RFC3339_ZERO. Returns 0 or -EINVAL. */
int rfc3339_parse(const char *s, int64_t *ret);
/* Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void rfc3339_format(int64_t t, char *buf, size_t size);
