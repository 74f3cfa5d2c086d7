# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# The guest side of the VM harness: sourced by a guest script running as PID 1 (the host's
# bash, seen through the 9p root). /run/vm is the writable share the host reads:
#   /run/vm/env         written by the host before boot (addresses, export, paths), sourced here
#   /run/vm/out/NAME    events the guest publishes (KEY=VALUE lines), atomically
#   /run/vm/req/N.sh    requests from the host (g_agent)
#   /run/vm/wg.conf     the WireGuard configuration the lab wrote for this host (g_start)
#   /run/vm/guest.log   everything the guest logs
# A guest script calls g_start first and g_poweroff last; any unexpected exit publishes
# "fatal" and powers off, so the host never waits for a guest that is gone.
G_SHARE=/run/vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=/dev/null
. "$G_SHARE/env"

g_now_ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "${t:0:-3}"; }

g_log() { printf '[%s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$*" | tee -a "$G_SHARE/guest.log" >/dev/console; }

# g_say NAME [KEY=VALUE...]: publishes event NAME.
g_say() {
	local name=$1; shift
	printf '%s\n' "$@" >"$G_SHARE/out/.$name"
	mv -f "$G_SHARE/out/.$name" "$G_SHARE/out/$name"
	g_log "event $name $*"
}

# g_fail MESSAGE: publishes "fatal" and powers off.
g_fail() {
	g_say fatal "message=$*"
	g_poweroff
}

g_poweroff() {
	trap - EXIT
	sync
	umount "$G_SHARE" 2>/dev/null
	/bin/busybox poweroff -f
	sleep 10
}

# g_nap SECONDS: sleeps without a fork (a read with a timeout on a FIFO nobody writes to).
g_nap() {
	if [ -z "${G_NAP_FD:-}" ]; then
		mkfifo /run/g-nap 2>/dev/null
		exec {G_NAP_FD}<>/run/g-nap
	fi
	read -r -t "$1" -u "$G_NAP_FD" _
	return 0
}

# g_start: the guest's own hostname, loopback and network, then "booted" with the kernel's
# uptime. The network is a lab host's: the underlay address on the virtio NIC (a port of the
# lab's switch), and the kernel's own WireGuard on wg0 with the mesh address and the
# configuration the lab wrote for this host (the host's `wg` through the 9p root).
g_start() {
	trap 'g_fail "guest script exited early (status $?)"' EXIT
	hostname meshnfs-vm
	ip link set lo up
	modprobe virtio_net || g_fail "modprobe virtio_net failed"
	local dev='' d i t0
	for ((i = 0; i < 50; i++)); do
		for d in /sys/class/net/*; do
			[ "${d##*/}" = lo ] || { dev=${d##*/}; break; }
		done
		[ -n "$dev" ] && break
		sleep 0.1
	done
	[ -n "$dev" ] || g_fail "no network device"
	ip addr add "$VM_UNDER_ADDR/$VM_UNDER_PREFIX" dev "$dev" || g_fail "ip addr add failed"
	ip link set "$dev" up || g_fail "ip link set up failed"
	G_DEV=$dev # the guest's network device, for guest scripts
	export G_DEV
	t0=$(g_now_ms)
	modprobe wireguard || g_fail "modprobe wireguard failed"
	ip link add wg0 type wireguard || g_fail "ip link add wg0 type wireguard failed"
	wg setconf wg0 "$VM_WG_CONF" || g_fail "wg setconf wg0 $VM_WG_CONF failed"
	ip addr add "$VM_GUEST_ADDR/$VM_MESH_PREFIX" dev wg0 || g_fail "mesh address on wg0 failed"
	ip link set wg0 up || g_fail "ip link set wg0 up failed"
	g_say booted "uptime=$(cut -d' ' -f1 /proc/uptime)" "kernel=$(uname -r)" "dev=$dev" \
		"wg_ms=$(($(g_now_ms) - t0))"
}

# g_agent: runs the host's requests one after the other, for ever (tests/vm/lib/vm.sh's
# vm_exec, vm_bg...). Request N is /run/vm/req/N.sh (N = 1, 2, ...), bash that sets op, name,
# limit and argv; its answer is /run/vm/out/N (KEY=VALUE lines, written last and atomically)
# with N.out and N.err, the command's output. Nothing here blocks on a command: commands run
# in the background and are watched with a deadline; one still running at its deadline is
# reported with its state and wait channel (the evidence of a hung mount), SIGKILLed and left
# behind.
#   op=run       argv, at most limit seconds: rc=, ms=; or hung=1 state= wchan= ms=
#   op=bg        argv started in the background as job name: pid=
#   op=state     job name: ended=0|1, state=, wchan=, ms= (since it started), rc= when done
#   op=wait      job name, at most limit seconds: ended=0|1, rc=, ms= (from its start to its end)
#   op=poweroff  the answer, then the VM powers off
g_agent() {
	local n=1 req op name limit argv
	declare -gA G_JOB_PID=() G_JOB_T0=() G_JOB_RC=() G_JOB_T1=()
	while :; do
		req=$G_SHARE/req/$n.sh
		while [ ! -e "$req" ]; do g_nap 0.03; done
		op='' name='' limit=60 argv=()
		# shellcheck source=/dev/null
		. "$req"
		g_log "request $n: $op $name ${argv[*]}"
		case $op in
		run) g_agent_run "$n" "$limit" ;;
		bg) g_agent_bg "$n" "$name" ;;
		state) g_agent_state "$n" "$name" ;;
		wait) g_agent_wait "$n" "$name" "$limit" ;;
		poweroff) g_answer "$n" "uptime=$(cut -d' ' -f1 /proc/uptime)"; g_poweroff ;;
		*) g_answer "$n" "error=unknown op '$op'" ;;
		esac
		n=$((n + 1))
	done
}

# g_answer N KEY=VALUE...: the answer to request N.
g_answer() {
	local n=$1; shift
	printf '%s\n' "$@" >"$G_SHARE/out/.$n"
	mv -f "$G_SHARE/out/.$n" "$G_SHARE/out/$n"
}

# g_proc PID: "STATE WCHAN" of a live process, STATE "gone" when it has exited.
g_proc() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	case $st in '' | Z) echo gone ;; *) echo "$st $(cat "/proc/$1/wchan" 2>/dev/null)" ;; esac
}

g_agent_run() {
	local n=$1 limit=$(($2 * 1000)) t0 pid s rc
	t0=$(g_now_ms)
	"${argv[@]}" </dev/null >"$G_SHARE/out/$n.out" 2>"$G_SHARE/out/$n.err" &
	pid=$!
	while :; do
		s=$(g_proc "$pid")
		[ "$s" = gone ] && break
		if (($(g_now_ms) - t0 >= limit)); then
			kill -KILL "$pid" 2>/dev/null
			g_answer "$n" hung=1 "state=${s%% *}" "wchan=${s#* }" "ms=$(($(g_now_ms) - t0))" \
				"pid=$pid"
			return
		fi
		g_nap 0.02
	done
	wait "$pid"
	rc=$?
	g_answer "$n" "rc=$rc" "ms=$(($(g_now_ms) - t0))" "pid=$pid"
}

g_agent_bg() {
	local n=$1 name=$2
	G_JOB_T0[$name]=$(g_now_ms)
	"${argv[@]}" </dev/null >"$G_SHARE/out/$name.out" 2>"$G_SHARE/out/$name.err" &
	G_JOB_PID[$name]=$!
	unset "G_JOB_RC[$name]" "G_JOB_T1[$name]"
	g_answer "$n" "pid=${G_JOB_PID[$name]}"
}

# g_job_reap NAME: when job NAME has ended, its status and end time are recorded.
g_job_reap() {
	local name=$1 pid=${G_JOB_PID[$1]}
	[ -n "${G_JOB_RC[$name]:-}" ] && return 0
	[ "$(g_proc "$pid")" = gone ] || return 1
	G_JOB_T1[$name]=$(g_now_ms)
	wait "$pid"
	G_JOB_RC[$name]=$?
}

g_agent_state() {
	local n=$1 name=$2 s
	[ -n "${G_JOB_PID[$name]:-}" ] || { g_answer "$n" "error=no job $name"; return; }
	if g_job_reap "$name"; then
		g_answer "$n" ended=1 "rc=${G_JOB_RC[$name]}" "ms=$((G_JOB_T1[$name] - G_JOB_T0[$name]))"
		return
	fi
	s=$(g_proc "${G_JOB_PID[$name]}")
	g_answer "$n" ended=0 "state=${s%% *}" "wchan=${s#* }" "ms=$(($(g_now_ms) - G_JOB_T0[$name]))"
}

g_agent_wait() {
	local n=$1 name=$2 limit=$(($3 * 1000)) t0
	[ -n "${G_JOB_PID[$name]:-}" ] || { g_answer "$n" "error=no job $name"; return; }
	t0=$(g_now_ms)
	until g_job_reap "$name"; do
		if (($(g_now_ms) - t0 >= limit)); then
			g_agent_state "$n" "$name"
			return
		fi
		g_nap 0.02
	done
	g_agent_state "$n" "$name"
}
