#!/bin/bash
# Guest side of tests/vm/kernel-client.sh: PID 1 of the VM. The guide's client steps with the
# kernel's own NFSv4 client, then the two faults the host injects (hung server, stale handle).
# Each step publishes an event the host checks; the host answers with requests.
. "$(dirname "$0")/guest.sh"
g_start

MNT=$VM_PSEUDO
SRC=$VM_SERVER_ADDR:$VM_PSEUDO
OPTS=${VM_MOUNT_OPTS:-soft,timeo=150}
HOLD_TIMEOUT=${VM_HUNG_WAIT:-600}

# The guide, steps 2 and 3: mount point, test mount.
t0=$(g_now_ms)
modprobe nfsv4 || g_fail "modprobe nfsv4 failed"
t1=$(g_now_ms)
mkdir -p "$MNT"
out=$(timeout -s KILL 60 mount -t nfs4 "$SRC" "$MNT" -o "$OPTS" 2>&1) || g_fail "mount failed: $out"
t2=$(g_now_ms)
g_say mounted "modprobe_ms=$((t1 - t0))" "mount_ms=$((t2 - t1))" \
	"line=$(awk -v m="$MNT" '$2 == m && $3 == "nfs4"' /proc/self/mounts)"

# The guide's step 4: the persistent entry, in the guest's own /etc/fstab (the overlay's).
echo "$SRC  $MNT  nfs4  _netdev,x-systemd.automount,x-systemd.idle-timeout=600,$OPTS  0  0" \
	>>/etc/fstab || g_fail "cannot write /etc/fstab"
g_say fstab "entry=$(grep -F "$SRC" /etc/fstab)"

# The guide's verification: ls, then a write (here one the host reads back on the server).
host_file=$(timeout -s KILL 30 cat "$MNT/from-host.txt" 2>&1)
msg="written by the guest's kernel $(uname -r), pid $$"
timeout -s KILL 30 sh -c 'printf "%s\n" "$1" >"$2/from-guest.txt" && sync' sh "$msg" "$MNT" \
	|| g_fail "write through the mount failed"
g_say written "host_file=$host_file" "message=$msg"

# Hung server: the host has stopped ganesha. The guide's `ls` goes in the background and stays
# blocked; a bounded check (stat in a child with a deadline) returns and says why.
g_wait_req hang 120 || g_fail "no hang request"
t_ls=$(g_now_ms)
ls "$MNT" >/dev/null 2>"$G_SHARE/ls.err" &
ls_pid=$!
g_bounded_stat "$MNT/from-guest.txt" "${VM_CHECK_SECONDS:-3}"
ls_state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$ls_pid/status" 2>/dev/null)
g_say hung-checked "result=$G_RESULT" "state=$G_STATE" "wchan=$G_WCHAN" "ms=$G_MS" \
	"ls_state=$ls_state" "ls_wchan=$(cat "/proc/$ls_pid/wchan" 2>/dev/null)"

# The host lets the guest sit blocked for a while and asks how ls is doing, still stopped.
g_wait_req held "$HOLD_TIMEOUT" || g_fail "no held request"
g_say held "ls_state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$ls_pid/status" 2>/dev/null)" \
	"ls_ms=$(($(g_now_ms) - t_ls))"
# Then it continues ganesha and says "resume".
g_wait_req resume 120 || g_fail "no resume request"
t_resume=$(g_now_ms)
wait "$ls_pid"
ls_rc=$?
t_end=$(g_now_ms)
g_bounded_stat "$MNT/from-guest.txt" 30
g_say resumed "ls_rc=$ls_rc" "ls_blocked_ms=$((t_end - t_ls))" \
	"ls_after_resume_ms=$((t_end - t_resume))" "ls_err=$(head -n 1 "$G_SHARE/ls.err")" \
	"check=$G_RESULT"

# Stale file handle: the host restarted ganesha with another Path for the same Pseudo.
g_wait_req stale 120 || g_fail "no stale request"
t0=$(g_now_ms)
err=$(timeout -s KILL 60 ls "$MNT" 2>&1 >/dev/null)
rc=$?
t1=$(g_now_ms)
g_bounded_stat "$MNT" 10
g_say stale "ls_rc=$rc" "ls_err=$err" "ls_ms=$((t1 - t0))" "check=$G_RESULT" "check_err=$G_ERR"

# The guide's fix: umount -l, then mount from fstab; the new export's file is there.
t0=$(g_now_ms)
timeout -s KILL 30 umount -l "$MNT"
urc=$?
out=$(timeout -s KILL 60 mount "$MNT" 2>&1)
mrc=$?
t1=$(g_now_ms)
marker=$(timeout -s KILL 30 cat "$MNT/moved.txt" 2>&1)
g_say recovered "umount_rc=$urc" "mount_rc=$mrc" "mount_err=$out" "ms=$((t1 - t0))" \
	"marker=$marker" "line=$(awk -v m="$MNT" '$2 == m && $3 == "nfs4"' /proc/self/mounts)"

timeout -s KILL 30 umount "$MNT"
g_say finished "uptime=$(cut -d' ' -f1 /proc/uptime)"
g_poweroff
