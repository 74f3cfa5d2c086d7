/* SPDX-License-Identifier: MIT */
/* wsl.ports: in mirrored mode the distro shares the Windows host's addresses, so a service
 * listening here is reachable from the mesh only if Windows does not listen on the same port
 * (the guide's "provided the Windows host is not also binding the same port"). Compares the
 * distro's listening TCP sockets (/proc/net/tcp{,6} under the root) with the Windows host's
 * (`netstat.exe -ano` through interop). Loopback listeners on either side are not reachable
 * from the mesh and do not count. */
#include "doctor/doctor_facts.h"

#include "core/root.h"
#include "core/spawn.h"
#include "format/listeners.h"

#include <errno.h>
#include <sys/stat.h>

#define PROC_MAX (16u * 1024 * 1024)

size_t wsl_port_collisions(const struct listeners *lin, const struct listeners *win,
			   struct port_collision *out, size_t max)
{
	/* Per port: the first Windows listener not on loopback (index + 1), and whether the
	 * port was reported already. One pass over each side: the pairwise scan was quadratic. */
	_cleanup_free_ uint32_t *first_win = xcalloc(65536, sizeof(*first_win));
	_cleanup_free_ bool *done = xcalloc(65536, sizeof(*done));
	size_t n = 0;

	for (size_t j = win->n; j-- > 0;)
		if (!listener_is_loopback(&win->v[j]))
			first_win[win->v[j].port] = (uint32_t)j + 1;
	for (size_t i = 0; i < lin->n && n < max; i++) {
		const struct listener *l = &lin->v[i];
		if (listener_is_loopback(l) || done[l->port] || !first_win[l->port])
			continue;
		done[l->port] = true;
		out[n++] = (struct port_collision){ .port = l->port, .linux_side = *l,
						    .windows_side = win->v[first_win[l->port] - 1] };
	}
	return n;
}

static const char *pid_name(uint32_t pid)
{
	return pid == 4 ? " (System: the Windows kernel, e.g. SMB on 445, http.sys on 80)" : "";
}

void doctor_judge_ports(const struct doctor_facts *d, struct report *r)
{
	const struct node_info *n = d->node;
	const struct doctor_ports_facts *pf = &d->ports;
	const struct listeners *lin = &pf->lin, *win = &pf->win;
	struct check *c;
	char a[64], b[64];

	if (n->kind != NODE_WSL2)
		return;
	if (!streq(n->wsl.networking_mode, "mirrored")) {
		report_add(r, "wsl.ports", CHECK_SKIP,
			   "%s networking: services here are not reachable from the mesh at all (see "
			   "wsl.networking_mode)",
			   n->wsl.networking_mode);
		return;
	}
	if (!pf->gathered)
		return;
	if (pf->lin_rc < 0) {
		report_add(r, "wsl.ports", CHECK_WARN, "cannot list this distro's listening ports: %s",
			   pf->lin_msg);
		return;
	}
	if (pf->win_rc == SPAWN_REFUSED_ROOT) {
		report_add(r, "wsl.ports", CHECK_SKIP,
			   "skipped under --root: the Windows ports come from netstat.exe, and "
			   "meshnfs runs no program under --root");
		return;
	}
	if (!n->wsl.interop) {
		report_add(r, "wsl.ports", CHECK_SKIP,
			   "cannot ask Windows for its listening ports: interop is off (see "
			   "wsl.interop)");
		return;
	}
	if (pf->win_rc < 0) {
		report_check(r, "wsl.ports", CHECK_WARN,
			     .summary = xasprintf("cannot list the Windows host's listening "
						  "ports: %s",
						  pf->win_msg),
			     .detail = xasprintf("Compared by hand: `netstat -ano | findstr "
						 "LISTENING` on Windows against `ss -ltn` "
						 "here."));
		return;
	}
	struct port_collision col[32];
	size_t k = wsl_port_collisions(lin, win, col, ARRAY_SIZE(col));
	if (!k) {
		c = report_add(r, "wsl.ports", CHECK_OK,
			       "no port collision: %zu listening socket(s) here, %zu on the Windows host",
			       lin->n, win->n);
	} else {
		struct buf det = { 0 }, ports = { 0 };
		buf_append(&det, "", 0);
		buf_append(&ports, "", 0);
		for (size_t i = 0; i < k; i++) {
			listener_format(&col[i].linux_side, a, sizeof(a));
			listener_format(&col[i].windows_side, b, sizeof(b));
			buf_printf(&ports, "%s%u", i ? ", " : "", col[i].port);
			buf_printf(&det, "%sport %u: WSL2 listens on %s, Windows PID %u on %s%s",
				   i ? "\n" : "", col[i].port, a, col[i].windows_side.pid, b,
				   pid_name(col[i].windows_side.pid));
		}
		c = report_check(r, "wsl.ports", CHECK_WARN,
				 .summary = xasprintf("Windows listens on the same port(s) as this "
						      "distro: %s; connections from the mesh to %s "
						      "reach Windows, not WSL2",
						      ports.data, k > 1 ? "them" : "it"),
				 .detail = xasprintf("%s", det.data),
				 .fix = xasprintf("Move the WSL2 service to a free port, or stop "
						  "the Windows program that holds it (on Windows: "
						  "`Get-Process -Id %u` in PowerShell names it).",
						  col[0].windows_side.pid));
		buf_free(&det);
		buf_free(&ports);
	}
	c->ms = pf->ms;
}

/* ---- gather (I/O) ---- */

/* netstat.exe on PATH (interop appends the Windows PATH), else at its place under the root. */
static int run_netstat(int timeout_ms, struct listeners *out, struct diag *dg)
{
	_cleanup_free_ char *fixed = root_path("/mnt/c/Windows/System32/netstat.exe");
	_cleanup_free_ char *onpath = spawn_which("netstat.exe");
	struct stat st;
	const char *prog = onpath ? onpath : fixed;
	const char *argv[] = { prog, "-ano", NULL };
	struct spawn_opts o = { .timeout_ms = timeout_ms, .max_output = 8u * 1024 * 1024,
				.exact_path = true };
	struct spawn_result res;
	int r;

	if (!onpath && root_stat(fixed, &st) < 0)
		return diag_set(dg, "netstat.exe", 0, "not found on PATH nor at %s", fixed);
	r = spawn_run(argv, &o, &res);
	if (r < 0)
		diag_set(dg, prog, 0, "%s", r == -ETIMEDOUT ? "no answer in time" : strerror(-r));
	else if (res.exit_code != 0)
		r = diag_set(dg, prog, 0, "exited with status %d", res.exit_code);
	else if (res.truncated)
		r = diag_set(dg, prog, 0, "output too large");
	else
		r = netstat_parse("netstat.exe -ano", res.out, res.out_len, out, dg);
	spawn_result_free(&res);
	return r;
}

void doctor_gather_ports(struct doctor_facts *f)
{
	const struct node_info *n = f->node;
	struct doctor_ports_facts *pf = &f->ports;
	struct diag dg = { 0 };
	int64_t start = now_ms();

	if (n->kind != NODE_WSL2 || !streq(n->wsl.networking_mode, "mirrored"))
		return;
	pf->gathered = true;
	pf->win_rc = -1;
	pf->lin_rc = node_listeners(&pf->lin, &dg);
	if (pf->lin_rc < 0) {
		diag_format(&dg, pf->lin_msg, sizeof(pf->lin_msg));
		return;
	}
	if (!root_is_host()) {
		pf->win_rc = SPAWN_REFUSED_ROOT; /* netstat.exe is a program: not under --root */
		return;
	}
	if (!n->wsl.interop)
		return;
	pf->win_rc = run_netstat(f->timeout_ms, &pf->win, &dg);
	if (pf->win_rc < 0)
		diag_format(&dg, pf->win_msg, sizeof(pf->win_msg));
	pf->ms = now_ms() - start;
}
