/* SPDX-License-Identifier: MIT */
#include "core/test.h"
#include "format/osrelease.h"

#include <errno.h>

static void debian_and_ubuntu(void **state)
{
	(void)state;
	const char *deb = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n"
			  "ID=debian\n# comment\n\nHOME_URL=\"https://www.debian.org/\"\n";
	const char *ubu = "NAME='Ubuntu'\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu \\\"24.04\\\"\"\n";
	const char *fed = "ID=fedora\nPRETTY_NAME=\"Fedora Linux 40\"\n";
	struct os_release o;

	assert_int_equal(os_release_parse("f", deb, strlen(deb), &o, NULL), 0);
	assert_str(o.id, "debian");
	assert_str(o.pretty_name, "Debian GNU/Linux 12 (bookworm)");
	assert_str(o.version_id, "12");
	assert_true(os_release_is_debian_like(&o));
	os_release_free(&o);
	assert_int_equal(os_release_parse("f", ubu, strlen(ubu), &o, NULL), 0);
	assert_str(o.pretty_name, "Ubuntu \"24.04\"");
	assert_true(os_release_is_debian_like(&o));
	os_release_free(&o);
	assert_int_equal(os_release_parse("f", fed, strlen(fed), &o, NULL), 0);
	assert_false(os_release_is_debian_like(&o));
	os_release_free(&o);
	/* ID_LIKE is a list of words: a list without debian or ubuntu is not Debian-like,
	 * debian anywhere in it is, and a word that merely contains "debian" is not. (A mutation
	 * survivor: word_in() answering true at the first word that did NOT match passed all the
	 * cases above, none of which had an ID_LIKE without debian.) */
	const char *rocky = "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n";
	const char *mint = "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n";
	const char *odd = "ID=odd\nID_LIKE=\"notdebian debianish\"\n";
	assert_int_equal(os_release_parse("f", rocky, strlen(rocky), &o, NULL), 0);
	assert_false(os_release_is_debian_like(&o));
	os_release_free(&o);
	assert_int_equal(os_release_parse("f", mint, strlen(mint), &o, NULL), 0);
	assert_true(os_release_is_debian_like(&o));
	os_release_free(&o);
	assert_int_equal(os_release_parse("f", odd, strlen(odd), &o, NULL), 0);
	assert_false(os_release_is_debian_like(&o));
	os_release_free(&o);
}

static void malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
	} cases[] = {
		{ "ID=debian\nno equals sign\n", 2 },
		{ "ID=\"debian\n", 1 },
		{ "ID=two words\n", 1 },
		{ "I-D=x\n", 1 },
		{ "=x\n", 1 },
		{ "A=1\nB=$(reboot)\n", 2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct os_release o;
		struct diag d = { 0 };
		assert_int_equal(os_release_parse("os-release", cases[i].text, strlen(cases[i].text),
						  &o, &d),
				 -EBADMSG);
		assert_int_equal(d.line, cases[i].line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debian_and_ubuntu),
		cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
