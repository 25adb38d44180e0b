// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of memory pools (mm/mempool.c): the reserve a pool keeps so
 * that its allocations "*never* fail when called from process contexts".
 *
 * Each pool here allocates its elements through a backing allocator of the
 * test's own, which counts its calls and can be told to fail: that is how
 * a case tells the reserve from fresh memory, without making the kernel
 * short of memory. The kerneldoc of each function in mm/mempool.c is the
 * contract checked.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define MIN_NR		4
/* an alignment kmalloc memory of ELEMENT_SIZE bytes does not have */
#define POOL_CACHE_ALIGN	256
#define ELEMENT_SIZE	96

/* The backing allocator of a pool: kmalloc, counted, failing on demand. */
struct backing {
	atomic_t allocs, frees;
	bool fail;
};

static void *backing_alloc(gfp_t gfp, void *data)
{
	struct backing *b = data;
	void *p;

	if (READ_ONCE(b->fail))
		return NULL;
	p = kmalloc(ELEMENT_SIZE, gfp);
	if (p)
		atomic_inc(&b->allocs);
	return p;
}

static void backing_free(void *element, void *data)
{
	struct backing *b = data;

	atomic_inc(&b->frees);
	kfree(element);
}

static struct backing *backing_for_test(struct kunit *test)
{
	struct backing *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	return b;
}

KUNIT_DEFINE_ACTION_WRAPPER(mempool_exit_action, mempool_exit, mempool_t *);

/* A pool of @min_nr elements from @b, exited when the case ends. */
static mempool_t *pool_for_test(struct kunit *test, struct backing *b,
				int min_nr)
{
	mempool_t *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, mempool_init(pool, min_nr, backing_alloc,
					   backing_free, b), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mempool_exit_action,
							pool), 0);
	return pool;
}

/*
 * Take elements with GFP_NOWAIT until the pool has none, with a spinlock
 * held: a pool never sleeps while it has elements or the backing allocator
 * succeeds ("only sleeps if the alloc_fn() function sleeps or returns
 * NULL"). Returns how many it took; they are in @out.
 */
static unsigned int take_all(struct kunit *test, mempool_t *pool,
			     void **out, unsigned int max)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long switches;
	unsigned int n = 0;

	spin_lock(&lock);
	switches = current->nvcsw;
	while (n < max && (out[n] = mempool_alloc(pool, GFP_NOWAIT | __GFP_NOWARN)))
		n++;
	switches = current->nvcsw - switches;
	spin_unlock(&lock);
	KUNIT_EXPECT_EQ_MSG(test, switches, 0, "mempool_alloc(GFP_NOWAIT) slept");
	return n;
}

static void give_back(mempool_t *pool, void **elements, unsigned int n)
{
	while (n--)
		mempool_free(elements[n], pool);
}

/*
 * mempool_init() preallocates the "minimum number of elements guaranteed
 * to be allocated for this pool", and mempool_exit() frees "all reserved
 * elements"; mempool_exit() also takes a zeroed pool that was never
 * initialized.
 */
static void mempool_init_fills_the_reserve(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	mempool_t *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	mempool_exit(pool);
	KUNIT_ASSERT_EQ(test, mempool_init(pool, MIN_NR, backing_alloc,
					   backing_free, b), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs), MIN_NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->frees), 0);
	mempool_exit(pool);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->frees), MIN_NR);
}

/*
 * When the backing allocator fails, mempool_alloc() hands out the reserve,
 * all of it and no more: without __GFP_DIRECT_RECLAIM it then returns
 * NULL instead of waiting. mempool_free() puts an element back into a pool
 * below its minimum, where the next mempool_alloc() finds it, and gives
 * an element to the backing allocator's free function once the pool is
 * full again.
 */
static void mempool_alloc_falls_back_to_the_reserve(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	mempool_t *pool = pool_for_test(test, b, MIN_NR);
	void *elements[2 * MIN_NR], *extra, *again;
	unsigned int n;

	WRITE_ONCE(b->fail, true);
	n = take_all(test, pool, elements, ARRAY_SIZE(elements));
	KUNIT_EXPECT_EQ(test, n, MIN_NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs), MIN_NR);
	if (n) {
		mempool_free(elements[--n], pool);
		KUNIT_EXPECT_EQ(test, atomic_read(&b->frees), 0);
		again = mempool_alloc(pool, GFP_NOWAIT | __GFP_NOWARN);
		KUNIT_EXPECT_PTR_EQ(test, again, elements[n]);
		if (again)
			n++;
	}

	/* the backing allocator again: fresh memory, the reserve untouched */
	WRITE_ONCE(b->fail, false);
	extra = mempool_alloc(pool, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, extra);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs), MIN_NR + 1);
	give_back(pool, elements, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->frees), 0);
	mempool_free(extra, pool);	/* the pool is full: freed */
	KUNIT_EXPECT_EQ(test, atomic_read(&b->frees), 1);
}

struct delayed_free {
	struct delayed_work work;
	mempool_t *pool;
	void *element;
};

static void free_later(struct work_struct *work)
{
	struct delayed_free *d = container_of(to_delayed_work(work),
					      struct delayed_free, work);

	mempool_free(d->element, d->pool);
}

/*
 * mempool_alloc() "*never* fails when called from process contexts": with
 * the reserve empty and the backing allocator failing, a blocking caller
 * waits until an element is freed to the pool, and gets that element.
 */
static void mempool_alloc_waits_for_a_free_element(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	mempool_t *pool = pool_for_test(test, b, MIN_NR);
	struct delayed_free *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	void *elements[MIN_NR], *got;
	unsigned int n;

	KUNIT_ASSERT_NOT_NULL(test, d);
	WRITE_ONCE(b->fail, true);
	n = take_all(test, pool, elements, ARRAY_SIZE(elements));
	KUNIT_ASSERT_EQ(test, n, MIN_NR);

	d->pool = pool;
	d->element = elements[--n];
	INIT_DELAYED_WORK(&d->work, free_later);
	schedule_delayed_work(&d->work, msecs_to_jiffies(20));
	got = mempool_alloc(pool, GFP_KERNEL);
	flush_delayed_work(&d->work);
	KUNIT_EXPECT_PTR_EQ(test, got, d->element);
	if (got)
		n++;
	give_back(pool, elements, n);
}

/*
 * mempool_resize() grows or shrinks the guaranteed number of elements.
 * Grown, "new mempool_free() calls will refill it": after as many frees
 * as the new minimum, the reserve holds that many. Shrunk, it keeps only
 * the new minimum and frees the rest.
 */
static void mempool_resize_changes_the_reserve(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	mempool_t *pool = pool_for_test(test, b, MIN_NR);
	void *elements[4 * MIN_NR];
	unsigned int i, n;

	KUNIT_ASSERT_EQ(test, mempool_resize(pool, 2 * MIN_NR), 0);
	for (i = 0; i < 2 * MIN_NR; i++) {
		elements[i] = mempool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, elements[i]);
	}
	give_back(pool, elements, 2 * MIN_NR);
	WRITE_ONCE(b->fail, true);
	n = take_all(test, pool, elements, ARRAY_SIZE(elements));
	KUNIT_EXPECT_EQ_MSG(test, n, 2 * MIN_NR, "reserve after growing to %d",
			    2 * MIN_NR);
	give_back(pool, elements, n);

	KUNIT_ASSERT_EQ(test, mempool_resize(pool, MIN_NR / 2), 0);
	n = take_all(test, pool, elements, ARRAY_SIZE(elements));
	KUNIT_EXPECT_EQ_MSG(test, n, MIN_NR / 2, "reserve after shrinking to %d",
			    MIN_NR / 2);
	give_back(pool, elements, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs) - atomic_read(&b->frees),
			MIN_NR / 2);
}

/*
 * mempool_alloc_preallocated() "only attempts allocating an element from
 * the preallocated elements": never the backing allocator, even when that
 * would succeed, and NULL once the reserve is empty.
 */
static void mempool_alloc_preallocated_uses_only_the_reserve(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	mempool_t *pool = pool_for_test(test, b, MIN_NR);
	void *elements[MIN_NR + 1];
	unsigned int n = 0;

	while (n < ARRAY_SIZE(elements) &&
	       (elements[n] = mempool_alloc_preallocated(pool)))
		n++;
	KUNIT_EXPECT_EQ(test, n, MIN_NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs), MIN_NR);
	give_back(pool, elements, n);
}

/*
 * mempool_create_node() allocates the pool "on" @node_id, with its
 * reserve, and mempool_destroy() frees "all reserved elements in @pool
 * and @pool itself".
 */
static void mempool_create_node_uses_the_node(struct kunit *test)
{
	struct backing *b = backing_for_test(test);
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		mempool_t *pool = mempool_create_node(MIN_NR, backing_alloc,
						      backing_free, b,
						      GFP_KERNEL, nid);

		KUNIT_ASSERT_NOT_NULL(test, pool);
		KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(pool)), nid);
		mempool_destroy(pool);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs), atomic_read(&b->frees));
	KUNIT_EXPECT_EQ(test, atomic_read(&b->allocs),
			MIN_NR * num_node_state(N_MEMORY));
}

KUNIT_DEFINE_ACTION_WRAPPER(mempool_destroy_action, mempool_destroy,
			    mempool_t *);
KUNIT_DEFINE_ACTION_WRAPPER(pool_cache_destroy_action, kmem_cache_destroy,
			    struct kmem_cache *);

/* A pool made by one of mempool.h's constructors, destroyed at the end. */
static void destroy_with_test(struct kunit *test, mempool_t *pool)
{
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							mempool_destroy_action,
							pool), 0);
}

/*
 * The pools mempool.h builds on the standard allocators hand out what
 * their pool_data names: mempool_create_slab_pool() objects of the cache
 * (told apart here by the cache's alignment, which kmalloc memory of that
 * size would not keep; a pool's cache may have no constructor, as the
 * pool poisons its reserve), mempool_create_kmalloc_pool()
 * kmalloc memory of at least the size, mempool_create_page_pool() blocks
 * of 2^order pages, its reserve taken from the page allocator when the
 * pool is made (mm/mempool.c). The block size is counted in free pages:
 * a reserve of order-0 pages would take a sixteenth of it, noise a few
 * pages.
 */
static void mempool_standard_pools_serve_their_kind(struct kunit *test)
{
	const unsigned int order = 4;
	struct mm_alloc_counters before, after;
	struct kmem_cache *cache;
	mempool_t *pool;
	void *held[MIN_NR + 2];
	struct page *page;
	unsigned int i;
	long taken;
	u8 *p;

	cache = kmem_cache_create("mm_alloc_pool", ELEMENT_SIZE, POOL_CACHE_ALIGN,
				  0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, cache);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pool_cache_destroy_action,
							cache), 0);
	pool = mempool_create_slab_pool(MIN_NR, cache);
	destroy_with_test(test, pool);
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		held[i] = mempool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, held[i]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)held[i],
						       POOL_CACHE_ALIGN),
				      "element %u is not an object of the cache", i);
	}
	give_back(pool, held, ARRAY_SIZE(held));

	pool = mempool_create_kmalloc_pool(MIN_NR, ELEMENT_SIZE);
	destroy_with_test(test, pool);
	p = mempool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_GE(test, ksize(p), ELEMENT_SIZE);
	mempool_free(p, pool);

	if (!mm_alloc_size_is_modest(MIN_NR * (PAGE_SIZE << order)))
		kunit_skip(test, "a reserve of %d order-%u blocks is not modest here",
			   MIN_NR, order);
	mm_alloc_read_counters(&before);
	pool = mempool_create_page_pool(MIN_NR, order);
	mm_alloc_read_counters(&after);
	destroy_with_test(test, pool);
	taken = before.free_pages - after.free_pages;
	KUNIT_EXPECT_GE_MSG(test, taken, (long)(MIN_NR << order) / 2,
			    "a reserve of %d order-%u blocks took %ld pages",
			    MIN_NR, order, taken);
	page = mempool_alloc(pool, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	mempool_free(page, pool);
}

/*
 * mempool_create_kvmalloc_pool() hands out kvmalloc memory of at least
 * the size, kmalloc or vmalloc as kvmalloc() chooses, and frees it with
 * kvfree() (mempool.h, mm/mempool.c).
 */
static void mempool_kvmalloc_pool_serves_any_size(struct kunit *test)
{
	const size_t sizes[] = { ELEMENT_SIZE, 4 * PAGE_SIZE + 1 };
	mempool_t *pool;
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pool = mempool_create_kvmalloc_pool(MIN_NR, sizes[i]);
		destroy_with_test(test, pool);
		p = mempool_alloc(pool, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		if (is_vmalloc_addr(p))
			KUNIT_EXPECT_GE(test, get_vm_area_size(find_vm_area(p)),
					sizes[i]);
		else
			KUNIT_EXPECT_GE(test, ksize(p), sizes[i]);
		mempool_free(p, pool);
	}
}

static struct kunit_case mm_alloc_mempool_test_cases[] = {
	KUNIT_CASE(mempool_init_fills_the_reserve),
	KUNIT_CASE(mempool_alloc_falls_back_to_the_reserve),
	KUNIT_CASE(mempool_alloc_waits_for_a_free_element),
	KUNIT_CASE(mempool_resize_changes_the_reserve),
	KUNIT_CASE(mempool_alloc_preallocated_uses_only_the_reserve),
	KUNIT_CASE(mempool_create_node_uses_the_node),
	KUNIT_CASE(mempool_standard_pools_serve_their_kind),
	KUNIT_CASE(mempool_kvmalloc_pool_serves_any_size),
	{}
};

static struct kunit_suite mm_alloc_mempool_test_suite = {
	.name = "mm_alloc_mempool",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = mm_alloc_mempool_test_cases,
};

kunit_test_suite(mm_alloc_mempool_test_suite);

MODULE_DESCRIPTION("KUnit tests of memory pools");
MODULE_LICENSE("GPL");
