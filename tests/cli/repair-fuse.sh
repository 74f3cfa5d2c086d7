#!/usr/bin/env bash
# meshnfs repair on the live system against a mount that really hangs or answers ESTALE: a
# FUSE mount (build/tools/hangfs, the kernel path this machine has; the VM suite meets the
# real NFS client) at the configured mount point, in a private mount namespace inside an
# empty network namespace, so neither the machine's mount table nor its network is touched.
# umount is the real one (it acts in the private namespace only); mount and systemctl are
# fakes that record their argv. The empty namespace has no route to the server: repair must
# then detach the dead mount and not mount again.
. "$(dirname "$0")/../lib/tap.sh"
fuse_namespaces "$0" "$@"
plan 42

# ---- inside the namespaces ----
fake_system mount systemctl
mk_tmpdir T
MP=$T/mnt
CTL=$T/control
mkdir "$MP"
set_control() { printf '%s\n' "$1" >"$CTL.new" && mv -f "$CTL.new" "$CTL"; }
printf '[client]\nmountpoint = %s\n' "$MP" >"$T/fuse.conf"
R() { env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" --config "$T/fuse.conf" "$@"; }

# hang_ls: the filesystem set to hang, an ls started in it (LS_PID), and a poll (up to 30 s on
# a loaded machine) until that ls waits in FUSE.
hang_ls() {
	set_control "getattr=hang"
	ls "$MP" >/dev/null 2>&1 &
	LS_PID=$!
	at_exit "kill -9 $LS_PID 2>/dev/null"
	for _ in $(seq 600); do
		case "$(cat "/proc/$LS_PID/wchan" 2>/dev/null)" in *fuse* | *request_wait_answer*) break ;; esac
		sleep 0.05
	done
}

# start_fs: hangfs at $MP, answering normally.
start_fs() {
	set_control ""
	"$HANGFS" "$CTL" "$MP" 2>>"$T/hangfs.log" &
	FS_PID=$!
	# (the control released first: hangfs does not end while a request of its hangs)
	at_exit "set_control ''; kill $FS_PID 2>/dev/null; wait $FS_PID 2>/dev/null"
	for _ in $(seq 600); do # a poll, up to 30 s on a loaded machine (was 5 s)
		mounted && break
		sleep 0.05
	done
}
mounted() { grep -q " $MP .* - fuse.hangfs " /proc/self/mountinfo; }
at_exit "umount -l '$MP' 2>/dev/null"
at_exit ": >'$CTL.new'; mv -f '$CTL.new' '$CTL'"

start_fs
check "hangfs is mounted at $MP (private mount namespace)" mounted

# Healthy: nothing to do, nothing run.
run R --timeout 2 repair
check_eq "healthy: exit 0" 0 "$RC"
check_match "healthy: the mount answers" "already right: $MP is mounted .* and answers" "$OUT"
check_empty "healthy: nothing run" 0 "$(logged "$FAKE_LOG")"

# Hung: the plan detaches it; --dry-run shows and does nothing.
# watch --once while that ls hangs: it is counted as blocked (watch_blocked.c's /proc scan
# runs nowhere else but the lab's e2e watch.sh; mutation run 3: its match filter negated, so
# the blocked ls was skipped, passed every fast suite).
hang_ls
run R --json --timeout 2 watch --once --detach-after 0
check_match "hung: watch --once counts the blocked ls" "^[1-9][0-9]*$" "$(jget .blocked_processes)"
check "hung: watch --once (--detach-after 0) left it mounted" mounted
# The health probe's child hangs in the mount: it must hold none of meshnfs's own descriptors,
# its stdin included (a stuck child holding a pipe open blocks whoever feeds meshnfs).
env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" --config "$T/fuse.conf" --timeout 5 repair --dry-run \
	<"$T/fuse.conf" >/dev/null 2>&1 &
R_PID=$!
at_exit "kill $R_PID 2>/dev/null"
# Read once the child waits in FUSE (its wchan), not between fork and its own set-up.
kids="" stdins="" wchan=""
for _ in $(seq 80); do # up to 4 s; 5 s is meshnfs's own bound
	kids=$(pgrep -P "$R_PID" | tr '\n' ' ')
	wchan=""
	for k in $kids; do wchan+="$(cat "/proc/$k/wchan" 2>/dev/null) "; done
	case "$wchan" in *fuse* | *request_wait_answer*) break ;; esac
	sleep 0.05
done
for k in $kids; do stdins+="$(readlink "/proc/$k/fd/0" 2>/dev/null) "; done
wait "$R_PID" 2>/dev/null
check_match "hung: meshnfs's health child was seen hanging in the mount" "fuse|request_wait_answer" "$wchan"
check_eq "hung: the stuck child's stdin is /dev/null, not meshnfs's" "/dev/null " "$stdins"
run R --timeout 1 repair --dry-run
check_match "hung, dry run: plans umount -l" "1\\. run: umount -l $MP +\\(hung: stat failed" "$OUT"
check_match "hung, dry run: does not mount again: the server does not answer" "not mounting again: 100.64.0.1:/opt/shared does not answer" "$OUT"
check "hung, dry run: still mounted" mounted

t0=$(date +%s%N)
run R --timeout 1 repair
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "hung: exit 1 (applied; a note that the server does not answer)" 1 "$RC"
check_match "hung: umount -l done" "ok +repair.umount +umount -l $MP" "$OUT"
check "hung: the mount point is detached" sh -c "! grep -q ' $MP ' /proc/self/mountinfo"
check "hung: repair returned within its bounds (${ms} ms)" test "$ms" -lt 15000
check_empty "hung: nothing mounted again" 1 "$(logged "$FAKE_LOG")"
check_match "hung: not verified, nothing was mounted" "skip +repair.verify +not verified: nothing was mounted again" "$OUT"
check_match "hung: says blocked processes stay blocked" "processes already blocked in $MP stay blocked" "$OUT"
set_control ""
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null
wait "$LS_PID" 2>/dev/null

# umount that does not return: on Linux 6.1, with an NFS server that does not answer, `umount
# -l` detaches the mount at once and then umount itself (umount.nfs4, state D) waits to close
# the NFS session until the server answers (measured in the VM: tests/vm/kernel-client.sh).
# FUSE has no such wait, so a stand-in does what that umount does: the real lazy unmount, then
# a wait past repair's deadline. repair judges by the mount table, not by umount's return.
# Its twin never unmounts at all: that stays a failure.
mkdir "$T/slow" "$T/never"
printf '#!/bin/sh\n%s "$@" || exit\nexec sleep 30\n' "$(command -v umount)" >"$T/slow/umount"
printf '#!/bin/sh\nexec sleep 30\n' >"$T/never/umount"
chmod 755 "$T/slow/umount" "$T/never/umount"
RB() { local bin=$1; shift; env PATH="$bin:$FAKE_SYS:$TEST_PATH" "$MESHNFS" --config "$T/fuse.conf" "$@"; }
# um FIELD: the umount step's result (the last repair.umount check; a note may come first).
um() { jget "[.checks[] | select(.id == \"repair.umount\")] | last | .$1"; }
# pid_in TEXT: the pid named in "NAME (pid N)".
pid_in() { sed -n 's/.*sleep (pid \([0-9]*\)).*/\1/p' <<<"$1" | head -n 1; }
start_fs
set_control "getattr=hang"
ls "$MP" >/dev/null 2>&1 &
LS_PID=$!
at_exit "kill -9 $LS_PID 2>/dev/null"

run RB "$T/never" --timeout 1 --json repair
check_eq "umount never returns, mount stays: repair.umount fails" fail \
	"$(um status)"
check_match "... no answer within its deadline" "^umount -l $MP: no answer within 1 s \(stopped\)" \
	"$(um summary)"
detail=$(um detail)
check_match "... where it waited at the deadline, and that SIGKILL ended it" \
	"^at the deadline: sleep \(pid [0-9]+\) in state S .*SIGKILL ended it" "$detail"
check "... the stuck process is gone" pid_gone "$(pid_in "$detail")"
check_eq "... exit 2" 2 "$RC"
check "... still mounted" mounted

t0=$(date +%s%N)
run RB "$T/slow" --timeout 1 --json repair
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "umount detaches, then waits past its deadline: repair.umount ok" ok \
	"$(um status)"
check_match "... detached, judged by the mount table" \
	"^umount -l $MP: detached \(gone from the mount table at once\); umount itself did not return within 1 s" \
	"$(um summary)"
detail=$(um detail)
check_match "... names the stuck process, its state, and that SIGKILL ended it" \
	"^At the deadline sleep \(pid [0-9]+\) waited in state S.*SIGKILL ended it" "$detail"
check "... the stuck process is gone" pid_gone "$(pid_in "$detail")"
check "... the mount point is detached" sh -c "! grep -q ' $MP ' /proc/self/mountinfo"
check_eq "... exit 1 (the note that the server does not answer)" 1 "$RC"
check_empty "... nothing mounted again: the server does not answer" 1 "$(logged "$FAKE_LOG")"
check_empty "... the plan had no mount step" 1 \
	"$(jget '[.plan.steps[] | select(.id == "repair.mount")] | length | select(. > 0)')"
check "... repair returned within its bounds (${ms} ms)" test "$ms" -lt 15000
set_control ""
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null
wait "$LS_PID" 2>/dev/null

# Stale file handle: the same remedy.
start_fs
set_control "getattr=estale"
run R --timeout 2 repair
check_match "ESTALE: detached with umount -l" "ok +repair.umount +umount -l $MP" "$OUT"
check "ESTALE: the mount point is detached" sh -c "! grep -q ' $MP ' /proc/self/mountinfo"
set_control ""
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null

# Read-only: not something a new mount fixes; nothing done.
start_fs
set_control "readdir=eacces"
run R --timeout 2 repair
check_eq "EACCES: exit 1 (a note)" 1 "$RC"
check_match "EACCES: says a new mount does not fix it" "not something a new mount fixes" "$OUT"
check "EACCES: still mounted" mounted
check_empty "EACCES: nothing run" 1 "$(logged "$FAKE_LOG")"
set_control ""
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null

# watch detaches a mount still hung after --detach-after, and says that the processes already
# blocked in it stay blocked (mutation run 4: watch_round.c:533's plural test flipped, "1
# process ... stays" became "stay"; only the VM suite's watch.sh detached before).
start_fs
hang_ls
mkdir -p "$T/prom"
# exec: W_PID is meshnfs itself (a function run with & is a subshell: killing it left watch
# running, holding tests/run's output pipe open, and the suite waited for ever)
(exec env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" --config "$T/fuse.conf" --timeout 1 watch \
	--interval 1 --detach-after 1 --textfile "$T/prom" 2>"$T/watch.err") &
W_PID=$!
at_exit "kill -9 $W_PID 2>/dev/null; umount -l '$MP' 2>/dev/null"
for _ in $(seq 1200); do # a poll, up to 60 s (two rounds, each up to its 1 s deadlines)
	grep -q "already blocked" "$T/watch.err" 2>/dev/null && break
	kill -0 "$W_PID" 2>/dev/null || break
	sleep 0.05
done
detached=no
grep -q " $MP .* - tmpfs meshnfs-detached " /proc/self/mountinfo && detached=yes
kill -TERM "$W_PID" 2>/dev/null
wait "$W_PID" 2>/dev/null
check_match "watch --detach-after 1: the one blocked ls, in the singular" \
	"1 process already blocked on it stays blocked until the server answers or it is killed" \
	"$(cat "$T/watch.err")"
check_eq "watch --detach-after 1: a read-only placeholder stands at the mount point" yes "$detached"
# The first round's health child is still stuck in the hung mount (mutation run 5:
# watch_round.c:356's `state != 'Z'` made `==` counted it gone, and started another each round).
check_match "watch --detach-after 1: its stuck check child is counted" \
	"meshnfs_stuck_checks\{mountpoint=\"$MP\"\} 1" "$(cat "$T/prom/meshnfs.prom" 2>/dev/null)"
set_control ""
kill "$FS_PID" 2>/dev/null
wait "$FS_PID" 2>/dev/null
wait "$LS_PID" 2>/dev/null
