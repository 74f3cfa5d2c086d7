#!/usr/bin/env bash
# meshnfs setup server --backend ganesha inside the lab's server host, then meshnfs probe from
# a client host: a real round trip (real wireguard-go, real nfs-ganesha, real libnfs).
#
# The lab's own ganesha is stopped first; setup then writes /etc/ganesha/ganesha.conf, creates
# /opt/shared and, as there is no systemd, starts ganesha.nfsd itself (it daemonizes with its
# pid file). A second run with --root-squash reloads it live with SIGHUP. The server host runs
# in a private mount namespace where /etc/ganesha, /run/ganesha, /var/log/ganesha,
# /var/lib/nfs and /opt are this run's directories: the machine's own are never touched.
# (/var/lib/nfs whole, not /var/lib/nfs/ganesha: only ganesha's first start with its default
# recovery root creates that, so a fresh machine whose ganesha never ran has no mount point
# there. /run/ganesha is made if missing: volatile, the directory ganesha makes itself at
# start.) The daemon setup started is stopped by its pid (from the pid file) at the end.
. "$(dirname "$0")/../lib/tap.sh"
plan 23
. "$TOP/tests/lab/lib.sh"

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH
lab_ganesha_stop
check "the lab's own ganesha is stopped" sh -c "! ip netns exec $(lab_ns srv) sh -c 'cat /proc/net/tcp' | grep -q ':0801 00000000:0000 0A'"

S=$LAB_DIR/srvroot
mkdir -p "$S/etc-ganesha" "$S/run-ganesha" "$S/log-ganesha" "$S/lib-nfs/ganesha" "$S/opt"
GPID_FILE=$S/run-ganesha/ganesha.pid
# The daemon setup starts is this test's to stop: by the pid in its pid file, checked by name.
stop_setup_ganesha() {
	local pid
	pid=$(cat "$GPID_FILE" 2>/dev/null) || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ganesha.nfsd ] || return 0
	kill "$pid"
	for _ in $(seq 100); do [ -d "/proc/$pid" ] || return 0; sleep 0.05; done
	kill -9 "$pid" 2>/dev/null
}
at_exit stop_setup_ganesha

# on_server ARGS...: meshnfs ARGS in the server host, in the private mount namespace.
on_server() {
	lab_exec srv unshare --mount --propagation private sh -c '
		S=$1; shift
		mount --bind "$S/etc-ganesha" /etc/ganesha &&
		mkdir -p /run/ganesha &&
		mount --bind "$S/run-ganesha" /run/ganesha &&
		mount --bind "$S/log-ganesha" /var/log/ganesha &&
		mount --bind "$S/lib-nfs" /var/lib/nfs &&
		mount --bind "$S/opt" /opt &&
		exec "$@"' _ "$S" "$MESHNFS" "$@"
}

# --- first run: configure and start
t0=$(lab_ms)
run on_server --timeout 5 setup server --backend ganesha
ms=$(($(lab_ms) - t0))
check_eq "setup server --backend ganesha: exit 1 (notes: no_root_squash, no systemd)" 1 "$RC"
check_match "the plan writes ganesha.conf and starts ganesha.nfsd" \
	"create /etc/ganesha/ganesha.conf.*run: ganesha.nfsd -L /var/log/ganesha/ganesha.log -f /etc/ganesha/ganesha.conf -p /run/ganesha/ganesha.pid" \
	"$(tr '\n' ' ' <<<"$OUT")"
check_match "ganesha started and listens" "ok +setup.service +ganesha.nfsd -L" "$OUT"
check_match "setup verified itself with the probe ladder" "ok +setup.verify +meshnfs probe 100.64.0.1:/opt/shared: " "$OUT"
check_match "the configuration is meshnfs's" "^# meshnfs: written by" "$(cat "$S/etc-ganesha/ganesha.conf")"
check "the export directory was created (in the private /opt)" test -d "$S/opt/shared"
check_match "ganesha runs, with its pid file" "^[0-9]+$" "$(cat "$GPID_FILE" 2>/dev/null)"
diag "setup server (write, start, verify) took $ms ms"
[ "$RC" = 1 ] || diag "$OUT"

# --- a real round trip from the client host
chmod 0777 "$S/opt/shared"
run lab_exec c1 "$MESHNFS" --json probe "$SRV"
check_eq "probe from c1: diagnosis ok" ok "$(jget .diagnosis)"
check_eq "probe from c1: every step ok" "ok ok ok ok ok ok" "$(jget '[.steps[].status] | join(" ")')"
check_eq "probe from c1: no root squash (the guide's default)" 0 "$(jget .owner_uid)"

# --- second run: nothing changed means nothing done
run on_server --timeout 5 setup server --backend ganesha
check_match "again: ganesha.conf already right" "already right: /etc/ganesha/ganesha.conf exports /opt/shared" "$OUT"
check_match "again: ganesha found running" "already right: ganesha.nfsd is running \\(pid $(cat "$GPID_FILE")\\)" "$OUT"

# --- --root-squash: rewritten and reloaded live with SIGHUP
pid=$(cat "$GPID_FILE")
run on_server --timeout 5 setup server --backend ganesha --root-squash
check_match "root-squash: SIGHUP to the running ganesha" "ok +setup.service +sent SIGHUP to pid $pid" "$OUT"
check_eq "root-squash: the same process serves on" ganesha.nfsd "$(cat "/proc/$pid/comm" 2>/dev/null)"
ok_owner=""
for _ in $(seq 50); do
	run lab_exec c1 "$MESHNFS" --json probe "$SRV"
	[ "$(jget .owner_uid)" = 65534 ] && { ok_owner=1; break; }
	sleep 0.1
done
check_eq "root-squash: the probe's file is now owned by the anonymous id (reloaded live)" 1 "${ok_owner:-0}"
[ -n "$ok_owner" ] || diag "owner $(jget .owner_uid), diagnosis $(jget .diagnosis)"
check_match "root-squash: the backup holds the previous configuration" "Squash = No_Root_Squash;" "$(cat "$S/etc-ganesha/ganesha.conf.meshnfs.bak")"

# --- two shares served here: one configuration, two EXPORTs, reloaded live; both answer
printf '[share one]\nserver = %s\nexport = /opt/shared\n[share two]\nserver = %s\nexport = /opt/two\nmountpoint = /mnt/two\n' \
	"$SRV" "$SRV" >"$S/two.conf"
run on_server --config "$S/two.conf" --timeout 5 setup server --backend ganesha
check_match "two shares: one plan for both, SIGHUP to the same ganesha, both verified by the probe" \
	"Plan: export /opt/shared and /opt/two .*ok +setup.service +sent SIGHUP to pid $pid.*ok +setup.verify +meshnfs probe $SRV:/opt/shared: .*ok +setup.verify +meshnfs probe $SRV:/opt/two: $SRV serves /opt/two" "$(tr '\n' ' ' <<<"$OUT")"
check_eq "two shares: Export_Id 1 and 2" "1 2" "$(grep -o 'Export_Id = [0-9]*' "$S/etc-ganesha/ganesha.conf" | awk '{print $3}' | paste -sd ' ')"
both=""
for _ in $(seq 50); do
	run lab_exec c1 "$MESHNFS" --json probe "$SRV:/opt/two"
	[ "$(jget .diagnosis)" = ok ] && { both=1; break; }
	sleep 0.1
done
check_eq "two shares: the new export answers the probe from c1 (reloaded live)" 1 "${both:-0}"
run lab_exec c1 "$MESHNFS" --json probe "$SRV:/opt/shared"
check_eq "two shares: the first one still answers" ok "$(jget .diagnosis)"

stop_setup_ganesha
check "the ganesha setup started is stopped" sh -c "! [ -d /proc/$pid ]"
