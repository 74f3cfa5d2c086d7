/* SPDX-License-Identifier: MIT */
#include "cmd/cmd.h"

#include "core/escape.h"

#include "core/root.h"
#include "core/spawn.h"
#include "report/output.h"
#include "cmd/cmd_private.h"

#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <stdarg.h>

enum {
	OPT_ROOT = 0x100,
	OPT_CONFIG,
	OPT_JSON,
	OPT_TIMEOUT,
	OPT_NO_COLOR,
	OPT_SHARE,
};

static const struct option global_longopts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
};

bool cmd_nagios, cmd_nagios_printed;

#define GLOBAL_OPTIONS_HELP                                                                   \
	"Global options (before or after the command):\n"                                      \
	"  --root DIR         read every system path under DIR (another machine's files)\n"   \
	"  --config FILE      the configuration (default: /etc/meshnfs.conf, meshnfs.conf(5))\n" \
	"  --json             one JSON document on stdout\n"                                   \
	"  --timeout SECONDS  each step's deadline, 0.1..3600 (default 5)\n"                  \
	"  --no-color         no colour (also NO_COLOR=1; colour only on a terminal)\n"        \
	"  --share NAME       act on that share only (default: every share, meshnfs.conf(5))\n" \
	"  -v, --verbose      more detail\n"                                                   \
	"  -h, --help         this help\n"

void cmd_print_usage(const struct command *cmd, FILE *f)
{
	fprintf(f, "usage: meshnfs [--root DIR] [--config FILE] [--json] [--timeout SECONDS] "
		   "[--no-color] [-v] %s\n",
		cmd ? cmd->usage : "COMMAND [ARGS]");
	if (!cmd)
		fprintf(f, "Run 'meshnfs help' for the list of commands.\n");
}

void cmd_print_help(const struct command *cmd, FILE *f)
{
	cmd_print_usage(cmd, f);
	fprintf(f, "%s\n", cmd->summary);
	if (cmd->options)
		fprintf(f, "\nOptions:\n%s", cmd->options);
	for (const struct command *const *t = cmd->targets; t && *t; t++) {
		fprintf(f, "\nmeshnfs %s\n  %s\n", (*t)->usage, (*t)->summary);
		if ((*t)->options)
			fputs((*t)->options, f);
	}
	fprintf(f, "\n" GLOBAL_OPTIONS_HELP "\nExit codes: 0 ok, 1 warnings, 2 failures, 64 usage, 65 bad "
		   "input, 70 internal. See meshnfs(8).\n");
}

bool cmd_argv_wants_nagios(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--"))
			break;
		if (streq(argv[i], "--format=nagios") ||
		    (streq(argv[i], "--format") && i + 1 < argc && streq(argv[i + 1], "nagios")))
			return true;
	}
	return false;
}

/* The plugin format, not escaping (stdout already escapes outside bytes): one line, and '|'
 * starts the perfdata, so line breaks and other control bytes become spaces and '|' a '/'. */
void cmd_nagios_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p == '|' ? '/' : (*p < ' ' || *p == 0x7f) ? ' ' : *p, f);
}

void cmd_nagios_unknown(const char *message)
{
	if (!cmd_nagios || cmd_nagios_printed)
		return;
	fputs("MESHNFS UNKNOWN - ", stdout);
	cmd_nagios_text(stdout, message);
	fputc('\n', stdout);
	cmd_nagios_printed = true;
}

void cmd_nagios_perf(FILE *f, const char *label, int64_t ms, int max_ms)
{
	/* Labels are check ids and step names: no quote or '=' to escape. */
	fprintf(f, " '%s'=", label);
	if (ms >= 0)
		fprintf(f, "%" PRId64 ".%03" PRId64 "s", ms / 1000, ms % 1000);
	else
		fputc('U', f);
	fputs(";;;0;", f);
	if (max_ms > 0)
		fprintf(f, "%d.%03d", max_ms / 1000, max_ms % 1000);
}

int cmd_parse_format(const char *arg, enum cmd_format *out, char *err, size_t errsize)
{
	static const char *const names[] = { "human", "json", "nagios" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(arg, names[i])) {
			*out = (enum cmd_format)i;
			return 0;
		}
	snprintf(err, errsize, "--format: \"%s\" is not one of human, json, nagios", arg);
	return -EINVAL;
}

/* The message of an error, also as the UNKNOWN status line under --format nagios. */
static void error_message(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "meshnfs: %s%s\n", prefix, msg);
	if (cmd_nagios) {
		_cleanup_free_ char *line = xasprintf("%s%s", prefix, msg);
		cmd_nagios_unknown(line);
	}
}

int cmd_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_message("", fmt, ap);
	va_end(ap);
	cmd_print_usage(cmd, stderr);
	return EXIT_USAGE;
}

int cmd_internal_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_message("internal error: ", fmt, ap);
	va_end(ap);
	return EXIT_SOFTWARE;
}

static int parse_timeout(const char *arg, int *ms)
{
	char *end;
	double s;

	/* Decimal only: strtod also reads "0x10" (16 s), "1e1", "inf" and leading blanks. */
	if (!*arg || strspn(arg, "0123456789.") != strlen(arg) || strchr(arg, '.') != strrchr(arg, '.') ||
	    !strpbrk(arg, "0123456789"))
		return -EINVAL;
	errno = 0;
	s = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(s) || s < 0.1 || s > 3600)
		return -EINVAL;
	*ms = (int)lround(s * 1000);
	return 0;
}

/* -v: what spawn skipped (a relative PATH entry) on stderr. */
static void verbose_log(const char *msg)
{
	fprintf(stderr, "meshnfs: %s\n", msg);
}

/* Applies a global option; returns 1 if opt was one, 0 if not, -EINVAL on a bad value. */
static int global_option(struct ctx *ctx, int opt, const char *arg, char *err, size_t size)
{
	switch (opt) {
	case OPT_ROOT: {
		struct stat st;
		if (arg[0] != '/' || stat(arg, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, size, "--root: \"%s\" is not an existing absolute directory", arg);
			return -EINVAL;
		}
		root_set(arg);
		return 1;
	}
	case OPT_CONFIG:
		ctx->config_path = arg;
		ctx->config_loaded = false;
		return 1;
	case OPT_JSON:
		ctx->json = true;
		return 1;
	case OPT_TIMEOUT:
		if (parse_timeout(arg, &ctx->timeout_ms) < 0) {
			snprintf(err, size, "--timeout: \"%s\" is not a number of seconds in "
				 "0.1..3600 (decimal only: digits and one '.', e.g. 2.5)",
				 arg);
			return -EINVAL;
		}
		return 1;
	case OPT_NO_COLOR:
		ctx->no_color = true;
		return 1;
	case OPT_SHARE:
		ctx->share = arg;
		return 1;
	case 'v':
		ctx->verbose++;
		spawn_set_log(verbose_log);
		return 1;
	}
	return 0;
}

int cmd_parse_options(struct ctx *ctx, const struct command *cmd, int argc, char **argv,
		      const char *shortopts, const struct option *longopts, opt_fn fn,
		      void *userdata)
{
	size_t n_cmd = 0, n_glob = ARRAY_SIZE(global_longopts);
	_cleanup_free_ struct option *all = NULL;
	_cleanup_free_ char *shorts = NULL;
	char err[512];
	int opt;

	while (longopts && longopts[n_cmd].name)
		n_cmd++;
	all = xcalloc(n_cmd + n_glob + 1, sizeof(*all));
	memcpy(all, global_longopts, sizeof(global_longopts));
	if (n_cmd)
		memcpy(all + n_glob, longopts, n_cmd * sizeof(*all));
	/* Before the command name, options end at the first operand (the command); after it,
	 * options and operands may mix. ':': report missing arguments ourselves. */
	shorts = xasprintf("%s:hv%s", cmd ? "" : "+", shortopts ? shortopts : "");

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		int r;
		err[0] = '\0';
		if (opt == '?') {
			if (optopt)
				cmd_usage_error(cmd, "unknown option '-%c'", optopt);
			else
				cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
		if (opt == ':') {
			cmd_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
			return -EINVAL;
		}
		if (opt == 'h' && cmd) {
			/* `meshnfs COMMAND --help`: its help, and nothing else runs. */
			cmd_print_help(cmd, stdout);
			fflush(stdout);
			free(all);
			free(shorts);
			exit(EXIT_OK);
		}
		r = global_option(ctx, opt, optarg, err, sizeof(err));
		if (r == 0)
			r = fn ? fn(userdata, opt, optarg, err, sizeof(err)) : -EINVAL;
		if (r < 0) {
			cmd_usage_error(cmd, "%s", err[0] ? err : "invalid option");
			return -EINVAL;
		}
	}
	return optind;
}

int cmd_flag_option(void *userdata, int opt, const char *arg, char *err, size_t errsize)
{
	(void)opt;
	(void)arg;
	(void)err;
	(void)errsize;
	*(bool *)userdata = true;
	return 0;
}

int cmd_start(struct ctx *ctx, const struct command *cmd, int argc, char **argv,
	      const struct option *longopts, opt_fn fn, void *userdata)
{
	struct diag d = { 0 };
	int i = cmd_parse_options(ctx, cmd, argc, argv, NULL, longopts, fn, userdata);

	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[i]);
	if (ctx_load_config(ctx, &d) < 0)
		return cmd_bad_input(ctx, &d);
	return 0;
}

int cmd_shares(struct ctx *ctx, const struct command *cmd, size_t *from, size_t *to)
{
	const struct config *c = &ctx->config;
	size_t n = config_n_shares(c);

	*from = 0;
	*to = n;
	if (!ctx->share)
		return 0;
	int i = config_share_find(c, ctx->share);
	if (i >= 0) {
		*from = (size_t)i;
		*to = (size_t)i + 1;
		return 0;
	}
	struct buf b = { 0 };
	for (size_t k = 0; k < n; k++) {
		struct config_share s;
		config_share_get(c, k, &s);
		buf_printf(&b, "%s%s", k ? ", " : "", s.name);
	}
	cmd_usage_error(cmd, "--share: no share \"%s\" in %s (its shares: %s)", ctx->share,
			c->source ? c->source : "the built-in configuration", b.data ? b.data : "none");
	free(b.data);
	return EXIT_USAGE;
}

int cmd_focus_share(struct ctx *ctx, const struct command *cmd)
{
	size_t from, to;
	int rc = cmd_shares(ctx, cmd, &from, &to); /* an unknown --share: 64, reported */

	if (rc == 0)
		config_focus_share(&ctx->config, ctx->share);
	return rc;
}

int ctx_load_config(struct ctx *ctx, struct diag *diag)
{
	if (ctx->config_loaded)
		return 0;
	int r = config_load(ctx->config_path, &ctx->config, diag);
	if (r < 0) {
		config_free(&ctx->config); /* what it filled before the error (LeakSanitizer) */
		return r;
	}
	ctx->config_loaded = true;
	return 0;
}

/* json_dump_callback's sink: the document to stdout in pieces of at most sizeof(buf) - 1. */
struct json_sink {
	char buf[16384];
	size_t used;
};

static void json_sink_flush(struct json_sink *k)
{
	k->buf[k->used] = '\0';
	output_raw(stdout, k->buf);
	k->used = 0;
}

static int json_sink_put(const char *b, size_t n, void *data)
{
	struct json_sink *k = data;

	while (n) {
		size_t room = sizeof(k->buf) - 1 - k->used, m = n < room ? n : room;
		memcpy(k->buf + k->used, b, m);
		k->used += m;
		b += m;
		n -= m;
		if (k->used == sizeof(k->buf) - 1)
			json_sink_flush(k);
	}
	return 0;
}

void cmd_print_json(json_t *doc)
{
	/* ASCII only (\uXXXX escapes): the same values, and no C1 or bidi control reaches a
	 * terminal the document is shown on. Strings are valid UTF-8 by construction
	 * (json_text); a document that still cannot be written is an internal error, never an
	 * empty line. It is encoded twice: once only counted (json_dumpb into no room: nothing
	 * kept, and an encoding failure known before anything is written), then written out in
	 * pieces, never held whole as a string beside its tree (status over 10000 nodes: a 6 MB
	 * document, 12 MB more peak RSS with json_dumps; bench/README.md). */
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;
	unsigned n_bad = json_text_replaced();
	char none;

	/* Reported in the document and on stderr: some strings are not the bytes that came. */
	if (n_bad && json_is_object(doc)) {
		json_object_set_new(doc, "not_utf8", json_integer(n_bad));
		fprintf(stderr, "meshnfs: warning: %u string%s from outside held bytes that are not "
				"UTF-8: written as the text \\xNN in the JSON output (\"not_utf8\")\n",
			n_bad, n_bad == 1 ? "" : "s");
	}
	if (!doc || json_dumpb(doc, &none, 0, flags) == 0) {
		cmd_internal_error("cannot encode the JSON document");
		output_raw(stdout, "{\"error\": {\"kind\": \"internal\", \"message\": "
				   "\"cannot encode the JSON document\"}}");
	} else {
		struct json_sink k = { .used = 0 };
		json_dump_callback(doc, json_sink_put, &k, flags);
		json_sink_flush(&k);
	}
	output_raw(stdout, "\n");
}

int cmd_finish(struct ctx *ctx, struct report *r)
{
	if (ctx->json) {
		json_t *doc = report_to_json(r);
		cmd_print_json(doc);
		json_decref(doc);
	} else if (r->n_checks)
		report_print_human(r, stdout, output_want_color(STDOUT_FILENO, ctx->no_color));
	return report_exit_code(r);
}

int cmd_bad_input(struct ctx *ctx, const struct diag *d)
{
	char msg[1200];

	diag_format(d, msg, sizeof(msg));
	fprintf(stderr, "meshnfs: %s\n", msg);
	cmd_nagios_unknown(msg);
	if (ctx->json) {
		json_t *doc = json_pack("{s:{s:s, s:o, s:o, s:o}}", "error", "kind", "bad_input", "file",
					json_text(d->file), "line",
					d->line ? json_integer(d->line) : json_null(), "message",
					json_text(d->msg));
		cmd_print_json(doc);
		json_decref(doc);
	}
	return EXIT_DATAERR;
}

void cmd_print_warnings(FILE *f, char *const *w, size_t n, bool color)
{
	for (size_t i = 0; i < n; i++) {
		output_color(f, color, COLOR_YELLOW);
		fputs("warning:", f);
		output_color(f, color, COLOR_RESET);
		fprintf(f, " %s\n", w[i]);
	}
}
