/* SPDX-License-Identifier: MIT */
/* Inside the cmd module only (its files and their unit tests);
 * other modules use cmd/cmd.h. */
#pragma once

#include "cmd/cmd.h"

/* Writes s to f with '|' (the perfdata separator) and anything non-printable replaced, so a
 * status line stays one line. */
void cmd_nagios_text(FILE *f, const char *s);

/* One perfdata item "'LABEL'=VALUEs;;;0;MAX" (a leading space included); ms < 0 is "U". */
void cmd_nagios_perf(FILE *f, const char *label, int64_t ms, int max_ms);
int cmd_parse_format(const char *arg, enum cmd_format *out, char *err, size_t errsize);

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
void cmd_print_usage(const struct command *cmd, FILE *f);

/* `meshnfs help COMMAND` and `meshnfs COMMAND --help`: usage, summary, the command's options
 * (and its targets'), the global options. */
void cmd_print_help(const struct command *cmd, FILE *f);
int cmd_env(struct ctx *ctx, int argc, char **argv);
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
