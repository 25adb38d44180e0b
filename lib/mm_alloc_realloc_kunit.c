// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of krealloc(), kvrealloc() and vrealloc(), as a matrix: grow
 * or shrink, within the first allocation's capacity or past it, with or
 * without __GFP_ZERO, on slab memory, page-allocator memory, vmalloc memory
 * and across the lines between them.
 *
 * The contract is the kerneldoc of the three (mm/slab_common.c, mm/util.c,
 * mm/vmalloc.c): the contents are preserved up to the lesser of the old
 * and new sizes; the result has room for the new size; and when every
 * call for an allocation, the first one included, passes __GFP_ZERO, every
 * byte past the requested size reads zero, even after a shrink and a grow
 * back ("keep | zero" up to the bucket size). Each cell checks the step it
 * names, then grows once more to the full capacity, where a stale byte
 * from before a shrink would show. Where the memory stays is promised
 * nowhere, and is reported, except for vmalloc memory growing within its
 * area: f7a35a3c36d1 made vrealloc() use the room it has after a release
 * had it move instead.
 *
 * To add a cell: add a line to realloc_cells[]; sizes are derived from the
 * kernel's constants, or from the first allocation's capacity (CAP,
 * PAST_CAP).
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

enum realloc_api { KREALLOC, KVREALLOC, VREALLOC };
enum placement { ANYWHERE, STAYS };

static const char * const api_names[] = {
	[KREALLOC] = "krealloc", [KVREALLOC] = "kvrealloc",
	[VREALLOC] = "vrealloc",
};

/*
 * Sizes relative to the capacity of the first allocation (ksize(), or the
 * vmalloc area's pages, which may be PMD-sized with huge mappings): CAP
 * fits exactly, PAST_CAP is one byte more.
 */
#define CAP		0
#define PAST_CAP	SIZE_MAX

struct realloc_cell {
	const char *name;
	enum realloc_api api;
	size_t from, to;
	enum placement placement;
};

/* Sizes either side of the slab/page-allocator and kmalloc/vmalloc lines */
#define SLAB_TOP	KMALLOC_MAX_CACHE_SIZE
#define PAGES		(KMALLOC_MAX_CACHE_SIZE + 1)
#define VMALLOC_ONLY	(KMALLOC_MAX_SIZE + 1)

static const struct realloc_cell realloc_cells[] = {
	/* kmalloc memory */
	{ "slab_grow_within_capacity", KREALLOC, 100, CAP, ANYWHERE },
	{ "slab_grow_past_capacity", KREALLOC, 100, PAST_CAP, ANYWHERE },
	{ "slab_shrink", KREALLOC, 1000, 100, ANYWHERE },
	{ "slab_to_pages", KREALLOC, SLAB_TOP, PAGES, ANYWHERE },
	{ "pages_grow_within_capacity", KREALLOC, PAGES, CAP, ANYWHERE },
	{ "pages_grow_past_capacity", KREALLOC, PAGES, PAST_CAP, ANYWHERE },
	{ "pages_shrink", KREALLOC, 4 * PAGES, 100, ANYWHERE },
	/* kvrealloc: krealloc for kmalloc memory, vrealloc for vmalloc */
	{ "slab_grow_within_capacity", KVREALLOC, 100, CAP, ANYWHERE },
	{ "slab_grow_past_capacity", KVREALLOC, 100, PAST_CAP, ANYWHERE },
	{ "slab_shrink", KVREALLOC, 1000, 100, ANYWHERE },
	{ "slab_to_vmalloc", KVREALLOC, 1000, VMALLOC_ONLY, ANYWHERE },
	{ "vmalloc_grow_in_place", KVREALLOC, VMALLOC_ONLY, CAP, STAYS },
	{ "vmalloc_grow_past_capacity", KVREALLOC, VMALLOC_ONLY, PAST_CAP,
	  ANYWHERE },
	{ "vmalloc_shrink", KVREALLOC, VMALLOC_ONLY, 100, ANYWHERE },
	/* vrealloc: within the area's pages it keeps the area */
	{ "grow_in_place", VREALLOC, PAGE_SIZE + 100, CAP, STAYS },
	{ "grow_past_capacity", VREALLOC, PAGE_SIZE + 100, PAST_CAP, ANYWHERE },
	{ "shrink", VREALLOC, 5 * PAGE_SIZE, 100, ANYWHERE },
};

/* Each cell twice: without, then with __GFP_ZERO. */
struct realloc_param {
	const struct realloc_cell *cell;
	bool zero;
};

static struct realloc_param realloc_params[2 * ARRAY_SIZE(realloc_cells)];

static const void *realloc_gen_params(const void *prev, char *desc)
{
	const struct realloc_param *next;
	unsigned int i;

	if (!prev)
		for (i = 0; i < ARRAY_SIZE(realloc_params); i++) {
			realloc_params[i].cell = &realloc_cells[i / 2];
			realloc_params[i].zero = i % 2;
		}
	next = prev ? (const struct realloc_param *)prev + 1 : realloc_params;
	if (next >= realloc_params + ARRAY_SIZE(realloc_params))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_%s%s",
		 api_names[next->cell->api], next->cell->name,
		 next->zero ? "_gfp_zero" : "");
	return next;
}

static void *api_alloc(struct kunit *test, enum realloc_api api, size_t size,
		       gfp_t gfp)
{
	switch (api) {
	case KREALLOC:
		return kmalloc(size, gfp);
	case KVREALLOC:
		return kvmalloc(size, gfp);
	default:
		return __vmalloc(size, gfp);
	}
}

static void *api_realloc(struct kunit *test, enum realloc_api api,
			 void *p, size_t new, gfp_t gfp)
{
	switch (api) {
	case KREALLOC:
		return krealloc(p, new, gfp);
	case KVREALLOC:
		return kvrealloc(p, new, gfp);
	default:
		return vrealloc(p, new, gfp);
	}
}

/* The slot's buffer is freed when the case ends, whatever it holds. */
static void kvfree_slot(void *slot)
{
	kvfree(*(void **)slot);
}

/* Bytes usable in place: ksize(), or the vmalloc area without its guard. */
static size_t capacity(const void *p)
{
	if (is_vmalloc_addr(p))
		return get_vm_area_size(find_vm_area(p));
	return ksize(p);
}

static u8 pattern_at(size_t i)
{
	return i * 13 + 7;
}

static size_t first_mismatch(const u8 *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != pattern_at(i))
			return i;
	return to;
}

static size_t first_nonzero(const u8 *p, size_t from, size_t to)
{
	const u8 *bad = from < to ? memchr_inv(p + from, 0, to - from) : NULL;

	return bad ? bad - p : to;
}

/*
 * Under slab_debug red zoning (SLUB_DEBUG_ON), the bytes of a kmalloc
 * object past its requested size are red zone, SLUB_RED_ACTIVE
 * (include/linux/poison.h), and 6.12's krealloc() hands them on, in place
 * or copied with the whole ksize(): fixed in 6.13 by "mm/slub: Improve
 * redzone check and zeroing for krealloc()". A red-zone byte where a zero
 * is due skips, naming that; any other byte still fails.
 */
static void skip_if_red_zone_handed_on(struct kunit *test, const u8 *q,
				       size_t at, size_t end)
{
	if (IS_ENABLED(CONFIG_SLUB_DEBUG_ON) && at < end &&
	    q[at] == SLUB_RED_ACTIVE)
		kunit_skip(test, "krealloc() passed on the red zone at byte %zu (fixed in 6.13)",
			   at);
}

static void realloc_keeps_contents_and_zeroes(struct kunit *test)
{
	const struct realloc_param *param = test->param_value;
	const struct realloc_cell *cell = param->cell;
	gfp_t gfp = GFP_KERNEL | (param->zero ? __GFP_ZERO : 0);
	size_t from = cell->from, to = cell->to, kept, cap, at, i;
	void **slot = kunit_kzalloc(test, sizeof(*slot), GFP_KERNEL);
	u8 *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, slot);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_slot, slot),
			0);
	p = api_alloc(test, cell->api, from, gfp);
	KUNIT_ASSERT_NOT_NULL(test, p);
	*slot = p;
	if (to == CAP)
		to = capacity(p);
	else if (to == PAST_CAP)
		to = capacity(p) + 1;
	for (i = 0; i < from; i++)
		p[i] = pattern_at(i);

	q = api_realloc(test, cell->api, p, to, gfp);
	KUNIT_ASSERT_NOT_NULL(test, q);
	*slot = q;
	kunit_info(test, "%zu -> %zu: %s\n", from, to,
		   q == p ? "stayed" : "moved");
	if (cell->placement == STAYS)
		KUNIT_EXPECT_PTR_EQ_MSG(test, q, p, "%zu -> %zu moved", from, to);
	KUNIT_EXPECT_GE_MSG(test, capacity(q), to, "%zu -> %zu has no room",
			    from, to);
	if (cell->to == VMALLOC_ONLY)
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(q));
	kept = min(from, to);
	KUNIT_EXPECT_EQ_MSG(test, first_mismatch(q, 0, kept), kept,
			    "a kept byte changed");
	if (param->zero) {
		at = first_nonzero(q, from, to);
		skip_if_red_zone_handed_on(test, q, at, to);
		KUNIT_EXPECT_EQ_MSG(test, at, to,
				    "a byte past the old size is not zero");
	}

	/* Grow to the full capacity: no stale byte may show. */
	cap = capacity(q);
	p = q;
	q = api_realloc(test, cell->api, p, cap, gfp);
	KUNIT_ASSERT_NOT_NULL(test, q);
	*slot = q;
	KUNIT_EXPECT_EQ_MSG(test, first_mismatch(q, 0, kept), kept,
			    "a kept byte changed on growing to %zu", cap);
	if (param->zero) {
		at = first_nonzero(q, kept, cap);
		skip_if_red_zone_handed_on(test, q, at, cap);
		KUNIT_EXPECT_EQ_MSG(test, at, cap,
				    "stale byte after %zu -> %zu -> %zu", from,
				    to, cap);
	}
}

static struct kunit_case realloc_test_cases[] = {
	KUNIT_CASE_PARAM(realloc_keeps_contents_and_zeroes, realloc_gen_params),
	{}
};

static struct kunit_suite realloc_test_suite = {
	.name = "mm_alloc_realloc",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = realloc_test_cases,
};

kunit_test_suite(realloc_test_suite);

MODULE_DESCRIPTION("KUnit tests of krealloc, kvrealloc and vrealloc");
MODULE_LICENSE("GPL");
