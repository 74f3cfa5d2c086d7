/* SPDX-License-Identifier: MIT */
#include "format/ceph.h"

#include "core/escape.h"
#include "core/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>

#define CEPH_MAX_STRING 1024
#define CEPH_LAYOUT "meshnfs reads the JSON of Ceph 15 to 18 (recorded from 16.2.15)"

static const char *const health_names[] = {
	[CEPH_HEALTH_OK] = "HEALTH_OK",
	[CEPH_HEALTH_WARN] = "HEALTH_WARN",
	[CEPH_HEALTH_ERR] = "HEALTH_ERR",
};

const char *ceph_health_name(enum ceph_health h)
{
	return ENUM_NAME(health_names, h, "?");
}

struct ctx {
	const char *source;
	struct diag *diag;
};

static int bad(struct ctx *c, const char *field, const char *fmt, ...) _printf_(3, 4);
static int bad(struct ctx *c, const char *field, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(c->diag, c->source, 0, "%s%s%s", field, *field ? ": " : "", msg);
}

/* A member of o that must be there with type t ("field" for messages: "health.status"). */
static int member(struct ctx *c, const json_t *o, const char *where, const char *key,
		  json_type t, json_t **out)
{
	json_t *v = json_object_get(o, key);
	char field[160];

	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
	if (!v || json_typeof(v) != t) {
		const char *want = t == JSON_OBJECT ? "an object"
				 : t == JSON_ARRAY  ? "an array"
				 : t == JSON_STRING ? "a string"
						    : "a number";
		return bad(c, field, "expected %s, got %s", want, json_type_desc(v));
	}
	*out = v;
	return 0;
}

static int get_int(struct ctx *c, const json_t *o, const char *where, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);
	char field[160];

	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
	if (!json_is_integer(v))
		return bad(c, field, "expected an integer, got %s", json_type_desc(v));
	json_int_t n = json_integer_value(v);
	if (n < -1 || n > 1000000)
		return bad(c, field, "%lld is out of range", (long long)n);
	*out = (int)n;
	return 0;
}

static int get_string(struct ctx *c, const json_t *o, const char *where, const char *key,
		      char **out)
{
	json_t *v;
	int r = member(c, o, where, key, JSON_STRING, &v);

	if (r < 0)
		return r;
	if (json_string_length(v) > CEPH_MAX_STRING || strlen(json_string_value(v)) != json_string_length(v))
		return bad(c, where, "%s: over-long string or a NUL byte in it", key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int health_parse(struct ctx *c, const char *field, const char *s, enum ceph_health *h)
{
	int v = ENUM_PARSE(health_names, s);

	if (v < 0)
		return bad(c, field, "\"%s\" is not HEALTH_OK, HEALTH_WARN or HEALTH_ERR", s);
	*h = (enum ceph_health)v;
	return 0;
}

static json_t *load(struct ctx *c, const char *data, size_t len)
{
	json_error_t err;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);

	if (!doc) {
		diag_set(c->diag, c->source, (unsigned)err.line, "not JSON: %s", err.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		bad(c, "", "expected a JSON object, got %s", json_type_desc(doc));
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int checks_parse(struct ctx *c, const json_t *checks, struct ceph_status *st)
{
	const char *code;
	json_t *v;

	if (json_object_size(checks) > CEPH_MAX_CHECKS)
		return bad(c, "health.checks", "more than %d checks", CEPH_MAX_CHECKS);
	st->checks = xcalloc(json_object_size(checks) + 1, sizeof(*st->checks));
	json_object_foreach((json_t *)checks, code, v) {
		struct ceph_check *k = &st->checks[st->n_checks];
		char where[200];
		json_t *sev, *sum, *muted;
		int r;

		snprintf(where, sizeof(where), "health.checks.%.64s", code);
		if (!json_is_object(v))
			return bad(c, where, "expected an object, got %s", json_type_desc(v));
		if (!*code || strlen(code) > 64)
			return bad(c, "health.checks", "a check code that is empty or over-long");
		if ((r = member(c, v, where, "severity", JSON_STRING, &sev)) < 0 ||
		    (r = health_parse(c, where, json_string_value(sev), &k->severity)) < 0 ||
		    (r = member(c, v, where, "summary", JSON_OBJECT, &sum)) < 0)
			return r;
		strcat(where, ".summary");
		if ((r = get_string(c, sum, where, "message", &k->message)) < 0)
			return r;
		k->code = xstrdup(code);
		muted = json_object_get(v, "muted");
		k->muted = json_is_true(muted);
		st->n_checks++;
	}
	return 0;
}

int ceph_status_parse(const char *source, const char *data, size_t len, struct ceph_status *st,
		      struct diag *diag)
{
	struct ctx c = { source, diag };
	json_t *doc, *health, *checks, *osdmap, *fsmap, *monmap, *quorum, *mgrmap, *v, *status;
	int r;

	*st = (struct ceph_status){ 0 };
	doc = load(&c, data, len);
	if (!doc)
		return -EBADMSG;
	health = json_object_get(doc, "health");
	osdmap = json_object_get(doc, "osdmap");
	/* Older layouts, named: a message that says "another version" beats "field missing". */
	if (json_is_object(health) && json_object_get(health, "overall_status") &&
	    !json_object_get(health, "checks")) {
		r = bad(&c, "health", "has \"overall_status\" and no \"checks\": the layout of Ceph 11 "
				      "or older; " CEPH_LAYOUT);
		goto out;
	}
	if (json_is_object(osdmap) && json_is_object(json_object_get(osdmap, "osdmap"))) {
		r = bad(&c, "osdmap", "is nested (\"osdmap.osdmap\"): the layout of Ceph 14 or older; "
				      CEPH_LAYOUT);
		goto out;
	}
	if ((r = get_string(&c, doc, "", "fsid", &st->fsid)) < 0 ||
	    (r = member(&c, doc, "", "health", JSON_OBJECT, &health)) < 0 ||
	    (r = member(&c, health, "health", "status", JSON_STRING, &status)) < 0 ||
	    (r = health_parse(&c, "health.status", json_string_value(status), &st->health)) < 0 ||
	    (r = member(&c, health, "health", "checks", JSON_OBJECT, &checks)) < 0 ||
	    (r = checks_parse(&c, checks, st)) < 0 ||
	    (r = member(&c, doc, "", "quorum_names", JSON_ARRAY, &quorum)) < 0 ||
	    (r = member(&c, doc, "", "monmap", JSON_OBJECT, &monmap)) < 0 ||
	    (r = get_int(&c, monmap, "monmap", "num_mons", &st->num_mons)) < 0 ||
	    (r = member(&c, doc, "", "osdmap", JSON_OBJECT, &osdmap)) < 0 ||
	    (r = get_int(&c, osdmap, "osdmap", "num_osds", &st->num_osds)) < 0 ||
	    (r = get_int(&c, osdmap, "osdmap", "num_up_osds", &st->num_up_osds)) < 0 ||
	    (r = get_int(&c, osdmap, "osdmap", "num_in_osds", &st->num_in_osds)) < 0 ||
	    (r = member(&c, doc, "", "fsmap", JSON_OBJECT, &fsmap)) < 0 ||
	    (r = get_int(&c, fsmap, "fsmap", "up", &st->mds_up)) < 0 ||
	    (r = get_int(&c, fsmap, "fsmap", "in", &st->mds_in)) < 0 ||
	    (r = get_int(&c, fsmap, "fsmap", "max", &st->mds_max)) < 0 ||
	    (r = member(&c, doc, "", "mgrmap", JSON_OBJECT, &mgrmap)) < 0)
		goto out;
	st->n_quorum = json_array_size(quorum);
	/* "failed" is there only when an MDS failed. */
	v = json_object_get(fsmap, "failed");
	if (v && (r = get_int(&c, fsmap, "fsmap", "failed", &st->mds_failed)) < 0)
		goto out;
	v = json_object_get(mgrmap, "available");
	if (!json_is_boolean(v)) {
		r = bad(&c, "mgrmap.available", "expected a boolean, got %s", json_type_desc(v));
		goto out;
	}
	st->mgr_available = json_is_true(v);
	if (st->num_up_osds > st->num_osds || st->num_in_osds > st->num_osds) {
		r = bad(&c, "osdmap", "%d up and %d in of %d OSDs", st->num_up_osds, st->num_in_osds,
			st->num_osds);
		goto out;
	}
out:
	json_decref(doc);
	if (r < 0)
		ceph_status_free(st);
	return r;
}

void ceph_status_free(struct ceph_status *st)
{
	for (size_t i = 0; i < st->n_checks; i++) {
		free(st->checks[i].code);
		free(st->checks[i].message);
	}
	free(st->checks);
	free(st->fsid);
	*st = (struct ceph_status){ 0 };
}

static int mdsmap_parse(struct ctx *c, const json_t *fsj, size_t idx, struct ceph_fs *fs)
{
	char where[200];
	json_t *mdsmap, *in, *failed, *damaged, *info, *v;
	const char *key;
	int r;

	snprintf(where, sizeof(where), "fsmap.filesystems[%zu]", idx);
	if (!json_is_object(fsj))
		return bad(c, where, "expected an object, got %s", json_type_desc(fsj));
	if ((r = member(c, fsj, where, "mdsmap", JSON_OBJECT, &mdsmap)) < 0)
		return r;
	strcat(where, ".mdsmap");
	if ((r = get_string(c, mdsmap, where, "fs_name", &fs->name)) < 0 ||
	    (r = get_int(c, mdsmap, where, "max_mds", &fs->max_mds)) < 0 ||
	    (r = member(c, mdsmap, where, "in", JSON_ARRAY, &in)) < 0 ||
	    (r = member(c, mdsmap, where, "failed", JSON_ARRAY, &failed)) < 0 ||
	    (r = member(c, mdsmap, where, "damaged", JSON_ARRAY, &damaged)) < 0 ||
	    (r = member(c, mdsmap, where, "info", JSON_OBJECT, &info)) < 0)
		return r;
	fs->n_in = json_array_size(in);
	fs->n_failed = json_array_size(failed);
	fs->n_damaged = json_array_size(damaged);
	if (json_object_size(info) > CEPH_MAX_MDS)
		return bad(c, where, "info: more than %d MDS daemons", CEPH_MAX_MDS);
	fs->mds = xcalloc(json_object_size(info) + 1, sizeof(*fs->mds));
	strcat(where, ".info");
	json_object_foreach(info, key, v) {
		struct ceph_mds *m = &fs->mds[fs->n_mds++]; /* freed with the rest, also half-filled */
		char w2[300];
		snprintf(w2, sizeof(w2), "%s.%.64s", where, key);
		if (!json_is_object(v))
			return bad(c, w2, "expected an object, got %s", json_type_desc(v));
		if ((r = get_string(c, v, w2, "name", &m->name)) < 0 ||
		    (r = get_string(c, v, w2, "state", &m->state)) < 0 ||
		    (r = get_int(c, v, w2, "rank", &m->rank)) < 0)
			return r;
	}
	return 0;
}

int ceph_fsmap_parse(const char *source, const char *data, size_t len, struct ceph_fsmap *m,
		     struct diag *diag)
{
	struct ctx c = { source, diag };
	json_t *doc, *fsmap, *fss, *standbys;
	int r;

	*m = (struct ceph_fsmap){ 0 };
	doc = load(&c, data, len);
	if (!doc)
		return -EBADMSG;
	if (json_object_get(doc, "mdsmap") && !json_object_get(doc, "fsmap")) {
		r = bad(&c, "", "an \"mdsmap\" without \"fsmap\": the layout of Ceph 9 or older; "
				CEPH_LAYOUT);
		goto out;
	}
	if ((r = member(&c, doc, "", "fsmap", JSON_OBJECT, &fsmap)) < 0 ||
	    (r = member(&c, fsmap, "fsmap", "filesystems", JSON_ARRAY, &fss)) < 0 ||
	    (r = member(&c, fsmap, "fsmap", "standbys", JSON_ARRAY, &standbys)) < 0)
		goto out;
	if (json_array_size(fss) > CEPH_MAX_FS) {
		r = bad(&c, "fsmap.filesystems", "more than %d file systems", CEPH_MAX_FS);
		goto out;
	}
	m->n_standby = json_array_size(standbys);
	m->fs = xcalloc(json_array_size(fss) + 1, sizeof(*m->fs));
	for (size_t i = 0; i < json_array_size(fss); i++) {
		r = mdsmap_parse(&c, json_array_get(fss, i), i, &m->fs[m->n_fs]);
		m->n_fs++; /* freed with the rest, also half-filled */
		if (r < 0)
			goto out;
		for (size_t k = 0; k + 1 < m->n_fs; k++)
			if (streq(m->fs[k].name, m->fs[i].name)) {
				r = bad(&c, "fsmap.filesystems", "\"%s\" listed twice", m->fs[i].name);
				goto out;
			}
	}
out:
	json_decref(doc);
	if (r < 0)
		ceph_fsmap_free(m);
	return r;
}

void ceph_fsmap_free(struct ceph_fsmap *m)
{
	for (size_t i = 0; i < m->n_fs; i++) {
		struct ceph_fs *fs = &m->fs[i];
		for (size_t k = 0; k < fs->n_mds; k++) {
			free(fs->mds[k].name);
			free(fs->mds[k].state);
		}
		free(fs->mds);
		free(fs->name);
	}
	free(m->fs);
	*m = (struct ceph_fsmap){ 0 };
}

const struct ceph_fs *ceph_fsmap_find(const struct ceph_fsmap *m, const char *name)
{
	for (size_t i = 0; i < m->n_fs; i++)
		if (m->fs[i].name && streq(m->fs[i].name, name))
			return &m->fs[i];
	return NULL;
}

size_t ceph_fs_active(const struct ceph_fs *fs)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->n_mds; i++)
		n += streq(fs->mds[i].state, "up:active");
	return n;
}
