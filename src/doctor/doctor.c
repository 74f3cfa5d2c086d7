/* SPDX-License-Identifier: MIT */
/* The runner: facts, then judges, then the extras. */
#include "doctor/doctor_facts.h"

#include <pthread.h>

void doctor_facts_init(struct doctor_facts *f, const struct doctor *d)
{
	*f = (struct doctor_facts){
		.cfg = d->cfg,
		.node = d->node,
		.timeout_ms = d->timeout_ms,
		.verbose = d->verbose,
		.is_server = node_is_server(d->node, d->cfg->server),
		.now = time(NULL),
	};
}

void doctor_facts_free(struct doctor_facts *f)
{
	if (f->nfs.gathered && f->nfs.resolve_rc == 0)
		probe_free(&f->nfs.probe);
	for (size_t i = 0; f->gateways.gathered && i < f->gateways.n; i++)
		probe_free(&f->gateways.probes[i]);
	free(f->mount.mountinfo);
	mount_stack_free(&f->mount.stack);
	free(f->client.fstab_path);
	if (f->client.read_rc == 0 && f->client.parse_rc == 0 && f->client.gathered)
		fstab_free(&f->client.fstab);
	for (size_t i = 0; i < f->server.n_exports; i++) {
		struct doctor_exports_facts *e = &f->server.exports[i];
		if (e->read_rc == 0 && e->parse_rc == 0)
			exports_free(&e->f);
		free(e->path);
	}
	free(f->server.exports);
	free(f->server.ganesha_path);
	free(f->server.ganesha_conf);
	for (size_t i = 0; i < f->server.n_clients; i++)
		nfsd_client_free(&f->server.clients[i]);
	free(f->server.clients);
	free(f->ids.idmapd_path);
	free(f->ids.domain);
	free(f->ids.users);
	listeners_free(&f->server.listeners);
	ts_status_free(&f->mesh.st);
	ts_status_free(&f->mesh.path_st);
	ceph_status_free(&f->ceph.status);
	ceph_fsmap_free(&f->ceph.fsmap);
	ceph_grace_free(&f->ceph.grace);
	free(f->ceph.conf);
	free(f->ceph.keyring);
	ts_run_free(&f->mesh.run);
	if (f->mesh.gathered && f->mesh.cli_rc == 0)
		ts_cli_free(&f->mesh.cli);
	free(f->wsl.winver);
	text_free(&f->wsl.wslconfig_text);
	ini_doc_free(&f->wsl.wslconfig);
	listeners_free(&f->ports.lin);
	listeners_free(&f->ports.win);
}

struct job {
	struct doctor_facts *f;
	void (*gather)(struct doctor_facts *f);
	pthread_t thread;
	bool started;
};

static void *job_main(void *p)
{
	struct job *j = p;
	j->gather(j->f);
	return NULL;
}

void doctor_gather(struct doctor_facts *f)
{
	_cleanup_free_ struct job *jobs = xcalloc(doctor_n_areas, sizeof(*jobs));

	for (size_t i = 0; i < doctor_n_areas; i++) {
		struct job *j = &jobs[i];
		if (!doctor_areas[i].gather)
			continue;
		*j = (struct job){ .f = f, .gather = doctor_areas[i].gather };
		j->started = pthread_create(&j->thread, NULL, job_main, j) == 0;
		if (!j->started)
			job_main(j); /* no thread: still gather, just not concurrently */
	}
	for (size_t i = 0; i < doctor_n_areas; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
	doctor_gather_mesh_path(f);
}

void doctor_judge(const struct doctor_facts *f, struct report *r)
{
	for (size_t i = 0; i < doctor_n_areas; i++)
		doctor_areas[i].judge(f, r);
}

bool doctor_check_per_share(const char *id)
{
	static const char *const prefixes[] = { "nfs.", "mount.", "fstab.", "share.",
						"mesh.address" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (startswith(id, prefixes[i]))
			return true;
	return false;
}

void doctor_run(const struct doctor *d, struct report *out)
{
	struct doctor_facts f;

	doctor_facts_init(&f, d);
	doctor_gather(&f);
	doctor_judge(&f, out);
	doctor_render(&f, out);
	doctor_facts_free(&f);
}
