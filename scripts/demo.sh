#!/usr/bin/env bash
# The main job on a built-in default: a mesh in network namespaces (tests/lab: real
# wireguard-go, real nfs-ganesha exporting /opt/shared to 100.64.0.0/10), and `meshnfs probe`
# and `meshnfs doctor` run from a client host of it, healthy and under faults. Everything
# runs inside the lab's namespaces (never in this machine's own network), and the lab is torn
# down on every exit path, Ctrl-C included. Needs root.
set -uo pipefail
cd "$(dirname "$0")/.."
M=$PWD/build/meshnfs
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces); try: sudo make demo" >&2; exit 1; }
. tests/lab/lib.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
on_c1() { printf '\033[2m[c1 100.64.0.3]$ %s\033[0m\n' "$*"; lab_exec c1 "$@"; }

say "bringing up the lab: server 100.64.0.1 (nfs-ganesha), client c1 100.64.0.3, wireguard-go between"
lab_up 1 || { echo "demo: the lab did not come up" >&2; exit 1; }
echo "up in ${LAB_UP_MS} ms (namespaces mnfs-lab-$LAB_ID-*, removed at the end)"

say "what kind of node c1 is"
on_c1 "$M" env

say "healthy mesh: the ladder, step by step"
on_c1 "$M" probe 100.64.0.1:/opt/shared
say "healthy mesh: doctor"
on_c1 "$M" doctor

say "fault 1: the NFS server hangs (ganesha stopped with SIGSTOP; its kernel still accepts TCP)"
lab_fault hung
on_c1 nc -zv -w 2 100.64.0.1 2049
echo "(the guide's nc check says the server is fine; meshnfs:)"
on_c1 "$M" --timeout 2 probe 100.64.0.1
on_c1 "$M" --timeout 2 doctor

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
