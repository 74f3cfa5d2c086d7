/* SPDX-License-Identifier: MIT */
/* Shared libraries loaded on first use (lazylib.h). */
#include "core/lazylib.h"
#include "core/core_private.h"

#include <dlfcn.h>
#include <stdio.h>

static __thread char why[256];

/* pthread_once takes no argument: the library being loaded, per thread. */
static __thread struct lazylib *loading;

static void load(void)
{
	struct lazylib *l = loading;

	l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle) {
		const char *e = dlerror();
		snprintf(l->why, sizeof(l->why), "%s", e ? e : "");
		if (!l->why[0])
			snprintf(l->why, sizeof(l->why), "%s could not be loaded", l->soname);
	}
}

const char *lazylib_missing(struct lazylib *l)
{
	loading = l;
	pthread_once(&l->once, load);
	return l->handle ? NULL : l->why;
}

void *lazylib_sym(struct lazylib *l, const char *name)
{
	void *s;

	if (lazylib_missing(l)) {
		snprintf(why, sizeof(why), "%s", l->why);
		return NULL;
	}
	s = dlsym(l->handle, name);
	if (!s)
		snprintf(why, sizeof(why), "%s: no %s", l->soname, name);
	return s;
}

const char *lazylib_error(void)
{
	return why;
}
