#!/usr/bin/env bash
# The Headscale node-list source against a REPLAY of Headscale's REST API: Headscale cannot be
# installed here, so build/tools/hs-replay (tests/tools/hs-replay.c) serves recorded answers
# (tests/fixtures/headscale, sources in tests/fixtures/README.md) over real TLS, inside a host
# of the lab made for this run (on the underlay only, its two mesh addresses on loopback),
# with a private CA made now by openssl. meshnfs runs in the same namespace (`doctor --all
# --source headscale`): the node list is real libcurl + TLS verification + parsing; the nodes
# themselves are not reachable there (fleet.sh and status.sh do that).
. "$(dirname "$0")/../lib/tap.sh"
plan 36
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/pki.sh"
HS=$TOP/build/tools/hs-replay
[ -x "$HS" ] || { not_ok "build/tools/hs-replay is built (make tools)"; exit 0; }
mk_tmpdir T
if ! { lab_init && lab_host_add hs -; }; then not_ok "a lab host for the replay"; exit 1; fi
NS=$(lab_ns hs)
ip -n "$NS" addr add 100.64.0.100/32 dev lo
ip -n "$NS" addr add 100.64.0.101/32 dev lo
pki_ca "$T" ca
pki_ca "$T" otherca
pki_cert "$T" ca hs 100.64.0.100
check "test CA and server certificate made" test -s "$T/hs.pem"

KEY=hskey-api-Zq3x9.F7mT2bKc0WvLpY8sNdHe
printf '%s\n' "$KEY" >"$T/key"; chmod 600 "$T/key"
printf 'wrong-key-0123456789\n' >"$T/badkey"; chmod 600 "$T/badkey"
printf 'UserKnownHostsFile /dev/null\nGlobalKnownHostsFile /dev/null\n' >"$T/ssh_config"
mkdir -p "$T/new" "$T/old" "$T/big"
cp "$FIXTURES/headscale/node.json" "$T/new/"
cp "$FIXTURES/headscale/machine.json" "$T/old/"

# server NAME DIR PORT [--stall]: hs-replay on 100.64.0.100:PORT; its log (requests) is
# $LAB_DIR/hs-NAME.out.
server() {
	local name=$1 dir=$2 port=$3; shift 3
	lab_daemon hs "hs-$name" "$HS" --listen "${LISTEN:-100.64.0.100}:$port" --cert "$T/hs.pem" \
		--key "$T/hs.key" --api-key-file "$T/key" "$@" --dir "$dir"
	lab_poll 5 grep -q ready "$LAB_DIR/hs-$name.out"
}
# conf FILE URL [KEYFILE] [CA]
conf() {
	{
		printf '[headscale]\nurl = %s\n' "$2"
		[ -n "${3:-}" ] && printf 'api_key_file = %s\n' "$3"
		[ -n "${4:-}" ] && printf 'ca_file = %s\n' "$4"
		printf '[fleet]\nssh_config = %s/ssh_config\nconnect_timeout = 1\n' "$T"
		printf '[nodes]\noffice-one = windows\nsfspark1 = server\n'
	} >"$1"
}
mn() { run ip netns exec "$NS" "$MESHNFS" --timeout 2 --config "$@"; }

check "replay server (new Headscale, /api/v1/node) listening" server new "$T/new" 8443
server old "$T/old" 8444

# 1. TLS: a server whose CA is not configured is refused, before any request is sent.
conf "$T/noca.conf" https://100.64.0.100:8443 "$T/key"
mn "$T/noca.conf" doctor --all --source headscale --json
check_eq "no ca_file: refused (exit 2)" 2 "$RC"
check_match "no ca_file: says TLS verification failed and names ca_file" "TLS verification failed.*ca_file" "$ERR"
check_eq "no ca_file: JSON error kind" source_unavailable "$(jget .error.kind)"
conf "$T/other.conf" https://100.64.0.100:8443 "$T/key" "$T/otherca.pem"
mn "$T/other.conf" doctor --all --source headscale
check_match "another CA: refused" "TLS verification failed" "$ERR"
LISTEN=100.64.0.101 server name "$T/new" 8448
conf "$T/name.conf" https://100.64.0.101:8448 "$T/key" "$T/ca.pem"
mn "$T/name.conf" doctor --all --source headscale
check_match "right CA, wrong address (not in the certificate): refused" "TLS verification failed" "$ERR"
check_eq "the server never saw a request while TLS was refused" 0 "$(cat "$LAB_DIR/hs-new.out" "$LAB_DIR/hs-name.out" | grep -c '^GET')"

# 2. The real thing: CA configured, key from a 0600 key file.
conf "$T/good.conf" https://100.64.0.100:8443/ "$T/key" "$T/ca.pem"
mn "$T/good.conf" doctor --all --source headscale --json
check_match "nodes listed from headscale" "^headscale https://100.64.0.100:8443//?api/v1/node$" "$(jget .source)"
check_eq "six nodes" 6 "$(jget '.nodes|length')"
check_eq "names (givenName first)" "sfspark1 office-one-wsl office-one laptop build-box old-phone" "$(jget '[.nodes[].name]|join(" ")')"
check_eq "IPv4 and IPv6 addresses" "100.64.0.1 fd7a:115c:a1e0::1" "$(jget '.nodes[0].ips|join(" ")')"
check_eq "online from the control plane" "true false true true true false" "$(jget '[.nodes[].online|tostring]|join(" ")')"
check_eq "roles from [nodes] applied by name" "server null windows" "$(jget '[.nodes[0,1,2].role|tostring]|join(" ")')"
check_eq "the Windows endpoint is skipped, not contacted" skipped "$(jget '.nodes[2].result')"
check_eq "the request carried the Bearer key" "GET /api/v1/node 200" "$(grep '^GET' "$LAB_DIR/hs-new.out" | tail -n 1)"

# 3. An older Headscale: /api/v1/node is 404, /api/v1/machine answers {"machines":[...]}.
conf "$T/old.conf" https://100.64.0.100:8444 "$T/key" "$T/ca.pem"
mn "$T/old.conf" doctor --all --source headscale --json
check_eq "old server: nodes from /api/v1/machine" "sfspark1 office-one office-one-wsl" "$(jget '[.nodes[].name]|join(" ")')"
check_eq "old server: tried /api/v1/node first, then /api/v1/machine" \
	"GET /api/v1/node 404|GET /api/v1/machine 200" "$(grep '^GET' "$LAB_DIR/hs-old.out" | paste -sd'|')"
check_match "old server: source names the machine endpoint" "api/v1/machine$" "$(jget .source)"
# Neither endpoint (not a Headscale, or a path in front of it): named as such, not a bare "HTTP
# 404" (mutation run 8: headscale.c's last-404 branch `r == 0` -> `r != 0` gave the bare one).
mkdir -p "$T/empty"
server empty "$T/empty" 8450
conf "$T/empty.conf" https://100.64.0.100:8450 "$T/key" "$T/ca.pem"
mn "$T/empty.conf" doctor --all --source headscale
check_match "neither endpoint: both named, is this Headscale's URL?" \
	"HTTP 404 for /api/v1/node and /api/v1/machine: is this Headscale's URL" "$ERR"

# 4. The API key: refused key, key file readable by others, key in the config file.
conf "$T/bad.conf" https://100.64.0.100:8443 "$T/badkey" "$T/ca.pem"
mn "$T/bad.conf" doctor --all --source headscale
check_eq "wrong key: exit 2" 2 "$RC"
check_match "wrong key: HTTP 401, key refused" "HTTP 401: the API key was refused" "$ERR"
check_eq "wrong key: the server answered 401" "GET /api/v1/node 401" "$(grep '^GET' "$LAB_DIR/hs-new.out" | tail -n 1)"
n_before=$(grep -c '^GET' "$LAB_DIR/hs-new.out")
cp "$T/key" "$T/openkey"; chmod 644 "$T/openkey"
conf "$T/open.conf" https://100.64.0.100:8443 "$T/openkey" "$T/ca.pem"
mn "$T/open.conf" doctor --all --source headscale
check_eq "key file readable by others: bad input, exit 65" 65 "$RC"
check_match "key file readable by others: says chmod 600" "accessible by others \\(mode 0644\\): chmod 600" "$ERR"
check_eq "key file readable by others: nothing sent" "$n_before" "$(grep -c '^GET' "$LAB_DIR/hs-new.out")"
check_no_match "the key never appears in messages" "$KEY" "$OUT$ERR"
{ printf '[headscale]\nurl = https://100.64.0.100:8443\napi_key = %s\nca_file = %s/ca.pem\n' "$KEY" "$T"
  printf '[fleet]\nssh_config = %s/ssh_config\nconnect_timeout = 1\n' "$T"; } >"$T/inline.conf"
chmod 644 "$T/inline.conf"
mn "$T/inline.conf" doctor --all --source headscale
check_eq "api_key in a world-readable config: exit 65" 65 "$RC"
check_match "api_key in a world-readable config: names file and line" "inline.conf:3: api_key in a file readable by others" "$ERR"
chmod 600 "$T/inline.conf"
mn "$T/inline.conf" doctor --all --source headscale --json
check_eq "api_key in a 0600 config: six nodes" 6 "$(jget '.nodes|length')"

# 5. Bounds: a server that never answers, an answer too large, a bad answer.
server stall "$T/new" 8445 --stall
conf "$T/stall.conf" https://100.64.0.100:8445 "$T/key" "$T/ca.pem"
t0=$(date +%s%N)
mn "$T/stall.conf" doctor --all --source headscale
t1=$(date +%s%N)
check_match "stalled server: no answer within the deadline" "no answer within 2000 ms" "$ERR"
check_took "stalled server: gave up after its 2 s deadline, not hung (took $(((t1 - t0) / 1000000)) ms)" $(((t1 - t0) / 1000000)) 2000
head -c 9000000 /dev/zero | tr '\0' ' ' >"$T/big/node.json"
server big "$T/big" 8446
conf "$T/big.conf" https://100.64.0.100:8446 "$T/key" "$T/ca.pem"
mn "$T/big.conf" doctor --all --source headscale
check_match "answer over 8 MiB: refused" "answer larger than 8388608 bytes" "$ERR"
mkdir -p "$T/junk"; printf '{"nodes":[{"name":"evil\\u001b]0;pwned\\u0007","ipAddresses":["100.64.0.9"]}]}' >"$T/junk/node.json"
server junk "$T/junk" 8447
conf "$T/junk.conf" https://100.64.0.100:8447 "$T/key" "$T/ca.pem"
mn "$T/junk.conf" doctor --all --source headscale
# A hostile name hides no one (issue 13): the node is listed, its name escaped, and no escape
# byte reaches the terminal.
check_match "terminal escapes in a node name: the node is listed, escaped" 'evil\\x1b\]0;pwned\\a' "$OUT$ERR"
check "terminal escapes: no ESC or BEL byte on stdout or stderr" bash -c '! printf "%s" "$1" | tr -d "\n\t" | grep -q "[[:cntrl:]]"' _ "$OUT$ERR"

# 6. No replay server at all on that port.
conf "$T/none.conf" https://100.64.0.100:8449 "$T/key" "$T/ca.pem"
mn "$T/none.conf" doctor --all --source headscale
check_match "nothing listening: cannot connect" "cannot connect" "$ERR"
