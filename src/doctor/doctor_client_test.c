/* SPDX-License-Identifier: MIT */
/* The client judge (client.packages, fstab.entry) on what doctor_judges_test.c does not
 * make: no Debian, an fstab that cannot be read or parsed, two entries for the mount point,
 * type nfs, options not as configured (with and without systemd). */
#include "doctor/doctor_fixture.h"

#include <errno.h>

static const struct check *entry(struct fx *x)
{
	return fx_judge(x, doctor_judge_client, "fstab.entry");
}

static void packages(void **state)
{
	(void)state;
	struct fx x;

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "");
	x.f.client.have_mount_nfs4 = false;
	const struct check *c = fx_judge(&x, doctor_judge_client, "client.packages");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "mount.nfs4 is missing: this node cannot mount NFS (the guide's "
			       "step 1)");
	assert_true(startswith(c->fix, "install the NFS client package (nfs-utils on Fedora"));
	fx_free(&x);
}

static void unreadable(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, NULL);
	x.f.client.read_rc = -EACCES;
	c = entry(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "/etc/fstab: cannot read: "));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "100.64.0.1:/opt/shared\n");
	assert_true(x.f.client.parse_rc < 0);
	c = entry(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "/etc/fstab:1: "));
	assert_non_null(strstr(c->detail, "meshnfs will not edit it until the line is fixed"));
	assert_true(startswith(c->fix, "correct that line of /etc/fstab"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "100.64.0.1:/opt/shared /opt/shared nfs4 soft 0 0\n"
		     "100.64.0.2:/opt/shared /opt/shared nfs4 soft 0 0\n");
	c = entry(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "/opt/shared"));
	assert_str(c->fix, "remove one of the two entries, then: sudo meshnfs setup client");
	fx_free(&x);
}

static void not_as_configured(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "100.64.0.1:/opt/shared /opt/shared nfs _netdev,soft 0 0\n");
	c = entry(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "line 1 has type 'nfs', not nfs4");
	assert_non_null(strstr(c->detail, "NFSv3"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "100.64.0.1:/opt/shared /opt/shared nfs4 _netdev,x-systemd.automount,"
		     "x-systemd.idle-timeout=600,hard,timeo=50,retrans=2 0 0\n");
	c = entry(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "line 1: options differ from the configuration: missing soft; "
			       "extra hard");
	assert_true(startswith(c->detail, "Wanted (the guide's defaults): _netdev,"));
	assert_str(c->fix, "sudo meshnfs setup client");
	fx_free(&x);

	/* The guide's line where systemd does not run: its x-systemd.* options do nothing. */
	fx_init(&x, NODE_LINUX, NULL);
	x.node.systemd = false;
	fx_fstab(&x, "100.64.0.1:/opt/shared  /opt/shared  nfs4  _netdev,x-systemd.automount,"
		     "x-systemd.idle-timeout=600,soft,timeo=50,retrans=2  0  0\n");
	c = entry(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "missing bg"));
	assert_true(startswith(c->detail, "systemd is not running here: x-systemd.* options do "
					  "nothing"));
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(packages),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(not_as_configured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
