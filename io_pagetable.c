// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOVA space of an IOAS.
 *
 * This file owns the three interval trees of an io_pagetable (areas, allowed
 * ranges, reserved ranges), IOVA allocation, the list of domains and
 * accesses, and the lock order described in io_pagetable.h. Pinned memory is
 * pages.c's business; this file only decides which areas exist and which
 * domains they must be mapped into.
 *
 * IOVA arithmetic: every range is [start, last] with an inclusive last so
 * that a range may end at ULONG_MAX. Lengths are never added to a start
 * without an overflow check, and aligning a candidate up that wraps past
 * ULONG_MAX disqualifies the candidate.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/iova_bitmap.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "io_pagetable.h"

/*
 * Changing the set of domains or accesses, or the alignment rules, excludes
 * everybody: both locks for write.
 */
static void iopt_lock_all(struct io_pagetable *iopt)
{
	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
}

static void iopt_unlock_all(struct io_pagetable *iopt)
{
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/* How many times unmap asks accesses to let go before giving up */
#define IOPT_UNMAP_TRIES 100

/**
 * iopt_span_get() - First span of [pos, last] in a union of interval trees
 * @trees: the trees, highest priority first
 * @ntrees: number of trees
 * @pos: first index to look at
 * @last: last index to look at, >= @pos
 * @span: output
 *
 * @span receives [pos, span->last] which is either covered all along by
 * @span->node of tree @span->tree (and by no node of a higher priority tree)
 * or, with @span->tree == -1, covered by no tree at all. Walking the whole
 * range costs O(nodes * log(nodes)).
 */
void iopt_span_get(struct rb_root_cached *const *trees, unsigned int ntrees,
		   unsigned long pos, unsigned long last,
		   struct iopt_span *span)
{
	unsigned long end = last;
	unsigned int i;

	span->start = pos;
	span->tree = -1;
	span->node = NULL;
	for (i = 0; i != ntrees; i++) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(trees[i], pos, end);
		if (!node)
			continue;
		if (node->start <= pos) {
			span->tree = i;
			span->node = node;
			span->last = min(node->last, end);
			return;
		}
		/* Lower priority trees only matter before this node */
		end = node->start - 1;
	}
	span->last = end;
}

/**
 * iopt_pick_alignment() - Choose the alignment of an automatic IOVA
 * @addr: the user VA (or file offset) being mapped, 0 if unknown
 * @length: bytes being mapped, not 0
 * @min_align: the io_pagetable's iova_alignment, a power of two
 *
 * Prefer an IOVA aligned like @addr up to the size of the mapping, so that a
 * huge page of the source can become a huge IOMMU page, and never less than
 * PAGE_SIZE so the sub-page offset of @addr can be kept.
 *
 * Return: a power of two.
 */
unsigned long iopt_pick_alignment(unsigned long addr, unsigned long length,
				  unsigned long min_align)
{
	unsigned long align;

	if (length > 1UL << (BITS_PER_LONG - 1))
		align = 1UL << (BITS_PER_LONG - 1);
	else
		align = roundup_pow_of_two(length);
	if (addr)
		align = min(align, 1UL << __ffs(addr));
	return max3(align, min_align, PAGE_SIZE);
}

/**
 * iopt_fit_in_span() - Place a range inside a free span
 * @start: first free IOVA
 * @last: last free IOVA
 * @length: bytes needed, not 0
 * @align: alignment, a power of two
 * @phase: required value of iova % @align, less than @align
 * @out: the chosen IOVA
 *
 * Return: true if [*out, *out + length - 1] fits in [start, last]. A
 * candidate that wraps past ULONG_MAX while being aligned up does not fit.
 */
bool iopt_fit_in_span(unsigned long start, unsigned long last,
		      unsigned long length, unsigned long align,
		      unsigned long phase, unsigned long *out)
{
	unsigned long cand = (start & ~(align - 1)) | phase;

	if (cand < start && check_add_overflow(cand, align, &cand))
		return false;
	if (cand > last || last - cand < length - 1)
		return false;
	*out = cand;
	return true;
}

static int iopt_alloc_in(struct io_pagetable *iopt, unsigned long start,
			 unsigned long last, unsigned long length,
			 unsigned long align, unsigned long phase,
			 unsigned long *iova)
{
	struct rb_root_cached *trees[3] = { &iopt->reserved_itree,
					    &iopt->area_itree,
					    &iopt->pending_itree };
	unsigned long pos = start;

	for (;;) {
		struct iopt_span span;

		iopt_span_get(trees, ARRAY_SIZE(trees), pos, last, &span);
		if (span.tree < 0 && iopt_fit_in_span(span.start, span.last,
						      length, align, phase,
						      iova))
			return 0;
		if (span.last == last)
			return -ENOSPC;
		pos = span.last + 1;
	}
}

/**
 * iopt_alloc_iova() - Find a free IOVA range
 * @iopt: the io_pagetable, iova_rwsem held
 * @iova: the chosen IOVA
 * @addr: user VA or file offset of the first byte, for the alignment choice
 * @length: bytes
 *
 * The range avoids reserved ranges and areas and lies inside one allowed
 * range when there are any.
 *
 * Return: 0, -EINVAL if @length or @addr cannot satisfy the io_pagetable's
 * alignment, -ENOSPC if no room is left.
 */
int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
		    unsigned long addr, unsigned long length)
{
	unsigned long min_align = iopt->iova_alignment;
	struct interval_tree_node *node;
	unsigned long align, phase;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (!length || (length & (min_align - 1)) ||
	    ((addr % PAGE_SIZE) & (min_align - 1)))
		return -EINVAL;

	align = iopt_pick_alignment(addr, length, min_align);
	phase = addr & (align - 1);

	if (RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root))
		return iopt_alloc_in(iopt, 0, ULONG_MAX, length, align, phase,
				     iova);

	/*
	 * Allowed ranges that touch form one run, as upstream treats them:
	 * allocate in each run of their union, which the tree yields in order
	 * of start.
	 */
	node = interval_tree_iter_first(&iopt->allowed_itree, 0, ULONG_MAX);
	while (node) {
		unsigned long start = node->start;
		unsigned long last = node->last;

		for (node = interval_tree_iter_next(node, 0, ULONG_MAX);
		     node && (last == ULONG_MAX || node->start <= last + 1);
		     node = interval_tree_iter_next(node, 0, ULONG_MAX))
			last = max(last, node->last);
		if (!iopt_alloc_in(iopt, start, last, length, align, phase,
				   iova))
			return 0;
	}
	return -ENOSPC;
}

/* Validate a caller-chosen IOVA range */
static int iopt_check_fixed_iova(struct io_pagetable *iopt,
				 unsigned long iova, unsigned long length)
{
	unsigned long last;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (!length || (iova & (iopt->iova_alignment - 1)))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	/* Reserved IOVA is an invalid request, a mapping is a busy one */
	if (interval_tree_iter_first(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	return interval_tree_iter_first(&iopt->area_itree, iova, last) ||
			       interval_tree_iter_first(&iopt->pending_itree,
							iova, last) ?
		       -EEXIST : 0;
}

/* A new area, not yet in the io_pagetable, and its length in bytes */
struct iopt_piece {
	struct iopt_area *area;
	unsigned long length;
};

static struct iopt_area *iopt_area_alloc(void)
{
	if (iommufd_should_fail())
		return NULL;
	return kzalloc(sizeof(struct iopt_area), GFP_KERNEL_ACCOUNT);
}

static void iopt_free_pieces(struct iopt_piece *pieces, unsigned int num)
{
	unsigned int i;

	for (i = 0; i != num; i++) {
		if (!pieces[i].area)
			continue;
		if (pieces[i].area->pages)
			iopt_put_pages(pieces[i].area->pages);
		kfree(pieces[i].area);
	}
}

static void iopt_remove_area(struct io_pagetable *iopt,
			     struct iopt_area *area)
{
	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt_area_unfill_domains(area, iopt);
	iopt_put_pages(area->pages);
	kfree(area);
}

/*
 * Insert the areas of @pieces back to back at *@iova (chosen when
 * IOPT_ALLOC_IOVA is set, using @addr as the alignment hint) and map them
 * into every domain. On success the io_pagetable owns the areas.
 *
 * Filling the domains pins user memory, which may fault for as long as a
 * userfaultfd or FUSE handler likes, and that handler may itself use this
 * IOAS. So iova_rwsem is only held to claim the IOVA (in pending_itree)
 * and, after the fill, to publish the areas (in area_itree). In between
 * only domains_rwsem is held for read: other maps, unmaps and accesses go
 * on, attaching and detaching devices (which change the set of domains the
 * areas must be in) wait.
 */
static int iopt_insert_pieces(struct io_pagetable *iopt,
			      struct iopt_piece *pieces, unsigned int num,
			      unsigned long *iova, unsigned int flags,
			      unsigned long addr, unsigned long length)
{
	unsigned long align, cur;
	unsigned int i, filled = 0;
	int rc;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (flags & IOPT_ALLOC_IOVA)
		rc = iopt_alloc_iova(iopt, iova, addr, length);
	else
		rc = iopt_check_fixed_iova(iopt, *iova, length);
	if (rc)
		goto out_unlock;

	align = iopt->iova_alignment;
	cur = *iova;
	for (i = 0; i != num; i++) {
		struct iopt_area *area = pieces[i].area;

		if ((cur & (align - 1)) || (pieces[i].length & (align - 1)) ||
		    (area->page_offset & (align - 1))) {
			rc = -EINVAL;
			goto out_unlock;
		}
		if ((area->iommu_prot & IOMMU_WRITE) && !area->pages->writable) {
			rc = -EPERM;
			goto out_unlock;
		}
		area->node.start = cur;
		area->node.last = cur + pieces[i].length - 1;
		area->iopt = iopt;
		cur += pieces[i].length;
	}

	for (i = 0; i != num; i++)
		interval_tree_insert(&pieces[i].area->node,
				     &iopt->pending_itree);
	up_write(&iopt->iova_rwsem);

	/* Nobody else sees the areas: fill without iova_rwsem */
	for (filled = 0; filled != num; filled++) {
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		rc = iopt_area_fill_domains(pieces[filled].area, iopt, NULL);
		if (rc)
			break;
		cond_resched();
	}
	if (rc) {
		/* balances the fill loop above */
		for (i = 0; i != filled; i++)
			iopt_area_unfill_domains(pieces[i].area, iopt);
	}

	down_write(&iopt->iova_rwsem);
	for (i = 0; i != num; i++) {
		struct iopt_area *area = pieces[i].area;

		interval_tree_remove(&area->node, &iopt->pending_itree);
		if (rc)
			continue;
		interval_tree_insert(&area->node, &iopt->area_itree);
		pieces[i].area = NULL;
	}
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}

static int iopt_map_new_pages(struct io_pagetable *iopt,
			      struct iopt_pages *pages, unsigned long *iova,
			      unsigned long addr, unsigned long length,
			      int iommu_prot, unsigned int flags)
{
	struct iopt_piece piece = { .length = length };
	int rc;

	piece.area = iopt_area_alloc();
	if (!piece.area) {
		iopt_put_pages(pages);
		return -ENOMEM;
	}
	piece.area->pages = pages;
	piece.area->page_offset = addr % PAGE_SIZE;
	piece.area->pages_node.start = 0;
	piece.area->pages_node.last = pages->npages - 1;
	piece.area->iommu_prot = iommu_prot;

	rc = iopt_insert_pieces(iopt, &piece, 1, iova, flags, addr, length);
	iopt_free_pieces(&piece, 1);
	return rc;
}

/**
 * iopt_map_user_pages() - Map a range of the caller's memory
 * @ictx: the context, for its accounting mode
 * @iopt: the io_pagetable
 * @iova: IOVA to map at, or the chosen IOVA with IOPT_ALLOC_IOVA
 * @uptr: user VA
 * @length: bytes, not 0
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE...
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * The memory is pinned now if the io_pagetable has domains, otherwise when
 * a domain or an access first needs it.
 *
 * Context: takes domains_rwsem and iova_rwsem.
 * Return: 0 or an errno: -EINVAL misaligned or reserved IOVA, -EEXIST IOVA
 * already mapped, -ENOSPC no free IOVA, -EFAULT bad memory, -ENOMEM.
 */
int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot,
			unsigned int flags)
{
	struct iopt_pages *pages;

	pages = iopt_alloc_user_pages(uptr, length, iommu_prot & IOMMU_WRITE,
				      ictx->account_mode);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, iova, (uintptr_t)uptr, length,
				  iommu_prot, flags);
}

/**
 * iopt_map_file_pages() - Map a range of a memfd
 * @ictx: the context, for its accounting mode
 * @iopt: the io_pagetable
 * @iova: IOVA to map at, or the chosen IOVA with IOPT_ALLOC_IOVA
 * @file: a shmem or hugetlbfs file
 * @start: byte offset in @file
 * @length: bytes, not 0
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE...
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * The area keeps its own reference on @file.
 *
 * Context: takes domains_rwsem and iova_rwsem.
 * Return: 0 or an errno as for iopt_map_user_pages(); -EINVAL also for
 * another kind of file or a range beyond the end of the file.
 */
int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, struct file *file,
			unsigned long start, unsigned long length,
			int iommu_prot, unsigned int flags)
{
	struct iopt_pages *pages;

	pages = iopt_alloc_file_pages(file, start, length,
				      iommu_prot & IOMMU_WRITE,
				      ictx->account_mode);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, iova, start, length,
				  iommu_prot, flags);
}

/**
 * iopt_map_dmabuf_pages() - Map a range of a dma-buf
 * @iopt: the io_pagetable
 * @iova: IOVA to map at, or the chosen IOVA with IOPT_ALLOC_IOVA
 * @dmabuf: the dma-buf; the area keeps its own reference
 * @start: byte offset in @dmabuf
 * @length: bytes, not 0
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE...
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * Nothing is pinned or charged; the exporter may revoke the memory, which
 * unmaps it from the domains but leaves the area in place.
 *
 * Context: takes the dma-buf's reservation lock, then domains_rwsem and
 * iova_rwsem.
 * Return: 0 or an errno as for iopt_map_user_pages(); -EINVAL also for a
 * range beyond the end of the dma-buf, -EOPNOTSUPP if the exporter cannot
 * give a physical range, -ENODEV if the dma-buf is revoked.
 */
int iopt_map_dmabuf_pages(struct io_pagetable *iopt, unsigned long *iova,
			  struct dma_buf *dmabuf, unsigned long start,
			  unsigned long length, int iommu_prot,
			  unsigned int flags)
{
	struct iopt_pages *pages;

	pages = iopt_alloc_dmabuf_pages(dmabuf, start, length,
					iommu_prot & IOMMU_WRITE);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, iova, start, length,
				  iommu_prot, flags);
}

/* Visit the areas covering [iova, last] without a hole, in IOVA order */
struct iopt_contig {
	unsigned long cur;
	unsigned long last;
	unsigned long piece_last;
	bool done;
};

static struct iopt_area *iopt_contig_first(struct io_pagetable *iopt,
					   struct iopt_contig *it,
					   unsigned long iova,
					   unsigned long last)
{
	struct interval_tree_node *node;

	it->cur = iova;
	it->last = last;
	it->done = false;
	node = interval_tree_iter_first(&iopt->area_itree, iova, iova);
	if (!node)
		return NULL;
	it->piece_last = min(last, node->last);
	return container_of(node, struct iopt_area, node);
}

static struct iopt_area *iopt_contig_next(struct io_pagetable *iopt,
					  struct iopt_contig *it)
{
	if (it->piece_last == it->last) {
		it->done = true;
		return NULL;
	}
	return iopt_contig_first(iopt, it, it->piece_last + 1, it->last);
}

/**
 * iopt_copy_range() - Map memory already mapped in @src again in @dst
 * @ictx: the context
 * @dst: destination io_pagetable
 * @dst_iova: IOVA in @dst, or the chosen IOVA with IOPT_ALLOC_IOVA
 * @src: source io_pagetable, may be @dst
 * @src_iova: first IOVA of the range in @src
 * @length: bytes, not 0
 * @iommu_prot: protection of the new mapping
 * @flags: IOPT_ALLOC_IOVA or 0
 *
 * The new areas share the iopt_pages of the source, so nothing is pinned
 * twice.
 *
 * Context: takes the locks of @src, then those of @dst, never both.
 * Return: 0, -ENOENT if the source range has a hole, or the errors of
 * iopt_map_user_pages().
 */
int iopt_copy_range(struct iommufd_ctx *ictx, struct io_pagetable *dst,
		    unsigned long *dst_iova, struct io_pagetable *src,
		    unsigned long src_iova, unsigned long length,
		    int iommu_prot, unsigned int flags)
{
	struct iopt_piece *pieces = NULL;
	unsigned int num = 0, i = 0;
	struct iopt_contig it;
	struct iopt_area *area;
	unsigned long last, addr = 0;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(src_iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&src->iova_rwsem);
	for (area = iopt_contig_first(src, &it, src_iova, last); area;
	     area = iopt_contig_next(src, &it))
		num++;
	if (!it.done) {
		rc = -ENOENT;
		goto out_unlock_src;
	}
	/*
	 * One entry per source area: an IOAS without a domain pins nothing,
	 * so userspace can cheaply make this far bigger than kmalloc() serves.
	 */
	pieces = kvcalloc(num, sizeof(*pieces),
			  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pieces) {
		rc = -ENOMEM;
		goto out_unlock_src;
	}
	for (area = iopt_contig_first(src, &it, src_iova, last); area;
	     area = iopt_contig_next(src, &it)) {
		unsigned long first_byte = iopt_area_iova_to_byte(area, it.cur);
		unsigned long last_byte =
			iopt_area_iova_to_byte(area, it.piece_last);
		struct iopt_area *new;

		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto err_free;
		}
		new = iopt_area_alloc();
		if (!new) {
			rc = -ENOMEM;
			goto err_free;
		}
		pieces[i].area = new;
		pieces[i].length = it.piece_last - it.cur + 1;
		i++;
		kref_get(&area->pages->kref);
		new->pages = area->pages;
		new->page_offset = first_byte % PAGE_SIZE;
		new->pages_node.start = first_byte / PAGE_SIZE;
		new->pages_node.last = last_byte / PAGE_SIZE;
		new->iommu_prot = iommu_prot;
		if (i == 1) {
			if (area->pages->type == IOPT_PAGES_FILE)
				addr = area->pages->start + first_byte;
			else
				addr = (uintptr_t)area->pages->uptr +
				       first_byte;
		}
	}
	up_read(&src->iova_rwsem);

	rc = iopt_insert_pieces(dst, pieces, num, dst_iova, flags, addr,
				length);
	iopt_free_pieces(pieces, num);
	kvfree(pieces);
	return rc;

err_free:
	iopt_free_pieces(pieces, i);
	kvfree(pieces);
out_unlock_src:
	up_read(&src->iova_rwsem);
	return rc;
}

static void iopt_reopen_range(struct io_pagetable *iopt, unsigned long start,
			      unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->area_itree, start, last);
	     node; node = interval_tree_iter_next(node, start, last)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (node->start >= start && node->last <= last)
			area->prevent_access = false;
	}
}

static int iopt_unmap_range(struct io_pagetable *iopt, unsigned long start,
			    unsigned long last, unsigned long *unmapped)
{
	struct interval_tree_node *node;
	struct iopt_area *accessed;
	unsigned long done = 0;
	unsigned int tries = 0;
	int rc;

again:
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);

	/*
	 * One pass finds what stops the unmap. Locked areas win over the
	 * whole-area rule, as upstream orders it; both win over accesses.
	 */
	accessed = NULL;
	rc = 0;
	for (node = interval_tree_iter_first(&iopt->area_itree, start, last);
	     node; node = interval_tree_iter_next(node, start, last)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (area->num_locks) {
			rc = -EBUSY;
			break;
		}
		if (node->start < start || node->last > last)
			rc = -ENOENT;
		else if (area->num_accesses && !accessed)
			accessed = area;
	}
	if (rc)
		goto out_unlock;

	if (accessed) {
		struct iopt_area *area = accessed;
		unsigned long first = area->node.start;
		unsigned long len = iopt_area_length(area);

		if (++tries > IOPT_UNMAP_TRIES) {
			rc = -EDEADLOCK;
			goto out_unlock;
		}
		/* Ask the accesses to unpin, which needs iova_rwsem */
		area->prevent_access = true;
		up_write(&iopt->iova_rwsem);
		up_read(&iopt->domains_rwsem);
		iommufd_access_notify_unmap(iopt, first, len);
		goto again;
	}

	node = interval_tree_iter_first(&iopt->area_itree, start, last);
	while (node) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		/* Step on before the node leaves the tree */
		node = interval_tree_iter_next(node, start, last);
		done += iopt_area_length(area);
		iopt_remove_area(iopt, area);
	}

out_unlock:
	/*
	 * A failed attempt leaves the range mapped: areas an earlier pass
	 * closed to new pins must take pins again, or access users and VFIO
	 * partial unmaps fail on them for good. Only areas inside the range
	 * can have been closed by this call.
	 */
	if (rc && tries)
		iopt_reopen_range(iopt, start, last);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	if (unmapped)
		*unmapped = done;
	return rc;
}

/**
 * iopt_unmap_iova() - Unmap every area inside a range
 * @iopt: the io_pagetable
 * @iova: first IOVA
 * @length: bytes, not 0
 * @unmapped: if not NULL, receives the number of bytes unmapped
 *
 * Areas must lie entirely inside the range. Accesses pinning an area are
 * asked to unpin through iommufd_access_notify_unmap() first. A range with
 * nothing mapped succeeds with *@unmapped == 0, as VFIO wants; IOAS_UNMAP
 * turns that into -ENOENT itself.
 *
 * Context: takes domains_rwsem and iova_rwsem, drops them to notify.
 * Return: 0, -ENOENT if an area crosses the range boundary, -EBUSY if an
 * area is locked, -EDEADLOCK if an access does not unpin.
 */
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_range(iopt, iova, last, unmapped);
}

/**
 * iopt_unmap_all() - Unmap everything
 * @iopt: the io_pagetable
 * @unmapped: if not NULL, receives the number of bytes unmapped
 *
 * Context: as iopt_unmap_iova().
 * Return: 0 (also when nothing was mapped), -EBUSY or -EDEADLOCK.
 */
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return iopt_unmap_range(iopt, 0, ULONG_MAX, unmapped);
}

/**
 * iopt_get_iova_ranges() - Report the IOVA ranges userspace may map
 * @iopt: the io_pagetable
 * @ranges: output array
 * @max: room in @ranges
 * @num: total number of ranges, possibly more than @max
 *
 * As upstream, the ranges are the holes between reserved ranges; the
 * allowed ranges only steer automatic allocation and are not reported.
 *
 * Return: 0.
 */
int iopt_get_iova_ranges(struct io_pagetable *iopt,
			 struct iommu_iova_range *ranges, u32 max, u32 *num)
{
	struct rb_root_cached *trees[1] = { &iopt->reserved_itree };
	unsigned long pos = 0;
	u32 count = 0;

	down_read(&iopt->iova_rwsem);
	for (;;) {
		struct iopt_span span;

		iopt_span_get(trees, 1, pos, ULONG_MAX, &span);
		if (span.tree < 0) {
			if (count < max) {
				ranges[count].start = span.start;
				ranges[count].last = span.last;
			}
			count++;
		}
		if (span.last == ULONG_MAX)
			break;
		pos = span.last + 1;
	}
	up_read(&iopt->iova_rwsem);
	*num = count;
	return 0;
}

static void iopt_free_allowed(struct rb_root_cached *root)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(root, 0, ULONG_MAX))) {
		interval_tree_remove(node, root);
		kfree(container_of(node, struct iopt_range, node));
	}
}

/**
 * iopt_set_allow_iova() - Replace the allowed IOVA ranges
 * @iopt: the io_pagetable
 * @ranges: the new ranges, any order, not overlapping; may be NULL if @num
 *	is 0
 * @num: number of ranges; 0 allows everything
 *
 * Context: takes iova_rwsem.
 * Return: 0, -EINVAL for a malformed or overlapping range, -EADDRINUSE if a
 * range intersects a reserved range, -ENOMEM.
 */
int iopt_set_allow_iova(struct io_pagetable *iopt,
			const struct iommu_iova_range *ranges, u32 num)
{
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	u32 i;
	int rc;

	for (i = 0; i != num; i++) {
		struct iopt_range *elm;

		/* @num is user controlled */
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto out_free;
		}
		cond_resched();
		if (ranges[i].start > ranges[i].last ||
		    ranges[i].last > ULONG_MAX ||
		    interval_tree_iter_first(&allowed, ranges[i].start,
					     ranges[i].last)) {
			rc = -EINVAL;
			goto out_free;
		}
		elm = kzalloc(sizeof(*elm), GFP_KERNEL_ACCOUNT);
		if (!elm) {
			rc = -ENOMEM;
			goto out_free;
		}
		elm->node.start = ranges[i].start;
		elm->node.last = ranges[i].last;
		interval_tree_insert(&elm->node, &allowed);
	}

	down_write(&iopt->iova_rwsem);
	for (i = 0; i != num; i++) {
		if (interval_tree_iter_first(&iopt->reserved_itree,
					     ranges[i].start, ranges[i].last)) {
			up_write(&iopt->iova_rwsem);
			rc = -EADDRINUSE;
			goto out_free;
		}
	}
	swap(allowed, iopt->allowed_itree);
	up_write(&iopt->iova_rwsem);
	rc = 0;

out_free:
	iopt_free_allowed(&allowed);
	return rc;
}

/**
 * iopt_get_iova_alignment() - Alignment every mapping must have
 * @iopt: the io_pagetable
 *
 * Return: a power of two, in bytes.
 */
unsigned long iopt_get_iova_alignment(struct io_pagetable *iopt)
{
	unsigned long align;

	down_read(&iopt->iova_rwsem);
	align = iopt->iova_alignment;
	up_read(&iopt->iova_rwsem);
	return align;
}

static int __iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start,
			       unsigned long last, void *owner)
{
	struct iopt_range *res;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (start > last)
		return -EINVAL;
	if (interval_tree_iter_first(&iopt->area_itree, start, last) ||
	    interval_tree_iter_first(&iopt->pending_itree, start, last) ||
	    interval_tree_iter_first(&iopt->allowed_itree, start, last))
		return -EADDRINUSE;

	res = kzalloc(sizeof(*res), GFP_KERNEL_ACCOUNT);
	if (!res)
		return -ENOMEM;
	res->node.start = start;
	res->node.last = last;
	res->owner = owner;
	interval_tree_insert(&res->node, &iopt->reserved_itree);
	return 0;
}

static void __iopt_remove_reserved_iova(struct io_pagetable *iopt,
					void *owner)
{
	struct interval_tree_node *node, *next;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->reserved_itree, 0,
					     ULONG_MAX);
	     node; node = next) {
		struct iopt_range *res =
			container_of(node, struct iopt_range, node);

		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		if (res->owner == owner) {
			interval_tree_remove(node, &iopt->reserved_itree);
			kfree(res);
		}
	}
}

/**
 * iopt_reserve_iova() - Forbid mappings in a range
 * @iopt: the io_pagetable
 * @start: first IOVA
 * @last: last IOVA, inclusive
 * @owner: cookie for iopt_remove_reserved_iova()
 *
 * Context: takes iova_rwsem; the caller must not hold it.
 * Return: 0, -EINVAL if @start > @last, -EADDRINUSE if an area or an
 * allowed range intersects, -ENOMEM.
 */
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start,
		      unsigned long last, void *owner)
{
	int rc;

	down_write(&iopt->iova_rwsem);
	rc = __iopt_reserve_iova(iopt, start, last, owner);
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_remove_reserved_iova() - Remove every reserved range of an owner
 * @iopt: the io_pagetable
 * @owner: the cookie given to iopt_reserve_iova()
 *
 * Context: takes iova_rwsem; the caller must not hold it.
 */
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	struct rw_semaphore *sem = &iopt->iova_rwsem;

	down_write(sem);
	__iopt_remove_reserved_iova(iopt, owner);
	up_write(sem);
}

/**
 * iopt_table_enforce_dev_resv_regions() - Reserve a device's reserved regions
 * @iopt: the io_pagetable
 * @dev: the device; the regions are owned by it
 * @sw_msi_start: if not NULL, receives the start of the software MSI window
 *
 * Relaxable direct regions are left mappable, as VFIO does.
 *
 * Context: takes iova_rwsem.
 * Return: 0, -EADDRINUSE if a region intersects a mapping or an allowed
 * range, -EINVAL if the driver reports an impossible MSI setup, -ENOMEM.
 */
int iopt_table_enforce_dev_resv_regions(struct io_pagetable *iopt,
					struct device *dev,
					phys_addr_t *sw_msi_start)
{
	unsigned int num_hw_msi = 0, num_sw_msi = 0;
	struct iommu_resv_region *resv;
	LIST_HEAD(resv_regions);
	int rc = 0;

	if (iommufd_should_fail())
		return -EINVAL;

	down_write(&iopt->iova_rwsem);
	iommu_get_resv_regions(dev, &resv_regions);
	list_for_each_entry(resv, &resv_regions, list) {
		unsigned long last;

		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;
		if (resv->type == IOMMU_RESV_MSI)
			num_hw_msi++;
		if (resv->type == IOMMU_RESV_SW_MSI) {
			num_sw_msi++;
			if (sw_msi_start)
				*sw_msi_start = resv->start;
		}
		if (!resv->length ||
		    check_add_overflow((unsigned long)resv->start,
				       (unsigned long)resv->length - 1, &last)) {
			rc = -EINVAL;
			break;
		}
		rc = __iopt_reserve_iova(iopt, resv->start, last, dev);
		if (rc)
			break;
	}
	/* Both kinds of MSI window, or two software ones, is a driver bug */
	if (!rc && (WARN_ON(num_sw_msi && num_hw_msi) ||
		    WARN_ON(num_sw_msi > 1)))
		rc = -EINVAL;
	if (rc)
		__iopt_remove_reserved_iova(iopt, dev);
	iommu_put_resv_regions(dev, &resv_regions);
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_init_table() - Initialize an empty io_pagetable
 * @iopt: the io_pagetable
 */
void iopt_init_table(struct io_pagetable *iopt)
{
	init_rwsem(&iopt->domains_rwsem);
	init_rwsem(&iopt->iova_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->pending_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	xa_init_flags(&iopt->domains, XA_FLAGS_ACCOUNT);
	xa_init_flags(&iopt->access_list, XA_FLAGS_ALLOC | XA_FLAGS_ACCOUNT);
	iopt->next_domain_id = 0;
	iopt->disable_large_pages = false;
	/* Until a domain or an access says otherwise, byte granular */
	iopt->iova_alignment = 1;
}

/**
 * iopt_destroy_table() - Free an io_pagetable
 * @iopt: the io_pagetable, with no domain and no access left
 *
 * Areas still present are removed and unpinned: with no domain and no access
 * left nothing can hold them, so the IOAS destroy op relies on this rather
 * than unmapping first.
 */
void iopt_destroy_table(struct io_pagetable *iopt)
{
	struct interval_tree_node *node;

	WARN_ON(!xa_empty(&iopt->domains));
	WARN_ON(!xa_empty(&iopt->access_list));
	/* Nobody else can reach the table now; an unused one holds nothing */
	if (RB_EMPTY_ROOT(&iopt->area_itree.rb_root) &&
	    RB_EMPTY_ROOT(&iopt->reserved_itree.rb_root) &&
	    RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root))
		return;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	while ((node = interval_tree_iter_first(&iopt->area_itree, 0,
						ULONG_MAX)))
		iopt_remove_area(iopt, container_of(node, struct iopt_area,
						    node));
	/* Test-only ADD_RESERVED ranges have no owner; others must be gone */
	__iopt_remove_reserved_iova(iopt, NULL);
	while ((node = interval_tree_iter_first(&iopt->reserved_itree, 0,
						ULONG_MAX))) {
		WARN_ON(1);
		interval_tree_remove(node, &iopt->reserved_itree);
		kfree(container_of(node, struct iopt_range, node));
	}
	iopt_free_allowed(&iopt->allowed_itree);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
}

static int iopt_check_areas_aligned(struct io_pagetable *iopt,
				    unsigned long align)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if ((node->start & (align - 1)) ||
		    (iopt_area_length(area) & (align - 1)) ||
		    (area->page_offset & (align - 1)))
			return -EADDRINUSE;
	}
	return 0;
}

/*
 * Recompute iova_alignment from the domains, the accesses, the huge page
 * option and @extra (a domain being added). Raising it requires every
 * existing area to satisfy the new value.
 */
static int iopt_update_alignment(struct io_pagetable *iopt,
				 unsigned long extra)
{
	unsigned long align = max(extra, 1UL);
	struct iommufd_access *access;
	struct iommu_domain *domain;
	unsigned long index;
	int rc;

	lockdep_assert_held(&iopt->domains_rwsem);
	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (iopt->disable_large_pages)
		align = max(align, PAGE_SIZE);
	xa_for_each(&iopt->domains, index, domain)
		align = max(align, 1UL << __ffs(domain->pgsize_bitmap));
	xa_for_each(&iopt->access_list, index, access)
		align = max(align, access->iova_alignment);

	if (align > iopt->iova_alignment) {
		rc = iopt_check_areas_aligned(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

/**
 * iopt_table_add_domain() - Map every area into a new domain
 * @iopt: the io_pagetable
 * @domain: a paging domain not yet in @iopt
 *
 * IOVA outside the domain's aperture becomes reserved (owner @domain).
 *
 * Context: takes domains_rwsem and iova_rwsem.
 * Return: 0, -EADDRINUSE if an area lies outside the aperture or breaks the
 * domain's alignment, -EFAULT if memory to pin is gone, -ENOMEM...
 */
int iopt_table_add_domain(struct io_pagetable *iopt,
			  struct iommu_domain *domain)
{
	const struct iommu_domain_geometry *geo = &domain->geometry;
	unsigned long old_align, index, pgsize;
	struct interval_tree_node *node;
	struct iommu_domain *iter;
	bool first;
	int rc;

	iopt_lock_all(iopt);

	xa_for_each(&iopt->domains, index, iter) {
		if (WARN_ON(iter == domain)) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}
	first = xa_empty(&iopt->domains);

	if (geo->aperture_start) {
		rc = __iopt_reserve_iova(iopt, 0, geo->aperture_start - 1,
					 domain);
		if (rc)
			goto err_reserved;
	}
	if (geo->aperture_end != ULONG_MAX) {
		rc = __iopt_reserve_iova(iopt, geo->aperture_end + 1,
					 ULONG_MAX, domain);
		if (rc)
			goto err_reserved;
	}

	old_align = iopt->iova_alignment;
	pgsize = domain->pgsize_bitmap ? 1UL << __ffs(domain->pgsize_bitmap) :
					 PAGE_SIZE;
	rc = iopt_update_alignment(iopt, pgsize);
	if (rc)
		goto err_reserved;

	rc = xa_reserve(&iopt->domains, iopt->next_domain_id,
			GFP_KERNEL_ACCOUNT);
	if (rc)
		goto err_align;

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		rc = iopt_area_fill_domains(area, iopt, domain);
		if (rc)
			goto err_unfill;
	}

	WARN_ON(xa_err(xa_store(&iopt->domains, iopt->next_domain_id, domain,
				GFP_KERNEL_ACCOUNT)));
	iopt->next_domain_id++;
	rc = 0;
	goto out_unlock;

err_unfill:
	{
		struct interval_tree_node *failed = node;

		for (node = interval_tree_iter_first(&iopt->area_itree, 0,
						     ULONG_MAX);
		     node != failed;
		     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
			struct iopt_area *area =
				container_of(node, struct iopt_area, node);

			iopt_area_unfill_domain(area, domain,
						first ? NULL :
							area->storage_domain);
		}
	}
	xa_release(&iopt->domains, iopt->next_domain_id);
err_align:
	iopt->iova_alignment = old_align;
err_reserved:
	__iopt_remove_reserved_iova(iopt, domain);
out_unlock:
	iopt_unlock_all(iopt);
	return rc;
}

/**
 * iopt_table_remove_domain() - Unmap every area from a domain
 * @iopt: the io_pagetable
 * @domain: a domain added by iopt_table_add_domain()
 *
 * When @domain was the last domain, the pages it held are unpinned (unless
 * an access still needs them).
 *
 * Context: takes domains_rwsem and iova_rwsem.
 */
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain)
{
	struct iommu_domain *iter, *remaining;
	struct interval_tree_node *node;
	unsigned long index, last;
	bool found = false;

	iopt_lock_all(iopt);

	xa_for_each(&iopt->domains, index, iter) {
		if (iter == domain) {
			found = true;
			break;
		}
	}
	if (WARN_ON(!found))
		goto out_unlock;
	/*
	 * Keep the indexes dense, so that walking the domains on every map and
	 * unmap stays cheap however many domains came and went: the last one
	 * takes the freed index. Storing to a used index allocates nothing.
	 */
	last = --iopt->next_domain_id;
	if (index != last)
		xa_store(&iopt->domains, index, xa_load(&iopt->domains, last),
			 GFP_KERNEL);
	xa_erase(&iopt->domains, last);
	remaining = xa_load(&iopt->domains, 0);

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX))
		iopt_area_unfill_domain(container_of(node, struct iopt_area,
						     node),
					domain, remaining);

	__iopt_remove_reserved_iova(iopt, domain);
	/* Removing a constraint only lowers the alignment, which cannot fail */
	WARN_ON(iopt_update_alignment(iopt, 0));
out_unlock:
	iopt_unlock_all(iopt);
}

/**
 * iopt_disable_large_pages() - Map only PAGE_SIZE IOMMU pages from now on
 * @iopt: the io_pagetable
 *
 * Needed by the VFIO type1 compat mode, which can cut mappings.
 *
 * Context: takes domains_rwsem and iova_rwsem.
 * Return: 0, -EINVAL if domains already hold mappings, -EADDRINUSE if an
 * area is not PAGE_SIZE aligned.
 */
int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	bool mapped;
	int rc;

	iopt_lock_all(iopt);
	mapped = !xa_empty(&iopt->domains) &&
		 !RB_EMPTY_ROOT(&iopt->area_itree.rb_root);
	if (iopt->disable_large_pages) {
		rc = 0;
	} else if (mapped) {
		/* Existing IOMMU mappings may already use large pages */
		rc = -EINVAL;
	} else {
		WRITE_ONCE(iopt->disable_large_pages, true);
		rc = iopt_update_alignment(iopt, 0);
		if (rc)
			WRITE_ONCE(iopt->disable_large_pages, false);
	}
	iopt_unlock_all(iopt);
	return rc;
}

/**
 * iopt_enable_large_pages() - Allow large IOMMU pages again
 * @iopt: the io_pagetable
 *
 * Existing mappings keep their page sizes.
 *
 * Context: takes domains_rwsem and iova_rwsem.
 */
void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	iopt_lock_all(iopt);
	WRITE_ONCE(iopt->disable_large_pages, false);
	WARN_ON(iopt_update_alignment(iopt, 0));
	iopt_unlock_all(iopt);
}

static int iopt_split_area(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned long new_start)
{
	unsigned long byte = iopt_area_iova_to_byte(area, new_start);
	struct iopt_pages *pages = area->pages;
	struct iopt_area *rhs;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (area->num_accesses || area->num_locks || area->prevent_access)
		return -EBUSY;
	/* pages_dmabuf.c records its mappings per area */
	if (pages->type == IOPT_PAGES_DMABUF)
		return -EINVAL;
	if (new_start & (max(iopt->iova_alignment, PAGE_SIZE) - 1))
		return -EINVAL;
	/* A large IOMMU page may straddle the cut */
	if (area->storage_domain && !iopt->disable_large_pages)
		return -EINVAL;

	rhs = iopt_area_alloc();
	if (!rhs)
		return -ENOMEM;

	mutex_lock(&pages->mutex);
	kref_get(&pages->kref);
	rhs->pages = pages;
	rhs->iopt = iopt;
	rhs->iommu_prot = area->iommu_prot;
	rhs->page_offset = byte % PAGE_SIZE;
	rhs->node.start = new_start;
	rhs->node.last = area->node.last;
	rhs->pages_node.start = byte / PAGE_SIZE;
	rhs->pages_node.last = area->pages_node.last;
	rhs->storage_domain = area->storage_domain;

	interval_tree_remove(&area->node, &iopt->area_itree);
	if (area->storage_domain)
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
	area->node.last = new_start - 1;
	area->pages_node.last = (byte - 1) / PAGE_SIZE;
	interval_tree_insert(&area->node, &iopt->area_itree);
	interval_tree_insert(&rhs->node, &iopt->area_itree);
	if (area->storage_domain) {
		interval_tree_insert(&area->pages_node, &pages->domains_itree);
		interval_tree_insert(&rhs->pages_node, &pages->domains_itree);
	}
	mutex_unlock(&pages->mutex);
	return 0;
}

/**
 * iopt_cut_iova() - Split areas so that each IOVA ends an area
 * @iopt: the io_pagetable
 * @iovas: IOVAs that must become the last byte of an area
 * @num: number of entries in @iovas
 *
 * Used by the VFIO type1 compat mode, where unmapping part of a mapping is
 * allowed. IOVAs outside any area, or already ending one, are ignored.
 *
 * Context: takes iova_rwsem.
 * Return: 0, -EINVAL if a cut is not PAGE_SIZE (and iova_alignment) aligned
 * or could split a large IOMMU page, -EBUSY if the area is pinned by an
 * access, -ENOMEM.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  size_t num)
{
	size_t i;
	int rc = 0;

	down_write(&iopt->iova_rwsem);
	for (i = 0; i != num; i++) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(&iopt->area_itree, iovas[i],
						iovas[i]);
		if (!node || node->last == iovas[i])
			continue;
		rc = iopt_split_area(iopt,
				     container_of(node, struct iopt_area, node),
				     iovas[i] + 1);
		if (rc)
			break;
	}
	up_write(&iopt->iova_rwsem);
	return rc;
}

/* Accesses */

/**
 * iopt_add_access() - Register an access with an io_pagetable
 * @iopt: the io_pagetable
 * @access: the access; its iova_alignment constrains the io_pagetable
 *
 * Context: takes domains_rwsem and iova_rwsem.
 * Return: 0, -EADDRINUSE if existing areas break the access's alignment,
 * -ENOMEM or -EBUSY if too many accesses exist.
 */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	u32 id;
	int rc;

	iopt_lock_all(iopt);
	rc = xa_alloc(&iopt->access_list, &id, access, xa_limit_16b,
		      GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unlock;
	rc = iopt_update_alignment(iopt, 0);
	if (rc) {
		xa_erase(&iopt->access_list, id);
		goto out_unlock;
	}
	access->iopt_access_list_id = id;
out_unlock:
	iopt_unlock_all(iopt);
	return rc;
}

/**
 * iopt_remove_access() - Unregister an access
 * @iopt: the io_pagetable
 * @access: the access, which holds no pin any more
 * @iopt_access_list_id: the id iopt_add_access() stored in the access
 *
 * Context: takes domains_rwsem and iova_rwsem.
 */
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access, u32 iopt_access_list_id)
{
	iopt_lock_all(iopt);
	WARN_ON(xa_erase(&iopt->access_list, iopt_access_list_id) != access);
	WARN_ON(iopt_update_alignment(iopt, 0));
	iopt_unlock_all(iopt);
}

static bool iopt_area_allows(struct iopt_area *area, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		return area->iommu_prot & IOMMU_WRITE;
	return area->iommu_prot & IOMMU_READ;
}

/*
 * Pins of internal accesses (HW queues) lock their areas: unmapping them
 * fails with -EBUSY, as there is nobody to ask to unpin. The count changes
 * under iova_rwsem (read) and the pages mutex, and is read by unmap under
 * iova_rwsem (write).
 */
static void iopt_area_change_locks(struct iopt_area *area, bool lock)
{
	mutex_lock(&area->pages->mutex);
	if (lock)
		area->num_locks++;
	else if (!WARN_ON(!area->num_locks))
		area->num_locks--;
	mutex_unlock(&area->pages->mutex);
}

/* Undo the access pins taken on [iova, last] */
static void iopt_access_unpin_range(struct io_pagetable *iopt,
				    struct iommufd_access *access,
				    unsigned long iova, unsigned long last)
{
	struct iopt_contig it;
	struct iopt_area *area;

	for (area = iopt_contig_first(iopt, &it, iova, last); area;
	     area = iopt_contig_next(iopt, &it)) {
		if (access->internal)
			iopt_area_change_locks(area, false);
		iopt_area_remove_access(area,
					iopt_area_iova_to_index(area, it.cur),
					iopt_area_iova_to_index(area,
								it.piece_last));
	}
	WARN_ON(!it.done);
}

/**
 * iopt_access_pin_pages() - Pin the pages behind an IOVA range for an access
 * @iopt: the io_pagetable
 * @access: the access
 * @iova: first IOVA
 * @length: bytes, not 0
 * @out_pages: receives one struct page per page the range touches
 * @flags: IOMMUFD_ACCESS_RW_*; WRITE requires a writable mapping
 *
 * Context: takes iova_rwsem.
 * Return: 0, -ENOENT if part of the range is not mapped, -EINVAL if the range
 * is being unmapped or crosses areas at a sub-page offset, -EPERM, -EFAULT,
 * -ENOMEM.
 */
int iopt_access_pin_pages(struct io_pagetable *iopt,
			  struct iommufd_access *access, unsigned long iova,
			  unsigned long length, struct page **out_pages,
			  unsigned int flags)
{
	struct iopt_contig it;
	struct iopt_area *area;
	unsigned long last;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_contig_first(iopt, &it, iova, last); area;
	     area = iopt_contig_next(iopt, &it)) {
		unsigned long first_byte = iopt_area_iova_to_byte(area, it.cur);
		unsigned long last_byte =
			iopt_area_iova_to_byte(area, it.piece_last);

		/* out_pages is one array, so inner joins must be page aligned */
		if (area->prevent_access ||
		    (it.cur != iova && first_byte % PAGE_SIZE) ||
		    (it.piece_last != last && (last_byte + 1) % PAGE_SIZE)) {
			rc = -EINVAL;
			break;
		}
		if (!iopt_area_allows(area, flags)) {
			rc = -EPERM;
			break;
		}
		rc = iopt_area_add_access(area, first_byte / PAGE_SIZE,
					  last_byte / PAGE_SIZE, out_pages,
					  flags);
		if (rc)
			break;
		if (access->internal)
			iopt_area_change_locks(area, true);
		out_pages += last_byte / PAGE_SIZE - first_byte / PAGE_SIZE + 1;
	}
	if (!rc && !it.done)
		rc = -ENOENT;
	if (rc && it.cur != iova)
		iopt_access_unpin_range(iopt, access, iova, it.cur - 1);
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_access_unpin_pages() - Release pages pinned by iopt_access_pin_pages()
 * @iopt: the io_pagetable
 * @access: the access
 * @iova: the IOVA given when pinning
 * @length: the length given when pinning
 *
 * Context: takes iova_rwsem.
 */
void iopt_access_unpin_pages(struct io_pagetable *iopt,
			     struct iommufd_access *access, unsigned long iova,
			     unsigned long length)
{
	unsigned long last;

	if (WARN_ON(!length || check_add_overflow(iova, length - 1, &last)))
		return;
	down_read(&iopt->iova_rwsem);
	iopt_access_unpin_range(iopt, access, iova, last);
	up_read(&iopt->iova_rwsem);
}

/**
 * iopt_access_rw() - Copy between a kernel buffer and an IOVA range
 * @iopt: the io_pagetable
 * @iova: first IOVA
 * @data: kernel buffer
 * @length: bytes, not 0
 * @flags: IOMMUFD_ACCESS_RW_*
 *
 * Context: takes iova_rwsem, may sleep.
 * Return: 0, -ENOENT if part of the range is not mapped, -EPERM, -EFAULT.
 */
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova, void *data,
		   size_t length, unsigned int flags)
{
	struct iopt_contig it;
	struct iopt_area *area;
	unsigned long last;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_contig_first(iopt, &it, iova, last); area;
	     area = iopt_contig_next(iopt, &it)) {
		unsigned long n = it.piece_last - it.cur + 1;

		if (area->prevent_access) {
			rc = -EINVAL;
			break;
		}
		if (!iopt_area_allows(area, flags)) {
			rc = -EPERM;
			break;
		}
		rc = iopt_pages_rw(area->pages,
				   iopt_area_iova_to_byte(area, it.cur), data, n,
				   flags);
		if (rc)
			break;
		data += n;
	}
	if (!rc && !it.done)
		rc = -ENOENT;
	up_read(&iopt->iova_rwsem);
	return rc;
}

/* Moving the accounting of memfd areas to another process */

static bool iopt_pages_owner_differs(struct iopt_pages *pages)
{
	switch (pages->account_mode) {
	case IOPT_PAGES_ACCOUNT_USER:
		return pages->source_mm != current->mm ||
		       pages->source_user != current_user();
	default:
		/* pinned_vm follows the mm in every mode */
		return pages->source_mm != current->mm;
	}
}

static int iopt_collect_pages(struct io_pagetable *iopt,
			      struct list_head *list)
{
	struct interval_tree_node *node;

	lockdep_assert_held_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct iopt_pages *pages =
			container_of(node, struct iopt_area, node)->pages;

		if (pages->type != IOPT_PAGES_FILE)
			return -EINVAL;
		if (list_empty(&pages->change_item))
			list_add_tail(&pages->change_item, list);
	}
	return 0;
}

/**
 * iopt_change_process() - Charge every memfd mapping to the calling process
 * @iopts: every io_pagetable of the context, each with iova_rwsem held for
 *	write by the caller
 * @num: number of entries in @iopts
 *
 * The caller is charged first, then the previous owners are uncharged and
 * the caller becomes the owner of every page set, all or nothing.
 *
 * Return: 0, -EINVAL if any area is not memfd backed, -ENOMEM if a charge
 * exceeds RLIMIT_MEMLOCK.
 */
int iopt_change_process(struct io_pagetable **iopts, unsigned int num)
{
	struct task_struct *task = current->group_leader;
	struct user_struct *user = current_user();
	bool exempt = capable(CAP_IPC_LOCK);
	struct mm_struct *mm = current->mm;
	struct iopt_pages *pages, *tmp;
	LIST_HEAD(list);
	unsigned int i;
	int rc = 0;

	if (!mm)
		return -EINVAL;

	for (i = 0; i != num; i++) {
		rc = iopt_collect_pages(iopts[i], &list);
		if (rc)
			goto out_list;
	}

	list_for_each_entry(pages, &list, change_item) {
		if (!iopt_pages_owner_differs(pages))
			continue;
		mutex_lock(&pages->mutex);
		rc = iopt_account_to(pages->account_mode, user, mm, task,
				     exempt, pages->npinned, true);
		mutex_unlock(&pages->mutex);
		if (rc)
			goto err_uncharge;
	}

	list_for_each_entry(pages, &list, change_item) {
		mutex_lock(&pages->mutex);
		if (iopt_pages_owner_differs(pages))
			iopt_account_to(pages->account_mode,
					pages->source_user, pages->source_mm,
					pages->source_task,
					pages->rlimit_exempt, pages->npinned,
					false);
		if (pages->source_mm != mm) {
			mmgrab(mm);
			mmdrop(pages->source_mm);
			pages->source_mm = mm;
		}
		if (pages->source_task != task) {
			get_task_struct(task);
			put_task_struct(pages->source_task);
			pages->source_task = task;
		}
		if (pages->source_user != user) {
			get_uid(user);
			free_uid(pages->source_user);
			pages->source_user = user;
		}
		pages->rlimit_exempt = exempt;
		mutex_unlock(&pages->mutex);
	}
	goto out_list;

err_uncharge:
	list_for_each_entry_continue_reverse(pages, &list, change_item) {
		if (!iopt_pages_owner_differs(pages))
			continue;
		mutex_lock(&pages->mutex);
		iopt_account_to(pages->account_mode, user, mm, task, exempt,
				pages->npinned, false);
		mutex_unlock(&pages->mutex);
	}
out_list:
	list_for_each_entry_safe(pages, tmp, &list, change_item)
		list_del_init(&pages->change_item);
	return rc;
}

/* Dirty tracking */

struct iopt_dirty_walk {
	struct io_pagetable *iopt;
	struct iommu_domain *domain;
	unsigned long flags;
};

/* Read and clear the dirty bits of the mapped parts of [iova, last] */
static int iopt_walk_dirty(struct io_pagetable *iopt,
			   struct iommu_domain *domain, unsigned long iova,
			   unsigned long last, unsigned long flags,
			   struct iommu_dirty_bitmap *dirty)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	struct interval_tree_node *node;
	int rc = 0;

	for (node = interval_tree_iter_first(&iopt->area_itree, iova, last);
	     node; node = interval_tree_iter_next(node, iova, last)) {
		unsigned long start = max(node->start, iova);
		unsigned long end = min(node->last, last);

		rc = ops->read_and_clear_dirty(domain, start, end - start + 1,
					       flags, dirty);
		if (rc)
			break;
	}
	return rc;
}

static int iopt_dirty_chunk(struct iova_bitmap *bitmap, unsigned long iova,
			    size_t length, void *opaque)
{
	struct iopt_dirty_walk *walk = opaque;
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	int rc;

	iommu_iotlb_gather_init(&gather);
	iommu_dirty_bitmap_init(&dirty, bitmap, &gather);
	rc = iopt_walk_dirty(walk->iopt, walk->domain, iova, iova + length - 1,
			     walk->flags, &dirty);
	if (!(walk->flags & IOMMU_DIRTY_NO_CLEAR))
		iommu_iotlb_sync(walk->domain, &gather);
	return rc;
}

/**
 * iopt_read_and_clear_dirty_data() - Report dirty IOVA into a user bitmap
 * @iopt: the io_pagetable mapped by @domain
 * @domain: a domain with dirty_ops
 * @flags: IOMMU_DIRTY_NO_CLEAR or 0
 * @bitmap: the request: range, bitmap granule and user buffer
 *
 * Context: takes iova_rwsem.
 * A granule finer than the IOMMU page is accepted, as upstream does: a dirty
 * IOMMU page then sets every bit it covers.
 *
 * Return: 0, -EOPNOTSUPP without dirty tracking support, -EINVAL for a
 * granule that is not a power of two or a range not aligned to it or to the
 * io_pagetable's alignment, -EOVERFLOW, -EFAULT, -ENOMEM.
 */
int iopt_read_and_clear_dirty_data(struct io_pagetable *iopt,
				   struct iommu_domain *domain,
				   unsigned long flags,
				   struct iommu_hwpt_get_dirty_bitmap *bitmap)
{
	struct iopt_dirty_walk walk = {
		.iopt = iopt, .domain = domain, .flags = flags,
	};
	struct iova_bitmap *iter;
	u64 last;
	int rc;

	if (!domain->dirty_ops || !domain->dirty_ops->read_and_clear_dirty)
		return -EOPNOTSUPP;
	if (!bitmap->length)
		return -EINVAL;
	if (check_add_overflow(bitmap->iova, bitmap->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;
	if (!bitmap->page_size || !is_power_of_2(bitmap->page_size) ||
	    bitmap->page_size > ULONG_MAX)
		return -EINVAL;

	down_read(&iopt->iova_rwsem);
	if (((bitmap->iova | (last + 1)) & (iopt->iova_alignment - 1)) ||
	    (bitmap->iova & (bitmap->page_size - 1)) ||
	    ((last + 1) & (bitmap->page_size - 1))) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iter = iova_bitmap_alloc(bitmap->iova, bitmap->length,
				 bitmap->page_size,
				 u64_to_user_ptr(bitmap->data));
	if (IS_ERR(iter)) {
		rc = PTR_ERR(iter);
		goto out_unlock;
	}
	rc = iova_bitmap_for_each(iter, &walk, iopt_dirty_chunk);
	iova_bitmap_free(iter);
out_unlock:
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_set_dirty_tracking() - Start or stop dirty tracking on a domain
 * @iopt: the io_pagetable mapped by @domain
 * @domain: a domain with dirty_ops
 * @enable: start (after clearing stale dirty bits) or stop
 *
 * Context: takes iova_rwsem.
 * Return: 0, -EOPNOTSUPP, or the driver's error.
 */
int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	int rc = 0;

	if (!ops || !ops->set_dirty_tracking)
		return -EOPNOTSUPP;

	down_read(&iopt->iova_rwsem);
	if (enable) {
		/* Start from a clean state: drop bits set before tracking */
		iommu_iotlb_gather_init(&gather);
		iommu_dirty_bitmap_init(&dirty, NULL, &gather);
		rc = iopt_walk_dirty(iopt, domain, 0, ULONG_MAX, 0, &dirty);
		iommu_iotlb_sync(domain, &gather);
		if (rc)
			goto out_unlock;
	}
	rc = ops->set_dirty_tracking(domain, enable);
out_unlock:
	up_read(&iopt->iova_rwsem);
	return rc;
}
