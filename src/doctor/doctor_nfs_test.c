/* SPDX-License-Identifier: MIT */
/* doctor's nfs area: probe results (made up here, produced for real in tests/e2e) to checks. */
#include "core/test.h"
#include "doctor/doctor_facts.h"
#include "net/probe.h"

#include <errno.h>

static struct config cfg;
static struct node_info node;
static uint32_t mesh_addr;

static void addr(const char *s, uint32_t *a)
{
	assert_int_equal(ipv4_parse(s, a), 0);
}

/* A probe that went as far as `upto` (exclusive) with ok steps, then `fail` failed. */
static void made_up(struct probe *p, const char *source, int upto, enum probe_diagnosis d)
{
	uint32_t a;

	addr("100.64.0.1", &a);
	probe_init(p, &(struct probe_opts){ .host = cfg.server, .addr = netaddr_ipv4(a),
					    .export_path = cfg.export_path, .mesh = cfg.mesh });
	assert_int_equal(netaddr_parse(source, &p->source), 0);
	p->source_in_mesh = netaddr_in_mesh(&p->source, &cfg.mesh, &cfg.mesh6);
	p->uid = 0;
	for (int i = 0; i < upto && i < PROBE_N_STEPS; i++) {
		p->steps[i].status = STEP_OK;
		p->steps[i].ms = 1;
		p->steps[i].detail = xstrdup("fine");
	}
	if (upto < PROBE_N_STEPS && d != PROBE_OK) {
		p->steps[upto].status = STEP_FAIL;
		p->steps[upto].ms = 5000;
		p->steps[upto].detail = xstrdup("it broke");
	}
	if (upto >= PROBE_N_STEPS) {
		p->owner_known = true;
		p->owner = 0;
	}
	p->diagnosis = d;
	p->state = PS_DONE;
}

/* The nfs judge on facts holding p (a copy: p stays the caller's to free). */
static void judge(const struct doctor *d, const struct probe *p, struct report *r)
{
	struct doctor_facts f;

	doctor_facts_init(&f, d);
	f.nfs.gathered = true;
	f.nfs.probe = *p;
	doctor_judge_nfs(&f, r);
}

static enum check_status status_of(const struct report *r, const char *id)
{
	const struct check *c = report_find(r, id);
	assert_non_null(c);
	return c->status;
}

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	addr("100.64.0.3", &mesh_addr);
	node = (struct node_info){ .kind = NODE_LINUX, .addrs_known = true, .addrs = &mesh_addr,
				   .n_addrs = 1 };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

static void healthy(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_N_STEPS, PROBE_OK);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	static const char *const ids[] = { "mesh.address", "nfs.tcp", "nfs.rpc", "nfs.export",
					   "nfs.write", "nfs.root_squash" };
	assert_int_equal(r.n_checks, ARRAY_SIZE(ids));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_str(r.checks[i].id, ids[i]);
		assert_int_equal(r.checks[i].status, CHECK_OK);
	}
	report_free(&r);
	probe_free(&p);
}

/* --json's "probe" member: there when the server's name resolved (resolve_rc 0), with the
 * probe's diagnosis; absent when it did not (mutation run 8: doctor_render.c's `resolve_rc <
 * 0` -> `<= 0` left it out of every healthy doctor's JSON, and only the lab's e2e saw it). */
static void rendered_probe(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_N_STEPS, PROBE_OK);
	for (int rc = 0; rc >= -ENOENT; rc -= ENOENT) {
		struct doctor_facts f;
		struct report r;

		doctor_facts_init(&f, &d);
		f.nfs.gathered = true;
		f.nfs.resolve_rc = rc;
		f.nfs.probe = p;
		report_init(&r, "doctor");
		doctor_render(&f, &r);
		json_t *o = json_object_get(r.extra, "probe");
		if (rc == 0) {
			assert_non_null(o);
			assert_str(json_string_value(json_object_get(o, "diagnosis")), "ok");
		} else {
			assert_null(o);
		}
		report_free(&r);
	}
	probe_free(&p);
}

static void hung_server(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_RPC, PROBE_NO_NFS_ANSWER);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "nfs.tcp"), CHECK_OK);
	assert_int_equal(status_of(&r, "nfs.rpc"), CHECK_FAIL);
	const struct check *c = report_find(&r, "nfs.rpc");
	assert_non_null(c->fix);
	assert_non_null(strstr(c->fix, "restart"));
	assert_non_null(strstr(c->detail, "nc -zv"));
	assert_int_equal(c->ms, 5000);
	assert_int_equal(status_of(&r, "nfs.export"), CHECK_SKIP);
	assert_non_null(strstr(report_find(&r, "nfs.export")->summary, "rpc step failed"));
	assert_int_equal(status_of(&r, "nfs.write"), CHECK_SKIP);
	assert_int_equal(status_of(&r, "nfs.root_squash"), CHECK_SKIP);
	report_free(&r);
	probe_free(&p);
}

static void grace_is_a_warning(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_WRITE, PROBE_GRACE);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "nfs.write"), CHECK_WARN);
	assert_non_null(strstr(report_find(&r, "nfs.write")->fix, "grace"));
	report_free(&r);
	probe_free(&p);
}

static void root_squash(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_N_STEPS, PROBE_OK);
	p.owner = 65534;
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "nfs.write"), CHECK_OK);
	assert_int_equal(status_of(&r, "nfs.root_squash"), CHECK_WARN);
	assert_non_null(strstr(report_find(&r, "nfs.root_squash")->summary, "65534"));
	assert_non_null(strstr(report_find(&r, "nfs.root_squash")->fix, "no_root_squash"));
	report_free(&r);
	probe_free(&p);
}

static void no_mesh_address(void **state)
{
	struct node_info bare = { .kind = NODE_LINUX, .addrs_known = true };
	struct doctor d = { .cfg = &cfg, .node = &bare, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "192.168.1.20", PROBE_TCP, PROBE_UNREACHABLE);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	const struct check *c = report_find(&r, "mesh.address");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "192.168.1.20"));
	assert_non_null(strstr(c->fix, "tailscale up"));
	assert_int_equal(status_of(&r, "nfs.tcp"), CHECK_FAIL);
	report_free(&r);
	probe_free(&p);
}

static void route_bypasses_mesh(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "10.0.0.5", PROBE_N_STEPS, PROBE_OK);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	const struct check *c = report_find(&r, "mesh.address");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "not from this node's mesh address 100.64.0.3"));
	assert_non_null(strstr(c->fix, "ip route get"));
	report_free(&r);
	probe_free(&p);
}

static void wsl2_nat(void **state)
{
	struct node_info wsl = { .kind = NODE_WSL2, .addrs_known = true,
				 .wsl.networking_mode = (char *)"nat" };
	struct doctor d = { .cfg = &cfg, .node = &wsl, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "172.24.16.2", PROBE_N_STEPS, PROBE_OK);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	const struct check *c = report_find(&r, "mesh.address");
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->fix, "networkingMode=mirrored"));
	assert_int_equal(status_of(&r, "nfs.write"), CHECK_OK);
	report_free(&r);
	probe_free(&p);
}

static void no_route(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "0.0.0.0", PROBE_ROUTE, PROBE_UNREACHABLE);
	p.source = (struct netaddr){ 0 };
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "mesh.address"), CHECK_FAIL);
	assert_non_null(strstr(report_find(&r, "mesh.address")->summary, "no route"));
	assert_int_equal(status_of(&r, "nfs.tcp"), CHECK_SKIP);
	assert_non_null(strstr(report_find(&r, "nfs.tcp")->summary, "route step failed"));
	report_free(&r);
	probe_free(&p);
}

/* The server's name does not resolve: mesh.address fails with the resolver's words, and each
 * nfs.* check is there, skipped, saying why (mutation run 13: doctor_nfs.c:231, those checks
 * dropped, survived: a report without them gave no sign that NFS was never tested). */
static void name_does_not_resolve(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct doctor_facts f;
	struct report r;
	static const char *const ids[] = { "nfs.tcp", "nfs.rpc", "nfs.export", "nfs.write",
					   "nfs.root_squash" };

	(void)state;
	report_init(&r, "doctor");
	doctor_facts_init(&f, &d);
	f.nfs.gathered = true;
	f.nfs.resolve_rc = -ENOENT;
	snprintf(f.nfs.resolve_err, sizeof(f.nfs.resolve_err),
		 "cannot resolve \"nosuch.invalid\": Name or service not known");
	doctor_judge_nfs(&f, &r);
	assert_int_equal(status_of(&r, "mesh.address"), CHECK_FAIL);
	assert_non_null(strstr(report_find(&r, "mesh.address")->summary, "nosuch.invalid"));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_int_equal(status_of(&r, ids[i]), CHECK_SKIP);
		assert_non_null(strstr(report_find(&r, ids[i])->summary, "does not resolve"));
	}
	report_free(&r);
}

/* mesh.address for an IPv6 server: the route's IPv6 source judged against range6 and this
 * node's IPv6 addresses (/proc/net/if_inet6). */
static void mesh_address_ipv6(void **state)
{
	struct doctor d = { .cfg = &cfg, .node = &node, .timeout_ms = 5000 };
	struct netaddr own;
	struct report r;
	struct probe p;

	(void)state;
	made_up(&p, "100.64.0.3", PROBE_N_STEPS, PROBE_OK);
	assert_int_equal(netaddr_parse("fd7a:115c:a1e0::1", &p.addr), 0);
	assert_int_equal(netaddr_parse("fd7a:115c:a1e0::3", &p.source), 0);
	p.source_in_mesh = netaddr_in_mesh(&p.source, &cfg.mesh, &cfg.mesh6);
	assert_true(p.source_in_mesh);
	/* The node holds it: ok, both families listed. */
	own = p.source;
	node.addrs6_known = true;
	node.addrs6 = &own;
	node.n_addrs6 = 1;
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "mesh.address"), CHECK_OK);
	assert_true(startswith(report_find(&r, "mesh.address")->summary, "fd7a:115c:a1e0::3; the route"));
	assert_non_null(strstr(report_find(&r, "mesh.address")->detail,
			       "(fd7a:115c:a1e0::/48): 100.64.0.3, fd7a:115c:a1e0::3"));
	report_free(&r);
	/* An IPv6 source outside range6 while the node holds a mesh address: a failure naming
	 * both. */
	assert_int_equal(netaddr_parse("2001:db8::3", &p.source), 0);
	p.source_in_mesh = netaddr_in_mesh(&p.source, &cfg.mesh, &cfg.mesh6);
	assert_false(p.source_in_mesh);
	report_init(&r, "doctor");
	judge(&d, &p, &r);
	assert_int_equal(status_of(&r, "mesh.address"), CHECK_FAIL);
	assert_non_null(strstr(report_find(&r, "mesh.address")->summary,
			       "leaves from 2001:db8::3, not from this node's mesh address"));
	report_free(&r);
	node.addrs6 = NULL;
	node.n_addrs6 = 0;
	node.addrs6_known = false;
	probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy),
		cmocka_unit_test(rendered_probe),
		cmocka_unit_test(mesh_address_ipv6),
		cmocka_unit_test(hung_server),
		cmocka_unit_test(grace_is_a_warning),
		cmocka_unit_test(root_squash),
		cmocka_unit_test(no_mesh_address),
		cmocka_unit_test(route_bypasses_mesh),
		cmocka_unit_test(wsl2_nat),
		cmocka_unit_test(no_route),
		cmocka_unit_test(name_does_not_resolve),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
