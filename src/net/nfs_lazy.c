/* SPDX-License-Identifier: MIT */
/* The libnfs functions the probe calls, loaded on first use (core/lazylib.h): only the
 * commands that mount an export (probe, doctor, status, setup's verify, repair) pay for
 * libnfs. nfs_init_context returns NULL when libnfs cannot be loaded (the probe then cuts its
 * export step with nfs_lazy_missing's reason); the others are only called with a context. */
#include "core/lazylib.h"
#include "net/net_private.h"

#include <stdint.h>
#include <sys/time.h>
/* libnfs needs sys/time.h first. */
#include <nfsc/libnfs.h>

#ifndef MESHNFS_LIBNFS_SONAME
#define MESHNFS_LIBNFS_SONAME "libnfs.so.13"
#endif

static struct lazylib nfs = LAZYLIB_INIT(MESHNFS_LIBNFS_SONAME);
typedef struct nfs_context *nfs_ctx;

const char *nfs_lazy_missing(void)
{
	return lazylib_missing(&nfs);
}

typedef struct nfsfh *nfs_fh_p;

LAZYLIB_FWD(nfs, nfs_ctx, nfs_init_context, NULL, (void), ())
LAZYLIB_VOID(nfs, nfs_destroy_context, (struct nfs_context *n), (n))
LAZYLIB_VOID(nfs, nfs4_set_client_name, (struct nfs_context *n, const char *id), (n, id))
LAZYLIB_VOID(nfs, nfs4_set_verifier, (struct nfs_context *n, const char *v), (n, v))
LAZYLIB_VOID(nfs, nfs_set_autoreconnect, (struct nfs_context *n, int r), (n, r))
LAZYLIB_FWD(nfs, int, nfs_set_version, -1, (struct nfs_context *n, int v), (n, v))
LAZYLIB_FWD(nfs, char *, nfs_get_error, NULL, (struct nfs_context *n), (n))
LAZYLIB_FWD(nfs, int, nfs_get_fd, -1, (struct nfs_context *n), (n))
LAZYLIB_FWD(nfs, int, nfs_which_events, 0, (struct nfs_context *n), (n))
LAZYLIB_FWD(nfs, int, nfs_service, -1, (struct nfs_context *n, int revents), (n, revents))
LAZYLIB_FWD(nfs, int, nfs_mount_async, -1,
	    (struct nfs_context *n, const char *server, const char *exportname, nfs_cb cb,
	     void *priv),
	    (n, server, exportname, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_create_async, -1,
	    (struct nfs_context *n, const char *path, int flags, int mode, nfs_cb cb, void *priv),
	    (n, path, flags, mode, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_pwrite_async, -1,
	    (struct nfs_context *n, struct nfsfh *fh, uint64_t offset, uint64_t count,
	     const void *buf, nfs_cb cb, void *priv),
	    (n, fh, offset, count, buf, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_pread_async, -1,
	    (struct nfs_context *n, struct nfsfh *fh, uint64_t offset, uint64_t count, nfs_cb cb,
	     void *priv),
	    (n, fh, offset, count, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_fsync_async, -1,
	    (struct nfs_context *n, struct nfsfh *fh, nfs_cb cb, void *priv), (n, fh, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_fstat64_async, -1,
	    (struct nfs_context *n, struct nfsfh *fh, nfs_cb cb, void *priv), (n, fh, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_close_async, -1,
	    (struct nfs_context *n, struct nfsfh *fh, nfs_cb cb, void *priv), (n, fh, cb, priv))
LAZYLIB_FWD(nfs, int, nfs_unlink_async, -1,
	    (struct nfs_context *n, const char *path, nfs_cb cb, void *priv), (n, path, cb, priv))
