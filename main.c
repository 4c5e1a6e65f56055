// SPDX-License-Identifier: GPL-2.0-only
/*
 * The surface of iommufd: the /dev/iommu character device, the per-open
 * context, the object table and the ioctl table.
 *
 * Object table
 * ------------
 * Each open file owns a struct iommufd_ctx whose @objects xarray maps a u32
 * ID to a struct iommufd_object. A slot is in one of three states:
 *
 *   empty         the ID is free
 *   XA_ZERO_ENTRY reserved: an object under construction, an object being
 *                 destroyed, or a tombstone left behind by a destroyed
 *                 vDEVICE. Lookups read it as "no object".
 *   pointer       a published object that lookups may return
 *
 * Creation reserves a slot, performs every step that may fail, and only then
 * publishes the pointer, so userspace never sees a half built object and an
 * error never has to take a published object back.
 *
 * The two counters of struct iommufd_object are documented in
 * iommufd_private.h. In short: @users counts long-term references (graph
 * edges, fds, the table itself) and decides whether IOMMU_DESTROY may go
 * ahead; @wait_cnt counts references that only live while some thread is
 * using the object and is what destruction waits for.
 *
 * Ioctl table
 * -----------
 * Every command is a row of iommufd_ioctl_ops[], indexed by the command
 * number. The row records the kernel's structure size, the minimum size a
 * caller may pass (the end of the first published version), the complete
 * ioctl number and the handler. iommufd_ucmd_load() applies the size rules
 * of the uAPI header's "iommufd ioctl conventions" in exactly one place.
 *
 * The caller's size is not capped: a larger structure whose extra bytes are
 * all zero must behave like the exact size, whatever its length, as it did
 * in every earlier kernel. Scanning the extra bytes stops at the first
 * nonzero or unreadable byte.
 */
#define pr_fmt(fmt) "iommufd: " fmt

#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"
#include "iommufd_test.h"

/*
 * A thread holding a wait_cnt reference is inside an ioctl or a driver
 * callback that ends on its own. Not seeing it go after this long means a
 * reference was leaked, which is a kernel bug.
 */
#define IOMMUFD_DESTROY_TIMEOUT_MS 60000

/*
 * struct iommufd_object_ops - what the table does with an object of a type
 * @pre_destroy: optional; revokes wait_cnt references that are held for a
 *	long time (a vDEVICE on its device) before destruction waits for them
 * @destroy: releases everything the object holds; never fails. Mandatory.
 * @abort: optional; undoes a creation that did not reach finalize, when that
 *	differs from @destroy
 */
struct iommufd_object_ops {
	void (*pre_destroy)(struct iommufd_object *obj);
	void (*destroy)(struct iommufd_object *obj);
	void (*abort)(struct iommufd_object *obj);
};

static const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_DEVICE] = {
		.pre_destroy = iommufd_device_pre_destroy,
		.destroy = iommufd_device_destroy,
	},
	[IOMMUFD_OBJ_HWPT_PAGING] = {
		.destroy = iommufd_hwpt_paging_destroy,
		.abort = iommufd_hwpt_paging_abort,
	},
	[IOMMUFD_OBJ_HWPT_NESTED] = {
		.destroy = iommufd_hwpt_nested_destroy,
		.abort = iommufd_hwpt_nested_abort,
	},
	[IOMMUFD_OBJ_IOAS] = {
		.destroy = iommufd_ioas_destroy,
	},
	[IOMMUFD_OBJ_ACCESS] = {
		.destroy = iommufd_access_destroy_object,
	},
	[IOMMUFD_OBJ_FAULT] = {
		.destroy = iommufd_fault_destroy,
	},
	[IOMMUFD_OBJ_VIOMMU] = {
		.destroy = iommufd_viommu_family_destroy,
	},
	[IOMMUFD_OBJ_VDEVICE] = {
		.destroy = iommufd_viommu_family_destroy,
	},
	[IOMMUFD_OBJ_VEVENTQ] = {
		.destroy = iommufd_viommu_family_destroy,
	},
	[IOMMUFD_OBJ_HW_QUEUE] = {
		.destroy = iommufd_viommu_family_destroy,
	},
#ifdef CONFIG_IOMMUFD_TEST
	[IOMMUFD_OBJ_SELFTEST] = {
		.destroy = iommufd_selftest_destroy,
	},
#endif
#if IS_ENABLED(CONFIG_IOMMUFD_KUNIT_TEST)
	[IOMMUFD_OBJ_KUNIT] = {
		.pre_destroy = iommufd_kunit_obj_pre_destroy,
		.destroy = iommufd_kunit_obj_destroy,
		.abort = iommufd_kunit_obj_abort,
	},
#endif
};

/*
 * Every type that can be allocated must be destroyable; IOMMUFD_OBJ_NONE is
 * the only row allowed to stay empty. A new enum value without a row is
 * caught when the module loads rather than when the first such object is
 * freed.
 */
static int __init iommufd_object_ops_check(void)
{
	unsigned int type;

	for (type = IOMMUFD_OBJ_NONE + 1; type != IOMMUFD_OBJ_MAX; type++) {
		if (WARN(!iommufd_object_ops[type].destroy,
			 "object type %u has no destroy op\n", type))
			return -EINVAL;
	}
	return 0;
}

static struct miscdevice vfio_misc_dev;

/**
 * _iommufd_object_alloc() - Allocate an object and reserve its ID
 * @ictx: context the object belongs to
 * @size: size of the containing structure, whose first member is the object
 * @type: enum iommufd_object_type
 *
 * The returned object is zeroed apart from its header. Its ID is reserved
 * but reads back as "no object" until iommufd_object_finalize(). Until then
 * the caller undoes the allocation with iommufd_object_abort() or, once the
 * type's own state exists, iommufd_object_abort_and_destroy().
 *
 * Context: Process context, may sleep.
 * Return: the object, or an ERR_PTR on failure.
 */
struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	if (WARN_ON(size < sizeof(*obj) || type <= IOMMUFD_OBJ_NONE ||
		    type >= IOMMUFD_OBJ_MAX))
		return ERR_PTR(-EINVAL);

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	/* Both counters start with the reference of the table slot */
	refcount_set(&obj->users, 1);
	refcount_set(&obj->wait_cnt, 1);

	/* IDs are 31 bits wide and start at 1, see iommufd_ctx_init() */
	rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

/**
 * iommufd_object_finalize() - Publish an object reserved by
 *	_iommufd_object_alloc()
 * @ictx: context the object belongs to
 * @obj: the object
 *
 * From here on other threads can look the object up, hold references and
 * hence delay or refuse its destruction. The caller must therefore have done
 * everything that can fail, including copying results to userspace.
 *
 * Context: Any context that may take the xa_lock of the object table.
 */
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	void *prev;

	/*
	 * Replacing an existing slot allocates nothing, so this cannot fail.
	 * A reserved slot reads back as NULL through the normal API.
	 */
	prev = xa_cmpxchg(&ictx->objects, obj->id, XA_ZERO_ENTRY, obj,
			  GFP_KERNEL);
	WARN_ON(prev);
}

/**
 * iommufd_object_abort() - Free an object that was never published
 * @ictx: context the object belongs to
 * @obj: the object, as returned by _iommufd_object_alloc()
 *
 * Releases the ID reservation and the memory. Anything the type itself
 * acquired must already have been released by the caller.
 *
 * Context: Process context.
 */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *prev;

	/* A reservation reads back as NULL; anything else is a caller bug */
	prev = xa_erase(&ictx->objects, obj->id);
	WARN_ON(prev);
	kfree(obj);
}

/**
 * iommufd_object_abort_and_destroy() - Tear down an unpublished object
 * @ictx: context the object belongs to
 * @obj: the object, fully initialised but not finalized
 *
 * Runs the type's abort op, or its destroy op when it has no separate abort,
 * then releases the reservation like iommufd_object_abort().
 *
 * Context: Process context, may sleep.
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	iommufd_object_abort(ictx, obj);
}

/**
 * iommufd_get_object() - Look up a published object and reference it
 * @ictx: context to search
 * @id: ID given by userspace
 * @type: expected type, or IOMMUFD_OBJ_ANY
 *
 * On success the caller holds one users and one wait_cnt reference, both
 * dropped by iommufd_put_object(). Reserved slots, tombstones, objects of
 * another type and objects already on their way out all give -ENOENT.
 *
 * Context: Any context that may take the xa_lock of the object table.
 * Return: the object, or ERR_PTR(-ENOENT).
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	/* Lets the fault-injection sweep exercise every lookup failure */
	if (iommufd_should_fail())
		return ERR_PTR(-ENOENT);

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (obj && (type == IOMMUFD_OBJ_ANY || obj->type == type) &&
	    iommufd_lock_obj(obj)) {
		xa_unlock(&ictx->objects);
		return obj;
	}
	xa_unlock(&ictx->objects);
	return ERR_PTR(-ENOENT);
}

/**
 * iommufd_put_object() - Drop a reference taken by iommufd_get_object()
 * @ictx: context the object belongs to
 * @obj: the object
 *
 * The users reference goes first: once wait_cnt reaches zero a waiting
 * destroyer may free @obj at any moment.
 *
 * Context: Any context.
 */
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	refcount_dec(&obj->users);
	if (refcount_dec_and_test(&obj->wait_cnt))
		wake_up_interruptible_all(&ictx->destroy_wait);
}

/*
 * Give up the table's wait_cnt reference and wait until every other holder
 * has given up theirs. Returns 0 once the count is zero, or -EBUSY with the
 * table's reference restored if a holder never lets go.
 */
static int iommufd_object_drain(struct iommufd_ctx *ictx,
				struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (refcount_dec_and_test(&obj->wait_cnt))
		return 0;

	/* Long-held references would never drop without being revoked */
	if (ops->pre_destroy)
		ops->pre_destroy(obj);

	if (wait_event_timeout(ictx->destroy_wait,
			       refcount_read(&obj->wait_cnt) == 0,
			       msecs_to_jiffies(IOMMUFD_DESTROY_TIMEOUT_MS)))
		return 0;

	/* The last holder may have left between the timeout and now */
	if (!refcount_inc_not_zero(&obj->wait_cnt))
		return 0;
	pr_crit("object %u of type %u is still in use after %u ms\n", obj->id,
		obj->type, IOMMUFD_DESTROY_TIMEOUT_MS);
	return -EBUSY;
}

/*
 * Take the object at @id out of circulation: check that the table holds the
 * only users reference, zero it and park the slot as a reservation so that
 * lookups fail from now on but the ID is not reused yet.
 */
static struct iommufd_object *
iommufd_object_unlink(struct iommufd_ctx *ictx,
		      struct iommufd_object *to_destroy, u32 id)
{
	XA_STATE(xas, &ictx->objects, id);
	struct iommufd_object *obj;

	xa_lock(&ictx->objects);
	obj = xas_load(&xas);
	if (to_destroy) {
		/* The caller's users reference is consumed whatever happens */
		refcount_dec(&to_destroy->users);
		if (WARN_ON(obj != to_destroy)) {
			obj = ERR_PTR(-ENOENT);
			goto out_unlock;
		}
	} else if (!obj || xa_is_zero(obj)) {
		obj = ERR_PTR(-ENOENT);
		goto out_unlock;
	}

	if (!refcount_dec_if_one(&obj->users)) {
		obj = ERR_PTR(-EBUSY);
		goto out_unlock;
	}
	xas_store(&xas, XA_ZERO_ENTRY);
	/* The compat layer must not hand out an IOAS that is going away */
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
out_unlock:
	xa_unlock(&ictx->objects);
	return obj;
}

/**
 * iommufd_object_remove() - Destroy an object if nothing else uses it
 * @ictx: context the object belongs to
 * @to_destroy: the object when the kernel destroys one it holds a users
 *	reference on (that reference is consumed), or NULL for IOMMU_DESTROY
 * @id: ID of the object
 * @flags: REMOVE_WAIT to wait for concurrent lookups before checking users;
 *	REMOVE_OBJ_TOMBSTONE to keep @id reserved forever
 *
 * The object is destroyed only if, after dropping the caller's reference,
 * the table holds the last users reference. Without REMOVE_WAIT a concurrent
 * ioctl using the object makes this fail with -EBUSY; with it, the caller
 * first waits for such ioctls to finish.
 *
 * Context: Process context, may sleep for up to IOMMUFD_DESTROY_TIMEOUT_MS.
 * Return: 0 on success, -ENOENT if @id names no published object, -EBUSY if
 * other users remain or (kernel bug) a wait_cnt holder never went away.
 */
int iommufd_object_remove(struct iommufd_ctx *ictx,
			  struct iommufd_object *to_destroy, u32 id,
			  unsigned int flags)
{
	struct iommufd_object *obj;
	bool drained = false;
	int rc;

	/*
	 * A kernel owner waits for ioctls still using its object before it
	 * checks users, as their references are not an error for it.
	 */
	if (flags & REMOVE_WAIT) {
		if (WARN_ON(!to_destroy))
			return -EINVAL;
		rc = iommufd_object_drain(ictx, to_destroy);
		if (rc) {
			/* Leave the object to context release */
			refcount_dec(&to_destroy->users);
			return rc;
		}
		drained = true;
	}

	obj = iommufd_object_unlink(ictx, to_destroy, id);
	if (IS_ERR(obj)) {
		/* balances the drain above: lookups may find it again */
		if (drained)
			refcount_set(&to_destroy->wait_cnt, 1);
		return PTR_ERR(obj);
	}

	if (!drained) {
		rc = iommufd_object_drain(ictx, obj);
		if (WARN_ON(rc)) {
			/* Kernel bug: republish and leave it to release */
			refcount_set(&obj->users, 1);
			iommufd_object_finalize(ictx, obj);
			return rc;
		}
	}

	/* Free the ID, or keep the reservation as a tombstone */
	if (!(flags & REMOVE_OBJ_TOMBSTONE))
		xa_erase(&ictx->objects, obj->id);
	iommufd_object_ops[obj->type].destroy(obj);
	kfree(obj);
	return 0;
}

static int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, NULL, cmd->id, 0);
}

static int iommufd_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option __user *uptr = ucmd->ubuffer;
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only val64 is an output; it lies inside the minimum size */
	if (put_user(cmd->val64, &uptr->val64))
		return -EFAULT;
	return 0;
}

/* Kernel copy of the command being executed, big enough for every row */
union iommufd_ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hw_queue_alloc hw_queue;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_change_process change_process;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vdevice_alloc vdev;
	struct iommu_veventq_alloc veventq;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_viommu_alloc viommu;
#ifdef CONFIG_IOMMUFD_TEST
	struct iommu_test_cmd test;
#endif
};

/*
 * One row per command: IOMMUFD_IOCTL(X, ...) describes ioctl IOMMU_X.
 * @_first_last is the last member of the first published version of
 * @_struct; callers built against that version pass exactly its end as their
 * size.
 */
#define IOMMUFD_IOCTL(_name, _struct, _first_last, _handler)                  \
	[_IOC_NR(IOMMU_##_name) - IOMMUFD_CMD_BASE] = {                       \
		.size = sizeof(_struct) +                                     \
			BUILD_BUG_ON_ZERO(sizeof(_struct) >                   \
					  sizeof(union iommufd_ucmd_buffer)), \
		.min_size = offsetofend(_struct, _first_last),                \
		.ioctl_num = IOMMU_##_name,                                   \
		.execute = _handler,                                          \
	}

static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOMMUFD_IOCTL(DESTROY, struct iommu_destroy, id, iommufd_destroy),
	IOMMUFD_IOCTL(IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id,
		      iommufd_ioas_alloc_ioctl),
	IOMMUFD_IOCTL(IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
		      allowed_iovas, iommufd_ioas_allow_iovas),
	IOMMUFD_IOCTL(IOAS_COPY, struct iommu_ioas_copy, src_iova,
		      iommufd_ioas_copy),
	IOMMUFD_IOCTL(IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
		      out_iova_alignment, iommufd_ioas_iova_ranges),
	IOMMUFD_IOCTL(IOAS_MAP, struct iommu_ioas_map, iova, iommufd_ioas_map),
	IOMMUFD_IOCTL(IOAS_UNMAP, struct iommu_ioas_unmap, length,
		      iommufd_ioas_unmap),
	IOMMUFD_IOCTL(OPTION, struct iommu_option, val64, iommufd_option),
	IOMMUFD_IOCTL(VFIO_IOAS, struct iommu_vfio_ioas, __reserved,
		      iommufd_vfio_ioas),
	IOMMUFD_IOCTL(HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved,
		      iommufd_hwpt_alloc),
	IOMMUFD_IOCTL(GET_HW_INFO, struct iommu_hw_info, __reserved,
		      iommufd_get_hw_info),
	IOMMUFD_IOCTL(HWPT_SET_DIRTY_TRACKING,
		      struct iommu_hwpt_set_dirty_tracking, __reserved,
		      iommufd_hwpt_set_dirty_tracking),
	IOMMUFD_IOCTL(HWPT_GET_DIRTY_BITMAP,
		      struct iommu_hwpt_get_dirty_bitmap, data,
		      iommufd_hwpt_get_dirty_bitmap),
	IOMMUFD_IOCTL(HWPT_INVALIDATE, struct iommu_hwpt_invalidate,
		      __reserved, iommufd_hwpt_invalidate),
	IOMMUFD_IOCTL(FAULT_QUEUE_ALLOC, struct iommu_fault_alloc,
		      out_fault_fd, iommufd_fault_alloc),
	IOMMUFD_IOCTL(IOAS_MAP_FILE, struct iommu_ioas_map_file, iova,
		      iommufd_ioas_map_file),
	IOMMUFD_IOCTL(VIOMMU_ALLOC, struct iommu_viommu_alloc,
		      out_viommu_id, iommufd_viommu_alloc_ioctl),
	IOMMUFD_IOCTL(VDEVICE_ALLOC, struct iommu_vdevice_alloc, virt_id,
		      iommufd_vdevice_alloc_ioctl),
	IOMMUFD_IOCTL(IOAS_CHANGE_PROCESS,
		      struct iommu_ioas_change_process, __reserved,
		      iommufd_ioas_change_process),
	IOMMUFD_IOCTL(VEVENTQ_ALLOC, struct iommu_veventq_alloc,
		      out_veventq_fd, iommufd_veventq_alloc),
	IOMMUFD_IOCTL(HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc,
		      length, iommufd_hw_queue_alloc_ioctl),
#ifdef CONFIG_IOMMUFD_TEST
	IOMMUFD_IOCTL(TEST_CMD, struct iommu_test_cmd, last, iommufd_test),
#endif
};

#if IS_ENABLED(CONFIG_IOMMUFD_KUNIT_TEST)
/**
 * iommufd_ioctl_table() - The ioctl table, for the dispatcher's KUnit suite
 * @num: set to the number of rows; rows whose @ioctl_num is 0 are unused
 *
 * Return: the first row; row i describes command IOMMUFD_CMD_BASE + i.
 */
const struct iommufd_ioctl_op *iommufd_ioctl_table(unsigned int *num)
{
	*num = ARRAY_SIZE(iommufd_ioctl_ops);
	return iommufd_ioctl_ops;
}
#endif

/**
 * iommufd_ucmd_load() - Apply the size rules and copy a command in
 * @op: row of the command
 * @ucmd: ucmd with @ubuffer and @cmd (room for @op->size bytes) set
 *
 * Reads the caller's size from the first u32 of the user structure, rejects
 * sizes below the row's minimum and copies the structure into @ucmd->cmd,
 * zero-extending a shorter one.
 *
 * Context: Process context, may fault in user memory.
 * Return: 0, -EFAULT, -EINVAL (size too small) or -E2BIG (nonzero bytes past
 * the kernel's structure).
 */
IOMMUFD_KUNIT_VISIBLE int iommufd_ucmd_load(const struct iommufd_ioctl_op *op,
					    struct iommufd_ucmd *ucmd)
{
	if (get_user(ucmd->user_size, (u32 __user *)ucmd->ubuffer))
		return -EFAULT;
	if (ucmd->user_size < op->min_size)
		return -EINVAL;
	return copy_struct_from_user(ucmd->cmd, op->size, ucmd->ubuffer,
				     ucmd->user_size);
}

/**
 * iommufd_dispatch() - Execute one ioctl on a context
 * @ictx: the context
 * @cmd: ioctl number
 * @arg: user pointer to the command structure
 *
 * Command numbers below IOMMUFD_CMD_BASE share the ';' ioctl type with VFIO
 * (VFIO_BASE is 100) and are the legacy container commands.
 *
 * Context: Process context.
 * Return: the handler's result, -ENOTTY for an unknown command, or an error
 * of iommufd_ucmd_load().
 */
IOMMUFD_KUNIT_VISIBLE long iommufd_dispatch(struct iommufd_ctx *ictx,
					    unsigned int cmd, void __user *arg)
{
	const struct iommufd_ioctl_op *op;
	union iommufd_ucmd_buffer buf;
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.ubuffer = arg,
		.cmd = &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	int rc;

	if (nr < IOMMUFD_CMD_BASE)
		return iommufd_vfio_ioctl(ictx, cmd, (unsigned long)arg);
	if (nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return -ENOTTY;

	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	/* Read the size first: a bad pointer is EFAULT for every command */
	if (get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer))
		return -EFAULT;
	/* Also rejects unused rows, whose ioctl_num is 0 */
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	rc = iommufd_ucmd_load(op, &ucmd);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	return iommufd_dispatch(filp->private_data, cmd, (void __user *)arg);
}

/**
 * iommufd_ctx_init() - Initialise a context for a new open file
 * @ictx: zeroed context
 * @filp: the file, or NULL for a context used by KUnit
 *
 * Context: Process context.
 */
IOMMUFD_KUNIT_VISIBLE void iommufd_ctx_init(struct iommufd_ctx *ictx,
					    struct file *filp)
{
	/*
	 * IDs start at 1. ID 0 is reserved for context-global uses of the
	 * uAPI, such as IOMMU_OPTION with object_id 0, and never names an
	 * object.
	 */
	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init(&ictx->groups);
	init_waitqueue_head(&ictx->destroy_wait);
	init_rwsem(&ictx->ioas_creation_lock);
	/* mmap offsets are handed out from PAGE_SIZE upward, never 0 */
	mt_init_flags(&ictx->mt_mmap, MT_FLAGS_ALLOC_RANGE);
	ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	ictx->file = filp;
}

/*
 * Destroy the object at @index if the table holds its last users reference.
 * Objects still referenced by others are left for a later pass.
 */
static bool iommufd_release_leaf(struct iommufd_ctx *ictx, unsigned long index,
				 struct iommufd_object *obj)
{
	if (!refcount_dec_if_one(&obj->users))
		return false;
	xa_erase(&ictx->objects, index);
	iommufd_object_ops[obj->type].destroy(obj);
	kfree(obj);
	return true;
}

/**
 * iommufd_ctx_destroy() - Destroy every object and free a context's tables
 * @ictx: context whose file is being released
 *
 * Children hold users references on their parents, so repeatedly destroying
 * the objects nobody else references removes the graph leaf first.
 * Tombstones are invisible to xa_for_each() and are simply freed at the end.
 * A pass that sees objects but can destroy none of them means a leaked
 * reference.
 *
 * Context: Process context, may sleep.
 */
IOMMUFD_KUNIT_VISIBLE void iommufd_ctx_destroy(struct iommufd_ctx *ictx)
{
	unsigned int seen;

	do {
		struct iommufd_object *obj;
		unsigned int destroyed = 0;
		unsigned long index;

		seen = 0;
		xa_for_each(&ictx->objects, index, obj) {
			seen++;
			destroyed += iommufd_release_leaf(ictx, index, obj);
		}
		if (WARN_ON(seen && !destroyed))
			break;
	} while (seen);

	xa_destroy(&ictx->objects);
	WARN_ON(!xa_empty(&ictx->groups));
	mtree_destroy(&ictx->mt_mmap);
}

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;

	/* misc_open() left the miscdevice in private_data */
	iommufd_ctx_init(ictx, filp);
	if (IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER) &&
	    filp->private_data == &vfio_misc_dev) {
		/* Legacy VFIO charges pinned pages to the mm; keep doing so */
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
		pr_info_once("/dev/vfio/vfio is served by iommufd\n");
	}
	filp->private_data = ictx;
	return 0;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	iommufd_ctx_destroy(ictx);
	kfree(ictx);
	return 0;
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
};

/**
 * iommufd_ctx_get() - Take a reference on a context
 * @ictx: context the caller already holds a reference on
 *
 * The context lives as long as its file, so this references the file.
 *
 * Context: Any context.
 */
void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	get_file(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_get, IOMMUFD);

/**
 * iommufd_ctx_from_file() - Get the context behind an iommufd file
 * @file: file the caller holds a reference on
 *
 * The caller keeps its own reference on @file; on success it additionally
 * owns a context reference to be dropped with iommufd_ctx_put().
 *
 * Context: Any context.
 * Return: the context, or ERR_PTR(-EBADFD) if @file is not an iommufd.
 */
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ictx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ictx = file->private_data;
	iommufd_ctx_get(ictx);
	return ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_file, IOMMUFD);

/**
 * iommufd_ctx_from_fd() - Get the context behind an iommufd file descriptor
 * @fd: file descriptor of the calling process
 *
 * Context: Process context.
 * Return: the context, owning a reference to be dropped with
 * iommufd_ctx_put(); ERR_PTR(-EBADF) if @fd is not open, ERR_PTR(-EBADFD) if
 * it is not an iommufd.
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &iommufd_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	/* The file reference from fget() is the context reference */
	return file->private_data;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, IOMMUFD);

/**
 * iommufd_ctx_put() - Drop a context reference
 * @ictx: context obtained from one of the iommufd_ctx_*() getters
 *
 * Context: Process context; the last reference releases every object.
 */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_put, IOMMUFD);

static struct miscdevice iommu_misc_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu",
	.fops = &iommufd_fops,
	.nodename = "iommu",
	.mode = 0660,
};

/* The legacy VFIO container node, when iommufd replaces VFIO's container */
static struct miscdevice vfio_misc_dev = {
	.minor = VFIO_MINOR,
	.name = "vfio",
	.fops = &iommufd_fops,
	.nodename = "vfio/vfio",
	.mode = 0666,
};

static int __init iommufd_init(void)
{
	int rc;

	rc = iommufd_object_ops_check();
	if (rc)
		return rc;

	rc = misc_register(&iommu_misc_dev);
	if (rc)
		return rc;

	if (IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER)) {
		rc = misc_register(&vfio_misc_dev);
		if (rc)
			goto out_iommu_misc;
	}

	rc = iommufd_test_init();
	if (rc)
		goto out_vfio_misc;
	return 0;

out_vfio_misc:
	if (IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER))
		misc_deregister(&vfio_misc_dev);
out_iommu_misc:
	misc_deregister(&iommu_misc_dev);
	return rc;
}

static void __exit iommufd_exit(void)
{
	/* balances iommufd_test_init() in iommufd_init() */
	iommufd_test_exit();
	if (IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER))
		misc_deregister(&vfio_misc_dev);
	misc_deregister(&iommu_misc_dev);
}

module_init(iommufd_init);
module_exit(iommufd_exit);

#if IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER)
MODULE_ALIAS_MISCDEV(VFIO_MINOR);
MODULE_ALIAS("devname:vfio/vfio");
#endif
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
MODULE_IMPORT_NS(IOMMUFD);
/* ioas.c recognises dma-buf fds given to IOMMU_IOAS_MAP_FILE */
MODULE_IMPORT_NS(DMA_BUF);
MODULE_DESCRIPTION("iommufd: user space control of IOMMU page tables");
MODULE_LICENSE("GPL");
