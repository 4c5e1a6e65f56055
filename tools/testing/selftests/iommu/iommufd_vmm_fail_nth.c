// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation-failure sweep over what a VMM does with iommufd, in the order
 * a VMM does it, with every object type and every creation flag:
 *
 *  - accounting in the mm (IOMMU_OPTION), an IOAS, a PASID capable mock
 *    device and one without dirty tracking, guest memory mapped from
 *    anonymous memory, a memfd and a dma-buf, IOAS_COPY, GET_HW_INFO;
 *  - a nesting parent HWPT with dirty tracking and PASID, the RID moved
 *    onto it, dirty tracking on, a dirty bitmap read twice;
 *  - a vIOMMU with its mmap region, vDEVICEs, a fault queue, a nested HWPT
 *    with a fault queue the RID is moved onto, a vEVENTQ and a vEVENT read
 *    back, a HW queue, invalidations through the vIOMMU and the nested HWPT;
 *  - paging HWPTs for PASIDs, one with a fault queue; PASID attach, replace
 *    and detach; I/O page faults on the RID and a PASID, read and answered;
 *  - an in-kernel access that pins and reads guest memory;
 *  - part of the teardown a VMM does before it exits (a vDEVICE, an unmap).
 *
 * The scenario is replayed with the n-th fault-injection point of the task
 * failing, n = 1, 2, ... until replays no longer reach the n-th point (the
 * count varies a little from one replay to the next, hence a margin).
 * Every replay stops at the first failing step and closes everything, which
 * exercises the destroy paths of half-built objects; afterwards no page may
 * stay pinned, by the mock's count and by the mm's VmPin. Kernel warnings
 * (panic_on_warn), use-after-free and leaks are what this looks for; the
 * errnos are checked by the functional tests.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "iommufd_own_utils.h"
#include "iommufd_fail_nth_utils.h"

#define MAX_ITERATIONS 20000
/* Armed for the plain run: never reached, it counts the injection points */
#define COUNT_POINTS 1000000
/* Misses in a row past the plain run's count that end the sweep */
#define MISSES_TO_STOP 5
#define PASID_A 0x100
#define PASID_B 0x200
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/* A memfd reused by every replay: creating it is not what is swept */
static int memfd = -1;

struct scenario {
	int step;	/* the step running, or the last one on success */
	int fd;
	int fault_fd;
	int veventq_fd;
	int access_fd;
	int dmabuf_fd;
	void *mmio;
	size_t mmio_len;

	__u32 ioas_id;
	__u32 stdev_a, idev_a;		/* PASID capable */
	__u32 stdev_b, idev_b;		/* no dirty tracking */
	__u64 iova, copy_iova, memfd_iova, dmabuf_iova;
	__u32 parent_id, fault_id, viommu_id, vdev_b_id, nested_id;
	__u32 pasid_fault_hwpt, pasid_hwpt;
	__u32 access_pages_id;
};

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int hwpt_alloc(struct scenario *sc, __u32 dev_id, __u32 pt_id,
		      __u32 flags, __u32 fault_id, void *data, __u32 data_len,
		      __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data ? IOMMU_HWPT_DATA_SELFTEST :
				    IOMMU_HWPT_DATA_NONE,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = ioctl(sc->fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

static int mock_dev(struct scenario *sc, __u32 dev_flags, __u32 *stdev_id,
		    __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = sc->ioas_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int rc = test_cmd(sc->fd, &cmd);

	if (!rc) {
		*stdev_id = cmd.mock_domain_flags.out_stdev_id;
		*idev_id = cmd.mock_domain_flags.out_idev_id;
	}
	return rc;
}

static int rid_replace(struct scenario *sc, __u32 stdev_id, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return test_cmd(sc->fd, &cmd);
}

static int pasid_op(struct scenario *sc, __u32 op, __u32 pasid,
		    __u32 pt_id)
{
	struct iommu_test_cmd cmd = { .op = op, .id = sc->stdev_a };

	/* The three ops share the layout { pasid, pt_id } */
	cmd.pasid_attach.pasid = pasid;
	cmd.pasid_attach.pt_id = pt_id;
	return test_cmd(sc->fd, &cmd);
}

static int map(struct scenario *sc, void *va, size_t len, __u64 *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = RW,
		.ioas_id = sc->ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
	};
	int rc = ioctl(sc->fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

static int map_file(struct scenario *sc, int mfd, size_t len, __u64 *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = RW,
		.ioas_id = sc->ioas_id,
		.fd = mfd,
		.length = len,
	};
	int rc = ioctl(sc->fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

static int get_hw_info(struct scenario *sc)
{
	struct iommu_test_hw_info info = {};
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE,
		.dev_id = sc->idev_a,
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
		.in_data_type = IOMMU_HW_INFO_TYPE_SELFTEST,
	};
	int rc = ioctl(sc->fd, IOMMU_GET_HW_INFO, &cmd);

	if (rc)
		return rc;
	/* The PASID device must have come out PASID capable */
	if (cmd.out_max_pasid_log2 != MOCK_PASID_WIDTH ||
	    !(cmd.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING) ||
	    info.test_reg != IOMMU_HW_INFO_SELFTEST_REGVAL) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* Mark the first two pages dirty, then read the bitmap twice */
static int dirty_round(struct scenario *sc)
{
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		.hwpt_id = sc->parent_id,
	};
	__u64 bits = 3, bitmap = 0;
	struct iommu_test_cmd mark = {
		.op = IOMMU_TEST_OP_DIRTY,
		.id = sc->parent_id,
		.dirty = { .iova = sc->iova, .length = 64 * PAGE_SIZE,
			   .page_size = PAGE_SIZE, .uptr = (uintptr_t)&bits },
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = sc->parent_id,
		.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
		.iova = sc->iova,
		.length = 64 * PAGE_SIZE,
		.page_size = PAGE_SIZE,
		.data = (uintptr_t)&bitmap,
	};
	int rc;

	rc = ioctl(sc->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &track);
	if (rc)
		return rc;
	rc = test_cmd(sc->fd, &mark);
	if (rc)
		return rc;
	rc = ioctl(sc->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
	if (rc)
		return rc;
	get.flags = 0;
	return ioctl(sc->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get);
}

/* Raise a page fault, read it from the fault queue and answer it */
static int iopf_round(struct scenario *sc, __u32 pasid)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = sc->idev_a,
			.pasid = pasid,
			.grpid = 1,
			.perm = IOMMU_PGFAULT_PERM_READ,
			.addr = sc->iova,
		},
	};
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault fault;
	int rc;

	rc = test_cmd(sc->fd, &cmd);
	if (rc)
		return rc;
	if (read(sc->fault_fd, &fault, sizeof(fault)) != sizeof(fault))
		return -1;
	resp.cookie = fault.cookie;
	if (write(sc->fault_fd, &resp, sizeof(resp)) != sizeof(resp))
		return -1;
	return 0;
}

/* Count a step of the scenario; true if it failed */
static bool step_failed(struct scenario *sc, bool failed)
{
	sc->step++;
	return failed;
}

/* Build everything; stop at the first failure. Returns 0 if all worked. */
static int scenario_run(struct scenario *sc)
{
	struct iommu_viommu_selftest vdata = { .in_data = 7 };
	struct iommu_hwpt_selftest ndata = { .iotlb = 1 };
	struct iommu_viommu_invalidate_selftest vinv = {
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL,
		.vdev_id = 1,
	};
	struct iommu_hwpt_invalidate_selftest hinv = {
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL,
	};
	struct iommu_test_cmd cmd = {};
	char data[64];

	sc->fd = open("/dev/iommu", O_RDWR);
	if (step_failed(sc, sc->fd < 0))
		return -1;

	/* Pins show in VmPin, which is checked after every replay */
	{
		struct iommu_option opt = {
			.size = sizeof(opt),
			.option_id = IOMMU_OPTION_RLIMIT_MODE,
			.op = IOMMU_OPTION_OP_SET,
			.val64 = 1,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_OPTION, &opt)))
			return -1;
	}
	if (step_failed(sc, _test_ioctl_ioas_alloc(sc->fd, &sc->ioas_id)))
		return -1;
	if (step_failed(sc, mock_dev(sc, MOCK_FLAGS_DEVICE_PASID, &sc->stdev_a,
				     &sc->idev_a)))
		return -1;
	if (step_failed(sc, mock_dev(sc, MOCK_FLAGS_DEVICE_NO_DIRTY,
				     &sc->stdev_b, &sc->idev_b)))
		return -1;
	if (step_failed(sc, get_hw_info(sc)))
		return -1;

	/* Guest memory: anonymous, a memfd and a dma-buf; a copy of RAM */
	if (step_failed(sc, map(sc, buffer, BUFFER_SIZE, &sc->iova)))
		return -1;
	if (step_failed(sc,
			map_file(sc, memfd, 4 * PAGE_SIZE, &sc->memfd_iova)))
		return -1;
	cmd.op = IOMMU_TEST_OP_DMABUF_GET;
	cmd.dmabuf_get.length = 4 * PAGE_SIZE;
	cmd.dmabuf_get.open_flags = O_CLOEXEC;
	sc->dmabuf_fd = test_cmd(sc->fd, &cmd);
	if (step_failed(sc, sc->dmabuf_fd < 0))
		return -1;
	if (step_failed(sc, map_file(sc, sc->dmabuf_fd, 4 * PAGE_SIZE,
				     &sc->dmabuf_iova)))
		return -1;
	{
		struct iommu_ioas_copy copy = {
			.size = sizeof(copy),
			.flags = RW,
			.dst_ioas_id = sc->ioas_id,
			.src_ioas_id = sc->ioas_id,
			.length = 4 * PAGE_SIZE,
			.src_iova = sc->iova,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_IOAS_COPY, &copy)))
			return -1;
		sc->copy_iova = copy.dst_iova;
	}

	/* Stage 2 with dirty tracking for migration, PASID capable */
	if (step_failed(sc, hwpt_alloc(sc, sc->idev_a, sc->ioas_id,
				       IOMMU_HWPT_ALLOC_NEST_PARENT |
					       IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					       IOMMU_HWPT_ALLOC_PASID,
				       0, NULL, 0, &sc->parent_id)))
		return -1;
	if (step_failed(sc, rid_replace(sc, sc->stdev_a, sc->parent_id)))
		return -1;
	if (step_failed(sc, dirty_round(sc)))
		return -1;

	/* The vIOMMU */
	{
		struct iommu_viommu_alloc alloc = {
			.size = sizeof(alloc),
			.type = IOMMU_VIOMMU_TYPE_SELFTEST,
			.dev_id = sc->idev_a,
			.hwpt_id = sc->parent_id,
			.data_len = sizeof(vdata),
			.data_uptr = (uintptr_t)&vdata,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_VIOMMU_ALLOC, &alloc)))
			return -1;
		sc->viommu_id = alloc.out_viommu_id;
	}
	sc->mmio = mmap(NULL, vdata.out_mmap_length, PROT_READ, MAP_SHARED,
			sc->fd, vdata.out_mmap_offset);
	if (sc->mmio == MAP_FAILED)
		sc->mmio = NULL;
	if (step_failed(sc, !sc->mmio))
		return -1;
	sc->mmio_len = vdata.out_mmap_length;
	{
		struct iommu_vdevice_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = sc->viommu_id,
			.dev_id = sc->idev_a,
			.virt_id = 1,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_VDEVICE_ALLOC, &alloc)))
			return -1;
		alloc.dev_id = sc->idev_b;
		alloc.virt_id = 2;
		if (step_failed(sc, ioctl(sc->fd, IOMMU_VDEVICE_ALLOC, &alloc)))
			return -1;
		sc->vdev_b_id = alloc.out_vdevice_id;
	}

	/* Stage 1 of the guest, with its page requests going to a queue */
	if (step_failed(sc, _test_ioctl_fault_alloc(sc->fd, &sc->fault_id,
						    (__u32 *)&sc->fault_fd)))
		return -1;
	if (step_failed(sc, hwpt_alloc(sc, sc->idev_a, sc->viommu_id,
				       IOMMU_HWPT_FAULT_ID_VALID |
					       IOMMU_HWPT_ALLOC_PASID,
				       sc->fault_id, &ndata, sizeof(ndata),
				       &sc->nested_id)))
		return -1;
	if (step_failed(sc, rid_replace(sc, sc->stdev_a, sc->nested_id)))
		return -1;

	{
		struct iommu_veventq_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = sc->viommu_id,
			.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
			.veventq_depth = 2,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_VEVENTQ_ALLOC, &alloc)))
			return -1;
		sc->veventq_fd = alloc.out_veventq_fd;
	}
	cmd.op = IOMMU_TEST_OP_TRIGGER_VEVENT;
	cmd.trigger_vevent.dev_id = sc->idev_a;
	if (step_failed(sc, test_cmd(sc->fd, &cmd)))
		return -1;
	if (step_failed(sc, read(sc->veventq_fd, data, sizeof(data)) <= 0))
		return -1;
	{
		struct iommu_hw_queue_alloc alloc = {
			.size = sizeof(alloc),
			.viommu_id = sc->viommu_id,
			.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
			.nesting_parent_iova = sc->iova,
			.length = PAGE_SIZE,
		};

		if (step_failed(sc,
				ioctl(sc->fd, IOMMU_HW_QUEUE_ALLOC, &alloc)))
			return -1;
	}
	{
		struct iommu_hwpt_invalidate req = {
			.size = sizeof(req),
			.hwpt_id = sc->viommu_id,
			.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
			.data_uptr = (uintptr_t)&vinv,
			.entry_len = sizeof(vinv),
			.entry_num = 1,
		};

		if (step_failed(sc, ioctl(sc->fd, IOMMU_HWPT_INVALIDATE, &req)))
			return -1;
		req.hwpt_id = sc->nested_id;
		req.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
		req.data_uptr = (uintptr_t)&hinv;
		req.entry_len = sizeof(hinv);
		if (step_failed(sc, ioctl(sc->fd, IOMMU_HWPT_INVALIDATE, &req)))
			return -1;
	}
	/* A page request without PASID goes to the RID's nested HWPT */
	if (step_failed(sc, iopf_round(sc, 0)))
		return -1;

	/* PASIDs: SVA-like tables with page requests, and plain ones */
	if (step_failed(sc, hwpt_alloc(sc, sc->idev_a, sc->ioas_id,
				       IOMMU_HWPT_ALLOC_PASID |
					       IOMMU_HWPT_FAULT_ID_VALID,
				       sc->fault_id, NULL, 0,
				       &sc->pasid_fault_hwpt)))
		return -1;
	if (step_failed(sc, hwpt_alloc(sc, sc->idev_a, sc->ioas_id,
				       IOMMU_HWPT_ALLOC_PASID, 0, NULL, 0,
				       &sc->pasid_hwpt)))
		return -1;
	if (step_failed(sc, pasid_op(sc, IOMMU_TEST_OP_PASID_ATTACH, PASID_A,
				     sc->pasid_fault_hwpt)))
		return -1;
	if (step_failed(sc, pasid_op(sc, IOMMU_TEST_OP_PASID_ATTACH, PASID_B,
				     sc->pasid_hwpt)))
		return -1;
	if (step_failed(sc, iopf_round(sc, PASID_A)))
		return -1;
	if (step_failed(sc, pasid_op(sc, IOMMU_TEST_OP_PASID_REPLACE, PASID_B,
				     sc->pasid_fault_hwpt)))
		return -1;
	if (step_failed(sc, pasid_op(sc, IOMMU_TEST_OP_PASID_REPLACE, PASID_A,
				     sc->pasid_hwpt)))
		return -1;
	if (step_failed(sc, iopf_round(sc, PASID_B)))
		return -1;
	if (step_failed(sc,
			pasid_op(sc, IOMMU_TEST_OP_PASID_DETACH, PASID_A, 0)))
		return -1;

	/* An emulated device reading guest memory through an access */
	cmd = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = sc->ioas_id,
		.create_access = {
			.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
		},
	};
	if (step_failed(sc, test_cmd(sc->fd, &cmd)))
		return -1;
	sc->access_fd = cmd.create_access.out_access_fd;
	cmd = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = sc->access_fd,
		.access_pages = {
			.flags = MOCK_FLAGS_ACCESS_WRITE,
			.iova = sc->copy_iova,
			.length = 2 * PAGE_SIZE,
			.uptr = (uintptr_t)buffer,
		},
	};
	if (step_failed(sc, test_cmd(sc->fd, &cmd)))
		return -1;
	sc->access_pages_id = cmd.access_pages.out_access_pages_id;
	cmd = (struct iommu_test_cmd){
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = sc->access_fd,
		.access_rw = {
			.iova = sc->memfd_iova + 100,
			.length = sizeof(data),
			.uptr = (uintptr_t)data,
		},
	};
	if (step_failed(sc, test_cmd(sc->fd, &cmd)))
		return -1;

	/* Some of the teardown: hot-unplug of B, guest RAM shrinking */
	if (step_failed(sc, _test_ioctl_destroy(sc->fd, sc->vdev_b_id)))
		return -1;
	if (step_failed(sc, _test_ioctl_destroy(sc->fd, sc->stdev_b)))
		return -1;
	if (step_failed(sc, _test_ioctl_ioas_unmap(sc->fd, sc->ioas_id,
						   sc->dmabuf_iova,
						   4 * PAGE_SIZE, NULL)))
		return -1;
	return 0;
}

static void scenario_close(struct scenario *sc)
{
	if (sc->mmio)
		munmap(sc->mmio, sc->mmio_len);
	if (sc->access_fd >= 0)
		close(sc->access_fd);
	if (sc->veventq_fd >= 0)
		close(sc->veventq_fd);
	if (sc->fault_fd >= 0)
		close(sc->fault_fd);
	if (sc->dmabuf_fd >= 0)
		close(sc->dmabuf_fd);
	if (sc->fd >= 0)
		close(sc->fd);
}

/* Hundreds of replays: far more than the default 30 s under KASAN */
FIXTURE(sweep) {};
FIXTURE_SETUP(sweep) {}
FIXTURE_TEARDOWN(sweep) {}

TEST_F_TIMEOUT(sweep, vmm_fail_nth, 900)
{
	struct timespec start, end;
	unsigned int n, points = 0, fired = 0, misses = 0;
	struct scenario sc;
	long pinned_kb = 0;
	int rc;

	if (!fault_injection_ready)
		SKIP(return, "fault injection is not available");

	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
	BUFFER_SIZE = 64 * PAGE_SIZE;
	buffer = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buffer);
	memset(buffer, 1, BUFFER_SIZE);
	memfd = own_memfd(4 * PAGE_SIZE, 0);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, own_vm_pin(getpid()));

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_NE(-1, nth_fd);

	/*
	 * How many points a replay reaches varies a little: slab and
	 * preload caches refill at different moments. So the sweep goes
	 * past the count of the plain run and stops after a few replays in
	 * a row that did not reach their point.
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (n = 0; n != MAX_ITERATIONS && misses != MISSES_TO_STOP; n++) {
		unsigned int left;

		memset(&sc, 0, sizeof(sc));
		sc.fd = -1;
		sc.fault_fd = -1;
		sc.veventq_fd = -1;
		sc.access_fd = -1;
		sc.dmabuf_fd = -1;
		/* Where a kernel splat stopped the sweep, roughly */
		if (n && !(n % 250))
			ksft_print_msg("n=%u\n", n);
		ASSERT_EQ(0, arm_fail_nth(n ? n : COUNT_POINTS));
		rc = scenario_run(&sc);
		ASSERT_EQ(0, disarm_fail_nth(&left));
		if (!n && rc)
			ksft_print_msg("step %d failed: %s\n", sc.step,
				       strerror(errno));
		/* Else the check after the close would prove nothing */
		if (!n)
			pinned_kb = own_vm_pin(getpid());
		scenario_close(&sc);
		if (fail_nth_pins_released(buffer, BUFFER_SIZE) ||
		    own_vm_pin(getpid()) != 0) {
			ksft_print_msg("n=%u (step %d): pages stay pinned\n",
				       n, sc.step);
			ASSERT_TRUE(false);
		}
		if (!n) {
			ASSERT_EQ(0, rc);
			ASSERT_LT(0, pinned_kb);
			points = COUNT_POINTS - left;
		} else if (left) {
			misses += n > points;
		} else {
			misses = 0;
			fired++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	ASSERT_NE(MAX_ITERATIONS, n);
	ksft_print_msg("%u injection points (%u in the plain run), %d steps, %ld s\n",
		       fired, points, sc.step,
		       (long)(end.tv_sec - start.tv_sec));
}

TEST_HARNESS_MAIN
