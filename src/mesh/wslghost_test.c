/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "mesh/wslghost.h"

static void add(struct mesh_nodes *l, const char *id, const char *name, const char *os,
		const char *ip)
{
	struct mesh_node *n = mesh_nodes_add(l);
	n->id = xstrdup(id);
	n->name = xstrdup(name);
	n->os = os ? xstrdup(os) : NULL;
	if (ip)
		mesh_node_add_ip(n, ip);
}

static void ghosts_of_a_wsl_distro(void **state)
{
	(void)state;
	/* The guide's topology table: the Windows host at 100.64.0.4, a Linux "office-one" at
	 * 100.64.0.3 registered by a tailscaled once run inside the distro. */
	struct mesh_nodes l = { 0 };
	size_t idx[8];

	add(&l, "1", "sfspark1", "linux", "100.64.0.1");
	add(&l, "4", "OFFICE-ONE", "windows", "100.64.0.4"); /* the host itself */
	add(&l, "3", "office-one", "linux", "100.64.0.3");   /* the ghost */
	add(&l, "5", "office-one", "linux", NULL);           /* no address: nothing to reach */
	add(&l, "6", "office-one", "macOS", "100.64.0.6");   /* another OS: not a distro */
	add(&l, "7", "office-one-laptop", "linux", "100.64.0.7");
	add(&l, "8", "devbox", NULL, "100.64.0.8");          /* a source without OS */
	add(&l, "9", "office-one", "linux", "100.64.0.4");   /* shares the host's address */
	const char *names[] = { "devbox", "OFFICE-ONE" };
	struct wsl_identity who = { .names = names, .n_names = 2, .host = &l.nodes[1] };

	assert_int_equal(mesh_find_wsl_ghosts(&l, &who, idx), 2);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 6);

	/* Without names there is nothing to match. */
	struct wsl_identity none = { .host = &l.nodes[1] };
	assert_int_equal(mesh_find_wsl_ghosts(&l, &none, idx), 0);
	/* Without the host (Headscale alone): its own record matches too, by name, unless it
	 * says windows. */
	struct wsl_identity nohost = { .names = names, .n_names = 2 };
	assert_int_equal(mesh_find_wsl_ghosts(&l, &nohost, idx), 3);
	mesh_nodes_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ghosts_of_a_wsl_distro),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
