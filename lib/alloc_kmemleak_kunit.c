// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite that fails when the other suites leaked memory.
 *
 * Linked last (lib/Makefile), so it runs after every other suite. It asks
 * kmemleak for a scan, the way "echo scan > /sys/kernel/debug/kmemleak"
 * does, and reads back the unreferenced objects. Every KUnit case runs in a
 * kthread named "kunit_try_catch", so an object whose record says that comm
 * was allocated by a case and never freed: that is a leak of the suites (or
 * of the allocator under them), whatever boot code may have leaked besides.
 *
 * Runs only with CONFIG_DEBUG_KMEMLEAK (PROFILE=kmemleak); skipped when
 * kmemleak is off at boot or has disabled itself.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "alloc_kunit_compat.h"
#include "alloc_kunit_report.h"

/*
 * kmemleak reports an object only once it is older than its minimum age
 * (MSECS_MIN_AGE in mm/kmemleak.c, 5 s): wait a little longer than that
 * after the last suite.
 */
#define KMEMLEAK_MIN_AGE_MS	5000
#define KMEMLEAK_REPORT_MAX	(1024 * 1024)
#define KUNIT_CASE_COMM		"comm \"kunit_try_catch\""

static const char * const kmemleak_heads[] = { "kmemleak:", NULL };

KUNIT_DEFINE_ACTION_WRAPPER(put_mount, kern_unmount, struct vfsmount *);
KUNIT_DEFINE_ACTION_WRAPPER(put_file, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

/* /sys/kernel/debug/kmemleak, opened through a private debugfs mount. */
static struct file *kmemleak_file(struct kunit *test)
{
	struct file_system_type *type = get_fs_type("debugfs");
	struct vfsmount *mnt;
	struct file *file;

	if (!type)
		kunit_skip(test, "no debugfs: kmemleak cannot be asked to scan");
	mnt = kern_mount(type);
	put_filesystem(type);
	if (IS_ERR(mnt))
		kunit_skip(test, "debugfs cannot be mounted: %ld", PTR_ERR(mnt));
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, put_mount, mnt),
			0);
	file = file_open_root_mnt(mnt, "kmemleak", O_RDWR, 0);
	if (IS_ERR(file))
		kunit_skip(test, "no kmemleak file (kmemleak off at boot?): %ld",
			   PTR_ERR(file));
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, put_file, file),
			0);
	return file;
}

static char *read_report(struct kunit *test, struct file *file)
{
	char *buf = vzalloc(KMEMLEAK_REPORT_MAX);
	loff_t pos = 0;
	ssize_t n;
	size_t len = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, alloc_kunit_defer(test, vfree_action, buf), 0);
	do {
		n = kernel_read(file, buf + len, KMEMLEAK_REPORT_MAX - 1 - len,
				&pos);
		if (n > 0)
			len += n;
	} while (n > 0 && len < KMEMLEAK_REPORT_MAX - 1);
	KUNIT_ASSERT_GE_MSG(test, n, 0, "reading the kmemleak report");
	return buf;
}

/* Print one leaked object's record: its size, comm and backtrace. */
static void show_leak(struct kunit *test, const char *record)
{
	const char *end = strstr(record + 1, "unreferenced object");
	int len = end ? end - record : strlen(record);

	kunit_info(test, "%.*s", min(len, 1200), record);
}

static void no_case_leaked_memory(struct kunit *test)
{
	struct file *file = kmemleak_file(test);
	unsigned int leaks = 0;
	const char *record;
	loff_t pos = 0;
	ssize_t n;
	char *report;

	/* Boot code's own leaks are printed as "kmemleak: N new suspected". */
	alloc_report_allow(test, kmemleak_heads,
			   "the scan also finds leaks outside the suites");
	msleep(KMEMLEAK_MIN_AGE_MS + 1000);
	n = kernel_write(file, "scan", 4, &pos);
	if (n == -EPERM || n == -EBUSY)
		kunit_skip(test, "kmemleak has disabled itself: %zd", n);
	KUNIT_ASSERT_EQ_MSG(test, n, 4, "writing \"scan\" to kmemleak");

	report = read_report(test, file);
	for (record = strstr(report, "unreferenced object"); record;
	     record = strstr(record + 1, "unreferenced object")) {
		const char *next = strstr(record + 1, "unreferenced object");
		const char *comm = strstr(record, KUNIT_CASE_COMM);

		if (!comm || (next && comm > next))
			continue;
		if (!leaks)
			show_leak(test, record);
		leaks++;
	}
	KUNIT_EXPECT_EQ_MSG(test, leaks, 0,
			    "objects allocated by KUnit cases and never freed");
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
