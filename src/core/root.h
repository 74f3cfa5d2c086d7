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
