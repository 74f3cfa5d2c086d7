#!/usr/bin/env bash
# doctor's client area (client.packages, fstab.entry) and server area (exports.security,
# server.service, server.listening) on fixture roots, in an empty network namespace.
. "$(dirname "$0")/../lib/tap.sh"
plan 38
empty_netns NS
D() { ip netns exec "$NS" env PATH="$TEST_PATH" "$MESHNFS" --json "$@" doctor; }
status() { jget "[.checks[]|select(.id==\"$1\")|.status]|join(\",\")"; }
field() { jget "[.checks[]|select(.id==\"$1\")|.$2]|join(\"\\n\")"; }

# --- client side ---
run D --root "$FIXTURES/roots/client-done"
check_eq "done: client.packages ok" ok "$(status client.packages)"
check_eq "done: fstab.entry ok" ok "$(status fstab.entry)"
check_empty "done: no server checks on a client" 2 "$(status server.service)"

run D --root "$FIXTURES/roots/client-tricky"
check_eq "old entry: fstab.entry fails" fail "$(status fstab.entry)"
check_match "old entry: names the line and what it mounts" "line 11 mounts sfspark1:/opt/shared on /opt/shared, not 100.64.0.1:/opt/shared" "$(field fstab.entry summary)"
check_match "old entry: the fix" "meshnfs setup client" "$(field fstab.entry fix)"

run D --root "$FIXTURES/roots/client-broken"
check_eq "broken fstab: fstab.entry fails" fail "$(status fstab.entry)"
check_match "broken fstab: file and line" "client-broken/etc/fstab:3: libmount rejects this line" "$(field fstab.entry summary)"

run D --root "$FIXTURES/roots/client-fresh"
check_eq "fresh: client.packages fails" fail "$(status client.packages)"
check_eq "fresh: the fix installs nfs-common" "sudo apt-get install nfs-common   (or: sudo meshnfs setup client)" "$(field client.packages fix)"
check_match "fresh: no entry" "/etc/fstab has no entry for /opt/shared" "$(field fstab.entry summary)"

run D --root "$FIXTURES/roots/client-fedora"
check_match "fedora: the fix names nfs-utils" "nfs-utils" "$(field client.packages fix)"

# Options as the configuration wants them on this node: without systemd, the guide's
# x-systemd options are wrong.
mk_tmpdir W
cp -a "$FIXTURES/roots/client-wsl2-nosystemd/." "$W/"
echo "100.64.0.1:/opt/shared  /opt/shared  nfs4  _netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=50,retrans=2  0  0" >>"$W/etc/fstab"
fake_windows old-nat cmd.exe wslpath
run ip netns exec "$NS" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --json --root "$W" doctor
check_eq "wsl2 without systemd, guide's entry: fstab.entry warns" warn "$(status fstab.entry)"
check_match "…missing bg, extra x-systemd.*" "missing bg; extra x-systemd.automount,x-systemd.idle-timeout=600" "$(field fstab.entry summary)"
check_match "…says why" "systemd is not running here: x-systemd.\\* options do nothing" "$(field fstab.entry detail)"

# --- server side ---
run D --root "$FIXTURES/roots/server-kernel-done"
check_eq "server done: exports.security ok" ok "$(status exports.security)"
check_eq "server done: server.service ok" ok "$(status server.service)"
check_match "server done: nfsd threads" "kernel NFS server runs \\(8 threads\\)" "$(field server.service summary)"
check_eq "server done: server.listening ok" ok "$(status server.listening)"
check_eq "server done: client checks skipped on the server" skip "$(status fstab.entry)"

run D --root "$FIXTURES/roots/server-insecure"
sec=$(field exports.security summary)
check_match "insecure: no_root_squash" "exports:1: /opt/shared is exported to 100.64.0.0/10 with no_root_squash" "$sec"
check_match "insecure: the blank before '(' exports to everyone" "exports:2: /srv/public is exported to everyone" "$sec"
check_match "insecure: …and says why" "The blank between 'nas.example.com' and its '\\(options\\)' makes two clients" "$(field exports.security detail)"
check_match "insecure: insecure ports" "/srv/lan is exported to 192.168.0.0/16 with 'insecure'" "$sec"
check_match "insecure: over-broad range" "/srv/lan is exported to 192.168.0.0/16, wider than the mesh" "$sec"
check_match "insecure: wildcard" "/srv/lan is exported to \\*.example.com \\(wildcard\\)" "$sec"
check_match "insecure: listening on every address" "NFS listens on 0.0.0.0:2049: every address, not only the mesh" "$sec"
check_match "insecure: each with its fix" "\\[nfsd\\] host=<mesh address> in /etc/nfs.conf" "$(field exports.security fix)"
check_eq "insecure: 6 findings, all warnings" "warn,warn,warn,warn,warn,warn" "$(status exports.security)"

run D --root "$FIXTURES/roots/server-kernel"
check_eq "not running: server.service fails" fail "$(status server.service)"
check_eq "not running: the fix" "sudo systemctl enable --now nfs-server" "$(field server.service fix)"
check_eq "not running: server.listening skipped without /proc/net/tcp" skip "$(status server.listening)"
check_match "not running: the exports file with a continuation is audited" "exports:7: /srv/media is exported to 192.168.1.0/24, wider" "$(field exports.security summary)"

mk_tmpdir S
cp -a "$FIXTURES/roots/server-kernel/." "$S/"
printf '  sl  local_address rem_address   st\n   0: 0100007F:0016 00000000:0000 0A 0\n' >"$S/proc/net/tcp"
run D --root "$S"
check_eq "nothing on 2049: server.listening fails" fail "$(status server.listening)"

# A client with the nfs-ganesha package installed but unused: Debian's stock ganesha.conf has
# its EXPORT block only in comments. Not a server. A ganesha.conf meshnfs did not write with a
# real EXPORT block is one (not audited, but served or not).
copy_root client-done G
mkdir -p "$G/etc/ganesha"
cat >"$G/etc/ganesha/ganesha.conf" <<'CONF'
###################################################
#
# Ganesha Config Example (as Debian's nfs-ganesha installs it: everything commented out)
#
###################################################
## These are defaults for exports.  They can be overridden per-export.
#EXPORT_DEFAULTS {
	## Access type for clients.  Default is None, so some access must be
	## given either here or in the export itself.
#	Access_Type = RW;
#}

## Configure an export for some file tree
#EXPORT
#{
	## Export Id (mandatory, each EXPORT must have a unique Export_Id)
	#Export_Id = 12345;
	#Path = /export/path;
#}
CONF
run D --root "$G"
check_empty "stock ganesha.conf (EXPORT in comments): no server checks on a client" 2 \
	"$(status server.service)$(status exports.security)"
check_eq "stock ganesha.conf: the client checks still ok" "ok ok" "$(status client.packages) $(status fstab.entry)"
printf 'NFS_CORE_PARAM { Protocols = 4; }\nexport {\n\tExport_Id = 7; Path = /srv; Pseudo = /srv;\n}\n' \
	>"$G/etc/ganesha/ganesha.conf"
run D --root "$G"
check_match "foreign ganesha.conf with an export block: audited as a server's" "was not written by meshnfs: not audited" \
	"$(field exports.security summary)"
check_eq "foreign ganesha.conf with an export block: server.service runs" fail "$(status server.service)"
