# SPDX-License-Identifier: GPL-2.0-only
# User targets of the repo's Makefile (when kbuild is not reading it).
# Variables pass through the environment: DEBUG=1 BASE=upstream
# EXTRA_TESTS=<dir> JOBS=<n> IOMMUFD_CACHE=<dir>.
HARNESS_MAIN := bash $(CURDIR)/harness/main.sh
export DEBUG BASE EXTRA_TESTS EXTRA_TESTS_BOOT KERNEL_CMDLINE JOBS IOMMUFD_CACHE VM_TIMEOUT TEST_TIMEOUT FUZZ_CALLS FUZZ_SEED FUZZ_TIME

.PHONY: help run check shell lint kunit bench fuzz
.DEFAULT_GOAL := help

help run check shell lint kunit bench fuzz:
	@$(HARNESS_MAIN) $@
