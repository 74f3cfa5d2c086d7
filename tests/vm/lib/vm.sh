# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# The VM harness (host side): Debian's own kernel in qemu as a real Linux NFS client, one more
# host of the lab's mesh (tests/lab/lib.sh). Source it after tests/lib/tap.sh. Each function:
#   vm_require            the packages are there (qemu, kernel with nfsv4, busybox-static)
#   vm_accel              KVM only when it really works (vmx/svm in /proc/cpuinfo), else TCG
#   vm_initramfs          a tiny initramfs (busybox-static + virtio/9p/overlay modules and
#                         lib/init), built at test time, cached in build/vm/ by kernel version
#                         and content
#   vm_lab_up             the lab (server srv with wireguard-go and nfs-ganesha, clients), and
#                         a tap on its switch with WireGuard keys and peers for the guest
#   vm_boot SCRIPT        qemu in the switch's namespace, host / read-only over 9p, the checkout
#                         read-only over 9p at its own path, a writable share for results and
#                         requests, SCRIPT as the guest's PID 1, a deadline
#   vm_guest_sees PATH    whether the guest sees PATH (the checkout, or host files outside the
#                         guest's own /tmp, /run, /proc, /sys, /dev)
#   vm_wait, vm_get, vm_step   events the guest publishes (booted, fatal) through the share
#   vm_exec, vm_bg, vm_bg_state, vm_bg_wait   commands in a guest running lib/guest-agent.sh
# Faults are the lab's: lab_fault hung|offline|refused|recreated|..., lab_heal.
# Everything it creates is removed on every exit path (tap.sh's at_exit): qemu stopped by pid,
# then the lab torn down (its processes by pid, its namespaces), temporary files removed.
# Network: mesh (100.64.0.0/10) and underlay (198.18.0.0/24) addresses only, inside the lab's
# namespaces and the guest.

# shellcheck source=tests/lab/lib.sh
. "$TOP/tests/lab/lib.sh"

VM_DIR=$TOP/tests/vm/lib
# The checkout as the kernel names it (symbolic links resolved, as tap.sh's TOP): the guest
# mounts it there.
VM_TOP=$(cd "$TOP" && pwd -P)
VM_CACHE=${VM_CACHE:-$TOP/build/vm}
VM_DEADLINE=${VM_DEADLINE:-300}   # seconds: the whole VM, whatever happens inside
VM_MEM=${VM_MEM:-384}
VM_HOST=vm                        # the guest's name among the lab's hosts
VM_SERVER_ADDR=$LAB_SERVER_MESH
VM_GUEST_ADDR=${VM_GUEST_ADDR:-100.64.0.9}
VM_MESH_PREFIX=10
VM_UNDER_PREFIX=24
VM_PSEUDO=$LAB_PSEUDO
VM_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

# Milliseconds since the epoch (bash 5's EPOCHREALTIME, no fork).
vm_now_ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "${t:0:-3}"; }

# The kernel to boot: $VM_KERNEL, else the newest /boot/vmlinuz-* whose modules include nfsv4
# and wireguard.
vm_kernel_version() {
	local v k best=
	if [ -n "${VM_KERNEL:-}" ]; then
		printf '%s\n' "$VM_KERNEL"
		return
	fi
	for k in /boot/vmlinuz-*; do
		[ -f "$k" ] || continue
		v=${k#/boot/vmlinuz-}
		[ -n "$(find "/lib/modules/$v/kernel/fs/nfs" -name 'nfsv4.ko*' 2>/dev/null)" ] || continue
		[ -n "$(find "/lib/modules/$v/kernel/drivers/net/wireguard" -name 'wireguard.ko*' \
			2>/dev/null)" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n 1)
	done
	[ -n "$best" ] && printf '%s\n' "$best"
}

# vm_require: every piece is installed; otherwise one "not ok" naming what is missing and how
# to get it, and a non-zero return (the VM tests are part of the suite, never skipped).
vm_require() {
	local missing=() p
	for p in qemu-system-x86_64 ip ganesha.nfsd wireguard-go wg modprobe timeout jq; do
		command -v "$p" >/dev/null || missing+=("$p")
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		missing+=("static /bin/busybox")
	fi
	VM_KVER=$(vm_kernel_version)
	if [ -z "$VM_KVER" ] || [ ! -f "/boot/vmlinuz-$VM_KVER" ]; then
		missing+=("a kernel image with nfsv4 and wireguard modules")
	fi
	if [ ! -e /sbin/mount.nfs4 ]; then missing+=("mount.nfs4"); fi
	if [ ${#missing[@]} -gt 0 ]; then
		not_ok "VM prerequisites present"
		diag "missing: ${missing[*]}" "install them with: scripts/deps.sh vm lab test"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		not_ok "VM tests run as root (network namespaces, tap devices)"
		return 1
	fi
	return 0
}

# vm_accel: sets VM_ACCEL (kvm or tcg), VM_ACCEL_ARGS and VM_ACCEL_WHY. KVM only when the
# CPU has hardware virtualisation (vmx or svm) and /dev/kvm opens: a /dev/kvm that answers
# without them (PVM, as on this project's machines) creates VMs in which a stock kernel never
# reaches init. VM_ACCEL=tcg|kvm in the environment forces a choice.
vm_accel() {
	local hw=no
	grep -qwE 'vmx|svm' /proc/cpuinfo && hw=yes
	case ${VM_ACCEL:-auto} in
	tcg) VM_ACCEL_WHY="forced by VM_ACCEL=tcg" ;;
	kvm) VM_ACCEL_WHY="forced by VM_ACCEL=kvm" ;;
	*)
		if [ "$hw" = yes ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
			VM_ACCEL=kvm VM_ACCEL_WHY="vmx/svm in /proc/cpuinfo and /dev/kvm usable"
		elif [ -e /dev/kvm ]; then
			VM_ACCEL=tcg VM_ACCEL_WHY="/dev/kvm exists but /proc/cpuinfo has no vmx/svm (paravirtual KVM such as PVM cannot boot a stock kernel)"
		else
			VM_ACCEL=tcg VM_ACCEL_WHY="no /dev/kvm"
		fi
		;;
	esac
	if [ "$VM_ACCEL" = kvm ]; then
		VM_ACCEL_ARGS=(-accel kvm -cpu host)
	else
		VM_ACCEL_ARGS=(-accel tcg -cpu max)
	fi
}

# vm_initramfs: builds (or reuses) the initramfs for $VM_KVER; its path in VM_INITRAMFS.
# Cached under build/vm/ keyed by kernel version and a hash of what goes in (lib/init, the
# module files, busybox), so an edit or a package upgrade rebuilds it. Atomic: concurrent runs
# each write their own temporary and rename.
vm_initramfs() {
	local mods key stage m f out
	mods=$(modprobe -S "$VM_KVER" --show-depends -a "${VM_MODULES[@]}" 2>&1) || {
		diag "modprobe --show-depends failed for $VM_KVER:" "$mods"
		return 1
	}
	# Keep "insmod FILE" lines, first occurrence of each, in order (built-ins need nothing).
	mods=$(printf '%s\n' "$mods" | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
	key=$( { cat "$VM_DIR/init" "$VM_DIR/vm.sh" /bin/busybox; printf '%s\n' "$mods"; \
		for f in $mods; do cat "$f"; done; } | sha256sum | cut -c1-16)
	VM_INITRAMFS=$VM_CACHE/initramfs-$VM_KVER-$key.cpio
	[ -s "$VM_INITRAMFS" ] && return 0
	mkdir -p "$VM_CACHE"
	stage=$(mktemp -d "$VM_CACHE/stage.XXXXXX") || return 1
	mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$VM_DIR/init" "$stage/init"
	chmod 0755 "$stage/init"
	: >"$stage/modules.order"
	for f in $mods; do
		m=$(basename "$f")
		case $f in
		*.ko) cp "$f" "$stage/lib/modules/$m" ;;
		*.ko.xz) m=${m%.xz}; xz -dc "$f" >"$stage/lib/modules/$m" ;;
		*.ko.zst) m=${m%.zst}; zstd -qdc "$f" >"$stage/lib/modules/$m" ;;
		*.ko.gz) m=${m%.gz}; gzip -dc "$f" >"$stage/lib/modules/$m" ;;
		*) diag "unknown module file $f"; rm -rf "$stage"; return 1 ;;
		esac || { rm -rf "$stage"; return 1; }
		echo "$m" >>"$stage/modules.order"
	done
	out=$(mktemp "$VM_CACHE/initramfs.XXXXXX")
	# Uncompressed: the kernel unpacks it faster under TCG than it would decompress it.
	if ! (cd "$stage" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) >"$out"; then
		rm -rf "$stage" "$out"
		return 1
	fi
	rm -rf "$stage"
	mv -f "$out" "$VM_INITRAMFS"
	# Older builds of the same kernel are of no use any more.
	find "$VM_CACHE" -maxdepth 1 -name "initramfs-$VM_KVER-*.cpio" ! -name "${VM_INITRAMFS##*/}" \
		-mmin +60 -delete 2>/dev/null
	return 0
}

# vm_lab_up [CLIENTS]: the server side: the lab (tests/lab/lib.sh: a switch, the server "srv"
# with wireguard-go and nfs-ganesha exporting $LAB_EXPORT as /opt/shared to 100.64.0.0/10, and
# CLIENTS client namespaces c1.., default 1), and the guest as one more host of that mesh:
# a tap on the lab's switch (underlay 198.18.0.<last byte>/24) and WireGuard peers on every
# host. The guest runs the kernel's own WireGuard (Debian's kernel has the module) with the
# configuration the lab wrote for it, copied into the share: its NFS traffic to 100.64.0.1
# leaves from its mesh address inside the tunnel, so the lab's faults (a hung ganesha, the
# server's wireguard-go stopped = an offline peer, ganesha stopped = refused) are what the
# guest's kernel meets. Sets VM_NS (the switch's namespace, where qemu runs), VM_TAP,
# VM_EXPORT, VM_TMP, VM_SHARE.
vm_lab_up() {
	lab_up "${1:-1}" || return 1
	vm_tap_up
}

# vm_tap_up: the guest as one more host of a lab already up (vm_lab_up's second half, for a
# test that adds its own hosts first: a tap host must come last, it knows only the hosts added
# before it).
vm_tap_up() {
	lab_host_tap "$VM_HOST" "$VM_GUEST_ADDR" || return 1
	mk_tmpdir VM_TMP
	VM_SHARE=$VM_TMP/share
	mkdir -p "$VM_SHARE/out" "$VM_SHARE/req"
	install -m 0600 "$LAB_DIR/keys/$VM_HOST.conf" "$VM_SHARE/wg.conf" || return 1
	VM_NS=$LAB_SWITCH VM_TAP=${LAB_TAP[$VM_HOST]} VM_EXPORT=$LAB_EXPORT
	VM_UNDER_ADDR=${LAB_UNDER[$VM_HOST]}
}

# vm_guest_sees PATH: 0 when the guest sees PATH at the same path. The guest's root is the
# host's / (read-only, through 9p), but the guest mounts its own tmpfs on /tmp and /run and its
# own kernel filesystems on /proc, /sys and /dev, which hide the host's files there; the
# checkout ($TOP: a clone may live under /tmp, as CI's does) is shared on its own and mounted
# at its path after those, so everything in it stays visible wherever it lives. Otherwise 1,
# with a diagnostic naming PATH.
vm_guest_sees() {
	local p
	# Normalised but not resolved: the guest follows symbolic links in its own tree.
	p=$(realpath -m -s -- "$1")
	case $p/ in
	"$VM_TOP"/*) return 0 ;;
	/tmp/* | /run/* | /proc/* | /sys/* | /dev/*)
		diag "$1: the guest cannot see it (its /tmp, /run, /proc, /sys, /dev are its own; only the checkout $VM_TOP is shared there)"
		return 1
		;;
	esac
	return 0
}

# vm_boot SCRIPT [NAME=VALUE...]: boots the VM with SCRIPT (a path on the host, visible in the
# guest at the same path: vm_guest_sees) as PID 1. The NAME=VALUE pairs, and the
# harness's own (addresses, export, share), go to /run/vm/env for the guest to source.
# Sets VM_T0 (ms, just before qemu starts), VM_QEMU_JOB (the `timeout` process bounding qemu
# by VM_DEADLINE: SIGTERM then, SIGKILL 5 s later; timeout reaps qemu, no orphan), VM_CONSOLE.
vm_boot() {
	local script=$1 kv; shift
	vm_guest_sees "$script" && vm_guest_sees "$MESHNFS" || return 1
	# Both go on the kernel command line, which splits at blanks and treats quotes specially.
	case $VM_TOP$script in
	*[[:space:]\"]*)
		diag "$VM_TOP, $script: the kernel command line cannot carry blanks or quotes; use a checkout path without them"
		return 1
		;;
	esac
	vm_accel
	vm_initramfs || { diag "initramfs build failed"; return 1; }
	{
		printf 'VM_SERVER_ADDR=%q\nVM_GUEST_ADDR=%q\nVM_MESH_PREFIX=%q\n' \
			"$VM_SERVER_ADDR" "$VM_GUEST_ADDR" "$VM_MESH_PREFIX"
		printf 'VM_UNDER_ADDR=%q\nVM_UNDER_PREFIX=%q\nVM_WG_CONF=%q\n' \
			"$VM_UNDER_ADDR" "$VM_UNDER_PREFIX" /run/vm/wg.conf
		printf 'VM_PSEUDO=%q\nVM_ACCEL=%q\nVM_LIB=%q\nTOP=%q\n' \
			"$VM_PSEUDO" "$VM_ACCEL" "$VM_DIR" "$TOP"
		for kv in "$@"; do printf '%s=%q\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$VM_SHARE/env"
	VM_CONSOLE=$VM_TMP/console.log
	VM_T0=$(vm_now_ms)
	ip netns exec "$VM_NS" timeout -k 5 "$VM_DEADLINE" qemu-system-x86_64 \
		-name meshnfs-test -nodefaults -no-user-config -machine q35 "${VM_ACCEL_ARGS[@]}" \
		-m "$VM_MEM" -smp 1 -display none -monitor none -no-reboot \
		-serial "file:$VM_CONSOLE" -pidfile "$VM_TMP/qemu.pid" \
		-kernel "/boot/vmlinuz-$VM_KVER" -initrd "$VM_INITRAMFS" \
		-append "console=ttyS0 panic=-1 loglevel=4 meshnfs.top=$VM_TOP meshnfs.init=$script" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=${VM_TOP//,/,,},mount_tag=top,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$VM_SHARE,mount_tag=vmshare,security_model=none,multidevs=remap" \
		-netdev "tap,id=n0,ifname=$VM_TAP,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$(printf '52:54:00:6d:6e:%02x' "${VM_GUEST_ADDR##*.}")" \
		</dev/null >"$VM_TMP/qemu.out" 2>&1 &
	VM_QEMU_JOB=$!
	at_exit vm_kill
	return 0
}

# vm_alive: the VM (its bounding `timeout` and qemu) is still running.
vm_alive() { [ -n "${VM_QEMU_JOB:-}" ] && kill -0 "$VM_QEMU_JOB" 2>/dev/null; }

# vm_kill: stops qemu by pid: SIGTERM to the bounding timeout (which passes it on to qemu),
# SIGKILL to qemu's own pid if it is still there after 5 s.
vm_kill() {
	local job=${VM_QEMU_JOB:-} qpid i
	[ -n "$job" ] || return 0
	qpid=$(cat "$VM_TMP/qemu.pid" 2>/dev/null)
	kill -TERM "$job" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$job" 2>/dev/null || break
		sleep 0.05
	done
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -KILL "$qpid" 2>/dev/null
	fi
	kill -KILL "$job" 2>/dev/null
	wait "$job" 2>/dev/null
	VM_QEMU_JOB=
	return 0
}

# vm_wait_exit SECONDS: waits for the guest to power off by itself; 0 when it did. Sets
# VM_QEMU_RC.
vm_wait_exit() {
	local i n=$(($1 * 20))
	for ((i = 0; i < n; i++)); do
		vm_alive || break
		sleep 0.05
	done
	vm_alive && return 1
	wait "$VM_QEMU_JOB" 2>/dev/null
	VM_QEMU_RC=$?
	VM_QEMU_JOB=
	return 0
}

# vm_wait NAME SECONDS: waits for the guest to publish event NAME (/run/vm/out/NAME in the
# guest). Returns 1 on timeout, 2 at once when the VM has gone, 3 when the guest failed.
vm_wait() {
	local name=$1 i n=$(($2 * 20))
	for ((i = 0; i < n; i++)); do
		[ -e "$VM_SHARE/out/$name" ] && return 0
		[ -e "$VM_SHARE/out/fatal" ] && return 3
		if ! vm_alive; then
			[ -e "$VM_SHARE/out/$name" ] && return 0
			return 2
		fi
		sleep 0.05
	done
	return 1
}

# vm_get NAME KEY: the value of KEY in event NAME (KEY=VALUE lines).
vm_get() { sed -n "s/^$2=//p" "$VM_SHARE/out/$1" 2>/dev/null | head -n 1; }

# vm_diag_failure: the tail of the console, the guest's log and ganesha's, for a failed step.
vm_diag_failure() {
	diag "--- console (tail):" "$(tail -n 25 "$VM_CONSOLE" 2>/dev/null)"
	diag "--- guest log (tail):" "$(tail -n 25 "$VM_SHARE/guest.log" 2>/dev/null)"
	[ -e "$VM_SHARE/out/fatal" ] && diag "--- guest fatal:" "$(cat "$VM_SHARE/out/fatal")"
	diag "--- qemu:" "$(tail -n 5 "$VM_TMP/qemu.out" 2>/dev/null)"
}

# vm_client_up: the lab with the guest as a tap host, the guest booted with its agent, nfsv4
# loaded and the share mounted by `meshnfs setup client` (the guide's options): three
# assertions (the lab, the boot, the mount). Returns non-zero when the guest is not there.
vm_client_up() {
	vm_require || return 1
	vm_lab_up 1 || { not_ok "the lab with a tap host for the guest"; return 1; }
	ok "lab $LAB_ID: srv ${LAB_MESH[srv]}, the guest $VM_GUEST_ADDR on tap $VM_TAP"
	vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || { not_ok "VM boots"; return 1; }
	diag "accelerator: $VM_ACCEL ($VM_ACCEL_WHY); kernel $VM_KVER"
	vm_step booted 120 "guest ($VM_ACCEL) reached its agent, WireGuard up" || return 1
	vm_exec modprobe nfsv4
	vm_exec -t 120 "$MESHNFS" --json setup client
	check "setup client mounted the share (exit $RC)" test "$RC" -le 1
}

# vm_step NAME SECONDS DESC: waits for event NAME and reports it as one assertion; on failure
# shows why and returns non-zero (the caller usually gives up on the rest).
vm_step() {
	local rc
	vm_wait "$1" "$2"
	rc=$?
	if [ $rc = 0 ]; then
		ok "$3"
		return 0
	fi
	not_ok "$3"
	case $rc in
	1) diag "no \"$1\" from the guest within $2 s" ;;
	2) diag "the VM exited before \"$1\"" ;;
	3) diag "the guest failed before \"$1\"" ;;
	esac
	vm_diag_failure
	return 1
}

# ---- Commands in a guest that runs lib/guest-agent.sh (g_agent) ----

# vm_req OP NAME LIMIT [ARGV...]: sends one request to the agent and waits for its answer
# (LIMIT + 30 s: the agent bounds every command itself, the margin is for a slow TCG guest).
# Sets VM_ANSWER (the answer's file); 1 when none came (the VM's failure shown with diag).
vm_req() {
	local op=$1 name=$2 limit=$3 n; shift 3
	# The request counter lives in a file, so that calls from subshells ($(...)) count too.
	n=$(($(cat "$VM_TMP/req.n" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$VM_TMP/req.n"
	VM_REQ_N=$n
	{
		printf 'op=%q name=%q limit=%q\nargv=(' "$op" "$name" "$limit"
		[ $# -gt 0 ] && printf ' %q' "$@"
		printf ' )\n'
	} >"$VM_SHARE/req/.$n.sh"
	mv -f "$VM_SHARE/req/.$n.sh" "$VM_SHARE/req/$n.sh"
	VM_ANSWER=$VM_SHARE/out/$n
	if ! vm_wait "$n" $((limit + 30)); then
		diag "no answer from the guest to request $n ($op $name $*)"
		vm_diag_failure
		return 1
	fi
	return 0
}

# vm_ans KEY: a value of the last answer.
vm_ans() { sed -n "s/^$1=//p" "$VM_ANSWER" 2>/dev/null | head -n 1; }

# vm_exec [-t SECONDS] CMD...: runs CMD in the guest (default at most 60 s), like tap.sh's
# run: OUT, ERR, RC; and MS (the guest's clock, start to end). A command still running at its
# deadline is SIGKILLed: RC=124, VM_HUNG=1 and VM_STATE/VM_WCHAN say where it was stuck.
vm_exec() {
	local limit=60 n
	if [ "$1" = -t ]; then limit=$2; shift 2; fi
	OUT='' ERR='' RC=125 MS='' VM_HUNG=0 VM_STATE='' VM_WCHAN=''
	vm_req run '' "$limit" "$@" || return 1
	n=$VM_REQ_N
	OUT=$(cat "$VM_SHARE/out/$n.out" 2>/dev/null)
	ERR=$(cat "$VM_SHARE/out/$n.err" 2>/dev/null)
	MS=$(vm_ans ms)
	if [ "$(vm_ans hung)" = 1 ]; then
		RC=124 VM_HUNG=1 VM_STATE=$(vm_ans state) VM_WCHAN=$(vm_ans wchan)
	else
		RC=$(vm_ans rc)
	fi
	return 0
}

# vm_bg NAME CMD...: starts CMD in the guest in the background as job NAME (its output in
# the share as out/NAME.out and out/NAME.err).
vm_bg() {
	local name=$1; shift
	vm_req bg "$name" 10 "$@"
}

# vm_bg_state NAME: VM_ENDED (0 or 1), VM_STATE and VM_WCHAN while it runs, RC when it has
# ended, MS (since it started, or from start to end).
vm_bg_state() { vm_req state "$1" 10 && vm_bg_vars; }

# vm_bg_wait NAME SECONDS: waits in the guest at most SECONDS for job NAME to end; then as
# vm_bg_state.
vm_bg_wait() { vm_req wait "$1" "$2" && vm_bg_vars; }

vm_bg_vars() {
	VM_ENDED=$(vm_ans ended) VM_STATE=$(vm_ans state) VM_WCHAN=$(vm_ans wchan) MS=$(vm_ans ms)
	RC=$(vm_ans rc)
}

# vm_poweroff: asks the agent to power the guest off and waits (at most 60 s) until qemu is
# gone; 0 when it went by itself.
vm_poweroff() {
	vm_req poweroff '' 10 || return 1
	vm_wait_exit 60
}
