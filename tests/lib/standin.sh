# shellcheck shell=bash
# A stand-in mount for meshnfs watch in the lab (tests/e2e/watch.sh, bench/watch-soak.sh):
# this host has no kernel NFS client, so the configured mount point holds hangfs
# (build/tools/hangfs, a FUSE filesystem switched to hang or answer ESTALE through a control
# file), and $T/bin/mount stands in for mount(8): `mount MP` (what repair runs) starts a
# fresh hangfs there. Source it after tap.sh and tests/lab/lib.sh, in a private mount
# namespace (the caller re-runs itself under `unshare --mount --propagation private`), after
# lab_up. standin_setup binds a fixture fstab over /etc/fstab in that namespace only.
#
#   standin_setup        T (a temporary directory), MP, CTL, $T/w.conf, $T/bin/mount, NS (c1's);
#                        $T/mount.fail present: the stand-in mount fails (exit 32)
#   standin_etc_overlay SOURCE   /etc an overlay (repair's rename of /etc/fstab lands in
#                        $T/etc-up), its fstab one entry SOURCE at MP (soft,timeo=50,retrans=2)
#   set_control WORDS    hangfs's control: "" answers, "getattr=hang readdir=hang" hangs...
#   start_fs             hangfs at MP;  mounted / placeholder: what is at MP now
#   start_watch ARGS...  watch in c1's network namespace, log $T/watch.log, pid WPID
#   stop_watch           SIGTERM; RC, MS

set_control() { printf '%s\n' "$1" >"$CTL.new" && mv -f "$CTL.new" "$CTL"; }
mounted() { grep -q " $MP .* - fuse.hangfs " /proc/self/mountinfo; }
placeholder() { grep -q " $MP .* - tmpfs meshnfs-detached " /proc/self/mountinfo; }
start_fs() { "$T/bin/mount" "$MP"; }

standin_setup() {
	NS=$(lab_ns c1)
	mk_tmpdir T
	BASE=$T/base
	MP=$BASE/mnt
	CTL=$T/control
	mkdir -p "$BASE" "$MP" "$T/bin" "$T/prom" "$T/peek"
	# The bare mount point directory, seen through a bind of its parent (a bind without its
	# submounts): whatever lands in it while the share is detached shows here.
	mount --bind "$BASE" "$T/peek"
	at_exit "umount -l '$T/peek' 2>/dev/null"
	set_control ""
	at_exit "set_control ''"
	# Every hangfs of this run, by pid (the stand-in mount starts them too).
	at_exit "for p in \$(cat '$T/hangfs.pids' 2>/dev/null); do kill \$p 2>/dev/null; done"
	at_exit "umount -l '$MP' 2>/dev/null; umount -l '$MP' 2>/dev/null; umount -l '$MP' 2>/dev/null"

	# The stand-in for mount(8): repair runs `mount MP` (fstab has the entry); a new mount gets
	# fresh handles, so the control file is reset first.
	cat >"$T/bin/mount" <<-EOF
	#!/bin/sh
	echo "\$*" >>'$T/mount.log'
	[ "\$1" = '$MP' ] && [ \$# -eq 1 ] || exit 32
	if [ -e '$T/mount.fail' ]; then echo "mount.nfs4: Connection timed out" >&2; exit 32; fi
	printf '\n' >'$CTL.stub' && mv -f '$CTL.stub' '$CTL'
	setsid '$HANGFS' '$CTL' '$MP' </dev/null >>'$T/hangfs.log' 2>&1 &
	echo \$! >>'$T/hangfs.pids'
	for i in \$(seq 100); do
		grep -q ' $MP .* - fuse.hangfs ' /proc/self/mountinfo && exit 0
		sleep 0.05
	done
	exit 32
	EOF
	chmod 755 "$T/bin/mount"
	printf '%s:%s %s nfs4 _netdev,soft,timeo=150 0 0\n' "$LAB_SERVER_MESH" "$LAB_PSEUDO" "$MP" >"$T/fstab"
	mount --bind "$T/fstab" /etc/fstab # this namespace only
	at_exit "umount -l /etc/fstab 2>/dev/null"
	cat >"$T/w.conf" <<-EOF
	[server]
	address = $LAB_SERVER_MESH
	export = $LAB_PSEUDO
	[client]
	mountpoint = $MP
	EOF
}

# /etc as an overlay in this mount namespace (repair replaces /etc/fstab by a rename, which
# a file bound over it refuses): what it writes lands in $T/etc-up. Exits the test when the
# overlay cannot be made.
standin_etc_overlay() {
	umount -l /etc/fstab
	mkdir -p "$T/etc-up" "$T/etc-work"
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc ||
		{ not_ok "an overlay over /etc in the test's mount namespace"; exit 1; }
	at_exit "umount -l /etc 2>/dev/null"
	printf '%s %s nfs4 _netdev,soft,timeo=50,retrans=2 0 0\n' "$1" "$MP" >/etc/fstab
}

PORT=$((20000 + RANDOM % 20000))
# start_watch ARGS...: watch in c1's network namespace (nsenter --net keeps this mount
# namespace), its log in $T/watch.log, its pid in WPID.
start_watch() {
	: >"$T/watch.log"
	nsenter --net="/run/netns/$NS" env PATH="$T/bin:$TEST_PATH" "$MESHNFS" --config "$T/w.conf" \
		--timeout 1 watch --interval 1 "$@" 2>>"$T/watch.log" &
	WPID=$!
	at_exit "kill -9 $WPID 2>/dev/null"
}
# stop_watch: SIGTERM; RC its exit status, MS how long it took to go.
stop_watch() {
	local t0
	t0=$(lab_ms)
	kill -TERM "$WPID"
	wait "$WPID"
	RC=$?
	MS=$(($(lab_ms) - t0))
	[ "$RC" = 0 ] || diag "watch's log ends:" "$(tail -n 5 "$T/watch.log")"
}
# wait_log REGEX SECONDS: polls watch's log.
wait_log() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -Eq -- "$1" "$T/watch.log" && return 0
		sleep 0.1
	done
	diag "not in the log within $2 s: $1" "$(tail -n 5 "$T/watch.log")"
	return 1
}
