/* SPDX-License-Identifier: MIT */
#include "doctor/doctor.h"

#include <pthread.h>

struct job {
	const struct doctor *d;
	const struct doctor_area *area;
	struct report report;
	pthread_t thread;
	bool started;
};

static void *job_main(void *p)
{
	struct job *j = p;
	j->area->run(j->d, &j->report);
	return NULL;
}

static void merge(struct report *out, const struct report *in)
{
	for (size_t i = 0; i < in->n_checks; i++) {
		const struct check *c = &in->checks[i];
		struct check *n = report_add(out, c->id, c->status, "%s", c->summary);
		if (c->detail)
			check_set_detail(n, "%s", c->detail);
		if (c->fix)
			check_set_fix(n, "%s", c->fix);
		n->ms = c->ms;
	}
	json_object_update(out->extra, in->extra);
}

void doctor_run(const struct doctor *d, struct report *out)
{
	_cleanup_free_ struct job *jobs = xcalloc(doctor_n_areas, sizeof(*jobs));
	_cleanup_free_ struct report **done = xcalloc(doctor_n_areas, sizeof(*done));
	size_t n_done = 0;

	for (int phase = 1; phase <= 2; phase++) {
		struct doctor dp = *d;
		if (phase == 2) {
			dp.phase1 = done;
			dp.n_phase1 = n_done;
		}
		for (size_t i = 0; i < doctor_n_areas; i++) {
			struct job *j = &jobs[i];
			if (doctor_areas[i].phase != phase)
				continue;
			*j = (struct job){ .d = d, .area = &doctor_areas[i] };
			report_init(&j->report, out->command);
			if (phase == 2) {
				/* Phase 2 is short and reads phase 1: run in order, in this thread. */
				j->d = &dp;
				job_main(j);
				continue;
			}
			j->started = pthread_create(&j->thread, NULL, job_main, j) == 0;
			if (!j->started)
				job_main(j); /* no thread: still run it, just not concurrently */
		}
		for (size_t i = 0; i < doctor_n_areas; i++) {
			if (doctor_areas[i].phase != phase)
				continue;
			if (jobs[i].started)
				pthread_join(jobs[i].thread, NULL);
			if (phase == 1)
				done[n_done++] = &jobs[i].report;
		}
	}
	for (size_t i = 0; i < doctor_n_areas; i++) {
		merge(out, &jobs[i].report);
		report_free(&jobs[i].report);
	}
}

const struct check *doctor_find(const struct doctor *d, const char *id)
{
	for (size_t i = 0; i < d->n_phase1; i++) {
		const struct check *c = report_find(d->phase1[i], id);
		if (c)
			return c;
	}
	return NULL;
}

struct check *doctor_amend(const struct doctor *d, const char *id)
{
	for (size_t i = 0; i < d->n_phase1; i++) {
		struct report *r = d->phase1[i];
		for (size_t k = 0; k < r->n_checks; k++)
			if (streq(r->checks[k].id, id))
				return &r->checks[k];
	}
	return NULL;
}

const json_t *doctor_find_extra(const struct doctor *d, const char *key)
{
	for (size_t i = 0; i < d->n_phase1; i++) {
		const json_t *v = json_object_get(d->phase1[i]->extra, key);
		if (v)
			return v;
	}
	return NULL;
}

bool doctor_node_holds(const struct node_info *n, uint32_t a)
{
	for (size_t i = 0; i < n->n_addrs; i++)
		if (n->addrs[i] == a)
			return true;
	return false;
}

bool doctor_is_server(const struct doctor *d)
{
	uint32_t a;

	return ipv4_parse(d->cfg->server, &a) == 0 && doctor_node_holds(d->node, a);
}
