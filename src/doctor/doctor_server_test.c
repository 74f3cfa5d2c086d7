/* SPDX-License-Identifier: MIT */
/* The server judge (exports.security, server.listening, server.service, server.clients) on
 * what doctor_judges_test.c does not make: 'insecure', the blank before '(options)', a range
 * wider than the mesh, IPv6, exports files that cannot be read or parsed, ganesha.conf
 * written by someone else or open to everyone, an IPv6 listener, a node with exports and no
 * server running. Made-up facts in, checks out. */
#include "doctor/doctor_fixture.h"

#include "node/host.h"

#include <errno.h>

/* The first check with this id whose summary holds words (fails the test when none). */
static const struct check *with(const struct fx *x, const char *id, const char *words)
{
	for (size_t i = 0; i < x->r.n_checks; i++)
		if (streq(x->r.checks[i].id, id) && strstr(x->r.checks[i].summary, words))
			return &x->r.checks[i];
	fail_msg("no check %s saying \"%s\"", id, words);
	return NULL;
}

static void exports_findings(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports",
		   "/opt/shared 100.64.0.0/10(rw,root_squash,insecure)\n"
		   "/srv/a 100.64.0.5 (rw,root_squash)\n"
		   "/srv/b 10.0.0.0/8(rw,root_squash) fd7a:115c:a1e0::/48(rw,root_squash) "
		   "2001:db8::/32(rw,root_squash)\n"
		   "/srv/c @trusted(rw,root_squash)\n");
	fx_listen(&x, "100.64.0.1", 2049);
	x.f.server.nfsd_threads = 8;
	doctor_judge_server(&x.f, &x.r);

	c = with(&x, "exports.security", "with 'insecure'");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/etc/exports:1: /opt/shared is exported to 100.64.0.0/10 with "
			       "'insecure'");
	assert_str(c->fix, "remove 'insecure' at /etc/exports:1, then: sudo exportfs -ra");
	/* The blank: 100.64.0.5 with the defaults, everyone with the options. */
	c = with(&x, "exports.security", "/srv/a is exported to everyone");
	assert_str(c->detail, "The blank between '100.64.0.5' and its '(options)' makes two "
			      "clients: 100.64.0.5 with the defaults, and everyone with the options.");
	assert_str(c->fix, "at /etc/exports:2 export to the mesh only: 100.64.0.0/10(...)");
	c = with(&x, "exports.security", "10.0.0.0/8");
	assert_str(c->summary, "/etc/exports:3: /srv/b is exported to 10.0.0.0/8, wider than the "
			       "mesh 100.64.0.0/10");
	/* The tailnet's IPv6 range is the mesh; another IPv6 range is not. */
	assert_int_equal(fx_count(&x, "exports.security", CHECK_WARN, "fd7a:"), 0);
	c = with(&x, "exports.security", "2001:db8::/32");
	assert_str(c->summary, "/etc/exports:3: /srv/b is exported to 2001:db8::/32, outside the "
			       "mesh range 100.64.0.0/10");
	assert_str(c->fix, "at /etc/exports:3 export to the mesh range 100.64.0.0/10 (or its IPv6 "
			   "range fd7a:115c:a1e0::/48)");
	c = with(&x, "exports.security", "@trusted");
	assert_non_null(strstr(c->detail, "netgroup"));
	assert_int_equal(fx_count(&x, "exports.security", CHECK_OK, ""), 0);
	assert_int_equal(fx_count(&x, "exports.security", CHECK_WARN, ""), 5);
	fx_free(&x);
}

/* Files that cannot be read or parsed: failures, and nothing more about them. */
static void exports_unreadable(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw,root_squash\n");
	fx_exports(&x, "/etc/exports.d/a.exports", NULL);
	x.f.server.exports[1].read_rc = -EACCES;
	fx_exports(&x, "/etc/exports.d/gone.exports", NULL);
	x.f.server.exports[2].read_rc = -ENOENT; /* removed between listing and reading */
	x.f.server.list_rc = -EACCES;
	snprintf(x.f.server.list_msg, sizeof(x.f.server.list_msg), "/etc/exports.d: Permission denied");
	x.f.server.nfsd_threads = 2;
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(fx_count(&x, "exports.security", CHECK_FAIL, ""), 3);
	assert_str(x.r.checks[0].summary, "/etc/exports.d: Permission denied");
	c = with(&x, "exports.security", "/etc/exports:1");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->detail, "exportfs refuses the file too: nothing in it is exported.");
	assert_str(c->fix, "correct that line, then: sudo exportfs -ra");
	c = with(&x, "exports.security", "/etc/exports.d/a.exports: cannot read: ");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_int_equal(fx_count(&x, "exports.security", CHECK_FAIL, "gone"), 0);
	fx_free(&x);
}

static void ganesha(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Someone else's ganesha.conf with an EXPORT block: named, not audited; ganesha is the
	 * server, so nothing running means starting ganesha. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ganesha(&x, "# EXPORT { in a comment }\nEXPORT\n{\n\tPath = /x;\n}\n");
	doctor_judge_server(&x.f, &x.r);
	c = report_find(&x.r, "exports.security");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "/etc/ganesha/ganesha.conf was not written by meshnfs: not audited");
	fx_free(&x);

	/* Debian's stock file: its EXPORT only in comments, nothing exported, not a server. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ganesha(&x, "#EXPORT\n#{\n#\tExport_Id = 12345;\n#}\nNFS_CORE_PARAM {}\n");
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);

	/* meshnfs's own, open to everyone, root squashed, nothing running. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ganesha(&x, NODE_GANESHA_MARKER "\nEXPORT {\n\tSquash = "
					  "Root_Squash;\n\tClients = *;\n}\n");
	fx_listen(&x, "100.64.0.1", 2049);
	doctor_judge_server(&x.f, &x.r);
	c = report_find(&x.r, "exports.security");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/etc/ganesha/ganesha.conf: the export is open to *, not only the "
			       "mesh 100.64.0.0/10");
	assert_str(c->fix, "sudo meshnfs setup server --backend ganesha --clients 100.64.0.0/10");
	c = report_find(&x.r, "server.service");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "no NFS server runs on this node");
	assert_str(c->fix, "sudo systemctl enable --now nfs-ganesha");
	x.node.systemd = false;
	c = fx_judge(&x, doctor_judge_server, "server.service");
	assert_str(c->fix, "sudo meshnfs setup server --backend ganesha");
	fx_free(&x);
}

static void listening(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;
	struct listeners *l;

	/* ganesha only, listening on every IPv6 address and on the tailnet's IPv6 address. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ganesha(&x, NODE_GANESHA_MARKER "\nEXPORT {\n\tSquash = "
					  "Root_Squash;\n\tClients = 100.64.0.0/10;\n}\n");
	x.f.server.ganesha_pid = 99;
	l = &x.f.server.listeners;
	l->v = xcalloc(2, sizeof(*l->v));
	l->n = 2;
	l->v[0] = (struct listener){ .family = AF_INET6, .port = 2049 };
	l->v[1] = (struct listener){ .family = AF_INET6, .port = 2049 };
	assert_int_equal(inet_pton(AF_INET6, "fd7a:115c:a1e0::1", l->v[1].addr), 1);
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(fx_count(&x, "exports.security", CHECK_WARN, "NFS listens on "), 1);
	c = with(&x, "exports.security", "NFS listens on ");
	assert_non_null(strstr(c->summary, ":2049: every address, not only the mesh"));
	assert_true(startswith(c->fix, "listen on the mesh address only: NFS_CORE_PARAM { "
				       "Bind_addr = <mesh address>; }"));
	assert_str(report_find(&x.r, "server.service")->summary, "nfs-ganesha runs (pid 99)");
	fx_free(&x);
}

/* Exports written, nothing bound to 2049: a failure whose fix starts the server. Mutation run
 * 3: the fix dropped (doctor_server.c's "nothing listens" branch) passed every test. */
static void nothing_listens(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw,root_squash)\n");
	x.f.server.nfsd_threads = 8;
	c = fx_judge(&x, doctor_judge_server, "server.listening");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "nothing listens on TCP port 2049");
	assert_non_null(c->detail);
	assert_str(c->fix, "start the NFS server (see server.service)");
	fx_free(&x);
}

static void clients(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* /proc/fs/nfsd/clients cannot be listed: a skip naming why. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw,root_squash)\n");
	x.f.server.nfsd_threads = 8;
	x.f.server.clients_rc = -EACCES;
	c = fx_judge(&x, doctor_judge_server, "server.clients");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_true(startswith(c->summary, "cannot list /proc/fs/nfsd/clients: "));
	/* None connected, no [nodes]: ok, with how to name the expected ones. */
	x.f.server.clients_rc = 0;
	x.f.server.clients_dir = true;
	c = fx_judge(&x, doctor_judge_server, "server.clients");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "0 NFSv4 client(s)");
	assert_true(startswith(c->detail, "Give the nodes that mount the share the role client"));
	/* All well otherwise. */
	assert_str(report_find(&x.r, "exports.security")->summary,
		   "exports reach the mesh only, root is squashed, secure ports, NFS listens on mesh "
		   "addresses only");
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exports_findings), cmocka_unit_test(exports_unreadable),
		cmocka_unit_test(ganesha),          cmocka_unit_test(listening),
		cmocka_unit_test(nothing_listens),
		cmocka_unit_test(clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
