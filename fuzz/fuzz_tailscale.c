/* SPDX-License-Identifier: MIT */
/* `tailscale status --json` output, then what doctor and status do with the parsed nodes:
 * JSON rendering, names, the stale-identity matcher; and RFC 3339 times on their own. */
#include "fuzz.h"
#include "format/rfc3339.h"
#include "mesh/tailscale.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_status st;
	struct diag d = { 0 };

	if (ts_status_parse("fuzz", (const char *)data, size, &st, &d) == 0) {
		const char *names[] = { st.self.hostname, "office-one" };
		struct wsl_identity who = { .names = names, .n_names = 2, .host = &st.self };
		size_t *idx = xcalloc(st.n_peers + 1, sizeof(*idx));
		size_t n = mesh_find_wsl_ghosts(st.peers, st.n_peers, &who, idx);
		for (size_t i = 0; i < n; i++)
			json_decref(mesh_node_to_json(&st.peers[idx[i]]));
		json_decref(mesh_node_to_json(&st.self));
		mesh_node_ipv4(&st.self);
		free(idx);
		ts_status_free(&st);
	}
	_cleanup_free_ char *s = fuzz_cstr(data, size < 64 ? size : 64);
	int64_t t;
	char buf[40];
	if (rfc3339_parse(s, &t) == 0 && t != RFC3339_ZERO)
		rfc3339_format(t, buf, sizeof(buf));
	return 0;
}
