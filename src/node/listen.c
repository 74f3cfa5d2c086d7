/* SPDX-License-Identifier: MIT */
/* This network namespace's listening TCP sockets, from /proc/net/tcp and /proc/net/tcp6 under
 * the root: read as files, no socket opened. */
#include "node/node.h"

#include "core/root.h"
#include "format/listeners.h"

#include <errno.h>

#define PROC_TCP_MAX (64 * 1024 * 1024)

int node_listeners(struct listeners *out, struct diag *diag)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = root_path(files[i]), *data = NULL;
		size_t len;
		int r = read_file_bounded(p, PROC_TCP_MAX, &data, &len);
		if (r == -ENOENT && i == 1)
			continue; /* a kernel without IPv6 */
		if (r < 0)
			return diag_set(diag, p, 0, "cannot read: %s", read_strerror(r));
		r = proc_net_tcp_parse(p, data, len, i == 1, out, diag);
		if (r < 0)
			return r;
	}
	return 0;
}
