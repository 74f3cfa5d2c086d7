/* SPDX-License-Identifier: MIT */
/* `tailscale ping` output (outside input: the local CLI's, or the Windows host's
 * tailscale.exe through WSL interop), parsed; pure. What the CLI prints, from Tailscale's
 * cmd/tailscale/cli/ping.go:
 *
 *   pong from NAME (IP) via VIA in LATENCY          one per answered ping
 *   pong from NAME (IP, PEERAPIPORT) via VIA in LATENCY
 *   ping "IP" timed out                              one per unanswered ping
 *   IP is local Tailscale IP                         the address is this node's
 *
 * VIA is IP:PORT (a direct path), DERP(CODE) (relayed by a DERP region), peer-relay(ADDR)
 * (newer versions), or, when the answer carries no path (--tsmp, --icmp), the ping's type:
 * TSMP, ICMP. LATENCY is a Go duration ("23ms", "1.204s", "0s", "850µs"). Errors go to
 * stderr ("no reply", "direct connection not established", "no matching peer", ...); the
 * backend's state to stdout with exit 1 ("Tailscale is stopped.", "Logged out.").
 *
 *   struct ts_ping r;
 *   ts_ping_parse("tailscale ping", out, len, &r, &diag);
 *   // 0: r filled (r.pongs may be 0: only timeouts); -EBADMSG: a line not understood (diag) */
#pragma once

#include "core/diag.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

enum ts_ping_via {
	TS_VIA_NONE,       /* no pong */
	TS_VIA_DIRECT,     /* IP:PORT */
	TS_VIA_DERP,       /* DERP(CODE) */
	TS_VIA_PEER_RELAY, /* peer-relay(...) */
	TS_VIA_TYPE,       /* TSMP or ICMP: the ping's own type, no path in the answer */
	TS_VIA_N,
};

struct ts_ping {
	size_t pongs, timeouts;
	bool local;          /* "IP is local Tailscale IP" */
	/* Of the last pong: */
	char name[256];      /* the peer's name as the CLI prints it (outside bytes, unescaped) */
	char ip[64];
	enum ts_ping_via via;
	char via_text[128];  /* the VIA word as printed: "203.0.113.7:41641", "DERP(fra)", "TSMP" */
	char derp[64];       /* the region code of DERP(CODE) */
	int64_t latency_us;  /* of the last pong */
};

/* Go's time.Duration.String() ("23ms", "1.5s", "1m2.5s", "850µs", "0s") to microseconds.
 * Returns 0 or -EINVAL. */
int ts_go_duration_us(const char *s, size_t len, int64_t *us);

/* Parses stdout of `tailscale ping` (any number of lines; empty lines and a trailing CR
 * ignored). source names it in diag. Returns 0, or -EBADMSG naming the line that is neither
 * a pong, a timeout nor the local-address line (an unknown state line: the CLI's own words,
 * quoted). */
int ts_ping_parse(const char *source, const char *data, size_t len, struct ts_ping *r,
		  struct diag *diag);
