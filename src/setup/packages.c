/* SPDX-License-Identifier: MIT */
/* The step that installs a missing program's packages, for the client and server plans. */
#include "setup/setup.h"

#include "node/host.h"
#include "setup/setup_private.h"

#include <errno.h>

static int check_installed(const struct plan_step *s, void *data, int timeout_ms, char **msg)
{
	const char *program = data;

	(void)s;
	(void)timeout_ms;
	if (node_have_program(program))
		return 0;
	*msg = xasprintf("apt-get ran, but %s is still missing", program);
	return -ENOENT;
}

void setup_plan_install(struct plan *p, const char *program, const char *pkgs, int timeout_ms)
{
	const char *argv[8] = { "apt-get", "install", "-y", "--no-install-recommends" };
	_cleanup_free_ char *list = xstrdup(pkgs);
	size_t k = 4;

	for (char *save = NULL, *w = strtok_r(list, " ", &save); w && k < 7;
	     w = strtok_r(NULL, " ", &save))
		argv[k++] = w;
	argv[k] = NULL;
	struct plan_step *s = plan_add_run(p, "setup.packages",
					   setup_timeout(timeout_ms, SETUP_APT_TIMEOUT_MS), argv);
	free(s->title);
	s->title = xasprintf("install %s (%s is missing): apt-get install -y "
			     "--no-install-recommends %s",
			     pkgs, program, pkgs);
	s->retry_after = xcalloc(3, sizeof(char *));
	s->retry_after[0] = xstrdup("apt-get");
	s->retry_after[1] = xstrdup("update");
	s->check = check_installed;
	s->check_data = (void *)program;
}
