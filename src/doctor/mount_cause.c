/* SPDX-License-Identifier: MIT */
/* Why an NFS mount is blocked (phase 2). The mount area sees only that its probe child
 * blocked: state D, the wait channel, for how long. A hung server, an offline peer and a
 * stopped server look the same from the mount (measured with Linux 6.1's client: the child
 * waits in rpc_wait_bit_killable in all three). The nfs area, run at the same time with a
 * fresh connection, tells them apart: nfs.tcp (no answer to SYNs, or refused) and nfs.rpc (TCP
 * accepted, NFS silent). This step adds that cause to the blocked check (mount.responsive, or
 * mount.write when only writing blocked): a short cause at the end of the summary, the reason
 * in the detail, the server's fix as the fix's first line. Ids and statuses stay. */
#include "doctor/doctor.h"

struct cause {
	const char *from; /* the check that tells: "nfs.tcp" */
	char *tag;        /* for the summary: "offline peer, no answer to SYNs (nfs.tcp)" */
	char *line;       /* for the detail: "Cause (nfs.tcp): ..." */
	char *fix;        /* the fix's new first line, NULL to keep the mount area's */
};

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool failed(const struct check *c)
{
	return c && c->status == CHECK_FAIL;
}

/* The mount is NFS from the configured server (or an automount of it): its trouble is that
 * server's, which the nfs checks probed. */
static bool mount_is_the_servers(const struct doctor *d, const json_t *mounted)
{
	const char *fstype = jstr(mounted, "fstype"), *server = jstr(mounted, "server"),
		   *addr = jstr(mounted, "addr");

	if (!fstype)
		return false;
	if (streq(fstype, "autofs"))
		return true;
	if (!streq(fstype, "nfs4") && !streq(fstype, "nfs"))
		return false;
	return streq_ptr(server, d->cfg->server) || streq_ptr(addr, d->cfg->server);
}

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
static void cause_find(const struct doctor *d, const char *dg, struct cause *out)
{
	const struct check *mesh = doctor_find(d, "mesh.address");
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
		const struct check *c = doctor_find(d, server_causes[i].from);
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

/* Adds the cause to the blocked check: summary, detail, and the fix's first line. */
static void cause_attach(struct check *k, const struct cause *c)
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

void doctor_mount_cause(const struct doctor *d, struct report *r)
{
	const json_t *m = doctor_find_extra(d, "mount"), *probe = doctor_find_extra(d, "probe");
	const json_t *health = json_object_get(m, "health");
	const char *state = jstr(health, "state"), *step = jstr(health, "step");
	struct cause c;
	struct check *k;

	(void)r; /* no check of its own: it completes the mount area's */
	if (!state || !streq(state, "hung") || !step ||
	    !mount_is_the_servers(d, json_object_get(m, "mounted")))
		return;
	bool writing = streq(step, "create") || streq(step, "unlink");
	k = doctor_amend(d, writing ? "mount.write" : "mount.responsive");
	if (!failed(k))
		return;
	cause_find(d, jstr(probe, "diagnosis"), &c);
	cause_attach(k, &c);
	free(c.tag);
	free(c.line);
	free(c.fix);
}
