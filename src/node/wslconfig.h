/* SPDX-License-Identifier: MIT */
/* What is wrong in a %USERPROFILE%\.wslconfig, the way WSL reads it: WSL silently ignores
 * keys it does not know and falls back to NAT on values it does not know, so a typo costs the
 * whole Working Model of the guide without a word. Pure: works on a parsed document. */
#pragma once

#include "format/ini.h"

enum wslcfg_kind {
	WSLCFG_TYPO,       /* "networkMode": a misspelt networkingMode */
	WSLCFG_MISPLACED,  /* networkingMode outside [wsl2] */
	WSLCFG_BAD_VALUE,  /* a mode WSL does not know */
	WSLCFG_DUPLICATE,  /* networkingMode twice in [wsl2]: the last one counts */
	WSLCFG_WRONG_FILE, /* a distro setting ([boot], [automount], ...) that belongs in wsl.conf */
	WSLCFG_SECTION,    /* "[wsl]", "[wls2]": a misspelt [wsl2] */
};

struct wslcfg_finding {
	enum wslcfg_kind kind;
	unsigned line;
	char *msg; /* one line: what is written and what WSL does with it */
	char *fix; /* the exact line to write instead */
};

struct wslcfg_lint {
	struct wslcfg_finding *v;
	size_t n;
	const char *mode;   /* [wsl2] networkingMode as written (the last one), or NULL */
	unsigned mode_line;
};

void wslconfig_lint(const struct ini_doc *doc, struct wslcfg_lint *out);
void wslcfg_lint_free(struct wslcfg_lint *l);
/* A key that is a misspelling of networkingMode (not networkingMode itself, any case). */
bool wslconfig_key_is_typo(const char *key);
