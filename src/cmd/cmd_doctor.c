/* SPDX-License-Identifier: MIT */
/* meshnfs doctor: run every area's checks for this node and report. */
#include "cmd/cmd.h"

#include "doctor/doctor.h"
#include "mesh/sources.h"
#include "cmd/cmd_private.h"

#include <errno.h>

enum { OPT_ALL = 0x300, OPT_SOURCE, OPT_FORMAT };

struct doctor_args {
	bool all;
	bool source_given;
	enum mesh_source source;
	enum cmd_format format;
};

/* --format nagios: "MESHNFS DOCTOR WARNING - 1 fail, 2 warn, 9 ok: ID: summary; ..." (the
 * failures first, then the warnings) and each check's time as perfdata (U when not timed). */
static void doctor_print_nagios(const struct report *r, int64_t total_ms)
{
	static const char *const words[] = {
		[CHECK_SKIP] = "OK", [CHECK_OK] = "OK", [CHECK_WARN] = "WARNING",
		[CHECK_FAIL] = "CRITICAL",
	};
	size_t n[CHECK_FAIL + 1] = { 0 };
	const char *sep = ": ";

	for (size_t i = 0; i < r->n_checks; i++)
		n[r->checks[i].status]++;
	printf("MESHNFS DOCTOR %s - %zu fail, %zu warn, %zu ok, %zu skipped",
	       words[report_verdict(r)], n[CHECK_FAIL], n[CHECK_WARN], n[CHECK_OK], n[CHECK_SKIP]);
	for (int s = CHECK_FAIL; s >= CHECK_WARN; s--)
		for (size_t i = 0; i < r->n_checks; i++) {
			const struct check *c = &r->checks[i];
			if ((int)c->status != s)
				continue;
			printf("%s%s: ", sep, c->id);
			cmd_nagios_text(stdout, c->summary ? c->summary : "");
			sep = "; ";
		}
	fputs(" |", stdout);
	for (size_t i = 0; i < r->n_checks; i++)
		cmd_nagios_perf(stdout, r->checks[i].id, r->checks[i].ms, 0);
	cmd_nagios_perf(stdout, "total", total_ms, 0);
	fputc('\n', stdout);
	cmd_nagios_printed = true;
}

/* A check of report from into to; summary prefixed "[share NAME] " when prefix is given. */
static void copy_check(struct report *to, const struct check *c, const char *prefix)
{
	struct check *k = report_check(to, c->id, c->status,
				       .summary = xasprintf("%s%s%s%s", prefix ? "[share " : "",
							    prefix ? prefix : "", prefix ? "] " : "",
							    c->summary),
				       .detail = c->detail ? xstrdup(c->detail) : NULL,
				       .fix = c->fix ? xstrdup(c->fix) : NULL);
	k->ms = c->ms;
}

/* doctor for shares [from, to): the first one whole (this node's checks with it), then each
 * other share's own checks (doctor_check_per_share); a named share's own checks have their
 * summaries prefixed "[share NAME] ". JSON: "share" (the first one's name) and "shares": each share's server(s), export,
 * mount point, verdict and checks. */
static void doctor_shares(struct ctx *ctx, const struct node_info *node, size_t from, size_t to,
			  struct report *r)
{
	json_t *shares = json_array();

	for (size_t i = from; i < to; i++) {
		struct config_view v;
		struct report one, mine;
		config_view(&ctx->config, i, 0, &v);
		struct doctor doc = { .cfg = &v.cfg, .node = node, .timeout_ms = ctx->timeout_ms,
				      .verbose = ctx->verbose };
		bool named = !streq(v.share.name, CONFIG_DEFAULT_SHARE);
		report_init(&one, "doctor");
		report_init(&mine, "doctor");
		doctor_run(&doc, i == from ? r : &one);
		struct report *src = i == from ? r : &one;
		for (size_t k = 0; k < src->n_checks; k++) {
			struct check *c = &src->checks[k];
			if (!doctor_check_per_share(c->id))
				continue;
			copy_check(&mine, c, NULL);
			if (i != from)
				copy_check(r, c, named ? v.share.name : NULL);
			else if (named) { /* the first share's own checks, in place */
				char *t = xasprintf("[share %s] %s", v.share.name, c->summary);
				free(c->summary);
				c->summary = t;
			}
		}
		json_t *servers = json_array();
		for (size_t k = 0; k < v.share.n_servers; k++)
			json_array_append_new(servers, json_text(v.share.servers[k]));
		json_t *o = report_to_json(&mine);
		json_object_del(o, "command");
		json_object_set_new(o, "share", json_text(v.share.name));
		json_object_set_new(o, "servers", servers);
		json_object_set_new(o, "export", json_text(v.share.export_path));
		json_object_set_new(o, "mountpoint", json_text(v.share.mountpoint));
		json_array_append_new(shares, o);
		if (i == from)
			json_object_set_new(r->extra, "share", json_text(v.share.name));
		report_free(&one);
		report_free(&mine);
	}
	json_object_set_new(r->extra, "shares", shares);
}

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
	case OPT_FORMAT:
		return cmd_parse_format(arg, &a->format, err, size);
	}
	return -EINVAL;
}

int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "format", required_argument, NULL, OPT_FORMAT },
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
	if (args.format == FORMAT_JSON)
		ctx->json = true;
	if (args.format == FORMAT_NAGIOS && ctx->json)
		return cmd_usage_error(self, "--json and --format nagios exclude each other");
	if (args.format == FORMAT_NAGIOS && args.all)
		return cmd_usage_error(self, "--format nagios checks this node: run it on each node, "
					     "not with --all");
	if (ctx_load_config(ctx, &d) < 0)
		return cmd_bad_input(ctx, &d);
	if (args.all)
		return cmd_doctor_all(ctx, args.source);

	size_t from, to;
	int rc = cmd_shares(ctx, self, &from, &to);
	if (rc)
		return rc;
	int64_t start = now_ms();
	node_detect(&ctx->config, ctx->timeout_ms, &node);
	report_init(&r, "doctor");
	doctor_shares(ctx, &node, from, to, &r);
	if (args.format == FORMAT_NAGIOS) {
		doctor_print_nagios(&r, now_ms() - start);
		rc = report_exit_code(&r);
	} else
		rc = cmd_finish(ctx, &r);
	report_free(&r);
	node_info_free(&node);
	return rc;
}
