// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite that fails when the other suites leaked memory.
 *
 * Linked last (lib/Makefile), so it runs after every other suite. It runs
 * kmemleak scans, what "echo scan > /sys/kernel/debug/kmemleak" does,
 * and reads the unreferenced objects that kmemleak.verbose=1 prints. Every
 * KUnit case runs in a kthread named "kunit_try_catch", so an object whose
 * record names that comm was allocated by a case and never freed: a leak of
 * the suites (or of the allocator under them), whatever boot code may have
 * leaked besides.
 *
 * The scan cannot be asked for through the debugfs file from the kernel
 * (kmemleak_write() copies from a user buffer, and the file has neither
 * read_iter nor write_iter for kernel_read/write()), so kmemleak_scan() is
 * found through kallsyms, which built-in code may use. It must run under
 * kmemleak's scan_mutex: nothing else scans here, since the profile turns
 * the scan thread off and no one opens the file.
 *
 * Built only with CONFIG_DEBUG_KMEMLEAK (PROFILE=kmemleak, which also boots
 * with kmemleak.verbose=1).
 */

#include <kunit/test.h>
#include <linux/console.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "alloc_kunit_compat.h"
#include "alloc_kunit_report.h"

/*
 * kmemleak reports an object only once it is older than its minimum age
 * (MSECS_MIN_AGE in mm/kmemleak.c, 5 s): wait a little longer than that
 * after the last suite.
 */
#define KMEMLEAK_MIN_AGE_MS	5000
#define KUNIT_CASE_COMM		"comm \"kunit_try_catch\""

static const char * const kmemleak_heads[] = { "kmemleak:", NULL };

/* What the scan printed: kmemleak's verbose records, one line each. */
static struct {
	spinlock_t lock;	/* the console may write from any context */
	unsigned int objects, leaks, summaries;
	char object[128];	/* the last "unreferenced object" line */
	char first_leak[128];	/* the object line of the first leak */
} scan = {
	.lock = __SPIN_LOCK_UNLOCKED(scan.lock),
};

static void copy_line(char *dst, size_t size, const char *s, size_t len)
{
	strscpy(dst, s, min(len + 1, size));
	strim(dst);
}

static void scan_console_write(struct console *con, const char *s,
			       unsigned int len)
{
	unsigned long flags;

	spin_lock_irqsave(&scan.lock, flags);
	if (strnstr(s, "unreferenced object", len)) {
		scan.objects++;
		copy_line(scan.object, sizeof(scan.object), s, len);
	} else if (strnstr(s, KUNIT_CASE_COMM, len)) {
		if (!scan.leaks++)
			strscpy(scan.first_leak, scan.object,
				sizeof(scan.first_leak));
	} else if (strnstr(s, "new suspected memory leaks", len)) {
		scan.summaries++;
	}
	spin_unlock_irqrestore(&scan.lock, flags);
}

static struct console scan_console = {
	.name = "allocleak",
	.write = scan_console_write,
	.flags = CON_ENABLED,
	.index = 0,
};

static void unregister_scan_console(void *unused)
{
	unregister_console(&scan_console);
}

static void no_case_leaked_memory(struct kunit *test)
{
	unsigned long kmemleak_scan = kallsyms_lookup_name("kmemleak_scan");

	if (!kmemleak_scan)
		kunit_skip(test, "kmemleak_scan() not in kallsyms (CONFIG_KALLSYMS?)");
	/* Boot code's own leaks are printed too. */
	alloc_report_allow(test, kmemleak_heads,
			   "the scan also finds leaks outside the suites");
	msleep(KMEMLEAK_MIN_AGE_MS + 1000);

	register_console(&scan_console);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, unregister_scan_console,
						NULL), 0);
	/*
	 * An object whose contents changed since the last scan (its checksum,
	 * first computed now) is left for the next one (mm/kmemleak.c,
	 * update_checksum()): two scans report what the first one saw.
	 */
	((void (*)(void))kmemleak_scan)();
	((void (*)(void))kmemleak_scan)();
	alloc_report_flush();

	kunit_info(test, "kmemleak: %u unreferenced objects, %u from KUnit cases\n",
		   scan.objects, scan.leaks);
	KUNIT_EXPECT_FALSE_MSG(test, scan.summaries && !scan.objects,
			       "leaks found but not listed: boot with kmemleak.verbose=1");
	KUNIT_EXPECT_EQ_MSG(test, scan.leaks, 0,
			    "objects allocated by KUnit cases and never freed, the first: %s",
			    scan.first_leak);
}

static struct kunit_case alloc_kmemleak_test_cases[] = {
	KUNIT_CASE_SLOW(no_case_leaked_memory),
	{}
};

static struct kunit_suite alloc_kmemleak_test_suite = {
	.name = "alloc_kmemleak",
	.suite_init = alloc_report_suite_init,
	.suite_exit = alloc_report_suite_exit,
	.init = alloc_report_init,
	.exit = alloc_report_exit,
	.test_cases = alloc_kmemleak_test_cases,
};

kunit_test_suite(alloc_kmemleak_test_suite);

MODULE_DESCRIPTION("KUnit test that the allocator suites leak nothing");
MODULE_LICENSE("GPL");
