#!/usr/bin/env bash
# The tailnet's IPv6 (issue 11, 6.): a server whose only mesh address is IPv6, in
# fd7a:115c:a1e0::/48 (Tailscale's own range, used only inside this run's namespaces, as the
# lab uses 100.64.0.0/10). The lab's mesh (wireguard-go, nfs-ganesha) gets IPv6 addresses on
# srv (fd7a:115c:a1e0::1) and c1 (fd7a:115c:a1e0::3), routed through WireGuard, and srv's IPv4
# mesh address is taken away; ganesha exports to both ranges. probe, doctor and status from c1
# reach the server over IPv6 and name faults (filtered, rejected, a stopped server, a client
# outside the export's range, an MTU black hole) with ICMPv6 evidence.
. "$(dirname "$0")/../lib/tap.sh"
plan 54
. "$TOP/tests/lab/lib.sh"
mk_tmpdir T
TO=2 # --timeout, seconds

S6=fd7a:115c:a1e0::1
C6=fd7a:115c:a1e0::3
# ganesha's CLIENT list, and what lab_heal restores: both ranges.
LAB_MESH_RANGE="100.64.0.0/10,fd7a:115c:a1e0::/48" # as setup server --clients writes it
LAB_G_CLIENTS=$LAB_MESH_RANGE
lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
# nodad: the addresses are usable at once (no duplicate address detection to wait for).
# srv also holds fd7a:115c:a1e0::9, nas6's address in the recorded Tailscale status below.
ip -n "${LAB_NS[srv]}" addr add "$S6/48" dev "${LAB_WG[srv]}" nodad &&
	ip -n "${LAB_NS[srv]}" addr add fd7a:115c:a1e0::9/48 dev "${LAB_WG[srv]}" nodad &&
	ip -n "${LAB_NS[c1]}" addr add "$C6/48" dev "${LAB_WG[c1]}" nodad &&
	lab_route_add srv "$S6/128" fd7a:115c:a1e0::9/128 && lab_route_add c1 "$C6/128"

# README's `meshnfs status` example is this run: c1 as a WSL2 distro riding office-one
# (fixture root wsl2-mirrored), its Windows host's `tailscale.exe status --json` REPLAYED
# from tests/fixtures/windows/ts-paths (a real recording EDITED to carry the newer path
# fields: tests/fixtures/README.md) with direct, relayed and peer-relay peers and nas6, a node
# with only an IPv6 address; the lab answers for sfspark1 (100.64.0.1)
# and nas6 (fd7a:115c:a1e0::9, srv). Compared with latencies masked and blanks squeezed;
# README_UPDATE=1 writes this run's output into README.md.
fake_windows ts-paths:mirrored wslinfo cmd.exe wslpath tailscale.exe netstat.exe
run host_view "${LAB_NS[c1]}" "$FIXTURES/roots/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" \
	NO_COLOR=1 "$MESHNFS" --timeout "$TO" status
check_match "status, README's example: nas6 probed over IPv6, an NFS server" \
	"^nas6 +fd7a:115c:a1e0::9 +Linux +server +yes +ok +[0-9]+ ms +direct$" "$(grep '^nas6 ' <<<"$OUT")"
mask() { sed -E 's/[0-9]+ ms/N ms/g; s/answered, in [0-9.]+ s/answered, in N s/' | tr -s ' '; }
readme_block() { awk '/^\$ meshnfs status$/ {f = 1; next} f && /^```$/ {exit} f' "$TOP/README.md"; }
if [ -n "${README_UPDATE:-}" ] && [ "$RC" = 1 ]; then
	printf '%s\n' "$OUT" >"$T/block"
	awk -v repl="$T/block" '/^\$ meshnfs status$/ {print; while ((getline l < repl) > 0) print l; skip = 1; next}
		skip && /^```$/ {skip = 0} !skip' "$TOP/README.md" >"$T/README.md" && cp "$T/README.md" "$TOP/README.md"
fi
check_eq "status, README's example: exit 1 (the relayed warning) and README's block is this run's output" \
	"1 $(readme_block | mask)" "$RC $(mask <<<"$OUT")"

# Then srv loses its IPv4 mesh address: IPv6 only.
ip -n "${LAB_NS[srv]}" addr del "$LAB_SERVER_MESH/10" dev "${LAB_WG[srv]}"
check_eq "srv's mesh interface holds only IPv6 mesh addresses" "$S6/48 fd7a:115c:a1e0::9/48" \
	"$(ip -n "${LAB_NS[srv]}" -o addr show dev "${LAB_WG[srv]}" | awk '$3 != "inet6" || $4 !~ /^fe80/ {print $4}' | sort | paste -sd ' ')"
run lab_exec c1 ping -6 -c 1 -W 5 "$S6"
check_eq "c1 reaches it over the mesh (ping -6)" 0 "$RC"

cat >"$T/meshnfs.conf" <<CONF
[server]
address = $S6
[nodes]
sfspark1 = $S6 server
laptop = 100.64.0.3,$C6 client
CONF

mn() { run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TO" "$@"; }
timed() { local t0; t0=$(lab_ms); mn "$@"; MS=$(($(lab_ms) - t0)); }
step() { jget ".steps[] | select(.id == \"$1\") | .$2"; }
dcheck() { jget ".checks[] | select(.id == \"$1\") | .$2"; }
srvrow() { jget ".nodes[] | select(.name == \"sfspark1\") | $1"; }
# expect NAME DIAGNOSIS: the last probe's diagnosis, exit 2, within the probe's bound.
expect() {
	check_eq "$1: diagnosis $2, exit 2" "$2 2" "$(jget .diagnosis) $RC"
	check_took "$1: named within the probe's bound (took $MS ms)" "$MS" $((2 * TO * 1000))
	diag "time to $2 over IPv6 ($1): $MS ms"
}

# --- healthy
timed --json probe "[$S6]:/opt/shared"
check_eq "probe [ADDR]:EXPORT: ok, exit 0" "ok 0" "$(jget .diagnosis) $RC"
check_eq "probe: the address probed" "$S6" "$(jget .address)"
check_eq "probe: every step ok over IPv6" "ok ok ok ok ok ok" "$(jget '[.steps[].status] | join(" ")')"
check_eq "probe: the route leaves from c1's IPv6 mesh address, in the mesh" "$C6 true" "$(jget '"\(.source) \(.source_in_mesh)"')"
check_match "probe: the route step names the IPv6 range" "from a mesh address \\(fd7a:115c:a1e0::/48\\)" "$(step route detail)"
check_match "probe: the tcp step writes [ADDR]:PORT" "^\\[$S6\\]:2049 accepts" "$(step tcp detail)"
check_match "probe: the write test went through libnfs over IPv6" "65536-byte file" "$(step write detail)"
mn --json probe "$S6"
check_eq "probe of a bare IPv6 literal: ok, the configured export" "ok /opt/shared" "$(jget '"\(.diagnosis) \(.export)"')"
mn --no-color probe "[$S6]:/opt/shared"
check_match "human: the target in brackets" "^probe \\[$S6\\]:/opt/shared " "$OUT"
mn --json probe "[$S6]x"
check_eq "a malformed bracketed operand: usage error" 64 "$RC"

timed --json doctor
check_eq "doctor: the probe of the configured IPv6 server ok" ok "$(jget .probe.diagnosis)"
check_match "doctor: mesh.address names c1's IPv6 address as the route's source" "^$C6; the route to $S6 leaves from it" "$(dcheck mesh.address summary)"
check_match "doctor: the node's mesh addresses, IPv4 and IPv6 (/proc/net/if_inet6)" "100\\.64\\.0\\.3, $C6" "$(dcheck mesh.address detail)"
check_eq "doctor: mesh.address ok" ok "$(dcheck mesh.address status)"
mn --json env
check_eq "env: mesh addresses from fib_trie and if_inet6" "100.64.0.3 $C6" "$(jget '.node.mesh_addresses | join(" ")')"

timed --json status --source config
check_eq "status: the IPv6-only server probed on its address" "$S6" "$(srvrow .address)"
check_eq "status: its whole ladder ok" "server ok true" "$(srvrow '"\(.role) \(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "status: nothing left unprobed" "" "$(jget '[.nodes[] | select(.not_probed != null) | .name] | join(" ")')"

# --- filtered: srv's nft drops TCP to 2049 (an inet table: IPv6 too); ICMPv6 echo answered
lab_fault filtered
timed --json probe "[$S6]:/opt/shared"
expect filtered filtered
check_eq "filtered: evidence, the ICMPv6 echo sent with the SYN was answered" "icmp_echo dropped true" \
	"$(jget '"\(.filter.evidence) \(.filter.how) \(.filter.echo)"')"
check_match "filtered: the tcp step says so" "no answer to the connection request.*but $S6 answers ICMPv6 echo" "$(step tcp detail)"
check_match "filtered: the fix allows the IPv6 range in the ACL" '"src": \["fd7a:115c:a1e0::/48"\]' "$(jget .fix)"
timed --json doctor
check_eq "filtered doctor: .probe.diagnosis filtered, nfs.tcp fails" "filtered fail" "$(jget .probe.diagnosis) $(dcheck nfs.tcp status)"
check_took "filtered doctor: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))
timed --json status --source config
check_eq "filtered status: the server's row says filtered, exit 2" "filtered 2" "$(srvrow .nfs.diagnosis) $RC"
check_took "filtered status: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))

# --- rejected: ICMPv6 administratively prohibited (type 1 code 1), read with IPV6_RECVERR
lab_fault rejected
timed --json probe "[$S6]:/opt/shared"
expect rejected filtered
check_eq "rejected: evidence, the ICMPv6 reject and its sender" "icmp_reject rejected 1 1 $S6" \
	"$(jget '"\(.filter.evidence) \(.filter.how) \(.filter.icmp.type) \(.filter.icmp.code) \(.filter.icmp.from)"')"
check_match "rejected: the tcp step names it in words" "rejected: ICMPv6 communication administratively prohibited \\(type 1 code 1\\) from $S6, the server itself" "$(step tcp detail)"
timed --json status --source config
check_eq "rejected status: filtered" filtered "$(srvrow .nfs.diagnosis)"

# --- hung: ganesha stopped (SIGSTOP): TCP accepted, NFS silent
lab_fault hung
timed --json probe "[$S6]:/opt/shared"
expect hung no_nfs_answer
check_eq "hung: tcp ok, rpc fails" "ok fail" "$(step tcp status) $(step rpc status)"
timed --json doctor
check_eq "hung doctor: no_nfs_answer, nfs.rpc fails" "no_nfs_answer fail" "$(jget .probe.diagnosis) $(dcheck nfs.rpc status)"
timed --json status --source config
check_eq "hung status: no_nfs_answer, exit 2" "no_nfs_answer 2" "$(srvrow .nfs.diagnosis) $RC"

# --- refused: ganesha not running
lab_fault refused
timed --json probe "$S6"
expect refused refused

# --- not_allowed: the export's CLIENT list no longer holds c1's IPv6 address
lab_fault not_allowed
timed --json probe "[$S6]:/opt/shared"
expect "not allowed" export_denied_or_missing
check_match "not allowed: the export step names c1's IPv6 address" "does not allow this client \\($C6\\)" "$(step export detail)"
check_match "not allowed: the fix names the IPv6 range" "fd7a:115c:a1e0::/48" "$(jget .fix)"

# --- mtu: the underlay drops WireGuard packets above 1200 bytes: the DF-set ICMPv6 ladder
lab_fault mtu
timed --json probe "[$S6]:/opt/shared"
expect mtu mtu_blackhole
check_match "mtu: small ICMPv6 echoes passed, large ones not" "^[0-9]+ [0-9]+$" "$(jget '"\(.mtu.largest_passed) \(.mtu.smallest_lost)"')"
check "mtu: the largest size passed is below the smallest lost" test "$(jget .mtu.largest_passed)" -lt "$(jget .mtu.smallest_lost)"
check_match "mtu: the write step names the ICMP echoes to the server" "DF-set ICMP echoes to $S6 of up to [0-9]+ bytes came back" "$(step write detail)"

lab_heal
timed --json probe "[$S6]:/opt/shared"
check_eq "healed: ok again" "ok 0" "$(jget .diagnosis) $RC"
