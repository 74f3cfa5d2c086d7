/* SPDX-License-Identifier: MIT */
#include "format/listeners.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>

static void add(struct listeners *out, const struct listener *l)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 32;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	out->v[out->n++] = *l;
}

void listeners_free(struct listeners *l)
{
	free(l->v);
	*l = (struct listeners){ 0 };
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* n hex digits into v; false on anything else. */
static bool hex_n(const char *s, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	return true;
}

/* Splits a line into at most max whitespace-separated tokens; returns the count (max + 1 when
 * there are more). The line is modified. */
static size_t tokens(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = t;
	}
	return n;
}

/* The kernel prints each 32-bit word of the address in host byte order (little endian on
 * x86 and arm64, the machines WSL runs on): "0100007F" is 127.0.0.1. */
static bool proc_addr(const char *s, bool v6, struct listener *l)
{
	size_t hexlen = v6 ? 32 : 8;
	uint32_t w, port;

	if (strlen(s) != hexlen + 5 || s[hexlen] != ':' || !hex_n(s + hexlen + 1, 4, &port))
		return false;
	for (size_t i = 0; i < hexlen / 8; i++) {
		if (!hex_n(s + 8 * i, 8, &w))
			return false;
		l->addr[4 * i] = w & 0xff;
		l->addr[4 * i + 1] = (w >> 8) & 0xff;
		l->addr[4 * i + 2] = (w >> 16) & 0xff;
		l->addr[4 * i + 3] = w >> 24;
	}
	l->family = v6 ? AF_INET6 : AF_INET;
	l->port = (uint16_t)port;
	return true;
}

/* Calls fn for each line (without '\n' and a trailing '\r'); stops on its error. */
static int each_line(const char *file, const char *data, size_t len,
		     int (*fn)(void *ud, char *line, unsigned no), void *ud, struct diag *diag)
{
	char line[1024];
	unsigned no = 0;

	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		if (++no > LISTENERS_MAX_LINES)
			return diag_set(diag, file, no, "more than %d lines", LISTENERS_MAX_LINES);
		if (n >= sizeof(line))
			return diag_set(diag, file, no, "line longer than %zu bytes", sizeof(line) - 1);
		if (memchr(data + pos, '\0', n))
			return diag_set(diag, file, no, "NUL byte in line");
		memcpy(line, data + pos, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		int r = fn(ud, line, no);
		if (r < 0)
			return r;
		pos += n + 1;
	}
	return 0;
}

struct proc_ctx {
	const char *file;
	bool v6;
	struct listeners *out;
	struct diag *diag;
};

static int proc_line(void *ud, char *line, unsigned no)
{
	struct proc_ctx *c = ud;
	char *tok[5];
	struct listener l = { 0 };
	uint32_t st;
	size_t n;

	if (no == 1) {
		if (!strstr(line, "local_address") || !strstr(line, "st"))
			return diag_set(c->diag, c->file, no, "not a /proc/net/tcp header: \"%.60s\"",
					line);
		return 0;
	}
	n = tokens(line, tok, 4);
	if (n == 0)
		return 0;
	if (n < 4)
		return diag_set(c->diag, c->file, no, "expected \"sl local rem st ...\", got \"%.60s\"",
				tok[0]);
	size_t sl = strlen(tok[0]);
	if (sl < 2 || tok[0][sl - 1] != ':' || strspn(tok[0], "0123456789") != sl - 1)
		return diag_set(c->diag, c->file, no, "bad slot \"%.20s\"", tok[0]);
	if (!proc_addr(tok[1], c->v6, &l) || !proc_addr(tok[2], c->v6, &(struct listener){ 0 }))
		return diag_set(c->diag, c->file, no, "bad address \"%.60s\"", tok[1]);
	if (strlen(tok[3]) != 2 || !hex_n(tok[3], 2, &st))
		return diag_set(c->diag, c->file, no, "bad state \"%.10s\"", tok[3]);
	if (st == 0x0a) /* TCP_LISTEN */
		add(c->out, &l);
	return 0;
}

int proc_net_tcp_parse(const char *file, const char *data, size_t len, bool v6,
		       struct listeners *out, struct diag *diag)
{
	struct proc_ctx c = { .file = file, .v6 = v6, .out = out, .diag = diag };

	if (len == 0)
		return diag_set(diag, file, 0, "empty file");
	return each_line(file, data, len, proc_line, &c, diag);
}

/* "0.0.0.0:135", "[::]:135", "[fe80::1%11]:1900", "*:*" (UDP foreign). */
static bool netstat_addr(const char *s, struct listener *l)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	char *end;
	unsigned long port;

	if (!colon || colon == s || !isdigit((unsigned char)colon[1]))
		return false;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535)
		return false;
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 3 || s[hl - 1] != ']' || hl - 2 >= sizeof(host))
			return false;
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		host[strcspn(host, "%")] = '\0'; /* zone index */
		l->family = AF_INET6;
	} else {
		if (hl >= sizeof(host))
			return false;
		memcpy(host, s, hl);
		host[hl] = '\0';
		l->family = AF_INET;
	}
	if (inet_pton(l->family, host, l->addr) != 1)
		return false;
	l->port = (uint16_t)port;
	return true;
}

static bool parse_pid(const char *s, uint32_t *pid)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*pid = (uint32_t)v;
	return true;
}

struct netstat_ctx {
	const char *file;
	struct listeners *out;
	struct diag *diag;
	size_t tcp_rows;
};

static int netstat_line(void *ud, char *line, unsigned no)
{
	struct netstat_ctx *c = ud;
	char *tok[6];
	struct listener l = { 0 }, remote = { 0 };
	size_t n = tokens(line, tok, 5);
	bool tcp;

	if (n == 0 || (!streq(tok[0], "TCP") && !streq(tok[0], "UDP")))
		return 0; /* blank, title or column header, in whatever language */
	tcp = streq(tok[0], "TCP");
	if (n != (tcp ? 5u : 4u))
		return diag_set(c->diag, c->file, no, "%s row with %zu columns (run with -ano?)",
				tok[0], n);
	if (!netstat_addr(tok[1], &l))
		return diag_set(c->diag, c->file, no, "bad local address \"%.60s\"", tok[1]);
	if (!parse_pid(tok[n - 1], &l.pid))
		return diag_set(c->diag, c->file, no, "bad PID \"%.20s\"", tok[n - 1]);
	if (!tcp) {
		if (!streq(tok[2], "*:*") && !netstat_addr(tok[2], &remote))
			return diag_set(c->diag, c->file, no, "bad foreign address \"%.60s\"", tok[2]);
		return 0;
	}
	c->tcp_rows++;
	if (!netstat_addr(tok[2], &remote))
		return diag_set(c->diag, c->file, no, "bad foreign address \"%.60s\"", tok[2]);
	for (size_t i = 0; i < strlen(tok[3]); i++)
		if ((unsigned char)tok[3][i] < 0x21)
			return diag_set(c->diag, c->file, no, "bad state word");
	/* A listening socket has no peer: 0.0.0.0:0 or [::]:0, in every language. */
	if (remote.port == 0 && listener_is_wildcard(&remote))
		add(c->out, &l);
	return 0;
}

int netstat_parse(const char *file, const char *data, size_t len, struct listeners *out,
		  struct diag *diag)
{
	struct netstat_ctx c = { .file = file, .out = out, .diag = diag };
	int r = each_line(file, data, len, netstat_line, &c, diag);

	if (r == 0 && c.tcp_rows == 0)
		return diag_set(diag, file, 0, "no TCP rows: not the output of `netstat -ano`");
	return r;
}

bool listener_ipv4(const struct listener *l, uint32_t *addr)
{
	const uint8_t *a = l->addr;

	if (l->family == AF_INET6) {
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) != 0)
			return false;
		a += 12;
	}
	*addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	return true;
}

bool listener_is_loopback(const struct listener *l)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (l->family == AF_INET)
		return l->addr[0] == 127;
	return memcmp(l->addr, v6lo, 16) == 0 ||
	       /* ::ffff:127.x.y.z */
	       (memcmp(l->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && l->addr[12] == 127);
}

bool listener_is_wildcard(const struct listener *l)
{
	static const uint8_t zero[16];

	return memcmp(l->addr, zero, l->family == AF_INET ? 4 : 16) == 0;
}

void listener_format(const struct listener *l, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(l->family, l->addr, a, sizeof(a));
	if (l->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, l->port);
	else
		snprintf(buf, size, "%s:%u", a, l->port);
}
