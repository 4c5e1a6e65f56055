// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE of a dma-buf from the mock exporter (semantics-new.md
 * §2.1, §4.10): mapping, the range and revoke errors, access refusal,
 * revoke, domains added after a revoke, mapping again after an un-revoke,
 * and closing everything while mapped.
 *
 * The mock does not expose the buffer's physical address to userspace, so
 * what a mock domain maps is observed through IOMMU_TEST_OP_DIRTY: it marks
 * only IOVAs the domain maps and counts them.
 */
#include "iommufd_own_utils.h"

#define NPAGES 4
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define BASE ((__u64)MOCK_APERTURE_START)

static int dmabuf_get(int fd, __u32 length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = O_CLOEXEC },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int dmabuf_revoke(int fd, int dmabuf_fd, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dmabuf_fd, .revoked = revoked },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

static int access_pages(int fd, int access_fd, __u64 iova, __u64 length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = { .iova = iova, .length = length },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* A mock HWPT with dirty tracking on, attached to nothing yet */
static int dirty_hwpt(int fd, __u32 idev_id, __u32 ioas_id, __u32 *hwpt_id)
{
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	int rc;

	rc = own_hwpt_alloc(fd, idev_id, ioas_id,
			    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, hwpt_id);
	if (rc)
		return rc;
	track.hwpt_id = *hwpt_id;
	return OWN_ERR(ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &track));
}

/* Number of CPU pages of [iova, iova + npages pages) the mock HWPT maps */
static long mapped_pages(int fd, __u32 hwpt_id, __u64 iova, long psz,
			 unsigned int npages)
{
	__u64 bits = (1ULL << npages) - 1;
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt_id,
		.dirty = { .iova = iova, .length = npages * psz,
			   .page_size = psz, .uptr = (uintptr_t)&bits },
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		return -errno;
	return cmd.dirty.out_nr_dirty;
}

FIXTURE(dmabuf_map)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 hwpt_id;
	int dfd;
	long psz;
	size_t len;
};

FIXTURE_SETUP(dmabuf_map)
{
	self->psz = own_page_size();
	self->len = NPAGES * self->psz;
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
				     &self->stdev_id, NULL, &self->idev_id));
	ASSERT_EQ(0, dirty_hwpt(self->fd, self->idev_id, self->ioas_id,
				&self->hwpt_id));
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->hwpt_id));
	self->dfd = dmabuf_get(self->fd, self->len);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(dmabuf_map)
{
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dmabuf_map, map_unmap)
{
	__u64 iova = 0, fixed = BASE, out;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, RW, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, self->hwpt_id, iova,
				       self->psz, NPAGES));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, &out));
	ASSERT_EQ(self->len, out);
	ASSERT_EQ(0, mapped_pages(self->fd, self->hwpt_id, iova, self->psz,
				  NPAGES));

	/* Part of the buffer, at a chosen IOVA; the neighbours stay empty */
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd,
				  self->psz, 2 * self->psz, &fixed));
	ASSERT_EQ(BASE, fixed);
	ASSERT_EQ(2, mapped_pages(self->fd, self->hwpt_id, BASE - self->psz,
				  self->psz, NPAGES));

	/* The mapping holds the dma-buf: the fd may go */
	close(self->dfd);
	self->dfd = -1;
	ASSERT_EQ(2, mapped_pages(self->fd, self->hwpt_id, BASE, self->psz,
				  2));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE, 2 * self->psz,
			       &out));
	ASSERT_EQ(2 * self->psz, out);
}

TEST_F(dmabuf_map, errors)
{
	__u64 iova = 0;

	/* Starting at the size, one byte too long, zero length */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, RW, self->dfd,
				       self->len, self->psz, &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, RW, self->dfd,
				       0, self->len + 1, &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, RW, self->dfd,
				       self->psz, self->len, &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, RW, self->dfd,
				       0, 0, &iova));
	ASSERT_EQ(EOVERFLOW, own_map_file(self->fd, self->ioas_id, RW,
					  self->dfd, -2ULL, 4, &iova));

	/* A revoked buffer cannot be mapped */
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, true));
	ASSERT_EQ(ENODEV, own_map_file(self->fd, self->ioas_id, RW, self->dfd,
				       0, self->len, &iova));
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, false));

	/* Placement errors are those of any mapping */
	iova = BASE;
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(EEXIST, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->dfd, 0, self->len, &iova));
	iova = BASE + self->len + 1;
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->dfd, 0, self->len, &iova));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE, self->len, NULL));
}

TEST_F(dmabuf_map, no_access)
{
	__u64 iova = BASE;
	char buf[16];
	int afd;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &afd));
	ASSERT_EQ(EINVAL, access_pages(self->fd, afd, BASE, self->psz));
	ASSERT_EQ(EINVAL, own_access_rw(self->fd, afd, BASE, buf, sizeof(buf),
					0));
	ASSERT_EQ(EINVAL, own_access_rw(self->fd, afd, BASE, buf, sizeof(buf),
					MOCK_ACCESS_RW_SLOW_PATH));
	ASSERT_EQ(EINVAL, own_access_rw(self->fd, afd, BASE, buf, sizeof(buf),
					MOCK_ACCESS_RW_WRITE));
	close(afd);
	/* Nothing was pinned, so the unmap needs nobody's help */
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE, self->len, NULL));
}

TEST_F(dmabuf_map, revoke)
{
	__u32 stdev2, idev2, hwpt2;
	__u64 iova = BASE, other = 0, out;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, self->hwpt_id, BASE,
				       self->psz, NPAGES));

	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, true));
	ASSERT_EQ(0, mapped_pages(self->fd, self->hwpt_id, BASE, self->psz,
				  NPAGES));
	ASSERT_EQ(ENODEV, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->dfd, 0, self->len, &iova));

	/* A domain added now skips the revoked area */
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, &stdev2, NULL,
				     &idev2));
	ASSERT_EQ(0, dirty_hwpt(self->fd, idev2, self->ioas_id, &hwpt2));
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, stdev2, hwpt2));
	ASSERT_EQ(0, mapped_pages(self->fd, hwpt2, BASE, self->psz, NPAGES));

	/* Un-revoking brings nothing back, a new mapping works */
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, false));
	ASSERT_EQ(0, mapped_pages(self->fd, self->hwpt_id, BASE, self->psz,
				  NPAGES));
	/* The revoked area keeps its IOVA */
	ASSERT_EQ(EEXIST, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->dfd, 0, self->len, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, RW, self->dfd, 0,
				  self->len, &other));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, self->hwpt_id, other,
				       self->psz, NPAGES));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, hwpt2, other, self->psz,
				       NPAGES));

	/* The revoked area unmaps normally; its IOVA can be mapped again */
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE, self->len, &out));
	ASSERT_EQ(self->len, out);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, self->hwpt_id, BASE,
				       self->psz, NPAGES));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, hwpt2, BASE, self->psz,
				       NPAGES));

	/* Both live mappings go with the next revoke, in both domains */
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, true));
	ASSERT_EQ(0, mapped_pages(self->fd, self->hwpt_id, BASE, self->psz,
				  NPAGES));
	ASSERT_EQ(0, mapped_pages(self->fd, hwpt2, other, self->psz, NPAGES));

	/* Detaching a domain from revoked areas has nothing to undo */
	ASSERT_EQ(0, own_destroy(self->fd, stdev2));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &out));
	ASSERT_EQ(2 * self->len, out);
}

TEST_F(dmabuf_map, copy)
{
	__u64 iova = BASE, dst = 0;
	__u32 ioas2, stdev2, idev2, hwpt2;

	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, &stdev2, NULL,
				     &idev2));
	ASSERT_EQ(0, dirty_hwpt(self->fd, idev2, ioas2, &hwpt2));
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, stdev2, hwpt2));

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_copy(self->fd, ioas2, self->ioas_id, RW, BASE,
			      self->len, &dst));
	ASSERT_EQ(NPAGES, mapped_pages(self->fd, hwpt2, dst, self->psz,
				       NPAGES));

	/* One revoke reaches every copy */
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, true));
	ASSERT_EQ(0, mapped_pages(self->fd, hwpt2, dst, self->psz, NPAGES));
	ASSERT_EQ(0, mapped_pages(self->fd, self->hwpt_id, BASE, self->psz,
				  NPAGES));
	ASSERT_EQ(0, own_unmap(self->fd, ioas2, dst, self->len, NULL));
}

/* Release of a context with dma-buf areas mapped, revoked or not */
TEST_F(dmabuf_map, close_mapped)
{
	__u64 iova = BASE, other = 0;
	int dfd2;

	dfd2 = dmabuf_get(self->fd, self->len);
	ASSERT_LE(0, dfd2);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->dfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, RW, dfd2, 0,
				  self->len, &other));
	ASSERT_EQ(0, dmabuf_revoke(self->fd, dfd2, true));
	close(dfd2);

	close(self->fd);
	self->fd = -1;

	/* The dma-buf has no importer left; its exporter still works */
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, true));
	ASSERT_EQ(0, dmabuf_revoke(self->fd, self->dfd, false));
}

TEST_HARNESS_MAIN
