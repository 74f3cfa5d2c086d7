/* SPDX-License-Identifier: MIT */
/* Terminal output: when to colour, and aligned tables for human output. */
#pragma once

#include "core/util.h"

#include <inttypes.h>

#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_DIM "\033[2m"
#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

/* Human output passes through core/escape.h as a whole: replaces stdout and stderr with
 * streams that escape every control byte, C1 control, bidi control and invalid UTF-8 on the
 * way out (keeping newlines and tabs), so nothing that came from outside reaches the terminal
 * as a command. Call once, first thing in main. Our own control sequences (colours, the
 * progress line) and JSON documents go out through output_raw/output_json. 0, or -ENOMEM when
 * a stream cannot be made (stdout's, or stderr's: then stdout escapes already, stderr not):
 * the caller must then print nothing from outside. */
int output_escape_std(void);
/* Writes s unescaped: for our own escape sequences only, never for outside text. On a stream
 * output_escape_std did not make, the same as fputs. */
void output_raw(FILE *f, const char *s);
/* The colour code when color is set, else nothing (output_raw). */
void output_color(FILE *f, bool color, const char *code);

/* Colour only on a terminal, never with NO_COLOR set (any value), TERM=dumb or --no-color. */
bool output_want_color(int fd, bool no_color_flag);

/* An aligned table: add rows of n_cols strings, then print. Cells are copied. */
struct table {
	size_t n_cols;
	size_t n_rows;
	char **cells; /* n_rows * n_cols */
};
void table_init(struct table *t, size_t n_cols);
void table_add_row(struct table *t, const char *const *cells);
/* Pads every column but the last to its widest cell, two spaces apart. A header row,
 * if any, is just the first row. */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);
