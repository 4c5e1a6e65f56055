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
 * VFIO_IOMMU_GET_INFO before the first device is attached reports a
 * system-wide geometry, because VFIO does not tell us which group joined
 * the container (see "Geometry before the first device is attached").
 *
 * VFIO_IOMMU_DIRTY_PAGES uses the IOMMU's dirty tracking when every domain
 * of the compat IOAS has it, and otherwise reports what type1 reports: every
 * mapped page (see "VFIO_IOMMU_DIRTY_PAGES" below).
 *
 * No-IOMMU mode: VFIO tells us with iommufd_vfio_compat_set_no_iommu() that
 * its groups are unprotected; the context then accepts VFIO_NOIOMMU_IOMMU
 * and refuses the type1 backends.
 */
#include <linux/amba/bus.h>
#include <linux/capability.h>
#include <linux/cdx/cdx_bus.h>
#include <linux/fsl/mc.h>
#include <linux/interval_tree.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/iova_bitmap.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vfio.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "../iommu-priv.h"
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
	int rc = -ENODEV;

	/* A compat IOAS being destroyed is cleared under this lock first */
	xa_lock(&ictx->objects);
	if (ictx->vfio_ioas) {
		*out_ioas_id = ictx->vfio_ioas->obj.id;
		rc = 0;
	}
	xa_unlock(&ictx->objects);
	return rc;
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

/*
 * Make a new, unpublished @ioas the compat IOAS unless there already is one
 * (-EEXIST) or the context serves no-IOMMU groups (-EINVAL). Destroying the
 * compat IOAS clears ictx->vfio_ioas under the same lock, so a non-NULL
 * pointer seen here is a live IOAS.
 */
static int iommufd_vfio_adopt(struct iommufd_ctx *ictx,
			      struct iommufd_ioas *ioas)
{
	int rc = 0;

	xa_lock(&ictx->objects);
	if (ictx->no_iommu_mode)
		rc = -EINVAL;
	else if (ictx->vfio_ioas)
		rc = -EEXIST;
	else
		ictx->vfio_ioas = ioas;
	xa_unlock(&ictx->objects);
	return rc;
}

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
	struct iommufd_ioas *ioas = iommufd_ioas_alloc(ictx);
	int rc = PTR_ERR_OR_ZERO(ioas);

	if (rc)
		return rc;
	rc = iommufd_vfio_adopt(ictx, ioas);
	if (rc) {
		iommufd_object_abort_and_destroy(ictx, &ioas->obj);
		/* Somebody else's compat IOAS is just as good */
		return rc == -EEXIST ? 0 : rc;
	}
	iommufd_ioas_finalize(ictx, ioas);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_create, IOMMUFD_VFIO);

/* Later binds through VFIO use @ioas; devices already bound keep theirs */
static void iommufd_vfio_set_compat(struct iommufd_ctx *ictx,
				    struct iommufd_ioas *ioas)
{
	xa_lock(&ictx->objects);
	ictx->vfio_ioas = ioas;
	xa_unlock(&ictx->objects);
}

/*
 * The lookup reference held meanwhile keeps @ioas from being destroyed
 * before it is recorded; once recorded, destroying it clears the pointer.
 */
static int iommufd_vfio_do_set_compat(struct iommufd_ioas *ioas, void *data)
{
	iommufd_vfio_set_compat(data, ioas);
	return 0;
}

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
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	if (cmd->op == IOMMU_VFIO_IOAS_GET) {
		rc = iommufd_vfio_compat_ioas_get_id(ictx, &cmd->ioas_id);
		return rc ?: iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	if (cmd->op == IOMMU_VFIO_IOAS_SET)
		return iommufd_ioas_call(ictx,
					 iommufd_get_ioas(ictx, cmd->ioas_id),
					 iommufd_vfio_do_set_compat, ictx);
	if (cmd->op == IOMMU_VFIO_IOAS_CLEAR) {
		iommufd_vfio_set_compat(ictx, NULL);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Container commands act on the compat IOAS, or fail with ENODEV */
static int iommufd_vfio_call(struct iommufd_ctx *ictx,
			     int (*fn)(struct iommufd_ioas *ioas, void *data),
			     void *data)
{
	return iommufd_ioas_call(ictx, iommufd_get_compat_ioas(ictx), fn, data);
}

struct iommufd_vfio_map {
	struct iommufd_ctx *ictx;
	struct vfio_iommu_type1_dma_map map;
	int prot;
};

static int iommufd_vfio_do_map(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_vfio_map *req = data;
	unsigned long iova = req->map.iova;

	/*
	 * Pages are charged with the context's account mode, which is the
	 * mm (as VFIO does) when the context was opened as /dev/vfio/vfio.
	 */
	return iopt_map_user_pages(req->ictx, &ioas->iopt, &iova,
				   u64_to_user_ptr(req->map.vaddr),
				   req->map.size, req->prot, 0);
}

static long iommufd_vfio_map_dma(struct iommufd_ctx *ictx, unsigned long arg)
{
	const u32 valid_flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct iommufd_vfio_map req = { .ictx = ictx, .prot = IOMMU_CACHE };

	if (copy_from_user(&req.map, (void __user *)arg, minsz))
		return -EFAULT;
	/* type1 also refuses a mapping the device can neither read nor write */
	if (req.map.argsz < minsz || !req.map.flags ||
	    req.map.flags & ~valid_flags)
		return -EINVAL;
	/* Wrapping IOVA or user address ranges are invalid, as on type1 */
	if (!req.map.size ||
	    req.map.iova + req.map.size - 1 < req.map.iova ||
	    req.map.vaddr + req.map.size - 1 < req.map.vaddr)
		return -EINVAL;
	if (req.map.flags & VFIO_DMA_MAP_FLAG_READ)
		req.prot |= IOMMU_READ;
	if (req.map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		req.prot |= IOMMU_WRITE;
	return iommufd_vfio_call(ictx, iommufd_vfio_do_map, &req);
}

static u64 iommufd_vfio_pgsizes(struct iommufd_ioas *ioas,
				unsigned long pgsizes);

struct iommufd_vfio_unmap {
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long last;
	unsigned long unmapped;
};

static int iommufd_vfio_do_unmap(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_vfio_unmap *req = data;
	unsigned long cuts[2] = { req->last, req->unmap.iova - 1 };
	u64 pgsize;
	int rc;

	if (req->unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL)
		return iopt_unmap_all(&ioas->iopt, &req->unmapped);

	/* As type1: the range is in units of the smallest IOMMU page */
	pgsize = iommufd_vfio_pgsizes(ioas, ULONG_MAX);
	if ((req->unmap.iova | req->unmap.size) & ((pgsize & -pgsize) - 1))
		return -EINVAL;

	/*
	 * type1 (v1) may unmap part of a mapping. The IOAS of a v1 container
	 * has large pages disabled (see iommufd_vfio_do_set_iommu()), so its
	 * areas can be cut at the range boundaries first and the unmap then
	 * removes whole areas. Nothing ends below IOVA 0.
	 */
	if (READ_ONCE(ioas->iopt.disable_large_pages)) {
		rc = iopt_cut_iova(&ioas->iopt, cuts, req->unmap.iova ? 2 : 1);
		if (rc)
			return rc;
	}
	return iopt_unmap_iova(&ioas->iopt, req->unmap.iova, req->unmap.size,
			       &req->unmapped);
}

static long iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx,
				   unsigned long arg)
{
	/*
	 * VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP is not offered: dirty bitmaps
	 * are read with VFIO_IOMMU_DIRTY_PAGES or IOMMU_HWPT_GET_DIRTY_BITMAP.
	 */
	const u32 valid_flags = VFIO_DMA_UNMAP_FLAG_ALL;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap __user *uunmap = (void __user *)arg;
	struct iommufd_vfio_unmap req = {};
	struct vfio_iommu_type1_dma_unmap *unmap = &req.unmap;
	u64 last;
	int rc;

	if (copy_from_user(unmap, uunmap, minsz))
		return -EFAULT;
	if (unmap->argsz < minsz || unmap->flags & ~valid_flags)
		return -EINVAL;
	if (unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		/* "All" takes no range */
		if (unmap->iova || unmap->size)
			return -EINVAL;
	} else {
		if (!unmap->size ||
		    check_add_overflow(unmap->iova, unmap->size - 1, &last) ||
		    last > ULONG_MAX)
			return -EINVAL;
		req.last = last;
	}

	rc = iommufd_vfio_call(ictx, iommufd_vfio_do_unmap, &req);
	if (!rc && put_user(req.unmapped, &uunmap->size))
		rc = -EFAULT;
	return rc;
}

/* 1 if every HWPT on the IOAS enforces cache coherency */
static int iommufd_vfio_do_cc(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	int coherent = 1;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item)
		coherent &= hwpt_paging->enforce_cache_coherency;
	mutex_unlock(&ioas->mutex);
	return coherent;
}

static long iommufd_vfio_check_extension(struct iommufd_ctx *ictx,
					 unsigned long type)
{
	int rc;

	if (type == VFIO_DMA_CC_IOMMU) {
		/* Without a compat IOAS nothing can be coherent */
		rc = iommufd_vfio_call(ictx, iommufd_vfio_do_cc, NULL);
		return max(rc, 0);
	}
	if (type == VFIO_NOIOMMU_IOMMU)
		return IS_ENABLED(CONFIG_VFIO_NOIOMMU);
	if (type == VFIO_TYPE1_IOMMU || type == VFIO_TYPE1v2_IOMMU ||
	    type == VFIO_UNMAP_ALL)
		return !READ_ONCE(ictx->no_iommu_mode);
	/*
	 * Not offered: VFIO_TYPE1_NESTING_IOMMU was never usable, and
	 * VFIO_UPDATE_VADDR (changing the VA behind pinned pages) cannot be
	 * done safely.
	 */
	return 0;
}

static int iommufd_vfio_do_set_iommu(struct iommufd_ioas *ioas, void *data)
{
	unsigned long type = *(unsigned long *)data;

	/*
	 * v1 lets userspace unmap any page of a mapping, which a large IOMMU
	 * page cannot honour; such containers map with PAGE_SIZE only.
	 */
	return type == VFIO_TYPE1_IOMMU ?
		       iopt_disable_large_pages(&ioas->iopt) : 0;
}

static long iommufd_vfio_set_iommu(struct iommufd_ctx *ictx,
				   unsigned long type)
{
	bool no_iommu = READ_ONCE(ictx->no_iommu_mode);

	/*
	 * A no-IOMMU container has no IOAS; the other container ioctls keep
	 * failing with ENODEV, as VFIO would refuse them.
	 */
	if (no_iommu && type == VFIO_NOIOMMU_IOMMU &&
	    IS_ENABLED(CONFIG_VFIO_NOIOMMU))
		return capable(CAP_SYS_RAWIO) ? 0 : -EPERM;
	if (no_iommu)
		return -EINVAL;
	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	/* Like VFIO, refuse a container without any group: ENODEV */
	return iommufd_vfio_call(ictx, iommufd_vfio_do_set_iommu, &type);
}

/*
 * An IOMMU with pages below PAGE_SIZE maps PAGE_SIZE too, and type1 shows
 * it so. Folding each IOMMU's sizes before intersecting them (type1 folds
 * after) keeps PAGE_SIZE when IOMMUs with different small pages meet.
 */
static unsigned long iommufd_vfio_fold(unsigned long pgsizes)
{
	if (pgsizes & ~PAGE_MASK)
		pgsizes = (pgsizes & PAGE_MASK) | PAGE_SIZE;
	return pgsizes;
}

/*
 * The IOMMU page sizes every domain of the IOAS supports, within @pgsizes,
 * as type1 reports them: sizes below PAGE_SIZE are folded into PAGE_SIZE,
 * and nothing smaller than the IOAS's IOVA alignment is offered.
 */
static u64 iommufd_vfio_pgsizes(struct iommufd_ioas *ioas,
				unsigned long pgsizes)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct iommu_domain *domain;
	unsigned long align;
	unsigned long index;

	down_read(&iopt->domains_rwsem);
	xa_for_each(&iopt->domains, index, domain)
		pgsizes &= iommufd_vfio_fold(domain->pgsize_bitmap);
	up_read(&iopt->domains_rwsem);

	pgsizes = iommufd_vfio_fold(pgsizes);
	align = iopt_get_iova_alignment(iopt);
	if (align > PAGE_SIZE) {
		pgsizes &= ~(align - 1);
		if (!pgsizes)
			pgsizes = align;
	}
	return pgsizes;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES.
 *
 * Type1 has no dirty tracking hardware behind it: once started it reports
 * every mapped page as dirty on every read. We do better where the IOMMU
 * can: when every domain of the compat IOAS tracks dirty IOVA (automatic
 * domains of the compat IOAS are allocated with dirty tracking when the
 * device supports it, see iommufd_vfio_auto_domain_flags()), the bitmap is
 * the union of what the domains report. Otherwise, and with no domain at
 * all, it is what type1 reports: every mapped page of the range.
 *
 * ioas->iopt.vfio_dirty_tracking says tracking was started; while it is set
 * every domain of the IOAS that can track has tracking on, including those
 * that join later (iommufd_vfio_track_new_domain()). ioas->mutex protects
 * it and the HWPT list.
 */

/* Every domain of @ioas tracks dirty IOVA, and there is one */
static bool iommufd_vfio_hw_dirty(struct iommufd_ioas *ioas)
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

static bool iommufd_vfio_domain_tracks(struct iommu_domain *domain)
{
	return domain->dirty_ops && domain->dirty_ops->set_dirty_tracking;
}

/**
 * iommufd_vfio_track_new_domain() - Extend container dirty tracking
 * @ioas: the IOAS a paging domain is joining
 * @domain: the domain, already filled with the IOAS's mappings
 *
 * While VFIO_IOMMU_DIRTY_PAGES tracking is on, a domain that joins the
 * IOAS must track too, or the bitmap would miss what its devices write.
 *
 * Context: ioas->mutex held.
 * Return: 0, or the error of starting tracking on @domain.
 */
int iommufd_vfio_track_new_domain(struct iommufd_ioas *ioas,
				  struct iommu_domain *domain)
{
	lockdep_assert_held(&ioas->mutex);
	if (!ioas->iopt.vfio_dirty_tracking ||
	    !iommufd_vfio_domain_tracks(domain))
		return 0;
	return iopt_set_dirty_tracking(&ioas->iopt, domain, true);
}

/**
 * iommufd_vfio_auto_domain_flags() - Flags for a new automatic domain
 * @ictx: the context
 * @ioas: the IOAS the domain is for
 * @dev: the device it is made for
 *
 * Automatic domains of the compat IOAS are allocated with dirty tracking
 * when the device's IOMMU can do it, so that VFIO_IOMMU_DIRTY_PAGES can
 * use it; type1 users have no other way to ask for it. Tracking stays off
 * until started, which costs nothing on the IOMMUs that offer it.
 *
 * Return: IOMMU_HWPT_ALLOC_DIRTY_TRACKING or 0.
 */
u32 iommufd_vfio_auto_domain_flags(struct iommufd_ctx *ictx,
				   struct iommufd_ioas *ioas,
				   struct device *dev)
{
	bool compat;

	xa_lock(&ictx->objects);
	compat = ictx->vfio_ioas == ioas;
	xa_unlock(&ictx->objects);
	if (compat && device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING))
		return IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	return 0;
}

static int iommufd_vfio_start_dirty(struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	int rc = 0;

	lockdep_assert_held(&ioas->mutex);
	if (ioas->iopt.vfio_dirty_tracking)
		return 0;
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item) {
		struct iommu_domain *domain = hwpt_paging->common.domain;

		if (!iommufd_vfio_domain_tracks(domain))
			continue;
		rc = iopt_set_dirty_tracking(&ioas->iopt, domain, true);
		if (rc)
			break;
	}
	if (rc) {
		/* Starting is all or nothing */
		list_for_each_entry_continue_reverse(hwpt_paging,
						     &ioas->hwpt_list,
						     hwpt_item) {
			struct iommu_domain *domain = hwpt_paging->common.domain;

			if (iommufd_vfio_domain_tracks(domain))
				iopt_set_dirty_tracking(&ioas->iopt, domain,
							false);
		}
		return rc;
	}
	ioas->iopt.vfio_dirty_tracking = true;
	return 0;
}

static void iommufd_vfio_stop_dirty(struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt_paging;

	lockdep_assert_held(&ioas->mutex);
	if (!ioas->iopt.vfio_dirty_tracking)
		return;
	/* Stopping cannot fail as a whole: go on past a domain that fails */
	list_for_each_entry(hwpt_paging, &ioas->hwpt_list, hwpt_item)
		if (iommufd_vfio_domain_tracks(hwpt_paging->common.domain))
			iopt_set_dirty_tracking(&ioas->iopt,
						hwpt_paging->common.domain,
						false);
	ioas->iopt.vfio_dirty_tracking = false;
}

/*
 * Type1's answer: every mapped page of the window is dirty. The nodes of
 * area_itree are the mapped IOVA ranges, iova_rwsem is held.
 */
static int iommufd_vfio_dirty_all_chunk(struct iova_bitmap *bitmap,
					unsigned long iova, size_t length,
					void *opaque)
{
	struct io_pagetable *iopt = opaque;
	unsigned long last = iova + length - 1;
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&iopt->area_itree, iova, last);
	     node; node = interval_tree_iter_next(node, iova, last)) {
		unsigned long start = max(node->start, iova);
		unsigned long end = min(node->last, last);

		iova_bitmap_set(bitmap, start, end - start + 1);
	}
	return 0;
}

static int iommufd_vfio_dirty_all(struct io_pagetable *iopt, u64 iova,
				  u64 length, u64 pgsize, void __user *data)
{
	struct iova_bitmap *iter;
	int rc;

	iter = iova_bitmap_alloc(iova, length, pgsize, data);
	if (IS_ERR(iter))
		return PTR_ERR(iter);
	down_read(&iopt->iova_rwsem);
	rc = iova_bitmap_for_each(iter, iopt, iommufd_vfio_dirty_all_chunk);
	up_read(&iopt->iova_rwsem);
	iova_bitmap_free(iter);
	return rc;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP: as type1, tracking must have been
 * started, the range must be aligned to the smallest IOMMU page size, which
 * is also the only bitmap granule accepted, and the bitmap must be large
 * enough. It is cleared first and then collects the dirty bits of every
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

	pgsize = iommufd_vfio_pgsizes(ioas, ULONG_MAX);
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

	mutex_lock(&ioas->mutex);
	if (!ioas->iopt.vfio_dirty_tracking) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (clear_user(get.bitmap.data, bytes)) {
		rc = -EFAULT;
		goto out_unlock;
	}
	if (!iommufd_vfio_hw_dirty(ioas)) {
		rc = iommufd_vfio_dirty_all(&ioas->iopt, get.iova, get.size,
					    pgsize, get.bitmap.data);
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

struct iommufd_vfio_dirty {
	u32 op;
	void __user *uget;
	size_t avail;
};

static int iommufd_vfio_do_dirty(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_vfio_dirty *req = data;
	int rc = 0;

	if (req->op == VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)
		return iommufd_vfio_get_dirty(ioas, req->uget, req->avail);

	mutex_lock(&ioas->mutex);
	if (req->op == VFIO_IOMMU_DIRTY_PAGES_FLAG_START)
		rc = iommufd_vfio_start_dirty(ioas);
	else
		iommufd_vfio_stop_dirty(ioas);
	mutex_unlock(&ioas->mutex);
	return rc;
}

static long iommufd_vfio_dirty_pages(struct iommufd_ctx *ictx,
				     unsigned long arg)
{
	const u32 valid_flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
				VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
				VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dirty_bitmap,
					 flags);
	struct vfio_iommu_type1_dirty_bitmap dirty;
	struct iommufd_vfio_dirty req;

	if (copy_from_user(&dirty, (void __user *)arg, minsz))
		return -EFAULT;
	/* Exactly one operation per call */
	if (dirty.argsz < minsz || dirty.flags & ~valid_flags ||
	    hweight32(dirty.flags) != 1)
		return -EINVAL;

	req.op = dirty.flags;
	req.uget = (void __user *)arg + minsz;
	req.avail = dirty.argsz - minsz;
	return iommufd_vfio_call(ictx, iommufd_vfio_do_dirty, &req);
}

/*
 * Geometry before the first device is attached.
 *
 * Type1 attaches a group to its domain at VFIO_GROUP_SET_CONTAINER, so its
 * VFIO_IOMMU_GET_INFO is exact as soon as the group joins. Here the group's
 * devices reach the compat IOAS only when userspace opens a device fd, and
 * VFIO tells us about the join with iommufd_vfio_compat_ioas_create(),
 * which does not name the group: there is no way to know which devices will
 * come. VMMs read the geometry in between and allocate IOVA from it, so
 * while the compat IOAS has no domain GET_INFO reports what any IOMMU group
 * of the system can use: the intersection of the apertures and page sizes
 * of a paging domain made for each group, minus the union of all their
 * reserved regions. With a single IOMMU this is exactly what the group
 * will get. Once a domain is attached its own values are reported instead.
 * Nothing is reserved in the IOAS by this; it is only a report.
 */
struct iommufd_vfio_geo {
	unsigned long pgsizes;
	unsigned long start;
	unsigned long last;
	/* Groups walked so far, by ID, each holding a reference */
	struct xarray groups;
	/* Set once a device of the current group gave a paging domain */
	bool group_measured;
	bool any_group;
	struct iommu_iova_range *resv;
	unsigned int num_resv;
	unsigned int max_resv;
};

/* The buses VFIO has drivers for, i.e. where type1 users find groups */
static const struct bus_type *const iommufd_vfio_buses[] = {
#ifdef CONFIG_PCI
	&pci_bus_type,
#endif
	&platform_bus_type,
#ifdef CONFIG_ARM_AMBA
	&amba_bustype,
#endif
#ifdef CONFIG_FSL_MC_BUS
	&fsl_mc_bus_type,
#endif
#ifdef CONFIG_CDX_BUS
	&cdx_bus_type,
#endif
};

static int iommufd_vfio_geo_add_resv(struct iommufd_vfio_geo *geo,
				     struct device *dev)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(resv_regions);
	int rc = 0;

	iommu_get_resv_regions(dev, &resv_regions);
	list_for_each_entry(resv, &resv_regions, list) {
		unsigned long last;

		/* The same regions iopt_table_enforce_dev_resv_regions() uses */
		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE || !resv->length)
			continue;
		if (check_add_overflow((unsigned long)resv->start,
				       (unsigned long)resv->length - 1, &last))
			last = ULONG_MAX;
		if (geo->num_resv == geo->max_resv) {
			unsigned int max = max(8U, geo->max_resv * 2);
			struct iommu_iova_range *more;

			more = krealloc_array(geo->resv, max, sizeof(*more),
					      GFP_KERNEL);
			if (!more) {
				rc = -ENOMEM;
				break;
			}
			geo->resv = more;
			geo->max_resv = max;
		}
		geo->resv[geo->num_resv].start = resv->start;
		geo->resv[geo->num_resv].last = last;
		geo->num_resv++;
	}
	iommu_put_resv_regions(dev, &resv_regions);
	return rc;
}

/*
 * A paging domain made the way iommufd_hwpt_paging_alloc() makes the
 * automatic domain for @dev: drivers with domain_alloc_user() size it for
 * the device (address width, large pages), while iommu_paging_domain_alloc()
 * may leave that to the first attach.
 */
static struct iommu_domain *iommufd_vfio_geo_domain(struct device *dev)
{
	const struct iommu_ops *ops = dev_iommu_ops(dev);

	if (ops->domain_alloc_user)
		return ops->domain_alloc_user(dev, 0, NULL, NULL);
	return iommu_paging_domain_alloc(dev);
}

/*
 * Called with the group's mutex held, which keeps @dev in the group and its
 * IOMMU driver data alive while we ask the driver about it.
 */
static int iommufd_vfio_geo_group_dev(struct device *dev, void *data)
{
	struct iommufd_vfio_geo *geo = data;
	struct iommu_domain *domain;

	/*
	 * VFIO's no-IOMMU groups are groups without an IOMMU driver behind
	 * their devices: no domain to measure, nothing reserved.
	 */
	if (!dev->iommu || !dev->iommu->iommu_dev)
		return 0;
	if (!geo->group_measured) {
		domain = iommufd_vfio_geo_domain(dev);
		if (!IS_ERR(domain)) {
			geo->pgsizes &= iommufd_vfio_fold(domain->pgsize_bitmap);
			geo->start = max(geo->start,
					 domain->geometry.aperture_start);
			geo->last = min(geo->last,
					domain->geometry.aperture_end);
			geo->group_measured = true;
			geo->any_group = true;
			iommu_domain_free(domain);
		}
	}
	return iommufd_vfio_geo_add_resv(geo, dev);
}

static int iommufd_vfio_geo_bus_dev(struct device *dev, void *data)
{
	struct iommufd_vfio_geo *geo = data;
	struct iommu_group *group;
	int rc;

	group = iommu_group_get(dev);
	if (!group)
		return 0;
	/* The reference is dropped in iommufd_vfio_geo_destroy() */
	rc = xa_insert(&geo->groups, iommu_group_id(group), group, GFP_KERNEL);
	if (rc) {
		iommu_group_put(group);
		return rc == -EBUSY ? 0 : rc;
	}
	geo->group_measured = false;
	return iommu_group_for_each_dev(group, geo, iommufd_vfio_geo_group_dev);
}

static void iommufd_vfio_geo_put_groups(struct iommufd_vfio_geo *geo)
{
	struct iommu_group *group;
	unsigned long index;

	xa_for_each(&geo->groups, index, group)
		iommu_group_put(group);
	xa_destroy(&geo->groups);
}

static void iommufd_vfio_geo_destroy(struct iommufd_vfio_geo *geo)
{
	iommufd_vfio_geo_put_groups(geo);
	kfree(geo->resv);
}

static int iommufd_vfio_resv_cmp(const void *a, const void *b)
{
	const struct iommu_iova_range *ra = a, *rb = b;

	if (ra->start == rb->start)
		return 0;
	return ra->start < rb->start ? -1 : 1;
}

/* Walk every IOMMU group of the system; see "Geometry before ..." above */
static int iommufd_vfio_geo_measure(struct iommufd_vfio_geo *geo)
{
	unsigned int i;
	int rc = 0;

	*geo = (struct iommufd_vfio_geo){
		.pgsizes = ULONG_MAX,
		.last = ULONG_MAX,
	};
	xa_init(&geo->groups);
	for (i = 0; i != ARRAY_SIZE(iommufd_vfio_buses) && !rc; i++)
		rc = bus_for_each_dev(iommufd_vfio_buses[i], NULL, geo,
				      iommufd_vfio_geo_bus_dev);
	if (!rc)
		rc = iommufd_selftest_walk_devs(geo, iommufd_vfio_geo_bus_dev);
	if (rc) {
		iommufd_vfio_geo_destroy(geo);
		return rc;
	}
	sort(geo->resv, geo->num_resv, sizeof(*geo->resv),
	     iommufd_vfio_resv_cmp, NULL);
	return 0;
}

/*
 * The geometry is the same for every caller until the set of IOMMU groups
 * changes, while measuring it allocates and frees a paging domain per group
 * of the system: keep the last result. It is stale once
 *  - a device of one of the buses (or a mock device) comes, goes, or gains
 *    or loses a driver (VFIO creates no-IOMMU groups at driver bind): the
 *    bus notifiers below bump iommufd_vfio_geo_gen;
 *  - an IOMMU driver registers late and puts existing devices in groups
 *    without a bus event: the fingerprint of the group set, a cheap walk
 *    that takes no domain, changes.
 */
struct iommufd_vfio_geo_fp {
	unsigned long groups;
	unsigned long hash;
};

static atomic_long_t iommufd_vfio_geo_gen = ATOMIC_LONG_INIT(0);

static struct {
	/* Covers everything below */
	struct mutex lock;
	bool valid;
	long gen;
	struct iommufd_vfio_geo_fp fp;
	struct iommufd_vfio_geo geo;
} iommufd_vfio_geo_cache = {
	.lock = __MUTEX_INITIALIZER(iommufd_vfio_geo_cache.lock),
};

/**
 * iommufd_vfio_geo_changed() - Forget the cached system-wide geometry
 *
 * For device sources the bus notifiers do not see (the selftest mock bus).
 *
 * Context: any; does not sleep.
 */
void iommufd_vfio_geo_changed(void)
{
	atomic_long_inc(&iommufd_vfio_geo_gen);
}

static int iommufd_vfio_geo_notify(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	iommufd_vfio_geo_changed();
	return NOTIFY_DONE;
}

static struct notifier_block
	iommufd_vfio_geo_nb[ARRAY_SIZE(iommufd_vfio_buses)];
/* A bus that takes no notifier (not registered) disables the cache */
static bool iommufd_vfio_geo_nb_ok[ARRAY_SIZE(iommufd_vfio_buses)];
static bool iommufd_vfio_geo_uncached;

static int iommufd_vfio_geo_fp_dev(struct device *dev, void *data)
{
	struct iommufd_vfio_geo_fp *fp = data;
	struct iommu_group *group = iommu_group_get(dev);

	if (!group)
		return 0;
	fp->groups++;
	fp->hash = (fp->hash ^ (unsigned long)group ^ iommu_group_id(group)) *
		   0x9e3779b97f4a7c15ULL;
	iommu_group_put(group);
	return 0;
}

static void iommufd_vfio_geo_fingerprint(struct iommufd_vfio_geo_fp *fp)
{
	unsigned int i;

	*fp = (struct iommufd_vfio_geo_fp){};
	for (i = 0; i != ARRAY_SIZE(iommufd_vfio_buses); i++)
		bus_for_each_dev(iommufd_vfio_buses[i], NULL, fp,
				 iommufd_vfio_geo_fp_dev);
	iommufd_selftest_walk_devs(fp, iommufd_vfio_geo_fp_dev);
}

/*
 * Copy the system-wide geometry into @geo (its groups xarray unused, its
 * reserved regions a private copy), measuring it only if the cache is stale.
 */
static int iommufd_vfio_geo_get(struct iommufd_vfio_geo *geo)
{
	struct iommufd_vfio_geo_fp fp;
	struct iommufd_vfio_geo fresh;
	long gen;
	int rc = 0;

	mutex_lock(&iommufd_vfio_geo_cache.lock);
	/* Read before measuring: a change during the walk stays visible */
	gen = atomic_long_read(&iommufd_vfio_geo_gen);
	iommufd_vfio_geo_fingerprint(&fp);
	if (!iommufd_vfio_geo_cache.valid || iommufd_vfio_geo_uncached ||
	    iommufd_vfio_geo_cache.gen != gen ||
	    memcmp(&iommufd_vfio_geo_cache.fp, &fp, sizeof(fp))) {
		rc = iommufd_vfio_geo_measure(&fresh);
		if (rc)
			goto out_unlock;
		/* Only the result is kept, not the group references */
		iommufd_vfio_geo_put_groups(&fresh);
		kfree(iommufd_vfio_geo_cache.geo.resv);
		iommufd_vfio_geo_cache.geo = fresh;
		iommufd_vfio_geo_cache.gen = gen;
		iommufd_vfio_geo_cache.fp = fp;
		iommufd_vfio_geo_cache.valid = true;
	}
	*geo = iommufd_vfio_geo_cache.geo;
	xa_init(&geo->groups);
	geo->resv = kmemdup_array(iommufd_vfio_geo_cache.geo.resv,
				  geo->num_resv, sizeof(*geo->resv),
				  GFP_KERNEL_ACCOUNT);
	if (geo->num_resv && !geo->resv)
		rc = -ENOMEM;
	geo->max_resv = geo->num_resv;
out_unlock:
	mutex_unlock(&iommufd_vfio_geo_cache.lock);
	return rc;
}

/**
 * iommufd_vfio_compat_init() - Start watching for IOMMU group changes
 *
 * A bus that cannot be watched only costs the cache: GET_INFO then
 * measures every time, as if nothing were cached.
 */
void iommufd_vfio_compat_init(void)
{
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(iommufd_vfio_buses); i++) {
		iommufd_vfio_geo_nb[i].notifier_call = iommufd_vfio_geo_notify;
		iommufd_vfio_geo_nb_ok[i] =
			!bus_register_notifier(iommufd_vfio_buses[i],
					       &iommufd_vfio_geo_nb[i]);
		if (!iommufd_vfio_geo_nb_ok[i])
			iommufd_vfio_geo_uncached = true;
	}
}

/**
 * iommufd_vfio_compat_exit() - Undo iommufd_vfio_compat_init()
 */
void iommufd_vfio_compat_exit(void)
{
	unsigned int i;

	/* balances bus_register_notifier() in iommufd_vfio_compat_init() */
	for (i = 0; i != ARRAY_SIZE(iommufd_vfio_buses); i++)
		if (iommufd_vfio_geo_nb_ok[i])
			bus_unregister_notifier(iommufd_vfio_buses[i],
						&iommufd_vfio_geo_nb[i]);
	kfree(iommufd_vfio_geo_cache.geo.resv);
}

/*
 * Replace the kvmalloc()ed @*ranges by their parts inside the aperture of
 * @geo and outside its reserved regions. A reserved region splits at most
 * one range in two, so the result has at most num + num_resv entries.
 */
static int iommufd_vfio_geo_clip(struct iommufd_vfio_geo *geo,
				 struct iommu_iova_range **ranges, u32 *num)
{
	struct iommu_iova_range *in = *ranges, *out;
	u32 n = 0;
	u32 i;

	out = kvcalloc(*num + geo->num_resv, sizeof(*out),
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!out)
		return -ENOMEM;
	for (i = 0; i != *num; i++) {
		u64 cur = max_t(u64, in[i].start, geo->start);
		u64 last = min_t(u64, in[i].last, geo->last);
		bool done = cur > last;
		unsigned int j;

		for (j = 0; j != geo->num_resv && !done; j++) {
			const struct iommu_iova_range *r = &geo->resv[j];

			if (r->last < cur)
				continue;
			if (r->start > last)
				break;
			if (r->start > cur) {
				out[n].start = cur;
				out[n++].last = r->start - 1;
			}
			if (r->last >= last)
				done = true;
			else
				cur = r->last + 1;
		}
		if (!done) {
			out[n].start = cur;
			out[n++].last = last;
		}
	}
	kvfree(in);
	*ranges = out;
	*num = n;
	return 0;
}

static bool iommufd_vfio_has_domain(struct iommufd_ioas *ioas)
{
	bool ret;

	down_read(&ioas->iopt.domains_rwsem);
	ret = !xa_empty(&ioas->iopt.domains);
	up_read(&ioas->iopt.domains_rwsem);
	return ret;
}

/*
 * The IOVA ranges and page sizes GET_INFO reports: those of the IOAS, and
 * without a domain also restricted to the system-wide geometry.
 */
static int iommufd_vfio_geometry(struct iommufd_ioas *ioas,
				 struct iommu_iova_range **ranges, u32 *num,
				 u64 *pgsizes)
{
	struct iommufd_vfio_geo geo;
	int rc;

	rc = iommufd_ioas_read_ranges(&ioas->iopt, U32_MAX, ranges, num);
	if (rc)
		return rc;
	if (iommufd_vfio_has_domain(ioas)) {
		*pgsizes = iommufd_vfio_pgsizes(ioas, ULONG_MAX);
		return 0;
	}

	rc = iommufd_vfio_geo_get(&geo);
	if (rc)
		goto err_free;
	if (geo.any_group)
		rc = iommufd_vfio_geo_clip(&geo, ranges, num);
	*pgsizes = iommufd_vfio_pgsizes(ioas, geo.pgsizes);
	iommufd_vfio_geo_destroy(&geo);
	if (rc)
		goto err_free;
	return 0;

err_free:
	kvfree(*ranges);
	return rc;
}

/*
 * Build the capability chain of VFIO_IOMMU_GET_INFO in a kernel buffer,
 * laid out as type1 lays it out so that programs that walk it by offset
 * see the same thing: migration, DMA available, then IOVA ranges (only if
 * there is any), each
 * padded to 8 bytes. The offsets count from the start of struct
 * vfio_iommu_type1_info, which precedes the buffer.
 */
static int iommufd_vfio_build_caps(struct iommufd_ioas *ioas, u64 *pgsizes,
				   void **out, size_t *out_len)
{
	const size_t base = sizeof(struct vfio_iommu_type1_info);
	struct vfio_iommu_type1_info_cap_migration *mig_cap;
	struct vfio_iommu_type1_info_cap_iova_range *iova_cap;
	struct vfio_iommu_type1_info_dma_avail *avail_cap;
	size_t mig_len = ALIGN(sizeof(*mig_cap), sizeof(u64));
	size_t avail_len = ALIGN(sizeof(*avail_cap), sizeof(u64));
	struct iommu_iova_range *ranges;
	struct vfio_info_cap_header *prev;
	size_t iova_len = 0;
	size_t len = 0;
	u32 num;
	void *buf;
	u32 i;
	int rc;

	rc = iommufd_vfio_geometry(ioas, &ranges, &num, pgsizes);
	if (rc)
		return rc;

	if (num)
		iova_len = ALIGN(struct_size(iova_cap, iova_ranges, num),
				 sizeof(u64));
	/* One IOVA range per hole between reserved ranges: user controlled */
	buf = kvzalloc(mig_len + avail_len + iova_len,
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf) {
		kvfree(ranges);
		return -ENOMEM;
	}

	/* VFIO_IOMMU_DIRTY_PAGES always works, as on type1 */
	mig_cap = buf;
	mig_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
	mig_cap->header.version = 1;
	/* Bitmaps are only offered at the smallest page size */
	mig_cap->pgsize_bitmap = *pgsizes & -*pgsizes;
	mig_cap->max_dirty_bitmap_size = IOMMUFD_VFIO_DIRTY_BITMAP_MAX;
	len = mig_len;

	avail_cap = buf + len;
	avail_cap->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail_cap->header.version = 1;
	avail_cap->avail = IOMMUFD_VFIO_DMA_AVAIL;
	mig_cap->header.next = base + len;
	prev = &avail_cap->header;
	len += avail_len;

	if (num) {
		iova_cap = buf + len;
		iova_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
		iova_cap->header.version = 1;
		iova_cap->nr_iovas = num;
		for (i = 0; i != num; i++) {
			iova_cap->iova_ranges[i].start = ranges[i].start;
			iova_cap->iova_ranges[i].end = ranges[i].last;
		}
		prev->next = base + len;
		len += iova_len;
	}
	kvfree(ranges);

	*out = buf;
	*out_len = len;
	return 0;
}

struct iommufd_vfio_info {
	void __user *uinfo;
	struct vfio_iommu_type1_info info;
};

static int iommufd_vfio_do_get_info(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_vfio_info *req = data;
	struct vfio_iommu_type1_info *info = &req->info;
	u32 user_argsz = info->argsz;
	size_t caps_len;
	u64 pgsizes;
	void *caps;
	int rc = 0;

	rc = iommufd_vfio_build_caps(ioas, &pgsizes, &caps, &caps_len);
	if (rc)
		return rc;

	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = pgsizes;
	/*
	 * As type1: the chain is returned whole or not at all. A buffer too
	 * small for it gets argsz raised to the size needed; otherwise argsz
	 * is left as the caller set it.
	 */
	if (user_argsz < sizeof(*info) + caps_len) {
		info->argsz = sizeof(*info) + caps_len;
	} else {
		info->cap_offset = sizeof(*info);
		if (copy_to_user(req->uinfo + sizeof(*info), caps, caps_len))
			rc = -EFAULT;
	}
	if (!rc && copy_to_user(req->uinfo, info,
				min_t(size_t, user_argsz, sizeof(*info))))
		rc = -EFAULT;
	kvfree(caps);
	return rc;
}

static long iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx,
					unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info,
					 iova_pgsizes);
	struct iommufd_vfio_info req = { .uinfo = (void __user *)arg };

	if (copy_from_user(&req.info, req.uinfo, minsz))
		return -EFAULT;
	if (req.info.argsz < minsz)
		return -EINVAL;
	return iommufd_vfio_call(ictx, iommufd_vfio_do_get_info, &req);
}

static long iommufd_vfio_api_version(struct iommufd_ctx *ictx,
				     unsigned long arg)
{
	return VFIO_API_VERSION;
}

/* The container commands, and who serves them */
static const struct iommufd_vfio_cmd {
	unsigned int cmd;
	long (*fn)(struct iommufd_ctx *ictx, unsigned long arg);
} iommufd_vfio_cmds[] = {
	{ VFIO_GET_API_VERSION, iommufd_vfio_api_version },
	{ VFIO_CHECK_EXTENSION, iommufd_vfio_check_extension },
	{ VFIO_SET_IOMMU, iommufd_vfio_set_iommu },
	{ VFIO_IOMMU_GET_INFO, iommufd_vfio_iommu_get_info },
	{ VFIO_IOMMU_MAP_DMA, iommufd_vfio_map_dma },
	{ VFIO_IOMMU_UNMAP_DMA, iommufd_vfio_unmap_dma },
	{ VFIO_IOMMU_DIRTY_PAGES, iommufd_vfio_dirty_pages },
};

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
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(iommufd_vfio_cmds); i++)
		if (iommufd_vfio_cmds[i].cmd == cmd)
			return iommufd_vfio_cmds[i].fn(ictx, arg);
	return -ENOTTY;
}
