/* SPDX-License-Identifier: MIT */
/* INI parser (meshnfs.conf, wsl.conf, .wslconfig), strict and lenient, then lookups. */
#include "fuzz.h"

#include <errno.h>
#include "format/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int lenient = 0; lenient < 2; lenient++) {
		struct ini_doc doc = { 0 };
		struct diag d = { 0 };
		if (ini_parse_buffer("fuzz", (const char *)data, size, lenient, &doc, &d) == 0) {
			size_t lines = fuzz_lines(data, size);
			ini_doc_get(&doc, "wsl2", "networkingMode", NULL);
			/* Bounded by the input; strict parsing keeps no bad line; every entry is
			 * found again by its own section and key, on a line at or after its own
			 * (the last value wins), and lines never go backwards. */
			FUZZ_ASSERT(doc.n_entries + doc.n_sections + doc.n_bad <= lines);
			FUZZ_ASSERT(lenient || doc.n_bad == 0);
			for (size_t i = 0; i < doc.n_entries; i++) {
				const struct ini_entry *e = &doc.entries[i];
				unsigned line = 0;
				FUZZ_ASSERT(e->section && e->key && e->value && e->key[0]);
				FUZZ_ASSERT(e->line >= 1 && e->line <= lines);
				FUZZ_ASSERT(i == 0 || e->line > doc.entries[i - 1].line);
				FUZZ_ASSERT(ini_doc_get(&doc, e->section, e->key, &line) != NULL);
				FUZZ_ASSERT(line >= e->line);
				int b = ini_parse_bool(e->value);
				FUZZ_ASSERT(b == 0 || b == 1 || b == -EINVAL);
			}
			for (size_t i = 0; i < doc.n_bad; i++)
				FUZZ_ASSERT(doc.bad[i].msg && doc.bad[i].msg[0]);
		} else {
			FUZZ_ASSERT(d.msg[0]);
		}
		ini_doc_free(&doc);
	}
	return 0;
}
