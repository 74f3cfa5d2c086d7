#!/usr/bin/env bash
# The suite from a checkout in a home directory. host_view (tests/lib/hostview) mounts over
# /etc /mnt /opt /run /var /srv /home in its own namespaces, so a checkout below one of them
# vanished from under the commands it ran: every host_view check exited 127 (336 failures in
# a stress run from a clone in /var/tmp). tap.sh now runs such a test again from a bind mount
# of the checkout under /tmp. Here: this checkout bind-mounted at /home/meshnfs-checkout (a
# tmpfs over /home in a private mount namespace: the machine's /home is not touched), this
# file run from there with --inner, which runs meshnfs under host_view.
. "$(dirname "$0")/../lib/tap.sh"
if [ "${1:-}" = --inner ]; then
	plan 2
	empty_netns NS
	run host_view "$NS" "$FIXTURES/roots/debian12" "$MESHNFS" --json env
	check_eq "under host_view: meshnfs ran (exit 0, not 127)" 0 "$RC"
	check_eq "... and read the fixture's files" "Debian GNU/Linux 12 (bookworm)" "$(jget .node.distro)"
	exit 0
fi
plan 3

out=$(unshare --mount --propagation private bash -c '
	mount -t tmpfs checkout-home /home && mkdir /home/meshnfs-checkout &&
	mount --bind "$1" /home/meshnfs-checkout &&
	exec bash /home/meshnfs-checkout/tests/cli/checkout-anywhere.sh --inner' _ "$TOP" 2>&1)
rc=$?
diag "the inner run:" "$out"
# (A test's exit status does not count its failures: this only says the mounts and the exec
# worked; check 2 is the one that fails without tap.sh's relocation.)
check_eq "a test run from /home/meshnfs-checkout: ran (exit 0)" 0 "$rc"
check_eq "... its plan of 2, both ok, none not ok" "1 2 0" \
	"$(grep -c '^1\.\.2$' <<<"$out") $(grep -c '^ok ' <<<"$out") $(grep -c '^not ok' <<<"$out")"
check_eq "... the bind mount under /tmp is gone with it" "" \
	"$(find /tmp -maxdepth 1 -name 'meshnfs-top.*' ! -path "$TOP" -newer "$TOP/tests/cli/checkout-anywhere.sh" 2>/dev/null | head -1)"
