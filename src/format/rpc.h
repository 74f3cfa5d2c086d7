/* SPDX-License-Identifier: MIT */
/* ONC RPC over TCP (RFC 5531) for one call only: the NULL procedure (no arguments, no results,
 * AUTH_NONE), as the probe's rpc step sends it on the connection its tcp step opened. The call
 * is built, the reply (outside input: whatever answers on port 2049) parsed; pure.
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

/* The NULL call of prog/vers with xid, record mark included, into call. */
void rpc_null_call(uint8_t call[RPC_NULL_CALL_SIZE], uint32_t xid, uint32_t prog, uint32_t vers);
/* The reply to a NULL call with xid, from the first len bytes read on the connection (from:
 * who sent them, for diag). */
int rpc_null_reply_parse(const char *from, const uint8_t *buf, size_t len, uint32_t xid,
			 struct rpc_reply *r, struct diag *d);
/* The reply in words: "accepted", "program unavailable", "program version mismatch (2..3)"... */
void rpc_reply_format(const struct rpc_reply *r, char *buf, size_t size);
