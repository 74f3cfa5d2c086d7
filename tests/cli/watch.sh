#!/usr/bin/env bash
# meshnfs watch without the lab: what it refuses at start (a configuration it cannot use: 65;
# bad options: 64; an unwritable textfile directory, a port in use: clear errors), --once on
# a mount point where nothing is mounted (exit codes as doctor, JSON, metrics through
# promtool), and what it tells systemd: sd_notify's READY/STATUS/WATCHDOG/STOPPING on a
# NOTIFY_SOCKET, and the journal's structured fields on a stand-in journal socket (a Python
# datagram receiver at /run/systemd/journal/socket, in a private mount namespace: this
# machine has no systemd journal). It all runs in an empty network namespace (no route to
# the server: the probe says unreachable at once).
. "$(dirname "$0")/../lib/tap.sh"
plan 43

empty_netns NS
mk_tmpdir T
mkdir "$T/mnt" "$T/prom"
printf '[client]\nmountpoint = %s\n' "$T/mnt" >"$T/w.conf"
W() { ip netns exec "$NS" "$MESHNFS" --config "$T/w.conf" --timeout 1 "$@"; }

# ---- refused at start
printf '[client]\nmountpoint = %s\n[watch]\ninterval = 0\n' "$T/mnt" >"$T/bad.conf"
run ip netns exec "$NS" "$MESHNFS" --config "$T/bad.conf" watch --once
check_eq "bad [watch] interval: exit 65" 65 "$RC"
check_match "... names file, line and value" "$T/bad.conf:4: interval: \"0\" is not a number in 1..86400" "$ERR"
printf '[client]\nmountpoint = %s\n[watch]\nlisten = 0.0.0.0:http\n' "$T/mnt" >"$T/bad2.conf"
run ip netns exec "$NS" "$MESHNFS" --config "$T/bad2.conf" watch --once
check_eq "bad [watch] listen: exit 65" 65 "$RC"
check_match "... names file and line" "$T/bad2.conf:4: listen: \"0.0.0.0:http\" is not \\[ADDRESS:\\]PORT" "$ERR"
run W watch --interval 0
check_eq "--interval 0: exit 64" 64 "$RC"
run ip netns exec "$NS" "$MESHNFS" --root "$T" watch --once
check_eq "--root: exit 64 (watch acts on this machine)" 64 "$RC"
run W watch --once --textfile "$T/nowhere"
check_eq "textfile directory missing: exit 2" 2 "$RC"
check_match "... says which and why" "textfile directory $T/nowhere: No such file or directory" "$ERR"
mkdir "$T/ro"
run unshare --mount --propagation private sh -c \
	"mount -t tmpfs -o ro tmpfs '$T/ro' && exec ip netns exec '$NS' '$MESHNFS' --config '$T/w.conf' --timeout 1 watch --once --textfile '$T/ro'"
check_eq "textfile directory read-only: exit 2" 2 "$RC"
check_match "... says which file and why" "textfile directory $T/ro: cannot create $T/ro/\\.meshnfs\\.prom\\.[0-9]+\\.tmp: Read-only file system" "$ERR"

empty_netns SRVNS
ip -n "$SRVNS" addr add 100.64.0.1/32 dev lo
run ip netns exec "$SRVNS" "$MESHNFS" --config "$T/w.conf" --timeout 1 watch --once
check_eq "on the server itself (it holds [server] address): exit 65" 65 "$RC"
check_match "... says why" "\\[server\\] address 100.64.0.1 is this node's own address: watch keeps a client's mount" "$ERR"

PORT=$((20000 + RANDOM % 20000))
ip netns exec "$NS" python3 -c "import socket,time
s=socket.socket(); s.bind(('127.0.0.1',$PORT)); s.listen(); time.sleep(60)" &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
for _ in $(seq 50); do ip netns exec "$NS" ss -ltn | grep -q ":$PORT " && break; sleep 0.1; done
run W watch --listen "$PORT"
check_eq "port in use: exit 2" 2 "$RC"
check_match "... says which and why (loopback unless told otherwise)" "--listen $PORT: cannot listen on 127.0.0.1:$PORT: Address already in use" "$ERR"
kill "$HOLDER" 2>/dev/null

# ---- --once on a mount point where nothing is mounted, the server out of reach
run W watch --once
OUT_HUMAN=$OUT
# Under umask 077 (a service's UMask=0077): the textfile must still be readable by others.
run bash -c 'umask 077 && exec "$@"' _ ip netns exec "$NS" "$MESHNFS" --config "$T/w.conf" \
	--timeout 1 --json watch --once --textfile "$T/prom"
check_eq "--once, lost: exit 2 (as doctor)" 2 "$RC"
# --write (the health check also creates and removes a file) is an option like the others
# (mutation run 15: its `return 0` made -EIO refused it, and no test gave it).
run W --json watch --once --write
check_eq "--once --write: taken, the same verdict (exit 2, lost), no usage error" "2 lost" "$RC $(jget .diagnosis)"
# The textfile written at the first try: no "written again" notice (mutation run 7:
# cmd/watch.c:348's `r == 0 && *textfile_err` -> `||` logged one after every write).
check_no_match "--once: no \"metrics written again\" when they never failed" "written again" "$ERR"
check_eq "--once: JSON diagnosis lost" lost "$(jget .diagnosis)"
check_eq "--once: the server's diagnosis" unreachable "$(jget .server_diagnosis)"
check_eq "--once: one transition, check mount.present" "unknown lost mount.present" "$(jget '.events[0] | "\(.from) \(.diagnosis) \(.check)"')"
# The event carries the server's diagnosis (mutation run 12: cmd/watch.c:397's
# `e->server == PROBE_PENDING` -> `!=` said "not_probed" for a probed server, and survived).
check_eq "--once: the event's server diagnosis" unreachable "$(jget '.events[0].server')"
# node_exporter runs as another user: the textfile is world-readable, whatever the umask
# (mutation run 12:
# watch_metrics.c:165's `fsync(fd) < 0 || fchmod(fd, 0644) < 0` -> `&&` skipped the fchmod
# whenever fsync succeeded, leaving mkstemp's 0600, and survived).
check_eq "--once: the textfile is mode 644" 644 "$(stat -c %a "$T/prom/meshnfs.prom")"
check "--once: the textfile passes promtool check metrics" sh -c "promtool check metrics <'$T/prom/meshnfs.prom' 2>&1"
# The whole textfile, the temporary directory and the values in seconds masked, against
# tests/golden/watch-once-lost.prom (a metric, a label or a help text changed shows as a diff;
# after a deliberate change, rewrite it from this output).
prom_diff=$(diff -u "$TOP/tests/golden/watch-once-lost.prom" \
	<(sed -e "s|$T|T|g" -e 's/^\(meshnfs_[a-z_]*seconds{[^ ]*\) .*/\1 S/' "$T/prom/meshnfs.prom") 2>&1)
if [ -z "$prom_diff" ]; then ok "--once: the whole textfile is tests/golden/watch-once-lost.prom"
else not_ok "--once: the whole textfile is tests/golden/watch-once-lost.prom"; diag "$prom_diff"; fi
check_eq "--once: the human output, whole" "lost: $T/mnt; server 100.64.0.1: unreachable" "$OUT_HUMAN"
check_match "--once: the log line on stderr (no journal here)" "error: unknown -> lost: $T/mnt is not mounted \\(lost\\).*\\[check=mount.present diagnosis=lost\\]" "$ERR"

# ---- sd_notify: a NOTIFY_SOCKET of our own; the watchdog asked for every 0.4 s
cat >"$T/recv.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n--\n")
EOF
python3 "$T/recv.py" "$T/notify.sock" "$T/notify.log" &
RECV=$!
at_exit "kill $RECV 2>/dev/null"
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
# The same watch serves its metrics on --listen (loopback of the empty namespace).
LPORT=$((20000 + (PORT - 20000 + 1 + RANDOM % 1000) % 20000))
ip netns exec "$NS" env NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
	"$MESHNFS" --config "$T/w.conf" --timeout 1 watch --interval 1 --listen "$LPORT" \
	--textfile "$T/prom3" 2>"$T/watch.err" &
WPID=$!
at_exit "kill -9 $WPID 2>/dev/null"
# The textfile's directory taken away while watch runs, then back: one error, then one notice
# that the metrics are written again (mutation run 14: cmd/watch.c:351's free of the kept
# error dropped leaked it, which build/meshnfs-san's LeakSanitizer reports at the exit below;
# no test had the textfile fail and recover).
mkdir "$T/prom3"
poll_log() { for _ in $(seq 300); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
poll_log . "$T/prom3/meshnfs.prom"
rm -rf "$T/prom3"
check "textfile directory gone: logged, naming it" poll_log "metrics not written: .*$T/prom3" "$T/watch.err"
mkdir "$T/prom3"
check "... back: 'metrics written again', the file there" \
	eval "poll_log 'metrics written again to $T/prom3/meshnfs.prom' '$T/watch.err' && [ -s '$T/prom3/meshnfs.prom' ]"
# Mutation run 12: watch_http.c:101's `if (!h->daemon)` negated (a started daemon taken for a
# failure) survived: no cli file served metrics over HTTP (only the lab's e2e/watch.sh).
metrics=$(ip netns exec "$NS" python3 -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' "$LPORT" 2>&1)
check_match "--listen: GET /metrics answers with the server's state" \
	'meshnfs_server_diagnosis\{server="100.64.0.1",export="/opt/shared",diagnosis="unreachable"\} 1' "$metrics"
t0=$(date +%s%N)
kill -TERM "$WPID"
wait "$WPID"
RC=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "SIGTERM: exit 0" 0 "$RC"
check "SIGTERM: gone in $ms ms (promised: 1 s)" test "$ms" -lt 3000
notes=$(cat "$T/notify.log")
check_match "sd_notify: READY=1" "READY=1" "$notes"
check_match "sd_notify: STATUS= with the diagnosis" "STATUS=lost: $T/mnt; server 100.64.0.1 unreachable" "$notes"
wd=$(grep -c '^WATCHDOG=1$' "$T/notify.log")
check "sd_notify: WATCHDOG=1 pings (every 0.2 s for ~3 s: $wd)" test "$wd" -ge 5
check_match "sd_notify: STOPPING=1 last" "STOPPING=1"$'\n'"--"$'\n'"?$" "$notes"

# ---- the journal's structured fields (a stand-in journal socket, private mount namespace)
mkdir "$T/journal"
unshare --mount --propagation private bash -c "
	mount -t tmpfs tmpfs /run/systemd || exit 1
	mkdir /run/systemd/journal
	python3 '$T/recv.py' /run/systemd/journal/socket '$T/journal.log' &
	r=\$!
	for _ in \$(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
	ip netns exec '$NS' '$MESHNFS' --config '$T/w.conf' --timeout 1 watch --once >/dev/null 2>'$T/journal.err'
	sleep 0.3
	kill \$r
"
j=$(cat "$T/journal.log" 2>/dev/null)
check_match "journal: MESHNFS_DIAGNOSIS=lost" $'(^|\n)MESHNFS_DIAGNOSIS=lost\n' "$j"
check_match "journal: MESHNFS_CHECK=mount.present" $'(^|\n)MESHNFS_CHECK=mount.present\n' "$j"
# The server's own diagnosis and the state before (mutation run 18: watch.c:176's
# `== PROBE_PENDING` made `!=` said not_probed for a probed server; no check read the field).
check_match "journal: MESHNFS_SERVER_DIAGNOSIS=unreachable, MESHNFS_FROM=unknown" \
	$'(^|\n)MESHNFS_FROM=unknown\nMESHNFS_SERVER_DIAGNOSIS=unreachable\n' "$j"
check_match "journal: PRIORITY=3 and the message" $'PRIORITY=3\n.*|MESSAGE=unknown -> lost: ' "$j"
check_eq "journal: nothing on stderr when the journal took it" "" "$(logged "$T/journal.err")"

# ---- the systemd unit shipped in the repository
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=/usr/sbin/meshnfs|ExecStart=$MESHNFS|" "$TOP/systemd/meshnfs-watch.service" \
		>"$T/meshnfs-watch.service"
	run systemd-analyze verify --man=no "$T/meshnfs-watch.service"
	check_eq "systemd-analyze verify: no complaint about the unit (ExecStart pointed at this build)" "0:" "$RC:$ERR"
else
	ok "# SKIP systemd-analyze is not installed (Debian's systemd package)"
fi
unit=$(cat "$TOP/systemd/meshnfs-watch.service")
check "the unit: Type=notify with a watchdog" grep -Eqz 'Type=notify.*WatchdogSec=[0-9]+' "$TOP/systemd/meshnfs-watch.service"
check_no_match "the unit: no directive that gives it a mount namespace of its own" $'\n(ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|ReadOnlyPaths|ReadWritePaths|InaccessiblePaths|ProtectKernelTunables|ProtectControlGroups|ProtectProc|TemporaryFileSystem|BindPaths)=' "$unit"
