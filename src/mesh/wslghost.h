/* SPDX-License-Identifier: MIT */
/* Stale WSL2 identities: a node left in the mesh by a tailscaled once run inside a WSL2
 * distro. The distro has no mesh identity of its own (it rides the Windows host's); a Linux
 * node that carries the distro's host name (by default the Windows computer name) and
 * addresses other than the host's is a left-over. Pure, over any node list: the Windows
 * host's `tailscale status --json` peers, or Headscale's nodes. */
#pragma once

#include "mesh/peer.h"

struct wsl_identity {
	const char *const *names; /* the distro's host names: /etc/hostname, wsl.conf
				     [network] hostname, the Windows host's own name */
	size_t n_names;
	const struct mesh_node *host; /* the Windows host's node, or NULL when unknown */
};

/* Fills idx (capacity l->n) with the indexes of the nodes of l that look like stale
 * identities of this distro; returns how many. */
size_t mesh_find_wsl_ghosts(const struct mesh_nodes *l, const struct wsl_identity *who,
			    size_t *idx);
