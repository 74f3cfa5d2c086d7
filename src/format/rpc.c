/* SPDX-License-Identifier: MIT */
/* The NULL call of ONC RPC over TCP and its reply, and the export's lookup (rpc.h). Pure. */
#include "format/rpc.h"

#include <errno.h>
#include <string.h>

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

/* The reply's header up to its accept status (reply.h's kinds); on RPC_REPLY_SUCCESS *body is
 * left at the procedure's results (the rest of the first fragment, or of what was read of
 * it: *whole says which). max: the longest record accepted. */
static int reply_header(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			size_t max, struct rpc_reply *out, struct diag *d, struct rd *body, bool *whole)
{
	uint32_t mark, frag, x, v, stat;
	struct rd r;

	*out = (struct rpc_reply){ 0 };
	if (len < 4)
		return -EAGAIN;
	mark = get32(buf);
	frag = mark & ~LAST_FRAGMENT;
	/* A first fragment shorter than the header or longer than any such reply is not one. */
	if (frag < 12 || frag > max - 4)
		return diag_set(d, from, 0, "not an RPC reply: record of %" PRIu32 " bytes", frag);
	*whole = len - 4 >= frag;
	r = (struct rd){ .p = buf + 4, .len = *whole ? frag : len - 4 };
#define NEXT(var)                                                                                  \
	do {                                                                                       \
		if (!word(&r, &(var)))                                                             \
			return *whole ? diag_set(d, from, 0, "RPC reply cut short after %zu bytes",  \
						 r.off)                                    \
				      : -EAGAIN;                                                   \
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
		return *whole ? diag_set(d, from, 0, "RPC reply cut short in its verifier") : -EAGAIN;
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
	*body = r;
	return 0;
}

int rpc_null_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			 struct rpc_reply *out, struct diag *d)
{
	struct rd body;
	bool whole;

	return reply_header(from, buf, len, xid, RPC_REPLY_MAX, out, d, &body, &whole);
}

/* --- the export's lookup: one COMPOUND without client state --- */

#define NFS4_COMPOUND 1
#define OP_GETATTR 9
#define OP_GETFH 10
#define OP_LOOKUP 15
#define OP_PUTROOTFH 24
#define FATTR4_TYPE 1
#define NFS4_FHSIZE 128
#define MACHINE "meshnfs"

/* Appends the XDR opaque/string s of n bytes (length, bytes, zero padding). */
static size_t put_opaque(uint8_t *p, const char *s, size_t n)
{
	size_t pad = (4 - n % 4) % 4;

	put32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	memset(p + 4 + n, 0, pad);
	return 4 + n + pad;
}

int rpc_lookup_call(uint8_t *call, size_t size, uint32_t xid, const char *path, uint32_t uid,
		    uint32_t gid, size_t *len)
{
	size_t n = 0, count_at, ops = 0, cred_at;
	const char *c = path;

	if (!path || path[0] != '/' || strlen(path) > RPC_LOOKUP_PATH_MAX || size < RPC_LOOKUP_CALL_MAX)
		return -EINVAL;
	n = 4; /* the record mark, last */
	/* xid, CALL, rpcvers 2, NFS, v4, COMPOUND */
	const uint32_t head[] = { xid, 0, 2, RPC_NFS4_PROGRAM, 4, NFS4_COMPOUND };
	for (size_t i = 0; i < ARRAY_SIZE(head); i++, n += 4)
		put32(call + n, head[i]);
	/* cred AUTH_SYS (RFC 5531 appendix A): stamp, machine name, uid, gid, no more gids */
	put32(call + n, 1);
	cred_at = n + 4;
	n += 8;
	put32(call + n, 0);
	n += 4;
	n += put_opaque(call + n, MACHINE, strlen(MACHINE));
	put32(call + n, uid);
	put32(call + n + 4, gid);
	put32(call + n + 8, 0);
	n += 12;
	put32(call + cred_at, (uint32_t)(n - cred_at - 4));
	/* verf AUTH_NONE */
	put32(call + n, 0);
	put32(call + n + 4, 0);
	n += 8;
	/* COMPOUND4args: tag "", minorversion 0, the ops */
	put32(call + n, 0);
	put32(call + n + 4, 0);
	count_at = n + 8;
	n += 12;
	put32(call + n, OP_PUTROOTFH);
	n += 4;
	ops++;
	while (*c) {
		while (*c == '/')
			c++;
		size_t k = strcspn(c, "/");
		if (!k)
			break;
		if (k > 255 || ops + 3 > RPC_LOOKUP_OPS_MAX)
			return -EINVAL;
		put32(call + n, OP_LOOKUP);
		n += 4;
		n += put_opaque(call + n, c, k);
		ops++;
		c += k;
	}
	/* GETATTR of the type (a symlink at the end is the caller's to follow), GETFH */
	put32(call + n, OP_GETATTR);
	put32(call + n + 4, 1);
	put32(call + n + 8, 1u << FATTR4_TYPE);
	put32(call + n + 12, OP_GETFH);
	n += 16;
	ops += 2;
	put32(call + count_at, (uint32_t)ops);
	put32(call, LAST_FRAGMENT | (uint32_t)(n - 4));
	*len = n;
	return 0;
}

int rpc_lookup_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			   struct rpc_lookup_reply *out, struct diag *d)
{
	struct rd r;
	bool whole;
	uint32_t v, n_res, op, st;
	int rc = reply_header(from, buf, len, xid, RPC_LOOKUP_REPLY_MAX, &out->rpc, d, &r, &whole);

	out->status = 0;
	out->failed_op = 0;
	out->failed_index = 0;
	out->type = 0;
	out->ops = 0;
	if (rc < 0 || out->rpc.kind != RPC_REPLY_SUCCESS)
		return rc;
	if (!whole)
		return -EAGAIN;
#define NEXT(var)                                                                                  \
	do {                                                                                       \
		if (!word(&r, &(var)))                                                             \
			return diag_set(d, from, 0, "NFSv4 COMPOUND reply cut short after %zu bytes", \
					r.off);                                                    \
	} while (0)
#define SKIP(bytes, what)                                                                          \
	do {                                                                                       \
		size_t b_ = ((size_t)(bytes) + 3) & ~(size_t)3;                                    \
		if (r.len - r.off < b_)                                                            \
			return diag_set(d, from, 0, "NFSv4 COMPOUND reply cut short in %s", what); \
		r.off += b_;                                                                       \
	} while (0)
	NEXT(out->status);
	NEXT(v); /* the tag we sent: empty; a server echoes it */
	if (v > 64)
		return diag_set(d, from, 0, "NFSv4 COMPOUND reply with a tag of %" PRIu32 " bytes", v);
	SKIP(v, "its tag");
	NEXT(n_res);
	if (n_res > RPC_LOOKUP_OPS_MAX)
		return diag_set(d, from, 0, "NFSv4 COMPOUND reply with %" PRIu32 " results (sent at "
				"most %d operations)", n_res, RPC_LOOKUP_OPS_MAX);
	for (uint32_t i = 0; i < n_res; i++) {
		NEXT(op);
		NEXT(st);
		out->ops++;
		if (st != 0) {
			out->failed_op = op;
			out->failed_index = i;
			if (out->status == 0)
				return diag_set(d, from, 0, "NFSv4 COMPOUND reply: operation %" PRIu32
						" failed (%" PRIu32 ") under an NFS4_OK status", op, st);
			break;
		}
		switch (op) {
		case OP_PUTROOTFH:
		case OP_LOOKUP:
			break;
		case OP_GETATTR: {
			uint32_t words, w0 = 0;
			NEXT(words);
			if (words > 8)
				return diag_set(d, from, 0, "NFSv4 GETATTR reply with a bitmap of %" PRIu32
						" words", words);
			for (uint32_t k = 0; k < words; k++) {
				NEXT(v);
				if (k == 0)
					w0 = v;
			}
			NEXT(v); /* attrlist's length */
			if (v > r.len - r.off)
				return diag_set(d, from, 0, "NFSv4 COMPOUND reply cut short in GETATTR");
			/* Only the type was asked for: it is the first attribute when given. */
			if ((w0 & (1u << FATTR4_TYPE)) && !(w0 & 1u) && v >= 4)
				out->type = get32(r.p + r.off);
			SKIP(v, "GETATTR");
			break;
		}
		case OP_GETFH:
			NEXT(v);
			if (v == 0 || v > NFS4_FHSIZE)
				return diag_set(d, from, 0, "NFSv4 GETFH reply with a handle of %" PRIu32
						" bytes", v);
			SKIP(v, "GETFH");
			break;
		default:
			return diag_set(d, from, 0, "NFSv4 COMPOUND reply with operation %" PRIu32
					", not one that was sent", op);
		}
	}
#undef SKIP
#undef NEXT
	return 0;
}

const char *rpc_nfs4_status_name(uint32_t status)
{
	switch (status) {
	case 0: return "NFS4_OK";
	case 1: return "NFS4ERR_PERM";
	case 2: return "NFS4ERR_NOENT";
	case 5: return "NFS4ERR_IO";
	case 13: return "NFS4ERR_ACCESS";
	case 20: return "NFS4ERR_NOTDIR";
	case 22: return "NFS4ERR_INVAL";
	case 63: return "NFS4ERR_NAMETOOLONG";
	case 70: return "NFS4ERR_STALE";
	case 10001: return "NFS4ERR_BADHANDLE";
	case 10006: return "NFS4ERR_SERVERFAULT";
	case 10008: return "NFS4ERR_DELAY";
	case 10013: return "NFS4ERR_GRACE";
	case 10016: return "NFS4ERR_WRONGSEC";
	case 10018: return "NFS4ERR_RESOURCE";
	case 10019: return "NFS4ERR_MOVED";
	case 10020: return "NFS4ERR_NOFILEHANDLE";
	case 10021: return "NFS4ERR_MINOR_VERS_MISMATCH";
	case 10029: return "NFS4ERR_SYMLINK";
	case 10036: return "NFS4ERR_BADXDR";
	case 10040: return "NFS4ERR_BADCHAR";
	case 10041: return "NFS4ERR_BADNAME";
	case 10044: return "NFS4ERR_OP_ILLEGAL";
	default: return "NFS4ERR_UNKNOWN";
	}
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
