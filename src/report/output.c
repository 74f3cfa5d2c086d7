/* SPDX-License-Identifier: MIT */
#include "report/output.h"

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
