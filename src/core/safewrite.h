/* SPDX-License-Identifier: MIT */
/* Safe replacement of a file that the system needs to boot (fstab, exports) or that another OS
 * reads (.wslconfig). Bytes in, bytes out: the module never interprets the content, so a
 * UTF-16LE .wslconfig goes through it unchanged.
 *
 * One update is: lock (flock on ".NAME.meshnfs.lock" beside the file, against concurrent
 * runs), read the current version, let the caller's edit function compute the new one from it
 * (so the edit is always made on what is on disk under the lock), and when they differ: keep
 * the first version meshnfs ever replaced ("NAME.meshnfs.orig", written once and never
 * again) and one backup of the previous version ("NAME.meshnfs.bak"), both written the same
 * safe way, write a temporary ".NAME.meshnfs-XXXXXX" in the same directory, fsync it, give it
 * the mode, owner and extended attributes of the original (user.*, POSIX ACLs, the SELinux
 * label: flistxattr/fgetxattr/fsetxattr), rename it over the file, fsync the directory. A failure at any step before
 * the rename leaves the original byte-identical and removes the temporary. When the new
 * version equals the current one nothing is written at all (not even the timestamp), and no
 * lock file is created when the caller checked first with safewrite_read(). */
#pragma once

#include "core/diag.h"
#include "core/util.h"

#include <sys/stat.h>
#include <sys/types.h>

#define SAFEWRITE_MAX_SIZE (4 * 1024 * 1024)
#define SAFEWRITE_BACKUP_SUFFIX ".meshnfs.bak"
#define SAFEWRITE_ORIGINAL_SUFFIX ".meshnfs.orig"

enum {
	/* For Windows filesystems (drvfs, 9p on /mnt/c): chmod, chown and fsync of the directory
	 * may be unsupported there; their failures are ignored instead of aborting. */
	SAFEWRITE_BEST_EFFORT_METADATA = 1 << 0,
	/* Do not keep a backup of the previous version (nor the .orig). */
	SAFEWRITE_NO_BACKUP = 1 << 1,
};

struct safewrite_opts {
	mode_t new_mode;     /* mode of a file that does not exist yet; 0 means 0644 */
	int lock_timeout_ms; /* how long to wait for another run's lock; <= 0 means 30 s */
	unsigned flags;
	/* The lock file; NULL means ".NAME.meshnfs.lock" beside the file. (A file in a Windows
	 * profile may want its lock elsewhere, e.g. under /run.) */
	const char *lock_path;
};

/* The edit: from the current content (exists false, old "" when the file is absent) make the
 * new content in out (an empty buf on entry). Return 0, or a negative errno; -EBADMSG with
 * diag filled when the current content cannot be edited (bad input: nothing is written). */
typedef int (*safewrite_edit_fn)(void *userdata, const char *old, size_t old_len, bool exists,
				 struct buf *out, struct diag *diag);

/* Where the update stopped, for messages: "lock", "read", "edit", "backup", "open", "write",
 * "fsync", "chmod", "chown", "xattr", "close", "rename", "sync directory". */
struct safewrite_result {
	bool changed;        /* a new version is in place */
	bool created;        /* the file did not exist before */
	bool dir_sync_failed; /* renamed, but fsync of the directory failed (changed is true) */
	char *backup;        /* the backup of the previous version, or NULL */
	char *original;      /* the .orig written by this update (the first change), or NULL */
	const char *step;    /* the failing step, or NULL */
};

/* Every path (the file, its directory, lock, backup, temporary) is resolved under --root
 * (core/root.h): the directory is opened once inside the root and everything else is made
 * relative to it (*at calls), so no link leads a write out of the root.
 *
 * Reads the file (at most SAFEWRITE_MAX_SIZE) without locking. -ENOENT when absent, -EFBIG,
 * -EISDIR, -EFTYPE_ (a FIFO, socket or device) or -ELOOP (a symbolic link: meshnfs does not
 * replace links) or another -errno. */
int safewrite_read(const char *path, char **out, size_t *out_len);
/* The same for a file meshnfs is strict about (fstab, exports): -ENOENT as is, any other
 * failure -EBADMSG with diag naming the file and the problem ("is a FIFO, not a regular
 * file", "is a symbolic link: ...", "larger than ..."), for exit 65. */
int safewrite_read_input(const char *path, char **out, size_t *out_len, struct diag *diag);

/* The whole update described above. Returns 0 (res->changed tells whether anything was
 * written) or a negative errno with res->step naming where it failed (-EBADMSG: the edit
 * refused the content, diag filled). res must be freed with safewrite_result_free. */
int safewrite_update(const char *path, safewrite_edit_fn edit, void *userdata,
		     const struct safewrite_opts *opts, struct safewrite_result *res,
		     struct diag *diag);

/* What safewrite_update would write, without lock or write (for a plan or --dry-run): the
 * current content in *old (new string; "" with *exists false when absent) and the edit's
 * result in out. Returns 0, a read error (-ELOOP, -EFBIG, -EISDIR, ...) or the edit's error. */
int safewrite_preview(const char *path, safewrite_edit_fn edit, void *userdata, char **old,
		      size_t *old_len, bool *exists, struct buf *out, struct diag *diag);

void safewrite_result_free(struct safewrite_result *res);
