/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "mount/mountinfo.h"

#include <errno.h>

/* In the kernel's format (show_mountinfo, nfs_show_options); see tests/fixtures/README.md. */
static const char automount[] =
	"26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"98 26 0:45 / /opt/shared rw,relatime shared:52 - autofs systemd-1 rw,fd=47,pgrp=1,"
	"timeout=600,minproto=5,maxproto=5,direct,pipe_ino=17325\n"
	"412 98 0:59 / /opt/shared rw,relatime shared:220 - nfs4 100.64.0.1:/opt/shared rw,"
	"vers=4.2,rsize=1048576,wsize=1048576,namlen=255,soft,proto=tcp,timeo=150,retrans=2,"
	"sec=sys,clientaddr=100.64.0.3,local_lock=none,addr=100.64.0.1\n"
	"500 26 0:60 / /opt/shared2 rw,relatime - tmpfs tmpfs rw\n";

static void split_sources(void **state)
{
	(void)state;
	char *h = NULL, *p = NULL;

	assert_int_equal(mount_source_split("100.64.0.1:/opt/shared", &h, &p), 0);
	assert_str(h, "100.64.0.1");
	assert_str(p, "/opt/shared");
	free(h);
	free(p);
	assert_int_equal(mount_source_split("sfspark1.mesh:/", &h, &p), 0);
	assert_str(h, "sfspark1.mesh");
	assert_str(p, "/");
	free(h);
	free(p);
	assert_int_equal(mount_source_split("[fd7a:115c::1]:/opt/shared", &h, &p), 0);
	assert_str(h, "fd7a:115c::1");
	assert_str(p, "/opt/shared");
	free(h);
	free(p);
	static const char *const bad[] = { "systemd-1", "tmpfs", "/dev/sda1", ":/x", "host:x",
					   "a/b:/x", "[::1]/x", "[::1", "ho st:/x", "", "host:" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(mount_source_split(bad[i], &h, &p), -EINVAL);
}

static void stack_at_mount_point(void **state)
{
	(void)state;
	struct mount_stack s;
	struct diag d = { 0 };

	assert_int_equal(mountinfo_parse("mi", automount, sizeof(automount) - 1, "/opt/shared/", &s,
					 &d),
			 0);
	assert_int_equal(s.n, 2); /* /opt/shared2 is another mount point */
	const struct mount_entry *top = mount_stack_top(&s);
	assert_non_null(top);
	assert_str(top->fstype, "nfs4");
	assert_str(top->server, "100.64.0.1");
	assert_str(top->export_path, "/opt/shared");
	assert_str(top->clientaddr, "100.64.0.3");
	assert_str(top->addr, "100.64.0.1");
	assert_str(top->vers, "4.2");
	assert_false(top->read_only);
	assert_int_equal(top->parent_id, 98);
	assert_non_null(mount_stack_find_type(&s, "autofs"));
	assert_null(mount_stack_find_type(&s, "nfs"));
	assert_false(s.bad_line);
	mount_stack_free(&s);
}

static void top_by_parent_not_order(void **state)
{
	(void)state;
	/* The covering mount listed first: the parent ids decide. */
	static const char t[] =
		"412 98 0:59 / /mnt rw - nfs4 100.64.0.1:/x rw,vers=4.2,clientaddr=100.64.0.3\n"
		"98 26 0:45 / /mnt rw - autofs systemd-1 rw,fd=47\n";
	struct mount_stack s;

	assert_int_equal(mountinfo_parse("mi", t, sizeof(t) - 1, "/mnt", &s, NULL), 0);
	assert_str(mount_stack_top(&s)->fstype, "nfs4");
	mount_stack_free(&s);
}

static void escapes_and_ro(void **state)
{
	(void)state;
	static const char t[] = "77 26 0:59 / /opt/my\\040share ro,relatime - nfs4 "
				"100.64.0.1:/opt/my\\040share ro,vers=4.1,clientaddr=100.64.0.9\n";
	struct mount_stack s;

	assert_int_equal(mountinfo_parse("mi", t, sizeof(t) - 1, "/opt/my share", &s, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_str(s.entries[0].export_path, "/opt/my share");
	assert_true(s.entries[0].read_only);
	mount_stack_free(&s);
}

static void bad_input(void **state)
{
	(void)state;
	struct mount_stack s;
	struct diag d = { 0 };
	static const char fstab[] = "/dev/sda1 / ext4 defaults 0 1\n";
	static const char badline[] = "26 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
				      "garbage here\n"
				      "27 26 0:59 / /opt/shared rw - nfs4 h:/e rw\n";

	assert_int_equal(mountinfo_parse("f", fstab, sizeof(fstab) - 1, "/", &s, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "not in /proc/self/mountinfo format"));
	assert_int_equal(mountinfo_parse("f", "a\0b", 3, "/", &s, &d), -EBADMSG);
	assert_int_equal(mountinfo_parse("f", "", 0, "/", &s, &d), 0);
	assert_int_equal(s.n, 0);
	assert_null(mount_stack_top(&s));

	assert_int_equal(mountinfo_parse("f", badline, sizeof(badline) - 1, "/opt/shared", &s, &d),
			 0);
	assert_true(s.bad_line);
	assert_int_equal(s.bad.line, 2);
	assert_int_equal(s.n, 1);
	mount_stack_free(&s);
}

static void read_missing_file(void **state)
{
	(void)state;
	struct mount_stack s;
	assert_int_equal(mountinfo_read("/nonexistent/mountinfo", "/", &s, NULL), -ENOENT);
}

static void read_live_table(void **state)
{
	(void)state;
	struct mount_stack s;
	/* The live table always has a root mount. */
	assert_int_equal(mountinfo_read("/proc/self/mountinfo", "/", &s, NULL), 0);
	assert_true(s.n >= 1);
	mount_stack_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_sources),
		cmocka_unit_test(stack_at_mount_point), cmocka_unit_test(top_by_parent_not_order),
		cmocka_unit_test(escapes_and_ro),	 cmocka_unit_test(bad_input),
		cmocka_unit_test(read_missing_file),	 cmocka_unit_test(read_live_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
