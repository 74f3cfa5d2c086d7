/* SPDX-License-Identifier: MIT */
#include "setup/diff.h"
#include "setup/setup_private.h"

#define CONTEXT 3

struct lines {
	const char **p;
	size_t *n; /* with the '\n' when there is one */
	size_t count;
};

static void split(const char *s, size_t len, struct lines *l)
{
	*l = (struct lines){ 0 };
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (s + i)) + 1 : len - i;
		l->p = xrealloc(l->p, (l->count + 1) * sizeof(*l->p));
		l->n = xrealloc(l->n, (l->count + 1) * sizeof(*l->n));
		l->p[l->count] = s + i;
		l->n[l->count++] = n;
		i += n;
	}
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t k)
{
	return a->n[i] == b->n[k] && memcmp(a->p[i], b->p[k], a->n[i]) == 0;
}

static void emit(struct buf *out, char mark, const char *p, size_t n)
{
	buf_append(out, &mark, 1);
	buf_append(out, p, n);
	if (n == 0 || p[n - 1] != '\n')
		buf_append(out, "\n\\ No newline at end of file\n", 29);
}

/* "@@ -START,COUNT" as diff(1) writes it: an empty range names the line before it. */
static void range(struct buf *out, char sign, size_t start, size_t count)
{
	buf_printf(out, "%c%zu", sign, count ? start + 1 : start);
	if (count != 1)
		buf_printf(out, ",%zu", count);
}

void diff_unified(const char *old_label, const char *new_label, const char *a, size_t a_len,
		  const char *b, size_t b_len, struct buf *out)
{
	struct lines la, lb;
	size_t pre = 0, suf = 0;

	if (a_len == b_len && memcmp(a, b, a_len) == 0)
		return;
	split(a, a_len, &la);
	split(b, b_len, &lb);
	while (pre < la.count && pre < lb.count && same(&la, pre, &lb, pre))
		pre++;
	while (suf < la.count - pre && suf < lb.count - pre &&
	       same(&la, la.count - 1 - suf, &lb, lb.count - 1 - suf))
		suf++;
	size_t a0 = pre > CONTEXT ? pre - CONTEXT : 0, b0 = a0;
	size_t ctx_after = suf > CONTEXT ? CONTEXT : suf;
	size_t a1 = la.count - suf + ctx_after, b1 = lb.count - suf + ctx_after;

	buf_printf(out, "--- %s\n+++ %s\n@@ ", old_label ? old_label : "/dev/null", new_label);
	range(out, '-', a0, a1 - a0);
	buf_append(out, " ", 1);
	range(out, '+', b0, b1 - b0);
	buf_append(out, " @@\n", 4);
	for (size_t i = a0; i < pre; i++)
		emit(out, ' ', la.p[i], la.n[i]);
	for (size_t i = pre; i < la.count - suf; i++)
		emit(out, '-', la.p[i], la.n[i]);
	for (size_t i = pre; i < lb.count - suf; i++)
		emit(out, '+', lb.p[i], lb.n[i]);
	for (size_t i = la.count - suf; i < a1; i++)
		emit(out, ' ', la.p[i], la.n[i]);
	free(la.p);
	free(la.n);
	free(lb.p);
	free(lb.n);
}
