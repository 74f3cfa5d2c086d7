/* SPDX-License-Identifier: MIT */
/* wsl.nfs_networking reads the checks of other areas (nfs.*, mount.*: ids are a contract).
 * Here phase 1 is made of fixture-level evidence: reports with those checks, as the probe
 * and mount areas report them. */
#include "core/test.h"
#include "doctor/doctor.h"

struct ev {
	const char *id;
	enum check_status status;
	const char *summary;
};

static const struct check *run(const char *mode, const struct ev *ev, size_t n, struct report *out)
{
	struct node_info node = { .kind = NODE_WSL2, .is_wsl = true };
	struct report p1;
	struct report *phase1[] = { &p1 };

	node.wsl.networking_mode = (char *)mode;
	report_init(&p1, "doctor");
	for (size_t i = 0; i < n; i++)
		report_add(&p1, ev[i].id, ev[i].status, "%s", ev[i].summary);
	struct doctor d = { .node = &node, .phase1 = phase1, .n_phase1 = 1 };
	report_init(out, "doctor");
	doctor_wsl_nfs(&d, out);
	report_free(&p1);
	assert_int_equal(out->n_checks, 1);
	assert_str(out->checks[0].id, "wsl.nfs_networking");
	return &out->checks[0];
}

static void mirrored_pitfall(void **state)
{
	(void)state;
	struct report r;
	const struct check *c;

	/* microsoft/WSL#12508: TCP and RPC fine, the kernel mount is not there. */
	const struct ev hit[] = {
		{ "nfs.tcp", CHECK_OK, "100.64.0.1:2049 accepts (1 ms)" },
		{ "nfs.rpc", CHECK_OK, "NFSv4 NULL answered (1 ms)" },
		{ "mount.present", CHECK_FAIL, "/opt/shared is not mounted" },
	};
	c = run("mirrored", hit, 3, &r);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "microsoft/WSL#12508"));
	assert_non_null(strstr(c->summary, "mount.present"));
	assert_non_null(strstr(c->fix, "networkingMode=nat"));
	report_free(&r);

	/* A hung mount while the server answers: the same pattern. */
	const struct ev hung[] = {
		{ "nfs.tcp", CHECK_OK, "accepts" },
		{ "mount.present", CHECK_OK, "mounted" },
		{ "mount.responsive", CHECK_FAIL, "ls /opt/shared blocked 5000 ms (state D)" },
	};
	c = run("mirrored", hung, 3, &r);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "mount.responsive"));
	report_free(&r);

	/* Server down: not this pitfall. */
	const struct ev down[] = { { "nfs.tcp", CHECK_FAIL, "refused" },
				   { "mount.present", CHECK_FAIL, "not mounted" } };
	assert_int_equal(run("mirrored", down, 2, &r)->status, CHECK_SKIP);
	report_free(&r);

	/* No route: the NFS steps did not run. */
	const struct ev noroute[] = { { "mesh.address", CHECK_FAIL, "no route to the server" },
				      { "nfs.tcp", CHECK_SKIP, "not tested: the route step failed" },
				      { "nfs.rpc", CHECK_SKIP, "not tested: the route step failed" } };
	c = run("mirrored", noroute, 3, &r);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "was not reached"));
	report_free(&r);

	/* All well. */
	const struct ev fine[] = { { "nfs.rpc", CHECK_OK, "answered" },
				   { "mount.present", CHECK_OK, "mounted" },
				   { "mount.responsive", CHECK_OK, "ls 3 ms" } };
	assert_int_equal(run("mirrored", fine, 3, &r)->status, CHECK_OK);
	report_free(&r);

	/* Nothing to read (the NFS areas did not run). */
	assert_int_equal(run("mirrored", NULL, 0, &r)->status, CHECK_SKIP);
	report_free(&r);
}

static void nat_eperm(void **state)
{
	(void)state;
	struct report r;
	const struct check *c;

	const struct ev eperm[] = {
		{ "nfs.tcp", CHECK_OK, "accepts" },
		{ "mount.present", CHECK_FAIL, "mount.nfs4: Operation not permitted" },
	};
	c = run("nat", eperm, 2, &r);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "lacks `insecure`"));
	assert_non_null(strstr(c->fix, "exportfs -ra"));
	report_free(&r);

	const struct ev denied[] = { { "nfs.export", CHECK_FAIL, "NFS4ERR_ACCESS on PUTROOTFH" } };
	assert_int_equal(run("nat", denied, 1, &r)->status, CHECK_WARN);
	report_free(&r);

	/* A failure for another reason is not blamed on NAT. */
	const struct ev other[] = { { "mount.present", CHECK_FAIL, "not mounted" } };
	assert_int_equal(run("nat", other, 1, &r)->status, CHECK_SKIP);
	report_free(&r);

	const struct ev ok[] = { { "mount.present", CHECK_OK, "mounted" } };
	assert_int_equal(run("nat", ok, 1, &r)->status, CHECK_OK);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mirrored_pitfall),
		cmocka_unit_test(nat_eperm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
