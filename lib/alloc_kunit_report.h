/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel reports judged inside KUnit.
 *
 * A case fails when the kernel prints a report while it runs (a WARNING,
 * a BUG such as "sleeping function called from invalid context", an oops,
 * "page allocation failure", an OOM kill, a sanitizer report), unless the
 * case declared that report beforehand; a declared report must then
 * appear. So `kunit.py run` alone, without this project's runner, sees a
 * __GFP_NOWARN allocation that warned or an atomic allocation that slept.
 *
 * Reports are seen through a console of our own, the way netconsole sees
 * them (kfence_test.c uses the console tracepoint, which needs
 * CONFIG_TRACEPOINTS; a console needs nothing). Only messages that reach
 * the consoles are seen: a boot with "quiet" hides KERN_WARNING ones.
 *
 * Use: give the suite alloc_report_suite_init/exit and the cases
 * alloc_report_init/exit (or call them from the suite's own), then wrap a
 * call that must report in ALLOC_KUNIT_EXPECT_REPORT(). Around a declared
 * report the log carries "alloc-kunit: " marker lines, which the project's
 * runner uses to accept that report and no other.
 */
#ifndef _ALLOC_KUNIT_REPORT_H
#define _ALLOC_KUNIT_REPORT_H

#include <kunit/test.h>
#include <linux/console.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>

/* How a kernel report starts; each is printed once at its head. */
static const char * const alloc_report_heads[] = {
	"WARNING:", "BUG:", "Oops", "Kernel panic", "general protection fault",
	"page allocation failure", "vmalloc error:", "invoked oom-killer",
	"Out of memory", "UBSAN:", "KASAN:", "kmemleak:", "INFO:",
};

/* Our own marker lines; never a report. */
#define ALLOC_REPORT_TAG "alloc-kunit: "

static struct {
	spinlock_t lock;	/* the console may write from any context */
	bool watching;
	const char *expected;	/* declared: must appear */
	unsigned int nr_expected;
	const char * const *allowed;	/* tolerated: may appear */
	unsigned int nr_unexpected;
	char first_unexpected[160];
} alloc_report = {
	.lock = __SPIN_LOCK_UNLOCKED(alloc_report.lock),
};

/* A KTAP line (KUnit's own output) is indented and starts with '#'. */
static inline bool alloc_report_is_ktap(const char *s, size_t len)
{
	const char *end = s + len;

	if (len && *s == '[') {
		const char *close = strnchr(s, len, ']');

		if (close)
			s = close + 1;
	}
	while (s < end && *s == ' ')
		s++;
	return s < end && *s == '#';
}

static inline const char *alloc_report_head(const char *s, size_t len)
{
	unsigned int i;

	if (strnstr(s, ALLOC_REPORT_TAG, len) || alloc_report_is_ktap(s, len))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(alloc_report_heads); i++)
		if (strnstr(s, alloc_report_heads[i], len))
			return alloc_report_heads[i];
	return NULL;
}

static inline bool alloc_report_listed(const char * const *list,
				       const char *s, size_t len)
{
	for (; list && *list; list++)
		if (strnstr(s, *list, len))
			return true;
	return false;
}

static inline void alloc_report_write(struct console *con, const char *s,
				      unsigned int len)
{
	unsigned long flags;

	if (!alloc_report_head(s, len))
		return;
	spin_lock_irqsave(&alloc_report.lock, flags);
	if (!alloc_report.watching) {
		/* between cases: nothing to blame */
	} else if (alloc_report.expected &&
		   strnstr(s, alloc_report.expected, len)) {
		alloc_report.nr_expected++;
	} else if (alloc_report_listed(alloc_report.allowed, s, len)) {
		/* tolerated by the case, with its reason */
	} else if (!alloc_report.nr_unexpected++) {
		strscpy(alloc_report.first_unexpected, s,
			min_t(size_t, len + 1,
			      sizeof(alloc_report.first_unexpected)));
		strim(alloc_report.first_unexpected);
	}
	spin_unlock_irqrestore(&alloc_report.lock, flags);
}

static struct console alloc_report_console = {
	.name = "allockunit",
	.write = alloc_report_write,
	/* Enabled without a console= match, as netconsole is; no replay. */
	.flags = CON_ENABLED,
	.index = 0,
};

/*
 * Everything printed so far has reached every console, ours included:
 * printk may have left records for a later console_unlock() to print.
 */
static inline void alloc_report_flush(void)
{
	console_lock();
	console_unlock();
}

static inline int alloc_report_suite_init(struct kunit_suite *suite)
{
	register_console(&alloc_report_console);
	return 0;
}

static inline void alloc_report_suite_exit(struct kunit_suite *suite)
{
	unregister_console(&alloc_report_console);
}

static inline void alloc_report_set(bool watching, const char *expected,
				    const char * const *allowed)
{
	unsigned long flags;

	spin_lock_irqsave(&alloc_report.lock, flags);
	alloc_report.watching = watching;
	alloc_report.expected = expected;
	alloc_report.allowed = allowed;
	alloc_report.nr_expected = 0;
	if (watching && !expected && !allowed) {
		alloc_report.nr_unexpected = 0;
		alloc_report.first_unexpected[0] = '\0';
	}
	spin_unlock_irqrestore(&alloc_report.lock, flags);
}

/* Case init: from here on, a report fails the case. */
static inline int alloc_report_init(struct kunit *test)
{
	alloc_report_flush();
	alloc_report_set(true, NULL, NULL);
	return 0;
}

/* Case exit: fail the case on any report it did not declare. */
static inline void alloc_report_exit(struct kunit *test)
{
	char first[sizeof(alloc_report.first_unexpected)];
	unsigned long flags;
	unsigned int n;
	bool declared;

	alloc_report_flush();
	spin_lock_irqsave(&alloc_report.lock, flags);
	declared = alloc_report.expected || alloc_report.allowed;
	alloc_report.watching = false;
	alloc_report.expected = NULL;
	alloc_report.allowed = NULL;
	n = alloc_report.nr_unexpected;
	strscpy(first, alloc_report.first_unexpected, sizeof(first));
	spin_unlock_irqrestore(&alloc_report.lock, flags);
	/* never printk with the lock held: our console takes it */
	if (declared)
		pr_info(ALLOC_REPORT_TAG "end of declared reports\n");
	KUNIT_EXPECT_EQ_MSG(test, n, 0,
			    "the kernel printed %u report(s) the case did not declare; the first: %s",
			    n, first);
}

/* The code that follows must print a report whose head contains @what. */
static inline void alloc_report_expect(struct kunit *test, const char *what)
{
	alloc_report_flush();
	pr_info(ALLOC_REPORT_TAG "expecting a report: %s\n", what);
	alloc_report_set(true, what, alloc_report.allowed);
}

/* Ends what alloc_report_expect() began: how many such reports appeared. */
static inline unsigned int alloc_report_expect_end(struct kunit *test)
{
	unsigned long flags;
	unsigned int n;

	alloc_report_flush();
	spin_lock_irqsave(&alloc_report.lock, flags);
	n = alloc_report.nr_expected;
	alloc_report.expected = NULL;
	spin_unlock_irqrestore(&alloc_report.lock, flags);
	pr_info(ALLOC_REPORT_TAG "end of expected report\n");
	return n;
}

/*
 * Tolerate, for the rest of the case, reports whose head contains one of
 * the NULL-terminated @what, which the case cannot require, with the
 * reason (e.g. warn_alloc() is rate-limited).
 */
static inline void alloc_report_allow(struct kunit *test,
				      const char * const *what,
				      const char *why)
{
	const char * const *w;

	alloc_report_flush();
	for (w = what; *w; w++)
		pr_info(ALLOC_REPORT_TAG "tolerating reports: %s (%s)\n", *w,
			why);
	alloc_report_set(true, NULL, what);
}

/* @expr must make the kernel print a report whose head contains @what. */
#define ALLOC_KUNIT_EXPECT_REPORT(test, what, expr) do {		\
	struct kunit *__test = (test);					\
	const char *__what = (what);					\
									\
	alloc_report_expect(__test, __what);				\
	expr;								\
	KUNIT_EXPECT_GT_MSG(__test, alloc_report_expect_end(__test), 0,	\
			    "no \"%s\" report from %s", __what, #expr);	\
} while (0)

#endif /* _ALLOC_KUNIT_REPORT_H */
