/* SPDX-License-Identifier: MIT */
/* Facts about this node that any kind has: distribution, systemd, TUN, a local tailscaled,
 * and the addresses it holds in the mesh range. */
#include "node/node_private.h"

#include "core/root.h"
#include "format/fibtrie.h"
#include "format/ifinet6.h"
#include "fstab/fstab.h"
#include "format/osrelease.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static bool dir_under_root(const char *path)
{
	_cleanup_free_ char *p = root_path(path);
	struct stat st;
	return root_stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void read_os_release(struct node_info *n)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_free_ char *p = root_path(paths[i]), *data = NULL;
		struct os_release o;
		struct diag d = { 0 };
		size_t len;
		int r = node_read_file(n, p, 64 * 1024, &data, &len);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return;
		if (os_release_parse(p, data, len, &o, &d) < 0) {
			node_warn_diag(n, &d);
			return;
		}
		n->distro = o.pretty_name ? xstrdup(o.pretty_name) : o.id ? xstrdup(o.id) : NULL;
		n->debian_like = os_release_is_debian_like(&o);
		os_release_free(&o);
		return;
	}
}

/* A tailscaled process, by /proc/PID/comm under the root. */
static pid_t find_tailscaled(void)
{
	_cleanup_free_ char *proc = root_path("/proc");
	DIR *d = root_opendir(proc);
	struct dirent *de;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || !isdigit((unsigned char)de->d_name[0]))
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s/comm", proc, de->d_name), *comm = NULL;
		if (read_first_line(p, &comm) == 0 && streq(comm, "tailscaled"))
			found = (pid_t)pid;
	}
	closedir(d);
	return found;
}

/* The addresses this network namespace holds, from /proc/net/fib_trie (no socket). */
static void mesh_addresses(struct node_info *n, const struct config *cfg)
{
	_cleanup_free_ char *p = root_path("/proc/net/fib_trie"), *data = NULL;
	_cleanup_free_ uint32_t *all = NULL;
	struct diag d = { 0 };
	size_t len;
	int r = node_read_file(n, p, 16 * 1024 * 1024, &data, &len);

	if (r < 0)
		return;
	r = fib_trie_local_addrs(p, data, len, &all, &d);
	if (r < 0) {
		node_warn_diag(n, &d);
		return;
	}
	n->addrs_known = true;
	for (int i = 0; i < r; i++) {
		if (!cidr_contains(&cfg->mesh, all[i]))
			continue;
		n->addrs = xrealloc(n->addrs, (n->n_addrs + 1) * sizeof(*n->addrs));
		n->addrs[n->n_addrs++] = all[i];
	}
}

/* This namespace's IPv6 addresses inside [mesh] range6, from /proc/net/if_inet6 (no socket):
 * tentative or duplicate ones are not usable yet and left out. */
static void mesh_addresses6(struct node_info *n, const struct config *cfg)
{
	_cleanup_free_ char *p = root_path("/proc/net/if_inet6"), *data = NULL;
	_cleanup_free_ struct ifinet6 *all = NULL;
	struct diag d = { 0 };
	size_t len;
	int r = node_read_file(n, p, 4 * 1024 * 1024, &data, &len);

	if (r < 0)
		return;
	r = if_inet6_parse(p, data, len, &all, &d);
	if (r < 0) {
		node_warn_diag(n, &d);
		return;
	}
	n->addrs6_known = true;
	for (int i = 0; i < r; i++) {
		struct netaddr a = { .family = AF_INET6 };
		memcpy(a.v6, all[i].addr, 16);
		if (!if_inet6_usable(&all[i]) || !cidr6_contains(&cfg->mesh6, a.v6) ||
		    node_holds_netaddr(n, &a))
			continue;
		n->addrs6 = xrealloc(n->addrs6, (n->n_addrs6 + 1) * sizeof(*n->addrs6));
		n->addrs6[n->n_addrs6++] = a;
	}
}

/* The host name: /etc/hostname (what the distro is configured with), else the kernel's. */
static void read_hostname(struct node_info *n)
{
	static const char *const paths[] = { "/etc/hostname", "/proc/sys/kernel/hostname" };

	for (size_t i = 0; i < ARRAY_SIZE(paths) && !n->hostname; i++) {
		_cleanup_free_ char *p = root_path(paths[i]), *line = NULL;
		if (read_first_line(p, &line) < 0)
			continue;
		strstrip(line);
		if (*line && strlen(line) <= 253 && str_is_printable(line, strlen(line)) &&
		    !strpbrk(line, " \t/"))
			n->hostname = TAKE_PTR(line);
		else if (*line)
			node_warn(n, "%s: \"%.60s\" is not a host name", p, line);
	}
}

/* Tailscale's systemd units installed here (the unit directories systemd reads, under the
 * root). */
static enum node_ts_unit ts_unit(void)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/run/systemd/system",
					    "/lib/systemd/system", "/usr/lib/systemd/system" };
	enum node_ts_unit u = NODE_TS_UNIT_NONE;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *t = xasprintf("%s/tailscale-online.target", dirs[i]);
		_cleanup_free_ char *d = xasprintf("%s/tailscaled.service", dirs[i]);
		if (root_entry_exists(t))
			return NODE_TS_UNIT_ONLINE_TARGET;
		if (root_entry_exists(d))
			u = NODE_TS_UNIT_TAILSCALED;
	}
	return u;
}

void node_detect_facts(struct node_info *n, const struct config *cfg)
{
	read_os_release(n);
	read_hostname(n);
	n->systemd = dir_under_root("/run/systemd/system");
	n->tun = root_entry_exists("/dev/net/tun");
	n->tailscaled_pid = find_tailscaled();
	n->tailscaled_socket = root_entry_exists("/var/run/tailscale/tailscaled.sock") ||
			       root_entry_exists("/run/tailscale/tailscaled.sock");
	n->tailscale_iface = root_entry_exists("/sys/class/net/tailscale0");
	n->ts_unit = ts_unit();
	mesh_addresses(n, cfg);
	mesh_addresses6(n, cfg);
}

const char *node_mesh_order_option(const struct node_info *n)
{
	if (!n->systemd || n->is_wsl)
		return NULL;
	return fstab_mesh_order_option(n->ts_unit == NODE_TS_UNIT_ONLINE_TARGET ? FSTAB_ORDER_ONLINE
				       : n->ts_unit == NODE_TS_UNIT_TAILSCALED ? FSTAB_ORDER_TAILSCALED
									       : FSTAB_ORDER_NONE);
}

char *node_fstab_options(const struct node_info *n, const char *options)
{
	_cleanup_free_ char *o = fstab_options_for_node(options, n->systemd);
	const char *order = node_mesh_order_option(n);

	if (!order || fstab_has_mesh_order(o))
		return TAKE_PTR(o);
	return xasprintf("%s%s%s", o, *o ? "," : "", order);
}
