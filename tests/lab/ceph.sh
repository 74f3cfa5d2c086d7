# shellcheck shell=bash
# A Ceph cluster in the lab (sourced by tests/lab/lib.sh): Debian's own ceph 16.2 packages,
# no block device, no systemd, nothing under /etc/ceph.
#
#   lab_up 1; lab_ceph_up [GATEWAY...]   # cluster on host "cph", a ganesha with FSAL_CEPH on
#                                        # each GATEWAY: a lab host (srv), or HOST:MESH_ADDR
#                                        # for a new one (gw2:100.64.0.2)
#   lab_ceph_gateway_add HOST [MESH]     # a gateway later (a new host when MESH is given)
#   lab_ceph_down                        # also part of lab_down
#
# The cluster: one mon, one mgr (LAB_CEPH_MGR=0: none; ceph then reports HEALTH_WARN), one
# OSD on memstore (RAM, 1 GiB cap, gone when it stops), one MDS, a CephFS "cephfs" and a pool
# "nfs-ganesha" for the gateways' NFSv4 recovery records and grace database (RADOS, namespace
# "grace"; each gateway is added to it before it starts: lab_ceph_grace). cephx is
# on: the gateways use client.ganesha, whose key is $LAB_CEPH_KEYRING (mode 0600). The
# cluster lives on the underlay only (host "cph", 198.18.0.1xx): gateways reach the monitors
# there as a cluster network, clients reach the gateways over the mesh.
# Everything lives in $LAB_DIR/ceph; every daemon runs in the foreground (-f) as this run's
# child, stopped by pid. LAB_CEPH_MS: the time the cluster took to serve (CephFS active).
#
# Files for tests: $LAB_CEPH_CONF (the gateways' ceph.conf: fsid, mon host, the keyring),
# $LAB_CEPH_KEYRING, $LAB_CEPH_ADMIN (the cluster's own conf, client.admin: lab_ceph CMD...).

LAB_CEPH_FS=cephfs
LAB_CEPH_POOL=nfs-ganesha
LAB_CEPH_NS=grace
LAB_CEPH_USER=ganesha
LAB_CEPH_READY_TIMEOUT=${LAB_CEPH_READY_TIMEOUT:-120}
declare -g LAB_CEPH_DIR="" LAB_CEPH_CONF="" LAB_CEPH_KEYRING="" LAB_CEPH_ADMIN="" LAB_CEPH_MON=""
declare -g LAB_CEPH_MS=0 LAB_CEPH_FSID="" LAB_CEPH_OSD=""
declare -ga LAB_CEPH_GWS=()

# lab_ceph CMD...: the ceph CLI as client.admin, in the cluster's host, with a deadline.
lab_ceph() { lab_exec cph timeout 30 ceph --conf "$LAB_CEPH_ADMIN" "$@"; }

lab_ceph_conf() {
	local d=$LAB_CEPH_DIR
	cat <<EOF
[global]
fsid = $LAB_CEPH_FSID
mon host = [v2:$LAB_CEPH_MON:3300,v1:$LAB_CEPH_MON:6789]
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
osd crush chooseleaf type = 0
# A stopped OSD is marked down by the monitor (no peer OSD reports it): beacons every 5 s,
# down after 20 s without one.
osd beacon report interval = 5
mon osd report timeout = 20
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 256
osd max object namespace len = 64
run dir = $d/run
admin socket = $d/run/\$name.asok
pid file = $d/run/\$name.pid
log file = $d/log/\$name.log
keyring = $d/\$name.keyring
mon data = $d/\$name
osd data = $d/\$name
mds data = $d/\$name
mgr data = $d/\$name
EOF
}

# lab_ceph_wait DESC SECONDS CMD...: polls CMD (every 0.2 s).
lab_ceph_wait() {
	local desc=$1 deadline=$(($(lab_ms) + $2 * 1000)); shift 2
	until "$@" >/dev/null 2>&1; do
		if [ "$(lab_ms)" -ge "$deadline" ]; then
			lab_die "ceph: $desc: not after ${deadline}"
			return 1
		fi
		sleep 0.2
	done
}
# lab_ceph_grace HOST ARGS...: ganesha-rados-grace with the gateways' key, in HOST (dump, add
# NODEID, ...): the gateways' shared grace database (pool nfs-ganesha, namespace grace).
lab_ceph_grace() {
	local h=$1; shift
	lab_exec "$h" timeout 30 ganesha-rados-grace --cephconf "$LAB_CEPH_CONF" \
		--userid "$LAB_CEPH_USER" --pool "$LAB_CEPH_POOL" --ns "$LAB_CEPH_NS" "$@"
}
# lab_ceph_grace_dump HOST: the grace database (`dump`), read again when ganesha-rados-grace
# crashed: 4.3 sometimes does at exit (SIGSEGV, NOTES.md), and its output to a pipe, still
# buffered, is lost with it (ceph/gateway.sh once read an empty database so, 2026-12-07). Up
# to three tries, each said on stderr when it fails; the last one's status.
lab_ceph_grace_dump() {
	local i out rc
	for i in 1 2 3; do
		out=$(lab_ceph_grace "$1" dump)
		rc=$?
		[ "$rc" = 0 ] && [ -n "$out" ] && break
		echo "lab: ganesha-rados-grace dump in $1, try $i: exit $rc, ${#out} bytes" >&2
	done
	printf '%s\n' "$out"
	return "$rc"
}
# lab_ceph_grace_member HOST: HOST is in the grace database (a dump's node lines).
lab_ceph_grace_member() {
	lab_ceph_grace_dump "$1" 2>>"$LAB_CEPH_DIR/log/grace.out" |
		awk -F '\t' -v h="$1" 'NR > 2 && $1 == h { found = 1 } END { exit !found }'
}
# lab_ceph_evict HOST: evicts the CephFS sessions of the gateway on HOST (found by its
# underlay address in `client ls`), as an operator does for a dead gateway whose caps the MDS
# would otherwise keep until session_autoclose (300 s). Prints the ids evicted.
lab_ceph_evict() {
	local addr=${LAB_UNDER[$1]} id
	for id in $(lab_ceph tell mds.a client ls 2>/dev/null |
		jq -r --arg a "$addr:" '.[] | select(.inst | contains(" " + $a)) | .id'); do
		lab_ceph tell mds.a client evict "id=$id" >/dev/null 2>&1 && echo "$id"
	done
}
lab_ceph_mds_active() { lab_ceph mds stat 2>/dev/null | grep -q 'up:active'; }
lab_ceph_osd_up() { lab_ceph osd stat 2>/dev/null | grep -q '1 up'; }

lab_ceph_up() {
	local t0 d id uuid secret
	t0=$(lab_ms)
	[ -n "$LAB_ID" ] || { lab_die "ceph: bring the lab up first (lab_up)"; return 1; }
	lab_host_add cph - || return 1
	LAB_CEPH_DIR=$LAB_DIR/ceph d=$LAB_DIR/ceph
	mkdir -p "$d/run" "$d/log" || return 1
	LAB_CEPH_MON=${LAB_UNDER[cph]}
	LAB_CEPH_FSID=$(cat /proc/sys/kernel/random/uuid)
	LAB_CEPH_ADMIN=$d/ceph.conf LAB_CEPH_CONF=$d/client.conf
	LAB_CEPH_KEYRING=$d/ceph.client.$LAB_CEPH_USER.keyring
	lab_ceph_conf >"$LAB_CEPH_ADMIN"
	lab_save
	# Keys: mon., client.admin (the lab's own), then each daemon's.
	{
	ceph-authtool --create-keyring "$d/mon.a.keyring" --gen-key -n mon. --cap mon 'allow *' &&
		ceph-authtool --create-keyring "$d/client.admin.keyring" --gen-key -n client.admin \
			--cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' &&
		ceph-authtool "$d/mon.a.keyring" --import-keyring "$d/client.admin.keyring" &&
		monmaptool --create --fsid "$LAB_CEPH_FSID" \
			--addv a "[v2:$LAB_CEPH_MON:3300,v1:$LAB_CEPH_MON:6789]" "$d/monmap" &&
		lab_exec cph ceph-mon --conf "$LAB_CEPH_ADMIN" --mkfs -i a --monmap "$d/monmap" \
			--keyring "$d/mon.a.keyring"
	} >>"$d/log/mkfs.out" 2>&1 ||
		{ lab_die "ceph: the monitor could not be made"; return 1; }
	lab_daemon cph ceph-mon ceph-mon -f -i a --conf "$LAB_CEPH_ADMIN"
	lab_ceph_wait "the monitor answers" 30 lab_ceph mon stat || return 1
	if [ "${LAB_CEPH_MGR:-1}" = 1 ]; then
		lab_ceph auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
			-o "$d/mgr.x.keyring" >/dev/null || return 1
		mkdir -p "$d/mgr.x"
		lab_daemon cph ceph-mgr ceph-mgr -f -i x --conf "$LAB_CEPH_ADMIN"
	fi
	# The OSD: its data directory first (MemStore asserts without it).
	uuid=$(cat /proc/sys/kernel/random/uuid)
	secret=$(ceph-authtool --gen-print-key) || return 1
	printf '{"cephx_secret": "%s"}\n' "$secret" >"$d/osd-secret.json"
	id=$(lab_ceph osd new "$uuid" -i "$d/osd-secret.json") || { lab_die "ceph: osd new"; return 1; }
	mkdir -p "$d/osd.$id"
	ceph-authtool --create-keyring "$d/osd.$id.keyring" --name "osd.$id" --add-key "$secret" \
		>>"$d/log/mkfs.out" &&
		lab_exec cph ceph-osd --conf "$LAB_CEPH_ADMIN" -i "$id" --mkfs --osd-uuid "$uuid" \
			>>"$d/log/mkfs.out" 2>&1 || { lab_die "ceph: osd mkfs"; return 1; }
	lab_daemon cph ceph-osd ceph-osd -f -i "$id" --conf "$LAB_CEPH_ADMIN"
	LAB_CEPH_OSD=$id
	lab_ceph_wait "the OSD is up" 60 lab_ceph_osd_up || return 1
	# CephFS, the recovery pool, the MDS.
	lab_ceph osd pool create cephfs_meta 8 >/dev/null 2>&1 &&
		lab_ceph osd pool create cephfs_data 8 >/dev/null 2>&1 &&
		lab_ceph fs new "$LAB_CEPH_FS" cephfs_meta cephfs_data >/dev/null 2>&1 &&
		lab_ceph osd pool create "$LAB_CEPH_POOL" 8 >/dev/null 2>&1 &&
		lab_ceph osd pool application enable "$LAB_CEPH_POOL" nfs >/dev/null 2>&1 ||
		{ lab_die "ceph: pools and file system"; return 1; }
	lab_ceph auth get-or-create mds.a mon 'profile mds' mgr 'profile mds' mds 'allow *' \
		osd 'allow *' -o "$d/mds.a.keyring" >/dev/null || return 1
	mkdir -p "$d/mds.a"
	lab_ceph_mds_start || return 1
	# The gateways' key and configuration: what an operator copies to a gateway's /etc/ceph.
	lab_ceph auth get-or-create "client.$LAB_CEPH_USER" mon 'allow r' mds 'allow rw' \
		osd "allow rw pool=cephfs_data, allow rw pool=$LAB_CEPH_POOL" \
		-o "$LAB_CEPH_KEYRING" >/dev/null || { lab_die "ceph: the gateway key"; return 1; }
	chmod 0600 "$LAB_CEPH_KEYRING"
	printf '[global]\nfsid = %s\nmon host = [v2:%s:3300,v1:%s:6789]\n[client]\nkeyring = %s\nadmin socket =\nlog file = %s/log/$name.$pid.log\n' \
		"$LAB_CEPH_FSID" "$LAB_CEPH_MON" "$LAB_CEPH_MON" "$LAB_CEPH_KEYRING" "$d" >"$LAB_CEPH_CONF"
	LAB_CEPH_MS=$(($(lab_ms) - t0))
	lab_save
	local g
	for g in "$@"; do
		if [[ $g == *:* ]]; then lab_ceph_gateway_add "${g%%:*}" "${g#*:}" || return 1
		else lab_ceph_gateway_add "$g" || return 1; fi
	done
}

# lab_ceph_mds_start: the MDS (again, after a test stopped it with lab_stop ceph-mds), ready
# when the file system has an active MDS.
lab_ceph_mds_start() {
	lab_daemon cph ceph-mds ceph-mds -f -i a --conf "$LAB_CEPH_ADMIN"
	lab_ceph_wait "an MDS is active" "$LAB_CEPH_READY_TIMEOUT" lab_ceph_mds_active
}

# lab_ceph_osd_pause / lab_ceph_osd_resume: the OSD stopped with SIGSTOP (I/O stalls; its
# data stays in memory: memstore loses it when the process ends) and continued. The monitor
# marks it down after mon_osd_report_timeout (20 s here).
lab_ceph_osd_pause() { lab_signal ceph-osd STOP; }
lab_ceph_osd_resume() { lab_signal ceph-osd CONT; }

# The ganesha configuration of a lab gateway (FSAL_CEPH; recovery records and grace periods
# shared in RADOS: rados_cluster, as `meshnfs setup server --backend ceph` writes it).
lab_ceph_ganesha_conf() {
	local h=$1
	cat <<EOF
NFS_CORE_PARAM {
	Protocols = 4;
	Enable_UDP = false;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Bind_addr = ${LAB_MESH[$h]};
}
NFSv4 {
	RecoveryBackend = rados_cluster;
	Graceless = false;
	Only_Numeric_Owners = true;
}
NFS_KRB5 {
	Active_krb5 = false;
}
RADOS_KV {
	Ceph_Conf = "$LAB_CEPH_CONF";
	UserId = "$LAB_CEPH_USER";
	Pool = "$LAB_CEPH_POOL";
	Namespace = "$LAB_CEPH_NS";
	Nodeid = "$h";
}
CEPH {
	Ceph_Conf = "$LAB_CEPH_CONF";
}
EXPORT {
	Export_Id = 1;
	Path = "/";
	Pseudo = "$LAB_PSEUDO";
	Protocols = 4;
	Transports = TCP;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	FSAL {
		Name = CEPH;
		Filesystem = "$LAB_CEPH_FS";
		User_Id = "$LAB_CEPH_USER";
	}
}
EOF
}

# lab_ceph_gateway_add HOST [MESH]: a ganesha with FSAL_CEPH on HOST (made first when MESH is
# given), ready when its log says so. Its daemon name is ganesha-HOST.
lab_ceph_gateway_add() {
	local h=$1 log
	if [ -n "${2:-}" ]; then lab_host_add "$h" "$2" || return 1; fi
	[ -n "${LAB_NS[$h]:-}" ] || { lab_die "ceph: no host $h"; return 1; }
	log=$LAB_CEPH_DIR/ganesha-$h.log
	lab_ceph_ganesha_conf "$h" >"$LAB_CEPH_DIR/ganesha-$h.conf"
	# rados_cluster: a gateway must be in the grace database before it starts.
	# ganesha-rados-grace 4.3 sometimes crashes at exit, before or after its work (NOTES.md):
	# a failed add is judged by a dump, and made once more when h is not a member.
	lab_ceph_grace "$h" add "$h" >>"$LAB_CEPH_DIR/log/grace.out" 2>&1 ||
		lab_ceph_grace_member "$h" ||
		lab_ceph_grace "$h" add "$h" >>"$LAB_CEPH_DIR/log/grace.out" 2>&1 ||
		lab_ceph_grace_member "$h" ||
		{ lab_die "ceph: $h not added to the grace database"; return 1; }
	lab_daemon "$h" "ganesha-$h" ganesha.nfsd -F -f "$LAB_CEPH_DIR/ganesha-$h.conf" -L "$log" \
		-p "$LAB_CEPH_DIR/ganesha-$h.pid"
	if ! lab_poll 60 grep -q 'NFS SERVER INITIALIZED' "$log"; then
		lab_die "ceph: ganesha on $h did not start"
		tail -n 20 "$log" >&2
		return 1
	fi
	LAB_CEPH_GWS+=("$h")
	lab_save
}

# lab_ceph_down: the gateways first (their libcephfs sessions), then mds, osd, mgr, mon.
lab_ceph_down() {
	local n
	[ -n "$LAB_CEPH_DIR" ] || return 0
	for n in "${LAB_CEPH_GWS[@]}"; do lab_stop "ganesha-$n" KILL 2>/dev/null; done
	for n in ceph-mds ceph-osd ceph-mgr ceph-mon; do lab_stop "$n" KILL 2>/dev/null; done
	LAB_CEPH_GWS=() LAB_CEPH_DIR=""
	lab_save
}
