/* SPDX-License-Identifier: MIT */
/* Headscale's REST answers: /api/v1/node {"nodes":[...]} and /api/v1/machine {"machines":[...]}. */
#include "fuzz.h"
#include "mesh/headscale.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mesh_nodes l = { 0 };
	struct diag d = { 0 };

	if (headscale_parse("fuzz", (const char *)data, size, &l, &d) < 0) {
		if (!d.msg[0] || l.n)
			abort(); /* every failure says why and leaves nothing behind */
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct mesh_node *n = &l.nodes[i];
		if (!mesh_node_display_name(n)[0] || n->n_ips > MESH_NODE_MAX_IPS)
			abort();
	}
	mesh_nodes_free(&l);
	return 0;
}
