// SPDX-License-Identifier: GPL-2.0-only
/*
 * Layout check of the iommufd uAPI (include/uapi/linux/iommufd.h) and of the
 * mock driver test uAPI (drivers/iommu/iommufd/iommufd_test.h).
 *
 * Every structure size, field offset and field size, every ioctl number and
 * every enum/flag value is compared with the reference ABI of upstream
 * v6.19 (x86_64 layout; the structures only use naturally aligned fixed
 * width types, so the layout is the same on every architecture). The checks
 * run twice: at compile time through _Static_assert, so that a broken header
 * does not even build, and at run time through the kselftest harness, so
 * that each item is reported.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include "../kselftest_harness.h"
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

#define FIELD_SIZE(type, member) sizeof(((type *)0)->member)

/*
 * Reference tables. Each entry is X(struct, size) or
 * X(struct, field, offset, size), X(name, value), ...
 */

#define UAPI_STRUCTS(X) \
	X(iommu_destroy, 8) \
	X(iommu_ioas_alloc, 12) \
	X(iommu_iova_range, 16) \
	X(iommu_ioas_iova_ranges, 32) \
	X(iommu_ioas_allow_iovas, 24) \
	X(iommu_ioas_map, 40) \
	X(iommu_ioas_map_file, 40) \
	X(iommu_ioas_copy, 40) \
	X(iommu_ioas_unmap, 24) \
	X(iommu_option, 24) \
	X(iommu_vfio_ioas, 12) \
	X(iommu_hwpt_vtd_s1, 24) \
	X(iommu_hwpt_arm_smmuv3, 16) \
	X(iommu_hwpt_alloc, 48) \
	X(iommu_hw_info_vtd, 24) \
	X(iommu_hw_info_arm_smmuv3, 40) \
	X(iommu_hw_info_tegra241_cmdqv, 8) \
	X(iommu_hw_info, 40) \
	X(iommu_hwpt_set_dirty_tracking, 16) \
	X(iommu_hwpt_get_dirty_bitmap, 48) \
	X(iommu_hwpt_vtd_s1_invalidate, 24) \
	X(iommu_viommu_arm_smmuv3_invalidate, 16) \
	X(iommu_hwpt_invalidate, 32) \
	X(iommu_hwpt_pgfault, 40) \
	X(iommu_hwpt_page_response, 8) \
	X(iommu_fault_alloc, 16) \
	X(iommu_viommu_tegra241_cmdqv, 16) \
	X(iommu_viommu_alloc, 40) \
	X(iommu_vdevice_alloc, 24) \
	X(iommu_ioas_change_process, 8) \
	X(iommufd_vevent_header, 8) \
	X(iommu_vevent_arm_smmuv3, 32) \
	X(iommu_vevent_tegra241_cmdqv, 16) \
	X(iommu_veventq_alloc, 32) \
	X(iommu_hw_queue_alloc, 40)

#define UAPI_FIELDS(X) \
	X(iommu_destroy, size, 0, 4) \
	X(iommu_destroy, id, 4, 4) \
	X(iommu_ioas_alloc, size, 0, 4) \
	X(iommu_ioas_alloc, flags, 4, 4) \
	X(iommu_ioas_alloc, out_ioas_id, 8, 4) \
	X(iommu_iova_range, start, 0, 8) \
	X(iommu_iova_range, last, 8, 8) \
	X(iommu_ioas_iova_ranges, size, 0, 4) \
	X(iommu_ioas_iova_ranges, ioas_id, 4, 4) \
	X(iommu_ioas_iova_ranges, num_iovas, 8, 4) \
	X(iommu_ioas_iova_ranges, __reserved, 12, 4) \
	X(iommu_ioas_iova_ranges, allowed_iovas, 16, 8) \
	X(iommu_ioas_iova_ranges, out_iova_alignment, 24, 8) \
	X(iommu_ioas_allow_iovas, size, 0, 4) \
	X(iommu_ioas_allow_iovas, ioas_id, 4, 4) \
	X(iommu_ioas_allow_iovas, num_iovas, 8, 4) \
	X(iommu_ioas_allow_iovas, __reserved, 12, 4) \
	X(iommu_ioas_allow_iovas, allowed_iovas, 16, 8) \
	X(iommu_ioas_map, size, 0, 4) \
	X(iommu_ioas_map, flags, 4, 4) \
	X(iommu_ioas_map, ioas_id, 8, 4) \
	X(iommu_ioas_map, __reserved, 12, 4) \
	X(iommu_ioas_map, user_va, 16, 8) \
	X(iommu_ioas_map, length, 24, 8) \
	X(iommu_ioas_map, iova, 32, 8) \
	X(iommu_ioas_map_file, size, 0, 4) \
	X(iommu_ioas_map_file, flags, 4, 4) \
	X(iommu_ioas_map_file, ioas_id, 8, 4) \
	X(iommu_ioas_map_file, fd, 12, 4) \
	X(iommu_ioas_map_file, start, 16, 8) \
	X(iommu_ioas_map_file, length, 24, 8) \
	X(iommu_ioas_map_file, iova, 32, 8) \
	X(iommu_ioas_copy, size, 0, 4) \
	X(iommu_ioas_copy, flags, 4, 4) \
	X(iommu_ioas_copy, dst_ioas_id, 8, 4) \
	X(iommu_ioas_copy, src_ioas_id, 12, 4) \
	X(iommu_ioas_copy, length, 16, 8) \
	X(iommu_ioas_copy, dst_iova, 24, 8) \
	X(iommu_ioas_copy, src_iova, 32, 8) \
	X(iommu_ioas_unmap, size, 0, 4) \
	X(iommu_ioas_unmap, ioas_id, 4, 4) \
	X(iommu_ioas_unmap, iova, 8, 8) \
	X(iommu_ioas_unmap, length, 16, 8) \
	X(iommu_option, size, 0, 4) \
	X(iommu_option, option_id, 4, 4) \
	X(iommu_option, op, 8, 2) \
	X(iommu_option, __reserved, 10, 2) \
	X(iommu_option, object_id, 12, 4) \
	X(iommu_option, val64, 16, 8) \
	X(iommu_vfio_ioas, size, 0, 4) \
	X(iommu_vfio_ioas, ioas_id, 4, 4) \
	X(iommu_vfio_ioas, op, 8, 2) \
	X(iommu_vfio_ioas, __reserved, 10, 2) \
	X(iommu_hwpt_vtd_s1, flags, 0, 8) \
	X(iommu_hwpt_vtd_s1, pgtbl_addr, 8, 8) \
	X(iommu_hwpt_vtd_s1, addr_width, 16, 4) \
	X(iommu_hwpt_vtd_s1, __reserved, 20, 4) \
	X(iommu_hwpt_arm_smmuv3, ste, 0, 16) \
	X(iommu_hwpt_alloc, size, 0, 4) \
	X(iommu_hwpt_alloc, flags, 4, 4) \
	X(iommu_hwpt_alloc, dev_id, 8, 4) \
	X(iommu_hwpt_alloc, pt_id, 12, 4) \
	X(iommu_hwpt_alloc, out_hwpt_id, 16, 4) \
	X(iommu_hwpt_alloc, __reserved, 20, 4) \
	X(iommu_hwpt_alloc, data_type, 24, 4) \
	X(iommu_hwpt_alloc, data_len, 28, 4) \
	X(iommu_hwpt_alloc, data_uptr, 32, 8) \
	X(iommu_hwpt_alloc, fault_id, 40, 4) \
	X(iommu_hwpt_alloc, __reserved2, 44, 4) \
	X(iommu_hw_info_vtd, flags, 0, 4) \
	X(iommu_hw_info_vtd, __reserved, 4, 4) \
	X(iommu_hw_info_vtd, cap_reg, 8, 8) \
	X(iommu_hw_info_vtd, ecap_reg, 16, 8) \
	X(iommu_hw_info_arm_smmuv3, flags, 0, 4) \
	X(iommu_hw_info_arm_smmuv3, __reserved, 4, 4) \
	X(iommu_hw_info_arm_smmuv3, idr, 8, 24) \
	X(iommu_hw_info_arm_smmuv3, iidr, 32, 4) \
	X(iommu_hw_info_arm_smmuv3, aidr, 36, 4) \
	X(iommu_hw_info_tegra241_cmdqv, flags, 0, 4) \
	X(iommu_hw_info_tegra241_cmdqv, version, 4, 1) \
	X(iommu_hw_info_tegra241_cmdqv, log2vcmdqs, 5, 1) \
	X(iommu_hw_info_tegra241_cmdqv, log2vsids, 6, 1) \
	X(iommu_hw_info_tegra241_cmdqv, __reserved, 7, 1) \
	X(iommu_hw_info, size, 0, 4) \
	X(iommu_hw_info, flags, 4, 4) \
	X(iommu_hw_info, dev_id, 8, 4) \
	X(iommu_hw_info, data_len, 12, 4) \
	X(iommu_hw_info, data_uptr, 16, 8) \
	X(iommu_hw_info, in_data_type, 24, 4) \
	X(iommu_hw_info, out_data_type, 24, 4) \
	X(iommu_hw_info, out_max_pasid_log2, 28, 1) \
	X(iommu_hw_info, __reserved, 29, 3) \
	X(iommu_hw_info, out_capabilities, 32, 8) \
	X(iommu_hwpt_set_dirty_tracking, size, 0, 4) \
	X(iommu_hwpt_set_dirty_tracking, flags, 4, 4) \
	X(iommu_hwpt_set_dirty_tracking, hwpt_id, 8, 4) \
	X(iommu_hwpt_set_dirty_tracking, __reserved, 12, 4) \
	X(iommu_hwpt_get_dirty_bitmap, size, 0, 4) \
	X(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4, 4) \
	X(iommu_hwpt_get_dirty_bitmap, flags, 8, 4) \
	X(iommu_hwpt_get_dirty_bitmap, __reserved, 12, 4) \
	X(iommu_hwpt_get_dirty_bitmap, iova, 16, 8) \
	X(iommu_hwpt_get_dirty_bitmap, length, 24, 8) \
	X(iommu_hwpt_get_dirty_bitmap, page_size, 32, 8) \
	X(iommu_hwpt_get_dirty_bitmap, data, 40, 8) \
	X(iommu_hwpt_vtd_s1_invalidate, addr, 0, 8) \
	X(iommu_hwpt_vtd_s1_invalidate, npages, 8, 8) \
	X(iommu_hwpt_vtd_s1_invalidate, flags, 16, 4) \
	X(iommu_hwpt_vtd_s1_invalidate, __reserved, 20, 4) \
	X(iommu_viommu_arm_smmuv3_invalidate, cmd, 0, 16) \
	X(iommu_hwpt_invalidate, size, 0, 4) \
	X(iommu_hwpt_invalidate, hwpt_id, 4, 4) \
	X(iommu_hwpt_invalidate, data_uptr, 8, 8) \
	X(iommu_hwpt_invalidate, data_type, 16, 4) \
	X(iommu_hwpt_invalidate, entry_len, 20, 4) \
	X(iommu_hwpt_invalidate, entry_num, 24, 4) \
	X(iommu_hwpt_invalidate, __reserved, 28, 4) \
	X(iommu_hwpt_pgfault, flags, 0, 4) \
	X(iommu_hwpt_pgfault, dev_id, 4, 4) \
	X(iommu_hwpt_pgfault, pasid, 8, 4) \
	X(iommu_hwpt_pgfault, grpid, 12, 4) \
	X(iommu_hwpt_pgfault, perm, 16, 4) \
	X(iommu_hwpt_pgfault, __reserved, 20, 4) \
	X(iommu_hwpt_pgfault, addr, 24, 8) \
	X(iommu_hwpt_pgfault, length, 32, 4) \
	X(iommu_hwpt_pgfault, cookie, 36, 4) \
	X(iommu_hwpt_page_response, cookie, 0, 4) \
	X(iommu_hwpt_page_response, code, 4, 4) \
	X(iommu_fault_alloc, size, 0, 4) \
	X(iommu_fault_alloc, flags, 4, 4) \
	X(iommu_fault_alloc, out_fault_id, 8, 4) \
	X(iommu_fault_alloc, out_fault_fd, 12, 4) \
	X(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_offset, 0, 8) \
	X(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_length, 8, 8) \
	X(iommu_viommu_alloc, size, 0, 4) \
	X(iommu_viommu_alloc, flags, 4, 4) \
	X(iommu_viommu_alloc, type, 8, 4) \
	X(iommu_viommu_alloc, dev_id, 12, 4) \
	X(iommu_viommu_alloc, hwpt_id, 16, 4) \
	X(iommu_viommu_alloc, out_viommu_id, 20, 4) \
	X(iommu_viommu_alloc, data_len, 24, 4) \
	X(iommu_viommu_alloc, __reserved, 28, 4) \
	X(iommu_viommu_alloc, data_uptr, 32, 8) \
	X(iommu_vdevice_alloc, size, 0, 4) \
	X(iommu_vdevice_alloc, viommu_id, 4, 4) \
	X(iommu_vdevice_alloc, dev_id, 8, 4) \
	X(iommu_vdevice_alloc, out_vdevice_id, 12, 4) \
	X(iommu_vdevice_alloc, virt_id, 16, 8) \
	X(iommu_ioas_change_process, size, 0, 4) \
	X(iommu_ioas_change_process, __reserved, 4, 4) \
	X(iommufd_vevent_header, flags, 0, 4) \
	X(iommufd_vevent_header, sequence, 4, 4) \
	X(iommu_vevent_arm_smmuv3, evt, 0, 32) \
	X(iommu_vevent_tegra241_cmdqv, lvcmdq_err_map, 0, 16) \
	X(iommu_veventq_alloc, size, 0, 4) \
	X(iommu_veventq_alloc, flags, 4, 4) \
	X(iommu_veventq_alloc, viommu_id, 8, 4) \
	X(iommu_veventq_alloc, type, 12, 4) \
	X(iommu_veventq_alloc, veventq_depth, 16, 4) \
	X(iommu_veventq_alloc, out_veventq_id, 20, 4) \
	X(iommu_veventq_alloc, out_veventq_fd, 24, 4) \
	X(iommu_veventq_alloc, __reserved, 28, 4) \
	X(iommu_hw_queue_alloc, size, 0, 4) \
	X(iommu_hw_queue_alloc, flags, 4, 4) \
	X(iommu_hw_queue_alloc, viommu_id, 8, 4) \
	X(iommu_hw_queue_alloc, type, 12, 4) \
	X(iommu_hw_queue_alloc, index, 16, 4) \
	X(iommu_hw_queue_alloc, out_hw_queue_id, 20, 4) \
	X(iommu_hw_queue_alloc, nesting_parent_iova, 24, 8) \
	X(iommu_hw_queue_alloc, length, 32, 8)

#define UAPI_IOCTLS(X) \
	X(IOMMU_DESTROY, IOMMUFD_CMD_DESTROY, 0x80, iommu_destroy, 8) \
	X(IOMMU_IOAS_ALLOC, IOMMUFD_CMD_IOAS_ALLOC, \
	  0x81, iommu_ioas_alloc, 12) \
	X(IOMMU_IOAS_ALLOW_IOVAS, IOMMUFD_CMD_IOAS_ALLOW_IOVAS, \
	  0x82, iommu_ioas_allow_iovas, 24) \
	X(IOMMU_IOAS_COPY, IOMMUFD_CMD_IOAS_COPY, 0x83, iommu_ioas_copy, 40) \
	X(IOMMU_IOAS_IOVA_RANGES, IOMMUFD_CMD_IOAS_IOVA_RANGES, \
	  0x84, iommu_ioas_iova_ranges, 32) \
	X(IOMMU_IOAS_MAP, IOMMUFD_CMD_IOAS_MAP, 0x85, iommu_ioas_map, 40) \
	X(IOMMU_IOAS_UNMAP, IOMMUFD_CMD_IOAS_UNMAP, \
	  0x86, iommu_ioas_unmap, 24) \
	X(IOMMU_OPTION, IOMMUFD_CMD_OPTION, 0x87, iommu_option, 24) \
	X(IOMMU_VFIO_IOAS, IOMMUFD_CMD_VFIO_IOAS, 0x88, iommu_vfio_ioas, 12) \
	X(IOMMU_HWPT_ALLOC, IOMMUFD_CMD_HWPT_ALLOC, \
	  0x89, iommu_hwpt_alloc, 48) \
	X(IOMMU_GET_HW_INFO, IOMMUFD_CMD_GET_HW_INFO, 0x8a, iommu_hw_info, 40) \
	X(IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, \
	  0x8b, iommu_hwpt_set_dirty_tracking, 16) \
	X(IOMMU_HWPT_GET_DIRTY_BITMAP, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, \
	  0x8c, iommu_hwpt_get_dirty_bitmap, 48) \
	X(IOMMU_HWPT_INVALIDATE, IOMMUFD_CMD_HWPT_INVALIDATE, \
	  0x8d, iommu_hwpt_invalidate, 32) \
	X(IOMMU_FAULT_QUEUE_ALLOC, IOMMUFD_CMD_FAULT_QUEUE_ALLOC, \
	  0x8e, iommu_fault_alloc, 16) \
	X(IOMMU_IOAS_MAP_FILE, IOMMUFD_CMD_IOAS_MAP_FILE, \
	  0x8f, iommu_ioas_map_file, 40) \
	X(IOMMU_VIOMMU_ALLOC, IOMMUFD_CMD_VIOMMU_ALLOC, \
	  0x90, iommu_viommu_alloc, 40) \
	X(IOMMU_VDEVICE_ALLOC, IOMMUFD_CMD_VDEVICE_ALLOC, \
	  0x91, iommu_vdevice_alloc, 24) \
	X(IOMMU_IOAS_CHANGE_PROCESS, IOMMUFD_CMD_IOAS_CHANGE_PROCESS, \
	  0x92, iommu_ioas_change_process, 8) \
	X(IOMMU_VEVENTQ_ALLOC, IOMMUFD_CMD_VEVENTQ_ALLOC, \
	  0x93, iommu_veventq_alloc, 32) \
	X(IOMMU_HW_QUEUE_ALLOC, IOMMUFD_CMD_HW_QUEUE_ALLOC, \
	  0x94, iommu_hw_queue_alloc, 40)

#define UAPI_ENUMS(X) \
	X(IOMMUFD_CMD_BASE, 128) \
	X(IOMMUFD_CMD_DESTROY, 128) \
	X(IOMMUFD_CMD_IOAS_ALLOC, 129) \
	X(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, 130) \
	X(IOMMUFD_CMD_IOAS_COPY, 131) \
	X(IOMMUFD_CMD_IOAS_IOVA_RANGES, 132) \
	X(IOMMUFD_CMD_IOAS_MAP, 133) \
	X(IOMMUFD_CMD_IOAS_UNMAP, 134) \
	X(IOMMUFD_CMD_OPTION, 135) \
	X(IOMMUFD_CMD_VFIO_IOAS, 136) \
	X(IOMMUFD_CMD_HWPT_ALLOC, 137) \
	X(IOMMUFD_CMD_GET_HW_INFO, 138) \
	X(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, 139) \
	X(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, 140) \
	X(IOMMUFD_CMD_HWPT_INVALIDATE, 141) \
	X(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, 142) \
	X(IOMMUFD_CMD_IOAS_MAP_FILE, 143) \
	X(IOMMUFD_CMD_VIOMMU_ALLOC, 144) \
	X(IOMMUFD_CMD_VDEVICE_ALLOC, 145) \
	X(IOMMUFD_CMD_IOAS_CHANGE_PROCESS, 146) \
	X(IOMMUFD_CMD_VEVENTQ_ALLOC, 147) \
	X(IOMMUFD_CMD_HW_QUEUE_ALLOC, 148) \
	X(IOMMU_IOAS_MAP_FIXED_IOVA, 1) \
	X(IOMMU_IOAS_MAP_WRITEABLE, 2) \
	X(IOMMU_IOAS_MAP_READABLE, 4) \
	X(IOMMU_OPTION_RLIMIT_MODE, 0) \
	X(IOMMU_OPTION_HUGE_PAGES, 1) \
	X(IOMMU_OPTION_OP_SET, 0) \
	X(IOMMU_OPTION_OP_GET, 1) \
	X(IOMMU_VFIO_IOAS_GET, 0) \
	X(IOMMU_VFIO_IOAS_SET, 1) \
	X(IOMMU_VFIO_IOAS_CLEAR, 2) \
	X(IOMMU_HWPT_ALLOC_NEST_PARENT, 1) \
	X(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 2) \
	X(IOMMU_HWPT_FAULT_ID_VALID, 4) \
	X(IOMMU_HWPT_ALLOC_PASID, 8) \
	X(IOMMU_VTD_S1_SRE, 1) \
	X(IOMMU_VTD_S1_EAFE, 2) \
	X(IOMMU_VTD_S1_WPE, 4) \
	X(IOMMU_HWPT_DATA_NONE, 0) \
	X(IOMMU_HWPT_DATA_VTD_S1, 1) \
	X(IOMMU_HWPT_DATA_ARM_SMMUV3, 2) \
	X(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, 1) \
	X(IOMMU_HW_INFO_TYPE_NONE, 0) \
	X(IOMMU_HW_INFO_TYPE_DEFAULT, 0) \
	X(IOMMU_HW_INFO_TYPE_INTEL_VTD, 1) \
	X(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 2) \
	X(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, 3) \
	X(IOMMU_HW_CAP_DIRTY_TRACKING, 1) \
	X(IOMMU_HW_CAP_PCI_PASID_EXEC, 2) \
	X(IOMMU_HW_CAP_PCI_PASID_PRIV, 4) \
	X(IOMMU_HW_INFO_FLAG_INPUT_TYPE, 1) \
	X(IOMMU_HWPT_DIRTY_TRACKING_ENABLE, 1) \
	X(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 1) \
	X(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, 0) \
	X(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, 1) \
	X(IOMMU_VTD_INV_FLAGS_LEAF, 1) \
	X(IOMMU_PGFAULT_FLAGS_PASID_VALID, 1) \
	X(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 2) \
	X(IOMMU_PGFAULT_PERM_READ, 1) \
	X(IOMMU_PGFAULT_PERM_WRITE, 2) \
	X(IOMMU_PGFAULT_PERM_EXEC, 4) \
	X(IOMMU_PGFAULT_PERM_PRIV, 8) \
	X(IOMMUFD_PAGE_RESP_SUCCESS, 0) \
	X(IOMMUFD_PAGE_RESP_INVALID, 1) \
	X(IOMMU_VIOMMU_TYPE_DEFAULT, 0) \
	X(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, 1) \
	X(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, 2) \
	X(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 1) \
	X(IOMMU_VEVENTQ_TYPE_DEFAULT, 0) \
	X(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 1) \
	X(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, 2) \
	X(IOMMU_HW_QUEUE_TYPE_DEFAULT, 0) \
	X(IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 1)

#define TEST_OPS(X) \
	X(IOMMU_TEST_OP_ADD_RESERVED, 1) \
	X(IOMMU_TEST_OP_MOCK_DOMAIN, 2) \
	X(IOMMU_TEST_OP_MD_CHECK_MAP, 3) \
	X(IOMMU_TEST_OP_MD_CHECK_REFS, 4) \
	X(IOMMU_TEST_OP_CREATE_ACCESS, 5) \
	X(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, 6) \
	X(IOMMU_TEST_OP_ACCESS_PAGES, 7) \
	X(IOMMU_TEST_OP_ACCESS_RW, 8) \
	X(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 9) \
	X(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 10) \
	X(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, 11) \
	X(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 12) \
	X(IOMMU_TEST_OP_DIRTY, 13) \
	X(IOMMU_TEST_OP_MD_CHECK_IOTLB, 14) \
	X(IOMMU_TEST_OP_TRIGGER_IOPF, 15) \
	X(IOMMU_TEST_OP_DEV_CHECK_CACHE, 16) \
	X(IOMMU_TEST_OP_TRIGGER_VEVENT, 17) \
	X(IOMMU_TEST_OP_PASID_ATTACH, 18) \
	X(IOMMU_TEST_OP_PASID_REPLACE, 19) \
	X(IOMMU_TEST_OP_PASID_DETACH, 20) \
	X(IOMMU_TEST_OP_PASID_CHECK_HWPT, 21) \
	X(IOMMU_TEST_OP_DMABUF_GET, 22) \
	X(IOMMU_TEST_OP_DMABUF_REVOKE, 23)

#define TEST_CMD_MEMBERS(X) \
	X(add_reserved, 16) \
	X(mock_domain, 12) \
	X(check_map, 24) \
	X(check_refs, 24) \
	X(create_access, 8) \
	X(destroy_access_pages, 4) \
	X(access_pages, 32) \
	X(access_rw, 32) \
	X(memory_limit, 4) \
	X(mock_domain_replace, 4) \
	X(access_replace_ioas, 4) \
	X(mock_domain_flags, 16) \
	X(dirty, 48) \
	X(check_iotlb, 8) \
	X(trigger_iopf, 24) \
	X(check_dev_cache, 8) \
	X(trigger_vevent, 4) \
	X(pasid_attach, 8) \
	X(pasid_replace, 8) \
	X(pasid_detach, 4) \
	X(pasid_check, 8) \
	X(dmabuf_get, 8) \
	X(dmabuf_revoke, 8)

#define TEST_CMD_FIELDS(X) \
	X(add_reserved, start, 16, 8) \
	X(add_reserved, length, 24, 8) \
	X(mock_domain, out_stdev_id, 16, 4) \
	X(mock_domain, out_hwpt_id, 20, 4) \
	X(mock_domain, out_idev_id, 24, 4) \
	X(check_map, iova, 16, 8) \
	X(check_map, length, 24, 8) \
	X(check_map, uptr, 32, 8) \
	X(check_refs, length, 16, 8) \
	X(check_refs, uptr, 24, 8) \
	X(check_refs, refs, 32, 4) \
	X(create_access, out_access_fd, 16, 4) \
	X(create_access, flags, 20, 4) \
	X(destroy_access_pages, access_pages_id, 16, 4) \
	X(access_pages, flags, 16, 4) \
	X(access_pages, out_access_pages_id, 20, 4) \
	X(access_pages, iova, 24, 8) \
	X(access_pages, length, 32, 8) \
	X(access_pages, uptr, 40, 8) \
	X(access_rw, iova, 16, 8) \
	X(access_rw, length, 24, 8) \
	X(access_rw, uptr, 32, 8) \
	X(access_rw, flags, 40, 4) \
	X(memory_limit, limit, 16, 4) \
	X(mock_domain_replace, pt_id, 16, 4) \
	X(access_replace_ioas, ioas_id, 16, 4) \
	X(mock_domain_flags, out_stdev_id, 16, 4) \
	X(mock_domain_flags, out_hwpt_id, 20, 4) \
	X(mock_domain_flags, out_idev_id, 24, 4) \
	X(mock_domain_flags, dev_flags, 28, 4) \
	X(dirty, flags, 16, 4) \
	X(dirty, iova, 24, 8) \
	X(dirty, length, 32, 8) \
	X(dirty, page_size, 40, 8) \
	X(dirty, uptr, 48, 8) \
	X(dirty, out_nr_dirty, 56, 8) \
	X(check_iotlb, id, 16, 4) \
	X(check_iotlb, iotlb, 20, 4) \
	X(trigger_iopf, dev_id, 16, 4) \
	X(trigger_iopf, pasid, 20, 4) \
	X(trigger_iopf, grpid, 24, 4) \
	X(trigger_iopf, perm, 28, 4) \
	X(trigger_iopf, addr, 32, 8) \
	X(check_dev_cache, id, 16, 4) \
	X(check_dev_cache, cache, 20, 4) \
	X(trigger_vevent, dev_id, 16, 4) \
	X(pasid_attach, pasid, 16, 4) \
	X(pasid_attach, pt_id, 20, 4) \
	X(pasid_replace, pasid, 16, 4) \
	X(pasid_replace, pt_id, 20, 4) \
	X(pasid_detach, pasid, 16, 4) \
	X(pasid_check, pasid, 16, 4) \
	X(pasid_check, hwpt_id, 20, 4) \
	X(dmabuf_get, length, 16, 4) \
	X(dmabuf_get, open_flags, 20, 4) \
	X(dmabuf_revoke, dmabuf_fd, 16, 4) \
	X(dmabuf_revoke, revoked, 20, 4)

#define TEST_CONSTS(X) \
	X(MOCK_IOMMUPT_DEFAULT, 0) \
	X(MOCK_IOMMUPT_HUGE, 1) \
	X(MOCK_IOMMUPT_AMDV1, 2) \
	X(MOCK_APERTURE_START, 0x1000000) \
	X(MOCK_APERTURE_LAST, 0x7fffffff) \
	X(MOCK_PAGE_SIZE, 0x800) \
	X(MOCK_HUGE_PAGE_SIZE, 0x100000) \
	X(MOCK_FLAGS_ACCESS_WRITE, 1) \
	X(MOCK_FLAGS_ACCESS_SYZ, 0x10000) \
	X(MOCK_ACCESS_RW_WRITE, 1) \
	X(MOCK_ACCESS_RW_SLOW_PATH, 4) \
	X(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, 1) \
	X(MOCK_FLAGS_DEVICE_NO_DIRTY, 1) \
	X(MOCK_FLAGS_DEVICE_PASID, 4) \
	X(MOCK_NESTED_DOMAIN_IOTLB_ID_MAX, 3) \
	X(MOCK_NESTED_DOMAIN_IOTLB_NUM, 4) \
	X(MOCK_DEV_CACHE_ID_MAX, 3) \
	X(MOCK_DEV_CACHE_NUM, 4) \
	X(IOMMU_TEST_PASID_RESERVED, 0x400) \
	X(IOMMU_TEST_CMD, 0x3ba0) \
	X(MOCK_PASID_WIDTH, 20) \
	X(IOMMU_HW_INFO_TYPE_SELFTEST, 0xfeedbeef) \
	X(IOMMU_HW_INFO_SELFTEST_REGVAL, 0xdeadbeef) \
	X(IOMMU_HWPT_DATA_SELFTEST, 0xdead) \
	X(IOMMU_TEST_IOTLB_DEFAULT, 0xbadbeef) \
	X(IOMMU_TEST_DEV_CACHE_DEFAULT, 0xbaddad) \
	X(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0xdeadbeef) \
	X(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef) \
	X(IOMMU_TEST_INVALIDATE_FLAG_ALL, 1) \
	X(IOMMU_VIOMMU_TYPE_SELFTEST, 0xdeadbeef) \
	X(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, 0xdeadbeef) \
	X(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef) \
	X(IOMMU_VEVENTQ_TYPE_SELFTEST, 0xbeefbeef) \
	X(IOMMU_HW_QUEUE_TYPE_SELFTEST, 0xdeadbeef) \
	X(IOMMU_TEST_HW_QUEUE_MAX, 2)

#define TEST_STRUCTS(X) \
	X(iommu_test_hw_info, 8) \
	X(iommu_hwpt_selftest, 8) \
	X(iommu_hwpt_invalidate_selftest, 8) \
	X(iommu_viommu_selftest, 24) \
	X(iommu_viommu_invalidate_selftest, 12) \
	X(iommu_viommu_event_selftest, 4)

#define TEST_STRUCT_FIELDS(X) \
	X(iommu_test_hw_info, flags, 0, 4) \
	X(iommu_test_hw_info, test_reg, 4, 4) \
	X(iommu_hwpt_selftest, iotlb, 0, 4) \
	X(iommu_hwpt_selftest, pagetable_type, 4, 4) \
	X(iommu_hwpt_invalidate_selftest, flags, 0, 4) \
	X(iommu_hwpt_invalidate_selftest, iotlb_id, 4, 4) \
	X(iommu_viommu_selftest, in_data, 0, 4) \
	X(iommu_viommu_selftest, out_data, 4, 4) \
	X(iommu_viommu_selftest, out_mmap_offset, 8, 8) \
	X(iommu_viommu_selftest, out_mmap_length, 16, 8) \
	X(iommu_viommu_invalidate_selftest, flags, 0, 4) \
	X(iommu_viommu_invalidate_selftest, vdev_id, 4, 4) \
	X(iommu_viommu_invalidate_selftest, cache_id, 8, 4) \
	X(iommu_viommu_event_selftest, virt_id, 0, 4)

/* Header of struct iommu_test_cmd, outside of its union */
#define TEST_CMD_HEADER(X) \
	X(iommu_test_cmd, size, 0, 4) \
	X(iommu_test_cmd, op, 4, 4) \
	X(iommu_test_cmd, id, 8, 4) \
	X(iommu_test_cmd, __reserved, 12, 4) \
	X(iommu_test_cmd, last, 64, 4)

/* Names kept only for the 6.12 tree's kselftests */
#define TEST_LEGACY_CONSTS(X) \
	X(MOCK_FLAGS_DEVICE_HUGE_IOVA, 2)

/* Compile-time checks */

#define STATIC_SIZE(s, sz) \
	_Static_assert(sizeof(struct s) == (sz), "sizeof(struct " #s ")");
#define STATIC_FIELD(s, f, off, sz) \
	_Static_assert(offsetof(struct s, f) == (off) && \
		       FIELD_SIZE(struct s, f) == (sz), \
		       "layout of struct " #s "." #f);
#define STATIC_IOCTL(ioc, cmd, nr, s, sz) \
	_Static_assert((cmd) == (nr) && (ioc) == _IO(';', (nr)) && \
		       (ioc) == (0x3b00 | (nr)) && sizeof(struct s) == (sz), \
		       "ioctl number/struct of " #ioc);
#define STATIC_VALUE(name, val) \
	_Static_assert((unsigned long long)(name) == \
		       (unsigned long long)(val), "value of " #name);
#define STATIC_MEMBER(m, sz) \
	_Static_assert(offsetof(struct iommu_test_cmd, m) == 16 && \
		       FIELD_SIZE(struct iommu_test_cmd, m) == (sz), \
		       "union member iommu_test_cmd." #m);
#define STATIC_CMD_FIELD(m, f, off, sz) \
	_Static_assert(offsetof(struct iommu_test_cmd, m.f) == (off) && \
		       FIELD_SIZE(struct iommu_test_cmd, m.f) == (sz), \
		       "layout of iommu_test_cmd." #m "." #f);

UAPI_STRUCTS(STATIC_SIZE)
UAPI_FIELDS(STATIC_FIELD)
UAPI_IOCTLS(STATIC_IOCTL)
UAPI_ENUMS(STATIC_VALUE)
TEST_OPS(STATIC_VALUE)
TEST_CONSTS(STATIC_VALUE)
TEST_LEGACY_CONSTS(STATIC_VALUE)
TEST_STRUCTS(STATIC_SIZE)
TEST_STRUCT_FIELDS(STATIC_FIELD)
STATIC_SIZE(iommu_test_cmd, 72)
TEST_CMD_HEADER(STATIC_FIELD)
TEST_CMD_MEMBERS(STATIC_MEMBER)
TEST_CMD_FIELDS(STATIC_CMD_FIELD)

/* Run-time checks */

struct size_check {
	const char *name;
	size_t actual;
	size_t expected;
};

struct field_check {
	const char *name;
	size_t offset;
	size_t size;
	size_t exp_offset;
	size_t exp_size;
};

struct value_check {
	const char *name;
	unsigned long long actual;
	unsigned long long expected;
};

#define RT_SIZE(s, sz) { "struct " #s, sizeof(struct s), sz },
#define RT_FIELD(s, f, off, sz) \
	{ #s "." #f, offsetof(struct s, f), FIELD_SIZE(struct s, f), off, sz },
#define RT_VALUE(name, val) \
	{ #name, (unsigned long long)(name), (unsigned long long)(val) },
#define RT_IOCTL(ioc, cmd, nr, s, sz) \
	{ #ioc, (ioc), 0x3b00 | (nr) }, \
	{ #cmd, (cmd), (nr) }, \
	{ "sizeof(struct " #s ")", sizeof(struct s), (sz) },
#define RT_MEMBER(m, sz) \
	{ "iommu_test_cmd." #m, offsetof(struct iommu_test_cmd, m), \
	  FIELD_SIZE(struct iommu_test_cmd, m), 16, sz },
#define RT_CMD_FIELD(m, f, off, sz) \
	{ "iommu_test_cmd." #m "." #f, offsetof(struct iommu_test_cmd, m.f), \
	  FIELD_SIZE(struct iommu_test_cmd, m.f), off, sz },

static const struct size_check uapi_sizes[] = { UAPI_STRUCTS(RT_SIZE) };
static const struct field_check uapi_fields[] = { UAPI_FIELDS(RT_FIELD) };
static const struct value_check uapi_ioctls[] = { UAPI_IOCTLS(RT_IOCTL) };
static const struct value_check uapi_enums[] = { UAPI_ENUMS(RT_VALUE) };

static const struct size_check test_sizes[] = {
	TEST_STRUCTS(RT_SIZE)
	RT_SIZE(iommu_test_cmd, 72)
};

static const struct field_check test_fields[] = {
	TEST_STRUCT_FIELDS(RT_FIELD)
	TEST_CMD_HEADER(RT_FIELD)
	TEST_CMD_MEMBERS(RT_MEMBER)
	TEST_CMD_FIELDS(RT_CMD_FIELD)
};

static const struct value_check test_values[] = {
	TEST_OPS(RT_VALUE)
	TEST_CONSTS(RT_VALUE)
	TEST_LEGACY_CONSTS(RT_VALUE)
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int check_sizes(struct __test_metadata *_metadata,
		       const struct size_check *c, size_t n)
{
	int bad = 0;
	size_t i;

	for (i = 0; i != n; i++) {
		if (c[i].actual == c[i].expected)
			continue;
		TH_LOG("%s: size %zu, expected %zu", c[i].name, c[i].actual,
		       c[i].expected);
		bad++;
	}
	return bad;
}

static int check_fields(struct __test_metadata *_metadata,
			const struct field_check *c, size_t n)
{
	int bad = 0;
	size_t i;

	for (i = 0; i != n; i++) {
		if (c[i].offset == c[i].exp_offset &&
		    c[i].size == c[i].exp_size)
			continue;
		TH_LOG("%s: offset %zu size %zu, expected offset %zu size %zu",
		       c[i].name, c[i].offset, c[i].size, c[i].exp_offset,
		       c[i].exp_size);
		bad++;
	}
	return bad;
}

static int check_values(struct __test_metadata *_metadata,
			const struct value_check *c, size_t n)
{
	int bad = 0;
	size_t i;

	for (i = 0; i != n; i++) {
		if (c[i].actual == c[i].expected)
			continue;
		TH_LOG("%s: 0x%llx, expected 0x%llx", c[i].name, c[i].actual,
		       c[i].expected);
		bad++;
	}
	return bad;
}

TEST(uapi_struct_sizes)
{
	ASSERT_EQ(0, check_sizes(_metadata, uapi_sizes,
				 ARRAY_LEN(uapi_sizes)));
}

TEST(uapi_field_layout)
{
	ASSERT_EQ(0, check_fields(_metadata, uapi_fields,
				  ARRAY_LEN(uapi_fields)));
}

TEST(uapi_ioctl_numbers)
{
	unsigned int nr;

	ASSERT_EQ(0, check_values(_metadata, uapi_ioctls,
				  ARRAY_LEN(uapi_ioctls)));
	/* Commands are dense from IOMMUFD_CMD_BASE, no size/dir bits */
	ASSERT_EQ(0x80, IOMMUFD_CMD_BASE);
	ASSERT_EQ(';', IOMMUFD_TYPE);
	for (nr = IOMMUFD_CMD_BASE; nr <= IOMMUFD_CMD_HW_QUEUE_ALLOC; nr++)
		ASSERT_EQ(0x3b00 | nr, _IO(IOMMUFD_TYPE, nr));
	ASSERT_EQ(0x94, IOMMUFD_CMD_HW_QUEUE_ALLOC);
}

TEST(uapi_enum_values)
{
	ASSERT_EQ(0, check_values(_metadata, uapi_enums,
				  ARRAY_LEN(uapi_enums)));
}

TEST(uapi_hw_info_union)
{
	struct iommu_hw_info info = {};

	/* in_data_type and out_data_type share the same storage */
	info.in_data_type = 0x12345678U;
	ASSERT_EQ(0x12345678U, info.out_data_type);
}

TEST(test_uapi_struct_sizes)
{
	ASSERT_EQ(0, check_sizes(_metadata, test_sizes,
				 ARRAY_LEN(test_sizes)));
}

TEST(test_uapi_field_layout)
{
	ASSERT_EQ(0, check_fields(_metadata, test_fields,
				  ARRAY_LEN(test_fields)));
}

TEST(test_uapi_values)
{
	ASSERT_EQ(0, check_values(_metadata, test_values,
				  ARRAY_LEN(test_values)));
	ASSERT_EQ(_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32), IOMMU_TEST_CMD);
}

TEST_HARNESS_MAIN
