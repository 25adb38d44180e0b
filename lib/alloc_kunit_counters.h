/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own memory accounting, read so that a test can tell whether
 * memory came back: free pages, slab pages and vmalloc pages (what
 * /proc/meminfo shows as MemFree, Slab and VmallocUsed), and what the
 * machine can hold at once. read_counters() is for built-in suites only:
 * vmalloc_nr_pages() and drain_all_pages() are not exported.
 */
#ifndef _ALLOC_KUNIT_COUNTERS_H
#define _ALLOC_KUNIT_COUNTERS_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/rcupdate.h>
#include <linux/vmalloc.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>

#include "alloc_kunit_compat.h"

struct mem_counters {
	long free_pages;
	long slab_pages;
	long vmalloc_pages;
};

static inline void read_counters(struct mem_counters *c)
{
	struct zone *zone;

	/*
	 * Memory freed after a grace period is freed first: kmemleak's
	 * metadata of each object (mm/kmemleak.c, put_object()), kfree_rcu().
	 */
	rcu_barrier();
	vm_unmap_aliases();		/* purge lazily freed vmalloc areas */
	drain_all_pages(NULL);		/* per-cpu free lists back to the zones */
	c->free_pages = 0;
	/* with the per-cpu counter deltas not yet folded in */
	for_each_populated_zone(zone)
		c->free_pages += zone_page_state_snapshot(zone, NR_FREE_PAGES);
	c->slab_pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
			global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
	c->vmalloc_pages = vmalloc_nr_pages();
}

/* How many times the OOM killer has run since boot. */
static inline unsigned long oom_kills(struct kunit *test)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long *events = kunit_kcalloc(test, NR_VM_EVENT_ITEMS,
					      sizeof(*events), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, events);
	all_vm_events(events);
	return events[OOM_KILL];
#else
	kunit_skip(test, "needs CONFIG_VM_EVENT_COUNTERS to count OOM kills");
	return 0;
#endif
}

/*
 * Whether @size bytes fit in half of RAM, so that a case may hold them
 * for a moment. KMALLOC_MAX_SIZE follows PAGE_SIZE (PAGE_SIZE <<
 * MAX_PAGE_ORDER: 4 MiB with 4 KiB pages, 512 MiB with 64 KiB pages), so
 * a multiple of it may be more than a test machine has.
 */
static inline bool fits_in_half_of_ram(size_t size)
{
	return size >> PAGE_SHIFT <= totalram_pages() / 2;
}

/*
 * Whether some zone has a free block of @order or larger now. The largest
 * blocks can be missing while most of memory is free: with 64 KiB pages
 * a pageblock is a MAX_PAGE_ORDER block of 512 MiB (pageblock_order,
 * include/linux/pageblock-flags.h), a 3 GiB machine has six, and an
 * unmovable page soon sits in each. Modules cannot walk the zones (not
 * exported), so they are told yes and simply try.
 */
static inline bool free_block_exists(unsigned int order)
{
#ifdef MODULE
	return true;
#else
	struct zone *zone;
	unsigned int o;

	drain_all_pages(NULL);		/* per-cpu lists may hold buddies */
	for_each_populated_zone(zone)
		for (o = order; o <= MAX_PAGE_ORDER; o++)
			/* a hint without zone->lock: the allocation decides */
			if (data_race(zone->free_area[o].nr_free))
				return true;
	return false;
#endif
}

/*
 * Whether a free block could serve a physically contiguous @size now.
 * Orders up to PAGE_ALLOC_COSTLY_ORDER are left to the allocator, which
 * reclaims for them and is expected to succeed (mm/page_alloc.c).
 */
static inline bool contiguous_size_servable(size_t size)
{
	unsigned int order = get_order(size);

	return order <= PAGE_ALLOC_COSTLY_ORDER || free_block_exists(order);
}

/*
 * Skip, naming the reason, when no free block could serve @size now:
 * what the machine lacks is not the contract's failure.
 */
static inline void skip_unless_free_block(struct kunit *test, size_t size)
{
	if (!contiguous_size_servable(size))
		kunit_skip(test, "no free order-%u block now to serve %zu bytes",
			   get_order(size), size);
}

#endif /* _ALLOC_KUNIT_COUNTERS_H */
