/* SPDX-License-Identifier: MIT */
/* meshnfs env: what kind of node this is and what that implies. Read-only, no sockets. */
#include "cmd/cmd.h"

#include "core/escape.h"
#include "doctor/doctor.h"

#include "core/root.h"
#include "node/node.h"
#include "report/output.h"
#include "cmd/cmd_private.h"

#include <stdarg.h>

static const char *setting_text(enum setting s, const char *dflt)
{
	return s == SETTING_ON ? "true" : s == SETTING_OFF ? "false" : dflt;
}

static json_t *setting_json(enum setting s)
{
	return s == SETTING_UNSET ? json_null() : json_boolean(s == SETTING_ON);
}

/* What follows from the facts (doctor's judge), as JSON strings. */
static json_t *implications(const struct node_info *n)
{
	json_t *a = json_array();
	char **v = NULL;
	size_t k = doctor_node_follows(n, &v);

	for (size_t i = 0; i < k; i++) {
		json_array_append_new(a, json_text(v[i]));
		free(v[i]);
	}
	free(v);
	return a;
}

static json_t *node_json(const struct node_info *n)
{
	json_t *o = json_object(), *addrs = json_null();
	char a[16], a6[NETADDR_STRLEN];

	json_object_set_new(o, "kind", json_text(node_kind_name(n->kind)));
	json_object_set_new(o, "kind_reason", json_text(n->kind_reason));
	json_object_set_new(o, "kernel", json_str_or_null(n->osrelease));
	json_object_set_new(o, "distro", json_str_or_null(n->distro));
	json_object_set_new(o, "debian_like", json_boolean(n->debian_like));
	json_object_set_new(o, "systemd", json_boolean(n->systemd));
	json_object_set_new(o, "tun", json_boolean(n->tun));
	json_object_set_new(o, "tailscaled",
			    json_pack("{s:o, s:b, s:b}", "pid",
				      n->tailscaled_pid ? json_integer(n->tailscaled_pid) : json_null(),
				      "socket", n->tailscaled_socket, "interface", n->tailscale_iface));
	if (n->addrs_known || n->addrs6_known) {
		addrs = json_array();
		for (size_t i = 0; i < n->n_addrs; i++) {
			ipv4_format(n->addrs[i], a, sizeof(a));
			json_array_append_new(addrs, json_text(a));
		}
		for (size_t i = 0; i < n->n_addrs6; i++) {
			netaddr_format(&n->addrs6[i], a6, sizeof(a6));
			json_array_append_new(addrs, json_text(a6));
		}
	}
	json_object_set_new(o, "mesh_addresses", addrs);
	if (!n->is_wsl) {
		json_object_set_new(o, "wsl", json_null());
		return o;
	}
	const struct wsl_info *w = &n->wsl;
	json_t *wj = json_object();
	json_object_set_new(wj, "networking_mode", json_text(w->networking_mode));
	json_object_set_new(wj, "mode_source", json_text(mode_source_name(w->mode_source)));
	json_object_set_new(wj, "configured_mode",
			    json_str_or_null(w->configured_mode));
	json_object_set_new(wj, "systemd", json_boolean(n->systemd));
	json_object_set_new(wj, "interop", json_boolean(w->interop));
	json_object_set_new(wj, "binfmt_interop", json_boolean(w->binfmt_interop));
	json_object_set_new(wj, "wslconfig", json_str_or_null(w->wslconfig));
	json_object_set_new(wj, "wslconfig_target",
			    json_str_or_null(w->wslconfig_target));
	json_object_set_new(wj, "wslconfig_encoding",
			    w->wslconfig ? json_text(text_encoding_name(w->wslconfig_encoding))
					 : json_null());
	json_object_set_new(wj, "wsl_conf",
			    json_pack("{s:o, s:o, s:o}", "boot_systemd",
				      setting_json(w->conf_boot_systemd), "automount_mountfstab",
				      setting_json(w->conf_mount_fstab), "interop_enabled",
				      setting_json(w->conf_interop)));
	json_object_set_new(o, "wsl", wj);
	return o;
}

static void row(struct table *t, const char *k, const char *v)
{
	table_add_row(t, (const char *[]){ k, v });
}

static void print_human(const struct node_info *n, json_t *impl, FILE *f)
{
	struct table t;
	struct buf b = { 0 };
	char a[16];
	_cleanup_free_ char *kind = xasprintf("%s (%s)", node_kind_name(n->kind), n->kind_reason);
	_cleanup_free_ char *ts = n->tailscaled_pid ? xasprintf("running (pid %d)", (int)n->tailscaled_pid)
						    : xstrdup("not running");

	table_init(&t, 2);
	row(&t, "kind", kind);
	row(&t, "distro", n->distro ? n->distro : "unknown");
	row(&t, "systemd", n->systemd ? "running" : "not running");
	row(&t, "/dev/net/tun", n->tun ? "present" : "missing");
	if (n->tailscaled_socket || n->tailscale_iface) {
		char *s = xasprintf("%s%s%s", ts, n->tailscaled_socket ? ", socket present" : "",
				    n->tailscale_iface ? ", tailscale0 present" : "");
		free(ts);
		ts = s;
	}
	row(&t, "tailscaled", ts);
	buf_append(&b, "", 0);
	if (!n->addrs_known)
		buf_printf(&b, "unknown (no /proc/net/fib_trie)");
	for (size_t i = 0; n->addrs_known && i < n->n_addrs; i++) {
		ipv4_format(n->addrs[i], a, sizeof(a));
		buf_printf(&b, "%s%s", i ? ", " : "", a);
	}
	for (size_t i = 0; i < n->n_addrs6; i++) {
		char a6[NETADDR_STRLEN];
		netaddr_format(&n->addrs6[i], a6, sizeof(a6));
		buf_printf(&b, "%s%s", b.len ? ", " : "", a6);
	}
	row(&t, "mesh addresses", b.len ? b.data : "none");
	if (n->is_wsl) {
		const struct wsl_info *w = &n->wsl;
		_cleanup_free_ char *mode = xasprintf("%s (from %s)", w->networking_mode,
						      mode_source_name(w->mode_source));
		_cleanup_free_ char *cfg =
			w->wslconfig ? xasprintf("%s (%s%s)%s%s%s", w->wslconfig,
						 text_encoding_name(w->wslconfig_encoding),
						 w->wslconfig_crlf ? ", CRLF" : "",
						 w->configured_mode ? ": networkingMode=" : "",
						 w->configured_mode ? w->configured_mode : "",
						 w->configured_mode ? "" : ": no networkingMode")
				     : xstrdup("not found");
		_cleanup_free_ char *conf = xasprintf(
			"boot.systemd=%s automount.mountFsTab=%s interop.enabled=%s",
			setting_text(w->conf_boot_systemd, "unset"),
			setting_text(w->conf_mount_fstab, "unset(true)"),
			setting_text(w->conf_interop, "unset(true)"));
		row(&t, "networking", mode);
		row(&t, ".wslconfig", cfg);
		row(&t, "/etc/wsl.conf", conf);
		row(&t, "interop", w->interop ? "on" : w->binfmt_interop ? "off (wsl.conf)" : "off (no binfmt WSLInterop)");
	}
	table_print(&t, f);
	table_free(&t);
	buf_free(&b);

	size_t i;
	json_t *v;
	fputs("\nWhat follows:\n", f);
	json_array_foreach(impl, i, v)
		fprintf(f, "  - %s\n", json_string_value(v));
}

int cmd_env(struct ctx *ctx, int argc, char **argv)
{
	const struct command *self = command_find("env");
	struct node_info n;
	struct report r;
	int rc = cmd_start(ctx, self, argc, argv, NULL, NULL, NULL);

	if (rc)
		return rc;

	node_detect(&ctx->config, ctx->timeout_ms, &n);
	report_init(&r, "env");
	for (size_t k = 0; k < n.n_warnings; k++)
		report_add(&r, "env.input", CHECK_WARN, "%s", n.warnings[k]);
	json_t *impl = implications(&n);
	json_object_set_new(r.extra, "node", node_json(&n));
	json_object_set_new(r.extra, "implications", json_incref(impl));
	if (!ctx->json) {
		print_human(&n, impl, stdout);
		if (r.n_checks)
			fputs("\nInput problems:\n", stdout);
	}
	json_decref(impl);
	rc = cmd_finish(ctx, &r);
	report_free(&r);
	node_info_free(&n);
	return rc;
}
