// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the kvmalloc() policy.
 *
 * kvmalloc() "attempts to allocate physically contiguous memory, but upon
 * failure, falls back to non-contiguous (vmalloc) allocation" (mm/util.c,
 * __kvmalloc_node() kerneldoc): kmalloc's answer while kmalloc can give
 * one, vmalloc's beyond. Two rules that are not in the kerneldoc are held
 * here because shipped kernels broke them: non-blocking GFP flags never
 * fall back to vmalloc, and sizes above INT_MAX are refused quietly with
 * __GFP_NOWARN. The fallback forced by a kmalloc failure belongs to the
 * failure-handling suite.
 */

#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"
#include "mm_alloc_reuse.h"

#define PATTERN 0x3c

KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);

static void *kvmalloc_for_test(struct kunit *test, size_t size, gfp_t gfp)
{
	void *p = kvmalloc(size, gfp);

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "kvmalloc(%zu) returned NULL", size);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, p), 0);
	return p;
}

/*
 * kvmalloc() "uses kmalloc to get the memory" (its kerneldoc), and
 * kmalloc() serves sizes up to a page at once: linear-map memory.
 */
static void kvmalloc_small_comes_from_slab(struct kunit *test)
{
	const size_t sizes[] = { 1, 64, PAGE_SIZE / 2, PAGE_SIZE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = kvmalloc_for_test(test, sizes[i], GFP_KERNEL);

		KUNIT_EXPECT_FALSE_MSG(test, is_vmalloc_addr(p), "size %zu",
				       sizes[i]);
		KUNIT_EXPECT_TRUE_MSG(test, virt_addr_valid(p), "size %zu",
				      sizes[i]);
	}
}

/*
 * Between a page and KMALLOC_MAX_SIZE either kind may come back (kmalloc
 * is tried with __GFP_NORETRY); report which one did, assert only that it
 * is one of the two and usable.
 */
static void kvmalloc_medium_is_either_kind(struct kunit *test)
{
	const size_t sizes[] = { PAGE_SIZE + 1, 16 * PAGE_SIZE,
				 KMALLOC_MAX_SIZE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = kvmalloc_for_test(test, sizes[i], GFP_KERNEL);

		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p) ^ virt_addr_valid(p));
		memset(p, PATTERN, sizes[i]);
		kunit_info(test, "kvmalloc(%zu): %s memory\n", sizes[i],
			   is_vmalloc_addr(p) ? "vmalloc" : "kmalloc");
	}
}

/*
 * Beyond KMALLOC_MAX_SIZE kmalloc cannot serve, so kvmalloc() "falls back
 * to non-contiguous (vmalloc) allocation". Sizes above INT_MAX are refused
 * (kvmalloc_above_int_max_fails checks) and sizes beyond a sixteenth of
 * RAM are left out: with 64 KiB pages KMALLOC_MAX_SIZE is 512 MiB, and 8
 * times it is both.
 */
static void kvmalloc_large_comes_from_vmalloc(struct kunit *test)
{
	const size_t sizes[] = { KMALLOC_MAX_SIZE + 1, 2 * KMALLOC_MAX_SIZE,
				 8 * KMALLOC_MAX_SIZE };
	unsigned int i, checked = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *p;

		if (size > INT_MAX || !mm_alloc_size_is_modest(size)) {
			kunit_info(test, "kvmalloc(%zu) not checked: above INT_MAX or a sixteenth of RAM\n",
				   size);
			continue;
		}
		p = kvmalloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "kvmalloc(%zu) returned NULL",
					  size);
		KUNIT_EXPECT_TRUE_MSG(test, is_vmalloc_addr(p), "size %zu",
				      size);
		p[size - 1] = PATTERN;
		kvfree(p);
		checked++;
	}
	KUNIT_EXPECT_GT(test, checked, 0U);
}

/*
 * kvmalloc() does not support GFP_NOWAIT and GFP_ATOMIC (its kerneldoc),
 * and vmalloc may sleep: with them it never falls back to vmalloc, so a
 * size only vmalloc can serve gives NULL and a small one still works.
 * 30c19366636f made it so, after a fallback under GFP_ATOMIC had hit a
 * BUG in vmalloc.
 */
static void kvmalloc_nonblocking_never_uses_vmalloc(struct kunit *test)
{
	const gfp_t flags[] = { GFP_NOWAIT, GFP_ATOMIC };
	size_t big = 2 * KMALLOC_MAX_SIZE;
	unsigned int i;

	OPTIMIZER_HIDE_VAR(big);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		void *p = kvmalloc(big, flags[i] | __GFP_NOWARN);

		KUNIT_EXPECT_NULL(test, p);
		kvfree(p);
		p = kvmalloc_for_test(test, 64, flags[i]);
		KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
	}
}

/*
 * kvmalloc() refuses sizes above INT_MAX ("don't even allow crazy sizes",
 * mm/util.c), quietly with __GFP_NOWARN: 0708a0afe291 made it honour
 * __GFP_NOWARN after it had warned regardless.
 */
static void kvmalloc_above_int_max_fails(struct kunit *test)
{
	size_t size = (size_t)INT_MAX + 1;
	void *p;

	/* vmalloc refuses more than totalram_pages() before INT_MAX matters */
	if (size >> PAGE_SHIFT > totalram_pages())
		kunit_skip(test,
			   "needs over 2 GiB of RAM: vmalloc's RAM check refuses the size first");
	OPTIMIZER_HIDE_VAR(size);
	p = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
}

/*
 * kvmalloc(0) is kmalloc(0), which returns ZERO_SIZE_PTR for zero-sized
 * requests (include/linux/slab.h); kvfree() accepts it and NULL, as
 * kfree() does.
 */
static void kvmalloc_zero_size(struct kunit *test)
{
	size_t zero = 0;
	void *p;

	OPTIMIZER_HIDE_VAR(zero);
	p = kvmalloc(zero, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, ZERO_SIZE_PTR);
	kvfree(p);
	kvfree(NULL);
}

static void *kvmalloc_plain(size_t size)
{
	return kvmalloc(size, GFP_KERNEL);
}

static void *kvzalloc_plain(size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static void kvfree_zeroing_buffer(const void *p)
{
	kvfree(p);
}

static const struct mm_alloc_zeroing kvzalloc_zeroing = {
	"kvzalloc", kvmalloc_plain, kvzalloc_plain, kvfree_zeroing_buffer,
};

/*
 * kvzalloc() zeroes both kinds (slab.h kerneldoc), shown on memory it
 * reuses just after it was freed full of a pattern: the same slab object
 * below a page, some of the same pages for vmalloc memory.
 */
static void kvzalloc_zeroes_on_dirty_reuse(struct kunit *test)
{
	const size_t sizes[] = { PAGE_SIZE / 2, 2 * KMALLOC_MAX_SIZE };
	unsigned int i;

	mm_alloc_skip_if_quarantine(test, "the object just freed is not reused");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = mm_alloc_dirty_reuse(test, &kvzalloc_zeroing,
						sizes[i]);

		if (!p && IS_ENABLED(CONFIG_RANDOM_KMALLOC_CACHES) &&
		    sizes[i] <= PAGE_SIZE) {
			kunit_info(test, "kvzalloc(%zu): not checked, RANDOM_KMALLOC_CACHES never reused the object\n",
				   sizes[i]);
			continue;
		}
		if (!p)
			kunit_skip(test, "kvzalloc(%zu) never reused memory just freed%s",
				   sizes[i], MM_ALLOC_REUSE_ORDER_NOTE);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, p),
				0);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, 0, sizes[i]), NULL,
					"size %zu", sizes[i]);
	}
}

/* kvmalloc_array() and kvcalloc() return NULL when n * size overflows. */
static void kvmalloc_array_overflow_fails(struct kunit *test)
{
	size_t n = SIZE_MAX / 16 + 2, size = 16;
	void *p;

	OPTIMIZER_HIDE_VAR(n);
	p = kvmalloc_array(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
	p = kvcalloc(n, size, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
}

/*
 * kvmemdup() copies into kvmalloc() memory (mm/util.c kerneldoc): slab
 * memory for a small source, vmalloc memory beyond what kmalloc serves,
 * the same bytes either way.
 */
static void kvmemdup_copies_any_size(struct kunit *test)
{
	const size_t sizes[] = { 40, 2 * KMALLOC_MAX_SIZE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *src = vmalloc(sizes[i]), *copy;
		size_t j;

		KUNIT_ASSERT_NOT_NULL(test, src);
		for (j = 0; j < sizes[i]; j++)
			src[j] = j * 7;
		copy = kvmemdup(src, sizes[i], GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, copy);
		if (copy) {
			KUNIT_EXPECT_EQ(test, is_vmalloc_addr(copy),
					sizes[i] > KMALLOC_MAX_SIZE);
			KUNIT_EXPECT_EQ(test, memcmp(copy, src, sizes[i]), 0);
		}
		kvfree(copy);
		vfree(src);
	}
}

/* kvfree() frees either kind (mm/util.c, kvfree() kerneldoc). */
static void kvfree_frees_both_kinds(struct kunit *test)
{
	void *k = kmalloc(64, GFP_KERNEL), *v = vmalloc(PAGE_SIZE);

	KUNIT_EXPECT_NOT_NULL(test, k);
	KUNIT_EXPECT_NOT_NULL(test, v);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(k));
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(v));
	kvfree(k);
	kvfree(v);
}

/*
 * kvrealloc() preserves the contents "up to the lesser of the new and old
 * sizes" (its kerneldoc in mm/util.c), also when the buffer moves from
 * kmalloc memory to vmalloc memory, and when it shrinks again.
 */
static void kvrealloc_keeps_contents_across_kinds(struct kunit *test)
{
	const size_t steps[] = { 64, 2 * KMALLOC_MAX_SIZE, 100 };
	size_t kept = steps[0], i;
	u8 *p = kvmalloc(steps[0], GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
	memset(p, PATTERN, steps[0]);
	for (i = 1; i < ARRAY_SIZE(steps); i++) {
		q = kvrealloc(p, steps[i], GFP_KERNEL);
		if (!q)
			kvfree(p);
		KUNIT_ASSERT_NOT_NULL(test, q);
		p = q;
		kept = min(kept, steps[i]);
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p, PATTERN, kept),
					NULL, "after kvrealloc to %zu",
					steps[i]);
		if (steps[i] > KMALLOC_MAX_SIZE)
			KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
		memset(p, PATTERN, steps[i]);
		kept = steps[i];
	}
	kvfree(p);
}

static struct kunit_case kvmalloc_test_cases[] = {
	KUNIT_CASE(kvmalloc_small_comes_from_slab),
	KUNIT_CASE(kvmalloc_medium_is_either_kind),
	KUNIT_CASE(kvmalloc_large_comes_from_vmalloc),
	KUNIT_CASE(kvmalloc_nonblocking_never_uses_vmalloc),
	KUNIT_CASE(kvmalloc_above_int_max_fails),
	KUNIT_CASE(kvmalloc_zero_size),
	KUNIT_CASE(kvzalloc_zeroes_on_dirty_reuse),
	KUNIT_CASE(kvmalloc_array_overflow_fails),
	KUNIT_CASE(kvfree_frees_both_kinds),
	KUNIT_CASE(kvmemdup_copies_any_size),
	KUNIT_CASE(kvrealloc_keeps_contents_across_kinds),
	{}
};

static struct kunit_suite kvmalloc_test_suite = {
	.name = "mm_alloc_kvmalloc",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = kvmalloc_test_cases,
};

kunit_test_suite(kvmalloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for the kvmalloc policy");
MODULE_LICENSE("GPL");
