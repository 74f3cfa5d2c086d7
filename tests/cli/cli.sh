#!/usr/bin/env bash
# The command-line contract: options, exit codes, help, configuration errors. No network.
. "$(dirname "$0")/../lib/tap.sh"
# The probe block at the end needs a network namespace of its own (unshare -n).
has_netns=0
unshare -n true 2>/dev/null && has_netns=1
plan $((48 + 4 * has_netns))
R=$FIXTURES/roots

run "$MESHNFS" --version
check_eq "--version exits 0" 0 "$RC"
check_match "--version prints the name and a version" "^meshnfs [^ ]+$" "$OUT"

run "$MESHNFS" help
check_eq "help exits 0" 0 "$RC"
for c in env doctor probe setup repair status help; do
	check_match "help lists '$c' with one line" $'\n'"  $c +[a-z]" "$OUT"
done
run "$MESHNFS" help env
check_match "help COMMAND shows its usage" "usage: meshnfs .* env" "$OUT"
# setup takes --help before its subcommand (mutation run 5: setup.c:398's help call dropped
# printed nothing and exited 0).
run "$MESHNFS" setup --help
check_eq "setup --help: exit 0" 0 "$RC"
check_match "setup --help: its usage" "usage: meshnfs .* setup " "$OUT"

run "$MESHNFS"
check_eq "no command: exit 64" 64 "$RC"
check_match "no command: usage on stderr" "usage: meshnfs" "$ERR"
run "$MESHNFS" frobnicate
check_eq "unknown command: exit 64" 64 "$RC"
check_match "unknown command: named" "unknown command 'frobnicate'" "$ERR"
check_eq "unknown command: nothing on stdout" "" "$OUT"
run "$MESHNFS" env --frob
check_eq "unknown option: exit 64" 64 "$RC"
check_match "unknown option: named" "unknown option '--frob'" "$ERR"
run "$MESHNFS" env extra
check_eq "unexpected operand: exit 64" 64 "$RC"
run "$MESHNFS" --timeout 0 env
check_eq "--timeout 0: exit 64" 64 "$RC"
run "$MESHNFS" --timeout abc env
check_match "--timeout abc: says what is wrong" "--timeout: \"abc\" is not a number" "$ERR"
# The bounds themselves are taken, a hair past refused (mutation run 7: `s > 3600` made `>=`
# refused 3600).
run "$MESHNFS" --root "$FIXTURES/roots/debian12" --timeout 3600 env
check_eq "--timeout 3600 (the upper bound): taken" 0 "$RC"
run "$MESHNFS" --root "$FIXTURES/roots/debian12" --timeout 0.1 env
check_eq "--timeout 0.1 (the lower bound): taken" 0 "$RC"
run "$MESHNFS" --timeout 3600.5 env
check_eq "--timeout 3600.5: exit 64" 64 "$RC"
run "$MESHNFS" --root relative/dir env
check_eq "--root must be absolute: exit 64" 64 "$RC"
run "$MESHNFS" --root /nonexistent/meshnfs env
check_eq "--root must exist: exit 64" 64 "$RC"
run "$MESHNFS" --root
check_eq "--root without its argument: exit 64" 64 "$RC"
check_match "--root without its argument: said" "needs an argument" "$ERR"

# Global options are accepted after the command name too.
run "$MESHNFS" env --root "$R/wsl1" --json
check_eq "global options after the command" wsl1 "$(jget .node.kind)"
# A JSON document ends with its newline (a line-oriented reader, `jq -c`'s input, a log): $(...)
# strips it, so the last byte is read apart (mutation run 13: common.c:416's output_raw of
# "\n" after the document dropped, survived every test).
check_eq "--json: the document ends with a newline" 0a \
	"$("$MESHNFS" env --root "$R/wsl1" --json | tail -c 1 | od -An -tx1 | tr -d ' ')"

# Configuration: built-in defaults, /etc/meshnfs.conf under the root, --config.
mk_tmpdir T
cp -a "$R/debian12/." "$T/"
printf '[server]\naddress = 100.64.0.1\n[mesh]\nrange = 100.64.0.0/10\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env --json
check_eq "a valid /etc/meshnfs.conf under the root is accepted" 0 "$RC"

printf '[server]\naddress = 100.64.0.1\n[mesh]\nrange = 100.64.0.0/33\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env --json
check_eq "bad range: exit 65" 65 "$RC"
check_eq "bad range: one line naming file, line and token" \
	"meshnfs: $T/etc/meshnfs.conf:4: range: \"100.64.0.0/33\" is not an IPv4 CIDR range" "$ERR"
check_eq "bad range: --json error document" "bad_input:4" "$(jget '.error.kind + ":" + (.error.line|tostring)')"

printf '[server]\nadress = 100.64.0.1\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env
check_match "typo in a key is refused, not ignored" "meshnfs.conf:2: unknown key \"adress\" in \\[server\\]" "$ERR"
printf '[servr]\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env
check_match "unknown section is refused" "meshnfs.conf:1: unknown section \\[servr\\]" "$ERR"
printf '[client]\nmountpoint = opt/shared\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env
check_match "relative mount point is refused" "meshnfs.conf:2: mountpoint: \"opt/shared\" is not an absolute path" "$ERR"
printf '[server]\naddress = 100.64.0\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env
check_match "a truncated address is refused" "meshnfs.conf:2: address: \"100.64.0\" is not an IP address or host name" "$ERR"
printf '[mesh]\nrange = 100.64.0.1/10\n' >"$T/etc/meshnfs.conf"
run "$MESHNFS" --root "$T" env
check_match "host bits in the range are refused" "host bits set" "$ERR"
rm "$T/etc/meshnfs.conf"

run "$MESHNFS" --root "$T" --config "$T/missing.conf" env
check_eq "--config naming a missing file: exit 65" 65 "$RC"
check_match "--config naming a missing file: said" "missing.conf: cannot read: No such file" "$ERR"
printf '[mesh]\nrange = 10.0.0.0/8\n' >"$T/other.conf"
run "$MESHNFS" --root "$T" --config "$T/other.conf" env --json
check_empty "--config range decides what counts as a mesh address" 0 "$(jget '.node.mesh_addresses|join(",")')"

# NO_COLOR and --no-color: never escape codes (script(1) gives a terminal). A report that is
# coloured on a terminal: setup client's plan on a fixture root, a dry run (no network, no
# change; env's own table has no colour, so it could not show the difference).
# (script is in bsdutils, an essential package: no condition that could skip these silently.)
colored() { script -qec "env $1 PATH=$TEST_PATH $MESHNFS --root $R/debian12 setup client --dry-run $2" /dev/null 2>&1 </dev/null; }
check_match "on a terminal: the verdict is coloured" $'\033\\[3' "$(colored '' '')"
# Without colour the same plan is still printed: an empty or failed run has no escapes either.
check_match "NO_COLOR: no escape codes even on a terminal" '^[^'$'\033'']*verdict: [^'$'\033'']*$' "$(colored NO_COLOR=1 '')"
check_match "--no-color: no escape codes even on a terminal" '^[^'$'\033'']*verdict: [^'$'\033'']*$' "$(colored '' --no-color)"

# Options may follow operands after the command name.
run "$MESHNFS" help env --no-color
check_eq "options after an operand are still options" 0 "$RC"

# probe without HOST: the configured server and export, here in an empty network namespace of
# its own (no route: the ladder stops at its first rung).
if [ "$has_netns" = 1 ]; then
	run unshare -n "$MESHNFS" --root "$R/debian12" --timeout 0.5 probe
	check_eq "probe without HOST: exit 2 (no route in an empty namespace)" 2 "$RC"
	check_match "probe without HOST probes the configured server and export" \
		"^probe 100.64.0.1:/opt/shared " "$OUT"
	# probe --format nagios: the plugin's status line and exit code (mutation run 4:
	# cmd_probe.c:33 'opt == OPT_FORMAT' made '!=' refused every --format, unseen).
	run unshare -n "$MESHNFS" --root "$R/debian12" --timeout 0.5 probe --format nagios
	check_eq "probe --format nagios: CRITICAL is exit 2" 2 "$RC"
	check_match "probe --format nagios: one status line with the route's time as perfdata" \
		"^MESHNFS PROBE CRITICAL - 100.64.0.1:/opt/shared unreachable: .* \| 'route'=[0-9.]+s;;;0;0.500 'tcp'=U;" "$OUT"
fi
