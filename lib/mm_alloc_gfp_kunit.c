// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of GFP flags across the allocators, as a table.
 *
 * Each row is an allocator, a size and GFP flags that the allocator
 * supports (include/linux/gfp_types.h and memory-allocation.rst say what
 * each flag means; the kerneldoc of kvmalloc_node() and vmalloc says which
 * flags each takes), and what the allocator must return: memory (in the
 * linear map, or vmalloc memory), zeroed memory, or NULL. Non-blocking
 * flags run with a spinlock held and must not sleep. The _node variants
 * must place memory on every node that has some.
 *
 * To add a row: add it to gfp_rows[]; sizes come from PAGE_SIZE and
 * KMALLOC_MAX_SIZE.
 */

#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/rcupdate.h>
#include <linux/vmstat.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_kunit.h"

enum gfp_allocator { KMALLOC, KMEM_CACHE, KVMALLOC, VMALLOC };
/* What the row must get back. */
enum gfp_result { LINEAR, VMALLOC_MEMORY, EITHER, NO_MEMORY };

static const char * const allocator_names[] = {
	[KMALLOC] = "kmalloc", [KMEM_CACHE] = "kmem_cache",
	[KVMALLOC] = "kvmalloc", [VMALLOC] = "vmalloc",
};

struct gfp_row {
	const char *flags_name;
	enum gfp_allocator allocator;
	size_t size;
	gfp_t gfp;
	enum gfp_result result;
};

#define SIZE_SMALL	64
#define SIZE_PAGES	(3 * PAGE_SIZE)
#define SIZE_BEYOND	(2 * KMALLOC_MAX_SIZE)
#define ROW(alloc, size, flags, result) \
	{ #flags, alloc, size, flags, result }

static const struct gfp_row gfp_rows[] = {
	/* kmalloc and kmem_cache serve every context, from the linear map */
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_NOWAIT, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_ATOMIC, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_NORETRY, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_RETRY_MAYFAIL, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_ZERO, LINEAR),
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_NOWARN, LINEAR),
	/* __GFP_NOFAIL above order 1 WARNs by design: small sizes only */
	ROW(KMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_NOFAIL, LINEAR),
	ROW(KMALLOC, SIZE_PAGES, GFP_KERNEL, LINEAR),
	ROW(KMALLOC, SIZE_PAGES, GFP_NOWAIT, LINEAR),
	ROW(KMALLOC, SIZE_PAGES, GFP_ATOMIC, LINEAR),
	ROW(KMALLOC, SIZE_PAGES, GFP_KERNEL | __GFP_NORETRY, LINEAR),
	ROW(KMALLOC, SIZE_PAGES, GFP_KERNEL | __GFP_ZERO, LINEAR),
	ROW(KMALLOC, SIZE_BEYOND, GFP_KERNEL | __GFP_NOWARN, NO_MEMORY),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_KERNEL, LINEAR),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_NOWAIT, LINEAR),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_ATOMIC, LINEAR),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_KERNEL | __GFP_NORETRY, LINEAR),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_KERNEL | __GFP_ZERO, LINEAR),
	ROW(KMEM_CACHE, SIZE_SMALL, GFP_KERNEL | __GFP_NOFAIL, LINEAR),
	/*
	 * kvmalloc: kmalloc's memory up to a page; above, a blocking caller
	 * may get either kind. GFP_NOWAIT and GFP_ATOMIC are "not supported"
	 * (kvmalloc_node() kerneldoc), yet callers pass them, and since
	 * 30c19366636f they never fall back to vmalloc: kmalloc's memory, or
	 * NULL beyond KMALLOC_MAX_SIZE.
	 */
	ROW(KVMALLOC, SIZE_SMALL, GFP_KERNEL, LINEAR),
	ROW(KVMALLOC, SIZE_SMALL, GFP_NOWAIT, LINEAR),
	ROW(KVMALLOC, SIZE_SMALL, GFP_ATOMIC, LINEAR),
	ROW(KVMALLOC, SIZE_SMALL, GFP_KERNEL | __GFP_NOFAIL, LINEAR),
	ROW(KVMALLOC, SIZE_PAGES, GFP_KERNEL, EITHER),
	ROW(KVMALLOC, SIZE_PAGES, GFP_NOWAIT, LINEAR),
	ROW(KVMALLOC, SIZE_PAGES, GFP_ATOMIC, LINEAR),
	ROW(KVMALLOC, SIZE_PAGES, GFP_KERNEL | __GFP_ZERO, EITHER),
	ROW(KVMALLOC, SIZE_BEYOND, GFP_KERNEL, VMALLOC_MEMORY),
	ROW(KVMALLOC, SIZE_BEYOND, GFP_KERNEL | __GFP_RETRY_MAYFAIL, VMALLOC_MEMORY),
	ROW(KVMALLOC, SIZE_BEYOND, GFP_KERNEL | __GFP_ZERO, VMALLOC_MEMORY),
	ROW(KVMALLOC, SIZE_BEYOND, GFP_NOWAIT | __GFP_NOWARN, NO_MEMORY),
	ROW(KVMALLOC, SIZE_BEYOND, GFP_ATOMIC | __GFP_NOWARN, NO_MEMORY),
	/*
	 * vmalloc takes GFP_KERNEL, GFP_NOFS and GFP_NOIO, with __GFP_ZERO,
	 * __GFP_NOWARN and __GFP_NOFAIL (__vmalloc_node_range() kerneldoc).
	 */
	ROW(VMALLOC, SIZE_SMALL, GFP_KERNEL, VMALLOC_MEMORY),
	ROW(VMALLOC, SIZE_PAGES, GFP_NOFS, VMALLOC_MEMORY),
	ROW(VMALLOC, SIZE_PAGES, GFP_NOIO, VMALLOC_MEMORY),
	ROW(VMALLOC, SIZE_PAGES, GFP_KERNEL | __GFP_ZERO, VMALLOC_MEMORY),
	ROW(VMALLOC, SIZE_BEYOND, GFP_KERNEL | __GFP_NOWARN, VMALLOC_MEMORY),
};

static void gfp_row_to_desc(const struct gfp_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_%zu_%s",
		 allocator_names[row->allocator], row->size, row->flags_name);
	/* KTAP names: no spaces or '|' */
	strreplace(desc, ' ', '_');
	strreplace(desc, '|', '+');
}

KUNIT_ARRAY_PARAM(gfp_row, gfp_rows, gfp_row_to_desc);

static struct kmem_cache *gfp_cache;

static int alloc_gfp_suite_init(struct kunit_suite *suite)
{
	gfp_cache = kmem_cache_create("kunit_cache_gfp", SIZE_SMALL, 0, 0, NULL);
	if (!gfp_cache)
		return -ENOMEM;
	return mm_alloc_suite_init(suite);
}

static void alloc_gfp_suite_exit(struct kunit_suite *suite)
{
	mm_alloc_suite_exit(suite);
	kmem_cache_destroy(gfp_cache);
}

static void *gfp_alloc(const struct gfp_row *row)
{
	switch (row->allocator) {
	case KMALLOC:
		return kmalloc(row->size, row->gfp);
	case KMEM_CACHE:
		return kmem_cache_alloc(gfp_cache, row->gfp);
	case KVMALLOC:
		return kvmalloc(row->size, row->gfp);
	default:
		return __vmalloc(row->size, row->gfp);
	}
}

static void gfp_free(const struct gfp_row *row, void *p)
{
	if (row->allocator == KMEM_CACHE)
		kmem_cache_free(gfp_cache, p);
	else
		kvfree(p);
}

/*
 * The row's allocation returns what the row says; with __GFP_ZERO every
 * byte is zero; non-blocking flags run under a spinlock and the task
 * never sleeps (a sleep would also print a report, which fails the case).
 */
static void gfp_flags_are_honoured(struct kunit *test)
{
	const struct gfp_row *row = test->param_value;
	bool blocking = gfpflags_allow_blocking(row->gfp);
	static DEFINE_SPINLOCK(lock);
	unsigned long switches = 0;
	void *p;

	if (blocking) {
		p = gfp_alloc(row);
	} else {
		spin_lock(&lock);
		switches = current->nvcsw;	/* a sleep is a voluntary switch */
		p = gfp_alloc(row);
		switches = current->nvcsw - switches;
		spin_unlock(&lock);
	}
	KUNIT_EXPECT_EQ_MSG(test, switches, 0, "slept with a spinlock held");
	if (row->result == NO_MEMORY) {
		KUNIT_EXPECT_NULL(test, p);
		if (p)
			gfp_free(row, p);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (row->result == LINEAR) {
		KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
		KUNIT_EXPECT_TRUE(test, virt_addr_valid(p));
	} else if (row->result == VMALLOC_MEMORY) {
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	}
	if (row->gfp & __GFP_ZERO)
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, 0, row->allocator ==
						     KMEM_CACHE ? SIZE_SMALL :
						     row->size), NULL);
	memset(p, 0x3c, row->allocator == KMEM_CACHE ? SIZE_SMALL : row->size);
	gfp_free(row, p);
}

/* The memory's node: the first page's for vmalloc memory. */
static int memory_node(const void *p)
{
	return page_to_nid(is_vmalloc_addr(p) ? vmalloc_to_page(p) :
			   virt_to_page(p));
}

/*
 * kmalloc_node(), kvmalloc_node() and vmalloc_node() place memory on the
 * node asked for when it has free memory (slab.h, vmalloc.h kerneldoc),
 * on every node that has memory; with __GFP_THISNODE the memory comes
 * from that node or not at all (gfp_types.h).
 */
static void node_variants_use_the_node(struct kunit *test)
{
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		void *k = kmalloc_node(SIZE_PAGES, GFP_KERNEL, nid);
		void *kv = kvmalloc_node(SIZE_BEYOND, GFP_KERNEL, nid);
		void *v = vmalloc_node(SIZE_PAGES, nid);
		void *this = kmalloc_node(SIZE_SMALL, GFP_KERNEL | __GFP_THISNODE,
					  nid);
		struct page *page = alloc_pages_node(nid, GFP_KERNEL |
						     __GFP_THISNODE, 1);

		KUNIT_EXPECT_NOT_NULL(test, this);
		KUNIT_EXPECT_NOT_NULL(test, page);
		if (this && !is_kfence_address(this))
			KUNIT_EXPECT_EQ_MSG(test, memory_node(this), nid,
					    "kmalloc_node(__GFP_THISNODE)");
		if (page)
			KUNIT_EXPECT_EQ_MSG(test, page_to_nid(page), nid,
					    "alloc_pages_node(__GFP_THISNODE)");
		kfree(this);
		if (page)
			__free_pages(page, 1);

		KUNIT_EXPECT_NOT_NULL(test, k);
		KUNIT_EXPECT_NOT_NULL(test, kv);
		KUNIT_EXPECT_NOT_NULL(test, v);
		if (k)
			KUNIT_EXPECT_EQ_MSG(test, memory_node(k), nid, "kmalloc_node");
		if (kv)
			KUNIT_EXPECT_EQ_MSG(test, memory_node(kv), nid,
					    "kvmalloc_node");
		if (v)
			KUNIT_EXPECT_EQ_MSG(test, memory_node(v), nid, "vmalloc_node");
		kfree(k);
		kvfree(kv);
		vfree(v);
	}
}

struct zone_row {
	const char *flags_name;
	bool slab;		/* kmalloc(), else alloc_pages() */
	gfp_t gfp;
};

#define ZONE_ROW(slab, flags) { #flags, slab, flags }

/*
 * The zone modifiers and the GFP types built on them (gfp_types.h, "Zone
 * modifiers", "Useful GFP flag combinations"): memory comes from the zone
 * gfp_zone() names or a lower one; GFP_DMA from the lowest zone, ZONE_DMA;
 * GFP_DMA32 below 4 GiB; GFP_KERNEL and GFP_USER memory the kernel can
 * address directly, never highmem and never ZONE_MOVABLE.
 */
static const struct zone_row zone_rows[] = {
	ZONE_ROW(false, GFP_KERNEL),
	ZONE_ROW(false, GFP_USER),
	ZONE_ROW(false, GFP_HIGHUSER),
	ZONE_ROW(false, GFP_HIGHUSER_MOVABLE),
	ZONE_ROW(false, GFP_KERNEL | __GFP_MOVABLE),
	ZONE_ROW(false, GFP_KERNEL | GFP_DMA),
	ZONE_ROW(false, GFP_KERNEL | GFP_DMA32),
	ZONE_ROW(true, GFP_KERNEL),
	ZONE_ROW(true, GFP_KERNEL | GFP_DMA),
};

static void zone_row_to_desc(const struct zone_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_%s",
		 row->slab ? "kmalloc" : "alloc_pages", row->flags_name);
	strreplace(desc, ' ', '_');
	strreplace(desc, '|', '+');
}

KUNIT_ARRAY_PARAM(zone_row, zone_rows, zone_row_to_desc);

#define ZONE_ROW_PAGES 64

static bool zone_is_dma(enum zone_type zone)
{
#ifdef CONFIG_ZONE_DMA
	return zone == ZONE_DMA;
#else
	return false;
#endif
}

static void memory_comes_from_the_allowed_zones(struct kunit *test)
{
	const struct zone_row *row = test->param_value;
	bool direct = !(row->gfp & (__GFP_HIGHMEM | __GFP_MOVABLE));
	enum zone_type highest = gfp_zone(row->gfp);
	unsigned int i;

	if ((row->gfp & __GFP_DMA) && !IS_ENABLED(CONFIG_ZONE_DMA))
		kunit_skip(test, "no ZONE_DMA here (CONFIG_ZONE_DMA)");
	if ((row->gfp & __GFP_DMA32) && !IS_ENABLED(CONFIG_ZONE_DMA32))
		kunit_skip(test, "no ZONE_DMA32 here (CONFIG_ZONE_DMA32)");

	/* several, so that one from the wrong zone has a chance to show */
	for (i = 0; i < ZONE_ROW_PAGES; i++) {
		struct page *page = NULL;
		void *obj = NULL;
		enum zone_type zone;

		if (row->slab) {
			obj = kmalloc(SIZE_SMALL, row->gfp);
			KUNIT_ASSERT_NOT_NULL(test, obj);
			page = virt_to_page(obj);
		} else {
			page = alloc_page(row->gfp);
			KUNIT_ASSERT_NOT_NULL(test, page);
		}
		zone = page_zonenum(page);
		KUNIT_EXPECT_LE_MSG(test, zone, highest, "%s: zone %d above %d",
				    row->flags_name, zone, highest);
		if (row->gfp & __GFP_DMA)
			KUNIT_EXPECT_TRUE_MSG(test, zone_is_dma(zone),
					      "%s: not from ZONE_DMA", row->flags_name);
		if (row->gfp & __GFP_DMA32)
			KUNIT_EXPECT_LE_MSG(test, (u64)page_to_phys(page) + PAGE_SIZE - 1,
					    (u64)DMA_BIT_MASK(32),
					    "%s: above 4 GiB", row->flags_name);
		if (direct) {
			KUNIT_EXPECT_FALSE(test, PageHighMem(page));
			KUNIT_EXPECT_NE_MSG(test, zone, ZONE_MOVABLE,
					    "%s: from ZONE_MOVABLE", row->flags_name);
		}
		kfree(obj);
		if (!obj)
			__free_page(page);
	}
}

/*
 * Slab memory of objects whose pages "can be freed via shrinkers"
 * (gfp_types.h, __GFP_RECLAIMABLE; SLAB_RECLAIM_ACCOUNT, slab.h) is counted
 * as reclaimable slab, SReclaimable (Documentation/filesystems/proc.rst):
 * kmalloc() with __GFP_RECLAIMABLE, and a cache made with
 * SLAB_RECLAIM_ACCOUNT. Counted over enough objects that the noise of
 * other slab users is small beside it.
 */
#define RECLAIMABLE_OBJECTS 1024
#define RECLAIMABLE_SIZE 512

static void reclaimable_slab_is_counted_as_reclaimable(struct kunit *test)
{
	void **objs = kunit_kcalloc(test, RECLAIMABLE_OBJECTS, sizeof(*objs),
				    GFP_KERNEL);
	const long bytes = RECLAIMABLE_OBJECTS * RECLAIMABLE_SIZE;
	struct kmem_cache *s;
	unsigned int round, i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	s = kmem_cache_create("kunit_cache_reclaimable", RECLAIMABLE_SIZE, 0,
			      SLAB_RECLAIM_ACCOUNT, NULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (round = 0; round < 2; round++) {
		long rec, unrec;

		rcu_barrier();
		rec = global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
		unrec = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
		for (i = 0; i < RECLAIMABLE_OBJECTS; i++) {
			objs[i] = round ? kmem_cache_alloc(s, GFP_KERNEL) :
				  kmalloc(RECLAIMABLE_SIZE,
					  GFP_KERNEL | __GFP_RECLAIMABLE);
			if (!objs[i])
				break;
		}
		rec = global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) - rec;
		unrec = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) - unrec;
		KUNIT_EXPECT_EQ(test, i, RECLAIMABLE_OBJECTS);
		while (i--) {
			if (round)
				kmem_cache_free(s, objs[i]);
			else
				kfree(objs[i]);
		}
		KUNIT_EXPECT_GE_MSG(test, rec << PAGE_SHIFT, bytes / 2,
				    "%s: %ld reclaimable slab pages for %ld bytes",
				    round ? "SLAB_RECLAIM_ACCOUNT" : "__GFP_RECLAIMABLE",
				    rec, bytes);
		KUNIT_EXPECT_LT_MSG(test, unrec << PAGE_SHIFT, bytes / 2,
				    "%s: %ld unreclaimable slab pages grew",
				    round ? "SLAB_RECLAIM_ACCOUNT" : "__GFP_RECLAIMABLE",
				    unrec);
	}
	kmem_cache_destroy(s);
}

static struct kunit_case alloc_gfp_test_cases[] = {
	KUNIT_CASE_PARAM(gfp_flags_are_honoured, gfp_row_gen_params),
	KUNIT_CASE(node_variants_use_the_node),
	KUNIT_CASE_PARAM(memory_comes_from_the_allowed_zones, zone_row_gen_params),
	KUNIT_CASE(reclaimable_slab_is_counted_as_reclaimable),
	{}
};

static struct kunit_suite alloc_gfp_test_suite = {
	.name = "mm_alloc_gfp",
	.suite_init = alloc_gfp_suite_init,
	.suite_exit = alloc_gfp_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = alloc_gfp_test_cases,
};

kunit_test_suite(alloc_gfp_test_suite);

MODULE_DESCRIPTION("KUnit tests of GFP flags across the allocators");
MODULE_LICENSE("GPL");
