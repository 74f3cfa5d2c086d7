/* SPDX-License-Identifier: MIT */
/* The NULL call of ONC RPC over TCP and its reply (rpc.h). Pure. */
#include "format/rpc.h"

#include <errno.h>

#define LAST_FRAGMENT 0x80000000u

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void rpc_null_call(uint8_t call[RPC_NULL_CALL_SIZE], uint32_t xid, uint32_t prog, uint32_t vers)
{
	/* xid, CALL, rpcvers 2, prog, vers, proc 0 (NULL), cred AUTH_NONE, verf AUTH_NONE */
	const uint32_t w[] = { xid, 0, 2, prog, vers, 0, 0, 0, 0, 0 };

	put32(call, LAST_FRAGMENT | (uint32_t)(sizeof(w)));
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		put32(call + 4 + 4 * i, w[i]);
}

/* A reader over the first fragment's body. */
struct rd {
	const uint8_t *p;
	size_t len, off;
};

/* Next word, or false when the fragment (or what was read of it) ends first. */
static bool word(struct rd *r, uint32_t *v)
{
	if (r->len - r->off < 4)
		return false;
	*v = get32(r->p + r->off);
	r->off += 4;
	return true;
}

int rpc_null_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			 struct rpc_reply *out, struct diag *d)
{
	uint32_t mark, frag, x, v, stat;
	bool whole;
	struct rd r;

	*out = (struct rpc_reply){ 0 };
	if (len < 4)
		return -EAGAIN;
	mark = get32(buf);
	frag = mark & ~LAST_FRAGMENT;
	/* A reply to NULL is a few words; a first fragment shorter than the header or longer
	 * than any such reply is not one. */
	if (frag < 12 || frag > RPC_REPLY_MAX - 4)
		return diag_set(d, from, 0, "not an RPC reply: record of %" PRIu32 " bytes", frag);
	whole = len - 4 >= frag;
	r = (struct rd){ .p = buf + 4, .len = whole ? frag : len - 4 };
#define NEXT(var)                                                                                  \
	do {                                                                                       \
		if (!word(&r, &(var)))                                                             \
			return whole ? diag_set(d, from, 0, "RPC reply cut short after %zu bytes", \
						r.off)                                     \
				     : -EAGAIN;                                                    \
	} while (0)
	NEXT(x);
	if (x != xid)
		return diag_set(d, from, 0, "RPC reply to another call (xid %08" PRIx32 ", sent %08" PRIx32
				")", x, xid);
	NEXT(v);
	if (v != 1)
		return diag_set(d, from, 0, "not an RPC reply (message type %" PRIu32 ")", v);
	NEXT(stat);
	if (stat == 1) { /* MSG_DENIED */
		NEXT(v);
		if (v == 0) {
			out->kind = RPC_REPLY_RPC_MISMATCH;
			NEXT(out->low);
			NEXT(out->high);
		} else if (v == 1) {
			out->kind = RPC_REPLY_AUTH_ERROR;
			NEXT(out->auth_stat);
		} else
			return diag_set(d, from, 0, "RPC call denied with unknown reason %" PRIu32, v);
		return 0;
	}
	if (stat != 0)
		return diag_set(d, from, 0, "RPC reply with unknown status %" PRIu32, stat);
	NEXT(v); /* verifier flavor */
	NEXT(v); /* its length */
	if (v > 400)
		return diag_set(d, from, 0, "RPC reply verifier of %" PRIu32 " bytes (at most 400)", v);
	v = (v + 3) & ~3u;
	if (r.len - r.off < v)
		return whole ? diag_set(d, from, 0, "RPC reply cut short in its verifier") : -EAGAIN;
	r.off += v;
	NEXT(stat);
	switch (stat) {
	case 0:
		out->kind = RPC_REPLY_SUCCESS;
		break;
	case 1:
		out->kind = RPC_REPLY_PROG_UNAVAIL;
		break;
	case 2:
		out->kind = RPC_REPLY_PROG_MISMATCH;
		NEXT(out->low);
		NEXT(out->high);
		break;
	case 3:
		out->kind = RPC_REPLY_PROC_UNAVAIL;
		break;
	case 4:
		out->kind = RPC_REPLY_GARBAGE_ARGS;
		break;
	case 5:
		out->kind = RPC_REPLY_SYSTEM_ERR;
		break;
	default:
		return diag_set(d, from, 0, "RPC reply with unknown accept status %" PRIu32, stat);
	}
#undef NEXT
	return 0;
}

void rpc_reply_format(const struct rpc_reply *r, char *buf, size_t size)
{
	switch (r->kind) {
	case RPC_REPLY_SUCCESS:
		snprintf(buf, size, "accepted");
		break;
	case RPC_REPLY_PROG_UNAVAIL:
		snprintf(buf, size, "program unavailable");
		break;
	case RPC_REPLY_PROG_MISMATCH:
		snprintf(buf, size, "program version mismatch (versions %" PRIu32 "..%" PRIu32 ")",
			 r->low, r->high);
		break;
	case RPC_REPLY_PROC_UNAVAIL:
		snprintf(buf, size, "procedure unavailable");
		break;
	case RPC_REPLY_GARBAGE_ARGS:
		snprintf(buf, size, "garbage arguments");
		break;
	case RPC_REPLY_SYSTEM_ERR:
		snprintf(buf, size, "system error");
		break;
	case RPC_REPLY_RPC_MISMATCH:
		snprintf(buf, size, "denied: RPC version mismatch (%" PRIu32 "..%" PRIu32 ")", r->low,
			 r->high);
		break;
	case RPC_REPLY_AUTH_ERROR:
		snprintf(buf, size, "denied: authentication error %" PRIu32, r->auth_stat);
		break;
	}
}
