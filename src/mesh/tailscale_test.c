/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "mesh/tailscale.h"

#include "format/rfc3339.h"
#include "mesh/wslghost.h"
#include "mesh/mesh_private.h"

#include <errno.h>

#define REC "tests/fixtures/windows/"

static void parse_str(const char *json, struct ts_status *st)
{
	struct diag d = { 0 };
	int r = ts_status_parse("tailscale status --json", json, strlen(json), st, &d);
	if (r < 0)
		print_error("%s: %s\n", d.file, d.msg);
	assert_int_equal(r, 0);
}

static void parse_file(const char *path, struct ts_status *st)
{
	_cleanup_free_ char *data = NULL;
	struct diag d = { 0 };
	size_t len;

	assert_int_equal(read_file_bounded(path, TS_MAX_OUTPUT, &data, &len), 0);
	int r = ts_status_parse(path, data, len, st, &d);
	if (r < 0)
		print_error("%s:%u: %s\n", d.file, d.line, d.msg);
	assert_int_equal(r, 0);
}

static time_t t(const char *s)
{
	time_t v;
	assert_int_equal(rfc3339_parse(s, &v), 0);
	return v;
}

static void running_windows_host(void **state)
{
	(void)state;
	struct ts_status st;

	parse_file(REC "mirrored/tailscale.exe/status_--json.out", &st);
	assert_int_equal(st.backend, TS_RUNNING);
	assert_str(st.backend_state, "Running");
	assert_true(st.has_self);
	assert_str(st.self.n.name, "office-one");
	assert_str(st.self.n.os, "windows");
	assert_str(st.self.n.id, "3");
	assert_str(st.self.dns_name, "office-one.mesh.example.org"); /* trailing dot dropped */
	assert_str(st.self.n.given_name, "office-one");              /* the MagicDNS label */
	assert_str(ts_node_ipv4(&st.self), "100.64.0.3");
	assert_int_equal(st.self.n.online, MESH_YES);
	assert_int_equal(st.self.key_expiry, 0); /* Headscale: expiry disabled */
	assert_int_equal(st.self.n.last_seen, 0); /* Go's zero time */
	assert_true(st.has_tailnet);
	assert_str(st.magic_dns_suffix, "mesh.example.org");
	assert_int_equal(st.n_health, 0);
	assert_int_equal(st.n_peers, 2);
	assert_str(st.peers[0].n.name, "sfspark1");
	assert_int_equal(st.peers[0].n.n_ips, 2);
	assert_str(st.peers[0].n.ips[0], "100.64.0.1");
	assert_str(st.peers[0].n.ips[1], "fd7a:115c:a1e0::1");
	assert_non_null(strstr(st.peers[0].key, "nodekey:"));

	/* The node list for status: Self first, then the peers, as source-neutral nodes. */
	struct mesh_nodes l;
	ts_status_nodes(&st, "tailscale.exe status --json", &l);
	assert_int_equal(l.n, 3);
	assert_str(l.source, "tailscale.exe status --json");
	assert_str(mesh_node_display_name(&l.nodes[0]), "office-one");
	assert_str(l.nodes[2].ips[0], "100.64.0.2");
	json_t *j = ts_node_to_json(&st.peers[0]);
	assert_str(json_string_value(json_object_get(j, "name")), "sfspark1");
	assert_true(json_is_null(json_object_get(j, "key_expiry")));
	/* Both addresses, in order (mutation run 6: the append dropped gave "ips": []). */
	json_t *ips = json_object_get(j, "ips");
	assert_int_equal(json_array_size(ips), 2);
	assert_str(json_string_value(json_array_get(ips, 0)), "100.64.0.1");
	assert_str(json_string_value(json_array_get(ips, 1)), "fd7a:115c:a1e0::1");
	json_decref(j);
	mesh_nodes_free(&l);
	ts_status_free(&st);
}

static void other_states(void **state)
{
	(void)state;
	struct ts_status st;

	parse_file(REC "ts-logged-out/tailscale.exe/status_--json.out", &st);
	assert_int_equal(st.backend, TS_NEEDS_LOGIN);
	assert_str(st.auth_url, "https://login.tailscale.com/a/14bca4f701de61");
	assert_null(st.self.n.id); /* "ID": "" */
	assert_int_equal(st.self.n.n_ips, 0);
	assert_false(st.has_tailnet);
	assert_int_equal(st.n_peers, 0);
	assert_int_equal(st.n_health, 1);
	assert_non_null(strstr(st.health[0], "coordination server"));
	ts_status_free(&st);

	parse_file(REC "ts-stopped/tailscale.exe/status_--json.out", &st);
	assert_int_equal(st.backend, TS_STOPPED);
	assert_str(st.health[0], "Tailscale is stopped.");
	ts_status_free(&st);

	parse_file(REC "ts-expired/tailscale.exe/status_--json.out", &st);
	assert_true(st.self.expired);
	assert_int_equal(st.self.key_expiry, t("2025-09-01T08:02:14Z"));
	ts_status_free(&st);

	parse_file(REC "stale-identity/tailscale.exe/status_--json.out", &st);
	assert_int_equal(st.n_peers, 3);
	assert_int_equal(st.peers[2].n.online, MESH_NO);
	assert_int_equal(st.peers[2].n.last_seen, t("2025-03-08T22:17:45Z"));
	ts_status_free(&st);

	static const char *const names[] = { "NoState", "NeedsLogin", "NeedsMachineAuth", "Stopped",
					     "Starting", "Running", "Frobbing" };
	static const enum ts_backend want[] = { TS_NO_STATE, TS_NEEDS_LOGIN, TS_NEEDS_MACHINE_AUTH,
						TS_STOPPED,  TS_STARTING,    TS_RUNNING,
						TS_BACKEND_UNKNOWN };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_int_equal(ts_backend_from(names[i]), want[i]);
}

/* 64-bit integers (a real UserID, byte counters beyond 2^32), integers beyond 64 bits in a
 * field meshnfs does not read, and unknown fields of every shape. */
static void integers_and_unknown_fields(void **state)
{
	(void)state;
	struct ts_status st;

	parse_str("{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"iKuai\",\"UserID\":"
		  "5728873853606505,\"RxBytes\":73014444032,\"TailscaleIPs\":[\"100.104.58.51\"]},"
		  "\"FutureField\":{\"nested\":[1,2,{\"x\":null}]},\"StateID\":18446744073709551615,"
		  "\"Peer\":null,\"CurrentTailnet\":null}",
		  &st);
	assert_int_equal(st.self.user_id, 5728873853606505LL);
	assert_str(st.self.n.name, "iKuai");
	assert_int_equal(st.n_peers, 0);
	assert_false(st.has_tailnet);
	ts_status_free(&st);
}

static void malformed_output(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ "", 0, "empty output" },
		{ "\r\n  \n", 0, "empty output" },
		{ "Failed to connect to local Tailscale daemon", 1, "malformed JSON" },
		{ "{\n\"BackendState\": \"Running\",\n", 3, "malformed JSON" },
		{ "[]", 0, "expected a JSON object" },
		{ "{\"Self\":{}}", 0, "no BackendState" },
		{ "{\"BackendState\":7}", 0, "BackendState: expected a string, got a number" },
		{ "{\"BackendState\":\"Running\",\"Self\":\"me\"}", 0, "Self: expected an object" },
		{ "{\"BackendState\":\"Running\",\"Self\":{\"Online\":\"yes\"}}", 0,
		  "Self.Online: expected a boolean" },
		{ "{\"BackendState\":\"Running\",\"Self\":{\"TailscaleIPs\":[\"100.64.0.300\"]}}", 0,
		  "Self.TailscaleIPs: \"100.64.0.300\" is not an IP address" },
		{ "{\"BackendState\":\"Running\",\"Peer\":{\"k\":{\"LastSeen\":\"yesterday\"}}}", 0,
		  "Peer[\"k\"].LastSeen: \"yesterday\" is not an RFC 3339 time" },
		{ "{\"BackendState\":\"Running\",\"Peer\":[1]}", 0, "Peer: expected an object" },
		{ "{\"BackendState\":\"Running\",\"Health\":[\"ok\",3]}", 0, "Health: expected a string" },
		{ "{\"BackendState\":\"Run\\u0000ning\"}", 1, "\\u0000 is not allowed" },
		{ "{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"a\\u0000b\"}}", 1,
		  "\\u0000 is not allowed" },
		/* a key twice: jansson kept the last one silently */
		{ "{\"BackendState\":\"Running\",\"BackendState\":\"Stopped\"}", 1,
		  "duplicate object key" },
		{ "{\"BackendState\":\"Running\",\"Peer\":{\"k\":{\"HostName\":\"a\",\"HostName\":\"b\"}}}",
		  1, "duplicate object key" },
		{ "{\"BackendState\":\"Running\",\"Self\":{\"TailscaleIPs\":[\"\\u001b]0;x\\u0007\"]}}", 0,
		  "Self.TailscaleIPs: \"\033]0;x\007\" is not an IP address" },
		{ "{\"BackendState\":\"Running\",\"Peer\":{\"k\\u001b[2J\":{\"Online\":1}}}", 0,
		  "Peer[\"k\033[2J\"].Online: expected a boolean" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ts_status st;
		struct diag d = { 0 };
		assert_int_equal(ts_status_parse("tailscale.exe status --json", cases[i].in,
						 strlen(cases[i].in), &st, &d),
				 -EBADMSG);
		assert_str(d.file, "tailscale.exe status --json");
		if (!strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, d.msg, cases[i].msg);
		assert_int_equal(d.line, cases[i].line);
		assert_null(st.peers); /* nothing left allocated */
	}
}

/* One peer with a hostile name is listed (human output escapes it) beside every other one;
 * a peer without a HostName is listed by its address, with a warning. */
static void hostile_and_nameless_peers(void **state)
{
	static const char doc[] =
		"{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"me\",\"TailscaleIPs\":[\"100.64.0.3\"]},"
		"\"Peer\":{\"k1\":{\"HostName\":\"evil\\u001b]0;pwned\\u0007\\u009b31m\\u202e\","
		"\"TailscaleIPs\":[\"100.64.0.7\"]},"
		"\"k2\":{\"HostName\":\"sfspark1\",\"TailscaleIPs\":[\"100.64.0.1\"]},"
		"\"k3\":{\"HostName\":\"\",\"TailscaleIPs\":[\"100.64.0.9\"]}}}";
	struct ts_status st;
	struct mesh_nodes l;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(ts_status_parse("tailscale status --json", doc, strlen(doc), &st, &d), 0);
	assert_int_equal(st.n_peers, 3);
	assert_str(st.peers[0].n.name, "evil\033]0;pwned\007\xc2\x9b" "31m\xe2\x80\xae");
	ts_status_nodes(&st, "tailscale status --json", &l);
	assert_int_equal(l.n, 4);
	assert_str(l.nodes[2].name, "sfspark1");
	assert_int_equal(l.n_warnings, 1);
	assert_str(l.warnings[0], "tailscale status --json: the peer k3 has an empty HostName: "
				  "shown as 100.64.0.9");
	mesh_nodes_free(&l);
	ts_status_free(&st);
}

/* The path to each peer, as `tailscale status` prints it: only an Active peer has one; then
 * CurAddr (direct), PeerRelay (1.86 on), Relay (DERP). Without the fields: unknown. */
static void peer_paths(void **state)
{
	(void)state;
	static const struct {
		const char *fields, *name;
		enum mesh_path_kind kind;
	} cases[] = {
		{ "\"Active\":true,\"CurAddr\":\"198.51.100.7:41641\",\"Relay\":\"fra\"", "direct",
		  MESH_PATH_DIRECT },
		{ "\"Active\":true,\"CurAddr\":\"\",\"Relay\":\"fra\",\"PeerRelay\":\"\"",
		  "relay:fra", MESH_PATH_DERP },
		{ "\"Active\":true,\"CurAddr\":\"\",\"Relay\":\"fra\","
		  "\"PeerRelay\":\"100.64.0.9:7777:vni:3\"",
		  "peer-relay", MESH_PATH_PEER_RELAY },
		/* CurAddr wins over PeerRelay, as in the CLI. */
		{ "\"Active\":true,\"CurAddr\":\"[2001:db8::7]:41641\",\"Relay\":\"fra\","
		  "\"PeerRelay\":\"100.64.0.9:7777:vni:3\"",
		  "direct", MESH_PATH_DIRECT },
		{ "\"Active\":false,\"CurAddr\":\"\",\"Relay\":\"fra\"", "idle", MESH_PATH_IDLE },
		{ "\"Active\":true", "unknown", MESH_PATH_UNKNOWN },
		{ "\"Active\":true,\"CurAddr\":null,\"Relay\":\"\"", "unknown", MESH_PATH_UNKNOWN },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *doc = xasprintf(
			"{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"me\",\"CurAddr\":"
			"\"\",\"Relay\":\"fra\",\"Active\":true},\"Peer\":{\"k\":{\"HostName\":"
			"\"sfspark1\",\"TailscaleIPs\":[\"100.64.0.1\"],%s}}}",
			cases[i].fields);
		struct ts_status st;
		struct diag d = { 0 };
		char name[64];
		assert_int_equal(ts_status_parse("test", doc, strlen(doc), &st, &d), 0);
		assert_int_equal(st.peers[0].n.path.kind, cases[i].kind);
		assert_str(mesh_path_name(&st.peers[0].n.path, name, sizeof(name)), cases[i].name);
		assert_int_equal(st.self.n.path.kind, MESH_PATH_UNKNOWN); /* no path to oneself */
		assert_ptr_equal(ts_status_peer(&st, "100.64.0.1", NULL), &st.peers[0]);
		assert_ptr_equal(ts_status_peer(&st, NULL, "SFSPARK1"), &st.peers[0]);
		assert_null(ts_status_peer(&st, "100.64.0.2", "other"));
		/* The node list carries it. */
		struct mesh_nodes l;
		ts_status_nodes(&st, "test", &l);
		assert_int_equal(l.nodes[1].path.kind, cases[i].kind);
		mesh_nodes_free(&l);
		ts_status_free(&st);
	}
	/* A path field of the wrong type is bad input, named. */
	const char *bad = "{\"BackendState\":\"Running\",\"Peer\":{\"k\":{\"HostName\":\"a\","
			  "\"Active\":true,\"PeerRelay\":7}}}";
	struct ts_status st;
	struct diag d = { 0 };
	char msg[300];
	assert_int_equal(ts_status_parse("test", bad, strlen(bad), &st, &d), -EBADMSG);
	diag_format(&d, msg, sizeof(msg));
	assert_non_null(strstr(msg, "PeerRelay: expected a string, got a number"));
}

/* Health has at most 256 messages (TS_MAX_HEALTH in tailscale.c): 256 are taken, 257 refused.
 * Mutation run 4: tailscale.c:235's `> TS_MAX_HEALTH` made `>=` refused the 256th; no case
 * was at the bound. */
static void health_at_the_bound(void **state)
{
	(void)state;
	for (int n = 256; n <= 257; n++) {
		struct buf b = { 0 };
		struct ts_status st;
		struct diag d = { 0 };
		buf_printf(&b, "{\"BackendState\":\"Running\",\"Health\":[");
		for (int i = 0; i < n; i++)
			buf_printf(&b, "%s\"message %d\"", i ? "," : "", i);
		buf_printf(&b, "]}");
		int r = ts_status_parse("tailscale status --json", b.data, b.len, &st, &d);
		if (n == 256) {
			assert_int_equal(r, 0);
			assert_int_equal(st.n_health, 256);
			assert_str(st.health[255], "message 255");
			ts_status_free(&st);
		} else {
			assert_int_equal(r, -EBADMSG);
			assert_non_null(strstr(d.msg, "Health: too many entries"));
		}
		free(b.data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(running_windows_host),
		cmocka_unit_test(other_states),
		cmocka_unit_test(integers_and_unknown_fields),
		cmocka_unit_test(malformed_output),
		cmocka_unit_test(health_at_the_bound),
		cmocka_unit_test(hostile_and_nameless_peers),
		cmocka_unit_test(peer_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
