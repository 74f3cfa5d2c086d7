#!/usr/bin/env bash
# The main job on a built-in default: what meshnfs sees of this machine. `meshnfs env` opens
# no sockets, so it is safe to run in the machine's own network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
M=build/meshnfs
echo "== meshnfs env (this machine)"
"$M" env || true
echo
echo "== meshnfs env on a recorded WSL2 node (fixture root, Windows side replayed)"
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
for p in wslinfo cmd.exe wslpath; do ln -s "$PWD/tests/lib/replay" "$fake/$p"; done
REPLAY_DIR=$PWD/tests/fixtures/windows/mirrored PATH="$fake:/usr/sbin:/usr/bin:/sbin:/bin" \
	"$M" --root "$PWD/tests/fixtures/roots/wsl2-mirrored" env || true
