/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * User space interface of /dev/iommu (iommufd).
 *
 * Every command is an ioctl on a file descriptor obtained by opening
 * /dev/iommu. The binary layout of every structure below is ABI.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

/**
 * DOC: iommufd ioctl conventions
 *
 * All iommufd commands share the same calling convention.
 *
 * The ioctl request is _IO(IOMMUFD_TYPE, nr): it carries neither a direction
 * nor a size. The argument is a pointer to a command structure whose first
 * __u32 is always @size, the number of bytes of the structure that the caller
 * knows about. This makes every structure extensible: new fields are only ever
 * appended, and a caller built against an older header simply passes a
 * smaller @size.
 *
 *  - A @size smaller than the first published version of the structure is
 *    rejected.
 *  - A @size larger than what the kernel knows is accepted as long as every
 *    byte the kernel does not know about is zero; the command then behaves
 *    exactly as if the exact size had been passed.
 *  - Results are copied back using the smaller of the two sizes.
 *
 * Flags, type selectors and fields named __reserved must be zero unless a
 * value is explicitly defined for them. Type value 0 of the newer type
 * enumerations (``*_TYPE_DEFAULT``) is reserved and never names a real type.
 *
 * Objects (IOAS, devices, hardware page tables, fault queues, vIOMMUs, ...)
 * live in a per file descriptor table and are referred to by a __u32 ID.
 * Every object is allocated through the uAPI and gets a non-zero ID; ID 0 is
 * reserved and never refers to an object. IOMMU_DESTROY releases an object
 * by ID; closing the file descriptor releases all of them.
 *
 * The common errno values have these meanings:
 *
 *  - ENOTTY: the ioctl number is not an iommufd command.
 *  - EINVAL: @size is below the minimum for the command, or a field holds a
 *    value that is understood but not acceptable (bad alignment, missing
 *    permission bits, zero length...).
 *  - E2BIG: @size is larger than what the kernel knows and some of the
 *    unknown trailing bytes are not zero.
 *  - EOPNOTSUPP: an unknown flag is set, a reserved field is not zero, or a
 *    requested type or feature is not supported by this kernel or device.
 *  - ENOENT: an ID does not name a live object of the expected type, or an
 *    IOVA range does not match an existing mapping.
 *  - EBUSY: the object is still in use and cannot be destroyed or changed.
 *  - EEXIST: the object or mapping being created already exists.
 *  - EOVERFLOW: an address/length calculation would wrap, or a value does
 *    not fit the kernel's native types.
 *  - ENOMEM: out of memory, or a pinned memory limit would be exceeded.
 *  - ENOSPC: no free IOVA range satisfies the request.
 *  - EMSGSIZE: a user supplied array is too small; the required number of
 *    entries is reported back.
 *  - EFAULT: a user pointer could not be accessed.
 *
 * Individual commands may document further errno values.
 */

/*
 * Command numbers. The ioctl number of command X is
 * _IO(IOMMUFD_TYPE, IOMMUFD_CMD_X).
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of the object to release
 *
 * Release the object named by @id. Any object type that can be created
 * through this interface may be destroyed this way. Fails with EBUSY while
 * other objects or users still depend on it.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};

#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0
 * @out_ioas_id: ID of the new IOAS
 *
 * Create an I/O address space (IOAS). An IOAS is a software description of an
 * IOVA space: a set of mappings from IOVA to user memory. Devices and hardware
 * page tables attached to it follow its content.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one inclusive IOVA interval
 * @start: first IOVA of the interval
 * @last: last IOVA of the interval (inclusive)
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: on input the capacity of the @allowed_iovas array, on output
 *             the number of ranges the kernel has
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: smallest alignment, in bytes, that every mapping in
 *                      this IOAS must respect
 *
 * Report the IOVA intervals that may currently be mapped in the IOAS. The set
 * is the intersection of the apertures of everything attached, minus reserved
 * regions, further limited by any IOMMU_IOAS_ALLOW_IOVAS setting. It can
 * change whenever devices or page tables are attached or detached.
 *
 * If @num_iovas is too small the ranges that fit are still written, @num_iovas
 * is set to the number required and the call fails with EMSGSIZE.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};

#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS to configure
 * @num_iovas: number of entries in @allowed_iovas; 0 removes the restriction
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Restrict automatic IOVA allocation in the IOAS to the given intervals.
 * Later attachments whose reserved regions intersect an allowed interval are
 * refused. Fixed-IOVA mappings are not restricted by this list, only by the
 * reserved regions. Existing mappings must already lie inside the new set,
 * otherwise the call fails.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};

#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags for mapping commands
 * @IOMMU_IOAS_MAP_FIXED_IOVA: the iova field is an input and must be used as
 *                             is; otherwise the kernel picks the IOVA
 * @IOMMU_IOAS_MAP_WRITEABLE: the device may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: the device may read through the mapping
 *
 * At least one of READABLE and WRITEABLE must be given.
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to map into
 * @__reserved: must be 0
 * @user_va: start of the user memory to map
 * @length: number of bytes to map
 * @iova: IOVA of the mapping; input with IOMMU_IOAS_MAP_FIXED_IOVA, always
 *        written back on success
 *
 * Pin the user memory [@user_va, @user_va + @length) and make it visible at
 * @iova in the IOAS and in every page table attached to it. Without
 * IOMMU_IOAS_MAP_FIXED_IOVA the kernel picks a free, suitably aligned IOVA
 * that keeps the sub-page offset of @user_va.
 *
 * A fixed IOVA that overlaps an existing mapping fails with EEXIST; one that
 * touches a reserved region fails with EINVAL.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to map into
 * @fd: file to map: a memfd (shmem or hugetlbfs) or a dma-buf
 * @start: byte offset in the file of the first byte to map
 * @length: number of bytes to map
 * @iova: IOVA of the mapping; input with IOMMU_IOAS_MAP_FIXED_IOVA, always
 *        written back on success
 *
 * Same as IOMMU_IOAS_MAP, except that the memory is described by a file
 * range instead of a user virtual address. The mapping keeps its own
 * reference to the file, so @fd may be closed afterwards. Only mappings made
 * this way from a memfd can later be moved with IOMMU_IOAS_CHANGE_PROCESS.
 *
 * A dma-buf is mapped only if its exporter can describe it as one physical
 * range to iommufd; any other dma-buf (udmabuf, most GPU buffers) gives
 * EOPNOTSUPP before iommufd attaches to it, and a revoked one ENODEV.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @dst_ioas_id: IOAS that receives the new mapping
 * @src_ioas_id: IOAS holding the existing mapping
 * @length: number of bytes to copy
 * @dst_iova: IOVA of the new mapping; input with IOMMU_IOAS_MAP_FIXED_IOVA,
 *            always written back on success
 * @src_iova: IOVA of the first byte to copy in the source IOAS
 *
 * Create a mapping in the destination IOAS that refers to the same pages as
 * [@src_iova, @src_iova + @length) of the source IOAS. The pages are shared,
 * not pinned a second time. The source range must be fully covered by
 * existing mappings. Both IDs may name the same IOAS.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};

#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to unmap from
 * @iova: first IOVA of the range
 * @length: number of bytes in the range; on output, the number of bytes
 *          actually unmapped
 *
 * Remove every mapping that lies inside [@iova, @iova + @length). A mapping
 * that is only partially covered is not split: the call fails with ENOENT.
 * @iova 0 with @length U64_MAX removes everything.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_option - options for IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: how pinned pages are charged against
 *    RLIMIT_MEMLOCK. 0 charges the user (the default; nothing for a
 *    CAP_IPC_LOCK caller), 1 charges the process mm. Global to the file
 *    descriptor (object_id must be 0); it can only be changed by a
 *    CAP_SYS_RESOURCE caller while the context holds no object.
 * @IOMMU_OPTION_HUGE_PAGES: per IOAS (object_id is the IOAS); 1 (the
 *    default) lets the kernel build mappings from large contiguous chunks,
 *    0 restricts them to PAGE_SIZE units so that any PAGE_SIZE aligned piece
 *    can be unmapped on its own.
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - operation carried by IOMMU_OPTION
 * @IOMMU_OPTION_OP_SET: store val64 into the option
 * @IOMMU_OPTION_OP_GET: read the option into val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: one of enum iommufd_option
 * @op: one of enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: object the option applies to, or 0 for global options
 * @val64: value to set, or value read back
 *
 * Read or change a tunable of the file descriptor or of one object.
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};

#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - operation carried by IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the IOAS used by the VFIO compatibility layer,
 *                       creating one if there is none yet
 * @IOMMU_VFIO_IOAS_SET: make ioas_id the IOAS used by the compatibility layer
 * @IOMMU_VFIO_IOAS_CLEAR: forget the compatibility IOAS
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: input for SET, output for GET, ignored for CLEAR
 * @op: one of enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * Select which IOAS the legacy VFIO type1 container emulation operates on.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};

#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags for IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the paging page table may later serve as
 *                                the stage-2 parent of nested page tables
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the page table must support dirty
 *                                   tracking
 * @IOMMU_HWPT_FAULT_ID_VALID: fault_id is valid; I/O page faults taken on
 *                             this page table are delivered to that fault
 *                             queue
 * @IOMMU_HWPT_ALLOC_PASID: the page table may be attached to PASIDs as well
 *                          as to the device RID
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - flags of an Intel VT-d stage-1 table
 * @IOMMU_VTD_S1_SRE: supervisor requests are allowed
 * @IOMMU_VTD_S1_EAFE: extended access flag is enabled
 * @IOMMU_VTD_S1_WPE: write protection is enforced for supervisor accesses
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - Intel VT-d stage-1 page table description
 *                            (IOMMU_HWPT_DATA_VTD_S1)
 * @flags: combination of enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest physical address of the stage-1 page table root
 * @addr_width: input address width of the stage-1 table
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - ARM SMMUv3 nested table description
 *                                (IOMMU_HWPT_DATA_ARM_SMMUV3)
 * @ste: the guest's stream table entry (first two 64-bit words, little
 *       endian); only the fields relevant to stage-1 translation are used
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * enum iommu_hwpt_data_type - type of the data blob of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_DATA_NONE: no data
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: struct iommu_hwpt_arm_smmuv3
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: device whose IOMMU will own the page table
 * @pt_id: parent object: an IOAS, a paging HWPT or a vIOMMU
 * @out_hwpt_id: ID of the new HWPT
 * @__reserved: must be 0
 * @data_type: one of enum iommu_hwpt_data_type
 * @data_len: number of bytes at @data_uptr
 * @data_uptr: user pointer to the driver specific data
 * @fault_id: fault queue object, used when IOMMU_HWPT_FAULT_ID_VALID is set
 * @__reserved2: should be 0; not checked, as upstream never did
 *
 * Create a hardware page table (HWPT) for the IOMMU behind @dev_id.
 *
 * With an IOAS as @pt_id a paging HWPT is created whose mappings follow the
 * IOAS; it may be given driver data that tunes its format.
 *
 * With a paging HWPT created with IOMMU_HWPT_ALLOC_NEST_PARENT as @pt_id, or
 * with a vIOMMU as @pt_id, a nested HWPT is created: a user managed stage-1
 * table, described by the driver data, that translates through the parent.
 * Driver data is mandatory in that case.
 *
 * @data_type must be IOMMU_HWPT_DATA_NONE exactly when @data_len is 0.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};

#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_vtd_flags - flags in struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the hardware is affected by erratum
 *     772415: stage-1 tables must not use read-only mappings while nested
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - Intel VT-d hardware description
 *                            (IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: combination of enum iommu_hw_info_vtd_flags
 * @__reserved: always 0
 * @cap_reg: value of the VT-d capability register
 * @ecap_reg: value of the VT-d extended capability register
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * struct iommu_hw_info_arm_smmuv3 - ARM SMMUv3 hardware description
 *                                   (IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
 * @flags: always 0
 * @__reserved: always 0
 * @idr: values of the ID registers IDR0 to IDR5, possibly with features the
 *       kernel cannot offer to a guest masked out
 * @iidr: value of the implementation identification register
 * @aidr: value of the architecture identification register
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_tegra241_cmdqv - NVIDIA Tegra241 CMDQV description
 *                                       (IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV)
 * @flags: always 0
 * @version: hardware version of the CMDQV block
 * @log2vcmdqs: log2 of the number of virtual command queues per interface
 * @log2vsids: log2 of the number of virtual stream IDs per interface
 * @__reserved: always 0
 */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/**
 * enum iommu_hw_info_type - type of the data returned by IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_TYPE_NONE: no hardware specific data is available
 * @IOMMU_HW_INFO_TYPE_DEFAULT: as input, let the driver pick its natural
 *                              type; same value as NONE
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: struct iommu_hw_info_tegra241_cmdqv
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
};

/**
 * enum iommufd_hw_capabilities - generic capabilities of a device's IOMMU
 * @IOMMU_HW_CAP_DIRTY_TRACKING: the IOMMU can track pages written by DMA, so
 *                               IOMMU_HWPT_ALLOC_DIRTY_TRACKING may be used
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: the PCI device's PASID capability allows
 *                               execute requests
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: the PCI device's PASID capability allows
 *                               privileged mode requests
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/**
 * enum iommufd_hw_info_flags - flags for IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: in_data_type selects the requested data
 *                                 type; without it the default type is used
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: combination of enum iommufd_hw_info_flags
 * @dev_id: device to query
 * @data_len: on input the size of the buffer at @data_uptr, on output the
 *            size of the data the kernel has
 * @data_uptr: user buffer receiving the hardware specific data
 * @in_data_type: with IOMMU_HW_INFO_FLAG_INPUT_TYPE, the requested type
 *                (enum iommu_hw_info_type)
 * @out_data_type: type of the data written at @data_uptr
 *                 (enum iommu_hw_info_type)
 * @out_max_pasid_log2: log2 of the number of PASIDs the device supports,
 *                      0 when it has no PASID support
 * @__reserved: must be 0
 * @out_capabilities: combination of enum iommufd_hw_capabilities
 *
 * Describe the IOMMU behind a bound device so that user space can build a
 * compatible virtual IOMMU. The kernel copies min(@data_len, its length)
 * bytes to @data_uptr, zero-fills the rest of the user buffer, and then sets
 * @data_len to its own length. @in_data_type and @out_data_type share the
 * same storage.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/**
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags for
 *                                              IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: turn dirty tracking on; without it the
 *                                    tracking is turned off
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: combination of enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: paging HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @__reserved: should be 0; not checked, as upstream never did
 *
 * Start or stop recording which IOVAs of the HWPT are written by DMA.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};

#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, \
					  IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags for
 *                                            IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report the dirty state without
 *                                        clearing it
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: paging HWPT with dirty tracking enabled
 * @flags: combination of enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: first IOVA of the range to report
 * @length: number of bytes in the range
 * @page_size: number of bytes each bit of the bitmap stands for; a power of
 *             two
 * @data: user pointer to the bitmap, one bit per @page_size starting at @iova
 *
 * Set a bit in the bitmap for every @page_size unit of the range that was
 * written since the last report, and clear the hardware dirty state unless
 * IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR is given. Bits for clean units are not
 * touched, so the caller should zero the bitmap first. @iova and @length must
 * be aligned to @page_size.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};

#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, \
					IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/**
 * enum iommu_hwpt_invalidate_data_type - type of the entries passed to
 *                                        IOMMU_HWPT_INVALIDATE
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3:
 *     struct iommu_viommu_arm_smmuv3_invalidate
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of a VT-d stage-1
 *                                           invalidation entry
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries changed; upper level caches
 *                            may be kept
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - one VT-d stage-1 invalidation
 *                                       (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1)
 * @addr: first address to invalidate; must be 4KiB aligned
 * @npages: number of 4KiB pages; U64_MAX together with @addr 0 means the
 *          whole address space
 * @flags: combination of enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 *
 * Flush the IOTLB, and the device TLBs, for a range of a nested HWPT after
 * the guest changed its stage-1 table.
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - one ARM SMMUv3 invalidation
 *     command (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)
 * @cmd: a 128-bit SMMUv3 command queue entry as written by the guest,
 *       little endian
 *
 * The supported opcodes are the TLB, ATC and configuration cache
 * invalidations a guest issues for its stage-1 tables. Stream IDs inside the
 * command are virtual and get translated through the vIOMMU's vDEVICEs.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: nested HWPT or vIOMMU whose caches must be flushed
 * @data_uptr: user pointer to an array of invalidation entries
 * @data_type: one of enum iommu_hwpt_invalidate_data_type
 * @entry_len: size in bytes of one entry
 * @entry_num: on input the number of entries, on output the number that
 *             were processed successfully
 * @__reserved: must be 0
 *
 * Forward cache invalidation requests of a guest to the hardware. Entries are
 * handled in order and processing stops at the first failing entry.
 * @entry_num is always written back, also on error. An empty array is valid
 * and only reports whether @data_type is supported.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};

#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: the pasid field is meaningful
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: last fault of its group; a response is
 *                                 expected only for this one
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access that caused a page fault
 * @IOMMU_PGFAULT_PERM_READ: read access
 * @IOMMU_PGFAULT_PERM_WRITE: write access
 * @IOMMU_PGFAULT_PERM_EXEC: instruction fetch
 * @IOMMU_PGFAULT_PERM_PRIV: privileged mode access
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - I/O page fault record read from a fault queue
 * @flags: combination of enum iommu_hwpt_pgfault_flags
 * @dev_id: device that raised the fault
 * @pasid: PASID of the request, if IOMMU_PGFAULT_FLAGS_PASID_VALID
 * @grpid: page request group index
 * @perm: combination of enum iommu_hwpt_pgfault_perm
 * @__reserved: always 0
 * @addr: faulting address
 * @length: length of the faulting range; 0 if unknown
 * @cookie: kernel cookie that must be returned in the response
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - outcome reported for a page fault group
 * @IOMMUFD_PAGE_RESP_SUCCESS: the fault was resolved; the device may retry
 * @IOMMUFD_PAGE_RESP_INVALID: the fault could not be resolved
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - response written to a fault queue
 * @cookie: cookie of the last fault of the group being answered
 * @code: one of enum iommufd_page_response_code
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: ID of the new fault queue object
 * @out_fault_fd: file descriptor of the queue
 *
 * Create a queue of I/O page faults. read() on @out_fault_fd returns struct
 * iommu_hwpt_pgfault records; responses are given by write() of struct
 * iommu_hwpt_page_response records.
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};

#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_viommu_type - type of a vIOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: reserved
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: ARM SMMUv3
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: ARM SMMUv3 with the NVIDIA Tegra241
 *                                    CMDQV extension; driver data is
 *                                    struct iommu_viommu_tegra241_cmdqv
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_tegra241_cmdqv - driver data of a Tegra241 CMDQV
 *                                      vIOMMU
 * @out_vintf_mmap_offset: mmap() offset on the iommufd of the virtual
 *                         interface page
 * @out_vintf_mmap_length: length of that mapping
 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: one of enum iommu_viommu_type
 * @dev_id: a device behind the physical IOMMU instance to virtualize
 * @hwpt_id: paging HWPT created with IOMMU_HWPT_ALLOC_NEST_PARENT, used as
 *           the stage-2 translation of everything under the vIOMMU
 * @out_viommu_id: ID of the new vIOMMU
 * @data_len: number of bytes at @data_uptr; 0 for no driver data
 * @__reserved: must be 0
 * @data_uptr: user pointer to driver data; it may be both read and written
 *
 * Create a vIOMMU: the share of one physical IOMMU instance that belongs to
 * one virtual machine. It holds the VM-wide state such as the nesting parent,
 * the virtual IDs of the devices (see IOMMU_VDEVICE_ALLOC), event queues and
 * hardware queues. Nested HWPTs may be allocated with the vIOMMU as parent,
 * and IOMMU_HWPT_INVALIDATE accepts it to flush device scoped caches.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};

#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: vIOMMU the device is presented on
 * @dev_id: bound physical device
 * @out_vdevice_id: ID of the new vDEVICE
 * @virt_id: ID of the device as seen by the guest on that vIOMMU, for example
 *           a virtual stream ID, device ID or requester ID
 *
 * Bind a physical device to its guest visible identity on a vIOMMU. A device
 * can have at most one vDEVICE, and a virtual ID can be used only once per
 * vIOMMU.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};

#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/**
 * struct iommu_ioas_change_process - ioctl(IOMMU_IOAS_CHANGE_PROCESS)
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Move the pinned memory accounting of every mapping of every IOAS of this
 * file descriptor to the calling process. Only possible when all mappings
 * were made with IOMMU_IOAS_MAP_FILE from a memfd, otherwise EINVAL. Either
 * everything is moved or nothing is.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};

#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: events were dropped because the queue was
 *                                  full; no payload follows this header
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - header in front of every vEVENT record
 * @flags: combination of enum iommu_veventq_flag
 * @sequence: sequence number of the event, counting modulo 2^31 from 0 for
 *            each queue; a gap means events were lost
 *
 * read() on a vEVENTQ file descriptor returns whole records only, each made
 * of this header followed by the type specific payload (none for the lost
 * events marker).
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - type of a vEVENTQ
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: reserved
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: struct iommu_vevent_arm_smmuv3 events
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: struct iommu_vevent_tegra241_cmdqv
 *                                     events
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_vevent_arm_smmuv3 - ARM SMMUv3 virtual event
 *                                  (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
 * @evt: a 256-bit SMMUv3 event queue entry, little endian, with the stream
 *       ID replaced by the virtual ID of the vDEVICE and host-only fields
 *       cleared
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_tegra241_cmdqv - Tegra241 CMDQV virtual event
 *                                      (IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV)
 * @lvcmdq_err_map: bitmap, little endian, of the virtual command queues of
 *                  the interface that reported an error
 */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU whose events are reported
 * @type: one of enum iommu_veventq_type; one queue per type per vIOMMU
 * @veventq_depth: maximum number of undelivered events; must be non-zero
 * @out_veventq_id: ID of the new vEVENTQ
 * @out_veventq_fd: file descriptor to read() events from
 * @__reserved: must be 0
 *
 * Create a queue delivering hardware events of one type, relating to devices
 * of a vIOMMU, to user space. Records have the format described at struct
 * iommufd_vevent_header; poll() reports when one is available.
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};

#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/**
 * enum iommu_hw_queue_type - type of a hardware queue
 * @IOMMU_HW_QUEUE_TYPE_DEFAULT: reserved
 * @IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV: a Tegra241 CMDQV virtual command queue
 */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - ioctl(IOMMU_HW_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU the queue belongs to
 * @type: one of enum iommu_hw_queue_type
 * @index: index of the queue within the vIOMMU, as the driver defines it
 * @out_hw_queue_id: ID of the new HW queue object
 * @nesting_parent_iova: base of the queue memory, as an IOVA of the vIOMMU's
 *                       nesting parent (a guest physical address)
 * @length: size in bytes of the queue memory
 *
 * Let the IOMMU hardware consume a queue that lives in guest memory. The
 * memory must be mapped in the nesting parent and physically contiguous; it
 * stays pinned, and cannot be unmapped, until the object is destroyed.
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};

#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif
