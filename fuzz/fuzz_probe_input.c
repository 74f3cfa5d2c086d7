/* SPDX-License-Identifier: MIT */
/* The probe's outside input: the HOST[:EXPORT] operand, and libnfs error strings (which carry
 * the server's NFS4ERR_* status) as the ladder classifies them. */
#include "fuzz.h"
#include "net/net.h"
#include "net/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_cstr(data, size);
	char *host = NULL, *exp = NULL;
	struct diag d = { 0 };

	if (net_parse_target(s, &host, &exp, &d) == 0) {
		if (!host || !host[0] || (exp && exp[0] != '/'))
			abort();
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
