// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "vmalloc": the vmalloc and vmap contract, as an executable
 * specification.
 *
 * vmalloc memory is virtually contiguous, page by page, and need not be
 * physically contiguous (mm/vmalloc.c kerneldoc; memory-allocation.rst).
 * The suite asserts only what is promised: it reports how scattered a
 * plain vmalloc buffer is, and builds scattered pages on purpose (vmap)
 * where a case must show it. Each assertion names its rule; expected values
 * come from PAGE_SIZE, KMALLOC_MAX_SIZE and totalram_pages().
 *
 * Cases that can only be checked by triggering a WARN (vmalloc(0) WARNs once
 * per boot whatever the flags) run only with CONFIG_VMALLOC_KUNIT_WARN_TESTS,
 * which is off by default: a passing run keeps the kernel log clean.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "alloc_kunit_compat.h"

#define PATTERN 0x5a

KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

/* vmalloc(@size) that must succeed; freed when the case ends. */
static void *vmalloc_for_test(struct kunit *test, size_t size)
{
	void *p = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "vmalloc(%zu) returned NULL", size);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, vfree_action, p), 0);
	return p;
}

/*
 * Sizes from a byte to beyond what kmalloc serves: each side of a page,
 * an odd size, the lesson's 1 MiB buffer and KMALLOC_MAX_SIZE and twice it.
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
 * address. The physical layout is reported, not asserted: physical
 * scattering is allowed, not promised.
 */
static void vmalloc_maps_every_page(struct kunit *test)
{
	size_t size = param_size(test);
	unsigned int nr = PAGE_ALIGN(size) / PAGE_SIZE, i;
	u8 *p = vmalloc_for_test(test, size);
	struct vm_struct *area = find_vm_area(p);
	unsigned long *pfns;

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
		memset(addr, i, PAGE_SIZE);
		if (memchr_inv(page_address(page), (u8)i, PAGE_SIZE)) {
			KUNIT_FAIL(test,
				   "page %u: its linear-map alias differs from the vmalloc view",
				   i);
			return;
		}
	}
	if (nr > 1)
		kunit_info(test, "%u pages in %u physically contiguous runs\n",
			   nr, contiguous_runs(pfns, nr));
}

/*
 * The page after an area is an unmapped guard page unless VM_NO_GUARD
 * (mm/vmalloc.c, __get_vm_area_node()): the area reserves one page more
 * than it maps, and an overrun faults instead of landing in a neighbour.
 * Many areas stay alive at once, so each one has a neighbour that a
 * missing guard page would run into.
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
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, vfree_areas, areas), 0);
	for (i = 0; i < GUARD_AREAS; i++) {
		areas[i] = vmalloc(size);
		KUNIT_ASSERT_NOT_NULL(test, areas[i]);
	}
	for (i = 0; i < GUARD_AREAS; i++) {
		u8 *p = areas[i];
		struct vm_struct *area = find_vm_area(p);

		KUNIT_ASSERT_NOT_NULL(test, area);
		KUNIT_EXPECT_FALSE(test, area->flags & VM_NO_GUARD);
		KUNIT_EXPECT_EQ(test, area->size, size + PAGE_SIZE);
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
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, free_page_set, set), 0);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, free_page_set, spare), 0);

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
 * The lesson's central claim, made deterministic: beyond KMALLOC_MAX_SIZE
 * kmalloc returns NULL while vmalloc succeeds (slab.h; mm/vmalloc.c).
 */
static void vmalloc_serves_what_kmalloc_cannot(struct kunit *test)
{
	const size_t sizes[] = { 2 * KMALLOC_MAX_SIZE, 8 * KMALLOC_MAX_SIZE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		void *k;
		u8 *v;

		OPTIMIZER_HIDE_VAR(size);
		k = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		KUNIT_EXPECT_NULL_MSG(test, k, "kmalloc(%zu) succeeded", size);
		kfree(k);
		v = vmalloc_for_test(test, size);
		v[0] = PATTERN;
		v[size - 1] = PATTERN;
		KUNIT_EXPECT_EQ(test, v[size - 1], PATTERN);
	}
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

/*
 * vzalloc() and __GFP_ZERO return zeroed memory (vmalloc.h kerneldoc),
 * even when the pages were just freed full of a pattern.
 */
static void vzalloc_zeroes_on_dirty_reuse(struct kunit *test)
{
	size_t size = param_size(test);
	u8 *p, *z;
	int i;

	for (i = 0; i < 2; i++) {
		p = vmalloc(size);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, PATTERN, size);
		vfree(p);

		z = i ? __vmalloc(size, GFP_KERNEL | __GFP_ZERO) : vzalloc(size);
		KUNIT_ASSERT_NOT_NULL(test, z);
		KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, vfree_action, z),
				0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(z, 0, size), NULL,
					"%s left a non-zero byte",
					i ? "__GFP_ZERO" : "vzalloc");
	}
}

/* vmalloc_array() and vcalloc() return NULL when n * size overflows. */
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

#ifdef ALLOC_KUNIT_HAVE_VREALLOC
/*
 * vrealloc() keeps the contents up to the smaller size, growing and
 * shrinking, and returns vmalloc memory (mm/vmalloc.c, vrealloc()
 * kerneldoc); size 0 frees and returns NULL.
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
#else
static void vrealloc_keeps_contents(struct kunit *test)
{
	kunit_skip(test, "vrealloc() arrived in 6.12");
}
#endif

/*
 * vmalloc(0) returns NULL, after a WARN_ON_ONCE that no GFP flag silences
 * (mm/vmalloc.c, __vmalloc_node_range()). Only with the WARN switch on.
 */
static void vmalloc_zero_size_fails(struct kunit *test)
{
	size_t zero = 0;
	void *p;

	if (!IS_ENABLED(CONFIG_VMALLOC_KUNIT_WARN_TESTS))
		kunit_skip(test,
			   "WARNs by design; set CONFIG_VMALLOC_KUNIT_WARN_TESTS=y");
	OPTIMIZER_HIDE_VAR(zero);
	p = vmalloc(zero);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
}

static struct kunit_case vmalloc_test_cases[] = {
	KUNIT_CASE_PARAM(vmalloc_is_virtually_contiguous,
			 vmalloc_size_gen_params),
	KUNIT_CASE_PARAM(vmalloc_maps_every_page, vmalloc_size_gen_params),
	KUNIT_CASE_PARAM(vzalloc_zeroes_on_dirty_reuse,
			 vmalloc_size_gen_params),
	KUNIT_CASE(vmalloc_has_guard_page),
	KUNIT_CASE(vmap_joins_scattered_pages),
	KUNIT_CASE(vmalloc_serves_what_kmalloc_cannot),
	KUNIT_CASE(vmalloc_beyond_ram_fails),
	KUNIT_CASE(vmalloc_array_overflow_fails),
	KUNIT_CASE(vfree_null_and_atomic),
	KUNIT_CASE(vrealloc_keeps_contents),
	KUNIT_CASE(vmalloc_zero_size_fails),
	{}
};

static struct kunit_suite vmalloc_test_suite = {
	.name = "vmalloc",
	.test_cases = vmalloc_test_cases,
};

kunit_test_suite(vmalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the vmalloc and vmap contract");
MODULE_LICENSE("GPL");
