/* SPDX-License-Identifier: MIT */
/* When to stop waiting for an address that does not answer, from what the network said so far
 * (pure). A TCP connect to a silent address would wait for its whole step; but once other
 * addresses answered (their round trip known), and the kernel resent this one's SYN (Linux
 * resends a lost SYN after 1 s, then at 3, 7, 15 s) without an answer to either, waiting longer
 * only delays the verdict. The margin after the resent SYN covers a WireGuard handshake (the
 * first packet to an idle peer waits for one: about 1 round trip, measured in the lab at
 * under 10 ms; SILENCE_MARGIN_MS keeps far more) and four times the largest round trip seen.
 *
 *   struct silence s = { .margin_ms = SILENCE_MARGIN_MS };
 *   silence_answer(&s, connect_ms);          // each address that answered (accepted, refused)
 *   int64_t after = silence_after(&s);       // -1: nothing seen yet, wait for the step's bound
 */
#pragma once

#include <inttypes.h>
#include <stddef.h>

#define SILENCE_SYN_RESEND_MS 1000 /* Linux's first SYN retransmission (TCP_TIMEOUT_INIT) */
#define SILENCE_MARGIN_MS 250      /* after it: a WireGuard handshake and a round trip or two */
#define SILENCE_RTT_FACTOR 4

struct silence {
	int margin_ms;     /* the least wait after the resent SYN */
	size_t answers;    /* addresses that answered */
	int64_t rtt_ms;    /* the largest round trip among them, resent SYNs taken out */
};

/* The round trip an answer after connect_ms means: the time since the last SYN sent before
 * it (0, 1, 3, 7, 15, ... s). */
int64_t silence_rtt(int64_t connect_ms);
/* An address answered its connection request after connect_ms (as the poll loop saw it);
 * rtt_ms: the kernel's own measure of that handshake's round trip (TCP_INFO), or -1 when there
 * is none (a refusal). The kernel's is preferred: a busy loop notices answers late, which would
 * only make the wait longer, never wrong. */
void silence_answer(struct silence *s, int64_t connect_ms, int64_t rtt_ms);
/* How long after its first SYN an address that answered nothing is given up as silent; -1 while
 * no address has answered (then nothing says how long an answer takes). */
int64_t silence_after(const struct silence *s);
