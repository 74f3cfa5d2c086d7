#!/usr/bin/env bash
# meshnfs watch --write meets an MTU black hole below the mesh (lab fault mtu: the server's
# nft drops the underlay's WireGuard packets above 1200 bytes, no ICMP back; NOTES.md): the
# mount answers (small requests), the probe's write stalls and its MTU ladder names the black
# hole, so watch's diagnosis is `degraded`: logged once with the probe's cause and fix (the
# mesh MTU), the metric says degraded, and watch neither repairs, moves nor detaches the mount
# for it (--detach-after 1 given). Healed: back to healthy. The mount is the stand-in of
# tests/lib/standin.sh (hangfs; this host has no kernel NFS client), in a private mount
# namespace; the server, its path and the probe are real.
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner
fi
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/standin.sh"
plan 11

if [ ! -x "$HANGFS" ] || [ ! -c /dev/fuse ] || ! command -v nft >/dev/null; then
	not_ok "hangfs ($HANGFS), /dev/fuse and nft are needed (make tools; scripts/deps.sh lab)"
	exit 0
fi
lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
standin_setup
metric() { grep -E "^$1\{[^}]*${2:-}[^}]*\} " "$T/prom/meshnfs.prom" | head -n 1 | awk '{print $NF}'; }
count_log() { grep -Ec -- "$1" "$T/watch.log"; }

start_fs
check "the stand-in mount is at $MP" mounted
# --timeout 2: the probe's write and its MTU ladder need more than the 1 s of start_watch.
: >"$T/watch.log"
nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/w.conf" \
	--timeout 2 watch --interval 1 --write --detach-after 1 --textfile "$T/prom" \
	2>>"$T/watch.log" &
WPID=$!
at_exit "kill -9 $WPID 2>/dev/null"
check "healthy: logged" wait_log "unknown -> healthy: $MP answers" 30

lab_fault mtu 1200 || { not_ok "lab fault mtu"; exit 1; }
t0=$(lab_ms)
check "mtu black hole: healthy -> degraded logged" wait_log "healthy -> degraded" 60
diag "degraded logged $(($(lab_ms) - t0)) ms after the fault"
line=$(grep -E 'healthy -> degraded' "$T/watch.log" | head -n 1)
check_match "its cause: the server answers, its path loses large packets" \
	"answers, but the server's path loses large packets" "$line"
check_match "... what passed and what did not, and the probe's fix: the mesh MTU, check nfs.write" \
	"up to 1100 bytes came back, of 1200 bytes and more not.*fix: .*ip link set tailscale0 mtu 1100.*\\[check=nfs\\.write diagnosis=degraded\\]" \
	"$line"
# Several rounds in the black hole (detach-after 1 s is long past): nothing done to the mount.
sleep 6
check_eq "degraded: logged once, no repair, no detach, no failover" "1 0 0" \
	"$(count_log 'healthy -> degraded') $(count_log 'repair of|detached|failover') $(count_log '-> (hung|server_down|detached)')"
check "degraded: the stand-in mount is still there (not detached, no placeholder)" mounted
check_eq "degraded: meshnfs_diagnosis{diagnosis=\"degraded\"} 1" 1 "$(metric meshnfs_diagnosis 'diagnosis="degraded"')"

lab_heal || { not_ok "lab heal"; exit 1; }
check "healed: degraded -> healthy logged" wait_log "degraded -> healthy" 60
check_eq "mount(8) never ran but for the first mount" 1 "$(wc -l <"$T/mount.log")"
kill -TERM "$WPID"; wait "$WPID" 2>/dev/null
