/* SPDX-License-Identifier: MIT */
/* Setting one key of an INI file written by a person (.wslconfig, /etc/wsl.conf) without
 * disturbing anything else: comments, blank lines, spacing around '=', inline comments, key
 * spelling, line endings and every other setting stay byte for byte. Pure, on UTF-8 text
 * (format/text.h decodes and re-encodes the file's own encoding). */
#pragma once

#include "core/diag.h"

struct ini_set {
	const char *section; /* "wsl2" (names compare case-insensitively, as WSL does) */
	const char *key;     /* "networkingMode" */
	const char *value;   /* "mirrored" */
	/* Optional: a misspelt key that means this one ("networkMode"); when the section has no
	 * correct key, the first such line is rewritten instead of adding a line. */
	bool (*is_typo)(const char *key);
	/* Optional: whether a written value already means the wanted one ("yes" for "true");
	 * default: equal ignoring case. */
	bool (*same)(const char *written, const char *wanted);
};

enum ini_set_action {
	INI_SET_UNCHANGED, /* the effective value already is the wanted one */
	INI_SET_REPLACED,  /* the value of the (last) existing key line was replaced */
	INI_SET_RENAMED,   /* a misspelt key line was rewritten */
	INI_SET_INSERTED,  /* a key line was added under the existing section header */
	INI_SET_APPENDED,  /* the section and the key were appended at the end */
};

struct ini_set_result {
	enum ini_set_action action;
	unsigned line; /* 1-based line of the result that holds the key */
};

/* Writes the edited text to out (appending). crlf: the line ending for added lines (the
 * file's own; text.h tells). Returns 0, or -EBADMSG (diag: file, line) on a line longer than
 * INI_MAX_LINE or a NUL byte. */
int ini_set(const char *file, const char *text, size_t len, const struct ini_set *set,
	    bool crlf, struct buf *out, struct ini_set_result *res, struct diag *diag);
