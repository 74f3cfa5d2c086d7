/* SPDX-License-Identifier: MIT */
/* meshnfs doctor: run every area's checks for this node and report. */
#include "cmd/cmd.h"

#include "doctor/doctor.h"

int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	const struct command *self = command_find("doctor");
	struct diag d = { 0 };
	struct node_info node;
	struct report r;
	int i = cmd_parse_options(ctx, self, argc, argv, NULL, NULL, NULL, NULL);

	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return cmd_usage_error(self, "unexpected argument '%s'", argv[i]);
	if (ctx_load_config(ctx, &d) < 0)
		return cmd_bad_input(ctx, &d);

	node_detect(&ctx->config, ctx->timeout_ms, &node);
	struct doctor doc = {
		.cfg = &ctx->config,
		.node = &node,
		.timeout_ms = ctx->timeout_ms,
		.verbose = ctx->verbose,
	};
	report_init(&r, "doctor");
	doctor_run(&doc, &r);
	int rc = cmd_finish(ctx, &r);
	report_free(&r);
	node_info_free(&node);
	return rc;
}
