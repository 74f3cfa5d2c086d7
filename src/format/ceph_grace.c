/* SPDX-License-Identifier: MIT */
#include "format/ceph_grace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define RULE "======================================================"

/* A decimal uint64 of exactly len bytes. */
static bool parse_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* "cur=N rec=M". */
static bool parse_epochs(const char *s, size_t len, struct ceph_grace *g)
{
	const char *sp = memchr(s, ' ', len);

	if (len < 4 || memcmp(s, "cur=", 4) != 0 || !sp || (size_t)(sp - s) + 5 > len ||
	    memcmp(sp + 1, "rec=", 4) != 0)
		return false;
	return parse_u64(s + 4, (size_t)(sp - s) - 4, &g->cur) &&
	       parse_u64(sp + 5, len - (size_t)(sp - s) - 5, &g->rec);
}

int ceph_grace_parse(const char *source, const char *data, size_t len, struct ceph_grace *g,
		     struct diag *diag)
{
	const char *p = data, *end = data + len;
	unsigned line = 0;
	size_t cap = 0;
	int r;

	*g = (struct ceph_grace){ 0 };
	if (len && memchr(data, '\0', len))
		return diag_set(diag, source, 0, "a NUL byte: not the output of dump");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;
		p = nl ? nl + 1 : end;
		line++;
		if (!nl) {
			/* rados_grace_dump ends every line; a failed read prints "...: ret=N" alone. */
			r = diag_set(diag, source, line, "the last line \"%.*s\" has no end: not a "
				     "complete dump (a failed read prints rados_grace_dump: ret=ERRNO)",
				     (int)(n > 80 ? 80 : n), s);
			goto fail;
		}
		if (line == 1) {
			if (!parse_epochs(s, n, g)) {
				r = diag_set(diag, source, line, "expected \"cur=EPOCH rec=EPOCH\", got "
					     "\"%.*s\"", (int)(n > 80 ? 80 : n), s);
				goto fail;
			}
			if (g->cur == 0) {
				r = diag_set(diag, source, line, "the current epoch is 0 (the database "
					     "starts at 1)");
				goto fail;
			}
			continue;
		}
		if (line == 2) {
			if (n != sizeof(RULE) - 1 || memcmp(s, RULE, n) != 0) {
				r = diag_set(diag, source, line, "expected the line of '=' under the "
					     "epochs");
				goto fail;
			}
			continue;
		}
		/* "NODEID\tFF": F one of "N " then one of "E ". */
		const char *tab = memchr(s, '\t', n);
		size_t id_len = tab ? (size_t)(tab - s) : 0;
		if (!tab || id_len == 0 || n - id_len != 3 || (s[n - 2] != 'N' && s[n - 2] != ' ') ||
		    (s[n - 1] != 'E' && s[n - 1] != ' ')) {
			r = diag_set(diag, source, line, "expected \"NODEID<TAB>FLAGS\" (N and E or "
				     "spaces), got %zu bytes", n);
			goto fail;
		}
		if (id_len > CEPH_GRACE_NODEID_MAX) {
			r = diag_set(diag, source, line, "a node id of %zu bytes (at most %d)", id_len,
				     CEPH_GRACE_NODEID_MAX);
			goto fail;
		}
		for (size_t i = 0; i < id_len; i++)
			if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
				r = diag_set(diag, source, line, "byte %zu of the node id is 0x%02x: "
					     "not a printable ASCII character", i + 1,
					     (unsigned char)s[i]);
				goto fail;
			}
		if (g->n_nodes == CEPH_GRACE_MAX_NODES) {
			r = diag_set(diag, source, line, "more than %d gateways (the database's limit)",
				     CEPH_GRACE_MAX_NODES);
			goto fail;
		}
		for (size_t i = 0; i < g->n_nodes; i++)
			if (strlen(g->nodes[i].nodeid) == id_len &&
			    memcmp(g->nodes[i].nodeid, s, id_len) == 0) {
				r = diag_set(diag, source, line, "node \"%.*s\" listed twice", (int)id_len,
					     s);
				goto fail;
			}
		if (g->n_nodes == cap) {
			cap = cap ? cap * 2 : 8;
			g->nodes = xrealloc(g->nodes, cap * sizeof(*g->nodes));
		}
		g->nodes[g->n_nodes++] = (struct ceph_grace_node){
			.nodeid = xstrndup(s, id_len),
			.need = s[n - 2] == 'N',
			.enforcing = s[n - 1] == 'E',
		};
	}
	if (line < 2) {
		r = diag_set(diag, source, 0, "%s: expected the epochs and a line of '='",
			     line ? "one line" : "empty");
		goto fail;
	}
	return 0;
fail:
	ceph_grace_free(g);
	*g = (struct ceph_grace){ 0 };
	return r;
}

void ceph_grace_free(struct ceph_grace *g)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		free(g->nodes[i].nodeid);
	free(g->nodes);
	g->nodes = NULL;
	g->n_nodes = 0;
}

const struct ceph_grace_node *ceph_grace_find(const struct ceph_grace *g, const char *nodeid)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		if (streq(g->nodes[i].nodeid, nodeid))
			return &g->nodes[i];
	return NULL;
}

size_t ceph_grace_needing(const struct ceph_grace *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n_nodes; i++)
		n += g->nodes[i].need;
	return n;
}
