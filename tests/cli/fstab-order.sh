#!/usr/bin/env bash
# The boot ordering `setup client` writes into /etc/fstab so that the share waits for the mesh,
# read by the REAL systemd-fstab-generator (Debian 12's systemd 252, run on the written file
# with SYSTEMD_FSTAB and output directories here; see systemd.generator(7)) and checked with
# `systemd-analyze verify` (it runs without systemd as PID 1), and doctor's fstab.entry on the
# same files. Fixture roots: debian12 (Tailscale 1.76's tailscaled.service only) and
# debian12-ts198 (Tailscale 1.98's units: tailscale-online.target, tailscale-wait-online.service).
. "$(dirname "$0")/../lib/tap.sh"
GEN=/lib/systemd/system-generators/systemd-fstab-generator
plan 23
R=$FIXTURES/roots
mk_tmpdir T

# root VAR SOURCE: a fresh copy of a fixture root in $T, its path in VAR.
root() { local d; d=$(mktemp -d "$T/root.XXXXXX"); cp -a "$R/$2/." "$d/"; printf -v "$1" '%s' "$d"; }
# gen ROOT: the generator on ROOT's fstab; units in $ROOT.gen/normal.
gen() {
	mkdir -p "$1.gen/normal" "$1.gen/early" "$1.gen/late"
	run env SYSTEMD_FSTAB="$1/etc/fstab" SYSTEMD_LOG_LEVEL=err "$GEN" "$1.gen/normal" "$1.gen/early" "$1.gen/late"
	UNIT=$(cat "$1.gen/normal/opt-shared.mount" 2>/dev/null)
}
# verify ROOT [UNIT_DIR]: systemd-analyze verify on the generated units, Tailscale's units
# from UNIT_DIR (the fixture's) when given.
verify() {
	run env SYSTEMD_UNIT_PATH="$1.gen/normal:${2:-}:" timeout 60 systemd-analyze verify \
		"$1.gen/normal/opt-shared.mount" "$1.gen/normal/opt-shared.automount"
}
opts() { awk '$2 == "/opt/shared" { print $4 }' "$1/etc/fstab"; }

# --- Tailscale 1.98+: tailscale-online.target (runs `tailscale wait`).
root A debian12-ts198
run "$MESHNFS" --root "$A" setup client
check_eq "1.98: setup exits 0" 0 "$RC"
check_match "1.98: the entry requires the online target" "(^|,)x-systemd\.requires=tailscale-online\.target(,|$)" "$(opts "$A")"
check_match "1.98: the plan says why" "x-systemd.requires=tailscale-online.target: at boot the mount waits until .tailscale wait. sees the mesh address" "$OUT"
gen "$A"
check_eq "1.98: the generator accepts the file" 0 "$RC"
check_match "1.98: the mount unit requires the target" $'(^|\n)Requires=tailscale-online\\.target(\n|$)' "$UNIT"
check_match "1.98: and starts after it" $'(^|\n)After=tailscale-online\\.target(\n|$)' "$UNIT"
check "1.98: the automount unit is pulled in by remote-fs.target" test -L "$A.gen/normal/remote-fs.target.requires/opt-shared.automount"
verify "$A" "$A/lib/systemd/system"
check_eq "1.98: systemd-analyze verify passes with Tailscale's units ($ERR)" 0 "$RC"
verify "$A"
check_match "1.98: without Tailscale's units verify names the missing target" "tailscale-online\\.target not found" "$ERR"
# Run again: nothing to do, the file stays as it is.
cp "$A/etc/fstab" "$T/before"
run "$MESHNFS" --root "$A" setup client
check_eq "1.98: a second run exits 0" 0 "$RC"
check "1.98: a second run leaves fstab byte for byte" cmp -s "$T/before" "$A/etc/fstab"
run "$MESHNFS" --root "$A" --json doctor
check_eq "1.98: doctor's fstab.entry is ok with it" ok "$(jget '.checks[]|select(.id=="fstab.entry")|.status')"

# --- Tailscale before 1.98: only tailscaled.service. Ordered after it, not required (a
# stopped tailscaled would unmount the share).
root B debian12
run "$MESHNFS" --root "$B" setup client
check_match "1.76: the entry is ordered after tailscaled" "(^|,)x-systemd\.after=tailscaled\.service(,|$)" "$(opts "$B")"
gen "$B"
check_match "1.76: the mount unit starts after tailscaled" $'(^|\n)After=tailscaled\\.service(\n|$)' "$UNIT"
check_no_match "1.76: and does not require it" "Requires=tailscaled" "$UNIT"
verify "$B" "$B/lib/systemd/system"
check_eq "1.76: systemd-analyze verify passes ($ERR)" 0 "$RC"

# --- No Tailscale unit (tailscale not installed as a service): no ordering.
root C debian12
rm -r "$C/lib/systemd"
run "$MESHNFS" --root "$C" setup client
check_no_match "no unit: no ordering" "x-systemd\.(requires|after)=" "$(opts "$C")"
# --- WSL2 with systemd and even a tailscaled unit: the distro rides the Windows host's
# Tailscale, nothing to wait for.
root W wsl2-tailscaled-inside
mkdir -p "$W/lib/systemd/system" && cp "$R/debian12-ts198/lib/systemd/system/"* "$W/lib/systemd/system/"
run "$MESHNFS" --root "$W" setup client
check_no_match "WSL2: no ordering" "x-systemd\.(requires|after)=" "$(opts "$W")"
check_match "WSL2: the entry is written all the same" "x-systemd\.automount" "$(opts "$W")"

# --- doctor's fstab.entry: an entry written before (no ordering) on a 1.98 node warns with
# the exact option; any of Tailscale's units as the user's own ordering is accepted.
root D client-done
mkdir -p "$D/lib/systemd/system" && cp "$R/debian12-ts198/lib/systemd/system/"* "$D/lib/systemd/system/"
run "$MESHNFS" --root "$D" --json doctor
check_eq "doctor: no ordering: warn" warn "$(jget '.checks[]|select(.id=="fstab.entry")|.status')"
check_match "doctor: the exact option to add" "add x-systemd\\.requires=tailscale-online\\.target to the options of line 3" \
	"$(jget '.checks[]|select(.id=="fstab.entry")|.fix')"
check_match "doctor: why" "tailscale/tailscale#11504" "$(jget '.checks[]|select(.id=="fstab.entry")|.detail')"
sed -i 's/retrans=2/retrans=2,x-systemd.after=tailscaled.service/' "$D/etc/fstab"
run "$MESHNFS" --root "$D" --json doctor
check_eq "doctor: the user's own ordering after tailscaled: ok" ok "$(jget '.checks[]|select(.id=="fstab.entry")|.status')"
