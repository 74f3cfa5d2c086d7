#!/usr/bin/env bash
# Several gateways for one share (issue 15 part 2) in the lab: srv (100.64.0.1) and gw2
# (100.64.0.2) each run nfs-ganesha (FSAL_VFS) exporting the SAME directory as /opt/shared,
# so data written through one reads back through the other. c1's share "data" lists both
# (servers = 100.64.0.1, 100.64.0.2). The client's mount is the stand-in of
# tests/lib/standin.sh (this host has no kernel NFS client; tests/vm has one): hangfs at the
# mount point and a mount(8) stand-in that starts it, with /etc/fstab a fixture bound over the
# real one in this private mount namespace. What is real: both ganeshas, the probes through
# each (libnfs), the data written through gw1 with nfs-cp and read back through gw2 with
# nfs-cat, fstab re-pointed by repair (safewrite), the lazy unmount of the old mount.
# gw1's ganesha is killed by its pid: doctor names it, repair moves the client to gw2; repair
# again stays there (back only when asked), repair --gateway moves it back.
# Then the same under meshnfs watch (no repair by hand): gw1 killed -> watch moves the client
# to gw2 (the same repair, through its hook), the data reads back, the log and the metric
# (meshnfs_failovers_total) say so; gw1 back -> watch leaves the client on gw2. And gw1 hung
# (ganesha stopped) with the mount hung too -> watch moves it before any detach.
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner
fi
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lab/gateways.sh"
. "$TOP/tests/lib/standin.sh"
plan 56

if [ ! -x "$HANGFS" ] || [ ! -c /dev/fuse ]; then
	not_ok "hangfs ($HANGFS) and /dev/fuse are needed (make tools)"
	exit 0
fi
lab_up 1 || { not_ok "the lab comes up"; exit 1; }
lab_gateway_add gw2 100.64.0.2 || { not_ok "the second gateway comes up"; exit 1; }
ok "the lab comes up with two gateways"
standin_setup
GW1=$LAB_SERVER_MESH GW2=100.64.0.2
standin_etc_overlay "$GW1:$LAB_PSEUDO"
cat >"$T/g.conf" <<-EOF2
[share data]
servers = $GW1, $GW2
export = $LAB_PSEUDO
mountpoint = $MP
EOF2
# M ARGS...: meshnfs on c1 (its network namespace, this mount namespace), the stand-in mount.
M() { nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/g.conf" --timeout 2 "$@"; }
C1() { nsenter --net="/run/netns/$NS" "$@"; }
nfs_put() { C1 nfs-cp "$@" >/dev/null; }
fstab_source() { awk -v mp="$MP" '$2 == mp { print $1 }' /etc/fstab; }
# S ARGS...: status with the two gateways listed as nodes.
{ cat "$T/g.conf"; printf '[nodes]\ngw1 = %s\ngw2 = %s\n' "$GW1" "$GW2"; } >"$T/s.conf"
S() { nsenter --net="/run/netns/$NS" "$MESHNFS" --config "$T/s.conf" --timeout 2 "$@" status --source config; }

# ---- both gateways serve the same data
run M probe --no-write "$GW1"
check_eq "probe through gw1: ok" 0 "$RC"
run M probe --no-write "$GW2"
check_eq "probe through gw2: ok" 0 "$RC"
echo "written through gw1 at $(date +%s%N)" >"$T/before.txt"
check "data written through gw1 (nfs-cp)" nfs_put "$T/before.txt" "nfs://$GW1$LAB_PSEUDO/before.txt?version=4"
check_eq "it is in the shared directory" "$(cat "$T/before.txt")" "$(cat "$LAB_EXPORT/before.txt" 2>&1)"
start_fs
check "the client's mount is there (stand-in)" mounted
run M --json doctor --share data
check_eq "doctor, both up: share.gateways ok" ok "$(jget '.checks[] | select(.id == "share.gateways") | .status')"
run M repair --share data
check_eq "repair, both up: exit 0, nothing to do" "0 $GW1:$LAB_PSEUDO" "$RC $(fstab_source)"
check_match "repair, both up: the gateway in use answers" "share data: $GW1, the gateway in use, answers" "$OUT"
run S --json
check_eq "status, both up: exit 0; share data ok, both healthy, clients use gw1" "0 ok true,true $GW1" \
	"$RC $(jget '.shares[0] | "\(.verdict) \([.gateways[].healthy] | map(tostring) | join(",")) \(.use)"')"

# ---- gw1's ganesha killed
check "gw1's ganesha killed by its pid" lab_gateway_kill srv
run M --json doctor --share data
check_eq "doctor names gw1: fail" fail "$(jget "[.checks[] | select(.id == \"share.gateway\" and (.summary | contains(\"] $GW1 \")))][0].status")"
check_eq "doctor: gw2 ok" ok "$(jget "[.checks[] | select(.id == \"share.gateway\" and (.summary | contains(\"] $GW2 \")))][0].status")"
check_match "doctor: the share's verdict names the healthy one" "1 of 2 gateways answer.*$GW2" "$(jget '.checks[] | select(.id == "share.gateways") | .summary')"
check_eq "doctor: the share field" data "$(jget '.share')"
check_eq "doctor: nfs.* follow the gateway in use (gw1, named by fstab): nfs.tcp fails, said so" \
	"fail The nfs.* checks probe $GW1: the gateway the fstab entry names." \
	"$(jget '.checks[] | select(.id == "nfs.tcp") | .status') $(jget '.checks[] | select(.id == "share.gateways") | .detail' | grep -o 'The nfs.* checks probe.*')"
run S --json
check_eq "status, gw1 killed: exit 1 (the share available: a warning, no failure)" "1 warn" "$RC $(jget .verdict)"
check_eq "status: share data available through gw2, gw1 refused" "warn true 1 $GW2 refused ok" \
	"$(jget '.shares[0] | "\(.verdict) \(.available) \(.healthy) \(.use) \([.gateways[].diagnosis] | join(" "))"')"
run S
check_match "status, human: gateways marked, the share's verdict and the one to use" \
	"gw1 +$GW1 .* gateway .*refused.*$GW2 \\(gw2\\) +ok +yes: clients use it.*share data: available: 1 of 2 gateways answer; clients use $GW2" "$(tr '\n' ' ' <<<"$OUT")"
run M --json probe --no-write
check_eq "probe (no HOST): each gateway of the share, exit 2" "2 refused ok" "$RC $(jget '[.gateways[].diagnosis] | join(" ")')"
run M probe --no-write
check_match "probe, human: one ladder per gateway" "gateway 1 of 2 of share data.*diagnosis: refused.*gateway 2 of 2 of share data.*diagnosis: ok" "$(tr '\n' ' ' <<<"$OUT")"
run M repair --share data --dry-run
check_match "repair --dry-run: the plan moves to gw2" "moving the client to $GW2" "$OUT"
check_eq "repair --dry-run: fstab unchanged" "$GW1:$LAB_PSEUDO" "$(fstab_source)"
t0=$(lab_ms)
run M repair --share data
MOVE_MS=$(($(lab_ms) - t0))
check_eq "repair: exit 1 (gw1 does not answer: a warning), done" 1 "$RC"
check_eq "repair: fstab re-pointed to gw2" "$GW2:$LAB_PSEUDO" "$(fstab_source)"
check_match "repair: the old mount detached, the share mounted again" "ok +repair.umount .*detached.*"$'\n'".*ok +repair.fstab.*"$'\n'".*ok +repair.mount" "$OUT"
check_eq "repair: the previous fstab kept as the backup" "$GW1:$LAB_PSEUDO" "$(awk '{ print $1 }' /etc/fstab.meshnfs.bak)"
check "the mount point holds a live mount again" mounted
check_eq "data written before reads back through gw2 (nfs-cat)" "$(cat "$T/before.txt")" "$(C1 nfs-cat "nfs://$GW2$LAB_PSEUDO/before.txt?version=4" 2>&1)"
diag "repair moved the client in ${MOVE_MS} ms"

# ---- the share mounted from the configuration (no fstab entry), its mount stale, gw1 still
# down: the new mount is from the configuration, through the gateway chosen (mutation run 8:
# repair.c:512's `if (g.server)` negated kept the configured server, gw1, for that mount)
cp /etc/fstab "$T/fstab.keep"
: >/etc/fstab
set_control "getattr=estale"
run M repair --share data --dry-run
check_match "no fstab entry, the mount stale, gw1 down: the plan mounts from the configuration through gw2" \
	"[0-9]\\. run: mount -t nfs4 -o [^ ]+ $GW2:$LAB_PSEUDO $MP([[:space:]]|\$)" "$OUT"
set_control ""
cat "$T/fstab.keep" >/etc/fstab

# ---- gw1 back: the client stays on gw2 until asked
lab_ganesha_start
run M repair --share data
check_eq "gw1 back: repair leaves the client on gw2" "0 $GW2:$LAB_PSEUDO" "$RC $(fstab_source)"
run M repair --share data --gateway "$GW1"
check_eq "repair --gateway gw1: back to gw1" "0 $GW1:$LAB_PSEUDO" "$RC $(fstab_source)"
run M repair --share data --gateway 100.64.0.9
check_match "repair --gateway with a host that is no gateway: exit 64, named" "^64 .*\"100.64.0.9\" is not a gateway of share data \\($GW1, $GW2\\)" "$RC $ERR"

# ---- under watch: gw1 killed, watch moves the client by itself
mkdir -p "$T/prom"
metric() { grep -E "^$1\{[^}]*\} " "$T/prom/meshnfs.prom" | head -n 1 | awk '{print $NF}'; }
# gw_watch: watch of share data in c1's network namespace, 1 s rounds, its log in
# $T/watch.log, its pid in WPID (stop_watch from tests/lib/standin.sh ends it).
gw_watch() {
	: >"$T/watch.log"
	nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/g.conf" \
		--timeout 1 watch --share data --interval 1 --textfile "$T/prom" 2>>"$T/watch.log" &
	WPID=$!
	at_exit "kill -9 $WPID 2>/dev/null"
}
rounds() { metric meshnfs_rounds_total; }
# after_rounds N: waits (at most 30 s) until N more rounds have finished.
after_rounds() {
	local want=$(($(rounds) + $1)) i
	for ((i = 0; i < 300; i++)); do
		[ "$(rounds)" -ge "$want" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
check_eq "before watch: the client is on gw1" "$GW1:$LAB_PSEUDO" "$(fstab_source)"
gw_watch
check "watch: healthy through gw1" wait_log "unknown -> healthy: $MP answers; server $GW1: ok" 20
check_match "watch: its start names the share's gateways" "share data has 2 gateways \\($GW1, $GW2\\)" "$(cat "$T/watch.log")"
t0=$(lab_ms)
lab_gateway_kill srv
check "watch: gw1 killed -> moved to gw2 (watch.failover logged)" wait_log "failover of $MP, share data: moved from gateway $GW1 \\(refused\\) to $GW2" 30
FAILOVER_MS=$(($(lab_ms) - t0))
diag "watch moved the client ${FAILOVER_MS} ms after gw1 was killed (1 s rounds, --timeout 1):" "$(grep "failover of" "$T/watch.log")"
check_match "watch: the failover record (notice, check id, cause)" "notice: failover of .*cause: .*$GW1.*\\[check=watch.failover" "$(grep 'failover of' "$T/watch.log")"
check_match "watch: the transition before it: server_down, gw1 refused" "healthy -> server_down: $MP .*server $GW1: refused" "$(cat "$T/watch.log")"
check_eq "watch: fstab re-pointed to gw2" "$GW2:$LAB_PSEUDO" "$(fstab_source)"
check "watch: the mount point holds a live mount again" mounted
check "watch: healthy again through gw2 (logged)" wait_log "-> healthy: $MP answers; server $GW2: ok" 20
check_eq "watch: data written before reads back through gw2 (nfs-cat)" "$(cat "$T/before.txt")" "$(C1 nfs-cat "nfs://$GW2$LAB_PSEUDO/before.txt?version=4" 2>&1)"
check_eq "watch: meshnfs_failovers_total 1" 1 "$(metric meshnfs_failovers_total)"
check_eq "watch: the probe follows the gateway in use (server label gw2, up)" 1 "$(grep -E "^meshnfs_server_up\{server=\"$GW2\"" "$T/prom/meshnfs.prom" | awk '{print $NF}')"
lab_ganesha_start
check "watch: gw1 back, 3 more rounds" after_rounds 3
check_eq "watch: the client stays on gw2 (back only when asked)" "$GW2:$LAB_PSEUDO 1" "$(fstab_source) $(metric meshnfs_failovers_total)"
stop_watch
check_eq "watch: SIGTERM, exit 0" 0 "$RC"
run M --json doctor --share data
check_eq "doctor after the move: nfs.* probe gw2 (fstab's), nfs.export ok" \
	"ok The nfs.* checks probe $GW2: the gateway the fstab entry names." \
	"$(jget '.checks[] | select(.id == "nfs.export") | .status') $(jget '.checks[] | select(.id == "share.gateways") | .detail' | grep -o 'The nfs.* checks probe.*')"

# ---- under watch: gw1 hung (ganesha stopped) and the mount with it
run M repair --share data --gateway "$GW1"
check_eq "repair --gateway gw1: back to gw1 for the next case" "0 $GW1:$LAB_PSEUDO" "$RC $(fstab_source)"
gw_watch
check "watch: healthy through gw1 again" wait_log "unknown -> healthy: $MP answers; server $GW1: ok" 20
lab_fault hung
set_control "getattr=hang readdir=hang"
check "watch: gw1 hung -> moved to gw2" wait_log "failover of $MP, share data: moved from gateway $GW1 \\((no_nfs_answer|cut)\\) to $GW2" 30
check_no_match "watch: moved, not detached" "watch.detach" "$(cat "$T/watch.log")"
check_eq "watch: fstab on gw2, the mount live again" "$GW2:$LAB_PSEUDO yes" "$(fstab_source) $(mounted && echo yes)"
check "watch: healthy through gw2" wait_log "-> healthy: $MP answers; server $GW2: ok" 20
stop_watch
lab_heal >/dev/null
check_eq "watch: SIGTERM with a hung gateway behind, exit 0" 0 "$RC"
