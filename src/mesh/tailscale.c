/* SPDX-License-Identifier: MIT */
#include "mesh/tailscale.h"

#include "core/escape.h"

#include "core/root.h"
#include "core/spawn.h"
#include "format/rfc3339.h"
#include "mesh/mesh_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#define TS_MAX_STRING 4096
#define TS_MAX_HEALTH 256

/* The parse context: where messages point. */
struct ts_ctx {
	const char *source;
	struct diag *diag;
};

static int bad(struct ts_ctx *c, const char *field, const char *fmt, const char *arg)
{
	char msg[400];

	snprintf(msg, sizeof(msg), fmt, arg);
	return diag_set(c->diag, c->source, 0, "%s%s%s", field ? field : "", field ? ": " : "",
			msg);
}

/* An optional string field: absent or null leaves *out NULL. */
static int get_string(struct ts_ctx *c, const json_t *o, const char *where, const char *key,
		      char **out)
{
	const json_t *v = json_object_get(o, key);
	char field[128];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
	if (!json_is_string(v))
		return bad(c, field, "expected a string, got %s", json_type_desc(v));
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	/* Any bytes otherwise: a name with escapes is shown escaped (core/escape.h), and one
	 * hostile peer must not hide the rest of the mesh. */
	if (n > TS_MAX_STRING || strlen(s) != n)
		return bad(c, field, "%s", "over-long string or a NUL byte in it");
	*out = xstrdup(s);
	return 0;
}

static int get_bool(struct ts_ctx *c, const json_t *o, const char *where, const char *key,
		    bool *out)
{
	const json_t *v = json_object_get(o, key);
	char field[128];

	*out = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		snprintf(field, sizeof(field), "%s.%s", where, key);
		return bad(c, field, "expected a boolean, got %s", json_type_desc(v));
	}
	*out = json_is_true(v);
	return 0;
}

static int get_time(struct ts_ctx *c, const json_t *o, const char *where, const char *key,
		    time_t *out)
{
	_cleanup_free_ char *s = NULL;
	char field[128];
	int r = get_string(c, o, where, key, &s);

	*out = 0;
	if (r < 0 || !s)
		return r;
	snprintf(field, sizeof(field), "%s.%s", where, key);
	if (rfc3339_parse(s, out) < 0)
		return bad(c, field, "\"%.60s\" is not an RFC 3339 time", s);
	return 0;
}

/* An array of IP address strings (null = empty). */
static int get_ips(struct ts_ctx *c, const json_t *o, const char *where, const char *key,
		   struct mesh_node *n)
{
	const json_t *v = json_object_get(o, key);
	char field[128];
	size_t i;
	json_t *e;

	if (!v || json_is_null(v))
		return 0;
	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
	if (!json_is_array(v))
		return bad(c, field, "expected an array of addresses, got %s", json_type_desc(v));
	if (json_array_size(v) > MESH_NODE_MAX_IPS)
		return bad(c, field, "%s", "too many addresses");
	json_array_foreach(v, i, e) {
		unsigned char a[16];
		const char *s = json_string_value(e);
		if (!s)
			return bad(c, field, "expected an address string, got %s", json_type_desc(e));
		if (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1)
			return bad(c, field, "\"%.60s\" is not an IP address", s);
		mesh_node_add_ip(n, s); /* a repeated address is listed once */
	}
	return 0;
}

/* One PeerStatus (Self or a Peer entry). */
static int parse_node(struct ts_ctx *c, const json_t *o, const char *where, struct ts_node *t)
{
	struct mesh_node *n = &t->n;
	const json_t *uid;
	bool online;
	int r;

	*t = (struct ts_node){ 0 };
	if (!json_is_object(o))
		return bad(c, where, "expected an object, got %s", json_type_desc(o));
	if ((r = get_string(c, o, where, "ID", &n->id)) < 0 ||
	    (r = get_string(c, o, where, "PublicKey", &t->key)) < 0 ||
	    (r = get_string(c, o, where, "HostName", &n->name)) < 0 ||
	    (r = get_string(c, o, where, "DNSName", &t->dns_name)) < 0 ||
	    (r = get_string(c, o, where, "OS", &n->os)) < 0 ||
	    (r = get_ips(c, o, where, "TailscaleIPs", n)) < 0 ||
	    (r = get_bool(c, o, where, "Online", &online)) < 0 ||
	    (r = get_bool(c, o, where, "Active", &t->active)) < 0 ||
	    (r = get_bool(c, o, where, "Expired", &t->expired)) < 0 ||
	    (r = get_time(c, o, where, "LastSeen", &n->last_seen)) < 0 ||
	    (r = get_time(c, o, where, "KeyExpiry", &t->key_expiry)) < 0)
		return r;
	n->online = online ? MESH_YES : MESH_NO;
	/* "ID":"" is how a logged-out node reports itself. */
	if (n->id && !*n->id) {
		free(n->id);
		n->id = NULL;
	}
	if (t->dns_name) {
		size_t l = strlen(t->dns_name);
		if (l && t->dns_name[l - 1] == '.')
			t->dns_name[l - 1] = '\0';
		if (!*t->dns_name) {
			free(t->dns_name);
			t->dns_name = NULL;
		} else /* the MagicDNS label, as Headscale's givenName */
			n->given_name = xstrndup(t->dns_name, strcspn(t->dns_name, "."));
	}
	/* A real when the document had to be decoded with JSON_DECODE_INT_AS_REAL: exact up to
	 * 2^53, which user ids stay well below. */
	uid = json_object_get(o, "UserID");
	if (json_is_integer(uid))
		t->user_id = json_integer_value(uid);
	else if (json_is_real(uid) && json_real_value(uid) >= 0 && json_real_value(uid) < 0x1p63)
		t->user_id = (int64_t)json_real_value(uid);
	return 0;
}

/* The path to a peer, as `tailscale status` prints it (cmd/tailscale/cli/status.go): only an
 * Active peer has one; then CurAddr (direct), else PeerRelay (since 1.86.0), else Relay (the
 * DERP region). Without CurAddr and Relay (an older or foreign CLI) it is unknown. */
static int parse_path(struct ts_ctx *c, const json_t *o, const char *where, struct ts_node *t)
{
	_cleanup_free_ char *cur = NULL, *relay = NULL, *peer_relay = NULL;
	struct mesh_path *p = &t->n.path;
	int r;

	if ((r = get_string(c, o, where, "CurAddr", &cur)) < 0 ||
	    (r = get_string(c, o, where, "Relay", &relay)) < 0 ||
	    (r = get_string(c, o, where, "PeerRelay", &peer_relay)) < 0)
		return r;
	*p = (struct mesh_path){ 0 };
	if (relay && *relay)
		p->region = xstrdup(relay);
	if (!json_object_get(o, "CurAddr") && !json_object_get(o, "Relay"))
		return 0;
	if (!t->active)
		p->kind = MESH_PATH_IDLE;
	else if (cur && *cur) {
		p->kind = MESH_PATH_DIRECT;
		p->addr = TAKE_PTR(cur);
	} else if (peer_relay && *peer_relay) {
		p->kind = MESH_PATH_PEER_RELAY;
		p->addr = TAKE_PTR(peer_relay);
	} else if (p->region)
		p->kind = MESH_PATH_DERP;
	return 0;
}

static int parse_peers(struct ts_ctx *c, const json_t *peers, struct ts_status *st)
{
	const char *key;
	json_t *v;
	char where[96];
	int r;

	if (!peers || json_is_null(peers))
		return 0;
	if (!json_is_object(peers))
		return bad(c, "Peer", "expected an object, got %s", json_type_desc(peers));
	if (json_object_size(peers) > TS_MAX_PEERS)
		return bad(c, "Peer", "%s", "too many peers");
	st->peers = xcalloc(json_object_size(peers) + 1, sizeof(*st->peers));
	json_object_foreach((json_t *)peers, key, v) {
		struct ts_node *t = &st->peers[st->n_peers];
		snprintf(where, sizeof(where), "Peer[\"%.60s\"]", key);
		r = parse_node(c, v, where, t);
		st->n_peers++; /* counted even on failure, so that ts_status_free frees it */
		if (r >= 0)
			r = parse_path(c, v, where, t);
		if (r < 0)
			return r;
		if (!t->key && str_is_printable(key, strlen(key)))
			t->key = xstrdup(key);
	}
	return 0;
}

static int parse_health(struct ts_ctx *c, const json_t *h, struct ts_status *st)
{
	size_t i;
	json_t *e;

	if (!h || json_is_null(h))
		return 0;
	if (!json_is_array(h))
		return bad(c, "Health", "expected an array of strings, got %s", json_type_desc(h));
	if (json_array_size(h) > TS_MAX_HEALTH)
		return bad(c, "Health", "%s", "too many entries");
	json_array_foreach(h, i, e) {
		const char *s = json_string_value(e);
		if (!s)
			return bad(c, "Health", "expected a string, got %s", json_type_desc(e));
		if (json_string_length(e) > TS_MAX_STRING || strlen(s) != json_string_length(e))
			return bad(c, "Health", "%s", "over-long message or a NUL byte in it");
		st->health = xrealloc(st->health, (st->n_health + 1) * sizeof(char *));
		st->health[st->n_health++] = xstrdup(s);
	}
	return 0;
}

static int parse_doc(struct ts_ctx *c, const json_t *doc, struct ts_status *st)
{
	const json_t *self, *tailnet;
	int r;

	if (!json_is_object(doc))
		return bad(c, NULL, "expected a JSON object, got %s", json_type_desc(doc));
	if ((r = get_string(c, doc, "", "BackendState", &st->backend_state)) < 0)
		return r;
	if (!st->backend_state)
		return bad(c, NULL, "%s", "no BackendState: not the output of `tailscale status --json`");
	st->backend = ts_backend_from(st->backend_state);
	if ((r = get_string(c, doc, "", "Version", &st->version)) < 0 ||
	    (r = get_string(c, doc, "", "AuthURL", &st->auth_url)) < 0 ||
	    (r = get_string(c, doc, "", "MagicDNSSuffix", &st->magic_dns_suffix)) < 0)
		return r;
	if (st->auth_url && !*st->auth_url) {
		free(st->auth_url);
		st->auth_url = NULL;
	}
	self = json_object_get(doc, "Self");
	if (self && !json_is_null(self)) {
		st->has_self = true;
		if ((r = parse_node(c, self, "Self", &st->self)) < 0)
			return r;
	}
	tailnet = json_object_get(doc, "CurrentTailnet");
	if (tailnet && !json_is_null(tailnet)) {
		_cleanup_free_ char *suffix = NULL;
		if (!json_is_object(tailnet))
			return bad(c, "CurrentTailnet", "expected an object, got %s",
				   json_type_desc(tailnet));
		st->has_tailnet = true;
		if ((r = get_string(c, tailnet, "CurrentTailnet", "Name", &st->tailnet_name)) < 0 ||
		    (r = get_string(c, tailnet, "CurrentTailnet", "MagicDNSSuffix", &suffix)) < 0)
			return r;
		if (suffix && *suffix) {
			free(st->magic_dns_suffix);
			st->magic_dns_suffix = TAKE_PTR(suffix);
		}
	}
	if ((r = parse_health(c, json_object_get(doc, "Health"), st)) < 0)
		return r;
	return parse_peers(c, json_object_get(doc, "Peer"), st);
}

int ts_status_parse(const char *source, const char *data, size_t len, struct ts_status *st,
		    struct diag *diag)
{
	struct ts_ctx c = { .source = source, .diag = diag };
	json_error_t err;
	json_t *doc;
	int r;

	size_t blank = 0;

	*st = (struct ts_status){ 0 };
	while (blank < len && strchr(" \t\r\n", data[blank]) && data[blank])
		blank++;
	if (blank == len)
		return diag_set(diag, source, 0, "empty output (expected a JSON document)");
	/* A key given twice is refused (Go's encoding/json never writes one; jansson would keep
	 * the last silently). */
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	/* Integers beyond 64 bits in fields meshnfs does not read must not fail the parse. */
	if (!doc && json_error_code(&err) == json_error_numeric_overflow)
		doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
	if (!doc)
		return diag_set(diag, source, (unsigned)(err.line > 0 ? err.line : 0),
				"malformed JSON: %s", err.text);
	r = parse_doc(&c, doc, st);
	json_decref(doc);
	if (r < 0)
		ts_status_free(st);
	return r;
}

static void ts_node_free(struct ts_node *t)
{
	mesh_node_free(&t->n);
	free(t->key);
	free(t->dns_name);
	*t = (struct ts_node){ 0 };
}

void ts_status_free(struct ts_status *st)
{
	free(st->version);
	free(st->backend_state);
	free(st->auth_url);
	ts_node_free(&st->self);
	for (size_t i = 0; i < st->n_peers; i++)
		ts_node_free(&st->peers[i]);
	free(st->peers);
	for (size_t i = 0; i < st->n_health; i++)
		free(st->health[i]);
	free(st->health);
	free(st->tailnet_name);
	free(st->magic_dns_suffix);
	*st = (struct ts_status){ 0 };
}

enum ts_backend ts_backend_from(const char *s)
{
	static const struct {
		const char *name;
		enum ts_backend b;
	} map[] = {
		{ "NoState", TS_NO_STATE },   { "NeedsLogin", TS_NEEDS_LOGIN },
		{ "NeedsMachineAuth", TS_NEEDS_MACHINE_AUTH },
		{ "Stopped", TS_STOPPED },    { "Starting", TS_STARTING },
		{ "Running", TS_RUNNING },
	};

	for (size_t i = 0; s && i < ARRAY_SIZE(map); i++)
		if (streq(s, map[i].name))
			return map[i].b;
	return TS_BACKEND_UNKNOWN;
}

static void copy_node(struct mesh_nodes *out, const struct mesh_node *n)
{
	struct mesh_node *c = mesh_nodes_add(out);

	c->id = n->id ? xstrdup(n->id) : NULL;
	c->name = n->name ? xstrdup(n->name) : NULL;
	c->given_name = n->given_name ? xstrdup(n->given_name) : NULL;
	c->os = n->os ? xstrdup(n->os) : NULL;
	for (size_t i = 0; i < n->n_ips; i++)
		mesh_node_add_ip(c, n->ips[i]);
	c->online = n->online;
	c->last_seen = n->last_seen;
	mesh_path_copy(&c->path, &n->path);
}

/* A node without a HostName is listed (by its DNS name or address), with a warning. */
static void warn_nameless(struct mesh_nodes *out, const char *source, const struct ts_node *t,
			  const char *where)
{
	if (t->n.name && *t->n.name)
		return;
	mesh_nodes_warn(out, "%s: %s has %s HostName: shown as %s", source, where,
			t->n.name ? "an empty" : "no", mesh_node_display_name(&t->n));
}

void ts_status_nodes(const struct ts_status *st, const char *source, struct mesh_nodes *out)
{
	*out = (struct mesh_nodes){ .source = xstrdup(source) };
	if (st->has_self) {
		copy_node(out, &st->self.n);
		warn_nameless(out, source, &st->self, "Self");
	}
	for (size_t i = 0; i < st->n_peers; i++) {
		char where[96];
		copy_node(out, &st->peers[i].n);
		snprintf(where, sizeof(where), "the peer %.70s", st->peers[i].key ? st->peers[i].key : "?");
		warn_nameless(out, source, &st->peers[i], where);
	}
}

const char *ts_node_ipv4(const struct ts_node *t)
{
	return mesh_node_ipv4(&t->n);
}

static json_t *time_json(time_t t)
{
	char buf[32];
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_text(buf);
}

static json_t *str_json(const char *s)
{
	return s ? json_text(s) : json_null();
}

json_t *ts_node_to_json(const struct ts_node *t)
{
	json_t *ips = json_array();
	char path[64];

	for (size_t i = 0; i < t->n.n_ips; i++)
		json_array_append_new(ips, json_text(t->n.ips[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:o}", "id",
			 str_json(t->n.id), "name", str_json(t->n.name), "dns_name",
			 str_json(t->dns_name), "os", str_json(t->n.os), "ips", ips, "online",
			 t->n.online == MESH_YES, "expired", t->expired, "last_seen",
			 time_json(t->n.last_seen), "key_expiry", time_json(t->key_expiry), "path",
			 json_text(mesh_path_name(&t->n.path, path, sizeof(path))));
}

const char *const ts_windows_paths[] = {
	"/mnt/c/Program Files/Tailscale/tailscale.exe",
	"/mnt/c/Program Files (x86)/Tailscale IPN/tailscale.exe", /* installs before 1.22 */
	NULL,
};

int ts_cli_find(bool wsl2, struct ts_cli *cli)
{
	*cli = (struct ts_cli){ .windows = wsl2 };
	if (!root_is_host())
		return SPAWN_REFUSED_ROOT; /* another machine's tailscale(.exe) never runs here */
	if (wsl2) {
		for (size_t i = 0; ts_windows_paths[i]; i++) {
			_cleanup_free_ char *p = root_path(ts_windows_paths[i]);
			struct stat st;
			if (root_stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				cli->path = TAKE_PTR(p);
				cli->exact = true;
				return 0;
			}
		}
	}
	cli->path = spawn_which(wsl2 ? "tailscale.exe" : "tailscale");
	return cli->path ? 0 : -ENOENT;
}

void ts_cli_free(struct ts_cli *cli)
{
	free(cli->path);
	*cli = (struct ts_cli){ 0 };
}

static char *first_line(const char *s)
{
	while (*s == '\r' || *s == '\n' || *s == ' ' || *s == '\t')
		s++;
	size_t n = strcspn(s, "\r\n");
	if (n == 0)
		return NULL;
	char *l = xstrndup(s, n > 300 ? 300 : n);
	for (char *p = l; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return l;
}

int ts_status_run(const struct ts_cli *cli, int timeout_ms, struct ts_status *st,
		  struct ts_run *run, struct diag *diag)
{
	const char *argv[] = { cli->path, "status", "--json", NULL };
	struct spawn_opts o = { .timeout_ms = timeout_ms, .max_output = TS_MAX_OUTPUT,
				.exact_path = cli->exact };
	struct spawn_result res;
	_cleanup_free_ char *source = xasprintf("%s status --json", cli->path);
	int r;

	*st = (struct ts_status){ 0 };
	*run = (struct ts_run){ 0 };
	r = spawn_run(argv, &o, &res);
	run->ms = res.ms;
	run->exit_code = res.exit_code;
	run->err_line = first_line(res.err);
	if (r < 0)
		goto out;
	if (res.exit_code != 0) {
		r = -EPROTO;
		goto out;
	}
	if (res.truncated)
		r = diag_set(diag, source, 0, "output larger than %u MiB", TS_MAX_OUTPUT >> 20);
	else
		r = ts_status_parse(source, res.out, res.out_len, st, diag);
out:
	spawn_result_free(&res);
	return r;
}

void ts_run_free(struct ts_run *run)
{
	free(run->err_line);
	*run = (struct ts_run){ 0 };
}

const struct ts_node *ts_status_peer(const struct ts_status *st, const char *ip, const char *name)
{
	for (size_t i = 0; ip && i < st->n_peers; i++)
		if (mesh_node_has_ip(&st->peers[i].n, ip))
			return &st->peers[i];
	for (size_t i = 0; name && i < st->n_peers; i++)
		if (mesh_node_named(&st->peers[i].n, name))
			return &st->peers[i];
	return NULL;
}

int ts_path_to(bool wsl2, const char *ip, const char *name, int timeout_ms, struct mesh_path *out,
	       char **peer)
{
	struct ts_status st;
	struct ts_run run;
	struct ts_cli cli;
	struct diag d = { 0 };
	int r = ts_cli_find(wsl2, &cli);

	*out = (struct mesh_path){ 0 };
	*peer = NULL;
	if (r < 0)
		return r;
	r = ts_status_run(&cli, timeout_ms, &st, &run, &d);
	ts_run_free(&run);
	ts_cli_free(&cli);
	if (r < 0)
		return r;
	const struct ts_node *t = st.backend == TS_RUNNING ? ts_status_peer(&st, ip, name) : NULL;
	if (t) {
		mesh_path_copy(out, &t->n.path);
		*peer = t->n.name ? xstrdup(t->n.name) : NULL;
	}
	ts_status_free(&st);
	return t ? 0 : -ENOENT;
}
