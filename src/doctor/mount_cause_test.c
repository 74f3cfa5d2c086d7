/* SPDX-License-Identifier: MIT */
/* doctor_mount_cause reads the nfs area (nfs.tcp, nfs.rpc, mesh.address, the probe's
 * diagnosis) and completes the mount area's blocked check. Phase 1 here is fixture-level
 * evidence: reports with the checks and extras those areas make, with the words measured in
 * the VM (tests/vm/kernel-client.sh meets the three causes with Linux's own client). */
#include "core/test.h"
#include "doctor/doctor.h"

static const char evidence[] = "The probe child (pid 812) was still in stat of /opt/shared "
			       "after 5000 ms: state D (disk sleep (uninterruptible)), wchan "
			       "rpc_wait_bit_killable.";
static const char mount_fix[] = "meshnfs probe 100.64.0.1:/opt/shared   (hung server, offline "
				"peer, or refused?)\numount -l /opt/shared   (detaches it)\n"
				"mount /opt/shared   (once the probe is ok)";

struct phase1 {
	struct config cfg;
	struct node_info node;
	struct report mount, nfs;
	struct report *reports[2];
	struct doctor d;
	struct report own;
};

/* A blocked mount (step, fstype, server) and the nfs area's view (diagnosis: NULL when the
 * nfs area did not probe; tcp and rpc statuses, the failing one with its fix). */
static void setup(struct phase1 *p, const char *step, const char *fstype, const char *server,
		  const char *diagnosis, enum check_status mesh, enum check_status tcp,
		  enum check_status rpc)
{
	struct check *k;
	bool writing = streq(step, "create");

	*p = (struct phase1){ 0 };
	config_defaults(&p->cfg);
	report_init(&p->mount, "doctor");
	report_init(&p->nfs, "doctor");
	report_add(&p->mount, "mount.present", CHECK_OK, "%s:/opt/shared on /opt/shared (nfs4)",
		   server);
	k = report_add(&p->mount, "mount.responsive", writing ? CHECK_OK : CHECK_FAIL, "%s",
		       writing ? "ls /opt/shared: 1 entry"
			       : "blocked: `ls /opt/shared` did not answer within 5.0 s (stuck in "
				 "stat, state D)");
	if (!writing) {
		check_set_detail(k, "%s", evidence);
		check_set_fix(k, "%s", mount_fix);
	}
	k = report_add(&p->mount, "mount.write", writing ? CHECK_FAIL : CHECK_SKIP, "%s",
		       writing ? "blocked: create of a file in /opt/shared did not answer within "
				 "5.0 s (state D)"
			       : "not tried: the mount is hung (see mount.responsive)");
	if (writing) {
		check_set_detail(k, "%s", evidence);
		check_set_fix(k, "%s", mount_fix);
	}
	json_object_set_new(p->mount.extra, "mount",
			    json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s}}", "mounted", "fstype",
				      fstype, "server", server, "addr", server, "health", "state",
				      "hung", "step", step));

	k = report_add(&p->nfs, "mesh.address", mesh, "%s",
		       mesh == CHECK_OK ? "100.64.0.9; the route to 100.64.0.1 leaves from it"
					: "no route to the server 100.64.0.1");
	if (mesh == CHECK_FAIL)
		check_set_fix(k, "sudo tailscale up");
	k = report_add(&p->nfs, "nfs.tcp", tcp, "%s",
		       tcp == CHECK_OK ? "100.64.0.1:2049 accepts TCP connections"
		       : diagnosis && streq(diagnosis, "refused")
			       ? "connection refused (2 ms)"
			       : "no answer within 5000 ms");
	if (tcp == CHECK_FAIL)
		check_set_fix(k, "%s",
			      streq(diagnosis, "refused")
				      ? "Check that the NFS server is running on 100.64.0.1"
				      : "Confirm this node is connected to the mesh: tailscale status");
	k = report_add(&p->nfs, "nfs.rpc", rpc, "%s",
		       rpc == CHECK_OK	 ? "the NFSv4 service on 100.64.0.1 answers"
		       : rpc == CHECK_FAIL ? "NFSv4 NULL: no answer within 5000 ms"
					   : "not tested: the tcp step failed");
	if (rpc == CHECK_FAIL)
		check_set_fix(k, "Restart the NFS server on 100.64.0.1");
	if (diagnosis)
		json_object_set_new(p->nfs.extra, "probe",
				    json_pack("{s:s, s:s}", "diagnosis", diagnosis, "server",
					      "100.64.0.1"));

	p->reports[0] = &p->nfs;
	p->reports[1] = &p->mount;
	p->d = (struct doctor){ .cfg = &p->cfg, .node = &p->node, .phase1 = p->reports,
				.n_phase1 = 2 };
	report_init(&p->own, "doctor");
	doctor_mount_cause(&p->d, &p->own);
	assert_int_equal(p->own.n_checks, 0); /* no check of its own */
}

static void teardown(struct phase1 *p)
{
	report_free(&p->mount);
	report_free(&p->nfs);
	report_free(&p->own);
	config_free(&p->cfg);
}

static const struct check *get(struct phase1 *p, const char *id)
{
	const struct check *k = report_find(&p->mount, id);
	assert_non_null(k);
	return k;
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
	assert_true(startswith(k->fix, "Restart the NFS server on 100.64.0.1   (the cause, see "
				       "nfs.rpc)\numount -l /opt/shared"));
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
	assert_true(startswith(k->fix, "Confirm this node is connected to the mesh: tailscale "
				       "status   (the cause, see nfs.tcp)\numount -l"));
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
	assert_true(startswith(k->fix, "Check that the NFS server is running on 100.64.0.1   (the "
				       "cause, see nfs.tcp)\n"));
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
	assert_true(startswith(k->fix, "sudo tailscale up   (the cause, see mesh.address)\n"));
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
	assert_string_equal(k->fix, mount_fix); /* the mount area's fix stays: find the cause */
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
	setup(&p, "stat", "fuse.hangfs", "hangfs", "unreachable", CHECK_FAIL, CHECK_FAIL, CHECK_SKIP);
	const struct check *k = get(&p, "mount.responsive");
	assert_null(strstr(k->summary, "cause"));
	assert_string_equal(k->detail, evidence);
	assert_string_equal(k->fix, mount_fix);
	teardown(&p);

	setup(&p, "stat", "nfs4", "100.64.0.7", "no_nfs_answer", CHECK_OK, CHECK_OK, CHECK_FAIL);
	assert_null(strstr(get(&p, "mount.responsive")->summary, "cause"));
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
