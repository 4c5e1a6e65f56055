# SPDX-License-Identifier: GPL-2.0-only
#
# This file is two things: when kbuild reads it (KERNELRELEASE is set) it is
# the kbuild Makefile of drivers/iommu/iommufd; otherwise it is the entry
# point for people: `make run`, `make check`, `make help`.
ifneq ($(KERNELRELEASE),)
ccflags-y += -I$(src)

iommufd-y := \
	device.o \
	eventq.o \
	hw_pagetable.o \
	io_pagetable.o \
	ioas.o \
	main.o \
	pages.o \
	viommu.o

# IOMMU_IOAS_MAP_FILE of a dma-buf
iommufd-$(CONFIG_DMA_SHARED_BUFFER) += pages_dmabuf.o

# VFIO's group code calls the compat hooks whenever IOMMUFD is enabled (an
# iommufd fd can be set as a group's container), so vfio_compat.o is always
# built; IOMMUFD_VFIO_CONTAINER only adds the /dev/vfio/vfio node (main.c).
iommufd-y += vfio_compat.o

iommufd-$(CONFIG_IOMMUFD_TEST) += selftest.o
# The suites reach iommufd internals, so they are linked into iommufd
# whether the option is y or m.
iommufd-$(if $(CONFIG_IOMMUFD_KUNIT_TEST),y) += \
	tests/iopt_kunit.o \
	tests/iova_bitmap_kunit.o \
	tests/main_kunit.o \
	tests/pages_kunit.o

obj-$(CONFIG_IOMMUFD) += iommufd.o
# The for-driver helpers, usable without calling into iommufd.o
obj-$(CONFIG_IOMMUFD_DRIVER_CORE) += iommufd_driver.o
iommufd_driver-y := driver.o
obj-$(CONFIG_IOMMUFD_DRIVER) += iova_bitmap.o
else
include harness/harness.mk
endif
