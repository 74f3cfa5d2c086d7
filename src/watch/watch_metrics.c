/* SPDX-License-Identifier: MIT */
/* meshnfs watch's metrics in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector (a file replaced atomically) and the HTTP endpoint. */
#include "watch/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* A label value: backslash, double quote and line feed escaped, as the format says. */
static void label(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s=\"", name);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '\\')
			buf_append(b, "\\\\", 2);
		else if (*p == '"')
			buf_append(b, "\\\"", 2);
		else if (*p == '\n')
			buf_append(b, "\\n", 2);
		else
			buf_append(b, p, 1);
	}
	buf_append(b, "\"", 1);
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{server="..",export=".."  (the caller closes the brace) */
static void srv(struct buf *b, const struct watch_metrics *m, const char *name)
{
	buf_printf(b, "%s{", name);
	label(b, "server", m->server);
	buf_append(b, ",", 1);
	label(b, "export", m->export_path);
}

static void mnt(struct buf *b, const struct watch_metrics *m, const char *name)
{
	buf_printf(b, "%s{", name);
	label(b, "mountpoint", m->mountpoint);
}

static void mnt_value(struct buf *b, const struct watch_metrics *m, const char *name,
		      const char *type, const char *help, double v)
{
	head(b, name, type, help);
	mnt(b, m, name);
	buf_printf(b, "} %.17g\n", v);
}

void watch_metrics_format(const struct watch_metrics *m, struct buf *out)
{
	bool up = m->have_round && (m->server_diag == PROBE_OK || m->server_diag == PROBE_GRACE);

	head(out, "meshnfs_server_up", "gauge",
	     "1 when the NFS server answered the last protocol probe (NFSv4 NULL and the export).");
	srv(out, m, "meshnfs_server_up");
	buf_printf(out, "} %d\n", up ? 1 : 0);

	head(out, "meshnfs_probe_step_seconds", "gauge",
	     "Seconds each step of the last server probe took (steps that ran).");
	for (int s = 0; s < PROBE_N_STEPS; s++) {
		if (!m->step_ran[s])
			continue;
		srv(out, m, "meshnfs_probe_step_seconds");
		buf_append(out, ",", 1);
		label(out, "step", probe_step_name(s));
		buf_printf(out, "} %.6f\n", m->step_seconds[s]);
	}
	head(out, "meshnfs_probe_seconds", "gauge", "Seconds the last server probe took in all.");
	srv(out, m, "meshnfs_probe_seconds");
	buf_printf(out, "} %.6f\n", m->probe_seconds);

	head(out, "meshnfs_server_diagnosis", "gauge",
	     "1 for the last server probe's diagnosis, 0 for the others.");
	for (int d = 0; d < PROBE_N_DIAGNOSES; d++) {
		srv(out, m, "meshnfs_server_diagnosis");
		buf_append(out, ",", 1);
		label(out, "diagnosis", probe_diagnosis_name(d));
		buf_printf(out, "} %d\n", m->have_round && (int)m->server_diag == d);
	}

	head(out, "meshnfs_diagnosis", "gauge",
	     "1 for the mount's diagnosis (healthy, hung, stale, lost, detached, server_down, "
	     "mount_error, degraded; unknown before the first round), 0 for the others.");
	for (int d = 0; d < WATCH_N_DIAG; d++) {
		mnt(out, m, "meshnfs_diagnosis");
		buf_append(out, ",", 1);
		label(out, "diagnosis", watch_diag_name(d));
		buf_printf(out, "} %d\n", (int)m->diag == d);
	}

	mnt_value(out, m, "meshnfs_mount_responsive", "gauge",
		  "1 when the mount answered the last check (stat and ls in a child, with a "
		  "deadline).",
		  m->mount_checked && m->mount_responsive);
	mnt_value(out, m, "meshnfs_mount_check_seconds", "gauge",
		  "Seconds the last mount check took (its deadline when it hung).", m->mount_seconds);
	mnt_value(out, m, "meshnfs_blocked_processes", "gauge",
		  "Processes in state D blocked on the mount (from /proc), watch's own check "
		  "excluded.",
		  m->blocked);
	mnt_value(out, m, "meshnfs_stuck_checks", "gauge",
		  "watch's own check children still stuck on the mount (never more than 1).",
		  m->stuck_children);
	mnt_value(out, m, "meshnfs_detached", "gauge",
		  "1 while watch keeps the mount detached (a read-only placeholder stands there).",
		  m->detached);

	head(out, "meshnfs_repairs_total", "counter",
	     "Repairs watch ran (umount -l and mount again, or mount a lost share), by result.");
	mnt(out, m, "meshnfs_repairs_total");
	buf_printf(out, ",result=\"ok\"} %" PRIu64 "\n", m->repairs_ok);
	mnt(out, m, "meshnfs_repairs_total");
	buf_printf(out, ",result=\"failed\"} %" PRIu64 "\n", m->repairs_failed);
	mnt_value(out, m, "meshnfs_detaches_total", "counter",
		  "Times watch detached the hung mount (--detach-after).", (double)m->detaches);
	mnt_value(out, m, "meshnfs_reattaches_total", "counter",
		  "Times watch attached the share again after the server answered.",
		  (double)m->reattaches);
	mnt_value(out, m, "meshnfs_failovers_total", "counter",
		  "Times watch moved the client to another gateway of the share (the one in use "
		  "did not answer, another did).",
		  (double)m->failovers);
	mnt_value(out, m, "meshnfs_transitions_total", "counter",
		  "Changes of diagnosis (or of the server's cause) logged.", (double)m->transitions);
	mnt_value(out, m, "meshnfs_rounds_total", "counter", "Rounds of checks finished.",
		  (double)m->rounds);
	mnt_value(out, m, "meshnfs_last_check_timestamp_seconds", "gauge",
		  "Unix time the last round finished (0 before the first).", m->last_check);
}

int watch_textfile_write(const char *dir, const char *text, size_t len, char *err,
			 size_t errsize)
{
	_cleanup_free_ char *tmp = xasprintf("%s/.%s.%d.tmp", dir, WATCH_TEXTFILE_NAME, (int)getpid());
	_cleanup_free_ char *dst = xasprintf("%s/%s", dir, WATCH_TEXTFILE_NAME);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
				      0644);
	int r = 0;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot create %s: %s", tmp, strerror(-r));
		return r;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			snprintf(err, errsize, "cannot write %s: %s", tmp, strerror(-r));
			goto fail;
		}
		off += (size_t)n;
	}
	/* node_exporter reads the file whenever it is scraped: never half of one. */
	if (fsync(fd) < 0 || fchmod(fd, 0644) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot write %s: %s", tmp, strerror(-r));
		goto fail;
	}
	if (rename(tmp, dst) < 0) {
		r = -errno;
		snprintf(err, errsize, "cannot rename %s to %s: %s", tmp, dst, strerror(-r));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return r;
}
