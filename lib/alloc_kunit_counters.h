/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own memory accounting, read so that a test can tell whether
 * memory came back: free pages, slab pages and vmalloc pages (what
 * /proc/meminfo shows as MemFree, Slab and VmallocUsed). Built-in suites
 * only: vmalloc_nr_pages() and drain_all_pages() are not exported.
 */
#ifndef _ALLOC_KUNIT_COUNTERS_H
#define _ALLOC_KUNIT_COUNTERS_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/rcupdate.h>
#include <linux/vmalloc.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>

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

#endif /* _ALLOC_KUNIT_COUNTERS_H */
