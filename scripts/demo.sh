#!/usr/bin/env bash
# The main job on a built-in default: a mesh in network namespaces (tests/lab: real
# wireguard-go, real nfs-ganesha exporting /opt/shared to 100.64.0.0/10), and `meshnfs probe`,
# `meshnfs doctor` and `meshnfs status` run from a client host of it, healthy and under
# faults. Everything runs inside the lab's namespaces (never in this machine's own network),
# and the lab is torn down on every exit path, Ctrl-C included. Needs root.
set -uo pipefail
cd "$(dirname "$0")/.."
M=$PWD/build/meshnfs
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces); try: sudo make demo" >&2; exit 1; }
. tests/lab/lib.sh

# Bold and dim only on a terminal, never with NO_COLOR (as meshnfs itself).
B="" D="" N=""
if [ -t 1 ] && [ -z "${NO_COLOR+x}" ] && [ "${TERM:-}" != dumb ]; then
	B=$'\033[1m' D=$'\033[2m' N=$'\033[0m'
fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
on_c1() { printf '%s[c1 100.64.0.3]$ %s%s\n' "$D" "$*" "$N"; lab_exec c1 "$@"; }

say "bringing up the lab: server 100.64.0.1 (nfs-ganesha), client c1 100.64.0.3, c2 100.64.0.4 (a Windows host's stand-in), wireguard-go between"
lab_up 2 || { echo "demo: the lab did not come up" >&2; exit 1; }
cat >"$LAB_DIR/demo.conf" <<'CONF'
[nodes]
sfspark1 = 100.64.0.1 server
laptop = 100.64.0.3 client
office-one = 100.64.0.4 windows
office-distro = 100.64.0.4 wsl2
old-phone = 100.64.0.7
CONF
echo "up in ${LAB_UP_MS} ms (namespaces mnfs-lab-$LAB_ID-*, removed at the end)"

say "what kind of node c1 is"
on_c1 "$M" env

say "healthy mesh: the ladder, step by step"
on_c1 "$M" probe 100.64.0.1:/opt/shared
say "healthy mesh: doctor"
on_c1 "$M" doctor
say "healthy mesh: every node at once (meshnfs status; nodes from [nodes], old-phone is offline)"
on_c1 "$M" --config "$LAB_DIR/demo.conf" --timeout 2 status

say "fault 1: the NFS server hangs (ganesha stopped with SIGSTOP; its kernel still accepts TCP)"
lab_fault hung
on_c1 nc -zv -w 2 100.64.0.1 2049
echo "(the guide's nc check says the server is fine; meshnfs:)"
on_c1 "$M" --timeout 2 probe 100.64.0.1
on_c1 "$M" --timeout 2 doctor
on_c1 "$M" --config "$LAB_DIR/demo.conf" --timeout 2 status

say "fault 2: the server's peer goes offline (its wireguard-go stopped: packets dropped)"
lab_fault offline
on_c1 "$M" --timeout 2 probe 100.64.0.1

say "fault 3: the export no longer allows this client (CLIENT range without 100.64.0.3)"
lab_fault not_allowed
on_c1 "$M" probe 100.64.0.1

say "fault 4: root squash on an export only root may write"
lab_fault perm_denied
on_c1 "$M" doctor

say "tearing down"
t0=$(lab_ms)
lab_down
echo "down in $(($(lab_ms) - t0)) ms"

say "meshnfs env on a recorded WSL2 node (fixture root, Windows side replayed)"
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
for p in wslinfo cmd.exe wslpath; do ln -s "$PWD/tests/lib/replay" "$fake/$p"; done
REPLAY_DIR=$PWD/tests/fixtures/windows/mirrored PATH="$fake:/usr/sbin:/usr/bin:/sbin:/bin" \
	"$M" --root "$PWD/tests/fixtures/roots/wsl2-mirrored" env || true
