/* SPDX-License-Identifier: MIT */
/* A hash index over the items of an array, by position: lookups of a key in O(1) on average
 * where a linear scan would make a list of n items cost n^2 (status over 10000 addresses:
 * [nodes] matched by name, targets by address). The index keeps positions only; the caller's
 * eq says whether the item at a position has the key, so the items may move (realloc). Items
 * are only added, never removed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hindex_slot {
	uint64_t hash;
	size_t pos1; /* position + 1; 0: empty */
};

struct hindex {
	struct hindex_slot *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

/* Records that the item at pos has a key of this hash. */
void hindex_add(struct hindex *h, uint64_t hash, size_t pos);
/* The lowest position recorded with this hash whose item eq(pos, ctx) says has the key, or
 * SIZE_MAX: the same answer as a scan from the first item (the first match), whatever order
 * the positions were added in. */
size_t hindex_find(const struct hindex *h, uint64_t hash, bool (*eq)(size_t pos, const void *ctx),
		   const void *ctx);
void hindex_free(struct hindex *h);

/* FNV-1a of n bytes. */
uint64_t hash_bytes(const void *p, size_t n);
/* FNV-1a of s with each byte through tolower(): equal for strings strcasecmp() finds equal. */
uint64_t hash_strcase(const char *s);
