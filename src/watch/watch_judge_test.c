/* SPDX-License-Identifier: MIT */
/* The judge of meshnfs watch: facts in, diagnosis, transition record and action out. */
#include "core/test.h"
#include "watch/watch.h"
#include "watch/watch_private.h"

#include <errno.h>
#include <syslog.h>

static const struct watch_policy pol = { .detach_after_ms = 30000, .repair_gap_ms = 30000 };

static struct watch_facts healthy(void)
{
	return (struct watch_facts){ .server = PROBE_OK, .mounted = true, .checked = true,
				     .mount = MOUNT_HEALTH_OK, .timeout_ms = 5000 };
}

static struct watch_facts hung(enum probe_diagnosis server)
{
	struct watch_facts f = healthy();
	f.server = server;
	f.mount = MOUNT_HEALTH_HUNG;
	f.step = MOUNT_STEP_STAT;
	f.err = ETIMEDOUT;
	return f;
}

/* One round: the transition (if any) freed, its presence returned. */
static bool step(struct watch_mem *m, const struct watch_facts *f, int64_t now,
		 struct watch_event *out)
{
	struct watch_event ev;
	bool t = watch_transition(m, f, "/opt/shared", "100.64.0.1", now, &ev);
	if (t && out)
		*out = ev;
	else if (t)
		watch_event_free(&ev);
	return t;
}

static void judge(void **state)
{
	(void)state;
	struct watch_facts f = healthy();
	assert_int_equal(watch_judge(&f), WATCH_HEALTHY);
	f.server = PROBE_UNREACHABLE;
	assert_int_equal(watch_judge(&f), WATCH_SERVER_DOWN); /* answers from the cache */
	f = hung(PROBE_NO_NFS_ANSWER);
	assert_int_equal(watch_judge(&f), WATCH_HUNG);
	f = healthy();
	f.mount = MOUNT_HEALTH_STALE;
	assert_int_equal(watch_judge(&f), WATCH_STALE);
	f.mount = MOUNT_HEALTH_IO_ERROR;
	assert_int_equal(watch_judge(&f), WATCH_MOUNT_ERROR);
	f.mounted = false;
	assert_int_equal(watch_judge(&f), WATCH_LOST);
	f.placeholder = true;
	assert_int_equal(watch_judge(&f), WATCH_DETACHED);
	/* A child of an earlier round still stuck: hung, without a new check. */
	f = healthy();
	f.checked = false;
	f.child_stuck = true;
	assert_int_equal(watch_judge(&f), WATCH_HUNG);
	/* Mounted, not checked, nothing stuck (the check could not run): no verdict. */
	f.child_stuck = false;
	assert_int_equal(watch_judge(&f), WATCH_UNKNOWN);
}

/* Blocked processes are named where they wait on the server (hung, or answered from the cache
 * while it is down), not for a mount that answers with an error at once (mutation run 6:
 * watch_judge.c's `d == WATCH_SERVER_DOWN` made `!=` named them for stale and error mounts and
 * not for a server that is down). */
static void blocked_named_where_they_wait(void **state)
{
	static const struct {
		enum probe_diagnosis server;
		enum mount_health_state mount;
		const char *words;
	} c[] = {
		{ PROBE_UNREACHABLE, MOUNT_HEALTH_OK, "; 1 process blocked on it" },
		{ PROBE_OK, MOUNT_HEALTH_STALE, NULL },
		{ PROBE_OK, MOUNT_HEALTH_IO_ERROR, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct watch_mem m = { 0 };
		struct watch_facts f = healthy();
		struct watch_event ev;
		f.server = c[i].server;
		f.mount = c[i].mount;
		f.err = EIO;
		f.blocked = 1;
		assert_true(step(&m, &f, 1000, &ev));
		if (c[i].words)
			assert_non_null(strstr(ev.message, c[i].words));
		else if (strstr(ev.message, "blocked"))
			fail_msg("case %zu: %s", i, ev.message);
		watch_event_free(&ev);
	}
}

static void transitions_logged_once(void **state)
{
	(void)state;
	struct watch_mem m = { 0 };
	struct watch_facts ok = healthy(), h = hung(PROBE_NO_NFS_ANSWER);
	struct watch_event ev;

	assert_true(step(&m, &ok, 1000, &ev));
	assert_int_equal(ev.from, WATCH_UNKNOWN);
	assert_int_equal(ev.to, WATCH_HEALTHY);
	assert_int_equal(ev.priority, LOG_NOTICE);
	assert_null(ev.cause);
	watch_event_free(&ev);
	assert_false(step(&m, &ok, 2000, NULL)); /* same state: nothing */

	h.blocked = 3;
	h.server_words = "100.64.0.1 accepts TCP on 2049 but its NFS service is silent.";
	assert_true(step(&m, &h, 3000, &ev));
	assert_int_equal(ev.from, WATCH_HEALTHY);
	assert_int_equal(ev.to, WATCH_HUNG);
	assert_int_equal(ev.server, PROBE_NO_NFS_ANSWER);
	assert_int_equal(ev.priority, LOG_ERR);
	assert_string_equal(ev.check, "mount.responsive");
	assert_non_null(strstr(ev.message, "healthy -> hung: /opt/shared does not answer"));
	assert_non_null(strstr(ev.message, "3 processes blocked"));
	assert_non_null(strstr(ev.message, "server 100.64.0.1: no_nfs_answer"));
	/* The probe's words, without their full stop (more follows in the log line). */
	assert_string_equal(ev.cause, "100.64.0.1 accepts TCP on 2049 but its NFS service is silent");
	/* The server silent, no fix of the probe's, no other gateway: not a repair (mutation run
	 * 9: watch_judge.c:143's `if (up)` negated swapped this fix and the one below). */
	assert_string_equal(ev.fix, "meshnfs doctor");
	watch_event_free(&ev);
	assert_int_equal(m.since, 3000);
	/* Hung with the server answering: a new mount fixes it. */
	struct watch_mem mu = { 0 };
	struct watch_facts hu = hung(PROBE_OK);
	assert_true(step(&mu, &hu, 3000, &ev));
	assert_int_equal(ev.to, WATCH_HUNG);
	assert_string_equal(ev.fix, "meshnfs repair (umount -l and mount again)");
	watch_event_free(&ev);

	/* Still hung, more blocked processes: no new record. */
	h.blocked = 7;
	assert_false(step(&m, &h, 4000, NULL));
	/* The stuck child remembered: still the same state. */
	struct watch_facts stuck = h;
	stuck.checked = false;
	stuck.child_stuck = true;
	assert_false(step(&m, &stuck, 5000, NULL));

	/* Same diagnosis, another cause (the peer went offline): one record, since unchanged. */
	struct watch_facts off = hung(PROBE_UNREACHABLE);
	assert_true(step(&m, &off, 6000, &ev));
	assert_int_equal(ev.from, WATCH_HUNG);
	assert_int_equal(ev.to, WATCH_HUNG);
	assert_int_equal(ev.server, PROBE_UNREACHABLE);
	watch_event_free(&ev);
	assert_int_equal(m.since, 3000);
	assert_int_equal(m.cause_since, 6000);

	assert_true(step(&m, &ok, 7000, &ev));
	assert_int_equal(ev.from, WATCH_HUNG);
	assert_int_equal(ev.to, WATCH_HEALTHY);
	watch_event_free(&ev);

	/* Stale, then lost: each once, with its check id. */
	struct watch_facts st = healthy();
	st.mount = MOUNT_HEALTH_STALE;
	st.step = MOUNT_STEP_READDIR;
	st.err = ESTALE;
	assert_true(step(&m, &st, 8000, &ev));
	assert_string_equal(ev.check, "mount.stale");
	assert_non_null(strstr(ev.message, "readdir failed: Stale file handle"));
	watch_event_free(&ev);
	assert_false(step(&m, &st, 9000, NULL));
	struct watch_facts lost = { .server = PROBE_OK };
	assert_true(step(&m, &lost, 10000, &ev));
	assert_string_equal(ev.check, "mount.present");
	watch_event_free(&ev);

	/* A round without a verdict changes nothing. */
	struct watch_facts none = healthy();
	none.checked = false;
	assert_false(step(&m, &none, 11000, NULL));
	assert_int_equal(m.diag, WATCH_LOST);
}

static void repair_rate_limited(void **state)
{
	(void)state;
	struct watch_mem m = { 0 };
	struct watch_facts st = healthy();
	st.mount = MOUNT_HEALTH_STALE;

	step(&m, &st, 1000, NULL);
	assert_int_equal(watch_decide(&m, &st, &pol, 1000), WATCH_REPAIR);
	watch_action_done(&m, WATCH_REPAIR, -EIO, 1000);
	/* Failed: the gap doubles. */
	assert_int_equal(watch_repair_gap(&m, &pol), 60000);
	assert_int_equal(watch_decide(&m, &st, &pol, 30000), WATCH_NONE);
	assert_int_equal(watch_decide(&m, &st, &pol, 61000), WATCH_REPAIR);
	for (int i = 0; i < 10; i++)
		watch_action_done(&m, WATCH_REPAIR, -EIO, 61000);
	assert_int_equal(watch_repair_gap(&m, &pol), 16 * 30000); /* capped */
	watch_action_done(&m, WATCH_REPAIR, 0, 100000);
	assert_int_equal(m.repair_failures, 0);
	assert_int_equal(watch_decide(&m, &st, &pol, 120000), WATCH_NONE);
	assert_int_equal(watch_decide(&m, &st, &pol, 130000), WATCH_REPAIR);

	/* A server that does not answer: no repair (a new mount would hang too). */
	struct watch_mem m2 = { 0 };
	struct watch_facts lost = { .server = PROBE_UNREACHABLE };
	step(&m2, &lost, 1000, NULL);
	assert_int_equal(m2.diag, WATCH_LOST);
	assert_int_equal(watch_decide(&m2, &lost, &pol, 1000), WATCH_NONE);
	lost.server = PROBE_OK;
	assert_int_equal(watch_decide(&m2, &lost, &pol, 2000), WATCH_REPAIR);
}

static void detach_and_back(void **state)
{
	(void)state;
	struct watch_mem m = { 0 };
	struct watch_facts h = hung(PROBE_NO_NFS_ANSWER);
	struct watch_policy off = pol;
	off.detach_after_ms = 0;

	step(&m, &h, 1000, NULL);
	assert_int_equal(watch_decide(&m, &h, &pol, 1000), WATCH_NONE);
	assert_int_equal(watch_decide(&m, &h, &pol, 30999), WATCH_NONE);
	assert_int_equal(watch_decide(&m, &h, &pol, 31000), WATCH_DETACH);
	/* Off by default: never. */
	assert_int_equal(watch_decide(&m, &h, &off, 999999), WATCH_NONE);
	/* A change of cause does not restart the detach clock. */
	struct watch_facts u = hung(PROBE_UNREACHABLE);
	step(&m, &u, 20000, NULL);
	assert_int_equal(watch_decide(&m, &u, &pol, 31000), WATCH_DETACH);

	/* Detached: nothing while the server is silent, reattach when it answers. */
	struct watch_facts d = { .server = PROBE_UNREACHABLE, .placeholder = true };
	struct watch_event ev;
	assert_true(step(&m, &d, 32000, &ev));
	assert_int_equal(ev.to, WATCH_DETACHED);
	assert_int_equal(ev.priority, LOG_WARNING);
	watch_event_free(&ev);
	assert_int_equal(watch_decide(&m, &d, &pol, 33000), WATCH_NONE);
	d.server = PROBE_OK;
	assert_true(step(&m, &d, 34000, NULL)); /* the cause changed: logged once */
	assert_int_equal(watch_decide(&m, &d, &pol, 34000), WATCH_REATTACH);
	watch_action_done(&m, WATCH_REATTACH, -EAGAIN, 34000);
	assert_int_equal(watch_decide(&m, &d, &pol, 35000), WATCH_NONE); /* waits its gap */
	assert_int_equal(watch_decide(&m, &d, &pol, 34000 + 60000), WATCH_REATTACH);

	/* Hung while the server answers: the client gets a gap to recover by itself first. */
	struct watch_mem m3 = { 0 };
	struct watch_facts hs = hung(PROBE_OK);
	step(&m3, &hs, 1000, NULL);
	assert_int_equal(watch_decide(&m3, &hs, &pol, 1000), WATCH_NONE);
	assert_int_equal(watch_decide(&m3, &hs, &pol, 31000), WATCH_REPAIR);
	/* ... and a hung mount whose server answers is repaired, never detached. */
	assert_int_equal(watch_decide(&m3, &hs, &pol, 99000), WATCH_REPAIR);
}

static void metrics_text(void **state)
{
	(void)state;
	struct watch_metrics m = { .server = "100.64.0.1", .export_path = "/opt/shared",
				   .mountpoint = "/mnt/a \"b\"\\c\nd", .have_round = true,
				   .diag = WATCH_HUNG, .server_diag = PROBE_NO_NFS_ANSWER,
				   .blocked = 2, .stuck_children = 1, .repairs_ok = 3,
				   .detaches = 1, .last_check = 1765000000.5 };
	struct buf b = { 0 };

	m.step_ran[PROBE_TCP] = true;
	m.step_seconds[PROBE_TCP] = 0.002;
	buf_append(&b, "", 0);
	watch_metrics_format(&m, &b);
	/* Label values escaped: backslash, double quote, line feed. */
	assert_non_null(strstr(b.data, "mountpoint=\"/mnt/a \\\"b\\\"\\\\c\\nd\""));
	assert_non_null(strstr(b.data, "meshnfs_server_up{server=\"100.64.0.1\",export=\"/opt/shared\"} 0\n"));
	assert_non_null(strstr(b.data, "step=\"tcp\"} 0.002000\n"));
	assert_null(strstr(b.data, "step=\"rpc\""));
	assert_non_null(strstr(b.data, "diagnosis=\"hung\"} 1\n"));
	assert_non_null(strstr(b.data, "diagnosis=\"healthy\"} 0\n"));
	assert_non_null(strstr(b.data, "diagnosis=\"no_nfs_answer\"} 1\n"));
	assert_non_null(strstr(b.data, "result=\"ok\"} 3\n"));
	assert_non_null(strstr(b.data, "meshnfs_blocked_processes{"));
	assert_non_null(strstr(b.data, "\"} 2\n"));
	assert_non_null(strstr(b.data, "# TYPE meshnfs_repairs_total counter\n"));
	assert_non_null(strstr(b.data, "# TYPE meshnfs_failovers_total counter\n"));
	assert_non_null(strstr(b.data, "} 1765000000.5\n"));
	/* Every line is a comment or a sample; no line without its newline. */
	assert_int_equal(b.data[b.len - 1], '\n');
	buf_free(&b);
}

static void wchan(void **state)
{
	(void)state;
	assert_true(watch_wchan_matches("rpc_wait_bit_killable", "nfs4"));
	assert_true(watch_wchan_matches("nfs_wait_bit_killable", "nfs"));
	assert_true(watch_wchan_matches("request_wait_answer", "fuse.hangfs"));
	assert_true(watch_wchan_matches("fuse_simple_request", "fuse"));
	assert_false(watch_wchan_matches("fuse_dev_do_read", "fuse")); /* the daemon itself */
	assert_false(watch_wchan_matches("rpc_wait_bit_killable", "fuse.sshfs"));
	assert_false(watch_wchan_matches("io_schedule", "nfs4"));
	assert_false(watch_wchan_matches("", "nfs4"));
	assert_false(watch_wchan_matches("nfs", ""));
}

/* The probe's mtu_blackhole while ls works: degraded, not down; nothing moved, detached or
 * repaired, whether another gateway answers or not, however long it lasts. */
static void mtu_blackhole_degraded(void **state)
{
	(void)state;
	struct watch_mem m = { 0 };
	struct watch_facts f = healthy();
	struct watch_event ev;

	f.server = PROBE_MTU_BLACKHOLE;
	assert_int_equal(watch_judge(&f), WATCH_DEGRADED);
	assert_true(step(&m, &f, 1000, &ev));
	assert_int_equal(ev.to, WATCH_DEGRADED);
	assert_int_equal(ev.priority, LOG_WARNING);
	assert_string_equal(ev.check, "nfs.write");
	assert_int_equal(strncmp(ev.message, "unknown -> degraded: ", 21), 0);
	assert_non_null(strstr(ev.message, "degraded, not down"));
	assert_null(strstr(ev.message, "server_down"));
	watch_event_free(&ev);
	assert_string_equal(watch_diag_name(WATCH_DEGRADED), "degraded");
	f.alt_up = true;
	f.alt = "100.64.0.2";
	assert_int_equal(watch_decide(&m, &f, &pol, 1000), WATCH_NONE);
	assert_int_equal(watch_decide(&m, &f, &pol, 999999), WATCH_NONE);
	/* The same cause with a hung mount: hung (it does not answer), yet never detached nor
	 * moved for it. */
	struct watch_facts h = hung(PROBE_MTU_BLACKHOLE);
	h.alt_up = true;
	step(&m, &h, 2000, NULL);
	assert_int_equal(m.diag, WATCH_HUNG);
	assert_int_equal(watch_decide(&m, &h, &pol, 999999), WATCH_NONE);
	/* An unreachable server with the mount answering is still server_down. */
	f = healthy();
	f.server = PROBE_UNREACHABLE;
	assert_int_equal(watch_judge(&f), WATCH_SERVER_DOWN);
}

/* A share with several gateways: the one in use hung or gone, another answers -> failover
 * (the repair moves the client); none answers -> as before; the one in use answers -> never
 * a move (back only when asked). */
static void failover(void **state)
{
	(void)state;
	struct watch_mem m = { 0 };
	struct watch_facts f = healthy();
	struct watch_event ev;

	f.server = PROBE_REFUSED;
	f.alt_up = true;
	f.alt = "100.64.0.2";
	assert_true(step(&m, &f, 1000, &ev));
	assert_int_equal(ev.to, WATCH_SERVER_DOWN);
	assert_non_null(strstr(ev.fix, "moves the client to 100.64.0.2"));
	watch_event_free(&ev);
	assert_int_equal(watch_decide(&m, &f, &pol, 1000), WATCH_FAILOVER);
	watch_action_done(&m, WATCH_FAILOVER, -EIO, 1000);
	assert_int_equal(watch_decide(&m, &f, &pol, 2000), WATCH_NONE); /* its gap */
	assert_int_equal(watch_decide(&m, &f, &pol, 61000), WATCH_FAILOVER);
	/* No other gateway answers: a server down with the mount answering stays as it is. */
	f.alt_up = false;
	assert_int_equal(watch_decide(&m, &f, &pol, 61000), WATCH_NONE);

	/* Hung on a hung gateway: moved at once, before any detach. */
	struct watch_mem m2 = { 0 };
	struct watch_facts h = hung(PROBE_NO_NFS_ANSWER);
	h.alt_up = true;
	step(&m2, &h, 1000, NULL);
	assert_int_equal(watch_decide(&m2, &h, &pol, 1000), WATCH_FAILOVER);
	assert_int_equal(watch_decide(&m2, &h, &pol, 40000), WATCH_FAILOVER);
	h.alt_up = false;
	assert_int_equal(watch_decide(&m2, &h, &pol, 40000), WATCH_DETACH);
	/* Lost or stale with the gateway in use gone: mounted from another one. */
	struct watch_mem m3 = { 0 };
	struct watch_facts l = { .server = PROBE_UNREACHABLE, .alt_up = true };
	step(&m3, &l, 1000, NULL);
	assert_int_equal(m3.diag, WATCH_LOST);
	assert_int_equal(watch_decide(&m3, &l, &pol, 1000), WATCH_FAILOVER);
	/* Detached: attached again through the gateway that answers. */
	struct watch_facts d = { .server = PROBE_UNREACHABLE, .placeholder = true, .alt_up = true };
	step(&m3, &d, 2000, NULL);
	assert_int_equal(watch_decide(&m3, &d, &pol, 2000), WATCH_REATTACH);
	/* The gateway in use answers (another one came back, or never left): nothing. */
	struct watch_mem m4 = { 0 };
	struct watch_facts ok = healthy();
	ok.alt_up = true;
	step(&m4, &ok, 1000, NULL);
	assert_int_equal(watch_decide(&m4, &ok, &pol, 1000), WATCH_NONE);
	assert_int_equal(watch_decide(&m4, &ok, &pol, 999999), WATCH_NONE);
	/* Not probed this round: no move on no evidence. */
	struct watch_facts p = healthy();
	p.server = PROBE_PENDING;
	p.alt_up = true;
	p.mount = MOUNT_HEALTH_HUNG;
	step(&m4, &p, 2000, NULL);
	assert_int_equal(watch_decide(&m4, &p, &pol, 2000), WATCH_NONE);
	assert_string_equal(watch_action_name(WATCH_FAILOVER), "failover");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge),
		cmocka_unit_test(transitions_logged_once),
		cmocka_unit_test(blocked_named_where_they_wait),
		cmocka_unit_test(repair_rate_limited),
		cmocka_unit_test(detach_and_back),
		cmocka_unit_test(metrics_text),
		cmocka_unit_test(wchan),
		cmocka_unit_test(mtu_blackhole_degraded),
		cmocka_unit_test(failover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
