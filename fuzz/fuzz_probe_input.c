/* SPDX-License-Identifier: MIT */
/* The probe's outside input: the HOST[:EXPORT] operand, and libnfs error strings (which carry
 * the server's NFS4ERR_* status) as the ladder classifies them. */
#include "fuzz.h"
#include "config/config.h"
#include "net/net.h"
#include "net/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_cstr(data, size);
	char *host = NULL, *exp = NULL;
	struct diag d = { 0 };

	if (net_parse_target(s, &host, &exp, &d) == 0) {
		struct netaddr a;
		if (!host || !host[0] || (exp && exp[0] != '/') || config_check_host(host) < 0)
			abort();
		/* "[...]" holds an IPv6 address, handed out without its brackets */
		if (s[0] == '[' && (netaddr_parse(host, &a) < 0 || a.family != AF_INET6))
			abort();
		/* what the fixes print (config_nfs_source) reads back as the same target */
		if (exp) {
			_cleanup_free_ char *again = config_nfs_source(host, exp);
			char *h2 = NULL, *e2 = NULL;
			FUZZ_ASSERT(net_parse_target(again, &h2, &e2, &d) == 0);
			FUZZ_ASSERT(streq(h2, host) && e2 && streq(e2, exp));
			free(h2);
			free(e2);
		}
	} else if (!d.msg[0] || host || exp) {
		abort(); /* every refusal says why and hands nothing out */
	}
	free(host);
	free(exp);
	for (int err = -40; err <= 0; err += 5) {
		enum probe_diagnosis r = probe_classify_nfs_error(err, s, err & 1);
		if (r < PROBE_OK || r >= PROBE_N_DIAGNOSES)
			abort();
	}
	return 0;
}
