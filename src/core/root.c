/* SPDX-License-Identifier: MIT */
#include "core/root.h"

#include "core/util.h"

#include <sys/stat.h>

static const char *root = "/";

void root_set(const char *r)
{
	root = (r && *r) ? r : "/";
}

const char *root_get(void)
{
	return root;
}

bool root_is_host(void)
{
	return root[strspn(root, "/")] == '\0';
}

char *root_path(const char *path)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	while (*path == '/')
		path++;
	return xasprintf("%.*s/%s", (int)n, root, path);
}

bool root_entry_exists(const char *path)
{
	_cleanup_free_ char *p = root_path(path);
	struct stat st;

	return lstat(p, &st) == 0;
}
