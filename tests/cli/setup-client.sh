#!/usr/bin/env bash
# meshnfs setup client on fixture roots (copies), with fake systemctl/mount/apt-get that only
# record their argv. Run in an empty network namespace: setup verifies with the network.
. "$(dirname "$0")/../lib/tap.sh"
plan 76
empty_netns NS
fake_system systemctl mount umount apt-get
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }
# H ROOT ARGS...: meshnfs without --root on ROOT seen as this machine's files (host_view):
# under --root it runs no program, so what setup runs is tested this way. Such a run is live:
# its last step probes the share, which fails in the test's empty network namespace.
H() { host_view "$NS" "$1" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "${@:2}"; }

DEFAULT_OPTS=_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=50,retrans=2

# --- tricky fstab: plan first, nothing changed by --dry-run ---
copy_root client-tricky T
chmod 640 "$T/etc/fstab"
chown 1234:5678 "$T/etc/fstab"
orig=$(cat "$T/etc/fstab"; echo x)
before=$(tree_state "$T")
run M --root "$T" setup client --dry-run
check_eq "dry run: exit 0" 0 "$RC"
check_match "dry run: the plan shows a unified diff of /etc/fstab" \
	$'--- /etc/fstab\n +\\+\\+\\+ /etc/fstab\n +@@ -8,7 \\+8,7 @@' "$OUT"
check_match "dry run: the diff removes the old line" $'\n +-sfspark1:/opt/shared\t/opt/shared\tnfs\tdefaults,hard\t0\t0' "$OUT"
check_match "dry run: the plan lists daemon-reload and mount" "run: systemctl daemon-reload.*run: mount /opt/shared" "$(tr '\n' ' ' <<<"$OUT")"
check_match "dry run: says nothing was changed" "Dry run: nothing was changed and nothing was run" "$OUT"
check_eq "dry run: no file changed (not even a timestamp), no lock file" "$before" "$(tree_state "$T")"
check_empty "dry run: no command ran" 0 "$(logged "$FAKE_LOG")"

# --- applied ---
run H "$T" setup client
check_eq "apply: applied (only the live probe fails: no mesh here)" "2 fail=setup.verify warn=no" "$(outcome)"
want=${orig/$'sfspark1:/opt/shared\t/opt/shared\tnfs\tdefaults,hard\t0\t0'/$'100.64.0.1:/opt/shared\t/opt/shared\tnfs4\t'$DEFAULT_OPTS$'\t0\t0'}
check_eq "apply: the old entry replaced in place, every other byte kept (no final newline either)" \
	"$want" "$(cat "$T/etc/fstab"; echo x)"
check_eq "apply: the original kept as the backup, byte for byte" "$orig" "$(cat "$T/etc/fstab.meshnfs.bak"; echo x)"
check_eq "apply: mode and owner kept" "640 1234:5678" "$(stat -c '%a %u:%g' "$T/etc/fstab")"
check_empty "apply: no temporary left" 2 "$(find "$T/etc" -name '.fstab.meshnfs-*' 2>&1)"
check "apply: mount point created" test -d "$T/opt/shared"
check_eq "apply: commands run in order: daemon-reload, then mount" \
	$'systemctl\tdaemon-reload\nmount\t/opt/shared' "$(logged "$FAKE_LOG")"
check_match "apply: says how to undo" "to undo: cp -p /etc/fstab.meshnfs.bak /etc/fstab" "$OUT"
check_match "apply: the plan was shown before applying" "Plan: .*Applying:" "$(tr '\n' ' ' <<<"$OUT")"

# --- run again: fstab already right, nothing written ---
: >"$FAKE_LOG"
st=$(stat -c '%i %Y %Z' "$T/etc/fstab")
run H "$T" setup client
check_eq "again: nothing fails but the live probe" "2 fail=setup.verify warn=no" "$(outcome)"
check_match "again: fstab already right" "already right: /etc/fstab has the entry" "$OUT"
check_eq "again: fstab not rewritten (same inode, mtime, ctime)" "$st" "$(stat -c '%i %Y %Z' "$T/etc/fstab")"
check_eq "again: only the mount runs (the fixture's mount table is empty)" $'mount\t/opt/shared' "$(logged "$FAKE_LOG")"

# --- already right everywhere: nothing written, nothing run ---
: >"$FAKE_LOG"
copy_root client-done D
before=$(tree_state "$D")
run H "$D" setup client
check_eq "done: exit 0" 0 "$RC"
check_match "done: says so" "Nothing to do: everything is already right" "$OUT"
check_eq "done: nothing written, no lock file" "$before" "$(tree_state "$D")"
check_empty "done: no command ran" 0 "$(logged "$FAKE_LOG")"

# --- a line libmount rejects: 65, file and line named, nothing changed ---
copy_root client-broken B
before=$(tree_state "$B")
run H "$B" setup client
check_eq "broken: exit 65" 65 "$RC"
check_match "broken: names file and line" "^meshnfs: /etc/fstab:3: libmount rejects this line" "$ERR"
check_eq "broken: nothing changed" "$before" "$(tree_state "$B")"
check_empty "broken: no command ran" 65 "$(logged "$FAKE_LOG")"
run M --root "$B" setup client --json --dry-run
check_eq "broken --json: error document with the line" "bad_input:3" "$(jget '.error.kind + ":" + (.error.line|tostring)')"

# --- paths with spaces are written escaped ---
copy_root client-tricky S
run H "$S" setup client --export "/srv/my share" --mountpoint "/mnt/my share" --options soft,timeo=150
check_eq "spaces: nothing fails but the live probe" "2 fail=setup.verify warn=no" "$(outcome)"
check_match "spaces: escaped as \\040" $'\n100\\.64\\.0\\.1:/srv/my\\\\040share  /mnt/my\\\\040share  nfs4  soft,timeo=150  0  0$' "$(cat "$S/etc/fstab")"
check "spaces: the mount point exists with its space" test -d "$S/mnt/my share"
check_match "spaces: mount gets the path as one argument" $'mount\t/mnt/my share$' "$(logged "$FAKE_LOG")"
: >"$FAKE_LOG"

# --- fresh Debian: no fstab, no NFS client: apt-get installs it first ---
copy_root client-fresh F
fake_apt_provides /usr/sbin/mount.nfs4 # (in the namespace's view of /usr/sbin)
run H "$F" setup client
fake_apt_provides
check_eq "fresh: nothing fails but the live probe" "2 fail=setup.verify warn=no" "$(outcome)"
check_eq "fresh: apt-get install first, then daemon-reload and mount" \
	$'apt-get\tinstall\t-y\t--no-install-recommends\tnfs-common\nsystemctl\tdaemon-reload\nmount\t/opt/shared' "$(logged "$FAKE_LOG")"
check_eq "fresh: fstab created with the guide's entry" \
	"100.64.0.1:/opt/shared  /opt/shared  nfs4  $DEFAULT_OPTS  0  0" "$(cat "$F/etc/fstab")"
check_eq "fresh: a new fstab is mode 644" 644 "$(stat -c %a "$F/etc/fstab")"
: >"$FAKE_LOG"

# The package install "succeeds" but provides nothing: setup stops there.
copy_root client-fresh F2
run H "$F2" setup client
check_eq "install without effect: exit 2" 2 "$RC"
check_match "install without effect: said" "apt-get ran, but mount.nfs4 is still missing" "$OUT"
check "install without effect: fstab not created" test ! -e "$F2/etc/fstab"
check_eq "install without effect: nothing after the install ran" \
	$'apt-get\tinstall\t-y\t--no-install-recommends\tnfs-common' "$(logged "$FAKE_LOG")"
: >"$FAKE_LOG"

# The install fails: apt-get update, then once more; still failing, setup stops there.
fake_rc apt_get 100
run H "$F2" setup client
fake_rc apt_get ""
check_eq "install fails: exit 2" 2 "$RC"
check_match "install fails: said with the status" "apt-get install -y --no-install-recommends nfs-common: exited with status 100" "$OUT"
check_match "install fails: apt-get update, then once more" \
	$'^apt-get\tinstall[^\n]*\napt-get\tupdate\napt-get\tinstall[^\n]*$' "$(logged "$FAKE_LOG")"
check "install fails: fstab not created" test ! -e "$F2/etc/fstab"
: >"$FAKE_LOG"

# --- not Debian: says what to install and stops ---
copy_root client-fedora R
before=$(tree_state "$R")
run H "$R" setup client
check_eq "fedora: exit 2" 2 "$RC"
check_match "fedora: says what to install" "not a Debian-like system \\(Fedora Linux 40.*install the NFS client \\(nfs-utils" "$ERR"
check_eq "fedora: nothing changed, nothing run" "$before|" "$(tree_state "$R")|$(logged "$FAKE_LOG")"

# --- WSL2 without systemd: no x-systemd options, bg, the mountFsTab warning ---
copy_root client-wsl2-nosystemd W
run H "$W" setup client
check_eq "wsl2 without systemd: warnings; only the live probe fails" "2 fail=setup.verify warn=yes" "$(outcome)"
check_match "wsl2 without systemd: entry without x-systemd.*, with bg" \
	$'\n100\\.64\\.0\\.1:/opt/shared  /opt/shared  nfs4  _netdev,soft,timeo=50,retrans=2,bg  0  0$' "$(cat "$W/etc/fstab")"
check_match "wsl2 without systemd: says x-systemd.* do nothing" "warn +setup.systemd +systemd is not running here.*x-systemd.\\* options would do nothing" "$OUT"
check_match "wsl2 without systemd: warns about mountFsTab stalls" "warn +setup.wsl +WSL mounts /etc/fstab itself when the distro starts.*stall" "$OUT"
check_eq "wsl2 without systemd: no systemctl, just mount" $'mount\t/opt/shared' "$(logged "$FAKE_LOG")"
: >"$FAKE_LOG"

# --- WSL1 cannot ---
copy_root wsl1 W1
run M --root "$W1" setup client
check_eq "wsl1: exit 2" 2 "$RC"
check_match "wsl1: says why" "WSL1 has no Linux kernel" "$ERR"

# --- arguments ---
run M --root "$T" setup client --server 100.64.0 --dry-run
check_eq "bad --server: exit 64" 64 "$RC"
check_match "bad --server: said as the configuration says it" \
	'--server: "100.64.0" is not an IP address or host name' "$ERR"
run M --root "$T" setup client --mountpoint relative --dry-run
check_eq "bad --mountpoint: exit 64" 64 "$RC"
run M --root "$T" setup client --mountpoint / --dry-run
check_eq "--mountpoint /: exit 64" 64 "$RC"
check_match "--mountpoint /: said" '--mountpoint: "/" is the root directory' "$ERR"
# The same value from the configuration is refused the same way (it would replace the root
# file system's line in fstab), and nothing is written.
before=$(tree_state "$T")
printf '[client]\nmountpoint = /\n' >"$T.conf"
at_exit "rm -f '$T.conf'"
run M --root "$T" --config "$T.conf" setup client
check_eq "mountpoint = / in the configuration: exit 65" 65 "$RC"
check_match "mountpoint = / in the configuration: file and line" \
	"$T.conf:2: mountpoint: \"/\" is the root directory" "$ERR"
check_eq "mountpoint = / in the configuration: nothing written" "$before" "$(tree_state "$T")"
run M --root "$T" setup client --options 'soft,,hard' --dry-run
check_eq "bad --options: exit 64" 64 "$RC"
run M --root "$T" setup
check_eq "setup without a target: exit 64" 64 "$RC"
run M --root "$T" setup frob
check_match "unknown target: named" "unknown setup target 'frob'" "$ERR"

# --- JSON plan ---
copy_root client-tricky J
run M --root "$J" --json setup client --dry-run
# The mount point first: when it cannot be made, fstab is not edited (setup-faults.sh).
check_eq "json: plan steps" "mkdir write run run" "$(jget '[.plan.steps[].kind]|join(" ")')"
check_match "json: the write step has the diff" "^--- /etc/fstab" "$(jget '.plan.steps[1].diff')"
check_eq "json: dry_run true, nothing applied" "true planned" "$(jget '(.plan.dry_run|tostring) + " " + .plan.steps[0].state')"

# --- 20 concurrent runs: exactly one entry, a parseable file ---
copy_root client-tricky C
: >"$FAKE_LOG"
pids=()
for i in $(seq 20); do
	M --root "$C" setup client >"$C/run.$i.out" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
check_eq "concurrent: all 20 runs exit 0" 0 "$fails"
check_eq "concurrent: exactly one entry for /opt/shared" 1 "$(grep -c '[[:space:]]/opt/shared[[:space:]]' "$C/etc/fstab")"
check_eq "concurrent: the old entry is gone" 0 "$(grep -c '^sfspark1:' "$C/etc/fstab")"
check_eq "concurrent: every other line kept" "$(grep -v '/opt/shared' "$FIXTURES/roots/client-tricky/etc/fstab")" \
	"$(grep -v '/opt/shared' "$C/etc/fstab")"
check_eq "concurrent: no temporaries" "" "$(find "$C/etc" -name '.fstab.meshnfs-*' 2>&1)"
check_eq "concurrent: exactly one run wrote the file" 1 "$(grep -l 'ok  *setup.fstab *wrote' "$C"/run.*.out | wc -l)"
run ip netns exec "$NS" "$MESHNFS" --root "$C" --json doctor
check_eq "concurrent: the result parses and doctor finds the entry right" ok \
	"$(jget '.checks[]|select(.id=="fstab.entry")|.status')"
