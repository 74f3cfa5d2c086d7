/* SPDX-License-Identifier: MIT */
/* ONC RPC over TCP (RFC 5531) for two calls only: the NULL procedure (no arguments, no results,
 * AUTH_NONE), as the probe's rpc step sends it on the connection its tcp step opened, and the
 * export step's lookup without a write test: one NFSv4.0 COMPOUND (RFC 7530) of PUTROOTFH, a
 * LOOKUP per component of the export path, GETATTR (type) and GETFH, with AUTH_SYS, on the same
 * connection. None of these operations needs a client id (SETCLIENTID): the server keeps no
 * state for the probe. The calls are built, the replies (outside input: whatever answers on
 * port 2049) parsed; pure.
 *
 *   uint8_t call[RPC_NULL_CALL_SIZE];
 *   rpc_null_call(call, xid, 100003, 4);
 *   ... write it, read into buf ...
 *   r = rpc_null_reply_parse("100.64.0.1:2049", buf, len, xid, &reply, &diag);
 *   // 0: reply filled; -EAGAIN: read more; -EBADMSG: not an RPC reply to this call (diag)
 */
#pragma once

#include "core/diag.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#define RPC_NULL_CALL_SIZE 44
/* The longest reply worth reading: record mark, header, a verifier of at most 400 bytes
 * (RFC 5531 opaque_auth), and a mismatch's two numbers. */
#define RPC_REPLY_MAX (4 + 5 * 4 + 400 + 3 * 4)

enum rpc_reply_kind {
	RPC_REPLY_SUCCESS,       /* accepted: the NULL call worked */
	RPC_REPLY_PROG_UNAVAIL,  /* accepted, but no such program here */
	RPC_REPLY_PROG_MISMATCH, /* accepted, program there, not this version (low..high) */
	RPC_REPLY_PROC_UNAVAIL,
	RPC_REPLY_GARBAGE_ARGS,
	RPC_REPLY_SYSTEM_ERR,
	RPC_REPLY_RPC_MISMATCH,  /* denied: RPC version not 2 (low..high) */
	RPC_REPLY_AUTH_ERROR,    /* denied: authentication (auth_stat) */
};

struct rpc_reply {
	enum rpc_reply_kind kind;
	uint32_t low, high; /* the *_MISMATCH kinds */
	uint32_t auth_stat; /* RPC_REPLY_AUTH_ERROR */
};

#define RPC_NFS4_PROGRAM 100003
/* The export's lookup: path at most this long, at most this many operations in all. */
#define RPC_LOOKUP_PATH_MAX 1024
#define RPC_LOOKUP_OPS_MAX 64
/* Room for the longest call: the header and credentials (under 100 bytes), the path's
 * components padded (each at most 3 bytes more) with 8 bytes of operation and length each. */
#define RPC_LOOKUP_CALL_MAX (128 + RPC_LOOKUP_PATH_MAX + 11 * RPC_LOOKUP_OPS_MAX)
/* The longest reply worth reading: the header (as RPC_REPLY_MAX), status, a tag, and per
 * operation its number and status, GETATTR's bitmap and attributes, GETFH's handle (at most
 * 128 bytes, RFC 7530 NFS4_FHSIZE). */
#define RPC_LOOKUP_REPLY_MAX 2048

struct rpc_lookup_reply {
	struct rpc_reply rpc; /* the RPC's own answer; the rest only for RPC_REPLY_SUCCESS */
	uint32_t status;      /* the COMPOUND's nfsstat4: 0 NFS4_OK */
	uint32_t failed_op;   /* the operation that failed (9 GETATTR, 10 GETFH, 15 LOOKUP, 24
				 PUTROOTFH), 0 when none (or the server failed the whole call) */
	size_t failed_index;  /* its place among the operations, from 0 (PUTROOTFH) */
	size_t ops;           /* results read */
	uint32_t type;        /* GETATTR's nfs_ftype4 of the export (2 a directory, 5 a symlink),
				 0 when not given */
};

/* The NULL call of prog/vers with xid, record mark included, into call. */
void rpc_null_call(uint8_t call[RPC_NULL_CALL_SIZE], uint32_t xid, uint32_t prog, uint32_t vers);
/* The reply to a NULL call with xid, from the first len bytes read on the connection (from:
 * who sent them, for diag). */
int rpc_null_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			 struct rpc_reply *r, struct diag *d);
/* The reply in words: "accepted", "program unavailable", "program version mismatch (2..3)"... */
void rpc_reply_format(const struct rpc_reply *r, char *buf, size_t size);

/* The export's lookup for path (absolute) as uid/gid, record mark included, into call (size at
 * least RPC_LOOKUP_CALL_MAX); *len its length. -EINVAL for a path that is not absolute, too
 * long, or with a component over 255 bytes or too many components. */
int rpc_lookup_call(uint8_t *call, size_t size, uint32_t xid, const char *path, uint32_t uid,
		    uint32_t gid, size_t *len);
/* Its reply: 0 with out filled (out->rpc.kind says whether the RPC was accepted, out->status
 * what the COMPOUND gave); -EAGAIN: read more (the whole record is needed); -EBADMSG: not a
 * reply to this call, or not one that could come from these operations (diag). */
int rpc_lookup_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			   struct rpc_lookup_reply *out, struct diag *d);
/* "NFS4ERR_NOENT"...; "NFS4ERR_UNKNOWN" for a status not listed. */
const char *rpc_nfs4_status_name(uint32_t status);
