/* SPDX-License-Identifier: MIT */
/* meshnfs doctor --all: doctor on every node of the mesh over ssh, one table. */
#include "cmd/cmd.h"

#include "core/escape.h"

#include "core/root.h"
#include "fleet/fleet.h"
#include "mesh/sources.h"
#include "report/output.h"
#include "cmd/cmd_private.h"

#include <errno.h>

static json_t *row_json(const struct fleet_row *row)
{
	const struct mesh_node *n = row->node;
	json_t *o = json_object(), *ips = json_array(), *checks = json_array();

	for (size_t i = 0; i < n->n_ips; i++)
		json_array_append_new(ips, json_text(n->ips[i]));
	for (size_t i = 0; i < row->n_checks; i++) {
		const struct fleet_check *c = &row->checks[i];
		json_array_append_new(checks, json_pack("{s:o, s:s, s:o, s:o}", "id", json_text(c->id),
							"status", check_status_name(c->status),
							"summary", json_text(c->summary), "fix",
							json_str_or_null(c->fix)));
	}
	json_object_set_new(o, "name", json_text(mesh_node_display_name(n)));
	json_object_set_new(o, "ips", ips);
	json_object_set_new(o, "os", json_str_or_null(n->os));
	json_object_set_new(o, "role", json_str_or_null(n->role));
	json_object_set_new(o, "online", n->online == MESH_UNKNOWN ? json_null()
								   : json_boolean(n->online == MESH_YES));
	json_object_set_new(o, "address", row->address[0] ? json_text(row->address) : json_null());
	json_object_set_new(o, "result", json_text(fleet_result_name(row->result)));
	json_object_set_new(o, "reason", json_str_or_null(row->reason));
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "exit_code", row->exit_code >= 0 ? json_integer(row->exit_code)
								 : json_null());
	json_object_set_new(o, "ms", row->ms >= 0 ? json_integer(row->ms) : json_null());
	return o;
}

/* One line of a cell: newlines and tabs become spaces. */
static char *flat(const char *s)
{
	char *f = xstrdup(s ? s : "");
	for (char *p = f; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return f;
}

static const char *result_text(enum fleet_result r)
{
	switch (r) {
	case FLEET_NOT_INSTALLED:
		return "not installed";
	case FLEET_NO_ADDRESS:
		return "no address";
	case FLEET_AUTH_FAILED:
		return "auth failed";
	case FLEET_HOST_KEY:
		return "host key";
	case FLEET_BAD_CONFIG:
		return "bad config";
	default:
		return fleet_result_name(r);
	}
}

static void print_table(const struct mesh_nodes *nodes, const struct fleet_row *rows, bool color,
			FILE *f)
{
	struct table t;
	int counts[FLEET_ERROR + 1] = { 0 };

	table_init(&t, 5);
	table_add_row(&t, (const char *[]){ "NODE", "ADDRESS", "VERDICT", "FAILING", "FIX" });
	for (size_t i = 0; i < nodes->n; i++) {
		const struct fleet_row *r = &rows[i];
		const char *name = mesh_node_display_name(r->node);
		const char *addr = r->address[0] ? r->address : "-";
		counts[r->result]++;
		if (!r->n_checks) {
			_cleanup_free_ char *why = flat(r->reason);
			table_add_row(&t, (const char *[]){ name, addr, result_text(r->result), why, "" });
			continue;
		}
		for (size_t k = 0; k < r->n_checks; k++) {
			const struct fleet_check *c = &r->checks[k];
			_cleanup_free_ char *what = xasprintf("%s%s: %s", c->id,
							      c->status == CHECK_WARN ? " (warn)" : "",
							      c->summary);
			_cleanup_free_ char *what1 = flat(what), *fix = flat(c->fix);
			table_add_row(&t, (const char *[]){ k ? "" : name, k ? "" : addr,
							    k ? "" : result_text(r->result), what1,
							    fix });
		}
	}
	table_print(&t, f);
	table_free(&t);

	fprintf(f, "\n%zu node%s:", nodes->n, nodes->n == 1 ? "" : "s");
	bool first = true;
	for (int k = 0; k <= FLEET_ERROR; k++) {
		if (!counts[k])
			continue;
		fprintf(f, "%s %d ", first ? "" : ",", counts[k]);
		output_color(f, color, check_status_color(fleet_result_status(k)));
		fputs(result_text(k), f);
		output_color(f, color, COLOR_RESET);
		first = false;
	}
	fprintf(f, " (nodes from %s)\n", nodes->source ? nodes->source : "?");
}

int cmd_doctor_all(struct ctx *ctx, int source)
{
	struct mesh_nodes nodes = { 0 };
	struct fleet_row *rows = NULL;
	const struct config *c = &ctx->config;
	int r;

	r = cmd_mesh_nodes(ctx, "doctor", source, &nodes);
	if (r)
		return r;

	_cleanup_free_ char *ssh_config = c->fleet_ssh_config ? root_path(c->fleet_ssh_config) : NULL;
	_cleanup_free_ char *identity = c->fleet_identity ? root_path(c->fleet_identity) : NULL;
	struct fleet_opts o = {
		.ssh_config = ssh_config,
		.identity = identity,
		.user = c->fleet_user,
		.meshnfs = c->fleet_meshnfs,
		.sessions = c->fleet_sessions,
		.connect_timeout_s = c->fleet_connect_timeout,
		.timeout_ms = ctx->timeout_ms,
		.mesh = &c->mesh,
	};
	fleet_run(&o, &nodes, &rows);
	for (size_t i = 0; i < nodes.n; i++)
		if (rows[i].warning)
			mesh_nodes_warn(&nodes, "%s: %s", mesh_node_display_name(rows[i].node),
					rows[i].warning);

	struct report across;
	report_init(&across, "doctor");
	fleet_judge(&nodes, rows, c->server, &across);
	enum check_status worst = CHECK_OK;
	for (size_t i = 0; i < nodes.n; i++)
		if (fleet_result_status(rows[i].result) > worst)
			worst = fleet_result_status(rows[i].result);
	if (report_verdict(&across) > worst)
		worst = report_verdict(&across);
	if (ctx->json) {
		json_t *doc = json_object(), *arr = json_array();
		for (size_t i = 0; i < nodes.n; i++)
			json_array_append_new(arr, row_json(&rows[i]));
		json_object_set_new(doc, "command", json_string("doctor"));
		json_object_set_new(doc, "all", json_true());
		json_object_set_new(doc, "verdict", json_text(check_status_name(worst)));
		json_object_set_new(doc, "source", json_text(nodes.source ? nodes.source : ""));
		json_object_set_new(doc, "nodes", arr);
		json_t *aj = report_to_json(&across);
		json_object_set(doc, "checks", json_object_get(aj, "checks"));
		json_decref(aj);
		json_t *w = json_array();
		for (size_t i = 0; i < nodes.n_warnings; i++)
			json_array_append_new(w, json_text(nodes.warnings[i]));
		json_object_set_new(doc, "warnings", w);
		cmd_print_json(doc);
		json_decref(doc);
	} else {
		bool color = output_want_color(STDOUT_FILENO, ctx->no_color);
		print_table(&nodes, rows, color, stdout);
		if (across.n_checks) {
			fputs("\nAcross the nodes:\n", stdout);
			report_print_human(&across, stdout, color);
		}
		cmd_print_warnings(stdout, nodes.warnings, nodes.n_warnings, color);
	}
	report_free(&across);
	fleet_rows_free(rows, nodes.n);
	mesh_nodes_free(&nodes);
	return worst == CHECK_FAIL ? EXIT_FAIL : worst == CHECK_WARN ? EXIT_WARN : EXIT_OK;
}
