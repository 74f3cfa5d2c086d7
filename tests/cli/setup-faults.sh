#!/usr/bin/env bash
# Fault injection on the write path: build/test/faultshim.so (LD_PRELOAD) fails the Nth open,
# write, fsync or rename on a path under the root's /etc, for N = 1, 2, ... until a run no
# longer meets the fault. After every run the file is either the original, byte for byte (and
# then meshnfs failed), or the complete new version (and meshnfs succeeded); no temporary is
# left; a backup, when there is one, is the original.
. "$(dirname "$0")/../lib/tap.sh"
plan 14
SHIM=$TOP/build/test/faultshim.so
[ -f "$SHIM" ] || { not_ok "faultshim.so is built (make unit)"; exit 0; }
empty_netns NS
fake_system systemctl mount exportfs

# inject KIND NAME FILE CMD...: runs the command under every fault of KIND on FILE (relative
# to the root) in a fresh copy of fixture root NAME; one TAP line per kind.
inject() {
	local func=$1 name=$2 file=$3; shift 3
	local R orig want n rc hit faulted=0 failed=0 bad=""
	copy_root "$name" R
	orig=$( [ -e "$R/$file" ] && { cat "$R/$file"; echo x; } )
	ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" "$MESHNFS" --root "$R" "$@" >/dev/null 2>&1
	want=$(cat "$R/$file"; echo x)
	for n in $(seq 1 60); do
		rm -rf "$R" && mkdir "$R" && cp -a "$FIXTURES/roots/$name/." "$R/"
		rm -f "$R.hit"
		ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" LD_PRELOAD="$SHIM" FAULT_FUNC="$func" \
			FAULT_NTH="$n" FAULT_MATCH="$R/etc" FAULT_HIT="$R.hit" \
			"$MESHNFS" --root "$R" "$@" >"$R.out" 2>&1
		rc=$?
		hit=$(cat "$R.hit" 2>/dev/null)
		now=$( [ -e "$R/$file" ] && { cat "$R/$file"; echo x; } )
		if [ "$rc" -ge 2 ]; then
			[ "$now" == "$orig" ] || bad+=" N=$n:exit $rc but the file changed;"
			failed=$((failed + 1))
		else
			[ "$now" == "$want" ] || bad+=" N=$n:exit $rc but the file is not the new version;"
		fi
		tmp=$(find "$R" -name '.*.meshnfs-*' | tr '\n' ' ')
		[ -z "$tmp" ] || bad+=" N=$n:temporaries left: $tmp;"
		bak="$R/$file.meshnfs.bak"
		if [ -e "$bak" ] && [ "$(cat "$bak"; echo x)" != "$orig" ]; then bad+=" N=$n:bad backup;"; fi
		[ -n "$hit" ] || break
		faulted=$((faulted + 1))
	done
	rm -f "$R.hit" "$R.out"
	if [ -z "$bad" ] && [ "$failed" -gt 0 ]; then
		ok "$func faults on $file ($*): $faulted faulted runs, $failed failed with the file intact, the rest complete; no temporaries"
	else
		not_ok "$func faults on $file ($*)"
		diag "faulted=$faulted failed=$failed$bad"
	fi
}

for f in open write fsync rename; do
	inject "$f" client-tricky etc/fstab setup client
done
for f in open write fsync rename; do
	inject "$f" server-kernel etc/exports.d/meshnfs.exports setup server
done
for f in write rename; do
	inject "$f" server-ganesha etc/ganesha/ganesha.conf setup server --backend ganesha
done

# setup wsl writes .wslconfig with best-effort metadata (drvfs may refuse chmod, chown and a
# directory fsync: EPERM, EINVAL, ENOTSUP, EROFS, ENOSYS are ignored), but an I/O error is
# still one: each fsync under /mnt/c failed in turn, one run must warn that the directory sync
# of the written .wslconfig failed (mutation run 9: safewrite.c:135, ignorable()'s
# "err == ENOSYS" -> "!=", any error ignored, survived).
fake_windows utf16 wslinfo cmd.exe wslpath
said=""
for n in $(seq 1 30); do
	copy_root wsl2-wslconfig-typo R
	ip netns exec "$NS" env PATH="$FAKE_BIN:$TEST_PATH" LD_PRELOAD="$SHIM" FAULT_FUNC=fsync \
		FAULT_NTH="$n" FAULT_MATCH="$R/mnt/c" FAULT_HIT="$R.hit" \
		"$MESHNFS" --root "$R" setup wsl >"$R.out" 2>&1
	rc=$?
	grep -q "wrote .*but sync directory failed: Input/output error" "$R.out" && said+="$rc "
	hit=$(cat "$R.hit" 2>/dev/null)
	rm -f "$R.hit" "$R.out"
	[ -n "$hit" ] || break
done
check_eq "fsync faults on .wslconfig (best-effort metadata): a directory's EIO is reported, exit 1" \
	"1 " "$said"

# The mount point cannot be created (mkdir fails with ENOSPC, the shim's new mkdir fault): the
# step says so with the path and the errno, the later steps are skipped, exit 2 (mutation run
# 13: plan.c:492, the mkdir step's failure message dropped, survived: no test made a mkdir fail).
copy_root client-tricky R
cp "$R/etc/fstab" "$R.fstab"
ip netns exec "$NS" env PATH="$FAKE_SYS:$TEST_PATH" LD_PRELOAD="$SHIM" FAULT_FUNC=mkdir FAULT_NTH=1 \
	FAULT_ERRNO=28 FAULT_MATCH="$R/opt" "$MESHNFS" --root "$R" setup client >"$R.out" 2>&1
rc=$?
check_eq "mkdir of the mount point fails: exit 2" 2 "$rc"
check_match "... the step names the directory and the error, later steps skipped" \
	"fail +setup.mountpoint +cannot create $R/opt/shared: No space left on device.*skip +setup.mount " \
	"$(tr '\n' ' ' <"$R.out")"
# The mount point is made before the fstab edit: its failure leaves fstab as it was, not naming
# a directory that is not there (before, fstab was edited first and stayed edited).
check "... and /etc/fstab is unchanged, no backup made" \
	eval 'cmp -s "$R.fstab" "$R/etc/fstab" && [ ! -e "$R/etc/fstab.meshnfs.bak" ]'
rm -f "$R.out" "$R.fstab"

