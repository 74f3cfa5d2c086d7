/* SPDX-License-Identifier: MIT */
/* When to stop waiting for an address that does not answer, from what the network said so far
 * (pure). A TCP connect to a silent address would wait for its whole step; but once other
 * addresses answered, their round trips say when an answer is overdue. Then, as a scanner
 * does, the SYN is sent once more (a lost SYN, rather than Linux's resend after 1 s), and when
 * that one is overdue too the address is given up. "Overdue" is the larger of SILENCE_MARGIN_MS
 * and four times the largest round trip seen: the margin covers a WireGuard handshake (the
 * first packet to an idle peer waits for one; measured in the lab: 21-85 ms on a loaded
 * 2-core machine, against 0.5-18 ms for later connections), so a SYN queued behind a
 * handshake is answered long before it counts as lost.
 *
 *   struct silence s = { .margin_ms = SILENCE_MARGIN_MS };
 *   silence_answer(&s, connect_ms, rtt_ms); // each address that answered (accepted, refused)
 *   silence_resend_after(&s)                 // -1: nothing seen yet; else when to resend
 *   silence_after(&s)                        // and when to give up (twice that)
 */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#define SILENCE_SYN_RESEND_MS 1000 /* Linux's first SYN retransmission (TCP_TIMEOUT_INIT) */
#define SILENCE_MARGIN_MS 250      /* a WireGuard handshake (3x the lab's worst) and more */
#define SILENCE_RTT_FACTOR 4

struct silence {
	int margin_ms;     /* the least wait after the resent SYN */
	size_t answers;    /* addresses that answered */
	int64_t rtt_ms;    /* the largest round trip among them, resent SYNs taken out */
	size_t resent;     /* answers that came only after a SYN was sent again */
};

