/* SPDX-License-Identifier: MIT */
#include "mesh/wslghost.h"

/* The host itself, in whatever list: the same id or a shared address. */
static bool is_host(const struct mesh_node *n, const struct mesh_node *host)
{
	if (!host)
		return false;
	if (n == host || (n->id && host->id && streq(n->id, host->id)))
		return true;
	for (size_t i = 0; i < n->n_ips; i++)
		if (mesh_node_has_ip(host, n->ips[i]))
			return true;
	return false;
}

size_t mesh_find_wsl_ghosts(const struct mesh_nodes *l, const struct wsl_identity *who,
			    size_t *idx)
{
	size_t found = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct mesh_node *c = &l->nodes[i];
		bool named = false;
		if (is_host(c, who->host) || c->n_ips == 0 || !c->name)
			continue;
		/* The Windows host reports "windows"; a distro's tailscaled reports "linux". */
		if (c->os && *c->os && strcasecmp(c->os, "linux") != 0)
			continue;
		for (size_t k = 0; k < who->n_names && !named; k++)
			named = who->names[k] && *who->names[k] &&
				strcasecmp(c->name, who->names[k]) == 0;
		if (named)
			idx[found++] = i;
	}
	return found;
}
