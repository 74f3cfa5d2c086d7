#!/usr/bin/env bash
# Golden files: the human output of doctor, probe, status, setup's plan and env on fixture
# roots, byte for byte (timings and the checkout's path masked), in tests/golden/NAME.txt.
# Each case runs in an empty network namespace (every mesh address: no route), with the
# Windows side replayed where a scenario is named. A difference fails with the diff; after a
# deliberate change of words, `make golden` rewrites the files (GOLDEN_UPDATE=1) and the diff
# is reviewed in the commit.
. "$(dirname "$0")/../lib/tap.sh"
R=$FIXTURES/roots
G=$TOP/tests/golden
empty_netns NS

# NAME|SCENARIO (replayed Windows and Tailscale programs, - for none)|ROOT|ARGUMENTS[|host]
# The cases marked host run without --root through host_view (tests/lib/hostview: ROOT seen
# as this machine's files in a private mount and PID namespace), so the programs run: the
# Windows side (tailscale.exe, cmd.exe, wslinfo, netstat.exe) answers from the recordings in
# tests/fixtures/windows/SCENARIO, replayed by fakes (tests/lib/replay) found on PATH, shown
# as FAKE/ in the output. Under --root that side is skipped.
cases=(
	"doctor-debian12|-|debian12|doctor"
	"doctor-client-done|-|client-done|doctor"
	"doctor-mount-none|-|mount-none|doctor"
	"doctor-server-kernel|-|server-kernel|doctor"
	"doctor-server-ganesha|-|server-ganesha|doctor"
	"doctor-wsl1|-|wsl1|doctor"
	"doctor-wsl2-mirrored|mirrored|wsl2-mirrored|doctor"
	"doctor-wsl2-nat|nat:mirrored|wsl2-nat|doctor"
	"doctor-linux-running|linux-running|debian12|doctor"
	"probe-debian12|-|debian12|probe"
	"status-wsl2-mirrored|mirrored|wsl2-mirrored|status"
	"status-debian12|linux-running|debian12|status"
	"setup-client-debian12|-|debian12|setup client --dry-run"
	"setup-client-ts198|-|debian12-ts198|setup client --dry-run"
	"setup-client-done|-|client-done|setup client --dry-run"
	"setup-server-kernel|-|server-kernel|setup server --dry-run"
	"doctor-client-shares|-|client-shares|doctor"
	"setup-client-shares|-|client-shares|setup client --dry-run"
	"env-debian12|-|debian12|env"
	"env-wsl2-mirrored|mirrored|wsl2-mirrored|env"
	"doctor-wsl2-mirrored-host|mirrored|wsl2-mirrored|doctor|host"
	"doctor-wsl2-nat-host|nat:mirrored|wsl2-nat|doctor|host"
	"doctor-wsl2-stale-identity-host|stale-identity:mirrored|wsl2-stale-identity|doctor|host"
	"doctor-wsl2-port-collision-host|port-collision:mirrored|wsl2-port-collision|doctor|host"
	"env-wsl2-mirrored-host|mirrored|wsl2-mirrored|env|host"
	"status-wsl2-mirrored-host|mirrored|wsl2-mirrored|status|host"
)
plan ${#cases[@]}

for c in "${cases[@]}"; do
	IFS='|' read -r name scenario root args how <<<"$c"
	path=$TEST_PATH FAKE_BIN=/nonexistent
	if [ "$scenario" != - ]; then
		fake_windows "$scenario" tailscale.exe tailscale wslinfo cmd.exe wslpath netstat.exe
		path=$FAKE_BIN:$TEST_PATH
	fi
	# shellcheck disable=SC2086 # args are words
	if [ "$how" = host ]; then
		got=$(host_view "$NS" "$R/$root" env PATH="$path" NO_COLOR=1 "$MESHNFS" \
			--timeout 10 $args 2>&1 </dev/null; echo "exit $?")
	else
		got=$(ip netns exec "$NS" env PATH="$path" NO_COLOR=1 "$MESHNFS" --root "$R/$root" \
			--timeout 10 $args 2>&1 </dev/null; echo "exit $?")
	fi
	got=$(sed -E "s|$R/|ROOTS/|g; s|$TOP/|TOP/|g; s|$FAKE_BIN/|FAKE/|g; s/ +[0-9]+ ms/ N ms/g; s/[0-9]+ ms/N ms/g; s/ [0-9]+ms/ Nms/g; s/answered, in [0-9.]+ s/answered, in N s/g" <<<"$got")
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		printf '%s\n' "$got" >"$G/$name.txt"
		check "wrote tests/golden/$name.txt" true
		continue
	fi
	want=$(cat "$G/$name.txt" 2>/dev/null)
	if [ "$want" = "$got" ]; then
		ok "golden: meshnfs $args on $root (tests/golden/$name.txt)"
	else
		not_ok "golden: meshnfs $args on $root (tests/golden/$name.txt; make golden rewrites it)"
		diag "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -40)"
	fi
done
