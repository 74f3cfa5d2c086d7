/* SPDX-License-Identifier: MIT */
/* setup server --backend ceph: this node becomes an NFS gateway of a CephFS. NFS-Ganesha with
 * FSAL_CEPH exports a directory of the file system (the cluster's own way, what `ceph nfs`
 * deploys), NFSv4 only. Its client records go to RADOS with the recovery backend the gateways
 * of one file system share, rados_cluster (what cephadm writes for `ceph nfs`: RADOS_KV with
 * pool, namespace and this gateway's nodeid): a grace period is the cluster's, and each
 * gateway must be in the grace database (`ganesha-rados-grace ... add NODEID`, a plan step
 * when it is not) before its ganesha starts.
 *
 * Before anything is written: the key file must be readable by root only (else exit 65,
 * naming it), and the cluster must answer with the gateway's own key: `ceph status`, `ceph mds
 * stat` (an active MDS for the file system) and a libcephfs mount of the path (node/ceph_cli.h).
 * Under --root none of that runs: the commands are listed for that machine. */
#include "setup/setup.h"

#include "core/root.h"
#include "core/spawn.h"
#include "node/ceph_cli.h"
#include "setup/setup_private.h"

#include <errno.h>
#include <sys/stat.h>

/* A value inside double quotes of ganesha's configuration. */
static bool quotable(const char *s)
{
	for (const char *c = s; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			return false;
	return true;
}

char *setup_ganesha_ceph_conf(const struct setup_server *s)
{
	const struct setup_ceph *c = s->ceph;
	const char *values[] = { s->export_path, s->clients, c->conf, c->user, c->fs, c->path,
				 c->pool, c->ns, c->nodeid };

	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		if (!quotable(values[i]))
			return NULL;
	struct buf b = { 0 };
	buf_printf(&b,
		NODE_GANESHA_MARKER "\n"
		"# meshnfs rewrites this file; the previous version is kept as ganesha.conf%s.\n"
		"# Backend ceph: CephFS \"%s\" through FSAL_CEPH, one NFSv4-only export over TCP.\n"
		SETUP_GANESHA_CORE
		"NFSv4 {\n"
		"\t# NFSv4 client records in RADOS (RADOS_KV below), grace periods shared by\n"
		"\t# every gateway of the file system through its grace database.\n"
		"\tRecoveryBackend = rados_cluster;\n"
		"\t# After a restart clients reclaim their state in a grace period (lifted early\n"
		"\t# when no client needs it); rados_cluster needs it (Graceless = true crashes it).\n"
		"\tGraceless = false;\n"
		"\tOnly_Numeric_Owners = true;\n"
		"}\n"
		"RADOS_KV {\n"
		"\tCeph_Conf = \"%s\";\n"
		"\tUserId = \"%s\";\n"
		"\tPool = \"%s\";\n"
		"\tNamespace = \"%s\";\n"
		"\tNodeid = \"%s\";\n"
		"}\n"
		"CEPH {\n"
		"\t# The key: the keyring this configuration names, else\n"
		"\t# /etc/ceph/ceph.client.%s.keyring (libcephfs looks there as every Ceph client).\n"
		"\tCeph_Conf = \"%s\";\n"
		"}\n",
		SAFEWRITE_BACKUP_SUFFIX, c->fs, c->conf, c->user, c->pool, c->ns, c->nodeid, c->user,
		c->conf);
	_cleanup_free_ char *fsal = xasprintf("\t\tName = CEPH;\n"
					      "\t\tFilesystem = \"%s\";\n"
					      "\t\tUser_Id = \"%s\";\n",
					      c->fs, c->user);
	setup_ganesha_export(&b, 1, c->path, s->export_path, s->root_squash, fsal, s->clients);
	return b.data;
}

/* What the cluster said: 0 (plan_right) when it can serve the export, else -EHOSTDOWN with
 * the one reason in diag. */
int setup_ceph_judge_cluster(struct plan *p, const struct setup_ceph *c,
			     const struct ceph_status *st, const struct ceph_fsmap *m,
			     const struct ceph_client *cl, struct diag *diag)
{
	const struct ceph_fs *fs = ceph_fsmap_find(m, c->fs);

	if (!fs)
		return diag_set(diag, NULL, 0,
				"the Ceph cluster %s has no file system \"%s\" (ceph mds stat lists "
				"%zu): create it (ceph fs volume create %s) or set [ceph] fs",
				st->fsid, c->fs, m->n_fs, c->fs), -EHOSTDOWN;
	if (ceph_fs_active(fs) == 0)
		return diag_set(diag, NULL, 0,
				"the Ceph file system \"%s\" has no active MDS (%zu failed, %zu "
				"standby): it cannot serve the export; start an MDS (ceph fs status %s)",
				c->fs, fs->n_failed, m->n_standby, c->fs), -EHOSTDOWN;
	if (cl->result == CEPH_CLIENT_NO_MODULE)
		plan_note(p, "setup.ceph",
			  "libcephfs cannot be loaded: the path %s was not checked with the key "
			  "(apt-get install libcephfs2)", c->path);
	else if (cl->result == CEPH_CLIENT_NOT_DIR)
		return diag_set(diag, NULL, 0, "%s in the file system \"%s\" is not a directory",
				c->path, c->fs), -EHOSTDOWN;
	else if (cl->result == CEPH_CLIENT_FAILED)
		return diag_set(diag, NULL, 0,
				"client.%s cannot use %s in \"%s\": %s failed: %s%s", c->user, c->path,
				c->fs, cl->step, strerror(cl->err),
				cl->err == EACCES || cl->err == EPERM
					? " (the key or its caps: ceph auth get client.USER)"
				: streq(cl->step, "stat") && cl->err == ENOENT
					? " (create the directory in CephFS first)"
					: ""), -EHOSTDOWN;
	if (st->health != CEPH_HEALTH_OK)
		plan_note(p, "setup.ceph", "the Ceph cluster reports %s%s%s%s: see ceph health detail",
			  ceph_health_name(st->health), st->n_checks ? " (" : "",
			  st->n_checks ? st->checks[0].message : "", st->n_checks ? ", ...)" : "");
	plan_right(p, "setup.ceph",
		   "the Ceph cluster %s answers client.%s: %s, %d of %d OSDs up, \"%s\" has %zu "
		   "active MDS, %s is a directory there",
		   st->fsid, c->user, ceph_health_name(st->health), st->num_up_osds, st->num_osds,
		   c->fs, ceph_fs_active(fs), c->path);
	return 0;
}

/* A command of the cluster check that did not give an answer: why, for the one-line error. */
static int run_failed(const char *what, const struct ceph_run *run, int timeout_ms,
		      struct diag *diag)
{
	if (run->rc == -EBADMSG)
		return diag_set(diag, NULL, 0, "%s", run->msg), -EBADMSG;
	if (run->rc == -ETIMEDOUT)
		return diag_set(diag, NULL, 0, "%s: no answer within %d ms (stopped); nothing changed",
				what, timeout_ms), -ETIMEDOUT;
	if (run->rc == -EPROTO)
		return diag_set(diag, NULL, 0, "%s exited with status %d: %s; nothing changed", what,
				run->exit_code, run->err_line), -EHOSTDOWN;
	if (run->rc == -ENOENT)
		return diag_set(diag, NULL, 0, "%s: the program is not installed", what), -ENOPKG;
	return diag_set(diag, NULL, 0, "%s: %s", what, strerror(-run->rc)), run->rc;
}

static int ask_cluster(struct plan *p, const struct setup_server *s, struct diag *diag)
{
	const struct setup_ceph *c = s->ceph;
	struct ceph_cli cli = { c->conf, c->user, c->keyring, s->timeout_ms };
	struct ceph_status st;
	struct ceph_fsmap m;
	struct ceph_client cl;
	struct ceph_run run;
	int r;

	if (!root_is_host()) {
		static const char *const what[] = { "status", NULL };
		const char *argv[17];
		char buf[16];
		ceph_cli_argv(&cli, what, argv, buf, sizeof(buf));
		plan_add_run(p, "setup.ceph", s->timeout_ms, argv);
		plan_note(p, "setup.ceph",
			  "under --root the cluster is not asked: on that machine, ceph status must "
			  "answer HEALTH_OK with an active MDS for \"%s\"", c->fs);
		return 0;
	}
	if (ceph_cli_status(&cli, &st, &run) < 0)
		return run_failed("ceph status", &run, s->timeout_ms, diag);
	r = ceph_cli_fsmap(&cli, &m, &run);
	if (r < 0) {
		ceph_status_free(&st);
		return run_failed("ceph mds stat", &run, s->timeout_ms, diag);
	}
	r = ceph_cli_client(&cli, c->fs, c->path, &cl, &run);
	if (r < 0)
		r = run_failed("the libcephfs check of the path", &run, s->timeout_ms, diag);
	else
		r = setup_ceph_judge_cluster(p, c, &st, &m, &cl, diag);
	ceph_fsmap_free(&m);
	ceph_status_free(&st);
	return r;
}

#define SETUP_CEPH_FSAL_LIB "/usr/lib/ganesha/libganesha_rados_recov.so"

static int check_fsal(const struct plan_step *st, void *data, int timeout_ms, char **msg)
{
	(void)st;
	(void)data;
	(void)timeout_ms;
	if (root_entry_exists(SETUP_CEPH_FSAL_LIB))
		return 0;
	*msg = xasprintf("apt-get ran, but %s is still missing", SETUP_CEPH_FSAL_LIB);
	return -ENOENT;
}

/* ganesha from nfs-ganesha-vfs alone has no FSAL_CEPH: nfs-ganesha-ceph holds it (and the
 * RADOS recovery backend, /usr/lib/ganesha/libganesha_rados_recov.so). (setup_private.h) */
int setup_ceph_fsal(struct plan *p, const struct node_info *n, const struct setup_server *s,
		    struct diag *diag)
{
	if (root_entry_exists(SETUP_CEPH_FSAL_LIB)) {
		plan_right(p, "setup.packages", "FSAL_CEPH and the RADOS recovery backend are "
			   "installed (nfs-ganesha-ceph)");
		return 0;
	}
	if (!node_have_program("ganesha.nfsd"))
		return 0; /* the step before installs nfs-ganesha-ceph with ganesha */
	if (!n->debian_like)
		return diag_set(diag, NULL, 0, "FSAL_CEPH is missing: install nfs-ganesha-ceph"),
		       -ENOPKG;
	setup_plan_install(p, "ganesha.nfsd", "nfs-ganesha-ceph", s->timeout_ms);
	struct plan_step *st = &p->steps[p->n_steps - 1];
	free(st->title);
	st->title = xstrdup("install nfs-ganesha-ceph (FSAL_CEPH is missing): apt-get install -y "
			    "--no-install-recommends nfs-ganesha-ceph");
	st->check = check_fsal;
	return 0;
}

/* member: whether the grace database has nodeid now (a dump, with its own tolerance of the
 * crash at exit); -errno when the dump failed. */
static int grace_member(const struct grace_judge *j)
{
	struct ceph_grace g;
	struct ceph_run run;
	int r = ceph_cli_grace(&j->cli, &j->w, &g, &run);

	if (r < 0)
		return r;
	r = ceph_grace_find(&g, j->nodeid) ? 1 : 0;
	ceph_grace_free(&g);
	return r;
}

/* The add judged by its effect: ganesha-rados-grace 4.3 ends without rados_shutdown and
 * librados's threads sometimes crash its exit (SIGSEGV; the dump's case, ceph_cli_grace),
 * after its work or before it. A failed add is followed by a dump: the gateway a member now
 * is the add done; not a member, the add once more (when the deadline left room), then the
 * dump again. */
int setup_ceph_judge_grace(struct plan_step *s, void *data, int r)
{
	const struct grace_judge *j = data;
	_cleanup_free_ char *first = xstrdup(s->result ? s->result : "failed");

	if (r == 0 || r == -ENOENT || r == -ETIMEDOUT || r == SPAWN_REFUSED_ROOT)
		return r;
	int m = grace_member(j);
	if (m == 1) {
		plan_step_set_result(s, CHECK_OK, "%s; yet %s is in the grace database now (a dump "
				     "says so): the add was done", first, j->nodeid);
		return 0;
	}
	if (m < 0 || s->ms >= j->cli.timeout_ms / 2)
		return r;
	struct ceph_run run;
	int r2 = ceph_cli_grace_add(&j->cli, &j->w, j->nodeid, &run);
	m = grace_member(j);
	if (m == 1) {
		plan_step_set_result(s, CHECK_OK, "%s; once more: %s is in the grace database now "
				     "(a dump says so)%s", first, j->nodeid,
				     r2 < 0 ? ", although that add failed too" : "");
		return 0;
	}
	plan_step_set_result(s, CHECK_FAIL, "%s; once more: %s, still not in the grace database",
			     first, r2 == 0 ? "exited 0" : "failed too");
	return r;
}

static const char *own_str(struct plan *p, const char *v)
{
	return v ? plan_own(p, xstrdup(v)) : NULL;
}

/* This gateway in the gateways' grace database (rados_cluster): a member already, or a step
 * that adds it (which creates the database when there is none), run before ganesha starts.
 * Under --root, or before nfs-ganesha-rados-grace is installed, the step is listed. */
static int plan_grace(struct plan *p, const struct setup_server *s, struct diag *diag)
{
	const struct setup_ceph *c = s->ceph;
	struct ceph_cli cli = { c->conf, c->user, c->keyring, s->timeout_ms };
	struct ceph_grace_where w = { c->pool, c->ns };
	const char *argv[12];
	struct ceph_grace g;
	struct ceph_run run;

	ceph_cli_grace_argv(&cli, &w, "add", c->nodeid, argv);
	if (!root_is_host() || !node_have_program("ganesha-rados-grace")) {
		plan_add_run(p, "setup.grace", s->timeout_ms, argv);
		return 0;
	}
	if (ceph_cli_grace(&cli, &w, &g, &run) < 0 &&
	    !(run.rc == -EPROTO && ceph_grace_failure_errno(run.err_line) == ENOENT))
		return run_failed("ganesha-rados-grace dump", &run, s->timeout_ms, diag);
	if (ceph_grace_find(&g, c->nodeid))
		plan_right(p, "setup.grace", "this gateway (%s) is in the gateways' grace database "
			   "(pool %s, namespace %s, %zu gateways)", c->nodeid, c->pool, c->ns,
			   g.n_nodes);
	else {
		struct plan_step *st = plan_add_run(p, "setup.grace", s->timeout_ms, argv);
		struct grace_judge *j = plan_own(p, xcalloc(1, sizeof(*j)));
		*j = (struct grace_judge){
			.cli = { own_str(p, c->conf), own_str(p, c->user), own_str(p, c->keyring),
				 s->timeout_ms },
			.w = { own_str(p, c->pool), own_str(p, c->ns) },
			.nodeid = own_str(p, c->nodeid),
		};
		st->judge = setup_ceph_judge_grace;
		st->judge_data = j;
	}
	ceph_grace_free(&g);
	return 0;
}

int setup_ceph_plan(struct plan *p, const struct setup_server *s, const struct node_info *n,
		    struct diag *diag)
{
	const struct setup_ceph *c = s->ceph;
	mode_t mode;
	int r;

	if (config_check_abs_path(c->path) < 0)
		return diag_set(diag, NULL, 0, "[ceph] path \"%s\" is not an absolute path", c->path),
		       -EDOM;
	/* The key first: a key others can read is refused before anything else is looked at. */
	r = ceph_key_file_check(c->keyring, &mode, diag);
	if (r < 0)
		return -EBADMSG;
	if (!root_entry_exists(c->conf)) {
		_cleanup_free_ char *real = root_path(c->conf);
		return diag_set(diag, real, 0, "the Ceph cluster's configuration is missing ([ceph] "
				"conf)"), -EBADMSG;
	}
	char *conf = setup_ganesha_ceph_conf(s);
	if (!conf)
		return diag_set(diag, NULL, 0,
				"a value of [ceph] or the export cannot be written in a ganesha "
				"configuration (a double quote, a backslash or a control character)"),
		       -EDOM;
	if ((r = setup_plan_packages(p, n, s, "ceph", "ceph-common", diag)) < 0 ||
	    (r = setup_plan_packages(p, n, s, "ganesha.nfsd", "nfs-ganesha nfs-ganesha-ceph",
				     diag)) < 0 ||
	    (r = setup_plan_packages(p, n, s, "ganesha-rados-grace", "nfs-ganesha-rados-grace",
				     diag)) < 0 ||
	    (r = setup_ceph_fsal(p, n, s, diag)) < 0 || (r = ask_cluster(p, s, diag)) < 0 ||
	    (r = plan_grace(p, s, diag)) < 0) {
		free(conf);
		return r;
	}
	return setup_ganesha_serve(p, s, n, conf, false, diag);
}
