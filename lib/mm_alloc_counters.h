/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own memory accounting, read so that a test can tell whether
 * memory came back: free pages, slab pages and vmalloc pages (what
 * /proc/meminfo shows as MemFree, Slab and VmallocUsed).
 */
#ifndef _MM_ALLOC_COUNTERS_H
#define _MM_ALLOC_COUNTERS_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/rcupdate.h>
#include <linux/vmalloc.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>

struct mm_alloc_counters {
	long free_pages;
	long slab_pages;
	long vmalloc_pages;
};

static inline void mm_alloc_read_counters(struct mm_alloc_counters *c)
{
	struct zone *zone;

	/*
	 * Memory freed after a grace period is freed first: kfree_rcu(), and
	 * kmemleak's metadata of each object (mm/kmemleak.c, put_object()).
	 */
	rcu_barrier();
	vm_unmap_aliases();		/* purge lazily freed vmalloc areas */
	drain_all_pages(NULL);		/* per-cpu free lists back to the zones */
	c->free_pages = 0;
	/* with the per-cpu counter deltas folded in */
	for_each_populated_zone(zone)
		c->free_pages += zone_page_state_snapshot(zone, NR_FREE_PAGES);
	c->slab_pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
			global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
	c->vmalloc_pages = vmalloc_nr_pages();
}

/* The events the page allocator and the OOM killer count (VM_EVENT_COUNTERS). */
static inline unsigned long mm_alloc_vm_event(struct kunit *test,
					      enum vm_event_item item)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long *events = kunit_kcalloc(test, NR_VM_EVENT_ITEMS,
					      sizeof(*events), GFP_KERNEL);
	unsigned long n;

	KUNIT_ASSERT_NOT_NULL(test, events);
	all_vm_events(events);
	n = events[item];
	kunit_kfree(test, events);
	return n;
#else
	kunit_skip(test, "needs CONFIG_VM_EVENT_COUNTERS");
	return 0;
#endif
}

/* How many times the OOM killer has run since boot. */
static inline unsigned long mm_alloc_oom_kills(struct kunit *test)
{
	return mm_alloc_vm_event(test, OOM_KILL);
}

/*
 * Whether a case may hold @size bytes at once by default: at most a
 * sixteenth of RAM. Sizes built from KMALLOC_MAX_SIZE follow PAGE_SIZE
 * (PAGE_SIZE << MAX_PAGE_ORDER: 4 MiB with 4 KiB pages, 512 MiB with
 * 64 KiB pages), so a multiple of it can be most of a test machine.
 */
static inline bool mm_alloc_size_is_modest(size_t size)
{
	return size >> PAGE_SHIFT <= totalram_pages() / 16;
}

#endif /* _MM_ALLOC_COUNTERS_H */
