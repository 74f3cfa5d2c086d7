/* SPDX-License-Identifier: MIT */
#include "config/config.h"
#include "config/config_private.h"
#include "core/test.h"

#include <errno.h>
#include <sys/stat.h>

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
		   "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=50,retrans=2");
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
		{ "[server]\naddress = 100.64.0.1;rm\n", "address: \"100.64.0.1;rm\" is not an IP address or host name" },
		{ "[server]\nexport = /opt/../etc\n", "export: \"/opt/../etc\" is not an absolute path" },
		{ "[client]\nmountpoint = /\n", "mountpoint: \"/\" is the root directory: the share needs a mount point of its own" },
		{ "[client]\noptions = soft,,hard\n", "options: invalid mount options \"soft,,hard\"" },
		{ "[client]\noptions = soft timeo=1\n", "options: invalid mount options \"soft timeo=1\"" },
		{ "[mesh]\nrange = 10.0.0.0/40\n", "range: \"10.0.0.0/40\" is not an IPv4 CIDR range" },
		{ "address = 1.2.3.4\n", "key \"address\" outside of a section" },
		{ "[server]\nport = 2049\n", "unknown key \"port\" in [server]" },
		{ "[headscale]\nurl = http://hs.example.com\n", "url: \"http://hs.example.com\" is not an https:// URL without credentials, query or fragment (the API key must not travel in clear text)" },
		{ "[headscale]\nurl = https://admin:pw@hs.example.com\n", "url: \"https://admin:pw@hs.example.com\" is not an https:// URL without credentials, query or fragment (the API key must not travel in clear text)" },
		{ "[headscale]\napi_key = short\n", "api_key: not a key (8 to 512 printable characters, no spaces)" },
		{ "[headscale]\nca_file = certs/ca.pem\n", "ca_file: \"certs/ca.pem\" is not an absolute path" },
		{ "[fleet]\nsessions = 0\n", "sessions: \"0\" is not a number in 1..64" },
		{ "[fleet]\nconnect_timeout = 5s\n", "connect_timeout: \"5s\" is not a number in 1..120" },
		{ "[fleet]\nmeshnfs = meshnfs;reboot\n", "meshnfs: \"meshnfs;reboot\" is not a program name or absolute path" },
		{ "[fleet]\nuser = Root User\n", "user: \"Root User\" is not a user name" },
		{ "[nodes]\nsfspark1 = 100.64.0.1 sever\n", "nodes: sfspark1: \"sever\" is not an address, a role (server, client, windows, wsl2) or os=NAME" },
		{ "[nodes]\nsfspark1 = 100.64.0.256\n", "nodes: sfspark1: \"100.64.0.256\" is not an address, a role (server, client, windows, wsl2) or os=NAME" },
		/* a colon is not enough for IPv6 (mutation run 9: config.c:270, && -> ||, survived) */
		{ "[nodes]\nsfspark1 = fd7a:115c:a1e0:::1\n", "nodes: sfspark1: \"fd7a:115c:a1e0:::1\" is not an address, a role (server, client, windows, wsl2) or os=NAME" },
		{ "[nodes]\na = server client\n", "nodes: a: two roles (\"server\" and \"client\")" },
		{ "[nodes]\na = 100.64.0.1\nA = 100.64.0.2\n", "nodes: \"A\" listed twice (line 2)" },
		{ "[nodes]\n-a = 100.64.0.1\n", "nodes: \"-a\" is not a node name" },
		{ "[nodes]\na = \"\"\n", "nodes: a: empty: give an address, a role or os=NAME" },
		/* the last one won silently */
		{ "[server]\naddress = 100.64.0.1\n\n[client]\n[server]\nADDRESS = 100.64.0.9\n",
		  "address given twice in [server] (first on line 2)" },
		{ "[fleet]\nsessions = 4\nsessions = 4\n", "sessions given twice in [fleet] (first on line 2)" },
		/* range6 and the Ceph names (range6_and_ceph_names has good ones) */
		{ "[mesh]\nrange6 = fd7a:115c:a1e0::\n", "range6: \"fd7a:115c:a1e0::\" is not an IPv6 CIDR range" },
		{ "[mesh]\nrange6 = 10.0.0.0/8\n", "range6: \"10.0.0.0/8\" is not an IPv6 CIDR range" },
		{ "[mesh]\nrange6 = fd7a:115c:a1e0::1/48\n",
		  "range6: \"fd7a:115c:a1e0::1/48\" has host bits set (did you mean the network address?)" },
		{ "[ceph]\nuser = client admin\n",
		  "user: \"client admin\" is not a Ceph name (letters, digits, '.', '_', '-'; at most 64)" },
		{ "[ceph]\nfs = a/b\n", "fs: \"a/b\" is not a Ceph name (letters, digits, '.', '_', '-'; at most 64)" },
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

static void mesh_sections(void **state)
{
	(void)state;
	const char *s = "[headscale]\nurl = https://hs.example.com:8443/\napi_key_file = /etc/meshnfs/hs.key\n"
			"ca_file = /etc/meshnfs/ca.pem\n[fleet]\nssh_config = /etc/meshnfs/ssh_config\n"
			"identity = /root/.ssh/id_mesh\nuser = root\nsessions = 16\nconnect_timeout = 3\n"
			"meshnfs = /usr/local/sbin/meshnfs\n[nodes]\nsfspark1 = 100.64.0.1,fd7a:115c:a1e0::1 server os=linux\n"
			"office-one = 100.64.0.4 windows\noffice-one-wsl = wsl2\n";
	struct config c = { 0 };
	struct diag d = { 0 };

	config_defaults(&c);
	assert_int_equal(c.fleet_sessions, 8);
	assert_int_equal(c.fleet_connect_timeout, 5);
	assert_null(c.hs_url);
	if (config_parse("f", s, strlen(s), &c, &d) < 0)
		fail_msg("%s:%u: %s", d.file, d.line, d.msg);
	assert_str(c.hs_url, "https://hs.example.com:8443/");
	assert_str(c.hs_api_key_file, "/etc/meshnfs/hs.key");
	assert_str(c.hs_ca_file, "/etc/meshnfs/ca.pem");
	assert_str(c.fleet_ssh_config, "/etc/meshnfs/ssh_config");
	assert_str(c.fleet_identity, "/root/.ssh/id_mesh");
	assert_str(c.fleet_user, "root");
	assert_str(c.fleet_meshnfs, "/usr/local/sbin/meshnfs");
	assert_int_equal(c.fleet_sessions, 16);
	assert_int_equal(c.fleet_connect_timeout, 3);
	assert_int_equal(c.n_nodes, 3);
	assert_str(c.nodes[0].name, "sfspark1");
	assert_int_equal(c.nodes[0].n_addrs, 2);
	assert_str(c.nodes[0].addrs[1], "fd7a:115c:a1e0::1");
	assert_str(c.nodes[0].role, "server");
	assert_str(c.nodes[0].os, "linux");
	assert_int_equal(c.nodes[0].line, 13);
	assert_str(c.nodes[1].role, "windows");
	assert_int_equal(c.nodes[2].n_addrs, 0);
	assert_str(c.nodes[2].role, "wsl2");
	config_free(&c);
}

static void api_key_file_mode(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-conf.XXXXXX";
	struct config c = { 0 };
	struct diag d = { 0 };

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *p = xasprintf("%s/meshnfs.conf", dir);
	FILE *f = fopen(p, "w");
	fputs("[headscale]\nurl = https://hs.example.com\napi_key = hskey-api-0123456789\n", f);
	fclose(f);
	chmod(p, 0644);
	assert_int_equal(config_load(p, &c, &d), -EBADMSG);
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.msg, "api_key in a file readable by others (mode 0644)"));
	config_free(&c);
	chmod(p, 0600);
	assert_int_equal(config_load(p, &c, &d), 0);
	assert_str(c.hs_api_key, "hskey-api-0123456789");
	config_free(&c);
	unlink(p);
	rmdir(dir);
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
	/* Headscale's URL: at most 1024 bytes (mutation run 13: config.c:135's `n > 1024` ->
	 * `>=` refused a URL of exactly 1024 and survived). */
	char url[1100] = "https://hs.example.com/";
	memset(url + strlen(url), 'a', 1024 - strlen(url));
	url[1024] = '\0';
	assert_int_equal(config_check_https_url(url), 0);
	strcat(url, "a");
	assert_int_equal(config_check_https_url(url), -EINVAL);

	/* The command line's check is the file's, with the same words. */
	char err[600];
	assert_int_equal(config_check_value("client", "mountpoint", "/mnt/share", err, sizeof(err)), 0);
	assert_int_equal(config_check_value("server", "export", "/", err, sizeof(err)), 0);
	assert_int_equal(config_check_value("client", "mountpoint", "/", err, sizeof(err)), -EINVAL);
	assert_str(err, "\"/\" is the root directory: the share needs a mount point of its own");
	assert_int_equal(config_check_value("server", "address", "100.64.0", err, sizeof(err)), -EINVAL);
	assert_str(err, "\"100.64.0\" is not an IP address or host name");
	assert_int_equal(config_check_value("client", "options", "soft,,hard", err, sizeof(err)), -EINVAL);
	assert_str(err, "invalid mount options \"soft,,hard\"");
	assert_int_equal(config_check_value("fleet", "sessions", "65", err, sizeof(err)), -EINVAL);
	assert_str(err, "\"65\" is not a number in 1..64");
	assert_int_equal(config_check_value("server", "port", "2049", err, sizeof(err)), -EINVAL);
}

static void watch_section(void **state)
{
	(void)state;
	const char *s = "[watch]\ninterval = 1\ndetach_after = 60\ntextfile = /var/lib/node\n"
			"listen = 9842\n";
	struct config c = { 0 };
	struct diag d = { 0 };
	uint32_t a;
	uint16_t port;

	config_defaults(&c);
	assert_int_equal(c.watch_interval, 10);
	assert_int_equal(c.watch_detach_after, 0); /* off by default */
	assert_int_equal(config_parse("f", s, strlen(s), &c, &d), 0);
	assert_int_equal(c.watch_interval, 1);
	assert_int_equal(c.watch_detach_after, 60);
	assert_str(c.watch_textfile, "/var/lib/node");
	assert_str(c.watch_listen, "9842");
	config_free(&c);

	/* Loopback unless told otherwise. */
	assert_int_equal(config_parse_listen("9842", &a, &port), 0);
	assert_int_equal(a, 0x7f000001);
	assert_int_equal(port, 9842);
	assert_int_equal(config_parse_listen(":80", &a, &port), 0);
	assert_int_equal(a, 0x7f000001);
	assert_int_equal(config_parse_listen("100.64.0.3:9100", &a, &port), 0);
	assert_int_equal(a, 0x64400003);
	assert_int_equal(port, 9100);
	assert_int_equal(config_parse_listen("0.0.0.0:1", &a, &port), 0);
	assert_int_equal(a, 0);
	static const char *const bad[] = { "", ":", "0", "65536", "http", "1.2.3:80", "host:80",
					   "1.2.3.4:", "1.2.3.4:80x", "-1", "1.2.3.4.5.6.7.8.9:80" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(config_parse_listen(bad[i], NULL, NULL), -EINVAL);

	const char *b = "[watch]\ninterval = 0\n";
	config_defaults(&c);
	assert_int_equal(config_parse("f", b, strlen(b), &c, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	assert_non_null(strstr(d.msg, "interval: \"0\" is not a number in 1..86400"));
	const char *b2 = "[watch]\nlisten = 127.0.0.1:http\n";
	assert_int_equal(config_parse("f", b2, strlen(b2), &c, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "is not [ADDRESS:]PORT"));
	config_free(&c);
}

static void shares(void **state)
{
	(void)state;
	const char *s = "[share models]\nservers = 100.64.0.1, gw2.mesh\nexport = /srv/models\n"
			"mountpoint = /mnt/models\n[share data]\nexport = /srv/data\n"
			"[client]\noptions = soft\n";
	struct config c = { 0 };
	struct config_share sh;
	struct config_view v;

	config_defaults(&c);
	assert_int_equal(config_n_shares(&c), 1); /* no file: the guide's share */
	assert_int_equal(config_parse("f", s, strlen(s), &c, NULL), 0);
	/* [client] is given: the default share stays, first. */
	assert_int_equal(config_n_shares(&c), 3);
	config_share_get(&c, 0, &sh);
	assert_str(sh.name, "default");
	assert_str(sh.servers[0], "100.64.0.1");
	assert_int_equal(sh.n_servers, 1);
	config_share_get(&c, 1, &sh);
	assert_str(sh.name, "models");
	assert_int_equal(sh.n_servers, 2);
	assert_str(sh.servers[1], "gw2.mesh");
	assert_str(sh.options, "soft"); /* [client] options, given after the share */
	assert_int_equal(sh.line, 1);
	config_share_get(&c, 2, &sh);
	assert_str(sh.mountpoint, "/srv/data"); /* defaults to the export */
	assert_str(sh.servers[0], "100.64.0.1"); /* defaults to [server] address */
	assert_int_equal(config_share_find(&c, "DATA"), 2);
	assert_int_equal(config_share_find(&c, "nope"), -ENOENT);
	config_view(&c, 1, 1, &v);
	assert_str(v.cfg.server, "gw2.mesh");
	assert_str(v.cfg.mountpoint, "/mnt/models");
	assert_ptr_equal(v.cfg.share, &v.share);
	assert_ptr_equal(v.cfg.nodes, c.nodes);
	config_free(&c);

	/* Focus on one share: its values become the configuration's. */
	config_defaults(&c);
	assert_int_equal(config_parse("f", s, strlen(s), &c, NULL), 0);
	assert_int_equal(config_focus_share(&c, "nope"), -ENOENT);
	assert_int_equal(config_focus_share(&c, "models"), 0);
	assert_str(c.server, "100.64.0.1");
	assert_str(c.export_path, "/srv/models");
	assert_str(c.mountpoint, "/mnt/models");
	assert_str(c.mount_options, "soft");
	config_free(&c);

	/* Only named shares: no default share; the first one is the focus. */
	const char *only = "[share a]\nservers = gw1, gw2\nexport = /srv/a\n";
	config_defaults(&c);
	assert_int_equal(config_parse("f", only, strlen(only), &c, NULL), 0);
	assert_int_equal(config_n_shares(&c), 1);
	config_share_get(&c, 0, &sh);
	assert_str(sh.name, "a");
	assert_int_equal(config_share_find(&c, "default"), -ENOENT);
	assert_int_equal(config_focus_share(&c, NULL), 0);
	assert_str(c.server, "gw1");
	assert_str(c.mountpoint, "/srv/a");
	config_free(&c);
}

static void bad_shares(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ "[share a]\nserver = 100.64.0.2\n", 1, "[share a] has no export: give export = PATH" },
		{ "[share a]\nexport = /x\n[share b]\nexport = /y\nmountpoint = /x/\n", 5,
		  "mount point /x/ used twice: [share b] and [share a]" },
		{ "[client]\nmountpoint = /m\n[share a]\nexport = /x\nmountpoint = /m\n", 5,
		  "mount point /m used twice: [share a] and the default share" },
		{ "[server]\naddress = gw1\n[share a]\nservers = gw2, gw1\nexport = /opt/shared\nmountpoint = /a\n", 5,
		  "export gw2:/opt/shared used twice: [share a] and the default share" },
		{ "[share default]\nexport = /x\n", 1, "\"default\" is not a share name" },
		{ "[share]\nexport = /x\n", 1, "\"\" is not a share name" },
		{ "[share a;b]\nexport = /x\n", 1, "invalid section name" },
		{ "[share a]\nexport = /x\n[share A]\nexport = /y\n", 3, "[share A] given twice (first on line 1)" },
		{ "[share a]\nservers = gw1,,gw2\nexport = /x\n", 2, "servers: \"gw1,,gw2\" is not an IP address or host name" },
		{ "[share a]\nservers = gw1, GW1\nexport = /x\n", 2, "servers: \"GW1\" listed twice" },
		{ "[share a]\nservers = a,b,c,d,e,f,g,h,i\nexport = /x\n", 2, "servers: more than 8 gateways" },
		{ "[share a]\nserver = gw1\nservers = gw2\nexport = /x\n", 3, "server given twice in [share a] (first on line 2)" },
		{ "[share a]\nexport = /x\nport = 1\n", 3, "unknown key \"port\" in [share a]" },
		{ "[share a]\nexport = x\n", 2, "export: \"x\" is not an absolute path" },
		{ "[share a]\nexport = /x\nmountpoint = /\n", 3, "mountpoint: \"/\" is the root directory" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config c = { 0 };
		struct diag d = { 0 };
		config_defaults(&c);
		int r = config_parse("f", cases[i].text, strlen(cases[i].text), &c, &d);
		if (r != -EBADMSG || d.line != cases[i].line || !strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: r=%d line %u: %s", i, r, d.line, d.msg);
		config_free(&c);
	}
}

/* [mesh] range6 and the [ceph] names: a good value is taken, a bad one named. (Mutation run
 * 4: config.c:651's IPv6 range check negated refused every good range6, and :689's
 * check_name(value) < 0 made <= 0 refused every good Ceph name: no test parsed either.)
 * Bad ones are in bad_values. */
static void range6_and_ceph_names(void **state)
{
	(void)state;
	const char *s = "[mesh]\nrange6 = fd7a:115c:a1e0::/48\n[ceph]\nuser = nfs.ganesha-1\n"
			"fs = cephfs\npool = nfs-ganesha\nnamespace = ganesha_ns\nnodeid = a\n";
	struct config c = { 0 };
	struct diag d = { 0 };
	char buf[64];

	config_defaults(&c);
	if (config_parse("f", s, strlen(s), &c, &d) < 0)
		fail_msg("%s:%u: %s", d.file, d.line, d.msg);
	cidr6_format(&c.mesh6, buf, sizeof(buf));
	assert_str(buf, "fd7a:115c:a1e0::/48");
	assert_str(c.ceph_user, "nfs.ganesha-1");
	assert_str(c.ceph_fs, "cephfs");
	assert_str(c.ceph_pool, "nfs-ganesha");
	assert_str(c.ceph_namespace, "ganesha_ns");
	assert_str(c.ceph_nodeid, "a");
	config_free(&c);

	/* ".nfs", the pool `ceph nfs cluster create` makes (Ceph's mgr_module.py NFS_POOL_NAME),
	 * is a name; "." and ".." are not. */
	static const char *const dotted[] = { ".nfs", ".", ".." };
	for (size_t i = 0; i < 3; i++) {
		struct config b = { 0 };
		char t[64];
		snprintf(t, sizeof(t), "[ceph]\npool = %s\n", dotted[i]);
		config_defaults(&b);
		assert_int_equal(config_parse("f", t, strlen(t), &b, &d), i == 0 ? 0 : -EBADMSG);
		if (i == 0)
			assert_str(b.ceph_pool, ".nfs");
		config_free(&b);
	}

	/* At most 64 characters (mutation run 5: check_name's `n > 64` made `>= 64` refused 64). */
	char name[70], text[128];
	for (size_t n = 64; n <= 65; n++) {
		struct config b = { 0 };
		memset(name, 'n', n);
		name[n] = '\0';
		snprintf(text, sizeof(text), "[ceph]\nfs = %s\n", name);
		config_defaults(&b);
		assert_int_equal(config_parse("f", text, strlen(text), &b, &d), n == 64 ? 0 : -EBADMSG);
		if (n == 64)
			assert_str(b.ceph_fs, name);
		config_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_the_guides),
		cmocka_unit_test(file_overrides),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(validators),
		cmocka_unit_test(mesh_sections),
		cmocka_unit_test(api_key_file_mode),
		cmocka_unit_test(watch_section),
		cmocka_unit_test(shares),
		cmocka_unit_test(bad_shares),
		cmocka_unit_test(range6_and_ceph_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
