/* SPDX-License-Identifier: MIT */
/* meshnfs repair [--dry-run]: fix what doctor finds fixable on this client's mount (a hung or
 * stale mount, a missing mount that fstab describes, a missing mount point). Each action is
 * shown first; nothing is done when nothing is wrong. */
#include "cmd/cmd.h"

#include "core/root.h"
#include "mount/health.h"
#include "node/node.h"
#include "setup/setup.h"
#include "cmd/cmd_private.h"

#include <errno.h>

enum { OPT_DRY_RUN = 0x300, OPT_GATEWAY };

struct verify_data {
	const struct repair *rp; /* one per share */
	size_t n;
	const struct plan *plan;
};

struct repair_opts {
	bool dry_run;
	const char *gateway;
};

static int repair_option(void *userdata, int opt, const char *arg, char *err, size_t errsize)
{
	struct repair_opts *o = userdata;

	if (opt == OPT_DRY_RUN)
		o->dry_run = true;
	else if (opt == OPT_GATEWAY) {
		if (config_check_host(arg) < 0) {
			snprintf(err, errsize, "--gateway: \"%s\" is not an IP address or host name",
				 arg);
			return -EINVAL;
		}
		o->gateway = arg;
	} else
		return -EINVAL;
	return 0;
}

/* After the actions: each share's mount answers again (live system only, and only when the
 * plan mounted it again). */
static void verify(struct ctx *ctx, struct report *r, const void *data)
{
	const struct verify_data *vd = data;

	(void)ctx;
	for (size_t i = 0; i < vd->n; i++)
		repair_verify(&vd->rp[i], vd->plan, r);
}

int cmd_repair(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "gateway", required_argument, NULL, OPT_GATEWAY },
		{ 0 },
	};
	const struct command *self = command_find("repair");
	struct repair_opts o = { 0 };
	struct diag d = { 0 };
	struct node_info node;
	size_t from, to;
	struct plan p;
	int rc0 = cmd_start(ctx, self, argc, argv, longopts, repair_option, &o);

	if (rc0)
		return rc0;
	if ((rc0 = cmd_shares(ctx, self, &from, &to)))
		return rc0;
	if (o.gateway && to - from != 1 && config_n_shares(&ctx->config) != 1)
		return cmd_usage_error(self, "--gateway: name the share too (--share NAME)");
	const struct config *cfg = &ctx->config;
	size_t n = to - from;
	struct config_view *v = xcalloc(n, sizeof(*v));
	struct repair *rp = xcalloc(n, sizeof(*rp));
	node_detect(cfg, ctx->timeout_ms, &node);
	for (size_t i = 0; i < n; i++) {
		config_view(cfg, from + i, 0, &v[i]);
		rp[i] = (struct repair){
			.server = v[i].cfg.server,
			.export_path = v[i].cfg.export_path,
			.mountpoint = v[i].cfg.mountpoint,
			.options = v[i].cfg.mount_options,
			.mesh = &cfg->mesh,
			.timeout_ms = ctx->timeout_ms,
			.live = root_is_host(),
			.is_server = node_is_server(&node, v[i].cfg.server),
			.gateways = (const char *const *)v[i].share.servers,
			.n_gateways = v[i].share.n_servers,
			.gateway = o.gateway,
			.share = v[i].share.name,
		};
	}
	repair_plan_init(&p, rp, n);
	int r = 0;
	for (size_t i = 0; i < n && r >= 0; i++)
		r = repair_plan(&rp[i], &node, &p, &d);
	int rc = r < 0 ? cmd_plan_error(ctx, self, r, &d, "repair.plan")
		       : cmd_run_plan(ctx, &node, &p, o.dry_run, "repair", verify,
				      &(struct verify_data){ rp, n, &p });
	plan_free(&p);
	node_info_free(&node);
	free(rp);
	free(v);
	return rc;
}
