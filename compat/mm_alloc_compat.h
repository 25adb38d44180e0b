/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-tree runs only: what the allocator suites use from 6.12 that an
 * older kernel (6.1) lacks. The suites are written for 6.12 and never
 * include this file; lib/Makefile forces it in (-include) when the project
 * is grafted into a tree, and compat/include/ comes after the tree's own
 * include/ on the include path. On 6.12 nothing here applies.
 *
 * A missing feature never gets a stand-in that would be tested in the
 * kernel's place: a case that reaches it is skipped, with the version that
 * brought the feature. Only KUnit's own helpers (actions, slow cases) are
 * filled in, as KUnit resources that do the same.
 */
#ifndef _MM_ALLOC_COMPAT_H
#define _MM_ALLOC_COMPAT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vmalloc.h>

/* Skip the running case: @why names what this kernel lacks. */
#define mm_alloc_compat_skip(why) kunit_skip(current->kunit_test, "%s", why)

/*
 * The largest order the page allocator serves. 6.8 named it
 * MAX_PAGE_ORDER; before, MAX_ORDER meant one past it (up to 6.3).
 * MAX_ORDER_NR_PAGES has always been the size of the largest block.
 */
#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER ilog2(MAX_ORDER_NR_PAGES)
#endif

/* KUnit 6.6 added speed attributes; before, a slow case is a case. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline struct kunit *kunit_get_current_test(void)
{
	return current->kunit_test;
}
#endif

/*
 * Deferred actions (6.5) as a resource whose free callback runs the
 * action: what kunit_add_action_or_reset() does, on older KUnit.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
typedef void (kunit_action_t)(void *);

struct mm_alloc_compat_action {
	kunit_action_t *fn;
	void *ctx;
};

static inline int mm_alloc_compat_action_init(struct kunit_resource *res,
					      void *context)
{
	res->data = context;
	return 0;
}

static inline void mm_alloc_compat_action_free(struct kunit_resource *res)
{
	struct mm_alloc_compat_action *a = res->data;

	a->fn(a->ctx);
	kfree(a);
}

static inline int kunit_add_action_or_reset(struct kunit *test,
					    kunit_action_t *fn, void *ctx)
{
	struct mm_alloc_compat_action *a = kmalloc(sizeof(*a), GFP_KERNEL);

	if (!a) {
		fn(ctx);
		return -ENOMEM;
	}
	a->fn = fn;
	a->ctx = ctx;
	if (!kunit_alloc_resource(test, mm_alloc_compat_action_init,
				  mm_alloc_compat_action_free, GFP_KERNEL, a)) {
		kfree(a);
		fn(ctx);
		return -ENOMEM;
	}
	return 0;
}
#endif

#ifndef KUNIT_DEFINE_ACTION_WRAPPER
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}
#endif

/*
 * 6.12 added vrealloc() and gave kvrealloc() krealloc's signature; 6.1's
 * kvrealloc() takes the old size too, and always moves to grow.
 */
#ifndef vrealloc
static inline void *mm_alloc_compat_no_vrealloc(void)
{
	mm_alloc_compat_skip("vrealloc() and kvrealloc(p, size, gfp) arrived in 6.12");
	return NULL;
}

#define vrealloc(p, size, gfp) \
	((void)(p), (void)(size), (void)(gfp), mm_alloc_compat_no_vrealloc())
#define kvrealloc(p, size, gfp) \
	((void)(p), (void)(size), (void)(gfp), mm_alloc_compat_no_vrealloc())
#endif

/* SLAB_NO_MERGE arrived in 6.5. */
#ifndef SLAB_NO_MERGE
static inline slab_flags_t mm_alloc_compat_no_slab_no_merge(void)
{
	mm_alloc_compat_skip("SLAB_NO_MERGE arrived in 6.5");
	return 0;
}

#define SLAB_NO_MERGE mm_alloc_compat_no_slab_no_merge()
#endif

/*
 * Scope-based cleanup (__free(), 6.5): the variable is freed as
 * DEFINE_FREE(kfree, ...) does, and the case is marked skipped.
 */
#ifndef DEFINE_FREE
static inline void mm_alloc_compat_free_kfree(void *p)
{
	void *obj = *(void **)p;

	kunit_mark_skipped(current->kunit_test, "no __free() before 6.5");
	if (!IS_ERR_OR_NULL(obj))
		kfree(obj);
}

#define __free(name) __attribute__((__cleanup__(mm_alloc_compat_free_##name)))
#endif

/*
 * kmalloc_size_roundup() of a size above KMALLOC_MAX_SIZE wraps to 0
 * before 6.6 (fixed by 8446a4deb6b6, which 6.1.y never took): a case
 * that asks for such a size skips, naming the fix.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
static inline size_t mm_alloc_compat_roundup(size_t size)
{
	if (size > KMALLOC_MAX_SIZE && size != SIZE_MAX)
		mm_alloc_compat_skip("kmalloc_size_roundup() wraps above KMALLOC_MAX_SIZE before 6.6 (8446a4deb6b6)");
	return kmalloc_size_roundup(size);
}

#define kmalloc_size_roundup(size) mm_alloc_compat_roundup(size)
#endif

#endif /* _MM_ALLOC_COMPAT_H */
