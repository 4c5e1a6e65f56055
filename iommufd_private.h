/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared declarations of the iommufd core.
 *
 * Every object userspace can name lives in the per-context object table
 * (struct iommufd_ctx::objects) and starts with a struct iommufd_object.
 * The files of this directory split the work as follows:
 *
 *   main.c         the /dev/iommu file, the object table, the ioctl table
 *   ioas.c         IOAS object and the IOMMU_IOAS_* handlers
 *   io_pagetable.c the IOVA space of one IOAS (areas, allowed, reserved)
 *   pages.c        pinned memory behind areas, accounting, domain filling
 *   device.c       devices, groups, attach/replace, access objects
 *   hw_pagetable.c HWPT objects (paging and nested), dirty tracking
 *   vfio_compat.c  the legacy VFIO container API translated to iopt calls
 *   selftest.c     the mock IOMMU driver behind IOMMU_TEST_CMD
 *
 * Only io_pagetable.c and pages.c include io_pagetable.h; everybody else
 * reaches the IOVA space through the iopt_*() functions declared here.
 *
 * Interval convention used everywhere: @last is inclusive, so a range
 * covering the whole 64-bit space is [0, ULONG_MAX] and its length does not
 * fit in an unsigned long. Lengths are in bytes unless a name says otherwise.
 */
#ifndef __IOMMUFD_PRIVATE_H
#define __IOMMUFD_PRIVATE_H

#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/iova_bitmap.h>
#include <linux/maple_tree.h>
#include <linux/rwsem.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

struct dma_buf;
struct iommu_option;
struct iommufd_device;

/*
 * struct iommufd_ctx - state of one open /dev/iommu file
 * @objects: ID -> struct iommufd_object, allocated from 1 (XA_FLAGS_ALLOC1)
 * @destroy_wait: woken whenever an object's wait_cnt drops
 * @vfio_ioas: IOAS used by the VFIO compat layer, protected by the
 *	@objects xarray lock
 * @account_mode: IOPT_PAGES_ACCOUNT_* applied to new pinned memory
 * @no_iommu_mode: the compat layer serves VFIO_NOIOMMU_IOMMU
 * @ioas_creation_lock: write side held by IOAS_CHANGE_PROCESS so that no
 *	IOAS appears while every IOAS is locked
 * @groups: iommu_group id -> struct iommufd_group, one per group in use
 * @mt_mmap: mmap offset -> struct iommufd_mmap (vIOMMU family)
 * @file: the file this context belongs to (not referenced)
 */
struct iommufd_ctx {
	struct xarray objects;
	wait_queue_head_t destroy_wait;
	struct iommufd_ioas *vfio_ioas;
	u8 account_mode;
	bool no_iommu_mode;
	struct rw_semaphore ioas_creation_lock;
	struct xarray groups;
	struct maple_tree mt_mmap;
	struct file *file;
};

/*
 * enum iommufd_object_type and struct iommufd_object are in
 * include/linux/iommufd.h, as IOMMU drivers embed objects of the vIOMMU
 * family in their own structures.
 */

/* A device iommufd owns, for kernel APIs that want one (dma-buf), main.c */
struct device *iommufd_global_device(void);

/* Object table, main.c */
struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type);

/*
 * Allocate a zeroed object of the type of *@ptr, whose first member must be
 * the struct iommufd_object called @member, and reserve an ID for it. The ID
 * reads back as "no object" until iommufd_object_finalize(). Because the
 * header is at offset 0, an ERR_PTR survives the cast unchanged.
 */
#define __iommufd_object_alloc(ictx, ptr, type, member)                     \
	((typeof(ptr))_iommufd_object_alloc(                                \
		ictx,                                                       \
		sizeof(*(typeof(ptr))NULL) +                                \
			BUILD_BUG_ON_ZERO(offsetof(typeof(*(typeof(ptr))NULL), \
						   member) != 0),           \
		type))

#define iommufd_object_alloc(ictx, ptr, type) \
	__iommufd_object_alloc(ictx, ptr, type, obj)

void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);

static inline bool iommufd_lock_obj(struct iommufd_object *obj)
{
	if (!refcount_inc_not_zero(&obj->users))
		return false;
	if (!refcount_inc_not_zero(&obj->wait_cnt)) {
		/*
		 * users != 0 implies the table still holds its wait_cnt
		 * reference, so this cannot happen.
		 */
		refcount_dec(&obj->users);
		return false;
	}
	return true;
}

/* Drop both references taken by iommufd_get_object()/iommufd_lock_obj() */
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj);

/*
 * Turn a lookup reference into a long-term one: keep the users reference,
 * give back the wait_cnt reference.
 */
static inline void iommufd_ref_to_users(struct iommufd_object *obj)
{
	refcount_dec(&obj->wait_cnt);
}

enum {
	/* Wait for wait_cnt to drain before removing the object */
	REMOVE_WAIT = BIT(0),
	/* Keep the ID reserved (tombstone) instead of freeing it */
	REMOVE_OBJ_TOMBSTONE = BIT(1),
};

int iommufd_object_remove(struct iommufd_ctx *ictx,
			  struct iommufd_object *to_destroy, u32 id,
			  unsigned int flags);

/*
 * Kernel-internal destruction of an object the caller owns (its users count
 * must be exactly 1). Both never fail in a correct kernel: only a refcount
 * bug can make the removal fail, and that WARNs. The tombstone variant keeps
 * the ID reserved so that userspace never sees it name another object.
 */
static inline void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
					       struct iommufd_object *obj)
{
	WARN_ON(iommufd_object_remove(ictx, obj, obj->id, REMOVE_WAIT));
}

static inline void iommufd_object_tombstone_user(struct iommufd_ctx *ictx,
						 struct iommufd_object *obj)
{
	const unsigned int how = REMOVE_WAIT | REMOVE_OBJ_TOMBSTONE;

	WARN_ON(iommufd_object_remove(ictx, obj, obj->id, how));
}

/*
 * Destroy the object whose users reference the caller holds through a graph
 * edge only when userspace has already dropped its own (auto domains).
 */
static inline void iommufd_object_put_and_try_destroy(struct iommufd_ctx *ictx,
						      struct iommufd_object *obj)
{
	iommufd_object_remove(ictx, obj, obj->id, 0);
}

/*
 * struct iommufd_ucmd - one ioctl in flight
 * @ictx: the context
 * @ubuffer: the user's struct
 * @user_size: the size the user gave in the struct's first u32
 * @cmd: the kernel copy, zero-extended to the kernel's struct size
 */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/*
 * struct iommufd_ioctl_op - one row of main.c's ioctl table
 * @size: size of the kernel's command structure
 * @min_size: smallest size a caller may pass: the end of the last member of
 *	the structure's first published version
 * @ioctl_num: the complete ioctl number; 0 marks an unused row
 * @execute: the handler
 */
struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

/*
 * main.c internals that tests/main_kunit.c drives directly. They are static
 * unless the KUnit suites are built in.
 */
#if IS_ENABLED(CONFIG_IOMMUFD_KUNIT_TEST)
#define IOMMUFD_KUNIT_VISIBLE
const struct iommufd_ioctl_op *iommufd_ioctl_table(unsigned int *num);
int iommufd_ucmd_load(const struct iommufd_ioctl_op *op, unsigned int cmd,
		      struct iommufd_ucmd *ucmd);
long iommufd_dispatch(struct iommufd_ctx *ictx, unsigned int cmd,
		      void __user *arg);
void iommufd_ctx_init(struct iommufd_ctx *ictx, struct file *filp);
void iommufd_ctx_destroy(struct iommufd_ctx *ictx);
/* device.c */
struct iommufd_attach_handle;
struct iommufd_device;
void iommufd_iopf_move(struct iommufd_attach_handle *handle,
		       struct iommufd_device *from, struct iommufd_device *to);
/* Type ops of IOMMUFD_OBJ_KUNIT, in tests/main_kunit.c */
void iommufd_kunit_obj_pre_destroy(struct iommufd_object *obj);
void iommufd_kunit_obj_destroy(struct iommufd_object *obj);
void iommufd_kunit_obj_abort(struct iommufd_object *obj);
#else
#define IOMMUFD_KUNIT_VISIBLE static
#endif

/* Copy @cmd_len bytes of ucmd->cmd back, truncated to the user's size */
static inline int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd,
				       size_t cmd_len)
{
	size_t len = min_t(size_t, ucmd->user_size, cmd_len);

	return copy_to_user(ucmd->ubuffer, ucmd->cmd, len) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------------ */
/* IO page table: the IOVA space of one IOAS                                */
/* ------------------------------------------------------------------------ */

/*
 * How pinned pages are charged. These are not the uAPI values: for
 * IOMMU_OPTION_RLIMIT_MODE, 0 means IOPT_PAGES_ACCOUNT_USER and 1 means
 * IOPT_PAGES_ACCOUNT_MM (ioas.c converts).
 */
enum {
	IOPT_PAGES_ACCOUNT_NONE = 0,
	IOPT_PAGES_ACCOUNT_USER = 1,
	IOPT_PAGES_ACCOUNT_MM = 2,
	IOPT_PAGES_ACCOUNT_MODE_NUM = 3,
};

/*
 * struct io_pagetable - the IOVA space of an IOAS
 *
 * Lock order: domains_rwsem, then iova_rwsem, then the per-pages mutex
 * (pages.c). The internal fields are documented in io_pagetable.h.
 */
struct io_pagetable {
	/* The IOVA side, under iova_rwsem */
	struct rw_semaphore iova_rwsem;
	struct rb_root_cached area_itree;
	/*
	 * IOVA claimed by maps that are pinning and filling their domains
	 * outside iova_rwsem (struct iopt_area): busy for new maps and
	 * reservations, invisible to everything else until published.
	 */
	struct rb_root_cached pending_itree;
	/* IOVA that can never be mapped, struct iopt_range */
	struct rb_root_cached reserved_itree;
	/* Automatic IOVA allocation stays inside these, struct iopt_range */
	struct rb_root_cached allowed_itree;
	unsigned long iova_alignment;
	u8 disable_large_pages;
	/*
	 * VFIO_IOMMU_DIRTY_PAGES started (vfio_compat.c), under the IOAS's
	 * mutex. An IOAS property kept in this hole rather than in struct
	 * iommufd_ioas, so that an IOAS still fits a 256-byte slab object.
	 */
	bool vfio_dirty_tracking;

	/* Under domains_rwsem; next to the above to fill the same word */
	unsigned int next_domain_id;

	/* The consumers, under domains_rwsem */
	struct rw_semaphore domains_rwsem;
	/* At indexes 0 .. next_domain_id - 1, without holes */
	struct xarray domains;
	struct xarray access_list;
};

/* Flags of iopt_map_user_pages() and friends */
enum {
	/* *iova is an output: choose a free, suitably aligned IOVA */
	IOPT_ALLOC_IOVA = BIT(0),
};

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);

int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot,
			unsigned int flags);
int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, struct file *file,
			unsigned long start, unsigned long length,
			int iommu_prot, unsigned int flags);
int iopt_map_dmabuf_pages(struct io_pagetable *iopt, unsigned long *iova,
			  struct dma_buf *dmabuf, unsigned long start,
			  unsigned long length, int iommu_prot,
			  unsigned int flags);
/*
 * Map [src_iova, src_iova + length) of @src again at *@dst_iova of @dst,
 * sharing the pinned pages of the source (no new pin). The source range must
 * be covered by areas without holes.
 */
int iopt_copy_range(struct iommufd_ctx *ictx, struct io_pagetable *dst,
		    unsigned long *dst_iova, struct io_pagetable *src,
		    unsigned long src_iova, unsigned long length,
		    int iommu_prot, unsigned int flags);
/*
 * Unmap the areas inside [iova, iova + length). A range holding no area at
 * all succeeds with *unmapped = 0 (IOAS_UNMAP turns that into ENOENT, the
 * VFIO compat layer reports success as type1 does); a range that would
 * split an area fails with -ENOENT.
 */
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
/*
 * Split areas so that each of @iovas[0..@num) is the last byte of an area
 * (an IOVA that is not inside an area is ignored). Used by vfio_compat.c for
 * type1 (v1) unmaps of part of a mapping; only possible when large pages are
 * disabled. -EINVAL if a cut is not PAGE_SIZE aligned.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  size_t num);

/*
 * Fill @ranges (room for @max entries) with the IOVA ranges userspace may
 * map: the holes between reserved ranges, as upstream reports them (allowed
 * ranges only steer automatic allocation, they are never reserved-overlapping
 * and are not reported). *@num gets the total number of ranges, which may
 * exceed @max. @ranges may be NULL when @max is 0.
 */
int iopt_get_iova_ranges(struct io_pagetable *iopt,
			 struct iommu_iova_range *ranges, u32 max, u32 *num);
int iopt_set_allow_iova(struct io_pagetable *iopt,
			const struct iommu_iova_range *ranges, u32 num);
unsigned long iopt_get_iova_alignment(struct io_pagetable *iopt);

/* Both take iova_rwsem themselves: call them without it */
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start,
		      unsigned long last, void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner);
int iopt_table_enforce_dev_resv_regions(struct io_pagetable *iopt,
					struct device *dev,
					phys_addr_t *sw_msi_start);

int iopt_table_add_domain(struct io_pagetable *iopt,
			  struct iommu_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain);

int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);

int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable);
int iopt_read_and_clear_dirty_data(struct io_pagetable *iopt,
				   struct iommu_domain *domain,
				   unsigned long flags,
				   struct iommu_hwpt_get_dirty_bitmap *bitmap);

/* Access objects (device.c) see the IOVA space only through these */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access);
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access, u32 iopt_access_list_id);
int iopt_access_pin_pages(struct io_pagetable *iopt,
			  struct iommufd_access *access, unsigned long iova,
			  unsigned long length, struct page **out_pages,
			  unsigned int flags);
void iopt_access_unpin_pages(struct io_pagetable *iopt,
			     struct iommufd_access *access, unsigned long iova,
			     unsigned long length);
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova, void *data,
		   size_t length, unsigned int flags);
/* Implemented in device.c, called by io_pagetable.c on unmap */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length);

/*
 * IOAS_CHANGE_PROCESS support: every IOAS of @ictx is passed locked by the
 * caller (ioas.c) in @iopts.
 *
 * Locking contract (H-core / H-iopt): ioas.c holds ictx->ioas_creation_lock
 * for write (no IOAS can be published meanwhile), a lookup reference on each
 * IOAS, and each iopt->iova_rwsem for write, taken in ID order with
 * down_write_nest_lock(..., &ictx->ioas_creation_lock). domains_rwsem is NOT
 * held and must not be taken (it orders before iova_rwsem); per-pages locks
 * below iova_rwsem may be. Returns -EINVAL with nothing changed when any
 * area is not file backed, or the charging error with every charge undone.
 */
int iopt_change_process(struct io_pagetable **iopts, unsigned int num);

/* ------------------------------------------------------------------------ */
/* IOAS                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * struct iommufd_ioas - an IO address space userspace maps memory into
 * @iopt: the IOVA space and its pinned pages
 * @mutex: protects @hwpt_list
 * @hwpt_list: auto-domain candidates, struct iommufd_hwpt_paging::hwpt_item
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	struct mutex mutex; /* protects hwpt_list */
	struct list_head hwpt_list;
};

static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx,
						    u32 id)
{
	return container_of(iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS),
			    struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
/* Publish an IOAS from iommufd_ioas_alloc(), excluded by CHANGE_PROCESS */
void iommufd_ioas_finalize(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas);
int iommufd_ioas_read_ranges(struct io_pagetable *iopt, u32 max,
			     struct iommu_iova_range **out, u32 *total);
int iommufd_ioas_call(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
		      int (*fn)(struct iommufd_ioas *ioas, void *data),
		      void *data);
void iommufd_ioas_destroy(struct iommufd_object *obj);
/* Handlers, in command number order */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd);
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd);
/* IOMMU_OPTION, split by the scope of the option */
int iommufd_option_rlimit_mode(struct iommu_option *cmd,
			       struct iommufd_ctx *ictx);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
void iommufd_vfio_compat_init(void);
void iommufd_vfio_compat_exit(void);
void iommufd_vfio_geo_changed(void);
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg);
u32 iommufd_vfio_auto_domain_flags(struct iommufd_ctx *ictx,
				   struct iommufd_ioas *ioas,
				   struct device *dev);
int iommufd_vfio_track_new_domain(struct iommufd_ioas *ioas,
				  struct iommu_domain *domain);

/* ------------------------------------------------------------------------ */
/* HW page tables                                                           */
/* ------------------------------------------------------------------------ */

/*
 * struct iommufd_hw_pagetable - common part of the HWPT objects
 * @domain: the iommu_domain this HWPT owns
 * @fault: fault queue IOPFs are delivered to, or NULL
 * @pasid_compat: may be attached to a PASID (IOMMU_HWPT_ALLOC_PASID)
 */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommu_domain *domain;
	struct iommufd_fault *fault;
	bool pasid_compat : 1;
};

/*
 * struct iommufd_hwpt_paging - a HWPT whose translation is an IOAS
 * @ioas: the IOAS mapped into @common.domain (users reference held)
 * @auto_domain: created by attaching a device to an IOAS, not by HWPT_ALLOC
 * @enforce_cache_coherency: the domain was switched to coherent-only
 * @nest_parent: may be the parent of nested HWPTs
 * @msi_cookie: iommu_get_msi_cookie() was done on the domain
 * @hwpt_item: entry in ioas->hwpt_list for the HWPT's whole life,
 *	protected by ioas->mutex
 */
struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
	bool auto_domain : 1;
	bool enforce_cache_coherency : 1;
	bool nest_parent : 1;
	bool msi_cookie : 1;
	struct list_head hwpt_item;
};

/*
 * struct iommufd_hwpt_nested - a HWPT translated by userspace-owned tables
 * @parent: the paging HWPT below it (users reference held)
 * @viommu: the vIOMMU it was allocated on, or NULL
 */
struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;
	struct iommufd_viommu *viommu;
};

/* Downcasts; the caller has checked the object type */
#define to_hwpt_paging(hwpt) \
	container_of(hwpt, struct iommufd_hwpt_paging, common)
#define to_hwpt_nested(hwpt) \
	container_of(hwpt, struct iommufd_hwpt_nested, common)

static inline bool hwpt_is_paging(struct iommufd_hw_pagetable *hwpt)
{
	return hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING;
}

static inline struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ucmd *ucmd, u32 id)
{
	return container_of(iommufd_get_object(ucmd->ictx, id,
					       IOMMUFD_OBJ_HWPT_PAGING),
			    struct iommufd_hwpt_paging, common.obj);
}

int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_paging_abort(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_abort(struct iommufd_object *obj);

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool immediate_attach,
			  const struct iommu_user_data *user_data);

/* ------------------------------------------------------------------------ */
/* Devices and access objects                                               */
/* ------------------------------------------------------------------------ */

/*
 * struct iommufd_group - iommufd's view of one iommu_group of a context
 * @group: the iommu_group (referenced)
 * @ictx: the context (not referenced; every device holds the context)
 * @ref: one per bound device of the group
 * @lock: protects @hwpt, @device_list, @sw_msi_start and every attachment
 *	(RID and PASID) of the group's devices
 * @device_list: devices attached through their RID, struct
 *	iommufd_device::group_item; the group is attached while non-empty
 * @hwpt: HWPT the group's RID is attached to, or NULL
 * @pasid_count: number of PASID attachments of the group's devices
 * @sw_msi_start: IOVA of the software MSI window, PHYS_ADDR_MAX if none
 */
struct iommufd_group {
	struct iommu_group *group;
	struct iommufd_ctx *ictx;
	struct kref ref;
	struct mutex lock; /* see the kernel-doc above */
	struct list_head device_list;
	struct iommufd_hw_pagetable *hwpt;
	unsigned int pasid_count;
	phys_addr_t sw_msi_start;
};

/*
 * struct iommufd_device - a device bound to a context by its driver (VFIO)
 * @igroup: the device's group (referenced)
 * @group_item: entry in igroup->device_list while the RID is attached
 * @dev: the device
 * @enforce_cache_coherency: the IOMMU can block no-snoop for this device
 * @pasid_hwpts: PASID -> struct iommufd_hw_pagetable attached to it,
 *	protected by igroup->lock
 * @iopf_lock: protects @iopf_enabled
 * @iopf_enabled: number of attachments to HWPTs with a fault queue
 * @vdev: the device's vDEVICE on some vIOMMU, or NULL; under igroup->lock
 * @destroying: the device is being destroyed and takes no new vDEVICE;
 *	under igroup->lock
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct device *dev;
	struct iommufd_ctx *ictx;
	struct iommufd_group *igroup;
	struct list_head group_item;
	struct xarray pasid_hwpts;
	struct mutex iopf_lock; /* protects iopf_enabled */
	unsigned int iopf_enabled;
	bool enforce_cache_coherency;
	struct iommufd_vdevice *vdev;
	bool destroying;
};

/* Look up a bound device by ID; iommufd_put_object() when done */
static inline struct iommufd_device *
iommufd_get_device(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_DEVICE);

	return container_of(obj, struct iommufd_device, obj);
}

/*
 * Every attachment is made with an attach handle so that a page fault can be
 * routed back from the iommu core to the device that raised it.
 */
/*
 * struct iommufd_attach_handle - iommufd's side of an attachment
 * @handle: the core's handle, through which faults find the HWPT
 * @idev: the device faults are reported for; in a multi-device group it
 *	moves to another device when this one detaches
 * @iopf_on: @idev holds one IOPF enable count for this handle
 */
struct iommufd_attach_handle {
	struct iommu_attach_handle handle;
	struct iommufd_device *idev;
	bool iopf_on;
};

static inline struct iommufd_attach_handle *
to_iommufd_handle(struct iommu_attach_handle *handle)
{
	return container_of(handle, struct iommufd_attach_handle, handle);
}

int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);
void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_device_pre_destroy(struct iommufd_object *obj);
void iommufd_access_destroy_object(struct iommufd_object *obj);

/*
 * PASID forms of the attach API for in-kernel users (the mock driver's
 * PASID test ops). IOMMU_NO_PASID names the RID and behaves exactly like
 * iommufd_device_attach()/replace()/detach().
 */
int iommufd_device_attach_pasid(struct iommufd_device *idev, ioasid_t pasid,
				u32 *pt_id);
int iommufd_device_replace_pasid(struct iommufd_device *idev, ioasid_t pasid,
				 u32 *pt_id);
void iommufd_device_detach_pasid(struct iommufd_device *idev, ioasid_t pasid);

/* Immediate attach of a HWPT being created (hw_pagetable.c) */
int iommufd_device_attach_hwpt(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt);
void iommufd_device_detach_hwpt(struct iommufd_device *idev,
				struct iommufd_hw_pagetable *hwpt);

/*
 * @internal: created by the core for itself (HW queues): never published,
 * holds no context reference, and its pins lock the areas against unmap
 */
struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;
	struct iommufd_ioas *ioas_unpin;
	struct mutex ioas_lock; /* protects ioas and ioas_unpin */
	const struct iommufd_access_ops *ops;
	void *data;
	unsigned long iova_alignment;
	u32 iopt_access_list_id;
	bool internal;
};

struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx);
void iommufd_access_destroy_internal(struct iommufd_ctx *ictx,
				     struct iommufd_access *access);

/* ------------------------------------------------------------------------ */
/* Fault queues and the vIOMMU family (later work)                          */
/* ------------------------------------------------------------------------ */

/*
 * struct iommufd_fault - a queue of I/O page faults read through an fd
 * @ictx: the context (referenced through @filep's ownership of the object)
 * @filep: the anonymous file userspace reads faults from
 * @lock: protects @deliver
 * @deliver: fault groups not yet read, struct iopf_group::node
 * @mutex: serialises readers and writers; protects @response
 * @response: cookie -> struct iopf_group read but not yet answered
 * @wait_queue: woken when a group is queued
 */
struct iommufd_fault {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct file *filep;
	spinlock_t lock; /* protects deliver */
	struct list_head deliver;
	struct mutex mutex; /* serialises read/write, protects response */
	struct xarray response;
	wait_queue_head_t wait_queue;
};

int iommufd_fault_alloc(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
int iommufd_fault_iopf_handler(struct iopf_group *group);
int iommufd_fault_iopf_enable(struct iommufd_device *idev);
void iommufd_fault_iopf_disable(struct iommufd_device *idev);
void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_attach_handle *handle);
/* vIOMMU family: viommu.c, and the vEVENTQ in eventq.c */

static inline struct iommufd_viommu *
iommufd_get_viommu(struct iommufd_ucmd *ucmd, u32 id)
{
	return container_of(iommufd_get_object(ucmd->ictx, id,
					       IOMMUFD_OBJ_VIOMMU),
			    struct iommufd_viommu, obj);
}

int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
void iommufd_vdevice_abort(struct iommufd_object *obj);
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_hw_queue_destroy(struct iommufd_object *obj);
/* Device pre-destroy: refuse new vDEVICEs, tombstone the current one */
void iommufd_device_remove_vdev(struct iommufd_device *idev);

/*
 * struct iommufd_vevent - one entry of a vEVENTQ
 * @node: in iommufd_veventq::deliver
 * @header: what read() returns in front of the payload
 * @data_len: bytes of @event_data; 0 for the lost-events marker
 * @event_data: the driver's payload
 */
struct iommufd_vevent {
	struct list_head node;
	struct iommufd_vevent_header header;
	size_t data_len;
	u8 event_data[] __counted_by(data_len);
};

/*
 * struct iommufd_veventq - a queue of vIOMMU events read through an fd
 * @ictx: the context (the fd holds a reference)
 * @viommu: the vIOMMU, referenced by the queue
 * @node: in viommu->veventqs
 * @type: enum iommu_veventq_type; one queue per type and vIOMMU
 * @depth: most normal events queued at once
 * @lock: protects @deliver, @num_events, @sequence and @lost
 * @deliver: events not yet read, oldest first
 * @num_events: normal events in @deliver (the marker is not counted)
 * @sequence: number of the next report, modulo 2^31
 * @read_mutex: keeps concurrent readers in order
 * @wait_queue: woken on every report
 * @lost: the lost-events marker; queued only as the last entry
 */
struct iommufd_veventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_viommu *viommu;
	struct list_head node;
	enum iommu_veventq_type type;
	unsigned int depth;
	spinlock_t lock; /* see above */
	struct list_head deliver;
	unsigned int num_events;
	u32 sequence;
	struct mutex read_mutex; /* see above */
	wait_queue_head_t wait_queue;
	struct iommufd_vevent lost;
};

int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd);
void iommufd_veventq_destroy(struct iommufd_object *obj);

/*
 * struct iommufd_mmap - an MMIO range user space may mmap() through the
 * context's file; the entry of ctx->mt_mmap at its offset
 * @owner: the object that registered it; each VMA holds a users reference
 * @vm_pgoff: the mmap offset in pages
 * @mmio_addr: physical base, page aligned
 * @length: bytes, page aligned
 */
struct iommufd_mmap {
	struct iommufd_object *owner;
	unsigned long vm_pgoff;
	phys_addr_t mmio_addr;
	size_t length;
};

/* ------------------------------------------------------------------------ */
/* Test hooks                                                               */
/* ------------------------------------------------------------------------ */

#ifdef CONFIG_IOMMUFD_TEST
int iommufd_test(struct iommufd_ucmd *ucmd);
void iommufd_selftest_destroy(struct iommufd_object *obj);
extern size_t iommufd_test_memory_limit;
bool iommufd_should_fail(void);
int __init iommufd_test_init(void);
void iommufd_test_exit(void);
bool iommufd_selftest_is_mock_dev(struct device *dev);
int iommufd_selftest_walk_devs(void *data,
			       int (*fn)(struct device *dev, void *data));
/*
 * The physical range behind a dma-buf of the mock exporter, for
 * IOMMU_IOAS_MAP_FILE. Called under the dma-buf's reservation lock.
 * -EOPNOTSUPP for other exporters, -ENODEV while revoked.
 */
int iommufd_test_dmabuf_phys(struct dma_buf *dmabuf, phys_addr_t *paddr,
			     size_t *len);
#else
static inline int iommufd_test_dmabuf_phys(struct dma_buf *dmabuf,
					   phys_addr_t *paddr, size_t *len)
{
	return -EOPNOTSUPP;
}

/* Without the mock there is no fault injection and no mock device */
static inline bool iommufd_selftest_is_mock_dev(struct device *dev)
{
	return false;
}

static inline bool iommufd_should_fail(void)
{
	return false;
}

/* ... and nothing to register or unregister */
static inline void iommufd_test_exit(void)
{
}

static inline int __init iommufd_test_init(void)
{
	return 0;
}

static inline int
iommufd_selftest_walk_devs(void *data,
			   int (*fn)(struct device *dev, void *data))
{
	return 0;
}
#endif

#endif
