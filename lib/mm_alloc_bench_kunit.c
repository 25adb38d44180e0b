// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit benchmark of what kmalloc, kzalloc, vmalloc, vzalloc and kvmalloc
 * cost, what using their memory costs afterwards, what
 * lib/test_vmalloc.c's performance mode measures, and the same under
 * contention from every CPU.
 *
 * Not a test of speed: nothing here asserts a time. Each case prints one
 * KTAP diagnostic line per measurement, in the stable format
 *
 *   BENCH v1 kind=<kind> op=<name> size=<bytes> [align=<bytes>]
 *         [threads=<n>] samples=<n> batch=<ops per sample>
 *         passes=<n> median_ns=<ns> p90_ns=<ns> min_ns=<ns>
 *   BENCH v1 kind=<kind> op=<name> size=<bytes> status=unsupported
 *
 * (one line each), for a tool to turn into tables, plots or a comparison
 * of kernels.
 * Times are per operation: one alloc+free pair, or one access. Kinds:
 *
 *   alloc       an alloc+free pair of each allocator, by size
 *   access      using kmalloc and vmalloc memory (see measure_access())
 *   vmalloc     lib/test_vmalloc.c's patterns: fix_size, random_size
 *               (size is the largest), fix_align, random_size_align
 *               (align is random, size the largest), long_busy_list
 *   contention  alloc+free pairs in one kthread per online CPU at once;
 *               threads= says how many, the times are per thread
 *   host        a fixed arithmetic loop that calls no allocator: how fast
 *               the host ran this boot, to tell the host's share of the
 *               spread between boots from the kernel's
 *
 * Method: ktime_get_ns() around a batch of operations, doubled until it
 * lasts BATCH_NS, so the clock's own cost and resolution (coarse on UML)
 * are spread over the batch. Each measurement first runs for WARMUP_NS
 * (slab and page lists filled, lazily freed vmalloc areas in their steady
 * state), which also sizes the batch, then takes samples until
 * MAX_SAMPLES or its time budget. The whole list of measurements runs PASSES times over, so the
 * passes of one measurement lie seconds apart; median_ns is the smallest
 * of the passes' medians, p90_ns that pass's 90th percentile, min_ns the
 * smallest sample of all, samples the count over all passes. A burst of
 * host activity slows one pass, and the minimum leaves it out. The case's
 * thread is pinned to the CPU it starts on; preemption stays on (vmalloc
 * may sleep). Random sizes and alignments come from a PRNG with a fixed
 * seed: every boot of every kernel measures the same ones.
 *
 * What it measures: the hot path of an alloc+free pair, which reuses the
 * object or pages just freed (per-cpu slab freelists and page lists), and
 * for vmalloc the mapping and unmapping of the area (freed areas are
 * purged lazily). What it does not: allocation under memory pressure or
 * fragmentation. The compiler cannot drop the work: every pointer goes
 * through OPTIMIZER_HIDE_VAR() and the read loops end in a WRITE_ONCE().
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define PASSES		3
#define MAX_SAMPLES	101		/* per pass */
#define MIN_SAMPLES	7		/* per pass */
#define BUDGET_NS	(15 * NSEC_PER_MSEC)	/* per pass */
#define WARMUP_NS	NSEC_PER_MSEC
#define BATCH_NS	(20 * NSEC_PER_USEC)
#define MAX_BATCH	1024U
#define MAX_WARMUP_CHUNKS	4096U

/* test_vmalloc's random patterns: RND_SET draws, the same every boot. */
#define RND_SEED	0x616c6c6f63ULL
#define RND_SET		16
/* long_busy_list: this many one-page areas held while it measures. */
#define BUSY_AREAS	(SZ_32M / PAGE_SIZE)

static u64 sink;

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

/*
 * One measurement. @run does @n units of work and returns false when the
 * allocator refused (reported as such, never as a fast time); a unit is
 * @per_unit operations (the RND_SET draws of a random pattern, else one).
 * @setup and @teardown, when set, run around each pass, untimed.
 */
struct bench_op {
	const char *kind;
	const char *name;
	size_t size;
	unsigned long align;
	unsigned int per_unit;
	bool (*run)(const struct bench_op *op, unsigned int n);
	const struct allocator *a;
	bool (*setup)(void);
	void (*teardown)(void);
};

struct samples {
	u64 ns[MAX_SAMPLES];	/* per operation, one entry per batch */
	unsigned int nr, batch;
};

/* The passes of one measurement, folded into what is reported. */
struct result {
	u64 median, p90, min;
	unsigned int samples, batch, passes, threads;
	bool refused;
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Fold one pass's @nr samples into @r: keep the pass of least median. */
static void keep_best(struct result *r, u64 *ns, unsigned int nr,
		      unsigned int batch)
{
	u64 median;

	if (!nr)
		return;
	sort(ns, nr, sizeof(*ns), cmp_u64, NULL);
	median = ns[nr / 2];
	if (!r->passes || median < r->median) {
		r->median = median;
		r->p90 = ns[nr * 9 / 10];
		r->batch = batch;
	}
	r->min = r->passes ? min(r->min, ns[0]) : ns[0];
	r->samples += nr;
	r->passes++;
}

static void report(struct kunit *test, const struct bench_op *op,
		   const struct result *r)
{
	char extra[48] = "";

	if (op->align)
		snprintf(extra, sizeof(extra), " align=%lu", op->align);
	else if (r->threads)
		snprintf(extra, sizeof(extra), " threads=%u", r->threads);
	if (!r->passes) {
		kunit_info(test,
			   "BENCH v1 kind=%s op=%s size=%zu%s status=unsupported\n",
			   op->kind, op->name, op->size, extra);
		return;
	}
	kunit_info(test,
		   "BENCH v1 kind=%s op=%s size=%zu%s samples=%u batch=%u passes=%u median_ns=%llu p90_ns=%llu min_ns=%llu\n",
		   op->kind, op->name, op->size, extra, r->samples, r->batch,
		   r->passes, r->median, r->p90, r->min);
}

static bool time_units(const struct bench_op *op, unsigned int n, u64 *ns)
{
	u64 start = ktime_get_ns();

	if (!op->run(op, n))
		return false;
	*ns = ktime_get_ns() - start;
	return true;
}

/*
 * One pass of one measurement into @s. Warm up for WARMUP_NS in chunks
 * that double up to MAX_BATCH; the last chunk, long enough that one
 * interruption hardly counts, sizes the batch: the least power of two
 * that lasts BATCH_NS, so that the clock's resolution is small against
 * a sample. Then sample until MAX_SAMPLES or the budget. False when the
 * allocator refused before any sample.
 */
static bool sample_pass(const struct bench_op *op, struct samples *s)
{
	unsigned int per = op->per_unit ? op->per_unit : 1;
	unsigned int chunk = 1, last, chunks = 0;
	u64 t, spent = 0, end;

	s->nr = 0;
	/* at most MAX_WARMUP_CHUNKS, should the clock not advance */
	do {
		if (!time_units(op, chunk, &t))
			return false;
		spent += t;
		last = chunk;
		chunk = min(2 * chunk, MAX_BATCH);
	} while (spent < WARMUP_NS && ++chunks < MAX_WARMUP_CHUNKS);
	s->batch = 1;
	while (s->batch < MAX_BATCH && s->batch * t < last * BATCH_NS)
		s->batch *= 2;
	end = ktime_get_ns() + BUDGET_NS;
	for (; s->nr < MAX_SAMPLES; s->nr++) {
		if (s->nr >= MIN_SAMPLES && ktime_get_ns() > end)
			break;
		if (!time_units(op, s->batch, &t))
			break;
		s->ns[s->nr] = div_u64(t, s->batch * per);
		cond_resched();
	}
	s->batch *= per;
	return s->nr > 0;
}

static bool measure(const struct bench_op *op, struct samples *s)
{
	bool ok;

	if (op->setup && !op->setup())
		return false;
	ok = sample_pass(op, s);
	if (op->teardown)
		op->teardown();
	return ok;
}

/* Run every measurement of @ops PASSES times over, then report each. */
static void run_ops(struct kunit *test, const struct bench_op *ops,
		    unsigned int nr)
{
	struct samples *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct result *res = kunit_kcalloc(test, nr, sizeof(*res), GFP_KERNEL);
	unsigned int pass, i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, res);
	for (pass = 0; pass < PASSES; pass++) {
		for (i = 0; i < nr; i++) {
			if (res[i].refused)
				continue;
			if (measure(&ops[i], s))
				keep_best(&res[i], s->ns, s->nr, s->batch);
			else
				res[i].refused = true;
		}
	}
	for (i = 0; i < nr; i++)
		report(test, &ops[i], &res[i]);
}

/*
 * Pin the case's thread to the CPU it runs on, so that a migration does
 * not land in a sample; KUnit runs each case in a thread of its own.
 */
static void pin_to_this_cpu(void)
{
	set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
}

static bool run_alloc(const struct bench_op *op, unsigned int n)
{
	const struct allocator *a = op->a;
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = a->alloc(op->size);

		OPTIMIZER_HIDE_VAR(p);
		if (!p)
			return false;
		a->free(p);
	}
	return true;
}

/* 64 dependent multiply-adds per unit: the host's speed, nothing else. */
static bool run_spin(const struct bench_op *op, unsigned int n)
{
	u64 x = n;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < 64; j++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			OPTIMIZER_HIDE_VAR(x);
		}
	}
	WRITE_ONCE(sink, x);
	return true;
}

static const size_t alloc_sizes[] = {
	8, 16, 32, 64, 100, 128, 256, 512, 1024, 2048, 3000, 4096, 5000, 8192,
	16384, 32768, 65536, 100000, 131072, 262144, 524288, 1 << 20, 2 << 20,
	4 << 20, 8 << 20,
};

/* The cost of one alloc+free pair, by allocator and size. */
static void alloc_cost(struct kunit *test)
{
	unsigned int nr = 1 + ARRAY_SIZE(allocators) * ARRAY_SIZE(alloc_sizes);
	struct bench_op *ops = kunit_kcalloc(test, nr, sizeof(*ops),
					     GFP_KERNEL);
	struct bench_op *op;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, ops);
	pin_to_this_cpu();
	ops[0] = (struct bench_op){ .kind = "host", .name = "spin64",
				    .run = run_spin };
	op = &ops[1];
	for (i = 0; i < ARRAY_SIZE(allocators); i++) {
		for (j = 0; j < ARRAY_SIZE(alloc_sizes); j++, op++) {
			op->kind = "alloc";
			op->name = allocators[i].name;
			op->size = alloc_sizes[j];
			op->run = run_alloc;
			op->a = &allocators[i];
		}
	}
	run_ops(test, ops, nr);
}

/*
 * test_vmalloc's draws: sizes of 1 to 100 pages; 1 to 10 pages aligned
 * to 2^0 to 2^22 bytes, both from one byte as test_vmalloc does.
 */
static unsigned long rnd_size[RND_SET];
static unsigned long rnd_align_size[RND_SET], rnd_align[RND_SET];

static void draw_random_sizes(void)
{
	struct rnd_state rnd;
	unsigned int i, byte;

	prandom_seed_state(&rnd, RND_SEED);
	for (i = 0; i < RND_SET; i++) {
		rnd_size[i] = (prandom_u32_state(&rnd) % 100 + 1) * PAGE_SIZE;
		byte = prandom_u32_state(&rnd) & 0xff;
		rnd_align[i] = 1UL << (byte % 23);
		rnd_align_size[i] = (byte % 10 + 1) * PAGE_SIZE;
	}
}

/* vmalloc, write the first byte as test_vmalloc does, vfree. */
static bool vmalloc_touch(unsigned long size)
{
	u8 *p = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);

	OPTIMIZER_HIDE_VAR(p);
	if (!p)
		return false;
	*p = 1;
	vfree(p);
	return true;
}

static bool vmalloc_aligned(unsigned long size, unsigned long align)
{
	/* as lib/test_vmalloc.c allocates with an alignment */
	void *p = __vmalloc_node(size, align, GFP_KERNEL | __GFP_ZERO |
				 __GFP_NOWARN, NUMA_NO_NODE,
				 __builtin_return_address(0));

	OPTIMIZER_HIDE_VAR(p);
	if (!p)
		return false;
	vfree(p);
	return true;
}

static bool run_fix_size(const struct bench_op *op, unsigned int n)
{
	while (n--)
		if (!vmalloc_touch(op->size))
			return false;
	return true;
}

static bool run_random_size(const struct bench_op *op, unsigned int n)
{
	unsigned int i;

	while (n--)
		for (i = 0; i < RND_SET; i++)
			if (!vmalloc_touch(rnd_size[i]))
				return false;
	return true;
}

static bool run_fix_align(const struct bench_op *op, unsigned int n)
{
	while (n--)
		if (!vmalloc_aligned(op->size, op->align))
			return false;
	return true;
}

static bool run_random_align(const struct bench_op *op, unsigned int n)
{
	unsigned int i;

	while (n--)
		for (i = 0; i < RND_SET; i++)
			if (!vmalloc_aligned(rnd_align_size[i], rnd_align[i]))
				return false;
	return true;
}

static void **busy;

static void busy_teardown(void)
{
	unsigned int i;

	if (!busy)
		return;
	for (i = 0; i < BUSY_AREAS; i++)
		vfree(busy[i]);
	kvfree(busy);
	busy = NULL;
}

/* Fill the vmalloc space with BUSY_AREAS one-page areas, untimed. */
static bool busy_setup(void)
{
	unsigned int i;

	busy = kvcalloc(BUSY_AREAS, sizeof(*busy), GFP_KERNEL | __GFP_NOWARN);
	if (!busy)
		return false;
	for (i = 0; i < BUSY_AREAS; i++) {
		busy[i] = __vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
		if (!busy[i]) {
			busy_teardown();
			return false;
		}
	}
	return true;
}

/* One unit: a large and a one-page area among the busy ones, touched. */
static bool run_long_busy(const struct bench_op *op, unsigned int n)
{
	while (n--) {
		u8 *big = __vmalloc(op->size, GFP_KERNEL | __GFP_NOWARN);
		u8 *small = __vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);

		OPTIMIZER_HIDE_VAR(big);
		OPTIMIZER_HIDE_VAR(small);
		if (big)
			*big = 0;
		if (small)
			*small = 1;
		vfree(big);
		vfree(small);
		if (!big || !small)
			return false;
	}
	return true;
}

/*
 * lib/test_vmalloc.c's performance patterns, timed the way the rest of
 * the suite is: per vmalloc+vfree, or per pair for long_busy_list.
 */
static void vmalloc_patterns(struct kunit *test)
{
	static const struct bench_op ops[] = {
		{ .kind = "vmalloc", .name = "fix_size", .size = PAGE_SIZE,
		  .run = run_fix_size },
		{ .kind = "vmalloc", .name = "random_size",
		  .size = 100 * PAGE_SIZE, .per_unit = RND_SET,
		  .run = run_random_size },
		{ .kind = "vmalloc", .name = "fix_align", .size = 5 * PAGE_SIZE,
		  .align = THREAD_ALIGN << 1, .run = run_fix_align },
		{ .kind = "vmalloc", .name = "random_size_align",
		  .size = 10 * PAGE_SIZE, .per_unit = RND_SET,
		  .run = run_random_align },
		{ .kind = "vmalloc", .name = "long_busy_list",
		  .size = 100 * PAGE_SIZE, .run = run_long_busy,
		  .setup = busy_setup, .teardown = busy_teardown },
	};

	pin_to_this_cpu();
	draw_random_sizes();
	run_ops(test, ops, ARRAY_SIZE(ops));
}

struct crowd;

/* One kthread per online CPU, each running one pass of the same op. */
struct worker {
	struct crowd *crowd;
	const struct bench_op *op;
	struct task_struct *task;
	struct samples s;
	bool ok;
};

struct crowd {
	struct completion go, done;
	atomic_t left;
	unsigned int nr, max;
	struct worker w[];
};

static int worker_fn(void *data)
{
	struct worker *w = data;

	wait_for_completion(&w->crowd->go);
	w->ok = sample_pass(w->op, &w->s);
	if (atomic_dec_and_test(&w->crowd->left))
		complete(&w->crowd->done);
	return 0;
}

/*
 * Start one worker bound to each online CPU (at most c->max), let them go
 * at once, wait for all. Their threads stay referenced until stopped, so
 * that a worker may end before kthread_stop() sees it.
 */
static void crowd_pass(struct crowd *c, const struct bench_op *op)
{
	unsigned int cpu, i;

	init_completion(&c->go);
	init_completion(&c->done);
	c->nr = 0;
	for_each_online_cpu(cpu) {
		struct worker *w = &c->w[c->nr];
		struct task_struct *t;

		if (c->nr == c->max)
			break;
		w->crowd = c;
		w->op = op;
		w->ok = false;
		t = kthread_create_on_cpu(worker_fn, w, cpu, "alloc_bench/%u");
		if (IS_ERR(t))
			continue;
		get_task_struct(t);
		w->task = t;
		c->nr++;
	}
	atomic_set(&c->left, c->nr);
	for (i = 0; i < c->nr; i++)
		wake_up_process(c->w[i].task);
	complete_all(&c->go);
	if (c->nr)
		wait_for_completion(&c->done);
	for (i = 0; i < c->nr; i++) {
		kthread_stop(c->w[i].task);
		put_task_struct(c->w[i].task);
	}
}

/*
 * kmalloc/kfree and vmalloc/vfree pairs from every CPU at once: the
 * samples of all workers make one pass; threads= is how many ran.
 */
static void contention(struct kunit *test)
{
	static const struct bench_op ops[] = {
		{ .kind = "contention", .name = "kmalloc", .size = 64,
		  .run = run_alloc, .a = &allocators[0] },
		{ .kind = "contention", .name = "kmalloc", .size = 4096,
		  .run = run_alloc, .a = &allocators[0] },
		{ .kind = "contention", .name = "vmalloc", .size = PAGE_SIZE,
		  .run = run_fix_size },
	};
	unsigned int max = num_online_cpus(), pass, i, j, nr, batch;
	struct result res[ARRAY_SIZE(ops)] = {};
	struct crowd *c;
	u64 *all;

	c = kunit_kzalloc(test, struct_size(c, w, max), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	all = kunit_kmalloc_array(test, max, sizeof(c->w[0].s.ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	c->max = max;
	for (pass = 0; pass < PASSES; pass++) {
		for (i = 0; i < ARRAY_SIZE(ops); i++) {
			if (res[i].refused)
				continue;
			crowd_pass(c, &ops[i]);
			for (j = 0, nr = 0, batch = 0; j < c->nr; j++) {
				struct samples *s = &c->w[j].s;

				if (!c->w[j].ok)
					continue;
				memcpy(all + nr, s->ns, s->nr * sizeof(*all));
				nr += s->nr;
				batch = batch ? batch : s->batch;
			}
			if (!nr) {
				res[i].refused = true;
				continue;
			}
			keep_best(&res[i], all, nr, batch);
			res[i].threads = c->nr;
		}
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		report(test, &ops[i], &res[i]);
}

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
 * each step is a dependent load from another page: a translation cost of
 * vmalloc memory shows up here if anywhere.
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
 * One pass of one access measurement. Per operation: first_touch is per
 * page, seq_write and seq_read per KiB, random_read per dependent load.
 * first_touch writes a buffer just allocated, one byte per page; the
 * others run on a buffer already written. The budget counts the timed
 * accesses only, not the allocation and writing around them. False when
 * the allocator refused the size.
 */
static bool measure_access(const struct allocator *a, size_t size,
			   enum access_op op, struct samples *s)
{
	unsigned int steps = 4 * size / PAGE_SIZE;
	u64 start, t, spent = 0;
	u8 *buf;
	size_t i;

	s->batch = op == RANDOM_READ ? steps :
		   op == FIRST_TOUCH ? size / PAGE_SIZE : size / 1024;
	for (s->nr = 0; s->nr < MAX_SAMPLES; s->nr++) {
		if (s->nr >= MIN_SAMPLES && spent > BUDGET_NS)
			break;
		buf = a->alloc(size);
		if (!buf)
			return false;
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
		s->ns[s->nr] = div_u64(t, s->batch);
		cond_resched();
	}
	return true;
}

static const size_t access_sizes[] = { 64 << 10, 1 << 20, 4 << 20 };

static const struct allocator access_pair[] = {
	{ "kmalloc", bench_kmalloc, kfree },
	{ "vmalloc", bench_vmalloc, vfree },
};

#define NR_ACCESS_OPS \
	(ARRAY_SIZE(access_pair) * ARRAY_SIZE(access_sizes) * NR_ACCESS)

/*
 * kmalloc against vmalloc memory of equal sizes. The op names carry the
 * allocator: kmalloc_seq_read, vmalloc_random_read, ...
 */
static void access_cost(struct kunit *test)
{
	struct samples *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct bench_op *ops = kunit_kcalloc(test, NR_ACCESS_OPS,
					     sizeof(*ops), GFP_KERNEL);
	struct result *res = kunit_kcalloc(test, NR_ACCESS_OPS, sizeof(*res),
					   GFP_KERNEL);
	char (*names)[32] = kunit_kcalloc(test, NR_ACCESS_OPS,
					  sizeof(*names), GFP_KERNEL);
	unsigned int pass, i, j, n = 0;
	enum access_op op;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_NOT_NULL(test, names);
	for (i = 0; i < ARRAY_SIZE(access_pair); i++) {
		for (j = 0; j < ARRAY_SIZE(access_sizes); j++) {
			for (op = 0; op < NR_ACCESS; op++, n++) {
				snprintf(names[n], sizeof(names[n]), "%s_%s",
					 access_pair[i].name, access_names[op]);
				ops[n].kind = "access";
				ops[n].name = names[n];
				ops[n].size = access_sizes[j];
				ops[n].a = &access_pair[i];
			}
		}
	}
	pin_to_this_cpu();
	for (pass = 0; pass < PASSES; pass++) {
		for (n = 0; n < NR_ACCESS_OPS; n++) {
			if (res[n].refused)
				continue;
			/* op is the innermost of the three loops above */
			if (measure_access(ops[n].a, ops[n].size,
					   n % NR_ACCESS, s))
				keep_best(&res[n], s->ns, s->nr, s->batch);
			else
				res[n].refused = true;
		}
	}
	for (n = 0; n < NR_ACCESS_OPS; n++)
		report(test, &ops[n], &res[n]);
}

static struct kunit_case alloc_bench_test_cases[] = {
	KUNIT_CASE_SLOW(alloc_cost),
	KUNIT_CASE_SLOW(access_cost),
	KUNIT_CASE_SLOW(vmalloc_patterns),
	KUNIT_CASE_SLOW(contention),
	{}
};

/*
 * The benchmarks take minutes and measure rather than test: they run only
 * when asked, with the module parameter run=1 (mm_alloc_bench_kunit.run=1
 * on the kernel command line when built in).
 */
static bool run_benchmarks;
module_param_named(run, run_benchmarks, bool, 0444);

static int alloc_bench_init(struct kunit *test)
{
	if (!run_benchmarks)
		kunit_skip(test, "benchmarks run only when asked: "
			   KBUILD_MODNAME ".run=1");
	return mm_alloc_test_init(test);
}

static struct kunit_suite alloc_bench_test_suite = {
	.name = "mm_alloc_bench",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = alloc_bench_init,
	.exit = mm_alloc_test_exit,
	.test_cases = alloc_bench_test_cases,
};

kunit_test_suite(alloc_bench_test_suite);

MODULE_DESCRIPTION("Benchmarks of kmalloc, vmalloc and kvmalloc");
MODULE_LICENSE("GPL");
