/* SPDX-License-Identifier: MIT */
#include "core/diag.h"

#include <errno.h>
#include <stdarg.h>

int diag_set(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return -EBADMSG;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	/* One line only: a message quoting input must not smuggle in a newline. */
	for (char *p = d->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return -EBADMSG;
}

void diag_format(const struct diag *d, char *buf, size_t size)
{
	if (d->line)
		snprintf(buf, size, "%s:%u: %s", d->file, d->line, d->msg);
	else if (d->file[0])
		snprintf(buf, size, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, size, "%s", d->msg);
}
