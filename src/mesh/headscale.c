/* SPDX-License-Identifier: MIT */
#include "mesh/headscale.h"

#include "core/root.h"

#include "format/rfc3339.h"
#include "mesh/mesh_private.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>

#ifndef MESHNFS_VERSION
#define MESHNFS_VERSION "0.0.0"
#endif

#define NAME_MAX_LEN 255

/* ---- parsing ------------------------------------------------------------------------- */

/* A string field: NULL when absent or null; -EINVAL when of another type. */
static int get_string(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 0;
}

/* Names are bounded; any bytes otherwise: human output escapes them (core/escape.h), and
 * one node with a hostile name must not hide the rest of the mesh. */
static bool good_name(const char *s)
{
	return strlen(s) <= NAME_MAX_LEN;
}

static bool good_ip(const char *s)
{
	unsigned char buf[16];
	return strlen(s) < 64 && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

static int parse_node(const char *origin, const char *what, size_t idx, json_t *o,
		      struct mesh_node *n, struct diag *d)
{
	const char *s, *name, *given;
	json_t *v;

#define BAD(...) diag_set(d, origin, 0, "%s[%zu]: " __VA_ARGS__)
	if (!json_is_object(o))
		return BAD("not an object", what, idx);

	v = json_object_get(o, "id");
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (!*s || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
			return BAD("id \"%.40s\" is not a number", what, idx, s);
		n->id = xstrdup(s);
	} else if (json_is_integer(v) && json_integer_value(v) >= 0)
		n->id = xasprintf("%lld", (long long)json_integer_value(v));
	else if (v && !json_is_null(v))
		return BAD("id is neither a string nor a number", what, idx);

	if (get_string(o, "name", &name) < 0)
		return BAD("name is not a string", what, idx);
	if (get_string(o, "givenName", &given) < 0)
		return BAD("givenName is not a string", what, idx);
	if ((name && !good_name(name)) || (given && !good_name(given)))
		return BAD("name longer than %d bytes", what, idx,
			   NAME_MAX_LEN);
	if ((!name || !*name) && (!given || !*given))
		return BAD("neither name nor givenName", what, idx);
	n->name = name && *name ? xstrdup(name) : NULL;
	n->given_name = given && *given ? xstrdup(given) : NULL;

	v = json_object_get(o, "ipAddresses");
	if (v && !json_is_null(v)) {
		size_t i;
		json_t *a;
		if (!json_is_array(v))
			return BAD("ipAddresses is not an array", what, idx);
		json_array_foreach(v, i, a) {
			if (!json_is_string(a) || !good_ip(json_string_value(a)))
				return BAD("ipAddresses[%zu] is not an IP address", what, idx, i);
			int r = mesh_node_add_ip(n, json_string_value(a));
			if (r == -E2BIG)
				return BAD("more than %d addresses", what, idx, MESH_NODE_MAX_IPS);
		}
	}

	v = json_object_get(o, "online");
	if (json_is_boolean(v))
		n->online = json_is_true(v) ? MESH_YES : MESH_NO;
	else if (v && !json_is_null(v))
		return BAD("online is not a boolean", what, idx);

	if (get_string(o, "lastSeen", &s) < 0)
		return BAD("lastSeen is not a string", what, idx);
	if (s && rfc3339_parse(s, &n->last_seen) < 0)
		return BAD("lastSeen \"%.40s\" is not an RFC 3339 time", what, idx, s);

	/* Headscale's Node has no OS today; take it if a server ever sends one. */
	if (get_string(o, "os", &s) < 0 || (s && (!good_name(s) || strlen(s) > 32)))
		return BAD("os is not a short string", what, idx);
	n->os = s && *s ? xstrdup(s) : NULL;

	/* The owner: "user" (>= 0.19) or "namespace" (older), each {"name": ...}. */
	json_t *owner = json_object_get(o, "user");
	if (!owner || json_is_null(owner))
		owner = json_object_get(o, "namespace");
	if (json_is_object(owner)) {
		if (get_string(owner, "name", &s) < 0 || (s && !good_name(s)))
			return BAD("user name is not a printable string", what, idx);
		n->user = s && *s ? xstrdup(s) : NULL;
	}
#undef BAD
	return 0;
}

int headscale_parse(const char *origin, const char *data, size_t len, struct mesh_nodes *out,
		    struct diag *d)
{
	json_error_t err;
	json_t *doc, *list;
	const char *what = "nodes";
	struct mesh_nodes l = { 0 };
	size_t i;
	json_t *o;
	int r = 0;

	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return diag_set(d, origin, err.line > 0 ? (unsigned)err.line : 0, "not JSON: %s",
				err.text);
	if (!json_is_object(doc)) {
		r = diag_set(d, origin, 0, "not a JSON object");
		goto out;
	}
	list = json_object_get(doc, "nodes");
	if (!list) {
		what = "machines";
		list = json_object_get(doc, "machines");
	}
	if (!list) {
		const char *msg = json_string_value(json_object_get(doc, "message"));
		if (msg)
			r = diag_set(d, origin, 0, "error from the server: \"%.200s\"", msg);
		else
			r = diag_set(d, origin, 0, "neither \"nodes\" nor \"machines\" in the answer");
		goto out;
	}
	if (json_is_null(list))
		list = NULL; /* an empty list may be written as null */
	else if (!json_is_array(list)) {
		r = diag_set(d, origin, 0, "\"%s\" is not an array", what);
		goto out;
	}
	json_array_foreach(list, i, o) {
		r = parse_node(origin, what, i, o, mesh_nodes_add(&l), d);
		if (r < 0)
			goto out;
	}
	l.source = xasprintf("headscale %s", origin);
	*out = l;
	l = (struct mesh_nodes){ 0 };
out:
	mesh_nodes_free(&l);
	json_decref(doc);
	return r;
}

/* ---- the key file -------------------------------------------------------------------- */

int headscale_read_key_file(const char *path, char **out, struct diag *d)
{
	_cleanup_close_ int fd = -1;
	char buf[1024];
	struct stat st;
	ssize_t n;

	/* Under the root, never a link, never blocking (a FIFO opens at once and is refused). */
	fd = root_open(path, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (fd < 0)
		return diag_set(d, path, 0, "cannot open the API key file: %s", strerror(-fd));
	if (fstat(fd, &st) < 0)
		return diag_set(d, path, 0, "cannot stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return diag_set(d, path, 0, "the API key file is %s, not a regular file",
				file_kind(st.st_mode));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return diag_set(d, path, 0, "the API key file belongs to uid %u, not to you or root",
				(unsigned)st.st_uid);
	if (st.st_mode & 077)
		return diag_set(d, path, 0,
				"the API key file is accessible by others (mode %04o): chmod 600 %s",
				(unsigned)(st.st_mode & 07777), path);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return diag_set(d, path, 0, "cannot read: %s", strerror(errno));
	buf[n] = '\0';
	if ((size_t)n == sizeof(buf) - 1)
		return diag_set(d, path, 0, "too long for an API key");
	size_t len = strcspn(buf, "\r\n");
	const char *rest = buf + len;
	rest += strspn(rest, "\r\n");
	if (*rest) {
		explicit_bzero(buf, sizeof(buf));
		return diag_set(d, path, 2, "more than one line");
	}
	buf[len] = '\0';
	strstrip(buf);
	len = strlen(buf);
	bool good = len >= 8 && len <= 512;
	for (size_t i = 0; i < len; i++)
		good &= buf[i] > ' ' && buf[i] < 0x7f;
	if (!good) {
		explicit_bzero(buf, sizeof(buf));
		return diag_set(d, path, 1, "not an API key (8 to 512 printable characters, no spaces)");
	}
	*out = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* ---- fetching ------------------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct buf b;
	size_t max;
	bool too_big;
};

static size_t sink_write(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->b.len + n > s->max) {
		s->too_big = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	buf_append(&s->b, p, n);
	return n;
}

/* One GET. Returns 0 with *status set, or a negative errno with d filled. */
static int get(const struct headscale_opts *o, const char *url, int64_t deadline, long *status,
	       struct sink *sink, struct diag *d)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	int64_t left = deadline - now_ms();
	long os_errno = 0;
	CURLcode c;
	int r = 0;

	if (left <= 0)
		return diag_set(d, url, 0, "no answer within %d ms", o->timeout_ms), -ETIMEDOUT;
	/* The CA bundle is read here (under the root, never blocking, a regular file) and given
	 * to libcurl as a blob: libcurl's own open would follow links out of the root. */
	_cleanup_free_ char *ca = NULL;
	size_t ca_len = 0;
	if (o->ca_file) {
		r = read_input(o->ca_file, 1024 * 1024, &ca, &ca_len, d);
		if (r == -ENOENT)
			r = diag_set(d, o->ca_file, 0, "the CA file does not exist");
		if (r < 0)
			return r;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		const char *missing = curl_lazy_missing();
		if (missing)
			return diag_set(d, url, 0, "cannot initialise libcurl: %s", missing), -ELIBACC;
		return diag_set(d, url, 0, "cannot initialise libcurl"), -ENOMEM;
	}
	_cleanup_free_ char *auth = xasprintf("Authorization: Bearer %s", o->api_key);
	struct curl_slist *h1 = curl_slist_append(NULL, auth);
	hdr = h1 ? curl_slist_append(h1, "Accept: application/json") : NULL;
	if (!hdr) {
		curl_slist_free_all(h1);
		diag_set(d, url, 0, "cannot build the request headers");
		r = -ENOMEM;
		goto done;
	}
	/* Every option must hold: without the protocol restriction (an old libcurl lacks
	 * CURLOPT_PROTOCOLS_STR) or TLS verification the key could travel elsewhere or in clear
	 * text, so a refused option stops the request before anything is sent. */
	const char *refused = NULL;
	c = CURLE_OK;
#define SET(opt, val) \
	do { \
		if (c == CURLE_OK && (c = curl_easy_setopt(h, opt, val)) != CURLE_OK) \
			refused = #opt; \
	} while (0)
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_URL, url);
	SET(CURLOPT_HTTPHEADER, hdr);
	SET(CURLOPT_USERAGENT, "meshnfs/" MESHNFS_VERSION);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* The CA bundle was read by the safe reader under the root (never libcurl's own open). */
	struct curl_blob blob = { .data = ca, .len = ca_len, .flags = CURL_BLOB_NOCOPY };
	if (ca)
		SET(CURLOPT_CAINFO_BLOB, &blob);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)left);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)left);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
	if (refused) {
		diag_set(d, url, 0, "libcurl refused %s (%s): the API key is not sent", refused,
			 curl_easy_strerror(c));
		r = -ENOTSUP;
		goto done;
	}

	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(c);
	switch (c) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		r = -ETIMEDOUT;
		diag_set(d, url, 0, "no answer within %d ms (%s)", o->timeout_ms, why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
		r = -EPROTO;
		diag_set(d, url, 0, "TLS verification failed: %s%s", why,
			 o->ca_file ? "" : " (a private CA? set [headscale] ca_file)");
		break;
	case CURLE_COULDNT_CONNECT:
		r = os_errno == ECONNREFUSED ? -ECONNREFUSED : -EHOSTUNREACH;
		diag_set(d, url, 0, "cannot connect: %s", why);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		r = -EHOSTUNREACH;
		diag_set(d, url, 0, "cannot resolve the host: %s", why);
		break;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (c == CURLE_FILESIZE_EXCEEDED || sink->too_big) {
			r = -EFBIG;
			diag_set(d, url, 0, "answer larger than %zu bytes", sink->max);
			break;
		}
		/* fall through */
	default:
		r = -EIO;
		diag_set(d, url, 0, "request failed: %s", why);
		break;
	}
done:
	explicit_bzero(auth, strlen(auth));
	for (struct curl_slist *e = hdr; e; e = e->next) /* curl's copies of the headers */
		explicit_bzero(e->data, strlen(e->data));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return r;
}

int headscale_fetch(const struct headscale_opts *o, struct mesh_nodes *out, struct diag *d)
{
	static const char *const paths[] = { "/api/v1/node", "/api/v1/machine" };
	int64_t deadline = now_ms() + (o->timeout_ms > 0 ? o->timeout_ms : 5000);
	size_t base_len = strlen(o->url);
	int r;

	pthread_once(&curl_once, curl_init);
	while (base_len > 0 && o->url[base_len - 1] == '/')
		base_len--;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_free_ char *url = xasprintf("%.*s%s", (int)base_len, o->url, paths[i]);
		struct sink sink = { .max = o->max_response ? o->max_response : HEADSCALE_MAX_RESPONSE };
		long status = 0;

		buf_append(&sink.b, "", 0);
		r = get(o, url, deadline, &status, &sink, d);
		if (r == 0 && status == 200)
			r = headscale_parse(url, sink.b.data, sink.b.len, out, d);
		else if (r == 0 && (status == 401 || status == 403)) {
			r = -EACCES;
			diag_set(d, url, 0,
				 "HTTP %ld: the API key was refused (expired, revoked or wrong? "
				 "`headscale apikeys list` on the server)",
				 status);
		} else if (r == 0 && status == 404 && i + 1 < ARRAY_SIZE(paths)) {
			buf_free(&sink.b);
			continue; /* an older Headscale: try /api/v1/machine */
		} else if (r == 0 && status == 404) {
			r = -EIO;
			diag_set(d, url, 0,
				 "HTTP 404 for /api/v1/node and /api/v1/machine: is this Headscale's URL?");
		} else if (r == 0) {
			r = -EIO;
			diag_set(d, url, 0, "HTTP %ld", status);
		}
		buf_free(&sink.b);
		return r;
	}
	return -EIO; /* not reached */
}
