#!/usr/bin/env bash
# probe --format nagios against the lab's real server (wireguard-go, nfs-ganesha): OK with
# every step timed, then CRITICAL for a hung server; read by the strict grammar of
# tests/lib/nagios.sh. The refused case and doctor are in tests/cli/nagios.sh.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lib/nagios.sh"
. "$TOP/tests/lab/lib.sh"
plan 9

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH

run lab_exec c1 "$MESHNFS" --timeout 2 probe --format nagios "$SRV"
check "healthy server: well-formed" nagios_parse "$OUT" "$RC"
check_eq "healthy server: OK, exit 0" "OK 0" "$NAGIOS_STATUS $RC"
check_match "healthy server: the text" "^$SRV:/opt/shared ok: " "$NAGIOS_TEXT"
numeric=0
for s in route tcp rpc export write ownership total; do
	[[ $(nagios_perf "$s") =~ ^[0-9]+\.[0-9]{3}s$ ]] && numeric=$((numeric + 1))
done
check_eq "healthy server: all six steps and the total timed" 7 "$numeric"

lab_fault hung
run lab_exec c1 "$MESHNFS" --timeout 1 probe --format nagios "$SRV"
lab_heal
check "hung server: well-formed" nagios_parse "$OUT" "$RC"
check_eq "hung server: CRITICAL, exit 2" "CRITICAL 2" "$NAGIOS_STATUS $RC"
check_match "hung server: no_nfs_answer" "no_nfs_answer" "$NAGIOS_TEXT"
check_match "hung server: tcp timed, export not run (U)" "^[0-9]+\.[0-9]{3}s U$" \
	"$(nagios_perf tcp) $(nagios_perf export)"
