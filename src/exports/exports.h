/* SPDX-License-Identifier: MIT */
/* exports(5), as nfs-utils reads it (support/nfs/exports.c, xio.c): an export per logical
 * line, "PATH [-DEFAULTS] CLIENT[(OPTIONS)] ...". A backslash at the end of a line continues
 * it (the next line's leading blanks are skipped); '#' where a token would start begins a
 * comment; double quotes keep blanks inside a token; \ooo octal escapes give any byte. No
 * library parses this file, so this one is fed line by line through a context struct (the
 * wireguard-tools config.c shape) and fuzzed. Unknown options and malformed clients are
 * errors quoting the token (exportfs refuses them too). Every token keeps its byte range, so
 * the editor (exports_set_client) changes one token and leaves every other byte alone. */
#pragma once

#include "core/diag.h"
#include "core/util.h"
#include "format/cidr.h"

#define EXPORTS_MAX_PATH 1024  /* NFS_MAXPATHLEN */
#define EXPORTS_MAX_CLIENT 511 /* nfs-utils reads a client token into 512 bytes */

enum exports_client_kind {
	EXPORTS_WORLD,    /* "*", "(opts)" without a name, or a path with no client: everyone */
	EXPORTS_WILDCARD, /* a host name pattern with * ? or [...] */
	EXPORTS_NETGROUP, /* @group */
	EXPORTS_IPV4,     /* an IPv4 address or network (net) */
	EXPORTS_IPV6,     /* an IPv6 address or network */
	EXPORTS_HOST,     /* one host name */
};

struct exports_client {
	char *name; /* decoded; "" when no name was given */
	enum exports_client_kind kind;
	struct cidr net; /* EXPORTS_IPV4: the network, host bits cleared */
	char **opts;     /* effective options in order: the line's defaults, then its own */
	size_t n_opts;
	size_t n_own;     /* how many of opts (the last ones) came in its own parentheses */
	bool has_parens;  /* "(...)" followed the name */
	unsigned line;    /* where the token is */
	size_t tok_start, tok_end; /* its bytes in the buffer (equal when implicit) */
};

struct exports_entry {
	char *path; /* decoded */
	struct exports_client *clients;
	size_t n_clients;
	unsigned line;       /* first physical line */
	size_t start, end;   /* the logical line's bytes, through its last '\n' */
	size_t last_tok_end; /* end of its last token: where a client can be added */
};

struct exports_file {
	char *file;
	struct exports_entry *entries;
	size_t n_entries;
};

/* Where a byte of the logical line came from. */
struct exports_pos {
	size_t offset;
	unsigned line;
};

/* The parser's state between lines. */
struct exports_ctx {
	const char *file;
	struct exports_file *out;
	struct diag *diag;
	struct buf logical; /* the logical line gathered so far */
	struct exports_pos *map; /* where each byte of logical came from */
	size_t map_cap;
	unsigned line;       /* lines fed so far */
	unsigned first_line; /* first line of the logical line */
	size_t start;        /* its first byte in the buffer */
	bool continued;      /* the previous line ended with a continuation */
	int error;
};

/* The whole buffer through the context. -EBADMSG with diag (file, line, quoted token). */
int exports_parse(const char *file, const char *data, size_t len, struct exports_file *out,
		  struct diag *diag);
void exports_free(struct exports_file *f);

/* The effective value of an on/off option pair for a client: the last of on or off among its
 * options, or dflt (e.g. "no_root_squash","root_squash",false). */
bool exports_client_flag(const struct exports_client *c, const char *on, const char *off,
			 bool dflt);
const char *exports_kind_name(enum exports_client_kind k);

/* The entry index exporting path, from index from on; -ENOENT when none. */
int exports_find_path(const struct exports_file *f, const char *path, size_t from);

/* A path as exports(5) needs it: blanks, quotes, '#', backslashes and control bytes as \ooo. */
char *exports_escape_path(const char *path);

/* New content into out: data with path exported to client_token ("NET(opts)" or
 * "*(opts)"): the client of that name replaced in place on the first line exporting path that
 * has it, else added at the end of the first line exporting path, else a new line appended.
 * Unchanged data when the client is there with the same set of options. -EBADMSG on a bad
 * file. */
int exports_set_client(const char *file, const char *data, size_t len, const char *path,
		       const char *client_token, struct buf *out, struct diag *diag);

/* The exports files in the order exportfs reads them: "/etc/exports", then every
 * /etc/exports.d/NAME.exports (NAME not starting with '.') in name order; system paths, to be
 * resolved with root_path(). The directory is read under the root (core/root.h). Absent
 * exports.d: only /etc/exports. exports.d that is not a directory, or a *.exports entry that
 * is a symbolic link or not a regular file: -EBADMSG, diag names it (meshnfs neither follows
 * nor replaces links there). Free with exports_files_free. */
int exports_files_list(char ***out, size_t *n, struct diag *diag);
void exports_files_free(char **v, size_t n);
