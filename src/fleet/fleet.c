/* SPDX-License-Identifier: MIT */
#include "fleet/fleet.h"
#include "fleet/fleet_private.h"

#include "core/spawn.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>

#define FIELD_MAX 4096

const char *fleet_result_name(enum fleet_result r)
{
	static const char *const names[] = {
		[FLEET_OK] = "ok",
		[FLEET_WARN] = "warn",
		[FLEET_FAIL] = "fail",
		[FLEET_SKIPPED] = "skipped",
		[FLEET_NO_ADDRESS] = "no_address",
		[FLEET_NOT_INSTALLED] = "not_installed",
		[FLEET_UNREACHABLE] = "unreachable",
		[FLEET_REFUSED] = "refused",
		[FLEET_AUTH_FAILED] = "auth_failed",
		[FLEET_HOST_KEY] = "host_key",
		[FLEET_TIMEOUT] = "timeout",
		[FLEET_BAD_CONFIG] = "bad_config",
		[FLEET_ERROR] = "error",
	};
	return ENUM_NAME(names, r, "error");
}

enum check_status fleet_result_status(enum fleet_result r)
{
	switch (r) {
	case FLEET_OK:
	case FLEET_SKIPPED:
		return CHECK_OK;
	case FLEET_WARN:
		return CHECK_WARN;
	default:
		return CHECK_FAIL;
	}
}

/* ---- the command line ---------------------------------------------------------------- */

char **fleet_ssh_argv(const struct fleet_opts *o, const char *address)
{
	char **a = xcalloc(32, sizeof(char *));
	size_t n = 0;
	double secs = (o->timeout_ms > 0 ? o->timeout_ms : 5000) / 1000.0;

	a[n++] = xstrdup("ssh");
	if (o->ssh_config) {
		a[n++] = xstrdup("-F");
		a[n++] = xstrdup(o->ssh_config);
	}
	if (o->identity) {
		a[n++] = xstrdup("-i");
		a[n++] = xstrdup(o->identity);
	}
	if (o->user) {
		a[n++] = xstrdup("-l");
		a[n++] = xstrdup(o->user);
	}
	a[n++] = xstrdup("-o");
	a[n++] = xstrdup("BatchMode=yes");
	a[n++] = xstrdup("-o");
	a[n++] = xasprintf("ConnectTimeout=%d", o->connect_timeout_s > 0 ? o->connect_timeout_s : 5);
	a[n++] = xstrdup("-T"); /* no terminal: doctor's JSON arrives byte for byte */
	a[n++] = xstrdup("--");
	a[n++] = xstrdup(address);
	/* The remote side joins these words for the node's shell: all are fixed or validated
	 * ([fleet] meshnfs allows only path characters). */
	a[n++] = xstrdup(o->meshnfs ? o->meshnfs : "meshnfs");
	a[n++] = xstrdup("doctor");
	a[n++] = xstrdup("--json");
	a[n++] = xstrdup("--timeout");
	a[n++] = xasprintf("%.1f", secs);
	a[n] = NULL;
	return a;
}

void fleet_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int fleet_session_deadline_ms(const struct fleet_opts *o)
{
	int t = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	int c = o->connect_timeout_s > 0 ? o->connect_timeout_s : 5;
	/* connect, then the remote doctor (about one timeout per independent step, a few in
	 * sequence at most), then slack for process start and transfer. */
	return c * 1000 + 4 * t + 2000;
}

/* ---- reading the remote doctor ------------------------------------------------------- */

/* A check id is a token as doctor makes them ("mount.responsive", "nfs.rpc", "ceph.grace"):
 * 1 to 64 ASCII letters, digits, dots, dashes and underscores; nothing else (no blank, no
 * control, no byte outside ASCII). */
static bool clean_id(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n >= 1 && n <= 64 && !s[n];
}

/* A remote summary or fix is kept as it came, whatever bytes it holds: it reaches a terminal
 * only through the escaping streams (core/escape.h), and JSON gets it exact. One node with a
 * hostile text must not turn its whole report into "not a valid check" (issue 13, class 4).
 * Only its length is bounded. */
static bool text_fits(const char *s)
{
	return strlen(s) <= FIELD_MAX;
}

static int status_from_name(const char *s, enum check_status *out)
{
	static const enum check_status all[] = { CHECK_SKIP, CHECK_OK, CHECK_WARN, CHECK_FAIL };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (streq(s, check_status_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}

static void checks_free(struct fleet_row *row)
{
	for (size_t i = 0; i < row->n_checks; i++) {
		free(row->checks[i].id);
		free(row->checks[i].summary);
		free(row->checks[i].fix);
	}
	free(row->checks);
	row->checks = NULL;
	row->n_checks = 0;
}

static void extras_free(struct fleet_row *row)
{
	free(row->ids.domain);
	free(row->ids.users);
	row->ids = (struct fleet_ids){ .client_numeric = -1, .server_numeric = -1 };
	for (size_t i = 0; i < row->n_clients; i++)
		free(row->clients[i].host);
	free(row->clients);
	row->clients = NULL;
	row->n_clients = 0;
	row->has_clients = false;
}

/* A user name as useradd takes it: letters, digits, '_', '.', '-', not starting with '-'. */
static bool user_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

/* A host or domain name: 1..253 bytes of letters, digits, '-', '.', '_'. */
static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return false;
	return true;
}

static int numeric_from_json(json_t *v, int *out)
{
	if (!v || json_is_null(v))
		*out = -1;
	else if (json_is_boolean(v))
		*out = json_is_true(v);
	else
		return -EINVAL;
	return 0;
}

/* "ids": {"idmapd_domain", "client_numeric_ids", "server_numeric_ids", "users": [{"name",
 * "uid"}]}; absent in an older meshnfs's answer. */
static int parse_ids(json_t *o, struct fleet_ids *ids, struct diag *d)
{
	json_t *dom = json_object_get(o, "idmapd_domain"), *users = json_object_get(o, "users"), *u;
	size_t i;

	if (!json_is_object(o))
		return diag_set(d, "doctor --json", 0, "ids is not an object");
	if (dom && !json_is_null(dom) && (!json_is_string(dom) || !dns_name_ok(json_string_value(dom))))
		return diag_set(d, "doctor --json", 0, "ids.idmapd_domain is not a domain name");
	if (numeric_from_json(json_object_get(o, "client_numeric_ids"), &ids->client_numeric) < 0 ||
	    numeric_from_json(json_object_get(o, "server_numeric_ids"), &ids->server_numeric) < 0)
		return diag_set(d, "doctor --json", 0, "ids: a *_numeric_ids is not true, false or null");
	if (!json_is_array(users) || json_array_size(users) > FLEET_MAX_USERS)
		return diag_set(d, "doctor --json", 0, "ids.users is not a list of at most %d users",
				FLEET_MAX_USERS);
	ids->domain = json_is_string(dom) ? xstrdup(json_string_value(dom)) : NULL;
	ids->users = xcalloc(json_array_size(users) + 1, sizeof(*ids->users));
	json_array_foreach(users, i, u) {
		const char *name = json_string_value(json_object_get(u, "name"));
		json_t *uid = json_object_get(u, "uid");
		if (!name || !user_name_ok(name) || !json_is_integer(uid) ||
		    json_integer_value(uid) < 0 || json_integer_value(uid) > 4294967295LL)
			return diag_set(d, "doctor --json", 0, "ids.users[%zu] is not a user", i);
		memcpy(ids->users[ids->n_users].name, name, strlen(name) + 1);
		ids->users[ids->n_users++].uid = (uint32_t)json_integer_value(uid);
	}
	ids->present = true;
	return 0;
}

/* "nfsd_clients": [{"address", "host", "status", ...}]. */
static int parse_clients(json_t *a, struct fleet_row *row, struct diag *d)
{
	json_t *c;
	size_t i;
	uint8_t buf[16];

	if (!json_is_array(a) || json_array_size(a) > FLEET_MAX_CLIENTS)
		return diag_set(d, "doctor --json", 0, "nfsd_clients is not a list of at most %d",
				FLEET_MAX_CLIENTS);
	row->clients = xcalloc(json_array_size(a) + 1, sizeof(*row->clients));
	json_array_foreach(a, i, c) {
		const char *addr = json_string_value(json_object_get(c, "address"));
		json_t *host = json_object_get(c, "host"), *st = json_object_get(c, "status");
		struct fleet_client *fc = &row->clients[row->n_clients];
		if (!addr || strlen(addr) >= sizeof(fc->address) ||
		    (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1) ||
		    (host && !json_is_null(host) &&
		     (!json_is_string(host) || !dns_name_ok(json_string_value(host)))) ||
		    (st && !json_is_null(st) && !json_is_string(st)))
			return diag_set(d, "doctor --json", 0, "nfsd_clients[%zu] is not a client", i);
		snprintf(fc->address, sizeof(fc->address), "%s", addr);
		fc->host = json_is_string(host) ? xstrdup(json_string_value(host)) : NULL;
		const char *sv = json_string_value(st);
		fc->connected = !sv || (!streq(sv, "courtesy") && !streq(sv, "expirable"));
		row->n_clients++;
	}
	row->has_clients = true;
	return 0;
}

int fleet_parse_doctor(const char *data, size_t len, struct fleet_row *row, struct diag *d)
{
	json_error_t err;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err), *checks, *c;
	enum check_status verdict, worst = CHECK_OK;
	size_t i;
	int r = 0;

	if (!doc)
		return diag_set(d, "doctor --json", err.line > 0 ? (unsigned)err.line : 0,
				"not JSON: %s", err.text);
	const char *cmd = json_string_value(json_object_get(doc, "command"));
	const char *v = json_string_value(json_object_get(doc, "verdict"));
	checks = json_object_get(doc, "checks");
	if (!cmd || !streq(cmd, "doctor") || !v || status_from_name(v, &verdict) < 0 ||
	    !json_is_array(checks)) {
		r = diag_set(d, "doctor --json", 0, "not a meshnfs doctor report");
		goto out;
	}
	checks_free(row);
	json_array_foreach(checks, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *st = json_string_value(json_object_get(c, "status"));
		const char *sum = json_string_value(json_object_get(c, "summary"));
		json_t *fixj = json_object_get(c, "fix");
		const char *fix = json_string_value(fixj);
		enum check_status s;

		if (!id || !st || !sum || status_from_name(st, &s) < 0 ||
		    (fixj && !json_is_null(fixj) && !fix) || !clean_id(id) || !text_fits(sum) ||
		    (fix && !text_fits(fix))) {
			r = diag_set(d, "doctor --json", 0, "checks[%zu] is not a valid check", i);
			checks_free(row);
			goto out;
		}
		if (s > worst)
			worst = s;
		if ((streq(id, "fstab.entry") || streq(id, "mount.present")) &&
		    (s == CHECK_OK || s == CHECK_WARN))
			row->has_share_entry = true;
		if (s != CHECK_WARN && s != CHECK_FAIL)
			continue;
		row->checks = xrealloc(row->checks, (row->n_checks + 1) * sizeof(*row->checks));
		row->checks[row->n_checks++] = (struct fleet_check){
			.id = xstrdup(id),
			.status = s,
			.summary = xstrdup(sum),
			.fix = fix ? xstrdup(fix) : NULL,
		};
	}
	extras_free(row);
	json_t *ids = json_object_get(doc, "ids"), *cl = json_object_get(doc, "nfsd_clients");
	if ((ids && (r = parse_ids(ids, &row->ids, d)) < 0) ||
	    (cl && (r = parse_clients(cl, row, d)) < 0)) {
		checks_free(row);
		extras_free(row);
		goto out;
	}
	/* A verdict that says ok while a check fails is not believed: the worse one counts. */
	free(row->warning);
	row->warning = NULL;
	if (worst > verdict) {
		row->warning = xasprintf("its doctor's verdict says %s while a check says %s: "
					 "shown as %s",
					 check_status_name(verdict), check_status_name(worst),
					 check_status_name(worst));
		verdict = worst;
	}
	row->result = verdict == CHECK_FAIL ? FLEET_FAIL : verdict == CHECK_WARN ? FLEET_WARN : FLEET_OK;
out:
	json_decref(doc);
	return r;
}

/* The last non-empty line of ssh's stderr, for a reason nobody anticipated. */
static char *last_line(const char *s)
{
	const char *end = s + strlen(s), *start;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	char *l = xstrndup(start, (size_t)(end - start));
	for (char *p = l; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (strlen(l) > 200)
		l[200] = '\0';
	return l;
}

static void set_reason(struct fleet_row *row, enum fleet_result r, char *reason)
{
	row->result = r;
	free(row->reason);
	row->reason = reason;
}

void fleet_classify(int spawn_r, const struct spawn_result *res, struct fleet_row *row)
{
	const char *err = res && res->err ? res->err : "";
	_cleanup_free_ char *last = last_line(err);

	row->exit_code = res ? res->exit_code : -1;
	if (spawn_r == -ENOENT) {
		set_reason(row, FLEET_ERROR, xstrdup("ssh is not installed here (openssh-client)"));
		return;
	}
	if (spawn_r == -ETIMEDOUT) {
		set_reason(row, FLEET_TIMEOUT, xasprintf("no complete answer within %.1f s; killed",
							 res ? res->ms / 1000.0 : 0));
		return;
	}
	if (spawn_r == SPAWN_REFUSED_ROOT) {
		set_reason(row, FLEET_SKIPPED,
			   xstrdup("not asked: under --root meshnfs runs no program (ssh included)"));
		return;
	}
	if (spawn_r < 0) {
		set_reason(row, FLEET_ERROR, xasprintf("cannot run ssh: %s", strerror(-spawn_r)));
		return;
	}
	switch (res->exit_code) {
	case 255:
		if (strstr(err, "Permission denied") || strstr(err, "Too many authentication failures"))
			set_reason(row, FLEET_AUTH_FAILED,
				   xasprintf("ssh authentication failed: %s", last));
		else if (strstr(err, "REMOTE HOST IDENTIFICATION HAS CHANGED") ||
			 strstr(err, "Host key verification failed") ||
			 strstr(err, "No ED25519 host key is known") ||
			 strstr(err, "host key is known"))
			set_reason(row, FLEET_HOST_KEY,
				   xstrdup("host key unknown or changed: check it, then add it to "
					   "known_hosts (ssh-keyscan, or one interactive ssh)"));
		else if (strstr(err, "Connection refused"))
			set_reason(row, FLEET_REFUSED,
				   xstrdup("port 22 refused: no sshd on the node (or Tailscale SSH off)"));
		else if (strstr(err, "timed out") || strstr(err, "No route to host") ||
			 strstr(err, "Network is unreachable") ||
			 strstr(err, "Could not resolve hostname"))
			set_reason(row, FLEET_UNREACHABLE, xstrdup(last));
		else
			set_reason(row, FLEET_ERROR, xasprintf("ssh failed: %s", last));
		return;
	case 127:
		set_reason(row, FLEET_NOT_INSTALLED,
			   xstrdup("meshnfs is not installed on the node (exit 127): install it, or "
				   "set [fleet] meshnfs to its path"));
		return;
	case 126:
		set_reason(row, FLEET_ERROR, xstrdup("meshnfs on the node is not executable (exit 126)"));
		return;
	case 65: {
		json_t *doc = json_loadb(res->out, res->out_len, 0, NULL);
		json_t *e = json_object_get(doc, "error");
		const char *msg = json_string_value(json_object_get(e, "message"));
		const char *file = json_string_value(json_object_get(e, "file"));
		json_t *line = json_object_get(e, "line");
		if (msg && file && text_fits(msg) && text_fits(file) && !strchr(msg, '\n'))
			set_reason(row, FLEET_BAD_CONFIG,
				   json_is_integer(line)
					   ? xasprintf("%.300s:%lld: %.300s", file,
						       (long long)json_integer_value(line), msg)
					   : xasprintf("%.300s: %.300s", file, msg));
		else
			set_reason(row, FLEET_BAD_CONFIG,
				   xasprintf("bad input on the node (exit 65): %s", last));
		json_decref(doc);
		return;
	}
	case 0:
	case 1:
	case 2: {
		struct diag d = { 0 };
		if (fleet_parse_doctor(res->out, res->out_len, row, &d) == 0)
			return;
		set_reason(row, FLEET_ERROR,
			   xasprintf("exit %d, but the output is not doctor's JSON (%s): an old meshnfs?",
				     res->exit_code, d.msg));
		return;
	}
	default:
		set_reason(row, FLEET_ERROR,
			   res->signal ? xasprintf("ssh killed by signal %d", res->signal)
				       : xasprintf("exit %d: %s", res->exit_code, last));
		return;
	}
}

/* ---- running ------------------------------------------------------------------------- */

struct pool {
	const struct fleet_opts *o;
	struct fleet_row *rows;
	const size_t *todo; /* the rows to contact */
	size_t n;
	size_t next;
	pthread_mutex_t lock;
};

static void run_one(const struct fleet_opts *o, struct fleet_row *row)
{
	struct spawn_result res = { 0 };
	struct spawn_opts so = {
		.timeout_ms = fleet_session_deadline_ms(o),
		.max_output = 4 * 1024 * 1024,
	};
	char **argv = fleet_ssh_argv(o, row->address);
	int r = spawn_run((const char *const *)argv, &so, &res);

	row->ms = res.ms;
	fleet_classify(r, &res, row);
	spawn_result_free(&res);
	fleet_argv_free(argv);
}

static void *worker(void *p)
{
	struct pool *pool = p;

	for (;;) {
		pthread_mutex_lock(&pool->lock);
		size_t i = pool->next < pool->n ? pool->next++ : pool->n;
		pthread_mutex_unlock(&pool->lock);
		if (i >= pool->n)
			return NULL;
		run_one(pool->o, &pool->rows[pool->todo[i]]);
	}
}

void fleet_run(const struct fleet_opts *o, const struct mesh_nodes *nodes, struct fleet_row **rows)
{
	struct fleet_row *r = xcalloc(nodes->n ? nodes->n : 1, sizeof(*r));
	struct pool pool = { .o = o, .rows = r, .lock = PTHREAD_MUTEX_INITIALIZER };
	size_t *todo = xcalloc(nodes->n ? nodes->n : 1, sizeof(*todo));
	size_t n_todo = 0;

	for (size_t i = 0; i < nodes->n; i++) {
		const struct mesh_node *n = &nodes->nodes[i];
		uint32_t a;
		r[i] = (struct fleet_row){ .node = n, .exit_code = -1, .ms = -1,
					   .ids = { .client_numeric = -1, .server_numeric = -1 } };
		/* [nodes] role windows, or a control plane that says the OS is Windows. */
		if (mesh_node_is_windows(n)) {
			set_reason(&r[i], FLEET_SKIPPED,
				   xstrdup("Windows endpoint: meshnfs runs in its WSL2 distro, not on "
					   "Windows"));
			continue;
		}
		if (mesh_node_ipv4_in(n, o->mesh, &a) < 0) {
			set_reason(&r[i], FLEET_NO_ADDRESS, xstrdup("no address in the mesh range"));
			continue;
		}
		ipv4_format(a, r[i].address, sizeof(r[i].address));
		todo[n_todo++] = i;
	}

	pool.todo = todo;
	pool.n = n_todo;
	size_t n_threads = (size_t)(o->sessions > 0 ? o->sessions : 1);
	if (n_threads > n_todo)
		n_threads = n_todo;
	pthread_t *t = xcalloc(n_threads ? n_threads : 1, sizeof(*t));
	size_t started = 0;
	for (size_t k = 0; k < n_threads; k++)
		if (pthread_create(&t[k], NULL, worker, &pool) == 0)
			started++;
		else
			break;
	if (started == 0)
		worker(&pool); /* no threads: one session at a time, still bounded */
	for (size_t k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	free(t);
	free(todo);
	*rows = r;
}

void fleet_rows_free(struct fleet_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		checks_free(&rows[i]);
		extras_free(&rows[i]);
		free(rows[i].reason);
		free(rows[i].warning);
	}
	free(rows);
}
