/* SPDX-License-Identifier: MIT */
#include "setup/setup_wsl.h"

#include "format/ini.h"
#include "node/wslconfig.h"

#include <errno.h>

static int edit(const char *path, const char *old, size_t len, const struct ini_set *set,
		bool new_crlf, struct setup_wsl_result *res, struct buf *out, struct diag *diag)
{
	struct setup_wsl_result tmp;
	struct text t = { 0 };
	struct buf utf8 = { 0 };
	int r;

	if (!res)
		res = &tmp;
	*res = (struct setup_wsl_result){ .encoding = TEXT_UTF8, .crlf = new_crlf };
	if (len) {
		r = text_decode(path, old, len, &t, diag);
		if (r < 0)
			return r;
		res->encoding = t.encoding;
		/* A file without a line ending has none to copy: take the platform's. */
		res->crlf = memchr(t.utf8, '\n', t.len) ? t.crlf : new_crlf;
	}
	r = ini_set(path, t.utf8 ? t.utf8 : "", t.len, set, res->crlf, &utf8, &res->set, diag);
	if (r == 0) {
		res->changed = res->set.action != INI_SET_UNCHANGED;
		if (!res->changed)
			buf_append(out, old ? old : "", len); /* byte for byte */
		else if (text_encode(utf8.data, utf8.len, res->encoding, out) < 0)
			r = diag_set(diag, path, 0, "cannot encode the result as %s",
				     text_encoding_name(res->encoding));
	}
	buf_free(&utf8);
	text_free(&t);
	return r;
}

int setup_wsl_wslconfig_edit(void *userdata, const char *old, size_t old_len, bool exists,
			     struct buf *out, struct diag *diag)
{
	static const struct ini_set set = { .section = "wsl2", .key = "networkingMode",
					    .value = "mirrored",
					    .is_typo = wslconfig_key_is_typo };
	(void)exists;
	return edit(".wslconfig", old, old_len, &set, true, userdata, out, diag);
}

static bool is_true(const char *written, const char *wanted)
{
	(void)wanted;
	return ini_parse_bool(written) == 1;
}

int setup_wsl_conf_edit(void *userdata, const char *old, size_t old_len, bool exists,
			struct buf *out, struct diag *diag)
{
	static const struct ini_set set = { .section = "boot", .key = "systemd", .value = "true",
					    .same = is_true };
	(void)exists;
	return edit("/etc/wsl.conf", old, old_len, &set, false, userdata, out, diag);
}
