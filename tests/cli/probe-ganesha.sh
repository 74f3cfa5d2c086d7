#!/usr/bin/env bash
# meshnfs probe's whole ladder, write included, against a real nfs-ganesha on the loopback of
# a network namespace of this test's own (100.64.0.1 on lo: no lab, no WireGuard), so the
# fast suite reaches the write step's state machine (mutation run 9: probe.c's "p->off <
# p->len" made "<=" sent a 0-byte WRITE after the last chunk, and only e2e/probe.sh saw it).
# The lab's e2e/probe.sh covers the diagnoses; this covers the healthy ladder in seconds.
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" != --inner ]; then
	command -v ganesha.nfsd >/dev/null || { plan 1; not_ok "ganesha.nfsd is needed (scripts/deps.sh lab)"; exit 0; }
	empty_netns NS
	ip netns exec "$NS" bash "$0" --inner
	exit $?
fi
plan 13

mk_tmpdir T
mkdir -p "$T/export" "$T/recovery"
ip addr add 100.64.0.1/32 dev lo
cat >"$T/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; Enable_UDP = false; Enable_NLM = false; Enable_RQUOTA = false;
	NFS_Port = 2049; Bind_addr = 100.64.0.1; }
NFSv4 { RecoveryRoot = "$T/recovery"; Graceless = true; Only_Numeric_Owners = true; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT { Export_Id = 1; Path = "$T/export"; Pseudo = "/opt/shared"; Protocols = 4;
	Transports = TCP; Access_Type = None; Squash = No_Root_Squash; SecType = sys;
	FSAL { Name = VFS; }
	CLIENT { Clients = 100.64.0.0/10; Access_Type = RW; Protocols = 4; } }
CONF
ganesha.nfsd -F -f "$T/ganesha.conf" -L "$T/ganesha.log" -p "$T/ganesha.pid" </dev/null >"$T/ganesha.out" 2>&1 &
GPID=$!
at_exit "kill $GPID 2>/dev/null; wait $GPID 2>/dev/null"
ready() { grep -q 'NFS SERVER INITIALIZED' "$T/ganesha.log" 2>/dev/null; }
for _ in $(seq 600); do # a poll, up to 30 s on a loaded machine
	ready && break
	kill -0 "$GPID" 2>/dev/null || break
	sleep 0.05
done
check "ganesha serves /opt/shared at 100.64.0.1 (this test's namespace)" ready

run "$MESHNFS" --json --timeout 10 probe 100.64.0.1:/opt/shared
check_eq "probe: exit 0" 0 "$RC"
check_eq "probe: diagnosis ok" ok "$(jget .diagnosis)"
check_eq "probe: six steps, every one ok" "route:ok tcp:ok rpc:ok export:ok write:ok ownership:ok" \
	"$(jget '[.steps[] | "\(.id):\(.status)"] | join(" ")')"
check_eq "probe: root's file is owned by 0 (no root squash)" 0 "$(jget .owner_uid)"
check_empty "probe: its test file is gone from the export" 0 "$(ls -A "$T/export")"

run "$MESHNFS" --no-color --timeout 10 probe 100.64.0.1
check_eq "human: exit 0" 0 "$RC"
check_match "human: the write step with its latency" "ok +write +[0-9]+ ms" "$OUT"

# status: its short probe of the server extended to the whole ladder (probe_extend) against
# a real server, with the write step (a new connection for it) and with --no-write (the export
# looked up on the short probe's held connection). Not reached here: a --no-write extension
# whose held connection was closed meanwhile (probe.c:745's lookup on a connection of its
# own; mutation run 18's open survivor, only status-load's hundreds of addresses get there).
printf '[server]\naddress = 100.64.0.1\nexport = /opt/shared\n[nodes]\nsrv = 100.64.0.1 server\n' >"$T/status.conf"
for args in "" --no-write; do
	# shellcheck disable=SC2086 # no word, or one
	run "$MESHNFS" --config "$T/status.conf" --json --timeout 10 status $args
	check_eq "status ${args:-(with the write)}: the server's row ok, the whole ladder run" \
		"srv ok true $([ -n "$args" ] && echo export || echo ownership)" \
		"$(jget '.nodes[] | select(.name == "srv") | "\(.name) \(.nfs.diagnosis) \(.nfs.full_ladder) \(.nfs.step)"')"
done

# Without libnfs (an empty file over it, in a mount namespace of this command's own): the export
# step cannot start. It is cut, no verdict on the server, and says why: dlopen's words, not
# "Cannot allocate memory" (what it said before: nfs_init_context's NULL was taken for an
# allocation failure; mutation run 10's open probe.c:828, the cut dropped, fails all three).
LIBNFS=$(readlink -f /usr/lib/*/libnfs.so.13 | head -1)
run unshare -m --propagation private bash -c 'mount --bind /dev/null "$1" && exec "${@:2}"' _ \
	"$LIBNFS" "$MESHNFS" --json --timeout 10 probe 100.64.0.1:/opt/shared
check_eq "no libnfs: exit 1 (a cut is a warning), diagnosis cut" "1 cut" "$RC $(jget .diagnosis)"
check_eq "no libnfs: route, tcp and rpc ok, export cut (warn)" "route:ok tcp:ok rpc:ok export:warn" \
	"$(jget '[.steps[] | select(.status != "skip") | "\(.id):\(.status)"] | join(" ")')"
check_match "no libnfs: the export step names the library, not memory" \
	"cannot create an NFS context: .*libnfs.so.13.*no verdict" "$(jget '.steps[] | select(.id == "export") | .detail')"

