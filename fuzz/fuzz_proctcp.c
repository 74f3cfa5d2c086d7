/* SPDX-License-Identifier: MIT */
/* /proc/net/tcp and tcp6 (the first byte picks which). */
#include "fuzz.h"
#include "format/proctcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_socket *v;
	size_t n;
	struct diag d = { 0 };
	char buf[64];

	if (size == 0)
		return 0;
	if (proc_tcp_parse("fuzz", (const char *)data + 1, size - 1, data[0] & 1, &v, &n, &d) < 0) {
		if (!d.msg[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		tcp_socket_any(&v[i]);
		tcp_socket_v4mapped(&v[i]);
		tcp_socket_format(&v[i], buf, sizeof(buf));
	}
	free(v);
	return 0;
}
