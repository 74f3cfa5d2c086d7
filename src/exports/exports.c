/* SPDX-License-Identifier: MIT */
#include "exports/exports.h"
#include "exports/exports_private.h"

#include "core/optlist.h"
#include "core/root.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

/* A token as it may appear in a one-line message: shortened. Its bytes stay as they are:
 * human output escapes them (core/escape.h), so the message shows what is in the file. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t k = 0;

	for (; *s && k + 4 < size; s++) {
		buf[k++] = *s;
		if (k == 80) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
	}
	buf[k] = '\0';
	return buf;
}

#define Q(s) shown((s), (char[128]){ 0 }, 128)

const char *exports_kind_name(enum exports_client_kind k)
{
	static const char *const names[] = {
		[EXPORTS_WORLD] = "everyone",   [EXPORTS_WILDCARD] = "wildcard",
		[EXPORTS_NETGROUP] = "netgroup", [EXPORTS_IPV4] = "ipv4",
		[EXPORTS_IPV6] = "ipv6",        [EXPORTS_HOST] = "host",
	};
	return ENUM_NAME(names, k, "?");
}

/* ---- options ---- */

static const char *const flag_words[] = {
	"ro", "rw", "secure", "insecure", "sync", "async", "nordirplus", "nohide", "hide",
	"crossmnt", "nocrossmnt", "wdelay", "no_wdelay", "root_squash", "no_root_squash",
	"all_squash", "no_all_squash", "subtree_check", "no_subtree_check", "auth_nlm",
	"no_auth_nlm", "secure_locks", "insecure_locks", "acl", "no_acl", "pnfs", "no_pnfs",
	"security_label", "mountpoint", "mp",
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A user or group id the kernel takes: 0..4294967294 ((uid_t)-1 is "no id"). nfs-utils
 * reads anonuid= with strtol and casts, so "-5" and "99999999999" became other ids silently. */
#define ID_MAX 4294967294ull
static bool is_id(const char *s)
{
	return all_digits(s) && strlen(s) <= 10 && strtoull(s, NULL, 10) <= ID_MAX;
}

/* "N" or "N-M" (N <= M), as squash_uids= lists hold. */
static bool is_id_range(const char *s)
{
	const char *dash = strchr(s, '-');
	if (!dash)
		return is_id(s);
	_cleanup_free_ char *a = xstrndup(s, (size_t)(dash - s));
	return is_id(a) && is_id(dash + 1) &&
	       strtoull(a, NULL, 10) <= strtoull(dash + 1, NULL, 10);
}

static bool in_colon_list(const char *s, const char *const *words, size_t n)
{
	size_t k;

	if (!*s)
		return false;
	for (const char *p = s;; p += k + 1) {
		k = strcspn(p, ":");
		bool ok = false;
		for (size_t i = 0; i < n; i++)
			ok |= strlen(words[i]) == k && strncmp(p, words[i], k) == 0;
		if (!ok)
			return false;
		if (!p[k])
			break;
	}
	return true;
}

static bool is_fsid(const char *s)
{
	size_t hex = 0;
	if (streq(s, "root") || all_digits(s))
		return true;
	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			hex++;
		else if (*s != '-')
			return false;
	}
	return hex == 32;
}

int exports_check_options(const char *file, unsigned line, const char *list, struct diag *diag)
{
	static const char *const flavors[] = { "krb5", "krb5i", "krb5p", "unix", "sys", "null", "none" };
	static const char *const xprt[] = { "none", "tls", "mtls" };
	bool in_squash = false;

	for (const char *p = list;;) {
		size_t k = strcspn(p, ",");
		_cleanup_free_ char *o = xstrndup(p, k);
		const char *eq = strchr(o, '=');
		const char *v = eq ? eq + 1 : NULL;
		bool ok = false;

		if (!*o) {
			if (!p[k])
				return 0; /* a trailing comma is accepted, as nfs-utils does */
			return diag_set(diag, file, line, "empty option in \"%s\"", Q(list));
		}
		if (in_squash && is_id_range(o))
			ok = true;
		in_squash = false;
		if (!ok && !eq)
			for (size_t i = 0; i < ARRAY_SIZE(flag_words); i++)
				ok |= streq(o, flag_words[i]);
		if (!ok && eq) {
			size_t kl = (size_t)(eq - o);
#define KEY(s) (kl == strlen(s) && strncmp(o, s, kl) == 0)
			if (KEY("anonuid") || KEY("anongid")) {
				if (!is_id(v))
					return diag_set(diag, file, line,
							"bad %.*s \"%s\": not an id in 0..%llu (the "
							"old docs' -2 is 65534)",
							(int)kl, o, Q(v), ID_MAX);
				ok = true;
			} else if (KEY("fsid")) {
				if (!is_fsid(v))
					return diag_set(diag, file, line,
							"bad fsid \"%s\": want root, a number or a UUID",
							Q(v));
				ok = true;
			} else if (KEY("sec")) {
				if (!in_colon_list(v, flavors, ARRAY_SIZE(flavors)))
					return diag_set(diag, file, line,
							"bad sec \"%s\": want sys, krb5, krb5i, krb5p "
							"(colon-separated)",
							Q(v));
				ok = true;
			} else if (KEY("xprtsec")) {
				if (!in_colon_list(v, xprt, ARRAY_SIZE(xprt)))
					return diag_set(diag, file, line,
							"bad xprtsec \"%s\": want none, tls or mtls", Q(v));
				ok = true;
			} else if (KEY("squash_uids") || KEY("squash_gids")) {
				if (!is_id_range(v))
					return diag_set(diag, file, line, "bad %.*s \"%s\"", (int)kl, o,
							Q(v));
				ok = in_squash = true;
			} else if (KEY("mountpoint") || KEY("mp") || KEY("refer") || KEY("replicas")) {
				ok = *v || KEY("mountpoint") || KEY("mp");
			}
#undef KEY
		}
		if (!ok)
			return diag_set(diag, file, line, "unknown export option \"%s\"", Q(o));
		if (!p[k])
			return 0;
		p += k + 1;
	}
}

bool exports_client_flag(const struct exports_client *c, const char *on, const char *off,
			 bool dflt)
{
	for (size_t i = c->n_opts; i-- > 0;) {
		if (streq(c->opts[i], on))
			return true;
		if (streq(c->opts[i], off))
			return false;
	}
	return dflt;
}

/* ---- clients ---- */

static bool looks_ipv4(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '.' && *s != '/')
			return false;
	return true;
}

static int parse_ipv4_net(const char *s, struct cidr *out)
{
	const char *slash = strchr(s, '/');
	_cleanup_free_ char *addr = xstrndup(s, slash ? (size_t)(slash - s) : strlen(s));
	uint32_t a, m;
	unsigned prefix = 32;

	if (ipv4_parse(addr, &a) < 0)
		return -EINVAL;
	if (slash) {
		const char *p = slash + 1;
		if (all_digits(p) && strlen(p) <= 2) {
			prefix = (unsigned)atoi(p);
			if (prefix > 32)
				return -EINVAL;
		} else if (ipv4_parse(p, &m) == 0) {
			/* A dotted netmask: its ones must be contiguous. */
			uint32_t inv = ~m;
			if (inv & (inv + 1))
				return -EINVAL;
			prefix = (unsigned)__builtin_popcount(m);
		} else
			return -EINVAL;
	}
	out->prefix = prefix;
	out->addr = prefix ? a & (0xffffffffu << (32 - prefix)) : 0;
	return 0;
}

static int parse_ipv6_net(const char *s)
{
	const char *slash = strchr(s, '/');
	_cleanup_free_ char *addr = xstrndup(s, slash ? (size_t)(slash - s) : strlen(s));
	unsigned char bin[16];

	if (inet_pton(AF_INET6, addr, bin) != 1)
		return -EINVAL;
	if (slash && (!all_digits(slash + 1) || strlen(slash + 1) > 3 || atoi(slash + 1) > 128))
		return -EINVAL;
	return 0;
}

static int classify(struct exports_ctx *ctx, unsigned line, struct exports_client *c)
{
	const char *n = c->name;

	if (!*n || streq(n, "*")) {
		c->kind = EXPORTS_WORLD;
		return 0;
	}
	if (n[0] == '@') {
		c->kind = EXPORTS_NETGROUP;
		if (!n[1])
			return diag_set(ctx->diag, ctx->file, line, "empty netgroup name \"@\"");
		return 0;
	}
	if (strpbrk(n, "*?[")) {
		c->kind = EXPORTS_WILDCARD;
		for (const char *p = n; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr(".-_*?[]!^", *p))
				return diag_set(ctx->diag, ctx->file, line, "bad host pattern \"%s\"", Q(n));
		return 0;
	}
	if (strchr(n, ':')) {
		c->kind = EXPORTS_IPV6;
		if (parse_ipv6_net(n) < 0)
			return diag_set(ctx->diag, ctx->file, line, "bad IPv6 address or network \"%s\"",
					Q(n));
		return 0;
	}
	if (looks_ipv4(n)) {
		c->kind = EXPORTS_IPV4;
		if (parse_ipv4_net(n, &c->net) < 0)
			return diag_set(ctx->diag, ctx->file, line, "bad network address \"%s\"", Q(n));
		return 0;
	}
	c->kind = EXPORTS_HOST;
	if (startswith(n, "gss/")) /* the old way to name a security flavour */
		return 0;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_", *p))
			return diag_set(ctx->diag, ctx->file, line, "bad client name \"%s\"", Q(n));
	return 0;
}

/* ---- tokens of a logical line ---- */

struct token {
	char *text; /* decoded */
	size_t text_len;
	size_t raw_start, raw_end; /* bytes in the buffer */
	unsigned line;
};

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

static void entry_free(struct exports_entry *e)
{
	for (size_t i = 0; i < e->n_clients; i++) {
		free(e->clients[i].name);
		strv_free(e->clients[i].opts, e->clients[i].n_opts);
	}
	free(e->clients);
	free(e->path);
}

static int tokenize(struct exports_ctx *ctx, struct token **out, size_t *out_n)
{
	const char *s = ctx->logical.data;
	size_t n = ctx->logical.len, i = 0;
	struct token *toks = NULL;
	size_t nt = 0;

	*out = NULL;
	*out_n = 0;
	for (;;) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n || s[i] == '#')
			break;
		size_t ts = i;
		bool quoted = false;
		struct buf t = { 0 };
		buf_append(&t, "", 0);
		while (i < n && (quoted || !is_space(s[i]))) {
			if (s[i] == '"') {
				quoted = !quoted;
				i++;
				continue;
			}
			buf_append(&t, &s[i], 1);
			size_t L = t.len;
			if (L >= 4 && t.data[L - 4] == '\\' && is_octal(t.data[L - 3]) &&
			    is_octal(t.data[L - 2]) && is_octal(t.data[L - 1])) {
				int v = (t.data[L - 3] - '0') * 64 + (t.data[L - 2] - '0') * 8 +
					(t.data[L - 1] - '0');
				if (v < 256) {
					t.len -= 4;
					char c = (char)v;
					buf_append(&t, &c, 1);
				}
			}
			i++;
		}
		unsigned line = ctx->map[ts].line;
		toks = xrealloc(toks, (nt + 1) * sizeof(*toks));
		toks[nt++] = (struct token){ t.data, t.len, ctx->map[ts].offset, ctx->map[i - 1].offset + 1,
					    line };
		if (quoted || memchr(t.data, '\0', t.len)) {
			int r = diag_set(ctx->diag, ctx->file, line,
					 quoted ? "unterminated quote in \"%s\""
						: "a \\000 escape (NUL byte) in \"%s\"",
					 Q(t.data));
			*out = toks;
			*out_n = nt;
			return r;
		}
	}
	*out = toks;
	*out_n = nt;
	return 0;
}

static void add_opts(char ***v, size_t *n, const char *list)
{
	size_t k;
	char **items = optlist_split(list, &k);

	for (size_t i = 0; i < k; i++) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = items[i];
	}
	free(items);
}

static int client_token(struct exports_ctx *ctx, const struct token *t, char **defaults,
			size_t n_defaults, struct exports_client *c)
{
	char *open = strchr(t->text, '(');
	int r;

	*c = (struct exports_client){ .line = t->line, .tok_start = t->raw_start,
				      .tok_end = t->raw_end };
	if (t->text_len > EXPORTS_MAX_CLIENT)
		return diag_set(ctx->diag, ctx->file, t->line, "client \"%s\" is too long", Q(t->text));
	c->name = xstrndup(t->text, open ? (size_t)(open - t->text) : t->text_len);
	for (size_t i = 0; i < n_defaults; i++) {
		c->opts = xrealloc(c->opts, (c->n_opts + 1) * sizeof(*c->opts));
		c->opts[c->n_opts++] = xstrdup(defaults[i]);
	}
	if (open) {
		char *close = strchr(open, ')');
		if (!close || close[1])
			return diag_set(ctx->diag, ctx->file, t->line,
					"bad option list in \"%s\" (no blank may follow the client, "
					"the list ends with ')')",
					Q(t->text));
		_cleanup_free_ char *list = xstrndup(open + 1, (size_t)(close - open - 1));
		r = exports_check_options(ctx->file, t->line, list, ctx->diag);
		if (r < 0)
			return r;
		size_t before = c->n_opts;
		add_opts(&c->opts, &c->n_opts, list);
		c->n_own = c->n_opts - before;
		c->has_parens = true;
	} else if (strchr(t->text, ')'))
		return diag_set(ctx->diag, ctx->file, t->line, "')' without '(' in \"%s\"",
				Q(t->text));
	return classify(ctx, t->line, c);
}

static int parse_logical(struct exports_ctx *ctx)
{
	struct token *toks;
	size_t nt;
	char **defaults = NULL;
	size_t n_defaults = 0;
	struct exports_entry e = { 0 };
	int r = tokenize(ctx, &toks, &nt);

	if (r < 0 || nt == 0)
		goto out;
	e.line = toks[0].line;
	e.start = ctx->start;
	e.path = xstrdup(toks[0].text);
	e.last_tok_end = toks[nt - 1].raw_end;
	if (toks[0].text[0] != '/') {
		r = diag_set(ctx->diag, ctx->file, toks[0].line,
			     "export path \"%s\" is not absolute (an export line starts with the "
			     "path)",
			     Q(toks[0].text));
		goto out;
	}
	if (toks[0].text_len > EXPORTS_MAX_PATH) {
		r = diag_set(ctx->diag, ctx->file, toks[0].line, "export path is longer than %d bytes",
			     EXPORTS_MAX_PATH);
		goto out;
	}
	for (size_t i = 1; i < nt; i++) {
		const struct token *t = &toks[i];
		if (t->text[0] == '-') {
			r = exports_check_options(ctx->file, t->line, t->text + 1, ctx->diag);
			if (r < 0)
				goto out;
			add_opts(&defaults, &n_defaults, t->text + 1);
			continue;
		}
		e.clients = xrealloc(e.clients, (e.n_clients + 1) * sizeof(*e.clients));
		r = client_token(ctx, t, defaults, n_defaults, &e.clients[e.n_clients++]);
		if (r < 0)
			goto out;
	}
	if (e.n_clients == 0) {
		/* A path with no client is exported to everyone (nfs-utils: an empty host name). */
		e.clients = xcalloc(1, sizeof(*e.clients));
		e.clients[0] = (struct exports_client){ .name = xstrdup(""), .kind = EXPORTS_WORLD,
							.line = e.line, .tok_start = e.last_tok_end,
							.tok_end = e.last_tok_end };
		for (size_t i = 0; i < n_defaults; i++) {
			e.clients[0].opts = xrealloc(e.clients[0].opts, (i + 1) * sizeof(char *));
			e.clients[0].opts[i] = xstrdup(defaults[i]);
		}
		e.clients[0].n_opts = n_defaults;
		e.n_clients = 1;
	}
out:
	for (size_t i = 0; i < nt; i++)
		free(toks[i].text);
	free(toks);
	strv_free(defaults, n_defaults);
	if (r < 0 || nt == 0) {
		entry_free(&e);
		return r;
	}
	e.end = ctx->start; /* set by the caller */
	struct exports_file *f = ctx->out;
	f->entries = xrealloc(f->entries, (f->n_entries + 1) * sizeof(*f->entries));
	f->entries[f->n_entries++] = e;
	return 1;
}

/* ---- the context ---- */

void exports_ctx_init(struct exports_ctx *ctx, const char *file, struct exports_file *out,
		      struct diag *diag)
{
	*ctx = (struct exports_ctx){ .file = file, .out = out, .diag = diag };
	*out = (struct exports_file){ .file = xstrdup(file) };
	buf_append(&ctx->logical, "", 0);
}

static void logical_add(struct exports_ctx *ctx, char c, size_t offset)
{
	if (ctx->logical.len + 1 > ctx->map_cap) {
		ctx->map_cap = ctx->map_cap ? ctx->map_cap * 2 : 256;
		ctx->map = xrealloc(ctx->map, ctx->map_cap * sizeof(*ctx->map));
	}
	ctx->map[ctx->logical.len] = (struct exports_pos){ offset, ctx->line };
	buf_append(&ctx->logical, &c, 1);
}

/* Whether the logical line so far ends inside a comment. */
static bool ends_in_comment(const struct exports_ctx *ctx)
{
	const char *s = ctx->logical.data;
	bool quoted = false, boundary = true;

	for (size_t i = 0; i < ctx->logical.len; i++) {
		if (!quoted && is_space(s[i])) {
			boundary = true;
			continue;
		}
		if (!quoted && boundary && s[i] == '#')
			return true;
		boundary = false;
		if (s[i] == '"')
			quoted = !quoted;
	}
	return false;
}

static int finish_logical(struct exports_ctx *ctx, size_t end)
{
	int r = parse_logical(ctx);

	if (r > 0)
		ctx->out->entries[ctx->out->n_entries - 1].end = end;
	ctx->logical.len = 0;
	ctx->logical.data[0] = '\0';
	ctx->continued = false;
	if (r < 0)
		ctx->error = r;
	return r < 0 ? r : 0;
}

int exports_ctx_line(struct exports_ctx *ctx, const char *line, size_t len, size_t offset,
		     bool has_newline)
{
	size_t i = 0;

	if (ctx->error)
		return ctx->error;
	ctx->line++;
	if (memchr(line, '\0', len))
		return ctx->error = diag_set(ctx->diag, ctx->file, ctx->line, "contains a NUL byte");
	if (!ctx->continued) {
		ctx->first_line = ctx->line;
		ctx->start = offset;
	} else
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
	for (; i < len; i++)
		logical_add(ctx, line[i], offset + i);
	ctx->continued = false;
	size_t end = offset + len + (has_newline ? 1 : 0);
	if (has_newline && ctx->logical.len && ctx->logical.data[ctx->logical.len - 1] == '\\' &&
	    !ends_in_comment(ctx)) {
		/* A continuation reads as one blank. */
		ctx->logical.data[ctx->logical.len - 1] = ' ';
		ctx->continued = true;
		return 0;
	}
	return finish_logical(ctx, end);
}

int exports_ctx_finish(struct exports_ctx *ctx)
{
	int r = ctx->error;

	if (!r && ctx->continued && ctx->logical.len) {
		/* The file ended after a continuation: through the backslash and its '\n'. */
		size_t end = ctx->map[ctx->logical.len - 1].offset + 2;
		r = finish_logical(ctx, end);
	}
	buf_free(&ctx->logical);
	free(ctx->map);
	ctx->map = NULL;
	return r;
}

int exports_parse(const char *file, const char *data, size_t len, struct exports_file *out,
		  struct diag *diag)
{
	struct exports_ctx ctx;
	size_t p = 0;
	int r = 0;

	exports_ctx_init(&ctx, file, out, diag);
	while (r == 0 && p < len) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t n = nl ? (size_t)(nl - (data + p)) : len - p;
		r = exports_ctx_line(&ctx, data + p, n, p, nl != NULL);
		p += n + (nl ? 1 : 0);
	}
	int f = exports_ctx_finish(&ctx);
	if (r == 0)
		r = f;
	if (r < 0)
		exports_free(out);
	return r;
}

void exports_free(struct exports_file *f)
{
	for (size_t i = 0; i < f->n_entries; i++)
		entry_free(&f->entries[i]);
	free(f->entries);
	free(f->file);
	*f = (struct exports_file){ 0 };
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_exports_name(const char *name)
{
	size_t l = strlen(name);
	return l > 8 && streq(name + l - 8, ".exports") && name[0] != '.';
}

int exports_files_list(char ***out, size_t *n, struct diag *diag)
{
	_cleanup_free_ char *dir = root_path("/etc/exports.d");
	_cleanup_close_ int dfd = root_open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	struct dirent **names = NULL;
	char **v = xcalloc(1, sizeof(char *));
	int r = 0, k;

	v[0] = xstrdup("/etc/exports");
	*n = 1;
	*out = v;
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0) {
		struct stat st;
		if (dfd == -ENOTDIR && root_stat(dir, &st) == 0)
			return diag_set(diag, dir, 0, "is %s, not a directory", file_kind(st.st_mode));
		return diag_set(diag, dir, 0, "cannot open: %s", strerror(-dfd));
	}
	k = scandirat(dfd, ".", &names, NULL, by_name);
	if (k < 0)
		return diag_set(diag, dir, 0, "cannot read: %s", strerror(errno));
	for (int i = 0; i < k; i++) {
		const char *name = names[i]->d_name;
		struct stat st;
		if (r == 0 && is_exports_name(name)) {
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				r = diag_set(diag, dir, 0, "%s: cannot stat: %s", name, strerror(errno));
			else if (!S_ISREG(st.st_mode))
				r = diag_set(diag, dir, 0, "%s is %s, not a regular file%s", name,
					     file_kind(st.st_mode),
					     S_ISLNK(st.st_mode) ? " (meshnfs neither follows nor "
								    "replaces links here)" : "");
			else {
				v = xrealloc(v, (*n + 1) * sizeof(char *));
				v[(*n)++] = xasprintf("/etc/exports.d/%s", name);
			}
		}
		free(names[i]);
	}
	free(names);
	*out = v;
	return r;
}

void exports_files_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
