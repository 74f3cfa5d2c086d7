/* SPDX-License-Identifier: MIT */
/* The configured mount options (fstab's, from meshnfs.conf) against what the kernel shows for
 * a mount in mountinfo. Option strings are split by libmount. */
#pragma once

#include "mount/mountinfo.h"

#include <stddef.h>

/* The options mount(8) hands to the kernel: the configured ones without those only userspace
 * reads (_netdev, x-systemd.*, noauto, nofail, bg, retry=...). A new string, maybe "". */
char *mount_options_kernel(const char *configured);

/* True when the option string (comma separated, as mountinfo or fstab write it) has name. */
bool mount_options_has(const char *optstr, const char *name);

/* One line per configured option the mount does not show as configured, e.g.
 * "soft: missing (the mount is hard)", "timeo=150: the mount has timeo=600". Options the
 * kernel never lists are not compared. Returns the number of lines (0: all as configured). */
size_t mount_options_diff(const char *configured, const struct mount_entry *e, char ***lines);
void mount_options_lines_free(char **lines, size_t n);
