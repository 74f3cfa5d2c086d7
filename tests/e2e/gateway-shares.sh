#!/usr/bin/env bash
# A gateway serving several shares is probed for each share's own export (issue 15): srv
# (100.64.0.1) and gw2 (100.64.0.2), each a real nfs-ganesha (tests/lab/gateways.sh), serve
# the share "data" (/opt/shared); srv also exports /opt/models (a second EXPORT block), gw2
# does not. The configuration lists both gateways for both shares. status's per-share gateway
# table and doctor's checks must judge "models" by /opt/models on each gateway: gw2 does not
# export it (export_denied_or_missing) although it answers for /opt/shared; each address is
# still counted once. (status probed every gateway with the first share's export only, and
# "models" looked healthy on gw2.) Then gw2 exports /opt/models too: healthy on both.
. "$(dirname "$0")/../lib/tap.sh"
. "$TOP/tests/lab/lib.sh"
. "$TOP/tests/lab/gateways.sh"
plan 14
mk_tmpdir T
mkdir -m 0777 "$T/models"
echo "a model" >"$T/models/README"
MODELS="EXPORT {
	Export_Id = 2;
	Path = \"$T/models\";
	Pseudo = \"/opt/models\";
	Protocols = 4;
	Transports = TCP;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	FSAL {
		Name = VFS;
	}
}"
LAB_G_MORE=$MODELS
lab_up 1 || { not_ok "the lab comes up"; exit 1; }
LAB_G_MORE="" # gw2: /opt/shared only
lab_gateway_add gw2 100.64.0.2 || { not_ok "the second gateway comes up"; exit 1; }
ok "the lab: srv exports /opt/shared and /opt/models, gw2 /opt/shared only"
GW1=$LAB_SERVER_MESH GW2=100.64.0.2
cat >"$T/m.conf" <<EOF
[share data]
servers = $GW1, $GW2
export = $LAB_PSEUDO
mountpoint = /mnt/mnfs-test-data
[share models]
servers = $GW1, $GW2
export = /opt/models
mountpoint = /mnt/mnfs-test-models
[nodes]
gw1 = $GW1
gw2 = $GW2
EOF
M() { lab_exec c1 "$MESHNFS" --config "$T/m.conf" --timeout 3 "$@"; }
# share_gw SHARE: "HOST:DIAGNOSIS:healthy|-" for each gateway of SHARE in status's JSON.
share_gw() {
	jget "[.shares[] | select(.share == \"$1\") | .gateways[] |
		\"\\(.host):\\(.diagnosis):\\(if .healthy then \"healthy\" else \"-\" end)\"] | join(\" \")"
}

run M --json status --source config
check_eq "status: data answers on both gateways" \
	"$GW1:ok:healthy $GW2:ok:healthy" "$(share_gw data)"
check_eq "status: models probed with /opt/models on each gateway: gw2 does not export it" \
	"$GW1:ok:healthy $GW2:export_denied_or_missing:-" "$(share_gw models)"
check_eq "status: data ok; models available through srv only (warn, use srv)" \
	"ok warn $GW1" \
	"$(jget '[(.shares[] | select(.share == "data") | .verdict), (.shares[] | select(.share == "models") | "\(.verdict) \(.use)")] | join(" ")')"
# The same through status --no-write (its one COMPOUND lookup per address, no client id, in
# place of libnfs's mount): each gateway still asked for each share's own export.
run M --json status --source config --no-write
check_eq "status --no-write: data answers on both gateways" \
	"$GW1:ok:healthy $GW2:ok:healthy" "$(share_gw data)"
check_eq "status --no-write: gw2 does not export /opt/models" \
	"$GW1:ok:healthy $GW2:export_denied_or_missing:-" "$(share_gw models)"
run M status --source config
check_match "status's table: models' row for gw2 says export_denied_or_missing" \
	"$GW2 \\(gw2\\) +export_denied_or_missing +no" \
	"$(sed -n '/^models /,/^$/p' <<<"$OUT")"
check_match "status counts each address once (2 addresses, not 3)" \
	"2 nodes from config .*; 2 of 2 addresses answered" "$OUT"

run M --json doctor --share models
check_eq "doctor --share models: share.gateway probes /opt/models on each gateway" \
	"ok fail" "$(jget '[.checks[] | select(.id == "share.gateway") | .status] | join(" ")')"
check_match "... gw2 named with its own answer for /opt/models" \
	"$GW2 does not answer: export_denied_or_missing" \
	"$(jget '[.checks[] | select(.id == "share.gateway") | .summary] | join("\n")')"
check_match "... nfs.export: srv (the first that answers) exports /opt/models" \
	"^ok .*$GW1 exports /opt/models to this client$" \
	"$(jget '.checks[] | select(.id == "nfs.export") | "\(.status) \(.summary)"')"
run M --json doctor
check_eq "doctor, both shares: data's share.gateway ok ok, models' ok fail" "ok ok|ok fail" \
	"$(jget '[.shares[] | [.checks[] | select(.id == "share.gateway") | .status] | join(" ")] | join("|")')"
check_match "doctor, both shares: each share's nfs.export names its own export" \
	"$GW1 exports $LAB_PSEUDO to this client\\|.*$GW1 exports /opt/models to this client$" \
	"$(jget '[.shares[] | .checks[] | select(.id == "nfs.export") | .summary] | join("|")')"

# gw2 exports /opt/models too (its ganesha started again with the second export).
lab_stop ganesha-gw2 KILL
LAB_G_MORE=$MODELS
lab_ganesha_conf | sed "s|RecoveryRoot = .*|RecoveryRoot = \"$LAB_DIR/recovery-gw2\";|" \
	>"$LAB_DIR/ganesha-gw2.conf"
: >"$LAB_DIR/ganesha-gw2.log"
lab_daemon gw2 ganesha-gw2 ganesha.nfsd -F -f "$LAB_DIR/ganesha-gw2.conf" \
	-L "$LAB_DIR/ganesha-gw2.log" -p "$LAB_DIR/ganesha-gw2.pid"
lab_poll "$LAB_READY_TIMEOUT" lab_gateway_ready gw2
run M --json status --source config
check_eq "gw2 exports /opt/models too: models answers on both gateways" \
	"$GW1:ok:healthy $GW2:ok:healthy" "$(share_gw models)"
