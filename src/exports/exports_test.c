/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "core/test_files.h"
#include "core/root.h"
#include "exports/exports.h"

#include <errno.h>

static int parse(const char *s, struct exports_file *f, struct diag *d)
{
	*d = (struct diag){ 0 };
	return exports_parse("exports", s, strlen(s), f, d);
}

static void test_guide_line(void **state)
{
	struct exports_file f;
	struct diag d;

	(void)state;
	assert_int_equal(parse("# /etc/exports\n"
			       "/opt/shared  100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)\n",
			       &f, &d),
			 0);
	assert_int_equal(f.n_entries, 1);
	const struct exports_entry *e = &f.entries[0];
	assert_str(e->path, "/opt/shared");
	assert_int_equal(e->line, 2);
	assert_int_equal(e->n_clients, 1);
	const struct exports_client *c = &e->clients[0];
	assert_int_equal(c->kind, EXPORTS_IPV4);
	assert_int_equal(c->net.addr, 0x64400000);
	assert_int_equal(c->net.prefix, 10);
	assert_int_equal(c->n_opts, 4);
	assert_true(exports_client_flag(c, "no_root_squash", "root_squash", false));
	assert_true(exports_client_flag(c, "rw", "ro", false));
	assert_false(exports_client_flag(c, "insecure", "secure", false));
	exports_free(&f);
}

static void test_continuations_quotes_escapes(void **state)
{
	struct exports_file f;
	struct diag d;

	(void)state;
	assert_int_equal(parse("/a \\\n   host1(rw) \\\n\thost2\n"
			       "\"/my share\" *(ro)  # a comment \\\n"
			       "/x\\040y @group 10.0.0.0/255.255.0.0(rw) fe80::/64 *.example.com\n",
			       &f, &d),
			 0);
	assert_int_equal(f.n_entries, 3);
	assert_int_equal(f.entries[0].n_clients, 2);
	assert_str(f.entries[0].clients[0].name, "host1");
	assert_int_equal(f.entries[0].clients[0].line, 2);
	assert_int_equal(f.entries[0].clients[1].line, 3);
	assert_int_equal(f.entries[0].clients[1].kind, EXPORTS_HOST);
	/* The comment's trailing backslash does not continue it. */
	assert_str(f.entries[1].path, "/my share");
	assert_int_equal(f.entries[1].clients[0].kind, EXPORTS_WORLD);
	assert_str(f.entries[2].path, "/x y");
	assert_int_equal(f.entries[2].line, 5);
	assert_int_equal(f.entries[2].clients[0].kind, EXPORTS_NETGROUP);
	assert_int_equal(f.entries[2].clients[1].kind, EXPORTS_IPV4);
	assert_int_equal(f.entries[2].clients[1].net.prefix, 16);
	assert_int_equal(f.entries[2].clients[2].kind, EXPORTS_IPV6);
	assert_int_equal(f.entries[2].clients[3].kind, EXPORTS_WILDCARD);
	exports_free(&f);
}

static void test_defaults_and_space_before_paren(void **state)
{
	struct exports_file f;
	struct diag d;

	(void)state;
	assert_int_equal(parse("/a -rw,sync h1 h2(ro)\n/b host (rw,no_root_squash)\n/c\n", &f, &d), 0);
	const struct exports_client *h1 = &f.entries[0].clients[0], *h2 = &f.entries[0].clients[1];
	assert_true(exports_client_flag(h1, "rw", "ro", false));
	assert_false(exports_client_flag(h2, "rw", "ro", false));
	assert_int_equal(h2->n_own, 1);
	/* "host (rw)" is two clients: host with the defaults, and everyone with rw. */
	assert_int_equal(f.entries[1].n_clients, 2);
	assert_int_equal(f.entries[1].clients[0].kind, EXPORTS_HOST);
	assert_int_equal(f.entries[1].clients[1].kind, EXPORTS_WORLD);
	assert_true(f.entries[1].clients[1].has_parens);
	/* A path alone is exported to everyone. */
	assert_int_equal(f.entries[2].n_clients, 1);
	assert_int_equal(f.entries[2].clients[0].kind, EXPORTS_WORLD);
	assert_false(f.entries[2].clients[0].has_parens);
	exports_free(&f);
}

static void test_errors_quote_the_token(void **state)
{
	static const struct {
		const char *in;
		unsigned line;
		const char *msg;
	} cases[] = {
		{ "/a h(rw,frob)\n", 1, "unknown export option \"frob\"" },
		/* key=value with an unknown key, and a known flag given a value */
		{ "/a h(rw,frob=1)\n", 1, "unknown export option \"frob=1\"" },
		{ "/a h(sync=yes)\n", 1, "unknown export option \"sync=yes\"" },
		{ "# c\n/a 1.2.3.4/33(rw)\n", 2, "bad network address \"1.2.3.4/33\"" },
		{ "/a 10.0.0.0/255.0.255.0\n", 1, "bad network address" },
		/* an address that is none (mutation run 7: parse_ipv4_net's -EINVAL made 0 took it) */
		{ "/a 100.64.0.300/10(rw)\n", 1, "bad network address \"100.64.0.300/10\"" },
		{ "/a 1.2.3(rw)\n", 1, "bad network address \"1.2.3\"" },
		{ "/a fd7a::/129(rw)\n", 1, "bad IPv6 address or network \"fd7a::/129\"" },
		{ "/a fd7a::/0064(rw)\n", 1, "bad IPv6 address or network \"fd7a::/0064\"" },
		{ "/a fd7a::/6x(rw)\n", 1, "bad IPv6 address or network \"fd7a::/6x\"" },
		{ "relative h(rw)\n", 1, "\"relative\" is not absolute" },
		{ "/a \"h(rw)\n", 1, "unterminated quote" },
		{ "/a h(rw\n", 1, "bad option list in \"h(rw\"" },
		{ "/a h(rw, sync)\n", 1, "bad option list in \"h(rw,\"" },
		{ "/a h(rw)x\n", 1, "bad option list" },
		{ "/a h#x\n", 1, "bad client name \"h#x\"" },
		{ "/a h(rw,,sync)\n", 1, "empty option" },
		{ "/a h(anonuid=x)\n", 1, "bad anonuid \"x\"" },
		/* taken silently before: strtol and a cast made them other ids */
		{ "/a h(anonuid=-5)\n", 1, "bad anonuid \"-5\": not an id in 0..4294967294" },
		{ "/a h(anongid=4294967295)\n", 1, "bad anongid \"4294967295\"" },
		{ "/a h(anonuid=99999999999999999999)\n", 1, "bad anonuid" },
		{ "/a h(squash_uids=0-99999999999)\n", 1, "bad squash_uids" },
		{ "/a h(squash_gids=20-10)\n", 1, "bad squash_gids" },
		{ "/a h(sec=sys:krb6)\n", 1, "bad sec \"sys:krb6\"" },
		{ "/a h(xprtsec=tls:ssh)\n", 1, "bad xprtsec \"tls:ssh\": want none, tls or mtls" },
		{ "/a \\\n  h(fsid=abc)\n", 2, "bad fsid \"abc\"" },
		{ "/a @\n", 1, "empty netgroup" },
		{ "/a h)\n", 1, "')' without '('" },
		/* The file ends right after a continuation: the logical line is still judged
		 * (mutation run 13: exports.c:596, exports_ctx_finish's error swallowed, survived). */
		{ "/a h(rw,frob) \\\n", 1, "unknown export option \"frob\"" },
		{ "/a b\0c\n", 1, "NUL" },
		/* A long token is quoted to 80 bytes and "..." (mutation run 16: exports.c:29's
		 * "..." dropped cut it without saying so) */
		{ "/a h(frob" "12345678901234567890123456789012345678901234567890"
		  "12345678901234567890123456789012345678901234567890)\n", 1,
		  "unknown export option \"frob12345678901234567890123456789012345678901234567890"
		  "12345678901234567890123456...\"" },
	};
	struct exports_file f;
	struct diag d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = strlen(cases[i].in);
		if (strstr(cases[i].msg, "NUL"))
			n = 7;
		d = (struct diag){ 0 };
		int r = exports_parse("exports", cases[i].in, n, &f, &d);
		if (r != -EBADMSG || d.line != cases[i].line || !strstr(d.msg, cases[i].msg))
			fail_msg("case %zu: r=%d line=%u msg=%s", i, r, d.line, d.msg);
	}
}

/* IPv6 networks: a prefix of 0..128 in at most three digits (mutation run 10: "more than 3
 * digits" made "3 or more" refused /128, and survived), or a bare address. */
static void test_ipv6_prefixes(void **state)
{
	struct exports_file f;
	struct diag d;

	(void)state;
	assert_int_equal(parse("/a fd7a:115c:a1e0::1/128(rw) fd7a:115c:a1e0::/48 ::/0 fd7a::2\n", &f, &d), 0);
	assert_int_equal(f.n_entries, 1);
	assert_int_equal(f.entries[0].n_clients, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(f.entries[0].clients[i].kind, EXPORTS_IPV6);
	exports_free(&f);
}

/* Every option a kernel's exports(5) takes, xprtsec (RPC-with-TLS) included: mutation run 13's
 * exports.c:170 (the xprtsec check negated, refusing every good value) survived: no test had
 * one, good or bad. */
static void test_good_options(void **state)
{
	struct exports_file f;
	struct diag d;

	(void)state;
	assert_int_equal(parse("/a h(rw,sec=sys:krb5p,fsid=root,anonuid=65534,squash_uids=0-15,20,"
			       "mountpoint,mp=/a,refer=/b@srv,insecure,xprtsec=tls:mtls,)\n",
			       &f, &d),
			 0);
	assert_true(exports_client_flag(&f.entries[0].clients[0], "insecure", "secure", false));
	exports_free(&f);
}

static const char *set(const char *in, const char *path, const char *tok, int *rc)
{
	static struct buf out;
	struct diag d = { 0 };
	buf_free(&out);
	buf_append(&out, "", 0);
	*rc = exports_set_client("exports", in, strlen(in), path, tok, &out, &d);
	return out.data;
}

#define TOK "100.64.0.0/10(rw,sync,no_subtree_check,no_root_squash)"

/* exports_escape_path's contract: every byte exports(5) would split or misread at is written
 * \ooo, the rest as it is, and the parser reads the path back whole. "" gives "" (mutation run
 * 6: with its first empty append dropped, it returned NULL for ""). */
static void test_escape_path(void **state)
{
	static const char *const paths[] = {
		"/opt/shared", "/opt/my share", "/a\tb", "/q\"uote", "/back\\slash", "/#hash",
		"/del\x7f", "/ü",
	};
	_cleanup_free_ char *empty = exports_escape_path("");

	(void)state;
	assert_non_null(empty);
	assert_str(empty, "");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		_cleanup_free_ char *esc = exports_escape_path(paths[i]);
		_cleanup_free_ char *line = xasprintf("%s 100.64.0.0/10(rw)\n", esc);
		struct exports_file f;
		struct diag d;
		for (const char *p = esc; *p; p++)
			assert_true((unsigned char)*p > ' ' && *p != 0x7f && *p != '"' && *p != '#');
		if (parse(line, &f, &d) < 0)
			fail_msg("%s: %s", esc, d.msg);
		assert_int_equal(f.n_entries, 1);
		assert_str(f.entries[0].path, paths[i]);
		exports_free(&f);
	}
	_cleanup_free_ char *sp = exports_escape_path("/opt/my share");
	assert_str(sp, "/opt/my\\040share");
}

/* /etc/exports and the *.exports of /etc/exports.d, in name order, under a root; other names
 * skipped; nothing of the directory's listing kept (mutation run 6: the free of each scandir
 * entry dropped leaked them all; LeakSanitizer fails this test then). */
static void test_files_list(void **state)
{
	char dir[] = "/tmp/meshnfs-exportsd-XXXXXX";
	char **v;
	size_t n;
	struct diag d = { 0 };

	(void)state;
	assert_true(test_dir_make(dir));
	assert_int_equal(test_file_put(dir, "etc/exports.d/b.exports", "", 0644), 0);
	assert_int_equal(test_file_put(dir, "etc/exports.d/a.exports", "", 0644), 0);
	assert_int_equal(test_file_put(dir, "etc/exports.d/README", "", 0644), 0);
	assert_int_equal(test_file_put(dir, "etc/exports.d/.x.exports", "", 0644), 0);
	root_set(dir);
	int r = exports_files_list(&v, &n, &d);
	root_set("/");
	assert_int_equal(r, 0);
	assert_int_equal(n, 3);
	assert_str(v[0], "/etc/exports");
	assert_str(v[1], "/etc/exports.d/a.exports");
	assert_str(v[2], "/etc/exports.d/b.exports");
	exports_files_free(v, n);
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/etc/exports.d", dir);
	test_dir_remove(sub);
	snprintf(sub, sizeof(sub), "%s/etc", dir);
	test_dir_remove(sub);
	test_dir_remove(dir);
}

static void test_editor(void **state)
{
	int rc;

	(void)state;
	/* Appended; the file's missing final newline gets one of ours before the line. */
	assert_str(set("# only a comment", "/opt/shared", TOK, &rc),
		   "# only a comment\n/opt/shared  " TOK "\n");
	assert_int_equal(rc, 0);
	assert_str(set("", "/opt/my share", TOK, &rc), "/opt/my\\040share  " TOK "\n");

	/* Replaced in place: the other client, the tabs and the comment stay. */
	assert_str(set("/srv\th(ro)\n/opt/shared/\t*(ro)\t100.64.0.0/10(ro,root_squash) # mesh\n/x y\n",
		       "/opt/shared", TOK, &rc),
		   "/srv\th(ro)\n/opt/shared/\t*(ro)\t" TOK " # mesh\n/x y\n");

	/* Same client given as a dotted netmask, same options in another order: unchanged. */
	const char *same = "/opt/shared 100.64.0.0/255.192.0.0(no_root_squash,rw,sync,no_subtree_check)";
	assert_str(set(same, "/opt/shared", TOK, &rc), same);

	/* The path exported to someone else: our client joins that line, before the comment. */
	assert_str(set("/opt/shared \\\n  10.1.0.0/16(ro)  # lan\n", "/opt/shared", TOK, &rc),
		   "/opt/shared \\\n  10.1.0.0/16(ro) " TOK "  # lan\n");

	/* Our client's options only from the line's defaults ("-rw,..."): made explicit, the
	 * defaults left for the others (mutation run 15: same_options with its arguments swapped
	 * compared our wanted options with the token's inherited ones and kept the bare token). */
	assert_str(set("/opt/shared -rw,sync,no_subtree_check,no_root_squash 100.64.0.0/10\n",
		       "/opt/shared", TOK, &rc),
		   "/opt/shared -rw,sync,no_subtree_check,no_root_squash " TOK "\n");
	assert_int_equal(rc, 0);

	/* A path alone (everyone) and a wanted "*": made explicit. */
	assert_str(set("/opt/shared\n", "/opt/shared", "*(rw)", &rc), "/opt/shared *(rw)\n");

	/* A broken file is refused. */
	set("/opt/shared h(frob)\n", "/opt/shared", TOK, &rc);
	assert_int_equal(rc, -EBADMSG);
}

/* A wanted token that is not valid exports(5), or names two clients, is refused and nothing
 * is written (mutation run 3: with the bad token's error turned into 0, the caller got an
 * empty exports file to write). */
static void test_editor_refuses_bad_tokens(void **state)
{
	int rc;

	(void)state;
	assert_str(set("/srv h(ro)\n", "/opt/shared", TOK " 10.0.0.1(rw)", &rc), "");
	assert_int_equal(rc, -EINVAL);
	assert_str(set("/srv h(ro)\n", "/opt/shared", "100.64.0.0/10(frob)", &rc), "");
	assert_int_equal(rc, -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guide_line),
		cmocka_unit_test(test_continuations_quotes_escapes),
		cmocka_unit_test(test_defaults_and_space_before_paren),
		cmocka_unit_test(test_errors_quote_the_token),
		cmocka_unit_test(test_ipv6_prefixes),
		cmocka_unit_test(test_good_options),
		cmocka_unit_test(test_escape_path),
		cmocka_unit_test(test_files_list),
		cmocka_unit_test(test_editor),
		cmocka_unit_test(test_editor_refuses_bad_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
