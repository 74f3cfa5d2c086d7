#!/usr/bin/env bash
# Ownership and ID mapping against the lab's real server (nfs-ganesha): probe and doctor run as
# an unprivileged uid on c1. Healthy (Only_Numeric_Owners = true): the test file is owned by
# its creator. Fault idmap (Only_Numeric_Owners = false: ganesha sends owners as user@domain,
# which libnfs maps to 65534): probe's ownership rung names nobody with why and the fix, the
# diagnosis stays ok (a uid the server has a name for: see USER_ID); doctor's ids.idmap says the same; as root the same answer reads as root
# squash with the ID-mapping caveat (the probe cannot tell them apart).
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lab/lib.sh"
plan 12

lab_up 1 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms)"
SRV=$LAB_SERVER_MESH
# A uid the server's /etc/passwd names (daemon, 1, on every Debian): ganesha sends a uid it
# has no name for as a number even with Only_Numeric_Owners = false (measured: uid 4711 came
# back as 4711), so the fault shows only for a named uid.
USER_ID=$(id -u daemon)
as_user() { lab_exec c1 setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups "$@"; }
step() { jget ".steps[]|select(.id==\"$1\")|.$2"; }

run as_user "$MESHNFS" --timeout 3 --json probe "$SRV"
check_eq "numeric owners: the file belongs to uid $USER_ID" "ok $USER_ID" "$(step ownership status) $(jget .owner_uid)"

lab_fault idmap
run as_user "$MESHNFS" --timeout 3 --json probe "$SRV"
check_eq "names: diagnosis ok, exit 0" "ok 0" "$(jget .diagnosis) $RC"
check_eq "names: ownership warns, owner 65534" "warn 65534" "$(step ownership status) $(jget .owner_uid)"
check_match "names: the rung says nobody and why" "uid $USER_ID is owned by nobody \\(65534\\): .*idmapd Domain differs.*nfs4_disable_idmapping.*numeric uid is not shared" "$(step ownership detail)"
check_match "names: the summary says ID mapping" "owned by nobody \\(uid 65534\\): ID mapping" "$(jget .summary)"
check_match "names: the fix names both ways and ganesha's switch" "Only_Numeric_Owners = true.*/etc/idmapd.conf" "$(jget .fix)"

run as_user "$MESHNFS" --timeout 3 --json doctor
check_eq "names: doctor's ids.idmap warns" warn "$(jget '.checks[]|select(.id=="ids.idmap")|.status')"
check_match "names: ... naming the probe's file" "created by uid $USER_ID, is owned by nobody \\(65534\\) on $SRV" "$(jget '.checks[]|select(.id=="ids.idmap")|.summary')"

run lab_exec c1 "$MESHNFS" --timeout 3 --json probe "$SRV"
check_match "names, as root: read as root squash, with the ID-mapping caveat" "root is squashed.*if the export does not squash root, this is nobody: ID mapping failed" "$(step ownership detail)"

lab_heal
run as_user "$MESHNFS" --timeout 3 --json probe "$SRV"
check_eq "healed: the file belongs to its creator again" "ok $USER_ID" "$(step ownership status) $(jget .owner_uid)"
check_eq "healed: diagnosis ok" ok "$(jget .diagnosis)"
