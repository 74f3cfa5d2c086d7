/* SPDX-License-Identifier: MIT */
#include "node/ceph_cli.h"

#include "core/root.h"
#include "core/spawn.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

/* The client check, run by Debian's python3 with python3-cephfs (Ceph's own binding of
 * libcephfs). Arguments arrive as argv (never spliced into the code): conf, user, keyring,
 * fs, path, mount timeout in seconds. One line out. */
static const char client_script[] =
	"import sys\n"
	"try:\n"
	"    import cephfs\n"
	"except ImportError:\n"
	"    print('nomodule'); sys.exit(0)\n"
	"a = sys.argv\n"
	"step = 'init'\n"
	"try:\n"
	"    fs = cephfs.LibCephFS(conffile=a[1], auth_id=a[2])\n"
	"    fs.conf_set('keyring', a[3])\n"
	"    fs.conf_set('client_mount_timeout', a[6])\n"
	"    fs.conf_set('admin_socket', '')\n"
	"    fs.conf_set('log_file', '/dev/null')\n"
	"    fs.init()\n"
	"    step = 'mount'\n"
	"    fs.mount(filesystem_name=a[4].encode())\n"
	"    step = 'stat'\n"
	"    st = fs.stat(a[5])\n"
	"    print('ok', 'dir' if st.st_mode & 0o170000 == 0o040000 else 'other')\n"
	"except cephfs.Error as e:\n"
	"    print('fail', step, getattr(e, 'errno', 0) or 0)\n";

#define CEPH_PYTHON "/usr/bin/python3"

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

int ceph_cli_client(const struct ceph_cli *c, const char *fs, const char *path,
		    struct ceph_client *cl, struct ceph_run *cr)
{
	char secs[16];
	struct spawn_result res;
	struct diag d = { 0 };

	/* libcephfs gives up on the mount a second before our deadline: its ETIMEDOUT is the
	 * answer "no MDS served the mount", ours would be a cut. */
	snprintf(secs, sizeof(secs), "%d", connect_timeout_s(c->timeout_ms));
	const char *argv[] = { CEPH_PYTHON, "-c", client_script, c->conf, c->user, c->keyring, fs,
			       path, secs, NULL };
	*cl = (struct ceph_client){ 0 };
	int r = run(argv, true, c->timeout_ms, &res, cr);
	if (r == 0) {
		r = ceph_client_line_parse("the cephfs client check", res.out, res.out_len, cl, &d);
		if (r < 0) {
			diag_format(&d, cr->msg, sizeof(cr->msg));
			cr->rc = r;
		}
	}
	spawn_result_free(&res);
	return r;
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
