/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only interface of iommufd: the IOMMU_TEST_CMD ioctl and the data
 * formats of the mock IOMMU driver.
 *
 * Only available when the kernel is built with CONFIG_IOMMUFD_TEST. This file
 * is shared by the kernel (selftest.c) and by the kselftests, which include
 * it through a relative path, so it may only use uAPI types.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/iommufd.h>
#include <linux/types.h>

/**
 * enum iommufd_test_op - operations of IOMMU_TEST_CMD
 * @IOMMU_TEST_OP_ADD_RESERVED: reserve an IOVA range in the IOAS @id
 * @IOMMU_TEST_OP_MOCK_DOMAIN: create a mock device, bind it and attach it to
 *                             the IOAS or HWPT @id
 * @IOMMU_TEST_OP_MD_CHECK_MAP: check that a mock paging domain (or every
 *                              mock domain of an IOAS) translates a range to
 *                              the given user memory
 * @IOMMU_TEST_OP_MD_CHECK_REFS: check the pin count of user pages
 * @IOMMU_TEST_OP_CREATE_ACCESS: create an in-kernel access on the IOAS @id,
 *                               returned as a file descriptor
 * @IOMMU_TEST_OP_DESTROY_ACCESS_PAGES: unpin pages pinned through the access
 *                                      file @id
 * @IOMMU_TEST_OP_ACCESS_PAGES: pin pages through the access file @id
 * @IOMMU_TEST_OP_ACCESS_RW: read or write IOVA memory through the access
 *                           file @id
 * @IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: change the page batch memory limit
 *                                       used by the pinning code
 * @IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: replace the attachment of the mock
 *                                     device @id
 * @IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: move the access file @id to another
 *                                     IOAS
 * @IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: like MOCK_DOMAIN, with device flags
 * @IOMMU_TEST_OP_DIRTY: mark IOVAs of the mock HWPT @id dirty
 * @IOMMU_TEST_OP_MD_CHECK_IOTLB: check one IOTLB entry of the mock nested
 *                                HWPT @id
 * @IOMMU_TEST_OP_TRIGGER_IOPF: inject an I/O page fault for a device
 * @IOMMU_TEST_OP_DEV_CHECK_CACHE: check one cache entry of the mock device
 *                                 object @id
 * @IOMMU_TEST_OP_TRIGGER_VEVENT: make a mock device report a vEVENT
 * @IOMMU_TEST_OP_PASID_ATTACH: attach a PASID of the mock device @id
 * @IOMMU_TEST_OP_PASID_REPLACE: replace the attachment of a PASID of the
 *                               mock device @id
 * @IOMMU_TEST_OP_PASID_DETACH: detach a PASID of the mock device @id
 * @IOMMU_TEST_OP_PASID_CHECK_HWPT: check what a PASID of the mock device @id
 *                                 is attached to
 * @IOMMU_TEST_OP_DMABUF_GET: create a dma-buf from the mock exporter; the
 *                            ioctl returns its file descriptor
 * @IOMMU_TEST_OP_DMABUF_REVOKE: revoke or restore a mock dma-buf
 *
 * @id refers to the id field of struct iommu_test_cmd.
 */
enum iommufd_test_op {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN = 2,
	IOMMU_TEST_OP_MD_CHECK_MAP = 3,
	IOMMU_TEST_OP_MD_CHECK_REFS = 4,
	IOMMU_TEST_OP_CREATE_ACCESS = 5,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IOMMU_TEST_OP_ACCESS_PAGES = 7,
	IOMMU_TEST_OP_ACCESS_RW = 8,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS = 11,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IOMMU_TEST_OP_DIRTY = 13,
	IOMMU_TEST_OP_MD_CHECK_IOTLB = 14,
	IOMMU_TEST_OP_TRIGGER_IOPF = 15,
	IOMMU_TEST_OP_DEV_CHECK_CACHE = 16,
	IOMMU_TEST_OP_TRIGGER_VEVENT = 17,
	IOMMU_TEST_OP_PASID_ATTACH = 18,
	IOMMU_TEST_OP_PASID_REPLACE = 19,
	IOMMU_TEST_OP_PASID_DETACH = 20,
	IOMMU_TEST_OP_PASID_CHECK_HWPT = 21,
	IOMMU_TEST_OP_DMABUF_GET = 22,
	IOMMU_TEST_OP_DMABUF_REVOKE = 23,
};

/* Page table formats of mock paging domains (iommu_hwpt_selftest) */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,
	MOCK_IOMMUPT_HUGE = 1,
	MOCK_IOMMUPT_AMDV1 = 2,
};

/* Geometry of MOCK_IOMMUPT_DEFAULT domains */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
	MOCK_PAGE_SIZE = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* iommu_test_cmd.create_access.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* iommu_test_cmd.access_rw.flags */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* iommu_test_cmd.create_access.flags, selected at creation */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/*
 * iommu_test_cmd.mock_domain_flags.dev_flags
 *
 * MOCK_FLAGS_DEVICE_HUGE_IOVA is the name of the retired value 1 << 1. It is
 * only kept so that older test sources still build; upstream v6.19 removed it
 * in favour of MOCK_IOMMUPT_HUGE.
 */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/* Mock nested domain IOTLB entries (IOMMU_TEST_OP_MD_CHECK_IOTLB) */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* Mock device cache entries (IOMMU_TEST_OP_DEV_CHECK_CACHE) */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/* PASID the mock fails every second non-blocking attach of */
#define IOMMU_TEST_PASID_RESERVED 1024

/* PASID width reported by MOCK_FLAGS_DEVICE_PASID devices */
#define MOCK_PASID_WIDTH 20

/**
 * struct iommu_test_cmd - ioctl(IOMMU_TEST_CMD)
 * @size: sizeof(struct iommu_test_cmd)
 * @op: one of enum iommufd_test_op
 * @id: object the operation works on; its type depends on @op
 * @__reserved: must be 0
 * @add_reserved: IOMMU_TEST_OP_ADD_RESERVED
 * @add_reserved.start: first IOVA to reserve
 * @add_reserved.length: number of bytes to reserve
 * @mock_domain: IOMMU_TEST_OP_MOCK_DOMAIN
 * @mock_domain.out_stdev_id: ID of the mock device object
 * @mock_domain.out_hwpt_id: ID of the HWPT the device got attached to
 * @mock_domain.out_idev_id: ID of the bound iommufd device
 * @mock_domain_flags: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS
 * @mock_domain_flags.out_stdev_id: ID of the mock device object
 * @mock_domain_flags.out_hwpt_id: ID of the HWPT the device got attached to
 * @mock_domain_flags.out_idev_id: ID of the bound iommufd device
 * @mock_domain_flags.dev_flags: MOCK_FLAGS_DEVICE_* flags
 * @mock_domain_replace: IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE
 * @mock_domain_replace.pt_id: new IOAS or HWPT; the HWPT used is returned
 * @check_map: IOMMU_TEST_OP_MD_CHECK_MAP
 * @check_map.iova: first IOVA to check
 * @check_map.length: number of bytes to check
 * @check_map.uptr: user memory expected behind @check_map.iova
 * @check_refs: IOMMU_TEST_OP_MD_CHECK_REFS
 * @check_refs.length: number of bytes to check
 * @check_refs.uptr: start of the user memory
 * @check_refs.refs: expected pin count of every page
 * @create_access: IOMMU_TEST_OP_CREATE_ACCESS
 * @create_access.out_access_fd: file descriptor of the new access
 * @create_access.flags: MOCK_FLAGS_ACCESS_CREATE_* flags
 * @destroy_access_pages: IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 * @destroy_access_pages.access_pages_id: pin to release
 * @access_pages: IOMMU_TEST_OP_ACCESS_PAGES
 * @access_pages.flags: MOCK_FLAGS_ACCESS_* flags
 * @access_pages.out_access_pages_id: ID of the pin, for DESTROY_ACCESS_PAGES
 * @access_pages.iova: first IOVA to pin
 * @access_pages.length: number of bytes to pin
 * @access_pages.uptr: user memory expected behind the IOVA range
 * @access_rw: IOMMU_TEST_OP_ACCESS_RW
 * @access_rw.iova: first IOVA to access
 * @access_rw.length: number of bytes
 * @access_rw.uptr: user buffer to copy from or to
 * @access_rw.flags: MOCK_ACCESS_RW_* flags
 * @memory_limit: IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT
 * @memory_limit.limit: new limit; 0 restores the default
 * @access_replace_ioas: IOMMU_TEST_OP_ACCESS_REPLACE_IOAS
 * @access_replace_ioas.ioas_id: IOAS to move the access to
 * @dirty: IOMMU_TEST_OP_DIRTY
 * @dirty.flags: must be 0
 * @dirty.iova: IOVA of bit 0 of the bitmap
 * @dirty.length: number of bytes the bitmap covers
 * @dirty.page_size: number of bytes per bit
 * @dirty.uptr: user pointer to the bitmap of IOVAs to mark dirty
 * @dirty.out_nr_dirty: number of bits that were processed
 * @check_iotlb: IOMMU_TEST_OP_MD_CHECK_IOTLB
 * @check_iotlb.id: IOTLB entry index, up to MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
 * @check_iotlb.iotlb: expected value
 * @trigger_iopf: IOMMU_TEST_OP_TRIGGER_IOPF
 * @trigger_iopf.dev_id: bound device raising the fault
 * @trigger_iopf.pasid: PASID of the request
 * @trigger_iopf.grpid: page request group index
 * @trigger_iopf.perm: IOMMU_PGFAULT_PERM_* flags
 * @trigger_iopf.addr: faulting address
 * @check_dev_cache: IOMMU_TEST_OP_DEV_CHECK_CACHE
 * @check_dev_cache.id: cache entry index, up to MOCK_DEV_CACHE_ID_MAX
 * @check_dev_cache.cache: expected value
 * @trigger_vevent: IOMMU_TEST_OP_TRIGGER_VEVENT
 * @trigger_vevent.dev_id: bound device reporting the event
 * @pasid_attach: IOMMU_TEST_OP_PASID_ATTACH
 * @pasid_attach.pasid: PASID to attach
 * @pasid_attach.pt_id: IOAS or HWPT to attach to; the HWPT used is returned
 * @pasid_replace: IOMMU_TEST_OP_PASID_REPLACE
 * @pasid_replace.pasid: PASID to re-attach
 * @pasid_replace.pt_id: new IOAS or HWPT
 * @pasid_detach: IOMMU_TEST_OP_PASID_DETACH
 * @pasid_detach.pasid: PASID to detach
 * @pasid_check: IOMMU_TEST_OP_PASID_CHECK_HWPT
 * @pasid_check.pasid: PASID to inspect
 * @pasid_check.hwpt_id: expected HWPT, or 0 for "not attached"
 * @dmabuf_get: IOMMU_TEST_OP_DMABUF_GET
 * @dmabuf_get.length: size in bytes of the buffer
 * @dmabuf_get.open_flags: flags of the new file descriptor, e.g. O_CLOEXEC
 * @dmabuf_revoke: IOMMU_TEST_OP_DMABUF_REVOKE
 * @dmabuf_revoke.dmabuf_fd: dma-buf obtained with IOMMU_TEST_OP_DMABUF_GET
 * @dmabuf_revoke.revoked: 1 to revoke, 0 to restore
 * @last: end marker; not used
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__aligned_u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
	};
	__u32 last;
};

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* IOMMU_GET_HW_INFO data of mock devices */
#define IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

/**
 * struct iommu_test_hw_info - hardware information of a mock device
 *                             (IOMMU_HW_INFO_TYPE_SELFTEST)
 * @flags: always 0
 * @test_reg: always IOMMU_HW_INFO_SELFTEST_REGVAL
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* Must not collide with any value of enum iommu_hwpt_data_type */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/**
 * struct iommu_hwpt_selftest - HWPT allocation data of the mock driver
 *                              (IOMMU_HWPT_DATA_SELFTEST)
 * @iotlb: initial value of every IOTLB entry of a nested HWPT; the tests use
 *         IOMMU_TEST_IOTLB_DEFAULT
 * @pagetable_type: for a paging HWPT, one of MOCK_IOMMUPT_*
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;
};

/* Must not collide with any value of enum iommu_hwpt_invalidate_data_type */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_hwpt_invalidate_selftest - mock nested HWPT invalidation entry
 *                                         (IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @iotlb_id: IOTLB entry to clear, up to MOCK_NESTED_DOMAIN_IOTLB_ID_MAX;
 *            ignored when IOMMU_TEST_INVALIDATE_FLAG_ALL is set
 */
struct iommu_hwpt_invalidate_selftest {
#define IOMMU_TEST_INVALIDATE_FLAG_ALL 0x1
	__u32 flags;
	__u32 iotlb_id;
};

/* Must not collide with any value of enum iommu_viommu_type */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/**
 * struct iommu_viommu_selftest - vIOMMU allocation data of the mock driver
 * @in_data: arbitrary input value
 * @out_data: written back as a copy of @in_data
 * @out_mmap_offset: mmap() offset of the mock vIOMMU's MMIO page
 * @out_mmap_length: length of that page
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* Must not collide with any value of enum iommu_hwpt_invalidate_data_type */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_viommu_invalidate_selftest - mock vIOMMU invalidation entry
 *     (IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @vdev_id: virtual ID of the vDEVICE whose cache is flushed
 * @cache_id: device cache entry to clear, up to MOCK_DEV_CACHE_ID_MAX;
 *            ignored when IOMMU_TEST_INVALIDATE_FLAG_ALL is set
 */
struct iommu_viommu_invalidate_selftest {
#define IOMMU_TEST_INVALIDATE_FLAG_ALL 0x1
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* Must not collide with any value of enum iommu_veventq_type */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

/**
 * struct iommu_viommu_event_selftest - payload of a mock vEVENT
 *                                      (IOMMU_VEVENTQ_TYPE_SELFTEST)
 * @virt_id: virtual ID of the vDEVICE of the reporting device
 */
struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* Must not collide with any value of enum iommu_hw_queue_type */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
/* Number of HW queues a mock vIOMMU accepts (indexes 0 and 1) */
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif
