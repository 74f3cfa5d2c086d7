#!/usr/bin/env bash
# Below NFS (issue 11): a port filtered by a firewall (dropped, rejected) and an MTU black hole
# under the mesh, made real with nft in the lab (tests/lab/lib.sh lab_fault filtered, rejected,
# mtu), named by probe, doctor and status within one --timeout (plus the margin); the guide's
# own checks (ping, nc -zv) shown beside. `tailscale ping --tsmp` is REPLAYED (tailscaled cannot
# run here: tests/fixtures/README.md, "Replays of tailscale ping --tsmp").
. "$(dirname "$0")/../lib/tap.sh"
plan 82
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/nagios.sh"
mk_tmpdir T

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH
TO=2 # --timeout, seconds
cat >"$T/meshnfs.conf" <<CONF
[server]
address = $SRV
[nodes]
sfspark1 = $SRV
laptop = 100.64.0.3 client
CONF

# probe ARGS...: meshnfs --json --timeout $TO probe ARGS from c1; OUT/ERR/RC, MS the wall time.
probe() {
	local t0
	t0=$(lab_ms)
	run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --json --timeout "$TO" probe "$@"
	MS=$(($(lab_ms) - t0))
}
# expect NAME DIAGNOSIS: the last run's diagnosis (probe's JSON), exit 2, within one --timeout
# (the whole probe may take two steps' bounds: bounded by 2 x --timeout, plus the margin).
expect() {
	check_eq "$1: diagnosis $2" "$2" "$(jget .diagnosis)"
	check_eq "$1: exit 2" 2 "$RC"
	check_took "$1: named within the probe's bound (took $MS ms)" "$MS" $((2 * TO * 1000))
	diag "time to $2 ($1): $MS ms"
}
step() { jget ".steps[] | select(.id == \"$1\") | .$2"; }
doctor() {
	local t0
	t0=$(lab_ms)
	run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --json --timeout "$TO" doctor
	MS=$(($(lab_ms) - t0))
}
dcheck() { jget ".checks[] | select(.id == \"$1\") | .$2"; }
status() {
	local t0
	t0=$(lab_ms)
	run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --json --timeout "$TO" status --source config
	MS=$(($(lab_ms) - t0))
}
srvrow() { jget ".nodes[] | select(.name == \"sfspark1\") | $1"; }

# --- healthy: the old verdicts, nothing below NFS reported
probe "$SRV"
check_eq "healthy: ok (exit 0)" "ok 0" "$(jget .diagnosis) $RC"
check_eq "healthy: no filter, no MTU evidence (the write went through)" "null null" "$(jget .filter) $(jget .mtu)"
check_match "healthy: the write test writes 64 KiB" "65536-byte file" "$(step write detail)"
doctor
check_eq "healthy doctor: the probe ok" ok "$(jget .probe.diagnosis)"
status
check_eq "healthy status: the server's ladder ok" "server ok" "$(srvrow '"\(.role) \(.nfs.diagnosis)"')"

# --- filtered: the server's nft drops TCP to 2049, ICMP still answered
lab_fault filtered
run lab_exec c1 ping -c 1 -W 2 "$SRV"
check_eq "filtered: the guide's ping -c 1 says up" 0 "$RC"
run lab_exec c1 nc -zv -w "$TO" "$SRV" 2049
check "filtered: the guide's nc -zv fails (which alone looks like an offline peer)" test "$RC" -ne 0
probe "$SRV"
expect filtered filtered
check_eq "filtered: evidence, the echo sent with the SYN was answered" "icmp_echo dropped true" \
	"$(jget '"\(.filter.evidence) \(.filter.how) \(.filter.echo)"')"
check_match "filtered: the tcp step says the peer answers ICMP echo" "no answer to the connection request.*but 100.64.0.1 answers ICMP echo" "$(step tcp detail)"
check_match "filtered: the words say up, and dropped" "is up \\(it answers ICMP echo.*is dropped: a packet filter blocks NFS" "$(jget .summary)"
check_match "filtered: the fix names the Headscale ACL rule for tcp:2049" '"dst": \["100.64.0.1:2049"\]' "$(jget .fix)"
check_match "filtered: the fix names the server's firewall" "nft list ruleset" "$(jget .fix)"
run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TO" probe --format nagios "$SRV"
check_match "filtered: --format nagios says CRITICAL ... filtered" "^MESHNFS PROBE CRITICAL - 100.64.0.1:/opt/shared filtered: " "$OUT"
check "filtered: the nagios line is well-formed (tests/lib/nagios.sh)" nagios_parse "$OUT" "$RC"
doctor
check_eq "filtered doctor: .probe.diagnosis filtered, evidence icmp_echo" "filtered icmp_echo" \
	"$(jget '"\(.probe.diagnosis) \(.probe.filter.evidence)"')"
check_eq "filtered doctor: nfs.tcp fails" fail "$(dcheck nfs.tcp status)"
check_match "filtered doctor: nfs.tcp's fix names the ACL and nft" "tcp:2049.*nft list ruleset" "$(dcheck nfs.tcp fix)"
check_took "filtered doctor: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))
status
check_eq "filtered status: the server's row says filtered" filtered "$(srvrow .nfs.diagnosis)"
check_match "filtered status: a server_unhealthy warning naming filtered" "filtered: .*is up" \
	"$(jget '.warnings[] | select(.kind == "server_unhealthy") | .message')"
check_eq "filtered status: exit 2 (the server fails)" 2 "$RC"
check_took "filtered status: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))

# --- rejected: the server's nft rejects TCP to 2049 with ICMP admin-prohibited
lab_fault rejected
probe "$SRV"
expect rejected filtered
check_eq "rejected: evidence, the ICMP reject of the SYN and its sender" "icmp_reject rejected 3 13 100.64.0.1" \
	"$(jget '"\(.filter.evidence) \(.filter.how) \(.filter.icmp.type) \(.filter.icmp.code) \(.filter.icmp.from)"')"
check_match "rejected: the tcp step names the ICMP message" "rejected: ICMP communication administratively prohibited \\(type 3 code 13\\) from 100.64.0.1, the server itself" "$(step tcp detail)"
check_no_match "rejected: no longer \"no answer\" (it did answer)" "get no answer" "$(jget .summary)"
check_match "rejected: the words say rejected" "is rejected: a packet filter" "$(jget .summary)"
doctor
check_eq "rejected doctor: filtered, icmp_reject" "filtered icmp_reject" \
	"$(jget '"\(.probe.diagnosis) \(.probe.filter.evidence)"')"
status
check_eq "rejected status: the server's row says filtered" filtered "$(srvrow .nfs.diagnosis)"

# --- mtu: the underlay drops WireGuard packets above 1200 bytes, no ICMP back
lab_fault mtu 1200
run lab_exec c1 ping -c 1 -W 2 "$SRV"
check_eq "mtu: the guide's ping -c 1 says up" 0 "$RC"
run lab_exec c1 nc -zv -w "$TO" "$SRV" 2049
check_eq "mtu: the guide's nc -zv says up" 0 "$RC"
run lab_exec c1 ping -c 1 -W 2 -M do -s 1300 "$SRV"
check "mtu: a DF ping of 1328 bytes is lost (the fault is real)" test "$RC" -ne 0
probe "$SRV"
expect mtu mtu_blackhole
check_eq "mtu: tcp, rpc and export pass (small packets)" "ok ok ok" "$(step tcp status) $(step rpc status) $(step export status)"
check_eq "mtu: the ladder, largest passed 1100, smallest lost 1200, route MTU 1420 (wireguard-go's)" \
	"1100 1200 1420" "$(jget '"\(.mtu.largest_passed) \(.mtu.smallest_lost) \(.mtu.route_mtu)"')"
check_eq "mtu: every size up to 1100 answered, none from 1200 on" "true" \
	"$(jget '[.mtu.sizes[] | (.bytes <= 1100) == .answered] | all')"
check_match "mtu: the write step names the stall and the sizes" "65536-byte write stalled.*up to 1100 bytes came back and of 1200 bytes and more did not" "$(step write detail)"
check_match "mtu: the words say black hole, not hung server" "MTU black hole" "$(jget .summary)"
check_match "mtu: the fix lowers tailscale0's MTU to what passed" "ip link set tailscale0 mtu 1100" "$(jget .fix)"
check_match "mtu: the fix cites its sources" "tailscale#4833.*TS_DEBUG_MTU=1100.*tailscale#8219" "$(jget .fix)"
run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TO" probe --format nagios "$SRV"
check_match "mtu: --format nagios, the diagnosis and the largest size passed" "CRITICAL .*mtu_blackhole: .*'mtu_passed'=1100B;;;0;1420" "$OUT"
check "mtu: the nagios line with mtu_passed is well-formed" nagios_parse "$OUT" "$RC"
probe --no-write "$SRV"
check_eq "mtu: --no-write (no large packet) still says ok, as before" "ok 0" "$(jget .diagnosis) $RC"
doctor
check_eq "mtu doctor: mtu_blackhole, largest passed 1100" "mtu_blackhole 1100" \
	"$(jget '"\(.probe.diagnosis) \(.probe.mtu.largest_passed)"')"
check_eq "mtu doctor: nfs.write fails, nfs.export ok" "fail ok" "$(dcheck nfs.write status) $(dcheck nfs.export status)"
check_match "mtu doctor: nfs.write's fix lowers the MTU" "tailscale0 mtu 1100" "$(dcheck nfs.write fix)"
check_took "mtu doctor: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))
status
check_eq "mtu status: the server's row says mtu_blackhole" mtu_blackhole "$(srvrow .nfs.diagnosis)"
check_took "mtu status: within its bound (took $MS ms)" "$MS" $((2 * TO * 1000))

# --- a hung server on a healthy path: the ladder tells it from a black hole
lab_fault hung
probe "$SRV"
check_eq "hung: still no_nfs_answer (exit 2)" "no_nfs_answer 2" "$(jget .diagnosis) $RC"
check_eq "hung: no MTU evidence taken (the NULL call already failed)" null "$(jget .mtu)"

# --- an unanswered echo proves nothing: port and ICMP both dropped is the old verdict
lab_fault filtered
lab_nft srv "icmp type echo-request drop" input
probe "$SRV"
expect "filtered, ICMP dropped too" unreachable
check_eq "filtered, ICMP dropped too: no filter evidence" null "$(jget .filter)"

# --- ... unless the mesh itself says the peer is up: tailscale ping --tsmp (replayed)
fake_windows tsmp-pong tailscale
printf '%s\n' "$T/tsmp.log" >"$FAKE_BIN/.replay_log"
probe_ts() {
	local t0
	t0=$(lab_ms)
	run lab_exec c1 env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --config "$T/meshnfs.conf" --json --timeout "$TO" probe "$SRV"
	MS=$(($(lab_ms) - t0))
}
probe_ts
expect "TSMP answers" filtered
check_eq "TSMP answers: evidence tsmp, dropped" "tsmp dropped" "$(jget '"\(.filter.evidence) \(.filter.how)"')"
check_match "TSMP answers: the pong is quoted" "pong from sfspark1 \\(100.64.0.1\\) via TSMP in 4.0 ms" "$(jget .filter.tsmp)"
# (probe also asks `tailscale status --json` for the path: only the ping is looked at here.)
check_eq "TSMP answers: asked with --tsmp, one ping, a timeout inside ours" "tailscale ping --tsmp -c 1 --timeout 1s 100.64.0.1" "$(logged "$T/tsmp.log" | grep '^tailscale ping')"
fake_windows tsmp-timeout tailscale
probe_ts
check_eq "TSMP timed out: unreachable stands (exit 2)" "unreachable 2" "$(jget .diagnosis) $RC"
fake_windows tsmp-stopped tailscale
probe_ts
check_eq "TSMP prints a state line (bad input): unreachable, exit 2, no crash" "unreachable 2" "$(jget .diagnosis) $RC"
check_match "... and the tcp step says what was not understood" "printed what is not understood .*not a ping result: \"Tailscale is stopped.\"" "$(step tcp detail)"

# ... a hostile peer name in the pong (made here): quoted escaped, never as terminal control
mkdir -p "$T/hostile/tailscale"
printf 'pong from \033]0;pwned\007evil (100.64.0.1) via TSMP in 4ms\n' \
	>"$T/hostile/tailscale/ping_--tsmp_-c_1_--timeout_1s_100.64.0.1.out"
printf '%s\n' "$T/hostile" >"$FAKE_BIN/.replay_dir"
run lab_exec c1 env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TO" probe "$SRV"
check_match "hostile pong: filtered, the name shown escaped" 'pong from \\x1b\]0;pwned\\aevil' "$OUT"
check_eq "hostile pong: no ESC or BEL byte on stdout" 0 "$(printf '%s' "$OUT" | tr -cd '\033\007' | wc -c)"

# --- offline: the peer really down (its wireguard-go stopped): unreachable, as before
lab_fault offline
probe "$SRV"
expect offline unreachable
check_match "offline: the tcp step says no answer, no ICMP echo either" "no answer to the connection request.*dropped on the way$" "$(step tcp detail)"
status
check_eq "offline status: unreachable" unreachable "$(srvrow .nfs.diagnosis)"

# --- the lab's own faults: a size that is not a number refused; heal leaves no nft table
if lab_fault mtu 12x 2>/dev/null; then not_ok "lab: mtu with a size that is not a number is refused"
else ok "lab: mtu with a size that is not a number is refused"; fi
lab_fault rejected
lab_heal
run lab_exec srv nft list tables
check_eq "lab: heal deletes the fault's nft table (nft exits 0, no mnfs_lab)" "0 0" "$RC $(grep -c mnfs_lab <<<"$OUT")"

# --- healed: ok again, nothing left of the faults
lab_heal
probe "$SRV"
check_eq "healed: ok (exit 0)" "ok 0" "$(jget .diagnosis) $RC"
