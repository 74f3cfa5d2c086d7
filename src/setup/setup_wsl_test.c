/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "setup/setup_wsl.h"

#include <errno.h>

/* The edit as the safe-write module calls it; e gets what it did and the new bytes. */
struct setup_wsl_edit {
	struct setup_wsl_result r;
	struct buf after;
	bool changed;
	enum text_encoding encoding;
	bool crlf;
	struct ini_set_result res;
};

static void run(bool wslconfig, const void *in, size_t len, struct setup_wsl_edit *e)
{
	struct diag d = { 0 };
	*e = (struct setup_wsl_edit){ 0 };
	buf_append(&e->after, "", 0);
	int r = wslconfig ? setup_wsl_wslconfig_edit(&e->r, in, len, len > 0, &e->after, &d)
			  : setup_wsl_conf_edit(&e->r, in, len, len > 0, &e->after, &d);
	if (r < 0)
		print_error("%s:%u: %s\n", d.file, d.line, d.msg);
	assert_int_equal(r, 0);
	e->changed = e->r.changed;
	e->encoding = e->r.encoding;
	e->crlf = e->r.crlf;
	e->res = e->r.set;
}

static void setup_wsl_edit_free(struct setup_wsl_edit *e)
{
	buf_free(&e->after);
}

/* The fixture of the UTF-16LE case, as Notepad saves it: BOM, CRLF, comments. */
static void utf16le_file_keeps_its_encoding(void **state)
{
	(void)state;
	_cleanup_free_ char *data = NULL;
	size_t len;
	struct setup_wsl_edit e, again;
	struct text before, after;
	struct diag d = { 0 };

	assert_int_equal(read_file_bounded("tests/fixtures/roots/wsl2-utf16-wslconfig/mnt/c/Users/"
					   "dave/.wslconfig",
					   1 << 16, &data, &len),
			 0);
	/* Make it say nat first, as a file that needs the change. */
	assert_int_equal(text_decode("f", data, len, &before, &d), 0);
	char *m = strstr(before.utf8, "mirrored");
	assert_non_null(m);
	struct buf nat = { 0 }, src = { 0 };
	buf_append(&nat, before.utf8, (size_t)(m - before.utf8));
	buf_append(&nat, "nat", 3);
	buf_append(&nat, m + 8, strlen(m + 8));
	assert_int_equal(text_encode(nat.data, nat.len, TEXT_UTF16LE_BOM, &src), 0);

	run(true, src.data, src.len, &e);
	assert_true(e.changed);
	assert_int_equal(e.encoding, TEXT_UTF16LE_BOM);
	assert_true(e.crlf);
	assert_memory_equal(e.after.data, "\xff\xfe", 2);
	assert_int_equal(text_decode("f", e.after.data, e.after.len, &after, &d), 0);
	assert_str(after.utf8, before.utf8); /* exactly the original text again */
	/* Idempotent, byte for byte. */
	run(true, e.after.data, e.after.len, &again);
	assert_false(again.changed);
	assert_int_equal(again.after.len, e.after.len);
	assert_memory_equal(again.after.data, e.after.data, e.after.len);
	setup_wsl_edit_free(&e);
	setup_wsl_edit_free(&again);
	text_free(&before);
	text_free(&after);
	buf_free(&nat);
	buf_free(&src);
}

static void utf8_bom_and_new_files(void **state)
{
	(void)state;
	struct setup_wsl_edit e;
	static const char bom[] = "\xef\xbb\xbf[wsl2]\r\nnetworkMode=mirrored\r\nmemory=8GB\r\n";

	run(true, bom, sizeof(bom) - 1, &e);
	assert_true(e.changed);
	assert_int_equal(e.res.action, INI_SET_RENAMED);
	assert_int_equal(e.after.len, sizeof(bom) - 1 + 3);
	assert_memory_equal(e.after.data, "\xef\xbb\xbf[wsl2]\r\nnetworkingMode=mirrored\r\nmemory=8GB\r\n",
			    e.after.len);
	setup_wsl_edit_free(&e);

	run(true, NULL, 0, &e); /* no .wslconfig yet: a Windows file, CRLF */
	assert_str(e.after.data, "[wsl2]\r\nnetworkingMode=mirrored\r\n");
	setup_wsl_edit_free(&e);

	run(false, NULL, 0, &e); /* no /etc/wsl.conf yet */
	assert_str(e.after.data, "[boot]\nsystemd=true\n");
	setup_wsl_edit_free(&e);
}

static void wsl_conf_systemd(void **state)
{
	(void)state;
	struct setup_wsl_edit e;
	static const char off[] = "[automount]\nmountFsTab = true\n\n[boot]\nsystemd = false # later\n";
	static const char yes[] = "[boot]\nsystemd=yes\n";

	run(false, off, sizeof(off) - 1, &e);
	assert_str(e.after.data, "[automount]\nmountFsTab = true\n\n[boot]\nsystemd = true # later\n");
	setup_wsl_edit_free(&e);
	run(false, yes, sizeof(yes) - 1, &e); /* "yes" already means true */
	assert_false(e.changed);
	assert_str(e.after.data, yes);
	setup_wsl_edit_free(&e);
}

static void undecodable_input_changes_nothing(void **state)
{
	(void)state;
	struct buf out = { 0 };
	struct diag d = { 0 };

	assert_int_equal(setup_wsl_wslconfig_edit(NULL, "\xff\xfe\x00\xd8", 4, true, &out, &d),
			 -EBADMSG);
	assert_non_null(strstr(d.msg, "surrogate"));
	assert_str(d.file, ".wslconfig");
	assert_int_equal(out.len, 0);
	assert_int_equal(setup_wsl_conf_edit(NULL, "[boot]\n\xc3", 8, true, &out, &d), -EBADMSG);
	assert_str(d.file, "/etc/wsl.conf");
	assert_int_equal(d.line, 2);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf16le_file_keeps_its_encoding),
		cmocka_unit_test(utf8_bom_and_new_files),
		cmocka_unit_test(wsl_conf_systemd),
		cmocka_unit_test(undecodable_input_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
