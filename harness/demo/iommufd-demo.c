// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd-demo: use /dev/iommu the way a VMM does and say what happens.
 *
 * Part 1 (demo.ioas): open /dev/iommu, allocate an IOAS, map a buffer of
 * "guest memory", list the usable IOVA ranges, unmap, destroy.
 * Part 2 (demo.vfio_dma): bind QEMU's edu device (bound to vfio-pci) to the
 * iommufd through its VFIO cdev, attach it to an IOAS, map a buffer at a
 * fixed IOVA and let the device DMA into it and back out of it; unmap it
 * and see the IOMMU keep the device out.
 * Raw ioctls on the installed uAPI headers. Prints TAP, one line per part,
 * so the harness counts each; exit status 0 when no part failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define BUF_SIZE (2UL * 1024 * 1024)

static int step_no;

/* Print the outcome of one step; returns ret, so callers can bail out. */
static int step(const char *what, int ret)
{
	step_no++;
	if (ret)
		printf("demo: step %d: %s: FAILED: %s\n", step_no, what,
		       strerror(errno));
	else
		printf("demo: step %d: %s: ok\n", step_no, what);
	fflush(stdout);
	return ret;
}

static int list_ranges(int fd, __u32 ioas_id)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
	};
	struct iommu_iova_range *ranges;
	__u32 i;
	int ret;

	/* First ask how many ranges there are: EMSGSIZE with the count. */
	ret = ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	if (ret && errno != EMSGSIZE)
		return step("IOMMU_IOAS_IOVA_RANGES (count)", ret);
	ranges = calloc(cmd.num_iovas ? cmd.num_iovas : 1, sizeof(*ranges));
	if (!ranges)
		return step("allocate the range array", -1);
	cmd.allowed_iovas = (uintptr_t)ranges;
	if (step("IOMMU_IOAS_IOVA_RANGES",
		 ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd))) {
		free(ranges);
		return -1;
	}
	printf("demo:   %u usable IOVA range(s), alignment 0x%llx\n",
	       cmd.num_iovas, (unsigned long long)cmd.out_iova_alignment);
	for (i = 0; i != cmd.num_iovas; i++)
		printf("demo:   [0x%016llx, 0x%016llx]\n",
		       (unsigned long long)ranges[i].start,
		       (unsigned long long)ranges[i].last);
	free(ranges);
	return 0;
}

static int demo_ioas(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	void *buf;
	int fd;

	printf("demo: part 1: an IOAS with guest memory mapped\n");
	fd = open("/dev/iommu", O_RDWR);
	if (step("open /dev/iommu", fd < 0 ? -1 : 0))
		return -1;

	if (step("IOMMU_IOAS_ALLOC", ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)))
		return -1;
	printf("demo:   IOAS id %u\n", alloc.out_ioas_id);

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (step("mmap a 2 MiB buffer of \"guest memory\"",
		 buf == MAP_FAILED ? -1 : 0))
		return -1;
	memset(buf, 0x5a, BUF_SIZE);

	map.ioas_id = alloc.out_ioas_id;
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.user_va = (uintptr_t)buf;
	map.length = BUF_SIZE;
	if (step("IOMMU_IOAS_MAP (the kernel picks the IOVA)",
		 ioctl(fd, IOMMU_IOAS_MAP, &map)))
		return -1;
	printf("demo:   %lu bytes at user VA %p mapped at IOVA 0x%llx\n",
	       BUF_SIZE, buf, (unsigned long long)map.iova);

	if (list_ranges(fd, alloc.out_ioas_id))
		return -1;

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = BUF_SIZE;
	if (step("IOMMU_IOAS_UNMAP", ioctl(fd, IOMMU_IOAS_UNMAP, &unmap)))
		return -1;
	printf("demo:   %llu bytes unmapped\n",
	       (unsigned long long)unmap.length);

	destroy.id = alloc.out_ioas_id;
	if (step("IOMMU_DESTROY the IOAS", ioctl(fd, IOMMU_DESTROY, &destroy)))
		return -1;
	munmap(buf, BUF_SIZE);
	return step("close /dev/iommu", close(fd));
}

/* QEMU's edu device: BAR0 registers and its DMA window. */
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_REG_ID 0x00
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_BUFFER 0x40000
#define EDU_DMA_LEN 256		/* QEMU 7.2 aborts on 4096-byte transfers */
#define DMA_IOVA 0x100000	/* edu only reaches IOVAs below 2^28 */

static unsigned long read_hex(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* Find the edu device's VFIO cdev: "/dev/vfio/devices/vfioN". */
static int find_edu_cdev(char *path, size_t len, char *bdf, size_t bdf_len)
{
	DIR *pci = opendir("/sys/bus/pci/devices");
	struct dirent *d, *v;
	char p[512];
	DIR *vd;
	int found = -1;

	if (!pci)
		return -1;
	while (found && (d = readdir(pci))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor",
			 d->d_name);
		if (read_hex(p) != EDU_VENDOR)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
			 d->d_name);
		if (read_hex(p) != EDU_DEVICE)
			continue;
		snprintf(bdf, bdf_len, "%s", d->d_name);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev",
			 d->d_name);
		vd = opendir(p);
		if (!vd)
			continue;
		while ((v = readdir(vd))) {
			if (strncmp(v->d_name, "vfio", 4))
				continue;
			snprintf(path, len, "/dev/vfio/devices/%s", v->d_name);
			found = 0;
			break;
		}
		closedir(vd);
	}
	closedir(pci);
	return found;
}

static int region(int devfd, __u32 index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

static int rw(int write, int devfd, off_t off, void *val, size_t len)
{
	ssize_t n = write ? pwrite(devfd, val, len, off) :
			    pread(devfd, val, len, off);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

/* Run one edu DMA and wait for it (edu finishes after a 100 ms timer). */
static int edu_dma(int devfd, off_t bar, __u64 src, __u64 dst, __u64 cmd)
{
	__u64 len = EDU_DMA_LEN, v;
	int i;

	if (rw(1, devfd, bar + EDU_REG_DMA_SRC, &src, 8) ||
	    rw(1, devfd, bar + EDU_REG_DMA_DST, &dst, 8) ||
	    rw(1, devfd, bar + EDU_REG_DMA_COUNT, &len, 8) ||
	    rw(1, devfd, bar + EDU_REG_DMA_CMD, &cmd, 8))
		return -1;
	for (i = 0; i < 500; i++) {
		if (rw(0, devfd, bar + EDU_REG_DMA_CMD, &v, 8))
			return -1;
		if (!(v & EDU_DMA_START))
			return 0;
		usleep(10000);
	}
	errno = ETIMEDOUT;
	return -1;
}

/* Returns 0 on success, 1 if there is no device to use, -1 on failure. */
static int demo_vfio_dma(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct vfio_region_info cfg, bar;
	char cdev[300], bdf[256] = "?";
	unsigned char *buf;
	__u32 id = 0;
	__u16 command;
	int blocked = 1;
	int fd, devfd;

	printf("demo: part 2: DMA from QEMU's edu device through VFIO cdev\n");
	if (find_edu_cdev(cdev, sizeof(cdev), bdf, sizeof(bdf))) {
		printf("demo:   no edu device bound to vfio-pci (%s)\n", bdf);
		return 1;
	}
	printf("demo:   edu at %s, VFIO cdev %s\n", bdf, cdev);

	fd = open("/dev/iommu", O_RDWR);
	if (step("open /dev/iommu", fd < 0 ? -1 : 0))
		return -1;
	if (step("IOMMU_IOAS_ALLOC", ioctl(fd, IOMMU_IOAS_ALLOC, &alloc)))
		return -1;
	devfd = open(cdev, O_RDWR);
	if (step("open the VFIO cdev", devfd < 0 ? -1 : 0))
		return -1;
	bind.iommufd = fd;
	if (step("VFIO_DEVICE_BIND_IOMMUFD",
		 ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind)))
		return -1;
	printf("demo:   device id %u in the iommufd\n", bind.out_devid);
	attach.pt_id = alloc.out_ioas_id;
	if (step("VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS",
		 ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach)))
		return -1;
	printf("demo:   attached through HW page table %u\n", attach.pt_id);

	buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (step("mmap two pages", buf == MAP_FAILED ? -1 : 0))
		return -1;
	for (int i = 0; i < 4096; i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	memset(buf + 4096, 0, 4096);
	map.ioas_id = alloc.out_ioas_id;
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.user_va = (uintptr_t)buf;
	map.length = 8192;
	map.iova = DMA_IOVA;
	if (step("IOMMU_IOAS_MAP at fixed IOVA 0x100000",
		 ioctl(fd, IOMMU_IOAS_MAP, &map)))
		return -1;

	if (step("VFIO_DEVICE_GET_REGION_INFO (config, BAR0)",
		 region(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) ||
		 region(devfd, VFIO_PCI_BAR0_REGION_INDEX, &bar)))
		return -1;
	if (step("enable memory space and bus mastering",
		 rw(0, devfd, cfg.offset + 4, &command, 2)))
		return -1;
	command |= 0x6;
	if (step("write the PCI command register",
		 rw(1, devfd, cfg.offset + 4, &command, 2)))
		return -1;
	if (step("read the edu id register",
		 rw(0, devfd, bar.offset + EDU_REG_ID, &id, 4)))
		return -1;
	printf("demo:   edu id 0x%08x\n", id);

	if (step("DMA 256 bytes from IOVA 0x100000 into the device",
		 edu_dma(devfd, bar.offset, DMA_IOVA, EDU_BUFFER,
			 EDU_DMA_START)))
		return -1;
	if (step("DMA them back to IOVA 0x101000",
		 edu_dma(devfd, bar.offset, EDU_BUFFER, DMA_IOVA + 4096,
			 EDU_DMA_START | EDU_DMA_TO_RAM)))
		return -1;
	errno = EIO;
	if (step("the second page now holds the first page's bytes",
		 memcmp(buf, buf + 4096, EDU_DMA_LEN) ? -1 : 0))
		return -1;

	/* Unmapped, the IOVA must be out of the device's reach. */
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = DMA_IOVA;
	unmap.length = 8192;
	if (step("IOMMU_IOAS_UNMAP the two pages",
		 ioctl(fd, IOMMU_IOAS_UNMAP, &unmap)))
		return -1;
	memset(buf + 4096, 0, 4096);
	if (step("DMA to IOVA 0x101000 again (the IOMMU blocks it)",
		 edu_dma(devfd, bar.offset, EDU_BUFFER, DMA_IOVA + 4096,
			 EDU_DMA_START | EDU_DMA_TO_RAM)))
		return -1;
	errno = EIO;
	for (int i = 0; i < EDU_DMA_LEN; i++)
		blocked &= !buf[4096 + i];
	if (step("the page is untouched", blocked ? 0 : -1))
		return -1;

	close(devfd);
	munmap(buf, 8192);
	return step("close the device and /dev/iommu", close(fd));
}

int main(void)
{
	int failed = 0, ret;

	printf("TAP version 13\n1..2\n");
	ret = demo_ioas();
	failed += !!ret;
	printf("%sok 1 demo.ioas\n", ret ? "not " : "");
	fflush(stdout);

	ret = demo_vfio_dma();
	failed += ret < 0;
	if (ret > 0)
		printf("ok 2 demo.vfio_dma # SKIP no edu device on vfio-pci\n");
	else
		printf("%sok 2 demo.vfio_dma\n", ret ? "not " : "");
	printf("demo: %s\n", failed ? "FAILED" : "all steps worked");
	return failed ? 1 : 0;
}
