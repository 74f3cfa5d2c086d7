/* SPDX-License-Identifier: MIT */
/* `meshnfs setup wsl`: what it writes, as pure edit functions (bytes in, bytes out) of the
 * type safewrite_edit_fn (core/safewrite.h): the file is locked, read, edited by these and
 * replaced atomically there.
 * The Windows side: [wsl2] networkingMode=mirrored in %USERPROFILE%\.wslconfig, in the file's
 * own encoding (UTF-16LE with BOM, UTF-8 with or without BOM), line endings, comments and every
 * other setting kept; a misspelt key (networkMode) in [wsl2] is corrected in place. The
 * distro side: [boot] systemd=true in /etc/wsl.conf. Idempotent: a file that is already right
 * comes out byte for byte (so nothing is written). */
#pragma once

#include "format/ini_edit.h"
#include "format/text.h"

/* What an edit did, when userdata points to one (it may be NULL). */
struct setup_wsl_result {
	bool changed;
	enum text_encoding encoding;
	bool crlf;
	struct ini_set_result set; /* action and line */
};

/* old/old_len: the current file (exists false and old_len 0 when there is none). A new
 * .wslconfig is UTF-8 with CRLF (a Windows file), a new wsl.conf UTF-8 with LF. Appends the
 * new content to out. Returns 0, or -EBADMSG with diag (an undecodable file, a NUL byte, an
 * over-long line): nothing is to be written. */
int setup_wsl_wslconfig_edit(void *userdata, const char *old, size_t old_len, bool exists,
			     struct buf *out, struct diag *diag);
int setup_wsl_conf_edit(void *userdata, const char *old, size_t old_len, bool exists,
			struct buf *out, struct diag *diag);

/* What the user does after the files changed, on the Windows side. */
#define SETUP_WSL_RESTART_HINT                                                              \
	"From Windows (PowerShell or cmd), run `wsl --shutdown`, wait about 8 seconds for the " \
	"WSL VM to stop, then open the distro again: WSL reads .wslconfig and wsl.conf only "  \
	"when it starts."
