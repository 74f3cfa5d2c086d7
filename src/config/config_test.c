/* SPDX-License-Identifier: MIT */
#include "config/config.h"
#include "core/test.h"

#include <errno.h>

static void defaults_are_the_guides(void **state)
{
	(void)state;
	struct config c = { 0 };
	char buf[32];

	config_defaults(&c);
	assert_str(c.server, "100.64.0.1");
	assert_str(c.export_path, "/opt/shared");
	assert_str(c.mountpoint, "/opt/shared");
	assert_str(c.mount_options,
		   "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150");
	cidr_format(&c.mesh, buf, sizeof(buf));
	assert_str(buf, "100.64.0.0/10");
	assert_null(c.source);
	config_free(&c);
}

static void file_overrides(void **state)
{
	(void)state;
	const char *s = "# meshnfs\n[server]\naddress = sfspark1.mesh.example\nexport = /srv/share\n"
			"[client]\nmountpoint = \"/mnt/mesh share\"\noptions = soft,timeo=100,retrans=2\n";
	struct config c = { 0 };

	config_defaults(&c);
	assert_int_equal(config_parse("f", s, strlen(s), &c, NULL), 0);
	assert_str(c.server, "sfspark1.mesh.example");
	assert_str(c.export_path, "/srv/share");
	assert_str(c.mountpoint, "/mnt/mesh share");
	assert_str(c.mount_options, "soft,timeo=100,retrans=2");
	config_free(&c);
}

static void bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[server]\naddress = 100.64.0.1;rm\n", "address: \"100.64.0.1;rm\" is not an IPv4 address or host name" },
		{ "[server]\nexport = /opt/../etc\n", "export: \"/opt/../etc\" is not an absolute path" },
		{ "[client]\noptions = soft,,hard\n", "options: invalid mount options \"soft,,hard\"" },
		{ "[client]\noptions = soft timeo=1\n", "options: invalid mount options \"soft timeo=1\"" },
		{ "[mesh]\nrange = 10.0.0.0/40\n", "range: \"10.0.0.0/40\" is not an IPv4 CIDR range" },
		{ "address = 1.2.3.4\n", "key \"address\" outside of a section" },
		{ "[server]\nport = 2049\n", "unknown key \"port\" in [server]" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config c = { 0 };
		struct diag d = { 0 };
		config_defaults(&c);
		assert_int_equal(config_parse("m.conf", cases[i].text, strlen(cases[i].text), &c, &d),
				 -EBADMSG);
		assert_str(d.msg, cases[i].msg);
		assert_str(d.file, "m.conf");
		assert_true(d.line >= 1);
		config_free(&c);
	}
}

static void validators(void **state)
{
	(void)state;
	assert_int_equal(config_check_host("100.64.0.1"), 0);
	assert_int_equal(config_check_host("sfspark1"), 0);
	assert_int_equal(config_check_host("1.2.3.4.5"), -EINVAL);
	assert_int_equal(config_check_host("-x"), -EINVAL);
	assert_int_equal(config_check_host(""), -EINVAL);
	assert_int_equal(config_check_abs_path("/"), 0);
	assert_int_equal(config_check_abs_path("/a/..b"), 0);
	assert_int_equal(config_check_abs_path("/a/.."), -EINVAL);
	assert_int_equal(config_check_abs_path("/a\nb"), -EINVAL);
	assert_int_equal(config_check_mount_options("_netdev,x-systemd.idle-timeout=600"), 0);
	assert_int_equal(config_check_mount_options(""), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_the_guides),
		cmocka_unit_test(file_overrides),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(validators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
