/* SPDX-License-Identifier: MIT */
/* The metrics endpoint of meshnfs watch: libmicrohttpd in its own polling thread, on a socket
 * we bind ourselves (so "address in use" is a clear errno, not a NULL). GET /metrics answers
 * the last round's text; anything else is 404, any other method 405. */
#include "watch/watch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

struct watch_http {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text;
	size_t len;
};

static mhd_result answer(struct watch_http *h, struct MHD_Connection *c, unsigned status,
			 const char *body, size_t len, const char *type)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	mhd_result ret;

	(void)h;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static mhd_result handler(void *cls, struct MHD_Connection *c, const char *url,
			  const char *method, const char *version, const char *upload_data,
			  size_t *upload_data_size, void **con_cls)
{
	struct watch_http *h = cls;
	static const char text_type[] = "text/plain; charset=utf-8";

	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (*upload_data_size)
		return MHD_NO; /* a body: not ours to read */
	if (!streq(method, "GET") && !streq(method, "HEAD"))
		return answer(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n", 13, text_type);
	if (!streq(url, "/metrics"))
		return answer(h, c, MHD_HTTP_NOT_FOUND, "meshnfs watch: GET /metrics\n", 28,
			      text_type);
	pthread_mutex_lock(&h->lock);
	mhd_result r = answer(h, c, MHD_HTTP_OK, h->text ? h->text : "", h->text ? h->len : 0,
			      "text/plain; version=0.0.4; charset=utf-8");
	pthread_mutex_unlock(&h->lock);
	return r;
}

int watch_http_start(uint32_t addr, uint16_t port, struct watch_http **out, char *err,
		     size_t errsize)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(addr) };
	char a[INET_ADDRSTRLEN];
	int one = 1, r;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	*out = NULL;
	if (fd < 0) {
		r = -errno;
		snprintf(err, errsize, "socket: %s", strerror(-r));
		return r;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot listen on %s:%u: %s%s", a, (unsigned)port, strerror(-r),
			 r == -EADDRINUSE ? " (another program has that port: choose another with "
					    "--listen ADDR:PORT)"
			 : r == -EADDRNOTAVAIL ? " (no interface of this node has that address)"
					       : "");
		close(fd);
		return r;
	}
	struct watch_http *h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				     handler, h, MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errsize, "cannot serve on %s:%u: libmicrohttpd did not start", a,
			 (unsigned)port);
		close(fd);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

void watch_http_set(struct watch_http *h, const char *text, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&h->lock);
	free(h->text);
	h->text = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
}

void watch_http_stop(struct watch_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon); /* closes the listening socket too */
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
}
