/* SPDX-License-Identifier: MIT */
/* A shared library loaded on first use instead of at start-up (dlopen, once, thread-safe).
 * libcurl (Headscale's API) and libnfs (the probe's export and write steps) bring about 30
 * libraries with them; loading them when a command needs them, not at every start (`meshnfs
 * --version`, env, help, setup's plans, every fleet node's doctor), is what
 * src/mesh/curl_lazy.c, src/net/nfs_lazy.c and src/node/cephfs_lazy.c (libcephfs, a CephFS
 * gateway's ceph.client check) do: they define the library's functions that
 * meshnfs calls, each forwarding to the real one.
 *
 *   static struct lazylib nfs = LAZYLIB_INIT("libnfs.so.13");
 *   struct nfs_context *(*f)(void) = (struct nfs_context *(*)(void))lazylib_sym(&nfs, "nfs_init_context");
 */
#pragma once

#include <pthread.h>

struct lazylib {
	const char *soname;
	pthread_once_t once;
	void *handle;
	char why[256]; /* when handle is NULL after the load: dlerror's words */
};

#define LAZYLIB_INIT(so) { .soname = (so), .once = PTHREAD_ONCE_INIT }

/* The address of name in the library, loading it on the first call; NULL when the library or
 * the symbol cannot be had (lazylib_error says why). */
void *lazylib_sym(struct lazylib *l, const char *name);

/* Why the library cannot be had (loading it on the first call), or NULL when it is loaded:
 * a caller whose forwarded function failed tells a missing library from the function's own
 * failure by it. */
const char *lazylib_missing(struct lazylib *l);

/* Defines a function of the library that forwards to it: ret name params { ... } with the
 * library's own prototype (from its header, so the compiler checks it); fail is returned (an
 * expression of type ret) when the library is missing. LAZYLIB_VOID for void functions. */
#define LAZYLIB_FWD(lib, ret, name, fail, params, args)                                            \
	ret name params                                                                            \
	{                                                                                          \
		ret(*f) params = (ret(*) params)lazylib_sym(&(lib), #name);                        \
		return f ? f args : (fail);                                                        \
	}
#define LAZYLIB_VOID(lib, name, params, args)                                                      \
	void name params                                                                           \
	{                                                                                          \
		void(*f) params = (void(*) params)lazylib_sym(&(lib), #name);                      \
		if (f)                                                                             \
			f args;                                                                    \
	}
