// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "alloc_failure": allocation failures made to happen, on
 * purpose and deterministically, to check the allocators' failure
 * semantics and the lesson's driver pattern (lesson_driver.c) under them.
 *
 * Mechanism: current->fail_nth (Documentation/fault-injection/
 * fault-injection.rst, "/proc/<pid>/fail-nth") makes the Nth allocation
 * that reaches a fault-injection point in this task fail, whatever the
 * probability; current->make_it_fail with a task-filtered attribute at
 * probability 100 makes every one fail. Both act on this test's kthread
 * only. By default failslab and fail_page_alloc ignore allocations that
 * may sleep, order-0 pages and highmem, so GFP_KERNEL and vmalloc could
 * never fail; each case lifts those filters through the attributes'
 * debugfs files, found with debugfs_lookup() (no mount needed), and puts
 * every setting back when it ends. Kernels without FAILSLAB,
 * FAIL_PAGE_ALLOC or FAULT_INJECTION_DEBUG_FS skip with that reason.
 *
 * A failed allocation without __GFP_NOWARN is reported by the allocator
 * (warn_alloc(): "vmalloc error: ... failed to allocate pages" and a
 * stack); that is the documented response, not a splat. The runner still
 * fails the run on any WARN, BUG or oops.
 */

#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>

#include "alloc_kunit_compat.h"
#include "alloc_kunit_counters.h"
#include "alloc_kunit_report.h"
#include "lesson_driver.h"

#if IS_ENABLED(CONFIG_FAILSLAB) && IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC) && \
	IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS)
#define HAVE_INJECTION 1
#else
#define HAVE_INJECTION 0
#endif

/*
 * Leak accounting, one injection point at a time: after a first batch of
 * REPEAT attempts that fail at that point (it warms up what the kernel
 * keeps on purpose: page tables for the vmalloc space used, empty slabs),
 * counters are read before and after a second batch, and may move only as
 * far as they move over REPEAT attempts that succeed (the baseline, taken
 * the same way in the same case) plus a margin: PAGE_TABLE_MARGIN free
 * pages (a failed vmalloc leaves the page tables it populated, and the
 * space it uses next moves on; 7 to 15 pages measured on UML 6.12) and
 * LEAK_MARGIN slab and vmalloc pages. Each case then asserts that the
 * slack is smaller than a leak of one page, and of one object of the
 * smallest size involved, per failed attempt: no such leak can hide.
 * REPEAT follows PAGE_SIZE so that a 64-byte object lost per attempt fills
 * 16 pages at any page size: 1024 attempts with 4 KiB pages.
 */
#define REPEAT			((unsigned int)(PAGE_SIZE / 4))
#define LEAK_MARGIN		4
#define PAGE_TABLE_MARGIN	64

/* How far each counter may move: the baseline's drift, plus a margin. */
/* Why generic KASAN turns the leak counting off (and what checks instead). */
#define QUARANTINE_HIDES_LEAKS \
	"slab memory comes back only later (PROFILE=kmemleak finds leaks instead)"

/*
 * Counting pages tells a leak only when nothing else moves the counters
 * by as much: generic KASAN holds freed objects back, and kmemleak
 * allocates slab metadata for every object, freed after a grace period.
 */
static void skip_if_counters_cannot_tell(struct kunit *test)
{
	alloc_kunit_skip_if_quarantine(test, QUARANTINE_HIDES_LEAKS);
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "kmemleak metadata moves the counters (alloc_kmemleak checks)");
}

static void leak_slack(const struct mem_counters *before,
		       const struct mem_counters *after,
		       struct mem_counters *slack)
{
	slack->free_pages = max(before->free_pages - after->free_pages, 0L) +
			    PAGE_TABLE_MARGIN;
	slack->slab_pages = max(after->slab_pages - before->slab_pages, 0L) +
			    LEAK_MARGIN;
	slack->vmalloc_pages = max(after->vmalloc_pages -
				   before->vmalloc_pages, 0L) + LEAK_MARGIN;
}

/*
 * After @failures failed attempts since @before, nothing leaked beyond
 * @slack; and @slack is too small to hide a page, or an object of
 * @smallest bytes, lost per failure.
 */
static void expect_nothing_leaked(struct kunit *test,
				  const struct mem_counters *before,
				  const struct mem_counters *slack,
				  unsigned int failures, size_t smallest,
				  const char *what)
{
	struct mem_counters after;

	read_counters(&after);
	kunit_info(test, "%s, %u failures: free pages %+ld, slab pages %+ld, vmalloc pages %+ld (slack %ld, %ld, %ld)\n",
		   what, failures, after.free_pages - before->free_pages,
		   after.slab_pages - before->slab_pages,
		   after.vmalloc_pages - before->vmalloc_pages,
		   slack->free_pages, slack->slab_pages, slack->vmalloc_pages);
	KUNIT_EXPECT_LT_MSG(test, max(slack->free_pages, slack->vmalloc_pages),
			    (long)failures,
			    "%s: a page leaked per failure would hide in the slack", what);
	KUNIT_EXPECT_LT_MSG(test, slack->slab_pages,
			    (long)(failures * smallest / PAGE_SIZE),
			    "%s: an object leaked per failure would hide in the slack", what);
	KUNIT_EXPECT_LE_MSG(test, after.vmalloc_pages,
			    before->vmalloc_pages + slack->vmalloc_pages,
			    "%s leaked vmalloc pages", what);
	KUNIT_EXPECT_GE_MSG(test, after.free_pages,
			    before->free_pages - slack->free_pages,
			    "%s leaked pages", what);
	KUNIT_EXPECT_LE_MSG(test, after.slab_pages,
			    before->slab_pages + slack->slab_pages,
			    "%s leaked slab objects", what);
}

#if HAVE_INJECTION
/* One fault attribute's settings, found through its debugfs files. */
struct injector {
	struct fault_attr *attr;
	bool *ignore_reclaim;
	bool *ignore_highmem;	/* fail_page_alloc only */
	u32 *min_order;		/* fail_page_alloc only */
	/* the values to put back */
	unsigned long saved_probability, saved_verbose;
	int saved_times;
	bool saved_task_filter, saved_ignore_reclaim, saved_ignore_highmem;
	u32 saved_min_order;
};

struct injection {
	struct injector slab, page;
};

static void *debugfs_data(struct dentry *dir, const char *name)
{
	struct dentry *file = dir ? debugfs_lookup(name, dir) : NULL;
	void *data;

	if (IS_ERR_OR_NULL(file))
		return NULL;
	/* debugfs_create_{bool,u32,file}() keep their data in i_private */
	data = d_inode(file)->i_private;
	dput(file);
	return data;
}

static int find_injector(struct injector *inj, const char *name)
{
	struct dentry *dir = debugfs_lookup(name, NULL);
	unsigned long *probability;

	if (IS_ERR_OR_NULL(dir))
		return -ENOENT;
	probability = debugfs_data(dir, "probability");
	inj->ignore_reclaim = debugfs_data(dir, "ignore-gfp-wait");
	inj->ignore_highmem = debugfs_data(dir, "ignore-gfp-highmem");
	inj->min_order = debugfs_data(dir, "min-order");
	dput(dir);
	if (!probability || !inj->ignore_reclaim)
		return -ENOENT;
	inj->attr = container_of(probability, struct fault_attr, probability);
	return 0;
}

static void save_and_open(struct injector *inj)
{
	inj->saved_probability = inj->attr->probability;
	inj->saved_verbose = inj->attr->verbose;
	inj->saved_times = atomic_read(&inj->attr->times);
	inj->saved_task_filter = inj->attr->task_filter;
	inj->saved_ignore_reclaim = *inj->ignore_reclaim;
	*inj->ignore_reclaim = false;
	inj->attr->verbose = 0;		/* no "forcing a failure" dumps */
	if (inj->ignore_highmem) {
		inj->saved_ignore_highmem = *inj->ignore_highmem;
		*inj->ignore_highmem = false;
	}
	if (inj->min_order) {
		inj->saved_min_order = *inj->min_order;
		*inj->min_order = 0;
	}
}

static void restore(struct injector *inj)
{
	inj->attr->probability = inj->saved_probability;
	inj->attr->task_filter = inj->saved_task_filter;
	inj->attr->verbose = inj->saved_verbose;
	atomic_set(&inj->attr->times, inj->saved_times);
	*inj->ignore_reclaim = inj->saved_ignore_reclaim;
	if (inj->ignore_highmem)
		*inj->ignore_highmem = inj->saved_ignore_highmem;
	if (inj->min_order)
		*inj->min_order = inj->saved_min_order;
}

static void restore_injection(void *ctx)
{
	struct injection *inj = ctx;

	current->fail_nth = 0;
	current->make_it_fail = 0;
	restore(&inj->slab);
	restore(&inj->page);
}

/*
 * What warn_alloc() prints first (mm/page_alloc.c, mm/vmalloc.c), and
 * kmemleak's warning when its own metadata allocation meets an injected
 * failure (mm/kmemleak.c, "Cannot allocate a scan area").
 */
static const char * const warn_alloc_heads[] = {
	"page allocation failure", "vmalloc error:",
#ifdef CONFIG_DEBUG_KMEMLEAK
	"kmemleak:",
#endif
	NULL
};

/* Let GFP_KERNEL, order-0 and highmem allocations fail in this task. */
static struct injection *open_injection(struct kunit *test)
{
	struct injection *inj = kunit_kzalloc(test, sizeof(*inj), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, inj);
	if (find_injector(&inj->slab, "failslab") ||
	    find_injector(&inj->page, "fail_page_alloc"))
		kunit_skip(test, "failslab/fail_page_alloc not in debugfs");
	save_and_open(&inj->slab);
	save_and_open(&inj->page);
	alloc_report_allow(test, warn_alloc_heads,
			   "warn_alloc() reports an injected failure without __GFP_NOWARN, at most once in 10 s (mm/page_alloc.c), so it cannot be required");
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, restore_injection, inj),
			0);
	return inj;
}

/*
 * Fail every injectable allocation of this task (or, with @pages_only,
 * every page allocation while slab allocations succeed) until
 * fail_all(.., false).
 */
static void fail_some(struct injection *inj, bool on, bool pages_only)
{
	struct fault_attr *attrs[] = { inj->page.attr, inj->slab.attr };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		bool fail = on && (i == 0 || !pages_only);

		attrs[i]->task_filter = fail;
		attrs[i]->probability = fail ? 100 : 0;
		atomic_set(&attrs[i]->times, -1);
	}
	current->make_it_fail = on;
}

static void fail_all(struct injection *inj, bool on)
{
	fail_some(inj, on, false);
}

static void fail_nth(unsigned int n)
{
	current->fail_nth = n;
}

/* Whether the armed failure was used up (the Nth point was reached). */
static bool fail_nth_fired(void)
{
	bool fired = current->fail_nth == 0;

	current->fail_nth = 0;
	return fired;
}
#else
struct injection;

static struct injection *open_injection(struct kunit *test)
{
	kunit_skip(test,
		   "needs FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS");
	return NULL;
}

static inline void fail_some(struct injection *inj, bool on, bool pages_only)
{
}

static inline void fail_all(struct injection *inj, bool on)
{
}

static inline void fail_nth(unsigned int n)
{
}

static inline bool fail_nth_fired(void)
{
	return false;
}
#endif

/* Without injection the lesson's setup succeeds and its buffers work. */
static void lesson_setup_succeeds(struct kunit *test)
{
	struct lesson_dev dev = {};

	KUNIT_ASSERT_EQ(test, lesson_dev_setup(&dev), 0);
	KUNIT_EXPECT_STREQ(test, dev.msg, "Memory allocated with kmalloc!");
	KUNIT_EXPECT_STREQ(test, dev.vbuf, "Memory allocated with vmalloc!");
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(dev.vbuf));
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(dev.msg));
	lesson_dev_teardown(&dev);
}

/*
 * Fail the Nth allocation of setup for N = 1, 2, ... until setup no longer
 * reaches an Nth one. Each failing run must return -ENOMEM with the device
 * left empty, and REPEAT runs of each must leave no memory behind. Every
 * allocation site must have failed at least once; then setup succeeds.
 */
/*
 * REPEAT setups with the Nth injection point armed (0: none). Returns how
 * many failed as armed, or -1 after reporting a setup that broke the
 * driver's contract; *sites collects the sites that failed.
 */
static int lesson_batch(struct kunit *test, unsigned int n, unsigned int *sites)
{
	struct lesson_dev dev = {};
	unsigned int rep, fired = 0;
	int ret;

	for (rep = 0; rep < REPEAT; rep++) {
		fail_nth(n);
		ret = lesson_dev_setup(&dev);
		fired += n && fail_nth_fired();
		if (ret == 0 && dev.msg && dev.vbuf && dev.stats) {
			lesson_dev_teardown(&dev);
			continue;
		}
		if (ret != -ENOMEM || dev.msg || dev.vbuf || dev.stats) {
			KUNIT_FAIL(test,
				   "failure %u: setup returned %d with msg %s, vbuf %s, stats %s",
				   n, ret, dev.msg ? "kept" : "freed",
				   dev.vbuf ? "kept" : "freed",
				   dev.stats ? "kept" : "freed");
			lesson_dev_teardown(&dev);
			return -1;
		}
		*sites |= BIT(dev.failed_site);
	}
	return fired;
}

static void lesson_setup_fails_cleanly_at_every_site(struct kunit *test)
{
	static const char * const site_names[] = {
		[LESSON_SITE_MSG] = "kmalloc", [LESSON_SITE_VBUF] = "vmalloc",
		[LESSON_SITE_STATS] = "kcalloc",
	};
	struct mem_counters before, slack;
	struct lesson_dev dev = {};
	unsigned int sites = 0, n;
	char what[32];
	int fired;

	skip_if_counters_cannot_tell(test);
	open_injection(test);
	lesson_batch(test, 0, &sites);		/* warm-up */
	read_counters(&before);
	lesson_batch(test, 0, &sites);
	read_counters(&slack);
	leak_slack(&before, &slack, &slack);

	for (n = 1; n < 1000; n++) {
		/*
		 * The first batch warms up what the kernel keeps on purpose
		 * (page tables for the vmalloc space it used, empty slabs);
		 * a leak per failure shows in the second just the same.
		 */
		fired = lesson_batch(test, n, &sites);
		if (fired <= 0)
			break;	/* setup has fewer than n injection points */
		read_counters(&before);
		fired = lesson_batch(test, n, &sites);
		if (fired < 0)
			return;
		if (fired < (int)(REPEAT / 2)) {
			/* reached only now and then: too rare to judge */
			kunit_info(test, "point %u failed %d times of %d: not judged\n",
				   n, fired, REPEAT);
			continue;
		}
		snprintf(what, sizeof(what), "point %u", n);
		expect_nothing_leaked(test, &before, &slack, fired,
				      LESSON_MSG_SIZE, what);
	}
	kunit_info(test, "setup has %u injection points\n", n - 1);
	for (n = LESSON_SITE_MSG; n < LESSON_NR_SITES; n++)
		KUNIT_EXPECT_TRUE_MSG(test, sites & BIT(n),
				      "the %s site never failed", site_names[n]);

	KUNIT_ASSERT_EQ(test, lesson_dev_setup(&dev), 0);
	lesson_dev_teardown(&dev);
}

/* An injected failure makes kmalloc return NULL, for every context. */
static void kmalloc_injected_failure_returns_null(struct kunit *test)
{
	const gfp_t flags[] = { GFP_KERNEL, GFP_NOWAIT, GFP_ATOMIC };
	unsigned int i;
	void *p;
	bool fired;

	open_injection(test);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		fail_nth(1);
		p = kmalloc(64, flags[i] | __GFP_NOWARN);
		fired = fail_nth_fired();
		kfree(p);
		KUNIT_EXPECT_TRUE_MSG(test, fired, "flags %pGg", &flags[i]);
		KUNIT_EXPECT_NULL_MSG(test, p, "flags %pGg", &flags[i]);
	}
}

/*
 * __GFP_NOFAIL allocations never fail: fault injection leaves them alone
 * (mm/failslab.c, mm/fail_page_alloc.c), so with every injectable
 * allocation of the task failing, kmalloc and an order-0 page still
 * succeed with __GFP_NOFAIL, while the same calls without it fail.
 * (Orders above 1 with __GFP_NOFAIL WARN by design: not tried.)
 */
static void nofail_allocations_survive_injection(struct kunit *test)
{
	struct injection *inj = open_injection(test);
	struct page *page, *plain_page;
	void *p, *plain;

	fail_all(inj, true);
	p = kmalloc(64, GFP_KERNEL | __GFP_NOFAIL);
	page = alloc_page(GFP_KERNEL | __GFP_NOFAIL);
	plain = kmalloc(64, GFP_KERNEL | __GFP_NOWARN);
	plain_page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	fail_all(inj, false);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, page);
	KUNIT_EXPECT_NULL(test, plain);
	KUNIT_EXPECT_NULL(test, plain_page);
	kfree(p);
	kfree(plain);
	if (page)
		__free_page(page);
	if (plain_page)
		__free_page(plain_page);
}

/*
 * With __GFP_NORETRY or __GFP_RETRY_MAYFAIL an allocation up to
 * PAGE_ALLOC_COSTLY_ORDER (which GFP_KERNEL alone would retry and OOM-kill
 * for) returns NULL once memory runs out, and the OOM killer never runs
 * (include/linux/gfp_types.h). Memory really runs out here: blocks are
 * taken until the allocator says no, then all given back.
 */
static void costly_orders_fail_without_oom(struct kunit *test)
{
	const gfp_t flags[] = { __GFP_NORETRY, __GFP_RETRY_MAYFAIL };
	const unsigned int order = PAGE_ALLOC_COSTLY_ORDER;
	unsigned long kills = oom_kills(test), taken, limit;
	unsigned int i;

	limit = (totalram_pages() >> order) + 1;
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct page *page, *next;
		LIST_HEAD(held);

		for (taken = 0; taken <= limit; taken++) {
			page = alloc_pages(GFP_KERNEL | flags[i] | __GFP_NOWARN,
					   order);
			if (!page)
				break;
			list_add(&page->lru, &held);
		}
		list_for_each_entry_safe(page, next, &held, lru) {
			list_del(&page->lru);
			__free_pages(page, order);
		}
		KUNIT_EXPECT_LE_MSG(test, taken, limit, "flags %pGg",
				    &flags[i]);
		kunit_info(test, "%pGg: NULL after %lu blocks of order %u\n",
			   &flags[i], taken, order);
	}
	KUNIT_EXPECT_EQ(test, oom_kills(test), kills);
}

/*
 * kvmalloc() falls back to vmalloc when kmalloc fails for a size above a
 * page that kmalloc normally serves, from a slab cache or from the page
 * allocator (mm/util.c, __kvmalloc_node()).
 */
static void kvmalloc_falls_back_to_vmalloc(struct kunit *test)
{
	const size_t sizes[] = { PAGE_SIZE + 1, KMALLOC_MAX_CACHE_SIZE + 1,
				 KMALLOC_MAX_SIZE };
	unsigned int i;
	bool fired;
	void *p;

	open_injection(test);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		fail_nth(1);
		p = kvmalloc(sizes[i], GFP_KERNEL);
		fired = fail_nth_fired();
		KUNIT_EXPECT_TRUE(test, fired);
		KUNIT_EXPECT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE_MSG(test, is_vmalloc_addr(p), "size %zu",
				      sizes[i]);
		kvfree(p);
	}
}

/* When kmalloc and vmalloc both fail, kvmalloc() returns NULL. */
static void kvmalloc_returns_null_when_both_fail(struct kunit *test)
{
	struct injection *inj = open_injection(test);
	void *p;

	fail_all(inj, true);
	p = kvmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
	fail_all(inj, false);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
}

/*
 * A vmalloc that fails partway through (its area, its page array, its
 * pages or its page tables) returns NULL and leaves nothing behind.
 */
/* REPEAT vmalloc(1 MiB) with the Nth point armed (0: none): failures. */
static unsigned int vmalloc_batch(unsigned int n, unsigned int *fired)
{
	unsigned int rep, failures = 0;
	void *p;

	for (rep = 0, *fired = 0; rep < REPEAT; rep++) {
		fail_nth(n);
		p = vmalloc(LESSON_VBUF_SIZE);
		*fired += n && fail_nth_fired();
		failures += !p;
		vfree(p);
	}
	return failures;
}

static void vmalloc_partial_failure_leaves_nothing(struct kunit *test)
{
	unsigned int n, fired, failures, total = 0;
	struct mem_counters before, slack;
	struct injection *inj;
	char what[32];

	skip_if_counters_cannot_tell(test);
	inj = open_injection(test);
	vmalloc_batch(0, &fired);		/* warm-up */
	read_counters(&before);
	KUNIT_ASSERT_EQ(test, vmalloc_batch(0, &fired), 0);
	read_counters(&slack);
	leak_slack(&before, &slack, &slack);

	for (n = 1; n < 1000; n++) {
		/* warm-up, as in the lesson's case */
		total += vmalloc_batch(n, &fired);
		if (!fired)
			break;
		read_counters(&before);
		failures = vmalloc_batch(n, &fired);
		total += failures;
		if (failures < REPEAT / 2)
			continue;	/* recovered from, or reached too rarely */
		snprintf(what, sizeof(what), "point %u", n);
		/* the smallest object: the area's struct vm_struct */
		expect_nothing_leaked(test, &before, &slack, failures,
				      sizeof(struct vm_struct), what);
	}
	kunit_info(test, "vmalloc(1 MiB) has %u injection points\n", n - 1);
	KUNIT_EXPECT_GT(test, total, 0);

	/*
	 * One failed page is retried, so the Nth-point failures above never
	 * reach vmalloc's own error path; with every page allocation failing
	 * (its area and bookkeeping succeed) they do.
	 */
	vmalloc_batch(0, &fired);
	fail_some(inj, true, true);
	vmalloc_batch(0, &fired);		/* warm-up */
	fail_some(inj, false, false);
	read_counters(&before);
	fail_some(inj, true, true);
	failures = vmalloc_batch(0, &fired);
	fail_some(inj, false, false);
	KUNIT_EXPECT_EQ(test, failures, REPEAT);
	expect_nothing_leaked(test, &before, &slack, failures,
			      sizeof(struct vm_struct), "every page failing");
}

static struct kunit_case alloc_failure_test_cases[] = {
	KUNIT_CASE(lesson_setup_succeeds),
	KUNIT_CASE_SLOW(lesson_setup_fails_cleanly_at_every_site),
	KUNIT_CASE(kmalloc_injected_failure_returns_null),
	KUNIT_CASE(nofail_allocations_survive_injection),
	KUNIT_CASE_SLOW(costly_orders_fail_without_oom),
	KUNIT_CASE(kvmalloc_falls_back_to_vmalloc),
	KUNIT_CASE(kvmalloc_returns_null_when_both_fail),
	KUNIT_CASE_SLOW(vmalloc_partial_failure_leaves_nothing),
	{}
};

static struct kunit_suite alloc_failure_test_suite = {
	.name = "alloc_failure",
	.suite_init = alloc_report_suite_init,
	.suite_exit = alloc_report_suite_exit,
	.init = alloc_report_init,
	.exit = alloc_report_exit,
	.test_cases = alloc_failure_test_cases,
};

kunit_test_suite(alloc_failure_test_suite);

MODULE_DESCRIPTION("KUnit tests of allocation failure handling");
MODULE_LICENSE("GPL");
