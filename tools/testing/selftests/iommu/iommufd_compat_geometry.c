// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_IOMMU_GET_INFO before a device is attached reports a geometry made
 * from every IOMMU group of the system (vfio_compat.c). Runs in the
 * 'noiommu' VM boot: the Intel IOMMU off, VFIO's unsafe no-IOMMU mode on and
 * the edu device on vfio-pci, so the system has a VFIO no-IOMMU group (an
 * IOMMU group whose device has no IOMMU driver) besides the mock devices.
 *
 *  - noiommu_get_info: an unprivileged process asks; before the fix the
 *    geometry probe called the IOMMU ops of the no-IOMMU device (oops).
 *  - follows_groups: the cached geometry changes as mock devices (groups)
 *    come and go.
 *  - rate: GET_INFO calls per second with 16 mock groups (a figure only).
 */
#include <dirent.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/vfio.h>

#include "iommufd_own_utils.h"

/* A container fd whose compat IOAS has no device; -errno on failure */
static int container_open(void)
{
	__u32 ioas_id = 0;
	int fd, rc;

	fd = open("/dev/vfio/vfio", O_RDWR);
	if (fd < 0)
		return -errno;
	rc = own_ioas_alloc(fd, &ioas_id);
	if (!rc)
		rc = own_set_compat(fd, ioas_id);
	if (!rc && ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		rc = errno;
	if (rc) {
		fprintf(stderr, "# container set-up (IOAS %u): %s\n", ioas_id,
			strerror(rc));
		close(fd);
		return -rc;
	}
	return fd;
}

static __u64 last_pgsizes;

/*
 * The first IOVA range GET_INFO reports and the number of ranges; the page
 * sizes go to last_pgsizes.
 */
static int first_range(int fd, __u64 *start, __u64 *end, __u32 *nr)
{
	char buf[4096] = {};
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *cap;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	__u32 off;

	info->argsz = sizeof(buf);
	if (ioctl(fd, VFIO_IOMMU_GET_INFO, info))
		return errno;
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || info->argsz > sizeof(buf))
		return EMSGSIZE;
	last_pgsizes = info->iova_pgsizes;
	for (off = info->cap_offset; off; off = cap->next) {
		if (off + sizeof(*r) > sizeof(buf))
			return EINVAL;
		cap = (void *)buf + off;
		if (cap->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		r = (void *)cap;
		if (!r->nr_iovas)
			return ERANGE;
		*start = r->iova_ranges[0].start;
		*end = r->iova_ranges[0].end;
		*nr = r->nr_iovas;
		return 0;
	}
	return ENOENT;
}

static bool noiommu_group_exists(void)
{
	DIR *d = opendir("/dev/vfio");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = !strncmp(de->d_name, "noiommu-", 8);
	closedir(d);
	return found;
}

TEST(noiommu_get_info)
{
	pid_t pid;
	int status;

	/* The boot must have made one, or this tests nothing */
	ASSERT_TRUE(noiommu_group_exists());

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u64 start, end;
		__u32 nr;
		int fd;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		fd = container_open();
		if (fd < 0) {
			fprintf(stderr, "# container as nobody: %s\n",
				strerror(-fd));
			_exit(11);
		}
		/* Twice: measured, then from the cache */
		if (first_range(fd, &start, &end, &nr) ||
		    first_range(fd, &start, &end, &nr))
			_exit(12);
		_exit(start <= end ? 0 : 13);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST(follows_groups)
{
	__u64 start0, end0, start, end, pgsizes;
	__u32 nr0, nr, ioas_id = 0;
	int fd, mock_fd;

	fd = container_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, first_range(fd, &start0, &end0, &nr0));

	/* A mock group elsewhere narrows the report to its aperture */
	mock_fd = own_open();
	ASSERT_LE(0, mock_fd);
	ASSERT_EQ(0, own_ioas_alloc(mock_fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(mock_fd, ioas_id, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, first_range(fd, &start, &end, &nr));
	EXPECT_EQ(MOCK_APERTURE_START, start);
	EXPECT_EQ(MOCK_APERTURE_LAST, end);
	pgsizes = last_pgsizes;

	/* ... and the report widens again once the group is gone */
	close(mock_fd);
	ASSERT_EQ(0, first_range(fd, &start, &end, &nr));
	EXPECT_EQ(start0, start);
	EXPECT_EQ(end0, end);
	EXPECT_EQ(nr0, nr);

	/* A device of another page table format is seen too */
	mock_fd = own_open();
	ASSERT_LE(0, mock_fd);
	ASSERT_EQ(0, own_ioas_alloc(mock_fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(mock_fd, ioas_id,
				     MOCK_FLAGS_DEVICE_HUGE_IOVA, NULL, NULL,
				     NULL));
	ASSERT_EQ(0, first_range(fd, &start, &end, &nr));
	EXPECT_EQ(MOCK_APERTURE_START, start);
	EXPECT_EQ(MOCK_APERTURE_LAST, end);
	EXPECT_NE(pgsizes, last_pgsizes);
	close(mock_fd);
	close(fd);
}

TEST(rate)
{
	struct timespec t0, t1;
	__u64 start, end;
	__u32 nr, ioas_id = 0;
	int fd, mock_fd, i;
	double secs;

	mock_fd = own_open();
	ASSERT_LE(0, mock_fd);
	ASSERT_EQ(0, own_ioas_alloc(mock_fd, &ioas_id));
	for (i = 0; i != 16; i++)
		ASSERT_EQ(0, own_mock_domain(mock_fd, ioas_id, 0, NULL, NULL,
					     NULL));
	fd = container_open();
	ASSERT_LE(0, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i != 2000; i++)
		ASSERT_EQ(0, first_range(fd, &start, &end, &nr));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_print_msg("GET_INFO without a device, 16 mock groups: %.0f calls/s\n",
		       2000 / secs);
	close(fd);
	close(mock_fd);
}

TEST_HARNESS_MAIN
