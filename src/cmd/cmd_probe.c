/* SPDX-License-Identifier: MIT */
/* meshnfs probe [HOST[:EXPORT]] (default: the configured server and export): the ladder
 * against one server, one line per step, then the diagnosis in plain words and the fix. Exit 0
 * when the diagnosis is ok, 1 when the probe was cut (no verdict), 2 otherwise. */
#include "cmd/cmd.h"

#include "core/escape.h"

#include "mesh/tailscale.h"
#include "net/gateway.h"
#include "net/net.h"
#include "net/probe.h"
#include "node/node.h"
#include "report/output.h"
#include "cmd/cmd_private.h"

#include <errno.h>

enum { OPT_NO_WRITE = 0x300, OPT_FORMAT };

struct probe_args {
	bool no_write;
	enum cmd_format format;
};

static int probe_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	struct probe_args *a = userdata;

	if (opt == OPT_NO_WRITE) {
		a->no_write = true;
		return 0;
	}
	if (opt == OPT_FORMAT)
		return cmd_parse_format(arg, &a->format, err, size);
	return -EINVAL;
}

/* --format nagios: "MESHNFS PROBE OK - ..." and each step's time as perfdata (U for a step
 * not run), the whole probe as 'total'. */
static void probe_print_nagios(const struct probe *p, const char *summary)
{
	bool ok = p->diagnosis == PROBE_OK;

	printf("MESHNFS PROBE %s - %s:%s ", ok ? "OK" : "CRITICAL", p->host,
	       p->export_path ? p->export_path : "");
	cmd_nagios_text(stdout, probe_diagnosis_name(p->diagnosis));
	fputs(": ", stdout);
	cmd_nagios_text(stdout, summary);
	fputs(" |", stdout);
	for (int i = 0; i < PROBE_N_STEPS; i++)
		cmd_nagios_perf(stdout, probe_step_name(i), p->steps[i].ms, p->step_ms);
	cmd_nagios_perf(stdout, "total", p->ms, 0);
	if (p->ladder.read) /* mtu_blackhole's evidence: the largest DF-set echo answered */
		fprintf(stdout, " 'mtu_passed'=%dB;;;0;%d", p->ladder.passed, p->ladder.mtu);
	fputc('\n', stdout);
	cmd_nagios_printed = true;
}

static json_t *probe_json(const struct probe *p, const char *summary, const char *fix)
{
	json_t *doc = json_object(), *steps = json_array(), *below;
	char src[NETADDR_STRLEN], addr[NETADDR_STRLEN];

	netaddr_format(&p->addr, addr, sizeof(addr));
	netaddr_format(&p->source, src, sizeof(src));
	json_object_set_new(doc, "command", json_string("probe"));
	json_object_set_new(doc, "server", json_text(p->host));
	json_object_set_new(doc, "address", json_text(addr));
	json_object_set_new(doc, "export", json_str_or_null(p->export_path));
	json_object_set_new(doc, "diagnosis", json_text(probe_diagnosis_name(p->diagnosis)));
	json_object_set_new(doc, "summary", json_text(summary));
	json_object_set_new(doc, "fix", json_str_or_null(fix));
	json_object_set_new(doc, "source", netaddr_is_set(&p->source) ? json_text(src) : json_null());
	json_object_set_new(doc, "source_in_mesh", json_boolean(p->source_in_mesh));
	json_object_set_new(doc, "owner_uid", p->owner_known ? json_integer((json_int_t)p->owner)
							     : json_null());
	json_object_set_new(doc, "timeout_ms", json_integer(p->step_ms));
	json_object_set_new(doc, "ms", json_integer(p->ms));
	for (int i = 0; i < PROBE_N_STEPS; i++) {
		const struct probe_step *s = &p->steps[i];
		json_array_append_new(
			steps, json_pack("{s:s, s:s, s:o, s:o}", "id", probe_step_name(i), "status",
					 probe_step_status_name(s->status), "ms",
					 s->ms >= 0 ? json_integer(s->ms) : json_null(), "detail",
					 json_str_or_null(s->detail)));
	}
	json_object_set_new(doc, "steps", steps);
	json_object_update(doc, below = probe_below_json(p));
	json_decref(below);
	return doc;
}

/* The path to the probed host from this machine's Tailscale, asked after the probe (its
 * packets made the path): NULL words when there is none to tell (no CLI, not a peer, --root). */
struct probe_path {
	int rc;
	struct mesh_path path;
	struct mesh_path_verdict v;
};

static void probe_path_get(struct ctx *ctx, const struct probe *p, struct probe_path *pp)
{
	const struct probe_step *tcp = &p->steps[PROBE_TCP];
	_cleanup_free_ char *peer = NULL;
	struct node_info self;
	char addr[NETADDR_STRLEN];

	*pp = (struct probe_path){ .v.level = -1 };
	if (!netaddr_is_set(&p->addr))
		return;
	netaddr_format(&p->addr, addr, sizeof(addr));
	node_detect(&ctx->config, ctx->timeout_ms, &self);
	pp->rc = ts_path_to(self.kind == NODE_WSL2, addr, p->host, ctx->timeout_ms, &pp->path, &peer);
	node_info_free(&self);
	if (pp->rc == 0)
		mesh_path_judge(&pp->path, peer ? peer : p->host,
				tcp->status == STEP_OK ? tcp->ms : -1, &pp->v);
}

static void probe_path_free(struct probe_path *pp)
{
	mesh_path_free(&pp->path);
	mesh_path_verdict_free(&pp->v);
}

static json_t *probe_path_json(const struct probe_path *pp)
{
	char name[64];

	if (pp->rc < 0)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o}", "path",
			 json_text(mesh_path_name(&pp->path, name, sizeof(name))), "relayed",
			 json_boolean(mesh_path_relayed(&pp->path)), "summary",
			 json_str_or_null(pp->v.summary), "fix", json_str_or_null(pp->v.fix));
}

static void probe_path_print(const struct probe_path *pp, bool color)
{
	char name[64];

	if (pp->rc < 0)
		return;
	output_color(stdout, color, check_status_color(pp->v.level > 0 ? CHECK_WARN : CHECK_OK));
	printf("path: %s", mesh_path_name(&pp->path, name, sizeof(name)));
	output_color(stdout, color, COLOR_RESET);
	printf(" (tailscale status --json)\n  %s\n", pp->v.summary);
	if (pp->v.level > 0 && pp->v.detail)
		printf("  %s\n", pp->v.detail);
	if (pp->v.level > 0 && pp->v.fix)
		printf("  fix: %s\n", pp->v.fix);
}

static void probe_print(const struct probe *p, const char *summary, const char *fix, bool color)
{
	/* An IPv6 host in brackets, as the operand takes it. */
	bool v6 = strchr(p->host, ':') != NULL;
	printf("probe %s%s%s:%s (each step at most %.1f s)\n", v6 ? "[" : "", p->host, v6 ? "]" : "",
	       p->export_path ? p->export_path : "", p->step_ms / 1000.0);
	for (int i = 0; i < PROBE_N_STEPS; i++) {
		const struct probe_step *s = &p->steps[i];
		char ms[32] = "-";
		if (s->ms >= 0)
			snprintf(ms, sizeof(ms), "%" PRId64 " ms", s->ms);
		printf("  ");
		output_color(stdout, color, check_status_color((enum check_status)s->status));
		printf("%-4s", probe_step_status_name(s->status));
		output_color(stdout, color, COLOR_RESET);
		printf("  %-9s  %8s  %s\n", probe_step_name(i), ms, s->detail ? s->detail : "");
	}
	enum check_status v = p->diagnosis == PROBE_OK    ? CHECK_OK
			      : p->diagnosis == PROBE_CUT ? CHECK_WARN
							  : CHECK_FAIL;
	output_color(stdout, color, check_status_color(v));
	printf("diagnosis: %s", probe_diagnosis_name(p->diagnosis));
	output_color(stdout, color, COLOR_RESET);
	printf(" (%" PRId64 " ms)\n  %s\n", p->ms, summary);
	if (fix)
		printf("fix: %s\n", fix);
}

/* The share's gateways, all at once (no HOST, a share with several servers): each one's
 * ladder as probe prints it, or with --json {"share", "gateways": [probe documents]}; exit
 * 0 when every gateway is ok, 2 when one is not (1 when the worst is a cut). */
static int probe_gateways(struct ctx *ctx, const struct config_share *sh, bool no_write)
{
	struct probe *pr = xcalloc(sh->n_servers, sizeof(*pr));
	json_t *list = json_array();
	int rc = EXIT_OK;

	if (gateway_probe_all((const char *const *)sh->servers, sh->n_servers, sh->export_path,
			      &ctx->config.mesh, ctx->timeout_ms, no_write, pr) < 0) {
		json_decref(list);
		free(pr);
		return cmd_internal_error("poll failed");
	}
	for (size_t i = 0; i < sh->n_servers; i++) {
		_cleanup_free_ char *summary = NULL, *fix = NULL;
		summary = probe_explain(&pr[i], &fix);
		if (ctx->json)
			json_array_append_new(list, probe_json(&pr[i], summary, fix));
		else {
			if (i)
				putchar('\n');
			printf("gateway %zu of %zu of share %s\n", i + 1, sh->n_servers, sh->name);
			probe_print(&pr[i], summary, fix,
				    output_want_color(STDOUT_FILENO, ctx->no_color));
		}
		int one = pr[i].diagnosis == PROBE_OK	 ? EXIT_OK
			  : pr[i].diagnosis == PROBE_CUT ? EXIT_WARN
							 : EXIT_FAIL;
		rc = one > rc ? one : rc;
		probe_free(&pr[i]);
	}
	if (ctx->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "share", json_text(sh->name));
		json_object_set_new(doc, "gateways", list);
		cmd_print_json(doc);
		json_decref(doc);
	} else
		json_decref(list);
	free(pr);
	return rc;
}

/* A SYN unanswered: the mesh's own witness, `tailscale ping --tsmp` (this node's tailscale,
 * else the Windows host's tailscale.exe), within the probe's timeout. */
static void ask_tsmp(struct probe *p, int timeout_ms)
{
	struct ts_cli cli;
	char err[512];

	if (ts_cli_find(false, &cli) < 0) {
		ts_cli_free(&cli);
		if (ts_cli_find(true, &cli) < 0) {
			ts_cli_free(&cli);
			return;
		}
	}
	probe_tsmp(p, cli.path, cli.exact, timeout_ms, err, sizeof(err));
	ts_cli_free(&cli);
}

int cmd_probe(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-write", no_argument, NULL, OPT_NO_WRITE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ 0 },
	};
	const struct command *self = command_find("probe");
	_cleanup_free_ char *host = NULL, *export_path = NULL, *summary = NULL, *fix = NULL;
	struct diag d = { 0 };
	struct probe_args a = { 0 };
	struct probe p;
	int i = cmd_parse_options(ctx, self, argc, argv, "", longopts, probe_option, &a);

	if (i < 0)
		return EXIT_USAGE;
	if (a.format == FORMAT_JSON)
		ctx->json = true;
	if (a.format == FORMAT_NAGIOS && ctx->json)
		return cmd_usage_error(self, "--json and --format nagios exclude each other");
	if (i + 1 < argc)
		return cmd_usage_error(self, "unexpected argument '%s'", argv[i + 1]);
	if (i < argc && net_parse_target(argv[i], &host, &export_path, &d) < 0)
		return cmd_usage_error(self, "%s", d.msg);
	if (ctx_load_config(ctx, &d) < 0)
		return cmd_bad_input(ctx, &d);
	int rc0 = host ? 0 : cmd_focus_share(ctx, self);
	if (rc0)
		return rc0;
	if (!host && a.format != FORMAT_NAGIOS) {
		size_t from, to;
		struct config_share sh;
		cmd_shares(ctx, self, &from, &to);
		config_share_get(&ctx->config, from, &sh);
		if (sh.n_servers > 1)
			return probe_gateways(ctx, &sh, a.no_write);
	}
	if (!host)
		host = xstrdup(ctx->config.server); /* no HOST: the configured server */
	if (!export_path)
		export_path = xstrdup(ctx->config.export_path);

	int r = probe_run(&p, &(struct probe_opts){ .host = host, .export_path = export_path,
						    .mesh = ctx->config.mesh, .mesh6 = ctx->config.mesh6,
						    .step_ms = ctx->timeout_ms, .no_write = a.no_write },
			  ctx->timeout_ms);
	if (r < 0) {
		probe_free(&p);
		return cmd_internal_error("poll: %s", strerror(-r));
	}
	if (p.diagnosis == PROBE_UNREACHABLE)
		ask_tsmp(&p, ctx->timeout_ms);
	summary = probe_explain(&p, &fix);
	struct probe_path pp = { .rc = -ENOENT };
	if (a.format != FORMAT_NAGIOS)
		probe_path_get(ctx, &p, &pp);
	if (a.format == FORMAT_NAGIOS)
		probe_print_nagios(&p, summary);
	else if (ctx->json) {
		json_t *doc = probe_json(&p, summary, fix);
		json_object_set_new(doc, "path", probe_path_json(&pp));
		cmd_print_json(doc);
		json_decref(doc);
	} else {
		bool color = output_want_color(STDOUT_FILENO, ctx->no_color);
		probe_print(&p, summary, fix, color);
		probe_path_print(&pp, color);
	}
	probe_path_free(&pp);
	/* Cut: no verdict either way (exit 1, as a warning). */
	int rc = p.diagnosis == PROBE_OK ? EXIT_OK : p.diagnosis == PROBE_CUT ? EXIT_WARN : EXIT_FAIL;
	probe_free(&p);
	return rc;
}
