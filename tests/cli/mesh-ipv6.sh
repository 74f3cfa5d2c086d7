#!/usr/bin/env bash
# The tailnet's IPv6 range (fd7a:115c:a1e0::/48, [mesh] range6) is mesh wherever meshnfs judges
# a range: exports (doctor's exports.security, setup server's note on other clients), a
# mount's clientaddr= (mount.present), and what status says of a node that has only an IPv6
# address (the ts-paths recording's nas6). Fixture roots copied and edited at run time; files
# only (--root), status in an empty network namespace.
. "$(dirname "$0")/../lib/tap.sh"
plan 35
R=$FIXTURES/roots
mk_tmpdir T
root() { local d; d=$(mktemp -d "$T/root.XXXXXX"); cp -a "$R/$2/." "$d/"; printf -v "$1" '%s' "$d"; }
sec() { jget '[.checks[]|select(.id=="exports.security")|.summary]|join("\n")'; }

# exports: the tailnet's IPv6 range and an address in it are mesh; other IPv6 is not.
root S server-kernel
printf '/srv/media\tfd7a:115c:a1e0::/48(rw,sync,no_subtree_check) fd7a:115c:a1e0::3(rw,sync,no_subtree_check)\n' >"$S/etc/exports"
run "$MESHNFS" --root "$S" --json doctor
check_no_match "exports: the tailnet's IPv6 range is not outside the mesh" "outside the mesh" "$(sec)"
check_eq "exports: nothing to report" ok "$(jget '[.checks[]|select(.id=="exports.security")|.status]|unique|join(",")')"
printf '/srv/media\t2001:db8::/32(rw,sync,no_subtree_check) fd7a:115c::/32(rw,sync,no_subtree_check)\n' >"$S/etc/exports"
run "$MESHNFS" --root "$S" --json doctor
check_match "exports: other IPv6 is outside the mesh" "exported to 2001:db8::/32, outside the mesh range" "$(sec)"
check_match "exports: a range wider than the tailnet's is too" "exported to fd7a:115c::/32, outside the mesh range" "$(sec)"
# [mesh] range6 moves it (Headscale's prefixes.v6).
printf '[mesh]\nrange6 = 2001:db8::/32\n' >"$T/v6.conf"
run "$MESHNFS" --root "$S" --config "$T/v6.conf" --json doctor
check_no_match "range6 from the configuration" "2001:db8::/32, outside" "$(sec)"
printf '[mesh]\nrange6 = fd7a:115c:a1e0::1/48\n' >"$T/bad6.conf"
run "$MESHNFS" --root "$S" --config "$T/bad6.conf" doctor
check_eq "range6 with host bits: bad input" 65 "$RC"
check_match "range6 with host bits: file, line and problem" "bad6.conf:2: range6: .* has host bits set" "$ERR"

# setup server: a client in the tailnet's IPv6 range of the same path is not reported as
# outside the mesh; one outside is.
root S2 server-kernel
printf '/opt/shared\tfd7a:115c:a1e0::/48(rw,sync,no_subtree_check) 2001:db8::/32(rw)\n' >"$S2/etc/exports"
run "$MESHNFS" --root "$S2" setup server --dry-run
check_match "setup server: IPv6 outside the mesh noted" "also exports /opt/shared to '2001:db8::/32'" "$OUT"
check_no_match "setup server: the tailnet's IPv6 range not noted" "to 'fd7a:115c:a1e0::/48'" "$OUT"

# mount.present: clientaddr= in the tailnet's IPv6 range is the mesh.
root M mount-nfs4
sed -i 's/clientaddr=100\.64\.0\.3/clientaddr=fd7a:115c:a1e0::3/' "$M/proc/self/mountinfo"
run "$MESHNFS" --root "$M" --json doctor
check_match "clientaddr in the tailnet's IPv6 range: said so" "clientaddr=fd7a:115c:a1e0::3 lies in the mesh's IPv6 range fd7a:115c:a1e0::/48" \
	"$(jget '.checks[]|select(.id=="mount.present")|.detail')"
check_no_match "clientaddr in the tailnet's IPv6 range: not outside" "outside" \
	"$(jget '.checks[]|select(.id=="mount.present")|.summary')"

# status: a node with only a tailnet IPv6 address is listed and probed on it (ts-paths: nas6).
empty_netns NS
fake_windows ts-paths:mirrored wslinfo cmd.exe wslpath tailscale.exe netstat.exe
run host_view "$NS" "$R/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --json status
check_eq "status: the IPv6-only node and its address" "fd7a:115c:a1e0::9" "$(jget '.nodes[]|select(.name=="nas6")|.ips|join(" ")')"
check_eq "status: the IPv6-only node is probed on its IPv6 address" "fd7a:115c:a1e0::9" \
	"$(jget '.nodes[]|select(.name=="nas6")|select(.not_probed==null)|.address')"

# setup server --clients: an IPv6 range of the tailnet, alone or in a list with the IPv4 one;
# the default stays the guide's IPv4 range (the guide's line, already right on a server set
# up by the guide). Kernel exports get one token per range, ganesha one Clients list.
fake_system systemctl exportfs service apt-get ganesha.nfsd
H() { host_view "$NS" "$1" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "${@:2}"; }
OPTS='(rw,sync,no_subtree_check,no_root_squash)'
root K server-kernel
run H "$K" setup server --clients "100.64.0.0/10,fd7a:115c:a1e0::/48"
check_eq "setup server --clients v4,v6: only the live probe fails" "2 fail=setup.verify warn=yes" "$(outcome)"
check_eq "setup server --clients v4,v6: one line, a token per range" \
	"/opt/shared  100.64.0.0/10$OPTS fd7a:115c:a1e0::/48$OPTS" "$(cat "$K/etc/exports.d/meshnfs.exports")"
before=$(tree_state "$K")
run H "$K" setup server --clients "100.64.0.0/10,fd7a:115c:a1e0::/48" --dry-run
check_match "setup server --clients v4,v6 again: the exports already right" "exports /opt/shared to 100.64.0.0/10" "$OUT"
check_eq "setup server --clients v4,v6 again: nothing changed" "$before" "$(tree_state "$K")"
root K6 server-kernel
run H "$K6" setup server --clients fd7a:115c:a1e0::/64
check_eq "setup server --clients IPv6 only: exported" "/opt/shared  fd7a:115c:a1e0::/64$OPTS" "$(cat "$K6/etc/exports.d/meshnfs.exports")"
for bad in "2001:db8::/32|not inside the mesh's IPv6 range fd7a:115c:a1e0::/48.*--force" \
	"fd7a:115c:a1e0::1/48|host bits set" "fd7a:115c:a1e0::1|not an IPv4 or IPv6 CIDR range" \
	"100.64.0.0/10, fd7a:115c:a1e0::/48|without blanks" "100.64.0.0/10,,fd7a::/16|without blanks" \
	"*,100.64.0.0/10|alone or not at all"; do
	root W server-kernel
	before=$(tree_state "$W")
	run H "$W" setup server --clients "${bad%%|*}"
	check_eq "setup server --clients '${bad%%|*}': refused (64), nothing changed" "64 $before" "$RC $(tree_state "$W")"
	check_match "setup server --clients '${bad%%|*}': says why" "${bad#*|}" "$ERR"
done
root G server-ganesha
run H "$G" setup server --backend ganesha --clients "100.64.0.0/10,fd7a:115c:a1e0::/48"
check_match "ganesha: both ranges in Clients" "Clients = 100.64.0.0/10,fd7a:115c:a1e0::/48;" "$(cat "$G/etc/ganesha/ganesha.conf")"

# setup client with an IPv6 server: the fstab source in brackets, as mount.nfs reads it.
run "$MESHNFS" --root "$R/debian12" setup client --server fd7a:115c:a1e0::1 --dry-run
check_match "setup client --server IPv6: the plan's title in brackets" '^Plan: mount \[fd7a:115c:a1e0::1\]:/opt/shared on ' "$OUT"
check_match "setup client --server IPv6: fstab gets [ADDR]:/opt/shared" $'\n +\\+\\[fd7a:115c:a1e0::1\\]:/opt/shared +/opt/shared +nfs4 ' "$OUT"

# This node's IPv6 mesh addresses from /proc/net/if_inet6 under --root: inside range6, usable
# (a tentative one, flags 0xc0, is not yet), neither loopback nor link-local.
root E debian12
printf '%s\n' 'fd7a115ca1e000000000000000000003 05 80 00 80 tailscale0' \
	'fd7a115ca1e000000000000000000007 05 80 00 c0 tailscale0' \
	'00000000000000000000000000000001 01 80 10 80       lo' \
	'fe8000000000000000fc00fffe000001 04 40 20 80     eth0' >"$E/proc/net/if_inet6"
run "$MESHNFS" --root "$E" --json env
check_eq "env --root: IPv6 mesh addresses from if_inet6 after the IPv4 one (fib_trie)" \
	"100.64.0.2 fd7a:115c:a1e0::3" "$(jget '.node.mesh_addresses | join(" ")')"
run "$MESHNFS" --root "$E" --no-color env
check_match "env --root: the human row lists it" "mesh addresses +.*fd7a:115c:a1e0::3" "$OUT"
