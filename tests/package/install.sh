#!/usr/bin/env bash
# The built package in a clean Debian 12 root: installed with dpkg -i, run (--version, env,
# man -w, the installed conffile and completion), removed and purged; nothing may be left but
# what dpkg's own conffile rule leaves. The root is made with mmdebstrap (Debian's
# essential set, apt, man-db and the package's Depends, read from the .deb) from the package
# mirror this machine's apt uses (/etc/apt/sources.list.d/debian.sources or sources.list),
# kept as build/package/root-*.tar for the next run (nothing is cached outside build/), and
# unpacked afresh each run; chroot happens in a private mount namespace, commands run in an
# empty network namespace. Then piuparts, Debian's own install/purge checker, on a fresh
# copy of the same root (PIUPARTS=0 reports it as skipped). Needs root and `make deb` (make
# check-package does both).
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	exec unshare --mount --propagation private bash "$0" --inner
fi
plan 26

version=$(sed -n '1s/^meshnfs (\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
# MESHNFS_DEB: another .deb to try (default: the one make deb built).
DEB=${MESHNFS_DEB:-$TOP/build/meshnfs_${version}_$(dpkg --print-architecture).deb}
check "the package was built (make deb): ${DEB#"$TOP"/}" test -f "$DEB"
[ -f "$DEB" ] || exit 1

# The root: essential + apt (mmdebstrap's variant apt), man-db for man -w, and the package's
# Depends without versions, so dpkg -i works offline in the chroot.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/^ *//;s/[ (|].*//;/^$/d' |
	sort -u | tr '\n' ',')
include="man-db,${deps%,}"
cache=$TOP/build/package
mkdir -p "$cache"
tarball=$cache/root-$(printf '%s' "$include" | sha256sum | cut -c1-12).tar
if [ ! -s "$tarball" ]; then
	sources=/etc/apt/sources.list.d/debian.sources
	[ -f "$sources" ] || sources=/etc/apt/sources.list
	start=$(date +%s)
	mmdebstrap --quiet --format=tar --variant=apt --include="$include" bookworm "$tarball.tmp" - \
		< "$sources" >"$cache/mmdebstrap.log" 2>&1
	rc=$?
	check_eq "mmdebstrap made a bookworm root ($(($(date +%s) - start)) s; log build/package/mmdebstrap.log)" 0 "$rc"
	[ "$rc" = 0 ] || { tail -n 20 "$cache/mmdebstrap.log" | sed 's/^/# /'; exit 1; }
	mv "$tarball.tmp" "$tarball"
else
	ok "a bookworm root from an earlier run: ${tarball#"$TOP"/}"
fi

ROOT=$cache/root
# Never a bind mount of the host's /dev here (the tarball has its own /dev nodes), and
# everything mounted under the root is unmounted before the root is removed; rm stays on
# the root's own file system whatever happens.
umount -R "$ROOT" 2>/dev/null
rm -rf --one-file-system "$ROOT"
at_exit "rm -rf --one-file-system '$ROOT'"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$tarball"
check "the root has its own /dev/null (from mmdebstrap)" test -c "$ROOT/dev/null"
mount -t proc proc "$ROOT/proc"
mount -t tmpfs tmpfs "$ROOT/tmp"
at_exit "umount -R '$ROOT/proc' '$ROOT/tmp' 2>/dev/null"
empty_netns NS
# in_root CMD...: CMD in the chroot, in the empty network namespace; OUT/ERR/RC as run.
in_root() { run ip netns exec "$NS" chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 "$@"; }
# Every file, directory and link of the root but the volatile places: what the package
# leaves behind shows up as a difference.
state() {
	(cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./run \
		-o -path ./var/cache -o -path ./var/log -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
		-o -path ./var/lib/man-db \) -prune -o -printf '%p %y %m\n' | sort)
}

before=$(state)
cp "$DEB" "$ROOT/tmp/meshnfs.deb"
in_root dpkg -i /tmp/meshnfs.deb
check_eq "dpkg -i installs it (its Depends are in the root)" 0 "$RC"
[ "$RC" = 0 ] || { diag "$OUT" "$ERR"; exit 1; }

in_root meshnfs --version
check_eq "meshnfs --version prints the package's version" \
	"meshnfs $(dpkg-deb -f "$DEB" Version)" "$OUT"
in_root meshnfs env
check_eq "meshnfs env runs there (exit 0)" 0 "$RC"
check_match "meshnfs env: the node is native Linux, Debian 12" "kind +linux.*distro +Debian GNU/Linux 12" "$(tr '\n' ' ' <<< "$OUT")"
in_root man -w meshnfs.conf
check_eq "man -w meshnfs.conf finds the page" /usr/share/man/man5/meshnfs.conf.5.gz "$OUT"
in_root man -w 8 meshnfs
check_eq "man -w 8 meshnfs finds the page" /usr/share/man/man8/meshnfs.8.gz "$OUT"
in_root sh -c 'MANWIDTH=80 man meshnfs.conf 2>&1 >/dev/null'
check_eq "man meshnfs.conf renders without a warning" "" "$OUT"
check "the binary is /usr/sbin/meshnfs" test -x "$ROOT/usr/sbin/meshnfs"
in_root dpkg-query -W -f '${Conffiles}' meshnfs
check_match "/etc/meshnfs.conf is a conffile" "^ ?/etc/meshnfs.conf [0-9a-f]{32}" "$(tr '\n' ' ' <<< "$OUT")"
in_root meshnfs --config /etc/meshnfs.conf env
check_eq "the installed /etc/meshnfs.conf parses" 0 "$RC"
check "bash completion where bash-completion looks it up on demand" \
	test -f "$ROOT/usr/share/bash-completion/completions/meshnfs"
in_root bash -n /usr/share/bash-completion/completions/meshnfs
check_eq "the completion file is valid bash" 0 "$RC"

# The watch unit ships only when the binary has the command, and is never enabled.
in_root meshnfs help watch
has_watch=$([ "$RC" = 0 ] && echo yes || echo no)
unit=$ROOT/lib/systemd/system/meshnfs-watch.service
has_unit=$([ -f "$unit" ] && echo yes || echo no)
check_eq "a meshnfs-watch.service ships exactly when meshnfs has 'watch'" "$has_watch" "$has_unit"
enabled=$(find "$ROOT/etc/systemd" -name 'meshnfs*' 2>/dev/null | tr '\n' ' ')
check_eq "nothing of meshnfs is enabled in /etc/systemd" "" "$enabled"

in_root dpkg --purge meshnfs
check_eq "dpkg --purge" 0 "$RC"
after=$(state)
check_eq "after the purge the root is as before the install" "" \
	"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')"
in_root dpkg-query -W -f '${Status}' meshnfs
# Purged: dpkg-query knows no such package (exit 1, nothing on stdout); one it still remembers
# (config-files, installed) prints its status with exit 0.
check_eq "dpkg forgot the package" "1:" "$RC:$OUT"

# Once more with the conffile edited by the user: --remove keeps it, as any conffile; purge
# removes it too (dpkg's rule: purge removes conffiles, edited or not; a .dpkg-* copy would
# be a leftover).
in_root dpkg -i /tmp/meshnfs.deb
check_eq "installed again" 0 "$RC"
sed -i 's/^#sessions = 8$/sessions = 4   # edited by the administrator/' "$ROOT/etc/meshnfs.conf"
in_root meshnfs --config /etc/meshnfs.conf env
check_eq "the edited conffile still parses" 0 "$RC"
in_root dpkg --remove meshnfs
check_eq "dpkg --remove" 0 "$RC"
check_match "--remove keeps the edited conffile" "edited by the administrator" \
	"$(cat "$ROOT/etc/meshnfs.conf" 2>&1)"
in_root dpkg --purge meshnfs
after=$(state)
check_eq "purge of an edited conffile: nothing left, no .dpkg-* copy" "" \
	"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')"

# piuparts on a fresh copy of the same root (it installs, removes and purges the package
# itself and checks what is left, with its own rules); its apt reads the same mirror.
if [ "${PIUPARTS:-1}" = 0 ]; then
	ok "piuparts # SKIP PIUPARTS=0"
else
	sources=/etc/apt/sources.list.d/debian.sources
	if [ -f "$sources" ]; then
		mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources")
	else
		mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
	fi
	base=$cache/piuparts-base
	rm -rf --one-file-system "$base"
	at_exit "rm -rf --one-file-system '$base'"
	mkdir -p "$base"
	tar -C "$base" -xf "$tarball"
	rm -f "$cache/piuparts.log"
	start=$(date +%s)
	piuparts --distribution=bookworm --mirror="$mirror" --no-eatmydata \
		--existing-chroot="$base" --tmpdir="$cache" --log-file="$cache/piuparts.log" \
		"$DEB" >/dev/null 2>&1
	rc=$?
	check_eq "piuparts: install, remove, purge pass ($(($(date +%s) - start)) s; log build/package/piuparts.log)" \
		"0 PASS: All tests." "$rc $(grep -o 'PASS: All tests.' "$cache/piuparts.log")"
fi
