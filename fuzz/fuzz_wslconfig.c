/* SPDX-License-Identifier: MIT */
/* A .wslconfig or wsl.conf as bytes: what `setup wsl` makes of it (decode, edit, re-encode,
 * and the edit applied again must change nothing), and what the linter finds in it. */
#include "fuzz.h"
#include "node/wslconfig.h"
#include "setup/setup_wsl.h"

static void edit_twice(int (*fn)(void *, const char *, size_t, bool, struct buf *,
				 struct diag *),
		       const uint8_t *data, size_t size)
{
	struct setup_wsl_result res;
	struct buf out = { 0 }, again = { 0 };
	struct diag d = { 0 };

	if (fn(&res, (const char *)data, size, size > 0, &out, &d) == 0) {
		if (fn(&res, out.data, out.len, true, &again, &d) < 0)
			abort(); /* our own output must be readable */
		if (res.changed || again.len != out.len ||
		    (out.len && memcmp(again.data, out.data, out.len)))
			abort(); /* not idempotent */
	}
	buf_free(&out);
	buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text t;
	struct diag d = { 0 };

	edit_twice(setup_wsl_wslconfig_edit, data, size);
	edit_twice(setup_wsl_conf_edit, data, size);
	if (text_decode("fuzz", data, size, &t, &d) == 0) {
		struct ini_doc doc = { 0 };
		struct wslcfg_lint l;
		if (ini_parse_buffer("fuzz", t.utf8, t.len, true, &doc, &d) == 0) {
			wslconfig_lint(&doc, &l);
			wslcfg_lint_free(&l);
		}
		ini_doc_free(&doc);
		text_free(&t);
	}
	return 0;
}
