/* SPDX-License-Identifier: MIT */
/* ids.idmap: how this node maps NFSv4 owners. NFSv4 sends owners as strings: with AUTH_SYS
 * Linux sends numbers ("1000") when nfs4_disable_idmapping is Y (the default of both the nfs
 * and the nfsd module), else user@domain, mapped through idmapd's Domain. Both sides must
 * agree, or files show up owned by nobody (65534, 4294967294). The judge names this node's
 * settings, and when the probe's test file came back owned by nobody, why. The user names and
 * uids gathered here are compared across nodes by doctor --all (fleet). */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "format/text.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>

static const char *numeric_words(int v)
{
	return v == 1 ? "numeric ids (nfs4_disable_idmapping=Y)"
		      : v == 0 ? "names user@domain (nfs4_disable_idmapping=N)" : "module not loaded";
}

void doctor_judge_ids(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ids_facts *x = &f->ids;
	const struct probe *p = &f->nfs.probe;
	struct buf s = { 0 };

	if (!x->gathered)
		return;
	if (x->domain)
		buf_printf(&s, "Domain %s (%s:%u)", x->domain, x->idmapd_path, x->domain_line);
	else
		buf_printf(&s, "%s %s (nfsidmap uses this host's DNS domain)",
			   x->idmapd_rc == -ENOENT ? "no" : "no Domain in", x->idmapd_path);
	if (x->client_numeric >= 0)
		buf_printf(&s, "; client (nfs): %s", numeric_words(x->client_numeric));
	if (x->server_numeric >= 0)
		buf_printf(&s, "; server (nfsd): %s", numeric_words(x->server_numeric));

	bool nobody = f->nfs.gathered && f->nfs.resolve_rc == 0 && p->owner_known && p->uid != 0 &&
		      probe_owner_is_nobody(p->owner);
	bool names = x->client_numeric == 0 || x->server_numeric == 0;
	if (x->idmapd_rc < 0 && x->idmapd_rc != -ENOENT) {
		report_check(r, "ids.idmap", CHECK_WARN,
			     .summary = xasprintf("%s", x->idmapd_msg),
			     .detail = xasprintf("%s", s.data),
			     .fix = xasprintf("correct %s: [General] Domain = the same name on "
					      "every node",
					      x->idmapd_path));
	} else if (nobody) {
		report_check(r, "ids.idmap", CHECK_WARN,
			     .summary = xasprintf("the probe's test file, created by uid "
						  "%" PRIu64 ", is owned by nobody "
						  "(%" PRIu64 ") on %s",
						  p->uid, p->owner, f->cfg->server),
			     .detail = xasprintf("This node: %s. Why: %s.",
						 s.data, probe_idmap_why),
			     .fix = xasprintf("%s", probe_idmap_fix));
	} else if (names && !x->domain) {
		report_check(r, "ids.idmap", CHECK_WARN,
			     .summary = xasprintf("owners are sent as names "
						  "(nfs4_disable_idmapping=N) but %s sets no "
						  "Domain",
						  x->idmapd_path),
			     .detail = xasprintf("%s. Without a Domain each node uses its own "
						 "DNS domain, which differ easily on a mesh "
						 "(the tailnet's MagicDNS name on one node, a "
						 "LAN domain on another): then every owner maps "
						 "to nobody.",
						 s.data),
			     .fix = xasprintf("write the same [General] Domain = (e.g. mesh) "
					      "into /etc/idmapd.conf on the server and every "
					      "client, then: sudo nfsidmap -c; or numeric ids "
					      "on both sides: %s",
					      "echo Y | sudo tee /sys/module/nfs*/parameters/nfs4_disable_idmapping"));
	} else
		report_add(r, "ids.idmap", CHECK_OK, "%s", s.data);
	buf_free(&s);
}

/* ---- gather (I/O) ---- */

static int read_numeric(const char *module)
{
	_cleanup_free_ char *p = xasprintf("/sys/module/%s/parameters/nfs4_disable_idmapping",
					   module),
			    *rp = root_path(p), *v = NULL;

	if (read_first_line(rp, &v) < 0)
		return -1;
	strstrip(v);
	return streq(v, "Y") || streq(v, "1") ? 1 : streq(v, "N") || streq(v, "0") ? 0 : -1;
}

static void read_idmapd(struct doctor_ids_facts *x)
{
	_cleanup_free_ char *data = NULL;
	struct diag dg = { 0 };
	struct text t = { 0 };
	struct ini_doc doc = { 0 };
	size_t len;

	x->idmapd_path = root_path("/etc/idmapd.conf");
	x->idmapd_rc = read_input(x->idmapd_path, 64 * 1024, &data, &len, &dg);
	if (x->idmapd_rc == 0 && text_decode(x->idmapd_path, data, len, &t, &dg) < 0)
		x->idmapd_rc = -EBADMSG;
	/* libnfsidmap reads it leniently: a bad line is a finding, the rest still counts. */
	if (x->idmapd_rc == 0 && ini_parse_buffer(x->idmapd_path, t.utf8, t.len, true, &doc, &dg) < 0)
		x->idmapd_rc = -EBADMSG;
	if (x->idmapd_rc == 0 && doc.n_bad) {
		diag_set(&dg, x->idmapd_path, doc.bad[0].line, "%s", doc.bad[0].msg);
		x->idmapd_rc = -EBADMSG;
	}
	if (x->idmapd_rc == -EBADMSG)
		diag_format(&dg, x->idmapd_msg, sizeof(x->idmapd_msg));
	const char *dom = x->idmapd_rc != -ENOENT ? ini_doc_get(&doc, "General", "Domain",
								&x->domain_line)
						  : NULL;
	if (dom && *dom)
		x->domain = xstrdup(dom);
	ini_doc_free(&doc);
	text_free(&t);
}

/* /etc/passwd through glibc's fgetpwent_r (the file's own parser), root and regular users. */
static void read_users(struct doctor_ids_facts *x)
{
	_cleanup_free_ char *p = root_path("/etc/passwd"), *data = NULL;
	size_t len;
	struct passwd pwbuf, *pw;
	char line[4096];

	x->passwd_rc = read_file_bounded(p, 4 * 1024 * 1024, &data, &len);
	if (x->passwd_rc < 0 || !len)
		return;
	FILE *fp = fmemopen(data, len, "r");
	if (!fp) {
		x->passwd_rc = -errno;
		return;
	}
	/* fgetpwent_r: gatherers run in threads, fgetpwent's buffer is static. A line longer
	 * than the buffer ends the reading (ERANGE), as a malformed file would. */
	while (x->n_users < DOCTOR_MAX_USERS && fgetpwent_r(fp, &pwbuf, line, sizeof(line), &pw) == 0) {
		size_t n = strlen(pw->pw_name);
		if (!n || n >= sizeof(x->users[0].name) || !str_is_printable(pw->pw_name, n) ||
		    strpbrk(pw->pw_name, " \t\"\\"))
			continue;
		if (pw->pw_uid != 0 && (pw->pw_uid < 1000 || pw->pw_uid >= 60000))
			continue;
		x->users = xrealloc(x->users, (x->n_users + 1) * sizeof(*x->users));
		struct doctor_user *u = &x->users[x->n_users++];
		memcpy(u->name, pw->pw_name, n + 1);
		u->uid = pw->pw_uid;
	}
	fclose(fp);
}

void doctor_gather_ids(struct doctor_facts *f)
{
	struct doctor_ids_facts *x = &f->ids;

	x->gathered = true;
	read_idmapd(x);
	x->client_numeric = read_numeric("nfs");
	x->server_numeric = read_numeric("nfsd");
	read_users(x);
}
