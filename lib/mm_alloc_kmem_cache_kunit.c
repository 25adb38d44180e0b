// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what a kmem_cache promises its user (struct
 * kmem_cache_args and the SLAB_* flags in include/linux/slab.h, the
 * kmem_cache_*() kerneldoc in mm/slab_common.c and mm/slub.c).
 *
 * Object size, explicit alignment (one the natural layout would not give
 * by chance), SLAB_HWCACHE_ALIGN, constructors for single and bulk
 * allocation, zeroing, SLAB_NO_MERGE, bulk allocation and freeing,
 * SLAB_TYPESAFE_BY_RCU and destruction. Every cache and object is freed by
 * a deferred action.
 */

#include <kunit/test.h>
#include <linux/cache.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

#define PATTERN 0x5c

KUNIT_DEFINE_ACTION_WRAPPER(kmem_cache_destroy_action, kmem_cache_destroy,
			    struct kmem_cache *);

/*
 * A cache of @name with the size and alignment appended: a case that makes
 * several must give each its own name, or DEBUG_VM warns about the second
 * (mm/slab_common.c, kmem_cache_sanity_check()). The name is copied.
 */
static struct kmem_cache *cache_for_test(struct kunit *test, const char *name,
					 unsigned int size, unsigned int align,
					 slab_flags_t flags,
					 void (*ctor)(void *))
{
	struct kmem_cache *s;
	char full[48];

	snprintf(full, sizeof(full), "%s_%u_%u", name, size, align);
	s = kmem_cache_create(full, size, align, flags, ctor);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  kmem_cache_destroy_action, s),
			0);
	return s;
}

struct cache_object {
	struct kmem_cache *cache;
	void *obj[16];
};

static void free_cache_objects(void *ctx)
{
	struct cache_object *c = ctx;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->obj); i++)
		if (c->obj[i])
			kmem_cache_free(c->cache, c->obj[i]);
}

/* Objects to hand back before the cache is destroyed (actions run LIFO). */
static struct cache_object *objects_for_test(struct kunit *test,
					     struct kmem_cache *s)
{
	struct cache_object *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->cache = s;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_cache_objects, c),
			0);
	return c;
}

/*
 * A kmem_cache serves objects of at least its size, at the alignment it
 * was created with (kmem_cache_create() kerneldoc, mm/slab_common.c).
 */
static void kmem_cache_honours_size_and_align(struct kunit *test)
{
	const unsigned int size = 40, align = 4 * ARCH_KMALLOC_MINALIGN;
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_align", size,
					      align, 0, NULL);
	struct cache_object *c = objects_for_test(test, s);
	unsigned int i;

	KUNIT_EXPECT_GE(test, kmem_cache_size(s), size);
	for (i = 0; i < ARRAY_SIZE(c->obj); i++) {
		c->obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->obj[i]);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)c->obj[i] % align, 0,
				    "object %u misaligned", i);
		memset(c->obj[i], PATTERN, size);
	}
}

static atomic_t ctor_calls = ATOMIC_INIT(0);

static void pattern_ctor(void *obj)
{
	atomic_inc(&ctor_calls);
	memset(obj, PATTERN, 40);
}

/*
 * "The constructor is invoked for each object in a newly allocated slab"
 * (struct kmem_cache_args, include/linux/slab.h): each new object holds
 * what the constructor wrote.
 */
static void kmem_cache_runs_constructor(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_ctor", 40, 0,
					      0, pattern_ctor);
	struct cache_object *c = objects_for_test(test, s);
	unsigned int i;

	atomic_set(&ctor_calls, 0);
	for (i = 0; i < ARRAY_SIZE(c->obj); i++) {
		c->obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->obj[i]);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(c->obj[i], PATTERN, 40),
					NULL, "object %u not constructed", i);
	}
	KUNIT_EXPECT_GE(test, atomic_read(&ctor_calls), ARRAY_SIZE(c->obj));
}

/*
 * kmem_cache_zalloc() zeroes (slab.h), shown on the object just freed
 * dirty: the cache's per-cpu freelist hands it back first.
 */
static void kmem_cache_zalloc_zeroes(struct kunit *test)
{
	const unsigned int size = 200;
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_zalloc", size,
					      0, 0, NULL);
	struct cache_object *c = objects_for_test(test, s);
	unsigned int try;

	for (try = 0; try < MM_ALLOC_REUSE_TRIES; try++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		unsigned long old = (unsigned long)p;

		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, PATTERN, size);
		kmem_cache_free(s, p);
		c->obj[0] = kmem_cache_zalloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->obj[0]);
		if ((unsigned long)c->obj[0] == old)
			break;
		kmem_cache_free(s, c->obj[0]);
		c->obj[0] = NULL;
	}
	if (!c->obj[0]) {
		mm_alloc_skip_if_quarantine(test,
					    "the object just freed is not reused");
		kunit_skip(test, "the cache never returned the object just freed%s",
			   MM_ALLOC_REUSE_ORDER_NOTE);
	}
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(c->obj[0], 0, size), NULL);
}

/*
 * An alignment the natural layout would not give by chance: 40-byte
 * objects at 256, 72-byte objects at 64 (kmem_cache_create() kerneldoc:
 * "@align: The required alignment for the objects").
 */
static void kmem_cache_honours_large_alignment(struct kunit *test)
{
	static const unsigned int layouts[][2] = { { 40, 256 }, { 72, 64 } };
	unsigned int l, i;

	for (l = 0; l < ARRAY_SIZE(layouts); l++) {
		unsigned int size = layouts[l][0], align = layouts[l][1];
		struct kmem_cache *s = cache_for_test(test, "kunit_cache_big_align",
						      size, align, 0, NULL);
		struct cache_object *c = objects_for_test(test, s);

		for (i = 0; i < ARRAY_SIZE(c->obj); i++) {
			c->obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, c->obj[i]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)c->obj[i] % align,
					    0, "size %u object %u not %u-aligned",
					    size, i, align);
		}
	}
}

/*
 * SLAB_HWCACHE_ALIGN: "align objs on cache lines" (include/linux/slab.h).
 * Objects of at most half a line are packed several to a line instead,
 * which the flag's comment does not promise either way, so only larger
 * objects are checked: one and a half lines, a little more than half a
 * line, and three lines and a bit.
 */
static void kmem_cache_hwcache_align_aligns_to_cache_lines(struct kunit *test)
{
	const unsigned int line = cache_line_size();
	const unsigned int sizes[] = { line / 2 + 8, line + line / 2,
				       3 * line + 8 };
	unsigned int n, i;

	for (n = 0; n < ARRAY_SIZE(sizes); n++) {
		unsigned int size = sizes[n], align = line;
		struct kmem_cache *s;
		struct cache_object *c;

		s = cache_for_test(test, "kunit_cache_hwalign", size, 0,
				   SLAB_HWCACHE_ALIGN, NULL);
		c = objects_for_test(test, s);
		for (i = 0; i < ARRAY_SIZE(c->obj); i++) {
			c->obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, c->obj[i]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)c->obj[i] % align,
					    0, "size %u: object not %u-aligned",
					    size, align);
		}
	}
}

/*
 * Two caches of the same size and flags, without constructors, may be
 * merged into one: kmem_cache_create() then returns the cache it merged
 * with. SLAB_NO_MERGE "prevents merging with compatible kmem caches"
 * (include/linux/slab.h), so such a cache is a cache of its own. Whether
 * the other two merged is reported (slab_nomerge and debugging turn
 * merging off).
 */
static void kmem_cache_no_merge_keeps_a_cache_apart(struct kunit *test)
{
	struct kmem_cache *a = cache_for_test(test, "kunit_cache_merge_a", 96,
					      0, 0, NULL);
	struct kmem_cache *b = cache_for_test(test, "kunit_cache_merge_b", 96,
					      0, 0, NULL);
	struct kmem_cache *apart = cache_for_test(test, "kunit_cache_apart",
						  96, 0, SLAB_NO_MERGE, NULL);

	kunit_info(test, "two mergeable caches %s\n",
		   a == b ? "were merged" : "stayed apart");
	KUNIT_EXPECT_PTR_NE(test, apart, a);
	KUNIT_EXPECT_PTR_NE(test, apart, b);
}

static atomic_t bulk_ctor_calls = ATOMIC_INIT(0);

static void bulk_ctor(void *obj)
{
	atomic_inc(&bulk_ctor_calls);
	memset(obj, PATTERN, 64);
}

struct bulk {
	struct kmem_cache *cache;
	void *obj[64];
	int nr;
};

static void free_bulk(void *ctx)
{
	struct bulk *b = ctx;

	if (b->nr > 0)
		kmem_cache_free_bulk(b->cache, b->nr, b->obj);
	b->nr = 0;
}

/*
 * kmem_cache_alloc_bulk() returns all the objects asked for or none
 * (slab.h kerneldoc), each distinct, aligned, and constructed when the
 * cache has a constructor; kmem_cache_free_bulk() takes them all back.
 */
static void kmem_cache_bulk_allocates_constructed_objects(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_bulk", 64, 64,
					      0, bulk_ctor);
	struct bulk *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	int i, j;

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->cache = s;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_bulk, b), 0);
	atomic_set(&bulk_ctor_calls, 0);
	b->nr = kmem_cache_alloc_bulk(s, GFP_KERNEL, ARRAY_SIZE(b->obj),
				      b->obj);
	KUNIT_ASSERT_EQ(test, b->nr, (int)ARRAY_SIZE(b->obj));
	for (i = 0; i < b->nr; i++) {
		KUNIT_EXPECT_EQ(test, (unsigned long)b->obj[i] % 64, 0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(b->obj[i], PATTERN, 64),
					NULL, "object %d not constructed", i);
		for (j = 0; j < i; j++)
			if (b->obj[j] == b->obj[i])
				KUNIT_FAIL(test, "objects %d and %d are one", j, i);
	}
	KUNIT_EXPECT_GE(test, atomic_read(&bulk_ctor_calls), b->nr);
	free_bulk(b);
	KUNIT_EXPECT_EQ(test, b->nr, 0);
}

struct rcu_object {
	int type;
	int payload;
};

#define RCU_OBJECT_TYPE 0x7ea5

static void rcu_object_ctor(void *obj)
{
	((struct rcu_object *)obj)->type = RCU_OBJECT_TYPE;
}

/*
 * SLAB_TYPESAFE_BY_RCU: a freed object's memory stays an object of the
 * same type until a grace period has passed, and what a constructor
 * initialised "at page-allocation time" can be relied on under
 * rcu_read_lock() (the flag's comment in include/linux/slab.h): the type
 * field the constructor wrote still reads as such after the free, and in
 * the object handed out next.
 */
static void kmem_cache_typesafe_by_rcu_keeps_the_type(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_rcu",
					      sizeof(struct rcu_object), 0,
					      SLAB_TYPESAFE_BY_RCU,
					      rcu_object_ctor);
	struct cache_object *c = objects_for_test(test, s);
	struct rcu_object *o = kmem_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_EXPECT_EQ(test, o->type, RCU_OBJECT_TYPE);
	o->payload = 1;
	rcu_read_lock();
	kmem_cache_free(s, o);
	KUNIT_EXPECT_EQ(test, READ_ONCE(o->type), RCU_OBJECT_TYPE);
	rcu_read_unlock();
	c->obj[0] = kmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->obj[0]);
	KUNIT_EXPECT_EQ(test, ((struct rcu_object *)c->obj[0])->type,
			RCU_OBJECT_TYPE);
}

/*
 * kmem_cache_destroy() of a cache whose objects were all freed first
 * (memory-allocation.rst) frees it quietly, and a cache of the same name
 * can be made again at once; destroying NULL is a no-op.
 */
static void kmem_cache_destroy_frees_the_cache(struct kunit *test)
{
	unsigned int round;

	for (round = 0; round < 3; round++) {
		struct kmem_cache *s = kmem_cache_create("kunit_cache_destroy",
							 48, 0, 0,
							 NULL);
		void *p;

		KUNIT_ASSERT_NOT_NULL(test, s);
		p = kmem_cache_alloc(s, GFP_KERNEL);
		if (p)
			kmem_cache_free(s, p);
		kmem_cache_destroy(s);
		KUNIT_EXPECT_NOT_NULL(test, p);
	}
	kmem_cache_destroy(NULL);
}

static struct kunit_case kmem_cache_test_cases[] = {
	KUNIT_CASE(kmem_cache_honours_size_and_align),
	KUNIT_CASE(kmem_cache_honours_large_alignment),
	KUNIT_CASE(kmem_cache_hwcache_align_aligns_to_cache_lines),
	KUNIT_CASE(kmem_cache_runs_constructor),
	KUNIT_CASE(kmem_cache_zalloc_zeroes),
	KUNIT_CASE(kmem_cache_no_merge_keeps_a_cache_apart),
	KUNIT_CASE(kmem_cache_bulk_allocates_constructed_objects),
	KUNIT_CASE(kmem_cache_typesafe_by_rcu_keeps_the_type),
	KUNIT_CASE(kmem_cache_destroy_frees_the_cache),
	{}
};

static struct kunit_suite kmem_cache_test_suite = {
	.name = "mm_alloc_kmem_cache",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = kmem_cache_test_cases,
};

kunit_test_suite(kmem_cache_test_suite);

MODULE_DESCRIPTION("KUnit tests of kmem_cache");
MODULE_LICENSE("GPL");
