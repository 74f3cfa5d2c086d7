/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/format_private.h"
#include "format/tsping.h"

#include <errno.h>

static int parse(const char *s, struct ts_ping *r, struct diag *d)
{
	return ts_ping_parse("tailscale ping", s, strlen(s), r, d);
}

/* Recorded: the output shown in tailscale/tailscale pull request #663 (2020-08-09, the
 * command's first version), a relayed path turning direct. */
static void recorded_derp_then_direct(void **state)
{
	static const char out[] =
		"pong from monitoring (100.88.178.64) via DERP(sfo) in 65ms\n"
		"pong from monitoring (100.88.178.64) via DERP(sfo) in 252ms\n"
		"pong from monitoring (100.88.178.64) via [2604:a880:2:d1::36:d001]:41641 in 33ms\n";
	struct ts_ping r;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse(out, &r, &d), 0);
	assert_int_equal(r.pongs, 3);
	assert_int_equal(r.timeouts, 0);
	assert_str(r.name, "monitoring");
	assert_str(r.ip, "100.88.178.64");
	assert_int_equal(r.via, TS_VIA_DIRECT);
	assert_str(r.via_text, "[2604:a880:2:d1::36:d001]:41641");
	assert_int_equal(r.latency_us, 33000);
	assert_str(ts_ping_via_name(r.via), "direct");

	/* The first line alone: relayed, and which region. */
	assert_int_equal(ts_ping_parse("t", out, strchr(out, '\n') - out + 1, &r, &d), 0);
	assert_int_equal(r.via, TS_VIA_DERP);
	assert_str(r.derp, "sfo");
	assert_int_equal(r.latency_us, 65000);
}

/* Recorded: tailscale/tailscale pull request #8739 (2023-07-28), endpoints redacted there. */
static void recorded_redacted(void **state)
{
	struct ts_ping r;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse("pong from saldev (100.88.76.100) via [redacted]:64638 in 34ms\n", &r,
			       &d), 0);
	assert_int_equal(r.via, TS_VIA_DIRECT);
	assert_str(r.name, "saldev");
	assert_int_equal(r.latency_us, 34000);
}

/* Built from cmd/tailscale/cli/ping.go's format strings (tailscale de9ec7ee, 2026-08): a TSMP
 * pong names its type, not a path, and carries the peerAPI port; timeouts; the local
 * address; CRLF from tailscale.exe. */
static void from_source(void **state)
{
	struct ts_ping r;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse("pong from srv (100.64.0.1, 41112) via TSMP in 12ms\r\n", &r, &d), 0);
	assert_int_equal(r.pongs, 1);
	assert_int_equal(r.via, TS_VIA_TYPE);
	assert_str(r.via_text, "TSMP");
	assert_str(r.ip, "100.64.0.1");
	assert_str(r.name, "srv");

	assert_int_equal(parse("pong from gw (100.64.0.9) via peer-relay(100.64.0.7:7777:vni:3) in "
			       "1.204s\n", &r, &d), 0);
	assert_int_equal(r.via, TS_VIA_PEER_RELAY);
	assert_int_equal(r.latency_us, 1204000);

	assert_int_equal(parse("ping \"100.64.0.1\" timed out\nping \"100.64.0.1\" timed out\n", &r,
			       &d), 0);
	assert_int_equal(r.pongs, 0);
	assert_int_equal(r.timeouts, 2);
	assert_int_equal(r.via, TS_VIA_NONE);

	assert_int_equal(parse("ping \"100.64.0.1\" timed out\npong from srv (100.64.0.1) via "
			       "DERP(fra) in 41ms\n", &r, &d), 0);
	assert_int_equal(r.timeouts, 1);
	assert_int_equal(r.pongs, 1);
	assert_str(r.derp, "fra");

	assert_int_equal(parse("100.64.0.3 is local Tailscale IP\n", &r, &d), 0);
	assert_true(r.local);
	assert_int_equal(parse("", &r, &d), 0);
	assert_int_equal(r.pongs + r.timeouts, 0);
}

static void durations(void **state)
{
	int64_t us;

	(void)state;
	assert_int_equal(ts_go_duration_us("0s", 2, &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(ts_go_duration_us("850\xc2\xb5s", 6, &us), 0);
	assert_int_equal(us, 850);
	assert_int_equal(ts_go_duration_us("1m2.5s", 6, &us), 0);
	assert_int_equal(us, 62500000);
	assert_int_equal(ts_go_duration_us("ms", 2, &us), -EINVAL);
	assert_int_equal(ts_go_duration_us("12", 2, &us), -EINVAL);
	assert_int_equal(ts_go_duration_us("12parsecs", 9, &us), -EINVAL);
	assert_int_equal(ts_go_duration_us("99999999999h", 12, &us), -EINVAL);
}

/* Bad input: the line and the problem named, nothing half-filled counted. */
static void malformed(void **state)
{
	struct ts_ping r;
	struct diag d = { 0 };

	(void)state;
	assert_int_equal(parse("ping \"x\" timed out\nTailscale is stopped.\n", &r, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
	assert_non_null(strstr(d.msg, "not a ping result: \"Tailscale is stopped.\""));
	/* a timeout names its host: "ping "" timed out" is none (mutation run 9: tsping.c:181,
	 * the length test's ">" -> ">=" counted it, survived) */
	assert_int_equal(parse("ping \"\" timed out\n", &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "not a ping result: \"ping \"\" timed out\""));
	assert_int_equal(parse("pong from srv (100.64.0.1) via DERP(fra) in soon\n", &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "pong line not understood"));
	assert_int_equal(parse("pong from srv via 1.2.3.4:5 in 3ms\n", &r, &d), -EBADMSG);
	assert_int_equal(parse("pong from (100.64.0.1) via TSMP in 3ms\n", &r, &d), -EBADMSG);
	assert_int_equal(parse("pong from srv (100.64.0.1) via carrier pigeon in 3ms\n", &r, &d),
			 -EBADMSG);
	assert_int_equal(parse("pong from srv (100.64.0.1) via SMOKE in 3ms\n", &r, &d), -EBADMSG);
	assert_int_equal(ts_ping_parse("t", "pong\0from", 9, &r, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded_derp_then_direct),
		cmocka_unit_test(recorded_redacted),
		cmocka_unit_test(from_source),
		cmocka_unit_test(durations),
		cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
