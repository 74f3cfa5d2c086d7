/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/procstatus.h"

#include <errno.h>

/* The head of /proc/PID/status of an `ls` blocked on a hung FUSE mount (Linux 6.18). */
static const char blocked[] = "Name:\tls\n"
			      "Umask:\t0022\n"
			      "State:\tD (disk sleep)\n"
			      "Tgid:\t14163\n"
			      "Ngid:\t0\n"
			      "Pid:\t14163\n"
			      "PPid:\t14150\n"
			      "TracerPid:\t0\n";

static void parses_state(void **state)
{
	(void)state;
	struct proc_status s;

	assert_int_equal(proc_status_parse("f", blocked, sizeof(blocked) - 1, &s, NULL), 0);
	assert_int_equal(s.state, 'D');
	assert_str(s.name, "ls");
	assert_int_equal(s.ppid, 14150);
	assert_str(proc_state_name('D'), "disk sleep (uninterruptible)");
	assert_int_equal(proc_status_parse("f", "State:\tZ (zombie)", 17, &s, NULL), 0);
	assert_int_equal(s.state, 'Z');
	assert_int_equal(s.ppid, -1);
}

static void rejects_bad(void **state)
{
	(void)state;
	struct proc_status s;
	struct diag d = { 0 };
	static const char *const bad[] = { "Name:\tls\n", "State:\tQ (what)\n", "State:\t\n",
					   "State:\tD disk\n", "State:\tS (sleeping)\nPPid:\t-1\n",
					   "State:\tS (sleeping)\nPPid:\t99999999999\n" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(proc_status_parse("f", bad[i], strlen(bad[i]), &s, &d), -EBADMSG);
	assert_int_equal(proc_status_parse("f", bad[4], strlen(bad[4]), &s, &d), -EBADMSG);
	assert_int_equal(d.line, 2);
}

/* The Name: line last, without a newline, in a buffer of exactly its size (as read from a
 * file): nothing is read past the end (ASan watches the heap copy). A mutation survivor:
 * copying i <= k read one byte past a short name; string literals hid it (a NUL follows). */
static void name_at_the_end_of_the_buffer(void **state)
{
	static const char text[] = "State:\tS (sleeping)\nName:\tls";
	size_t n = sizeof(text) - 1;
	char *exact = xmalloc(n);
	struct proc_status s;
	struct diag d = { 0 };

	(void)state;
	memcpy(exact, text, n);
	assert_int_equal(proc_status_parse("status", exact, n, &s, &d), 0);
	assert_str(s.name, "ls");
	assert_int_equal(s.state, 'S');
	free(exact);
}

static void wchan(void **state)
{
	(void)state;
	char b[64];

	assert_int_equal(proc_wchan_parse("request_wait_answer", 19, b, sizeof(b)), 0);
	assert_str(b, "request_wait_answer");
	assert_int_equal(proc_wchan_parse("rpc_wait_bit_killable\n", 22, b, sizeof(b)), 0);
	assert_str(b, "rpc_wait_bit_killable");
	assert_int_equal(proc_wchan_parse("0", 1, b, sizeof(b)), 0);
	assert_str(b, "");
	assert_int_equal(proc_wchan_parse("a b", 3, b, sizeof(b)), -EBADMSG);
	assert_int_equal(proc_wchan_parse("abcdef", 6, b, 4), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_state),
		cmocka_unit_test(rejects_bad),
		cmocka_unit_test(name_at_the_end_of_the_buffer),
		cmocka_unit_test(wchan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
