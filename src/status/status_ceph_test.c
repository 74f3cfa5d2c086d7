/* SPDX-License-Identifier: MIT */
/* status's Ceph health line: asked once per run in a thread (status_ceph_start), through a
 * stand-in `ceph` on PATH that replays a recorded `ceph status --format json`. */
#include "core/test.h"
#include "core/test_files.h"
#include "status/status.h"

#include <errno.h>

/* The line from a recorded healthy cluster, and everything of the answer freed (mutation run
 * 6: status_ceph_free's ceph_status_free dropped leaked the parsed status; LeakSanitizer fails
 * this test then). */
static void health_line_and_free(void **state)
{
	char dir[] = "/tmp/meshnfs-status-ceph.XXXXXX", cwd[512];
	_cleanup_free_ char *old_path = xstrdup(getenv("PATH"));
	struct config cfg;
	struct status_ceph c;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	_cleanup_free_ char *fake = xasprintf("#!/bin/sh\nexec cat '%s/tests/fixtures/ceph/status-ok.json'\n", cwd);
	assert_int_equal(test_file_put(dir, "ceph", fake, 0755), 0);
	assert_int_equal(test_file_put(dir, "ceph.conf", "[global]\n", 0644), 0);
	assert_int_equal(test_file_put(dir, "key", "[client.ganesha]\n", 0600), 0);
	_cleanup_free_ char *path = xasprintf("%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);

	config_defaults(&cfg);
	free(cfg.backend);
	cfg.backend = xstrdup("ceph");
	free(cfg.ceph_conf);
	cfg.ceph_conf = xasprintf("%s/ceph.conf", dir);
	free(cfg.ceph_keyring);
	cfg.ceph_keyring = xasprintf("%s/key", dir);
	status_ceph_start(&c, &cfg, 20000);
	status_ceph_wait(&c);
	assert_true(c.asked);
	_cleanup_free_ char *line = status_ceph_line(&c);
	assert_non_null(line);
	if (!strstr(line, "Ceph cluster fed9eff8-fe96-4730-a39b-33514b7ceb03: "))
		fail_msg("%s", line);
	status_ceph_free(&c);
	config_free(&cfg);

	setenv("PATH", old_path, 1);
	test_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(health_line_and_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
