/* SPDX-License-Identifier: MIT */
/* What only core/'s own files (and their unit tests) share: not part of the
 * module's API (the public headers), so it may change with them. */
#pragma once

#include "core/optlist.h"
#include "core/lazylib.h"
#include "core/escape.h"
#include "core/safewrite.h"
#include "core/root.h"
#include "core/util.h"

/* Reads at most max bytes of a file into a NUL-terminated buffer. -EFBIG if larger. */
int read_fd_bounded(int fd, size_t max, char **out, size_t *out_len);

/* RESOLVE_IN_ROOT done in user space, one name at a time below the directory rfd: each name
 * looked at without following it (O_PATH|O_NOFOLLOW), a link's text spliced into the rest
 * (an absolute one from rfd again; at most 40), ".." never above rfd (the walk keeps its own
 * stack of directories instead of asking the kernel for ".."), the last name opened with
 * O_NOFOLLOW so a link put there after the look is refused (-ELOOP), never followed. A link is
 * read as text, so a /proc magic link is resolved as an ordinary path inside the root. O_CREAT
 * creates only a name that is not there (a dangling link is not followed to create its
 * target). Returns an fd or a negative errno. */
int root_walk_open(int rfd, const char *rel, int flags, mode_t mode);

/* For tests: resolve with root_walk_open even where openat2 exists. */
void root_force_walk(bool on);

/* lstat(2) by the same rule for every component but the last, which may be a link. */
int root_lstat(const char *path, struct stat *st);

/* path exists, a link counting as itself (a dangling systemd "wants" link is there). */
bool root_lexists(const char *path);

/* The simple case: the new content is given (bytes in). Same steps and guarantees. */
int safewrite_file(const char *path, const void *data, size_t len,
		   const struct safewrite_opts *opts, struct safewrite_result *res);

/* The paths the module uses beside path (new strings). */
char *safewrite_backup_path(const char *path);
char *safewrite_lock_path(const char *path);
char *safewrite_original_path(const char *path);

/* s escaped (ESC_KEEP_LAYOUT not set: one line stays one line), a new string. */
char *escape_str(const char *s);

/* Why the last lazylib_sym failed (dlerror's words), or "". */
const char *lazylib_error(void);

bool strv_contains(char *const *v, size_t n, const char *s);
