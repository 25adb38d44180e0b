// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "kmalloc": the kmalloc contract, as an executable specification.
 *
 * Each assertion names the documented rule it checks: the kerneldoc in
 * include/linux/slab.h, Documentation/core-api/memory-allocation.rst, or
 * the code that defines the rule (mm/slab_common.c, mm/slub.c). Expected
 * values are derived from the kernel's constants (PAGE_SIZE,
 * KMALLOC_MIN_SIZE, KMALLOC_MAX_CACHE_SIZE, KMALLOC_MAX_SIZE, MAX_PAGE_ORDER)
 * and never typed in. Every allocation is freed by a deferred action, so a
 * failed assertion leaks nothing.
 *
 * To add a case: copy the one next to it that looks most alike, add it to
 * kmalloc_test_cases[] and say which rule it checks.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kfence.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "alloc_kunit_compat.h"
#include "alloc_kunit_counters.h"
#include "alloc_kunit_report.h"
#include "alloc_kunit_reuse.h"

#define PATTERN 0xa5

KUNIT_DEFINE_ACTION_WRAPPER(kfree_action, kfree, const void *);

/*
 * A slot holds a buffer the case may replace (krealloc); whatever the
 * slot holds when the case ends is freed.
 */
static void kfree_slot(void *slot)
{
	kfree(*(void **)slot);
}

static void **kmalloc_slot(struct kunit *test)
{
	void **slot = kunit_kzalloc(test, sizeof(*slot), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, kfree_slot, slot), 0);
	return slot;
}

/*
 * kmalloc(@size, @gfp) that must succeed, given a free block to serve it;
 * freed when the case ends.
 */
static void *kmalloc_for_test(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p;

	skip_unless_free_block(test, size);
	p = kmalloc(size, gfp);

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "kmalloc(%zu) returned NULL", size);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, kfree_action, p), 0);
	return p;
}

/*
 * The sizes the table-driven cases run over: 1 byte, each side of every
 * size class and page order up to KMALLOC_MAX_SIZE, and a few odd sizes.
 * Built on first use from the constants, so they follow the kernel's.
 */
#define MAX_TEST_SIZES 128
static size_t test_sizes[MAX_TEST_SIZES];
static unsigned int nr_test_sizes;

static void add_test_size(size_t size)
{
	if (size && size <= KMALLOC_MAX_SIZE && nr_test_sizes < MAX_TEST_SIZES)
		test_sizes[nr_test_sizes++] = size;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void build_test_sizes(void)
{
	static const size_t odd[] = { 3, 100, 1000, 3000, 5000, 12345,
				      100000, 1000003 };
	unsigned int i, n = 0;
	size_t size;

	add_test_size(1);
	for (size = KMALLOC_MIN_SIZE; size <= KMALLOC_MAX_SIZE; size <<= 1) {
		add_test_size(size - 1);
		add_test_size(size);
		add_test_size(size + 1);
		/* the 96 and 192 byte classes sit between powers of two */
		if (size == 64 || size == 128) {
			add_test_size(size + size / 2);
			add_test_size(size + size / 2 + 1);
		}
	}
	for (i = 0; i < ARRAY_SIZE(odd); i++)
		add_test_size(odd[i]);
	sort(test_sizes, nr_test_sizes, sizeof(size_t), cmp_size, NULL);
	for (i = 0; i < nr_test_sizes; i++)
		if (!n || test_sizes[i] != test_sizes[n - 1])
			test_sizes[n++] = test_sizes[i];
	nr_test_sizes = n;
}

static const void *size_gen_params(const void *prev, char *desc)
{
	const size_t *next = prev ? (const size_t *)prev + 1 : test_sizes;

	if (!prev && !nr_test_sizes)
		build_test_sizes();
	if (next >= test_sizes + nr_test_sizes)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size_%zu", *next);
	return next;
}

static size_t param_size(struct kunit *test)
{
	return *(const size_t *)test->param_value;
}

/*
 * The size kmalloc serves @size with, by the rule of __kmalloc_index() in
 * include/linux/slab.h: powers of two from KMALLOC_MIN_SIZE up to
 * KMALLOC_MAX_CACHE_SIZE, plus 96 and 192 where KMALLOC_MIN_SIZE allows
 * them; above that, whole pages of order get_order(size)
 * (kmalloc_size_roundup() in mm/slab_common.c).
 */
static size_t expected_class_size(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return PAGE_SIZE << get_order(size);
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_MIN_SIZE;
	if (KMALLOC_MIN_SIZE <= 32 && size > 64 && size <= 96)
		return 96;
	if (KMALLOC_MIN_SIZE <= 64 && size > 128 && size <= 192)
		return 192;
	return roundup_pow_of_two(size);
}

/*
 * What ksize() of @p, a kmalloc(@size), is: the class size, or @size itself
 * for an object KFENCE sampled (kfence_ksize() in mm/kfence/core.c; such
 * an object sits alone at one end of a page of its own).
 */
static size_t expected_ksize(const void *p, size_t size, size_t class)
{
	return is_kfence_address(p) ? size : class;
}

/*
 * kmalloc memory is physically contiguous and lies in the kernel's linear
 * map (memory-allocation.rst, "kmalloc"). Checked against the allocator's
 * own records, not address arithmetic (virt_to_phys() of a linear-map
 * address is a subtraction and cannot fail): the buffer is not vmalloc
 * memory, lies in the direct map, and sits whole inside one folio - a
 * slab folio up to KMALLOC_MAX_CACHE_SIZE, else the compound page it heads
 * (mm/slub.c, __kmalloc_large_node()) - and a folio is one physically
 * contiguous block. Where the page tables can be walked (x86_64), every
 * page of the buffer is mapped at the physical address the linear-map
 * formula gives.
 */
static void kmalloc_is_physically_contiguous(struct kunit *test)
{
	size_t size = param_size(test), off;
	char *p = kmalloc_for_test(test, size, GFP_KERNEL);
	struct folio *folio = virt_to_folio(p);
	char *start = folio_address(folio);
	phys_addr_t walked;

	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(p));
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(p + size - 1));
	KUNIT_EXPECT_PTR_EQ_MSG(test, virt_to_folio(p + size - 1), folio,
				"the last byte lies in another folio");
	KUNIT_EXPECT_TRUE(test, p >= start &&
			  p + size <= start + folio_size(folio));
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		KUNIT_EXPECT_TRUE(test, folio_test_slab(folio));
	else
		KUNIT_EXPECT_PTR_EQ(test, start, p);

	/* the first byte of the buffer, then of each further page */
	for (off = 0; off < size;
	     off = PAGE_ALIGN((unsigned long)p + off + 1) - (unsigned long)p) {
		phys_addr_t linear = virt_to_phys(p + off);

		if (!alloc_kunit_walk_phys(p + off, &walked))
			return;
		if (walked != linear) {
			KUNIT_FAIL(test,
				   "byte %zu: the page tables map it at %pa, the linear map says %pa",
				   off, &walked, &linear);
			break;
		}
	}
}

/*
 * ksize() is at least the requested size and equals the class size that
 * kmalloc_size_roundup() reports (slab.h kerneldoc of both), which is
 * the class the __kmalloc_index() rule gives; that whole size is usable
 * when it is asked for up front.
 */
static void kmalloc_rounds_up_to_size_class(struct kunit *test)
{
	size_t size = param_size(test), class = expected_class_size(size);
	void *p = kmalloc_for_test(test, size, GFP_KERNEL), *q;

	if (IS_ENABLED(CONFIG_SLOB))
		kunit_skip(test, "SLOB has no size classes");
	KUNIT_EXPECT_GE(test, ksize(p), size);
	KUNIT_EXPECT_EQ(test, kmalloc_size_roundup(size), class);
	KUNIT_EXPECT_EQ(test, ksize(p), expected_ksize(p, size, class));

	q = kmalloc_for_test(test, class, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, ksize(q), class);
	memset(q, PATTERN, class);
	KUNIT_EXPECT_EQ(test, ((u8 *)q)[class - 1], PATTERN);
}

/* Sizes at the edges: zero, one, each side of each limit, the largest. */
static const size_t extreme_sizes[] = {
	0, 1, KMALLOC_MAX_CACHE_SIZE, KMALLOC_MAX_CACHE_SIZE + 1,
	KMALLOC_MAX_SIZE - 1, KMALLOC_MAX_SIZE, KMALLOC_MAX_SIZE + 1,
	SIZE_MAX / 2 + 1, SIZE_MAX - 1, SIZE_MAX,
};

static void extreme_size_to_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size_%zu", *size);
}

KUNIT_ARRAY_PARAM(extreme_size, extreme_sizes, extreme_size_to_desc);

/*
 * kmalloc_size_roundup() at the extremes (slab.h kerneldoc, "the
 * allocation size that kmalloc would actually give"; mm/slab_common.c):
 * 0 stays 0, any other size rounds to no less than itself and never to 0;
 * a size kmalloc refuses rounds to one it still refuses; and kmalloc of
 * what it returns for a size kmalloc serves has exactly that ksize().
 */
static void kmalloc_size_roundup_at_the_extremes(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	size_t rounded = kmalloc_size_roundup(size);
	void *p;

	if (!size) {
		KUNIT_EXPECT_EQ(test, rounded, 0);
		return;
	}
#ifdef ALLOC_KUNIT_ROUNDUP_WRAPS_ABOVE_MAX
	if (size > KMALLOC_MAX_SIZE && size != SIZE_MAX)
		kunit_skip(test, "this kernel's roundup wraps to 0 above KMALLOC_MAX_SIZE");
#endif
	KUNIT_EXPECT_GE(test, rounded, size);
	OPTIMIZER_HIDE_VAR(rounded);
	p = kmalloc(rounded, GFP_KERNEL | __GFP_NOWARN);
	if (size > KMALLOC_MAX_SIZE) {
		KUNIT_EXPECT_NULL_MSG(test, p, "kmalloc(%zu) served", rounded);
		kfree(p);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, kfree_action, p), 0);
	KUNIT_EXPECT_EQ(test, ksize(p), rounded);
}

/*
 * array_size() and struct_size() saturate at SIZE_MAX on overflow
 * (include/linux/overflow.h), and kmalloc, kvmalloc and vmalloc refuse
 * SIZE_MAX, quietly with __GFP_NOWARN: an overflowed size can never turn
 * into a small buffer.
 */
static void saturated_sizes_are_refused(struct kunit *test)
{
	struct flex {
		size_t n;
		u64 items[];
	} *f = NULL;
	size_t huge = SIZE_MAX / 2 + 1, bytes;
	void *p;

	OPTIMIZER_HIDE_VAR(huge);
	KUNIT_EXPECT_EQ(test, array_size(huge, 2), SIZE_MAX);
	KUNIT_EXPECT_EQ(test, struct_size(f, items, huge), SIZE_MAX);
	bytes = array_size(huge, 2);
	p = kmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kfree(p);
	p = kvmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
	p = __vmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	vfree(p);
	p = kvmalloc_array(huge, 2, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
}

/*
 * Up to KMALLOC_MAX_CACHE_SIZE kmalloc serves from a slab cache; above it,
 * from the page allocator: a compound page of order get_order(size) whose
 * first byte is the buffer (mm/slub.c, __kmalloc_large_node()). KFENCE's
 * pool pages are slab folios too (mm/kfence/core.c, kfence_init_pool()).
 */
static void kmalloc_large_uses_page_allocator(struct kunit *test)
{
	size_t size = param_size(test);
	void *p = kmalloc_for_test(test, size, GFP_KERNEL);
	struct folio *folio = virt_to_folio(p);

	if (IS_ENABLED(CONFIG_SLOB))
		kunit_skip(test, "SLOB does not use slab folios");
	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		KUNIT_EXPECT_TRUE(test, folio_test_slab(folio));
		return;
	}
	KUNIT_EXPECT_FALSE(test, folio_test_slab(folio));
	KUNIT_EXPECT_EQ(test, folio_order(folio), get_order(size));
	KUNIT_EXPECT_PTR_EQ(test, folio_address(folio), p);
}

/*
 * Alignment (slab.h, kmalloc kerneldoc; memory-allocation.rst): at least
 * ARCH_KMALLOC_MINALIGN for every size, and at least the size itself for
 * a power-of-two size.
 */
static void kmalloc_is_aligned(struct kunit *test)
{
	size_t size = param_size(test);
	void *p = kmalloc_for_test(test, size, GFP_KERNEL);

	KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p % ARCH_KMALLOC_MINALIGN, 0,
			    "misaligned for ARCH_KMALLOC_MINALIGN %u",
			    (unsigned int)ARCH_KMALLOC_MINALIGN);
	if (is_power_of_2(size))
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p % size, 0,
				    "misaligned for its power-of-two size");
}

static void *kmalloc_plain(size_t size)
{
	return alloc_kunit_kmalloc(size, GFP_KERNEL);
}

static void *kzalloc_plain(size_t size)
{
	return kzalloc(size, GFP_KERNEL);
}

static void *kcalloc_one(size_t size)
{
	return kcalloc(1, size, GFP_KERNEL);
}

static void *kmalloc_gfp_zero(size_t size)
{
	return alloc_kunit_kmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

static void kfree_zeroing_buffer(const void *p)
{
	kfree(p);
}

static const struct alloc_kunit_zeroing kmalloc_zeroings[] = {
	{ "kzalloc", kmalloc_plain, kzalloc_plain, kfree_zeroing_buffer },
	{ "kcalloc", kmalloc_plain, kcalloc_one, kfree_zeroing_buffer },
	{ "__GFP_ZERO", kmalloc_plain, kmalloc_gfp_zero, kfree_zeroing_buffer },
};

/*
 * kzalloc(), kcalloc() and __GFP_ZERO return zeroed memory (slab.h
 * kerneldoc), shown on the very object that was just freed full of a
 * pattern: fresh memory proves nothing, it is often zero already.
 */
static void kmalloc_zeroes_on_dirty_reuse(struct kunit *test)
{
	size_t size = param_size(test);
	unsigned int i, checked = 0;

	alloc_kunit_skip_if_quarantine(test, "the object just freed is not reused");
	skip_unless_free_block(test, size);
	for (i = 0; i < ARRAY_SIZE(kmalloc_zeroings); i++) {
		const struct alloc_kunit_zeroing *z = &kmalloc_zeroings[i];
		void *p = alloc_kunit_dirty_reuse(test, z, size);

		if (!p && IS_ENABLED(CONFIG_RANDOM_KMALLOC_CACHES) &&
		    z->zalloc != kmalloc_gfp_zero) {
			kunit_info(test, "%s: not checked, RANDOM_KMALLOC_CACHES gives its call site other caches\n",
				   z->name);
			continue;
		}
		if (!p)
			kunit_skip(test, "%s never returned the object just freed%s",
				   z->name, REUSE_ORDER_NOTE);
		checked++;
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, size), NULL,
					"%s handed back dirty memory", z->name);
		/* freed at once: one KMALLOC_MAX_SIZE block at a time */
		z->free(p);
	}
	KUNIT_EXPECT_GT(test, checked, 0U);
}

static const struct alloc_kunit_zeroing kmalloc_no_zeroing = {
	"kmalloc", kmalloc_plain, kmalloc_plain, kfree_zeroing_buffer
};

/* How many of @p's @size bytes are @c. */
static size_t count_bytes(const u8 *p, size_t size, u8 c)
{
	size_t i, n = 0;

	for (i = 0; i < size; i++)
		n += p[i] == c;
	return n;
}

/*
 * kmalloc() does not zero: a reused object holds what its last user
 * wrote, but for the word where SLUB keeps its free pointer while the
 * object is free (mm/slub.c, set_freepointer()). The configuration can
 * change that, and then the changed form is asserted: init_on_alloc zeroes
 * every allocation and init_on_free every freed object (mm/slub.c,
 * slab_want_init_on_alloc/free()); slab_debug poisoning (SLUB_DEBUG_ON)
 * overwrites a freed object with POISON_FREE (include/linux/poison.h).
 */
static void kmalloc_reuse_keeps_old_bytes_unless_wiped(struct kunit *test)
{
	static const size_t sizes[] = { 64, 200, 1024 };
	unsigned int i;

	alloc_kunit_skip_if_quarantine(test, "the object just freed is not reused");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i], stale;
		u8 *p = alloc_kunit_dirty_reuse(test, &kmalloc_no_zeroing, size);

		if (!p)
			kunit_skip(test, "kmalloc never returned the object just freed%s",
				   REUSE_ORDER_NOTE);
		KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, kfree_action, p),
				0);
		stale = count_bytes(p, size, ALLOC_KUNIT_DIRT);
		kunit_info(test, "kmalloc(%zu) reused: %zu bytes of the last user's left\n",
			   size, stale);
		if (want_init_on_alloc(GFP_KERNEL) || want_init_on_free())
			KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, size), NULL,
						"init_on_alloc/free: kmalloc(%zu) not zeroed",
						size);
		else if (IS_ENABLED(CONFIG_SLUB_DEBUG_ON))
			KUNIT_EXPECT_EQ_MSG(test, stale, 0,
					    "slab_debug poisoning: kmalloc(%zu) kept old bytes",
					    size);
		else
			KUNIT_EXPECT_GE_MSG(test, stale, size - sizeof(void *),
					    "kmalloc(%zu) changed more than its free pointer",
					    size);
	}
}

struct interior_free {
	u8 *buf;
	struct completion done;
};

static int free_interior_pointer(void *data)
{
	struct interior_free *f = data;

	kfree(f->buf + 1);
	complete(&f->done);
	return 0;
}

static long free_interior_pointer_in_a_thread(struct interior_free *f)
{
	struct task_struct *t = kthread_run(free_interior_pointer, f,
					    "alloc_kunit_free");

	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&f->done);
	return 0;
}

/*
 * kfree() of a pointer inside a large kmalloc buffer, not at its start, is
 * an invalid free, and KASAN reports it (mm/kasan/common.c,
 * check_page_allocation() from kasan_kfree_large()); the buffer is freed
 * all the same. The free runs in a thread of its own, so that KUnit's KASAN
 * hook, which fails the current case at any KASAN report, stays out: the
 * report is declared and required here instead.
 */
static void kfree_inside_a_large_buffer_is_reported(struct kunit *test)
{
	struct interior_free f = {};
	long err;

	if (!IS_ENABLED(CONFIG_KASAN))
		kunit_skip(test, "needs KASAN (PROFILE=kasan): nothing else checks it");
	f.buf = kmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f.buf);
	init_completion(&f.done);
	ALLOC_KUNIT_EXPECT_REPORT(test, "KASAN:",
				  err = free_interior_pointer_in_a_thread(&f));
	if (err) {
		kfree(f.buf);
		KUNIT_FAIL(test, "no thread for the free: %ld", err);
	}
}

/*
 * The largest kmalloc is KMALLOC_MAX_SIZE: the largest block the page
 * allocator serves, PAGE_SIZE << MAX_PAGE_ORDER (include/linux/slab.h,
 * KMALLOC_SHIFT_MAX; include/linux/mmzone.h). It succeeds.
 */
static void kmalloc_max_size_succeeds(struct kunit *test)
{
	void *p;

	KUNIT_EXPECT_LE(test, KMALLOC_MAX_SIZE, PAGE_SIZE << MAX_PAGE_ORDER);
	if (IS_ENABLED(CONFIG_SLUB))
		KUNIT_EXPECT_EQ(test, KMALLOC_MAX_SIZE,
				PAGE_SIZE << MAX_PAGE_ORDER);
	KUNIT_EXPECT_EQ(test, KMALLOC_MAX_SIZE, PAGE_SIZE << KMALLOC_MAX_ORDER);

	p = kmalloc_for_test(test, KMALLOC_MAX_SIZE, GFP_KERNEL);
	memset(p, PATTERN, KMALLOC_MAX_SIZE);
}

/*
 * Beyond KMALLOC_MAX_SIZE kmalloc returns NULL (slab.h; the page allocator
 * refuses orders above MAX_PAGE_ORDER); with __GFP_NOWARN it says nothing
 * (a report fails the case). The sizes are hidden
 * from the compiler, which would otherwise refuse them at build time.
 */
static void kmalloc_beyond_max_size_fails(struct kunit *test)
{
	size_t sizes[] = { KMALLOC_MAX_SIZE + 1, 2 * KMALLOC_MAX_SIZE,
			   SIZE_MAX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		void *p;

		OPTIMIZER_HIDE_VAR(size);
		p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		KUNIT_EXPECT_NULL_MSG(test, p, "kmalloc(%zu) succeeded", size);
		kfree(p);
	}
}

/*
 * A zero-size kmalloc returns ZERO_SIZE_PTR, which ZERO_OR_NULL_PTR()
 * recognises, whose ksize() is 0 and which kfree() accepts, as it accepts
 * NULL (include/linux/slab.h, mm/slab_common.c).
 */
static void kmalloc_zero_size_is_zero_size_ptr(struct kunit *test)
{
	size_t zero = 0;
	void *p;

	OPTIMIZER_HIDE_VAR(zero);
	p = kmalloc(zero, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, ZERO_SIZE_PTR);
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(p));
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(NULL));
	KUNIT_EXPECT_EQ(test, ksize(ZERO_SIZE_PTR), 0);
	kfree(p);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);

	p = kzalloc(zero, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, ZERO_SIZE_PTR);
	kfree(p);
}

/*
 * kmalloc_array(), kcalloc() and krealloc_array() return NULL when n * size
 * overflows (slab.h, check_mul_overflow()), and krealloc_array() then
 * leaves the old buffer alone.
 */
static void kmalloc_array_overflow_fails(struct kunit *test)
{
	size_t n = SIZE_MAX / 16 + 2, size = 16;
	void **slot = kmalloc_slot(test);
	void *p;

	OPTIMIZER_HIDE_VAR(n);
	p = kmalloc_array(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kfree(p);
	p = kcalloc(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kfree(p);

	*slot = kmalloc_array(4, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *slot);
	memset(*slot, PATTERN, 4 * size);
	p = krealloc_array(*slot, n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, ((u8 *)*slot)[4 * size - 1], PATTERN);
	if (p && p != *slot)
		*slot = p;
}

static void fill(u8 *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = i * 7 + 1;
}

static size_t first_mismatch(const u8 *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != (u8)(i * 7 + 1))
			return i;
	return size;
}

/*
 * krealloc() keeps the contents up to the smaller of the old and new
 * sizes, growing and shrinking, from a slab object to a page-allocator
 * buffer and back (slab.h kerneldoc of krealloc).
 */
static void krealloc_keeps_contents(struct kunit *test)
{
	size_t steps[] = { 64, 1000, KMALLOC_MAX_CACHE_SIZE + 1,
			   4 * KMALLOC_MAX_CACHE_SIZE, 100, 10 };
	void **slot = kmalloc_slot(test);
	size_t kept = steps[0];
	unsigned int i;

	*slot = kmalloc(steps[0], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *slot);
	fill(*slot, steps[0]);
	for (i = 1; i < ARRAY_SIZE(steps); i++) {
		void *p = krealloc(*slot, steps[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		*slot = p;
		kept = min(kept, steps[i]);
		KUNIT_EXPECT_EQ_MSG(test, first_mismatch(p, kept), kept,
				    "after krealloc to %zu", steps[i]);
		fill(p, steps[i]);
		kept = steps[i];
	}
}

/*
 * krealloc() returns the same object while the new size fits in ksize()
 * of the old one, shrinking or growing (__do_krealloc() in
 * mm/slab_common.c), and moves it once it does not.
 */
static void krealloc_in_place_within_ksize(struct kunit *test)
{
	void **slot = kmalloc_slot(test);
	size_t size = 100, ks;
	void *p;

	*slot = kmalloc(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *slot);
	ks = ksize(*slot);	/* exactly @size for a KFENCE object */

	p = krealloc(*slot, ks, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, *slot);
	*slot = p;
	p = krealloc(*slot, size / 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, *slot);
	*slot = p;
	p = krealloc(*slot, ks + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, p, *slot);
	*slot = p;
}

/*
 * Under KFENCE (PROFILE=kfence) a sampled object keeps kmalloc's contract
 * in a changed form: ksize() is the size asked for, not its class
 * (kfence_ksize()), so krealloc() stays in place only up to that size,
 * while kmalloc_size_roundup() still names the class. KFENCE takes one
 * allocation per kfence.sample_interval ms; as in kfence_test.c, the case
 * allocates until it gets one, for at most 100 intervals.
 */
static void kmalloc_kfence_object_has_its_exact_size(struct kunit *test)
{
#ifdef CONFIG_KFENCE
	const size_t size = 100;	/* not a class size */
	void **slot = kmalloc_slot(test);
	unsigned long timeout;
	void *p;

	if (!READ_ONCE(kfence_sample_interval))
		kunit_skip(test, "KFENCE is off (kfence.sample_interval=0)");
	timeout = jiffies + msecs_to_jiffies(100 * kfence_sample_interval);
	do {
		p = kmalloc(size, GFP_KERNEL);
		if (is_kfence_address(p))
			break;
		kfree(p);
		p = NULL;
		cond_resched();
	} while (time_before(jiffies, timeout));
	if (!p)
		kunit_skip(test, "KFENCE sampled no allocation in %lu ms",
			   100 * kfence_sample_interval);
	*slot = p;
	KUNIT_EXPECT_EQ(test, ksize(p), size);
	KUNIT_EXPECT_EQ(test, kmalloc_size_roundup(size),
			expected_class_size(size));
	p = krealloc(*slot, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, *slot);
	*slot = p;
	p = krealloc(*slot, size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE_MSG(test, p, *slot,
				"krealloc() grew a KFENCE object in place");
	*slot = p;
#else
	kunit_skip(test, "KFENCE is off (PROFILE=kfence turns it on)");
#endif
}

/*
 * krealloc(NULL, n) is kmalloc(n); krealloc(p, 0) frees p and returns
 * ZERO_SIZE_PTR (slab.h kerneldoc of krealloc; mm/slab_common.c).
 */
static void krealloc_null_and_zero(struct kunit *test)
{
	void **slot = kmalloc_slot(test);
	size_t zero = 0;

	*slot = krealloc(NULL, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *slot);
	KUNIT_EXPECT_FALSE(test, ZERO_OR_NULL_PTR(*slot));
	KUNIT_EXPECT_GE(test, ksize(*slot), 200);
	KUNIT_EXPECT_TRUE(test, virt_addr_valid(*slot));

	OPTIMIZER_HIDE_VAR(zero);
	*slot = krealloc(*slot, zero, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, *slot, ZERO_SIZE_PTR);
}

/*
 * GFP_ATOMIC and GFP_NOWAIT never sleep, so small allocations work with a
 * spinlock held and preemption off (memory-allocation.rst, "GFP flags").
 * A sleep there is caught three ways: CONFIG_DEBUG_ATOMIC_SLEEP's "BUG:
 * sleeping function called from invalid context" and the scheduler's
 * "BUG: scheduling while atomic" fail the case through the report helper,
 * and the task's context-switch count, which any sleep raises, must not
 * move (the one check that needs no debug option, e.g. on UML 6.1).
 */
static void kmalloc_works_in_atomic_context(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long switches;
	void *atomic, *nowait;

	spin_lock(&lock);
	switches = current->nvcsw + current->nivcsw;
	atomic = kmalloc(64, GFP_ATOMIC);
	nowait = kmalloc(64, GFP_NOWAIT | __GFP_NOWARN);
	if (atomic)
		memset(atomic, PATTERN, 64);
	kfree(atomic);
	kfree(nowait);
	switches = current->nvcsw + current->nivcsw - switches;
	spin_unlock(&lock);

	KUNIT_EXPECT_NOT_NULL(test, atomic);
	KUNIT_EXPECT_NOT_NULL(test, nowait);
	KUNIT_EXPECT_EQ_MSG(test, switches, 0,
			    "the task was switched out with a spinlock held");
}

/*
 * __free(kfree) accepts an error pointer as it accepts NULL (slab.h,
 * DEFINE_FREE(kfree, ...) frees only what is not IS_ERR_OR_NULL()), so an
 * error path may leave ERR_PTR() in such a variable. Broken, kfree() of
 * the error pointer oopses: on UML that ends the whole run.
 */
static void free_kfree_accepts_error_pointers(struct kunit *test)
{
#ifdef DEFINE_FREE
	void *err __free(kfree) = ERR_PTR(-ENOMEM);
	void *none __free(kfree) = NULL;
	void *mem __free(kfree) = kmalloc(32, GFP_KERNEL);

	KUNIT_EXPECT_TRUE(test, IS_ERR(err));
	KUNIT_EXPECT_NULL(test, none);
	KUNIT_EXPECT_NOT_NULL(test, mem);
#else
	kunit_skip(test, "no scope-based cleanup (DEFINE_FREE) before 6.5");
#endif
}

/*
 * Freed memory comes back: allocating and freeing, in batches, twice the
 * machine's RAM in total never fails, at a slab size and at the largest
 * page-allocator size. A leak in either path would exhaust memory and make
 * an allocation fail (__GFP_RETRY_MAYFAIL fails instead of OOM-killing).
 * A batch holds at most a sixteenth of RAM: KMALLOC_MAX_SIZE is 512 MiB
 * with 64 KiB pages.
 */
static void kmalloc_memory_comes_back(struct kunit *test)
{
	const size_t sizes[] = { KMALLOC_MAX_CACHE_SIZE / 4, KMALLOC_MAX_SIZE };
	const gfp_t gfp = GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	unsigned long long target = 2ULL * totalram_pages() * PAGE_SIZE;
	void *batch[8];
	unsigned int s, i, nr;
	bool failed;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long long done = 0;

		nr = clamp_t(unsigned long, totalram_pages() / 16 /
			     DIV_ROUND_UP(sizes[s], PAGE_SIZE), 1,
			     ARRAY_SIZE(batch));
		if (!contiguous_size_servable(sizes[s])) {
			kunit_info(test, "kmalloc(%zu) not checked: no free block of its order\n",
				   sizes[s]);
			continue;
		}
		while (done < target) {
			failed = false;
			for (i = 0; i < nr; i++) {
				batch[i] = kmalloc(sizes[s], gfp);
				failed |= !batch[i];
			}
			for (i = 0; i < nr; i++)
				kfree(batch[i]);
			if (failed) {
				KUNIT_FAIL(test,
					   "kmalloc(%zu) failed after %llu MiB allocated and freed",
					   sizes[s], done >> 20);
				break;
			}
			done += nr * sizes[s];
			cond_resched();
		}
	}
}

static struct kunit_case kmalloc_test_cases[] = {
	KUNIT_CASE_PARAM(kmalloc_is_physically_contiguous, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_rounds_up_to_size_class, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_large_uses_page_allocator, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_is_aligned, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_zeroes_on_dirty_reuse, size_gen_params),
	KUNIT_CASE(kmalloc_reuse_keeps_old_bytes_unless_wiped),
	KUNIT_CASE_PARAM(kmalloc_size_roundup_at_the_extremes,
			 extreme_size_gen_params),
	KUNIT_CASE(saturated_sizes_are_refused),
	KUNIT_CASE(kmalloc_max_size_succeeds),
	KUNIT_CASE(kmalloc_beyond_max_size_fails),
	KUNIT_CASE(kmalloc_zero_size_is_zero_size_ptr),
	KUNIT_CASE(kmalloc_array_overflow_fails),
	KUNIT_CASE(krealloc_keeps_contents),
	KUNIT_CASE(krealloc_in_place_within_ksize),
	KUNIT_CASE(kmalloc_kfence_object_has_its_exact_size),
	KUNIT_CASE(krealloc_null_and_zero),
	KUNIT_CASE(kmalloc_works_in_atomic_context),
	KUNIT_CASE(free_kfree_accepts_error_pointers),
	KUNIT_CASE(kfree_inside_a_large_buffer_is_reported),
	KUNIT_CASE_SLOW(kmalloc_memory_comes_back),
	{}
};

static struct kunit_suite kmalloc_test_suite = {
	.name = "kmalloc",
	.suite_init = alloc_report_suite_init,
	.suite_exit = alloc_report_suite_exit,
	.init = alloc_report_init,
	.exit = alloc_report_exit,
	.test_cases = kmalloc_test_cases,
};

kunit_test_suite(kmalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the kmalloc contract");
MODULE_LICENSE("GPL");
