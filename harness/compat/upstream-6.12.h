/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Forced-included (-include) only when the tree's selftests are compiled
 * against upstream 6.12's own headers (BASE=upstream / BASE=legacy). The
 * tests use a few names from later kernels; this maps them onto 6.12 so
 * that the test sources stay unmodified. Values per shared/spec/uapi-v6.19.md.
 * The features behind them do not exist in 6.12, so the tests that use
 * them fail there (harness/expected-failures-upstream.txt).
 */
#ifndef HARNESS_COMPAT_UPSTREAM_6_12_H
#define HARNESS_COMPAT_UPSTREAM_6_12_H

/* struct iommu_hw_info: in_data_type shares offset 24 with out_data_type */
#define in_data_type out_data_type
#define IOMMU_HW_INFO_TYPE_DEFAULT IOMMU_HW_INFO_TYPE_NONE
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
/* mock driver (iommufd_test.h) */
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#define MOCK_PASID_WIDTH 20

#endif
