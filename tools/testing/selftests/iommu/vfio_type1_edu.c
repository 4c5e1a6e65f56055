// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real DMA through the legacy VFIO group/container uAPI.
 *
 * This is what a type1-era VMM or DPDK does: /dev/vfio/vfio plus
 * /dev/vfio/<group>, VFIO_SET_IOMMU with type1v2, VFIO_IOMMU_MAP_DMA and the
 * device fd from the group. The same binary is meant to run on a kernel whose
 * /dev/vfio/vfio is served by iommufd and on a legacy type1 kernel, so the
 * values that may legitimately differ (page sizes, IOVA ranges, the DMA
 * mapping limit) are printed rather than asserted.
 *
 * QEMU's "edu" device (1234:11e8) does the DMA: up to 4095 bytes at a time
 * between guest memory and its internal buffer. A transfer the IOMMU blocks
 * still "completes" from the device's side, so blocked DMA is detected by
 * looking at memory.
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

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "../kselftest_harness.h"
#include "edu_utils.h"

#define IOVA_SRC		0x1000000ULL
#define IOVA_OTHER		0x1400000ULL
#define IOVA_EMPTY		0x3000000ULL
#define XFER_LEN		4000

_Static_assert(IOVA_EMPTY + PG <= EDU_IOVA_LIMIT, "IOVA beyond the edu mask");

/* The IOMMU group number of @bdf, or a negative errno. */
static int edu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	return atoi(base ? base + 1 : target);
}

static int dma_map(int container, void *va, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* On success *@size holds what the kernel says it unmapped. */
static int dma_unmap(int container, uint32_t flags, uint64_t iova,
		     uint64_t *size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = *size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	*size = unmap.size;
	return 0;
}

/*
 * VFIO_IOMMU_GET_INFO with room for the capability chain: a first call learns
 * the size the kernel wants, a second fetches everything. Caller frees.
 */
static struct vfio_iommu_type1_info *iommu_info(int container, int *err)
{
	struct vfio_iommu_type1_info *info, *bigger;
	uint32_t argsz = sizeof(*info);

	info = calloc(1, argsz);
	if (!info) {
		*err = -ENOMEM;
		return NULL;
	}
	info->argsz = argsz;
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
		goto fail;
	if (info->argsz <= argsz)
		return info;

	argsz = info->argsz;
	bigger = realloc(info, argsz);
	if (!bigger) {
		free(info);
		*err = -ENOMEM;
		return NULL;
	}
	info = bigger;
	memset(info, 0, argsz);
	info->argsz = argsz;
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
		goto fail;
	return info;
fail:
	*err = -errno;
	free(info);
	return NULL;
}

/* Next capability of the chain, NULL at the end or on a malformed link. */
static struct vfio_info_cap_header *
cap_next(struct vfio_iommu_type1_info *info, struct vfio_info_cap_header *cur)
{
	uint32_t off = cur ? cur->next : info->cap_offset;

	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || !off)
		return NULL;
	if (off < sizeof(*info) ||
	    off + sizeof(struct vfio_info_cap_header) > info->argsz)
		return NULL;
	return (struct vfio_info_cap_header *)((uint8_t *)info + off);
}

static struct vfio_info_cap_header *
cap_find(struct vfio_iommu_type1_info *info, uint16_t id)
{
	struct vfio_info_cap_header *cap = NULL;
	int guard = 0;

	while ((cap = cap_next(info, cap)) && guard++ < 64)
		if (cap->id == id)
			return cap;
	return NULL;
}

/* Prints everything in @info so that kernels can be compared side by side. */
static void print_info(const char *when, struct vfio_iommu_type1_info *info)
{
	struct vfio_info_cap_header *cap = NULL;
	int guard = 0;
	uint32_t i;

	ksft_print_msg("GET_INFO %s: argsz %u flags 0x%x iova_pgsizes 0x%llx cap_offset %u\n",
		       when, info->argsz, info->flags,
		       (unsigned long long)info->iova_pgsizes,
		       info->cap_offset);
	while ((cap = cap_next(info, cap)) && guard++ < 64) {
		switch (cap->id) {
		case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)cap;

			ksft_print_msg("  cap IOVA_RANGE v%u: %u range(s)\n",
				       cap->version, r->nr_iovas);
			for (i = 0; i != r->nr_iovas; i++)
				ksft_print_msg("    [0x%llx, 0x%llx]\n",
					       (unsigned long long)r->iova_ranges[i].start,
					       (unsigned long long)r->iova_ranges[i].end);
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: {
			struct vfio_iommu_type1_info_cap_migration *m =
				(void *)cap;

			ksft_print_msg("  cap MIGRATION v%u: flags 0x%x pgsizes 0x%llx max bitmap 0x%llx\n",
				       cap->version, m->flags,
				       (unsigned long long)m->pgsize_bitmap,
				       (unsigned long long)m->max_dirty_bitmap_size);
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
			struct vfio_iommu_type1_info_dma_avail *d = (void *)cap;

			ksft_print_msg("  cap DMA_AVAIL v%u: avail %u\n",
				       cap->version, d->avail);
			break;
		}
		default:
			ksft_print_msg("  cap id %u v%u (unknown)\n", cap->id,
				       cap->version);
		}
	}
}

/*
 * What any kernel must report: 4 KiB pages usable, and if it lists IOVA
 * ranges, ascending disjoint ranges one of which covers the IOVAs used here.
 */
static void check_info(struct __test_metadata *_metadata,
		       struct vfio_iommu_type1_info *info)
{
	struct vfio_iommu_type1_info_cap_iova_range *r;
	bool covered = false;
	uint32_t i;

	ASSERT_TRUE(info->flags & VFIO_IOMMU_INFO_PGSIZES);
	ASSERT_TRUE(info->iova_pgsizes & PG);
	/* The smallest page size is what the IOVA granule is; we use 4K */
	ASSERT_EQ(PG, info->iova_pgsizes & -info->iova_pgsizes);

	r = (void *)cap_find(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	if (!r)
		return;
	ASSERT_LE(sizeof(*r) + r->nr_iovas * sizeof(r->iova_ranges[0]),
		  info->argsz - ((uint8_t *)r - (uint8_t *)info));
	ASSERT_LT(0, r->nr_iovas);
	for (i = 0; i != r->nr_iovas; i++) {
		ASSERT_LE(r->iova_ranges[i].start, r->iova_ranges[i].end);
		if (i)
			ASSERT_LT(r->iova_ranges[i - 1].end,
				  r->iova_ranges[i].start);
		if (r->iova_ranges[i].start <= IOVA_SRC &&
		    r->iova_ranges[i].end >= IOVA_EMPTY + PG - 1)
			covered = true;
	}
	ASSERT_TRUE(covered);
}

FIXTURE(edu_type1) {
	struct edu edu;
	int container;
	int group;
	uint8_t *mem;
	/* GET_INFO after SET_IOMMU but before the device fd was opened */
	struct vfio_iommu_type1_info *info_early;
	int info_early_err;
	unsigned int seed;
};

#define MEM_PAGES	3
#define PAGE_SRC(m)	((m) + 0 * PG)
#define PAGE_DST(m)	((m) + 1 * PG)
#define PAGE_OTHER(m)	((m) + 2 * PG)

FIXTURE_SETUP(edu_type1)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX];
	int group_nr, rc;

	self->container = -1;
	self->group = -1;
	self->edu.devfd = -1;
	self->mem = MAP_FAILED;
	self->info_early = NULL;
	self->seed = getpid();

	if (!edu_find(self->edu.bdf, sizeof(self->edu.bdf)))
		SKIP(return, "no edu (1234:11e8) PCI device");
	rc = edu_bind_vfio_pci(self->edu.bdf);
	if (rc)
		SKIP(return, "cannot bind %s to vfio-pci: %d", self->edu.bdf,
		     rc);
	group_nr = edu_group(self->edu.bdf);
	ASSERT_LE(0, group_nr) TH_LOG("no IOMMU group for %s", self->edu.bdf);

	self->container = open("/dev/vfio/vfio", O_RDWR);
	if (self->container < 0 && errno == ENOENT)
		SKIP(return, "no /dev/vfio/vfio");
	ASSERT_LE(0, self->container);
	ASSERT_EQ(VFIO_API_VERSION,
		  ioctl(self->container, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_nr);
	self->group = open(path, O_RDWR);
	ASSERT_LE(0, self->group) TH_LOG("open %s: %s", path, strerror(errno));

	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_VIABLE);
	ASSERT_FALSE(status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);

	rc = ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container);
	ASSERT_EQ(0, rc) TH_LOG("VFIO_GROUP_SET_CONTAINER: %s",
				strerror(errno));
	status.argsz = sizeof(status);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);

	rc = ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	ASSERT_EQ(0, rc) TH_LOG("VFIO_SET_IOMMU(TYPE1v2): %s",
				strerror(errno));

	/* Geometry as a VMM sees it before it opens any device */
	self->info_early = iommu_info(self->container, &self->info_early_err);

	self->edu.devfd = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD,
				self->edu.bdf);
	ASSERT_LE(0, self->edu.devfd)
		TH_LOG("VFIO_GROUP_GET_DEVICE_FD(%s): %s", self->edu.bdf,
		       strerror(errno));

	self->mem = mmap(NULL, MEM_PAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);

	rc = edu_regions_setup(&self->edu);
	ASSERT_EQ(0, rc) TH_LOG("BAR0/config setup: %s", strerror(-rc));
	ASSERT_EQ(0xed, edu_read32(&self->edu, EDU_REG_ID) & 0xff)
		TH_LOG("edu id register reads 0x%x",
		       edu_read32(&self->edu, EDU_REG_ID));
}

FIXTURE_TEARDOWN(edu_type1)
{
	edu_regions_teardown(&self->edu);
	if (self->edu.devfd >= 0)
		close(self->edu.devfd);
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, MEM_PAGES * PG);
	free(self->info_early);
}

static void roundtrip(struct __test_metadata *_metadata,
		      FIXTURE_DATA(edu_type1) *self,
		      uint8_t *src, uint64_t src_iova,
		      uint8_t *dst, uint64_t dst_iova)
{
	fill_pattern(src, PG, self->seed++);
	memset(dst, 0, PG);
	ASSERT_EQ(0, edu_to_device(&self->edu, src_iova, XFER_LEN));
	ASSERT_EQ(0, edu_to_ram(&self->edu, dst_iova, XFER_LEN));
	ASSERT_EQ(0, memcmp(src, dst, XFER_LEN))
		TH_LOG("device->RAM copy differs from RAM->device source");
	ASSERT_TRUE(all_bytes(dst + XFER_LEN, PG - XFER_LEN, 0));
}

static void expect_write_blocked(struct __test_metadata *_metadata,
				 FIXTURE_DATA(edu_type1) *self,
				 uint8_t *mem, uint64_t iova)
{
	memset(mem, 0x5a, PG);
	ASSERT_EQ(0, edu_to_ram(&self->edu, iova, XFER_LEN));
	ASSERT_TRUE(all_bytes(mem, PG, 0x5a))
		TH_LOG("device wrote through IOVA 0x%llx after UNMAP_DMA",
		       (unsigned long long)iova);
}

/* See the cdev test: the device buffer must not end up with @mem's bytes. */
static void expect_read_blocked(struct __test_metadata *_metadata,
				FIXTURE_DATA(edu_type1) *self,
				uint8_t *mem, uint64_t iova,
				uint8_t *out, uint64_t out_iova)
{
	fill_pattern(mem, PG, self->seed++);
	ASSERT_EQ(0, edu_to_device(&self->edu, iova, XFER_LEN));
	memset(out, 0, PG);
	ASSERT_EQ(0, edu_to_ram(&self->edu, out_iova, XFER_LEN));
	ASSERT_NE(0, memcmp(out, mem, XFER_LEN))
		TH_LOG("device read IOVA 0x%llx after UNMAP_DMA",
		       (unsigned long long)iova);
}

TEST_F(edu_type1, extensions)
{
	static const struct {
		const char *name;
		unsigned long ext;
	} exts[] = {
		{ "TYPE1_IOMMU", VFIO_TYPE1_IOMMU },
		{ "TYPE1v2_IOMMU", VFIO_TYPE1v2_IOMMU },
		{ "TYPE1_NESTING_IOMMU", VFIO_TYPE1_NESTING_IOMMU },
		{ "DMA_CC_IOMMU", VFIO_DMA_CC_IOMMU },
		{ "UNMAP_ALL", VFIO_UNMAP_ALL },
		{ "UPDATE_VADDR", VFIO_UPDATE_VADDR },
		{ "NOIOMMU_IOMMU", VFIO_NOIOMMU_IOMMU },
	};
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(exts); i++)
		ksft_print_msg("CHECK_EXTENSION %s: %d\n", exts[i].name,
			       ioctl(self->container, VFIO_CHECK_EXTENSION,
				     exts[i].ext));
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, ioctl(self->container, VFIO_CHECK_EXTENSION,
			   VFIO_UNMAP_ALL));
	/*
	 * Legacy VFIO refuses a second SET_IOMMU; iommufd's compat layer
	 * accepts it. Only report which.
	 */
	ksft_print_msg("second VFIO_SET_IOMMU(TYPE1v2): %s\n",
		       ioctl(self->container, VFIO_SET_IOMMU,
			     VFIO_TYPE1v2_IOMMU) ? strerror(errno) : "ok");
}

TEST_F(edu_type1, get_info)
{
	struct vfio_iommu_type1_info *info;
	int err = 0;

	ASSERT_NE(NULL, self->info_early)
		TH_LOG("GET_INFO before device open: %s",
		       strerror(-self->info_early_err));
	print_info("before device open", self->info_early);
	check_info(_metadata, self->info_early);

	info = iommu_info(self->container, &err);
	ASSERT_NE(NULL, info) TH_LOG("GET_INFO: %s", strerror(-err));
	print_info("after device open", info);
	check_info(_metadata, info);
	/* With a device in use, the ranges are what matters to a VMM */
	EXPECT_NE(NULL, cap_find(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE));
	free(info);

	/* A short argsz still returns the fixed part and asks for more */
	{
		struct vfio_iommu_type1_info small = {
			.argsz = sizeof(small),
		};

		ASSERT_EQ(0, ioctl(self->container, VFIO_IOMMU_GET_INFO,
				   &small));
		EXPECT_TRUE(small.flags & VFIO_IOMMU_INFO_PGSIZES);
		if (small.flags & VFIO_IOMMU_INFO_CAPS)
			EXPECT_LT(sizeof(small), small.argsz);
		EXPECT_EQ(0, small.cap_offset);
	}
}

TEST_F_TIMEOUT(edu_type1, map_dma_unmap, 120)
{
	uint8_t *src = PAGE_SRC(self->mem), *dst = PAGE_DST(self->mem);
	uint8_t *other = PAGE_OTHER(self->mem);
	uint64_t size;
	int rc;

	rc = dma_map(self->container, self->mem, IOVA_SRC, 2 * PG);
	ASSERT_EQ(0, rc) TH_LOG("MAP_DMA: %s", strerror(-rc));
	rc = dma_map(self->container, other, IOVA_OTHER, PG);
	ASSERT_EQ(0, rc) TH_LOG("MAP_DMA: %s", strerror(-rc));
	/* Mapping over an existing mapping is refused */
	EXPECT_EQ(-EEXIST, dma_map(self->container, other, IOVA_SRC, PG));

	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
	roundtrip(_metadata, self, other, IOVA_OTHER, src, IOVA_SRC);

	/* Type1v2 does not split a mapping: a partial unmap fails */
	size = PG;
	rc = dma_unmap(self->container, 0, IOVA_SRC + PG, &size);
	ksft_print_msg("UNMAP_DMA of the 2nd page of a 2 page mapping: %d (%s)\n",
		       rc, rc ? strerror(-rc) : "ok");
	EXPECT_NE(0, rc);

	size = 2 * PG;
	rc = dma_unmap(self->container, 0, IOVA_SRC, &size);
	ASSERT_EQ(0, rc) TH_LOG("UNMAP_DMA: %s", strerror(-rc));
	ASSERT_EQ(2 * PG, size);

	expect_write_blocked(_metadata, self, dst, IOVA_SRC + PG);
	expect_write_blocked(_metadata, self, src, IOVA_SRC);
	expect_read_blocked(_metadata, self, src, IOVA_SRC, other, IOVA_OTHER);

	/* Mapping again gives the device its access back */
	ASSERT_EQ(0, dma_map(self->container, self->mem, IOVA_SRC, 2 * PG));
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
}

TEST_F(edu_type1, unmap_empty)
{
	uint64_t size;
	int rc;

	/* Nothing mapped at all */
	size = 16 * PG;
	rc = dma_unmap(self->container, 0, IOVA_EMPTY, &size);
	EXPECT_EQ(0, rc) TH_LOG("UNMAP_DMA of nothing: %s", strerror(-rc));
	if (!rc)
		EXPECT_EQ(0, size);

	/* A hole next to a mapping, which must survive */
	ASSERT_EQ(0, dma_map(self->container, self->mem, IOVA_SRC, PG));
	size = PG;
	rc = dma_unmap(self->container, 0, IOVA_SRC + PG, &size);
	EXPECT_EQ(0, rc) TH_LOG("UNMAP_DMA of a hole: %s", strerror(-rc));
	if (!rc)
		EXPECT_EQ(0, size);
	size = PG;
	ASSERT_EQ(0, dma_unmap(self->container, 0, IOVA_SRC, &size));
	ASSERT_EQ(PG, size);
}

TEST_F_TIMEOUT(edu_type1, unmap_all, 120)
{
	uint8_t *src = PAGE_SRC(self->mem), *dst = PAGE_DST(self->mem);
	uint8_t *other = PAGE_OTHER(self->mem);
	uint64_t size;
	int rc;

	ASSERT_EQ(0, dma_map(self->container, self->mem, IOVA_SRC, 2 * PG));
	ASSERT_EQ(0, dma_map(self->container, other, IOVA_OTHER, PG));
	roundtrip(_metadata, self, src, IOVA_SRC, other, IOVA_OTHER);

	/* UNMAP_ALL takes no range */
	size = PG;
	EXPECT_EQ(-EINVAL, dma_unmap(self->container, VFIO_DMA_UNMAP_FLAG_ALL,
				     0, &size));
	size = 0;
	EXPECT_EQ(-EINVAL, dma_unmap(self->container, VFIO_DMA_UNMAP_FLAG_ALL,
				     IOVA_SRC, &size));

	size = 0;
	rc = dma_unmap(self->container, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size);
	ASSERT_EQ(0, rc) TH_LOG("UNMAP_DMA(ALL): %s", strerror(-rc));
	ASSERT_EQ(3 * PG, size);

	expect_write_blocked(_metadata, self, dst, IOVA_SRC + PG);
	expect_write_blocked(_metadata, self, other, IOVA_OTHER);

	/* Again, with nothing left */
	size = 0;
	ASSERT_EQ(0, dma_unmap(self->container, VFIO_DMA_UNMAP_FLAG_ALL, 0,
			       &size));
	ASSERT_EQ(0, size);

	ASSERT_EQ(0, dma_map(self->container, self->mem, IOVA_SRC, 2 * PG));
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);
}

/*
 * MAP_DMA and UNMAP_DMA requests the container must refuse, with the errno
 * each kernel gives: printed, only the refusal is asserted.
 */
TEST_F(edu_type1, map_refused)
{
	static const struct {
		const char *what;
		uint64_t iova;
		uint64_t size;
		unsigned int page;
	} maps[] = {
		{ "in the MSI window", 0xfee00000ULL, PG },
		{ "beyond the aperture", 1ULL << 39, PG },
		{ "across the aperture end", (1ULL << 39) - PG, 2 * PG },
		{ "unaligned IOVA", IOVA_SRC + 1, PG },
		{ "unaligned size", IOVA_SRC, PG + 1 },
		{ "of size 0", IOVA_SRC, 0 },
		{ "wrapping", UINT64_MAX - PG + 1, 2 * PG },
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	uint64_t size;
	unsigned int i;
	int rc;

	for (i = 0; i != ARRAY_SIZE(maps); i++) {
		rc = dma_map(self->container, self->mem, maps[i].iova,
			     maps[i].size);
		ksft_print_msg("MAP_DMA %s: %d (%s)\n", maps[i].what, rc,
			       rc ? strerror(-rc) : "ok");
		EXPECT_NE(0, rc);
	}

	map.vaddr = (uintptr_t)self->mem + 1;
	map.iova = IOVA_SRC;
	map.size = PG;
	rc = ioctl(self->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
	ksft_print_msg("MAP_DMA of an unaligned vaddr: %d (%s)\n", rc,
		       rc ? strerror(-rc) : "ok");
	map.vaddr = (uintptr_t)self->mem;
	map.flags = 0;
	rc = ioctl(self->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
	ksft_print_msg("MAP_DMA without READ or WRITE: %d (%s)\n", rc,
		       rc ? strerror(-rc) : "ok");
	map.flags = VFIO_DMA_MAP_FLAG_READ | (1U << 30);
	rc = ioctl(self->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
	ksft_print_msg("MAP_DMA with an unknown flag: %d (%s)\n", rc,
		       rc ? strerror(-rc) : "ok");

	size = PG;
	rc = dma_unmap(self->container, 0, IOVA_SRC + 1, &size);
	ksft_print_msg("UNMAP_DMA of an unaligned IOVA: %d (%s)\n", rc,
		       rc ? strerror(-rc) : "ok");
	size = 0;
	rc = dma_unmap(self->container, 0, IOVA_SRC, &size);
	ksft_print_msg("UNMAP_DMA of size 0: %d (%s)\n", rc,
		       rc ? strerror(-rc) : "ok");
}

static int dirty_pages_op(int container, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &cmd) ? -errno : 0;
}

static int dirty_pages_get(int container, uint64_t iova, uint64_t size,
			   uint64_t *bitmap, uint64_t bitmap_size)
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
			.bitmap = { .pgsize = PG, .size = bitmap_size,
				    .data = (void *)bitmap },
		},
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &cmd) ? -errno : 0;
}

/* Prints the set bits of @bitmap as page offsets from @iova */
static void print_dirty(const char *when, uint64_t iova, uint64_t *bitmap,
			unsigned int npages)
{
	char line[256];
	unsigned int i, n = 0;
	int len = 0;

	line[0] = 0;
	for (i = 0; i != npages; i++) {
		if (!(bitmap[i / 64] & (1ULL << (i % 64))))
			continue;
		n++;
		if (len < (int)sizeof(line) - 24)
			len += snprintf(line + len, sizeof(line) - len,
					" 0x%llx",
					(unsigned long long)(iova + i * PG));
	}
	ksft_print_msg("DIRTY_PAGES %s: %u dirty page(s):%s\n", when, n,
		       line);
}

/*
 * VFIO_IOMMU_DIRTY_PAGES as a type1-era migration loop uses it. Legacy
 * type1 reports every mapped page as dirty; iommufd does the same unless
 * the IOMMU tracks dirty pages itself. Print both answers.
 */
TEST_F_TIMEOUT(edu_type1, dirty_pages, 120)
{
	uint8_t *src = PAGE_SRC(self->mem), *dst = PAGE_DST(self->mem);
	const unsigned int npages = (IOVA_OTHER - IOVA_SRC) / PG + 1;
	uint64_t bitmap[(npages + 63) / 64];
	int rc;

	ASSERT_EQ(0, dma_map(self->container, self->mem, IOVA_SRC, 2 * PG));
	ASSERT_EQ(0, dma_map(self->container, PAGE_OTHER(self->mem),
			     IOVA_OTHER, PG));

	rc = dirty_pages_get(self->container, IOVA_SRC, npages * PG, bitmap,
			     sizeof(bitmap));
	ksft_print_msg("DIRTY_PAGES GET_BITMAP before START: %d\n", rc);
	rc = dirty_pages_op(self->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	ksft_print_msg("DIRTY_PAGES START: %d\n", rc);
	ASSERT_EQ(0, rc);

	/* The device writes the 2nd page only */
	roundtrip(_metadata, self, src, IOVA_SRC, dst, IOVA_SRC + PG);

	memset(bitmap, 0, sizeof(bitmap));
	rc = dirty_pages_get(self->container, IOVA_SRC, npages * PG, bitmap,
			     sizeof(bitmap));
	ASSERT_EQ(0, rc);
	print_dirty("after DMA", IOVA_SRC, bitmap, npages);
	/* Whatever else is reported, the page the device wrote is */
	EXPECT_TRUE(bitmap[0] & 2);

	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, dirty_pages_get(self->container, IOVA_SRC, npages * PG,
				     bitmap, sizeof(bitmap)));
	print_dirty("read again", IOVA_SRC, bitmap, npages);

	rc = dirty_pages_op(self->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	ksft_print_msg("DIRTY_PAGES STOP: %d\n", rc);
	EXPECT_EQ(0, rc);
}

/*
 * Type1 (v1) unmap of part of a mapping: legacy type1 and iommufd answer
 * differently (see Documentation/userspace-api/iommufd.rst), so print what
 * happens. Needs no device fd: the group joins a v1 container of its own.
 */
TEST(type1_v1_partial_unmap)
{
	char bdf[NAME_MAX + 1], path[PATH_MAX];
	int container, group, group_nr, rc;
	uint64_t size;
	uint8_t *mem;

	if (!edu_find(bdf, sizeof(bdf)))
		SKIP(return, "no edu (1234:11e8) PCI device");
	if (edu_bind_vfio_pci(bdf))
		SKIP(return, "cannot bind %s to vfio-pci", bdf);
	group_nr = edu_group(bdf);
	ASSERT_LE(0, group_nr);
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0 && errno == ENOENT)
		SKIP(return, "no /dev/vfio/vfio");
	ASSERT_LE(0, container);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_nr);
	group = open(path, O_RDWR);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));

	mem = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, dma_map(container, mem, IOVA_SRC, 4 * PG));

	size = PG;
	rc = dma_unmap(container, 0, IOVA_SRC + PG, &size);
	ksft_print_msg("v1 UNMAP_DMA of the 2nd page of a 4 page mapping: %d, size 0x%llx\n",
		       rc, (unsigned long long)size);
	size = PG;
	rc = dma_unmap(container, 0, IOVA_SRC, &size);
	ksft_print_msg("v1 UNMAP_DMA of the 1st page: %d, size 0x%llx\n", rc,
		       (unsigned long long)size);
	size = 4 * PG;
	rc = dma_unmap(container, 0, IOVA_SRC, &size);
	ksft_print_msg("v1 UNMAP_DMA of all 4 pages: %d, size 0x%llx\n", rc,
		       (unsigned long long)size);
	EXPECT_EQ(0, rc);

	munmap(mem, 4 * PG);
	close(group);
	close(container);
}

TEST_HARNESS_MAIN
