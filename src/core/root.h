/* SPDX-License-Identifier: MIT */
/* Every system path meshnfs reads or writes goes through here, resolved under --root. */
#pragma once

#include <stdbool.h>

/* Sets the root directory ("/" by default). The string must outlive all callers. */
void root_set(const char *root);
const char *root_get(void);
/* The root is this machine's own "/" (any number of slashes): live facts (network, processes,
 * mounts) then describe the same machine as the files. */
bool root_is_host(void);
/* Returns a newly allocated path: ROOT + path. path must be absolute. */
char *root_path(const char *path);
/* Whether path (absolute) has an entry under the root. A symbolic link counts as itself and is
 * never followed (lstat): a dangling link exists, and an absolute link cannot lead the check
 * outside the root. */
bool root_entry_exists(const char *path);
