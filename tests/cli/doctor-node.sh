#!/usr/bin/env bash
# doctor's node area on fixture roots, in an empty network namespace.
. "$(dirname "$0")/../lib/tap.sh"
plan 5
R=$FIXTURES/roots
empty_netns NS

run ip netns exec "$NS" "$MESHNFS" --root "$R/wsl1" doctor --json
check_eq "wsl1: node.kind fails" fail "$(jget '.checks[]|select(.id=="node.kind")|.status')"
check_match "wsl1: the fix converts the distro" "wsl --set-version" "$(jget '.checks[]|select(.id=="node.kind")|.fix')"
check_eq "wsl1: exit 2" 2 "$RC"

fake_windows mirrored wslinfo cmd.exe wslpath
# (without --root, the root seen as this machine: under --root no program runs, wslinfo neither)
run host_view "$NS" "$R/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" doctor --json
check_eq "wsl2-mirrored: node.kind ok" ok "$(jget '.checks[]|select(.id=="node.kind")|.status')"
check_match "wsl2-mirrored: summary names the mode" "mirrored networking, from wslinfo" "$(jget '.checks[]|select(.id=="node.kind")|.summary')"
