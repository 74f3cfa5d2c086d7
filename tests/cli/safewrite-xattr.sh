#!/usr/bin/env bash
# Safe writes keep what the admin put on a file besides its bytes: a POSIX ACL (setfacl) and
# user.* extended attributes of /etc/fstab survive `setup client` (a rename used to drop them
# with the old inode), and the admin's own version is kept once as fstab.meshnfs.orig while
# fstab.meshnfs.bak follows the last change. The fixture root is copied to /tmp (ext4 here;
# tmpfs has user.* xattrs since Linux 6.6). Needs setfacl/getfacl and setfattr/getfattr
# (Debian's acl and attr, deps.sh test group).
. "$(dirname "$0")/../lib/tap.sh"
plan 10
empty_netns NS
fake_system systemctl mount umount apt-get
M() { ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" "$@"; }

copy_root client-tricky T
F=$T/etc/fstab
admin=$(cat "$F"; echo x)
setfacl -m u:1234:r,g:5678:rw "$F"
setfattr -n user.backup-policy -v nightly "$F"
acl_before=$(getfacl -cp "$F" 2>/dev/null)
check_match "the fixture carries the ACL" "user:1234:r--" "$acl_before"

run M --root "$T" setup client
check_eq "first change: exit 0" 0 "$RC"
check_eq "first change: the ACL kept" "$acl_before" "$(getfacl -cp "$F" 2>/dev/null)"
check_eq "first change: the user.* attribute kept" "nightly" \
	"$(getfattr --absolute-names --only-values -n user.backup-policy "$F" 2>&1)"
check_eq "first change: the admin's version kept as fstab.meshnfs.orig" "$admin" "$(cat "$F.meshnfs.orig"; echo x)"
check_match "first change: says where the admin's version is" "stays in $T/etc/fstab.meshnfs.orig" "$OUT"

# A second change (another mount point): .bak is the first change, .orig stays the admin's.
printf '[client]\nmountpoint = /srv/share\n' >"$T/etc/meshnfs.conf"
first=$(cat "$F"; echo x)
run M --root "$T" setup client
check_eq "second change: exit 0" 0 "$RC"
check_eq "second change: .bak holds the first change" "$first" "$(cat "$F.meshnfs.bak"; echo x)"
check_eq "second change: .orig still the admin's" "$admin" "$(cat "$F.meshnfs.orig"; echo x)"
check_eq "second change: the ACL still there" "$acl_before" "$(getfacl -cp "$F" 2>/dev/null)"
