// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE with memfd (semantics-new.md §2.1, §4.11).
 *
 * The fixture attaches a mock domain to the IOAS so that pages are pinned at
 * map time: the checks that happen when pinning (file type, file size, RLIMIT)
 * are then reported by MAP_FILE itself.
 */
#include <sys/statfs.h>
#include <linux/magic.h>

#include "iommufd_own_utils.h"

#define NPAGES 4
#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define BASE ((__u64)MOCK_APERTURE_START)

FIXTURE(map_file)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 hwpt_id;
	int mfd;
	size_t len;
	long psz;
	unsigned char *va;
};

FIXTURE_SETUP(map_file)
{
	self->psz = own_page_size();
	self->len = NPAGES * self->psz;
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
				     &self->stdev_id, &self->hwpt_id, NULL));
	self->mfd = own_memfd(self->len, 0);
	ASSERT_LE(0, self->mfd);
	self->va = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->va);
}

FIXTURE_TEARDOWN(map_file)
{
	munmap(self->va, self->len);
	if (self->mfd >= 0)
		close(self->mfd);
	close(self->fd);
}

TEST_F(map_file, fixed_iova)
{
	__u64 iova = BASE;
	__u64 unmapped = 0;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(BASE, iova);
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   self->va));
	/* One pin per mapping, seen through our own shared mapping */
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 1));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len,
			       &unmapped));
	ASSERT_EQ(self->len, unmapped);
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
	/* The IOVA range is free again */
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
}

TEST_F(map_file, auto_iova)
{
	__u64 iova = 0;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, RW, self->mfd, 0,
				  self->len, &iova));
	ASSERT_LE(BASE, iova);
	ASSERT_GE((__u64)MOCK_APERTURE_LAST, iova + self->len - 1);
	ASSERT_EQ(0, iova % self->psz);
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   self->va));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
}

/* start % PAGE_SIZE is kept in an automatically chosen IOVA */
TEST_F(map_file, subpage_start)
{
	__u64 start = MOCK_PAGE_SIZE;
	__u64 length = 2 * self->psz;
	__u64 iova = 0;

	if (self->psz <= MOCK_PAGE_SIZE)
		SKIP(return, "PAGE_SIZE is not above MOCK_PAGE_SIZE");
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, RW, self->mfd,
				  start, length, &iova));
	ASSERT_EQ(start % self->psz, iova % self->psz);
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, length,
				   self->va + start));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, length, NULL));
}

/* Read-only and write-only mappings of a memfd */
TEST_F(map_file, one_direction)
{
	__u64 iova = BASE, iova2 = BASE + 2 * self->len;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id,
				  IOMMU_IOAS_MAP_READABLE |
				  IOMMU_IOAS_MAP_FIXED_IOVA, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id,
				  IOMMU_IOAS_MAP_WRITEABLE |
				  IOMMU_IOAS_MAP_FIXED_IOVA, self->mfd, 0,
				  self->len, &iova2));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   self->va));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova2, self->len,
				   self->va));
	/* Two mappings, two pins */
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 2));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
}

/* Each step of the validation order wins over every later one */
TEST_F(map_file, validation_order)
{
	__u64 iova = BASE;

	/* 1. unknown flag, even with everything else wrong */
	ASSERT_EQ(EOPNOTSUPP, own_map_file(self->fd, OWN_BAD_ID, 1 << 3, -1,
					   0, 0, &iova));
	/* 2. iova or length >= ULONG_MAX */
	iova = UINT64_MAX;
	ASSERT_EQ(EOVERFLOW, own_map_file(self->fd, OWN_BAD_ID, FIXED, -1, 0,
					  self->len, &iova));
	iova = BASE;
	ASSERT_EQ(EOVERFLOW, own_map_file(self->fd, OWN_BAD_ID, FIXED, -1, 0,
					  UINT64_MAX, &iova));
	/* iova is checked even when it is not an input */
	iova = UINT64_MAX;
	ASSERT_EQ(EOVERFLOW, own_map_file(self->fd, OWN_BAD_ID, RW, -1, 0,
					  self->len, &iova));
	iova = BASE;
	/* 3. neither READABLE nor WRITEABLE */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, OWN_BAD_ID,
				       IOMMU_IOAS_MAP_FIXED_IOVA, -1, 0, 0,
				       &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, 0, self->mfd,
				       0, self->len, &iova));
	/* 4. IOAS lookup: a missing ID, ID 0 and an object of another type */
	ASSERT_EQ(ENOENT, own_map_file(self->fd, OWN_BAD_ID, FIXED, -1, 0, 0,
				       &iova));
	ASSERT_EQ(ENOENT, own_map_file(self->fd, 0, FIXED, self->mfd, 0,
				       self->len, &iova));
	ASSERT_EQ(ENOENT, own_map_file(self->fd, self->hwpt_id, FIXED,
				       self->mfd, 0, self->len, &iova));
	/* 5. zero length, then start + length - 1 wrapping */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED, -1, 0,
				       0, &iova));
	ASSERT_EQ(EOVERFLOW, own_map_file(self->fd, self->ioas_id, FIXED, -1,
					  UINT64_MAX - self->psz + 1,
					  2 * self->psz, &iova));
	/* 6. not an open fd */
	ASSERT_EQ(EBADF, own_map_file(self->fd, self->ioas_id, FIXED, -1, 0,
				      self->len, &iova));
	ASSERT_EQ(EBADF, own_map_file(self->fd, self->ioas_id, FIXED, 1000,
				      0, self->len, &iova));
	/* Nothing was mapped by any of the above */
	ASSERT_EQ(ENOENT, own_unmap(self->fd, self->ioas_id, BASE, self->len,
				    NULL));
}

/* A length exactly reaching the end of a 64-bit start does not wrap */
TEST_F(map_file, start_length_edge)
{
	__u64 iova = BASE;

	/* start + length - 1 == U64_MAX: no wrap, but far past the file */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, UINT64_MAX - self->psz + 1,
				       self->psz, &iova));
}

/* Only shmem or hugetlbfs backed files can be mapped */
TEST_F(map_file, not_memfd)
{
	__u64 iova = BASE;
	int pipefd[2];
	int nfd;

	nfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED, nfd, 0,
				       self->psz, &iova));
	close(nfd);

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       pipefd[0], 0, self->psz, &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       pipefd[1], 0, self->psz, &iova));
	close(pipefd[0]);
	close(pipefd[1]);

	/* /dev/iommu itself is not a memfd either */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->fd, 0, self->psz, &iova));
	ASSERT_EQ(ENOENT, own_unmap(self->fd, self->ioas_id, BASE, self->psz,
				    NULL));
}

/* A regular file on tmpfs is shmem backed, so it qualifies */
TEST_F(map_file, tmpfs_file)
{
	char path[] = "/tmp/iommufd_map_file_XXXXXX";
	__u64 iova = BASE;
	struct statfs sfs;
	void *va;
	int tfd;

	if (statfs("/tmp", &sfs) || sfs.f_type != TMPFS_MAGIC)
		SKIP(return, "/tmp is not tmpfs");
	tfd = mkstemp(path);
	ASSERT_LE(0, tfd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(tfd, self->len));
	va = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	ASSERT_NE(MAP_FAILED, va);
	memset(va, 0x5a, self->len);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, tfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   va));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	munmap(va, self->len);
	close(tfd);
}

/* The whole range must lie inside the current file size */
TEST_F(map_file, past_file_size)
{
	__u64 iova = BASE;

	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, self->len + self->psz,
				       &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, self->len, self->psz,
				       &iova));
	/* Half a page too many */
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, self->psz, self->len -
				       self->psz + MOCK_PAGE_SIZE, &iova));
	/* The last page alone is fine */
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  self->len - self->psz, self->psz, &iova));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->psz, NULL));
	/* No pin is left behind by the failed attempts */
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
}

TEST_F(map_file, truncated_memfd)
{
	__u64 iova = BASE;

	ASSERT_EQ(0, ftruncate(self->mfd, self->psz));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, 2 * self->psz, &iova));
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, self->psz, self->psz, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->psz, &iova));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->psz,
				   self->va));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->psz, NULL));
}

TEST_F(map_file, overlap_and_reserved)
{
	__u64 iova = BASE;
	__u64 resv = BASE + 64 * self->psz;

	iova = BASE + 8 * self->psz;
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  2 * self->psz, &iova));
	/* Overlapping the tail, the head, and covering the whole area */
	iova = BASE + 9 * self->psz;
	ASSERT_EQ(EEXIST, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, 2 * self->psz, &iova));
	iova = BASE + 7 * self->psz;
	ASSERT_EQ(EEXIST, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, 2 * self->psz, &iova));
	iova = BASE + 6 * self->psz;
	ASSERT_EQ(EEXIST, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, 4 * self->psz, &iova));
	/* Right next to it is free */
	iova = BASE + 6 * self->psz;
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  2 * self->psz, &iova));

	ASSERT_EQ(0, own_add_reserved(self->fd, self->ioas_id, resv,
				      self->psz));
	iova = resv - self->psz;
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, 2 * self->psz, &iova));
	iova = resv;
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, self->psz, &iova));
	/* Right after the reserved range is fine */
	iova = resv + self->psz;
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->psz, &iova));
}

TEST_F(map_file, misaligned_fixed_iova)
{
	__u64 iova = BASE + 1;

	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, self->psz, &iova));
	iova = BASE + MOCK_PAGE_SIZE / 2;
	ASSERT_EQ(EINVAL, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, self->psz, &iova));
}

/* No room for an automatic IOVA: the mock aperture is below 2 GiB */
TEST_F(map_file, no_space)
{
	__u64 big = 4ULL << 30;
	__u64 iova = 0;
	int sfd;

	sfd = memfd_create("iommufd_big", 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, ftruncate(sfd, big));
	ASSERT_EQ(ENOSPC, own_map_file(self->fd, self->ioas_id, RW, sfd, 0,
				       big, &iova));
	close(sfd);
}

/* The mapping holds its own file reference */
TEST_F(map_file, fd_closed_after_map)
{
	unsigned char *buf = malloc(self->len);
	__u64 iova = BASE;
	int access_fd = -1;
	size_t i;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, close(self->mfd));
	self->mfd = -1;

	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   self->va));

	/* Read and write the file pages through an emulated access */
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id, 0, &access_fd));
	memset(buf, 0, self->len);
	ASSERT_EQ(0, own_access_rw(self->fd, access_fd, iova, buf, self->len,
				   0));
	for (i = 0; i != self->len; i++)
		ASSERT_EQ(own_pattern(i), buf[i]);
	memset(buf, 0xa5, 100);
	ASSERT_EQ(0, own_access_rw(self->fd, access_fd, iova + 3, buf, 100,
				   MOCK_ACCESS_RW_WRITE));
	for (i = 0; i != 100; i++)
		ASSERT_EQ(0xa5, self->va[3 + i]);
	ASSERT_EQ(own_pattern(103), self->va[103]);
	close(access_fd);

	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
	free(buf);
}

/* Mapped with no domain: a domain attached later is filled from the file */
TEST_F(map_file, domain_attached_later)
{
	__u32 ioas2 = 0, hwpt2 = 0;
	__u64 iova = BASE;

	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_map_file(self->fd, ioas2, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, NULL, &hwpt2, NULL));
	ASSERT_EQ(0, own_check_map(self->fd, hwpt2, iova, self->len,
				   self->va));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 1));
	ASSERT_EQ(0, own_unmap(self->fd, ioas2, iova, self->len, NULL));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
}

/* COPY of a file area shares the pinned pages */
TEST_F(map_file, copy)
{
	__u64 iova = BASE, dst = BASE + 256 * self->psz;
	__u32 ioas2 = 0, hwpt2 = 0;

	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, NULL, &hwpt2, NULL));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(0, own_copy(self->fd, ioas2, self->ioas_id, FIXED, iova,
			      self->len, &dst));
	ASSERT_EQ(0, own_check_map(self->fd, hwpt2, dst, self->len, self->va));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 1));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_EQ(0, own_check_map(self->fd, hwpt2, dst, self->len, self->va));
	ASSERT_EQ(0, own_unmap(self->fd, ioas2, dst, self->len, NULL));
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
}

/* Unmap takes whole areas only */
TEST_F(map_file, unmap_rules)
{
	__u64 iova = BASE;
	__u64 unmapped;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(ENOENT, own_unmap(self->fd, self->ioas_id, iova, self->psz,
				    NULL));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->len,
				   self->va));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, 0, UINT64_MAX,
			       &unmapped));
	ASSERT_EQ(self->len, unmapped);
	ASSERT_EQ(0, own_check_refs(self->fd, self->va, self->len, 0));
}

/* The pages stay pinned until unmap; VmPin follows */
TEST_F(map_file, pin_count)
{
	long base = own_vm_pin(getpid());
	__u64 iova = BASE;

	ASSERT_LE(0, base);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_EQ(base + (long)self->len / 1024, own_vm_pin(getpid()));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_EQ(base, own_vm_pin(getpid()));
}

/* hugetlbfs memfd; the VM reserves 64 huge pages */
TEST(map_file_hugetlb)
{
	size_t hsz = 2 * 1024 * 1024;
	__u32 ioas_id = 0, hwpt_id = 0;
	__u64 iova = BASE;
	unsigned char *va;
	__u64 unmapped;
	long base;
	int fd, mfd;

	mfd = own_memfd(hsz, MFD_HUGETLB);
	if (mfd < 0)
		SKIP(return, "no hugetlb memfd: %s", strerror(errno));
	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, &hwpt_id, NULL));
	va = mmap(NULL, hsz, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, va);
	base = own_vm_pin(getpid());

	ASSERT_EQ(0, own_map_file(fd, ioas_id, FIXED, mfd, 0, hsz, &iova));
	ASSERT_EQ(0, own_check_map(fd, hwpt_id, iova, hsz, va));
	ASSERT_EQ(base + (long)hsz / 1024, own_vm_pin(getpid()));
	/* A sub-range in the middle of the huge page */
	iova = BASE + 4 * hsz;
	ASSERT_EQ(0, own_map_file(fd, ioas_id, FIXED, mfd, hsz / 2, 8192,
				  &iova));
	ASSERT_EQ(0, own_check_map(fd, hwpt_id, iova, 8192, va + hsz / 2));
	/* Past the end of the file */
	iova = BASE + 8 * hsz;
	ASSERT_EQ(EINVAL, own_map_file(fd, ioas_id, FIXED, mfd, 0, 2 * hsz,
				       &iova));

	ASSERT_EQ(0, own_unmap(fd, ioas_id, 0, UINT64_MAX, &unmapped));
	ASSERT_EQ(hsz + 8192, unmapped);
	ASSERT_EQ(base, own_vm_pin(getpid()));
	munmap(va, hsz);
	close(mfd);
	close(fd);
}

TEST_HARNESS_MAIN
