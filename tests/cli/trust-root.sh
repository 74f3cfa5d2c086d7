#!/usr/bin/env bash
# --root DIR as a sandbox (issue 13, classes 1, 2, 3, 6, 8): hostile roots built at test time.
# Under --root no program runs (not the root's, not this machine's driven by the root's
# files), no path leads outside DIR (absolute and .. links resolved as if DIR were /), no
# file blocks (FIFOs), a bad file is named with exit 65 where meshnfs is strict. Every run has
# a deadline (timeout 30 s; meshnfs's own is 5 s per step): exit 124 would be a hang.
. "$(dirname "$0")/../lib/tap.sh"
plan 87
empty_netns NS
mk_tmpdir T
MARK=$T/marker # every stand-in program below appends here if it ever runs
DECOY=$T/decoy # a tree outside every root: must stay byte-identical
mkdir -p "$DECOY/etc/exports.d" "$DECOY/etc/ganesha" "$DECOY/Users/eve"
printf 'decoy /decoy ext4 defaults 0 0\n' >"$DECOY/etc/fstab"
printf '[client]\nserver = 198.18.0.66\n' >"$DECOY/etc/meshnfs.conf"
printf 'ID=decoy\nPRETTY_NAME="Decoy OS"\n' >"$DECOY/etc/os-release"
printf '[wsl2]\nnetworkingMode=nat\n' >"$DECOY/Users/eve/.wslconfig"
decoy_before=$(tree_state "$DECOY")
# A stand-in that records that it ran (in MARK), under every name meshnfs might run.
mk_tmpdir EVIL
cat >"$EVIL/prog" <<EOF
#!/bin/sh
echo "\$0 \$*" >>"$MARK"
EOF
chmod 755 "$EVIL/prog"
for p in systemctl mount umount exportfs apt-get service ganesha.nfsd tailscale tailscale.exe \
	wslinfo cmd.exe wslpath netstat.exe ssh; do
	ln -s "$EVIL/prog" "$EVIL/$p"
done

# m ARGS...: meshnfs with a deadline, in the empty namespace, the stand-ins first on PATH.
m() { run timeout 30 ip netns exec "$NS" env PATH="$EVIL:$TEST_PATH" "$MESHNFS" "$@"; }
# root_of NAME VAR: a copy of fixture root NAME to make hostile.
root_of() { copy_root "$1" "$2"; }
ran() { cat "$MARK" 2>/dev/null; }

# --- class 3: a FIFO where a file should be: an answer in time, the file named ------------
fifo() { rm -f "$1" && mkdir -p "$(dirname "$1")" && mkfifo "$1"; }

root_of client-tricky F1
fifo "$F1/etc/fstab"
m --root "$F1" setup client --dry-run
check_eq "FIFO fstab, setup: exit 65 (not a hang)" 65 "$RC"
check_match "FIFO fstab, setup: names the file and what it is" "$F1/etc/fstab.*(FIFO|not a regular file)" "$ERR"
m --root "$F1" doctor --json
check_match "FIFO fstab, doctor: finished (exit 1 or 2, not 124)" "^[12]$" "$RC"
check_match "FIFO fstab, doctor: fstab.entry says what the file is" "$F1/etc/fstab.*not a regular file" \
	"$(jget '.checks[]|select(.id=="fstab.entry")|.summary')"
m --root "$F1" repair --dry-run
check_eq "FIFO fstab, repair: exit 65" 65 "$RC"

root_of client-tricky F2
fifo "$F2/etc/os-release"
m --root "$F2" doctor --json
check_match "FIFO os-release: doctor finished" "^[012]$" "$RC"
check_match "FIFO os-release: named as a FIFO" "$F2/etc/os-release: is a FIFO, not a regular file" "$(jget '[.checks[].summary]|join("|")')"

root_of client-done F3
fifo "$F3/proc/self/mountinfo"
m --root "$F3" doctor --json
check_match "FIFO mountinfo: doctor finished" "^[12]$" "$RC"
check_match "FIFO mountinfo: mount.present names it" "$F3/proc/self/mountinfo: is a FIFO" "$(jget '.checks[]|select(.id=="mount.present")|.summary')"
m --root "$F3" setup client --dry-run
check_match "FIFO mountinfo: setup finished" "^[0-2]$|^65$" "$RC"

root_of wsl2-mirrored F4
fifo "$F4/etc/wsl.conf"
m --root "$F4" doctor --json
check_match "FIFO wsl.conf: doctor finished" "^[012]$" "$RC"
check_match "FIFO wsl.conf: named as a FIFO" "$F4/etc/wsl.conf: is a FIFO" "$(jget '[.checks[].summary]|join("|")')"
m --root "$F4" setup wsl --dry-run
check_match "FIFO wsl.conf: setup wsl finished, refusing" "^(2|65)$" "$RC"

root_of wsl2-mirrored F5
fifo "$F5/mnt/c/Users/alice/.wslconfig"
m --root "$F5" doctor --json
check_match "FIFO .wslconfig: doctor finished" "^[012]$" "$RC"
check_match "FIFO .wslconfig: wsl.wslconfig names the path" "$F5/mnt/c/Users/alice/.wslconfig: is a FIFO" "$(jget '.checks[]|select(.id=="wsl.wslconfig")|.summary')"

root_of server-kernel F6
fifo "$F6/etc/exports.d/evil.exports"
m --root "$F6" setup server --dry-run
check_eq "FIFO exports.d/*.exports: setup exit 65" 65 "$RC"
check_match "FIFO exports.d/*.exports: names it" "$F6/etc/exports.d.*evil.exports is a FIFO" "$ERR"
m --root "$F6" doctor --json
check_match "FIFO exports.d/*.exports: doctor finished" "^[12]$" "$RC"
check_match "FIFO exports.d/*.exports: doctor names it" "evil.exports is a FIFO" "$(jget '[.checks[].summary]|join("|")')"

root_of server-kernel F7
fifo "$F7/etc/exports"
m --root "$F7" setup server --dry-run
check_eq "FIFO /etc/exports: setup exit 65" 65 "$RC"
check_match "FIFO /etc/exports: named" "$F7/etc/exports.*not a regular file" "$ERR"

root_of client-tricky F8
fifo "$F8/etc/meshnfs.conf"
m --root "$F8" doctor
check_eq "FIFO meshnfs.conf: exit 65" 65 "$RC"
check_match "FIFO meshnfs.conf: names file and kind" "$F8/etc/meshnfs.conf: is a FIFO, not a regular file" "$ERR"

root_of client-tricky F9
fifo "$F9/etc/meshnfs/hs.key"
printf '[headscale]\nurl = https://198.18.0.9\napi_key_file = /etc/meshnfs/hs.key\n' >"$F9/etc/meshnfs.conf"
m --root "$F9" status --source headscale
check_match "FIFO API key file: status finished" "^(2|65)$" "$RC"
check_match "FIFO API key file: named, what it is" "$F9/etc/meshnfs/hs.key: the API key file is a FIFO" "$ERR"

root_of client-tricky F10
fifo "$F10/proc/net/fib_trie"
fifo "$F10/proc/version"
fifo "$F10/proc/sys/kernel/osrelease"
m --root "$F10" env --json
check_match "FIFO /proc files: env finished" "^[012]$" "$RC"
check_match "FIFO /proc files: each named" "proc/version.*(FIFO|not a regular).*" "$(jget '[.checks[].summary]|join("|")') $ERR"

root_of server-ganesha F11
fifo "$F11/etc/ganesha/ganesha.conf"
m --root "$F11" setup server --backend ganesha --dry-run
check_match "FIFO ganesha.conf: setup finished, refusing" "^(2|65)$" "$RC"
check_match "FIFO ganesha.conf: named" "ganesha.conf" "$ERR$OUT"

# --- class 8: the wrong kind of file, named, exit 65 ---------------------------------------
root_of client-tricky D1
rm "$D1/etc/fstab" && mkdir "$D1/etc/fstab"
m --root "$D1" setup client --dry-run
check_eq "directory fstab: exit 65" 65 "$RC"
check_match "directory fstab: names it" "$D1/etc/fstab.*(is a directory|Is a directory)" "$ERR"

root_of server-kernel D2
rm "$D2/etc/exports" && mkdir "$D2/etc/exports"
m --root "$D2" setup server --dry-run
check_eq "directory exports: exit 65" 65 "$RC"
check_match "directory exports: names it" "$D2/etc/exports.*(is a directory|Is a directory)" "$ERR"

root_of server-kernel D3
rm -rf "$D3/etc/exports.d" && echo junk >"$D3/etc/exports.d"
before=$(tree_state "$D3")
m --root "$D3" setup server
check_eq "exports.d a file: exit 65" 65 "$RC"
check_match "exports.d a file: names it and what it is" "$D3/etc/exports.d: is a regular file, not a directory" "$ERR"
check_eq "exports.d a file: nothing changed" "$before" "$(tree_state "$D3")"

root_of server-kernel D4
mkdir -p "$D4/etc/exports.d" && ln -s ../exports "$D4/etc/exports.d/link.exports"
m --root "$D4" setup server
check_eq "link in exports.d: exit 65" 65 "$RC"
check_match "link in exports.d: names it" "$D4/etc/exports.d: link.exports is a symbolic link" "$ERR"

root_of wsl2-mirrored D5
printf '[wsl2]\nnetworkingMode = mirorred\n' >"$D5/mnt/c/Users/alice/.wslconfig"
m --root "$D5" doctor --json
check_match ".wslconfig problem: path and line" "^$D5/mnt/c/Users/alice/.wslconfig:2: " "$(jget '.checks[]|select(.id=="wsl.wslconfig")|.summary')"

# --- class 2: links out of the root: nothing outside read or written -----------------------
root_of client-tricky L1
rm -rf "$L1/etc" && ln -s "$DECOY/etc" "$L1/etc" # absolute: DIR/etc -> /outside/etc
m --root "$L1" setup client
check_match "absolute etc link: setup finished" "^[0-2]$|^65$" "$RC"
check_no_match "absolute etc link: the decoy's fstab not shown" "decoy /decoy" "$OUT$ERR"
check_eq "absolute etc link: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"
m --root "$L1" doctor --json
check_no_match "absolute etc link: the decoy's configuration not read" "198.18.0.66" "$OUT"
check_no_match "absolute etc link: the decoy's os-release not read" "Decoy OS" "$OUT"

root_of client-tricky L2
rel=$(realpath --relative-to="$L2/etc" "$DECOY/etc/fstab")
rm "$L2/etc/fstab" && ln -s "$rel" "$L2/etc/fstab" # ../../.. out of the root
m --root "$L2" setup client
check_eq "relative .. fstab link: refused (a link is not replaced)" 65 "$RC"
check_eq "relative .. fstab link: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"
m --root "$L2" doctor --json
check_no_match "relative .. fstab link: the decoy's fstab not read" "decoy" "$(jget '.checks[]|select(.id=="fstab.entry")|.summary')"

root_of server-kernel L3
rm -rf "$L3/etc/exports.d" && ln -s "$DECOY/etc/exports.d" "$L3/etc/exports.d"
m --root "$L3" setup server
check_eq "exports.d -> outside: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"
check "exports.d -> outside: the drop-in written inside the root" test -f "$L3$DECOY/etc/exports.d/meshnfs.exports" -o ! -e "$L3$DECOY"

root_of server-ganesha L4
rm -rf "$L4/etc/ganesha" && ln -s "$DECOY/etc/ganesha" "$L4/etc/ganesha"
m --root "$L4" setup server --backend ganesha
check_eq "etc/ganesha -> outside: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"

root_of client-tricky L5
ln -s "$DECOY/etc/fstab" "$L5/etc/.fstab.meshnfs.lock"
ln -s "$DECOY/etc/fstab" "$L5/etc/fstab.meshnfs.bak"
m --root "$L5" setup client
check_eq "lock and backup links -> outside: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"
check_match "lock link: the update refused at the lock" "lock|Too many levels|not a regular" "$OUT$ERR"

root_of wsl2-mirrored L6
rm -rf "$L6/mnt/c/Users/alice" && ln -s "$DECOY/Users/eve" "$L6/mnt/c/Users/alice"
m --root "$L6" setup wsl
check_eq ".wslconfig profile -> outside: nothing outside written" "$decoy_before" "$(tree_state "$DECOY")"
m --root "$L6" doctor --json
check_no_match ".wslconfig profile -> outside: not read" "networkingMode=nat" "$(jget '.checks[]|select(.id=="wsl.wslconfig")|.summary')"

root_of client-tricky L7
rm -rf "$L7/opt" && ln -s / "$L7/opt" # the mount point's parent: the root itself, seen from inside
mp=meshnfs-trust-$$-$RANDOM # a mount point name nothing on this machine has
printf '[client]\nmountpoint = /opt/%s\n' "$mp" >"$L7/etc/meshnfs.conf"
m --root "$L7" setup client
check "opt -> /: the mount point made inside the root" test -d "$L7/$mp"
check "opt -> /: not on this machine's /" test ! -e "/$mp"
[ -d "/$mp" ] && rmdir "/$mp" # (a build that follows the link would have made it: undone)

root_of client-tricky L8
rm "$L8/etc/os-release" 2>/dev/null; ln -s ../../../../../../../../etc/os-release "$L8/etc/os-release"
m --root "$L8" env --json
check_eq ".. os-release link: this machine's os-release not read" "null" "$(jget .node.distro)"

root_of client-tricky L9
ln -s "$DECOY/etc/meshnfs.conf" "$L9/etc/meshnfs.conf"
m --root "$L9" --json setup client --dry-run
check_no_match "meshnfs.conf -> outside: its server not used" "198.18.0.66" "$OUT"

# --- class 1: no program runs under --root --------------------------------------------------
: >"$MARK"
root_of client-tricky P1
m --root "$P1" setup client
check_eq "setup client: exit 0 (commands listed, not run)" 0 "$RC"
check_match "setup client: the commands listed for that machine" \
	$'Commands to run on that machine[^\n]*\n  systemctl daemon-reload\n  mount /opt/shared' "$OUT"
check_match "setup client: each run step reported skipped" "skip +setup.mount +not run under --root: on that machine, run: mount /opt/shared" "$OUT"
check_eq "setup client: nothing ran" "" "$(ran)"

root_of client-fresh P2
m --root "$P2" setup client
check_match "setup client, no NFS client: apt-get listed" "on that machine, run: apt-get install -y --no-install-recommends nfs-common" "$OUT"
check_eq "setup client, no NFS client: nothing ran" "" "$(ran)"

root_of server-kernel P3
m --root "$P3" setup server
check_match "setup server: exportfs and systemctl listed" $'  exportfs -ra\n  systemctl enable --now nfs-server' "$OUT"
check_eq "setup server: nothing ran" "" "$(ran)"

root_of server-ganesha P4
cp "$(command -v sleep)" "$T/ganesha.nfsd"
"$T/ganesha.nfsd" 60 &
gpid=$!
at_exit "kill $gpid 2>/dev/null"
mkdir -p "$P4/run/ganesha" && echo "$gpid" >"$P4/run/ganesha/ganesha.pid"
m --root "$P4" setup server --backend ganesha
check_no_match "ganesha pid from the root: no signal planned" "SIGHUP" "$OUT"
check "ganesha pid from the root: this machine's process not signalled" kill -0 "$gpid"
check_match "ganesha: the start listed for that machine" "on that machine, run: ganesha.nfsd .*-f /etc/ganesha/ganesha.conf" "$OUT"
check_eq "setup server ganesha: nothing ran" "" "$(ran)"

root_of client-done P5
rm "$P5/proc/self/mountinfo"
m --root "$P5" repair
check_match "repair: the mount listed for that machine" "on that machine, run: systemctl restart opt-shared.automount" "$OUT"
check_eq "repair: nothing ran" "" "$(ran)"

root_of wsl2-mirrored P6
mkdir -p "$P6/mnt/c/Program Files/Tailscale" "$P6/mnt/c/Windows/System32"
cp "$EVIL/prog" "$P6/mnt/c/Program Files/Tailscale/tailscale.exe"
cp "$EVIL/prog" "$P6/mnt/c/Windows/System32/netstat.exe"
m --root "$P6" doctor --json
check_eq "root's tailscale.exe: mesh.tailscale skipped, saying why" "skip" "$(jget '.checks[]|select(.id=="mesh.tailscale")|.status')"
check_match "root's tailscale.exe: the summary says --root" "skipped under --root" "$(jget '.checks[]|select(.id=="mesh.tailscale")|.summary')"
check_eq "root's netstat.exe: wsl.ports skipped" "skip" "$(jget '.checks[]|select(.id=="wsl.ports")|.status')"
check_eq "root's Windows programs: none ran" "" "$(ran)"
m --root "$P6" env --json
check_eq "env: no wslinfo, cmd.exe or wslpath ran" "" "$(ran)"
m --root "$P6" status --json
check_eq "status: no tailscale.exe ran" "" "$(ran)"

root_of client-tricky P7
mkdir -p "$P7/etc/meshnfs"
printf 'Host *\n  ProxyCommand %s proxy %%h\n' "$EVIL/prog" >"$P7/etc/meshnfs/ssh_config"
printf '[nodes]\nbox = 100.64.0.9\n[fleet]\nssh_config = /etc/meshnfs/ssh_config\n' >"$P7/etc/meshnfs.conf"
m --root "$P7" doctor --all --json
check_eq "doctor --all: no ssh, no ProxyCommand ran" "" "$(ran)"
check_match "doctor --all: the node skipped, saying why" "under --root" "$OUT"

# --- class 6: PATH's relative and empty entries are never searched --------------------------
mk_tmpdir CWD
mkdir -p "$CWD/bin"
for p in tailscale systemctl; do cp "$EVIL/prog" "$CWD/$p"; cp "$EVIL/prog" "$CWD/bin/$p"; done
for path in "bin:$TEST_PATH" ":$TEST_PATH" "$TEST_PATH:" ".:$TEST_PATH" "$TEST_PATH::/usr/bin"; do
	run bash -c 'cd "$1" && exec timeout 30 ip netns exec "$2" env PATH="$3" "$4" -v --root / doctor --json' \
		_ "$CWD" "$NS" "$path" "$MESHNFS"
	check_eq "PATH \"$path\": nothing in the cwd ran" "" "$(ran)"
done
check_match "-v says a relative entry is skipped" 'PATH entry "" \(the current directory\) is not absolute: not searched' "$ERR"

check_eq "the decoy outside every root: byte-identical at the end" "$decoy_before" "$(tree_state "$DECOY")"
