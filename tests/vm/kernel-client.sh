#!/usr/bin/env bash
# The real kernel NFSv4 client: Debian's kernel in qemu (tests/vm/lib/vm.sh), one more host of
# the lab's mesh (tests/lab: wireguard-go and nfs-ganesha on the server srv, a client c1), with
# the kernel's own WireGuard. In one VM, driven command by command (lib/guest-agent.sh):
#   - the guide's client steps by `meshnfs setup client` on the guest's own /etc/fstab, the
#     real mount(8) from that entry, a write read back on the server side; `meshnfs doctor`
#     all green on that node;
#   - hung server (lab fault hung): doctor returns within its bound and reports
#     mount.responsive failed as blocked (a child in state D) with the cause the NFS checks
#     found (nfs.rpc: TCP accepted, NFS silent) while the guide's `ls` stays blocked; green
#     again after the heal;
#   - offline peer (the server's wireguard-go stopped) and server stopped (refused): doctor's
#     verdicts in the guest match `meshnfs probe`'s, in the guest and from the lab's c1; the
#     blocked mount's cause is nfs.tcp's (no answer to SYNs; refused), not a hung server;
#   - meshnfs repair on a hung server (nothing else holding the mount): umount -l detaches it
#     at once while umount itself waits to close the NFS session past its deadline; repair
#     judges by the mount table (repair.umount ok) and does not mount again until the server
#     answers; after the heal a second repair mounts it again, doctor green;
#   - stale handles (lab fault recreated): doctor reports mount.stale; meshnfs repair
#     (umount -l, mount) brings the mount back, doctor green.
# Measurements go to the TAP output as "# measure:" lines and to build/vm/kernel-client.measure
# (bench/vm-faults.sh makes bench/README.md's rows from it).
. "$(dirname "$0")/../lib/tap.sh"
# 22 setup and mount checks, 7 healthy, 29 hung (+ repair), 2 x 18 offline/refused, 15 stale,
# 3 at the end (hung_mount makes 8, within_bound, ls_blocked, heal and doctor_green 1 each).
plan 112
. "$TOP/tests/vm/lib/vm.sh"

HOLD=${VM_HUNG_HOLD:-20}            # s the server stays hung after the guide's ls started
OFFLINE_HOLD=${VM_OFFLINE_HOLD:-0}  # s to leave the peer offline (0: until diagnosed)
REFUSED_HOLD=${VM_REFUSED_HOLD:-0}  # s to leave the server stopped (0: until diagnosed)
TIMEOUT=5                           # doctor's and probe's default --timeout
BOUND=$((2 * TIMEOUT * 1000 + 5000)) # doctor waits about two timeouts; + 5 s for a TCG guest
MNT=$VM_PSEUDO
SRC=$VM_SERVER_ADDR:$VM_PSEUDO
measures=()
measure() { measures+=("$1=$2"); diag "measure: $1=$2"; }

vm_require || exit 1
vm_lab_up 1 || { not_ok "the lab with a tap host for the guest"; exit 1; }
ok "lab $LAB_ID: srv ${LAB_MESH[srv]}, c1 ${LAB_MESH[c1]}, the guest $VM_GUEST_ADDR on tap $VM_TAP"
host_msg="written on the server side at $(date -u +%FT%TZ)"
printf '%s\n' "$host_msg" >"$VM_EXPORT/from-host.txt"
host_fstab=$(sha256sum </etc/fstab)

vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || { not_ok "VM boots"; exit 1; }
diag "accelerator: $VM_ACCEL ($VM_ACCEL_WHY); kernel $VM_KVER"
measure accel "$VM_ACCEL"
vm_step booted 120 "guest ($VM_ACCEL) reached its agent, WireGuard up" || exit 1
measure boot_wall_ms $(($(vm_now_ms) - VM_T0))
measure boot_guest_uptime_s "$(vm_get booted uptime)"
measure wireguard_setup_ms "$(vm_get booted wg_ms)"
check_eq "guest runs the kernel it was given" "$VM_KVER" "$(vm_get booted kernel)"
vm_exec wg show wg0 peers
check "the guest's kernel WireGuard has the server as a peer" grep -qxF -- "${LAB_PUB[srv]}" <<<"$OUT"

# ---- The guide's client steps 2-4: meshnfs setup client on the guest's own /etc/fstab ----
st() { jget ".checks[] | select(.id == \"$1\") | .status"; }
field() { jget ".checks[] | select(.id == \"$1\") | .$2"; }
# The checks that are not ok (warn or fail), "id=status ...".
not_ok_checks() { jget '[.checks[] | select(.status == "fail" or .status == "warn") | "\(.id)=\(.status)"] | join(" ")'; }
skipped_checks() { jget '[.checks[] | select(.status == "skip") | .id] | unique | join(" ")'; }
fstab_sum() { vm_exec sha256sum /etc/fstab; printf '%s\n' "${OUT%% *}"; }

vm_exec modprobe nfsv4
check_eq "modprobe nfsv4" 0 "$RC"
measure modprobe_nfsv4_ms "$MS"
fstab0=$(fstab_sum)
vm_exec "$MESHNFS" --json setup client --dry-run
check_eq "setup client --dry-run: would edit fstab and mount" "skip skip" "$(st setup.fstab) $(st setup.mount)"
check_eq "setup client --dry-run: the guest's /etc/fstab unchanged" "$fstab0" "$(fstab_sum)"
vm_exec grep -c " $MNT nfs4 " /proc/self/mounts
check_eq "setup client --dry-run: nothing mounted" 0 "$OUT"

vm_exec -t 120 "$MESHNFS" --json setup client
measure setup_client_ms "$MS"
check_eq "setup client: fstab written, mount point made, mounted, verified" "ok ok ok ok" \
	"$(st setup.fstab) $(st setup.mountpoint) $(st setup.mount) $(st setup.verify)"
# The guest has no systemd: setup writes the entry without x-systemd.* and with bg, and says so.
check_eq "setup client: only the note that systemd does not run here" "setup.systemd=warn" "$(not_ok_checks)"
check_eq "setup client: exit 1 (a warning)" 1 "$RC"
vm_exec awk -v m="$MNT" '$2 == m' /etc/fstab
check_match "setup client: the default entry in the guest's own /etc/fstab (no systemd: bg)" \
	"^$SRC +$MNT +nfs4 +_netdev,soft,timeo=50,retrans=2,bg +0 +0$" "$OUT"
check_eq "the host's /etc/fstab is untouched" "$host_fstab" "$(sha256sum </etc/fstab)"

# The entry alone mounts it, as at boot: the real mount(8) from fstab.
vm_exec umount "$MNT"
check_eq "umount what setup mounted" 0 "$RC"
vm_exec -t 60 mount "$MNT"
check_eq "mount $MNT from the fstab entry setup wrote" 0 "$RC"
[ "$RC" = 0 ] || diag "$ERR"
measure mount_ms "$MS"
vm_exec cat /proc/self/mounts
line=$(awk -v m="$MNT" '$2 == m && $3 == "nfs4"' <<<"$OUT")
check_match "mount is nfs4 from the server's mesh address, clientaddr the guest's mesh address" \
	"^$SRC $MNT nfs4 .*soft.*timeo=50,retrans=2.*clientaddr=$VM_GUEST_ADDR" "$line"
diag "mount: $line"
# The NFS traffic went through WireGuard: the server's wireguard-go received bytes from the
# guest's key.
run lab_exec srv wg show "${LAB_WG[srv]}" transfer
rx=$(awk -v k="${LAB_PUB[$VM_HOST]}" '$1 == k { print $2 }' <<<"$OUT")
check "the server's wireguard-go received the mount's traffic from the guest's key ($rx bytes)" \
	test "${rx:-0}" -gt 0

fstab1=$(fstab_sum)
vm_exec -t 60 "$MESHNFS" --json setup client
check_eq "setup client again: nothing to do" "ok ok ok ok" \
	"$(st setup.fstab) $(st setup.mountpoint) $(st setup.mount) $(st setup.packages)"
check_eq "setup client again: /etc/fstab not rewritten" "$fstab1" "$(fstab_sum)"

vm_exec cat "$MNT/from-host.txt"
check_eq "guest reads the file the host wrote on the server side" "$host_msg" "$OUT"
msg="written by the guest's kernel $VM_KVER at $(date -u +%FT%TZ)"
vm_exec sh -c 'printf "%s\n" "$1" >"$2/from-guest.txt" && sync' sh "$msg" "$MNT"
check_eq "guest writes through the mount" 0 "$RC"
check_eq "host reads on the server side what the guest wrote" "$msg" \
	"$(cat "$VM_EXPORT/from-guest.txt" 2>&1)"
measure mount_write_cycle_ms $(($(vm_now_ms) - VM_T0))

# ---- doctor and probe in the guest ----
# doctor_run: meshnfs --json doctor in the guest; OUT (the JSON), RC, MS (the guest's clock).
doctor_run() { vm_exec -t 60 "$MESHNFS" --json doctor; }
# probe_guest NAME, probe_c1: meshnfs --json probe of the server, in the guest (its time and
# diagnosis measured as NAME's) and from c1; PROBE_GUEST / PROBE_C1 the diagnosis.
probe_guest() {
	vm_exec -t 60 "$MESHNFS" --json probe "$VM_SERVER_ADDR"
	PROBE_GUEST=$(jget .diagnosis)
	measure "${1}_probe_ms" "$MS"
	measure "${1}_probe" "$PROBE_GUEST"
}
probe_c1() { run lab_exec c1 "$MESHNFS" --json probe "$VM_SERVER_ADDR"; PROBE_C1=$(jget .diagnosis); }
# doctor_green NAME SECONDS [WHAT]: doctor again and again until every check is ok (the
# kernel client may need a moment to reconnect), at most SECONDS after WHAT (the heal).
doctor_green() {
	local name=$1 what=${3:-the heal} t0 n=0
	t0=$(vm_now_ms)
	while :; do
		n=$((n + 1))
		doctor_run
		[ "$RC" = 0 ] && break
		(($(vm_now_ms) - t0 < $2 * 1000)) || break
		sleep 1
	done
	check_eq "$name: doctor all green again (run $n, $(($(vm_now_ms) - t0)) ms after $what)" \
		"0 " "$RC $(not_ok_checks)"
	measure "${name}_green_after_ms" $(($(vm_now_ms) - t0))
}
# hung_mount NAME CAUSE FROM: the last doctor reported the mount blocked with a child stuck
# in state D (the facts, the same for every cause), and the cause the NFS checks found, in
# mount.responsive's summary ("; cause: CAUSE"), detail ("Cause (FROM): ...") and fix (FROM's
# fix first). Only a hung server is blamed on TCP still being accepted.
hung_mount() {
	local summary detail fix
	summary=$(field mount.responsive summary) detail=$(field mount.responsive detail)
	fix=$(field mount.responsive fix)
	check_eq "$1: mount.responsive fails" fail "$(st mount.responsive)"
	check_match "$1: ... as a blocked mount" "^blocked: .ls $MNT. did not answer within $TIMEOUT.0 s \(stuck in [a-z]+, state D\)" \
		"$summary"
	check_eq "$1: its probe child was stuck in state D" D "$(jget .mount.health.child.state)"
	diag "$1: the child's wait channel: $(jget .mount.health.child.wchan)"
	check_eq "$1: mount.write and mount.stale not tried" "skip skip" \
		"$(st mount.write) $(st mount.stale)"
	check_match "$1: the cause in the summary, from $3" "; cause: $2 \($3\)$" "$summary"
	check_match "$1: ... in the detail" "Cause \($3\): " "$detail"
	check_eq "$1: ... and $3's fix first" "$(field "$3" fix)   (the cause, see $3)" "${fix%%$'\n'*}"
	if [ "$3" = nfs.rpc ]; then
		check_match "$1: ... a hung server still accepts TCP" "Its kernel still accepts TCP \(.nc -zv. says succeeded\)" "$detail"
	else
		check_no_match "$1: ... not blamed on a hung server" "nc -zv|cause: hung server|Cause \(nfs.rpc\)" \
			"$summary $detail"
	fi
	diag "$1: $summary" "$(grep '^Cause' <<<"$detail")"
}
# within_bound NAME: doctor returned within its bound; its time and verdict are measured.
within_bound() {
	check "$1: doctor returned within its bound (${MS} ms < $BOUND ms)" test "${MS:-999999}" -lt "$BOUND"
	doctor_measure "$1"
}
# doctor_measure NAME: the last doctor's time and verdict (the checks that were not ok).
doctor_measure() {
	measure "${1}_doctor_ms" "$MS"
	measure "${1}_doctor_verdict" "$(jget '[.checks[] | select(.status == "fail" or .status == "warn") | .id + (if .status == "warn" then " (warn)" else "" end)] | join(" ")')"
}
# ls_blocked NAME JOB [soft]: the guide's ls (job JOB) is still blocked in state D; or, with
# "soft" (a server that refuses or does not answer SYNs), when the checks before took longer
# (a loaded machine), it has already ended the way the soft mount ends it: with EIO, and no
# sooner than timeo=50 (5 s). Seen in CI at a load average of 12: the
# refused case's ls ended with EIO 16.7 s after it started, before this check ran.
ls_blocked() {
	vm_bg_state "$2"
	if [ "$VM_ENDED" = 1 ] && [ "${3:-}" = soft ]; then
		check_eq "$1: the guide's ls ended only by the soft mount's timeout (${MS} ms >= 5000 ms), with EIO" \
			"1 Input/output error" \
			"$([ "${MS:-0}" -ge 5000 ] && echo 1 || echo 0) $(grep -o 'Input/output error' "$VM_SHARE/out/$2.err" | head -n 1)"
		return
	fi
	check_eq "$1: the guide's ls is still blocked in state D (${MS} ms after it started)" "0 D" \
		"$VM_ENDED $VM_STATE"
}
# hold NAME JOB SECONDS: the fault stays for SECONDS after JOB (the guide's ls) started, or
# until ls ends by itself; then records how long ls was blocked and whether it ended.
hold() {
	local left
	vm_bg_state "$2"
	[ "$VM_ENDED" = 0 ] || return 0
	left=$(($3 - MS / 1000))
	[ "$left" -gt 0 ] && vm_bg_wait "$2" "$left"
	if [ "$VM_ENDED" = 1 ]; then
		measure "${1}_ls_ended_by_itself_ms" "$MS"
		measure "${1}_ls_rc" "$RC"
		measure "${1}_ls_err" "$(head -n 1 "$VM_SHARE/out/$2.err")"
		diag "$1: the guide's ls ended by itself after $MS ms: status $RC, $(cat "$VM_SHARE/out/$2.err")"
	fi
}
# heal NAME JOB: heals the fault; the guide's ls (job JOB) returns; how long it was blocked.
heal() {
	lab_heal || { not_ok "$1: lab heal"; return 1; }
	vm_bg_wait "$2" 120
	check_eq "$1: the guide's ls returns after the heal" 1 "$VM_ENDED"
	measure "${1}_ls_blocked_ms" "$MS"
	diag "$1: ls ended with status $RC after $MS ms $(head -n 1 "$VM_SHARE/out/$2.err")"
}

doctor_run
doctor_measure healthy
check_eq "healthy: doctor exits 0" 0 "$RC"
check_empty "healthy: no check warns or fails" 0 "$(not_ok_checks)"
check_eq "healthy: the client's checks all ran and are ok" "ok ok ok ok ok ok ok ok ok ok ok ok ok" \
	"$(for i in node.kind mesh.address nfs.tcp nfs.rpc nfs.export nfs.write nfs.root_squash \
		mount.present mount.responsive mount.write mount.stale client.packages fstab.entry; do
		printf '%s ' "$(st "$i")"; done | sed 's/ $//')"
# Skipped: only what this guest cannot have (no tailscale CLI: the mesh is its own WireGuard,
# so neither Tailscale's status nor its path to the server).
check_eq "healthy: skipped only mesh.path and mesh.tailscale (no tailscale CLI in the guest)" \
	"mesh.path mesh.tailscale" \
	"$(skipped_checks)"
check_empty "healthy: no server checks on a client" 0 \
	"$(jget '[.checks[].id | select(startswith("server.") or startswith("exports."))] | join(" ")')"
check_match "healthy: mesh.address is the guest's" "^$VM_GUEST_ADDR; the route to $VM_SERVER_ADDR leaves from it" \
	"$(field mesh.address summary)"
probe_guest healthy
check_eq "healthy: probe in the guest says ok" ok "$PROBE_GUEST"

# ---- Hung server: ganesha stopped (its kernel still accepts TCP) ----
lab_fault hung || { not_ok "lab fault hung"; exit 1; }
vm_bg ls-hung ls "$MNT"
doctor_run
within_bound hung
check_eq "hung: doctor exits 2" 2 "$RC"
hung_mount hung "hung server, TCP accepted but NFS silent" nfs.rpc
check_eq "hung: TCP accepted, the NFS service silent" "ok fail" "$(st nfs.tcp) $(st nfs.rpc)"
check_eq "hung: doctor's diagnosis of the server" no_nfs_answer "$(jget .probe.diagnosis)"
ls_blocked hung ls-hung
probe_guest hung
check_eq "hung: probe in the guest agrees" no_nfs_answer "$PROBE_GUEST"
hold hung ls-hung "$HOLD"
ls_blocked "hung, ${HOLD} s on (> timeo=50)" ls-hung
heal hung ls-hung
check "hung: ls stayed blocked at least ${HOLD} s: $MS ms" test "${MS:-0}" -ge $((HOLD * 1000))
doctor_green hung 60

# ---- meshnfs repair on a hung server ----
# Nothing else holds the mount this time (no guide's ls): the final reference goes with the
# lazy unmount, so umount itself (its helper umount.nfs4) waits in state D to close the NFS
# session with the silent server, past repair's deadline, while the mount has left the table.
# last_check ID FIELD: the last check with ID (a plan's note may share the step's id).
last_check() { jget "[.checks[] | select(.id == \"$1\")] | last | .$2"; }
lab_fault hung || { not_ok "lab fault hung"; exit 1; }
vm_exec -t 90 "$MESHNFS" --json repair
measure hung_repair_ms "$MS"
check_eq "hung repair: exit 1 (a note: the server does not answer)" 1 "$RC"
check_eq "hung repair: repair.umount ok" ok "$(last_check repair.umount status)"
check_match "hung repair: detached, judged by the mount table; umount itself did not return" \
	"^umount -l $MNT: detached \(gone from the mount table at once\); umount itself did not return within $TIMEOUT s: it waited for the server to close the NFS session" \
	"$(last_check repair.umount summary)"
um_detail=$(last_check repair.umount detail)
diag "hung repair: $um_detail"
check_match "hung repair: names the stuck umount.nfs4, in state D" \
	"^At the deadline umount.nfs4 \(pid [0-9]+\) waited in state D" "$um_detail"
measure hung_repair_umount "$(grep -o 'state D ([^)]*)' <<<"$um_detail")"
measure hung_repair_umount_end "$(sed -n 's/.*; \(SIGKILL ended it\|it is still there after SIGKILL\).*/\1/p' <<<"$um_detail")"
check_match "hung repair: no new mount, the server does not answer" \
	"^not mounting again: $SRC does not answer" "$(last_check repair.server summary)"
check_eq "hung repair: the plan has no mount step" 0 \
	"$(jget '[.plan.steps[] | select(.id == "repair.mount")] | length')"
check_eq "hung repair: nothing to verify" skip "$(last_check repair.verify status)"
vm_exec grep -c " $MNT " /proc/self/mounts
check_eq "hung repair: the mount is gone from the guest's mount table" 0 "$OUT"
vm_exec pgrep -x umount.nfs4
measure hung_repair_umount_left "$([ "$RC" = 0 ] && echo "yes (pid $OUT)" || echo no)"
lab_heal || { not_ok "hung repair: lab heal"; exit 1; }
vm_exec -t 90 "$MESHNFS" --json repair
measure hung_repair_again_ms "$MS"
check_eq "hung repair, healed: repair again mounts and verifies" "ok ok" \
	"$(last_check repair.mount status) $(last_check repair.verify status)"
check_match "hung repair, healed: ... because the server answers" "answers" \
	"$(last_check repair.server summary)"
doctor_green hung_repair 60 "the second repair"

# ---- Offline peer, server stopped: the same verdict from doctor, probe here, probe on c1 ----
for fault in offline refused; do
	case $fault in
	offline) want=unreachable h=$OFFLINE_HOLD cause="offline peer, no answer to SYNs" ;;
	refused) want=refused h=$REFUSED_HOLD cause="refused, nothing listens on 2049" ;;
	esac
	lab_fault "$fault" || { not_ok "lab fault $fault"; exit 1; }
	vm_bg "ls-$fault" ls "$MNT"
	doctor_run
	within_bound "$fault"
	check_eq "$fault: doctor exits 2" 2 "$RC"
	check_eq "$fault: doctor's diagnosis of the server" "$want" "$(jget .probe.diagnosis)"
	check_eq "$fault: nfs.tcp fails, the rest of the ladder not tested" "fail skip skip skip" \
		"$(st nfs.tcp) $(st nfs.rpc) $(st nfs.export) $(st nfs.write)"
	tcp_detail=$(field nfs.tcp summary)
	hung_mount "$fault" "$cause" nfs.tcp
	probe_guest "$fault"
	check_eq "$fault: probe in the guest agrees with doctor" "$want" "$PROBE_GUEST"
	check_eq "$fault: probe's tcp step says what doctor's nfs.tcp says" "$tcp_detail" \
		"$(jget '.steps[] | select(.id == "tcp") | .detail')"
	probe_c1
	check_eq "$fault: probe from the lab's c1 (wireguard-go) agrees" "$want" "$PROBE_C1"
	ls_blocked "$fault" "ls-$fault" soft
	hold "$fault" "ls-$fault" "$h"
	heal "$fault" "ls-$fault"
	doctor_green "$fault" 90
done

# ---- Stale file handles: the export directory re-created under a restarted server ----
lab_fault recreated || { not_ok "lab fault recreated"; exit 1; }
vm_exec ls "$MNT"
check_match "stale: the guide's ls fails at once with Stale file handle" "Stale file handle" "$ERR"
measure stale_ls_ms "$MS"
doctor_run
doctor_measure stale
check_eq "stale: doctor exits 2" 2 "$RC"
check_eq "stale: mount.stale fails" fail "$(st mount.stale)"
check_match "stale: ... naming ESTALE" "ESTALE" "$(field mount.stale summary)"
check_match "stale: the fix is the guide's" "^umount -l $MNT && mount $MNT" "$(field mount.stale fix)"
check_eq "stale: the server itself is fine (a fresh mount works)" "ok ok" \
	"$(jget .probe.diagnosis) $(st nfs.write)"
probe_guest stale
check_eq "stale: probe in the guest agrees: the server is fine" ok "$PROBE_GUEST"
# meshnfs repair: the plan first (--dry-run changes nothing), then umount -l and mount again.
vm_exec "$MESHNFS" --json repair --dry-run
check_eq "stale: repair --dry-run plans umount -l and mount" "skip skip" \
	"$(st repair.umount) $(st repair.mount)"
check_match "stale: ... because the server answers" "answers" "$(field repair.server summary)"
vm_exec ls "$MNT"
check_match "stale: --dry-run left the mount stale" "Stale file handle" "$ERR"
vm_exec -t 60 "$MESHNFS" --json repair
measure stale_repair_ms "$MS"
check_eq "stale: repair exits 0" 0 "$RC"
check_eq "stale: repair ran umount -l and mount, and verified" "ok ok ok" \
	"$(st repair.umount) $(st repair.mount) $(st repair.verify)"
check_match "stale: repair mounted from the fstab entry" "^mount $MNT" "$(field repair.mount summary)"
vm_exec cat "$MNT/README"
check_eq "stale: the re-created export is what is mounted now" "the lab's export" "$OUT"
doctor_green stale 30 "meshnfs repair"

vm_exec umount "$MNT"
check_eq "guest unmounts" 0 "$RC"
if vm_poweroff; then
	ok "VM powers itself off"
else
	not_ok "VM powers itself off"
	vm_diag_failure
fi
measure whole_cycle_ms $(($(vm_now_ms) - VM_T0))
check_no_match "no kernel panic or oops on the console" "Kernel panic|Oops|BUG:" "$(cat "$VM_CONSOLE")"

mkdir -p "$VM_CACHE"
printf '%s\n' "date=$(date -u +%FT%TZ)" "kernel=$VM_KVER" "hung_hold_s=$HOLD" \
	"offline_hold_s=$OFFLINE_HOLD" "refused_hold_s=$REFUSED_HOLD" "${measures[@]}" \
	>"$VM_CACHE/kernel-client.measure"
