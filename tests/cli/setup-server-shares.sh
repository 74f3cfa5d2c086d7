#!/usr/bin/env bash
# meshnfs setup server on a node that serves several shares (issue 15): each share whose server
# (or one of whose gateways) is this node gets its export, in ONE exports edit (kernel) or ONE
# ganesha configuration with one EXPORT per share and unique Export_Ids (ganesha); a share
# served elsewhere is left out; --share NAME limits it; the plan first, --dry-run changes
# nothing, a second run keeps the previous version as the backup. Fixture roots, fake
# exportfs/systemctl/ganesha.nfsd that only record their argv (host_view for what runs).
. "$(dirname "$0")/../lib/tap.sh"
plan 17
empty_netns NS
fake_system systemctl exportfs service apt-get ganesha.nfsd
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }
H() { host_view "$NS" "$1" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "${@:2}"; }
TOK='100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)'
# shares ROOT: this node is gwa (its host name): the server of a, a gateway of b; c is
# another node's.
shares() {
	echo gwa >"$1/etc/hostname"
	cat >"$1/etc/meshnfs.conf" <<-EOC
	[share a]
	server = gwa
	export = /srv/a
	[share b]
	servers = gwz, gwa
	export = /srv/b
	mountpoint = /mnt/b
	[share c]
	server = 100.64.0.7
	export = /srv/c
	mountpoint = /mnt/c
	EOC
}

# --- kernel: a and b in one drop-in edit, c left out ---
copy_root server-kernel K
shares "$K"
before=$(tree_state "$K")
run M --root "$K" setup server --dry-run
check_eq "dry run: exit 1 (the no_root_squash warning)" 1 "$RC"
check_match "dry run: the plan names both of this node's exports" "export /srv/a and /srv/b to 100.64.0.0/10 with the kernel NFS server" "$OUT"
check_eq "dry run: one exports edit, both lines, not c's" "1 +/srv/a  $TOK|+/srv/b  $TOK" \
	"$(grep -Ec '^  [0-9]+\. (create|edit) /etc/exports.d/meshnfs.exports' <<<"$OUT") $(grep -Eo '^ +\+/srv/[a-z]  .*' <<<"$OUT" | sed 's/^ *//' | paste -sd '|')"
check_eq "dry run: nothing changed" "$before" "$(tree_state "$K")"
run H "$K" setup server
check_eq "kernel: the drop-in holds both exports" "/srv/a  $TOK|/srv/b  $TOK" "$(paste -sd '|' "$K/etc/exports.d/meshnfs.exports")"
check "kernel: both export directories made, not c's" test -d "$K/srv/a" -a -d "$K/srv/b" -a ! -e "$K/srv/c"
check_eq "kernel: exportfs -ra once" 1 "$(grep -c '^exportfs' "$FAKE_LOG")"
run H "$K" setup server --root-squash
check_eq "again with --root-squash: both updated in place, the previous version kept" \
	"/srv/a  100.64.0.0/10(rw,sync,no_subtree_check,root_squash)|/srv/b  100.64.0.0/10(rw,sync,no_subtree_check,root_squash) /srv/a  $TOK|/srv/b  $TOK" \
	"$(paste -sd '|' "$K/etc/exports.d/meshnfs.exports") $(paste -sd '|' "$K/etc/exports.d/meshnfs.exports.meshnfs.bak")"

# --- --share NAME: that share only ---
copy_root server-kernel K2
shares "$K2"
run M --root "$K2" --share b setup server --dry-run
check_eq "--share b: only /srv/b" "+/srv/b  $TOK" "$(grep -Eo '^ +\+/srv/[a-z]  .*' <<<"$OUT" | sed 's/^ *//' | paste -sd '|')"
run M --root "$K2" --share nope setup server --dry-run
check_match "--share with an unknown name: exit 64, the shares named" "^64 .*no share \"nope\".*a, b, c" "$RC $ERR"

# --- a node that serves none of the shares exports them all, an export two shares name
# (on different servers) once (mutation run 6: setup.c's dedupe negated, "if (k < n_ex)
# continue" -> "if (!(k < n_ex))", skipped every new export: /opt/shared only)
copy_root server-kernel D
echo gwq >"$D/etc/hostname"
printf '[share x]\nserver = gw1\nexport = /srv/x\n[share y]\nserver = gw2\nexport = /srv/x\nmountpoint = /mnt/y\n[share z]\nserver = gw3\nexport = /srv/z\nmountpoint = /mnt/z\n' >"$D/etc/meshnfs.conf"
run M --root "$D" setup server --dry-run
check_eq "serving none: all exported, /srv/x once" \
	"export /srv/x and /srv/z to 100.64.0.0/10 with the kernel NFS server|+/srv/x  $TOK|+/srv/z  $TOK" \
	"$(grep -Eo '^Plan: .*' <<<"$OUT" | sed 's/^Plan: //')|$(grep -Eo '^ +\+/srv/[a-z]  .*' <<<"$OUT" | sed 's/^ *//' | paste -sd '|')"

# --- ganesha: one configuration, one EXPORT per share, unique Export_Ids ---
: >"$FAKE_LOG"
copy_root server-ganesha G
shares "$G"
run H "$G" setup server --backend ganesha
conf=$G/etc/ganesha/ganesha.conf
check_eq "ganesha: two EXPORT blocks, Export_Id 1 and 2, Path and Pseudo per share" \
	"1 /srv/a /srv/a|2 /srv/b /srv/b" \
	"$(awk -F'[=;"]' '/Export_Id/ { id = $2 + 0 } /\tPath/ { p = $3 } /Pseudo/ { print id, p, $3 }' "$conf" | paste -sd '|')"
check_eq "ganesha: FSAL_VFS in each, the mesh range read-write in each" "2 2" \
	"$(grep -c 'Name = VFS;' "$conf") $(grep -c 'Clients = 100.64.0.0/10;' "$conf")"
check_match "ganesha: the header says one per share" "One per share: NFSv4-only exports over TCP" "$(cat "$conf")"
check_eq "ganesha: no Export_Id twice" 2 "$(grep -o 'Export_Id = [0-9]*' "$conf" | sort -u | wc -l)"

# --- ceph: one share per gateway configuration ---
copy_root server-kernel C
shares "$C"
run M --root "$C" setup server --backend ceph --dry-run
check_match "--backend ceph with two shares here: refused, name one" "^(64|65|2) .*--backend ceph exports one share.*--share NAME" "$RC $OUT $ERR"
# --- the old single [server] share: as before ---
copy_root server-kernel O
run M --root "$O" setup server --dry-run
check_match "no [share NAME]: the one export, as before" "export /opt/shared to 100.64.0.0/10 with the kernel NFS server" "$OUT"
