/* SPDX-License-Identifier: MIT */
/* headscale_fetch with a libcurl that refuses an option (an old one without
 * CURLOPT_PROTOCOLS_STR, or one built without a TLS feature): the request is not made and the
 * API key not sent. curl_easy_setopt is interposed here (this program's definition wins over
 * libcurl's) and forwards to the real one for every other option. */
#include "core/test.h"
#include "mesh/headscale.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>

#undef curl_easy_setopt
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...);

static CURLoption refuse;
static bool url_set;

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	static CURLcode (*real)(CURL *, CURLoption, ...);
	va_list ap;
	void *arg;

	va_start(ap, opt);
	arg = va_arg(ap, void *); /* every option's argument is one register wide on x86-64 */
	va_end(ap);
	if (opt == refuse)
		return CURLE_UNKNOWN_OPTION;
	if (opt == CURLOPT_URL)
		url_set = true;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "curl_easy_setopt");
	return real(h, opt, arg);
}

static void refused_option_stops_the_request(void **state)
{
	static const CURLoption opts[] = { CURLOPT_PROTOCOLS_STR, CURLOPT_SSL_VERIFYPEER };
	static const char *const names[] = { "CURLOPT_PROTOCOLS_STR", "CURLOPT_SSL_VERIFYPEER" };
	struct headscale_opts o = { .url = "https://127.0.0.1:9", .api_key = "0123456789abcdef",
				    .timeout_ms = 2000 };

	(void)state;
	if (!test_isolate_net())
		skip(); /* nothing may connect from the machine's own namespace */
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		struct mesh_nodes l = { 0 };
		struct diag d = { 0 };
		refuse = opts[i];
		url_set = false;
		assert_int_equal(headscale_fetch(&o, &l, &d), -ENOTSUP);
		if (!strstr(d.msg, names[i]) || !strstr(d.msg, "the API key is not sent"))
			fail_msg("%s", d.msg);
		assert_int_equal(l.n, 0);
		if (i == 0) /* the restriction comes first: nothing else was even set */
			assert_false(url_set);
	}
	/* With every option taken, the same fetch runs and fails to connect (nothing listens). */
	struct mesh_nodes l = { 0 };
	struct diag d = { 0 };
	refuse = (CURLoption)-1;
	assert_int_equal(headscale_fetch(&o, &l, &d), -ECONNREFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_option_stops_the_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
