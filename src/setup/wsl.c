/* SPDX-License-Identifier: MIT */
#include "setup/wsl.h"

#include "format/ini.h"
#include "node/wslconfig.h"

#include <errno.h>

static int edit(const char *path, const void *data, size_t len, const struct ini_set *set,
		bool new_crlf, struct setup_wsl_edit *e, struct diag *diag)
{
	struct text t = { 0 };
	struct buf utf8 = { 0 };
	int r;

	*e = (struct setup_wsl_edit){ .encoding = TEXT_UTF8, .crlf = new_crlf };
	if (len) {
		r = text_decode(path, data, len, &t, diag);
		if (r < 0)
			return r;
		e->encoding = t.encoding;
		/* A one-line file has no line ending to copy: keep the platform's. */
		e->crlf = memchr(t.utf8, '\n', t.len) ? t.crlf : new_crlf;
	}
	r = ini_set(path, t.utf8 ? t.utf8 : "", t.len, set, e->crlf, &utf8, &e->res, diag);
	if (r == 0) {
		e->changed = e->res.action != INI_SET_UNCHANGED;
		if (e->changed)
			r = text_encode(utf8.data, utf8.len, e->encoding, &e->after);
		else
			buf_append(&e->after, data ? data : "", len);
		if (r < 0)
			r = diag_set(diag, path, 0, "cannot encode the result as %s",
				     text_encoding_name(e->encoding));
	}
	buf_free(&utf8);
	text_free(&t);
	if (r < 0)
		setup_wsl_edit_free(e);
	return r;
}

int setup_wsl_wslconfig(const char *path, const void *data, size_t len,
			struct setup_wsl_edit *e, struct diag *diag)
{
	static const struct ini_set set = { .section = "wsl2", .key = "networkingMode",
					    .value = "mirrored",
					    .is_typo = wslconfig_key_is_typo };
	return edit(path, data, len, &set, true, e, diag);
}

static bool is_true(const char *written, const char *wanted)
{
	(void)wanted;
	return ini_parse_bool(written) == 1;
}

int setup_wsl_conf(const char *path, const void *data, size_t len, struct setup_wsl_edit *e,
		   struct diag *diag)
{
	static const struct ini_set set = { .section = "boot", .key = "systemd", .value = "true",
					    .same = is_true };
	return edit(path, data, len, &set, false, e, diag);
}

void setup_wsl_edit_free(struct setup_wsl_edit *e)
{
	buf_free(&e->after);
	e->changed = false;
}
