#!/usr/bin/env bash
# The bad-input suite: malformed and hostile content in every file and answer meshnfs reads,
# one meshnfs run per case. Each case asserts five things:
#   1. the exit code (65 for meshnfs's own and rewritten files, 1/2 with a warning for the
#      foreign files read leniently, 64 for command-line values);
#   2. the message names the file (and line where there is one), or for a --json run that
#      stdout is one valid JSON document saying it;
#   3. nothing changed: every file of the root (or of the scratch directory) has the same
#      inode, mode, owner, size, mtime and ctime before and after;
#   4. no control byte reaches stdout or stderr: no C0 but newline and tab, no DEL, no C1
#      (raw or as UTF-8 U+0080-U+009F), no bidi override or isolate, only valid UTF-8
#      (human output escapes them: core/escape.h; JSON is ASCII);
#   5. it finished (each run is bounded by timeout(1) at 30 s, far above its --timeout: 1 s
#      where no program runs, $ANSWER_TIMEOUT s where meshnfs waits for a replayed program's
#      or the Headscale replay's answer: a loaded 2-core machine made the replay miss 1 s,
#      "tailscale status --json: no answer within 1000 ms", 2026-12-06).
# Cases are built at test time from tests/fixtures/roots (copy_root) or, for program output,
# from a scratch directory replayed by tests/lib/replay. Every run is in an empty network
# namespace. The table is the data: C (a file under a root), T (tailscale status --json of
# the local tailscale CLI, replayed), A (command-line values).
. "$(dirname "$0")/../lib/tap.sh"
ANSWER_TIMEOUT=10
CASES=()
# C NAME ROOT FILE CONTENT RC REGEX [ARGS...]: FILE under a copy of ROOT gets CONTENT (printf
# format; a leading + appends), then `meshnfs --timeout 1 --root R ARGS` (default: env).
C() { CASES+=("C"$'\x1f'"$(printf '%s\x1f' "$@")"); }
# T NAME JSON RC REGEX [ARGS...]: `tailscale status --json` prints JSON (printf format);
# `meshnfs --config CONF status --source tailscale ARGS` with no root.
T() { CASES+=("T"$'\x1f'"$(printf '%s\x1f' "$@")"); }
# A NAME RC REGEX ARGS...: meshnfs with these arguments, no root, on the debian12 copy.
A() { CASES+=("A"$'\x1f'"$(printf '%s\x1f' "$@")"); }
# W NAME PROGRAM KEY CONTENT RC REGEX [ARGS...]: the Windows side replayed (tests/lib/replay,
# the `mirrored` recordings) with PROGRAM's answer KEY.out replaced by CONTENT, on a copy of
# the wsl2-mirrored root (default: env), seen as this machine's files through tests/lib/hostview
# (under --root meshnfs runs no program).
W() { CASES+=("W"$'\x1f'"$(printf '%s\x1f' "$@")"); }
# H NAME JSON RC REGEX: Headscale's /api/v1/node answers JSON (build/tools/hs-replay on
# 127.0.0.1 in this namespace, TLS with a CA made here); `status --source headscale`.
H() { CASES+=("H"$'\x1f'"$(printf '%s\x1f' "$@")"); }

ESC='\033'
CONF=etc/meshnfs.conf
# --- meshnfs.conf: strict, exit 65, FILE:LINE ---
C "conf: a key given twice" debian12 $CONF '[server]\naddress = 100.64.0.1\naddress = 100.64.0.2\n' 65 'meshnfs.conf:3: address given twice in \[server\] \(first on line 2\)'
C "conf: a key twice across sections of the same name" debian12 $CONF '[client]\nmountpoint = /a\n[server]\n[client]\nMOUNTPOINT = /b\n' 65 'meshnfs.conf:5: mountpoint given twice'
C "conf: unknown key" debian12 $CONF '[server]\nadress = 100.64.0.1\n' 65 'meshnfs.conf:2: unknown key "adress"'
C "conf: unknown section" debian12 $CONF '[sever]\naddress = 100.64.0.1\n' 65 'meshnfs.conf:2: unknown section \[sever\]'
C "conf: key outside a section" debian12 $CONF 'address = 100.64.0.1\n' 65 'meshnfs.conf:1: key "address" outside of a section'
C "conf: an escape sequence in a value" debian12 $CONF "[server]\naddress = 100.64.0.1${ESC}]0;pwned\007\n" 65 'meshnfs.conf:2: address: "100\.64\.0\.1\\x1b\]0;pwned\\a" is not'
C "conf: a NUL byte" debian12 $CONF '[server]\naddress = 100.64\0.0.1\n' 65 'meshnfs.conf:2: NUL byte in line'
C "conf: a Latin-1 byte in an address" debian12 $CONF '[server]\naddress = caf\xe9.example\n' 65 'meshnfs.conf:2: address: "caf\\xe9\.example"'
C "conf: a share without an export" debian12 $CONF '[share models]\nservers = 100.64.0.1, 100.64.0.2\n' 65 'meshnfs.conf:1: \[share models\] has no export'
C "conf: two shares on one mount point" debian12 $CONF '[share a]\nexport = /srv/a\nmountpoint = /mnt/x\n[share b]\nexport = /srv/b\nmountpoint = //mnt/x\n' 65 'meshnfs.conf:6: mount point //mnt/x used twice: \[share b\] and \[share a\]'
C "conf: an export used twice" debian12 $CONF '[share a]\nexport = /srv/a\n[share b]\nexport = /srv/a/\nmountpoint = /mnt/b\n' 65 'meshnfs.conf:4: export 100\.64\.0\.1:/srv/a/ used twice: \[share b\] and \[share a\]'
C "conf: an escape sequence in a share name" debian12 $CONF "[share x${ESC}]\nexport = /srv/a\n" 65 'meshnfs.conf:1: (text after section header|invalid section name)'
C "conf: a gateway list with an empty item" debian12 $CONF '[share a]\nservers = gw1, ,gw2\nexport = /srv/a\n' 65 'meshnfs.conf:2: servers: "gw1, ,gw2" is not an IP address or host name'
C "conf: a bidi override in a node name" debian12 $CONF '[nodes]\nsfspark1\xe2\x80\xae = 100.64.0.1\n' 65 'meshnfs.conf:2: invalid key "sfspark1\\u202e"'
C "conf: a C1 CSI in a node name" debian12 $CONF '[nodes]\na\xc2\x9b31m = server\n' 65 'meshnfs.conf:2: invalid key "a\\u009b31m'
C "conf: an over-long line" debian12 $CONF "[server]\naddress = $(printf '%*s' 5000 '' | tr ' ' a)\n" 65 'meshnfs.conf:2: line longer than'
C "conf: a relative export" debian12 $CONF '[server]\nexport = opt/shared\n' 65 'meshnfs.conf:2: export: "opt/shared" is not an absolute path'
C "conf: the root as mount point" debian12 $CONF '[client]\nmountpoint = /\n' 65 'meshnfs.conf:2: mountpoint: "/" is the root directory'
C "conf: broken mount options" debian12 $CONF '[client]\noptions = soft,,hard\n' 65 'meshnfs.conf:2: options: invalid mount options'
C "conf: a mesh range that is no range" debian12 $CONF '[mesh]\nrange = 100.64.0.0/33\n' 65 'meshnfs.conf:2: range: "100\.64\.0\.0/33"'
C "conf: a Headscale URL in clear text" debian12 $CONF '[headscale]\nurl = http://hs.example\n' 65 'meshnfs.conf:2: url: "http://hs\.example" is not an https:// URL'
C "conf: an API key too short" debian12 $CONF '[headscale]\napi_key = short\n' 65 'meshnfs.conf:2: api_key: not a key'
C "conf: fleet sessions 0" debian12 $CONF '[fleet]\nsessions = 0\n' 65 'meshnfs.conf:2: sessions: "0" is not a number in 1\.\.64'
C "conf: a timeout in hex" debian12 $CONF '[fleet]\nconnect_timeout = 0x10\n' 65 'meshnfs.conf:2: connect_timeout: "0x10" is not a number'
C "conf: a node role misspelt" debian12 $CONF '[nodes]\nsfspark1 = 100.64.0.1 sever\n' 65 'meshnfs.conf:2: nodes: sfspark1: "sever" is not an address, a role'
C "conf: a node listed twice" debian12 $CONF '[nodes]\na = 100.64.0.1\nA = 100.64.0.2\n' 65 'meshnfs.conf:3: nodes: "A" listed twice \(line 2\)'
C "conf: UTF-16 (Notepad's Unicode)" debian12 $CONF '\xff\xfe[\0s\0e\0r\0v\0e\0r\0]\0\n\0' 65 'meshnfs.conf:1: '
C "conf: binary garbage" debian12 $CONF '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0' 65 'meshnfs.conf:1: '
C "conf: a fleet program with a shell in it" debian12 $CONF '[fleet]\nmeshnfs = meshnfs;reboot\n' 65 'meshnfs.conf:2: meshnfs: "meshnfs;reboot" is not a program name'
C "conf: a backend misspelt" debian12 $CONF '[server]\nbackend = cephfs\n' 65 'meshnfs.conf:2: backend: "cephfs" is not kernel, ganesha or ceph'
C "conf: a Ceph user that would break out of ganesha.conf's quotes" debian12 $CONF '[ceph]\nuser = a"b\n' 65 'meshnfs.conf:2: user: "a"b" is not a Ceph name'
C "conf: a Ceph pool with an escape sequence" debian12 $CONF "[ceph]\npool = p${ESC}[2J\n" 65 'meshnfs.conf:2: pool: "p\\x1b\[2J" is not a Ceph name'

# --- /etc/fstab: strict (setup rewrites it), exit 65, FILE:LINE ---
FSTAB=etc/fstab
C "fstab: a line of two fields" client-tricky $FSTAB '+\n/dev/sdb1 /data\n' 65 'etc/fstab:[0-9]+:' setup client --dry-run
C "fstab: an escape sequence in a line" client-tricky $FSTAB "+\n/dev/sdb1${ESC}[2J /data\n" 65 'etc/fstab:[0-9]+:' setup client --dry-run
C "fstab: a NUL byte" client-tricky $FSTAB '+\n/dev/sdb1 /data ext4 defaults\0 0 2\n' 65 'etc/fstab:[0-9]+:' setup client --dry-run
C "fstab: a line of one field" client-tricky $FSTAB '+\n/dev/sdb1\n' 65 'etc/fstab:15: libmount rejects this line .*"/dev/sdb1"' setup client --dry-run
C "fstab: binary garbage" client-tricky $FSTAB '\x7fELF\x02\x01\x01\0\0\0\xff\xfe\x9b' 65 'etc/fstab:[0-9]+:' setup client --dry-run
C "fstab: a bidi override in a mount point" client-tricky $FSTAB '+\n/dev/sdb1 /data\xe2\x80\xae ext4 defaults 0 z\n' 65 'etc/fstab:15: libmount rejects this line .*"/dev/sdb1 /data\\u202e ext4' setup client --dry-run
C "fstab: dump not a number" client-tricky $FSTAB '+\n/dev/sdb1 /data ext4 defaults x 2\n' 65 'etc/fstab:15: libmount rejects this line' setup client --dry-run
C "fstab: a Latin-1 comment in the diff, --json stays valid and says so" client-tricky $FSTAB '# caf\xe9 \033]0;x\007\n100.64.0.1:/opt/shared /opt/shared nfs defaults 0 0\n' 0 '"not_utf8": [1-9]' --json setup client --dry-run

# --- exports and exports.d: strict, exit 65, FILE:LINE ---
EXP=etc/exports
C "exports: anonuid=-5" server-kernel $EXP '+\n/srv h(rw,anonuid=-5)\n' 65 'etc/exports:[0-9]+: bad anonuid "-5": not an id' setup server --dry-run
C "exports: anongid beyond 32 bits" server-kernel $EXP '+\n/srv h(rw,anongid=4294967296)\n' 65 'etc/exports:[0-9]+: bad anongid "4294967296"' setup server --dry-run
C "exports: (uid_t)-1" server-kernel $EXP '+\n/srv h(rw,anonuid=4294967295)\n' 65 'etc/exports:[0-9]+: bad anonuid' setup server --dry-run
C "exports: squash_uids descending" server-kernel $EXP '+\n/srv h(rw,squash_uids=20-10)\n' 65 'etc/exports:[0-9]+: bad squash_uids' setup server --dry-run
C "exports: an unknown option" server-kernel $EXP '+\n/srv h(rw,no_root_sqash)\n' 65 'etc/exports:[0-9]+: unknown export option "no_root_sqash"' setup server --dry-run
C "exports: a bad network address" server-kernel $EXP '+\n/srv 10.0.0.0/33(rw)\n' 65 'etc/exports:[0-9]+: bad network address' setup server --dry-run
C "exports: a relative path" server-kernel $EXP '+\nsrv h(rw)\n' 65 'etc/exports:11: export path "srv" is not absolute' setup server --dry-run
C "exports: an unterminated quote" server-kernel $EXP '+\n"/srv h(rw)\n' 65 'etc/exports:[0-9]+: unterminated quote' setup server --dry-run
C "exports: an escape sequence in a client" server-kernel $EXP "+\n/srv h${ESC}]0;x\007(rw)\n" 65 'etc/exports:11: bad client name "h\\x1b\]0;x\\a' setup server --dry-run
C "exports: a NUL byte" server-kernel $EXP '+\n/srv h(rw)\0\n' 65 'etc/exports:[0-9]+:' setup server --dry-run
C "exports: bad sec flavour" server-kernel $EXP '+\n/srv h(sec=sys:krb6)\n' 65 'etc/exports:[0-9]+: bad sec "sys:krb6"' setup server --dry-run
C "exports: C1 CSI in a client" server-kernel $EXP '+\n/srv h\xc2\x9b1m(rw)\n' 65 'etc/exports:[0-9]+: bad client name "h\\u009b1m"' setup server --dry-run
C "exports.d: a bad line" server-kernel etc/exports.d/extra.exports '/srv h(rw,sync\n' 65 'etc/exports\.d/extra\.exports:1: bad option list' setup server --dry-run
C "exports.d: an escape in the file's name" server-kernel "etc/exports.d/x$(printf '\033')[31m.exports" '/srv h(bogus)\n' 65 'etc/exports\.d/x\\x1b\[31m\.exports:1: unknown export option' setup server --dry-run
C "exports.d: a bidi override in the file's name" server-kernel "etc/exports.d/a$(printf '\xe2\x80\xae')stropxe.exports" '/srv h(bogus)\n' 65 'etc/exports\.d/a\\u202estropxe\.exports:1:' setup server --dry-run
C "exports.d: a Latin-1 path" server-kernel etc/exports.d/l1.exports '/srv/caf\xe9 h(bogus)\n' 65 'etc/exports\.d/l1\.exports:1: unknown export option' setup server --dry-run

# --- /etc/os-release: lenient (a warning naming file and line), env says so ---
OSR=etc/os-release
C "os-release: binary, --json keeps every summary" debian12 $OSR '\xff\xfe\x9b\x01 binary\n\x7fELF' 1 '"summary": "@R/etc/os-release:1: expected KEY=value, got \\"\\\\xff\\\\xfe\\\\x9b\\u0001 binary' --json env
C "os-release: a NUL byte, --json" debian12 $OSR '\0\x01\x02\xff\xfe binary\n\x7fELF' 1 'os-release:1: NUL byte in line' --json env
C "os-release: an escape sequence in PRETTY_NAME" debian12 $OSR "PRETTY_NAME=\"Evil${ESC}]0;pwned\007\"\nID=debian\n" 0 'distro +Evil\\x1b\]0;pwned\\a'
C "os-release: a bidi override in NAME" debian12 $OSR 'PRETTY_NAME="Debian \xe2\x80\xae21 mrofeR"\nID=debian\n' 0 'distro +Debian \\u202e21 mrofeR'
C "os-release: C1 CSI raw and as UTF-8" debian12 $OSR 'PRETTY_NAME="a\x9b31m b\xc2\x9b32m"\nID=debian\n' 0 'distro +a\\x9b31m b\\u009b32m'
C "os-release: an unterminated quote" debian12 $OSR 'PRETTY_NAME="Debian\nID=debian\n' 1 'os-release:1: '
C "os-release: a line without =" debian12 $OSR 'PRETTY_NAME Debian\nID=debian\n' 1 'os-release:1: expected KEY=value, got "PRETTY_NAME Debian"'
C "os-release: UTF-16" debian12 $OSR '\xff\xfeP\0R\0E\0T\0T\0Y\0_\0N\0A\0M\0E\0=\0x\0\n\0' 1 'os-release:1: '
C "os-release: a Latin-1 byte, --json valid" debian12 $OSR 'PRETTY_NAME="Caf\xe9 Linux"\nID=debian\n' 0 '"distro": "Caf\\\\xe9 Linux"' --json env

# --- /proc/version, /proc/sys/kernel/osrelease ---
C "proc/version: an escape sequence" debian12 proc/version "Linux version 6.1.0 ${ESC}[2J(evil)\n" 1 'proc/version: unexpected content'
C "osrelease: binary" debian12 proc/sys/kernel/osrelease '\x7fELF\x01\x9b\n' 1 'proc/sys/kernel/osrelease'
C "osrelease: empty" debian12 proc/sys/kernel/osrelease '' 1 'proc/sys/kernel/osrelease: empty'
C "osrelease: a bidi override, shown escaped" debian12 proc/sys/kernel/osrelease '6.1.0\xe2\x80\xaeLSW-tfosorcim\n' 0 'kernel "6\.1\.0\\u202eLSW-tfosorcim"'

# --- /proc/net/fib_trie: lenient, warning FILE:LINE ---
FIB=proc/net/fib_trie
C "fib_trie: a bad leaf address" debian12 $FIB 'Main:\n  |-- 100.64.0.300\n' 1 'fib_trie:2: bad leaf address "100\.64\.0\.300"'
C "fib_trie: an unexpected line" debian12 $FIB 'Main:\n  +-- 0.0.0.0/0 3 0 5\nhello world\n' 1 'fib_trie:3: unexpected line "hello world"'
C "fib_trie: an escape sequence" debian12 $FIB "Main:\n  |-- ${ESC}]0;x\007\n" 1 'fib_trie:2: bad leaf address "\\x1b\]0;x\\a"'

# --- /proc/net/if_inet6: lenient, warning FILE:LINE ---
IF6=proc/net/if_inet6
C "if_inet6: a short address" debian12 $IF6 'fd7a115ca1e0 05 80 00 80 tailscale0\n' 1 'if_inet6:1: expected 32 hex digits of an IPv6 address in "fd7a115ca1e0 05 80 00 80 tailscale0"'
C "if_inet6: a prefix beyond 128" debian12 $IF6 '00000000000000000000000000000001 01 80 10 80 lo\nfd7a115ca1e000000000000000000001 05 ff 00 80 tailscale0\n' 1 'if_inet6:2: bad prefix length'
C "if_inet6: an escape sequence as the device" debian12 $IF6 "fd7a115ca1e000000000000000000001 05 80 00 80 ${ESC}]0;x\007\n" 1 'if_inet6:1: bad interface name in "fd7a115ca1e000000000000000000001 05 80 00 80 \\x1b\]0;x\\a"'
C "fib_trie: a NUL byte" debian12 $FIB 'Main:\n  |-- 100.64.0.1\0\n' 1 'fib_trie:2: line is not fib_trie output'
C "fib_trie: an over-long line" debian12 $FIB "Main:\n$(printf '%*s' 400 '' | tr ' ' x)\n" 1 'fib_trie:2: line is not fib_trie output'

# --- /proc/self/mountinfo (doctor's mount.present) ---
MI=proc/self/mountinfo
C "mountinfo: a line that is not mountinfo" mount-nfs4 $MI '+garbage line\n' 2 'mountinfo' doctor
C "mountinfo: an escape sequence in a source" mount-nfs4 $MI "99 1 0:99 / /opt/shared rw - nfs4 100.64.0.1:/opt/shared${ESC}[31m rw,vers=4.2,soft,clientaddr=100.64.0.3\n" 2 'mount\.present' doctor
C "mountinfo: C1 and bidi in a mount point" mount-nfs4 $MI '99 1 0:99 / /opt/shared\xc2\x9b\xe2\x80\xae rw - nfs4 100.64.0.1:/opt/shared rw\n' 2 'mount\.present' doctor
C "mountinfo: a NUL byte" mount-nfs4 $MI '99 1 0:99 / /opt/shared rw - nfs4 100.64.0.1:/opt/\0shared rw\n' 2 'mount\.present' doctor

# --- /proc/net/tcp (where the server listens) ---
TCP=proc/net/tcp
C "proc/net/tcp: not its header" server-kernel-done $TCP 'hello\n' 2 'proc/net/tcp:1: not a /proc/net/tcp header' doctor
C "proc/net/tcp: a bad address" server-kernel-done $TCP '  sl  local_address rem_address   st\n   0: 0100007G:0801 00000000:0000 0A\n' 2 'proc/net/tcp:2: bad address "0100007G:0801"' doctor
C "proc/net/tcp: an escape sequence" server-kernel-done $TCP "  sl  local_address rem_address   st\n   0: ${ESC}[2J:0801 00000000:0000 0A\n" 2 'proc/net/tcp:2: bad address "\\x1b\[2J:0801"' doctor
C "proc/net/tcp: a NUL byte" server-kernel-done $TCP '  sl  local_address rem_address   st\n\0\n' 2 'proc/net/tcp:2: NUL byte in line' doctor
C "proc/net/tcp: an over-long line" server-kernel-done $TCP "  sl  local_address rem_address   st\n$(printf '%*s' 2000 '' | tr ' ' 0)\n" 2 'proc/net/tcp:2: line longer than' doctor

# --- /proc/fs/nfsd/clients/ID/info (server.clients): a warning naming file and line ---
NI=proc/fs/nfsd/clients/3/info
C "nfsd client: cut short in the address" server-kernel-done $NI 'clientid: 0x1\naddress: "100.64' 2 'clients/3/info:2: address: the quoted value does not end .* cut short' doctor
C "nfsd client: cut short before the address" server-kernel-done $NI 'clientid: 0x1\n' 2 'clients/3/info:1: no address line' doctor
C "nfsd client: an escape sequence in the id string" server-kernel-done $NI "clientid: 0x1\naddress: \"100.64.0.3:1\"\nname: \"a${ESC}[2Jb\"\n" 2 'clients/3/info:3: name: a byte the kernel would have escaped \(0x1b\)' doctor
C "nfsd client: an escape sequence in a state" server-kernel-done $NI "clientid: 0x1\naddress: \"100.64.0.3:1\"\nstatus: ${ESC}[31mconfirmed\n" 2 'clients/3/info:3: status: "\\x1b\[31mconfirmed" is not a client state' doctor
C "nfsd client: a NUL byte" server-kernel-done $NI 'clientid: 0x1\0\n' 2 'clients/3/info:1: a NUL byte' doctor

# --- /etc/idmapd.conf (ids.idmap): lenient as libnfsidmap, a warning FILE:LINE ---
IC=etc/idmapd.conf
C "idmapd.conf: a section not closed" server-kernel-done $IC '[General]\nDomain = mesh\n[Mapping\n' 2 'idmapd\.conf:3: section header' doctor
C "idmapd.conf: an escape sequence in Domain" server-kernel-done $IC "[General]\nDomain = me${ESC}[2Jsh\n" 2 'Domain me\\x1b\[2Jsh' doctor

# --- /etc/wsl.conf: lenient (WSL reads it so), warning FILE:LINE ---
WC=etc/wsl.conf
C "wsl.conf: a line without =" wsl2-mirrored $WC '[boot]\nsystemd true\n' 1 'wsl\.conf:2: '
C "wsl.conf: an escape sequence in a value" wsl2-mirrored $WC "[boot]\nsystemd=tru${ESC}[2Je\n" 1 'wsl\.conf:2: .*tru\\x1b\[2Je'
C "wsl.conf: a bidi override in a section" wsl2-mirrored $WC '[boot\xe2\x80\xae]\nsystemd=true\n' 1 'wsl\.conf:1: .*boot\\u202e'
C "wsl.conf: a NUL byte" wsl2-mirrored $WC '[boot]\nsystemd=true\0\n' 1 'wsl\.conf:2: NUL byte 0x00'
C "wsl.conf: binary garbage" wsl2-mirrored $WC '\x7fELF\x02\x01\x01\0\0\0' 1 'wsl\.conf:1: '

# --- %USERPROFILE%\.wslconfig (UTF-8 or UTF-16, CRLF): lenient, warning FILE:LINE ---
WSLC=mnt/c/Users/alice/.wslconfig
u16() { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g'; }
C "wslconfig: UTF-16 with an odd number of bytes" wsl2-mirrored $WSLC "\xff\xfe$(u16 $'[wsl2]\r\nnetworkingMode=mirrored\r\n')x" 1 '\.wslconfig'
C "wslconfig: UTF-16 with an escape in a key" wsl2-mirrored $WSLC "\xff\xfe$(u16 $'[wsl2]\r\nnetworking\eMode=mirrored\r\n')" 1 '\.wslconfig:2: .*networking\\x1bMode'
C "wslconfig: CRLF with a broken section" wsl2-mirrored $WSLC '[wsl2\r\nnetworkingMode=mirrored\r\n' 1 '\.wslconfig:1: '
C "wslconfig: a bidi override in a key" wsl2-mirrored $WSLC '[wsl2]\r\nnetworking\xe2\x80\xaeMode=mirrored\r\n' 1 '\.wslconfig:2: .*networking\\u202eMode'
C "wslconfig: binary garbage" wsl2-mirrored $WSLC '\x7fELF\x02\x01\x01\0\0\0\x9b' 1 '\.wslconfig'
C "wslconfig: a Latin-1 byte in a value" wsl2-mirrored $WSLC '[wsl2]\r\nnetworkingMode=mirror\xe9\r\n' 1 '\.wslconfig:2: invalid UTF-8 byte 0xe9'

# --- tailscale status --json (the local CLI, replayed) ---
PEER='"k%d":{"HostName":"%s","TailscaleIPs":["100.64.0.%d"],"OS":"linux","Online":true}'
tsdoc() { # tsdoc PEER_NAME...: a Running status with these peers
	local i=0 p s=
	for p in "$@"; do i=$((i + 1)); s+="${s:+,}$(printf "$PEER" "$i" "$p" "$((i + 10))")"; done
	printf '{"BackendState":"Running","Self":{"HostName":"me","TailscaleIPs":["100.64.0.3"],"Online":true},"Peer":{%s}}' "$s"
}
T "tailscale: a hostile HostName hides no one" "$(tsdoc 'evil\\u001b]0;pwned\\u0007\\u009b31m\\u202e' sfspark1 laptop)" 2 'evil\\x1b\]0;pwned\\a\\u009b31m\\u202e.*sfspark1.*laptop'
T "tailscale: an empty HostName is listed with a warning" "$(tsdoc '' sfspark1)" 2 'warning: tailscale status --json: the peer k1 has an empty HostName: shown as 100\.64\.0\.11'
T "tailscale: a key given twice" '{"BackendState":"Running","BackendState":"Stopped"}' 65 'tailscale status --json:1: malformed JSON: duplicate object key'
T "tailscale: a peer's key twice" '{"BackendState":"Running","Peer":{"k":{"HostName":"a","HostName":"b"}}}' 65 'tailscale status --json:1: malformed JSON: duplicate object key'
T "tailscale: not JSON" 'Failed to connect \033[31mto tailscaled\n' 65 'tailscale status --json:1: malformed JSON'
T "tailscale: cut off" '{"BackendState":"Running","Peer":{"k":{' 65 'tailscale status --json:1: malformed JSON'
T "tailscale: BackendState a number" '{"BackendState":7}' 65 'tailscale status --json: BackendState: expected a string'
T "tailscale: an address that is none" '{"BackendState":"Running","Self":{"TailscaleIPs":["100.64.0.300"]}}' 65 'tailscale status --json: Self\.TailscaleIPs: "100\.64\.0\.300" is not an IP address'
T "tailscale: an escape in an address" '{"BackendState":"Running","Self":{"TailscaleIPs":["\\u001b[2J"]}}' 65 'tailscale status --json: Self\.TailscaleIPs:'
T "tailscale: bytes that are not UTF-8" '{"BackendState":"Running","Self":{"HostName":"caf\xe9"}}' 65 'tailscale status --json:1: malformed JSON'
T "tailscale: a NUL in a string" '{"BackendState":"Run\\u0000ning"}' 65 'tailscale status --json:1: malformed JSON: \\u0000 is not allowed'
T "tailscale: Peer an array" '{"BackendState":"Running","Peer":[1]}' 65 'tailscale status --json: Peer: expected an object'
T "tailscale: empty output" '' 65 'tailscale status --json: empty output'
T "tailscale: PeerRelay a number" '{"BackendState":"Running","Peer":{"k":{"HostName":"a","Active":true,"PeerRelay":7}}}' 65 'tailscale status --json: Peer\["k"\]\.PeerRelay: expected a string, got a number'
T "tailscale: a hostile DERP region is shown escaped" '{"BackendState":"Running","Peer":{"k":{"HostName":"a","TailscaleIPs":["100.64.0.11"],"Active":true,"CurAddr":"","Relay":"fra\\u001b[2J"}}}' 2 'relay:fra\\x1b\[2J'
T "tailscale: a hostile name, --json exact" "$(tsdoc 'evil\\u001b[31m\\u202e' sfspark1)" 2 '"name": "evil\\u001B\[31m\\u202E"' --json

# --- the Windows side (wslinfo, netstat.exe, cmd.exe, wslpath, tailscale.exe), replayed ---
W "wslinfo: an escape sequence" wslinfo --networking-mode "mirrored${ESC}]0;x\007\n" 1 'wslinfo'
W "wslinfo: binary garbage" wslinfo --networking-mode '\x7fELF\x02\0\x9b\n' 1 'wslinfo'
W "wslinfo: an unknown mode with a bidi override" wslinfo --networking-mode 'mirr\xe2\x80\xaeored\n' 1 'wslinfo'
W "netstat.exe: not netstat output" netstat.exe -ano 'hello\r\n' 2 'netstat\.exe -ano' doctor
W "netstat.exe: an escape sequence in a row" netstat.exe -ano "\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n  TCP    0.0.0.0:445${ESC}[2J     0.0.0.0:0              LISTENING       4\r\n" 2 'netstat\.exe -ano:5: bad local address "0\.0\.0\.0:445\\x1b\[2J"' doctor
W "netstat.exe: a NUL byte" netstat.exe -ano '\r\n  TCP    0.0.0.0:445\0  0.0.0.0:0  LISTENING  4\r\n' 2 'netstat\.exe -ano:2: NUL byte in line' doctor
W "netstat.exe: an over-long line" netstat.exe -ano "  TCP    $(printf '%*s' 2000 '' | tr ' ' 1)\r\n" 2 'netstat\.exe -ano:1: line longer than' doctor
W "cmd.exe: a profile path with an escape" cmd.exe _c_echo__USERPROFILE_ "C:\\Users\\al${ESC}[2Jice\r\n" 1 '.'
W "tailscale.exe: a hostile HostName, the rest listed" tailscale.exe status_--json '{"BackendState":"Running","Self":{"HostName":"office-one","OS":"windows","TailscaleIPs":["100.64.0.3"],"Online":true},"Peer":{"k1":{"HostName":"x\\u001b]0;y\\u0007\\u202e","TailscaleIPs":["100.64.0.9"],"Online":true},"k2":{"HostName":"sfspark1","TailscaleIPs":["100.64.0.1"],"Online":true}}}' 2 'x\\x1b\]0;y\\a\\u202e.*sfspark1' status
W "tailscale.exe: a key given twice" tailscale.exe status_--json '{"BackendState":"Running","Self":{"HostName":"a","HostName":"b"}}' 65 'tailscale\.exe status --json:1: malformed JSON: duplicate object key' status

# --- Headscale's API (/api/v1/node), replayed over TLS ---
HN='{"nodes":[{"id":"1","name":"%s","givenName":"%s","ipAddresses":["100.64.0.%d"],"online":true}]}'
H "headscale: a hostile name is listed, escaped" "$(printf '{"nodes":[{"id":"1","name":"x\\\\u001b]0;y\\\\u0007","ipAddresses":["100.64.0.9"],"online":true},{"id":"2","name":"sfspark1","ipAddresses":["100.64.0.1"],"online":true}]}')" 2 'x\\x1b\]0;y\\a.*sfspark1'
H "headscale: not JSON" 'Bad Gateway \033[31m\n' 65 'https://127\.0\.0\.1:[0-9]+/api/v1/node'
H "headscale: a key given twice" '{"nodes":[],"nodes":[]}' 65 'https://127\.0\.0\.1:[0-9]+/api/v1/node'
H "headscale: an address that is none" '{"nodes":[{"name":"a","ipAddresses":["100.64.0.300"]}]}' 65 'nodes\[0\]: ipAddresses\[0\] is not an IP address'
H "headscale: a node without a name" '{"nodes":[{"id":"1"}]}' 65 'nodes\[0\]: neither name nor givenName'
H "headscale: an id with an escape" '{"nodes":[{"name":"a","id":"1\\u001b[2J"}]}' 65 'nodes\[0\]: id "1\\x1b\[2J" is not a number'
H "headscale: lastSeen not a time" '{"nodes":[{"name":"a","lastSeen":"yesterday\\u202e"}]}' 65 'nodes\[0\]: lastSeen "yesterday\\u202e" is not an RFC 3339 time'
H "headscale: bytes that are not UTF-8" '{"nodes":[{"name":"caf\xe9"}]}' 65 'https://127\.0\.0\.1:[0-9]+/api/v1/node'

# --- command-line values: exit 64, the option named ---
A "--timeout in hex" 64 '--timeout: "0x10" is not a number of seconds in 0\.1\.\.3600 \(decimal only' --timeout 0x10 env
A "--timeout with an exponent" 64 '--timeout: "1e1" is not a number' --timeout 1e1 env
A "--timeout inf" 64 '--timeout: "inf" is not a number' --timeout inf env
A "--timeout with a blank" 64 '--timeout: " 5" is not a number' --timeout ' 5' env
A "--timeout negative" 64 '--timeout: "-1" is not a number' --timeout -1 env
A "--root relative" 64 '--root: "etc" is not an existing absolute directory' --root etc env
A "--root with an escape sequence" 64 '--root: "/nonexistent\\x1b\]0;x\\a" is not' --root "/nonexistent$(printf '\033]0;x\007')" env
A "an unknown command with a bidi override" 64 "unknown command 'env\\\\u202e'" "env$(printf '\xe2\x80\xae')"
A "an unknown option with an escape" 64 "unknown option '--json\\\\x1b\[2J'" "--json$(printf '\033[2J')" env
A "probe: a host with an escape sequence" 64 'probe' probe "100.64.0.1$(printf '\033[2J')"
A "status --parallel in hex" 64 '--parallel: "0x10" is not a number' status --parallel 0x10
A "--config that is a directory" 65 'etc' --config /etc env

# BI_ONLY=REGEX runs the cases whose name matches (while writing cases; the plan follows).
if [ -n "${BI_ONLY:-}" ]; then
	keep=()
	for c in "${CASES[@]}"; do [[ $(cut -d$'\x1f' -f2 <<<"$c") =~ $BI_ONLY ]] && keep+=("$c"); done
	CASES=("${keep[@]}")
fi
N_CASES=${#CASES[@]}
# Everything runs in an empty network namespace: the script re-runs itself there.
if [ "${1:-}" != --inner ]; then
	empty_netns NS
	ip netns exec "$NS" bash "$0" --inner
	exit $?
fi
plan $((N_CASES * 5))
mk_tmpdir W
fake_windows mirrored tailscale
TSDIR=$W/replay/tailscale
mkdir -p "$TSDIR" "$W/conf" "$W/saved"
export REPLAY_DIR=$W/replay
printf '[server]\naddress = 100.64.0.1\n' >"$W/conf/meshnfs.conf"
FAKE_TS=$FAKE_BIN
fake_windows mirrored wslinfo cmd.exe wslpath tailscale.exe netstat.exe
FAKE_WIN=$FAKE_BIN FAKE_BIN=$FAKE_TS
# meshnfs passes its children a minimal environment: the fakes read their directory from a file.
printf '%s\n' "$W/replay" >"$FAKE_TS/.replay_dir"
printf '%s\n' "$W/win:$FIXTURES/windows/mirrored" >"$FAKE_WIN/.replay_dir"
mkdir -p "$W/hv"

# Headscale replayed on 127.0.0.1 (this namespace only), stopped by pid at exit.
. "$TOP/tests/lib/pki.sh"
mkdir -p "$W/hs" "$W/hsconf"
HS_PORT=8443
if [ -x "$TOP/build/tools/hs-replay" ] && pki_ca "$W" ca && pki_cert "$W" ca hs 127.0.0.1; then
	printf 'hskey-bad-input-0123456789\n' >"$W/hs.key.txt" && chmod 600 "$W/hs.key.txt"
	printf '{"nodes":[]}' >"$W/hs/node.json"
	"$TOP/build/tools/hs-replay" --listen 127.0.0.1:$HS_PORT --cert "$W/hs.pem" --key "$W/hs.key" \
		--api-key-file "$W/hs.key.txt" --dir "$W/hs" >"$W/hs.out" 2>"$W/hs.err" &
	hs_pid=$!
	at_exit "kill $hs_pid 2>/dev/null"
	for _ in $(seq 50); do grep -q ready "$W/hs.out" && break; sleep 0.1; done
fi
printf '[server]\naddress = 100.64.0.1\n[headscale]\nurl = https://127.0.0.1:%s\napi_key_file = %s\nca_file = %s\n' \
	"$HS_PORT" "$W/hs.key.txt" "$W/ca.pem" >"$W/hsconf/meshnfs.conf"
chmod 600 "$W/hsconf/meshnfs.conf"

# One copy of each fixture root, shared by its cases: a case changes one file and puts it
# back afterwards (nothing else may change: that is what is checked).
declare -A ROOTS
root_of() {
	local v
	if [ -z "${ROOTS[$1]:-}" ]; then
		copy_root "$1" v
		ROOTS[$1]=$v
	fi
	R=${ROOTS[$1]}
}

# state DIR: every file under DIR with its inode, mode, owner, size, mtime and ctime: a write,
# chmod, chown or rename of anything changes the ctime, which nothing can set back (so no
# checksum is needed, and one process is cheap enough to run twice per case).
state() { find "$1" -xdev -printf '%p %i %m %U:%G %s %T@ %C@\n'; }

# clean FILE...: no control byte a terminal would act on, and valid UTF-8.
clean() {
	perl -e 'for my $f (@ARGV) { open(my $h, "<", $f) or exit 1; local $/; my $s = <$h>;
		 exit 1 if $s =~ /[\x00-\x08\x0b-\x1f\x7f]/; utf8::decode($s) or exit 1;
		 exit 1 if $s =~ /[\x{80}-\x{9f}\x{61c}\x{200e}\x{200f}\x{2028}-\x{202e}\x{2066}-\x{2069}]/ }
		 exit 0' "$@"
}

for c in "${CASES[@]}"; do
	IFS=$'\x1f' read -r -d '' -a f < <(printf '%s' "$c")
	restore=()
	case ${f[0]} in
	C)
		name=${f[1]} file=${f[3]} content=${f[4]} want=${f[5]} re=${f[6]}
		args=("${f[@]:7}")
		root_of "${f[2]}"
		p=$R/$file
		if [ -e "$p" ]; then
			rm -rf "$W/saved/f" && cp -a "$p" "$W/saved/f"
			restore=(cp -a "$W/saved/f" "$p")
		else
			top=$p # the first directory the case creates, removed afterwards
			while [ ! -e "$(dirname "$top")" ]; do top=$(dirname "$top"); done
			restore=(true)
			mkdir -p "$(dirname "$p")"
		fi
		if [[ $content == +* ]]; then
			printf "${content#+}" >>"$p"
		else
			printf "$content" >"$p"
		fi
		[ "$file" = $CONF ] && chmod 600 "$p"
		[ ${#args[@]} -gt 0 ] || args=(env)
		state=$R
		cmd=(env PATH="$TEST_PATH" "$MESHNFS" --timeout 1 --root "$R" "${args[@]}")
		;;
	T)
		name=${f[1]} json=${f[2]} want=${f[3]} re=${f[4]}
		args=("${f[@]:5}")
		printf "$json" >"$TSDIR/status_--json.out"
		R=$W/conf state=$W/conf
		cmd=(env PATH="$FAKE_TS:$TEST_PATH" REPLAY_DIR="$W/replay" "$MESHNFS" --timeout "$ANSWER_TIMEOUT" --config "$W/conf/meshnfs.conf" status --source tailscale "${args[@]}")
		;;
	W)
		name=${f[1]} want=${f[5]} re=${f[6]}
		args=("${f[@]:7}")
		rm -rf "$W/win" && mkdir -p "$W/win/${f[2]}"
		printf "${f[4]}" >"$W/win/${f[2]}/${f[3]}.out"
		root_of wsl2-mirrored
		state=$R
		[ ${#args[@]} -gt 0 ] || args=(env)
		# Under --root no program runs: the root is made this machine's files in a private
		# mount and PID namespace (tests/lib/hostview, as host_view does), inside this test's
		# network namespace already.
		cmd=(env HOSTVIEW_SCRATCH="$W/hv" unshare --mount --propagation private --pid --fork
		     --mount-proc bash "$TOP/tests/lib/hostview" "$R" env PATH="$FAKE_WIN:$TEST_PATH"
		     "$MESHNFS" --timeout "$ANSWER_TIMEOUT" "${args[@]}")
		;;
	H)
		name=${f[1]} want=${f[3]} re=${f[4]}
		args=()
		printf "${f[2]}" >"$W/hs/node.json"
		R=$W/hsconf state=$W/hsconf
		cmd=(env PATH="$TEST_PATH" "$MESHNFS" --timeout "$ANSWER_TIMEOUT" --config "$W/hsconf/meshnfs.conf" status --source headscale)
		;;
	A)
		name=${f[1]} want=${f[2]} re=${f[3]}
		args=("${f[@]:4}")
		root_of debian12
		state=$R
		cmd=(env PATH="$TEST_PATH" "$MESHNFS" "${args[@]}")
		;;
	esac
	before=$(state "$state")
	t0=$EPOCHREALTIME
	(cd "$W" && timeout -k 1 30 "${cmd[@]}" >"$W/out" 2>"$W/err" </dev/null)
	rc=$?
	t1=$EPOCHREALTIME
	ms=$(((${t1/./} - ${t0/./}) / 1000))
	text=$(cat "$W/err" "$W/out")
	text=${text//$R/@R}
	check_eq "$name: exit $want" "$want" "$rc"
	if [[ " ${args[*]} " == *" --json "* ]]; then
		if jq -e . "$W/out" >/dev/null 2>&1 && [[ $text =~ $re ]]; then
			ok "$name: one valid JSON document, saying it"
		else
			not_ok "$name: one valid JSON document, saying it"
			diag "expected to match: $re" "actual: ${text:0:2000}"
		fi
	else
		check_match "$name: the message names the file and line" "$re" "$text"
	fi
	check_eq "$name: nothing changed" "$before" "$(state "$state")"
	if clean "$W/out" "$W/err"; then
		ok "$name: no control byte on stdout or stderr"
	else
		not_ok "$name: no control byte on stdout or stderr"
		diag "$(cat "$W/err" "$W/out" | od -c | head -20)"
	fi
	check "$name: finished (${ms} ms, bound 30 s)" test "$rc" -ne 124 -a "$ms" -lt 30000
	if [ "${f[0]}" = C ]; then
		if [ "${restore[0]}" = true ]; then rm -rf "$top"; else rm -rf "$p" && "${restore[@]}"; fi
	fi
done
