/* SPDX-License-Identifier: MIT */
/* When to stop waiting for a silent address (silence.h). Pure. */
#include "net/silence.h"

int64_t silence_rtt(int64_t connect_ms)
{
	int64_t syn = 0, rto = SILENCE_SYN_RESEND_MS;

	if (connect_ms < 0)
		return 0;
	/* SYNs at 0, 1, 3, 7, 15, ... s: each retransmission doubles the wait. */
	while (syn + rto <= connect_ms && rto < INT64_MAX / 4) {
		syn += rto;
		rto *= 2;
	}
	return connect_ms - syn;
}

void silence_answer(struct silence *s, int64_t connect_ms, int64_t rtt_ms)
{
	int64_t rtt = rtt_ms >= 0 ? rtt_ms : silence_rtt(connect_ms);

	s->answers++;
	if (rtt > s->rtt_ms)
		s->rtt_ms = rtt;
}

void silence_answer_resent(struct silence *s, int64_t connect_ms, int64_t rtt_ms)
{
	silence_answer(s, connect_ms, rtt_ms);
	s->resent++;
}

static bool lossy(const struct silence *s)
{
	return s->resent * 50 > s->answers;
}

bool silence_untellable(const struct silence *s, int step_ms)
{
	return s->answers && (lossy(s) || (int64_t)SILENCE_RTT_FACTOR * s->rtt_ms >= step_ms);
}

int64_t silence_resend_after(const struct silence *s)
{
	int64_t overdue = (int64_t)SILENCE_RTT_FACTOR * s->rtt_ms;

	if (!s->answers || lossy(s))
		return -1;
	return overdue > s->margin_ms ? overdue : s->margin_ms;
}

int64_t silence_after(const struct silence *s)
{
	int64_t r = silence_resend_after(s);

	return r < 0 ? -1 : 2 * r;
}
