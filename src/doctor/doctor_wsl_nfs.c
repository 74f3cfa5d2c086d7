/* SPDX-License-Identifier: MIT */
/* wsl.nfs_networking (a judge): what WSL2's networking does to NFS, from what the nfs and
 * mount judges say about the same facts. Mirrored: microsoft/WSL#12508, where the server answers over TCP
 * and RPC but the kernel mount times out, while NAT mounts fine. NAT: the server sees the
 * Windows host's NATed source ports (above 1023), and an export without `insecure` refuses
 * the mount (EPERM). */
#include "doctor/doctor_facts.h"

static bool ok(const struct check *c)
{
	return c && c->status == CHECK_OK;
}

static bool bad(const struct check *c)
{
	return c && (c->status == CHECK_FAIL || c->status == CHECK_WARN);
}

static bool says_eperm(const struct check *c)
{
	static const char *const words[] = { "EPERM", "not permitted", "permission denied",
					     "access denied", "NFS4ERR_PERM", "NFS4ERR_ACCESS",
					     "permission_denied" };

	if (!c || c->status != CHECK_FAIL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasecontains(c->summary, words[i]) ||
		    (c->detail && strcasecontains(c->detail, words[i])))
			return true;
	return false;
}

static void mirrored(const struct report *seen, struct report *r)
{
	const struct check *tcp = report_find(seen, "nfs.tcp"), *rpc = report_find(seen, "nfs.rpc");
	const struct check *present = report_find(seen, "mount.present");
	const struct check *responsive = report_find(seen, "mount.responsive");

	if (!tcp && !rpc && !present && !responsive) {
		report_add(r, "wsl.nfs_networking", CHECK_SKIP, "no NFS results in this run to compare");
		return;
	}
	const struct check *server = rpc && rpc->status != CHECK_SKIP ? rpc : tcp;
	if (!ok(server)) {
		report_add(r, "wsl.nfs_networking", CHECK_SKIP, "%s",
			   bad(server) ? "the NFS server does not answer (see nfs.tcp, nfs.rpc): not "
					 "the mirrored-mode pitfall"
				       : "the NFS server was not reached (see mesh.address, nfs.tcp)");
		return;
	}
	if (bad(present) || bad(responsive)) {
		const struct check *m = bad(responsive) ? responsive : present;
		report_check(r, "wsl.nfs_networking", CHECK_WARN,
			     .summary = xasprintf("the server answers (%s ok) but the kernel mount "
						  "does not (%s: %s): mirrored networking's NFS "
						  "bug, microsoft/WSL#12508",
						  server->id, m->id, m->summary),
			     .detail = xasprintf("In mirrored mode `mount -t nfs4` can time out "
						 "(\"mount(2): Connection timed out\") while TCP to "
						 "2049 and RPC work; the same mount works under "
						 "NAT. Open upstream, no fix yet."),
			     .fix = xasprintf("Fall back to NAT for this distro: in "
					      "%%USERPROFILE%%\\.wslconfig set `networkingMode=nat` "
					      "under [wsl2], then on Windows run `wsl --shutdown` "
					      "and wait about 8 seconds. Outbound NFS works through "
					      "the host's Tailscale under NAT; the export must then "
					      "allow ports above 1023 (`insecure`)."));
		return;
	}
	if (ok(present))
		report_add(r, "wsl.nfs_networking", CHECK_OK,
			   "the kernel NFS mount works in mirrored mode (not hit by "
			   "microsoft/WSL#12508)");
	else
		report_add(r, "wsl.nfs_networking", CHECK_SKIP,
			   "the server answers; no mount result to compare");
}

static void nat(const struct report *seen, struct report *r)
{
	static const char *const ids[] = { "mount.present", "nfs.export" };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct check *m = report_find(seen, ids[i]);
		if (!says_eperm(m))
			continue;
		report_check(r, "wsl.nfs_networking", CHECK_WARN,
			     .summary = xasprintf("%s: the server refuses this client (%s) under "
						  "NAT: the export lacks `insecure`",
						  m->id, m->summary),
			     .detail = xasprintf("Under NAT the server sees the connection come "
						 "from the Windows host's NATed source port, above "
						 "1023. Linux knfsd exports are `secure` by default "
						 "and refuse such ports with EPERM (\"Operation not "
						 "permitted\")."),
			     .fix = xasprintf("On the NFS server add `insecure` to the export, e.g. "
					      "/opt/shared "
					      "100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash,insecure), "
					      "then `sudo exportfs -ra` (nfs-ganesha: "
					      "`PrivilegedPort = false;` in the EXPORT block). Or "
					      "switch this distro to mirrored networking (meshnfs "
					      "setup wsl)."));
		return;
	}
	const struct check *present = report_find(seen, "mount.present");
	if (ok(present))
		report_add(r, "wsl.nfs_networking", CHECK_OK,
			   "NAT: the NFS mount works through the Windows host");
	else
		report_add(r, "wsl.nfs_networking", CHECK_SKIP,
			   "NAT: no refused mount in this run (EPERM would point to the export "
			   "lacking `insecure`)");
}

void doctor_judge_wsl_nfs(const struct doctor_facts *f, struct report *r)
{
	const struct node_info *n = f->node;
	struct report seen;

	if (n->kind != NODE_WSL2)
		return;
	/* What the nfs and mount judges say about the same facts (pure: judging again is free). */
	report_init(&seen, "doctor");
	doctor_judge_nfs(f, &seen);
	doctor_judge_mount(f, &seen);
	if (streq(n->wsl.networking_mode, "mirrored"))
		mirrored(&seen, r);
	else if (streq(n->wsl.networking_mode, "nat"))
		nat(&seen, r);
	report_free(&seen);
}
