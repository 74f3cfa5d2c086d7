/* SPDX-License-Identifier: MIT */
/* meshnfs: shared storage over NFSv4 on a Tailscale/Headscale mesh. A tiny main: global
 * options, then one command from the table. */
#include "cmd/cmd.h"
#include "report/output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#ifndef MESHNFS_VERSION
#define MESHNFS_VERSION "0.0.0"
#endif

enum { OPT_VERSION = 0x200 };

static int main_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	int *action = userdata;

	(void)arg;
	(void)err;
	(void)size;
	if (opt != OPT_VERSION && opt != 'h')
		return -EINVAL;
	*action = opt;
	return 0;
}

/* Global options, then one command: its exit code. */
static int run(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	int action = 0, i, r;

	i = cmd_parse_options(ctx, NULL, argc, argv, NULL, longopts, main_option, &action);
	if (i < 0)
		return EXIT_USAGE;
	if (action == OPT_VERSION) {
		printf("meshnfs %s\n", MESHNFS_VERSION);
		return EXIT_OK;
	}
	if (action)
		return cmd_help(ctx, 1, (char *[]){ "help", NULL });
	if (i >= argc)
		return cmd_usage_error(NULL, "no command given");

	const struct command *c = command_find(argv[i]);
	if (!c)
		return cmd_usage_error(NULL, "unknown command '%s'", argv[i]);
	r = c->run(ctx, argc - i, argv + i);
	if (ctx->config_loaded)
		config_free(&ctx->config);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return r; /* the reader went away (`| head`): not our error */
		return cmd_internal_error("cannot write output: %s", strerror(errno));
	}
	return r;
}

/* Descriptors 0-2 closed by the caller (`meshnfs status <&-`, a service started without
 * them): each is opened on /dev/null the wrong way round, as glibc does for set-user-ID
 * programs (stdin write-only, stdout and stderr read-only), so that using one fails as on a
 * closed descriptor while no file or socket meshnfs opens can take its number (a report
 * printed into a file being rewritten, descriptor 0 taken for "none"). */
static void std_fds_hold(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_NOFOLLOW);
			if (n >= 0 && n != fd) /* the lower ones are open: n is fd, or the open failed */
				close(n);
		}
}

int main(int argc, char **argv)
{
	struct ctx ctx = { .timeout_ms = 5000 };
	int r;

	std_fds_hold();
	signal(SIGPIPE, SIG_IGN);
	/* meshnfs reaps its own children (waitpid with WNOHANG and a deadline): a SIGCHLD ignored
	 * by the parent, and so inherited through exec, would make each one vanish at its end,
	 * to be seen as one that never ended (tests/cli/std-fds.sh). */
	signal(SIGCHLD, SIG_DFL);
	cmd_nagios = cmd_argv_wants_nagios(argc, argv);
	/* Human output: no byte from outside reaches the terminal raw. When the escaping streams
	 * cannot be made, nothing runs (fail closed, not unescaped). */
	if (output_escape_std() < 0)
		r = cmd_internal_error("cannot set up the escaping of the output: %s; nothing was run",
				       strerror(ENOMEM));
	else
		r = run(&ctx, argc, argv);
	if (cmd_nagios && (r < EXIT_OK || r > EXIT_FAIL)) {
		/* Monitoring Plugins: anything but a verdict is UNKNOWN, with a status line. */
		char msg[64];
		snprintf(msg, sizeof(msg), "meshnfs exited with status %d", r);
		cmd_nagios_unknown(msg);
		fflush(stdout);
		return EXIT_NAGIOS_UNKNOWN;
	}
	return r;
}
