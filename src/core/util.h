/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: cleanup attributes, strings, time, bounded reads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Enum <-> string, the one way: one table per enum, indexed by its values,
 *   static const char *const names[] = { [E_A] = "a", [E_B] = "b" };
 * ENUM_NAME(names, v, fallback): the name of v, or fallback when v is outside the table or has
 * no name there. ENUM_PARSE(names, s): the value named s, or -1 (ids are matched exactly). */
#define ENUM_NAME(names, v, fallback)                                                       \
	((size_t)(v) < ARRAY_SIZE(names) && (names)[(size_t)(v)] ? (names)[(size_t)(v)]    \
								 : (fallback))
#define ENUM_PARSE(names, s) enum_parse((names), ARRAY_SIZE(names), (s))
int enum_parse(const char *const *names, size_t n, const char *s);
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Returns p and sets *pp to NULL: hands ownership out of a cleanup variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })

static inline bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
static inline bool streq_ptr(const char *a, const char *b)
{
	return (a && b) ? strcmp(a, b) == 0 : a == b;
}

/* Duplicates or aborts: allocation failure is not a recoverable state for a CLI tool. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_append(struct buf *b, const void *p, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
void buf_free(struct buf *b);

/* The one way meshnfs reads a file that came from outside (everything under --root, /proc):
 * resolved under the root (core/root.h: links followed, never out of it), opened with
 * O_NONBLOCK (a FIFO or device never blocks the open), regular files only (/proc's count),
 * at most max bytes. Returns 0, -ENOENT, -EFBIG (larger than max), -EISDIR, -EFTYPE_ (a
 * FIFO, socket or device: file_kind() says which) or another negative errno. */
#define EFTYPE_ EBADFD
int read_file_bounded(const char *path, size_t max, char **out, size_t *out_len);
/* The same, for input whose problems the user must see: every failure but -ENOENT fills d
 * ("PATH: is a FIFO, not a regular file", "PATH: larger than N bytes", "PATH: cannot read:
 * ...") and returns -EBADMSG; -ENOENT is returned as is (absent is often normal). */
struct diag;
int read_input(const char *path, size_t max, char **out, size_t *out_len, struct diag *d);
/* "a directory", "a FIFO", "a socket", "a character device", "a block device", "a symbolic
 * link", "a regular file": what a file of this mode is, for messages. */
const char *file_kind(unsigned mode);
/* strerror() for read_file_bounded's errors (-EFTYPE_: "not a regular file (a FIFO, socket
 * or device)"). */
const char *read_strerror(int r);
/* First line of a small file, trailing whitespace stripped. */
int read_first_line(const char *path, char **out);

/* Trims ASCII whitespace on both ends, in place; returns s. */
char *strstrip(char *s);
bool startswith(const char *s, const char *prefix);
bool strcasecontains(const char *hay, const char *needle);
/* Edit distance (insertions, deletions, substitutions, adjacent transpositions), ignoring
 * ASCII case; UINT_MAX for strings longer than 64 bytes. For "did you mean" messages. */
unsigned strcase_distance(const char *a, const char *b);
/* True if s holds only printable ASCII and UTF-8 sequences, no control characters. */
bool str_is_printable(const char *s, size_t len);

/* Monotonic clock in milliseconds. */
int64_t now_ms(void);
/* One read(2) of up to size bytes from fd (a child's pipe), waiting for it until deadline (a
 * now_ms() time) at the latest: the count read (> 0), 0 at end of file, -errno of a failed
 * read, or -ETIMEDOUT when the deadline came first or the wait itself failed (the answer could
 * not be waited for: cut, not an end). EINTR is retried. The caller's loop decides when it has
 * read enough. */
ssize_t read_by_deadline(int fd, void *buf, size_t size, int64_t deadline);
