// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices bound to a context, their attachments, and access objects.
 *
 * Binding (by VFIO) gives the context DMA ownership of the device's whole
 * iommu_group. The IOMMU core attaches domains per group, the uAPI attaches
 * per device, so struct iommufd_group keeps the group-wide state: which HWPT
 * the group's RID is attached to and which of its devices asked for that.
 * The group is attached when its first device attaches and detached when the
 * last one leaves; devices in between only add their reserved IOVA ranges.
 *
 * Attachment to an IOAS means "any paging domain over this IOAS that suits
 * the device": an automatic HWPT from the IOAS's list is reused when the
 * driver accepts the attach, otherwise a new one is made. Automatic HWPTs
 * die with their last attachment.
 *
 * Reference edges: each attachment (RID or PASID) holds one users reference
 * on its HWPT; a driver holds one users reference on its device between bind
 * and unbind and one more per attach, so that a missing detach is caught.
 *
 * Lock order: ioas->mutex (automatic HWPT search), then igroup->lock, then
 * the io_pagetable locks taken by the iopt_*() calls.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-priv.h"
#include "iommufd_private.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Bind devices even when the platform cannot isolate MSI writes; "
		 "a DMA-capable user can then raise arbitrary interrupts");

/* ------------------------------------------------------------------------ */
/* Groups                                                                   */
/* ------------------------------------------------------------------------ */

static void iommufd_group_free(struct kref *kref)
{
	struct iommufd_group *igroup =
		container_of(kref, struct iommufd_group, ref);

	WARN_ON(igroup->hwpt || !list_empty(&igroup->device_list) ||
		igroup->pasid_count);
	/* A new igroup may already sit in the slot; leave it alone then */
	xa_cmpxchg(&igroup->ictx->groups, iommu_group_id(igroup->group),
		   igroup, NULL, GFP_KERNEL);
	iommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

static void iommufd_group_put(struct iommufd_group *igroup)
{
	kref_put(&igroup->ref, iommufd_group_free);
}

static struct iommufd_group *iommufd_group_new(struct iommufd_ctx *ictx,
					       struct iommu_group *group)
{
	struct iommufd_group *igroup;

	igroup = kzalloc(sizeof(*igroup), GFP_KERNEL);
	if (!igroup)
		return NULL;
	kref_init(&igroup->ref);
	mutex_init(&igroup->lock);
	INIT_LIST_HEAD(&igroup->device_list);
	igroup->sw_msi_start = PHYS_ADDR_MAX;
	igroup->ictx = ictx;
	igroup->group = group;
	return igroup;
}

/*
 * Find or create the igroup of @dev's group. The slot of a group whose last
 * reference is being dropped is taken over by a new igroup; the dying one
 * notices at free time that the slot is no longer its own.
 */
static struct iommufd_group *iommufd_group_get(struct iommufd_ctx *ictx,
					       struct device *dev)
{
	struct iommufd_group *fresh = NULL;
	struct iommufd_group *igroup;
	struct iommu_group *group;
	unsigned long id;

	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);
	id = iommu_group_id(group);

	for (;;) {
		void *prev;

		xa_lock(&ictx->groups);
		igroup = xa_load(&ictx->groups, id);
		if (igroup && kref_get_unless_zero(&igroup->ref)) {
			xa_unlock(&ictx->groups);
			if (fresh) {
				/* @fresh owns no group reference yet */
				fresh->group = NULL;
				mutex_destroy(&fresh->lock);
				kfree(fresh);
			}
			iommu_group_put(group);
			return igroup;
		}
		if (!fresh) {
			xa_unlock(&ictx->groups);
			fresh = iommufd_group_new(ictx, group);
			if (!fresh) {
				iommu_group_put(group);
				return ERR_PTR(-ENOMEM);
			}
			continue;
		}
		prev = __xa_cmpxchg(&ictx->groups, id, igroup, fresh,
				    GFP_KERNEL);
		xa_unlock(&ictx->groups);
		if (xa_is_err(prev)) {
			mutex_destroy(&fresh->lock);
			kfree(fresh);
			iommu_group_put(group);
			return ERR_PTR(xa_err(prev));
		}
		/* The group reference now belongs to @fresh */
		if (prev == igroup)
			return fresh;
	}
}

/**
 * iommufd_ctx_has_group() - Is any device of a group bound to a context
 * @ictx: the context
 * @group: the iommu_group
 *
 * VFIO uses this to tell whether the context already owns the group.
 *
 * Context: Any context; takes the groups xarray lock.
 * Return: true if a device of @group is bound to @ictx.
 */
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group)
{
	struct iommufd_group *igroup;
	bool found;

	if (!ictx || !group)
		return false;

	xa_lock(&ictx->groups);
	igroup = xa_load(&ictx->groups, iommu_group_id(group));
	found = igroup && igroup->group == group &&
		kref_read(&igroup->ref) != 0;
	xa_unlock(&ictx->groups);
	return found;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_has_group, IOMMUFD);

/* ------------------------------------------------------------------------ */
/* Bind and unbind                                                          */
/* ------------------------------------------------------------------------ */

/**
 * iommufd_device_bind() - Put a device under the control of a context
 * @ictx: the context
 * @dev: the device; its driver must set driver_managed_dma
 * @id: output, the device ID userspace uses in the uAPI
 *
 * Claims DMA ownership of the device's whole iommu_group for @ictx. The
 * device starts unattached (DMA blocked). Undo with iommufd_device_unbind().
 *
 * Context: Process context, may sleep.
 * Return: The bound device, or an ERR_PTR: -EINVAL if the IOMMU cannot
 * enforce cache coherent DMA, -EPERM if MSI cannot be isolated and
 * allow_unsafe_interrupts is off, -ENODEV without an iommu_group, -EBUSY if
 * another owner has the group's DMA, -ENOMEM.
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id)
{
	bool mock = iommufd_selftest_is_mock_dev(dev);
	struct iommufd_group *igroup;
	struct iommufd_device *idev;
	int rc;

	/* Every mapping asks for IOMMU_CACHE; userspace cannot opt out */
	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);

	igroup = iommufd_group_get(ictx, dev);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);

	/*
	 * Without MSI isolation a DMA write from the device can trigger any
	 * interrupt in the system. VFIO has always allowed that on request.
	 */
	if (!mock && !iommu_group_has_isolated_msi(igroup->group)) {
		if (!allow_unsafe_interrupts) {
			rc = -EPERM;
			goto err_put_group;
		}
		dev_warn(dev,
			 "MSI isolation is not available (is interrupt remapping enabled?); binding anyway because allow_unsafe_interrupts is set\n");
	}

	rc = iommu_device_claim_dma_owner(dev, ictx);
	if (rc)
		goto err_put_group;

	idev = iommufd_object_alloc(ictx, idev, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_release_owner;
	}
	idev->ictx = ictx;
	idev->dev = dev;
	idev->igroup = igroup;
	idev->enforce_cache_coherency =
		device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
	INIT_LIST_HEAD(&idev->group_item);
	xa_init(&idev->pasid_hwpts);
	mutex_init(&idev->iopf_lock);
	/*
	 * A mock device is owned by an object of this very context; holding
	 * the context from it would keep the context alive forever.
	 */
	if (!mock)
		iommufd_ctx_get(ictx);
	/* The binding driver's reference, dropped by iommufd_device_unbind() */
	refcount_inc(&idev->obj.users);

	iommufd_object_finalize(ictx, &idev->obj);
	*id = idev->obj.id;
	return idev;

err_release_owner:
	iommu_device_release_dma_owner(dev);
err_put_group:
	iommufd_group_put(igroup);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, IOMMUFD);

/**
 * iommufd_device_unbind() - Undo iommufd_device_bind()
 * @idev: the device
 *
 * The device must be detached. DMA ownership returns to the DMA API. @idev
 * is invalid afterwards; the caller must not use it concurrently.
 *
 * Context: Process context, may sleep.
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	struct iommufd_ctx *ictx = idev->ictx;

	/* Consumes the binding driver's reference taken in bind */
	iommufd_object_destroy_user(ictx, &idev->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, IOMMUFD);

/**
 * iommufd_device_pre_destroy() - Object hook run before waiting for wait_cnt
 * @obj: the device object
 *
 * A vDEVICE holds its device's wait_cnt for as long as it exists; destroy
 * it (tombstoning its ID) so that the wait can end.
 */
void iommufd_device_pre_destroy(struct iommufd_object *obj)
{
	iommufd_device_remove_vdev(container_of(obj, struct iommufd_device,
						obj));
}

/**
 * iommufd_device_destroy() - Object hook freeing a device's state
 * @obj: the device object
 *
 * Balances iommufd_device_bind(); every attachment is gone by now because
 * each one holds a users reference on the device.
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	WARN_ON(!xa_empty(&idev->pasid_hwpts) || idev->iopf_enabled);
	/* balances iommu_device_claim_dma_owner() in bind */
	iommu_device_release_dma_owner(idev->dev);
	iommufd_group_put(idev->igroup);
	xa_destroy(&idev->pasid_hwpts);
	mutex_destroy(&idev->iopf_lock);
	if (!iommufd_selftest_is_mock_dev(idev->dev))
		iommufd_ctx_put(idev->ictx);
}

/**
 * iommufd_device_to_id() - The uAPI ID of a bound device
 * @idev: the device
 *
 * Return: The ID iommufd_device_bind() returned.
 */
u32 iommufd_device_to_id(struct iommufd_device *idev)
{
	return idev->obj.id;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_id, IOMMUFD);

/**
 * iommufd_device_to_ictx() - The context a device is bound to
 * @idev: the device
 *
 * Return: The context given to iommufd_device_bind().
 */
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev)
{
	return idev->ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_ictx, IOMMUFD);

/* ------------------------------------------------------------------------ */
/* Attachment of the group's RID                                            */
/* ------------------------------------------------------------------------ */

/*
 * The paging HWPT whose IOAS a device's DMA finally lands in: the HWPT
 * itself, or the parent of a nested one. The device's reserved regions and
 * the MSI window belong in that IOAS.
 */
static struct iommufd_hwpt_paging *
hwpt_to_stage2(struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt_is_paging(hwpt))
		return to_hwpt_paging(hwpt);
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED)
		return to_hwpt_nested(hwpt)->parent;
	return NULL;
}

static bool iommufd_device_rid_attached(struct iommufd_device *idev)
{
	struct iommufd_device *cur;

	lockdep_assert_held(&idev->igroup->lock);
	list_for_each_entry(cur, &idev->igroup->device_list, group_item)
		if (cur == idev)
			return true;
	return false;
}

/*
 * A driver that reports IOMMU_RESV_SW_MSI wants the MSI doorbell mapped by
 * the IRQ layer at that IOVA of whatever domain is attached; the cookie tells
 * dma-iommu where. It can be set once per domain.
 */
static int iommufd_group_setup_msi(struct iommufd_group *igroup,
				   struct iommufd_hwpt_paging *hwpt_paging)
{
	int rc;

	if (igroup->sw_msi_start == PHYS_ADDR_MAX || hwpt_paging->msi_cookie)
		return 0;
	rc = iommu_get_msi_cookie(hwpt_paging->common.domain,
				  igroup->sw_msi_start);
	if (rc)
		return rc;
	hwpt_paging->msi_cookie = true;
	return 0;
}

static void iommufd_group_unreserve(struct iommufd_group *igroup,
				    struct iommufd_hwpt_paging *hwpt_paging)
{
	struct iommufd_device *cur;

	list_for_each_entry(cur, &igroup->device_list, group_item)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, cur->dev);
}

/* Carve the reserved regions of every device of the group out of an IOAS */
static int iommufd_group_reserve(struct iommufd_group *igroup,
				 struct iommufd_hwpt_paging *hwpt_paging)
{
	struct io_pagetable *iopt = &hwpt_paging->ioas->iopt;
	struct iommufd_device *cur;
	int rc;

	list_for_each_entry(cur, &igroup->device_list, group_item) {
		rc = iopt_table_enforce_dev_resv_regions(iopt, cur->dev,
							 &igroup->sw_msi_start);
		if (rc) {
			/* Removing a device that reserved nothing is harmless */
			iommufd_group_unreserve(igroup, hwpt_paging);
			return rc;
		}
	}
	return 0;
}

/*
 * Move @handle's IOPF enable count from the departing @from to @to. If @to
 * cannot enable it, fault delivery is lost for the group, but the count
 * must still leave @from (which is going away) and must not be given back
 * by @to later: the handle records that it holds none.
 */
IOMMUFD_KUNIT_VISIBLE void
iommufd_iopf_move(struct iommufd_attach_handle *handle,
		  struct iommufd_device *from, struct iommufd_device *to)
{
	if (!handle->iopf_on)
		return;
	if (iommufd_fault_iopf_enable(to))
		handle->iopf_on = false;
	iommufd_fault_iopf_disable(from);
}

/*
 * Balances iommufd_handle_new() for a handle that was attached. The pending
 * faults are answered before IOPF is switched off: on this core,
 * iopf_queue_remove_device() frees the groups still waiting for a response,
 * which the fault queue holds. No new fault can reach @handle in between,
 * since it was detached first.
 */
static void iommufd_handle_retire(struct iommufd_attach_handle *handle,
				  struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt->fault) {
		iommufd_auto_response_faults(hwpt, handle);
		if (handle->iopf_on)
			iommufd_fault_iopf_disable(handle->idev);
	}
	kfree(handle);
}

/*
 * A new attach handle of @idev for @hwpt, with IOPF switched on for the
 * device when @hwpt delivers faults. iommufd_handle_drop() balances it on
 * failure paths.
 */
static struct iommufd_attach_handle *
iommufd_handle_new(struct iommufd_device *idev,
		   struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_attach_handle *handle;
	int rc;

	handle = kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle)
		return ERR_PTR(-ENOMEM);
	handle->idev = idev;
	if (hwpt->fault) {
		rc = iommufd_fault_iopf_enable(idev);
		if (rc) {
			kfree(handle);
			return ERR_PTR(rc);
		}
		handle->iopf_on = true;
	}
	return handle;
}

/* Balances iommufd_handle_new() for a handle the core never saw */
static void iommufd_handle_drop(struct iommufd_attach_handle *handle,
				struct iommufd_hw_pagetable *hwpt)
{
	if (handle->iopf_on)
		iommufd_fault_iopf_disable(handle->idev);
	kfree(handle);
}

static int iommufd_group_attach_handle(struct iommufd_device *idev,
				       struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_attach_handle *handle;
	int rc;

	handle = iommufd_handle_new(idev, hwpt);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	rc = iommu_attach_group_handle(hwpt->domain, idev->igroup->group,
				       &handle->handle);
	if (rc)
		iommufd_handle_drop(handle, hwpt);
	return rc;
}

static struct iommufd_attach_handle *
iommufd_group_cur_handle(struct iommufd_group *igroup, ioasid_t pasid)
{
	struct iommu_attach_handle *handle;

	handle = iommu_attach_handle_get(igroup->group, pasid, 0);
	if (IS_ERR(handle))
		return NULL;
	return to_iommufd_handle(handle);
}

static void iommufd_group_detach_handle(struct iommufd_group *igroup,
					struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_attach_handle *handle;

	handle = iommufd_group_cur_handle(igroup, IOMMU_NO_PASID);
	iommu_detach_group_handle(hwpt->domain, igroup->group);
	if (WARN_ON(!handle))
		return;
	/* balances iommufd_handle_new() at attach/replace */
	iommufd_handle_retire(handle, hwpt);
}

static int iommufd_group_replace_handle(struct iommufd_device *idev,
					struct iommufd_hw_pagetable *hwpt,
					struct iommufd_hw_pagetable *old)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *old_handle;
	struct iommufd_attach_handle *handle;
	int rc;

	old_handle = iommufd_group_cur_handle(igroup, IOMMU_NO_PASID);
	if (WARN_ON(!old_handle))
		return -EINVAL;

	handle = iommufd_handle_new(idev, hwpt);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	rc = iommu_replace_group_handle(igroup->group, hwpt->domain,
					&handle->handle);
	if (rc) {
		iommufd_handle_drop(handle, hwpt);
		return rc;
	}

	iommufd_handle_retire(old_handle, old);
	return 0;
}

static int iommufd_rid_attach(struct iommufd_device *idev,
			      struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *hwpt_paging = hwpt_to_stage2(hwpt);
	struct iommufd_group *igroup = idev->igroup;
	int rc;

	lockdep_assert_held(&igroup->lock);

	if (igroup->hwpt && igroup->hwpt != hwpt)
		return -EINVAL;
	if (iommufd_device_rid_attached(idev))
		return -EINVAL;
	/* A RID translation PASIDs cannot coexist with */
	if (igroup->pasid_count && !hwpt->pasid_compat)
		return -EINVAL;

	if (hwpt_paging) {
		struct io_pagetable *iopt = &hwpt_paging->ioas->iopt;

		rc = iopt_table_enforce_dev_resv_regions(iopt, idev->dev,
							 &igroup->sw_msi_start);
		if (rc)
			return rc;
		rc = iommufd_group_setup_msi(igroup, hwpt_paging);
		if (rc)
			goto err_unreserve;
	}

	/* The first device attaches the group; the others ride along */
	if (list_empty(&igroup->device_list)) {
		rc = iommufd_group_attach_handle(idev, hwpt);
		if (rc)
			goto err_unreserve;
		igroup->hwpt = hwpt;
	}
	refcount_inc(&hwpt->obj.users);
	list_add_tail(&idev->group_item, &igroup->device_list);
	return 0;

err_unreserve:
	if (hwpt_paging)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, idev->dev);
	return rc;
}

/* Returns the HWPT whose users reference the caller now has to drop */
static struct iommufd_hw_pagetable *
iommufd_rid_detach(struct iommufd_device *idev)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hw_pagetable *hwpt = igroup->hwpt;
	struct iommufd_hwpt_paging *hwpt_paging;

	lockdep_assert_held(&igroup->lock);

	if (WARN_ON(!hwpt || !iommufd_device_rid_attached(idev)))
		return NULL;
	hwpt_paging = hwpt_to_stage2(hwpt);

	list_del_init(&idev->group_item);
	if (list_empty(&igroup->device_list)) {
		iommufd_group_detach_handle(igroup, hwpt);
		igroup->hwpt = NULL;
	} else {
		struct iommufd_attach_handle *handle =
			iommufd_group_cur_handle(igroup, IOMMU_NO_PASID);

		/* Faults must not name a device that is going away */
		if (handle && handle->idev == idev) {
			struct iommufd_device *next;

			next = list_first_entry(&igroup->device_list,
						struct iommufd_device, group_item);

			iommufd_iopf_move(handle, idev, next);
			WRITE_ONCE(handle->idev, next);
		}
	}
	/* balances iopt_table_enforce_dev_resv_regions() at attach */
	if (hwpt_paging)
		iopt_remove_reserved_iova(&hwpt_paging->ioas->iopt, idev->dev);
	return hwpt;
}

static int iommufd_rid_replace(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt,
			       struct iommufd_hw_pagetable **old_out)
{
	struct iommufd_hwpt_paging *hwpt_paging = hwpt_to_stage2(hwpt);
	struct iommufd_hwpt_paging *old_paging;
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hw_pagetable *old = igroup->hwpt;
	unsigned int ndevs;
	bool same_ioas;
	int rc;

	lockdep_assert_held(&igroup->lock);

	if (!old || !iommufd_device_rid_attached(idev))
		return -EINVAL;
	if (old == hwpt)
		return 0;
	if (igroup->pasid_count && !hwpt->pasid_compat)
		return -EINVAL;

	old_paging = hwpt_to_stage2(old);
	same_ioas = hwpt_paging && old_paging &&
		    hwpt_paging->ioas == old_paging->ioas;

	if (hwpt_paging) {
		if (!same_ioas) {
			rc = iommufd_group_reserve(igroup, hwpt_paging);
			if (rc)
				return rc;
		}
		rc = iommufd_group_setup_msi(igroup, hwpt_paging);
		if (rc)
			goto err_unreserve;
	}

	rc = iommufd_group_replace_handle(idev, hwpt, old);
	if (rc)
		goto err_unreserve;

	if (old_paging && !same_ioas)
		iommufd_group_unreserve(igroup, old_paging);
	igroup->hwpt = hwpt;

	/*
	 * Every attached device moves its reference to the new HWPT. The
	 * caller drops the last reference of the old one, outside the locks,
	 * because that may destroy an automatic HWPT.
	 */
	ndevs = list_count_nodes(&igroup->device_list);
	refcount_add(ndevs, &hwpt->obj.users);
	if (ndevs > 1)
		WARN_ON(refcount_sub_and_test(ndevs - 1, &old->obj.users));
	*old_out = old;
	return 0;

err_unreserve:
	if (hwpt_paging && !same_ioas)
		iommufd_group_unreserve(igroup, hwpt_paging);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Attachment of PASIDs                                                     */
/* ------------------------------------------------------------------------ */

static int iommufd_pasid_attach(struct iommufd_device *idev, ioasid_t pasid,
				struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *handle;
	int rc;

	lockdep_assert_held(&igroup->lock);

	if (!hwpt->pasid_compat)
		return -EINVAL;
	if (igroup->hwpt && !igroup->hwpt->pasid_compat)
		return -EINVAL;
	if (!idev->dev->iommu || pasid >= idev->dev->iommu->max_pasids)
		return -EINVAL;

	handle = kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle)
		return -ENOMEM;
	handle->idev = idev;

	/* Claim the slot first: attach never overwrites an attachment */
	rc = xa_insert(&idev->pasid_hwpts, pasid, hwpt, GFP_KERNEL);
	if (rc)
		goto err_free;

	if (hwpt->fault) {
		rc = iommufd_fault_iopf_enable(idev);
		if (rc)
			goto err_erase;
		handle->iopf_on = true;
	}
	rc = iommu_attach_device_pasid(hwpt->domain, idev->dev, pasid,
				       &handle->handle);
	if (rc)
		goto err_iopf;

	igroup->pasid_count++;
	refcount_inc(&hwpt->obj.users);
	return 0;

err_iopf:
	if (hwpt->fault)
		iommufd_fault_iopf_disable(idev);
err_erase:
	xa_erase(&idev->pasid_hwpts, pasid);
err_free:
	kfree(handle);
	return rc;
}

static struct iommufd_hw_pagetable *
iommufd_pasid_detach(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *handle;
	struct iommufd_hw_pagetable *hwpt;

	lockdep_assert_held(&igroup->lock);

	hwpt = xa_load(&idev->pasid_hwpts, pasid);
	if (!hwpt)
		return NULL;

	handle = iommufd_group_cur_handle(igroup, pasid);
	iommu_detach_device_pasid(hwpt->domain, idev->dev, pasid);
	xa_erase(&idev->pasid_hwpts, pasid);
	igroup->pasid_count--;
	/* balances iommufd_fault_iopf_enable() in attach or replace */
	if (!WARN_ON(!handle))
		iommufd_handle_retire(handle, hwpt);
	return hwpt;
}

/*
 * The swap is atomic in the core (iommu_replace_device_pasid()): if the
 * driver refuses the new domain, the old one stays attached with its handle.
 */
static int iommufd_pasid_replace(struct iommufd_device *idev, ioasid_t pasid,
				 struct iommufd_hw_pagetable *hwpt,
				 struct iommufd_hw_pagetable **old_out)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *old_handle;
	struct iommufd_attach_handle *handle;
	struct iommufd_hw_pagetable *old;
	int rc;

	lockdep_assert_held(&igroup->lock);

	old = xa_load(&idev->pasid_hwpts, pasid);
	if (!old)
		return -EINVAL;
	if (old == hwpt)
		return 0;
	if (!hwpt->pasid_compat)
		return -EINVAL;
	old_handle = iommufd_group_cur_handle(igroup, pasid);
	if (WARN_ON(!old_handle))
		return -EINVAL;

	handle = iommufd_handle_new(idev, hwpt);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	rc = iommu_replace_device_pasid(hwpt->domain, idev->dev, pasid,
					&handle->handle);
	if (rc) {
		iommufd_handle_drop(handle, hwpt);
		return rc;
	}

	/* Overwriting a present entry allocates nothing, so cannot fail */
	xa_store(&idev->pasid_hwpts, pasid, hwpt, GFP_KERNEL);
	iommufd_handle_retire(old_handle, old);
	refcount_inc(&hwpt->obj.users);
	*old_out = old;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Attach, replace and detach entry points                                  */
/* ------------------------------------------------------------------------ */

/*
 * Drop the users reference an attachment held. An automatic HWPT goes away
 * with its last attachment. Must not be called under ioas->mutex.
 */
static void iommufd_hwpt_put_attachment(struct iommufd_ctx *ictx,
					struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *hwpt_paging = NULL;

	if (hwpt_is_paging(hwpt))
		hwpt_paging = to_hwpt_paging(hwpt);
	if (hwpt_paging && hwpt_paging->auto_domain) {
		lockdep_assert_not_held(&hwpt_paging->ioas->mutex);
		iommufd_object_put_and_try_destroy(ictx, &hwpt->obj);
		return;
	}
	refcount_dec(&hwpt->obj.users);
}

/* Attach or replace under the group lock; *old gets the HWPT to put */
static int iommufd_device_set_hwpt(struct iommufd_device *idev,
				   ioasid_t pasid,
				   struct iommufd_hw_pagetable *hwpt,
				   bool replace,
				   struct iommufd_hw_pagetable **old)
{
	int rc;

	mutex_lock(&idev->igroup->lock);
	if (pasid == IOMMU_NO_PASID)
		rc = replace ? iommufd_rid_replace(idev, hwpt, old) :
			       iommufd_rid_attach(idev, hwpt);
	else
		rc = replace ? iommufd_pasid_replace(idev, pasid, hwpt, old) :
			       iommufd_pasid_attach(idev, pasid, hwpt);
	mutex_unlock(&idev->igroup->lock);
	return rc;
}

/**
 * iommufd_device_attach_hwpt() - Attach a device's RID to a HWPT
 * @idev: the device
 * @hwpt: the HWPT, which may still be unpublished
 *
 * For iommufd_hwpt_paging_alloc()'s immediate attach of automatic HWPTs.
 *
 * Context: Process context; takes the device's group lock.
 * Return: 0, or a negative errno; -EINVAL means the HWPT does not suit the
 * device.
 */
int iommufd_device_attach_hwpt(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt)
{
	return iommufd_device_set_hwpt(idev, IOMMU_NO_PASID, hwpt, false,
				       NULL);
}

/**
 * iommufd_device_detach_hwpt() - Undo iommufd_device_attach_hwpt()
 * @idev: the device
 * @hwpt: the HWPT it was attached to
 *
 * Drops the attachment's users reference without destroying @hwpt, whose
 * creator is unwinding it.
 *
 * Context: Process context; takes the device's group lock.
 */
void iommufd_device_detach_hwpt(struct iommufd_device *idev,
				struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hw_pagetable *cur;

	mutex_lock(&idev->igroup->lock);
	cur = iommufd_rid_detach(idev);
	mutex_unlock(&idev->igroup->lock);
	if (!WARN_ON(cur != hwpt))
		refcount_dec(&hwpt->obj.users);
}

/*
 * Try one existing automatic HWPT. -EINVAL means "does not suit this
 * device", and the caller moves on to the next candidate.
 */
static int iommufd_auto_try(struct iommufd_device *idev,
			    struct iommufd_hwpt_paging *candidate, u32 *pt_id,
			    bool replace, struct iommufd_hw_pagetable **old)
{
	struct iommufd_object *obj = &candidate->common.obj;
	int rc;

	/* Skip one that is being destroyed */
	if (!iommufd_lock_obj(obj))
		return -EINVAL;
	rc = iommufd_device_set_hwpt(idev, IOMMU_NO_PASID, &candidate->common,
				     replace, old);
	if (!rc)
		*pt_id = obj->id;
	iommufd_put_object(idev->ictx, obj);
	return rc;
}

/* Make a new automatic HWPT for @idev, attached and published */
static int iommufd_auto_new(struct iommufd_device *idev,
			    struct iommufd_ioas *ioas, u32 *pt_id,
			    bool replace, struct iommufd_hw_pagetable **old)
{
	u32 flags = iommufd_vfio_auto_domain_flags(idev->ictx, ioas, idev->dev);
	struct iommufd_hwpt_paging *fresh;
	int rc;

	/*
	 * A plain attach lets the allocator attach before it fills the domain,
	 * which drivers that finalize a domain at first attach need.
	 */
	fresh = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, flags,
					  !replace, NULL);
	/* Dirty tracking is a bonus for the VFIO container, not a must */
	if (IS_ERR(fresh) && flags)
		fresh = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, 0,
						  !replace, NULL);
	if (IS_ERR(fresh))
		return PTR_ERR(fresh);
	if (replace) {
		rc = iommufd_device_set_hwpt(idev, IOMMU_NO_PASID,
					     &fresh->common, true, old);
		if (rc) {
			iommufd_object_abort_and_destroy(idev->ictx,
							 &fresh->common.obj);
			return rc;
		}
	}
	fresh->auto_domain = true;
	*pt_id = fresh->common.obj.id;
	iommufd_object_finalize(idev->ictx, &fresh->common.obj);
	return 0;
}

/*
 * Attach to some automatic HWPT of @ioas: the first existing one the driver
 * accepts, else a new one. All automatic HWPTs of an IOAS are equivalent.
 * ioas->mutex keeps the list stable and makes "none suits, make one"
 * atomic against a concurrent attach.
 */
static int iommufd_device_auto_attach(struct iommufd_device *idev,
				      ioasid_t pasid,
				      struct iommufd_ioas *ioas, u32 *pt_id,
				      bool replace,
				      struct iommufd_hw_pagetable **old)
{
	struct iommufd_hwpt_paging *cur;
	int rc = -EINVAL;

	/* Automatic HWPTs are never PASID compatible */
	if (pasid != IOMMU_NO_PASID)
		return -EINVAL;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(cur, &ioas->hwpt_list, hwpt_item) {
		if (cur->auto_domain)
			rc = iommufd_auto_try(idev, cur, pt_id, replace, old);
		if (rc != -EINVAL)
			break;
	}
	if (rc == -EINVAL)
		rc = iommufd_auto_new(idev, ioas, pt_id, replace, old);
	mutex_unlock(&ioas->mutex);
	return rc;
}

static int iommufd_device_change_pt(struct iommufd_device *idev,
				    ioasid_t pasid, u32 *pt_id, bool replace)
{
	struct iommufd_hw_pagetable *old = NULL;
	struct iommufd_object *pt_obj;
	int rc;

	pt_obj = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);

	switch (pt_obj->type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED: {
		struct iommufd_hw_pagetable *hwpt =
			container_of(pt_obj, struct iommufd_hw_pagetable, obj);

		rc = iommufd_device_set_hwpt(idev, pasid, hwpt, replace, &old);
		break;
	}
	case IOMMUFD_OBJ_IOAS: {
		struct iommufd_ioas *ioas =
			container_of(pt_obj, struct iommufd_ioas, obj);

		rc = iommufd_device_auto_attach(idev, pasid, ioas, pt_id,
						replace, &old);
		break;
	}
	default:
		rc = -EINVAL;
		break;
	}
	iommufd_put_object(idev->ictx, pt_obj);

	/* After every lock is dropped: this may destroy an automatic HWPT */
	if (old)
		iommufd_hwpt_put_attachment(idev->ictx, old);
	return rc;
}

/**
 * iommufd_device_attach_pasid() - Attach a RID or PASID to a HWPT or IOAS
 * @idev: the device
 * @pasid: the PASID, or IOMMU_NO_PASID for the RID
 * @pt_id: input, a HWPT or IOAS ID; output, the HWPT ID in use
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -EBUSY if the PASID is already attached.
 */
int iommufd_device_attach_pasid(struct iommufd_device *idev, ioasid_t pasid,
				u32 *pt_id)
{
	int rc;

	rc = iommufd_device_change_pt(idev, pasid, pt_id, false);
	if (rc)
		return rc;
	/* Catches a driver that unbinds without detaching */
	refcount_inc(&idev->obj.users);
	return 0;
}

/**
 * iommufd_device_replace_pasid() - Switch an attached RID or PASID
 * @idev: the device
 * @pasid: the PASID, or IOMMU_NO_PASID for the RID
 * @pt_id: input, a HWPT or IOAS ID; output, the HWPT ID in use
 *
 * On failure the previous attachment stays.
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -EINVAL if nothing was attached.
 */
int iommufd_device_replace_pasid(struct iommufd_device *idev, ioasid_t pasid,
				 u32 *pt_id)
{
	return iommufd_device_change_pt(idev, pasid, pt_id, true);
}

/**
 * iommufd_device_detach_pasid() - Undo iommufd_device_attach_pasid()
 * @idev: the device
 * @pasid: the PASID, or IOMMU_NO_PASID for the RID
 *
 * Detaching a PASID that is not attached does nothing.
 *
 * Context: Process context, may sleep.
 */
void iommufd_device_detach_pasid(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_hw_pagetable *hwpt;

	mutex_lock(&idev->igroup->lock);
	if (pasid == IOMMU_NO_PASID)
		hwpt = iommufd_rid_detach(idev);
	else
		hwpt = iommufd_pasid_detach(idev, pasid);
	mutex_unlock(&idev->igroup->lock);
	if (!hwpt)
		return;
	iommufd_hwpt_put_attachment(idev->ictx, hwpt);
	/* balances the reference taken by iommufd_device_attach_pasid() */
	refcount_dec(&idev->obj.users);
}

/**
 * iommufd_device_attach() - Let a device's RID do DMA through a HWPT or IOAS
 * @idev: the device
 * @pt_id: input, a HWPT (paging or nested) or IOAS ID; output, the HWPT ID
 *	actually used, which for an IOAS is an automatic HWPT
 *
 * The caller reports *@pt_id back to userspace. Undo with
 * iommufd_device_detach().
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -EINVAL if the group is attached elsewhere
 * or the HWPT does not suit the device, -ENOENT for an unknown ID.
 */
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id)
{
	return iommufd_device_attach_pasid(idev, IOMMU_NO_PASID, pt_id);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach, IOMMUFD);

/**
 * iommufd_device_replace() - Switch an attached device to another HWPT/IOAS
 * @idev: the device
 * @pt_id: as for iommufd_device_attach()
 *
 * Equivalent to detach followed by attach, except that on failure nothing
 * changes and, where the driver supports it, translation never stops. Only
 * valid after a successful iommufd_device_attach().
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno.
 */
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id)
{
	return iommufd_device_replace_pasid(idev, IOMMU_NO_PASID, pt_id);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_replace, IOMMUFD);

/**
 * iommufd_device_detach() - Undo iommufd_device_attach()
 * @idev: the device
 *
 * The device's DMA is blocked afterwards.
 *
 * Context: Process context, may sleep.
 */
void iommufd_device_detach(struct iommufd_device *idev)
{
	iommufd_device_detach_pasid(idev, IOMMU_NO_PASID);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach, IOMMUFD);

/* ------------------------------------------------------------------------ */
/* Access objects                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Detaching an access revokes its pins through the driver's unmap callback,
 * which calls iommufd_access_unpin_pages() and so takes ioas_lock: the lock
 * is dropped around it. Meanwhile access->ioas is NULL (no new pin can
 * start) while access->ioas_unpin still names the old IOAS (unpin works). A
 * concurrent change sees the two differ and backs off with -EBUSY.
 */
static void iommufd_access_unlink(struct iommufd_access *access,
				  struct iommufd_ioas *old, u32 old_list_id)
{
	lockdep_assert_held(&access->ioas_lock);

	if (access->ops->unmap) {
		mutex_unlock(&access->ioas_lock);
		access->ops->unmap(access->data, 0, ULONG_MAX);
		mutex_lock(&access->ioas_lock);
	}
	/* balances iopt_add_access() when @old was linked */
	iopt_remove_access(&old->iopt, access, old_list_id);
	refcount_dec(&old->obj.users);
}

/* Switch @access to @target, which may be NULL to just detach */
static int iommufd_access_set_ioas(struct iommufd_access *access,
				   struct iommufd_ioas *target)
{
	struct iommufd_ioas *prev = access->ioas;
	u32 prev_list_id = access->iopt_access_list_id;
	int rc = 0;

	lockdep_assert_held(&access->ioas_lock);

	if (prev != access->ioas_unpin)
		return -EBUSY;
	if (prev == target)
		return 0;

	access->ioas = NULL;
	if (target)
		rc = iopt_add_access(&target->iopt, access);
	if (rc) {
		access->ioas = prev;
		return rc;
	}
	if (target)
		refcount_inc(&target->obj.users);
	if (prev)
		iommufd_access_unlink(access, prev, prev_list_id);

	access->ioas_unpin = target;
	access->ioas = target;
	return 0;
}

enum iommufd_access_change {
	IOMMUFD_ACCESS_ATTACH,
	IOMMUFD_ACCESS_REPLACE,
	IOMMUFD_ACCESS_DETACH,
};

/* Common body of attach, replace and detach */
static int iommufd_access_change(struct iommufd_access *access, u32 ioas_id,
				 enum iommufd_access_change how)
{
	struct iommufd_ioas *target = NULL;
	int rc;

	if (how != IOMMUFD_ACCESS_DETACH) {
		target = iommufd_get_ioas(access->ictx, ioas_id);
		if (IS_ERR(target))
			return PTR_ERR(target);
	}

	mutex_lock(&access->ioas_lock);
	switch (how) {
	case IOMMUFD_ACCESS_ATTACH:
		/* A driver bug: attach twice */
		rc = WARN_ON(access->ioas) ? -EINVAL : 0;
		break;
	case IOMMUFD_ACCESS_REPLACE:
		rc = access->ioas ? 0 : -ENOENT;
		break;
	default:
		rc = access->ioas ? 0 : -ENOENT;
		break;
	}
	if (!rc)
		rc = iommufd_access_set_ioas(access, target);
	mutex_unlock(&access->ioas_lock);

	if (target)
		iommufd_put_object(access->ictx, &target->obj);
	return rc;
}

/**
 * iommufd_access_destroy_object() - Object hook freeing an access's state
 * @obj: the access object
 */
void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);
	int rc = 0;

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		rc = iommufd_access_set_ioas(access, NULL);
	mutex_unlock(&access->ioas_lock);
	/* Nothing else can change the access any more */
	WARN_ON(rc);

	mutex_destroy(&access->ioas_lock);
	/* balances iommufd_ctx_get() in iommufd_access_create() */
	if (!access->internal)
		iommufd_ctx_put(access->ictx);
}

/**
 * iommufd_access_create() - Create an access for CPU use of an IOAS
 * @ictx: the context
 * @ops: the driver's callbacks; @ops->unmap is required to pin pages
 * @data: passed to @ops
 * @id: output, the access ID
 *
 * An emulated device (VFIO mdev) reads and writes guest memory through an
 * access instead of DMA. Undo with iommufd_access_destroy().
 *
 * Context: Process context, may sleep.
 * Return: The access or an ERR_PTR.
 */
struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	struct iommufd_access *new;

	new = iommufd_object_alloc(ictx, new, IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(new))
		return new;

	mutex_init(&new->ioas_lock);
	new->ops = ops;
	new->data = data;
	/* Pinning hands out struct pages, so it works in whole pages */
	new->iova_alignment = ops->needs_pin_pages ? PAGE_SIZE : 1;
	new->ictx = ictx;
	iommufd_ctx_get(ictx);
	/* The creating driver's reference, dropped by iommufd_access_destroy() */
	refcount_inc(&new->obj.users);

	iommufd_object_finalize(ictx, &new->obj);
	*id = new->obj.id;
	return new;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_create, IOMMUFD);

/* Internal accesses are revoked by their owner only, never by unmap */
static const struct iommufd_access_ops iommufd_access_internal_ops = {};

/**
 * iommufd_access_create_internal() - Create an access the core itself uses
 * @ictx: the context
 *
 * The access is never published: user space cannot name or destroy it, and
 * it holds no context reference, since the object owning it (a HW queue)
 * lives inside the context anyway. Its pins lock the areas they touch, so
 * unmapping them fails with -EBUSY instead of calling back.
 *
 * Context: Process context.
 * Return: the access or an ERR_PTR; undo with
 * iommufd_access_destroy_internal().
 */
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx)
{
	struct iommufd_access *new;

	new = iommufd_object_alloc(ictx, new, IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(new))
		return new;
	mutex_init(&new->ioas_lock);
	new->ops = &iommufd_access_internal_ops;
	new->iova_alignment = PAGE_SIZE;
	new->ictx = ictx;
	new->internal = true;
	return new;
}

/**
 * iommufd_access_destroy_internal() - Undo iommufd_access_create_internal()
 * @ictx: the context
 * @access: the access, holding no pin any more
 *
 * Context: Process context.
 */
void iommufd_access_destroy_internal(struct iommufd_ctx *ictx,
				     struct iommufd_access *access)
{
	/* Never published: undone like an aborted allocation */
	iommufd_object_abort_and_destroy(ictx, &access->obj);
}

/**
 * iommufd_access_destroy() - Undo iommufd_access_create()
 * @access: the access
 *
 * Waits for running unmap callbacks; none run afterwards.
 *
 * Context: Process context, may sleep.
 */
void iommufd_access_destroy(struct iommufd_access *access)
{
	struct iommufd_ctx *ictx = access->ictx;

	/* Consumes the creating driver's reference */
	iommufd_object_destroy_user(ictx, &access->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_destroy, IOMMUFD);

/**
 * iommufd_access_attach() - Connect an access to an IOAS
 * @access: the access, not attached
 * @ioas_id: the IOAS
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -ENOENT for an unknown IOAS.
 */
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id)
{
	return iommufd_access_change(access, ioas_id, IOMMUFD_ACCESS_ATTACH);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_attach, IOMMUFD);

/**
 * iommufd_access_replace() - Move an attached access to another IOAS
 * @access: the access
 * @ioas_id: the new IOAS
 *
 * The driver's unmap callback is asked to drop every pin of the old IOAS.
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -ENOENT if not attached or unknown IOAS.
 */
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id)
{
	return iommufd_access_change(access, ioas_id, IOMMUFD_ACCESS_REPLACE);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_replace, IOMMUFD);

/**
 * iommufd_access_detach() - Undo iommufd_access_attach()
 * @access: the access
 *
 * Context: Process context, may sleep.
 */
void iommufd_access_detach(struct iommufd_access *access)
{
	int rc = iommufd_access_change(access, 0, IOMMUFD_ACCESS_DETACH);

	/* Only a driver bug (no attach, racing changes) gets here */
	WARN_ON(rc);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_detach, IOMMUFD);

/**
 * iommufd_access_notify_unmap() - Ask every access of an IOAS to unpin
 * @iopt: the IOVA space being unmapped
 * @iova: first IOVA of the range
 * @length: bytes in the range
 *
 * Each driver's unmap callback must drop its pins in the range, with
 * iommufd_access_unpin_pages(), before returning.
 *
 * Context: Process context, may sleep; the caller holds no iopt lock.
 */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length)
{
	struct iommufd_access *access;
	unsigned long index;

	xa_lock(&iopt->access_list);
	xa_for_each(&iopt->access_list, index, access) {
		/*
		 * Internal accesses have no callback (their pins lock the
		 * areas instead) and are freed by their owner without waiting
		 * for lookup references: taking one here could outlive them.
		 * An access being destroyed has already unpinned everything.
		 */
		if (access->internal || !iommufd_lock_obj(&access->obj))
			continue;
		xa_unlock(&iopt->access_list);

		if (access->ops->unmap)
			access->ops->unmap(access->data, iova, length);

		iommufd_put_object(access->ictx, &access->obj);
		xa_lock(&iopt->access_list);
	}
	xa_unlock(&iopt->access_list);
}

/**
 * iommufd_access_pin_pages() - Pin the pages behind an IOVA range
 * @access: the access, attached
 * @iova: first IOVA, page aligned
 * @length: bytes
 * @out_pages: output, one struct page per PAGE_SIZE of the range
 * @flags: IOMMUFD_ACCESS_RW_* flags; WRITE asks for writable pages
 *
 * Undo with iommufd_access_unpin_pages() on exactly the same range.
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno: -ENOENT if unattached or the range is not
 * fully mapped, -EPERM if the mapping lacks the permission, -EINVAL for a
 * bad range, -EOVERFLOW if it wraps.
 */
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags)
{
	unsigned long last;
	int rc;

	/*
	 * Pins can only be revoked through the unmap callback, or, for an
	 * internal access, forbid the unmap in the first place
	 */
	if (WARN_ON(access->iova_alignment != PAGE_SIZE ||
		    (!access->ops->unmap && !access->internal)))
		return -EINVAL;
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = iopt_access_pin_pages(&access->ioas->iopt, access, iova,
					   length, out_pages, flags);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_pin_pages, IOMMUFD);

/**
 * iommufd_access_unpin_pages() - Undo iommufd_access_pin_pages()
 * @access: the access
 * @iova: the IOVA given to the pin
 * @length: the length given to the pin
 *
 * The caller must have stopped using the pages.
 *
 * Context: Process context, may sleep.
 */
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (WARN_ON(!length) ||
	    WARN_ON(check_add_overflow(iova, length - 1, &last)))
		return;

	mutex_lock(&access->ioas_lock);
	/* Pins exist only between attach and the unmap callback of detach */
	if (!WARN_ON(!access->ioas_unpin))
		iopt_access_unpin_pages(&access->ioas_unpin->iopt, access, iova,
					length);
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_unpin_pages, IOMMUFD);

/**
 * iommufd_access_rw() - Copy between a kernel buffer and an IOVA range
 * @access: the access, attached
 * @iova: first IOVA
 * @data: kernel buffer
 * @length: bytes
 * @flags: IOMMUFD_ACCESS_RW_* flags
 *
 * Context: Process context, may sleep. With IOMMUFD_ACCESS_RW_KTHREAD the
 * caller is a kthread and the copy may borrow the owning mm.
 * Return: 0 or a negative errno as for iommufd_access_pin_pages().
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags)
{
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = iopt_access_rw(&access->ioas->iopt, iova, data, length,
				    flags);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_rw, IOMMUFD);

/* ------------------------------------------------------------------------ */
/* IOMMU_GET_HW_INFO                                                        */
/* ------------------------------------------------------------------------ */

static u64 iommufd_pasid_caps(struct device *dev)
{
	u64 caps = 0;
	int ctrl;

	if (!dev_is_pci(dev))
		return 0;
	ctrl = pci_pasid_status(to_pci_dev(dev));
	if (ctrl < 0)
		return 0;
	if (ctrl & PCI_PASID_CTRL_EXEC)
		caps |= IOMMU_HW_CAP_PCI_PASID_EXEC;
	if (ctrl & PCI_PASID_CTRL_PRIV)
		caps |= IOMMU_HW_CAP_PCI_PASID_PRIV;
	return caps;
}

/* Copy min(user, kernel) bytes and zero whatever the user buffer has beyond */
static int iommufd_hw_info_copy(void __user *uptr, u32 user_len,
				const void *data, u32 len)
{
	u32 n = min(user_len, len);

	if (copy_to_user(uptr, data, n))
		return -EFAULT;
	if (user_len > n && clear_user(uptr + n, user_len - n))
		return -EFAULT;
	return 0;
}

/*
 * Ask the driver for its description of the IOMMU behind @dev, in format
 * @want (DEFAULT: the driver's choice). A driver without the hook has
 * nothing to say, which is not an error.
 */
static void *iommufd_hw_info_query(struct device *dev, u32 want, u32 *type,
				   u32 *len)
{
	const struct iommu_ops *ops = dev_iommu_ops(dev);
	void *data;

	*type = IOMMU_HW_INFO_TYPE_NONE;
	*len = 0;
	if (!ops->hw_info)
		return NULL;

	/* The 6.12 hook's type argument is in/out already */
	*type = want;
	data = ops->hw_info(dev, len, type);
	if (IS_ERR(data))
		return data;
	/* A driver with the hook must name its format */
	if (WARN_ON_ONCE(*type == IOMMU_HW_INFO_TYPE_NONE)) {
		kfree(data);
		return ERR_PTR(-ENODEV);
	}
	/* A driver may ignore the request and produce its only format */
	if (want != IOMMU_HW_INFO_TYPE_DEFAULT && *type != want) {
		kfree(data);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return data;
}

/**
 * iommufd_get_hw_info() - Handler of IOMMU_GET_HW_INFO
 * @ucmd: the command
 *
 * Return: 0 or a negative errno.
 */
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct iommufd_device *idev;
	u32 want, type, len;
	struct device *dev;
	void *data;
	int rc;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    memchr_inv(cmd->__reserved, 0, sizeof(cmd->__reserved)))
		return -EOPNOTSUPP;
	/* Without the flag the field is an output only; ignore its content */
	want = IOMMU_HW_INFO_TYPE_DEFAULT;
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		want = cmd->in_data_type;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	dev = idev->dev;

	data = iommufd_hw_info_query(dev, want, &type, &len);
	if (IS_ERR(data)) {
		rc = PTR_ERR(data);
		goto out_put_dev;
	}
	rc = iommufd_hw_info_copy(u64_to_user_ptr(cmd->data_uptr),
				  cmd->data_len, data, len);
	kfree(data);
	if (rc)
		goto out_put_dev;

	cmd->out_data_type = type;
	/* The kernel's length, so userspace learns what it could get */
	cmd->data_len = len;
	cmd->out_capabilities = 0;
	cmd->out_max_pasid_log2 = 0;
	if (device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* max_pasids != 0: the driver enabled PASID on the device at probe */
	if (dev->iommu && dev->iommu->max_pasids) {
		cmd->out_max_pasid_log2 = ilog2(dev->iommu->max_pasids);
		cmd->out_capabilities |= iommufd_pasid_caps(dev);
	}
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));

out_put_dev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
