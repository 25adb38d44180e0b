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

/* KUNIT_ASSERT_FAILURE() became KUNIT_FAIL_AND_ABORT() in 6.10. */
#ifndef KUNIT_FAIL_AND_ABORT
#define KUNIT_FAIL_AND_ABORT KUNIT_ASSERT_FAILURE
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

/*
 * The suites' newer interfaces, each skipped where the kernel lacks it:
 * kvmemdup() (after 6.1), mempool_create_kvmalloc_pool() (6.7),
 * mempool_alloc_preallocated() (6.8), kmemdup_array() (6.9), sparse vmalloc
 * areas (6.9), kmem_buckets (6.11), struct kmem_cache_args (6.12), the
 * kmalloc_obj() family (6.12.y), and kmem_dump_obj()'s answer (6.5).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define kvmemdup(src, len, gfp) ({					\
	(void)(src); (void)(len); (void)(gfp);				\
	mm_alloc_compat_skip("kvmemdup() arrived after 6.1");		\
	(void *)NULL;							\
})
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define mempool_create_kvmalloc_pool(min_nr, size) ({			\
	(void)(min_nr); (void)(size);					\
	mm_alloc_compat_skip("mempool_create_kvmalloc_pool() arrived in 6.7"); \
	(mempool_t *)NULL;						\
})
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define mempool_alloc_preallocated(pool) ({				\
	(void)(pool);							\
	mm_alloc_compat_skip("mempool_alloc_preallocated() arrived in 6.8");	\
	(void *)NULL;							\
})
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define kmemdup_array(src, count, size, gfp) ({			\
	(void)(src); (void)(count); (void)(size); (void)(gfp);		\
	mm_alloc_compat_skip("kmemdup_array() arrived in 6.9");		\
	(void *)NULL;							\
})
#endif

#ifndef VM_SPARSE
#define VM_SPARSE ({							\
	mm_alloc_compat_skip("sparse vmalloc areas (VM_SPARSE) arrived in 6.9"); \
	0UL;								\
})
#define vm_area_map_pages(area, start, end, pages) \
	((void)(area), (void)(start), (void)(end), (void)(pages), -EINVAL)
#define vm_area_unmap_pages(area, start, end) \
	((void)(area), (void)(start), (void)(end))
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
typedef struct kmem_cache *kmem_buckets[1];
#define kmem_buckets_create(name, flags, useroffset, usersize, ctor) ({	\
	(void)(name);							\
	mm_alloc_compat_skip("kmem_buckets arrived in 6.11");		\
	(kmem_buckets *)NULL;						\
})
#define kmem_buckets_alloc(b, size, gfp) ((void)(b), kmalloc(size, gfp))
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
struct kmem_cache_args {
	unsigned int align, useroffset, usersize, freeptr_offset;
	bool use_freeptr_offset;
	void (*ctor)(void *);
};

#define __kmem_cache_create_args(name, size, args, flags) ({		\
	(void)(name); (void)(size); (void)(args); (void)(flags);	\
	mm_alloc_compat_skip("struct kmem_cache_args arrived in 6.12");	\
	(struct kmem_cache *)NULL;					\
})
#endif

#ifndef kmalloc_obj
#define kmalloc_obj(var, ...) ({					\
	mm_alloc_compat_skip("kmalloc_obj() and its kin arrived in 6.12.y"); \
	(typeof(var) *)NULL;						\
})
#define kmalloc_objs(var, count, ...) kmalloc_obj(var)
#define kmalloc_flex(var, fam, count, ...) kmalloc_obj(var)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define kmem_dump_obj(p) ({						\
	(void)(p);							\
	mm_alloc_compat_skip("kmem_dump_obj() says whether it knew the object from 6.5 on"); \
	false;								\
})
#endif

#endif /* _MM_ALLOC_COMPAT_H */
