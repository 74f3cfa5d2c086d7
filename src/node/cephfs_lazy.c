/* SPDX-License-Identifier: MIT */
/* libcephfs.h insists (a no-op on 64-bit systems, where off_t has 64 bits anyway). */
#define _FILE_OFFSET_BITS 64
/* The libcephfs functions ceph.client's check calls (node/ceph_cli.c), loaded on first use
 * (core/lazylib.h): only a CephFS gateway's doctor and setup pay for libcephfs and the Ceph
 * libraries it brings. cephfs_lazy_load loads it ahead of the fork that uses it. */
#include "core/lazylib.h"
#include "node/ceph_cli.h"
#include "node/node_private.h"

#include <errno.h>
#include <cephfs/libcephfs.h>

static struct lazylib cephfs = LAZYLIB_INIT("libcephfs.so.2");

int cephfs_lazy_load(void)
{
	return lazylib_sym(&cephfs, "ceph_create") ? 0 : -ENOENT;
}

LAZYLIB_FWD(cephfs, int, ceph_create, -ENOSYS,
	    (struct ceph_mount_info **cmount, const char *const id), (cmount, id))
LAZYLIB_FWD(cephfs, int, ceph_conf_read_file, -ENOSYS,
	    (struct ceph_mount_info *cmount, const char *path_list), (cmount, path_list))
LAZYLIB_FWD(cephfs, int, ceph_conf_set, -ENOSYS,
	    (struct ceph_mount_info *cmount, const char *option, const char *value),
	    (cmount, option, value))
LAZYLIB_FWD(cephfs, int, ceph_init, -ENOSYS, (struct ceph_mount_info *cmount), (cmount))
LAZYLIB_FWD(cephfs, int, ceph_select_filesystem, -ENOSYS,
	    (struct ceph_mount_info *cmount, const char *fs_name), (cmount, fs_name))
LAZYLIB_FWD(cephfs, int, ceph_mount, -ENOSYS,
	    (struct ceph_mount_info *cmount, const char *root), (cmount, root))
LAZYLIB_VOID(cephfs, ceph_shutdown, (struct ceph_mount_info *cmount), (cmount))
LAZYLIB_FWD(cephfs, int, ceph_statx, -ENOSYS,
	    (struct ceph_mount_info *cmount, const char *path, struct ceph_statx *stx,
	     unsigned int want, unsigned int flags),
	    (cmount, path, stx, want, flags))
