#!/usr/bin/env bash
# meshnfs watch in the lab: the server's faults are real (ganesha stopped: hung; the server's
# wireguard-go stopped: offline; ganesha not running: refused; healed), watched from c1's
# network namespace. The mount is a stand-in: this host has no kernel NFS client (tests/vm has
# one), so the configured mount point holds hangfs (build/tools/hangfs, a FUSE filesystem the
# test switches to hang or answer ESTALE together with the server's fault). `mount` is a
# stand-in too ($T/bin/mount: what repair runs, `mount MP`, starts a fresh hangfs there);
# umount, the lazy unmount and the placeholder are real. Everything runs in a private mount
# namespace (this script re-runs itself there), so the machine's mount table never sees it.
# Checks: transitions logged once each, metrics right (promtool check metrics, textfile and
# HTTP), no pile-up of stuck children, repair of a stale and a lost mount, detach and attach
# again, what applications see while detached, SIGHUP with a bad and a good configuration,
# SIGTERM exits at once.
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner
fi
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/standin.sh"
plan 67

if [ ! -x "$HANGFS" ] || [ ! -c /dev/fuse ] || ! command -v promtool >/dev/null; then
	not_ok "hangfs ($HANGFS), /dev/fuse and promtool are needed (make tools; scripts/deps.sh test)"
	exit 0
fi
lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
NS=$(lab_ns c1)

standin_setup

count_log() { grep -Ec -- "$1" "$T/watch.log"; }
# metric NAME LABEL_REGEX: the value of the first sample of NAME whose labels match.
metric() { grep -E "^$1\{[^}]*${2:-}[^}]*\} " "$T/prom/meshnfs.prom" | head -n 1 | awk '{print $NF}'; }
# promtool passes an empty exposition: the file must hold samples too (mutation run 8: with
# watch_lazy.c's port and flags swapped, GET /metrics answered nothing and passed this check).
promcheck() {
	grep -q '^meshnfs_' "$1" || { diag "$1: no meshnfs_ sample"; return 1; }
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1 || { diag "$(cat "$T/promtool.out")"; return 1; }
}
http_get() {
	nsenter --net="/run/netns/$NS" curl -sS --max-time 5 "http://127.0.0.1:$PORT$1"
}
# hang_all: the server hung (ganesha stopped) and the stand-in mount with it; an ls blocked on
# it, its pid in LS_PID. Not in $(...): lab_fault starts daemons.
hang_all() {
	lab_fault hung
	set_control "getattr=hang readdir=hang"
	ls "$MP" >/dev/null 2>&1 &
	LS_PID=$!
	at_exit "kill -9 $LS_PID 2>/dev/null"
}
# children_of PID: how many processes have PID as their parent (zombies included).
children_of() { ps -o pid= --ppid "$1" | wc -l; }

# ---- healthy, then hung, offline, refused, recovered: each transition logged once
start_fs
check "hangfs is mounted at $MP (private mount namespace)" mounted
start_watch --textfile "$T/prom" --listen "127.0.0.1:$PORT"
check "healthy: logged" wait_log "unknown -> healthy: $MP answers" 20
sleep 2.5
check_eq "healthy: logged once" 1 "$(count_log '-> healthy')"
check "healthy: metrics pass promtool check metrics" promcheck "$T/prom/meshnfs.prom"
check_eq "healthy: meshnfs_diagnosis{diagnosis=\"healthy\"} 1" 1 "$(metric meshnfs_diagnosis 'diagnosis="healthy"')"
check_eq "healthy: meshnfs_server_up 1" 1 "$(metric meshnfs_server_up)"
check_eq "healthy: meshnfs_mount_responsive 1" 1 "$(metric meshnfs_mount_responsive)"
check_match "healthy: the probe's steps timed (rpc)" '^0\.[0-9]+$' "$(metric meshnfs_probe_step_seconds 'step="rpc"')"
http_get /metrics >"$T/http.prom"
check "HTTP: GET /metrics passes promtool check metrics" promcheck "$T/http.prom"
check_match "HTTP: it serves the same families" 'meshnfs_diagnosis\{mountpoint="[^"]*",diagnosis="healthy"\} 1' "$(cat "$T/http.prom")"
check_match "HTTP: other paths are 404" '^404$' "$(nsenter --net="/run/netns/$NS" curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")"

hang_all
# The round may see the server hang a moment before the mount: server_down first, then hung.
check "hung: logged with its cause" wait_log "(healthy|server_down) -> hung: $MP does not answer .*server $LAB_SERVER_MESH: no_nfs_answer" 20
sleep 5 # five more rounds of a hung mount
check_eq "hung: logged once in 5 more rounds" 1 "$(count_log '(healthy|server_down) -> hung')"
line=$(grep -E '(healthy|server_down) -> hung' "$T/watch.log")
check_match "hung: the blocked ls is named (state D, wchan)" "process(es)? blocked on it.*ls \\(pid $LS_PID" "$line"
check_match "hung: cause and fix, check id" "cause: .*; fix: .*\\[check=mount.responsive diagnosis=hung\\]" "$line"
check "hung: metrics pass promtool" promcheck "$T/prom/meshnfs.prom"
check_eq "hung: meshnfs_diagnosis{diagnosis=\"hung\"} 1" 1 "$(metric meshnfs_diagnosis 'diagnosis="hung"')"
check_eq "hung: meshnfs_server_diagnosis{diagnosis=\"no_nfs_answer\"} 1" 1 "$(metric meshnfs_server_diagnosis 'diagnosis="no_nfs_answer"')"
check_eq "hung: meshnfs_mount_responsive 0" 0 "$(metric meshnfs_mount_responsive)"
blocked=$(metric meshnfs_blocked_processes)
check "hung: meshnfs_blocked_processes counts the ls ($blocked)" test "${blocked:-0}" -ge 1
check "hung: at most one stuck check (meshnfs_stuck_checks $(metric meshnfs_stuck_checks))" test "$(metric meshnfs_stuck_checks)" -le 1
kids=$(children_of "$WPID")
check "hung: no pile-up of children after 6 hung rounds ($kids)" test "$kids" -le 2

lab_fault offline
check "offline: the new cause logged" wait_log "hung -> hung: .*server $LAB_SERVER_MESH: unreachable" 20
lab_fault refused
check "refused: the new cause logged" wait_log "hung -> hung: .*server $LAB_SERVER_MESH: refused" 20
sleep 3
check_eq "refused: logged once" 1 "$(count_log 'hung -> hung: .*: refused')"
check_eq "offline: logged once" 1 "$(count_log 'hung -> hung: .*: unreachable')"
kids=$(children_of "$WPID")
check "offline, refused: still no pile-up of children ($kids)" test "$kids" -le 2

lab_heal
set_control ""
check "recovered: logged" wait_log "hung -> healthy: $MP answers" 20
wait "$LS_PID" 2>/dev/null
sleep 2
check_eq "recovered: logged once" 1 "$(count_log 'hung -> healthy')"
check_eq "recovered: meshnfs_diagnosis{diagnosis=\"healthy\"} 1" 1 "$(metric meshnfs_diagnosis 'diagnosis="healthy"')"
check "recovered: metrics pass promtool" promcheck "$T/prom/meshnfs.prom"

# ---- SIGHUP: a bad configuration keeps the old one; a good one is taken
cp "$T/w.conf" "$T/w.good"
printf '[watch]\ninterval = 0\n' >>"$T/w.conf"
kill -HUP "$WPID"
check "SIGHUP, bad configuration: logged with file and line" wait_log "configuration not reloaded: $T/w.conf:7: interval: .*watch keeps the one it had" 10
sleep 2
check "SIGHUP, bad configuration: watch goes on" kill -0 "$WPID"
n=$(metric meshnfs_rounds_total)
sleep 2
check "SIGHUP, bad configuration: rounds go on ($n, then $(metric meshnfs_rounds_total))" test "$(metric meshnfs_rounds_total)" -gt "$n"
cp "$T/w.good" "$T/w.conf"
kill -HUP "$WPID"
check "SIGHUP, good configuration: reloaded" wait_log "configuration reloaded from $T/w.conf" 10

stop_watch
check_eq "SIGTERM: exit 0" 0 "$RC"
check "SIGTERM: gone in $MS ms (promised: 1 s)" test "$MS" -lt 3000

# ---- stale: repaired by watch (umount -l, mount again), logged once each
: >"$T/mount.log"
start_watch --textfile "$T/prom"
wait_log "unknown -> healthy" 20 >/dev/null
set_control "getattr=estale readdir=estale"
check "stale: logged" wait_log "healthy -> stale: $MP answers with stale file handles" 20
check "stale: repaired" wait_log "repair of $MP done: .*repair.umount: umount -l $MP: detached.*repair.mount" 30
check "stale: back to healthy" wait_log "stale -> healthy" 20
check_eq "stale: mount ran once (the stand-in's log)" "$MP" "$(cat "$T/mount.log")"
check_eq "stale: meshnfs_repairs_total{result=\"ok\"} 1" 1 "$(metric meshnfs_repairs_total 'result="ok"')"
stop_watch

# ---- lost: mounted again by watch
: >"$T/mount.log"
start_watch --textfile "$T/prom"
wait_log "unknown -> healthy" 20 >/dev/null
umount -l "$MP"
check "lost: logged" wait_log "healthy -> lost: $MP is not mounted" 20
check "lost: repaired" wait_log "repair of $MP done: .*repair.mount" 30
check "lost: back to healthy" wait_log "lost -> healthy" 20
check "lost: mounted again" mounted
stop_watch

# ---- lost, and the repair fails: said with when it is tried next, and not tried again
#      before then (mutation run 17: the round's watch_action_done dropped lived; the failed
#      repair was then tried again every round, not after 60 s)
: >"$T/mount.log"
start_watch --textfile "$T/prom"
wait_log "unknown -> healthy" 20 >/dev/null
: >"$T/mount.fail"
umount -l "$MP"
check "lost, the repair fails: logged with the next attempt" \
	wait_log "repair of $MP failed: .*the next attempt in 60 s at the earliest" 30
n=$(metric meshnfs_rounds_total)
rounds_past() { [ "$(metric meshnfs_rounds_total)" -ge $((n + 3)) ]; }
check "lost, the repair fails: 3 more rounds" lab_poll 30 rounds_past
check_eq "... in which mount was not run again (the stand-in's log)" "$MP" "$(cat "$T/mount.log")"
check_eq "... meshnfs_repairs_total{result=\"failed\"} 1" 1 "$(metric meshnfs_repairs_total 'result="failed"')"
rm -f "$T/mount.fail"
stop_watch
start_fs

# ---- --detach-after: detached while hung, nothing lands in the bare directory, attached again
start_watch --textfile "$T/prom" --detach-after 2
wait_log "unknown -> healthy" 20 >/dev/null
hang_all
check "detach: logged with what applications see" wait_log "detached $MP \\(umount -l\\) and mounted a read-only empty placeholder" 30
check "detach: the transition logged" wait_log "hung -> detached" 10
check "detach: the placeholder is mounted" placeholder
t0=$(lab_ms)
run ls -A "$MP"
ls_ms=$(($(lab_ms) - t0))
check_eq "detached: ls returns an empty directory, exit 0 ($ls_ms ms)" "0:" "$RC:$OUT"
t0=$(lab_ms)
run touch "$MP/x"
touch_ms=$(($(lab_ms) - t0))
check_match "detached: a write fails with EROFS ($touch_ms ms)" "Read-only file system" "$ERR"
run cat "$MP/README"
check_match "detached: opening a path below it fails with ENOENT" "No such file or directory" "$ERR"
diag "measured while detached: ls -A took $ls_ms ms (empty), touch took $touch_ms ms (EROFS)"
check_eq "detached: the ls started before stays blocked (in FUSE's request_wait_answer)" request_wait_answer "$(cat /proc/$LS_PID/wchan 2>&1)"
check_eq "detached: meshnfs_detached 1" 1 "$(metric meshnfs_detached)"
check_eq "detached: meshnfs_detaches_total 1" 1 "$(metric meshnfs_detaches_total)"
check "detached: metrics pass promtool" promcheck "$T/prom/meshnfs.prom"
lab_heal
set_control ""
check "reattach: logged" wait_log "attached $MP again" 30
check "reattach: back to healthy" wait_log "detached -> healthy" 20
check "reattach: the share is mounted again" mounted
check_eq "reattach: meshnfs_reattaches_total 1" 1 "$(metric meshnfs_reattaches_total)"
check_eq "nothing landed in the bare mount point directory" "" "$(ls -A "$T/peek/mnt" 2>&1)"
wait "$LS_PID" 2>/dev/null
stop_watch
check_eq "SIGTERM after the detach scenario: exit 0 in $MS ms" 0 "$RC"
