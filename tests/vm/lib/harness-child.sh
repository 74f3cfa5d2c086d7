#!/usr/bin/env bash
# Driven by tests/vm/harness.sh: a harness run that is cut short. Brings up the lab with the
# guest's tap and boots tests/vm/lib/guest-idle.sh, then writes what it created (namespaces,
# tap, pids, directories) to $1 and either
#   deadline  waits for the VM deadline (VM_DEADLINE) to end qemu, and records how long it took
#   signal    boots lib/guest-agent.sh instead, records what the guest sees of this checkout
#             (harness.sh runs this mode from a copy under /tmp), stops ganesha (lab fault
#             hung) and waits to be killed with SIGTERM
# Its TAP output is not counted; harness.sh checks what is left afterwards.
. "$(dirname "$0")/../../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"
state=$1 mode=$2
vm_require || exit 1
vm_lab_up 1 || exit 1
case $mode in
signal) vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || exit 1 ;;
*) vm_boot "$TOP/tests/vm/lib/guest-idle.sh" || exit 1 ;;
esac
qpid=
record() {
	# qemu removes its pidfile when it exits: keep the first pid read.
	[ -n "$qpid" ] || qpid=$(cat "$VM_TMP/qemu.pid" 2>/dev/null)
	printf '%s\n' "ns=${LAB_NS[*]} $LAB_SWITCH" "tap=$VM_TAP" "tmp=$VM_TMP" "lab=$LAB_DIR" \
		"wg=${LAB_WG[*]}" "ganesha=${LAB_PIDS[ganesha]:-}" "wgpids=${LAB_PIDS[wg-srv]} ${LAB_PIDS[wg-c1]}" \
		"job=$VM_QEMU_JOB" "qemu=$qpid" "$@" >"$state.tmp"
	mv -f "$state.tmp" "$state"
}
case $mode in
deadline)
	for ((i = 0; i < 100; i++)); do [ -s "$VM_TMP/qemu.pid" ] && break; sleep 0.05; done
	record
	if vm_wait_exit $((VM_DEADLINE + 30)); then
		record "exited_ms=$(($(vm_now_ms) - VM_T0))" "rc=$VM_QEMU_RC" "booted=$([ -e "$VM_SHARE/out/booted" ] && echo yes || echo no)"
	else
		record "exited_ms=never"
	fi
	;;
signal)
	vm_wait booted 120 || { record "booted=no"; exit 1; }
	# The checkout as the guest sees it: the same bytes at the same path, and the binary runs.
	vm_exec sha256sum "$TOP/tests/vm/lib/guest.sh"
	seen=${OUT%% *}
	vm_exec "$MESHNFS" --version
	lab_fault hung || exit 1
	record "booted=yes" "top=$TOP" "guest_sum=$seen" "meshnfs_rc=$RC" "meshnfs_out=$OUT"
	while :; do sleep 1; done
	;;
esac
