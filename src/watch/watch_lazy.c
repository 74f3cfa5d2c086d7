/* SPDX-License-Identifier: MIT */
/* The libsystemd and libmicrohttpd functions `meshnfs watch` calls, loaded on first use
 * (core/lazylib.h). Only watch needs them, and linked they cost every command start-up time:
 * libsystemd brings lzma, zstd, lz4, gcrypt and libcap, libmicrohttpd GnuTLS with its nettle,
 * gmp, p11-kit, idn2 and unistring. Without the library: sd_notify and sd_watchdog_enabled
 * say "not under systemd" (0), sd_journal_sendv fails (watch then logs to stderr), and
 * MHD_start_daemon returns NULL (watch says it cannot serve --listen). */
#include "core/lazylib.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/uio.h>

#include <microhttpd.h>
#include <systemd/sd-daemon.h>
/* Plain sd_journal_sendv (no CODE_FILE/CODE_LINE fields): the lazily loaded one. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

static struct lazylib sd = LAZYLIB_INIT("libsystemd.so.0");
static struct lazylib mhd = LAZYLIB_INIT("libmicrohttpd.so.12");

LAZYLIB_FWD(sd, int, sd_notify, 0, (int unset_environment, const char *state),
	    (unset_environment, state))
LAZYLIB_FWD(sd, int, sd_watchdog_enabled, 0, (int unset_environment, uint64_t *usec),
	    (unset_environment, usec))
LAZYLIB_FWD(sd, int, sd_journal_sendv, -ENOSYS, (const struct iovec *iov, int n), (iov, n))

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif
typedef struct MHD_Response *response_p;

LAZYLIB_FWD(mhd, response_p, MHD_create_response_from_buffer, NULL,
	    (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode))
LAZYLIB_FWD(mhd, mhd_result, MHD_add_response_header, MHD_NO,
	    (struct MHD_Response *r, const char *header, const char *content), (r, header, content))
LAZYLIB_FWD(mhd, mhd_result, MHD_queue_response, MHD_NO,
	    (struct MHD_Connection *c, unsigned int status, struct MHD_Response *r), (c, status, r))
LAZYLIB_VOID(mhd, MHD_destroy_response, (struct MHD_Response *r), (r))
LAZYLIB_VOID(mhd, MHD_stop_daemon, (struct MHD_Daemon *d), (d))

/* The options after dh_cls (pairs ending with MHD_OPTION_END) go through the va_list form. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
				    MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *(*f)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				MHD_AccessHandlerCallback, void *, va_list) =
		(struct MHD_Daemon * (*)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
					 MHD_AccessHandlerCallback, void *, va_list))
			lazylib_sym(&mhd, "MHD_start_daemon_va");
	struct MHD_Daemon *d;
	va_list ap;

	if (!f)
		return NULL;
	va_start(ap, dh_cls);
	d = f(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}
