/* SPDX-License-Identifier: MIT */
#include "mesh/peer.h"

#include "format/cidr.h"

#include <errno.h>
#include <stdarg.h>

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
	free(n->via);
	*n = (struct mesh_node){ 0 };
}

void mesh_nodes_free(struct mesh_nodes *l)
{
	for (size_t i = 0; i < l->n; i++)
		mesh_node_free(&l->nodes[i]);
	free(l->nodes);
	free(l->source);
	for (size_t i = 0; i < l->n_warnings; i++)
		free(l->warnings[i]);
	free(l->warnings);
	*l = (struct mesh_nodes){ 0 };
}

int mesh_node_add_ip(struct mesh_node *n, const char *ip)
{
	if (mesh_node_has_ip(n, ip))
		return -EEXIST;
	if (n->n_ips >= MESH_NODE_MAX_IPS)
		return -E2BIG;
	n->ips[n->n_ips++] = xstrdup(ip);
	return 0;
}

const char *mesh_node_ipv4(const struct mesh_node *n)
{
	uint32_t a;

	for (size_t i = 0; i < n->n_ips; i++)
		if (ipv4_parse(n->ips[i], &a) == 0)
			return n->ips[i];
	return NULL;
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
	static const char *const names[] = {
		[MESH_UNKNOWN] = "unknown", [MESH_NO] = "no", [MESH_YES] = "yes"
	};
	return ENUM_NAME(names, t, "unknown");
}

bool mesh_node_has_ip(const struct mesh_node *n, const char *ip)
{
	for (size_t i = 0; i < n->n_ips; i++)
		if (streq(n->ips[i], ip))
			return true;
	return false;
}

bool mesh_node_is_windows(const struct mesh_node *n)
{
	return (n->role && streq(n->role, "windows")) || (n->os && strcasecmp(n->os, "windows") == 0);
}

bool mesh_node_named(const struct mesh_node *n, const char *name)
{
	return (n->given_name && strcasecmp(n->given_name, name) == 0) ||
	       (n->name && strcasecmp(n->name, name) == 0);
}

bool mesh_node_headscale_id(const struct mesh_node *n)
{
	return n->id && *n->id && strspn(n->id, "0123456789") == strlen(n->id);
}

void mesh_nodes_warn(struct mesh_nodes *l, const char *fmt, ...)
{
	va_list ap;
	char *w;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		abort();
	va_end(ap);
	l->warnings = xrealloc(l->warnings, (l->n_warnings + 1) * sizeof(*l->warnings));
	l->warnings[l->n_warnings++] = w;
}
