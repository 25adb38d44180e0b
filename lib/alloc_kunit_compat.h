/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels the allocator suites run on (6.1 and
 * 6.12), kept in one place so that the suites read the same on both. Each
 * one is detected by the feature itself rather than by version number.
 */
#ifndef _ALLOC_KUNIT_COMPAT_H
#define _ALLOC_KUNIT_COMPAT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

/*
 * The largest order the page allocator serves. 6.8 named it
 * MAX_PAGE_ORDER; before, MAX_ORDER meant one past it (up to 6.3) or it
 * (6.4 to 6.7). MAX_ORDER_NR_PAGES has always been the size of the largest
 * block, so its log is right on every kernel.
 */
#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER ilog2(MAX_ORDER_NR_PAGES)
/*
 * Kernels this old (6.1 among them) compute kmalloc_size_roundup() of a
 * size above KMALLOC_MAX_SIZE as PAGE_SIZE << get_order(size), which
 * wraps to 0 for the largest sizes; 6.12 returns the size itself
 * (mm/slab_common.c). The fix has no symbol of its own to detect.
 */
#define ALLOC_KUNIT_ROUNDUP_WRAPS_ABOVE_MAX
#endif

/* KUnit 6.6 added speed attributes; before, a slow case is a case. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif

/*
 * alloc_kunit_defer() - run @fn(@ctx) when @test ends, passed or failed.
 * On failure to record the action, @fn runs at once and an error returns.
 * Kernels with KUNIT_DEFINE_ACTION_WRAPPER (6.8) have deferred actions;
 * before, a resource whose free callback runs the action does the same.
 */
#ifdef KUNIT_DEFINE_ACTION_WRAPPER
static inline int alloc_kunit_defer(struct kunit *test, void (*fn)(void *),
				    void *ctx)
{
	return kunit_add_action_or_reset(test, fn, ctx);
}
#else
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}

struct alloc_kunit_deferred {
	void (*fn)(void *ctx);
	void *ctx;
};

static inline int alloc_kunit_deferred_init(struct kunit_resource *res,
					    void *context)
{
	res->data = context;
	return 0;
}

static inline void alloc_kunit_deferred_free(struct kunit_resource *res)
{
	struct alloc_kunit_deferred *d = res->data;

	d->fn(d->ctx);
	kfree(d);
}

static inline int alloc_kunit_defer(struct kunit *test, void (*fn)(void *),
				    void *ctx)
{
	struct alloc_kunit_deferred *d = kmalloc(sizeof(*d), GFP_KERNEL);

	if (!d) {
		fn(ctx);
		return -ENOMEM;
	}
	d->fn = fn;
	d->ctx = ctx;
	if (!kunit_alloc_resource(test, alloc_kunit_deferred_init,
				  alloc_kunit_deferred_free, GFP_KERNEL, d)) {
		kfree(d);
		fn(ctx);
		return -ENOMEM;
	}
	return 0;
}
#endif

/*
 * 6.12 added vrealloc() and, with it, gave kvrealloc() krealloc's
 * signature; 6.1's kvrealloc() also takes the old size.
 */
#ifdef vrealloc
#define ALLOC_KUNIT_HAVE_VREALLOC
#endif

static inline void *alloc_kunit_kvrealloc(const void *p, size_t oldsize,
					  size_t newsize, gfp_t gfp)
{
#ifdef ALLOC_KUNIT_HAVE_VREALLOC
	return kvrealloc(p, newsize, gfp);
#else
	return kvrealloc(p, oldsize, newsize, gfp);
#endif
}

/*
 * The physical address of @addr found by walking the kernel page tables,
 * where the architecture lets a test do so (x86: slow_virt_to_phys(),
 * through lookup_address()); false elsewhere.
 */
#ifdef CONFIG_X86
#include <asm/pgtable_types.h>
#endif
static inline bool alloc_kunit_walk_phys(const void *addr, phys_addr_t *phys)
{
#ifdef CONFIG_X86
	*phys = slow_virt_to_phys((void *)addr);
	return true;
#else
	return false;
#endif
}

/*
 * vmalloc with an alignment, as lib/test_vmalloc.c allocates: 6.1 and
 * 6.12 both have __vmalloc_node(size, align, gfp, node, caller) (6.10
 * made it a macro over __vmalloc_node_noprof()), and both export it only
 * for test_vmalloc built as a module. A built-in suite links to it; a
 * modular one only then, and otherwise gets NULL, reported as refused.
 */
#if !defined(MODULE) || defined(CONFIG_TEST_VMALLOC_MODULE)
static inline void *alloc_kunit_vmalloc_align(unsigned long size,
					      unsigned long align, gfp_t gfp)
{
	return __vmalloc_node(size, align, gfp, NUMA_NO_NODE,
			      __builtin_return_address(0));
}
#else
static inline void *alloc_kunit_vmalloc_align(unsigned long size,
					      unsigned long align, gfp_t gfp)
{
	return NULL;
}
#endif

/*
 * Generic KASAN puts freed slab objects in a quarantine and gives them
 * back to the slab allocator only later (mm/kasan/quarantine.c): an object
 * just freed is not handed out again at once, and slab pages do not come
 * back to the counters at once. A case that relies on either skips.
 */
#ifdef CONFIG_KASAN_GENERIC
#define alloc_kunit_skip_if_quarantine(test, what)			\
	kunit_skip(test, "generic KASAN quarantines freed objects: %s", what)
#else
#define alloc_kunit_skip_if_quarantine(test, what) \
	do { (void)(test); (void)(what); } while (0)
#endif

#endif /* _ALLOC_KUNIT_COMPAT_H */
