/* SPDX-License-Identifier: MIT */
/* hs-replay: a tiny HTTPS server that replays recorded Headscale REST answers, because
 * Headscale cannot be installed on the test machines. Built for the tests only; started by
 * them inside a network namespace, stopped by pid.
 *
 *   hs-replay --listen ADDR:PORT --cert PEM --key PEM --api-key-file FILE --dir DIR [--stall]
 *
 * GET /api/v1/node answers DIR/node.json and GET /api/v1/machine answers DIR/machine.json
 * when those files exist (so one DIR gives a new server, an old one, or both), else 404 with
 * grpc-gateway's error body. A request without "Authorization: Bearer KEY" (KEY from
 * --api-key-file) gets 401 "Unauthorized", as Headscale answers. --stall reads the request
 * and never answers (for deadline tests). One connection at a time; each request is logged
 * on stderr as "METHOD PATH STATUS". Prints "ready" on stdout once listening. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir, *api_key;
static bool stall;

static void die(const char *msg)
{
	fprintf(stderr, "hs-replay: %s\n", msg);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat st;
	fstat(fileno(f), &st);
	char *b = malloc((size_t)st.st_size + 1);
	*len = fread(b, 1, (size_t)st.st_size, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

static void reply(SSL *ssl, int status, const char *reason, const char *type, const char *body,
		  size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, reason, type, len);
	SSL_write(ssl, head, n);
	for (size_t off = 0; off < len;) {
		int w = SSL_write(ssl, body + off, len - off > 65536 ? 65536 : (int)(len - off));
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void serve(SSL *ssl)
{
	char req[16384];
	size_t used = 0;

	while (used < sizeof(req) - 1) {
		int n = SSL_read(ssl, req + used, (int)(sizeof(req) - 1 - used));
		if (n <= 0)
			return;
		used += (size_t)n;
		req[used] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	char method[16] = "", path[1024] = "";
	if (sscanf(req, "%15s %1023s", method, path) != 2)
		return;
	if (stall) {
		fprintf(stderr, "%s %s stalled\n", method, path);
		pause();
	}
	bool auth = false;
	for (char *l = strstr(req, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
		char *h = l + 2;
		if (strncasecmp(h, "Authorization:", 14) == 0) {
			h += 14;
			h += strspn(h, " ");
			size_t end = strcspn(h, "\r");
			auth = strncmp(h, "Bearer ", 7) == 0 && end == 7 + strlen(api_key) &&
			       strncmp(h + 7, api_key, strlen(api_key)) == 0;
		}
	}
	if (!auth) {
		fprintf(stderr, "%s %s 401\n", method, path);
		reply(ssl, 401, "Unauthorized", "text/plain; charset=utf-8", "Unauthorized", 12);
		return;
	}
	const char *file = strcmp(path, "/api/v1/node") == 0	  ? "node.json"
			   : strcmp(path, "/api/v1/machine") == 0 ? "machine.json"
								  : NULL;
	char fp[4096];
	size_t len = 0;
	char *body = NULL;
	if (file && strcmp(method, "GET") == 0) {
		snprintf(fp, sizeof(fp), "%s/%s", dir, file);
		body = slurp(fp, &len);
	}
	if (!body) {
		static const char nf[] = "{\"code\":5,\"message\":\"Not Found\",\"details\":[]}";
		fprintf(stderr, "%s %s 404\n", method, path);
		reply(ssl, 404, "Not Found", "application/json", nf, sizeof(nf) - 1);
		return;
	}
	fprintf(stderr, "%s %s 200\n", method, path);
	reply(ssl, 200, "OK", "application/json", body, len);
	free(body);
}

int main(int argc, char **argv)
{
	const char *listen_at = NULL, *cert = NULL, *key = NULL, *key_file = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--stall") == 0) {
			stall = true;
			continue;
		}
		if (!v)
			die("usage: hs-replay --listen ADDR:PORT --cert PEM --key PEM --api-key-file F --dir D [--stall]");
		if (strcmp(a, "--listen") == 0)
			listen_at = v;
		else if (strcmp(a, "--cert") == 0)
			cert = v;
		else if (strcmp(a, "--key") == 0)
			key = v;
		else if (strcmp(a, "--api-key-file") == 0)
			key_file = v;
		else if (strcmp(a, "--dir") == 0)
			dir = v;
		else
			die("unknown option");
		i++;
	}
	if (!listen_at || !cert || !key || !key_file || !dir)
		die("missing option");
	size_t kl;
	char *k = slurp(key_file, &kl);
	if (!k)
		die("cannot read the API key file");
	k[strcspn(k, "\r\n")] = '\0';
	api_key = k;

	char host[64];
	int port;
	const char *colon = strrchr(listen_at, ':');
	if (!colon || (size_t)(colon - listen_at) >= sizeof(host))
		die("--listen ADDR:PORT");
	memcpy(host, listen_at, (size_t)(colon - listen_at));
	host[colon - listen_at] = '\0';
	port = atoi(colon + 1);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("bad listen address");

	signal(SIGPIPE, SIG_IGN);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		die("cannot load the certificate or key");
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0)
		die(strerror(errno));
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		struct timeval tv = { .tv_sec = 5 };
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		SSL *ssl = SSL_new(ctx);
		SSL_set_fd(ssl, c);
		if (SSL_accept(ssl) == 1)
			serve(ssl);
		else
			fprintf(stderr, "TLS handshake failed\n");
		SSL_shutdown(ssl);
		SSL_free(ssl);
		close(c);
	}
}
