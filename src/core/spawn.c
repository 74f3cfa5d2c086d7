/* SPDX-License-Identifier: MIT */
#include "core/spawn.h"

#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static char **make_env(void)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if (!startswith(environ[i], "LC_ALL="))
			env[k++] = environ[i];
	env[k++] = (char *)"LC_ALL=C";
	env[k] = NULL;
	return env;
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
	_cleanup_free_ char **env = NULL;
	int64_t start = now_ms(), deadline = start + timeout;
	int status = 0, r;
	pid_t pid;

	*res = (struct spawn_result){ .exit_code = -1 };
	buf_append(&out, "", 0);
	buf_append(&err, "", 0);

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

	env = make_env();
	if (opts && opts->exact_path)
		r = posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv, env);
	else
		r = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, env);
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
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return is_executable(name) ? xstrdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		_cleanup_free_ char *p = xasprintf("%.*s/%s", (int)n, n ? path : ".", name);
		if (is_executable(p))
			return TAKE_PTR(p);
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}
