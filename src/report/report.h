/* SPDX-License-Identifier: MIT */
/* The report model shared by every command: a list of checks, each with a stable dotted id,
 * a status, a one-line summary, a detail, and the exact fix. The verdict is the worst status
 * and decides the exit code. Commands may attach extra JSON (jansson) for --json. */
#pragma once

#include "core/escape.h"
#include "core/util.h"

#include <jansson.h>

enum check_status {
	CHECK_SKIP = 0,
	CHECK_OK,
	CHECK_WARN,
	CHECK_FAIL,
};

struct check {
	char *id;      /* dotted and stable: "mount.present" */
	enum check_status status;
	char *summary; /* one line */
	char *detail;  /* may be NULL; may span lines */
	char *fix;     /* the exact command or action, or NULL */
	int64_t ms;    /* time the check took, or -1 */
};

struct report {
	const char *command;
	struct check *checks;
	size_t n_checks;
	json_t *extra; /* object merged into the JSON document; owned */
};

void report_init(struct report *r, const char *command);
void report_free(struct report *r);

/* Adds a check with a summary only; the returned pointer is valid until the next report_add.
 * A check with a detail or a fix is made with report_check below, in one call. */
struct check *report_add(struct report *r, const char *id, enum check_status status,
			 const char *summary_fmt, ...) _printf_(4, 5);
/* Set (replace) the detail or the fix of a check already made: only where the words cannot
 * be known when the check is made, i.e. chosen by an if/switch AFTER a check several branches
 * share (doctor_mount.c's error_check), or added by a helper that owns that part of the words
 * (set_evidence, login_fix). A word that is merely optional goes into report_check as
 * `.fix = fix ? xstrdup(fix) : NULL` (or TAKE_PTR(fix)). */
void check_set_detail(struct check *c, const char *fmt, ...) _printf_(2, 3);
void check_set_fix(struct check *c, const char *fmt, ...) _printf_(2, 3);

/* A check's words in one call, each field named where it is written. The strings are new
 * (xasprintf: printf-style, its format checked like printf's) and the report takes them;
 * detail and fix may be left out (NULL: none):
 *
 *	report_check(r, "mount.point", CHECK_WARN,
 *		     .summary = xasprintf("%s does not exist (the guide's step 2)", mp),
 *		     .fix = xasprintf("sudo mkdir -p %s", mp));
 *
 * Returns the check (to set ms), valid until the next report_add. */
struct check_words {
	char *summary, *detail, *fix;
};
#define report_check(r, id, status, ...) \
	report_add_words((r), (id), (status), (struct check_words){ __VA_ARGS__ })
struct check *report_add_words(struct report *r, const char *id, enum check_status status,
			       struct check_words w);
const struct check *report_find(const struct report *r, const char *id);

enum check_status report_verdict(const struct report *r);
/* 0 ok (or only skips), 1 warnings only, 2 failures. */
int report_exit_code(const struct report *r);
const char *check_status_name(enum check_status s);
/* The terminal colour of a status (COLOR_* of report/output.h): green, yellow, red, dim. */
const char *check_status_color(enum check_status s);

/* The same as json_text (kept for its many callers). */
json_t *json_str_or_null(const char *s);
/* Renders the whole report: JSON document on f, or aligned human text. */
json_t *report_to_json(const struct report *r);
void report_print_human(const struct report *r, FILE *f, bool color);
