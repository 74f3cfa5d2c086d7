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

/* The round trip an answer after connect_ms means: the time since the last SYN sent before
 * it (0, 1, 3, 7, 15, ... s). */
int64_t silence_rtt(int64_t connect_ms);
/* An address answered its connection request after connect_ms (as the poll loop saw it);
 * rtt_ms: the kernel's own measure of that handshake's round trip (TCP_INFO), or -1 when there
 * is none (a refusal). The kernel's is preferred: a busy loop notices answers late, which would
 * only make the wait longer, never wrong. */
void silence_answer(struct silence *s, int64_t connect_ms, int64_t rtt_ms);
/* The same for an answer that came only after a SYN was sent again (one was lost). */
void silence_answer_resent(struct silence *s, int64_t connect_ms, int64_t rtt_ms);
/* The chance that a live address lost all of its syns SYNs, at the loss rate the answers show
 * (the share of them that needed a SYN sent again), is under 1 in 1000: its silence is a
 * verdict. True while nothing answered (nothing says otherwise). */
bool silence_confident(const struct silence *s, int syns);
/* What the answers say makes silence no evidence of absence for an address sent syns SYNs:
 * not silence_confident, or four of the slowest round trips do not fit in step_ms. Then it is
 * cut, not judged, at its step's bound. False while nothing answered. */
bool silence_untellable(const struct silence *s, int step_ms, int syns);
/* SYNs a connect has sent after ms on one socket: Linux resends at 1, 3, 7, 15 ... s. */
int silence_syns(int64_t ms);
/* How long after its first SYN an address that answered nothing gets its SYN again; -1 while
 * no address has answered (then nothing says how long an answer takes). */
int64_t silence_resend_after(const struct silence *s);
/* How long after its first SYN it is given up as silent (the resent SYN as overdue as the
 * first); -1 as above, or when two lost SYNs are not unlikely enough (silence_confident). */
int64_t silence_after(const struct silence *s);
