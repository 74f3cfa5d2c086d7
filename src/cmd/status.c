/* SPDX-License-Identifier: MIT */
/* meshnfs status: the guide's topology table, live. Nodes from the sources in their order,
 * every address probed at once (src/status), one table (or JSON) and the warnings. */
#include "cmd/cmd.h"

#include "core/escape.h"

#include "report/output.h"
#include "status/status.h"
#include "cmd/cmd_private.h"

#include <ctype.h>
#include <errno.h>

enum { OPT_SOURCE = 0x300, OPT_NO_WRITE, OPT_PARALLEL };

struct status_args {
	enum mesh_source source;
	bool no_write;
	size_t parallel;
};

static int status_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	struct status_args *a = userdata;
	char *end;
	long v;

	switch (opt) {
	case OPT_SOURCE:
		if (mesh_source_parse(arg, &a->source) < 0) {
			snprintf(err, size, "--source: \"%s\" is not one of %s", arg,
				 mesh_source_names());
			return -EINVAL;
		}
		return 0;
	case OPT_NO_WRITE:
		a->no_write = true;
		return 0;
	case OPT_PARALLEL:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > 4096) {
			snprintf(err, size, "--parallel: \"%s\" is not a number in 1..4096", arg);
			return -EINVAL;
		}
		a->parallel = (size_t)v;
		return 0;
	}
	return -EINVAL;
}

/* The progress line: on a terminal only, a few times a second, erased at the end. */
struct progress {
	int64_t last;
	bool shown;
};

static void progress_show(size_t finished, size_t n, int64_t ms_left, void *userdata)
{
	struct progress *pr = userdata;
	int64_t now = now_ms();

	if (now - pr->last < 100 && finished < n)
		return;
	pr->last = now;
	pr->shown = true;
	output_raw(stderr, "\r");
	fprintf(stderr, "meshnfs status: %zu of %zu addresses probed, %.1f s left", finished, n,
		ms_left > 0 ? ms_left / 1000.0 : 0.0);
	output_raw(stderr, "\033[K");
}

static json_t *row_json(const struct status *st, const struct status_row *r)
{
	const struct mesh_node *n = r->node;
	const struct status_target *t = status_row_target(st, r);
	json_t *o = json_object(), *ips = json_array(), *nfs = json_null();
	int64_t lat = status_row_latency(st, r);
	char addr[NETADDR_STRLEN], path[64];

	for (size_t i = 0; i < n->n_ips; i++)
		json_array_append_new(ips, json_text(n->ips[i]));
	if (t) {
		const struct probe_step *failed = NULL;
		int last = -1;
		for (int k = 0; k < PROBE_N_STEPS; k++) {
			if (t->p.steps[k].status == STEP_SKIP)
				continue;
			last = k;
			if (!failed && t->p.steps[k].status == STEP_FAIL)
				failed = &t->p.steps[k];
		}
		/* A cut: the step that was cut says why. */
		if (!failed && t->p.diagnosis == PROBE_CUT && last >= 0)
			failed = &t->p.steps[last];
		netaddr_format(&t->addr, addr, sizeof(addr));
		nfs = json_pack("{s:s, s:I, s:b, s:b, s:s, s:o}", "diagnosis",
				probe_diagnosis_name(t->p.diagnosis), "ms", (json_int_t)t->p.ms,
				"full_ladder", t->full, "cut", t->p.cut, "step",
				probe_step_name(last < 0 ? PROBE_ROUTE : last), "detail",
				json_str_or_null(failed ? failed->detail : NULL));
	}
	json_object_set_new(o, "name", json_text(r->name));
	json_object_set_new(o, "ips", ips);
	json_object_set_new(o, "os", json_str_or_null(n->os));
	json_object_set_new(o, "role", json_str_or_null(status_role_name(r->role)));
	json_object_set_new(o, "online", n->online == MESH_UNKNOWN ? json_null()
								   : json_boolean(n->online == MESH_YES));
	json_object_set_new(o, "nfs", nfs);
	json_object_set_new(o, "latency_ms", lat >= 0 ? json_integer(lat) : json_null());
	json_object_set_new(o, "address", t ? json_text(addr) : json_null());
	json_object_set_new(o, "via", json_str_or_null(n->via));
	json_object_set_new(o, "path", r->self ? json_null()
					       : json_text(mesh_path_name(&r->path, path, sizeof(path))));
	json_object_set_new(o, "not_probed",
			    t ? json_null()
			      : json_text(r->not_probed ? r->not_probed
							  : "the run's deadline came first"));
	return o;
}

/* "ceph": the cluster's health once ([server] backend = ceph), or null. */
static json_t *ceph_json(const struct status_ceph *c)
{
	if (!c->wanted)
		return json_null();
	if (!c->asked || c->run.rc < 0) {
		_cleanup_free_ char *line = status_ceph_line(c);
		return json_pack("{s:o, s:b, s:o}", "health", json_null(), "cut",
				 c->asked && c->run.rc == -ETIMEDOUT, "error", json_text(line));
	}
	json_t *checks = json_array();
	for (size_t i = 0; i < c->st.n_checks; i++)
		json_array_append_new(checks, json_pack("{s:o, s:s, s:o}", "code",
							json_text(c->st.checks[i].code), "severity",
							ceph_health_name(c->st.checks[i].severity),
							"message", json_text(c->st.checks[i].message)));
	return json_pack("{s:o, s:s, s:o, s:i, s:i}", "fsid", json_text(c->st.fsid), "health",
			 ceph_health_name(c->st.health), "checks", checks, "osds", c->st.num_osds,
			 "osds_up", c->st.num_up_osds);
}

/* "shares": each share's gateways (the row's node, the probe's diagnosis, healthy, the one
 * clients should use) and its verdict. */
static json_t *shares_json(const struct status *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->n_shares; i++) {
		const struct status_share *x = &st->shares[i];
		json_t *gws = json_array();
		for (size_t k = 0; k < x->n; k++)
			json_array_append_new(
				gws, json_pack("{s:o, s:o, s:o, s:b, s:b}", "host", json_text(x->gateway[k]),
					       "node", x->row[k] == SIZE_MAX ? json_null()
									     : json_text(st->rows[x->row[k]].name),
					       "diagnosis", x->diag[k] == PROBE_PENDING
								    ? json_null()
								    : json_string(probe_diagnosis_name(x->diag[k])),
					       "healthy", x->healthy[k], "use", (int)k == x->use));
		json_array_append_new(
			a, json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:b, s:s}", "share", json_text(x->name),
				     "export", json_text(x->export_path), "mountpoint",
				     json_text(x->mountpoint), "gateways", gws, "healthy",
				     (json_int_t)x->n_healthy, "use",
				     x->use < 0 ? json_null() : json_text(x->gateway[x->use]), "available",
				     x->n_healthy > 0, "verdict", check_status_name(x->verdict)));
	}
	return a;
}

static json_t *status_json(const struct status *st)
{
	json_t *doc = json_object(), *nodes = json_array(), *w = json_array();

	for (size_t i = 0; i < st->n_rows; i++)
		json_array_append_new(nodes, row_json(st, &st->rows[i]));
	for (size_t i = 0; i < st->n_warnings; i++) {
		const struct status_warning *x = &st->warnings[i];
		json_array_append_new(w, json_pack("{s:s, s:o, s:o, s:o}", "kind",
						   status_warning_kind_name(x->kind), "node",
						   json_str_or_null(x->node), "message", json_text(x->message), "fix",
						   json_str_or_null(x->fix)));
	}
	json_object_set_new(doc, "command", json_string("status"));
	json_object_set_new(doc, "verdict", json_text(check_status_name(status_verdict(st))));
	json_object_set_new(doc, "source", json_str_or_null(st->nodes->source));
	json_object_set_new(doc, "timeout_ms", json_integer(st->o.timeout_ms));
	json_object_set_new(doc, "ms", json_integer(st->ms));
	json_object_set_new(doc, "nodes", nodes);
	json_object_set_new(doc, "warnings", w);
	if (st->n_shares)
		json_object_set_new(doc, "shares", shares_json(st));
	return doc;
}

static char *os_title(const char *os)
{
	char *s;

	if (!os || !*os)
		return xstrdup("-");
	if (strcasecmp(os, "linux") == 0)
		return xstrdup("Linux");
	if (strcasecmp(os, "windows") == 0)
		return xstrdup("Windows");
	s = xstrdup(os);
	s[0] = (char)toupper((unsigned char)s[0]);
	return s;
}

static char *nfs_cell(const struct status *st, const struct status_row *r)
{
	const struct status_target *t = status_row_target(st, r);

	if (!t)
		return xstrdup(r->target == SIZE_MAX ? "-" : "not probed");
	if (r->role != STATUS_ROLE_SERVER && !(t->tcp_ms >= 0 || t->full))
		return xstrdup("-");
	if (t->no_time_left)
		return xstrdup("answers (ladder cut)");
	return xstrdup(probe_diagnosis_name(t->p.diagnosis));
}

static char *latency_cell(const struct status *st, const struct status_row *r)
{
	int64_t lat = status_row_latency(st, r);

	if (lat >= 0)
		return xasprintf("%" PRId64 " ms", lat);
	return xstrdup(status_row_target(st, r) ? "no answer" : "-");
}

/* One row per gateway of each share: its node, the probe's diagnosis, and which one clients
 * should use; then each share's verdict. */
static void print_shares(const struct status *st, FILE *f)
{
	struct table t;

	table_init(&t, 5);
	table_add_row(&t, (const char *[]){ "SHARE", "EXPORT", "GATEWAY", "NFS", "USE" });
	for (size_t i = 0; i < st->n_shares; i++) {
		const struct status_share *x = &st->shares[i];
		for (size_t k = 0; k < x->n; k++) {
			const char *node = x->row[k] == SIZE_MAX ? NULL : st->rows[x->row[k]].name;
			_cleanup_free_ char *gw = node && !streq(node, x->gateway[k])
							  ? xasprintf("%s (%s)", x->gateway[k], node)
							  : xstrdup(x->gateway[k]);
			table_add_row(&t, (const char *[]){
						  k ? "" : x->name, k ? "" : x->export_path, gw,
						  x->diag[k] == PROBE_PENDING ? "not probed"
									      : probe_diagnosis_name(x->diag[k]),
						  (int)k == x->use ? "yes: clients use it"
						  : x->healthy[k]  ? "standby"
								   : "no" });
		}
	}
	fputc('\n', f);
	table_print(&t, f);
	table_free(&t);
	for (size_t i = 0; i < st->n_shares; i++) {
		const struct status_share *x = &st->shares[i];
		if (x->verdict == CHECK_FAIL)
			fprintf(f, "share %s: unavailable: none of its %zu gateway%s answers\n", x->name,
				x->n, x->n == 1 ? "" : "s");
		else
			fprintf(f, "share %s: available: %zu of %zu gateway%s answer; clients use %s\n",
				x->name, x->n_healthy, x->n, x->n == 1 ? "" : "s", x->gateway[x->use]);
	}
}

static void print_table(const struct status *st, bool color, FILE *f)
{
	struct table t;

	table_init(&t, 8);
	table_add_row(&t, (const char *[]){ "NODE", "MESH IP", "OS", "ROLE", "ONLINE", "NFS",
					     "LATENCY", "PATH" });
	for (size_t i = 0; i < st->n_rows; i++) {
		const struct status_row *r = &st->rows[i];
		const struct mesh_node *n = r->node;
		struct buf ips = { 0 };
		for (size_t k = 0; k < n->n_ips; k++)
			buf_printf(&ips, "%s%s", k ? " " : "", n->ips[k]);
		_cleanup_free_ char *os = os_title(n->os), *nfs = nfs_cell(st, r),
				    *lat = latency_cell(st, r);
		const char *role = status_role_title(r->role);
		if (r->role == STATUS_ROLE_WSL2 && !n->via)
			role = "WSL2 (own identity)";
		else if (r->role == STATUS_ROLE_SERVER && status_row_is_gateway(st, i))
			role = "gateway";
		char path[64];
		table_add_row(&t, (const char *[]){ r->name, ips.data ? ips.data : "-", os, role,
						     n->online == MESH_UNKNOWN ? "-"
						     : n->online == MESH_YES  ? "yes"
									      : "no",
						     nfs, lat,
						     r->self ? "-"
							     : mesh_path_name(&r->path, path,
									      sizeof(path)) });
		buf_free(&ips);
	}
	table_print(&t, f);
	table_free(&t);
	if (st->n_shares)
		print_shares(st, f);

	size_t answered = 0;
	for (size_t i = 0; i < st->n_targets; i++)
		answered += !st->targets[i].share_only && status_target_answered(&st->targets[i]);
	enum check_status v = status_verdict(st);
	fprintf(f, "\n%zu node%s from %s; %zu of %zu addresses answered, in %.1f s (--timeout "
		   "%.1f s): ",
		st->nodes->n, st->nodes->n == 1 ? "" : "s",
		st->nodes->source ? st->nodes->source : "?", answered, status_n_addresses(st),
		st->ms / 1000.0, st->o.timeout_ms / 1000.0);
	output_color(f, color, check_status_color(v));
	fputs(check_status_name(v), f);
	output_color(f, color, COLOR_RESET);
	fputc('\n', f);
	for (size_t i = 0; i < st->n_warnings; i++) {
		const struct status_warning *w = &st->warnings[i];
		output_color(f, color, COLOR_YELLOW);
		fputs("warning:", f);
		output_color(f, color, COLOR_RESET);
		fprintf(f, " %s\n", w->message);
		if (w->fix)
			fprintf(f, "  fix: %s\n", w->fix);
	}
}

int cmd_status(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "no-write", no_argument, NULL, OPT_NO_WRITE },
		{ "parallel", required_argument, NULL, OPT_PARALLEL },
		{ 0 },
	};
	const struct command *self = command_find("status");
	struct status_args args = { .source = MESH_SOURCE_AUTO };
	struct mesh_nodes nodes = { 0 };
	struct progress pr = { 0 };
	struct status st;
	int rc = cmd_start(ctx, self, argc, argv, longopts, status_option, &args);

	if (rc == 0)
		rc = cmd_focus_share(ctx, self);
	if (rc)
		return rc;
	rc = cmd_mesh_nodes(ctx, "status", args.source, &nodes);
	if (rc)
		return rc;

	struct status_opts o = {
		.cfg = &ctx->config,
		.share = ctx->share,
		.timeout_ms = ctx->timeout_ms,
		.max_ladders = args.parallel,
		.no_write = args.no_write,
		.progress = isatty(STDERR_FILENO) ? progress_show : NULL,
		.userdata = &pr,
	};
	struct status_ceph ceph;
	status_ceph_start(&ceph, &ctx->config, ctx->timeout_ms); /* alongside the probes */
	status_plan(&st, &nodes, &o);
	int r = status_run(&st);
	status_ceph_wait(&ceph);
	if (pr.shown)
		output_raw(stderr, "\r\033[K");
	if (r == 0)
		status_paths(&st); /* no CLI, or it failed: the list's paths stay */
	if (r < 0) {
		status_free(&st);
		status_ceph_free(&ceph);
		mesh_nodes_free(&nodes);
		return cmd_internal_error("poll: %s", strerror(-r));
	}
	status_judge(&st);
	if (ctx->json) {
		json_t *doc = status_json(&st);
		json_object_set_new(doc, "ceph", ceph_json(&ceph));
		cmd_print_json(doc);
		json_decref(doc);
	} else {
		print_table(&st, output_want_color(STDOUT_FILENO, ctx->no_color), stdout);
		_cleanup_free_ char *line = status_ceph_line(&ceph);
		if (line)
			printf("%s\n", line);
	}
	enum check_status v = status_verdict(&st);
	status_free(&st);
	status_ceph_free(&ceph);
	mesh_nodes_free(&nodes);
	return v == CHECK_FAIL ? EXIT_FAIL : v == CHECK_WARN ? EXIT_WARN : EXIT_OK;
}
