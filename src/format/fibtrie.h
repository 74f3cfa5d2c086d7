/* SPDX-License-Identifier: MIT */
/* /proc/net/fib_trie: the kernel's IPv4 routing trie. Its "/32 host LOCAL" leaves are the
 * addresses this network namespace holds. Read as a file (under --root), it needs no socket. */
#pragma once

#include "core/diag.h"

/* A namespace holds a few addresses; a file with more is not a real one (every leaf a /32
 * LOCAL entry is a made-up table): said, not read for minutes. */
#define FIBTRIE_MAX_ADDRS (1 << 18)

/* Collects the local addresses (host byte order, deduplicated) into *addrs. Returns the
 * count, or -EBADMSG (diag: file, line) when a line does not look like fib_trie. */
int fib_trie_local_addrs(const char *file, const char *data, size_t len, uint32_t **addrs,
			 struct diag *diag);
