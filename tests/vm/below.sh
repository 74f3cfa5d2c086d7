#!/usr/bin/env bash
# An MTU black hole under the mesh on the real kernel NFS client (Debian's kernel in qemu,
# tests/vm/lib/vm.sh; issue 11): the lab's `mtu` fault drops the underlay's WireGuard packets
# above 1200 bytes at the server, with no ICMP back. The guide's `ls` of the share still works
# (small packets), while copying a 1 MiB file into it stalls (its full-size packets vanish);
# meshnfs doctor in the guest names mtu_blackhole. After the heal the copy completes by itself.
# Measurements go to the TAP output as "# measure:" lines.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"
plan 12

MNT=$VM_PSEUDO
measure() { diag "measure: $1=$2"; }

vm_client_up || exit 1
vm_exec sh -c 'head -c 1048576 /dev/urandom >/tmp/big && sha256sum </tmp/big'
sum=$OUT

lab_fault mtu 1200 || { not_ok "lab fault mtu"; exit 1; }
vm_exec -t 60 ls "$MNT"
check_eq "mtu: the guide's ls of the share works (small packets pass)" 0 "$RC"
check_match "mtu: ... and lists the export" README "$OUT"
measure ls_ms "$MS"
vm_bg cp cp /tmp/big "$MNT/big"
sleep 20 # the copy is given time to finish; the fault is that it cannot
vm_bg_state cp
check_eq "mtu: copying a 1 MiB file into the share stalls (still running after 20 s)" 0 "$VM_ENDED"
diag "the stalled cp: state $VM_STATE, wchan $VM_WCHAN"
measure stalled_cp_state "$VM_STATE/$VM_WCHAN"
vm_exec -t 120 "$MESHNFS" --json --timeout 5 doctor
check_eq "mtu: doctor in the guest names mtu_blackhole" mtu_blackhole "$(jget .probe.diagnosis)"
check_eq "mtu: ... with the largest size that passed (1100) and the route's MTU (wg0: 1420)" "1100 1420" \
	"$(jget '"\(.probe.mtu.largest_passed) \(.probe.mtu.route_mtu)"')"
check_match "mtu: nfs.write's fix lowers the mesh interface's MTU" "mtu 1100" \
	"$(jget '.checks[] | select(.id == "nfs.write") | .fix')"
measure doctor_ms "$MS"

lab_heal || { not_ok "lab heal"; exit 1; }
vm_bg_wait cp 180
check_eq "heal: the stalled copy completes by itself (exit 0)" "1 0" "$VM_ENDED $RC"
vm_exec -t 60 sh -c "sha256sum <'$MNT/big'"
check_eq "heal: the copied file reads back intact" "$sum" "$OUT"
vm_exec -t 30 rm -f "$MNT/big"

if vm_poweroff; then
	ok "VM powers itself off"
else
	not_ok "VM powers itself off"
	vm_diag_failure
fi
