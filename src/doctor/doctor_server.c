/* SPDX-License-Identifier: MIT */
/* The server side: exports.security (who can mount what, as whom, and where NFS listens),
 * server.service and server.listening. From files only (exports, ganesha.conf, /proc under
 * the root): no socket is opened. Runs on a node that holds the configured server address or
 * has exports. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "core/safewrite.h"
#include "exports/exports.h"
#include "format/listeners.h"
#include "node/host.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>

struct audit {
	const struct doctor_facts *d;
	struct report *r;
	size_t n_exports;
	size_t n_findings;
	bool kernel_exports;
	bool ganesha_conf;
};

static void finding(struct audit *a, const char *fix, const char *detail, const char *fmt, ...)
	_printf_(4, 5);
static void finding(struct audit *a, const char *fix, const char *detail, const char *fmt, ...)
{
	va_list ap;
	char summary[1024];

	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	struct check *c = report_add(a->r, "exports.security", CHECK_WARN, "%s", summary);
	if (detail)
		check_set_detail(c, "%s", detail);
	if (fix)
		check_set_fix(c, "%s", fix);
	a->n_findings++;
}

static void audit_client(struct audit *a, const char *file, const struct exports_entry *e,
			 const struct exports_client *c, const struct exports_client *prev)
{
	char mesh[32];
	const char *who = *c->name ? c->name : "*";

	cidr_format(&a->d->cfg->mesh, mesh, sizeof(mesh));
	if (!exports_client_flag(c, "root_squash", "no_root_squash", true) &&
	    !exports_client_flag(c, "all_squash", "no_all_squash", false)) {
		_cleanup_free_ char *fix = xasprintf(
			"replace no_root_squash by root_squash at %s:%u, then: sudo exportfs -ra   "
			"(or: sudo meshnfs setup server --root-squash)",
			file, c->line);
		finding(a, fix,
			"Any root on any client, a WSL2 user with sudo included, is root on the share: "
			"can read and change every file, whoever owns it.",
			"%s:%u: %s is exported to %s with no_root_squash", file, c->line, e->path, who);
	}
	if (exports_client_flag(c, "insecure", "secure", false)) {
		_cleanup_free_ char *fix = xasprintf("remove 'insecure' at %s:%u, then: sudo exportfs -ra",
						     file, c->line);
		finding(a, fix,
			"Requests from unprivileged ports are accepted: any user on a client can speak "
			"NFS directly as any uid. (A WSL2 distro behind NAT may need it: prefer "
			"mirrored networking.)",
			"%s:%u: %s is exported to %s with 'insecure'", file, c->line, e->path, who);
	}
	switch (c->kind) {
	case EXPORTS_WORLD: {
		_cleanup_free_ char *fix = xasprintf("at %s:%u export to the mesh only: %s(...)", file,
						     c->line, mesh);
		bool blank_pitfall = c->has_parens && !*c->name && prev && prev->kind != EXPORTS_WORLD;
		_cleanup_free_ char *detail =
			blank_pitfall
				? xasprintf("The blank between '%s' and its '(options)' makes two "
					    "clients: %s with the defaults, and everyone with the "
					    "options.",
					    prev->name, prev->name)
				: xstrdup("Any host that can reach this server can mount it.");
		finding(a, fix, detail, "%s:%u: %s is exported to everyone", file, c->line, e->path);
		break;
	}
	case EXPORTS_WILDCARD:
	case EXPORTS_NETGROUP:
	case EXPORTS_HOST: {
		if (c->kind == EXPORTS_HOST)
			break; /* one named host: as narrow as its name */
		_cleanup_free_ char *fix = xasprintf("at %s:%u export to the mesh range %s instead",
						     file, c->line, mesh);
		finding(a, fix,
			c->kind == EXPORTS_WILDCARD
				? "Any host whose name matches can mount it; names are not limited to "
				  "the mesh."
				: "Who is in a netgroup cannot be checked here; it need not be the mesh.",
			"%s:%u: %s is exported to %s (%s)", file, c->line, e->path, c->name,
			exports_kind_name(c->kind));
		break;
	}
	case EXPORTS_IPV4:
		if (!cidr_within(&c->net, &a->d->cfg->mesh)) {
			_cleanup_free_ char *fix = xasprintf(
				"at %s:%u narrow %s to the mesh range %s", file, c->line, c->name, mesh);
			finding(a, fix, "Hosts outside the mesh can mount it.",
				"%s:%u: %s is exported to %s, wider than the mesh %s", file, c->line,
				e->path, c->name, mesh);
		}
		break;
	case EXPORTS_IPV6: {
		if (cidr6_text_within(c->name, &a->d->cfg->mesh6))
			break; /* the tailnet's own IPv6 range: the mesh */
		char mesh6[64];
		cidr6_format(&a->d->cfg->mesh6, mesh6, sizeof(mesh6));
		_cleanup_free_ char *fix = xasprintf("at %s:%u export to the mesh range %s (or its "
						     "IPv6 range %s)",
						     file, c->line, mesh, mesh6);
		finding(a, fix, NULL, "%s:%u: %s is exported to %s, outside the mesh range %s", file,
			c->line, e->path, c->name, mesh);
		break;
	}
	}
}

/* A MagicDNS name: NAME.TAILNET.ts.net, or a name under a Headscale base domain that says
 * so; any other host name is named as such. */
static bool magicdns_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 7 && strcasecmp(name + n - 7, ".ts.net") == 0) ||
	       strcasestr(name, ".tailnet") != NULL || strcasestr(name, ".beta.tailscale.net");
}

/* exports.names: clients named by host name (or a name pattern) instead of addresses. Kernel
 * exports only: mountd matches a client by resolving its address back to a name. Returns the
 * number of findings. */
static size_t audit_names(struct audit *a, const struct doctor_exports_facts *e)
{
	char mesh[32];
	size_t n = 0;

	if (e->read_rc < 0 || e->parse_rc < 0)
		return 0;
	cidr_format(&a->d->cfg->mesh, mesh, sizeof(mesh));
	for (size_t i = 0; i < e->f.n_entries; i++)
		for (size_t k = 0; k < e->f.entries[i].n_clients; k++) {
			const struct exports_client *c = &e->f.entries[i].clients[k];
			if (c->kind != EXPORTS_HOST && c->kind != EXPORTS_WILDCARD)
				continue;
			bool magic = magicdns_name(c->name);
			report_check(a->r, "exports.names", CHECK_WARN,
				     .summary = xasprintf("%s:%u: %s is exported "
							  "to %s, a %s%s instead "
							  "of the mesh range",
							  e->path,
							  c->line, e->f.entries[i].path, c->name, magic ? "MagicDNS " : "",
							  c->kind == EXPORTS_WILDCARD ? "name pattern" : "host name"),
				     .detail = xasprintf("The kernel server "
							 "(mountd) admits a "
							 "client by resolving "
							 "its address back to a "
							 "name and comparing it "
							 "with the export's. %s "
							 "If that lookup fails "
							 "or gives another name "
							 "(a short name, the "
							 "tailnet's full name, a "
							 "LAN name), the mount "
							 "is refused and mountd "
							 "logs \"refused mount "
							 "request from "
							 "100.64.x.y for %s: "
							 "unmatched host\" "
							 "(tailscale#12262).",
							 magic ? "MagicDNS names resolve only through tailscaled's resolver "
								 "(100.100.100.100), which may not be the server's resolver, and "
								 "not before tailscaled is up at boot."
							       : "Mesh addresses seldom have reverse DNS entries outside "
								 "MagicDNS.",
							 e->f.entries[i].path),
				     .fix = xasprintf("at %s:%u export to the "
						      "mesh range instead: %s  "
						      "%s(%s), then: sudo "
						      "exportfs -ra   (or one "
						      "node's mesh address, e.g. "
						      "100.64.0.3)",
						      e->path, c->line, e->f.entries[i].path, mesh,
						      "rw,sync,no_subtree_check,root_squash"));
			n++;
		}
	return n;
}

static void audit_exports_file(struct audit *a, const struct doctor_exports_facts *e)
{
	const char *path = e->path;
	const struct exports_file *f = &e->f;

	if (e->read_rc == -ENOENT)
		return;
	if (e->read_rc < 0) {
		report_add(a->r, "exports.security", CHECK_FAIL, "%s: cannot read: %s", path,
			   read_strerror(e->read_rc));
		a->n_findings++;
		return;
	}
	if (e->parse_rc < 0) {
		report_check(a->r, "exports.security", CHECK_FAIL,
			     .summary = xasprintf("%s", e->parse_msg),
			     .detail = xasprintf("exportfs refuses the file too: "
						 "nothing in it is exported."),
			     .fix = xasprintf("correct that line, then: sudo "
					      "exportfs -ra"));
		a->n_findings++;
		return;
	}
	for (size_t i = 0; i < f->n_entries; i++) {
		a->n_exports++;
		a->kernel_exports = true;
		for (size_t k = 0; k < f->entries[i].n_clients; k++)
			audit_client(a, path, &f->entries[i], &f->entries[i].clients[k],
				     k ? &f->entries[i].clients[k - 1] : NULL);
	}
}

/* Whether a ganesha configuration declares an EXPORT block: the word EXPORT followed by a
 * blank or '{', outside '#' comments. Debian's stock ganesha.conf has its EXPORT only in
 * comments: a node with the package installed but unused exports nothing. */
static bool ganesha_declares_export(const char *data)
{
	bool comment = false;

	for (const char *p = data; *p; p++) {
		if (*p == '\n')
			comment = false;
		else if (*p == '#')
			comment = true;
		else if (!comment && strncasecmp(p, "EXPORT", 6) == 0 &&
			 (p == data || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			const char *q = p + 6;
			while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
				q++;
			if (*q == '{')
				return true;
		}
	}
	return false;
}

/* ganesha.conf as meshnfs writes it (a known shape): its Squash and Clients lines. A
 * configuration written by someone else is not audited (ganesha's format is not exports). */
static void audit_ganesha(struct audit *a)
{
	const char *path = a->d->server.ganesha_path;
	char mesh[32];

	if (!a->d->server.ganesha_conf)
		return;
	_cleanup_free_ char *data = xstrdup(a->d->server.ganesha_conf);
	if (!startswith(data, NODE_GANESHA_MARKER)) {
		if (ganesha_declares_export(data)) {
			report_add(a->r, "exports.security", CHECK_SKIP,
				   "%s was not written by meshnfs: not audited", path);
			a->ganesha_conf = true;
		}
		return;
	}
	a->ganesha_conf = true;
	a->n_exports++;
	cidr_format(&a->d->cfg->mesh, mesh, sizeof(mesh));
	for (char *save = NULL, *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *v;
		strstrip(l);
		if (startswith(l, "Squash = ") && strcasestr(l, "No_Root_Squash")) {
			_cleanup_free_ char *fix = xasprintf(
				"sudo meshnfs setup server --backend ganesha --root-squash");
			finding(a, fix,
				"Any root on any client, a WSL2 user with sudo included, is root on the "
				"share.",
				"%s: the export is served with No_Root_Squash", path);
		}
		if (startswith(l, "Clients = ") && (v = l + 10)) {
			v[strcspn(v, ";")] = '\0';
			struct cidr c;
			if (cidr_parse(v, false, &c) < 0 || !cidr_within(&c, &a->d->cfg->mesh)) {
				_cleanup_free_ char *fix = xasprintf(
					"sudo meshnfs setup server --backend ganesha --clients %s", mesh);
				finding(a, fix, "Hosts outside the mesh can mount it.",
					"%s: the export is open to %s, not only the mesh %s", path, v,
					mesh);
			}
		}
	}
}

/* Where NFS listens: every address (0.0.0.0, ::) or addresses outside the mesh. */
static void audit_listening(struct audit *a, const struct listeners *l)
{
	char mesh[32];

	cidr_format(&a->d->cfg->mesh, mesh, sizeof(mesh));
	for (size_t k = 0; k < l->n; k++) {
		const struct listener *s = &l->v[k];
		char where[80];
		uint32_t addr4;
		if (s->port != 2049)
			continue;
		bool any = listener_is_wildcard(s);
		bool inside = !any && listener_ipv4(s, &addr4) &&
			      (cidr_contains(&a->d->cfg->mesh, addr4) || (addr4 >> 24) == 127);
		static const uint8_t loopback6[16] = { [15] = 1 };
		if (!any && s->family == AF_INET6)
			inside = cidr6_contains(&a->d->cfg->mesh6, s->addr) ||
				 memcmp(s->addr, loopback6, 16) == 0;
		if (inside)
			continue;
		listener_format(s, where, sizeof(where));
		_cleanup_free_ char *fix = xasprintf(
			"%s; or a firewall rule: nft add rule inet filter input tcp dport 2049 "
			"ip saddr != %s drop",
			a->ganesha_conf && !a->kernel_exports
				? "listen on the mesh address only: NFS_CORE_PARAM { Bind_addr = "
				  "<mesh address>; } in /etc/ganesha/ganesha.conf"
				: "listen on the mesh address only: [nfsd] host=<mesh address> in "
				  "/etc/nfs.conf, then: sudo systemctl restart nfs-server",
			mesh);
		finding(a, fix,
			"The port is open to every network this host is on (LAN, Wi-Fi), not "
			"only the mesh; the export's client list is then the only barrier.",
			"NFS listens on %s: %s", where,
			any ? "every address, not only the mesh" : "an address outside the mesh");
	}
}

static void service(const struct doctor_facts *d, struct report *r, const struct audit *a)
{
	pid_t gpid = d->server.ganesha_pid;
	struct check *c;

	if (d->server.nfsd_threads > 0) {
		report_add(r, "server.service", CHECK_OK, "the kernel NFS server runs (%d threads)",
			   d->server.nfsd_threads);
		return;
	}
	if (gpid) {
		report_add(r, "server.service", CHECK_OK, "nfs-ganesha runs (pid %d)", (int)gpid);
		return;
	}
	c = report_check(r, "server.service", CHECK_FAIL,
			 .summary = xasprintf("no NFS server runs on this node%s",
					      a->n_exports ? "" : ", and nothing is exported"),
			 .detail = xasprintf("Neither kernel nfsd threads (/proc/fs/nfsd/threads) "
					     "nor a ganesha.nfsd (%s) were found.",
					     NODE_GANESHA_PIDFILE));
	if (!a->n_exports)
		check_set_fix(c, "sudo meshnfs setup server");
	else if (a->ganesha_conf && !a->kernel_exports)
		check_set_fix(c, d->node->systemd ? "sudo systemctl enable --now nfs-ganesha"
						  : "sudo meshnfs setup server --backend ganesha");
	else
		check_set_fix(c, d->node->systemd ? "sudo systemctl enable --now nfs-server"
						  : "sudo service nfs-kernel-server start");
}

/* Tailscale's IPv6 range, fd7a:115c:a1e0::/48. */
static bool in_tailscale_v6(const struct listener *s)
{
	static const uint8_t p[6] = { 0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0 };
	return s->family == AF_INET6 && memcmp(s->addr, p, sizeof(p)) == 0;
}

/* Something listens on 2049 at every address or at a mesh address. */
static bool listens_on_mesh(const struct doctor_facts *d, const struct listeners *l)
{
	for (size_t k = 0; k < l->n; k++) {
		const struct listener *s = &l->v[k];
		uint32_t a4;
		if (s->port != 2049)
			continue;
		if (listener_is_wildcard(s) || in_tailscale_v6(s) ||
		    (listener_ipv4(s, &a4) && cidr_contains(&d->cfg->mesh, a4)))
			return true;
	}
	return false;
}

/* l: this node's listening sockets, or NULL when they could not be read (msg says why). */
static void listening(const struct doctor_facts *d, struct report *r, const struct listeners *l,
		      const char *msg, bool ganesha_only)
{
	bool found = false;

	if (!l) {
		report_add(r, "server.listening", CHECK_SKIP, "%s", msg);
		return;
	}
	for (size_t k = 0; k < l->n && !found; k++)
		found = l->v[k].port == 2049;
	if (found && !listens_on_mesh(d, l)) {
		char where[200] = "", one[80];
		for (size_t k = 0; k < l->n; k++) {
			if (l->v[k].port != 2049 || strlen(where) > 120)
				continue;
			listener_format(&l->v[k], one, sizeof(one));
			snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
				 *where ? ", " : "", one);
		}
		report_check(r, "server.listening", CHECK_FAIL,
			     .summary = xasprintf("NFS listens on %s only: not on a mesh "
						  "address", where),
			     .detail = xasprintf("Clients connecting to the server's mesh "
						 "address get 'connection refused': the NFS "
						 "server is bound to other addresses."),
			     .fix = xasprintf("%s",
					      ganesha_only
						   ? "listen on the mesh address: NFS_CORE_PARAM { Bind_addr = <mesh "
						     "address>; } in /etc/ganesha/ganesha.conf, then restart nfs-ganesha"
						   : "listen on the mesh address: [nfsd] host=<mesh address> in "
						     "/etc/nfs.conf (or no host= line: every address), then: sudo "
						     "systemctl restart nfs-server"));
	} else if (found)
		report_add(r, "server.listening", CHECK_OK, "something listens on TCP 2049");
	else {
		report_check(r, "server.listening", CHECK_FAIL,
			     .summary = xasprintf("nothing listens on TCP port 2049"),
			     .detail = xasprintf("Clients get 'connection refused' (the guide's "
						 "`nc -zv ... 2049`)."),
			     .fix = xasprintf("start the NFS server (see server.service)"));
	}
}

static bool client_loopback(const struct nfsd_client *c)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	return c->family == AF_INET ? c->addr[0] == 127 : memcmp(c->addr, v6lo, 16) == 0;
}

static size_t n_loopback_clients(const struct doctor_server_facts *sf)
{
	size_t n = 0;
	for (size_t i = 0; i < sf->n_clients; i++)
		n += client_loopback(&sf->clients[i]);
	return n;
}

/* server.tailscale: the tailscaled on a server must give the kernel a TUN interface, or
 * clients arrive from its local proxy (tailscale#3556). Only when a tailscaled runs here. */
static void judge_tailscaled(const struct doctor_facts *d, struct report *r)
{
	const struct doctor_server_facts *sf = &d->server;
	const struct node_info *n = d->node;
	size_t lo = n_loopback_clients(sf);
	struct check *c;

	if (!n->tailscaled_pid)
		return;
	bool guessed = !sf->ts_cmdline[0] && !n->tailscale_iface && !n->tun;
	if (!sf->ts_userspace && !guessed) {
		report_add(r, "server.tailscale", CHECK_OK,
			   "tailscaled (pid %d) gives the kernel a TUN interface%s: clients arrive "
			   "from their mesh addresses",
			   (int)n->tailscaled_pid, n->tailscale_iface ? " (tailscale0)" : "");
		return;
	}
	c = report_add(r, "server.tailscale", CHECK_FAIL,
		       "tailscaled (pid %d) runs in userspace-networking mode%s: mesh clients reach "
		       "the NFS server through its local proxy, from 127.0.0.1, not from their mesh "
		       "addresses",
		       (int)n->tailscaled_pid,
		       sf->ts_userspace ? " (--tun=userspace-networking)"
					: " (no tailscale0 interface, no /dev/net/tun)");
	_cleanup_free_ char *seen = lo ? xasprintf(" Now: %zu NFSv4 client(s) of this server come "
						   "from a loopback address.", lo)
				       : xstrdup("");
	check_set_detail(c,
			 "Without a TUN device the mesh address is not this kernel's: tailscaled "
			 "accepts the connection itself and opens a new one to the local port "
			 "(tailscale#3556). An export to the mesh range does not match the proxy's "
			 "address (mounts refused, 'access denied'); exporting to 127.0.0.1 would let "
			 "every peer in as one host, and the server cannot tell clients apart.%s%s%s",
			 seen, sf->ts_cmdline[0] ? " Command line: " : "", sf->ts_cmdline);
	check_set_fix(c, "run tailscaled with a TUN device: remove --tun=userspace-networking (Debian: "
			 "FLAGS in /etc/default/tailscaled, or the unit's ExecStart), make /dev/net/tun "
			 "available (in a container: pass the device through), then: sudo systemctl "
			 "restart tailscaled; `ip addr show tailscale0` must list the mesh address");
}

/* The [nodes] entry names this client: one of its addresses, or the host name in a Linux
 * client's id string. */
static bool client_is_node(const struct nfsd_client *c, const struct config_node *cn)
{
	char addr[64], host[256];

	nfsd_client_addr_format(c, addr, sizeof(addr));
	for (size_t k = 0; k < cn->n_addrs; k++)
		if (strcasecmp(cn->addrs[k], addr) == 0)
			return true;
	return nfsd_client_linux_host(c, host, sizeof(host)) &&
	       (strcasecmp(host, cn->name) == 0 ||
		(strncasecmp(host, cn->name, strlen(cn->name)) == 0 && host[strlen(cn->name)] == '.'));
}

/* A lease that expired (courtesy, expirable) is not a connected client. */
static bool client_connected(const struct nfsd_client *c)
{
	return !streq(c->status, "courtesy") && !streq(c->status, "expirable");
}

/* server.clients: kernel nfsd's NFSv4 clients against [nodes]' clients. */
static void judge_clients(const struct doctor_facts *d, struct report *r)
{
	const struct doctor_server_facts *sf = &d->server;
	const struct config *cfg = d->cfg;
	struct buf list = { 0 };
	size_t n_expected = 0, n_missing = 0, n_outside = 0;
	struct check *c;

	if (sf->clients_rc == -ENOENT || (!sf->clients_dir && sf->clients_rc == 0))
		return; /* no kernel nfsd here (ganesha keeps its clients to itself) */
	if (sf->clients_rc < 0) {
		report_add(r, "server.clients", CHECK_SKIP, "cannot list /proc/fs/nfsd/clients: %s",
			   read_strerror(sf->clients_rc));
		return;
	}
	if (sf->n_denied_clients && !sf->n_clients) {
		report_add(r, "server.clients", CHECK_SKIP,
			   "cannot read /proc/fs/nfsd/clients/*/info (%zu client(s)): only root may; "
			   "run doctor as root",
			   sf->n_denied_clients);
		return;
	}
	if (sf->n_bad_clients) {
		report_check(r, "server.clients", CHECK_WARN,
			     .summary = xasprintf("%s", sf->clients_msg),
			     .detail = xasprintf("%zu client file(s) could not be read; the "
						 "others are judged.",
						 sf->n_bad_clients));
	}
	for (size_t i = 0; i < sf->n_clients; i++) {
		const struct nfsd_client *cl = &sf->clients[i];
		char addr[64], host[256];
		uint32_t a4;
		nfsd_client_addr_format(cl, addr, sizeof(addr));
		buf_printf(&list, "%s%s", i ? ", " : "", addr);
		if (nfsd_client_linux_host(cl, host, sizeof(host)) && !streq(host, addr))
			buf_printf(&list, " (%s)", host);
		if (!client_connected(cl))
			buf_printf(&list, " [%s: lease expired]", cl->status);
		if (cl->family == AF_INET && !client_loopback(cl)) {
			memcpy(&a4, cl->addr, 4);
			if (!cidr_contains(&cfg->mesh, ntohl(a4)))
				n_outside++;
		}
	}
	for (size_t k = 0; k < cfg->n_nodes; k++) {
		const struct config_node *cn = &cfg->nodes[k];
		bool found = false;
		if (!cn->role || (!streq(cn->role, "client") && !streq(cn->role, "wsl2")))
			continue;
		n_expected++;
		for (size_t i = 0; i < sf->n_clients && !found; i++)
			found = client_connected(&sf->clients[i]) && client_is_node(&sf->clients[i], cn);
		if (found)
			continue;
		n_missing++;
		report_check(r, "server.clients", CHECK_WARN,
			     .summary = xasprintf("%s (%s in [nodes]%s%s) has no NFSv4 session "
						  "with this server", cn->name,
						  cn->role, cn->n_addrs ? ", " : "", cn->n_addrs ? cn->addrs[0] : ""),
			     .detail = xasprintf("It should mount the share but is not "
						 "connected: the share is not mounted there, or "
						 "its mount cannot reach this server. Clients "
						 "now: %s.",
						 list.len ? list.data : "none"),
			     .fix = xasprintf("on %s: meshnfs doctor (mount.present says "
					      "whether the share is mounted, nfs.* whether this "
					      "server answers it)",
					      cn->name));
	}
	if (n_outside) {
		report_check(r, "server.clients", CHECK_WARN,
			     .summary = xasprintf("%zu NFSv4 client(s) come from outside the "
						  "mesh range: %s", n_outside,
						  list.data),
			     .fix = xasprintf("export to the mesh range only (see "
					      "exports.security)"));
	}
	if (!n_missing && !n_outside && !sf->n_bad_clients) {
		c = report_add(r, "server.clients", CHECK_OK, "%zu NFSv4 client(s)%s%s%s",
			       sf->n_clients, list.len ? ": " : "", list.len ? list.data : "",
			       n_expected ? ", every client of [nodes] among them" : "");
		if (!n_expected)
			check_set_detail(c, "Give the nodes that mount the share the role client in "
					    "[nodes] (NAME = ADDRESS client) and a node that should "
					    "mount but is not connected is named here.");
	}
	buf_free(&list);
}

void doctor_judge_server(const struct doctor_facts *d, struct report *r)
{
	const struct doctor_server_facts *sf = &d->server;
	struct audit a = { .d = d, .r = r };
	size_t n_before = r->n_checks;

	if (!sf->gathered)
		return;
	if (sf->list_rc < 0) {
		report_add(r, "exports.security", CHECK_FAIL, "%s", sf->list_msg);
		a.n_findings++;
	}
	for (size_t i = 0; i < sf->n_exports; i++)
		audit_exports_file(&a, &sf->exports[i]);
	audit_ganesha(&a);

	if (!a.n_exports && r->n_checks == n_before && !d->is_server)
		return; /* not a server: nothing exported, not the configured address */
	/* The listening sockets, for both: where NFS listens and whether anything does. */
	bool have_l = sf->listeners_rc == 0;
	if (have_l)
		audit_listening(&a, &sf->listeners);
	if (!a.n_findings)
		report_add(r, "exports.security", a.n_exports ? CHECK_OK : CHECK_SKIP, "%s",
			   a.n_exports ? "exports reach the mesh only, root is squashed, secure "
					 "ports, NFS listens on mesh addresses only"
				       : "nothing is exported");
	service(d, r, &a);
	listening(d, r, have_l ? &sf->listeners : NULL, sf->listeners_msg,
		  a.ganesha_conf && !a.kernel_exports);
	size_t n_names = 0;
	for (size_t i = 0; i < sf->n_exports; i++)
		n_names += audit_names(&a, &sf->exports[i]);
	if (!n_names && a.kernel_exports)
		report_add(r, "exports.names", CHECK_OK,
			   "exports name their clients by address, not by host name");
	judge_tailscaled(d, r);
	judge_clients(d, r);
}

/* ---- gather (I/O) ---- */

static void read_exports(struct doctor_server_facts *s, const char *shown)
{
	struct doctor_exports_facts *e;
	_cleanup_free_ char *data = NULL;
	struct diag dg = { 0 };
	size_t len = 0;

	s->exports = xrealloc(s->exports, (s->n_exports + 1) * sizeof(*s->exports));
	e = &s->exports[s->n_exports++];
	*e = (struct doctor_exports_facts){ .path = root_path(shown) };
	e->read_rc = safewrite_read(e->path, &data, &len);
	if (e->read_rc < 0)
		return;
	e->parse_rc = exports_parse(e->path, data, len, &e->f, &dg);
	if (e->parse_rc < 0)
		diag_format(&dg, e->parse_msg, sizeof(e->parse_msg));
}

static int cmp_client_dir(const void *a, const void *b)
{
	long x = strtol(*(char *const *)a, NULL, 10), y = strtol(*(char *const *)b, NULL, 10);
	return (x > y) - (x < y);
}

#define MAX_CLIENTS 4096

/* /proc/fs/nfsd/clients/ID/info, in ID order; a client gone while reading is skipped. */
static void read_clients(struct doctor_server_facts *s)
{
	_cleanup_free_ char *dir = root_path("/proc/fs/nfsd/clients");
	_cleanup_free_ char **ids = NULL;
	size_t n_ids = 0;
	struct dirent *de;
	DIR *d = root_opendir(dir);

	if (!d) {
		s->clients_rc = -errno;
		return;
	}
	while ((de = readdir(d)) && n_ids < MAX_CLIENTS) {
		char *end;
		if (!isdigit((unsigned char)de->d_name[0]) || (strtol(de->d_name, &end, 10), *end))
			continue;
		ids = xrealloc(ids, (n_ids + 1) * sizeof(*ids));
		ids[n_ids++] = xstrdup(de->d_name);
	}
	closedir(d);
	s->clients_dir = true;
	if (n_ids)
		qsort(ids, n_ids, sizeof(*ids), cmp_client_dir);
	for (size_t i = 0; i < n_ids; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s/info", dir, ids[i]), *data = NULL;
		struct diag dg = { 0 };
		struct nfsd_client c;
		size_t len;
		int r = read_file_bounded(p, 64 * 1024, &data, &len);
		free(ids[i]);
		if (r == -ENOENT)
			continue; /* the client went away meanwhile */
		if (r == -EACCES) {
			s->n_denied_clients++; /* the kernel makes them 0400: root only */
			continue;
		}
		if (r < 0)
			diag_set(&dg, p, 0, "cannot read: %s", read_strerror(r));
		else
			r = nfsd_client_parse(p, data, len, &c, &dg);
		if (r < 0) {
			if (!s->n_bad_clients++)
				diag_format(&dg, s->clients_msg, sizeof(s->clients_msg));
			continue;
		}
		s->clients = xrealloc(s->clients, (s->n_clients + 1) * sizeof(*s->clients));
		s->clients[s->n_clients++] = c;
	}
}

/* /proc/PID/cmdline of the local tailscaled: words joined by blanks; userspace networking. */
static void read_tailscaled(struct doctor_server_facts *s, pid_t pid)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (!pid)
		return;
	_cleanup_free_ char *p = xasprintf("/proc/%d/cmdline", (int)pid), *rp = root_path(p);
	if (read_file_bounded(rp, 16 * 1024, &data, &len) < 0 || !len)
		return;
	for (size_t off = 0; off < len;) {
		const char *w = data + off;
		size_t n = strnlen(w, len - off);
		if (streq(w, "--tun=userspace-networking") || streq(w, "-tun=userspace-networking") ||
		    ((streq(w, "--tun") || streq(w, "-tun")) && off + n + 1 < len &&
		     streq(w + n + 1, "userspace-networking")))
			s->ts_userspace = true;
		off += n + 1;
	}
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\0')
			data[i] = ' ';
	while (len && data[len - 1] == ' ')
		len--;
	snprintf(s->ts_cmdline, sizeof(s->ts_cmdline), "%.*s", (int)len, data);
}

void doctor_gather_server(struct doctor_facts *f)
{
	struct doctor_server_facts *s = &f->server;
	_cleanup_free_ char *threads_path = root_path("/proc/fs/nfsd/threads"), *threads = NULL;
	struct diag dg = { 0 };
	char **files;
	size_t len, n_files;

	s->gathered = true;
	/* /etc/exports, then exports.d's *.exports (listed inside the root; exports.d as a
	 * file, or a link or FIFO in it, is named in list_msg). */
	s->list_rc = exports_files_list(&files, &n_files, &dg);
	if (s->list_rc < 0)
		diag_format(&dg, s->list_msg, sizeof(s->list_msg));
	for (size_t i = 0; i < n_files; i++)
		read_exports(s, files[i]);
	exports_files_free(files, n_files);
	s->ganesha_path = root_path(NODE_GANESHA_CONF);
	if (safewrite_read(s->ganesha_path, &s->ganesha_conf, &len) < 0) {
		free(s->ganesha_conf);
		s->ganesha_conf = NULL;
	}
	/* /proc/net/tcp{,6} once, for both: where NFS listens and whether anything does. */
	s->listeners_rc = node_listeners(&s->listeners, &dg);
	if (s->listeners_rc < 0)
		diag_format(&dg, s->listeners_msg, sizeof(s->listeners_msg));
	if (read_first_line(threads_path, &threads) == 0)
		s->nfsd_threads = atoi(threads);
	s->ganesha_pid = node_ganesha_pid();
	read_clients(s);
	read_tailscaled(s, f->node->tailscaled_pid);
}
