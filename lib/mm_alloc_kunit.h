/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every allocator test suite here shares: kernel reports judged per
 * test case, the gate for cases that exhaust memory, and small helpers.
 *
 * Reports. A WARNING, a BUG, an oops, an allocation-failure report or a
 * sanitizer report printed while a case runs fails that case, unless the
 * case declared it: MM_ALLOC_EXPECT_REPORT() wraps a call that must make
 * the kernel report, and then requires the report. Reports are seen where
 * mm/kfence/kfence_test.c sees them, on the console tracepoint, which
 * printk() calls in the context that prints, before any console does: a
 * report is charged to the case that ran when it was printed, also when a
 * printer thread prints it later (as on real-time kernels). Without
 * CONFIG_TRACEPOINTS reports are not seen, and a case that requires one
 * skips.
 *
 * SLUB's consistency checks report through the "slab_errors" resource of
 * the running test when it has one (mm/slub.c, slab_add_kunit_errors();
 * lib/slub_kunit.c counts them the same way): every case gets one, and an
 * error counted there fails the case. KASAN and UBSAN fail the running
 * case themselves (mm/kasan/report.c, lib/ubsan.c).
 *
 * A suite gets all of this from mm_alloc_suite_init/exit() and
 * mm_alloc_test_init/exit() as its .suite_init, .suite_exit, .init and
 * .exit.
 */
#ifndef _MM_ALLOC_KUNIT_H
#define _MM_ALLOC_KUNIT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>
#ifdef CONFIG_X86
#include <asm/pgtable_types.h>
#endif

/* How a kernel report starts; each appears once, on its first line. */
static const char * const mm_alloc_report_heads[] = {
	"WARNING:", "BUG:", "Oops", "Kernel panic", "general protection fault",
	"page allocation failure", "vmalloc error:", "invoked oom-killer",
	"Out of memory", "UBSAN:", "KASAN:", "kmemleak:", "INFO:",
	"pagealloc: ",
};

static struct {
	/* printk calls the probe in any context: a raw lock, also on RT */
	raw_spinlock_t lock;
	bool watching;		/* a case is running */
	const char *expected;	/* declared: must appear */
	const char * const *allowed;	/* tolerated: may appear */
	const char *wanted;	/* output, not a report, that must appear */
	unsigned int nr_expected, nr_unexpected, nr_wanted;
	char first_unexpected[160];
	struct kunit_resource slab_resource;
	int slab_errors;
} mm_alloc_reports = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(mm_alloc_reports.lock),
};

/* KUnit's own output (KTAP): "# diagnostic", "ok 1 ...", "not ok 2 ...". */
static inline bool mm_alloc_line_is_ktap(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s == '#')
		return true;
	return (end - s >= 3 && !strncmp(s, "ok ", 3)) ||
	       (end - s >= 7 && !strncmp(s, "not ok ", 7));
}

static inline bool mm_alloc_line_is_report(const char *s, size_t len)
{
	unsigned int i;

	if (mm_alloc_line_is_ktap(s, len))
		return false;
	for (i = 0; i < ARRAY_SIZE(mm_alloc_report_heads); i++)
		if (strnstr(s, mm_alloc_report_heads[i], len))
			return true;
	return false;
}

static inline bool mm_alloc_line_listed(const char * const *list,
					const char *s, size_t len)
{
	for (; list && *list; list++)
		if (strnstr(s, *list, len))
			return true;
	return false;
}

/* The console tracepoint's probe: every line printk() stores. */
static inline void mm_alloc_probe_console(void *ignore, const char *buf,
					  size_t len)
{
	unsigned long flags;

	if (READ_ONCE(mm_alloc_reports.wanted)) {
		raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
		if (mm_alloc_reports.wanted &&
		    strnstr(buf, mm_alloc_reports.wanted, len))
			mm_alloc_reports.nr_wanted++;
		raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
	}
	if (!mm_alloc_line_is_report(buf, len))
		return;
	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	if (!mm_alloc_reports.watching) {
		/* between cases: nothing to charge it to */
	} else if (mm_alloc_reports.expected &&
		   strnstr(buf, mm_alloc_reports.expected, len)) {
		mm_alloc_reports.nr_expected++;
	} else if (mm_alloc_line_listed(mm_alloc_reports.allowed, buf, len)) {
		/* tolerated by the case, which said why */
	} else if (!mm_alloc_reports.nr_unexpected++) {
		/* @buf is not NUL-terminated: strscpy() adds the NUL */
		strscpy(mm_alloc_reports.first_unexpected, buf,
			min(len + 1, sizeof(mm_alloc_reports.first_unexpected)));
	}
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
}

static inline int mm_alloc_suite_init(struct kunit_suite *suite)
{
#ifdef CONFIG_TRACEPOINTS
	return register_trace_console(mm_alloc_probe_console, NULL);
#else
	return 0;
#endif
}

static inline void mm_alloc_suite_exit(struct kunit_suite *suite)
{
#ifdef CONFIG_TRACEPOINTS
	unregister_trace_console(mm_alloc_probe_console, NULL);
	tracepoint_synchronize_unregister();
#endif
}

static inline void mm_alloc_watch(bool watching, const char *expected,
				  const char * const *allowed)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	mm_alloc_reports.watching = watching;
	mm_alloc_reports.expected = expected;
	mm_alloc_reports.allowed = allowed;
	mm_alloc_reports.nr_expected = 0;
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
}

/* Case init: from here on, a report fails the case. */
static inline int mm_alloc_test_init(struct kunit *test)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	mm_alloc_reports.nr_unexpected = 0;
	mm_alloc_reports.first_unexpected[0] = '\0';
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
	mm_alloc_watch(true, NULL, NULL);
	mm_alloc_reports.slab_errors = 0;
	if (IS_ENABLED(CONFIG_SLUB_DEBUG))
		kunit_add_named_resource(test, NULL, NULL,
					 &mm_alloc_reports.slab_resource,
					 "slab_errors",
					 &mm_alloc_reports.slab_errors);
	return 0;
}

/* Case exit: fail the case on any report it did not declare. */
static inline void mm_alloc_test_exit(struct kunit *test)
{
	char first[sizeof(mm_alloc_reports.first_unexpected)];
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	n = mm_alloc_reports.nr_unexpected;
	strscpy(first, mm_alloc_reports.first_unexpected, sizeof(first));
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
	mm_alloc_watch(false, NULL, NULL);
	KUNIT_EXPECT_EQ_MSG(test, n, 0,
			    "the kernel printed %u report(s) the case did not declare; the first: %s",
			    n, first);
	KUNIT_EXPECT_EQ_MSG(test, mm_alloc_reports.slab_errors, 0,
			    "SLUB found %d consistency error(s)",
			    mm_alloc_reports.slab_errors);
}

/*
 * The code that follows must print a report whose first line contains
 * @what. The diagnostic says so in the log, so that a reader of the log
 * (or a tool that flags reports in it) knows the report was declared.
 */
static inline void mm_alloc_expect_report(struct kunit *test, const char *what)
{
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs CONFIG_TRACEPOINTS to see the report it requires");
	kunit_info(test, "expecting a report: %s\n", what);
	mm_alloc_watch(true, what, mm_alloc_reports.allowed);
}

/* Ends mm_alloc_expect_report(): how many such reports appeared. */
static inline unsigned int mm_alloc_expect_report_end(struct kunit *test)
{
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	n = mm_alloc_reports.nr_expected;
	mm_alloc_reports.expected = NULL;
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
	kunit_info(test, "end of expected report\n");
	return n;
}

/*
 * Tolerate, for the rest of the case, reports whose first line contains
 * one of the NULL-terminated @what, which the case cannot require, and say
 * why (e.g. warn_alloc() is rate-limited).
 */
static inline void mm_alloc_allow_reports(struct kunit *test,
					  const char * const *what,
					  const char *why)
{
	const char * const *w;

	for (w = what; *w; w++)
		kunit_info(test, "tolerating reports: %s (%s)\n", *w, why);
	mm_alloc_watch(true, NULL, what);
}

/* @expr must make the kernel print a report whose head contains @what. */
#define MM_ALLOC_EXPECT_REPORT(test, what, expr) do {			\
	struct kunit *__test = (test);					\
	const char *__what = (what);					\
									\
	mm_alloc_expect_report(__test, __what);				\
	expr;								\
	KUNIT_EXPECT_GT_MSG(__test, mm_alloc_expect_report_end(__test), 0, \
			    "no \"%s\" report from %s", __what, #expr);	\
} while (0)

/*
 * Output that is not a report, which a case requires: what a dump function
 * prints, say. Lines printed while @expr runs are counted when they
 * contain @what (a pr_cont() fragment is a line of its own here).
 */
static inline void mm_alloc_want_output(struct kunit *test, const char *what)
{
	unsigned long flags;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs CONFIG_TRACEPOINTS to see the output it requires");
	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	mm_alloc_reports.nr_wanted = 0;
	WRITE_ONCE(mm_alloc_reports.wanted, what);
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
}

static inline unsigned int mm_alloc_want_output_end(void)
{
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&mm_alloc_reports.lock, flags);
	n = mm_alloc_reports.nr_wanted;
	WRITE_ONCE(mm_alloc_reports.wanted, NULL);
	raw_spin_unlock_irqrestore(&mm_alloc_reports.lock, flags);
	return n;
}

/* How many lines containing @what @expr printed. */
#define MM_ALLOC_COUNT_OUTPUT(test, what, expr) ({			\
	mm_alloc_want_output((test), (what));				\
	expr;								\
	mm_alloc_want_output_end();					\
})

/*
 * The SLUB consistency errors counted for the running case since it began
 * or since the last call, which a case that corrupts an object on purpose
 * takes, so that they do not fail it. Without CONFIG_SLUB_DEBUG nothing is
 * checked and the case skips.
 */
static inline int mm_alloc_take_slab_errors(struct kunit *test)
{
	int n = mm_alloc_reports.slab_errors;

	if (!IS_ENABLED(CONFIG_SLUB_DEBUG))
		kunit_skip(test, "needs CONFIG_SLUB_DEBUG");
	mm_alloc_reports.slab_errors = 0;
	return n;
}

/*
 * Whether the kernel was booted with the option @name (also spelt
 * @alias, e.g. the slub_ name of a slab_ option; may be NULL): 0 if not,
 * else where its last occurrence is among the options (from 1), so that
 * of two options that undo each other the later can be told. Its value,
 * if @val, goes there; the last occurrence wins, as for the kernel.
 * Suites built as modules cannot see the command line: the case skips.
 */
static inline int mm_alloc_boot_option(struct kunit *test, const char *name,
				       const char *alias, char *val, size_t len)
{
	int found = 0;
#ifdef MODULE
	kunit_skip(test, "built as a module: the boot options are not visible");
#else
	char *args = kstrdup(saved_command_line, GFP_KERNEL), *rest, *param,
	     *value;
	int pos = 0;

	KUNIT_ASSERT_NOT_NULL(test, args);
	rest = skip_spaces(args);
	while (*rest) {
		rest = next_arg(rest, &param, &value);
		pos++;
		if (!strcmp(param, name) || (alias && !strcmp(param, alias))) {
			found = pos;
			if (val && len)
				strscpy(val, value ?: "", len);
		}
	}
	kfree(args);
#endif
	return found;
}

/*
 * Cases that exhaust or fragment memory, or churn through more of it than
 * a test should by default, run only when asked: with the module
 * parameter destructive=1 (on the command line, <module>.destructive=1
 * when built in). A suite that has such cases says
 * MM_ALLOC_DESTRUCTIVE_PARAM(); each such case starts with
 * mm_alloc_skip_unless_destructive().
 */
#define MM_ALLOC_DESTRUCTIVE_PARAM()					\
	static bool destructive;					\
	module_param(destructive, bool, 0444);				\
	MODULE_PARM_DESC(destructive,					\
			 "also run the cases that exhaust or fragment memory")

#define mm_alloc_skip_unless_destructive(test, what)			\
	do {								\
		if (!destructive)					\
			kunit_skip(test, "%s: runs with "		\
				   KBUILD_MODNAME ".destructive=1",	\
				   what);				\
	} while (0)

/*
 * Generic KASAN puts freed slab objects in a quarantine and gives them
 * back to the slab allocator only later (mm/kasan/quarantine.c): an object
 * just freed is not handed out again at once, and slab pages come back
 * late. A case that relies on either skips.
 */
#define mm_alloc_skip_if_quarantine(test, what)				\
	do {								\
		if (IS_ENABLED(CONFIG_KASAN_GENERIC))			\
			kunit_skip(test, "generic KASAN quarantines freed objects: %s", \
				   what);				\
	} while (0)

/*
 * The physical address at which the kernel page tables map @addr, where
 * the architecture lets a test walk them (x86: slow_virt_to_phys()); false
 * elsewhere. On x86_64 this shows what a linear-map formula cannot: where
 * the page tables really point.
 */
static inline bool mm_alloc_walk_phys(const void *addr, phys_addr_t *phys)
{
#ifdef CONFIG_X86
	*phys = slow_virt_to_phys((void *)addr);
	return true;
#else
	return false;
#endif
}

/*
 * Whether the kernel page tables map @addr present, where the architecture
 * lets a test look them up (x86: lookup_address()); -1 elsewhere.
 */
static inline int mm_alloc_page_mapped(const void *addr)
{
#ifdef CONFIG_X86
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)addr, &level);

	return pte && pte_present(*pte);
#else
	return -1;
#endif
}

#endif /* _MM_ALLOC_KUNIT_H */
