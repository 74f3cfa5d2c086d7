/* SPDX-License-Identifier: MIT */
/* The plans of `setup client` and `setup server` judged on made-up nodes and files: the
 * fixture roots of tests/fixtures/roots (read only: building a plan reads, never writes) and
 * small roots made here for the edge cases. What is checked is what the user is shown: each
 * step's id, kind and command, what is already right, the notes, and the refusals. */
#include "core/test.h"
#include "setup/setup.h"

#include "core/root.h"
#include "core/test_files.h"
#include "mount/mount_fixture.h"
#include "net/gateway.h"
#include "setup/setup_private.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define ROOTS "tests/fixtures/roots/"

static char made[64]; /* the root made by mk_root, removed by rm_root */

static void put(const char *rel, const char *text, mode_t mode)
{
	assert_int_equal(test_file_put(made, rel, text, mode), 0);
}

static void mk_root(void)
{
	snprintf(made, sizeof(made), "/tmp/meshnfs-plan-XXXXXX");
	assert_non_null(mkdtemp(made));
	root_set(made);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void rm_root(void)
{
	root_set("/");
	nftw(made, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct node_info debian(bool systemd)
{
	return (struct node_info){ .kind = NODE_LINUX, .debian_like = true, .systemd = systemd,
				   .distro = (char *)"Debian GNU/Linux 12 (bookworm)" };
}

/* The steps' ids and kinds in order, as "id:kind id:kind"; the argv of a run step after '='. */
static char *steps(const struct plan *p)
{
	static const char *const kinds[] = { "write", "mkdir", "run", "signal" };
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		_cleanup_free_ char *cmd = s->kind == PLAN_RUN ? plan_argv_text(s->argv) : NULL;
		buf_printf(&b, "%s%s:%s%s%s", i ? " " : "", s->id, kinds[s->kind], cmd ? "=" : "",
			   cmd ? cmd : "");
	}
	return b.data;
}

/* The items of a list (right or notes) with this id, joined by " | ". */
static char *items(const struct plan_item *v, size_t n, const char *id)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].id, id))
			buf_printf(&b, "%s%s", b.len ? " | " : "", v[i].text);
	return b.data;
}

static const struct setup_client share = { .server = "100.64.0.1", .export_path = "/opt/shared",
					   .mountpoint = "/opt/shared",
					   .options = "_netdev,x-systemd.automount,x-systemd.idle-"
						      "timeout=600,soft,timeo=50,retrans=2",
					   .timeout_ms = 5000 };

static void client_fresh(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };

	root_set(ROOTS "client-fresh");
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), 0);
	_cleanup_free_ char *s = steps(&p);
	assert_str(s, "setup.packages:run=apt-get install -y --no-install-recommends nfs-common "
		      "setup.mountpoint:mkdir setup.fstab:write "
		      "setup.systemd:run=systemctl daemon-reload setup.mount:run=mount /opt/shared");
	assert_str(p.steps[2].title, "create /etc/fstab");
	assert_non_null(strstr(p.steps[2].diff, "+100.64.0.1:/opt/shared  /opt/shared  nfs4  "
						"_netdev,x-systemd.automount,"));
	assert_int_equal(p.steps[0].timeout_ms, SETUP_APT_TIMEOUT_MS);
	assert_int_equal(p.steps[4].timeout_ms, SETUP_MOUNT_TIMEOUT_MS);
	assert_int_equal(p.n_right, 0);
	assert_int_equal(p.n_notes, 0);
	plan_free(&p);
	root_set("/");
}

static void client_done(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };

	root_set(ROOTS "client-done");
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), 0);
	assert_int_equal(p.n_steps, 0);
	_cleanup_free_ char *pk = items(p.right, p.n_right, "setup.packages");
	_cleanup_free_ char *fs = items(p.right, p.n_right, "setup.fstab");
	_cleanup_free_ char *mp = items(p.right, p.n_right, "setup.mountpoint");
	_cleanup_free_ char *mo = items(p.right, p.n_right, "setup.mount");
	assert_str(pk, "mount.nfs4 is installed (nfs-common)");
	assert_true(startswith(fs, "/etc/fstab has the entry 100.64.0.1:/opt/shared /opt/shared "
				   "nfs4 _netdev,x-systemd.automount"));
	assert_str(mp, "/opt/shared exists (a mount point)");
	assert_str(mo, "/opt/shared is mounted from 100.64.0.1:/opt/shared (nfs4)"); /* under the automount */
	plan_free(&p);
	root_set("/");
}

/* WSL2 without systemd (though wsl.conf asks for it), mountFsTab on: the entry without
 * x-systemd.*, with bg; the notes say why and what WSL's own mount of fstab means. */
static void client_wsl2_no_systemd(void **state)
{
	(void)state;
	struct node_info n = debian(false);
	struct plan p;
	struct diag d = { 0 };

	n.kind = NODE_WSL2;
	n.is_wsl = true;
	n.wsl.conf_boot_systemd = SETTING_ON;
	n.wsl.conf_mount_fstab = SETTING_UNSET;
	root_set(ROOTS "client-wsl2-nosystemd");
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), 0);
	_cleanup_free_ char *s = steps(&p);
	assert_str(s, "setup.mountpoint:mkdir setup.fstab:write setup.mount:run=mount /opt/shared");
	assert_non_null(strstr(p.steps[1].diff, "+100.64.0.1:/opt/shared  /opt/shared  nfs4  "
						"_netdev,soft,timeo=50,retrans=2,bg  0  0"));
	assert_str(p.steps[1].title, "edit /etc/fstab (the previous version is kept as "
				     "/etc/fstab.meshnfs.bak)");
	_cleanup_free_ char *sd = items(p.notes, p.n_notes, "setup.systemd");
	assert_non_null(strstr(sd, "systemd is not running here ([boot] systemd=true is not in "
				   "effect in /etc/wsl.conf): x-systemd.* options would do nothing"));
	assert_non_null(strstr(sd, " | /etc/wsl.conf asks for systemd, but it is not running yet"));
	_cleanup_free_ char *wsl = items(p.notes, p.n_notes, "setup.wsl");
	assert_true(startswith(wsl, "WSL mounts /etc/fstab itself when the distro starts"));
	assert_non_null(strstr(wsl, "when 100.64.0.1 is unreachable then"));
	plan_free(&p);
	root_set("/");
}

/* Tailscale 1.98's online target: the entry waits for the mesh, and the step says why. */
static void client_mesh_order(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };

	n.ts_unit = NODE_TS_UNIT_ONLINE_TARGET;
	root_set(ROOTS "client-done");
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), 0);
	_cleanup_free_ char *s = steps(&p);
	assert_str(s, "setup.fstab:write setup.systemd:run=systemctl daemon-reload");
	assert_str(p.steps[0].title, "edit /etc/fstab (the previous version is kept as "
				     "/etc/fstab.meshnfs.bak); x-systemd.requires=tailscale-online."
				     "target: at boot the mount waits until `tailscale wait` sees "
				     "the mesh address (tailscale-online.target, Tailscale 1.98 on)");
	plan_free(&p);
	root_set("/");
}

static void client_refused(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };
	char msg[512];

	/* WSL1: no kernel, no NFS client. */
	n.kind = NODE_WSL1;
	root_set(ROOTS "client-fresh");
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), -ENOTSUP);
	diag_format(&d, msg, sizeof(msg));
	assert_non_null(strstr(msg, "wsl --set-version DISTRO 2"));
	plan_free(&p);

	/* Fedora without mount.nfs4: what to install, nothing planned. */
	n = debian(true);
	n.debian_like = false;
	n.distro = (char *)"Fedora Linux 40";
	root_set(ROOTS "client-fedora");
	plan_init(&p, "client");
	d = (struct diag){ 0 };
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), -ENOPKG);
	diag_format(&d, msg, sizeof(msg));
	assert_non_null(strstr(msg, "not a Debian-like system (Fedora Linux 40): install the NFS "
				    "client (nfs-utils on Fedora"));
	assert_int_equal(p.n_steps, 0);
	plan_free(&p);

	/* The mount point is a file. */
	mk_root();
	put("usr/sbin/mount.nfs4", "", 0755);
	put("opt/shared", "not a directory\n", 0644);
	n = debian(true);
	plan_init(&p, "client");
	d = (struct diag){ 0 };
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), -ENOTDIR);
	diag_format(&d, msg, sizeof(msg));
	assert_non_null(strstr(msg, "exists and is not a directory"));
	plan_free(&p);
	rm_root();
}

/* Mounted from elsewhere: meshnfs does not unmount what it did not mount. */
static void client_other_mount(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };

	mk_root();
	put("usr/sbin/mount.nfs4", "", 0755);
	put("opt/shared", NULL, 0755);
	put("proc/self/mountinfo", "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
				   "61 22 0:45 / /opt/shared rw,relatime shared:31 - nfs4 "
				   "100.64.0.9:/srv rw,vers=4.2,addr=100.64.0.9\n",
	    0644);
	plan_init(&p, "client");
	assert_int_equal(setup_client_plan(&share, 1, &n, &p, &d), 0);
	_cleanup_free_ char *s = steps(&p);
	assert_str(s, "setup.fstab:write setup.systemd:run=systemctl daemon-reload");
	_cleanup_free_ char *mo = items(p.notes, p.n_notes, "setup.mount");
	assert_str(mo, "/opt/shared is mounted from 100.64.0.9:/srv (nfs4), not from "
		       "100.64.0.1:/opt/shared: unmount it (`umount /opt/shared`) and run setup "
		       "again; meshnfs does not unmount what it did not mount");
	plan_free(&p);
	rm_root();
}

static struct cidr mesh;

static struct setup_server server_args(enum setup_backend b)
{
	assert_int_equal(cidr_parse("100.64.0.0/10", true, &mesh), 0);
	static const char *const one[] = { "/opt/shared" };
	return (struct setup_server){ .export_path = one[0], .exports = one, .n_exports = 1,
				      .clients = "100.64.0.0/10", .mesh = &mesh, .backend = b,
				      .timeout_ms = 5000 };
}

static void server_kernel_fresh(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct setup_server s = server_args(SETUP_KERNEL);
	struct plan p;
	struct diag d = { 0 };

	/* exportfs is there; /etc/exports has other exports, not this path. */
	root_set(ROOTS "server-kernel");
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	_cleanup_free_ char *st = steps(&p);
	assert_str(st, "setup.exports:mkdir setup.exports:write setup.export-dir:mkdir "
		       "setup.exportfs:run=exportfs -ra "
		       "setup.service:run=systemctl enable --now nfs-server");
	assert_str(p.steps[1].shown, SETUP_EXPORTS_DROPIN);
	if (!strstr(p.steps[1].diff, "100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)"))
		fail_msg("diff: %s", p.steps[1].diff);
	_cleanup_free_ char *pk = items(p.right, p.n_right, "setup.packages");
	assert_str(pk, "exportfs is installed (nfs-kernel-server)");
	_cleanup_free_ char *sec = items(p.notes, p.n_notes, "setup.security");
	assert_true(startswith(sec, "no_root_squash (the guide's choice)"));
	plan_free(&p);

	/* Root squashed, no systemd: no security note, the init script, and its caveat. */
	n.systemd = false;
	s.root_squash = true;
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	assert_int_equal(p.n_notes, 1);
	assert_str(p.notes[0].id, "setup.service");
	assert_true(startswith(p.notes[0].text, "systemd is not running: the NFS server is started "
						"now with its init script"));
	_cleanup_free_ char *st2 = steps(&p);
	assert_non_null(strstr(st2, "setup.service:run=service nfs-kernel-server start"));
	assert_non_null(strstr(p.steps[1].diff, "100.64.0.0/10(rw,sync,no_subtree_check,"
						"root_squash)"));
	plan_free(&p);
	root_set("/");
}

static void server_kernel_done(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct setup_server s = server_args(SETUP_KERNEL);
	struct plan p;
	struct diag d = { 0 };

	s.root_squash = true;
	root_set(ROOTS "server-kernel-done");
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	assert_int_equal(p.n_steps, 0);
	_cleanup_free_ char *ex = items(p.right, p.n_right, "setup.exports");
	_cleanup_free_ char *efs = items(p.right, p.n_right, "setup.exportfs");
	_cleanup_free_ char *sv = items(p.right, p.n_right, "setup.service");
	assert_str(ex, "/etc/exports.d/meshnfs.exports exports /opt/shared to 100.64.0.0/10(rw,sync,no_subtree_check,"
		       "root_squash)");
	assert_str(efs, "the kernel's export table has /opt/shared");
	assert_str(sv, "the NFS server is running and enabled");
	plan_free(&p);
	root_set("/");
}

/* The path already exported to the world as well: kept, and said. */
static void server_kernel_wider(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct setup_server s = server_args(SETUP_KERNEL);
	struct plan p;
	struct diag d = { 0 };

	mk_root();
	put("usr/sbin/exportfs", "", 0755);
	put("etc/exports", "/opt/shared 100.64.0.0/10(rw) *(ro)\n", 0644);
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	_cleanup_free_ char *ex = items(p.notes, p.n_notes, "setup.exports");
	_cleanup_free_ char *want = xasprintf("%s/etc/exports:1 also exports /opt/shared to '*' "
					      "(everyone, not inside the mesh): meshnfs leaves it; "
					      "remove it if it is not meant", made);
	assert_str(ex, want);
	assert_str(p.steps[0].id, "setup.exports");
	assert_str(p.steps[0].shown, "/etc/exports");
	plan_free(&p);

	/* An IPv4 network outside the mesh is said too, one inside is not (mutation run 7:
	 * `kind == IPV4 && cidr_within` made `||` took every IPv4 client for inside). */
	put("etc/exports", "/opt/shared 100.64.0.0/10(rw) 10.1.0.0/16(ro) 100.64.1.0/24(ro)\n", 0644);
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	_cleanup_free_ char *ex4 = items(p.notes, p.n_notes, "setup.exports");
	if (!ex4 || !strstr(ex4, "also exports /opt/shared to '10.1.0.0/16' (") ||
	    !strstr(ex4, "not inside the mesh") || strstr(ex4, "100.64.1.0/24"))
		fail_msg("%s", ex4 ? ex4 : "(no note)");
	plan_free(&p);
	rm_root();
}

static void server_refused(void **state)
{
	(void)state;
	struct node_info n = debian(true);
	struct setup_server s = server_args(SETUP_KERNEL);
	struct plan p;
	struct diag d;
	char msg[512];
	static const struct {
		const char *clients, *words;
		bool force;
		int rc;
	} cases[] = {
		{ "*", "--clients '*' exports to every host", false, -EDOM },
		{ "*", NULL, true, 0 },
		{ "10.0.0.0/8", "is not inside the mesh 100.64.0.0/10", false, -EDOM },
		{ "100.64.0.1/10", "has host bits set", false, -EDOM },
		{ "mesh", "is not an IPv4 or IPv6 CIDR range", false, -EDOM },
		{ "100.64.0.0/16", NULL, false, 0 },
	};

	root_set(ROOTS "server-kernel-done");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		s.clients = cases[i].clients;
		s.force = cases[i].force;
		d = (struct diag){ 0 };
		plan_init(&p, "server");
		assert_int_equal(setup_server_plan(&s, &n, &p, &d), cases[i].rc);
		if (cases[i].words) {
			diag_format(&d, msg, sizeof(msg));
			if (!strstr(msg, cases[i].words))
				fail_msg("--clients %s: \"%s\" lacks \"%s\"", cases[i].clients, msg,
					 cases[i].words);
		}
		plan_free(&p);
	}
	static const char *const relative[] = { "opt/shared" };
	s = server_args(SETUP_KERNEL);
	s.export_path = relative[0];
	s.exports = relative;
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), -EDOM);
	plan_free(&p);
	root_set("/");
}

static void server_ganesha(void **state)
{
	(void)state;
	struct node_info n = debian(false);
	struct setup_server s = server_args(SETUP_GANESHA);
	struct plan p;
	struct diag d = { 0 };

	/* ganesha.nfsd installed, nothing else, no systemd: it is started as a daemon. */
	root_set(ROOTS "server-ganesha");
	plan_init(&p, "server");
	s.root_squash = true;
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	_cleanup_free_ char *st = steps(&p);
	assert_str(st, "setup.ganesha:mkdir setup.ganesha:write setup.export-dir:mkdir "
		       "setup.service:mkdir setup.service:mkdir "
		       "setup.service:run=ganesha.nfsd -L /var/log/ganesha/ganesha.log -f "
		       "/etc/ganesha/ganesha.conf -p /run/ganesha/ganesha.pid -N NIV_EVENT");
	assert_non_null(strstr(p.steps[1].diff, "+" NODE_GANESHA_MARKER));
	assert_non_null(p.steps[5].check);
	assert_int_equal(p.n_notes, 1);
	assert_true(startswith(p.notes[0].text, "systemd is not running: ganesha.nfsd is started "
						"now as a daemon"));
	plan_free(&p);

	/* Someone else's ganesha.conf: refused without --force, replaced with it. */
	mk_root();
	put("usr/bin/ganesha.nfsd", "", 0755);
	put("etc/ganesha/ganesha.conf", "EXPORT { Export_Id = 7; Path = /srv; }\n", 0644);
	n.systemd = true;
	plan_init(&p, "server");
	d = (struct diag){ 0 };
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), -EEXIST);
	char msg[512];
	diag_format(&d, msg, sizeof(msg));
	assert_non_null(strstr(msg, "has a configuration meshnfs did not write: add --force"));
	plan_free(&p);
	s.force = true;
	plan_init(&p, "server");
	assert_int_equal(setup_server_plan(&s, &n, &p, &d), 0);
	_cleanup_free_ char *st2 = steps(&p);
	assert_str(st2, "setup.ganesha:write setup.export-dir:mkdir "
			"setup.service:run=systemctl enable --now nfs-ganesha");
	plan_free(&p);
	rm_root();
}

/* repair on the live system for a share with two gateways, mounted from the configuration (no
 * fstab entry): the mount is a FUSE mount of the test's own (build/tools/hangfs) in a private
 * mount namespace, with an empty /etc/fstab bound over the real one there; the gateways'
 * answers are watch's facts (gw1 refused, gw2 answers), so nothing is probed. Each plan's
 * steps as steps() gives them, and its repair.gateway items that are right. */
struct on_hangfs {
	char mp[PATH_MAX], ctl[PATH_MAX];
	char *steps, *chosen;
};

static int repair_on_hangfs(struct on_hangfs *h, const char *words, const char *asked)
{
	static const char *const gws[] = { "100.64.0.1", "100.64.0.2" };
	static const struct gateway_fact known[] = { { "100.64.0.1", true, PROBE_REFUSED },
						     { "100.64.0.2", true, PROBE_OK } };
	struct repair rp = { .server = "100.64.0.1", .export_path = "/opt/shared",
			     .mountpoint = h->mp, .options = "_netdev,soft,timeo=50,retrans=2",
			     .timeout_ms = 5000, .live = true, .gateways = gws, .n_gateways = 2,
			     .gateway = asked, .known = known, .share = "data" };
	struct node_info n = debian(true);
	struct plan p;
	struct diag d = { 0 };

	test_hangfs_control(h->ctl, words);
	plan_init(&p, "repair");
	int r = repair_plan(&rp, &n, &p, &d);
	free(h->steps);
	free(h->chosen);
	h->steps = steps(&p);
	h->chosen = items(p.right, p.n_right, "repair.gateway");
	plan_free(&p);
	return r;
}

/* Stale: the new mount is from the configuration through the gateway chosen (mutation run 8:
 * repair.c:512's `if (g.server)` negated mounted from the configured server, gw1; only the
 * lab's e2e/gateways.sh met it). Healthy, with --gateway asking for gw2: the plan that says it
 * moves the client moves it (from fstab that re-points the entry; here the mount itself). */
static void repair_mounted_from_config(void **state)
{
	char dir[] = "/tmp/meshnfs-repair-XXXXXX";
	char fstab[PATH_MAX];
	struct on_hangfs h = { 0 };
	int stale_rc = -1, moved_rc = -1;
	_cleanup_free_ char *stale = NULL, *stale_chosen = NULL;

	(void)state;
	if (unshare(CLONE_NEWNS) < 0)
		skip(); /* not root: no mount namespace, no FUSE mount of our own */
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(h.mp, sizeof(h.mp), "%s/mnt", dir);
	snprintf(h.ctl, sizeof(h.ctl), "%s/control", dir);
	snprintf(fstab, sizeof(fstab), "%s/fstab", dir);
	assert_int_equal(mkdir(h.mp, 0755), 0);
	assert_int_equal(test_file_put(dir, "fstab", "", 0644), 0);
	assert_int_equal(mount(fstab, "/etc/fstab", NULL, MS_BIND, NULL), 0);
	test_hangfs_control(h.ctl, "");
	pid_t fs = test_hangfs_start(h.ctl, h.mp, "10");
	bool mounted = test_hangfs_wait(h.mp);
	if (mounted) {
		stale_rc = repair_on_hangfs(&h, "getattr=estale", NULL);
		stale = h.steps;
		stale_chosen = h.chosen;
		h.steps = h.chosen = NULL;
		moved_rc = repair_on_hangfs(&h, "", "100.64.0.2");
	}
	_cleanup_free_ char *want = xasprintf("repair.umount:run=umount -l %s repair.mount:run=mount "
					      "-t nfs4 -o soft,timeo=50,retrans=2 "
					      "100.64.0.2:/opt/shared %s", h.mp, h.mp);

	test_hangfs_control(h.ctl, "");
	assert_int_equal(umount2("/etc/fstab", MNT_DETACH), 0);
	assert_int_equal(unlink(fstab), 0);
	test_hangfs_stop(fs, dir, h.mp, h.ctl);
	assert_true(mounted);
	assert_int_equal(stale_rc, 0);
	assert_non_null(strstr(stale_chosen, "moving the client to 100.64.0.2"));
	assert_str(stale, want);
	assert_int_equal(moved_rc, 0);
	assert_non_null(strstr(h.chosen, "100.64.0.2 was asked for and answers: moving the client "
					 "to 100.64.0.2"));
	assert_str(h.steps, want);
	free(h.steps);
	free(h.chosen);
}

/* The plan's title: one share with one server names it; a share with several gateways is
 * named by the share (the plan may move the client to another gateway: titled after the
 * configured server, a move to gw2 read "repair the mount of 100.64.0.1:..."). */
static void repair_titles(void **state)
{
	static const char *const gws[] = { "100.64.0.1", "100.64.0.2" };
	struct repair one = { .server = "100.64.0.1", .export_path = "/opt/shared",
			      .mountpoint = "/mnt/shared", .gateways = gws, .n_gateways = 1 };
	struct repair two = one, asked = one, many[2] = { one, one };
	struct plan p;

	(void)state;
	two.n_gateways = 2;
	two.share = "lab";
	asked.gateway = "100.64.0.1";
	repair_plan_init(&p, &one, 1);
	assert_str(p.title, "repair the mount of 100.64.0.1:/opt/shared on /mnt/shared");
	plan_free(&p);
	repair_plan_init(&p, &two, 1);
	assert_str(p.title, "repair the mount of share lab on /mnt/shared from one of its gateways");
	plan_free(&p);
	repair_plan_init(&p, &asked, 1);
	assert_str(p.title, "repair the mount of share default on /mnt/shared from one of its gateways");
	plan_free(&p);
	repair_plan_init(&p, many, 2);
	assert_str(p.title, "repair the mounts of 2 shares");
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_fresh),        cmocka_unit_test(client_done),
		cmocka_unit_test(repair_titles),
		cmocka_unit_test(client_wsl2_no_systemd), cmocka_unit_test(client_mesh_order),
		cmocka_unit_test(client_refused),      cmocka_unit_test(client_other_mount),
		cmocka_unit_test(server_kernel_fresh), cmocka_unit_test(server_kernel_done),
		cmocka_unit_test(server_kernel_wider), cmocka_unit_test(server_refused),
		cmocka_unit_test(server_ganesha),      cmocka_unit_test(repair_mounted_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
