/* SPDX-License-Identifier: MIT */
/* The cause of a blocked NFS mount: the mount judge asks the nfs judge about the same facts
 * (tcp, rpc, mesh.address, the probe's diagnosis) and says why in the blocked check. Facts
 * made up with the words measured in the VM (tests/vm/kernel-client.sh meets the three causes
 * with Linux's own client). */
#include "doctor/doctor_fixture.h"

#include <errno.h>

static const char evidence[] = "The probe child (pid 812) was still in stat of /opt/shared "
			       "after 5000 ms: state D (disk sleep (uninterruptible)), wchan "
			       "rpc_wait_bit_killable.";
static const char mount_fix[] = "meshnfs probe 100.64.0.1:/opt/shared   (hung server, offline "
				"peer, or refused?)\numount -l /opt/shared   (detaches the hung mount";

struct phase1 {
	struct fx x;
};

/* A blocked mount (step, fstype, server) and the probe's facts (diagnosis: NULL when the nfs
 * facts were not gathered; which of mesh (the route), tcp and rpc failed). */
static void setup(struct phase1 *p, const char *step, const char *fstype, const char *server,
		  const char *diagnosis, enum check_status mesh, enum check_status tcp,
		  enum check_status rpc)
{
	struct fx *x = &p->x;
	bool writing = streq(step, "create");

	fx_init(x, NODE_LINUX, NULL);
	fx_mount(x, fstype, server, MOUNT_HEALTH_HUNG, writing ? MOUNT_STEP_CREATE : MOUNT_STEP_STAT,
		 ETIMEDOUT);
	if (!diagnosis)
		return;
	enum probe_diagnosis dg = PROBE_OK;
	for (int i = 0; i < PROBE_N_DIAGNOSES; i++)
		if (streq(probe_diagnosis_name(i), diagnosis))
			dg = i;
	if (mesh == CHECK_FAIL)
		fx_probe(x, PROBE_ROUTE, "no route to 100.64.0.1: Network is unreachable", dg, true);
	else if (tcp == CHECK_FAIL)
		fx_probe(x, PROBE_TCP,
			 streq(diagnosis, "refused") ? "connection refused (2 ms)"
						     : "no answer within 5000 ms",
			 dg, false);
	else if (rpc == CHECK_FAIL)
		fx_probe(x, PROBE_RPC, "NFSv4 NULL: no answer within 5000 ms", dg, false);
	else
		fx_probe(x, PROBE_N_STEPS, NULL, dg, false);
}

static void teardown(struct phase1 *p)
{
	fx_free(&p->x);
}

static const struct check *get(struct phase1 *p, const char *id)
{
	return fx_judge(&p->x, doctor_judge_mount, id);
}

static void hung_server(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "stat", "nfs4", "100.64.0.1", "no_nfs_answer", CHECK_OK, CHECK_OK, CHECK_FAIL);
	const struct check *k = get(&p, "mount.responsive");
	assert_int_equal(k->status, CHECK_FAIL); /* statuses stay */
	assert_true(startswith(k->summary, "blocked: `ls /opt/shared` did not answer within 5.0 s"));
	assert_non_null(strstr(k->summary, "; cause: hung server, TCP accepted but NFS silent (nfs.rpc)"));
	assert_true(startswith(k->detail, evidence)); /* the facts first, unchanged */
	assert_non_null(strstr(k->detail, "\nCause (nfs.rpc): 100.64.0.1 accepts TCP on port 2049 "
					  "but its NFS service does not answer"));
	assert_non_null(strstr(k->detail, "(`nc -zv` says succeeded)"));
	assert_non_null(strstr(k->detail, "nfs.rpc said: NFSv4 NULL: no answer within 5000 ms"));
	assert_true(startswith(k->fix, "Restart the NFS server on 100.64.0.1: ssh 100.64.0.1"));
	assert_non_null(strstr(k->fix, "   (the cause, see nfs.rpc)\numount -l /opt/shared"));
	assert_null(strstr(k->fix, "meshnfs probe"));
	teardown(&p);
}

static void offline_peer(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "stat", "nfs4", "100.64.0.1", "unreachable", CHECK_OK, CHECK_FAIL, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_int_equal(k->status, CHECK_FAIL);
	assert_non_null(strstr(k->summary, "; cause: offline peer, no answer to SYNs (nfs.tcp)"));
	assert_non_null(strstr(k->detail, "\nCause (nfs.tcp): 100.64.0.1 does not answer SYNs on "
					  "port 2049: an offline peer"));
	assert_non_null(strstr(k->detail, "nfs.tcp said: no answer within 5000 ms"));
	/* Nothing of a hung server here. */
	assert_null(strstr(k->detail, "nc -zv"));
	assert_null(strstr(k->summary, "hung"));
	assert_true(startswith(k->fix, "Confirm this node (on WSL2: the Windows host, in "
				       "PowerShell) is connected to the mesh: tailscale status."));
	assert_non_null(strstr(k->fix, "   (the cause, see nfs.tcp)\numount -l"));
	teardown(&p);
}

static void refused(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "stat", "nfs4", "100.64.0.1", "refused", CHECK_OK, CHECK_FAIL, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_non_null(strstr(k->summary, "; cause: refused, nothing listens on 2049 (nfs.tcp)"));
	assert_non_null(strstr(k->detail, "\nCause (nfs.tcp): 100.64.0.1 refuses TCP on port 2049: "
					  "nothing listens there"));
	assert_non_null(strstr(k->detail, "nfs.tcp said: connection refused (2 ms)"));
	assert_null(strstr(k->detail, "nc -zv"));
	assert_true(startswith(k->fix, "Check that the NFS server is running on 100.64.0.1"));
	assert_non_null(strstr(k->fix, "   (the cause, see nfs.tcp)\numount -l"));
	teardown(&p);
}

static void no_route(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "stat", "nfs4", "100.64.0.1", "unreachable", CHECK_FAIL, CHECK_FAIL, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_non_null(strstr(k->summary, "; cause: this node does not reach the server (mesh.address)"));
	assert_non_null(strstr(k->detail, "\nCause (mesh.address): no route to the server"));
	assert_true(startswith(k->fix, "Bring this node onto the mesh: sudo tailscale up"));
	assert_non_null(strstr(k->fix, "   (the cause, see mesh.address)\numount -l"));
	teardown(&p);
}

static void server_answers(void **state)
{
	(void)state;
	struct phase1 p;

	/* The server is fine for a fresh connection: the mount's own connection is stuck. */
	setup(&p, "stat", "nfs4", "100.64.0.1", "ok", CHECK_OK, CHECK_OK, CHECK_OK);
	const struct check *k = get(&p, "mount.responsive");
	assert_int_equal(k->status, CHECK_FAIL);
	assert_non_null(strstr(k->summary, "it answers a fresh connection (nfs.rpc ok)"));
	assert_non_null(strstr(k->detail, "the block is this mount's own"));
	assert_true(startswith(k->fix, "meshnfs repair"));
	teardown(&p);
}

static void nfs_not_probed(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "stat", "nfs4", "100.64.0.1", NULL, CHECK_OK, CHECK_SKIP, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_non_null(strstr(k->summary, "; cause: not known"));
	assert_non_null(strstr(k->detail, "\nCause not known"));
	assert_true(startswith(k->fix, mount_fix)); /* the mount judge's fix stays: find the cause */
	teardown(&p);
}

static void writing_blocked(void **state)
{
	(void)state;
	struct phase1 p;

	setup(&p, "create", "nfs4", "100.64.0.1", "no_nfs_answer", CHECK_OK, CHECK_OK, CHECK_FAIL);
	assert_string_equal(get(&p, "mount.responsive")->summary, "ls /opt/shared: 1 entry");
	const struct check *k = get(&p, "mount.write");
	assert_int_equal(k->status, CHECK_FAIL);
	assert_non_null(strstr(k->summary, "; cause: hung server"));
	teardown(&p);
}

static void not_the_servers_mount(void **state)
{
	(void)state;
	struct phase1 p;

	/* A FUSE mount, or NFS from another server: the nfs checks do not speak about it. */
	setup(&p, "stat", "fuse.hangfs", NULL, "unreachable", CHECK_FAIL, CHECK_FAIL, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_null(strstr(k->summary, "cause"));
	assert_true(startswith(k->detail, evidence));
	assert_null(strstr(k->detail, "Cause"));
	assert_true(startswith(k->fix, "umount -l /opt/shared   (detaches it at once"));
	teardown(&p);

	setup(&p, "stat", "nfs4", "100.64.0.7", "no_nfs_answer", CHECK_OK, CHECK_OK, CHECK_FAIL);
	assert_null(strstr(get(&p, "mount.responsive")->summary, "cause"));
	teardown(&p);

	/* The server's mount by another name, connected to the configured address (addr=): it
	 * is the server's, the cause is named (mutation run 15: mount_is_the_servers's name `||`
	 * address made `&&` wanted both to be the configured server). */
	setup(&p, "stat", "nfs4", "nfs.example", "no_nfs_answer", CHECK_OK, CHECK_OK, CHECK_FAIL);
	p.x.top.addr = (char *)"100.64.0.1";
	assert_non_null(strstr(get(&p, "mount.responsive")->summary,
			       "; cause: hung server, TCP accepted but NFS silent (nfs.rpc)"));
	teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hung_server),   cmocka_unit_test(offline_peer),
		cmocka_unit_test(refused),       cmocka_unit_test(no_route),
		cmocka_unit_test(server_answers), cmocka_unit_test(nfs_not_probed),
		cmocka_unit_test(writing_blocked), cmocka_unit_test(not_the_servers_mount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
