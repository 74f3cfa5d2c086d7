/* SPDX-License-Identifier: MIT */
/* What only format/'s own files (and their unit tests) share: not part of the
 * module's API (the public headers), so it may change with them. */
#pragma once

#include "format/tsping.h"
#include "format/nfsdclient.h"
#include "format/ini.h"
#include "format/cidr.h"

/* The grammar the parser and the editor (ini_edit.c) share, so that what one reads as a key
 * or a comment the other does too. A character of a key or section name: a letter, a digit,
 * '_', '-' or '.'. */
bool ini_key_char(char c);

/* Where an inline comment starts in p[0..len) (a value): '#' or ';' right after a blank (space
 * or tab), outside double quotes; len when there is none. */
size_t ini_comment_at(const char *p, size_t len);

void nfsd_client_ctx_init(struct nfsd_client_ctx *ctx, const char *file, struct nfsd_client *out,
			  struct diag *diag);

/* One line, without its '\n'. 0 or -EBADMSG with diag. */
int nfsd_client_ctx_line(struct nfsd_client_ctx *ctx, const char *line, size_t len);

/* After the last line: the required keys were there. */
int nfsd_client_ctx_finish(struct nfsd_client_ctx *ctx);

/* "none", "direct", "derp", "peer_relay", "type". */
const char *ts_ping_via_name(enum ts_ping_via v);
