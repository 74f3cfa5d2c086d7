/* SPDX-License-Identifier: MIT */
/* The server plan: the guide's "NFS Server Setup", with the kernel server (exports(5)) or
 * nfs-ganesha. */
#include "setup/setup.h"

#include "core/root.h"
#include "exports/exports.h"
#include "setup/setup_private.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

/* One range of the clients argument: IPv4 inside [mesh] range, IPv6 inside [mesh] range6
 * (the tailnet's fd7a:115c:a1e0::/48), or anything wider with --force. */
static int check_client(const struct setup_server *s, const char *item, struct diag *diag)
{
	struct cidr6 c6;
	char mesh6[64] = "";
	int r;

	if (!strchr(item, ':'))
		return -ENOENT; /* not IPv6: the IPv4 rules */
	if (s->mesh6)
		cidr6_format(s->mesh6, mesh6, sizeof(mesh6));
	r = cidr6_parse(item, true, &c6);
	if (r == -EDOM)
		return diag_set(diag, NULL, 0,
				"--clients \"%s\" has host bits set (did you mean the network address?)",
				item), -EDOM;
	if (r < 0 || !strchr(item, '/'))
		return diag_set(diag, NULL, 0,
				"--clients \"%s\" is not an IPv4 or IPv6 CIDR range (or '*' with --force)",
				item), -EDOM;
	if ((!s->mesh6 || !cidr6_within(&c6, s->mesh6)) && !s->force)
		return diag_set(diag, NULL, 0,
				"--clients %s is not inside the mesh's IPv6 range %s: hosts outside the "
				"mesh could mount the share; give a range inside it, or --force",
				item, mesh6[0] ? mesh6 : "(none)"), -EDOM;
	return 0;
}

static int check_one(const struct setup_server *s, const char *item, struct diag *diag)
{
	struct cidr c;
	char mesh[32];
	int r = check_client(s, item, diag);

	if (r != -ENOENT)
		return r;
	cidr_format(s->mesh, mesh, sizeof(mesh));
	if (streq(item, "*")) {
		if (!s->force)
			return diag_set(diag, NULL, 0,
					"--clients '*' exports to every host that can reach this server, "
					"not only the mesh %s: give a range inside it, or --force",
					mesh), -EDOM;
		return 0;
	}
	r = cidr_parse(item, true, &c);
	if (r == -EDOM)
		return diag_set(diag, NULL, 0,
				"--clients \"%s\" has host bits set (did you mean the network address?)",
				item), -EDOM;
	if (r < 0)
		return diag_set(diag, NULL, 0,
				"--clients \"%s\" is not an IPv4 or IPv6 CIDR range (or '*' with --force)",
				item), -EDOM;
	if (!cidr_within(&c, s->mesh) && !s->force)
		return diag_set(diag, NULL, 0,
				"--clients %s is not inside the mesh %s: hosts outside the mesh could "
				"mount the share; give a range inside it, or --force",
				item, mesh), -EDOM;
	return 0;
}

#define SETUP_MAX_CLIENTS 4

/* The clients argument: one range, or a comma-separated list of them ("100.64.0.0/10,
 * fd7a:115c:a1e0::/48"), each inside the mesh, or anything wider with --force. */
static int check_clients(const struct setup_server *s, struct diag *diag)
{
	const char *clients = s->clients;
	_cleanup_free_ char *copy = xstrdup(clients);
	char *save = NULL;
	size_t n = 0;
	int r;

	if (!*clients || clients[strlen(clients) - 1] == ',' || strstr(clients, ",,") ||
	    clients[0] == ',' || strpbrk(clients, " \t"))
		return diag_set(diag, NULL, 0,
				"--clients \"%s\": one range, or ranges separated by commas, without "
				"blanks", clients), -EDOM;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (++n > SETUP_MAX_CLIENTS)
			return diag_set(diag, NULL, 0, "--clients: more than %d ranges",
					SETUP_MAX_CLIENTS), -EDOM;
		if (streq(t, "*") && strchr(clients, ','))
			return diag_set(diag, NULL, 0,
					"--clients: '*' is everyone, alone or not at all"), -EDOM;
		if ((r = check_one(s, t, diag)) < 0)
			return r;
	}
	return 0;
}

static int packages(struct plan *p, const struct node_info *n, const struct setup_server *s,
		    const char *program, const char *pkgs, struct diag *diag)
{
	if (node_have_program(program)) {
		plan_right(p, "setup.packages", "%s is installed (%s)", program, pkgs);
		return 0;
	}
	if (!n->debian_like) {
		diag_set(diag, NULL, 0,
			 "%s is missing and this is not a Debian-like system (%s): install the "
			 "package that provides it (Debian: %s), then run setup again",
			 program, n->distro ? n->distro : "no /etc/os-release", pkgs);
		return -ENOPKG;
	}
	setup_plan_install(p, program, pkgs, s->timeout_ms);
	return 0;
}

/* Every export's directory: there, or made. */
static void export_dirs(struct plan *p, const struct setup_server *s)
{
	for (size_t i = 0; i < s->n_exports; i++) {
		_cleanup_free_ char *real = root_path(s->exports[i]);
		struct stat st;

		if (root_stat(real, &st) == 0 && S_ISDIR(st.st_mode))
			plan_right(p, "setup.export-dir", "%s exists", s->exports[i]);
		else
			plan_add_mkdir(p, "setup.export-dir", s->exports[i], real, 0755);
	}
}

/* "P1, P2 and P3" (new string). */
static char *exports_text(const char *const *paths, size_t n)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", paths[i]);
	return b.data;
}

/* ---- kernel server ---- */

/* One exports file, every export that goes there, in one edit. */
struct exports_edit {
	char *file;  /* resolved under the root */
	char *shown; /* as on the node */
	size_t n;
	const char *path[SETUP_MAX_EXPORTS];
	char *token; /* "RANGE(opts)", one per range of --clients, separated by blanks */
};

/* Each client token in turn, each edit on the result of the one before. */
static int exports_edit_fn(void *userdata, const char *old, size_t len, bool exists,
			   struct buf *out, struct diag *diag)
{
	const struct exports_edit *e = userdata;
	_cleanup_free_ char *tokens = NULL;
	struct buf in = { 0 };
	int r = 0;

	(void)exists;
	buf_append(&in, old, len);
	for (size_t i = 0; i < e->n && r == 0; i++) {
		char *save = NULL;
		free(tokens);
		tokens = xstrdup(e->token);
		for (char *t = strtok_r(tokens, " ", &save); t && r == 0;
		     t = strtok_r(NULL, " ", &save)) {
			struct buf next = { 0 };
			r = exports_set_client(e->file, in.data ? in.data : "", in.len, e->path[i], t,
					       &next, diag);
			buf_free(&in);
			in = next;
		}
	}
	if (r == 0)
		buf_append(out, in.data ? in.data : "", in.len);
	buf_free(&in);
	return r;
}

/* Reads and parses every exports file; picks the one to edit: the first that exports the
 * path, else the drop-in. Notes clients of the path that reach outside the mesh. */
static int choose_exports_file(struct plan *p, const struct setup_server *s, const char *path,
			       char **chosen, struct diag *diag)
{
	size_t n;
	char **files;
	int r = exports_files_list(&files, &n, diag);

	*chosen = NULL;
	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *real = root_path(files[i]), *data = NULL;
		struct exports_file f;
		size_t len;
		r = safewrite_read_input(real, &data, &len, diag);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		r = exports_parse(real, data, len, &f, diag);
		if (r < 0)
			break;
		for (int e = exports_find_path(&f, path, 0); e >= 0;
		     e = exports_find_path(&f, path, e + 1)) {
			if (!*chosen)
				*chosen = xstrdup(files[i]);
			for (size_t c = 0; c < f.entries[e].n_clients; c++) {
				const struct exports_client *cl = &f.entries[e].clients[c];
				bool inside = (cl->kind == EXPORTS_IPV4 && cidr_within(&cl->net, s->mesh)) ||
					      (cl->kind == EXPORTS_IPV6 && s->mesh6 &&
					       cidr6_text_within(cl->name, s->mesh6));
				if (!inside)
					plan_note(p, "setup.exports",
						  "%s:%u also exports %s to '%s' (%s, not inside the mesh): "
						  "meshnfs leaves it; remove it if it is not meant",
						  real, cl->line, path, *cl->name ? cl->name : "*",
						  exports_kind_name(cl->kind));
			}
		}
		exports_free(&f);
	}
	exports_files_free(files, n);
	if (r == 0 && !*chosen)
		*chosen = xstrdup(SETUP_EXPORTS_DROPIN);
	return r;
}

static bool nfsd_running(void)
{
	_cleanup_free_ char *p = root_path("/proc/fs/nfsd/threads"), *line = NULL;
	return read_first_line(p, &line) == 0 && atoi(line) > 0;
}

/* The export is in the kernel's table (exportfs writes /var/lib/nfs/etab). */
static bool etab_has(const char *path)
{
	_cleanup_free_ char *p = root_path("/var/lib/nfs/etab"), *data = NULL;
	_cleanup_free_ char *esc = exports_escape_path(path);

	if (read_file_bounded(p, 16 * 1024 * 1024, &data, NULL) < 0)
		return false;
	for (char *save = NULL, *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (startswith(l, esc) && (l[strlen(esc)] == '\t' || l[strlen(esc)] == ' '))
			return true;
	return false;
}

static int plan_kernel(struct plan *p, const struct setup_server *s, const struct node_info *n,
		       struct diag *diag)
{
	_cleanup_free_ char *chosen = NULL;
	int r = packages(p, n, s, "exportfs", "nfs-kernel-server", diag);

	if (r < 0)
		return r;
	/* Each export's file (the first that has it, else the drop-in); one edit per file. */
	struct exports_edit *edits[SETUP_MAX_EXPORTS];
	size_t n_edits = 0;
	/* One client token per range: exports(5) takes an IPv6 network as it is
	 * ("fd7a:115c:a1e0::/48(rw,...)"). */
	struct buf tokens = { 0 };
	_cleanup_free_ char *list = xstrdup(s->clients);
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		buf_printf(&tokens, "%s%s(rw,sync,no_subtree_check,%s)", tokens.len ? " " : "", t,
			   s->root_squash ? "root_squash" : "no_root_squash");
	_cleanup_free_ char *token = tokens.data;
	bool dropin_dir = false, changed = false, missing = false;
	for (size_t i = 0; i < s->n_exports; i++) {
		r = choose_exports_file(p, s, s->exports[i], &chosen, diag);
		if (r < 0)
			return r;
		_cleanup_free_ char *real = root_path(chosen);
		size_t k = 0;
		while (k < n_edits && !streq(edits[k]->file, real))
			k++;
		if (k == n_edits) {
			edits[n_edits] = xcalloc(1, sizeof(**edits)); /* the plan's (owned) */
			edits[n_edits]->file = plan_own(p, TAKE_PTR(real));
			edits[n_edits]->shown = plan_own(p, xstrdup(chosen));
			edits[n_edits]->token = plan_own(p, xstrdup(token));
			n_edits++;
		}
		edits[k]->path[edits[k]->n++] = plan_own(p, xstrdup(s->exports[i]));
		if (streq(chosen, SETUP_EXPORTS_DROPIN) && !root_entry_exists("/etc/exports.d") &&
		    !dropin_dir) {
			_cleanup_free_ char *d = root_path("/etc/exports.d");
			plan_add_mkdir(p, "setup.exports", "/etc/exports.d", d, 0755);
			dropin_dir = true;
		}
		free(chosen);
		chosen = NULL;
	}
	for (size_t k = 0; k < n_edits; k++) {
		struct exports_edit *e = edits[k];
		_cleanup_free_ char *paths = exports_text(e->path, e->n);
		_cleanup_free_ char *right = xasprintf("%s exports %s to %s", e->shown, paths,
						       e->token);
		r = plan_add_write(p, "setup.exports", e->shown, e->file, exports_edit_fn, e, true,
				   NULL, right, diag);
		if (r < 0) {
			while (++k < n_edits)
				free(edits[k]);
			return r;
		}
		changed |= r > 0;
	}
	export_dirs(p, s);
	for (size_t i = 0; i < s->n_exports; i++)
		missing |= !etab_has(s->exports[i]);

	if (changed || missing) {
		const char *argv[] = { "exportfs", "-ra", NULL };
		plan_add_run(p, "setup.exportfs", setup_timeout(s->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS),
			     argv);
	} else {
		_cleanup_free_ char *paths = exports_text(s->exports, s->n_exports);
		plan_right(p, "setup.exportfs", "the kernel's export table has %s", paths);
	}

	bool enabled = root_entry_exists("/etc/systemd/system/multi-user.target.wants/"
					 "nfs-server.service");
	if (nfsd_running() && (enabled || !n->systemd))
		plan_right(p, "setup.service", "the NFS server is running%s",
			   n->systemd ? " and enabled" : "");
	else if (n->systemd) {
		const char *argv[] = { "systemctl", "enable", "--now", "nfs-server", NULL };
		plan_add_run(p, "setup.service", setup_timeout(s->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS),
			     argv);
	} else {
		const char *argv[] = { "service", "nfs-kernel-server", "start", NULL };
		plan_add_run(p, "setup.service", setup_timeout(s->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS),
			     argv);
		plan_note(p, "setup.service",
			  "systemd is not running: the NFS server is started now with its init "
			  "script, but nothing starts it again after a reboot");
	}
	return 0;
}

/* ---- nfs-ganesha ---- */

void setup_ganesha_export(struct buf *b, unsigned id, const char *path, const char *pseudo,
			  bool root_squash, const char *fsal, const char *clients)
{
	buf_printf(b,
		   "EXPORT {\n"
		   "\tExport_Id = %u;\n"
		   "\tPath = \"%s\";\n"
		   "\tPseudo = \"%s\";\n"
		   "\tProtocols = 4;\n"
		   "\tTransports = TCP;\n"
		   "\tAccess_Type = None;\n"
		   "\tSquash = %s;\n"
		   "\t# Squashed root is nobody:nogroup, as with the kernel server (ganesha's own\n"
		   "\t# default is -2).\n"
		   "\tAnonymous_Uid = 65534;\n"
		   "\tAnonymous_Gid = 65534;\n"
		   "\tSecType = sys;\n"
		   "\tFSAL {\n"
		   "%s"
		   "\t}\n"
		   "\tCLIENT {\n"
		   "\t\tClients = %s;\n"
		   "\t\tAccess_Type = RW;\n"
		   "\t}\n"
		   "}\n",
		   id, path, pseudo, root_squash ? "Root_Squash" : "No_Root_Squash", fsal, clients);
}

char *setup_ganesha_conf(const char *const *exports, size_t n, const char *clients,
			 bool root_squash)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		for (const char *c = exports[i]; *c; c++)
			if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
				return NULL;
	buf_printf(&b,
		   NODE_GANESHA_MARKER "\n"
		   "# meshnfs rewrites this file; the previous version is kept as ganesha.conf%s.\n"
		   "# %s NFSv4-only export%s over TCP, as the mesh guide's kernel export.\n"
		   SETUP_GANESHA_CORE
		   "NFSv4 {\n"
		   "\t# No grace period after a start: clients get service at once; open and lock\n"
		   "\t# state is not reclaimed after a restart (the share has no lock manager).\n"
		   "\tGraceless = true;\n"
		   "\t# AUTH_SYS clients without idmapd: owners as numbers.\n"
		   "\tOnly_Numeric_Owners = true;\n"
		   "}\n",
		   SAFEWRITE_BACKUP_SUFFIX, n == 1 ? "One" : "One per share:", n == 1 ? "" : "s");
	/* Export_Id: 1, 2, ... in the order of the shares (unique, as ganesha requires). */
	for (size_t i = 0; i < n; i++)
		setup_ganesha_export(&b, (unsigned)i + 1, exports[i], exports[i], root_squash,
				     "\t\tName = VFS;\n", clients);
	return b.data;
}

struct ganesha_edit {
	char *file;
	char *conf;
	bool force;
};

/* A configuration someone else wrote: anything but comments and blank lines, without the
 * marker. */
static bool foreign_config(const char *s, size_t len)
{
	if (len >= strlen(NODE_GANESHA_MARKER) && startswith(s, NODE_GANESHA_MARKER))
		return false;
	for (size_t i = 0; i < len;) {
		size_t k = i;
		while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
			k++;
		if (k < len && s[k] != '\n' && s[k] != '#')
			return true;
		while (k < len && s[k] != '\n')
			k++;
		i = k + 1;
	}
	return false;
}

static int ganesha_edit_fn(void *userdata, const char *old, size_t len, bool exists,
			   struct buf *out, struct diag *diag)
{
	const struct ganesha_edit *e = userdata;

	if (exists && !e->force && foreign_config(old, len))
		return diag_set(diag, e->file, 0,
				"has a configuration meshnfs did not write: add --force to replace "
				"it (the previous version is kept as %s%s)",
				e->file, SAFEWRITE_BACKUP_SUFFIX);
	buf_append(out, e->conf, strlen(e->conf));
	return 0;
}

static int check_listening(const struct plan_step *s, void *data, int timeout_ms, char **msg)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 5000);
	(void)s;
	(void)data;
	for (;;) {
		int r = node_port_listening(2049);
		if (r > 0)
			return 0;
		if (now_ms() >= deadline) {
			*msg = xasprintf("ganesha.nfsd started, but nothing listens on TCP 2049 "
					 "after %d s: see %s",
					 timeout_ms / 1000, NODE_GANESHA_LOG);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
}

static int plan_ganesha(struct plan *p, const struct setup_server *s, const struct node_info *n,
			struct diag *diag)
{
	int r = packages(p, n, s, "ganesha.nfsd", "nfs-ganesha nfs-ganesha-vfs", diag);
	char *conf;

	if (r < 0)
		return r;
	conf = setup_ganesha_conf(s->exports, s->n_exports, s->clients, s->root_squash);
	if (!conf)
		return diag_set(diag, NULL, 0,
				"an export path (%s) cannot be written in a ganesha configuration "
				"(a double quote, a backslash or a control character)",
				s->export_path), -EDOM;
	return setup_ganesha_serve(p, s, n, conf, true, diag);
}

int setup_ganesha_serve(struct plan *p, const struct setup_server *s, const struct node_info *n,
			char *conf, bool local_dir, struct diag *diag)
{
	int r;

	if (!root_entry_exists("/etc/ganesha")) {
		_cleanup_free_ char *d = root_path("/etc/ganesha");
		plan_add_mkdir(p, "setup.ganesha", "/etc/ganesha", d, 0755);
	}
	struct ganesha_edit *e = xcalloc(1, sizeof(*e));
	e->file = plan_own(p, root_path(NODE_GANESHA_CONF));
	e->conf = plan_own(p, conf);
	e->force = s->force;
	_cleanup_free_ char *paths = exports_text(s->exports, s->n_exports);
	_cleanup_free_ char *right = xasprintf("%s exports %s to %s", NODE_GANESHA_CONF, paths,
					       s->clients);
	r = plan_add_write(p, "setup.ganesha", NODE_GANESHA_CONF, e->file, ganesha_edit_fn, e, true,
			   NULL, right, diag);
	if (r == -EBADMSG)
		return -EEXIST; /* foreign configuration: diag says what --force does */
	if (r < 0)
		return r;
	bool changed = r > 0;
	if (local_dir)
		export_dirs(p, s);
	if (nfsd_running())
		plan_note(p, "setup.service",
			  "the kernel NFS server is running: ganesha cannot listen on port 2049 "
			  "while it does (stop it: systemctl disable --now nfs-server)");
	pid_t pid = node_ganesha_pid();
	if (pid && changed) {
		plan_add_signal(p, "setup.service", pid, SIGHUP, "ganesha.nfsd (reloads the exports)");
		plan_note(p, "setup.service",
			  "a running ganesha reloads its EXPORT blocks on SIGHUP; a change of the "
			  "other blocks needs a restart");
	} else if (pid)
		plan_right(p, "setup.service", "ganesha.nfsd is running (pid %d)", (int)pid);
	else if (n->systemd) {
		const char *argv[] = { "systemctl", "enable", "--now", "nfs-ganesha", NULL };
		struct plan_step *st = plan_add_run(
			p, "setup.service", setup_timeout(s->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS), argv);
		st->check = check_listening;
	} else {
		static const char *const dirs[] = { "/run/ganesha", "/var/log/ganesha" };
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			if (!root_entry_exists(dirs[i])) {
				_cleanup_free_ char *d = root_path(dirs[i]);
				plan_add_mkdir(p, "setup.service", dirs[i], d, 0755);
			}
		/* ganesha.nfsd daemonizes itself and writes its pid file: meshnfs keeps no
		 * process of its own; later runs find it by the pid file and reload it. */
		const char *argv[] = { "ganesha.nfsd", "-L", NODE_GANESHA_LOG, "-f",
				       NODE_GANESHA_CONF, "-p", NODE_GANESHA_PIDFILE, "-N",
				       "NIV_EVENT", NULL };
		struct plan_step *st = plan_add_run(
			p, "setup.service", setup_timeout(s->timeout_ms, SETUP_SYSTEMCTL_TIMEOUT_MS), argv);
		st->check = check_listening;
		plan_note(p, "setup.service",
			  "systemd is not running: ganesha.nfsd is started now as a daemon (pid in "
			  "%s), but nothing starts it again after a reboot",
			  NODE_GANESHA_PIDFILE);
	}
	return 0;
}

int setup_server_plan(const struct setup_server *s, const struct node_info *n, struct plan *p,
		      struct diag *diag)
{
	int r = check_clients(s, diag);

	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_exports; i++)
		if (config_check_abs_path(s->exports[i]) < 0)
			return diag_set(diag, NULL, 0, "--export \"%s\" is not an absolute path",
					s->exports[i]), -EDOM;
	if (!s->root_squash)
		plan_note(p, "setup.security",
			  "no_root_squash (the guide's choice): root on any mesh node, a WSL2 user "
			  "with sudo included, is root on the share; --root-squash maps root to "
			  "nobody");
	if (s->backend == SETUP_CEPH)
		return setup_ceph_plan(p, s, n, diag);
	return s->backend == SETUP_GANESHA ? plan_ganesha(p, s, n, diag) : plan_kernel(p, s, n, diag);
}

int setup_plan_packages(struct plan *p, const struct node_info *n, const struct setup_server *s,
			const char *program, const char *pkgs, struct diag *diag)
{
	return packages(p, n, s, program, pkgs, diag);
}
