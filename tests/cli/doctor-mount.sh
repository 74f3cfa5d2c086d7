#!/usr/bin/env bash
# doctor's mount.present on fixture roots (mountinfo files in the kernel's format), in an empty
# network namespace. Under --root the mount itself is never exercised: responsive, write and
# stale are skipped (tests/cli/doctor-mount-fuse.sh exercises them on a real FUSE mount).
. "$(dirname "$0")/../lib/tap.sh"
plan 65
R=$FIXTURES/roots
empty_netns NS

# doctor ROOT [ARGS...]: doctor --json on a fixture root, in the namespace.
doctor() {
	local root=$1; shift
	run ip netns exec "$NS" env PATH="$TEST_PATH" "$MESHNFS" --root "$R/$root" doctor --json "$@"
}
# st ID / field ID FIELD: a check's status / field in $OUT.
st() { jget ".checks[]|select(.id==\"$1\")|.status"; }
field() { jget ".checks[]|select(.id==\"$1\")|.$2"; }
# The worst status of the mount.* checks alone (doctor also runs the network checks, which fail
# in the empty namespace: mesh.address finds no mesh address, so every run here exits 2; an exit
# code computed from doctor's own JSON would agree with a wrong status).
mount_worst() { jget '[.checks[]|select(.id|startswith("mount."))|.status] | if any(.=="fail") then "fail" elif any(.=="warn") then "warn" else "ok" end'; }

doctor mount-nfs4
check_eq "nfs4: mount.present ok" ok "$(st mount.present)"
check_match "nfs4: summary names source, type, clientaddr" "100.64.0.1:/opt/shared on /opt/shared \(nfs4, vers=4.2, clientaddr 100.64.0.3\)" "$(field mount.present summary)"
check_match "nfs4: detail says soft does not bound a hung server" "hung server whose kernel still accepts TCP .* is NOT bounded by any mount option" "$(field mount.present detail)"
check_match "nfs4: ... and what its options do bound: a broken connection, after timeo x (retrans+1)" \
	"soft,timeo=50,retrans=2 bounds a broken connection only \\(offline peer, refused, path down\\): the kernel gives the TCP connection up after about 15.0 s" "$(field mount.present detail)"
check_eq "nfs4: JSON mounted.clientaddr" 100.64.0.3 "$(jget .mount.mounted.clientaddr)"
check_eq "nfs4: JSON mounted.server" 100.64.0.1 "$(jget .mount.mounted.server)"
check_eq "nfs4: JSON mounted.export" /opt/shared "$(jget .mount.mounted.export)"
check_eq "nfs4: JSON health null under --root" null "$(jget .mount.health)"
for id in mount.responsive mount.write mount.stale; do
	check_eq "nfs4: $id skipped under --root" skip "$(st $id)"
done
check_match "nfs4: the skip says why" "another machine's files" "$(field mount.responsive summary)"
check_eq "nfs4: mount checks all ok or skipped" ok "$(mount_worst)"
check_eq "nfs4: exit 2 (mesh.address fails in the empty namespace)" 2 "$RC"
check_eq "nfs4: the failures are outside the mount area" "client.packages,fstab.entry,mesh.address" \
	"$(jget '[.checks[]|select(.status=="fail")|.id]|sort|join(",")')"

doctor mount-automount
check_eq "automount, triggered: mount.present ok" ok "$(st mount.present)"
check_match "automount, triggered: the nfs4 mount on top of autofs is the one judged" "nfs4, vers=4.2" "$(field mount.present summary)"
check_eq "automount, triggered: JSON automount true" true "$(jget .mount.mounted.automount)"

doctor mount-automount-idle
check_eq "automount idle: mount.present ok" ok "$(st mount.present)"
check_match "automount idle: says it mounts on first access" "automount armed at /opt/shared .*first access" "$(field mount.present summary)"

doctor mount-none
check_eq "none: mount.present fails" fail "$(st mount.present)"
check_match "none: summary" "nothing is mounted at /opt/shared" "$(field mount.present summary)"
check_match "none: fix is the guide's mount" "mount -t nfs4 100.64.0.1:/opt/shared /opt/shared -o soft,timeo=50,retrans=2" "$(field mount.present fix)"
check_match "none: the later checks skip with a reason" "nothing is mounted" "$(field mount.responsive summary)"
check_eq "none: mount.write skip" skip "$(st mount.write)"
check_eq "none: mount.stale skip" skip "$(st mount.stale)"
check_eq "none: exit 2" 2 "$RC"

doctor mount-nfs3
check_eq "nfs3: mount.present fails" fail "$(st mount.present)"
check_match "nfs3: says NFSv3, not nfs4" "NFSv3 \(type nfs\), not nfs4" "$(field mount.present summary)"
check_match "nfs3: fix remounts as nfs4" "umount /opt/shared"$'\n'".*mount -t nfs4" "$(field mount.present fix)"

doctor mount-hard
check_eq "hard: mount.present warns" warn "$(st mount.present)"
check_match "hard: soft missing is named" "Option soft: missing \(the mount is hard\)" "$(field mount.present detail)"
check_match "hard: timeo difference is named" "Option timeo=50: the mount has timeo=600" "$(field mount.present detail)"
check_match "hard: nothing bounded, and soft would not save it from a hung server" "hard: no fault is bounded.* is NOT bounded by any mount option" "$(field mount.present detail)"
check_match "hard: fix remounts with the configured options" "umount /opt/shared && mount /opt/shared .*soft,timeo=50,retrans=2" "$(field mount.present fix)"
check_eq "hard: mount checks warn only" warn "$(mount_worst)"
check_eq "hard: exit 2 (mesh.address fails in the empty namespace)" 2 "$RC"

doctor mount-clientaddr-outside
check_eq "clientaddr outside the mesh: fail" fail "$(st mount.present)"
check_match "clientaddr outside the mesh: named" "clientaddr 192.168.1.20 outside 100.64.0.0/10" "$(field mount.present summary)"
check_match "clientaddr outside the mesh: quotes the guide" "should be a 100.64.x.x address" "$(field mount.present detail)"

# The mesh range comes from the configuration: with a range that holds 192.168.1.0/24 the same
# mount is fine.
mk_tmpdir T
printf '[mesh]\nrange = 192.168.0.0/16\n' >"$T/wide.conf"
doctor mount-clientaddr-outside --config "$T/wide.conf"
check_eq "clientaddr inside a configured range: ok" ok "$(st mount.present)"

doctor mount-wsl2-nat
check_eq "WSL2 NAT clientaddr: warn, not fail" warn "$(st mount.present)"
check_match "WSL2 NAT clientaddr: explains NAT" "WSL2 NAT mode" "$(field mount.present detail)"

doctor mount-other-export
check_eq "other export: fail" fail "$(st mount.present)"
check_match "other export: names both" "100.64.0.1:/srv/other mounted at /opt/shared, configured 100.64.0.1:/opt/shared" "$(field mount.present summary)"

printf '[server]\nexport = /srv/other\n' >"$T/other.conf"
doctor mount-other-export --config "$T/other.conf"
check_eq "other export, configured so: ok" ok "$(st mount.present)"

doctor mount-ro
check_eq "read-only mount: warn" warn "$(st mount.present)"
check_match "read-only mount: fix remounts rw" "mount -o remount,rw /opt/shared" "$(field mount.present fix)"
check_eq "read-only mount: JSON read_only" true "$(jget .mount.mounted.read_only)"

doctor mount-other-fs
check_eq "sshfs at the mount point: fail" fail "$(st mount.present)"
check_match "sshfs at the mount point: type named" "\(fuse.sshfs\) is mounted at /opt/shared, not 100.64.0.1:/opt/shared over nfs4" "$(field mount.present summary)"

doctor mount-server
for id in mount.present mount.responsive mount.write mount.stale; do
	check_eq "server node: $id skipped" skip "$(st $id)"
done
check_match "server node: the reason" "holds the server address 100.64.0.1" "$(field mount.present summary)"

doctor mount-bad-line
check_eq "bad mountinfo line: mount.input warns" warn "$(st mount.input)"
check_match "bad mountinfo line: names file and line" "mount-bad-line/proc/self/mountinfo:11: not a mountinfo line" "$(field mount.input summary)"
check_eq "bad mountinfo line: the rest is still read" ok "$(st mount.present)"

doctor mount-fstab-format
check_eq "an fstab where mountinfo should be: mount.present fails" fail "$(st mount.present)"
check_match "an fstab where mountinfo should be: says so, naming the file" "mount-fstab-format/proc/self/mountinfo: not in /proc/self/mountinfo format" "$(field mount.present summary)"
check_eq "an fstab where mountinfo should be: health skipped" skip "$(st mount.responsive)"

# A root without mountinfo at all.
doctor wsl1
check_eq "no mountinfo file: mount.present fails" fail "$(st mount.present)"
check_match "no mountinfo file: says it cannot read it" "cannot read .*/proc/self/mountinfo: No such file" "$(field mount.present summary)"

# Human output: the checks in the area's order after node.
run ip netns exec "$NS" env PATH="$TEST_PATH" "$MESHNFS" --root "$R/mount-none" --no-color doctor
order=$(printf '%s\n' "$OUT" | awk '$2 ~ /^mount\./ {print $2}' | tr '\n' ' ')
check_eq "human output: mount checks in order" "mount.present mount.responsive mount.write mount.stale mount.point " "$order"
