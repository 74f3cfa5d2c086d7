/* SPDX-License-Identifier: MIT */
/* probe_tsmp against a stand-in CLI (a shell script printing what `tailscale ping --tsmp`
 * prints: tests/fixtures/README.md, "Replays of tailscale ping --tsmp"): the argv it is given,
 * a pong turning unreachable into filtered, a timeout and a state line leaving it. */
#include "core/test.h"
#include "net/probe.h"

#include <errno.h>
#include <sys/stat.h>

static char dir[] = "/tmp/meshnfs-tsmp-XXXXXX";
static char cli[64], args[64];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(cli, sizeof(cli), "%s/tailscale", dir);
	snprintf(args, sizeof(args), "%s/args", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cli);
	unlink(args);
	rmdir(dir);
	return 0;
}

/* The stand-in prints out (a printf format) and exits rc, after recording its arguments. */
static void stand_in(const char *out, int rc)
{
	FILE *f = fopen(cli, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho \"$@\" >%s\nprintf '%s'\nexit %d\n", args, out, rc);
	fclose(f);
	assert_int_equal(chmod(cli, 0755), 0);
}

/* A probe whose SYN to 100.64.0.1 went unanswered. */
static void unanswered(struct probe *p)
{
	probe_init(p, &(struct probe_opts){ .host = "srv", .addr = netaddr_ipv4(0x64400001), .step_ms = 2000 });
	p->diagnosis = PROBE_UNREACHABLE;
	p->source = netaddr_ipv4(0x64400003);
	p->steps[PROBE_TCP].status = STEP_FAIL;
	p->steps[PROBE_TCP].detail = xstrdup("no answer");
}

static void pong_makes_filtered(void **state)
{
	struct probe p;
	char err[512], argv[128] = "";

	(void)state;
	stand_in("pong from srv (100.64.0.1, 41112) via TSMP in 4ms\\n", 0);
	unanswered(&p);
	assert_int_equal(probe_tsmp(&p, cli, true, 2000, err, sizeof(err)), 0);
	assert_int_equal(p.diagnosis, PROBE_FILTERED);
	assert_int_equal(p.filter, PROBE_FILTER_TSMP);
	assert_str(p.tsmp, "pong from srv (100.64.0.1) via TSMP in 4.0 ms");
	assert_non_null(strstr(p.steps[PROBE_TCP].detail, "`tailscale ping --tsmp` answers"));
	FILE *f = fopen(args, "r");
	assert_non_null(f);
	assert_non_null(fgets(argv, sizeof(argv), f));
	fclose(f);
	assert_str(argv, "ping --tsmp -c 1 --timeout 1s 100.64.0.1\n");
	probe_free(&p);

	/* Nothing to ask for any other result. */
	unanswered(&p);
	p.diagnosis = PROBE_REFUSED;
	assert_int_equal(probe_tsmp(&p, cli, true, 2000, err, sizeof(err)), -ECANCELED);
	p.diagnosis = PROBE_UNREACHABLE;
	p.source = (struct netaddr){ 0 }; /* no route: nothing was sent */
	assert_int_equal(probe_tsmp(&p, cli, true, 2000, err, sizeof(err)), -ECANCELED);
	probe_free(&p);
}

static void no_pong_stays(void **state)
{
	struct probe p;
	char err[512];

	(void)state;
	stand_in("ping \"100.64.0.1\" timed out\\n", 1);
	unanswered(&p);
	assert_int_equal(probe_tsmp(&p, cli, true, 2000, err, sizeof(err)), 0);
	assert_int_equal(p.diagnosis, PROBE_UNREACHABLE);
	assert_int_equal(p.filter, PROBE_FILTER_NONE);
	probe_free(&p);

	/* Bad input: a state line. Unreachable stands, the step says what was not understood. */
	stand_in("Tailscale is stopped.\\n", 1);
	unanswered(&p);
	assert_int_equal(probe_tsmp(&p, cli, true, 2000, err, sizeof(err)), -EBADMSG);
	assert_int_equal(p.diagnosis, PROBE_UNREACHABLE);
	assert_non_null(strstr(err, "not a ping result: \"Tailscale is stopped.\""));
	assert_non_null(strstr(p.steps[PROBE_TCP].detail, "printed what is not understood"));
	probe_free(&p);

	/* A CLI that does not answer within the deadline: cut there, no verdict change. */
	FILE *f = fopen(cli, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexec sleep 30\n", f);
	fclose(f);
	unanswered(&p);
	int64_t t0 = now_ms();
	assert_int_equal(probe_tsmp(&p, cli, true, 1000, err, sizeof(err)), -ETIMEDOUT);
	assert_true(now_ms() - t0 < TEST_TIME_BOUND_MS(1000));
	assert_int_equal(p.diagnosis, PROBE_UNREACHABLE);
	probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pong_makes_filtered),
		cmocka_unit_test(no_pong_stays),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
