/* SPDX-License-Identifier: MIT */
/* meshnfs repair [--dry-run]: fix what doctor finds fixable on this client's mount (a hung or
 * stale mount, a missing mount that fstab describes, a missing mount point). Each action is
 * shown first; nothing is done when nothing is wrong. */
#include "cmd/cmd.h"

#include "core/root.h"
#include "mount/health.h"
#include "node/node.h"
#include "setup/setup.h"

#include <errno.h>

enum { OPT_DRY_RUN = 0x300 };

struct verify_data {
	const struct repair *rp;
	const struct plan *plan;
};

/* After the actions: the mount answers again (live system only, and only when the plan
 * mounted it again). */
static void verify(struct ctx *ctx, struct report *r, const void *data)
{
	const struct verify_data *vd = data;

	(void)ctx;
	repair_verify(vd->rp, vd->plan, r);
}

int cmd_repair(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	const struct command *self = command_find("repair");
	struct diag d = { 0 };
	struct node_info node;
	bool dry_run = false;
	struct plan p;
	int rc0 = cmd_start(ctx, self, argc, argv, longopts, cmd_flag_option, &dry_run);

	if (rc0)
		return rc0;
	const struct config *cfg = &ctx->config;
	node_detect(cfg, ctx->timeout_ms, &node);
	struct repair rp = {
		.server = cfg->server,
		.export_path = cfg->export_path,
		.mountpoint = cfg->mountpoint,
		.options = cfg->mount_options,
		.mesh = &cfg->mesh,
		.timeout_ms = ctx->timeout_ms,
		.live = root_is_host(),
		.is_server = node_is_server(&node, cfg->server),
	};
	plan_init(&p, "repair the mount of %s:%s on %s", rp.server, rp.export_path, rp.mountpoint);
	int r = repair_plan(&rp, &node, &p, &d);
	int rc = r < 0 ? cmd_plan_error(ctx, self, r, &d, "repair.plan")
		       : cmd_run_plan(ctx, &node, &p, dry_run, "repair", verify,
				      &(struct verify_data){ &rp, &p });
	plan_free(&p);
	node_info_free(&node);
	return rc;
}
