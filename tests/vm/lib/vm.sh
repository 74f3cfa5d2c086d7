# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# The VM harness (host side): Debian's own kernel in qemu as a real Linux NFS client.
# Source it after tests/lib/tap.sh. What it does, each function below:
#   vm_require            the packages are there (qemu, kernel with nfsv4, busybox-static)
#   vm_accel              KVM only when it really works (vmx/svm in /proc/cpuinfo), else TCG
#   vm_initramfs          a tiny initramfs (busybox-static + virtio/9p/overlay modules and
#                         lib/init), built at test time, cached in build/vm/ by kernel version
#                         and content
#   vm_server_up          a network namespace with a tap device and nfs-ganesha exporting a
#                         temporary directory as /opt/shared to 100.64.0.0/10
#   vm_boot SCRIPT        qemu in that namespace, host / read-only over 9p, a writable share
#                         for results and requests, SCRIPT as the guest's PID 1, a deadline
#   vm_wait, vm_get, vm_request   the conversation with the guest through the share
#   vm_ganesha_*          server-side faults: stop/continue (hung server), restart on another
#                         Path for the same Pseudo (stale file handles)
# Everything it creates is removed on every exit path (tap.sh's at_exit): qemu and ganesha are
# stopped by pid, the namespace deleted, temporary files removed.
# Network: only mesh addresses (100.64.0.0/10) on the tap link, inside the test's own namespace.

VM_DIR=$TOP/tests/vm/lib
VM_CACHE=${VM_CACHE:-$TOP/build/vm}
VM_DEADLINE=${VM_DEADLINE:-300}   # seconds: the whole VM, whatever happens inside
VM_MEM=${VM_MEM:-384}
VM_SERVER_ADDR=${VM_SERVER_ADDR:-100.64.0.1}
VM_GUEST_ADDR=${VM_GUEST_ADDR:-100.64.0.3}
VM_MESH_PREFIX=${VM_MESH_PREFIX:-10}
VM_PSEUDO=${VM_PSEUDO:-/opt/shared}
VM_MESH_RANGE=${VM_MESH_RANGE:-100.64.0.0/10}
VM_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

# Milliseconds since the epoch (bash 5's EPOCHREALTIME, no fork).
vm_now_ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "${t:0:-3}"; }

# The kernel to boot: $VM_KERNEL, else the newest /boot/vmlinuz-* whose modules include nfsv4.
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
		best=$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n 1)
	done
	[ -n "$best" ] && printf '%s\n' "$best"
}

# vm_require: every piece is installed; otherwise one "not ok" naming what is missing and how
# to get it, and a non-zero return (the VM tests are part of the suite, never skipped).
vm_require() {
	local missing=() p
	for p in qemu-system-x86_64 ip ganesha.nfsd modprobe timeout; do
		command -v "$p" >/dev/null || missing+=("$p")
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		missing+=("static /bin/busybox")
	fi
	VM_KVER=$(vm_kernel_version)
	if [ -z "$VM_KVER" ] || [ ! -f "/boot/vmlinuz-$VM_KVER" ]; then
		missing+=("a kernel image with nfsv4 modules")
	fi
	if [ ! -e /sbin/mount.nfs4 ]; then missing+=("mount.nfs4"); fi
	if [ ${#missing[@]} -gt 0 ]; then
		not_ok "VM prerequisites present"
		diag "missing: ${missing[*]}" "install them with: scripts/deps.sh vm lab"
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

# vm_server_up: the server side of the stage-1 harness. A namespace holding a tap device with
# the server's mesh address (the guest's end gets VM_GUEST_ADDR), an export directory
# VM_EXPORT, and nfs-ganesha serving it as VM_PSEUDO to VM_MESH_RANGE.
vm_server_up() {
	local id
	id=$(printf '%x%04x' $$ $((RANDOM & 0xffff)))
	VM_NS=mnfs-vm$id
	VM_TAP=mvt$id
	mk_tmpdir VM_TMP
	VM_SHARE=$VM_TMP/share
	mkdir -p "$VM_SHARE/out" "$VM_SHARE/req" "$VM_TMP/export"
	chmod 0777 "$VM_TMP/export"
	VM_EXPORT=$VM_TMP/export
	ip netns add "$VM_NS" || return 1
	at_exit vm_teardown_ns
	ip -n "$VM_NS" link set lo up
	ip -n "$VM_NS" tuntap add dev "$VM_TAP" mode tap || return 1
	ip -n "$VM_NS" addr add "$VM_SERVER_ADDR/$VM_MESH_PREFIX" dev "$VM_TAP" || return 1
	ip -n "$VM_NS" link set "$VM_TAP" up || return 1
	at_exit vm_ganesha_stop
	vm_ganesha_start "$VM_EXPORT"
}

vm_teardown_ns() {
	[ -n "${VM_NS:-}" ] || return 0
	ip netns del "$VM_NS" 2>/dev/null
	VM_NS=
}

# vm_ganesha_start PATH: ganesha in VM_NS serving PATH as VM_PSEUDO; waits until it is ready.
# Sets VM_GANESHA_PID (a child of this shell: `wait` works, no orphan).
vm_ganesha_start() {
	local path=$1 n=$((${VM_GANESHA_N:-0} + 1)) dir i
	VM_GANESHA_N=$n VM_GANESHA_PATH=$path
	dir=$VM_TMP/ganesha$n
	mkdir -p "$dir/recovery"
	cat >"$dir/ganesha.conf" <<-EOF
	NFS_CORE_PARAM { Protocols = 4; Enable_UDP = false; Enable_NLM = false; Enable_RQUOTA = false; }
	NFSv4 { RecoveryRoot = "$dir/recovery"; Graceless = true; Only_Numeric_Owners = true; }
	EXPORT {
		Export_Id = 1; Path = "$path"; Pseudo = "$VM_PSEUDO";
		Protocols = 4; Transports = TCP; Access_Type = None; Squash = No_Root_Squash;
		SecType = sys;
		FSAL { Name = VFS; }
		CLIENT { Clients = $VM_MESH_RANGE; Access_Type = RW; Protocols = 4; }
	}
	EOF
	VM_GANESHA_LOG=$dir/ganesha.log
	ip netns exec "$VM_NS" ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$VM_GANESHA_LOG" \
		-p "$dir/ganesha.pid" </dev/null >"$dir/stdout" 2>&1 &
	VM_GANESHA_PID=$!
	for ((i = 0; i < 200; i++)); do
		grep -q 'NFS SERVER INITIALIZED' "$VM_GANESHA_LOG" 2>/dev/null && return 0
		kill -0 "$VM_GANESHA_PID" 2>/dev/null || break
		sleep 0.05
	done
	diag "ganesha did not start:" "$(tail -n 5 "$VM_GANESHA_LOG" 2>/dev/null)"
	return 1
}

# vm_ganesha_stop: stops this run's ganesha by pid (a stopped one is continued first so it can
# act on SIGTERM), SIGKILL after 5 s.
vm_ganesha_stop() {
	local pid=${VM_GANESHA_PID:-} i
	[ -n "$pid" ] || return 0
	VM_GANESHA_PID=
	kill -CONT "$pid" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Faults: a hung server (its kernel still ACKs TCP, NFS is silent) and its end.
vm_ganesha_hang() { kill -STOP "$VM_GANESHA_PID"; }
vm_ganesha_resume() { kill -CONT "$VM_GANESHA_PID"; }

# vm_ganesha_move PATH: the export re-created elsewhere: ganesha stops, the old directory is
# removed, ganesha starts exporting PATH under the same Pseudo. Every file handle the guest
# holds is then stale (ESTALE). Measured: removing the old directory is what makes them stale.
# A restart on a new Path while the old directory still exists on the same filesystem gave no
# ESTALE (ls and stat on the mount succeeded): ganesha's VFS handles are kernel file handles
# (name_to_handle_at), which stay valid as long as the inode exists.
vm_ganesha_move() {
	local old=$VM_GANESHA_PATH
	vm_ganesha_stop
	rm -rf "$old"
	vm_ganesha_start "$1"
}

# vm_boot SCRIPT [NAME=VALUE...]: boots the VM with SCRIPT (a path on the host, visible in the
# guest at the same path through the 9p root) as PID 1. The NAME=VALUE pairs, and the
# harness's own (addresses, export, share), go to /run/vm/env for the guest to source.
# Sets VM_T0 (ms, just before qemu starts), VM_QEMU_JOB (the `timeout` process bounding qemu
# by VM_DEADLINE: SIGTERM then, SIGKILL 5 s later; timeout reaps qemu, no orphan), VM_CONSOLE.
vm_boot() {
	local script=$1 kv; shift
	case $script in
	/tmp/* | /run/* | /proc/* | /sys/* | /dev/*)
		# The guest mounts its own tmpfs or kernel filesystems there: the host's files are hidden.
		diag "$script: the guest cannot see it (its /tmp, /run, /proc, /sys, /dev are its own)"
		return 1
		;;
	esac
	vm_accel
	vm_initramfs || { diag "initramfs build failed"; return 1; }
	{
		printf 'VM_SERVER_ADDR=%q\nVM_GUEST_ADDR=%q\nVM_MESH_PREFIX=%q\n' \
			"$VM_SERVER_ADDR" "$VM_GUEST_ADDR" "$VM_MESH_PREFIX"
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
		-append "console=ttyS0 panic=-1 loglevel=4 meshnfs.init=$script" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$VM_SHARE,mount_tag=vmshare,security_model=none,multidevs=remap" \
		-netdev "tap,id=n0,ifname=$VM_TAP,script=no,downscript=no" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:6d:6e:03 \
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

# vm_request NAME [KEY=VALUE...]: tells the guest to go on with step NAME.
vm_request() {
	local name=$1; shift
	printf '%s\n' "$@" >"$VM_SHARE/req/.$name"
	mv -f "$VM_SHARE/req/.$name" "$VM_SHARE/req/$name"
}

# vm_diag_failure: the tail of the console, the guest's log and ganesha's, for a failed step.
vm_diag_failure() {
	diag "--- console (tail):" "$(tail -n 25 "$VM_CONSOLE" 2>/dev/null)"
	diag "--- guest log (tail):" "$(tail -n 25 "$VM_SHARE/guest.log" 2>/dev/null)"
	[ -e "$VM_SHARE/out/fatal" ] && diag "--- guest fatal:" "$(cat "$VM_SHARE/out/fatal")"
	diag "--- qemu:" "$(tail -n 5 "$VM_TMP/qemu.out" 2>/dev/null)"
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
