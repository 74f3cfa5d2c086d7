#!/usr/bin/env bash
# Several shares and several gateways in meshnfs.conf (issue 15 parts 1 and 2) on fixture
# roots, with fake systemctl/mount that only record their argv, in an empty network
# namespace: setup client writes one fstab entry per share in one edit (plan first, nothing
# changed by --dry-run, nothing to do the second time), --share picks one, repair plans for
# every share; bad input (two shares on one mount point, a share without an export, a bad
# share name, an unknown --share) refused with file and line and nothing changed; doctor over
# a gateway list with one name that does not resolve gives a verdict per gateway.
. "$(dirname "$0")/../lib/tap.sh"
plan 31
empty_netns NS
fake_system systemctl mount umount apt-get
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }

# --- setup client, two named shares and the default one ---
copy_root client-tricky F
cat >"$F/etc/meshnfs.conf" <<'EOC'
[client]
options = soft,timeo=50,retrans=2
[share models]
servers = 100.64.0.1, 100.64.0.2
export = /srv/models
mountpoint = /mnt/models
[share data]
server = 100.64.0.5
export = /srv/data
EOC
before=$(tree_state "$F")
run M --root "$F" setup client --dry-run
check_eq "dry run: exit 0" 0 "$RC"
check_eq "dry run: the diff of /etc/fstab adds or replaces every share's entry" \
	"+100.64.0.1:/opt/shared|+100.64.0.1:/srv/models|+100.64.0.5:/srv/data" \
	"$(grep -Eo '^ +\+[0-9.]+:/[a-z/]+' <<<"$OUT" | tr -d ' ' | paste -sd '|')"
check_eq "dry run: one fstab step only" 1 "$(grep -Ec '^  [0-9]+\. edit /etc/fstab' <<<"$OUT")"
check_eq "dry run: nothing changed" "$before" "$(tree_state "$F")"
run M --root "$F" setup client
check_eq "apply: exit 0 (under --root: not verified)" 0 "$RC"
check_eq "apply: three nfs4 entries, one per share" "100.64.0.1:/opt/shared /opt/shared|100.64.0.1:/srv/models /mnt/models|100.64.0.5:/srv/data /srv/data" \
	"$(awk '$3 == "nfs4" { printf "%s%s %s", sep, $1, $2; sep = "|" }' "$F/etc/fstab")"
check "apply: every mount point made" test -d "$F/mnt/models" -a -d "$F/srv/data" -a -d "$F/opt/shared"
check_match "apply: a mount listed per share" "mount /opt/shared.*mount /mnt/models.*mount /srv/data" "$(tr '\n' ' ' <<<"$OUT")"
check_eq "apply: one backup of the previous fstab" 1 "$(ls "$F/etc" | grep -c '^fstab.meshnfs.bak$')"
st=$(tree_state "$F")
run M --root "$F" setup client
check_match "again: every entry already right, fstab not written" "0 .*already right: /etc/fstab has the entries 100.64.0.1:/opt/shared.*100.64.0.5:/srv/data" "$RC $(tr '\n' ' ' <<<"$OUT")"
check_eq "again: nothing changed" "$st" "$(tree_state "$F")"

# --share picks one share
copy_root client-fresh G
cp "$F/etc/meshnfs.conf" "$G/etc/meshnfs.conf"
run M --root "$G" --share models setup client
check_eq "--share models: only its entry" "100.64.0.1:/srv/models /mnt/models" "$(awk '$3 == "nfs4" { print $1, $2 }' "$G/etc/fstab")"
run M --root "$G" setup client --share nope
check_match "--share unknown: exit 64, the shares there are" "^64 .*no share \"nope\" in .*meshnfs.conf \\(its shares: default, models, data\\)" "$RC $ERR"
run M --root "$G" setup client --server 100.64.0.9
check_match "--server with several shares: exit 64, name one" "^64 .*name it \\(--share NAME\\)" "$RC $ERR"

# repair: a plan for every share (under --root: gateways not probed, nothing run)
run M --root "$F" repair
check_match "repair: each share's mount in one plan" "repair the mounts of 3 shares" "$OUT"
check_match "repair: the gateway in use of models, not probed under --root" "share models: 100.64.0.1 is the one in use \\(gateways are probed on the live system only" "$OUT"
run M --root "$F" --share models repair --gateway 100.64.0.2 --dry-run
check_match "repair --gateway: fstab re-pointed in the plan" $'moving the client to 100\\.64\\.0\\.2.*\n.*\n.*-100\\.64\\.0\\.1:/srv/models.*\n.*\\+100\\.64\\.0\\.2:/srv/models' "$OUT"
run M --root "$F" repair --gateway 100.64.0.2
check_match "repair --gateway without --share (3 shares): exit 64" "^64 .*name the share too" "$RC $ERR"

# --- bad input: exit 65, file and line, nothing changed ---
bad() { # bad NAME CONF REGEX
	copy_root client-fresh B
	printf "$2" >"$B/etc/meshnfs.conf"
	local st
	st=$(tree_state "$B")
	run M --root "$B" setup client
	check_match "$1: exit 65, file and line" "^65 meshnfs: $B/etc/meshnfs.conf:$3" "$RC $ERR"
	check_eq "$1: nothing changed" "$st" "$(tree_state "$B")"
}
bad "two shares on one mount point" '[share a]\nexport = /srv/a\nmountpoint = /mnt/x\n[share b]\nexport = /srv/b\nmountpoint = /mnt/x/\n' \
	'6: mount point /mnt/x/ used twice: \[share b\] and \[share a\]$'
bad "a share without an export" '[share a]\nservers = 100.64.0.1, 100.64.0.2\n' \
	'1: \[share a\] has no export: give export = PATH'
bad "a bad share name" '[share my share]\nexport = /srv/a\n' \
	'1: "my share" is not a share name'

# --- doctor: a gateway list with a name that does not resolve ---
copy_root client-fresh D
printf '[share g]\nservers = 127.0.0.1, nosuch.invalid\nexport = /srv/g\n' >"$D/etc/meshnfs.conf"
run M --root "$D" --timeout 1 --json doctor
check_eq "doctor: exit 2 (no gateway answers), no crash" 2 "$RC"
check_eq "doctor: one share.gateway per gateway, each failing with its reason" \
	"[share g] 127.0.0.1 does not answer: refused|[share g] nosuch.invalid does not answer: unreachable" \
	"$(jget '[.checks[] | select(.id == "share.gateway") | .summary] | join("|")')"
check_eq "doctor: the share's verdict" "fail [share g] 0 of 2 gateways answer: no gateway to mount from" \
	"$(jget '.checks[] | select(.id == "share.gateways") | "\(.status) \(.summary)"')"
check_eq "doctor: JSON per share" "g 127.0.0.1,nosuch.invalid /srv/g fail" \
	"$(jget '.shares[0] | "\(.share) \(.servers | join(",")) \(.mountpoint) \(.verdict)"')"

# Not mounted, but the fstab entry names the second gateway: the nfs.* checks probe that one,
# saying why (mutation run 14: choose_server's fstab test negated ignored the entry and probed
# the first; only the lab's e2e/gateways.sh saw it).
printf '[share g]\nservers = 127.0.0.1, 127.0.0.2\nexport = /srv/g\n' >"$D/etc/meshnfs.conf"
cp "$D/etc/fstab" "$D/fstab.orig" 2>/dev/null || : >"$D/fstab.orig"
{ cat "$D/fstab.orig"; echo "127.0.0.2:/srv/g /srv/g nfs4 soft,timeo=50,retrans=2 0 0"; } >"$D/etc/fstab"
run M --root "$D" --timeout 1 --no-color doctor
check_match "doctor, not mounted: the nfs.* checks probe the gateway the fstab entry names" \
	"The nfs\.\* checks probe 127\.0\.0\.2: the gateway the fstab entry names\." \
	"$(tr '\n' ' ' <<<"$OUT" | tr -s ' ')"
cp "$D/fstab.orig" "$D/etc/fstab"

# The most gateways a share may have (8, CONFIG_SHARE_MAX_SERVERS), none in use here and none
# answering: the nfs.* checks probe the first. (Mutation run 11: choose_server's loop over the
# gateways' probes, `k < n_servers` made `<=`, freed a probe past the last; at 8 that is past
# the array, which build/meshnfs-san reports.)
printf '[share g]\nservers = 127.0.0.1, 127.0.0.2, 127.0.0.3, 127.0.0.4, 127.0.0.5, 127.0.0.6, 127.0.0.7, 127.0.0.8\nexport = /srv/g\n' >"$D/etc/meshnfs.conf"
run M --root "$D" --timeout 1 --no-color doctor
check_match "doctor, 8 gateways, none answering: exit 2, the nfs.* checks probe the first" \
	"^2 .*0 of 8 gateways answer.*The nfs\.\* checks probe 127\.0\.0\.1: no gateway in use here and none answers: the first\." \
	"$RC $(tr '\n' ' ' <<<"$OUT" | tr -s ' ')"

# --- status: every gateway of a share is a configured server (whole ladder, role server) ---
printf '[nodes]\ngwa = 100.64.0.1\ngwb = 100.64.0.2\nlaptop = 100.64.0.5\n[share g]\nservers = 100.64.0.1, 100.64.0.2\nexport = /srv/g\n' >"$D/etc/meshnfs.conf"
run M --root "$D" --timeout 1 --json status --source config
check_eq "status: both gateways have the role server, the laptop none" "gwa=server gwb=server laptop=null" \
	"$(jget '[.nodes[] | "\(.name)=\(.role)"] | join(" ")')"
