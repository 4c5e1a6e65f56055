// SPDX-License-Identifier: GPL-2.0-only
/*
 * HWPT objects: an iommu_domain owned by userspace.
 *
 * A paging HWPT translates through an IOAS: its domain is one of the domains
 * the io_pagetable keeps filled with the IOAS's mappings, and the HWPT holds
 * a users reference on the IOAS. A nested HWPT translates through tables
 * that userspace owns (a guest's stage 1) on top of a paging HWPT allocated
 * as a nest parent, on which it holds a users reference. Either kind may
 * route I/O page faults to a fault queue object, which it then references.
 *
 * Every paging HWPT sits on its IOAS's hwpt_list, under ioas->mutex, from
 * creation to destruction. The list is where attaching a device to an IOAS
 * finds reusable automatic HWPTs, and ioas->mutex is held by whoever creates
 * a paging HWPT until the HWPT is published or aborted.
 *
 * Dirty tracking works on paging HWPTs allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING; the walk over the domain and the user
 * bitmap is io_pagetable.c's and iova_bitmap.c's business.
 */
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-priv.h"
#include "iommufd_private.h"

/* Every flag IOMMU_HWPT_ALLOC knows, whatever the parent object */
#define IOMMUFD_HWPT_ALLOC_FLAGS                                      \
	(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
	 IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)
/* The subset valid for a nested HWPT */
#define IOMMUFD_HWPT_NESTED_FLAGS \
	(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)

/* Teardown shared by both kinds, balancing the fault setup of the ioctl */
static void iommufd_hwpt_common_destroy(struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_fault *fault = hwpt->fault;

	/* The domain may not exist yet when an allocation is unwound */
	if (hwpt->domain)
		iommu_domain_free(hwpt->domain);
	/* balances iommufd_ref_to_users() in iommufd_hwpt_set_fault() */
	if (fault)
		refcount_dec(&fault->obj.users);
}

static void iommufd_hwpt_paging_release(struct iommufd_hwpt_paging *hwpt_paging)
{
	iommufd_hwpt_common_destroy(&hwpt_paging->common);
	/* balances refcount_inc() in iommufd_hwpt_paging_alloc() */
	refcount_dec(&hwpt_paging->ioas->obj.users);
}

/*
 * Take the HWPT off its IOAS, if it got that far, and free it. Destroy and
 * abort differ only in who holds ioas->mutex.
 */
static void iommufd_hwpt_paging_teardown(struct iommufd_object *obj,
					 bool ioas_locked)
{
	struct iommufd_hwpt_paging *hwpt_paging =
		container_of(obj, struct iommufd_hwpt_paging, common.obj);
	struct iommufd_ioas *ioas = hwpt_paging->ioas;

	if (!list_empty(&hwpt_paging->hwpt_item)) {
		if (ioas_locked)
			lockdep_assert_held(&ioas->mutex);
		else
			mutex_lock(&ioas->mutex);
		list_del_init(&hwpt_paging->hwpt_item);
		if (!ioas_locked)
			mutex_unlock(&ioas->mutex);
		/* balances iopt_table_add_domain() */
		iopt_table_remove_domain(&ioas->iopt,
					 hwpt_paging->common.domain);
	}
	iommufd_hwpt_paging_release(hwpt_paging);
}

/**
 * iommufd_hwpt_paging_destroy() - Object hook for a published paging HWPT
 * @obj: the HWPT
 *
 * No device is attached (each attachment holds a users reference).
 */
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	iommufd_hwpt_paging_teardown(obj, false);
}

/**
 * iommufd_hwpt_paging_abort() - Object hook for an unpublished paging HWPT
 * @obj: the HWPT
 *
 * Context: the creator still holds ioas->mutex.
 */
void iommufd_hwpt_paging_abort(struct iommufd_object *obj)
{
	iommufd_hwpt_paging_teardown(obj, true);
}

/**
 * iommufd_hwpt_nested_destroy() - Object hook for a nested HWPT
 * @obj: the HWPT
 */
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt_nested =
		container_of(obj, struct iommufd_hwpt_nested, common.obj);

	iommufd_hwpt_common_destroy(&hwpt_nested->common);
	/* balances refcount_inc() in iommufd_hwpt_nested_alloc() */
	refcount_dec(&hwpt_nested->parent->common.obj.users);
	/* balances refcount_inc() in iommufd_viommu_alloc_hwpt_nested() */
	if (hwpt_nested->viommu)
		refcount_dec(&hwpt_nested->viommu->obj.users);
}

/**
 * iommufd_hwpt_nested_abort() - Object hook for an unpublished nested HWPT
 * @obj: the HWPT
 */
void iommufd_hwpt_nested_abort(struct iommufd_object *obj)
{
	iommufd_hwpt_nested_destroy(obj);
}

/*
 * Devices that can snoop-block must get a domain that blocks no-snoop. The
 * choice has to be made before the first map, as some IOMMUs encode it per
 * PTE, and cannot be undone; a driver claiming the capability but refusing
 * it on a fresh domain is buggy.
 */
static int iommufd_hwpt_enforce_cc(struct iommufd_hwpt_paging *hwpt_paging)
{
	struct iommu_domain *domain = hwpt_paging->common.domain;

	if (!hwpt_paging->enforce_cache_coherency &&
	    domain->ops->enforce_cache_coherency)
		hwpt_paging->enforce_cache_coherency =
			domain->ops->enforce_cache_coherency(domain);
	return hwpt_paging->enforce_cache_coherency ? 0 : -EINVAL;
}

static struct iommu_domain *
iommufd_paging_domain_alloc(struct iommufd_device *idev, u32 flags,
			    const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops = dev_iommu_ops(idev->dev);
	struct iommu_domain *domain;

	if (!ops->domain_alloc_user) {
		if (flags || user_data)
			return ERR_PTR(-EOPNOTSUPP);
		return iommu_paging_domain_alloc(idev->dev);
	}

	domain = ops->domain_alloc_user(idev->dev, flags, NULL, user_data);
	if (IS_ERR(domain))
		return domain;
	/* The core only sets the owner for domains it allocates itself */
	domain->owner = ops;
	return domain;
}

/**
 * iommufd_hwpt_paging_alloc() - Create a paging HWPT over an IOAS
 * @ictx: the context
 * @ioas: the IOAS the domain will mirror
 * @idev: the device the domain must suit
 * @flags: IOMMU_HWPT_ALLOC_* flags for the driver (no FAULT_ID_VALID)
 * @immediate_attach: attach @idev's RID before the domain is filled, for
 *	drivers that finish building a domain only at its first attach
 * @user_data: driver-specific description of the domain, or NULL
 *
 * The HWPT is filled with every mapping of @ioas and is on its hwpt_list,
 * but unpublished: the caller finalizes or aborts it.
 *
 * Context: Process context, may sleep. The caller holds @ioas->mutex until
 * after the HWPT is finalized or aborted.
 * Return: The HWPT or an ERR_PTR: -EOPNOTSUPP if the driver cannot honour
 * @flags or @user_data, or the driver's error.
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool immediate_attach,
			  const struct iommu_user_data *user_data)
{
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *hwpt;
	struct iommu_domain *domain;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);

	hwpt_paging = __iommufd_object_alloc(ictx, hwpt_paging,
					     IOMMUFD_OBJ_HWPT_PAGING,
					     common.obj);
	if (IS_ERR(hwpt_paging))
		return hwpt_paging;
	hwpt = &hwpt_paging->common;
	INIT_LIST_HEAD(&hwpt_paging->hwpt_item);
	refcount_inc(&ioas->obj.users);
	hwpt_paging->ioas = ioas;
	hwpt_paging->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	domain = iommufd_paging_domain_alloc(idev, flags, user_data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->domain = domain;

	if (idev->enforce_cache_coherency) {
		rc = iommufd_hwpt_enforce_cc(hwpt_paging);
		if (WARN_ON(rc))
			goto err_abort;
	}

	if (immediate_attach) {
		rc = iommufd_device_attach_hwpt(idev, hwpt);
		if (rc)
			goto err_abort;
	}

	rc = iopt_table_add_domain(&ioas->iopt, domain);
	if (!rc) {
		/* Container dirty tracking in progress covers it too */
		rc = iommufd_vfio_track_new_domain(ioas, domain);
		if (rc)
			iopt_table_remove_domain(&ioas->iopt, domain);
	}
	if (!rc) {
		list_add_tail(&hwpt_paging->hwpt_item, &ioas->hwpt_list);
		return hwpt_paging;
	}
	if (immediate_attach)
		iommufd_device_detach_hwpt(idev, hwpt);
err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

static struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ctx *ictx, struct iommufd_device *idev,
			  struct iommufd_hwpt_paging *parent, u32 flags,
			  const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops;
	struct iommufd_hwpt_nested *hwpt_nested;
	struct iommufd_hw_pagetable *hwpt;
	struct iommu_domain *domain;
	int rc;

	ops = dev_iommu_ops(idev->dev);
	if ((flags & ~IOMMUFD_HWPT_NESTED_FLAGS) || !user_data->len ||
	    !ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);
	/* Only a parent built for nesting, by this very driver, will do */
	if (parent->auto_domain || !parent->nest_parent ||
	    parent->common.domain->owner != ops)
		return ERR_PTR(-EINVAL);

	hwpt_nested = __iommufd_object_alloc(ictx, hwpt_nested,
					     IOMMUFD_OBJ_HWPT_NESTED,
					     common.obj);
	if (IS_ERR(hwpt_nested))
		return hwpt_nested;
	hwpt = &hwpt_nested->common;
	refcount_inc(&parent->common.obj.users);
	hwpt_nested->parent = parent;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	/* Fault routing is iommufd's business, not the driver's */
	domain = ops->domain_alloc_user(idev->dev,
					flags & ~IOMMU_HWPT_FAULT_ID_VALID,
					parent->common.domain, user_data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->domain = domain;
	domain->owner = ops;

	if (WARN_ON_ONCE(domain->type != IOMMU_DOMAIN_NESTED ||
			 !domain->ops->cache_invalidate_user)) {
		rc = -EINVAL;
		goto err_abort;
	}
	return hwpt_nested;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

/*
 * A nested HWPT made by the vIOMMU's driver: it sits on the vIOMMU's nesting
 * parent and references the vIOMMU as well as that parent.
 */
static struct iommufd_hwpt_nested *
iommufd_viommu_alloc_hwpt_nested(struct iommufd_ctx *ictx,
				 struct iommufd_device *idev,
				 struct iommufd_viommu *viommu, u32 flags,
				 const struct iommu_user_data *user_data)
{
	struct iommufd_hwpt_nested *hwpt_nested;
	struct iommufd_hw_pagetable *hwpt;
	struct iommu_domain *domain;
	int rc;

	if (viommu->iommu_dev != __iommu_get_iommu_dev(idev->dev))
		return ERR_PTR(-EINVAL);
	if ((flags & ~IOMMUFD_HWPT_NESTED_FLAGS) || !user_data->len ||
	    !viommu->ops->alloc_domain_nested)
		return ERR_PTR(-EOPNOTSUPP);

	hwpt_nested = __iommufd_object_alloc(ictx, hwpt_nested,
					     IOMMUFD_OBJ_HWPT_NESTED,
					     common.obj);
	if (IS_ERR(hwpt_nested))
		return hwpt_nested;
	hwpt = &hwpt_nested->common;
	hwpt_nested->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	hwpt_nested->parent = viommu->hwpt;
	refcount_inc(&viommu->hwpt->common.obj.users);
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	domain = viommu->ops->alloc_domain_nested(viommu,
						  flags & ~IOMMU_HWPT_FAULT_ID_VALID,
						  user_data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->domain = domain;
	domain->owner = viommu->iommu_dev->ops;

	if (WARN_ON_ONCE(domain->type != IOMMU_DOMAIN_NESTED)) {
		rc = -EINVAL;
		goto err_abort;
	}
	return hwpt_nested;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

/* Route the IOPFs of @hwpt's domain to the fault queue @fault_id */
static int iommufd_hwpt_set_fault(struct iommufd_ucmd *ucmd,
				  struct iommufd_hw_pagetable *hwpt,
				  u32 fault_id)
{
	struct iommufd_object *obj;
	struct iommufd_fault *fault;

	obj = iommufd_get_object(ucmd->ictx, fault_id, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	fault = container_of(obj, struct iommufd_fault, obj);

	/* The lookup reference becomes the HWPT's long-term one */
	iommufd_ref_to_users(obj);
	hwpt->fault = fault;
	hwpt->domain->iopf_handler = iommufd_fault_iopf_handler;
	hwpt->domain->fault_data = hwpt;
	return 0;
}

/**
 * iommufd_hwpt_alloc() - Handler of IOMMU_HWPT_ALLOC
 * @ucmd: the command
 *
 * pt_id names either an IOAS, giving a paging HWPT, or a nest-parent paging
 * HWPT, giving a nested HWPT described by the driver data.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_ioas *ioas = NULL;
	struct iommu_user_data blob;
	struct iommufd_device *idev;
	struct iommufd_object *pt;
	int rc = 0;

	/*
	 * __reserved2 is not checked: upstream never did, so callers may
	 * leave it dirty.
	 */
	if ((cmd->flags & ~IOMMUFD_HWPT_ALLOC_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	/* A data type and its data come together or not at all */
	if (!cmd->data_type != !cmd->data_len)
		return -EINVAL;

	blob.type = cmd->data_type;
	blob.len = cmd->data_len;
	blob.uptr = u64_to_user_ptr(cmd->data_uptr);

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* A bad parent is a bad argument, not a missing object */
	pt = iommufd_get_object(ucmd->ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt)) {
		rc = -EINVAL;
		goto out_put_dev;
	}

	switch (pt->type) {
	case IOMMUFD_OBJ_IOAS: {
		u32 flags = cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID;
		struct iommufd_hwpt_paging *hwpt_paging;

		/* A nest parent's faults belong to the nested HWPTs on it */
		if ((cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) &&
		    (cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
			rc = -EOPNOTSUPP;
			goto out_put_pt;
		}
		ioas = container_of(pt, struct iommufd_ioas, obj);
		mutex_lock(&ioas->mutex);
		hwpt_paging = iommufd_hwpt_paging_alloc(ucmd->ictx, ioas, idev,
							flags, false,
							blob.len ? &blob :
								   NULL);
		if (IS_ERR(hwpt_paging)) {
			rc = PTR_ERR(hwpt_paging);
			goto out_unlock_ioas;
		}
		hwpt = &hwpt_paging->common;
		break;
	}
	case IOMMUFD_OBJ_HWPT_PAGING: {
		struct iommufd_hwpt_paging *parent;
		struct iommufd_hwpt_nested *hwpt_nested;

		parent = container_of(pt, struct iommufd_hwpt_paging,
				      common.obj);
		hwpt_nested = iommufd_hwpt_nested_alloc(ucmd->ictx, idev,
							parent, cmd->flags,
							&blob);
		if (IS_ERR(hwpt_nested)) {
			rc = PTR_ERR(hwpt_nested);
			goto out_put_pt;
		}
		hwpt = &hwpt_nested->common;
		break;
	}
	case IOMMUFD_OBJ_VIOMMU: {
		struct iommufd_viommu *viommu =
			container_of(pt, struct iommufd_viommu, obj);
		struct iommufd_hwpt_nested *hwpt_nested;

		hwpt_nested = iommufd_viommu_alloc_hwpt_nested(ucmd->ictx, idev,
							       viommu,
							       cmd->flags,
							       &blob);
		if (IS_ERR(hwpt_nested)) {
			rc = PTR_ERR(hwpt_nested);
			goto out_put_pt;
		}
		hwpt = &hwpt_nested->common;
		break;
	}
	default:
		rc = -EINVAL;
		goto out_put_pt;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID)
		rc = iommufd_hwpt_set_fault(ucmd, hwpt, cmd->fault_id);
	if (!rc) {
		cmd->out_hwpt_id = hwpt->obj.id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	/* Publish only once nothing can fail any more */
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
	else
		iommufd_object_finalize(ucmd->ictx, &hwpt->obj);

out_unlock_ioas:
	/* balances mutex_lock() before iommufd_hwpt_paging_alloc() */
	if (ioas)
		mutex_unlock(&ioas->mutex);
out_put_pt:
	iommufd_put_object(ucmd->ictx, pt);
out_put_dev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/**
 * iommufd_hwpt_invalidate() - Handler of IOMMU_HWPT_INVALIDATE
 * @ucmd: the command
 *
 * Hands the user's array of invalidation requests to the driver of a nested
 * HWPT. entry_num is written back on every outcome: the number of requests
 * the driver completed before it stopped.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommu_user_data_array reqs = {
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_num = cmd->entry_num,
		.entry_len = cmd->entry_len,
		.type = cmd->data_type,
	};
	struct iommufd_hwpt_nested *hwpt_nested;
	struct iommu_domain *domain;
	struct iommufd_object *obj;
	u32 done = 0;
	int rc, rc_respond;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = -EINVAL;
		goto out;
	}

	/*
	 * Only user-managed (nested) tables and vIOMMU-wide caches are
	 * invalidated from userspace. Any other object is the wrong kind of
	 * target: EINVAL since v6.13 (6.12 said ENOENT).
	 */
	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out;
	}
	if (obj->type == IOMMUFD_OBJ_HWPT_NESTED) {
		hwpt_nested = container_of(obj, struct iommufd_hwpt_nested,
					   common.obj);
		domain = hwpt_nested->common.domain;
		rc = domain->ops->cache_invalidate_user(domain, &reqs);
		done = reqs.entry_num;
	} else if (obj->type == IOMMUFD_OBJ_VIOMMU) {
		struct iommufd_viommu *viommu =
			container_of(obj, struct iommufd_viommu, obj);

		rc = -EOPNOTSUPP;
		if (viommu->ops->cache_invalidate) {
			rc = viommu->ops->cache_invalidate(viommu, &reqs);
			done = reqs.entry_num;
		}
	} else {
		rc = -EINVAL;
	}
	iommufd_put_object(ucmd->ictx, obj);
out:
	/*
	 * Userspace cannot tell how far the driver got without entry_num, so
	 * a failed copy-back outranks the driver's own error.
	 */
	cmd->entry_num = done;
	rc_respond = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	return rc_respond ? -EFAULT : rc;
}

/**
 * iommufd_hwpt_set_dirty_tracking() - Handler of IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ucmd: the command
 *
 * Return: 0 or a negative errno.
 */
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	int rc;

	/* __reserved is not checked: upstream never did */
	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;

	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);

	rc = iopt_set_dirty_tracking(&hwpt_paging->ioas->iopt,
				     hwpt_paging->common.domain,
				     cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}

/*
 * The range must be non-empty, fit in an unsigned long, and be made of
 * whole page_size units; page_size may be anything up to 2^63.
 */
static int iommufd_check_dirty_range(struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	u64 last;

	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;
	if (!cmd->page_size || !is_power_of_2(cmd->page_size))
		return -EINVAL;
	if ((cmd->iova | cmd->length) & (cmd->page_size - 1))
		return -EINVAL;
	return 0;
}

/**
 * iommufd_hwpt_get_dirty_bitmap() - Handler of IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ucmd: the command
 *
 * Return: 0 or a negative errno.
 */
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	unsigned long iommu_flags = 0;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	rc = iommufd_check_dirty_range(cmd);
	if (rc)
		return rc;
	/* The uAPI flag and the IOMMU core's flag are separate namespaces */
	if (cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
		iommu_flags |= IOMMU_DIRTY_NO_CLEAR;

	hwpt_paging = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging))
		return PTR_ERR(hwpt_paging);

	rc = iopt_read_and_clear_dirty_data(&hwpt_paging->ioas->iopt,
					    hwpt_paging->common.domain,
					    iommu_flags, cmd);
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
	return rc;
}
