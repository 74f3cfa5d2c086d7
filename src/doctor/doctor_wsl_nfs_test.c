/* SPDX-License-Identifier: MIT */
/* wsl.nfs_networking judges WSL2's networking against what the nfs and mount judges say about
 * the same facts. Facts made up here, as the probe and the mount's health probe find them. */
#include "doctor/doctor_fixture.h"

#include <errno.h>

static const struct check *run(struct fx *x)
{
	const struct check *c = fx_judge(x, doctor_judge_wsl_nfs, "wsl.nfs_networking");
	assert_int_equal(x->r.n_checks, 1);
	return c;
}

static void mirrored_pitfall(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* microsoft/WSL#12508: TCP and RPC fine, the kernel mount is not there. */
	fx_init(&x, NODE_WSL2, "mirrored");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	c = run(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "microsoft/WSL#12508"));
	assert_non_null(strstr(c->summary, "(mount.present: nothing is mounted at /opt/shared)"));
	assert_non_null(strstr(c->summary, "the server answers (nfs.rpc ok)"));
	assert_non_null(strstr(c->fix, "networkingMode=nat"));
	fx_free(&x);

	/* A hung mount while the server answers: the same pattern. */
	fx_init(&x, NODE_WSL2, "mirrored");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_HUNG, MOUNT_STEP_STAT, ETIMEDOUT);
	c = run(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "mount.responsive"));
	fx_free(&x);

	/* Server down: not this pitfall. */
	fx_init(&x, NODE_WSL2, "mirrored");
	fx_probe(&x, PROBE_TCP, "connection refused (2 ms)", PROBE_REFUSED, false);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	c = run(&x);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "does not answer"));
	fx_free(&x);

	/* No route: the NFS steps did not run. */
	fx_init(&x, NODE_WSL2, "mirrored");
	fx_probe(&x, PROBE_ROUTE, "no route to 100.64.0.1", PROBE_UNREACHABLE, true);
	c = run(&x);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "was not reached"));
	fx_free(&x);

	/* All well. */
	fx_init(&x, NODE_WSL2, "mirrored");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	assert_int_equal(run(&x)->status, CHECK_OK);
	fx_free(&x);

	/* Nothing to compare (no facts gathered). */
	fx_init(&x, NODE_WSL2, "mirrored");
	c = run(&x);
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "no NFS results in this run to compare");
	fx_free(&x);

	/* Not WSL2: no check at all. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	doctor_judge_wsl_nfs(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);
}

static void nat_eperm(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* What is mounted cannot be read: EPERM in mount.present. */
	fx_init(&x, NODE_WSL2, "nat");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	x.f.mount.read_rc = -EPERM;
	c = run(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, "mount.present: the server refuses this client"));
	assert_non_null(strstr(c->summary, "lacks `insecure`"));
	assert_non_null(strstr(c->fix, "exportfs -ra"));
	fx_free(&x);

	/* The export refused with NFS4ERR_ACCESS. */
	fx_init(&x, NODE_WSL2, "nat");
	fx_probe(&x, PROBE_EXPORT, "NFS4ERR_ACCESS on PUTROOTFH", PROBE_EXPORT_DENIED_OR_MISSING,
		 false);
	c = run(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, "nfs.export: "));
	fx_free(&x);

	/* A failure for another reason is not blamed on NAT. */
	fx_init(&x, NODE_WSL2, "nat");
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	assert_int_equal(run(&x)->status, CHECK_SKIP);
	fx_free(&x);

	fx_init(&x, NODE_WSL2, "nat");
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	c = run(&x);
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "NAT: the NFS mount works through the Windows host");
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mirrored_pitfall),
		cmocka_unit_test(nat_eperm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
