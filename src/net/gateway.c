/* SPDX-License-Identifier: MIT */
#include "net/gateway.h"

#include "net/net.h"
#include "net/net_private.h"

#include <errno.h>
#include <strings.h>

bool gateway_healthy(const struct gateway_fact *g)
{
	return g->probed && (g->diagnosis == PROBE_OK || g->diagnosis == PROBE_GRACE);
}

static const char *why_not(const struct gateway_fact *g)
{
	return g->probed ? probe_diagnosis_name(g->diagnosis) : "not probed";
}

void gateway_choose(const struct gateway_fact *g, size_t n, int current, int asked,
		    struct gateway_choice *out)
{
	int first = -1;

	*out = (struct gateway_choice){ .action = GATEWAY_NONE, .use = -1 };
	for (size_t i = 0; i < n; i++)
		if (gateway_healthy(&g[i])) {
			out->n_healthy++;
			if (first < 0)
				first = (int)i;
		}
	if (current >= (int)n)
		current = -1;
	if (asked >= (int)n)
		asked = -1;
	if (asked >= 0) {
		if (!gateway_healthy(&g[asked])) {
			snprintf(out->reason, sizeof(out->reason),
				 "%s was asked for, but it does not answer (%s): staying where it is",
				 g[asked].host, why_not(&g[asked]));
			return;
		}
		out->use = asked;
		out->action = asked == current ? GATEWAY_STAY : GATEWAY_MOVE;
		snprintf(out->reason, sizeof(out->reason), "%s was asked for and answers%s",
			 g[asked].host, asked == current ? " (it is the one in use)" : "");
		return;
	}
	if (current >= 0 && gateway_healthy(&g[current])) {
		out->use = current;
		out->action = GATEWAY_STAY;
		snprintf(out->reason, sizeof(out->reason), "%s, the gateway in use, answers",
			 g[current].host);
		return;
	}
	if (first < 0) {
		snprintf(out->reason, sizeof(out->reason), "none of the %zu gateway(s) answers", n);
		return;
	}
	out->use = first;
	out->action = GATEWAY_MOVE;
	if (current >= 0)
		snprintf(out->reason, sizeof(out->reason),
			 "%s, the gateway in use, does not answer (%s); %s does", g[current].host,
			 why_not(&g[current]), g[first].host);
	else
		snprintf(out->reason, sizeof(out->reason),
			 "no configured gateway is in use; %s is the first that answers", g[first].host);
}

int gateway_index(const char *const *hosts, size_t n, const char *host)
{
	for (size_t i = 0; host && i < n; i++)
		if (strcasecmp(hosts[i], host) == 0)
			return (int)i;
	return -1;
}

int gateway_in_use(const char *const *hosts, size_t n, const char *fstab_source,
		   const char *mount_source)
{
	const char *src = fstab_source ? fstab_source : mount_source;
	const char *c = src ? strstr(src, ":/") : NULL;

	if (!c)
		return -1;
	_cleanup_free_ char *host = xstrndup(src, (size_t)(c - src));
	return gateway_index(hosts, n, host);
}

int gateway_probe_all(const char *const *hosts, size_t n, const char *export_path,
		      const struct cidr *mesh, int step_ms, bool no_write, struct probe *probes)
{
	struct probe **run = xcalloc(n ? n : 1, sizeof(*run));
	size_t n_run = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct probe_opts o = { .host = hosts[i], .export_path = export_path, .mesh = *mesh,
					.step_ms = step_ms, .no_write = no_write };
		char err[300] = "";
		int64_t t0 = now_ms();
		r = net_resolve(hosts[i], step_ms, &o.addr, err, sizeof(err));
		probe_init(&probes[i], &o);
		if (r < 0) {
			probe_unresolved(&probes[i], t0, err);
			continue;
		}
		run[n_run++] = &probes[i];
	}
	r = n_run ? probe_loop(run, n_run, 0, 0) : 0;
	free(run);
	return r;
}
