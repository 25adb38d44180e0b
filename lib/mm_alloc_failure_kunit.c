// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what the allocators do when an allocation fails.
 *
 * Allocations are made to fail on purpose, in the test's own thread only.
 * Every slab allocation asks should_failslab() and every page allocation
 * should_fail_alloc_page() whether to fail (mm/failslab.c,
 * mm/fail_page_alloc.c, with CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC);
 * a KUnit static stub (Documentation/dev-tools/kunit/api/
 * functionredirection.rst) answers in their place while a case runs,
 * following a plan the case arms around the call under test: fail the
 * Nth allocation, the Nth page allocation, or every page allocation from
 * the Kth on. No global setting changes, and other tasks' allocations are
 * never failed.
 *
 * Leaks are counted in the kernel's own accounting (mm_alloc_counters.h):
 * a batch of attempts that fail at one point may move free, slab and
 * vmalloc pages only as far as the same number of attempts that succeed
 * moves them, plus a margin. The batch is long enough that one object of
 * the smallest size involved, lost per attempt, crosses that margin.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MM_ALLOC_DESTRUCTIVE_PARAM();

/* What the stubs do while armed; set up by the running case. */
struct fault_plan {
	bool armed;
	unsigned int nth;		/* fail the Nth allocation of any kind */
	unsigned int page_nth;		/* fail the Nth page allocation */
	unsigned int pages_from;	/* fail page allocations from the Kth on */
	unsigned int calls, page_calls;	/* allocations asked about so far */
	unsigned int failed;		/* allocations failed */
};

static struct fault_plan *fault_plan;

static bool plan_fails(struct fault_plan *plan, gfp_t gfp, bool page)
{
	/* as the hooks themselves: __GFP_NOFAIL may not fail */
	if (!plan || !READ_ONCE(plan->armed) || !in_task() ||
	    (gfp & __GFP_NOFAIL))
		return false;
	plan->calls++;
	if (page)
		plan->page_calls++;
	if (plan->calls == plan->nth ||
	    (page && plan->page_calls == plan->page_nth) ||
	    (page && plan->pages_from && plan->page_calls >= plan->pages_from)) {
		plan->failed++;
		return true;
	}
	return false;
}

static int fail_slab_stub(struct kmem_cache *s, gfp_t gfpflags)
{
	return plan_fails(fault_plan, gfpflags, false) ? -ENOMEM : 0;
}

static bool fail_page_stub(gfp_t gfp_mask, unsigned int order)
{
	return plan_fails(fault_plan, gfp_mask, true);
}

static void clear_fault_plan(void *unused)
{
	WRITE_ONCE(fault_plan, NULL);
}

static void arm(struct fault_plan *plan, unsigned int nth,
		unsigned int page_nth, unsigned int pages_from)
{
	plan->nth = nth;
	plan->page_nth = page_nth;
	plan->pages_from = pages_from;
	plan->calls = 0;
	plan->page_calls = 0;
	plan->failed = 0;
	WRITE_ONCE(plan->armed, true);
}

static void disarm(struct fault_plan *plan)
{
	WRITE_ONCE(plan->armed, false);
}

/*
 * The allocation failures made on purpose are reported by the allocators
 * when the caller did not pass __GFP_NOWARN (warn_alloc(): "page allocation
 * failure", "vmalloc error:"); that is their documented answer, and it is
 * rate-limited, so it is tolerated, not required.
 */
static const char * const warn_alloc_heads[] = {
	"page allocation failure", "vmalloc error:", NULL
};

/*
 * Redirect the two hooks to the stubs for this case, and check that they
 * took: a kernel without the KUNIT_STATIC_STUB_REDIRECT() in the hooks
 * would fail nothing, and every case here would prove nothing.
 */
static struct fault_plan *fault_plan_for_test(struct kunit *test)
{
	struct fault_plan *plan;
	struct page *page;
	void *p;

	if (!IS_ENABLED(CONFIG_FAILSLAB) || !IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		kunit_skip(test, "needs CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC");
	plan = kunit_kzalloc(test, sizeof(*plan), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plan);
	kunit_activate_static_stub(test, should_failslab, fail_slab_stub);
	kunit_activate_static_stub(test, should_fail_alloc_page,
				   fail_page_stub);
	WRITE_ONCE(fault_plan, plan);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_fault_plan,
							NULL), 0);

	arm(plan, 1, 0, 0);
	p = kmalloc(8, GFP_KERNEL | __GFP_NOWARN);
	disarm(plan);
	kfree(p);
	if (p)
		kunit_skip(test, "should_failslab() has no KUnit static stub here");
	arm(plan, 0, 1, 0);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	disarm(plan);
	if (page)
		__free_page(page);
	if (page)
		kunit_skip(test, "should_fail_alloc_page() has no KUnit static stub here");
	mm_alloc_allow_reports(test, warn_alloc_heads,
			       "warn_alloc() reports failures without __GFP_NOWARN, at most once in 10 s");
	return plan;
}

/*
 * Leak accounting, one failure point at a time. A batch of REPEAT attempts
 * that fail at the point follows a shorter batch that warms up what the
 * kernel keeps on purpose (page tables for the vmalloc space used, empty
 * slabs), and the counters are read around it. They may move only as far
 * as they moved over as many attempts that succeed, read the same way in
 * the same case after as many more, plus a margin for what happens beside
 * the case: the successful batches travel as far through the vmalloc
 * space as a failing one (freed areas are reused only when the lazily
 * freed ones are purged), so page tables a failing batch needs were made
 * before it, wherever earlier cases left the vmalloc space.
 *
 * The margins come from 50 default runs of this suite on UML 6.12, 700
 * batches in all, whose counters moved beyond the baseline by at most
 * SPREAD pages (slab and free pages; vmalloc pages never): each margin
 * is twice that. Each check then requires that a leak of one page, and
 * of one object of the smallest size involved, per attempt would cross
 * the slack: REPEAT follows PAGE_SIZE, so that one 64-byte object lost
 * per attempt fills 16 pages at any page size.
 */
#define REPEAT		((unsigned int)(PAGE_SIZE / 4))
#define WARM_UP		(REPEAT / 16)
#define SPREAD		4L

static void leak_slack(const struct mm_alloc_counters *before,
		       const struct mm_alloc_counters *after,
		       struct mm_alloc_counters *slack)
{
	slack->free_pages = max(before->free_pages - after->free_pages, 0L) +
			    2 * SPREAD;
	slack->slab_pages = max(after->slab_pages - before->slab_pages, 0L) +
			    2 * SPREAD;
	slack->vmalloc_pages = max(after->vmalloc_pages -
				   before->vmalloc_pages, 0L) + 2 * SPREAD;
}

/*
 * Whether the counters moved beyond @slack since @before. A leak shows in
 * every batch; what happens beside the case now and then does not (a new
 * worker thread, with its stack and task; page tables for vmalloc space
 * not used before): a batch that moved beyond the slack is measured again,
 * up to JUDGE_TRIES batches, and the last one is judged.
 */
#define JUDGE_TRIES 3

static bool moved_beyond(const struct mm_alloc_counters *before,
			 const struct mm_alloc_counters *slack,
			 struct mm_alloc_counters *now)
{
	mm_alloc_read_counters(now);
	return now->vmalloc_pages > before->vmalloc_pages + slack->vmalloc_pages ||
	       now->free_pages < before->free_pages - slack->free_pages ||
	       now->slab_pages > before->slab_pages + slack->slab_pages;
}

/*
 * The baseline: of two batches that succeed, the smaller movement of each
 * counter, so that what happens beside the case during one of them does
 * not widen the slack.
 */
static void slack_min(struct mm_alloc_counters *slack,
		      const struct mm_alloc_counters *other)
{
	slack->free_pages = min(slack->free_pages, other->free_pages);
	slack->slab_pages = min(slack->slab_pages, other->slab_pages);
	slack->vmalloc_pages = min(slack->vmalloc_pages, other->vmalloc_pages);
}

/*
 * After @failures failed attempts since @before, read as @now, nothing
 * leaked beyond @slack; and @slack is too small to hide a page, or an object of
 * @smallest bytes, lost per failure.
 */
static void expect_nothing_leaked(struct kunit *test,
				  const struct mm_alloc_counters *before,
				  const struct mm_alloc_counters *slack,
				  const struct mm_alloc_counters *now,
				  unsigned int failures, size_t smallest,
				  const char *what)
{
	const struct mm_alloc_counters after = *now;

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

/*
 * Counting pages tells a leak only when nothing else moves the counters
 * by as much: generic KASAN holds freed objects back, and kmemleak
 * allocates slab metadata for every object, freed after a grace period.
 */
static void skip_if_counters_cannot_tell(struct kunit *test)
{
	mm_alloc_skip_if_quarantine(test, "slab memory comes back only later");
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "kmemleak's metadata moves the counters");
}

/*
 * A driver's probe that allocates more than once, as drivers do: a small
 * kmalloc buffer, a larger vmalloc one and a kcalloc array. On failure it
 * frees what it already had, in reverse order, and returns -ENOMEM; the
 * device is then empty. The vmalloc buffer is 16 pages: enough for
 * vmalloc to fail with pages in hand, few enough that thousands of
 * attempts stay quick on UML, where mapping a page costs a host call.
 */
#define SAMPLE_MSG_SIZE		128
#define SAMPLE_VBUF_SIZE	(16 * PAGE_SIZE)
#define SAMPLE_NR_STATS		16

enum sample_site { SITE_NONE, SITE_MSG, SITE_VBUF, SITE_STATS, NR_SITES };

struct sample_dev {
	char *msg;
	char *vbuf;
	u32 *stats;
	enum sample_site failed_site;	/* as a driver would log it */
};

static int sample_probe(struct sample_dev *dev)
{
	dev->failed_site = SITE_NONE;
	dev->msg = kmalloc(SAMPLE_MSG_SIZE, GFP_KERNEL);
	if (!dev->msg) {
		dev->failed_site = SITE_MSG;
		return -ENOMEM;
	}
	strscpy(dev->msg, "kmalloc", SAMPLE_MSG_SIZE);

	dev->vbuf = vmalloc(SAMPLE_VBUF_SIZE);
	if (!dev->vbuf) {
		dev->failed_site = SITE_VBUF;
		goto free_msg;
	}
	strscpy(dev->vbuf, "vmalloc", SAMPLE_VBUF_SIZE);

	dev->stats = kcalloc(SAMPLE_NR_STATS, sizeof(*dev->stats), GFP_KERNEL);
	if (!dev->stats) {
		dev->failed_site = SITE_STATS;
		goto free_vbuf;
	}
	dev->stats[0] = strlen(dev->msg) + strlen(dev->vbuf);
	return 0;

free_vbuf:
	vfree(dev->vbuf);
	dev->vbuf = NULL;
free_msg:
	kfree(dev->msg);
	dev->msg = NULL;
	return -ENOMEM;
}

static void sample_remove(struct sample_dev *dev)
{
	kfree(dev->stats);
	vfree(dev->vbuf);
	kfree(dev->msg);
	dev->stats = NULL;
	dev->vbuf = NULL;
	dev->msg = NULL;
}

/* Without injected failures the probe succeeds and its buffers work. */
static void sample_probe_succeeds(struct kunit *test)
{
	struct sample_dev dev = {};

	KUNIT_ASSERT_EQ(test, sample_probe(&dev), 0);
	KUNIT_EXPECT_STREQ(test, dev.msg, "kmalloc");
	KUNIT_EXPECT_STREQ(test, dev.vbuf, "vmalloc");
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(dev.vbuf));
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(dev.msg));
	sample_remove(&dev);
}

/*
 * @count probes with the Nth allocation failing (0: none). Returns how
 * many met the failure, or -1 after reporting a probe that broke the
 * driver's contract; *sites collects the sites that failed.
 */
static int probe_batch(struct kunit *test, struct fault_plan *plan,
		       unsigned int n, unsigned int count, unsigned int *sites)
{
	struct sample_dev dev = {};
	unsigned int rep, fired = 0;
	int ret;

	for (rep = 0; rep < count; rep++) {
		arm(plan, n, 0, 0);
		ret = sample_probe(&dev);
		disarm(plan);
		fired += plan->failed;
		if (ret == 0 && dev.msg && dev.vbuf && dev.stats) {
			sample_remove(&dev);
			continue;
		}
		if (ret != -ENOMEM || dev.msg || dev.vbuf || dev.stats) {
			KUNIT_FAIL(test,
				   "failure %u: probe returned %d with msg %s, vbuf %s, stats %s",
				   n, ret, dev.msg ? "kept" : "freed",
				   dev.vbuf ? "kept" : "freed",
				   dev.stats ? "kept" : "freed");
			sample_remove(&dev);
			return -1;
		}
		*sites |= BIT(dev.failed_site);
	}
	return fired;
}

/*
 * Fail the Nth allocation of the probe for N = 1, 2, ... until the probe
 * no longer makes an Nth one. Each probe that fails must return -ENOMEM
 * with the device empty, and a batch of them must leave no memory behind.
 * Every allocation site must have failed at least once.
 */
static void probe_fails_cleanly_at_every_allocation(struct kunit *test)
{
	static const char * const site_names[] = {
		[SITE_MSG] = "kmalloc", [SITE_VBUF] = "vmalloc",
		[SITE_STATS] = "kcalloc",
	};
	struct fault_plan *plan = fault_plan_for_test(test);
	struct mm_alloc_counters before, slack, other, now;
	struct sample_dev dev = {};
	unsigned int sites = 0, n, tries;
	char what[32];
	int fired;

	skip_if_counters_cannot_tell(test);
	probe_batch(test, plan, 0, REPEAT, &sites);
	for (tries = 0; tries < 2; tries++) {
		mm_alloc_read_counters(&before);
		probe_batch(test, plan, 0, REPEAT, &sites);
		mm_alloc_read_counters(&now);
		leak_slack(&before, &now, tries ? &other : &slack);
	}
	slack_min(&slack, &other);

	for (n = 1; n < 1000; n++) {
		fired = probe_batch(test, plan, n, WARM_UP, &sites);
		/*
		 * The probe makes fewer than n allocations, but for the page
		 * tables that vmalloc needs now and then (x86_64: for each
		 * 2 MiB of vmalloc space it moves through)
		 */
		if (fired < (int)WARM_UP / 2)
			break;
		for (tries = 1; ; tries++) {
			mm_alloc_read_counters(&before);
			fired = probe_batch(test, plan, n, REPEAT, &sites);
			if (fired < 0)
				return;
			if (!moved_beyond(&before, &slack, &now) ||
			    tries == JUDGE_TRIES)
				break;
			kunit_info(test, "allocation %u: the counters moved beyond the slack; measuring again\n",
				   n);
		}
		if (fired < (int)REPEAT / 2) {
			kunit_info(test, "allocation %u met %d times of %u: not judged\n",
				   n, fired, REPEAT);
			continue;
		}
		snprintf(what, sizeof(what), "allocation %u", n);
		expect_nothing_leaked(test, &before, &slack, &now, fired,
				      SAMPLE_NR_STATS * sizeof(u32), what);
	}
	kunit_info(test, "the probe makes %u allocations\n", n - 1);
	for (n = SITE_MSG; n < NR_SITES; n++)
		KUNIT_EXPECT_TRUE_MSG(test, sites & BIT(n),
				      "the %s site never failed", site_names[n]);

	KUNIT_ASSERT_EQ(test, sample_probe(&dev), 0);
	sample_remove(&dev);
}

/* A failed allocation makes kmalloc return NULL, in every context. */
static void kmalloc_failure_returns_null(struct kunit *test)
{
	const gfp_t flags[] = { GFP_KERNEL, GFP_NOWAIT, GFP_ATOMIC };
	struct fault_plan *plan = fault_plan_for_test(test);
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		arm(plan, 1, 0, 0);
		p = kmalloc(64, flags[i] | __GFP_NOWARN);
		disarm(plan);
		kfree(p);
		KUNIT_EXPECT_EQ_MSG(test, plan->failed, 1, "flags %pGg", &flags[i]);
		KUNIT_EXPECT_NULL_MSG(test, p, "flags %pGg", &flags[i]);
	}
}

/*
 * The copying helpers of mm/util.c return "%NULL in case of error" (their
 * kerneldoc) and copy nothing when their one allocation fails.
 */
#define EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan, call) do {	\
	struct kunit *__test = (test);					\
	struct fault_plan *__plan = (plan);				\
	const void *__copy;						\
									\
	arm(__plan, 1, 0, 0);						\
	__copy = (call);						\
	disarm(__plan);							\
	KUNIT_EXPECT_EQ_MSG(__test, __plan->failed, 1, "%s", #call);	\
	KUNIT_EXPECT_NULL_MSG(__test, __copy, "%s", #call);		\
	kvfree(__copy);							\
} while (0)

static void copies_are_null_when_allocation_fails(struct kunit *test)
{
	static const char text[] = "a string to copy";
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct fault_plan *plan = fault_plan_for_test(test);

	EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan, kstrdup(text, gfp));
	EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan,
					      kstrndup(text, 4, gfp));
	EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan,
					      kmemdup(text, sizeof(text), gfp));
	EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan,
					      kmemdup_nul(text, 4, gfp));
	EXPECT_NULL_WHEN_ITS_ALLOCATION_FAILS(test, plan,
					      kvmemdup(text, sizeof(text), gfp));
}

/*
 * With __GFP_NORETRY or __GFP_RETRY_MAYFAIL an allocation up to
 * PAGE_ALLOC_COSTLY_ORDER (which GFP_KERNEL alone would retry and OOM-kill
 * for) returns NULL once memory runs out, and the OOM killer never runs
 * (include/linux/gfp_types.h). Memory really runs out here: blocks are
 * taken until the allocator says no, then all given back. Destructive.
 */
static void costly_orders_fail_without_oom(struct kunit *test)
{
	const gfp_t flags[] = { __GFP_NORETRY, __GFP_RETRY_MAYFAIL };
	const unsigned int order = PAGE_ALLOC_COSTLY_ORDER;
	unsigned long kills, taken, limit;
	unsigned int i;

	mm_alloc_skip_unless_destructive(test, "allocates until memory runs out");
	kills = mm_alloc_oom_kills(test);
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
	KUNIT_EXPECT_EQ(test, mm_alloc_oom_kills(test), kills);
}

/*
 * kvmalloc() "uses kmalloc to get the memory but if the allocation fails
 * then falls back to the vmalloc allocator" (its kerneldoc): with its
 * first allocation failing, for sizes kmalloc serves from a slab and
 * from the page allocator, the memory is vmalloc's.
 */
static void kvmalloc_falls_back_to_vmalloc(struct kunit *test)
{
	const size_t sizes[] = { PAGE_SIZE + 1, KMALLOC_MAX_CACHE_SIZE + 1,
				 KMALLOC_MAX_SIZE };
	struct fault_plan *plan = fault_plan_for_test(test);
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!mm_alloc_size_is_modest(sizes[i]))
			continue;
		arm(plan, 1, 0, 0);
		p = kvmalloc(sizes[i], GFP_KERNEL);
		disarm(plan);
		KUNIT_EXPECT_EQ_MSG(test, plan->failed, 1, "size %zu", sizes[i]);
		KUNIT_EXPECT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE_MSG(test, is_vmalloc_addr(p), "size %zu",
				      sizes[i]);
		kvfree(p);
	}
}

/* When kmalloc and vmalloc both fail, kvmalloc() returns NULL. */
static void kvmalloc_returns_null_when_both_fail(struct kunit *test)
{
	struct fault_plan *plan = fault_plan_for_test(test);
	void *p;

	/* kmalloc's attempt is a page allocation, and so are vmalloc's pages */
	arm(plan, 0, 0, 1);
	p = kvmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
	disarm(plan);
	KUNIT_EXPECT_NULL(test, p);
	kvfree(p);
}

/*
 * @count vmalloc(SAMPLE_VBUF_SIZE) with @plan's failures armed as given
 * (0: none). Returns how many returned NULL; *fired says how many met a
 * planned failure.
 */
static unsigned int vmalloc_batch(struct fault_plan *plan, unsigned int nth,
				  unsigned int page_nth, unsigned int pages_from,
				  unsigned int count, unsigned int *fired)
{
	unsigned int rep, failures = 0;
	void *p;

	for (rep = 0, *fired = 0; rep < count; rep++) {
		arm(plan, nth, page_nth, pages_from);
		p = vmalloc(SAMPLE_VBUF_SIZE);
		disarm(plan);
		*fired += plan->failed > 0;
		failures += !p;
		vfree(p);
	}
	return failures;
}

/*
 * A vmalloc that fails partway through returns NULL and leaves nothing
 * behind: not its area, its page array, its page tables, nor the pages it
 * already had when a later one could not be had. First each of its
 * allocations fails alone (vmalloc may recover: a failed bulk allocation
 * is followed by page-by-page ones); then its bulk page allocation fails
 * and so does every page allocation from the Kth on, for K = 2, 3, 5, 9
 * and 17, so that it fails with 0, 1, 3, 7 and 15 pages in hand.
 */
static void vmalloc_partial_failure_leaves_nothing(struct kunit *test)
{
	struct fault_plan *plan = fault_plan_for_test(test);
	unsigned int n, k, fired, failures, total = 0, tries;
	struct mm_alloc_counters before, slack, other, now;
	char what[40];

	skip_if_counters_cannot_tell(test);
	vmalloc_batch(plan, 0, 0, 0, REPEAT, &fired);
	for (tries = 0; tries < 2; tries++) {
		mm_alloc_read_counters(&before);
		KUNIT_ASSERT_EQ(test, vmalloc_batch(plan, 0, 0, 0, REPEAT, &fired), 0);
		mm_alloc_read_counters(&now);
		leak_slack(&before, &now, tries ? &other : &slack);
	}
	slack_min(&slack, &other);

	for (n = 1; n < 1000; n++) {
		failures = vmalloc_batch(plan, n, 0, 0, WARM_UP, &fired);
		if (fired < WARM_UP / 2)
			break;	/* as in the probe: past its allocations */
		total += failures;
		if (!failures)
			continue;	/* vmalloc recovered from this one */
		for (tries = 1; ; tries++) {
			mm_alloc_read_counters(&before);
			failures = vmalloc_batch(plan, n, 0, 0, REPEAT, &fired);
			total += failures;
			if (!moved_beyond(&before, &slack, &now) ||
			    tries == JUDGE_TRIES)
				break;
			kunit_info(test, "allocation %u: the counters moved beyond the slack; measuring again\n",
				   n);
		}
		if (failures < REPEAT / 2) {
			/* a page table, needed now and then: too rare to judge */
			kunit_info(test, "allocation %u failed vmalloc %u times of %u: not judged\n",
				   n, failures, REPEAT);
			continue;
		}
		snprintf(what, sizeof(what), "allocation %u", n);
		/* the smallest object: the area's struct vm_struct */
		expect_nothing_leaked(test, &before, &slack, &now, failures,
				      sizeof(struct vm_struct), what);
	}
	kunit_info(test, "vmalloc(%lu) makes %u allocations\n",
		   (unsigned long)SAMPLE_VBUF_SIZE, n - 1);

	for (k = 2; k <= SAMPLE_VBUF_SIZE / PAGE_SIZE + 1; k = 2 * k - 1) {
		vmalloc_batch(plan, 0, 1, k, WARM_UP, &fired);
		for (tries = 1; ; tries++) {
			mm_alloc_read_counters(&before);
			failures = vmalloc_batch(plan, 0, 1, k, REPEAT, &fired);
			total += failures;
			if (!moved_beyond(&before, &slack, &now) ||
			    tries == JUDGE_TRIES)
				break;
			kunit_info(test, "%u pages in hand: the counters moved beyond the slack; measuring again\n",
				   k - 2);
		}
		/*
		 * A slab the area's bookkeeping needs may take a page first
		 * and shift the count; the point is still met most times.
		 */
		KUNIT_EXPECT_GE_MSG(test, failures, REPEAT / 2,
				    "page allocations failing from the %uth on: vmalloc succeeded",
				    k);
		snprintf(what, sizeof(what), "%u pages in hand", k - 2);
		expect_nothing_leaked(test, &before, &slack, &now, failures,
				      sizeof(struct vm_struct), what);
	}
	KUNIT_EXPECT_GT(test, total, 0);
}

static struct kunit_case alloc_failure_test_cases[] = {
	KUNIT_CASE(sample_probe_succeeds),
	KUNIT_CASE_SLOW(probe_fails_cleanly_at_every_allocation),
	KUNIT_CASE(kmalloc_failure_returns_null),
	KUNIT_CASE(copies_are_null_when_allocation_fails),
	KUNIT_CASE_SLOW(costly_orders_fail_without_oom),
	KUNIT_CASE(kvmalloc_falls_back_to_vmalloc),
	KUNIT_CASE(kvmalloc_returns_null_when_both_fail),
	KUNIT_CASE_SLOW(vmalloc_partial_failure_leaves_nothing),
	{}
};

static struct kunit_suite alloc_failure_test_suite = {
	.name = "mm_alloc_failure",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = alloc_failure_test_cases,
};

kunit_test_suite(alloc_failure_test_suite);

MODULE_DESCRIPTION("KUnit tests of allocation failure handling");
MODULE_LICENSE("GPL");
