// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl dispatch and structure size rules for every command 0x80-0x94
 * (semantics-new.md §1.1).
 *
 * Each call goes to a fresh /dev/iommu with an all-zero body, so that the
 * result at one size can be compared with the result at another.
 */
#include "iommufd_own_utils.h"

struct cmd_desc {
	const char *name;
	unsigned int nr;
	unsigned int size;	/* kernel structure size */
	unsigned int min;	/* end of the last field of the first version */
};

#define CMD(_nr, _name, _size, _min) { #_name, _nr, _size, _min }

static const struct cmd_desc cmds[] = {
	CMD(0x80, DESTROY, 8, 8),
	CMD(0x81, IOAS_ALLOC, 12, 12),
	CMD(0x82, IOAS_ALLOW_IOVAS, 24, 24),
	CMD(0x83, IOAS_COPY, 40, 40),
	CMD(0x84, IOAS_IOVA_RANGES, 32, 32),
	CMD(0x85, IOAS_MAP, 40, 40),
	CMD(0x86, IOAS_UNMAP, 24, 24),
	CMD(0x87, OPTION, 24, 24),
	CMD(0x88, VFIO_IOAS, 12, 12),
	CMD(0x89, HWPT_ALLOC, 48, 24),
	CMD(0x8a, GET_HW_INFO, 40, 32),
	CMD(0x8b, HWPT_SET_DIRTY_TRACKING, 16, 16),
	CMD(0x8c, HWPT_GET_DIRTY_BITMAP, 48, 48),
	CMD(0x8d, HWPT_INVALIDATE, 32, 32),
	CMD(0x8e, FAULT_QUEUE_ALLOC, 16, 16),
	CMD(0x8f, IOAS_MAP_FILE, 40, 40),
	CMD(0x90, VIOMMU_ALLOC, 40, 24),
	CMD(0x91, VDEVICE_ALLOC, 24, 24),
	CMD(0x92, IOAS_CHANGE_PROCESS, 8, 8),
	CMD(0x93, VEVENTQ_ALLOC, 32, 28),
	CMD(0x94, HW_QUEUE_ALLOC, 40, 40),
};

#define NCMDS ARRAY_SIZE(cmds)
#define BUF_SIZE 128

/* The natural results of an all-zero body on a fresh context (§1.1) */
static int natural_result(unsigned int nr)
{
	switch (nr) {
	case 0x8f:
		return EINVAL;
	case 0x90:
		return EOPNOTSUPP;
	case 0x91:
		return ENOENT;
	case 0x92:
		return 0;
	}
	return -1;
}

/*
 * Issue command @nr on a fresh context with @size in the size field and an
 * otherwise zero body, except for @tail_byte at offset @tail_off if nonzero.
 * Returns 0 or the errno. Fds returned by successful allocations are closed.
 */
static int issue(unsigned int nr, unsigned int size, unsigned int tail_off,
		 unsigned char tail_byte)
{
	unsigned char buf[BUF_SIZE] __attribute__((aligned(8)));
	int fd = own_open();
	int err;

	if (fd < 0)
		return -1;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &size, sizeof(size));
	if (tail_byte)
		buf[tail_off] = tail_byte;
	err = OWN_ERR(ioctl(fd, _IO(IOMMUFD_TYPE, nr), buf));
	if (!err && nr == 0x8e) {
		struct iommu_fault_alloc *fa = (void *)buf;

		close(fa->out_fault_fd);
	}
	close(fd);
	return err;
}

TEST(ioctl_numbers)
{
	unsigned int i;

	/* The header agrees with the table: no size or direction bits */
	ASSERT_EQ(_IO(IOMMUFD_TYPE, 0x80), IOMMU_DESTROY);
	ASSERT_EQ(_IO(IOMMUFD_TYPE, 0x8f), IOMMU_IOAS_MAP_FILE);
	ASSERT_EQ(_IO(IOMMUFD_TYPE, 0x92), IOMMU_IOAS_CHANGE_PROCESS);
	ASSERT_EQ(_IO(IOMMUFD_TYPE, 0x94), IOMMU_HW_QUEUE_ALLOC);
	ASSERT_EQ(40, sizeof(struct iommu_ioas_map_file));
	ASSERT_EQ(8, sizeof(struct iommu_ioas_change_process));
	for (i = 0; i != NCMDS; i++)
		ASSERT_EQ(0x80 + i, cmds[i].nr);
}

TEST(below_minimum)
{
	unsigned int i;

	for (i = 0; i != NCMDS; i++) {
		const struct cmd_desc *c = &cmds[i];

		TH_LOG("%s size %u", c->name, c->min - 1);
		ASSERT_EQ(EINVAL, issue(c->nr, c->min - 1, 0, 0));
		ASSERT_EQ(EINVAL, issue(c->nr, 4, 0, 0));
		ASSERT_EQ(EINVAL, issue(c->nr, 0, 0, 0));
	}
}

TEST(nonzero_tail)
{
	unsigned int i;

	for (i = 0; i != NCMDS; i++) {
		const struct cmd_desc *c = &cmds[i];

		TH_LOG("%s", c->name);
		ASSERT_EQ(E2BIG, issue(c->nr, c->size + 8, c->size + 7, 1));
		ASSERT_EQ(E2BIG, issue(c->nr, c->size + 8, c->size, 0x80));
		ASSERT_EQ(E2BIG, issue(c->nr, c->size + 1, c->size, 1));
	}
}

TEST(zero_tail_same_as_exact)
{
	unsigned int i;

	for (i = 0; i != NCMDS; i++) {
		const struct cmd_desc *c = &cmds[i];
		int exact = issue(c->nr, c->size, 0, 0);

		TH_LOG("%s exact %d", c->name, exact);
		ASSERT_LE(0, exact);
		ASSERT_EQ(exact, issue(c->nr, c->size + 8, 0, 0));
		ASSERT_EQ(exact, issue(c->nr, c->size + 1, 0, 0));
		ASSERT_EQ(exact, issue(c->nr, BUF_SIZE, 0, 0));
		/* The first version's size reads the rest as zero */
		ASSERT_EQ(exact, issue(c->nr, c->min, 0, 0));
		if (natural_result(c->nr) >= 0)
			ASSERT_EQ(natural_result(c->nr), exact);
	}
}

TEST(unknown_ioctl)
{
	unsigned char buf[BUF_SIZE] = { 64 };
	unsigned int nr;
	int fd = own_open();

	ASSERT_LE(0, fd);
	for (nr = 0x95; nr != 0xa0; nr++)
		ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IO(IOMMUFD_TYPE, nr),
						buf)));
	for (nr = 0xa1; nr < 0x100; nr += 7)
		ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IO(IOMMUFD_TYPE, nr),
						buf)));
	/*
	 * Below 0x80 the ';' type belongs to VFIO (VFIO_BASE is 100), which
	 * /dev/iommu emulates; below VFIO_BASE nothing is defined.
	 */
	for (nr = 0; nr < 100; nr += 3) {
		TH_LOG("nr 0x%x", nr);
		ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IO(IOMMUFD_TYPE, nr),
						buf)));
	}
	/* A known nr with a different type or with size/direction bits */
	ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IO('x', 0x80), buf)));
	ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IOWR(IOMMUFD_TYPE, 0x80,
						  struct iommu_destroy), buf)));
	ASSERT_EQ(ENOTTY, OWN_ERR(ioctl(fd, _IOW(IOMMUFD_TYPE, 0x8f,
						 struct iommu_ioas_map_file),
					buf)));
	close(fd);
}

/* A bad user pointer for the command structure itself */
TEST(bad_pointer)
{
	int fd = own_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(EFAULT, OWN_ERR(ioctl(fd, IOMMU_IOAS_MAP_FILE, NULL)));
	ASSERT_EQ(EFAULT, OWN_ERR(ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS,
					(void *)8)));
	close(fd);
}

/* Output goes back in the smaller of the two sizes */
TEST(output_size)
{
	unsigned char buf[BUF_SIZE];
	struct iommu_ioas_alloc *alloc = (void *)buf;
	int fd = own_open();

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	alloc->size = 64;
	ASSERT_EQ(0, ioctl(fd, IOMMU_IOAS_ALLOC, buf));
	ASSERT_NE(0, alloc->out_ioas_id);
	/* Nothing was written past the kernel structure */
	for (unsigned int i = sizeof(*alloc); i != sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	close(fd);
}

TEST_HARNESS_MAIN
