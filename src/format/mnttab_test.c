/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/mnttab.h"

#include <libmount.h>

/* normalize and eq are one meaning of "the same path": eq(a, b) iff the normal forms match. */
static void paths(void **state)
{
	static const char *const p[] = { "/", "//", "/opt/shared", "/opt/shared/", "/opt//shared",
					  "//opt//shared///", "/opt/shared2", "/opt", "opt/shared", "" };
	(void)state;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		for (size_t j = 0; j < sizeof(p) / sizeof(p[0]); j++) {
			_cleanup_free_ char *a = mnttab_path_normalize(p[i]);
			_cleanup_free_ char *b = mnttab_path_normalize(p[j]);
			if (mnttab_path_eq(p[i], p[j]) != streq(a, b))
				fail_msg("'%s' vs '%s': eq and normalize disagree", p[i], p[j]);
		}
	_cleanup_free_ char *n = mnttab_path_normalize("//opt//shared///");
	_cleanup_free_ char *r = mnttab_path_normalize("///");
	assert_string_equal(n, "/opt/shared");
	assert_string_equal(r, "/");
	assert_true(mnttab_path_eq("/opt/shared", "/opt/shared/"));
	assert_true(mnttab_path_eq("/opt//shared", "/opt/shared"));
	assert_true(mnttab_path_eq("/", "/"));
	assert_false(mnttab_path_eq("/opt/shared", "/opt/shared2"));
	assert_false(mnttab_path_eq("/opt", "/opt/shared"));
}

static int lines;
static int count_error(struct libmnt_table *tb, const char *file, int line)
{
	(void)tb;
	(void)file;
	(void)line;
	lines++;
	return 1; /* go on */
}

static void parse(void **state)
{
	static const char tab[] = "100.64.0.1:/opt/shared /opt/shared nfs4 soft 0 0\n"
				  "this line is not fstab\n"
				  "tmpfs /tmp tmpfs defaults 0 0\n";
	struct libmnt_table *tb = NULL;

	(void)state;
	lines = 0;
	(void)mnttab_parse_buffer("fstab", tab, sizeof(tab) - 1, count_error, NULL, &tb);
	assert_non_null(tb);
	assert_int_equal(lines, 1);
	assert_int_equal(mnt_table_get_nents(tb), 2);
	assert_non_null(mnt_table_find_target(tb, "/opt/shared", MNT_ITER_FORWARD));
	mnt_unref_table(tb);

	assert_int_equal(mnttab_parse_buffer("fstab", "", 0, count_error, NULL, &tb), 0);
	assert_non_null(tb);
	assert_int_equal(mnt_table_get_nents(tb), 0);
	mnt_unref_table(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths),
		cmocka_unit_test(parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
