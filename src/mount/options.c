/* SPDX-License-Identifier: MIT */
#include "mount/options.h"

#include <libmount.h>

/* Options mount.nfs or mount(8) act on in userspace: the kernel never lists them. */
static const char *const userspace_only[] = {
	"bg", "fg", "retry", "mounthost", "mountaddr", "mountport", "mountproto", "mountvers",
	"mountprog", "nfsprog", "sloppy", "nofail", "defaults", "auto", "noauto", "user",
	"nouser", "users", "owner", "group", "comment", "intr", "nointr", "_netdev",
};

static bool is_userspace(const char *name, size_t n)
{
	if (n >= 2 && strncmp(name, "x-", 2) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(userspace_only); i++)
		if (strlen(userspace_only[i]) == n && strncmp(name, userspace_only[i], n) == 0)
			return true;
	return false;
}

char *mount_options_kernel(const char *configured)
{
	char *opts = xstrdup(configured ? configured : ""), *p = opts, *name, *value;
	size_t nn, vn;
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	while (mnt_optstr_next_option(&p, &name, &nn, &value, &vn) == 0) {
		if (is_userspace(name, nn))
			continue;
		if (b.len)
			buf_append(&b, ",", 1);
		buf_append(&b, name, nn);
		if (value) {
			buf_append(&b, "=", 1);
			buf_append(&b, value, vn);
		}
	}
	free(opts);
	return b.data;
}

static bool has(const char *optstr, const char *name, char **value, size_t *vn)
{
	char *v = NULL;
	size_t n = 0;
	bool found = optstr && mnt_optstr_get_option(optstr, name, &v, &n) == 0;

	if (value) {
		*value = v;
		*vn = v ? n : 0;
	}
	return found;
}

bool mount_options_has(const char *optstr, const char *name)
{
	return has(optstr, name, NULL, NULL);
}

static void add(char ***lines, size_t *n, char *line)
{
	*lines = xrealloc(*lines, (*n + 1) * sizeof(**lines));
	(*lines)[(*n)++] = line;
}

/* nfsvers= and vers= are one option; "4" matches "4.2" (the kernel picks the minor). */
static bool version_matches(const char *want, size_t wn, const char *got, size_t gn)
{
	if (wn == gn && strncmp(want, got, wn) == 0)
		return true;
	return memchr(want, '.', wn) == NULL && gn > wn && strncmp(want, got, wn) == 0 &&
	       got[wn] == '.';
}

/* Flags the kernel lists exactly when they are set (show_mnt_opts() in fs/proc_namespace.c,
 * nfs_show_mount_options() in fs/nfs/super.c). Their opposites (exec, ac, cto...) are never
 * listed: they are what absence means. */
static const char *const listed_when_set[] = {
	"ro",	   "noexec",	  "nosuid",	"nodev",      "noatime",    "nodiratime",
	"nocto",   "noac",	  "nolock",	"noacl",      "nordirplus", "nosharecache",
	"noresvport", "posix",
};

static bool listed(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(listed_when_set); i++)
		if (streq(name, listed_when_set[i]))
			return true;
	return false;
}

static void diff_flag(const char *name, const char *all, char ***lines, size_t *n)
{
	_cleanup_free_ char *no = xasprintf("no%s", name);

	if (streq(name, "soft") || streq(name, "softerr")) {
		if (!has(all, "soft", NULL, NULL) && !has(all, "softerr", NULL, NULL))
			add(lines, n, xasprintf("%s: missing (the mount is hard)", name));
	} else if (streq(name, "hard")) {
		if (has(all, "soft", NULL, NULL) || has(all, "softerr", NULL, NULL))
			add(lines, n, xstrdup("hard: the mount is soft"));
	} else if (streq(name, "tcp") || streq(name, "udp")) {
		char *v;
		size_t vn;
		if (has(all, "proto", &v, &vn) && v && strncmp(v, name, strlen(name)) != 0)
			add(lines, n, xasprintf("%s: the mount has proto=%.*s", name, (int)vn, v));
	} else if (streq(name, "rw")) {
		if (has(all, "ro", NULL, NULL))
			add(lines, n, xstrdup("rw: the mount is ro"));
	} else if (listed(name)) {
		if (!has(all, name, NULL, NULL))
			add(lines, n, xasprintf("%s: not set on the mount", name));
	} else if (listed(no)) {
		if (has(all, no, NULL, NULL))
			add(lines, n, xasprintf("%s: the mount has %s", name, no));
	}
	/* Any other flag: the kernel may not list it either way; not compared. */
}

size_t mount_options_diff(const char *configured, const struct mount_entry *e, char ***lines)
{
	_cleanup_free_ char *kernel = mount_options_kernel(configured);
	_cleanup_free_ char *all = xasprintf("%s,%s", e->vfs_options ? e->vfs_options : "",
					     e->fs_options ? e->fs_options : "");
	char *p = kernel, *name, *value;
	size_t nn, vn, n = 0;

	*lines = NULL;
	while (mnt_optstr_next_option(&p, &name, &nn, &value, &vn) == 0) {
		_cleanup_free_ char *key = xstrndup(name, nn);
		if (!value) {
			diff_flag(key, all, lines, &n);
			continue;
		}
		const char *lookup = streq(key, "nfsvers") ? "vers" : key;
		char *got;
		size_t gn;
		/* Not listed: the kernel does not show it (or shows it under another name). */
		if (!has(all, lookup, &got, &gn) || !got)
			continue;
		bool same = streq(lookup, "vers") ? version_matches(value, vn, got, gn)
						  : (vn == gn && strncmp(value, got, vn) == 0);
		if (!same)
			add(lines, &n, xasprintf("%s=%.*s: the mount has %s=%.*s", key, (int)vn, value,
						 lookup, (int)gn, got));
	}
	return n;
}

void mount_options_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Measured in bench/README.md's mount-options matrix: Linux 6.1 client (Debian 12's kernel in a
 * TCG guest), ganesha server, one run; the cap was 180 s. */
#define MEASURED_KERNEL "Linux 6.1"
#define MEASURED_CAP_S 180

/* timeo= in deciseconds and retrans= as the kernel lists them; nfs(5)'s TCP defaults when
 * absent or unreadable (timeo=600, retrans=2). */
static long option_long(const char *optstr, const char *name, long dflt)
{
	char *v;
	size_t vn;
	if (!has(optstr, name, &v, &vn) || !v || vn == 0 || vn > 9)
		return dflt;
	long r = 0;
	for (size_t i = 0; i < vn; i++) {
		if (v[i] < '0' || v[i] > '9')
			return dflt;
		r = r * 10 + (v[i] - '0');
	}
	return r;
}

char *mount_options_bounds(const char *fs_options)
{
	bool softerr = has(fs_options, "softerr", NULL, NULL);
	bool softreval = has(fs_options, "softreval", NULL, NULL);
	bool soft = softerr || has(fs_options, "soft", NULL, NULL);
	long timeo = option_long(fs_options, "timeo", 600);
	long retrans = option_long(fs_options, "retrans", 2);
	struct buf b = { 0 };

	/* What no option bounds, for every kind of mount. */
	static const char hung[] =
		"A hung server whose kernel still accepts TCP (process stopped, overloaded, stuck "
		"on its disk) is NOT bounded by any mount option: a sent NFSv4 call times out only "
		"when the TCP connection breaks (net/sunrpc/clnt.c rpc_check_timeout, "
		"RPC_TASK_NO_RETRANS_TIMEOUT, set for every NFSv4 client in fs/nfs/nfs4client.c), "
		"and the silent server's kernel keeps the connection up. Measured on " MEASURED_KERNEL
		": ls, stat, read, write+fsync and a new mount stayed blocked in state D past %d s "
		"with every option set tried (hard; soft and softerr with timeo=10..150; softreval; "
		"actimeo=600; vers=4.0, 4.1, 4.2); SIGKILL ends such a waiter. Only a watcher "
		"notices it: meshnfs doctor names the hung server within its --timeout.";

	if (!soft) {
		buf_printf(&b, "hard: no fault is bounded; every operation waits until the server "
			       "answers again (measured: hung server, offline peer, refused, all "
			       "blocked past %d s). ",
			   MEASURED_CAP_S);
		buf_printf(&b, hung, MEASURED_CAP_S);
		return b.data;
	}
	long user_ds = timeo * (retrans + 1);
	buf_printf(&b,
		   "%s,timeo=%ld,retrans=%ld bounds a broken connection only (offline peer, refused, "
		   "path down): the kernel gives the TCP connection up after about %ld.%ld s without "
		   "an acknowledgement (TCP_USER_TIMEOUT = timeo x (retrans+1), net/sunrpc/xprtsock.c "
		   "xs_tcp_set_socket_timeouts), and %s calls then fail with %s. Measured on "
		   MEASURED_KERNEL ": soft,timeo=50,retrans=2 (meshnfs's default) failed in 76.5 s "
		   "with the peer offline and 16.3 s with the server refusing; the guide's "
		   "soft,timeo=150 in 91.8 s and 49.5 s. ",
		   softerr ? "softerr" : "soft", timeo, retrans, user_ds / 10, user_ds % 10,
		   softerr ? "softerr" : "soft", softerr ? "ETIMEDOUT" : "EIO");
	if (softerr || softreval)
		buf_printf(&b, "But with %s the same faults were bounded less, not more: ls, read "
			       "and write stayed blocked past %d s with the peer offline or the "
			       "server refusing; plain soft is the proven choice. ",
			   softerr ? "softerr" : "softreval", MEASURED_CAP_S);
	if (user_ds < 50)
		buf_printf(&b, "%ld.%ld s is short: a stall of the mesh path that long (a DERP relay, "
			       "a roaming laptop) breaks the connection and fails I/O, and a soft mount "
			       "loses what was written but not yet sent. ",
			   user_ds / 10, user_ds % 10);
	buf_printf(&b, hung, MEASURED_CAP_S);
	return b.data;
}
