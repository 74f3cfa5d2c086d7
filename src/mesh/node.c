/* SPDX-License-Identifier: MIT */
#include "mesh/node.h"

#include "format/cidr.h"

#include <errno.h>

struct mesh_node *mesh_nodes_add(struct mesh_nodes *l)
{
	l->nodes = xrealloc(l->nodes, (l->n + 1) * sizeof(*l->nodes));
	struct mesh_node *n = &l->nodes[l->n++];
	*n = (struct mesh_node){ 0 };
	return n;
}

void mesh_node_free(struct mesh_node *n)
{
	free(n->id);
	free(n->name);
	free(n->given_name);
	for (size_t i = 0; i < n->n_ips; i++)
		free(n->ips[i]);
	free(n->os);
	free(n->user);
	free(n->role);
	*n = (struct mesh_node){ 0 };
}

void mesh_nodes_free(struct mesh_nodes *l)
{
	for (size_t i = 0; i < l->n; i++)
		mesh_node_free(&l->nodes[i]);
	free(l->nodes);
	free(l->source);
	*l = (struct mesh_nodes){ 0 };
}

int mesh_node_add_ip(struct mesh_node *n, const char *ip)
{
	for (size_t i = 0; i < n->n_ips; i++)
		if (streq(n->ips[i], ip))
			return -EEXIST;
	if (n->n_ips >= MESH_NODE_MAX_IPS)
		return -E2BIG;
	n->ips[n->n_ips++] = xstrdup(ip);
	return 0;
}

int mesh_node_ipv4_in(const struct mesh_node *n, const struct cidr *range, uint32_t *ret)
{
	for (size_t i = 0; i < n->n_ips; i++) {
		uint32_t a;
		if (ipv4_parse(n->ips[i], &a) == 0 && (!range || cidr_contains(range, a))) {
			*ret = a;
			return 0;
		}
	}
	return -ENOENT;
}

const char *mesh_node_display_name(const struct mesh_node *n)
{
	if (n->given_name && n->given_name[0])
		return n->given_name;
	if (n->name && n->name[0])
		return n->name;
	return n->n_ips ? n->ips[0] : "?";
}

const char *mesh_tristate_name(enum mesh_tristate t)
{
	return t == MESH_YES ? "yes" : t == MESH_NO ? "no" : "unknown";
}
