/* SPDX-License-Identifier: MIT */
/* The Ceph CLI's answers a CephFS gateway reads (format/ceph.h, node/ceph_cli.h): the same
 * input as `ceph status --format json`, as `ceph mds stat --format json` and as the line of
 * the libcephfs client check. */
#include "fuzz.h"
#include "format/ceph.h"
#include "node/ceph_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct ceph_status st;
	struct ceph_fsmap m;
	struct ceph_client cl;
	struct diag d = { 0 };

	if (ceph_status_parse("fuzz", s, size, &st, &d) == 0) {
		/* Every check has its code and message; counts are bounded by the input. */
		FUZZ_ASSERT(st.fsid && st.n_checks <= CEPH_MAX_CHECKS && st.n_checks <= size);
		for (size_t i = 0; i < st.n_checks; i++)
			FUZZ_ASSERT(st.checks[i].code && *st.checks[i].code && st.checks[i].message);
		FUZZ_ASSERT(st.num_up_osds <= st.num_osds && st.num_in_osds <= st.num_osds);
		FUZZ_ASSERT(strcmp(ceph_health_name(st.health), "?") != 0);
		ceph_status_free(&st);
	} else
		FUZZ_ASSERT(d.msg[0] && !st.fsid && !st.checks);
	d = (struct diag){ 0 };
	if (ceph_fsmap_parse("fuzz", s, size, &m, &d) == 0) {
		FUZZ_ASSERT(m.n_fs <= CEPH_MAX_FS);
		for (size_t i = 0; i < m.n_fs; i++) {
			FUZZ_ASSERT(m.fs[i].name && ceph_fsmap_find(&m, m.fs[i].name) == &m.fs[i]);
			FUZZ_ASSERT(ceph_fs_active(&m.fs[i]) <= m.fs[i].n_mds);
			for (size_t k = 0; k < m.fs[i].n_mds; k++)
				FUZZ_ASSERT(m.fs[i].mds[k].name && m.fs[i].mds[k].state);
		}
		ceph_fsmap_free(&m);
	} else
		FUZZ_ASSERT(d.msg[0] && !m.fs);
	d = (struct diag){ 0 };
	if (ceph_client_line_parse("fuzz", s, size, &cl, &d) == 0)
		FUZZ_ASSERT(cl.result != CEPH_CLIENT_FAILED || (cl.step[0] && cl.err >= 0));
	return 0;
}
