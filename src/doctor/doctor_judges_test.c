/* SPDX-License-Identifier: MIT */
/* Every doctor judge on made-up facts: node, mount (each health state), client, server, wsl,
 * wsl.ports, mesh. The facts are what the gatherers would have found; the checks are the
 * words users read (ids and statuses are a contract). */
#include "doctor/doctor_fixture.h"

#include "node/host.h"

#include <errno.h>

static struct listener *one(const struct listener *l)
{
	struct listener *v = xmalloc(sizeof(*v));
	*v = *l;
	return v;
}

static const char guide_line[] = "100.64.0.1:/opt/shared  /opt/shared  nfs4  "
				 "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,"
				 "timeo=50,retrans=2  0  0\n";

static void node_kind(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;
	char *warn = (char *)"/etc/wsl.conf:3: no '=' in the line";

	fx_init(&x, NODE_WSL1, NULL);
	x.node.kind_reason = (char *)"kernel 4.4.0-19041-Microsoft";
	c = fx_judge(&x, doctor_judge_node, "node.kind");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->fix, "wsl --set-version <distro> 2"));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	x.node.distro = (char *)"Debian GNU/Linux 12 (bookworm)";
	x.node.kind_reason = (char *)"no WSL marks";
	x.node.warnings = &warn;
	x.node.n_warnings = 1;
	c = fx_judge(&x, doctor_judge_node, "node.kind");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "native Linux, Debian GNU/Linux 12 (bookworm)");
	c = report_find(&x.r, "node.input");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, warn);
	fx_free(&x);
}

static enum check_status st(struct fx *x, const char *id)
{
	const struct check *c = report_find(&x->r, id);
	if (!c)
		fail_msg("no check %s", id);
	return c->status;
}

static void mount_states(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* The server itself: nothing to mount. */
	fx_init(&x, NODE_LINUX, NULL);
	x.f.is_server = true;
	c = fx_judge(&x, doctor_judge_mount, "mount.present");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_int_equal(x.r.n_checks, 4);
	assert_non_null(strstr(c->summary, "it exports, it does not mount"));
	fx_free(&x);

	/* Nothing mounted. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	c = fx_judge(&x, doctor_judge_mount, "mount.present");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "nothing is mounted at /opt/shared");
	assert_true(startswith(c->fix, "mount /opt/shared   (from its fstab entry"));
	assert_int_equal(st(&x, "mount.responsive"), CHECK_SKIP);
	fx_free(&x);

	/* mount.point: nothing mounted, the mount point missing, there, or a file. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	x.f.mount.point_rc = -ENOENT;
	c = fx_judge(&x, doctor_judge_mountpoint, "mount.point");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/opt/shared does not exist (the guide's step 2)");
	assert_str(c->fix, "sudo mkdir -p /opt/shared");
	x.f.mount.point_rc = 0;
	assert_int_equal(fx_judge(&x, doctor_judge_mountpoint, "mount.point")->status, CHECK_OK);
	x.f.mount.point_rc = -ENOTDIR;
	assert_int_equal(fx_judge(&x, doctor_judge_mountpoint, "mount.point")->status, CHECK_FAIL);
	fx_free(&x);
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	doctor_judge_mountpoint(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0); /* mounted: the point is there */
	fx_free(&x);

	/* Another machine's files: the mount is read, never exercised. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.f.mount.live = false;
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "--root names another machine's files"));
	fx_free(&x);

	/* All well. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "ls /opt/shared: 1 entry");
	c = report_find(&x.r, "mount.write");
	assert_str(c->summary, "created, wrote and removed /opt/shared/.meshnfs-probe-812");
	assert_int_equal(st(&x, "mount.stale"), CHECK_OK);
	c = report_find(&x.r, "mount.present");
	assert_non_null(strstr(c->detail, "clientaddr=100.64.0.3 lies in the mesh range"));
	fx_free(&x);

	/* A soft mount gave up: EIO in readdir. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_IO_ERROR, MOUNT_STEP_READDIR, EIO);
	c = fx_judge(&x, doctor_judge_mount, "mount.responsive");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "ls: I/O error (EIO in readdir)");
	assert_true(startswith(c->detail, "readdir of /opt/shared failed with EIO"));
	assert_non_null(strstr(c->detail, "the kernel giving up (timeo x retrans)"));
	assert_int_equal(st(&x, "mount.write"), CHECK_SKIP);
	fx_free(&x);

	/* ESTALE: mount.responsive and mount.stale both say so. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_STALE, MOUNT_STEP_STAT, ESTALE);
	c = fx_judge(&x, doctor_judge_mount, "mount.stale");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "stale file handle on /opt/shared (ESTALE in stat)");
	assert_true(startswith(c->detail, "stat of /opt/shared failed with ESTALE"));
	assert_str(c->fix, "umount -l /opt/shared && mount /opt/shared");
	assert_int_equal(st(&x, "mount.responsive"), CHECK_FAIL);
	fx_free(&x);

	/* A read-only export under a rw mount. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_READ_ONLY, MOUNT_STEP_CREATE, EROFS);
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_str(c->summary, "touch: read-only (EROFS in create)");
	assert_non_null(strstr(c->detail, "the export is read-only"));
	assert_int_equal(st(&x, "mount.responsive"), CHECK_OK);
	fx_free(&x);

	/* Root squashed: creating a file is denied. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_DENIED, MOUNT_STEP_CREATE, EACCES);
	c = fx_judge(&x, doctor_judge_mount, "mount.write");
	assert_str(c->summary, "touch: permission denied (EACCES in create)");
	assert_true(startswith(c->fix, "ssh 100.64.0.1 'sudo exportfs -v'"));
	fx_free(&x);

	/* The kernel reaches the server from outside the mesh. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, "nfs4", "100.64.0.1", MOUNT_HEALTH_OK, MOUNT_STEP_UNLINK, 0);
	x.top.clientaddr = (char *)"192.168.1.5";
	c = fx_judge(&x, doctor_judge_mount, "mount.present");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "clientaddr 192.168.1.5 outside 100.64.0.0/10"));
	assert_true(startswith(c->fix, "meshnfs doctor: see mesh.address"));
	fx_free(&x);

	/* The mount table itself is not mountinfo. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_mount(&x, NULL, NULL, MOUNT_HEALTH_OK, 0, 0);
	x.f.mount.read_rc = -EBADMSG;
	snprintf(x.f.mount.read_msg, sizeof(x.f.mount.read_msg), "mountinfo:1: not a mount line");
	c = fx_judge(&x, doctor_judge_mount, "mount.present");
	assert_str(c->summary, "mountinfo:1: not a mount line");
	assert_int_equal(st(&x, "mount.stale"), CHECK_SKIP);
	fx_free(&x);
}

static void client(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	x.node.debian_like = true;
	fx_fstab(&x, guide_line);
	x.f.client.have_mount_nfs4 = false;
	c = fx_judge(&x, doctor_judge_client, "client.packages");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->fix, "sudo apt-get install nfs-common   (or: sudo meshnfs setup client)");
	c = report_find(&x.r, "fstab.entry");
	assert_int_equal(c->status, CHECK_OK);
	assert_true(startswith(c->summary, "line 1: 100.64.0.1:/opt/shared on /opt/shared, nfs4, "));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "UUID=1234 / ext4 defaults 0 1\n");
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "/etc/fstab has no entry for /opt/shared");
	assert_non_null(strstr(c->detail, "the guide's step 4"));
	assert_int_equal(st(&x, "client.packages"), CHECK_OK);
	fx_free(&x);

	/* Without systemd: the guide's own line, then this node's (no x-systemd.*, with bg). */
	fx_init(&x, NODE_LINUX, NULL);
	x.node.systemd = false;
	fx_fstab(&x, "");
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_non_null(strstr(c->detail, "The guide's step 4, with the mount options measured best: "
					  "100.64.0.1:/opt/shared  /opt/shared  nfs4  _netdev,"
					  "x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=50,"
					  "retrans=2  0  0. "));
	assert_non_null(strstr(c->detail, "with 'bg'): 100.64.0.1:/opt/shared  /opt/shared  nfs4  "
					  "_netdev,soft,timeo=50,retrans=2,bg  0  0."));
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	fx_fstab(&x, "100.64.0.9:/opt/shared /opt/shared nfs4 soft 0 0\n");
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "line 1 mounts 100.64.0.9:/opt/shared on /opt/shared, not "
			       "100.64.0.1:/opt/shared");
	fx_free(&x);

	fx_init(&x, NODE_LINUX, NULL);
	x.f.is_server = true;
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_int_equal(st(&x, "client.packages"), CHECK_SKIP);
	fx_free(&x);

	/* The boot ordering on the mesh, by the Tailscale units installed: missing warns with the
	 * exact option; either unit accepted; none applies on WSL2 or without a unit. */
	fx_init(&x, NODE_LINUX, NULL);
	x.node.ts_unit = NODE_TS_UNIT_ONLINE_TARGET;
	fx_fstab(&x, guide_line);
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "line 1: the mount does not wait for the mesh at boot (no "
			       "x-systemd.requires=tailscale-online.target)");
	assert_true(startswith(c->fix, "add x-systemd.requires=tailscale-online.target to the "
				       "options of line 1 of /etc/fstab"));
	assert_non_null(strstr(c->detail, "tailscale wait"));
	x.node.ts_unit = NODE_TS_UNIT_TAILSCALED;
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->fix, "add x-systemd.after=tailscaled.service"));
	fx_free(&x);
	static const char *const ordered[] = { ",x-systemd.requires=tailscale-online.target",
					       ",x-systemd.after=tailscaled.service" };
	for (size_t i = 0; i < ARRAY_SIZE(ordered); i++) {
		fx_init(&x, NODE_LINUX, NULL);
		x.node.ts_unit = NODE_TS_UNIT_ONLINE_TARGET;
		_cleanup_free_ char *withorder = xasprintf(
			"100.64.0.1:/opt/shared  /opt/shared  nfs4  _netdev,x-systemd.automount,"
			"x-systemd.idle-timeout=600,soft,timeo=50,retrans=2%s  0  0\n",
			ordered[i]);
		fx_fstab(&x, withorder);
		c = fx_judge(&x, doctor_judge_client, "fstab.entry");
		assert_int_equal(c->status, CHECK_OK);
		fx_free(&x);
	}
	fx_init(&x, NODE_WSL2, "mirrored");
	x.node.ts_unit = NODE_TS_UNIT_ONLINE_TARGET;
	fx_fstab(&x, guide_line);
	c = fx_judge(&x, doctor_judge_client, "fstab.entry");
	assert_int_equal(c->status, CHECK_OK); /* rides the Windows host's Tailscale */
	fx_free(&x);

	/* WSL1: node.kind says it all. */
	fx_init(&x, NODE_WSL1, NULL);
	fx_fstab(&x, guide_line);
	doctor_judge_client(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);
}

static void server(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* The guide's export (no_root_squash) with kernel nfsd running on the mesh address. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)\n");
	fx_listen(&x, "100.64.0.1", 2049);
	x.f.server.nfsd_threads = 8;
	c = fx_judge(&x, doctor_judge_server, "exports.security");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/etc/exports:1: /opt/shared is exported to 100.64.0.0/10 with "
			       "no_root_squash");
	c = report_find(&x.r, "server.service");
	assert_str(c->summary, "the kernel NFS server runs (8 threads)");
	assert_int_equal(st(&x, "server.listening"), CHECK_OK);
	fx_free(&x);

	/* Everyone may mount, NFS listens everywhere, nothing runs. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared *(rw,root_squash)\n");
	fx_listen(&x, "0.0.0.0", 2049);
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 5); /* and exports.names ok */
	assert_str(x.r.checks[0].summary, "/etc/exports:1: /opt/shared is exported to everyone");
	assert_str(x.r.checks[1].summary, "NFS listens on 0.0.0.0:2049: every address, not only "
					  "the mesh");
	c = report_find(&x.r, "server.service");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->fix, "sudo systemctl enable --now nfs-server");
	fx_free(&x);

	/* Not a server: nothing exported, not the configured address: no check. */
	fx_init(&x, NODE_LINUX, NULL);
	x.f.server.gathered = true;
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);

	/* The configured address, nothing exported, nothing listens; ganesha runs. */
	fx_init(&x, NODE_LINUX, NULL);
	x.f.server.gathered = true;
	x.f.is_server = true;
	x.f.server.ganesha_pid = 4242;
	c = fx_judge(&x, doctor_judge_server, "exports.security");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "nothing is exported");
	assert_str(report_find(&x.r, "server.service")->summary, "nfs-ganesha runs (pid 4242)");
	c = report_find(&x.r, "server.listening");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "nothing listens on TCP port 2049");
	fx_free(&x);

	/* meshnfs's own ganesha.conf with No_Root_Squash. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_ganesha(&x, NODE_GANESHA_MARKER "\nEXPORT {\n\tSquash = "
					  "No_Root_Squash;\n\tClients = 100.64.0.0/10;\n}\n");
	x.f.server.listeners_rc = -ENOENT;
	snprintf(x.f.server.listeners_msg, sizeof(x.f.server.listeners_msg), "no /proc/net/tcp");
	c = fx_judge(&x, doctor_judge_server, "exports.security");
	assert_str(c->summary, "/etc/ganesha/ganesha.conf: the export is served with No_Root_Squash");
	assert_str(c->fix, "sudo meshnfs setup server --backend ganesha --root-squash");
	c = report_find(&x.r, "server.listening");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "no /proc/net/tcp");
	fx_free(&x);
}

static void server_client(struct fx *x, const char *info)
{
	struct doctor_server_facts *s = &x->f.server;
	struct diag dg = { 0 };

	s->clients = xrealloc(s->clients, (s->n_clients + 1) * sizeof(*s->clients));
	assert_int_equal(nfsd_client_parse("info", info, strlen(info), &s->clients[s->n_clients], &dg),
			 0);
	s->n_clients++;
}

static void config_node(struct fx *x, const char *name, const char *addr, const char *role)
{
	struct config *c = &x->cfg;
	c->nodes = xrealloc(c->nodes, (c->n_nodes + 1) * sizeof(*c->nodes));
	c->nodes[c->n_nodes++] = (struct config_node){ .name = xstrdup(name), .addrs = { xstrdup(addr) },
						       .n_addrs = 1, .role = xstrdup(role) };
}

/* What the server sees: names in exports, a userspace tailscaled, where nfsd listens, its
 * NFSv4 clients against [nodes]. */
static void server_view(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* MagicDNS and plain host names, and a pattern; the range is fine. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared office-one.tail1234.ts.net(rw,root_squash) laptop(rw) "
			   "*.tail1234.ts.net(ro) 100.64.0.0/10(rw)\n");
	fx_listen(&x, "100.64.0.1", 2049);
	x.f.server.nfsd_threads = 8;
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(fx_count(&x, "exports.names", CHECK_WARN, "office-one.tail1234.ts.net, a "
								 "MagicDNS host name instead"), 1);
	assert_int_equal(fx_count(&x, "exports.names", CHECK_WARN, "laptop, a host name"), 1);
	assert_int_equal(fx_count(&x, "exports.names", CHECK_WARN, "*.tail1234.ts.net, a MagicDNS "
								 "name pattern"), 1);
	assert_int_equal(fx_count(&x, "exports.names", CHECK_WARN, "100.64"), 0);
	c = report_find(&x.r, "exports.names");
	assert_non_null(strstr(c->detail, "unmatched host"));
	assert_non_null(strstr(c->fix, "/opt/shared  100.64.0.0/10("));
	/* no tailscaled, no /proc/fs/nfsd/clients */
	assert_null(report_find(&x.r, "server.tailscale"));
	assert_null(report_find(&x.r, "server.clients"));
	fx_free(&x);

	/* tailscaled in userspace-networking mode, a client arriving from its proxy. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw)\n");
	fx_listen(&x, "0.0.0.0", 2049);
	x.node.tailscaled_pid = 4242;
	x.f.server.ts_userspace = true;
	snprintf(x.f.server.ts_cmdline, sizeof(x.f.server.ts_cmdline),
		 "/usr/sbin/tailscaled --tun=userspace-networking");
	server_client(&x, "clientid: 0x3\naddress: \"127.0.0.1:41022\"\nname: \"Linux NFSv4.2 laptop\"\n");
	c = fx_judge(&x, doctor_judge_server, "server.tailscale");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "userspace-networking mode (--tun=userspace-networking)"));
	assert_non_null(strstr(c->detail, "tailscale#3556"));
	assert_non_null(strstr(c->detail, "1 NFSv4 client(s) of this server come from a loopback"));
	assert_non_null(strstr(c->fix, "remove --tun=userspace-networking"));
	/* The same node with a TUN interface: fine. */
	x.f.server.ts_userspace = false;
	x.node.tailscale_iface = true;
	c = fx_judge(&x, doctor_judge_server, "server.tailscale");
	assert_int_equal(c->status, CHECK_OK);
	/* No command line, no tailscale0, no /dev/net/tun: userspace all the same. */
	x.f.server.ts_cmdline[0] = '\0';
	x.node.tailscale_iface = x.node.tun = false;
	c = fx_judge(&x, doctor_judge_server, "server.tailscale");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->summary, "no tailscale0 interface"));
	fx_free(&x);

	/* nfsd bound to loopback and a LAN address only. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw)\n");
	fx_listen(&x, "127.0.0.1", 2049);
	fx_listen(&x, "192.168.1.10", 2049);
	fx_listen(&x, "100.64.0.1", 22);
	c = fx_judge(&x, doctor_judge_server, "server.listening");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "NFS listens on 127.0.0.1:2049, 192.168.1.10:2049 only: not on a "
			       "mesh address");
	assert_non_null(strstr(c->fix, "[nfsd] host="));
	fx_free(&x);

	/* Clients against [nodes]: office-one by address, laptop by its id's host (proxied),
	 * build-box's lease expired, kiosk absent; a LAN client. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw)\n");
	fx_listen(&x, "100.64.0.1", 2049);
	config_node(&x, "office-one", "100.64.0.3", "client");
	config_node(&x, "laptop", "100.64.0.5", "client");
	config_node(&x, "build-box", "100.64.0.6", "client");
	config_node(&x, "kiosk", "100.64.0.8", "wsl2");
	config_node(&x, "sfspark1", "100.64.0.1", "server");
	server_client(&x, "clientid: 0x3\naddress: \"100.64.0.3:876\"\nstatus: confirmed\n");
	server_client(&x, "clientid: 0x4\naddress: \"127.0.0.1:9\"\nname: \"Linux NFSv4.1 LAPTOP/x\"\n");
	server_client(&x, "clientid: 0x5\naddress: \"100.64.0.6:1\"\nstatus: courtesy\n");
	server_client(&x, "clientid: 0x6\naddress: \"192.168.1.20:1\"\n");
	x.f.server.clients_dir = true;
	doctor_judge_server(&x.f, &x.r);
	assert_int_equal(fx_count(&x, "server.clients", CHECK_WARN, "build-box (client in [nodes], "
								  "100.64.0.6) has no NFSv4 session"), 1);
	assert_int_equal(fx_count(&x, "server.clients", CHECK_WARN, "kiosk (wsl2 in [nodes]"), 1);
	assert_int_equal(fx_count(&x, "server.clients", CHECK_WARN, "office-one"), 0);
	assert_int_equal(fx_count(&x, "server.clients", CHECK_WARN, "laptop ("), 0);
	assert_int_equal(fx_count(&x, "server.clients", CHECK_WARN, "1 NFSv4 client(s) come from "
								  "outside the mesh range"), 1);
	c = report_find(&x.r, "server.clients");
	assert_non_null(strstr(c->detail, "100.64.0.6 [courtesy: lease expired]"));
	fx_free(&x);

	/* All there; a file that could not be read is named. */
	fx_init(&x, NODE_LINUX, NULL);
	fx_exports(&x, "/etc/exports", "/opt/shared 100.64.0.0/10(rw)\n");
	config_node(&x, "office-one", "100.64.0.3", "client");
	server_client(&x, "clientid: 0x3\naddress: \"100.64.0.3:876\"\n");
	x.f.server.clients_dir = true;
	c = fx_judge(&x, doctor_judge_server, "server.clients");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "1 NFSv4 client(s): 100.64.0.3, every client of [nodes] among them");
	x.f.server.n_bad_clients = 1;
	snprintf(x.f.server.clients_msg, sizeof(x.f.server.clients_msg), "/proc/fs/nfsd/clients/5/"
		 "info:2: address: the quoted value does not end with '\"' (the file is cut short?)");
	c = fx_judge(&x, doctor_judge_server, "server.clients");
	assert_int_equal(c->status, CHECK_WARN);
	assert_non_null(strstr(c->summary, "clients/5/info:2: "));
	/* Not root: the kernel's 0400 info files cannot be read; a skip saying so. */
	x.f.server.n_bad_clients = 0;
	nfsd_client_free(&x.f.server.clients[0]);
	x.f.server.n_clients = 0;
	x.f.server.n_denied_clients = 2;
	c = fx_judge(&x, doctor_judge_server, "server.clients");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_non_null(strstr(c->summary, "(2 client(s)): only root may"));
	/* No kernel nfsd: no check. */
	x.f.server.clients_dir = false;
	x.f.server.clients_rc = -ENOENT;
	report_free(&x.r);
	report_init(&x.r, "doctor");
	doctor_judge_server(&x.f, &x.r);
	assert_null(report_find(&x.r, "server.clients"));
	fx_free(&x);
}

/* ids.idmap: the node's settings; the probe's file owned by nobody; names without Domain. */
static void ids(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	x.f.ids = (struct doctor_ids_facts){ .gathered = true, .idmapd_path = xstrdup("/etc/idmapd.conf"),
					     .domain = xstrdup("mesh"), .domain_line = 3,
					     .client_numeric = 1, .server_numeric = -1 };
	c = fx_judge(&x, doctor_judge_ids, "ids.idmap");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "Domain mesh (/etc/idmapd.conf:3); client (nfs): numeric ids "
			       "(nfs4_disable_idmapping=Y)");
	/* The probe, run as uid 1000, got its file back owned by nobody. */
	fx_probe(&x, PROBE_N_STEPS, NULL, PROBE_OK, false);
	x.f.nfs.probe.uid = 1000;
	x.f.nfs.probe.owner = 65534;
	c = fx_judge(&x, doctor_judge_ids, "ids.idmap");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "the probe's test file, created by uid 1000, is owned by nobody "
			       "(65534) on 100.64.0.1");
	assert_non_null(strstr(c->detail, "idmapd Domain differs"));
	assert_non_null(strstr(c->fix, "nfs4_disable_idmapping"));
	/* Root's file owned by 65534 is root squash, not ID mapping. */
	x.f.nfs.probe.uid = 0;
	assert_int_equal(fx_judge(&x, doctor_judge_ids, "ids.idmap")->status, CHECK_OK);
	/* Names (N) without a Domain. */
	free(x.f.ids.domain);
	x.f.ids.domain = NULL;
	x.f.ids.server_numeric = 0;
	c = fx_judge(&x, doctor_judge_ids, "ids.idmap");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "owners are sent as names (nfs4_disable_idmapping=N) but "
			       "/etc/idmapd.conf sets no Domain");
	/* A broken file is named. */
	x.f.ids.idmapd_rc = -EBADMSG;
	snprintf(x.f.ids.idmapd_msg, sizeof(x.f.ids.idmapd_msg), "/etc/idmapd.conf:3: bad");
	c = fx_judge(&x, doctor_judge_ids, "ids.idmap");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "/etc/idmapd.conf:3: bad");
	fx_free(&x);
}

static void wsl(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	/* Interop off in wsl.conf; a tailscaled inside; NAT; no .wslconfig. */
	fx_init(&x, NODE_WSL2, "nat");
	x.f.wsl.gathered = true;
	x.node.wsl.mode_source = MODE_FROM_WSLINFO;
	x.node.wsl.conf_interop = SETTING_OFF;
	x.node.tailscaled_pid = 321;
	c = fx_judge(&x, doctor_judge_wsl, "wsl.interop");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "interop is off in /etc/wsl.conf"));
	c = report_find(&x.r, "wsl.tailscaled");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "a tailscaled runs inside WSL2 (pid 321)");
	assert_true(startswith(c->fix, "sudo systemctl disable --now tailscaled; "));
	c = report_find(&x.r, "wsl.networking_mode");
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, "NAT (wslinfo): outbound NFS works"));
	c = report_find(&x.r, "wsl.wslconfig");
	assert_true(startswith(c->summary, "no %USERPROFILE%\\.wslconfig found"));
	assert_str(report_find(&x.r, "wsl.systemd")->summary, "systemd is running");
	fx_free(&x);

	/* Configured mirrored, running NAT on Windows 10: the fallback, with the version asked. */
	fx_init(&x, NODE_WSL2, "nat");
	x.f.wsl.gathered = true;
	x.node.wsl.mode_source = MODE_FROM_WSLINFO;
	x.node.wsl.configured_mode = (char *)"mirrored";
	x.node.wsl.binfmt_present = x.node.wsl.binfmt_interop = true;
	x.f.wsl.asked_windows = true;
	x.f.wsl.winver = xstrdup("10.0.19045.4717");
	x.f.wsl.build = 19045;
	c = fx_judge(&x, doctor_judge_wsl, "wsl.networking_mode");
	assert_str(c->summary, "configured mirrored, running NAT: Windows 10.0.19045.4717 (build "
			       "19045) has no mirrored networking");
	assert_int_equal(st(&x, "wsl.interop"), CHECK_OK);
	fx_free(&x);

	/* systemd off, the guide's NFS line in fstab, mountFsTab on by default. */
	fx_init(&x, NODE_WSL2, "mirrored");
	x.f.wsl.gathered = true;
	x.node.systemd = false;
	x.node.wsl.mode_source = MODE_FROM_WSLINFO;
	x.node.wsl.conf_mount_fstab = SETTING_UNSET;
	snprintf(x.f.wsl.fstab.nfs, sizeof(x.f.wsl.fstab.nfs), "100.64.0.1:/opt/shared on /opt/shared");
	c = fx_judge(&x, doctor_judge_wsl, "wsl.systemd");
	assert_int_equal(c->status, CHECK_WARN);
	assert_true(startswith(c->summary, "/etc/fstab mounts NFS (100.64.0.1:/opt/shared on "
					   "/opt/shared) while systemd is off"));
	assert_int_equal(st(&x, "wsl.networking_mode"), CHECK_OK);
	fx_free(&x);

	/* A .wslconfig read and parsed: mirrored. */
	fx_init(&x, NODE_WSL2, "mirrored");
	static const char cfg[] = "[wsl2]\r\nnetworkingMode=mirrored\r\n";
	struct diag dg = { 0 };
	x.f.wsl.gathered = true;
	x.node.wsl.wslconfig = (char *)"/mnt/c/Users/alice/.wslconfig";
	assert_int_equal(text_decode("w", cfg, sizeof(cfg) - 1, &x.f.wsl.wslconfig_text, &dg), 0);
	assert_int_equal(ini_parse_buffer("w", x.f.wsl.wslconfig_text.utf8,
					  x.f.wsl.wslconfig_text.len, true, &x.f.wsl.wslconfig, &dg),
			 0);
	c = fx_judge(&x, doctor_judge_wsl, "wsl.wslconfig");
	assert_int_equal(c->status, CHECK_OK);
	assert_str(c->summary, "/mnt/c/Users/alice/.wslconfig:2: [wsl2] networkingMode=mirrored "
			       "(utf-8, CRLF)");
	fx_free(&x);

	/* Not WSL2: no wsl.* check. */
	fx_init(&x, NODE_LINUX, NULL);
	x.f.wsl.gathered = true;
	doctor_judge_wsl(&x.f, &x.r);
	assert_int_equal(x.r.n_checks, 0);
	fx_free(&x);
}

static void ports(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;
	struct listener l = { .family = AF_INET, .port = 445 };

	fx_init(&x, NODE_WSL2, "nat");
	c = fx_judge(&x, doctor_judge_ports, "wsl.ports");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_true(startswith(c->summary, "nat networking: services here are not reachable"));
	fx_free(&x);

	fx_init(&x, NODE_WSL2, "mirrored");
	x.f.ports.gathered = true;
	x.f.ports.lin_rc = -EACCES;
	snprintf(x.f.ports.lin_msg, sizeof(x.f.ports.lin_msg), "/proc/net/tcp: cannot read");
	c = fx_judge(&x, doctor_judge_ports, "wsl.ports");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "cannot list this distro's listening ports: /proc/net/tcp: cannot read");
	fx_free(&x);

	fx_init(&x, NODE_WSL2, "mirrored");
	x.f.ports.gathered = true;
	x.f.ports.ms = 42;
	x.f.ports.lin.v = one(&l);
	x.f.ports.lin.n = 1;
	l.pid = 4;
	x.f.ports.win.v = one(&l);
	x.f.ports.win.n = 1;
	c = fx_judge(&x, doctor_judge_ports, "wsl.ports");
	assert_int_equal(c->status, CHECK_WARN);
	assert_str(c->summary, "Windows listens on the same port(s) as this distro: 445; "
			       "connections from the mesh to it reach Windows, not WSL2");
	assert_non_null(strstr(c->detail, "Windows PID 4 on 0.0.0.0:445 (System"));
	assert_int_equal(c->ms, 42);
	fx_free(&x);
}

static void mesh(void **state)
{
	(void)state;
	struct fx x;
	const struct check *c;

	fx_init(&x, NODE_LINUX, NULL);
	x.f.mesh.gathered = true;
	x.f.mesh.cli_rc = -ENOENT;
	c = fx_judge(&x, doctor_judge_mesh, "mesh.tailscale");
	assert_int_equal(c->status, CHECK_SKIP);
	assert_str(c->summary, "no tailscale CLI on PATH: the mesh is judged by mesh.address");
	fx_free(&x);

	fx_init(&x, NODE_WSL2, "mirrored");
	x.f.mesh.gathered = true;
	x.f.mesh.cli_rc = -ENOENT;
	c = fx_judge(&x, doctor_judge_mesh, "mesh.tailscale");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_true(startswith(c->summary, "Tailscale for Windows not found"));
	fx_free(&x);

	/* The CLI hung: the check carries the time it took, the distro has no peer list. */
	fx_init(&x, NODE_WSL2, "mirrored");
	x.f.mesh.gathered = true;
	x.f.mesh.cli.path = xstrdup("/mnt/c/Program Files/Tailscale/tailscale.exe");
	x.f.mesh.cli.windows = true;
	x.f.mesh.run_rc = -ETIMEDOUT;
	x.f.mesh.ms = 5003;
	c = fx_judge(&x, doctor_judge_mesh, "mesh.tailscale");
	assert_int_equal(c->status, CHECK_FAIL);
	assert_str(c->summary, "/mnt/c/Program Files/Tailscale/tailscale.exe status --json: no "
			       "answer within 5000 ms");
	assert_true(startswith(c->fix, "Restart the Tailscale service on the Windows host"));
	assert_int_equal(c->ms, 5003);
	assert_int_equal(st(&x, "wsl.stale_identity"), CHECK_SKIP);
	fx_free(&x);
}

static void follows(void **state)
{
	(void)state;
	struct fx x;
	char **v = NULL;

	/* WSL2 under NAT as configured (no wslinfo), without systemd. */
	fx_init(&x, NODE_WSL2, "nat");
	x.node.wsl.mode_source = MODE_FROM_WSLCONFIG;
	x.node.systemd = false;
	size_t n = doctor_node_follows(&x.node, &v);
	assert_int_equal(n, 5);
	assert_true(startswith(v[0], "WSL2: must not run its own tailscaled"));
	assert_true(startswith(v[1], "NAT networking: outbound NFS"));
	assert_str(v[2], "The mode shown is the configured one, not measured: wslinfo (WSL 2.0+) "
			 "is not available to tell the effective mode.");
	assert_str(v[3], "systemd is not running: x-systemd.* options in /etc/fstab do nothing (set "
			 "[boot] systemd=true in /etc/wsl.conf).");
	assert_true(startswith(v[4], "WSL mounts /etc/fstab when the distro starts"));
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	fx_free(&x);

	/* Networking off, and a mode the guide does not cover (mutation run 17: the "none"
	 * test negated lived: "none" was called a mode not covered, the others "off"). */
	static const char *const modes[][2] = {
		{ "none", "Networking is off (networkingMode=none): the mesh cannot be reached." },
		{ "virtioproxy", "Networking mode 'virtioproxy' is not one the guide covers; "
				 "mirrored is recommended." },
	};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		fx_init(&x, NODE_WSL2, modes[m][0]);
		x.node.wsl.mode_source = MODE_FROM_WSLINFO;
		n = doctor_node_follows(&x.node, &v);
		assert_true(n >= 2);
		assert_str(v[1], modes[m][1]);
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		fx_free(&x);
	}

	/* WSL1: one sentence, the conversion. */
	fx_init(&x, NODE_WSL1, NULL);
	n = doctor_node_follows(&x.node, &v);
	assert_int_equal(n, 1);
	assert_non_null(strstr(v[0], "wsl --set-version DISTRO 2"));
	free(v[0]);
	free(v);
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_kind), cmocka_unit_test(mount_states), cmocka_unit_test(client),
		cmocka_unit_test(server),    cmocka_unit_test(wsl),          cmocka_unit_test(ports),
		cmocka_unit_test(mesh),      cmocka_unit_test(follows),
		cmocka_unit_test(server_view), cmocka_unit_test(ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
