#!/usr/bin/env bash
# doctor on WSL2 fixture roots (tests/fixtures/README.md says what each stands for), the
# Windows side replayed from recordings, every run inside an empty network namespace. Only
# the checks of the WSL2 issue are asserted (other areas add their own checks to the same
# run), and the exit status only where one of these checks fails.
. "$(dirname "$0")/../lib/tap.sh"
plan 95
R=$FIXTURES/roots
W=$FIXTURES/windows
empty_netns NS
PROGS=(wslinfo cmd.exe wslpath tailscale.exe netstat.exe)

doc() { # ROOT SCENARIO[:SCENARIO] [extra meshnfs options]; PROGS names the fakes
	local root=$1 scn=$2; shift 2
	fake_windows "$scn" "${PROGS[@]}"
	if [ -n "${REPLAY_LOG:-}" ]; then echo "$REPLAY_LOG" >"$FAKE_BIN/.replay_log"; fi
	hv "$R/$root" "$@" doctor --json
}
# hv ROOT ARGS...: meshnfs without --root, ROOT seen as this machine's files (host_view):
# under --root it runs no program, and these checks are about what the programs answer.
hv() { run host_view "$NS" "$1" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" "${@:2}"; }
# replay_first DIR: recordings in DIR win over the scenario's (the fakes read .replay_dir).
replay_first() { echo "$1:$REPLAY_DIR" >"$FAKE_BIN/.replay_dir"; }
st() { jget ".checks[]|select(.id==\"$1\")|.status"; }
sm() { jget ".checks[]|select(.id==\"$1\")|.summary"; }
dt() { jget ".checks[]|select(.id==\"$1\")|.detail"; }
fx() { jget ".checks[]|select(.id==\"$1\")|.fix"; }

# --- healthy mirrored node: the guide's Working Model
doc wsl2-mirrored mirrored
for id in wsl.tailscaled wsl.interop wsl.networking_mode wsl.wslconfig wsl.systemd mesh.tailscale \
	wsl.stale_identity wsl.ports; do
	check_eq "healthy: $id ok" ok "$(st $id)"
done
check_match "healthy: the Windows host's node" "Running as office-one 100.64.0.3, 2 peer\\(s\\), 2 online" "$(sm mesh.tailscale)"
check_eq "healthy: node list in the JSON for status" "sfspark1,laptop" "$(jget '[.tailscale.peers[].name]|join(",")')"
check_eq "healthy: peer addresses in the JSON" "100.64.0.1" "$(jget '.tailscale.peers[0].ips[0]')"
check_eq "healthy: Windows CLI at its fixed path? (not in this root: found on PATH)" "$FAKE_BIN/tailscale.exe" "$(jget .tailscale.cli)"
check_match "healthy: ports compared with Windows' 37 listeners" "37 on the Windows host" "$(sm wsl.ports)"
check_eq "healthy: no NFS results yet, pitfall check skipped" skip "$(st wsl.nfs_networking)"
# cmd.exe from /mnt/c, as the WSL docs advise: from a Linux directory it warns that UNC paths
# are not supported (mutation run 6: wsl.c's `root_stat(...) == 0` made `!=` ran it from here).
check_eq "healthy: cmd.exe run from /mnt/c" "cmd.exe /mnt/c" "$(grep '^cmd.exe ' "$FAKE_BIN/.replay_cwd")"

# A stand-in tailscaled another test on this machine started (a real process of that name,
# outside every host_view): host_view's own PID namespace keeps it out of wsl.tailscaled.
mk_tmpdir OTHER
cp "$(command -v sleep)" "$OTHER/tailscaled"
"$OTHER/tailscaled" 60 &
other=$!
at_exit "kill $other 2>/dev/null"
doc wsl2-mirrored mirrored
kill "$other"
check_eq "another test's tailscaled is not this node's" ok "$(st wsl.tailscaled)"

# --- tailscaled inside the distro (and the Windows host sees its node online)
doc wsl2-tailscaled-inside tailscaled-inside:mirrored
check_eq "tailscaled inside: fail" fail "$(st wsl.tailscaled)"
check_match "tailscaled inside: evidence named (a real process named tailscaled)" "pid [0-9]+, tailscale0 present, enabled at boot" "$(sm wsl.tailscaled)"
check_match "tailscaled inside: why, the guide's constraints" "tunnels WireGuard inside the host's WireGuard.*asymmetric routing" "$(dt wsl.tailscaled)"
check_match "tailscaled inside: fix disables it" "^sudo systemctl disable --now tailscaled; then remove the node" "$(fx wsl.tailscaled)"
check_eq "tailscaled inside: its node is a stale identity" warn "$(st wsl.stale_identity)"
check_match "tailscaled inside: online ghost" "This node is online" "$(dt wsl.stale_identity)"
check_eq "tailscaled inside: exit 2" 2 "$RC"

# --- interop broken: systemd-binfmt dropped WSLInterop; a real "Exec format error"
mk_tmpdir L
REPLAY_LOG=$L/calls doc wsl2-interop-broken mirrored
check_eq "interop broken: wsl.interop fails" fail "$(st wsl.interop)"
check_match "interop broken: names the missing entry" "no WSLInterop entry" "$(sm wsl.interop)"
check_match "interop broken: the systemd cause" "systemd-binfmt" "$(dt wsl.interop)"
check_match "interop broken: exact fix" "WSLInterop:M::MZ::/init:PF.*systemctl restart systemd-binfmt" "$(fx wsl.interop)"
check_eq "interop broken: mesh.tailscale fails" fail "$(st mesh.tailscale)"
check_match "interop broken: the kernel's ENOEXEC on the real PE file" "Program Files/Tailscale/tailscale.exe: Exec format error" "$(sm mesh.tailscale)"
check_eq "interop broken: ports skipped" skip "$(st wsl.ports)"
# (wslinfo is replayed before interop is judged: the log exists, so an empty grep means something.)
check_empty "interop broken: no Windows program was replayed" 2 "$(logged "$L/calls" | grep -v '^wslinfo')"
check_eq "interop broken: exit 2" 2 "$RC"

# Binfmt says enabled but cmd.exe cannot be executed: the errno is measured, not guessed.
mk_tmpdir P
cp -a "$R/wsl2-mirrored/." "$P/"
fake_windows mirrored wslinfo wslpath tailscale.exe netstat.exe
install -m 755 "$R/wsl2-interop-broken/mnt/c/Program Files/Tailscale/tailscale.exe" "$FAKE_BIN/cmd.exe"
hv "$P" doctor --json
check_eq "exec error: wsl.interop fails" fail "$(st wsl.interop)"
check_match "exec error: the program and the errno" "cmd.exe could not be run: Exec format error" "$(sm wsl.interop)"

# --- the Windows host's Tailscale: logged out, stopped, key expired, key expiring, hung, garbage
doc wsl2-mirrored ts-logged-out:mirrored
check_eq "logged out: fail" fail "$(st mesh.tailscale)"
check_match "logged out: says so" "logged out \\(NeedsLogin\\)" "$(sm mesh.tailscale)"
check_match "logged out: fix on the Windows side, with the AuthURL" "on the Windows host.*tailscale login --login-server.*https://login.tailscale.com/a/14bca4f701de61" "$(fx mesh.tailscale)"
check_eq "logged out: no peer list, stale identity skipped" skip "$(st wsl.stale_identity)"

doc wsl2-mirrored ts-stopped:mirrored
check_eq "stopped: fail" fail "$(st mesh.tailscale)"
check_match "stopped: fix" "tailscale up" "$(fx mesh.tailscale)"

doc wsl2-mirrored ts-expired:mirrored
check_eq "key expired: fail" fail "$(st mesh.tailscale)"
check_match "key expired: date" "expired on 2025-09-01T08:02:14Z" "$(sm mesh.tailscale)"

mk_tmpdir X
mkdir -p "$X/tailscale.exe"
exp=$(date -u -d '+5 days +1 hour' +%Y-%m-%dT%H:%M:%SZ)
jq --arg e "$exp" '.Self.KeyExpiry = $e' "$W/mirrored/tailscale.exe/status_--json.out" >"$X/tailscale.exe/status_--json.out"
fake_windows mirrored "${PROGS[@]}"
replay_first "$X"
hv "$R/wsl2-mirrored" doctor --json
check_eq "key expiring in 5 days: warn" warn "$(st mesh.tailscale)"
check_match "key expiring: days and date" "expires in 5 day\\(s\\), on $exp" "$(sm mesh.tailscale)"

printf '30\n' >"$X/tailscale.exe/status_--json.sleep"
t0=$(date +%s%N)
replay_first "$X"
hv "$R/wsl2-mirrored" --timeout 0.5 doctor --json
t1=$(date +%s%N)
check_eq "hung CLI: fail" fail "$(st mesh.tailscale)"
check_match "hung CLI: the deadline" "no answer within 500 ms" "$(sm mesh.tailscale)"
check "hung CLI: doctor returns within 10 s (generous bound)" test $(((t1 - t0) / 1000000)) -lt 10000

rm -f "$X/tailscale.exe/status_--json.sleep"

# A wslinfo that hangs (WSL's own Linux program, whose answer decides the networking mode):
# the node says so and the mode is not guessed (mutation run 16: the ETIMEDOUT warning of
# wsl.c's run_first_line dropped lived: nothing said why the mode was unknown).
mkdir -p "$X/wslinfo"
printf '30\n' >"$X/wslinfo/--networking-mode.sleep"
cp "$W/mirrored/wslinfo/--networking-mode.out" "$X/wslinfo/"
replay_first "$X"
hv "$R/wsl2-mirrored" --timeout 0.5 doctor --json
check_match "hung wslinfo: node.input names it and the deadline" "(^|,)wslinfo: no answer within 500 ms(,|$)" \
	"$(jget '[.checks[]|select(.id=="node.input")|.summary]|join(",")')"
check_match "hung wslinfo: the mode is the configured one, said so" "^mirrored \\(configured;" "$(sm wsl.networking_mode)"
rm -rf "$X/wslinfo"
# One that cannot be run at all (its interpreter is not executable: execve's EACCES), said
# with the errno (mutation run 16's wsl.c:41, the "cannot run" warning dropped, lived).
fake_windows mirrored "${PROGS[@]}"
rm "$FAKE_BIN/wslinfo"
printf '#!%s\n' "$FAKE_BIN/.replay_dir" >"$FAKE_BIN/wslinfo"
chmod 755 "$FAKE_BIN/wslinfo"
hv "$R/wsl2-mirrored" doctor --json
check_match "wslinfo that cannot run: node.input says why" \
	"(^|,)wslinfo: cannot run: Permission denied(,|$)" \
	"$(jget '[.checks[]|select(.id=="node.input")|.summary]|join(",")')"
printf 'The Tailscale service is starting...\r\n{"BackendState":' >"$X/tailscale.exe/status_--json.out"
replay_first "$X"
hv "$R/wsl2-mirrored" doctor --json
check_eq "garbage output: a failure, not a crash" fail "$(st mesh.tailscale)"
check_match "garbage output: names the program" "unexpected output: $FAKE_BIN/tailscale.exe status --json:1: malformed JSON" "$(sm mesh.tailscale)"

# --- networking: NAT, configured mirrored but effective NAT, .wslconfig typo, UTF-16LE
doc wsl2-nat nat:mirrored
check_eq "NAT: warn" warn "$(st wsl.networking_mode)"
check_match "NAT: what still works and what not" "outbound NFS works .* not reachable from the mesh" "$(sm wsl.networking_mode)"
check_match "NAT: fix on the Windows side through setup wsl" "meshnfs setup wsl.*wsl --shutdown" "$(fx wsl.networking_mode)"
check_eq "NAT: .wslconfig without networkingMode" warn "$(st wsl.wslconfig)"
check_eq "NAT: ports not applicable" skip "$(st wsl.ports)"

doc wsl2-mirrored-fallback fallback:mirrored
check_eq "fallback: warn" warn "$(st wsl.networking_mode)"
check_match "fallback: the reason, measured" "configured mirrored, running NAT: Windows 10.0.19045.4717 \\(build 19045\\) has no mirrored networking" "$(sm wsl.networking_mode)"
check_eq "fallback: the file itself is fine" ok "$(st wsl.wslconfig)"

doc wsl2-wslconfig-typo nat:mirrored
check_eq "typo: warn" warn "$(st wsl.wslconfig)"
check_match "typo: file, line and right spelling" "/mnt/c/Users/alice/.wslconfig:3: \"networkMode\" is not a WSL setting.*spelt networkingMode" "$(sm wsl.wslconfig)"
check_match "typo: the misplaced distro setting too" ".wslconfig:6: \\[boot\\] systemd is a setting of the distro" "$(dt wsl.wslconfig)"
check_match "typo: exact fix" "line 3: write networkingMode=mirrored" "$(fx wsl.wslconfig)"

PROGS=(cmd.exe wslpath tailscale.exe netstat.exe) # this WSL has no wslinfo
REPLAY_LOG=$L/utf16 doc wsl2-utf16-wslconfig utf16:mirrored
PROGS=(wslinfo cmd.exe wslpath tailscale.exe netstat.exe)
check_match "UTF-16LE: %USERPROFILE% asked through interop" "cmd.exe /c echo %USERPROFILE%"$'\n'"wslpath -u C:\\\\Users\\\\dave" "$(cat "$L/utf16")"
check_eq "UTF-16LE: the Windows host's Tailscale answered" ok "$(st mesh.tailscale)"
check_eq "UTF-16LE: read" ok "$(st wsl.wslconfig)"
check_match "UTF-16LE: encoding and line" "dave/.wslconfig:4: \\[wsl2\\] networkingMode=mirrored \\(utf-16le-bom, CRLF\\)" "$(sm wsl.wslconfig)"
check_eq "UTF-16LE: mirrored confirmed by the host's mesh address" ok "$(st wsl.networking_mode)"
check_match "UTF-16LE: says how it knows" "configured; the host's mesh address 100.64.0.5" "$(sm wsl.networking_mode)"

# --- systemd off with the guide's NFS line in fstab
doc wsl2-systemd-off mirrored
check_eq "systemd off: warn" warn "$(st wsl.systemd)"
check_match "systemd off: the NFS line and the stall" "100.64.0.1:/opt/shared on /opt/shared.*stall the distro's start" "$(sm wsl.systemd)"
check_match "systemd off: fix" "sets \\[boot\\] systemd=true in /etc/wsl.conf" "$(fx wsl.systemd)"

# --- port collision: smbd and xrdp inside, SMB and RDP on Windows
doc wsl2-port-collision port-collision:mirrored
check_eq "ports: warn" warn "$(st wsl.ports)"
check_match "ports: the colliding ports" "same port\\(s\\) as this distro: 445, 3389" "$(sm wsl.ports)"
check_match "ports: PID 4 explained" "port 445: WSL2 listens on 0.0.0.0:445, Windows PID 4 on 0.0.0.0:445 \\(System" "$(dt wsl.ports)"
check_no_match "ports: loopback 8080 inside is not a collision" "8080" "$(dt wsl.ports)"

# --- stale identity: the guide's topology table
doc wsl2-stale-identity stale-identity:mirrored
check_eq "stale identity: warn" warn "$(st wsl.stale_identity)"
check_match "stale identity: both addresses" "office-one \\(100.64.0.3\\) besides the Windows host \\(100.64.0.4\\)" "$(sm wsl.stale_identity)"
check_match "stale identity: Headscale command" "headscale nodes delete --identifier 3" "$(fx wsl.stale_identity)"
check_eq "stale identity: the host itself is fine" ok "$(st mesh.tailscale)"

# --- native Linux: the local tailscale CLI (recordings of a Linux node)
fake_windows linux-running tailscale
hv "$R/debian12" doctor --json
check_match "Linux: the local CLI is asked" "^Tailscale: the node key of iKuai expired on 2025-04-29T14:56:43Z" "$(sm mesh.tailscale)"
check_match "Linux: fix on this node" "on this node.*with sudo" "$(fx mesh.tailscale)"
check_empty "Linux: no wsl.* checks" 2 "$(jget '[.checks[].id|select(startswith("wsl."))]|join(",")')"
fake_windows linux-down tailscale
hv "$R/debian12" doctor --json
check_match "Linux, daemon down: the CLI's own words" "exited with status 1: Failed to connect to local Tailscale daemon" "$(sm mesh.tailscale)"
check_match "Linux, daemon down: fix" "systemctl enable --now tailscaled" "$(fx mesh.tailscale)"

# --- variants made from the healthy root at run time
variant() { # NAME: a fresh copy of the healthy root in $V
	mk_tmpdir V
	cp -a "$R/wsl2-mirrored/." "$V/"
}
docv() { # ROOT SCENARIO PROGRAMS...
	local root=$1 scn=$2; shift 2
	fake_windows "$scn" "$@"
	hv "$root" doctor --json
}

variant
printf '[boot]\nsystemd=true\n[interop]\nenabled=false\n' >"$V/etc/wsl.conf"
docv "$V" mirrored "${PROGS[@]}"
check_eq "interop off in wsl.conf: fail" fail "$(st wsl.interop)"
check_match "interop off in wsl.conf: fix in the distro, then restart from Windows" "enabled=true.*under \\[interop\\].*wsl --shutdown" "$(fx wsl.interop)"

variant
printf 'disabled\ninterpreter /init\nflags: PF\noffset 0\nmagic 4d5a\n' >"$V/proc/sys/fs/binfmt_misc/WSLInterop"
docv "$V" mirrored "${PROGS[@]}"
check_eq "binfmt entry disabled: fail" fail "$(st wsl.interop)"
check_eq "binfmt entry disabled: fix" "echo 1 | sudo tee /proc/sys/fs/binfmt_misc/WSLInterop" "$(fx wsl.interop)"

variant
mkdir -p "$V/var/run/tailscale" && : >"$V/var/run/tailscale/tailscaled.sock"
docv "$V" mirrored "${PROGS[@]}"
check_eq "left-over tailscaled socket: warn" warn "$(st wsl.tailscaled)"

variant
docv "$V" mirrored wslinfo cmd.exe wslpath netstat.exe # no tailscale.exe anywhere
check_eq "no Tailscale for Windows: fail" fail "$(st mesh.tailscale)"
check_match "no Tailscale for Windows: install it on Windows" "tailscale.com/download/windows.*--login-server" "$(fx mesh.tailscale)"

variant
mkdir -p "$V/mnt/c/Program Files/Tailscale"
ln -s "$TOP/tests/lib/replay" "$V/mnt/c/Program Files/Tailscale/tailscale.exe"
echo "$W/mirrored" >"$V/mnt/c/Program Files/Tailscale/.replay_dir"
docv "$V" mirrored wslinfo cmd.exe wslpath netstat.exe
check_eq "Tailscale for Windows at its fixed path (the root seen as this machine)" "/mnt/c/Program Files/Tailscale/tailscale.exe" "$(jget .tailscale.cli)"
check_eq "fixed path: answered" ok "$(st mesh.tailscale)"
