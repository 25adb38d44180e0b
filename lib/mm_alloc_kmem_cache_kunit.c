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
#include <linux/kfence.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/poison.h>
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

/*
 * kmem_cache_alloc_node() takes the object from the node asked for
 * (slab.h kerneldoc), on every node that has memory.
 */
static void kmem_cache_alloc_node_uses_the_node(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_node", 200, 0,
					      0, NULL);
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		void *obj = kmem_cache_alloc_node(s, GFP_KERNEL, nid);

		KUNIT_ASSERT_NOT_NULL(test, obj);
		if (!is_kfence_address(obj))
			KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(obj)), nid);
		kmem_cache_free(s, obj);
	}
}

struct freeptr_object {
	u64 keep[3];
	void *free_slot;	/* the allocator's, once the object is free */
	u64 more[2];
};

static void args_ctor(void *obj)
{
	memset(obj, PATTERN, 72);
}

/*
 * __kmem_cache_create_args() takes what kmem_cache_create() takes as
 * struct kmem_cache_args (include/linux/slab.h): the alignment and the
 * constructor are honoured, and a SLAB_TYPESAFE_BY_RCU cache with a
 * freeptr_offset keeps its free pointer there, so that a freed object,
 * still readable under rcu_read_lock(), keeps every other field.
 */
static void kmem_cache_create_args_are_honoured(struct kunit *test)
{
	struct kmem_cache_args args = { .align = 128, .ctor = args_ctor };
	struct kmem_cache_args rcu = {
		.freeptr_offset = offsetof(struct freeptr_object, free_slot),
		.use_freeptr_offset = true,
	};
	struct freeptr_object *o;
	struct kmem_cache *s;
	u8 *held[3];
	unsigned int i;

	s = __kmem_cache_create_args("kunit_cache_args", 72, &args, 0);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							kmem_cache_destroy_action,
							s), 0);
	/* the first object of a slab is aligned anyway: look at several */
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		held[i] = kmem_cache_alloc(s, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, held[i]);
		if (!held[i])
			break;
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)held[i], 128),
				      "object %u: %lu bytes past a 128-byte boundary", i,
				      (unsigned long)held[i] & 127);
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(held[i], PATTERN, 72), NULL);
	}
	kmem_cache_free_bulk(s, i, (void **)held);

	s = __kmem_cache_create_args("kunit_cache_freeptr", sizeof(*o), &rcu,
				     SLAB_TYPESAFE_BY_RCU);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							kmem_cache_destroy_action,
							s), 0);
	o = kmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	memset(o->keep, PATTERN, sizeof(o->keep));
	memset(o->more, PATTERN, sizeof(o->more));
	rcu_read_lock();
	kmem_cache_free(s, o);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(o->keep, PATTERN, sizeof(o->keep)),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(o->more, PATTERN, sizeof(o->more)),
			    NULL);
	rcu_read_unlock();
}

/*
 * The caches kmem_buckets_create() made, which the kernel never destroys
 * (its users make them once): this case destroys them itself, each cache
 * and the bucket array (include/linux/slab.h, kmem_buckets).
 */
static void kmem_buckets_release(void *ctx)
{
	kmem_buckets *b = ctx;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(*b); i++) {
		/* a size may share the cache of the size its alignment gives */
		for (j = 0; j < i && (*b)[j] != (*b)[i]; j++)
			;
		if (j == i)
			kmem_cache_destroy((*b)[i]);
	}
	kfree(b);
}

/*
 * kmem_buckets_create() makes a set of caches for kmem_buckets_alloc(),
 * named after it with their sizes as suffix; without CONFIG_SLAB_BUCKETS
 * it returns ZERO_SIZE_PTR and kmem_buckets_alloc() falls back to
 * kmalloc() (kerneldoc). Which cache an object came from, kmem_dump_obj()
 * says.
 */
static void kmem_buckets_serve_from_their_own_caches(struct kunit *test)
{
	kmem_buckets *b = kmem_buckets_create("kunit_buckets", 0, 0, 0, NULL);
	unsigned int lines;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, b);
	if (b == ZERO_SIZE_PTR) {
		KUNIT_EXPECT_FALSE(test, IS_ENABLED(CONFIG_SLAB_BUCKETS));
	} else {
		KUNIT_EXPECT_TRUE(test, IS_ENABLED(CONFIG_SLAB_BUCKETS));
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								kmem_buckets_release,
								b), 0);
	}
	p = kmem_buckets_alloc(b, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GE(test, ksize(p), 100);
	if (!is_kfence_address(p)) {
		lines = MM_ALLOC_COUNT_OUTPUT(test, " slab kunit_buckets-",
					      kmem_dump_obj(p));
		KUNIT_EXPECT_EQ(test, lines, b == ZERO_SIZE_PTR ? 0 : 1);
	}
	kfree(p);
}

/*
 * An object of @s that is not a KFENCE object: KFENCE's own checks would
 * see what a case does to it first (mm/kfence).
 */
static void *alloc_not_kfence(struct kmem_cache *s);

/*
 * kmem_cache_shrink() "Return: %0 if all slabs were released, non-zero
 * otherwise" (mm/slab_common.c): a cache that holds an object keeps its
 * slab; once the object is freed, every slab goes back. The constructor
 * keeps the cache apart from any other (a merged cache holds others'
 * objects), and a KFENCE object lies in no slab.
 */
static void kmem_cache_shrink_says_whether_slabs_remain(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_shrink", 64, 0,
					      0, pattern_ctor);
	void *p = alloc_not_kfence(s);

	if (!p)
		kunit_skip(test, "every object came from KFENCE");
	KUNIT_EXPECT_NE_MSG(test, kmem_cache_shrink(s), 0,
			    "shrink released the slab of a live object");
	kmem_cache_free(s, p);
	KUNIT_EXPECT_EQ_MSG(test, kmem_cache_shrink(s), 0,
			    "an empty cache kept a slab");
}

static void *alloc_not_kfence(struct kmem_cache *s)
{
	void *held[8], *p = kmem_cache_alloc(s, GFP_KERNEL);
	unsigned int n = 0;

	while (p && is_kfence_address(p) && n < ARRAY_SIZE(held)) {
		held[n++] = p;
		p = kmem_cache_alloc(s, GFP_KERNEL);
	}
	while (n)
		kmem_cache_free(s, held[--n]);
	return p && !is_kfence_address(p) ? p : NULL;
}

static void debug_ctor(void *obj)
{
	memset(obj, 0, 64);
}

/*
 * The debug options of slab_debug, per cache as its flags (Documentation/
 * mm/slub.rst): "F" (SLAB_CONSISTENCY_CHECKS) catches an object freed
 * twice, and "Z" (SLAB_RED_ZONE) with it a write past the object's end,
 * when the object is freed. Each is reported, as an error counted for
 * the case (mm/slub.c, slab_add_kunit_errors()), and the bad free is
 * refused, so the cache stays sound: the object, restored, frees normally
 * and the cache is destroyed without complaint.
 */
static void slab_debug_catches_double_free_and_overflow(struct kunit *test)
{
	struct kmem_cache *s;
	u8 *p;

	if (IS_ENABLED(CONFIG_KASAN))
		kunit_skip(test, "KASAN reports the bad access before SLUB looks");
	mm_alloc_take_slab_errors(test);
	/* the constructor keeps each cache apart: F alone does not */
	s = cache_for_test(test, "kunit_cache_debug_f", 64, 0,
			   SLAB_CONSISTENCY_CHECKS, debug_ctor);
	p = alloc_not_kfence(s);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	KUNIT_EXPECT_GT_MSG(test, mm_alloc_take_slab_errors(test), 0,
			    "F: a double free went unnoticed");

	s = cache_for_test(test, "kunit_cache_debug_fz", 64, 0,
			   SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE, debug_ctor);
	p = alloc_not_kfence(s);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p[kmem_cache_size(s)] ^= 0xff;
	kmem_cache_free(s, p);
	KUNIT_EXPECT_GT_MSG(test, mm_alloc_take_slab_errors(test), 0,
			    "Z: a write past the object went unnoticed");
	kmem_cache_free(s, p);
	KUNIT_EXPECT_EQ(test, mm_alloc_take_slab_errors(test), 0);
}

/*
 * "P" (SLAB_POISON) poisons objects: a free object is full of POISON_FREE
 * ending in POISON_END (include/linux/poison.h), so an object handed out
 * again carries none of what its last user wrote.
 */
static void slab_debug_poisons_free_objects(struct kunit *test)
{
	struct kmem_cache *s = cache_for_test(test, "kunit_cache_debug_p", 64, 0,
					      SLAB_POISON, NULL);
	unsigned int try;
	u8 *p, *q = NULL;

	if (want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "init_on_alloc zeroes what the poison would show");
	mm_alloc_skip_if_quarantine(test, "the object just freed is not reused");
	for (try = 0; try < 8 && !q; try++) {
		p = alloc_not_kfence(s);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, PATTERN, 64);
		kmem_cache_free(s, p);
		q = alloc_not_kfence(s);
		KUNIT_ASSERT_NOT_NULL(test, q);
		if (q != p) {
			kmem_cache_free(s, q);
			q = NULL;
		}
	}
	if (!q)
		kunit_skip(test, "never got the freed object back");
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(q, POISON_FREE, 63), NULL);
	KUNIT_EXPECT_EQ(test, q[63], POISON_END);
	kmem_cache_free(s, q);
}

/*
 * Two caches of the same size and flags, without constructors, are merged
 * into one unless merging is off (Documentation/mm/slub.rst, "Slab
 * merging"): kmem_cache_create() then returns the cache it merged with.
 * Merging is on by default with CONFIG_SLAB_MERGE_DEFAULT, and the boot
 * options slab_nomerge and slab_merge turn it off and on
 * (kernel-parameters.txt); debugging options on every cache turn it off.
 */
static void kmem_cache_merging_follows_the_boot_options(struct kunit *test)
{
	int nomerge = mm_alloc_boot_option(test, "slab_nomerge", "slub_nomerge",
					   NULL, 0);
	int merge = mm_alloc_boot_option(test, "slab_merge", "slub_merge",
					 NULL, 0);
	bool expect = nomerge || merge ? merge > nomerge :
		      IS_ENABLED(CONFIG_SLAB_MERGE_DEFAULT);
	struct kmem_cache *a, *b;

	if (mm_alloc_boot_option(test, "slab_debug", "slub_debug", NULL, 0))
		kunit_skip(test, "slab_debug decides which caches may merge");
	/*
	 * Generic KASAN keeps metadata in every object and marks each cache
	 * SLAB_NO_MERGE for it (mm/kasan/generic.c, kasan_cache_create()).
	 */
	if (IS_ENABLED(CONFIG_SLUB_DEBUG_ON) || IS_ENABLED(CONFIG_KASAN_GENERIC))
		expect = false;
	a = cache_for_test(test, "kunit_cache_mergeable_a", 112, 0, 0, NULL);
	b = cache_for_test(test, "kunit_cache_mergeable_b", 112, 0, 0, NULL);
	KUNIT_EXPECT_EQ_MSG(test, a == b, expect,
			    "merging is %s (slab_nomerge at %d, slab_merge at %d)",
			    expect ? "on" : "off", nomerge, merge);
}

/* The order of the slab an object of @s lives in. */
static unsigned int slab_order_of(struct kunit *test, struct kmem_cache *s)
{
	void *p = alloc_not_kfence(s);
	unsigned int order;

	KUNIT_ASSERT_NOT_NULL(test, p);
	order = folio_order(virt_to_folio(p));
	kmem_cache_free(s, p);
	return order;
}

static unsigned int boot_number(struct kunit *test, const char *name,
				const char *alias, unsigned int fallback)
{
	char val[16];
	unsigned int n;

	if (!mm_alloc_boot_option(test, name, alias, val, sizeof(val)) ||
	    kstrtouint(val, 0, &n))
		return fallback;
	return n;
}

/*
 * The slab order options (Documentation/mm/slub.rst, "Getting more
 * performance"): no slab is of lower order than slab_min_order, none of
 * higher order than slab_max_order unless one object needs more, and a
 * slab holds at least slab_min_objects objects where the maximum order
 * allows that many.
 */
static void slab_orders_follow_the_boot_options(struct kunit *test)
{
	const unsigned int sizes[] = { 16, 256, 1024, 3 * PAGE_SIZE };
	unsigned int min_order, max_order, min_objects, i;

	min_order = boot_number(test, "slab_min_order", "slub_min_order", 0);
	max_order = boot_number(test, "slab_max_order", "slub_max_order", ~0U);
	min_objects = boot_number(test, "slab_min_objects", "slub_min_objects", 0);
	if (!min_order && max_order == ~0U && !min_objects)
		kunit_skip(test,
			   "booted without slab_min_order, slab_max_order or slab_min_objects");
	max_order = max(max_order, min_order);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmem_cache *s = cache_for_test(test, "kunit_cache_order",
						      sizes[i], 0, 0, NULL);
		unsigned int order = slab_order_of(test, s);
		size_t size = kmem_cache_size(s);

		KUNIT_EXPECT_GE_MSG(test, order, min_order, "size %zu", size);
		if (max_order != ~0U)
			KUNIT_EXPECT_LE_MSG(test, order,
					    max_t(unsigned int, max_order,
						  get_order(size)),
					    "size %zu", size);
		if (min_objects && max_order != ~0U &&
		    min_objects * size <= PAGE_SIZE << max_order)
			KUNIT_EXPECT_GE_MSG(test, PAGE_SIZE << order,
					    min_objects * size,
					    "size %zu: fewer than %u objects",
					    size, min_objects);
	}
}

/*
 * slab_debug=O "switches debugging off for caches that would have caused
 * higher minimum slab orders" (Documentation/mm/slub.rst): booted with
 * user tracking (U) and O, a cache of page-sized objects, which the
 * tracking would push past order 0, does not track, and a cache of small
 * objects does. kmem_dump_obj() says whether an object knows who
 * allocated it.
 */
static void slab_debug_o_spares_caches_it_would_grow(struct kunit *test)
{
	char val[32] = "";
	struct kmem_cache *small, *page_sized;
	void *p;
	unsigned int tracked_small, tracked_page;

	if (!IS_ENABLED(CONFIG_SLUB_DEBUG))
		kunit_skip(test, "needs CONFIG_SLUB_DEBUG");
	if (!mm_alloc_boot_option(test, "slab_debug", "slub_debug", val,
				  sizeof(val)) ||
	    strchr(val, ',') || strchr(val, ';') || !strchr(val, 'U') ||
	    !strchr(val, 'O'))
		kunit_skip(test, "booted without slab_debug=UO (for every cache)");
	small = cache_for_test(test, "kunit_cache_o_small", 64, 0, 0, NULL);
	page_sized = cache_for_test(test, "kunit_cache_o_page", PAGE_SIZE, 0, 0,
				    NULL);
	p = alloc_not_kfence(small);
	KUNIT_ASSERT_NOT_NULL(test, p);
	tracked_small = MM_ALLOC_COUNT_OUTPUT(test, " allocated at ",
					      kmem_dump_obj(p));
	kmem_cache_free(small, p);
	p = alloc_not_kfence(page_sized);
	KUNIT_ASSERT_NOT_NULL(test, p);
	tracked_page = MM_ALLOC_COUNT_OUTPUT(test, " allocated at ",
					     kmem_dump_obj(p));
	kmem_cache_free(page_sized, p);
	KUNIT_EXPECT_EQ(test, tracked_small, 1);
	KUNIT_EXPECT_EQ(test, tracked_page, 0);
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
	KUNIT_CASE(kmem_cache_shrink_says_whether_slabs_remain),
	KUNIT_CASE(kmem_cache_alloc_node_uses_the_node),
	KUNIT_CASE(kmem_cache_create_args_are_honoured),
	KUNIT_CASE(kmem_buckets_serve_from_their_own_caches),
	KUNIT_CASE(slab_debug_catches_double_free_and_overflow),
	KUNIT_CASE(slab_debug_poisons_free_objects),
	KUNIT_CASE(kmem_cache_merging_follows_the_boot_options),
	KUNIT_CASE(slab_orders_follow_the_boot_options),
	KUNIT_CASE(slab_debug_o_spares_caches_it_would_grow),
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
