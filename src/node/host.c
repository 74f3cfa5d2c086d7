/* SPDX-License-Identifier: MIT */
/* Facts about this host that doctor, setup and repair share, from files under the root only:
 * programs installed, listening ports, a running ganesha. */
#include "node/host.h"

#include "core/root.h"
#include "format/listeners.h"
#include "node/node.h"

#include <errno.h>
#include <sys/stat.h>

bool node_have_program(const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);
		_cleanup_free_ char *r = root_path(p);
		struct stat st;
		if (root_stat(r, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return true;
	}
	return false;
}

int node_port_listening(unsigned port)
{
	struct listeners l = { 0 };
	struct diag d = { 0 };
	int found = 0;

	if (node_listeners(&l, &d) < 0) {
		listeners_free(&l);
		return -EBADMSG;
	}
	for (size_t k = 0; k < l.n; k++)
		found |= l.v[k].port == port;
	listeners_free(&l);
	return found;
}

pid_t node_ganesha_pid(void)
{
	_cleanup_free_ char *pidfile = root_path(NODE_GANESHA_PIDFILE), *line = NULL;
	_cleanup_free_ char *comm = NULL, *status = NULL;
	char *end;
	long pid;

	/* Under --root the pid file is another machine's: the number in it names no process
	 * here, and must never be signalled on this one. */
	if (!root_is_host())
		return 0;
	if (read_first_line(pidfile, &line) < 0)
		return 0;
	pid = strtol(line, &end, 10);
	if (end == line || *end || pid <= 1 || pid > 1 << 22)
		return 0;
	/* The real process table: a signal goes to a real process, whatever --root says. */
	_cleanup_free_ char *cp = xasprintf("/proc/%ld/comm", pid);
	_cleanup_free_ char *sp = xasprintf("/proc/%ld/status", pid);
	if (read_first_line(cp, &comm) < 0 || !streq(comm, "ganesha.nfsd"))
		return 0;
	/* A zombie is not a server (this machine's PID 1 reaps late). */
	if (read_file_bounded(sp, 64 * 1024, &status, NULL) == 0 && strstr(status, "\nState:\tZ"))
		return 0;
	return (pid_t)pid;
}
