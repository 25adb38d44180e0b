// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what kmalloc() and its family promise their callers.
 *
 * Each case names the rule it checks and where it is written: the
 * kerneldoc in include/linux/slab.h and mm/slab_common.c, or
 * Documentation/core-api/memory-allocation.rst. Sizes and expected values
 * come from the kernel's constants and from what the allocator reports
 * (kmalloc_size_roundup(), ksize()), never from a copy of its rules. Every
 * allocation is freed by a deferred action, so a failed assertion leaks
 * nothing.
 */

#include <asm/sections.h>
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

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

#define PATTERN 0xa5

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MM_ALLOC_DESTRUCTIVE_PARAM();

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
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kfree_slot, slot), 0);
	return slot;
}

/*
 * Whether kmalloc(@size) may fail for want of a free block: allocations
 * above PAGE_ALLOC_COSTLY_ORDER are "costly", and the page allocator gives
 * up on them instead of retrying until it succeeds
 * (Documentation/core-api/memory-allocation.rst, "GFP flags").
 */
static bool kmalloc_may_fail(size_t size)
{
	return get_order(size) > PAGE_ALLOC_COSTLY_ORDER;
}

/*
 * kmalloc(@size, @gfp), freed when the case ends. A costly size that finds
 * no free block skips the case; a size above a sixteenth of RAM runs only
 * with destructive=1 (KMALLOC_MAX_SIZE is 512 MiB with 64 KiB pages).
 */
static void *kmalloc_for_test(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p;

	if (!mm_alloc_size_is_modest(size))
		mm_alloc_skip_unless_destructive(test, "holds more than a sixteenth of RAM");
	p = kmalloc(size, gfp | (kmalloc_may_fail(size) ? __GFP_NOWARN : 0));
	if (!p && kmalloc_may_fail(size))
		kunit_skip(test, "no free block of order %u for kmalloc(%zu)",
			   get_order(size), size);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "kmalloc(%zu) returned NULL", size);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kfree_action, p), 0);
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
 * What ksize() of @p, a kmalloc(@size), is: the bytes kmalloc() makes
 * available for @size, which kmalloc_size_roundup() reports (its
 * kerneldoc, include/linux/slab.h); for an object KFENCE sampled, @size
 * itself (mm/kfence/core.c, kfence_ksize(): such an object sits alone at
 * one end of a page of its own).
 */
static size_t expected_ksize(const void *p, size_t size)
{
	return is_kfence_address(p) ? size : kmalloc_size_roundup(size);
}

/*
 * kmalloc memory is physically contiguous: it is what kvmalloc() tries
 * first, "physically contiguous memory" (__kvmalloc_node() kerneldoc in
 * mm/util.c), and what memory-allocation.rst sets against vmalloc, whose
 * memory "is not physically contiguous". Checked against the allocator's
 * own records, not address arithmetic (virt_to_phys() of a linear-map
 * address is a subtraction and cannot fail): the buffer is not vmalloc
 * memory, both its ends lie in the linear map, and it sits whole inside
 * one folio, which is one physically contiguous block. Where the page
 * tables can be walked (x86_64), every page of the buffer is mapped at the
 * physical address the linear map gives.
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

	/* the first byte of the buffer, then of each further page */
	for (off = 0; off < size;
	     off = PAGE_ALIGN((unsigned long)p + off + 1) - (unsigned long)p) {
		phys_addr_t linear = virt_to_phys(p + off);

		if (!mm_alloc_walk_phys(p + off, &walked))
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
 * kmalloc_size_roundup() "returns the number of bytes that would be
 * available in a kmalloc() allocation of @size bytes", to be used to
 * "kmalloc() the full bucket size ahead of time" (its kerneldoc): so it is
 * at least @size, ksize() of a kmalloc(@size) is exactly that, and a
 * kmalloc() of the rounded size gets that size again, all of it usable.
 */
static void kmalloc_ksize_is_kmalloc_size_roundup(struct kunit *test)
{
	size_t size = param_size(test), rounded = kmalloc_size_roundup(size);
	void *p = kmalloc_for_test(test, size, GFP_KERNEL), *q;

	KUNIT_EXPECT_GE(test, rounded, size);
	KUNIT_EXPECT_EQ(test, ksize(p), expected_ksize(p, size));
	KUNIT_EXPECT_EQ(test, kmalloc_size_roundup(rounded), rounded);

	q = kmalloc_for_test(test, rounded, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, ksize(q), expected_ksize(q, rounded));
	memset(q, PATTERN, rounded);
	KUNIT_EXPECT_EQ(test, ((u8 *)q)[rounded - 1], PATTERN);
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
 * kmalloc_size_roundup() at the extremes (its kerneldoc, "the number of
 * bytes that would be available in a kmalloc() allocation of @size
 * bytes"): a size kmalloc() serves rounds to what kmalloc() then gives
 * (ksize()); any other size rounds to no less than itself, never to 0,
 * and to a size kmalloc() still refuses. Zero stays zero: kmalloc(0)
 * makes no byte available.
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
	KUNIT_EXPECT_GE(test, rounded, size);
	OPTIMIZER_HIDE_VAR(rounded);
	p = kmalloc(rounded, GFP_KERNEL | __GFP_NOWARN);
	if (size > KMALLOC_MAX_SIZE) {
		KUNIT_EXPECT_NULL_MSG(test, p, "kmalloc(%zu) served", rounded);
		kfree(p);
		return;
	}
	if (!p && kmalloc_may_fail(rounded))
		kunit_skip(test, "no free block of order %u for kmalloc(%zu)",
			   get_order(rounded), rounded);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kfree_action, p), 0);
	KUNIT_EXPECT_EQ(test, ksize(p), expected_ksize(p, rounded));
}

/*
 * array_size(), array3_size() and struct_size() saturate at SIZE_MAX on
 * overflow
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
	KUNIT_EXPECT_EQ(test, array3_size(3, huge, 2), SIZE_MAX);
	KUNIT_EXPECT_EQ(test, array3_size(huge, 1, 1), huge);
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
 * Up to KMALLOC_MAX_CACHE_SIZE kmalloc serves from a slab cache; "larger
 * requests are passed to the page allocator" (include/linux/slab.h, at
 * KMALLOC_SHIFT_HIGH): a block of order get_order(size) that is not a
 * slab and whose first byte is the buffer. KFENCE's pool pages are slab
 * folios too (mm/kfence/core.c, kfence_init_pool()).
 */
static void kmalloc_large_uses_page_allocator(struct kunit *test)
{
	size_t size = param_size(test);
	void *p = kmalloc_for_test(test, size, GFP_KERNEL);
	struct folio *folio = virt_to_folio(p);

	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		KUNIT_EXPECT_TRUE(test, folio_test_slab(folio));
		return;
	}
	KUNIT_EXPECT_FALSE(test, folio_test_slab(folio));
	KUNIT_EXPECT_EQ(test, folio_order(folio), get_order(size));
	KUNIT_EXPECT_PTR_EQ(test, folio_address(folio), p);
}

/*
 * Alignment (kmalloc kerneldoc, memory-allocation.rst): at least
 * ARCH_KMALLOC_MINALIGN for every size; for a power-of-two size at least
 * the size, and for any other size at least its largest power-of-two
 * divisor (size & -size covers both).
 */
static void kmalloc_is_aligned(struct kunit *test)
{
	size_t size = param_size(test), divisor = size & -size;
	void *p = kmalloc_for_test(test, size, GFP_KERNEL);

	KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p % ARCH_KMALLOC_MINALIGN, 0,
			    "misaligned for ARCH_KMALLOC_MINALIGN %u",
			    (unsigned int)ARCH_KMALLOC_MINALIGN);
	KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p % divisor, 0,
			    "not aligned to %zu, the largest power of two dividing its size",
			    divisor);
}

/*
 * The same rules for a size known when the caller is compiled: kmalloc()
 * then picks its path at compile time, and a constant size above
 * KMALLOC_MAX_CACHE_SIZE goes straight to the page allocator (slab.h).
 * A power-of-two size is aligned to itself, any other size to its largest
 * power-of-two divisor, and ksize() covers the size (kmalloc kerneldoc).
 */
static void kmalloc_constant_large_sizes_follow_the_rules(struct kunit *test)
{
	u8 *p;

	p = kmalloc(4 * KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 4 * KMALLOC_MAX_CACHE_SIZE));
	KUNIT_EXPECT_GE(test, ksize(p), 4 * KMALLOC_MAX_CACHE_SIZE);
	kfree(p);

	p = kmalloc(3 * KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, KMALLOC_MAX_CACHE_SIZE));
	KUNIT_EXPECT_GE(test, ksize(p), 3 * KMALLOC_MAX_CACHE_SIZE);
	kfree(p);
}

static void *kmalloc_plain(size_t size)
{
	return mm_alloc_kmalloc_one_site(size, GFP_KERNEL);
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
	return mm_alloc_kmalloc_one_site(size, GFP_KERNEL | __GFP_ZERO);
}

static void kfree_zeroing_buffer(const void *p)
{
	kfree(p);
}

static const struct mm_alloc_zeroing kmalloc_zeroings[] = {
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

	mm_alloc_skip_if_quarantine(test, "the object just freed is not reused");
	if (!mm_alloc_size_is_modest(size))
		mm_alloc_skip_unless_destructive(test, "holds more than a sixteenth of RAM");
	for (i = 0; i < ARRAY_SIZE(kmalloc_zeroings); i++) {
		const struct mm_alloc_zeroing *z = &kmalloc_zeroings[i];
		void *p = mm_alloc_dirty_reuse(test, z, size);

		if (!p && IS_ENABLED(CONFIG_RANDOM_KMALLOC_CACHES) &&
		    z->zalloc != kmalloc_gfp_zero) {
			kunit_info(test, "%s: not checked, RANDOM_KMALLOC_CACHES gives its call site other caches\n",
				   z->name);
			continue;
		}
		if (!p)
			kunit_skip(test, "%s never returned the object just freed%s",
				   z->name, MM_ALLOC_REUSE_ORDER_NOTE);
		checked++;
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, size), NULL,
					"%s handed back dirty memory", z->name);
		/* freed at once: one KMALLOC_MAX_SIZE block at a time */
		z->free(p);
	}
	KUNIT_EXPECT_GT(test, checked, 0U);
}

static const struct mm_alloc_zeroing kmalloc_no_zeroing = {
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
 * Whether the kernel was booted with slab_debug poisoning for every cache:
 * slab_debug with no options (all of them) or with P, for all slabs
 * (Documentation/mm/slub.rst).
 */
static bool slab_debug_poisons_kmalloc(struct kunit *test)
{
	char val[32] = "";

	if (!IS_ENABLED(CONFIG_SLUB_DEBUG) ||
	    !mm_alloc_boot_option(test, "slab_debug", "slub_debug", val,
				  sizeof(val)))
		return false;
	if (strchr(val, ',') || strchr(val, ';'))
		return false;	/* for some caches only: not judged here */
	return !val[0] || strchr(val, 'P') || strchr(val, 'p');
}

/*
 * kmalloc() itself promises nothing about the bytes of an object it hands
 * out again, but two configurations do: init_on_alloc and init_on_free
 * "fill newly allocated ... and freed heap objects with zeroes"
 * (Documentation/admin-guide/kernel-parameters.txt), and slab_debug
 * poisoning overwrites every freed object (Documentation/mm/slub.rst,
 * "P"). Under either, an object freed full of a pattern comes back with
 * none of it. Elsewhere nothing wipes it, and the case skips, saying how
 * much of the last user's data it saw.
 */
static void kmalloc_reuse_is_wiped_when_configured(struct kunit *test)
{
	static const size_t sizes[] = { 64, 200, 1024 };
	bool init = want_init_on_alloc(GFP_KERNEL) || want_init_on_free();
	bool poison = IS_ENABLED(CONFIG_SLUB_DEBUG_ON);
	unsigned int i;

	if (!init && !poison)
		poison = slab_debug_poisons_kmalloc(test);

	mm_alloc_skip_if_quarantine(test, "the object just freed is not reused");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i], stale;
		u8 *p = mm_alloc_dirty_reuse(test, &kmalloc_no_zeroing, size);

		if (!p)
			kunit_skip(test, "kmalloc never returned the object just freed%s",
				   MM_ALLOC_REUSE_ORDER_NOTE);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kfree_action, p),
				0);
		stale = count_bytes(p, size, MM_ALLOC_DIRT);
		kunit_info(test, "kmalloc(%zu) reused: %zu bytes of the last user's left\n",
			   size, stale);
		if (init)
			KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, size), NULL,
						"init_on_alloc/free: kmalloc(%zu) not zeroed",
						size);
		else if (poison)
			KUNIT_EXPECT_EQ_MSG(test, stale, 0,
					    "slab_debug poisoning: kmalloc(%zu) kept old bytes",
					    size);
	}
	if (!init && !poison)
		kunit_skip(test, "neither init_on_alloc/free nor slab_debug poisoning is on");
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
					    "kmalloc_kunit_free");

	if (IS_ERR(t))
		return PTR_ERR(t);
	wait_for_completion(&f->done);
	return 0;
}

/*
 * kfree() of a pointer inside a large kmalloc buffer, not at its start, is
 * an invalid free, which KASAN reports (Documentation/dev-tools/kasan.rst;
 * mm/kasan/common.c, check_page_allocation()); the buffer is freed all the
 * same. 1ed7ce574c13 fixed a SLUB change that had made this free go
 * unreported. The free runs in a thread of its own, so that KASAN's KUnit
 * hook, which fails the current case at any KASAN report, stays out: the
 * report is declared and required here instead.
 */
static void kfree_inside_a_large_buffer_is_reported(struct kunit *test)
{
	struct interior_free f = {};
	long err;

	if (!IS_ENABLED(CONFIG_KASAN))
		kunit_skip(test, "needs CONFIG_KASAN");
	f.buf = kmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f.buf);
	init_completion(&f.done);
	MM_ALLOC_EXPECT_REPORT(test, "KASAN:",
			       err = free_interior_pointer_in_a_thread(&f));
	if (err) {
		kfree(f.buf);
		KUNIT_FAIL(test, "no thread for the free: %ld", err);
	}
}

/*
 * KMALLOC_MAX_SIZE is the "maximum allocatable size" (include/linux/slab.h):
 * kmalloc() of it succeeds when a block of its order is free (a costly
 * order may fail otherwise, and the case then skips), and all of it is
 * usable.
 */
static void kmalloc_max_size_succeeds(struct kunit *test)
{
	void *p;

	p = kmalloc_for_test(test, KMALLOC_MAX_SIZE, GFP_KERNEL);
	memset(p, PATTERN, KMALLOC_MAX_SIZE);
}

/*
 * Beyond KMALLOC_MAX_SIZE, the "maximum allocatable size", kmalloc returns
 * NULL; with __GFP_NOWARN it says nothing (a report fails the case). The
 * sizes are hidden from the compiler, which would otherwise refuse them at
 * build time.
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
 * "ZERO_SIZE_PTR will be returned for zero sized kmalloc requests"
 * (include/linux/slab.h), ZERO_OR_NULL_PTR() recognises it, and kfree()
 * accepts it as it accepts NULL ("If @object is NULL, no operation is
 * performed", kfree() kerneldoc in mm/slub.c, and ZERO_SIZE_PTR likewise).
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
 * Under KFENCE a sampled object keeps kmalloc's contract in a changed
 * form: ksize() "reports the actual allocation size", which for a KFENCE
 * object is the size asked for (mm/kfence/core.c, kfence_ksize()), while
 * kmalloc_size_roundup() still reports what kmalloc() in general makes
 * available; and krealloc() past that size keeps the contents. KFENCE
 * takes one allocation per kfence.sample_interval ms; as in
 * kfence_test.c, the case allocates until it gets one, for at most 100
 * intervals.
 */
static void kmalloc_kfence_object_has_its_exact_size(struct kunit *test)
{
#ifdef CONFIG_KFENCE
	const size_t size = 100;
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
	KUNIT_EXPECT_GE(test, kmalloc_size_roundup(size), size);
	fill(p, size);
	p = krealloc(*slot, size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	*slot = p;
	KUNIT_EXPECT_EQ(test, first_mismatch(p, size), size);
#else
	kunit_skip(test, "needs CONFIG_KFENCE");
#endif
}

/*
 * "If @p is %NULL, krealloc() behaves exactly like kmalloc(). If
 * @new_size is 0 and @p is not a %NULL pointer, the object pointed to is
 * freed" (krealloc() kerneldoc): what it returns then is no object.
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
	KUNIT_EXPECT_TRUE(test, ZERO_OR_NULL_PTR(*slot));
}

/*
 * GFP_ATOMIC and GFP_NOWAIT never sleep, so small allocations work with a
 * spinlock held (memory-allocation.rst, "GFP flags"). A sleep there is
 * caught three ways: CONFIG_DEBUG_ATOMIC_SLEEP's "BUG: sleeping function
 * called from invalid context" and the scheduler's "BUG: scheduling while
 * atomic" fail the case as reports, and the task's count of voluntary
 * context switches, which a sleep raises, must not move (the one check
 * that needs no debug option). Being preempted is no sleep: on a
 * real-time kernel a spinlock does not disable preemption.
 */
static void kmalloc_works_in_atomic_context(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long switches;
	void *atomic, *nowait;

	spin_lock(&lock);
	switches = current->nvcsw;
	atomic = kmalloc(64, GFP_ATOMIC);
	nowait = kmalloc(64, GFP_NOWAIT | __GFP_NOWARN);
	if (atomic)
		memset(atomic, PATTERN, 64);
	kfree(atomic);
	kfree(nowait);
	switches = current->nvcsw - switches;
	spin_unlock(&lock);

	KUNIT_EXPECT_NOT_NULL(test, atomic);
	KUNIT_EXPECT_NOT_NULL(test, nowait);
	KUNIT_EXPECT_EQ_MSG(test, switches, 0,
			    "the task slept with a spinlock held");
}

/*
 * __free(kfree) accepts an error pointer as it accepts NULL (slab.h,
 * DEFINE_FREE(kfree, ...) frees only what is not IS_ERR_OR_NULL()), so an
 * error path may leave ERR_PTR() in such a variable; cd7eb8f83fcf made it
 * so after kfree() of an error pointer had oopsed. Broken, the case oopses
 * (on UML that ends the whole run).
 */
static void free_kfree_accepts_error_pointers(struct kunit *test)
{
	void *err __free(kfree) = ERR_PTR(-ENOMEM);
	void *none __free(kfree) = NULL;
	void *mem __free(kfree) = kmalloc(32, GFP_KERNEL);

	KUNIT_EXPECT_TRUE(test, IS_ERR(err));
	KUNIT_EXPECT_NULL(test, none);
	KUNIT_EXPECT_NOT_NULL(test, mem);
}

/*
 * Freed memory comes back: allocating and freeing, in batches, twice the
 * machine's RAM in total never fails, at a slab size and at the largest
 * page-allocator size. A leak in either path would exhaust memory and make
 * an allocation fail (__GFP_RETRY_MAYFAIL fails instead of OOM-killing).
 * A batch holds at most a sixteenth of RAM: KMALLOC_MAX_SIZE is 512 MiB
 * with 64 KiB pages. It churns through all of memory: destructive.
 */
static void kmalloc_memory_comes_back(struct kunit *test)
{
	const size_t sizes[] = { KMALLOC_MAX_CACHE_SIZE / 4, KMALLOC_MAX_SIZE };
	const gfp_t gfp = GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
	unsigned long long target = 2ULL * totalram_pages() * PAGE_SIZE;
	void *batch[8];
	unsigned int s, i, nr;
	bool failed;

	mm_alloc_skip_unless_destructive(test, "allocates and frees twice the RAM");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long long done = 0;

		nr = clamp_t(unsigned long, totalram_pages() / 16 /
			     DIV_ROUND_UP(sizes[s], PAGE_SIZE), 1,
			     ARRAY_SIZE(batch));
		batch[0] = kmalloc(sizes[s], gfp);
		if (!batch[0] && kmalloc_may_fail(sizes[s])) {
			kunit_info(test, "kmalloc(%zu) not checked: no free block of its order\n",
				   sizes[s]);
			continue;
		}
		kfree(batch[0]);
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

struct obj_flex {
	u32 tag;
	u8 count;
	u64 items[] __counted_by(count);
};

/*
 * kmalloc_obj(), kmalloc_objs() and kmalloc_flex() allocate room for an
 * object, an array of them, or an object with a flexible array of @COUNT
 * elements (slab.h kerneldoc), with GFP_KERNEL when no flags are given,
 * and NULL where the size would overflow.
 */
static void kmalloc_obj_sizes_by_type(struct kunit *test)
{
	struct obj_flex *one, *many, *flex;
	/* counts whose products wrap round to a few bytes, not to SIZE_MAX */
	size_t wraps = SIZE_MAX / sizeof(*many) + 2;
	size_t items_wrap = SIZE_MAX / sizeof(flex->items[0]) + 2;

	OPTIMIZER_HIDE_VAR(wraps);
	OPTIMIZER_HIDE_VAR(items_wrap);
	one = kmalloc_obj(*one);
	many = kmalloc_objs(*many, 10);
	flex = kmalloc_flex(*flex, items, 9, GFP_KERNEL | __GFP_ZERO);
	KUNIT_EXPECT_NOT_NULL(test, one);
	KUNIT_EXPECT_NOT_NULL(test, many);
	KUNIT_EXPECT_NOT_NULL(test, flex);
	if (one)
		KUNIT_EXPECT_GE(test, ksize(one), sizeof(*one));
	if (many)
		KUNIT_EXPECT_GE(test, ksize(many), 10 * sizeof(*many));
	if (flex) {
		KUNIT_EXPECT_GE(test, ksize(flex), struct_size(flex, items, 9));
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(flex, 0,
						     struct_size(flex, items, 9)),
				    NULL);
	}
	kfree(one);
	kfree(many);
	kfree(flex);

	many = kmalloc_objs(*many, wraps, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, many);
	kfree(many);
	flex = kmalloc_flex(*flex, items, items_wrap,
			    GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, flex);
	kfree(flex);
}

static const char dup_literal[] = "a string in .rodata";

/*
 * kstrdup(), kstrndup(), kmemdup() and kmemdup_nul() copy into new kmalloc
 * memory: as many bytes as the source has (kstrndup() at most @max
 * characters), NUL-terminated where the result is a string (mm/util.c
 * kerneldoc).
 */
static void kstrdup_and_kmemdup_copy_exactly(struct kunit *test)
{
	char src[] = "mm_alloc: a copy of this";
	size_t len = strlen(src);
	char *s;

	s = kstrdup(src, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_PTR_NE(test, s, &src[0]);
	KUNIT_EXPECT_STREQ(test, s, src);
	KUNIT_EXPECT_GE(test, ksize(s), len + 1);
	kfree(s);

	s = kstrndup(src, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, strlen(s), 8);
	KUNIT_EXPECT_EQ(test, memcmp(s, src, 8), 0);
	kfree(s);
	s = kstrndup(src, len + 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_STREQ(test, s, src);
	kfree(s);

	s = kmemdup(src, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, memcmp(s, src, 5), 0);
	KUNIT_EXPECT_GE(test, ksize(s), 5);
	kfree(s);

	s = kmemdup_nul(src, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, strlen(s), 5);
	KUNIT_EXPECT_EQ(test, memcmp(s, src, 5), 0);
	kfree(s);
}

/*
 * kmemdup_nul() returns a copy "with NUL-termination" (mm/util.c): shown
 * on an object that held something at the terminator's place, the one
 * kfree() just returned (the per-cpu freelist hands it back first), as
 * fresh memory is often zero already. The terminator lies beyond the
 * middle of the 32-byte (or larger) object, where SLUB keeps its free
 * pointer, which a reused object still holds.
 */
static void kmemdup_nul_terminates_reused_memory(struct kunit *test)
{
	static const char src[] = "0123456789abcdefghijklmnopqrst";
	const size_t len = 30;
	unsigned int try;
	char *dirt, *s;

	for (try = 0; try < MM_ALLOC_REUSE_TRIES; try++) {
		dirt = kmalloc(len + 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, dirt);
		memset(dirt, MM_ALLOC_DIRT, len + 1);
		kfree(dirt);
		s = kmemdup_nul(src, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		if (s == dirt)
			break;
		kfree(s);
	}
	if (try == MM_ALLOC_REUSE_TRIES)
		kunit_skip(test, "kmalloc never handed the dirty object back%s",
			   MM_ALLOC_REUSE_ORDER_NOTE);
	KUNIT_EXPECT_EQ(test, s[len], '\0');
	KUNIT_EXPECT_EQ(test, memcmp(s, src, len), 0);
	kfree(s);
}

/*
 * kmemdup_array() copies @count elements of @element_size bytes, and
 * refuses a count * size that overflows (mm/util.c kerneldoc).
 */
static void kmemdup_array_copies_or_refuses(struct kunit *test)
{
	u32 array[5] = { 1, 2, 3, 4, 5 };
	/* count * size wraps round to 4 bytes: only the overflow check refuses */
	size_t wraps = SIZE_MAX / sizeof(*array) + 2;
	u32 *a;

	OPTIMIZER_HIDE_VAR(wraps);
	a = kmemdup_array(array, ARRAY_SIZE(array), sizeof(*array), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, memcmp(a, array, sizeof(array)), 0);
	kfree(a);
	a = kmemdup_array(array, wraps, sizeof(*array), GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, a);
	kfree(a);
}

/*
 * kstrdup_const() returns the source itself when it is in the kernel's
 * .rodata, a kstrdup() copy otherwise; kfree_const() frees the copy and
 * leaves .rodata alone (mm/util.c kerneldoc). A suite built as a module
 * has its literals in the module's own .rodata, and gets a copy.
 */
static void kstrdup_const_shares_rodata(struct kunit *test)
{
	char on_stack[] = "a string on the stack";
	/* a module cannot see the kernel's .rodata bounds, nor needs them */
	bool rodata = !IS_MODULE(CONFIG_MM_ALLOC_KUNIT_TEST) &&
		      is_kernel_rodata((unsigned long)dup_literal);
	const char *s;

	s = kstrdup_const(dup_literal, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_STREQ(test, s, dup_literal);
	if (rodata)
		KUNIT_EXPECT_PTR_EQ(test, s, &dup_literal[0]);
	else
		KUNIT_EXPECT_PTR_NE(test, s, &dup_literal[0]);
	kfree_const(s);
	KUNIT_EXPECT_STREQ(test, dup_literal, "a string in .rodata");

	s = kstrdup_const(on_stack, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_PTR_NE(test, s, &on_stack[0]);
	KUNIT_EXPECT_STREQ(test, s, on_stack);
	kfree_const(s);
}

static void dump_ctor(void *obj)
{
	memset(obj, 0, 72);
}

static struct kmem_cache *dump_cache;

KUNIT_DEFINE_ACTION_WRAPPER(kmem_cache_destroy_action, kmem_cache_destroy,
			    struct kmem_cache *);
KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

static void free_page_action(void *page)
{
	__free_page(page);
}

static void kmem_cache_free_action(void *obj)
{
	kmem_cache_free(dump_cache, obj);
}

/*
 * kmem_dump_obj() says what it knows of a slab object, its cache's name
 * among it, and returns true for an object not yet freed and false for
 * memory that is not slab memory; mem_dump_obj() says what kind of memory
 * any pointer points to: a slab object, a vmalloc region of so many
 * pages, other memory, or NULL (mm/slab_common.c, mm/util.c kerneldoc).
 * With SLAB_STORE_USER (slab_debug=U) the object also says who allocated
 * it (Documentation/mm/slub.rst, "U User tracking").
 */
static void kmem_dump_obj_names_the_memory(struct kunit *test)
{
	/* a constructor keeps the cache from merging, and its own name */
	struct kmem_cache *s = kmem_cache_create("kunit_cache_dump", 72, 0, 0,
						 dump_ctor);
	struct page *page;
	bool slab, other;
	void *obj, *v;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmem_cache_destroy_action,
							s), 0);
	dump_cache = s;
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmem_cache_free_action,
							obj), 0);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action,
							page), 0);
	v = vmalloc(3 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, v), 0);

	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, "kunit_cache_dump",
						    slab = kmem_dump_obj(obj)), 1);
	KUNIT_EXPECT_TRUE(test, slab);
	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, " slab",
						    other = kmem_dump_obj(page_address(page))),
			0);
	KUNIT_EXPECT_FALSE(test, other);

	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, "kunit_cache_dump",
						    mem_dump_obj(obj)), 1);
	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, " 3-page vmalloc region",
						    mem_dump_obj(v + 5)), 1);
	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, " non-slab/vmalloc memory",
						    mem_dump_obj(page_address(page))),
			1);
	KUNIT_EXPECT_EQ(test, MM_ALLOC_COUNT_OUTPUT(test, " NULL pointer",
						    mem_dump_obj(NULL)), 1);
}

/* Not inlined: its name is what the object records as its allocator. */
static noinline void *store_user_alloc(struct kmem_cache *s)
{
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	barrier();
	return p;
}

static void kmem_dump_obj_says_who_allocated_with_store_user(struct kunit *test)
{
	struct kmem_cache *s;
	unsigned int lines, tries;
	void *obj;

	if (!IS_ENABLED(CONFIG_SLUB_DEBUG))
		kunit_skip(test, "needs CONFIG_SLUB_DEBUG");
	s = kmem_cache_create("kunit_cache_store_user", 72, 0, SLAB_STORE_USER,
			      NULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	obj = store_user_alloc(s);
	/* a KFENCE object records its own stack (mm/kfence) */
	for (tries = 0; obj && is_kfence_address(obj) && tries < 8; tries++) {
		void *next = store_user_alloc(s);

		kmem_cache_free(s, obj);
		obj = next;
	}
	KUNIT_EXPECT_NOT_NULL(test, obj);
	if (obj) {
		lines = MM_ALLOC_COUNT_OUTPUT(test, " allocated at store_user_alloc",
					      kmem_dump_obj(obj));
		KUNIT_EXPECT_EQ(test, lines, 1);
		kmem_cache_free(s, obj);
	}
	kmem_cache_destroy(s);
}

static struct kunit_case kmalloc_test_cases[] = {
	KUNIT_CASE_PARAM(kmalloc_is_physically_contiguous, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_ksize_is_kmalloc_size_roundup,
			 size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_large_uses_page_allocator, size_gen_params),
	KUNIT_CASE_PARAM(kmalloc_is_aligned, size_gen_params),
	KUNIT_CASE(kmalloc_constant_large_sizes_follow_the_rules),
	KUNIT_CASE_PARAM(kmalloc_zeroes_on_dirty_reuse, size_gen_params),
	KUNIT_CASE(kmalloc_reuse_is_wiped_when_configured),
	KUNIT_CASE_PARAM(kmalloc_size_roundup_at_the_extremes,
			 extreme_size_gen_params),
	KUNIT_CASE(saturated_sizes_are_refused),
	KUNIT_CASE(kmalloc_max_size_succeeds),
	KUNIT_CASE(kmalloc_beyond_max_size_fails),
	KUNIT_CASE(kmalloc_zero_size_is_zero_size_ptr),
	KUNIT_CASE(kmalloc_array_overflow_fails),
	KUNIT_CASE(krealloc_keeps_contents),
	KUNIT_CASE(kmalloc_kfence_object_has_its_exact_size),
	KUNIT_CASE(krealloc_null_and_zero),
	KUNIT_CASE(kmalloc_works_in_atomic_context),
	KUNIT_CASE(free_kfree_accepts_error_pointers),
	KUNIT_CASE(kfree_inside_a_large_buffer_is_reported),
	KUNIT_CASE_SLOW(kmalloc_memory_comes_back),
	KUNIT_CASE(kmalloc_obj_sizes_by_type),
	KUNIT_CASE(kstrdup_and_kmemdup_copy_exactly),
	KUNIT_CASE(kmemdup_nul_terminates_reused_memory),
	KUNIT_CASE(kmemdup_array_copies_or_refuses),
	KUNIT_CASE(kstrdup_const_shares_rodata),
	KUNIT_CASE(kmem_dump_obj_names_the_memory),
	KUNIT_CASE(kmem_dump_obj_says_who_allocated_with_store_user),
	{}
};

static struct kunit_suite kmalloc_test_suite = {
	.name = "mm_alloc_kmalloc",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = kmalloc_test_cases,
};

kunit_test_suite(kmalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the kmalloc contract");
MODULE_LICENSE("GPL");
