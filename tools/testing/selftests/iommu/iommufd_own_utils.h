/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers shared by our own iommufd selftests (iommufd_map_file,
 * iommufd_change_process, iommufd_accounting, iommufd_size_rules,
 * iommufd_dirty_guard, iommufd_pasid, iommufd_vfio_compat and others).
 *
 * Every ioctl wrapper returns 0 on success or the positive errno of the
 * failure, so that a test reads ASSERT_EQ(EINVAL, op(...)).
 */
#ifndef __IOMMUFD_OWN_UTILS_H
#define __IOMMUFD_OWN_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <linux/iommufd.h>

/* Brings in the harness and the mock driver uAPI (iommufd_test.h) */
#include "iommufd_utils.h"

#define OWN_ERR(_rc) ((_rc) ? errno : 0)

/* An ID that no test allocates: IDs start at 1 and our tests make few */
#define OWN_BAD_ID 0xfffff0u

static inline long own_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline int own_open(void)
{
	return open("/dev/iommu", O_RDWR);
}

static inline int own_ioas_alloc(int fd, __u32 *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc)
		*id = cmd.out_ioas_id;
	return OWN_ERR(rc);
}

static inline int own_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return OWN_ERR(ioctl(fd, IOMMU_DESTROY, &cmd));
}

/* @iova is an input with IOMMU_IOAS_MAP_FIXED_IOVA and always an output */
static inline int own_map_file(int fd, __u32 ioas_id, __u32 flags, int mfd,
			       __u64 start, __u64 length, __u64 *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.fd = mfd,
		.start = start,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return OWN_ERR(rc);
}

static inline int own_map_user(int fd, __u32 ioas_id, __u32 flags, void *va,
			       __u64 length, __u64 *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return OWN_ERR(rc);
}

static inline int own_copy(int fd, __u32 dst_ioas, __u32 src_ioas, __u32 flags,
			   __u64 src_iova, __u64 length, __u64 *dst_iova)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas,
		.length = length,
		.dst_iova = dst_iova ? *dst_iova : 0,
		.src_iova = src_iova,
	};
	int rc = ioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc && dst_iova)
		*dst_iova = cmd.dst_iova;
	return OWN_ERR(rc);
}

static inline int own_unmap(int fd, __u32 ioas_id, __u64 iova, __u64 length,
			    __u64 *out_length)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int rc = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (!rc && out_length)
		*out_length = cmd.length;
	return OWN_ERR(rc);
}

static inline int own_change_process(int fd)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	return OWN_ERR(ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd));
}

/* @mm: 0 selects USER accounting, 1 selects MM accounting */
static inline int own_set_rlimit_mode(int fd, __u64 mm)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = mm,
	};

	return OWN_ERR(ioctl(fd, IOMMU_OPTION, &cmd));
}

static inline int own_get_rlimit_mode(int fd, __u64 *mm)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
	};
	int rc = ioctl(fd, IOMMU_OPTION, &cmd);

	if (!rc)
		*mm = cmd.val64;
	return OWN_ERR(rc);
}

static inline int own_mock_domain(int fd, __u32 ioas_id, __u32 dev_flags,
				  __u32 *stdev_id, __u32 *hwpt_id,
				  __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = ioas_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);

	if (rc)
		return errno;
	if (stdev_id)
		*stdev_id = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain_flags.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain_flags.out_idev_id;
	return 0;
}

static inline int own_mock_domain_replace(int fd, __u32 stdev_id, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* A selftest vIOMMU on the nesting parent @hwpt_id */
static inline int own_viommu_alloc(int fd, __u32 dev_id, __u32 hwpt_id,
				   __u32 *viommu_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
	};
	int rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc)
		*viommu_id = cmd.out_viommu_id;
	return OWN_ERR(rc);
}

static inline int own_vdevice_alloc(int fd, __u32 viommu_id, __u32 dev_id,
				    __u64 virt_id, __u32 *vdev_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int rc = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc)
		*vdev_id = cmd.out_vdevice_id;
	return OWN_ERR(rc);
}

/* A selftest HW queue of @length bytes of the vIOMMU's parent IOAS */
static inline int own_hw_queue_alloc(int fd, __u32 viommu_id, __u32 index,
				     __u64 iova, __u64 length,
				     __u32 *hw_queue_id)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc = ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc)
		*hw_queue_id = cmd.out_hw_queue_id;
	return OWN_ERR(rc);
}

/* Make @ioas_id the context's compat IOAS (IOMMU_VFIO_IOAS SET) */
static inline int own_set_compat(int fd, __u32 ioas_id)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_SET,
		.ioas_id = ioas_id,
	};

	return OWN_ERR(ioctl(fd, IOMMU_VFIO_IOAS, &cmd));
}

static inline int own_hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id,
				 __u32 flags, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return OWN_ERR(rc);
}

/* The mock domain @hwpt_id maps [iova, iova + length) onto the pages at @uptr */
static inline int own_check_map(int fd, __u32 hwpt_id, __u64 iova,
				__u64 length, void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
		.check_map = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)uptr },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* Marks dirty, in mock domain @hwpt_id, every page whose bit is set in @bits */
static inline int own_mock_set_dirty(int fd, __u32 hwpt_id, __u64 iova,
				     __u64 length, __u64 page_size,
				     __u64 *bits)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt_id,
		.dirty = { .iova = iova, .length = length,
			   .page_size = page_size, .uptr = (uintptr_t)bits },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* Every small page of [uptr, uptr + length) carries @refs DMA pins */
static inline int own_check_refs(int fd, void *uptr, __u64 length,
				 unsigned int refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = length, .uptr = (uintptr_t)uptr,
				.refs = refs },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

static inline int own_add_reserved(int fd, __u32 ioas_id, __u64 start,
				   __u64 length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

static inline int own_create_access(int fd, __u32 ioas_id, __u32 flags,
				    int *access_fd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas_id,
		.create_access = { .flags = flags },
	};
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		*access_fd = cmd.create_access.out_access_fd;
	return OWN_ERR(rc);
}

static inline int own_access_rw(int fd, int access_fd, __u64 iova, void *buf,
				__u64 length, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = access_fd,
		.access_rw = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)buf, .flags = flags },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* Value in kB of a "Key:" line of /proc/<pid>/status, -1 if absent */
static inline long own_status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static inline long own_vm_pin(pid_t pid)
{
	return own_status_kb(pid, "VmPin");
}

static inline long own_vm_lck(pid_t pid)
{
	return own_status_kb(pid, "VmLck");
}

/* Drop @cap from the effective, permitted and inheritable sets */
static inline int own_drop_cap(cap_value_t cap)
{
	cap_t caps = cap_get_proc();
	int rc;

	if (!caps)
		return errno;
	rc = cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_CLEAR) ||
	     cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_CLEAR) ||
	     cap_set_flag(caps, CAP_INHERITABLE, 1, &cap, CAP_CLEAR) ||
	     cap_set_proc(caps);
	cap_free(caps);
	return rc ? errno : 0;
}

static inline int own_set_memlock(rlim_t bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	return OWN_ERR(setrlimit(RLIMIT_MEMLOCK, &rl));
}

/*
 * A memfd of @size bytes, every byte set to a pattern derived from its
 * offset so that reads through an IOVA can be checked.
 */
static inline int own_memfd(size_t size, unsigned int flags)
{
	int mfd = memfd_create("iommufd_own", flags);
	unsigned char *p;
	size_t i;

	if (mfd < 0)
		return -1;
	if (ftruncate(mfd, size))
		goto err;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED)
		goto err;
	for (i = 0; i != size; i++)
		p[i] = (unsigned char)(i * 7 + (i >> 12));
	munmap(p, size);
	return mfd;
err:
	close(mfd);
	return -1;
}

static inline unsigned char own_pattern(size_t off)
{
	return (unsigned char)(off * 7 + (off >> 12));
}

#endif
