/* SPDX-License-Identifier: MIT */
/* Node-list sources: names, the automatic order with its fallbacks, [nodes] roles, and WSL2
 * distros riding their Windows host. A Headscale that cannot be reached is a loopback port
 * nobody listens on, inside a private network namespace (skipped without CAP_SYS_ADMIN);
 * tailscale and tailscale.exe are replayed from recordings (tests/lib/replay,
 * tests/fixtures/windows, labelled in tests/fixtures/README.md). */
#include "config/config_fixture.h"
#include "core/test.h"
#include "mesh/sources.h"
#include "mesh/mesh_private.h"

#include <errno.h>


static struct mesh_node *node(struct mesh_nodes *l, const char *name, const char *given,
			      const char *ip)
{
	struct mesh_node *n = mesh_nodes_add(l);
	n->name = xstrdup(name);
	n->given_name = given ? xstrdup(given) : NULL;
	mesh_node_add_ip(n, ip);
	n->online = MESH_YES;
	return n;
}

/* A node's addresses: a repeated one is listed once and said so (-EEXIST), one past the
 * limit refused (-E2BIG), neither added (mutation run 14: peer.c:49's -EEXIST made 0 survived:
 * callers ignore it, but the header promises it). */
static void node_addresses(void **state)
{
	struct mesh_node n = { 0 };
	char ip[32];

	(void)state;
	assert_int_equal(mesh_node_add_ip(&n, "100.64.0.1"), 0);
	assert_int_equal(mesh_node_add_ip(&n, "100.64.0.1"), -EEXIST);
	assert_int_equal(n.n_ips, 1);
	for (int i = 2; i <= MESH_NODE_MAX_IPS; i++) {
		snprintf(ip, sizeof(ip), "100.64.0.%d", i);
		assert_int_equal(mesh_node_add_ip(&n, ip), 0);
	}
	assert_int_equal(mesh_node_add_ip(&n, "100.64.1.1"), -E2BIG);
	assert_int_equal(n.n_ips, MESH_NODE_MAX_IPS);
	assert_str(n.ips[0], "100.64.0.1");
	mesh_node_free(&n);
}

static void names(void **state)
{
	enum mesh_source s;

	(void)state;
	assert_int_equal(mesh_source_parse("headscale", &s), 0);
	assert_int_equal(s, MESH_SOURCE_HEADSCALE);
	assert_int_equal(mesh_source_parse("tailscale", &s), 0);
	assert_int_equal(s, MESH_SOURCE_TAILSCALE);
	assert_int_equal(mesh_source_parse("tailscale.exe", &s), 0);
	assert_int_equal(s, MESH_SOURCE_TAILSCALE_WINDOWS);
	assert_int_equal(mesh_source_parse("config", &s), 0);
	assert_int_equal(s, MESH_SOURCE_CONFIG);
	assert_int_equal(mesh_source_parse("auto", &s), -EINVAL);
	assert_int_equal(mesh_source_parse("Headscale", &s), -EINVAL);
	assert_str(mesh_source_name(MESH_SOURCE_TAILSCALE_WINDOWS), "tailscale.exe");
}

/* PATH gets a directory of replaying fakes (tests/lib/replay) named tailscale and
 * tailscale.exe; the file .replay_dir beside them picks the recording
 * (tests/fixtures/windows/SCENARIO): children get a minimal environment, not REPLAY_DIR. */
static char fakebin[64];

static void fake_tailscale(const char *scenario)
{
	char cwd[512], target[700], link[128], path[200], dir[700];

	if (!fakebin[0]) {
		snprintf(fakebin, sizeof(fakebin), "/tmp/meshnfs-sources-test.XXXXXX");
		assert_non_null(mkdtemp(fakebin));
		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(target, sizeof(target), "%s/tests/lib/replay", cwd);
		for (int i = 0; i < 2; i++) {
			snprintf(link, sizeof(link), "%s/%s", fakebin, i ? "tailscale.exe" : "tailscale");
			assert_int_equal(symlink(target, link), 0);
		}
	}
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", fakebin);
	setenv("PATH", path, 1);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/windows/%s", cwd, scenario);
	snprintf(link, sizeof(link), "%s/.replay_dir", fakebin);
	FILE *f = fopen(link, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", dir);
	fclose(f);
}

static int cleanup_fakes(void **state)
{
	char link[128];

	(void)state;
	if (!fakebin[0])
		return 0;
	for (int i = 0; i < 2; i++) {
		snprintf(link, sizeof(link), "%s/%s", fakebin, i ? "tailscale.exe" : "tailscale");
		unlink(link);
	}
	snprintf(link, sizeof(link), "%s/.replay_dir", fakebin);
	unlink(link);
	rmdir(fakebin);
	return 0;
}

static int load(struct config *c, enum mesh_source s, bool wsl2, struct mesh_nodes *l,
		struct diag *d)
{
	struct mesh_load_opts o = { .source = s, .timeout_ms = 5000, .wsl2 = wsl2,
				    .hostname = "office-one" };
	*l = (struct mesh_nodes){ 0 };
	*d = (struct diag){ 0 };
	return mesh_sources_load(c, &o, l, d);
}

/* Native Linux: the local tailscale, running and not. */
static void tailscale_local(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l;
	struct diag d;

	(void)state;
	test_config(&c, "[nodes]\nbox = 100.64.0.9\n");
	fake_tailscale("linux-running");
	assert_int_equal(load(&c, MESH_SOURCE_TAILSCALE, false, &l, &d), 0);
	assert_str(l.source, "tailscale status --json");
	assert_true(l.control_plane);
	assert_true(l.first_is_self);
	assert_int_equal(l.n, 2);
	assert_str(l.nodes[0].name, "iKuai");
	assert_str(l.nodes[0].ips[0], "100.104.58.51");
	mesh_nodes_free(&l);
	/* Automatic order, tailscale on PATH: it comes before the config. */
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, false, &l, &d), 0);
	assert_str(l.source, "tailscale status --json");
	mesh_nodes_free(&l);

	fake_tailscale("linux-down");
	assert_int_equal(load(&c, MESH_SOURCE_TAILSCALE, false, &l, &d), -EPROTO);
	assert_str(d.file, "tailscale status --json");
	assert_non_null(strstr(d.msg, "exited with status 1: Failed to connect to local Tailscale daemon"));
	/* ... passed over for the config's list. */
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, false, &l, &d), 0);
	assert_non_null(strstr(l.source, "config"));
	assert_int_equal(l.n_warnings, 1);
	assert_non_null(strstr(l.warnings[0], "tailscale status --json: exited with status 1"));
	assert_non_null(strstr(l.warnings[0], "passed over"));
	mesh_nodes_free(&l);

	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(load(&c, MESH_SOURCE_TAILSCALE, false, &l, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "no tailscale CLI on PATH"));
	/* Not on PATH: the automatic order skips it without a word. */
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, false, &l, &d), 0);
	assert_int_equal(l.n_warnings, 0);
	mesh_nodes_free(&l);
	config_free(&c);
}

/* WSL2: the Windows host's tailscale.exe. Self is the host; the distro rides it. */
static void tailscale_windows(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l;
	struct diag d;

	(void)state;
	test_config(&c, "[nodes]\nsfspark1 = server\n");
	fake_tailscale("mirrored");
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, true, &l, &d), 0);
	assert_str(l.source, "tailscale.exe status --json");
	assert_int_equal(l.n, 4);
	assert_str(l.nodes[0].name, "office-one");
	assert_str(l.nodes[0].os, "windows");
	/* Named like its host (the default: the Windows computer name), so told apart. */
	assert_str(l.nodes[1].name, "office-one (WSL2)");
	assert_str(l.nodes[1].role, "wsl2");
	assert_str(l.nodes[1].via, "office-one");
	assert_str(l.nodes[1].ips[0], "100.64.0.3");
	assert_int_equal(l.nodes[1].online, MESH_YES);
	assert_str(l.nodes[2].name, "sfspark1");
	assert_str(l.nodes[2].role, "server");
	mesh_nodes_free(&l);
	/* A [nodes] entry for the distro: no second row. */
	config_free(&c);
	test_config(&c, "[nodes]\nmydistro = 100.64.0.3 wsl2\n");
	assert_int_equal(load(&c, MESH_SOURCE_TAILSCALE_WINDOWS, true, &l, &d), 0);
	assert_int_equal(l.n, 4);
	assert_str(l.nodes[1].name, "mydistro");
	assert_str(l.nodes[1].via, "office-one");
	mesh_nodes_free(&l);

	fake_tailscale("ts-stopped");
	assert_int_equal(load(&c, MESH_SOURCE_TAILSCALE_WINDOWS, true, &l, &d), -ENOTCONN);
	assert_str(d.file, "tailscale.exe status --json");
	assert_non_null(strstr(d.msg, "Windows host's Tailscale service is Stopped"));
	/* The config has only a rider, no list: the automatic order reports tailscale.exe. */
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, true, &l, &d), 0);
	assert_non_null(strstr(l.source, "config"));
	mesh_nodes_free(&l);
	config_free(&c);
	test_config(&c, "[nodes]\nsfspark1 = server\n");
	assert_int_equal(load(&c, MESH_SOURCE_AUTO, true, &l, &d), -ENOTCONN);
	assert_non_null(strstr(d.msg, "Stopped"));
	config_free(&c);
}

static void no_source(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l = { 0 };
	struct diag d = { 0 };

	(void)state;
	setenv("PATH", "/usr/bin:/bin", 1); /* no tailscale */
	test_config(&c, "[server]\naddress = 100.64.0.1\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ 0 }, &l, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "no node list"));
	config_free(&c);
	/* [nodes] with roles only: no list of its own. */
	test_config(&c, "[nodes]\nsfspark1 = server\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ 0 }, &l, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "no node with an address"));
	config_free(&c);
}


/* Headscale configured but not answering: in the automatic order the config's list is used
 * and the failure is a warning; asked for, the failure is the error. Bad input stops. */
static void headscale_fallback(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l = { 0 };
	struct diag d = { 0 };

	(void)state;
	setenv("PATH", "/usr/bin:/bin", 1); /* no tailscale */
	if (!test_isolate_net())
		skip();
	test_config(&c, "[headscale]\nurl = https://127.0.0.1:9\napi_key = abcdefgh12345\n"
		 "[nodes]\nsfspark1 = 100.64.0.1 server\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ .timeout_ms = 2000 }, &l, &d), 0);
	assert_int_equal(l.n, 1);
	assert_str(l.nodes[0].role, "server");
	assert_true(l.n_warnings >= 1);
	assert_non_null(strstr(l.warnings[0], "https://127.0.0.1:9"));
	assert_non_null(strstr(l.warnings[0], "passed over"));
	mesh_nodes_free(&l);
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ .source = MESH_SOURCE_HEADSCALE, .timeout_ms = 2000 }, &l, &d), -ECONNREFUSED);
	/* Without [nodes] addresses, the automatic order reports Headscale's failure. */
	config_free(&c);
	test_config(&c, "[headscale]\nurl = https://127.0.0.1:9\napi_key = abcdefgh12345\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ .timeout_ms = 2000 }, &l, &d), -ECONNREFUSED);
	assert_non_null(strstr(d.file, "127.0.0.1:9"));
	/* A key file others can read is bad input: no fallback. */
	config_free(&c);
	test_config(&c, "[headscale]\nurl = https://127.0.0.1:9\napi_key_file = /proc/version\n"
		 "[nodes]\nsfspark1 = 100.64.0.1 server\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ .timeout_ms = 2000 }, &l, &d), -EBADMSG);
	assert_str(d.file, "/proc/version");
	config_free(&c);
}

/* [nodes] roles by name (found by hash since issue 16): case ignored, the first entry of a
 * repeated name (a parsed file has none, a hand-built config may), and a node with a givenName
 * matched by it alone. */
static void roles_by_name(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l = { 0 };

	(void)state;
	c.nodes = xcalloc(3, sizeof(*c.nodes));
	c.nodes[0] = (struct config_node){ .name = xstrdup("Alpha"), .role = xstrdup("server") };
	c.nodes[1] = (struct config_node){ .name = xstrdup("alpha"), .role = xstrdup("windows") };
	c.nodes[2] = (struct config_node){ .name = xstrdup("beta"), .role = xstrdup("client"),
					   .os = xstrdup("debian") };
	c.n_nodes = 3;
	node(&l, "x", "ALPHA", "100.64.0.1");
	node(&l, "BETA", NULL, "100.64.0.2");
	node(&l, "beta", "gamma", "100.64.0.3");
	node(&l, "alpha", NULL, "100.64.0.4");
	node(&l, "delta", NULL, "100.64.0.5");
	mesh_nodes_apply_config(&l, &c);
	assert_str(l.nodes[0].role, "server");
	assert_null(l.nodes[0].os);
	assert_str(l.nodes[1].role, "client");
	assert_str(l.nodes[1].os, "debian");
	assert_null(l.nodes[2].role); /* givenName gamma: not the [nodes] beta */
	assert_str(l.nodes[3].role, "server");
	assert_null(l.nodes[4].role);
	mesh_nodes_free(&l);
	config_free(&c);
}

/* A Headscale-like list: the Windows host, its stale WSL2 identity (same name), and a [nodes]
 * wsl2 entry riding the host's address. */
static void wsl2_riders(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l = { .control_plane = true, .source = xstrdup("headscale test") };

	(void)state;
	test_config(&c, "[nodes]\noffice-one = windows\noffice-distro = 100.64.0.4 wsl2\n"
		 "lost-distro = 100.64.0.77 wsl2\n");
	node(&l, "sfspark1", "sfspark1", "100.64.0.1");
	node(&l, "office-one", "office-one-wsl", "100.64.0.3")->online = MESH_NO;
	node(&l, "office-one", "office-one", "100.64.0.4")->path =
		(struct mesh_path){ .kind = MESH_PATH_DERP, .region = xstrdup("fra") };
	node(&l, "laptop", "laptop", "100.64.0.5");
	mesh_nodes_apply_config(&l, &c);
	mesh_nodes_link_wsl2(&l, &c);
	assert_int_equal(l.n, 5);
	assert_str(l.nodes[4].name, "laptop"); /* the distro is placed after its host */
	assert_null(l.nodes[1].role); /* givenName office-one-wsl: not the [nodes] office-one */
	assert_str(l.nodes[2].role, "windows");
	assert_str(l.nodes[2].os, "windows");
	assert_str(l.nodes[3].name, "office-distro");
	assert_str(l.nodes[3].role, "wsl2");
	assert_str(l.nodes[3].os, "linux");
	assert_str(l.nodes[3].via, "office-one");
	assert_str(l.nodes[3].ips[0], "100.64.0.4");
	assert_int_equal(l.nodes[3].online, MESH_YES); /* the host's */
	assert_int_equal(l.nodes[3].path.kind, MESH_PATH_DERP); /* its packets take the host's path */
	assert_str(l.nodes[3].path.region, "fra");
	assert_int_equal(l.n_warnings, 1);
	assert_non_null(strstr(l.warnings[0], "test.conf:4: [nodes] lost-distro = 100.64.0.77 wsl2"));
	mesh_nodes_free(&l);
	config_free(&c);
}

/* From the config source the distro is a node already: linked, not added twice. */
static void wsl2_riders_config(void **state)
{
	struct config c = { 0 };
	struct mesh_nodes l = { 0 };
	struct diag d = { 0 };

	(void)state;
	test_config(&c, "[nodes]\noffice-one = 100.64.0.4 windows\noffice-distro = 100.64.0.4 wsl2\n"
		 "own = 100.64.0.9 wsl2\n");
	assert_int_equal(mesh_sources_load(&c, &(struct mesh_load_opts){ .source = MESH_SOURCE_CONFIG }, &l, &d), 0);
	assert_int_equal(l.n, 3);
	assert_str(l.nodes[1].via, "office-one");
	assert_null(l.nodes[2].via);
	assert_int_equal(l.n_warnings, 0);
	mesh_nodes_free(&l);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(node_addresses),
		cmocka_unit_test(tailscale_local),
		cmocka_unit_test(tailscale_windows),
		cmocka_unit_test(no_source),
		cmocka_unit_test(roles_by_name), cmocka_unit_test(wsl2_riders),
		cmocka_unit_test(wsl2_riders_config),
		cmocka_unit_test(headscale_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup_fakes);
}
