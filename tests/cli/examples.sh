#!/usr/bin/env bash
# The README's short examples are real runs: each is run again here on the fixture root it
# came from (Windows side replayed, in an empty network namespace) and every line the README
# shows must be in the output, in order. A line ending in "..." stands for a line starting
# with the text before it; a line "..." for lines left out. Times in parentheses "(N ms)" at
# the end of a line and the root's path prefix (the README shows paths as on the machine)
# are not compared. The longer ones (probe, status, doctor --all, the hung mount) need the
# lab or FUSE; their tests check the same texts.
. "$(dirname "$0")/../lib/tap.sh"
plan 7
R=$FIXTURES/roots
README=$TOP/README.md
empty_netns NS

# readme_block FIRSTLINE: the lines after the line FIRSTLINE of a README code block, to its end.
readme_block() {
	awk -v first="$1" '$0 == first { on = 1; next } on && /^```/ { exit } on { print }' "$README"
}

# compare EXPECTED OUTPUT: prints the first README line not found in order, or nothing.
compare() {
	awk -v exp_file=<(printf '%s\n' "$1") '
		BEGIN { while ((getline l < exp_file) > 0) want[++n] = l; i = 1 }
		{ got[++m] = $0 }
		END {
			j = 1
			for (i = 1; i <= n; i++) {
				w = want[i]
				if (w == "...") continue
				prefix = 0
				if (w ~ /\.\.\.$/) { prefix = 1; w = substr(w, 1, length(w) - 3); sub(/[ ;,]+$/, "", w) }
				while (j <= m && !(prefix ? index(got[j], w) == 1 : got[j] == w)) j++
				if (j > m) { print "not found in order: " want[i]; exit }
				j++
			}
		}' <(printf '%s\n' "$2")
}

# normalise ROOT: stdin without the root prefix and trailing "(N ms)".
normalise() { sed -e "s#$1##g" -e 's/ ([0-9]\+ ms)$//'; }

# 1. meshnfs env on a mirrored WSL2 distro.
fake_windows mirrored wslinfo cmd.exe wslpath
want=$(readme_block '$ meshnfs env')
check_match "README has the env example" "^kind +wsl2" "$want"
# (Without --root, the root seen as this machine: under --root no program runs, the replayed
# Windows side neither.)
out=$(host_view "$NS" "$R/wsl2-mirrored" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" env)
check_eq "README's env example is what env prints on wsl2-mirrored" "" "$(compare "$want" "$out")"

# 2. doctor on a WSL2 distro whose .wslconfig has a typo (as tests/cli/doctor-wsl.sh runs it).
fake_windows nat:mirrored wslinfo cmd.exe wslpath tailscale.exe netstat.exe
want=$(readme_block '$ meshnfs doctor          # a WSL2 distro whose .wslconfig has a typo')
check_match "README has the WSL2 doctor example" "wsl.wslconfig" "$want"
out=$(host_view "$NS" "$R/wsl2-wslconfig-typo" env PATH="$FAKE_BIN:$TEST_PATH" "$MESHNFS" \
	doctor | normalise "$R/wsl2-wslconfig-typo")
check_eq "README's WSL2 doctor example is what doctor prints on wsl2-wslconfig-typo" "" \
	"$(compare "$want" "$out")"

# 3. A command's --help, whole (no line left out).
want=$(readme_block '$ meshnfs repair --help')
check_eq "README's repair --help is meshnfs repair --help, exactly" "$want" "$("$MESHNFS" repair --help)"
check_eq "meshnfs help repair prints the same" "$want" "$("$MESHNFS" help repair)"

# The comparison can fail: a changed line is caught.
check_match "a README line that differs is reported" "not found in order: kind +wsl1" \
	"$(compare "kind            wsl1" "$out")"
