/* SPDX-License-Identifier: MIT */
/* A share with several gateways: which of them answer, and whether the client must move
 * (net/gateway.h judges; meshnfs repair acts). */
#include "doctor/doctor_facts.h"

#include "net/gateway.h"

#include <inttypes.h>

/* The gateway the client uses: the host of its mount's source "HOST:/PATH", else of its
 * fstab entry's; -1 when neither names one of the share's gateways. */
static int mounted_gateway(const struct doctor_facts *f)
{
	const struct config_share *s = f->cfg->share;
	const struct doctor_client_facts *cl = &f->client;
	const char *src = f->mount.top ? f->mount.top->source : NULL;
	const char *c = src ? strstr(src, ":/") : NULL;

	if (!c && cl->gathered && cl->read_rc == 0 && cl->parse_rc == 0) {
		int i = fstab_find(&cl->fstab, s->mountpoint, NULL);
		src = i >= 0 ? cl->fstab.lines[i].field[FSTAB_SOURCE] : NULL;
		c = src ? strstr(src, ":/") : NULL;
	}
	if (!c)
		return -1;
	_cleanup_free_ char *host = xstrndup(src, (size_t)(c - src));
	return gateway_index((const char *const *)s->servers, s->n_servers, host);
}

void doctor_judge_gateways(const struct doctor_facts *f, struct report *r)
{
	const struct config_share *s = f->cfg->share;
	const struct doctor_gateway_facts *g = &f->gateways;
	struct gateway_fact facts[CONFIG_SHARE_MAX_SERVERS];
	struct gateway_choice c;
	struct check *k;

	if (!s || s->n_servers < 2 || !g->gathered)
		return;
	for (size_t i = 0; i < g->n; i++) {
		const struct probe *p = &g->probes[i];
		facts[i] = (struct gateway_fact){ .host = s->servers[i], .probed = true,
						  .diagnosis = p->diagnosis };
		if (gateway_healthy(&facts[i])) {
			report_add(r, "share.gateway", CHECK_OK,
				   "%s answers: route, TCP, NFSv4, the export %s (%" PRId64 " ms)",
				   s->servers[i], s->export_path, p->ms);
			continue;
		}
		_cleanup_free_ char *fix = NULL;
		_cleanup_free_ char *why = probe_explain(p, &fix);
		report_check(r, "share.gateway", CHECK_FAIL,
			     .summary = xasprintf("%s does not answer: %s", s->servers[i],
						  probe_diagnosis_name(p->diagnosis)),
			     .detail = xasprintf("%s", why), .fix = TAKE_PTR(fix));
	}
	int cur = mounted_gateway(f);
	gateway_choose(facts, g->n, cur, -1, &c);
	const char *name = s->name ? s->name : CONFIG_DEFAULT_SHARE;
	const char *use = c.use >= 0 ? s->servers[c.use] : "";
	/* Which gateway the nfs.* checks probed, and why (doctor_nfs.c). */
	_cleanup_free_ char *probed =
		f->nfs.gathered && f->nfs.server_why
			? xasprintf("The nfs.* checks probe %s: %s.", f->nfs.server, f->nfs.server_why)
			: NULL;
	if (c.action == GATEWAY_NONE) {
		report_check(r, "share.gateways", CHECK_FAIL,
			     .summary = xasprintf("0 of %zu gateways answer: no gateway to mount from",
						  g->n),
			     .detail = probed ? xstrdup(probed) : NULL,
			     .fix = xstrdup("bring one of the gateways back (see share.gateway)"));
		return;
	}
	if (c.action == GATEWAY_MOVE && cur >= 0) {
		report_check(r, "share.gateways", CHECK_FAIL,
			     .summary = xasprintf("%d of %zu gateways answer (%s); the client uses "
						  "%s, which does not",
						  c.n_healthy, g->n, use, s->servers[cur]),
			     .detail = xasprintf("%s.%s%s",
						 c.reason, probed ? " " : "", probed ? probed : ""),
			     .fix = xasprintf("sudo meshnfs repair --share %s   (moves the client "
					      "to %s: fstab re-pointed, the mount moved)",
					      name, use));
		return;
	}
	bool all = (size_t)c.n_healthy == g->n;
	k = report_add(r, "share.gateways", all ? CHECK_OK : CHECK_WARN,
		       "%d of %zu gateways answer%s%s%s", c.n_healthy, g->n,
		       all ? "" : ", among them ", all ? "" : use,
		       cur >= 0 ? "; the client uses a healthy one" : "");
	if (!all)
		check_set_detail(k, "The client does not depend on the gateways that do not answer "
				    "now, but it has fewer to move to.%s%s", probed ? " " : "",
				 probed ? probed : "");
	else if (probed)
		check_set_detail(k, "%s", probed);
}

/* ---- gather (I/O) ---- */

void doctor_gather_gateways(struct doctor_facts *f)
{
	const struct config_share *s = f->cfg->share;
	struct doctor_gateway_facts *g = &f->gateways;

	if (!s || s->n_servers < 2)
		return;
	g->n = s->n_servers;
	g->gathered = true;
	if (gateway_probe_all((const char *const *)s->servers, g->n, s->export_path, &f->cfg->mesh,
			      f->timeout_ms, true, g->probes) < 0)
		for (size_t i = 0; i < g->n; i++)
			if (!probe_done(&g->probes[i]))
				probe_abort(&g->probes[i], now_ms(), "poll failed");
}
