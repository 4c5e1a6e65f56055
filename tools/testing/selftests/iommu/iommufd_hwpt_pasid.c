// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device and HWPT behaviour the tree's kselftests do not reach: the PASID
 * attach/replace/detach rules (including the rollback of a replace the
 * driver refuses) and the argument guards of IOMMU_HWPT_GET_DIRTY_BITMAP,
 * where a granule up to 2^63 must give a clean result, never a crash.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "iommufd_utils.h"

/* A PASID inside the mock's 20-bit PASID space */
#define TEST_PASID 100

/* teardown_iommufd() checks that this buffer has no pins left */
static __attribute__((constructor)) void setup_buffer(void)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
	BUFFER_SIZE = 16 * PAGE_SIZE;
	buffer = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert(buffer != MAP_FAILED);
}

static int pasid_op(int fd, __u32 op, __u32 stdev_id, __u32 pasid,
		    __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev_id,
	};

	switch (op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		cmd.pasid_attach.pasid = pasid;
		cmd.pasid_attach.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		cmd.pasid_replace.pasid = pasid;
		cmd.pasid_replace.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		cmd.pasid_detach.pasid = pasid;
		break;
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		cmd.pasid_check.pasid = pasid;
		cmd.pasid_check.hwpt_id = pt_id;
		break;
	}
	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

#define pasid_ok(op, pasid, pt_id)                                      \
	ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_##op,       \
			      self->stdev_id, pasid, pt_id))
#define pasid_err(_errno, op, pasid, pt_id)                             \
	EXPECT_ERRNO(_errno, pasid_op(self->fd, IOMMU_TEST_OP_PASID_##op, \
				      self->stdev_id, pasid, pt_id))

FIXTURE(hwpt_pasid)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 compat[2];	/* PASID-compatible paging HWPTs */
	__u32 plain;		/* a paging HWPT without IOMMU_HWPT_ALLOC_PASID */
};

FIXTURE_SETUP(hwpt_pasid)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_cmd_mock_domain_flags(self->ioas_id, MOCK_FLAGS_DEVICE_PASID,
				   &self->stdev_id, NULL, &self->idev_id);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_PASID, &self->compat[0]);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_PASID, &self->compat[1]);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id, 0, &self->plain);
	/* The RID must not sit on a HWPT that excludes PASIDs */
	test_cmd_mock_domain_replace(self->stdev_id, self->compat[0]);
}

FIXTURE_TEARDOWN(hwpt_pasid)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F(hwpt_pasid, attach_rules)
{
	/* Only PASID-compatible HWPTs; an IOAS means a non-compatible one */
	pasid_err(EINVAL, ATTACH, TEST_PASID, self->plain);
	pasid_err(EINVAL, ATTACH, TEST_PASID, self->ioas_id);
	pasid_err(EINVAL, ATTACH, 1 << MOCK_PASID_WIDTH, self->compat[0]);
	pasid_ok(CHECK_HWPT, TEST_PASID, 0);

	pasid_ok(ATTACH, TEST_PASID, self->compat[1]);
	pasid_ok(CHECK_HWPT, TEST_PASID, self->compat[1]);
	/* Attach never overwrites, whatever the target */
	pasid_err(EBUSY, ATTACH, TEST_PASID, self->compat[1]);
	pasid_err(EBUSY, ATTACH, TEST_PASID, self->compat[0]);
	/* The attachment holds the HWPT */
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(self->fd, self->compat[1]));

	/* The RID cannot move to a HWPT that excludes PASIDs now */
	test_err_mock_domain_replace(EINVAL, self->stdev_id, self->plain);
	test_err_mock_domain_replace(EINVAL, self->stdev_id, self->ioas_id);

	pasid_ok(DETACH, TEST_PASID, 0);
	pasid_ok(CHECK_HWPT, TEST_PASID, 0);
	/* Detaching again is a no-op */
	pasid_ok(DETACH, TEST_PASID, 0);

	test_cmd_mock_domain_replace(self->stdev_id, self->plain);
	/* ... and with the RID there, no PASID can attach */
	pasid_err(EINVAL, ATTACH, TEST_PASID, self->compat[0]);
	test_ioctl_destroy(self->compat[1]);
}

TEST_F(hwpt_pasid, replace)
{
	/* Nothing to replace */
	pasid_err(EINVAL, REPLACE, TEST_PASID, self->compat[0]);

	pasid_ok(ATTACH, TEST_PASID, self->compat[0]);
	pasid_ok(REPLACE, TEST_PASID, self->compat[1]);
	pasid_ok(CHECK_HWPT, TEST_PASID, self->compat[1]);
	/* The old HWPT is free again, the new one is held */
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(self->fd, self->compat[1]));

	/* Same HWPT: nothing happens */
	pasid_ok(REPLACE, TEST_PASID, self->compat[1]);
	pasid_ok(CHECK_HWPT, TEST_PASID, self->compat[1]);

	/* A refused target leaves the old attachment */
	pasid_err(EINVAL, REPLACE, TEST_PASID, self->plain);
	pasid_err(EINVAL, REPLACE, TEST_PASID, self->ioas_id);
	pasid_ok(CHECK_HWPT, TEST_PASID, self->compat[1]);

	pasid_ok(DETACH, TEST_PASID, 0);
	test_ioctl_destroy(self->compat[1]);
}

/* The mock fails the second non-blocking set of its reserved PASID */
TEST_F(hwpt_pasid, replace_rollback)
{
	pasid_ok(ATTACH, IOMMU_TEST_PASID_RESERVED, self->compat[0]);
	pasid_err(ENOMEM, REPLACE, IOMMU_TEST_PASID_RESERVED, self->compat[1]);
	/* The old domain is still attached and still held */
	pasid_ok(CHECK_HWPT, IOMMU_TEST_PASID_RESERVED, self->compat[0]);
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(self->fd, self->compat[0]));
	/* The failed target holds nothing */
	test_ioctl_destroy(self->compat[1]);
	pasid_ok(DETACH, IOMMU_TEST_PASID_RESERVED, 0);
	pasid_ok(CHECK_HWPT, IOMMU_TEST_PASID_RESERVED, 0);
}

/* Closing the context with PASIDs attached leaves nothing behind */
TEST_F(hwpt_pasid, close_attached)
{
	pasid_ok(ATTACH, TEST_PASID, self->compat[0]);
	pasid_ok(ATTACH, TEST_PASID + 1, self->compat[1]);
}

/* A device without PASID support gets no PASID attachment */
TEST_F(hwpt_pasid, no_pasid_device)
{
	__u32 stdev_id;

	test_cmd_mock_domain(self->compat[0], &stdev_id, NULL, NULL);
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				      stdev_id, TEST_PASID, self->compat[0]));
	test_ioctl_destroy(stdev_id);
}

static int get_dirty(int fd, __u32 hwpt_id, __u32 flags, __u64 iova,
		     __u64 length, __u64 page_size, void *data)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)data,
	};

	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

FIXTURE(dirty_guards)
{
	int fd;
	__u32 ioas_id;
	__u32 hwpt_id;
	__u32 stdev_id;
	__u64 bitmap[4];
};

FIXTURE_SETUP(dirty_guards)
{
	__u32 idev_id;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_cmd_mock_domain(self->ioas_id, &self->stdev_id, NULL, &idev_id);
	test_cmd_hwpt_alloc(idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->hwpt_id);
	test_cmd_mock_domain_replace(self->stdev_id, self->hwpt_id);
	test_cmd_set_dirty_tracking(self->hwpt_id, true);
}

FIXTURE_TEARDOWN(dirty_guards)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F(dirty_guards, arguments)
{
	void *bm = self->bitmap;
	__u32 hwpt = self->hwpt_id;

	EXPECT_ERRNO(EOPNOTSUPP, get_dirty(self->fd, hwpt, 2, 0, 4096, 4096,
					   bm));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, 0, 0, 0, 4096, bm));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, 0, 0, 4096, 0, bm));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, 0, 0, 3 * 4096,
				       3 * 4096, bm));
	/* Range or granule misaligned */
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, 0, 4096, 8192, 8192,
				       bm));
	EXPECT_ERRNO(EINVAL, get_dirty(self->fd, hwpt, 0, 0, 4096 + 2048,
				       4096, bm));
	/* The range wraps */
	EXPECT_ERRNO(EOVERFLOW, get_dirty(self->fd, hwpt, 0, 1ULL << 63,
					  (1ULL << 63) + 4096, 4096, bm));
	EXPECT_ERRNO(EOVERFLOW, get_dirty(self->fd, hwpt, 0, UINT64_MAX,
					  UINT64_MAX, 4096, bm));
	/* Not a paging HWPT */
	EXPECT_ERRNO(ENOENT, get_dirty(self->fd, self->ioas_id, 0, 0, 4096,
				       4096, bm));
	/* A bad buffer faults, it does not crash */
	EXPECT_ERRNO(EFAULT, get_dirty(self->fd, hwpt, 0, 0, 1ULL << 30, 4096,
				       NULL));
}

TEST_F(dirty_guards, huge_granule)
{
	/* One bit per 2^63 bytes: two bits cover the whole space */
	memset(self->bitmap, 0, sizeof(self->bitmap));
	ASSERT_EQ(0, get_dirty(self->fd, self->hwpt_id, 0, 0, 1ULL << 63,
			       1ULL << 63, self->bitmap));
	ASSERT_EQ(0, get_dirty(self->fd, self->hwpt_id, 0, 1ULL << 63,
			       1ULL << 63, 1ULL << 63, self->bitmap));
	ASSERT_EQ(0, get_dirty(self->fd, self->hwpt_id,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 0,
			       1ULL << 63, 1ULL << 62, self->bitmap));
	/* Nothing is mapped, so nothing was dirty */
	EXPECT_EQ(0, self->bitmap[0]);
	EXPECT_EQ(0, self->bitmap[1]);
}

TEST_F(dirty_guards, invalidate_paging)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = self->hwpt_id,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(struct iommu_hwpt_invalidate_selftest),
		.entry_num = 1,
		.data_uptr = (uintptr_t)self->bitmap,
	};

	/* A paging HWPT is the wrong target (EINVAL since v6.13) */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	/* entry_num is written back even when nothing was done */
	EXPECT_EQ(0, cmd.entry_num);
	cmd.entry_num = 1;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
}

TEST_HARNESS_MAIN
