/* SPDX-License-Identifier: MIT */
/* Every system path meshnfs reads or writes goes through here, resolved under --root.
 *
 * Link semantics (one rule for every file meshnfs touches): a path built by root_path() is
 * opened with openat2(RESOLVE_IN_ROOT) on the root directory: the part after the root is
 * resolved as if the root were "/". Symbolic links are followed, but an absolute target starts
 * at the root and ".." stops at it, so no link (absolute, relative, or through any number of
 * hops) leads outside DIR; /proc-style magic links are refused (RESOLVE_NO_MAGICLINKS). On the
 * machine's own root ("/") this is ordinary path resolution. A path that is not under the root
 * (a file named on the command line, e.g. --config) is opened as given. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Sets the root directory ("/" by default). The string must outlive all callers. */
void root_set(const char *root);
const char *root_get(void);
/* The root is this machine's own "/" (any number of slashes): live facts (network, processes,
 * mounts) then describe the same machine as the files, and programs may run. */
bool root_is_host(void);
/* Returns a newly allocated path: ROOT + path. path must be absolute. */
char *root_path(const char *path);

/* open(2) of path (normally a root_path() result) by the rule above. Returns an fd or a
 * negative errno (-ELOOP or -EXDEV: a magic link). On a kernel without openat2 (< 5.6) the
 * same rule is kept by root_walk_open. */
int root_open(const char *path, int flags, mode_t mode);
/* stat(2) by the same rule (links followed inside the root). 0 or a negative errno. */
int root_stat(const char *path, struct stat *st);
/* The one existence test: path exists (as root_stat sees it: a link counts when its target,
 * resolved inside the root, exists). */
bool root_exists(const char *path);
/* Whether path (absolute, NOT yet under the root: root_path() is applied) has an entry under
 * the root. A symbolic link counts as itself and is never followed (root_lexists): a dangling
 * link exists, and an absolute link cannot lead the check outside the root. The one
 * existence test for files named by their place on the audited machine. */
bool root_entry_exists(const char *path);
/* opendir(3) by the same rule; NULL with errno set. */
DIR *root_opendir(const char *path);
/* mkdir(2) of path's last component inside its parent, the parent resolved by the rule (the
 * new directory itself is never a link). 0 or a negative errno (-EEXIST). */
int root_mkdir(const char *path, mode_t mode);
