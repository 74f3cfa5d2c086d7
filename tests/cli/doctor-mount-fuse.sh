#!/usr/bin/env bash
# doctor's mount.responsive, mount.write and mount.stale against the real kernel: a FUSE mount
# (build/tools/hangfs) whose answers the test switches to hang, ESTALE, EIO, EROFS and
# EACCES. The host kernel has no NFS client; FUSE is the kernel path this machine has (the VM
# suite meets the real NFS client). Everything runs in a network namespace of its own and a
# private mount namespace: the machine's mount table never sees the FUSE mount.
. "$(dirname "$0")/../lib/tap.sh"
fuse_namespaces "$0" "$@"
plan 67

# ---- inside the namespaces ----
mk_tmpdir T
MP=$T/mnt
CTL=$T/control
mkdir "$MP" "$T/plain"
# set_control WORDS: hangfs reads the file on every request and while a request hangs, so it
# is replaced at once (rename), never truncated and rewritten: an empty read would release.
set_control() {
	printf '%s\n' "$1" >"$CTL.new" && mv -f "$CTL.new" "$CTL"
}
set_control ""
printf '[client]\nmountpoint = %s\n' "$MP" >"$T/fuse.conf"
printf '[client]\nmountpoint = %s\n' "$T/plain" >"$T/plain.conf"

"$HANGFS" "$CTL" "$MP" 2>"$T/hangfs.log" &
FS_PID=$!
# Last registered runs first: release every hung request, stop hangfs, drop the mount.
at_exit "umount -l '$MP' 2>/dev/null"
at_exit "kill $FS_PID 2>/dev/null; wait $FS_PID 2>/dev/null"
at_exit ": >'$CTL.new'; mv -f '$CTL.new' '$CTL'"
for _ in $(seq 600); do # a poll, up to 30 s on a loaded machine (was 5 s)
	grep -q " $MP .* - fuse.hangfs " /proc/self/mountinfo && break
	sleep 0.05
done
check "hangfs is mounted at $MP (private mount namespace)" grep -q " $MP .* - fuse.hangfs " /proc/self/mountinfo
check "the machine's own mount table does not have it" sh -c "! grep -q ' $MP ' /proc/1/mountinfo"
# The stand-in must not fail where NFS does not: removing a file that is still open succeeds
# (NFS renames it aside). libfuse would rename it itself and hangfs has no rename: ENOSYS,
# which watch's write probe met at random in CI run 24 (close() sends FUSE's RELEASE in the
# background, so the file could still be open when the probe's unlink arrived).
check "hangfs: a file still open can be removed (as on NFS)" \
	bash -c "exec 7>'$MP/held' && rm '$MP/held' && ! [ -e '$MP/held' ]"

st() { jget ".checks[]|select(.id==\"$1\")|.status"; }
field() { jget ".checks[]|select(.id==\"$1\")|.$2"; }
# doctor_fuse MODE [TIMEOUT]: sets the control file, runs doctor --json, times it (ELAPSED ms).
doctor_fuse() {
	set_control "$1"
	local t0 t1
	t0=$(date +%s%N)
	run "$MESHNFS" --config "$T/fuse.conf" --timeout "${2:-2}" doctor --json
	t1=$(date +%s%N)
	ELAPSED=$(((t1 - t0) / 1000000))
}
# state_of PID: the State letter from /proc, "gone" when the process no longer exists.
state_of() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
# wait_gone PID SECONDS: until the process is gone or a zombie.
wait_gone() {
	local s
	for _ in $(seq $(($2 * 20))); do
		s=$(state_of "$1")
		[ -z "$s" ] || [ "$s" = Z ] && return 0
		sleep 0.05
	done
	return 1
}

# --- healthy
doctor_fuse ""
check_eq "healthy: mount.responsive ok" ok "$(st mount.responsive)"
check_eq "healthy: mount.write ok" ok "$(st mount.write)"
check_eq "healthy: mount.stale ok" ok "$(st mount.stale)"
check_eq "healthy: health.state ok" ok "$(jget .mount.health.state)"
check_eq "healthy: the root's one file was listed" 1 "$(jget .mount.health.entries)"
# The JSON's step list names the steps that ran, each done (mutation run 13:
# doctor_render.c:52's `!s->started` skip negated listed only the steps never started).
check_eq "healthy: health.steps lists the five steps, each done" \
	"mountpoint:true stat:true readdir:true create:true unlink:true" \
	"$(jget '[.mount.health.steps[] | "\(.step):\(.done)"] | join(" ")')"
check_eq "healthy: the probe file is gone again" "hello" "$(ls -A "$MP")"
check_match "healthy: mount.present says it is not the NFS export" "fuse.hangfs" "$(field mount.present summary)"
diag "healthy: doctor took $ELAPSED ms, the probe $(jget .mount.health.ms) ms"

# --- hung in stat: doctor returns within its bound while a plain ls stays blocked
set_control "getattr=hang"
ls "$MP" >/dev/null 2>&1 &
LS_PID=$!
at_exit "kill -9 $LS_PID 2>/dev/null"
doctor_fuse "getattr=hang" 1
check_eq "hung: mount.responsive fails" fail "$(st mount.responsive)"
check_match "hung: summary says blocked, where and for how long" "^blocked: .ls $MP. did not answer within 1.0 s \(stuck in stat, state [SD]\)$" "$(field mount.responsive summary)"
# The configured server's NFS checks (no route here) do not speak about a FUSE mount: no cause
# is taken from them, and nothing claims a hung NFS server.
check_no_match "hung: no cause from the NFS checks for a FUSE mount" "cause|Cause|nc -zv|hung server" \
	"$(field mount.responsive summary) $(field mount.responsive detail)"
check_eq "hung: the NFS checks of the same run did fail (no route)" fail "$(st mesh.address)"
check_eq "hung: health.state hung" hung "$(jget .mount.health.state)"
check_eq "hung: stuck step stat" stat "$(jget .mount.health.step)"
check_eq "hung: health.steps ends at stat, not done, no time; the later steps not listed" \
	"mountpoint:true stat:false:null" \
	"$(jget '[.mount.health.steps[] | "\(.step):\(.done)" + (if .done then "" else ":\(.ms)" end)] | join(" ")')"
CHILD=$(jget .mount.health.child.pid)
check_match "hung: the stuck child's pid is reported" "^[0-9]+$" "$CHILD"
check_match "hung: its state at the deadline is S or D" "^[SD]$" "$(jget .mount.health.child.state)"
check_match "hung: its wait channel is reported" "^[a-z_0-9.]+$" "$(jget .mount.health.child.wchan)"
check_eq "hung: it was SIGKILLed" true "$(jget .mount.health.child.killed)"
check_match "hung: the evidence is in detail (pid, state, wchan)" "pid $CHILD.*state [SD] .*wchan " "$(field mount.responsive detail)"
check_match "hung: fix detaches the mount" "umount -l $MP" "$(field mount.responsive fix)"
check_eq "hung: mount.write not tried" skip "$(st mount.write)"
check_eq "hung: mount.stale cannot tell" skip "$(st mount.stale)"
check_eq "hung: exit 2" 2 "$RC"
check_took "hung: doctor returned after its 1 s deadline, not hung (took $ELAPSED ms)" "$ELAPSED" 1000
LS_STATE=$(state_of $LS_PID)
check_match "hung: the guide's plain ls is still blocked (state $LS_STATE)" "^[SD]$" "$LS_STATE"
diag "hung: doctor took $ELAPSED ms; child $CHILD was $(jget .mount.health.child.state) in $(jget .mount.health.child.wchan) at the deadline;" \
	"after SIGKILL: exited=$(jget .mount.health.child.exited) kill_ms=$(jget .mount.health.child.kill_ms) state=$(jget .mount.health.child.state_after_kill) wchan=$(jget .mount.health.child.wchan_after_kill);" \
	"plain ls: state $LS_STATE wchan $(cat /proc/$LS_PID/wchan 2>/dev/null)"
if [ "$(jget .mount.health.child.exited)" = false ]; then
	check_match "hung: a child that outlived SIGKILL is reported with its state" "^[SDR]$" "$(jget .mount.health.child.state_after_kill)"
else # (one check either way: the plan does not depend on the race)
	check_eq "hung: the child SIGKILL ended is reported as exited" true "$(jget .mount.health.child.exited)"
fi
# Released, the killed child and the plain ls finish.
set_control ""
check "released: the plain ls finishes" wait_gone $LS_PID 10
check "released: the killed probe child is gone" wait_gone "$CHILD" 10

# --- hung in create: reading works, writing hangs
doctor_fuse "create=hang" 1
check_eq "create hangs: mount.responsive ok" ok "$(st mount.responsive)"
check_eq "create hangs: mount.write fails" fail "$(st mount.write)"
check_match "create hangs: summary" "^blocked: create of a file in $MP did not answer within 1.0 s \(state [SD]\)$" "$(field mount.write summary)"
check_eq "create hangs: mount.stale ok (reading answered)" ok "$(st mount.stale)"
CHILD=$(jget .mount.health.child.pid)
set_control ""
wait_gone "$CHILD" 10
rm -f "$MP"/.meshnfs-probe-* 2>/dev/null # the released create made the file

# --- stale file handle
doctor_fuse "getattr=estale" 2
check_eq "ESTALE: mount.stale fails" fail "$(st mount.stale)"
check_eq "ESTALE: the guide's fix" "umount -l $MP && mount $MP" "$(field mount.stale fix)"
check_match "ESTALE: mount.responsive points to it" "stale file handle .*see mount.stale" "$(field mount.responsive summary)"
check_eq "ESTALE: health.errno" ESTALE "$(jget .mount.health.errno)"
check_match "ESTALE: the evidence (step, errno, child) is in detail" "^stat of $MP failed with ESTALE \(Stale file handle\) after [0-9]+ ms \(probe child pid [0-9]+\)" "$(field mount.stale detail)"
check_eq "ESTALE: health.state stale" stale "$(jget .mount.health.state)"
check_took "ESTALE: answered, not hung (took $ELAPSED ms; --timeout 2)" "$ELAPSED" 2000
diag "ESTALE: doctor took $ELAPSED ms, the probe $(jget .mount.health.ms) ms"

doctor_fuse "readdir=estale" 2
check_eq "ESTALE in readdir: mount.stale fails" fail "$(st mount.stale)"
check_match "ESTALE in readdir: names the step" "ESTALE in readdir" "$(field mount.stale summary)"

# --- I/O error (what a soft mount returns when it gives up)
doctor_fuse "getattr=eio" 2
check_eq "EIO: mount.responsive fails" fail "$(st mount.responsive)"
check_match "EIO: says I/O error" "I/O error \(EIO in stat\)" "$(field mount.responsive summary)"
check_eq "EIO: health.state io_error" io_error "$(jget .mount.health.state)"
check_match "EIO: errno in detail" "failed with EIO \(Input/output error\)" "$(field mount.responsive detail)"
check_eq "EIO: mount.stale ok" ok "$(st mount.stale)"

# --- read-only
doctor_fuse "create=erofs" 2
check_eq "EROFS: mount.responsive ok" ok "$(st mount.responsive)"
check_eq "EROFS: mount.write fails" fail "$(st mount.write)"
check_match "EROFS: says read-only" "read-only \(EROFS in create\)" "$(field mount.write summary)"
check_match "EROFS: the mount is rw, so the fix is the export" "rw,sync,no_subtree_check,no_root_squash" "$(field mount.write fix)"

# --- permission denied
doctor_fuse "readdir=eacces" 2
check_eq "EACCES reading: mount.responsive fails" fail "$(st mount.responsive)"
check_match "EACCES reading: says permission denied" "permission denied \(EACCES in readdir\)" "$(field mount.responsive summary)"
check_match "EACCES reading: fix checks the export" "exportfs -v" "$(field mount.responsive fix)"
doctor_fuse "create=eacces" 2
check_eq "EACCES writing: mount.write fails" fail "$(st mount.write)"
check_match "EACCES writing: explains root squash" "root_squash" "$(field mount.write detail)"

# --- nothing mounted at the configured mount point
run "$MESHNFS" --config "$T/plain.conf" --timeout 2 doctor --json
check_eq "not mounted: mount.present fails" fail "$(st mount.present)"
check_eq "not mounted: mount.responsive skipped" skip "$(st mount.responsive)"
check_empty "not mounted: nothing was created in the plain directory" 2 "$(ls -A "$T/plain" 2>&1)"

# --- nothing mounted at the configured mount point, a hung mount above it: whether the point
# exists cannot be told (the check's child hangs, doctor does not). Mutation run 8:
# doctor_mount.c:604's `state == HUNG ? -ETIMEDOUT : 0` made `!=` called it a directory.
printf '[client]\nmountpoint = %s/sub\n' "$MP" >"$T/under.conf"
set_control "getattr=hang"
run "$MESHNFS" --config "$T/under.conf" --timeout 1 doctor --json
set_control ""
check_eq "under a hung mount: mount.point skipped" skip "$(st mount.point)"
check_match "under a hung mount: cannot tell whether the point exists" \
	"^cannot tell whether $MP/sub exists: Connection timed out$" "$(field mount.point summary)"

# --- the daemon died (SIGKILL: no clean unmount): the mount is still listed, every access
# fails with ENOTCONN
set_control ""
{
	kill -9 "$FS_PID"
	wait "$FS_PID"
} 2>/dev/null # not bash's "Killed" notice
doctor_fuse "" 2
check_eq "daemon gone: mount.responsive fails" fail "$(st mount.responsive)"
check_eq "daemon gone: errno ENOTCONN" ENOTCONN "$(jget .mount.health.errno)"
check_took "daemon gone: answered, not hung (took $ELAPSED ms; --timeout 2)" "$ELAPSED" 2000
diag "daemon gone: $(field mount.responsive summary)"
