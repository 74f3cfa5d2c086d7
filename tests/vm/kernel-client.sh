#!/usr/bin/env bash
# The real kernel NFSv4 client: Debian's kernel in qemu (tests/vm/lib/vm.sh) mounts
# nfs-ganesha's /opt/shared over a tap link with mesh addresses, as the guide's client steps
# do, writes a file the host reads back on the server side; then, in the same VM, a hung
# server (ganesha stopped) leaves the guide's `ls` blocked while a bounded check returns, and a
# re-exported directory gives "Stale file handle" until the guide's umount -l + mount.
# One VM for everything (the suite must stay short under TCG). Measurements go to the TAP
# output as "# measure:" lines and to build/vm/kernel-client.measure.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"

HOLD=${VM_HUNG_HOLD:-20}    # seconds the server stays stopped after the guest's ls started
CHECK=${VM_CHECK_SECONDS:-3}
measures=()
measure() { measures+=("$1=$2"); diag "measure: $1=$2"; }

vm_require || exit 1
vm_server_up || { not_ok "server namespace with ganesha"; exit 1; }
ok "server namespace $VM_NS: ganesha exports $VM_EXPORT as $VM_PSEUDO on $VM_SERVER_ADDR"
host_msg="written on the server side at $(date -u +%FT%TZ)"
printf '%s\n' "$host_msg" >"$VM_EXPORT/from-host.txt"

host_fstab=$(sha256sum </etc/fstab)
vm_boot "$TOP/tests/vm/lib/guest-kernel-client.sh" "VM_CHECK_SECONDS=$CHECK" \
	"VM_HUNG_WAIT=$((HOLD + 300))" || { not_ok "VM boots"; exit 1; }
diag "accelerator: $VM_ACCEL ($VM_ACCEL_WHY); kernel $VM_KVER"
measure accel "$VM_ACCEL"

vm_step booted 120 "guest ($VM_ACCEL) reached its test script" || exit 1
measure boot_wall_ms $(($(vm_now_ms) - VM_T0))
measure boot_guest_uptime_s "$(vm_get booted uptime)"
check_eq "guest runs the kernel it was given" "$VM_KVER" "$(vm_get booted kernel)"

vm_step mounted 120 "guest mounts $VM_SERVER_ADDR:$VM_PSEUDO with the kernel's NFSv4 client" || exit 1
measure modprobe_nfsv4_ms "$(vm_get mounted modprobe_ms)"
measure mount_ms "$(vm_get mounted mount_ms)"
check_match "mount is nfs4 from the server's mesh address, with the guide's options" \
	"^$VM_SERVER_ADDR:$VM_PSEUDO $VM_PSEUDO nfs4 .*soft.*timeo=150.*clientaddr=$VM_GUEST_ADDR" \
	"$(vm_get mounted line)"
diag "mount: $(vm_get mounted line)"

vm_step fstab 30 "guest writes the guide's entry to its own /etc/fstab" || exit 1
check_match "the entry is the guide's" "^$VM_SERVER_ADDR:$VM_PSEUDO +$VM_PSEUDO +nfs4 +_netdev,x-systemd.automount" \
	"$(vm_get fstab entry)"
check_eq "the host's /etc/fstab is untouched" "$host_fstab" "$(sha256sum </etc/fstab)"

vm_step written 60 "guest writes through the mount" || exit 1
check_eq "guest reads the file the host wrote on the server side" "$host_msg" "$(vm_get written host_file)"
check_eq "host reads on the server side what the guest wrote" \
	"$(vm_get written message)" "$(cat "$VM_EXPORT/from-guest.txt" 2>&1)"
measure mount_write_cycle_ms $(($(vm_now_ms) - VM_T0))

# Hung server.
vm_ganesha_hang
vm_request hang
vm_step hung-checked $((CHECK + 60)) "bounded check returns while the server is stopped" || exit 1
t_hang=$(vm_now_ms)
check_eq "bounded check reports a hung mount" hung "$(vm_get hung-checked result)"
check_match "its child was stuck in state D" "^D" "$(vm_get hung-checked state)"
ms=$(vm_get hung-checked ms)
measure hung_check_ms "$ms"
check "bounded check took less than its deadline + 5 s ($ms ms)" test "${ms:-999999}" -lt $(((CHECK + 5) * 1000))
check_match "the guide's ls is blocked in state D" "^D" "$(vm_get hung-checked ls_state)"
diag "stuck in: $(vm_get hung-checked wchan) (check), $(vm_get hung-checked ls_wchan) (ls)"
# Keep the server stopped for HOLD seconds, longer than the guide's timeo=150 (15 s).
while (($(vm_now_ms) - t_hang < HOLD * 1000)); do
	vm_alive || break
	sleep 0.2
done
vm_request held
vm_step held 30 "guest reports on its ls after ${HOLD} s" || exit 1
check_match "the guide's ls is still blocked in state D after ${HOLD} s (> timeo=150)" "^D" \
	"$(vm_get held ls_state)"
vm_ganesha_resume
vm_request resume
vm_step resumed 120 "guide's ls returns once the server continues" || exit 1
ls_ms=$(vm_get resumed ls_blocked_ms)
measure ls_blocked_ms "$ls_ms"
measure ls_after_resume_ms "$(vm_get resumed ls_after_resume_ms)"
check "ls stayed blocked at least ${HOLD} s (soft,timeo=150 did not time it out): $ls_ms ms" \
	test "${ls_ms:-0}" -ge $((HOLD * 1000))
measure ls_rc "$(vm_get resumed ls_rc)"
diag "ls after the server continued: status $(vm_get resumed ls_rc) $(vm_get resumed ls_err)"
check_eq "mount is responsive again" ok "$(vm_get resumed check)"

# Stale file handle: another Path for the same Pseudo.
mkdir -p "$VM_TMP/moved" && chmod 0777 "$VM_TMP/moved"
echo "the moved export" >"$VM_TMP/moved/moved.txt"
vm_ganesha_move "$VM_TMP/moved" || { not_ok "ganesha restarts on another path"; exit 1; }
vm_request stale
vm_step stale 120 "guest's ls returns after the export moved" || exit 1
check_match "ls fails with Stale file handle" "Stale file handle" "$(vm_get stale ls_err)"
check_eq "bounded check reports an error, not a hang" error "$(vm_get stale check)"
check_match "bounded check sees ESTALE" "Stale file handle" "$(vm_get stale check_err)"
measure stale_ls_ms "$(vm_get stale ls_ms)"
vm_step recovered 120 "guide's fix (umount -l, mount) ran" || exit 1
check_eq "mount again (from fstab) succeeds" 0 "$(vm_get recovered mount_rc)"
check_match "the new mount has the fstab entry's options" "soft.*timeo=150" "$(vm_get recovered line)"
check_eq "the new export's file is readable" "the moved export" "$(vm_get recovered marker)"
measure stale_recover_ms "$(vm_get recovered ms)"

vm_step finished 60 "guest unmounts" || exit 1
if vm_wait_exit 60; then
	ok "VM powers itself off"
else
	not_ok "VM powers itself off"
	vm_diag_failure
fi
measure whole_cycle_ms $(($(vm_now_ms) - VM_T0))
check_no_match "no kernel panic or oops on the console" "Kernel panic|Oops|BUG:" "$(cat "$VM_CONSOLE")"

mkdir -p "$VM_CACHE"
printf '%s\n' "date=$(date -u +%FT%TZ)" "kernel=$VM_KVER" "hold_s=$HOLD" "${measures[@]}" \
	>"$VM_CACHE/kernel-client.measure"
