/* SPDX-License-Identifier: MIT */
/* setup server --backend ceph: the cluster's answers judged (setup_ceph_judge_cluster), on
 * the recorded `ceph status` and `ceph mds stat` of the Ceph lab (tests/fixtures/ceph) and
 * each outcome of the libcephfs check of the path, which only a live cluster gives otherwise
 * (tests/ceph/gateway.sh). */
#include "core/test.h"
#include "node/ceph_cli.h"
#include "setup/setup_private.h"

#include "core/test_files.h"
#include "core/root.h"

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

/* A healthy cluster gives no note; one that warns, a note naming the state and the first of
 * its checks (mutation run 16: setup_ceph.c:113's test negated noted the healthy cluster and
 * said nothing of the warning one). */
static void cluster_health_noted(void **state)
{
	(void)state;
	struct answers a;
	struct plan p;
	struct diag d = { 0 };
	struct ceph_client cl = { .result = CEPH_CLIENT_OK };

	answers(&a);
	plan_init(&p, "server");
	assert_int_equal(setup_ceph_judge_cluster(&p, &ceph, &a.st, &a.m, &cl, &d), 0);
	assert_int_equal(p.n_notes, 0);
	plan_free(&p);
	a.st.health = CEPH_HEALTH_WARN;
	plan_init(&p, "server");
	assert_int_equal(setup_ceph_judge_cluster(&p, &ceph, &a.st, &a.m, &cl, &d), 0);
	assert_int_equal(p.n_notes, 1);
	assert_true(startswith(p.notes[0].text, "the Ceph cluster reports HEALTH_WARN"));
	plan_free(&p);
	ceph_fsmap_free(&a.m);
	ceph_status_free(&a.st);
}

/* FSAL_CEPH on a node with ganesha but not nfs-ganesha-ceph (a root of files): a step that
 * installs it, and whose check after apt-get fails while the library is still missing and
 * passes once it is there (mutation run 14: check_fsal's test negated passed an install
 * that brought nothing, and said it failed when it worked; no test ran the check). */
static void fsal_install_checked(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-fsal.XXXXXX";
	struct node_info n = { .debian_like = true };
	struct setup_server s = { .timeout_ms = 5000 };
	struct plan p;
	struct diag d = { 0 };
	char *msg = NULL;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(test_file_put(dir, "usr/sbin/ganesha.nfsd", "", 0755), 0);
	root_set(dir);
	plan_init(&p, "fsal");
	assert_int_equal(setup_ceph_fsal(&p, &n, &s, &d), 0);
	assert_int_equal(p.n_steps, 1);
	struct plan_step *st = &p.steps[0];
	assert_non_null(strstr(st->title, "install nfs-ganesha-ceph (FSAL_CEPH is missing)"));
	assert_non_null(st->check);
	assert_int_equal(st->check(st, st->check_data, 1000, &msg), -ENOENT);
	assert_str(msg, "apt-get ran, but /usr/lib/ganesha/libganesha_rados_recov.so is still "
			"missing");
	free(msg);
	msg = NULL;
	assert_int_equal(test_file_put(dir, "usr/lib/ganesha/libganesha_rados_recov.so", "", 0644),
			 0);
	assert_int_equal(st->check(st, st->check_data, 1000, &msg), 0);
	assert_null(msg);
	plan_free(&p);
	/* There already: already right, no step. */
	plan_init(&p, "fsal");
	assert_int_equal(setup_ceph_fsal(&p, &n, &s, &d), 0);
	assert_int_equal(p.n_steps, 0);
	assert_int_equal(p.n_right, 1);
	plan_free(&p);
	root_set("/");
	test_dir_remove(dir);
}

/* The grace database step's judge, with a stand-in ganesha-rados-grace (the real one needs a
 * Ceph cluster: tests/ceph/gateway.sh) whose add always fails; its dump fails, lists no
 * gateway, or lists gw-a, by the files beside it. Each call logged. */
static char gdir[] = "/tmp/meshnfs-grace-judge.XXXXXX";

static void fake_grace(void)
{
	_cleanup_free_ char *text = xasprintf(
		"#!/bin/sh\n"
		"d=%s\n"
		"case \"$*\" in\n"
		"*' add '*) echo add >>$d/log; [ -e $d/add-makes-member ] && : >$d/member\n"
		"  echo 'add failed: (110) Connection timed out' >&2; exit 1;;\n"
		"*dump*) echo dump >>$d/log\n"
		"  if [ -e $d/dump-fails ]; then echo 'dump failed: (110) Connection timed out' >&2; exit 1; fi\n"
		"  printf 'cur=1 rec=0\\n======================================================\\n'\n"
		"  if [ -e $d/member ]; then printf 'gw-a\\t  \\n'; fi;;\n"
		"esac\n", gdir);
	assert_int_equal(test_file_put(gdir, "ganesha-rados-grace", text, 0755), 0);
}

static char *calls(void)
{
	_cleanup_free_ char *p = xasprintf("%s/log", gdir);
	char *s = NULL;
	size_t n;
	if (read_file_bounded(p, 4096, &s, &n) < 0)
		return xstrdup("");
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			s[i] = i + 1 < n ? ' ' : '\0';
	return s;
}

static void mark(const char *name, bool on)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", gdir, name);
	if (on)
		assert_int_equal(test_file_put(gdir, name, "", 0644), 0);
	else
		unlink(p);
}

/* The step's judge after a failed add that took ms of a 20 s deadline: its return (r_add
 * when it gives up), the calls it made, the result line. */
static int judge_add(int64_t ms, char **log, char **result)
{
	struct grace_judge j = { .cli = { "/etc/ceph/ceph.conf", "ganesha", "/etc/ceph/k", 20000 },
				 .w = { "nfs-ganesha", "grace" }, .nodeid = "gw-a" };
	struct plan p;

	mark("log", false);
	plan_init(&p, "server");
	struct plan_step *s = plan_add_run(&p, "setup.grace", 20000,
					   (const char *[]){ "ganesha-rados-grace", "add", "gw-a",
							     NULL });
	s->ms = ms;
	plan_step_set_result(s, CHECK_FAIL, "exited 1: add failed");
	int r = setup_ceph_judge_grace(s, &j, -EPROTO);
	*log = calls();
	*result = xstrdup(s->result);
	plan_free(&p);
	return r;
}

/* The retry rule (mutation run 6: setup_ceph.c:256's `m < 0 || ms >= timeout/2` -> `&&`
 * added again after a dump that failed, and only the Ceph lab reached this judge). */
static void grace_add_judged_by_its_effect(void **state)
{
	(void)state;
	_cleanup_free_ char *old_path = xstrdup(getenv("PATH"));
	_cleanup_free_ char *path = NULL;
	char *log, *result;

	assert_non_null(mkdtemp(gdir));
	path = xasprintf("%s:/usr/bin:/bin", gdir);
	setenv("PATH", path, 1);
	fake_grace();

	/* The add failed but did its work: a member now, done. */
	mark("member", true);
	assert_int_equal(judge_add(100, &log, &result), 0);
	assert_str(log, "dump");
	assert_str(result, "exited 1: add failed; yet gw-a is in the grace database now (a dump "
			   "says so): the add was done");
	free(log), free(result);
	mark("member", false);

	/* The dump fails too: nothing known, the add's failure stands; no second add. */
	mark("dump-fails", true);
	assert_int_equal(judge_add(100, &log, &result), -EPROTO);
	assert_str(log, "dump");
	free(log), free(result);
	mark("dump-fails", false);

	/* Not a member, and the add took half its deadline or more: no time for another. */
	assert_int_equal(judge_add(10000, &log, &result), -EPROTO);
	assert_str(log, "dump");
	free(log), free(result);

	/* Not a member, time left: the add once more, and its effect counts. */
	mark("add-makes-member", true);
	assert_int_equal(judge_add(100, &log, &result), 0);
	assert_str(log, "dump add dump");
	assert_str(result, "exited 1: add failed; once more: gw-a is in the grace database now "
			   "(a dump says so), although that add failed too");
	free(log), free(result);
	mark("add-makes-member", false);
	mark("member", false);

	/* Once more and still not a member: a failure saying so. */
	assert_int_equal(judge_add(100, &log, &result), -EPROTO);
	assert_str(log, "dump add dump");
	assert_str(result, "exited 1: add failed; once more: failed too, still not in the grace "
			   "database");
	free(log), free(result);

	setenv("PATH", old_path, 1);
	mark("log", false);
	mark("ganesha-rados-grace", false);
	assert_int_equal(rmdir(gdir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_failures),
		cmocka_unit_test(cluster_health_noted),
		cmocka_unit_test(fsal_install_checked),
		cmocka_unit_test(grace_add_judged_by_its_effect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
