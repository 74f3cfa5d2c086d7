/* SPDX-License-Identifier: MIT */
#include "mesh/sources.h"

#include "core/root.h"
#include "mesh/headscale.h"

#include <errno.h>
#include <strings.h>

int mesh_source_parse(const char *s, enum mesh_source *ret)
{
	if (streq(s, "headscale"))
		*ret = MESH_SOURCE_HEADSCALE;
	else if (streq(s, "config"))
		*ret = MESH_SOURCE_CONFIG;
	else
		return -EINVAL;
	return 0;
}

const char *mesh_source_names(void)
{
	return "headscale, config";
}

static int load_headscale(const struct config *c, int timeout_ms, struct mesh_nodes *out,
			  struct diag *d)
{
	_cleanup_free_ char *key = NULL, *ca = NULL;
	const char *cfg = c->source ? c->source : "meshnfs.conf";
	int r;

	if (!c->hs_url)
		return diag_set(d, cfg, 0, "source headscale: no [headscale] url configured"),
		       -ENOENT;
	if (c->hs_api_key)
		key = xstrdup(c->hs_api_key);
	else if (c->hs_api_key_file) {
		_cleanup_free_ char *p = root_path(c->hs_api_key_file);
		r = headscale_read_key_file(p, &key, d);
		if (r < 0)
			return r;
	} else
		return diag_set(d, cfg, 0,
				"[headscale] url is set but neither api_key_file nor api_key "
				"(create one with `headscale apikeys create` on the server)");
	if (c->hs_ca_file)
		ca = root_path(c->hs_ca_file);
	struct headscale_opts o = {
		.url = c->hs_url,
		.api_key = key,
		.ca_file = ca,
		.timeout_ms = timeout_ms,
	};
	r = headscale_fetch(&o, out, d);
	explicit_bzero(key, strlen(key));
	return r;
}

static int load_config(const struct config *c, struct mesh_nodes *out, struct diag *d)
{
	struct mesh_nodes l = { 0 };
	size_t with_addr = 0;

	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct config_node *cn = &c->nodes[i];
		if (!cn->n_addrs)
			continue; /* a role for another source's node, not a node of this list */
		struct mesh_node *n = mesh_nodes_add(&l);
		n->name = xstrdup(cn->name);
		for (size_t k = 0; k < cn->n_addrs; k++)
			mesh_node_add_ip(n, cn->addrs[k]);
		with_addr++;
	}
	if (!with_addr) {
		mesh_nodes_free(&l);
		return diag_set(d, c->source ? c->source : "meshnfs.conf", 0,
				"source config: no node with an address in [nodes]"),
		       -ENOENT;
	}
	l.source = xasprintf("config %s", c->source ? c->source : "(built-in)");
	*out = l;
	return 0;
}

void mesh_nodes_apply_config(struct mesh_nodes *l, const struct config *c)
{
	for (size_t i = 0; i < l->n; i++) {
		struct mesh_node *n = &l->nodes[i];
		const struct config_node *match = NULL;
		/* givenName first: it is the unique one (two Headscale nodes may share a name,
		 * as a Windows host and its stale WSL2 identity do). */
		for (size_t k = 0; k < c->n_nodes && !match; k++)
			if (n->given_name && strcasecmp(c->nodes[k].name, n->given_name) == 0)
				match = &c->nodes[k];
		for (size_t k = 0; k < c->n_nodes && !match; k++)
			if (!n->given_name && n->name && strcasecmp(c->nodes[k].name, n->name) == 0)
				match = &c->nodes[k];
		if (!match)
			continue;
		if (match->role) {
			free(n->role);
			n->role = xstrdup(match->role);
		}
		if (match->os && !n->os)
			n->os = xstrdup(match->os);
	}
}

int mesh_sources_load(const struct config *c, enum mesh_source s, int timeout_ms,
		      struct mesh_nodes *out, struct diag *d)
{
	int r;

	if (s == MESH_SOURCE_AUTO)
		s = c->hs_url ? MESH_SOURCE_HEADSCALE : MESH_SOURCE_CONFIG;
	if (s == MESH_SOURCE_HEADSCALE)
		r = load_headscale(c, timeout_ms, out, d);
	else {
		r = load_config(c, out, d);
		if (r == -ENOENT && !c->hs_url && !c->n_nodes)
			diag_set(d, c->source ? c->source : CONFIG_DEFAULT_PATH, 0,
				 "no node list: configure [headscale] url (and api_key_file) or list "
				 "the nodes in [nodes]");
	}
	if (r == 0)
		mesh_nodes_apply_config(out, c);
	return r;
}
