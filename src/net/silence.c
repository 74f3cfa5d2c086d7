/* SPDX-License-Identifier: MIT */
/* When to stop waiting for a silent address (silence.h). Pure. */
#include "net/silence.h"
#include "net/net_private.h"

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

bool silence_confident(const struct silence *s, int syns)
{
	double q, all = 1;

	if (!s->answers)
		return true;
	q = (double)s->resent / (double)s->answers;
	for (int i = 0; i < syns; i++)
		all *= q;
	return all * 1000 < 1;
}

bool silence_untellable(const struct silence *s, int step_ms, int syns)
{
	return s->answers && (!silence_confident(s, syns) ||
			      (int64_t)SILENCE_RTT_FACTOR * s->rtt_ms >= step_ms);
}

int silence_syns(int64_t ms)
{
	int n = 1;

	for (int64_t at = SILENCE_SYN_RESEND_MS, rto = SILENCE_SYN_RESEND_MS; at <= ms && n < 16;
	     rto *= 2, at += rto)
		n++;
	return n;
}

int64_t silence_resend_after(const struct silence *s)
{
	int64_t overdue = (int64_t)SILENCE_RTT_FACTOR * s->rtt_ms;

	if (!s->answers)
		return -1;
	return overdue > s->margin_ms ? overdue : s->margin_ms;
}

int64_t silence_after(const struct silence *s)
{
	int64_t r = silence_resend_after(s);

	return r < 0 || !silence_confident(s, 2) ? -1 : 2 * r;
}
