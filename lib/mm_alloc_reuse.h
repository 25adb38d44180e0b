/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zeroing that proves it: a zeroing allocator is only shown to zero when
 * it hands back memory that held something. Fresh memory is often zero
 * already (UML's always is), so a kzalloc() that stopped zeroing would pass
 * a check on it. mm_alloc_dirty_reuse() fills a buffer with a pattern,
 * frees it, and allocates with the zeroing call until that returns memory
 * the dirty buffer used, as kfence_test.c's test_gfpzero does: the same
 * object for kmalloc memory, one of the same physical pages for vmalloc
 * memory.
 */
#ifndef _MM_ALLOC_REUSE_H
#define _MM_ALLOC_REUSE_H

#include <kunit/test.h>
#include <linux/bsearch.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#define MM_ALLOC_DIRT 0xd1
#define MM_ALLOC_REUSE_TRIES 64

/*
 * One kmalloc call site for both allocations of a reuse check. With
 * RANDOM_KMALLOC_CACHES every call site draws from one of several copies
 * of the kmalloc caches, chosen by the caller's address (mm/slab_common.c,
 * kmalloc_type()), so an object one site freed is not handed to another.
 * Not inlined, and not a tail call (the barrier), so that the caller's
 * address is in this function whoever calls it.
 */
static noinline __maybe_unused void *
mm_alloc_kmalloc_one_site(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	barrier();
	return p;
}

/*
 * Why reuse may not come, for a skip message: slab_debug allocates from the
 * first partial slab (mm/slub.c, alloc_single_from_partial()), not the
 * object freed last.
 */
#define MM_ALLOC_REUSE_ORDER_NOTE (IS_ENABLED(CONFIG_SLUB_DEBUG_ON) ? \
	" (slab_debug allocates from the first partial slab)" : "")

/* An allocator and its zeroing form, with sizes in bytes. */
struct mm_alloc_zeroing {
	const char *name;
	void *(*alloc)(size_t size);
	void *(*zalloc)(size_t size);
	void (*free)(const void *p);
};

static inline int mm_alloc_cmp_pfn(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The sorted pfns of a vmalloc buffer's pages, in a kvmalloc'd array. */
static inline unsigned long *mm_alloc_vmalloc_pfns(const void *p,
						   size_t size,
						   unsigned int *nr)
{
	unsigned long *pfns;
	unsigned int i;

	*nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	pfns = kvmalloc_array(*nr, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return NULL;
	for (i = 0; i < *nr; i++)
		pfns[i] = vmalloc_to_pfn(p + (size_t)i * PAGE_SIZE);
	sort(pfns, *nr, sizeof(*pfns), mm_alloc_cmp_pfn, NULL);
	return pfns;
}

/* How many pages of vmalloc buffer @q are among the sorted @pfns. */
static inline unsigned int mm_alloc_pages_shared(const unsigned long *pfns,
						 unsigned int nr,
						 const void *q, size_t size)
{
	unsigned int i, shared = 0;

	for (i = 0; i < PAGE_ALIGN(size) >> PAGE_SHIFT; i++) {
		unsigned long pfn = vmalloc_to_pfn(q + (size_t)i * PAGE_SIZE);

		if (bsearch(&pfn, pfns, nr, sizeof(*pfns), mm_alloc_cmp_pfn))
			shared++;
	}
	return shared;
}

/*
 * A block the page allocator serves goes back to the buddy lists when it
 * is freed, where it may merge with its buddy or be queued at the tail
 * (mm/page_alloc.c, __free_one_page(), buddy_merge_likely()): the next
 * allocation of its order then takes another block, run after run. Those
 * other blocks are held until the search ends, up to 64 MiB and at most a
 * sixteenth of RAM, so the free list of that order drains and the dirty
 * block comes back.
 */
#define MM_ALLOC_HOLD_BYTES \
	min(64UL << 20, (totalram_pages() / 16) << PAGE_SHIFT)

/*
 * A buffer of @size from @z->zalloc that reuses memory @z->alloc just
 * returned and that was freed full of MM_ALLOC_DIRT; NULL when none
 * came back in MM_ALLOC_REUSE_TRIES tries. The caller frees it.
 */
static inline void *mm_alloc_dirty_reuse(struct kunit *test,
					 const struct mm_alloc_zeroing *z,
					 size_t size)
{
	void *held[MM_ALLOC_REUSE_TRIES], *found = NULL;
	unsigned int try, nr = 0, nr_held = 0;
	const char *failed = NULL;

	for (try = 0; try < MM_ALLOC_REUSE_TRIES; try++) {
		unsigned long *pfns = NULL, old;
		void *p = z->alloc(size), *q;
		bool reused;

		if (!p) {
			failed = "the dirty buffer";
			break;
		}
		memset(p, MM_ALLOC_DIRT, size);
		if (is_vmalloc_addr(p)) {
			pfns = mm_alloc_vmalloc_pfns(p, size, &nr);
			if (!pfns) {
				z->free(p);
				failed = "its page list";
				break;
			}
		}
		old = (unsigned long)p;
		z->free(p);
		q = z->zalloc(size);
		if (!q) {
			kvfree(pfns);
			failed = "the zeroed buffer";
			break;
		}
		if (pfns)
			reused = is_vmalloc_addr(q) &&
				 mm_alloc_pages_shared(pfns, nr, q, size);
		else
			reused = (unsigned long)q == old;
		kvfree(pfns);
		if (reused) {
			found = q;
			break;
		}
		if (!is_vmalloc_addr(q) && size > KMALLOC_MAX_CACHE_SIZE &&
		    (size_t)(nr_held + 1) * size <= MM_ALLOC_HOLD_BYTES)
			held[nr_held++] = q;
		else
			z->free(q);
	}
	while (nr_held)
		z->free(held[--nr_held]);
	KUNIT_ASSERT_NULL_MSG(test, failed, "%s: no memory for %s of %zu bytes",
			      z->name, failed, size);
	return found;
}

#endif /* _MM_ALLOC_REUSE_H */
