/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels the allocator suites run on (6.1 and
 * 6.12), kept in one place so that the suites read the same on both.
 */
#ifndef _ALLOC_KUNIT_COMPAT_H
#define _ALLOC_KUNIT_COMPAT_H

#include <kunit/test.h>
#include <linux/mmzone.h>
#include <linux/version.h>

/*
 * The largest order the page allocator serves, inclusive. 6.4 made
 * MAX_ORDER inclusive and 6.8 renamed it MAX_PAGE_ORDER; before 6.4 it
 * was one past the largest order.
 */
#ifndef MAX_PAGE_ORDER
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER MAX_ORDER
#else
#define MAX_PAGE_ORDER (MAX_ORDER - 1)
#endif
#endif

/* KUnit 6.6 added speed attributes; before, a slow case is a case. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#endif

/* KUnit 6.8 added the wrapper that avoids casting functions. */
#ifndef KUNIT_DEFINE_ACTION_WRAPPER
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)	\
	static void wrapper(void *in)				\
	{							\
		orig((arg_type)in);				\
	}
#endif

/*
 * alloc_kunit_defer() - run @fn(@ctx) when @test ends, passed or failed.
 * kunit_add_action_or_reset() arrived in 6.5; before it, a resource whose
 * free callback runs the action does the same. On failure to record the
 * action, @fn runs at once and the error is returned.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
static inline int alloc_kunit_defer(struct kunit *test, void (*fn)(void *),
				    void *ctx)
{
	return kunit_add_action_or_reset(test, fn, ctx);
}
#else
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

#endif /* _ALLOC_KUNIT_COMPAT_H */
