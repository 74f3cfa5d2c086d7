/* SPDX-License-Identifier: MIT */
/* What answers a NULL call, or the export's lookup, on port 2049 (format/rpc.h): the first 4
 * bytes are the xid. */
#include "fuzz.h"
#include "format/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_reply r;
	struct rpc_lookup_reply lr;
	struct diag d = { 0 };
	char w[96];
	uint32_t xid = 0;

	if (size >= 4) {
		xid = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
		      data[3];
		data += 4;
		size -= 4;
	}
	for (size_t n = 0; n <= size; n += n < 64 ? 1 : 16)
		if (rpc_null_reply_parse("fuzz", data, n, xid, &r, &d) == 0)
			rpc_reply_format(&r, w, sizeof(w));
	if (rpc_lookup_reply_parse("fuzz", data, size, xid, &lr, &d) == 0)
		(void)rpc_nfs4_status_name(lr.status);
	return 0;
}
