#!/usr/bin/env bash
# meshnfs status in the lab: a real mesh (wireguard-go, nfs-ganesha) of four hosts: srv
# (sfspark1, the NFS server, 100.64.0.1), c1 (100.64.0.3: where a stale WSL2 identity still
# answers), c2 (100.64.0.4: standing in for office-one's Windows side, with a WSL2 distro
# riding its address), c3 (laptop, 100.64.0.5: where meshnfs runs). Nothing holds 100.64.0.6
# (build-box) or 100.64.0.7 (old-phone): they never answer. The node list comes from Headscale's
# API, REPLAYED by build/tools/hs-replay on a fifth host, hs (100.64.0.100) (Headscale
# cannot be installed here; recordings in tests/fixtures/headscale, sources in
# tests/fixtures/README.md), over real TLS with a CA made for this run.
. "$(dirname "$0")/../lib/tap.sh"
plan 69
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/pki.sh"
HS=$TOP/build/tools/hs-replay
[ -x "$HS" ] || { not_ok "build/tools/hs-replay is built (make tools)"; exit 0; }
mk_tmpdir T

lab_up 3 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms): srv c1 c2 c3"
check "a host for Headscale (100.64.0.100), apart from the NFS server" lab_host_add hs 100.64.0.100

check "Headscale replay listening" hs_replay_up "$T" hs 100.64.0.100

{ hs_replay_conf "$T" 100.64.0.100; cat; } >"$T/meshnfs.conf" <<CONF
[nodes]
sfspark1 = server
office-one = windows
office-distro = 100.64.0.4 wsl2
laptop = client os=linux
CONF

# st ARGS...: meshnfs status from c3 (laptop); OUT/ERR/RC, MS the wall time.
st() {
	local t0
	t0=$(lab_ms)
	run lab_exec c3 "$MESHNFS" --config "$T/meshnfs.conf" "$@"
	MS=$(($(lab_ms) - t0))
}
node() { jget ".nodes[]|select(.name==\"$1\")|$2"; }
warned() { jget "[.warnings[]|select(.kind==\"$1\")|.node]|join(\" \")"; }

# 1. The healthy mesh from Headscale.
st --timeout 2 status --json
diag "status over 7 nodes: $MS ms"
check_eq "exit 1: warnings, no failure" 1 "$RC"
check_eq "verdict warn" warn "$(jget .verdict)"
check_match "nodes from Headscale" "^headscale https://100.64.0.100/api/v1/node$" "$(jget .source)"
check_eq "rows: Headscale's six nodes and the WSL2 distro riding office-one, after its host" \
	"sfspark1 office-one-wsl office-one office-distro laptop build-box old-phone" \
	"$(jget '[.nodes[].name]|join(" ")')"
check_eq "sfspark1: server, NFS ok through the whole ladder" "server ok true" \
	"$(node sfspark1 '"\(.role) \(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "sfspark1: addresses as Headscale lists them" "100.64.0.1 fd7a:115c:a1e0::1" "$(node sfspark1 '.ips|join(" ")')"
check_match "sfspark1: a latency in ms" "^[0-9]+$" "$(node sfspark1 .latency_ms)"
check_eq "office-one: Windows endpoint, online, answers (nothing on 2049)" "windows windows true refused" \
	"$(node office-one '"\(.role) \(.os) \(.online) \(.nfs.diagnosis)"')"
check_eq "office-distro: WSL2 via office-one, on the host's address and online state" \
	"wsl2 office-one 100.64.0.4 true" "$(node office-distro '"\(.role) \(.via) \(.ips|join(",")) \(.online)"')"
check_eq "laptop: client (from [nodes]), linux" "client linux" "$(node laptop '"\(.role) \(.os)"')"
check_eq "old-phone: offline and silent: no answer, no role" "false unreachable null null" \
	"$(node old-phone '"\(.online) \(.nfs.diagnosis) \(.latency_ms) \(.role)"')"
check_eq "build-box: online in Headscale, yet silent" "true unreachable" "$(node build-box '"\(.online) \(.nfs.diagnosis)"')"
check_eq "warning: office-one-wsl offline in Headscale but answering" office-one-wsl "$(warned offline_but_answering)"
check_eq "warning: office-one-wsl is a stale WSL2 identity" office-one-wsl "$(warned stale_wsl2_identity)"
check_match "... its fix removes node 3" "headscale nodes delete --identifier 3" "$(jget '.warnings[]|select(.kind=="stale_wsl2_identity")|.fix')"
check_empty "no duplicate: the distro shares its host's address by design" 1 "$(warned duplicate_ip)"
check_eq "no other warning" 2 "$(jget '.warnings|length')"
# Two silent nodes: once the others answered (in a few ms), each gets its SYN again after
# 250 ms (a WireGuard handshake's margin, or 4 round trips if more) and is given up when that
# one is as overdue: not before 0.5 s, never beyond the run's deadline (--timeout + 100 ms);
# the upper bound is check_took's (the 2 s --timeout x 2 + 5 s on a loaded machine).
check_took "the probes took the resent SYN and its margin at least ($(jget .ms) ms)" "$(jget .ms)" 2000 500
check_match "... and the silent node's step says so" "within [0-9.]+ s \(the SYN and the one resent after [0-9]+ ms unanswered, while [0-9]+ addresses answered" \
	"$(node old-phone .nfs.detail)"
check_took "the whole command, Headscale fetch included, within 2 x --timeout + 1 s ($MS ms)" "$MS" 5000

st --timeout 2 --no-color status
check_eq "table: exit 1" 1 "$RC"
check_match "table: the guide's columns, and the live ones" "^NODE +MESH IP +OS +ROLE +ONLINE +NFS +LATENCY" "$OUT"
check_match "table: the server row" "sfspark1 +100\\.64\\.0\\.1 fd7a:115c:a1e0::1 +- +server +yes +ok +[0-9]+ ms" "$OUT"
check_match "table: the Windows endpoint" "office-one +100\\.64\\.0\\.4 fd7a:115c:a1e0::4 +Windows +Windows endpoint +yes +- +[0-9]+ ms" "$OUT"
check_match "table: WSL2 via host" "office-distro +100\\.64\\.0\\.4 +Linux +WSL2 \\(via host\\) +yes +- +[0-9]+ ms" "$OUT"
check_match "table: a silent node" "old-phone .* +no +- +no answer" "$OUT"
check_match "table: summary" "7 nodes from headscale https://100.64.0.100/api/v1/node; 4 of 6 addresses answered" "$OUT"
check_match "table: a warning and its fix" "warning: office-one-wsl \\(100.64.0.3, fd7a:115c:a1e0::3\\) looks like a stale WSL2 identity" "$OUT"
check_no_match "no progress line off a terminal" "addresses probed" "$OUT$ERR"

# 2. A progress line on a terminal (script(1) gives the command a pseudo-terminal).
run lab_exec c3 script -qec "$MESHNFS --config $T/meshnfs.conf --timeout 2 --no-color status" /dev/null
check_match "on a terminal: a progress line while it runs" "meshnfs status: [0-9]+ of 6 addresses probed, [0-9.]+ s left" "$OUT"
check_match "... and the table after it" "office-distro" "$OUT"

# 3. The server offline (its wireguard-go stopped): unreachable from here, exit 2.
lab_fault offline
st --timeout 2 status --json
check_eq "offline server: exit 2" 2 "$RC"
check_eq "offline server: diagnosis" unreachable "$(node sfspark1 .nfs.diagnosis)"
check_eq "offline server: warning" sfspark1 "$(warned server_unreachable)"
check_match "... says so" "the NFS server sfspark1 \\(100.64.0.1\\) is unreachable from here" "$(jget '.warnings[]|select(.kind=="server_unreachable")|.message')"

# 4. The server hung (ganesha stopped): TCP still accepted, NFS silent; bounded all the same.
lab_fault hung
st --timeout 2 status --json
check_eq "hung server: exit 2" 2 "$RC"
check_eq "hung server: no_nfs_answer, still the server" "no_nfs_answer server" "$(node sfspark1 '"\(.nfs.diagnosis) \(.role)"')"
check_eq "hung server: warning" sfspark1 "$(warned server_unhealthy)"
check "hung server: the run still ends with its deadline ($(jget .ms) ms <= 3100)" test "$(jget .ms)" -le 3100
lab_heal

# 5. Read-only export: the whole ladder's write test runs for the server; --no-write stops
# before it.
lab_fault read_only
st --timeout 2 status --json
check_eq "read-only export: diagnosis read_only" read_only "$(node sfspark1 .nfs.diagnosis)"
st --timeout 2 status --json --no-write
check_eq "--no-write: the export is mounted, nothing written: ok" ok "$(node sfspark1 .nfs.diagnosis)"
lab_heal

# 6. A second NFS server nobody configured: found by the short probe, given the whole ladder.
cat >"$T/config.conf" <<CONF
[server]
address = 100.64.0.1
[nodes]
nas = 100.64.0.1
laptop = 100.64.0.5 client
laptop-old = 100.64.0.5
CONF
lab_addr_add srv 100.64.0.20 && lab_route_add srv 100.64.0.20/32
printf 'nas-b = 100.64.0.20\n' >>"$T/config.conf"
run lab_exec c3 "$MESHNFS" --config "$T/config.conf" --timeout 2 status --json --source config
check_match "config source" "^config " "$(jget .source)"
check_eq "config source: the configured server by address" "server ok true" "$(node nas '"\(.role) \(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "config source: online unknown (no control plane)" null "$(node nas .online)"
check_eq "a second address of the same server, probed at the same time: its own NFSv4 client, ok" \
	"server ok true" "$(node nas-b '"\(.role) \(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "two nodes, one address: warned" laptop "$(warned duplicate_ip)"
check_match "... naming both" "100.64.0.5 is claimed by 2 nodes: laptop and laptop-old" "$(jget '.warnings[]|select(.kind=="duplicate_ip")|.message')"
cat >"$T/other.conf" <<CONF
[server]
address = 100.64.0.99
[nodes]
somebox = 100.64.0.1
CONF
run lab_exec c3 "$MESHNFS" --config "$T/other.conf" --timeout 1 status --json
check_eq "an unconfigured NFS server: found by the probe" "server ok true" "$(node somebox '"\(.role) \(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "the configured server is not in the list: its own row, warned" "100.64.0.99 server_not_listed unreachable" \
	"$(jget '"\(.nodes[0].name) \(.warnings[0].kind) \(.nodes[0].nfs.diagnosis)"')"
check_eq "... and that fails the run" 2 "$RC"

# 7. Sources: Headscale down, [nodes] with addresses: the config's list, with a warning.
sed -e 's|https://100.64.0.100|https://100.64.0.100:8443|' "$T/meshnfs.conf" >"$T/down.conf"
printf 'sfspark1b = 100.64.0.1\n' >>"$T/down.conf"
run lab_exec c3 "$MESHNFS" --config "$T/down.conf" --timeout 1 status --json
check_match "Headscale not answering: nodes from the config" "^config " "$(jget .source)"
check_match "... and a warning saying Headscale was passed over" "100.64.0.100:8443.*passed over for the next source" \
	"$(jget '.warnings[]|select(.kind=="source")|.message')"
run lab_exec c3 "$MESHNFS" --config "$T/down.conf" --timeout 1 status --json --source headscale
check_eq "--source headscale: its failure is the error (exit 2)" 2 "$RC"
check_eq "... kind" source_unavailable "$(jget .error.kind)"
run lab_exec c3 env PATH="$TEST_PATH" "$MESHNFS" --config "$T/meshnfs.conf" status --json --source tailscale
check_eq "--source tailscale without the CLI: exit 2" 2 "$RC"
check_match "... says so" "tailscale status --json: no tailscale CLI on PATH" "$ERR"

# 8. On a WSL2 distro riding c2 (the Windows host's stand-in, 100.64.0.4): the node list from
# the Windows host's tailscale.exe, REPLAYED from a recording (tests/fixtures/windows/
# stale-identity: Self office-one 100.64.0.4, peers sfspark1 100.64.0.1, laptop 100.64.0.2
# and office-one's stale Linux identity 100.64.0.3, offline), the distro's files from the
# wsl2-mirrored fixture root (seen as c2's own files through host_view: under --root no
# program runs, the replayed tailscale.exe neither), the probes real, from c2.
fake_windows stale-identity:mirrored tailscale.exe wslinfo cmd.exe wslpath
run host_view "${LAB_NS[c2]}" "$FIXTURES/roots/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" \
	--timeout 2 status --json
check_eq "WSL2: nodes from the Windows host's tailscale.exe" "tailscale.exe status --json" "$(jget .source)"
check_eq "WSL2: the host (Self), this distro riding it, the peers" \
	"office-one|windows|100.64.0.4 office-one (WSL2)|wsl2|100.64.0.4 sfspark1|server|100.64.0.1 laptop|null|100.64.0.2 office-one|null|100.64.0.3" \
	"$(jget '[.nodes[]|"\(.name)|\(.role)|\(.ips[0])"]|join(" ")')"
check_eq "WSL2: the distro rides office-one" office-one "$(jget '.nodes[1].via')"
check_eq "WSL2: sfspark1 serves NFS to the distro (through the host's address)" ok "$(jget '.nodes[2].nfs.diagnosis')"
# The recording has sfspark1 Active over DERP fra (CurAddr empty): the server, which answered
# for real, is also warned as relayed, with the lab's measured connect time.
check_eq "WSL2: relayed server, and the stale identity (offline, answering at 100.64.0.3) warned twice" \
	"relayed offline_but_answering stale_wsl2_identity" "$(jget '[.warnings[]|.kind]|join(" ")')"
check_match "WSL2: the relayed warning carries the measured connect time" \
	"^NFS server sfspark1: relayed: sfspark1 is reached through the DERP relay fra, not directly \\([0-9]+ ms to connect from here\\)$" \
	"$(jget '.warnings[]|select(.kind=="relayed")|.message')"
check_eq "WSL2: exit 1 (warnings)" 1 "$RC"
run host_view "${LAB_NS[c2]}" "$FIXTURES/roots/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" \
	--timeout 2 --no-color status
check_match "WSL2 table: the guide's rows, live" "office-one \\(WSL2\\) +100\\.64\\.0\\.4 fd7a:115c:a1e0::4 +Linux +WSL2 \\(via host\\) +yes" "$OUT"
fake_windows ts-stopped:mirrored tailscale.exe wslinfo cmd.exe wslpath
run host_view "${LAB_NS[c2]}" "$FIXTURES/roots/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" \
	--timeout 2 status --json
check_eq "WSL2, Tailscale stopped on Windows: exit 2" 2 "$RC"
check_match "... says so" "Windows host's Tailscale service is Stopped" "$ERR"
