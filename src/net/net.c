/* SPDX-License-Identifier: MIT */
#include "net/net.h"

#include "config/config.h"
#include "format/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

int net_route_source(uint32_t dst, uint16_t port, uint32_t *src)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(dst) };
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	if (fd < 0)
		return -errno;
	/* connect() on a datagram socket only picks the route and the source: nothing is sent. */
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&me, &len) < 0)
		return -errno;
	*src = ntohl(me.sin_addr.s_addr);
	return 0;
}

/* One resolver request; on the heap, because a request the resolver's helper thread is still
 * working on when the deadline expires cannot be freed (it is left behind). */
struct resolve_req {
	struct gaicb cb;
	struct addrinfo hints;
	char name[256];
};

int net_resolve(const char *host, int timeout_ms, uint32_t *addr, char *err, size_t errsize)
{
	struct resolve_req *q;
	int64_t deadline = now_ms() + timeout_ms;
	int r;

	if (ipv4_parse(host, addr) == 0)
		return 0;
	if (strlen(host) >= sizeof(q->name) || config_check_host(host) < 0) {
		snprintf(err, errsize, "\"%.64s\" is neither an IPv4 address nor a host name", host);
		return -EINVAL;
	}
	q = xcalloc(1, sizeof(*q));
	strcpy(q->name, host);
	q->hints = (struct addrinfo){ .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
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
	*addr = ntohl(((struct sockaddr_in *)q->cb.ar_result->ai_addr)->sin_addr.s_addr);
	freeaddrinfo(q->cb.ar_result);
	free(q);
	return 0;
}

int net_parse_target(const char *arg, char **host, char **export_path, struct diag *d)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	_cleanup_free_ char *h = NULL;

	if (strlen(arg) > 1300 || !str_is_printable(arg, strlen(arg)))
		return diag_set(d, "argument", 0, "\"%.64s\" is not HOST[:EXPORT]", arg);
	h = xstrndup(arg, n);
	if (n == 0 || config_check_host(h) < 0)
		return diag_set(d, "argument", 0,
				"\"%s\": the host must be an IPv4 address or a host name", h);
	if (colon && config_check_abs_path(colon + 1) < 0)
		return diag_set(d, "argument", 0,
				"\"%s\": the export must be an absolute path without \"..\"", colon + 1);
	*export_path = colon ? xstrdup(colon + 1) : NULL;
	*host = TAKE_PTR(h);
	return 0;
}
