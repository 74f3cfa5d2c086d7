/* SPDX-License-Identifier: MIT */
/* INI files, as meshnfs.conf, /etc/wsl.conf and %USERPROFILE%\.wslconfig write them:
 * "[section]", "key = value", comments with # or ; (whole line, or after whitespace),
 * optional double quotes around a value, CRLF tolerated. The text must already be UTF-8 (see
 * format/text.h). */
#pragma once

#include "core/diag.h"

#define INI_MAX_LINE 4096

struct ini_entry {
	char *section; /* "" before any section header */
	char *key;
	char *value;
	unsigned line;
};

/* A malformed line: strict parsers stop on it, lenient ones (the WSL files, which WSL
 * itself reads leniently) keep it as a finding. */
struct ini_bad_line {
	unsigned line;
	char *msg;
};

struct ini_doc {
	struct ini_entry *entries;
	size_t n_entries;
	struct ini_bad_line *bad;
	size_t n_bad;
	/* Section headers as they appeared, with their line numbers. */
	struct ini_entry *sections; /* key and value are NULL */
	size_t n_sections;
};

/* Parses a whole UTF-8 buffer. NUL bytes and over-long lines are errors in both modes. */
int ini_parse_buffer(const char *file, const char *data, size_t len, bool lenient,
		     struct ini_doc *doc, struct diag *diag);

/* The last value of section.key (case-insensitive names), or NULL; *line gets its line. */
const char *ini_doc_get(const struct ini_doc *doc, const char *section, const char *key,
			unsigned *line);
void ini_doc_free(struct ini_doc *doc);

/* "true"/"false", "yes"/"no", "on"/"off", "1"/"0", any case. Returns 1, 0 or -EINVAL. */
int ini_parse_bool(const char *value);
