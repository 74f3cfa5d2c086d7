/* SPDX-License-Identifier: MIT */
#include "mesh/mesh.h"

#include "format/rfc3339.h"

#include <arpa/inet.h>

void mesh_node_free(struct mesh_node *n)
{
	free(n->id);
	free(n->key);
	free(n->hostname);
	free(n->dns_name);
	free(n->os);
	for (size_t i = 0; i < n->n_ips; i++)
		free(n->ips[i]);
	free(n->ips);
	*n = (struct mesh_node){ 0 };
}

const char *mesh_node_ipv4(const struct mesh_node *n)
{
	struct in_addr a;

	for (size_t i = 0; i < n->n_ips; i++)
		if (inet_pton(AF_INET, n->ips[i], &a) == 1)
			return n->ips[i];
	return NULL;
}

bool mesh_node_has_ip(const struct mesh_node *n, const char *ip)
{
	for (size_t i = 0; i < n->n_ips; i++)
		if (streq(n->ips[i], ip))
			return true;
	return false;
}

static json_t *time_json(int64_t t)
{
	char buf[32];

	if (t == MESH_TIME_NONE)
		return json_null();
	rfc3339_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *str_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *mesh_node_to_json(const struct mesh_node *n)
{
	json_t *ips = json_array();

	for (size_t i = 0; i < n->n_ips; i++)
		json_array_append_new(ips, json_string(n->ips[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:o}", "id", str_json(n->id),
			 "name", str_json(mesh_node_name(n)), "dns_name", str_json(n->dns_name),
			 "os", str_json(n->os), "ips", ips, "online", n->online, "expired",
			 n->expired, "last_seen", time_json(n->last_seen), "key_expiry",
			 time_json(n->key_expiry));
}

const char *mesh_node_name(const struct mesh_node *n)
{
	if (n->hostname && *n->hostname)
		return n->hostname;
	if (n->dns_name && *n->dns_name)
		return n->dns_name;
	return n->id;
}

static bool shares_ip(const struct mesh_node *a, const struct mesh_node *b)
{
	for (size_t i = 0; i < a->n_ips; i++)
		if (mesh_node_has_ip(b, a->ips[i]))
			return true;
	return false;
}

static bool is_host(const struct mesh_node *n, const struct mesh_node *host)
{
	if (!host)
		return false;
	if (n == host || (n->key && host->key && streq(n->key, host->key)) ||
	    (n->id && host->id && streq(n->id, host->id)))
		return true;
	return shares_ip(n, host);
}

size_t mesh_find_wsl_ghosts(const struct mesh_node *nodes, size_t n,
			    const struct wsl_identity *who, size_t *idx)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct mesh_node *c = &nodes[i];
		bool named = false;
		if (is_host(c, who->host) || c->n_ips == 0)
			continue;
		/* The Windows host reports "windows"; a distro's tailscaled reports "linux". */
		if (c->os && *c->os && strcasecmp(c->os, "linux") != 0)
			continue;
		for (size_t k = 0; k < who->n_names && !named; k++)
			named = who->names[k] && *who->names[k] && c->hostname &&
				strcasecmp(c->hostname, who->names[k]) == 0;
		if (named)
			idx[found++] = i;
	}
	return found;
}
