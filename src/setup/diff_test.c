/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "setup/diff.h"
#include "setup/setup_private.h"

static const char *diff(const char *a, const char *b, const char *old_label)
{
	static struct buf out;
	buf_free(&out);
	buf_append(&out, "", 0);
	diff_unified(old_label, "b", a, strlen(a), b, strlen(b), &out);
	return out.data;
}

static void test_equal_is_empty(void **state)
{
	(void)state;
	assert_str(diff("x\ny\n", "x\ny\n", "a"), "");
}

static void test_replace_with_context(void **state)
{
	(void)state;
	assert_str(diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n", "a"),
		   "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n");
}

static void test_append_to_file_without_final_newline(void **state)
{
	(void)state;
	assert_str(diff("a\nb", "a\nb\nc\n", "a"),
		   "--- a\n+++ b\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n");
}

static void test_new_file(void **state)
{
	(void)state;
	assert_str(diff("", "x\n", NULL), "--- /dev/null\n+++ b\n@@ -0,0 +1 @@\n+x\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_is_empty),
		cmocka_unit_test(test_replace_with_context),
		cmocka_unit_test(test_append_to_file_without_final_newline),
		cmocka_unit_test(test_new_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
