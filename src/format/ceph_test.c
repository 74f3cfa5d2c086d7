/* SPDX-License-Identifier: MIT */
/* The Ceph JSON parsers on recordings of Debian 12's ceph 16.2.15 (tests/fixtures/ceph/,
 * README there), on the layouts of older versions derived from them, and on broken input. */
#include "core/test.h"
#include "format/ceph.h"

#include <errno.h>

#define REC "tests/fixtures/ceph/"

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	assert_int_equal(read_file_bounded(path, 1024 * 1024, &data, len), 0);
	return data;
}

static int status_file(const char *path, struct ceph_status *st, struct diag *d)
{
	size_t len;
	_cleanup_free_ char *data = slurp(path, &len);
	return ceph_status_parse(path, data, len, st, d);
}

static int fsmap_file(const char *path, struct ceph_fsmap *m, struct diag *d)
{
	size_t len;
	_cleanup_free_ char *data = slurp(path, &len);
	return ceph_fsmap_parse(path, data, len, m, d);
}

static void status_ok(void **state)
{
	struct ceph_status st;
	struct diag d = { 0 };
	(void)state;

	assert_int_equal(status_file(REC "status-ok.json", &st, &d), 0);
	assert_string_equal(st.fsid, "fed9eff8-fe96-4730-a39b-33514b7ceb03");
	assert_int_equal(st.health, CEPH_HEALTH_OK);
	assert_int_equal(st.n_checks, 0);
	assert_int_equal(st.num_mons, 1);
	assert_int_equal(st.n_quorum, 1);
	assert_int_equal(st.num_osds, 1);
	assert_int_equal(st.num_up_osds, 1);
	assert_int_equal(st.mds_up, 1);
	assert_int_equal(st.mds_failed, 0);
	assert_true(st.mgr_available);
	ceph_status_free(&st);
}

static void status_mds_down(void **state)
{
	struct ceph_status st;
	struct diag d = { 0 };
	(void)state;

	assert_int_equal(status_file(REC "status-mds-down.json", &st, &d), 0);
	assert_int_equal(st.health, CEPH_HEALTH_ERR);
	assert_int_equal(st.n_checks, 3);
	assert_int_equal(st.mds_up, 0);
	assert_int_equal(st.mds_failed, 1);
	bool all_down = false;
	for (size_t i = 0; i < st.n_checks; i++)
		if (streq(st.checks[i].code, "MDS_ALL_DOWN")) {
			all_down = true;
			assert_int_equal(st.checks[i].severity, CEPH_HEALTH_ERR);
			assert_string_equal(st.checks[i].message, "1 filesystem is offline");
		}
	assert_true(all_down);
	ceph_status_free(&st);
}

static void status_osd_down(void **state)
{
	struct ceph_status st;
	struct diag d = { 0 };
	(void)state;

	assert_int_equal(status_file(REC "status-osd-down.json", &st, &d), 0);
	assert_int_equal(st.health, CEPH_HEALTH_WARN);
	assert_int_equal(st.num_osds, 1);
	assert_int_equal(st.num_up_osds, 0);
	assert_int_equal(st.num_in_osds, 1);
	ceph_status_free(&st);
}

/* Older layouts are refused by name, not as "field missing". */
static void status_other_versions(void **state)
{
	struct ceph_status st;
	struct diag d = { 0 };
	(void)state;

	assert_int_equal(status_file(REC "status-nautilus-layout.json", &st, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "osdmap: is nested"));
	assert_non_null(strstr(d.msg, "Ceph 14 or older"));
	assert_non_null(strstr(d.file, "status-nautilus-layout.json"));
	assert_null(st.fsid);
	d = (struct diag){ 0 };
	assert_int_equal(status_file(REC "status-jewel-layout.json", &st, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "Ceph 11 or older"));
	/* mds stat is not status */
	d = (struct diag){ 0 };
	assert_int_equal(status_file(REC "mds-stat-ok.json", &st, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "fsid: expected a string, got nothing (missing)"));
}

static void status_broken(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "", "not JSON" },
		{ "[]", "expected a JSON object, got an array" },
		{ "{\"fsid\":\"f\",\"fsid\":\"g\"}", "not JSON" }, /* duplicate key */
		{ "{\"fsid\":1}", "fsid: expected a string, got a number" },
		{ "{\"fsid\":\"f\",\"health\":{\"status\":\"HEALTH_MAYBE\",\"checks\":{}}}",
		  "health.status: \"HEALTH_MAYBE\" is not HEALTH_OK" },
		{ "{\"fsid\":\"f\",\"health\":{\"status\":\"HEALTH_OK\",\"checks\":{\"X\":{"
		  "\"severity\":\"HEALTH_WARN\",\"summary\":{}}}}}",
		  "health.checks.X.summary.message: expected a string, got nothing (missing)" },
		{ "{\"fsid\":\"f\",\"health\":{\"status\":\"HEALTH_OK\",\"checks\":{}},\"quorum_names\":[],"
		  "\"monmap\":{\"num_mons\":1},\"osdmap\":{\"num_osds\":1,\"num_up_osds\":2,"
		  "\"num_in_osds\":1},\"fsmap\":{\"up\":0,\"in\":0,\"max\":1},\"mgrmap\":{\"available\":"
		  "false}}",
		  "osdmap: 2 up and 1 in of 1 OSDs" },
		{ "{\"fsid\":\"f\",\"health\":{\"status\":\"HEALTH_OK\",\"checks\":{}},\"quorum_names\":[],"
		  "\"monmap\":{\"num_mons\":1},\"osdmap\":{\"num_osds\":1,\"num_up_osds\":1,"
		  "\"num_in_osds\":1},\"fsmap\":{\"up\":0,\"in\":0,\"max\":1},\"mgrmap\":{}}",
		  "mgrmap.available: expected a boolean, got nothing (missing)" },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ceph_status st;
		struct diag d = { 0 };
		int r = ceph_status_parse("x", cases[i].json, strlen(cases[i].json), &st, &d);
		if (r != -EBADMSG || !strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: r %d, msg \"%s\", expected \"%s\"", i, r, d.msg,
				 cases[i].msg);
		assert_null(st.checks);
	}
}

static void fsmap_ok_and_down(void **state)
{
	struct ceph_fsmap m;
	struct diag d = { 0 };
	(void)state;

	assert_int_equal(fsmap_file(REC "mds-stat-ok.json", &m, &d), 0);
	assert_int_equal(m.n_fs, 1);
	const struct ceph_fs *fs = ceph_fsmap_find(&m, "cephfs");
	assert_non_null(fs);
	assert_null(ceph_fsmap_find(&m, "other"));
	assert_int_equal(ceph_fs_active(fs), 1);
	assert_int_equal(fs->n_mds, 1);
	assert_string_equal(fs->mds[0].name, "a");
	assert_int_equal(fs->mds[0].rank, 0);
	assert_int_equal(fs->n_in, 1);
	assert_int_equal(fs->n_failed, 0);
	ceph_fsmap_free(&m);

	assert_int_equal(fsmap_file(REC "mds-stat-mds-down.json", &m, &d), 0);
	fs = ceph_fsmap_find(&m, "cephfs");
	assert_non_null(fs);
	assert_int_equal(ceph_fs_active(fs), 0);
	assert_int_equal(fs->n_failed, 1);
	assert_int_equal(fs->n_mds, 0);
	ceph_fsmap_free(&m);

	/* status is not mds stat */
	assert_int_equal(fsmap_file(REC "status-ok.json", &m, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "fsmap.filesystems: expected an array"));
	const char *twice = "{\"fsmap\":{\"standbys\":[],\"filesystems\":["
			    "{\"mdsmap\":{\"fs_name\":\"a\",\"max_mds\":1,\"in\":[],\"failed\":[],"
			    "\"damaged\":[],\"info\":{}}},"
			    "{\"mdsmap\":{\"fs_name\":\"a\",\"max_mds\":1,\"in\":[],\"failed\":[],"
			    "\"damaged\":[],\"info\":{}}}]}}";
	assert_int_equal(ceph_fsmap_parse("x", twice, strlen(twice), &m, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "\"a\" listed twice"));

	/* Each member of an mdsmap is required: one missing is an error naming it (mutation run
	 * 7: mdsmap_parse's `return r` made `return 0` took a filesystem without them). */
	static const char *const members[] = { "\"fs_name\":\"a\",", "\"max_mds\":1,", "\"in\":[],",
						"\"failed\":[],", "\"damaged\":[],", ",\"info\":{}" };
	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		char one[400] = "{\"fsmap\":{\"standbys\":[],\"filesystems\":[{\"mdsmap\":{";
		const char *all = "\"fs_name\":\"a\",\"max_mds\":1,\"in\":[],\"failed\":[],"
				  "\"damaged\":[],\"info\":{}";
		const char *cut = strstr(all, members[i]);
		strncat(one, all, (size_t)(cut - all));
		strcat(one, cut + strlen(members[i]));
		strcat(one, "}}]}}");
		memset(&d, 0, sizeof(d));
		if (ceph_fsmap_parse("x", one, strlen(one), &m, &d) != -EBADMSG)
			fail_msg("without %s: taken", members[i]);
		assert_non_null(strstr(d.msg, "fsmap.filesystems[0].mdsmap"));
	}
}

static void health_names(void **state)
{
	(void)state;
	assert_string_equal(ceph_health_name(CEPH_HEALTH_WARN), "HEALTH_WARN");
	assert_string_equal(ceph_health_name((enum ceph_health)7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_ok),
		cmocka_unit_test(status_mds_down),
		cmocka_unit_test(status_osd_down),
		cmocka_unit_test(status_other_versions),
		cmocka_unit_test(status_broken),
		cmocka_unit_test(fsmap_ok_and_down),
		cmocka_unit_test(health_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
