#!/usr/bin/env bash
# meshnfs status without a mesh: its options, its errors, and its output for node lists from
# replayed Tailscale CLIs (tests/fixtures/windows, see tests/fixtures/README.md) on fixture
# roots. Every run that may open a socket runs in an empty network namespace (loopback only):
# there, every mesh address has no route and fails at once, so the whole table comes quickly.
# The real probes are in tests/e2e/status.sh.
. "$(dirname "$0")/../lib/tap.sh"
plan 35
R=$FIXTURES/roots
mk_tmpdir T
empty_netns NS

# Usage errors: exit 64, nothing probed.
run "$MESHNFS" status --parallel 0
check_eq "--parallel 0: usage error" 64 "$RC"
check_match "--parallel 0: says the range" "--parallel: \"0\" is not a number in 1..4096" "$ERR"
run "$MESHNFS" status --source dns
check_eq "unknown source: usage error" 64 "$RC"
check_match "unknown source: lists the sources" "not one of headscale, tailscale, tailscale.exe, config" "$ERR"
run "$MESHNFS" status somehost
check_eq "an operand: usage error" 64 "$RC"

# No node list at all: said, exit 2, no probe.
printf '[server]\naddress = 100.64.0.1\n' >"$T/none.conf"
run env PATH="$TEST_PATH" "$MESHNFS" --config "$T/none.conf" --json status
check_eq "no source: exit 2" 2 "$RC"
check_eq "no source: JSON error kind" no_source "$(jget .error.kind)"
check_match "no source: says what to configure" "no node list: configure \\[headscale\\] url" "$ERR"
# Headscale's API without libcurl (an empty file over it, in a mount namespace of this command's
# own): the node list cannot be had, and the error says why in dlopen's words (before: "cannot
# initialise libcurl" and nothing more). No request can leave: the namespace is empty.
printf 'hskey-0123456789abcdef\n' >"$T/hs.key"; chmod 600 "$T/hs.key"
printf '[headscale]\nurl = https://100.64.0.9\napi_key_file = %s\n' "$T/hs.key" >"$T/hs.conf"
LIBCURL=$(readlink -f /usr/lib/*/libcurl.so.4 | head -1)
run unshare -m --propagation private bash -c 'mount --bind /dev/null "$1" && exec "${@:2}"' _ \
	"$LIBCURL" ip netns exec "$NS" "$MESHNFS" --config "$T/hs.conf" --json status --source headscale
check_eq "no libcurl: exit 2, source_unavailable" "2 source_unavailable" "$RC $(jget .error.kind)"
check_match "no libcurl: says the library could not be loaded, and why" \
	"cannot initialise libcurl: .*libcurl.so.4" "$ERR"
# A broken configuration: bad input, exit 65, naming file and line.
printf '[nodes]\nbad name = 100.64.0.1\n' >"$T/bad.conf"
run "$MESHNFS" --config "$T/bad.conf" status
check_eq "bad [nodes] line: exit 65" 65 "$RC"
check_match "bad [nodes] line: file and line" "bad.conf:2:" "$ERR"

# st ROOT SCENARIO ARGS...: status in the empty namespace, Windows side replayed; MS its wall
# time (host_view's own setup not counted).
st() {
	local root=$1 scenario=$2; shift 2
	fake_windows "$scenario" tailscale.exe tailscale wslinfo cmd.exe wslpath
	# Without --root, the root seen as this machine (host_view): under --root no program
	# runs, so the node list would not come from the replayed tailscale(.exe).
	HOSTVIEW_MS=$T/ms run host_view "$NS" "$R/$root" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" "$@"
	MS=$(cat "$T/ms")
}

# A WSL2 distro: nodes from the Windows host's tailscale.exe (automatic order on WSL2).
st wsl2-mirrored mirrored --json status
check_eq "wsl2: source tailscale.exe" "tailscale.exe status --json" "$(jget .source)"
check_eq "wsl2: the host, the distro riding it, the peers" \
	"office-one/windows office-one (WSL2)/wsl2 sfspark1/server laptop/null" \
	"$(jget '[.nodes[]|"\(.name)/\(.role)"]|join(" ")')"
check_eq "wsl2: the issue's fields on every node" "name ips os role online nfs" \
	"$(jget '.nodes[0]|keys_unsorted|map(select(.=="name" or .=="ips" or .=="os" or .=="role" or .=="online" or .=="nfs"))|join(" ")')"
check_eq "wsl2: nfs is a diagnosis and a time" "unreachable number" "$(jget '.nodes[2].nfs|"\(.diagnosis) \(.ms|type)"')"
# The step that failed and its words, not the last step (all skipped after it): mutation run 9,
# status.c:88, the skip test negated, gave "ownership" and null, survived.
check_eq "wsl2: nfs names the failed step and says why" \
	"route: no route to 100.64.0.1: Network is unreachable" "$(jget '.nodes[2].nfs|"\(.step): \(.detail)"')"
check_eq "wsl2: online from Tailscale" "true true true true" "$(jget '[.nodes[].online|tostring]|join(" ")')"
check_eq "wsl2: no route here: the configured server is unreachable (exit 2)" "2 server_unreachable" \
	"$(printf '%s %s' "$RC" "$(jget '[.warnings[].kind]|join(",")')")"
# (That no route is found without waiting is the diagnosis above; time only catches a hang.)
check_took "wsl2: no route: the run ends (${MS} ms)" "$MS" 3000

st wsl2-mirrored stale-identity:mirrored --json status
check_eq "stale identity: the Linux office-one with its own address" \
	"office-one 100.64.0.3" "$(jget '.warnings[]|select(.kind=="stale_wsl2_identity")|"\(.node) \(.message|capture("\\((?<ip>[0-9.]+)")|.ip)"')"
check_match "stale identity: Headscale-style id, so headscale's command" "headscale nodes delete --identifier 3" \
	"$(jget '.warnings[]|select(.kind=="stale_wsl2_identity")|.fix')"

st wsl2-mirrored ts-logged-out:mirrored --json status --source tailscale.exe
check_eq "logged out: exit 2" 2 "$RC"
check_match "logged out: not Running, said with the fix" "Tailscale service is NeedsLogin, not Running.*tailscale up" "$ERR"

# Native Debian: the local tailscale.
st debian12 linux-running --json status
check_eq "debian12: source tailscale" "tailscale status --json" "$(jget .source)"
check_eq "debian12: the configured server (not listed: a row of its own), Self, the peer" \
	"100.64.0.1 ikuai-1 istoreos" "$(jget '[.nodes[].name]|join(" ")')"
check_eq "debian12: the server not in the list is warned" server_not_listed "$(jget '.warnings[0].kind')"
st debian12 linux-down --json status --source tailscale
check_eq "tailscaled down: exit 2" 2 "$RC"
check_match "tailscaled down: the CLI's own words" "exited with status 1: Failed to connect to local Tailscale daemon" "$ERR"

# The table.
st wsl2-mirrored mirrored --no-color status
check_match "table: header" "^NODE +MESH IP +OS +ROLE +ONLINE +NFS +LATENCY" "$OUT"
check_match "table: the host" "office-one +100\\.64\\.0\\.3 fd7a:115c:a1e0::3 +Windows +Windows endpoint +yes +- +no answer" "$OUT"
check_match "table: the distro" "office-one \\(WSL2\\) +100\\.64\\.0\\.3 fd7a:115c:a1e0::3 +Linux +WSL2 \\(via host\\) +yes" "$OUT"
check_match "table: summary" "4 nodes from tailscale.exe status --json; 0 of 3 addresses answered" "$OUT"
check_match "table: the warning and its fix" "warning: the NFS server sfspark1 \\(100\\.64\\.0\\.1\\) is unreachable from here" "$OUT"
check_no_match "table: no colour off a terminal" $'\033' "$OUT"
