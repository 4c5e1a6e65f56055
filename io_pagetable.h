/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the IOVA space (io_pagetable.c) and of pinned memory
 * (pages.c). Nothing outside those two files and their KUnit tests includes
 * this header.
 *
 * Model
 * -----
 * An io_pagetable is a set of non-overlapping *areas*. Each area maps a byte
 * range of IOVA onto a byte range of an *iopt_pages*, the description of some
 * user memory (a user VA range, a memfd range or a dma-buf range; the last
 * is never pinned, see pages_dmabuf.c). Several areas, possibly in
 * different io_pagetables of one context, may point into the same
 * iopt_pages (IOAS_COPY); the iopt_pages is reference counted.
 *
 * Every page of an iopt_pages is pinned at most once, however many users it
 * has. The users of a page are:
 *   - areas that are mapped into iommu_domains ("filled"): such an area is in
 *     pages->domains_itree and its PFNs can be read back from its
 *     storage_domain;
 *   - accesses (emulated devices) that pinned a range: an iopt_pages_access
 *     in pages->access_itree, whose PFNs are kept in pages->pinned_pfns.
 * A page is pinned when it gains its first user and unpinned when it loses
 * its last one. pinned_pfns holds exactly the indexes covered by
 * access_itree, nothing else, so an IOAS with domains costs no PFN storage
 * beyond the IO page tables themselves.
 *
 * When an io_pagetable has no domain, nothing is pinned for its areas until
 * an access or a domain needs them.
 *
 * Units and intervals
 * -------------------
 * IOVAs and lengths are in bytes; page indexes count PAGE_SIZE pages from
 * the (page aligned) start of the iopt_pages. Every interval tree node uses
 * an inclusive last, so [0, ULONG_MAX] is representable and "last + 1" may
 * wrap: code compares lasts, never ends.
 *
 * An area's first byte may sit inside its first page (page_offset) and its
 * last byte inside its last page, so the IOVA of page index i of area A is
 * A->node.start - A->page_offset + (i - A->pages_node.start) * PAGE_SIZE,
 * clipped to the area.
 *
 * Locking
 * -------
 * Lock order: iopt->domains_rwsem, then iopt->iova_rwsem, then
 * pages->mutex. When two io_pagetables are involved (COPY) their locks are
 * never held at the same time.
 *
 *   domains_rwsem  protects iopt->domains, iopt->next_domain_id and the
 *                  membership of iopt->access_list.
 *   iova_rwsem     protects the four interval trees of the iopt, every area
 *                  field except those listed under pages->mutex, and
 *                  iopt->iova_alignment / disable_large_pages (which only
 *                  change with domains_rwsem held for write as well).
 *   pages->mutex   protects the pages' trees, pinned_pfns, npinned and the
 *                  accounting owner; and area->storage_domain /
 *                  area->pages_node membership (also written with iova_rwsem
 *                  held, so iova_rwsem holders may read them).
 *                  area->num_accesses changes under pages->mutex with
 *                  iova_rwsem held for read, so the write side of iova_rwsem
 *                  alone is enough to read it (unmap does).
 *
 * Nothing pins user memory with iova_rwsem held: a map claims its IOVA in
 * pending_itree, drops iova_rwsem, pins and fills the domains with only
 * domains_rwsem held for read, then publishes the area (see
 * iopt_insert_pieces()). A pending area is reachable only by its mapper
 * and, once filled, through pages->domains_itree under pages->mutex.
 *
 * Destroy paths never allocate: batches fall back to on-stack memory.
 */
#ifndef __IOMMUFD_IO_PAGETABLE_H
#define __IOMMUFD_IO_PAGETABLE_H

#include "iommufd_private.h"

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

struct iommu_domain;
struct file;
struct iopt_pages;

/*
 * struct iopt_area - one mapping of an io_pagetable
 * @node: the IOVA range, in iopt->area_itree
 * @pages_node: the page index range in @pages; in pages->domains_itree while
 *	@storage_domain is set
 * @iopt: owner
 * @pages: the memory mapped, one kref held
 * @storage_domain: while the area is mapped into domains, the one its PFNs
 *	are read back from; NULL when the iopt has no domain
 * @page_offset: byte offset of @node.start inside the first page
 * @iommu_prot: IOMMU_READ/IOMMU_WRITE/... for iommu_map()
 * @prevent_access: being unmapped, new access pins are refused
 * @num_accesses: access pins currently taken through this area
 * @num_locks: internal users (HW queues) that forbid unmapping the area
 * @contig_blocks: while filled, bit N set means the pages of block N (the
 *	IOPT_CONTIG_BLOCK pages from pages_node.start + N * IOPT_CONTIG_BLOCK)
 *	have consecutive PFNs, so reading them back from a domain takes one
 *	lookup instead of one per page; NULL if unknown
 */
struct iopt_area {
	struct interval_tree_node node;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	struct interval_tree_node pages_node;
	unsigned int page_offset;
	int iommu_prot;
	struct iommu_domain *storage_domain;
	unsigned int num_accesses;
	unsigned int num_locks;
	bool prevent_access : 1;
	unsigned long *contig_blocks;
};

/* Pages per bit of iopt_area.contig_blocks: a 2 MiB huge page of 4 KiB */
#define IOPT_CONTIG_BLOCK 512UL

/*
 * struct iopt_range - an entry of iopt->allowed_itree or iopt->reserved_itree
 * @owner: reserved ranges only: the cookie that removes them (a domain, a
 *	device, or NULL for test ranges)
 * @node: the IOVA range
 */
struct iopt_range {
	void *owner;
	struct interval_tree_node node;
};

enum iopt_pages_type {
	IOPT_PAGES_USER,
	IOPT_PAGES_FILE,
	IOPT_PAGES_DMABUF,
};

/*
 * struct iopt_pages - memory that areas map
 * @kref: one per area pointing here
 * @mutex: see the locking section above
 * @npages: number of PAGE_SIZE pages
 * @npinned: pages currently pinned, and charged to the owner
 * @type: enum iopt_pages_type
 * @account_mode: IOPT_PAGES_ACCOUNT_*
 * @writable: pinned for write, IOMMU_WRITE mappings are allowed
 * @rlimit_exempt: the creator had CAP_IPC_LOCK, RLIMIT_MEMLOCK not enforced
 * @uptr: page aligned user VA of index 0 (IOPT_PAGES_USER)
 * @file: the memfd, referenced (IOPT_PAGES_FILE)
 * @start: page aligned file offset of index 0 (IOPT_PAGES_FILE), or
 *	dma-buf offset (IOPT_PAGES_DMABUF, whose @file is NULL)
 * @dmabuf: the dma-buf state (IOPT_PAGES_DMABUF), see pages_dmabuf.c
 * @source_mm: the mm pinned from and charged (mmgrab held)
 * @source_task: its thread group leader, for RLIMIT_MEMLOCK (ref held)
 * @source_user: the user charged in IOPT_PAGES_ACCOUNT_USER mode (ref held)
 * @pinned_pfns: index -> xa_mk_value(pfn) for every index in @access_itree
 * @domains_itree: iopt_area::pages_node of the filled areas
 * @access_itree: struct iopt_pages_access
 * @change_item: scratch list entry used by iopt_change_process()
 */
struct iopt_pages {
	struct kref kref;
	struct mutex mutex; /* see the locking section above */
	unsigned long npages;
	unsigned long npinned;
	u8 type;
	u8 account_mode;
	bool writable : 1;
	bool rlimit_exempt : 1;
	union {
		void __user *uptr;
		struct {
			struct file *file;
			loff_t start;
		};
	};
	struct iopt_dmabuf *dmabuf;
	struct mm_struct *source_mm;
	struct task_struct *source_task;
	struct user_struct *source_user;
	struct xarray pinned_pfns;
	struct rb_root_cached domains_itree;
	struct rb_root_cached access_itree;
	struct list_head change_item;
};

/*
 * struct iopt_pages_access - a range of page indexes pinned by accesses
 * @node: the index range, in pages->access_itree
 * @users: pins of exactly this range
 */
struct iopt_pages_access {
	struct interval_tree_node node;
	unsigned int users;
};

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Byte offset inside the pages of the area's first byte */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area)
{
	return area->pages_node.start * PAGE_SIZE + area->page_offset;
}

/* Byte offset inside the pages of IOVA @iova of @area */
static inline unsigned long iopt_area_iova_to_byte(struct iopt_area *area,
						   unsigned long iova)
{
	return iopt_area_start_byte(area) + (iova - area->node.start);
}

static inline unsigned long iopt_area_iova_to_index(struct iopt_area *area,
						    unsigned long iova)
{
	return iopt_area_iova_to_byte(area, iova) / PAGE_SIZE;
}

/* First IOVA of page index @index inside @area */
static inline unsigned long iopt_area_index_to_iova(struct iopt_area *area,
						    unsigned long index)
{
	if (index == area->pages_node.start)
		return area->node.start;
	return area->node.start - area->page_offset +
	       (index - area->pages_node.start) * PAGE_SIZE;
}

/* Last IOVA of page index @index inside @area */
static inline unsigned long
iopt_area_index_to_last_iova(struct iopt_area *area, unsigned long index)
{
	unsigned long first = iopt_area_index_to_iova(area, index);
	unsigned long room = area->node.last - first;
	unsigned long in_page = PAGE_SIZE - 1;

	if (index == area->pages_node.start)
		in_page -= area->page_offset;
	return first + min(room, in_page);
}

/*
 * Span walk over up to two interval trees. Each step yields the longest
 * prefix of [pos, last] that is either uncovered (@tree == -1) or covered by
 * one node of tree @tree; trees earlier in the array win where both cover.
 */
struct iopt_span {
	unsigned long start;
	unsigned long last;
	int tree;
	struct interval_tree_node *node;
};

void iopt_span_get(struct rb_root_cached *const *trees, unsigned int ntrees,
		   unsigned long pos, unsigned long last,
		   struct iopt_span *span);

/*
 * PFNs as runs of contiguous PFNs. The arrays live in temporary memory whose
 * size is bounded, so any range is processed in several batches.
 */
struct iopt_batch {
	unsigned long *pfns;
	u32 *npfns;
	unsigned int capacity;
	unsigned int nruns;
	unsigned long total;
	struct page **scratch;
	unsigned int scratch_len;
	bool allocated;
};

/* On-stack fallback so that teardown never depends on an allocation */
#define IOPT_BATCH_BACKUP_BYTES 128

void iopt_batch_init(struct iopt_batch *batch, unsigned long want_pages,
		     void *backup, size_t backup_len);
void iopt_batch_destroy(struct iopt_batch *batch, void *backup);

static inline void iopt_batch_clear(struct iopt_batch *batch)
{
	batch->nruns = 0;
	batch->total = 0;
}

static inline bool iopt_batch_full(struct iopt_batch *batch)
{
	return batch->nruns == batch->capacity;
}

/**
 * iopt_batch_add() - Append PFNs to a batch
 * @batch: the batch
 * @pfn: first PFN
 * @count: number of contiguous PFNs starting at @pfn
 *
 * The PFNs extend the last run when they follow it, otherwise they start a
 * new run.
 *
 * Return: false if a new run was needed and the batch is full; nothing is
 * added then.
 */
static inline bool iopt_batch_add(struct iopt_batch *batch,
				  unsigned long pfn, unsigned long count)
{
	if (batch->nruns) {
		unsigned int i = batch->nruns - 1;

		if (batch->pfns[i] + batch->npfns[i] == pfn &&
		    count <= U32_MAX - batch->npfns[i]) {
			batch->npfns[i] += count;
			batch->total += count;
			return true;
		}
	}
	if (iopt_batch_full(batch) || count > U32_MAX)
		return false;
	batch->pfns[batch->nruns] = pfn;
	batch->npfns[batch->nruns] = lower_32_bits(count);
	batch->nruns++;
	batch->total += count;
	return true;
}

/* IOVA allocation helpers, plain data so KUnit can drive them */
unsigned long iopt_pick_alignment(unsigned long addr, unsigned long length,
				  unsigned long min_align);
bool iopt_fit_in_span(unsigned long start, unsigned long last,
		      unsigned long length, unsigned long align,
		      unsigned long phase, unsigned long *out);
int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
		    unsigned long addr, unsigned long length);

/* pages.c, used by io_pagetable.c */
struct iopt_pages *iopt_pages_new(unsigned long npages, bool writable,
				  u8 account_mode);
struct iopt_pages *iopt_alloc_user_pages(void __user *uptr,
					 unsigned long length, bool writable,
					 u8 account_mode);
struct iopt_pages *iopt_alloc_file_pages(struct file *file, loff_t start,
					 unsigned long length, bool writable,
					 u8 account_mode);
void iopt_release_pages(struct kref *kref);

static inline void iopt_put_pages(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_release_pages);
}

int iopt_area_fill_domains(struct iopt_area *area, struct io_pagetable *iopt,
			   struct iommu_domain *only);
void iopt_area_unfill_domains(struct iopt_area *area,
			      struct io_pagetable *iopt);
void iopt_area_unfill_domain(struct iopt_area *area,
			     struct iommu_domain *domain,
			     struct iommu_domain *new_storage);

int iopt_area_add_access(struct iopt_area *area, unsigned long first,
			 unsigned long last, struct page **out_pages,
			 unsigned int flags);
void iopt_area_remove_access(struct iopt_area *area, unsigned long first,
			     unsigned long last);
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, unsigned int flags);

int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages);
void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages);
int iopt_account_to(u8 mode, struct user_struct *user, struct mm_struct *mm,
		    struct task_struct *task, bool exempt, unsigned long npages,
		    bool inc);

/* pages_dmabuf.c; without dma-buf support no pages are IOPT_PAGES_DMABUF */
struct dma_buf;
#if IS_ENABLED(CONFIG_DMA_SHARED_BUFFER)
struct iopt_pages *iopt_alloc_dmabuf_pages(struct dma_buf *dmabuf,
					   loff_t start, unsigned long length,
					   bool writable);
void iopt_dmabuf_release(struct iopt_pages *pages);
int iopt_dmabuf_fill_domains(struct iopt_area *area, struct io_pagetable *iopt,
			     struct iommu_domain *only);
void iopt_dmabuf_unfill_domain(struct iopt_area *area,
			       struct iommu_domain *domain);
#else
static inline struct iopt_pages *
iopt_alloc_dmabuf_pages(struct dma_buf *dmabuf, loff_t start,
			unsigned long length, bool writable)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iopt_dmabuf_release(struct iopt_pages *pages)
{
}

static inline int iopt_dmabuf_fill_domains(struct iopt_area *area,
					   struct io_pagetable *iopt,
					   struct iommu_domain *only)
{
	return -EOPNOTSUPP;
}

static inline void iopt_dmabuf_unfill_domain(struct iopt_area *area,
					     struct iommu_domain *domain)
{
}
#endif

#endif /* __IOMMUFD_IO_PAGETABLE_H */
