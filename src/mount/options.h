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

/* What the NFS options of a mount (as mountinfo lists them: soft, softerr or neither = hard,
 * timeo=, retrans=) bound, in words for doctor's detail, from bench/README.md's mount-options
 * matrix (Linux 6.1 client, ganesha server, measured): which faults make a blocked operation
 * return with an error, after about how long, and which faults nothing bounds (a hung server
 * whose TCP still answers). A new string, one paragraph. */
char *mount_options_bounds(const char *fs_options);
