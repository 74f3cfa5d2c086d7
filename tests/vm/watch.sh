#!/usr/bin/env bash
# meshnfs watch on the real kernel NFS client: Debian's kernel in qemu (tests/vm/lib/vm.sh), a
# host of the lab's mesh, the share mounted by `meshnfs setup client` (the guide's options),
# watch running in the guest with --detach-after. In one VM:
#   - hung server (lab fault hung): watch logs healthy -> hung with the blocked ls named,
#     detaches the mount and puts the read-only placeholder on it; a shell's ls started after
#     that returns at once (empty), a write fails with EROFS, a read of a path with ENOENT
#     (measured: what applications see); the ls started before stays blocked; after the heal
#     watch attaches the share again by itself and the file written before the fault reads
#     back intact;
#   - stale handles (lab fault recreated): fixed by watch (the repair) with no command typed;
#   - the textfile passes promtool; SIGTERM ends watch at once.
# Measurements go to the TAP output as "# measure:" lines.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"
plan 30

MNT=$VM_PSEUDO
mk_tmpdir T
DETACH=5
measure() { diag "measure: $1=$2"; }

vm_client_up || exit 1
msg="written by the guest before the fault at $(date -u +%FT%TZ)"
vm_exec sh -c 'printf "%s\n" "$1" >"$2/before.txt" && sync' sh "$msg" "$MNT"
check_eq "the guest writes a file through the mount" 0 "$RC"

WLOG=$VM_SHARE/out/watch.err
# wait_wlog REGEX SECONDS: polls watch's log (its stderr, in the share).
wait_wlog() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		grep -Eq -- "$1" "$WLOG" 2>/dev/null && return 0
		sleep 0.2
	done
	diag "not in watch's log within $2 s: $1" "$(tail -n 5 "$WLOG" 2>/dev/null)"
	return 1
}
vm_bg watch "$MESHNFS" --timeout 2 watch --interval 1 --detach-after "$DETACH" --textfile /tmp
check "watch: healthy" wait_wlog "unknown -> healthy: $MNT answers" 60

# ---- hung: detached, the placeholder, what applications see, attached again
lab_fault hung || { not_ok "lab fault hung"; exit 1; }
t_fault=$(vm_now_ms)
vm_bg before ls "$MNT/"
check "hung: logged" wait_wlog "healthy -> hung: $MNT does not answer" 60
check "detach: logged" wait_wlog "detached $MNT \\(umount -l\\) and mounted a read-only empty placeholder" 60
check_match "detach: says the ls blocked before stays blocked" "detached $MNT .*; cause: [1-9][0-9]* process(es)? already blocked on it stays? blocked" \
	"$(grep -E "detached $MNT \\(umount -l\\)" "$WLOG")"
measure detached_after_fault_ms $(($(vm_now_ms) - t_fault))
check "detach: hung -> detached" wait_wlog "hung -> detached" 20
vm_exec cat /proc/self/mounts
check_match "detach: the placeholder is the mount at $MNT" "meshnfs-detached $MNT tmpfs ro" "$OUT"
vm_exec -t 30 ls -A "$MNT"
check_eq "detached: a new ls returns, empty" "0:" "$RC:$OUT"
measure detached_ls_ms "$MS"
vm_exec -t 30 touch "$MNT/new.txt"
check_match "detached: a write fails with EROFS" "Read-only file system" "$ERR"
measure detached_write_ms "$MS"
vm_exec -t 30 cat "$MNT/before.txt"
check_match "detached: reading a path fails with ENOENT" "No such file or directory" "$ERR"
measure detached_read_ms "$MS"
vm_bg_state before
check_eq "detached: the ls started before the detach is still blocked" 0 "$VM_ENDED"
diag "the ls started before: state $VM_STATE, wchan $VM_WCHAN"
measure blocked_before_state "$VM_STATE/$VM_WCHAN"
vm_exec cat /tmp/meshnfs.prom
printf '%s\n' "$OUT" >"$T/detached.prom"
check "detached: the textfile passes promtool check metrics" sh -c "promtool check metrics <'$T/detached.prom'"
check_match "detached: meshnfs_detached 1" 'meshnfs_detached\{[^}]*\} 1' "$OUT"

lab_heal || { not_ok "lab heal"; exit 1; }
t_heal=$(vm_now_ms)
check "heal: watch attaches the share again by itself" wait_wlog "attached $MNT again" 120
measure reattached_after_heal_ms $(($(vm_now_ms) - t_heal))
check "heal: detached -> healthy" wait_wlog "detached -> healthy" 60
vm_exec -t 30 cat "$MNT/before.txt"
check_eq "heal: the file written before the fault reads back intact" "$msg" "$OUT"
vm_bg_wait before 60
check_eq "heal: the ls started before the detach ends" 1 "$VM_ENDED"
diag "the ls started before: exit $RC after $MS ms"
vm_exec cat /proc/self/mounts
check_match "heal: nfs4 mounted at $MNT again" "$VM_SERVER_ADDR:$MNT $MNT nfs4 " "$OUT"
check_no_match "heal: no placeholder left" "meshnfs-detached" "$OUT"

# ---- stale handles: fixed by watch, no command typed
lab_fault recreated || { not_ok "lab fault recreated"; exit 1; }
t_fault=$(vm_now_ms)
# The recreation stops ganesha for a moment: the mount may hang (refused) on the way to stale.
check "stale: logged" wait_wlog "(healthy|hung) -> stale: $MNT answers with stale file handles" 60
# The attach above counts as a repair: the next one waits out the 30 s gap.
check "stale: repaired by watch" wait_wlog "repair of $MNT done: .*repair.mount" 120
check "stale: back to healthy" wait_wlog "stale -> healthy" 60
measure stale_fixed_after_fault_ms $(($(vm_now_ms) - t_fault))
vm_exec -t 30 cat "$MNT/README"
check_eq "stale: the recreated export reads through the mount" "the lab's export" "$OUT"
check_eq "transitions: healthy -> hung (no_nfs_answer) logged once" 1 \
	"$(grep -Ec 'healthy -> hung: .*server [0-9.]+: no_nfs_answer' "$WLOG")"
check_eq "transitions: hung -> detached logged once" 1 "$(grep -Ec 'hung -> detached' "$WLOG")"

# ---- SIGTERM
t0=$(vm_now_ms)
vm_exec pkill -TERM -x meshnfs
vm_bg_wait watch 10
check_eq "SIGTERM: watch ended, exit 0" "1 0" "$VM_ENDED $RC"
measure sigterm_to_end_ms_with_agent_round_trips $(($(vm_now_ms) - t0))

if vm_poweroff; then
	ok "VM powers itself off"
else
	not_ok "VM powers itself off"
	vm_diag_failure
fi
