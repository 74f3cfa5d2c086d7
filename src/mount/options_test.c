/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "mount/options.h"

static const char guide[] = "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150";

static size_t diff(const char *configured, const char *vfs, const char *fs, char ***lines)
{
	struct mount_entry e = { .vfs_options = (char *)vfs, .fs_options = (char *)fs };
	return mount_options_diff(configured, &e, lines);
}

static void kernel_options(void **state)
{
	(void)state;
	char *k = mount_options_kernel(guide);
	assert_str(k, "soft,timeo=150");
	free(k);
	k = mount_options_kernel("_netdev,bg,retry=2,nofail,noauto,vers=4.2,ro");
	assert_str(k, "vers=4.2,ro");
	free(k);
	k = mount_options_kernel("");
	assert_str(k, "");
	free(k);
}

static void guide_mount_matches(void **state)
{
	(void)state;
	char **l;
	assert_int_equal(diff(guide, "rw,relatime",
			      "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,soft,proto=tcp,"
			      "timeo=150,retrans=2,sec=sys,clientaddr=100.64.0.3,local_lock=none",
			      &l),
			 0);
	assert_null(l);
}

static void hard_mount_differs(void **state)
{
	(void)state;
	char **l;
	size_t n = diff(guide, "rw,relatime", "rw,vers=4.2,hard,proto=tcp,timeo=600,retrans=2", &l);
	assert_int_equal(n, 2);
	assert_str(l[0], "soft: missing (the mount is hard)");
	assert_str(l[1], "timeo=150: the mount has timeo=600");
	mount_options_lines_free(l, n);
}

static void versions_and_flags(void **state)
{
	(void)state;
	char **l;
	size_t n;

	/* vers=4 lets the kernel pick the minor version; nfsvers is vers. */
	assert_int_equal(diff("vers=4,nfsvers=4.2", "rw", "rw,vers=4.2", &l), 0);
	n = diff("nfsvers=4.1", "rw", "rw,vers=4.2", &l);
	assert_int_equal(n, 1);
	assert_str(l[0], "nfsvers=4.1: the mount has vers=4.2");
	mount_options_lines_free(l, n);

	n = diff("hard,noexec,ac,rw,tcp", "ro,nosuid", "ro,soft,noac,proto=udp", &l);
	assert_int_equal(n, 5);
	assert_str(l[0], "hard: the mount is soft");
	assert_str(l[1], "noexec: not set on the mount");
	assert_str(l[2], "ac: the mount has noac");
	assert_str(l[3], "rw: the mount is ro");
	assert_str(l[4], "tcp: the mount has proto=udp");
	mount_options_lines_free(l, n);

	/* Flags the kernel never lists either way are not compared. */
	assert_int_equal(diff("exec,suid,lookupcache=all", "rw", "rw", &l), 0);
	assert_true(mount_options_has("rw,soft,timeo=150", "soft"));
	assert_false(mount_options_has("rw,softerr", "soft"));
}

/* Options the kernel lists only among the per-mount (VFS) options, or in a form other than the
 * configured one: each source counts, equivalent forms match, and a real difference in either
 * source is still seen. (Every case above has the option in the filesystem's list, so a diff
 * that read only fs_options, or compared proto= by exact text, passed them all.) */
static void per_mount_and_equivalent_forms(void **state)
{
	(void)state;
	char **l;
	size_t n;

	/* noexec, nosuid, nodev, ro: the VFS lists them, the filesystem does not. */
	assert_int_equal(diff("noexec,nosuid,nodev,ro", "ro,nosuid,nodev,noexec,relatime",
			      "rw,vers=4.2,soft", &l), 0);
	n = diff("noexec,nosuid", "rw,nosuid,relatime", "rw,vers=4.2", &l);
	assert_int_equal(n, 1);
	assert_str(l[0], "noexec: not set on the mount");
	mount_options_lines_free(l, n);
	/* rw configured, ro in the per-mount options only. */
	n = diff("rw", "ro,relatime", "rw,vers=4.2", &l);
	assert_int_equal(n, 1);
	assert_str(l[0], "rw: the mount is ro");
	mount_options_lines_free(l, n);
	/* tcp is proto=tcp, and over IPv6 the kernel says proto=tcp6: the same transport. */
	assert_int_equal(diff("tcp", "rw", "rw,vers=4.2,proto=tcp6,timeo=150", &l), 0);
	assert_int_equal(diff("udp", "rw", "rw,vers=3,proto=udp6", &l), 0);
	n = diff("tcp", "rw", "rw,vers=3,proto=udp6", &l);
	assert_int_equal(n, 1);
	assert_str(l[0], "tcp: the mount has proto=udp6");
	mount_options_lines_free(l, n);
	/* nfsvers= configured, vers= listed; soft given as softerr counts as soft. */
	assert_int_equal(diff("nfsvers=4,soft", "rw", "rw,vers=4.1,softerr", &l), 0);
}

/* bounds_text(OPTS, has, lacks): mount_options_bounds(OPTS) holds every string of has (NULL
 * ended) and none of lacks. */
static void bounds_text(const char *opts, const char *const *has_all, const char *const *lacks)
{
	char *t = mount_options_bounds(opts);
	for (; *has_all; has_all++)
		if (!strstr(t, *has_all))
			fail_msg("%s: no \"%s\" in: %s", opts, *has_all, t);
	for (; lacks && *lacks; lacks++)
		if (strstr(t, *lacks))
			fail_msg("%s: \"%s\" in: %s", opts, *lacks, t);
	free(t);
}

#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void bounds(void **state)
{
	(void)state;
	const char *const hung = "is NOT bounded by any mount option";
	/* hard: nothing bounded, the hung server named. */
	bounds_text("rw,vers=4.2,hard,proto=tcp,timeo=600,retrans=2",
		    S("hard: no fault is bounded", "hung server whose kernel still accepts TCP", hung),
		    NULL);
	/* The guide's: the connection is given up after 15 x 3 = 45 s; EIO. */
	bounds_text("rw,vers=4.2,soft,proto=tcp,timeo=150,retrans=2,sec=sys",
		    S("soft,timeo=150,retrans=2 bounds a broken connection only",
		      "after about 45.0 s without an acknowledgement", "soft calls then fail with EIO",
		      "the guide's soft,timeo=150 in 91.8 s and 49.5 s", hung),
		    S("is short", "But with"));
	/* softerr: ETIMEDOUT, bounded less; a tiny timeo is called short. */
	bounds_text("softerr,timeo=10,retrans=1",
		    S("softerr,timeo=10,retrans=1 bounds", "after about 2.0 s",
		      "softerr calls then fail with ETIMEDOUT",
		      "But with softerr the same faults were bounded less",
		      "2.0 s is short: a stall of the mesh path", hung),
		    NULL);
	/* softreval on soft: the same warning, EIO. */
	bounds_text("soft,softreval,timeo=50,retrans=2",
		    S("soft calls then fail with EIO", "But with softreval", "after about 15.0 s"),
		    S("is short"));
	/* No timeo/retrans listed (or garbage): nfs(5)'s TCP defaults, 60 s x 3. */
	bounds_text("soft,timeo=x1", S("soft,timeo=600,retrans=2", "after about 180.0 s"), NULL);
	bounds_text(NULL, S("hard: no fault is bounded"), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_options),
		cmocka_unit_test(guide_mount_matches),
		cmocka_unit_test(hard_mount_differs),
		cmocka_unit_test(versions_and_flags),
		cmocka_unit_test(per_mount_and_equivalent_forms),
		cmocka_unit_test(bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
