/* SPDX-License-Identifier: MIT */
/* ceph.client's check against a libcephfs that answers and then hangs in ceph_shutdown
 * (build/test/cephfs_hang.so, a stand-in for that one fault; see tests/lib/cephfs_hang.c). A
 * test binary of its own: the stand-in must be the process's libcephfs.so.2 before anything
 * loads the real one. */
#include "core/test.h"
#include "node/ceph_cli.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child answered "ok dir" and then hung closing its session: the check returns its answer
 * once the deadline is past, and the child is killed and reaped, none left (mutation run 5's
 * ceph_cli.c:281, the kill of a child past its deadline dropped: the check waited for the
 * child forever, here until alarm's SIGALRM ended the test). */
static void shutdown_hang_is_killed(void **state)
{
	struct ceph_cli c = { "/nonexistent/meshnfs/ceph.conf", "ganesha", "/nonexistent/k", 1500 };
	struct ceph_client cl;
	struct ceph_run run;
	(void)state;

	alarm(60); /* a hang guard, far past the 1.5 s deadline: the mutant's failure */
	assert_int_equal(ceph_cli_client(&c, "cephfs", "/", &cl, &run), 0);
	alarm(0);
	assert_int_equal(cl.result, CEPH_CLIENT_OK);
	assert_true(run.ms >= 1000); /* given at least a second to end by itself */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* ceph_init failed (the stand-in's, for a configuration path holding "init-fails"): the
 * failure is named at step init with its errno. Mutation run 10's open ceph_cli.c:195 (init
 * skipped when all went well) mounted without it and said ok: with a real cluster libcephfs's
 * ceph_mount initialises by itself, so only a failing init tells the two apart. */
static void init_failure_is_named(void **state)
{
	struct ceph_cli c = { "/nonexistent/init-fails/ceph.conf", "ganesha", "/nonexistent/k",
			      1500 };
	struct ceph_client cl;
	struct ceph_run run;
	(void)state;

	alarm(60);
	assert_int_equal(ceph_cli_client(&c, "cephfs", "/", &cl, &run), 0);
	alarm(0);
	assert_int_equal(cl.result, CEPH_CLIENT_FAILED);
	assert_string_equal(cl.step, "init");
	assert_int_equal(cl.err, ENOENT);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	char self[PATH_MAX], so[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 1;
	self[n] = '\0';
	/* build/test/node/ceph_hang_test -> build/test/cephfs_hang.so */
	snprintf(so, sizeof(so), "%s/cephfs_hang.so", dirname(dirname(self)));
	if (!dlopen(so, RTLD_NOW | RTLD_GLOBAL)) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shutdown_hang_is_killed),
		cmocka_unit_test(init_failure_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
