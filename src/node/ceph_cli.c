/* SPDX-License-Identifier: MIT */
/* libcephfs.h insists (a no-op on 64-bit systems, where off_t has 64 bits anyway). */
#define _FILE_OFFSET_BITS 64
#include "node/ceph_cli.h"

#include "core/root.h"
#include "core/spawn.h"
#include "core/util.h"
#include "node/node_private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cephfs/libcephfs.h>


/* The ceph CLI's own connect timeout, in whole seconds, under our deadline: its "timed out"
 * is an answer (the monitors did not answer), ours a cut. */
static int connect_timeout_s(int timeout_ms)
{
	int s = timeout_ms * 2 / 3 / 1000;
	return s < 1 ? 1 : s;
}

void ceph_cli_argv(const struct ceph_cli *c, const char *const *what, const char **argv,
		   char *buf, size_t size)
{
	size_t n = 0;

	snprintf(buf, size, "%d", connect_timeout_s(c->timeout_ms));
	argv[n++] = "ceph";
	argv[n++] = "--conf";
	argv[n++] = c->conf;
	argv[n++] = "--id";
	argv[n++] = c->user;
	argv[n++] = "--keyring";
	argv[n++] = c->keyring;
	argv[n++] = "--connect-timeout";
	argv[n++] = buf;
	for (size_t i = 0; what[i] && n < 13; i++)
		argv[n++] = what[i];
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n] = NULL;
}

/* The last non-empty line of text, into out. */
static void last_line(const char *text, char *out, size_t size)
{
	const char *end = text + strlen(text);

	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* Runs argv; on success the output in res (caller frees). */
static int run(const char *const *argv, bool exact, int timeout_ms, struct spawn_result *res,
	       struct ceph_run *cr)
{
	struct spawn_opts o = { .timeout_ms = timeout_ms, .max_output = 4 * 1024 * 1024,
				.exact_path = exact };
	int r = spawn_run(argv, &o, res);

	*cr = (struct ceph_run){ .ms = res->ms };
	if (r == 0 && res->exit_code != 0) {
		cr->exit_code = res->exit_code;
		last_line(res->err_len ? res->err : res->out, cr->err_line, sizeof(cr->err_line));
		r = -EPROTO;
	}
	if (r == 0 && res->truncated)
		r = -EFBIG;
	cr->rc = r;
	return r;
}

typedef int (*parse_fn)(const char *source, const char *data, size_t len, void *out,
			struct diag *diag);

static int ask(const struct ceph_cli *c, const char *const *what, const char *source,
	       parse_fn parse, void *out, struct ceph_run *cr)
{
	const char *argv[17];
	char buf[16];
	struct spawn_result res;
	struct diag d = { 0 };

	ceph_cli_argv(c, what, argv, buf, sizeof(buf));
	int r = run(argv, false, c->timeout_ms, &res, cr);
	if (r == 0) {
		r = parse(source, res.out, res.out_len, out, &d);
		if (r < 0) {
			diag_format(&d, cr->msg, sizeof(cr->msg));
			cr->rc = r;
		}
	}
	spawn_result_free(&res);
	return r;
}

static int parse_status(const char *s, const char *data, size_t len, void *out, struct diag *d)
{
	return ceph_status_parse(s, data, len, out, d);
}

static int parse_fsmap(const char *s, const char *data, size_t len, void *out, struct diag *d)
{
	return ceph_fsmap_parse(s, data, len, out, d);
}

int ceph_cli_status(const struct ceph_cli *c, struct ceph_status *st, struct ceph_run *run)
{
	static const char *const what[] = { "status", NULL };

	*st = (struct ceph_status){ 0 };
	return ask(c, what, "ceph status --format json", parse_status, st, run);
}

int ceph_cli_fsmap(const struct ceph_cli *c, struct ceph_fsmap *m, struct ceph_run *run)
{
	static const char *const what[] = { "mds", "stat", NULL };

	*m = (struct ceph_fsmap){ 0 };
	return ask(c, what, "ceph mds stat --format json", parse_fsmap, m, run);
}

int ceph_client_line_parse(const char *source, const char *data, size_t len,
			   struct ceph_client *cl, struct diag *diag)
{
	char line[64], step[16];
	int err, n = 0;

	*cl = (struct ceph_client){ 0 };
	if (len && data[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof(line) || memchr(data, '\n', len) || memchr(data, '\0', len))
		return diag_set(diag, source, 0, "expected one line (ok, fail or nomodule), got %zu "
				"bytes", len);
	memcpy(line, data, len);
	line[len] = '\0';
	if (streq(line, "ok dir") || streq(line, "ok other")) {
		cl->result = streq(line, "ok dir") ? CEPH_CLIENT_OK : CEPH_CLIENT_NOT_DIR;
		return 0;
	}
	if (streq(line, "nomodule")) {
		cl->result = CEPH_CLIENT_NO_MODULE;
		return 0;
	}
	if (sscanf(line, "fail %15[a-z] %d%n", step, &err, &n) == 2 && (size_t)n == len &&
	    (streq(step, "init") || streq(step, "mount") || streq(step, "stat")) && err >= 0 &&
	    err < 4096) {
		cl->result = CEPH_CLIENT_FAILED;
		snprintf(cl->step, sizeof(cl->step), "%s", step);
		cl->err = err;
		return 0;
	}
	return diag_set(diag, source, 0, "unexpected line \"%s\"", line);
}

/* The child of the client check: libcephfs mounts the file system with the key and stats the
 * path, as ganesha's FSAL_CEPH does; one line to fd ("ok dir", "ok other", "fail STEP
 * ERRNO"); then it closes its session (ceph_shutdown): a client that just vanished keeps its
 * caps on the path at the MDS until the session is evicted (session_autoclose, 300 s), and
 * the gateway's ganesha would wait for them. It allocates and starts libcephfs's threads: the library was loaded before the
 * fork, glibc keeps malloc usable in a forked child, and a child that blocks anyway (on a
 * lock another thread held at the fork, or in a mount no MDS serves) is killed at the
 * deadline: a cut, never a verdict. */
static _Noreturn void client_child(int fd, const struct ceph_cli *c, const char *fs,
				   const char *path, const char *secs)
{
	struct ceph_mount_info *m = NULL;
	struct ceph_statx stx;
	const char *step = "init";
	char line[64];
	int r = ceph_create(&m, c->user);

	if (r == 0)
		r = ceph_conf_read_file(m, c->conf);
	if (r == 0)
		r = ceph_conf_set(m, "keyring", c->keyring);
	if (r == 0)
		r = ceph_conf_set(m, "client_mount_timeout", secs);
	if (r == 0)
		r = ceph_conf_set(m, "admin_socket", "");
	if (r == 0)
		r = ceph_conf_set(m, "log_file", "/dev/null");
	if (r == 0)
		r = ceph_init(m);
	if (r == 0) {
		step = "mount";
		r = ceph_select_filesystem(m, fs);
	}
	if (r == 0)
		r = ceph_mount(m, "/");
	if (r == 0) {
		step = "stat";
		r = ceph_statx(m, path, &stx, CEPH_STATX_MODE, 0);
	}
	if (r == 0)
		snprintf(line, sizeof(line), "ok %s\n", S_ISDIR(stx.stx_mode) ? "dir" : "other");
	else
		snprintf(line, sizeof(line), "fail %s %d\n", step, r < 0 && r > -4096 ? -r : EIO);
	ssize_t k = write(fd, line, strlen(line));
	if (m)
		ceph_shutdown(m);
	_exit(k < 0 ? 1 : 0);
}

int ceph_cli_client(const struct ceph_cli *c, const char *fs, const char *path,
		    struct ceph_client *cl, struct ceph_run *cr)
{
	char secs[16], out[64];
	struct diag d = { 0 };
	size_t have = 0;
	int p[2], status;
	int64_t t0 = now_ms(), deadline = t0 + (c->timeout_ms > 0 ? c->timeout_ms : 5000);

	*cl = (struct ceph_client){ 0 };
	*cr = (struct ceph_run){ 0 };
	if (!root_is_host())
		return cr->rc = SPAWN_REFUSED_ROOT;
	if (cephfs_lazy_load() < 0) {
		cl->result = CEPH_CLIENT_NO_MODULE;
		return 0;
	}
	/* libcephfs gives up on the mount a second before our deadline: its ETIMEDOUT is the
	 * answer "no MDS served the mount", ours would be a cut. */
	snprintf(secs, sizeof(secs), "%d", connect_timeout_s(c->timeout_ms));
	if (pipe2(p, O_CLOEXEC) < 0)
		return cr->rc = -errno;
	pid_t pid = fork();
	if (pid < 0) {
		cr->rc = -errno;
		close(p[0]);
		close(p[1]);
		return cr->rc;
	}
	if (pid == 0) {
		close(p[0]);
		client_child(p[1], c, fs, path, secs);
	}
	close(p[1]);
	bool eof = false;
	while (!eof && have < sizeof(out) - 1 && !memchr(out, '\n', have)) {
		ssize_t k = read_by_deadline(p[0], out + have, sizeof(out) - 1 - have, deadline);
		if (k == -ETIMEDOUT)
			break;
		if (k <= 0)
			eof = true; /* the end, or a failed read: no line will come */
		else
			have += (size_t)k;
	}
	close(p[0]);
	bool answered = memchr(out, '\n', have) != NULL;
	/* After its line the child closes its session: given until the deadline (at least a
	 * second) to end by itself, then killed. Reaped either way. */
	int64_t until = deadline > now_ms() + 1000 ? deadline : now_ms() + 1000;
	bool reaped = false;
	while (answered && !reaped && now_ms() < until) {
		reaped = waitpid(pid, &status, WNOHANG) == pid;
		if (!reaped)
			poll(NULL, 0, 20);
	}
	if (!reaped) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	cr->ms = now_ms() - t0;
	if (!answered && !eof)
		return cr->rc = -ETIMEDOUT;
	int r = ceph_client_line_parse("the libcephfs client check", out, have, cl, &d);
	if (r < 0) {
		diag_format(&d, cr->msg, sizeof(cr->msg));
		cr->rc = r;
	}
	return r;
}

void ceph_cli_grace_argv(const struct ceph_cli *c, const struct ceph_grace_where *w,
			 const char *what, const char *nodeid, const char **argv)
{
	size_t n = 0;

	argv[n++] = "ganesha-rados-grace";
	argv[n++] = "--cephconf";
	argv[n++] = c->conf;
	argv[n++] = "--userid";
	argv[n++] = c->user;
	argv[n++] = "--pool";
	argv[n++] = w->pool;
	argv[n++] = "--ns";
	argv[n++] = w->ns;
	argv[n++] = what;
	if (nodeid)
		argv[n++] = nodeid;
	argv[n] = NULL;
}

int ceph_cli_grace(const struct ceph_cli *c, const struct ceph_grace_where *w,
		   struct ceph_grace *g, struct ceph_run *cr)
{
	const char *argv[12];
	struct spawn_result res;
	struct diag d = { 0 };

	*g = (struct ceph_grace){ 0 };
	ceph_cli_grace_argv(c, w, "dump", NULL, argv);
	int r = run(argv, false, c->timeout_ms, &res, cr);
	/* ganesha-rados-grace 4.3 ends without rados_shutdown, and librados's threads sometimes
	 * crash its exit (SIGSEGV in 2 of 60 dumps run four at a time in the lab), before or
	 * after stdio's flush. A dump it printed whole (stdio writes to a pipe in 4096-byte
	 * blocks, so a cut one has a multiple of 4096 bytes) is its answer; nothing printed:
	 * once more, when the deadline leaves room. */
	if (r == -EPROTO && res.signal && (res.out_len == 0 || res.out_len % 4096 == 0) &&
	    res.ms < c->timeout_ms / 2) {
		spawn_result_free(&res);
		r = run(argv, false, c->timeout_ms, &res, cr);
	}
	if (r == -EPROTO && res.signal && res.out_len % 4096 != 0)
		r = cr->rc = 0;
	if (r == 0) {
		r = ceph_grace_parse("ganesha-rados-grace dump", res.out, res.out_len, g, &d);
		if (r < 0) {
			diag_format(&d, cr->msg, sizeof(cr->msg));
			cr->rc = r;
		}
	}
	spawn_result_free(&res);
	return r;
}

int ceph_cli_grace_add(const struct ceph_cli *c, const struct ceph_grace_where *w,
		       const char *nodeid, struct ceph_run *cr)
{
	const char *argv[12];
	struct spawn_result res;

	ceph_cli_grace_argv(c, w, "add", nodeid, argv);
	int r = run(argv, false, c->timeout_ms, &res, cr);
	spawn_result_free(&res);
	return r;
}

int ceph_grace_failure_errno(const char *err_line)
{
	int e, n = 0;

	if (sscanf(err_line, "Failure: -%d%n", &e, &n) == 1 && err_line[n] == '\0' && e > 0 &&
	    e < 4096)
		return e;
	return 0;
}

int ceph_key_file_check(const char *path, mode_t *mode, struct diag *diag)
{
	_cleanup_free_ char *real = root_path(path);
	struct stat st;
	int r = root_stat(real, &st);

	*mode = 0;
	if (r < 0)
		return diag_set(diag, real, 0, "the Ceph key file cannot be read: %s", strerror(-r)),
		       r == -ENOENT ? -ENOENT : r;
	*mode = st.st_mode & 07777;
	if (!S_ISREG(st.st_mode))
		return diag_set(diag, real, 0, "the Ceph key file is not a regular file"), -EINVAL;
	if (st.st_mode & 077)
		return diag_set(diag, real, 0,
				"the Ceph key file is readable by others (mode %04o): chmod 600 %s "
				"(only root may read the key)",
				(unsigned)*mode, path),
		       -EPERM;
	return 0;
}
