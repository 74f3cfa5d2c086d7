/* SPDX-License-Identifier: MIT */
/* status's Ceph health line: asked once per run in a thread (status_ceph_start), through a
 * stand-in `ceph` on PATH that replays a recorded `ceph status --format json`. */
#include "core/test.h"
#include "core/test_files.h"
#include "status/status.h"

#include <dirent.h>
#include <errno.h>

/* A stand-in `ceph` running script in a new directory dir (on PATH, the old PATH in
 * *old_path), its ceph.conf and key file, and cfg asking it (backend ceph). */
static void stand_in(char *dir, const char *script, char **old_path, struct config *cfg)
{
	assert_non_null(mkdtemp(dir));
	*old_path = xstrdup(getenv("PATH"));
	assert_int_equal(test_file_put(dir, "ceph", script, 0755), 0);
	assert_int_equal(test_file_put(dir, "ceph.conf", "[global]\n", 0644), 0);
	assert_int_equal(test_file_put(dir, "key", "[client.ganesha]\n", 0600), 0);
	_cleanup_free_ char *path = xasprintf("%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);

	*cfg = (struct config){ 0 };
	config_defaults(cfg);
	free(cfg->backend);
	cfg->backend = xstrdup("ceph");
	free(cfg->ceph_conf);
	cfg->ceph_conf = xasprintf("%s/ceph.conf", dir);
	free(cfg->ceph_keyring);
	cfg->ceph_keyring = xasprintf("%s/key", dir);
}

static void stand_in_remove(const char *dir, const char *old_path, struct config *cfg)
{
	config_free(cfg);
	setenv("PATH", old_path, 1);
	test_dir_remove(dir);
}

/* The line from a recorded healthy cluster, and everything of the answer freed (mutation run
 * 6: status_ceph_free's ceph_status_free dropped leaked the parsed status; LeakSanitizer fails
 * this test then). */
static void health_line_and_free(void **state)
{
	char dir[] = "/tmp/meshnfs-status-ceph.XXXXXX", cwd[512];
	_cleanup_free_ char *old_path = NULL;
	struct config cfg;
	struct status_ceph c;
	(void)state;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	_cleanup_free_ char *fake = xasprintf("#!/bin/sh\nexec cat '%s/tests/fixtures/ceph/status-ok.json'\n", cwd);
	stand_in(dir, fake, &old_path, &cfg);
	status_ceph_start(&c, &cfg, 20000);
	status_ceph_wait(&c);
	assert_true(c.asked);
	_cleanup_free_ char *line = status_ceph_line(&c);
	assert_non_null(line);
	if (!strstr(line, "Ceph cluster fed9eff8-fe96-4730-a39b-33514b7ceb03: "))
		fail_msg("%s", line);
	status_ceph_free(&c);
	stand_in_remove(dir, old_path, &cfg);
}

/* Threads of this process. */
static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* status_ceph_free waits for the thread that asks the cluster: after it no thread is left
 * (mutation run 6: status_ceph_free without its status_ceph_wait freed the keyring and the
 * status while `ceph status` still ran in the thread, which used and wrote them later). The
 * stand-in answers nothing after 3 s (room for a loaded machine between the start and the
 * count): the thread's lifetime is tested, not the cluster. */
static void free_waits_for_the_thread(void **state)
{
	char dir[] = "/tmp/meshnfs-status-ceph.XXXXXX";
	_cleanup_free_ char *old_path = NULL;
	struct config cfg;
	struct status_ceph c;
	(void)state;

	stand_in(dir, "#!/bin/sh\nexec sleep 3\n", &old_path, &cfg);
	int before = threads();
	status_ceph_start(&c, &cfg, 30000);
	assert_str(c.why, "");
	assert_true(c.asked);
	assert_int_equal(threads(), before + 1);
	status_ceph_free(&c);
	int after = threads();
	if (after != before)
		pthread_join(c.thread, NULL); /* a failure reported, not a hang at exit */
	assert_int_equal(after, before);
	stand_in_remove(dir, old_path, &cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(health_line_and_free),
		cmocka_unit_test(free_waits_for_the_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
