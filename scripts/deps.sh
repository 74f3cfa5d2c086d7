#!/usr/bin/env bash
# Installs exactly the Debian packages meshnfs needs that are missing, with
# --no-install-recommends (wireguard-tools would otherwise pull a whole kernel image).
# Usage: scripts/deps.sh [--check] [GROUP...]   groups: build test lab vm package ceph bench
#   (default: all but bench, which only the benchmarks in bench/ need: name it to get it)
#   --check: install nothing; name what is missing and exit 1 (`make deb` runs it first).
set -euo pipefail

declare -A groups=(
	[build]="make gcc pkg-config libc6-dev libmount-dev libjansson-dev libnfs-dev libcurl4-openssl-dev libsystemd-dev libmicrohttpd-dev libcephfs-dev"
	[test]="libcmocka-dev clang libclang-rt-14-dev jq iproute2 util-linux libssl-dev openssl libfuse3-dev groff-base time prometheus acl attr python3 stress-ng"
	[lab]="nfs-ganesha nfs-ganesha-vfs wireguard-go wireguard-tools nfs-common libnfs-utils iputils-ping netcat-openbsd procps openssh-server openssh-client nftables"
	[vm]="qemu-system-x86 linux-image-amd64 busybox-static kmod"
	[package]="dpkg-dev debhelper fakeroot lintian groff-base mmdebstrap piuparts bash-completion"
	# make check-ceph: a Ceph cluster and FSAL_CEPH gateways in the lab (about 250 MB)
	[ceph]="ceph-mon ceph-mgr ceph-osd ceph-mds ceph-common nfs-ganesha-ceph nfs-ganesha-rados-grace"
	[bench]="nmap hyperfine gnuplot-nox linux-perf time heaptrack"
)
order=(build test lab vm package ceph)
check_only=false
if [ "${1:-}" = --check ]; then check_only=true; shift; fi
want=("$@")
[ ${#want[@]} -gt 0 ] || want=("${order[@]}")

missing=()
for g in "${want[@]}"; do
	[ -n "${groups[$g]:-}" ] || { echo "deps.sh: unknown group '$g' (${order[*]} bench)" >&2; exit 64; }
	for p in ${groups[$g]}; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps.sh: all packages present (${want[*]})"
	exit 0
fi
if $check_only; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: install them with: bash scripts/deps.sh ${want[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: run as root (or install sudo)" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh only when an install fails.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
