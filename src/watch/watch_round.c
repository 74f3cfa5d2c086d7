/* SPDX-License-Identifier: MIT */
/* One round of meshnfs watch: the facts (mount table, a health child, the server probe, the
 * blocked processes), the judge, and the action (repair through the hook, detach, attach
 * again). Runs in a worker thread: everything in it has a deadline, and whatever touches the
 * mount point runs in a forked child that is killed, not waited for, at its deadline. */
#include "watch/watch.h"

#include "fstab/fstab.h"
#include "mount/mountinfo.h"
#include "net/gateway.h"
#include "watch/watch_private.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MOUNTINFO "/proc/self/mountinfo"
#define FSTAB "/etc/fstab"

void watch_target_free(struct watch_target *t)
{
	free(t->server);
	free(t->export_path);
	free(t->mountpoint);
	free(t->options);
	for (size_t i = 0; i < t->n_gateways; i++)
		free(t->gateways[i]);
	free(t->gateways);
	free(t->share);
	*t = (struct watch_target){ 0 };
}

void watch_init(struct watch *w, const struct watch_policy *p, const struct watch_hooks *h)
{
	*w = (struct watch){ .policy = *p };
	if (h)
		w->hooks = *h;
}

void watch_set_target(struct watch *w, struct watch_target *t)
{
	bool moved = !w->target.mountpoint || !streq(w->target.mountpoint, t->mountpoint);

	watch_target_free(&w->target);
	w->target = *t;
	*t = (struct watch_target){ 0 };
	w->gateway = w->target.server;
	w->metrics.server = w->target.server;
	w->metrics.export_path = w->target.export_path;
	w->metrics.mountpoint = w->target.mountpoint;
	if (moved) {
		/* Another mount: nothing remembered about the old one applies. */
		w->mem = (struct watch_mem){ 0 };
		w->stuck_pid = 0;
	}
}

void watch_events_clear(struct watch *w)
{
	for (size_t i = 0; i < w->n_events; i++)
		watch_event_free(&w->events[i]);
	free(w->events);
	w->events = NULL;
	w->n_events = 0;
}

void watch_free(struct watch *w)
{
	watch_events_clear(w);
	if (w->probe_valid)
		probe_free(&w->probe);
	watch_target_free(&w->target);
	free(w->known);
	free(w->reap);
	*w = (struct watch){ 0 };
}

static struct watch_event *add_event(struct watch *w, const struct watch_event *ev)
{
	w->events = xrealloc(w->events, (w->n_events + 1) * sizeof(*w->events));
	w->events[w->n_events] = *ev;
	return &w->events[w->n_events++];
}

static void action_event(struct watch *w, const char *check, int priority, char *cause, char *fix,
			 const char *fmt, ...) _printf_(6, 7);
static void action_event(struct watch *w, const char *check, int priority, char *cause, char *fix,
			 const char *fmt, ...)
{
	struct watch_event ev = { .from = w->mem.diag, .to = w->mem.diag, .server = w->mem.server,
				  .priority = priority, .check = check, .cause = cause, .fix = fix };
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&ev.message, fmt, ap) < 0)
		abort();
	va_end(ap);
	add_event(w, &ev);
}

/* Children of ours other than the health check's (umount, mount): reaped once they died. */
static void reap_own(struct watch *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_reap; i++)
		if (waitpid(w->reap[i], NULL, WNOHANG) == 0)
			w->reap[k++] = w->reap[i];
	w->n_reap = k;
}

/* Runs fn(path) in a forked child (system calls only) with a deadline. The child's errno (0
 * when it succeeded), or -ETIMEDOUT: then it was SIGKILLed and is reaped in a later round. */
static int in_child(struct watch *w, int (*fn)(const char *), const char *path, int ms)
{
	int64_t deadline = now_ms() + ms;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(fn(path) & 0x7f);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
		if (now_ms() >= deadline)
			break;
		usleep(10 * 1000);
	}
	kill(pid, SIGKILL);
	w->reap = xrealloc(w->reap, (w->n_reap + 1) * sizeof(*w->reap));
	w->reap[w->n_reap++] = pid;
	return -ETIMEDOUT;
}

static int do_detach(const char *mp) { return umount2(mp, MNT_DETACH) < 0 ? errno : 0; }
static int do_unmount(const char *mp) { return umount2(mp, UMOUNT_NOFOLLOW) < 0 ? errno : 0; }
static int do_placeholder(const char *mp)
{
	return mount(WATCH_PLACEHOLDER_SOURCE, mp, "tmpfs",
		     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,nr_inodes=2,mode=0555") < 0
		       ? errno
		       : 0;
}

static bool is_placeholder(const struct mount_entry *e)
{
	return e && streq(e->fstype, "tmpfs") && streq_ptr(e->source, WATCH_PLACEHOLDER_SOURCE);
}

/* The top mount at mp: its id, whether it is the placeholder, its type (copied). -1 when
 * nothing is mounted there, -errno when the table cannot be read. */
static int top_mount(const char *mp, bool *placeholder, char *fstype, size_t size)
{
	struct mount_stack st = { 0 };
	struct diag d = { 0 };
	int r = mountinfo_read(MOUNTINFO, mp, &st, &d);

	*placeholder = false;
	if (fstype && size)
		fstype[0] = '\0';
	if (r < 0)
		return r;
	const struct mount_entry *top = mount_stack_top(&st);
	r = top ? top->id : -1;
	if (top) {
		*placeholder = is_placeholder(top);
		if (fstype)
			snprintf(fstype, size, "%s", top->fstype);
	}
	mount_stack_free(&st);
	return r;
}

/* The source of the top mount at mp (new string), or NULL. */
static char *top_source(const char *mp)
{
	struct mount_stack st = { 0 };
	struct diag d = { 0 };
	char *src = NULL;

	if (mountinfo_read(MOUNTINFO, mp, &st, &d) < 0)
		return NULL;
	const struct mount_entry *top = mount_stack_top(&st);
	if (top && top->source)
		src = xstrdup(top->source);
	mount_stack_free(&st);
	return src;
}

const char *watch_gateway_in_use(const struct watch_target *t, const char *fstab_path,
				 const char *source)
{
	_cleanup_free_ char *opts = NULL, *fsrc = NULL;
	struct diag d = { 0 };

	if (t->n_gateways < 2)
		return t->server;
	if (fstab_read_entry(fstab_path, t->mountpoint, &opts, &fsrc, &d) < 0)
		fsrc = NULL; /* the repair names a broken fstab; the mount's source decides here */
	int i = gateway_in_use((const char *const *)t->gateways, t->n_gateways, fsrc, source);
	return i >= 0 ? t->gateways[i] : t->server;
}

/* The gateway in use from the fstab entry and the mount as they are now. */
static const char *in_use_now(const struct watch *w)
{
	_cleanup_free_ char *src = top_source(w->target.mountpoint);

	return watch_gateway_in_use(&w->target, FSTAB, src);
}

/* The share's other gateways (not w->gateway, whose diagnosis is server), probed at once up
 * to the export (no write): every gateway's answer in w->known; the first other one that
 * answers, in the configured order, or NULL. */
static const char *other_gateway_up(struct watch *w, enum probe_diagnosis server)
{
	const struct watch_target *t = &w->target;
	_cleanup_free_ const char **hosts = xcalloc(t->n_gateways, sizeof(*hosts));
	_cleanup_free_ size_t *at = xcalloc(t->n_gateways, sizeof(*at));
	_cleanup_free_ struct probe *pr = NULL;
	const char *up = NULL;
	size_t n = 0;

	free(w->known);
	w->known = xcalloc(t->n_gateways, sizeof(*w->known));
	for (size_t i = 0; i < t->n_gateways; i++) {
		w->known[i] = (struct gateway_fact){ .host = t->gateways[i] };
		if (streq(t->gateways[i], w->gateway)) {
			w->known[i].probed = true;
			w->known[i].diagnosis = server;
		} else {
			at[n] = i;
			hosts[n++] = t->gateways[i];
		}
	}
	w->alt_probed = true;
	if (!n)
		return NULL;
	pr = xcalloc(n, sizeof(*pr));
	gateway_probe_all(hosts, n, t->export_path, &t->mesh, t->timeout_ms, true, pr);
	for (size_t i = 0; i < n; i++) {
		struct gateway_fact *g = &w->known[at[i]];
		g->probed = true;
		g->diagnosis = pr[i].diagnosis;
		if (!up && gateway_healthy(g))
			up = hosts[i];
		probe_free(&pr[i]);
	}
	return up;
}

/* umount -l (the syscall, in a child: for NFS the detaching task itself may then wait to
 * close the session), judged by the mount table; then the placeholder. */
static int detach(struct watch *w, char *msg, size_t size)
{
	const char *mp = w->target.mountpoint;
	bool ph;
	int id = top_mount(mp, &ph, NULL, 0), r;

	if (id < 0 || ph)
		return snprintf(msg, size, "nothing to detach at %s", mp), -ENOENT;
	r = in_child(w, do_detach, mp, w->target.timeout_ms);
	bool ph2;
	int id2 = top_mount(mp, &ph2, NULL, 0);
	if (id2 == id) {
		snprintf(msg, size, "umount -l %s failed: %s", mp,
			 r < 0 ? strerror(-r) : strerror(r ? r : EBUSY));
		return r < 0 ? r : -(r ? r : EBUSY);
	}
	r = in_child(w, do_placeholder, mp, w->target.timeout_ms);
	if (r) {
		snprintf(msg, size,
			 "detached %s, but the read-only placeholder could not be mounted (%s): "
			 "the bare directory is exposed",
			 mp, strerror(r < 0 ? -r : r));
		return r < 0 ? r : -r;
	}
	snprintf(msg, size,
		 "detached %s (umount -l) and mounted a read-only empty placeholder there: new "
		 "accesses no longer block (an empty directory, writes fail with EROFS)",
		 mp);
	return 0;
}

/* The repair through the hook; with this round's answers of every gateway when the others
 * were probed (a failover: no second probe of the one that does not answer). */
static int repair(struct watch *w, char **summary)
{
	if (!w->hooks.repair)
		return *summary = xstrdup("no repair in this build"), -ENOTSUP;
	return w->hooks.repair(w->hooks.userdata, &w->target, w->alt_probed ? w->known : NULL,
			       summary);
}

/* The placeholder away, the share mounted again by the repair; the placeholder back when the
 * share did not come (the bare directory must never be exposed). */
int watch_reattach(struct watch *w, char **summary)
{
	const char *mp = w->target.mountpoint;
	bool ph;
	int id = top_mount(mp, &ph, NULL, 0), r;

	if (id >= 0 && ph) {
		r = in_child(w, do_unmount, mp, w->target.timeout_ms);
		if (r) {
			*summary = xasprintf("cannot remove the placeholder at %s: %s", mp,
					     strerror(r < 0 ? -r : r));
			return r < 0 ? r : -r;
		}
	}
	_cleanup_free_ char *s = NULL;
	r = repair(w, &s);
	id = top_mount(mp, &ph, NULL, 0);
	if (id >= 0 && !ph) {
		*summary = xasprintf("attached %s again: %s", mp, s ? s : "mounted");
		return 0;
	}
	int r2 = in_child(w, do_placeholder, mp, w->target.timeout_ms);
	*summary = xasprintf("could not attach %s again (%s); %s", mp, s ? s : strerror(-r),
			     r2 ? "the placeholder could not be put back: the bare directory is "
				  "exposed"
				: "the placeholder is back");
	return r < 0 ? r : -EAGAIN;
}

struct health_job {
	const char *mountpoint;
	struct mount_health_opts opts;
	struct mount_health h;
	int r;
};

static void *health_thread(void *arg)
{
	struct health_job *j = arg;

	j->r = mount_health_check(j->mountpoint, &j->opts, &j->h);
	return NULL;
}

/* The health child of an earlier round is still there (stuck in the kernel). */
static bool stuck_alive(pid_t pid)
{
	char state = 0, wchan[64];

	mount_health_reap();
	if (pid <= 0)
		return false;
	return mount_health_proc_state(pid, &state, wchan, sizeof(wchan)) == 0 && state != 'Z';
}

static double unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void blocked_words(const struct watch_blocked *b, char *out, size_t size)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < b->n && i < ARRAY_SIZE(b->first) && off < size; i++)
		off += (size_t)snprintf(out + off, size - off, "%s%s (pid %d%s%s)", i ? ", " : "",
					b->first[i].name, (int)b->first[i].pid,
					b->first[i].wchan[0] ? ", wchan " : "", b->first[i].wchan);
	if (b->n > ARRAY_SIZE(b->first) && off < size)
		snprintf(out + off, size - off, " and %u more", b->n - (unsigned)ARRAY_SIZE(b->first));
}

/* (watch_private.h) */
bool watch_moved(struct watch *w, const char *from, const struct watch_facts *f,
		 const char *summary, int r)
{
	const struct watch_target *t = &w->target;

	w->gateway = in_use_now(w);
	w->metrics.server = w->gateway;
	if (r < 0 || streq(w->gateway, from))
		return false;
	w->metrics.failovers++;
	action_event(w, "watch.failover", 5,
		     f->server_words ? xstrdup(f->server_words)
				     : xasprintf("%s does not answer (%s)", from,
						 probe_diagnosis_name(f->server)),
		     xasprintf("back to %s only when asked: meshnfs repair%s%s --gateway %s", from,
			       t->share ? " --share " : "", t->share ? t->share : "", from),
		     "failover of %s%s%s: moved from gateway %s (%s) to %s: %s", t->mountpoint,
		     t->share ? ", share " : "", t->share ? t->share : "", from,
		     probe_diagnosis_name(f->server), w->gateway, summary ? summary : "");
	return true;
}

int watch_round(struct watch *w)
{
	const struct watch_target *t = &w->target;
	struct health_job job = { .mountpoint = t->mountpoint,
				  .opts = { .timeout_ms = t->timeout_ms, .kill_grace_ms = 100,
					    .write = t->write } };
	struct watch_facts f = { .server = PROBE_PENDING, .timeout_ms = t->timeout_ms };
	_cleanup_free_ char *words = NULL, *fix = NULL;
	char fstype[64];
	bool ph = false, threaded = false;
	pthread_t th;
	struct watch_event ev;
	int64_t now;

	reap_own(w);
	int id = top_mount(t->mountpoint, &ph, fstype, sizeof(fstype));
	f.placeholder = id >= 0 && ph;
	f.mounted = id >= 0 && !ph;
	/* A child stuck on a mount that has since been detached or replaced is not this
	 * mount's: mount_health_reap() reaps it once it dies. */
	if (w->stuck_pid && (!stuck_alive(w->stuck_pid) || w->stuck_mount_id != id))
		w->stuck_pid = 0;
	if (f.mounted && w->stuck_pid) {
		f.child_stuck = true; /* remembered, not duplicated */
		f.mount = MOUNT_HEALTH_HUNG;
	} else if (f.mounted) {
		threaded = pthread_create(&th, NULL, health_thread, &job) == 0;
		if (!threaded)
			health_thread(&job);
	}

	/* The server, meanwhile (the gateway in use, for a share with several): the probe
	 * ladder up to the export (the write when asked). */
	w->gateway = in_use_now(w);
	w->metrics.server = w->gateway;
	if (w->probe_valid)
		probe_free(&w->probe);
	if (probe_run(&w->probe,
		      &(struct probe_opts){ .host = w->gateway, .export_path = t->export_path,
					    .mesh = t->mesh, .step_ms = t->timeout_ms,
					    .no_write = !t->write },
		      t->timeout_ms) < 0)
		probe_abort(&w->probe, now_ms(), "poll failed");
	w->probe_valid = true;
	f.server = w->probe.diagnosis;
	if (f.server != PROBE_OK) {
		words = probe_explain(&w->probe, &fix);
		f.server_words = words;
		f.server_fix = fix;
	}

	/* The gateway in use does not answer: does another one of the share? (Not for an MTU
	 * black hole: a degraded path, nothing to move away from.) */
	w->alt_probed = false;
	if (t->n_gateways > 1 && f.server != PROBE_OK && f.server != PROBE_GRACE &&
	    f.server != PROBE_MTU_BLACKHOLE) {
		f.alt = other_gateway_up(w, f.server);
		f.alt_up = f.alt != NULL;
	}

	if (threaded)
		pthread_join(th, NULL);
	if (f.mounted && !f.child_stuck && job.r == 0) {
		f.checked = true;
		f.mount = job.h.state;
		f.step = job.h.step;
		f.err = job.h.err;
		if (job.h.state == MOUNT_HEALTH_HUNG && !job.h.exited) {
			w->stuck_pid = job.h.pid;
			w->stuck_mount_id = id;
		}
	}

	struct watch_blocked b = { 0 };
	if (f.mounted && (f.mount == MOUNT_HEALTH_HUNG || f.child_stuck))
		watch_blocked_scan(t->mountpoint, fstype, w->stuck_pid, &b);
	f.blocked = b.n;

	now = now_ms();
	if (watch_transition(&w->mem, &f, t->mountpoint, w->gateway, now, &ev)) {
		if (b.n) {
			char who[600];
			blocked_words(&b, who, sizeof(who));
			char *m = xasprintf("%s [blocked: %s]", ev.message, who);
			free(ev.message);
			ev.message = m;
		}
		add_event(w, &ev);
		w->metrics.transitions++;
	}

	enum watch_action a = watch_decide(&w->mem, &f, &w->policy, now);
	char msg[800];
	char *summary = NULL;
	int r;
	switch (a) {
	case WATCH_NONE:
		break;
	case WATCH_REPAIR:
	case WATCH_FAILOVER: {
		const char *from = w->gateway;
		r = repair(w, &summary);
		watch_action_done(&w->mem, a, r, now_ms());
		if (r < 0)
			w->metrics.repairs_failed++;
		else
			w->metrics.repairs_ok++;
		char *next = r < 0 ? xasprintf("the next attempt in %" PRId64 " s at the earliest",
					       watch_repair_gap(&w->mem, &w->policy) / 1000)
				   : NULL;
		if (watch_moved(w, from, &f, summary, r))
			free(next);
		else if (a == WATCH_REPAIR)
			action_event(w, "watch.repair", r < 0 ? 3 : 5, NULL, next, "repair of %s %s: %s",
				     t->mountpoint, r < 0 ? "failed" : "done", summary ? summary : "");
		else
			action_event(w, "watch.failover", 3, NULL, next,
				     "failover of %s from gateway %s (%s) to %s %s: %s", t->mountpoint,
				     from, probe_diagnosis_name(f.server), f.alt ? f.alt : "?",
				     r < 0 ? "failed" : "did not move it", summary ? summary : "");
		break;
	}
	case WATCH_DETACH:
		r = detach(w, msg, sizeof(msg));
		if (r == 0) {
			w->metrics.detaches++;
			action_event(w, "watch.detach", 4,
				     b.n ? xasprintf("%u process%s already blocked on it stay%s "
						     "blocked until the server answers or %s killed",
						     b.n, b.n == 1 ? "" : "es", b.n == 1 ? "s" : "",
						     b.n == 1 ? "it is" : "they are")
					 : NULL,
				     xstrdup("watch attaches the share again when the server "
					     "answers; unwritten data of the blocked processes is "
					     "lost if they are killed"),
				     "%s", msg);
			f.placeholder = true;
			f.mounted = false;
			if (watch_transition(&w->mem, &f, t->mountpoint, w->gateway, now_ms(), &ev)) {
				add_event(w, &ev);
				w->metrics.transitions++;
			}
		} else
			action_event(w, "watch.detach", 3, NULL, NULL, "%s", msg);
		break;
	case WATCH_REATTACH: {
		const char *from = w->gateway;
		r = watch_reattach(w, &summary);
		watch_action_done(&w->mem, a, r, now_ms());
		watch_moved(w, from, &f, summary, r);
		if (r == 0)
			w->metrics.reattaches++;
		action_event(w, "watch.reattach", r < 0 ? 3 : 5, NULL, NULL, "%s",
			     summary ? summary : "");
		break;
	}
	}
	free(summary);

	/* Metrics of this round. */
	struct watch_metrics *m = &w->metrics;
	m->have_round = true;
	m->diag = w->mem.diag;
	m->server_diag = f.server;
	for (int s = 0; s < PROBE_N_STEPS; s++) {
		m->step_ran[s] = w->probe.steps[s].ms >= 0;
		m->step_seconds[s] = m->step_ran[s] ? (double)w->probe.steps[s].ms / 1000.0 : 0;
	}
	m->probe_seconds = (double)w->probe.ms / 1000.0;
	m->mount_checked = f.checked || f.child_stuck;
	m->mount_responsive = f.checked && f.mount == MOUNT_HEALTH_OK;
	m->mount_seconds = f.checked ? (double)job.h.ms / 1000.0
			   : f.child_stuck ? (double)t->timeout_ms / 1000.0 : 0;
	m->blocked = b.n;
	m->stuck_children = w->stuck_pid && stuck_alive(w->stuck_pid) ? 1 : 0;
	m->detached = w->mem.diag == WATCH_DETACHED;
	m->rounds++;
	m->last_check = unix_now();
	return 0;
}
