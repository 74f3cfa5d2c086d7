#!/usr/bin/env bash
# Fleet doctor over real OpenSSH in the lab: a real mesh (wireguard-go, nfs-ganesha) where
# every node runs sshd from Debian's openssh-server, started by this test inside the node's
# namespace with host and user keys made for this run (nothing of /etc/ssh or ~/.ssh is read
# or written: sshd -f and ssh -F point into a temporary directory). meshnfs runs on c3 (laptop)
# and reaches each node at its mesh address through WireGuard. One sshd per address, so nodes
# can differ: meshnfs installed (srv: sfspark1), meshnfs reporting a failure (c1: the real
# meshnfs on the WSL1 fixture root), a WSL2 distro riding the Windows stand-in's address (c2:
# the real meshnfs on the WSL2 fixture root), meshnfs missing (c3: laptop), our key not
# authorized, no sshd, a remote doctor that hangs (extra addresses on c2), nothing at all
# (100.64.0.7). The node list comes from Headscale's API, REPLAYED by build/tools/hs-replay
# on a host of its own (Headscale cannot be installed here), and from meshnfs.conf [nodes].
. "$(dirname "$0")/../lib/tap.sh"
plan 40
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lib/pki.sh"
HS=$TOP/build/tools/hs-replay
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { not_ok "sshd is installed (scripts/deps.sh lab)"; exit 0; }
[ -x "$HS" ] || { not_ok "build/tools/hs-replay is built (make tools)"; exit 0; }
# sshd insists on its privilege separation directory (the Debian package makes it at boot).
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd

mk_tmpdir T
chmod 700 "$T"
lab_up 3 || { not_ok "the lab comes up"; exit 1; }
ok "the lab comes up (${LAB_UP_MS} ms): srv c1 c2 c3"
check "a host for Headscale (100.64.0.100)" lab_host_add hs 100.64.0.100
check "more node addresses on c2" lab_addr_add c2 100.64.0.6 100.64.0.8 100.64.0.9
check "... routed to c2" lab_route_add c2 100.64.0.6/32 100.64.0.8/32 100.64.0.9/32

ssh-keygen -q -t ed25519 -N '' -f "$T/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C meshnfs-test
cp "$T/id.pub" "$T/authorized_keys"
: >"$T/no_keys"
{ printf '100.64.0.1,100.64.0.3,100.64.0.4,100.64.0.5,100.64.0.6,100.64.0.8,100.64.0.9 '; cut -d' ' -f1,2 "$T/host.pub"; } >"$T/known_hosts"
for k in ssh_config ssh_config_nokh; do
	kh=$T/known_hosts; [ "$k" = ssh_config_nokh ] && kh=$T/empty_known_hosts && : >"$kh"
	printf 'Host *\n  User root\n  IdentityFile %s/id\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  LogLevel ERROR\n' "$T" "$kh" >"$T/$k"
done

# Programs on the nodes' PATH. ok: the real meshnfs. fail: the real meshnfs on the WSL1 fixture
# root (node.kind fails, with its fix). wsl2: on the WSL2 (mirrored) fixture root. hang: never
# answers (its pid recorded, killed at exit).
mkdir -p "$T/bin-ok" "$T/bin-fail" "$T/bin-wsl2" "$T/bin-hang" "$T/bin-none"
ln -s "$MESHNFS" "$T/bin-ok/meshnfs"
printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$MESHNFS" "$FIXTURES/roots/wsl1" >"$T/bin-fail/meshnfs"
printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$MESHNFS" "$FIXTURES/roots/wsl2-mirrored" >"$T/bin-wsl2/meshnfs"
printf '#!/bin/sh\necho $$ >>%s/hang.pids\nexec sleep 30\n' "$T" >"$T/bin-hang/meshnfs"
chmod +x "$T/bin-fail/meshnfs" "$T/bin-wsl2/meshnfs" "$T/bin-hang/meshnfs"
at_exit "[ -f '$T/hang.pids' ] && kill \$(cat '$T/hang.pids') 2>/dev/null"

# node HOST ADDR BIN AUTHORIZED_KEYS: an sshd on HOST for one of its addresses.
node() {
	local host=$1 addr=$2 bin=$3 keys=$4
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
	lab_daemon "$host" "sshd-$addr" "$SSHD" -D -e -f "$T/sshd-$addr.conf"
	lab_poll 5 lab_exec "$host" sh -c "ss -ltn | grep -q '$addr:22 '"
}
check "sshd for sfspark1 on srv (meshnfs installed)" node srv 100.64.0.1 bin-ok "$T/authorized_keys"
check "sshd for office-one-wsl on c1 (meshnfs reports a failure)" node c1 100.64.0.3 bin-fail "$T/authorized_keys"
check "sshd for office-distro on c2 (a WSL2 distro on the Windows host's address)" node c2 100.64.0.4 bin-wsl2 "$T/authorized_keys"
check "sshd for laptop on c3 (no meshnfs)" node c3 100.64.0.5 bin-none "$T/authorized_keys"
check "sshd for build-box (our key not authorized)" node c2 100.64.0.6 bin-ok "$T/no_keys"
check "sshd for a node whose doctor hangs" node c2 100.64.0.9 bin-hang "$T/authorized_keys"

# Headscale, replayed, with a private CA.
check "Headscale replay listening" hs_replay_up "$T" hs 100.64.0.100

{ hs_replay_conf "$T" 100.64.0.100; cat; } >"$T/meshnfs.conf" <<CONF
[fleet]
ssh_config = $T/ssh_config
sessions = 8
connect_timeout = 2
[nodes]
sfspark1 = server
office-one = windows
office-distro = 100.64.0.4 wsl2
CONF
# mn ARGS...: meshnfs on c3 (laptop); OUT/ERR/RC, MS the wall time.
mn() {
	local t0
	t0=$(lab_ms)
	run lab_exec c3 "$MESHNFS" "$@"
	MS=$(($(lab_ms) - t0))
}

# 1. The whole fleet from Headscale: every row has its reason, nothing aborts.
mn --config "$T/meshnfs.conf" --timeout 2 doctor --all --json
diag "doctor --all over 7 nodes took $MS ms"
res() { jget ".nodes[]|select(.name==\"$1\")|$2"; }
check_eq "exit 2: some nodes fail" 2 "$RC"
check_eq "one row per node, the WSL2 distro after its Windows host" \
	"sfspark1 office-one-wsl office-one office-distro laptop build-box old-phone" "$(jget '[.nodes[].name]|join(" ")')"
check_match "sfspark1: doctor ran over ssh (a verdict, exit 0-2)" "^(ok|warn|fail) [012]$" "$(res sfspark1 '.result+" "+(.exit_code|tostring)')"
check_empty "sfspark1: node.kind is not among its failures" 2 "$(res sfspark1 '.checks[]|select(.id=="node.kind")|.id')"
check_eq "office-one-wsl: fail" fail "$(res office-one-wsl .result)"
check_eq "office-one-wsl: the failing check" "node.kind fail" "$(res office-one-wsl '.checks[]|select(.id=="node.kind")|.id+" "+.status')"
check_match "office-one-wsl: its fix" "wsl --set-version" "$(res office-one-wsl '.checks[]|select(.id=="node.kind")|.fix')"
check_eq "office-one (Windows endpoint): skipped" skipped "$(res office-one .result)"
check_eq "office-distro: reached at its host's address" "100.64.0.4 wsl2" "$(res office-distro '.address+" "+.role')"
check_eq "office-distro: doctor ran there as a WSL2 distro (node.kind is no failure)" "fail " \
	"$(res office-distro '.result+" "+([.checks[]|select(.id=="node.kind")|.id]|join(","))')"
# (The node's meshnfs runs on a fixture root with --root: there it runs no program, so asking
# the Windows host's tailscale.exe is a skip, which doctor --all does not list, not a failure.)
check_eq "office-distro: ... the Windows host's Tailscale not asked under its --root (no failure)" "" \
	"$(res office-distro '.checks[]|select(.id=="mesh.tailscale")|.summary')"
check_eq "laptop: not installed (exit 127)" "not_installed 127" "$(res laptop '.result+" "+(.exit_code|tostring)')"
check_eq "build-box: authentication failed" auth_failed "$(res build-box .result)"
check_match "build-box: reason quotes ssh" "Permission denied" "$(res build-box .reason)"
check_eq "old-phone (no host at 100.64.0.7): unreachable" unreachable "$(res old-phone .result)"
check_took "the whole run stayed within one session deadline of 12 s (${MS} ms)" "$MS" 12000

mn --config "$T/meshnfs.conf" --timeout 2 --no-color doctor --all
check_match "table: header" "^NODE +ADDRESS +VERDICT +FAILING +FIX" "$OUT"
check_match "table: the failing check and its fix on the node's row" "office-one-wsl +100\\.64\\.0\\.3 +fail +node\\.kind: WSL1[^[:cntrl:]]*wsl --set-version" "$OUT"
check_match "table: not installed row" "laptop +100\\.64\\.0\\.5 +not installed +meshnfs is not installed" "$OUT"
check_match "table: summary names the source" "7 nodes: .* \\(nodes from headscale https://100\\.64\\.0\\.100/api/v1/node\\)" "$OUT"

# 2. From [nodes]: no sshd, host key unknown, a doctor that hangs (killed at the deadline).
cat >"$T/nodes.conf" <<CONF
[fleet]
ssh_config = $T/ssh_config_nokh
connect_timeout = 2
[nodes]
sfspark1 = 100.64.0.1 server
nosshd = 100.64.0.8
CONF
mn --config "$T/nodes.conf" --timeout 1 doctor --all --source config --json
check_eq "config source: two nodes" "sfspark1 nosshd" "$(jget '[.nodes[].name]|join(" ")')"
check_eq "unknown host key: host_key" host_key "$(res sfspark1 .result)"
check_eq "no sshd: refused" refused "$(res nosshd .result)"
sed -i "s|ssh_config_nokh|ssh_config|; s|^nosshd.*|hangs = 100.64.0.9|" "$T/nodes.conf"
mn --config "$T/nodes.conf" --timeout 1 doctor --all --source config --json
check_eq "a hanging remote doctor: timeout" timeout "$(res hangs .result)"
check_took "... killed at the session deadline (2 s + 4 x 1 s + 2 s; took $MS ms)" "$MS" 8000
check "... and not before it (took $MS ms)" test "$MS" -ge 7500
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
mn --config "$T/serial.conf" --timeout 1 doctor --all --source config --json
check_eq "sessions = 1: both hanging nodes time out" "timeout timeout" "$(jget '[.nodes[].result]|join(" ")')"
check "sessions = 1: one after the other (took $MS ms >= 15000)" test "$MS" -ge 15000
