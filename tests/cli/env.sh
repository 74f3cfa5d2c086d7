#!/usr/bin/env bash
# meshnfs env on every fixture root (tests/fixtures/README.md says what each stands for),
# with the Windows-side programs replayed from recordings. No network: env opens no sockets.
. "$(dirname "$0")/../lib/tap.sh"
plan 53
R=$FIXTURES/roots
# hv ROOT ARGS...: meshnfs without --root, ROOT seen as this machine's files (host_view, in
# an empty network namespace): under --root it runs no program, the replayed ones included.
empty_netns NS
hv() { run host_view "$NS" "$1" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" "${@:2}"; }

env_json() { # ROOT SCENARIO PROGRAMS...
	local root=$1 scenario=$2; shift 2
	fake_windows "$scenario" "$@"
	hv "$R/$root" env --json
}

# Native Debian 12 with its own tailscaled.
env_json debian12 none
check_eq "debian12: exit 0" 0 "$RC"
check_eq "debian12: kind linux" linux "$(jget .node.kind)"
check_eq "debian12: wsl null" null "$(jget .node.wsl)"
check_eq "debian12: distro from os-release" "Debian GNU/Linux 12 (bookworm)" "$(jget .node.distro)"
check_eq "debian12: systemd running" true "$(jget .node.systemd)"
check_match "debian12: tailscaled pid from /proc/*/comm (a real process of that name)" "^[0-9]+$" "$(jget .node.tailscaled.pid)"
check_eq "debian12: tailscaled socket" true "$(jget .node.tailscaled.socket)"

check_eq "debian12: mesh addresses" '100.64.0.2' "$(jget '.node.mesh_addresses|join(",")')"
check_eq "debian12: no input problems" 0 "$(jget '.checks|length')"

# WSL2 mirrored: wslinfo answers, .wslconfig found through cmd.exe + wslpath.
env_json wsl2-mirrored mirrored wslinfo cmd.exe wslpath
check_eq "wsl2-mirrored: exit 0" 0 "$RC"
check_eq "wsl2-mirrored: kind wsl2" wsl2 "$(jget .node.kind)"
check_eq "wsl2-mirrored: mode mirrored" mirrored "$(jget .node.wsl.networking_mode)"
check_eq "wsl2-mirrored: mode from wslinfo" wslinfo "$(jget .node.wsl.mode_source)"
check_eq "wsl2-mirrored: configured mode read from .wslconfig" mirrored "$(jget .node.wsl.configured_mode)"
check_eq "wsl2-mirrored: .wslconfig path through %USERPROFILE%" "/mnt/c/Users/alice/.wslconfig" "$(jget .node.wsl.wslconfig)"
check_eq "wsl2-mirrored: systemd" true "$(jget .node.wsl.systemd)"
check_eq "wsl2-mirrored: wsl.conf boot.systemd" true "$(jget .node.wsl.wsl_conf.boot_systemd)"
check_eq "wsl2-mirrored: interop" true "$(jget .node.wsl.interop)"
check_eq "wsl2-mirrored: shares the host's mesh address" 100.64.0.3 "$(jget '.node.mesh_addresses|join(",")')"
check_match "wsl2-mirrored: says it must not run tailscaled" "must not run its own tailscaled" "$(jget '.implications|join(" ")')"

# Early WSL2 on 4.19: no wslinfo, no .wslconfig -> default NAT.
env_json wsl2-nat-4.19 old-nat cmd.exe wslpath
check_eq "wsl2-nat-4.19: kind wsl2" wsl2 "$(jget .node.kind)"
check_eq "wsl2-nat-4.19: mode nat" nat "$(jget .node.wsl.networking_mode)"
check_eq "wsl2-nat-4.19: mode from default" default "$(jget .node.wsl.mode_source)"
check_eq "wsl2-nat-4.19: no .wslconfig" null "$(jget .node.wsl.wslconfig)"
check_eq "wsl2-nat-4.19: where setup wsl would create it" "/mnt/c/Users/bob/.wslconfig" "$(jget .node.wsl.wslconfig_target)"
check_eq "wsl2-nat-4.19: systemd off" false "$(jget .node.wsl.systemd)"
check_empty "wsl2-nat-4.19: no mesh address of its own" 0 "$(jget '.node.mesh_addresses|join(",")')"
check_match "wsl2-nat-4.19: explains NAT" "NAT networking: outbound NFS" "$(jget '.implications|join(" ")')"
check_match "wsl2-nat-4.19: warns about x-systemd options" "x-systemd" "$(jget '.implications|join(" ")')"

# WSL1.
env_json wsl1 none
check_eq "wsl1: kind wsl1" wsl1 "$(jget .node.kind)"
check_eq "wsl1: mode wsl1" wsl1 "$(jget .node.wsl.networking_mode)"
check_match "wsl1: says NFS cannot be mounted" "no NFS client" "$(jget '.implications|join(" ")')"

# A custom WSL2 kernel without "microsoft": binfmt WSLInterop and /mnt/wsl tell.
env_json wsl2-custom-kernel custom-kernel wslinfo cmd.exe wslpath
check_eq "custom kernel: kind wsl2" wsl2 "$(jget .node.kind)"
check_match "custom kernel: reason names the evidence" "WSLInterop" "$(jget .node.kind_reason)"
check_eq "custom kernel: wslinfo says nat" nat "$(jget .node.wsl.networking_mode)"
check_eq "custom kernel: no .wslconfig" null "$(jget .node.wsl.wslconfig)"

# .wslconfig in UTF-16LE with BOM and CRLF, comments, spaces around '='; no wslinfo.
env_json wsl2-utf16-wslconfig utf16 cmd.exe wslpath
check_eq "utf16: exit 0" 0 "$RC"
check_eq "utf16: mode mirrored from .wslconfig" mirrored "$(jget .node.wsl.networking_mode)"
check_eq "utf16: mode source wslconfig" wslconfig "$(jget .node.wsl.mode_source)"
check_eq "utf16: encoding recognised" utf-16le-bom "$(jget .node.wsl.wslconfig_encoding)"
check_eq "utf16: mountFsTab read from wsl.conf" true "$(jget .node.wsl.wsl_conf.automount_mountfstab)"
check_match "utf16: says the mode is configured, not measured" "configured one, not measured" "$(jget '.implications|join(" ")')"

# Interop broken: without cmd.exe the one profile with a .wslconfig is found by scanning.
mk_tmpdir T
cp -a "$R/wsl2-utf16-wslconfig/." "$T/"
printf 'disabled\n' >"$T/proc/sys/fs/binfmt_misc/WSLInterop"
fake_windows utf16 cmd.exe wslpath
REPLAY_LOG=$T/calls.log run env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$T" env --json
check_eq "interop off: reported" false "$(jget .node.wsl.interop)"
# (No fake ran at all, so the log is not even created; under --root meshnfs runs no program at
# all since main's --root sandbox, so this no longer tells interop's own effect.)
check_empty "interop off: cmd.exe is not run" 0 "$(cat "$T/calls.log" 2>/dev/null)"
check_eq "interop off: .wslconfig still found by scanning /mnt/c/Users" "$T/mnt/c/Users/dave/.wslconfig" "$(jget .node.wsl.wslconfig)"
check_match "interop off: says Windows programs cannot run" "Interop is off" "$(jget '.implications|join(" ")')"

# Bad input: a wslinfo printing garbage, an undecodable .wslconfig -> warnings naming them.
mk_tmpdir B
cp -a "$R/wsl2-mirrored/." "$B/"
printf '\xff\xfe\x00\xd8' >"$B/mnt/c/Users/alice/.wslconfig"   # UTF-16 with a lone surrogate
printf '[boot]\nsystemd=maybe\n' >"$B/etc/wsl.conf"
fake_windows mirrored wslinfo cmd.exe wslpath
run env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$B" env --json
check_eq "bad input: exit 1 (warnings)" 1 "$RC"
check_match "bad input: .wslconfig problem names the file" "$B/mnt/c/Users/alice/.wslconfig:1: unpaired UTF-16 surrogate" "$(jget '[.checks[].summary]|join("|")')"
check_match "bad input: wsl.conf problem names file and line" "$B/etc/wsl.conf:2: \\[boot\\] systemd = \"maybe\" is not true or false" "$(jget '[.checks[].summary]|join("|")')"

# Human output is aligned text, without colour when not on a terminal.
fake_windows mirrored wslinfo cmd.exe wslpath
hv "$R/wsl2-mirrored" env
check_match "human: kind line" "^kind +wsl2 " "$OUT"
check_match "human: networking line" $'\n''networking +mirrored \(from wslinfo\)' "$OUT"

# This machine (env opens no sockets, so the main namespace is fine): the kind agrees with
# the kernel's own release string.
run "$MESHNFS" env --json
want=linux
grep -qi microsoft /proc/sys/kernel/osrelease && want=wsl2
check_eq "this machine: kind from its kernel" "$want" "$(jget .node.kind)"
check_eq "this machine: kernel release" "$(cat /proc/sys/kernel/osrelease)" "$(jget .node.kernel)"
