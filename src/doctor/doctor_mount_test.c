/* SPDX-License-Identifier: MIT */
/* The mount judge (mount.present, mount.responsive, mount.write, mount.stale) on the mounts
 * doctor_judges_test.c does not make: an armed automount, NFSv3, another filesystem, another
 * server, the clientaddr cases, options not as configured, a read-only mount, a hung mount
 * that is not NFS, the errors of each step. Made-up facts in, the words users read out. */
#include "doctor/doctor_fixture.h"

#include <errno.h>

static const struct check *present(struct fx *x)
{
	return fx_judge(x, doctor_judge_mount, "mount.present");
}

static void automount_armed(void **state)
{
	(void)state;
	struct fx x;

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "autofs", NULL, MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.source = (char *)"systemd-1";
	const struct check *c = present(&x);
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "automount armed at /opt/shared (systemd-1); 100.64.0.1:/opt/shared "
			       "mounts on first access");
	assert_non_null(strstr(c->detail, "x-systemd.automount"));
	assert_non_null(strstr(c->detail, "The probe's access did not leave an NFS mount."));
	assert_int_equal(report_find(&x.r, "mount.responsive")->status, CHECK_OK);
	fx_free(&x);
}

/* NFSv3, a FUSE filesystem, another server: each fails, each with the guide's mount. */
static void not_the_share(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.vers = (char *)"3";
	c = present(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "100.64.0.1:/opt/shared on /opt/shared is NFSv3 (type nfs), not nfs4");
	assert_non_null(strstr(c->detail, "needs rpcbind and mountd"));
	assert_true(startswith(c->fix, "umount /opt/shared\nmount /opt/shared   (from its fstab"));
	assert_non_null(strstr(c->fix, "mount -t nfs4 100.64.0.1:/opt/shared /opt/shared -o "));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "fuse.sshfs", NULL, MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.source = (char *)"alice@box:/srv";
	c = present(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "alice@box:/srv (fuse.sshfs) is mounted at /opt/shared, not "
			       "100.64.0.1:/opt/shared over nfs4");
	assert_true(startswith(c->fix, "umount /opt/shared\n"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.9", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.addr = (char *)"100.64.0.9";
	c = present(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "100.64.0.9:/opt/shared mounted at /opt/shared, configured "
			       "100.64.0.1:/opt/shared");
	assert_non_null(strstr(c->detail, "another server or export than the configuration "
					  "(built-in defaults) says"));
	/* The server by name, connected to the configured address: the share. */
	x.top.server = (char *)"nfs.example";
	x.top.addr = (char *)"100.64.0.1";
	assert_int_equal(present(&x)->status, CHECK_OK);
	/* The right server, another export. */
	x.top.export_path = (char *)"/srv";
	assert_int_equal(present(&x)->status, CHECK_FAIL);
	fx_free(&x);
}

static void clientaddr(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* None shown: a warning, not a failure. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.clientaddr = NULL;
	c = present(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "100.64.0.1:/opt/shared on /opt/shared (nfs4): no clientaddr");
	assert_null(c->fix);

	/* The tailnet's IPv6 range. */
	x.top.clientaddr = (char *)"fd7a:115c:a1e0::3";
	c = present(&x);
	assert_int_equal(c->status, CHECK_OK);
	assert_non_null(strstr(c->detail, "clientaddr=fd7a:115c:a1e0::3 lies in the mesh's IPv6 "
					  "range fd7a:115c:a1e0::/48"));
	fx_free(&x);

	/* WSL2 under NAT: its own NAT address, a warning about callbacks. */
	fx_init(&x, NODE_WSL2, "nat");
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.clientaddr = (char *)"172.28.1.5";
	c = present(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "clientaddr 172.28.1.5 outside 100.64.0.0/10"));
	assert_non_null(strstr(c->detail, "in WSL2 NAT mode the distro has its own NAT address"));
	assert_null(c->fix);
	fx_free(&x);
}

/* Options not as configured, a read-only mount: warnings, each with its remount. */
static void options(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.fs_options = (char *)"rw,vers=4.2,hard,timeo=600,retrans=2,clientaddr=100.64.0.3";
	c = present(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "100.64.0.1:/opt/shared on /opt/shared (nfs4): 2 options not as "
			       "configured");
	assert_non_null(strstr(c->detail, "\nOption soft: "));
	assert_non_null(strstr(c->detail, "\nOption timeo=50: "));
	assert_true(startswith(c->fix, "umount /opt/shared && mount /opt/shared   (remount with "
				       "the configured options: "));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_READ_ONLY, MOUNT_STEP_CREATE, EROFS);
	x.top.read_only = true;
	c = present(&x);
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, ": read-only"));
	assert_str(c->fix, "mount -o remount,rw /opt/shared");
	/* mount.write: the mount itself, not the export. */
	c = report_find(&x.r, "mount.write");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->detail, "The mount itself is read-only (ro in its options)."));
	assert_str(c->fix, "mount -o remount,rw /opt/shared");
	fx_free(&x);
}

/* A FUSE mount that hangs: no probe of the server, the filesystem's own fix. */
static void hung_not_nfs(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "fuse.hangfs", NULL, MOUNT_HEALTH_HUNG, MOUNT_STEP_READDIR, ETIMEDOUT);
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "blocked: `ls /opt/shared` did not answer within 5.0 s (stuck in "
			       "readdir, state D)");
	assert_true(startswith(c->detail, "The probe child (pid 812) was still in readdir of "
					  "/opt/shared after 5000 ms: state D"));
	assert_non_null(strstr(c->detail, "A hung mount: every process that touches /opt/shared"));
	assert_true(startswith(c->fix, "umount -l /opt/shared   (detaches it at once"));
	assert_non_null(strstr(c->fix, "then restart what serves hangfs"));
	assert_null(strstr(c->fix, "meshnfs probe"));
	assert_int_equal(c->ms, 5000);
	assert_int_equal(report_find(&x.r, "mount.write")->status, CHECK_SKIP);
	assert_str(report_find(&x.r, "mount.stale")->summary, "cannot tell: the mount is hung");

	/* Killed and still there: the grace it was given, its state then. */
	x.f.mount.health.state_after_kill = 'D';
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_non_null(strstr(c->detail, "250 ms after SIGKILL it was still there in state D"));
	/* Killed and gone. */
	x.f.mount.health.exited = true;
	x.f.mount.health.kill_ms = 120;
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_non_null(strstr(c->detail, "SIGKILL freed it in 120 ms."));
	fx_free(&x);

	/* Writing hung, reading was fine. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_HUNG, MOUNT_STEP_CREATE, ETIMEDOUT);
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "blocked: create of a file in /opt/shared did not "
					   "answer within 5.0 s (state D); cause: not known"));
	assert_int_equal(report_find(&x.r, "mount.responsive")->status, CHECK_OK);
	assert_int_equal(report_find(&x.r, "mount.stale")->status, CHECK_OK);
	fx_free(&x);
}

/* Each step's errors and what they mean. */
static void step_errors(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Denied while reading: the export does not allow this client. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_DENIED, MOUNT_STEP_READDIR, EACCES);
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "ls: permission denied (EACCES in readdir)");
	assert_non_null(strstr(c->detail, "The server refuses this client"));
	assert_str(c->fix, "ssh 100.64.0.1 'sudo exportfs -v'");
	assert_str(report_find(&x.r, "mount.write")->summary,
		   "not tried: reading already failed (see mount.responsive)");
	fx_free(&x);

	/* rm failed with another errno: the plain words, the remount. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_ERROR, MOUNT_STEP_UNLINK, EBUSY);
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "rm: unlink failed: Device or resource busy (EBUSY)");
	assert_true(startswith(c->detail, "unlink of /opt/shared failed with EBUSY (Device or "
					  "resource busy) after 1 ms (probe child pid 812)."));
	assert_true(startswith(c->fix, "meshnfs probe 100.64.0.1:/opt/shared   (is the server "
				       "reachable?)\numount -l /opt/shared && mount /opt/shared"));
	fx_free(&x);

	/* Unmounted between mountinfo and the probe. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_NOT_MOUNTED, MOUNT_STEP_ROOT, 0);
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "/opt/shared is no longer a mount point (unmounted since mountinfo "
			       "was read)");
	assert_str(report_find(&x.r, "mount.stale")->summary, "/opt/shared is no longer a mount point");
	fx_free(&x);

	/* The probe could not start; mountinfo could not be read at all. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.f.mount.probed = false;
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_str(c->summary, "the probe could not start (fork or pipe failed)");
	x.f.mount.read_rc = -EACCES;
	c = present(&x);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "cannot read /proc/self/mountinfo: Permission denied");
	assert_int_equal(x.r.n_checks, 4);
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(automount_armed), cmocka_unit_test(not_the_share),
		cmocka_unit_test(clientaddr),      cmocka_unit_test(options),
		cmocka_unit_test(hung_not_nfs),    cmocka_unit_test(step_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
