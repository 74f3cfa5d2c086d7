/* SPDX-License-Identifier: MIT */
/* Listening sockets: /proc/net/tcp and tcp6 (kernel hex format) and Windows `netstat -ano`
 * (localized, CRLF, OEM code page). */
#include "fuzz.h"

#include <sys/socket.h>
#include "format/listeners.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listeners l = { 0 };
	struct diag d = { 0 };
	char buf[80];

	size_t lines = fuzz_lines(data, size), before;
	int r;

	/* Each parser appends at most one socket per line, says why when it fails; each socket
	 * is IPv4 or IPv6, never both loopback and wildcard, and formats as printable text. */
	for (int v6 = 0; v6 < 3; v6++) {
		before = l.n;
		d = (struct diag){ 0 };
		r = v6 < 2 ? proc_net_tcp_parse("fuzz", (const char *)data, size, v6, &l, &d)
			   : netstat_parse("fuzz", (const char *)data, size, &l, &d);
		FUZZ_ASSERT(l.n >= before && l.n - before <= lines);
		FUZZ_ASSERT(r >= 0 || d.msg[0]);
	}
	for (size_t i = 0; i < l.n; i++) {
		uint32_t a4;
		FUZZ_ASSERT(l.v[i].family == AF_INET || l.v[i].family == AF_INET6);
		listener_format(&l.v[i], buf, sizeof(buf));
		FUZZ_ASSERT(strlen(buf) < sizeof(buf) && buf[0] && fuzz_printable(buf));
		FUZZ_ASSERT(!(listener_is_loopback(&l.v[i]) && listener_is_wildcard(&l.v[i])));
		FUZZ_ASSERT(l.v[i].family == AF_INET6 || listener_ipv4(&l.v[i], &a4));
	}
	listeners_free(&l);
	return 0;
}
