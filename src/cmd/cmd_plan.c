/* SPDX-License-Identifier: MIT */
/* Plans on the command line (setup, repair): the plan printed first, then applied step by
 * step, then verified; or only printed (--dry-run). */
#include "cmd/cmd.h"

#include "core/root.h"
#include "node/node.h"
#include "setup/plan.h"
#include "cmd/cmd_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

/* Every file and directory the plan writes must be writable before anything is done, so a
 * run without the rights stops before its first step instead of halfway. */
static int check_writable(const struct plan *p, char *err, size_t size)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->kind != PLAN_WRITE && s->kind != PLAN_MKDIR)
			continue;
		_cleanup_free_ char *dir = xstrdup(s->shown);
		struct stat st;
		/* The nearest existing ancestor is where the write or mkdir happens (resolved
		 * under the root, as the write will be). */
		for (;;) {
			_cleanup_free_ char *q = root_path(dir);
			if (streq(dir, "/") || root_stat(q, &st) == 0)
				break;
			char *slash = strrchr(dir, '/');
			slash[slash == dir] = '\0'; /* "/opt" -> "/" */
		}
		if (s->kind == PLAN_WRITE && streq(dir, s->shown)) {
			char *slash = strrchr(dir, '/');
			slash[slash == dir] = '\0';
		}
		_cleanup_free_ char *real = root_path(dir);
		_cleanup_close_ int fd = root_open(real, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 || faccessat(fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
			int e = fd < 0 ? -fd : errno;
			free(dir);
			dir = TAKE_PTR(real);
			snprintf(err, size, "cannot write in %s: %s (this changes system files: run it "
					    "as root)", dir, strerror(e));
			return -e;
		}
	}
	return 0;
}

int cmd_run_plan(struct ctx *ctx, const struct node_info *n, struct plan *p, bool dry_run,
		 const char *command, cmd_verify_fn verify, const void *data)
{
	struct report r;
	struct diag d = { 0 };
	char err[600];
	int rc;

	report_init(&r, command);
	if (!ctx->json) {
		struct buf text = { 0 };
		buf_append(&text, "", 0);
		plan_format(p, &text);
		fputs(text.data, stdout);
		buf_free(&text);
		if (dry_run)
			fputs("Dry run: nothing was changed and nothing was run.\n\n", stdout);
		else if (p->n_steps)
			fputs("\nApplying:\n", stdout);
		else if (p->n_notes)
			fputs("\nNothing to do here: see the notes.\n", stdout);
		else
			fputs("\nNothing to do: everything is already right.\n", stdout);
		fflush(stdout);
	}
	for (size_t i = 0; i < n->n_warnings; i++)
		report_add(&r, "node.input", CHECK_WARN, "%s", n->warnings[i]);
	plan_report(p, &r, dry_run);
	if (!dry_run && p->n_steps) {
		if (check_writable(p, err, sizeof(err)) < 0) {
			report_add(&r, "plan.permission", CHECK_FAIL, "%s", err);
		} else {
			if (plan_apply(p, &r, &d) == 0 && verify)
				verify(ctx, &r, data);
		}
	}
	json_object_set_new(r.extra, "plan", plan_to_json(p, dry_run));
	rc = cmd_finish(ctx, &r);
	report_free(&r);
	return rc;
}

int cmd_plan_error(struct ctx *ctx, const struct command *cmd, int r, const struct diag *d,
		      const char *id)
{
	struct report rep;
	int rc;

	if (r == -EBADMSG)
		return cmd_bad_input(ctx, d);
	if (r == -EDOM)
		return cmd_usage_error(cmd, "%s", d->msg);
	report_init(&rep, cmd->name);
	report_add(&rep, id, CHECK_FAIL, "%s", d->msg[0] ? d->msg : strerror(-r));
	rc = cmd_finish(ctx, &rep);
	if (!ctx->json)
		fprintf(stderr, "meshnfs: %s\n", d->msg[0] ? d->msg : strerror(-r));
	report_free(&rep);
	return rc;
}

