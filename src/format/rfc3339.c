/* SPDX-License-Identifier: MIT */
#include "format/rfc3339.h"

#include "core/util.h"

#include <ctype.h>
#include <errno.h>

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *chars)
{
	if (!**p || !strchr(chars, **p))
		return -EINVAL;
	(*p)++;
	return 0;
}

int rfc3339_parse(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;
	struct tm tm = { 0 };

	if (digits(&p, 4, &y) < 0 || expect(&p, "-") < 0 || digits(&p, 2, &mo) < 0 ||
	    expect(&p, "-") < 0 || digits(&p, 2, &d) < 0 || expect(&p, "Tt ") < 0 ||
	    digits(&p, 2, &h) < 0 || expect(&p, ":") < 0 || digits(&p, 2, &mi) < 0 ||
	    expect(&p, ":") < 0 || digits(&p, 2, &sec) < 0)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (int n = 0; isdigit((unsigned char)*p); p++)
			if (++n > 9)
				return -EINVAL;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) < 0 || expect(&p, ":") < 0 || digits(&p, 2, &om) < 0 ||
		    oh > 23 || om > 59)
			return -EINVAL;
	} else
		return -EINVAL;
	if (*p)
		return -EINVAL;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -EINVAL;
	if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && sec == 0 && !sign) {
		*out = 0; /* Go's zero time: never */
		return 0;
	}
	if (y < 1970)
		return -EINVAL; /* before the epoch: not a time a mesh node was seen */
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}
