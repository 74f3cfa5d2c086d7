/* SPDX-License-Identifier: MIT */
/* /etc/fstab: validated by libmount (the parser mount(8) and systemd's fstab generator use),
 * located and edited byte by byte. The editor replaces one entry in place or appends one;
 * every other byte of the file stays as it was: comments, blank lines, tabs, octal escapes
 * like \040, trailing spaces, CRLF, a missing final newline. Pure functions on buffers. */
#pragma once

#include "core/diag.h"
#include "core/util.h"

#define FSTAB_FIELDS 6

enum { FSTAB_SOURCE, FSTAB_TARGET, FSTAB_TYPE, FSTAB_OPTIONS, FSTAB_FREQ, FSTAB_PASSNO };

/* One entry line of the file. Byte offsets are into the parsed buffer. */
struct fstab_line {
	unsigned lineno; /* 1-based */
	size_t start;    /* first byte of the line */
	size_t end;      /* end of the line, before its '\n' (if any) */
	size_t field_start[FSTAB_FIELDS], field_end[FSTAB_FIELDS];
	unsigned n_fields; /* fields present, at most FSTAB_FIELDS (more are left alone) */
	char *field[FSTAB_FIELDS]; /* unescaped (\ooo decoded) field text, NULL when absent */
};

struct fstab {
	char *file; /* name for messages */
	struct fstab_line *lines; /* the entries (comments and blank lines are not listed) */
	size_t n_lines;
};

/* The entry meshnfs wants (fields unescaped; NULL options means "defaults"). */
struct fstab_entry {
	const char *source, *target, *fstype, *options;
	int freq, passno;
};

/* Parses data: libmount first (a line it rejects: -EBADMSG, diag names file and line and
 * quotes it), then a byte-exact scan that must agree with libmount on every entry. */
int fstab_parse(const char *file, const char *data, size_t len, struct fstab *out,
		struct diag *diag);
void fstab_free(struct fstab *f);

/* The entry for a mount point (trailing slashes and repeated slashes ignored): its index, or
 * -ENOENT, or -EBADMSG (diag) when two entries name the same mount point. */
int fstab_find(const struct fstab *f, const char *target, struct diag *diag);

/* The entry for mountpoint in the fstab file at path (read bounded, parsed as above): its
 * options ("defaults" when absent) and its source, new strings; both NULL when the file or
 * the entry is missing. 0, or a negative errno (-EBADMSG with diag) when it cannot be read or
 * parsed. (The one function here that reads a file: what repair and watch share.) */
int fstab_read_entry(const char *path, const char *mountpoint, char **options, char **source,
		     struct diag *diag);

/* Whether line means the same as e: same source, type, target, the same set of options, the
 * same dump and pass numbers (absent ones are 0). */
bool fstab_line_matches(const struct fstab_line *l, const struct fstab_entry *e);

/* New content into out: data with the entry for e->target replaced in place by e (only the
 * fields that differ are rewritten, separators kept), or e appended when there is none. When
 * the entry already matches, out gets data unchanged. -EBADMSG (diag) on a bad file. */
int fstab_set_entry(const char *file, const char *data, size_t len, const struct fstab_entry *e,
		    struct buf *out, struct diag *diag);

/* Compares two comma-separated option lists as sets: the options of want missing from have,
 * and the ones of have that want lacks, each comma-separated into a new string ("" if none).
 * Returns true when both are empty. */
bool fstab_options_compare(const char *have, const char *want, char **missing, char **extra);
/* The guide's options adapted to a node: without systemd the x-systemd.* options do nothing,
 * so they are dropped and "bg" is added (a server that is down then does not hold up the
 * mount at start: mount.nfs retries in the background). New string. */
char *fstab_options_for_node(const char *options, bool systemd);

/* The boot ordering that makes the mount wait for the mesh (systemd-fstab-generator turns it
 * into the mount unit's dependencies):
 *   FSTAB_ORDER_ONLINE      x-systemd.requires=tailscale-online.target: Requires= and After=
 *                           the target that runs `tailscale wait` (the interface up with its
 *                           address); nothing else pulls the target in (it has no [Install])
 *   FSTAB_ORDER_TAILSCALED  x-systemd.after=tailscaled.service: After= only (tailscaled is
 *                           enabled on its own; Requires= would unmount the share whenever
 *                           tailscaled stops); its readiness is not yet the address
 * NULL for FSTAB_ORDER_NONE. */
enum fstab_order { FSTAB_ORDER_NONE, FSTAB_ORDER_TAILSCALED, FSTAB_ORDER_ONLINE };
const char *fstab_mesh_order_option(enum fstab_order o);
/* options (comma-separated) hold an x-systemd.requires= or x-systemd.after= naming
 * tailscale-online.target or tailscaled.service: the mount is ordered after the mesh. */
bool fstab_has_mesh_order(const char *options);
/* options without those orderings (comma-separated, new string). */
char *fstab_options_drop_mesh_order(const char *options);
