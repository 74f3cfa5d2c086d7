/* SPDX-License-Identifier: MIT */
/* /etc/os-release (os-release(5)): KEY=value lines, values optionally quoted with shell
 * escapes. Only the fields meshnfs uses are kept. */
#pragma once

#include "core/diag.h"

struct os_release {
	char *id;          /* "debian", "ubuntu", ... */
	char *id_like;     /* "debian" for Ubuntu and derivatives, or NULL */
	char *pretty_name; /* "Debian GNU/Linux 12 (bookworm)" */
	char *version_id;
};

/* Parses the file's content; a malformed line is -EBADMSG with diag (file, line, token). */
int os_release_parse(const char *file, const char *data, size_t len, struct os_release *out,
		     struct diag *diag);
/* True for Debian and its derivatives (apt-get available). */
bool os_release_is_debian_like(const struct os_release *o);
void os_release_free(struct os_release *o);
