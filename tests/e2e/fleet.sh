#!/usr/bin/env bash
# Fleet doctor over real OpenSSH: sshd from Debian's openssh-server, started by this test in a
# network namespace with host and user keys made for this run (nothing of /etc/ssh or ~/.ssh is
# read or written: sshd -f and ssh -F point into a temporary directory). One sshd per node
# address, so each node can differ: meshnfs installed, a node whose meshnfs reports a failure
# (the real meshnfs on the WSL1 fixture root), meshnfs missing, authentication refused, no
# sshd, a host key unknown, a remote doctor that hangs. The node list comes from Headscale's
# API, replayed by build/tools/hs-replay (Headscale cannot be installed here), and from
# meshnfs.conf [nodes]. Until the lab is merged the mesh is two namespaces joined by a veth
# pair with the mesh addresses on its ends.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lib/minilab.sh"
HS=$TOP/build/tools/hs-replay
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { not_ok "sshd is installed (scripts/deps.sh lab)"; exit 0; }
[ -x "$HS" ] || { not_ok "build/tools/hs-replay is built (make tools)"; exit 0; }
# sshd insists on its privilege separation directory (the Debian package makes it at boot).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd

mk_tmpdir T
chmod 700 "$T"
mini_ns C   # where meshnfs runs
mini_ns N   # the nodes: one sshd per address
mini_link "$C" 100.64.0.200/24 "$N" 100.64.0.1/24 100.64.0.3/24 100.64.0.5/24 100.64.0.6/24 \
	100.64.0.8/24 100.64.0.9/24 100.64.0.100/24

ssh-keygen -q -t ed25519 -N '' -f "$T/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C meshnfs-test
cp "$T/id.pub" "$T/authorized_keys"
: >"$T/no_keys"
{ printf '100.64.0.1,100.64.0.3,100.64.0.5,100.64.0.6,100.64.0.8,100.64.0.9 '; cut -d' ' -f1,2 "$T/host.pub"; } >"$T/known_hosts"
for k in ssh_config ssh_config_nokh; do
	kh=$T/known_hosts; [ "$k" = ssh_config_nokh ] && kh=$T/empty_known_hosts && : >"$kh"
	printf 'Host *\n  User root\n  IdentityFile %s/id\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  LogLevel ERROR\n' "$T" "$kh" >"$T/$k"
done

# Programs on the nodes' PATH. ok: the real meshnfs. fail: the real meshnfs on the WSL1 fixture
# root (node.kind fails, with its fix). hang: never answers (its pid recorded, killed at exit).
mkdir -p "$T/bin-ok" "$T/bin-fail" "$T/bin-hang" "$T/bin-none"
ln -s "$MESHNFS" "$T/bin-ok/meshnfs"
printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$MESHNFS" "$FIXTURES/roots/wsl1" >"$T/bin-fail/meshnfs"
printf '#!/bin/sh\necho $$ >>%s/hang.pids\nexec sleep 30\n' "$T" >"$T/bin-hang/meshnfs"
chmod +x "$T/bin-fail/meshnfs" "$T/bin-hang/meshnfs"
at_exit "[ -f '$T/hang.pids' ] && kill \$(cat '$T/hang.pids') 2>/dev/null"

# node ADDR BIN AUTHORIZED_KEYS: an sshd for one node address.
node() {
	local addr=$1 bin=$2 keys=$3
	cat >"$T/sshd-$addr.conf" <<-CONF
	ListenAddress $addr
	HostKey $T/host
	PidFile none
	AuthorizedKeysFile $keys
	StrictModes no
	UsePAM no
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	SetEnv PATH=$T/$bin:/usr/bin:/bin
	LogLevel ERROR
	CONF
	bg_start PID ip netns exec "$N" "$SSHD" -D -e -f "$T/sshd-$addr.conf" 2>>"$T/sshd.log"
	wait_for 5 ip netns exec "$N" sh -c "ss -ltn | grep -q '$addr:22 '"
}
check "sshd for sfspark1 (meshnfs installed)" node 100.64.0.1 bin-ok "$T/authorized_keys"
check "sshd for office-one-wsl (meshnfs reports a failure)" node 100.64.0.3 bin-fail "$T/authorized_keys"
check "sshd for laptop (no meshnfs)" node 100.64.0.5 bin-none "$T/authorized_keys"
check "sshd for build-box (our key not authorized)" node 100.64.0.6 bin-ok "$T/no_keys"
check "sshd for a node whose doctor hangs" node 100.64.0.9 bin-hang "$T/authorized_keys"

# Headscale, replayed, with a private CA.
mini_ca "$T" ca
mini_cert "$T" ca hs 100.64.0.100
printf 'hskey-api-fleet-0123456789\n' >"$T/key"; chmod 600 "$T/key"
mkdir -p "$T/hs"; cp "$FIXTURES/headscale/node.json" "$T/hs/"
bg_start PID ip netns exec "$N" "$HS" --listen 100.64.0.100:443 --cert "$T/hs.pem" --key "$T/hs.key" \
	--api-key-file "$T/key" --dir "$T/hs" >"$T/hs.ready" 2>"$T/hs.log"
check "Headscale replay listening" wait_for 5 grep -q ready "$T/hs.ready"

cat >"$T/meshnfs.conf" <<CONF
[headscale]
url = https://100.64.0.100
api_key_file = $T/key
ca_file = $T/ca.pem
[fleet]
ssh_config = $T/ssh_config
sessions = 8
connect_timeout = 2
[nodes]
sfspark1 = server
office-one = windows
CONF

# 1. The whole fleet from Headscale: every row has its reason, nothing aborts.
t0=$(date +%s%N)
run ip netns exec "$C" "$MESHNFS" --config "$T/meshnfs.conf" --timeout 2 doctor --all --json
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
diag "doctor --all over 6 nodes took $ms ms"
res() { jget ".nodes[]|select(.name==\"$1\")|$2"; }
check_eq "exit 2: some nodes fail" 2 "$RC"
check_eq "one row per node" 6 "$(jget '.nodes|length')"
check_match "sfspark1: doctor ran over ssh (a verdict, exit 0-2)" "^(ok|warn|fail) [012]$" "$(res sfspark1 '.result+" "+(.exit_code|tostring)')"
check_eq "sfspark1: node.kind is not among its failures" "" "$(res sfspark1 '.checks[]|select(.id=="node.kind")|.id')"
check_eq "office-one-wsl: fail" fail "$(res office-one-wsl .result)"
check_eq "office-one-wsl: the failing check" "node.kind fail" "$(res office-one-wsl '.checks[]|select(.id=="node.kind")|.id+" "+.status')"
check_match "office-one-wsl: its fix" "wsl --set-version" "$(res office-one-wsl '.checks[]|select(.id=="node.kind")|.fix')"
check_eq "office-one (Windows endpoint): skipped" skipped "$(res office-one .result)"
check_eq "laptop: not installed (exit 127)" "not_installed 127" "$(res laptop '.result+" "+(.exit_code|tostring)')"
check_eq "build-box: authentication failed" auth_failed "$(res build-box .result)"
check_match "build-box: reason quotes ssh" "Permission denied" "$(res build-box .reason)"
check_eq "old-phone (no host at 100.64.0.7): unreachable" unreachable "$(res old-phone .result)"
check "the whole run stayed within one session deadline (${ms} ms < 12000)" test "$ms" -lt 12000

run ip netns exec "$C" "$MESHNFS" --config "$T/meshnfs.conf" --timeout 2 --no-color doctor --all
check_match "table: header" "^NODE +ADDRESS +VERDICT +FAILING +FIX" "$OUT"
check_match "table: the failing check and its fix on the node's row" "office-one-wsl +100\\.64\\.0\\.3 +fail +node\\.kind: WSL1[^[:cntrl:]]*wsl --set-version" "$OUT"
check_match "table: not installed row" "laptop +100\\.64\\.0\\.5 +not installed +meshnfs is not installed" "$OUT"
check_match "table: summary names the source" "6 nodes: .* \\(nodes from headscale https://100\\.64\\.0\\.100/api/v1/node\\)" "$OUT"

# 2. From [nodes]: no sshd, host key unknown, a doctor that hangs (killed at the deadline).
cat >"$T/nodes.conf" <<CONF
[fleet]
ssh_config = $T/ssh_config_nokh
connect_timeout = 2
[nodes]
sfspark1 = 100.64.0.1 server
nosshd = 100.64.0.8
CONF
run ip netns exec "$C" "$MESHNFS" --config "$T/nodes.conf" --timeout 1 doctor --all --source config --json
check_eq "config source: two nodes" "sfspark1 nosshd" "$(jget '[.nodes[].name]|join(" ")')"
check_eq "unknown host key: host_key" host_key "$(res sfspark1 .result)"
check_eq "no sshd: refused" refused "$(res nosshd .result)"
sed -i "s|ssh_config_nokh|ssh_config|; s|^nosshd.*|hangs = 100.64.0.9|" "$T/nodes.conf"
t0=$(date +%s%N)
run ip netns exec "$C" "$MESHNFS" --config "$T/nodes.conf" --timeout 1 doctor --all --source config --json
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check_eq "a hanging remote doctor: timeout" timeout "$(res hangs .result)"
check "... killed at the session deadline (2 s + 4 x 1 s + 2 s; took $ms ms)" test "$ms" -lt 10000
check "... and not before it (took $ms ms)" test "$ms" -ge 7500
check_eq "the other node still has its row" "$(res sfspark1 .result | grep -E '^(ok|warn|fail)$')" "$(res sfspark1 .result)"

# 3. Bounded sessions: with sessions = 1 two hanging nodes run one after the other.
cat >"$T/serial.conf" <<CONF
[fleet]
ssh_config = $T/ssh_config
connect_timeout = 2
sessions = 1
[nodes]
hangs = 100.64.0.9
hangs2 = 100.64.0.9
CONF
t0=$(date +%s%N)
run ip netns exec "$C" "$MESHNFS" --config "$T/serial.conf" --timeout 1 doctor --all --source config --json
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check_eq "sessions = 1: both hanging nodes time out" "timeout timeout" "$(jget '[.nodes[].result]|join(" ")')"
check "sessions = 1: one after the other (took $ms ms >= 15000)" test "$ms" -ge 15000
