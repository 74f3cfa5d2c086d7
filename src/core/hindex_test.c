/* SPDX-License-Identifier: MIT */
/* hindex: the first match of a linear scan, found by hash; names by strcasecmp's rule. */
#include "core/hindex.h"
#include "core/test.h"

#include <ctype.h>
#include <strings.h>

struct names {
	const char *const *v;
	const char *key;
};

static bool named(size_t pos, const void *ctx)
{
	const struct names *n = ctx;
	return strcasecmp(n->v[pos], n->key) == 0;
}

static size_t find(const struct hindex *h, const char *const *v, const char *key)
{
	return hindex_find(h, hash_strcase(key), named, &(struct names){ v, key });
}

/* The rule [nodes] matching keeps: case ignored, the first of duplicate names wins, even when
 * the later one was added first. */
static void duplicates_and_case(void **state)
{
	(void)state;
	static const char *const v[] = { "alpha", "Beta", "ALPHA", "beta", "gamma", "Alpha" };
	struct hindex h = { 0 };

	assert_int_equal(find(&h, v, "alpha"), SIZE_MAX); /* empty */
	for (size_t i = ARRAY_SIZE(v); i-- > 0;) /* last first */
		hindex_add(&h, hash_strcase(v[i]), i);
	assert_int_equal(h.n, ARRAY_SIZE(v));
	assert_int_equal(find(&h, v, "alpha"), 0);
	assert_int_equal(find(&h, v, "aLPHa"), 0);
	assert_int_equal(find(&h, v, "BETA"), 1);
	assert_int_equal(find(&h, v, "Gamma"), 4);
	assert_int_equal(find(&h, v, "delta"), SIZE_MAX);
	assert_int_equal(find(&h, v, "alph"), SIZE_MAX);
	assert_int_equal(find(&h, v, ""), SIZE_MAX);
	hindex_free(&h);
	assert_null(h.slots);
	assert_int_equal(h.cap, 0);
}

static void hashes(void **state)
{
	(void)state;
	assert_true(hash_strcase("Node-1.Example") == hash_strcase("node-1.example"));
	assert_true(hash_strcase("node-1") != hash_strcase("node-2"));
	assert_true(hash_strcase("") == hash_bytes("", 0));
	assert_true(hash_bytes("ab", 2) == hash_strcase("ab"));
	assert_true(hash_bytes("ab", 2) != hash_bytes("ab", 1));
	assert_true(hash_bytes("AB", 2) != hash_bytes("ab", 2));
	/* Bytes past ASCII are compared as they are, as strcasecmp does in the C locale. */
	assert_true(hash_strcase("\xc3\x89") != hash_strcase("\xc3\xa9"));
}

/* Every key with one hash: eq alone tells the items apart, through many growths. */
static void collisions(void **state)
{
	(void)state;
	enum { N = 300 };
	char *v[N];
	struct hindex h = { 0 };

	for (size_t i = 0; i < N; i++) {
		v[i] = xasprintf("k%zu", i % 200); /* 200..299 repeat 0..99 */
		hindex_add(&h, 42, i);
		assert_true(h.cap >= 2 * h.n); /* never full: a probe run always ends */
	}
	for (size_t i = 0; i < 200; i++) {
		struct names key = { (const char *const *)v, v[i] };
		assert_int_equal(hindex_find(&h, 42, named, &key), i);
		assert_int_equal(hindex_find(&h, 43, named, &key), SIZE_MAX);
	}
	hindex_free(&h);
	for (size_t i = 0; i < N; i++)
		free(v[i]);
}

/* Against the scan it replaces: 4000 names of 500 spellings in random case, in random order of
 * addition, each query's answer the scan's first strcasecmp match. */
static void same_as_scan(void **state)
{
	(void)state;
	enum { N = 4000 };
	char *v[N];
	size_t order[N];
	struct hindex h = { 0 };
	unsigned seed = 1;

	for (size_t i = 0; i < N; i++) {
		v[i] = xasprintf("node-%u.ts.net", (unsigned)rand_r(&seed) % 500);
		for (char *c = v[i]; *c; c++)
			if (rand_r(&seed) & 1)
				*c = (char)toupper((unsigned char)*c);
		order[i] = i;
	}
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = (size_t)rand_r(&seed) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < N; i++)
		hindex_add(&h, hash_strcase(v[order[i]]), order[i]);
	for (unsigned q = 0; q < 600; q++) {
		char key[40];
		snprintf(key, sizeof(key), q % 2 ? "NODE-%u.TS.NET" : "node-%u.ts.net", q);
		size_t want = SIZE_MAX;
		for (size_t i = 0; i < N && want == SIZE_MAX; i++)
			if (strcasecmp(v[i], key) == 0)
				want = i;
		assert_int_equal(find(&h, (const char *const *)v, key), want);
	}
	hindex_free(&h);
	for (size_t i = 0; i < N; i++)
		free(v[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(duplicates_and_case),
					    cmocka_unit_test(hashes), cmocka_unit_test(collisions),
					    cmocka_unit_test(same_as_scan) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
