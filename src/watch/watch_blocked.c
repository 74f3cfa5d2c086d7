/* SPDX-License-Identifier: MIT */
/* Processes blocked on a hung mount, from the live /proc: state D (status), where in the
 * kernel they wait (wchan), and what they hold (cwd, fd: readlink, which never touches the
 * mount). Everything read from /proc is outside input: bounded reads, parsed by the fuzzed
 * procstatus parser. */
#include "watch/watch.h"

#include "format/procstatus.h"
#include "watch/watch_private.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

bool watch_wchan_matches(const char *wchan, const char *fstype)
{
	if (!wchan || !*wchan || !fstype)
		return false;
	if (startswith(fstype, "nfs"))
		return strstr(wchan, "rpc") || strstr(wchan, "nfs");
	if (startswith(fstype, "fuse")) /* not fuse_dev_*: the daemon reading its requests */
		return streq(wchan, "request_wait_answer") ||
		       (startswith(wchan, "fuse_") && !startswith(wchan, "fuse_dev_"));
	return false;
}

/* path is the mount point or below it. */
static bool below(const char *path, const char *mountpoint)
{
	size_t n = strlen(mountpoint);

	while (n > 1 && mountpoint[n - 1] == '/')
		n--;
	return strncmp(path, mountpoint, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool link_below(const char *link, const char *mountpoint)
{
	char target[4096];
	ssize_t n = readlink(link, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	return below(target, mountpoint);
}

static bool holds_below(const char *pid, const char *mountpoint)
{
	char path[320];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	unsigned seen = 0;

	snprintf(path, sizeof(path), "/proc/%s/cwd", pid);
	if (link_below(path, mountpoint))
		return true;
	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d)) && seen++ < 4096) {
		char fd[600];
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(fd, sizeof(fd), "/proc/%s/fd/%s", pid, e->d_name);
		if (link_below(fd, mountpoint))
			return true;
	}
	return false;
}

static bool same_mount_ns(const char *pid, const char *ours)
{
	char path[320], ns[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n <= 0)
		return false;
	ns[n] = '\0';
	return streq(ns, ours);
}

int watch_blocked_scan(const char *mountpoint, const char *fstype, pid_t exclude,
		       struct watch_blocked *out)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	char ours[64] = "";
	struct dirent *e;
	ssize_t n;

	*out = (struct watch_blocked){ 0 };
	if (!d)
		return -errno;
	n = readlink("/proc/self/ns/mnt", ours, sizeof(ours) - 1);
	if (n > 0)
		ours[n] = '\0';
	while ((e = readdir(d))) {
		char path[320];
		_cleanup_free_ char *data = NULL, *wdata = NULL;
		struct proc_status st;
		struct diag dg = { 0 };
		char wchan[64] = "";
		size_t len, wlen;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (exclude > 0 && atoi(e->d_name) == (int)exclude)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (read_file_bounded(path, 64 * 1024, &data, &len) < 0)
			continue; /* gone meanwhile */
		if (proc_status_parse(path, data, len, &st, &dg) < 0 ||
		    (st.state != 'D' && st.state != 'S'))
			continue;
		if (ours[0] && !same_mount_ns(e->d_name, ours))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/wchan", e->d_name);
		if (read_file_bounded(path, 4096, &wdata, &wlen) == 0)
			proc_wchan_parse(wdata, wlen, wchan, sizeof(wchan));
		/* FUSE waits for its answer interruptibly first (state S, request_wait_answer);
		 * any other sleeper in S is not blocked on a mount. */
		if (st.state == 'S' && !streq(wchan, "request_wait_answer"))
			continue;
		if (!watch_wchan_matches(wchan, fstype) && !holds_below(e->d_name, mountpoint))
			continue;
		if (out->n < ARRAY_SIZE(out->first)) {
			struct watch_blocked_proc *p = &out->first[out->n];
			p->pid = (pid_t)atoi(e->d_name);
			snprintf(p->name, sizeof(p->name), "%s", st.name);
			snprintf(p->wchan, sizeof(p->wchan), "%s", wchan);
		}
		out->n++;
	}
	return 0;
}
