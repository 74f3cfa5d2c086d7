/* SPDX-License-Identifier: MIT */
/* meshnfs setup client|server|wsl: plan first (a diff of each file, every command), then
 * apply it step by step, then verify. --dry-run shows the plan and stops. */
#include "cmd/cmd.h"

#include "core/root.h"
#include "net/probe.h"
#include "node/node.h"
#include "report/output.h"
#include "setup/setup.h"
#include "setup/setup_wsl.h"
#include "cmd/cmd_private.h"

#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

enum {
	OPT_SERVER = 0x300,
	OPT_EXPORT,
	OPT_MOUNTPOINT,
	OPT_OPTIONS,
	OPT_DRY_RUN,
	OPT_CLIENTS,
	OPT_BACKEND,
	OPT_ROOT_SQUASH,
	OPT_FORCE,
};

static const struct command sub_client = {
	"setup client", "mount the share from /etc/fstab (nfs-common installed when missing)",
	"setup client [--server ADDR] [--export PATH] [--mountpoint PATH] [--options OPTS] "
	"[--dry-run]",
	NULL,
	"  --server ADDR      the server (default: [server] address)\n"
	"  --export PATH      its export (default: [server] export)\n"
	"  --mountpoint PATH  where to mount it (default: [client] mountpoint)\n"
	"  --options OPTS     the fstab options (default: [client] options)\n"
	"  --dry-run          show the plan, change nothing\n",
	NULL,
};
static const struct command sub_wsl = {
	"setup wsl", "WSL2: networkingMode=mirrored in .wslconfig, systemd=true in /etc/wsl.conf",
	"setup wsl [--dry-run]", NULL,
	"  --dry-run          show the plan, change nothing\n",
	NULL,
};
static const struct command sub_server = {
	"setup server", "export the directory to the mesh (kernel nfsd or nfs-ganesha)",
	"setup server [--export PATH] [--clients CIDR[,CIDR]] [--backend kernel|ganesha|ceph] "
	"[--root-squash] [--force] [--dry-run]",
	NULL,
	"  --export PATH      the directory to export (default: [server] export)\n"
	"  --clients CIDR     who may mount it: IPv4 or IPv6 ranges, comma-separated\n"
	"                     (default: [mesh] range; the tailnet's IPv6: fd7a:115c:a1e0::/48)\n"
	"  --backend NAME     kernel (nfs-kernel-server), ganesha (nfs-ganesha) or ceph (CephFS\n"
	"                     through nfs-ganesha, [ceph] of meshnfs.conf); default: [server] backend\n"
	"  --root-squash      map the clients' root to the anonymous id\n"
	"  --force            allow clients outside the mesh, or replace a foreign ganesha.conf\n"
	"  --dry-run          show the plan, change nothing\n",
	NULL,
};
const struct command *const setup_targets[] = { &sub_client, &sub_server, &sub_wsl, NULL };

struct setup_args {
	const char *server, *export_path, *mountpoint, *options, *clients;
	enum setup_backend backend;
	bool backend_set;
	bool dry_run, root_squash, force;
};

static const char *const backend_names[] = {
	[SETUP_KERNEL] = "kernel",
	[SETUP_GANESHA] = "ganesha",
	[SETUP_CEPH] = "ceph",
};

/* A value the configuration file could hold too, checked the same way. */
static int config_value(const char *option, const char *section, const char *key,
			const char *arg, const char **slot, char *err, size_t size)
{
	char problem[600];

	if (config_check_value(section, key, arg, problem, sizeof(problem)) < 0)
		return snprintf(err, size, "--%s: %s", option, problem), -EINVAL;
	*slot = arg;
	return 0;
}

static int setup_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	struct setup_args *a = userdata;

	switch (opt) {
	case OPT_SERVER:
		return config_value("server", "server", "address", arg, &a->server, err, size);
	case OPT_EXPORT:
		return config_value("export", "server", "export", arg, &a->export_path, err, size);
	case OPT_MOUNTPOINT:
		return config_value("mountpoint", "client", "mountpoint", arg, &a->mountpoint, err,
				    size);
	case OPT_OPTIONS:
		return config_value("options", "client", "options", arg, &a->options, err, size);
	case OPT_CLIENTS:
		a->clients = arg;
		return 0;
	case OPT_BACKEND: {
		int b = ENUM_PARSE(backend_names, arg);
		if (b < 0)
			return snprintf(err, size, "--backend: \"%s\" is not kernel, ganesha or ceph",
					arg), -EINVAL;
		a->backend = (enum setup_backend)b;
		a->backend_set = true;
		return 0;
	}
	case OPT_DRY_RUN:
		a->dry_run = true;
		return 0;
	case OPT_ROOT_SQUASH:
		a->root_squash = true;
		return 0;
	case OPT_FORCE:
		a->force = true;
		return 0;
	}
	return -EINVAL;
}

/* The last step: the probe ladder (meshnfs probe) from this node to the share. With --root
 * the files are another machine's and so would be its network: not verified then. */
struct verify_target {
	const char *server, *export_path;
	size_t n; /* targets in this array */
};

static void verify(struct ctx *ctx, struct report *r, const void *data)
{
	const struct verify_target *t = data;

	for (size_t i = 0; i < t[0].n; i++)
		setup_verify(t[i].server, t[i].export_path, &ctx->config.mesh, ctx->timeout_ms, r);
}

static int run_setup_client(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "mountpoint", required_argument, NULL, OPT_MOUNTPOINT },
		{ "options", required_argument, NULL, OPT_OPTIONS },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	struct setup_args a = { 0 };
	struct diag d = { 0 };
	struct node_info node;
	struct plan p;
	int rc0 = cmd_start(ctx, &sub_client, argc, argv, longopts, setup_option, &a);

	if (rc0)
		return rc0;
	size_t from, to;
	if ((rc0 = cmd_shares(ctx, &sub_client, &from, &to)))
		return rc0;
	if ((a.server || a.export_path || a.mountpoint || a.options) && to - from > 1)
		return cmd_usage_error(&sub_client, "--server, --export, --mountpoint and --options "
						    "set one share: name it (--share NAME)");
	const struct config *cfg = &ctx->config;
	size_t n = to - from;
	struct setup_client *c = xcalloc(n, sizeof(*c));
	struct verify_target *vt = xcalloc(n, sizeof(*vt));
	for (size_t i = 0; i < n; i++) {
		struct config_view v;
		config_view(cfg, from + i, 0, &v);
		/* The share's first gateway: repair moves the client when it stops answering. */
		c[i] = (struct setup_client){
			.server = a.server ? a.server : v.share.servers[0],
			.export_path = a.export_path ? a.export_path : v.share.export_path,
			.mountpoint = a.mountpoint ? a.mountpoint : v.share.mountpoint,
			.options = a.options ? a.options : v.share.options,
			.timeout_ms = ctx->timeout_ms,
		};
		vt[i] = (struct verify_target){ c[i].server, c[i].export_path, n };
	}
	node_detect(cfg, ctx->timeout_ms, &node);
	if (n == 1) {
		_cleanup_free_ char *source = config_nfs_source(c[0].server, c[0].export_path);
		plan_init(&p, "mount %s on %s (nfs4)", source, c[0].mountpoint);
	} else
		plan_init(&p, "mount %zu shares (nfs4)", n);
	int r = setup_client_plan(c, n, &node, &p, &d);
	int rc = r < 0 ? cmd_plan_error(ctx, &sub_client, r, &d, "setup.client")
		       : cmd_run_plan(ctx, &node, &p, a.dry_run, "setup client", verify, vt);
	plan_free(&p);
	node_info_free(&node);
	free(c);
	free(vt);
	return rc;
}

static int run_setup_server(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "clients", required_argument, NULL, OPT_CLIENTS },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "root-squash", no_argument, NULL, OPT_ROOT_SQUASH },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	struct setup_args a = { .backend = SETUP_KERNEL };
	struct diag d = { 0 };
	struct node_info node;
	struct plan p;
	char mesh[32];
	int rc0 = cmd_start(ctx, &sub_server, argc, argv, longopts, setup_option, &a);

	if (rc0)
		return rc0;
	const struct config *cfg = &ctx->config;
	cidr_format(&cfg->mesh, mesh, sizeof(mesh));
	if (!a.backend_set)
		a.backend = (enum setup_backend)ENUM_PARSE(backend_names, cfg->backend);
	_cleanup_free_ char *keyring = config_ceph_keyring(cfg);
	struct setup_ceph ceph = {
		.conf = cfg->ceph_conf, .user = cfg->ceph_user, .keyring = keyring,
		.fs = cfg->ceph_fs, .path = cfg->ceph_path, .pool = cfg->ceph_pool,
		.ns = cfg->ceph_namespace,
	};
	node_detect(cfg, ctx->timeout_ms, &node);
	/* The exports: --export names one; else each share this node serves (it holds one of
	 * the share's servers' addresses, or has its host name), --share NAME limiting them; a
	 * node that serves none of them exports them all (setup server sets up the node it runs
	 * on, as with the one [server] share). */
	const char *ex[SETUP_MAX_EXPORTS];
	struct verify_target vt[SETUP_MAX_EXPORTS];
	size_t n_ex = 0, from, to;
	if ((rc0 = cmd_shares(ctx, &sub_server, &from, &to))) {
		node_info_free(&node);
		return rc0;
	}
	for (int pass = 0; pass < 2 && !n_ex; pass++)
		for (size_t i = from; i < to && !a.export_path; i++) {
			struct config_share sh;
			const char *here = NULL;
			config_share_get(cfg, i, &sh);
			for (size_t k = 0; k < sh.n_servers && !here; k++)
				if (node_is_server(&node, sh.servers[k]) ||
				    (node.hostname && strcasecmp(node.hostname, sh.servers[k]) == 0))
					here = sh.servers[k];
			if (!here && pass == 0)
				continue;
			size_t k = 0;
			while (k < n_ex && !streq(ex[k], sh.export_path))
				k++;
			if (k < n_ex)
				continue;
			if (n_ex == SETUP_MAX_EXPORTS) {
				node_info_free(&node);
				return cmd_usage_error(&sub_server, "more than %d exports: name the "
							"share (--share NAME)", SETUP_MAX_EXPORTS);
			}
			vt[n_ex] = (struct verify_target){ here ? here : sh.servers[0],
							   sh.export_path, 0 };
			ex[n_ex++] = sh.export_path;
		}
	if (a.export_path || !n_ex) {
		ex[0] = a.export_path ? a.export_path : cfg->export_path;
		vt[0] = (struct verify_target){ cfg->server, ex[0], 0 };
		n_ex = 1;
	}
	for (size_t i = 0; i < n_ex; i++)
		vt[i].n = n_ex;
	struct setup_server s = {
		.export_path = ex[0],
		.exports = ex,
		.n_exports = n_ex,
		.clients = a.clients ? a.clients : mesh,
		.mesh = &cfg->mesh,
		.mesh6 = &cfg->mesh6,
		.backend = a.backend,
		.ceph = &ceph,
		.root_squash = a.root_squash,
		.force = a.force,
		.timeout_ms = ctx->timeout_ms,
	};
	ceph.nodeid = config_ceph_nodeid(cfg, node.hostname);
	_cleanup_free_ char *what = NULL;
	for (size_t i = 0; i < n_ex; i++) {
		char *w = xasprintf("%s%s%s", what ? what : "",
				    i == 0 ? "" : i + 1 == n_ex ? " and " : ", ", ex[i]);
		free(what);
		what = w;
	}
	if (s.backend == SETUP_CEPH)
		plan_init(&p, "export %s to %s with nfs-ganesha: CephFS \"%s\" %s (FSAL_CEPH)",
			  s.export_path, s.clients, ceph.fs, ceph.path);
	else
		plan_init(&p, "export %s to %s with %s", what, s.clients,
			  s.backend == SETUP_GANESHA ? "nfs-ganesha" : "the kernel NFS server");
	int r = n_ex > 1 && s.backend == SETUP_CEPH
			? diag_set(&d, NULL, 0, "--backend ceph exports one share (its [ceph] path): "
						"name it (--share NAME)"), -EDOM
			: setup_server_plan(&s, &node, &p, &d);
	int rc;
	if (r == -EEXIST) {
		/* A foreign ganesha.conf: bad input in the sense of "a file we will not edit". */
		rc = cmd_bad_input(ctx, &d);
	} else if (r < 0)
		rc = cmd_plan_error(ctx, &sub_server, r, &d, "setup.server");
	else
		rc = cmd_run_plan(ctx, &node, &p, a.dry_run, "setup server", verify, vt);
	plan_free(&p);
	node_info_free(&node);
	return rc;
}

/* The path as the node sees it: a resolved path without the --root prefix. */
static const char *shown_path(const char *resolved)
{
	const char *root = root_get();
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n > 0 && strncmp(resolved, root, n) == 0 && resolved[n] == '/')
		return resolved + n;
	return resolved;
}

/* setup wsl: the Windows side ([wsl2] networkingMode=mirrored in %USERPROFILE%\.wslconfig, in
 * the file's own encoding and line endings) and the distro side ([boot] systemd=true in
 * /etc/wsl.conf), then the restart WSL needs to read them. */
static int run_setup_wsl(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	struct setup_args a = { 0 };
	struct diag d = { 0 };
	struct node_info node;
	struct plan p;
	int r = 0, rc = cmd_start(ctx, &sub_wsl, argc, argv, longopts, setup_option, &a);

	if (rc)
		return rc;
	node_detect(&ctx->config, ctx->timeout_ms, &node);
	if (node.kind != NODE_WSL2) {
		struct report rep;
		report_init(&rep, "setup wsl");
		report_check(&rep, "setup.wsl", CHECK_FAIL,
			     .summary = xasprintf("this node is %s, not a WSL2 distro: nothing to set up",
						  node_kind_name(node.kind)),
			     .detail = xasprintf("%s", node.kind_reason),
			     .fix = node.kind != NODE_WSL1 ? NULL
			     : xstrdup("wsl --set-version <distro> 2   (PowerShell on the Windows host), "
				       "then run meshnfs setup wsl in the distro"));
		rc = cmd_finish(ctx, &rep);
		report_free(&rep);
		node_info_free(&node);
		return rc;
	}

	plan_init(&p, "WSL2: mirrored networking (Windows side), systemd (distro side)");
	const char *target = node.wsl.wslconfig_target;
	if (target)
		/* drvfs (/mnt/c) may refuse chmod, chown and a directory fsync. */
		r = plan_add_write(&p, "setup.wslconfig", shown_path(target), target,
				   setup_wsl_wslconfig_edit, NULL, false,
				   &(struct safewrite_opts){ .flags = SAFEWRITE_BEST_EFFORT_METADATA },
				   "[wsl2] networkingMode=mirrored is set in .wslconfig", &d);
	else
		plan_note(&p, "setup.wslconfig",
			  "%%USERPROFILE%%\\.wslconfig not found: interop is off and /mnt/c/Users has no "
			  "single profile with one. On Windows, put these two lines in "
			  "%%USERPROFILE%%\\.wslconfig:\n[wsl2]\nnetworkingMode=mirrored");
	if (r >= 0) {
		_cleanup_free_ char *conf = root_path("/etc/wsl.conf");
		r = plan_add_write(&p, "setup.wsl_conf", "/etc/wsl.conf", conf, setup_wsl_conf_edit,
				   NULL, false, NULL, "[boot] systemd=true is set in /etc/wsl.conf",
				   &d);
	}
	if (r >= 0 && p.n_steps)
		plan_note(&p, "setup.restart", "%s", SETUP_WSL_RESTART_HINT);
	rc = r < 0 ? cmd_plan_error(ctx, &sub_wsl, r, &d, "setup.wsl")
		   : cmd_run_plan(ctx, &node, &p, a.dry_run, "setup wsl", NULL, NULL);
	plan_free(&p);
	node_info_free(&node);
	return rc;
}

int cmd_setup(struct ctx *ctx, int argc, char **argv)
{
	const struct command *self = command_find("setup");

	if (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		cmd_print_help(self, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error(self, "setup needs what to set up: client, server or wsl");
	if (streq(argv[1], "client"))
		return run_setup_client(ctx, argc - 1, argv + 1);
	if (streq(argv[1], "server"))
		return run_setup_server(ctx, argc - 1, argv + 1);
	if (streq(argv[1], "wsl"))
		return run_setup_wsl(ctx, argc - 1, argv + 1);
	return cmd_usage_error(self, "unknown setup target '%s' (client, server or wsl)", argv[1]);
}
