/* SPDX-License-Identifier: MIT */
/* `ganesha-rados-grace dump` (format/ceph_grace.h): the grace database of the gateways. */
#include "fuzz.h"
#include "format/ceph_grace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ceph_grace g;
	struct diag d = { 0 };

	if (ceph_grace_parse("fuzz", (const char *)data, size, &g, &d) == 0) {
		FUZZ_ASSERT(g.cur > 0 && g.n_nodes <= CEPH_GRACE_MAX_NODES);
		FUZZ_ASSERT(ceph_grace_needing(&g) <= g.n_nodes);
		for (size_t i = 0; i < g.n_nodes; i++) {
			size_t n = strlen(g.nodes[i].nodeid);
			FUZZ_ASSERT(n > 0 && n <= CEPH_GRACE_NODEID_MAX);
			/* Unique: the lookup finds this very node. */
			FUZZ_ASSERT(ceph_grace_find(&g, g.nodes[i].nodeid) == &g.nodes[i]);
		}
		ceph_grace_free(&g);
	} else
		FUZZ_ASSERT(d.msg[0] && !g.nodes && g.n_nodes == 0);
	return 0;
}
