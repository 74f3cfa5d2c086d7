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
/* Writes s to f with '|' (the perfdata separator) and anything non-printable replaced, so a
 * status line stays one line. */
void cmd_nagios_text(FILE *f, const char *s);
/* One perfdata item "'LABEL'=VALUEs;;;0;MAX" (a leading space included); ms < 0 is "U". */
void cmd_nagios_perf(FILE *f, const char *label, int64_t ms, int max_ms);

/* --format human|json|nagios of probe and doctor: 0, or -EINVAL with the problem in err. */
enum cmd_format { FORMAT_HUMAN, FORMAT_JSON, FORMAT_NAGIOS };
int cmd_parse_format(const char *arg, enum cmd_format *out, char *err, size_t errsize);

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

/* An opt_fn for a command whose only option is one flag: sets the bool userdata points to. */
int cmd_flag_option(void *userdata, int opt, const char *arg, char *err, size_t errsize);

/* The start of a command that takes no operands: its options (as cmd_parse_options), no
 * operand, the configuration loaded. Returns 0 to go on, or the exit code to return at once
 * (64 usage, 65 bad configuration, both already reported). */
int cmd_start(struct ctx *ctx, const struct command *cmd, int argc, char **argv,
	      const struct option *longopts, opt_fn fn, void *userdata);

/* The shares a command acts on (config/config.h: config_n_shares order), after the
 * configuration is loaded: all of them, or the one --share names. 0 with [*from, *to), or
 * 64 after a usage error naming the shares there are. */
int cmd_shares(struct ctx *ctx, const struct command *cmd, size_t *from, size_t *to);

/* For a command that acts on one share (probe without HOST, status): the first share
 * cmd_shares selects becomes the configuration's [server] address (its first gateway),
 * export, mount point and options. 0, or 64 (reported). */
int cmd_focus_share(struct ctx *ctx, const struct command *cmd);

/* Loads the configuration once (the command reports a failure with cmd_bad_input). */
int ctx_load_config(struct ctx *ctx, struct diag *diag);

/* A JSON document on stdout, indented, keys in order. */
void cmd_print_json(json_t *doc);
/* Prints the report (JSON or human) and returns its exit code. */
int cmd_finish(struct ctx *ctx, struct report *r);
/* Reports bad input "FILE:LINE: problem" (stderr; --json also on stdout) and returns 65. */
int cmd_bad_input(struct ctx *ctx, const struct diag *d);
/* Usage error: message and usage on stderr, returns 64. */
int cmd_usage_error(const struct command *cmd, const char *fmt, ...) _printf_(2, 3);
/* Internal error: message on stderr, returns 70. */
int cmd_internal_error(const char *fmt, ...) _printf_(1, 2);
void cmd_print_usage(const struct command *cmd, FILE *f);
/* `meshnfs help COMMAND` and `meshnfs COMMAND --help`: usage, summary, the command's options
 * (and its targets'), the global options. */
void cmd_print_help(const struct command *cmd, FILE *f);
/* setup's targets (src/cmd/setup.c), NULL-terminated. */
extern const struct command *const setup_targets[];

int cmd_env(struct ctx *ctx, int argc, char **argv);
int cmd_help(struct ctx *ctx, int argc, char **argv);
int cmd_doctor(struct ctx *ctx, int argc, char **argv);
int cmd_setup(struct ctx *ctx, int argc, char **argv);
/* doctor --all [--source S]: the fleet (src/cmd/doctor_all.c). source is an enum mesh_source. */
int cmd_doctor_all(struct ctx *ctx, int source);
int cmd_probe(struct ctx *ctx, int argc, char **argv);
int cmd_status(struct ctx *ctx, int argc, char **argv);
/* The node list from source (an enum mesh_source) into out: 0, or the exit code after the
 * problem was printed (stderr; with --json also {"command", "verdict": "fail", "error":
 * {"kind": "no_source" | "source_unavailable", "message"}} on stdout). */
int cmd_mesh_nodes(struct ctx *ctx, const char *command, int source, struct mesh_nodes *out);
/* The list's warnings: "warning: ..." lines on f. */
void cmd_print_warnings(FILE *f, char *const *w, size_t n, bool color);
int cmd_repair(struct ctx *ctx, int argc, char **argv);
int cmd_watch(struct ctx *ctx, int argc, char **argv);

/* Plans (setup, repair; src/cmd/cmd_plan.c). The plan is printed, then unless dry_run applied
 * step by step (after checking that every file it writes is writable), then verify runs when
 * every step succeeded. Node warnings become node.input checks. Returns the exit code. */
struct plan;
struct node_info;
typedef void (*cmd_verify_fn)(struct ctx *ctx, struct report *r, const void *data);
int cmd_run_plan(struct ctx *ctx, const struct node_info *n, struct plan *p, bool dry_run,
		 const char *command, cmd_verify_fn verify, const void *data);
/* A plan that could not be made: -EBADMSG is bad input (65), -EDOM a refused argument (64),
 * anything else a failure reported as check id (2). */
int cmd_plan_error(struct ctx *ctx, const struct command *cmd, int r, const struct diag *d,
		   const char *id);
