/* SPDX-License-Identifier: MIT */
/* A .wslconfig or wsl.conf as bytes: what `setup wsl` makes of it (decode, edit, re-encode,
 * and the edit applied again must change nothing), and what the linter finds in it. */
#include "fuzz.h"
#include "node/wslconfig.h"
#include "setup/wsl.h"

static void edit_twice(int (*fn)(const char *, const void *, size_t, struct setup_wsl_edit *,
				 struct diag *),
		       const uint8_t *data, size_t size)
{
	struct setup_wsl_edit e, again;
	struct diag d = { 0 };

	if (fn("fuzz", data, size, &e, &d) < 0)
		return;
	if (fn("fuzz", e.after.data, e.after.len, &again, &d) == 0) {
		if (again.changed)
			abort(); /* not idempotent */
		setup_wsl_edit_free(&again);
	} else if (e.after.len) {
		abort(); /* our own output must be readable */
	}
	setup_wsl_edit_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text t;
	struct diag d = { 0 };

	edit_twice(setup_wsl_wslconfig, data, size);
	edit_twice(setup_wsl_conf, data, size);
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
