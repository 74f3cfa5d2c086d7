/* SPDX-License-Identifier: MIT */
/* WSL settings: the effective networking mode (wslinfo), the configured one
 * (%USERPROFILE%\.wslconfig, found through cmd.exe and wslpath), /etc/wsl.conf and interop. */
#include "node/node_private.h"

#include "core/root.h"
#include "core/spawn.h"
#include "format/ini.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#define WSL_FILE_MAX (256 * 1024)

/* Runs a program and returns its trimmed first line of stdout, or NULL with a warning. */
static char *run_first_line(struct node_info *n, const char *const argv[], const char *cwd,
			    int timeout_ms)
{
	struct spawn_result res;
	struct spawn_opts o = { .timeout_ms = timeout_ms, .max_output = 64 * 1024, .cwd = cwd };
	int r = spawn_run(argv, &o, &res);
	char *line = NULL;

	if (r == -ENOENT || r == SPAWN_REFUSED_ROOT)
		goto out; /* not installed, or --root (nothing runs): the caller falls back */
	if (r < 0 && r != -ETIMEDOUT && strlen(argv[0]) > 4 &&
	    strcasecmp(argv[0] + strlen(argv[0]) - 4, ".exe") == 0 && !n->wsl.exe_error) {
		n->wsl.exe_error = r;
		n->wsl.exe_error_program = xstrdup(argv[0]);
	}
	if (r == 0 && strlen(argv[0]) > 4 && strcasecmp(argv[0] + strlen(argv[0]) - 4, ".exe") == 0)
		n->wsl.exe_ran = true;
	if (r == -ENOEXEC)
		node_warn(n, "%s: Exec format error (WSL interop is not working)", argv[0]);
	else if (r == -ETIMEDOUT)
		node_warn(n, "%s: no answer within %d ms", argv[0], timeout_ms);
	else if (r < 0)
		node_warn(n, "%s: cannot run: %s", argv[0], strerror(-r));
	else if (res.exit_code != 0)
		node_warn(n, "%s: exited with status %d", argv[0], res.exit_code);
	else {
		res.out[strcspn(res.out, "\r\n")] = '\0';
		strstrip(res.out);
		if (!*res.out || !str_is_printable(res.out, strlen(res.out)) || strlen(res.out) > 1024)
			node_warn(n, "%s: unexpected output \"%.60s\"", argv[0], res.out);
		else
			line = xstrdup(res.out);
	}
out:
	spawn_result_free(&res);
	return line;
}

static bool looks_like_windows_path(const char *s)
{
	return isalpha((unsigned char)s[0]) && s[1] == ':' && s[2] == '\\';
}

/* %USERPROFILE% through cmd.exe (run from /mnt/c, as the WSL docs advise, to avoid the UNC
 * warning) and wslpath; resolved under the root. */
static char *profile_from_interop(struct node_info *n, int timeout_ms)
{
	const char *cmd[] = { "cmd.exe", "/c", "echo", "%USERPROFILE%", NULL };
	_cleanup_free_ char *mnt_c = root_path("/mnt/c"), *win = NULL, *unix_path = NULL;
	struct stat st;

	win = run_first_line(n, cmd, root_stat(mnt_c, &st) == 0 ? mnt_c : NULL, timeout_ms);
	if (!win)
		return NULL;
	if (!looks_like_windows_path(win)) {
		node_warn(n, "cmd.exe: %%USERPROFILE%% is \"%.60s\", not a Windows path", win);
		return NULL;
	}
	const char *wp[] = { "wslpath", "-u", win, NULL };
	unix_path = run_first_line(n, wp, NULL, timeout_ms);
	if (!unix_path)
		return NULL;
	if (config_check_abs_path(unix_path) < 0) {
		node_warn(n, "wslpath: \"%.60s\" is not an absolute path", unix_path);
		return NULL;
	}
	_cleanup_free_ char *file = xasprintf("%s/.wslconfig", unix_path);
	return root_path(file);
}

/* Without interop (an audit of a copied root, or interop off): the one profile under
 * /mnt/c/Users that has a .wslconfig, if exactly one has. */
static char *profile_from_scan(void)
{
	_cleanup_free_ char *users = root_path("/mnt/c/Users");
	char *found = NULL;
	int count = 0;
	DIR *d = root_opendir(users);
	struct dirent *de;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s/.wslconfig", users, de->d_name);
		if (root_exists(p) && ++count == 1)
			found = p;
		else
			free(p);
	}
	closedir(d);
	if (count != 1) {
		free(found);
		return NULL;
	}
	return found;
}

/* Reads a WSL settings file the way WSL does: any of the encodings Windows editors write,
 * lenient INI (malformed lines become warnings). Returns 0 with doc filled, -ENOENT when the
 * file is absent, or another negative errno after a warning. */
static int load_wsl_ini(struct node_info *n, const char *path, struct ini_doc *doc,
			struct text *t)
{
	_cleanup_free_ char *data = NULL;
	struct diag d = { 0 };
	size_t len;
	int r = node_read_file(n, path, WSL_FILE_MAX, &data, &len);

	if (r < 0)
		return r;
	r = text_decode(path, data, len, t, &d);
	if (r == 0)
		r = ini_parse_buffer(path, t->utf8, t->len, true, doc, &d);
	if (r < 0) {
		node_warn_diag(n, &d);
		return r;
	}
	for (size_t i = 0; i < doc->n_bad; i++)
		node_warn(n, "%s:%u: %s (WSL ignores this line)", path, doc->bad[i].line,
			  doc->bad[i].msg);
	return 0;
}

static void read_wslconfig(struct node_info *n, const char *path)
{
	struct text t = { 0 };
	struct ini_doc doc = { 0 };
	int r = load_wsl_ini(n, path, &doc, &t);

	if (r != -ENOENT)
		n->wsl.wslconfig = xstrdup(path);
	if (r == 0) {
		n->wsl.wslconfig_encoding = t.encoding;
		n->wsl.wslconfig_crlf = t.crlf;
		const char *mode = ini_doc_get(&doc, "wsl2", "networkingMode", &n->wsl.configured_line);
		if (mode)
			n->wsl.configured_mode = xstrdup(mode);
	}
	ini_doc_free(&doc);
	text_free(&t);
}

static enum setting conf_bool(struct node_info *n, const struct ini_doc *doc, const char *file,
			      const char *section, const char *key)
{
	unsigned line;
	const char *v = ini_doc_get(doc, section, key, &line);

	if (!v)
		return SETTING_UNSET;
	int b = ini_parse_bool(v);
	if (b < 0) {
		node_warn(n, "%s:%u: [%s] %s = \"%s\" is not true or false", file, line, section, key,
			  v);
		return SETTING_UNSET;
	}
	return b ? SETTING_ON : SETTING_OFF;
}

static void read_wsl_conf(struct node_info *n)
{
	_cleanup_free_ char *path = root_path("/etc/wsl.conf");
	struct ini_doc doc = { 0 };
	struct text t = { 0 };

	n->wsl.conf_boot_systemd = n->wsl.conf_mount_fstab = n->wsl.conf_interop = SETTING_UNSET;
	if (load_wsl_ini(n, path, &doc, &t) == 0) {
		n->wsl.conf_boot_systemd = conf_bool(n, &doc, path, "boot", "systemd");
		n->wsl.conf_mount_fstab = conf_bool(n, &doc, path, "automount", "mountFsTab");
		n->wsl.conf_interop = conf_bool(n, &doc, path, "interop", "enabled");
		const char *h = ini_doc_get(&doc, "network", "hostname", NULL);
		if (h && *h && str_is_printable(h, strlen(h)))
			n->wsl.conf_hostname = xstrdup(h);
	}
	ini_doc_free(&doc);
	text_free(&t);
}

/* binfmt_misc entries WSL registers for Windows executables ("enabled" on the first line). */
static bool binfmt_interop_enabled(bool *present)
{
	static const char *const names[] = { "/proc/sys/fs/binfmt_misc/WSLInterop",
					     "/proc/sys/fs/binfmt_misc/WSLInterop-late" };

	*present = false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = root_path(names[i]), *line = NULL;
		if (read_first_line(p, &line) < 0)
			continue;
		*present = true;
		if (streq(line, "enabled"))
			return true;
	}
	return false;
}

void node_detect_wsl(struct node_info *n, int timeout_ms)
{
	struct wsl_info *w = &n->wsl;
	_cleanup_free_ char *mode = NULL, *profile = NULL;

	read_wsl_conf(n);
	w->binfmt_interop = binfmt_interop_enabled(&w->binfmt_present);
	w->interop = w->binfmt_interop && w->conf_interop != SETTING_OFF;

	if (n->kind == NODE_WSL1) {
		w->networking_mode = xstrdup("wsl1");
		w->mode_source = MODE_FROM_DEFAULT;
		return;
	}

	/* wslinfo is a Linux program (WSL 2.0+): it works without interop. */
	const char *wi[] = { "wslinfo", "--networking-mode", NULL };
	mode = run_first_line(n, wi, NULL, timeout_ms);
	if (mode) {
		const char *m = wsl_mode_normalize(mode);
		if (!m)
			node_warn(n, "wslinfo: unknown networking mode \"%.40s\"", mode);
		w->networking_mode = xstrdup(m ? m : "unknown");
		w->mode_source = MODE_FROM_WSLINFO;
	}

	profile = w->interop ? profile_from_interop(n, timeout_ms) : NULL;
	if (!profile)
		profile = profile_from_scan();
	if (profile) {
		w->wslconfig_target = xstrdup(profile);
		read_wslconfig(n, profile);
	}

	if (!w->networking_mode) {
		if (w->configured_mode) {
			const char *m = wsl_mode_normalize(w->configured_mode);
			/* WSL treats a value it does not know as NAT. */
			w->networking_mode = xstrdup(m ? m : "nat");
			w->mode_source = MODE_FROM_WSLCONFIG;
		} else {
			w->networking_mode = xstrdup("nat");
			w->mode_source = MODE_FROM_DEFAULT;
		}
	}
}

int wsl_parse_ver(const char *text, char **out_ver, unsigned *out_build)
{
	const char *open = strchr(text, '['), *close = open ? strchr(open, ']') : NULL;
	unsigned a, b, c;
	int n = 0;

	if (!close)
		return -EBADMSG;
	const char *v = close;
	while (v > open && v[-1] != ' ')
		v--;
	_cleanup_free_ char *tok = xstrndup(v, (size_t)(close - v));
	if (sscanf(tok, "%u.%u.%u%n", &a, &b, &c, &n) != 3 || (tok[n] && tok[n] != '.') ||
	    strspn(tok, "0123456789.") != strlen(tok))
		return -EBADMSG;
	*out_build = c;
	*out_ver = TAKE_PTR(tok);
	return 0;
}

int wsl_windows_version(int timeout_ms, char **out_ver, unsigned *out_build)
{
	const char *argv[] = { "cmd.exe", "/c", "ver", NULL };
	_cleanup_free_ char *mnt_c = root_path("/mnt/c");
	struct spawn_opts o = { .timeout_ms = timeout_ms, .max_output = 4096 };
	struct spawn_result res;
	struct stat st;
	int r;

	if (root_stat(mnt_c, &st) == 0)
		o.cwd = mnt_c;
	r = spawn_run(argv, &o, &res);
	if (r == 0 && res.exit_code != 0)
		r = -EPROTO;
	if (r == 0)
		r = wsl_parse_ver(res.out, out_ver, out_build);
	spawn_result_free(&res);
	return r;
}
