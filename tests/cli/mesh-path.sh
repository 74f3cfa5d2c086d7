#!/usr/bin/env bash
# The path to each peer (direct, relay:REGION, peer-relay, idle, unknown) from the replayed
# Tailscale CLI (tests/fixtures/windows/ts-paths: the `mirrored` recording with the path fields
# of Tailscale 1.86+, see tests/fixtures/README.md), in status's PATH column, doctor's mesh.path
# and probe's path line. Every run in an empty network namespace: nothing answers, no route.
. "$(dirname "$0")/../lib/tap.sh"
plan 24
R=$FIXTURES/roots
empty_netns NS
hv() { run host_view "$NS" "$1" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" "${@:2}"; }
calls() { grep -cxF "$1" "$FAKE_BIN/.replay_calls" || true; }
WIN=(wslinfo cmd.exe wslpath tailscale.exe netstat.exe)

# status on WSL2: the list from tailscale.exe, the paths from it again after the probes (the
# second answer: sfspark1 active since).
fake_windows ts-paths:mirrored "${WIN[@]}"
hv "$R/wsl2-mirrored" --json status
check_eq "status: a path per node, none for this machine" \
	"office-one:null office-one (WSL2):null sfspark1:relay:fra laptop:direct build-box:peer-relay nas6:direct" \
	"$(jget '[.nodes[]|"\(.name):\(.path)"]|join(" ")')"
check_eq "status: the CLI asked twice (the list; the paths after the probes)" 2 \
	"$(calls "tailscale.exe status_--json")"
check_eq "status: no relayed warning for a server that did not answer" "" \
	"$(jget '[.warnings[]|select(.kind=="relayed")]|map(.node)|join(",")')"
fake_windows ts-paths:mirrored "${WIN[@]}"
hv "$R/wsl2-mirrored" --no-color status
# line REGEX: a whole line of the output (bash's =~ has no line anchors).
NL=$'\n'
line() { printf '(^|%s)%s(%s|$)' "$NL" "$1" "$NL"; }
check_match "table: PATH is the last column" "$(line "NODE +MESH IP +OS +ROLE +ONLINE +NFS +LATENCY +PATH")" "$OUT"
check_match "table: the server over DERP" "$(line "sfspark1 [^$NL]* relay:fra")" "$OUT"
check_match "table: a peer relay" "$(line "build-box [^$NL]* peer-relay")" "$OUT"
check_match "table: this machine has no path" "$(line "office-one +100\.64\.0\.3 [^$NL]* +-")" "$OUT"

# The 1.76.1 recording (no PeerRelay field yet): paths from CurAddr and Relay, no error;
# laptop sent nothing lately (Active false): idle.
fake_windows mirrored "${WIN[@]}"
hv "$R/wsl2-mirrored" --json status
check_eq "1.76.1: the paths it can tell" "sfspark1:relay:fra laptop:idle" \
	"$(jget '[.nodes[]|select(.name=="sfspark1" or .name=="laptop")|"\(.name):\(.path)"]|join(" ")')"
# Without CurAddr and Relay at all (a CLI older than 2020, or a wrapper): unknown, not an error.
mk_tmpdir T
mkdir -p "$T/old/tailscale.exe"
jq 'del(.Peer[].CurAddr, .Peer[].Relay)' "$FIXTURES/windows/mirrored/tailscale.exe/status_--json.out" \
	>"$T/old/tailscale.exe/status_--json.out"
fake_windows mirrored "${WIN[@]}"
echo "$T/old:$REPLAY_DIR" >"$FAKE_BIN/.replay_dir"
hv "$R/wsl2-mirrored" --json status
check_eq "no path fields: unknown" "unknown unknown" \
	"$(jget '[.nodes[]|select(.name=="sfspark1" or .name=="laptop")|.path]|join(" ")')"
check_eq "no path fields: exit as before (server unreachable)" 2 "$RC"
# A CLI that warns on stderr and answers all the same (Tailscale's "Warning: client version
# ... != tailscaled server version ..."): the paths as without the warning. Asked twice, the
# warning kept each time (meshnfs-san: the kept line freed after the paths, mutation run 7:
# run.c:203's ts_run_free dropped leaked it; without a stderr line there is nothing to leak).
mkdir -p "$T/warn/tailscale.exe"
cp "$FIXTURES/windows/ts-paths/tailscale.exe/status_--json.2.out" "$T/warn/tailscale.exe/status_--json.out"
printf '%s\n' 'Warning: client version "1.86.2-t1a2b3c4d5" != tailscaled server version "1.88.1-t9f8e7d6c5"' \
	>"$T/warn/tailscale.exe/status_--json.err"
fake_windows ts-paths:mirrored "${WIN[@]}"
echo "$T/warn:$REPLAY_DIR" >"$FAKE_BIN/.replay_dir"
hv "$R/wsl2-mirrored" --json status
check_eq "stderr warning: the paths all the same" "sfspark1:relay:fra laptop:direct" \
	"$(jget '[.nodes[]|select(.name=="sfspark1" or .name=="laptop")|"\(.name):\(.path)"]|join(" ")')"
check_eq "stderr warning: exit 2 as without it, no sanitizer report" "2" \
	"$RC$(grep -o 'Sanitizer' <<<"$ERR" | head -1)"

# doctor: mesh.path. The first answer shows sfspark1 idle; asked again after the probe, it is
# relayed through DERP fra: a warning with why and the fix.
fake_windows ts-paths:mirrored "${WIN[@]}"
hv "$R/wsl2-mirrored" doctor --json
check_eq "doctor: mesh.path warns" warn "$(jget '.checks[]|select(.id=="mesh.path")|.status')"
check_match "doctor: the relay named" "sfspark1 is reached through the DERP relay fra" \
	"$(jget '.checks[]|select(.id=="mesh.path")|.summary')"
check_match "doctor: why NFS suffers" "bandwidth" "$(jget '.checks[]|select(.id=="mesh.path")|.detail')"
check_match "doctor: what fixes it" "tailscale netcheck.*UDP 41641" \
	"$(jget '.checks[]|select(.id=="mesh.path")|.fix')"
check_eq "doctor: asked again after the probe" 2 "$(calls "tailscale.exe status_--json")"
check_eq "doctor: mesh.tailscale still judged on the first answer" ok \
	"$(jget '.checks[]|select(.id=="mesh.tailscale")|.status')"

# probe on native Linux (the local tailscale): asked once after the ladder. First time the
# server's peer is idle; the second time (the CLI's next answer) relayed.
fake_windows ts-paths tailscale
hv "$R/debian12" --json probe
check_eq "probe: idle peer: path idle" "idle false" "$(jget '"\(.path.path) \(.path.relayed)"')"
hv "$R/debian12" --json probe
check_eq "probe: relayed peer" "relay:fra true" "$(jget '"\(.path.path) \(.path.relayed)"')"
hv "$R/debian12" --no-color probe
check_match "probe: the path line" "$(line "path: relay:fra \(tailscale status --json\)")" "$OUT"
check_match "probe: its fix" "fix: Run .tailscale netcheck" "$OUT"
# An idle path (no fault of the path): the path line and its summary, and no fix line
# (mutation run 5: cmd_probe.c:150's test negated printed "fix: (null)" under a path that
# needs none). The replay starts again at the idle answer.
fake_windows ts-paths tailscale
hv "$R/debian12" --no-color probe
check_match "probe, idle path: the path line" "$(line "path: idle \(tailscale status --json\)")" "$OUT"
check_no_match "probe, idle path: no fix under it" "fix: \(null\)|path: idle[^"$'\n'"]*"$'\n'"[^"$'\n'"]*"$'\n'"  fix:" "$OUT"
