#!/usr/bin/env bash
# Records /proc/fs/nfsd/clients/*/info from Debian's own kernel serving NFSv4 (not a test: run
# by hand, `bash tests/vm/lib/record-nfsd-clients.sh`; about 1.5 min under TCG). The VM of
# tests/vm (the lab's tap host, kernel WireGuard, mesh address 100.64.0.9) loads nfsd, runs
# nfs-utils' exportfs, rpc.mountd and rpc.nfsd (from the nfs-kernel-server package, fetched
# with `apt-get download` and unpacked into build/vm/nfsd-utils: never installed on this
# machine, whose own kernel has no nfsd), exports a tmpfs to the mesh range, mounts it from
# its own mesh address with the kernel client, and copies every info file, with `uname -a`,
# to build/vm/nfsd-clients/. tests/fixtures/nfsd/ holds what it recorded.
. "$(dirname "$0")/../../lib/tap.sh"
. "$TOP/tests/vm/lib/vm.sh"
U=$TOP/build/vm/nfsd-utils
OUTDIR=$TOP/build/vm/nfsd-clients
if [ ! -x "$U/usr/sbin/rpc.nfsd" ]; then
	mkdir -p "$U" && d=$(mktemp -d) || exit 1
	(cd "$d" && apt-get download nfs-kernel-server) && dpkg -x "$d"/nfs-kernel-server_*.deb "$U"
	rm -rf "$d"
	[ -x "$U/usr/sbin/rpc.nfsd" ] || { echo "no rpc.nfsd in nfs-kernel-server" >&2; exit 1; }
fi
B=$U/usr/sbin
vm_require || exit 1
vm_lab_up 1 || exit 1
vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || exit 1
vm_step booted 120 "the guest reached its agent" || exit 1
# g CMD...: runs CMD in the guest, stops the recording when it fails.
g() {
	vm_exec -t 60 "$@"
	[ "$RC" = 0 ] || { echo "guest: $* failed ($RC): $ERR" >&2; exit 1; }
}
g modprobe -a nfsd nfsv4
g sh -c 'mount -t nfsd nfsd /proc/fs/nfsd && mkdir -p /var/lib/nfs/v4recovery /srv/exp /mnt/rec &&
	 mount -t tmpfs tmpfs /srv/exp'
vm_exec "$B/exportfs" -o rw,fsid=0,no_subtree_check,root_squash "100.64.0.0/$VM_MESH_PREFIX:/srv/exp"
g "$B/rpc.mountd" -N 3 --no-udp
g "$B/rpc.nfsd" -N 3 -U 4
g mount -t nfs4 -o vers=4.2 "$VM_GUEST_ADDR:/" /mnt/rec
g sh -c 'for f in /proc/fs/nfsd/clients/*/info; do d=${f%/info}; cp "$f" "/run/vm/out/clients-${d##*/}-info"; done'
g uname -a
mkdir -p "$OUTDIR"
printf '%s\n' "$OUT" >"$OUTDIR/uname"
cp "$VM_SHARE"/out/clients-*-info "$OUTDIR/"
g umount /mnt/rec
vm_poweroff
ls -l "$OUTDIR"
