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
		struct check *c = report_add(a->r, "exports.security", CHECK_FAIL, "%s", e->parse_msg);
		check_set_detail(c, "exportfs refuses the file too: nothing in it is exported.");
		check_set_fix(c, "correct that line, then: sudo exportfs -ra");
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
	c = report_add(r, "server.service", CHECK_FAIL, "no NFS server runs on this node%s",
		       a->n_exports ? "" : ", and nothing is exported");
	check_set_detail(c, "Neither kernel nfsd threads (/proc/fs/nfsd/threads) nor a "
			    "ganesha.nfsd (%s) were found.",
			 NODE_GANESHA_PIDFILE);
	if (!a->n_exports)
		check_set_fix(c, "sudo meshnfs setup server");
	else if (a->ganesha_conf && !a->kernel_exports)
		check_set_fix(c, d->node->systemd ? "sudo systemctl enable --now nfs-ganesha"
						  : "sudo meshnfs setup server --backend ganesha");
	else
		check_set_fix(c, d->node->systemd ? "sudo systemctl enable --now nfs-server"
						  : "sudo service nfs-kernel-server start");
}

/* l: this node's listening sockets, or NULL when they could not be read (msg says why). */
static void listening(struct report *r, const struct listeners *l, const char *msg)
{
	struct check *c;
	bool found = false;

	if (!l) {
		report_add(r, "server.listening", CHECK_SKIP, "%s", msg);
		return;
	}
	for (size_t k = 0; k < l->n && !found; k++)
		found = l->v[k].port == 2049;
	if (found)
		report_add(r, "server.listening", CHECK_OK, "something listens on TCP 2049");
	else {
		c = report_add(r, "server.listening", CHECK_FAIL, "nothing listens on TCP port 2049");
		check_set_detail(c, "Clients get 'connection refused' (the guide's `nc -zv ... "
				    "2049`).");
		check_set_fix(c, "start the NFS server (see server.service)");
	}
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
	listening(r, have_l ? &sf->listeners : NULL, sf->listeners_msg);
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
}
