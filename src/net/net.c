/* SPDX-License-Identifier: MIT */
#include "net/net.h"

#include "config/config.h"
#include "format/cidr.h"
#include "net/net_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

socklen_t net_sockaddr(const struct netaddr *dst, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (dst->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(dst->v4);
		return sizeof(*in);
	}
	if (dst->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, dst->v6, 16);
		return sizeof(*in6);
	}
	return 0;
}

struct netaddr net_from_sockaddr(const void *sa, socklen_t len)
{
	struct sockaddr_storage ss = { 0 };

	memcpy(&ss, sa, len < sizeof(ss) ? len : sizeof(ss));
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return netaddr_ipv4(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr));
	if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct netaddr a = { .family = AF_INET6 };
		memcpy(a.v6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		return a;
	}
	return (struct netaddr){ 0 };
}

int net_route_source(const struct netaddr *dst, uint16_t port, struct netaddr *src)
{
	struct sockaddr_storage to, me;
	socklen_t tolen = net_sockaddr(dst, port, &to), len = sizeof(me);

	if (!tolen)
		return -EAFNOSUPPORT;
	_cleanup_close_ int fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* connect() on a datagram socket only picks the route and the source: nothing is sent. */
	if (connect(fd, (struct sockaddr *)&to, tolen) < 0)
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&me, &len) < 0)
		return -errno;
	*src = net_from_sockaddr(&me, len);
	return netaddr_is_set(src) ? 0 : -EAFNOSUPPORT;
}

/* One resolver request; on the heap, because a request the resolver's helper thread is still
 * working on when the deadline expires cannot be freed (it is left behind). */
struct resolve_req {
	struct gaicb cb;
	struct addrinfo hints;
	char name[256];
};

/* "[ADDR]" without its brackets, into buf; false when host is not in brackets. */
static bool unbracket(const char *host, char *buf, size_t size)
{
	size_t n = strlen(host);

	if (n < 2 || host[0] != '[' || host[n - 1] != ']' || n - 2 >= size)
		return false;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	return true;
}

int net_resolve(const char *host, int timeout_ms, struct netaddr *addr, char *err,
		size_t errsize)
{
	struct resolve_req *q;
	int64_t deadline = now_ms() + timeout_ms;
	char lit[NETADDR_STRLEN];
	int r;

	if (netaddr_parse(host, addr) == 0 ||
	    (unbracket(host, lit, sizeof(lit)) && netaddr_parse(lit, addr) == 0 &&
	     addr->family == AF_INET6))
		return 0;
	if (strlen(host) >= sizeof(q->name) || config_check_host(host) < 0) {
		snprintf(err, errsize, "\"%.64s\" is neither an IP address nor a host name", host);
		return -EINVAL;
	}
	q = xcalloc(1, sizeof(*q));
	strcpy(q->name, host);
	q->hints = (struct addrinfo){ .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	q->cb = (struct gaicb){ .ar_name = q->name, .ar_request = &q->hints };
	struct gaicb *list[1] = { &q->cb };
	/* The resolver may wait on DNS: ask asynchronously and give up at the deadline. */
	r = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (r != 0) {
		snprintf(err, errsize, "cannot resolve \"%s\": %s", host, gai_strerror(r));
		free(q);
		return -EIO;
	}
	while ((r = gai_error(&q->cb)) == EAI_INPROGRESS) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000L };
		const struct gaicb *const wait[1] = { &q->cb };
		gai_suspend(wait, 1, &ts);
	}
	if (r == EAI_INPROGRESS) {
		snprintf(err, errsize, "resolving \"%s\" took longer than %d ms", host, timeout_ms);
		/* A request the helper thread still works on stays allocated; one that finished
		 * just now is freed with its answer. */
		int c = gai_cancel(&q->cb);
		if (c == EAI_ALLDONE && gai_error(&q->cb) == 0 && q->cb.ar_result)
			freeaddrinfo(q->cb.ar_result);
		if (c == EAI_CANCELED || c == EAI_ALLDONE)
			free(q);
		return -ETIMEDOUT;
	}
	if (r != 0) {
		snprintf(err, errsize, "cannot resolve \"%s\": %s", host, gai_strerror(r));
		free(q);
		return -ENOENT;
	}
	/* Its IPv4 address first (what the mesh's IPv4 range is judged on), else its IPv6 one. */
	*addr = (struct netaddr){ 0 };
	for (int fam = 0; fam < 2 && !netaddr_is_set(addr); fam++)
		for (struct addrinfo *ai = q->cb.ar_result; ai && !netaddr_is_set(addr); ai = ai->ai_next)
			if (ai->ai_family == (fam ? AF_INET6 : AF_INET))
				*addr = net_from_sockaddr(ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(q->cb.ar_result);
	if (!netaddr_is_set(addr)) {
		snprintf(err, errsize, "\"%s\" has no IPv4 or IPv6 address", host);
		free(q);
		return -ENOENT;
	}
	free(q);
	return 0;
}

/* An IPv6 operand: "[ADDR]", "[ADDR]:EXPORT" or a bare ADDR (no export then: its colons are
 * the address's). 1 when arg is one (host and *colon set: the export's colon or NULL), 0 when
 * it is not IPv6, -EBADMSG when it is bracketed but wrong. */
static int target6(const char *arg, char **host, const char **colon, struct diag *d)
{
	struct netaddr a;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		_cleanup_free_ char *h = close ? xstrndup(arg + 1, (size_t)(close - arg - 1)) : NULL;
		if (!h || netaddr_parse(h, &a) < 0 || a.family != AF_INET6)
			return diag_set(d, "argument", 0, "\"%.64s\": [ADDR] must hold an IPv6 address",
					arg);
		if (close[1] && close[1] != ':')
			return diag_set(d, "argument", 0,
					"\"%.64s\": after [ADDR] comes nothing or :EXPORT", arg);
		*colon = close[1] ? close + 1 : NULL;
		*host = TAKE_PTR(h);
		return 1;
	}
	if (strchr(arg, ':') != strrchr(arg, ':') && netaddr_parse(arg, &a) == 0) {
		*colon = NULL;
		*host = xstrdup(arg);
		return 1;
	}
	return 0;
}

int net_parse_target(const char *arg, char **host, char **export_path, struct diag *d)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	_cleanup_free_ char *h = NULL;
	int r;

	if (strlen(arg) > 1300 || !str_is_printable(arg, strlen(arg)))
		return diag_set(d, "argument", 0, "\"%.64s\" is not HOST[:EXPORT]", arg);
	if ((r = target6(arg, &h, &colon, d)) < 0)
		return r;
	if (!r)
		h = xstrndup(arg, n);
	if (!r && (n == 0 || config_check_host(h) < 0))
		return diag_set(d, "argument", 0,
				"\"%s\": the host must be an IP address ([IPv6]:EXPORT with an "
				"export) or a host name", h);
	if (colon && config_check_abs_path(colon + 1) < 0)
		return diag_set(d, "argument", 0,
				"\"%s\": the export must be an absolute path without \"..\"", colon + 1);
	*export_path = colon ? xstrdup(colon + 1) : NULL;
	*host = TAKE_PTR(h);
	return 0;
}
