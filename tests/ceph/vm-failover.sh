#!/usr/bin/env bash
# The real kernel client across a gateway failover (issue 15): Debian's kernel in qemu
# (tests/vm/lib/vm.sh, TCG here) as one more host of the Ceph lab (tests/lab/ceph.sh: a CephFS
# and two ganesha gateways with FSAL_CEPH and the rados_cluster recovery backend, srv =
# gateway 1 at 100.64.0.1 and gw2 = gateway 2 at 100.64.0.2). The guest's share lists both
# gateways; `meshnfs setup client` mounts it through gateway 1 with the options it writes
# (soft,timeo=50,retrans=2, NFSv4.2). A program in the guest (tests/tools/holdfd) opens a file
# on the mount and keeps that one descriptor: it writes A and fsyncs, writes B (no fsync).
# Gateway 1's ganesha is killed; `meshnfs repair` in the guest moves the share to gateway 2.
# What the kernel really does, asserted:
#   - repair re-points fstab and mounts gateway 2, but the new mount waits (and repair's
#     verify says it is hung) while the dead gateway's CephFS session holds its caps; evicted
#     (as an operator does: `ceph tell mds.a client evict`), the data fsynced before the kill
#     reads back through gateway 2, what was written but not fsynced (B) is not there, and a
#     second repair finds nothing to do;
#   - the held descriptor does NOT follow the move: it belongs to the old mount (detached by
#     `umount -l`, alive as long as the descriptor is), still bound to gateway 1's address:
#     a write and the fsync after it fail with EIO once soft's bound runs out (the write itself
#     when B's write-back has already failed, else the fsync: the kernel's timing, both
#     accepted), and so does a read;
#   - gateway 1 back (what the recovery backend is for): the held descriptor works again
#     (its open state reclaimed on gateway 1), but B is a hole of zeros in the file; and the
#     cluster-wide grace period gateway 1's return starts holds the moved mount on gateway 2
#     (a read through it waits).
# Measurements go to the TAP output as "# measure:" lines (docs/scale.md, README quote them).
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"
plan 27
MNT=$LAB_PSEUDO
GW1=$LAB_SERVER_MESH GW2=100.64.0.2
HOLDFD=$TOP/build/tools/holdfd
measure() { diag "measure: $1=$2"; }

vm_require || exit 1
[ -x "$HOLDFD" ] || { not_ok "$HOLDFD is built (make tools)"; exit 1; }
t_start=$(vm_now_ms)
# The tap host comes last: it knows only the hosts added before it (gw2 and cph).
if lab_up 1 && lab_ganesha_stop && lab_ceph_up srv "gw2:$GW2" && vm_tap_up; then
	ok "the Ceph lab with gateways srv ($GW1) and gw2 ($GW2), the guest $VM_GUEST_ADDR on tap $VM_TAP"
else
	not_ok "the Ceph lab with two gateways and a tap host for the guest"
	exit 1
fi
measure lab_up_ms $(($(vm_now_ms) - t_start))
vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || { not_ok "VM boots"; exit 1; }
diag "accelerator: $VM_ACCEL ($VM_ACCEL_WHY); kernel $VM_KVER"
vm_step booted 180 "guest ($VM_ACCEL) reached its agent, WireGuard up" || exit 1
measure boot_wall_ms $(($(vm_now_ms) - VM_T0))

# ---- the share through gateway 1, as meshnfs sets it up
C=/run/vm/meshnfs.conf # the share, seen in the guest at this path
printf '[share data]\nservers = %s, %s\nexport = %s\nmountpoint = %s\n' "$GW1" "$GW2" \
	"$MNT" "$MNT" >"$VM_SHARE/meshnfs.conf"
vm_exec modprobe nfsv4
vm_exec -t 120 "$MESHNFS" --config "$C" --json setup client
diag "setup client: exit $RC in $MS ms"
# mount_of: "SOURCE OPTIONS" of the nfs4 mount at $MNT in the guest.
mount_of() {
	vm_exec cat /proc/self/mounts
	awk -v mp="$MNT" '$2 == mp && $3 == "nfs4" { print $1, $4 }' <<<"$OUT"
}
mnt=$(mount_of)
check_match "setup client mounted the share through gateway 1, soft,timeo=50,retrans=2" \
	"^$GW1:$MNT .*vers=4\\.2,.*soft,.*timeo=50,retrans=2" "$mnt"

HLOG=$VM_SHARE/out/holdfd.log
hf_n=0
# hf CMD SECONDS: one command to the held descriptor (tests/tools/holdfd); HF is its result,
# "ok MS BYTES" or "err ERRNO MS", or "blocked" when none came within SECONDS.
hf() {
	local i
	hf_n=$((hf_n + 1))
	vm_exec sh -c 'printf "%s\n" "$1" >/tmp/hf.fifo' _ "$1"
	for ((i = 0; i < $2 * 10; i++)); do
		HF=$(sed -n "s/^$hf_n \\(ok\\|err\\) /\\1 /p" "$HLOG")
		[ -n "$HF" ] && { diag "held descriptor, $1: $HF"; return 0; }
		sleep 0.1
	done
	HF=blocked
	diag "held descriptor, $1: no answer within $2 s"
}
A="A: written and fsynced through gateway 1"
B="B: written through gateway 1, not fsynced, just before it died"
C_="C: written on the held descriptor after the failover"
D="D: written on the held descriptor once gateway 1 is back"
vm_exec mkfifo /tmp/hf.fifo
vm_bg holdfd "$HOLDFD" "$MNT/held.txt" /tmp/hf.fifo /run/vm/out/holdfd.log
lab_poll 60 grep -q '^0 \(ok\|err\)' "$HLOG"
check_match "a program in the guest opens $MNT/held.txt and holds the descriptor" "^0 ok " \
	"$(grep '^0 \(ok\|err\)' "$HLOG")"
hf "write $A" 30
w1=$HF
hf fsync 30
check_match "it writes A and fsyncs: ok" "^ok .* ok " "$w1 $HF"
hf "write $B" 30
check_match "it writes B (in the page cache, no fsync): ok" "^ok " "$HF"

# ---- gateway 1 killed, meshnfs repair moves the share to gateway 2
gpid=${LAB_PIDS[ganesha-srv]}
lab_stop ganesha-srv KILL
t_kill=$(vm_now_ms)
check "gateway 1's ganesha killed (by its pid)" pid_gone "$gpid"
vm_exec -t 180 "$MESHNFS" --config "$C" --json --timeout 5 repair --share data
repair_rc=$RC repair_ms=$MS
measure repair_ms "$repair_ms"
measure moved_after_kill_ms $(($(vm_now_ms) - t_kill))
check_match "repair: gateway 1 refused, the client moved to gateway 2" \
	"share data: $GW1, the gateway in use, does not answer \\(refused\\); $GW2 does: moving the client to $GW2" \
	"$(jget '[.checks[] | select(.id == "repair.gateway") | .summary] | join("\n")')"
check_match "repair: the old mount detached, fstab re-pointed, the share mounted" "^ok ok ok$" \
	"$(jget '[.checks[] | select(.id == "repair.umount" or .id == "repair.fstab" or .id == "repair.mount") | .status] | join(" ")')"
check_eq "repair: exit 2, its verify finds the new mount hung (the dead gateway's caps)" \
	"2 fail $MNT is still hung after the repair (readdir)" \
	"$repair_rc $(jget '.checks[] | select(.id == "repair.verify") | "\(.status) \(.summary)"')"
vm_exec cat /etc/fstab
check_eq "the guest's fstab names gateway 2" "$GW2:$MNT" \
	"$(awk -v mp="$MNT" '$2 == mp { print $1 }' <<<"$OUT")"
mnt=$(mount_of)
check_match "the mount at $MNT is gateway 2's" "^$GW2:$MNT " "$mnt"
vm_exec -t 10 cat "$MNT/held.txt"
check_eq "a read through gateway 2 waits while the dead gateway's CephFS session holds its caps" \
	"124 1" "$RC $VM_HUNG"
diag "still blocked after $MS ms: state $VM_STATE, wchan $VM_WCHAN"
t0=$(vm_now_ms)
evicted=$(lab_ceph_evict srv | tr '\n' ' ')
check_match "the dead gateway's CephFS session evicted (ceph tell mds.a client evict)" "^[0-9]+ $" "$evicted"
measure evict_ms $(($(vm_now_ms) - t0))
vm_exec -t 60 cat "$MNT/held.txt"
measure share_answers_after_kill_ms $(($(vm_now_ms) - t_kill))
check_eq "through gateway 2: A (fsynced before the kill) is there, B (not fsynced) is lost" \
	"0 $A" "$RC $OUT"
vm_exec -t 120 "$MESHNFS" --config "$C" --json --timeout 5 repair --share data
diag "repair again: $(jget '[.checks[] | "\(.id)=\(.status)"] | join(" ")')"
check_eq "repair again after the eviction: exit 1 (gateway 1 down: a warning), nothing failed, nothing moved" \
	"1 0 0" "$RC $(jget '[.checks[] | select(.status == "fail" or .id == "repair.umount")] | length') $(jget '[.checks[] | select(.status == "fail")] | length')"

# ---- the held descriptor: it belongs to the detached mount, still bound to gateway 1
# Where C's error surfaces depends on whether the kernel has tried to write B back yet. Usually
# it has, and that write-back has failed (measured: an fsync put right here returns EIO in
# 0 ms; the same with the guest's periodic write-back turned off, so something in the failover
# itself flushes it, not the 30 s flusher); C's
# write then goes to the dead gateway itself (likely to read back the page the failed
# write-back invalidated) and fails with EIO after soft's bound, and the fsync after it
# reports B's error at once. When it has not (seen once in CI: write C ok in 68 ms), C joins B
# in the page cache at once, and the fsync after it sends both and fails with EIO after soft's
# bound. Both are the kernel's to choose; the property is the same: the pair fails with EIO,
# at the latest at the fsync, never silently.
hf "write $C_" 120
c_write=$HF
hf fsync 120
c_fsync=$HF
if [[ $c_write == "ok "* ]]; then
	c_where="fsync (C taken into the page cache in ${c_write#ok }; B's write-back not yet in flight)"
	c_err=$c_fsync
else
	c_where="write"
	c_err=$c_write
fi
diag "C's error surfaced at the $c_where"
check_match "the held descriptor: write C then fsync fail with EIO, at the write or at the latest at the fsync (soft: after timeo x (retrans+1))" \
	"^(err EIO [0-9]+ (ok|err) .*|ok [0-9]+ [0-9]+ err EIO [0-9]+)$" "$c_write $c_fsync"
measure held_write_eio_ms "${c_err##* }"
check_match "... the fsync after the write reports the error too (the write-back error of B)" \
	"^err EIO " "$c_fsync"
hf read 120
check_match "... and its read" "^err EIO " "$HF"

# ---- gateway 1 back: the held descriptor's open state is reclaimed there
: >"$LAB_CEPH_DIR/ganesha-srv.log"
t_back=$(vm_now_ms)
check "gateway 1's ganesha started again (same node id in the grace database)" \
	lab_ceph_gateway_add srv
hf "write $D" 150
check_match "gateway 1 back: the held descriptor writes again" "^ok " "$HF"
hf fsync 150
check_match "... and fsyncs" "^ok " "$HF"
measure held_back_after_restart_ms $(($(vm_now_ms) - t_back))
hf read 60
check_match "... and reads" "^ok " "$HF"
# C's bytes: none when its write failed (the offset did not move); when its write was taken,
# its 53 bytes are there, as zeros (dropped with B when the fsync failed) or as C (the
# kernel kept the page dirty and sent it again to the gateway once back): both are correct.
{ printf '%s\n' "$A"; head -c $((${#B} + 1)) /dev/zero; } >"$VM_TMP/expected"
c_as="C never landed"
if [[ $c_write == "ok "* ]]; then
	cp "$VM_TMP/expected" "$VM_TMP/expected-c"
	head -c $((${#C_} + 1)) /dev/zero >>"$VM_TMP/expected"
	printf '%s\n' "$C_" "$D" >>"$VM_TMP/expected-c"
	c_as="C's $((${#C_} + 1)) bytes as zeros (its write was taken, its fsync failed)"
fi
printf '%s\n' "$D" >>"$VM_TMP/expected"
if [ -e "$VM_TMP/expected-c" ] && cmp -s "$VM_TMP/expected-c" "$HLOG.data"; then
	cp "$VM_TMP/expected-c" "$VM_TMP/expected"
	c_as="C (its write was taken; sent again once gateway 1 was back)"
fi
diag "C in the file: $c_as"
check "the file: A, then B's $((${#B} + 1)) bytes as zeros (lost), then D; $c_as" \
	cmp "$VM_TMP/expected" "$HLOG.data"
check_match "gateway 1's return started a grace period for both gateways (srv needs it, gw2 enforces it)" \
	"gw2	 E\\|srv	NE" "$(lab_ceph_grace_dump gw2 | tr '\n' '|')"
vm_exec -t 15 cat "$MNT/held.txt"
check_eq "meanwhile a read through gateway 2 (the moved mount) waits (grace period)" "124 1" \
	"$RC $VM_HUNG"

vm_exec sh -c 'echo quit >/tmp/hf.fifo'
if vm_poweroff; then
	ok "VM powers itself off"
else
	not_ok "VM powers itself off"
	vm_diag_failure
fi
measure total_ms $(($(vm_now_ms) - t_start))
