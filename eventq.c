// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault queue objects: I/O page faults handed to userspace through an fd.
 *
 * A HWPT allocated with a fault ID routes the page requests of its domain
 * here: the IOMMU core calls iommufd_fault_iopf_handler() with a complete
 * fault group, which is queued on the object's deliver list. read() turns
 * each queued group into struct iommu_hwpt_pgfault records that share one
 * cookie and parks the group in the response table under that cookie;
 * write() of a struct iommu_hwpt_page_response with the cookie answers the
 * device and frees the group. Groups are moved only whole.
 *
 * A group that userspace can no longer answer - its HWPT was detached from
 * the device, or the fault object is destroyed - is answered as failed by
 * the kernel, so the device never waits forever.
 *
 * Lifetime: the fd holds a users reference on the object and a reference on
 * the context; each HWPT using the queue holds a users reference too.
 *
 * Locks: fault->mutex serialises read(), write() and the kernel's automatic
 * responses, and protects the response table; fault->lock (a spinlock, taken
 * inside fault->mutex) protects the deliver list, which the IOPF handler
 * appends to.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-priv.h"
#include "iommufd_private.h"

static_assert((int)IOMMUFD_PAGE_RESP_SUCCESS == (int)IOMMU_PAGE_RESP_SUCCESS);
static_assert((int)IOMMUFD_PAGE_RESP_INVALID == (int)IOMMU_PAGE_RESP_INVALID);

/**
 * iommufd_fault_iopf_enable() - Turn on page requests for a device
 * @idev: the device
 *
 * Counted: each attachment to a HWPT with a fault queue enables once.
 *
 * Context: Process context; takes idev->iopf_lock.
 * Return: 0 or a negative errno; -EINVAL for a PCI VF, whose PRI is shared
 * with its PF and cannot be answered on its own.
 */
int iommufd_fault_iopf_enable(struct iommufd_device *idev)
{
	struct device *dev = idev->dev;
	int rc = 0;

	if (dev_is_pci(dev) && to_pci_dev(dev)->is_virtfn)
		return -EINVAL;

	mutex_lock(&idev->iopf_lock);
	if (!idev->iopf_enabled)
		rc = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	if (!rc)
		idev->iopf_enabled++;
	mutex_unlock(&idev->iopf_lock);
	return rc;
}

/**
 * iommufd_fault_iopf_disable() - Undo iommufd_fault_iopf_enable()
 * @idev: the device
 *
 * Context: Process context; takes idev->iopf_lock.
 */
void iommufd_fault_iopf_disable(struct iommufd_device *idev)
{
	mutex_lock(&idev->iopf_lock);
	if (!WARN_ON(!idev->iopf_enabled) && !--idev->iopf_enabled)
		iommu_dev_disable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
	mutex_unlock(&idev->iopf_lock);
}

static void iommufd_fault_fail_group(struct iopf_group *group)
{
	iopf_group_response(group, IOMMU_PAGE_RESP_INVALID);
	iopf_free_group(group);
}

/**
 * iommufd_auto_response_faults() - Fail the faults raised through a handle
 * @hwpt: the HWPT the handle attached, which has a fault queue
 * @handle: the attachment being removed
 *
 * Called once the attachment is gone, so no new group can name @handle.
 * Both the unread and the read but unanswered groups are failed.
 *
 * Context: Process context; takes the fault queue's locks.
 */
void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_attach_handle *handle)
{
	struct iommufd_fault *fault = hwpt->fault;
	struct iopf_group *group, *next;
	unsigned long index;
	LIST_HEAD(stale);

	mutex_lock(&fault->mutex);
	spin_lock(&fault->lock);
	list_for_each_entry_safe(group, next, &fault->deliver, node)
		if (group->attach_handle == &handle->handle)
			list_move_tail(&group->node, &stale);
	spin_unlock(&fault->lock);

	list_for_each_entry_safe(group, next, &stale, node) {
		list_del(&group->node);
		iommufd_fault_fail_group(group);
	}

	xa_for_each(&fault->response, index, group) {
		if (group->attach_handle != &handle->handle)
			continue;
		xa_erase(&fault->response, index);
		iommufd_fault_fail_group(group);
	}
	mutex_unlock(&fault->mutex);
}

/**
 * iommufd_fault_destroy() - Object hook of a fault queue
 * @obj: the fault object
 *
 * Nothing references the object any more: every HWPT using it and its fd
 * are gone. Whatever is still queued is answered as failed.
 */
void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, obj);
	struct iopf_group *group, *next;
	unsigned long index;

	list_for_each_entry_safe(group, next, &fault->deliver, node) {
		list_del(&group->node);
		iommufd_fault_fail_group(group);
	}
	xa_for_each(&fault->response, index, group) {
		xa_erase(&fault->response, index);
		iommufd_fault_fail_group(group);
	}
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
}

static void iommufd_fault_queue(struct iommufd_fault *fault,
				struct iopf_group *group)
{
	spin_lock(&fault->lock);
	list_add_tail(&group->node, &fault->deliver);
	spin_unlock(&fault->lock);
	wake_up_interruptible(&fault->wait_queue);
}

static struct iopf_group *iommufd_fault_pop(struct iommufd_fault *fault)
{
	struct iopf_group *group;

	spin_lock(&fault->lock);
	group = list_first_entry_or_null(&fault->deliver, struct iopf_group,
					 node);
	if (group)
		list_del(&group->node);
	spin_unlock(&fault->lock);
	return group;
}

/* Put a group back at the head, keeping the delivery order */
static void iommufd_fault_push_back(struct iommufd_fault *fault,
				    struct iopf_group *group)
{
	spin_lock(&fault->lock);
	list_add(&group->node, &fault->deliver);
	spin_unlock(&fault->lock);
}

static int iommufd_fault_copy_group(struct iopf_group *group,
				    char __user *buf)
{
	struct iommufd_attach_handle *handle =
		to_iommufd_handle(group->attach_handle);
	struct iommu_hwpt_pgfault rec = {};
	struct iopf_fault *iopf;

	list_for_each_entry(iopf, &group->faults, list) {
		const struct iommu_fault_page_request *prm = &iopf->fault.prm;

		rec.flags = prm->flags;
		rec.dev_id = READ_ONCE(handle->idev)->obj.id;
		rec.pasid = prm->pasid;
		rec.grpid = prm->grpid;
		rec.perm = prm->perm;
		rec.addr = prm->addr;
		rec.length = 0;
		rec.cookie = group->cookie;
		if (copy_to_user(buf, &rec, sizeof(rec)))
			return -EFAULT;
		buf += sizeof(rec);
	}
	return 0;
}

/* Give @group a cookie and copy its records out; undone on failure */
static int iommufd_fault_deliver(struct iommufd_fault *fault,
				 struct iopf_group *group, char __user *buf)
{
	u32 cookie;
	int rc;

	rc = xa_alloc(&fault->response, &cookie, group, xa_limit_32b,
		      GFP_KERNEL);
	if (rc)
		return rc;
	group->cookie = cookie;
	rc = iommufd_fault_copy_group(group, buf);
	if (rc)
		xa_erase(&fault->response, cookie);
	return rc;
}

static ssize_t iommufd_fault_fops_read(struct file *filep, char __user *buf,
				       size_t count, loff_t *ppos)
{
	const size_t rec_size = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = filep->private_data;
	struct iopf_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % rec_size)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	for (;;) {
		size_t need;

		group = iommufd_fault_pop(fault);
		if (!group)
			break;
		need = group->fault_count * rec_size;
		/* A group that does not fit ends the read; none fitting is -EINVAL */
		rc = need <= count - done ? 0 : -EINVAL;
		if (!rc)
			rc = iommufd_fault_deliver(fault, group, buf + done);
		if (rc) {
			iommufd_fault_push_back(fault, group);
			break;
		}
		done += need;
	}
	mutex_unlock(&fault->mutex);

	return done ? done : rc;
}

static ssize_t iommufd_fault_fops_write(struct file *filep,
					const char __user *buf, size_t count,
					loff_t *ppos)
{
	const size_t resp_size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_fault *fault = filep->private_data;
	struct iommu_hwpt_page_response resp;
	struct iopf_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % resp_size)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	for (; done < count; done += resp_size) {
		if (copy_from_user(&resp, buf + done, resp_size)) {
			rc = -EFAULT;
			break;
		}
		/* An unknown code or cookie ends the batch */
		group = NULL;
		if (resp.code == IOMMUFD_PAGE_RESP_SUCCESS ||
		    resp.code == IOMMUFD_PAGE_RESP_INVALID)
			group = xa_erase(&fault->response, resp.cookie);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		iopf_group_response(group, resp.code);
		iopf_free_group(group);
	}
	mutex_unlock(&fault->mutex);

	return done ? done : rc;
}

static __poll_t iommufd_fault_fops_poll(struct file *filep,
					struct poll_table_struct *wait)
{
	struct iommufd_fault *fault = filep->private_data;
	__poll_t mask = EPOLLOUT;

	poll_wait(filep, &fault->wait_queue, wait);
	spin_lock(&fault->lock);
	if (!list_empty(&fault->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&fault->lock);
	return mask;
}

static int iommufd_fault_fops_release(struct inode *inode, struct file *filep)
{
	struct iommufd_fault *fault = filep->private_data;
	struct iommufd_ctx *ictx;

	/*
	 * balances the references taken in iommufd_fault_alloc(); the context
	 * pointer is read first, as the object may go away with our reference
	 */
	ictx = fault->ictx;
	refcount_dec(&fault->obj.users);
	iommufd_ctx_put(ictx);
	return 0;
}

static const struct file_operations iommufd_fault_fops = {
	.read = iommufd_fault_fops_read,
	.write = iommufd_fault_fops_write,
	.poll = iommufd_fault_fops_poll,
	.open = nonseekable_open,
	.release = iommufd_fault_fops_release,
	.owner = THIS_MODULE,
};

static void iommufd_fault_init(struct iommufd_fault *fault,
			       struct iommufd_ctx *ictx)
{
	fault->ictx = ictx;
	spin_lock_init(&fault->lock);
	INIT_LIST_HEAD(&fault->deliver);
	mutex_init(&fault->mutex);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&fault->wait_queue);
}

/**
 * iommufd_fault_alloc() - Handler of IOMMU_FAULT_QUEUE_ALLOC
 * @ucmd: the command
 *
 * The file is created after every other step that can fail, so that an
 * error never has to release a file whose release would touch the object.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	struct file *filep;
	int fdno, rc;

	/* No flags are defined */
	if (cmd->flags)
		return -EOPNOTSUPP;

	fault = iommufd_object_alloc(ucmd->ictx, fault, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	iommufd_fault_init(fault, ucmd->ictx);

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto err_abort;
	}

	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_put_fd;

	filep = anon_inode_getfile("[iommufd-pgfault]", &iommufd_fault_fops,
				   fault, O_RDWR);
	if (IS_ERR(filep)) {
		rc = PTR_ERR(filep);
		goto err_put_fd;
	}
	fault->filep = filep;
	/* The file's references, dropped by its release */
	refcount_inc(&fault->obj.users);
	iommufd_ctx_get(fault->ictx);

	iommufd_object_finalize(ucmd->ictx, &fault->obj);
	fd_install(fdno, filep);
	return 0;

err_put_fd:
	put_unused_fd(fdno);
err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &fault->obj);
	return rc;
}

/**
 * iommufd_fault_iopf_handler() - iommu_domain::iopf_handler of fault HWPTs
 * @group: a complete fault group raised through an iommufd attach handle
 *
 * Takes ownership of @group; it is answered by userspace or automatically.
 *
 * Context: Called by the IOMMU core's fault reporting; does not sleep
 * beyond the core's own fault lock.
 * Return: 0.
 */
int iommufd_fault_iopf_handler(struct iopf_group *group)
{
	struct iommufd_hw_pagetable *hwpt =
		group->attach_handle->domain->fault_data;
	struct iommufd_fault *fault = hwpt->fault;

	/* Ours now: device removal must not answer it behind our back */
	iopf_group_dequeue(group);
	iommufd_fault_queue(fault, group);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* vEVENTQ: vIOMMU events handed to userspace through an fd                 */
/* ------------------------------------------------------------------------ */

/*
 * Drivers queue events with iommufd_viommu_report_event() (driver.c). read()
 * copies whole entries from the head: an 8-byte struct iommufd_vevent_header
 * followed by the driver's payload, or the header alone for the lost-events
 * marker. Like the fault queue's, the fd holds a users reference on the
 * object and a reference on the context.
 */

/**
 * iommufd_veventq_destroy() - Object hook of a vEVENTQ
 * @obj: the vEVENTQ
 *
 * The fd is closed. Unread events are dropped; the marker is embedded.
 */
void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *veventq =
		container_of(obj, struct iommufd_veventq, obj);
	struct iommufd_viommu *viommu = veventq->viommu;
	struct iommufd_vevent *vevent, *next;

	/* No new report can find the queue once it is off the list */
	down_write(&viommu->veventqs_rwsem);
	list_del(&veventq->node);
	up_write(&viommu->veventqs_rwsem);

	list_for_each_entry_safe(vevent, next, &veventq->deliver, node) {
		list_del(&vevent->node);
		if (vevent != &veventq->lost)
			kfree(vevent);
	}
	mutex_destroy(&veventq->read_mutex);
	/* balances refcount_inc() in iommufd_veventq_alloc() */
	refcount_dec(&viommu->obj.users);
}

/*
 * Take the head entry off the queue if all of it fits in @room bytes, with
 * a copy of its header taken under the lock (the marker's may change as
 * soon as the lock is dropped).
 */
static struct iommufd_vevent *
iommufd_veventq_pop(struct iommufd_veventq *veventq, size_t room,
		    struct iommufd_vevent_header *hdr)
{
	struct iommufd_vevent *vevent;

	spin_lock(&veventq->lock);
	vevent = list_first_entry_or_null(&veventq->deliver,
					  struct iommufd_vevent, node);
	if (vevent && sizeof(*hdr) + vevent->data_len > room)
		vevent = NULL;
	if (vevent) {
		list_del_init(&vevent->node);
		if (vevent != &veventq->lost)
			veventq->num_events--;
		*hdr = vevent->header;
	}
	spin_unlock(&veventq->lock);
	return vevent;
}

/* Give back an entry whose copy to user space failed */
static void iommufd_veventq_push_back(struct iommufd_veventq *veventq,
				      struct iommufd_vevent *vevent)
{
	spin_lock(&veventq->lock);
	if (vevent != &veventq->lost) {
		list_add(&vevent->node, &veventq->deliver);
		veventq->num_events++;
	} else if (list_empty(&vevent->node)) {
		/* A report may have queued the marker again meanwhile */
		list_add(&vevent->node, &veventq->deliver);
	}
	spin_unlock(&veventq->lock);
}

static ssize_t iommufd_veventq_fops_read(struct file *filep, char __user *buf,
					 size_t count, loff_t *ppos)
{
	struct iommufd_veventq *veventq = filep->private_data;
	struct iommufd_vevent_header hdr;
	struct iommufd_vevent *vevent;
	size_t done = 0;
	int rc = 0;

	if (*ppos)
		return -ESPIPE;

	mutex_lock(&veventq->read_mutex);
	while ((vevent = iommufd_veventq_pop(veventq, count - done, &hdr))) {
		if (copy_to_user(buf + done, &hdr, sizeof(hdr)) ||
		    copy_to_user(buf + done + sizeof(hdr), vevent->event_data,
				 vevent->data_len)) {
			iommufd_veventq_push_back(veventq, vevent);
			rc = -EFAULT;
			break;
		}
		done += sizeof(hdr) + vevent->data_len;
		if (vevent != &veventq->lost)
			kfree(vevent);
	}
	mutex_unlock(&veventq->read_mutex);

	return done ? done : rc;
}

static __poll_t iommufd_veventq_fops_poll(struct file *filep,
					  struct poll_table_struct *wait)
{
	struct iommufd_veventq *veventq = filep->private_data;
	__poll_t mask = 0;

	poll_wait(filep, &veventq->wait_queue, wait);
	spin_lock(&veventq->lock);
	if (!list_empty(&veventq->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&veventq->lock);
	return mask;
}

static int iommufd_veventq_fops_release(struct inode *inode,
					struct file *filep)
{
	struct iommufd_veventq *veventq = filep->private_data;
	struct iommufd_ctx *ictx = veventq->ictx;

	/* balances the references taken in iommufd_veventq_alloc() */
	refcount_dec(&veventq->obj.users);
	iommufd_ctx_put(ictx);
	return 0;
}

static const struct file_operations iommufd_veventq_fops = {
	.owner = THIS_MODULE,
	.read = iommufd_veventq_fops_read,
	.poll = iommufd_veventq_fops_poll,
	.release = iommufd_veventq_fops_release,
};

static bool iommufd_viommu_has_veventq(struct iommufd_viommu *viommu,
				       enum iommu_veventq_type type)
{
	struct iommufd_veventq *veventq;

	lockdep_assert_held(&viommu->veventqs_rwsem);

	list_for_each_entry(veventq, &viommu->veventqs, node)
		if (veventq->type == type)
			return true;
	return false;
}

/**
 * iommufd_veventq_alloc() - Handler of IOMMU_VEVENTQ_ALLOC
 * @ucmd: the command
 *
 * The type is not checked against the driver: a type it never reports
 * simply stays silent. As for fault queues, the file is created after every
 * step that can fail, and the fd is installed last.
 *
 * Return: 0 or a negative errno: -EOPNOTSUPP for flags, a reserved field or
 * type 0, -EINVAL for a zero depth, -ENOENT for a bad vIOMMU, -EEXIST if
 * the vIOMMU already has a queue of the type.
 */
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_veventq *veventq;
	struct iommufd_viommu *viommu;
	struct file *filep;
	int fdno, rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth)
		return -EINVAL;

	viommu = iommufd_get_viommu(ucmd, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);

	down_write(&viommu->veventqs_rwsem);
	if (iommufd_viommu_has_veventq(viommu, cmd->type)) {
		rc = -EEXIST;
		goto out_unlock;
	}

	veventq = iommufd_object_alloc(ucmd->ictx, veventq,
				       IOMMUFD_OBJ_VEVENTQ);
	if (IS_ERR(veventq)) {
		rc = PTR_ERR(veventq);
		goto out_unlock;
	}
	veventq->ictx = ucmd->ictx;
	veventq->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	veventq->type = cmd->type;
	veventq->depth = cmd->veventq_depth;
	spin_lock_init(&veventq->lock);
	INIT_LIST_HEAD(&veventq->deliver);
	mutex_init(&veventq->read_mutex);
	init_waitqueue_head(&veventq->wait_queue);
	INIT_LIST_HEAD(&veventq->lost.node);
	veventq->lost.header.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
	list_add_tail(&veventq->node, &viommu->veventqs);

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto err_abort;
	}

	cmd->out_veventq_id = veventq->obj.id;
	cmd->out_veventq_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_put_fd;

	filep = anon_inode_getfile("[iommufd-vevent]", &iommufd_veventq_fops,
				   veventq, O_RDONLY);
	if (IS_ERR(filep)) {
		rc = PTR_ERR(filep);
		goto err_put_fd;
	}
	/* The file's references, dropped by its release */
	refcount_inc(&veventq->obj.users);
	iommufd_ctx_get(veventq->ictx);

	iommufd_object_finalize(ucmd->ictx, &veventq->obj);
	fd_install(fdno, filep);
	up_write(&viommu->veventqs_rwsem);
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return 0;

err_put_fd:
	put_unused_fd(fdno);
err_abort:
	/* The destroy hook takes the list lock itself */
	up_write(&viommu->veventqs_rwsem);
	iommufd_object_abort_and_destroy(ucmd->ictx, &veventq->obj);
	goto out_put;
out_unlock:
	up_write(&viommu->veventqs_rwsem);
out_put:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}
