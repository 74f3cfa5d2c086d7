#!/usr/bin/env bash
# Which NFS mount options bound a hang, measured on a real kernel client (issue 12, part 1).
# One VM (tests/vm/lib/vm.sh: Debian's kernel in qemu, a host of the lab's mesh with kernel
# WireGuard; the lab's wireguard-go and nfs-ganesha as the server) mounts the same export
# several times at once, one mount per option set (nosharecache: its own superblock and
# caches), then for each fault in turn (healing between):
#   prime the caches (ls, stat, read of every set's files), inject the fault, start every
#   operation on every set at once (ls of the cached directory, stat, read of a file,
#   write+fsync, a new mount with the set's options), wait until each returns or the cap;
#   SIGKILL what is still running and watch for 3 s whether it leaves state D; heal; wait for
#   what is left; check that the file written before the fault reads back intact (through the
#   mount and on the server side) and what became of the write made during the fault.
# Faults (tests/lab): hung (ganesha SIGSTOPped: TCP still accepted, NFS silent), offline (the
# server's wireguard-go SIGSTOPped), refused (ganesha stopped), grace (ganesha restarted with
# client records and without Graceless: a grace period), stale (the export directory made
# again under a restarted ganesha: every handle stale).
#   bash bench/mount-options.sh [--write] [--cap SECONDS] [--faults "F..."] [--sets "NAME..."]
#                               [--ops "OP..."] [--render]
# (root; `make` first). Raw results: build/vm/mount-options/ (--render tabulates them again
# without a run). --write puts the tables in bench/README.md.
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
write=0 cap=180 render_only=0
faults="hung offline refused grace stale"
ops="ls stat read write mount"
# NAME=OPTIONS, in mount order. The first set of each NFS minor version opens the client's TCP
# connection for that version and the others share it: its timeo and retrans set the
# connection's TCP timeouts (when an offline peer's connection is given up), while each set's
# own decide when its calls give up. So the candidate, s50r2, comes first (v41 and v40, alone
# on their versions, have the same options); the guide's set alone is bench/vm-faults.sh's.
all_sets=(
	"s50r2=soft,timeo=50,retrans=2"
	"guide=soft,timeo=150"
	"hard=hard"
	"s10r1=soft,timeo=10,retrans=1"
	"softerr=softerr,timeo=50,retrans=2"
	"softreval=soft,softreval,timeo=50,retrans=2"
	"ac600=soft,timeo=50,retrans=2,actimeo=600"
	"v41=vers=4.1,soft,timeo=50,retrans=2"
	"v40=vers=4.0,soft,timeo=50,retrans=2"
)
want_sets=
while [ $# -gt 0 ]; do
	case $1 in
	--write) write=1 ;;
	--cap) cap=${2:?--cap needs seconds}; shift ;;
	--faults) faults=${2:?}; shift ;;
	--sets) want_sets=${2:?}; shift ;;
	--ops) ops=${2:?}; shift ;;
	--render) render_only=1 ;;
	*) echo "usage: bench/mount-options.sh [--write] [--cap S] [--faults F] [--sets S] [--ops O] [--render]" >&2; exit 64 ;;
	esac
	shift
done
sets=()
for kv in "${all_sets[@]}"; do
	if [ -z "$want_sets" ] || [[ " $want_sets " == *" ${kv%%=*} "* ]]; then sets+=("$kv"); fi
done
RES=build/vm/mount-options

run_bench() {
	. tests/lib/tap.sh
	. tests/vm/lib/vm.sh
	local G=$TOP/tests/vm/lib/mount-ops.sh f lf n wait=$((cap > 120 ? cap : 120)) sum
	VM_DEADLINE=$(( $(wc -w <<<"$faults") * (cap + wait + 240) + 600 ))
	vm_require || return 1
	vm_lab_up 1 || { echo "bench: lab did not come up" >&2; return 1; }
	vm_boot "$TOP/tests/vm/lib/guest-agent.sh" || return 1
	vm_step booted 180 "guest ($VM_ACCEL) booted" || return 1
	rm -rf "$RES"
	mkdir -p "$RES"
	{
		echo "date=$(date -u +%Y-%m-%d)"
		echo "kernel=$VM_KVER"
		echo "accel=$VM_ACCEL"
		echo "cap=$cap"
		echo "machine=$(bench_machine)"
		echo "faults=$faults"
		echo "ops=$ops"
	} >"$RES/info"
	printf '%s\n' "${sets[@]}" >"$RES/sets"
	vm_exec modprobe nfsv4
	vm_exec -t 600 bash "$G" mount "${sets[@]}"
	[ "$RC" = 0 ] || { echo "bench: mounts failed: $ERR" >&2; vm_diag_failure; return 1; }
	printf '%s\n' "$OUT" >"$RES/vers"
	echo "bench: mounted: $(tr '\n' ' ' <"$RES/vers")" >&2
	for f in $faults; do
		lf=$f
		[ "$f" = stale ] && lf=recreated
		vm_exec -t 120 bash "$G" prime
		[ "$RC" = 0 ] || { echo "bench: $f: prime failed: $ERR" >&2; return 1; }
		lab_fault "$lf" || { echo "bench: lab fault $lf failed" >&2; return 1; }
		echo "bench: $f: fault on, $(wc -w <<<"$ops") ops x ${#sets[@]} sets (cap $cap s)" >&2
		vm_exec -t $((cap + 120)) bash "$G" run "$f" "$cap" "$ops"
		[ "$RC" = 0 ] || echo "bench: $f: run: rc $RC $ERR" >&2
		lab_heal || { echo "bench: heal after $f failed" >&2; return 1; }
		vm_exec -t $((wait + 180)) bash "$G" after "$f" "$wait"
		[ -n "$OUT" ] && printf '%s\n' "$OUT" >"$RES/$f.left"
		# The file written before the fault, on the server side.
		sum=$(head -n 1 "$VM_SHARE/mo/sums")
		for kv in "${sets[@]}"; do
			n=${kv%%=*}
			if [ "$( { sha256sum <"$VM_EXPORT/d-$n/before"; } 2>/dev/null | cut -d' ' -f1)" = "$sum" ]; then
				echo "$n intact"
			else
				echo "$n not-intact"
			fi
		done >"$RES/$f.server"
		cp "$VM_SHARE/mo/$f.tsv" "$VM_SHARE/mo/$f.data" "$VM_SHARE/mo/$f.info" "$RES/" 2>/dev/null
		vm_exec -t 600 bash "$G" remount
		[ "$RC" = 0 ] || { echo "bench: remount after $f failed: $ERR" >&2; return 1; }
		echo "bench: $f done" >&2
	done
	vm_poweroff
	grep -E 'Kernel panic|Oops|BUG:' "$VM_CONSOLE" >"$RES/console-bad"
	return 0
}

# ---- The tables ----
v() { sed -n "s/^$1=//p" "$RES/info" | head -n 1; }
declare -A ERRNO=()
load_errno() {
	local msg name
	while IFS=$'\t' read -r msg name; do ERRNO[$msg]=$name; done < <(perl -e '
		use Errno;
		for my $n (sort keys %!) { my $v = eval "Errno::$n()"; next unless defined $v;
			local $! = $v; print "$!\t$n\n" }')
}
# errname MESSAGE: the errno name for the strerror text at the end of MESSAGE, else MESSAGE.
errname() {
	local m=${1##*: }
	if [ -n "${ERRNO[$m]:-}" ]; then printf '%s' "${ERRNO[$m]}"; else printf '%s' "${1:-no message}"; fi
}
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }
# cell SET OP FAULT
cell() {
	local line ms rc st wchan killed msg
	line=$(awk -F'\t' -v n="$1" -v o="$2" '$1 == n && $2 == o' "$RES/$3.tsv")
	[ -n "$line" ] || { printf -- '-'; return; }
	IFS=$'\t' read -r _ _ ms rc st wchan killed msg <<<"$line"
	if [ "${ms:0:1}" = ">" ]; then
		printf '**> %s s**, %s (%s)' "$cap" "$st" "$wchan"
		case $killed in
		yes*) printf ', SIGKILL: gone in %s' "$(secs "${killed#yes }")" ;;
		*) printf ', SIGKILL: **still %s**' "${killed#no }" ;;
		esac
		return
	fi
	if [ "$rc" = 0 ]; then
		printf '%s ok' "$(secs "$ms")"
	else
		printf '%s %s' "$(secs "$ms")" "$(errname "$msg")"
	fi
}
render() {
	local f kv n o vers d dl srv
	load_errno
	cap=$(v cap)
	echo "$(v machine); guest: Debian's $(v kernel) under $(v accel) (1 vCPU, the harness's"
	echo "choice), NFSv4 over kernel WireGuard to the lab's wireguard-go and nfs-ganesha. One run."
	echo "Each cell: time until the operation returned and how (errno), or **> cap** ($cap s) and"
	echo "the state it was in, then SIGKILL and whether it left state D within 3 s. All sets run at"
	echo "once on their own mount of the export (nosharecache), caches primed just before the"
	echo "fault (\`ls\` lists a directory listed seconds before). \"data\": the file written (and"
	echo "fsynced) before the fault, read back after the heal through the mount and on the server;"
	echo "\"during\": the file of the write+fsync made during the fault, after the heal (ENOENT: the"
	echo "write never created it). The sets of one NFS version share the client's one TCP connection,"
	echo "whose TCP timeouts come from the first set mounted (\`s50r2\` for 4.2; \`v41\`, \`v40\`"
	echo "alone): each set's own timeo/retrans decide when its calls give up."
	echo
	echo "Option sets (the kernel's negotiated version in brackets):"
	while IFS= read -r kv; do
		n=${kv%%=*} o=${kv#*=}
		vers=$(awk -v n="$n" '$1 == n { sub(/^vers=/, "", $2); print $2 }' "$RES/vers")
		echo "\`$n\` = \`$o\` (${vers:-?})"
	done <"$RES/sets" | sed 's/$/;/' | paste -sd ' ' | fold -s -w 96 | sed 's/ *$//'
	for f in $(v faults); do
		[ -s "$RES/$f.tsv" ] || continue
		echo
		case $f in
		hung) echo "**hung**: ganesha SIGSTOPped (its kernel still accepts TCP, NFS silent)" ;;
		offline) echo "**offline**: the server's wireguard-go SIGSTOPped (packets dropped)" ;;
		refused) echo "**refused**: ganesha stopped (connection refused)" ;;
		grace) echo "**grace**: ganesha restarted with client records, without Graceless (a grace period)" ;;
		stale) echo "**stale**: export directory made again under a restarted ganesha (handles stale)" ;;
		esac
		echo
		printf '| set |'; for o in $(v ops); do printf ' %s |' "$o"; done; echo ' data after the heal |'
		printf '|---|'; for o in $(v ops); do printf -- '---|'; done; printf -- '---|\n'
		while IFS= read -r kv; do
			n=${kv%%=*}
			printf '| `%s` |' "$n"
			for o in $(v ops); do printf ' %s |' "$(cell "$n" "$o" "$f")"; done
			dl=$(awk -F'\t' -v n="$n" '$1 == n' "$RES/$f.data" 2>/dev/null)
			srv=$(awk -v n="$n" '$1 == n { print $2 }' "$RES/$f.server" 2>/dev/null)
			if [ "$f" = stale ]; then
				d="before: gone with the export (the fault deletes it)"
			else
				d="before: $(cut -f2 <<<"$dl") (mount), ${srv:-?} (server)"
			fi
			dl=$(cut -f3 <<<"$dl")
			case $dl in intact | size* | "no answer") ;; *) dl=$(errname "$dl") ;; esac
			d="$d; during: $dl"
			printf ' %s |\n' "$d"
		done <"$RES/sets"
		[ -s "$RES/$f.left" ] && sed 's/^/Left after the heal: /' "$RES/$f.left"
	done
	[ -s "$RES/console-bad" ] && { echo; echo "Console: $(head -n 3 "$RES/console-bad")"; }
	return 0
}

if [ $render_only = 0 ]; then
	log=$(mktemp)
	( run_bench ) 2>&1 | tee "$log" >&2
	if [ ! -s "$RES/info" ] || grep -q '^not ok' "$log"; then
		echo "bench: the run failed (see above); no table" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
fi
table=$(render)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write mount-options "$table"; fi
