/* SPDX-License-Identifier: MIT */
#include "mesh/sources.h"

#include "core/root.h"
#include "core/spawn.h"
#include "mesh/headscale.h"
#include "mesh/tailscale.h"
#include "mesh/mesh_private.h"

#include <errno.h>
#include <strings.h>

static const char *const source_names[] = {
	[MESH_SOURCE_AUTO] = "auto",
	[MESH_SOURCE_HEADSCALE] = "headscale",
	[MESH_SOURCE_TAILSCALE] = "tailscale",
	[MESH_SOURCE_TAILSCALE_WINDOWS] = "tailscale.exe",
	[MESH_SOURCE_CONFIG] = "config",
};

int mesh_source_parse(const char *s, enum mesh_source *out)
{
	int i = ENUM_PARSE(source_names, s);

	if (i < MESH_SOURCE_HEADSCALE) /* "auto" is not given, it is what none given means */
		return -EINVAL;
	*out = (enum mesh_source)i;
	return 0;
}

const char *mesh_source_name(enum mesh_source s)
{
	return ENUM_NAME(source_names, s, "?");
}

const char *mesh_source_names(void)
{
	return "headscale, tailscale, tailscale.exe, config";
}

static const char *config_name(const struct config *c)
{
	return c->source ? c->source : CONFIG_DEFAULT_PATH;
}

static int load_headscale(const struct config *c, int timeout_ms, struct mesh_nodes *out,
			  struct diag *d)
{
	_cleanup_free_ char *key = NULL, *ca = NULL;
	int r;

	if (!c->hs_url)
		return diag_set(d, config_name(c), 0,
				"source headscale: no [headscale] url configured"),
		       -ENOENT;
	if (c->hs_api_key)
		key = xstrdup(c->hs_api_key);
	else if (c->hs_api_key_file) {
		_cleanup_free_ char *p = root_path(c->hs_api_key_file);
		r = headscale_read_key_file(p, &key, d);
		if (r < 0)
			return r;
	} else
		return diag_set(d, config_name(c), 0,
				"[headscale] url is set but neither api_key_file nor api_key "
				"(create one with `headscale apikeys create` on the server)");
	if (c->hs_ca_file)
		ca = root_path(c->hs_ca_file);
	struct headscale_opts o = {
		.url = c->hs_url,
		.api_key = key,
		.ca_file = ca,
		.timeout_ms = timeout_ms,
	};
	r = headscale_fetch(&o, out, d);
	explicit_bzero(key, strlen(key));
	if (r == 0)
		out->control_plane = true;
	return r;
}

/* `tailscale status --json` (windows: the Windows host's tailscale.exe through interop): Self
 * first, then the peers. Only a Running backend has a current peer list. */
static int load_tailscale(bool windows, int timeout_ms, struct mesh_nodes *out, struct diag *d)
{
	const char *name = windows ? "tailscale.exe" : "tailscale";
	_cleanup_free_ char *source = xasprintf("%s status --json", name);
	struct ts_status st = { 0 };
	struct ts_run run = { 0 };
	struct ts_cli cli;
	int r;

	r = ts_cli_find(windows, &cli);
	if (r == SPAWN_REFUSED_ROOT) {
		diag_set(d, source, 0, "not asked under --root (meshnfs runs no program there)");
		return -ENOENT;
	}
	if (r < 0) {
		diag_set(d, source, 0, "%s",
			 windows ? "Tailscale for Windows not found (C:\\Program Files\\Tailscale\\"
				   "tailscale.exe, or tailscale.exe on PATH)"
				 : "no tailscale CLI on PATH");
		return -ENOENT;
	}
	r = ts_status_run(&cli, timeout_ms, &st, &run, d);
	switch (r) {
	case 0:
		if (st.backend != TS_RUNNING) {
			diag_set(d, source, 0,
				 "the %sTailscale service is %s, not Running: no current peer list "
				 "(%s)",
				 windows ? "Windows host's " : "", st.backend_state ? st.backend_state : "?",
				 windows ? "PowerShell: tailscale up" : "sudo tailscale up");
			r = -ENOTCONN;
			break;
		}
		ts_status_nodes(&st, source, out);
		out->control_plane = true;
		out->first_is_self = st.has_self;
		break;
	case -EBADMSG:
		break; /* the parser's diag names the program and the problem */
	case -ENOEXEC:
		diag_set(d, source, 0, "cannot run %s: Exec format error (WSL interop is broken)",
			 cli.path);
		break;
	case -ETIMEDOUT:
		diag_set(d, source, 0, "no answer within %d ms", timeout_ms);
		break;
	case -EPROTO:
		diag_set(d, source, 0, "exited with status %d%s%s (is the Tailscale service running?)",
			 run.exit_code, run.err_line ? ": " : "", run.err_line ? run.err_line : "");
		break;
	default:
		diag_set(d, source, 0, "cannot run %s: %s", cli.path, strerror(-r));
		break;
	}
	ts_status_free(&st);
	ts_run_free(&run);
	ts_cli_free(&cli);
	return r;
}

static int load_config(const struct config *c, struct mesh_nodes *out, struct diag *d)
{
	struct mesh_nodes l = { 0 };
	size_t with_addr = 0;

	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct config_node *cn = &c->nodes[i];
		if (!cn->n_addrs)
			continue; /* a role for another source's node, not a node of this list */
		struct mesh_node *n = mesh_nodes_add(&l);
		n->name = xstrdup(cn->name);
		for (size_t k = 0; k < cn->n_addrs; k++)
			mesh_node_add_ip(n, cn->addrs[k]);
		with_addr++;
	}
	if (!with_addr) {
		mesh_nodes_free(&l);
		return diag_set(d, config_name(c), 0, "source config: no node with an address in [nodes]"),
		       -ENOENT;
	}
	l.source = xasprintf("config %s", c->source ? c->source : "(built-in)");
	*out = l;
	return 0;
}

static const struct config_node *config_match(const struct config *c, const struct hindex *names,
					      const struct mesh_node *n)
{
	/* givenName first: it is the unique one (two Headscale nodes may share a name, as a
	 * Windows host and its stale WSL2 identity do). The first [nodes] entry of that name. */
	const char *name = n->given_name ? n->given_name : n->name;
	size_t k = name ? config_node_find(c, names, name) : SIZE_MAX;
	return k == SIZE_MAX ? NULL : &c->nodes[k];
}

void mesh_nodes_apply_config(struct mesh_nodes *l, const struct config *c)
{
	/* [nodes] by name: a list of thousands is matched in linear time, not its square. */
	struct hindex names = { 0 };
	config_nodes_index(c, &names);
	for (size_t i = 0; i < l->n; i++) {
		struct mesh_node *n = &l->nodes[i];
		const struct config_node *match = config_match(c, &names, n);
		if (!match)
			continue;
		if (match->role) {
			free(n->role);
			n->role = xstrdup(match->role);
		}
		if (match->os && !n->os)
			n->os = xstrdup(match->os);
		/* A Windows host's OS is Windows; a WSL2 distro's, Linux. */
		if (!n->os && n->role && streq(n->role, "windows"))
			n->os = xstrdup("windows");
		if (!n->os && n->role && streq(n->role, "wsl2"))
			n->os = xstrdup("linux");
	}
	hindex_free(&names);
}

/* The Windows node (other than self) holding one of n's addresses, or -1. */
static ssize_t windows_host_of(const struct mesh_nodes *l, const struct mesh_node *n)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mesh_node *h = &l->nodes[i];
		if (h == n || !mesh_node_is_windows(h))
			continue;
		for (size_t k = 0; k < n->n_ips; k++)
			if (mesh_node_has_ip(h, n->ips[k]))
				return (ssize_t)i;
	}
	return -1;
}

/* Moves the last node of l right after node h and the WSL2 distros already riding it. */
static void place_after(struct mesh_nodes *l, size_t h)
{
	size_t at = h + 1;
	struct mesh_node tmp = l->nodes[l->n - 1];

	while (at < l->n - 1 && l->nodes[at].role && streq(l->nodes[at].role, "wsl2") &&
	       windows_host_of(l, &l->nodes[at]) == (ssize_t)h)
		at++;
	memmove(&l->nodes[at + 1], &l->nodes[at], (l->n - 1 - at) * sizeof(*l->nodes));
	l->nodes[at] = tmp;
}

void mesh_nodes_link_wsl2(struct mesh_nodes *l, const struct config *c)
{
	/* Riders a control plane cannot list: [nodes] wsl2 entries with the host's address. */
	for (size_t i = 0; l->control_plane && i < c->n_nodes; i++) {
		const struct config_node *cn = &c->nodes[i];
		bool listed = false;
		if (!cn->role || !streq(cn->role, "wsl2") || !cn->n_addrs)
			continue;
		for (size_t k = 0; k < l->n && !listed; k++)
			listed = mesh_node_named(&l->nodes[k], cn->name);
		if (listed)
			continue;
		struct mesh_node probe = { .n_ips = cn->n_addrs };
		memcpy(probe.ips, cn->addrs, cn->n_addrs * sizeof(*cn->addrs));
		ssize_t h = windows_host_of(l, &probe);
		if (h < 0) {
			mesh_nodes_warn(l, "%s:%u: [nodes] %s = %s wsl2: no Windows node of %s holds that "
					"address (is the host connected, and its [nodes] role windows?)",
					config_name(c), cn->line, cn->name, cn->addrs[0],
					l->source ? l->source : "the list");
			continue;
		}
		struct mesh_node *n = mesh_nodes_add(l);
		n->name = xstrdup(cn->name);
		for (size_t k = 0; k < cn->n_addrs; k++)
			mesh_node_add_ip(n, cn->addrs[k]);
		n->role = xstrdup("wsl2");
		n->os = xstrdup(cn->os ? cn->os : "linux");
		place_after(l, (size_t)h);
	}
	for (size_t i = 0; i < l->n; i++) {
		struct mesh_node *n = &l->nodes[i];
		if (!n->role || !streq(n->role, "wsl2"))
			continue;
		ssize_t h = windows_host_of(l, n);
		if (h < 0)
			continue;
		const struct mesh_node *host = &l->nodes[h];
		free(n->via);
		n->via = xstrdup(mesh_node_display_name(host));
		if (n->path.kind == MESH_PATH_UNKNOWN) { /* its packets take the host's path */
			mesh_path_free(&n->path);
			mesh_path_copy(&n->path, &host->path);
		}
		if (n->online == MESH_UNKNOWN) {
			n->online = host->online;
			n->last_seen = host->last_seen;
		}
	}
}

void mesh_nodes_add_self_rider(struct mesh_nodes *l, const char *hostname)
{
	struct mesh_node *host = l->n ? &l->nodes[0] : NULL;

	if (!l->first_is_self || !host || !mesh_node_is_windows(host) || !host->n_ips)
		return;
	for (size_t i = 1; i < l->n; i++)
		if (l->nodes[i].via && streq(l->nodes[i].via, mesh_node_display_name(host)))
			return; /* [nodes] names this distro already */
	const char *hn = hostname && *hostname ? hostname : "this distro";
	char *name = host->name && strcasecmp(host->name, hn) == 0 ? xasprintf("%s (WSL2)", hn)
								   : xstrdup(hn);
	struct mesh_node *n = mesh_nodes_add(l);
	host = &l->nodes[0];
	n->name = name;
	for (size_t k = 0; k < host->n_ips; k++)
		mesh_node_add_ip(n, host->ips[k]);
	n->role = xstrdup("wsl2");
	n->os = xstrdup("linux");
	n->via = xstrdup(mesh_node_display_name(host));
	n->online = host->online;
	n->last_seen = host->last_seen;
	place_after(l, 0);
}

static int load_one(const struct config *c, enum mesh_source s, const struct mesh_load_opts *o,
		    struct mesh_nodes *out, struct diag *d)
{
	switch (s) {
	case MESH_SOURCE_HEADSCALE:
		return load_headscale(c, o->timeout_ms, out, d);
	case MESH_SOURCE_TAILSCALE:
		return load_tailscale(false, o->timeout_ms, out, d);
	case MESH_SOURCE_TAILSCALE_WINDOWS:
		return load_tailscale(true, o->timeout_ms, out, d);
	default:
		return load_config(c, out, d);
	}
}

/* In the automatic order: is source s there to be asked? */
static bool applies(const struct config *c, enum mesh_source s, bool wsl2)
{
	switch (s) {
	case MESH_SOURCE_HEADSCALE:
		return c->hs_url;
	case MESH_SOURCE_TAILSCALE: {
		if (wsl2)
			return false; /* a tailscale inside WSL2 is the problem, not the source */
		_cleanup_free_ char *p = spawn_which("tailscale");
		return p;
	}
	case MESH_SOURCE_TAILSCALE_WINDOWS:
		return wsl2;
	default:
		return true;
	}
}

int mesh_sources_load(const struct config *c, const struct mesh_load_opts *o,
		      struct mesh_nodes *out, struct diag *d)
{
	static const enum mesh_source order[] = {
		MESH_SOURCE_HEADSCALE,
		MESH_SOURCE_TAILSCALE,
		MESH_SOURCE_TAILSCALE_WINDOWS,
		MESH_SOURCE_CONFIG,
	};
	char **passed = NULL;
	size_t n_passed = 0;
	struct diag first = { 0 };
	int r = -ENOENT, r_first = 0;

	if (o->source != MESH_SOURCE_AUTO)
		r = load_one(c, o->source, o, out, d);
	else {
		for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
			struct diag di = { 0 };
			char msg[1200];
			if (!applies(c, order[i], o->wsl2))
				continue;
			r = load_one(c, order[i], o, out, &di);
			if (r == 0 || r == -EBADMSG) {
				*d = di;
				break;
			}
			if (r == -ENOENT && order[i] == MESH_SOURCE_CONFIG) {
				if (!r_first)
					*d = di;
				break; /* the config has no list: a failure before says more */
			}
			if (!r_first) {
				r_first = r;
				first = di;
			}
			diag_format(&di, msg, sizeof(msg));
			passed = xrealloc(passed, (n_passed + 1) * sizeof(*passed));
			passed[n_passed++] = xasprintf("%s; passed over for the next source", msg);
		}
		if (r < 0 && r != -EBADMSG && r_first) {
			r = r_first;
			*d = first;
		} else if (r == -ENOENT && !c->hs_url && !c->n_nodes)
			diag_set(d, config_name(c), 0,
				 "no node list: configure [headscale] url (and api_key_file) or list "
				 "the nodes in [nodes]");
	}
	if (r == 0) {
		out->wsl2 = o->wsl2;
		/* The notes on passed-over sources first. */
		for (size_t i = 0; i < n_passed; i++)
			mesh_nodes_warn(out, "%s", passed[i]);
		mesh_nodes_apply_config(out, c);
		mesh_nodes_link_wsl2(out, c);
		if (o->wsl2)
			mesh_nodes_add_self_rider(out, o->hostname);
	}
	for (size_t i = 0; i < n_passed; i++)
		free(passed[i]);
	free(passed);
	return r;
}
