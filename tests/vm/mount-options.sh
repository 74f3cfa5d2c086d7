#!/usr/bin/env bash
# The recommended mount options on a real kernel client: a few cells of bench/mount-options.sh
# (which measures the whole matrix) kept as tests. Debian's kernel in qemu (tests/vm/lib/vm.sh),
# a host of the lab's mesh; `meshnfs setup client` mounts the share with its default options
# (the best set the bench proved), alone on its connection as on a real node. Then:
#   - hung server (ganesha SIGSTOPped, its kernel still accepts TCP): no mount option bounds
#     it (bench/README.md), and this test holds the documentation to that: a read is still
#     blocked in state D after HUNG_HOLD s, longer than an offline peer takes to fail; SIGKILL ends
#     it (the wait is killable);
#   - offline peer (the server's wireguard-go SIGSTOPped): the read fails with EIO within
#     OFFLINE_BOUND s (the options' bound as measured, with a margin for a loaded TCG guest);
#   - after each heal the file written before the fault reads back intact, in the guest and
#     on the server side.
. "$(dirname "$0")/../lib/tap.sh"
# The whole VM: boot, setup, the hung hold and the offline bound, with room (vm.sh's default
# of 300 s is too short; set before vm.sh reads it).
VM_DEADLINE=${VM_DEADLINE:-560}
. "$TOP/tests/vm/lib/vm.sh"
plan 16

MNT=$VM_PSEUDO
# Offline peer, these options: EIO after 76.5 s in bench/README.md's matrix (TCG guest). The
# test allows about twice that (a loaded TCG guest on a shared machine); the hung server is
# held longer than the measured offline time: nothing ends the read there.
OFFLINE_MEASURED=76
OFFLINE_BOUND=150
HUNG_HOLD=100

vm_require || exit 1
vm_lab_up 1 || { not_ok "the lab with a tap host for the guest"; exit 1; }
ok "lab $LAB_ID: srv ${LAB_MESH[srv]}, the guest $VM_GUEST_ADDR on tap $VM_TAP"
vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || { not_ok "VM boots"; exit 1; }
diag "accelerator: $VM_ACCEL ($VM_ACCEL_WHY); kernel $VM_KVER"
vm_step booted 180 "guest ($VM_ACCEL) reached its agent, WireGuard up" || exit 1

st() { jget ".checks[] | select(.id == \"$1\") | .status"; }
vm_exec modprobe nfsv4
vm_exec -t 120 "$MESHNFS" --json setup client
check_eq "setup client: fstab written, mounted, verified" "ok ok ok" \
	"$(st setup.fstab) $(st setup.mount) $(st setup.verify)"
vm_exec cat /proc/self/mounts
line=$(awk -v m="$MNT" '$2 == m && $3 == "nfs4"' <<<"$OUT")
check_match "mounted with the recommended options (soft, timeo=50, retrans=2)" \
	" $MNT nfs4 .*,soft,.*timeo=50,retrans=2," "$line"
diag "mount: $line"

# A file written (and fsynced) before any fault, and its sum.
vm_exec sh -c 'head -c 65536 /dev/urandom >/run/before.bin && dd if=/run/before.bin of="$1/before" bs=65536 conv=fsync status=none && sha256sum </run/before.bin' sh "$MNT"
sum=${OUT%% *}
check_match "a file written through the mount before the faults" '^[0-9a-f]{64}$' "$sum"

# intact WHEN: the file reads back the same in the guest and on the server side.
intact() {
	vm_exec -t 60 sh -c 'sha256sum <"$1/before"' sh "$MNT"
	check_eq "$1: the file written before the fault reads back intact in the guest" "$sum" "${OUT%% *}"
	check_eq "$1: ... and on the server side" "$sum" "$(sha256sum <"$VM_EXPORT/before" | cut -d' ' -f1)"
}

# ---- Hung server: no option bounds it ----
lab_fault hung || { not_ok "lab fault hung"; exit 1; }
vm_bg read-hung cat "$MNT/before"
pid=$(vm_ans pid)
VM_ENDED='' VM_STATE=''
vm_bg_wait read-hung "$HUNG_HOLD"
check_eq "hung: the read is still blocked in state D after $HUNG_HOLD s (offline fails in ~$OFFLINE_MEASURED s)" \
	"0 D" "$VM_ENDED $VM_STATE"
diag "hung: the read waits in $VM_WCHAN after $MS ms"
vm_exec kill -KILL "$pid"
VM_ENDED=''
vm_bg_wait read-hung 10
check_eq "hung: SIGKILL ends the blocked read (the wait is killable)" 1 "$VM_ENDED"
lab_heal || { not_ok "lab heal after hung"; exit 1; }
intact hung

# ---- Offline peer: EIO within the bound ----
lab_fault offline || { not_ok "lab fault offline"; exit 1; }
vm_bg read-offline cat "$MNT/before"
pid=$(vm_ans pid)
VM_ENDED='' MS='' RC=''
vm_bg_wait read-offline "$OFFLINE_BOUND"
check_eq "offline: the read returned within $OFFLINE_BOUND s (measured ~$OFFLINE_MEASURED s)" 1 "$VM_ENDED"
diag "offline: the read returned after $MS ms with status ${RC:-?}: $(head -n 1 "$VM_SHARE/out/read-offline.err" 2>/dev/null)"
check_match "offline: ... failing with EIO" "Input/output error" "$(cat "$VM_SHARE/out/read-offline.err" 2>/dev/null)"
[ "$VM_ENDED" = 1 ] || vm_exec kill -KILL "$pid"
lab_heal || { not_ok "lab heal after offline"; exit 1; }
# The kernel reconnects on the next call; give it a few tries.
for ((i = 0; i < 10; i++)); do
	vm_exec -t 60 sh -c 'sha256sum <"$1/before"' sh "$MNT"
	[ "${OUT%% *}" = "$sum" ] && break
	sleep 2
done
intact offline

vm_exec umount "$MNT"
check_eq "guest unmounts" 0 "$RC"
if vm_poweroff; then ok "VM powers itself off"; else not_ok "VM powers itself off"; vm_diag_failure; fi
check_no_match "no kernel panic or oops on the console" "Kernel panic|Oops|BUG:" "$(cat "$VM_CONSOLE")"
