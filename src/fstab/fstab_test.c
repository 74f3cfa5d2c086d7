/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "core/test_files.h"
#include "fstab/fstab_private.h"
#include "fstab/fstab.h"

#include <errno.h>

static const struct fstab_entry guide = {
	.source = "100.64.0.1:/opt/shared",
	.target = "/opt/shared",
	.fstype = "nfs4",
	.options = "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150",
};

#define GUIDE_LINE                                                                             \
	"100.64.0.1:/opt/shared  /opt/shared  nfs4  "                                          \
	"_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150  0  0\n"

/* Runs the editor and returns the new content (static storage until the next call). */
static const char *edit(const char *in, const struct fstab_entry *e, int *rc, struct diag *d)
{
	static struct buf out;
	buf_free(&out);
	buf_append(&out, "", 0);
	*rc = fstab_set_entry("fstab", in, strlen(in), e, &out, d);
	return out.data;
}

static void test_append_keeps_every_byte(void **state)
{
	const char *in = "# /etc/fstab: static file system information.\n"
			 "#\n"
			 "UUID=1234-abcd\t/\text4\terrors=remount-ro\t0\t1\n"
			 "\n"
			 "/dev/sdb1 /mnt/with\\040space ext4 defaults 0 2";
	struct diag d = { 0 };
	int rc;
	const char *out = edit(in, &guide, &rc, &d);

	(void)state;
	assert_int_equal(rc, 0);
	/* The original is a prefix; a newline of our own separates it from the new line. */
	assert_memory_equal(out, in, strlen(in));
	assert_str(out + strlen(in), "\n" GUIDE_LINE);
}

static void test_append_to_empty_and_missing_file(void **state)
{
	struct diag d = { 0 };
	int rc;

	(void)state;
	assert_str(edit("", &guide, &rc, &d), GUIDE_LINE);
	assert_int_equal(rc, 0);
}

static void test_replace_in_place(void **state)
{
	const char *in = "# comment\n"
			 "proc /proc proc defaults 0 0\n"
			 "old-server:/export\t/opt/shared/\tnfs\trw,hard\t0\t0   \n"
			 "# tail comment\n"
			 "/dev/sdc1 /data ext4 defaults 0 2";
	const char *want = "# comment\n"
			   "proc /proc proc defaults 0 0\n"
			   "100.64.0.1:/opt/shared\t/opt/shared/\tnfs4\t"
			   "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150"
			   "\t0\t0   \n"
			   "# tail comment\n"
			   "/dev/sdc1 /data ext4 defaults 0 2";
	struct diag d = { 0 };
	int rc;

	(void)state;
	/* The target field keeps its bytes (same mount point), separators stay tabs, the
	 * trailing spaces and the missing final newline stay. */
	assert_str(edit(in, &guide, &rc, &d), want);
	assert_int_equal(rc, 0);
}

/* Fields separated by a mix of tabs and spaces, each separator different, an indent, blanks
 * after the last field: only the fields that differ change; every separator keeps its bytes.
 * (Guards against an editor that normalises separators, or takes the first one for all: the
 * regular lines above cannot tell those apart from keeping them.) */
static void test_replace_mixed_tabs_and_spaces(void **state)
{
	const char *in = "UUID=1 / ext4 defaults 0 1\n"
			 " \t sfspark1:/opt/shared \t/opt/shared\t  nfs  \tdefaults,hard \t 0\t0 \t\n"
			 "/dev/sr0\t /media/cdrom0 \tudf,iso9660 user,noauto 0 0\n";
	const char *want = "UUID=1 / ext4 defaults 0 1\n"
			   " \t 100.64.0.1:/opt/shared \t/opt/shared\t  nfs4  \t"
			   "_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150"
			   " \t 0\t0 \t\n"
			   "/dev/sr0\t /media/cdrom0 \tudf,iso9660 user,noauto 0 0\n";
	struct diag d = { 0 };
	int rc;

	(void)state;
	assert_str(edit(in, &guide, &rc, &d), want);
	assert_int_equal(rc, 0);
	/* Only the options differ from a line that is right otherwise: one field rewritten. */
	struct fstab_entry e = guide;
	e.options = "soft";
	in = "100.64.0.1:/opt/shared\t \t/opt/shared  \t nfs4 \t\tdefaults \t0 \t 0\n";
	assert_str(edit(in, &e, &rc, &d),
		   "100.64.0.1:/opt/shared\t \t/opt/shared  \t nfs4 \t\tsoft \t0 \t 0\n");
	assert_int_equal(rc, 0);
}

static void test_replace_short_line_and_crlf(void **state)
{
	const char *in = "a /b c\r\n"
			 "srv:/x /opt/shared nfs4\r\n";
	struct diag d = { 0 };
	int rc;
	const char *out = edit(in, &guide, &rc, &d);

	(void)state;
	assert_int_equal(rc, 0);
	assert_str(out, "a /b c\r\n"
			"100.64.0.1:/opt/shared /opt/shared nfs4 "
			"_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150 0 0\r\n");
}

/* libmount (2.38) separates fields by spaces and tabs only; a vertical tab, form feed or
 * carriage return in an indent or separator is part of a field to it and a blank to meshnfs's
 * byte scan. Such a line is refused (the two must agree on source, target and type before any
 * edit), never rewritten: an indent of "\f" was kept before, and the fstab written held a
 * source that libmount reads as "\f100.64.0.1:/opt/shared". */
static void test_odd_blanks_are_refused(void **state)
{
	static const char *const lines[] = {
		"\f100.64.0.1:/opt/shared /opt/shared nfs4 defaults 0 0\n",
		"100.64.0.1:/opt/shared\v/opt/shared nfs4 defaults 0 0\n",
		"100.64.0.1:/opt/shared \r/opt/shared nfs4 defaults\n",
		"\r100.64.0.1:/opt/shared /opt/shared nfs4 defaults 0 0\n",
		"100.64.0.1:/opt/shared /opt/shared \fnfs4 defaults 0 0\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct diag d = { 0 };
		int rc;
		const char *out = edit(lines[i], &guide, &rc, &d);
		if (rc != -EBADMSG)
			fail_msg("line %zu: rc %d, %s", i, rc, out);
		assert_int_equal(rc, -EBADMSG);
		assert_non_null(strstr(d.msg, "reads this line differently from libmount"));
		assert_int_equal(d.line, 1);
	}
}

/* What is written is read back before it is taken: an entry whose line would not read back
 * as itself (an empty options field: the freq then lands in the options) is refused, appended
 * or in place, and nothing is returned to be written (mutation run 14: verify's `i >= 0 &&
 * fstab_line_matches(...)` made `||` took any result that had the mount point). */
static void test_written_line_is_verified(void **state)
{
	struct fstab_entry e = guide;
	struct diag d = { 0 };
	int rc;

	(void)state;
	e.options = "";
	edit("# nothing yet\n", &e, &rc, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_non_null(strstr(d.msg, "cannot append an entry libmount accepts"));
	d = (struct diag){ 0 };
	edit(GUIDE_LINE, &e, &rc, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_non_null(strstr(d.msg, "cannot rewrite this line so libmount accepts it"));
	assert_int_equal(d.line, 1);
}

/* A line libmount accepts as it is but not once fields are added to it: "\r\r" after the
 * fourth field is fine, after the pass number it is not. The in-place rewrite fails libmount's
 * check, so the line is written clean, and a clean line keeps the indent and the separator
 * when they are plain blanks (plain_blanks: spaces and tabs only; with `&&` made `||` it
 * took every blank for odd, and the tabs became two spaces, the indent was dropped). */
static void test_clean_rewrite_keeps_plain_blanks(void **state)
{
	struct diag d = { 0 };
	int rc;
	const char *out = edit("# x\n\tsrv:/x\t/opt/shared\tnfs4\trw\r\r\n", &guide, &rc, &d);

	(void)state;
	assert_int_equal(rc, 0);
	assert_str(out, "# x\n\t100.64.0.1:/opt/shared\t/opt/shared\tnfs4\t"
			"_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150"
			"\t0\t0\n");
}

/* fstab_read_entry: the options and source of a mountpoint's line, read from the file; none
 * for a mountpoint without a line or a missing file; a refused file named with its line
 * (mutation run 6: fstab_parse's path and data swapped parsed the path as the file's text and
 * found no entry). */
static void test_read_entry(void **state)
{
	char dir[] = "/tmp/meshnfs-fstab-XXXXXX", path[64];
	char *opts, *src;
	struct diag d = { 0 };

	(void)state;
	assert_true(test_dir_make(dir));
	snprintf(path, sizeof(path), "%s/fstab", dir);
	assert_int_equal(test_file_put(dir, "fstab", "# fstab\nUUID=1 / ext4 defaults 0 1\n"
				       "srv:/x\t/opt/shared nfs4 soft,timeo=50 0 0\n/dev/sr0 /media auto\n",
				       0644), 0);
	assert_int_equal(fstab_read_entry(path, "/opt/shared", &opts, &src, &d), 0);
	assert_str(opts, "soft,timeo=50");
	assert_str(src, "srv:/x");
	free(opts);
	free(src);
	assert_int_equal(fstab_read_entry(path, "/media", &opts, &src, &d), 0);
	assert_str(opts, "defaults"); /* no options field */
	free(opts);
	free(src);
	assert_int_equal(fstab_read_entry(path, "/opt/other", &opts, &src, &d), 0);
	assert_null(opts);
	assert_null(src);
	assert_int_equal(test_file_put(dir, "fstab", "\n\fsrv:/x /opt/shared nfs4 defaults 0 0\n", 0644), 0);
	assert_int_equal(fstab_read_entry(path, "/opt/shared", &opts, &src, &d), -EBADMSG);
	assert_str(d.file, path);
	assert_int_equal(d.line, 2);
	unlink(path);
	assert_int_equal(fstab_read_entry(path, "/opt/shared", &opts, &src, &d), 0);
	assert_null(opts);
	test_dir_remove(dir);
}

static void test_already_right_is_unchanged(void **state)
{
	/* Same options in another order, numbers absent (= 0): nothing to change. */
	const char *in = "#x\n100.64.0.1:/opt/shared /opt/shared nfs4 "
			 "soft,timeo=150,_netdev,x-systemd.idle-timeout=600,x-systemd.automount\n";
	struct diag d = { 0 };
	int rc;

	(void)state;
	assert_str(edit(in, &guide, &rc, &d), in);
	assert_int_equal(rc, 0);
}

static void test_spaces_escaped(void **state)
{
	struct fstab_entry e = guide;
	const char *in = "srv:/a /mnt/my\\040share nfs4 defaults 0 0\n";
	struct diag d = { 0 };
	int rc;

	(void)state;
	e.source = "100.64.0.1:/opt/my share";
	e.target = "/mnt/my share";
	const char *out = edit(in, &e, &rc, &d);
	assert_int_equal(rc, 0);
	assert_str(out, "100.64.0.1:/opt/my\\040share /mnt/my\\040share nfs4 "
			"_netdev,x-systemd.automount,x-systemd.idle-timeout=600,soft,timeo=150 0 0\n");

	/* And it parses back to the same fields. */
	struct fstab f;
	assert_int_equal(fstab_parse("fstab", out, strlen(out), &f, &d), 0);
	assert_int_equal(fstab_find(&f, "/mnt/my share", &d), 0);
	assert_str(f.lines[0].field[FSTAB_SOURCE], "100.64.0.1:/opt/my share");
	fstab_free(&f);
}

static void test_rejected_line(void **state)
{
	const char *in = "# ok\nUUID=x / ext4 defaults 0 1\nthis-is-not-an-entry\n";
	struct diag d = { 0 };
	int rc;

	(void)state;
	edit(in, &guide, &rc, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.msg, "this-is-not-an-entry"));

	rc = fstab_set_entry("fstab", "a b c d 0 x\n", 12, &guide, &(struct buf){ 0 }, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(d.line, 1);
	rc = fstab_set_entry("fstab", "a b c\0 d\n", 9, &guide, &(struct buf){ 0 }, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_non_null(strstr(d.msg, "NUL"));

	/* The line quoted whole up to 64 bytes, its first 61 and "..." beyond (mutation run 7:
	 * `i == 60 && n > 64` made `||` cut every long line after its first byte, made `n >= 64`
	 * cut one of exactly 64). */
	char line[80], want[80];
	for (size_t n = 64; n <= 65; n++) {
		memset(line, 'x', n);
		memcpy(line + n, "\n", 2);
		edit(line, &guide, &rc, &d);
		assert_int_equal(rc, -EBADMSG);
		if (n == 64)
			snprintf(want, sizeof(want), "\"%.64s\"", line);
		else
			snprintf(want, sizeof(want), "\"%.61s...\"", line);
		if (!strstr(d.msg, want))
			fail_msg("%zu bytes: %s", n, d.msg);
	}

	/* The rejected line last, without its newline, in a buffer of exactly its bytes: quoted
	 * to its last byte and not one further (mutation run 11: line_span's `p < len` made `<=`
	 * read past the buffer, which ASan sees here). */
	static const char tail[] = "UUID=x / ext4 defaults 0 1\nnot-an-entry";
	char *exact = xmalloc(sizeof(tail) - 1);
	memcpy(exact, tail, sizeof(tail) - 1);
	rc = fstab_set_entry("fstab", exact, sizeof(tail) - 1, &guide, &(struct buf){ 0 }, &d);
	free(exact);
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(d.line, 2);
	size_t ml = strlen(d.msg);
	assert_true(ml > 14 && streq(d.msg + ml - 14, "\"not-an-entry\""));
}

static void test_duplicate_entries_refused(void **state)
{
	const char *in = "s:/a /opt/shared nfs4 defaults 0 0\n# x\ns:/b /opt/shared/ nfs4 ro 0 0\n";
	struct diag d = { 0 };
	int rc;

	(void)state;
	edit(in, &guide, &rc, &d);
	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(d.line, 3);
	assert_non_null(strstr(d.msg, "line 1"));
}

static void test_options_for_node(void **state)
{
	_cleanup_free_ char *a = fstab_options_for_node(guide.options, true);
	_cleanup_free_ char *b = fstab_options_for_node(guide.options, false);
	_cleanup_free_ char *c = fstab_options_for_node("soft,bg,x-systemd.automount", false);
	_cleanup_free_ char *m = NULL, *x = NULL;

	(void)state;
	assert_str(a, guide.options);
	assert_str(b, "_netdev,soft,timeo=150,bg");
	assert_str(c, "soft,bg");
	assert_false(fstab_options_compare("soft,rw,timeo=150", "timeo=150,soft,hard", &m, &x));
	assert_str(m, "hard");
	assert_str(x, "rw");
}

/* "defaults" is no option at all, on either side, and an entry without options field (NULL)
 * is the same (mutation run 7: fstab.c:274's `have && !streq(have, "defaults")` -> `||` kept
 * "defaults" as an option of the entry, and read NULL). */
static void test_options_compare_defaults(void **state)
{
	(void)state;
	char *m = NULL, *x = NULL;

	assert_false(fstab_options_compare("defaults", "soft", &m, &x));
	assert_str(m, "soft");
	assert_str(x, "");
	free(m), free(x);
	assert_true(fstab_options_compare("defaults", "defaults", &m, &x));
	free(m), free(x);
	assert_false(fstab_options_compare(NULL, "soft,bg", &m, &x));
	assert_str(m, "soft,bg");
	assert_str(x, "");
	free(m), free(x);
	assert_false(fstab_options_compare("soft", "defaults", &m, &x));
	assert_str(m, "");
	assert_str(x, "soft");
	free(m), free(x);
}

static void test_escape_roundtrip(void **state)
{
	_cleanup_free_ char *e = fstab_escape("/a b\tc\\d#e");
	_cleanup_free_ char *u = fstab_unescape(e, strlen(e));

	(void)state;
	assert_str(e, "/a\\040b\\011c\\134d\\043e");
	assert_str(u, "/a b\tc\\d#e");
	/* Every octal digit, 7 included (mutation run 5: is_octal's `c <= '7'` made `< '7'` left
	 * "\047", an apostrophe, undecoded; no escape here had a 7), and one that is not octal. */
	_cleanup_free_ char *q = fstab_unescape("/it\\047s\\177\\008x", 17);
	assert_str(q, "/it's\177\\008x");
}

/* The boot ordering on the mesh: which options count, and dropping them. */
static void mesh_order(void **state)
{
	(void)state;
	assert_str(fstab_mesh_order_option(FSTAB_ORDER_ONLINE),
		   "x-systemd.requires=tailscale-online.target");
	assert_str(fstab_mesh_order_option(FSTAB_ORDER_TAILSCALED), "x-systemd.after=tailscaled.service");
	assert_null(fstab_mesh_order_option(FSTAB_ORDER_NONE));
	assert_true(fstab_has_mesh_order("soft,x-systemd.requires=tailscale-online.target"));
	assert_true(fstab_has_mesh_order("x-systemd.after=tailscale-online.target,soft"));
	assert_true(fstab_has_mesh_order("x-systemd.requires=tailscaled.service"));
	assert_false(fstab_has_mesh_order("x-systemd.requires=network-online.target,soft"));
	assert_false(fstab_has_mesh_order("x-systemd.wanted-by=tailscale-online.target"));
	assert_false(fstab_has_mesh_order("x-systemd.after=tailscaled.service.d"));
	assert_false(fstab_has_mesh_order(""));
	assert_false(fstab_has_mesh_order(NULL));
	_cleanup_free_ char *a = fstab_options_drop_mesh_order(
		"_netdev,x-systemd.after=tailscaled.service,soft,x-systemd.requires=tailscale-online.target");
	assert_str(a, "_netdev,soft");
	_cleanup_free_ char *b = fstab_options_drop_mesh_order("x-systemd.after=network.target");
	assert_str(b, "x-systemd.after=network.target");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mesh_order),
		cmocka_unit_test(test_append_keeps_every_byte),
		cmocka_unit_test(test_append_to_empty_and_missing_file),
		cmocka_unit_test(test_replace_in_place),
		cmocka_unit_test(test_replace_mixed_tabs_and_spaces),
		cmocka_unit_test(test_odd_blanks_are_refused),
		cmocka_unit_test(test_written_line_is_verified),
		cmocka_unit_test(test_replace_short_line_and_crlf),
		cmocka_unit_test(test_clean_rewrite_keeps_plain_blanks),
		cmocka_unit_test(test_already_right_is_unchanged),
		cmocka_unit_test(test_spaces_escaped),
		cmocka_unit_test(test_rejected_line),
		cmocka_unit_test(test_duplicate_entries_refused),
		cmocka_unit_test(test_options_for_node),
		cmocka_unit_test(test_options_compare_defaults),
		cmocka_unit_test(test_escape_roundtrip),
		cmocka_unit_test(test_read_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
