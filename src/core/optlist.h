/* SPDX-License-Identifier: MIT */
/* Comma-separated option lists ("soft,timeo=150", "rw,sync"), split and compared as sets:
 * shared by fstab options and exports(5) client options. */
#pragma once

#include "core/util.h"

/* The non-empty items of s, in order (NULL and *n = 0 for NULL or ""). Free with strv_free. */
char **optlist_split(const char *s, size_t *n);
void strv_free(char **v, size_t n);
/* Compares as sets: the items of want missing from have and the items of have that want
 * lacks, each comma-separated into a new string ("" when none; pass NULL to skip). Returns
 * true when both are empty. */
bool optlist_compare(const char *have, const char *want, char **missing, char **extra);
/* Items joined by commas (new string). */
char *optlist_join(char *const *v, size_t n);
