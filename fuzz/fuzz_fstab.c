/* SPDX-License-Identifier: MIT */
/* /etc/fstab: libmount's parse, the byte scan and the editor. Invariants: a failure always
 * says why; the edited file parses again with exactly one matching entry for the mount point;
 * every byte outside the edited line is kept; the edited line has six fields and is either
 * the old one with its indent, separators and trailing blanks kept byte for byte (and fields
 * that already meant the same kept), or a clean line with one separator throughout (the
 * fallback when libmount rejects the kept form); editing again changes nothing. */
#include "fuzz.h"
#include "fstab/fstab.h"

#include <errno.h>

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* The edited line b (in out) against the original a (in in): kept or clean, as above. */
static void check_edited_line(const char *in, const struct fstab_line *a, const char *out,
			      const struct fstab_line *b)
{
	bool kept = true, clean = true;
	size_t sep0 = b->field_start[1] - b->field_end[0];

	if (b->n_fields != FSTAB_FIELDS)
		abort();
	/* kept: the indent, every separator the old line had, what followed its last field */
	kept = same(in + a->start, a->field_start[0] - a->start, out + b->start,
		    b->field_start[0] - b->start);
	for (unsigned k = 1; kept && k < a->n_fields; k++)
		kept = same(in + a->field_end[k - 1], a->field_start[k] - a->field_end[k - 1],
			    out + b->field_end[k - 1], b->field_start[k] - b->field_end[k - 1]);
	if (kept && a->n_fields > 0) {
		size_t ta = a->end - a->field_end[a->n_fields - 1];
		size_t tb = b->end - b->field_end[FSTAB_FIELDS - 1];
		kept = same(in + a->field_end[a->n_fields - 1], ta,
			    out + b->field_end[FSTAB_FIELDS - 1], tb);
	}
	/* a field that meant the same before keeps its bytes in the kept form */
	for (unsigned k = 0; kept && k < a->n_fields && k < 3; k++)
		if (a->field[k] && b->field[k] && !strcmp(a->field[k], b->field[k]) && k != 1)
			kept = same(in + a->field_start[k], a->field_end[k] - a->field_start[k],
				    out + b->field_start[k], b->field_end[k] - b->field_start[k]);
	/* clean: one separator throughout, nothing after the last field */
	for (unsigned k = 2; clean && k < FSTAB_FIELDS; k++)
		clean = same(out + b->field_end[0], sep0, out + b->field_end[k - 1],
			     b->field_start[k] - b->field_end[k - 1]);
	clean = clean && b->end == b->field_end[FSTAB_FIELDS - 1];
	if (!kept && !clean)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fstab_entry entries[] = {
		{ "100.64.0.1:/opt/shared", "/opt/shared", "nfs4",
		  "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150", 0, 0 },
		{ "100.64.0.1:/my share", "/mnt/my share", "nfs4", "soft,bg", 0, 0 },
	};
	const struct fstab_entry *e = &entries[size && (data[0] & 1)];
	const char *in = (const char *)data;
	struct fstab f;
	struct diag d = { 0 };
	struct buf out = { 0 }, again = { 0 };
	size_t keep_head = size, keep_tail = 0;

	if (fstab_parse("fuzz", in, size, &f, &d) < 0) {
		if (!d.msg[0])
			abort();
		return 0;
	}
	int i = fstab_find(&f, e->target, &d);
	if (i >= 0) {
		keep_head = f.lines[i].start;
		keep_tail = size - f.lines[i].end;
	}
	buf_append(&out, "", 0);
	int r = fstab_set_entry("fuzz", in, size, e, &out, &d);
	if (r < 0) {
		if (r != -EBADMSG || !d.msg[0] || i != -EBADMSG)
			abort(); /* only duplicate entries may refuse an edit */
		fstab_free(&f);
		buf_free(&out);
		return 0;
	}
	if (out.len < keep_head + keep_tail || memcmp(out.data, in, keep_head) != 0 ||
	    memcmp(out.data + out.len - keep_tail, in + size - keep_tail, keep_tail) != 0)
		abort();
	struct fstab g;
	if (fstab_parse("fuzz", out.data, out.len, &g, &d) < 0)
		abort();
	int j = fstab_find(&g, e->target, &d);
	if (j < 0 || !fstab_line_matches(&g.lines[j], e))
		abort();
	if (i >= 0 && !fstab_line_matches(&f.lines[i], e))
		check_edited_line(in, &f.lines[i], out.data, &g.lines[j]);
	fstab_free(&f);
	fstab_free(&g);
	buf_append(&again, "", 0);
	if (fstab_set_entry("fuzz", out.data, out.len, e, &again, &d) < 0 || again.len != out.len ||
	    memcmp(again.data, out.data, out.len) != 0)
		abort();
	buf_free(&out);
	buf_free(&again);
	return 0;
}
