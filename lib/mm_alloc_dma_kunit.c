// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what kmalloc and vmalloc memory look like to a device,
 * through the DMA API.
 *
 * kmalloc memory is physically contiguous, so one dma_map_single() covers
 * any buffer kmalloc serves: one bus address, one segment
 * (Documentation/core-api/dma-api-howto.rst, "What memory is DMA'able?").
 * vmalloc memory is only virtually contiguous: a device needs a scatterlist
 * of its pages, and sg_alloc_table_from_pages() squashes each physically
 * contiguous run of pages into one entry (lib/scatterlist.c kerneldoc), so
 * the segment count is the number of runs, whatever the virtual layout.
 *
 * The device is a root device with a 64-bit DMA mask and no IOMMU, so the
 * DMA API takes its direct path (kernel/dma/direct.c): a bus address is
 * phys_to_dma() of the physical address and entries are neither merged nor
 * split. That is what makes exact addresses and segment counts checkable.
 *
 * UML emulates DMA for virtio devices only, and its "physical" addresses
 * are offsets into a host file: the cases skip there.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "mm_alloc_counters.h"
#include "mm_alloc_kunit.h"

KUNIT_DEFINE_ACTION_WRAPPER(root_device_unregister_action,
			    root_device_unregister, struct device *);
KUNIT_DEFINE_ACTION_WRAPPER(kfree_action, kfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(dma_pool_destroy_action, dma_pool_destroy,
			    struct dma_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(vfree_action, vfree, const void *);

/*
 * A device that can reach all of memory (64-bit mask), registered under
 * @name; skips where DMA addresses would mean nothing. The caller
 * unregisters it.
 */
static struct device *dma_device_register(struct kunit *test, const char *name)
{
	struct device *dev;

	if (!IS_ENABLED(CONFIG_HAS_DMA))
		kunit_skip(test, "no DMA API on this architecture");
	if (IS_ENABLED(CONFIG_UML))
		kunit_skip(test, "UML: no DMA hardware, physical addresses are file offsets");

	dev = root_device_register(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	if (dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64))) {
		root_device_unregister(dev);
		KUNIT_FAIL_AND_ABORT(test, "no 64-bit DMA mask");
	}
	return dev;
}

/* dma_device_register(), unregistered when the case ends. */
static struct device *dma_test_device(struct kunit *test)
{
	struct device *dev = dma_device_register(test, "mm_alloc_dma_kunit");

	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  root_device_unregister_action,
						  dev), 0);
	return dev;
}

/* The number of physically contiguous runs among @n pages, in order. */
static unsigned int pfn_runs(struct page **pages, unsigned int n)
{
	unsigned int i, runs = 0;

	for (i = 0; i < n; i++)
		if (!i || page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			runs++;
	return runs;
}

struct mapped_table {
	struct device *dev;
	struct sg_table sgt;
	bool allocated, mapped;
};

static void mapped_table_release(void *ctx)
{
	struct mapped_table *t = ctx;

	if (t->mapped)
		dma_unmap_sgtable(t->dev, &t->sgt, DMA_TO_DEVICE, 0);
	if (t->allocated)
		sg_free_table(&t->sgt);
}

/*
 * Map @size bytes that start @offset bytes into @pages[0] as one
 * scatterlist, and check it against the pages' physical layout: one entry
 * and one DMA segment per physically contiguous run, each at the run's
 * physical address and exactly as long as the run. Returns the run count.
 */
static unsigned int expect_one_segment_per_run(struct kunit *test,
					       struct device *dev,
					       struct page **pages,
					       unsigned int n,
					       unsigned int offset,
					       size_t size)
{
	struct mapped_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	const size_t end = offset + size;
	unsigned int runs = pfn_runs(pages, n), first = 0, seg;
	struct scatterlist *sg;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = dev;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mapped_table_release, t),
			0);
	KUNIT_ASSERT_EQ(test, sg_alloc_table_from_pages(&t->sgt, pages, n,
							offset, size,
							GFP_KERNEL), 0);
	t->allocated = true;
	/* Contiguous pages are squashed into one entry (lib/scatterlist.c). */
	KUNIT_EXPECT_EQ(test, t->sgt.orig_nents, runs);

	KUNIT_ASSERT_EQ(test, dma_map_sgtable(dev, &t->sgt, DMA_TO_DEVICE, 0),
			0);
	t->mapped = true;
	/* The direct path maps entry by entry (kernel/dma/direct.c). */
	KUNIT_EXPECT_EQ(test, t->sgt.nents, runs);

	for_each_sgtable_dma_sg(&t->sgt, sg, seg) {
		unsigned int last = first;
		size_t from, to;

		if (first >= n)
			break;
		while (last + 1 < n && page_to_pfn(pages[last + 1]) ==
		       page_to_pfn(pages[last]) + 1)
			last++;
		from = max_t(size_t, (size_t)first * PAGE_SIZE, offset);
		to = min_t(size_t, (size_t)(last + 1) * PAGE_SIZE, end);
		KUNIT_EXPECT_EQ_MSG(test, sg_dma_address(sg),
				    phys_to_dma(dev, page_to_phys(pages[first]) +
						from % PAGE_SIZE),
				    "segment %u (pages %u..%u)", seg, first,
				    last);
		KUNIT_EXPECT_EQ_MSG(test, (size_t)sg_dma_len(sg), to - from,
				    "segment %u (pages %u..%u)", seg, first,
				    last);
		first = last + 1;
	}
	return runs;
}

/*
 * A kmalloc buffer of any size kmalloc serves maps for DMA as one segment:
 * dma_map_single() gives the bus address of its physical start, and the
 * scatterlist of its pages has a single entry (kmalloc memory is
 * physically contiguous: slab.h, kmalloc() kerneldoc).
 */
static void kmalloc_buffer_maps_as_one_segment(struct kunit *test)
{
	const size_t sizes[] = {
		1, 64, PAGE_SIZE + 1, 4 * PAGE_SIZE,
		KMALLOC_MAX_CACHE_SIZE + 1, KMALLOC_MAX_SIZE,
	};
	struct device *dev = dma_test_device(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		unsigned int offset, n, page;
		struct page **pages;
		dma_addr_t addr;
		u8 *buf;

		if (!mm_alloc_size_is_modest(size)) {
			kunit_info(test, "kmalloc(%zu) not checked: more than a sixteenth of RAM\n",
				   size);
			continue;
		}
		buf = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (!buf && get_order(size) > PAGE_ALLOC_COSTLY_ORDER) {
			kunit_info(test, "kmalloc(%zu) not checked: no free block of its order\n",
				   size);
			continue;
		}
		KUNIT_ASSERT_NOT_NULL_MSG(test, buf, "kmalloc(%zu)", size);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kfree_action,
								buf), 0);

		addr = dma_map_single(dev, buf, size, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, addr),
				       "dma_map_single(%zu bytes)", size);
		KUNIT_EXPECT_EQ_MSG(test, addr,
				    phys_to_dma(dev, virt_to_phys(buf)),
				    "dma_map_single(%zu bytes)", size);
		dma_unmap_single(dev, addr, size, DMA_TO_DEVICE);

		offset = offset_in_page(buf);
		n = DIV_ROUND_UP(offset + size, PAGE_SIZE);
		pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages);
		for (page = 0; page < n; page++)
			pages[page] = virt_to_page(buf - offset +
						   (size_t)page * PAGE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, expect_one_segment_per_run(test, dev,
								     pages, n,
								     offset,
								     size),
				    1, "kmalloc(%zu) spans %u pages", size, n);
	}
}

/*
 * Whether the DMA API bounces a kmalloc(@size) buffer mapped @dir for
 * @dev. With DMA_BOUNCE_UNALIGNED_KMALLOC (arm64 since 6.5) kmalloc aligns
 * only to ARCH_KMALLOC_MINALIGN, below ARCH_DMA_MINALIGN, so a small
 * buffer may share a cache line with another object. For a device that
 * does not snoop the CPU's caches, a mapping the device may write is then
 * bounced through swiotlb, unless the size is at least 2 *
 * ARCH_DMA_MINALIGN or its kmalloc class is a multiple of the cache line
 * (include/linux/dma-map-ops.h, dma_kmalloc_needs_bounce()).
 */
static bool kmalloc_bounce_expected(struct device *dev, size_t size,
				    enum dma_data_direction dir)
{
	if (!IS_ENABLED(CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC) ||
	    dev_is_dma_coherent(dev) || dir == DMA_TO_DEVICE)
		return false;
	return size < 2 * ARCH_DMA_MINALIGN &&
	       !IS_ALIGNED(kmalloc_size_roundup(size), dma_get_cache_alignment());
}

/*
 * Small kmalloc buffers map in place or through a bounce buffer, by the
 * rule above; a bounced mapping's bus address is a swiotlb slot that
 * holds the buffer's bytes (kernel/dma/swiotlb.c copies them at map time
 * in every direction), and an unbounced one is the buffer's own address.
 * On x86_64 every device is coherent and nothing is bounced.
 */
static void small_kmalloc_buffers_bounce_by_the_rule(struct kunit *test)
{
	const size_t sizes[] = { 8, 24, 64, ARCH_DMA_MINALIGN,
				 2 * ARCH_DMA_MINALIGN, PAGE_SIZE };
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct device *dev = dma_test_device(test);
	unsigned int s, d, bounced = 0;

	kunit_info(test, "ARCH_KMALLOC_MINALIGN %u, ARCH_DMA_MINALIGN %u, DMA cache alignment %d, device %scoherent\n",
		   (unsigned int)ARCH_KMALLOC_MINALIGN,
		   (unsigned int)ARCH_DMA_MINALIGN, dma_get_cache_alignment(),
		   dev_is_dma_coherent(dev) ? "" : "not ");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (d = 0; d < ARRAY_SIZE(dirs); d++) {
			size_t size = sizes[s];
			bool bounce = kmalloc_bounce_expected(dev, size, dirs[d]);
			u8 *buf = kmalloc(size, GFP_KERNEL);
			phys_addr_t seen;
			dma_addr_t addr;

			KUNIT_ASSERT_NOT_NULL(test, buf);
			memset(buf, 0x40 + s, size);
			addr = dma_map_single(dev, buf, size, dirs[d]);
			if (dma_mapping_error(dev, addr)) {
				KUNIT_FAIL(test, "kmalloc(%zu), direction %d: no mapping",
					   size, dirs[d]);
				kfree(buf);
				continue;
			}
			seen = dma_to_phys(dev, addr);
			KUNIT_EXPECT_EQ_MSG(test, seen != virt_to_phys(buf), bounce,
					    "kmalloc(%zu), direction %d: %s", size,
					    dirs[d], bounce ? "mapped in place" :
					    "bounced");
			if (seen != virt_to_phys(buf)) {
				bounced++;
				KUNIT_EXPECT_PTR_EQ_MSG(test,
							memchr_inv(phys_to_virt(seen),
								   0x40 + s, size),
							NULL,
							"kmalloc(%zu): the bounce buffer lacks its bytes",
							size);
			}
			dma_unmap_single(dev, addr, size, dirs[d]);
			kfree(buf);
		}
	}
	kunit_info(test, "%u of %zu mappings bounced\n", bounced,
		   ARRAY_SIZE(sizes) * ARRAY_SIZE(dirs));
}

struct page_run {
	struct page *page;
	unsigned int order;
};

struct scattered_pages {
	struct page_run runs[16];
	unsigned int nr_runs;
	struct page *pages[16];
	unsigned int nr;
	void *map;
};

static void scattered_pages_release(void *ctx)
{
	struct scattered_pages *s = ctx;

	if (s->map)
		vunmap(s->map);
	while (s->nr_runs) {
		s->nr_runs--;
		__free_pages(s->runs[s->nr_runs].page,
			     s->runs[s->nr_runs].order);
	}
}

/*
 * Append a block of 2^@order pages that does not continue the previous
 * page physically, so that it starts a run of its own. Blocks that would
 * continue it are kept aside (in @s, freed at the end) and another is
 * taken.
 */
static void add_separate_block(struct kunit *test, struct scattered_pages *s,
			       unsigned int order)
{
	unsigned int tries, i;

	for (tries = 0; tries < 4; tries++) {
		struct page *page;
		bool joins;

		KUNIT_ASSERT_LT(test, s->nr_runs, ARRAY_SIZE(s->runs));
		page = alloc_pages(GFP_KERNEL, order);
		KUNIT_ASSERT_NOT_NULL(test, page);
		s->runs[s->nr_runs].page = page;
		s->runs[s->nr_runs++].order = order;
		joins = s->nr && page_to_pfn(page) ==
			page_to_pfn(s->pages[s->nr - 1]) + 1;
		if (joins)
			continue;
		KUNIT_ASSERT_LE(test, s->nr + (1U << order),
				ARRAY_SIZE(s->pages));
		for (i = 0; i < (1U << order); i++)
			s->pages[s->nr++] = page + i;
		return;
	}
	KUNIT_FAIL(test, "every block continued the previous page");
}

/*
 * A vmap of physically scattered pages is one virtual range, but a device
 * needs one segment per physically contiguous run of it. The pages are
 * built on purpose (two 2-page blocks and two single pages, none of which
 * continues the one before), and found again from the virtual address
 * with vmalloc_to_page(), as a driver holding only the vmalloc address
 * would.
 */
static void scattered_vmap_needs_one_segment_per_run(struct kunit *test)
{
	const unsigned int orders[] = { 1, 0, 1, 0 };
	struct device *dev = dma_test_device(test);
	struct scattered_pages *s = kunit_kzalloc(test, sizeof(*s),
						  GFP_KERNEL);
	struct page **found;
	unsigned int i;
	u8 *v;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, scattered_pages_release,
						  s), 0);
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		add_separate_block(test, s, orders[i]);
	/* Each block is a run of its own, by construction. */
	KUNIT_ASSERT_EQ(test, pfn_runs(s->pages, s->nr), ARRAY_SIZE(orders));

	v = vmap(s->pages, s->nr, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	s->map = v;

	found = kunit_kcalloc(test, s->nr, sizeof(*found), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, found);
	for (i = 0; i < s->nr; i++) {
		found[i] = vmalloc_to_page(v + (size_t)i * PAGE_SIZE);
		KUNIT_EXPECT_PTR_EQ(test, found[i], s->pages[i]);
	}
	KUNIT_EXPECT_EQ(test, expect_one_segment_per_run(test, dev, found,
							 s->nr, 0,
							 (size_t)s->nr *
							 PAGE_SIZE),
			(unsigned int)ARRAY_SIZE(orders));
}

/*
 * A plain vmalloc buffer maps as one segment per physically contiguous
 * run of its pages. How many runs there are is not promised (the page
 * allocator may hand out neighbours): it is reported, not asserted.
 */
static void vmalloc_buffer_needs_one_segment_per_run(struct kunit *test)
{
	const size_t size = SZ_1M;
	struct device *dev = dma_test_device(test);
	const unsigned int n = size / PAGE_SIZE;
	struct page **pages;
	unsigned int i, runs;
	u8 *v = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vfree_action, v), 0);
	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++) {
		pages[i] = vmalloc_to_page(v + (size_t)i * PAGE_SIZE);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	runs = expect_one_segment_per_run(test, dev, pages, n, 0, size);
	kunit_info(test, "vmalloc(%zu): %u pages, %u contiguous runs, %u segments",
		   size, n, runs, runs);
}

struct pool_geometry {
	size_t size, align, boundary;
};

/*
 * Block sizes, alignments and boundaries a driver asks dma_pool_create()
 * for: sizes from a few bytes to more than a page, boundaries from none
 * (0) to a page; 200-byte blocks packed one after the other would cross
 * a 256-byte boundary.
 */
static const struct pool_geometry pool_geometries[] = {
	{ 24, 8, 0 }, { 64, 64, 0 }, { 100, 32, 256 }, { 200, 8, 256 },
	{ 1000, 16, 4096 }, { 3000, 128, 4096 }, { 4096, 4096, 0 },
	{ 5000, 8, 0 },
};

struct pool_blocks {
	struct dma_pool *pool;
	unsigned int nr;
	void *vaddr[256];
	dma_addr_t dma[256];
};

static void pool_blocks_free(struct pool_blocks *b)
{
	while (b->nr) {
		b->nr--;
		dma_pool_free(b->pool, b->vaddr[b->nr], b->dma[b->nr]);
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(pool_blocks_free_action, pool_blocks_free,
			    struct pool_blocks *);

/* @nr blocks from @pool, given back when the case ends (or by the caller). */
static struct pool_blocks *pool_blocks_alloc(struct kunit *test,
					     struct dma_pool *pool,
					     unsigned int nr, gfp_t gfp)
{
	struct pool_blocks *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_LE(test, nr, ARRAY_SIZE(b->vaddr));
	b->pool = pool;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pool_blocks_free_action,
							b), 0);
	for (; b->nr < nr; b->nr++) {
		b->vaddr[b->nr] = dma_pool_alloc(pool, gfp, &b->dma[b->nr]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, b->vaddr[b->nr], "block %u",
					  b->nr);
	}
	return b;
}

static int cmp_dma(const void *a, const void *b)
{
	dma_addr_t x = *(const dma_addr_t *)a, y = *(const dma_addr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * dma_pool_create() makes a pool of blocks of @size, aligned to @align and
 * never crossing a multiple of @boundary (kerneldoc); dma_pool_alloc()
 * returns a block's kernel address and reports its DMA address, which on
 * the direct path is the bus address of the same memory. Blocks do not
 * overlap, and a pool is destroyed with dma_pool_destroy() once every
 * block is back.
 */
static void dma_pool_blocks_keep_size_align_and_boundary(struct kunit *test)
{
	struct device *dev = dma_test_device(test);
	unsigned int g, i;

	for (g = 0; g < ARRAY_SIZE(pool_geometries); g++) {
		const struct pool_geometry *pg = &pool_geometries[g];
		struct dma_pool *pool;
		struct pool_blocks *b;
		dma_addr_t *sorted;

		pool = dma_pool_create("mm_alloc_dma_kunit", dev, pg->size,
				       pg->align, pg->boundary);
		KUNIT_ASSERT_NOT_NULL_MSG(test, pool, "size %zu", pg->size);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								dma_pool_destroy_action,
								pool), 0);
		/* several pages' worth, so that blocks meet page ends */
		b = pool_blocks_alloc(test, pool,
				      min_t(size_t, 256,
					    4 * PAGE_SIZE / pg->size + 2),
				      GFP_KERNEL);
		sorted = kunit_kmalloc_array(test, b->nr, sizeof(*sorted),
					     GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, sorted);
		for (i = 0; i < b->nr; i++) {
			dma_addr_t dma = b->dma[i];

			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(dma, pg->align) &&
					      IS_ALIGNED((unsigned long)b->vaddr[i],
							 pg->align),
					      "size %zu: block %u not %zu-aligned",
					      pg->size, i, pg->align);
			if (pg->boundary)
				KUNIT_EXPECT_EQ_MSG(test,
						    dma / pg->boundary,
						    (dma + pg->size - 1) / pg->boundary,
						    "size %zu: block %u crosses %zu",
						    pg->size, i, pg->boundary);
			KUNIT_EXPECT_EQ_MSG(test, dma,
					    phys_to_dma(dev, virt_to_phys(b->vaddr[i])),
					    "size %zu: block %u", pg->size, i);
			memset(b->vaddr[i], 0x5a, pg->size);
			sorted[i] = dma;
		}
		sort(sorted, b->nr, sizeof(*sorted), cmp_dma, NULL);
		for (i = 1; i < b->nr; i++)
			KUNIT_EXPECT_GE_MSG(test, sorted[i] - sorted[i - 1],
					    (dma_addr_t)pg->size,
					    "size %zu: blocks overlap", pg->size);
		pool_blocks_free(b);
		kunit_kfree(test, sorted);
	}
}

/*
 * dma_pool_zalloc() zeroes the block it returns (include/linux/dmapool.h),
 * also one that held data: a block freed is the next one handed out, and
 * is checked once it comes back.
 */
static void dma_pool_zalloc_zeroes_a_used_block(struct kunit *test)
{
	struct device *dev = dma_test_device(test);
	struct dma_pool *pool = dma_pool_create("mm_alloc_dma_kunit", dev, 200,
						8, 0);
	unsigned int try;
	dma_addr_t dma, again_dma;
	void *block, *again = NULL;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dma_pool_destroy_action,
							pool), 0);
	for (try = 0; try < 16 && !again; try++) {
		block = dma_pool_alloc(pool, GFP_KERNEL, &dma);
		KUNIT_ASSERT_NOT_NULL(test, block);
		memset(block, 0xd1, 200);
		dma_pool_free(pool, block, dma);
		again = dma_pool_zalloc(pool, GFP_KERNEL, &again_dma);
		KUNIT_ASSERT_NOT_NULL(test, again);
		if (again != block) {
			dma_pool_free(pool, again, again_dma);
			again = NULL;
		}
	}
	if (!again)
		kunit_skip(test, "the block freed never came back");
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(again, 0, 200), NULL);
	dma_pool_free(pool, again, again_dma);
}

/* Fill a pool with @nr page-sized blocks and give them back to it. */
static void dma_pool_grow(struct kunit *test, struct dma_pool *pool,
			  unsigned int nr)
{
	pool_blocks_free(pool_blocks_alloc(test, pool, nr, GFP_KERNEL));
}

#define MANAGED_POOL_BLOCKS 128

/*
 * A pool keeps the memory of the blocks given back until it is destroyed.
 * One made by dmam_pool_create() "is automatically destroyed on driver
 * detach", here when its device goes, and dmam_pool_destroy() destroys it
 * at once, after which the device's going destroys nothing twice. Counted
 * in free pages: the pool holds a page per block.
 */
static void dmam_pool_is_destroyed_with_its_device(struct kunit *test)
{
	long held = MANAGED_POOL_BLOCKS, kept;
	struct mm_alloc_counters before, grown, after;
	struct dma_pool *pool;
	struct device *dev;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		dev = dma_device_register(test, "mm_alloc_dma_kunit_managed");
		mm_alloc_read_counters(&before);
		pool = dmam_pool_create("mm_alloc_dma_kunit", dev, PAGE_SIZE,
					8, 0);
		if (!pool) {
			root_device_unregister(dev);
			KUNIT_FAIL_AND_ABORT(test, "dmam_pool_create()");
		}
		dma_pool_grow(test, pool, MANAGED_POOL_BLOCKS);
		mm_alloc_read_counters(&grown);
		if (round)
			dmam_pool_destroy(pool);
		root_device_unregister(dev);
		mm_alloc_read_counters(&after);

		kept = before.free_pages - grown.free_pages;
		KUNIT_EXPECT_GE_MSG(test, kept, held / 2,
				    "the pool kept %ld pages of %ld blocks",
				    kept, held);
		KUNIT_EXPECT_LE_MSG(test, abs(before.free_pages - after.free_pages),
				    held / 4, "%s left %ld pages out",
				    round ? "dmam_pool_destroy()" : "the device's going",
				    before.free_pages - after.free_pages);
	}
}

static struct kunit_case alloc_dma_test_cases[] = {
	KUNIT_CASE(kmalloc_buffer_maps_as_one_segment),
	KUNIT_CASE(small_kmalloc_buffers_bounce_by_the_rule),
	KUNIT_CASE(scattered_vmap_needs_one_segment_per_run),
	KUNIT_CASE(vmalloc_buffer_needs_one_segment_per_run),
	KUNIT_CASE(dma_pool_blocks_keep_size_align_and_boundary),
	KUNIT_CASE(dma_pool_zalloc_zeroes_a_used_block),
	KUNIT_CASE(dmam_pool_is_destroyed_with_its_device),
	{}
};

static struct kunit_suite alloc_dma_test_suite = {
	.name = "mm_alloc_dma",
	.suite_init = mm_alloc_suite_init,
	.suite_exit = mm_alloc_suite_exit,
	.init = mm_alloc_test_init,
	.exit = mm_alloc_test_exit,
	.test_cases = alloc_dma_test_cases,
};

kunit_test_suite(alloc_dma_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of kmalloc and vmalloc memory under the DMA API");
