#!/usr/bin/env bash
# What the server sees and how owners are mapped (issue 11): exports.names, server.tailscale,
# server.listening, server.clients and ids.idmap on fixture roots, in an empty network
# namespace; then doctor --all comparing ID mapping, uids and the server's NFSv4 clients
# across three nodes. For doctor --all the ssh TRANSPORT is a stand-in (a script named ssh
# that runs the real meshnfs on the fixture root of the address it is given): what is tested
# is what doctor --all makes of the nodes' real answers; real OpenSSH is tests/e2e/fleet.sh's.
. "$(dirname "$0")/../lib/tap.sh"
plan 38
R=$FIXTURES/roots
empty_netns NS
D() { ip netns exec "$NS" env PATH="$TEST_PATH" "$MESHNFS" --timeout 1 --json "$@" doctor; }
status() { jget "[.checks[]|select(.id==\"$1\")|.status]|join(\",\")"; }
field() { jget "[.checks[]|select(.id==\"$1\")|.$2]|join(\"\\n\")"; }

# --- exports naming hosts (tailscale#12262) ---
run D --root "$R/server-hostnames"
check_eq "hostnames: exports.names warns for both names" warn,warn "$(status exports.names)"
check_match "hostnames: the MagicDNS name" "exports:2: /opt/shared is exported to office-one.tail1234.ts.net, a MagicDNS host name instead of the mesh range" "$(field exports.names summary)"
check_match "hostnames: the plain host name" "to laptop, a host name instead" "$(field exports.names summary)"
check_match "hostnames: says why (unmatched host)" "unmatched host\" \\(tailscale#12262\\)" "$(field exports.names detail)"
check_match "hostnames: the fix is the mesh range" "export to the mesh range instead: /opt/shared  100.64.0.0/10\\(" "$(field exports.names fix)"
run D --root "$R/server-kernel-done"
check_eq "addresses only: exports.names ok" ok "$(status exports.names)"

# --- tailscaled in userspace-networking mode on the server (tailscale#3556) ---
run D --root "$R/server-userspace"
check_eq "userspace: server.tailscale fails" fail "$(status server.tailscale)"
check_match "userspace: names the flag and the proxy" "pid 4242\\) runs in userspace-networking mode \\(--tun=userspace-networking\\).*from 127.0.0.1" "$(field server.tailscale summary)"
check_match "userspace: the client from the proxy is evidence" "1 NFSv4 client\\(s\\) of this server come from a loopback address" "$(field server.tailscale detail)"
check_match "userspace: the command line as read" "Command line: /usr/sbin/tailscaled --state=/var/lib/tailscale/tailscaled.state .* --tun=userspace-networking" "$(field server.tailscale detail)"
check_match "userspace: the fix" "remove --tun=userspace-networking" "$(field server.tailscale fix)"
check_eq "userspace: exit 2" 2 "$RC"

# --- nfsd bound to loopback only ---
run D --root "$R/server-loopback-only"
check_eq "loopback only: server.listening fails" fail "$(status server.listening)"
check_match "loopback only: where it listens" "NFS listens on 127.0.0.1:2049 only: not on a mesh address" "$(field server.listening summary)"

# --- the server's NFSv4 clients against [nodes] ---
run D --root "$R/server-clients"
check_eq "clients: three warnings (a cut-short file, two nodes)" warn,warn,warn "$(status server.clients)"
check_match "clients: the cut-short file, with line" "clients/5/info:2: address: the quoted value does not end with '\"' \\(the file is cut short\\?\\)" "$(field server.clients summary)"
check_match "clients: build-box's lease expired" "build-box \\(client in \\[nodes\\], 100.64.0.6\\) has no NFSv4 session" "$(field server.clients summary)"
check_match "clients: kiosk never came" "kiosk \\(client in \\[nodes\\], 100.64.0.8\\) has no NFSv4 session" "$(field server.clients summary)"
check_no_match "clients: laptop (a uniquified 4.1 id) and office-one are connected" "(laptop|office-one) \\(client" "$(field server.clients summary)"
check_eq "clients: --json lists them, with the host of each Linux id" "100.64.0.3 office-one confirmed,100.64.0.6 build-box courtesy,100.64.0.5 laptop confirmed" "$(jget '[.nfsd_clients[]|"\(.address) \(.host) \(.status)"]|join(",")')"

# A RECORDED info file (Debian 12's 6.1.0-57 nfsd in the VM: tests/vm/lib/record-nfsd-clients.sh)
run D --root "$R/server-recorded"
check_eq "recorded: server.clients ok" ok "$(status server.clients)"
check_eq "recorded: the VM's client by address and id" "1 NFSv4 client(s): 100.64.0.9 (meshnfs-vm), every client of [nodes] among them" "$(field server.clients summary)"

# The kernel makes info files 0400: a user other than root gets a skip saying so.
copy_root server-recorded P
chmod 0400 "$P/proc/fs/nfsd/clients/3/info"
chmod 0755 "$P"
run ip netns exec "$NS" setpriv --reuid=daemon --regid=daemon --clear-groups env PATH="$TEST_PATH" "$MESHNFS" --timeout 1 --json --root "$P" doctor
check_eq "recorded, not root: server.clients skips, saying only root may read" "skip cannot read /proc/fs/nfsd/clients/*/info (1 client(s)): only root may; run doctor as root" "$(status server.clients) $(field server.clients summary)"

# --- ID mapping on one node ---
run D --root "$R/idmap-client"
check_eq "idmap-client: ids.idmap ok" ok "$(status ids.idmap)"
check_match "idmap-client: Domain and the nfs flag" "Domain home.arpa \\(.*idmap-client/etc/idmapd.conf:3\\); client \\(nfs\\): names user@domain \\(nfs4_disable_idmapping=N\\)" "$(field ids.idmap summary)"
check_eq "idmap-client: --json users (root and uid 1000.., not daemon or nobody)" "root=0,alice=1000,bob=1001" "$(jget '[.ids.users[]|"\(.name)=\(.uid)"]|join(",")')"
run D --root "$R/idmap-nodomain"
check_eq "no Domain while names are sent: ids.idmap warns" warn "$(status ids.idmap)"
check_match "no Domain: the fix names Domain and the numeric way" "Domain = .*nfs4_disable_idmapping" "$(field ids.idmap fix)"
run D --root "$R/idmap-bad"
check_match "a broken idmapd.conf is named with its line" "idmap-bad/etc/idmapd.conf:3: section header" "$(field ids.idmap summary)"

# --- doctor --all across nodes ---
mk_tmpdir T
cat >"$T/ssh" <<SH
#!/bin/sh
# Stand-in for the ssh transport: the address after "--" picks the node's fixture root.
while [ "\$1" != "--" ]; do shift; done
case \$2 in
100.64.0.1) root=$R/idmap-server ;;
100.64.0.3) root=$R/idmap-client ;;
100.64.0.5) root=$R/client-done ;;
*) echo "ssh: connect to host \$2 port 22: No route to host" >&2; exit 255 ;;
esac
shift 3
exec $MESHNFS --root "\$root" "\$@"
SH
chmod +x "$T/ssh"
printf '[nodes]\nsfspark1 = 100.64.0.1 server\noffice-one = 100.64.0.3\nlaptop = 100.64.0.5\n' >"$T/meshnfs.conf"
run ip netns exec "$NS" env PATH="$T:$TEST_PATH" "$MESHNFS" --timeout 1 --config "$T/meshnfs.conf" --json doctor --all
check_eq "--all: every node answered" "fail,fail,fail" "$(jget '[.nodes[].result]|join(",")')"
# The document names itself (mutation run 8: doctor_all.c's "all": true dropped, and no check read it).
check_eq "--all: the document is doctor's, over all nodes" "doctor true" "$(jget '"\(.command) \(.all)"')"
# Each node's row whole but for checks and times (mutation run 4: doctor_all.c:19's loop one
# past the address list added a null to "ips", and no check read a row's addresses).
check_eq "--all: each node's row: name, addresses, role, address used, exit code" \
	'sfspark1 ["100.64.0.1"] server 100.64.0.1 2,office-one ["100.64.0.3"] null 100.64.0.3 2,laptop ["100.64.0.5"] null 100.64.0.5 2' \
	"$(jget '[.nodes[]|"\(.name) \(.ips|tojson) \(.role) \(.address) \(.exit_code)"]|join(",")')"
check_match "--all: the Domain differs while names are sent" "the idmapd Domain differs: mesh on sfspark1; home.arpa on office-one; none \\(the host's DNS domain\\) on laptop" "$(jget '[.checks[]|select(.id=="fleet.idmap" and .status=="warn")|.summary]|join("\n")')"
check_match "--all: bob's uids differ; alice's do not" "^user bob has different uids: 1001 on office-one, 1002 on sfspark1$" "$(jget '[.checks[]|select(.id=="fleet.uids")|.summary]|join("\n")')"
check_match "--all: the fix moves bob to the server's uid" "on office-one: sudo usermod -u 1002 bob" "$(jget '[.checks[]|select(.id=="fleet.uids")|.fix]|join("\n")')"
check_eq "--all: laptop (its fstab has the entry) is not a client of sfspark1; office-one is" "laptop should mount the share (its fstab has the entry) but has no NFSv4 session with sfspark1" "$(jget '[.checks[]|select(.id=="fleet.clients")|.summary]|join("\n")')"
run ip netns exec "$NS" env PATH="$T:$TEST_PATH" "$MESHNFS" --timeout 1 --config "$T/meshnfs.conf" doctor --all
check_match "--all, human: the checks across nodes under their heading" "Across the nodes:" "$OUT"
check_match "--all, human: one line per check" "warn +fleet.uids +user bob has different uids" "$OUT"
