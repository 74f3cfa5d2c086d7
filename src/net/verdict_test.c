/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "net/net.h"
#include "net/probe.h"

#include <errno.h>

static void classify(void **state)
{
	(void)state;
	/* libnfs 4.0.0 maps NFSv4 statuses through its NFSv3 table: GRACE arrives as -EIO. */
	assert_int_equal(probe_classify_nfs_error(-EIO,
						  "NFS4: (path /) failed with NFS4ERR_GRACE(-5)", false),
			 PROBE_GRACE);
	assert_int_equal(probe_classify_nfs_error(-EROFS,
						  "NFS4: (path /) failed with NFS4ERR_ROFS(-30)", false),
			 PROBE_READ_ONLY);
	assert_int_equal(probe_classify_nfs_error(-EACCES, "NFS4ERR_ACCESS(-13)", false),
			 PROBE_PERMISSION_DENIED);
	assert_int_equal(probe_classify_nfs_error(-ENOENT,
						  "NFS4: (path /opt/shared) failed with NFS4ERR_NOENT(-2)",
						  true),
			 PROBE_EXPORT_DENIED_OR_MISSING);
	/* NOENT while creating is not the export's problem. */
	assert_int_equal(probe_classify_nfs_error(-ENOENT, "NFS4ERR_NOENT", false),
			 PROBE_WRITE_FAILED);
	/* nfs_get_error() may be NULL: the errno decides. */
	assert_int_equal(probe_classify_nfs_error(-EROFS, NULL, false), PROBE_READ_ONLY);
	assert_int_equal(probe_classify_nfs_error(-EPERM, NULL, false), PROBE_PERMISSION_DENIED);
	assert_int_equal(probe_classify_nfs_error(-ECONNRESET, NULL, true), PROBE_NO_NFS_ANSWER);
	assert_int_equal(probe_classify_nfs_error(-ENOSPC, "NFS4ERR_NOSPC", false),
			 PROBE_WRITE_FAILED);
	assert_int_equal(probe_classify_nfs_error(-EIO, "", false), PROBE_WRITE_FAILED);
}

static void names(void **state)
{
	static const char *const want[] = { "ok", "unreachable", "refused", "no_nfs_answer",
					    "export_denied_or_missing", "read_only", "grace",
					    "permission_denied", "write_failed", "cut" };
	(void)state;
	assert_int_equal(ARRAY_SIZE(want), PROBE_N_DIAGNOSES);
	for (int i = 0; i < PROBE_N_DIAGNOSES; i++)
		assert_str(probe_diagnosis_name(i), want[i]);
	assert_str(probe_diagnosis_name(PROBE_PENDING), "pending");
	assert_str(probe_step_name(PROBE_ROUTE), "route");
	assert_str(probe_step_name(PROBE_OWNERSHIP), "ownership");
}

static void explain_every_diagnosis(void **state)
{
	struct probe p;
	uint32_t a;

	(void)state;
	assert_int_equal(ipv4_parse("100.64.0.1", &a), 0);
	probe_init(&p, &(struct probe_opts){ .host = "sfspark1", .addr = a,
					     .export_path = "/opt/shared" });
	assert_int_equal(cidr_parse("100.64.0.0/10", true, &p.mesh), 0);
	assert_int_equal(ipv4_parse("100.64.0.3", &p.source), 0);
	p.source_in_mesh = true;
	for (int d = 0; d < PROBE_N_DIAGNOSES; d++) {
		char *fix = NULL, *words;
		p.diagnosis = d;
		words = probe_explain(&p, &fix);
		assert_non_null(words);
		assert_non_null(strstr(words, "sfspark1"));
		if (d == PROBE_OK) {
			assert_null(fix);
		} else {
			assert_non_null(fix);
			assert_non_null(strstr(fix, "sfspark1"));
		}
		free(words);
		free(fix);
	}
	/* NOENT: both causes, and this client's address, are named. */
	char *fix = NULL, *words;
	p.diagnosis = PROBE_EXPORT_DENIED_OR_MISSING;
	words = probe_explain(&p, &fix);
	assert_non_null(strstr(words, "path is wrong"));
	assert_non_null(strstr(words, "100.64.0.3"));
	assert_non_null(strstr(fix, "exportfs -v"));
	free(words);
	free(fix);
	/* ok with root squashed: a fix pointing at the guide's no_root_squash. */
	p.diagnosis = PROBE_OK;
	p.owner_known = true;
	p.uid = 0;
	p.owner = 65534;
	words = probe_explain(&p, &fix);
	assert_non_null(strstr(words, "squashed"));
	assert_non_null(fix);
	assert_non_null(strstr(fix, "no_root_squash"));
	free(words);
	free(fix);
	probe_free(&p);
}

static void parse_target(void **state)
{
	struct diag d = { 0 };
	char *h = NULL, *e = NULL;

	(void)state;
	assert_int_equal(net_parse_target("100.64.0.1:/opt/shared", &h, &e, &d), 0);
	assert_str(h, "100.64.0.1");
	assert_str(e, "/opt/shared");
	free(h);
	free(e);
	assert_int_equal(net_parse_target("sfspark1", &h, &e, &d), 0);
	assert_str(h, "sfspark1");
	assert_null(e);
	free(h);
	static const char *const bad[] = { "", ":/opt/shared", "100.64.0.1:", "100.64.0.1:opt",
					   "100.64.0:/x", "host name", "h:/a/../b", "h\n:/x",
					   "-h:/x", "[::1]:/x" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		h = e = NULL;
		d = (struct diag){ 0 };
		assert_int_equal(net_parse_target(bad[i], &h, &e, &d), -EBADMSG);
		assert_true(d.msg[0] != '\0');
		assert_null(h);
		assert_null(e);
	}
}

/* A file created by a user comes back owned by nobody: ID mapping, named with its fix;
 * a user's own uid is fine. */
static void explain_owner_nobody(void **state)
{
	struct probe p;
	char *fix, *why;

	(void)state;
	assert_true(probe_owner_is_nobody(65534));
	assert_true(probe_owner_is_nobody(4294967294u));
	assert_true(probe_owner_is_nobody((uint64_t)-2));
	assert_false(probe_owner_is_nobody(1000));
	assert_false(probe_owner_is_nobody(0));
	probe_init(&p, &(struct probe_opts){ .host = "sfspark1", .export_path = "/opt/shared" });
	p.diagnosis = PROBE_OK;
	p.owner_known = true;
	p.uid = 1000;
	p.owner = 65534;
	why = probe_explain(&p, &fix);
	assert_non_null(strstr(why, "owned by nobody (uid 65534): ID mapping"));
	assert_non_null(strstr(fix, "nfs4_disable_idmapping"));
	assert_non_null(strstr(fix, "/etc/idmapd.conf"));
	free(why);
	free(fix);
	p.owner = 1000;
	why = probe_explain(&p, &fix);
	assert_null(strstr(why, "nobody"));
	assert_null(fix);
	free(why);
	probe_free(&p); /* root's file owned by 65534: root squash (explain_every_diagnosis) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify),
		cmocka_unit_test(names),
		cmocka_unit_test(explain_every_diagnosis),
		cmocka_unit_test(explain_owner_nobody),
		cmocka_unit_test(parse_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
