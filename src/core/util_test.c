/* SPDX-License-Identifier: MIT */
/* ENUM_NAME and ENUM_PARSE: the one way enums and their names meet. */
#include "core/root.h"
#include "core/test.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum color { RED, GREEN, BLUE, N_COLORS };

static const char *const names[] = { [RED] = "red", [BLUE] = "blue" }; /* GREEN unnamed */

static void enum_tables(void **state)
{
	(void)state;
	assert_str(ENUM_NAME(names, RED, "?"), "red");
	assert_str(ENUM_NAME(names, BLUE, "?"), "blue");
	assert_str(ENUM_NAME(names, GREEN, "?"), "?");       /* a hole in the table */
	assert_str(ENUM_NAME(names, N_COLORS, "?"), "?");    /* past its end */
	assert_str(ENUM_NAME(names, (enum color)-1, "?"), "?"); /* negative: huge as size_t */
	assert_null(ENUM_NAME(names, 7, NULL));
	assert_int_equal(ENUM_PARSE(names, "blue"), BLUE);
	assert_int_equal(ENUM_PARSE(names, "red"), RED);
	assert_int_equal(ENUM_PARSE(names, "Red"), -1); /* exact */
	assert_int_equal(ENUM_PARSE(names, ""), -1);
	assert_int_equal(ENUM_PARSE(names, NULL), -1);
}

/* root_entry_exists: an entry under the root, a link counted as itself (never followed). */
static void entry_exists(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshnfs-root-XXXXXX";

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *d = xasprintf("%s/etc", dir), *dangling = xasprintf("%s/etc/gone", dir);
	_cleanup_free_ char *out = xasprintf("%s/etc/out", dir);
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(symlink("/nonexistent/meshnfs", dangling), 0);
	assert_int_equal(symlink("/etc/hostname", out), 0); /* absolute: the host's, not the root's */
	root_set(dir);
	assert_true(root_entry_exists("/etc"));
	assert_true(root_entry_exists("/etc/gone")); /* dangling: the link is there */
	assert_true(root_entry_exists("/etc/out"));
	assert_false(root_entry_exists("/etc/hostname")); /* not under this root */
	root_set(NULL);
	unlink(dangling);
	unlink(out);
	rmdir(d);
	rmdir(dir);
}

/* read_by_deadline: bytes, the end, the deadline, and a failed read told apart. */
static void read_deadline(void **state)
{
	(void)state;
	int p[2];
	char buf[16];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(read_by_deadline(p[0], buf, sizeof(buf), now_ms() + 50), -ETIMEDOUT);
	assert_int_equal(read_by_deadline(p[0], buf, sizeof(buf), now_ms() - 1), -ETIMEDOUT);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(read_by_deadline(p[0], buf, 2, now_ms() + 60000), 2); /* at most size */
	assert_int_equal(read_by_deadline(p[0], buf, sizeof(buf), now_ms() + 60000), 1);
	assert_int_equal(buf[0], 'c');
	close(p[1]);
	assert_int_equal(read_by_deadline(p[0], buf, sizeof(buf), now_ms() + 60000), 0);
	close(p[0]);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	assert_true(dir >= 0);
	assert_int_equal(read_by_deadline(dir, buf, sizeof(buf), now_ms() + 60000), -EISDIR);
	close(dir);
}

/* strcase_distance (the "spelt ..." suggestions): Damerau-Levenshtein, case folded; each row
 * and column of the table set before use (mutation run 7: the first row's last cell left unset,
 * `j <= lb` made `< lb`, gave a stack byte for "" against "abc"). */
static void distance(void **state)
{
	(void)state;
	assert_int_equal(strcase_distance("", "abc"), 3);
	assert_int_equal(strcase_distance("abc", ""), 3);
	assert_int_equal(strcase_distance("a", "abc"), 2);
	assert_int_equal(strcase_distance("networkMode", "networkingMode"), 3);
	assert_int_equal(strcase_distance("NetworkingMode", "networkingmode"), 0);
	assert_int_equal(strcase_distance("tiemout", "timeout"), 1); /* a transposition */
	char big[66];
	memset(big, 'a', 65);
	big[65] = '\0';
	assert_int_equal(strcase_distance(big, "a"), UINT_MAX); /* over 64: not compared */
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(enum_tables), cmocka_unit_test(entry_exists),
					    cmocka_unit_test(read_deadline),
					    cmocka_unit_test(distance) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
