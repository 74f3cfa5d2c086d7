/* SPDX-License-Identifier: MIT */
#include "config/config.h"

#include "core/root.h"
#include "format/ini.h"
#include "format/mnttab.h"
#include "config/config_private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <stddef.h>
#include <strings.h>

#define CONFIG_MAX_SIZE (256 * 1024)

enum value_kind {
	V_HOST, V_PATH, V_MOUNTPOINT, V_OPTIONS, V_RANGE, V_RANGE6, V_URL, V_SECRET, V_USER, V_COMMAND,
	V_INT, V_LISTEN, V_BACKEND, V_NAME, V_HOSTS
};

/* One row per accepted key: adding a setting is adding a row. */
static const struct config_key {
	const char *section, *key;
	enum value_kind kind;
	size_t offset;
	int min, max; /* V_INT only */
} keys[] = {
	{ "server", "address", V_HOST, offsetof(struct config, server), 0, 0 },
	{ "server", "export", V_PATH, offsetof(struct config, export_path), 0, 0 },
	{ "client", "mountpoint", V_MOUNTPOINT, offsetof(struct config, mountpoint), 0, 0 },
	{ "client", "options", V_OPTIONS, offsetof(struct config, mount_options), 0, 0 },
	{ "mesh", "range", V_RANGE, offsetof(struct config, mesh), 0, 0 },
	{ "mesh", "range6", V_RANGE6, offsetof(struct config, mesh6), 0, 0 },
	{ "headscale", "url", V_URL, offsetof(struct config, hs_url), 0, 0 },
	{ "headscale", "api_key", V_SECRET, offsetof(struct config, hs_api_key), 0, 0 },
	{ "headscale", "api_key_file", V_PATH, offsetof(struct config, hs_api_key_file), 0, 0 },
	{ "headscale", "ca_file", V_PATH, offsetof(struct config, hs_ca_file), 0, 0 },
	{ "fleet", "ssh_config", V_PATH, offsetof(struct config, fleet_ssh_config), 0, 0 },
	{ "fleet", "identity", V_PATH, offsetof(struct config, fleet_identity), 0, 0 },
	{ "fleet", "user", V_USER, offsetof(struct config, fleet_user), 0, 0 },
	{ "fleet", "meshnfs", V_COMMAND, offsetof(struct config, fleet_meshnfs), 0, 0 },
	{ "fleet", "sessions", V_INT, offsetof(struct config, fleet_sessions), 1, 64 },
	{ "fleet", "connect_timeout", V_INT, offsetof(struct config, fleet_connect_timeout), 1, 120 },
	{ "watch", "interval", V_INT, offsetof(struct config, watch_interval), 1, 86400 },
	{ "watch", "detach_after", V_INT, offsetof(struct config, watch_detach_after), 0, 86400 },
	{ "watch", "textfile", V_PATH, offsetof(struct config, watch_textfile), 0, 0 },
	{ "watch", "listen", V_LISTEN, offsetof(struct config, watch_listen), 0, 0 },
	{ "server", "backend", V_BACKEND, offsetof(struct config, backend), 0, 0 },
	{ "ceph", "conf", V_PATH, offsetof(struct config, ceph_conf), 0, 0 },
	{ "ceph", "user", V_NAME, offsetof(struct config, ceph_user), 0, 0 },
	{ "ceph", "keyring", V_PATH, offsetof(struct config, ceph_keyring), 0, 0 },
	{ "ceph", "fs", V_NAME, offsetof(struct config, ceph_fs), 0, 0 },
	{ "ceph", "path", V_PATH, offsetof(struct config, ceph_path), 0, 0 },
	{ "ceph", "pool", V_NAME, offsetof(struct config, ceph_pool), 0, 0 },
	{ "ceph", "namespace", V_NAME, offsetof(struct config, ceph_namespace), 0, 0 },
	{ "ceph", "nodeid", V_NAME, offsetof(struct config, ceph_nodeid), 0, 0 },
	/* [share NAME]: offsets into struct config_share; server and servers are one key. */
	{ "share", "server", V_HOSTS, offsetof(struct config_share, servers), 0, 0 },
	{ "share", "servers", V_HOSTS, offsetof(struct config_share, servers), 0, 0 },
	{ "share", "export", V_PATH, offsetof(struct config_share, export_path), 0, 0 },
	{ "share", "mountpoint", V_MOUNTPOINT, offsetof(struct config_share, mountpoint), 0, 0 },
	{ "share", "options", V_OPTIONS, offsetof(struct config_share, options), 0, 0 },
};

/* Sections whose keys are names chosen by the user, not listed in keys[]. */
static const char *const free_sections[] = { "nodes" };

static bool section_is_free(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(free_sections); i++)
		if (strcasecmp(free_sections[i], section) == 0)
			return true;
	return false;
}

int config_check_host(const char *s)
{
	struct netaddr a;
	size_t n = strlen(s);

	if (netaddr_parse(s, &a) == 0)
		return 0;
	/* A DNS name (MagicDNS or /etc/hosts): labels of letters, digits and '-'. */
	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return -EINVAL;
	bool all_digits_dots = true;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return -EINVAL;
		if (isalpha((unsigned char)*p) || *p == '-')
			all_digits_dots = false;
	}
	/* "100.64.0" or "1.2.3.4.5" are typos of addresses, not names. */
	return all_digits_dots ? -EINVAL : 0;
}

char *config_nfs_source(const char *server, const char *path)
{
	struct netaddr a;
	bool v6 = netaddr_parse(server, &a) == 0 && a.family == AF_INET6;

	return xasprintf("%s%s%s:%s", v6 ? "[" : "", server, v6 ? "]" : "", path);
}

int config_check_abs_path(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/' || n > 1024 || !str_is_printable(s, n))
		return -EINVAL;
	for (const char *p = s; (p = strstr(p, "/..")); p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return -EINVAL;
	return 0;
}

int config_check_mount_options(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 1024 || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.=,:/-+@", *p))
			return -EINVAL;
	return 0;
}

int config_check_https_url(const char *s)
{
	size_t n = strlen(s);

	if (!startswith(s, "https://") || n > 1024 || !str_is_printable(s, n))
		return -EINVAL;
	const char *host = s + strlen("https://");
	size_t hl = strcspn(host, "/");
	if (hl == 0 || host[0] == ':' || memchr(host, '@', hl))
		return -EINVAL; /* no host, or credentials in the URL */
	for (const char *p = s; *p; p++)
		if (*p == ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
			return -EINVAL;
	return 0;
}

int config_parse_listen(const char *s, uint32_t *addr, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	const char *ps = colon ? colon + 1 : s;
	char host[16];
	uint32_t a = 0x7f000001; /* loopback unless told otherwise */
	char *end;

	if (colon) {
		size_t n = (size_t)(colon - s);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
		if (n && ipv4_parse(host, &a) < 0)
			return -EINVAL;
	}
	if (!isdigit((unsigned char)*ps))
		return -EINVAL;
	errno = 0;
	long p = strtol(ps, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	if (addr)
		*addr = a;
	if (port)
		*port = (uint16_t)p;
	return 0;
}

int config_check_node_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return -EINVAL;
	return 0;
}

static int check_user(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || !(islower((unsigned char)s[0]) || s[0] == '_'))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("_-.", *p))
			return -EINVAL;
	return 0;
}

/* The program run on the nodes: it reaches the remote shell, so only plain path characters. */
static int check_command(const char *s)
{
	if (s[0] == '/' && config_check_abs_path(s) < 0)
		return -EINVAL;
	if (!*s || strlen(s) > 256)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._+-", *p))
			return -EINVAL;
	return 0;
}

/* A Ceph name (user, file system, pool, namespace): it goes into ganesha.conf between double
 * quotes and onto the ceph command line, so letters, digits and "._-" only. */
static int check_name(const char *s)
{
	size_t n = strlen(s);

	/* A leading '.' is Ceph's own habit (the nfs mgr module's pool is ".nfs"); "." and ".."
	 * alone are no names. */
	if (n == 0 || n > 64 || s[0] == '-' || streq(s, ".") || streq(s, ".."))
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return -EINVAL;
	return 0;
}

char *config_ceph_keyring(const struct config *c)
{
	if (c->ceph_keyring)
		return xstrdup(c->ceph_keyring);
	return xasprintf("/etc/ceph/ceph.client.%s.keyring", c->ceph_user);
}

const char *config_ceph_nodeid(const struct config *c, const char *hostname)
{
	if (c->ceph_nodeid)
		return c->ceph_nodeid;
	return hostname && check_name(hostname) == 0 ? hostname : "gateway";
}

static int check_secret(const char *s)
{
	size_t n = strlen(s);

	if (n < 8 || n > 512)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return -EINVAL;
	return 0;
}

void config_node_free(struct config_node *n)
{
	free(n->name);
	for (size_t i = 0; i < n->n_addrs; i++)
		free(n->addrs[i]);
	free(n->role);
	free(n->os);
	*n = (struct config_node){ 0 };
}

static bool is_address(const char *s)
{
	unsigned char buf[16];
	uint32_t a;
	return ipv4_parse(s, &a) == 0 || (strchr(s, ':') && inet_pton(AF_INET6, s, buf) == 1);
}

int config_parse_node_value(const char *value, struct config_node *n, char *err, size_t errsize)
{
	static const char *const roles[] = { "server", "client", "windows", "wsl2" };
	_cleanup_free_ char *copy = xstrdup(value);
	char *save = NULL;

	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		bool role = false;
		for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
			if (strcasecmp(tok, roles[i]) == 0) {
				if (n->role) {
					snprintf(err, errsize, "two roles (\"%s\" and \"%s\")", n->role, tok);
					return -EINVAL;
				}
				n->role = xstrdup(roles[i]);
				role = true;
			}
		if (role)
			continue;
		if (strncasecmp(tok, "os=", 3) == 0) {
			const char *os = tok + 3;
			bool good = *os && strlen(os) <= 32 && !n->os;
			for (const char *p = os; *p; p++)
				good &= isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
			if (!good) {
				snprintf(err, errsize, "bad os \"%s\" (one word, once)", os);
				return -EINVAL;
			}
			n->os = xstrdup(os);
			continue;
		}
		char *asave = NULL;
		if (!strchr("0123456789abcdefABCDEF:", tok[0]) || tok[strlen(tok) - 1] == ',' ||
		    strstr(tok, ",,")) {
			snprintf(err, errsize,
				 "\"%s\" is not an address, a role (server, client, windows, wsl2) or os=NAME",
				 tok);
			return -EINVAL;
		}
		for (char *a = strtok_r(tok, ",", &asave); a; a = strtok_r(NULL, ",", &asave)) {
			if (!is_address(a)) {
				snprintf(err, errsize,
					 "\"%s\" is not an address, a role (server, client, windows, wsl2) or os=NAME",
					 a);
				return -EINVAL;
			}
			if (n->n_addrs >= CONFIG_NODE_MAX_ADDRS) {
				snprintf(err, errsize, "more than %d addresses", CONFIG_NODE_MAX_ADDRS);
				return -EINVAL;
			}
			n->addrs[n->n_addrs++] = xstrdup(a);
		}
	}
	if (!n->n_addrs && !n->role && !n->os) {
		snprintf(err, errsize, "empty: give an address, a role or os=NAME");
		return -EINVAL;
	}
	return 0;
}

struct node_key {
	const struct config *c;
	const char *name;
};

static bool node_named(size_t i, const void *ctx)
{
	const struct node_key *k = ctx;
	return strcasecmp(k->c->nodes[i].name, k->name) == 0;
}

void config_nodes_index(const struct config *c, struct hindex *names)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].name)
			hindex_add(names, hash_strcase(c->nodes[i].name), i);
}

size_t config_node_find(const struct config *c, const struct hindex *names, const char *name)
{
	return hindex_find(names, hash_strcase(name), node_named, &(struct node_key){ c, name });
}

/* names: c's nodes by name (hash_strcase), so that a [nodes] of thousands is checked for
 * repeats in linear time. */
static int apply_node(const char *file, const struct ini_entry *e, struct config *c,
		      struct hindex *names, struct diag *diag)
{
	struct config_node n = { 0 };
	char err[300];

	if (config_check_node_name(e->key) < 0)
		return diag_set(diag, file, e->line, "nodes: \"%s\" is not a node name", e->key);
	size_t i = config_node_find(c, names, e->key);
	if (i != SIZE_MAX)
		return diag_set(diag, file, e->line, "nodes: \"%s\" listed twice (line %u)", e->key,
				c->nodes[i].line);
	if (config_parse_node_value(e->value, &n, err, sizeof(err)) < 0) {
		config_node_free(&n);
		return diag_set(diag, file, e->line, "nodes: %s: %s", e->key, err);
	}
	n.name = xstrdup(e->key);
	n.line = e->line;
	c->nodes = xrealloc(c->nodes, (c->n_nodes + 1) * sizeof(*c->nodes));
	hindex_add(names, hash_strcase(n.name), c->n_nodes);
	c->nodes[c->n_nodes++] = n;
	return 0;
}

static int check_value(const struct config_key *k, const char *value, char *err, size_t size);

int config_parse_servers(const char *value, char **servers, size_t *n, char *err,
			 size_t errsize)
{
	const char *p = value;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		_cleanup_free_ char *raw = xstrndup(p, len);
		_cleanup_free_ char *h = xstrdup(strstrip(raw));
		if (!*h || config_check_host(h) < 0) {
			snprintf(err, errsize, "\"%s\" is not an IP address or host name",
				 *h ? h : value);
			goto fail;
		}
		for (size_t i = 0; i < *n; i++)
			if (strcasecmp(servers[i], h) == 0) {
				snprintf(err, errsize, "\"%s\" listed twice", h);
				goto fail;
			}
		if (*n >= CONFIG_SHARE_MAX_SERVERS) {
			snprintf(err, errsize, "more than %d gateways", CONFIG_SHARE_MAX_SERVERS);
			goto fail;
		}
		servers[(*n)++] = TAKE_PTR(h);
		if (!p[len])
			return 0;
		p += len + 1;
	}
fail:
	for (size_t i = 0; i < *n; i++)
		free(servers[i]);
	*n = 0;
	return -EINVAL;
}

/* "share NAME" (any blanks between): NAME, "" for a bare [share]; NULL for other sections. */
static const char *share_section_name(const char *section)
{
	if (strncasecmp(section, "share", 5) != 0 || (section[5] && section[5] != ' '))
		return NULL;
	const char *n = section + 5;
	while (*n == ' ')
		n++;
	return n;
}

static struct config_share *share_by_section(struct config *c, const char *section)
{
	const char *name = share_section_name(section);

	for (size_t i = 0; name && i < c->n_shares; i++)
		if (strcasecmp(c->shares[i].name, name) == 0)
			return &c->shares[i];
	return NULL;
}

static void share_free(struct config_share *s)
{
	free(s->name);
	for (size_t i = 0; i < s->n_servers; i++)
		free(s->servers[i]);
	free(s->export_path);
	free(s->mountpoint);
	free(s->options);
	*s = (struct config_share){ 0 };
}

/* A [share NAME] header: the share, once. */
static int add_share(const char *file, const struct ini_entry *sec, struct config *c,
		     struct diag *diag)
{
	const char *name = share_section_name(sec->section);
	struct config_share *old = share_by_section(c, sec->section);

	if (old)
		return diag_set(diag, file, sec->line, "[share %s] given twice (first on line %u)",
				name, old->line);
	if (config_check_node_name(name) < 0 || strcasecmp(name, CONFIG_DEFAULT_SHARE) == 0)
		return diag_set(diag, file, sec->line,
				"\"%s\" is not a share name (letters, digits, \". _ -\", at most 63, "
				"not \"" CONFIG_DEFAULT_SHARE "\")",
				name);
	c->shares = xrealloc(c->shares, (c->n_shares + 1) * sizeof(*c->shares));
	c->shares[c->n_shares++] = (struct config_share){ .name = xstrdup(name), .line = sec->line };
	return 0;
}

static int apply_share(const char *file, const struct ini_entry *e, const struct config_key *k,
		       struct config_share *sh, struct diag *diag)
{
	unsigned *line = k->kind == V_HOSTS		     ? &sh->servers_line
			 : streq(k->key, "export")     ? &sh->export_line
			 : streq(k->key, "mountpoint") ? &sh->mountpoint_line
						       : &sh->options_line;
	char err[600];

	if (*line)
		return diag_set(diag, file, e->line, "%s given twice in [share %s] (first on line %u)",
				k->kind == V_HOSTS ? "server" : k->key, sh->name, *line);
	*line = e->line;
	if (k->kind == V_HOSTS) {
		if (config_parse_servers(e->value, sh->servers, &sh->n_servers, err, sizeof(err)) < 0)
			return diag_set(diag, file, e->line, "%s: %s", e->key, err);
		return 0;
	}
	if (check_value(k, e->value, err, sizeof(err)) < 0)
		return diag_set(diag, file, e->line, "%s: %s", e->key, err);
	char **slot = (char **)((char *)sh + k->offset);
	*slot = xstrdup(e->value);
	return 0;
}

static bool servers_overlap(const struct config_share *a, const struct config_share *b)
{
	for (size_t i = 0; i < a->n_servers; i++)
		for (size_t j = 0; j < b->n_servers; j++)
			if (strcasecmp(a->servers[i], b->servers[j]) == 0)
				return true;
	return false;
}

/* After the whole file: defaults of the named shares, and no mount point or export used twice. */
static int finish_shares(const char *file, struct config *c, bool server_or_client,
			 struct diag *diag)
{
	c->has_default_share = c->n_shares == 0 || server_or_client;
	for (size_t i = 0; i < c->n_shares; i++) {
		struct config_share *s = &c->shares[i];
		if (!s->export_path)
			return diag_set(diag, file, s->line,
					"[share %s] has no export: give export = PATH (the path the "
					"server exports)",
					s->name);
		if (!s->n_servers)
			s->servers[s->n_servers++] = xstrdup(c->server);
		if (!s->mountpoint)
			s->mountpoint = xstrdup(s->export_path);
		if (!s->options)
			s->options = xstrdup(c->mount_options);
	}
	size_t n = config_n_shares(c);
	for (size_t i = 1; i < n; i++) {
		struct config_share b;
		config_share_get(c, i, &b);
		for (size_t j = 0; j < i; j++) {
			struct config_share a;
			config_share_get(c, j, &a);
			_cleanup_free_ char *other =
				a.line ? xasprintf("[share %s]", a.name)
				       : xstrdup("the default share ([server] export, [client] "
						 "mountpoint)");
			if (mnttab_path_eq(a.mountpoint, b.mountpoint))
				return diag_set(diag, file, b.mountpoint_line ? b.mountpoint_line : b.line,
						"mount point %s used twice: [share %s]%s and %s",
						b.mountpoint, b.name,
						b.mountpoint_line ? "" : " (its export, as no mountpoint is given)",
						other);
			if (mnttab_path_eq(a.export_path, b.export_path) && servers_overlap(&a, &b))
				return diag_set(diag, file, b.export_line ? b.export_line : b.line,
						"export %s:%s used twice: [share %s] and %s",
						b.servers[0], b.export_path, b.name, other);
		}
	}
	return 0;
}

size_t config_n_shares(const struct config *c)
{
	return (c->has_default_share ? 1 : 0) + c->n_shares;
}

void config_share_get(const struct config *c, size_t i, struct config_share *out)
{
	if (c->has_default_share && i == 0) {
		*out = (struct config_share){ .name = (char *)CONFIG_DEFAULT_SHARE,
					      .servers = { c->server },
					      .n_servers = 1,
					      .export_path = c->export_path,
					      .mountpoint = c->mountpoint,
					      .options = c->mount_options };
		return;
	}
	*out = c->shares[i - (c->has_default_share ? 1 : 0)];
}

int config_share_find(const struct config *c, const char *name)
{
	size_t n = config_n_shares(c);

	for (size_t i = 0; i < n; i++) {
		struct config_share s;
		config_share_get(c, i, &s);
		if (strcasecmp(s.name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

int config_focus_share(struct config *c, const char *name)
{
	struct config_share sh;
	int i = name ? config_share_find(c, name) : 0;

	if (i < 0 || config_n_shares(c) == 0)
		return -ENOENT;
	config_share_get(c, (size_t)i, &sh);
	if (!sh.line)
		return 0; /* the default share: the fields are its own already */
	char *v[] = { xstrdup(sh.servers[0]), xstrdup(sh.export_path), xstrdup(sh.mountpoint),
		      xstrdup(sh.options) };
	free(c->server);
	free(c->export_path);
	free(c->mountpoint);
	free(c->mount_options);
	c->server = v[0];
	c->export_path = v[1];
	c->mountpoint = v[2];
	c->mount_options = v[3];
	return 0;
}

void config_view(const struct config *c, size_t i, size_t gw, struct config_view *v)
{
	config_share_get(c, i, &v->share);
	v->cfg = *c;
	v->cfg.server = v->share.servers[gw < v->share.n_servers ? gw : 0];
	v->cfg.export_path = v->share.export_path;
	v->cfg.mountpoint = v->share.mountpoint;
	v->cfg.mount_options = v->share.options;
	v->cfg.share = &v->share;
}

void config_defaults(struct config *c)
{
	config_free(c);
	c->server = xstrdup("100.64.0.1");
	c->export_path = xstrdup("/opt/shared");
	c->mountpoint = xstrdup("/opt/shared");
	c->mount_options =
		xstrdup("_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=50,retrans=2");
	cidr_parse("100.64.0.0/10", true, &c->mesh);
	cidr6_parse(TAILNET_RANGE6, true, &c->mesh6);
	c->fleet_sessions = 8;
	c->fleet_connect_timeout = 5;
	c->watch_interval = 10;
	c->backend = xstrdup("kernel");
	c->ceph_conf = xstrdup("/etc/ceph/ceph.conf");
	c->ceph_user = xstrdup("admin");
	c->ceph_fs = xstrdup("cephfs");
	c->ceph_path = xstrdup("/");
	c->ceph_pool = xstrdup("nfs-ganesha");
	c->ceph_namespace = xstrdup("grace");
	c->has_default_share = true;
}

/* Checks value for key k: 0, or -EINVAL with the problem in err, quoting the value (a message
 * for after "KEY: " in the file, "--OPTION: " on the command line). */
static int check_value(const struct config_key *k, const char *value, char *err, size_t size)
{
	const char *problem = NULL;
	bool quote = true;

	switch (k->kind) {
	case V_HOST:
		if (config_check_host(value) < 0)
			problem = "is not an IP address or host name";
		break;
	case V_PATH:
		if (config_check_abs_path(value) < 0)
			problem = "is not an absolute path";
		break;
	case V_MOUNTPOINT:
		if (config_check_abs_path(value) < 0)
			problem = "is not an absolute path";
		else if (streq(value, "/"))
			problem = "is the root directory: the share needs a mount point of its own";
		break;
	case V_OPTIONS:
		if (config_check_mount_options(value) < 0)
			return snprintf(err, size, "invalid mount options \"%s\"", value), -EINVAL;
		break;
	case V_RANGE: {
		struct cidr range;
		int r = cidr_parse(value, true, &range);
		if (r == -EDOM)
			problem = "has host bits set (did you mean the network address?)";
		else if (r < 0)
			problem = "is not an IPv4 CIDR range";
		break;
	}
	case V_RANGE6: {
		struct cidr6 range;
		int r = cidr6_parse(value, true, &range);
		if (r == -EDOM)
			problem = "has host bits set (did you mean the network address?)";
		else if (r < 0 || !strchr(value, '/'))
			problem = "is not an IPv6 CIDR range";
		break;
	}
	case V_URL:
		if (config_check_https_url(value) < 0)
			problem = "is not an https:// URL without credentials, query or fragment (the API "
				  "key must not travel in clear text)";
		break;
	case V_SECRET:
		if (check_secret(value) < 0)
			problem = "not a key (8 to 512 printable characters, no spaces)", quote = false;
		break;
	case V_USER:
		if (check_user(value) < 0)
			problem = "is not a user name";
		break;
	case V_COMMAND:
		if (check_command(value) < 0)
			problem = "is not a program name or absolute path";
		break;
	case V_HOSTS: {
		char *sv[CONFIG_SHARE_MAX_SERVERS];
		size_t n = 0;
		int r = config_parse_servers(value, sv, &n, err, size);
		for (size_t i = 0; i < n; i++)
			free(sv[i]);
		return r;
	}
	case V_LISTEN:
		if (config_parse_listen(value, NULL, NULL) < 0)
			problem = "is not [ADDRESS:]PORT (an IPv4 address, a port in 1..65535)";
		break;
	case V_BACKEND:
		if (!streq(value, "kernel") && !streq(value, "ganesha") && !streq(value, "ceph"))
			problem = "is not kernel, ganesha or ceph";
		break;
	case V_NAME:
		if (check_name(value) < 0)
			problem = "is not a Ceph name (letters, digits, '.', '_', '-'; at most 64)";
		break;
	case V_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < k->min || v > k->max)
			return snprintf(err, size, "\"%s\" is not a number in %d..%d", value, k->min,
					k->max), -EINVAL;
		break;
	}
	}
	if (!problem)
		return 0;
	if (quote)
		snprintf(err, size, "\"%s\" %s", value, problem);
	else
		snprintf(err, size, "%s", problem); /* a secret is not repeated */
	return -EINVAL;
}

int config_check_value(const char *section, const char *key, const char *value, char *err,
		       size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i].section, section) && streq(keys[i].key, key))
			return check_value(&keys[i], value, err, size);
	return snprintf(err, size, "no key %s in [%s]", key, section), -EINVAL;
}

/* seen[i]: the line keys[i] was set on, 0 before (a key given twice is an error: the last
 * one silently winning hid typos and merge left-overs). */
static int apply(const char *file, const struct ini_entry *e, struct config *c, unsigned *seen,
		 struct hindex *names, struct diag *diag)
{
	const struct config_key *k = NULL;
	bool section_known = false;

	if (section_is_free(e->section))
		return apply_node(file, e, c, names, diag);
	struct config_share *sh = share_by_section(c, e->section);
	if (sh) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			if (streq(keys[i].section, "share") && strcasecmp(keys[i].key, e->key) == 0)
				return apply_share(file, e, &keys[i], sh, diag);
		return diag_set(diag, file, e->line, "unknown key \"%s\" in [share %s]", e->key,
				sh->name);
	}

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcasecmp(keys[i].section, e->section) != 0)
			continue;
		section_known = true;
		if (strcasecmp(keys[i].key, e->key) == 0)
			k = &keys[i];
	}
	if (!section_known)
		return diag_set(diag, file, e->line, "unknown section [%s]", e->section);
	if (!k)
		return diag_set(diag, file, e->line, "unknown key \"%s\" in [%s]", e->key, e->section);
	if (seen[k - keys])
		return diag_set(diag, file, e->line, "%s given twice in [%s] (first on line %u)",
				k->key, k->section, seen[k - keys]);
	seen[k - keys] = e->line;

	void *slot = (char *)c + k->offset;
	char err[600];
	if (check_value(k, e->value, err, sizeof(err)) < 0)
		return diag_set(diag, file, e->line, "%s: %s", e->key, err);
	switch (k->kind) {
	case V_RANGE:
		cidr_parse(e->value, true, slot);
		return 0;
	case V_RANGE6:
		cidr6_parse(e->value, true, slot);
		return 0;
	case V_INT:
		*(int *)slot = (int)strtol(e->value, NULL, 10);
		return 0;
	case V_SECRET:
		c->hs_api_key_line = e->line;
		break;
	default:
		break;
	}
	char **s = slot;
	free(*s);
	*s = xstrdup(e->value);
	return 0;
}

int config_parse(const char *file, const char *data, size_t len, struct config *c,
		 struct diag *diag)
{
	struct ini_doc doc = { 0 };
	unsigned seen[ARRAY_SIZE(keys)] = { 0 };
	bool server_or_client = false;
	int r = ini_parse_buffer(file, data, len, false, &doc, diag);
	struct hindex names = { 0 };

	config_nodes_index(c, &names); /* any a parse before this one gave */

	for (size_t i = 0; r == 0 && i < doc.n_sections; i++) {
		const char *sec = doc.sections[i].section;
		server_or_client |= strcasecmp(sec, "server") == 0 || strcasecmp(sec, "client") == 0;
		if (share_section_name(sec))
			r = add_share(file, &doc.sections[i], c, diag);
	}
	for (size_t i = 0; r == 0 && i < doc.n_entries; i++) {
		if (!doc.entries[i].section[0])
			r = diag_set(diag, file, doc.entries[i].line, "key \"%s\" outside of a section",
				     doc.entries[i].key);
		else
			r = apply(file, &doc.entries[i], c, seen, &names, diag);
	}
	for (size_t i = 0; i < doc.n_entries; i++) /* the parser's copies of an api_key */
		if (strcasecmp(doc.entries[i].key, "api_key") == 0)
			explicit_bzero(doc.entries[i].value, strlen(doc.entries[i].value));
	for (size_t i = 0; r == 0 && i < doc.n_sections; i++) {
		bool known = section_is_free(doc.sections[i].section) ||
			     share_section_name(doc.sections[i].section);
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			known |= strcasecmp(keys[k].section, doc.sections[i].section) == 0;
		if (!known)
			r = diag_set(diag, file, doc.sections[i].line, "unknown section [%s]",
				     doc.sections[i].section);
	}
	if (r == 0)
		r = finish_shares(file, c, server_or_client, diag);
	hindex_free(&names);
	ini_doc_free(&doc);
	return r;
}

int config_load(const char *path, struct config *c, struct diag *diag)
{
	_cleanup_free_ char *resolved = NULL, *data = NULL;
	size_t len;
	int r;

	config_defaults(c);
	resolved = path ? xstrdup(path) : root_path(CONFIG_DEFAULT_PATH);
	r = read_input(resolved, CONFIG_MAX_SIZE, &data, &len, diag);
	if (r == -ENOENT && !path)
		return 0;
	if (r == -ENOENT)
		return diag_set(diag, resolved, 0, "cannot read: %s", strerror(ENOENT));
	if (r < 0)
		return r;
	size_t bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	r = config_parse(resolved, data + bom, len - bom, c, diag);
	explicit_bzero(data, len); /* it may hold the API key */
	if (r < 0)
		return r;
	/* Like ssh with a private key: a secret in a file others can read is refused. */
	if (c->hs_api_key) {
		struct stat st;
		int e = root_stat(resolved, &st);
		if (e < 0)
			return diag_set(diag, resolved, 0, "cannot stat: %s", strerror(-e));
		if (st.st_mode & 077)
			return diag_set(diag, resolved, c->hs_api_key_line,
					"api_key in a file readable by others (mode %04o): chmod 600 %s, "
					"or use api_key_file",
					(unsigned)(st.st_mode & 07777), resolved);
	}
	c->source = TAKE_PTR(resolved);
	return 0;
}

void config_free(struct config *c)
{
	free(c->server);
	free(c->export_path);
	free(c->mountpoint);
	free(c->mount_options);
	free(c->source);
	free(c->hs_url);
	if (c->hs_api_key)
		explicit_bzero(c->hs_api_key, strlen(c->hs_api_key));
	free(c->hs_api_key);
	free(c->hs_api_key_file);
	free(c->hs_ca_file);
	free(c->fleet_ssh_config);
	free(c->fleet_identity);
	free(c->fleet_user);
	free(c->fleet_meshnfs);
	free(c->watch_textfile);
	free(c->watch_listen);
	free(c->backend);
	free(c->ceph_conf);
	free(c->ceph_user);
	free(c->ceph_keyring);
	free(c->ceph_fs);
	free(c->ceph_path);
	free(c->ceph_pool);
	free(c->ceph_namespace);
	free(c->ceph_nodeid);
	for (size_t i = 0; i < c->n_nodes; i++)
		config_node_free(&c->nodes[i]);
	free(c->nodes);
	for (size_t i = 0; i < c->n_shares; i++)
		share_free(&c->shares[i]);
	free(c->shares);
	*c = (struct config){ 0 };
}
