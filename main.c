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
#include <linux/mm.h>
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

/* One row per type: destroy, abort, pre_destroy (NULL when not needed) */
#define IOMMUFD_OBJ_OPS(_type, _destroy, _abort, _pre_destroy)        \
	[IOMMUFD_OBJ_##_type] = { .destroy = _destroy, .abort = _abort, \
				  .pre_destroy = _pre_destroy }

static const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	IOMMUFD_OBJ_OPS(DEVICE, iommufd_device_destroy, NULL,
			iommufd_device_pre_destroy),
	IOMMUFD_OBJ_OPS(HWPT_PAGING, iommufd_hwpt_paging_destroy,
			iommufd_hwpt_paging_abort, NULL),
	IOMMUFD_OBJ_OPS(HWPT_NESTED, iommufd_hwpt_nested_destroy,
			iommufd_hwpt_nested_abort, NULL),
	IOMMUFD_OBJ_OPS(IOAS, iommufd_ioas_destroy, NULL, NULL),
	IOMMUFD_OBJ_OPS(ACCESS, iommufd_access_destroy_object, NULL, NULL),
	IOMMUFD_OBJ_OPS(FAULT, iommufd_fault_destroy, NULL, NULL),
	IOMMUFD_OBJ_OPS(VIOMMU, iommufd_viommu_destroy, NULL, NULL),
	IOMMUFD_OBJ_OPS(VDEVICE, iommufd_vdevice_destroy,
			iommufd_vdevice_abort, NULL),
	IOMMUFD_OBJ_OPS(VEVENTQ, iommufd_veventq_destroy, NULL, NULL),
	IOMMUFD_OBJ_OPS(HW_QUEUE, iommufd_hw_queue_destroy, NULL, NULL),
#ifdef CONFIG_IOMMUFD_TEST
	IOMMUFD_OBJ_OPS(SELFTEST, iommufd_selftest_destroy, NULL, NULL),
#endif
#if IS_ENABLED(CONFIG_IOMMUFD_KUNIT_TEST)
	IOMMUFD_OBJ_OPS(KUNIT, iommufd_kunit_obj_destroy,
			iommufd_kunit_obj_abort, iommufd_kunit_obj_pre_destroy),
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

/* /dev/iommu, then /dev/vfio/vfio: see iommufd_misc_devs[] */
#define IOMMUFD_MISC_VFIO 1
#define IOMMUFD_NUM_MISC 2
static struct miscdevice iommufd_misc_devs[IOMMUFD_NUM_MISC];

static const struct file_operations iommufd_fops;

static const struct iommufd_object_ops *iommufd_ops(struct iommufd_object *obj)
{
	return &iommufd_object_ops[obj->type];
}

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

	/*
	 * IDs are 31 bits wide and start at 1, see iommufd_ctx_init(). The
	 * slot holds a reservation, so nobody can see the object yet.
	 */
	rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (!rc) {
		obj->type = type;
		/* Both counters start with the reference of the table slot */
		refcount_set(&obj->wait_cnt, 1);
		refcount_set(&obj->users, 1);
		return obj;
	}
	kfree(obj);
	return ERR_PTR(rc);
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
	/*
	 * Replacing an existing slot allocates nothing, so this cannot fail.
	 * A reserved slot reads back as NULL through the normal API.
	 */
	WARN_ON(xa_cmpxchg(&ictx->objects, obj->id, XA_ZERO_ENTRY, obj,
			   GFP_KERNEL));
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
	/* A reservation reads back as NULL; anything else is a caller bug */
	WARN_ON(xa_erase(&ictx->objects, obj->id));
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
	void (*undo)(struct iommufd_object *obj) = iommufd_ops(obj)->abort ?:
						   iommufd_ops(obj)->destroy;

	undo(obj);
	iommufd_object_abort(ictx, obj);
}

static bool iommufd_type_matches(struct iommufd_object *obj,
				 enum iommufd_object_type type)
{
	return type == IOMMUFD_OBJ_ANY || obj->type == type;
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
	struct iommufd_object *found = NULL;
	struct iommufd_object *obj;

	/* Lets the fault-injection sweep exercise every lookup failure */
	if (iommufd_should_fail())
		return ERR_PTR(-ENOENT);

	/* The xa_lock keeps @obj from being freed until it is referenced */
	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (obj && iommufd_type_matches(obj, type) && iommufd_lock_obj(obj))
		found = obj;
	xa_unlock(&ictx->objects);
	return found ?: ERR_PTR(-ENOENT);
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
	/* The destroyer sleeps uninterruptibly: a plain wake-up reaches it */
	if (refcount_dec_and_test(&obj->wait_cnt))
		wake_up_all(&ictx->destroy_wait);
}

/*
 * Give up the table's wait_cnt reference and wait until every other holder
 * has given up theirs. Returns 0 once the count is zero, or -EBUSY with the
 * table's reference restored if a holder never lets go.
 */
static int iommufd_object_drain(struct iommufd_ctx *ictx,
				struct iommufd_object *obj)
{
	if (refcount_dec_and_test(&obj->wait_cnt))
		return 0;

	/* Long-held references would never drop without being revoked */
	if (iommufd_ops(obj)->pre_destroy)
		iommufd_ops(obj)->pre_destroy(obj);

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
 * only users reference and zero it, so that lookups fail from now on. When
 * nobody else holds wait_cnt either (@drained: the caller waited already)
 * the object is drained and, unless it leaves a tombstone, its ID is freed
 * at once (*@freed). Otherwise the slot is parked as a reservation, so the
 * ID is not reused while holders remain.
 */
static struct iommufd_object *
iommufd_object_unlink(struct iommufd_ctx *ictx,
		      struct iommufd_object *to_destroy, u32 id,
		      unsigned int flags, bool drained, bool *freed)
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
	/*
	 * Lookups take wait_cnt under this lock, so a table holding the only
	 * wait_cnt reference means the object is drained now; the common
	 * case then needs no second pass over the table.
	 */
	*freed = !(flags & REMOVE_OBJ_TOMBSTONE) &&
		 (drained || refcount_dec_if_one(&obj->wait_cnt));
	xas_store(&xas, *freed ? NULL : XA_ZERO_ENTRY);
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
	bool freed;
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

	obj = iommufd_object_unlink(ictx, to_destroy, id, flags, drained,
				    &freed);
	if (IS_ERR(obj)) {
		/* balances the drain above: lookups may find it again */
		if (drained)
			refcount_set(&to_destroy->wait_cnt, 1);
		return PTR_ERR(obj);
	}

	if (!drained && !freed) {
		rc = iommufd_object_drain(ictx, obj);
		if (WARN_ON(rc)) {
			/* Kernel bug: republish and leave it to release */
			refcount_set(&obj->users, 1);
			iommufd_object_finalize(ictx, obj);
			return rc;
		}
	}

	/* Free the ID, or keep the reservation as a tombstone */
	if (!freed && !(flags & REMOVE_OBJ_TOMBSTONE))
		xa_erase(&ictx->objects, obj->id);
	iommufd_ops(obj)->destroy(obj);
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
	int rc = -EOPNOTSUPP;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	/* Global options take object_id 0, the others name their object */
	if (cmd->option_id == IOMMU_OPTION_RLIMIT_MODE)
		rc = iommufd_option_rlimit_mode(cmd, ucmd->ictx);
	else if (cmd->option_id == IOMMU_OPTION_HUGE_PAGES)
		rc = iommufd_ioas_option(ucmd);

	/* Only val64 is an output; it lies inside the minimum size */
	if (!rc && put_user(cmd->val64, &uptr->val64))
		rc = -EFAULT;
	return rc;
}

/* Kernel copy of the command being executed, big enough for every row */
union iommufd_ucmd_buffer {
	/* In command number order, 0x80 onwards */
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas ioas_allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges ioas_iova_ranges;
	struct iommu_ioas_map ioas_map;
	struct iommu_ioas_unmap ioas_unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_set_dirty_tracking hwpt_set_dirty;
	struct iommu_hwpt_get_dirty_bitmap hwpt_get_dirty;
	struct iommu_hwpt_invalidate hwpt_invalidate;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_ioas_map_file ioas_map_file;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_ioas_change_process ioas_change_process;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
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
 * @cmd: the ioctl number userspace passed
 * @ucmd: ucmd with @ubuffer and @cmd (room for @op->size bytes) set
 *
 * Reads the caller's size from the first u32 of the user structure, checks
 * that @cmd is the row's command (a bad pointer is EFAULT for every
 * command, even an unknown one), rejects sizes below the row's minimum and
 * copies the structure into @ucmd->cmd, zero-extending a shorter one.
 *
 * Context: Process context, may fault in user memory.
 * Return: 0, -EFAULT, -ENOTTY (not this row's command, or an unused row),
 * -EINVAL (size too small) or -E2BIG (nonzero bytes past the kernel's
 * structure).
 */
IOMMUFD_KUNIT_VISIBLE int iommufd_ucmd_load(const struct iommufd_ioctl_op *op,
					    unsigned int cmd,
					    struct iommufd_ucmd *ucmd)
{
	if (get_user(ucmd->user_size, (u32 __user *)ucmd->ubuffer))
		return -EFAULT;
	/* Unused rows have ioctl_num 0, which no command matches */
	if (op->ioctl_num != cmd)
		return -ENOTTY;
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
	rc = iommufd_ucmd_load(op, cmd, &ucmd);
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
	iommufd_ops(obj)->destroy(obj);
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
	    filp->private_data == &iommufd_misc_devs[IOMMUFD_MISC_VFIO]) {
		/* Legacy VFIO charges pinned pages to the mm; keep doing so */
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
		pr_info_once("/dev/vfio/vfio is served by iommufd\n");
	}
	filp->private_data = ictx;
	return 0;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	/* balances the allocation in iommufd_fops_open() */
	iommufd_ctx_destroy(filp->private_data);
	kfree(filp->private_data);
	return 0;
}

/* The context behind @file, or NULL when @file is not an iommufd */
static struct iommufd_ctx *iommufd_file_ctx(struct file *file)
{
	return file->f_op == &iommufd_fops ? file->private_data : NULL;
}

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
	struct iommufd_ctx *ictx = iommufd_file_ctx(file);

	if (ictx)
		iommufd_ctx_get(ictx);
	return ictx ?: ERR_PTR(-EBADFD);
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
	struct file *file = fget(fd);
	struct iommufd_ctx *ictx;

	if (!file)
		return ERR_PTR(-EBADF);
	/* On success the reference fget() took is the context reference */
	ictx = iommufd_file_ctx(file);
	if (!ictx)
		fput(file);
	return ictx ?: ERR_PTR(-EBADFD);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, IOMMUFD);

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

/*
 * Every VMA of a registered MMIO range holds a users reference on the
 * range's owner, so the owner (and with it the range) outlives the mapping.
 * The VMA's file reference keeps the context alive.
 */
static void iommufd_vma_open(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = vma->vm_private_data;

	refcount_inc(&immap->owner->users);
}

static void iommufd_vma_close(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = vma->vm_private_data;

	refcount_dec(&immap->owner->users);
}

static const struct vm_operations_struct iommufd_vma_ops = {
	.open = iommufd_vma_open,
	.close = iommufd_vma_close,
};

/*
 * Map one range registered with _iommufd_alloc_mmap(), exactly: the offset
 * must be its start and the length its length.
 */
static int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct iommufd_ctx *ictx = filp->private_data;
	size_t length = vma->vm_end - vma->vm_start;
	struct iommufd_mmap *immap;
	int rc;

	if (!PAGE_ALIGNED(length))
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	/*
	 * The tree lock keeps the entry, and hence its owner, from being
	 * freed until the owner is referenced: unregistering takes it too.
	 */
	mtree_lock(&ictx->mt_mmap);
	immap = mtree_load(&ictx->mt_mmap, vma->vm_pgoff << PAGE_SHIFT);
	if (immap && !refcount_inc_not_zero(&immap->owner->users))
		immap = NULL;
	mtree_unlock(&ictx->mt_mmap);
	if (!immap)
		return -ENXIO;

	if (immap->vm_pgoff != vma->vm_pgoff || immap->length != length) {
		rc = -ENXIO;
		goto err_put_owner;
	}

	vma->vm_private_data = immap;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	rc = io_remap_pfn_range(vma, vma->vm_start,
				immap->mmio_addr >> PAGE_SHIFT, length,
				pgprot_noncached(vma->vm_page_prot));
	if (rc)
		goto err_put_owner;
	/* From here on the VMA callbacks own the reference */
	vma->vm_ops = &iommufd_vma_ops;
	return 0;

err_put_owner:
	refcount_dec(&immap->owner->users);
	return rc;
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	/* One context per open, destroyed with the last reference */
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	/* Commands are ioctls; mmap exposes driver-registered MMIO */
	.unlocked_ioctl = iommufd_fops_ioctl,
	.mmap = iommufd_fops_mmap,
	/* Nothing to read, write or seek */
	.llseek = noop_llseek,
};

/*
 * The character devices iommufd answers as. The legacy VFIO container node
 * comes last so that it can be left out when VFIO keeps its own container.
 */
static struct miscdevice iommufd_misc_devs[IOMMUFD_NUM_MISC] = {
	{
		.minor = MISC_DYNAMIC_MINOR,
		.name = "iommu",
		.nodename = "iommu",
		.mode = 0660,
		.fops = &iommufd_fops,
	},
	[IOMMUFD_MISC_VFIO] = {
		.minor = VFIO_MINOR,
		.name = "vfio",
		.nodename = "vfio/vfio",
		.mode = 0666,
		.fops = &iommufd_fops,
	},
};

static unsigned int iommufd_num_misc_devs(void)
{
	return IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER) ? IOMMUFD_NUM_MISC :
							    IOMMUFD_MISC_VFIO;
}

/**
 * iommufd_global_device() - The device of /dev/iommu
 *
 * dma-buf importers attach with a device; iommufd never DMA-maps through
 * that attachment, so its own character device serves.
 *
 * Return: the device, registered while the module is loaded.
 */
struct device *iommufd_global_device(void)
{
	return iommufd_misc_devs[0].this_device;
}

static void iommufd_misc_unregister(unsigned int num)
{
	while (num--)
		misc_deregister(&iommufd_misc_devs[num]);
}

static int __init iommufd_init(void)
{
	unsigned int done;
	int rc;

	rc = iommufd_object_ops_check();
	if (rc)
		return rc;

	for (done = 0; done != iommufd_num_misc_devs(); done++) {
		rc = misc_register(&iommufd_misc_devs[done]);
		if (rc)
			goto out_misc;
	}
	iommufd_vfio_compat_init();
	rc = iommufd_test_init();
	if (rc)
		goto out_compat;
	return 0;

out_compat:
	/* balances iommufd_vfio_compat_init() */
	iommufd_vfio_compat_exit();
out_misc:
	/* balances the misc_register() calls that succeeded */
	iommufd_misc_unregister(done);
	return rc;
}

static void __exit iommufd_exit(void)
{
	/* balances iommufd_test_init() in iommufd_init() */
	iommufd_test_exit();
	/* balances iommufd_vfio_compat_init() in iommufd_init() */
	iommufd_vfio_compat_exit();
	iommufd_misc_unregister(iommufd_num_misc_devs());
}

module_init(iommufd_init);
module_exit(iommufd_exit);

MODULE_DESCRIPTION("iommufd: user space control of IOMMU page tables");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(IOMMUFD);
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
/* ioas.c recognises dma-buf fds given to IOMMU_IOAS_MAP_FILE */
MODULE_IMPORT_NS(DMA_BUF);
#if IS_ENABLED(CONFIG_IOMMUFD_VFIO_CONTAINER)
/* Load the module when /dev/vfio/vfio is opened */
MODULE_ALIAS("devname:vfio/vfio");
MODULE_ALIAS_MISCDEV(VFIO_MINOR);
#endif
