/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "doctor/doctor_facts.h"
#include "doctor/doctor_fixture.h"
#include "format/rfc3339.h"
#include "mesh/tailscale.h"

static time_t t(const char *s)
{
	time_t v;
	assert_int_equal(rfc3339_parse(s, &v), 0);
	return v;
}

/* Judges a status document at a given time; returns the one mesh.tailscale check. */
static const struct check *judge(struct report *r, const char *json, const char *now,
				 bool windows)
{
	struct ts_status st;
	struct diag d = { 0 };

	report_init(r, "doctor");
	assert_int_equal(ts_status_parse("test", json, strlen(json), &st, &d), 0);
	doctor_mesh_judge(&st, "Windows host's Tailscale", windows, t(now), r);
	ts_status_free(&st);
	assert_int_equal(r->n_checks, 1);
	assert_str(r->checks[0].id, "mesh.tailscale");
	return &r->checks[0];
}

#define SELF(extra)                                                                           \
	"{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"office-one\",\"OS\":\"windows\","   \
	"\"Online\":true,\"TailscaleIPs\":[\"100.64.0.3\"]" extra "},\"Peer\":{\"k\":{\"HostName\":" \
	"\"sfspark1\",\"Online\":true,\"TailscaleIPs\":[\"100.64.0.1\"]}}}"

static void key_expiry(void **state)
{
	(void)state;
	struct report r;
	const struct check *c;

	/* 20 days left: ok, and the date is said. */
	c = judge(&r, SELF(",\"KeyExpiry\":\"2026-12-15T00:00:00Z\""), "2026-11-25T00:00:00Z", true);
	assert_int_equal(c->status, CHECK_OK);
	assert_non_null(strstr(c->summary, "Running as office-one 100.64.0.3, 1 peer(s), 1 online"));
	assert_non_null(strstr(c->detail, "2026-12-15T00:00:00Z"));
	report_free(&r);
	/* 13 days and a half left: warn, on the Windows side. */
	c = judge(&r, SELF(",\"KeyExpiry\":\"2026-12-08T12:00:00Z\""), "2026-11-25T00:00:00Z", true);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "expires in 13 day(s), on 2026-12-08T12:00:00Z"));
	assert_non_null(strstr(c->fix, "on the Windows host"));
	report_free(&r);
	/* Past, even without the Expired flag: fail. */
	c = judge(&r, SELF(",\"KeyExpiry\":\"2026-11-24T23:59:59Z\""), "2026-11-25T00:00:00Z", false);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "expired on 2026-11-24T23:59:59Z"));
	assert_non_null(strstr(c->fix, "on this node"));
	report_free(&r);
	/* No KeyExpiry (Headscale without expiry): ok whatever the date. */
	c = judge(&r, SELF(""), "2099-01-01T00:00:00Z", true);
	assert_int_equal(c->status, CHECK_OK);
	report_free(&r);
}

static void states(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		enum check_status want;
		const char *summary, *fix;
	} cases[] = {
		{ "{\"BackendState\":\"NeedsLogin\",\"AuthURL\":\"https://hs.example.org/register/x\"}",
		  CHECK_FAIL, "logged out", "https://hs.example.org/register/x" },
		{ "{\"BackendState\":\"NeedsMachineAuth\"}", CHECK_FAIL, "approved", "headscale" },
		{ "{\"BackendState\":\"Stopped\"}", CHECK_FAIL, "stopped", "tailscale up" },
		{ "{\"BackendState\":\"Starting\"}", CHECK_WARN, "still starting", NULL },
		{ "{\"BackendState\":\"NoState\"}", CHECK_FAIL, "no state", "Restart-Service Tailscale" },
		{ "{\"BackendState\":\"Hibernating\"}", CHECK_WARN, "unknown BackendState \"Hibernating\"",
		  NULL },
		{ "{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"o\",\"Online\":false}}", CHECK_WARN,
		  "sees o offline", "reachable" },
		{ "{\"BackendState\":\"Running\",\"Health\":[\"no DERP home\"],\"Self\":{\"Online\":true}}",
		  CHECK_WARN, "health warning: no DERP home", NULL },
	};
	struct report r;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct check *c = judge(&r, cases[i].json, "2026-11-25T00:00:00Z", true);
		assert_int_equal(c->status, cases[i].want);
		if (!strstr(c->summary, cases[i].summary))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, c->summary, cases[i].summary);
		if (cases[i].fix && !strstr(c->fix, cases[i].fix))
			fail_msg("case %zu: fix \"%s\" lacks \"%s\"", i, c->fix, cases[i].fix);
		report_free(&r);
	}
}

/* Logged out, with tailscaled's health warning: the warning is the detail, the login the
 * fix, on either side (mutation run 3: the detail's check_set_detail dropped went unseen). */
static void logged_out_says_why(void **state)
{
	static const char *json = "{\"BackendState\":\"NeedsLogin\","
				  "\"Health\":[\"You are logged out.\"]}";
	struct report r;
	(void)state;

	const struct check *c = judge(&r, json, "2026-11-25T00:00:00Z", false);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(c->detail);
	assert_str(c->detail, "Health: You are logged out.");
	assert_non_null(strstr(c->fix, "sudo tailscale up --login-server"));
	report_free(&r);
	c = judge(&r, json, "2026-11-25T00:00:00Z", true);
	assert_non_null(strstr(c->fix, "tailscale login --login-server"));
	report_free(&r);
}

/* The hook `meshnfs status` feeds with Headscale's nodes: any list, any source name. */
static void stale_identity_from_any_source(void **state)
{
	(void)state;
	struct mesh_nodes l = { .source = xstrdup("Headscale") };
	struct mesh_node *n;
	const char *names[] = { "office-one" };
	struct report r;

	n = mesh_nodes_add(&l);
	n->id = xstrdup("4");
	n->name = xstrdup("office-one");
	mesh_node_add_ip(n, "100.64.0.4");
	n = mesh_nodes_add(&l);
	n->id = xstrdup("3");
	n->name = xstrdup("office-one");
	mesh_node_add_ip(n, "100.64.0.3");
	n->last_seen = t("2025-03-08T22:17:45Z");

	report_init(&r, "doctor");
	doctor_stale_identity(&l, &l.nodes[0], names, 1, &r);
	assert_int_equal(r.n_checks, 1);
	assert_int_equal(r.checks[0].status, CHECK_WARN);
	assert_non_null(strstr(r.checks[0].summary, "Headscale lists office-one (100.64.0.3) "
						    "besides the Windows host (100.64.0.4)"));
	assert_non_null(strstr(r.checks[0].detail, "last seen 2025-03-08T22:17:45Z"));
	assert_non_null(strstr(r.checks[0].fix, "headscale nodes delete --identifier 3"));
	report_free(&r);

	free(l.nodes[1].id);
	l.nodes[1].id = xstrdup("nYNNjYYJCN11CNTRL"); /* Tailscale's ids: the admin console */
	l.nodes[1].online = MESH_YES;
	report_init(&r, "doctor");
	doctor_stale_identity(&l, &l.nodes[0], names, 1, &r);
	assert_non_null(strstr(r.checks[0].fix, "Tailscale admin console"));
	assert_non_null(strstr(r.checks[0].detail, "This node is online"));
	report_free(&r);

	l.n = 1;
	report_init(&r, "doctor");
	doctor_stale_identity(&l, &l.nodes[0], names, 1, &r);
	assert_int_equal(r.checks[0].status, CHECK_OK);
	report_free(&r);
	l.n = 2;
	mesh_nodes_free(&l);
}

/* A peer sfspark1 at 100.64.0.1 with the path fields given (JSON members, or ""). */
#define PATHDOC(fields)                                                                       \
	"{\"BackendState\":\"Running\",\"Self\":{\"HostName\":\"office-one\",\"Online\":true," \
	"\"TailscaleIPs\":[\"100.64.0.3\"]},\"Peer\":{\"k\":{\"HostName\":\"sfspark1\","       \
	"\"Online\":true,\"TailscaleIPs\":[\"100.64.0.1\",\"fd7a:115c:a1e0::1\"]" fields "}}}"

/* mesh.path on made-up facts: the mesh gatherer's status (and the one asked after the
 * probe), the probe's times. */
static const struct check *path_check(struct fx *x, const char *doc, const char *after)
{
	struct diag d = { 0 };
	struct doctor_mesh_facts *m = &x->f.mesh;

	ts_status_free(&m->st);
	ts_status_free(&m->path_st);
	m->gathered = true;
	m->cli_rc = m->run_rc = 0;
	assert_int_equal(ts_status_parse("test", doc, strlen(doc), &m->st, &d), 0);
	m->path_asked = after != NULL;
	if (after)
		assert_int_equal(ts_status_parse("test", after, strlen(after), &m->path_st, &d), 0);
	return fx_judge(x, doctor_judge_mesh_path, "mesh.path");
}

static void mesh_path(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	x.f.nfs.probe.steps[PROBE_TCP].ms = 87;
	x.f.nfs.probe.steps[PROBE_RPC].ms = 91;
	/* Direct: ok, with the address in use. */
	c = path_check(&x, PATHDOC(",\"Active\":true,\"CurAddr\":\"198.51.100.7:41641\","
				   "\"Relay\":\"fra\",\"PeerRelay\":\"\""), NULL);
	assert_int_equal(c->status, CHECK_OK);
	assert_non_null(strstr(c->summary, "direct"));
	assert_non_null(strstr(c->summary, "198.51.100.7:41641"));
	/* DERP: a warning with the region, the probe's times, why and the fix. */
	c = path_check(&x, PATHDOC(",\"Active\":true,\"CurAddr\":\"\",\"Relay\":\"fra\","
				   "\"PeerRelay\":\"\""), NULL);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "DERP relay fra"));
	assert_non_null(strstr(c->summary, "87 ms"));
	assert_non_null(strstr(c->detail, "TCP connect 87 ms, NFSv4 NULL call 91 ms"));
	assert_non_null(strstr(c->detail, "bandwidth"));
	assert_non_null(strstr(c->fix, "tailscale netcheck"));
	assert_non_null(strstr(c->fix, "UDP 41641"));
	/* A peer relay (1.86 on): a warning naming it. */
	c = path_check(&x, PATHDOC(",\"Active\":true,\"CurAddr\":\"\",\"Relay\":\"fra\","
				   "\"PeerRelay\":\"100.64.0.9:7777:vni:3\""), NULL);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "peer relay (100.64.0.9:7777:vni:3)"));
	/* Idle before the probe, relayed after it: the answer after the probe is judged. */
	c = path_check(&x, PATHDOC(",\"Active\":false,\"CurAddr\":\"\",\"Relay\":\"fra\""),
		       PATHDOC(",\"Active\":true,\"CurAddr\":\"\",\"Relay\":\"nyc\""));
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "DERP relay nyc"));
	/* Still idle: no verdict, and how to make a path. */
	c = path_check(&x, PATHDOC(",\"Active\":false,\"CurAddr\":\"\",\"Relay\":\"fra\""),
		       NULL);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->fix, "tailscale ping sfspark1"));
	/* An older status without the path fields: unknown, never an error. */
	c = path_check(&x, PATHDOC(",\"Active\":true"), NULL);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "unknown"));
	/* The server found by name when the address is not listed. */
	free(x.cfg.server);
	x.cfg.server = xstrdup("sfspark1");
	probe_free(&x.f.nfs.probe);
	x.f.nfs.gathered = false;
	c = path_check(&x, PATHDOC(",\"Active\":true,\"CurAddr\":\"[2001:db8::7]:41641\""), NULL);
	assert_int_equal(c->status, CHECK_OK);
	assert_null(strstr(c->summary, "ms to connect")); /* no probe: no time */
	/* Not a peer at all; and on the server itself. */
	free(x.cfg.server);
	x.cfg.server = xstrdup("100.64.0.77");
	c = path_check(&x, PATHDOC(",\"Active\":true,\"CurAddr\":\"198.51.100.7:41641\""), NULL);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "not a peer"));
	x.f.is_server = true;
	c = path_check(&x, PATHDOC(""), NULL);
	assert_int_equal(c->status, CHECK_SKIP);
	/* Tailscale not usable: no verdict, see mesh.tailscale. */
	x.f.is_server = false;
	c = path_check(&x, "{\"BackendState\":\"Stopped\"}", NULL);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "mesh.tailscale"));
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_expiry),
		cmocka_unit_test(states),
		cmocka_unit_test(stale_identity_from_any_source),
		cmocka_unit_test(mesh_path),
		cmocka_unit_test(logged_out_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
