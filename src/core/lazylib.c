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
	if (!l->handle)
		snprintf(why, sizeof(why), "%s", dlerror());
}

void *lazylib_sym(struct lazylib *l, const char *name)
{
	void *s;

	loading = l;
	pthread_once(&l->once, load);
	if (!l->handle) {
		if (!why[0])
			snprintf(why, sizeof(why), "%s could not be loaded", l->soname);
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
