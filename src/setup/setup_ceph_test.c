/* SPDX-License-Identifier: MIT */
/* setup server --backend ceph: the cluster's answers judged (setup_ceph_judge_cluster), on
 * the recorded `ceph status` and `ceph mds stat` of the Ceph lab (tests/fixtures/ceph) and
 * each outcome of the libcephfs check of the path, which only a live cluster gives otherwise
 * (tests/ceph/gateway.sh). */
#include "core/test.h"
#include "node/ceph_cli.h"
#include "setup/setup_private.h"

#include <errno.h>

static const struct setup_ceph ceph = {
	.conf = "/etc/ceph/ceph.conf", .user = "ganesha", .keyring = "/etc/ceph/x.keyring",
	.fs = "cephfs", .path = "/shared", .pool = "nfs-ganesha", .ns = "grace", .nodeid = "gw-a",
};

struct answers {
	struct ceph_status st;
	struct ceph_fsmap m;
};

static void answers(struct answers *a)
{
	_cleanup_free_ char *st = NULL, *m = NULL;
	size_t st_len, m_len;
	struct diag d = { 0 };

	assert_int_equal(read_file_bounded("tests/fixtures/ceph/status-ok.json", 1 << 20, &st,
					   &st_len), 0);
	assert_int_equal(read_file_bounded("tests/fixtures/ceph/mds-stat-ok.json", 1 << 20, &m,
					   &m_len), 0);
	assert_int_equal(ceph_status_parse("status", st, st_len, &a->st, &d), 0);
	assert_int_equal(ceph_fsmap_parse("mds stat", m, m_len, &a->m, &d), 0);
}

/* The judge on a client check that ended as cl: its return, the one reason in msg. */
static int judge(const struct ceph_client *cl, char *msg, size_t size)
{
	struct answers a;
	struct plan p;
	struct diag d = { 0 };

	answers(&a);
	plan_init(&p, "server");
	int r = setup_ceph_judge_cluster(&p, &ceph, &a.st, &a.m, cl, &d);
	snprintf(msg, size, "%s", d.msg);
	plan_free(&p);
	ceph_fsmap_free(&a.m);
	ceph_status_free(&a.st);
	return r;
}

static bool ends(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && streq(s + n - k, tail);
}

static const char key_hint[] = " (the key or its caps: ceph auth get client.USER)";

/* The key refused (EACCES or EPERM at any step): the hint names the key and its caps; a
 * missing directory: create it; any other failure (a mount that timed out): no hint, since
 * neither would help (mutation run 7: setup_ceph.c:108's `err == EACCES` -> `!=` gave the
 * key hint to every failure but EACCES). */
static void client_failures(void **state)
{
	(void)state;
	char msg[512];

	struct ceph_client cl = { .result = CEPH_CLIENT_FAILED, .step = "init", .err = EACCES };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), -EHOSTDOWN);
	assert_true(ends(msg, key_hint));
	assert_true(startswith(msg, "client.ganesha cannot use /shared in \"cephfs\": init failed: "));

	cl = (struct ceph_client){ .result = CEPH_CLIENT_FAILED, .step = "mount", .err = EPERM };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), -EHOSTDOWN);
	assert_true(ends(msg, key_hint));

	cl = (struct ceph_client){ .result = CEPH_CLIENT_FAILED, .step = "stat", .err = ENOENT };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), -EHOSTDOWN);
	assert_true(ends(msg, ": stat failed: No such file or directory (create the "
				  "directory in CephFS first)"));

	cl = (struct ceph_client){ .result = CEPH_CLIENT_FAILED, .step = "mount", .err = ETIMEDOUT };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), -EHOSTDOWN);
	assert_true(ends(msg, ": mount failed: Connection timed out"));

	cl = (struct ceph_client){ .result = CEPH_CLIENT_NOT_DIR };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), -EHOSTDOWN);
	assert_str(msg, "/shared in the file system \"cephfs\" is not a directory");

	cl = (struct ceph_client){ .result = CEPH_CLIENT_OK };
	assert_int_equal(judge(&cl, msg, sizeof(msg)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
