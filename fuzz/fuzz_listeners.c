/* SPDX-License-Identifier: MIT */
/* Listening sockets: /proc/net/tcp and tcp6 (kernel hex format) and Windows `netstat -ano`
 * (localized, CRLF, OEM code page). */
#include "fuzz.h"
#include "format/listeners.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listeners l = { 0 };
	struct diag d = { 0 };
	char buf[80];

	proc_net_tcp_parse("fuzz", (const char *)data, size, false, &l, &d);
	proc_net_tcp_parse("fuzz", (const char *)data, size, true, &l, &d);
	netstat_parse("fuzz", (const char *)data, size, &l, &d);
	for (size_t i = 0; i < l.n; i++) {
		listener_format(&l.v[i], buf, sizeof(buf));
		listener_is_loopback(&l.v[i]);
		listener_is_wildcard(&l.v[i]);
	}
	listeners_free(&l);
	return 0;
}
