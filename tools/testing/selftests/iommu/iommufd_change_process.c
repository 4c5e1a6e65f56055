// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_CHANGE_PROCESS (semantics-new.md §2.2).
 *
 * The /dev/iommu file is shared with a forked child, which then takes over
 * the pinned-page accounting. The effect is read from /proc/<pid>/status:
 * VmPin is mm->pinned_vm and VmLck is mm->locked_vm.
 *
 * CAP_IPC_LOCK is dropped in the fixture so that pages are charged in the
 * selected mode whether or not the kernel exempts capable callers from
 * charging altogether.
 */
#include <signal.h>
#include <sys/wait.h>

#include "iommufd_own_utils.h"

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define BASE ((__u64)MOCK_APERTURE_START)

/* A forked helper that runs commands on the shared /dev/iommu file */
struct helper {
	pid_t pid;
	int cmd_fd;
	int res_fd;
};

enum {
	HELPER_CHANGE = 'c',
	HELPER_CHANGE_RESERVED = 'r',
	HELPER_NO_MEMLOCK = 'm',
	HELPER_EXIT = 'x',
};

static void helper_loop(int fd, int in, int out)
{
	struct iommu_ioas_change_process bad = {
		.size = sizeof(bad),
		.__reserved = 1,
	};
	char c;
	int err;

	while (read(in, &c, 1) == 1) {
		switch (c) {
		case HELPER_CHANGE:
			err = own_change_process(fd);
			break;
		case HELPER_CHANGE_RESERVED:
			err = OWN_ERR(ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS,
					    &bad));
			break;
		case HELPER_NO_MEMLOCK:
			err = own_set_memlock(0);
			break;
		default:
			_exit(0);
		}
		if (write(out, &err, sizeof(err)) != sizeof(err))
			_exit(1);
	}
	_exit(0);
}

static int helper_start(struct helper *h, int fd)
{
	int cmd[2], res[2];

	if (pipe(cmd) || pipe(res))
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (!h->pid) {
		close(cmd[1]);
		close(res[0]);
		helper_loop(fd, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	h->cmd_fd = cmd[1];
	h->res_fd = res[0];
	return 0;
}

/* Run one command in the helper; its errno, or -1 if the helper died */
static int helper_run(struct helper *h, char c)
{
	int err;

	if (write(h->cmd_fd, &c, 1) != 1)
		return -1;
	if (read(h->res_fd, &err, sizeof(err)) != sizeof(err))
		return -1;
	return err;
}

static int helper_stop(struct helper *h)
{
	char c = HELPER_EXIT;
	int status;

	if (write(h->cmd_fd, &c, 1) != 1)
		kill(h->pid, SIGKILL);
	close(h->cmd_fd);
	close(h->res_fd);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(change_process)
{
	int fd;
	__u32 ioas_id;
	__u32 hwpt_id;
	long psz;
	long pkb;
	int mfd;
	void *anon;
};

FIXTURE_VARIANT(change_process)
{
	bool set_mode;
	__u64 mm;
};

/* The default accounting mode of /dev/iommu (USER) */
FIXTURE_VARIANT_ADD(change_process, default_mode)
{
	.set_mode = false,
};

FIXTURE_VARIANT_ADD(change_process, user_mode)
{
	.set_mode = true,
	.mm = 0,
};

FIXTURE_VARIANT_ADD(change_process, mm_mode)
{
	.set_mode = true,
	.mm = 1,
};

FIXTURE_SETUP(change_process)
{
	self->psz = own_page_size();
	self->pkb = self->psz / 1024;
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	if (variant->set_mode)
		ASSERT_EQ(0, own_set_rlimit_mode(self->fd, variant->mm));
	ASSERT_EQ(0, own_drop_cap(CAP_IPC_LOCK));
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, NULL,
				     &self->hwpt_id, NULL));
	self->mfd = own_memfd(4 * self->psz, 0);
	ASSERT_LE(0, self->mfd);
	self->anon = mmap(NULL, self->psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->anon);
	memset(self->anon, 1, self->psz);
}

FIXTURE_TEARDOWN(change_process)
{
	munmap(self->anon, self->psz);
	close(self->mfd);
	close(self->fd);
}

struct counts {
	long pin;
	long lck;
};

static struct counts counts_of(pid_t pid)
{
	struct counts c = { own_vm_pin(pid), own_vm_lck(pid) };

	return c;
}

#define ASSERT_COUNTS(_pid, _base, _pages, _lck_moves)                        \
	do {                                                                  \
		struct counts __c = counts_of(_pid);                          \
		ASSERT_EQ((_base).pin + (_pages) * self->pkb, __c.pin);       \
		ASSERT_EQ((_base).lck + ((_lck_moves) ? (_pages) : 0) *       \
				self->pkb, __c.lck);                          \
	} while (0)

TEST_F(change_process, reserved)
{
	struct iommu_ioas_change_process cmd = {
		.size = sizeof(cmd),
		.__reserved = 1,
	};

	ASSERT_EQ(EOPNOTSUPP, OWN_ERR(ioctl(self->fd,
					    IOMMU_IOAS_CHANGE_PROCESS, &cmd)));
	cmd.__reserved = 0x80000000;
	ASSERT_EQ(EOPNOTSUPP, OWN_ERR(ioctl(self->fd,
					    IOMMU_IOAS_CHANGE_PROCESS, &cmd)));
}

TEST_F(change_process, no_ioas)
{
	int fd = own_open();
	__u32 ioas_id = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, own_change_process(fd));
	/* An IOAS with no area, and this fixture's IOAS with no area */
	ASSERT_EQ(0, own_ioas_alloc(fd, &ioas_id));
	ASSERT_EQ(0, own_change_process(fd));
	close(fd);
	ASSERT_EQ(0, own_change_process(self->fd));
}

TEST_F(change_process, moves_to_caller)
{
	void *va = mmap(NULL, self->psz, PROT_READ, MAP_SHARED, self->mfd, 0);
	bool mm = variant->mm;
	struct counts parent0, child0;
	struct helper h;
	__u64 iova = BASE;

	parent0 = counts_of(getpid());
	ASSERT_LE(0, parent0.pin);
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);

	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_LE(0, child0.pin);

	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	ASSERT_COUNTS(h.pid, child0, 1, mm);
	/* The DMA mapping itself is untouched */
	ASSERT_NE(MAP_FAILED, va);
	ASSERT_EQ(0, own_check_refs(self->fd, va, self->psz, 1));
	ASSERT_EQ(0, own_check_map(self->fd, self->hwpt_id, iova, self->psz,
				   va));

	/* Calling it again from the owner changes nothing */
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	ASSERT_COUNTS(h.pid, child0, 1, mm);

	/* And back */
	ASSERT_EQ(0, own_change_process(self->fd));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);
	ASSERT_COUNTS(h.pid, child0, 0, mm);

	ASSERT_EQ(0, helper_stop(&h));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->psz, NULL));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	munmap(va, self->psz);
}

/* A user-VA area forbids the move; nothing changes */
TEST_F(change_process, user_va_area)
{
	bool mm = variant->mm;
	struct counts parent0, child0;
	__u64 iova = BASE, uiova = BASE + 16 * self->psz;
	struct helper h;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED, self->anon,
				  self->psz, &uiova));
	ASSERT_COUNTS(getpid(), parent0, 2, mm);

	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_EQ(EINVAL, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 2, mm);
	ASSERT_COUNTS(h.pid, child0, 0, mm);

	/* The user-VA area in another IOAS forbids it just as well */
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, uiova, self->psz,
			       NULL));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);
	{
		__u32 ioas2 = 0;

		ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
		ASSERT_EQ(0, own_map_user(self->fd, ioas2, RW, self->anon,
					  self->psz, NULL));
		ASSERT_EQ(EINVAL, helper_run(&h, HELPER_CHANGE));
		ASSERT_COUNTS(getpid(), parent0, 1, mm);
		ASSERT_COUNTS(h.pid, child0, 0, mm);
		ASSERT_EQ(0, own_destroy(self->fd, ioas2));
	}

	/* With only the memfd area left it works */
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	ASSERT_COUNTS(h.pid, child0, 1, mm);
	ASSERT_EQ(0, helper_stop(&h));
}

/* Reserved checked in the child too: nothing moves */
TEST_F(change_process, reserved_moves_nothing)
{
	bool mm = variant->mm;
	struct counts parent0, child0;
	__u64 iova = BASE;
	struct helper h;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_EQ(EOPNOTSUPP, helper_run(&h, HELPER_CHANGE_RESERVED));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);
	ASSERT_COUNTS(h.pid, child0, 0, mm);
	ASSERT_EQ(0, helper_stop(&h));
}

/* A page set shared by COPY is charged once */
TEST_F(change_process, copy_counted_once)
{
	bool mm = variant->mm;
	struct counts parent0, child0;
	__u64 iova = BASE, dst = BASE;
	struct helper h;
	__u32 ioas2 = 0;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, 2 * self->psz, &iova));
	ASSERT_EQ(0, own_copy(self->fd, ioas2, self->ioas_id, FIXED, iova,
			      2 * self->psz, &dst));
	ASSERT_COUNTS(getpid(), parent0, 2, mm);

	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	ASSERT_COUNTS(h.pid, child0, 2, mm);
	ASSERT_EQ(0, own_change_process(self->fd));
	ASSERT_COUNTS(getpid(), parent0, 2, mm);
	ASSERT_COUNTS(h.pid, child0, 0, mm);
	ASSERT_EQ(0, helper_stop(&h));
}

/* Every IOAS of the context moves */
TEST_F(change_process, two_ioas)
{
	bool mm = variant->mm;
	struct counts parent0, child0;
	__u64 iova = BASE, iova2 = BASE;
	struct helper h;
	__u32 ioas2 = 0;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, own_mock_domain(self->fd, ioas2, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, own_map_file(self->fd, ioas2, FIXED, self->mfd,
				  2 * self->psz, 2 * self->psz, &iova2));
	ASSERT_COUNTS(getpid(), parent0, 3, mm);

	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
	ASSERT_COUNTS(h.pid, child0, 3, mm);
	ASSERT_EQ(0, helper_stop(&h));
}

/* Over the caller's RLIMIT_MEMLOCK: ENOMEM, nothing changed */
TEST_F(change_process, rlimit)
{
	bool mm = variant->mm;
	struct counts parent0, child0;
	__u64 iova = BASE;
	struct helper h;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, helper_start(&h, self->fd));
	child0 = counts_of(h.pid);
	ASSERT_EQ(0, helper_run(&h, HELPER_NO_MEMLOCK));
	ASSERT_EQ(ENOMEM, helper_run(&h, HELPER_CHANGE));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);
	ASSERT_COUNTS(h.pid, child0, 0, mm);
	ASSERT_EQ(0, helper_stop(&h));

	/* The parent still owns the pages: unmapping uncharges it */
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->psz, NULL));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
}

/* The new owner exits; the mapping still unmaps and the file closes cleanly */
TEST_F(change_process, owner_exits)
{
	bool mm = variant->mm;
	struct counts parent0;
	__u64 iova = BASE;
	struct helper h;

	parent0 = counts_of(getpid());
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, helper_start(&h, self->fd));
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_EQ(0, helper_stop(&h));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);

	/* The parent takes it back from the dead owner */
	ASSERT_EQ(0, own_change_process(self->fd));
	ASSERT_COUNTS(getpid(), parent0, 1, mm);
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, iova, self->psz, NULL));
	ASSERT_COUNTS(getpid(), parent0, 0, mm);

	/* Dead owner, then close without unmapping */
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, self->psz, &iova));
	ASSERT_EQ(0, helper_start(&h, self->fd));
	ASSERT_EQ(0, helper_run(&h, HELPER_CHANGE));
	ASSERT_EQ(0, helper_stop(&h));
	ASSERT_EQ(0, close(self->fd));
	self->fd = own_open();
	ASSERT_COUNTS(getpid(), parent0, 0, mm);
}

TEST_HARNESS_MAIN
