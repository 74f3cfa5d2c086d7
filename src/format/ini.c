/* SPDX-License-Identifier: MIT */
#include "format/ini.h"
#include "format/format_private.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>

/* The parse of one document, line by line. */
struct ini_ctx {
	const char *file; /* for messages */
	unsigned line;    /* line being parsed, 1-based */
	char *section;    /* current section, owned */
	bool lenient;
	struct ini_doc *doc;
	struct diag *diag;
};

static void ini_ctx_init(struct ini_ctx *ctx, const char *file, struct ini_doc *doc, bool lenient,
			 struct diag *diag)
{
	*ctx = (struct ini_ctx){ .file = file, .section = xstrdup(""), .lenient = lenient,
				 .doc = doc, .diag = diag };
}

static void ini_ctx_done(struct ini_ctx *ctx)
{
	free(ctx->section);
	ctx->section = NULL;
}

static int bad(struct ini_ctx *ctx, const char *fmt, const char *token)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, token);
	if (ctx->lenient) {
		struct ini_doc *d = ctx->doc;
		d->bad = xrealloc(d->bad, (d->n_bad + 1) * sizeof(*d->bad));
		d->bad[d->n_bad++] = (struct ini_bad_line){ .line = ctx->line, .msg = xstrdup(msg) };
		return 0;
	}
	return diag_set(ctx->diag, ctx->file, ctx->line, "%s", msg);
}

bool ini_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

size_t ini_comment_at(const char *p, size_t len)
{
	bool quoted = false;

	for (size_t k = 0; k < len; k++) {
		if (p[k] == '"')
			quoted = !quoted;
		else if (!quoted && (p[k] == '#' || p[k] == ';') && k > 0 &&
			 (p[k - 1] == ' ' || p[k - 1] == '\t'))
			return k;
	}
	return len;
}

static void add_entry(struct ini_entry **arr, size_t *n, struct ini_entry e)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = e;
}

/* Parses one line (without its '\n'; a trailing '\r' is dropped). The line is modified.
 * Returns 0, or -EBADMSG with ctx->diag filled (strict mode only). */
static int ini_parse_line(struct ini_ctx *ctx, char *line)
{
	size_t n = strlen(line);
	char *s, *eq, *key, *value;

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	s = strstrip(line);
	if (!*s || *s == '#' || *s == ';')
		return 0;

	if (*s == '[') {
		char *end = strchr(s, ']');
		if (!end)
			return bad(ctx, "section header without closing ']': \"%s\"", s);
		char *rest = end + 1;
		while (isspace((unsigned char)*rest))
			rest++;
		if (*rest && *rest != '#' && *rest != ';')
			return bad(ctx, "text after section header: \"%s\"", s);
		*end = '\0';
		char *name = strstrip(s + 1);
		if (!*name)
			return bad(ctx, "empty section name: \"%s\"", "[]");
		for (char *p = name; *p; p++)
			if (!ini_key_char(*p) && *p != ' ')
				return bad(ctx, "invalid section name \"%s\"", name);
		free(ctx->section);
		ctx->section = xstrdup(name);
		add_entry(&ctx->doc->sections, &ctx->doc->n_sections,
			  (struct ini_entry){ .section = xstrdup(name), .line = ctx->line });
		return 0;
	}

	eq = strchr(s, '=');
	if (!eq)
		return bad(ctx, "expected \"key = value\", got \"%s\"", s);
	*eq = '\0';
	key = strstrip(s);
	value = eq + 1;
	value[ini_comment_at(value, strlen(value))] = '\0';
	value = strstrip(value);
	if (!*key)
		return bad(ctx, "missing key before '=' in \"=%s\"", value);
	for (char *p = key; *p; p++)
		if (!ini_key_char(*p))
			return bad(ctx, "invalid key \"%s\"", key);
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	} else if (memchr(value, '"', n) && (value[0] == '"' || value[n - 1] == '"'))
		return bad(ctx, "unbalanced quote in value \"%s\"", value);

	add_entry(&ctx->doc->entries, &ctx->doc->n_entries,
		  (struct ini_entry){ .section = xstrdup(ctx->section), .key = xstrdup(key),
				      .value = xstrdup(value), .line = ctx->line });
	return 0;
}

int ini_parse_buffer(const char *file, const char *data, size_t len, bool lenient,
		     struct ini_doc *doc, struct diag *diag)
{
	struct ini_ctx ctx;
	char line[INI_MAX_LINE + 2];
	int r = 0;

	ini_ctx_init(&ctx, file, doc, lenient, diag);
	for (size_t pos = 0; pos < len && r == 0;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		ctx.line++;
		if (memchr(data + pos, '\0', n))
			r = diag_set(diag, file, ctx.line, "NUL byte in line");
		else if (n > INI_MAX_LINE)
			r = diag_set(diag, file, ctx.line, "line longer than %d bytes", INI_MAX_LINE);
		else {
			memcpy(line, data + pos, n);
			line[n] = '\0';
			r = ini_parse_line(&ctx, line);
		}
		pos += n + 1;
	}
	explicit_bzero(line, sizeof(line)); /* the last line may have held a secret */
	ini_ctx_done(&ctx);
	return r;
}

const char *ini_doc_get(const struct ini_doc *doc, const char *section, const char *key,
			unsigned *line)
{
	for (size_t i = doc->n_entries; i-- > 0;) {
		const struct ini_entry *e = &doc->entries[i];
		if (strcasecmp(e->section, section) == 0 && strcasecmp(e->key, key) == 0) {
			if (line)
				*line = e->line;
			return e->value;
		}
	}
	return NULL;
}

static void entries_free(struct ini_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].section);
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

void ini_doc_free(struct ini_doc *doc)
{
	entries_free(doc->entries, doc->n_entries);
	entries_free(doc->sections, doc->n_sections);
	for (size_t i = 0; i < doc->n_bad; i++)
		free(doc->bad[i].msg);
	free(doc->bad);
	*doc = (struct ini_doc){ 0 };
}

int ini_parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}
