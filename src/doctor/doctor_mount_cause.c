/* SPDX-License-Identifier: MIT */
/* Why an NFS mount is blocked (a judge). The mount's facts show only that its probe child
 * blocked: state D, the wait channel, for how long. A hung server, an offline peer and a
 * stopped server look the same from the mount (measured with Linux 6.1's client: the child
 * waits in rpc_wait_bit_killable in all three). The nfs facts, gathered at the same time with
 * a fresh connection, tell them apart: nfs.tcp (no answer to SYNs, or refused) and nfs.rpc
 * (TCP accepted, NFS silent). The mount judge adds that cause to the blocked check
 * (mount.responsive, or mount.write when only writing blocked) before it makes it: a short
 * cause at the end of the summary, the reason in the detail, the server's fix as the fix's
 * first line. */
#include "doctor/doctor_facts.h"

struct cause {
	const char *from; /* the check that tells: "nfs.tcp" */
	char *tag;        /* for the summary: "offline peer, no answer to SYNs (nfs.tcp)" */
	char *line;       /* for the detail: "Cause (nfs.tcp): ..." */
	char *fix;        /* the fix's new first line, NULL to keep the mount area's */
};

static char *fix_of(const struct check *c)
{
	return c && c->fix ? xstrdup(c->fix) : NULL;
}

/* What the nfs area's verdict means for the blocked mount: the probe's diagnosis, the check
 * that tells, the short cause and what it means ("SERVER " goes first). */
static const struct {
	const char *diagnosis, *from, *tag, *meaning;
} server_causes[] = {
	{ "unreachable", "nfs.tcp", "offline peer, no answer to SYNs",
	  "does not answer SYNs on port 2049: an offline peer (the server, or its link into the "
	  "mesh, is down); a hung server would still accept TCP" },
	{ "refused", "nfs.tcp", "refused, nothing listens on 2049",
	  "refuses TCP on port 2049: nothing listens there, the NFS server is stopped; the "
	  "mount's requests wait until it listens again" },
	{ "no_nfs_answer", "nfs.rpc", "hung server, TCP accepted but NFS silent",
	  "accepts TCP on port 2049 but its NFS service does not answer: a hung server. Its "
	  "kernel still accepts TCP (`nc -zv` says succeeded), and soft does not time the mount "
	  "out (see mount.present)" },
};

/* The cause from the probe's diagnosis (NULL: the nfs area did not probe) and the checks. */
static bool failed(const struct check *c)
{
	return c && c->status == CHECK_FAIL;
}

static void cause_find(const struct doctor_facts *d, const struct report *nfs, const char *dg,
		       struct cause *out)
{
	const struct check *mesh = report_find(nfs, "mesh.address");
	const char *srv = d->cfg->server;

	*out = (struct cause){ 0 };
	if (failed(mesh) && (!dg || streq(dg, "unreachable"))) {
		out->from = "mesh.address";
		out->tag = xstrdup("this node does not reach the server (mesh.address)");
		out->line = xasprintf("Cause (mesh.address): %s. The mount's requests cannot reach "
				      "%s either.",
				      mesh->summary, srv);
		out->fix = fix_of(mesh);
		return;
	}
	if (!dg) {
		out->tag = xstrdup("not known: the NFS checks did not run");
		out->line = xasprintf("Cause not known: the NFS checks did not probe %s in this run.",
				      srv);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(server_causes); i++) {
		if (!streq(dg, server_causes[i].diagnosis))
			continue;
		const struct check *c = report_find(nfs, server_causes[i].from);
		out->from = server_causes[i].from;
		out->tag = xasprintf("%s (%s)", server_causes[i].tag, out->from);
		out->line = xasprintf("Cause (%s): %s %s. %s said: %s", out->from, srv,
				      server_causes[i].meaning, out->from, c ? c->summary : "-");
		out->fix = fix_of(c);
		return;
	}
	/* ok, grace, or a verdict past the NFS service (export, write): the server answers. */
	out->from = "nfs.rpc";
	out->tag = xstrdup("none on the server's side: it answers a fresh connection (nfs.rpc ok)");
	out->line = xasprintf("The server answers a fresh NFS connection (nfs.rpc ok; the probe's "
			      "verdict: %s): the block is this mount's own, its connection or "
			      "session to %s is stuck, or the server only just came back. Detaching "
			      "it and mounting again fixes it.",
			      dg, srv);
	out->fix = xstrdup("meshnfs repair   (umount -l, then mount: the server answers)");
}

/* Adds the cause to the blocked check's words: summary, detail, and the fix's first line. */
static void cause_attach(struct doctor_words *k, const struct cause *c)
{
	_cleanup_free_ char *summary = k->summary, *detail = k->detail, *fix = k->fix;
	const char *rest = fix ? strchr(fix, '\n') : NULL;

	k->summary = xasprintf("%s; cause: %s", summary, c->tag);
	k->detail = xasprintf("%s%s%s", detail ? detail : "", detail ? "\n" : "", c->line);
	if (!c->fix) {
		k->fix = TAKE_PTR(fix);
		return;
	}
	k->fix = xasprintf("%s   (the cause%s%s)%s", c->fix, c->from ? ", see " : "",
			   c->from ? c->from : "", rest ? rest : "");
}

void doctor_mount_cause(const struct doctor_facts *f, struct doctor_words *w)
{
	const struct doctor_nfs_facts *n = &f->nfs;
	const char *dg = n->gathered && n->resolve_rc == 0 ? probe_diagnosis_name(n->probe.diagnosis)
							   : NULL;
	struct report nfs;
	struct cause c;

	/* What the nfs judge says about the same facts (pure: judging twice changes nothing). */
	report_init(&nfs, "doctor");
	doctor_judge_nfs(f, &nfs);
	cause_find(f, &nfs, dg, &c);
	cause_attach(w, &c);
	free(c.tag);
	free(c.line);
	free(c.fix);
	report_free(&nfs);
}
