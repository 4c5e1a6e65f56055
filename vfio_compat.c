// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy VFIO container API (type1 and type1v2 IOMMU backends) on top of
 * an IOAS.
 *
 * The container ioctls carry no IOAS ID, so each context has one "compat
 * IOAS" they act on (ictx->vfio_ioas, protected by the object table's
 * xa_lock). Its lifetime rules:
 *
 *  - It is created on demand, when VFIO attaches the first group to the
 *    context (iommufd_vfio_compat_ioas_create()), or chosen by userspace
 *    with IOMMU_VFIO_IOAS SET.
 *  - Once created it is an ordinary userspace-owned object: IOMMU_VFIO_IOAS
 *    GET reveals its ID, IOMMU_DESTROY may destroy it (the compat pointer is
 *    then cleared by the object table) and otherwise it is destroyed with
 *    every other object when the context is released.
 *  - The IOAS a device or access uses is fixed when it is bound. Changing
 *    or clearing the compat IOAS later only affects later binds.
 *
 * Nothing here has semantics of its own: every command is translated into
 * iopt_*() calls, with the argument checks and errno values of type1.
 *
 * VFIO_IOMMU_DIRTY_PAGES is served when every domain of the compat IOAS
 * tracks dirty IOVA: start and stop switch tracking on all of them, and the
 * bitmap is the union of what they report.
 *
 * No-IOMMU mode: VFIO tells us with iommufd_vfio_compat_set_no_iommu() that
 * its groups are unprotected; the context then accepts VFIO_NOIOMMU_IOMMU
 * and refuses the type1 backends.
 */
#include <linux/capability.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "iommufd_private.h"

/*
 * Value of the DMA-available capability. iommufd limits pinned memory
 * through RLIMIT_MEMLOCK and memory cgroups, not through a count of
 * mappings, so report the largest count the field can hold: s390 QEMU sizes
 * its mapping cache from it and needs more than type1's default of 65535.
 */
#define IOMMUFD_VFIO_DMA_AVAIL U32_MAX

/*
 * Largest dirty bitmap VFIO_IOMMU_DIRTY_PAGES accepts, in bytes: one bit per
 * page for up to INT_MAX pages, the limit type1 advertises.
 */
#define IOMMUFD_VFIO_DIRTY_BITMAP_MAX \
	(ALIGN((u64)INT_MAX, BITS_PER_TYPE(u64)) / BITS_PER_BYTE)

static struct iommufd_ioas *iommufd_get_compat_ioas(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	xa_lock(&ictx->objects);
	ioas = ictx->vfio_ioas;
	if (!ioas || !iommufd_lock_obj(&ioas->obj))
		ioas = ERR_PTR(-ENODEV);
	xa_unlock(&ictx->objects);
	return ioas;
}

/**
 * iommufd_vfio_compat_ioas_get_id() - ID of the compat IOAS
 * @ictx: context
 * @out_ioas_id: set to the ID
 *
 * VFIO binds the devices of a group set as container to this IOAS.
 *
 * Context: Any context that may take the object table's xa_lock.
 * Return: 0, or -ENODEV if the context has no compat IOAS.
 */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	*out_ioas_id = ioas->obj.id;
	iommufd_put_object(ictx, &ioas->obj);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_get_id, IOMMUFD_VFIO);

/**
 * iommufd_vfio_compat_set_no_iommu() - Switch the context to no-IOMMU mode
 * @ictx: context a no-IOMMU group is being attached to
 *
 * VFIO never mixes protected and unprotected groups in one container, so
 * this fails once a compat IOAS exists.
 *
 * Context: Any context that may take the object table's xa_lock.
 * Return: 0, or -EINVAL if the context already has a compat IOAS.
 */
int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx)
{
	int rc = 0;

	xa_lock(&ictx->objects);
	if (ictx->vfio_ioas)
		rc = -EINVAL;
	else
		ictx->no_iommu_mode = true;
	xa_unlock(&ictx->objects);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_set_no_iommu, IOMMUFD_VFIO);

/**
 * iommufd_vfio_compat_ioas_create() - Make sure a compat IOAS exists
 * @ictx: context a group is being attached to
 *
 * Does nothing if the context already has a live compat IOAS. A new one is
 * an ordinary object that userspace may find (IOMMU_VFIO_IOAS GET) and
 * destroy; if it does not, context release destroys it.
 *
 * Context: Process context, may sleep.
 * Return: 0, -EINVAL in no-IOMMU mode, or an allocation error.
 */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	ioas = iommufd_ioas_alloc(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/*
	 * Destroying the compat IOAS clears ictx->vfio_ioas under the same
	 * lock, so a non-NULL pointer here is a live IOAS to keep.
	 */
	xa_lock(&ictx->objects);
	if (ictx->no_iommu_mode)
		rc = -EINVAL;
	else if (ictx->vfio_ioas)
		rc = -EEXIST;
	else
		ictx->vfio_ioas = ioas;
	xa_unlock(&ictx->objects);

	if (rc) {
		iommufd_object_abort_and_destroy(ictx, &ioas->obj);
		return rc == -EEXIST ? 0 : rc;
	}
	iommufd_ioas_finalize(ictx, ioas);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_create, IOMMUFD_VFIO);

/**
 * iommufd_vfio_ioas() - Handle IOMMU_VFIO_IOAS
 * @ucmd: the command
 *
 * GET reports the compat IOAS, SET makes an existing IOAS the compat IOAS
 * and CLEAR forgets it (the IOAS itself stays).
 *
 * Return: 0, -ENODEV for GET without a compat IOAS, -ENOENT for SET of an ID
 * that is no IOAS, -EOPNOTSUPP for an unknown op or reserved bits.
 */
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = iommufd_get_compat_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		iommufd_put_object(ictx, &ioas->obj);
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		xa_lock(&ictx->objects);
		ictx->vfio_ioas = ioas;
		xa_unlock(&ictx->objects);
		iommufd_put_object(ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		xa_lock(&ictx->objects);
		ictx->vfio_ioas = NULL;
		xa_unlock(&ictx->objects);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int iommufd_vfio_map_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	const u32 valid_flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int prot = IOMMU_CACHE;
	int rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || map.flags & ~valid_flags)
		return -EINVAL;
	/* type1 refuses a mapping the device could neither read nor write */
	if (!map.flags)
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/*
	 * Pages are charged with the context's account mode, which is the
	 * mm (as VFIO does) when the context was opened as /dev/vfio/vfio.
	 */
	iova = map.iova;
	rc = iopt_map_user_pages(ictx, &ioas->iopt, &iova,
				 u64_to_user_ptr(map.vaddr), map.size, prot, 0);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/*
 * type1 (v1) may unmap part of a mapping. The IOAS of a v1 container has
 * large pages disabled (see iommufd_vfio_set_iommu()), so its areas can be
 * cut at the range boundaries first; the unmap then removes whole areas.
 */
static int iommufd_vfio_cut_range(struct io_pagetable *iopt,
				  unsigned long iova, unsigned long last)
{
	unsigned long cuts[2];
	size_t num = 0;

	cuts[num++] = last;
	if (iova)
		cuts[num++] = iova - 1;
	return iopt_cut_iova(iopt, cuts, num);
}

static int iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	/*
	 * VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP is not offered: dirty tracking
	 * is reached through IOMMU_HWPT_GET_DIRTY_BITMAP.
	 */
	const u32 valid_flags = VFIO_DMA_UNMAP_FLAG_ALL;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	struct vfio_iommu_type1_dma_unmap __user *uunmap = arg;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	u64 last;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || unmap.flags & ~valid_flags)
		return -EINVAL;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = -EINVAL;
			goto out_put;
		}
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
		goto out_respond;
	}

	if (!unmap.size ||
	    check_add_overflow(unmap.iova, unmap.size - 1, &last) ||
	    last > ULONG_MAX) {
		rc = -EINVAL;
		goto out_put;
	}
	if (READ_ONCE(ioas->iopt.disable_large_pages)) {
		rc = iommufd_vfio_cut_range(&ioas->iopt, unmap.iova, last);
		if (rc)
			goto out_put;
	}
	rc = iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size, &unmapped);

out_respond:
	if (!rc && put_user(unmapped, &uunmap->size))
		rc = -EFAULT;
out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* 1 if every HWPT on the compat IOAS enforces cache coherency */
static int iommufd_vfio_cc_iommu(struct iommufd_ctx *ictx)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_ioas *ioas;
	int coherent = 1;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return 0;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item)
		if (!hwpt_paging->enforce_cache_coherency)
			coherent = 0;
	mutex_unlock(&ioas->mutex);

	iommufd_put_object(ictx, &ioas->obj);
	return coherent;
}

static int iommufd_vfio_check_extension(struct iommufd_ctx *ictx,
					unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return !READ_ONCE(ictx->no_iommu_mode);
	case VFIO_NOIOMMU_IOMMU:
		return IS_ENABLED(CONFIG_VFIO_NOIOMMU);
	case VFIO_DMA_CC_IOMMU:
		return iommufd_vfio_cc_iommu(ictx);
	/*
	 * Not offered: VFIO_TYPE1_NESTING_IOMMU was never usable, and
	 * VFIO_UPDATE_VADDR (changing the VA behind pinned pages) cannot be
	 * done safely.
	 */
	default:
		return 0;
	}
}

static int iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	bool no_iommu = READ_ONCE(ictx->no_iommu_mode);
	struct iommufd_ioas *ioas;
	int rc = 0;

	/*
	 * A no-IOMMU container has no IOAS; the other container ioctls keep
	 * failing with ENODEV, as VFIO would refuse them.
	 */
	if (IS_ENABLED(CONFIG_VFIO_NOIOMMU) && type == VFIO_NOIOMMU_IOMMU &&
	    no_iommu)
		return capable(CAP_SYS_RAWIO) ? 0 : -EPERM;

	if (no_iommu || (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU))
		return -EINVAL;

	/* Like VFIO, refuse a container without any group */
	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/*
	 * v1 lets userspace unmap any page of a mapping, which a large IOMMU
	 * page cannot honour; such containers map with PAGE_SIZE only.
	 */
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_disable_large_pages(&ioas->iopt);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/*
 * The IOMMU page sizes every domain of the IOAS supports, as type1 reports
 * them: sizes below PAGE_SIZE are folded into PAGE_SIZE, and nothing smaller
 * than the IOAS's IOVA alignment is offered.
 */
static u64 iommufd_vfio_pgsizes(struct iommufd_ioas *ioas)
{
	struct io_pagetable *iopt = &ioas->iopt;
	unsigned long pgsizes = ULONG_MAX;
	struct iommu_domain *domain;
	unsigned long align;
	unsigned long index;

	down_read(&iopt->domains_rwsem);
	xa_for_each(&iopt->domains, index, domain)
		pgsizes &= domain->pgsize_bitmap;
	up_read(&iopt->domains_rwsem);

	if (pgsizes & ~PAGE_MASK)
		pgsizes = (pgsizes & PAGE_MASK) | PAGE_SIZE;
	align = iopt_get_iova_alignment(iopt);
	if (align > PAGE_SIZE) {
		pgsizes &= ~(align - 1);
		if (!pgsizes)
			pgsizes = align;
	}
	return pgsizes;
}

/*
 * Dirty tracking through the container needs every domain of the compat IOAS
 * to track dirty IOVA itself; an IOAS without any domain has nothing to
 * track. Called with ioas->mutex held.
 */
static bool iommufd_vfio_can_track_dirty(struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	bool any = false;

	lockdep_assert_held(&ioas->mutex);
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		const struct iommu_dirty_ops *ops =
			hwpt_paging->common.domain->dirty_ops;

		if (!ops || !ops->set_dirty_tracking ||
		    !ops->read_and_clear_dirty)
			return false;
		any = true;
	}
	return any;
}

static int iommufd_vfio_set_dirty(struct iommufd_ioas *ioas, bool enable)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	int rc = 0;

	mutex_lock(&ioas->mutex);
	if (!iommufd_vfio_can_track_dirty(ioas)) {
		rc = list_empty(&ioas->hwpt_list) ? 0 : -EOPNOTSUPP;
		goto out_unlock;
	}
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		int err = iopt_set_dirty_tracking(&ioas->iopt,
						  hwpt_paging->common.domain,
						  enable);

		/* Stopping goes on past a failure; starting is all or none */
		if (err && !rc)
			rc = err;
		if (err && enable)
			break;
	}
	if (rc && enable) {
		/* balances the domains enabled before the failing one */
		list_for_each_entry_continue_reverse(hwpt_paging,
						     &ioas->hwpt_list,
						     hwpt_item)
			iopt_set_dirty_tracking(&ioas->iopt,
						hwpt_paging->common.domain,
						false);
	}
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP: the range must be aligned to the
 * smallest IOMMU page size, which is also the only bitmap granule accepted.
 * The bitmap is cleared first and then collects the dirty bits of every
 * domain, so a page dirtied through any of them is reported.
 */
static int iommufd_vfio_get_dirty(struct iommufd_ioas *ioas,
				  void __user *uget, size_t avail)
{
	struct vfio_iommu_type1_dirty_bitmap_get get;
	struct iommufd_hwpt_paging *hwpt_paging;
	u64 pgsize;
	u64 npages;
	u64 bytes;
	u64 last;
	int rc = 0;

	if (avail < sizeof(get))
		return -EINVAL;
	if (copy_from_user(&get, uget, sizeof(get)))
		return -EFAULT;

	pgsize = iommufd_vfio_pgsizes(ioas);
	pgsize &= -pgsize;
	if (get.bitmap.pgsize != pgsize || !get.size ||
	    (get.iova | get.size) & (pgsize - 1) ||
	    check_add_overflow(get.iova, get.size - 1, &last) ||
	    last > ULONG_MAX)
		return -EINVAL;
	npages = get.size / pgsize;
	bytes = ALIGN(npages, BITS_PER_TYPE(u64)) / BITS_PER_BYTE;
	if (get.bitmap.size < bytes ||
	    get.bitmap.size > IOMMUFD_VFIO_DIRTY_BITMAP_MAX)
		return -EINVAL;
	if (clear_user(get.bitmap.data, bytes))
		return -EFAULT;

	mutex_lock(&ioas->mutex);
	if (!iommufd_vfio_can_track_dirty(ioas)) {
		rc = list_empty(&ioas->hwpt_list) ? 0 : -EOPNOTSUPP;
		goto out_unlock;
	}
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		struct iommu_hwpt_get_dirty_bitmap req = {
			.iova = get.iova,
			.length = get.size,
			.page_size = pgsize,
			.data = (uintptr_t)get.bitmap.data,
		};

		rc = iopt_read_and_clear_dirty_data(&ioas->iopt,
						    hwpt_paging->common.domain,
						    0, &req);
		if (rc)
			break;
	}
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

static int iommufd_vfio_dirty_pages(struct iommufd_ctx *ictx, void __user *arg)
{
	const u32 valid_flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
				VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
				VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dirty_bitmap,
					 flags);
	struct vfio_iommu_type1_dirty_bitmap dirty;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&dirty, arg, minsz))
		return -EFAULT;
	/* Exactly one operation per call */
	if (dirty.argsz < minsz || dirty.flags & ~valid_flags ||
	    hweight32(dirty.flags) != 1)
		return -EINVAL;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	switch (dirty.flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
		rc = iommufd_vfio_set_dirty(ioas, true);
		break;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		rc = iommufd_vfio_set_dirty(ioas, false);
		break;
	default:
		rc = iommufd_vfio_get_dirty(ioas, arg + minsz,
					    dirty.argsz - minsz);
		break;
	}
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/*
 * Build the capability chain of VFIO_IOMMU_GET_INFO in a kernel buffer. The
 * offsets in the chain count from the start of struct
 * vfio_iommu_type1_info, which precedes the buffer. The chain is: IOVA
 * ranges, migration (only when VFIO_IOMMU_DIRTY_PAGES can work), DMA
 * available. Every capability but the last is padded to 8 bytes, so the
 * last one ends the chain exactly.
 */
static int iommufd_vfio_build_caps(struct iommufd_ioas *ioas, void **out,
				   size_t *out_len)
{
	struct vfio_iommu_type1_info_cap_migration *mig_cap;
	struct vfio_iommu_type1_info_cap_iova_range *iova_cap;
	struct vfio_iommu_type1_info_dma_avail *avail_cap;
	const size_t base = sizeof(struct vfio_iommu_type1_info);
	struct iommu_iova_range *ranges;
	size_t mig_len = 0;
	size_t iova_len;
	bool migration;
	u64 pgsizes;
	u32 num;
	void *buf;
	u32 i;
	int rc;

	rc = iommufd_ioas_read_ranges(&ioas->iopt, U32_MAX, &ranges, &num);
	if (rc)
		return rc;

	pgsizes = iommufd_vfio_pgsizes(ioas);
	mutex_lock(&ioas->mutex);
	migration = iommufd_vfio_can_track_dirty(ioas);
	mutex_unlock(&ioas->mutex);
	if (migration)
		mig_len = ALIGN(sizeof(*mig_cap), sizeof(u64));

	iova_len = ALIGN(struct_size(iova_cap, iova_ranges, num), sizeof(u64));
	buf = kzalloc(iova_len + mig_len + sizeof(*avail_cap),
		      GFP_KERNEL_ACCOUNT);
	if (!buf) {
		kvfree(ranges);
		return -ENOMEM;
	}

	iova_cap = buf;
	iova_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	iova_cap->header.version = 1;
	iova_cap->header.next = base + iova_len;
	iova_cap->nr_iovas = num;
	for (i = 0; i != num; i++) {
		iova_cap->iova_ranges[i].start = ranges[i].start;
		iova_cap->iova_ranges[i].end = ranges[i].last;
	}
	kvfree(ranges);

	if (migration) {
		mig_cap = buf + iova_len;
		mig_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
		mig_cap->header.version = 1;
		mig_cap->header.next = base + iova_len + mig_len;
		/* Bitmaps are only offered at the smallest page size */
		mig_cap->pgsize_bitmap = pgsizes & -pgsizes;
		mig_cap->max_dirty_bitmap_size = IOMMUFD_VFIO_DIRTY_BITMAP_MAX;
	}

	avail_cap = buf + iova_len + mig_len;
	avail_cap->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail_cap->header.version = 1;
	avail_cap->avail = IOMMUFD_VFIO_DMA_AVAIL;

	*out = buf;
	*out_len = iova_len + mig_len + sizeof(*avail_cap);
	return 0;
}

static int iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx,
				       void __user *arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
					 iova_pgsizes);
	struct vfio_iommu_type1_info info = {};
	struct iommufd_ioas *ioas;
	size_t caps_len;
	u32 user_argsz;
	void *caps;
	int rc;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	user_argsz = info.argsz;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	rc = iommufd_vfio_build_caps(ioas, &caps, &caps_len);
	if (rc)
		goto out_put;

	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = iommufd_vfio_pgsizes(ioas);
	/*
	 * The chain is returned whole or not at all; argsz tells the caller
	 * how much room the whole chain needs.
	 */
	info.argsz = sizeof(info) + caps_len;
	info.cap_offset = 0;
	if (user_argsz >= info.argsz) {
		info.cap_offset = sizeof(info);
		if (copy_to_user(arg + sizeof(info), caps, caps_len)) {
			rc = -EFAULT;
			goto out_free;
		}
	}
	if (copy_to_user(arg, &info, min_t(size_t, user_argsz, sizeof(info))))
		rc = -EFAULT;
out_free:
	kfree(caps);
out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/**
 * iommufd_vfio_ioctl() - Handle a legacy VFIO container ioctl
 * @ictx: context of the file the ioctl was issued on
 * @cmd: the VFIO ioctl number
 * @arg: its argument
 *
 * Return: the ioctl's result, or -ENOTTY for anything that is not a
 * container command.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(ictx, arg);
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ictx, uarg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return iommufd_vfio_dirty_pages(ictx, uarg);
	default:
		return -ENOTTY;
	}
}
