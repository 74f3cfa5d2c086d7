/* SPDX-License-Identifier: MIT */
/* Inside the mesh module only (its files and their unit tests);
 * other modules use its public headers. */
#pragma once

#include "mesh/tailscale.h"
#include "mesh/sources.h"
#include "mesh/peer.h"
#include "mesh/headscale.h"

/* Fetches and parses the node list. Returns 0; -EBADMSG (bad response, diag says what);
 * -ETIMEDOUT; -EACCES (key refused: HTTP 401/403); -EPROTO (TLS verification failed);
 * -ECONNREFUSED, -EHOSTUNREACH, -EFBIG (response too large), -ELIBACC (libcurl cannot be
 * loaded: the diag says why), -EIO (anything else).
 * The diag is filled in every error case, naming the URL. */
int headscale_fetch(const struct headscale_opts *o, struct mesh_nodes *out, struct diag *d);

/* Reads an API key file the way ssh reads a private key: a regular file owned by you or
 * root, not readable or writable by group or others, one line of 8..512 printable
 * characters without spaces. -EBADMSG with diag on any problem. */
int headscale_read_key_file(const char *path, char **out, struct diag *d);

/* Why libcurl cannot be loaded (mesh/curl_lazy.c), or NULL when it is. */
const char *curl_lazy_missing(void);

/* From mesh/peer.h: only mesh/ uses these. */
const char *mesh_tristate_name(enum mesh_tristate t);

/* From mesh/sources.h: only mesh/ uses these. */
const char *mesh_source_name(enum mesh_source s);

/* Applies [nodes] roles and OS to the nodes whose name or givenName matches. */
void mesh_nodes_apply_config(struct mesh_nodes *l, const struct config *c);

/* WSL2 distros have no mesh identity of their own: they ride the Windows host's (the guide's
 * "WSL2 (via host)"). A [nodes] entry with role wsl2 and an address that a Windows node of a
 * control-plane list holds is added as a node riding it; a wsl2 node sharing an address with
 * a Windows node gets via = the host's name (and the host's online state). A wsl2 entry whose
 * address no node holds becomes a warning. */
void mesh_nodes_link_wsl2(struct mesh_nodes *l, const struct config *c);

/* On WSL2 with the Windows host's tailscale.exe as the source, Self is the host this distro
 * rides: the distro gets its row (named hostname, "NAME (WSL2)" when the host has the same
 * name), unless a [nodes] wsl2 entry already rides that host. */
void mesh_nodes_add_self_rider(struct mesh_nodes *l, const char *hostname);

/* From mesh/tailscale.h: only mesh/ uses these. */
enum ts_backend ts_backend_from(const char *s);
