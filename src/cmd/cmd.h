/* SPDX-License-Identifier: MIT */
/* The command layer: the only code that prints. Each command is one file with one entry
 * point; main.c holds the table. */
#pragma once

#include "config/config.h"
#include "core/diag.h"
#include "mesh/sources.h"
#include "report/report.h"

#include <getopt.h>

/* Exit codes (a contract: scripts rely on them). */
enum {
	EXIT_OK = 0,        /* all good */
	EXIT_WARN = 1,      /* warnings only */
	EXIT_FAIL = 2,      /* failures */
	EXIT_USAGE = 64,    /* unknown command or option */
	EXIT_DATAERR = 65,  /* bad input data: message names file and line */
	EXIT_SOFTWARE = 70, /* internal error */
	/* --format nagios (Monitoring Plugins guidelines): usage and internal errors, bad input. */
	EXIT_NAGIOS_UNKNOWN = 3,
};

/* True when the command line asks for --format nagios (set by main before parsing, so
 * that even a usage error prints one "UNKNOWN" status line on stdout). */
extern bool cmd_nagios;
/* Whether argv asks for --format nagios anywhere ("--format nagios", "--format=nagios"). */
bool cmd_argv_wants_nagios(int argc, char **argv);
/* One Monitoring Plugins status line for an error, once: "MESHNFS UNKNOWN - message". */
void cmd_nagios_unknown(const char *message);
/* Whether a status line has been printed (main prints a generic one otherwise). */
extern bool cmd_nagios_printed;

/* --format human|json|nagios of probe and doctor: 0, or -EINVAL with the problem in err. */
enum cmd_format { FORMAT_HUMAN, FORMAT_JSON, FORMAT_NAGIOS };

struct ctx {
	const char *config_path; /* --config, or NULL for /etc/meshnfs.conf under the root */
	bool json;
	bool no_color;
	int timeout_ms; /* --timeout, per step; default 5000 */
	int verbose;
	struct config config;
	bool config_loaded;
	const char *share; /* --share NAME, or NULL: every share */
};

struct command {
	const char *name;
	const char *summary; /* one line, for `help` */
	const char *usage;   /* the synopsis after "meshnfs " */
	int (*run)(struct ctx *ctx, int argc, char **argv);
	const char *options; /* the command's own options, "  --opt ARG  what\n" lines, or NULL */
	const struct command *const *targets; /* setup's client, server, wsl; NULL-terminated */
};

extern const struct command commands[];
extern const size_t n_commands;
const struct command *command_find(const char *name);

/* Options every command accepts, before or after its name: --root --config --json
 * --timeout --no-color -v. Parses argv[0..argc) (argv[0] is the command name) with the
 * command's own options added; calls fn for those. Returns the index of the first operand,
 * or -EINVAL after printing the problem and the command's usage on stderr. */
typedef int (*opt_fn)(void *userdata, int opt, const char *arg, char *err, size_t errsize);
int cmd_parse_options(struct ctx *ctx, const struct command *cmd, int argc, char **argv,
		      const char *shortopts, const struct option *longopts, opt_fn fn,
		      void *userdata);

/* Usage error: message and usage on stderr, returns 64. */
int cmd_usage_error(const struct command *cmd, const char *fmt, ...) _printf_(2, 3);
/* Internal error: message on stderr, returns 70. */
int cmd_internal_error(const char *fmt, ...) _printf_(1, 2);
/* setup's targets (src/cmd/setup.c), NULL-terminated. */
extern const struct command *const setup_targets[];

int cmd_help(struct ctx *ctx, int argc, char **argv);
