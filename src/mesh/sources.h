/* SPDX-License-Identifier: MIT */
/* Where the list of mesh nodes comes from. In this order, unless one is asked for:
 *   headscale      Headscale's REST API, when [headscale] url is configured
 *   tailscale      the local `tailscale status --json` (native Linux, tailscale on PATH)
 *   tailscale.exe  the Windows host's tailscale.exe through WSL interop (on WSL2)
 *   config         meshnfs.conf [nodes] (the entries with addresses)
 * In the automatic order a source that is configured or present but fails (no answer, TLS
 * not verified, key refused, a Tailscale not Running) is passed over with a warning in
 * the list's warnings; bad input (-EBADMSG: a key file, an answer that does not parse) stops
 * at once. Whatever the source, roles and OS from [nodes] are applied to the nodes of the
 * same name, and WSL2 distros riding a Windows host are linked to it (mesh_nodes_link_wsl2). */
#pragma once

#include "config/config.h"
#include "core/diag.h"
#include "mesh/peer.h"

enum mesh_source {
	MESH_SOURCE_AUTO,
	MESH_SOURCE_HEADSCALE,
	MESH_SOURCE_TAILSCALE,         /* local tailscale status --json */
	MESH_SOURCE_TAILSCALE_WINDOWS, /* the Windows host's tailscale.exe, from WSL2 */
	MESH_SOURCE_CONFIG,
};

/* "headscale", "tailscale", "tailscale.exe", "config" -> 0; -EINVAL otherwise. */
int mesh_source_parse(const char *s, enum mesh_source *out);
const char *mesh_source_names(void); /* "headscale, tailscale, tailscale.exe, config" */

struct mesh_load_opts {
	enum mesh_source source; /* MESH_SOURCE_AUTO: the order above */
	int timeout_ms;          /* each source's fetch or run */
	bool wsl2;               /* this node is a WSL2 distro: tailscale.exe is the CLI to ask */
	const char *hostname;    /* this node's host name (the distro's row riding its host) */
};

/* Loads the node list. Returns 0; -EBADMSG for bad input (a key file, the config, an answer
 * that does not parse: diag names the file, URL or program); -ENOENT when no source is
 * configured (or the tailscale CLI asked for is not there); -ENOTCONN when Tailscale is not
 * Running; other negative errno when the source asked for (or, in the automatic order, the
 * first one tried) could not be reached (diag says why). */
int mesh_sources_load(const struct config *c, const struct mesh_load_opts *o,
		      struct mesh_nodes *out, struct diag *d);

