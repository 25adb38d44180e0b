// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the percpu allocator (mm/percpu.c): alloc_percpu() and
 * its kin give each possible CPU its own copy of an object, aligned as
 * asked, from any context the GFP flags allow; per_cpu_ptr_to_phys()
 * finds the memory behind a copy. The kerneldoc of pcpu_alloc(),
 * free_percpu() and per_cpu_ptr_to_phys() is the contract checked.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mm_alloc_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

KUNIT_DEFINE_ACTION_WRAPPER(free_percpu_action, free_percpu, void __percpu *);

/*
 * Each copy of an area of @size bytes, aligned at @align (at most
 * PAGE_SIZE, kerneldoc), is aligned so, and no two copies overlap: a write
 * to one CPU's copy leaves every other copy as it was.
 */
static void alloc_percpu_gives_each_cpu_an_aligned_copy(struct kunit *test)
{
	const size_t sizes[] = { 1, 24, 200, PAGE_SIZE };
	size_t align, i;
	int cpu, other;

	for (align = 1; align <= PAGE_SIZE; align <<= 1) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			size_t size = sizes[i];
			void __percpu *p = __alloc_percpu(size, align);

			KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu align %zu",
						  size, align);
			for_each_possible_cpu(cpu) {
				u8 *mine = per_cpu_ptr(p, cpu);

				KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)mine,
								       align),
						      "size %zu align %zu: cpu %d's copy %lu bytes past the boundary",
						      size, align, cpu,
						      (unsigned long)mine & (align - 1));
				memset(mine, cpu + 1, size);
			}
			for_each_possible_cpu(cpu) {
				u8 *mine = per_cpu_ptr(p, cpu);

				other = memchr_inv(mine, cpu + 1, size) ? 1 : 0;
				KUNIT_EXPECT_EQ_MSG(test, other, 0,
						    "size %zu: cpu %d's copy was overwritten",
						    size, cpu);
			}
			free_percpu(p);
		}
	}
}

/*
 * A request of no bytes, of more than a unit can hold (PCPU_MIN_UNIT_SIZE),
 * or with an alignment above PAGE_SIZE or not a power of two is refused:
 * NULL, with a warning unless __GFP_NOWARN (kerneldoc).
 */
static void alloc_percpu_refuses_invalid_requests(struct kunit *test)
{
	const struct { size_t size, align; } bad[] = {
		{ 0, 8 },
		{ PCPU_MIN_UNIT_SIZE + 1, 8 },
		{ 64, 2 * PAGE_SIZE },
		{ 64, 24 },
	};
	void __percpu *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = __alloc_percpu_gfp(bad[i].size, bad[i].align,
				       GFP_KERNEL | __GFP_NOWARN);
		KUNIT_EXPECT_NULL_MSG(test, p, "size %zu align %zu",
				      bad[i].size, bad[i].align);
		free_percpu(p);
	}
	MM_ALLOC_EXPECT_REPORT(test, "WARNING:",
			       p = __alloc_percpu(0, 8));
	KUNIT_EXPECT_NULL(test, p);
	free_percpu(p);
}

/*
 * Without GFP_KERNEL the allocation is atomic (kerneldoc), and
 * free_percpu() "can be called from atomic context": both under a
 * spinlock, where the task must not sleep.
 */
static void alloc_percpu_atomic_does_not_sleep(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long switches;
	u64 __percpu *p;

	spin_lock(&lock);
	switches = current->nvcsw;
	p = alloc_percpu_gfp(u64, GFP_NOWAIT | __GFP_NOWARN);
	free_percpu(p);
	switches = current->nvcsw - switches;
	spin_unlock(&lock);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ_MSG(test, switches, 0, "slept in atomic context");
}

/*
 * per_cpu_ptr_to_phys() is the physical address of the copy, in the
 * linear map or in vmalloc space alike: where the page tables map it when
 * the architecture lets a test look (mm_alloc_walk_phys()), else what
 * virt_to_phys() or vmalloc_to_page() say of the address.
 */
static void per_cpu_ptr_to_phys_finds_each_copy(struct kunit *test)
{
	u8 __percpu *p = __alloc_percpu(3 * PAGE_SIZE, PAGE_SIZE);
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_percpu_action,
							p), 0);
	for_each_possible_cpu(cpu) {
		size_t off;

		for (off = 0; off < 3 * PAGE_SIZE; off += PAGE_SIZE + 8) {
			u8 *addr = per_cpu_ptr(p, cpu) + off;
			phys_addr_t want;

			if (!mm_alloc_walk_phys(addr, &want))
				want = is_vmalloc_addr(addr) ?
					page_to_phys(vmalloc_to_page(addr)) +
					offset_in_page(addr) :
					virt_to_phys(addr);
			KUNIT_EXPECT_EQ_MSG(test, per_cpu_ptr_to_phys(addr), want,
					    "cpu %d, offset %zu", cpu, off);
		}
	}
}

static struct kunit_case mm_alloc_percpu_test_cases[] = {
	KUNIT_CASE(alloc_percpu_gives_each_cpu_an_aligned_copy),
	KUNIT_CASE(alloc_percpu_refuses_invalid_requests),
	KUNIT_CASE(alloc_percpu_atomic_does_not_sleep),
	KUNIT_CASE(per_cpu_ptr_to_phys_finds_each_copy),
	{}
};

static struct kunit_suite mm_alloc_percpu_test_suite = {
	.name = "mm_alloc_percpu",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = mm_alloc_percpu_test_cases,
};

kunit_test_suite(mm_alloc_percpu_test_suite);

MODULE_DESCRIPTION("KUnit tests of the percpu allocator");
MODULE_LICENSE("GPL");
