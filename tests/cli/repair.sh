#!/usr/bin/env bash
# meshnfs repair on fixture roots (what files tell: a missing mount point, a missing mount
# that fstab describes), with fake mount and systemctl that only record their argv. Hung and
# stale mounts need the live system: tests/cli/repair-fuse.sh. Under --root meshnfs runs no
# program: the commands are listed "to run on that machine" (and the fakes record nothing).
# (A live repair probes the server first: the lab's e2e tests run it for real.)
# listed: the block of commands for that machine, and what the fakes recorded (nothing).
listed() { printf '%s|%s' "$(sed -n '/^Commands to run on that machine/,/^[^ ]/{/^  /p}' <<<"$OUT" | sed 's/^  //')" "$(logged "$FAKE_LOG")"; }
. "$(dirname "$0")/../lib/tap.sh"
# systemd-escape (package systemd) may be absent on a CI image: then its comparison is not made.
has_escape=0
command -v systemd-escape >/dev/null && has_escape=1
plan $((22 + has_escape))
empty_netns NS
fake_system systemctl mount umount
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }

# Mounted (as the fixture's mountinfo says): nothing to do, nothing run.
copy_root client-done D
before=$(tree_state "$D")
run M --root "$D" repair
check_eq "mounted: exit 0" 0 "$RC"
check_match "mounted: says the mount is there" "already right: /opt/shared is mounted \\(100.64.0.1:/opt/shared, nfs4\\)" "$OUT"
check_match "mounted: nothing to do" "Nothing to do: everything is already right" "$OUT"
check_eq "mounted: nothing changed, nothing run" "$before|" "$(tree_state "$D")|$(logged "$FAKE_LOG")"

# Not mounted, no mount point, systemd with an automount entry: mkdir, restart the unit.
rm "$D/proc/self/mountinfo"
rm -r "$D/opt"
run M --root "$D" repair --dry-run
check_match "lost mount: each action shown first" $'1\\. create the directory /opt/shared\n  2\\. on that machine, run: systemctl restart opt-shared\\.automount' "$OUT"
check "lost mount, dry run: nothing created" test ! -e "$D/opt/shared"
check_empty "lost mount, dry run: nothing run" 0 "$(logged "$FAKE_LOG")"
run M --root "$D" repair
check_eq "lost mount: exit 0" 0 "$RC"
check "lost mount: mount point created" test -d "$D/opt/shared"
check_eq "lost mount: the automount unit's restart listed for that machine, nothing run" "systemctl restart opt-shared.automount|" "$(listed)"
check_match "lost mount: not verified under --root" "skip +repair.verify +not verified: --root" "$OUT"
: >"$FAKE_LOG"

# Without systemd: mount MOUNTPOINT from fstab.
copy_root client-wsl2-nosystemd W
echo "100.64.0.1:/opt/shared  /opt/shared  nfs4  _netdev,soft,timeo=50,retrans=2,bg  0  0" >>"$W/etc/fstab"
mkdir -p "$W/opt/shared"
fake_windows old-nat cmd.exe wslpath
run ip netns exec "$NS" env PATH="$FAKE_SYS:$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$W" repair
check_eq "no systemd: mount from fstab, listed for that machine" "mount /opt/shared|" "$(listed)"
check_eq "no systemd: exit 0" 0 "$RC"
: >"$FAKE_LOG"

# A mount point with a space: systemd's escaped unit name.
copy_root client-tricky S
printf "\\n%s\\n" "100.64.0.1:/opt/shared /mnt/my\\040share nfs4 x-systemd.automount,soft 0 0" >>"$S/etc/fstab" # (no final newline there)
printf '[client]\nmountpoint = /mnt/my share\n' >"$S/etc/meshnfs.conf"
run M --root "$S" repair
check_eq "space: unit name escaped as systemd-escape does" "systemctl restart 'mnt-my\\x20share.automount'|" "$(listed)"
if [ "$has_escape" = 1 ]; then
	check_eq "space: the same as systemd-escape" "$(systemd-escape --path --suffix=automount '/mnt/my share')" "mnt-my\\x20share.automount"
fi
: >"$FAKE_LOG"

# Not in fstab: not repair's work.
copy_root client-fresh F
run M --root "$F" repair
check_eq "no fstab entry: exit 1 (a note)" 1 "$RC"
check_match "no fstab entry: points to setup" "/etc/fstab has no entry for it: that is setup's work" "$OUT"
check_empty "no fstab entry: nothing run" 1 "$(logged "$FAKE_LOG")"

# A broken fstab: 65.
copy_root client-broken B
run M --root "$B" repair
check_eq "broken fstab: exit 65" 65 "$RC"
check_match "broken fstab: file and line" "$B/etc/fstab:3: libmount rejects" "$ERR"

# The server itself: nothing to repair.
copy_root server-kernel K
run M --root "$K" repair
check_eq "server: exit 0" 0 "$RC"
check_match "server: says why" "holds the server address 100.64.0.1: it exports, it does not mount" "$OUT"
check_empty "server: nothing run" 0 "$(logged "$FAKE_LOG")"
