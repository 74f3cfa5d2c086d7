# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# The guest side of the VM harness: sourced by a guest script running as PID 1 (the host's
# bash, seen through the 9p root). /run/vm is the writable share the host reads:
#   /run/vm/env         written by the host before boot (addresses, export, paths), sourced here
#   /run/vm/out/NAME    events the guest publishes (KEY=VALUE lines), atomically
#   /run/vm/req/NAME    requests from the host (g_wait_req)
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

# g_wait_req NAME SECONDS: waits for the host's request NAME; 1 on timeout.
g_wait_req() {
	local i n=$(($2 * 10))
	for ((i = 0; i < n; i++)); do
		[ -e "$G_SHARE/req/$1" ] && return 0
		sleep 0.1
	done
	g_log "no request \"$1\" from the host within $2 s"
	return 1
}

# g_req_get NAME KEY: a value the host passed with request NAME.
g_req_get() { sed -n "s/^$2=//p" "$G_SHARE/req/$1" 2>/dev/null | head -n 1; }

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

# g_start: the guest's own hostname, loopback and network (virtio_net and the mesh address on
# eth0), then "booted" with the kernel's uptime.
g_start() {
	trap 'g_fail "guest script exited early (status $?)"' EXIT
	hostname meshnfs-vm
	ip link set lo up
	modprobe virtio_net || g_fail "modprobe virtio_net failed"
	local dev='' d i
	for ((i = 0; i < 50; i++)); do
		for d in /sys/class/net/*; do
			[ "${d##*/}" = lo ] || { dev=${d##*/}; break; }
		done
		[ -n "$dev" ] && break
		sleep 0.1
	done
	[ -n "$dev" ] || g_fail "no network device"
	ip addr add "$VM_GUEST_ADDR/$VM_MESH_PREFIX" dev "$dev" || g_fail "ip addr add failed"
	ip link set "$dev" up || g_fail "ip link set up failed"
	G_DEV=$dev # the guest's network device, for guest scripts
	export G_DEV
	g_say booted "uptime=$(cut -d' ' -f1 /proc/uptime)" "kernel=$(uname -r)" "dev=$dev"
}

# g_bounded_stat PATH SECONDS: stat PATH in a child with a deadline, never blocking longer.
# Sets G_RESULT (ok, error or hung), G_STATE (the child's State: line when hung), G_WCHAN,
# G_ERR (stat's message), G_MS (how long the check took). A hung child is killed, not waited
# for beyond a short grace.
g_bounded_stat() {
	local path=$1 limit=$(($2 * 1000)) t0 pid err
	err=$(mktemp)
	t0=$(g_now_ms)
	stat "$path" >/dev/null 2>"$err" &
	pid=$!
	G_RESULT='' G_STATE='' G_WCHAN='' G_ERR=''
	while kill -0 "$pid" 2>/dev/null; do
		# A finished child is a zombie until waited for: that is not "still running".
		grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && break
		if (($(g_now_ms) - t0 >= limit)); then
			G_RESULT=hung
			G_STATE=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
			G_WCHAN=$(cat "/proc/$pid/wchan" 2>/dev/null)
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	G_MS=$(($(g_now_ms) - t0))
	if [ -z "$G_RESULT" ]; then
		if wait "$pid"; then G_RESULT=ok; else G_RESULT=error; fi
		G_ERR=$(head -n 1 "$err")
	fi
	rm -f "$err"
}
