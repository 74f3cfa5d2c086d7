/* SPDX-License-Identifier: MIT */
#include "report/report.h"

#include "core/escape.h"
#include "report/output.h"

#include <stdarg.h>

void report_init(struct report *r, const char *command)
{
	*r = (struct report){ .command = command, .extra = json_object() };
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n_checks; i++) {
		free(r->checks[i].id);
		free(r->checks[i].summary);
		free(r->checks[i].detail);
		free(r->checks[i].fix);
	}
	free(r->checks);
	json_decref(r->extra);
	*r = (struct report){ 0 };
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

struct check *report_add(struct report *r, const char *id, enum check_status status,
			 const char *summary_fmt, ...)
{
	va_list ap;

	r->checks = xrealloc(r->checks, (r->n_checks + 1) * sizeof(*r->checks));
	struct check *c = &r->checks[r->n_checks++];
	*c = (struct check){ .id = xstrdup(id), .status = status, .ms = -1 };
	va_start(ap, summary_fmt);
	c->summary = vfmt(summary_fmt, ap);
	va_end(ap);
	return c;
}

void check_set_detail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	free(c->detail);
	va_start(ap, fmt);
	c->detail = vfmt(fmt, ap);
	va_end(ap);
}

void check_set_fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	free(c->fix);
	va_start(ap, fmt);
	c->fix = vfmt(fmt, ap);
	va_end(ap);
}

struct check *report_add_words(struct report *r, const char *id, enum check_status status,
			       struct check_words w)
{
	struct check *c = report_add(r, id, status, "%s", w.summary ? w.summary : "");

	free(w.summary);
	c->detail = w.detail;
	c->fix = w.fix;
	return c;
}

const struct check *report_find(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n_checks; i++)
		if (streq(r->checks[i].id, id))
			return &r->checks[i];
	return NULL;
}

enum check_status report_verdict(const struct report *r)
{
	enum check_status worst = CHECK_OK;

	for (size_t i = 0; i < r->n_checks; i++)
		if (r->checks[i].status > worst)
			worst = r->checks[i].status;
	return worst;
}

int report_exit_code(const struct report *r)
{
	switch (report_verdict(r)) {
	case CHECK_FAIL:
		return 2;
	case CHECK_WARN:
		return 1;
	default:
		return 0;
	}
}

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {
		[CHECK_SKIP] = "skip", [CHECK_OK] = "ok", [CHECK_WARN] = "warn", [CHECK_FAIL] = "fail"
	};
	return ENUM_NAME(names, s, "?");
}

json_t *json_str_or_null(const char *s)
{
	return json_text(s);
}

json_t *report_to_json(const struct report *r)
{
	json_t *doc = json_object(), *checks = json_array();

	json_object_set_new(doc, "command", json_string(r->command));
	json_object_set_new(doc, "verdict", json_string(check_status_name(report_verdict(r))));
	for (size_t i = 0; i < r->n_checks; i++) {
		const struct check *c = &r->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "status", json_string(check_status_name(c->status)));
		json_object_set_new(o, "summary", json_text(c->summary));
		json_object_set_new(o, "detail", json_str_or_null(c->detail));
		json_object_set_new(o, "fix", json_str_or_null(c->fix));
		if (c->ms >= 0)
			json_object_set_new(o, "ms", json_integer(c->ms));
		json_array_append_new(checks, o);
	}
	json_object_set_new(doc, "checks", checks);
	if (r->extra)
		json_object_update(doc, r->extra);
	return doc;
}

const char *check_status_color(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return COLOR_GREEN;
	case CHECK_WARN:
		return COLOR_YELLOW;
	case CHECK_FAIL:
		return COLOR_RED;
	default:
		return COLOR_DIM;
	}
}

/* Prints text indented under the summary column, one line at a time. */
static void print_indented(FILE *f, int indent, const char *label, const char *text)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		size_t n = strcspn(p, "\n");
		fprintf(f, "%*s%s%.*s\n", indent, "", first ? label : "", (int)n, p);
		if (first)
			indent += (int)strlen(label);
		first = false;
		p += n;
		if (*p == '\n')
			p++;
	}
}

void report_print_human(const struct report *r, FILE *f, bool color)
{
	int w = 0, counts[4] = { 0 };

	for (size_t i = 0; i < r->n_checks; i++) {
		int n = (int)strlen(r->checks[i].id);
		if (n > w)
			w = n;
	}
	for (size_t i = 0; i < r->n_checks; i++) {
		const struct check *c = &r->checks[i];
		const char *name = check_status_name(c->status);
		if ((size_t)c->status < ARRAY_SIZE(counts))
			counts[c->status]++;
		output_color(f, color, check_status_color(c->status));
		fprintf(f, "%-4s", name);
		output_color(f, color, COLOR_RESET);
		fprintf(f, "  %-*s  %s", w, c->id, c->summary);
		if (c->ms >= 0)
			fprintf(f, " (%" PRId64 " ms)", c->ms);
		fputc('\n', f);
		if (c->detail)
			print_indented(f, w + 8, "", c->detail);
		if (c->fix)
			print_indented(f, w + 8, "fix: ", c->fix);
	}
	enum check_status v = report_verdict(r);
	output_color(f, color, check_status_color(v));
	fprintf(f, "verdict: %s", check_status_name(v));
	output_color(f, color, COLOR_RESET);
	fprintf(f, " (%d ok, %d warn, %d fail, %d skipped)\n", counts[CHECK_OK], counts[CHECK_WARN],
		counts[CHECK_FAIL], counts[CHECK_SKIP]);
}
