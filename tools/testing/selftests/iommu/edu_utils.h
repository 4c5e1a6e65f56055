/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the selftests that drive QEMU's "edu" PCI device
 * (1234:11e8): finding it, handing it to vfio-pci, mapping its BAR and
 * running its DMA engine (iommufd_vfio_edu, vfio_type1_edu).
 *
 * The includer opens the device fd (cdev or group) into struct edu::devfd
 * before edu_regions_setup().
 */
#ifndef __EDU_UTILS_H
#define __EDU_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
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

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_START		0x1
#define EDU_CMD_TO_RAM		0x2
/* Device-side address of the engine's internal buffer */
#define EDU_DEV_BUF		0x40000
/* QEMU 7.2 aborts on a full 4096 byte transfer */
#define EDU_MAX_XFER		4095
/* The engine masks addresses to 28 bits */
#define EDU_IOVA_LIMIT		(1ULL << 28)

#define PG			4096UL

struct edu {
	char bdf[NAME_MAX + 1];
	int devfd;
	volatile uint8_t *bar;
	size_t bar_size;
	uint64_t bar_off;
	uint64_t cfg_off;
};

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static unsigned long sysfs_read_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32] = {};
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return ULONG_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ULONG_MAX;
	return strtoul(buf, NULL, 16);
}

/* Fills @bdf with the first edu device found; false when there is none. */
static bool edu_find(char *bdf, size_t len)
{
	const char *root = "/sys/bus/pci/devices";
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir(root);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char dir[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		if (sysfs_read_hex(dir, "vendor") == EDU_VENDOR &&
		    sysfs_read_hex(dir, "device") == EDU_DEVICE) {
			snprintf(bdf, len, "%s", de->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static bool edu_driver_is(const char *bdf, const char *drv)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return !drv;
	if (!drv)
		return false;
	target[n] = 0;
	base = strrchr(target, '/');
	return !strcmp(base ? base + 1 : target, drv);
}

/* Hands the device to vfio-pci unless it already has it. */
static int edu_bind_vfio_pci(const char *bdf)
{
	char path[PATH_MAX];
	int i;

	if (edu_driver_is(bdf, "vfio-pci"))
		return 0;
	if (!edu_driver_is(bdf, NULL)) {
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		sysfs_write(path, bdf);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	if (!sysfs_write(path, "vfio-pci"))
		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (!edu_driver_is(bdf, "vfio-pci"))
		sysfs_write("/sys/bus/pci/drivers/vfio-pci/new_id",
			    "1234 11e8");
	for (i = 0; i < 100 && !edu_driver_is(bdf, "vfio-pci"); i++)
		usleep(10000);
	return edu_driver_is(bdf, "vfio-pci") ? 0 : -ENODEV;
}

static int region_info(int devfd, uint32_t index,
		       struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

/*
 * Locates BAR0 and config space of the bound device, maps BAR0 when VFIO
 * allows it and turns on memory decoding and bus mastering.
 */
static int edu_regions_setup(struct edu *e)
{
	struct vfio_region_info info;
	uint16_t cmd;

	if (region_info(e->devfd, VFIO_PCI_BAR0_REGION_INDEX, &info))
		return -errno;
	if (info.size < 0x100)
		return -EINVAL;
	e->bar_off = info.offset;
	e->bar_size = info.size;
	e->bar = NULL;
	if (info.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		void *p = mmap(NULL, info.size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, e->devfd, info.offset);

		if (p != MAP_FAILED)
			e->bar = p;
	}

	if (region_info(e->devfd, VFIO_PCI_CONFIG_REGION_INDEX, &info))
		return -errno;
	e->cfg_off = info.offset;
	if (pread(e->devfd, &cmd, 2, e->cfg_off + PCI_COMMAND) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(e->devfd, &cmd, 2, e->cfg_off + PCI_COMMAND) != 2)
		return -EIO;
	return 0;
}

static void edu_regions_teardown(struct edu *e)
{
	if (e->bar)
		munmap((void *)e->bar, e->bar_size);
	e->bar = NULL;
}

/* The edu MMIO handler only accepts 4 byte accesses below 0x80. */
static uint32_t edu_read32(struct edu *e, unsigned int reg)
{
	uint32_t v = UINT32_MAX;

	if (e->bar)
		return *(volatile uint32_t *)(e->bar + reg);
	if (pread(e->devfd, &v, 4, e->bar_off + reg) != 4)
		return UINT32_MAX;
	return v;
}

static uint64_t edu_read64(struct edu *e, unsigned int reg)
{
	uint64_t v = UINT64_MAX;

	if (e->bar)
		return *(volatile uint64_t *)(e->bar + reg);
	if (pread(e->devfd, &v, 8, e->bar_off + reg) != 8)
		return UINT64_MAX;
	return v;
}

static void edu_write64(struct edu *e, unsigned int reg, uint64_t v)
{
	if (e->bar) {
		*(volatile uint64_t *)(e->bar + reg) = v;
		return;
	}
	if (pwrite(e->devfd, &v, 8, e->bar_off + reg) != 8)
		fprintf(stderr, "# edu write of reg 0x%x failed\n", reg);
}

/*
 * Runs one transfer and waits for the engine to go idle. The engine works off
 * a 100 ms QEMU timer, so poll with a generous deadline.
 */
static int edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t len,
		   bool to_ram)
{
	int i;

	if (len > EDU_MAX_XFER)
		return -EINVAL;
	edu_write64(e, EDU_REG_DMA_SRC, src);
	edu_write64(e, EDU_REG_DMA_DST, dst);
	edu_write64(e, EDU_REG_DMA_CNT, len);
	edu_write64(e, EDU_REG_DMA_CMD,
		    EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 10000; i++) {
		if (!(edu_read64(e, EDU_REG_DMA_CMD) & EDU_CMD_START))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int edu_to_device(struct edu *e, uint64_t iova, uint64_t len)
{
	return edu_dma(e, iova, EDU_DEV_BUF, len, false);
}

static int edu_to_ram(struct edu *e, uint64_t iova, uint64_t len)
{
	return edu_dma(e, EDU_DEV_BUF, iova, len, true);
}

static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i != len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i != len; i++)
		if (p[i] != v)
			return false;
	return true;
}

#endif /* __EDU_UTILS_H */
