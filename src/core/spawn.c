/* SPDX-License-Identifier: MIT */
#include "core/spawn.h"

#include "core/root.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static void (*spawn_log)(const char *msg);

void spawn_set_log(void (*log)(const char *msg))
{
	spawn_log = log;
}

#define SYSTEM_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* PATH's absolute entries joined by ':' (the system directories when PATH has none). Each
 * skipped entry is said once through spawn_log. */
static char *search_path(void)
{
	static bool said;
	bool say = spawn_log && !__atomic_exchange_n(&said, true, __ATOMIC_RELAXED);
	const char *path = getenv("PATH");
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && path[0] == '/')
			buf_printf(&b, "%s%.*s", b.len ? ":" : "", (int)n, path);
		else if (say) {
			_cleanup_free_ char *m = xasprintf(
				"PATH entry \"%.*s\"%s is not absolute: not searched", (int)n, path,
				n ? "" : " (the current directory)");
			spawn_log(m);
		}
		path += n;
		if (*path == ':')
			path++;
	}
	if (b.len == 0)
		buf_append(&b, SYSTEM_PATH, strlen(SYSTEM_PATH));
	return b.data;
}

/* The child's whole environment (spawn.h says what and why). */
static char **make_env(const char *path)
{
	static const char *const keep[] = { "HOME", "SSH_AUTH_SOCK", "WSL_INTEROP",
					    "WSL_DISTRO_NAME", "WSLENV" };
	char **env = xcalloc(ARRAY_SIZE(keep) + 4, sizeof(char *));
	size_t k = 0;

	env[k++] = xasprintf("PATH=%s", path);
	env[k++] = xstrdup("LC_ALL=C");
	env[k++] = xstrdup("DEBIAN_FRONTEND=noninteractive"); /* apt-get asks nothing */
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		const char *v = getenv(keep[i]);
		if (v)
			env[k++] = xasprintf("%s=%s", keep[i], v);
	}
	env[k] = NULL;
	return env;
}

static void env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static void drain(int *fd, struct buf *b, size_t max, bool *truncated)
{
	char chunk[8192];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	size_t keep = (size_t)n;
	if (b->len + keep > max) {
		keep = max > b->len ? max - b->len : 0;
		*truncated = true;
	}
	buf_append(b, chunk, keep);
}

/* Waits for pid until deadline (ms, monotonic); returns true when reaped. */
static bool reap(pid_t pid, int *status, int64_t deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true; /* not our child any more: nothing to wait for */
		if (now_ms() >= deadline)
			return false;
		usleep(2000);
	}
}

int spawn_run(const char *const argv[], const struct spawn_opts *opts, struct spawn_result *res)
{
	int timeout = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 5000;
	size_t max = opts && opts->max_output ? opts->max_output : SPAWN_DEFAULT_MAX_OUTPUT;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	struct buf out = { 0 }, err = { 0 };
	char **env = NULL;
	_cleanup_free_ char *path = NULL, *prog = NULL;
	int64_t start = now_ms(), deadline = start + timeout;
	int status = 0, r;
	pid_t pid;

	*res = (struct spawn_result){ .exit_code = -1 };
	buf_append(&out, "", 0);
	buf_append(&err, "", 0);
	if (!root_is_host()) {
		r = SPAWN_REFUSED_ROOT;
		goto out_close;
	}
	path = search_path();
	if (opts && opts->exact_path)
		prog = xstrdup(argv[0]);
	else {
		prog = spawn_which(argv[0]);
		if (!prog) {
			r = -ENOENT;
			goto out_close;
		}
	}

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_close;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (opts && opts->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, opts->cwd);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&defaults);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);

	env = make_env(path);
	r = posix_spawn(&pid, prog, &fa, &attr, (char *const *)argv, env);
	env_free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (r != 0) {
		r = -r;
		goto out_close;
	}
	res->pid = pid;

	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	while (outp[0] >= 0 || errp[0] >= 0) {
		struct pollfd p[2] = { { .fd = outp[0], .events = POLLIN },
				       { .fd = errp[0], .events = POLLIN } };
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			res->timed_out = true;
			break;
		}
		int n = poll(p, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			res->timed_out = true; /* cannot wait safely: treat like a deadline */
			break;
		}
		if (outp[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			drain(&outp[0], &out, max, &res->truncated);
		if (errp[0] >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			drain(&errp[0], &err, max, &res->truncated);
	}
	if (!res->timed_out && !reap(pid, &status, deadline))
		res->timed_out = true;
	if (res->timed_out) {
		if (opts && opts->at_deadline)
			opts->at_deadline(pid, opts->at_deadline_data);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		/* A process stuck in the kernel may not die at once: never block on it. */
		if (!reap(pid, &status, now_ms() + 500)) {
			status = W_EXITCODE(0, SIGKILL);
			res->left_running = true;
		}
		r = -ETIMEDOUT;
	} else
		r = 0;

	if (WIFEXITED(status))
		res->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->signal = WTERMSIG(status);

out_close:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	res->out = out.data;
	res->out_len = out.len;
	res->err = err.data;
	res->err_len = err.len;
	res->ms = now_ms() - start;
	return r;
}

void spawn_result_free(struct spawn_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *spawn_which(const char *name)
{
	_cleanup_free_ char *path = NULL;

	if (!root_is_host())
		return NULL;
	if (strchr(name, '/'))
		return name[0] == '/' && is_executable(name) ? xstrdup(name) : NULL;
	path = search_path();
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		_cleanup_free_ char *c = xasprintf("%.*s/%s", (int)n, p, name);
		if (is_executable(c))
			return TAKE_PTR(c);
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}
