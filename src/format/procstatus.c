/* SPDX-License-Identifier: MIT */
#include "format/procstatus.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>

static const char states[] = "RSDZTtXxIPWK";

/* The value of "Key:\t..." lines: start and length, without the key and leading blanks. */
static bool field(const char *line, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n < k || memcmp(line, key, k) != 0)
		return false;
	line += k;
	n -= k;
	while (n && (*line == '\t' || *line == ' ')) {
		line++;
		n--;
	}
	*v = line;
	*vn = n;
	return true;
}

static int parse_state(const char *v, size_t n, char *state)
{
	/* "D (disk sleep)": one letter, then nothing or a space and a parenthesised name. */
	if (n == 0 || !strchr(states, v[0]) || v[0] == '\0')
		return -EINVAL;
	if (n > 1 && (v[1] != ' ' || n < 4 || v[2] != '(' || v[n - 1] != ')'))
		return -EINVAL;
	*state = v[0];
	return 0;
}

static int parse_pid(const char *v, size_t n, pid_t *pid)
{
	long x = 0;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -EINVAL;
		x = x * 10 + (v[i] - '0');
	}
	if (x > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)x;
	return 0;
}

int proc_status_parse(const char *file, const char *data, size_t len, struct proc_status *out,
		      struct diag *diag)
{
	unsigned line = 0;

	*out = (struct proc_status){ .ppid = -1 };
	for (size_t pos = 0; pos < len;) {
		const char *l = data + pos, *nl = memchr(l, '\n', len - pos), *v;
		size_t n = nl ? (size_t)(nl - l) : len - pos, vn;
		pos += n + 1;
		line++;
		if (field(l, n, "Name:", &v, &vn)) {
			size_t k = vn < sizeof(out->name) - 1 ? vn : sizeof(out->name) - 1;
			for (size_t i = 0; i < k; i++)
				out->name[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
			out->name[k] = '\0';
		} else if (field(l, n, "State:", &v, &vn)) {
			if (parse_state(v, vn, &out->state) < 0)
				return diag_set(diag, file, line, "bad State: \"%.*s\"",
						(int)(vn < 40 ? vn : 40), v);
		} else if (field(l, n, "PPid:", &v, &vn)) {
			if (parse_pid(v, vn, &out->ppid) < 0)
				return diag_set(diag, file, line, "bad PPid: \"%.*s\"",
						(int)(vn < 40 ? vn : 40), v);
		}
	}
	if (!out->state)
		return diag_set(diag, file, 0, "no State: line");
	return 0;
}

const char *proc_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping (interruptible)";
	case 'D':
		return "disk sleep (uninterruptible)";
	case 'Z':
		return "zombie (dead, not yet reaped)";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'X':
	case 'x':
		return "dead";
	case 'I':
		return "idle";
	default:
		return "unknown";
	}
}

int proc_wchan_parse(const char *data, size_t len, char *buf, size_t size)
{
	while (len && isspace((unsigned char)data[len - 1]))
		len--;
	buf[0] = '\0';
	if (len == 0 || (len == 1 && data[0] == '0'))
		return 0;
	if (len >= size)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)data[i]) && data[i] != '_' && data[i] != '.')
			return -EBADMSG;
	memcpy(buf, data, len);
	buf[len] = '\0';
	return 0;
}
