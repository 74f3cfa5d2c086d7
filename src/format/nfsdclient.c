/* SPDX-License-Identifier: MIT */
#include "format/nfsdclient.h"
#include "format/format_private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>

void nfsd_client_ctx_init(struct nfsd_client_ctx *ctx, const char *file, struct nfsd_client *out,
			  struct diag *diag)
{
	*ctx = (struct nfsd_client_ctx){ .file = file, .out = out, .diag = diag };
	*out = (struct nfsd_client){ .minor_version = -1, .renew_s = -1 };
}

static int bad(struct nfsd_client_ctx *ctx, const char *fmt, const char *v, size_t n)
{
	char quoted[64];
	size_t k = n < 40 ? n : 40;

	/* As it is (no NUL in a line): the message reaches a person through the one escaping
	 * function. */
	memcpy(quoted, v, k);
	quoted[k] = '\0';
	return diag_set(ctx->diag, ctx->file, ctx->line, fmt, quoted, n > k ? "..." : "");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A value written by seq_quote_mem(): "...", printable ASCII with \\ and \" escaped, every
 * other byte as \xHH. *out gets the bytes (NUL-terminated; a NUL byte inside is refused). */
static int unquote(struct nfsd_client_ctx *ctx, const char *key, const char *v, size_t n,
		   char **out)
{
	if (n == 0 || v[0] != '"')
		return diag_set(ctx->diag, ctx->file, ctx->line, "%s: the value is not quoted", key);
	_cleanup_free_ char *buf = xmalloc(n);
	char *o = buf;
	for (size_t i = 1; i < n; i++) {
		char c = v[i];
		int h, l;
		if (c == '"') {
			if (i != n - 1)
				return diag_set(ctx->diag, ctx->file, ctx->line,
						"%s: text after the closing '\"'", key);
			*o = '\0';
			*out = TAKE_PTR(buf);
			return 0;
		}
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			return diag_set(ctx->diag, ctx->file, ctx->line,
					"%s: a byte the kernel would have escaped (0x%02x)", key,
					(unsigned char)c);
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (i + 1 < n && (v[i + 1] == '\\' || v[i + 1] == '"')) {
			*o++ = v[++i];
			continue;
		}
		if (i + 3 < n && v[i + 1] == 'x' && (h = hexval(v[i + 2])) >= 0 &&
		    (l = hexval(v[i + 3])) >= 0 && (h || l)) {
			*o++ = (char)(h * 16 + l);
			i += 3;
			continue;
		}
		return diag_set(ctx->diag, ctx->file, ctx->line, "%s: a bad escape in the quoted value",
				key);
	}
	return diag_set(ctx->diag, ctx->file, ctx->line,
			"%s: the quoted value does not end with '\"' (the file is cut short?)", key);
}

/* "100.64.0.3:876" or "[fd7a:115c:a1e0::3]:876". */
static int parse_address(struct nfsd_client *c, const char *s)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port = close + 2;
		c->family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
		c->family = AF_INET;
	}
	if (inet_pton(c->family, host, c->addr) != 1)
		return -EINVAL;
	if (!*port || strlen(port) > 5)
		return -EINVAL;
	long p = 0;
	for (const char *q = port; *q; q++) {
		if (!isdigit((unsigned char)*q))
			return -EINVAL;
		p = p * 10 + (*q - '0');
	}
	if (p > 65535)
		return -EINVAL;
	c->port = (uint16_t)p;
	return 0;
}

/* A decimal number, possibly negative, fitting a long long. */
static int parse_ll(const char *v, size_t n, long long *out)
{
	char buf[24];
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[0]) && !(buf[0] == '-' && isdigit((unsigned char)buf[1])))
		return -EINVAL;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int nfsd_client_ctx_line(struct nfsd_client_ctx *ctx, const char *l, size_t n)
{
	struct nfsd_client *c = ctx->out;
	const char *sep, *v;
	size_t kn, vn;

	if (++ctx->line > NFSD_CLIENT_MAX_LINES)
		return diag_set(ctx->diag, ctx->file, ctx->line, "more than %d lines",
				NFSD_CLIENT_MAX_LINES);
	if (n == 0)
		return 0;
	if (memchr(l, '\0', n))
		return diag_set(ctx->diag, ctx->file, ctx->line, "a NUL byte");
	sep = memchr(l, ':', n);
	if (!sep)
		return bad(ctx, "not a \"key: value\" line: \"%s%s\"", l, n);
	kn = (size_t)(sep - l);
	v = sep + 1;
	vn = n - kn - 1;
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\r'))
		vn--;
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(l, s, kn) == 0)
	if (KEY("clientid")) {
		char buf[24];
		char *end;
		if (vn < 3 || vn > 18 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X'))
			return bad(ctx, "clientid: \"%s%s\" is not a hexadecimal number", v, vn);
		memcpy(buf, v + 2, vn - 2);
		buf[vn - 2] = '\0';
		errno = 0;
		c->clientid = strtoull(buf, &end, 16);
		if (errno || *end || !isxdigit((unsigned char)buf[0]))
			return bad(ctx, "clientid: \"%s%s\" is not a hexadecimal number", v, vn);
		ctx->have_id = true;
	} else if (KEY("address")) {
		_cleanup_free_ char *s = NULL;
		int r = unquote(ctx, "address", v, vn, &s);
		if (r < 0)
			return r;
		if (parse_address(c, s) < 0)
			return bad(ctx, "address: \"%s%s\" is not ADDRESS:PORT", s, strlen(s));
		ctx->have_addr = true;
	} else if (KEY("status")) {
		static const char *const ok[] = { "confirmed", "unconfirmed", "courtesy", "expirable" };
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(ok) && !known; i++)
			known = vn == strlen(ok[i]) && memcmp(v, ok[i], vn) == 0;
		if (!known)
			return bad(ctx, "status: \"%s%s\" is not a client state", v, vn);
		memcpy(c->status, v, vn);
		c->status[vn] = '\0';
	} else if (KEY("seconds from last renew")) {
		if (parse_ll(v, vn, &c->renew_s) < 0)
			return bad(ctx, "seconds from last renew: \"%s%s\" is not a number", v, vn);
	} else if (KEY("minor version")) {
		long long mv;
		if (parse_ll(v, vn, &mv) < 0 || mv < 0 || mv > 255)
			return bad(ctx, "minor version: \"%s%s\" is not 0..255", v, vn);
		c->minor_version = (int)mv;
	} else if (KEY("name")) {
		free(c->name);
		c->name = NULL;
		return unquote(ctx, "name", v, vn, &c->name);
	} else if (KEY("Implementation name")) {
		free(c->impl_name);
		c->impl_name = NULL;
		return unquote(ctx, "Implementation name", v, vn, &c->impl_name);
	}
#undef KEY
	return 0; /* a key this parser does not use */
}

int nfsd_client_ctx_finish(struct nfsd_client_ctx *ctx)
{
	if (!ctx->have_id)
		return diag_set(ctx->diag, ctx->file, ctx->line,
				"no clientid line (the file is cut short?)");
	if (!ctx->have_addr)
		return diag_set(ctx->diag, ctx->file, ctx->line,
				"no address line (the file is cut short?)");
	return 0;
}

int nfsd_client_parse(const char *file, const char *data, size_t len, struct nfsd_client *out,
		      struct diag *diag)
{
	struct nfsd_client_ctx ctx;
	int r = 0;

	nfsd_client_ctx_init(&ctx, file, out, diag);
	for (size_t pos = 0; pos < len && r == 0;) {
		const char *l = data + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		pos += n + 1;
		r = nfsd_client_ctx_line(&ctx, l, n);
	}
	if (r == 0)
		r = nfsd_client_ctx_finish(&ctx);
	if (r < 0)
		nfsd_client_free(out);
	return r;
}

void nfsd_client_free(struct nfsd_client *c)
{
	free(c->name);
	free(c->impl_name);
	c->name = c->impl_name = NULL;
}

bool nfsd_client_linux_host(const struct nfsd_client *c, char *buf, size_t size)
{
	static const char prefix[] = "Linux NFSv4.";
	const char *p;
	size_t n;

	if (!c->name || !startswith(c->name, prefix) || size == 0)
		return false;
	p = c->name + sizeof(prefix) - 1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != ' ')
		return false;
	p++;
	n = strcspn(p, "/ ");
	if (n == 0 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr("-_.:", p[i]))
			return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

void nfsd_client_addr_format(const struct nfsd_client *c, char *buf, size_t size)
{
	if (!inet_ntop(c->family == AF_INET6 ? AF_INET6 : AF_INET, c->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}
