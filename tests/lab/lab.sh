#!/usr/bin/env bash
# The lab from the command line (the library is tests/lab/lib.sh; run as root).
#
#   tests/lab/lab.sh run [-n CLIENTS] CMD...   up, run CMD (LAB_DIR exported), down: always
#   eval "$(tests/lab/lab.sh up [-n CLIENTS])"  up, and leave it running: prints export LAB_DIR=...
#   tests/lab/lab.sh exec HOST CMD...           in a host's namespace (srv, c1, ...)
#   tests/lab/lab.sh fault NAME [ARG] | heal    inject a fault / back to healthy
#   tests/lab/lab.sh status                     hosts, addresses, pids, current fault
#   tests/lab/lab.sh down                       stop its processes, delete everything
#
# Commands after `up` find the lab through $LAB_DIR (or --dir DIR before the command).
# Faults: hung offline refused moved recreated not_allowed read_only root_squash perm_denied
# grace idmap mtu [N] filtered rejected.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "$here/lib.sh"
dir=$LAB_ENV_DIR

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
}

if [ "${1:-}" = --dir ]; then dir=${2:-}; shift 2; fi
cmd=${1:-}; [ -n "$cmd" ] || usage; shift
[ "$(id -u)" = 0 ] || { echo "lab: needs root (network namespaces)" >&2; exit 1; }

clients=1
if [ "${1:-}" = -n ]; then clients=${2:?-n needs a number}; shift 2; fi

load() {
	[ -n "$dir" ] || { echo "lab: no lab: set LAB_DIR or use --dir (from 'lab.sh up')" >&2; exit 1; }
	lab_load "$dir" || exit 1
}

case $cmd in
run)
	[ $# -gt 0 ] || usage
	lab_up "$clients" || exit 1
	export LAB_DIR
	"$@"
	;;
up)
	LAB_NO_TRAP=1
	trap 'lab_down; exit 130' INT TERM
	if ! lab_up "$clients"; then lab_down; exit 1; fi
	echo "export LAB_DIR=$LAB_DIR"
	echo "lab: up in $LAB_UP_MS ms: hosts ${LAB_HOSTS[*]}; 'tests/lab/lab.sh down' removes it" >&2
	;;
down)
	load
	lab_down
	;;
fault)
	[ $# = 1 ] || [ $# = 2 ] || usage
	load
	lab_fault "$@"
	;;
heal)
	load
	lab_heal
	;;
exec)
	[ $# -ge 2 ] || usage
	load
	lab_exec "$@"
	;;
status)
	load
	printf 'lab %s in %s, fault: %s\n' "$LAB_ID" "$LAB_DIR" "$LAB_FAULT"
	for h in "${LAB_HOSTS[@]}"; do
		printf '  %-4s ns %-16s mesh %-12s underlay %-12s wg %s\n' "$h" "${LAB_NS[$h]:-(tap ${LAB_TAP[$h]:-})}" \
			"${LAB_MESH[$h]}" "${LAB_UNDER[$h]}" "${LAB_WG[$h]}"
	done
	for n in "${!LAB_PIDS[@]}"; do
		st=running
		lab_pid_alive "${LAB_PIDS[$n]}" "${LAB_PIDCMD[$n]}" || st=gone
		printf '  %-8s pid %-7s %s\n' "$n" "${LAB_PIDS[$n]}" "$st"
	done
	;;
*) usage ;;
esac
