// SPDX-License-Identifier: GPL-2.0-only
/*
 * One test per bug found by review of the reliability issue, each failing
 * (or crashing the kernel, which runs with panic_on_warn) before its fix:
 *
 *  - udmabuf_map_file: IOAS_MAP_FILE of a dma-buf from an exporter iommufd
 *    cannot use attached first, and the dma-buf core's mapping on our
 *    device without a DMA mask WARNed. Now EOPNOTSUPP before attaching.
 *  - copy_many_areas: IOAS_COPY over 300,000 areas asked kcalloc() for one
 *    entry per area, an allocation beyond MAX_PAGE_ORDER: WARN. Upstream
 *    6.12 returns 0.
 *  - cap_ipc_lock_user_mode: with CAP_IPC_LOCK the pins were charged to the
 *    user's locked_vm in user mode; upstream charges nothing.
 *  - invalidate_errnos: HWPT_INVALIDATE on a paging HWPT or an IOAS is
 *    EINVAL (v6.13+), and a failed copy-back of entry_num is EFAULT.
 *  - allow_iovas_touching: automatic IOVAs come from the union of allowed
 *    ranges that touch, as upstream's span walk gives them (overlapping
 *    ranges stay EINVAL, as in 6.12 and v6.19).
 *  - rlimit_mode_tombstone: IOMMU_OPTION RLIMIT_MODE counted a vDEVICE
 *    tombstone as an object (EBUSY on an otherwise empty context).
 *  - map_pins_outside_iova_lock: IOAS_MAP pinned user memory with the
 *    IOAS's iova_rwsem held for write, so a userfaultfd handler that used
 *    the same IOAS while resolving the map's fault deadlocked.
 *  - replace_after_vdevice_gone (found by iommufd_fuzz): a replace that
 *    failed made the core attach the old domain again, a nested domain on a
 *    vIOMMU whose vDEVICE for the device was gone; the mock refused and
 *    the core WARNed.
 *  - hw_queue_beyond_memlock (found by iommufd_fuzz under KASAN): a HW
 *    queue's page array was allocated for any length before the pin
 *    checked anything; a huge queue cost a vmalloc() of any size, and the
 *    OOM killer struck. Now ENOMEM when it is more than RLIMIT_MEMLOCK.
 *  - unbind_during_lookups (found by iommufd_fuzz): unbinding a device
 *    while another thread held a lookup reference on it slept for the full
 *    60 s drain timeout, because the reference was dropped with a wake-up
 *    that only reaches interruptible sleepers.
 */
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/udmabuf.h>
#include <linux/userfaultfd.h>

#include "iommufd_own_utils.h"

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)

TEST(udmabuf_map_file)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	size_t len = 4 * own_page_size();
	__u32 ioas_id = 0, stdev_id = 0;
	int fd, dev, mfd, dbuf;
	__u64 iova = MOCK_APERTURE_START;

	dev = open("/dev/udmabuf", O_RDWR);
	ASSERT_LE(0, dev);
	mfd = memfd_create("udmabuf", MFD_ALLOW_SEALING);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, len));
	ASSERT_EQ(0, fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK));
	create.memfd = mfd;
	create.size = len;
	dbuf = ioctl(dev, UDMABUF_CREATE, &create);
	ASSERT_LE(0, dbuf);

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	/* Without and with a domain to fill */
	EXPECT_EQ(EOPNOTSUPP, own_map_file(fd, ioas_id, FIXED, dbuf, 0, len,
					   &iova));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, &stdev_id, NULL, NULL));
	EXPECT_EQ(EOPNOTSUPP, own_map_file(fd, ioas_id, RW, dbuf, 0, len,
					   &iova));
	/* The memfd behind it still maps */
	EXPECT_EQ(0, own_map_file(fd, ioas_id, FIXED, mfd, 0, len, &iova));
	close(fd);
	close(dbuf);
	close(mfd);
	close(dev);
}

/* More than 4 MiB of 16-byte entries: beyond MAX_PAGE_ORDER for kmalloc */
#define COPY_AREAS 300000

/* 600,000 maps and areas: minutes under KASAN, not the default 30 s */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

TEST_F_TIMEOUT(slow, copy_many_areas, 900)
{
	long psz = own_page_size();
	__u32 src_id = 0, dst_id = 0;
	__u64 base = 1ULL << 32;
	__u64 iova, unmapped;
	void *buf;
	int fd;
	long i;

	buf = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &src_id));
	ASSERT_EQ(0, own_ioas_alloc(fd, &dst_id));
	/* No domain: nothing is pinned, each map is one area */
	for (i = 0; i != COPY_AREAS; i++) {
		iova = base + i * psz;
		ASSERT_EQ(0, own_map_user(fd, src_id, FIXED, buf, psz, &iova));
	}
	ASSERT_EQ(0, own_copy(fd, dst_id, src_id, RW, base,
			      (__u64)COPY_AREAS * psz, &iova));
	unmapped = 0;
	ASSERT_EQ(0, own_unmap(fd, dst_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ((__u64)COPY_AREAS * psz, unmapped);
	unmapped = 0;
	ASSERT_EQ(0, own_unmap(fd, src_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ((__u64)COPY_AREAS * psz, unmapped);
	close(fd);
	munmap(buf, psz);
}

/*
 * Map @len bytes of fresh memory into a mock domain in user accounting
 * mode, as a process without CAP_IPC_LOCK whose RLIMIT_MEMLOCK is @len: the
 * charge only fits if the user's locked_vm held nothing else.
 */
static int child_map_at_limit(size_t len)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		__u64 iova = MOCK_APERTURE_START;
		__u32 ioas_id = 0;
		void *buf;
		int fd;

		if (own_drop_cap(CAP_IPC_LOCK) || own_set_memlock(len))
			_exit(10);
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		fd = own_open();
		if (buf == MAP_FAILED || fd < 0 || own_ioas_alloc(fd, &ioas_id) ||
		    own_mock_domain(fd, ioas_id, 0, NULL, NULL, NULL))
			_exit(11);
		memset(buf, 1, len);
		_exit(own_map_user(fd, ioas_id, FIXED, buf, len, &iova) ? 12 :
									  0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(cap_ipc_lock_user_mode)
{
	size_t len = 16 * own_page_size();
	__u64 iova = MOCK_APERTURE_START;
	__u32 ioas_id = 0;
	long pin0;
	void *buf;
	int fd;

	/* Baseline: nothing else is charged to this user */
	ASSERT_EQ(0, child_map_at_limit(len));

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 1, len);
	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, NULL, NULL));
	pin0 = own_vm_pin(getpid());
	/* We keep CAP_IPC_LOCK: pinned, counted in pinned_vm only */
	ASSERT_EQ(0, own_map_user(fd, ioas_id, FIXED, buf, len, &iova));
	EXPECT_EQ(pin0 + (long)(len / 1024), own_vm_pin(getpid()));
	/* The same user's other process still has its whole limit */
	EXPECT_EQ(0, child_map_at_limit(len));
	ASSERT_EQ(0, own_unmap(fd, ioas_id, iova, len, NULL));
	EXPECT_EQ(pin0, own_vm_pin(getpid()));
	close(fd);
	munmap(buf, len);
}

static int hwpt_invalidate(int fd, __u32 id, struct iommu_hwpt_invalidate *cmd)
{
	cmd->size = sizeof(*cmd);
	cmd->hwpt_id = id;
	cmd->data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	cmd->entry_len = sizeof(struct iommu_hwpt_invalidate_selftest);
	return OWN_ERR(ioctl(fd, IOMMU_HWPT_INVALIDATE, cmd));
}

TEST(invalidate_errnos)
{
	struct iommu_hwpt_invalidate_selftest req = {};
	struct iommu_hwpt_invalidate cmd = {};
	struct iommu_hwpt_invalidate *ro;
	__u32 ioas_id = 0, hwpt_id = 0;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, &hwpt_id, NULL));

	cmd.data_uptr = (uintptr_t)&req;
	cmd.entry_num = 1;
	EXPECT_EQ(EINVAL, hwpt_invalidate(fd, hwpt_id, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
	cmd.entry_num = 1;
	EXPECT_EQ(EINVAL, hwpt_invalidate(fd, ioas_id, &cmd));
	cmd.entry_num = 1;
	EXPECT_EQ(ENOENT, hwpt_invalidate(fd, OWN_BAD_ID, &cmd));

	/* Readable but not writable: entry_num cannot be reported back */
	ro = mmap(NULL, own_page_size(), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = cmd;
	ro->size = sizeof(*ro);
	ro->hwpt_id = hwpt_id;
	ro->data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	ro->entry_len = sizeof(req);
	ro->entry_num = 1;
	ASSERT_EQ(0, mprotect(ro, own_page_size(), PROT_READ));
	EXPECT_EQ(EFAULT, OWN_ERR(ioctl(fd, IOMMU_HWPT_INVALIDATE, ro)));
	munmap(ro, own_page_size());
	close(fd);
}

TEST(allow_iovas_touching)
{
	struct iommu_iova_range ranges[] = {
		{ .start = 0x100000, .last = 0x1fffff },
		{ .start = 0x180000, .last = 0x2fffff },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.num_iovas = 2,
		.allowed_iovas = (uintptr_t)ranges,
	};
	size_t len = 0x180000;
	__u64 iova = 0;
	char *buf, *va;
	int fd;

	buf = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	/* A VA aligned to 4 KiB exactly: the IOVA may then start anywhere */
	va = (char *)(((uintptr_t)buf + (2 << 20) - 1) & ~((2UL << 20) - 1)) +
	     0x1000;
	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &cmd.ioas_id));
	EXPECT_EQ(EINVAL, OWN_ERR(ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd)));
	ranges[1].start = 0x200000;
	ASSERT_EQ(0, ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd));
	/* Only the union of the two has room for this */
	ASSERT_EQ(0, own_map_user(fd, cmd.ioas_id, RW, va, len, &iova));
	EXPECT_LE(0x100000, iova);
	EXPECT_GE(0x2fffff, iova + len - 1);
	close(fd);
	munmap(buf, 4 << 20);
}

TEST(rlimit_mode_tombstone)
{
	__u32 ioas_id = 0, stdev_id = 0, idev_id = 0, parent_id = 0;
	__u32 viommu_id = 0, vdev_id = 0;
	__u32 stdev2 = 0, idev2 = 0, hwpt2 = 0;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, &stdev_id, NULL,
				     &idev_id));
	ASSERT_EQ(0, own_hwpt_alloc(fd, idev_id, ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id));
	ASSERT_EQ(0, own_viommu_alloc(fd, idev_id, parent_id, &viommu_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, &stdev2, &hwpt2, &idev2));
	ASSERT_EQ(0, own_vdevice_alloc(fd, viommu_id, idev2, 3, &vdev_id));

	/* Destroying the device leaves the vDEVICE's ID as a tombstone */
	ASSERT_EQ(0, own_destroy(fd, stdev2));
	ASSERT_EQ(ENOENT, own_destroy(fd, vdev_id));
	ASSERT_EQ(0, own_destroy(fd, viommu_id));
	ASSERT_EQ(0, own_destroy(fd, parent_id));
	ASSERT_EQ(0, own_destroy(fd, stdev_id));
	ASSERT_EQ(0, own_destroy(fd, ioas_id));

	/* Nothing is left but the tombstone: the mode may change */
	EXPECT_EQ(0, own_set_rlimit_mode(fd, 1));
	EXPECT_EQ(0, own_set_rlimit_mode(fd, 0));
	close(fd);
}

struct uffd_ctx {
	int fd;
	__u32 ioas_id;
	void *va;
	size_t len;
	__u64 iova;
	int rc;
	volatile bool done;
};

/* The map that faults on userfaultfd memory */
static void *uffd_mapper(void *arg)
{
	struct uffd_ctx *c = arg;

	c->rc = own_map_user(c->fd, c->ioas_id, FIXED, c->va, c->len,
			     &c->iova);
	c->done = true;
	return NULL;
}

/* What the fault handler does meanwhile: use the same IOAS */
static void *uffd_bystander(void *arg)
{
	struct uffd_ctx *c = arg;
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges),
		.ioas_id = c->ioas_id,
	};
	__u64 iova = MOCK_APERTURE_START + (64 << 20);

	c->rc = own_map_user(c->fd, c->ioas_id, FIXED, c->va, c->len, &iova);
	if (!c->rc && ioctl(c->fd, IOMMU_IOAS_IOVA_RANGES, &ranges) &&
	    errno != EMSGSIZE)
		c->rc = errno;
	if (!c->rc)
		c->rc = own_unmap(c->fd, c->ioas_id, iova, c->len, NULL);
	c->done = true;
	return NULL;
}

static bool wait_done(volatile bool *done, int ms)
{
	while (!*done && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return *done;
}

TEST(map_pins_outside_iova_lock)
{
	size_t len = 16 * own_page_size();
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = {};
	struct uffd_ctx mapper = {}, other = {};
	pthread_t t_map, t_other;
	struct pollfd pfd;
	struct uffd_msg msg;
	bool other_done;
	__u32 ioas_id = 0;
	void *plain;
	int fd, uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	mapper.va = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mapper.va);
	reg.range.start = (uintptr_t)mapper.va;
	reg.range.len = len;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	plain = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, plain);
	memset(plain, 1, len);

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	/* A domain, so the map pins */
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, NULL, NULL));
	mapper.fd = other.fd = fd;
	mapper.ioas_id = other.ioas_id = ioas_id;
	mapper.len = other.len = len;
	mapper.iova = MOCK_APERTURE_START;
	other.va = plain;

	ASSERT_EQ(0, pthread_create(&t_map, NULL, uffd_mapper, &mapper));
	/* The mapper's pin faults and waits for us */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* Before resolving the fault, use the IOAS from another thread */
	ASSERT_EQ(0, pthread_create(&t_other, NULL, uffd_bystander, &other));
	other_done = wait_done(&other.done, 10000);
	EXPECT_FALSE(mapper.done);

	/* Resolve every fault, whatever happened, so both threads end */
	zero.range.start = (uintptr_t)mapper.va;
	zero.range.len = len;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	ASSERT_TRUE(wait_done(&mapper.done, 60000));
	pthread_join(t_map, NULL);
	ASSERT_TRUE(wait_done(&other.done, 60000));
	pthread_join(t_other, NULL);

	/* The bystander finished while the map still waited on its fault */
	EXPECT_TRUE(other_done);
	EXPECT_EQ(0, other.rc);
	EXPECT_EQ(0, mapper.rc);
	EXPECT_EQ(0, own_unmap(fd, ioas_id, MOCK_APERTURE_START, len, NULL));
	close(fd);
	close(uffd);
	munmap(mapper.va, len);
	munmap(plain, len);
}

static int nested_on_viommu(int fd, __u32 dev_id, __u32 viommu_id,
			    __u32 *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = viommu_id,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	*hwpt_id = cmd.out_hwpt_id;
	return OWN_ERR(rc);
}

TEST(replace_after_vdevice_gone)
{
	__u32 ioas_id = 0, stdev_id = 0, idev_id = 0, parent_id = 0;
	__u32 viommu1 = 0, viommu2 = 0, vdev_id = 0, nested1 = 0, nested2 = 0;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, &stdev_id, NULL,
				     &idev_id));
	ASSERT_EQ(0, own_hwpt_alloc(fd, idev_id, ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id));
	ASSERT_EQ(0, own_viommu_alloc(fd, idev_id, parent_id, &viommu1));
	ASSERT_EQ(0, own_vdevice_alloc(fd, viommu1, idev_id, 3, &vdev_id));
	ASSERT_EQ(0, nested_on_viommu(fd, idev_id, viommu1, &nested1));
	/* A second vIOMMU on which the device has no vDEVICE */
	ASSERT_EQ(0, own_viommu_alloc(fd, idev_id, parent_id, &viommu2));
	ASSERT_EQ(0, nested_on_viommu(fd, idev_id, viommu2, &nested2));

	ASSERT_EQ(0, own_mock_domain_replace(fd, stdev_id, nested1));
	ASSERT_EQ(0, own_destroy(fd, vdev_id));
	/* Refused, and the device stays where it was */
	EXPECT_EQ(ENOENT, own_mock_domain_replace(fd, stdev_id, nested2));
	EXPECT_EQ(EBUSY, own_destroy(fd, nested1));
	/* Leaving for a paging domain still works */
	EXPECT_EQ(0, own_mock_domain_replace(fd, stdev_id, parent_id));
	EXPECT_EQ(0, own_destroy(fd, nested1));
	close(fd);
}

TEST(hw_queue_beyond_memlock)
{
	__u32 ioas_id = 0, idev_id = 0, parent_id = 0, viommu_id = 0;
	__u32 queue_id = 0;
	pid_t pid;
	int status;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, NULL, &idev_id));
	ASSERT_EQ(0, own_hwpt_alloc(fd, idev_id, ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_id));
	ASSERT_EQ(0, own_viommu_alloc(fd, idev_id, parent_id, &viommu_id));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* 256 GiB of queue: a 512 MiB page array before the fix */
		if (own_drop_cap(CAP_IPC_LOCK) || own_set_memlock(1 << 20))
			_exit(10);
		_exit(own_hw_queue_alloc(fd, viommu_id, 0, MOCK_APERTURE_START,
					 1ULL << 38, &queue_id));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(ENOMEM, WEXITSTATUS(status));
	close(fd);
}

struct lookup_ctx {
	int fd;
	__u32 dev_id;
	volatile bool stop;
};

/* Look the device up again and again: GET_HW_INFO holds it meanwhile */
static void *hw_info_loop(void *arg)
{
	struct lookup_ctx *c = arg;
	__u8 data[64];

	while (!c->stop) {
		struct iommu_hw_info cmd = {
			.size = sizeof(cmd),
			.dev_id = c->dev_id,
			.data_len = sizeof(data),
			.data_uptr = (uintptr_t)data,
		};

		ioctl(c->fd, IOMMU_GET_HW_INFO, &cmd);
	}
	return NULL;
}

TEST(unbind_during_lookups)
{
	struct timespec t0, t1;
	double worst = 0;
	__u32 ioas_id = 0;
	int fd, i;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	for (i = 0; i != 40; i++) {
		struct lookup_ctx c = { .fd = fd };
		__u32 stdev_id = 0;
		pthread_t t;
		double secs;

		ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, &stdev_id, NULL,
					     &c.dev_id));
		ASSERT_EQ(0, pthread_create(&t, NULL, hw_info_loop, &c));
		usleep(2000);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_EQ(0, own_destroy(fd, stdev_id));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		c.stop = true;
		pthread_join(t, NULL);
		secs = (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs > worst)
			worst = secs;
		/* A lost wake-up sleeps until the 60 s drain timeout */
		ASSERT_GT(10.0, secs);
	}
	ksft_print_msg("slowest unbind under lookups: %.3f s\n", worst);
	close(fd);
}

TEST_HARNESS_MAIN
