#!/usr/bin/env bash
# meshnfs probe --no-write from a client host of the lab: its export step is one NFSv4 COMPOUND
# (PUTROOTFH, LOOKUPs, GETATTR, GETFH) on the rpc step's connection, with no client id
# (format/rpc.h), where the whole ladder mounts through libnfs (SETCLIENTID: a client record
# on the server). The verdicts must be the ones libnfs's mount gives, and the server must keep
# no client record of it (ganesha's RecoveryRoot lists each confirmed client).
. "$(dirname "$0")/../lib/tap.sh"
plan 23
. "$TOP/tests/lab/lib.sh"

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH

probe() { run lab_exec c1 "$MESHNFS" --json "$@"; }
step() { jget ".steps[] | select(.id == \"$1\") | .$2"; }
# Client records ganesha keeps (one directory per confirmed NFSv4 client).
records() { find "$LAB_DIR/recovery/v4recov" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l; }

# --- healthy: the lookup, and nothing left on the server
before=$(records)
probe probe --no-write "$SRV"
check_eq "healthy: ok, exit 0" "ok 0" "$(jget .diagnosis) $RC"
check_eq "healthy: route, tcp, rpc, export ok; write and ownership skipped" \
	"ok ok ok ok skip skip" "$(jget '[.steps[].status] | join(" ")')"
check_match "healthy: the export step looked the export up without client state" \
	"/opt/shared is exported to this client \\(NFSv4 lookup from the root, no client state\\)" \
	"$(step export detail)"
check_eq "healthy: no client record on the server" "$before" "$(records)"
# status --no-write: the whole ladder after the short probe, on a connection of its own
mk_tmpdir T
# (the configured server is another node, so that sfspark1's ladder follows its short probe)
printf '[server]\naddress = 100.64.0.3\n[nodes]\nsfspark1 = %s\nc1 = 100.64.0.3\n' "$SRV" >"$T/meshnfs.conf"
run lab_exec c1 "$MESHNFS" --config "$T/meshnfs.conf" --json status --source config --no-write
check_eq "status --no-write: the server's whole ladder ok" "ok true" \
	"$(jget '.nodes[]|select(.name=="sfspark1")|"\(.nfs.diagnosis) \(.nfs.full_ladder)"')"
check_eq "status --no-write: no client record on the server" "$before" "$(records)"
probe probe "$SRV"
check_eq "the whole ladder (libnfs's mount) is ok" ok "$(jget .diagnosis)"
check_eq "... and leaves one client record (so the check above can fail)" "$((before + 1))" "$(records)"

# --- a wrong path: the same verdict as libnfs's mount
probe probe --no-write "$SRV:/opt/nothere"
check_eq "wrong path: export_denied_or_missing, exit 2" "export_denied_or_missing 2" "$(jget .diagnosis) $RC"
check_match "wrong path: the LOOKUP's NFS4ERR_NOENT, both causes named" \
	"NFS4ERR_NOENT.*no such path.*does not allow this client \\(100.64.0.3\\)" "$(step export detail)"
check_match "wrong path: the fix says exportfs -v" "exportfs -v" "$(jget .fix)"
probe probe "$SRV:/opt/nothere"
check_eq "wrong path: the whole ladder says the same" export_denied_or_missing "$(jget .diagnosis)"

# --- symlinks on the way: libnfs follows them, so the lookup hands them to libnfs's mount
mkdir -p "$LAB_EXPORT/d/sub" && ln -s d "$LAB_EXPORT/link"
probe probe --no-write "$SRV:/opt/shared/link"
check_eq "a symlink at the end: followed (ok), as libnfs's mount does" ok "$(jget .diagnosis)"
probe probe --no-write "$SRV:/opt/shared/link/sub"
check_eq "a symlink on the way: followed (ok)" ok "$(jget .diagnosis)"
check_match "... through libnfs's mount" "NFSv4 mount" "$(step export detail)"
rm -rf "$LAB_EXPORT/d" "$LAB_EXPORT/link"

# --- the client outside the export's range: hidden
lab_fault not_allowed
probe probe --no-write "$SRV"
check_eq "client not allowed: export_denied_or_missing" export_denied_or_missing "$(jget .diagnosis)"
check_eq "client not allowed: rpc still answers" ok "$(step rpc status)"

# --- read-only: the lookup is allowed (nothing is written)
lab_fault read_only
probe probe --no-write "$SRV"
check_eq "read-only export: ok without the write test" ok "$(jget .diagnosis)"

# --- hung server: no answer to the NULL call
lab_fault hung
probe --timeout 1 probe --no-write "$SRV"
check_eq "hung: no_nfs_answer at the rpc step" "no_nfs_answer fail" "$(jget .diagnosis) $(step rpc status)"

# --- refused, then offline: below NFS, as before
lab_fault refused
probe --timeout 1 probe --no-write "$SRV"
check_eq "refused" refused "$(jget .diagnosis)"
lab_fault offline
probe --timeout 1 probe --no-write "$SRV"
check_eq "offline: unreachable" unreachable "$(jget .diagnosis)"
lab_heal
probe probe --no-write "$SRV"
check_eq "healed: ok again" ok "$(jget .diagnosis)"
