/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "fleet/fleet_private.h"
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
		/* spawn's other errors, with the errno (mutation run 17: this reason dropped lived) */
		{ -EACCES, -1, "", "", FLEET_ERROR, "cannot run ssh: Permission denied" },
		{ SPAWN_REFUSED_ROOT, -1, "", "", FLEET_SKIPPED, "under --root meshnfs runs no program" },
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
	/* An id is a token: a blank, a byte outside ASCII, nothing at all or 65 bytes are refused
	 * as well; 64 of the token's characters are taken (mutation run 14: the old test's
	 * `*p < 0x20` made `<= 0x20` refused a blank, which nothing tried either way). */
	static const char *const bad_ids[] = { "mount responsive", "mount.r\u00e9sponsive", "",
		"a1234567890123456789012345678901234567890123456789012345678901234" };
	for (size_t k = 0; k < ARRAY_SIZE(bad_ids); k++) {
		_cleanup_free_ char *j = xasprintf("{\"command\":\"doctor\",\"verdict\":\"ok\","
						   "\"checks\":[{\"id\":\"%s\",\"status\":\"ok\","
						   "\"summary\":\"s\"}]}", bad_ids[k]);
		d = (struct diag){ 0 };
		if (fleet_parse_doctor(j, strlen(j), &row, &d) != -EBADMSG)
			fail_msg("the id \"%s\" was taken", bad_ids[k]);
		assert_str(d.msg, "checks[0] is not a valid check");
	}
	const char *good = "{\"command\":\"doctor\",\"verdict\":\"warn\",\"checks\":[{\"id\":"
			   "\"Z_9-a.b234567890123456789012345678901234567890123456789012345678\","
			   "\"status\":\"warn\",\"summary\":\"s\"}]}";
	assert_int_equal(fleet_parse_doctor(good, strlen(good), &row, &d), 0);
	assert_int_equal(strlen(row.checks[0].id), 64);
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

/* A doctor --json answer with the extras fleet compares. */
static char *answer(const char *checks, const char *ids, const char *clients)
{
	return xasprintf("{\"command\":\"doctor\",\"verdict\":\"ok\",\"checks\":[%s]%s%s%s%s}",
			 checks, ids ? ",\"ids\":" : "", ids ? ids : "",
			 clients ? ",\"nfsd_clients\":" : "", clients ? clients : "");
}

static void add_node(struct mesh_nodes *l, const char *name, const char *ip, const char *role)
{
	struct mesh_node *n = mesh_nodes_add(l);
	n->name = xstrdup(name);
	mesh_node_add_ip(n, ip);
	n->role = role ? xstrdup(role) : NULL;
}

/* Fills rows[i] from answers[i] (NULL: the node did not answer). */
static struct fleet_row *rows_from(const struct mesh_nodes *l, char *const *answers)
{
	struct fleet_row *rows = xcalloc(l->n, sizeof(*rows));
	struct diag d = { 0 };

	for (size_t i = 0; i < l->n; i++) {
		rows[i] = (struct fleet_row){ .node = &l->nodes[i], .result = FLEET_UNREACHABLE,
					      .ids = { .client_numeric = -1, .server_numeric = -1 } };
		if (answers[i] && fleet_parse_doctor(answers[i], strlen(answers[i]), &rows[i], &d) < 0)
			fail_msg("answer %zu: %s", i, d.msg);
	}
	return rows;
}

static size_t count(const struct report *r, const char *id, enum check_status st,
		    const char *words)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_checks; i++)
		n += streq(r->checks[i].id, id) && r->checks[i].status == st &&
		     (!words || strstr(r->checks[i].summary, words));
	return n;
}

/* fleet_judge over l's first two nodes answering with these ids (JSON objects), the third
 * with none, into r (report_init'ed here; the caller frees it). */
static void judge_ids(const struct mesh_nodes *l, const char *server_ids, const char *client_ids,
		      struct report *r)
{
	char *a[4] = { answer("", server_ids, NULL), answer("", client_ids, NULL),
		       answer("", NULL, NULL), NULL };
	struct fleet_row *rows = rows_from(l, a);

	report_init(r, "doctor");
	fleet_judge(l, rows, "100.64.0.1", r);
	fleet_rows_free(rows, l->n);
	for (size_t i = 0; i < 3; i++)
		free(a[i]);
}

static void judge_across_nodes(void **state)
{
	(void)state;
	struct mesh_nodes l = { 0 };
	struct report r;
	char *a[4];

	add_node(&l, "sfspark1", "100.64.0.1", "server");
	add_node(&l, "office-one", "100.64.0.3", NULL);
	add_node(&l, "laptop", "100.64.0.5", "client");
	add_node(&l, "kiosk", "100.64.0.8", "client");
	a[0] = answer("", "{\"idmapd_domain\":\"mesh\",\"client_numeric_ids\":null,"
			  "\"server_numeric_ids\":false,\"users\":[{\"name\":\"root\",\"uid\":0},"
			  "{\"name\":\"alice\",\"uid\":1000},{\"name\":\"bob\",\"uid\":1002}]}",
		      "[{\"address\":\"100.64.0.3\",\"port\":876,\"host\":\"office-one\","
		      "\"status\":\"confirmed\"},{\"address\":\"100.64.0.8\",\"host\":null,"
		      "\"status\":\"courtesy\"}]");
	/* office-one mounts by its own fstab, under another Domain, sending names. */
	a[1] = answer("{\"id\":\"fstab.entry\",\"status\":\"ok\",\"summary\":\"s\"}",
		      "{\"idmapd_domain\":\"home.arpa\",\"client_numeric_ids\":false,"
		      "\"server_numeric_ids\":null,\"users\":[{\"name\":\"alice\",\"uid\":1000},"
		      "{\"name\":\"bob\",\"uid\":1001}]}",
		      NULL);
	/* laptop: connected, named only by its client id's host (a proxied address). */
	a[2] = answer("", "{\"idmapd_domain\":null,\"client_numeric_ids\":true,\"users\":[]}",
		      NULL);
	a[3] = NULL; /* kiosk did not answer; its role says it should mount */
	struct fleet_row *rows = rows_from(&l, a);
	report_init(&r, "doctor");
	fleet_judge(&l, rows, "100.64.0.1", &r);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN, "the idmapd Domain differs: mesh on "
						     "sfspark1; home.arpa on office-one; none"),
			 1);
	/* nfsd says N (names), office-one's nfs N: agree; laptop's Y differs. */
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN,
			       "nfs4_disable_idmapping differs: N on the server sfspark1 (nfsd), Y on "
			       "laptop (nfs)"),
			 1);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN, "office-one (nfs)"), 0);
	assert_int_equal(count(&r, "fleet.uids", CHECK_WARN,
			       "user bob has different uids: 1001 on office-one, 1002 on sfspark1"),
			 1);
	assert_int_equal(count(&r, "fleet.uids", CHECK_WARN, "alice"), 0);
	const struct check *u = report_find(&r, "fleet.uids");
	assert_non_null(strstr(u->fix, "on office-one: sudo usermod -u 1002 bob"));
	/* laptop is not a client of sfspark1 (no address, no host), kiosk's lease expired;
	 * office-one is there. */
	assert_int_equal(count(&r, "fleet.clients", CHECK_WARN, "laptop should mount the share (its "
								"role in [nodes])"),
			 1);
	assert_int_equal(count(&r, "fleet.clients", CHECK_WARN, "kiosk"), 1);
	assert_int_equal(count(&r, "fleet.clients", CHECK_WARN, "office-one"), 0);
	report_free(&r);
	fleet_rows_free(rows, l.n);
	for (size_t i = 0; i < 3; i++)
		free(a[i]);

	/* All agree: one ok per check, no warning. */
	a[0] = answer("", "{\"idmapd_domain\":\"mesh\",\"server_numeric_ids\":true,"
			  "\"users\":[{\"name\":\"alice\",\"uid\":1000}]}",
		      "[{\"address\":\"100.64.0.3\"},{\"address\":\"100.64.0.9\","
		      "\"host\":\"laptop\"},{\"address\":\"100.64.0.8\"}]");
	a[1] = answer("", "{\"idmapd_domain\":\"mesh\",\"client_numeric_ids\":true,"
			  "\"users\":[{\"name\":\"alice\",\"uid\":1000}]}", NULL);
	a[2] = answer("", NULL, NULL); /* an older meshnfs: no ids */
	a[3] = NULL;
	rows = rows_from(&l, a);
	report_init(&r, "doctor");
	fleet_judge(&l, rows, "100.64.0.1", &r);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_OK, "idmapd Domain mesh on all 2 nodes"), 1);
	assert_int_equal(count(&r, "fleet.uids", CHECK_OK, "1 user name(s) on 2 nodes"), 1);
	assert_int_equal(count(&r, "fleet.clients", CHECK_OK, "all 2 node(s)"), 1);
	assert_int_equal(report_verdict(&r), CHECK_OK);
	report_free(&r);
	fleet_rows_free(rows, l.n);
	for (size_t i = 0; i < 3; i++)
		free(a[i]);

	/* A client id's host names a node only whole or with a domain after it (mutation run 8:
	 * host_matches's `host[n] == '.'` made `!=` took laptop2's session for laptop's). */
	static const char *const hosts[] = { "laptop2", "LAPTOP.mesh" };
	for (size_t h = 0; h < ARRAY_SIZE(hosts); h++) {
		_cleanup_free_ char *clients = xasprintf(
			"[{\"address\":\"100.64.0.3\"},{\"address\":\"100.64.0.9\",\"host\":\"%s\"},"
			"{\"address\":\"100.64.0.8\"}]", hosts[h]);
		a[0] = answer("", NULL, clients);
		a[1] = answer("", NULL, NULL);
		a[2] = answer("", NULL, NULL);
		rows = rows_from(&l, a);
		report_init(&r, "doctor");
		fleet_judge(&l, rows, "100.64.0.1", &r);
		assert_int_equal(count(&r, "fleet.clients", CHECK_WARN, "laptop should mount"), h == 0);
		report_free(&r);
		fleet_rows_free(rows, l.n);
		for (size_t i = 0; i < 3; i++)
			free(a[i]);
	}

	/* Names sent, but one Domain everywhere: names map, the Domain is fine (mutation run 5:
	 * fleet_judge.c:64's `differ && names` made `||` warned that the Domain differs). */
	judge_ids(&l, "{\"idmapd_domain\":\"mesh\",\"server_numeric_ids\":false,\"users\":[]}",
		  "{\"idmapd_domain\":\"mesh\",\"client_numeric_ids\":false,\"users\":[]}", &r);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_OK, "idmapd Domain mesh on all 2 nodes"), 1);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN, "Domain differs"), 0);
	report_free(&r);

	/* The server's nfsd numeric (Y), a client's nfs sending names (N): they differ, said
	 * (mutation run 16: fleet_judge.c:90's `client_numeric < 0` made `<= 0` skipped every
	 * client sending names; the test before had only the server sending names). */
	judge_ids(&l, "{\"idmapd_domain\":\"mesh\",\"server_numeric_ids\":true,\"users\":[]}",
		  "{\"idmapd_domain\":\"mesh\",\"client_numeric_ids\":false,\"users\":[]}", &r);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN,
			       "nfs4_disable_idmapping differs: Y on the server sfspark1 (nfsd), N on "
			       "office-one (nfs)"),
			 1);
	report_free(&r);

	/* The Domain differs, but every node sends numeric ids (Y on the server's nfsd and the
	 * client's nfs): no effect, an ok that says why (mutation run 13: fleet_judge.c:56's
	 * `client_numeric == 0` made `!= 0` took a numeric client for one sending names, and
	 * warned). */
	judge_ids(&l, "{\"idmapd_domain\":\"mesh\",\"server_numeric_ids\":true,\"users\":[]}",
		  "{\"idmapd_domain\":\"home.arpa\",\"client_numeric_ids\":true,\"users\":[]}", &r);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_OK,
			       "the idmapd Domain differs (mesh on sfspark1; home.arpa on "
			       "office-one), but no node sends owners as names"),
			 1);
	assert_int_equal(count(&r, "fleet.idmap", CHECK_WARN, NULL), 0);
	report_free(&r);
	mesh_nodes_free(&l);
}

/* The extras come from another machine: validated, the whole answer refused otherwise. */
/* A domain or host name is 1..253 bytes: "" and 254 bytes are refused, 253 taken, in ids and
 * in nfsd_clients (mutation run 10: dns_name_ok's length test's `return false` made `true`
 * took both, and survived). */
static void dns_name_lengths(void **state)
{
	char name[256];

	(void)state;

	for (size_t len = 0; len <= 254; len++) {
		bool good = len >= 1 && len <= 253;
		if (len > 1 && len < 253)
			continue;
		memset(name, 'a', len);
		name[len] = '\0';
		char *ids = xasprintf("{\"idmapd_domain\":\"%s\",\"users\":[]}", name);
		char *clients = xasprintf("[{\"address\":\"100.64.0.3\",\"host\":\"%s\"}]", name);
		char *answers[] = { answer("", ids, NULL), answer("", NULL, clients) };
		for (size_t k = 0; k < 2; k++) {
			struct fleet_row row = { 0 };
			struct diag d = { 0 };
			int r = fleet_parse_doctor(answers[k], strlen(answers[k]), &row, &d);
			if (r != (good ? 0 : -EBADMSG))
				fail_msg("a %zu-byte name in %s: %d", len, k ? "nfsd_clients" : "ids", r);
			struct fleet_row *rows = xcalloc(1, sizeof(*rows));
			rows[0] = row;
			fleet_rows_free(rows, 1);
			free(answers[k]);
		}
		free(ids);
		free(clients);
	}
}

static void extras_validated(void **state)
{
	(void)state;
	static const char *const bad_ids[] = {
		"{\"idmapd_domain\":\"a b\",\"users\":[]}",
		"{\"idmapd_domain\":\"\\u001b[2J\",\"users\":[]}",
		"{\"users\":[{\"name\":\"al ice\",\"uid\":1}]}",
		/* names useradd would refuse: empty, a leading dash, over 32 (mutation run 7: the
		 * first test's `return false` made `true` took them) */
		"{\"users\":[{\"name\":\"\",\"uid\":1}]}",
		"{\"users\":[{\"name\":\"-rf\",\"uid\":1}]}",
		"{\"users\":[{\"name\":\"a234567890123456789012345678901234\",\"uid\":1}]}",
		"{\"users\":[{\"name\":\"alice\",\"uid\":-1}]}",
		"{\"users\":[{\"name\":\"alice\",\"uid\":4294967296}]}",
		"{\"users\":[{\"name\":\"alice\"}]}",
		"{\"client_numeric_ids\":\"Y\",\"users\":[]}",
		"{\"idmapd_domain\":null}",
		"[]",
	};
	static const char *const bad_clients[] = {
		"[{\"address\":\"100.64.0.300\"}]",
		"[{\"address\":\"100.64.0.3\",\"host\":\"a\\nb\"}]",
		"[{\"host\":\"x\"}]",
		"{}",
	};
	struct fleet_row row = { 0 };
	struct diag d = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		char *a = answer("", bad_ids[i], NULL);
		if (fleet_parse_doctor(a, strlen(a), &row, &d) != -EBADMSG)
			fail_msg("ids case %zu accepted", i);
		assert_false(row.ids.present);
		free(a);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_clients); i++) {
		char *a = answer("", NULL, bad_clients[i]);
		if (fleet_parse_doctor(a, strlen(a), &row, &d) != -EBADMSG)
			fail_msg("clients case %zu accepted", i);
		assert_false(row.has_clients);
		assert_int_equal(row.n_clients, 0);
		free(a);
	}
	struct fleet_row *rows = xcalloc(1, sizeof(*rows));
	rows[0] = row;
	fleet_rows_free(rows, 1);
}

/* At most FLEET_MAX_CLIENTS clients: a list of exactly that many is taken, one more refused
 * (mutation run 9: fleet.c:235, "> FLEET_MAX_CLIENTS" -> ">=" refused a full list, survived). */
static void clients_at_most(void **state)
{
	(void)state;
	for (size_t n = FLEET_MAX_CLIENTS; n <= FLEET_MAX_CLIENTS + 1; n++) {
		struct fleet_row *row = xcalloc(1, sizeof(*row));
		struct buf list = { 0 };
		struct diag d = { 0 };
		for (size_t i = 0; i < n; i++)
			buf_printf(&list, "%s{\"address\":\"10.%zu.%zu.1\"}", i ? "," : "[", i / 256,
				   i % 256);
		buf_printf(&list, "]");
		char *a = answer("", NULL, list.data);
		int r = fleet_parse_doctor(a, strlen(a), row, &d);
		if (n == FLEET_MAX_CLIENTS) {
			assert_int_equal(r, 0);
			assert_int_equal(row->n_clients, n);
			assert_str(row->clients[n - 1].address, "10.15.255.1");
		} else {
			assert_int_equal(r, -EBADMSG);
			assert_str(d.msg, "nfsd_clients is not a list of at most 4096");
			assert_false(row->has_clients);
		}
		free(a);
		buf_free(&list);
		fleet_rows_free(row, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify),
		cmocka_unit_test(doctor_report),
		cmocka_unit_test(argv_and_deadline),
		cmocka_unit_test(rows_without_contact),
		cmocka_unit_test(judge_across_nodes),
		cmocka_unit_test(extras_validated),
		cmocka_unit_test(clients_at_most),
		cmocka_unit_test(dns_name_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
