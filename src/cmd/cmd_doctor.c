/* SPDX-License-Identifier: MIT */
/* meshnfs doctor: run every area's checks for this node and report. */
#include "cmd/cmd.h"

#include "doctor/doctor.h"
#include "mesh/sources.h"

#include <errno.h>

enum { OPT_ALL = 0x300, OPT_SOURCE };

struct doctor_args {
	bool all;
	bool source_given;
	enum mesh_source source;
};

static int doctor_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	struct doctor_args *a = userdata;

	switch (opt) {
	case OPT_ALL:
		a->all = true;
		return 0;
	case OPT_SOURCE:
		if (mesh_source_parse(arg, &a->source) < 0) {
			snprintf(err, size, "--source: \"%s\" is not one of %s", arg,
				 mesh_source_names());
			return -EINVAL;
		}
		a->source_given = true;
		return 0;
	}
	return -EINVAL;
}

int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ 0 },
	};
	const struct command *self = command_find("doctor");
	struct doctor_args args = { 0 };
	struct diag d = { 0 };
	struct node_info node;
	struct report r;
	int i = cmd_parse_options(ctx, self, argc, argv, NULL, longopts, doctor_option, &args);

	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return cmd_usage_error(self, "unexpected argument '%s'", argv[i]);
	if (args.source_given && !args.all)
		return cmd_usage_error(self, "--source goes with --all");
	if (ctx_load_config(ctx, &d) < 0)
		return cmd_bad_input(ctx, &d);
	if (args.all)
		return cmd_doctor_all(ctx, args.source);

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
