// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IOVA side of the io_pagetable: the placement helpers,
 * IOVA allocation against reserved and allowed ranges (including ranges
 * that end at ULONG_MAX), the span walk and the range reporting.
 *
 * Each test builds a private io_pagetable with no domain, so nothing here
 * touches an IOMMU or pins memory.
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include "../io_pagetable.h"

/* iopt_fit_in_span() */

struct fit_case {
	const char *desc;
	unsigned long start, last, length, align, phase;
	bool fits;
	unsigned long iova;
};

static const struct fit_case fit_cases[] = {
	{ "exact span", 0x1000, 0x1fff, 0x1000, 0x1000, 0, true, 0x1000 },
	{ "aligned up", 0x1001, 0x3fff, 0x1000, 0x1000, 0, true, 0x2000 },
	{ "too small after align", 0x1001, 0x2ffe, 0x1000, 0x1000, 0, false },
	{ "phase kept", 0x0, 0xffff, 0x800, 0x1000, 0x800, true, 0x800 },
	{ "phase after start", 0x900, 0xffff, 0x800, 0x1000, 0x800, true,
	  0x1800 },
	{ "ends at ULONG_MAX", ULONG_MAX - 0xfff, ULONG_MAX, 0x1000, 0x1000, 0,
	  true, ULONG_MAX - 0xfff },
	{ "align up wraps", ULONG_MAX - 0x7ff8, ULONG_MAX, 0x5000, 0x8000, 0,
	  false },
	{ "whole space", 0, ULONG_MAX, ULONG_MAX, 1, 0, true, 0 },
	{ "length one at top", ULONG_MAX, ULONG_MAX, 1, 1, 0, true, ULONG_MAX },
	{ "huge alignment", 0x1000, ULONG_MAX, 0x1000, 1UL << 63, 0, true,
	  1UL << 63 },
	{ "huge alignment wraps", (1UL << 63) + 1, ULONG_MAX, 0x1000,
	  1UL << 63, 0, false },
};

static void fit_desc(const struct fit_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fit, fit_cases, fit_desc);

static void iova_fit_in_span(struct kunit *test)
{
	const struct fit_case *c = test->param_value;
	unsigned long iova = 0xdead;
	bool fits;

	fits = iopt_fit_in_span(c->start, c->last, c->length, c->align,
				c->phase, &iova);
	KUNIT_EXPECT_EQ(test, fits, c->fits);
	if (c->fits)
		KUNIT_EXPECT_EQ(test, iova, c->iova);
	else
		KUNIT_EXPECT_EQ(test, iova, 0xdeadUL);
}

/* iopt_pick_alignment() */

struct align_case {
	const char *desc;
	unsigned long addr, length, min_align, align;
};

static const struct align_case align_cases[] = {
	{ "small map of huge page", SZ_2M, PAGE_SIZE, 1, PAGE_SIZE },
	{ "huge map of huge page", SZ_2M, SZ_2M, 1, SZ_2M },
	{ "huge map of small page", SZ_2M + PAGE_SIZE, SZ_2M, 1, PAGE_SIZE },
	{ "odd length rounds up", SZ_1G, 3 * PAGE_SIZE, 1, 4 * PAGE_SIZE },
	{ "unknown address", 0, SZ_1M, 1, SZ_1M },
	{ "sub page offset", SZ_2M + 0x800, SZ_1M, 1, PAGE_SIZE },
	{ "domain minimum wins", SZ_2M, PAGE_SIZE, SZ_64K, SZ_64K },
	{ "byte length", 0x1234, 1, 1, PAGE_SIZE },
	{ "length beyond 2^63", 0, ULONG_MAX, 1, 1UL << 63 },
};

static void align_desc(const struct align_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(align, align_cases, align_desc);

static void iova_pick_alignment(struct kunit *test)
{
	const struct align_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test,
			iopt_pick_alignment(c->addr, c->length, c->min_align),
			c->align);
}

/* A private, domain-less io_pagetable freed by a KUnit action */

static void iova_free_iopt(void *data)
{
	iopt_destroy_table(data);
}

static struct io_pagetable *iova_new_iopt(struct kunit *test)
{
	struct io_pagetable *iopt;

	iopt = kunit_kzalloc(test, sizeof(*iopt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iopt);
	iopt_init_table(iopt);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, iova_free_iopt, iopt),
			0);
	return iopt;
}

static int iova_alloc(struct io_pagetable *iopt, unsigned long *iova,
		      unsigned long addr, unsigned long length)
{
	int rc;

	down_write(&iopt->iova_rwsem);
	rc = iopt_alloc_iova(iopt, iova, addr, length);
	up_write(&iopt->iova_rwsem);
	return rc;
}

static void iova_alloc_empty(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	unsigned long iova = 1;

	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, iova, 0UL);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, 0), -EINVAL);
}

static void iova_alloc_avoids_reserved(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	unsigned long iova;

	KUNIT_ASSERT_EQ(test, iopt_reserve_iova(iopt, 0, SZ_1M - 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, iova, (unsigned long)SZ_1M);

	/* A 2M map of a 2M aligned buffer skips to the next 2M boundary */
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, iova, (unsigned long)SZ_2M);
}

/* semantics-new.md 2.11: an aligned-up candidate that wraps is rejected */
static void iova_alloc_no_wrap(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	unsigned long iova;

	KUNIT_ASSERT_EQ(test,
			iopt_reserve_iova(iopt, 6, 0xffffffffffff8006UL, NULL),
			0);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, 0x5000),
			-ENOSPC);
	/* The top window still serves something that fits it */
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, PAGE_SIZE), 0);
	KUNIT_EXPECT_GT(test, iova, 0xffffffffffff8006UL);
	KUNIT_EXPECT_EQ(test, iova % PAGE_SIZE, 0UL);
}

static void iova_alloc_top_of_space(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	unsigned long iova;

	KUNIT_ASSERT_EQ(test,
			iopt_reserve_iova(iopt, 0, ULONG_MAX - SZ_64K + 1, NULL),
			0);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_64K, SZ_64K),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_32K, SZ_32K), 0);
	KUNIT_EXPECT_EQ(test, iova, ULONG_MAX - SZ_32K + 1);
}

static void iova_alloc_allowed(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	struct iommu_iova_range ranges[] = {
		{ .start = SZ_16M, .last = SZ_16M + SZ_1M - 1 },
		{ .start = SZ_1M, .last = SZ_1M + PAGE_SIZE - 1 },
	};
	unsigned long iova;

	KUNIT_ASSERT_EQ(test, iopt_set_allow_iova(iopt, ranges, 2), 0);
	/* The small range comes first in IOVA order */
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, iova, (unsigned long)SZ_1M);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, SZ_64K), 0);
	KUNIT_EXPECT_EQ(test, iova, (unsigned long)SZ_16M);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, SZ_2M), -ENOSPC);

	/* Clearing the list allows everything again */
	KUNIT_ASSERT_EQ(test, iopt_set_allow_iova(iopt, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, SZ_2M), 0);
}

static void iova_allowed_rules(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	struct iommu_iova_range bad[] = {
		{ .start = 0x2000, .last = 0x1000 },
	};
	struct iommu_iova_range overlap[] = {
		{ .start = 0x1000, .last = 0x2fff },
		{ .start = 0x2000, .last = 0x3fff },
	};
	struct iommu_iova_range touching[] = {
		{ .start = 0x2000, .last = 0x3fff },
		{ .start = 0x1000, .last = 0x1fff },
	};
	struct iommu_iova_range ok[] = {
		{ .start = 0x10000, .last = 0x1ffff },
	};
	unsigned long iova;

	KUNIT_EXPECT_EQ(test, iopt_set_allow_iova(iopt, bad, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, iopt_set_allow_iova(iopt, overlap, 2), -EINVAL);
	/* Touching ranges allocate from their union */
	KUNIT_ASSERT_EQ(test, iopt_set_allow_iova(iopt, touching, 2), 0);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, 0x1000, 0x3000), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x1000UL);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, 0x1000, 0x4000),
			-ENOSPC);
	KUNIT_ASSERT_EQ(test, iopt_set_allow_iova(iopt, NULL, 0), 0);

	KUNIT_ASSERT_EQ(test, iopt_reserve_iova(iopt, 0x18000, 0x18fff, NULL),
			0);
	KUNIT_EXPECT_EQ(test, iopt_set_allow_iova(iopt, ok, 1), -EADDRINUSE);
	iopt_remove_reserved_iova(iopt, NULL);
	KUNIT_EXPECT_EQ(test, iopt_set_allow_iova(iopt, ok, 1), 0);
	KUNIT_EXPECT_EQ(test, iopt_reserve_iova(iopt, 0x18000, 0x18fff, NULL),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, iopt_reserve_iova(iopt, 0x20000, 0x20fff, NULL),
			0);
	KUNIT_EXPECT_EQ(test, iopt_reserve_iova(iopt, 2, 1, NULL), -EINVAL);
}

static void iova_reserved_owners(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	struct iommu_iova_range ranges[4];
	int owner_a, owner_b;
	u32 num;

	KUNIT_ASSERT_EQ(test, iopt_reserve_iova(iopt, 0x1000, 0x1fff, &owner_a),
			0);
	KUNIT_ASSERT_EQ(test, iopt_reserve_iova(iopt, 0x1800, 0x2fff, &owner_b),
			0);
	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, ranges, 4, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_EXPECT_EQ(test, ranges[0].last, 0xfffULL);
	KUNIT_EXPECT_EQ(test, ranges[1].start, 0x3000ULL);

	iopt_remove_reserved_iova(iopt, &owner_b);
	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, ranges, 4, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_EXPECT_EQ(test, ranges[1].start, 0x2000ULL);
	iopt_remove_reserved_iova(iopt, &owner_a);
}

static void iova_ranges_report(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	struct iommu_iova_range ranges[2] = {};
	u32 num;

	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, ranges, 2, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 1U);
	KUNIT_EXPECT_EQ(test, ranges[0].start, 0ULL);
	KUNIT_EXPECT_EQ(test, ranges[0].last, (u64)ULONG_MAX);

	KUNIT_ASSERT_EQ(test,
			iopt_reserve_iova(iopt, ULONG_MAX - 0xfff, ULONG_MAX,
					  NULL),
			0);
	KUNIT_ASSERT_EQ(test, iopt_reserve_iova(iopt, 0x1000, 0x1fff, NULL),
			0);
	memset(ranges, 0, sizeof(ranges));
	/* Room for one: the count is still complete */
	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, ranges, 1, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_EXPECT_EQ(test, ranges[0].last, 0xfffULL);
	KUNIT_EXPECT_EQ(test, ranges[1].last, 0ULL);
	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, NULL, 0, &num), 0);
	KUNIT_EXPECT_EQ(test, num, 2U);
	KUNIT_ASSERT_EQ(test, iopt_get_iova_ranges(iopt, ranges, 2, &num), 0);
	KUNIT_EXPECT_EQ(test, ranges[1].start, 0x2000ULL);
	KUNIT_EXPECT_EQ(test, ranges[1].last, (u64)ULONG_MAX - 0x1000);
}

static void iova_default_alignment(struct kunit *test)
{
	struct io_pagetable *iopt = iova_new_iopt(test);
	unsigned long iova;

	KUNIT_EXPECT_EQ(test, iopt_get_iova_alignment(iopt), 1UL);
	/* Byte granular lengths are fine without a domain */
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M + 3, 5), 0);
	KUNIT_EXPECT_EQ(test, iova % PAGE_SIZE, 3UL);
	KUNIT_EXPECT_EQ(test, iopt_disable_large_pages(iopt), 0);
	KUNIT_EXPECT_EQ(test, iopt_get_iova_alignment(iopt), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, iova_alloc(iopt, &iova, SZ_2M + 0x800,
					 PAGE_SIZE),
			-EINVAL);
	iopt_enable_large_pages(iopt);
	KUNIT_EXPECT_EQ(test, iopt_get_iova_alignment(iopt), 1UL);
}

/* iopt_span_get() on hand-built trees */

static void iova_span_insert(struct kunit *test, struct rb_root_cached *root,
			     unsigned long start, unsigned long last)
{
	struct interval_tree_node *node;

	node = kunit_kzalloc(test, sizeof(*node), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, node);
	node->start = start;
	node->last = last;
	interval_tree_insert(node, root);
}

static void iova_span_walk(struct kunit *test)
{
	struct rb_root_cached a = RB_ROOT_CACHED, b = RB_ROOT_CACHED;
	struct rb_root_cached *trees[] = { &a, &b };
	static const struct {
		unsigned long start, last;
		int tree;
	} want[] = {
		{ 0, 9, -1 }, { 10, 14, 1 }, { 15, 20, 0 }, { 21, 29, 1 },
		{ 30, 39, -1 }, { 40, ULONG_MAX, 1 },
	};
	unsigned long pos = 0;
	unsigned int i;

	iova_span_insert(test, &a, 15, 20);
	iova_span_insert(test, &b, 10, 29);
	iova_span_insert(test, &b, 40, ULONG_MAX);

	for (i = 0; i != ARRAY_SIZE(want); i++) {
		struct iopt_span span;

		iopt_span_get(trees, 2, pos, ULONG_MAX, &span);
		KUNIT_EXPECT_EQ(test, span.start, want[i].start);
		KUNIT_EXPECT_EQ(test, span.last, want[i].last);
		KUNIT_EXPECT_EQ(test, span.tree, want[i].tree);
		if (span.last == ULONG_MAX)
			break;
		pos = span.last + 1;
	}
	KUNIT_EXPECT_EQ(test, i, (unsigned int)ARRAY_SIZE(want) - 1);
}

static void iova_span_clipped(struct kunit *test)
{
	struct rb_root_cached a = RB_ROOT_CACHED;
	struct rb_root_cached *trees[] = { &a };
	struct iopt_span span;

	iova_span_insert(test, &a, 5, 100);
	iopt_span_get(trees, 1, 50, 60, &span);
	KUNIT_EXPECT_EQ(test, span.tree, 0);
	KUNIT_EXPECT_EQ(test, span.last, 60UL);
	iopt_span_get(trees, 1, 0, 3, &span);
	KUNIT_EXPECT_EQ(test, span.tree, -1);
	KUNIT_EXPECT_EQ(test, span.last, 3UL);
	iopt_span_get(trees, 0, 7, 9, &span);
	KUNIT_EXPECT_EQ(test, span.tree, -1);
	KUNIT_EXPECT_EQ(test, span.last, 9UL);
}

static struct kunit_case iommufd_iova_cases[] = {
	KUNIT_CASE_PARAM(iova_fit_in_span, fit_gen_params),
	KUNIT_CASE_PARAM(iova_pick_alignment, align_gen_params),
	KUNIT_CASE(iova_alloc_empty),
	KUNIT_CASE(iova_alloc_avoids_reserved),
	KUNIT_CASE(iova_alloc_no_wrap),
	KUNIT_CASE(iova_alloc_top_of_space),
	KUNIT_CASE(iova_alloc_allowed),
	KUNIT_CASE(iova_allowed_rules),
	KUNIT_CASE(iova_reserved_owners),
	KUNIT_CASE(iova_ranges_report),
	KUNIT_CASE(iova_default_alignment),
	KUNIT_CASE(iova_span_walk),
	KUNIT_CASE(iova_span_clipped),
	{}
};

static struct kunit_suite iommufd_iova_suite = {
	.name = "iommufd_iova",
	.test_cases = iommufd_iova_cases,
};

kunit_test_suite(iommufd_iova_suite);
