// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinned memory behind the areas of an io_pagetable.
 *
 * This file owns pinning and unpinning, accounting, PFN storage for accesses
 * and the filling and unfilling of iommu_domains. See io_pagetable.h for the
 * model; in short, a page index of an iopt_pages has a pin while at least one
 * filled area or one access covers it, and the PFN of a pinned index is found
 * either in pinned_pfns (access covered) or in the storage domain of a filled
 * area covering it.
 *
 * All work is done in batches: runs of contiguous PFNs collected into a small
 * temporary buffer, then mapped with one iommu_map() per run (so huge pages
 * become huge IOMMU pages), or unpinned with one call per run.
 *
 * Unmapping always cuts the IOVA space either at a batch boundary used when
 * mapping or at a PFN discontinuity, so it never cuts through a large IOMMU
 * page installed by a single iommu_map() of a contiguous run.
 */
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "io_pagetable.h"

#ifdef CONFIG_IOMMUFD_TEST
#define IOPT_TEMP_MEMORY_LIMIT iommufd_test_memory_limit
#else
#define IOPT_TEMP_MEMORY_LIMIT 65536UL
#endif

/* Bytes of batch memory per page of capacity: one run and one scratch slot */
#define IOPT_BATCH_ENTRY_BYTES \
	(sizeof(unsigned long) + sizeof(u32) + sizeof(struct page *))

/**
 * iopt_batch_init() - Prepare a batch
 * @batch: batch to set up
 * @want_pages: pages the caller intends to process, used to size the buffer
 * @backup: caller memory used when no buffer can be allocated
 * @backup_len: size of @backup, at least IOPT_BATCH_ENTRY_BYTES
 *
 * Never fails: teardown paths rely on being able to make progress with the
 * on-stack @backup alone.
 */
void iopt_batch_init(struct iopt_batch *batch, unsigned long want_pages,
		     void *backup, size_t backup_len)
{
	size_t bytes = IOPT_TEMP_MEMORY_LIMIT;
	void *buf = NULL;
	unsigned int n;

	if (want_pages < bytes / IOPT_BATCH_ENTRY_BYTES)
		bytes = max_t(size_t, want_pages, 1) * IOPT_BATCH_ENTRY_BYTES;
	if (bytes > backup_len)
		buf = kmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
					     __GFP_NORETRY);
	/* A fragmented system may still have a single page to offer */
	if (!buf && bytes > PAGE_SIZE && PAGE_SIZE > backup_len) {
		bytes = PAGE_SIZE;
		buf = kmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	}
	batch->allocated = buf;
	if (!buf) {
		buf = backup;
		bytes = backup_len;
	}
	n = min_t(size_t, bytes / IOPT_BATCH_ENTRY_BYTES, U32_MAX);
	batch->pfns = buf;
	batch->scratch = (struct page **)(batch->pfns + n);
	batch->npfns = (u32 *)(batch->scratch + n);
	batch->capacity = n;
	batch->scratch_len = n;
	iopt_batch_clear(batch);
}

/**
 * iopt_batch_destroy() - Free the memory of a batch
 * @batch: batch set up by iopt_batch_init()
 * @backup: the backup given to iopt_batch_init()
 */
void iopt_batch_destroy(struct iopt_batch *batch, void *backup)
{
	if (batch->allocated)
		kfree(batch->pfns);
}

/* Accounting */

/**
 * iopt_account_to() - Charge or uncharge pinned pages to an owner
 * @mode: IOPT_PAGES_ACCOUNT_*
 * @user: the user charged in USER mode
 * @mm: the mm whose pinned_vm always moves, and locked_vm in MM mode
 * @task: the task whose RLIMIT_MEMLOCK applies
 * @exempt: do not enforce RLIMIT_MEMLOCK (CAP_IPC_LOCK)
 * @npages: number of pages
 * @inc: charge (true) or uncharge (false)
 *
 * Return: 0, or -ENOMEM when the charge would exceed the limit (nothing is
 * charged then). Uncharging never fails.
 */
int iopt_account_to(u8 mode, struct user_struct *user, struct mm_struct *mm,
		    struct task_struct *task, bool exempt, unsigned long npages,
		    bool inc)
{
	unsigned long limit, cur;
	int rc;

	if (!npages)
		return 0;

	switch (mode) {
	case IOPT_PAGES_ACCOUNT_USER:
		if (!inc) {
			WARN_ON(atomic_long_read(&user->locked_vm) < npages);
			atomic_long_sub(npages, &user->locked_vm);
			break;
		}
		limit = task_rlimit(task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (!exempt && (cur + npages < cur ||
					cur + npages > limit))
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + npages));
		break;
	case IOPT_PAGES_ACCOUNT_MM:
		if (!mmget_not_zero(mm)) {
			/* A dead mm's locked_vm no longer matters */
			if (inc)
				return -EFAULT;
			break;
		}
		mmap_write_lock(mm);
		rc = __account_locked_vm(mm, npages, inc, task, exempt);
		mmap_write_unlock(mm);
		mmput(mm);
		if (rc)
			return rc;
		break;
	default:
		break;
	}

	if (inc)
		atomic64_add(npages, &mm->pinned_vm);
	else
		atomic64_sub(npages, &mm->pinned_vm);
	return 0;
}

/**
 * iopt_pages_charge() - Charge newly pinned pages to the pages' owner
 * @pages: the pages, mutex held
 * @npages: number of pages just pinned
 *
 * Return: 0 or -ENOMEM.
 */
int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages)
{
	int rc;

	lockdep_assert_held(&pages->mutex);
	rc = iopt_account_to(pages->account_mode, pages->source_user,
			     pages->source_mm, pages->source_task,
			     pages->rlimit_exempt, npages, true);
	if (!rc)
		pages->npinned += npages;
	return rc;
}

/**
 * iopt_pages_uncharge() - Uncharge pages about to be unpinned
 * @pages: the pages, mutex held
 * @npages: number of pages
 */
void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages)
{
	lockdep_assert_held(&pages->mutex);
	if (WARN_ON(pages->npinned < npages))
		npages = pages->npinned;
	pages->npinned -= npages;
	iopt_account_to(pages->account_mode, pages->source_user,
			pages->source_mm, pages->source_task,
			pages->rlimit_exempt, npages, false);
}

/* Creation and release */

/**
 * iopt_pages_new() - Allocate empty iopt_pages owned by the current process
 * @npages: number of PAGE_SIZE pages
 * @writable: pin for write
 * @account_mode: IOPT_PAGES_ACCOUNT_*
 *
 * The caller sets the type and the source of the memory.
 *
 * Return: the pages with one reference, or ERR_PTR(-ENOMEM).
 */
struct iopt_pages *iopt_pages_new(unsigned long npages, bool writable,
				  u8 account_mode)
{
	struct iopt_pages *pages;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	/*
	 * As upstream: the pins of a CAP_IPC_LOCK process are not charged to
	 * its user's locked_vm (pinned_vm still counts them). MM mode, VFIO
	 * type1's, keeps charging the mm, only without the limit.
	 */
	if (account_mode == IOPT_PAGES_ACCOUNT_USER && capable(CAP_IPC_LOCK))
		account_mode = IOPT_PAGES_ACCOUNT_NONE;
	pages->npages = npages;
	pages->writable = writable;
	pages->account_mode = account_mode;
	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	INIT_LIST_HEAD(&pages->change_item);
	pages->domains_itree = RB_ROOT_CACHED;
	pages->access_itree = RB_ROOT_CACHED;
	xa_init_flags(&pages->pinned_pfns, XA_FLAGS_ACCOUNT);
	pages->rlimit_exempt = capable(CAP_IPC_LOCK);
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_user = get_uid(current_user());
	return pages;
}

/**
 * iopt_alloc_user_pages() - Describe a range of user VA as iopt_pages
 * @uptr: first byte
 * @length: number of bytes, not 0
 * @writable: pin for write
 * @account_mode: IOPT_PAGES_ACCOUNT_*
 *
 * Nothing is pinned yet; the current process becomes the owner.
 *
 * Return: the pages with one reference, or an ERR_PTR.
 */
struct iopt_pages *iopt_alloc_user_pages(void __user *uptr,
					 unsigned long length, bool writable,
					 u8 account_mode)
{
	unsigned long start = (uintptr_t)uptr;
	struct iopt_pages *pages;
	unsigned long end;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length, &end) ||
	    end > ULONG_MAX - PAGE_SIZE)
		return ERR_PTR(-EOVERFLOW);

	pages = iopt_pages_new(DIV_ROUND_UP(end, PAGE_SIZE) -
				       start / PAGE_SIZE,
			       writable, account_mode);
	if (IS_ERR(pages))
		return pages;
	pages->type = IOPT_PAGES_USER;
	pages->uptr = (void __user *)ALIGN_DOWN(start, PAGE_SIZE);
	return pages;
}

/**
 * iopt_alloc_file_pages() - Describe a range of a memfd as iopt_pages
 * @file: a shmem or hugetlbfs file; a reference is taken
 * @start: byte offset of the first byte
 * @length: number of bytes, not 0
 * @writable: pin for write
 * @account_mode: IOPT_PAGES_ACCOUNT_*
 *
 * Return: the pages with one reference, or an ERR_PTR: -EINVAL for another
 * kind of file or a range that is not inside the file.
 */
struct iopt_pages *iopt_alloc_file_pages(struct file *file, loff_t start,
					 unsigned long length, bool writable,
					 u8 account_mode)
{
	struct iopt_pages *pages;
	loff_t end;

	if (!length || start < 0)
		return ERR_PTR(-EINVAL);
	if (!shmem_file(file) && !is_file_hugepages(file))
		return ERR_PTR(-EINVAL);
	if (length > LLONG_MAX || check_add_overflow(start, (loff_t)length, &end))
		return ERR_PTR(-EOVERFLOW);
	if (end > i_size_read(file_inode(file)))
		return ERR_PTR(-EINVAL);

	pages = iopt_pages_new(DIV_ROUND_UP(end, PAGE_SIZE) -
				       start / PAGE_SIZE,
			       writable, account_mode);
	if (IS_ERR(pages))
		return pages;
	pages->type = IOPT_PAGES_FILE;
	pages->file = get_file(file);
	pages->start = ALIGN_DOWN(start, PAGE_SIZE);
	return pages;
}

/**
 * iopt_release_pages() - kref release of struct iopt_pages
 * @kref: the kref of the pages
 *
 * The last area is gone, so nothing may be pinned any more.
 */
void iopt_release_pages(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	WARN_ON(pages->npinned);
	WARN_ON(!RB_EMPTY_ROOT(&pages->domains_itree.rb_root));
	WARN_ON(!RB_EMPTY_ROOT(&pages->access_itree.rb_root));
	WARN_ON(!xa_empty(&pages->pinned_pfns));
	mmdrop(pages->source_mm);
	put_task_struct(pages->source_task);
	free_uid(pages->source_user);
	if (pages->type == IOPT_PAGES_FILE)
		fput(pages->file);
	if (pages->type == IOPT_PAGES_DMABUF)
		iopt_dmabuf_release(pages);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/* Pinning */

static void iopt_unpin_run(struct iopt_pages *pages, unsigned long pfn,
			   unsigned long count)
{
	unpin_user_page_range_dirty_lock(pfn_to_page(pfn), count,
					 pages->writable);
}

static void iopt_unpin_scratch(struct iopt_batch *batch,
			       struct iopt_pages *pages, unsigned int *nr)
{
	unpin_user_pages_dirty_lock(batch->scratch, *nr, pages->writable);
	*nr = 0;
}

/*
 * Unpin and uncharge @count PFNs of @batch starting @skip PFNs into it.
 */
static void iopt_batch_unpin(struct iopt_batch *batch,
			     struct iopt_pages *pages, unsigned long skip,
			     unsigned long count)
{
	unsigned int i, nr_single = 0;
	unsigned long done = 0;

	for (i = 0; i != batch->nruns && done != count; i++) {
		unsigned long n = batch->npfns[i];

		if (skip >= n) {
			skip -= n;
			continue;
		}
		n = min(n - skip, count - done);
		/*
		 * Scattered 4 KiB memory is all single-page runs: collect
		 * them and unpin them with one call instead of one each.
		 */
		if (n == 1) {
			if (nr_single == batch->scratch_len)
				iopt_unpin_scratch(batch, pages, &nr_single);
			batch->scratch[nr_single++] =
				pfn_to_page(batch->pfns[i] + skip);
		} else {
			iopt_unpin_run(pages, batch->pfns[i] + skip, n);
		}
		done += n;
		skip = 0;
	}
	if (nr_single)
		iopt_unpin_scratch(batch, pages, &nr_single);
	WARN_ON(done != count);
	iopt_pages_uncharge(pages, done);
}

static long iopt_pin_user(struct iopt_pages *pages, unsigned long index,
			  unsigned long npages, struct page **out)
{
	unsigned long uptr = (uintptr_t)pages->uptr + index * PAGE_SIZE;
	unsigned int gup_flags = FOLL_LONGTERM;
	struct mm_struct *mm = pages->source_mm;
	int locked = 1;
	long rc;

	if (pages->writable)
		gup_flags |= FOLL_WRITE;

	if (current->mm == mm) {
		rc = pin_user_pages_fast(uptr, npages, gup_flags, out);
	} else {
		/* Another process mapped it; pin through its mm if alive */
		if (!mmget_not_zero(mm))
			return -EFAULT;
		mmap_read_lock(mm);
		rc = pin_user_pages_remote(mm, uptr, npages, gup_flags, out,
					   &locked);
		if (locked)
			mmap_read_unlock(mm);
		mmput(mm);
	}
	if (rc == 0)
		return -EFAULT;
	return rc;
}

/*
 * memfd_pin_folios() pins a folio once however many of its pages are
 * requested, while everything here counts one pin per page, so pin page by
 * page.
 */
static long iopt_pin_file(struct iopt_pages *pages, unsigned long index,
			  unsigned long npages, struct page **out)
{
	unsigned long i;

	for (i = 0; i != npages; i++) {
		loff_t pos = pages->start + (loff_t)(index + i) * PAGE_SIZE;
		struct folio *folio;
		pgoff_t offset;
		long rc;

		rc = memfd_pin_folios(pages->file, pos, pos + PAGE_SIZE - 1,
				      &folio, 1, &offset);
		if (rc <= 0) {
			if (i)
				break;
			return rc ? rc : -EFAULT;
		}
		out[i] = folio_page(folio, offset / PAGE_SIZE);
	}
	return i;
}

/*
 * Pin the pages [index, last] from their source into the empty @batch until
 * it is full. The pins are charged. On failure the batch is left empty and
 * nothing stays pinned.
 */
static int iopt_pages_pin(struct iopt_pages *pages, unsigned long index,
			  unsigned long last, struct iopt_batch *batch)
{
	int rc;

	lockdep_assert_held(&pages->mutex);
	WARN_ON(batch->total);

	while (index <= last) {
		unsigned long want = min3(last - index + 1,
					  (unsigned long)batch->scratch_len,
					  (unsigned long)(batch->capacity -
							  batch->nruns));
		long got, i, n;

		if (!want)
			break;
		if (iommufd_should_fail()) {
			rc = -ENOMEM;
			goto err_unpin;
		}
		if (pages->type == IOPT_PAGES_FILE)
			got = iopt_pin_file(pages, index, want, batch->scratch);
		else
			got = iopt_pin_user(pages, index, want, batch->scratch);
		if (got < 0) {
			rc = got;
			goto err_unpin;
		}

		rc = iopt_pages_charge(pages, got);
		if (rc) {
			unpin_user_pages(batch->scratch, got);
			goto err_unpin;
		}
		/*
		 * Hand the pages over a run at a time: a huge page is 512
		 * entries of @scratch but one run. got <= free runs, so every
		 * run fits.
		 */
		for (i = 0; i != got; i += n) {
			unsigned long pfn = page_to_pfn(batch->scratch[i]);

			n = 1;
			while (i + n != got &&
			       page_to_pfn(batch->scratch[i + n]) == pfn + n)
				n++;
			WARN_ON(!iopt_batch_add(batch, pfn, n));
		}
		index += got;
	}
	return 0;

err_unpin:
	iopt_batch_unpin(batch, pages, 0, batch->total);
	iopt_batch_clear(batch);
	return rc;
}

/*
 * Number of pages from @index on (at most up to @last) known to have
 * consecutive PFNs: a whole recorded block, else 1.
 */
static unsigned long iopt_area_contig_pages(struct iopt_area *area,
					    unsigned long index,
					    unsigned long last)
{
	unsigned long rel = index - area->pages_node.start;

	if (!area->contig_blocks || rel % IOPT_CONTIG_BLOCK ||
	    last - index < IOPT_CONTIG_BLOCK - 1)
		return 1;
	if (!test_bit(rel / IOPT_CONTIG_BLOCK, area->contig_blocks))
		return 1;
	return IOPT_CONTIG_BLOCK;
}

/*
 * Record the blocks of @area wholly inside one run of @batch, which was just
 * mapped at page index @index. What an area maps does not change while it is
 * filled, and every domain maps the same PFNs, so the record stays true until
 * the area is unfilled.
 */
static void iopt_area_note_contig(struct iopt_area *area, unsigned long index,
				  struct iopt_batch *batch)
{
	unsigned long rel = index - area->pages_node.start;
	unsigned int i;

	if (!area->contig_blocks)
		return;
	for (i = 0; i != batch->nruns; i++) {
		unsigned long first = DIV_ROUND_UP(rel, IOPT_CONTIG_BLOCK);
		unsigned long end = (rel + batch->npfns[i]) / IOPT_CONTIG_BLOCK;

		if (end > first)
			bitmap_set(area->contig_blocks, first, end - first);
		rel += batch->npfns[i];
	}
}

static void iopt_area_alloc_contig(struct iopt_area *area)
{
	unsigned long nblocks = (area->pages_node.last -
				 area->pages_node.start + 1) /
				IOPT_CONTIG_BLOCK;

	/* Only an optimization: without the memory, read page by page */
	if (nblocks && nblocks <= INT_MAX)
		area->contig_blocks = bitmap_zalloc(nblocks, GFP_KERNEL_ACCOUNT |
								__GFP_NOWARN);
}

static void iopt_area_free_contig(struct iopt_area *area)
{
	bitmap_free(area->contig_blocks);
	area->contig_blocks = NULL;
}

/*
 * Read back the PFNs of [index, last] that @area maps in @domain. A recorded
 * contiguous block costs one translation: for huge pages this is most of the
 * work of unmapping.
 */
static void iopt_batch_from_domain(struct iopt_batch *batch,
				   struct iopt_area *area,
				   struct iommu_domain *domain,
				   unsigned long index, unsigned long last)
{
	while (index <= last) {
		unsigned long iova = iopt_area_index_to_iova(area, index);
		phys_addr_t phys = iommu_iova_to_phys(domain, iova);
		unsigned long n = iopt_area_contig_pages(area, index, last);

		if (!iopt_batch_add(batch, PHYS_PFN(phys), n))
			return;
		index += n;
	}
}

static void iopt_batch_from_xarray(struct iopt_batch *batch,
				   struct iopt_pages *pages,
				   unsigned long index, unsigned long last)
{
	XA_STATE(xas, &pages->pinned_pfns, index);
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry))
			continue;
		if (WARN_ON(!xa_is_value(entry) ||
			    xas.xa_index != index + batch->total))
			break;
		if (!iopt_batch_add(batch, xa_to_value(entry), 1))
			break;
	}
	rcu_read_unlock();
}

static struct rb_root_cached *const *iopt_pages_trees(struct iopt_pages *pages,
						      struct rb_root_cached **t)
{
	t[0] = &pages->access_itree;
	t[1] = &pages->domains_itree;
	return t;
}

/*
 * Put the PFNs of [index, last] into the empty @batch, from wherever they
 * are: pinned_pfns, a filled area's storage domain, or a fresh pin (then
 * *@pinned is set and the caller owns those pins). At least one PFN is read
 * unless an error is returned.
 */
static int iopt_pages_read(struct iopt_pages *pages, unsigned long index,
			   unsigned long last, struct iopt_batch *batch,
			   bool *pinned)
{
	struct rb_root_cached *trees[2];
	struct iopt_span span;
	struct iopt_area *src;

	lockdep_assert_held(&pages->mutex);
	*pinned = false;
	iopt_span_get(iopt_pages_trees(pages, trees), 2, index, last, &span);
	switch (span.tree) {
	case 0:
		iopt_batch_from_xarray(batch, pages, index, span.last);
		break;
	case 1:
		src = container_of(span.node, struct iopt_area, pages_node);
		iopt_batch_from_domain(batch, src, src->storage_domain, index,
				       span.last);
		break;
	default:
		*pinned = true;
		return iopt_pages_pin(pages, index, span.last, batch);
	}
	if (WARN_ON(!batch->total))
		return -EINVAL;
	return 0;
}

/* Domains */

static void iopt_area_unmap_index(struct iopt_area *area,
				  struct iommu_domain *domain,
				  unsigned long first, unsigned long last)
{
	unsigned long start = iopt_area_index_to_iova(area, first);
	unsigned long size = iopt_area_index_to_last_iova(area, last) - start + 1;
	size_t done;

	done = iommu_unmap(domain, start, size);
	WARN_ON(done != size);
}

static int iopt_map_chunk(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t phys, unsigned long size, int prot,
			  bool small_only)
{
	unsigned long done = 0;
	int rc;

	if (!small_only)
		return iommu_map(domain, iova, phys, size, prot,
				 GFP_KERNEL_ACCOUNT);

	/* One IOMMU mapping per CPU page so any page boundary can be cut */
	while (done != size) {
		unsigned long n = min(size - done,
				      PAGE_SIZE - ((phys + done) % PAGE_SIZE));

		rc = iommu_map(domain, iova + done, phys + done, n, prot,
			       GFP_KERNEL_ACCOUNT);
		if (rc) {
			if (done)
				iommu_unmap(domain, iova, done);
			return rc;
		}
		done += n;
	}
	return 0;
}

/* Runs per iommu_map_sg() call, bounding the temporary scatterlist */
#define IOPT_MAP_SG_RUNS 256U

/*
 * Like iopt_area_map_batch(), but up to IOPT_MAP_SG_RUNS runs go to the
 * driver in one iommu_map_sg() call. The driver then syncs its IOTLB (or, in
 * caching mode, queues an invalidation) once for all of them rather than once
 * per run, which is most of the cost of mapping scattered 4 KiB pages. Every
 * run still becomes its own __iommu_map(): runs are maximal, so no two merge.
 */
static int iopt_area_map_batch_sg(struct iopt_area *area,
				  struct iommu_domain *domain,
				  unsigned long index, struct iopt_batch *batch,
				  struct scatterlist *sgl)
{
	unsigned long cur = index;
	unsigned int i = 0;
	ssize_t done;

	while (i != batch->nruns) {
		unsigned int n = min(batch->nruns - i, IOPT_MAP_SG_RUNS);
		unsigned long iova = iopt_area_index_to_iova(area, cur);
		unsigned long call_first = cur, want = 0;
		struct scatterlist *sg;
		unsigned int j;

		sg_init_table(sgl, n);
		for_each_sg(sgl, sg, n, j) {
			unsigned long last = cur + batch->npfns[i] - 1;
			unsigned long start = iopt_area_index_to_iova(area, cur);
			unsigned long len =
				iopt_area_index_to_last_iova(area, last) -
				start + 1;
			unsigned int offset = 0;

			if (cur == area->pages_node.start)
				offset = area->page_offset;
			sg_set_page(sg, pfn_to_page(batch->pfns[i]), len,
				    offset);
			want += len;
			cur = last + 1;
			i++;
		}
		done = iommu_map_sg(domain, iova, sgl, n, area->iommu_prot,
				    GFP_KERNEL_ACCOUNT);
		if (done != want) {
			/* iommu_map_sg() undoes its own part on failure */
			if (WARN_ON(done > 0))
				iommu_unmap(domain, iova, done);
			if (call_first != index)
				iopt_area_unmap_index(area, domain, index,
						      call_first - 1);
			return done < 0 ? done : -EINVAL;
		}
	}
	return 0;
}

/* sg entries hold at most UINT_MAX bytes */
static bool iopt_batch_fits_sg(struct iopt_batch *batch)
{
	unsigned int i;

	for (i = 0; i != batch->nruns; i++)
		if (batch->npfns[i] > (UINT_MAX >> PAGE_SHIFT))
			return false;
	return true;
}

/*
 * Map the PFNs of @batch, which belong to page indexes starting at @index of
 * @area, into @domain. On failure nothing of the batch stays mapped.
 */
static int iopt_area_map_batch(struct iopt_area *area,
			       struct iommu_domain *domain, unsigned long index,
			       struct iopt_batch *batch)
{
	bool small_only = area->iopt->disable_large_pages;
	unsigned long cur = index;
	unsigned int i;
	int rc;

	if (!small_only && batch->nruns > 1 && iopt_batch_fits_sg(batch)) {
		struct scatterlist *sgl;

		/* Without the memory, fall back to one call per run */
		sgl = kmalloc_array(min(batch->nruns, IOPT_MAP_SG_RUNS),
				    sizeof(*sgl), GFP_KERNEL | __GFP_NOWARN);
		if (sgl) {
			rc = iopt_area_map_batch_sg(area, domain, index, batch,
						    sgl);
			kfree(sgl);
			return rc;
		}
	}

	for (i = 0; i != batch->nruns; i++) {
		unsigned long last = cur + batch->npfns[i] - 1;
		unsigned long iova = iopt_area_index_to_iova(area, cur);
		unsigned long end = iopt_area_index_to_last_iova(area, last);
		phys_addr_t phys = PFN_PHYS(batch->pfns[i]);

		if (cur == area->pages_node.start)
			phys += area->page_offset;
		rc = iopt_map_chunk(domain, iova, phys, end - iova + 1,
				    area->iommu_prot, small_only);
		if (rc) {
			if (cur != index)
				iopt_area_unmap_index(area, domain, index,
						      cur - 1);
			return rc;
		}
		cur = last + 1;
	}
	return 0;
}

/*
 * Unmap [first, last] of @area from @domain, its storage domain, and unpin
 * whatever no other user needs. @area must already be out of
 * pages->domains_itree.
 */
static void iopt_area_unpin_range(struct iopt_area *area,
				  struct iommu_domain *domain,
				  unsigned long first, unsigned long last)
{
	struct iopt_pages *pages = area->pages;
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct rb_root_cached *trees[2];
	struct iopt_batch batch;
	unsigned long index = first;

	lockdep_assert_held(&pages->mutex);
	iopt_pages_trees(pages, trees);
	iopt_batch_init(&batch, last - first + 1, backup, sizeof(backup));
	while (index <= last) {
		unsigned long chunk_last, pos;

		iopt_batch_clear(&batch);
		iopt_batch_from_domain(&batch, area, domain, index, last);
		chunk_last = index + batch.total - 1;

		/* Unmap before unpinning: the device must lose access first */
		iopt_area_unmap_index(area, domain, index, chunk_last);

		for (pos = index; pos <= chunk_last;) {
			struct iopt_span span;

			iopt_span_get(trees, 2, pos, chunk_last, &span);
			if (span.tree < 0)
				iopt_batch_unpin(&batch, pages, pos - index,
						 span.last - pos + 1);
			pos = span.last + 1;
		}
		index = chunk_last + 1;
	}
	iopt_batch_destroy(&batch, backup);
}

/*
 * The domains a fill maps into: just @only, or every domain of @iopt. The
 * domains sit at the dense indexes below next_domain_id, so each step is
 * one load and the last domain needs no search past it.
 */
static struct iommu_domain *iopt_target_next(struct io_pagetable *iopt,
					     struct iommu_domain *only,
					     struct iommu_domain *prev,
					     unsigned long *idx)
{
	if (only)
		return prev ? NULL : only;
	*idx = prev ? *idx + 1 : 0;
	if (*idx >= iopt->next_domain_id)
		return NULL;
	return xa_load(&iopt->domains, *idx);
}

/*
 * Unmap [first, last] of @area from the target domains, skipping @skip and
 * stopping at @stop (both may be NULL).
 */
static void iopt_area_unmap_targets(struct iopt_area *area,
				    struct io_pagetable *iopt,
				    struct iommu_domain *only,
				    struct iommu_domain *skip,
				    struct iommu_domain *stop,
				    unsigned long first, unsigned long last)
{
	struct iommu_domain *dom;
	unsigned long idx;

	for (dom = iopt_target_next(iopt, only, NULL, &idx); dom;
	     dom = iopt_target_next(iopt, only, dom, &idx)) {
		if (dom == stop)
			return;
		if (dom != skip)
			iopt_area_unmap_index(area, dom, first, last);
	}
}

/**
 * iopt_area_fill_domains() - Map an area into domains
 * @area: the area
 * @iopt: its io_pagetable, domains_rwsem held; iova_rwsem too unless @area
 *	is still pending (not in area_itree, so no one else reaches it)
 * @only: map only into this domain (being added to @iopt), or NULL to map
 *	into every domain of @iopt
 *
 * An area that is not filled yet gets pinned (or reuses PFNs other users
 * hold) and becomes filled with the first target domain as storage domain.
 *
 * Return: 0 or an errno, in which case nothing was changed.
 */
int iopt_area_fill_domains(struct iopt_area *area, struct io_pagetable *iopt,
			   struct iommu_domain *only)
{
	unsigned long first = area->pages_node.start;
	unsigned long last = area->pages_node.last;
	struct iopt_pages *pages = area->pages;
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iommu_domain *storage, *dom, *failed;
	struct iopt_batch batch;
	unsigned long index = first;
	unsigned long idx;
	bool fresh;
	int rc = 0;

	lockdep_assert_held(&iopt->domains_rwsem);

	/* Nothing to pin: the exporter gave one physical range */
	if (pages->type == IOPT_PAGES_DMABUF)
		return iopt_dmabuf_fill_domains(area, iopt, only);

	mutex_lock(&pages->mutex);
	fresh = !area->storage_domain;
	storage = area->storage_domain;
	if (fresh)
		storage = iopt_target_next(iopt, only, NULL, &idx);
	if (!storage)
		goto out_unlock;
	if (fresh)
		iopt_area_alloc_contig(area);

	iopt_batch_init(&batch, last - first + 1, backup, sizeof(backup));
	while (index <= last) {
		bool pinned;

		iopt_batch_clear(&batch);
		rc = iopt_pages_read(pages, index, last, &batch, &pinned);
		if (rc)
			goto err_unwind;

		failed = NULL;
		for (dom = iopt_target_next(iopt, only, NULL, &idx); dom;
		     dom = iopt_target_next(iopt, only, dom, &idx)) {
			rc = iopt_area_map_batch(area, dom, index, &batch);
			if (rc) {
				failed = dom;
				break;
			}
		}
		if (failed) {
			iopt_area_unmap_targets(area, iopt, only, NULL, failed,
						index,
						index + batch.total - 1);
			if (pinned)
				iopt_batch_unpin(&batch, pages, 0,
						 batch.total);
			goto err_unwind;
		}
		if (fresh)
			iopt_area_note_contig(area, index, &batch);
		index += batch.total;
	}
	iopt_batch_destroy(&batch, backup);

	if (fresh) {
		area->storage_domain = storage;
		interval_tree_insert(&area->pages_node, &pages->domains_itree);
	}
	goto out_unlock;

err_unwind:
	iopt_batch_destroy(&batch, backup);
	if (index != first) {
		iopt_area_unmap_targets(area, iopt, only,
					fresh ? storage : NULL, NULL, first,
					index - 1);
		if (fresh)
			iopt_area_unpin_range(area, storage, first, index - 1);
	}
	if (fresh)
		iopt_area_free_contig(area);
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_area_unfill_domains() - Unmap an area from every domain and unpin
 * @area: a filled or unfilled area
 * @iopt: its io_pagetable, domains_rwsem held; iova_rwsem too unless @area
 *	is still pending
 */
void iopt_area_unfill_domains(struct iopt_area *area,
			      struct io_pagetable *iopt)
{
	struct iopt_pages *pages = area->pages;
	struct iommu_domain *storage;

	lockdep_assert_held(&iopt->domains_rwsem);

	if (pages->type == IOPT_PAGES_DMABUF) {
		iopt_dmabuf_unfill_domain(area, NULL);
		return;
	}

	mutex_lock(&pages->mutex);
	storage = area->storage_domain;
	if (storage) {
		/* The storage domain is unmapped while reading it back */
		iopt_area_unmap_targets(area, iopt, NULL, storage, NULL,
					area->pages_node.start,
					area->pages_node.last);
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		iopt_area_unpin_range(area, storage, area->pages_node.start,
				      area->pages_node.last);
		area->storage_domain = NULL;
		iopt_area_free_contig(area);
	}
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_area_unfill_domain() - Unmap an area from one domain
 * @area: a filled area
 * @domain: the domain leaving the io_pagetable
 * @new_storage: a domain that stays, or NULL when @domain is the last one,
 *	in which case the area's pins are released
 */
void iopt_area_unfill_domain(struct iopt_area *area,
			     struct iommu_domain *domain,
			     struct iommu_domain *new_storage)
{
	struct iopt_pages *pages = area->pages;

	if (pages->type == IOPT_PAGES_DMABUF) {
		iopt_dmabuf_unfill_domain(area, domain);
		return;
	}

	mutex_lock(&pages->mutex);
	if (WARN_ON(!area->storage_domain))
		goto out_unlock;
	if (new_storage) {
		if (area->storage_domain == domain)
			area->storage_domain = new_storage;
		iopt_area_unmap_index(area, domain, area->pages_node.start,
				      area->pages_node.last);
	} else {
		WARN_ON(area->storage_domain != domain);
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		iopt_area_unpin_range(area, domain, area->pages_node.start,
				      area->pages_node.last);
		area->storage_domain = NULL;
		iopt_area_free_contig(area);
	}
out_unlock:
	mutex_unlock(&pages->mutex);
}

/* Accesses */

/*
 * Drop the pinned_pfns entries of [first, last] that no access covers any
 * more, unpinning those that no filled area covers either.
 */
static void iopt_pages_unfill_xarray(struct iopt_pages *pages,
				     unsigned long first, unsigned long last)
{
	struct rb_root_cached *trees[2];
	unsigned long pos = first;

	lockdep_assert_held(&pages->mutex);
	iopt_pages_trees(pages, trees);
	while (pos <= last) {
		struct iopt_span span;
		unsigned long i;

		iopt_span_get(trees, 2, pos, last, &span);
		if (span.tree != 0) {
			for (i = span.start; i <= span.last; i++) {
				void *entry = xa_erase(&pages->pinned_pfns, i);

				if (span.tree < 0 && !WARN_ON(!entry)) {
					iopt_unpin_run(pages,
						       xa_to_value(entry), 1);
					iopt_pages_uncharge(pages, 1);
				}
			}
		}
		pos = span.last + 1;
	}
}

static int iopt_batch_to_xarray(struct iopt_pages *pages,
				struct iopt_batch *batch, unsigned long index)
{
	unsigned long cur = index;
	unsigned int i;
	int rc;

	for (i = 0; i != batch->nruns; i++) {
		unsigned long j;

		for (j = 0; j != batch->npfns[i]; j++, cur++) {
			rc = xa_err(xa_store(&pages->pinned_pfns, cur,
					     xa_mk_value(batch->pfns[i] + j),
					     GFP_KERNEL_ACCOUNT));
			if (rc)
				goto err_erase;
		}
	}
	return 0;

err_erase:
	while (cur-- != index)
		xa_erase(&pages->pinned_pfns, cur);
	return rc;
}

/* Fill pinned_pfns for [first, last], which no access covers */
static int iopt_pages_fill_xarray(struct iopt_pages *pages,
				  unsigned long first, unsigned long last)
{
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iopt_batch batch;
	unsigned long index = first;
	int rc = 0;

	iopt_batch_init(&batch, last - first + 1, backup, sizeof(backup));
	while (index <= last) {
		bool pinned;

		iopt_batch_clear(&batch);
		rc = iopt_pages_read(pages, index, last, &batch, &pinned);
		if (rc)
			break;
		if (iommufd_should_fail())
			rc = -ENOMEM;
		else
			rc = iopt_batch_to_xarray(pages, &batch, index);
		if (rc) {
			if (pinned)
				iopt_batch_unpin(&batch, pages, 0, batch.total);
			break;
		}
		index += batch.total;
	}
	iopt_batch_destroy(&batch, backup);
	if (rc && index != first)
		iopt_pages_unfill_xarray(pages, first, index - 1);
	return rc;
}

static struct iopt_pages_access *
iopt_pages_find_access(struct iopt_pages *pages, unsigned long first,
		       unsigned long last)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&pages->access_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last))
		if (node->start == first && node->last == last)
			return container_of(node, struct iopt_pages_access,
					    node);
	return NULL;
}

static void iopt_pages_export(struct iopt_pages *pages, unsigned long first,
			      unsigned long last, struct page **out_pages)
{
	XA_STATE(xas, &pages->pinned_pfns, first);
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry))
			continue;
		out_pages[xas.xa_index - first] =
			pfn_to_page(xa_to_value(entry));
	}
	rcu_read_unlock();
}

/*
 * Create the access node for [first, last], filling pinned_pfns where no
 * other access already did.
 */
static struct iopt_pages_access *
iopt_pages_new_access(struct iopt_pages *pages, unsigned long first,
		      unsigned long last)
{
	struct rb_root_cached *trees[1] = { &pages->access_itree };
	struct iopt_pages_access *access = NULL;
	unsigned long pos;
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

	if (!iommufd_should_fail())
		access = kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access)
		return ERR_PTR(-ENOMEM);

	for (pos = first; pos <= last && !rc;) {
		struct iopt_span span;

		iopt_span_get(trees, 1, pos, last, &span);
		if (span.tree < 0)
			rc = iopt_pages_fill_xarray(pages, span.start,
						    span.last);
		if (!rc)
			pos = span.last + 1;
	}
	if (rc) {
		/* Everything before @pos was filled by this call */
		if (pos != first)
			iopt_pages_unfill_xarray(pages, first, pos - 1);
		kfree(access);
		return ERR_PTR(rc);
	}

	access->node.start = first;
	access->node.last = last;
	interval_tree_insert(&access->node, &pages->access_itree);
	return access;
}

/**
 * iopt_area_add_access() - Pin pages of an area for an access
 * @area: the area, its iopt's iova_rwsem held
 * @first: first page index, inside the area
 * @last: last page index, inside the area
 * @out_pages: receives last - first + 1 struct page pointers
 * @flags: IOMMUFD_ACCESS_RW_*
 *
 * Return: 0 or an errno (-EINVAL for dma-buf pages, which cannot be pinned);
 * nothing changes on failure.
 */
int iopt_area_add_access(struct iopt_area *area, unsigned long first,
			 unsigned long last, struct page **out_pages,
			 unsigned int flags)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_pages_access *access;
	int rc = 0;

	/* dma-buf memory may vanish at any time and has no struct page */
	if (pages->type == IOPT_PAGES_DMABUF)
		return -EINVAL;
	if (!pages->writable && (flags & IOMMUFD_ACCESS_RW_WRITE))
		return -EPERM;

	mutex_lock(&pages->mutex);
	/* Identical ranges share one node, as unpin names the same range */
	access = iopt_pages_find_access(pages, first, last);
	if (!access)
		access = iopt_pages_new_access(pages, first, last);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
	} else {
		access->users++;
		area->num_accesses++;
		iopt_pages_export(pages, first, last, out_pages);
	}
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_area_remove_access() - Release pages pinned by iopt_area_add_access()
 * @area: the area, its iopt's iova_rwsem held
 * @first: first page index given to iopt_area_add_access()
 * @last: last page index given to iopt_area_add_access()
 */
void iopt_area_remove_access(struct iopt_area *area, unsigned long first,
			     unsigned long last)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_pages_access *access;

	mutex_lock(&pages->mutex);
	access = iopt_pages_find_access(pages, first, last);
	if (WARN_ON(!access))
		goto out_unlock;
	if (WARN_ON(!area->num_accesses))
		goto out_unlock;
	area->num_accesses--;
	if (--access->users)
		goto out_unlock;
	interval_tree_remove(&access->node, &pages->access_itree);
	kfree(access);
	iopt_pages_unfill_xarray(pages, first, last);
out_unlock:
	mutex_unlock(&pages->mutex);
}

/* Copy through the user VA of the owner, the fast path of rw */
static int iopt_pages_rw_user(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length,
			      unsigned int flags)
{
	void __user *uptr = pages->uptr + offset;
	unsigned long left;

	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		left = copy_to_user(uptr, data, length);
	else
		left = copy_from_user(data, uptr, length);
	return left ? -EFAULT : 0;
}

static void iopt_copy_batch(struct iopt_batch *batch, unsigned long offset,
			    void *data, unsigned long length,
			    unsigned int flags)
{
	unsigned int i;

	for (i = 0; i != batch->nruns && length; i++) {
		unsigned long j;

		for (j = 0; j != batch->npfns[i] && length; j++) {
			unsigned long in_page = offset % PAGE_SIZE;
			unsigned long n = min(length, PAGE_SIZE - in_page);
			struct page *page = pfn_to_page(batch->pfns[i] + j);
			void *va = kmap_local_page(page);

			if (flags & IOMMUFD_ACCESS_RW_WRITE)
				memcpy(va + in_page, data, n);
			else
				memcpy(data, va + in_page, n);
			kunmap_local(va);
			data += n;
			length -= n;
			offset += n;
		}
	}
}

/* Copy through kmap of the pages, pinning temporarily where needed */
static int iopt_pages_rw_slow(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length,
			      unsigned int flags)
{
	unsigned long index = offset / PAGE_SIZE;
	unsigned long last = (offset + length - 1) / PAGE_SIZE;
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iopt_batch batch;
	int rc = 0;

	iopt_batch_init(&batch, last - index + 1, backup, sizeof(backup));
	mutex_lock(&pages->mutex);
	while (index <= last) {
		unsigned long n;
		bool pinned;

		iopt_batch_clear(&batch);
		rc = iopt_pages_read(pages, index, last, &batch, &pinned);
		if (rc)
			break;
		n = min(length, batch.total * PAGE_SIZE - offset % PAGE_SIZE);
		iopt_copy_batch(&batch, offset, data, n, flags);
		if (pinned)
			iopt_batch_unpin(&batch, pages, 0, batch.total);
		data += n;
		length -= n;
		offset += n;
		index += batch.total;
	}
	mutex_unlock(&pages->mutex);
	iopt_batch_destroy(&batch, backup);
	return rc;
}

/**
 * iopt_pages_rw() - Copy between a kernel buffer and pinned memory
 * @pages: the memory
 * @offset: byte offset inside @pages
 * @data: kernel buffer
 * @length: bytes, not 0
 * @flags: IOMMUFD_ACCESS_RW_*
 *
 * Context: may sleep; the caller holds the iova_rwsem of an iopt whose area
 * points at @pages.
 * Return: 0, -EPERM for a write to read-only pages, -EFAULT if the memory is
 * gone, -EINVAL for dma-buf pages, which have no struct page to copy through.
 */
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, unsigned int flags)
{
	struct mm_struct *mm = pages->source_mm;
	int rc;

	if (pages->type == IOPT_PAGES_DMABUF)
		return -EINVAL;
	if ((flags & IOMMUFD_ACCESS_RW_WRITE) && !pages->writable)
		return -EPERM;

	if (pages->type != IOPT_PAGES_USER ||
	    (flags & __IOMMUFD_ACCESS_RW_SLOW_PATH))
		return iopt_pages_rw_slow(pages, offset, data, length, flags);

	if (current->mm == mm)
		return iopt_pages_rw_user(pages, offset, data, length, flags);

	if ((flags & IOMMUFD_ACCESS_RW_KTHREAD) && !current->mm &&
	    (current->flags & PF_KTHREAD)) {
		if (!mmget_not_zero(mm))
			return iopt_pages_rw_slow(pages, offset, data, length,
						  flags);
		kthread_use_mm(mm);
		rc = iopt_pages_rw_user(pages, offset, data, length, flags);
		kthread_unuse_mm(mm);
		mmput(mm);
		return rc;
	}
	return iopt_pages_rw_slow(pages, offset, data, length, flags);
}
