// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the page allocator's interfaces beyond alloc_pages():
 * exact-size and contiguous allocations, compound pages, and what the
 * page allocator's debug features (debug_pagealloc, page_poison,
 * page_owner) promise when they are turned on.
 *
 * Sizes come from PAGE_SIZE and MAX_PAGE_ORDER, so the cases hold for any
 * page size; amounts of memory are read from the kernel's own counters
 * (mm_alloc_counters.h).
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page_ref.h>
#include <linux/poison.h>
#include <linux/string.h>
#include <linux/swap.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/*
 * The largest order whose block a case may take by default: the buddy
 * allocator's largest, or less where that is a large part of a small
 * machine (64 KiB pages).
 */
static unsigned int modest_order(void)
{
	unsigned int order = MAX_PAGE_ORDER;

	while (order && !mm_alloc_size_is_modest(PAGE_SIZE << order))
		order--;
	return order;
}

/*
 * alloc_pages_exact() "allocates the minimum number of pages to satisfy
 * the request" (page_alloc.c kerneldoc), unlike alloc_pages(), which
 * takes a power of two: a request one page past half a block takes that
 * many pages, not the block, and free_pages_exact() gives all of them
 * back. The pages are contiguous and the area starts on a page boundary.
 * Counted in free pages: the half block the allocator keeps is far above
 * the noise (at most a few pages over many runs).
 */
static void alloc_pages_exact_takes_only_what_it_needs(struct kunit *test)
{
	unsigned int order = modest_order();
	unsigned long block = 1UL << order, nr = block / 2 + 1, i;
	long margin = (block - nr) / 2, taken, left;
	struct mm_alloc_counters before, during, after;
	void *p;

	if (order < 2)
		kunit_skip(test, "blocks of order %u leave nothing to tell apart",
			   order);
	mm_alloc_read_counters(&before);
	p = alloc_pages_exact(nr * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mm_alloc_read_counters(&during);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(p));
	for (i = 1; i < nr; i++)
		if (page_to_pfn(virt_to_page(p + i * PAGE_SIZE)) !=
		    page_to_pfn(virt_to_page(p)) + i)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, nr, "page %lu is not contiguous", i);
	memset(p, 0x5a, nr * PAGE_SIZE);
	free_pages_exact(p, nr * PAGE_SIZE);
	mm_alloc_read_counters(&after);

	taken = before.free_pages - during.free_pages;
	left = before.free_pages - after.free_pages;
	KUNIT_EXPECT_LE_MSG(test, abs(taken - (long)nr), margin,
			    "%lu pages asked for, %ld taken (a block is %lu)",
			    nr, taken, block);
	KUNIT_EXPECT_LE_MSG(test, abs(left), margin,
			    "free_pages_exact() left %ld of %lu pages out",
			    left, nr);
}

static void *page_plain(size_t size)
{
	return (void *)__get_free_page(GFP_KERNEL);
}

static void *page_zeroed(size_t size)
{
	return (void *)get_zeroed_page(GFP_KERNEL);
}

static void page_free(const void *p)
{
	free_page((unsigned long)p);
}

static const struct mm_alloc_zeroing page_zeroing = {
	"get_zeroed_page", page_plain, page_zeroed, page_free,
};

/*
 * get_zeroed_page() returns a zeroed page (memory-allocation.rst; it is
 * __get_free_page() with __GFP_ZERO), shown on a page just freed full of
 * a pattern.
 */
static void get_zeroed_page_zeroes_on_dirty_reuse(struct kunit *test)
{
	void *p = mm_alloc_dirty_reuse(test, &page_zeroing, PAGE_SIZE);

	if (!p)
		kunit_skip(test, "get_zeroed_page() never reused a page just freed");
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, 0, PAGE_SIZE), NULL);
	free_page((unsigned long)p);
}

/*
 * folio_alloc() allocates a folio of 2^order pages (gfp.h): the folio
 * reports that order, size and page count, holds one reference, and
 * folio_put() frees it.
 */
static void folio_alloc_has_the_order(struct kunit *test)
{
	unsigned int order, last = min(3U, modest_order());

	for (order = 0; order <= last; order++) {
		struct folio *folio = folio_alloc(GFP_KERNEL, order);

		KUNIT_ASSERT_NOT_NULL(test, folio);
		KUNIT_EXPECT_EQ(test, folio_order(folio), order);
		KUNIT_EXPECT_EQ(test, (long)folio_nr_pages(folio), 1L << order);
		KUNIT_EXPECT_EQ(test, folio_size(folio), PAGE_SIZE << order);
		KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 1);
		memset(folio_address(folio), 0x5a, folio_size(folio));
		folio_put(folio);
	}
}

/*
 * __GFP_COMP "address compound page metadata" (gfp_types.h): the block
 * is one compound page, its head knowing the order and each tail page its
 * head. Without it, a block of several pages is not a compound page.
 */
static void gfp_comp_makes_a_compound_page(struct kunit *test)
{
	unsigned int order, i;

	for (order = 1; order <= min(3U, MAX_PAGE_ORDER); order++) {
		struct page *comp = alloc_pages(GFP_KERNEL | __GFP_COMP, order);
		struct page *plain = alloc_pages(GFP_KERNEL, order);

		KUNIT_EXPECT_NOT_NULL(test, comp);
		KUNIT_EXPECT_NOT_NULL(test, plain);
		if (comp) {
			KUNIT_EXPECT_TRUE(test, PageHead(comp));
			KUNIT_EXPECT_EQ(test, compound_order(comp), order);
			for (i = 1; i < 1U << order; i++) {
				KUNIT_EXPECT_TRUE(test, PageTail(comp + i));
				KUNIT_EXPECT_PTR_EQ(test,
						    compound_head(comp + i),
						    comp);
			}
			__free_pages(comp, order);
		}
		if (plain) {
			KUNIT_EXPECT_FALSE(test, PageCompound(plain));
			KUNIT_EXPECT_FALSE(test, PageCompound(plain + 1));
			__free_pages(plain, order);
		}
	}
}

/*
 * nr_free_buffer_pages() counts the pages beyond the high watermark in
 * ZONE_DMA and ZONE_NORMAL (kerneldoc): some, and never more than the
 * RAM the kernel manages.
 */
static void nr_free_buffer_pages_is_within_ram(struct kunit *test)
{
	unsigned long pages = nr_free_buffer_pages();

	KUNIT_EXPECT_GT(test, pages, 0);
	KUNIT_EXPECT_LE(test, pages, totalram_pages());
}

/*
 * alloc_contig_pages() serves what the buddy allocator cannot, more than
 * its largest block: contiguous pages, aligned to their number when that
 * is a power of two, which free_contig_range() or __free_page() on each
 * page give back (kerneldoc). alloc_contig_range() then takes the same
 * range by its pfns, and on success every page of it is the caller's.
 */
#ifdef CONFIG_CONTIG_ALLOC
static void alloc_contig_pages_is_aligned_and_contiguous(struct kunit *test)
{
	unsigned long nr = 2 * MAX_ORDER_NR_PAGES, pfn, i;
	struct mm_alloc_counters before, after;
	struct page *page;
	int ret = -EBUSY, try;

	if (!mm_alloc_size_is_modest(nr * PAGE_SIZE))
		kunit_skip(test, "two of the largest blocks are too much of this machine");

	mm_alloc_read_counters(&before);
	page = alloc_contig_pages(nr, GFP_KERNEL | __GFP_NOWARN,
				  first_online_node, NULL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	KUNIT_EXPECT_EQ_MSG(test, pfn % nr, 0, "pfn %#lx not aligned to %lu pages",
			    pfn, nr);
	for (i = 0; i < nr; i++)
		if (page_count(pfn_to_page(pfn + i)) != 1)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, nr, "page %lu of the range is not the caller's",
			    i);
	/* half by free_contig_range(), half page by page */
	free_contig_range(pfn, nr / 2);
	for (i = nr / 2; i < nr; i++)
		__free_page(pfn_to_page(pfn + i));

	for (try = 0; try < 3 && ret; try++)
		ret = alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE,
					 GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "alloc_contig_range() of a range just freed");
	if (!ret) {
		for (i = 0; i < nr; i++)
			if (page_count(pfn_to_page(pfn + i)) != 1)
				break;
		KUNIT_EXPECT_EQ(test, i, nr);
		free_contig_range(pfn, nr);
	}
	mm_alloc_read_counters(&after);
	KUNIT_EXPECT_LE_MSG(test, abs(before.free_pages - after.free_pages),
			    (long)nr / 4, "contiguous ranges not given back");
}
#else
static void alloc_contig_pages_is_aligned_and_contiguous(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_CONTIG_ALLOC (CMA, or compaction and isolation)");
}
#endif

/*
 * With debug_pagealloc on, pages are unmapped from the kernel's linear
 * mapping when freed (mm/Kconfig.debug, DEBUG_PAGEALLOC), and mapped again
 * when allocated. Interrupts stay off between the free and the look, so
 * that the page stays on this CPU's free list.
 */
static void debug_pagealloc_unmaps_free_pages(struct kunit *test)
{
	struct page *page;
	unsigned long flags;
	int mapped, after_free;
	void *addr;

	if (!debug_pagealloc_enabled())
		kunit_skip(test,
			   "debug_pagealloc is off (CONFIG_DEBUG_PAGEALLOC, debug_pagealloc=on)");
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	addr = page_address(page);
	mapped = mm_alloc_page_mapped(addr);
	if (mapped < 0) {
		__free_page(page);
		kunit_skip(test, "cannot look up the kernel page tables here");
	}
	local_irq_save(flags);
	__free_page(page);
	after_free = mm_alloc_page_mapped(addr);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ_MSG(test, mapped, 1, "an allocated page is not mapped");
	KUNIT_EXPECT_EQ_MSG(test, after_free, 0, "a free page is still mapped");
}

/*
 * With page poisoning on (page_poison=1), the page allocator fills pages
 * with PAGE_POISON when they are freed and verifies the pattern before it
 * hands them out again (mm/Kconfig.debug, PAGE_POISONING): a page it hands
 * out carries the pattern, and a byte written to a free page is reported
 * when the page is next allocated.
 */
static void page_poison_checks_free_pages(struct kunit *test)
{
	unsigned long flags;
	unsigned int try, reported = 0;
	bool same = false;
	struct page *page, *again;
	u8 *p;

	if (!page_poisoning_enabled_static())
		kunit_skip(test, "page poisoning is off (CONFIG_PAGE_POISONING, page_poison=1)");
	if (want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "init_on_alloc zeroes every page it hands out");
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, PAGE_POISON, PAGE_SIZE), NULL,
				"a page handed out does not carry PAGE_POISON");
	__free_page(page);

	if (IS_ENABLED(CONFIG_KASAN) || debug_pagealloc_enabled())
		kunit_skip(test,
			   "a write to a free page is caught earlier (KASAN, debug_pagealloc)");
	for (try = 0; try < 8 && !same; try++) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		p = page_address(page);
		/*
		 * "pagealloc: memory corruption", then dump_page()'s
		 * "page dumped because: pagealloc: corrupted page details"
		 * (mm/page_poison.c): one report, two lines that say so.
		 */
		mm_alloc_expect_report(test, "pagealloc: ");
		/* the page stays on this CPU's free list: taken back next */
		local_irq_save(flags);
		__free_page(page);
		p[PAGE_SIZE / 2] ^= 0xff;
		again = alloc_page(GFP_ATOMIC);
		same = again == page;
		if (!same)	/* still free and ours alone: undo the write */
			p[PAGE_SIZE / 2] ^= 0xff;
		local_irq_restore(flags);
		reported = mm_alloc_expect_report_end(test);
		if (again)
			__free_page(again);
	}
	if (!same)
		kunit_skip(test, "the freed page never came back at once");
	KUNIT_EXPECT_GT_MSG(test, reported, 0,
			    "a byte written to a free page went unreported");
}

/*
 * With page_owner=on, each page records who allocated it (Documentation/
 * mm/page_owner.rst), and dump_page() prints it: the order it was
 * allocated with among the rest.
 */
static void page_owner_records_the_allocation(struct kunit *test)
{
	char val[8] = "";
	struct page *page;
	unsigned int lines;

	if (!IS_ENABLED(CONFIG_PAGE_OWNER))
		kunit_skip(test, "needs CONFIG_PAGE_OWNER");
	if (!mm_alloc_boot_option(test, "page_owner", NULL, val, sizeof(val)) ||
	    strcmp(val, "on"))
		kunit_skip(test, "booted without page_owner=on");
	page = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	lines = MM_ALLOC_COUNT_OUTPUT(test, "page last allocated via order 2,",
				      dump_page(page, "mm_alloc_page_kunit"));
	__free_pages(page, 2);
	KUNIT_EXPECT_EQ(test, lines, 1);
}

static struct kunit_case mm_alloc_page_test_cases[] = {
	KUNIT_CASE(alloc_pages_exact_takes_only_what_it_needs),
	KUNIT_CASE(get_zeroed_page_zeroes_on_dirty_reuse),
	KUNIT_CASE(folio_alloc_has_the_order),
	KUNIT_CASE(gfp_comp_makes_a_compound_page),
	KUNIT_CASE(nr_free_buffer_pages_is_within_ram),
	KUNIT_CASE(alloc_contig_pages_is_aligned_and_contiguous),
	KUNIT_CASE(debug_pagealloc_unmaps_free_pages),
	KUNIT_CASE(page_poison_checks_free_pages),
	KUNIT_CASE(page_owner_records_the_allocation),
	{}
};

static struct kunit_suite mm_alloc_page_test_suite = {
	.name = "mm_alloc_page",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = mm_alloc_page_test_cases,
};

kunit_test_suite(mm_alloc_page_test_suite);

MODULE_DESCRIPTION("KUnit tests of the page allocator's interfaces");
MODULE_LICENSE("GPL");
