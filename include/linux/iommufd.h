/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel interface of iommufd.
 *
 * Used by VFIO to bind devices and emulated (mdev style) accesses to an
 * iommufd context, and by IOMMU drivers that implement vIOMMU support.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/err.h>
#include <linux/errno.h>
#include <linux/types.h>

struct device;
struct file;
struct iommu_group;
struct page;

/* Objects handed out to other kernel subsystems; opaque to them */
struct iommufd_ctx;
struct iommufd_device;
struct iommufd_access;

/* Objects shared with IOMMU drivers that implement vIOMMU support */
struct iommufd_viommu;
struct iommufd_hw_queue;
struct iommufd_vdevice;

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);

int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);

struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev);
u32 iommufd_device_to_id(struct iommufd_device *idev);

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

struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id);
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_detach(struct iommufd_access *access);

void iommufd_ctx_get(struct iommufd_ctx *ictx);

#if IS_ENABLED(CONFIG_IOMMUFD)
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group);

int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t len, unsigned int flags);
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id);
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx);
int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx);
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
#endif /* CONFIG_IOMMUFD */

/*
 * Interface for IOMMU drivers implementing vIOMMU objects. Built into the
 * kernel (or the iommufd driver core module) when CONFIG_IOMMUFD_DRIVER_CORE
 * is enabled; the stubs below keep drivers building otherwise.
 */
#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER_CORE)
/* Driver-facing helpers are declared here. */
#else /* !CONFIG_IOMMUFD_DRIVER_CORE */
/* Stubs of the driver-facing helpers go here. */
#endif /* CONFIG_IOMMUFD_DRIVER_CORE */

#endif /* __LINUX_IOMMUFD_H */
