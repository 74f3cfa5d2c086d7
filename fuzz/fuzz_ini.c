/* SPDX-License-Identifier: MIT */
/* INI parser (meshnfs.conf, wsl.conf, .wslconfig), strict and lenient, then lookups. */
#include "fuzz.h"
#include "format/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int lenient = 0; lenient < 2; lenient++) {
		struct ini_doc doc = { 0 };
		struct diag d = { 0 };
		if (ini_parse_buffer("fuzz", (const char *)data, size, lenient, &doc, &d) == 0) {
			ini_doc_get(&doc, "wsl2", "networkingMode", NULL);
			for (size_t i = 0; i < doc.n_entries; i++)
				ini_parse_bool(doc.entries[i].value);
		}
		ini_doc_free(&doc);
	}
	return 0;
}
