// SPDX-License-Identifier: GPL-2.0-only
/*
 * Areas backed by a dma-buf (IOMMU_IOAS_MAP_FILE given a dma-buf fd).
 *
 * Such memory is not pinned and not charged: the exporter hands out one
 * physically contiguous range through a private interface and may take it
 * back at any time with a move notification. iommufd then removes the range
 * from every domain and never maps it again; the IOVA stays allocated until
 * userspace unmaps it.
 *
 * The notification runs under the dma-buf's reservation lock, which ranks
 * above pages->mutex and below the iopt rwsems, so the notifier cannot look
 * at iopt->domains. Instead every (area, domain) pair that maps the range is
 * recorded in the dma-buf state of the pages, under pages->mutex, and the
 * notifier unmaps exactly those.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "io_pagetable.h"

/* 6.12 has no common type for one physical range of a dma-buf */
struct phys_vec {
	phys_addr_t paddr;
	size_t len;
};

/*
 * struct iopt_dmabuf - the dma-buf side of an IOPT_PAGES_DMABUF iopt_pages
 * @dmabuf: referenced for the life of the pages
 * @attach: our dynamic attachment, detached when the pages go away
 * @phys: the exporter's range; @phys.len is 0 once revoked, for good.
 *	Written under the reservation lock and pages->mutex.
 * @mapped: struct iopt_dmabuf_map, under pages->mutex
 */
struct iopt_dmabuf {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct phys_vec phys;
	struct list_head mapped;
};

/*
 * struct iopt_dmabuf_map - @area is mapped into @domain
 * @item: in iopt_dmabuf::mapped
 * @area: the area, alive while the entry exists
 * @domain: the domain, alive while the entry exists
 * @iova: first IOVA mapped
 * @length: bytes mapped
 */
struct iopt_dmabuf_map {
	struct list_head item;
	struct iopt_area *area;
	struct iommu_domain *domain;
	unsigned long iova;
	unsigned long length;
};

static void iopt_dmabuf_unmap_one(struct iopt_dmabuf_map *map)
{
	size_t done;

	done = iommu_unmap(map->domain, map->iova, map->length);
	WARN_ON(done != map->length);
	list_del(&map->item);
	kfree(map);
}

/*
 * Every notification is a revoke: the range may have moved or gone, and an
 * un-revoke does not bring old areas back (userspace maps again).
 */
static void iopt_dmabuf_move_notify(struct dma_buf_attachment *attach)
{
	struct iopt_pages *pages = attach->importer_priv;
	struct iopt_dmabuf *dma = pages->dmabuf;
	struct iopt_dmabuf_map *map, *tmp;

	dma_resv_assert_held(attach->dmabuf->resv);

	mutex_lock(&pages->mutex);
	list_for_each_entry_safe(map, tmp, &dma->mapped, item)
		iopt_dmabuf_unmap_one(map);
	dma->phys.len = 0;
	mutex_unlock(&pages->mutex);
}

/*
 * The mutex of pinning pages is held while faulting in user memory, which
 * ranks below the reservation lock (mmap_lock then dma_resv). The mutex of
 * dma-buf pages never covers more than IOMMU page table updates and small
 * allocations, so it gets a class of its own that may nest in the
 * reservation lock.
 */
static struct lock_class_key iopt_dmabuf_mutex_key;

static const struct dma_buf_attach_ops iopt_dmabuf_attach_ops = {
	.allow_peer2peer = true,
	.move_notify = iopt_dmabuf_move_notify,
};

/*
 * The physical range behind @dmabuf. No exporter of this kernel offers one
 * to importers, except the test driver's mock.
 */
static int iopt_dmabuf_get_phys(struct dma_buf *dmabuf, struct phys_vec *phys)
{
	dma_resv_assert_held(dmabuf->resv);
	return iommufd_test_dmabuf_phys(dmabuf, &phys->paddr, &phys->len);
}

/**
 * iopt_alloc_dmabuf_pages() - Describe a range of a dma-buf as iopt_pages
 * @dmabuf: the dma-buf; the pages take their own reference
 * @start: byte offset of the first byte
 * @length: number of bytes, not 0
 * @writable: IOMMU_WRITE mappings are allowed
 *
 * Attaches to @dmabuf as a dynamic importer and asks the exporter for its
 * physical range. Nothing is pinned or charged.
 *
 * Return: the pages with one reference, or an ERR_PTR: -EINVAL for a range
 * that is not inside the dma-buf or too big, -EOPNOTSUPP if the exporter has
 * no physical range to give, -ENODEV if the dma-buf is revoked, -ENOMEM.
 */
struct iopt_pages *iopt_alloc_dmabuf_pages(struct dma_buf *dmabuf,
					   loff_t start, unsigned long length,
					   bool writable)
{
	struct dma_buf_attachment *attach;
	struct iopt_pages *pages;
	struct iopt_dmabuf *dma;
	struct phys_vec probe;
	unsigned long npages;
	u64 last;
	int rc;

	if (!length || start < 0)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow((u64)start, (u64)length - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	if (last >= dmabuf->size)
		return ERR_PTR(-EINVAL);
	npages = last / PAGE_SIZE - start / PAGE_SIZE + 1;
	/* The whole range is one run of PFNs, which a batch counts in a u32 */
	if (npages > U32_MAX)
		return ERR_PTR(-EINVAL);

	/*
	 * Ask the exporter before attaching: the dma-buf core maps the buffer
	 * for a static exporter (udmabuf, the DRM PRIME helpers) when a
	 * dynamic importer attaches, and our device has no DMA mask to map
	 * it with. The answer is asked again once attached, when it can no
	 * longer change without a move notification.
	 */
	dma_resv_lock(dmabuf->resv, NULL);
	rc = iopt_dmabuf_get_phys(dmabuf, &probe);
	dma_resv_unlock(dmabuf->resv);
	if (rc)
		return ERR_PTR(rc);

	pages = iopt_pages_new(npages, writable, IOPT_PAGES_ACCOUNT_NONE);
	if (IS_ERR(pages))
		return pages;
	pages->type = IOPT_PAGES_DMABUF;
	lockdep_set_class(&pages->mutex, &iopt_dmabuf_mutex_key);
	pages->start = ALIGN_DOWN(start, PAGE_SIZE);

	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma) {
		rc = -ENOMEM;
		goto err_put_pages;
	}
	INIT_LIST_HEAD(&dma->mapped);
	get_dma_buf(dmabuf);
	dma->dmabuf = dmabuf;
	pages->dmabuf = dma;

	attach = dma_buf_dynamic_attach(dmabuf, iommufd_global_device(),
					&iopt_dmabuf_attach_ops, pages);
	if (IS_ERR(attach)) {
		rc = PTR_ERR(attach);
		goto err_put_pages;
	}
	dma->attach = attach;

	dma_resv_lock(dmabuf->resv, NULL);
	rc = iopt_dmabuf_get_phys(dmabuf, &dma->phys);
	/* The exporter's range must cover what is mapped, from a page */
	if (!rc && (last >= dma->phys.len || !PAGE_ALIGNED(dma->phys.paddr)))
		rc = -EINVAL;
	dma_resv_unlock(dmabuf->resv);
	if (rc)
		goto err_put_pages;
	return pages;

err_put_pages:
	/* iopt_dmabuf_release() undoes whatever was set up */
	iopt_put_pages(pages);
	return ERR_PTR(rc);
}

/**
 * iopt_dmabuf_release() - Let go of the dma-buf of dying pages
 * @pages: IOPT_PAGES_DMABUF pages whose last reference is gone
 *
 * Context: may take the reservation lock, so no pages->mutex held.
 */
void iopt_dmabuf_release(struct iopt_pages *pages)
{
	struct iopt_dmabuf *dma = pages->dmabuf;

	if (!dma)
		return;
	WARN_ON(!list_empty(&dma->mapped));
	/* After this no notification can reach @pages */
	if (dma->attach)
		dma_buf_detach(dma->dmabuf, dma->attach);
	dma_buf_put(dma->dmabuf);
	kfree(dma);
	pages->dmabuf = NULL;
}

static bool iopt_dmabuf_is_mapped(struct iopt_dmabuf *dma,
				  struct iopt_area *area,
				  struct iommu_domain *domain)
{
	struct iopt_dmabuf_map *map;

	list_for_each_entry(map, &dma->mapped, item)
		if (map->area == area && map->domain == domain)
			return true;
	return false;
}

static int iopt_dmabuf_map_one(struct iopt_dmabuf *dma, struct iopt_area *area,
			       struct iommu_domain *domain, phys_addr_t paddr)
{
	struct iopt_dmabuf_map *map;
	int rc;

	if (iopt_dmabuf_is_mapped(dma, area, domain))
		return 0;
	if (iommufd_should_fail())
		return -ENOMEM;
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	map->area = area;
	map->domain = domain;
	map->iova = area->node.start;
	map->length = iopt_area_length(area);
	rc = iommu_map(domain, map->iova, paddr, map->length, area->iommu_prot,
		       GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(map);
		return rc;
	}
	/* At the head, so a failed fill finds its own entries first */
	list_add(&map->item, &dma->mapped);
	return 0;
}

/**
 * iopt_dmabuf_fill_domains() - Map a dma-buf area into domains
 * @area: an area of IOPT_PAGES_DMABUF pages
 * @iopt: its io_pagetable, domains_rwsem held (and iova_rwsem, unless the
 *	area is still pending)
 * @only: map only into this domain, or NULL for every domain of @iopt
 *
 * A revoked dma-buf is skipped: the area stays, mapped nowhere.
 *
 * Return: 0 or an errno, in which case nothing was changed.
 */
int iopt_dmabuf_fill_domains(struct iopt_area *area, struct io_pagetable *iopt,
			     struct iommu_domain *only)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf *dma = pages->dmabuf;
	struct iommu_domain *domain;
	unsigned int added = 0;
	phys_addr_t paddr;
	unsigned long idx;
	int rc = 0;

	lockdep_assert_held(&iopt->domains_rwsem);

	mutex_lock(&pages->mutex);
	if (!dma->phys.len)
		goto out_unlock;
	paddr = dma->phys.paddr + pages->start + iopt_area_start_byte(area);

	if (only) {
		rc = iopt_dmabuf_map_one(dma, area, only, paddr);
		goto out_unlock;
	}
	xa_for_each(&iopt->domains, idx, domain) {
		rc = iopt_dmabuf_map_one(dma, area, domain, paddr);
		if (rc)
			break;
		added++;
	}
	if (rc) {
		/* This call's entries are the first @added of the list */
		while (added--)
			iopt_dmabuf_unmap_one(list_first_entry(&dma->mapped,
							       struct iopt_dmabuf_map,
							       item));
	}
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_dmabuf_unfill_domain() - Unmap a dma-buf area from domains
 * @area: an area of IOPT_PAGES_DMABUF pages
 * @domain: the domain to unmap it from, or NULL for every domain
 *
 * Whatever a revoke already unmapped is not unmapped again.
 */
void iopt_dmabuf_unfill_domain(struct iopt_area *area,
			       struct iommu_domain *domain)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf_map *map, *tmp;

	mutex_lock(&pages->mutex);
	list_for_each_entry_safe(map, tmp, &pages->dmabuf->mapped, item)
		if (map->area == area && (!domain || map->domain == domain))
			iopt_dmabuf_unmap_one(map);
	mutex_unlock(&pages->mutex);
}
