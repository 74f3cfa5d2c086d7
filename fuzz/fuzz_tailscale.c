/* SPDX-License-Identifier: MIT */
/* `tailscale status --json` output, then what doctor and status do with the parsed nodes:
 * JSON rendering, the source-neutral node list, the stale-identity matcher, the path to each
 * peer and its words; and RFC 3339 times
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
		/* Self and the peers, no more: each peer is bounded by the input. */
		FUZZ_ASSERT(l.n <= st.n_peers + 1 && st.n_peers <= size);
		const char *names[] = { st.self.n.name, "office-one" };
		struct wsl_identity who = { .names = names, .n_names = 2,
					    .host = l.n ? &l.nodes[0] : NULL };
		size_t *idx = xcalloc(l.n + 1, sizeof(*idx));
		mesh_find_wsl_ghosts(&l, &who, idx);
		/* Every node makes a JSON object that serialises (meshnfs's JSON is always
		 * valid). */
		for (size_t i = 0; i <= st.n_peers; i++) {
			json_t *j = ts_node_to_json(i < st.n_peers ? &st.peers[i] : &st.self);
			char *text = json_dumps(j, JSON_COMPACT);
			FUZZ_ASSERT(j && json_is_object(j) && text);
			free(text);
			json_decref(j);
		}
		/* The path: Self has none; a direct or peer-relay path names its address, and
		 * every path has a name and words (mesh_path_judge). */
		FUZZ_ASSERT(st.self.n.path.kind == MESH_PATH_UNKNOWN);
		for (size_t i = 0; i < st.n_peers; i++) {
			const struct mesh_path *p = &st.peers[i].n.path;
			struct mesh_path_verdict v;
			char name[64];
			FUZZ_ASSERT(p->kind <= MESH_PATH_PEER_RELAY);
			FUZZ_ASSERT((p->kind == MESH_PATH_DIRECT || p->kind == MESH_PATH_PEER_RELAY) ==
				    (p->addr != NULL));
			FUZZ_ASSERT(p->kind != MESH_PATH_DERP || p->region);
			FUZZ_ASSERT(*mesh_path_name(p, name, sizeof(name)));
			mesh_path_judge(p, "peer", 5, &v);
			FUZZ_ASSERT(v.summary && (v.level > 0) == mesh_path_relayed(p));
			mesh_path_verdict_free(&v);
		}
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
