// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "alloc_bench": what kmalloc, kzalloc, vmalloc, vzalloc and
 * kvmalloc cost, and what using their memory costs afterwards.
 *
 * Not a test of speed: nothing here asserts a time. Each case prints one
 * KTAP diagnostic line per measurement, in the stable format
 *
 *   BENCH v1 kind=<alloc|access> op=<name> size=<bytes> samples=<n>
 *         batch=<ops per sample> median_ns=<ns> p90_ns=<ns> min_ns=<ns>
 *   BENCH v1 kind=alloc op=<name> size=<bytes> status=unsupported
 *
 * (one line each), which tools/allockunit/bench.py turns into a table and
 * a plot. Times are per operation: one alloc+free pair, or one access.
 *
 * Method: ktime_get_ns() around a batch of operations, doubled until it
 * lasts BATCH_NS, so the clock's own cost and resolution (coarse on UML)
 * are spread over the batch; preemption stays on
 * (vmalloc may sleep); a warm-up batch runs first; samples are taken until
 * MAX_SAMPLES or the time budget per measurement is spent. What it
 * measures: the hot path of an alloc+free pair, which reuses the object or
 * pages just freed (per-cpu slab freelists and page lists), and for vmalloc
 * the mapping and unmapping of the area (freed areas are purged lazily).
 * What it does not: allocation under memory pressure or fragmentation.
 * The compiler cannot drop the work: every pointer goes through
 * OPTIMIZER_HIDE_VAR() and the read loops end in a WRITE_ONCE().
 */

#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "alloc_kunit_compat.h"
#include "alloc_kunit_report.h"

#define MAX_SAMPLES	201
#define MIN_SAMPLES	11
#define BUDGET_NS	(40 * NSEC_PER_MSEC)
#define BATCH_NS	(20 * NSEC_PER_USEC)
#define MAX_BATCH	1024
#define WARMUP		16

struct allocator {
	const char *name;
	void *(*alloc)(size_t size);
	void (*free)(const void *p);
};

static void *bench_kmalloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static void *bench_kzalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static void *bench_vmalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static void *bench_vzalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
}

static void *bench_kvmalloc(size_t size)
{
	return kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static const struct allocator allocators[] = {
	{ "kmalloc", bench_kmalloc, kfree },
	{ "kzalloc", bench_kzalloc, kfree },
	{ "vmalloc", bench_vmalloc, vfree },
	{ "vzalloc", bench_vzalloc, vfree },
	{ "kvmalloc", bench_kvmalloc, kvfree },
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct samples {
	u64 ns[MAX_SAMPLES];	/* per operation, one entry per batch */
	unsigned int nr, batch;
};

static void report(struct kunit *test, const char *kind, const char *op,
		   size_t size, struct samples *s)
{
	sort(s->ns, s->nr, sizeof(s->ns[0]), cmp_u64, NULL);
	kunit_info(test,
		   "BENCH v1 kind=%s op=%s size=%zu samples=%u batch=%u median_ns=%llu p90_ns=%llu min_ns=%llu\n",
		   kind, op, size, s->nr, s->batch, s->ns[s->nr / 2],
		   s->ns[s->nr * 9 / 10], s->ns[0]);
}

/*
 * Time @batch alloc+free pairs into @ns; false when the allocator refused
 * the size (a refusal is reported as such, never as a fast time).
 */
static bool time_alloc_batch(const struct allocator *a, size_t size,
			     unsigned int batch, u64 *ns)
{
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < batch; i++) {
		void *p = a->alloc(size);

		OPTIMIZER_HIDE_VAR(p);
		if (!p)
			return false;
		a->free(p);
	}
	*ns = ktime_get_ns() - start;
	return true;
}

static void measure_alloc(struct kunit *test, const struct allocator *a,
			  size_t size, struct samples *s)
{
	u64 spent = 0, t;

	/* Warm up: the first pairs may create a slab or fill a page list. */
	if (!time_alloc_batch(a, size, WARMUP, &t)) {
		kunit_info(test,
			   "BENCH v1 kind=alloc op=%s size=%zu status=unsupported\n",
			   a->name, size);
		return;
	}
	/*
	 * Double the batch until it lasts BATCH_NS, so that the clock's
	 * resolution is small against what a sample measures.
	 */
	for (s->batch = 1; s->batch < MAX_BATCH; s->batch *= 2)
		if (!time_alloc_batch(a, size, s->batch, &t) || t >= BATCH_NS)
			break;
	for (s->nr = 0; s->nr < MAX_SAMPLES; s->nr++) {
		if (s->nr >= MIN_SAMPLES && spent > BUDGET_NS)
			break;
		if (!time_alloc_batch(a, size, s->batch, &t))
			break;
		spent += t;
		s->ns[s->nr] = div_u64(t, s->batch);
		cond_resched();
	}
	if (s->nr)
		report(test, "alloc", a->name, size, s);
}

static const size_t alloc_sizes[] = {
	8, 16, 32, 64, 100, 128, 256, 512, 1024, 2048, 3000, 4096, 5000, 8192,
	16384, 32768, 65536, 100000, 131072, 262144, 524288, 1 << 20, 2 << 20,
	4 << 20, 8 << 20,
};

/* The cost of one alloc+free pair, by allocator and size. */
static void alloc_cost(struct kunit *test)
{
	struct samples *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < ARRAY_SIZE(allocators); i++)
		for (j = 0; j < ARRAY_SIZE(alloc_sizes); j++)
			measure_alloc(test, &allocators[i], alloc_sizes[j], s);
}

static u64 sink;

/* Read every word once. */
static void seq_read(const u64 *buf, size_t size)
{
	u64 sum = 0;
	size_t i;

	for (i = 0; i < size / sizeof(u64); i++)
		sum += buf[i];
	WRITE_ONCE(sink, sum);
}

/*
 * A cyclic random walk that visits one cache line of every page once, so
 * each step is a dependent load from another page: the translation cost
 * the lesson attributes to vmalloc shows up here if anywhere.
 */
static void build_chase(u8 *buf, size_t size)
{
	unsigned int nr = size / PAGE_SIZE, i, *order;

	order = kmalloc_array(nr, sizeof(*order), GFP_KERNEL);
	if (!order)
		return;
	for (i = 0; i < nr; i++)
		order[i] = i;
	for (i = nr - 1; i > 0; i--) {
		unsigned int j = get_random_u32() % (i + 1);

		swap(order[i], order[j]);
	}
	for (i = 0; i < nr; i++) {
		u8 *from = buf + (size_t)order[i] * PAGE_SIZE;
		u8 *to = buf + (size_t)order[(i + 1) % nr] * PAGE_SIZE;

		*(void **)from = to;
	}
	kfree(order);
}

static void chase(void *start, unsigned int steps)
{
	void *p = start;

	while (steps--)
		p = *(void **)p;
	WRITE_ONCE(sink, (unsigned long)p);
}

enum access_op { FIRST_TOUCH, SEQ_WRITE, SEQ_READ, RANDOM_READ, NR_ACCESS };

static const char * const access_names[] = {
	[FIRST_TOUCH] = "first_touch", [SEQ_WRITE] = "seq_write",
	[SEQ_READ] = "seq_read", [RANDOM_READ] = "random_read",
};

/*
 * Per operation: first_touch is per page, seq_write and seq_read per KiB,
 * random_read per dependent load. first_touch writes a buffer just
 * allocated, one byte per page; the others run on a buffer already written.
 */
static void measure_access(struct kunit *test, const struct allocator *a,
			   size_t size, struct samples *s)
{
	unsigned int steps = 4 * size / PAGE_SIZE;
	enum access_op op;
	char name[32];
	u64 start, t;
	u8 *buf;
	size_t i;

	for (op = 0; op < NR_ACCESS; op++) {
		u64 spent = 0;

		snprintf(name, sizeof(name), "%s_%s", a->name, access_names[op]);

		for (s->nr = 0; s->nr < MAX_SAMPLES; s->nr++) {
			if (s->nr >= MIN_SAMPLES && spent > BUDGET_NS)
				break;
			buf = a->alloc(size);
			if (!buf) {
				kunit_info(test,
					   "BENCH v1 kind=access op=%s size=%zu status=unsupported\n",
					   name, size);
				return;
			}
			if (op != FIRST_TOUCH)
				memset(buf, 1, size);
			if (op == RANDOM_READ)
				build_chase(buf, size);
			start = ktime_get_ns();
			switch (op) {
			case FIRST_TOUCH:
				for (i = 0; i < size; i += PAGE_SIZE)
					buf[i] = 1;
				break;
			case SEQ_WRITE:
				memset(buf, 2, size);
				break;
			case SEQ_READ:
				seq_read((const u64 *)buf, size);
				break;
			default:
				chase(buf, steps);
				break;
			}
			t = ktime_get_ns() - start;
			OPTIMIZER_HIDE_VAR(buf);
			a->free(buf);
			spent += t;
			s->batch = op == RANDOM_READ ? steps :
				   op == FIRST_TOUCH ? size / PAGE_SIZE : size / 1024;
			s->ns[s->nr] = div_u64(t, s->batch);
			cond_resched();
		}
		report(test, "access", name, size, s);
	}
}

static const size_t access_sizes[] = { 64 << 10, 1 << 20, 4 << 20 };

/*
 * kmalloc against vmalloc memory of equal sizes. The op names carry the
 * allocator: kmalloc_seq_read, vmalloc_random_read, ...
 */
static void access_cost(struct kunit *test)
{
	static const struct allocator pair[] = {
		{ "kmalloc", bench_kmalloc, kfree },
		{ "vmalloc", bench_vmalloc, vfree },
	};
	struct samples *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < ARRAY_SIZE(pair); i++)
		for (j = 0; j < ARRAY_SIZE(access_sizes); j++)
			measure_access(test, &pair[i], access_sizes[j], s);
}

static struct kunit_case alloc_bench_test_cases[] = {
	KUNIT_CASE_SLOW(alloc_cost),
	KUNIT_CASE_SLOW(access_cost),
	{}
};

static struct kunit_suite alloc_bench_test_suite = {
	.name = "alloc_bench",
	.suite_init = alloc_report_suite_init,
	.suite_exit = alloc_report_suite_exit,
	.init = alloc_report_init,
	.exit = alloc_report_exit,
	.test_cases = alloc_bench_test_cases,
};

kunit_test_suite(alloc_bench_test_suite);

MODULE_DESCRIPTION("Benchmarks of kmalloc, vmalloc and kvmalloc");
MODULE_LICENSE("GPL");
