/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel interface of iommufd.
 *
 * Used by VFIO to bind devices and emulated (mdev style) accesses to an
 * iommufd context, and by IOMMU drivers that implement vIOMMU support.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

struct device;
struct file;
struct iommu_device;
struct iommu_domain;
struct iommu_group;
struct iommu_user_data;
struct iommu_user_data_array;
struct page;

/* Objects handed out to other kernel subsystems; opaque to them */
struct iommufd_ctx;
struct iommufd_device;
struct iommufd_access;

struct iommufd_hwpt_paging;

/*
 * Object types. The order matters only to main.c's ops table; new types are
 * appended before IOMMUFD_OBJ_MAX.
 */
enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	/* Lookups that accept any type pass this */
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	/* Address spaces and what they are mapped through */
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	/* Users of the address spaces */
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_ACCESS,
	/* Event queues */
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VEVENTQ,
	/* The virtual IOMMU family */
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_HW_QUEUE,
#ifdef CONFIG_IOMMUFD_TEST
	IOMMUFD_OBJ_SELFTEST,
#endif
#if IS_ENABLED(CONFIG_IOMMUFD_KUNIT_TEST)
	/* Objects created only by tests/main_kunit.c */
	IOMMUFD_OBJ_KUNIT,
#endif
	IOMMUFD_OBJ_MAX,
};

/**
 * struct iommufd_object - header of every object in an iommufd context
 * @wait_cnt: short-term references. The table holds one while the object is
 *	published; every lookup takes one more for the duration of an ioctl.
 *	Destruction waits (bounded) for it to drop to zero.
 * @users: long-term references: the table's own, plus one per edge of the
 *	object graph (a device attached to a HWPT, a HWPT on its IOAS, ...).
 *	IOMMU_DESTROY refuses with EBUSY unless it is exactly 1.
 * @type: enum iommufd_object_type
 * @id: the ID userspace sees, never 0
 *
 * Lives here rather than in the private header because IOMMU drivers embed
 * the vIOMMU family objects, which start with it, in their own structures.
 */
struct iommufd_object {
	unsigned int id;
	enum iommufd_object_type type;
	refcount_t users;
	refcount_t wait_cnt;
};

/**
 * struct iommufd_access_ops - callbacks of an iommufd access user
 * @needs_pin_pages: the user calls iommufd_access_pin_pages(); such an access
 *                   must also provide @unmap
 * @unmap: called when user space unmaps an IOVA range of the attached IOAS;
 *         the user must stop using, and unpin, every page it holds in
 *         [iova, iova + length) before returning
 */
struct iommufd_access_ops {
	u8 needs_pin_pages : 1;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

/**
 * enum iommufd_access_rw_flags - flags for iommufd_access_rw()
 * @IOMMUFD_ACCESS_RW_READ: copy from the IOVA range into the kernel buffer
 * @IOMMUFD_ACCESS_RW_WRITE: copy from the kernel buffer into the IOVA range
 * @IOMMUFD_ACCESS_RW_KTHREAD: the caller is a kernel thread; user memory is
 *                             reached by temporarily adopting the owner's mm
 * @__IOMMUFD_ACCESS_RW_SLOW_PATH: force the page pinning path; test use only
 */
enum iommufd_access_rw_flags {
	IOMMUFD_ACCESS_RW_READ = 0,
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
	IOMMUFD_ACCESS_RW_KTHREAD = 1 << 1,
	__IOMMUFD_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* Devices that DMA through an IOAS or HWPT (VFIO physical devices) */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id);
u32 iommufd_device_to_id(struct iommufd_device *idev);
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);
void iommufd_device_unbind(struct iommufd_device *idev);

/* CPU users of an IOAS (emulated devices, VFIO mdev) */
struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id);
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id);
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_detach(struct iommufd_access *access);
void iommufd_access_destroy(struct iommufd_access *access);

void iommufd_ctx_get(struct iommufd_ctx *ictx);

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group);

int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id);
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx);
int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx);

int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t len, unsigned int flags);
#else /* !CONFIG_IOMMUFD */
static inline struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
}

static inline bool iommufd_ctx_has_group(struct iommufd_ctx *ictx,
					 struct iommu_group *group)
{
	return false;
}

static inline int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx,
						  u32 *out_ioas_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_access_pin_pages(struct iommufd_access *access,
					   unsigned long iova,
					   unsigned long length,
					   struct page **out_pages,
					   unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_access_unpin_pages(struct iommufd_access *access,
					      unsigned long iova,
					      unsigned long length)
{
}

static inline int iommufd_access_rw(struct iommufd_access *access,
				    unsigned long iova, void *data, size_t len,
				    unsigned int flags)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_IOMMUFD */

/*
 * Interface for IOMMU drivers implementing vIOMMU objects. Built into the
 * kernel (or the iommufd driver core module) when CONFIG_IOMMUFD_DRIVER_CORE
 * is enabled; the stubs below keep drivers building otherwise.
 */

/**
 * struct iommufd_viommu - a slice of one physical IOMMU given to a VM
 * @obj: the object header
 * @ictx: the context the vIOMMU lives in
 * @iommu_dev: the physical IOMMU instance behind the vIOMMU
 * @hwpt: the nesting parent HWPT (stage 2), referenced by the vIOMMU
 * @ops: the driver's operations, set by iommu_ops::viommu_init
 * @vdevs: virtual device ID -> struct iommufd_vdevice; drivers look entries
 *	up with iommufd_viommu_find_dev() under the xarray's lock
 * @veventqs: the event queues of the vIOMMU, struct iommufd_veventq
 * @veventqs_rwsem: protects @veventqs; write side to add or remove a queue
 * @type: enum iommu_viommu_type
 *
 * A driver allocates nothing itself: iommufd allocates the size returned by
 * iommu_ops::get_viommu_size, a driver structure with this one at offset 0
 * (see VIOMMU_STRUCT_SIZE()).
 */
struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommu_device *iommu_dev;
	struct iommufd_hwpt_paging *hwpt;
	const struct iommufd_viommu_ops *ops;
	struct xarray vdevs;
	struct list_head veventqs;
	struct rw_semaphore veventqs_rwsem;
	enum iommu_viommu_type type;
};

/**
 * struct iommufd_vdevice - the virtual identity of a device on a vIOMMU
 * @obj: the object header
 * @viommu: the vIOMMU, referenced by the vDEVICE
 * @idev: the physical device; the vDEVICE holds its wait_cnt
 * @virt_id: the ID the guest uses for the device (vSID, vRID, ...)
 * @destroy: optional driver undo of iommufd_viommu_ops::vdevice_init; set by
 *	the driver once it has something to undo, so that an allocation that
 *	fails after that point is undone too
 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	u64 virt_id;
	void (*destroy)(struct iommufd_vdevice *vdev);
};

/**
 * struct iommufd_hw_queue - a guest queue read directly by the hardware
 * @obj: the object header
 * @viommu: the vIOMMU, referenced by the queue
 * @access: internal access pinning the guest memory of the queue
 * @base_addr: guest physical (nesting parent IOVA) base of the queue
 * @length: length of the queue in bytes
 * @type: enum iommu_hw_queue_type
 * @destroy: optional driver undo of hw_queue_init_phys; set by the driver
 */
struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_access *access;
	u64 base_addr;
	size_t length;
	enum iommu_hw_queue_type type;
	void (*destroy)(struct iommufd_hw_queue *hw_queue);
};

/**
 * struct iommufd_viommu_ops - operations of a driver's vIOMMU
 * @destroy: release the driver's state, including its mmap regions; the core
 *	frees the structure afterwards
 * @alloc_domain_nested: allocate an IOMMU_DOMAIN_NESTED domain on the vIOMMU
 *	from the user data of IOMMU_HWPT_ALLOC
 * @cache_invalidate: flush vIOMMU-wide caches (device caches, ATC, ...) as
 *	the user array asks; set @array->entry_num to the number of entries
 *	handled before returning
 * @vdevice_size: size of the driver's vDEVICE structure, 0 for the core's
 *	(see VDEVICE_STRUCT_SIZE()); needs @vdevice_init
 * @vdevice_init: initialise the driver part of a vDEVICE
 * @get_hw_queue_size: size of the driver's HW queue structure for a queue
 *	type, 0 if not supported (see HW_QUEUE_STRUCT_SIZE())
 * @hw_queue_init_phys: initialise a HW queue whose guest memory the core has
 *	pinned; @base_addr_pa is its physically contiguous host address
 */
struct iommufd_viommu_ops {
	void (*destroy)(struct iommufd_viommu *viommu);
	struct iommu_domain *(*alloc_domain_nested)
		(struct iommufd_viommu *viommu, u32 flags,
		 const struct iommu_user_data *user_data);
	int (*cache_invalidate)(struct iommufd_viommu *viommu,
				struct iommu_user_data_array *array);
	const size_t vdevice_size;
	int (*vdevice_init)(struct iommufd_vdevice *vdev);
	size_t (*get_hw_queue_size)(struct iommufd_viommu *viommu,
				    enum iommu_hw_queue_type queue_type);
	int (*hw_queue_init_phys)(struct iommufd_hw_queue *hw_queue, u32 index,
				  phys_addr_t base_addr_pa);
};

/*
 * Sizes for iommu_ops::get_viommu_size and friends. They also check at build
 * time that the core structure sits at offset 0 of the driver's; the member
 * types are checked where drivers hand the core structure to the helpers.
 */
#define VIOMMU_STRUCT_SIZE(drv_struct, member) \
	(sizeof(drv_struct) + BUILD_BUG_ON_ZERO(offsetof(drv_struct, member)))
#define VDEVICE_STRUCT_SIZE(drv_struct, member) \
	(sizeof(drv_struct) + BUILD_BUG_ON_ZERO(offsetof(drv_struct, member)))
#define HW_QUEUE_STRUCT_SIZE(drv_struct, member) \
	(sizeof(drv_struct) + BUILD_BUG_ON_ZERO(offsetof(drv_struct, member)))

#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER_CORE)
int _iommufd_object_depend(struct iommufd_object *obj_dependent,
			   struct iommufd_object *obj_depended);
void _iommufd_object_undepend(struct iommufd_object *obj_dependent,
			      struct iommufd_object *obj_depended);
int _iommufd_alloc_mmap(struct iommufd_ctx *ictx, struct iommufd_object *owner,
			phys_addr_t mmio_addr, size_t length,
			unsigned long *offset);
void _iommufd_destroy_mmap(struct iommufd_ctx *ictx,
			   struct iommufd_object *owner, unsigned long offset);
struct device *iommufd_vdevice_to_device(struct iommufd_vdevice *vdev);
struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
				       unsigned long vdev_id);
int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu,
			       struct device *dev, unsigned long *vdev_id);
int iommufd_viommu_report_event(struct iommufd_viommu *viommu,
				enum iommu_veventq_type type, void *event_data,
				size_t data_len);
#else /* !CONFIG_IOMMUFD_DRIVER_CORE */
static inline int _iommufd_object_depend(struct iommufd_object *obj_dependent,
					 struct iommufd_object *obj_depended)
{
	return -EOPNOTSUPP;
}

static inline void
_iommufd_object_undepend(struct iommufd_object *obj_dependent,
			 struct iommufd_object *obj_depended)
{
}

static inline int _iommufd_alloc_mmap(struct iommufd_ctx *ictx,
				      struct iommufd_object *owner,
				      phys_addr_t mmio_addr, size_t length,
				      unsigned long *offset)
{
	return -EOPNOTSUPP;
}

static inline void _iommufd_destroy_mmap(struct iommufd_ctx *ictx,
					 struct iommufd_object *owner,
					 unsigned long offset)
{
}

static inline struct device *
iommufd_vdevice_to_device(struct iommufd_vdevice *vdev)
{
	return NULL;
}

static inline struct device *
iommufd_viommu_find_dev(struct iommufd_viommu *viommu, unsigned long vdev_id)
{
	return NULL;
}

static inline int iommufd_viommu_get_vdev_id(struct iommufd_viommu *viommu,
					     struct device *dev,
					     unsigned long *vdev_id)
{
	return -ENOENT;
}

static inline int iommufd_viommu_report_event(struct iommufd_viommu *viommu,
					      enum iommu_veventq_type type,
					      void *event_data, size_t data_len)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_IOMMUFD_DRIVER_CORE */

/**
 * iommufd_hw_queue_depend() - Keep a sibling HW queue from going first
 * @dependent: the queue being initialised (in hw_queue_init_phys)
 * @depended: a queue of the same vIOMMU that @dependent needs
 *
 * Until iommufd_hw_queue_undepend(), normally in @dependent's destroy
 * callback, destroying @depended fails with EBUSY.
 *
 * Return: 0, or -EINVAL for queues of different vIOMMUs.
 */
static inline int iommufd_hw_queue_depend(struct iommufd_hw_queue *dependent,
					  struct iommufd_hw_queue *depended)
{
	if (dependent->viommu != depended->viommu)
		return -EINVAL;
	return _iommufd_object_depend(&dependent->obj, &depended->obj);
}

/**
 * iommufd_hw_queue_undepend() - Undo iommufd_hw_queue_depend()
 * @dependent: the queue that needed @depended
 * @depended: the queue it needed
 */
static inline void iommufd_hw_queue_undepend(struct iommufd_hw_queue *dependent,
					     struct iommufd_hw_queue *depended)
{
	if (WARN_ON(dependent->viommu != depended->viommu))
		return;
	_iommufd_object_undepend(&dependent->obj, &depended->obj);
}

/**
 * iommufd_viommu_alloc_mmap() - Register an MMIO range owned by a vIOMMU
 * @viommu: the vIOMMU, typically in its viommu_init
 * @mmio_addr: physical address, page aligned
 * @length: bytes, page aligned
 * @offset: output, the offset to report to user space for mmap()
 *
 * Return: 0 or a negative errno, see _iommufd_alloc_mmap().
 */
static inline int iommufd_viommu_alloc_mmap(struct iommufd_viommu *viommu,
					    phys_addr_t mmio_addr,
					    size_t length,
					    unsigned long *offset)
{
	return _iommufd_alloc_mmap(viommu->ictx, &viommu->obj, mmio_addr,
				   length, offset);
}

/**
 * iommufd_viommu_destroy_mmap() - Undo iommufd_viommu_alloc_mmap()
 * @viommu: the vIOMMU, typically in its destroy op
 * @offset: the offset iommufd_viommu_alloc_mmap() returned
 */
static inline void iommufd_viommu_destroy_mmap(struct iommufd_viommu *viommu,
					       unsigned long offset)
{
	_iommufd_destroy_mmap(viommu->ictx, &viommu->obj, offset);
}

#endif /* __LINUX_IOMMUFD_H */
