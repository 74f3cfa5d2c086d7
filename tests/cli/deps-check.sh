#!/usr/bin/env bash
# `make deb` without its build dependencies names them and stops before building: deps.sh
# --check reads dpkg's database (dpkg-query, replaced here by a fake that reports two
# packages as not installed) and installs nothing.
. "$(dirname "$0")/../lib/tap.sh"
plan 6
mk_tmpdir T
cat > "$T/dpkg-query" <<'FAKE'
#!/bin/sh
# A fake dpkg-query -W -f='${Status}' PKG: debhelper and lintian are missing.
for last; do :; done
case $last in debhelper | lintian) echo "dpkg-query: no packages found matching $last" >&2; exit 1 ;; esac
printf 'install ok installed'
FAKE
chmod +x "$T/dpkg-query"

run env PATH="$T:$PATH" bash "$TOP/scripts/deps.sh" --check package build
check_eq "deps.sh --check: exit 1" 1 "$RC"
check_match "it names the missing packages" "missing Debian packages: debhelper lintian$" "$(head -n 1 <<< "$ERR")"
check_match "and how to install them" "install them with: bash scripts/deps.sh package build" "$ERR"

run env PATH="$T:$PATH" make -C "$TOP" --no-print-directory deb
check_match "make deb stops with the same message" "missing Debian packages: debhelper lintian" "$ERR"
check_eq "make deb failed before building (no build-deb.sh run)" "2 no" \
	"$RC $(grep -q 'build-deb.sh' <<< "$OUT$ERR" && echo yes || echo no)"

run bash "$TOP/scripts/deps.sh" --check nosuchgroup
check_eq "an unknown group: exit 64" 64 "$RC"
