#!/usr/bin/env bash
# meshnfs setup server (kernel and ganesha backends) on fixture roots, with fake exportfs,
# systemctl, service, apt-get and ganesha.nfsd that only record their argv.
. "$(dirname "$0")/../lib/tap.sh"
plan 55
empty_netns NS
fake_system systemctl exportfs service apt-get ganesha.nfsd
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }
# H ROOT ARGS...: meshnfs without --root on ROOT seen as this machine's files (host_view):
# under --root it runs no program, so what setup runs is tested this way.
H() { host_view "$NS" "$1" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "${@:2}"; }
TOK='100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)'

# --- kernel: the path is exported nowhere yet: a drop-in, /etc/exports untouched ---
copy_root server-kernel K
orig=$(cat "$K/etc/exports")
before=$(tree_state "$K")
run M --root "$K" setup server --dry-run
check_eq "dry run: exit 1 (the no_root_squash warning)" 1 "$RC"
check_match "dry run: the drop-in as a new file" $'--- /dev/null\n +\\+\\+\\+ /etc/exports.d/meshnfs.exports\n +@@ -0,0 \\+1 @@\n +\\+/opt/shared  '"${TOK//(/\\(}" "$OUT"
check_match "dry run: then exportfs -ra and enable --now" "run: exportfs -ra.*run: systemctl enable --now nfs-server" "$(tr '\n' ' ' <<<"$OUT")"
check_match "dry run: warns about no_root_squash" "no_root_squash.*a WSL2 user with sudo included, is root on the share" "$OUT"
check_eq "dry run: nothing changed, nothing ran" "$before|" "$(tree_state "$K")|$(logged "$FAKE_LOG")"

run H "$K" setup server
check_eq "kernel: warnings, and only the live probe fails (no mesh in the test's namespace)" \
	"2 fail=setup.verify warn=yes" "$(outcome)"
check_eq "kernel: the drop-in holds the guide's export" "/opt/shared  $TOK" "$(cat "$K/etc/exports.d/meshnfs.exports")"
check_eq "kernel: /etc/exports untouched" "$orig" "$(cat "$K/etc/exports")"
check "kernel: the export directory created" test -d "$K/opt/shared"
check_eq "kernel: exportfs -ra, then systemctl enable --now nfs-server" \
	$'exportfs\t-ra\nsystemctl\tenable\t--now\tnfs-server' "$(logged "$FAKE_LOG")"
: >"$FAKE_LOG"

# Again: the same export is not duplicated; --root-squash updates it in place.
run H "$K" setup server --root-squash
check_eq "root-squash: updated in place, not duplicated" \
	"/opt/shared  100.64.0.0/10(rw,sync,no_subtree_check,root_squash)" "$(cat "$K/etc/exports.d/meshnfs.exports")"
check_no_match "root-squash: no security warning" "no_root_squash \\(the guide" "$OUT"
check_eq "root-squash: the previous version kept" "/opt/shared  $TOK" "$(cat "$K/etc/exports.d/meshnfs.exports.meshnfs.bak")"
: >"$FAKE_LOG"

# --- kernel: the path already exported in /etc/exports: updated there, others untouched ---
copy_root server-kernel K2
printf '/opt/shared\t100.64.0.0/10(rw,async)\t# the mesh\n/srv/other *(ro)\n' >>"$K2/etc/exports"
orig=$(cat "$K2/etc/exports"; echo x)
run H "$K2" setup server
want=${orig/$'/opt/shared\t100.64.0.0/10(rw,async)\t# the mesh'/$'/opt/shared\t'$TOK$'\t# the mesh'}
check_eq "in place: the client's token replaced, the rest byte-identical" "$want" "$(cat "$K2/etc/exports"; echo x)"
check "in place: no drop-in" test ! -e "$K2/etc/exports.d/meshnfs.exports"

# --- nothing to do ---
: >"$FAKE_LOG"
copy_root server-kernel-done KD
before=$(tree_state "$KD")
run H "$KD" setup server --root-squash
check_eq "done: exit 0" 0 "$RC"
check_match "done: nothing to do" "Nothing to do: everything is already right" "$OUT"
check_eq "done: nothing written, nothing run" "$before|" "$(tree_state "$KD")|$(logged "$FAKE_LOG")"

# --- clients wider than the mesh: refused unless --force ---
for c in '*' 0.0.0.0/0 10.0.0.0/8 100.0.0.0/8; do
	copy_root server-kernel W
	before=$(tree_state "$W")
	run H "$W" setup server --clients "$c"
	check_eq "--clients $c: refused (64)" 64 "$RC"
	check_match "--clients $c: says why and names --force" "(not inside the mesh|every host).*--force" "$ERR"
	check_eq "--clients $c: nothing changed" "$before" "$(tree_state "$W")"
done
# Every range of a list is checked, not only up to the first good one (mutation run 14:
# server.c:102's `< 0` made `<= 0` stopped at the first range that passed).
run H "$W" setup server --clients 100.64.7.0/24,10.0.0.0/8
check_eq "--clients GOOD,WIDE: refused (64), the wide one named, nothing changed" \
	"64 yes $before" "$RC $(grep -q '10\.0\.0\.0/8.*not inside the mesh' <<<"$ERR" && echo yes) $(tree_state "$W")"
# An option it does not know: 64 (mutation run 3: `return rc0` after cmd_start turned into
# `return 0` made a usage error exit 0, and passed).
run H "$W" setup server --frobnicate
check_eq "an unknown option: refused (64)" 64 "$RC"
check_match "an unknown option: named" "unknown option '--frobnicate'" "$ERR"
run H "$W" setup server --clients 100.64.0.1/10
check_match "--clients with host bits: refused" "host bits set" "$ERR"
run H "$W" setup server --clients 100.64.7.0/24
check_eq "--clients inside the mesh: accepted (only the live probe fails)" "2 fail=setup.verify warn=yes" "$(outcome)"
run H "$W" setup server --clients 0.0.0.0/0 --force
check_match "--force: written (the client joins the path's line)" " 0\\.0\\.0\\.0/0\\(rw,sync" "$(cat "$W/etc/exports.d/meshnfs.exports")"
: >"$FAKE_LOG"

# --- a broken exports file: 65, named, nothing changed ---
copy_root server-kernel B
printf '/srv/bad  host(rw,frobnicate)\n' >>"$B/etc/exports"
before=$(tree_state "$B")
run H "$B" setup server
check_eq "broken exports: exit 65" 65 "$RC"
check_eq "broken exports: one line naming file, line and token" \
	"meshnfs: /etc/exports:10: unknown export option \"frobnicate\"" "$ERR"
check_eq "broken exports: nothing changed, nothing ran" "$before|" "$(tree_state "$B")|$(logged "$FAKE_LOG")"

# --- ganesha, no systemd, not running: config written, daemon started ---
copy_root server-ganesha G
run H "$G" setup server --backend ganesha --root-squash
check_eq "ganesha: a note (nothing restarts it after a reboot); only the live probe fails" \
	"2 fail=setup.verify warn=yes" "$(outcome)"
conf=$(cat "$G/etc/ganesha/ganesha.conf")
check_match "ganesha: marker line first" "^# meshnfs: written by" "$conf"
check_match "ganesha: the export" $'Path = "/opt/shared";\n\tPseudo = "/opt/shared";' "$conf"
check_match "ganesha: root squashed, mesh clients" $'Squash = Root_Squash;.*Clients = 100.64.0.0/10;' "$(tr '\n' ' ' <<<"$conf")"
check_match "ganesha: NFSv4 only, no grace period" "Protocols = 4;.*Graceless = true;" "$(tr '\n' ' ' <<<"$conf")"
check_eq "ganesha: started as a daemon with its pid file" \
	$'ganesha.nfsd\t-L\t/var/log/ganesha/ganesha.log\t-f\t/etc/ganesha/ganesha.conf\t-p\t/run/ganesha/ganesha.pid\t-N\tNIV_EVENT' \
	"$(logged "$FAKE_LOG")"
check "ganesha: its runtime directories created" test -d "$G/run/ganesha" -a -d "$G/var/log/ganesha"
: >"$FAKE_LOG"

# Running (a process named ganesha.nfsd, found through the pid file): a change reloads it
# with SIGHUP. The stand-in is sleep under that name: SIGHUP ends it, status 129.
mk_tmpdir PROC
cp "$(command -v sleep)" "$PROC/ganesha.nfsd"
# (A wrapper keeps bash's "Hangup" notice out of the TAP stream and records the status. The
# stand-in gets SIGHUP's default action back: run under nohup without tests/run's timeout,
# as tests/mutate ran it, it inherited SIGHUP ignored, slept its 30 s and "it got SIGHUP"
# failed: mutation runs 9 and 10 saw this file fail unmutated.)
bash -c 'env --default-signal=HUP "$1" 30 & echo $! >"$2"; wait $!; echo $? >"$3"' _ "$PROC/ganesha.nfsd" \
	"$G/run/ganesha/ganesha.pid" "$PROC/status" 2>/dev/null &
wrapper=$!
# Up to 30 s (was 2 s), until the pid file names a process that has become the stand-in: $!
# is written at the fork, before bash and env exec it, and meshnfs knows ganesha by its name.
stand_in() { [ "$(cat "/proc/$(cat "$G/run/ganesha/ganesha.pid" 2>/dev/null)/comm" 2>/dev/null)" = ganesha.nfsd ]; }
for _ in $(seq 1500); do stand_in && break; sleep 0.02; done
gpid=$(cat "$G/run/ganesha/ganesha.pid")
at_exit "kill $gpid 2>/dev/null"
# (The stand-in runs in this machine's PID namespace: host_view's own would hide it.)
HOSTVIEW_HOST_PIDS=1 run H "$G" setup server --backend ganesha
check_match "ganesha running: plan sends SIGHUP" "send SIGHUP to ganesha.nfsd \\(reloads the exports\\) \\(pid $gpid\\)" "$OUT"
wait "$wrapper"
check_eq "ganesha running: it got SIGHUP" 129 "$(cat "$PROC/status")"
check_empty "ganesha running: nothing started" 2 "$(logged "$FAKE_LOG")"
check_match "ganesha running: config changed to no_root_squash" "Squash = No_Root_Squash;" "$(cat "$G/etc/ganesha/ganesha.conf")"

# --- a ganesha.conf meshnfs did not write: refused without --force ---
copy_root server-ganesha GF
mkdir -p "$GF/etc/ganesha"
printf 'EXPORT { Export_Id = 7; Path = /data; Pseudo = /data; FSAL { Name = VFS; } }\n' >"$GF/etc/ganesha/ganesha.conf"
before=$(tree_state "$GF")
run H "$GF" setup server --backend ganesha
check_eq "foreign ganesha.conf: exit 65" 65 "$RC"
check_match "foreign ganesha.conf: names --force" "did not write: add --force" "$ERR"
check_eq "foreign ganesha.conf: nothing changed" "$before" "$(tree_state "$GF")"
run H "$GF" setup server --backend ganesha --force
check_match "--force: replaced" "^# meshnfs: written by" "$(cat "$GF/etc/ganesha/ganesha.conf")"
check_match "--force: the previous one kept" "Export_Id = 7" "$(cat "$GF/etc/ganesha/ganesha.conf.meshnfs.bak")"
