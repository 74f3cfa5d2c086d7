#!/usr/bin/env bash
# Installs exactly the Debian packages meshnfs needs that are missing, with
# --no-install-recommends (wireguard-tools would otherwise pull a whole kernel image).
# Usage: scripts/deps.sh [GROUP...]   groups: build test lab vm (default: all)
set -euo pipefail

declare -A groups=(
	[build]="make gcc pkg-config libc6-dev libmount-dev libjansson-dev libnfs-dev libcurl4-openssl-dev libsystemd-dev libmicrohttpd-dev"
	[test]="libcmocka-dev clang libclang-rt-14-dev jq iproute2 util-linux libssl-dev openssl libfuse3-dev groff-base time prometheus python3"
	[lab]="nfs-ganesha nfs-ganesha-vfs wireguard-go wireguard-tools nfs-common libnfs-utils iputils-ping netcat-openbsd procps openssh-server openssh-client"
	[vm]="qemu-system-x86 linux-image-amd64 busybox-static kmod"
)
order=(build test lab vm)
want=("$@")
[ ${#want[@]} -gt 0 ] || want=("${order[@]}")

missing=()
for g in "${want[@]}"; do
	[ -n "${groups[$g]:-}" ] || { echo "deps.sh: unknown group '$g' (build test lab vm)" >&2; exit 64; }
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
