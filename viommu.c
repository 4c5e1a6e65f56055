// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vIOMMU family of commands: IOMMU_VIOMMU_ALLOC, IOMMU_VDEVICE_ALLOC,
 * IOMMU_VEVENTQ_ALLOC and IOMMU_HW_QUEUE_ALLOC.
 *
 * These objects are not supported by this kernel yet. The 6.12 IOMMU core
 * this tree is built on has no driver hooks to create a vIOMMU, and every
 * other object of the family hangs off a vIOMMU. The handlers nevertheless
 * apply the complete input validation of the uAPI, in the documented order,
 * so that a caller sees the same errno as on a kernel that supports them
 * for every request that such a kernel would also reject:
 *
 *  - unknown flags, nonzero reserved fields and the reserved type 0 give
 *    EOPNOTSUPP before anything is looked up;
 *  - malformed ranges give EINVAL or EOVERFLOW;
 *  - IDs that name no suitable object give ENOENT.
 *
 * A request that passes all of that is refused with EOPNOTSUPP, which is
 * also what a supporting kernel answers when the IOMMU driver behind the
 * device has no vIOMMU support. Because nothing of the family is ever
 * created, no vIOMMU ID can be valid and the object-based checks end in
 * ENOENT.
 */
#include <linux/limits.h>
#include <linux/overflow.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* Look @id up as @type only to tell ENOENT from "exists but unsupported" */
static int iommufd_viommu_check_id(struct iommufd_ctx *ictx, u32 id,
				   enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, type);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	iommufd_put_object(ictx, obj);
	return 0;
}

/**
 * iommufd_viommu_alloc_ioctl() - Handle IOMMU_VIOMMU_ALLOC
 * @ucmd: the command
 *
 * Return: -EOPNOTSUPP for bad flags or type 0 and for any valid request,
 * -ENOENT if @dev_id is not a bound device.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;

	rc = iommufd_viommu_check_id(ucmd->ictx, cmd->dev_id,
				     IOMMUFD_OBJ_DEVICE);
	if (rc)
		return rc;
	/* No IOMMU driver of this kernel can back a vIOMMU */
	return -EOPNOTSUPP;
}

/**
 * iommufd_vdevice_alloc_ioctl() - Handle IOMMU_VDEVICE_ALLOC
 * @ucmd: the command
 *
 * Return: -EINVAL if @virt_id does not fit an unsigned long, -ENOENT when
 * @viommu_id or @dev_id names no suitable object (always the case for
 * @viommu_id here), -EOPNOTSUPP otherwise.
 */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	int rc;

	if (cmd->virt_id > ULONG_MAX)
		return -EINVAL;

	rc = iommufd_viommu_check_id(ucmd->ictx, cmd->viommu_id,
				     IOMMUFD_OBJ_VIOMMU);
	if (rc)
		return rc;
	rc = iommufd_viommu_check_id(ucmd->ictx, cmd->dev_id,
				     IOMMUFD_OBJ_DEVICE);
	if (rc)
		return rc;
	return -EOPNOTSUPP;
}

/**
 * iommufd_veventq_alloc() - Handle IOMMU_VEVENTQ_ALLOC
 * @ucmd: the command
 *
 * Return: -EOPNOTSUPP for bad flags, reserved field or type 0, -EINVAL for a
 * zero depth, -ENOENT when @viommu_id names no vIOMMU (always the case
 * here), -EOPNOTSUPP otherwise.
 */
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	int rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth)
		return -EINVAL;

	rc = iommufd_viommu_check_id(ucmd->ictx, cmd->viommu_id,
				     IOMMUFD_OBJ_VIOMMU);
	if (rc)
		return rc;
	return -EOPNOTSUPP;
}

/**
 * iommufd_hw_queue_alloc_ioctl() - Handle IOMMU_HW_QUEUE_ALLOC
 * @ucmd: the command
 *
 * Return: -EOPNOTSUPP for bad flags or type 0, -EINVAL for a zero length,
 * -EOVERFLOW if the guest range wraps, -ENOENT when @viommu_id names no
 * vIOMMU (always the case here), -EOPNOTSUPP otherwise.
 */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return -EOVERFLOW;

	rc = iommufd_viommu_check_id(ucmd->ictx, cmd->viommu_id,
				     IOMMUFD_OBJ_VIOMMU);
	if (rc)
		return rc;
	return -EOPNOTSUPP;
}

/**
 * iommufd_viommu_family_destroy() - Destroy op of the vIOMMU object types
 * @obj: the object
 *
 * No object of these types is ever allocated by this kernel, so reaching
 * this is a kernel bug. The memory itself is freed by the caller.
 */
void iommufd_viommu_family_destroy(struct iommufd_object *obj)
{
	WARN_ONCE(1, "iommufd: unexpected object of type %u\n", obj->type);
}
