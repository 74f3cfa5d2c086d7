# shellcheck shell=bash
# The lab: a mesh in network namespaces, for end-to-end tests, the demo and the benchmark.
#
#   . tests/lab/lib.sh
#   lab_up [CLIENTS]          # switch + server "srv" + clients "c1".."cN" + ganesha
#   lab_exec c1 meshnfs probe 100.64.0.1
#   lab_fault hung; ...; lab_heal
#   lab_down                  # also runs by itself on exit (trap, or tap.sh's at_exit)
#
# Topology: one namespace per host, each joined by a veth pair to a bridge in a "switch"
# namespace (underlay 198.18.0.0/24, inside the benchmarking range 198.18.0.0/15), each host
# running wireguard-go (mesh 100.64.0.0/10, full mesh of peers), the server running
# nfs-ganesha in the foreground that exports a directory of this run as Pseudo /opt/shared to
# 100.64.0.0/10. Server 100.64.0.1, clients 100.64.0.3, .4, ... (as the guide's table).
#
# Everything is per run: namespaces mnfs-lab-ID-HOST, interfaces with the run's id in their name
# (wireguard-go's control socket /var/run/wireguard/IFNAME.sock is machine-wide, so interface
# names are unique machine-wide; <= 15 chars), the directory /tmp/mnfs-lab-ID (claimed by
# mkdir, so concurrent runs never share an id). Only the processes this run started are
# stopped, by pid (checked against /proc/PID/cmdline, so a recycled pid is never hit).
# Readiness is polled (wireguard's socket, ganesha's log), never waited for by fixed sleeps.
#
# Later tests add hosts with lab_host_add NAME MESH_ADDR (e.g. a Windows stand-in), more mesh
# addresses on a host with lab_addr_add HOST ADDR... and lab_route_add HOST PREFIX... (many
# nodes on one host, or addresses nobody answers), and daemons inside a host with lab_daemon
# HOST NAME CMD... (e.g. an sshd): lab_down stops them.
# State lives in $LAB_DIR/state, so the CLI (tests/lab/lab.sh) can act on a running lab.

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_SERVER_MESH=100.64.0.1
LAB_PSEUDO=/opt/shared
LAB_MESH_RANGE=100.64.0.0/10
LAB_WG_PORT=51820
LAB_READY_TIMEOUT=${LAB_READY_TIMEOUT:-15}

# A lab brought up by another process is found through $LAB_DIR in the environment.
declare -g LAB_ENV_DIR=${LAB_DIR:-}
declare -g LAB_ID="" LAB_DIR="" LAB_SWITCH="" LAB_UP=0
declare -ga LAB_HOSTS=()
declare -gA LAB_NS=() LAB_WG=() LAB_MESH=() LAB_UNDER=() LAB_PUB=() LAB_PRIV=() LAB_PIDS=()
declare -gA LAB_PIDCMD=() LAB_TAP=()
# Extra mesh prefixes routed to a host (lab_route_add), space-separated per host.
declare -gA LAB_ROUTES=()
# ganesha's configuration: the healthy baseline, changed by faults.
declare -g LAB_G_PATH="" LAB_G_ACCESS=RW LAB_G_SQUASH=No_Root_Squash LAB_G_CLIENTS=$LAB_MESH_RANGE
declare -g LAB_G_GRACELESS=true LAB_FAULT=none LAB_EXPORT="" LAB_EXPORT2=""
declare -g LAB_G_NUMERIC=true
# LAB_G_MORE: more of ganesha's configuration after the export (e.g. a second EXPORT block),
# for the server's ganesha and the gateways added while it is set.
# LAB_G_BIND: the one address ganesha listens on (Bind_addr), or empty for all of them (set it
# before lab_up, e.g. when the server host holds many addresses standing for other nodes).
declare -g LAB_G_BIND=${LAB_G_BIND:-}
declare -ga LAB_STOPPED=()
# Hosts whose namespace holds the nft table of a fault (lab_nft).
declare -ga LAB_NFT=()

lab_log() { [ -n "${LAB_VERBOSE:-}" ] && printf 'lab: %s\n' "$*" >&2; return 0; }
lab_die() { printf 'lab: %s\n' "$*" >&2; return 1; }

# lab_ms: a monotonic-enough clock in milliseconds, for measurements.
lab_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# lab_poll SECONDS CMD...: runs CMD until it succeeds, every 10 ms, for at most SECONDS.
lab_poll() {
	local deadline=$(($(lab_ms) + ${1%.*} * 1000)); shift
	until "$@"; do
		[ "$(lab_ms)" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# A run id of 5 hex digits, claimed atomically with its directory.
lab_claim_id() {
	local i id
	for i in 1 2 3 4 5 6 7 8 9 10; do
		id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
		id=${id:0:5}
		compgen -G "/var/run/wireguard/mw$id*" >/dev/null && continue
		ip netns list 2>/dev/null | grep -q "^mnfs-lab-$id-" && continue
		if mkdir -m 0755 "/tmp/mnfs-lab-$id" 2>/dev/null; then
			LAB_ID=$id
			LAB_DIR=/tmp/mnfs-lab-$id
			return 0
		fi
	done
	lab_die "cannot claim a run id"
}

lab_save() {
	[ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ] || return 0
	declare -p LAB_ID LAB_DIR LAB_SWITCH LAB_UP LAB_HOSTS LAB_NS LAB_WG LAB_MESH LAB_UNDER \
		LAB_PUB LAB_PRIV LAB_PIDS LAB_PIDCMD LAB_TAP LAB_ROUTES LAB_G_PATH LAB_G_ACCESS \
		LAB_G_SQUASH LAB_G_CLIENTS LAB_G_GRACELESS LAB_G_NUMERIC LAB_G_BIND LAB_FAULT LAB_EXPORT LAB_EXPORT2 \
		LAB_STOPPED LAB_NFT LAB_CEPH_DIR LAB_CEPH_CONF LAB_CEPH_KEYRING LAB_CEPH_ADMIN LAB_CEPH_MON \
		LAB_CEPH_MS LAB_CEPH_GWS LAB_CEPH_FSID LAB_CEPH_OSD |
		sed -e 's/^declare -- /declare -g /' -e 's/^declare -\([aAix]*\) /declare -g\1 /' \
			>"$LAB_DIR/state.new" && mv "$LAB_DIR/state.new" "$LAB_DIR/state"
}

# lab_load [DIR]: picks up a lab brought up by another process (the CLI); DIR defaults to
# $LAB_DIR as it was in the environment when this library was sourced.
lab_load() {
	local d=${1:-$LAB_ENV_DIR}
	[ -n "$d" ] && [ -f "$d/state" ] || { lab_die "${d:-\$LAB_DIR}: no lab state there"; return 1; }
	# shellcheck disable=SC1091
	. "$d/state"
}

# lab_state FILE: the state letter of a /proc/PID/status or /proc/PID/task/TID/status file
# (R, S, D, T, t, Z, ...); empty when it cannot be read.
lab_state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$1" 2>/dev/null; }

# lab_pid_alive PID CMDPART: the process exists, is not a zombie, and is ours.
lab_pid_alive() {
	local st
	[ -r "/proc/$1/status" ] || return 1
	st=$(lab_state "/proc/$1/status")
	[ "$st" != Z ] && [ -n "$st" ] || return 1
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$2"
}

# lab_daemon HOST NAME CMD...: starts CMD in HOST's namespace in the background, its output
# in $LAB_DIR/NAME.out, and records its pid; lab_down (or lab_stop NAME) stops it.
lab_daemon() {
	local host=$1 name=$2; shift 2
	local ns=${LAB_NS[$host]:?unknown host $host}
	# ip netns exec and env exec the command: $! is the daemon's own pid.
	ip netns exec "$ns" "$@" </dev/null >>"$LAB_DIR/$name.out" 2>&1 &
	LAB_PIDS[$name]=$!
	# The command line to recognise it by: the last argument (an interface name, a pid file
	# of this run) is specific to this run.
	LAB_PIDCMD[$name]=${*: -1}
	lab_save
}

# lab_stop NAME [SIGNAL]: stops one daemon of this run and waits until it is gone (5 s, then
# SIGKILL). A stopped (SIGSTOP) process is continued so that it can act on the signal.
# Once signalled, the pid alone is watched, not its command line: a ceph-mds that the monitor
# fences while it stops re-executes itself ("we have been blocklisted (fenced),
# respawning..."), same pid, and for a moment has no command line. The old poll took that
# moment for its end, skipped the SIGKILL, and `wait` then blocked on the respawned MDS for
# ever (ceph/gateway.sh at check 21, under stress-ng --cpu 2 --io 1, 2026-12-07).
lab_stop() {
	local name=$1 sig=${2:-TERM} pid=${LAB_PIDS[$1]:-} cmd=${LAB_PIDCMD[$1]:-}
	[ -n "$pid" ] || return 0
	if lab_pid_alive "$pid" "$cmd"; then
		kill "-$sig" "$pid" 2>/dev/null
		kill -CONT "$pid" 2>/dev/null
		if ! lab_poll 5 lab_pid_ended "$pid"; then
			kill -KILL "$pid" 2>/dev/null
			lab_poll 5 lab_pid_ended "$pid"
		fi
		if ! lab_pid_ended "$pid"; then
			lab_die "$name (pid $pid) is still running 5 s after SIGKILL"
			return 1
		fi
	fi
	# Reaps it when it is our child; never blocks (what still runs is not ours: see above).
	lab_pid_ended "$pid" && wait "$pid" 2>/dev/null
	unset "LAB_PIDS[$name]" "LAB_PIDCMD[$name]"
	lab_save
}
lab_pid_gone() { ! lab_pid_alive "$1" "$2"; }
# lab_pid_ended PID: a zombie, or no such process (whatever its command line). The state is
# read first and the directory looked at after: a zombie reaped in between is gone then.
lab_pid_ended() {
	local st
	st=$(lab_state "/proc/$1/status")
	[ "$st" = Z ] || { [ -z "$st" ] && [ ! -d "/proc/$1" ]; }
}

# lab_signal NAME SIG: sends a signal to one of this run's daemons.
lab_signal() {
	local pid=${LAB_PIDS[$1]:-}
	[ -n "$pid" ] && lab_pid_alive "$pid" "${LAB_PIDCMD[$1]}" || { lab_die "$1 is not running"; return 1; }
	kill "-$2" "$pid"
}

# lab_stop_signal NAME: SIGSTOP to one of this run's daemons, returning once every thread of
# it is stopped (a group stop completes after kill returns: on a loaded machine a test that
# looked at once saw ganesha still running, stress run 3 of 2026-12-07, e2e/lab.sh check 14).
lab_all_stopped() {
	local t st
	for t in /proc/"$1"/task/*/status; do
		st=$(lab_state "$t")
		[ "$st" = T ] || [ "$st" = t ] || return 1
	done
}
lab_stop_signal() {
	lab_signal "$1" STOP || return 1
	lab_poll 10 lab_all_stopped "${LAB_PIDS[$1]}" || { lab_die "$1 did not stop"; return 1; }
}

lab_ns() { printf '%s\n' "${LAB_NS[$1]:?unknown host $1}"; }
lab_mesh() { printf '%s\n' "${LAB_MESH[$1]:?unknown host $1}"; }

# lab_exec HOST CMD...: runs CMD inside HOST's namespace.
lab_exec() {
	local ns=${LAB_NS[$1]:?unknown host $1}; shift
	ip netns exec "$ns" "$@"
}

lab_init() {
	[ -z "$LAB_ID" ] || { lab_die "a lab is already up in this shell ($LAB_ID)"; return 1; }
	lab_claim_id || return 1
	if declare -F at_exit >/dev/null; then
		at_exit lab_down
	elif [ -z "${LAB_NO_TRAP:-}" ]; then
		# (Further signals do not cut the teardown short: see tests/lib/tap.sh's _t_exit.)
		trap 'trap : INT TERM HUP; lab_down' EXIT
		trap 'exit 130' INT TERM HUP
	fi
	mkdir -p "$LAB_DIR/keys"
	LAB_SWITCH=mnfs-lab-$LAB_ID-sw
	ip netns add "$LAB_SWITCH" || return 1
	ip -n "$LAB_SWITCH" link add "mb$LAB_ID" type bridge || return 1
	ip -n "$LAB_SWITCH" link set "mb$LAB_ID" up
	ip -n "$LAB_SWITCH" link set lo up
	LAB_UP=1
	lab_save
}

# lab_allowed HOST: the mesh prefixes routed to HOST, comma-separated (its address, then
# the prefixes lab_route_add gave it).
lab_allowed() {
	local list="${LAB_MESH[$1]}/32" r
	for r in ${LAB_ROUTES[$1]:-}; do list+=",$r"; done
	printf '%s\n' "$list"
}

# lab_wg_peer_conf HOST: the [Peer] section others use for HOST.
lab_wg_peer_conf() {
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s:%s\n' \
		"${LAB_PUB[$1]}" "$(lab_allowed "$1")" "${LAB_UNDER[$1]}" "$LAB_WG_PORT"
}

# lab_route_add HOST PREFIX...: every other host sends PREFIX (mesh addresses, e.g.
# 100.64.16.0/22 or 100.64.0.100/32) through its tunnel to HOST. Addresses of the prefix that
# HOST does not hold (lab_addr_add) are routed there and dropped: peers that never answer.
lab_route_add() {
	local h=$1 p; shift
	[ -n "${LAB_WG[$h]:-}" ] || { lab_die "$h: not a mesh host"; return 1; }
	LAB_ROUTES[$h]="${LAB_ROUTES[$h]:-} $*"
	for p in "${LAB_HOSTS[@]}"; do
		[ "$p" != "$h" ] && [ -n "${LAB_PUB[$p]:-}" ] || continue
		ip netns exec "${LAB_NS[$p]}" wg set "${LAB_WG[$p]}" peer "${LAB_PUB[$h]}" \
			allowed-ips "$(lab_allowed "$h")" || return 1
	done
	lab_save
}

# lab_route_veth HOST PREFIX...: every other host (with a namespace and a mesh address) sends
# HOST's mesh address and PREFIX (e.g. 100.64.64.0/18) to HOST over the underlay (its veth and
# the switch's bridge) instead of the tunnel, from its own mesh address (the export admits
# the mesh range), and HOST answers it the same way: a path with no WireGuard at all, for
# benchmarks that measure status and ganesha, not the mesh (bench/status-scale.sh
# --no-tunnel). Addresses of PREFIX that HOST does not hold (lab_addr_add) are dropped there
# unanswered (a namespace does not forward). Undone by lab_down.
lab_route_veth() {
	local h=$1 p r; shift
	[ -n "${LAB_NS[$h]:-}" ] && [ -n "${LAB_WG[$h]:-}" ] || { lab_die "$h: not a mesh host"; return 1; }
	for p in "${LAB_HOSTS[@]}"; do
		[ "$p" != "$h" ] && [ -n "${LAB_NS[$p]}" ] && [ -n "${LAB_WG[$p]}" ] || continue
		for r in "${LAB_MESH[$h]}/32" "$@"; do
			ip -n "${LAB_NS[$p]}" route add "$r" via "${LAB_UNDER[$h]}" dev "mv$LAB_ID$p" \
				src "${LAB_MESH[$p]}" || return 1
		done
		ip -n "${LAB_NS[$h]}" route add "${LAB_MESH[$p]}/32" via "${LAB_UNDER[$p]}" \
			dev "mv$LAB_ID$h" src "${LAB_MESH[$h]}" || return 1
	done
}

# lab_addr_add HOST ADDR...: more mesh addresses on HOST's WireGuard interface (one `ip
# -batch` for any number). Other hosts reach them once a lab_route_add covers them.
lab_addr_add() {
	local h=$1 a; shift
	[ -n "${LAB_WG[$h]:-}" ] || { lab_die "$h: not a mesh host"; return 1; }
	for a in "$@"; do printf 'address add %s/32 dev %s\n' "$a" "${LAB_WG[$h]}"; done |
		ip -n "${LAB_NS[$h]}" -batch -
}

# lab_host_add NAME MESH_ADDR: a new host (namespace, veth to the switch, wireguard-go with
# MESH_ADDR/10, peered with every host already there). NAME: 1-4 of [a-z0-9]. MESH_ADDR "-"
# makes a host on the underlay only (198.18.0.100 and up), off the mesh.
lab_host_add() {
	local h=$1 mesh=$2 ns ifw ifv ifb under
	lab_host_check "$h" || return 1
	ns=mnfs-lab-$LAB_ID-$h
	ifw=mw$LAB_ID$h ifv=mv$LAB_ID$h ifb=mp$LAB_ID$h
	if [ "$mesh" = - ]; then
		under=198.18.0.$((100 + ${#LAB_HOSTS[@]}))
		ifw=""
	else
		under=198.18.0.${mesh##*.}
	fi
	LAB_NS[$h]=$ns LAB_WG[$h]=$ifw LAB_MESH[$h]=$mesh LAB_UNDER[$h]=$under
	LAB_HOSTS+=("$h")
	lab_save
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	ip link add "$ifv" netns "$ns" type veth peer name "$ifb" netns "$LAB_SWITCH" || return 1
	ip -n "$LAB_SWITCH" link set "$ifb" master "mb$LAB_ID" up
	ip -n "$ns" addr add "$under/24" dev "$ifv"
	ip -n "$ns" link set "$ifv" up
	[ -n "$ifw" ] || return 0

	lab_daemon "$h" "wg-$h" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifw"
	lab_poll "$LAB_READY_TIMEOUT" test -S "/var/run/wireguard/$ifw.sock" ||
		{ lab_die "wireguard-go $ifw did not come up"; cat "$LAB_DIR/wg-$h.out" >&2; return 1; }
	lab_wg_keys "$h" || return 1
	ip netns exec "$ns" wg setconf "$ifw" "$LAB_DIR/keys/$h.conf" || return 1
	ip -n "$ns" addr add "$mesh/10" dev "$ifw"
	ip -n "$ns" link set "$ifw" up
	lab_wg_announce "$h"
}

# lab_host_check NAME: NAME is a valid host name (1-4 of [a-z0-9]) not taken yet.
lab_host_check() {
	[[ $1 =~ ^[a-z0-9]{1,4}$ ]] || { lab_die "host name '$1': 1-4 of [a-z0-9]"; return 1; }
	[[ " ${LAB_HOSTS[*]} " != *" $1 "* ]] || { lab_die "host $1 exists"; return 1; }
}

# lab_wg_keys NAME: a key pair for NAME and its WireGuard configuration
# $LAB_DIR/keys/NAME.conf: private key, listen port, a [Peer] for every other host with keys.
lab_wg_keys() {
	local h=$1 p conf=$LAB_DIR/keys/$1.conf
	LAB_PRIV[$h]=$(wg genkey) || return 1
	LAB_PUB[$h]=$(printf '%s\n' "${LAB_PRIV[$h]}" | wg pubkey) || return 1
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "${LAB_PRIV[$h]}" "$LAB_WG_PORT"
		for p in "${LAB_HOSTS[@]}"; do
			[ "$p" != "$h" ] && [ -n "${LAB_PUB[$p]:-}" ] && lab_wg_peer_conf "$p"
		done
	} >"$conf"
	chmod 600 "$conf"
	lab_save
}

# lab_wg_announce NAME: every other host on the mesh learns NAME as a peer. (A tap host,
# lab_host_tap, has no namespace here: it knows only the hosts added before it.)
lab_wg_announce() {
	local h=$1 p
	for p in "${LAB_HOSTS[@]}"; do
		[ "$p" != "$h" ] && [ -n "${LAB_PUB[$p]:-}" ] && [ -n "${LAB_NS[$p]}" ] || continue
		ip netns exec "${LAB_NS[$p]}" wg set "${LAB_WG[$p]}" peer "${LAB_PUB[$h]}" \
			allowed-ips "${LAB_MESH[$h]}/32" endpoint "${LAB_UNDER[$h]}:$LAB_WG_PORT" || return 1
	done
	lab_save
}

# lab_host_tap NAME MESH_ADDR: a host that is not a namespace of the lab but a machine of its
# own (a VM): a tap device LAB_TAP[NAME] on the switch's bridge, for a program started in the
# switch's namespace (lab_switch_exec) to open, e.g. qemu's `-netdev tap,ifname=...`; the
# underlay address 198.18.0.<last byte of MESH_ADDR> in LAB_UNDER[NAME], keys, and every host
# already there peered with it. The host's whole WireGuard configuration (private key, listen
# port, a [Peer] for every other host) is $LAB_DIR/keys/NAME.conf, for `wg setconf` on that
# host; it runs WireGuard itself (a kernel's module or wireguard-go) with MESH_ADDR/10.
# Add it last: hosts added later are not in its configuration. It has no namespace:
# lab_exec does not reach it. lab_down deletes its tap with the switch.
lab_host_tap() {
	local h=$1 mesh=$2 tap
	lab_host_check "$h" || return 1
	tap=mt$LAB_ID$h
	LAB_NS[$h]="" LAB_WG[$h]="" LAB_MESH[$h]=$mesh LAB_UNDER[$h]=198.18.0.${mesh##*.}
	LAB_TAP[$h]=$tap
	LAB_HOSTS+=("$h")
	lab_save
	ip -n "$LAB_SWITCH" tuntap add dev "$tap" mode tap || return 1
	ip -n "$LAB_SWITCH" link set "$tap" master "mb$LAB_ID" up || return 1
	lab_wg_keys "$h" && lab_wg_announce "$h"
}

# lab_switch_exec CMD...: runs CMD in the switch's namespace (where tap hosts' taps are).
lab_switch_exec() { ip netns exec "$LAB_SWITCH" "$@"; }

# The ganesha configuration for the current LAB_G_* settings.
lab_ganesha_conf() {
	cat <<EOF
NFS_CORE_PARAM {
	Protocols = 4;
	Enable_UDP = false;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	NFS_Port = 2049;${LAB_G_BIND:+
	Bind_addr = $LAB_G_BIND;}
}
NFSv4 {
	RecoveryRoot = "$LAB_DIR/recovery";
	Graceless = $LAB_G_GRACELESS;
	Only_Numeric_Owners = $LAB_G_NUMERIC;
}
NFS_KRB5 {
	Active_krb5 = false;
}
EXPORT {
	Export_Id = 1;
	Path = "$LAB_G_PATH";
	Pseudo = "$LAB_PSEUDO";
	Protocols = 4;
	Transports = TCP;
	Access_Type = None;
	Squash = $LAB_G_SQUASH;
	Anonymous_Uid = 65534;
	Anonymous_Gid = 65534;
	SecType = sys;
	FSAL {
		Name = VFS;
	}
	CLIENT {
		Clients = $LAB_G_CLIENTS;
		Access_Type = $LAB_G_ACCESS;
		Protocols = 4;
	}
}
${LAB_G_MORE:-}
EOF
}

# lab_ganesha_start: starts ganesha on the server with the current settings; returns when its
# log says it is serving (or fails with the log's tail).
lab_ganesha_start() {
	local log=$LAB_DIR/ganesha.log n
	lab_ganesha_conf >"$LAB_DIR/ganesha.conf"
	# A fresh recovery directory each time: old client records would force a grace period
	# (which is what the grace fault wants: LAB_KEEP_RECOVERY=1).
	if [ -z "${LAB_KEEP_RECOVERY:-}" ]; then
		rm -rf "$LAB_DIR/recovery"
		mkdir -p "$LAB_DIR/recovery"
	fi
	n=$(cat "$log" 2>/dev/null | grep -c 'NFS SERVER INITIALIZED')
	lab_daemon srv ganesha ganesha.nfsd -F -f "$LAB_DIR/ganesha.conf" -L "$log" \
		-p "$LAB_DIR/ganesha.pid"
	if ! lab_poll "$LAB_READY_TIMEOUT" lab_ganesha_ready "$n"; then
		lab_die "ganesha did not start"
		tail -n 20 "$log" >&2
		return 1
	fi
}
lab_ganesha_ready() {
	local c
	c=$(grep -c 'NFS SERVER INITIALIZED' "$LAB_DIR/ganesha.log" 2>/dev/null)
	[ "${c:-0}" -gt "$1" ] && return 0
	lab_pid_alive "${LAB_PIDS[ganesha]}" "${LAB_PIDCMD[ganesha]}" || return 2
	return 1
}
lab_ganesha_stop() { lab_stop ganesha TERM; }
lab_ganesha_restart() { lab_ganesha_stop && lab_ganesha_start; }

# lab_export_make: $LAB_EXPORT made afresh (a new inode: handles to the old one are stale),
# world-writable, with a README.
lab_export_make() {
	case $LAB_EXPORT in "$LAB_DIR"/export) ;; *) lab_die "no lab export to make"; return 1 ;; esac
	rm -rf "$LAB_EXPORT"
	mkdir -m 0777 "$LAB_EXPORT" || return 1
	chmod 0777 "$LAB_EXPORT"
	echo "the lab's export" >"$LAB_EXPORT/README"
}

# lab_up [CLIENTS]: the whole mesh: switch, server, CLIENTS clients (default 1), ganesha.
lab_up() {
	local n=${1:-1} i t0
	t0=$(lab_ms)
	lab_init || return 1
	LAB_EXPORT=$LAB_DIR/export LAB_EXPORT2=$LAB_DIR/export-moved
	lab_export_make || return 1
	mkdir -p "$LAB_EXPORT2"
	chmod 0777 "$LAB_EXPORT2"
	LAB_G_PATH=$LAB_EXPORT
	lab_host_add srv "$LAB_SERVER_MESH" || return 1
	for ((i = 1; i <= n; i++)); do
		lab_host_add "c$i" "100.64.0.$((i + 2))" || return 1
	done
	lab_ganesha_start || return 1
	LAB_UP_MS=$(($(lab_ms) - t0))
	lab_save
	lab_log "up in ${LAB_UP_MS} ms: $LAB_DIR"
}

# lab_fault NAME: injects one fault (after healing any other):
#   hung         ganesha stopped by SIGSTOP: TCP still accepted, NFS silent
#   offline      the server's wireguard-go stopped by SIGSTOP: SYNs dropped
#   refused      ganesha not running: connection refused
#   moved        ganesha restarted with another Path for the same Pseudo. A client that has
#                it mounted gets no stale handles (measured in tests/vm: its handles name the
#                old directory, which still exists, and ganesha goes on serving it); a new
#                mount sees the new directory
#   recreated    the export directory deleted and made again (empty but for its README) while
#                ganesha is stopped, then ganesha started: every file handle a client holds is
#                stale (ESTALE) until it mounts again; heal has nothing to undo
#   not_allowed  the export's CLIENT range no longer holds the clients (100.64.0.1/32)
#   read_only    Access_Type = RO
#   root_squash  Squash = Root_Squash on a world-writable export: root's files owned by 65534
#   perm_denied  Squash = Root_Squash on an export only root may write: creates fail (EACCES)
#   grace        ganesha restarted without Graceless: creates fail with NFS4ERR_GRACE (~90 s)
#   idmap        Only_Numeric_Owners = false: ganesha names owners user@domain (a client that
#                maps no names, libnfs, sees nobody: 65534)
#   mtu [N]      an MTU black hole below the mesh: the server's nft drops, in and out, the
#                underlay's WireGuard packets longer than N bytes (default 1200), and sends no
#                ICMP back. Small packets pass (ping, TCP handshakes, the NULL call, the mount);
#                a tunnelled packet of more than N - 60 bytes vanishes (a full-size write)
#   filtered     the server's nft drops TCP to port 2049 (SYNs vanish); ICMP still answered
#   rejected     the server's nft rejects TCP to port 2049 with ICMP admin-prohibited
lab_fault() {
	local f=$1
	lab_heal || return 1
	case $f in
	hung) lab_stop_signal ganesha && LAB_STOPPED+=(ganesha) ;;
	offline) lab_stop_signal wg-srv && LAB_STOPPED+=(wg-srv) ;;
	refused) lab_ganesha_stop ;;
	moved) LAB_G_PATH=$LAB_EXPORT2; lab_ganesha_restart ;;
	recreated) lab_ganesha_stop && lab_export_make && lab_ganesha_start ;;
	not_allowed) LAB_G_CLIENTS=$LAB_SERVER_MESH/32; lab_ganesha_restart ;;
	read_only) LAB_G_ACCESS=RO; lab_ganesha_restart ;;
	root_squash) LAB_G_SQUASH=Root_Squash; chmod 1777 "$LAB_EXPORT"; lab_ganesha_restart ;;
	perm_denied) LAB_G_SQUASH=Root_Squash; chmod 0755 "$LAB_EXPORT"; lab_ganesha_restart ;;
	grace) lab_grace_seed && LAB_G_GRACELESS=false && LAB_KEEP_RECOVERY=1 lab_ganesha_restart ;;
	idmap) LAB_G_NUMERIC=false; lab_ganesha_restart ;;
	mtu)
		[[ ${2:-1200} =~ ^[0-9]+$ ]] || { lab_die "mtu: N must be a number of bytes"; return 1; }
		lab_nft srv "udp dport $LAB_WG_PORT meta length gt ${2:-1200} drop" input output ;;
	filtered) lab_nft srv "tcp dport 2049 drop" input ;;
	rejected) lab_nft srv "tcp dport 2049 reject with icmpx type admin-prohibited" input ;;
	*) lab_die "unknown fault '$f' (hung offline refused moved recreated not_allowed read_only root_squash perm_denied grace idmap mtu filtered rejected)"; return 1 ;;
	esac || return 1
	LAB_FAULT=$f
	lab_save
}

# lab_nft HOST RULE HOOK...: RULE in a filter chain on each HOOK (input, output) of HOST's
# namespace, in the table mnfs_lab (lab_heal deletes it). Recipe: NOTES.md, "Network faults
# below NFS with nft" (no inline { ...; } blocks on stdin).
lab_nft() {
	local h=$1 rule=$2 hook; shift 2
	[ -n "${LAB_NS[$h]:-}" ] || { lab_die "$h: no namespace for nft"; return 1; }
	lab_exec "$h" nft add table inet mnfs_lab || return 1
	for hook in "$@"; do
		lab_exec "$h" nft add chain inet mnfs_lab "$hook" \
			"{ type filter hook $hook priority 0 ; }" || return 1
		# shellcheck disable=SC2086 # the rule is words for nft
		lab_exec "$h" nft add rule inet mnfs_lab "$hook" $rule || return 1
	done
	LAB_NFT+=("$h")
}

# lab_grace_seed: makes sure ganesha's recovery directory records a client (one that has
# opened a file), so that a restart without Graceless has clients to wait for: a grace
# period. The first client host writes a file with libnfs's nfs-cp; the file is removed.
lab_grace_seed() {
	local rec=$LAB_DIR/recovery/v4recov/node0 h seed
	[ -n "$(ls -A "$rec" 2>/dev/null)" ] && return 0
	for h in "${LAB_HOSTS[@]}"; do [ "$h" != srv ] && [ -n "${LAB_NS[$h]}" ] && break; done
	seed=$LAB_DIR/grace-seed
	echo seed >"$seed"
	lab_exec "$h" timeout 10 nfs-cp "$seed" \
		"nfs://$LAB_SERVER_MESH$LAB_PSEUDO/.lab-grace-seed?version=4" >/dev/null ||
		{ lab_die "grace: $h could not write through ganesha"; return 1; }
	rm -f "$LAB_G_PATH/.lab-grace-seed"
	[ -n "$(ls -A "$rec" 2>/dev/null)" ] || { lab_die "grace: ganesha recorded no client"; return 1; }
}

# lab_heal: back to the healthy baseline (continues stopped daemons, restarts ganesha with
# the baseline configuration if it was changed or stopped).
lab_heal() {
	local n restart=0
	for n in "${LAB_STOPPED[@]}"; do lab_signal "$n" CONT; done
	LAB_STOPPED=()
	for n in "${LAB_NFT[@]}"; do
		lab_exec "$n" nft delete table inet mnfs_lab 2>/dev/null
	done
	LAB_NFT=()
	if [ "$LAB_G_PATH" != "$LAB_EXPORT" ] || [ "$LAB_G_ACCESS" != RW ] ||
		[ "$LAB_G_SQUASH" != No_Root_Squash ] || [ "$LAB_G_CLIENTS" != "$LAB_MESH_RANGE" ] ||
		[ "$LAB_G_GRACELESS" != true ] || [ "$LAB_G_NUMERIC" != true ]; then
		restart=1
	fi
	LAB_G_PATH=$LAB_EXPORT LAB_G_ACCESS=RW LAB_G_SQUASH=No_Root_Squash
	LAB_G_CLIENTS=$LAB_MESH_RANGE LAB_G_GRACELESS=true LAB_G_NUMERIC=true
	chmod 0777 "$LAB_EXPORT"
	if [ -z "${LAB_PIDS[ganesha]:-}" ]; then
		lab_ganesha_start || return 1
	elif [ $restart = 1 ]; then
		lab_ganesha_restart || return 1
	fi
	LAB_FAULT=none
	lab_save
}

# lab_down: stops this run's processes (by pid), deletes its namespaces, sockets and files.
# Safe to call twice and on a half-built lab.
lab_down() {
	[ -n "$LAB_ID" ] || return 0
	local n h
	lab_ceph_down
	for n in "${!LAB_PIDS[@]}"; do
		[ "${n#wg-}" = "$n" ] && lab_stop "$n"
	done
	for n in "${!LAB_PIDS[@]}"; do lab_stop "$n"; done
	for h in "${LAB_HOSTS[@]}"; do
		[ -n "${LAB_NS[$h]}" ] && ip netns del "${LAB_NS[$h]}" 2>/dev/null
		[ -n "${LAB_WG[$h]}" ] && rm -f "/var/run/wireguard/${LAB_WG[$h]}.sock"
	done
	[ -n "$LAB_SWITCH" ] && ip netns del "$LAB_SWITCH" 2>/dev/null
	case $LAB_DIR in /tmp/mnfs-lab-?????) rm -rf "$LAB_DIR" ;; esac
	LAB_ID="" LAB_DIR="" LAB_SWITCH="" LAB_UP=0 LAB_HOSTS=()
	LAB_NS=() LAB_WG=() LAB_MESH=() LAB_UNDER=() LAB_PUB=() LAB_PRIV=() LAB_PIDS=() LAB_PIDCMD=()
	LAB_ROUTES=() LAB_TAP=() LAB_STOPPED=() LAB_NFT=()
	return 0
}

# A Ceph cluster and FSAL_CEPH gateways: lab_ceph_up, lab_ceph_down (tests/lab/ceph.sh).
# shellcheck source=tests/lab/ceph.sh
. "$LAB_TOP/tests/lab/ceph.sh"
