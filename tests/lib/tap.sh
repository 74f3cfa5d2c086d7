# shellcheck shell=bash
# Assertions for shell tests, printing TAP ("ok N - what" / "not ok N - what"). Source it;
# tests/run counts the lines. Every assertion can fail: it compares a real result with an
# expectation stated in the test.
set -u
# The checkout, symbolic links resolved: paths built on it mean the same in the VM guest,
# which mounts the checkout at this path (tests/vm/lib/vm.sh).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# host_view (tests/lib/hostview) mounts over /etc /mnt /opt /run /var /srv /home: a checkout
# below one of them (a clone in a home directory) vanished from under the commands it ran, and
# every such check failed with exit 127. Such a test runs again from a bind mount of the
# checkout under /tmp, in a private mount namespace of its own (the mount goes with it); the
# environment's paths into the checkout (MESHNFS, LSAN_OPTIONS...) follow.
case "$TOP/" in
/etc/* | /mnt/* | /opt/* | /run/* | /var/* | /srv/* | /home/*)
	if [ -z "${MESHNFS_TOP_MOVED:-}" ] && [ "$(id -u)" = 0 ]; then
		_t_to=$(mktemp -d /tmp/meshnfs-top.XXXXXX) || exit 2
		_t_self=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")
		_t_cwd=$PWD
		case "$_t_cwd/" in "$TOP"/*) _t_cwd=$_t_to${_t_cwd#"$TOP"} ;; esac
		for _t_v in $(compgen -e); do
			case "${!_t_v}" in *"$TOP"*) export "$_t_v=${!_t_v//"$TOP"/"$_t_to"}" ;; esac
		done
		MESHNFS_TOP_MOVED=$TOP unshare --mount --propagation private bash -c \
			'mount --bind "$1" "$2" && cd "$3" && shift 3 && exec bash "$@"' _ \
			"$TOP" "$_t_to" "$_t_cwd" "${_t_self/#"$TOP"\//$_t_to/}" "$@"
		_t_rc=$?
		rmdir "$_t_to"
		exit "$_t_rc"
	fi
	;;
esac
MESHNFS=${MESHNFS:-$TOP/build/meshnfs}
FIXTURES=$TOP/tests/fixtures
# With MESHNFS=build/meshnfs-san: leaks inside Debian's libraries are not meshnfs's (the file
# says which, and why each is there).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lib/lsan.supp:print_suppressions=0}
_t_n=0
_t_cleanups=()

# A jget that failed (jq error, no JSON at all) leaves its message in this file; the next check,
# whatever it compares, then fails with that message: a value read from output that was not
# there cannot pass for "" (the empty string a crashed or silent meshnfs gives).
_T_JERR=$(mktemp "${TMPDIR:-/tmp}/meshnfs-jerr.XXXXXX")
ok() {
	if [ -s "$_T_JERR" ]; then
		not_ok "$*"
		return
	fi
	_t_n=$((_t_n + 1)); echo "ok $_t_n - $*"
}
not_ok() {
	_t_n=$((_t_n + 1)); echo "not ok $_t_n - $*"
	if [ -s "$_T_JERR" ]; then
		diag "a value this check read could not be read:" "$(cat "$_T_JERR")"
		: >"$_T_JERR"
	fi
}
# plan N: this file makes exactly N checks (TAP's "1..N"); tests/run holds the file to it, so
# a block skipped by a condition cannot vanish silently. Call it once, before the first check.
plan() { echo "1..$1"; }
# self_test: this file checks the test machinery (the lab, the VM harness), not meshnfs;
# tests/run counts its results apart in the summary (and still in the last line).
self_test() { echo "# self-test: checks the test harness, not meshnfs"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; diag "command failed: $*"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1"; diag "expected: $2" "actual:   $3"; fi
}

# blank STR: STR is empty or only white space. (A glob that stops at the first other byte:
# ${STR//[[:space:]]/} took 12 s on a 300 KB JSON document, 3-8 s per jget in status-load.)
blank() { [[ $1 != *[![:space:]]* ]]; }

# check_match DESC EXTENDED_REGEX ACTUAL
check_match() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else not_ok "$1"; diag "expected to match: $2" "actual: $3"; fi
}

# check_no_match DESC EXTENDED_REGEX ACTUAL: ACTUAL is not empty and does not match (nothing at
# all matches nothing: the output of a command that crashed or printed nothing).
check_no_match() {
	if blank "$3"; then
		not_ok "$1"; diag "must not match: $2" "actual: nothing (empty)"
	elif [[ $3 =~ $2 ]]; then not_ok "$1"; diag "must not match: $2" "actual: $3"; else ok "$1"; fi
}

# Wall-clock bounds. A loaded 2-core machine (ASan, other test suites, other developers) runs a
# program several times slower than an idle one, so a bound is never tighter than the
# program's own deadline D plus a generous margin: D * TIME_FACTOR + TIME_MARGIN_MS (defaults 2
# and 5000). It catches a hang or a deadline that never fires, not slowness: speed goals live in
# bench/. A lower bound (a deadline cannot fire early) is exact and stays.
TIME_FACTOR=${TIME_FACTOR:-2}
TIME_MARGIN_MS=${TIME_MARGIN_MS:-5000}
time_bound() { echo $(($1 * TIME_FACTOR + TIME_MARGIN_MS)); }

# check_took DESC MS DEADLINE_MS [MIN_MS]: a run of MS ms ended within time_bound(DEADLINE_MS),
# and not before MIN_MS when given.
check_took() {
	local bound
	bound=$(time_bound "$3")
	if [[ ! $2 =~ ^[0-9]+$ ]]; then
		not_ok "$1"; diag "no time measured: '$2'"
	elif [ "$2" -lt "$bound" ] && [ "$2" -ge "${4:-0}" ]; then
		ok "$1"
	else
		not_ok "$1"; diag "took $2 ms; expected ${4:+at least $4 ms and }less than $bound ms (deadline $3 ms)"
	fi
}

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR and the status in $RC.
run() {
	local e
	e=$(mktemp)
	OUT=$("$@" 2>"$e")
	RC=$?
	ERR=$(cat "$e")
	rm -f "$e"
}

# jget JQ_FILTER: applies a jq filter to $OUT (raw output). When $OUT holds no JSON (empty:
# the command crashed or printed nothing) or jq fails (malformed output, a filter that does not
# fit the document), it prints nothing, returns 1 and makes the next check fail, whatever that
# check expects ("" included).
jget() {
	local r
	if blank "$OUT"; then
		printf 'jget %s: no JSON: the output is empty (exit status %s)\n' "$1" "${RC:-unset}" >>"$_T_JERR"
		return 1
	fi
	if ! r=$(printf '%s' "$OUT" | jq -r "$1" 2>&1); then
		printf 'jget %s: %s\n' "$1" "$r" >>"$_T_JERR"
		return 1
	fi
	printf '%s\n' "$r"
}

# check_empty DESC RC ACTUAL: ACTUAL (what must not exist: log lines, ids, files) is empty, and
# the command behind it really ran: the last `run` exited with RC and printed something (on
# stdout, or on stderr for a refusal). An empty ACTUAL alone passes as well when the command
# crashed or never ran.
check_empty() {
	local bad=()
	[ "${RC:-unset}" == "$2" ] || bad+=("exit status ${RC:-unset}, expected $2")
	! blank "$OUT$ERR" || bad+=("the command printed nothing")
	[ -z "$3" ] || bad+=("expected nothing, got: $3")
	if [ ${#bad[@]} = 0 ]; then ok "$1"; else not_ok "$1"; diag "${bad[@]}"; fi
}

# logged FILE: the contents of FILE, which must exist (a log that was never created is not an
# empty log: the fake or the shim that writes it did not run). Used inside check_empty.
logged() {
	if [ -f "$1" ]; then cat "$1"; else echo "(no file $1)"; fi
}

# pid_gone PID: PID is a number and no process has it. `! kill -0 $(...)` passes when the
# pid could not be found at all; `check "gone" pid_gone "$pid"` does not.
pid_gone() { [[ $1 =~ ^[0-9]+$ ]] && ! kill -0 "$1" 2>/dev/null; }

# at_exit CMD: runs CMD when the test exits, whatever the way (last registered runs first).
at_exit() { _t_cleanups=("$*" "${_t_cleanups[@]}"); }
_t_exit() {
	local c
	# A reader that went away (a runner killed, `| head`) must not end the cleanup at its
	# first line of output: writes then fail, and the cleanups still run.
	trap '' PIPE
	# Nor a second signal: timeout sends SIGTERM to the test and then to its whole process
	# group, so the test can get it twice, and the second, run as `exit 130` inside this
	# trap, ended the cleanup half-way (a lab or a qemu left behind; seen once in CI by
	# tests/cli/run-signal.sh). A handler, not '' (ignored): the cleanup's own children keep
	# the default action; timeout's SIGKILL 30 s later still ends a cleanup that hangs.
	trap : INT TERM HUP
	[ -s "$_T_JERR" ] && not_ok "a jget after the last check failed"
	rm -f "$_T_JERR"
	for c in "${_t_cleanups[@]}"; do eval "$c" || true; done
}
trap _t_exit EXIT
trap 'exit 130' INT TERM

# mk_tmpdir VAR: a fresh directory, removed at exit, its path in VAR. (Not in $(...): the
# cleanup must be registered in this shell.)
mk_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/meshnfs-test.XXXXXX")
	at_exit "rm -rf '$d'"
	printf -v "$1" '%s' "$d"
}

# fake_windows SCENARIO[:SCENARIO...] PROGRAM...: sets FAKE_BIN to a directory of replaying
# fakes named PROGRAM (wslinfo, cmd.exe, wslpath, tailscale.exe, netstat.exe) that print the
# recorded outputs of tests/fixtures/windows/SCENARIO (see tests/lib/replay); with several
# scenarios, the first that has a program's recordings wins. Prepend FAKE_BIN to PATH.
fake_windows() {
	local scenarios=$1 p s dirs=; shift
	mk_tmpdir FAKE_BIN
	for p in "$@"; do ln -s "$TOP/tests/lib/replay" "$FAKE_BIN/$p"; done
	IFS=: read -r -a s <<<"$scenarios"
	for p in "${s[@]}"; do dirs=${dirs:+$dirs:}$FIXTURES/windows/$p; done
	export REPLAY_DIR=$dirs
	# meshnfs passes its children a minimal environment: the fakes read this file instead.
	printf '%s\n' "$dirs" >"$FAKE_BIN/.replay_dir"
}

# A PATH for tests: the system's programs, without any directory that could hold a real
# wslinfo, cmd.exe or tailscale (fakes are prepended by the test).
TEST_PATH=/usr/sbin:/usr/bin:/sbin:/bin

# empty_netns VAR: a new network namespace with only loopback up, deleted at exit; its name in
# VAR. Anything that may open a socket (doctor, probe, status) runs in one (`ip netns exec`),
# never in the machine's own namespace, which routes to the outside world.
empty_netns() {
	local ns="mnfs-e$$-${RANDOM}"
	ip netns add "$ns" || return 1
	at_exit "ip netns del '$ns' 2>/dev/null"
	ip -n "$ns" link set lo up
	printf -v "$1" '%s' "$ns"
}

# fake_system PROGRAM...: a directory of fakes (tests/lib/fakesys) named PROGRAM that only
# record their argv in $FAKE_LOG (created empty); its path in FAKE_SYS. Prepend it to PATH.
# meshnfs passes its children a minimal environment: the fakes read calls.log, rc.NAME and
# apt-provides beside themselves (fake_rc NAME RC, fake_apt_provides PATH...).
fake_system() {
	local p
	mk_tmpdir FAKE_SYS
	for p in "$@"; do ln -s "$TOP/tests/lib/fakesys" "$FAKE_SYS/$p"; done
	export FAKE_LOG=$FAKE_SYS/calls.log
	: >"$FAKE_LOG"
}
fake_rc() { if [ -n "$2" ]; then echo "$2" >"$FAKE_SYS/rc.$1"; else rm -f "$FAKE_SYS/rc.$1"; fi; }
fake_apt_provides() { if [ $# -gt 0 ]; then echo "$*" >"$FAKE_SYS/apt-provides"; else rm -f "$FAKE_SYS/apt-provides"; fi; }

# copy_root NAME VAR: a private copy of fixture root NAME (tests never change the fixtures),
# removed at exit; its path in VAR. The top directories host_view mounts (etc mnt opt run var
# srv home) are made when the fixture has none, so a host_view run writes into the copy.
copy_root() {
	local _cr_dir _cr_d
	mk_tmpdir _cr_dir
	cp -a "$FIXTURES/roots/$1/." "$_cr_dir/"
	for _cr_d in etc mnt opt run var srv home; do mkdir -p "$_cr_dir/$_cr_d"; done
	printf -v "$2" '%s' "$_cr_dir"
}

# outcome: "RC fail=ID,... warn=yes|no" from a human report in $OUT/$RC. A host_view run is
# live, so setup's last step probes the share, which fails in the test's empty network
# namespace: checks that meant "applied, warnings only" assert "2 fail=setup.verify warn=yes".
outcome() {
	local f w=no
	f=$(grep -oE '^fail +[a-z_.-]+' <<<"$OUT" | awk '{print $2}' | sort -u | paste -sd, -)
	grep -qE '^warn ' <<<"$OUT" && w=yes
	echo "$RC fail=$f warn=$w"
}

# host_view NS ROOT CMD...: runs CMD in network namespace NS as if fixture root ROOT were
# this machine's files (tests/lib/hostview says how: bind mounts, overlays, real processes
# and interfaces, in a private mount namespace). The way to test what meshnfs runs, since
# under --root it runs nothing. Programs CMD finds must be on an absolute PATH. CMD runs in
# its own PID namespace with its own /proc: it sees the processes the fixture names
# (ROOT/proc/PID/comm) and its own, never a stand-in another test on the machine started (a
# tailscaled, a ganesha.nfsd); all of them end with it. HOSTVIEW_HOST_PIDS=1: the machine's
# PID namespace instead, for a test whose own stand-in (started outside, found by its pid
# file) CMD must see and signal.
# HOSTVIEW_MS=FILE: CMD's own wall time in ms is written there.
host_view() {
	local ns=$1 root=$2 scratch rc pidns=(--pid --fork --mount-proc)
	shift 2
	[ "${HOSTVIEW_HOST_PIDS:-}" = 1 ] && pidns=()
	# Its own scratch directory, removed here: not mk_tmpdir, whose cleanup at exit is lost
	# when host_view runs inside run's $(...), a subshell (as it mostly does: every such call
	# left an empty directory in /tmp, about a hundred per make check).
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/meshnfs-test.XXXXXX") || return 1
	ip netns exec "$ns" env HOSTVIEW_SCRATCH="$scratch" HOSTVIEW_MS="${HOSTVIEW_MS:-}" \
		unshare --mount --propagation private "${pidns[@]}" \
		bash "$TOP/tests/lib/hostview" "$root" "$@"
	rc=$?
	rm -rf "$scratch"
	return "$rc"
}

# tree_state DIR: every file under DIR with its inode, mode, owner, size, mtime, ctime and
# checksum, sorted: equal before and after means nothing was written, not even a timestamp.
tree_state() {
	(cd "$1" && find . -xdev \( -type f -o -type d -o -type l \) -printf '%p %i %m %U:%G %s %T@ %C@\n' |
		sort && find . -xdev -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# fuse_namespaces "$0" "$@": FUSE tests (build/tools/hangfs) run their body in an empty
# network namespace and a private mount namespace, so the machine's mount table never sees
# their mounts. The first call re-runs the script there with --inner and exits with its
# status; inside, it returns at once.
HANGFS=${HANGFS:-$TOP/build/tools/hangfs}
fuse_namespaces() {
	local script=$1 _fn_ns
	[ "${2:-}" = --inner ] && return 0
	if [ ! -x "$HANGFS" ] || [ ! -c /dev/fuse ]; then
		not_ok "hangfs ($HANGFS) and /dev/fuse are needed: make tools"
		exit 0
	fi
	empty_netns _fn_ns
	ip netns exec "$_fn_ns" unshare --mount --propagation private bash "$script" --inner
	exit $?
}
