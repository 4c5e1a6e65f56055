// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO container API of iommufd (vfio_compat.c), driven through
 * /dev/iommu with mock devices standing in for VFIO groups, as the tree's
 * vfio_compat_mock_domain fixture does: an IOAS is made the compat IOAS with
 * IOMMU_VFIO_IOAS SET, a mock device attached to it plays the group's device.
 *
 * Covered (issue 7): unmap semantics of type1 and type1v2, UNMAP_ALL,
 * unmapping an empty range, the GET_INFO capability chain as legacy type1
 * lays it out, the geometry reported before any device is attached, and
 * VFIO_IOMMU_DIRTY_PAGES with the mock's dirty tracking and without it.
 */
#include <dirent.h>
#include <linux/vfio.h>

#include "iommufd_own_utils.h"

#define BASE ((__u64)MOCK_APERTURE_START)
#define NPAGES 64

static int vfio_map(int fd, void *va, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return OWN_ERR(ioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd));
}

/* *size: in, the length to unmap; out, what the kernel reports */
static int vfio_unmap(int fd, __u32 flags, __u64 iova, __u64 *size)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iova = iova,
		.size = *size,
	};
	int rc = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);

	if (!rc)
		*size = cmd.size;
	return OWN_ERR(rc);
}

static int set_compat(int fd, __u32 ioas_id)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_SET,
		.ioas_id = ioas_id,
	};

	return OWN_ERR(ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
}

static int dirty_op(int fd, __u32 flags)
{
	struct vfio_iommu_type1_dirty_bitmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
	};

	return OWN_ERR(ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, &cmd));
}

static int dirty_get(int fd, __u64 iova, __u64 size, __u64 pgsize,
		     __u64 *bitmap, __u64 bitmap_size)
{
	struct {
		struct vfio_iommu_type1_dirty_bitmap hdr;
		struct vfio_iommu_type1_dirty_bitmap_get get;
	} cmd = {
		.hdr = {
			.argsz = sizeof(cmd),
			.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		},
		.get = {
			.iova = iova,
			.size = size,
			.bitmap = {
				.pgsize = pgsize,
				.size = bitmap_size,
				.data = bitmap,
			},
		},
	};

	return OWN_ERR(ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, &cmd));
}

/* GET_INFO with room for the whole chain; caller frees */
static struct vfio_iommu_type1_info *get_info(int fd)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;

	if (ioctl(fd, VFIO_IOMMU_GET_INFO, &probe))
		return NULL;
	info = calloc(1, probe.argsz);
	if (!info)
		return NULL;
	info->argsz = probe.argsz;
	if (ioctl(fd, VFIO_IOMMU_GET_INFO, info)) {
		free(info);
		return NULL;
	}
	return info;
}

static struct vfio_info_cap_header *
find_cap(struct vfio_iommu_type1_info *info, __u16 id)
{
	__u32 off = info->cap_offset;
	unsigned int guard = 0;

	while (off && off + sizeof(struct vfio_info_cap_header) <=
			      info->argsz && guard++ < 16) {
		struct vfio_info_cap_header *cap = (void *)info + off;

		if (cap->id == id)
			return cap;
		off = cap->next;
	}
	return NULL;
}

/* Any IOMMU group on the system besides the mock devices' groups? */
static bool has_real_groups(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/iommu_group", de->d_name);
		found = !access(path, F_OK);
	}
	closedir(d);
	return found;
}

FIXTURE(vfio_compat)
{
	int fd;
	long psz;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
	void *buf;
};

FIXTURE_VARIANT(vfio_compat)
{
	unsigned long type;
	/* Mock device without dirty tracking: type1's "all dirty" answer */
	__u32 dev_flags;
};

FIXTURE_VARIANT_ADD(vfio_compat, type1v2)
{
	.type = VFIO_TYPE1v2_IOMMU,
};

FIXTURE_VARIANT_ADD(vfio_compat, type1)
{
	.type = VFIO_TYPE1_IOMMU,
};

FIXTURE_VARIANT_ADD(vfio_compat, type1v2_no_dirty)
{
	.type = VFIO_TYPE1v2_IOMMU,
	.dev_flags = MOCK_FLAGS_DEVICE_NO_DIRTY,
};

FIXTURE_SETUP(vfio_compat)
{
	self->psz = own_page_size();
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	/* Compat first: the mock device then gets the compat automatic domain */
	ASSERT_EQ(0, set_compat(self->fd, self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id,
				     variant->dev_flags, &self->stdev_id,
				     &self->hwpt_id, NULL));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, variant->type));
	self->buf = mmap(NULL, NPAGES * self->psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(vfio_compat)
{
	munmap(self->buf, NPAGES * self->psz);
	close(self->fd);
}

TEST_F(vfio_compat, unmap_partial)
{
	__u64 size;

	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, 4 * self->psz));

	size = self->psz;
	if (variant->type == VFIO_TYPE1v2_IOMMU) {
		/* v2 never splits a mapping, neither inside nor at an end */
		EXPECT_EQ(ENOENT, vfio_unmap(self->fd, 0, BASE + self->psz,
					     &size));
		size = self->psz;
		EXPECT_EQ(ENOENT, vfio_unmap(self->fd, 0, BASE, &size));
		size = 4 * self->psz;
		ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
		EXPECT_EQ(4 * self->psz, size);
		return;
	}

	/* v1: exactly the page asked for goes, the rest stays mapped */
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE + self->psz, &size));
	EXPECT_EQ(self->psz, size);
	/* ... so mapping it again works and mapping a neighbour does not */
	EXPECT_EQ(0, vfio_map(self->fd, self->buf, BASE + self->psz,
			      self->psz));
	EXPECT_EQ(EEXIST, vfio_map(self->fd, self->buf, BASE, self->psz));
	size = 2 * self->psz;
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
	EXPECT_EQ(2 * self->psz, size);
	size = 4 * self->psz;
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
	EXPECT_EQ(2 * self->psz, size);
}

TEST_F(vfio_compat, unmap_empty)
{
	__u64 size = 16 * self->psz;

	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
	EXPECT_EQ(0, size);

	/* A hole between two mappings; both survive */
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, self->psz));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE + 4 * self->psz,
			      self->psz));
	size = 3 * self->psz;
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE + self->psz, &size));
	EXPECT_EQ(0, size);
	size = 5 * self->psz;
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
	EXPECT_EQ(2 * self->psz, size);

	/* Size 0 or a wrapping range is not "empty", it is invalid */
	size = 0;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, 0, BASE, &size));
	size = 2 * self->psz;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, 0, UINT64_MAX - self->psz + 1,
				     &size));
}

TEST_F(vfio_compat, unmap_all)
{
	__u64 size;

	ASSERT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, 2 * self->psz));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE + 8 * self->psz,
			      3 * self->psz));

	/* ALL takes no range */
	size = self->psz;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0,
				     &size));
	size = 0;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, BASE,
				     &size));
	/* Unknown flags */
	size = self->psz;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, 1U << 31, BASE, &size));

	size = 0;
	ASSERT_EQ(0, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size));
	EXPECT_EQ(5 * self->psz, size);
	size = 0;
	ASSERT_EQ(0, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size));
	EXPECT_EQ(0, size);
	/* Everything is free again */
	EXPECT_EQ(0, vfio_map(self->fd, self->buf, BASE, 4 * self->psz));
}

/* The errno type1 gives for requests it refuses */
TEST_F(vfio_compat, refused)
{
	__u64 size;

	EXPECT_EQ(EINVAL, vfio_map(self->fd, self->buf, BASE, 0));
	EXPECT_EQ(EINVAL, vfio_map(self->fd, self->buf, BASE + 1, self->psz));
	EXPECT_EQ(EINVAL, vfio_map(self->fd, self->buf, BASE, self->psz + 1));
	EXPECT_EQ(EINVAL, vfio_map(self->fd, self->buf,
				   UINT64_MAX - self->psz + 1, 2 * self->psz));
	EXPECT_EQ(EINVAL, vfio_map(self->fd, (void *)(UINTPTR_MAX -
						   self->psz + 1),
				   BASE, 2 * self->psz));
	/* Outside the mock's aperture */
	EXPECT_EQ(EINVAL, vfio_map(self->fd, self->buf, 0, self->psz));

	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, 2 * self->psz));
	size = self->psz;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, 0, BASE + 1, &size));
	size = self->psz + 1;
	EXPECT_EQ(EINVAL, vfio_unmap(self->fd, 0, BASE, &size));
	size = 2 * self->psz;
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, BASE, &size));
	EXPECT_EQ(2 * self->psz, size);
}

/*
 * The chain as legacy type1 builds it: migration, DMA available, IOVA
 * ranges; 8-byte aligned entries; argsz raised only when too small.
 */
TEST_F(vfio_compat, get_info_chain)
{
	static const __u16 order[] = {
		VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
		VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
		VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
	};
	struct vfio_iommu_type1_info_cap_migration *mig;
	struct vfio_iommu_type1_info_cap_iova_range *iova;
	struct vfio_iommu_type1_info_dma_avail *avail;
	struct vfio_iommu_type1_info small = { .argsz = sizeof(small) };
	struct vfio_iommu_type1_info *info;
	__u32 off, need;
	unsigned int i;
	char *big;

	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_GET_INFO, &small));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
		  small.flags);
	EXPECT_EQ(0, small.cap_offset);
	need = small.argsz;
	/* header + migration 32 + DMA avail 16 + one IOVA range 32 */
	EXPECT_EQ(sizeof(small) + 32 + 16 + 32, need);

	info = get_info(self->fd);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(need, info->argsz);
	EXPECT_EQ(sizeof(*info), info->cap_offset);
	EXPECT_EQ(small.iova_pgsizes, info->iova_pgsizes);
	/* The smallest page size is the CPU's (the mock's 2K pages fold) */
	EXPECT_EQ(self->psz, info->iova_pgsizes & -info->iova_pgsizes);

	off = info->cap_offset;
	for (i = 0; i != 3; i++) {
		struct vfio_info_cap_header *cap = (void *)info + off;

		ASSERT_NE(0, off);
		ASSERT_EQ(0, off % 8);
		ASSERT_LE(off + sizeof(*cap), info->argsz);
		EXPECT_EQ(order[i], cap->id);
		EXPECT_EQ(1, cap->version);
		if (cap->next)
			ASSERT_LT(off, cap->next);
		off = cap->next;
	}
	EXPECT_EQ(0, off);

	mig = (void *)find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	ASSERT_NE(NULL, mig);
	EXPECT_EQ(0, mig->flags);
	EXPECT_EQ(self->psz, mig->pgsize_bitmap);
	EXPECT_LT(0, mig->max_dirty_bitmap_size);

	avail = (void *)find_cap(info, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	ASSERT_NE(NULL, avail);
	EXPECT_EQ(UINT32_MAX, avail->avail);

	iova = (void *)find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_NE(NULL, iova);
	ASSERT_EQ(1, iova->nr_iovas);
	EXPECT_EQ(MOCK_APERTURE_START, iova->iova_ranges[0].start);
	EXPECT_EQ(MOCK_APERTURE_LAST, iova->iova_ranges[0].end);
	free(info);

	/* A larger buffer: argsz stays as given, nothing written past need */
	big = calloc(1, need + 64);
	ASSERT_NE(NULL, big);
	memset(big, 0xaa, need + 64);
	info = (void *)big;
	memset(info, 0, sizeof(*info));
	info->argsz = need + 64;
	ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_GET_INFO, info));
	EXPECT_EQ(need + 64, info->argsz);
	EXPECT_EQ(sizeof(*info), info->cap_offset);
	for (i = need; i != need + 64; i++)
		ASSERT_EQ(0xaa, (unsigned char)big[i]);
	free(big);
}

/*
 * Before a device is attached to the compat IOAS, GET_INFO reports what
 * every IOMMU group of the system can use. In this fixture the mock device
 * on the fixture's IOAS is such a group, so a second context whose compat
 * IOAS has no device sees its geometry (alone, when no real IOMMU groups
 * exist).
 */
TEST_F(vfio_compat, geometry_other_context)
{
	struct vfio_iommu_type1_info_cap_iova_range *r0, *r1;
	struct vfio_iommu_type1_info *with, *without;
	__u32 ioas_id;
	unsigned int i;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, set_compat(fd, ioas_id));
	ASSERT_EQ(0, ioctl(fd, VFIO_SET_IOMMU, variant->type));

	with = get_info(self->fd);
	without = get_info(fd);
	ASSERT_NE(NULL, with);
	ASSERT_NE(NULL, without);
	r0 = (void *)find_cap(with, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	r1 = (void *)find_cap(without, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_NE(NULL, r0);
	ASSERT_NE(NULL, r1);
	ASSERT_LT(0, r1->nr_iovas);

	/* Never more than the group can use */
	EXPECT_EQ(0, without->iova_pgsizes & ~with->iova_pgsizes);
	EXPECT_EQ(self->psz, without->iova_pgsizes & -without->iova_pgsizes);
	for (i = 0; i != r1->nr_iovas; i++) {
		EXPECT_LE(MOCK_APERTURE_START, r1->iova_ranges[i].start);
		EXPECT_GE(MOCK_APERTURE_LAST, r1->iova_ranges[i].end);
	}
	if (!has_real_groups()) {
		EXPECT_EQ(with->iova_pgsizes, without->iova_pgsizes);
		ASSERT_EQ(1, r1->nr_iovas);
		EXPECT_EQ(MOCK_APERTURE_START, r1->iova_ranges[0].start);
		EXPECT_EQ(MOCK_APERTURE_LAST, r1->iova_ranges[0].end);
	}
	free(with);
	free(without);
	close(fd);
}

TEST_F(vfio_compat, dirty_pages)
{
	struct vfio_iommu_type1_info_cap_migration *mig;
	struct vfio_iommu_type1_info *info;
	__u64 len = NPAGES * self->psz;
	__u64 bitmap[NPAGES / 64 + 1];
	/* pages 0, 5 and 63 written by the "device" */
	__u64 bits = (1ULL << 0) | (1ULL << 5) | (1ULL << 63);
	bool hw = !(variant->dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	__u64 size;

	info = get_info(self->fd);
	ASSERT_NE(NULL, info);
	mig = (void *)find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	ASSERT_NE(NULL, mig);
	EXPECT_EQ(self->psz, mig->pgsize_bitmap);
	free(info);

	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, len));

	/* Not started: type1 refuses */
	EXPECT_EQ(EINVAL, dirty_get(self->fd, BASE, len, self->psz, bitmap,
				    sizeof(bitmap)));
	/* Stopping what was not started is fine, as is starting twice */
	EXPECT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
	ASSERT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	ASSERT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* One operation per call */
	EXPECT_EQ(EINVAL, dirty_op(self->fd,
				   VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
					   VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));

	/* Granule and alignment rules */
	EXPECT_EQ(EINVAL, dirty_get(self->fd, BASE, len, 2 * self->psz,
				    bitmap, sizeof(bitmap)));
	EXPECT_EQ(EINVAL, dirty_get(self->fd, BASE + 1, len, self->psz,
				    bitmap, sizeof(bitmap)));
	EXPECT_EQ(EINVAL, dirty_get(self->fd, BASE, len, self->psz, bitmap,
				    4));

	if (hw) {
		ASSERT_EQ(0, own_mock_set_dirty(self->fd, self->hwpt_id,
						BASE, len, self->psz, &bits));
	} else {
		/* No tracking in this domain: the mock refuses */
		EXPECT_NE(0, own_mock_set_dirty(self->fd, self->hwpt_id,
						BASE, len, self->psz, &bits));
	}

	memset(bitmap, 0xff, sizeof(bitmap));
	ASSERT_EQ(0, dirty_get(self->fd, BASE, len, self->psz, bitmap,
			       sizeof(bitmap)));
	EXPECT_EQ(hw ? bits : UINT64_MAX, bitmap[0]);
	/* Beyond the range asked for, the bitmap is left alone */
	EXPECT_EQ(UINT64_MAX, bitmap[1]);

	/* Read and cleared; type1's answer stays "everything mapped" */
	ASSERT_EQ(0, dirty_get(self->fd, BASE, len, self->psz, bitmap,
			       sizeof(bitmap)));
	EXPECT_EQ(hw ? 0 : UINT64_MAX, bitmap[0]);

	/* A window over a hole: only mapped pages can be dirty */
	size = 0;
	ASSERT_EQ(0, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, 8 * self->psz));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf + 32 * self->psz,
			      BASE + 32 * self->psz, 32 * self->psz));
	if (hw)
		ASSERT_EQ(0, own_mock_set_dirty(self->fd, self->hwpt_id,
						BASE, len, self->psz, &bits));
	ASSERT_EQ(0, dirty_get(self->fd, BASE, len, self->psz, bitmap,
			       sizeof(bitmap)));
	EXPECT_EQ(hw ? (1ULL << 0) | (1ULL << 5) | (1ULL << 63) :
		       0xffULL | 0xffffffff00000000ULL,
		  bitmap[0]);

	ASSERT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
	EXPECT_EQ(EINVAL, dirty_get(self->fd, BASE, len, self->psz, bitmap,
				    sizeof(bitmap)));
}

/*
 * A domain that joins the compat IOAS while tracking is on tracks too: its
 * dirty bits show up without a new START.
 */
TEST_F(vfio_compat, dirty_pages_new_domain)
{
	__u64 len = NPAGES * self->psz;
	__u64 bitmap[NPAGES / 64];
	__u64 bits = 1ULL << 7;
	__u32 idev_id, hwpt_id;

	if (variant->dev_flags & MOCK_FLAGS_DEVICE_NO_DIRTY)
		SKIP(return, "needs a device that tracks dirty pages");
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, NULL, NULL,
				     &idev_id));
	ASSERT_EQ(0, vfio_map(self->fd, self->buf, BASE, len));
	ASSERT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* The mock accepts IOMMU_TEST_OP_DIRTY only while tracking is on */
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt_id));
	ASSERT_EQ(0, own_mock_set_dirty(self->fd, hwpt_id, BASE, len,
					self->psz, &bits));
	ASSERT_EQ(0, dirty_get(self->fd, BASE, len, self->psz, bitmap,
			       sizeof(bitmap)));
	EXPECT_EQ(bits, bitmap[0]);

	/* After STOP the domain no longer tracks */
	ASSERT_EQ(0, dirty_op(self->fd, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
	EXPECT_EQ(EINVAL, own_mock_set_dirty(self->fd, hwpt_id, BASE, len,
					     self->psz, &bits));
	ASSERT_EQ(0, own_destroy(self->fd, hwpt_id));
}

TEST_HARNESS_MAIN
