#!/usr/bin/env bash
# The VM harness itself (tests/vm/lib/vm.sh): the deadline ends a VM that never powers off,
# and a run killed with SIGTERM (as tests/run does on its timeout) leaves nothing behind: qemu
# stopped by pid, the lab torn down (ganesha stopped by pid even while SIGSTOPped, its
# wireguard-go processes, namespaces, taps and sockets gone), temporary files removed. Runs
# tests/vm/lib/harness-child.sh and inspects what remains. The second run boots from a copy
# of the harness under /tmp, where a CI clone may live and where the guest mounts its own
# tmpfs: the guest still sees the checkout (its own share), and paths that are really hidden
# from it are refused before anything starts.
. "$(dirname "$0")/../lib/tap.sh"
plan 23
self_test
. "$TOP/tests/vm/lib/vm.sh"
vm_require || exit 1
mk_tmpdir T

# st FILE KEY: a value the child recorded.
st() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1; }
# A dead process whose parent has not reaped it yet (State: Z) is gone too.
gone_pid() { [ -n "$1" ] && ! grep -qv '^State:.*Z' <(grep '^State:' "/proc/$1/status" 2>/dev/null); }
gone_pids() { local p; [ -n "$1" ] || return 1; for p in $1; do gone_pid "$p" || return 1; done; }
# Every namespace named is gone (at least one named).
gone_ns() {
	local n l
	[ -n "${1// /}" ] || return 1
	l=$(ip netns list)
	for n in $1; do grep -qw -- "$n" <<<"$l" && return 1; done
	return 0
}
gone_dir() { [ -n "$1" ] && [ ! -e "$1" ]; }
# (At least one named, like gone_ns and gone_pids: nothing recorded is not "all gone".)
gone_socks() { local w; [ -n "${1// /}" ] || return 1; for w in $1; do [ ! -e "/var/run/wireguard/$w.sock" ] || return 1; done; }
# The tap device named is not in the main namespace (a name must have been recorded).
gone_tap() { [ -n "$1" ] && ! ip -o link show 2>/dev/null | grep -qw -- "$1"; }

# 1. The deadline: VM_DEADLINE=4 s on a guest that never powers off by itself.
VM_DEADLINE=4 bash "$VM_DIR/harness-child.sh" "$T/deadline" deadline >"$T/deadline.out" 2>&1
ms=$(st "$T/deadline" exited_ms)
check_match "qemu ended by the deadline (${ms} ms after start)" '^[0-9]+$' "$ms"
check_took "within the 4 s deadline and a margin" "$ms" 4000
check_eq "the bounding timeout ended it (status 124)" 124 "$(st "$T/deadline" rc)"
check "qemu's pid is gone" gone_pid "$(st "$T/deadline" qemu)"
check "the lab's namespaces deleted after a normal exit" gone_ns "$(st "$T/deadline" ns)"
check "temporary directory removed" gone_dir "$(st "$T/deadline" tmp)"
check "the lab's directory removed" gone_dir "$(st "$T/deadline" lab)"

# 2. A checkout under /tmp: the harness, the lab and build/meshnfs copied there, run from
# there (the initramfs cache is shared: the same content gives the same image). Paths the
# guest cannot see are refused at once.
CO=$(mktemp -d /tmp/meshnfs-checkout.XXXXXX)
at_exit "rm -rf '$CO'"
mkdir -p "$CO/tests" "$CO/build"
cp -a "$TOP/tests/lib" "$TOP/tests/lab" "$TOP/tests/vm" "$CO/tests/"
cp -a "$MESHNFS" "$CO/build/meshnfs"
run vm_boot /tmp/meshnfs-elsewhere/guest.sh
check_eq "a guest script under /tmp outside the checkout is refused" 1 "$RC"
check_match "... saying why" "/tmp/meshnfs-elsewhere/guest.sh: the guest cannot see it" "$OUT"
run vm_boot /proc/self/guest.sh
check_eq "a guest script under /proc is refused" 1 "$RC"

# 3. SIGTERM in the middle of a run, with the VM up and ganesha stopped, from the copy.
VM_CACHE=$VM_CACHE bash "$CO/tests/vm/lib/harness-child.sh" "$T/signal" signal >"$T/signal.out" 2>&1 &
child=$!
for ((i = 0; i < 2400; i++)); do
	[ -s "$T/signal" ] && [ -n "$(st "$T/signal" booted)" ] && break
	kill -0 "$child" 2>/dev/null || break
	sleep 0.05
done
check_eq "the child's VM booted from a checkout under /tmp" yes "$(st "$T/signal" booted)"
[ "$(st "$T/signal" booted)" = yes ] || diag "$(tail -n 20 "$T/signal.out")"
check_eq "the guest saw the checkout's files at the same path (/tmp)" \
	"$(sha256sum <"$CO/tests/vm/lib/guest.sh" | cut -d' ' -f1)" "$(st "$T/signal" guest_sum)"
check_eq "the guest ran the checkout's build/meshnfs" "0 $("$MESHNFS" --version)" \
	"$(st "$T/signal" meshnfs_rc) $(st "$T/signal" meshnfs_out)"
check_match "its ganesha was stopped (state T)" '^T' \
	"$(sed -n 's/^State:[[:space:]]*//p' "/proc/$(st "$T/signal" ganesha)/status" 2>/dev/null)"
kill -TERM "$child" 2>/dev/null
t0=$(vm_now_ms)
wait "$child"
diag "teardown after SIGTERM took $(($(vm_now_ms) - t0)) ms"
check "qemu stopped by pid" gone_pid "$(st "$T/signal" qemu)"
check "qemu's bounding timeout stopped" gone_pid "$(st "$T/signal" job)"
check "stopped ganesha stopped by pid" gone_pid "$(st "$T/signal" ganesha)"
check "the lab's wireguard-go processes stopped" gone_pids "$(st "$T/signal" wgpids)"
check "the lab's namespaces deleted" gone_ns "$(st "$T/signal" ns)"
check "their wireguard sockets removed" gone_socks "$(st "$T/signal" wg)"
check "temporary directory removed" gone_dir "$(st "$T/signal" tmp)"
check "the lab's directory removed" gone_dir "$(st "$T/signal" lab)"
check "no tap device left in the main namespace" gone_tap "$(st "$T/signal" tap)"
