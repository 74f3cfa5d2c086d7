/* SPDX-License-Identifier: MIT */
/* What a probe's result means, in names (a contract: JSON and scripts use them), plain words,
 * and the fix (the guide's Troubleshooting section where it has one). Pure. */
#include "net/probe.h"

#include "config/config.h"
#include "core/escape.h"
#include "net/net_private.h"

#include <errno.h>

const char probe_idmap_why[] =
	"the owner the server sent maps to no uid here. Either ID mapping disagrees: the server "
	"names owners user@domain (nfsd with nfs4_disable_idmapping=N, ganesha without "
	"Only_Numeric_Owners) and the idmapd Domain differs between client and server, or "
	"nfs4_disable_idmapping is set on one side and not the other; or the numeric uid is not "
	"shared (the user has another uid, or none, on the server)";
const char probe_idmap_fix[] =
	"Make both sides agree. Numeric ids (simplest with AUTH_SYS): on the server echo Y | sudo "
	"tee /sys/module/nfsd/parameters/nfs4_disable_idmapping (ganesha: Only_Numeric_Owners = "
	"true in NFSv4 { }), on every client echo Y | sudo "
	"tee /sys/module/nfs/parameters/nfs4_disable_idmapping (kept across boots by 'options nfsd "
	"nfs4_disable_idmapping=1' and 'options nfs nfs4_disable_idmapping=1' in "
	"/etc/modprobe.d/meshnfs.conf), then remount. Or names: the same Domain = in [General] of "
	"/etc/idmapd.conf on the server and every client, then sudo nfsidmap -c on the clients. "
	"And give each user the same uid on every node (meshnfs doctor --all compares them).";

const char *probe_step_status_name(enum probe_step_status s)
{
	static const char *const names[] = { "skip", "ok", "warn", "fail" };
	return ENUM_NAME(names, s, "?");
}

const char *probe_step_name(enum probe_step_id s)
{
	static const char *const names[PROBE_N_STEPS] = {
		[PROBE_ROUTE] = "route",   [PROBE_TCP] = "tcp",     [PROBE_RPC] = "rpc",
		[PROBE_EXPORT] = "export", [PROBE_WRITE] = "write", [PROBE_OWNERSHIP] = "ownership",
	};
	return ENUM_NAME(names, s, "?");
}

const char *probe_diagnosis_name(enum probe_diagnosis d)
{
	static const char *const names[PROBE_N_DIAGNOSES] = {
		[PROBE_OK] = "ok",
		[PROBE_UNREACHABLE] = "unreachable",
		[PROBE_FILTERED] = "filtered",
		[PROBE_REFUSED] = "refused",
		[PROBE_NO_NFS_ANSWER] = "no_nfs_answer",
		[PROBE_EXPORT_DENIED_OR_MISSING] = "export_denied_or_missing",
		[PROBE_READ_ONLY] = "read_only",
		[PROBE_GRACE] = "grace",
		[PROBE_PERMISSION_DENIED] = "permission_denied",
		[PROBE_WRITE_FAILED] = "write_failed",
		[PROBE_MTU_BLACKHOLE] = "mtu_blackhole",
		[PROBE_CUT] = "cut",
	};
	return ENUM_NAME(names, d, "pending");
}

const char *probe_filter_name(enum probe_filter f)
{
	static const char *const names[PROBE_FILTER_N] = {
		[PROBE_FILTER_NONE] = "none",
		[PROBE_FILTER_ECHO] = "icmp_echo",
		[PROBE_FILTER_TSMP] = "tsmp",
		[PROBE_FILTER_REJECT] = "icmp_reject",
	};
	return ENUM_NAME(names, f, "?");
}

/* Why the peer counts as alive, for the filtered diagnosis's words. */
static char *filter_evidence(const struct probe *p)
{
	char by[NETADDR_STRLEN];

	netaddr_format(&p->icmp_from, by, sizeof(by));
	if (!by[0])
		snprintf(by, sizeof(by), "an unknown sender");
	switch (p->filter) {
	case PROBE_FILTER_ECHO:
		return xasprintf("it answers ICMP%s echo (ping)",
				 p->addr.family == AF_INET6 ? "v6" : "");
	case PROBE_FILTER_TSMP:
		return xasprintf("`tailscale ping --tsmp` reaches it (\"%s\")", p->tsmp ? p->tsmp : "pong");
	case PROBE_FILTER_REJECT:
		return xasprintf("%s answered the connection request with an ICMP%s reject (type %u "
				 "code %u)", by, p->addr.family == AF_INET6 ? "v6" : "", p->icmp_type,
				 p->icmp_code);
	default:
		return xasprintf("it answers");
	}
}

enum probe_diagnosis probe_classify_nfs_error(int err, const char *msg, bool mounting)
{
	static const struct {
		const char *name;
		enum probe_diagnosis d;
	} by_name[] = {
		{ "NFS4ERR_GRACE", PROBE_GRACE },
		{ "NFS4ERR_ROFS", PROBE_READ_ONLY },
		{ "NFS4ERR_ACCESS", PROBE_PERMISSION_DENIED },
		{ "NFS4ERR_PERM", PROBE_PERMISSION_DENIED },
		{ "NFS4ERR_WRONGSEC", PROBE_PERMISSION_DENIED },
	};

	if (msg) {
		for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
			if (strstr(msg, by_name[i].name))
				return by_name[i].d;
		if (mounting && strstr(msg, "NFS4ERR_NOENT"))
			return PROBE_EXPORT_DENIED_OR_MISSING;
	}
	switch (-err) {
	case EROFS:
		return PROBE_READ_ONLY;
	case EACCES:
	case EPERM:
		return PROBE_PERMISSION_DENIED;
	case ENOENT:
		return mounting ? PROBE_EXPORT_DENIED_OR_MISSING : PROBE_WRITE_FAILED;
	case ETIMEDOUT:
	case ECONNRESET:
	case EPIPE:
	case ECANCELED:
	case EINTR:
		return PROBE_NO_NFS_ANSWER;
	default:
		return mounting ? PROBE_EXPORT_DENIED_OR_MISSING : PROBE_WRITE_FAILED;
	}
}

char *probe_explain(const struct probe *p, char **fix)
{
	const char *h = p->host, *e = p->export_path ? p->export_path : "/opt/shared";
	char src[NETADDR_STRLEN], range[64];

	netaddr_format(&p->source, src, sizeof(src));
	/* The range that must hold this client: the one of the peer's family. */
	if (p->addr.family == AF_INET6)
		cidr6_format(&p->mesh6, range, sizeof(range));
	else
		cidr_format(&p->mesh, range, sizeof(range));
	*fix = NULL;
	switch (p->diagnosis) {
	case PROBE_OK:
		if (p->owner_known && p->uid == 0 && p->owner != 0)
			*fix = xasprintf("The guide's export does not squash root. On %s, in /etc/exports: "
					 "%s  %s(rw,sync,no_subtree_check,no_root_squash), then: sudo "
					 "exportfs -ra",
					 h, e, range);
		if (p->owner_known && p->uid != 0 && probe_owner_is_nobody(p->owner)) {
			*fix = xstrdup(probe_idmap_fix);
			return xasprintf("%s serves %s to this client, read and write, but a file this "
					 "client creates is owned by nobody (uid %" PRIu64 "): ID "
					 "mapping.",
					 h, e, p->owner);
		}
		if (!p->export_path)
			return xasprintf("%s answers NFSv4.", h);
		if (p->no_write)
			return xasprintf("%s serves %s to this client.", h, e);
		return xasprintf("%s serves %s to this client, read and write%s.", h, e,
				 *fix ? " (root is squashed)" : "");
	case PROBE_UNREACHABLE:
		if (!netaddr_is_set(&p->source))
			*fix = xasprintf("This node has no route to %s. Bring the mesh up here (or, on "
					 "WSL2, on the Windows host): tailscale status; tailscale up", h);
		else
			*fix = xasprintf(
				"Confirm this node (on WSL2: the Windows host, in PowerShell) is connected "
				"to the mesh: tailscale status. Then: ping -c 1 %s; if %s is offline there, "
				"start it or bring its Tailscale up.%s",
				h, h,
				p->source_in_mesh ? ""
						  : " The route leaves from a non-mesh address: "
						    "check `ip route get` for the server's address.");
		return xasprintf("%s cannot be reached: %s.", h,
				 !netaddr_is_set(&p->source) ? "there is no route to it"
					    : "connection requests get no answer (the peer is "
					      "offline, or the path drops packets)");
	case PROBE_FILTERED: {
		_cleanup_free_ char *ev = filter_evidence(p);
		*fix = xasprintf(
			"Allow NFS to %s at both filters: the tailnet's ACL (Headscale policy: an "
			"\"acls\" rule {\"action\": \"accept\", \"src\": [\"%s\"], \"dst\": "
			"[\"%s:2049\"]}, i.e. tcp:2049 from the mesh to the server; then reload "
			"Headscale's policy), and the server's own firewall: ssh %s 'sudo nft list "
			"ruleset' (or iptables -S) must accept tcp dport 2049 from %s. Then: meshnfs "
			"probe %s:%s",
			h, range, h, h, range, h, e);
		return xasprintf("%s is up (%s), but TCP to its NFS port %u is %s: a packet filter "
				 "blocks NFS, the tailnet's ACL or the server's firewall (not an "
				 "offline peer: `ping` works while `nc -zv %s %u` fails).",
				 h, ev, (unsigned)p->port,
				 p->filter == PROBE_FILTER_REJECT ? "rejected" : "dropped", h,
				 (unsigned)p->port);
	}
	case PROBE_MTU_BLACKHOLE: {
		const struct probe_ladder *l = &p->ladder;
		int mtu = l->passed > 0 ? l->passed : 1200;
		*fix = xasprintf(
			"Make the mesh's packets fit the path: lower the mesh interface's MTU to what "
			"passed, sudo ip link set tailscale0 mtu %d (the workaround in tailscale#4833; "
			"on WSL2 on the Windows host's Tailscale adapter); to keep it, "
			"TS_DEBUG_MTU=%d in /etc/default/tailscaled, then restart tailscaled "
			"(tailscale#8219); or clamp TCP MSS on the underlay's router (Tailscale's "
			"troubleshooting guide). See also tailscale#13086, #7706, #6730. Then: meshnfs "
			"probe %s:%s",
			mtu, mtu, h, e);
		return xasprintf("the path to %s carries small packets but not large ones (an MTU "
				 "black hole below the mesh): DF-set pings of up to %d bytes came back, "
				 "of %d bytes and more not, while the route's MTU is %d; the NFS write "
				 "stalled. It looks like a hung server, but small requests (ls, `ping`, "
				 "`nc -zv`) work.",
				 h, l->passed, l->lost, l->mtu);
	}
	case PROBE_REFUSED:
		*fix = xasprintf("Check that the NFS server is running on %s: ssh %s 'systemctl status "
				 "nfs-server' (start it: sudo systemctl enable --now nfs-server)",
				 h, h);
		return xasprintf("%s is reachable, but nothing listens on the NFS port %u: the NFS "
				 "server is not running there.",
				 h, (unsigned)p->port);
	case PROBE_NO_NFS_ANSWER:
		*fix = xasprintf("Restart the NFS server on %s: ssh %s 'sudo systemctl restart "
				 "nfs-server' (nfs-ganesha for Ganesha). Mounts of it on clients hang "
				 "until it answers again.",
				 h, h);
		return xasprintf("%s accepts TCP connections on port %u, but the NFS service does not "
				 "answer: the server is hung or overloaded (`nc -zv %s %u` would still "
				 "say \"succeeded\").",
				 h, (unsigned)p->port, h, (unsigned)p->port);
	case PROBE_EXPORT_DENIED_OR_MISSING:
		*fix = xasprintf("On %s: sudo exportfs -v. It must list %s for %s "
				 "(guide: \"/opt/shared  100.64.0.0/10(rw,sync,no_subtree_check,"
				 "no_root_squash)\") and this client's address %s must lie in that "
				 "range; check the path for typos. Then: sudo exportfs -ra",
				 h, e, range, src);
		return xasprintf("%s does not export %s to this client: either the path is wrong, or "
				 "the export does not allow this client's address (%s). The server "
				 "answers both the same way (NFS4ERR_NOENT).",
				 h, e, src);
	case PROBE_READ_ONLY:
		*fix = xasprintf("On %s, export it read-write in /etc/exports: %s  %s(rw,sync,"
				 "no_subtree_check,no_root_squash), then: sudo exportfs -ra",
				 h, e, range);
		return xasprintf("%s exports %s read-only to this client: creating a file fails "
				 "(NFS4ERR_ROFS).",
				 h, e);
	case PROBE_GRACE: {
		_cleanup_free_ char *target = config_nfs_source(h, e);
		*fix = xasprintf("Wait for the grace period to end (90 s by default after the server "
				 "starts), then: meshnfs probe %s",
				 target);
		return xasprintf("%s has just restarted and is in its NFSv4 grace period: reads work, "
				 "but creating files fails (NFS4ERR_GRACE) until clients have had time "
				 "to reclaim their state.",
				 h);
	}
	case PROBE_PERMISSION_DENIED:
		*fix = xasprintf(
			"Either export with no_root_squash as the guide does (on %s, /etc/exports: %s  "
			"%s(rw,sync,no_subtree_check,no_root_squash), then sudo exportfs -ra), or let "
			"the anonymous user write the directory: ssh %s 'sudo chmod 1777 %s'",
			h, e, range, h, e);
		return xasprintf("%s refuses to let this client (uid %" PRIu64 ") create files in %s "
				 "(NFS4ERR_ACCESS): with root_squash, root becomes the anonymous user, "
				 "who may not write the exported directory.",
				 h, p->uid, e);
	case PROBE_WRITE_FAILED:
		*fix = xasprintf("Check the server's disk and logs: ssh %s 'df -h %s; sudo journalctl "
				 "-u nfs-server -n 50'",
				 h, e);
		return xasprintf("%s mounts %s, but the write test failed (see the write step).", h, e);
	case PROBE_CUT:
		*fix = xasprintf("Run it again with more time: meshnfs --timeout SECONDS probe %s:%s",
				 h, e);
		return xasprintf("the probe of %s was cut before it could tell (see the step that "
				 "was cut): no verdict about the server.", h);
	default:
		return xasprintf("the probe of %s did not finish.", h);
	}
}

json_t *probe_below_json(const struct probe *p)
{
	json_t *o = json_object();
	const struct probe_ladder *l = &p->ladder;
	char by[NETADDR_STRLEN];

	if (p->filter != PROBE_FILTER_NONE) {
		netaddr_format(&p->icmp_from, by, sizeof(by));
		json_object_set_new(
			o, "filter",
			json_pack("{s:s, s:s, s:o, s:o, s:o}", "evidence", probe_filter_name(p->filter),
				  "how", p->filter == PROBE_FILTER_REJECT ? "rejected" : "dropped",
				  "icmp", p->filter == PROBE_FILTER_REJECT
						  ? json_pack("{s:i, s:i, s:s}", "type", p->icmp_type,
							      "code", p->icmp_code, "from", by)
						  : json_null(),
				  "tsmp", p->tsmp ? json_text(p->tsmp) : json_null(), "echo",
				  json_boolean(p->echo_answered)));
	} else {
		json_object_set_new(o, "filter", json_null());
	}
	if (l->read) {
		json_t *sizes = json_array();
		for (size_t i = 0; i < l->n; i++)
			if (l->size[i])
				json_array_append_new(sizes, json_pack("{s:i, s:b}", "bytes", l->size[i],
								       "answered", l->answered[i]));
		json_object_set_new(o, "mtu",
				    json_pack("{s:o, s:o, s:o, s:o}", "route_mtu",
					      l->mtu ? json_integer(l->mtu) : json_null(),
					      "largest_passed",
					      l->passed ? json_integer(l->passed) : json_null(),
					      "smallest_lost", l->lost ? json_integer(l->lost) : json_null(),
					      "sizes", sizes));
	} else {
		json_object_set_new(o, "mtu", json_null());
	}
	return o;
}
