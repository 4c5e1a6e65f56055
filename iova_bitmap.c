// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bitmap of dirty IOVA, living in user memory.
 *
 * A caller describes an IOVA range [iova, iova + length) and a granule
 * (page_size, a power of two). Bit N of the user buffer stands for the
 * granule [iova + N * page_size, iova + (N + 1) * page_size). The user buffer
 * is a byte array in the layout of a little-endian u64 bitmap and need not be
 * aligned to anything.
 *
 * The user buffer can be far larger than what we want to pin at once (one bit
 * per 4KiB of a 64TiB guest is 2GiB of bitmap), so iova_bitmap_for_each()
 * walks it in windows: it pins at most one page worth of page pointers of
 * the buffer, hands the IOVA span that those bits describe to a callback, and
 * moves on. The callback reports dirty ranges with iova_bitmap_set(), which
 * writes the bits through a temporary kernel mapping of the pinned page.
 *
 * Units: bit indexes are relative to the first granule of the whole range;
 * "last" values are inclusive. All IOVA arithmetic is done on offsets from the
 * start of the range so that a range ending at ULONG_MAX and a granule of
 * 2^63 cannot wrap.
 */
#include <linux/highmem.h>
#include <linux/iova_bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/* Bits held by one page of the user buffer */
#define IOVA_BITMAP_BITS_PER_PAGE (PAGE_SIZE * BITS_PER_BYTE)

/*
 * struct iova_bitmap - state of one dirty bitmap walk
 * @iova: first IOVA of the range
 * @last_off: offset of the last IOVA of the range from @iova
 * @pgshift: log2 of the granule
 * @last_bit: index of the bit of the last granule
 * @data: start of the user buffer
 * @pages: pinned pages of the user buffer covering the current window
 * @max_pages: capacity of @pages
 * @npinned: number of valid entries in @pages
 * @win_first: index of the first bit of the current window
 * @win_nbits: number of bits in the current window, 0 when none is pinned
 * @win_bitoff: bit offset of @win_first inside @pages[0]
 * @ahead_first: first bit set beyond the current window, to be applied when
 *	the walk reaches it
 * @ahead_last: last such bit; @ahead_first > @ahead_last means none
 */
struct iova_bitmap {
	unsigned long iova;
	unsigned long last_off;
	unsigned int pgshift;
	unsigned long last_bit;
	u8 __user *data;

	struct page **pages;
	unsigned long max_pages;
	unsigned long npinned;

	unsigned long win_first;
	unsigned long win_nbits;
	unsigned long win_bitoff;

	unsigned long ahead_first;
	unsigned long ahead_last;
};

/**
 * iova_bitmap_alloc() - Describe a user dirty bitmap for an IOVA range
 * @iova: first IOVA of the range
 * @length: length of the range in bytes, nonzero
 * @page_size: bytes per bit, a power of two
 * @data: user pointer to the bitmap, one bit per @page_size
 *
 * Nothing is pinned yet; iova_bitmap_for_each() does that window by window.
 *
 * Context: Process context, may sleep.
 * Return: The new bitmap, or an ERR_PTR: -EINVAL for a zero length or a
 * granule that is not a power of two, -EOVERFLOW when the IOVA range or the
 * user buffer wraps, -ENOMEM.
 */
struct iova_bitmap *iova_bitmap_alloc(unsigned long iova, size_t length,
				      unsigned long page_size,
				      u64 __user *data)
{
	unsigned long last_byte;
	struct iova_bitmap *bitmap;

	if (!length || !page_size || !is_power_of_2(page_size))
		return ERR_PTR(-EINVAL);
	if (iova + (length - 1) < iova)
		return ERR_PTR(-EOVERFLOW);

	bitmap = kzalloc(sizeof(*bitmap), GFP_KERNEL);
	if (!bitmap)
		return ERR_PTR(-ENOMEM);

	bitmap->iova = iova;
	bitmap->last_off = length - 1;
	bitmap->pgshift = __ffs(page_size);
	bitmap->last_bit = bitmap->last_off >> bitmap->pgshift;
	bitmap->data = (u8 __user *)data;
	bitmap->ahead_first = 1;

	/* The byte holding the last bit must not be past the address space */
	last_byte = bitmap->last_bit / BITS_PER_BYTE;
	if ((unsigned long)data + last_byte < (unsigned long)data) {
		kfree(bitmap);
		return ERR_PTR(-EOVERFLOW);
	}

	bitmap->pages = (struct page **)__get_free_page(GFP_KERNEL);
	if (!bitmap->pages) {
		kfree(bitmap);
		return ERR_PTR(-ENOMEM);
	}
	bitmap->max_pages = PAGE_SIZE / sizeof(*bitmap->pages);
	return bitmap;
}
EXPORT_SYMBOL_NS_GPL(iova_bitmap_alloc, IOMMUFD);

static void iova_bitmap_unpin(struct iova_bitmap *bitmap)
{
	if (bitmap->npinned)
		unpin_user_pages_dirty_lock(bitmap->pages, bitmap->npinned,
					    true);
	bitmap->npinned = 0;
	bitmap->win_nbits = 0;
}

/**
 * iova_bitmap_free() - Release a bitmap from iova_bitmap_alloc()
 * @bitmap: the bitmap
 *
 * Context: Process context, may sleep.
 */
void iova_bitmap_free(struct iova_bitmap *bitmap)
{
	iova_bitmap_unpin(bitmap);
	free_page((unsigned long)bitmap->pages);
	kfree(bitmap);
}
EXPORT_SYMBOL_NS_GPL(iova_bitmap_free, IOMMUFD);

/* Set window-relative bits [first, last] through kmap of the pinned pages */
static void iova_bitmap_fill(struct iova_bitmap *bitmap, unsigned long first,
			     unsigned long last)
{
	unsigned long pos = bitmap->win_bitoff + first;
	unsigned long end = bitmap->win_bitoff + last;

	while (pos <= end) {
		unsigned long idx = pos / IOVA_BITMAP_BITS_PER_PAGE;
		unsigned long bit = pos % IOVA_BITMAP_BITS_PER_PAGE;
		unsigned long n = min(end - pos + 1,
				      IOVA_BITMAP_BITS_PER_PAGE - bit);
		void *kaddr;

		kaddr = kmap_local_page(bitmap->pages[idx]);
		bitmap_set(kaddr, bit, n);
		kunmap_local(kaddr);
		pos += n;
	}
}

/*
 * Set absolute bits [first, last]: the part inside the window now, the part
 * beyond it once the walk gets there. Bits before the window belong to a
 * window the callback has already finished with and are dropped.
 */
static void iova_bitmap_set_bits(struct iova_bitmap *bitmap,
				 unsigned long first, unsigned long last)
{
	unsigned long win_last = bitmap->win_first + bitmap->win_nbits - 1;

	if (last > win_last) {
		unsigned long from = max(first, win_last + 1);

		if (bitmap->ahead_first > bitmap->ahead_last) {
			bitmap->ahead_first = from;
			bitmap->ahead_last = last;
		} else {
			bitmap->ahead_first = min(bitmap->ahead_first, from);
			bitmap->ahead_last = max(bitmap->ahead_last, last);
		}
		last = win_last;
	}
	if (first < bitmap->win_first)
		first = bitmap->win_first;
	if (first > last)
		return;
	iova_bitmap_fill(bitmap, first - bitmap->win_first,
			 last - bitmap->win_first);
}

/**
 * iova_bitmap_set() - Mark an IOVA range dirty
 * @bitmap: the bitmap being walked
 * @iova: first dirty IOVA
 * @length: dirty bytes from @iova
 *
 * Only meaningful from the callback of iova_bitmap_for_each(). Every granule
 * touched by the range is marked. The parts outside the bitmap's range are
 * ignored; the part past the current window is remembered and written when
 * the walk reaches it, so a large IOPTE straddling two windows is reported
 * whole.
 *
 * Context: Any context; does not sleep.
 */
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova,
		     size_t length)
{
	unsigned long start_off, last_off;

	if (!length || !bitmap->win_nbits)
		return;

	/* Clip [iova, iova + length - 1] to the range, without wrapping */
	if (iova < bitmap->iova) {
		if (length - 1 < bitmap->iova - iova)
			return;
		length -= bitmap->iova - iova;
		iova = bitmap->iova;
	}
	start_off = iova - bitmap->iova;
	if (start_off > bitmap->last_off)
		return;
	if (length - 1 > bitmap->last_off - start_off)
		last_off = bitmap->last_off;
	else
		last_off = start_off + (length - 1);

	iova_bitmap_set_bits(bitmap, start_off >> bitmap->pgshift,
			     last_off >> bitmap->pgshift);
}
EXPORT_SYMBOL_NS_GPL(iova_bitmap_set, IOMMUFD);

/* Pin the user bytes holding bits from @first onwards and make them the window */
static int iova_bitmap_pin_window(struct iova_bitmap *bitmap,
				  unsigned long first)
{
	unsigned long addr = (unsigned long)bitmap->data + first / BITS_PER_BYTE;
	unsigned long last_addr = (unsigned long)bitmap->data +
				  bitmap->last_bit / BITS_PER_BYTE;
	unsigned long offset = offset_in_page(addr);
	unsigned long npages;
	unsigned long nbits;
	long ret;

	npages = (last_addr >> PAGE_SHIFT) - (addr >> PAGE_SHIFT) + 1;
	npages = min(npages, bitmap->max_pages);

	ret = pin_user_pages_fast(addr & PAGE_MASK, npages, FOLL_WRITE,
				  bitmap->pages);
	if (ret <= 0)
		return ret ? ret : -EFAULT;
	bitmap->npinned = ret;

	bitmap->win_bitoff = offset * BITS_PER_BYTE + first % BITS_PER_BYTE;
	nbits = bitmap->npinned * IOVA_BITMAP_BITS_PER_PAGE -
		bitmap->win_bitoff;
	bitmap->win_first = first;
	bitmap->win_nbits = min(nbits, bitmap->last_bit - first + 1);
	return 0;
}

/* Write the remembered bits that fall in the fresh window */
static void iova_bitmap_apply_ahead(struct iova_bitmap *bitmap)
{
	unsigned long first = bitmap->ahead_first;
	unsigned long last = bitmap->ahead_last;

	if (first > last)
		return;
	bitmap->ahead_first = 1;
	bitmap->ahead_last = 0;
	iova_bitmap_set_bits(bitmap, first, last);
}

/**
 * iova_bitmap_for_each() - Walk the bitmap one pinned window at a time
 * @bitmap: the bitmap
 * @opaque: passed to @fn
 * @fn: called with each window's IOVA span; reports dirty IOVA in it through
 *	iova_bitmap_set()
 *
 * Context: Process context, may sleep. @fn may sleep.
 * Return: 0 when the whole range was walked, the first error of @fn, or the
 * error of pinning the user buffer (-EFAULT for a bad pointer).
 */
int iova_bitmap_for_each(struct iova_bitmap *bitmap, void *opaque,
			 iova_bitmap_fn_t fn)
{
	unsigned long first = 0;
	int ret;

	for (;;) {
		unsigned long win_last, start_off, last_off;

		ret = iova_bitmap_pin_window(bitmap, first);
		if (ret)
			break;
		iova_bitmap_apply_ahead(bitmap);

		win_last = first + bitmap->win_nbits - 1;
		start_off = first << bitmap->pgshift;
		/* The last granule of the window may be cut by the range end */
		if (win_last == bitmap->last_bit)
			last_off = bitmap->last_off;
		else
			last_off = ((win_last + 1) << bitmap->pgshift) - 1;

		ret = fn(bitmap, bitmap->iova + start_off,
			 last_off - start_off + 1, opaque);
		iova_bitmap_unpin(bitmap);
		if (ret || win_last == bitmap->last_bit)
			break;
		first = win_last + 1;
	}
	bitmap->ahead_first = 1;
	bitmap->ahead_last = 0;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(iova_bitmap_for_each, IOMMUFD);
