// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what vmalloc() and vmap() promise their callers.
 *
 * vmalloc memory is virtually contiguous, page by page, and need not be
 * physically contiguous (mm/vmalloc.c kerneldoc; memory-allocation.rst).
 * The suite asserts only what is promised: it reports how scattered a
 * plain vmalloc buffer is, and builds scattered pages on purpose (vmap)
 * where a case must show it. Each assertion names its rule; expected values
 * come from PAGE_SIZE, KMALLOC_MAX_SIZE and totalram_pages().
 *
 * A kernel report fails the running case unless the case declared it
 * (mm_alloc_kunit.h): a __GFP_NOWARN call must stay silent.
 */

#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

#define PATTERN 0x5a

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MM_ALLOC_DESTRUCTIVE_PARAM();

/* A WARN_ON_ONCE() warns once per boot: a case may meet it, not require it. */
static const char * const warn_on_once_heads[] = { "WARNING:", NULL };

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

/* vmalloc(@size) that must succeed; freed when the case ends. */
static void *vmalloc_for_test(struct kunit *test, size_t size)
{
	void *p = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "vmalloc(%zu) returned NULL", size);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, p), 0);
	return p;
}

/*
 * Sizes from a byte to beyond what kmalloc serves: each side of a page,
 * an odd size, 1 MiB, KMALLOC_MAX_SIZE and twice it.
 */
static const size_t vmalloc_sizes[] = {
	1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 5 * PAGE_SIZE + 3,
	1 << 20, KMALLOC_MAX_SIZE, 2 * KMALLOC_MAX_SIZE,
};

static void size_to_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size_%zu", *size);
}

KUNIT_ARRAY_PARAM(vmalloc_size, vmalloc_sizes, size_to_desc);

static size_t param_size(struct kunit *test)
{
	return *(const size_t *)test->param_value;
}

/*
 * A vmalloc buffer is page aligned, lies in VMALLOC_START..VMALLOC_END,
 * is_vmalloc_addr() and not in the linear map (!virt_addr_valid()), and the
 * whole of it reads and writes as one range (mm/vmalloc.c, vmalloc()
 * kerneldoc; include/linux/mm.h, is_vmalloc_addr()).
 */
static void vmalloc_is_virtually_contiguous(struct kunit *test)
{
	size_t size = param_size(test);
	u8 *p = vmalloc_for_test(test, size);
	unsigned long start = (unsigned long)p;

	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p + size - 1));
	KUNIT_EXPECT_GE(test, start, VMALLOC_START);
	KUNIT_EXPECT_LE(test, start + size, VMALLOC_END);
	KUNIT_EXPECT_FALSE(test, virt_addr_valid(p));

	memset(p, PATTERN, size);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, PATTERN, size), NULL);
}

/* How many runs of consecutive pfns @nr pages form. */
static unsigned int contiguous_runs(const unsigned long *pfns, unsigned int nr)
{
	unsigned int i, runs = nr ? 1 : 0;

	for (i = 1; i < nr; i++)
		if (pfns[i] != pfns[i - 1] + 1)
			runs++;
	return runs;
}

/*
 * Page by page: the area holds exactly PAGE_ALIGN(size) / PAGE_SIZE pages
 * (find_vm_area(), get_vm_area_size() without the guard page), every page
 * has a backing page (vmalloc_to_page(), vmalloc_to_pfn()), and that page's
 * linear-map alias holds exactly the bytes written through the vmalloc
 * address; where the page tables can be walked (x86_64), they map each
 * page where vmalloc_to_pfn() says. The physical layout is reported, not
 * asserted here: scattering is allowed, not promised (the fragmentation
 * case below shows it where it must hold).
 */
static void vmalloc_maps_every_page(struct kunit *test)
{
	size_t size = param_size(test);
	unsigned int nr = PAGE_ALIGN(size) / PAGE_SIZE, i;
	u8 *p = vmalloc_for_test(test, size);
	struct vm_struct *area = find_vm_area(p);
	unsigned long *pfns;
	phys_addr_t walked;
	void *alias, *differs;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, area);
	KUNIT_EXPECT_EQ(test, get_vm_area_size(area), PAGE_ALIGN(size));
	KUNIT_EXPECT_EQ(test, area->nr_pages, nr);
	pfns = kunit_kmalloc_array(test, nr, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);

	for (i = 0; i < nr; i++) {
		u8 *addr = p + (size_t)i * PAGE_SIZE;
		struct page *page = vmalloc_to_page(addr);

		if (!page || vmalloc_to_pfn(addr) != page_to_pfn(page)) {
			KUNIT_FAIL(test, "page %u of %u has no backing page", i,
				   nr);
			return;
		}
		pfns[i] = page_to_pfn(page);
		if (mm_alloc_walk_phys(addr, &walked) &&
		    walked != PFN_PHYS(pfns[i])) {
			KUNIT_FAIL(test,
				   "page %u: the page tables map it at %pa, vmalloc_to_pfn() says pfn %lu",
				   i, &walked, pfns[i]);
			return;
		}
		/*
		 * Only the bytes asked for (KASAN poisons the rest of the last
		 * page), seen through kmap_local_page(): a highmem page has no
		 * linear-map address.
		 */
		len = min_t(size_t, size - (size_t)i * PAGE_SIZE, PAGE_SIZE);
		memset(addr, i, len);
		alias = kmap_local_page(page);
		differs = memchr_inv(alias, (u8)i, len);
		kunmap_local(alias);
		if (differs) {
			KUNIT_FAIL(test,
				   "page %u: its kernel mapping differs from the vmalloc view",
				   i);
			return;
		}
	}
	if (nr > 1)
		kunit_info(test, "%u pages in %u physically contiguous runs\n",
			   nr, contiguous_runs(pfns, nr));
}

/*
 * With highmem (32-bit, HIGHMEM4G) vmalloc takes its pages from there:
 * it allocates with __GFP_HIGHMEM (mm/vmalloc.c, __vmalloc_area_node())
 * and the page allocator tries the highest zone allowed first
 * (mm/page_alloc.c, gfp_zone()), which has room to spare here. Such a
 * page has no linear-map address: page_address() is NULL while no kmap()
 * holds it (mm/highmem.c), and kmap_local_page() maps it outside the
 * linear map, showing the bytes written through the vmalloc address.
 */
static void vmalloc_takes_highmem_pages(struct kunit *test)
{
#ifdef CONFIG_HIGHMEM
	const unsigned int nr = 256;
	unsigned int i, high = 0;
	struct sysinfo info;
	u8 *p, *alias;

	si_meminfo(&info);
	if (info.freehigh < 16 * nr)
		kunit_skip(test, "highmem has fewer than %u free pages", 16 * nr);
	p = vmalloc_for_test(test, (size_t)nr * PAGE_SIZE);
	for (i = 0; i < nr; i++) {
		struct page *page = vmalloc_to_page(p + (size_t)i * PAGE_SIZE);

		KUNIT_ASSERT_NOT_NULL(test, page);
		if (!PageHighMem(page))
			continue;
		high++;
		memset(p + (size_t)i * PAGE_SIZE, i, PAGE_SIZE);
		KUNIT_EXPECT_NULL_MSG(test, page_address(page), "page %u", i);
		alias = kmap_local_page(page);
		KUNIT_EXPECT_FALSE_MSG(test, virt_addr_valid(alias),
				       "page %u: kmap in the linear map", i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(alias, (u8)i, PAGE_SIZE),
					NULL, "page %u: the kmap shows other bytes",
					i);
		kunmap_local(alias);
	}
	kunit_info(test, "%u of %u vmalloc pages were highmem (%lu free highmem pages of %lu)\n",
		   high, nr, info.freehigh, info.totalhigh);
	KUNIT_EXPECT_EQ(test, high, nr);
#else
	kunit_skip(test, "needs CONFIG_HIGHMEM");
#endif
}

/*
 * The page after an area is an unmapped guard page unless the area was
 * made with VM_NO_GUARD, "don't add guard page" (include/linux/vmalloc.h):
 * an overrun faults instead of landing in a neighbour. Many areas stay
 * alive at once, so each one has a neighbour that a missing guard page
 * would let it run into.
 */
#define GUARD_AREAS 32

static void vfree_areas(void *ctx)
{
	void **areas = ctx;
	unsigned int i;

	for (i = 0; i < GUARD_AREAS; i++)
		vfree(areas[i]);
}

static void vmalloc_has_guard_page(struct kunit *test)
{
	const size_t size = 3 * PAGE_SIZE;
	void **areas = kunit_kcalloc(test, GUARD_AREAS, sizeof(*areas),
				     GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, areas);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_areas, areas), 0);
	for (i = 0; i < GUARD_AREAS; i++) {
		areas[i] = vmalloc(size);
		KUNIT_ASSERT_NOT_NULL(test, areas[i]);
	}
	for (i = 0; i < GUARD_AREAS; i++) {
		u8 *p = areas[i];
		struct vm_struct *area = find_vm_area(p);

		KUNIT_ASSERT_NOT_NULL(test, area);
		KUNIT_EXPECT_FALSE(test, area->flags & VM_NO_GUARD);
		KUNIT_EXPECT_EQ(test, get_vm_area_size(area), size);
		KUNIT_EXPECT_NOT_NULL(test, vmalloc_to_page(p + size - 1));
		KUNIT_EXPECT_NULL_MSG(test, vmalloc_to_page(p + size),
				      "area %u: the page after it is mapped", i);
	}
}

struct page_set {
	struct page *pages[16];
	unsigned int nr;
	void *map;
};

static void free_page_set(void *ctx)
{
	struct page_set *set = ctx;

	if (set->map)
		vunmap(set->map);
	set->map = NULL;
	while (set->nr)
		__free_page(set->pages[--set->nr]);
}

/*
 * vmap() gives one virtually contiguous view of pages that are physically
 * scattered (mm/vmalloc.c, vmap() kerneldoc), and vunmap() leaves the
 * pages themselves alone. The pages are chosen so that no two neighbours
 * in the view are neighbours in physical memory.
 */
static void vmap_joins_scattered_pages(struct kunit *test)
{
	struct page_set *set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);
	struct page_set *spare = kunit_kzalloc(test, sizeof(*spare),
					       GFP_KERNEL);
	const unsigned int want = 8;
	unsigned int i, tries;
	u8 *v;

	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_set, set), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_set, spare), 0);

	for (tries = 0; set->nr < want && tries < 64; tries++) {
		struct page *page = alloc_page(GFP_KERNEL);
		unsigned long last;

		KUNIT_ASSERT_NOT_NULL(test, page);
		last = set->nr ? page_to_pfn(set->pages[set->nr - 1]) : 0;
		if (set->nr && (page_to_pfn(page) == last + 1 ||
				page_to_pfn(page) + 1 == last)) {
			/* keep it away from the set until the case ends */
			if (spare->nr == ARRAY_SIZE(spare->pages))
				free_page_set(spare);
			spare->pages[spare->nr++] = page;
			continue;
		}
		set->pages[set->nr++] = page;
	}
	KUNIT_ASSERT_EQ(test, set->nr, want);

	v = vmap(set->pages, set->nr, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	set->map = v;
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(v));

	memset(v, PATTERN, set->nr * PAGE_SIZE);
	for (i = 0; i < set->nr; i++) {
		u8 *addr = v + (size_t)i * PAGE_SIZE;

		KUNIT_EXPECT_PTR_EQ(test, vmalloc_to_page(addr), set->pages[i]);
		if (i)
			KUNIT_EXPECT_NE(test, page_to_pfn(set->pages[i]),
					page_to_pfn(set->pages[i - 1]) + 1);
		addr[0] = i;
	}
	vunmap(v);
	set->map = NULL;

	/* The pages outlive the mapping, with what was written through it. */
	for (i = 0; i < set->nr; i++) {
		u8 *alias = page_address(set->pages[i]);

		KUNIT_EXPECT_EQ(test, alias[0], (u8)i);
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(alias + 1, PATTERN,
						     PAGE_SIZE - 1), NULL);
	}
}

/*
 * vmap() refuses VM_NO_GUARD and keeps the guard page, since a mapping of
 * pages the caller owns must not run into its neighbour. bd1a8fb2d43f made
 * it so; before, vmap() quietly made an area without a guard page. It also
 * warns, with WARN_ON_ONCE(): the warning is tolerated, not required, as
 * it appears only the first time in a boot.
 */
static void vmap_keeps_its_guard_page(struct kunit *test)
{
	struct page_set *set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);
	struct vm_struct *area;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_set, set), 0);
	for (i = 0; i < 3; i++) {
		set->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, set->pages[i]);
		set->nr++;
	}
	mm_alloc_allow_reports(test, warn_on_once_heads,
			       "vmap() refuses VM_NO_GUARD with WARN_ON_ONCE()");
	set->map = vmap(set->pages, set->nr, VM_MAP | VM_NO_GUARD, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set->map);
	area = find_vm_area(set->map);
	KUNIT_ASSERT_NOT_NULL(test, area);
	KUNIT_EXPECT_FALSE(test, area->flags & VM_NO_GUARD);
	KUNIT_EXPECT_EQ(test, get_vm_area_size(area), set->nr * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, vmalloc_to_page(set->map + set->nr * PAGE_SIZE));
}

/*
 * Beyond KMALLOC_MAX_SIZE, the maximum kmalloc() can allocate
 * (include/linux/slab.h), kmalloc() returns NULL while vmalloc() succeeds:
 * "for large allocations you can use vmalloc()" (memory-allocation.rst).
 * A size above a sixteenth of RAM is left out (8 * KMALLOC_MAX_SIZE is 4
 * GiB with 64 KiB pages); at least one size must be checked.
 */
static void vmalloc_serves_what_kmalloc_cannot(struct kunit *test)
{
	const size_t sizes[] = { 2 * KMALLOC_MAX_SIZE, 8 * KMALLOC_MAX_SIZE };
	unsigned int i, checked = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		void *k;
		u8 *v;

		OPTIMIZER_HIDE_VAR(size);
		k = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		KUNIT_EXPECT_NULL_MSG(test, k, "kmalloc(%zu) succeeded", size);
		kfree(k);
		if (!mm_alloc_size_is_modest(size)) {
			kunit_info(test, "vmalloc(%zu) not checked: more than a sixteenth of RAM\n",
				   size);
			continue;
		}
		v = vmalloc(size);
		KUNIT_ASSERT_NOT_NULL_MSG(test, v, "vmalloc(%zu) returned NULL",
					  size);
		v[0] = PATTERN;
		v[size - 1] = PATTERN;
		KUNIT_EXPECT_EQ(test, v[size - 1], PATTERN);
		vfree(v);
		checked++;
	}
	KUNIT_EXPECT_GT(test, checked, 0U);
}

/*
 * Fragmentation: kmalloc needs one physically contiguous block of order
 * get_order(size), vmalloc only single pages ("the memory allocated by
 * vmalloc ... is not physically contiguous", memory-allocation.rst).
 * The case takes every free page for a moment (__GFP_MEMALLOC reaches
 * below the watermarks and into the reserves, so no block is left
 * anywhere), then gives back every page with an odd pfn. Half of memory is
 * free again, yet no free block is larger than a page: each freed page's
 * buddy is held, so none merge (mm/page_alloc.c, __free_one_page()). Then
 * kmalloc of any size served by the page allocator fails, with
 * __GFP_NORETRY so that it gives up instead of reclaiming, while vmalloc
 * of the same size succeeds from pages no two of which are physically
 * adjacent. Everything held is freed when the case ends, and the OOM
 * killer must not have run. It takes all of memory: destructive.
 */
struct held_pages {
	struct list_head list;
	unsigned long nr;
};

static void release_held_pages(void *ctx)
{
	struct held_pages *held = ctx;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &held->list, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	held->nr = 0;
}

/*
 * Every free block of order @min_order or more, of every zone, highmem and
 * movable ones included, split into pages and held.
 */
static void hold_free_blocks(struct held_pages *held, int min_order)
{
	const gfp_t gfp = __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_MEMALLOC |
			  __GFP_NOWARN;
	struct page *page;
	int order;

	drain_all_pages(NULL);	/* per-cpu lists back to the free areas */
	for (order = MAX_PAGE_ORDER; order >= min_order; order--) {
		while ((page = alloc_pages(gfp, order))) {
			unsigned long i;

			split_page(page, order);
			for (i = 0; i < 1UL << order; i++)
				list_add(&nth_page(page, i)->lru, &held->list);
			held->nr += 1UL << order;
			cond_resched();
		}
	}
}

/*
 * vmalloc(@size) succeeds with no two of its pages physically adjacent.
 * __GFP_RETRY_MAYFAIL: a vmalloc that wrongly wanted contiguous memory
 * here fails cleanly instead of calling the OOM killer.
 */
static void expect_vmalloc_scattered(struct kunit *test, size_t size)
{
	unsigned int nr, i, adjacent = 0;
	unsigned long *pfns;
	u8 *v = __vmalloc(size, GFP_KERNEL | __GFP_RETRY_MAYFAIL);

	KUNIT_ASSERT_NOT_NULL_MSG(test, v, "vmalloc(%zu) failed", size);
	memset(v, PATTERN, size);
	pfns = mm_alloc_vmalloc_pfns(v, size, &nr);
	if (!pfns)
		vfree(v);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	/*
	 * Only pages others freed meanwhile (even pfns) can sit next to the
	 * odd ones: a few, never the many that contiguous blocks would give
	 * (nr - 1). One is allowed even in a 4-page buffer: a debug kernel
	 * (slab_debug, lockdep) frees enough meanwhile to put one there.
	 */
	for (i = 1; i < nr; i++)
		adjacent += pfns[i] - pfns[i - 1] < 2;
	KUNIT_EXPECT_LE_MSG(test, adjacent, max(1U, nr / 32),
			    "vmalloc(%zu): %u of %u pages are next to another",
			    size, adjacent, nr);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(v, PATTERN, size), NULL);
	kvfree(pfns);
	vfree(v);
}

static void vmalloc_succeeds_where_fragmentation_defeats_kmalloc(struct kunit *test)
{
	/* the smallest kmalloc that the page allocator serves, and the largest */
	const unsigned int low = get_order(KMALLOC_MAX_CACHE_SIZE + 1);
	unsigned long kills = mm_alloc_oom_kills(test), freed = 0;
	struct held_pages *held = kunit_kzalloc(test, sizeof(*held),
						GFP_KERNEL);
	struct page *page, *next;
	unsigned int order;

	mm_alloc_skip_unless_destructive(test, "takes every free page");
	/* in pages, as 16 GiB does not fit a 32-bit unsigned long */
	if (totalram_pages() > 1UL << (34 - PAGE_SHIFT))
		kunit_skip(test, "holding every free page of more than 16 GiB takes too long");
	KUNIT_ASSERT_NOT_NULL(test, held);
	INIT_LIST_HEAD(&held->list);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_held_pages, held),
			0);

	hold_free_blocks(held, 0);
	list_for_each_entry_safe(page, next, &held->list, lru) {
		if (page_to_pfn(page) & 1) {
			list_del(&page->lru);
			__free_page(page);
			freed++;
		}
	}
	held->nr -= freed;
	kunit_info(test, "held %lu pages, gave back %lu (every odd pfn)\n",
		   held->nr + freed, freed);
	/* as below: pages others freed meanwhile may have merged */
	hold_free_blocks(held, 1);

	for (order = low; order <= MAX_PAGE_ORDER; order++) {
		size_t size = PAGE_SIZE << order;
		unsigned int try, found = 0;

		/*
		 * kmalloc() with no reclaim flag at all takes what the free
		 * lists hold, and neither reclaims nor compacts, which could
		 * make a block out of movable pages (the initramfs's, say).
		 * Before each try, hold again the blocks that pages others
		 * freed meanwhile (RCU callbacks, deferred work, a process
		 * exiting) made by merging with the odd pages given back: only
		 * a kmalloc that finds a block every time has found one it
		 * should not have.
		 */
		for (try = 0; try < 3; try++) {
			void *k;

			hold_free_blocks(held, 1);
			k = kmalloc(size, __GFP_NOWARN);
			found += !!k;
			kfree(k);
		}
		KUNIT_EXPECT_LT_MSG(test, found, 3,
				    "kmalloc(%zu) found a block of order %u every time",
				    size, order);
	}
	expect_vmalloc_scattered(test, PAGE_SIZE << low);
	expect_vmalloc_scattered(test, KMALLOC_MAX_SIZE);

	release_held_pages(held);
	KUNIT_EXPECT_EQ(test, mm_alloc_oom_kills(test), kills);
}

/* Pages the page allocator has handed out since boot, every zone. */
static unsigned long pages_allocated(struct kunit *test)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long *events = kunit_kcalloc(test, NR_VM_EVENT_ITEMS,
					      sizeof(*events), GFP_KERNEL);
	unsigned long sum = 0;
	int zone;

	KUNIT_ASSERT_NOT_NULL(test, events);
	all_vm_events(events);
	/* FOR_ALL_ZONES(PGALLOC) in vm_event_item.h: one event per zone */
	for (zone = 0; zone < MAX_NR_ZONES; zone++)
		sum += events[PGALLOC_NORMAL - ZONE_NORMAL + zone];
	kunit_kfree(test, events);
	return sum;
#else
	kunit_skip(test, "needs CONFIG_VM_EVENT_COUNTERS to count page allocations");
	return 0;
#endif
}

/*
 * "vmalloc costs more", counted instead of timed: vmalloc() takes "enough
 * pages to cover @size from the page level allocator" at every call (its
 * kerneldoc), while kmalloc of a size a slab cache serves reuses objects
 * and touches the page allocator only when a slab runs out (mm/slub.c).
 * Over ROUNDS alloc+free pairs of each slab size, vmalloc must take at
 * least ROUNDS times its page count from the page allocator, and at least
 * twice as many pages as kmalloc took.
 */
#define COST_ROUNDS 256

static void vmalloc_does_more_page_allocator_work_than_kmalloc(struct kunit *test)
{
	const size_t sizes[] = { 8, 64, 512, PAGE_SIZE / 2, PAGE_SIZE,
				 KMALLOC_MAX_CACHE_SIZE };
	unsigned int i, round;

	mm_alloc_skip_if_quarantine(test,
				    "every kmalloc takes new slab memory");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		unsigned long k_pages, v_pages, start;
		void *p;

		/* one pair first, so that a new slab is not counted */
		kfree(kmalloc(size, GFP_KERNEL));
		start = pages_allocated(test);
		for (round = 0; round < COST_ROUNDS; round++) {
			p = kmalloc(size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			kfree(p);
		}
		k_pages = pages_allocated(test) - start;

		start = pages_allocated(test);
		for (round = 0; round < COST_ROUNDS; round++) {
			p = vmalloc(size);
			KUNIT_ASSERT_NOT_NULL(test, p);
			vfree(p);
		}
		v_pages = pages_allocated(test) - start;

		kunit_info(test, "size %zu, %u alloc+free pairs: kmalloc took %lu pages, vmalloc %lu\n",
			   size, COST_ROUNDS, k_pages, v_pages);
		KUNIT_EXPECT_GE(test, v_pages,
				COST_ROUNDS * (PAGE_ALIGN(size) >> PAGE_SHIFT));
		KUNIT_EXPECT_GE(test, v_pages, 2 * k_pages);
	}
}

/*
 * vmalloc_huge() may "allow using huge pages for the memory" (its
 * kerneldoc) where the architecture has HAVE_ARCH_HUGE_VMALLOC. The
 * contract of vmalloc memory must still hold page by page:
 * vmalloc_to_page() finds a page for every PAGE_SIZE step (5.13 returned
 * NULL for PMD-mapped addresses until the huge vmalloc series fixed it),
 * each a page of its own with a reference, not the tail of a compound page
 * (3b8000ae185c split the huge pages after 5.13 handed out tails with
 * count 0), whose alias holds the bytes written; and freeing gives every
 * page back. When the area was not mapped with huge pages, the case has
 * nothing to check and skips.
 */
static void vmalloc_huge_is_sound_page_by_page(struct kunit *test)
{
	const size_t size = 2 * PMD_SIZE;
	const unsigned int nr = size >> PAGE_SHIFT;
	struct mm_alloc_counters before, after;
	struct vm_struct *area;
	unsigned int i, bad = 0;
	u8 *p;

	if (!IS_ENABLED(CONFIG_HAVE_ARCH_HUGE_VMALLOC))
		kunit_skip(test,
			   "no huge vmalloc mappings here (HAVE_ARCH_HUGE_VMALLOC)");
	mm_alloc_read_counters(&before);
	p = vmalloc_huge(size, GFP_KERNEL);
	/* freed below, not deferred: the counters are read after the free */
	KUNIT_ASSERT_NOT_NULL(test, p);
	area = find_vm_area(p);
	KUNIT_EXPECT_NOT_NULL(test, area);
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	if (area)
		kunit_info(test, "%u pages, mapped with pages of order %u\n",
			   nr, area->page_order);
	if (area && !area->page_order) {
		vfree(p);
		kunit_skip(test, "vmalloc_huge(%zu) was mapped with small pages",
			   size);
	}
#endif
	memset(p, PATTERN, size);
	for (i = 0; i < nr; i++) {
		struct page *page = vmalloc_to_page(p + (size_t)i * PAGE_SIZE);

		if (!page || PageTail(page) || page_count(page) < 1 ||
		    (!PageHighMem(page) &&
		     *(u8 *)page_address(page) != PATTERN)) {
			if (!bad++)
				KUNIT_FAIL(test,
					   "page %u: %s", i, !page ? "not mapped" :
					   PageTail(page) ? "a compound tail" :
					   page_count(page) < 1 ? "count 0" :
					   "its alias holds other bytes");
		}
	}
	KUNIT_EXPECT_EQ(test, bad, 0);

	vfree(p);
	mm_alloc_read_counters(&after);
	KUNIT_EXPECT_GE_MSG(test, after.free_pages,
			    before.free_pages - (long)(nr / 16),
			    "freeing did not give the pages back");
	KUNIT_EXPECT_LE(test, after.vmalloc_pages,
			before.vmalloc_pages + 2 * (long)(THREAD_SIZE / PAGE_SIZE));
}

/*
 * A request for more pages than the machine has returns NULL at once
 * (mm/vmalloc.c checks totalram_pages() first), quietly with __GFP_NOWARN.
 */
static void vmalloc_beyond_ram_fails(struct kunit *test)
{
	size_t size = (totalram_pages() + 1) * PAGE_SIZE;
	void *p;

	OPTIMIZER_HIDE_VAR(size);
	p = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
}

static void *vmalloc_plain(size_t size)
{
	return vmalloc(size);
}

static void *vzalloc_plain(size_t size)
{
	return vzalloc(size);
}

static void *vmalloc_gfp_zero(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

/* the same zone as vmalloc_32_user(): below 4 GiB where that matters */
static void *vmalloc_32_plain(size_t size)
{
	return vmalloc_32(size);
}

static void *vmalloc_user_zeroing(size_t size)
{
	return vmalloc_user(size);
}

static void *vmalloc_32_user_zeroing(size_t size)
{
	return vmalloc_32_user(size);
}

static void *vzalloc_node_zeroing(size_t size)
{
	return vzalloc_node(size, numa_node_id());
}

static void *vcalloc_gfp_zeroing(size_t size)
{
	return __vcalloc(1, size, GFP_KERNEL);
}

static void vfree_zeroing_buffer(const void *p)
{
	vfree(p);
}

static const struct mm_alloc_zeroing vmalloc_zeroings[] = {
	{ "vzalloc", vmalloc_plain, vzalloc_plain, vfree_zeroing_buffer },
	{ "__GFP_ZERO", vmalloc_plain, vmalloc_gfp_zero, vfree_zeroing_buffer },
	{ "vmalloc_user", vmalloc_plain, vmalloc_user_zeroing,
	  vfree_zeroing_buffer },
	{ "vmalloc_32_user", vmalloc_32_plain, vmalloc_32_user_zeroing,
	  vfree_zeroing_buffer },
	{ "vzalloc_node", vmalloc_plain, vzalloc_node_zeroing,
	  vfree_zeroing_buffer },
	{ "__vcalloc", vmalloc_plain, vcalloc_gfp_zeroing, vfree_zeroing_buffer },
};

/*
 * vzalloc(), __GFP_ZERO, vmalloc_user(), vmalloc_32_user(), vzalloc_node()
 * and __vcalloc() return zeroed memory (their kerneldoc),
 * shown on a buffer that reuses physical pages just freed full of a
 * pattern: fresh pages prove nothing, they are often zero already.
 */
static void vzalloc_zeroes_on_dirty_reuse(struct kunit *test)
{
	size_t size = param_size(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmalloc_zeroings); i++) {
		const struct mm_alloc_zeroing *z = &vmalloc_zeroings[i];
		void *p = mm_alloc_dirty_reuse(test, z, size);

		if (!p)
			kunit_skip(test, "%s never reused a page just freed",
				   z->name);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, p),
				0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, size), NULL,
					"%s handed back dirty memory", z->name);
	}
}

/*
 * vmalloc_array() and vcalloc(), and their forms with GFP flags
 * __vmalloc_array() and __vcalloc(), return NULL when n * size overflows.
 */
static void vmalloc_array_overflow_fails(struct kunit *test)
{
	size_t n = SIZE_MAX / 16 + 2, size = 16;
	void *p;

	OPTIMIZER_HIDE_VAR(n);
	p = vmalloc_array(n, size);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
	p = vcalloc(n, size);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
	p = __vmalloc_array(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
	p = __vcalloc(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
}

/*
 * vmalloc_array(), vcalloc(), __vmalloc_array() and __vcalloc() "allocate
 * memory for a virtually contiguous array" of @n elements of @size bytes
 * (mm/util.c kerneldoc): n * size bytes of vmalloc memory, every byte
 * writable, zeroed by the calloc forms. n * size is a whole number of
 * pages, so that a smaller area shows.
 */
static void vmalloc_array_gives_n_elements(struct kunit *test)
{
	const size_t n = 3, size = PAGE_SIZE, bytes = n * size;
	struct {
		const char *name;
		void *p;
		bool zeroed;
	} got[] = {
		{ "vmalloc_array", vmalloc_array(n, size), false },
		{ "vcalloc", vcalloc(n, size), true },
		{ "__vmalloc_array", __vmalloc_array(n, size, GFP_KERNEL), false },
		{ "__vcalloc", __vcalloc(n, size, GFP_KERNEL), true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(got); i++) {
		int err = got[i].p ? kunit_add_action_or_reset(test, vfree_action,
							       got[i].p) : 0;

		KUNIT_ASSERT_EQ(test, err, 0);
	}
	for (i = 0; i < ARRAY_SIZE(got); i++) {
		void *p = got[i].p;

		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "%s", got[i].name);
		KUNIT_EXPECT_TRUE_MSG(test, is_vmalloc_addr(p), "%s",
				      got[i].name);
		KUNIT_EXPECT_GE_MSG(test, get_vm_area_size(find_vm_area(p)),
				    bytes, "%s", got[i].name);
		if (got[i].zeroed)
			KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, bytes),
						NULL, "%s", got[i].name);
		memset(p, MM_ALLOC_DIRT, bytes);
	}
}

/*
 * vfree(NULL) does nothing, and vfree_atomic() may be called with a
 * spinlock held where vfree() may sleep (mm/vmalloc.c kerneldoc of both;
 * CONFIG_DEBUG_ATOMIC_SLEEP turns a sleep there into a splat).
 */
static void vfree_null_and_atomic(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	void *p = vmalloc(PAGE_SIZE);

	KUNIT_ASSERT_NOT_NULL(test, p);
	vfree(NULL);
	spin_lock(&lock);
	vfree_atomic(p);
	spin_unlock(&lock);
}

/*
 * vrealloc() keeps the contents up to the smaller size, growing and
 * shrinking, and returns vmalloc memory; size 0 frees and returns NULL
 * (mm/vmalloc.c, vrealloc() kerneldoc).
 */
static void vrealloc_keeps_contents(struct kunit *test)
{
	const size_t steps[] = { 3 * PAGE_SIZE, 3 * PAGE_SIZE + 100,
				 10 * PAGE_SIZE, PAGE_SIZE / 2 };
	size_t kept = steps[0], i;
	u8 *p = vmalloc(steps[0]), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, PATTERN, steps[0]);
	for (i = 1; i < ARRAY_SIZE(steps); i++) {
		q = vrealloc(p, steps[i], GFP_KERNEL);
		if (!q)
			vfree(p);
		KUNIT_ASSERT_NOT_NULL(test, q);
		p = q;
		kept = min(kept, steps[i]);
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, PATTERN, kept),
					NULL, "after vrealloc to %zu", steps[i]);
		memset(p, PATTERN, steps[i]);
		kept = steps[i];
	}
	KUNIT_EXPECT_NULL(test, vrealloc(p, 0, GFP_KERNEL));
}

/*
 * vmalloc(0) makes no allocation: it returns NULL ("%NULL on error", its
 * kerneldoc). It also warns the first time in a boot, with a
 * WARN_ON_ONCE() that no GFP flag silences (mm/vmalloc.c,
 * __vmalloc_node_range_noprof()): tolerated, not required.
 */
static void vmalloc_zero_size_fails(struct kunit *test)
{
	size_t zero = 0;
	void *p;

	OPTIMIZER_HIDE_VAR(zero);
	mm_alloc_allow_reports(test, warn_on_once_heads,
			       "vmalloc(0) warns with WARN_ON_ONCE()");
	p = vmalloc(zero);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
}

/* @nr single pages, allocated one by one, freed when the case ends. */
struct page_array {
	struct page **pages;
	unsigned int nr;
};

static void free_page_array(void *ctx)
{
	struct page_array *a = ctx;

	while (a->nr)
		__free_page(a->pages[--a->nr]);
}

static struct page **pages_for_test(struct kunit *test, unsigned int nr)
{
	struct page_array *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->pages = kunit_kcalloc(test, nr, sizeof(*a->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a->pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_array, a),
			0);
	/* backwards, so that the mapping does not follow physical order */
	for (; a->nr < nr; a->nr++) {
		a->pages[nr - 1 - a->nr] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, a->pages[nr - 1 - a->nr]);
	}
	return a->pages;
}

/*
 * Each page of @pages is the page mapped at its place from @addr on, and
 * what is written through the mapping is in the page.
 */
static void expect_maps_pages(struct kunit *test, u8 *addr,
			      struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u8 *at = addr + (size_t)i * PAGE_SIZE;

		KUNIT_EXPECT_PTR_EQ_MSG(test, vmalloc_to_page(at), pages[i],
					"page %u of %u", i, nr);
		at[PAGE_SIZE - 1] = i;
		KUNIT_EXPECT_EQ(test, ((u8 *)page_address(pages[i]))[PAGE_SIZE - 1],
				(u8)i);
	}
}

/* Nothing is mapped at any page of [@addr, @addr + @nr pages). */
static void expect_unmapped(struct kunit *test, u8 *addr, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_NULL_MSG(test, vmalloc_to_page(addr + (size_t)i * PAGE_SIZE),
				      "page %u of %u still mapped", i, nr);
}

/*
 * vm_map_ram() maps pages "linearly into kernel virtual address (vmalloc
 * space)", in the order given, and vm_unmap_ram() of the same count
 * removes the mapping (kerneldoc). Counts below and far above what the
 * per-CPU vmap blocks serve (VMAP_MAX_ALLOC, a long's bits) go different
 * ways through mm/vmalloc.c; both are checked.
 */
static void vm_map_ram_maps_the_pages_in_order(struct kunit *test)
{
	const unsigned int counts[] = { 1, 3, 16, 4 * BITS_PER_LONG };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		struct page **pages = pages_for_test(test, counts[i]);
		u8 *v = vm_map_ram(pages, counts[i], NUMA_NO_NODE);

		KUNIT_ASSERT_NOT_NULL_MSG(test, v, "%u pages", counts[i]);
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(v));
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(v));
		expect_maps_pages(test, v, pages, counts[i]);
		vm_unmap_ram(v, counts[i]);
		expect_unmapped(test, v, counts[i]);
	}
}

/*
 * get_vm_area() reserves an area of the size asked for in the vmalloc
 * space and maps nothing there; find_vm_area() finds it, and
 * remove_vm_area() removes it and returns it, after which it is found no
 * more (kerneldoc of the three). Two areas do not overlap.
 */
static void get_vm_area_reserves_space_only(struct kunit *test)
{
	const size_t size = 5 * PAGE_SIZE;
	struct vm_struct *a = get_vm_area(size, VM_MAP);
	struct vm_struct *b = get_vm_area(size, VM_MAP);
	unsigned long a_start, b_start;
	void *addr;

	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	if (!a || !b) {
		if (a)
			free_vm_area(a);
		if (b)
			free_vm_area(b);
		return;
	}
	a_start = (unsigned long)a->addr;
	b_start = (unsigned long)b->addr;
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(a->addr));
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(a->addr));
	KUNIT_EXPECT_EQ(test, get_vm_area_size(a), size);
	KUNIT_EXPECT_TRUE(test, a_start + get_vm_area_size(a) <= b_start ||
			  b_start + get_vm_area_size(b) <= a_start);
	expect_unmapped(test, a->addr, size / PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, find_vm_area(a->addr), a);
	KUNIT_EXPECT_PTR_EQ(test, find_vm_area(a->addr + size - 1), a);

	addr = a->addr;
	KUNIT_EXPECT_PTR_EQ(test, remove_vm_area(addr), a);
	KUNIT_EXPECT_NULL(test, find_vm_area(addr));
	kfree(a);
	KUNIT_EXPECT_PTR_EQ(test, find_vm_area(b->addr), b);
	free_vm_area(b);
}

/*
 * A sparse area (get_vm_area(VM_SPARSE)) has pages mapped into parts of it
 * by vm_area_map_pages() and unmapped by vm_area_unmap_pages(), the rest
 * left unmapped (kerneldoc).
 */
static void vm_area_map_pages_fills_part_of_a_sparse_area(struct kunit *test)
{
	const unsigned int nr = 8, from = 2, mapped = 3;
	struct page **pages = pages_for_test(test, mapped);
	struct vm_struct *area = get_vm_area((size_t)nr * PAGE_SIZE, VM_SPARSE);
	unsigned long start;

	KUNIT_ASSERT_NOT_NULL(test, area);
	start = (unsigned long)area->addr + from * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, vm_area_map_pages(area, start,
						start + mapped * PAGE_SIZE,
						pages), 0);
	expect_unmapped(test, area->addr, from);
	expect_maps_pages(test, (u8 *)start, pages, mapped);
	expect_unmapped(test, (u8 *)start + mapped * PAGE_SIZE,
			nr - from - mapped);
	vm_area_unmap_pages(area, start, start + mapped * PAGE_SIZE);
	expect_unmapped(test, area->addr, nr);
	free_vm_area(area);
}

/*
 * __vmalloc_node() takes an alignment, a node and the caller to record
 * (kerneldoc): the memory starts at a multiple of the alignment, its
 * pages are on the node, and the area records the caller. Several areas
 * are held at once, two pages each (three with the guard page), so that
 * an ignored alignment cannot pass by where the first free gap happens
 * to start.
 */
#define NODE_ALIGN_AREAS 4

static void vmalloc_node_honours_align_and_caller(struct kunit *test)
{
	const void *caller = (const void *)_THIS_IP_;
	u8 *held[NODE_ALIGN_AREAS];
	unsigned long align;
	int nid, i;

	for_each_node_state(nid, N_MEMORY) {
		for (align = PAGE_SIZE; align <= 16 * PAGE_SIZE; align <<= 2) {
			for (i = 0; i < NODE_ALIGN_AREAS; i++)
				held[i] = __vmalloc_node(2 * PAGE_SIZE, align,
							 GFP_KERNEL, nid, caller);
			for (i = 0; i < NODE_ALIGN_AREAS; i++) {
				u8 *p = held[i];
				struct vm_struct *area;

				KUNIT_EXPECT_NOT_NULL(test, p);
				if (!p)
					continue;
				KUNIT_EXPECT_TRUE_MSG(test,
						      IS_ALIGNED((unsigned long)p, align),
						      "%lu bytes past a %lu-byte boundary",
						      (unsigned long)p & (align - 1), align);
				KUNIT_EXPECT_EQ(test, page_to_nid(vmalloc_to_page(p)),
						nid);
				area = find_vm_area(p);
				KUNIT_EXPECT_NOT_NULL(test, area);
				if (area)
					KUNIT_EXPECT_PTR_EQ(test, area->caller, caller);
			}
			for (i = 0; i < NODE_ALIGN_AREAS; i++)
				vfree(held[i]);
		}
	}
}

/*
 * vmalloc_user() and vmalloc_32_user() memory is for mapping to user space
 * (VM_USERMAP, what remap_vmalloc_range() requires); vmalloc_32() and
 * vmalloc_32_user() take "32bit PA addressable pages" only.
 */
static void vmalloc_user_and_32_keep_their_promises(struct kunit *test)
{
	const size_t size = 64 * PAGE_SIZE;
	void *user = vmalloc_user(size), *user32 = vmalloc_32_user(size);
	void *low = vmalloc_32(size);
	struct vm_struct *area;
	unsigned int i, high = 0;

	KUNIT_EXPECT_NOT_NULL(test, user);
	KUNIT_EXPECT_NOT_NULL(test, user32);
	KUNIT_EXPECT_NOT_NULL(test, low);
	if (user) {
		area = find_vm_area(user);
		KUNIT_EXPECT_TRUE(test, area && (area->flags & VM_USERMAP));
	}
	if (user32) {
		area = find_vm_area(user32);
		KUNIT_EXPECT_TRUE(test, area && (area->flags & VM_USERMAP));
	}
	for (i = 0; i < size / PAGE_SIZE && user32 && low; i++) {
		u64 end32 = page_to_phys(vmalloc_to_page(user32 + i * PAGE_SIZE)) +
			    PAGE_SIZE - 1;
		u64 end = page_to_phys(vmalloc_to_page(low + i * PAGE_SIZE)) +
			  PAGE_SIZE - 1;

		if (end32 > DMA_BIT_MASK(32) || end > DMA_BIT_MASK(32))
			high++;
	}
	KUNIT_EXPECT_EQ_MSG(test, high, 0, "pages above 4 GiB");
	vfree(user);
	vfree(user32);
	vfree(low);
}

/*
 * Booted with nohugevmalloc, which "disables kernel huge vmalloc mappings"
 * (kernel-parameters.txt), vmalloc_huge() maps small pages however large
 * the area.
 */
static void vmalloc_huge_maps_small_pages_with_nohugevmalloc(struct kunit *test)
{
	struct vm_struct *area;
	void *p;

	if (!IS_ENABLED(CONFIG_HAVE_ARCH_HUGE_VMALLOC))
		kunit_skip(test, "no huge vmalloc mappings here (HAVE_ARCH_HUGE_VMALLOC)");
	if (!mm_alloc_boot_option(test, "nohugevmalloc", NULL, NULL, 0))
		kunit_skip(test, "booted without nohugevmalloc");
	p = vmalloc_huge(2 * PMD_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, p), 0);
	area = find_vm_area(p);
	KUNIT_ASSERT_NOT_NULL(test, area);
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	KUNIT_EXPECT_EQ(test, area->page_order, 0);
#endif
}

static struct kunit_case vmalloc_test_cases[] = {
	KUNIT_CASE_PARAM(vmalloc_is_virtually_contiguous,
			 vmalloc_size_gen_params),
	KUNIT_CASE_PARAM(vmalloc_maps_every_page, vmalloc_size_gen_params),
	KUNIT_CASE(vmalloc_takes_highmem_pages),
	KUNIT_CASE_PARAM(vzalloc_zeroes_on_dirty_reuse,
			 vmalloc_size_gen_params),
	KUNIT_CASE(vmalloc_has_guard_page),
	KUNIT_CASE(vmap_joins_scattered_pages),
	KUNIT_CASE(vmap_keeps_its_guard_page),
	KUNIT_CASE(vmalloc_serves_what_kmalloc_cannot),
	KUNIT_CASE_SLOW(vmalloc_succeeds_where_fragmentation_defeats_kmalloc),
	KUNIT_CASE(vmalloc_does_more_page_allocator_work_than_kmalloc),
	KUNIT_CASE(vmalloc_huge_is_sound_page_by_page),
	KUNIT_CASE(vmalloc_huge_maps_small_pages_with_nohugevmalloc),
	KUNIT_CASE(vmalloc_beyond_ram_fails),
	KUNIT_CASE(vmalloc_array_gives_n_elements),
	KUNIT_CASE(vmalloc_array_overflow_fails),
	KUNIT_CASE(vfree_null_and_atomic),
	KUNIT_CASE(vrealloc_keeps_contents),
	KUNIT_CASE(vmalloc_zero_size_fails),
	KUNIT_CASE(vm_map_ram_maps_the_pages_in_order),
	KUNIT_CASE(get_vm_area_reserves_space_only),
	KUNIT_CASE(vm_area_map_pages_fills_part_of_a_sparse_area),
	KUNIT_CASE(vmalloc_node_honours_align_and_caller),
	KUNIT_CASE(vmalloc_user_and_32_keep_their_promises),
	{}
};

static struct kunit_suite vmalloc_test_suite = {
	.name = "mm_alloc_vmalloc",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = vmalloc_test_cases,
};

kunit_test_suite(vmalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the vmalloc and vmap contract");
MODULE_LICENSE("GPL");
