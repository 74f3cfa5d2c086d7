/* SPDX-License-Identifier: MIT */
/* meshnfs watch [--once] [--interval S] [--detach-after S] [--textfile DIR] [--listen
 * [ADDR:]PORT] [--write]: the long-running guard of the share (src/watch/). This file holds
 * what only the command layer may do: options, the log (the journal with structured fields
 * when there is one, stderr otherwise), sd_notify, signals, exit codes, and the wiring of the
 * existing repair (src/setup) into the engine's hook. */
#include "cmd/cmd.h"

#include "core/root.h"
#include "node/node.h"
#include "setup/plan.h"
#include "setup/setup.h"
#include "watch/watch.h"
#include "cmd/cmd_private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
/* Plain sd_journal_sendv (no CODE_FILE/CODE_LINE fields): the lazily loaded one. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>
#include <time.h>

enum {
	OPT_ONCE = 0x300,
	OPT_INTERVAL,
	OPT_DETACH_AFTER,
	OPT_TEXTFILE,
	OPT_LISTEN,
	OPT_WRITE,
};

/* Repairs wait at least this long between attempts (doubled after each failure, up to 16x). */
#define WATCH_REPAIR_GAP_MS (30 * 1000)
/* A round still running after this long is stuck: the watchdog pings stop. */
#define WATCH_ROUND_STUCK_MS (5 * 60 * 1000)

struct watch_args {
	bool once, write;
	int interval;     /* 0: from the configuration */
	int detach_after; /* -1: from the configuration */
	const char *textfile, *listen;
};

static int parse_seconds(const char *arg, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int watch_option(void *userdata, int opt, const char *arg, char *err, size_t size)
{
	struct watch_args *a = userdata;

	switch (opt) {
	case OPT_ONCE:
		a->once = true;
		return 0;
	case OPT_WRITE:
		a->write = true;
		return 0;
	case OPT_INTERVAL:
		if (parse_seconds(arg, 1, 86400, &a->interval) < 0)
			return snprintf(err, size, "--interval: \"%s\" is not a number of seconds in "
					"1..86400", arg), -EINVAL;
		return 0;
	case OPT_DETACH_AFTER:
		if (parse_seconds(arg, 0, 86400, &a->detach_after) < 0)
			return snprintf(err, size, "--detach-after: \"%s\" is not a number of seconds "
					"in 0..86400 (0: never)", arg), -EINVAL;
		return 0;
	case OPT_TEXTFILE:
		if (config_check_abs_path(arg) < 0)
			return snprintf(err, size, "--textfile: \"%s\" is not an absolute path", arg),
			       -EINVAL;
		a->textfile = arg;
		return 0;
	case OPT_LISTEN:
		if (config_parse_listen(arg, NULL, NULL) < 0)
			return snprintf(err, size, "--listen: \"%s\" is not [ADDRESS:]PORT (an IPv4 "
					"address, a port in 1..65535)", arg), -EINVAL;
		a->listen = arg;
		return 0;
	}
	return -EINVAL;
}

/* ---- the log ---- */

static bool use_journal;

/* Adds one journal field, formatted, to f[*n]; -ENOMEM leaves f and *n as they were. */
static int __attribute__((format(printf, 3, 4))) journal_field(char **f, int *n, const char *fmt,
							       ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	f[(*n)++] = s;
	return 0;
}

static void log_line(int priority, const char *check, const char *diagnosis, const char *from,
		     const char *server, const char *message, const char *cause, const char *fix)
{
	if (use_journal) {
		/* sd_journal_sendv, not the printf-like sd_journal_send: libsystemd is loaded on
		 * first use (watch/watch_lazy.c) and a variadic call cannot be forwarded. */
		char *f[9];
		struct iovec iov[9];
		int n = 0, r = -ENOMEM;
		if (journal_field(f, &n, "MESSAGE=%s%s%s%s%s", message ? message : "",
				  cause ? "; cause: " : "", cause ? cause : "",
				  fix ? "; fix: " : "", fix ? fix : "") == 0 &&
		    journal_field(f, &n, "PRIORITY=%d", priority) == 0 &&
		    journal_field(f, &n, "SYSLOG_IDENTIFIER=meshnfs-watch") == 0 &&
		    journal_field(f, &n, "MESHNFS_CHECK=%s", check ? check : "") == 0 &&
		    journal_field(f, &n, "MESHNFS_DIAGNOSIS=%s", diagnosis ? diagnosis : "") == 0 &&
		    journal_field(f, &n, "MESHNFS_FROM=%s", from ? from : "") == 0 &&
		    journal_field(f, &n, "MESHNFS_SERVER_DIAGNOSIS=%s", server ? server : "") == 0 &&
		    journal_field(f, &n, "MESHNFS_CAUSE=%s", cause ? cause : "") == 0 &&
		    journal_field(f, &n, "MESHNFS_FIX=%s", fix ? fix : "") == 0) {
			for (int i = 0; i < n; i++)
				iov[i] = (struct iovec){ .iov_base = f[i], .iov_len = strlen(f[i]) };
			r = sd_journal_sendv(iov, n);
		}
		for (int i = 0; i < n; i++)
			free(f[i]);
		if (r >= 0)
			return;
	}
	static const char *const levels[] = { "emerg", "alert", "crit", "error",
					      "warning", "notice", "info", "debug" };
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(stderr, "meshnfs watch: %s %s: ", when, levels[priority & 7]);
	fputs(message ? message : "", stderr);
	if (cause) {
		fputs("; cause: ", stderr);
		fputs(cause, stderr);
	}
	if (fix) {
		fputs("; fix: ", stderr);
		fputs(fix, stderr);
	}
	fprintf(stderr, " [check=%s diagnosis=%s]\n", check, diagnosis);
	fflush(stderr);
}

static void log_event(const struct watch_event *e)
{
	log_line(e->priority, e->check, watch_diag_name(e->to),
		 e->transition ? watch_diag_name(e->from) : NULL,
		 e->server == PROBE_PENDING ? "not_probed" : probe_diagnosis_name(e->server),
		 e->message, e->cause, e->fix);
}

static void log_msg(int priority, const char *check, const char *fmt, ...) _printf_(3, 4);
static void log_msg(int priority, const char *check, const char *fmt, ...)
{
	_cleanup_free_ char *m = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		abort();
	va_end(ap);
	log_line(priority, check, "", NULL, NULL, m, NULL, NULL);
}

/* ---- the repair hook: the existing repair (src/setup), applied without printing ---- */

struct repair_env {
	struct node_info node;
	bool is_server;
};

static void join_items(struct buf *b, const struct plan_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", b->len ? "; " : "", items[i].text);
}

static int watch_repair(void *userdata, const struct watch_target *t,
			const struct gateway_fact *known, char **summary)
{
	const struct repair_env *env = userdata;
	struct repair rp = { .server = t->server, .export_path = t->export_path,
			     .mountpoint = t->mountpoint, .options = t->options, .mesh = &t->mesh,
			     .timeout_ms = t->timeout_ms, .live = true,
			     .is_server = env->is_server,
			     /* A share with several gateways: the repair probes them and moves
			      * the client off one that does not answer (net/gateway.h). */
			     .gateways = (const char *const *)t->gateways,
			     .n_gateways = t->n_gateways, .share = t->share, .known = known };
	struct diag d = { 0 };
	struct buf b = { 0 };
	struct plan p;
	int r;

	buf_append(&b, "", 0);
	repair_plan_init(&p, &rp, 1);
	r = repair_plan(&rp, &env->node, &p, &d);
	if (r < 0) {
		buf_printf(&b, "%s", d.msg[0] ? d.msg : strerror(-r));
	} else if (!p.n_steps) {
		join_items(&b, p.right, p.n_right);
		join_items(&b, p.notes, p.n_notes);
		r = p.n_notes ? -EAGAIN : 0; /* notes: what it could not do */
	} else {
		struct report rep;
		report_init(&rep, "repair");
		r = plan_apply(&p, &rep, &d);
		for (size_t i = 0; i < p.n_steps; i++)
			if (p.steps[i].applied)
				buf_printf(&b, "%s%s: %s", b.len ? "; " : "", p.steps[i].id,
					   p.steps[i].result ? p.steps[i].result : "?");
		join_items(&b, p.notes, p.n_notes);
		report_free(&rep);
		/* A plan whose only steps detached the mount did not bring it back. */
		bool mounted = false;
		for (size_t i = 0; i < p.n_steps; i++)
			mounted |= streq(p.steps[i].id, "repair.mount") && p.steps[i].applied;
		if (r == 0 && !mounted && p.n_notes)
			r = -EAGAIN;
	}
	plan_free(&p);
	*summary = b.data;
	return r;
}

/* ---- settings from the configuration and the options ---- */

struct settings {
	int interval_ms;
	int detach_after; /* seconds, 0 off */
	char *textfile;
	char *listen;
};

static void settings_free(struct settings *s)
{
	free(s->textfile);
	free(s->listen);
	*s = (struct settings){ 0 };
}

static void settings_from(const struct config *c, const struct watch_args *a, struct settings *s)
{
	settings_free(s);
	s->interval_ms = 1000 * (a->interval ? a->interval : c->watch_interval);
	s->detach_after = a->detach_after >= 0 ? a->detach_after : c->watch_detach_after;
	s->textfile = a->textfile ? xstrdup(a->textfile)
		      : c->watch_textfile ? xstrdup(c->watch_textfile) : NULL;
	s->listen = a->listen ? xstrdup(a->listen)
		    : c->watch_listen ? xstrdup(c->watch_listen) : NULL;
}

/* c focused on the share (config_focus_share); share: --share NAME, NULL for the first. */
static void target_from(const struct config *c, const char *share, int timeout_ms, bool write,
			struct watch_target *t)
{
	struct config_share sh = { 0 };
	int i = share ? config_share_find(c, share) : 0;

	*t = (struct watch_target){ .server = xstrdup(c->server),
				    .export_path = xstrdup(c->export_path),
				    .mountpoint = xstrdup(c->mountpoint),
				    .options = xstrdup(c->mount_options),
				    .mesh = c->mesh,
				    .timeout_ms = timeout_ms,
				    .write = write };
	if (i >= 0 && (size_t)i < config_n_shares(c))
		config_share_get(c, (size_t)i, &sh);
	if (sh.n_servers > 1) {
		t->gateways = xcalloc(sh.n_servers, sizeof(*t->gateways));
		for (size_t k = 0; k < sh.n_servers; k++)
			t->gateways[k] = xstrdup(sh.servers[k]);
		t->n_gateways = sh.n_servers;
	}
	if (sh.line)
		t->share = xstrdup(sh.name);
}


/* ---- rounds in a worker thread ---- */

struct runner {
	struct watch *w;
	int done[2]; /* the worker writes one byte when its round is over */
	pthread_t th;
	bool running;
};

static void *round_thread(void *arg)
{
	struct runner *r = arg;
	char x = 'x';

	watch_round(r->w);
	while (write(r->done[1], &x, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* After a round: log its events, publish its metrics. */
static void publish(struct watch *w, const struct settings *s, struct watch_http *http,
		    char **textfile_err)
{
	struct buf text = { 0 };
	char err[600];

	for (size_t i = 0; i < w->n_events; i++)
		log_event(&w->events[i]);
	watch_events_clear(w);
	buf_append(&text, "", 0);
	watch_metrics_format(&w->metrics, &text);
	if (http)
		watch_http_set(http, text.data, text.len);
	if (s->textfile) {
		int r = watch_textfile_write(s->textfile, text.data, text.len, err, sizeof(err));
		if (r < 0 && (!*textfile_err || !streq(*textfile_err, err))) {
			log_msg(LOG_ERR, "watch.textfile", "metrics not written: %s", err);
			free(*textfile_err);
			*textfile_err = xstrdup(err);
		} else if (r == 0 && *textfile_err) {
			log_msg(LOG_NOTICE, "watch.textfile", "metrics written again to %s/%s",
				s->textfile, WATCH_TEXTFILE_NAME);
			free(*textfile_err);
			*textfile_err = NULL;
		}
	}
	buf_free(&text);
	const struct watch_metrics *m = &w->metrics;
	char *status = NULL;
	if (asprintf(&status,
		     "STATUS=%s: %s; server %s %s; %u blocked; %" PRIu64 " repairs, %" PRIu64
		     " detaches",
		     watch_diag_name(m->diag), w->target.mountpoint, w->gateway,
		     probe_diagnosis_name(m->server_diag), m->blocked,
		     m->repairs_ok + m->repairs_failed, m->detaches) >= 0) {
		sd_notify(0, status);
		free(status);
	}
}

/* doctor's exit codes: 0 healthy, 1 a warning (the server down while the mount answers from
 * its cache, the mount detached by watch), 2 a failure. */
static int diag_exit(enum watch_diag d)
{
	switch (d) {
	case WATCH_HEALTHY: return EXIT_OK;
	case WATCH_SERVER_DOWN:
	case WATCH_DEGRADED:
	case WATCH_DETACHED:
	case WATCH_UNKNOWN: return EXIT_WARN;
	default: return EXIT_FAIL;
	}
}

static int once(struct ctx *ctx, struct watch *w, const struct settings *s,
		struct watch_http *http)
{
	_cleanup_free_ char *textfile_err = NULL;
	json_t *events = json_array();

	watch_round(w);
	for (size_t i = 0; i < w->n_events; i++) {
		const struct watch_event *e = &w->events[i];
		json_array_append_new(
			events, json_pack("{s:s, s:s?, s:s, s:s, s:i, s:s, s:s?, s:s?}", "check",
					  e->check, "from",
					  e->transition ? watch_diag_name(e->from) : NULL, "diagnosis",
					  watch_diag_name(e->to), "server",
					  e->server == PROBE_PENDING ? "not_probed"
								     : probe_diagnosis_name(e->server),
					  "priority", e->priority, "message", e->message, "cause",
					  e->cause, "fix", e->fix));
	}
	enum watch_diag d = w->mem.diag;
	const struct watch_metrics *m = &w->metrics;
	if (ctx->json) {
		json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:o}", "command", "watch",
					"mountpoint", w->target.mountpoint, "diagnosis",
					watch_diag_name(d), "server", w->gateway,
					"server_diagnosis", probe_diagnosis_name(m->server_diag),
					"mount_responsive", m->mount_responsive, "blocked_processes",
					(int)m->blocked, "events", events);
		cmd_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(events);
		printf("%s: %s; server %s: %s\n", watch_diag_name(d), w->target.mountpoint,
		       w->gateway, probe_diagnosis_name(m->server_diag));
	}
	publish(w, s, http, &textfile_err);
	return diag_exit(d);
}

static int reload(struct ctx *ctx, const struct watch_args *a, struct watch *w,
		  struct settings *s)
{
	struct config nc = { 0 };
	struct diag d = { 0 };
	char msg[1200];

	sd_notify(0, "RELOADING=1");
	/* The same share as before: --share NAME, else the first. */
	if (config_load(ctx->config_path, &nc, &d) == 0 && config_focus_share(&nc, ctx->share) < 0)
		diag_set(&d, nc.source, 0, "no share \"%s\" any more",
			 ctx->share ? ctx->share : CONFIG_DEFAULT_SHARE);
	if (d.msg[0]) {
		diag_format(&d, msg, sizeof(msg));
		log_msg(LOG_ERR, "watch.config",
			"configuration not reloaded: %s; watch keeps the one it had", msg);
		config_free(&nc);
		sd_notify(0, "READY=1");
		return -EBADMSG;
	}
	struct settings ns = { 0 };
	settings_from(&nc, a, &ns);
	if (!streq_ptr(ns.listen, s->listen))
		log_msg(LOG_WARNING, "watch.config",
			"[watch] listen changed: it takes effect when watch restarts");
	free(ns.listen);
	ns.listen = s->listen ? xstrdup(s->listen) : NULL;
	settings_free(s);
	*s = ns;
	struct watch_target t;
	target_from(&nc, ctx->share, ctx->timeout_ms, a->write, &t);
	watch_set_target(w, &t);
	w->policy.detach_after_ms = (int64_t)s->detach_after * 1000;
	config_free(&ctx->config);
	ctx->config = nc;
	log_msg(LOG_NOTICE, "watch.config", "configuration reloaded from %s: %s:%s on %s",
		ctx->config.source ? ctx->config.source : "the built-in defaults",
		ctx->config.server, ctx->config.export_path, ctx->config.mountpoint);
	sd_notify(0, "READY=1");
	return 0;
}

/* The main loop: rounds every interval in a worker thread, signals, the watchdog. Returns
 * true when a round was still running at the end (its memory must not be freed). */
static bool serve(struct ctx *ctx, const struct watch_args *a, struct watch *w,
		  struct settings *s, struct watch_http **http, int *rc)
{
	sigset_t mask;
	struct runner run = { .w = w };
	_cleanup_free_ char *textfile_err = NULL;
	uint64_t wd_usec = 0;
	bool watchdog = sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0;
	int64_t next_round = now_ms(), next_ping = now_ms();
	bool reload_pending = false;
	int64_t round_start = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || pipe2(run.done, O_CLOEXEC | O_NONBLOCK) < 0) {
		*rc = cmd_internal_error("signalfd or pipe: %s", strerror(errno));
		return false;
	}
	if (s->detach_after)
		log_msg(LOG_INFO, "watch.start",
			"watching %s (%s:%s) every %d s, deadline %d ms; detaching it after %d s "
			"hung",
			w->target.mountpoint, w->target.server, w->target.export_path,
			s->interval_ms / 1000, ctx->timeout_ms, s->detach_after);
	else
		log_msg(LOG_INFO, "watch.start",
			"watching %s (%s:%s) every %d s, deadline %d ms; never detaching it",
			w->target.mountpoint, w->target.server, w->target.export_path,
			s->interval_ms / 1000, ctx->timeout_ms);
	if (w->target.n_gateways > 1) {
		struct buf b = { 0 };
		for (size_t i = 0; i < w->target.n_gateways; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", w->target.gateways[i]);
		log_msg(LOG_INFO, "watch.start",
			"share %s has %zu gateways (%s): a client whose gateway does not answer is "
			"moved to one that does, and back only when asked (meshnfs repair --gateway)",
			w->target.share ? w->target.share : CONFIG_DEFAULT_SHARE,
			w->target.n_gateways, b.data);
		buf_free(&b);
	}
	sd_notify(0, "READY=1\nSTATUS=first round");
	*rc = EXIT_OK;
	for (;;) {
		int64_t now = now_ms();
		if (!run.running && !reload_pending && now >= next_round) {
			if (pthread_create(&run.th, NULL, round_thread, &run) == 0) {
				run.running = true;
				round_start = now;
				next_round += s->interval_ms;
				if (next_round <= now)
					next_round = now + s->interval_ms; /* a round that overran */
			} else
				next_round = now + 1000;
		}
		/* Every step of a round has a deadline (a repair's mount the longest, 150 s): a
		 * round running far past them is a bug, and systemd's watchdog should restart us. */
		if (watchdog && now >= next_ping &&
		    !(run.running && now - round_start > WATCH_ROUND_STUCK_MS)) {
			sd_notify(0, "WATCHDOG=1");
			next_ping = now + (int64_t)(wd_usec / 2000);
		}
		int64_t wake = run.running ? now + 60000 : next_round;
		if (watchdog && next_ping < wake)
			wake = next_ping;
		struct pollfd pf[2] = { { .fd = sfd, .events = POLLIN },
					{ .fd = run.done[0], .events = POLLIN } };
		int n = poll(pf, 2, wake > now ? (int)(wake - now) : 0);
		if (n < 0 && errno != EINTR) {
			*rc = cmd_internal_error("poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && (pf[1].revents & POLLIN)) {
			char x[16];
			while (read(run.done[0], x, sizeof(x)) > 0)
				;
			pthread_join(run.th, NULL);
			run.running = false;
			publish(w, s, *http, &textfile_err);
			if (reload_pending) {
				reload_pending = false;
				reload(ctx, a, w, s);
			}
		}
		if (n > 0 && (pf[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			bool stop = false;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					if (run.running)
						reload_pending = true; /* after the round */
					else
						reload(ctx, a, w, s);
				} else
					stop = true;
			}
			if (stop)
				break;
		}
	}
	sd_notify(0, "STOPPING=1");
	log_msg(LOG_INFO, "watch.stop", "stopping%s",
		run.running ? " (the round under way is abandoned: its children are killed at "
			      "their deadline or when the mount answers)" : "");
	watch_http_stop(*http);
	*http = NULL;
	if (run.running)
		return true;
	close(run.done[0]);
	close(run.done[1]);
	return false;
}

int cmd_watch(struct ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "detach-after", required_argument, NULL, OPT_DETACH_AFTER },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "write", no_argument, NULL, OPT_WRITE },
		{ 0 },
	};
	const struct command *self = command_find("watch");
	struct watch_args a = { .detach_after = -1 };
	struct settings s = { 0 };
	struct watch_http *http = NULL;
	struct repair_env env;
	struct watch w;
	char err[600];
	int rc = cmd_start(ctx, self, argc, argv, longopts, watch_option, &a);

	if (rc == 0)
		rc = cmd_focus_share(ctx, self); /* one share: --share NAME, else the first */
	if (rc)
		return rc;
	if (!root_is_host())
		return cmd_usage_error(self, "watch acts on this machine's mount: --root does not "
					     "apply");
	use_journal = access("/run/systemd/journal/socket", W_OK) == 0;
	settings_from(&ctx->config, &a, &s);

	/* Signals: handled through a signalfd in the main loop; blocked before any thread
	 * starts so that the worker and libmicrohttpd's threads never take them. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (!a.once) /* one round ends by itself; SIGTERM must still end it */
		pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (s.textfile) {
		struct stat st;
		int e = stat(s.textfile, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e) {
			fprintf(stderr, "meshnfs: watch: textfile directory %s: %s\n", s.textfile,
				strerror(e));
			settings_free(&s);
			return EXIT_FAIL;
		}
	}
	if (s.listen) {
		uint32_t addr;
		uint16_t port;
		config_parse_listen(s.listen, &addr, &port);
		if (watch_http_start(addr, port, &http, err, sizeof(err)) < 0) {
			fprintf(stderr, "meshnfs: watch: --listen %s: %s\n", s.listen, err);
			settings_free(&s);
			return EXIT_FAIL;
		}
	}

	node_detect(&ctx->config, ctx->timeout_ms, &env.node);
	env.is_server = node_is_server(&env.node, ctx->config.server);
	if (env.is_server) {
		/* Nothing to watch: the server exports the share, it does not mount it. */
		struct diag d = { 0 };
		diag_set(&d, ctx->config.source ? ctx->config.source : "the built-in defaults", 0,
			 "[server] address %s is this node's own address: watch keeps a client's "
			 "mount of the share (on the server: meshnfs doctor)",
			 ctx->config.server);
		rc = cmd_bad_input(ctx, &d);
		goto out_node;
	}
	watch_init(&w,
		   &(struct watch_policy){ .detach_after_ms = (int64_t)s.detach_after * 1000,
					   .repair_gap_ms = WATCH_REPAIR_GAP_MS },
		   &(struct watch_hooks){ .repair = watch_repair, .userdata = &env });
	struct watch_target t;
	target_from(&ctx->config, ctx->share, ctx->timeout_ms, a.write, &t);
	watch_set_target(&w, &t);

	/* The textfile directory must take the file now, not at the first round. */
	if (s.textfile) {
		struct buf text = { 0 };
		buf_append(&text, "", 0);
		watch_metrics_format(&w.metrics, &text);
		int r = watch_textfile_write(s.textfile, text.data, text.len, err, sizeof(err));
		buf_free(&text);
		if (r < 0) {
			fprintf(stderr, "meshnfs: watch: textfile directory %s: %s\n", s.textfile, err);
			rc = EXIT_FAIL;
			goto out;
		}
	}

	if (a.once)
		rc = once(ctx, &w, &s, http);
	else if (serve(ctx, &a, &w, &s, &http, &rc)) {
		/* The worker may be inside a probe or waiting for a child: do not wait for it,
		 * and do not free what it uses, nor run the libraries' exit handlers under it.
		 * The process ends now. */
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
out:
	watch_free(&w);
out_node:
	watch_http_stop(http);
	node_info_free(&env.node);
	settings_free(&s);
	return rc;
}
