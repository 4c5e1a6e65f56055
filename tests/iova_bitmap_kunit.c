// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for iova_bitmap: the size and overflow guards of
 * iova_bitmap_alloc(), and walks over user memory checking that every
 * window reports a contiguous span and that ranges straddling two windows
 * or sticking out of the bitmap set exactly the right bits.
 *
 * The bitmap lives in memory from kunit_vm_mmap(), so the walks pin real
 * user pages the way IOMMU_HWPT_GET_DIRTY_BITMAP does.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/iova_bitmap.h>
#include <linux/mman.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/* Bits in the windows the walk pins: one page of page pointers */
#define WINDOW_BITS (PAGE_SIZE / sizeof(void *) * PAGE_SIZE * BITS_PER_BYTE)

struct alloc_case {
	const char *desc;
	unsigned long iova;
	size_t length;
	unsigned long page_size;
	unsigned long data;
	int err;
};

static const struct alloc_case alloc_cases[] = {
	{ "zero length", 0, 0, SZ_4K, 0x10000, -EINVAL },
	{ "zero granule", 0, SZ_4K, 0, 0x10000, -EINVAL },
	{ "granule not a power of two", 0, SZ_64K, 3 * SZ_4K, 0x10000,
	  -EINVAL },
	{ "range wraps", ULONG_MAX - SZ_4K + 2, SZ_4K, SZ_4K, 0x10000,
	  -EOVERFLOW },
	{ "buffer wraps", 0, ULONG_MAX, 1, ULONG_MAX - 100, -EOVERFLOW },
	{ "granule 2^63 over the whole space", 0, ULONG_MAX, 1UL << 63,
	  0x10000, 0 },
	{ "granule 2^63 at the top", 1UL << 63, 1UL << 63, 1UL << 63, 0x10000,
	  0 },
	{ "granule 2^63 wraps", 1UL << 63, (1UL << 63) + 1, 1UL << 63,
	  0x10000, -EOVERFLOW },
	{ "range ends at ULONG_MAX", ULONG_MAX - SZ_4K + 1, SZ_4K, SZ_4K,
	  0x10000, 0 },
};

static void alloc_desc(const struct alloc_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alloc, alloc_cases, alloc_desc);

/* Allocation validates without touching the user buffer */
static void iova_bitmap_alloc_guards(struct kunit *test)
{
	const struct alloc_case *c = test->param_value;
	struct iova_bitmap *bitmap;

	bitmap = iova_bitmap_alloc(c->iova, c->length, c->page_size,
				   (u64 __user *)c->data);
	if (c->err) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bitmap), (long)c->err);
		return;
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(bitmap));
	iova_bitmap_free(bitmap);
}

struct walk {
	struct kunit *test;
	unsigned long iova;
	unsigned long last;
	unsigned long page_size;
	unsigned long next;	/* where the next window must start */
	unsigned int windows;
	bool straddle;		/* mark each window's last and first granule */
};

static int walk_fn(struct iova_bitmap *bitmap, unsigned long iova,
		   size_t length, void *opaque)
{
	struct walk *w = opaque;
	unsigned long last = iova + (length - 1);

	KUNIT_EXPECT_EQ(w->test, iova, w->next);
	KUNIT_EXPECT_LE(w->test, last, w->last);
	w->next = last + 1;
	w->windows++;

	if (!w->straddle) {
		/* The whole window, and beyond both ends */
		iova_bitmap_set(bitmap, iova - w->page_size,
				length + 2 * w->page_size);
		return 0;
	}
	iova_bitmap_set(bitmap, iova, 1);
	/* Runs one granule into the next window, or off the end */
	iova_bitmap_set(bitmap, last, 1 + w->page_size);
	return 0;
}

/* Copy the user bitmap back; @nbits bits starting at byte offset @off */
static unsigned long *read_bitmap(struct kunit *test, unsigned long uaddr,
				  unsigned long nbits)
{
	size_t bytes = BITS_TO_LONGS(nbits) * sizeof(long);
	unsigned long *bits;

	bits = vzalloc(bytes);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	KUNIT_ASSERT_EQ(test, copy_from_user(bits, (void __user *)uaddr,
					     DIV_ROUND_UP(nbits, BITS_PER_BYTE)),
			0);
	/* Bits past @nbits in the last byte are not ours to judge */
	if (nbits % BITS_PER_LONG)
		bits[nbits / BITS_PER_LONG] &= BITMAP_LAST_WORD_MASK(nbits);
	return bits;
}

static unsigned long map_user(struct kunit *test, size_t bytes)
{
	unsigned long uaddr;

	uaddr = kunit_vm_mmap(test, NULL, 0, bytes, PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, uaddr, 0UL, "no user memory");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(uaddr));
	return uaddr;
}

/* Three and a bit windows, from an odd byte offset of the user buffer */
static void iova_bitmap_walk_windows(struct kunit *test)
{
	const unsigned long nbits = 3 * WINDOW_BITS + 1234;
	const unsigned long off = 0x801;
	struct walk w = {
		.test = test,
		.iova = SZ_1G,
		.page_size = SZ_4K,
		.straddle = true,
	};
	struct iova_bitmap *bitmap;
	unsigned long *bits, uaddr, bit;
	unsigned long set = 0;
	int rc;

	w.last = w.iova + nbits * w.page_size - 1;
	w.next = w.iova;
	uaddr = map_user(test, off + DIV_ROUND_UP(nbits, BITS_PER_BYTE));

	bitmap = iova_bitmap_alloc(w.iova, nbits * w.page_size, w.page_size,
				   (u64 __user *)(uaddr + off));
	KUNIT_ASSERT_FALSE(test, IS_ERR(bitmap));
	rc = iova_bitmap_for_each(bitmap, &w, walk_fn);
	iova_bitmap_free(bitmap);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, w.next, w.last + 1);
	KUNIT_EXPECT_GE(test, w.windows, 4U);

	/*
	 * Each window's first and last bit is set and nothing else: the run
	 * into the next window lands on that window's first bit.
	 */
	bits = read_bitmap(test, uaddr + off, nbits);
	for_each_set_bit(bit, bits, nbits) {
		bool edge = !bit || bit == nbits - 1 ||
			    test_bit(bit - 1, bits) || test_bit(bit + 1, bits);

		KUNIT_EXPECT_TRUE_MSG(test, edge, "stray bit %lu", bit);
		set++;
	}
	KUNIT_EXPECT_EQ(test, set, 2UL * w.windows);
	vfree(bits);
}

/* Ranges outside the bitmap are clipped, never written past its end */
static void iova_bitmap_walk_clips(struct kunit *test)
{
	const unsigned long nbits = 77;
	struct walk w = {
		.test = test,
		.iova = SZ_2M,
		.page_size = SZ_2M,
	};
	struct iova_bitmap *bitmap;
	unsigned long *bits, uaddr;
	u8 tail;
	int rc;

	w.last = w.iova + nbits * w.page_size - 1;
	w.next = w.iova;
	uaddr = map_user(test, PAGE_SIZE);

	bitmap = iova_bitmap_alloc(w.iova, nbits * w.page_size, w.page_size,
				   (u64 __user *)uaddr);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bitmap));
	rc = iova_bitmap_for_each(bitmap, &w, walk_fn);
	iova_bitmap_free(bitmap);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, w.windows, 1U);

	bits = read_bitmap(test, uaddr, nbits);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits, nbits), nbits);
	vfree(bits);
	/* The rest of the last byte and the next byte stay clear */
	KUNIT_ASSERT_EQ(test, copy_from_user(&tail, (void __user *)uaddr +
					     nbits / BITS_PER_BYTE, 1), 0);
	KUNIT_EXPECT_EQ(test, tail >> (nbits % BITS_PER_BYTE), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&tail, (void __user *)uaddr +
					     nbits / BITS_PER_BYTE + 1, 1), 0);
	KUNIT_EXPECT_EQ(test, tail, 0);
}

/* A 2^63 granule over the whole space: one window, two bits */
static void iova_bitmap_walk_huge_granule(struct kunit *test)
{
	struct walk w = {
		.test = test,
		.iova = 0,
		.last = ULONG_MAX - 1,
		.page_size = 1UL << 63,
		.straddle = true,
	};
	struct iova_bitmap *bitmap;
	unsigned long uaddr;
	u8 byte;
	int rc;

	uaddr = map_user(test, PAGE_SIZE);
	bitmap = iova_bitmap_alloc(0, ULONG_MAX, 1UL << 63,
				   (u64 __user *)uaddr);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bitmap));
	rc = iova_bitmap_for_each(bitmap, &w, walk_fn);
	iova_bitmap_free(bitmap);
	KUNIT_ASSERT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, w.windows, 1U);
	KUNIT_ASSERT_EQ(test, copy_from_user(&byte, (void __user *)uaddr, 1),
			0);
	KUNIT_EXPECT_EQ(test, byte, 3);
}

/* A bad user pointer fails the walk with -EFAULT */
static void iova_bitmap_walk_efault(struct kunit *test)
{
	struct walk w = { .test = test, .page_size = SZ_4K };
	struct iova_bitmap *bitmap;
	int rc;

	/* Pinning needs an mm even to fail; this gives the test thread one */
	map_user(test, PAGE_SIZE);

	bitmap = iova_bitmap_alloc(0, SZ_1M, SZ_4K, (u64 __user *)8);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bitmap));
	rc = iova_bitmap_for_each(bitmap, &w, walk_fn);
	iova_bitmap_free(bitmap);
	KUNIT_EXPECT_EQ(test, rc, -EFAULT);
	KUNIT_EXPECT_EQ(test, w.windows, 0U);
}

static struct kunit_case iova_bitmap_cases[] = {
	KUNIT_CASE_PARAM(iova_bitmap_alloc_guards, alloc_gen_params),
	KUNIT_CASE(iova_bitmap_walk_windows),
	KUNIT_CASE(iova_bitmap_walk_clips),
	KUNIT_CASE(iova_bitmap_walk_huge_granule),
	KUNIT_CASE(iova_bitmap_walk_efault),
	{}
};

static struct kunit_suite iommufd_iova_bitmap_suite = {
	.name = "iommufd_iova_bitmap",
	.test_cases = iova_bitmap_cases,
};

kunit_test_suite(iommufd_iova_bitmap_suite);
