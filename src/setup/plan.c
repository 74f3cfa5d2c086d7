/* SPDX-License-Identifier: MIT */
#include "setup/plan.h"

#include "core/escape.h"
#include "core/root.h"
#include "core/spawn.h"
#include "format/procstatus.h"
#include "setup/diff.h"
#include "setup/setup_private.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

void plan_init(struct plan *p, const char *title_fmt, ...)
{
	va_list ap;

	*p = (struct plan){ 0 };
	va_start(ap, title_fmt);
	if (vasprintf(&p->title, title_fmt, ap) < 0)
		abort();
	va_end(ap);
}

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	char **out;

	while (v && v[n])
		n++;
	out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void strv_free_null(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void items_free(struct plan_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].text);
	}
	free(v);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		struct plan_step *s = &p->steps[i];
		free(s->id);
		free(s->title);
		free(s->shown);
		free(s->path);
		free(s->diff);
		strv_free_null(s->argv);
		strv_free_null(s->retry_after);
		free(s->result);
		free(s->detail);
	}
	free(p->steps);
	items_free(p->right, p->n_right);
	items_free(p->notes, p->n_notes);
	for (size_t i = 0; i < p->n_owned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->title);
	*p = (struct plan){ 0 };
}

void *plan_own(struct plan *p, void *ptr)
{
	p->owned = xrealloc(p->owned, (p->n_owned + 1) * sizeof(*p->owned));
	p->owned[p->n_owned++] = ptr;
	return ptr;
}

static struct plan_step *add_step(struct plan *p, enum plan_kind kind, const char *id)
{
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	struct plan_step *s = &p->steps[p->n_steps++];
	*s = (struct plan_step){ .kind = kind, .id = xstrdup(id), .status = CHECK_SKIP };
	return s;
}

static void add_item(struct plan_item **v, size_t *n, const char *id, const char *fmt, va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct plan_item){ xstrdup(id), text };
}

void plan_right(struct plan *p, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(&p->right, &p->n_right, id, fmt, ap);
	va_end(ap);
}

void plan_note(struct plan *p, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(&p->notes, &p->n_notes, id, fmt, ap);
	va_end(ap);
}

int plan_add_write(struct plan *p, const char *id, const char *shown, const char *path,
		   safewrite_edit_fn edit, void *edit_data, bool owned,
		   const struct safewrite_opts *wopts, const char *right_text, struct diag *diag)
{
	_cleanup_free_ char *old = NULL;
	struct buf out = { 0 };
	size_t len = 0;
	bool exists;
	int r;

	if (owned)
		plan_own(p, edit_data);
	r = safewrite_preview(path, edit, edit_data, &old, &len, &exists, &out, diag);
	if (r < 0 && !old) {
		/* Why it cannot be read, named (a FIFO, a directory, a link: bad input, 65). */
		_cleanup_free_ char *data = NULL;
		int e = safewrite_read_input(path, &data, NULL, diag);
		return e < 0 ? e : r;
	}
	if (r < 0) {
		buf_free(&out);
		return r;
	}
	if (exists && out.len == len && memcmp(out.data, old, len) == 0) {
		buf_free(&out);
		plan_right(p, id, "%s", right_text);
		return 0;
	}
	struct plan_step *s = add_step(p, PLAN_WRITE, id);
	struct buf d = { 0 };
	buf_append(&d, "", 0);
	diff_unified(exists ? shown : NULL, shown, old, len, out.data, out.len, &d);
	s->diff = d.data;
	s->title = exists ? xasprintf("edit %s (the previous version is kept as %s%s)", shown, shown,
				      SAFEWRITE_BACKUP_SUFFIX)
			  : xasprintf("create %s", shown);
	s->shown = xstrdup(shown);
	s->path = xstrdup(path);
	s->edit = edit;
	s->edit_data = edit_data;
	if (wopts)
		s->wopts = *wopts;
	buf_free(&out);
	return 1;
}

struct plan_step *plan_add_mkdir(struct plan *p, const char *id, const char *shown,
				 const char *path, mode_t mode)
{
	struct plan_step *s = add_step(p, PLAN_MKDIR, id);
	s->title = xasprintf("create the directory %s", shown);
	s->shown = xstrdup(shown);
	s->path = xstrdup(path);
	s->mode = mode;
	return s;
}

char *plan_argv_text(char *const *argv)
{
	struct buf b = { 0 };

	buf_append(&b, "", 0);
	for (size_t i = 0; argv && argv[i]; i++) {
		bool plain = argv[i][0] && !strpbrk(argv[i], " \t\n'\"\\$`*?;&|<>()");
		buf_printf(&b, i ? " " : "");
		if (plain)
			buf_printf(&b, "%s", argv[i]);
		else
			buf_printf(&b, "'%s'", argv[i]);
	}
	return b.data;
}

struct plan_step *plan_add_run(struct plan *p, const char *id, int timeout_ms,
			       const char *const *argv)
{
	struct plan_step *s = add_step(p, PLAN_RUN, id);
	s->argv = strv_copy(argv);
	s->timeout_ms = timeout_ms;
	_cleanup_free_ char *t = plan_argv_text(s->argv);
	/* Under --root nothing runs here: the command is for the machine the files belong to. */
	s->title = xasprintf("%s: %s", root_is_host() ? "run" : "on that machine, run", t);
	return s;
}

struct plan_step *plan_add_signal(struct plan *p, const char *id, pid_t pid, int sig,
				  const char *what)
{
	struct plan_step *s = add_step(p, PLAN_SIGNAL, id);
	s->pid = pid;
	s->sig = sig;
	s->title = xasprintf("send SIG%s to %s (pid %d)", sigabbrev_np(sig), what, (int)pid);
	return s;
}

static void indent(struct buf *out, const char *text, const char *prefix)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		buf_printf(out, "%s%.*s\n", prefix, (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

void plan_format(const struct plan *p, struct buf *out)
{
	buf_printf(out, "Plan: %s\n", p->title);
	for (size_t i = 0; i < p->n_right; i++)
		buf_printf(out, "  already right: %s\n", p->right[i].text);
	if (p->n_steps == 0)
		buf_printf(out, "  nothing to do\n");
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		buf_printf(out, "  %zu. %s\n", i + 1, s->title);
		if (s->retry_after) {
			_cleanup_free_ char *t = plan_argv_text(s->retry_after);
			buf_printf(out, "     (if that fails: %s, then once more)\n", t);
		}
		if (s->diff)
			indent(out, s->diff, "       ");
	}
	if (!root_is_host()) {
		size_t n = 0;
		for (size_t i = 0; i < p->n_steps; i++)
			if (p->steps[i].kind == PLAN_RUN) {
				_cleanup_free_ char *t = plan_argv_text(p->steps[i].argv);
				if (!n++)
					buf_printf(out, "Commands to run on that machine (--root: meshnfs "
							"runs no program):\n");
				buf_printf(out, "  %s\n", t);
			}
	}
	if (p->n_notes)
		buf_printf(out, "Notes:\n");
	for (size_t i = 0; i < p->n_notes; i++) {
		buf_printf(out, "  - ");
		indent(out, p->notes[i].text, "");
	}
}

static json_t *items_json(const struct plan_item *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o}", "id", v[i].id, "text", json_text(v[i].text)));
	return a;
}

json_t *plan_to_json(const struct plan *p, bool dry_run)
{
	static const char *const kinds[] = { "write", "mkdir", "run", "signal" };
	json_t *steps = json_array();

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		json_t *o = json_pack("{s:s, s:s, s:o}", "id", s->id, "kind", kinds[s->kind], "title",
				      json_text(s->title));
		if (s->shown)
			json_object_set_new(o, "path", json_text(s->shown));
		if (s->diff)
			json_object_set_new(o, "diff", json_text(s->diff));
		if (s->argv) {
			json_t *a = json_array();
			for (size_t k = 0; s->argv[k]; k++)
				json_array_append_new(a, json_text(s->argv[k]));
			json_object_set_new(o, "argv", a);
		}
		if (s->kind == PLAN_SIGNAL) {
			json_object_set_new(o, "pid", json_integer(s->pid));
			json_object_set_new(o, "signal", json_text(sigabbrev_np(s->sig)));
		}
		json_object_set_new(o, "state",
				    json_text(!s->applied ? (dry_run ? "planned" : "not done")
							    : check_status_name(s->status)));
		if (s->result)
			json_object_set_new(o, "result", json_text(s->result));
		json_array_append_new(steps, o);
	}
	return json_pack("{s:o, s:b, s:o, s:o, s:o}", "title", json_text(p->title), "dry_run", dry_run,
			 "already_right", items_json(p->right, p->n_right), "steps", steps, "notes",
			 items_json(p->notes, p->n_notes));
}

/* mkdir -p of shown (the path as on the node), every component made inside the root
 * (core/root.h: a link on the way never leads out of it). */
static int mkdir_p(const char *shown, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(shown), *full = NULL;
	struct stat st;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		_cleanup_free_ char *q = root_path(p);
		int r = root_mkdir(q, mode);
		if (r < 0 && r != -EEXIST)
			return r;
		*s = c;
		if (!c)
			break;
	}
	full = root_path(shown);
	int r = root_stat(full, &st);
	if (r < 0)
		return r;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

void plan_step_set_result(struct plan_step *s, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	free(s->result);
	s->status = st;
	s->applied = true;
	va_start(ap, fmt);
	if (vasprintf(&s->result, fmt, ap) < 0)
		abort();
	va_end(ap);
}

/* The last lines of a program's output, for the detail of a failure. */
static char *output_tail(const struct spawn_result *res)
{
	const char *text = res->err_len ? res->err : res->out;
	size_t n = strlen(text), lines = 0;
	const char *p = text + n;

	while (p > text && lines < 6)
		if (*--p == '\n' && p + 1 < text + n)
			lines++;
	if (*p == '\n')
		p++;
	return xstrdup(p);
}

/* At a command's deadline, before the kill: where it waits. */
static void note_stuck(pid_t pid, void *data)
{
	struct plan_step *s = data;

	s->stuck_known = mount_health_proc_stuck(pid, &s->stuck) == 0;
}

static int run_once(struct plan_step *s, char **argv, struct spawn_result *res)
{
	struct spawn_opts o = { .timeout_ms = s->timeout_ms, .max_output = 256 * 1024,
				.at_deadline = note_stuck, .at_deadline_data = s };
	int r;

	s->stuck_known = s->stuck_gone = false;
	r = spawn_run((const char *const *)argv, &o, res);
	if (r == 0 && res->exit_code != 0)
		r = -EPROTO;
	if (r == -ETIMEDOUT && s->stuck_known)
		s->stuck_gone = mount_health_proc_gone(s->stuck.pid, 500);
	return r;
}

/* "umount.nfs4 (pid 251) in state D (disk sleep (uninterruptible)), wchan
 * rpc_wait_bit_killable; SIGKILL ended it". New string. */
static char *stuck_text(const struct plan_step *s)
{
	const struct mount_proc *p = &s->stuck;

	return xasprintf("%s (pid %d) in state %c (%s)%s%s; %s", p->name[0] ? p->name : "?",
			 (int)p->pid, p->state ? p->state : '?', proc_state_name(p->state),
			 p->wchan[0] ? ", wchan " : "", p->wchan,
			 s->stuck_gone ? "SIGKILL ended it"
				       : "it was still there after SIGKILL (it waits in the kernel)");
}

static int apply_run(struct plan_step *s)
{
	struct spawn_result res;
	_cleanup_free_ char *text = plan_argv_text(s->argv);
	int r = run_once(s, s->argv, &res);

	if (r == SPAWN_REFUSED_ROOT) {
		/* --root: the command belongs to the machine the files come from. */
		plan_step_set_result(s, CHECK_SKIP, "not run under --root: on that machine, run: %s",
				     text);
		spawn_result_free(&res);
		return r;
	}
	if (r < 0 && r != -ENOENT && s->retry_after) {
		struct spawn_result pre;
		spawn_result_free(&res);
		run_once(s, s->retry_after, &pre);
		spawn_result_free(&pre);
		r = run_once(s, s->argv, &res);
	}
	if (r == -ENOENT)
		plan_step_set_result(s, CHECK_FAIL, "%s: %s not found on PATH", text, s->argv[0]);
	else if (r == -ETIMEDOUT)
		plan_step_set_result(s, CHECK_FAIL, "%s: no answer within %d s (stopped)", text,
			   s->timeout_ms / 1000);
	else if (r == -EPROTO && res.signal)
		plan_step_set_result(s, CHECK_FAIL, "%s: killed by signal %d", text, res.signal);
	else if (r == -EPROTO)
		plan_step_set_result(s, CHECK_FAIL, "%s: exited with status %d", text, res.exit_code);
	else if (r < 0)
		plan_step_set_result(s, CHECK_FAIL, "%s: cannot run: %s", text, strerror(-r));
	else
		plan_step_set_result(s, CHECK_OK, "%s", text);
	if (r < 0 && r != -ENOENT) {
		_cleanup_free_ char *tail = output_tail(&res), *stuck = NULL;
		if (r == -ETIMEDOUT && s->stuck_known)
			stuck = stuck_text(s);
		free(s->detail);
		s->detail = NULL;
		if (stuck || *tail)
			s->detail = xasprintf("%s%s%s%s", stuck ? "at the deadline: " : "",
					      stuck ? stuck : "", stuck && *tail ? "\n" : "", tail);
	}
	s->ms = res.ms;
	spawn_result_free(&res);
	if (s->judge)
		r = s->judge(s, s->judge_data, r);
	return r;
}

static int apply_write(struct plan_step *s, struct diag *diag)
{
	struct safewrite_result res;
	int r = safewrite_update(s->path, s->edit, s->edit_data, &s->wopts, &res, diag);

	if (r == -EBADMSG)
		plan_step_set_result(s, CHECK_FAIL, "%s changed since the plan and cannot be edited now; "
					  "it is unchanged", s->path);
	else if (r < 0 && res.changed) {
		plan_step_set_result(s, CHECK_WARN, "wrote %s, but %s failed: %s (a crash now could lose the "
					  "change)", s->path, res.step, strerror(-r));
		r = 0;
	} else if (r < 0)
		plan_step_set_result(s, CHECK_FAIL, "cannot write %s: %s failed: %s; the file is unchanged",
			   s->path, res.step ? res.step : "?", strerror(-r));
	else if (!res.changed)
		plan_step_set_result(s, CHECK_OK, "%s is already right (written meanwhile by another run)",
			   s->path);
	else if (res.created) {
		plan_step_set_result(s, CHECK_OK, "created %s", s->path);
		s->detail = xasprintf("to undo: rm %s", s->path);
	} else {
		plan_step_set_result(s, CHECK_OK, "wrote %s (previous version: %s)", s->path, res.backup);
		s->detail = xasprintf("to undo: cp -p %s %s%s%s%s", res.backup, s->path,
				      res.original ? "\n(the version before meshnfs first changed it "
						     "stays in "
						   : "",
				      res.original ? res.original : "", res.original ? ")" : "");
	}
	safewrite_result_free(&res);
	return r;
}

int plan_step_apply(struct plan_step *s, struct diag *diag)
{
	int64_t t0 = now_ms();
	int r = 0;

	switch (s->kind) {
	case PLAN_WRITE:
		r = apply_write(s, diag);
		break;
	case PLAN_MKDIR:
		r = mkdir_p(s->shown, s->mode);
		if (r < 0)
			plan_step_set_result(s, CHECK_FAIL, "cannot create %s: %s", s->path, strerror(-r));
		else
			plan_step_set_result(s, CHECK_OK, "created %s", s->path);
		break;
	case PLAN_RUN:
		r = apply_run(s);
		break;
	case PLAN_SIGNAL:
		if (!root_is_host()) {
			/* A pid from another machine's files names no process here. */
			r = SPAWN_REFUSED_ROOT;
			plan_step_set_result(s, CHECK_SKIP, "not sent under --root: SIG%s to pid %d "
					     "is for that machine", sigabbrev_np(s->sig), (int)s->pid);
		} else if (kill(s->pid, s->sig) < 0) {
			r = -errno;
			plan_step_set_result(s, CHECK_FAIL, "cannot send SIG%s to pid %d: %s", sigabbrev_np(s->sig),
				   (int)s->pid, strerror(errno));
		} else
			plan_step_set_result(s, CHECK_OK, "sent SIG%s to pid %d", sigabbrev_np(s->sig),
				   (int)s->pid);
		break;
	}
	if (r == SPAWN_REFUSED_ROOT) {
		s->ms = 0;
		return 0; /* listed for that machine: not a failure, and no effect to check */
	}
	if (r == 0 && s->check) {
		_cleanup_free_ char *msg = NULL;
		r = s->check(s, s->check_data, s->timeout_ms, &msg);
		if (r < 0)
			plan_step_set_result(s, CHECK_FAIL, "%s", msg ? msg : strerror(-r));
	}
	if (s->kind != PLAN_RUN)
		s->ms = now_ms() - t0;
	return r;
}

static void step_check(struct report *r, const struct plan_step *s)
{
	struct check *c = report_check(r, s->id, s->status, .summary = xstrdup(s->result),
				       .detail = s->detail ? xstrdup(s->detail) : NULL);
	c->ms = s->ms;
}

int plan_apply(struct plan *p, struct report *r, struct diag *diag)
{
	int ret = 0;

	for (size_t i = 0; i < p->n_steps; i++) {
		struct plan_step *s = &p->steps[i];
		if (ret < 0) {
			report_add(r, s->id, CHECK_SKIP, "not done (an earlier step failed): %s",
				   s->title);
			continue;
		}
		ret = plan_step_apply(s, diag);
		step_check(r, s);
	}
	return ret;
}

void plan_report(const struct plan *p, struct report *r, bool dry_run)
{
	for (size_t i = 0; i < p->n_right; i++)
		report_add(r, p->right[i].id, CHECK_OK, "%s", p->right[i].text);
	for (size_t i = 0; i < p->n_notes; i++)
		report_add(r, p->notes[i].id, CHECK_WARN, "%s", p->notes[i].text);
	for (size_t i = 0; dry_run && i < p->n_steps; i++)
		report_add(r, p->steps[i].id, CHECK_SKIP, "%s%s",
			   startswith(p->steps[i].title, "on that machine, ") ? "" : "would ",
			   p->steps[i].title);
}
