# shellcheck shell=bash
# Shared by the benchmarks (run from the top of the tree).

# bench_machine: "Measured DATE on HOST: CPU, N CPUs, Linux RELEASE", the start of every table's
# caption.
bench_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	printf 'Measured %s on %s: %s, %s CPUs, Linux %s' "$(date -u +%Y-%m-%d)" "$(uname -n)" \
		"$cpu" "$(nproc)" "$(uname -r)"
}

# bench_write NAME TEXT: TEXT replaces what lies between <!-- NAME:begin --> and
# <!-- NAME:end --> in bench/README.md.
bench_write() {
	local f=bench/README.md
	awk -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" -v t="$2" '
		$0 == b { print; print t; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$f" >"$f.new" && mv "$f.new" "$f"
	echo "bench: table written to $f" >&2
}

# median N...: the median of the numbers (the lower one of the middle two for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# bench_check_nodes: root, a built $MESHNFS, NODES in 2..4000 and SILENT < NODES, or exit.
bench_check_nodes() {
	[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
	[ -x "$MESHNFS" ] || { echo "bench: build first (make)" >&2; exit 1; }
	[ "$NODES" -ge 2 ] && [ "$NODES" -le 4000 ] && [ "$SILENT" -lt "$NODES" ] ||
		{ echo "bench: NODES in 2..4000, SILENT < NODES" >&2; exit 1; }
}

# bench_probe_lab [--write]: the start shared by the probe benchmarks (run as root): MESHNFS
# (default build/meshnfs), CUT (default 30 s for a manual command), write=1 with --write, the
# lab with one client up and SRV its server's mesh address; or exit.
bench_probe_lab() {
	MESHNFS=${MESHNFS:-$PWD/build/meshnfs}
	CUT=${CUT:-30}
	write=0
	[ "${1:-}" = --write ] && write=1
	[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
	[ -x "$MESHNFS" ] || { echo "bench: build first (make)" >&2; exit 1; }
	lab_up 1 >/dev/null || { echo "bench: the lab did not come up" >&2; exit 1; }
	SRV=$LAB_SERVER_MESH
}

# bench_lab_up: the lab (one client) and $T, a directory of this run, or exit.
bench_lab_up() {
	lab_up 1 >/dev/null || { echo "bench: the lab did not come up" >&2; exit 1; }
	T=$LAB_DIR/bench
	mkdir -p "$T"
}

# bench_addrs N: addrs=(N mesh addresses from 100.64.16.0/20, skipping .0 and .255 of each
# /24), for the lab's server to hold or route (lab_addr_add, lab_route_add srv 100.64.16.0/20).
bench_addrs() {
	local i o3 o4
	addrs=()
	for ((i = 0; ${#addrs[@]} < $1; i++)); do
		o3=$((16 + i / 256)) o4=$((i % 256))
		[ "$o4" = 0 ] || [ "$o4" = 255 ] && continue
		addrs+=("100.64.$o3.$o4")
	done
}
