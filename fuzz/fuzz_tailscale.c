/* SPDX-License-Identifier: MIT */
/* `tailscale status --json` output, then what doctor and status do with the parsed nodes:
 * JSON rendering, the source-neutral node list, the stale-identity matcher; and RFC 3339 times
 * on their own. */
#include "fuzz.h"
#include "format/rfc3339.h"
#include "mesh/tailscale.h"
#include "mesh/wslghost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_status st;
	struct diag d = { 0 };

	if (ts_status_parse("fuzz", (const char *)data, size, &st, &d) == 0) {
		struct mesh_nodes l;
		ts_status_nodes(&st, "fuzz", &l);
		const char *names[] = { st.self.n.name, "office-one" };
		struct wsl_identity who = { .names = names, .n_names = 2,
					    .host = l.n ? &l.nodes[0] : NULL };
		size_t *idx = xcalloc(l.n + 1, sizeof(*idx));
		mesh_find_wsl_ghosts(&l, &who, idx);
		for (size_t i = 0; i < st.n_peers; i++)
			json_decref(ts_node_to_json(&st.peers[i]));
		json_decref(ts_node_to_json(&st.self));
		ts_node_ipv4(&st.self);
		free(idx);
		mesh_nodes_free(&l);
		ts_status_free(&st);
	}
	_cleanup_free_ char *s = fuzz_cstr(data, size < 64 ? size : 64);
	time_t t;
	rfc3339_parse(s, &t);
	return 0;
}
