/* SPDX-License-Identifier: MIT */
/* /etc/fstab: libmount's parse, the byte scan and the editor. Invariants: a failure always
 * says why; the edited file parses again with exactly one matching entry for the mount point;
 * every byte outside the edited line is kept; editing again changes nothing. */
#include "fuzz.h"
#include "fstab/fstab.h"

#include <errno.h>

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
	fstab_free(&f);
	buf_append(&out, "", 0);
	int r = fstab_set_entry("fuzz", in, size, e, &out, &d);
	if (r < 0) {
		if (r != -EBADMSG || !d.msg[0] || i != -EBADMSG)
			abort(); /* only duplicate entries may refuse an edit */
		buf_free(&out);
		return 0;
	}
	if (out.len < keep_head + keep_tail || memcmp(out.data, in, keep_head) != 0 ||
	    memcmp(out.data + out.len - keep_tail, in + size - keep_tail, keep_tail) != 0)
		abort();
	if (fstab_parse("fuzz", out.data, out.len, &f, &d) < 0)
		abort();
	i = fstab_find(&f, e->target, &d);
	if (i < 0 || !fstab_line_matches(&f.lines[i], e))
		abort();
	fstab_free(&f);
	buf_append(&again, "", 0);
	if (fstab_set_entry("fuzz", out.data, out.len, e, &again, &d) < 0 || again.len != out.len ||
	    memcmp(again.data, out.data, out.len) != 0)
		abort();
	buf_free(&out);
	buf_free(&again);
	return 0;
}
