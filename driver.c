// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers for IOMMU drivers that implement the vIOMMU family of objects.
 *
 * Built as its own object when CONFIG_IOMMUFD_DRIVER_CORE is set, so that a
 * driver can use them without calling into the iommufd module: everything
 * here works on the data structures only (object counters, the vDEVICE
 * table of a vIOMMU, its event queues and the context's mmap ranges). The
 * objects themselves are allocated by the core in main.c.
 */
#include <linux/iommufd.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "iommufd_private.h"

/**
 * _iommufd_object_depend() - Make one object depend on another
 * @obj_dependent: the object that needs @obj_depended
 * @obj_depended: the object that must not be destroyed first
 *
 * Adds a users reference on @obj_depended, so that IOMMU_DESTROY of it fails
 * with EBUSY until _iommufd_object_undepend(), normally called from the
 * destroy callback of @obj_dependent.
 *
 * Return: 0, or -EINVAL if the objects are the same or of different types.
 */
int _iommufd_object_depend(struct iommufd_object *obj_dependent,
			   struct iommufd_object *obj_depended)
{
	if (WARN_ON_ONCE(obj_dependent == obj_depended ||
			 obj_dependent->type != obj_depended->type))
		return -EINVAL;
	refcount_inc(&obj_depended->users);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(_iommufd_object_depend, IOMMUFD);

/**
 * _iommufd_object_undepend() - Undo _iommufd_object_depend()
 * @obj_dependent: the object that needed @obj_depended
 * @obj_depended: the object it needed
 */
void _iommufd_object_undepend(struct iommufd_object *obj_dependent,
			      struct iommufd_object *obj_depended)
{
	if (WARN_ON_ONCE(obj_dependent == obj_depended ||
			 obj_dependent->type != obj_depended->type))
		return;
	refcount_dec(&obj_depended->users);
}
EXPORT_SYMBOL_NS_GPL(_iommufd_object_undepend, IOMMUFD);

/**
 * _iommufd_alloc_mmap() - Register an MMIO range for mmap() on /dev/iommu
 * @ictx: the context of @owner
 * @owner: the object the range belongs to; each mapping holds a users
 *	reference on it
 * @mmio_addr: physical address of the range, page aligned
 * @length: bytes, page aligned, not 0
 * @offset: output, the mmap offset user space must pass, never 0
 *
 * Undo with _iommufd_destroy_mmap(), at the latest in @owner's destroy.
 *
 * Context: Process context.
 * Return: 0, -EINVAL for an unaligned range, -ENOMEM, or -EBUSY when the
 * offset space is exhausted.
 */
int _iommufd_alloc_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			phys_addr_t mmio_addr, size_t length,
			unsigned long *offset)
{
	struct iommufd_mmap *immap;
	unsigned long start;
	int rc;

	if (!length || !PAGE_ALIGNED(mmio_addr) || !PAGE_ALIGNED(length))
		return -EINVAL;

	immap = kzalloc(sizeof(*immap), GFP_KERNEL);
	if (!immap)
		return -ENOMEM;
	immap->owner = owner;
	immap->mmio_addr = mmio_addr;
	immap->length = length;

	/* Offset 0 is never handed out, so a zeroed offset means "none" */
	rc = mtree_alloc_range(&ictx->mt_mmap, &start, immap, length,
			       PAGE_SIZE, ULONG_MAX, GFP_KERNEL);
	if (rc) {
		kfree(immap);
		return rc;
	}
	immap->vm_pgoff = start >> PAGE_SHIFT;
	*offset = start;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(_iommufd_alloc_mmap, IOMMUFD);

/**
 * _iommufd_destroy_mmap() - Undo _iommufd_alloc_mmap()
 * @ictx: the context of @owner
 * @owner: the owner given to _iommufd_alloc_mmap()
 * @offset: the offset it returned
 *
 * No mapping of the range exists any more: each one references @owner.
 */
void _iommufd_destroy_mmap(struct iommufd_ctx *ictx,
			   struct iommufd_object *owner, unsigned long offset)
{
	struct iommufd_mmap *immap;

	immap = mtree_erase(&ictx->mt_mmap, offset);
	WARN_ON_ONCE(!immap || immap->owner != owner);
	kfree(immap);
}
EXPORT_SYMBOL_NS_GPL(_iommufd_destroy_mmap, IOMMUFD);

/**
 * iommufd_vdevice_to_device() - The physical device behind a vDEVICE
 * @vdev: the vDEVICE
 *
 * Return: the device; valid as long as @vdev is.
 */
struct device *iommufd_vdevice_to_device(struct iommufd_vdevice *vdev)
{
	return vdev->idev->dev;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vdevice_to_device, IOMMUFD);

/**
 * iommufd_viommu_find_dev() - The device a virtual ID names on a vIOMMU
 * @viommu: the vIOMMU
 * @vdev_id: the virtual ID
 *
 * Context: the caller holds the xa_lock of @viommu->vdevs, which keeps the
 * vDEVICE, and the device, from going away while it uses the result.
 * Return: the device or NULL.
 */
struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
				       unsigned long vdev_id)
{
	struct iommufd_vdevice *vdev;

	lockdep_assert_held(&viommu->vdevs.xa_lock);

	vdev = xa_load(&viommu->vdevs, vdev_id);
	return vdev ? vdev->idev->dev : NULL;
}
EXPORT_SYMBOL_NS_GPL(iommufd_viommu_find_dev, IOMMUFD);

/**
 * iommufd_viommu_get_vdev_id() - The virtual ID of a device on a vIOMMU
 * @viommu: the vIOMMU
 * @dev: the physical device
 * @vdev_id: output, the virtual ID
 *
 * Context: Any context that may take the xa_lock of @viommu->vdevs.
 * Return: 0, or -ENOENT if @dev has no vDEVICE on @viommu.
 */
int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu,
			       struct device *dev, unsigned long *vdev_id)
{
	struct iommufd_vdevice *vdev;
	unsigned long index;
	int rc = -ENOENT;

	if (WARN_ON_ONCE(!viommu || !dev || !vdev_id))
		return -EINVAL;

	xa_lock(&viommu->vdevs);
	xa_for_each(&viommu->vdevs, index, vdev) {
		if (vdev->idev->dev == dev) {
			*vdev_id = vdev->virt_id;
			rc = 0;
			break;
		}
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_viommu_get_vdev_id, IOMMUFD);

/*
 * Append @vevent, which may be the lost-events marker, and number it. The
 * marker only ever sits at the tail: any report behind it takes it out, and
 * the jump in the sequence numbers tells the reader what was lost.
 */
static void iommufd_veventq_append(struct iommufd_veventq *veventq,
				   struct iommufd_vevent *vevent)
{
	struct iommufd_vevent *lost = &veventq->lost;

	lockdep_assert_held(&veventq->lock);

	if (vevent == lost || list_is_last(&lost->node, &veventq->deliver))
		list_del_init(&lost->node);
	vevent->header.sequence = veventq->sequence;
	veventq->sequence = (veventq->sequence + 1) & INT_MAX;
	list_add_tail(&vevent->node, &veventq->deliver);
}

/**
 * iommufd_viommu_report_event() - Queue an event for user space
 * @viommu: the vIOMMU the event belongs to
 * @type: the vEVENTQ type, enum iommu_veventq_type
 * @event_data: the payload, copied
 * @data_len: bytes of @event_data, not 0
 *
 * Every report consumes a sequence number. When the queue already holds its
 * depth of events, or the copy cannot be allocated, the event is replaced by
 * the queue's lost-events marker.
 *
 * Context: Process context; takes the vIOMMU's queue list rwsem.
 * Return: 0 (also when the event was lost to a full queue), -EOPNOTSUPP if
 * no queue of @type exists, -ENOMEM if the event was lost to an allocation
 * failure, -EINVAL for an empty event.
 */
int iommufd_viommu_report_event(struct iommufd_viommu *viommu,
				enum iommu_veventq_type type, void *event_data,
				size_t data_len)
{
	struct iommufd_veventq *veventq;
	struct iommufd_vevent *vevent;
	bool full;
	int rc = 0;

	if (WARN_ON_ONCE(!data_len || !event_data))
		return -EINVAL;

	down_read(&viommu->veventqs_rwsem);
	list_for_each_entry(veventq, &viommu->veventqs, node)
		if (veventq->type == type)
			break;
	if (list_entry_is_head(veventq, &viommu->veventqs, node)) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}

	vevent = kzalloc(struct_size(vevent, event_data, data_len),
			 GFP_KERNEL);
	if (vevent) {
		vevent->data_len = data_len;
		memcpy(vevent->event_data, event_data, data_len);
	}

	spin_lock(&veventq->lock);
	full = veventq->num_events == veventq->depth;
	if (full || !vevent) {
		if (!full)
			rc = -ENOMEM;
		iommufd_veventq_append(veventq, &veventq->lost);
	} else {
		veventq->num_events++;
		iommufd_veventq_append(veventq, vevent);
		vevent = NULL;
	}
	spin_unlock(&veventq->lock);
	/* Only an event dropped for lack of room is left to free */
	kfree(vevent);
	wake_up_interruptible(&veventq->wait_queue);
out_unlock:
	up_read(&viommu->veventqs_rwsem);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_viommu_report_event, IOMMUFD);

MODULE_DESCRIPTION("iommufd: helpers for IOMMU drivers with vIOMMU support");
MODULE_LICENSE("GPL");
