/* SPDX-License-Identifier: MIT */
/* status: the Ceph cluster's health once per run, on a CephFS gateway or an admin node
 * ([server] backend = ceph). */
#include "status/status.h"

#include "core/root.h"

#include <errno.h>

struct ask_args {
	struct status_ceph *c;
	struct ceph_cli cli;
};

static void *ask_thread(void *arg)
{
	struct ask_args *a = arg;

	ceph_cli_status(&a->cli, &a->c->st, &a->c->run);
	free(a);
	return NULL;
}

void status_ceph_start(struct status_ceph *c, const struct config *cfg, int timeout_ms)
{
	mode_t mode;
	struct diag d = { 0 };

	*c = (struct status_ceph){ 0 };
	if (!cfg->backend || !streq(cfg->backend, "ceph"))
		return;
	c->wanted = true;
	c->keyring = config_ceph_keyring(cfg);
	if (!root_is_host()) {
		snprintf(c->why, sizeof(c->why), "not asked under --root (no program runs)");
		return;
	}
	if (!root_entry_exists(cfg->ceph_conf)) {
		snprintf(c->why, sizeof(c->why), "not asked: no %s here", cfg->ceph_conf);
		return;
	}
	if (ceph_key_file_check(c->keyring, &mode, &d) < 0) {
		char m[1200];
		diag_format(&d, m, sizeof(m));
		snprintf(c->why, sizeof(c->why), "not asked: %s", m);
		return;
	}
	struct ask_args *a = xcalloc(1, sizeof(*a));
	*a = (struct ask_args){ c, { cfg->ceph_conf, cfg->ceph_user, c->keyring, timeout_ms } };
	c->asked = true;
	c->started = pthread_create(&c->thread, NULL, ask_thread, a) == 0;
	if (!c->started)
		ask_thread(a);
}

void status_ceph_wait(struct status_ceph *c)
{
	if (c->started)
		pthread_join(c->thread, NULL);
	c->started = false;
}

char *status_ceph_line(const struct status_ceph *c)
{
	const struct ceph_status *st = &c->st;

	if (!c->wanted)
		return NULL;
	if (!c->asked)
		return xasprintf("Ceph cluster: %s", c->why);
	switch (c->run.rc) {
	case 0:
		break;
	case -ETIMEDOUT:
		return xasprintf("Ceph cluster: cut: ceph status did not answer before the deadline");
	case -EPROTO:
		return xasprintf("Ceph cluster: ceph status exited with status %d: %s",
				 c->run.exit_code, c->run.err_line);
	case -EBADMSG:
		return xasprintf("Ceph cluster: unexpected answer: %s", c->run.msg);
	default:
		return xasprintf("Ceph cluster: ceph status: %s", strerror(-c->run.rc));
	}
	struct buf b = { 0 };
	buf_printf(&b, "Ceph cluster %s: %s", st->fsid, ceph_health_name(st->health));
	for (size_t i = 0; i < st->n_checks; i++)
		buf_printf(&b, "%s%s", i ? "; " : ": ", st->checks[i].message);
	buf_printf(&b, " (%d of %d OSDs up, MDS %d up of %d)", st->num_up_osds, st->num_osds,
		   st->mds_up, st->mds_in);
	return b.data;
}

void status_ceph_free(struct status_ceph *c)
{
	status_ceph_wait(c);
	ceph_status_free(&c->st);
	free(c->keyring);
	c->keyring = NULL;
}
