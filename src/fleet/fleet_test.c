/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "fleet/fleet.h"

#include <errno.h>

static struct spawn_result result(int code, const char *out, const char *err)
{
	return (struct spawn_result){
		.exit_code = code,
		.out = (char *)out,
		.out_len = strlen(out),
		.err = (char *)err,
		.err_len = strlen(err),
		.ms = 42,
	};
}

static void classify(void **state)
{
	(void)state;
	static const struct {
		int spawn_r, code;
		const char *out, *err;
		enum fleet_result want;
		const char *reason;
	} cases[] = {
		{ 0, 255, "", "root@100.64.0.6: Permission denied (publickey).\r\n", FLEET_AUTH_FAILED, "Permission denied (publickey)." },
		{ 0, 255, "", "ssh: connect to host 100.64.0.7 port 22: No route to host\n", FLEET_UNREACHABLE, "No route to host" },
		{ 0, 255, "", "ssh: connect to host 100.64.0.7 port 22: Connection timed out\n", FLEET_UNREACHABLE, "timed out" },
		{ 0, 255, "", "ssh: connect to host 100.64.0.8 port 22: Connection refused\n", FLEET_REFUSED, "no sshd" },
		{ 0, 255, "", "No ED25519 host key is known for 100.64.0.1 and you have requested strict checking.\nHost key verification failed.\n", FLEET_HOST_KEY, "known_hosts" },
		{ 0, 255, "", "kex_exchange_identification: read: Connection reset by peer\n", FLEET_ERROR, "ssh failed: kex_exchange_identification" },
		{ 0, 127, "", "sh: 1: meshnfs: not found\n", FLEET_NOT_INSTALLED, "exit 127" },
		{ 0, 126, "", "", FLEET_ERROR, "not executable" },
		{ 0, 65, "{\"error\":{\"kind\":\"bad_input\",\"file\":\"/etc/meshnfs.conf\",\"line\":3,\"message\":\"unknown key \\\"port\\\" in [server]\"}}", "", FLEET_BAD_CONFIG, "/etc/meshnfs.conf:3: unknown key \"port\" in [server]" },
		{ 0, 0, "Welcome!\n", "", FLEET_ERROR, "not doctor's JSON" },
		{ 0, 3, "", "boom\n", FLEET_ERROR, "exit 3: boom" },
		{ -ETIMEDOUT, -1, "", "", FLEET_TIMEOUT, "no complete answer" },
		{ -ENOENT, -1, "", "", FLEET_ERROR, "openssh-client" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct spawn_result res = result(cases[i].code, cases[i].out, cases[i].err);
		struct fleet_row row = { 0 };
		fleet_classify(cases[i].spawn_r, &res, &row);
		if (row.result != cases[i].want || !row.reason || !strstr(row.reason, cases[i].reason))
			fail_msg("case %zu: got %s \"%s\"", i, fleet_result_name(row.result),
				 row.reason ? row.reason : "(null)");
		fleet_rows_free(NULL, 0);
		free(row.reason);
	}
}

static void doctor_report(void **state)
{
	(void)state;
	const char *doc = "{\"command\":\"doctor\",\"verdict\":\"fail\",\"checks\":["
			  "{\"id\":\"node.kind\",\"status\":\"ok\",\"summary\":\"native Linux\",\"detail\":null,\"fix\":null},"
			  "{\"id\":\"mount.present\",\"status\":\"fail\",\"summary\":\"not mounted\",\"detail\":null,\"fix\":\"sudo mount /opt/shared\"},"
			  "{\"id\":\"fstab.entry\",\"status\":\"warn\",\"summary\":\"no automount\",\"detail\":\"x\",\"fix\":null}]}";
	struct spawn_result res = result(2, doc, "");
	struct fleet_row row = { 0 };
	struct diag d = { 0 };

	fleet_classify(0, &res, &row);
	assert_int_equal(row.result, FLEET_FAIL);
	assert_null(row.reason);
	assert_int_equal(row.n_checks, 2);
	assert_str(row.checks[0].id, "mount.present");
	assert_int_equal(row.checks[0].status, CHECK_FAIL);
	assert_str(row.checks[0].fix, "sudo mount /opt/shared");
	assert_str(row.checks[1].id, "fstab.entry");
	assert_null(row.checks[1].fix);
	assert_int_equal(row.exit_code, 2);

	/* Terminal escapes in a remote node's summary or fix are kept as they came (shown
	 * escaped, JSON exact): the node's report is not lost for them. In an id (a token) they
	 * are refused. */
	const char *evil = "{\"command\":\"doctor\",\"verdict\":\"fail\",\"checks\":[{\"id\":\"x\",\"status\":\"fail\",\"summary\":\"\\u001b]0;owned\\u0007\",\"fix\":\"\\u009b2J\"}]}";
	assert_int_equal(fleet_parse_doctor(evil, strlen(evil), &row, &d), 0);
	assert_int_equal(row.n_checks, 1);
	assert_str(row.checks[0].summary, "\x1b]0;owned\a");
	assert_str(row.checks[0].fix, "\xc2\x9b" "2J");
	const char *evil_id = "{\"command\":\"doctor\",\"verdict\":\"fail\",\"checks\":[{\"id\":\"x\\u001b[2J\",\"status\":\"fail\",\"summary\":\"s\"}]}";
	assert_int_equal(fleet_parse_doctor(evil_id, strlen(evil_id), &row, &d), -EBADMSG);
	assert_str(d.msg, "checks[0] is not a valid check");
	assert_int_equal(row.n_checks, 0);
	/* A verdict better than its own checks is not believed: shown as the worse, with a
	 * warning (it was shown as ok). */
	const char *liar = "{\"command\":\"doctor\",\"verdict\":\"ok\",\"checks\":[{\"id\":\"a\",\"status\":\"ok\",\"summary\":\"s\"},"
			   "{\"id\":\"mount.present\",\"status\":\"fail\",\"summary\":\"not mounted\"}]}";
	assert_int_equal(fleet_parse_doctor(liar, strlen(liar), &row, &d), 0);
	assert_int_equal(row.result, FLEET_FAIL);
	assert_int_equal(row.n_checks, 1);
	assert_str(row.warning, "its doctor's verdict says ok while a check says fail: shown as fail");
	const char *honest = "{\"command\":\"doctor\",\"verdict\":\"warn\",\"checks\":[{\"id\":\"a\",\"status\":\"warn\",\"summary\":\"s\"}]}";
	assert_int_equal(fleet_parse_doctor(honest, strlen(honest), &row, &d), 0);
	assert_int_equal(row.result, FLEET_WARN);
	assert_null(row.warning);
	const char *other = "{\"command\":\"env\",\"verdict\":\"ok\",\"checks\":[]}";
	assert_int_equal(fleet_parse_doctor(other, strlen(other), &row, &d), -EBADMSG);
	struct fleet_row *rows = xcalloc(1, sizeof(*rows));
	rows[0] = row;
	fleet_rows_free(rows, 1);
}

static void argv_and_deadline(void **state)
{
	(void)state;
	struct fleet_opts o = { .ssh_config = "/t/ssh_config", .identity = "/t/id", .user = "root",
				.meshnfs = "/usr/local/sbin/meshnfs", .connect_timeout_s = 3,
				.timeout_ms = 1500 };
	char **a = fleet_ssh_argv(&o, "100.64.0.1");
	struct buf b = { 0 };

	for (size_t i = 0; a[i]; i++)
		buf_printf(&b, "%s%s", i ? " " : "", a[i]);
	assert_str(b.data, "ssh -F /t/ssh_config -i /t/id -l root -o BatchMode=yes -o ConnectTimeout=3 "
			   "-T -- 100.64.0.1 /usr/local/sbin/meshnfs doctor --json --timeout 1.5");
	fleet_argv_free(a);
	buf_free(&b);
	assert_int_equal(fleet_session_deadline_ms(&o), 3000 + 6000 + 2000);

	struct fleet_opts bare = { 0 };
	a = fleet_ssh_argv(&bare, "100.64.0.3");
	for (size_t i = 0; a[i]; i++)
		buf_printf(&b, "%s%s", i ? " " : "", a[i]);
	assert_str(b.data, "ssh -o BatchMode=yes -o ConnectTimeout=5 -T -- 100.64.0.3 meshnfs doctor --json --timeout 5.0");
	fleet_argv_free(a);
	buf_free(&b);
}

static void rows_without_contact(void **state)
{
	(void)state;
	struct mesh_nodes l = { 0 };
	struct fleet_row *rows = NULL;
	struct cidr mesh;
	struct mesh_node *n;

	cidr_parse("100.64.0.0/10", true, &mesh);
	n = mesh_nodes_add(&l);
	n->name = xstrdup("office-one");
	mesh_node_add_ip(n, "100.64.0.4");
	n->role = xstrdup("windows");
	n = mesh_nodes_add(&l);
	n->name = xstrdup("v6only");
	mesh_node_add_ip(n, "fd7a:115c:a1e0::9");
	n = mesh_nodes_add(&l);
	n->name = xstrdup("lan");
	mesh_node_add_ip(n, "192.168.1.20");
	/* Windows by the control plane's OS alone: skipped before its address is looked at. */
	n = mesh_nodes_add(&l);
	n->name = xstrdup("office-two");
	mesh_node_add_ip(n, "192.168.1.30");
	n->os = xstrdup("windows");

	struct fleet_opts o = { .sessions = 4, .mesh = &mesh };
	fleet_run(&o, &l, &rows); /* no node is contacted: nothing to run */
	assert_int_equal(rows[0].result, FLEET_SKIPPED);
	assert_int_equal(rows[1].result, FLEET_NO_ADDRESS);
	assert_int_equal(rows[2].result, FLEET_NO_ADDRESS);
	assert_ptr_equal(rows[2].node, &l.nodes[2]);
	assert_int_equal(rows[3].result, FLEET_SKIPPED);
	fleet_rows_free(rows, l.n);
	mesh_nodes_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify),
		cmocka_unit_test(doctor_report),
		cmocka_unit_test(argv_and_deadline),
		cmocka_unit_test(rows_without_contact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
