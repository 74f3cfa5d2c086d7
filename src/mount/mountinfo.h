/* SPDX-License-Identifier: MIT */
/* What is mounted where: /proc/self/mountinfo (under --root), parsed by libmount. Reading
 * mountinfo never touches a mounted filesystem, so it never blocks on a dead server. */
#pragma once

#include "core/diag.h"

#include <stdbool.h>
#include <stdint.h>

/* One mount, copied out of libmount's table. */
struct mount_entry {
	int id, parent_id;  /* mountinfo's first two fields */
	char *target;       /* the mount point */
	char *fstype;       /* "nfs4", "nfs", "autofs", "fuse.sshfs"... */
	char *source;       /* "100.64.0.1:/opt/shared" */
	char *vfs_options;  /* per-mount options: "rw,relatime" */
	char *fs_options;   /* the filesystem's (super block) options: "rw,vers=4.2,soft,..." */
	/* From the source, when it is HOST:PATH (NULL otherwise). */
	char *server;
	char *export_path;
	/* From the super options, NULL when absent. */
	char *clientaddr; /* the client's address as the server sees it (NFSv4 callbacks) */
	char *addr;       /* the server address the kernel connected to */
	char *vers;       /* NFS version, "4.2" */
	bool read_only;   /* "ro" among the per-mount or super options */
};

/* The mounts at one mount point, bottom first, as the kernel stacked them. */
struct mount_stack {
	struct mount_entry *entries;
	size_t n;
	/* The first line libmount could not parse, if any (a warning: the rest was read). */
	bool bad_line;
	struct diag bad;
};

/* Reads the mountinfo file at path (already resolved under the root; "/proc/self/mountinfo"
 * for the live table) and collects the mounts whose target is mountpoint. Returns 0 (n may be
 * 0), a negative errno when the file cannot be read, or -EBADMSG with diag filled when the
 * file is not mountinfo at all. */
int mountinfo_read(const char *path, const char *mountpoint, struct mount_stack *out,
		   struct diag *diag);
/* The same on a buffer (for tests and the fuzzer); file names the input in messages. */
int mountinfo_parse(const char *file, const char *data, size_t len, const char *mountpoint,
		    struct mount_stack *out, struct diag *diag);
void mount_stack_free(struct mount_stack *s);

/* The mount a process sees at the mount point (the last one stacked), or NULL. */
const struct mount_entry *mount_stack_top(const struct mount_stack *s);
/* The topmost mount of fstype (e.g. "nfs4"), or NULL. */
const struct mount_entry *mount_stack_find_type(const struct mount_stack *s, const char *fstype);

/* Splits a network source "HOST:/PATH" or "[V6ADDR]:/PATH" into host and path (new
 * strings). -EINVAL when source is not of that shape (a device, "systemd-1", "tmpfs"...). */
int mount_source_split(const char *source, char **host, char **path);
