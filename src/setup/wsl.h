/* SPDX-License-Identifier: MIT */
/* `meshnfs setup wsl`: what it writes, as pure functions (bytes in, bytes out). The Windows
 * side: [wsl2] networkingMode=mirrored in %USERPROFILE%\.wslconfig, in the file's own
 * encoding (UTF-16LE with BOM, UTF-8 with or without BOM), line endings, comments and every
 * other setting kept; a misspelt key (networkMode) in [wsl2] is corrected in place. The
 * distro side: [boot] systemd=true in /etc/wsl.conf. Idempotent: a file that is already
 * right comes out byte for byte. The command layer plans, shows the diff and writes through
 * the safe-write module of `setup`. */
#pragma once

#include "format/ini_edit.h"
#include "format/text.h"

struct setup_wsl_edit {
	struct buf after;       /* the new bytes (equal to the old ones when unchanged) */
	bool changed;
	enum text_encoding encoding;
	bool crlf;
	struct ini_set_result res;
};

/* data/len: the current file (len 0 and data NULL when it does not exist). A new .wslconfig
 * is UTF-8 with CRLF (a Windows file), a new wsl.conf UTF-8 with LF. Returns 0, or -EBADMSG
 * with diag (an undecodable file, a NUL byte, an over-long line): nothing is to be written. */
int setup_wsl_wslconfig(const char *path, const void *data, size_t len,
			struct setup_wsl_edit *e, struct diag *diag);
int setup_wsl_conf(const char *path, const void *data, size_t len, struct setup_wsl_edit *e,
		   struct diag *diag);
void setup_wsl_edit_free(struct setup_wsl_edit *e);

/* What the user does after the files changed, on the Windows side. */
#define SETUP_WSL_RESTART_HINT                                                              \
	"From Windows (PowerShell or cmd), run `wsl --shutdown`, wait about 8 seconds for the " \
	"WSL VM to stop, then open the distro again: WSL reads .wslconfig and wsl.conf only "  \
	"when it starts."
