#!/usr/bin/env bash
# meshnfs setup wsl on copies of fixture roots, the Windows side replayed: the plan (diffs),
# --dry-run changing nothing, the .wslconfig edited in its own encoding and line endings,
# wsl.conf given [boot] systemd=true, a second run with nothing to do, non-WSL2 refused.
. "$(dirname "$0")/../lib/tap.sh"
plan 26
R=$FIXTURES/roots

# setup_wsl ROOT SCENARIO ARGS...: in an empty namespace (setup never needs the network, but
# node detection runs the replayed Windows programs: those the scenario has recordings of).
empty_netns NS
setup_wsl() {
	local root=$1 scenario=$2 p progs=(); shift 2
	for p in wslinfo cmd.exe wslpath; do
		[ -d "$FIXTURES/windows/$scenario/$p" ] && progs+=("$p")
	done
	fake_windows "$scenario" "${progs[@]}"
	run ip netns exec "$NS" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" --root "$root" setup wsl "$@"
}
state() { (cd "$1" && find . -type f -newer "$1/.stamp" | sort; find . -name '*.meshnfs.*' | sort); }

# UTF-16LE .wslconfig with networkingMode=mirrored already, no [boot] systemd in wsl.conf.
mk_tmpdir U
cp -a "$R/wsl2-utf16-wslconfig/." "$U/"
touch "$U/.stamp"
W=$U/mnt/c/Users/dave/.wslconfig
before=$(sha256sum "$W" | cut -d' ' -f1)
setup_wsl "$U" utf16 --dry-run
check_eq "utf16 dry run: exit 1 (a change that needs a WSL restart is pending)" 1 "$RC"
check_no_match "utf16 dry run: no input problems" "node.input" "$OUT"
check_match "utf16 dry run: .wslconfig already right" "networkingMode=mirrored is set in .wslconfig" "$OUT"
check_match "utf16 dry run: a diff adding systemd=true to wsl.conf" $'\n''[[:space:]]*\+systemd=true' "$OUT"
check_match "utf16 dry run: tells to restart WSL" "wsl --shutdown" "$OUT"
check_empty "utf16 dry run: nothing written" 1 "$(state "$U" 2>&1)"

setup_wsl "$U" utf16
check_eq "utf16: exit 1 (applied; WSL must restart to read it)" 1 "$RC"
check_match "utf16: wsl.conf now has [boot] systemd=true" $'\\[boot\\]\nsystemd=true' "$(cat "$U/etc/wsl.conf")"
check_match "utf16: the old wsl.conf settings stay" "mountFsTab = true" "$(cat "$U/etc/wsl.conf")"
check_eq "utf16: .wslconfig untouched (already right)" "$before" "$(sha256sum "$W" | cut -d' ' -f1)"
setup_wsl "$U" utf16
check_eq "utf16 again: exit 0" 0 "$RC"
check_match "utf16 again: nothing to do" "Nothing to do" "$OUT"

# A .wslconfig with the typo networkMode=nat in UTF-16LE: corrected in place, encoding kept.
mk_tmpdir T
cp -a "$R/wsl2-utf16-wslconfig/." "$T/"
W=$T/mnt/c/Users/dave/.wslconfig
printf '# mine\r\n[wsl2]\r\nmemory=8GB\r\nnetworkMode = nat\r\n' | iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } >"$W"
# wsl.conf already right here: the .wslconfig change alone needs the restart too (mutation
# run 7: setup.c:385's `r >= 0` -> `r > 0` told it only when wsl.conf changed as well).
printf '[boot]\nsystemd=true\n' >>"$T/etc/wsl.conf"
setup_wsl "$T" utf16
check_eq "typo: exit 1 (applied; restart pending)" 1 "$RC"
check_match "typo, wsl.conf already right: tells to restart WSL" "wsl --shutdown" "$OUT"
# The plan names the file as the node sees it, without the --root prefix (mutation run 13:
# setup.c:325's trailing-slash loop `n > 0 && root[n - 1] == '/'` -> `||` ran n down to 0 and
# the plan showed $T/mnt/c/...).
check_match "typo: the plan edits /mnt/c/Users/dave/.wslconfig (as the node sees it)" \
	"edit /mnt/c/Users/dave/\.wslconfig " "$OUT"
check_no_match "typo: ... its plan steps not under the audit root's path (the results name the real file)" \
	"$T" "$(grep -E '^ +[0-9]+\. ' <<<"$OUT")"
check_eq "typo: still UTF-16LE with BOM" "fffe" "$(head -c 2 "$W" | od -An -tx1 | tr -d ' \n')"
text=$(tail -c +3 "$W" | iconv -f UTF-16LE -t UTF-8; echo .)
text=${text%.}
check_match "typo: key and value corrected, CRLF kept" $'networkingMode = mirrored\r\n' "$text"
check_match "typo: other settings and comments kept" $'# mine\r\n\\[wsl2\\]\r\nmemory=8GB\r\n' "$text"
check "typo: a backup of the previous version" test -f "$W.meshnfs.bak"
setup_wsl "$T" utf16
check_match "typo: second run has nothing to do" "Nothing to do" "$OUT"

# No .wslconfig yet (WSL2 on 4.19 with interop): created, UTF-8 with CRLF.
mk_tmpdir N
cp -a "$R/wsl2-nat-4.19/." "$N/"
# (%USERPROFILE% comes from cmd.exe: without --root, the root seen as this machine; under
# --root no program runs and only an existing .wslconfig is found, by scanning /mnt/c/Users.)
fake_windows old-nat cmd.exe wslpath
run host_view "$NS" "$N" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" setup wsl
check_eq "new .wslconfig: exit 1 (applied; restart pending)" 1 "$RC"
check_eq "new .wslconfig: written where %USERPROFILE% points, CRLF" "5b77736c325d0d0a6e6574776f726b696e674d6f64653d6d6972726f7265640d0a" "$(od -An -tx1 "$N/mnt/c/Users/bob/.wslconfig" | tr -d ' \n')"

# Not WSL2: refused, nothing written.
setup_wsl "$R/debian12" none
check_eq "native Linux: exit 2" 2 "$RC"
check_match "native Linux: says why" "not a WSL2 distro" "$OUT"
setup_wsl "$R/wsl1" none
check_match "WSL1: the fix converts the distro" "wsl --set-version" "$OUT"
