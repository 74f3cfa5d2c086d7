#!/usr/bin/env bash
# setup server --backend ceph and doctor's ceph.* checks under --root (another machine's
# files: nothing runs, the cluster's commands are listed), and the key file's permissions.
# The live side (a real cluster) is tests/ceph/gateway.sh.
. "$(dirname "$0")/../lib/tap.sh"
plan 23
empty_netns NS
M() { ip netns exec "$NS" "$MESHNFS" "$@"; }

copy_root server-ganesha R
mkdir -p "$R/etc/ceph"
printf '[global]\nmon host = 198.18.0.9\n' >"$R/etc/ceph/ceph.conf"
KEY=$R/etc/ceph/ceph.client.ganesha.keyring
printf '[client.ganesha]\n\tkey = AQBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n' >"$KEY"
chmod 600 "$KEY"
printf '[server]\nbackend = ceph\n[ceph]\nuser = ganesha\npath = /shared\nnodeid = gw-a\n' >"$R/etc/meshnfs.conf"
GRACE_CMD="ganesha-rados-grace --cephconf /etc/ceph/ceph.conf --userid ganesha --pool nfs-ganesha --ns grace add gw-a"
CEPH_CMD="ceph --conf /etc/ceph/ceph.conf --id ganesha --keyring /etc/ceph/ceph.client.ganesha.keyring --connect-timeout 3 status --format json"

# --- the plan: [server] backend = ceph, the cluster's command listed, FSAL_CEPH written
before=$(tree_state "$R")
run M --root "$R" setup server --dry-run
check_eq "dry run: exit 1 (notes)" 1 "$RC"
check_match "the plan is the ceph backend's" "^Plan: export /opt/shared to 100.64.0.0/10 with nfs-ganesha: CephFS \"cephfs\" /shared \\(FSAL_CEPH\\)" "$OUT"
check_match "the cluster's command is listed for that machine" \
	"Commands to run on that machine \\(--root: meshnfs runs no program\\):(.|$'\n')*  ${CEPH_CMD//./\\.}" "$OUT"
check_match "ganesha.conf gets the CEPH FSAL on [ceph] path, exported as [server] export" \
	"\\+	Path = \"/shared\";.*\\+	Pseudo = \"/opt/shared\";.*\\+		Name = CEPH;" "$(tr '\n' ' ' <<<"$OUT")"
check_match "the gateway's entry in the grace database is listed ([ceph] nodeid)" \
	"Commands to run on that machine \\(--root: meshnfs runs no program\\):(.|$'\n')*  ${GRACE_CMD//./\\.}" "$OUT"
check_eq "dry run: nothing changed" "$before" "$(tree_state "$R")"

run M --root "$R" setup server
check_eq "applied under --root: exit 1 (the commands are skipped, not failed)" 1 "$RC"
check_match "setup.ceph: not run under --root, listed" \
	"skip +setup.ceph +not run under --root: on that machine, run: ${CEPH_CMD//./\\.}" "$OUT"
check_match "ganesha.conf written under the root" "FSAL \\{\s+Name = CEPH;\s+Filesystem = \"cephfs\";\s+User_Id = \"ganesha\";" \
	"$(cat "$R/etc/ganesha/ganesha.conf" 2>/dev/null)"
check_match "the gateways share grace state: rados_cluster, Graceless = false, this nodeid" \
	"RecoveryBackend = rados_cluster;.*Graceless = false;.*RADOS_KV \\{.*Pool = \"nfs-ganesha\";.*Namespace = \"grace\";.*Nodeid = \"gw-a\";" \
	"$(tr '\n' ' ' <"$R/etc/ganesha/ganesha.conf" 2>/dev/null)"

# --- a key file others can read: refused before anything, exit 65 naming it
copy_root server-ganesha R2
cp -a "$R/etc/ceph" "$R/etc/meshnfs.conf" "$R2/etc/"
chmod 0644 "$R2/etc/ceph/ceph.client.ganesha.keyring"
before=$(tree_state "$R2")
run M --root "$R2" setup server
check_eq "a key file readable by others: exit 65" 65 "$RC"
check_match "the message names the file, its mode and the fix" \
	"^meshnfs: $R2/etc/ceph/ceph.client.ganesha.keyring: the Ceph key file is readable by others \\(mode 0644\\): chmod 600" "$ERR"
check_eq "nothing changed" "$before" "$(tree_state "$R2")"
rm "$R2/etc/ceph/ceph.client.ganesha.keyring"
run M --root "$R2" setup server
check_match "a missing key file: exit 65 naming it" "^65 meshnfs: $R2/etc/ceph/ceph.client.ganesha.keyring: the Ceph key file cannot be read" "$RC $ERR"

# --- doctor under --root: the key file is checked, the cluster is not asked
run M --root "$R" --json doctor
check_eq "doctor --root: ceph.health, ceph.mds, ceph.client, ceph.grace skipped (no program runs)" "skip skip skip skip" \
	"$(jget '[.checks[] | select(.id | startswith("ceph.")) | .status] | join(" ")')"
chmod 0640 "$KEY"
run M --root "$R" --json doctor
check_eq "doctor --root, key readable by its group: ceph.client fails, with the fix" \
	"fail|sudo chmod 600 /etc/ceph/ceph.client.ganesha.keyring" \
	"$(jget '.checks[] | select(.id == "ceph.client") | "\(.status)|\(.fix)"')"

# --- status: the cluster's health line, not asked under --root
printf '[nodes]\nsrv = 100.64.0.1 server\n' >>"$R/etc/meshnfs.conf"
run M --root "$R" --timeout 1 --json status --source config
check_eq "status --root: the cluster is not asked (no program runs)" \
	"null|Ceph cluster: not asked under --root (no program runs)" "$(jget '"\(.ceph.health)|\(.ceph.error)"')"

# --- the option
run M --root "$R" setup server --backend cephfs --dry-run
check_match "--backend cephfs: usage error" "^64 .*--backend: \"cephfs\" is not kernel, ganesha or ceph" "$RC $ERR"
printf '[server]\nbackend = cephfs\n' >"$R/etc/meshnfs.conf"
run M --root "$R" setup server --dry-run
check_match "[server] backend = cephfs: exit 65, file and line" "^65 meshnfs: $R/etc/meshnfs.conf:2: backend: \"cephfs\" is not kernel, ganesha or ceph" "$RC $ERR"
printf '[server]\nbackend = ceph\n[ceph]\nnodeid = gw a\n' >"$R/etc/meshnfs.conf"
run M --root "$R" setup server --dry-run
check_match "[ceph] nodeid with a space: exit 65, file and line" "^65 meshnfs: $R/etc/meshnfs.conf:4: nodeid: " "$RC $ERR"

# --- ceph.grace on this machine with a stand-in ganesha-rados-grace first on PATH (the other
# ceph.* checks fail or are cut: no cluster in this empty namespace)
mk_tmpdir G
mkdir -p "$G/bin"
printf '[global]\nmon host = 198.18.0.9\n' >"$G/ceph.conf"
cp "$KEY" "$G/key" && chmod 600 "$G/key"
printf '[server]\nbackend = ceph\n[ceph]\nconf = %s\nkeyring = %s\nuser = ganesha\nnodeid = gw-a\n' \
	"$G/ceph.conf" "$G/key" >"$G/meshnfs.conf"
grace_with() { # grace_with SCRIPT: ceph.grace's "status summary" with that stand-in
	printf '#!/bin/sh\n%s\n' "$1" >"$G/bin/ganesha-rados-grace"
	chmod +x "$G/bin/ganesha-rados-grace"
	run ip netns exec "$NS" env PATH="$G/bin:$TEST_PATH" "$MESHNFS" --config "$G/meshnfs.conf" --timeout 2 --json doctor
	jget '.checks[] | select(.id == "ceph.grace") | "\(.status) \(.summary)"'
}
# ganesha-rados-grace 4.3 sometimes crashes at exit after printing the whole dump.
check_eq "a dump printed whole, then SIGSEGV: the dump is the answer" \
	"ok this gateway (gw-a) is one of 2 in the grace database; no grace period in force" \
	"$(grace_with 'printf "cur=2 rec=0\n%s\ngw-a\t  \ngw-b\t  \n" ======================================================; kill -SEGV $$')"
check_match "SIGSEGV before anything printed (twice): fail, the signal named" \
	"^fail ganesha-rados-grace dump exited with status -1" "$(grace_with 'kill -SEGV $$')"
check_match "no grace database (Failure: -2): fail with the add command" \
	"^fail no grace database in pool nfs-ganesha, namespace grace: this gateway \\(gw-a\\)" \
	"$(grace_with 'echo "rados_grace_dump: ret=-2"; echo "Failure: -2" >&2; exit 1')"
