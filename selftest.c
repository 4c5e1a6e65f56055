// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock IOMMU driver used by tools/testing/selftests/iommu, and the
 * IOMMU_TEST_CMD ioctl that drives it.
 *
 * Everything here exists only with CONFIG_IOMMUFD_TEST. A private bus carries
 * mock devices; one mock IOMMU instance registered on that bus translates for
 * all of them. Userspace creates a mock device with IOMMU_TEST_OP_MOCK_DOMAIN,
 * which also binds it to the context and attaches it, exactly as VFIO would.
 *
 * Mock paging domains emulate a page table in an xarray. The index of an
 * entry is the IOVA of a leaf divided by MOCK_PAGE_SIZE (2048 bytes, the
 * smallest leaf any format has); the entry records the physical address, the
 * leaf size and a few state bits. Only the first 2 KiB slot of a leaf holds
 * an entry, so a 1 MiB leaf costs one entry, and finding the leaf that covers
 * an IOVA means probing the aligned-down IOVA for each leaf size the domain
 * supports. Map and unmap check the invariants iommufd promises every IOMMU
 * driver (no double map, unmaps cover whole maps) and WARN when one breaks,
 * because that is a bug in iommufd, not in the test.
 *
 * Lengths are in bytes; "last" is inclusive as everywhere in iommufd.
 */
#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "../iommu-priv.h"
#include "iommufd_private.h"
#include "iommufd_test.h"

enum { MOCK_DEFAULT_MEMORY_LIMIT = 65536 };

/*
 * The pinning code (pages.c) sizes its temporary PFN batches with this, so
 * that the tests can make batch boundaries frequent.
 */
size_t iommufd_test_memory_limit = MOCK_DEFAULT_MEMORY_LIMIT;

static DECLARE_FAULT_ATTR(fail_iommufd);
static struct dentry *fail_iommufd_dir;

/**
 * iommufd_should_fail() - Fault injection point of iommufd
 *
 * Driven by the "fail_iommufd" fault attribute in debugfs and by the
 * per-task fail-nth knob.
 *
 * Return: true if the caller must act as if its operation failed.
 */
bool iommufd_should_fail(void)
{
	return should_fail(&fail_iommufd, 1);
}

/* ------------------------------------------------------------------------ */
/* Page table emulation                                                     */
/* ------------------------------------------------------------------------ */

enum {
	MOCK_SLOT_SHIFT = 11,
	/* log2(leaf size / 2 KiB) */
	MOCK_LEAF_SHIFT_BITS = 6,

	/*
	 * Bits of an entry's value, from the bottom: the first and the last
	 * leaf of one map_pages() call, and "written since the last read of
	 * the dirty state".
	 */
	LEAF_RUN_FIRST = BIT(0),
	LEAF_RUN_LAST = BIT(1),
	LEAF_DIRTY = BIT(2),
	LEAF_FLAGS_MASK = GENMASK(2, 0),
	LEAF_SIZE_POS = 3,
	LEAF_PHYS_POS = LEAF_SIZE_POS + MOCK_LEAF_SHIFT_BITS,
};

static_assert(1 << MOCK_SLOT_SHIFT == MOCK_PAGE_SIZE);
static_assert(PAGE_SIZE % MOCK_PAGE_SIZE == 0);

/* A decoded page table entry */
struct mock_leaf {
	unsigned long iova;
	unsigned long size;
	phys_addr_t phys;
	unsigned int flags;
};

static void *mock_leaf_encode(phys_addr_t phys, unsigned long size,
			      unsigned int flags)
{
	unsigned long shift = __ffs(size) - MOCK_SLOT_SHIFT;

	return xa_mk_value(((unsigned long)(phys >> MOCK_SLOT_SHIFT)
			    << LEAF_PHYS_POS) |
			   (shift << LEAF_SIZE_POS) | flags);
}

static void mock_leaf_decode(unsigned long index, void *entry,
			     struct mock_leaf *leaf)
{
	unsigned long val = xa_to_value(entry);
	unsigned int shift = (val >> LEAF_SIZE_POS) &
			     GENMASK(MOCK_LEAF_SHIFT_BITS - 1, 0);

	leaf->iova = index << MOCK_SLOT_SHIFT;
	leaf->size = 1UL << (shift + MOCK_SLOT_SHIFT);
	leaf->phys = (phys_addr_t)(val >> LEAF_PHYS_POS) << MOCK_SLOT_SHIFT;
	leaf->flags = val & LEAF_FLAGS_MASK;
}

/*
 * Page table formats. MOCK_IOMMUPT_* values index this table directly;
 * the legacy MOCK_FLAGS_DEVICE_HUGE_IOVA device flag selects the last row.
 */
enum {
	MOCK_FMT_HUGE_IOVA = MOCK_IOMMUPT_AMDV1 + 1,
	MOCK_FMT_NUM,
};

struct mock_format {
	unsigned long pgsizes;
	unsigned long aperture_start;
	unsigned long aperture_end;
};

static const struct mock_format mock_formats[MOCK_FMT_NUM] = {
	[MOCK_IOMMUPT_DEFAULT] = {
		.pgsizes = MOCK_PAGE_SIZE,
		.aperture_start = MOCK_APERTURE_START,
		.aperture_end = MOCK_APERTURE_LAST,
	},
	[MOCK_IOMMUPT_HUGE] = {
		.pgsizes = PAGE_SIZE | MOCK_HUGE_PAGE_SIZE,
		.aperture_end = ULONG_MAX,
	},
	[MOCK_IOMMUPT_AMDV1] = {
		.pgsizes = PAGE_SIZE | SZ_2M | SZ_1G,
		.aperture_end = ULONG_MAX,
	},
	[MOCK_FMT_HUGE_IOVA] = {
		.pgsizes = MOCK_PAGE_SIZE | MOCK_HUGE_PAGE_SIZE,
		.aperture_start = MOCK_APERTURE_START,
		.aperture_end = MOCK_APERTURE_LAST,
	},
};

/*
 * struct mock_domain - a mock paging domain
 * @domain: the core's view
 * @leaves: leaf IOVA >> MOCK_SLOT_SHIFT -> encoded leaf; read-modify-write
 *	of an existing entry is done under the xarray's lock
 * @dirty_tracking: set_dirty_tracking() enabled it
 * @nest_parent: allocated with IOMMU_HWPT_ALLOC_NEST_PARENT
 */
struct mock_domain {
	struct iommu_domain domain;
	struct xarray leaves;
	bool dirty_tracking;
	bool nest_parent;
};

/*
 * struct mock_nested - a mock nested domain
 * @domain: the core's view
 * @parent: the paging domain below, kept alive by iommufd's parent HWPT
 * @mock_viommu: the vIOMMU it was allocated on, or NULL; kept alive by
 *	iommufd's nested HWPT
 * @iotlb: emulated IOTLB entries, cleared by cache invalidation
 */
struct mock_nested {
	struct iommu_domain domain;
	struct mock_domain *parent;
	struct mock_viommu *mock_viommu;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

/*
 * struct mock_viommu - the mock driver's vIOMMU
 * @core: the core's part, first
 * @s2_parent: the nesting parent domain
 * @queue_mutex: protects @hw_queue
 * @hw_queue: the HW queues by index; a queue depends on the one before it
 * @mmap_offset: the mmap offset of @page, 0 if none was registered
 * @page: MMIO stand-in of 2 pages, only with allocation data
 */
struct mock_viommu {
	struct iommufd_viommu core;
	struct mock_domain *s2_parent;
	struct mutex queue_mutex; /* protects hw_queue */
	struct mock_hw_queue *hw_queue[IOMMU_TEST_HW_QUEUE_MAX];
	unsigned long mmap_offset;
	u32 *page;
};

/*
 * struct mock_hw_queue - the mock driver's HW queue
 * @core: the core's part, first
 * @mock_viommu: the vIOMMU
 * @prev: the queue of the index before, which this one depends on
 * @index: slot in mock_viommu->hw_queue
 */
struct mock_hw_queue {
	struct iommufd_hw_queue core;
	struct mock_viommu *mock_viommu;
	struct mock_hw_queue *prev;
	u16 index;
};

/*
 * struct mock_dev - a device on the mock bus
 * @dev: the device
 * @fwnode: firmware node of PASID capable devices, see mock_fwnode_ops
 * @attach_lock: write side held across every attach, replace and detach the
 *	test ops do, read side while a fault is reported, so that the core
 *	never looks up an attach handle that is being freed
 * @flags: MOCK_FLAGS_DEVICE_*
 * @id: suffix of the device name
 * @reserved_pasid_set: IOMMU_TEST_PASID_RESERVED is attached; the next
 *	non-blocking set of it fails (see mock_set_dev_pasid())
 * @cache: emulated device cache, invalidated through a vIOMMU
 * @viommu_lock: protects @viommu, @vdev_id and @rid_domain
 * @viommu: vIOMMU the RID is attached through (a nested domain on it)
 * @vdev_id: the device's virtual ID on @viommu
 * @rid_domain: the domain the RID is attached to; only compared, never
 *	dereferenced
 */
struct mock_dev {
	struct device dev;
	struct fwnode_handle fwnode;
	struct rw_semaphore attach_lock;
	u32 flags;
	int id;
	bool reserved_pasid_set;
	u32 cache[MOCK_DEV_CACHE_NUM];
	struct mutex viommu_lock; /* protects viommu and vdev_id */
	struct mock_viommu *viommu;
	unsigned long vdev_id;
	struct iommu_domain *rid_domain;
};

static const struct iommu_ops mock_ops;
static const struct iommu_domain_ops mock_paging_ops;
static const struct iommu_domain_ops mock_nested_ops;
static const struct iommu_dirty_ops mock_dirty_ops;

static struct mock_domain *to_mock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_domain, domain);
}

static struct mock_nested *to_mock_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_nested, domain);
}

static struct mock_dev *to_mock_dev(struct device *dev)
{
	return container_of(dev, struct mock_dev, dev);
}

static bool mock_domain_is_ours(struct iommu_domain *domain)
{
	return domain->ops == &mock_paging_ops;
}

static unsigned long mock_min_pgsize(struct mock_domain *mock)
{
	return 1UL << __ffs(mock->domain.pgsize_bitmap);
}

/*
 * Find the leaf covering @iova. Leaves are naturally aligned, so it can only
 * start at @iova rounded down to one of the supported sizes.
 */
static bool mock_find_leaf(struct mock_domain *mock, unsigned long iova,
			   struct mock_leaf *leaf)
{
	unsigned long sizes = mock->domain.pgsize_bitmap;
	unsigned int bit;

	for_each_set_bit(bit, &sizes, BITS_PER_LONG) {
		unsigned long head = iova & ~(BIT(bit) - 1);
		void *entry;

		entry = xa_load(&mock->leaves, head >> MOCK_SLOT_SHIFT);
		if (!entry)
			continue;
		mock_leaf_decode(head >> MOCK_SLOT_SHIFT, entry, leaf);
		if (iova - leaf->iova < leaf->size)
			return true;
	}
	return false;
}

/* Is any byte of [iova, last] translated? */
static bool mock_range_used(struct mock_domain *mock, unsigned long iova,
			    unsigned long last)
{
	unsigned long index = iova >> MOCK_SLOT_SHIFT;
	struct mock_leaf leaf;

	if (mock_find_leaf(mock, iova, &leaf))
		return true;
	return xa_find(&mock->leaves, &index, last >> MOCK_SLOT_SHIFT,
		       XA_PRESENT);
}

static void mock_leaf_update(struct mock_domain *mock, unsigned long index,
			     unsigned long set, unsigned long clear)
{
	void *entry;

	xa_lock(&mock->leaves);
	entry = xa_load(&mock->leaves, index);
	if (entry) {
		unsigned long val = (xa_to_value(entry) | set) & ~clear;

		/* Replacing a present entry never allocates */
		__xa_store(&mock->leaves, index, xa_mk_value(val), GFP_ATOMIC);
	}
	xa_unlock(&mock->leaves);
}

static int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long last = iova + pgsize * pgcount - 1;
	size_t i;
	int rc;

	/*
	 * xarray allocations retry internally, which hides most injected
	 * slab failures; fail here instead so that every map is a fault point.
	 */
	if (iommufd_should_fail())
		return -ENOMEM;

	if (WARN_ON(!is_power_of_2(pgsize) ||
		    !(pgsize & domain->pgsize_bitmap) || !pgcount ||
		    ((iova | paddr) & (pgsize - 1))))
		return -EINVAL;
	/*
	 * With a single leaf size, leaves are all aligned alike, so any leaf
	 * overlapping a new one has the same head slot and the insert below
	 * finds it. A bigger leaf can cover slots no insert touches, and a
	 * new big leaf can cover smaller ones, so only then look first.
	 */
	if (!is_power_of_2(domain->pgsize_bitmap) &&
	    WARN_ON_ONCE(mock_range_used(mock, iova, last)))
		return -EEXIST;

	for (i = 0; i != pgcount; i++) {
		unsigned int flags = 0;

		if (i == 0)
			flags |= LEAF_RUN_FIRST;
		if (i == pgcount - 1)
			flags |= LEAF_RUN_LAST;
		/* Unlike xa_store(), this leaves a double-mapped slot intact */
		rc = xa_insert(&mock->leaves,
			       (iova + i * pgsize) >> MOCK_SLOT_SHIFT,
			       mock_leaf_encode(paddr + i * pgsize, pgsize,
						flags),
			       gfp);
		if (rc == -EBUSY) {
			WARN_ONCE(1, "map at %#lx overlaps a mapped leaf\n",
				  iova + i * pgsize);
			rc = -EEXIST;
		}
		if (rc)
			goto err_erase;
	}
	*mapped += pgsize * pgcount;
	return 0;

err_erase:
	while (i--)
		xa_erase(&mock->leaves, (iova + i * pgsize) >> MOCK_SLOT_SHIFT);
	return rc;
}

/*
 * iommufd may only unmap what it mapped, whole leaves at a time. With a
 * single leaf size the core turns every iommu_map() into exactly one
 * map_pages() call, so we can also check that an unmap never ends in the
 * middle of one iommu_map(): real drivers that merge contiguous PFNs into
 * larger pages could not honour such an unmap.
 *
 * Like a real driver this erases what it meets as it walks the range: a
 * leaf is skipped over whole, a hole one smallest page at a time. Leaves
 * are naturally aligned and the core aligns unmaps to the smallest page,
 * so no leaf can start between the slots visited.
 */
static size_t mock_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			       size_t pgsize, size_t pgcount,
			       struct iommu_iotlb_gather *iotlb_gather)
{
	struct mock_domain *mock = to_mock_domain(domain);
	bool check_runs = is_power_of_2(domain->pgsize_bitmap);
	unsigned long min_size = mock_min_pgsize(mock);
	size_t length = pgsize * pgcount;
	unsigned long last = iova + length - 1;
	struct mock_leaf leaf = {};
	size_t unmapped = 0;
	unsigned long off;
	unsigned long step;

	WARN_ON_ONCE(iova & (min_size - 1));

	/*
	 * Only a leaf bigger than the smallest page can start before an
	 * aligned @iova and cover it; the walk below never sees its head.
	 */
	if (!check_runs && mock_find_leaf(mock, iova, &leaf) &&
	    leaf.iova != iova)
		WARN_ONCE(1, "unmap at %#lx cuts a leaf\n", iova);

	for (off = 0; off < length; off += step) {
		unsigned long index = (iova + off) >> MOCK_SLOT_SHIFT;
		void *entry;

		entry = xa_erase(&mock->leaves, index);
		if (!entry) {
			step = min_size;
			continue;
		}
		mock_leaf_decode(index, entry, &leaf);
		WARN_ONCE(leaf.iova + (leaf.size - 1) > last,
			  "unmap ending at %#lx cuts a leaf\n", last);
		WARN_ONCE(check_runs && !unmapped &&
			  !(leaf.flags & LEAF_RUN_FIRST),
			  "unmap at %#lx starts inside a mapping\n", iova);
		unmapped += leaf.size;
		step = leaf.size;
	}
	WARN_ONCE(check_runs && unmapped && !(leaf.flags & LEAF_RUN_LAST),
		  "unmap ending at %#lx stops inside a mapping\n", last);
	WARN_ONCE(unmapped != length,
		  "unmap of [%#lx, %#lx] found %zu bytes mapped\n", iova, last,
		  unmapped);
	return length;
}

static phys_addr_t mock_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	struct mock_leaf leaf;

	if (!mock_find_leaf(to_mock_domain(domain), iova, &leaf))
		return 0;
	return leaf.phys + (iova - leaf.iova);
}

static int mock_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	to_mock_domain(domain)->dirty_tracking = enable;
	return 0;
}

/*
 * Dirty state is kept per leaf, so a read reports whole leaves, clipped to
 * the range asked for. A NULL bitmap only clears.
 */
static int mock_read_and_clear_dirty(struct iommu_domain *domain,
				     unsigned long iova, size_t size,
				     unsigned long flags,
				     struct iommu_dirty_bitmap *dirty)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long last = iova + size - 1;
	unsigned long first_index = iova >> MOCK_SLOT_SHIFT;
	struct mock_leaf leaf;
	unsigned long index;
	void *entry;

	if (!mock->dirty_tracking && dirty->bitmap)
		return -EINVAL;

	if (mock_find_leaf(mock, iova, &leaf))
		first_index = leaf.iova >> MOCK_SLOT_SHIFT;

	xa_for_each_range(&mock->leaves, index, entry, first_index,
			  last >> MOCK_SLOT_SHIFT) {
		unsigned long start, end;

		mock_leaf_decode(index, entry, &leaf);
		if (!(leaf.flags & LEAF_DIRTY))
			continue;
		if (!(flags & IOMMU_DIRTY_NO_CLEAR))
			mock_leaf_update(mock, index, 0, LEAF_DIRTY);
		start = max(leaf.iova, iova);
		end = min(leaf.iova + (leaf.size - 1), last);
		iommu_dirty_bitmap_record(dirty, start, end - start + 1);
	}
	return 0;
}

static const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

/* ------------------------------------------------------------------------ */
/* Domains                                                                  */
/* ------------------------------------------------------------------------ */

static int mock_attach_check(struct iommu_domain *domain, struct device *dev)
{
	/* A device that cannot track dirty pages must not join such a domain */
	if (domain->dirty_ops &&
	    (to_mock_dev(dev)->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	return 0;
}

/*
 * A RID attach also records the vIOMMU the device now translates through,
 * which a nested domain allocated on a vIOMMU demands a vDEVICE on.
 */
static int mock_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	struct mock_viommu *mock_viommu = NULL;
	unsigned long vdev_id = 0;
	int rc;

	rc = mock_attach_check(domain, dev);
	if (rc)
		return rc;
	if (domain->ops == &mock_nested_ops)
		mock_viommu = to_mock_nested(domain)->mock_viommu;
	if (mock_viommu) {
		rc = iommufd_viommu_get_vdev_id(&mock_viommu->core, dev,
						&vdev_id);
		/*
		 * When a replace fails the core attaches the current domain
		 * again and requires that to work, even if the vDEVICE has
		 * gone meanwhile: the device simply stays as it is.
		 */
		if (rc) {
			mutex_lock(&mdev->viommu_lock);
			if (mdev->rid_domain == domain)
				rc = 0;
			mutex_unlock(&mdev->viommu_lock);
			return rc;
		}
	}

	mutex_lock(&mdev->viommu_lock);
	mdev->viommu = mock_viommu;
	mdev->vdev_id = vdev_id;
	mdev->rid_domain = domain;
	mutex_unlock(&mdev->viommu_lock);
	return 0;
}

/*
 * IOMMU_TEST_PASID_RESERVED lets the tests exercise the core's rollback:
 * the first non-blocking set succeeds, the next one (a replace) fails and
 * must leave the old domain in place, the one after that succeeds again.
 */
static int mock_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			      ioasid_t pasid, struct iommu_domain *old)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	int rc;

	if (domain->type == IOMMU_DOMAIN_BLOCKED) {
		if (pasid == IOMMU_TEST_PASID_RESERVED)
			mdev->reserved_pasid_set = false;
		return 0;
	}

	rc = mock_attach_check(domain, dev);
	if (rc)
		return rc;
	if (pasid == IOMMU_TEST_PASID_RESERVED) {
		mdev->reserved_pasid_set = !mdev->reserved_pasid_set;
		if (!mdev->reserved_pasid_set)
			return -ENOMEM;
	}
	return 0;
}

/* The 6.12 core detaches a PASID through this rather than a blocked domain */
static void mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain)
{
	if (pasid == IOMMU_TEST_PASID_RESERVED)
		to_mock_dev(dev)->reserved_pasid_set = false;
}

static const struct iommu_domain_ops mock_blocked_ops = {
	.attach_dev = mock_attach_dev,
	.set_dev_pasid = mock_set_dev_pasid,
};

static struct iommu_domain mock_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &mock_blocked_ops,
};

static struct iommu_domain *mock_domain_alloc_format(unsigned int format)
{
	const struct mock_format *fmt = &mock_formats[format];
	struct mock_domain *mock;

	mock = kzalloc(sizeof(*mock), GFP_KERNEL_ACCOUNT);
	if (!mock)
		return ERR_PTR(-ENOMEM);
	/* The mock's page table is user-sized memory: charge it */
	xa_init_flags(&mock->leaves, XA_FLAGS_ACCOUNT);
	mock->domain.type = IOMMU_DOMAIN_UNMANAGED;
	mock->domain.ops = &mock_paging_ops;
	mock->domain.owner = &mock_ops;
	mock->domain.pgsize_bitmap = fmt->pgsizes;
	mock->domain.geometry.aperture_start = fmt->aperture_start;
	mock->domain.geometry.aperture_end = fmt->aperture_end;
	mock->domain.geometry.force_aperture = true;
	return &mock->domain;
}

/* @dev is NULL when a legacy caller allocates for the whole bus */
static unsigned int mock_dev_format(struct device *dev)
{
	if (dev && (to_mock_dev(dev)->flags & MOCK_FLAGS_DEVICE_HUGE_IOVA))
		return MOCK_FMT_HUGE_IOVA;
	return MOCK_IOMMUPT_DEFAULT;
}

static struct iommu_domain *mock_domain_alloc_paging(struct device *dev)
{
	return mock_domain_alloc_format(mock_dev_format(dev));
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_domain *mock = to_mock_domain(domain);

	/* iommufd unmaps everything before it frees a domain */
	WARN_ON(!xa_empty(&mock->leaves));
	xa_destroy(&mock->leaves);
	kfree(mock);
}

static bool mock_enforce_cache_coherency(struct iommu_domain *domain)
{
	/* Mock DMA is always coherent; there is nothing to switch off */
	return true;
}

static struct iommu_domain *
mock_alloc_paging_user(struct device *dev, u32 flags,
		       const struct iommu_user_data *user_data)
{
	const u32 valid_flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				IOMMU_HWPT_ALLOC_PASID;
	unsigned int format = mock_dev_format(dev);
	struct iommu_domain *domain;

	if (flags & ~valid_flags)
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (to_mock_dev(dev)->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);

	if (user_data) {
		struct iommu_hwpt_selftest cfg;
		int rc;

		if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
			return ERR_PTR(-EOPNOTSUPP);
		rc = iommu_copy_struct_from_user(&cfg, user_data,
						 IOMMU_HWPT_DATA_SELFTEST,
						 iotlb);
		if (rc)
			return ERR_PTR(rc);
		/* Blobs shorter than pagetable_type read it as 0, DEFAULT */
		if (cfg.pagetable_type > MOCK_IOMMUPT_AMDV1)
			return ERR_PTR(-EOPNOTSUPP);
		if (cfg.pagetable_type != MOCK_IOMMUPT_DEFAULT)
			format = cfg.pagetable_type;
	}

	domain = mock_domain_alloc_format(format);
	if (IS_ERR(domain))
		return domain;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->dirty_ops = &mock_dirty_ops;
	to_mock_domain(domain)->nest_parent =
		flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	return domain;
}

static struct iommu_domain *
mock_alloc_nested(struct device *dev, u32 flags, struct iommu_domain *parent,
		  const struct iommu_user_data *user_data)
{
	struct iommu_hwpt_selftest cfg;
	struct mock_nested *nested;
	int rc;
	int i;

	if (!user_data)
		return ERR_PTR(-EINVAL);
	if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);
	if (!mock_domain_is_ours(parent) ||
	    !to_mock_domain(parent)->nest_parent)
		return ERR_PTR(-EINVAL);

	rc = iommu_copy_struct_from_user(&cfg, user_data,
					 IOMMU_HWPT_DATA_SELFTEST, iotlb);
	if (rc)
		return ERR_PTR(rc);

	nested = kzalloc(sizeof(*nested), GFP_KERNEL_ACCOUNT);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	nested->domain.type = IOMMU_DOMAIN_NESTED;
	nested->domain.ops = &mock_nested_ops;
	nested->domain.owner = &mock_ops;
	nested->parent = to_mock_domain(parent);
	for (i = 0; i != MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		nested->iotlb[i] = cfg.iotlb;
	return &nested->domain;
}

/* 6.12 allocates paging and nested user domains through one op */
static struct iommu_domain *
mock_alloc_user(struct device *dev, u32 flags, struct iommu_domain *parent,
		const struct iommu_user_data *user_data)
{
	if (parent)
		return mock_alloc_nested(dev, flags, parent, user_data);
	return mock_alloc_paging_user(dev, flags, user_data);
}

static void mock_nested_free(struct iommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

static int mock_nested_invalidate(struct mock_nested *nested,
				  const struct iommu_hwpt_invalidate_selftest *inv)
{
	/* The index is range checked even when FLAG_ALL makes it unused */
	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;

	if (!(inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL))
		nested->iotlb[inv->iotlb_id] = 0;
	else
		memset(nested->iotlb, 0, sizeof(nested->iotlb));
	return 0;
}

/*
 * Entries are handled in order and the first bad one stops the walk;
 * entry_num reports how many were applied before it.
 */
static int mock_cache_invalidate_user(struct iommu_domain *domain,
				      struct iommu_user_data_array *array)
{
	const unsigned int type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	struct mock_nested *nested = to_mock_nested(domain);
	u32 done = 0;
	int rc = 0;

	if (array->type != type) {
		rc = -EINVAL;
		goto out;
	}

	for (; done != array->entry_num; done++) {
		struct iommu_hwpt_invalidate_selftest inv;

		rc = iommu_copy_struct_from_user_array(&inv, array, type, done,
						       iotlb_id);
		if (!rc)
			rc = mock_nested_invalidate(nested, &inv);
		if (rc)
			break;
	}
out:
	array->entry_num = done;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* vIOMMU and HW queues                                                     */
/* ------------------------------------------------------------------------ */

static struct mock_viommu *to_mock_viommu(struct iommufd_viommu *viommu)
{
	return container_of(viommu, struct mock_viommu, core);
}

static struct mock_hw_queue *to_mock_hw_queue(struct iommufd_hw_queue *q)
{
	return container_of(q, struct mock_hw_queue, core);
}

static void mock_viommu_destroy(struct iommufd_viommu *viommu)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(viommu);

	if (mock_viommu->mmap_offset)
		iommufd_viommu_destroy_mmap(viommu, mock_viommu->mmap_offset);
	if (mock_viommu->page)
		free_pages_exact(mock_viommu->page, 2 * PAGE_SIZE);
	mutex_destroy(&mock_viommu->queue_mutex);
}

static struct iommu_domain *
mock_viommu_alloc_domain_nested(struct iommufd_viommu *viommu, u32 flags,
				const struct iommu_user_data *user_data)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(viommu);
	struct iommu_domain *domain;

	domain = mock_alloc_nested(NULL, flags, &mock_viommu->s2_parent->domain,
				   user_data);
	if (!IS_ERR(domain))
		to_mock_nested(domain)->mock_viommu = mock_viommu;
	return domain;
}

/* One entry of IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST */
static int
mock_viommu_invalidate_one(struct iommufd_viommu *viommu,
			   const struct iommu_viommu_invalidate_selftest *inv)
{
	struct mock_dev *mdev;
	struct device *dev;
	int rc = 0;

	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->cache_id > MOCK_DEV_CACHE_ID_MAX)
		return -EINVAL;

	/* The table lock keeps the vDEVICE, and its device, alive */
	xa_lock(&viommu->vdevs);
	dev = iommufd_viommu_find_dev(viommu, inv->vdev_id);
	if (!dev) {
		rc = -EINVAL;
	} else {
		mdev = to_mock_dev(dev);
		if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(mdev->cache, 0, sizeof(mdev->cache));
		else
			WRITE_ONCE(mdev->cache[inv->cache_id], 0);
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}

static int mock_viommu_cache_invalidate(struct iommufd_viommu *viommu,
					struct iommu_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest *invs;
	u32 done = 0;
	int rc;

	/* entry_num comes from user space: no warning for absurd sizes */
	invs = kvcalloc(array->entry_num, sizeof(*invs),
			GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!invs) {
		rc = -ENOMEM;
		goto out;
	}
	rc = iommu_copy_struct_from_full_user_array(invs, array,
						    IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST);
	for (; !rc && done != array->entry_num; done++) {
		rc = mock_viommu_invalidate_one(viommu, &invs[done]);
		if (rc)
			break;
	}
	kvfree(invs);
out:
	array->entry_num = done;
	return rc;
}

static size_t mock_viommu_get_hw_queue_size(struct iommufd_viommu *viommu,
					    enum iommu_hw_queue_type queue_type)
{
	if (queue_type != IOMMU_HW_QUEUE_TYPE_SELFTEST)
		return 0;
	return HW_QUEUE_STRUCT_SIZE(struct mock_hw_queue, core);
}

static void mock_hw_queue_destroy(struct iommufd_hw_queue *hw_queue)
{
	struct mock_hw_queue *mock_hw_queue = to_mock_hw_queue(hw_queue);
	struct mock_viommu *mock_viommu = mock_hw_queue->mock_viommu;

	mutex_lock(&mock_viommu->queue_mutex);
	mock_viommu->hw_queue[mock_hw_queue->index] = NULL;
	if (mock_hw_queue->prev)
		iommufd_hw_queue_undepend(&mock_hw_queue->core,
					  &mock_hw_queue->prev->core);
	mutex_unlock(&mock_viommu->queue_mutex);
}

/*
 * Queues are created in index order, each depending on the previous one,
 * and the physical address the core found must be the one the parent
 * domain translates the queue's base to.
 */
static int mock_hw_queue_init_phys(struct iommufd_hw_queue *hw_queue,
				   u32 index, phys_addr_t base_addr_pa)
{
	struct mock_hw_queue *mock_hw_queue = to_mock_hw_queue(hw_queue);
	struct mock_viommu *mock_viommu = to_mock_viommu(hw_queue->viommu);
	struct mock_hw_queue *prev = NULL;
	int rc = 0;

	if (index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;

	mutex_lock(&mock_viommu->queue_mutex);
	if (mock_viommu->hw_queue[index]) {
		rc = -EEXIST;
		goto out_unlock;
	}
	if (index) {
		prev = mock_viommu->hw_queue[index - 1];
		if (!prev) {
			rc = -EIO;
			goto out_unlock;
		}
	}
	if (mock_iova_to_phys(&mock_viommu->s2_parent->domain,
			      hw_queue->base_addr) != base_addr_pa) {
		rc = -EFAULT;
		goto out_unlock;
	}
	if (prev) {
		rc = iommufd_hw_queue_depend(&mock_hw_queue->core,
					     &prev->core);
		if (rc)
			goto out_unlock;
	}

	mock_hw_queue->prev = prev;
	mock_hw_queue->mock_viommu = mock_viommu;
	mock_hw_queue->index = index;
	mock_viommu->hw_queue[index] = mock_hw_queue;
	hw_queue->destroy = mock_hw_queue_destroy;
out_unlock:
	mutex_unlock(&mock_viommu->queue_mutex);
	return rc;
}

static const struct iommufd_viommu_ops mock_viommu_ops = {
	.destroy = mock_viommu_destroy,
	.alloc_domain_nested = mock_viommu_alloc_domain_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
	.get_hw_queue_size = mock_viommu_get_hw_queue_size,
	.hw_queue_init_phys = mock_hw_queue_init_phys,
};

static size_t mock_get_viommu_size(struct device *dev,
				   enum iommu_viommu_type viommu_type)
{
	if (viommu_type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return 0;
	return VIOMMU_STRUCT_SIZE(struct mock_viommu, core);
}

/*
 * With allocation data, the vIOMMU exposes two pages of "MMIO" through
 * mmap(), whose first u32 is in_data, and reports where to map them.
 */
static int mock_viommu_init_mmio(struct mock_viommu *mock_viommu,
				 const struct iommu_user_data *user_data)
{
	struct iommu_viommu_selftest data;
	int rc;

	rc = iommu_copy_struct_from_user(&data, user_data,
					 IOMMU_VIOMMU_TYPE_SELFTEST, out_data);
	if (rc)
		return rc;

	mock_viommu->page = alloc_pages_exact(2 * PAGE_SIZE,
					      GFP_KERNEL | __GFP_ZERO);
	if (!mock_viommu->page)
		return -ENOMEM;
	mock_viommu->page[0] = data.in_data;

	rc = iommufd_viommu_alloc_mmap(&mock_viommu->core,
				       virt_to_phys(mock_viommu->page),
				       2 * PAGE_SIZE, &mock_viommu->mmap_offset);
	if (rc)
		goto err_free;

	data.out_data = data.in_data;
	data.out_mmap_offset = mock_viommu->mmap_offset;
	data.out_mmap_length = 2 * PAGE_SIZE;
	rc = iommu_copy_struct_to_user(user_data, &data,
				       IOMMU_VIOMMU_TYPE_SELFTEST, out_data);
	if (rc)
		goto err_mmap;
	return 0;

err_mmap:
	iommufd_viommu_destroy_mmap(&mock_viommu->core,
				    mock_viommu->mmap_offset);
	mock_viommu->mmap_offset = 0;
err_free:
	free_pages_exact(mock_viommu->page, 2 * PAGE_SIZE);
	mock_viommu->page = NULL;
	return rc;
}

static int mock_viommu_init(struct iommufd_viommu *viommu,
			    struct iommu_domain *parent_domain,
			    const struct iommu_user_data *user_data)
{
	struct mock_viommu *mock_viommu = to_mock_viommu(viommu);
	int rc;

	if (!mock_domain_is_ours(parent_domain))
		return -EINVAL;

	if (user_data) {
		rc = mock_viommu_init_mmio(mock_viommu, user_data);
		if (rc)
			return rc;
	}
	mutex_init(&mock_viommu->queue_mutex);
	mock_viommu->s2_parent = to_mock_domain(parent_domain);
	viommu->ops = &mock_viommu_ops;
	return 0;
}

static const struct iommu_domain_ops mock_paging_ops = {
	.attach_dev = mock_attach_dev,
	.set_dev_pasid = mock_set_dev_pasid,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.enforce_cache_coherency = mock_enforce_cache_coherency,
	.free = mock_domain_free,
};

static const struct iommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_attach_dev,
	.set_dev_pasid = mock_set_dev_pasid,
	.cache_invalidate_user = mock_cache_invalidate_user,
	.free = mock_nested_free,
};

/* ------------------------------------------------------------------------ */
/* The mock IOMMU instance and its bus                                      */
/* ------------------------------------------------------------------------ */

static const struct bus_type mock_bus = {
	.name = "iommufd_mock",
};

static struct notifier_block mock_bus_nb;
static struct iommu_device mock_iommu;
/*
 * Names the mock in the fwspec of its devices, so that the core never hands
 * them to the platform IOMMU (which registers with a NULL fwnode).
 */
static struct fwnode_handle mock_iommu_fwnode;
static struct iopf_queue *mock_iopf_queue;
static DEFINE_IDA(mock_dev_ida);

static void *mock_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct iommu_test_hw_info *info;

	if (*type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    *type != IOMMU_HW_INFO_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (info) {
		*type = IOMMU_HW_INFO_TYPE_SELFTEST;
		*length = sizeof(*info);
		info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	}
	return info ?: ERR_PTR(-ENOMEM);
}

static bool mock_capable(struct device *dev, enum iommu_cap cap)
{
	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return true;
	case IOMMU_CAP_DIRTY_TRACKING:
		return !(to_mock_dev(dev)->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	default:
		return false;
	}
}

static struct iommu_device *mock_probe_device(struct device *dev)
{
	if (dev->bus != &mock_bus)
		return ERR_PTR(-ENODEV);
	return &mock_iommu;
}

static void mock_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
}

static int mock_dev_enable_feat(struct device *dev,
				enum iommu_dev_features feat)
{
	if (feat != IOMMU_DEV_FEAT_IOPF || !mock_iopf_queue)
		return -ENODEV;
	return iopf_queue_add_device(mock_iopf_queue, dev);
}

static int mock_dev_disable_feat(struct device *dev,
				 enum iommu_dev_features feat)
{
	if (feat != IOMMU_DEV_FEAT_IOPF || !mock_iopf_queue)
		return -ENODEV;
	iopf_queue_remove_device(mock_iopf_queue, dev);
	return 0;
}

static const struct iommu_ops mock_ops = {
	/* The core has no IOMMU_DOMAIN_BLOCKED default type to ask for */
	.default_domain = &mock_blocked_domain,
	.blocked_domain = &mock_blocked_domain,
	.owner = THIS_MODULE,
	.pgsize_bitmap = MOCK_PAGE_SIZE,
	.hw_info = mock_hw_info,
	.capable = mock_capable,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_user = mock_alloc_user,
	.probe_device = mock_probe_device,
	.device_group = generic_device_group,
	.page_response = mock_page_response,
	.dev_enable_feat = mock_dev_enable_feat,
	.dev_disable_feat = mock_dev_disable_feat,
	.remove_dev_pasid = mock_remove_dev_pasid,
	.get_viommu_size = mock_get_viommu_size,
	.viommu_init = mock_viommu_init,
	.user_pasid_table = true,
	.default_domain_ops = &mock_paging_ops,
};

/*
 * The firmware node of a PASID capable device only carries the PASID width,
 * which the core reads while device_add() probes the device. It is not a
 * software node on purpose: device_add() links a software node to the
 * device in sysfs and takes a reference on it only if both links could be
 * made, while device_del() drops that reference regardless. An allocation
 * failure there (fault injection hits it) left the node one reference
 * short, and deleting the device then dropped it below zero. This node has
 * no kobject, no sysfs links and nothing to allocate or free.
 */
static bool mock_fwnode_property_present(const struct fwnode_handle *fwnode,
					 const char *propname)
{
	return !strcmp(propname, "pasid-num-bits");
}

static int
mock_fwnode_property_read_int_array(const struct fwnode_handle *fwnode,
				    const char *propname, unsigned int elem_size,
				    void *val, size_t nval)
{
	if (!mock_fwnode_property_present(fwnode, propname))
		return -EINVAL;
	/* One u32, like a PROPERTY_ENTRY_U32() of a software node */
	if (elem_size != sizeof(u32))
		return -EINVAL;
	if (!val)
		return 1;
	if (nval > 1)
		return -EOVERFLOW;
	if (nval)
		*(u32 *)val = MOCK_PASID_WIDTH;
	return 0;
}

static const struct fwnode_operations mock_fwnode_ops = {
	.property_present = mock_fwnode_property_present,
	.property_read_int_array = mock_fwnode_property_read_int_array,
};

static void mock_dev_release(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (mdev->id >= 0)
		ida_free(&mock_dev_ida, mdev->id);
	kfree(mdev);
}

static void mock_dev_destroy(struct mock_dev *mdev)
{
	device_del(&mdev->dev);
	/* Its group is gone: the compat layer's geometry may change */
	iommufd_vfio_geo_changed();
	put_device(&mdev->dev);
}

static struct mock_dev *mock_dev_create(u32 flags)
{
	struct mock_dev *mdev;
	int rc;
	int i;

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL_ACCOUNT);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mdev->flags = flags;
	mdev->id = -1;
	init_rwsem(&mdev->attach_lock);
	mutex_init(&mdev->viommu_lock);
	for (i = 0; i != MOCK_DEV_CACHE_NUM; i++)
		mdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	device_initialize(&mdev->dev);
	mdev->dev.bus = &mock_bus;
	mdev->dev.release = mock_dev_release;

	mdev->id = ida_alloc(&mock_dev_ida, GFP_KERNEL);
	rc = mdev->id < 0 ? mdev->id :
			    dev_set_name(&mdev->dev, "mockdev%d", mdev->id);
	if (rc)
		goto err_put;

	/* The core reads the PASID width while device_add() probes us */
	if (flags & MOCK_FLAGS_DEVICE_PASID) {
		fwnode_init(&mdev->fwnode, &mock_fwnode_ops);
		device_set_node(&mdev->dev, &mdev->fwnode);
	}

	rc = iommu_mock_device_add(&mdev->dev, &mock_iommu);
	if (rc)
		goto err_put;
	iommufd_vfio_geo_changed();
	return mdev;

err_put:
	put_device(&mdev->dev);
	return ERR_PTR(rc);
}

/**
 * iommufd_selftest_is_mock_dev() - Is this one of the mock devices?
 * @dev: any device
 *
 * Return: true for devices created by IOMMU_TEST_OP_MOCK_DOMAIN.
 */
bool iommufd_selftest_is_mock_dev(struct device *dev)
{
	return dev->bus == &mock_bus;
}

/**
 * iommufd_selftest_walk_devs() - Call @fn for every mock device
 * @data: passed to @fn
 * @fn: as for bus_for_each_dev(); a non-zero return stops the walk
 *
 * Lets code that walks the buses with IOMMU groups (the VFIO compat layer's
 * system-wide geometry) see the mock devices too.
 *
 * Return: 0, or what @fn returned to stop the walk.
 */
int iommufd_selftest_walk_devs(void *data,
			       int (*fn)(struct device *dev, void *data))
{
	return bus_for_each_dev(&mock_bus, NULL, data, fn);
}

/* ------------------------------------------------------------------------ */
/* Mock device objects                                                      */
/* ------------------------------------------------------------------------ */

/*
 * struct selftest_obj - IOMMUFD_OBJ_SELFTEST, a mock device bound to the
 * context and attached (its RID always is, possibly PASIDs too)
 * @mdev: the device, owned
 * @idev: its binding
 * @pasids: PASIDs attached through the test ops, under mdev->attach_lock
 */
struct selftest_obj {
	struct iommufd_object obj;
	struct mock_dev *mdev;
	struct iommufd_device *idev;
	struct xarray pasids;
};

static struct selftest_obj *selftest_obj_get(struct iommufd_ucmd *ucmd,
					     u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct selftest_obj, obj);
}

/*
 * Look up a bound mock device by its device object ID. The reference on the
 * device object keeps the mock device alive: the selftest object unbinds it,
 * which waits for lookups to end, before it frees the device.
 */
static struct iommufd_device *mock_idev_get(struct iommufd_ucmd *ucmd, u32 id,
					    struct mock_dev **mdev)
{
	struct iommufd_device *idev;

	idev = iommufd_get_device(ucmd, id);
	if (IS_ERR(idev))
		return idev;
	if (!iommufd_selftest_is_mock_dev(idev->dev)) {
		iommufd_put_object(ucmd->ictx, &idev->obj);
		return ERR_PTR(-EINVAL);
	}
	*mdev = to_mock_dev(idev->dev);
	return idev;
}

static int mock_op_mock_domain(struct iommufd_ucmd *ucmd,
			       struct iommu_test_cmd *cmd)
{
	const u32 valid_flags = MOCK_FLAGS_DEVICE_NO_DIRTY |
				MOCK_FLAGS_DEVICE_HUGE_IOVA |
				MOCK_FLAGS_DEVICE_PASID;
	struct selftest_obj *sobj;
	u32 pt_id = cmd->id;
	u32 dev_flags = 0;
	u32 idev_id;
	int rc;

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	if (dev_flags & ~valid_flags)
		return -EINVAL;

	sobj = iommufd_object_alloc(ucmd->ictx, sobj, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	xa_init(&sobj->pasids);

	sobj->mdev = mock_dev_create(dev_flags);
	if (IS_ERR(sobj->mdev)) {
		rc = PTR_ERR(sobj->mdev);
		goto err_abort;
	}

	sobj->idev = iommufd_device_bind(ucmd->ictx, &sobj->mdev->dev,
					 &idev_id);
	if (IS_ERR(sobj->idev)) {
		rc = PTR_ERR(sobj->idev);
		goto err_dev;
	}

	down_write(&sobj->mdev->attach_lock);
	rc = iommufd_device_attach(sobj->idev, &pt_id);
	up_write(&sobj->mdev->attach_lock);
	if (rc)
		goto err_unbind;

	/* mock_domain and mock_domain_flags share these offsets */
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_detach;
	iommufd_object_finalize(ucmd->ictx, &sobj->obj);
	return 0;

err_detach:
	down_write(&sobj->mdev->attach_lock);
	iommufd_device_detach(sobj->idev);
	up_write(&sobj->mdev->attach_lock);
err_unbind:
	iommufd_device_unbind(sobj->idev);
err_dev:
	mock_dev_destroy(sobj->mdev);
err_abort:
	iommufd_object_abort(ucmd->ictx, &sobj->obj);
	return rc;
}

/**
 * iommufd_selftest_destroy() - Destroy an IOMMUFD_OBJ_SELFTEST object
 * @obj: the object
 *
 * Detaches every PASID and the RID of the mock device, unbinds it and
 * deletes it. Balances IOMMU_TEST_OP_MOCK_DOMAIN.
 */
void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);
	unsigned long pasid;
	void *entry;

	down_write(&sobj->mdev->attach_lock);
	xa_for_each(&sobj->pasids, pasid, entry)
		iommufd_device_detach_pasid(sobj->idev, pasid);
	iommufd_device_detach(sobj->idev);
	up_write(&sobj->mdev->attach_lock);
	xa_destroy(&sobj->pasids);

	iommufd_device_unbind(sobj->idev);
	mock_dev_destroy(sobj->mdev);
}

static int mock_op_mock_domain_replace(struct iommufd_ucmd *ucmd,
				       struct iommu_test_cmd *cmd)
{
	u32 pt_id = cmd->mock_domain_replace.pt_id;
	struct selftest_obj *sobj;
	int rc;

	sobj = selftest_obj_get(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	down_write(&sobj->mdev->attach_lock);
	rc = iommufd_device_replace(sobj->idev, &pt_id);
	up_write(&sobj->mdev->attach_lock);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int mock_op_pasid_attach(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	u32 pt_id = cmd->pasid_attach.pt_id;
	ioasid_t pasid = cmd->pasid_attach.pasid;
	struct selftest_obj *sobj;
	int rc;

	/* The RID is managed by MOCK_DOMAIN and MOCK_DOMAIN_REPLACE */
	if (pasid == IOMMU_NO_PASID)
		return -EINVAL;

	sobj = selftest_obj_get(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	down_write(&sobj->mdev->attach_lock);
	/* The core refuses a PASID that is attached already */
	rc = iommufd_device_attach_pasid(sobj->idev, pasid, &pt_id);
	if (rc)
		goto out_unlock;
	rc = xa_err(xa_store(&sobj->pasids, pasid, xa_mk_value(0),
			     GFP_KERNEL));
	if (rc)
		goto err_detach;

	cmd->pasid_attach.pt_id = pt_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_erase;
	goto out_unlock;

err_erase:
	xa_erase(&sobj->pasids, pasid);
err_detach:
	iommufd_device_detach_pasid(sobj->idev, pasid);
out_unlock:
	up_write(&sobj->mdev->attach_lock);
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int mock_op_pasid_replace(struct iommufd_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	u32 pt_id = cmd->pasid_replace.pt_id;
	ioasid_t pasid = cmd->pasid_replace.pasid;
	struct selftest_obj *sobj;
	int rc;

	if (pasid == IOMMU_NO_PASID)
		return -EINVAL;

	sobj = selftest_obj_get(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	down_write(&sobj->mdev->attach_lock);
	rc = iommufd_device_replace_pasid(sobj->idev, pasid, &pt_id);
	up_write(&sobj->mdev->attach_lock);
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int mock_op_pasid_detach(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	ioasid_t pasid = cmd->pasid_detach.pasid;
	struct selftest_obj *sobj;

	if (pasid == IOMMU_NO_PASID)
		return -EINVAL;

	sobj = selftest_obj_get(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	down_write(&sobj->mdev->attach_lock);
	if (xa_erase(&sobj->pasids, pasid))
		iommufd_device_detach_pasid(sobj->idev, pasid);
	up_write(&sobj->mdev->attach_lock);
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return 0;
}

/* Compare with the core's own record, so that its rollback is checked too */
static int mock_op_pasid_check_hwpt(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct iommufd_hw_pagetable *hwpt = NULL;
	struct iommu_attach_handle *handle;
	struct iommufd_object *hwpt_obj;
	struct selftest_obj *sobj;
	int rc = 0;

	sobj = selftest_obj_get(ucmd, cmd->id);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);

	if (cmd->pasid_check.hwpt_id) {
		hwpt_obj = iommufd_get_object(ucmd->ictx,
					      cmd->pasid_check.hwpt_id,
					      IOMMUFD_OBJ_ANY);
		if (IS_ERR(hwpt_obj)) {
			rc = PTR_ERR(hwpt_obj);
			goto out_put_sobj;
		}
		if (hwpt_obj->type != IOMMUFD_OBJ_HWPT_PAGING &&
		    hwpt_obj->type != IOMMUFD_OBJ_HWPT_NESTED) {
			iommufd_put_object(ucmd->ictx, hwpt_obj);
			rc = -ENOENT;
			goto out_put_sobj;
		}
		hwpt = container_of(hwpt_obj, struct iommufd_hw_pagetable, obj);
	}

	down_read(&sobj->mdev->attach_lock);
	handle = iommu_attach_handle_get(sobj->mdev->dev.iommu_group,
					 cmd->pasid_check.pasid, 0);
	if (IS_ERR(handle)) {
		if (hwpt)
			rc = -EINVAL;
	} else if (!hwpt || handle->domain != hwpt->domain) {
		rc = -EINVAL;
	}
	up_read(&sobj->mdev->attach_lock);

	if (hwpt)
		iommufd_put_object(ucmd->ictx, &hwpt->obj);
out_put_sobj:
	iommufd_put_object(ucmd->ictx, &sobj->obj);
	return rc;
}

static int mock_op_trigger_iopf(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	struct iopf_fault event = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.prm = {
				.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
				.pasid = cmd->trigger_iopf.pasid,
				.grpid = cmd->trigger_iopf.grpid,
				.perm = cmd->trigger_iopf.perm,
				.addr = cmd->trigger_iopf.addr,
			},
		},
	};
	struct iommufd_device *idev;
	struct mock_dev *mdev;
	int rc;

	if (cmd->trigger_iopf.pasid != IOMMU_NO_PASID)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;

	idev = mock_idev_get(ucmd, cmd->trigger_iopf.dev_id, &mdev);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	down_read(&mdev->attach_lock);
	rc = iommu_report_device_fault(&mdev->dev, &event);
	up_read(&mdev->attach_lock);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

static int mock_op_trigger_vevent(struct iommufd_ucmd *ucmd,
				  struct iommu_test_cmd *cmd)
{
	struct iommu_viommu_event_selftest event = {};
	struct iommufd_device *idev;
	struct mock_dev *mdev;
	int rc = -ENOENT;

	idev = mock_idev_get(ucmd, cmd->trigger_vevent.dev_id, &mdev);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	/* The attached nested HWPT keeps the vIOMMU alive meanwhile */
	mutex_lock(&mdev->viommu_lock);
	if (mdev->viommu && mdev->vdev_id) {
		event.virt_id = mdev->vdev_id;
		rc = iommufd_viommu_report_event(&mdev->viommu->core,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 &event, sizeof(event));
	}
	mutex_unlock(&mdev->viommu_lock);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

static int mock_op_dev_check_cache(struct iommufd_ucmd *ucmd,
				   struct iommu_test_cmd *cmd)
{
	struct iommufd_device *idev;
	struct mock_dev *mdev;
	int rc = 0;

	idev = mock_idev_get(ucmd, cmd->id, &mdev);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (cmd->check_dev_cache.id > MOCK_DEV_CACHE_ID_MAX ||
	    READ_ONCE(mdev->cache[cmd->check_dev_cache.id]) !=
		    cmd->check_dev_cache.cache)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Inspection of IOAS, domains and user memory                              */
/* ------------------------------------------------------------------------ */

static int mock_op_add_reserved(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	unsigned long start = cmd->add_reserved.start;
	unsigned long last;
	struct iommufd_ioas *ioas;
	int rc;

	if (!cmd->add_reserved.length)
		return -EINVAL;
	if (check_add_overflow(start,
			       (unsigned long)(cmd->add_reserved.length - 1),
			       &last))
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * Every step of the domain's smallest page must translate to the physical
 * address currently behind the same offset of the user buffer.
 */
static int mock_check_map_domain(struct mock_domain *mock, unsigned long iova,
				 unsigned long uptr, unsigned long length)
{
	unsigned long step = mock_min_pgsize(mock);

	if ((iova | uptr | length) & (step - 1))
		return -EINVAL;

	while (length) {
		unsigned long upage = uptr & PAGE_MASK;
		unsigned long chunk = min(length, upage + PAGE_SIZE - uptr);
		struct page *page;
		phys_addr_t phys;
		unsigned long off;
		long npages;

		npages = get_user_pages_fast(upage, 1, 0, &page);
		if (npages < 0)
			return npages;
		if (npages != 1)
			return -EFAULT;
		phys = page_to_phys(page) + (uptr - upage);
		put_page(page);

		for (off = 0; off != chunk; off += step) {
			struct mock_leaf leaf;

			if (!mock_find_leaf(mock, iova + off, &leaf) ||
			    leaf.phys + (iova + off - leaf.iova) != phys + off)
				return -EINVAL;
		}
		iova += chunk;
		uptr += chunk;
		length -= chunk;
	}
	return 0;
}

static int mock_check_map_ioas(struct iommufd_ioas *ioas, unsigned long iova,
			       unsigned long uptr, unsigned long length)
{
	struct io_pagetable *iopt = &ioas->iopt;
	struct iommu_domain *domain;
	unsigned long index;
	int rc = 0;

	down_read(&iopt->domains_rwsem);
	xa_for_each(&iopt->domains, index, domain) {
		if (!mock_domain_is_ours(domain))
			continue;
		rc = mock_check_map_domain(to_mock_domain(domain), iova, uptr,
					   length);
		if (rc)
			break;
	}
	up_read(&iopt->domains_rwsem);
	return rc;
}

static int mock_op_md_check_map(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	unsigned long length = cmd->check_map.length;
	unsigned long uptr = cmd->check_map.uptr;
	unsigned long iova = cmd->check_map.iova;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *obj;
	struct iommufd_ioas *ioas;
	unsigned long last;
	int rc;

	/* An empty range checks nothing, but the ID must still be valid */
	if (length && (check_add_overflow(iova, length - 1, &last) ||
		       check_add_overflow(uptr, length - 1, &last)))
		return -EINVAL;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
		hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
		if (!mock_domain_is_ours(hwpt->domain)) {
			rc = -EINVAL;
			break;
		}
		rc = mock_check_map_domain(to_mock_domain(hwpt->domain), iova,
					   uptr, length);
		break;
	case IOMMUFD_OBJ_IOAS:
		ioas = container_of(obj, struct iommufd_ioas, obj);
		rc = mock_check_map_ioas(ioas, iova, uptr, length);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

enum { MOCK_GUP_BATCH = 32 };

/*
 * Count the pins on each page of a user range. Large folios keep one pin
 * count for all their pages, which says nothing about one page; skip them.
 */
static int mock_op_md_check_refs(struct iommufd_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	unsigned long length = cmd->check_refs.length;
	unsigned long uptr = cmd->check_refs.uptr;
	struct page *pages[MOCK_GUP_BATCH];
	unsigned long end;

	if ((length | uptr) & ~PAGE_MASK ||
	    check_add_overflow(uptr, length, &end))
		return -EINVAL;

	while (uptr != end) {
		int want = min_t(unsigned long, MOCK_GUP_BATCH,
				 (end - uptr) >> PAGE_SHIFT);
		int rc = 0;
		int got;
		int i;

		got = get_user_pages_fast(uptr, want, 0, pages);
		if (got <= 0)
			return got ? got : -EFAULT;
		for (i = 0; i != got; i++) {
			struct folio *folio = page_folio(pages[i]);

			if (!folio_test_large(folio) &&
			    folio_ref_count(folio) / GUP_PIN_COUNTING_BIAS !=
				    cmd->check_refs.refs)
				rc = -EIO;
			put_page(pages[i]);
		}
		if (rc)
			return rc;
		uptr += (unsigned long)got << PAGE_SHIFT;
	}
	return 0;
}

static int mock_op_md_check_iotlb(struct iommufd_ucmd *ucmd,
				  struct iommu_test_cmd *cmd)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_object *obj;
	u32 id = cmd->check_iotlb.id;
	int rc = 0;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
	if (hwpt->domain->ops != &mock_nested_ops ||
	    id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    to_mock_nested(hwpt->domain)->iotlb[id] != cmd->check_iotlb.iotlb)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* Mark the leaves under the set bits of a user bitmap dirty */
static int mock_op_dirty(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	unsigned long page_size = cmd->dirty.page_size;
	unsigned long length = cmd->dirty.length;
	unsigned long iova = cmd->dirty.iova;
	struct iommu_domain *domain;
	struct iommufd_object *obj;
	struct mock_domain *mock;
	unsigned long nbits;
	unsigned long *bits;
	unsigned long bit;
	u64 count = 0;
	int rc;

	if (cmd->dirty.flags)
		return -EOPNOTSUPP;
	if (!page_size || !length || !cmd->dirty.uptr || iova % page_size ||
	    length % page_size)
		return -EINVAL;
	nbits = length / page_size;
	/* The same bound as GET_DIRTY_BITMAP's largest bitmap */
	if (nbits > SZ_16M * BITS_PER_BYTE)
		return -EOVERFLOW;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	domain = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	if (!mock_domain_is_ours(domain)) {
		rc = -EINVAL;
		goto out_put;
	}
	mock = to_mock_domain(domain);
	if (!mock->dirty_tracking) {
		rc = -EINVAL;
		goto out_put;
	}

	/* Up to 16 MiB: too big for kmalloc() without a warning */
	bits = kvcalloc(BITS_TO_LONGS(nbits), sizeof(*bits),
			GFP_KERNEL_ACCOUNT);
	if (!bits) {
		rc = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(bits, u64_to_user_ptr(cmd->dirty.uptr),
			   DIV_ROUND_UP(nbits, BITS_PER_BYTE))) {
		rc = -EFAULT;
		goto out_free;
	}

	for_each_set_bit(bit, bits, nbits) {
		struct mock_leaf leaf;

		if (!mock_find_leaf(mock, iova + bit * page_size, &leaf))
			continue;
		mock_leaf_update(mock, leaf.iova >> MOCK_SLOT_SHIFT,
				 LEAF_DIRTY, 0);
		count++;
	}

	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(bits);
out_put:
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

static int mock_op_set_temp_memory_limit(struct iommufd_ucmd *ucmd,
					 struct iommu_test_cmd *cmd)
{
	u32 limit = cmd->memory_limit.limit;

	if (!limit)
		limit = MOCK_DEFAULT_MEMORY_LIMIT;
	/* pages.c needs room for at least one PFN run in a batch */
	if (limit < sizeof(unsigned long) + sizeof(u32))
		return -EINVAL;
	iommufd_test_memory_limit = limit;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Access objects, exposed to userspace as file descriptors                 */
/* ------------------------------------------------------------------------ */

/*
 * struct mock_access - what an access fd refers to
 * @access: the in-kernel access, destroyed when the fd is closed
 * @lock: held across pinning and recording a pin, and while the unmap
 *	callback drops pins, so that an unmap never misses a pin in flight
 * @pins: pin ID -> struct mock_pin
 * @needs_pin: created with MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES
 */
struct mock_access {
	struct iommufd_access *access;
	struct mutex lock; /* see above */
	struct xarray pins;
	bool needs_pin;
};

struct mock_pin {
	unsigned long iova;
	unsigned long length;
};

static void mock_access_unpin_range(struct mock_access *macc,
				    unsigned long first, unsigned long last)
{
	struct mock_pin *pin;
	unsigned long id;

	mutex_lock(&macc->lock);
	xa_for_each(&macc->pins, id, pin) {
		if (pin->iova > last || pin->iova + (pin->length - 1) < first)
			continue;
		xa_erase(&macc->pins, id);
		iommufd_access_unpin_pages(macc->access, pin->iova,
					   pin->length);
		kfree(pin);
	}
	mutex_unlock(&macc->lock);
}

/*
 * iommufd asks us to give up every pin that touches an IOVA being unmapped.
 * A length of ULONG_MAX (sent when the access leaves its IOAS) means
 * everything from @iova on.
 */
static void mock_access_unmap(void *data, unsigned long iova,
			      unsigned long length)
{
	unsigned long last;

	if (!length)
		return;
	if (length == ULONG_MAX ||
	    check_add_overflow(iova, length - 1, &last))
		last = ULONG_MAX;
	mock_access_unpin_range(data, iova, last);
}

static const struct iommufd_access_ops mock_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = mock_access_unmap,
};

static const struct iommufd_access_ops mock_access_ops_rw = {
	.unmap = mock_access_unmap,
};

static int mock_access_release(struct inode *inode, struct file *file)
{
	struct mock_access *macc = file->private_data;

	/* the core refuses to destroy an access that still has pins */
	mock_access_unpin_range(macc, 0, ULONG_MAX);
	iommufd_access_destroy(macc->access);
	xa_destroy(&macc->pins);
	mutex_destroy(&macc->lock);
	kfree(macc);
	return 0;
}

static const struct file_operations mock_access_fops = {
	.owner = THIS_MODULE,
	.release = mock_access_release,
};

/* On success the caller must fput(*file) */
static struct mock_access *mock_access_get(struct iommufd_ucmd *ucmd, int fd,
					   struct file **file)
{
	struct mock_access *macc;

	*file = fget(fd);
	if (!*file)
		return ERR_PTR(-EBADF);
	macc = (*file)->private_data;
	if ((*file)->f_op != &mock_access_fops ||
	    macc->access->ictx != ucmd->ictx) {
		fput(*file);
		return ERR_PTR(-EBADF);
	}
	return macc;
}

static int mock_op_create_access(struct iommufd_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->create_access.flags;
	struct mock_access *macc;
	struct file *file;
	u32 access_id;
	int fd;
	int rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;

	macc = kzalloc(sizeof(*macc), GFP_KERNEL_ACCOUNT);
	if (!macc)
		return -ENOMEM;
	mutex_init(&macc->lock);
	xa_init_flags(&macc->pins, XA_FLAGS_ALLOC);
	macc->needs_pin = flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto err_free;
	}

	macc->access = iommufd_access_create(ucmd->ictx,
					     macc->needs_pin ?
						     &mock_access_ops_pin :
						     &mock_access_ops_rw,
					     macc, &access_id);
	if (IS_ERR(macc->access)) {
		rc = PTR_ERR(macc->access);
		goto err_fd;
	}
	rc = iommufd_access_attach(macc->access, cmd->id);
	if (rc)
		goto err_access;

	file = anon_inode_getfile("[iommufd-mock-access]", &mock_access_fops,
				  macc, O_RDWR);
	if (IS_ERR(file)) {
		rc = PTR_ERR(file);
		goto err_access;
	}

	cmd->create_access.out_access_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		/* the release hook undoes everything above but the fd */
		fput(file);
		put_unused_fd(fd);
		return rc;
	}
	fd_install(fd, file);
	return 0;

err_access:
	iommufd_access_destroy(macc->access);
err_fd:
	put_unused_fd(fd);
err_free:
	xa_destroy(&macc->pins);
	mutex_destroy(&macc->lock);
	kfree(macc);
	return rc;
}

static int mock_op_access_replace_ioas(struct iommufd_ucmd *ucmd,
				       struct iommu_test_cmd *cmd)
{
	struct mock_access *macc;
	struct file *file;
	int rc;

	macc = mock_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(macc))
		return PTR_ERR(macc);
	rc = iommufd_access_replace(macc->access,
				    cmd->access_replace_ioas.ioas_id);
	fput(file);
	return rc;
}

/* Pinned pages must be the pages userspace sees at @uptr */
static int mock_check_pinned(unsigned long uptr, struct page **pinned,
			     unsigned long npages)
{
	struct page *pages[MOCK_GUP_BATCH];

	while (npages) {
		int want = min_t(unsigned long, npages, MOCK_GUP_BATCH);
		int rc = 0;
		int got;
		int i;

		got = get_user_pages_fast(uptr, want, 0, pages);
		if (got <= 0)
			return got ? got : -EFAULT;
		for (i = 0; i != got; i++) {
			if (pages[i] != pinned[i])
				rc = -EBADE;
			put_page(pages[i]);
		}
		if (rc)
			return rc;
		pinned += got;
		npages -= got;
		uptr += (unsigned long)got << PAGE_SHIFT;
	}
	return 0;
}

/* Bound what userspace can make us allocate for one request */
enum { MOCK_ACCESS_MAX_LENGTH = SZ_64M };

static int mock_op_access_pages(struct iommufd_ucmd *ucmd,
				struct iommu_test_cmd *cmd)
{
	unsigned long length = cmd->access_pages.length;
	unsigned long iova = cmd->access_pages.iova;
	unsigned long uptr = cmd->access_pages.uptr;
	u32 flags = cmd->access_pages.flags;
	struct mock_access *macc;
	struct mock_pin *pin;
	struct page **pages;
	unsigned long npages;
	unsigned long last;
	struct file *file;
	u32 pin_id;
	int rc;

	if (flags & ~MOCK_FLAGS_ACCESS_WRITE)
		return -EOPNOTSUPP;
	if (!length || check_add_overflow(iova, length - 1, &last))
		return -EINVAL;
	if (length > MOCK_ACCESS_MAX_LENGTH)
		return -E2BIG;
	npages = (last >> PAGE_SHIFT) - (iova >> PAGE_SHIFT) + 1;

	macc = mock_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(macc))
		return PTR_ERR(macc);
	if (!macc->needs_pin) {
		rc = -EOPNOTSUPP;
		goto out_fput;
	}

	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		rc = -ENOMEM;
		goto out_fput;
	}
	pin = kzalloc(sizeof(*pin), GFP_KERNEL_ACCOUNT);
	if (!pin) {
		rc = -ENOMEM;
		goto out_free_pages;
	}
	pin->iova = iova;
	pin->length = length;

	/*
	 * Holding the lock across the pin makes an unmap that races with us
	 * wait until the pin is recorded, so its callback finds and drops it.
	 */
	mutex_lock(&macc->lock);
	rc = iommufd_access_pin_pages(macc->access, iova, length, pages,
				      (flags & MOCK_FLAGS_ACCESS_WRITE) ?
					      IOMMUFD_ACCESS_RW_WRITE : 0);
	if (rc)
		goto out_unlock;

	/* syzkaller passes no buffer */
	if (uptr) {
		rc = mock_check_pinned((uptr - offset_in_page(iova)) &
					       PAGE_MASK,
				       pages, npages);
		if (rc)
			goto err_unpin;
	}

	rc = xa_alloc(&macc->pins, &pin_id, pin, xa_limit_32b,
		      GFP_KERNEL_ACCOUNT);
	if (rc)
		goto err_unpin;

	cmd->access_pages.out_access_pages_id = pin_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_erase;
	pin = NULL;
	goto out_unlock;

err_erase:
	xa_erase(&macc->pins, pin_id);
err_unpin:
	iommufd_access_unpin_pages(macc->access, iova, length);
out_unlock:
	mutex_unlock(&macc->lock);
	kfree(pin);
out_free_pages:
	kvfree(pages);
out_fput:
	fput(file);
	return rc;
}

static int mock_op_destroy_access_pages(struct iommufd_ucmd *ucmd,
					struct iommu_test_cmd *cmd)
{
	struct mock_access *macc;
	struct mock_pin *pin;
	struct file *file;

	macc = mock_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(macc))
		return PTR_ERR(macc);

	mutex_lock(&macc->lock);
	pin = xa_erase(&macc->pins, cmd->destroy_access_pages.access_pages_id);
	if (pin)
		iommufd_access_unpin_pages(macc->access, pin->iova,
					   pin->length);
	mutex_unlock(&macc->lock);
	fput(file);

	if (!pin)
		return -ENOENT;
	kfree(pin);
	return 0;
}

static_assert((unsigned int)MOCK_ACCESS_RW_WRITE ==
	      (unsigned int)IOMMUFD_ACCESS_RW_WRITE);
static_assert((unsigned int)MOCK_ACCESS_RW_SLOW_PATH ==
	      (unsigned int)__IOMMUFD_ACCESS_RW_SLOW_PATH);

static int mock_op_access_rw(struct iommufd_ucmd *ucmd,
			     struct iommu_test_cmd *cmd)
{
	void __user *ubuf = u64_to_user_ptr(cmd->access_rw.uptr);
	unsigned long length = cmd->access_rw.length;
	u32 flags = cmd->access_rw.flags;
	struct mock_access *macc;
	struct file *file;
	void *buf;
	int rc;

	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH))
		return -EOPNOTSUPP;
	if (length > MOCK_ACCESS_MAX_LENGTH)
		return -E2BIG;

	macc = mock_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(macc))
		return PTR_ERR(macc);

	buf = kvzalloc(length, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		rc = -ENOMEM;
		goto out_fput;
	}
	if ((flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_from_user(buf, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}

	/* The MOCK_ACCESS_RW_* values are the IOMMUFD_ACCESS_RW_* ones */
	rc = iommufd_access_rw(macc->access, cmd->access_rw.iova, buf, length,
			       flags);
	if (rc)
		goto out_free;
	if (!(flags & MOCK_ACCESS_RW_WRITE) && copy_to_user(ubuf, buf, length))
		rc = -EFAULT;

out_free:
	kvfree(buf);
out_fput:
	fput(file);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Mock dma-buf exporter                                                    */
/* ------------------------------------------------------------------------ */

/*
 * A dma-buf backed by physically contiguous kernel memory. It cannot be
 * mapped through a scatterlist: importers (iommufd) ask for its physical
 * range with iommufd_test_dmabuf_phys() instead. Revoking it tells every
 * importer through a move notification.
 */
enum { MOCK_DMABUF_MAX_PAGES = 512 };

/*
 * struct mock_dmabuf - private data of a mock dma-buf
 * @length: bytes, a multiple of PAGE_SIZE
 * @memory: the buffer
 * @revoked: importers must not use the buffer; under the reservation lock
 */
struct mock_dmabuf {
	size_t length;
	void *memory;
	bool revoked;
};

static int mock_dmabuf_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attach)
{
	return 0;
}

static void mock_dmabuf_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attach)
{
}

/*
 * Being a dynamic exporter (pin and unpin) keeps 6.12's dma-buf core from
 * mapping the buffer through a scatterlist when iommufd attaches as a
 * dynamic importer. There is nothing to pin: the memory never moves.
 */
static int mock_dmabuf_pin(struct dma_buf_attachment *attach)
{
	return 0;
}

static void mock_dmabuf_unpin(struct dma_buf_attachment *attach)
{
}

static struct sg_table *mock_dmabuf_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void mock_dmabuf_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
}

static void mock_dmabuf_release(struct dma_buf *dmabuf)
{
	struct mock_dmabuf *mdmabuf = dmabuf->priv;

	free_pages_exact(mdmabuf->memory, mdmabuf->length);
	kfree(mdmabuf);
}

static const struct dma_buf_ops mock_dmabuf_ops = {
	.attach = mock_dmabuf_attach,
	.detach = mock_dmabuf_detach,
	.pin = mock_dmabuf_pin,
	.unpin = mock_dmabuf_unpin,
	.map_dma_buf = mock_dmabuf_map,
	.unmap_dma_buf = mock_dmabuf_unmap,
	.release = mock_dmabuf_release,
};

/**
 * iommufd_test_dmabuf_phys() - Physical range of a mock dma-buf
 * @dmabuf: any dma-buf, its reservation lock held
 * @paddr: output, physical address of the buffer
 * @len: output, its length in bytes
 *
 * Return: 0, -EOPNOTSUPP if @dmabuf is not the mock's, -ENODEV if revoked.
 */
int iommufd_test_dmabuf_phys(struct dma_buf *dmabuf, phys_addr_t *paddr,
			     size_t *len)
{
	struct mock_dmabuf *mdmabuf;

	if (dmabuf->ops != &mock_dmabuf_ops)
		return -EOPNOTSUPP;
	dma_resv_assert_held(dmabuf->resv);

	mdmabuf = dmabuf->priv;
	if (mdmabuf->revoked)
		return -ENODEV;
	*paddr = virt_to_phys(mdmabuf->memory);
	*len = mdmabuf->length;
	return 0;
}

/* The new dma-buf's fd is the result of the ioctl */
static int mock_op_dmabuf_get(struct iommufd_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	size_t length = PAGE_ALIGN((size_t)cmd->dmabuf_get.length);
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct mock_dmabuf *mdmabuf;
	struct dma_buf *dmabuf;
	int rc;

	if (!length || length > MOCK_DMABUF_MAX_PAGES * PAGE_SIZE)
		return -EINVAL;
	if (cmd->dmabuf_get.open_flags & ~O_CLOEXEC)
		return -EINVAL;

	mdmabuf = kzalloc(sizeof(*mdmabuf), GFP_KERNEL_ACCOUNT);
	if (!mdmabuf)
		return -ENOMEM;
	mdmabuf->length = length;
	mdmabuf->memory = alloc_pages_exact(length, GFP_KERNEL_ACCOUNT |
							    __GFP_ZERO);
	if (!mdmabuf->memory) {
		rc = -ENOMEM;
		goto err_free;
	}

	exp_info.ops = &mock_dmabuf_ops;
	exp_info.size = length;
	exp_info.flags = O_RDWR;
	exp_info.priv = mdmabuf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		rc = PTR_ERR(dmabuf);
		goto err_free_memory;
	}

	rc = dma_buf_fd(dmabuf, cmd->dmabuf_get.open_flags);
	/* The last reference frees everything through the release op */
	if (rc < 0)
		dma_buf_put(dmabuf);
	return rc;

err_free_memory:
	free_pages_exact(mdmabuf->memory, length);
err_free:
	kfree(mdmabuf);
	return rc;
}

static int mock_op_dmabuf_revoke(struct iommufd_ucmd *ucmd,
				 struct iommu_test_cmd *cmd)
{
	struct mock_dmabuf *mdmabuf;
	struct dma_buf *dmabuf;
	int rc = 0;

	dmabuf = dma_buf_get(cmd->dmabuf_revoke.dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &mock_dmabuf_ops) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	mdmabuf = dmabuf->priv;
	dma_resv_lock(dmabuf->resv, NULL);
	mdmabuf->revoked = cmd->dmabuf_revoke.revoked;
	/* Importers drop their mappings; restoring notifies as well */
	dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);
out_put:
	dma_buf_put(dmabuf);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* IOMMU_TEST_CMD                                                           */
/* ------------------------------------------------------------------------ */

typedef int (*mock_op_fn)(struct iommufd_ucmd *ucmd,
			  struct iommu_test_cmd *cmd);

/* Ops without a handler fail with -EOPNOTSUPP */
static const mock_op_fn mock_op_table[] = {
	[IOMMU_TEST_OP_ADD_RESERVED] = mock_op_add_reserved,
	[IOMMU_TEST_OP_MOCK_DOMAIN] = mock_op_mock_domain,
	[IOMMU_TEST_OP_MD_CHECK_MAP] = mock_op_md_check_map,
	[IOMMU_TEST_OP_MD_CHECK_REFS] = mock_op_md_check_refs,
	[IOMMU_TEST_OP_CREATE_ACCESS] = mock_op_create_access,
	[IOMMU_TEST_OP_DESTROY_ACCESS_PAGES] = mock_op_destroy_access_pages,
	[IOMMU_TEST_OP_ACCESS_PAGES] = mock_op_access_pages,
	[IOMMU_TEST_OP_ACCESS_RW] = mock_op_access_rw,
	[IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT] = mock_op_set_temp_memory_limit,
	[IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE] = mock_op_mock_domain_replace,
	[IOMMU_TEST_OP_ACCESS_REPLACE_IOAS] = mock_op_access_replace_ioas,
	[IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS] = mock_op_mock_domain,
	[IOMMU_TEST_OP_DIRTY] = mock_op_dirty,
	[IOMMU_TEST_OP_MD_CHECK_IOTLB] = mock_op_md_check_iotlb,
	[IOMMU_TEST_OP_TRIGGER_IOPF] = mock_op_trigger_iopf,
	[IOMMU_TEST_OP_DEV_CHECK_CACHE] = mock_op_dev_check_cache,
	[IOMMU_TEST_OP_TRIGGER_VEVENT] = mock_op_trigger_vevent,
	[IOMMU_TEST_OP_PASID_ATTACH] = mock_op_pasid_attach,
	[IOMMU_TEST_OP_PASID_REPLACE] = mock_op_pasid_replace,
	[IOMMU_TEST_OP_PASID_DETACH] = mock_op_pasid_detach,
	[IOMMU_TEST_OP_PASID_CHECK_HWPT] = mock_op_pasid_check_hwpt,
	[IOMMU_TEST_OP_DMABUF_GET] = mock_op_dmabuf_get,
	[IOMMU_TEST_OP_DMABUF_REVOKE] = mock_op_dmabuf_revoke,
};

/**
 * iommufd_test() - Handler of IOMMU_TEST_CMD
 * @ucmd: the ioctl; ucmd->cmd is a struct iommu_test_cmd
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative errno; -EOPNOTSUPP for an unknown op or a
 * non-zero reserved field.
 */
int iommufd_test(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->op >= ARRAY_SIZE(mock_op_table) || !mock_op_table[cmd->op])
		return -EOPNOTSUPP;
	return mock_op_table[cmd->op](ucmd, cmd);
}

/**
 * iommufd_test_init() - Register the mock IOMMU and the fault attribute
 *
 * Context: Module init.
 * Return: 0 or a negative errno, with nothing left registered.
 */
int __init iommufd_test_init(void)
{
	int rc;

	/* Optional: only the fail-nth tests need it, and debugfs may be off */
	fail_iommufd_dir = fault_create_debugfs_attr("fail_iommufd", NULL,
						     &fail_iommufd);

	rc = bus_register(&mock_bus);
	if (rc)
		goto err_debugfs;

	rc = iommu_device_sysfs_add(&mock_iommu, NULL, NULL, "%s",
				    "iommufd-mock-iommu");
	if (rc)
		goto err_bus;

	if (IS_ENABLED(CONFIG_IOMMU_IOPF)) {
		mock_iopf_queue = iopf_queue_alloc("iommufd-mock-iopf");
		if (!mock_iopf_queue) {
			rc = -ENOMEM;
			goto err_sysfs;
		}
	}

	mock_iommu.max_pasids = 1U << MOCK_PASID_WIDTH;
	fwnode_init(&mock_iommu_fwnode, NULL);
	mock_iommu.fwnode = &mock_iommu_fwnode;
	rc = iommu_device_register_bus(&mock_iommu, &mock_ops, &mock_bus,
				       &mock_bus_nb);
	if (rc)
		goto err_iopf;
	return 0;

err_iopf:
	iopf_queue_free(mock_iopf_queue);
	mock_iopf_queue = NULL;
err_sysfs:
	iommu_device_sysfs_remove(&mock_iommu);
err_bus:
	bus_unregister(&mock_bus);
err_debugfs:
	debugfs_remove_recursive(fail_iommufd_dir);
	return rc;
}

/**
 * iommufd_test_exit() - Undo iommufd_test_init()
 *
 * Every mock device is gone by now: each belongs to an object of a context,
 * and a context keeps the module loaded.
 *
 * Context: Module exit.
 */
void iommufd_test_exit(void)
{
	/* balances iommu_device_register_bus() in iommufd_test_init() */
	iommu_device_unregister_bus(&mock_iommu, &mock_bus, &mock_bus_nb);
	/* balances iopf_queue_alloc() */
	iopf_queue_free(mock_iopf_queue);
	mock_iopf_queue = NULL;
	/* balances iommu_device_sysfs_add() */
	iommu_device_sysfs_remove(&mock_iommu);
	/* balances bus_register() */
	bus_unregister(&mock_bus);
	/* balances fault_create_debugfs_attr() */
	debugfs_remove_recursive(fail_iommufd_dir);
}
