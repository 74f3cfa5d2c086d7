#!/usr/bin/env bash
# The curve (issue 16 goal 5): `meshnfs status --no-write` and `nmap -n -Pn -T4 -sS -p 2049`
# over SIZES mesh addresses in the lab, each size once, nmap then status in turns: wall time
# and peak RSS. Shape as in status-vs-nmap.sh: 60 % of the addresses answer, all behind the
# lab's one ganesha, the rest are routed to the server and held by nobody. Addresses from
# 100.64.64.0/18 (16384). Writes bench/status-scale.dat and, with gnuplot (scripts/deps.sh
# bench), bench/status-scale.png; --write also puts the table in bench/README.md (between the
# status-scale markers). Run as root.
# --no-tunnel (or NO_TUNNEL=1): the client reaches the server's addresses over the lab's veths
# and bridge with routes (lab_route_veth), no WireGuard on the way: measures status and ganesha,
# not the mesh. Writes bench/status-scale-veth.dat and the status-scale-veth table instead; the
# picture shows both series.
# nmap runs only up to NMAP_MAX addresses: beyond, the lab's wireguard-go path on 2 shared
# CPUs drops most packets and nmap -T4 slows down to match (199 s at 5000, 396 s at 10000 in a
# first run), which measures the lab, not the scanner.
#   SIZES ("100 1000 5000 10000")  TIMEOUT (2)  NMAP_MAX (2000)
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
SIZES=${SIZES:-100 1000 5000 10000}
TIMEOUT=${TIMEOUT:-2}
NMAP_MAX=${NMAP_MAX:-2000}
write=0 veth=${NO_TUNNEL:-0}
for a in "$@"; do
	case $a in
	--write) write=1 ;;
	--no-tunnel) veth=1 ;;
	*) echo "usage: bash bench/status-scale.sh [--write] [--no-tunnel]" >&2; exit 64 ;;
	esac
done
[ "$veth" = 1 ] || veth=0
. tests/lab/lib.sh
. bench/lib.sh
NODES=2 SILENT=0 bench_check_nodes
command -v nmap >/dev/null || { echo "bench: needs nmap (bash scripts/deps.sh bench)" >&2; exit 1; }

# addrs_in N: addrs=(N addresses of 100.64.64.0/18, skipping .0 and .255 of each /24).
addrs_in() {
	local i
	addrs=()
	for ((i = 0; ${#addrs[@]} < $1; i++)); do
		[ $((i % 256)) = 0 ] || [ $((i % 256)) = 255 ] && continue
		addrs+=("100.64.$((64 + i / 256)).$((i % 256))")
	done
}

dat=bench/status-scale.dat dat_tunnel=$dat dat_veth=bench/status-scale-veth.dat
[ "$veth" = 1 ] && dat=$dat_veth
echo "# addresses nmap_ms nmap_rss_kib status_ms status_rss_kib status_ok status_unreachable status_cut status_wrong load_nmap load_status" >"$dat"
rows=""
for n in $SIZES; do
	LAB_G_BIND=""
	bench_lab_up
	addrs_in "$n"
	answering=$((n * 6 / 10))
	if [ "$veth" = 1 ]; then
		lab_addr_add srv "${addrs[@]:0:answering}" && lab_route_veth srv 100.64.64.0/18
	else
		lab_addr_add srv "${addrs[@]:0:answering}" && lab_route_add srv 100.64.64.0/18
	fi || { echo "bench: addresses" >&2; exit 1; }
	printf '%s\n' "${addrs[@]}" >"$T/hosts"
	{ printf '[nodes]\n'; for i in "${!addrs[@]}"; do printf 'n%05d = %s\n' "$i" "${addrs[$i]}"; done; } >"$T/meshnfs.conf"
	nmap_ms=NaN nmap_rss=NaN load_nmap=-
	if [ "$n" -le "$NMAP_MAX" ]; then
		load_nmap=$(cut -d' ' -f1 /proc/loadavg)
		t0=$(date +%s%N)
		lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" nmap -n -Pn -T4 -sS -p 2049 -iL "$T/hosts" -oG - >"$T/nmap.out" 2>/dev/null
		nmap_ms=$((($(date +%s%N) - t0) / 1000000)) nmap_rss=$(tail -n 1 "$T/rss")
	fi
	load_status=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(date +%s%N)
	lab_exec c1 /usr/bin/time -f '%M' -o "$T/rss" "$MESHNFS" --config "$T/meshnfs.conf" \
		--timeout "$TIMEOUT" status --json --source config --no-write >"$T/status.out" 2>/dev/null
	st_ms=$((($(date +%s%N) - t0) / 1000000)) st_rss=$(tail -n 1 "$T/rss")
	printf '%s\n' "${addrs[@]:0:answering}" | sort >"$T.ans"
	# The rows of the listed addresses (not the configured server's own row).
	read -r ok un cut wrong < <(jq -r --rawfile ans "$T.ans" --rawfile all "$T/hosts" '
		def set(s): s | split("\n") | map(select(length > 0)) | map({(.): true}) | add;
		set($ans) as $a | set($all) as $h
		| [.nodes[] | select($h[.ips[0] // ""]) | {a: ($a[.ips[0]] // false), d: (.nfs.diagnosis // "not probed")}]
		| [([.[]|select(.a and .d == "ok")]|length), ([.[]|select((.a|not) and .d == "unreachable")]|length),
		   ([.[]|select(.d == "cut" or .d == "not probed")]|length),
		   ([.[]|select(.d != "not probed" and ((.a and .d != "ok" and .d != "cut") or ((.a|not) and .d != "unreachable" and .d != "cut")))]|length)]
		| @tsv' "$T/status.out")
	rm -f "$T.ans"
	# (cut counts the addresses without a verdict: cut, or not probed before the deadline; both
	# are said so in status's warnings)
	lab_down
	echo "$n $nmap_ms $nmap_rss $st_ms $st_rss $ok $un $cut $wrong $load_nmap $load_status" >>"$dat"
	echo "bench: $n addresses: nmap $nmap_ms ms $nmap_rss KiB; status $st_ms ms $st_rss KiB, ok $ok unreachable $un cut $cut wrong $wrong" >&2
	if [ "$nmap_ms" = NaN ]; then
		rows+="| $n | not run (> NMAP_MAX) | $st_ms ms | - | $ok ok, $un unreachable, $cut cut, $wrong wrong | - | $st_rss KiB | -, $load_status |"$'\n'
	else
		rows+="| $n | $nmap_ms ms | $st_ms ms | x$(awk -v a="$st_ms" -v b="$nmap_ms" 'BEGIN{printf "%.2f", a/b}') | $ok ok, $un unreachable, $cut cut, $wrong wrong | $nmap_rss KiB | $st_rss KiB | $load_nmap, $load_status |"$'\n'
	fi
done

if command -v gnuplot >/dev/null; then
	# Each mode's file as it was last written: the other mode's series when its file is there.
	t_st="" t_nm="" t_rss="" t_nrss=""
	if [ -s "$dat_tunnel" ]; then
		t_st="\"$dat_tunnel\" using 1:(\$4/1000) with linespoints lc 1 title \"status (wireguard-go)\","
		t_nm="\"$dat_tunnel\" using 1:(\$2/1000) with linespoints lc 2 title \"nmap (wireguard-go)\","
		t_rss="\"$dat_tunnel\" using 1:(\$5/1024) with linespoints lc 1 title \"status (wireguard-go)\","
		t_nrss="\"$dat_tunnel\" using 1:(\$3/1024) with linespoints lc 2 title \"nmap (wireguard-go)\","
	fi
	if [ -s "$dat_veth" ]; then
		t_st+="\"$dat_veth\" using 1:(\$4/1000) with linespoints lc 3 dt 2 title \"status (veth, no tunnel)\","
		t_nm+="\"$dat_veth\" using 1:(\$2/1000) with linespoints lc 4 dt 2 title \"nmap (veth, no tunnel)\","
		t_rss+="\"$dat_veth\" using 1:(\$5/1024) with linespoints lc 3 dt 2 title \"status (veth, no tunnel)\","
		t_nrss+="\"$dat_veth\" using 1:(\$3/1024) with linespoints lc 4 dt 2 title \"nmap (veth, no tunnel)\","
	fi
	gnuplot <<GP
set terminal pngcairo size 900,420 font ",10"
set output "bench/status-scale.png"
set multiplot layout 1,2 title "meshnfs status --no-write --timeout $TIMEOUT vs nmap -T4 -sS -p 2049 (60 % answering, one ganesha; $(date -u +%Y-%m-%d), 2 shared CPUs)"
set logscale x
set xlabel "mesh addresses"
set key left top
set grid
set ylabel "wall time (s)"
plot $t_st ${t_nm%,}
set ylabel "peak RSS (MiB, log scale)"
set logscale y
plot $t_rss ${t_nrss%,}
unset multiplot
GP
fi
table=$(
	echo "$(bench_machine),"
	[ "$veth" = 1 ] && echo "no tunnel: the client reaches the server's addresses over veths and a bridge (lab_route_veth), no WireGuard;"
	echo "shared with other work; one run per size, nmap then status; whole-process wall time;"
	echo "load: the 1-minute load average just before nmap's run and status's."
	echo "![status and nmap by number of addresses](status-scale.png)"
	echo
	echo "| addresses | nmap | meshnfs status --no-write | ratio | status's verdicts | nmap peak RSS | status peak RSS | load (nmap, status) |"
	echo "|---|---|---|---|---|---|---|---|"
	printf '%s' "$rows"
)
printf '%s\n' "$table"
if [ $write = 1 ]; then bench_write "status-scale$([ "$veth" = 1 ] && echo -veth)" "$table"; fi
