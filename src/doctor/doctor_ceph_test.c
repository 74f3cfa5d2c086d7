/* SPDX-License-Identifier: MIT */
/* ceph.health, ceph.mds, ceph.client on made-up facts: the cluster's answers are real
 * recordings of ceph 16.2.15 (tests/fixtures/ceph/README.md), parsed as doctor gets them. */
#include "doctor/doctor_fixture.h"

#include <errno.h>

#define REC "tests/fixtures/ceph/"

#define RULE "======================================================\n"

/* The grace database's dump (the recording of the lab's two gateways, or a variation), this
 * gateway being "srv". */
static void fx_grace(struct fx *x, const char *dump)
{
	struct doctor_ceph_facts *k = &x->f.ceph;
	struct diag d = { 0 };

	ceph_grace_free(&k->grace);
	k->nodeid = "srv";
	k->grace_run = (struct ceph_run){ .ms = 300 };
	assert_int_equal(ceph_grace_parse("dump", dump, strlen(dump), &k->grace, &d), 0);
}

/* A CephFS gateway whose key file was fine and whose commands answered with these
 * recordings. */
static void fx_ceph(struct fx *x, const char *status, const char *mds_stat)
{
	struct doctor_ceph_facts *k = &x->f.ceph;
	struct diag d = { 0 };
	size_t sl, ml;

	free(x->cfg.backend);
	x->cfg.backend = xstrdup("ceph");
	*k = (struct doctor_ceph_facts){ .gathered = true, .conf_exists = true, .live = true };
	k->conf = xstrdup("/etc/ceph/ceph.conf");
	k->keyring = xstrdup("/etc/ceph/ceph.client.admin.keyring");
	_cleanup_free_ char *s = fx_read(status, &sl), *m = fx_read(mds_stat, &ml);
	assert_int_equal(ceph_status_parse(status, s, sl, &k->status, &d), 0);
	assert_int_equal(ceph_fsmap_parse(mds_stat, m, ml, &k->fsmap, &d), 0);
	k->status_run.ms = k->fsmap_run.ms = k->client_run.ms = 1200;
	k->client.result = CEPH_CLIENT_OK;
	fx_grace(x, "cur=2 rec=0\n" RULE "gw2\t  \nsrv\t  \n");
}

static void healthy(void **state)
{
	struct fx x;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.health");
	assert_int_equal(c->status, CHECK_OK);
	assert_non_null(strstr(c->summary, "HEALTH_OK: 1 of 1 monitors in quorum, 1 of 1 OSDs up"));
	assert_int_equal(c->ms, 1200);
	c = report_find(&x.r, "ceph.mds");
	assert_int_equal(c->status, CHECK_OK);
	assert_string_equal(c->summary, "\"cephfs\" has 1 active MDS of 1 ranks, 0 standby");
	c = report_find(&x.r, "ceph.client");
	assert_int_equal(c->status, CHECK_OK);
	c = report_find(&x.r, "ceph.grace");
	assert_int_equal(c->status, CHECK_OK);
	assert_string_equal(c->summary, "this gateway (srv) is one of 2 in the grace database; no "
					"grace period in force");
	assert_non_null(strstr(c->detail, "pool nfs-ganesha, namespace grace: epoch 2, no grace "
					  "period\ngw2\nsrv (this gateway)"));
	assert_int_equal(c->ms, 300);
	assert_int_equal(x.r.n_checks, 4);
	fx_free(&x);
}

/* ceph.grace: not a member, a grace period in force (explaining a probe that met
 * NFS4ERR_GRACE), no database at all, the tool missing, its run cut, a dump not understood. */
static void grace(void **state)
{
	struct fx x;
	const struct check *c;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	fx_grace(&x, "cur=1 rec=0\n" RULE "gw2\t E\n");
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_string_equal(c->summary, "this gateway (srv) is not in the grace database (1 "
					"gateways in it)");
	assert_non_null(strstr(c->fix, "ganesha-rados-grace --pool nfs-ganesha --ns grace add srv"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	fx_grace(&x, "cur=3 rec=2\n" RULE "gw2\t E\nsrv\tNE\n");
	fx_probe(&x, PROBE_WRITE, "NFS4ERR_GRACE", PROBE_GRACE, false);
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_WARN);
	assert_string_equal(c->summary, "the gateways are in a grace period (clients reclaim from "
					"epoch 2): new opens and locks wait (NFS4ERR_GRACE) until "
					"srv lifts it");
	assert_non_null(strstr(c->detail, "srv (this gateway), needs a grace period, enforcing"));
	assert_non_null(strstr(c->detail, "This explains the probe of 100.64.0.1 (nfs.*): grace"));
	assert_non_null(strstr(c->fix, "remove NODEID"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	ceph_grace_free(&x.f.ceph.grace);
	x.f.ceph.grace_run = (struct ceph_run){ .rc = -EPROTO, .exit_code = 1,
						.err_line = "Failure: -2" };
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "no grace database in pool nfs-ganesha, namespace grace"));
	assert_non_null(strstr(c->fix, "add srv"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	x.f.ceph.grace_run = (struct ceph_run){ .rc = -EPROTO, .exit_code = 1,
						.err_line = "Can't connect to cluster: -13" };
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "exited with status 1: Can't connect to cluster: -13"));
	x.f.ceph.grace_run.rc = -ENOENT;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_non_null(strstr(c->fix, "nfs-ganesha-rados-grace"));
	x.f.ceph.grace_run.rc = -ETIMEDOUT;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "cut: ganesha-rados-grace dump"));
	x.f.ceph.grace_run.rc = -EBADMSG;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.grace");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->detail, "nfs-ganesha 2.7 to 6"));
	fx_free(&x);

	assert_int_equal(ceph_grace_failure_errno("Failure: -2"), 2);
	assert_int_equal(ceph_grace_failure_errno("Failure: -2 more"), 0);
	assert_int_equal(ceph_grace_failure_errno("rados_connect: -2"), 0);
}

/* The MDS stopped: ceph.mds fails, and the failing probe of the gateway is explained. */
static void mds_down_explains_probe(void **state)
{
	struct fx x;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-mds-down.json", REC "mds-stat-mds-down.json");
	fx_probe(&x, PROBE_WRITE, "no answer", PROBE_NO_NFS_ANSWER, false);
	const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.mds");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "\"cephfs\" has no active MDS (1 failed"));
	assert_non_null(strstr(c->detail, "This explains the probe of 100.64.0.1 (nfs.*): "
					  "no_nfs_answer"));
	assert_non_null(strstr(c->fix, "ceph-mds"));
	c = report_find(&x.r, "ceph.health");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->detail, "HEALTH_ERR MDS_ALL_DOWN: 1 filesystem is offline"));
	fx_free(&x);

	/* A healthy probe is not "explained". */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-mds-down.json", REC "mds-stat-mds-down.json");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	c = fx_judge(&x, doctor_judge_ceph, "ceph.mds");
	assert_null(strstr(c->detail, "explains"));
	fx_free(&x);
}

static void osd_down_named(void **state)
{
	struct fx x;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-osd-down.json", REC "mds-stat-ok.json");
	const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.health");
	assert_int_equal(c->status, CHECK_WARN);
	assert_string_equal(c->summary,
			    "HEALTH_WARN: 1 of 1 OSDs down: I/O to their data stalls until they are back");
	assert_non_null(strstr(c->detail, "OSD_DOWN: 1 osds down"));
	assert_non_null(strstr(c->fix, "ceph-osd@ID"));
	fx_free(&x);
}

/* A command that ran out of the deadline is a cut (skip), never a fault; one that answered
 * with an error is a fault. */
static void cut_is_not_a_fault(void **state)
{
	struct fx x;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	x.f.ceph.status_run.rc = -ETIMEDOUT;
	x.f.ceph.client_run = (struct ceph_run){ .rc = -EPROTO, .exit_code = 1 };
	x.f.timeout_ms = 5000;
	const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.health");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "cut: ceph status did not finish within 5000 ms"));
	c = report_find(&x.r, "ceph.client");
	assert_int_equal(c->status, CHECK_FAIL);
	fx_free(&x);
}

static void client_results(void **state)
{
	static const struct {
		const char *step;
		int err;
		const char *summary;
	} cases[] = {
		{ "init", EACCES, "the cluster refused client.admin's key from" },
		{ "stat", ENOENT, "/ does not exist in \"cephfs\"" },
		{ "mount", ETIMEDOUT, "timed out: no MDS served it" },
		{ "mount", ENOENT, "libcephfs mount of \"cephfs\" failed" },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fx x;
		fx_init(&x, NODE_LINUX, NULL);
		fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
		x.f.ceph.client = (struct ceph_client){ .result = CEPH_CLIENT_FAILED,
							 .err = cases[i].err };
		snprintf(x.f.ceph.client.step, sizeof(x.f.ceph.client.step), "%s", cases[i].step);
		const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.client");
		assert_int_equal(c->status, CHECK_FAIL);
		if (!strstr(c->summary, cases[i].summary))
			fail_msg("case %zu: %s", i, c->summary);
		fx_free(&x);
	}
}

/* The key file readable by others: ceph.client fails with the fix, the cluster is not asked
 * (nothing else reported); under --root: skipped, saying why. */
static void key_file_and_root(void **state)
{
	struct fx x;
	(void)state;

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	x.f.ceph.key_rc = -EPERM;
	snprintf(x.f.ceph.key_msg, sizeof(x.f.ceph.key_msg), "readable by others (mode 0644)");
	const struct check *c = fx_judge(&x, doctor_judge_ceph, "ceph.client");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_string_equal(c->fix, "sudo chmod 600 /etc/ceph/ceph.client.admin.keyring");
	assert_int_equal(x.r.n_checks, 1);
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	x.f.ceph.live = false;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.mds");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "under --root"));
	fx_free(&x);

	/* A client sharing the configuration, without the cluster's conf: skipped, not failed;
	 * the server without it: failed. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ceph(&x, REC "status-ok.json", REC "mds-stat-ok.json");
	x.f.ceph.conf_exists = false;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.health");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "not a CephFS gateway"));
	assert_int_equal(x.r.n_checks, 1);
	x.f.is_server = true;
	c = fx_judge(&x, doctor_judge_ceph, "ceph.health");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "/etc/ceph/ceph.conf is missing"));
	fx_free(&x);

	/* Not a CephFS gateway: no ceph.* check at all. */
	fx_init(&x, NODE_LINUX, NULL);
	doctor_judge_ceph(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy),
		cmocka_unit_test(mds_down_explains_probe),
		cmocka_unit_test(osd_down_named),
		cmocka_unit_test(cut_is_not_a_fault),
		cmocka_unit_test(client_results),
		cmocka_unit_test(key_file_and_root),
		cmocka_unit_test(grace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
