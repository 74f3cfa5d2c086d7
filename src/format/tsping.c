/* SPDX-License-Identifier: MIT */
/* `tailscale ping` output, line by line (format/tsping.h). Pure. */
#include "format/tsping.h"
#include "format/format_private.h"

#include <errno.h>

const char *ts_ping_via_name(enum ts_ping_via v)
{
	static const char *const names[TS_VIA_N] = {
		[TS_VIA_NONE] = "none", [TS_VIA_DIRECT] = "direct", [TS_VIA_DERP] = "derp",
		[TS_VIA_PEER_RELAY] = "peer_relay", [TS_VIA_TYPE] = "type",
	};
	return ENUM_NAME(names, v, "?");
}

/* s[0..len) ends with suffix. */
static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t k = strlen(suffix);
	return len >= k && memcmp(s + len - k, suffix, k) == 0;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t k = strlen(prefix);
	return len >= k && memcmp(s, prefix, k) == 0;
}

/* The last occurrence of needle in s[0..len), or NULL. */
static const char *last_of(const char *s, size_t len, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = len >= k ? len - k + 1 : 0; i-- > 0;)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

static void copy_field(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

int ts_go_duration_us(const char *s, size_t len, int64_t *us)
{
	/* Units, longest first where one is a prefix of another ("ms" before "m"). */
	static const struct {
		const char *unit;
		double us;
	} units[] = {
		{ "ns", 1e-3 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 }, { "us", 1 },
		{ "ms", 1e3 },  { "s", 1e6 },       { "m", 60e6 },      { "h", 3600e6 },
	};
	double total = 0;
	size_t i = 0;

	if (len == 0 || len > 40)
		return -EINVAL;
	if (len == 1 && s[0] == '0') {
		*us = 0;
		return 0;
	}
	while (i < len) {
		double v = 0, scale = 1;
		bool digits = false, dot = false;
		for (; i < len && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !dot)); i++) {
			if (s[i] == '.') {
				dot = true;
				continue;
			}
			digits = true;
			if (dot) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			} else {
				v = v * 10 + (s[i] - '0');
			}
		}
		if (!digits)
			return -EINVAL;
		size_t u;
		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (starts_with(s + i, len - i, units[u].unit))
				break;
		if (u == ARRAY_SIZE(units))
			return -EINVAL;
		i += strlen(units[u].unit);
		total += v * units[u].us;
		if (total > 1e15)
			return -EINVAL;
	}
	*us = (int64_t)(total + 0.5);
	return 0;
}

/* "pong from NAME (IP[, PORT]) via VIA in LATENCY". Returns 0 or -EINVAL. */
static int parse_pong(const char *l, size_t len, struct ts_ping *r)
{
	const char *p = l + strlen("pong from "), *end = l + len;
	const char *in = last_of(p, (size_t)(end - p), " in ");
	if (!in)
		return -EINVAL;
	int64_t us;
	if (ts_go_duration_us(in + 4, (size_t)(end - in - 4), &us) < 0)
		return -EINVAL;
	const char *via = last_of(p, (size_t)(in - p), ") via ");
	if (!via)
		return -EINVAL;
	const char *v = via + strlen(") via ");
	size_t vlen = (size_t)(in - v);
	if (vlen == 0 || memchr(v, ' ', vlen))
		return -EINVAL;
	const char *open = last_of(p, (size_t)(via - p), " (");
	if (!open || open == p)
		return -EINVAL;
	const char *ip = open + 2;
	size_t iplen = (size_t)(via - ip);
	const char *comma = memchr(ip, ',', iplen);
	if (comma)
		iplen = (size_t)(comma - ip);
	if (iplen == 0 || iplen >= sizeof(r->ip) || memchr(ip, ' ', iplen))
		return -EINVAL;

	enum ts_ping_via kind;
	char derp[sizeof(r->derp)] = "";
	if (starts_with(v, vlen, "DERP(") && ends_with(v, vlen, ")") && vlen > 6) {
		kind = TS_VIA_DERP;
		copy_field(derp, sizeof(derp), v + 5, vlen - 6);
	} else if (starts_with(v, vlen, "peer-relay(") && ends_with(v, vlen, ")")) {
		kind = TS_VIA_PEER_RELAY;
	} else if (memchr(v, ':', vlen)) {
		kind = TS_VIA_DIRECT; /* IP:PORT, [IPv6]:PORT */
	} else if ((vlen == 4 && memcmp(v, "TSMP", 4) == 0) ||
		   (vlen == 4 && memcmp(v, "ICMP", 4) == 0) ||
		   (vlen == 5 && memcmp(v, "disco", 5) == 0)) {
		kind = TS_VIA_TYPE;
	} else {
		return -EINVAL;
	}
	r->pongs++;
	r->via = kind;
	r->latency_us = us;
	memcpy(r->derp, derp, sizeof(derp));
	copy_field(r->via_text, sizeof(r->via_text), v, vlen);
	copy_field(r->ip, sizeof(r->ip), ip, iplen);
	copy_field(r->name, sizeof(r->name), p, (size_t)(open - p));
	return 0;
}

int ts_ping_parse(const char *source, const char *data, size_t len, struct ts_ping *r,
		  struct diag *diag)
{
	unsigned line = 0;
	size_t off = 0;

	*r = (struct ts_ping){ .via = TS_VIA_NONE };
	while (off < len) {
		const char *l = data + off, *nl = memchr(l, '\n', len - off);
		size_t n = nl ? (size_t)(nl - l) : len - off;
		off += n + (nl ? 1 : 0);
		line++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (memchr(l, '\0', n))
			return diag_set(diag, source, line, "a NUL byte in the output");
		if (starts_with(l, n, "pong from ")) {
			if (parse_pong(l, n, r) < 0)
				return diag_set(diag, source, line,
						"a pong line not understood: \"%.*s\" (expected \"pong "
						"from NAME (IP) via PATH in LATENCY\")",
						(int)(n > 200 ? 200 : n), l);
			continue;
		}
		if (starts_with(l, n, "ping \"") && ends_with(l, n, "\" timed out") &&
		    n > strlen("ping \"\" timed out")) {
			r->timeouts++;
			continue;
		}
		if (ends_with(l, n, " is local Tailscale IP") && n > strlen(" is local Tailscale IP")) {
			r->local = true;
			continue;
		}
		return diag_set(diag, source, line, "not a ping result: \"%.*s\"",
				(int)(n > 200 ? 200 : n), l);
	}
	return 0;
}
