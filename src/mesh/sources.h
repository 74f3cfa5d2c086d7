/* SPDX-License-Identifier: MIT */
/* Where the list of mesh nodes comes from. In order, unless one is asked for: Headscale's
 * REST API when [headscale] url is configured, then meshnfs.conf's [nodes]. (The local
 * `tailscale status --json` and the Windows host's tailscale.exe slot in after Headscale.)
 * Whatever the source, roles and OS from [nodes] are applied to the nodes of the same name. */
#pragma once

#include "config/config.h"
#include "core/diag.h"
#include "mesh/node.h"

enum mesh_source {
	MESH_SOURCE_AUTO,
	MESH_SOURCE_HEADSCALE,
	MESH_SOURCE_CONFIG,
};

/* "headscale", "config" -> 0; -EINVAL otherwise. */
int mesh_source_parse(const char *s, enum mesh_source *ret);
const char *mesh_source_names(void); /* "headscale, config" for messages */

/* Loads the node list. Returns 0; -EBADMSG for bad input (a key file, the config, an answer
 * that does not parse: diag names the file or URL); -ENOENT when no source is configured;
 * other negative errno when a source could not be reached (diag says why). */
int mesh_sources_load(const struct config *c, enum mesh_source s, int timeout_ms,
		      struct mesh_nodes *out, struct diag *d);

/* Applies [nodes] roles and OS to the nodes whose name or givenName matches. */
void mesh_nodes_apply_config(struct mesh_nodes *l, const struct config *c);
