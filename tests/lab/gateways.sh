# shellcheck shell=bash
# Several gateways for one share in the lab (issue 15): more hosts, each running its own
# nfs-ganesha (FSAL_VFS) that exports the SAME directory of the run ($LAB_EXPORT) as Pseudo
# /opt/shared, so data written through one gateway reads back through another. (The CephFS
# version, ganesha with FSAL_CEPH in front of one cluster, is the Ceph lab's.) Source after
# tests/lab/lib.sh, call after lab_up; lab_down stops them with the rest (by pid).
#
#   lab_gateway_add NAME MESH_ADDR   a host NAME (lab_host_add) with ganesha "ganesha-NAME"
#   lab_gateway_kill NAME            SIGKILL to that ganesha (the server process gone)
#
# srv (100.64.0.1) with the lab's own ganesha is the first gateway.

# lab_gateway_add NAME MESH_ADDR: returns when the new ganesha serves (its log says so).
lab_gateway_add() {
	local h=$1 addr=$2 conf log
	lab_host_add "$h" "$addr" || return 1
	conf=$LAB_DIR/ganesha-$h.conf log=$LAB_DIR/ganesha-$h.log
	mkdir -p "$LAB_DIR/recovery-$h"
	# The lab's configuration, its own recovery directory (client records are per gateway).
	lab_ganesha_conf | sed "s|RecoveryRoot = .*|RecoveryRoot = \"$LAB_DIR/recovery-$h\";|" >"$conf"
	lab_daemon "$h" "ganesha-$h" ganesha.nfsd -F -f "$conf" -L "$log" -p "$LAB_DIR/ganesha-$h.pid"
	lab_poll "$LAB_READY_TIMEOUT" lab_gateway_ready "$h" ||
		{ lab_die "ganesha on $h did not start"; tail -n 20 "$log" >&2; return 1; }
}
lab_gateway_ready() {
	grep -q 'NFS SERVER INITIALIZED' "$LAB_DIR/ganesha-$1.log" 2>/dev/null && return 0
	lab_pid_alive "${LAB_PIDS[ganesha-$1]}" "${LAB_PIDCMD[ganesha-$1]}" || return 2
	return 1
}

# lab_gateway_kill NAME: the gateway's ganesha killed (SIGKILL, by its pid), gone when it
# returns. NAME "srv" is the lab's own ganesha.
lab_gateway_kill() {
	local name=ganesha-$1
	[ "$1" = srv ] && name=ganesha
	[ -n "${LAB_PIDS[$name]:-}" ] || { lab_die "$name is not running"; return 1; }
	lab_stop "$name" KILL
}
