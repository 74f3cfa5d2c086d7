/* SPDX-License-Identifier: MIT */
/* Headscale's REST API as a node-list source: GET /api/v1/node with "Authorization: Bearer
 * KEY" (Headscale >= 0.23: {"nodes":[...]}), falling back to /api/v1/machine on a 404 (older
 * servers: {"machines":[...]}). libcurl, https only, TLS always verified (a private CA through
 * ca_file), one deadline for the whole fetch, response size bounded, no redirects. */
#pragma once

#include "core/diag.h"
#include "mesh/peer.h"

#define HEADSCALE_MAX_RESPONSE (8 * 1024 * 1024)

struct headscale_opts {
	const char *url;     /* base URL, https://host[:port][/prefix] */
	const char *api_key; /* never from the command line: config or key file */
	const char *ca_file; /* PEM bundle, or NULL for the system's trust store */
	int timeout_ms;      /* whole fetch, both endpoints together */
	size_t max_response; /* bytes; 0 means HEADSCALE_MAX_RESPONSE */
};

/* Parses a ListNodesResponse {"nodes":[...]} or ListMachinesResponse {"machines":[...]} as
 * grpc-gateway writes them (lowerCamelCase, uint64 ids as strings, RFC 3339 times).
 * Unknown fields are ignored; wrong types, bad addresses, over-long names and
 * malformed times are errors naming the node. origin names the input in messages. */
int headscale_parse(const char *origin, const char *data, size_t len, struct mesh_nodes *out,
		    struct diag *d);

