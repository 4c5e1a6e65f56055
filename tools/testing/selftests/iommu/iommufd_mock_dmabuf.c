// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock dma-buf exporter of the iommufd test driver: IOMMU_TEST_OP_
 * DMABUF_GET returns a new dma-buf fd, IOMMU_TEST_OP_DMABUF_REVOKE revokes
 * or restores it. Mapping such a dma-buf with IOMMU_IOAS_MAP_FILE is the
 * business of the core and is not checked here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "iommufd_utils.h"

static int dmabuf_get(int fd, __u32 length, __u32 open_flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = open_flags },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int dmabuf_revoke(int fd, int dmabuf_fd, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dmabuf_fd, .revoked = revoked },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

FIXTURE(mock_dmabuf)
{
	int fd;
};

FIXTURE_SETUP(mock_dmabuf)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

FIXTURE_TEARDOWN(mock_dmabuf)
{
	close(self->fd);
}

TEST_F(mock_dmabuf, get)
{
	int dfd;

	EXPECT_ERRNO(EINVAL, dmabuf_get(self->fd, 0, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(self->fd, 512 * PAGE_SIZE + 1,
					O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, dmabuf_get(self->fd, PAGE_SIZE, O_NONBLOCK));

	/* The length is rounded up to pages; the result is the fd */
	dfd = dmabuf_get(self->fd, 1, O_CLOEXEC);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(PAGE_SIZE, lseek(dfd, 0, SEEK_END));
	close(dfd);

	dfd = dmabuf_get(self->fd, 512 * PAGE_SIZE, 0);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(0, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(512 * PAGE_SIZE, lseek(dfd, 0, SEEK_END));
	close(dfd);
}

TEST_F(mock_dmabuf, revoke)
{
	int dfd, memfd;

	dfd = dmabuf_get(self->fd, 4 * PAGE_SIZE, O_CLOEXEC);
	ASSERT_LE(0, dfd);

	ASSERT_EQ(0, dmabuf_revoke(self->fd, dfd, true));
	ASSERT_EQ(0, dmabuf_revoke(self->fd, dfd, true));
	ASSERT_EQ(0, dmabuf_revoke(self->fd, dfd, false));

	/* Not an fd, not a dma-buf */
	EXPECT_ERRNO(EBADF, dmabuf_revoke(self->fd, -1, true));
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(self->fd, self->fd, true));
	memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(self->fd, memfd, true));
	close(memfd);

	/* The dma-buf outlives the context that made it */
	close(self->fd);
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	ASSERT_EQ(0, dmabuf_revoke(self->fd, dfd, true));
	close(dfd);
}

TEST_HARNESS_MAIN
