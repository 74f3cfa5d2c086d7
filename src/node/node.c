/* SPDX-License-Identifier: MIT */
#include "node/node_private.h"

#include "core/root.h"

#include <errno.h>
#include <stdarg.h>

void node_warn(struct node_info *n, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n->warnings = xrealloc(n->warnings, (n->n_warnings + 1) * sizeof(char *));
	n->warnings[n->n_warnings++] = s;
}

void node_warn_diag(struct node_info *n, const struct diag *d)
{
	char msg[1200];

	diag_format(d, msg, sizeof(msg));
	node_warn(n, "%s", msg);
}

int node_read_file(struct node_info *n, const char *path, size_t max, char **data, size_t *len)
{
	struct diag d = { 0 };
	int r = read_input(path, max, data, len, &d);

	if (r < 0 && r != -ENOENT)
		node_warn_diag(n, &d);
	return r;
}

static char *read_proc_string(struct node_info *n, const char *path)
{
	_cleanup_free_ char *p = root_path(path);
	char *s = NULL;
	int r = read_first_line(p, &s);

	if (r < 0) {
		if (r != -ENOENT)
			node_warn(n, "%s: cannot read: %s", p, read_strerror(r));
		return NULL;
	}
	if (!*s || !str_is_printable(s, strlen(s)) || strlen(s) > 512) {
		node_warn(n, "%s: %s", p, *s ? "unexpected content" : "empty");
		free(s);
		return NULL;
	}
	return s;
}

int node_detect(const struct config *cfg, int timeout_ms, struct node_info *n)
{
	_cleanup_free_ char *version = NULL, *interop = NULL, *interop_late = NULL, *mnt_wsl = NULL;

	*n = (struct node_info){ 0 };
	n->osrelease = read_proc_string(n, "/proc/sys/kernel/osrelease");
	version = read_proc_string(n, "/proc/version");
	if (!n->osrelease && !version)
		node_warn(n, "%s: no kernel release found (not a root of a Linux system?)",
			  root_get());
	interop = root_path("/proc/sys/fs/binfmt_misc/WSLInterop");
	interop_late = root_path("/proc/sys/fs/binfmt_misc/WSLInterop-late");
	mnt_wsl = root_path("/mnt/wsl");
	n->kind = node_kind_from(n->osrelease, version,
				 root_exists(interop) || root_exists(interop_late),
				 root_exists(mnt_wsl), &n->kind_reason);
	node_detect_facts(n, cfg);
	n->is_wsl = n->kind != NODE_LINUX;
	if (n->is_wsl)
		node_detect_wsl(n, timeout_ms);
	return 0;
}

void node_info_free(struct node_info *n)
{
	free(n->kind_reason);
	free(n->osrelease);
	free(n->distro);
	free(n->addrs);
	free(n->addrs6);
	free(n->wsl.networking_mode);
	free(n->wsl.configured_mode);
	free(n->wsl.wslconfig);
	free(n->wsl.wslconfig_target);
	free(n->wsl.exe_error_program);
	free(n->wsl.conf_hostname);
	free(n->hostname);
	for (size_t i = 0; i < n->n_warnings; i++)
		free(n->warnings[i]);
	free(n->warnings);
	*n = (struct node_info){ 0 };
}

bool node_holds_addr(const struct node_info *n, uint32_t a)
{
	for (size_t i = 0; i < n->n_addrs; i++)
		if (n->addrs[i] == a)
			return true;
	return false;
}

bool node_holds_netaddr(const struct node_info *n, const struct netaddr *a)
{
	if (a->family == AF_INET)
		return node_holds_addr(n, a->v4);
	for (size_t i = 0; i < n->n_addrs6; i++)
		if (netaddr_eq(&n->addrs6[i], a))
			return true;
	return false;
}

bool node_is_server(const struct node_info *n, const char *server)
{
	struct netaddr a;

	return server && netaddr_parse(server, &a) == 0 && node_holds_netaddr(n, &a);
}
