/* SPDX-License-Identifier: MIT */
/* ceph.health, ceph.mds, ceph.client, ceph.grace: a gateway of a CephFS ([server] backend =
 * ceph), asked with the gateway's own key (node/ceph_cli.h): what `ceph status` says, whether
 * the file system has an active MDS (`ceph mds stat`), whether libcephfs mounts it and finds
 * the exported path, whether this gateway is in the gateways' grace database (rados_cluster:
 * `ganesha-rados-grace dump`) and whether a grace period holds new state back. A command that did not finish within --timeout is a cut (skip), never a
 * fault; its own "timed out" (shorter, set by meshnfs) is an answer. When the probe of the
 * gateway (nfs.*) failed, the Ceph check that explains it says so. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "core/spawn.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>

/* A command that gave no parsed answer: the check it would have made. */
static void not_answered(const char *id, const char *what, const struct ceph_run *run,
			 int timeout_ms, struct report *r)
{
	struct check *c;

	switch (run->rc) {
	case -ETIMEDOUT:
		c = report_check(r, id, CHECK_SKIP,
				 .summary = xasprintf("cut: %s did not finish within %d ms: no "
						      "verdict",
						      what, timeout_ms),
				 .detail = xasprintf("meshnfs stopped it at its deadline "
						     "(--timeout); the Ceph CLI's own connect "
						     "timeout, shorter, had not answered "
						     "either."));
		break;
	case -EPROTO:
		c = report_add(r, id, CHECK_FAIL, "%s exited with status %d: %s", what, run->exit_code,
			       run->err_line);
		if (run->exit_code == EACCES || run->exit_code == EPERM)
			check_set_fix(c, "the key was refused: compare the keyring with `ceph auth get "
					 "client.USER` (on an admin node)");
		else if (run->exit_code == ETIMEDOUT)
			check_set_fix(c, "no monitor answered: check `mon host` in the Ceph "
					 "configuration and that the monitors run (ceph-mon)");
		break;
	case -EBADMSG:
		c = report_check(r, id, CHECK_FAIL,
				 .summary = xasprintf("unexpected answer from %s: %s",
						      what, run->msg),
				 .detail = xasprintf("meshnfs reads the JSON of Ceph 15 to 18; a "
						     "cluster or a ceph CLI of another version "
						     "answers differently."));
		break;
	case -ENOENT:
		c = report_check(r, id, CHECK_FAIL,
				 .summary = xasprintf("%s: the program is not installed", what),
				 .fix = xasprintf("sudo apt-get install ceph-common"));
		break;
	default:
		report_add(r, id, CHECK_FAIL, "%s: %s", what, strerror(-run->rc));
	}
	c = &r->checks[r->n_checks - 1];
	c->ms = run->ms;
}

/* The probe of the gateway failed: "; it explains the probe's DIAGNOSIS (nfs.*)", or "". */
static const char *explains(const struct doctor_facts *f, char *buf, size_t size)
{
	const struct probe *p = &f->nfs.probe;

	buf[0] = '\0';
	if (f->nfs.gathered && f->nfs.resolve_rc == 0 && p->diagnosis != PROBE_OK &&
	    p->diagnosis != PROBE_CUT)
		snprintf(buf, size,
			 "\nThis explains the probe of %s (nfs.*): %s. The gateway's NFS requests "
			 "wait in libcephfs for the cluster.",
			 f->cfg->server, probe_diagnosis_name(p->diagnosis));
	return buf;
}

static void judge_health(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ceph_facts *k = &f->ceph;
	const struct ceph_status *st = &k->status;
	char why[400];
	struct check *c;

	if (k->status_run.rc < 0) {
		not_answered("ceph.health", "ceph status", &k->status_run, f->timeout_ms, r);
		return;
	}
	enum check_status s = st->health == CEPH_HEALTH_OK     ? CHECK_OK
			      : st->health == CEPH_HEALTH_WARN ? CHECK_WARN
							       : CHECK_FAIL;
	int down = st->num_osds - st->num_up_osds;
	if (down > 0)
		c = report_add(r, "ceph.health", s == CHECK_OK ? CHECK_WARN : s,
			       "%s: %d of %d OSDs down: I/O to their data stalls until they are back",
			       ceph_health_name(st->health), down, st->num_osds);
	else
		c = report_add(r, "ceph.health", s, "%s: %zu of %d monitors in quorum, %d of %d OSDs "
			       "up, MDS %d up of %d, mgr %s",
			       ceph_health_name(st->health), st->n_quorum, st->num_mons,
			       st->num_up_osds, st->num_osds, st->mds_up, st->mds_in,
			       st->mgr_available ? "available" : "not available");
	c->ms = k->status_run.ms;
	struct buf d = { 0 };
	buf_printf(&d, "cluster %s", st->fsid);
	for (size_t i = 0; i < st->n_checks; i++)
		buf_printf(&d, "\n%s %s: %s%s", ceph_health_name(st->checks[i].severity),
			   st->checks[i].code, st->checks[i].message,
			   st->checks[i].muted ? " (muted)" : "");
	if (s != CHECK_OK || down > 0)
		buf_printf(&d, "%s", explains(f, why, sizeof(why)));
	check_set_detail(c, "%s", d.data);
	buf_free(&d);
	if (down > 0)
		check_set_fix(c, "start the OSDs that are down (ceph osd tree down; on their hosts: "
				 "systemctl start ceph-osd@ID)");
	else if (s != CHECK_OK)
		check_set_fix(c, "ceph health detail   (on an admin node)");
}

static void judge_mds(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ceph_facts *k = &f->ceph;
	const char *name = f->cfg->ceph_fs;
	char why[400];
	struct check *c;

	if (k->fsmap_run.rc < 0) {
		not_answered("ceph.mds", "ceph mds stat", &k->fsmap_run, f->timeout_ms, r);
		return;
	}
	const struct ceph_fs *fs = ceph_fsmap_find(&k->fsmap, name);
	if (!fs) {
		c = report_check(r, "ceph.mds", CHECK_FAIL,
				 .summary = xasprintf("the cluster has no file system \"%s\" "
						      "(%zu file systems)", name, k->fsmap.n_fs),
				 .fix = xasprintf("set [ceph] fs in /etc/meshnfs.conf, or create "
						  "it: ceph fs volume create %s", name));
	} else if (ceph_fs_active(fs) == 0) {
		c = report_check(r, "ceph.mds", CHECK_FAIL,
				 .summary = xasprintf("\"%s\" has no active MDS (%zu failed, %zu "
						      "damaged, %zu standby): the file system is "
						      "offline",
						      name, fs->n_failed, fs->n_damaged,
						      k->fsmap.n_standby),
				 .detail = xasprintf("Every request for its files waits until an "
						     "MDS takes rank 0 over.%s",
						     explains(f, why, sizeof(why))),
				 .fix = xasprintf("start an MDS for %s (on its host: systemctl "
						  "start ceph-mds@NAME), then: ceph fs status %s",
						  name, name));
	} else {
		struct buf d = { 0 };
		for (size_t i = 0; i < fs->n_mds; i++)
			buf_printf(&d, "%s%s rank %d %s", i ? ", " : "", fs->mds[i].name,
				   fs->mds[i].rank, fs->mds[i].state);
		c = report_check(r, "ceph.mds", CHECK_OK,
				 .summary = xasprintf("\"%s\" has %zu active MDS of %zu ranks, %zu "
						      "standby",
						      name, ceph_fs_active(fs), fs->n_in, k->fsmap.n_standby),
				 .detail = xasprintf("%s", d.data ? d.data : ""));
		buf_free(&d);
	}
	c->ms = k->fsmap_run.ms;
}

static void judge_client(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ceph_facts *k = &f->ceph;
	const struct config *cfg = f->cfg;
	const struct ceph_client *cl = &k->client;
	struct check *c;

	if (k->client_run.rc < 0) {
		not_answered("ceph.client", "the libcephfs mount", &k->client_run, f->timeout_ms, r);
		return;
	}
	switch (cl->result) {
	case CEPH_CLIENT_OK:
		c = report_add(r, "ceph.client", CHECK_OK, "client.%s mounts \"%s\" with its key; %s "
			       "is a directory there", cfg->ceph_user, cfg->ceph_fs, cfg->ceph_path);
		break;
	case CEPH_CLIENT_NOT_DIR:
		c = report_check(r, "ceph.client", CHECK_FAIL,
				 .summary = xasprintf("%s in \"%s\" is not a directory",
						      cfg->ceph_path, cfg->ceph_fs),
				 .fix = xasprintf("set [ceph] path to a directory of the file "
						  "system"));
		break;
	case CEPH_CLIENT_NO_MODULE:
		c = report_check(r, "ceph.client", CHECK_SKIP,
				 .summary = xasprintf("libcephfs cannot be loaded: the key and the "
						      "path were not tried"),
				 .fix = xasprintf("sudo apt-get install libcephfs2"));
		break;
	default:
		if (cl->err == EACCES || cl->err == EPERM) {
			c = report_check(r, "ceph.client", CHECK_FAIL,
					 .summary = xasprintf("the cluster refused client.%s's key "
							      "from %s (%s: %s)",
							      cfg->ceph_user, k->keyring, cl->step, strerror(cl->err)),
					 .fix = xasprintf("compare %s with `ceph auth get "
							  "client.%s` (on an admin node)",
							  k->keyring, cfg->ceph_user));
		} else if (streq(cl->step, "stat") && cl->err == ENOENT) {
			c = report_check(r, "ceph.client", CHECK_FAIL,
					 .summary = xasprintf("%s does not exist in \"%s\"",
							      cfg->ceph_path, cfg->ceph_fs),
					 .fix = xasprintf("create it in CephFS, or set [ceph] "
							  "path"));
		} else if (streq(cl->step, "mount") && cl->err == ETIMEDOUT) {
			c = report_add(r, "ceph.client", CHECK_FAIL,
				       "the mount of \"%s\" timed out: no MDS served it (see ceph.mds)",
				       cfg->ceph_fs);
		} else {
			c = report_add(r, "ceph.client", CHECK_FAIL, "libcephfs %s of \"%s\" failed: %s",
				       cl->step, cfg->ceph_fs, strerror(cl->err));
		}
	}
	c->ms = k->client_run.ms;
}

/* The gateways' grace database: this gateway must be a member (ganesha's rados_cluster backend
 * joins the cluster's grace periods through its record); a grace period in force (rec != 0)
 * refuses new opens and locks on EVERY gateway until each gateway that needs it lifts it. */
static void judge_grace(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ceph_facts *k = &f->ceph;
	const struct config *cfg = f->cfg;
	const struct ceph_grace *g = &k->grace;
	struct check *c;
	char why[400];

	if (k->grace_run.rc == -EPROTO && ceph_grace_failure_errno(k->grace_run.err_line) == ENOENT) {
		c = report_check(r, "ceph.grace", CHECK_FAIL,
				 .summary = xasprintf("no grace database in pool %s, namespace %s: "
						      "this gateway (%s) is not in it, no gateway "
						      "is",
						      cfg->ceph_pool, cfg->ceph_namespace, k->nodeid),
				 .detail = xasprintf("NFS-Ganesha's rados_cluster recovery backend "
						     "keeps the gateways' shared grace state there; "
						     "a gateway that is not a member cannot take "
						     "part in it."),
				 .fix = xasprintf("sudo meshnfs setup server --backend ceph   (adds "
						  "it: ganesha-rados-grace --pool %s --ns %s add "
						  "%s)",
						  cfg->ceph_pool, cfg->ceph_namespace, k->nodeid));
		c->ms = k->grace_run.ms;
		return;
	}
	if (k->grace_run.rc < 0) {
		not_answered("ceph.grace", "ganesha-rados-grace dump", &k->grace_run, f->timeout_ms, r);
		c = &r->checks[r->n_checks - 1];
		if (k->grace_run.rc == -ENOENT)
			check_set_fix(c, "sudo apt-get install nfs-ganesha-rados-grace");
		else if (k->grace_run.rc == -EBADMSG)
			check_set_detail(c, "meshnfs reads the dump of nfs-ganesha 2.7 to 6 "
					    "(src/support/rados_grace.c); another version prints "
					    "differently.");
		return;
	}
	struct buf d = { 0 };
	buf_printf(&d, "pool %s, namespace %s: epoch %" PRIu64 ", %s", cfg->ceph_pool,
		   cfg->ceph_namespace, g->cur,
		   g->rec ? "a grace period in force" : "no grace period");
	for (size_t i = 0; i < g->n_nodes; i++)
		buf_printf(&d, "\n%s%s%s%s", g->nodes[i].nodeid,
			   streq(g->nodes[i].nodeid, k->nodeid) ? " (this gateway)" : "",
			   g->nodes[i].need ? ", needs a grace period" : "",
			   g->nodes[i].enforcing ? ", enforcing it (no new opens or locks)" : "");
	const struct ceph_grace_node *me = ceph_grace_find(g, k->nodeid);
	if (!me) {
		c = report_check(r, "ceph.grace", CHECK_FAIL,
				 .summary = xasprintf("this gateway (%s) is not in the grace "
						      "database (%zu gateways in it)",
						      k->nodeid, g->n_nodes),
				 .fix = xasprintf("sudo meshnfs setup server --backend ceph   (adds "
						  "it: ganesha-rados-grace --pool %s --ns %s add "
						  "%s); or set [ceph] nodeid to the name it has "
						  "there",
						  cfg->ceph_pool, cfg->ceph_namespace, k->nodeid));
	} else if (g->rec) {
		struct buf need = { 0 };
		for (size_t i = 0; i < g->n_nodes; i++)
			if (g->nodes[i].need)
				buf_printf(&need, "%s%s", need.len ? ", " : "", g->nodes[i].nodeid);
		c = report_add(r, "ceph.grace", CHECK_WARN,
			       "the gateways are in a grace period (clients reclaim from epoch %" PRIu64
			       "): new opens and locks wait (NFS4ERR_GRACE) until %s lift%s it",
			       g->rec, need.len ? need.data : "every gateway",
			       ceph_grace_needing(g) == 1 ? "s" : "");
		if (f->nfs.gathered && f->nfs.probe.diagnosis == PROBE_GRACE)
			buf_printf(&d, "%s", explains(f, why, sizeof(why)));
		check_set_fix(c, "wait for the grace period (ganesha's Grace_Period, 90 s by default); "
				 "a gateway that is gone for good holds it: ganesha-rados-grace --pool "
				 "%s --ns %s remove NODEID", cfg->ceph_pool, cfg->ceph_namespace);
		buf_free(&need);
	} else {
		c = report_add(r, "ceph.grace", CHECK_OK,
			       "this gateway (%s) is one of %zu in the grace database; no grace period "
			       "in force", k->nodeid, g->n_nodes);
	}
	check_set_detail(c, "%s", d.data);
	buf_free(&d);
	c->ms = k->grace_run.ms;
}

void doctor_judge_ceph(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ceph_facts *k = &f->ceph;
	struct check *c;

	if (!k->gathered)
		return;
	if (!k->conf_exists && !f->is_server) {
		/* A client with the mesh's shared configuration: nothing to ask from here. */
		report_add(r, "ceph.health", CHECK_SKIP,
			   "not a CephFS gateway: this node does not hold %s and has no %s",
			   f->cfg->server, k->conf);
		return;
	}
	if (!k->conf_exists) {
		report_check(r, "ceph.health", CHECK_FAIL,
			     .summary = xasprintf("%s is missing: this gateway has no Ceph "
						  "configuration ([ceph] conf)",
						  k->conf),
			     .fix = xasprintf("copy the cluster's ceph.conf (fsid, mon host) to "
					      "%s", k->conf));
	}
	if (k->key_rc < 0) {
		c = report_add(r, "ceph.client", CHECK_FAIL, "%s", k->key_msg);
		if (k->key_rc == -EPERM)
			check_set_fix(c, "sudo chmod 600 %s", k->keyring);
		else
			check_set_fix(c, "put client.%s's key there: ceph auth get client.%s -o %s (on "
					 "an admin node), mode 600", f->cfg->ceph_user,
				      f->cfg->ceph_user, k->keyring);
	}
	if (!k->conf_exists || k->key_rc < 0)
		return;
	if (!k->live) {
		static const char *const ids[] = { "ceph.health", "ceph.mds", "ceph.client",
						   "ceph.grace" };
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
			report_check(r, ids[i], CHECK_SKIP,
				     .summary = xasprintf("skipped under --root: asking the "
							  "cluster means running ceph, and "
							  "meshnfs runs no program under "
							  "--root"),
				     .fix = xasprintf("on that machine: meshnfs doctor"));
		}
		return;
	}
	judge_health(f, r);
	judge_mds(f, r);
	judge_client(f, r);
	judge_grace(f, r);
}

/* ---- gather (I/O) ---- */

struct ask {
	struct doctor_facts *f;
	struct ceph_cli cli;
	int which;
};

static void *ask_thread(void *arg)
{
	struct ask *a = arg;
	struct doctor_ceph_facts *k = &a->f->ceph;

	if (a->which == 0)
		ceph_cli_status(&a->cli, &k->status, &k->status_run);
	else if (a->which == 1)
		ceph_cli_fsmap(&a->cli, &k->fsmap, &k->fsmap_run);
	else if (a->which == 2)
		ceph_cli_client(&a->cli, a->f->cfg->ceph_fs, a->f->cfg->ceph_path, &k->client,
				&k->client_run);
	else {
		struct ceph_grace_where w = { a->f->cfg->ceph_pool, a->f->cfg->ceph_namespace };
		ceph_cli_grace(&a->cli, &w, &k->grace, &k->grace_run);
	}
	return NULL;
}

void doctor_gather_ceph(struct doctor_facts *f)
{
	struct doctor_ceph_facts *k = &f->ceph;
	struct diag dg = { 0 };
	mode_t mode;

	if (!f->cfg->backend || !streq(f->cfg->backend, "ceph"))
		return;
	k->gathered = true;
	k->conf = xstrdup(f->cfg->ceph_conf);
	k->keyring = config_ceph_keyring(f->cfg);
	k->conf_exists = root_entry_exists(k->conf);
	k->key_rc = ceph_key_file_check(k->keyring, &mode, &dg);
	if (k->key_rc < 0)
		diag_format(&dg, k->key_msg, sizeof(k->key_msg));
	k->nodeid = config_ceph_nodeid(f->cfg, f->node ? f->node->hostname : NULL);
	k->live = root_is_host();
	if (!k->live || !k->conf_exists || k->key_rc < 0)
		return;
	/* The four questions are independent: asked at once, each with the deadline. */
	struct ask a[4];
	pthread_t t[4];
	bool started[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (struct ask){ f, { k->conf, f->cfg->ceph_user, k->keyring, f->timeout_ms }, i };
		started[i] = pthread_create(&t[i], NULL, ask_thread, &a[i]) == 0;
		if (!started[i])
			ask_thread(&a[i]);
	}
	for (int i = 0; i < 4; i++)
		if (started[i])
			pthread_join(t[i], NULL);
}
