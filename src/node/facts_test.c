/* SPDX-License-Identifier: MIT */
/* node_detect_facts and node_have_program under a root of the test's own (--root: nothing
 * outside it is read). The tailscaled process found by /proc/PID/comm, and none at all when
 * the root has no /proc (a copied machine's files). Mutation run 3: find_tailscaled's
 * `return 0` for a root without /proc turned into -EIO passed every test; doctor then named
 * "pid -5" as running. */
#include "core/test.h"
#include "node/host.h"
#include "node/node_private.h"

#include "config/config.h"
#include "core/root.h"
#include "core/test_files.h"

#include <sys/stat.h>

static char dir[64];

/* A new scratch root in dir, for each test. */
static void fresh_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/meshnfs-facts-test.XXXXXX");
	assert_true(test_dir_make(dir));
}

static void put(const char *rel, const char *text)
{
	assert_int_equal(test_file_put(dir, rel, text, 0644), 0);
}

static pid_t tailscaled_under_root(void)
{
	struct config c = { 0 };
	struct node_info n = { 0 };

	config_defaults(&c);
	root_set(dir);
	node_detect_facts(&n, &c);
	root_set("/");
	pid_t pid = n.tailscaled_pid;
	node_info_free(&n);
	config_free(&c);
	return pid;
}

static void tailscaled_by_comm(void **state)
{
	(void)state;
	fresh_dir();
	_cleanup_free_ char *proc = xasprintf("%s/proc", dir);
	_cleanup_free_ char *p1 = xasprintf("%s/proc/1", dir), *p2 = xasprintf("%s/proc/4242", dir);

	assert_int_equal(tailscaled_under_root(), 0); /* no /proc under the root */
	assert_int_equal(mkdir(proc, 0755), 0);
	assert_int_equal(mkdir(p1, 0755), 0);
	assert_int_equal(mkdir(p2, 0755), 0);
	put("proc/1/comm", "systemd\n");
	put("proc/4242/comm", "tailscaled\n");
	assert_int_equal(tailscaled_under_root(), 4242);

	test_dir_remove(p1);
	test_dir_remove(p2);
	test_dir_remove(proc);
	test_dir_remove(dir);
}

/* /etc/hostname: a good name is taken; one with a blank or a slash is not a host name (a
 * warning names the file), and /proc's name is not read in its place under a root without
 * /proc. Mutation run 3: read_hostname's `*line && strlen(line) <= 253 && ...` turned into
 * `*line || ...` took any non-empty line as the host name. */
static char *hostname_under_root(const char *line, size_t *n_warnings)
{
	struct config c = { 0 };
	struct node_info n = { 0 };

	put("etc/hostname", line);
	config_defaults(&c);
	root_set(dir);
	node_detect_facts(&n, &c);
	root_set("/");
	char *h = n.hostname ? xstrdup(n.hostname) : NULL;
	*n_warnings = n.n_warnings;
	node_info_free(&n);
	config_free(&c);
	return h;
}

static void hostname_from_etc(void **state)
{
	size_t nw;
	(void)state;
	fresh_dir();
	_cleanup_free_ char *etc = xasprintf("%s/etc", dir);
	assert_int_equal(mkdir(etc, 0755), 0);

	_cleanup_free_ char *good = hostname_under_root("office-one\n", &nw);
	assert_str(good, "office-one");
	assert_int_equal(nw, 0);
	_cleanup_free_ char *blank = hostname_under_root("office one\n", &nw);
	assert_null(blank);
	assert_int_equal(nw, 1);
	_cleanup_free_ char *slash = hostname_under_root("a/b\n", &nw);
	assert_null(slash);

	test_dir_remove(etc);
	test_dir_remove(dir);
}

/* node_have_program under the root: an executable regular file in a program directory, not
 * a file without x bits nor a directory (mutation run 3: host.c:21's `== 0 && S_ISREG &&
 * x` turned into `== 0 || ...` took any entry for a program, and passed). */
static void program_is_an_executable_file(void **state)
{
	(void)state;
	fresh_dir();
	_cleanup_free_ char *usr = xasprintf("%s/usr", dir), *bin = xasprintf("%s/usr/bin", dir);
	_cleanup_free_ char *sub = xasprintf("%s/usr/bin/exportfs", dir);
	_cleanup_free_ char *x = xasprintf("%s/usr/bin/mount.nfs", dir);
	assert_int_equal(mkdir(usr, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0); /* a directory of that name */
	put("usr/bin/ganesha.nfsd", "not executable\n");
	put("usr/bin/mount.nfs", "#!/bin/sh\n");
	assert_int_equal(chmod(x, 0755), 0);

	root_set(dir);
	bool have_x = node_have_program("mount.nfs");
	bool have_plain = node_have_program("ganesha.nfsd");
	bool have_dir = node_have_program("exportfs");
	bool have_none = node_have_program("tailscale");
	root_set("/");
	assert_true(have_x);
	assert_false(have_plain);
	assert_false(have_dir);
	assert_false(have_none);

	rmdir(sub);
	test_dir_remove(bin);
	test_dir_remove(usr);
	test_dir_remove(dir);
}

/* The node's IPv6 mesh addresses from the root's /proc/net/if_inet6: usable addresses inside
 * the tailnet's range, not a tentative one nor one outside it. Sixteen lines, the parser's
 * first allocation exactly, so that a read past the last (mutation run 10: facts.c's
 * `i < r` made `<=` survived) is out of bounds for ASan. */
static void mesh_addresses6_from_proc(void **state)
{
	struct buf b = { 0 };
	struct config c = { 0 };
	struct node_info n = { 0 };

	(void)state;
	fresh_dir();
	for (int i = 1; i <= 14; i++)
		buf_printf(&b, "fd7a115ca1e0000000000000000000%02x 05 80 00 80 tailscale0\n", i);
	buf_printf(&b, "fd7a115ca1e0000000000000000000ff 05 80 00 c0 tailscale0\n"); /* tentative */
	buf_printf(&b, "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n");
	put("proc/net/if_inet6", b.data);
	buf_free(&b);
	config_defaults(&c);
	root_set(dir);
	node_detect_facts(&n, &c);
	root_set("/");
	assert_true(n.addrs6_known);
	assert_int_equal(n.n_addrs6, 14);
	for (size_t i = 0; i < n.n_addrs6; i++) {
		assert_int_equal(n.addrs6[i].family, AF_INET6);
		assert_int_equal(n.addrs6[i].v6[15], (int)i + 1);
	}
	node_info_free(&n);
	/* An empty file (no IPv6 here): known, none, and no warning. */
	put("proc/net/if_inet6", "");
	n = (struct node_info){ 0 };
	root_set(dir);
	node_detect_facts(&n, &c);
	root_set("/");
	assert_true(n.addrs6_known);
	assert_int_equal(n.n_addrs6, 0);
	assert_int_equal(n.n_warnings, 0);
	node_info_free(&n);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tailscaled_by_comm),
		cmocka_unit_test(hostname_from_etc),
		cmocka_unit_test(program_is_an_executable_file),
		cmocka_unit_test(mesh_addresses6_from_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
