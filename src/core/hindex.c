/* SPDX-License-Identifier: MIT */
#include "core/hindex.h"

#include "core/util.h"

#include <ctype.h>

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

/* A slot's start from the hash: its bits mixed (splitmix64's finaliser), so that keys differing
 * only in their last bytes (consecutive addresses) spread over the table. */
static size_t slot_of(uint64_t hash, size_t cap)
{
	hash ^= hash >> 30;
	hash *= 0xbf58476d1ce4e5b9ULL;
	hash ^= hash >> 27;
	hash *= 0x94d049bb133111ebULL;
	hash ^= hash >> 31;
	return (size_t)hash & (cap - 1);
}

static void put(struct hindex_slot *slots, size_t cap, uint64_t hash, size_t pos1)
{
	size_t i = slot_of(hash, cap);
	while (slots[i].pos1)
		i = (i + 1) & (cap - 1);
	slots[i] = (struct hindex_slot){ .hash = hash, .pos1 = pos1 };
}

void hindex_add(struct hindex *h, uint64_t hash, size_t pos)
{
	if (2 * (h->n + 1) > h->cap) { /* at most half full: short probe runs */
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct hindex_slot *slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < h->cap; i++)
			if (h->slots[i].pos1)
				put(slots, cap, h->slots[i].hash, h->slots[i].pos1);
		free(h->slots);
		h->slots = slots;
		h->cap = cap;
	}
	put(h->slots, h->cap, hash, pos + 1);
	h->n++;
}

size_t hindex_find(const struct hindex *h, uint64_t hash, bool (*eq)(size_t pos, const void *ctx),
		   const void *ctx)
{
	size_t best = SIZE_MAX;

	if (!h->cap)
		return SIZE_MAX;
	/* The whole run to the next empty slot: a later slot may hold a lower position. */
	for (size_t i = slot_of(hash, h->cap); h->slots[i].pos1; i = (i + 1) & (h->cap - 1))
		if (h->slots[i].hash == hash && h->slots[i].pos1 - 1 < best &&
		    eq(h->slots[i].pos1 - 1, ctx))
			best = h->slots[i].pos1 - 1;
	return best;
}

void hindex_free(struct hindex *h)
{
	free(h->slots);
	*h = (struct hindex){ 0 };
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t x = FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		x = (x ^ b[i]) * FNV_PRIME;
	return x;
}

uint64_t hash_strcase(const char *s)
{
	uint64_t x = FNV_OFFSET;

	for (; *s; s++)
		x = (x ^ (unsigned char)tolower((unsigned char)*s)) * FNV_PRIME;
	return x;
}
