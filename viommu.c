// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vIOMMU family: IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC and
 * IOMMU_HW_QUEUE_ALLOC, and the object hooks of their objects. The vEVENTQ
 * lives in eventq.c, the driver helpers in driver.c.
 *
 * The graph, each arrow a users reference:
 *
 *   vIOMMU ---------------------> nesting parent HWPT ---> IOAS
 *     ^  ^  ^  ^                                            ^
 *     |  |  |  +-- nested HWPT (pt_id = vIOMMU)             |
 *     |  |  +----- vEVENTQ <--- its fd                      |
 *     |  +-------- HW queue ---> internal access ------------+
 *     +----------- vDEVICE ....> device (wait_cnt only)
 *
 * plus one users reference on the vIOMMU per VMA of one of its mmap ranges,
 * and one on a HW queue per sibling queue depending on it.
 *
 * A vDEVICE holds the short-term wait_cnt of its device rather than a users
 * reference: unbinding a device must not fail because user space still has
 * a vDEVICE on it. The device's pre-destroy hook revokes that reference by
 * destroying the vDEVICE itself, leaving its ID as a tombstone.
 */
#include <linux/capability.h>
#include <linux/iommu.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-priv.h"
#include "iommufd_private.h"

/**
 * iommufd_viommu_destroy() - Object hook of a vIOMMU
 * @obj: the vIOMMU
 *
 * Also undoes an allocation that failed after the driver's init: the ops are
 * only set when the init succeeded.
 */
void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	if (viommu->ops && viommu->ops->destroy)
		viommu->ops->destroy(viommu);
	/* balances refcount_inc() in iommufd_viommu_alloc_ioctl() */
	refcount_dec(&viommu->hwpt->common.obj.users);
	xa_destroy(&viommu->vdevs);
}

/**
 * iommufd_viommu_alloc_ioctl() - Handle IOMMU_VIOMMU_ALLOC
 * @ucmd: the command
 *
 * Return: 0 or a negative errno: -EOPNOTSUPP for bad flags, type 0 or a type
 * the device's IOMMU driver does not offer, -ENOENT for a bad device or
 * HWPT, -EINVAL if the HWPT is not a nesting parent, or the driver's error.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct iommu_user_data user_data = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	const struct iommu_ops *ops;
	size_t viommu_size;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	ops = dev_iommu_ops(idev->dev);
	if (!ops->get_viommu_size || !ops->viommu_init) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	viommu_size = ops->get_viommu_size(idev->dev, cmd->type);
	if (!viommu_size) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	/* The driver structure embeds ours at offset 0 */
	if (WARN_ON_ONCE(viommu_size < sizeof(*viommu))) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}

	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging)) {
		rc = PTR_ERR(hwpt_paging);
		goto out_put_idev;
	}
	if (!hwpt_paging->nest_parent) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}

	viommu = container_of(_iommufd_object_alloc(ucmd->ictx, viommu_size,
						    IOMMUFD_OBJ_VIOMMU),
			      struct iommufd_viommu, obj);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_put_hwpt;
	}
	viommu->type = cmd->type;
	viommu->ictx = ucmd->ictx;
	viommu->hwpt = hwpt_paging;
	refcount_inc(&hwpt_paging->common.obj.users);
	xa_init_flags(&viommu->vdevs, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&viommu->veventqs);
	init_rwsem(&viommu->veventqs_rwsem);
	viommu->iommu_dev = __iommu_get_iommu_dev(idev->dev);

	rc = ops->viommu_init(viommu, hwpt_paging->common.domain,
			      user_data.len ? &user_data : NULL);
	if (rc) {
		/* A failed init has undone itself; never call its destroy */
		viommu->ops = NULL;
		goto err_abort;
	}
	/* Without ops nothing could ever be done with the vIOMMU */
	if (!viommu->ops) {
		rc = -EOPNOTSUPP;
		goto err_abort;
	}

	cmd->out_viommu_id = viommu->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ucmd->ictx, &viommu->obj);
	goto out_put_hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/*
 * Give back the device's wait_cnt the vDEVICE kept from its lookup. Once
 * the count drops, a waiting unbind may free @idev at once: nothing of it
 * may be read after the decrement, so the context is fetched first.
 */
static void iommufd_vdevice_put_idev(struct iommufd_device *idev)
{
	struct iommufd_ctx *ictx = idev->ictx;

	if (refcount_dec_and_test(&idev->obj.wait_cnt))
		wake_up_all(&ictx->destroy_wait);
}

/*
 * Undo everything that ties @vdev to its vIOMMU and device, whatever part of
 * it was set up. The device's wait_cnt is left to the caller.
 */
static void iommufd_vdevice_unlink(struct iommufd_vdevice *vdev)
{
	struct iommufd_viommu *viommu = vdev->viommu;
	struct iommufd_device *idev = vdev->idev;

	lockdep_assert_held(&idev->igroup->lock);

	if (vdev->destroy)
		vdev->destroy(vdev);
	xa_cmpxchg(&viommu->vdevs, vdev->virt_id, vdev, NULL, GFP_KERNEL);
	if (idev->vdev == vdev)
		idev->vdev = NULL;
	/* balances refcount_inc() in iommufd_vdevice_alloc_ioctl() */
	refcount_dec(&viommu->obj.users);
}

/**
 * iommufd_vdevice_abort() - Object hook undoing an unpublished vDEVICE
 * @obj: the vDEVICE
 *
 * Context: the allocating ioctl holds the device's group lock, and the
 * lookup reference on the device that the vDEVICE would have kept.
 */
void iommufd_vdevice_abort(struct iommufd_object *obj)
{
	iommufd_vdevice_unlink(container_of(obj, struct iommufd_vdevice, obj));
}

/**
 * iommufd_vdevice_destroy() - Object hook of a vDEVICE
 * @obj: the vDEVICE
 *
 * Whether user space destroys it or the device's destruction tombstones
 * it, the vDEVICE lets go of the device's wait_cnt last, which is what a
 * destruction of the device is waiting for.
 */
void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_device *idev = vdev->idev;

	mutex_lock(&idev->igroup->lock);
	iommufd_vdevice_unlink(vdev);
	mutex_unlock(&idev->igroup->lock);
	iommufd_vdevice_put_idev(idev);
}

/**
 * iommufd_device_remove_vdev() - Revoke the vDEVICE's hold on a device
 * @idev: the device being destroyed
 *
 * From now on no vDEVICE can be created for @idev. A vDEVICE it still has
 * is destroyed and its ID tombstoned; if user space is destroying it right
 * now, that destruction releases the device on its own.
 *
 * Context: Process context; the device's pre-destroy hook.
 */
void iommufd_device_remove_vdev(struct iommufd_device *idev)
{
	struct iommufd_vdevice *vdev;

	mutex_lock(&idev->igroup->lock);
	idev->destroying = true;
	vdev = idev->vdev;
	/* users is 0 once a DESTROY of the vDEVICE has taken it out */
	if (vdev && !refcount_inc_not_zero(&vdev->obj.users))
		vdev = NULL;
	mutex_unlock(&idev->igroup->lock);

	/* Consumes the reference taken above */
	if (vdev)
		iommufd_object_tombstone_user(idev->ictx, &vdev->obj);
}

/**
 * iommufd_vdevice_alloc_ioctl() - Handle IOMMU_VDEVICE_ALLOC
 * @ucmd: the command
 *
 * Return: 0 or a negative errno: -EINVAL if @virt_id does not fit an
 * unsigned long or the device is behind another IOMMU than the vIOMMU,
 * -ENOENT for a bad ID or a device being destroyed, -EEXIST if the device
 * already has a vDEVICE or @virt_id is taken, or the driver's error.
 */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_vdevice *vdev, *curr;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	size_t vdev_size;
	int rc;

	if (cmd->virt_id > ULONG_MAX)
		return -EINVAL;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}
	if (viommu->iommu_dev != __iommu_get_iommu_dev(idev->dev)) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	vdev_size = sizeof(*vdev);
	if (viommu->ops->vdevice_size) {
		/* A driver structure needs the driver to initialise it */
		if (WARN_ON_ONCE(!viommu->ops->vdevice_init ||
				 viommu->ops->vdevice_size < vdev_size)) {
			rc = -EOPNOTSUPP;
			goto out_put_idev;
		}
		vdev_size = viommu->ops->vdevice_size;
	}

	mutex_lock(&idev->igroup->lock);
	if (idev->destroying) {
		rc = -ENOENT;
		goto out_unlock;
	}
	if (idev->vdev) {
		rc = -EEXIST;
		goto out_unlock;
	}

	vdev = container_of(_iommufd_object_alloc(ucmd->ictx, vdev_size,
						  IOMMUFD_OBJ_VDEVICE),
			    struct iommufd_vdevice, obj);
	if (IS_ERR(vdev)) {
		rc = PTR_ERR(vdev);
		goto out_unlock;
	}
	vdev->virt_id = cmd->virt_id;
	vdev->idev = idev;
	vdev->viommu = viommu;
	refcount_inc(&viommu->obj.users);

	curr = xa_cmpxchg(&viommu->vdevs, cmd->virt_id, NULL, vdev,
			  GFP_KERNEL);
	if (curr) {
		rc = xa_is_err(curr) ? xa_err(curr) : -EEXIST;
		goto err_abort;
	}
	idev->vdev = vdev;

	if (viommu->ops->vdevice_init) {
		rc = viommu->ops->vdevice_init(vdev);
		if (rc)
			goto err_abort;
	}

	cmd->out_vdevice_id = vdev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ucmd->ictx, &vdev->obj);
	mutex_unlock(&idev->igroup->lock);

	/*
	 * The vDEVICE keeps the lookup's wait_cnt on the device until its own
	 * destruction; only the users reference goes back now.
	 */
	refcount_dec(&idev->obj.users);
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return 0;

err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &vdev->obj);
out_unlock:
	mutex_unlock(&idev->igroup->lock);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/* Release the guest memory pinned by iommufd_hw_queue_pin() */
static void iommufd_hw_queue_unpin(struct iommufd_hw_queue *hw_queue)
{
	unsigned long first = ALIGN_DOWN(hw_queue->base_addr, PAGE_SIZE);
	unsigned long last = hw_queue->base_addr + hw_queue->length - 1;

	iommufd_access_unpin_pages(hw_queue->access, first,
				   ALIGN(last + 1, PAGE_SIZE) - first);
	iommufd_access_destroy_internal(hw_queue->viommu->ictx,
					hw_queue->access);
	hw_queue->access = NULL;
}

/*
 * Pin the pages under [base_addr, base_addr + length) of the vIOMMU's parent
 * IOAS through an internal access, which also locks the areas against
 * unmap, and return the host physical address of base_addr. The hardware
 * reads the queue by physical address, so the pages must be contiguous.
 */
static int iommufd_hw_queue_pin(struct iommufd_hw_queue *hw_queue,
				phys_addr_t *base_pa)
{
	struct iommufd_viommu *viommu = hw_queue->viommu;
	unsigned long first = ALIGN_DOWN(hw_queue->base_addr, PAGE_SIZE);
	unsigned long last = hw_queue->base_addr + hw_queue->length - 1;
	size_t npages = (last - first) / PAGE_SIZE + 1;
	struct iommufd_access *access;
	struct page **pages;
	size_t i;
	int rc;

	/* The span must fit the page array and the access API's length */
	if (npages > ULONG_MAX / PAGE_SIZE)
		return -EINVAL;
	/*
	 * The page array is sized by userspace: no bigger than what the
	 * caller may pin, which the pin below would refuse anyway. Without
	 * this, a huge queue over unpinned IOVA cost a vmalloc() of any size
	 * (the OOM killer rather than an errno).
	 */
	if (!capable(CAP_IPC_LOCK) &&
	    npages > rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT)
		return -ENOMEM;
	/* The length is user input: fail quietly if it is absurd */
	pages = kvcalloc(npages, sizeof(*pages),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;

	access = iommufd_access_create_internal(viommu->ictx);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_free;
	}
	rc = iommufd_access_attach(access, viommu->hwpt->ioas->obj.id);
	if (rc)
		goto err_destroy;
	rc = iommufd_access_pin_pages(access, first, npages * PAGE_SIZE, pages,
				      0);
	if (rc)
		goto err_destroy;

	for (i = 1; i != npages; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[0]) + i) {
			rc = -EFAULT;
			goto err_unpin;
		}
	}
	*base_pa = page_to_phys(pages[0]) + offset_in_page(hw_queue->base_addr);
	hw_queue->access = access;
	goto out_free;

err_unpin:
	iommufd_access_unpin_pages(access, first, npages * PAGE_SIZE);
err_destroy:
	iommufd_access_destroy_internal(viommu->ictx, access);
out_free:
	kvfree(pages);
	return rc;
}

/**
 * iommufd_hw_queue_destroy() - Object hook of a HW queue
 * @obj: the HW queue
 *
 * Undoes, in reverse, whatever part of the allocation happened.
 */
void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *hw_queue =
		container_of(obj, struct iommufd_hw_queue, obj);

	if (hw_queue->destroy)
		hw_queue->destroy(hw_queue);
	if (hw_queue->access)
		iommufd_hw_queue_unpin(hw_queue);
	/* balances refcount_inc() in iommufd_hw_queue_alloc_ioctl() */
	refcount_dec(&hw_queue->viommu->obj.users);
}

/**
 * iommufd_hw_queue_alloc_ioctl() - Handle IOMMU_HW_QUEUE_ALLOC
 * @ucmd: the command
 *
 * Return: 0 or a negative errno: -EOPNOTSUPP for bad flags, type 0 or a type
 * the driver does not offer, -EINVAL for a zero length, -EOVERFLOW if the
 * range wraps, -ENOENT for a bad vIOMMU or unmapped guest memory, -EFAULT if
 * that memory is not physically contiguous, -ENOMEM if it is more than the
 * caller may pin (RLIMIT_MEMLOCK), or the driver's error.
 */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_hw_queue *hw_queue;
	struct iommufd_viommu *viommu;
	phys_addr_t base_pa;
	size_t queue_size;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last) || last > ULONG_MAX)
		return -EOVERFLOW;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	if (!viommu->ops->get_hw_queue_size ||
	    !viommu->ops->hw_queue_init_phys) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}
	queue_size = viommu->ops->get_hw_queue_size(viommu, cmd->type);
	if (!queue_size) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}
	if (WARN_ON_ONCE(queue_size < sizeof(*hw_queue))) {
		rc = -EOPNOTSUPP;
		goto out_put_viommu;
	}

	hw_queue = container_of(_iommufd_object_alloc(ucmd->ictx, queue_size,
						      IOMMUFD_OBJ_HW_QUEUE),
				struct iommufd_hw_queue, obj);
	if (IS_ERR(hw_queue)) {
		rc = PTR_ERR(hw_queue);
		goto out_put_viommu;
	}
	hw_queue->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	hw_queue->type = cmd->type;
	hw_queue->length = cmd->length;
	hw_queue->base_addr = cmd->nesting_parent_iova;

	rc = iommufd_hw_queue_pin(hw_queue, &base_pa);
	if (rc)
		goto err_abort;

	rc = viommu->ops->hw_queue_init_phys(hw_queue, cmd->index, base_pa);
	if (rc)
		goto err_abort;

	cmd->out_hw_queue_id = hw_queue->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ucmd->ictx, &hw_queue->obj);
	goto out_put_viommu;

err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &hw_queue->obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
