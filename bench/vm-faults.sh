#!/usr/bin/env bash
# Time to diagnosis in a real kernel NFS client: runs the VM test tests/vm/kernel-client.sh
# (Debian's kernel in qemu, a host of the lab's mesh with kernel WireGuard; root, `make`
# first) with each fault held for SECONDS, and turns its measurements
# (build/vm/kernel-client.measure) into a markdown table: for each fault, `meshnfs doctor`'s
# time and verdict in the guest, `meshnfs probe`'s, how long the guide's `ls /opt/shared` stayed
# blocked (and whether it ever returned by itself), and how soon doctor was green after the heal.
#   bash bench/vm-faults.sh [--write] [--hold SECONDS]    (default 120; --write puts the table
#                                                          in bench/README.md)
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
write=0 hold=120
while [ $# -gt 0 ]; do
	case $1 in
	--write) write=1 ;;
	--hold) hold=${2:?--hold needs seconds}; shift ;;
	*) echo "usage: bench/vm-faults.sh [--write] [--hold SECONDS]" >&2; exit 64 ;;
	esac
	shift
done
m=build/vm/kernel-client.measure
rm -f "$m"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
VM_HUNG_HOLD=$hold VM_OFFLINE_HOLD=$hold VM_REFUSED_HOLD=$hold VM_DEADLINE=$((hold * 3 + 300)) \
	bash tests/vm/kernel-client.sh >"$log" 2>&1
if grep -q '^not ok' "$log" || [ ! -s "$m" ]; then
	grep -A3 '^not ok' "$log" >&2
	echo "bench: the VM test failed; no table (its output: rerun tests/vm/kernel-client.sh)" >&2
	exit 1
fi
v() { sed -n "s/^$1=//p" "$m" | head -n 1; }
s1() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
# ls_cell FAULT: how long the guide's ls was blocked, and how it ended.
ls_cell() {
	local by rc err
	by=$(v "${1}_ls_ended_by_itself_ms") rc=$(v "${1}_ls_rc") err=$(v "${1}_ls_err")
	if [ -n "$by" ]; then
		printf '%s, then failed by itself (status %s: %s)' "$(s1 "$by")" "$rc" "${err##*: }"
	else
		printf '%s: until the heal (held %s s), in state D' "$(s1 "$(v "${1}_ls_blocked_ms")")" "$(v "${1}_hold_s")"
	fi
}
verdict() { local x; x=$(v "${1}_doctor_verdict"); printf '%s' "${x:-all ok}"; }
declare -A what=(
	[healthy]="healthy mesh"
	[hung]="ganesha SIGSTOPped (TCP still accepted)"
	[offline]="the server's wireguard-go SIGSTOPped"
	[refused]="ganesha stopped"
	[stale]="export directory re-created, ganesha restarted"
)
table=$(
	echo "$(bench_machine); guest:"
	echo "Debian's $(v kernel) under $(v accel) (1 vCPU), mount with \`setup client\`'s default options over kernel WireGuard to"
	echo "the lab's wireguard-go and nfs-ganesha; one run; doctor and probe with their default"
	echo "--timeout (5 s); faults held $hold s after the guide's \`ls\` started (the stale case needs no"
	echo "hold: ls fails at once). \`meshnfs setup client\` took $(s1 "$(v setup_client_ms)") (fstab, mount, verify)."
	echo
	echo "| fault | doctor in the guest | its failing checks | probe in the guest | the guide's \`ls /opt/shared\` | doctor green after the heal |"
	echo "|---|---|---|---|---|---|"
	for f in healthy hung offline refused stale; do
		case $f in
		healthy) l="returns"; g="-" ;;
		stale) l="fails at once: Stale file handle ($(v stale_ls_ms) ms)"; g="$(s1 "$(v stale_green_after_ms)") after \`meshnfs repair\` ($(s1 "$(v stale_repair_ms)"))" ;;
		*) l=$(ls_cell "$f"); g=$(s1 "$(v "${f}_green_after_ms")") ;;
		esac
		echo "| $f: ${what[$f]} | $(s1 "$(v "${f}_doctor_ms")") | $(verdict "$f") | $(s1 "$(v "${f}_probe_ms")"), \`$(v "${f}_probe")\` | $l | $g |"
	done
)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write vm-faults "$table"; fi
