/* SPDX-License-Identifier: MIT */
#include "mount/mountinfo.h"

#include "format/mnttab.h"

#include <errno.h>
#include <libmount.h>

#define MOUNTINFO_MAX_SIZE (16 * 1024 * 1024)

int mount_source_split(const char *source, char **host, char **path)
{
	const char *colon;
	size_t hl;

	if (!source || !*source)
		return -EINVAL;
	if (source[0] == '[') {
		const char *end = strchr(source, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		colon = end + 1;
		hl = (size_t)(end - source - 1);
		source++;
	} else {
		colon = strchr(source, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - source);
	}
	if (hl == 0 || colon[1] != '/' || memchr(source, '/', hl))
		return -EINVAL;
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)source[i] <= ' ' || source[i] == 0x7f)
			return -EINVAL;
	*host = xstrndup(source, hl);
	*path = xstrdup(colon + 1);
	return 0;
}

static char *opt_value(const char *optstr, const char *name)
{
	char *v = NULL;
	size_t n = 0;

	if (!optstr || mnt_optstr_get_option(optstr, name, &v, &n) != 0 || !v)
		return NULL;
	return xstrndup(v, n);
}

static bool opt_flag(const char *optstr, const char *name)
{
	char *v = NULL;
	size_t n = 0;

	return optstr && mnt_optstr_get_option(optstr, name, &v, &n) == 0;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static void entry_fill(struct mount_entry *e, struct libmnt_fs *fs)
{
	e->id = mnt_fs_get_id(fs);
	e->parent_id = mnt_fs_get_parent_id(fs);
	e->target = xstrdup(str_or_empty(mnt_fs_get_target(fs)));
	e->fstype = xstrdup(str_or_empty(mnt_fs_get_fstype(fs)));
	e->source = xstrdup(str_or_empty(mnt_fs_get_source(fs)));
	e->vfs_options = xstrdup(str_or_empty(mnt_fs_get_vfs_options(fs)));
	e->fs_options = xstrdup(str_or_empty(mnt_fs_get_fs_options(fs)));
	if (mount_source_split(e->source, &e->server, &e->export_path) < 0)
		e->server = e->export_path = NULL;
	e->clientaddr = opt_value(e->fs_options, "clientaddr");
	e->addr = opt_value(e->fs_options, "addr");
	e->vers = opt_value(e->fs_options, "vers");
	e->read_only = opt_flag(e->vfs_options, "ro") || opt_flag(e->fs_options, "ro");
}

static void entry_free(struct mount_entry *e)
{
	free(e->target);
	free(e->fstype);
	free(e->source);
	free(e->vfs_options);
	free(e->fs_options);
	free(e->server);
	free(e->export_path);
	free(e->clientaddr);
	free(e->addr);
	free(e->vers);
}

void mount_stack_free(struct mount_stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->entries[i]);
	free(s->entries);
	*s = (struct mount_stack){ 0 };
}

/* libmount's parser calls this for a line it cannot read; the first one is kept and the line
 * skipped (a positive return), so one odd line does not hide the rest of the table. */
static int parse_error(struct libmnt_table *tb, const char *file, int line)
{
	struct mount_stack *s = mnt_table_get_userdata(tb);

	if (!s->bad_line) {
		s->bad_line = true;
		diag_set(&s->bad, file, line > 0 ? (unsigned)line : 0,
			 "not a mountinfo line (skipped)");
	}
	return 1;
}

static int collect(struct libmnt_table *tb, const char *file, const char *mountpoint,
		   struct mount_stack *out, struct diag *diag)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int r = 0;

	if (!it)
		return -ENOMEM;
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		/* Every mountinfo line has a mount id; an fstab-shaped file has none. */
		if (mnt_fs_get_id(fs) <= 0 || !mnt_fs_get_target(fs) || !mnt_fs_get_fstype(fs)) {
			r = diag_set(diag, file, 0, "not in /proc/self/mountinfo format (%s on %s)",
				     str_or_empty(mnt_fs_get_source(fs)),
				     str_or_empty(mnt_fs_get_target(fs)));
			break;
		}
		if (!mnttab_path_eq(mnt_fs_get_target(fs), mountpoint))
			continue;
		out->entries = xrealloc(out->entries, (out->n + 1) * sizeof(*out->entries));
		out->entries[out->n] = (struct mount_entry){ 0 };
		entry_fill(&out->entries[out->n++], fs);
	}
	mnt_free_iter(it);
	return r;
}

int mountinfo_parse(const char *file, const char *data, size_t len, const char *mountpoint,
		    struct mount_stack *out, struct diag *diag)
{
	struct libmnt_table *tb;
	int r;

	*out = (struct mount_stack){ 0 };
	if (len == 0)
		return 0; /* an empty table: nothing mounted */
	if (memchr(data, '\0', len))
		return diag_set(diag, file, 0, "not a text file (NUL byte)");
	r = mnttab_parse_buffer(file, data, len, parse_error, out, &tb);
	if (!tb)
		return r;
	if (r < 0 && !out->bad_line)
		r = diag_set(diag, file, 0, "libmount cannot parse it (%s)", strerror(-r));
	else
		r = collect(tb, file, mountpoint, out, diag);
	mnt_unref_table(tb);
	if (r < 0)
		mount_stack_free(out);
	return r;
}

int mountinfo_read(const char *path, const char *mountpoint, struct mount_stack *out,
		   struct diag *diag)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	/* /proc files report size 0: read_input reads until EOF, bounded; a FIFO or directory
	 * there is bad input (-EBADMSG, diag names it). */
	int r = read_input(path, MOUNTINFO_MAX_SIZE, &data, &len, diag);

	*out = (struct mount_stack){ 0 };
	if (r < 0)
		return r;
	return mountinfo_parse(path, data, len, mountpoint, out, diag);
}

/* True when another mount of the stack sits on e (its parent is e). */
static bool covered(const struct mount_stack *s, const struct mount_entry *e)
{
	for (size_t i = 0; i < s->n; i++)
		if (&s->entries[i] != e && s->entries[i].parent_id == e->id)
			return true;
	return false;
}

const struct mount_entry *mount_stack_top(const struct mount_stack *s)
{
	/* Mountinfo lists mounts in the order they were made; the parent ids say what covers
	 * what, whatever the order. */
	for (size_t i = s->n; i > 0; i--)
		if (!covered(s, &s->entries[i - 1]))
			return &s->entries[i - 1];
	return s->n ? &s->entries[s->n - 1] : NULL;
}

const struct mount_entry *mount_stack_find_type(const struct mount_stack *s, const char *fstype)
{
	for (size_t i = s->n; i > 0; i--)
		if (streq(s->entries[i - 1].fstype, fstype))
			return &s->entries[i - 1];
	return NULL;
}
