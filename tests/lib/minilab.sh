# shellcheck shell=bash
# A minimal mesh for the fleet and Headscale tests until the lab (tests/lab) is merged: network
# namespaces joined by one veth pair, mesh addresses (100.64.0.0/10) directly on the veth ends,
# no WireGuard. Per-run unique names; everything is removed at exit (tap.sh's at_exit), and
# only processes started here are stopped, by pid. Source after tap.sh.

# mini_ns VAR: a new namespace with loopback up; its name in VAR.
mini_ns() {
	local ns="mnfs-$1-$$-$RANDOM"
	ip netns add "$ns" || return 1
	at_exit "ip netns del '$ns' 2>/dev/null"
	ip -n "$ns" link set lo up
	printf -v "$1" '%s' "$ns"
}

# mini_link NS_A ADDR_A NS_B ADDR_B...: a veth pair between two namespaces, ADDR_A (with
# prefix) on A's end and every ADDR_B (with prefix) on B's end.
mini_link() {
	local a=$1 addr_a=$2 b=$3; shift 3
	local ia="mv$$a${RANDOM}" ib
	ia=${ia:0:15}
	ib="${ia:0:14}b"
	ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b" || return 1
	ip -n "$a" addr add "$addr_a" dev "$ia"
	local x
	for x in "$@"; do ip -n "$b" addr add "$x" dev "$ib"; done
	ip -n "$a" link set "$ia" up
	ip -n "$b" link set "$ib" up
}

# bg_start PIDVAR CMD...: runs CMD in the background, stopped (by pid) at exit.
bg_start() {
	local var=$1; shift
	"$@" &
	local pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	printf -v "$var" '%s' "$pid"
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# mini_ca DIR NAME: a private CA (NAME.pem, NAME.key) made now with Debian's openssl.
mini_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=meshnfs test $2" -keyout "$1/$2.key" -out "$1/$2.pem" 2>/dev/null
}

# mini_cert DIR CA NAME IP: a server certificate NAME.pem/.key for IP, signed by CA.
mini_cert() {
	local d=$1 ca=$2 name=$3 ip=$4
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$ip" -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$ip" >"$d/$name.ext" &&
	openssl x509 -req -in "$d/$name.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" -CAcreateserial \
		-days 2 -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null
}
