/* SPDX-License-Identifier: MIT */
/* net/echo.h on loopback, in a network namespace of the test's own: the raw-socket fallback
 * (root's group is outside the namespace's default ping_group_range "1 0") taken even when
 * the raw socket is descriptor 0 (meshnfs started with stdin closed), and one echo answered.
 * Mutation run 3: echo_open's `fd >= 0` after the raw socket() turned into `fd > 0` passed
 * every test (no test had descriptor 0 free); with it a raw socket on 0 went unfiltered and
 * was read as a datagram socket, and the loopback's answer was never recognised. */
#include "core/test.h"
#include "net/echo.h"
#include "net/net_private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>

static void got(uint16_t seq, void *data)
{
	*(int *)data = seq;
}

static void raw_fallback_on_descriptor_0(void **state)
{
	struct echo e;
	int saved, seq = -1, fd;
	(void)state;

	if (!test_isolate_net())
		skip(); /* needs CAP_SYS_ADMIN (CI runs as root) */
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1 0\n", 4), 4); /* nobody: the datagram socket is refused */
	close(fd);

	saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	assert_true(saved >= 3);
	close(0);
	struct netaddr lo = netaddr_ipv4(0x7f000001);
	int r = echo_open(&e, &lo, false);
	struct pollfd p = { .fd = e.fd, .events = POLLIN };
	bool raw = e.raw;
	int on = e.fd, sent = r == 0 ? echo_send(&e, 7, 64) : r;
	int ready = sent == 0 ? poll(&p, 1, TEST_FAR_DEADLINE_MS) : -1;
	int n = ready == 1 ? echo_drain(&e, got, &seq) : -1;
	echo_close(&e);
	dup2(saved, 0); /* stdin back before any assertion can end the test */
	close(saved);
	assert_int_equal(r, 0);
	assert_int_equal(on, 0);
	assert_true(raw);
	assert_int_equal(sent, 0);
	assert_int_equal(ready, 1);
	assert_int_equal(n, 1);
	assert_int_equal(seq, 7);
}

/* A socket that fails for another reason than an answer's ICMP error (here: none at all)
 * is reported, not read 256 times as if empty. Mutation run 3: echo_drain's `errno == EINTR`
 * negated turned every other error into a quiet 0 and passed. */
static void drain_reports_a_dead_socket(void **state)
{
	struct echo e = { .fd = -1 };
	int seq = -1;
	(void)state;

	assert_int_equal(echo_drain(&e, got, &seq), -EBADF);
	assert_int_equal(seq, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_fallback_on_descriptor_0),
		cmocka_unit_test(drain_reports_a_dead_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
