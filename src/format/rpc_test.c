/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/rpc.h"

#include <errno.h>

/* The words of a reply after its record mark (last fragment, length = 4 * n). */
static size_t reply(uint8_t *buf, const uint32_t *w, size_t n)
{
	uint32_t mark = 0x80000000u | (uint32_t)(4 * n);

	for (int k = 0; k < 4; k++)
		buf[k] = (uint8_t)(mark >> (24 - 8 * k));
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			buf[4 + 4 * i + k] = (uint8_t)(w[i] >> (24 - 8 * k));
	return 4 + 4 * n;
}

/* The call as RFC 5531 lays it out: what ganesha and the kernel's nfsd answer. */
static void call_bytes(void **state)
{
	uint8_t c[RPC_NULL_CALL_SIZE];
	static const uint8_t want[RPC_NULL_CALL_SIZE] = {
		0x80, 0, 0, 40,   0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 2,
		0, 1, 0x86, 0xa3, 0, 0, 0, 4,		   0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,	  0, 0, 0, 0,		   0, 0, 0, 0,
	};

	(void)state;
	rpc_null_call(c, 0x12345678, 100003, 4);
	assert_memory_equal(c, want, sizeof(want));
}

static void accepted(void **state)
{
	uint8_t b[64];
	struct rpc_reply r;
	char w[96];
	/* xid, REPLY, MSG_ACCEPTED, verf AUTH_NONE len 0, SUCCESS */
	size_t n = reply(b, (const uint32_t[]){ 7, 1, 0, 0, 0, 0 }, 6);

	(void)state;
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, NULL), 0);
	assert_int_equal(r.kind, RPC_REPLY_SUCCESS);
	/* Read in pieces: more wanted until the whole record is there. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(rpc_null_reply_parse("t", b, k, 7, &r, NULL), -EAGAIN);
	/* A verifier with a body (AUTH_SHORT-like, 8 bytes), then PROG_MISMATCH 2..3. */
	n = reply(b, (const uint32_t[]){ 9, 1, 0, 2, 8, 0xaaaa, 0xbbbb, 2, 2, 3 }, 10);
	assert_int_equal(rpc_null_reply_parse("t", b, n, 9, &r, NULL), 0);
	assert_int_equal(r.kind, RPC_REPLY_PROG_MISMATCH);
	assert_int_equal(r.low, 2);
	assert_int_equal(r.high, 3);
	rpc_reply_format(&r, w, sizeof(w));
	assert_str(w, "program version mismatch (versions 2..3)");
	n = reply(b, (const uint32_t[]){ 9, 1, 1, 1, 13 }, 5); /* denied: auth error 13 */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 9, &r, NULL), 0);
	assert_int_equal(r.kind, RPC_REPLY_AUTH_ERROR);
	assert_int_equal(r.auth_stat, 13);
	n = reply(b, (const uint32_t[]){ 9, 1, 0, 0, 0, 1 }, 6);
	assert_int_equal(rpc_null_reply_parse("t", b, n, 9, &r, NULL), 0);
	assert_int_equal(r.kind, RPC_REPLY_PROG_UNAVAIL);
}

static void rejects(void **state)
{
	uint8_t b[600];
	struct rpc_reply r;
	struct diag d = { 0 };
	size_t n;

	(void)state;
	n = reply(b, (const uint32_t[]){ 8, 1, 0, 0, 0, 0 }, 6);
	assert_int_equal(rpc_null_reply_parse("srv:2049", b, n, 7, &r, &d), -EBADMSG);
	assert_str(d.file, "srv:2049");
	assert_non_null(strstr(d.msg, "another call (xid 00000008, sent 00000007)"));
	n = reply(b, (const uint32_t[]){ 7, 0, 0, 0, 0, 0 }, 6); /* a CALL, not a reply */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "message type 0"));
	n = reply(b, (const uint32_t[]){ 7, 1, 0, 0, 500, 0 }, 6); /* verifier over 400 bytes */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	n = reply(b, (const uint32_t[]){ 7, 1, 0, 0, 8, 0 }, 6); /* verifier past the record */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	n = reply(b, (const uint32_t[]){ 7, 1, 0, 0, 0, 9 }, 6); /* accept status 9 */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	n = reply(b, (const uint32_t[]){ 7, 1, 2 }, 3); /* reply status 2 */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	n = reply(b, (const uint32_t[]){ 7, 1, 0, 0 }, 4); /* whole record, cut short */
	assert_int_equal(rpc_null_reply_parse("t", b, n, 7, &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "cut short"));
	/* Not RPC at all: an HTTP server on 2049, a record far too long. */
	memcpy(b, "HTTP/1.1 400 Bad Request\r\n", 26);
	assert_int_equal(rpc_null_reply_parse("t", b, 26, 7, &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "not an RPC reply: record of"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call_bytes),
		cmocka_unit_test(accepted),
		cmocka_unit_test(rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
