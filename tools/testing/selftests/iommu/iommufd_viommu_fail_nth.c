// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation-failure sweep over the vIOMMU family of iommufd.
 *
 * One scenario builds a vIOMMU with an mmap region, a vDEVICE, a nested
 * HWPT on the vIOMMU, a vEVENTQ, two dependent HW queues, reports an event,
 * invalidates through the vIOMMU and tombstones a vDEVICE. It is replayed
 * with the n-th fault-injection point of the task failing, for n = 1, 2,
 * ... until a replay no longer reaches the n-th point. Every replay stops
 * at the first failing step and closes everything; afterwards no page of
 * the buffer may stay pinned. Kernel warnings (panic_on_warn) and leaks
 * are what this looks for; the errnos are checked by iommufd_viommu.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "iommufd_utils.h"
#include "iommufd_fail_nth_utils.h"

#define MAX_ITERATIONS 2000

struct scenario {
	int failed_step;
	int fd;
	int veventq_fd;
	void *mmio;
	size_t mmio_len;
};

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* Remember where a run stopped, for the report of a failing plain run */
static int scenario_fail(struct scenario *sc, int step, int rc)
{
	sc->failed_step = step;
	return rc;
}

/* Build everything; stop at the first failure. Returns 0 if all worked. */
static int scenario_run(struct scenario *sc)
{
	struct iommu_viommu_selftest vdata = { .in_data = 7 };
	struct iommu_hwpt_selftest ndata = { .iotlb = 1 };
	struct iommu_viommu_invalidate_selftest inv = {
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL,
	};
	struct iommu_test_cmd cmd = {};
	__u32 ioas_id, stdev_id, idev_id, stdev2, idev2, parent_id;
	__u32 viommu_id, nested_id;
	__u64 iova;
	int rc;

	sc->fd = open("/dev/iommu", O_RDWR);
	if (sc->fd < 0)
		return scenario_fail(sc, 1, -1);
	rc = _test_ioctl_ioas_alloc(sc->fd, &ioas_id);
	if (rc)
		return scenario_fail(sc, 2, rc);
	rc = _test_cmd_mock_domain(sc->fd, ioas_id, &stdev_id, NULL,
				   &idev_id);
	if (rc)
		return scenario_fail(sc, 4, rc);
	rc = _test_cmd_mock_domain(sc->fd, ioas_id, &stdev2, NULL, &idev2);
	if (rc)
		return scenario_fail(sc, 5, rc);
	/* After the domains, so that the IOVA lies in their aperture */
	rc = _test_ioctl_ioas_map(sc->fd, ioas_id, buffer, BUFFER_SIZE, &iova,
				  IOMMU_IOAS_MAP_WRITEABLE |
					  IOMMU_IOAS_MAP_READABLE);
	if (rc)
		return scenario_fail(sc, 3, rc);
	rc = _test_cmd_hwpt_alloc(sc->fd, idev_id, ioas_id, 0,
				  IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id,
				  IOMMU_HWPT_DATA_NONE, NULL, 0);
	if (rc)
		return scenario_fail(sc, 6, rc);

	{
		struct iommu_viommu_alloc alloc = {
			.size = sizeof(alloc),
			.type = IOMMU_VIOMMU_TYPE_SELFTEST,
			.dev_id = idev_id,
			.hwpt_id = parent_id,
			.data_len = sizeof(vdata),
			.data_uptr = (uintptr_t)&vdata,
		};

		rc = ioctl(sc->fd, IOMMU_VIOMMU_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 7, rc);
		viommu_id = alloc.out_viommu_id;
	}
	sc->mmio = mmap(NULL, vdata.out_mmap_length, PROT_READ, MAP_SHARED,
			sc->fd, vdata.out_mmap_offset);
	if (sc->mmio == MAP_FAILED) {
		sc->mmio = NULL;
		return scenario_fail(sc, 8, -1);
	}
	sc->mmio_len = vdata.out_mmap_length;

	{
		struct iommu_vdevice_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = viommu_id,
			.dev_id = idev_id,
			.virt_id = 0,
		};

		rc = ioctl(sc->fd, IOMMU_VDEVICE_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 9, rc);
		alloc.dev_id = idev2;
		alloc.virt_id = 2;
		rc = ioctl(sc->fd, IOMMU_VDEVICE_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 10, rc);
	}
	rc = _test_cmd_hwpt_alloc(sc->fd, idev_id, viommu_id, 0, 0,
				  &nested_id, IOMMU_HWPT_DATA_SELFTEST, &ndata,
				  sizeof(ndata));
	if (rc)
		return scenario_fail(sc, 11, rc);
	rc = _test_cmd_mock_domain_replace(sc->fd, stdev2, nested_id, NULL);
	if (rc)
		return scenario_fail(sc, 12, rc);

	{
		struct iommu_veventq_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = viommu_id,
			.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
			.veventq_depth = 1,
		};

		rc = ioctl(sc->fd, IOMMU_VEVENTQ_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 13, rc);
		sc->veventq_fd = alloc.out_veventq_fd;
	}
	cmd.op = IOMMU_TEST_OP_TRIGGER_VEVENT;
	cmd.trigger_vevent.dev_id = idev2;
	rc = test_cmd(sc->fd, &cmd);
	if (rc)
		return scenario_fail(sc, 14, rc);
	rc = test_cmd(sc->fd, &cmd);
	if (rc)
		return scenario_fail(sc, 15, rc);

	{
		struct iommu_hw_queue_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = viommu_id,
			.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
			.nesting_parent_iova = iova,
			.length = PAGE_SIZE,
		};

		rc = ioctl(sc->fd, IOMMU_HW_QUEUE_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 16, rc);
		alloc.index = 1;
		alloc.nesting_parent_iova = iova + PAGE_SIZE / 2;
		alloc.length = PAGE_SIZE / 2;
		rc = ioctl(sc->fd, IOMMU_HW_QUEUE_ALLOC, &alloc);
		if (rc)
			return scenario_fail(sc, 17, rc);
	}
	{
		struct iommu_hwpt_invalidate req = {
			.size = sizeof(req),
			.hwpt_id = viommu_id,
			.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
			.data_uptr = (uintptr_t)&inv,
			.entry_len = sizeof(inv),
			.entry_num = 1,
		};

		inv.vdev_id = 2;
		rc = ioctl(sc->fd, IOMMU_HWPT_INVALIDATE, &req);
		if (rc)
			return scenario_fail(sc, 18, rc);
	}

	/* Tombstone the vDEVICE of the first device */
	{
		struct iommu_destroy destroy = {
			.size = sizeof(destroy),
			.id = stdev_id,
		};

		rc = ioctl(sc->fd, IOMMU_DESTROY, &destroy);
		if (rc)
			return scenario_fail(sc, 19, rc);
	}
	{
		char evbuf[64];

		if (read(sc->veventq_fd, evbuf, sizeof(evbuf)) < 0)
			return scenario_fail(sc, 20, -1);
	}
	return 0;
}

static void scenario_close(struct scenario *sc)
{
	if (sc->mmio)
		munmap(sc->mmio, sc->mmio_len);
	if (sc->veventq_fd >= 0)
		close(sc->veventq_fd);
	if (sc->fd >= 0)
		close(sc->fd);
}

TEST(viommu_fail_nth)
{
	struct scenario sc;
	unsigned int n;
	int rc;

	if (!fault_injection_ready)
		SKIP(return, "fault injection is not available");

	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
	BUFFER_SIZE = 16 * PAGE_SIZE;
	buffer = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buffer);
	memset(buffer, 1, BUFFER_SIZE);

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_NE(-1, nth_fd);

	/* n = 0 is the plain run: it must succeed */
	for (n = 0; n != MAX_ITERATIONS; n++) {
		unsigned int left = 1;

		memset(&sc, 0, sizeof(sc));
		sc.fd = -1;
		sc.veventq_fd = -1;
		if (n)
			ASSERT_EQ(0, arm_fail_nth(n));
		rc = scenario_run(&sc);
		if (n)
			ASSERT_EQ(0, disarm_fail_nth(&left));
		scenario_close(&sc);
		ASSERT_EQ(0, fail_nth_pins_released(buffer, BUFFER_SIZE));
		if (!n) {
			if (rc)
				ksft_print_msg("step %d failed: %s\n",
					       sc.failed_step, strerror(errno));
			ASSERT_EQ(0, rc);
		} else if (left) {
			break;
		}
	}
	ASSERT_NE(MAX_ITERATIONS, n);
	ksft_print_msg("swept %u injection points\n", n - 1);
}

TEST_HARNESS_MAIN
