#!/usr/bin/env bash
# meshnfs probe from a client host of the lab: every diagnosis produced for real (real
# wireguard-go, real nfs-ganesha, real libnfs), with generous time bounds (speed is measured
# in bench/, not here).
. "$(dirname "$0")/../lib/tap.sh"
plan 76
. "$TOP/tests/lab/lib.sh"

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH

# probe ARGS...: meshnfs --json probe ARGS from c1; OUT/ERR/RC, and MS the wall time.
probe() {
	local t0
	t0=$(lab_ms)
	run lab_exec c1 "$MESHNFS" --json "$@"
	MS=$(($(lab_ms) - t0))
}

# expect NAME DIAGNOSIS MAX_MS [MIN_MS]: the last probe's diagnosis, exit code and time.
expect() {
	local name=$1 want=$2 max=$3 min=${4:-0} rc=2
	[ "$want" = ok ] && rc=0
	check_eq "$name: diagnosis $want" "$want" "$(jget .diagnosis)"
	check_eq "$name: exit $rc" "$rc" "$RC"
	check_took "$name: verdict within $max ms + the margin (took $MS ms)" "$MS" "$max" "$min"
	diag "latency $want ($name): $MS ms wall, $(jget .ms) ms in the probe"
}

step() { jget ".steps[] | select(.id == \"$1\") | .$2"; }

# --- healthy
probe probe "$SRV"
expect healthy ok 3000
check_eq "healthy: the export defaults to the configured one" /opt/shared "$(jget .export)"
check_eq "healthy: six steps in order" "route tcp rpc export write ownership" "$(jget '[.steps[].id] | join(" ")')"
check_eq "healthy: every step ok" "ok ok ok ok ok ok" "$(jget '[.steps[].status] | join(" ")')"
check_eq "healthy: the route leaves from c1's mesh address" 100.64.0.3 "$(jget .source)"
check_eq "healthy: owner of root's file is 0 (no root squash)" 0 "$(jget .owner_uid)"
check_match "healthy: every step has a latency" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$(jget '[.steps[].ms] | join(" ")')"
check_eq "healthy: no fix" null "$(jget .fix)"
check_empty "healthy: the test file is gone" 0 "$([ -d "$LAB_EXPORT" ] || echo "no directory $LAB_EXPORT"; ls -A "$LAB_EXPORT" | grep meshnfs-probe)"

run lab_exec c1 "$MESHNFS" --no-color probe "$SRV:/opt/shared"
check_eq "human: exit 0" 0 "$RC"
check_match "human: one line per step with its latency" "ok +write +[0-9]+ ms" "$OUT"
check_match "human: the diagnosis in words" "diagnosis: ok.*serves /opt/shared to this client, read and write" "$(printf '%s' "$OUT" | tr '\n' ' ')"

probe probe --no-write "$SRV"
expect "--no-write" ok 3000
check_eq "--no-write: write and ownership skipped" "skip skip" "$(step write status) $(step ownership status)"

# --- export_denied_or_missing: a wrong path, then a client outside the export's range
probe probe "$SRV:/opt/nothere"
expect "wrong path" export_denied_or_missing 3000
check_match "wrong path: the detail names both causes" "no such path.*does not allow this client \\(100.64.0.3\\)" "$(step export detail)"
check_match "wrong path: the fix says exportfs -v" "exportfs -v" "$(jget .fix)"

lab_fault not_allowed
probe probe "$SRV"
expect "client not allowed" export_denied_or_missing 3000
check_eq "client not allowed: rpc still answers" ok "$(step rpc status)"

# --- read_only
lab_fault read_only
probe probe "$SRV"
expect "read-only export" read_only 3000
check_match "read-only: the fix exports rw" "\\(rw," "$(jget .fix)"

# --- root squash on a world-writable export: works, ownership warns
lab_fault root_squash
probe probe "$SRV"
expect "root squash" ok 3000
check_eq "root squash: ownership warns" warn "$(step ownership status)"
check_eq "root squash: owner is the anonymous id" 65534 "$(jget .owner_uid)"
check_match "root squash: the fix is the guide's no_root_squash" no_root_squash "$(jget .fix)"

# --- permission_denied: root squash on an export only root may write
lab_fault perm_denied
probe probe "$SRV"
expect "permission denied" permission_denied 3000
check_match "permission denied: the write step says NFS4ERR_ACCESS" NFS4ERR_ACCESS "$(step write detail)"

# --- grace: ganesha restarted with client records and without Graceless
lab_fault grace
probe probe "$SRV"
expect "grace period" grace 3000
check_match "grace: the export still mounts" ok "$(step export status)"

# --- refused: ganesha not running
lab_fault refused
probe probe "$SRV"
expect refused refused 3000
check_eq "refused: rpc not tried" skip "$(step rpc status)"

# --- no_nfs_answer: ganesha stopped (SIGSTOP); the kernel still accepts TCP
lab_fault hung
probe --timeout 1 probe "$SRV"
expect "hung server" no_nfs_answer 4000 1000
check_eq "hung server: tcp ok (what nc -zv sees)" ok "$(step tcp status)"
check_eq "hung server: rpc fails" fail "$(step rpc status)"

# --- unreachable: the server's wireguard-go stopped (SYNs dropped)
lab_fault offline
probe --timeout 1 probe "$SRV"
expect "offline peer" unreachable 4000 1000
check_eq "offline peer: tcp fails" fail "$(step tcp status)"
check_match "offline peer: no answer, not refused" "no answer" "$(step tcp detail)"

# --- unreachable: no route at all (an underlay address of no subnet c1 has)
lab_heal
probe probe 198.19.0.1
expect "no route" unreachable 3000
check_eq "no route: the route step fails" fail "$(step route status)"
check_eq "no route: nothing else tried" skip "$(step tcp status)"

# --- unreachable: a name that does not resolve (the resolver has no way out of the lab)
probe --timeout 2 probe nosuchserver.invalid
expect "unknown name" unreachable 4000
check_match "unknown name: the route step says it does not resolve" "resolv" "$(step route detail)"

# --- --timeout is honoured below a second too
lab_fault hung
probe --timeout 0.5 probe "$SRV"
expect "hung server, --timeout 0.5" no_nfs_answer 2000 500

# --- no operand: the configured server and export (the built-in defaults: the lab's server)
lab_heal
run lab_exec c1 "$MESHNFS" probe
check_eq "no operand: the configured server is probed, and answers (exit 0)" "0 probe $SRV:/opt/shared " \
	"$RC $(head -1 <<<"$OUT" | cut -d'(' -f1)"

# --- usage errors never touch the network
run lab_exec c1 "$MESHNFS" probe "$SRV:relative"
check_eq "relative export: exit 64" 64 "$RC"
check_match "relative export: says why" "absolute path" "$ERR"
run lab_exec c1 "$MESHNFS" probe "$SRV" extra
check_eq "two operands: exit 64" 64 "$RC"
