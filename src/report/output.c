/* SPDX-License-Identifier: MIT */
#include "report/output.h"

#include "core/escape.h"

#include <errno.h>

/* One escaping stream over a file descriptor (fopencookie). */
struct esc_stream {
	FILE *f;
	int fd;
	bool raw;
	unsigned char pend[4]; /* an incomplete UTF-8 sequence left by the last write */
	size_t n_pend;
};
static struct esc_stream esc_out = { .fd = STDOUT_FILENO }, esc_err = { .fd = STDERR_FILENO };

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, n -= (size_t)w;
	}
	return 0;
}

static ssize_t esc_write(void *cookie, const char *p, size_t n)
{
	struct esc_stream *s = cookie;
	struct buf in = { 0 }, out = { 0 };
	size_t used;
	int r;

	if (s->raw)
		return write_all(s->fd, p, n) < 0 ? -1 : (ssize_t)n;
	buf_append(&in, s->pend, s->n_pend);
	buf_append(&in, p, n);
	used = escape_append(&out, in.data, in.len, ESC_KEEP_LAYOUT | ESC_STREAM);
	s->n_pend = in.len - used; /* at most 3 */
	memcpy(s->pend, in.data + used, s->n_pend);
	r = write_all(s->fd, out.data, out.len);
	buf_free(&in);
	buf_free(&out);
	return r < 0 ? -1 : (ssize_t)n;
}

/* What is pending can no longer be completed: out with it, escaped. */
static void esc_drain(struct esc_stream *s)
{
	struct buf out = { 0 };

	fflush(s->f);
	if (!s->n_pend)
		return;
	escape_append(&out, (const char *)s->pend, s->n_pend, 0);
	s->n_pend = 0;
	(void)write_all(s->fd, out.data, out.len);
	buf_free(&out);
}

/* Replaces *orig by an escaping stream: 0, or -ENOMEM (then *orig is left as it was). */
static int esc_open(struct esc_stream *s, FILE **orig, int mode)
{
	static const cookie_io_functions_t fns = { .write = esc_write };
	FILE *f;

	fflush(*orig);
	f = fopencookie(s, "w", fns);
	if (!f)
		return -ENOMEM;
	setvbuf(f, NULL, mode, BUFSIZ);
	s->f = f;
	*orig = f;
	return 0;
}

int output_escape_std(void)
{
	if (esc_out.f)
		return 0;
	int r = esc_open(&esc_out, &stdout, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	return r < 0 ? r : esc_open(&esc_err, &stderr, _IONBF);
}

static struct esc_stream *esc_of(FILE *f)
{
	if (f && f == esc_out.f)
		return &esc_out;
	if (f && f == esc_err.f)
		return &esc_err;
	return NULL;
}

void output_raw(FILE *f, const char *s)
{
	struct esc_stream *e = esc_of(f);

	if (!e) {
		fputs(s, f);
		return;
	}
	esc_drain(e);
	e->raw = true;
	fputs(s, f);
	fflush(f);
	e->raw = false;
}

void output_color(FILE *f, bool color, const char *code)
{
	if (color)
		output_raw(f, code);
}

bool output_want_color(int fd, bool no_color_flag)
{
	const char *term = getenv("TERM");

	if (no_color_flag || getenv("NO_COLOR"))
		return false;
	if (term && streq(term, "dumb"))
		return false;
	return isatty(fd);
}

void table_init(struct table *t, size_t n_cols)
{
	*t = (struct table){ .n_cols = n_cols };
}

void table_add_row(struct table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(char *));
	for (size_t c = 0; c < t->n_cols; c++)
		t->cells[t->n_rows * t->n_cols + c] = xstrdup(cells[c] ? cells[c] : "");
	t->n_rows++;
}

/* Display width: counts UTF-8 code points, not bytes. */
static int width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print(const struct table *t, FILE *f)
{
	_cleanup_free_ int *w = xcalloc(t->n_cols, sizeof(int));

	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++) {
			int n = width(t->cells[r * t->n_cols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			const char *s = t->cells[r * t->n_cols + c];
			if (c + 1 == t->n_cols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%s%*s  ", s, w[c] - width(s), "");
		}
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct table){ 0 };
}
