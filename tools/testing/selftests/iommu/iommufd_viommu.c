// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vIOMMU family of iommufd against the mock driver: IOMMU_VIOMMU_ALLOC
 * (with driver data and an mmap region), IOMMU_VDEVICE_ALLOC and vDEVICE
 * tombstones, nested HWPTs and HWPT_INVALIDATE through a vIOMMU,
 * IOMMU_VEVENTQ_ALLOC and the event fd, IOMMU_HW_QUEUE_ALLOC with its area
 * lock and sibling dependency, and the release of a context that still has
 * all of it.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "iommufd_utils.h"

static int viommu_alloc(int fd, __u32 dev_id, __u32 hwpt_id, __u32 type,
			void *data, __u32 data_len, __u32 *viommu_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int rc;

	rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);
	if (!rc && viommu_id)
		*viommu_id = cmd.out_viommu_id;
	return rc;
}

static int vdevice_alloc(int fd, __u32 viommu_id, __u32 dev_id, __u64 virt_id,
			 __u32 *vdev_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int rc;

	rc = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);
	if (!rc && vdev_id)
		*vdev_id = cmd.out_vdevice_id;
	return rc;
}

static int veventq_alloc(int fd, __u32 viommu_id, __u32 type, __u32 depth,
			 __u32 *veventq_id, int *veventq_fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.veventq_depth = depth,
	};
	int rc;

	rc = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);
	if (!rc) {
		if (veventq_id)
			*veventq_id = cmd.out_veventq_id;
		if (veventq_fd)
			*veventq_fd = cmd.out_veventq_fd;
	}
	return rc;
}

static int hw_queue_alloc(int fd, __u32 viommu_id, __u32 type, __u32 index,
			  __u64 iova, __u64 length, __u32 *hw_queue_id)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc;

	rc = ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);
	if (!rc && hw_queue_id)
		*hw_queue_id = cmd.out_hw_queue_id;
	return rc;
}

static int check_dev_cache(int fd, __u32 idev_id, __u32 cache_id,
			   __u32 expected)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev_id,
		.check_dev_cache = { .id = cache_id, .cache = expected },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int trigger_vevent(int fd, __u32 idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int viommu_invalidate(int fd, __u32 viommu_id, void *reqs,
			     __u32 data_type, __u32 entry_len, __u32 *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = viommu_id,
		.data_type = data_type,
		.data_uptr = (uintptr_t)reqs,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int rc;

	rc = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
	*num = cmd.entry_num;
	return rc;
}

static int ioctl_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

#define EXPECT_ERR(_errno, expr) EXPECT_ERRNO(_errno, expr)

FIXTURE(viommu)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
	__u32 idev_id;
	__u32 parent_id;
	__u32 viommu_id;
	void *buf;
	size_t buf_size;
};

FIXTURE_SETUP(viommu)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
	self->buf_size = 16 * PAGE_SIZE;
	self->buf = mmap(NULL, self->buf_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0x5a, self->buf_size);

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_cmd_mock_domain(self->ioas_id, &self->stdev_id, &self->hwpt_id,
			     &self->idev_id);
	test_cmd_hwpt_alloc(self->idev_id, self->ioas_id,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent_id);
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
				  &self->viommu_id));
}

FIXTURE_TEARDOWN(viommu)
{
	close(self->fd);
	munmap(self->buf, self->buf_size);
}

TEST_F(viommu, viommu_alloc_errors)
{
	struct iommu_viommu_alloc short_cmd = {
		.size = offsetofend(struct iommu_viommu_alloc, out_viommu_id),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = self->idev_id,
		.hwpt_id = self->parent_id,
	};
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = 1,
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = self->idev_id,
		.hwpt_id = self->parent_id,
	};
	__u32 id;

	EXPECT_ERR(EOPNOTSUPP, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	EXPECT_ERR(EOPNOTSUPP,
		   viommu_alloc(self->fd, self->idev_id, self->parent_id,
				IOMMU_VIOMMU_TYPE_DEFAULT, NULL, 0, &id));
	EXPECT_ERR(EOPNOTSUPP,
		   viommu_alloc(self->fd, self->idev_id, self->parent_id,
				IOMMU_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, &id));
	EXPECT_ERR(ENOENT, viommu_alloc(self->fd, 0, self->parent_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));
	EXPECT_ERR(ENOENT, viommu_alloc(self->fd, self->ioas_id,
					self->parent_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));
	/* Not a paging HWPT: an IOAS, the vIOMMU itself, nothing */
	EXPECT_ERR(ENOENT, viommu_alloc(self->fd, self->idev_id,
					self->ioas_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));
	EXPECT_ERR(ENOENT, viommu_alloc(self->fd, self->idev_id,
					self->viommu_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));
	EXPECT_ERR(ENOENT, viommu_alloc(self->fd, self->idev_id, 0,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));
	/* The automatic domain of the mock device is no nesting parent */
	EXPECT_ERR(EINVAL, viommu_alloc(self->fd, self->idev_id,
					self->hwpt_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					&id));

	/* The first version of the struct, without data */
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &short_cmd));
	EXPECT_NE(0, short_cmd.out_viommu_id);
	EXPECT_NE(self->viommu_id, short_cmd.out_viommu_id);

	/* Both vIOMMUs hold the parent */
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->parent_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, short_cmd.out_viommu_id));
	EXPECT_ERR(ENOENT, ioctl_destroy(self->fd, short_cmd.out_viommu_id));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->parent_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->parent_id));
}

TEST_F(viommu, viommu_data_and_mmap)
{
	struct iommu_viommu_selftest data = { .in_data = 0xbadbeef };
	size_t v1_len = offsetofend(struct iommu_viommu_selftest, out_data);
	__u32 *mmio;
	__u32 id;

	/* Blobs outside [first version, kernel size], bad pointers */
	EXPECT_ERR(EINVAL, viommu_alloc(self->fd, self->idev_id,
					self->parent_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, &data, 4,
					&id));
	EXPECT_ERR(EINVAL, viommu_alloc(self->fd, self->idev_id,
					self->parent_id,
					IOMMU_VIOMMU_TYPE_SELFTEST, &data,
					sizeof(data) + 8, &id));
	EXPECT_ERR(EFAULT, viommu_alloc(self->fd, self->idev_id,
					self->parent_id,
					IOMMU_VIOMMU_TYPE_SELFTEST,
					(void *)8, sizeof(data), &id));

	/* A first-version blob gets out_data only */
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data, v1_len,
				  &id));
	EXPECT_EQ(0xbadbeef, data.out_data);
	EXPECT_EQ(0, data.out_mmap_offset);
	EXPECT_EQ(0, data.out_mmap_length);
	ASSERT_EQ(0, ioctl_destroy(self->fd, id));

	memset(&data, 0, sizeof(data));
	data.in_data = 0xcafe;
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
				  sizeof(data), &id));
	EXPECT_EQ(0xcafe, data.out_data);
	EXPECT_EQ(2 * PAGE_SIZE, data.out_mmap_length);
	ASSERT_NE(0, data.out_mmap_offset);
	EXPECT_EQ(0, data.out_mmap_offset % PAGE_SIZE);

	/* Only the exact range maps */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED,
				   self->fd, data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 3 * PAGE_SIZE, PROT_READ, MAP_SHARED, self->fd,
		       data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, self->fd,
		       data.out_mmap_offset + PAGE_SIZE));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, self->fd,
		       0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, self->fd,
		       data.out_mmap_offset));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED,
		       self->fd, data.out_mmap_offset));
	EXPECT_EQ(EPERM, errno);

	mmio = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, data.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, mmio);
	EXPECT_EQ(0xcafe, mmio[0]);

	/* The mapping holds the vIOMMU, also after a partial unmap */
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, id));
	ASSERT_EQ(0, munmap(mmio, PAGE_SIZE));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, id));
	ASSERT_EQ(0, munmap((char *)mmio + PAGE_SIZE, PAGE_SIZE));
	ASSERT_EQ(0, ioctl_destroy(self->fd, id));

	/* The region went with its owner */
	EXPECT_EQ(MAP_FAILED,
		  mmap(NULL, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, self->fd,
		       data.out_mmap_offset));
	EXPECT_EQ(ENXIO, errno);
}

TEST_F(viommu, vdevice_alloc)
{
	__u32 stdev2, hwpt2, idev2;
	__u32 vdev_id, vdev2, id;

	EXPECT_ERR(ENOENT, vdevice_alloc(self->fd, 0, self->idev_id, 1, &id));
	EXPECT_ERR(ENOENT, vdevice_alloc(self->fd, self->parent_id,
					 self->idev_id, 1, &id));
	EXPECT_ERR(ENOENT, vdevice_alloc(self->fd, self->viommu_id,
					 self->ioas_id, 1, &id));

	/* virt_id 0 is a valid ID */
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   0, &vdev_id));
	EXPECT_ERR(EEXIST, vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_id, 5, &id));

	test_cmd_mock_domain(self->ioas_id, &stdev2, &hwpt2, &idev2);
	EXPECT_ERR(EEXIST, vdevice_alloc(self->fd, self->viommu_id, idev2, 0,
					 &id));
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, idev2,
				   0x1234567890ULL, &vdev2));

	/* vDEVICEs hold the vIOMMU, not the device */
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, vdev_id));
	EXPECT_ERR(ENOENT, ioctl_destroy(self->fd, vdev_id));
	/* Both the device and the virtual ID are free again */
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   0, &vdev_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, vdev_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, vdev2));
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->viommu_id));
}

TEST_F(viommu, vdevice_tombstone)
{
	__u32 stdev2, hwpt2, idev2;
	__u32 vdev_id, id, i;

	test_cmd_mock_domain(self->ioas_id, &stdev2, &hwpt2, &idev2);
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, idev2, 7,
				   &vdev_id));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->viommu_id));

	/* Destroying the device destroys its vDEVICE... */
	ASSERT_EQ(0, ioctl_destroy(self->fd, stdev2));
	EXPECT_ERR(ENOENT, ioctl_destroy(self->fd, idev2));
	/* ...whose ID stays reserved but names nothing */
	EXPECT_ERR(ENOENT, ioctl_destroy(self->fd, vdev_id));
	EXPECT_ERR(ENOENT, ioctl_destroy(self->fd, vdev_id));
	for (i = 0; i != 8; i++) {
		test_ioctl_ioas_alloc(&id);
		EXPECT_NE(vdev_id, id);
	}

	/* The vIOMMU is free of it, and the virtual ID can be used again */
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   7, &id));
	EXPECT_NE(vdev_id, id);
	ASSERT_EQ(0, ioctl_destroy(self->fd, id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->viommu_id));
}

TEST_F(viommu, nested_on_viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv = {
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL,
	};
	__u32 nested_id, vdev_id, num;

	/* Driver data is required, flags are limited */
	test_err_hwpt_alloc_nested(EOPNOTSUPP, self->idev_id, self->viommu_id,
				   0, &nested_id, IOMMU_HWPT_DATA_NONE, NULL,
				   0);
	test_err_hwpt_alloc_nested(EOPNOTSUPP, self->idev_id, self->viommu_id,
				   IOMMU_HWPT_ALLOC_NEST_PARENT, &nested_id,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	test_err_hwpt_alloc_nested(EOPNOTSUPP, self->idev_id, self->viommu_id,
				   0, &nested_id, IOMMU_HWPT_DATA_VTD_S1,
				   &data, sizeof(data));

	test_cmd_hwpt_alloc_nested(self->idev_id, self->viommu_id, 0,
				   &nested_id, IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	test_cmd_hwpt_check_iotlb_all(nested_id, IOMMU_TEST_IOTLB_DEFAULT);
	num = 1;
	ASSERT_EQ(0, _test_cmd_hwpt_invalidate(self->fd, nested_id, &inv,
					       IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					       sizeof(inv), &num));
	EXPECT_EQ(1, num);
	test_cmd_hwpt_check_iotlb_all(nested_id, 0);

	/* The mock demands a vDEVICE on the vIOMMU for the attach */
	test_err_mock_domain_replace(ENOENT, self->stdev_id, nested_id);
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   0x99, &vdev_id));
	test_cmd_mock_domain_replace(self->stdev_id, nested_id);

	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->viommu_id));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, nested_id));
	test_cmd_mock_domain_replace(self->stdev_id, self->ioas_id);
	ASSERT_EQ(0, ioctl_destroy(self->fd, nested_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, vdev_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->viommu_id));
}

/* Page faults of a nested HWPT on a vIOMMU reach its fault queue */
TEST_F(viommu, nested_on_viommu_iopf)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 fault_id, fault_fd, nested_id, vdev_id;

	test_ioctl_fault_alloc(&fault_id, &fault_fd);
	/* fault_id must name a fault queue */
	EXPECT_ERR(ENOENT, _test_cmd_hwpt_alloc(self->fd, self->idev_id,
						self->viommu_id,
						self->ioas_id,
						IOMMU_HWPT_FAULT_ID_VALID,
						&nested_id,
						IOMMU_HWPT_DATA_SELFTEST,
						&data, sizeof(data)));
	test_cmd_hwpt_alloc_iopf(self->idev_id, self->viommu_id, fault_id,
				 IOMMU_HWPT_FAULT_ID_VALID, &nested_id,
				 IOMMU_HWPT_DATA_SELFTEST, &data,
				 sizeof(data));
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   0x10, &vdev_id));
	test_cmd_mock_domain_replace(self->stdev_id, nested_id);
	test_cmd_trigger_iopf(self->idev_id, fault_fd);

	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, fault_id));
	test_cmd_mock_domain_replace(self->stdev_id, self->ioas_id);
	ASSERT_EQ(0, ioctl_destroy(self->fd, nested_id));
	close(fault_fd);
	ASSERT_EQ(0, ioctl_destroy(self->fd, fault_id));
}

TEST_F(viommu, viommu_invalidate)
{
	struct iommu_viommu_invalidate_selftest inv[2] = {};
	__u32 stdev2, hwpt2, idev2, vdev_id, num, i;
	int rc;

	test_cmd_mock_domain(self->ioas_id, &stdev2, &hwpt2, &idev2);
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, idev2, 0x42,
				   &vdev_id));
	for (i = 0; i != MOCK_DEV_CACHE_NUM; i++)
		ASSERT_EQ(0, check_dev_cache(self->fd, idev2, i,
					     IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_ERR(EINVAL, check_dev_cache(self->fd, idev2,
					   MOCK_DEV_CACHE_NUM, 0));
	EXPECT_ERR(ENOENT, check_dev_cache(self->fd, 0, 0, 0));

	/* An empty array probes the type */
	num = 0;
	ASSERT_EQ(0, viommu_invalidate(self->fd, self->viommu_id, inv,
				       IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				       sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERR(EINVAL,
		   viommu_invalidate(self->fd, self->viommu_id, inv,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				     sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);

	/* Bad flags, cache index, virtual ID */
	inv[0].vdev_id = 0x42;
	inv[0].flags = 0x10;
	num = 1;
	EXPECT_ERR(EOPNOTSUPP,
		   viommu_invalidate(self->fd, self->viommu_id, inv,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				     sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	inv[0].flags = 0;
	inv[0].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	num = 1;
	EXPECT_ERR(EINVAL,
		   viommu_invalidate(self->fd, self->viommu_id, inv,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				     sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	inv[0].cache_id = 0;
	inv[0].vdev_id = 0x43;
	num = 1;
	EXPECT_ERR(EINVAL,
		   viommu_invalidate(self->fd, self->viommu_id, inv,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				     sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);

	/* The first entry applies, the second fails */
	inv[0].vdev_id = 0x42;
	inv[0].cache_id = 1;
	inv[1].vdev_id = 0x42;
	inv[1].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	num = 2;
	EXPECT_ERR(EINVAL,
		   viommu_invalidate(self->fd, self->viommu_id, inv,
				     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				     sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	ASSERT_EQ(0, check_dev_cache(self->fd, idev2, 0,
				     IOMMU_TEST_DEV_CACHE_DEFAULT));
	ASSERT_EQ(0, check_dev_cache(self->fd, idev2, 1, 0));
	ASSERT_EQ(0, check_dev_cache(self->fd, idev2, 2,
				     IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* Longer entries with a zero tail are accepted */
	{
		struct {
			struct iommu_viommu_invalidate_selftest inv;
			__u32 tail;
		} big = { .inv = { .vdev_id = 0x42, .cache_id = 2 } };

		const __u32 type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;

		num = 1;
		rc = viommu_invalidate(self->fd, self->viommu_id, &big, type,
				       sizeof(big), &num);
		ASSERT_EQ(0, rc);
		EXPECT_EQ(1, num);
		ASSERT_EQ(0, check_dev_cache(self->fd, idev2, 2, 0));
		big.tail = 1;
		big.inv.cache_id = 3;
		rc = viommu_invalidate(self->fd, self->viommu_id, &big, type,
				       sizeof(big), &num);
		EXPECT_ERR(E2BIG, rc);
		EXPECT_EQ(0, num);
	}

	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	num = 1;
	ASSERT_EQ(0, viommu_invalidate(self->fd, self->viommu_id, inv,
				       IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				       sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	for (i = 0; i != MOCK_DEV_CACHE_NUM; i++)
		ASSERT_EQ(0, check_dev_cache(self->fd, idev2, i, 0));
	/* The other device was not touched */
	ASSERT_EQ(0, check_dev_cache(self->fd, self->idev_id, 1,
				     IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* A paging HWPT cannot be invalidated from user space (v6.13+) */
	num = 0;
	EXPECT_ERR(EINVAL, viommu_invalidate(self->fd, self->parent_id, inv,
					     IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
					     sizeof(inv[0]), &num));
}

struct vevent_selftest {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest event;
};

TEST_F(viommu, veventq)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = self->viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct vevent_selftest ev[4];
	struct pollfd pfd;
	__u32 nested_id, vdev_id, veventq_id, seq, smmu_id;
	int veventq_fd, smmu_fd, i;
	char byte;

	cmd.flags = 1;
	EXPECT_ERR(EOPNOTSUPP, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERR(EOPNOTSUPP, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	EXPECT_ERR(EOPNOTSUPP,
		   veventq_alloc(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_DEFAULT, 2, NULL, NULL));
	EXPECT_ERR(EINVAL, veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 0, NULL,
					 NULL));
	EXPECT_ERR(ENOENT, veventq_alloc(self->fd, self->parent_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, NULL,
					 NULL));

	/* Not attached through the vIOMMU yet */
	EXPECT_ERR(ENOENT, trigger_vevent(self->fd, self->idev_id));
	EXPECT_ERR(ENOENT, trigger_vevent(self->fd, 0));
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   0x99, &vdev_id));
	test_cmd_hwpt_alloc_nested(self->idev_id, self->viommu_id, 0,
				   &nested_id, IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	test_cmd_mock_domain_replace(self->stdev_id, nested_id);
	/* No queue of the selftest type */
	EXPECT_ERR(EOPNOTSUPP, trigger_vevent(self->fd, self->idev_id));

	ASSERT_EQ(0, veventq_alloc(self->fd, self->viommu_id,
				   IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &veventq_id,
				   &veventq_fd));
	EXPECT_ERR(EEXIST, veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, NULL,
					 NULL));
	/* Another type is fine: the driver is not asked */
	ASSERT_EQ(0, veventq_alloc(self->fd, self->viommu_id,
				   IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 1, &smmu_id,
				   &smmu_fd));
	close(smmu_fd);
	ASSERT_EQ(0, ioctl_destroy(self->fd, smmu_id));

	pfd.fd = veventq_fd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, read(veventq_fd, ev, sizeof(ev)));

	ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	/* Entries are never split, positions are refused */
	EXPECT_EQ(0, read(veventq_fd, ev, sizeof(ev[0]) - 1));
	EXPECT_EQ(-1, pread(veventq_fd, ev, sizeof(ev), 1));
	EXPECT_EQ(ESPIPE, errno);
	ASSERT_EQ(sizeof(ev[0]), read(veventq_fd, ev, sizeof(ev)));
	EXPECT_EQ(0, ev[0].hdr.flags);
	EXPECT_EQ(0, ev[0].hdr.sequence);
	EXPECT_EQ(0x99, ev[0].event.virt_id);

	/* Depth 2, four reports: two events, then the lost marker */
	for (i = 0; i != 4; i++)
		ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	ASSERT_EQ(2 * sizeof(ev[0]) + sizeof(ev[0].hdr),
		  read(veventq_fd, ev, sizeof(ev)));
	EXPECT_EQ(0, ev[0].hdr.flags);
	EXPECT_EQ(1, ev[0].hdr.sequence);
	EXPECT_EQ(0, ev[1].hdr.flags);
	EXPECT_EQ(2, ev[1].hdr.sequence);
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, ev[2].hdr.flags);
	EXPECT_EQ(4, ev[2].hdr.sequence);
	EXPECT_EQ(0, read(veventq_fd, ev, sizeof(ev)));

	/* The marker only sits at the tail: a later event replaces it */
	for (i = 0; i != 3; i++)
		ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	ASSERT_EQ(sizeof(ev[0]), read(veventq_fd, ev, sizeof(ev[0])));
	EXPECT_EQ(5, ev[0].hdr.sequence);
	ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	ASSERT_EQ(2 * sizeof(ev[0]), read(veventq_fd, ev, sizeof(ev)));
	seq = ev[1].hdr.sequence;
	EXPECT_EQ(6, ev[0].hdr.sequence);
	EXPECT_EQ(8, seq);
	EXPECT_EQ(0, ev[1].hdr.flags);
	EXPECT_EQ(0, read(veventq_fd, &byte, 1));

	/* The fd holds the queue, the queue holds the vIOMMU */
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, veventq_id));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	close(veventq_fd);
	ASSERT_EQ(0, ioctl_destroy(self->fd, veventq_id));
	EXPECT_ERR(EOPNOTSUPP, trigger_vevent(self->fd, self->idev_id));

	/* Leaving the nested HWPT ends the association */
	test_cmd_mock_domain_replace(self->stdev_id, self->ioas_id);
	EXPECT_ERR(ENOENT, trigger_vevent(self->fd, self->idev_id));
}

TEST_F(viommu, hw_queue)
{
	__u64 iova;
	__u32 q0, q1, id;

	test_ioctl_ioas_map(self->buf, self->buf_size, &iova);

	EXPECT_ERR(EOPNOTSUPP, hw_queue_alloc(self->fd, self->viommu_id,
					      IOMMU_HW_QUEUE_TYPE_DEFAULT, 0,
					      iova, PAGE_SIZE, &id));
	EXPECT_ERR(EINVAL, hw_queue_alloc(self->fd, self->viommu_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					  iova, 0, &id));
	EXPECT_ERR(EOVERFLOW, hw_queue_alloc(self->fd, self->viommu_id,
					     IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					     UINT64_MAX - 1, PAGE_SIZE, &id));
	EXPECT_ERR(ENOENT, hw_queue_alloc(self->fd, self->parent_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					  iova, PAGE_SIZE, &id));
	EXPECT_ERR(EOPNOTSUPP, hw_queue_alloc(self->fd, self->viommu_id,
					      IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
					      0, iova, PAGE_SIZE, &id));
	{
		struct iommu_hw_queue_alloc cmd = {
			.size = sizeof(cmd),
			.flags = 1,
			.viommu_id = self->viommu_id,
			.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
			.nesting_parent_iova = iova,
			.length = PAGE_SIZE,
		};

		EXPECT_ERR(EOPNOTSUPP,
			   ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC, &cmd));
	}
	/* Driver rules: index range, order */
	EXPECT_ERR(EINVAL, hw_queue_alloc(self->fd, self->viommu_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST,
					  IOMMU_TEST_HW_QUEUE_MAX, iova,
					  PAGE_SIZE, &id));
	EXPECT_ERR(EIO, hw_queue_alloc(self->fd, self->viommu_id,
				       IOMMU_HW_QUEUE_TYPE_SELFTEST, 1, iova,
				       PAGE_SIZE, &id));
	/* Unmapped guest memory */
	EXPECT_ERR(ENOENT, hw_queue_alloc(self->fd, self->viommu_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					  iova + self->buf_size, PAGE_SIZE,
					  &id));

	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
				    PAGE_SIZE, &q0));
	EXPECT_ERR(EEXIST, hw_queue_alloc(self->fd, self->viommu_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					  iova, PAGE_SIZE, &id));
	/* The second half of the same page, at a sub-page offset */
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 1,
				    iova + PAGE_SIZE / 2, PAGE_SIZE / 2, &q1));

	/* The pinned area cannot go, nor the queue others depend on */
	EXPECT_ERR(EBUSY, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, iova,
						 self->buf_size, NULL));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, q0));
	EXPECT_ERR(EBUSY, ioctl_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, ioctl_destroy(self->fd, q1));
	EXPECT_ERR(EBUSY, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, iova,
						 self->buf_size, NULL));
	ASSERT_EQ(0, ioctl_destroy(self->fd, q0));
	/* No leftover pins or locks */
	test_ioctl_ioas_unmap(iova, self->buf_size);
	check_refs(self->buf, self->buf_size, 0);
	ASSERT_EQ(0, ioctl_destroy(self->fd, self->viommu_id));
}

/* The queue memory must be physically contiguous */
TEST_F(viommu, hw_queue_contiguous)
{
	size_t huge = 2 * 1024 * 1024;
	__u64 iova = MOCK_APERTURE_START;
	void *hbuf;
	__u32 id;

	/* The same page twice: consecutive IOVA, not consecutive memory */
	test_ioctl_ioas_map_fixed(self->buf, PAGE_SIZE, iova);
	test_ioctl_ioas_map_fixed(self->buf, PAGE_SIZE, iova + PAGE_SIZE);
	EXPECT_ERR(EFAULT, hw_queue_alloc(self->fd, self->viommu_id,
					  IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
					  iova, 2 * PAGE_SIZE, &id));
	/* Nothing stays pinned or locked */
	test_ioctl_ioas_unmap(iova, 2 * PAGE_SIZE);
	check_refs(self->buf, PAGE_SIZE, 0);

	/* A huge page is contiguous: a queue may span several pages of it */
	hbuf = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (hbuf == MAP_FAILED)
		SKIP(return, "no huge pages");
	memset(hbuf, 0, huge);
	iova = MOCK_APERTURE_START + huge;
	test_ioctl_ioas_map_fixed(hbuf, huge, iova);
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0,
				    iova + 100, 4 * PAGE_SIZE, &id));
	EXPECT_ERR(EBUSY, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, iova,
						 huge, NULL));
	ASSERT_EQ(0, ioctl_destroy(self->fd, id));
	test_ioctl_ioas_unmap(iova, huge);
	munmap(hbuf, huge);
}

/* Close a context with every kind of object still alive */
TEST_F(viommu, release_everything)
{
	struct iommu_viommu_selftest vdata = { .in_data = 1 };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 viommu2, nested_id, vdev_id, id, stdev2, hwpt2, idev2;
	int veventq_fd, fd2;
	__u64 iova;
	void *mmio;

	test_ioctl_ioas_map(self->buf, self->buf_size, &iova);
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_SELFTEST, &vdata,
				  sizeof(vdata), &viommu2));
	mmio = mmap(NULL, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, self->fd,
		    vdata.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, mmio);
	ASSERT_EQ(0, vdevice_alloc(self->fd, self->viommu_id, self->idev_id,
				   3, &vdev_id));
	test_cmd_mock_domain(self->ioas_id, &stdev2, &hwpt2, &idev2);
	ASSERT_EQ(0, vdevice_alloc(self->fd, viommu2, idev2, 3, &id));
	test_cmd_hwpt_alloc_nested(self->idev_id, self->viommu_id, 0,
				   &nested_id, IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data));
	test_cmd_mock_domain_replace(self->stdev_id, nested_id);
	ASSERT_EQ(0, veventq_alloc(self->fd, self->viommu_id,
				   IOMMU_VEVENTQ_TYPE_SELFTEST, 4, NULL,
				   &veventq_fd));
	ASSERT_EQ(0, trigger_vevent(self->fd, self->idev_id));
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
				    PAGE_SIZE, &id));
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 1,
				    iova + PAGE_SIZE, PAGE_SIZE - 64, &id));
	/* A tombstone too */
	ASSERT_EQ(0, ioctl_destroy(self->fd, stdev2));

	/* The mapping and the event fd keep the context alive */
	close(self->fd);
	ASSERT_EQ(0, munmap(mmio, 2 * PAGE_SIZE));
	close(veventq_fd);

	/* Everything was released: nothing of the buffer stays pinned */
	fd2 = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, fd2);
	self->fd = fd2;
	check_refs(self->buf, self->buf_size, 0);
}

TEST_HARNESS_MAIN
