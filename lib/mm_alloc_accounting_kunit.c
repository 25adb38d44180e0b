// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests that every free path gives memory back to the kernel's own
 * accounting.
 *
 * For each way the kernel offers to free kmalloc, kmem_cache and vmalloc
 * memory, a batch large enough that per-cpu counter deltas cannot hide a
 * miss (BATCH_BYTES) is allocated, the counter it belongs to must move by
 * about that much (so the check can see), and after the free path free
 * pages, slab pages and vmalloc pages must be back where they were: a
 * path that forgot to free, or that freed but mis-counted (a vmalloc
 * counter taken below where it started, for instance), fails.
 *
 * Slack: SLUB keeps a few empty slabs per cache on its partial lists
 * (min_partial, and per-cpu partial slabs), and vmalloc keeps page tables
 * it populated; SLACK_PAGES covers those, an eighth of a batch. Larger
 * slabs keep more: booted with slab_min_order=1, slab_min_objects=64 and
 * two NUMA nodes, kfree() left 66 pages behind, over a sixteenth.
 * A path that leaks the batch leaves all of it.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Any value a page's owner might leave in page->private. */
#define STALE_PRIVATE	0x5ca1ab1eUL

/*
 * A batch is counted in pages, not bytes: slabs and counters work in
 * pages, and what SLUB already holds free in partial slabs is a number of
 * pages too. 1024 pages is 4 MiB with 4 KiB pages, 64 MiB with 64 KiB.
 */
#define BATCH_PAGES	1024UL
#define BATCH_BYTES	(BATCH_PAGES << PAGE_SHIFT)
#define SLACK_PAGES	(BATCH_PAGES / 8)
#define OBJ_SIZE	512
#define NR_OBJS		(BATCH_BYTES / OBJ_SIZE)
#define VBUF_SIZE	(16 * PAGE_SIZE)
#define NR_VBUFS	(BATCH_BYTES / VBUF_SIZE)
#define BLOCK_ORDER	2

/* What a free path frees; filled by its alloc step. */
struct batch {
	void **objs;
	unsigned int nr;
	struct kmem_cache *cache;
	struct page **pages;
	unsigned int still_used;	/* pages vunmap() left with other users */
};

enum counter { SLAB, VMALLOC, PAGES };

struct free_path {
	const char *name;
	enum counter moves;	/* the counter the batch must show up in */
	void (*alloc)(struct kunit *test, struct batch *b);
	void (*free)(struct batch *b);
};

static void alloc_objs(struct kunit *test, struct batch *b, size_t size,
		       void *(*alloc)(struct batch *b, size_t size))
{
	unsigned int i;

	b->nr = BATCH_BYTES / size;
	b->objs = kvcalloc(b->nr, sizeof(*b->objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->objs);
	for (i = 0; i < b->nr; i++) {
		b->objs[i] = alloc(b, size);
		if (!b->objs[i])
			break;
		memset(b->objs[i], 0x6b, size);
	}
	KUNIT_EXPECT_EQ_MSG(test, i, b->nr, "allocation %u of %u failed", i,
			    b->nr);
}

static void *kmalloc_one(struct batch *b, size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void *cache_one(struct batch *b, size_t size)
{
	return kmem_cache_alloc(b->cache, GFP_KERNEL);
}

static void *vmalloc_one(struct batch *b, size_t size)
{
	return vmalloc(size);
}

static void *kvmalloc_one(struct batch *b, size_t size)
{
	return kvmalloc(size, GFP_KERNEL);
}

static void kmalloc_batch(struct kunit *test, struct batch *b)
{
	alloc_objs(test, b, OBJ_SIZE, kmalloc_one);
}

/* Objects the page allocator serves, counted as slab pages all the same. */
static void kmalloc_large_batch(struct kunit *test, struct batch *b)
{
	alloc_objs(test, b, 2 * KMALLOC_MAX_CACHE_SIZE, kmalloc_one);
}

/* High-order blocks that are not compound pages (no __GFP_COMP). */
static void page_block_batch(struct kunit *test, struct batch *b)
{
	unsigned int i;

	b->nr = BATCH_PAGES >> BLOCK_ORDER;
	b->pages = kvcalloc(b->nr, sizeof(*b->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->pages);
	for (i = 0; i < b->nr; i++) {
		b->pages[i] = alloc_pages(GFP_KERNEL, BLOCK_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, b->pages[i]);
	}
}

static void cache_batch(struct kunit *test, struct batch *b)
{
	/* it may be merged with kmalloc-512; its slabs count the same */
	b->cache = kmem_cache_create("kunit_cache_acct", OBJ_SIZE, 0, 0,
				     NULL);
	KUNIT_ASSERT_NOT_NULL(test, b->cache);
	alloc_objs(test, b, OBJ_SIZE, cache_one);
}

static void vmalloc_batch(struct kunit *test, struct batch *b)
{
	alloc_objs(test, b, VBUF_SIZE, vmalloc_one);
}

/* kvmalloc memory of both kinds: slab objects and vmalloc buffers. */
static void kvmalloc_batch(struct kunit *test, struct batch *b)
{
	unsigned int i;

	alloc_objs(test, b, VBUF_SIZE, kvmalloc_one);
	for (i = 0; i < b->nr; i += 2) {
		kvfree(b->objs[i]);
		b->objs[i] = vmalloc(VBUF_SIZE);
		KUNIT_ASSERT_NOT_NULL(test, b->objs[i]);
	}
}

/* Pages of our own, mapped with vmap() in VBUF_SIZE pieces. */
static void vmap_batch(struct kunit *test, struct batch *b, unsigned long flags)
{
	const unsigned int per_map = VBUF_SIZE >> PAGE_SHIFT;
	unsigned int i, j;

	b->nr = NR_VBUFS;
	b->objs = kvcalloc(b->nr, sizeof(*b->objs), GFP_KERNEL);
	b->pages = kvcalloc(BATCH_PAGES, sizeof(*b->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->objs);
	KUNIT_ASSERT_NOT_NULL(test, b->pages);
	for (i = 0; i < b->nr; i++) {
		struct page **pages = b->pages + i * per_map;

		for (j = 0; j < per_map; j++) {
			pages[j] = alloc_page(GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, pages[j]);
		}
		if (flags & VM_MAP_PUT_PAGES) {
			/* vfree() will free the pages and this array */
			struct page **own = kvmalloc_array(per_map,
							   sizeof(*own),
							   GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, own);
			memcpy(own, pages, per_map * sizeof(*own));
			b->objs[i] = vmap(own, per_map, flags, PAGE_KERNEL);
			if (!b->objs[i])
				kvfree(own);
		} else {
			b->objs[i] = vmap(pages, per_map, flags, PAGE_KERNEL);
		}
		KUNIT_ASSERT_NOT_NULL(test, b->objs[i]);
		memset(b->objs[i], 0x6b, VBUF_SIZE);
	}
}

static void vmap_plain_batch(struct kunit *test, struct batch *b)
{
	vmap_batch(test, b, VM_MAP);
}

static void vmap_put_pages_batch(struct kunit *test, struct batch *b)
{
	vmap_batch(test, b, VM_MAP | VM_MAP_PUT_PAGES);
}

static void free_with_kfree(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kfree(b->objs[i]);
}

static void free_with_kfree_sensitive(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kfree_sensitive(b->objs[i]);
}

static void free_with_kvfree_sensitive(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kvfree_sensitive(b->objs[i], VBUF_SIZE);
}

static void free_with_kfree_bulk(struct batch *b)
{
	kfree_bulk(b->nr, b->objs);
}

static void free_with_kmem_cache_free(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kmem_cache_free(b->cache, b->objs[i]);
	kmem_cache_shrink(b->cache);
}

static void free_with_kmem_cache_free_bulk(struct batch *b)
{
	kmem_cache_free_bulk(b->cache, b->nr, b->objs);
	kmem_cache_shrink(b->cache);
}

static void free_with_kvfree(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kvfree(b->objs[i]);
}

static void free_with_vfree(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		vfree(b->objs[i]);
}

/* vfree_atomic() defers to a work item: wait until the pages are back. */
static void free_with_vfree_atomic(struct batch *b)
{
	long before = vmalloc_nr_pages();
	unsigned int i, waited;

	for (i = 0; i < b->nr; i++)
		vfree_atomic(b->objs[i]);
	for (waited = 0; waited < 50; waited++) {
		if (vmalloc_nr_pages() <= before - (long)BATCH_PAGES)
			break;
		msleep(20);
	}
}

/*
 * A non-compound block freed while someone else still holds a reference
 * to its first page: __free_pages() frees the rest at once, the first
 * page when that reference goes (mm/page_alloc.c, __free_pages()).
 */
static void free_with_extra_reference(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		get_page(b->pages[i]);
		__free_pages(b->pages[i], BLOCK_ORDER);
		put_page(b->pages[i]);
	}
}

/* vunmap() leaves the pages to their owner, who frees them after. */
static void free_with_vunmap(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		vunmap(b->objs[i]);
	for (i = 0; i < BATCH_PAGES; i++) {
		b->still_used += page_count(b->pages[i]) != 1;
		__free_page(b->pages[i]);
	}
}

static const struct free_path free_paths[] = {
	{ "kfree", SLAB, kmalloc_batch, free_with_kfree },
	{ "kfree_sensitive", SLAB, kmalloc_batch, free_with_kfree_sensitive },
	{ "kfree_bulk", SLAB, kmalloc_batch, free_with_kfree_bulk },
	{ "kfree_bulk_large", SLAB, kmalloc_large_batch, free_with_kfree_bulk },
	{ "kmem_cache_free", SLAB, cache_batch, free_with_kmem_cache_free },
	{ "kmem_cache_free_bulk", SLAB, cache_batch,
	  free_with_kmem_cache_free_bulk },
	{ "kvfree", PAGES, kvmalloc_batch, free_with_kvfree },
	{ "kvfree_sensitive", PAGES, kvmalloc_batch, free_with_kvfree_sensitive },
	{ "vfree", VMALLOC, vmalloc_batch, free_with_vfree },
	{ "vfree_atomic", VMALLOC, vmalloc_batch, free_with_vfree_atomic },
	{ "vunmap", PAGES, vmap_plain_batch, free_with_vunmap },
	{ "free_pages_with_extra_reference", PAGES, page_block_batch,
	  free_with_extra_reference },
	{ "vfree_vm_map_put_pages", PAGES, vmap_put_pages_batch,
	  free_with_vfree },
};

static void free_path_to_desc(const struct free_path *path, char *desc)
{
	strscpy(desc, path->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(free_path, free_paths, free_path_to_desc);

static void release_batch(void *ctx)
{
	struct batch *b = ctx;

	kvfree(b->objs);
	kvfree(b->pages);
	kmem_cache_destroy(b->cache);
}

/*
 * Memory freed through @path comes back to the counters: free pages, slab
 * pages and vmalloc pages return to where they were before the batch was
 * allocated, within SLACK_PAGES; vmalloc pages, an exact count, within a
 * thread stack's worth (a kernel thread started meanwhile has a vmalloc'ed
 * stack). The batch first shows up in the counter it belongs to.
 */
static void free_path_returns_memory_to_the_counters(struct kunit *test)
{
	const struct free_path *path = test->param_value;
	const long stacks = 2 * THREAD_SIZE / PAGE_SIZE;
	struct mm_alloc_counters before, held, after;
	struct batch *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	long grew;

	KUNIT_ASSERT_NOT_NULL(test, b);
	if (path->moves == SLAB)
		mm_alloc_skip_if_quarantine(test,
					    "slab pages come back only later");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_batch, b), 0);
	mm_alloc_read_counters(&before);
	path->alloc(test, b);
	mm_alloc_read_counters(&held);
	path->free(b);
	mm_alloc_read_counters(&after);
	KUNIT_EXPECT_EQ_MSG(test, b->still_used, 0,
			    "pages with a reference left after vunmap()");
	kunit_info(test, "held: free %+ld, slab %+ld, vmalloc %+ld; after %s: free %+ld, slab %+ld, vmalloc %+ld pages\n",
		   held.free_pages - before.free_pages,
		   held.slab_pages - before.slab_pages,
		   held.vmalloc_pages - before.vmalloc_pages, path->name,
		   after.free_pages - before.free_pages,
		   after.slab_pages - before.slab_pages,
		   after.vmalloc_pages - before.vmalloc_pages);

	/* the batch is visible where it belongs, so a miss would be too */
	grew = path->moves == SLAB ? held.slab_pages - before.slab_pages :
	       path->moves == VMALLOC ? held.vmalloc_pages - before.vmalloc_pages :
	       before.free_pages - held.free_pages;
	KUNIT_EXPECT_GE_MSG(test, grew, (long)(BATCH_PAGES - SLACK_PAGES),
			    "the batch did not show in its counter");

	KUNIT_EXPECT_GE_MSG(test, after.free_pages,
			    before.free_pages - (long)SLACK_PAGES,
			    "free pages did not come back");
	KUNIT_EXPECT_LE_MSG(test, after.slab_pages,
			    before.slab_pages + (long)SLACK_PAGES,
			    "slab pages did not come back");
	KUNIT_EXPECT_LE_MSG(test, after.vmalloc_pages,
			    before.vmalloc_pages + stacks,
			    "vmalloc pages did not come back");
	KUNIT_EXPECT_GE_MSG(test, after.vmalloc_pages,
			    before.vmalloc_pages - stacks,
			    "vmalloc pages fell below where they started");
}

/*
 * kfree_sensitive() "clears sensitive information in memory before
 * freeing": "the memory of the object @p points to is zeroed before freed"
 * (its kerneldoc in mm/slab_common.c), all of it, ksize() bytes. Seen on
 * the same object allocated again without zeroing, after the allocator
 * has had it back: all its bytes are zero but for at most one aligned
 * word, which a free object may lend to the allocator's own freelist
 * (mm/slub.c, set_freepointer()). kvfree_sensitive() clears @len bytes
 * the same way (mm/util.c kerneldoc), here the whole kmalloc object.
 */
static void kfree_sensitive_zeroes_the_whole_object(struct kunit *test)
{
	const size_t sizes[] = { 24, 200, PAGE_SIZE, KMALLOC_MAX_CACHE_SIZE };
	unsigned int i, try, kv;

	/* kfree_sensitive(), then kvfree_sensitive() of the whole object */
	for (kv = 0; kv < 2; kv++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *p = NULL, *q = NULL;
			size_t ks = 0, nonzero, j, first = 0;

			for (try = 0; try < 64; try++) {
				unsigned long old;

				/* ask for the whole class, so that all of it is ours */
				ks = kmalloc_size_roundup(sizes[i]);
				p = mm_alloc_kmalloc_one_site(ks, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, p);
				KUNIT_ASSERT_EQ(test, ksize(p), ks);
				memset(p, 0xa5, ks);
				old = (unsigned long)p;
				if (kv)
					kvfree_sensitive(p, ks);
				else
					kfree_sensitive(p);
				q = mm_alloc_kmalloc_one_site(ks, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, q);
				if ((unsigned long)q == old)
					break;
				kfree(q);
				q = NULL;
			}
			if (!q) {
				mm_alloc_skip_if_quarantine(test,
							    "the object just freed is not reused");
				kunit_skip(test, "never got the freed object back%s",
					   MM_ALLOC_REUSE_ORDER_NOTE);
			}
			if (!memchr_inv(q + ks / 2, POISON_FREE, ks / 4)) {
				kfree(q);
				kunit_skip(test,
					   "slab_debug poisons free objects: what was zeroed is overwritten");
			}
			for (j = 0, nonzero = 0; j < ks; j++)
				if (q[j] && !nonzero++)
					first = j;
			for (j = first; j < ks; j++)
				if (q[j] && j / sizeof(void *) != first / sizeof(void *))
					break;
			kfree(q);
			KUNIT_EXPECT_EQ_MSG(test, j, ks,
					    "%s, size %zu: byte %zu of %zu kept its contents",
					    kv ? "kvfree_sensitive" : "kfree_sensitive",
					    sizes[i], j, ks);
		}
	}
}

/*
 * The bulk page allocator fills only the empty slots of the array and
 * returns how many slots hold a page, so a call on a full array returns
 * its size (mm/page_alloc.c, alloc_pages_bulk kerneldoc). It "attempts"
 * to fill them: it may stop early (with page_owner on it takes one page
 * a call), so the array is filled by calling again.
 */
static unsigned long pages_held(struct page **pages, unsigned int nr)
{
	unsigned long held = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		held += !!pages[i];
	return held;
}

static void alloc_pages_bulk_counts_what_the_array_holds(struct kunit *test)
{
	struct page **pages = kunit_kcalloc(test, 16, sizeof(*pages),
					    GFP_KERNEL);
	unsigned long got = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < 16 && got < 16; i++) {
		got = alloc_pages_bulk_array(GFP_KERNEL, 16, pages);
		KUNIT_EXPECT_EQ(test, got, pages_held(pages, 16));
	}
	if (got == 16) {
		got = alloc_pages_bulk_array(GFP_KERNEL, 16, pages);
		KUNIT_EXPECT_EQ_MSG(test, got, 16UL, "on a full array");
	} else {
		KUNIT_FAIL(test, "16 calls filled %lu of 16 slots", got);
	}
	for (i = 0; i < 16; i++)
		if (pages[i])
			__free_page(pages[i]);
}

/*
 * A page goes back to the allocator clean. No kerneldoc says so, but
 * ac1ea219590c had free_pages_prepare() clear page->private after a page
 * with a stale value had come back in a later allocation: slub, shmem
 * and others leave set. A stale value would survive in a page that merges
 * into a larger free block as its upper half and comes back as a tail
 * page of a later high-order allocation, where nothing clears it. It is
 * read right after the free, with interrupts off: the page is then on
 * this CPU's per-cpu list, which only this CPU allocates from.
 */
static void freed_page_keeps_no_private(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long flags, left;

	KUNIT_ASSERT_NOT_NULL(test, page);
	set_page_private(page, STALE_PRIVATE);
	local_irq_save(flags);
	__free_page(page);
	left = page_private(page);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ_MSG(test, left, 0UL,
			    "a freed page kept page->private %#lx", left);
}

static struct kunit_case alloc_accounting_test_cases[] = {
	KUNIT_CASE_PARAM(free_path_returns_memory_to_the_counters,
			 free_path_gen_params),
	KUNIT_CASE(kfree_sensitive_zeroes_the_whole_object),
	KUNIT_CASE(alloc_pages_bulk_counts_what_the_array_holds),
	KUNIT_CASE(freed_page_keeps_no_private),
	{}
};

static struct kunit_suite alloc_accounting_test_suite = {
	.name = "mm_alloc_accounting",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = alloc_accounting_test_cases,
};

kunit_test_suite(alloc_accounting_test_suite);

MODULE_DESCRIPTION("KUnit tests of memory accounting on every free path");
MODULE_LICENSE("GPL");
