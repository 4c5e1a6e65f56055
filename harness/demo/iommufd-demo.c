// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd-demo: use /dev/iommu the way a VMM does and say what happens.
 *
 * open /dev/iommu, allocate an IOAS, map a buffer of guest memory, list
 * the usable IOVA ranges, unmap, destroy. Raw ioctls on the installed uAPI
 * header. Exit status 0 when every step worked.
 */
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

#define BUF_SIZE (2UL * 1024 * 1024)

static int step_no;

static void step(const char *what, int ret)
{
	step_no++;
	if (ret)
		printf("demo: step %d: %s: FAILED: %s\n", step_no, what,
		       strerror(errno));
	else
		printf("demo: step %d: %s: ok\n", step_no, what);
	fflush(stdout);
	if (ret)
		exit(1);
}

static void list_ranges(int fd, __u32 ioas_id)
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
		step("IOMMU_IOAS_IOVA_RANGES (count)", ret);
	ranges = calloc(cmd.num_iovas ? cmd.num_iovas : 1, sizeof(*ranges));
	if (!ranges)
		step("allocate the range array", -1);
	cmd.allowed_iovas = (uintptr_t)ranges;
	step("IOMMU_IOAS_IOVA_RANGES",
	     ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	printf("demo:   %u usable IOVA range(s), alignment 0x%llx\n",
	       cmd.num_iovas, (unsigned long long)cmd.out_iova_alignment);
	for (i = 0; i != cmd.num_iovas; i++)
		printf("demo:   [0x%016llx, 0x%016llx]\n",
		       (unsigned long long)ranges[i].start,
		       (unsigned long long)ranges[i].last);
	free(ranges);
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	void *buf;
	int fd;

	printf("demo: iommufd as a VMM uses it\n");
	fd = open("/dev/iommu", O_RDWR);
	step("open /dev/iommu", fd < 0 ? -1 : 0);

	step("IOMMU_IOAS_ALLOC", ioctl(fd, IOMMU_IOAS_ALLOC, &alloc));
	printf("demo:   IOAS id %u\n", alloc.out_ioas_id);

	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	step("mmap a 2 MiB buffer of \"guest memory\"",
	     buf == MAP_FAILED ? -1 : 0);
	memset(buf, 0x5a, BUF_SIZE);

	map.ioas_id = alloc.out_ioas_id;
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.user_va = (uintptr_t)buf;
	map.length = BUF_SIZE;
	step("IOMMU_IOAS_MAP (kernel picks the IOVA)",
	     ioctl(fd, IOMMU_IOAS_MAP, &map));
	printf("demo:   %lu bytes at user VA %p mapped at IOVA 0x%llx\n",
	       BUF_SIZE, buf, (unsigned long long)map.iova);

	list_ranges(fd, alloc.out_ioas_id);

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = map.iova;
	unmap.length = BUF_SIZE;
	step("IOMMU_IOAS_UNMAP", ioctl(fd, IOMMU_IOAS_UNMAP, &unmap));
	printf("demo:   %llu bytes unmapped\n",
	       (unsigned long long)unmap.length);

	destroy.id = alloc.out_ioas_id;
	step("IOMMU_DESTROY the IOAS", ioctl(fd, IOMMU_DESTROY, &destroy));

	step("close /dev/iommu", close(fd));
	printf("demo: all %d steps worked\n", step_no);
	return 0;
}
