// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real DMA through iommufd and the VFIO device cdev.
 *
 * QEMU's "edu" PCI device (1234:11e8) has a tiny DMA engine: it copies up to
 * 4095 bytes between guest memory and a 4 KiB buffer inside the device. Behind
 * an emulated IOMMU this lets a test check, byte for byte, that what userspace
 * maps with IOMMU_IOAS_MAP is what the device reaches, and that after
 * IOMMU_IOAS_UNMAP (or a detach) it reaches nothing.
 *
 * The IOMMU blocking a transfer does not show in the edu status: the engine
 * "completes" either way. So every negative check looks at memory.
 *
 * The program binds the device to vfio-pci itself and skips when there is no
 * edu device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "../kselftest_harness.h"
#include "edu_utils.h"

/* Fixed IOVAs, well inside the edu DMA mask and away from the MSI window */
#define IOVA_SRC		0x1000000ULL
#define IOVA_OTHER		0x1400000ULL
#define XFER_LEN		4000

_Static_assert(IOVA_OTHER + PG <= EDU_IOVA_LIMIT, "IOVA beyond the edu mask");

/* /dev/vfio/devices/vfioN of the device, waiting for devtmpfs if needed. */
static int edu_open_cdev(const char *bdf)
{
	char dir[PATH_MAX], node[PATH_MAX] = {};
	struct dirent *de;
	DIR *d;
	int i, fd;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s",
				 de->d_name);
			break;
		}
	}
	closedir(d);
	if (!node[0])
		return -ENOENT;
	for (i = 0; i < 100; i++) {
		fd = open(node, O_RDWR);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(10000);
	}
	return fd < 0 ? -errno : fd;
}

static int ioas_alloc(int iommufd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd))
		return -errno;
	*id = cmd.out_ioas_id;
	return 0;
}

static int ioas_map(int iommufd, uint32_t ioas, void *va, size_t len,
		    uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &cmd) ? -errno : 0;
}

static int ioas_unmap(int iommufd, uint32_t ioas, uint64_t iova, size_t len,
		      uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	if (ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd))
		return -errno;
	if (unmapped)
		*unmapped = cmd.length;
	return 0;
}

static int hwpt_alloc(int iommufd, uint32_t dev_id, uint32_t pt_id,
		      uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd))
		return -errno;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

static int obj_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &cmd) ? -errno : 0;
}

static int dev_bind(int devfd, int iommufd, uint32_t *dev_id)
{
	struct vfio_device_bind_iommufd cmd = {
		.argsz = sizeof(cmd),
		.iommufd = iommufd,
	};

	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &cmd))
		return -errno;
	*dev_id = cmd.out_devid;
	return 0;
}

/* Attach or replace; @pt_id is updated with the HWPT the kernel used. */
static int dev_attach(int devfd, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = *pt_id,
	};

	if (ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd))
		return -errno;
	*pt_id = cmd.pt_id;
	return 0;
}

static int dev_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd) ? -errno : 0;
}

enum attach_mode {
	ATTACH_IOAS,
	ATTACH_HWPT,
};

/* Holds the bound device plus two IOASes, A and B, each with its own pages */
FIXTURE(edu_cdev) {
	struct edu edu;
	int iommufd;
	uint32_t dev_id;
	uint32_t ioas_a;
	uint32_t ioas_b;
	uint8_t *mem_a;
	uint8_t *mem_b;
	unsigned int seed;
};

FIXTURE_VARIANT(edu_cdev) {
	enum attach_mode mode;
};

FIXTURE_VARIANT_ADD(edu_cdev, ioas) {
	.mode = ATTACH_IOAS,
};

FIXTURE_VARIANT_ADD(edu_cdev, hwpt) {
	.mode = ATTACH_HWPT,
};

/* Page layout inside mem_a/mem_b: source, destination, "other" */
#define MEM_PAGES	3
#define PAGE_SRC(m)	((m) + 0 * PG)
#define PAGE_DST(m)	((m) + 1 * PG)
#define PAGE_OTHER(m)	((m) + 2 * PG)

FIXTURE_SETUP(edu_cdev)
{
	int rc;

	self->iommufd = -1;
	self->edu.devfd = -1;
	self->mem_a = MAP_FAILED;
	self->mem_b = MAP_FAILED;
	self->seed = getpid();

	if (!edu_find(self->edu.bdf, sizeof(self->edu.bdf)))
		SKIP(return, "no edu (1234:11e8) PCI device");
	rc = edu_bind_vfio_pci(self->edu.bdf);
	if (rc)
		SKIP(return, "cannot bind %s to vfio-pci: %d", self->edu.bdf,
		     rc);

	self->edu.devfd = edu_open_cdev(self->edu.bdf);
	if (self->edu.devfd == -ENOENT || self->edu.devfd == -ENODEV)
		SKIP(return, "no VFIO device cdev for %s", self->edu.bdf);
	ASSERT_LE(0, self->edu.devfd)
		TH_LOG("open cdev of %s: %s", self->edu.bdf,
		       strerror(-self->edu.devfd));

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);

	rc = dev_bind(self->edu.devfd, self->iommufd, &self->dev_id);
	ASSERT_EQ(0, rc) TH_LOG("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(-rc));

	rc = ioas_alloc(self->iommufd, &self->ioas_a);
	ASSERT_EQ(0, rc) TH_LOG("IOAS_ALLOC A: %s", strerror(-rc));
	rc = ioas_alloc(self->iommufd, &self->ioas_b);
	ASSERT_EQ(0, rc) TH_LOG("IOAS_ALLOC B: %s", strerror(-rc));

	self->mem_a = mmap(NULL, MEM_PAGES * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem_a);
	self->mem_b = mmap(NULL, MEM_PAGES * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem_b);

	/* Same IOVAs in both IOASes, different pages behind them */
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_a, self->mem_a,
			      MEM_PAGES * PG, IOVA_SRC));
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_b, self->mem_b,
			      2 * PG, IOVA_SRC));
	/* Only A has IOVA_OTHER, so B attached must not reach it */
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_a,
			      PAGE_OTHER(self->mem_a), PG, IOVA_OTHER));

	rc = edu_regions_setup(&self->edu);
	ASSERT_EQ(0, rc) TH_LOG("BAR0/config setup: %s", strerror(-rc));
	ASSERT_EQ(0xed, edu_read32(&self->edu, EDU_REG_ID) & 0xff)
		TH_LOG("edu id register reads 0x%x",
		       edu_read32(&self->edu, EDU_REG_ID));
}

FIXTURE_TEARDOWN(edu_cdev)
{
	edu_regions_teardown(&self->edu);
	if (self->edu.devfd >= 0)
		close(self->edu.devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->mem_a != MAP_FAILED)
		munmap(self->mem_a, MEM_PAGES * PG);
	if (self->mem_b != MAP_FAILED)
		munmap(self->mem_b, MEM_PAGES * PG);
}

/*
 * Attaches the device to @ioas the way the variant says: to the IOAS itself
 * (the kernel picks or makes a domain) or to a HWPT allocated for it first.
 */
static int attach_variant(struct __test_metadata *_metadata,
			  FIXTURE_DATA(edu_cdev) *self,
			  const FIXTURE_VARIANT(edu_cdev) *variant,
			  uint32_t ioas)
{
	uint32_t pt = ioas;
	int rc;

	if (variant->mode == ATTACH_HWPT) {
		rc = hwpt_alloc(self->iommufd, self->dev_id, ioas, &pt);
		if (rc) {
			TH_LOG("IOMMU_HWPT_ALLOC on IOAS %u: %s", ioas,
			       strerror(-rc));
			return rc;
		}
	}
	rc = dev_attach(self->edu.devfd, &pt);
	if (rc) {
		TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT to %u: %s", pt,
		       strerror(-rc));
		return rc;
	}
	TH_LOG("attached to IOAS %u through HWPT %u", ioas, pt);
	return 0;
}

/*
 * Copies a fresh pattern from @src_iova to the device and back out to
 * @dst_iova, then checks @dst against @src. @src and @dst are the CPU views of
 * the two IOVAs in the currently attached address space.
 */
static void roundtrip(struct __test_metadata *_metadata,
		      FIXTURE_DATA(edu_cdev) *self,
		      uint8_t *src, uint64_t src_iova,
		      uint8_t *dst, uint64_t dst_iova)
{
	fill_pattern(src, PG, self->seed++);
	memset(dst, 0, PG);
	ASSERT_EQ(0, edu_to_device(&self->edu, src_iova, XFER_LEN));
	ASSERT_EQ(0, edu_to_ram(&self->edu, dst_iova, XFER_LEN));
	ASSERT_EQ(0, memcmp(src, dst, XFER_LEN))
		TH_LOG("device->RAM copy differs from RAM->device source");
	/* The engine must not write past the count */
	ASSERT_TRUE(all_bytes(dst + XFER_LEN, PG - XFER_LEN, 0));
}

/* A device->RAM transfer to @iova must leave @mem (its old backing) alone. */
static void expect_write_blocked(struct __test_metadata *_metadata,
				 FIXTURE_DATA(edu_cdev) *self,
				 uint8_t *mem, uint64_t iova)
{
	memset(mem, 0x5a, PG);
	ASSERT_EQ(0, edu_to_ram(&self->edu, iova, XFER_LEN));
	ASSERT_TRUE(all_bytes(mem, PG, 0x5a))
		TH_LOG("device wrote through IOVA 0x%llx after it went away",
		       (unsigned long long)iova);
}

/*
 * A RAM->device transfer from @iova must not pick up @mem's contents: load a
 * known pattern into the device first, try to overwrite it from the blocked
 * IOVA, then read the device buffer out through @out_iova (still mapped,
 * CPU view @out).
 */
static void expect_read_blocked(struct __test_metadata *_metadata,
				FIXTURE_DATA(edu_cdev) *self,
				uint8_t *mem, uint64_t iova,
				uint8_t *out, uint64_t out_iova)
{
	fill_pattern(mem, PG, self->seed++);
	ASSERT_EQ(0, edu_to_device(&self->edu, iova, XFER_LEN));
	memset(out, 0, PG);
	ASSERT_EQ(0, edu_to_ram(&self->edu, out_iova, XFER_LEN));
	ASSERT_NE(0, memcmp(out, mem, XFER_LEN))
		TH_LOG("device read IOVA 0x%llx after it went away",
		       (unsigned long long)iova);
}

TEST_F_TIMEOUT(edu_cdev, map_dma_unmap, 120)
{
	uint8_t *src = PAGE_SRC(self->mem_a), *dst = PAGE_DST(self->mem_a);
	uint64_t unmapped = 0;

	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_a));

	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
	/* The other direction of the buffers, and a mapping of its own */
	roundtrip(_metadata, self, PAGE_OTHER(self->mem_a), IOVA_OTHER,
		  src, IOVA_SRC);

	/* Take the destination away: the device must no longer write it */
	ASSERT_EQ(0, ioas_unmap(self->iommufd, self->ioas_a, IOVA_SRC,
				MEM_PAGES * PG, &unmapped));
	ASSERT_EQ(MEM_PAGES * PG, unmapped);
	expect_write_blocked(_metadata, self, dst, IOVA_SRC + PG);
	expect_write_blocked(_metadata, self, src, IOVA_SRC);
	/* ... nor read it (IOVA_OTHER stays mapped to read the result) */
	expect_read_blocked(_metadata, self, src, IOVA_SRC,
			    PAGE_OTHER(self->mem_a), IOVA_OTHER);

	/* Mapping it again restores access */
	ASSERT_EQ(0, ioas_map(self->iommufd, self->ioas_a, self->mem_a,
			      MEM_PAGES * PG, IOVA_SRC));
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
}

TEST_F_TIMEOUT(edu_cdev, replace, 120)
{
	uint8_t *a_src = PAGE_SRC(self->mem_a), *a_dst = PAGE_DST(self->mem_a);
	uint8_t *b_src = PAGE_SRC(self->mem_b), *b_dst = PAGE_DST(self->mem_b);

	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_a));
	memset(b_dst, 0x33, PG);
	roundtrip(_metadata, self, a_src, IOVA_SRC, a_dst, IOVA_SRC + PG);
	ASSERT_TRUE(all_bytes(b_dst, PG, 0x33));

	/* Second attach while attached is a replace */
	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_b));

	/* The same IOVAs now lead to B's pages, and A's are left alone */
	memset(a_dst, 0x44, PG);
	roundtrip(_metadata, self, b_src, IOVA_SRC, b_dst, IOVA_SRC + PG);
	ASSERT_TRUE(all_bytes(a_dst, PG, 0x44))
		TH_LOG("DMA after replace still landed in IOAS A's pages");

	/* An IOVA only A maps is unreachable now */
	expect_write_blocked(_metadata, self, PAGE_OTHER(self->mem_a),
			     IOVA_OTHER);
	expect_read_blocked(_metadata, self, PAGE_OTHER(self->mem_a),
			    IOVA_OTHER, b_dst, IOVA_SRC + PG);

	/* And back to A */
	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_a));
	memset(b_dst, 0x55, PG);
	roundtrip(_metadata, self, a_src, IOVA_SRC, PAGE_OTHER(self->mem_a),
		  IOVA_OTHER);
	ASSERT_TRUE(all_bytes(b_dst, PG, 0x55));
}

TEST_F_TIMEOUT(edu_cdev, detach, 120)
{
	uint8_t *src = PAGE_SRC(self->mem_a), *dst = PAGE_DST(self->mem_a);
	int rc;

	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_a));
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);

	rc = dev_detach(self->edu.devfd);
	ASSERT_EQ(0, rc) TH_LOG("VFIO_DEVICE_DETACH_IOMMUFD_PT: %s",
				strerror(-rc));
	/* Detached means blocked, even though the IOAS still maps it all */
	expect_write_blocked(_metadata, self, dst, IOVA_SRC + PG);

	/* VFIO treats detaching a detached device as a no-op */
	ASSERT_EQ(0, dev_detach(self->edu.devfd));

	ASSERT_EQ(0, attach_variant(_metadata, self, variant, self->ioas_a));
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
}

/* The objects a device uses are pinned until the device lets go of them. */
TEST_F_TIMEOUT(edu_cdev, ids_and_busy, 60)
{
	uint32_t pt = self->ioas_a;
	uint32_t bad;

	/* IDs that are not there, or not page tables, are refused */
	bad = 0;
	EXPECT_EQ(-ENOENT, dev_attach(self->edu.devfd, &bad));
	bad = self->ioas_b + 1000;
	EXPECT_EQ(-ENOENT, dev_attach(self->edu.devfd, &bad));
	bad = self->dev_id;
	EXPECT_EQ(-EINVAL, dev_attach(self->edu.devfd, &bad));

	if (variant->mode == ATTACH_HWPT)
		ASSERT_EQ(0, hwpt_alloc(self->iommufd, self->dev_id,
					self->ioas_a, &pt));
	ASSERT_EQ(0, dev_attach(self->edu.devfd, &pt));
	EXPECT_EQ(-EBUSY, obj_destroy(self->iommufd, self->ioas_a));
	if (variant->mode == ATTACH_HWPT)
		EXPECT_EQ(-EBUSY, obj_destroy(self->iommufd, pt));
	ASSERT_EQ(0, dev_detach(self->edu.devfd));
	if (variant->mode == ATTACH_HWPT)
		EXPECT_EQ(0, obj_destroy(self->iommufd, pt));
	/* B was never used */
	EXPECT_EQ(0, obj_destroy(self->iommufd, self->ioas_b));
}

/* Plain checks outside the fixture: things that must fail cleanly. */
TEST(edu_cdev_unbound)
{
	char bdf[NAME_MAX + 1];
	uint32_t pt = 1;
	int devfd;

	if (!edu_find(bdf, sizeof(bdf)))
		SKIP(return, "no edu (1234:11e8) PCI device");
	if (edu_bind_vfio_pci(bdf))
		SKIP(return, "cannot bind %s to vfio-pci", bdf);
	devfd = edu_open_cdev(bdf);
	if (devfd < 0)
		SKIP(return, "no VFIO device cdev for %s", bdf);
	/* Before BIND_IOMMUFD the cdev accepts nothing else */
	EXPECT_EQ(-EINVAL, dev_attach(devfd, &pt));
	EXPECT_EQ(-EINVAL, dev_detach(devfd));
	close(devfd);
}

TEST_HARNESS_MAIN
