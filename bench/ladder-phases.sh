# shellcheck shell=bash
# `bench/ladder-floor.sh --phases`: where `meshnfs status --no-write`'s time goes over the
# ladder-floor set, against `ladders lookup 16` (the floor). Sourced by ladder-floor.sh once
# the lab holds the addresses ($T/hosts, $T/meshnfs.conf). Needs perf (linux-perf) and
# /usr/bin/time (time).

# phases_of PERF_TRACE_LOG: one line of status's phases from `perf trace` of one run (ms from
# the start: first SYN, last SYN of the burst sent before the first poll, first and last
# connect answer of those SYNs, first and last NULL reply, first and last ladder connect,
# last lookup reply, first write to stdout, exit), the medians per connection (SYN to connect
# answer, connect answer to NULL reply on that connection, ladder connect to lookup reply), the
# longest ladder (connect to lookup reply), connections of any kind answered after more than
# 0.9 s (a SYN the kernel resent after its 1 s initial RTO),
# SYNs of the burst, NULL calls on a connection of their own (after a wait for a turn:
# probe_gate), ladders, poll calls and the ms blocked in them. Connections are told apart by
# what goes over them: a NULL call is 44 bytes, its reply 28; the lookup is longer.
phases_of() {
	grep -v '^ *?' "$1" | sort -n -k1,1 | awk '
	function fdof(s) { match(s, /\(fd: [0-9]+/); return substr(s, RSTART + 5, RLENGTH - 5) + 0 }
	function ret(s) { match(s, /= -?[0-9]+/); return substr(s, RSTART + 2) + 0 }
	function med(a, n,   i, j, x) { # median of a[1..n]
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n ? sprintf("%.1f", a[int((n + 1) / 2)]) : "-"
	}
	function f(t) { return sprintf("%.0f", t) }
	{ t = $1 + 0 }
	/ connect\(/ && /EINPROGRESS/ {
		fd = fdof($0); conn[fd] = t; kind[fd] = polled ? "?" : "s"
		if (!t_syn1) t_syn1 = t
		if (!polled) { t_synN = t; burst++ }
		next
	}
	/ getsockopt\(/ && /level: 1, optname: 4,/ { # SO_ERROR: the connect s answer
		fd = fdof($0)
		if ((fd in conn) && !(fd in done)) { done[fd] = 1; if (t - conn[fd] > 900) slow++ }
		if (kind[fd] == "s" && !(fd in ans)) { ans[fd] = t; d1[++n1] = t - conn[fd]; if (!t_ans1) t_ans1 = t; t_ansN = t }
		next
	}
	/ sendto\(/ && /NOSIGNAL/ {
		fd = fdof($0)
		if (/len: 44,/) { if (kind[fd] == "?") { kind[fd] = "r"; again++ } }
		else if (kind[fd] == "?") { kind[fd] = "l"; if (!t_lad1) t_lad1 = conn[fd]; t_ladN = conn[fd]; ladders++ }
		next
	}
	/ recvfrom\(/ {
		fd = fdof($0); r = ret($0)
		if (r == 28) { if (!t_nul1) t_nul1 = t; t_nulN = t; if (kind[fd] == "s") d2[++n2] = t - ans[fd] }
		else if (r > 28 && kind[fd] == "l") { t_lkN = t; d4[++n4] = t - conn[fd]; if (t - conn[fd] > lmax) lmax = t - conn[fd] }
		next
	}
	/ close\(/ { fd = fdof($0); delete kind[fd]; delete ans[fd]; delete conn[fd]; delete done[fd]; next }
	/ poll\(/ { polled = 1; polls++; if (match($0, /\( *[0-9.]+ ms\)/)) blocked += substr($0, RSTART + 1) + 0; next }
	/ write\(fd: 1/ && !t_out { t_out = t }
	/ exit_group\(/ { t_exit = t }
	END {
		printf "%s %s %s %s %s %s %s %s %s %s %s", f(t_syn1), f(t_synN), f(t_ans1), f(t_ansN), f(t_nul1), f(t_nulN), f(t_lad1), f(t_ladN), f(t_lkN), f(t_out), f(t_exit)
		printf " %s %s %s %.0f %d %d %d %d %d %.0f\n", med(d1, n1), med(d2, n2), med(d4, n4), lmax, slow, burst, again, ladders, polls, blocked
	}'
}

# drops HOST COUNTER: a TCP counter of HOST's namespace (nstat, absolute, history untouched).
drops() { lab_exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c { print $2 }'; }

# txdrops HOST: packets HOST's interfaces dropped on the way out (tx_dropped: on the mesh
# interface, the tun queue wireguard-go reads, 500 packets, was full).
txdrops() { lab_exec "$1" sh -c 'cat /sys/class/net/*/statistics/tx_dropped' | awk '{ s += $1 } END { print s + 0 }'; }

# light KEY CMD...: CMD in the client's namespace under /usr/bin/time and `perf trace` of
# openat and poll alone (a few hundred events); appends "wall cpu(user+sys) blocked-in-poll
# rest involuntary-switches first-poll listen-drops syn-resent tx-drops udp-drops
# synack-resent" (ms, first poll: from the
# process's first openat, the end of status's SYN burst; listen drops: the server namespace's
# TcpExtListenDrops during the run (SYNs or handshakes its listener dropped, a full accept
# queue); SYNs resent: the client's TcpExtTCPSynRetrans; tx drops: txdrops c1; UDP drops:
# UdpRcvbufErrors of both namespaces (datagrams the kernel dropped, wireguard-go's socket
# buffer full: the tunnel's packets lost); SYN-ACKs resent: the server's TcpExtTCPSynRetrans; wall and cpu by /usr/bin/time: 10 ms steps; rest = wall - cpu - blocked: runnable, waiting for a CPU) to
# LIGHT[KEY], the load before to LLOAD[KEY]; OKN: the ok verdicts in status's JSON.
declare -A LIGHT LLOAD
light() {
	local key=$1 l wall cpu blk inv d0 s0 q0 u0 r0
	shift
	l=$(load1)
	d0=$(drops srv TcpExtListenDrops) s0=$(drops c1 TcpExtTCPSynRetrans) q0=$(txdrops c1)
	u0=$(($(drops srv UdpRcvbufErrors) + $(drops c1 UdpRcvbufErrors))) r0=$(drops srv TcpExtTCPSynRetrans)
	lab_exec c1 perf trace -e openat,poll -o "$T/poll" -- /usr/bin/time -f '%e %U %S %c' -o "$T/time" \
		"$@" <"$T/hosts" >"$T/out" 2>/dev/null
	read -r wall cpu inv < <(awk '{ printf "%.0f %.0f %d\n", $1 * 1000, ($2 + $3) * 1000, $4 }' "$T/time")
	read -r blk p1 < <(grep -v '^ *?' "$T/poll" | sort -n -k1,1 | awk '
		/ openat\(/ && !t0 && $0 !~ /time\// { t0 = $1 }
		/ poll\(/ { if (!p1) p1 = $1; if (match($0, /\( *[0-9.]+ ms\)/)) b += substr($0, RSTART + 1) + 0 }
		END { printf "%.0f %.0f\n", b, p1 - t0 }')
	LIGHT[$key]+=" $wall/$cpu/$blk/$((wall - cpu - blk))/$inv/$p1/$(($(drops srv TcpExtListenDrops) - d0))/$(($(drops c1 TcpExtTCPSynRetrans) - s0))/$(($(txdrops c1) - q0))/$(($(drops srv UdpRcvbufErrors) + $(drops c1 UdpRcvbufErrors) - u0))/$(($(drops srv TcpExtTCPSynRetrans) - r0))"
	LLOAD[$key]+=" $l"
	OKN=$(jq '[.nodes[]|select(.nfs.diagnosis=="ok")]|length' "$T/out" 2>/dev/null)
	[ "$key" = status ] && not_ok
}

# not_ok: status's verdicts other than ok in $T/out (counted, with the first one's detail)
# appended to NOTOK, to be shown after the tables.
NOTOK=""
not_ok() {
	local n
	n=$(jq -c '[.nodes[]|select(.nfs.diagnosis!="ok")] | select(length > 0) |
		{n: length, by: (group_by(.nfs.diagnosis)|map({(.[0].nfs.diagnosis|tostring): length})|add),
		 first: .[0]|{address, nfs}}' "$T/out" 2>/dev/null)
	[ -n "$n" ] && NOTOK+="$n"$'\n'
	return 0
}

# timeline_of PERF_TRACE_LOG: from `perf trace -e openat,recvfrom,poll,write,exit_group` of one
# status run (about 1300 events, none in the SYN burst: little added time), ms from the first
# openat: first poll (the end of the SYN burst), first and last NULL reply (28 bytes), first
# and last lookup reply (longer), first write to stdout, exit.
timeline_of() {
	grep -v '^ *?' "$1" | sort -n -k1,1 | awk '
	function f(x) { return sprintf("%.0f", x - t0) }
	/ openat\(/ && !t0 { t0 = $1 }
	/ poll\(/ && !p1 { p1 = $1 }
	/ recvfrom\(/ { match($0, /= -?[0-9]+/); r = substr($0, RSTART + 2) + 0
		if (r == 28) { if (!n1) n1 = $1; nN = $1 } else if (r > 28) { if (!l1) l1 = $1; lN = $1 } }
	/ write\(fd: 1/ && !w1 { w1 = $1 }
	/ exit_group\(/ { x = $1 }
	END { print f(p1), f(n1), f(nN), f(l1), f(lN), f(w1), f(x) }'
}

ladder_phases() {
	local rep status=("$MESHNFS" --config "$T/meshnfs.conf" --timeout "$TIMEOUT" status --json
		--source config --no-write) w0 w1 l ph=() tl=() okl oks
	for ((rep = 0; rep < REPS; rep++)); do
		light ladders "$LADDERS" lookup 16 "$LAB_PSEUDO"
		light status "${status[@]}"
		okl=$OKN
		l=$(load1)
		lab_exec c1 perf trace -o "$T/trace" -e openat,recvfrom,poll,write,exit_group \
			-- "${status[@]}" >"$T/out" 2>/dev/null
		tl+=("$(timeline_of "$T/trace") $l $(jq '[.nodes[]|select(.nfs.diagnosis=="ok")]|length' "$T/out")")
		not_ok
		l=$(load1)
		w0=$(date +%s%N)
		lab_exec c1 perf trace -o "$T/trace" \
			-e execve,connect,getsockopt,sendto,recvfrom,close,poll,write,exit_group \
			-- "${status[@]}" >"$T/out" 2>/dev/null
		w1=$(date +%s%N)
		oks=$(jq '[.nodes[]|select(.nfs.diagnosis=="ok")]|length' "$T/out")
		not_ok
		ph+=("$(phases_of "$T/trace") $(((w1 - w0) / 1000000)) $l $okl $oks")
		echo "bench: phases rep $rep done" >&2
	done
	# Where status's CPU goes: one run sampled.
	lab_exec c1 perf record -q -F 4999 -o "$T/perf.data" -- "${status[@]}" >/dev/null 2>&1
	echo "$(bench_machine); $ANSWERING addresses (ladder-floor.sh's set), in turns, $REPS times."
	echo
	echo "Whole process, \`perf trace -e openat,poll\` only (wall/cpu/blocked in poll/rest/involuntary"
	echo "switches/first poll/listen drops/SYNs resent/tx drops/UDP drops/SYN-ACKs resent; ms; rest = wall - user+sys CPU - blocked in"
	echo "poll: waiting for a CPU, mostly; first poll from the first openat: status's SYN burst ends"
	echo "there; listen drops: the server's TcpExtListenDrops; SYNs resent: the client's"
	echo "TcpExtTCPSynRetrans; tx drops: packets the client's tun interface dropped, its queue full;"
	echo "UDP drops: UdpRcvbufErrors of server and client, the tunnel's datagrams wireguard-go did"
	echo "not read in time; SYN-ACKs resent: the server's TcpExtTCPSynRetrans):"
	echo "- \`ladders lookup 16\`: ${LIGHT[ladders]# } (load ${LLOAD[ladders]# })"
	echo "- \`meshnfs --timeout $TIMEOUT status --no-write\`: ${LIGHT[status]# } (load ${LLOAD[status]# })"
	echo
	echo "status under \`perf trace -e openat,recvfrom,poll,write,exit_group\` (ms from the first openat):"
	echo
	echo "| run | first poll (end of the SYN burst) | first NULL reply | last NULL reply | first lookup reply | last lookup reply | first write to stdout | exit | load | ok |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for ((rep = 0; rep < REPS; rep++)); do
		echo "| $((rep + 1)) | ${tl[$rep]// / | } |"
	done
	echo
	echo "status under \`perf trace\` of its socket calls (ms from start; medians per connection in ms):"
	echo
	echo "| run | first SYN | last SYN of the burst | first connect answer | last connect answer | first NULL reply | last NULL reply | first ladder connect | last ladder connect | last lookup reply | first write to stdout | exit | SYN->answer | answer->NULL reply (same connection) | ladder connect->lookup reply | longest ladder | connections answered after > 0.9 s (SYN resent) | SYNs in the burst | NULL calls reconnected after a wait | ladders | polls | blocked in poll | wall under perf trace | load | ok (light run) | ok (traced run) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for ((rep = 0; rep < REPS; rep++)); do
		echo "| $((rep + 1)) | ${ph[$rep]// / | } |"
	done
	echo
	echo "status's verdicts other than ok (one line per run that had any): ${NOTOK:-none}"
	echo
	echo "status's CPU by shared object (perf record, one run):"
	perf report -i "$T/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep . | head -8
	echo "status's CPU by symbol (top 15):"
	perf report -i "$T/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep . | head -15
}
