/* SPDX-License-Identifier: MIT */
/* The libcurl functions headscale.c calls, loaded on first use (core/lazylib.h): only a run
 * that asks Headscale's API pays for libcurl and the TLS, LDAP, Kerberos, SSH, ... libraries
 * it brings. When it cannot be loaded, curl_global_init says CURLE_FAILED_INIT and
 * curl_easy_init NULL (headscale.c reports "cannot initialise libcurl" and curl_lazy_missing's
 * reason). */
#include "core/lazylib.h"
#include "mesh/mesh_private.h"

#include <stdarg.h>
/* The type-checking macros would rename the definitions below. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

static struct lazylib curl = LAZYLIB_INIT("libcurl.so.4");
typedef CURL *curl_p;
typedef struct curl_slist *slist_p;
typedef const char *cstr;

const char *curl_lazy_missing(void)
{
	return lazylib_missing(&curl);
}

LAZYLIB_FWD(curl, CURLcode, curl_global_init, CURLE_FAILED_INIT, (long flags), (flags))
LAZYLIB_FWD(curl, curl_p, curl_easy_init, NULL, (void), ())
LAZYLIB_FWD(curl, CURLcode, curl_easy_perform, CURLE_FAILED_INIT, (CURL *h), (h))
LAZYLIB_VOID(curl, curl_easy_cleanup, (CURL *h), (h))
LAZYLIB_FWD(curl, cstr, curl_easy_strerror, "libcurl could not be loaded", (CURLcode c), (c))
LAZYLIB_FWD(curl, slist_p, curl_slist_append, NULL, (struct curl_slist *l, const char *s),
	    (l, s))
LAZYLIB_VOID(curl, curl_slist_free_all, (struct curl_slist *l), (l))

/* The option's number says the type of its argument (CURLOPTTYPE_*): forwarded as that type. */
CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
	CURLcode (*f)(CURL *, CURLoption, ...) =
		(CURLcode(*)(CURL *, CURLoption, ...))lazylib_sym(&curl, "curl_easy_setopt");
	CURLcode r;
	va_list ap;

	if (!f)
		return CURLE_FAILED_INIT;
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		r = f(h, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		r = f(h, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		r = f(h, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		r = f(h, option, va_arg(ap, curl_off_t));
	else
		r = f(h, option, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode (*f)(CURL *, CURLINFO, ...) =
		(CURLcode(*)(CURL *, CURLINFO, ...))lazylib_sym(&curl, "curl_easy_getinfo");
	CURLcode r;
	va_list ap;

	if (!f)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	r = f(h, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}
