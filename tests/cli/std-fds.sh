#!/usr/bin/env bash
# meshnfs started with descriptors 0-2 closed (`meshnfs status <&-`, a service started without
# them): main holds each on /dev/null, as glibc does for set-user-ID programs, so no file or
# socket meshnfs opens takes number 0, 1 or 2. And started with SIGCHLD ignored (inherited
# through exec from a parent that ignores it): main restores the default, since meshnfs reaps
# its own children (with it ignored, watch's in_child saw a child that ended as one that timed
# out, and ceph_cli waited to its deadline and then killed a pid that was no longer its
# child). Seen from a program meshnfs runs: a stand-in tailscale.exe (Windows side; replays the
# recording) that first notes its parent's descriptors 0-2 and ignored signals. Everything in
# an empty network namespace.
. "$(dirname "$0")/../lib/tap.sh"
plan 6
R=$FIXTURES/roots
empty_netns NS
mk_tmpdir T
WIN=(wslinfo cmd.exe wslpath tailscale.exe netstat.exe)
fake_windows mirrored "${WIN[@]}"
mkdir "$T/real"
ln -s "$TOP/tests/lib/replay" "$T/real/tailscale.exe"
cp "$FAKE_BIN/.replay_dir" "$T/real/.replay_dir"
rm "$FAKE_BIN/tailscale.exe"
cat >"$FAKE_BIN/tailscale.exe" <<SPY
#!/bin/bash
for fd in 0 1 2; do printf '%s=%s ' "\$fd" "\$(readlink /proc/\$PPID/fd/\$fd || echo closed)"; done >>"$T/fds"
echo >>"$T/fds"
while read -r k v; do [ "\$k" = SigIgn: ] && echo "\$v"; done </proc/\$PPID/status >>"$T/sigign"
exec "$T/real/tailscale.exe" "\$@"
SPY
chmod +x "$FAKE_BIN/tailscale.exe"

# stdin closed: held on /dev/null; the table as always (exit 2: nothing answers here).
# (Closed by the shell that execs meshnfs: run's command substitution would put a pipe there.)
# shellcheck disable=SC2016 # expanded by that bash
run host_view "$NS" "$R/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" \
	bash -c 'exec "$0" "$@" <&-' "$MESHNFS" --json status
check_eq "stdin closed: status runs, exit 2 as with it" "2 4" "$RC $(jget '.nodes|length')"
check_eq "stdin closed: descriptor 0 is /dev/null while status runs" "0=/dev/null" \
	"$(head -1 "$T/fds" | grep -o '0=[^ ]*')"
# stdout and stderr closed as well: nothing can be printed (exit 70: the output could not be
# written, as before), and no socket or file took 1 or 2.
: >"$T/fds"
host_view "$NS" "$R/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --json status <&- >&- 2>&-
check_eq "all three closed: the output could not be written (70)" 70 "$?"
check_eq "all three closed: 0-2 are /dev/null while status runs" "0=/dev/null 1=/dev/null 2=/dev/null" \
	"$(head -1 "$T/fds" | sed 's/ $//')"

# SIGCHLD ignored by the parent: meshnfs's own disposition is the default again while it runs.
# (SigIgn is a hexadecimal mask; SIGCHLD, 17, is its bit 16. env execs meshnfs itself: a bash
# in between would install its own SIGCHLD handler.)
chld_ignored() { [ $(((0x$1 >> 16) & 1)) = 1 ]; }
check "SIGCHLD ignored by the parent: env --ignore-signal=CHLD does ignore it" \
	chld_ignored "$(env --ignore-signal=CHLD awk '/^SigIgn:/ {print $2}' /proc/self/status)"
: >"$T/sigign"
run host_view "$NS" "$R/wsl2-mirrored" env --ignore-signal=CHLD PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --json status
check "SIGCHLD ignored by the parent: not in meshnfs while status runs (SigIgn $(head -1 "$T/sigign"))" \
	eval '[ -s "$T/sigign" ] && ! chld_ignored "$(head -1 "$T/sigign")"'
