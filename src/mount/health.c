/* SPDX-License-Identifier: MIT */
#include "mount/health.h"

#include "core/util.h"
#include "format/procstatus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif

/* What the child writes on the pipe: one record when a step starts, one when it ends. Small
 * enough for write(2) on a pipe to be atomic. */
struct record {
	uint8_t step;
	uint8_t done;
	uint8_t mount_root; /* MOUNT_STEP_ROOT: 1 root of a mount, 0 not, 2 unknown */
	uint8_t pad;
	int32_t err;
	uint32_t entries;
	int64_t ms;
};

/* ---- the child: async-signal-safe system calls only, no malloc, no stdio ---- */

static int64_t child_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct child_ctx {
	int fd;
	int64_t t0;
};

static void child_send(struct child_ctx *c, enum mount_step step, bool done, int err,
		       uint32_t entries, uint8_t mount_root)
{
	struct record rec = {
		.step = (uint8_t)step,
		.done = done,
		.mount_root = mount_root,
		.err = err,
		.entries = entries,
	};
	if (done)
		rec.ms = child_ms() - c->t0;
	if (write(c->fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		_exit(3); /* the parent gave up on us */
	if (!done)
		c->t0 = child_ms();
}

static int child_readdir(const char *path, uint32_t *entries)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name */
			unsigned short reclen;
			const char *name = buf + off + 19;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (reclen == 0)
				break;
			if (!(name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))))
				(*entries)++;
			off += reclen;
		}
	}
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	return err;
}

static int child_create(const char *file)
{
	static const char line[] = "meshnfs mount health probe\n";
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, line, sizeof(line) - 1) < 0)
		err = errno;
	/* close() is where NFS flushes (close-to-open) and reports a write error. */
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	return err;
}

static _Noreturn void child_main(int fd, const char *path, const char *file, bool write_test)
{
	struct child_ctx c = { .fd = fd };
	struct statx stx;
	uint8_t root = 2;
	uint32_t n = 0;
	int err;

	/* Nothing of the parent's stays open here: a stuck child must not hold other threads'
	 * pipes or the caller's stdout open (a `$(meshnfs doctor)` would wait for it). The pipe
	 * moves to fd 3, stdio to /dev/null, everything else is closed. */
	int wfd = fcntl(fd, F_DUPFD, 10), null = open("/dev/null", O_RDWR);
	if (wfd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    dup2(wfd, 3) < 0)
		_exit(4);
	c.fd = 3;
	if (syscall(SYS_close_range, 4U, ~0U, 0) < 0)
		for (int i = 4; i < 1024; i++)
			close(i);

	child_send(&c, MOUNT_STEP_ROOT, false, 0, 0, 0);
	/* Cached attributes of the mount point itself: never waits on the server. */
	err = statx(AT_FDCWD, path, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) < 0
		      ? errno
		      : 0;
	if (!err && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		root = (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
	child_send(&c, MOUNT_STEP_ROOT, true, err, 0, root);
	if (err || root == 0)
		_exit(0); /* never create files in the directory under an absent mount */

	child_send(&c, MOUNT_STEP_STAT, false, 0, 0, 0);
	err = statx(AT_FDCWD, path, AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &stx) < 0 ? errno : 0;
	child_send(&c, MOUNT_STEP_STAT, true, err, 0, 0);

	child_send(&c, MOUNT_STEP_READDIR, false, 0, 0, 0);
	err = child_readdir(path, &n);
	child_send(&c, MOUNT_STEP_READDIR, true, err, n, 0);

	if (write_test) {
		child_send(&c, MOUNT_STEP_CREATE, false, 0, 0, 0);
		err = child_create(file);
		child_send(&c, MOUNT_STEP_CREATE, true, err, 0, 0);
		/* Remove it even when writing failed: create may have made it. */
		child_send(&c, MOUNT_STEP_UNLINK, false, 0, 0, 0);
		err = unlink(file) < 0 ? errno : 0;
		child_send(&c, MOUNT_STEP_UNLINK, true, err, 0, 0);
	}
	_exit(0);
}

/* ---- the parent ---- */

/* Children that were killed but had not died yet: reaped later, never waited for. */
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t pending[64];
static size_t n_pending;

static void pending_add(pid_t pid)
{
	pthread_mutex_lock(&pending_lock);
	if (n_pending < ARRAY_SIZE(pending))
		pending[n_pending++] = pid;
	pthread_mutex_unlock(&pending_lock);
}

size_t mount_health_reap(void)
{
	size_t left;

	pthread_mutex_lock(&pending_lock);
	for (size_t i = 0; i < n_pending;) {
		pid_t r = waitpid(pending[i], NULL, WNOHANG);
		if (r == pending[i] || (r < 0 && errno == ECHILD))
			pending[i] = pending[--n_pending];
		else
			i++;
	}
	left = n_pending;
	pthread_mutex_unlock(&pending_lock);
	return left;
}

int mount_health_proc_state(pid_t pid, char *state, char *wchan, size_t wchan_size)
{
	char path[64];
	_cleanup_free_ char *data = NULL, *wc = NULL;
	struct proc_status st;
	size_t len;
	int r;

	*state = 0;
	if (wchan_size)
		wchan[0] = '\0';
	/* Only status and wchan: cmdline, environ or maps may wait on the stuck task's mm. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	r = read_file_bounded(path, 64 * 1024, &data, &len);
	if (r < 0)
		return r == -ESRCH ? -ENOENT : r;
	r = proc_status_parse(path, data, len, &st, NULL);
	if (r < 0)
		return r;
	*state = st.state;
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if (wchan_size && read_file_bounded(path, 4096, &wc, &len) == 0)
		(void)proc_wchan_parse(wc, len, wchan, wchan_size);
	return 0;
}

struct proc_node {
	pid_t pid, ppid;
	char state;
	char name[17];
	int depth; /* below the root pid, -1 when not in its tree */
};

/* Every process's pid, parent, state and name, from the live /proc. */
static size_t proc_table(struct proc_node **out)
{
	DIR *dir = opendir("/proc");
	struct proc_node *v = NULL;
	size_t n = 0;
	struct dirent *de;

	*out = NULL;
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char path[64], *end;
		_cleanup_free_ char *data = NULL;
		struct proc_status st;
		size_t len;
		long pid = strtol(de->d_name, &end, 10);

		if (pid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		if (read_file_bounded(path, 64 * 1024, &data, &len) < 0 ||
		    proc_status_parse(path, data, len, &st, NULL) < 0)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n] = (struct proc_node){ .pid = (pid_t)pid, .ppid = st.ppid, .state = st.state,
					   .depth = -1 };
		memcpy(v[n].name, st.name, sizeof(v[n].name));
		n++;
	}
	closedir(dir);
	*out = v;
	return n;
}

int mount_health_proc_stuck(pid_t pid, struct mount_proc *out)
{
	_cleanup_free_ struct proc_node *v = NULL;
	size_t n = proc_table(&v);
	struct proc_node *best = NULL;
	bool grew = true;

	*out = (struct mount_proc){ .pid = pid };
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid) {
			v[i].depth = 0;
			best = &v[i];
		}
	if (!best)
		return -ENOENT;
	/* The tree under pid, generation by generation (PPid links; a bounded table). */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (v[i].depth >= 0)
				continue;
			for (size_t k = 0; k < n; k++)
				if (v[k].depth >= 0 && v[k].pid == v[i].ppid) {
					v[i].depth = v[k].depth + 1;
					grew = true;
					break;
				}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].depth > 0 && v[i].state == 'D' &&
		    (best->state != 'D' || v[i].depth > best->depth))
			best = &v[i];
	out->pid = best->pid;
	memcpy(out->name, best->name, sizeof(out->name));
	/* The state again, with the wait channel, at the same moment. */
	if (mount_health_proc_state(best->pid, &out->state, out->wchan, sizeof(out->wchan)) < 0)
		out->state = best->state;
	return 0;
}

bool mount_health_proc_gone(pid_t pid, int ms)
{
	int64_t t0 = now_ms();
	char state;

	for (;;) {
		if (mount_health_proc_state(pid, &state, NULL, 0) == -ENOENT || state == 'Z')
			return true;
		if (now_ms() - t0 >= ms)
			return false;
		usleep(5000);
	}
}

/* Dead: reaped now, or a zombie, or gone from /proc. */
static bool child_dead(pid_t pid, bool *reaped)
{
	char state, wchan[2];
	pid_t r = waitpid(pid, NULL, WNOHANG);

	if (r == pid || (r < 0 && errno == ECHILD)) {
		*reaped = true;
		return true;
	}
	return mount_health_proc_state(pid, &state, wchan, 0) == -ENOENT || state == 'Z';
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The deadline expired: take the evidence, kill, watch the child die for a short while. */
static void child_kill(struct mount_health *h, int grace_ms)
{
	bool reaped = false;
	int64_t t0;

	(void)mount_health_proc_state(h->pid, &h->proc_state, h->wchan, sizeof(h->wchan));
	kill(h->pid, SIGKILL);
	h->killed = true;
	t0 = now_ms();
	for (;;) {
		if (child_dead(h->pid, &reaped)) {
			h->exited = true;
			h->kill_ms = now_ms() - t0;
			break;
		}
		if (now_ms() - t0 >= grace_ms)
			break;
		sleep_ms(5);
	}
	if (!h->exited)
		(void)mount_health_proc_state(h->pid, &h->state_after_kill, h->wchan_after_kill,
					      sizeof(h->wchan_after_kill));
	if (!reaped)
		pending_add(h->pid); /* a zombie or still stuck: reap it later */
}

/* Waits for the child's exit after it closed the pipe, bounded (it may still be in exit()). */
static void child_reap(struct mount_health *h, int64_t deadline)
{
	bool reaped = false;

	for (;;) {
		if (child_dead(h->pid, &reaped)) {
			h->exited = true;
			break;
		}
		if (now_ms() >= deadline)
			break;
		sleep_ms(2);
	}
	if (!reaped)
		pending_add(h->pid);
}

static void apply_record(struct mount_health *h, const struct record *rec, bool *mount_root)
{
	if (rec->step >= MOUNT_STEP__MAX)
		return;
	struct mount_step_result *s = &h->steps[rec->step];
	s->started = true;
	if (!rec->done)
		return;
	s->done = true;
	s->err = rec->err;
	s->ms = rec->ms;
	if (rec->step == MOUNT_STEP_ROOT && rec->mount_root == 0)
		*mount_root = false;
	if (rec->step == MOUNT_STEP_READDIR)
		h->entries = rec->entries;
}

static enum mount_health_state state_of_errno(int err, enum mount_step step)
{
	switch (err) {
	case ESTALE:
		return MOUNT_HEALTH_STALE;
	case EIO:
	case ETIMEDOUT:
		return MOUNT_HEALTH_IO_ERROR;
	case EROFS:
		return MOUNT_HEALTH_READ_ONLY;
	case EACCES:
	case EPERM:
		return MOUNT_HEALTH_DENIED;
	case ENOENT:
	case ENOTDIR:
		return step == MOUNT_STEP_ROOT ? MOUNT_HEALTH_NOT_MOUNTED : MOUNT_HEALTH_ERROR;
	default:
		return MOUNT_HEALTH_ERROR;
	}
}

/* The deadline expired while no step was under way (between two steps, or before the child
 * began): the next step the child would have taken counts as the stuck one. */
static void mark_stuck(struct mount_health *h, bool mount_root, bool write_test)
{
	const struct mount_step_result *root = &h->steps[MOUNT_STEP_ROOT];
	enum mount_step last = write_test ? MOUNT_STEP_UNLINK : MOUNT_STEP_READDIR;

	if (root->done && (root->err || !mount_root))
		last = MOUNT_STEP_ROOT; /* the child stops after this one */
	for (int i = 0; i <= (int)last; i++) {
		if (h->steps[i].started && !h->steps[i].done)
			return;
		if (!h->steps[i].done) {
			h->steps[i].started = true;
			return;
		}
	}
}

/* The verdict from the steps: the first stuck step, else the first error (ESTALE first: it
 * has its own fix), else OK. */
static void decide(struct mount_health *h, bool mount_root)
{
	h->state = MOUNT_HEALTH_OK;
	h->err = 0;
	for (int i = 0; i < MOUNT_STEP__MAX; i++) {
		const struct mount_step_result *s = &h->steps[i];
		if (s->started && !s->done) {
			h->state = MOUNT_HEALTH_HUNG;
			h->step = (enum mount_step)i;
			h->err = ETIMEDOUT;
			return;
		}
	}
	if (h->steps[MOUNT_STEP_ROOT].done && !h->steps[MOUNT_STEP_ROOT].err && !mount_root) {
		h->state = MOUNT_HEALTH_NOT_MOUNTED;
		h->step = MOUNT_STEP_ROOT;
		return;
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < MOUNT_STEP__MAX; i++) {
			const struct mount_step_result *s = &h->steps[i];
			if (!s->done || !s->err || (pass == 0 && s->err != ESTALE))
				continue;
			h->state = state_of_errno(s->err, (enum mount_step)i);
			h->step = (enum mount_step)i;
			h->err = s->err;
			return;
		}
	if (!h->steps[MOUNT_STEP_ROOT].done) {
		/* The child died without a word (killed from outside, out of memory). */
		h->state = MOUNT_HEALTH_ERROR;
		h->step = MOUNT_STEP_ROOT;
		h->err = ECHILD;
	}
}

int mount_health_check(const char *path, const struct mount_health_opts *opts,
		       struct mount_health *out)
{
	int timeout = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 5000;
	int grace = opts && opts->kill_grace_ms >= 0 ? opts->kill_grace_ms : 250;
	bool write_test = opts && opts->write;
	static unsigned counter;
	char file[4096];
	int p[2];
	bool mount_root = true, eof = false;
	int64_t t0 = now_ms(), deadline = t0 + timeout;

	*out = (struct mount_health){ .kill_ms = -1 };
	if (!path || path[0] != '/')
		return -EINVAL;
	mount_health_reap();

	/* Everything the child needs is ready before fork: it must not allocate. */
	snprintf(out->probe_file, sizeof(out->probe_file), ".meshnfs-probe-%d-%lld-%u",
		 (int)getpid(), (long long)t0, __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	if ((size_t)snprintf(file, sizeof(file), "%s%s%s", path,
			     path[strlen(path) - 1] == '/' ? "" : "/", out->probe_file) >=
	    sizeof(file))
		return -ENAMETOOLONG;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;

	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(p[1], path, file, write_test);
	}
	close(p[1]);
	out->pid = pid;

	size_t have = 0;
	union {
		struct record rec;
		char bytes[sizeof(struct record)];
	} u;
	while (!eof) {
		ssize_t k = read_by_deadline(p[0], u.bytes + have, sizeof(u) - have, deadline);
		if (k == -ETIMEDOUT)
			break;
		if (k <= 0) {
			eof = true; /* the child ended (or its pipe failed): no more records */
			break;
		}
		have += (size_t)k;
		if (have == sizeof(u)) {
			apply_record(out, &u.rec, &mount_root);
			have = 0;
		}
	}
	close(p[0]);

	if (eof)
		child_reap(out, now_ms() + 500);
	else
		child_kill(out, grace);
	if (!eof)
		mark_stuck(out, mount_root, write_test);
	decide(out, mount_root);
	out->ms = now_ms() - t0;
	return 0;
}

const char *mount_health_state_name(enum mount_health_state s)
{
	static const char *const names[] = {
		[MOUNT_HEALTH_OK] = "ok",
		[MOUNT_HEALTH_HUNG] = "hung",
		[MOUNT_HEALTH_STALE] = "stale",
		[MOUNT_HEALTH_IO_ERROR] = "io_error",
		[MOUNT_HEALTH_READ_ONLY] = "read_only",
		[MOUNT_HEALTH_DENIED] = "permission_denied",
		[MOUNT_HEALTH_NOT_MOUNTED] = "not_mounted",
		[MOUNT_HEALTH_ERROR] = "error",
	};
	return ENUM_NAME(names, s, "error");
}

const char *mount_step_name(enum mount_step s)
{
	static const char *const names[] = {
		[MOUNT_STEP_ROOT] = "mountpoint",
		[MOUNT_STEP_STAT] = "stat",
		[MOUNT_STEP_READDIR] = "readdir",
		[MOUNT_STEP_CREATE] = "create",
		[MOUNT_STEP_UNLINK] = "unlink",
	};
	return ENUM_NAME(names, s, "?");
}
