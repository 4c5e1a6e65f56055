/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault-injection plumbing shared by our fail_nth sweeps
 * (iommufd_viommu_fail_nth, iommufd_vmm_fail_nth): make every knob fire for
 * sleeping allocations without log noise, and arm or disarm the calling
 * thread's fail-nth file, which the test opens once into nth_fd (opening it
 * while armed could itself consume the injected failure).
 */
#ifndef __IOMMUFD_FAIL_NTH_UTILS_H
#define __IOMMUFD_FAIL_NTH_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

static bool fault_injection_ready;
static int nth_fd = -1;

static int fail_nth_write_file(int dirfd, const char *name, const char *val)
{
	int fd = openat(dirfd, name, O_WRONLY);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = write(fd, val, strlen(val));
	close(fd);
	return len == (ssize_t)strlen(val) ? 0 : -1;
}

/* Let every fault-injection knob fire for sleeping allocations, quietly */
static __attribute__((constructor)) void prepare_fault_injection(void)
{
	DIR *dir = opendir("/sys/kernel/debug");
	struct dirent *entry;
	char name[320];

	if (!dir)
		return;
	if (fail_nth_write_file(dirfd(dir), "failslab/ignore-gfp-wait", "N")) {
		closedir(dir);
		return;
	}
	fail_nth_write_file(dirfd(dir), "fail_page_alloc/ignore-gfp-wait", "N");
	while ((entry = readdir(dir))) {
		if (strncmp(entry->d_name, "fail", 4))
			continue;
		snprintf(name, sizeof(name), "%s/verbose", entry->d_name);
		fail_nth_write_file(dirfd(dir), name, "0");
	}
	closedir(dir);
	fault_injection_ready = true;
}

/* Fail the n-th injection point of this thread from now on */
static int arm_fail_nth(unsigned int n)
{
	char val[16];
	int len;

	len = snprintf(val, sizeof(val), "%u", n);
	return pwrite(nth_fd, val, len, 0) == len ? 0 : -1;
}

/*
 * Disarm, and tell how many injection points were left to go before the
 * armed one (0: it was injected). The read or the write may consume a
 * failure that the scenario did not reach; a failing write is retried.
 */
static int disarm_fail_nth(unsigned int *left)
{
	char val[16] = {};
	ssize_t len;
	int tries;

	len = pread(nth_fd, val, sizeof(val) - 1, 0);
	*left = len > 0 ? strtoul(val, NULL, 10) : 1;
	for (tries = 0; tries != 3; tries++) {
		if (pwrite(nth_fd, "0", 1, 0) == 1)
			return 0;
		if (errno != EFAULT)
			break;
		/* The write consumed the failure: the scenario did not */
		*left = 1;
	}
	return -1;
}

/*
 * No pin of @buf survives a closed context: 0, or -1 if the mock still
 * counts a reference on a page of it.
 */
static int fail_nth_pins_released(void *buf, size_t len)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = {
			.length = len,
			.uptr = (uintptr_t)buf,
			.refs = 0,
		},
	};
	int fd = open("/dev/iommu", O_RDWR);
	int rc;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	close(fd);
	return rc;
}

#endif
