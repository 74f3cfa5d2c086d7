/* SPDX-License-Identifier: MIT */
/* exports(5): the parser fed line by line, then the editor. Invariants: a failure always says
 * why; byte ranges lie inside the input; the edited file parses again, holds the client, and
 * editing it again changes nothing. */
#include "fuzz.h"
#include "exports/exports.h"

#define TOK "100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)"

static void check_ranges(const struct exports_file *f, size_t size)
{
	for (size_t i = 0; i < f->n_entries; i++) {
		const struct exports_entry *e = &f->entries[i];
		if (e->start > e->end || e->end > size || e->last_tok_end > e->end || !e->n_clients)
			abort();
		for (size_t k = 0; k < e->n_clients; k++) {
			const struct exports_client *c = &e->clients[k];
			if (c->tok_start > c->tok_end || c->tok_end > e->end || c->tok_start < e->start)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct exports_file f;
	struct diag d = { 0 };
	struct buf out = { 0 }, again = { 0 };

	if (exports_parse("fuzz", in, size, &f, &d) < 0) {
		if (!d.msg[0])
			abort();
		return 0;
	}
	check_ranges(&f, size);
	exports_free(&f);

	buf_append(&out, "", 0);
	if (exports_set_client("fuzz", in, size, "/opt/shared", TOK, &out, &d) < 0)
		abort(); /* a file that parses can always take the client */
	if (exports_parse("fuzz", out.data, out.len, &f, &d) < 0)
		abort();
	int i = exports_find_path(&f, "/opt/shared", 0);
	if (i < 0)
		abort();
	exports_free(&f);
	buf_append(&again, "", 0);
	if (exports_set_client("fuzz", out.data, out.len, "/opt/shared", TOK, &again, &d) < 0 ||
	    again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
		abort();
	buf_free(&out);
	buf_free(&again);
	return 0;
}
