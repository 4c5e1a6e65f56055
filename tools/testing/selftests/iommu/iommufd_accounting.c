// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinned-page accounting in each RLIMIT mode (issue 3: "everything unpinned
 * and unaccounted on unmap and on close"; semantics-new.md §2.1 step 8).
 *
 * VmPin in /proc/self/status is mm->pinned_vm, charged in every mode; VmLck
 * is mm->locked_vm, charged only in MM mode. CAP_IPC_LOCK is dropped so that
 * RLIMIT_MEMLOCK applies.
 */
#include "iommufd_own_utils.h"

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define BASE ((__u64)MOCK_APERTURE_START)
#define NPAGES 16

struct counts {
	long pin;
	long lck;
};

static struct counts counts_now(void)
{
	struct counts c = { own_vm_pin(getpid()), own_vm_lck(getpid()) };

	return c;
}

/* @pages more than @base, VmLck moving only in MM mode */
#define ASSERT_CHARGED(_base, _pages)                                         \
	do {                                                                  \
		struct counts __c = counts_now();                             \
		ASSERT_EQ((_base).pin + (long)(_pages) * self->pkb, __c.pin); \
		ASSERT_EQ((_base).lck + (variant->mm ? (long)(_pages) : 0) *  \
				self->pkb, __c.lck);                          \
	} while (0)

FIXTURE(accounting)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	long psz;
	long pkb;
	size_t len;
	void *anon;
	int mfd;
	struct counts base;
};

FIXTURE_VARIANT(accounting)
{
	bool set_mode;
	__u64 mm;
};

FIXTURE_VARIANT_ADD(accounting, default_mode)
{
	.set_mode = false,
};

FIXTURE_VARIANT_ADD(accounting, user_mode)
{
	.set_mode = true,
	.mm = 0,
};

FIXTURE_VARIANT_ADD(accounting, mm_mode)
{
	.set_mode = true,
	.mm = 1,
};

FIXTURE_SETUP(accounting)
{
	__u64 mode = 2;

	self->psz = own_page_size();
	self->pkb = self->psz / 1024;
	self->len = NPAGES * self->psz;
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	if (variant->set_mode)
		ASSERT_EQ(0, own_set_rlimit_mode(self->fd, variant->mm));
	ASSERT_EQ(0, own_get_rlimit_mode(self->fd, &mode));
	ASSERT_EQ(variant->mm, mode);
	ASSERT_EQ(0, own_drop_cap(CAP_IPC_LOCK));
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
				     &self->stdev_id, NULL, NULL));
	self->anon = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->anon);
	memset(self->anon, 3, self->len);
	self->mfd = own_memfd(self->len, 0);
	ASSERT_LE(0, self->mfd);
	self->base = counts_now();
	ASSERT_LE(0, self->base.pin);
	ASSERT_LE(0, self->base.lck);
}

FIXTURE_TEARDOWN(accounting)
{
	close(self->mfd);
	munmap(self->anon, self->len);
	close(self->fd);
}

TEST_F(accounting, user_va_unmap)
{
	__u64 iova = BASE;

	ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED, self->anon,
				  self->len, &iova));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_CHARGED(self->base, 0);
}

TEST_F(accounting, file_unmap)
{
	__u64 iova = BASE;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_CHARGED(self->base, 0);
}

/* COPY shares the pinned pages; they are charged once */
TEST_F(accounting, copy_unmap)
{
	__u64 iova = BASE, dst = BASE + 2 * self->len;

	ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED, self->anon,
				  self->len, &iova));
	ASSERT_EQ(0, own_copy(self->fd, self->ioas_id, self->ioas_id, FIXED,
			      iova, self->len, &dst));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->len, NULL));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, dst, self->len, NULL));
	ASSERT_CHARGED(self->base, 0);
}

/* Closing /dev/iommu with mappings in place releases everything */
TEST_F(accounting, close)
{
	__u64 iova = BASE, iova2 = BASE + 2 * self->len;

	ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED, self->anon,
				  self->len, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova2));
	ASSERT_CHARGED(self->base, 2 * NPAGES);
	ASSERT_EQ(0, close(self->fd));
	ASSERT_CHARGED(self->base, 0);
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
}

/* Without a domain nothing is pinned; the domain pins, its removal unpins */
TEST_F(accounting, deferred_pin)
{
	__u64 iova = BASE;
	__u32 ioas2 = 0, stdev2 = 0;

	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_map_user(self->fd, ioas2, FIXED, self->anon,
				  self->len, &iova));
	ASSERT_CHARGED(self->base, 0);
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, &stdev2, NULL, NULL));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_destroy(self->fd, stdev2));
	ASSERT_CHARGED(self->base, 0);
	ASSERT_EQ(0, own_unmap(self->fd, ioas2, iova, self->len, NULL));
	ASSERT_CHARGED(self->base, 0);
}

/* Destroying the fixture's mock device unpins while areas remain */
TEST_F(accounting, destroy_device)
{
	__u64 iova = BASE;

	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len, &iova));
	ASSERT_CHARGED(self->base, NPAGES);
	ASSERT_EQ(0, own_destroy(self->fd, self->stdev_id));
	ASSERT_CHARGED(self->base, 0);
	ASSERT_EQ(0, own_destroy(self->fd, self->ioas_id));
	ASSERT_CHARGED(self->base, 0);
}

/* Above RLIMIT_MEMLOCK: ENOMEM, nothing mapped, nothing charged */
TEST_F(accounting, rlimit)
{
	__u64 iova = BASE;
	__u64 unmapped = 1;

	ASSERT_EQ(0, own_set_memlock(self->len / 2));
	ASSERT_EQ(ENOMEM, own_map_user(self->fd, self->ioas_id, FIXED,
				       self->anon, self->len, &iova));
	ASSERT_CHARGED(self->base, 0);
	ASSERT_EQ(ENOMEM, own_map_file(self->fd, self->ioas_id, FIXED,
				       self->mfd, 0, self->len, &iova));
	ASSERT_CHARGED(self->base, 0);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, 0, UINT64_MAX,
			       &unmapped));
	ASSERT_EQ(0, unmapped);

	/* Within the limit works, and the next one then goes over */
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd, 0,
				  self->len / 4, &iova));
	ASSERT_CHARGED(self->base, NPAGES / 4);
	iova = BASE + self->len;
	ASSERT_EQ(ENOMEM, own_map_user(self->fd, self->ioas_id, FIXED,
				       self->anon, self->len / 2, &iova));
	ASSERT_CHARGED(self->base, NPAGES / 4);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, 0, UINT64_MAX,
			       &unmapped));
	ASSERT_EQ(self->len / 4, unmapped);
	ASSERT_CHARGED(self->base, 0);
}

/* A caller with CAP_IPC_LOCK is not held to RLIMIT_MEMLOCK */
TEST(cap_ipc_lock_exempt)
{
	long psz = own_page_size();
	size_t len = NPAGES * psz;
	__u64 iova = BASE;
	__u32 ioas_id = 0;
	void *anon;
	long pin0;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_mock_domain(fd, ioas_id, 0, NULL, NULL, NULL));
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 1, len);
	ASSERT_EQ(0, own_set_memlock(psz));
	pin0 = own_vm_pin(getpid());
	ASSERT_EQ(0, own_map_user(fd, ioas_id, FIXED, anon, len, &iova));
	ASSERT_EQ(0, own_unmap(fd, ioas_id, iova, len, NULL));
	ASSERT_EQ(pin0, own_vm_pin(getpid()));
	close(fd);
}

/* IOMMU_OPTION_RLIMIT_MODE rules */
TEST(rlimit_mode_option)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = 0,
	};
	__u64 mode = 5;
	__u32 ioas_id = 0;
	int fd;

	fd = own_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_get_rlimit_mode(fd, &mode));
	ASSERT_EQ(0, mode);
	cmd.val64 = 2;
	ASSERT_EQ(EINVAL, OWN_ERR(ioctl(fd, IOMMU_OPTION, &cmd)));
	ASSERT_EQ(0, own_set_rlimit_mode(fd, 1));
	ASSERT_EQ(0, own_get_rlimit_mode(fd, &mode));
	ASSERT_EQ(1, mode);
	ASSERT_EQ(0, own_set_rlimit_mode(fd, 0));
	ASSERT_EQ(0, own_get_rlimit_mode(fd, &mode));
	ASSERT_EQ(0, mode);

	/* Only on a context without objects */
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(EBUSY, own_set_rlimit_mode(fd, 1));
	ASSERT_EQ(0, own_destroy(fd, ioas_id));
	ASSERT_EQ(0, own_set_rlimit_mode(fd, 1));

	/* Global option: a nonzero object_id is refused */
	cmd.val64 = 0;
	cmd.object_id = 1;
	ASSERT_EQ(EOPNOTSUPP, OWN_ERR(ioctl(fd, IOMMU_OPTION, &cmd)));

	/* Setting needs CAP_SYS_RESOURCE; reading does not */
	ASSERT_EQ(0, own_drop_cap(CAP_SYS_RESOURCE));
	ASSERT_EQ(EPERM, own_set_rlimit_mode(fd, 0));
	ASSERT_EQ(0, own_get_rlimit_mode(fd, &mode));
	ASSERT_EQ(1, mode);
	close(fd);
}

TEST_HARNESS_MAIN
