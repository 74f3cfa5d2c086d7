/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "mesh/mesh.h"

static struct mesh_node node(const char *id, const char *host, const char *os, const char *ip)
{
	struct mesh_node n = { .id = (char *)id, .hostname = (char *)host, .os = (char *)os,
			       .last_seen = MESH_TIME_NONE, .key_expiry = MESH_TIME_NONE };
	static char *ips[16];
	static size_t next;
	if (ip) {
		ips[next] = (char *)ip;
		n.ips = &ips[next++];
		n.n_ips = 1;
	}
	return n;
}

static void ghosts_of_a_wsl_distro(void **state)
{
	(void)state;
	/* The guide's topology table: the Windows host at 100.64.0.4, a Linux "office-one" at
	 * 100.64.0.3 registered by a tailscaled once run inside the distro. */
	struct mesh_node nodes[] = {
		node("1", "sfspark1", "linux", "100.64.0.1"),
		node("4", "OFFICE-ONE", "windows", "100.64.0.4"), /* the host itself */
		node("3", "office-one", "linux", "100.64.0.3"),   /* the ghost */
		node("5", "office-one", "linux", NULL),           /* no address: nothing to free */
		node("6", "office-one", "macOS", "100.64.0.6"),   /* another OS: not a distro */
		node("7", "office-one-laptop", "linux", "100.64.0.7"),
		node("8", "devbox", NULL, "100.64.0.8"), /* a source without OS (Headscale API) */
	};
	const char *names[] = { "devbox", "OFFICE-ONE" };
	struct wsl_identity who = { .names = names, .n_names = 2, .host = &nodes[1] };
	size_t idx[8];

	assert_int_equal(mesh_find_wsl_ghosts(nodes, ARRAY_SIZE(nodes), &who, idx), 2);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 6);

	/* A node sharing the host's address is the host, whatever its name. */
	struct mesh_node same[] = { node("9", "office-one", "linux", "100.64.0.4") };
	struct wsl_identity who2 = { .names = names, .n_names = 2, .host = &nodes[1] };
	same[0].ips = nodes[1].ips;
	assert_int_equal(mesh_find_wsl_ghosts(same, 1, &who2, idx), 0);

	/* Without names there is nothing to match. */
	struct wsl_identity none = { .host = &nodes[1] };
	assert_int_equal(mesh_find_wsl_ghosts(nodes, ARRAY_SIZE(nodes), &none, idx), 0);
}

static void node_json_and_names(void **state)
{
	(void)state;
	struct mesh_node n = node("3", NULL, "linux", "100.64.0.3");
	n.dns_name = (char *)"office-one.mesh.example.org";
	n.last_seen = 1741472265;

	assert_str(mesh_node_name(&n), "office-one.mesh.example.org");
	json_t *j = mesh_node_to_json(&n);
	assert_str(json_string_value(json_object_get(j, "last_seen")), "2025-03-08T22:17:45Z");
	assert_true(json_is_null(json_object_get(j, "key_expiry")));
	assert_str(json_string_value(json_array_get(json_object_get(j, "ips"), 0)), "100.64.0.3");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ghosts_of_a_wsl_distro),
		cmocka_unit_test(node_json_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
