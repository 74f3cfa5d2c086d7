/* SPDX-License-Identifier: MIT */
/* The facts a --json reader wants besides the checks, into the report's extra: "probe" (the
 * nfs area's diagnosis), "mount" (what is mounted, the health probe's evidence), "tailscale"
 * (the node list). The only JSON in doctor; it renders, it judges nothing. */
#include "doctor/doctor_facts.h"

#include "core/escape.h"

#include <string.h>

static const char *errno_name(int err)
{
	const char *n = err ? strerrorname_np(err) : NULL;
	return n ? n : "?";
}

static json_t *jstr(const char *s)
{
	return s ? json_text(s) : json_null();
}

static json_t *entry_json(const struct doctor_mount_facts *m)
{
	const struct mount_entry *e = m->top;

	if (!e)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}", "source",
			 jstr(e->source), "fstype", jstr(e->fstype), "server", jstr(e->server),
			 "export", jstr(e->export_path), "vfs_options", jstr(e->vfs_options),
			 "fs_options", jstr(e->fs_options), "clientaddr", jstr(e->clientaddr), "addr",
			 jstr(e->addr), "vers", jstr(e->vers), "read_only", e->read_only, "automount",
			 m->automount);
}

static json_t *state_json(char s)
{
	char b[2] = { s, 0 };
	return s ? json_text(b) : json_null();
}

static json_t *health_json(const struct doctor_facts *f)
{
	const struct mount_health *h = &f->mount.health;
	json_t *steps, *child;

	if (!f->mount.probed)
		return json_null();
	steps = json_array();
	for (int i = 0; i < MOUNT_STEP__MAX; i++) {
		const struct mount_step_result *s = &h->steps[i];
		if (!s->started)
			continue;
		json_array_append_new(
			steps, json_pack("{s:s, s:b, s:o, s:o}", "step", mount_step_name((enum mount_step)i),
					 "done", s->done, "errno",
					 s->err ? json_text(errno_name(s->err)) : json_null(), "ms",
					 s->done ? json_integer(s->ms) : json_null()));
	}
	child = json_pack("{s:i, s:o, s:o, s:b, s:b, s:o, s:o, s:o}", "pid", (int)h->pid, "state",
			  state_json(h->proc_state), "wchan", jstr(h->wchan[0] ? h->wchan : NULL),
			  "killed", h->killed, "exited", h->exited, "kill_ms",
			  h->kill_ms >= 0 ? json_integer(h->kill_ms) : json_null(), "state_after_kill",
			  state_json(h->state_after_kill), "wchan_after_kill",
			  jstr(h->wchan_after_kill[0] ? h->wchan_after_kill : NULL));
	return json_pack("{s:s, s:s, s:o, s:I, s:i, s:i, s:o, s:o}", "state",
			 mount_health_state_name(h->state), "step", mount_step_name(h->step), "errno",
			 h->err ? json_text(errno_name(h->err)) : json_null(), "ms", (json_int_t)h->ms,
			 "timeout_ms", f->timeout_ms, "entries", (int)h->entries, "steps", steps,
			 "child", child);
}

static void render_mount(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_mount_facts *m = &f->mount;

	if (!m->gathered)
		return;
	json_object_set_new(r->extra, "mount",
			    json_pack("{s:o, s:o, s:o, s:o}", "mountpoint",
				      json_text(f->cfg->mountpoint), "mountinfo", json_text(m->mountinfo),
				      "mounted", entry_json(m), "health", health_json(f)));
}

static void render_probe(const struct doctor_facts *f, struct report *r)
{
	if (!f->nfs.gathered || f->nfs.resolve_rc < 0)
		return;
	json_t *o = json_pack("{s:s, s:s}", "diagnosis",
			      probe_diagnosis_name(f->nfs.probe.diagnosis), "server", f->cfg->server);
	json_t *below = probe_below_json(&f->nfs.probe);
	json_object_update(o, below);
	json_decref(below);
	json_object_set_new(r->extra, "probe", o);
}

static void render_tailscale(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_mesh_facts *m = &f->mesh;

	if (!m->gathered || m->cli_rc < 0 || m->run_rc < 0)
		return;
	json_t *peers = json_array();
	for (size_t i = 0; i < m->st.n_peers; i++)
		json_array_append_new(peers, ts_node_to_json(&m->st.peers[i]));
	json_object_set_new(r->extra, "tailscale",
			    json_pack("{s:o, s:b, s:o, s:o, s:o}", "cli", json_text(m->cli.path),
				      "windows", m->cli.windows, "backend_state",
				      json_text(m->st.backend_state), "self",
				      m->st.has_self ? ts_node_to_json(&m->st.self) : json_null(),
				      "peers", peers));
}

static json_t *numeric_json(int v)
{
	return v < 0 ? json_null() : json_boolean(v == 1);
}

/* "ids": what doctor --all compares across nodes (fleet reads it back as untrusted input). */
static void render_ids(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_ids_facts *x = &f->ids;

	if (!x->gathered)
		return;
	json_t *users = json_array();
	for (size_t i = 0; i < x->n_users; i++)
		json_array_append_new(users, json_pack("{s:o, s:I}", "name", json_text(x->users[i].name),
						       "uid", (json_int_t)x->users[i].uid));
	json_object_set_new(r->extra, "ids",
			    json_pack("{s:o, s:o, s:o, s:o}", "idmapd_domain", jstr(x->domain),
				      "client_numeric_ids", numeric_json(x->client_numeric),
				      "server_numeric_ids", numeric_json(x->server_numeric), "users",
				      users));
}

/* "nfsd_clients": kernel nfsd's NFSv4 clients (absent without /proc/fs/nfsd/clients). */
static void render_clients(const struct doctor_facts *f, struct report *r)
{
	const struct doctor_server_facts *s = &f->server;

	if (!s->gathered || !s->clients_dir)
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < s->n_clients; i++) {
		const struct nfsd_client *c = &s->clients[i];
		char addr[64], host[256];
		nfsd_client_addr_format(c, addr, sizeof(addr));
		bool linux_host = nfsd_client_linux_host(c, host, sizeof(host));
		json_array_append_new(
			arr, json_pack("{s:o, s:i, s:o, s:o, s:o, s:i}", "address", json_text(addr),
				       "port", (int)c->port, "name", jstr(c->name), "host",
				       linux_host ? json_text(host) : json_null(), "status",
				       c->status[0] ? json_text(c->status) : json_null(),
				       "minor_version", c->minor_version));
	}
	json_object_set_new(r->extra, "nfsd_clients", arr);
}

void doctor_render(const struct doctor_facts *f, struct report *r)
{
	render_ids(f, r);
	render_clients(f, r);
	render_probe(f, r);
	render_mount(f, r);
	render_tailscale(f, r);
}
