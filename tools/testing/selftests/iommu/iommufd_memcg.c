// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd inside a memory cgroup with memory.max = 64M.
 *
 * A forked child is moved into a fresh child cgroup of the cgroup2 root
 * (mounted at /sys/fs/cgroup if it is not, +memory enabled in the root's
 * subtree_control) and creates iommufd objects without end: IOAS objects,
 * areas (one-page IOAS_MAPs at fixed IOVAs into an IOAS without a domain: no
 * pins, only the kernel's bookkeeping), paging HWPTs of a mock device (16
 * per IOAS, as adding a domain to an IOAS looks at all of its domains), or
 * all of them in turn. iommufd charges what user space makes it allocate to
 * the cgroup (GFP_KERNEL_ACCOUNT), so the loop must end with ENOMEM from an
 * ioctl.
 *
 * The child runs with oom_score_adj -1000: the cgroup's OOM killer then
 * finds no victim and the failing charge returns ENOMEM to iommufd, rather
 * than the kernel killing the child for us. A child that dies anyway, an
 * ioctl failing with anything but ENOMEM, a loop that never fails (time or
 * free system memory running out first: something is not charged) are
 * failures. While the child sits at the limit, the parent (outside the
 * cgroup) must still be able to use iommufd and memory. After the child
 * closes its /dev/iommu, memory.current must come back near where it was
 * before the loop. The figures are printed.
 *
 * The child touches no new memory once the loop runs: a page fault at the
 * limit with no OOM victim would only retry. It reports through a shared
 * mapping the parent populated before the fork.
 */
#include <signal.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/magic.h>

#include "iommufd_own_utils.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_DIR CG_ROOT "/iommufd_memcg_test"
#define CG_LIMIT (64ul << 20)

/* The loop gives up after this long, or below this much free memory */
#define LOOP_SECONDS 60
#define FREE_FLOOR (256ul << 20)

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

enum {
	KIND_IOAS,
	KIND_AREA,
	KIND_HWPT,
	NR_KINDS,
};

static const char *const kind_names[NR_KINDS] = { "IOAS", "area", "HWPT" };

/* Why the loop ended, besides an ioctl error */
enum {
	END_ERRNO = 0,
	END_TIME = 1,
	END_FREE_MEMORY = 2,
	END_SETUP = 3,
};

enum {
	ST_START,
	ST_READY,	/* child in the cgroup, fd open: memory.current base */
	ST_LOOP_DONE,	/* child at the limit */
	ST_CLOSED,	/* child closed its fd */
};

struct shared {
	atomic_int state;
	atomic_int ack;
	int end;
	int err;
	int failed_kind;
	unsigned long counts[NR_KINDS];
	double secs;
	long free_drop_kb;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cg_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? errno : 0;
}

/* A number in a cgroup file, or of "key N" lines with @key; -1 on error */
static long cg_read(const char *path, const char *key)
{
	char buf[4096], *p;
	size_t klen = key ? strlen(key) : 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!key)
		return strtol(buf, NULL, 10);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtol(p + klen + 1, NULL, 10);
	}
	return -1;
}

static long mem_current(void)
{
	return cg_read(CG_DIR "/memory.current", NULL);
}

static unsigned long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return 0;
	return (si.freeram + si.bufferram) * (unsigned long)si.mem_unit;
}

static void wait_state(struct shared *sh, int state)
{
	while (atomic_load(&sh->state) < state)
		usleep(1000);
}

static void wait_ack(struct shared *sh, int ack)
{
	while (atomic_load(&sh->ack) < ack)
		usleep(1000);
}

/* Pre-fault some stack, so that the loop's calls do not fault it in */
static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[64 * 1024];

	memset((char *)pad, 1, sizeof(pad));
}

static int hwpt_alloc(int fd, __u32 dev_id, __u32 pt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = pt_id,
	};

	return OWN_ERR(ioctl(fd, IOMMU_HWPT_ALLOC, &cmd));
}

static void child_main(struct shared *sh, unsigned int kinds, void *page)
{
	__u32 map_ioas = 0, hwpt_ioas = 0, idev = 0, id;
	unsigned long before = free_bytes(), iter, hwpts_here = 0;
	__u64 next_iova = 1ull << 32;
	long psz = own_page_size();
	__u64 start, deadline;
	int fd;

	wait_ack(sh, 1);
	touch_stack();
	if (cg_write("/proc/self/oom_score_adj", "-1000"))
		goto setup_failed;
	fd = own_open();
	if (fd < 0)
		goto setup_failed;
	if (own_ioas_alloc(fd, &map_ioas) || own_ioas_alloc(fd, &hwpt_ioas))
		goto setup_failed;
	if ((kinds & (1 << KIND_HWPT)) &&
	    own_mock_domain(fd, hwpt_ioas, 0, NULL, NULL, &idev))
		goto setup_failed;
	atomic_store(&sh->state, ST_READY);
	wait_ack(sh, 2);

	start = now_ns();
	deadline = start + LOOP_SECONDS * 1000000000ull;
	for (iter = 0;; iter++) {
		int kind = iter % NR_KINDS;
		__u64 iova = 0;
		int err;

		if (!(kinds & (1 << kind)))
			continue;
		switch (kind) {
		case KIND_IOAS:
			err = own_ioas_alloc(fd, &id);
			break;
		case KIND_AREA:
			/*
			 * Fixed IOVAs: finding a free IOVA walks the areas,
			 * which would make the loop quadratic
			 */
			iova = next_iova;
			err = own_map_user(fd, map_ioas,
					   RW | IOMMU_IOAS_MAP_FIXED_IOVA,
					   page, psz, &iova);
			next_iova += psz;
			break;
		default:
			/*
			 * An IOAS checks all its domains when one is added:
			 * spread the HWPTs, 16 per IOAS
			 */
			if (++hwpts_here == 16) {
				hwpts_here = 0;
				err = own_ioas_alloc(fd, &hwpt_ioas);
				if (err) {
					kind = KIND_IOAS;
					break;
				}
				sh->counts[KIND_IOAS]++;
			}
			err = hwpt_alloc(fd, idev, hwpt_ioas);
			break;
		}
		if (err) {
			sh->end = END_ERRNO;
			sh->err = err;
			sh->failed_kind = kind;
			break;
		}
		sh->counts[kind]++;
		if (iter % 1024)
			continue;
		if (now_ns() > deadline) {
			sh->end = END_TIME;
			break;
		}
		if (free_bytes() < FREE_FLOOR) {
			sh->end = END_FREE_MEMORY;
			break;
		}
	}
	sh->secs = (now_ns() - start) / 1e9;
	sh->free_drop_kb = ((long)before - (long)free_bytes()) / 1024;
	atomic_store(&sh->state, ST_LOOP_DONE);
	wait_ack(sh, 3);
	close(fd);
	atomic_store(&sh->state, ST_CLOSED);
	wait_ack(sh, 4);
	_exit(0);

setup_failed:
	sh->end = END_SETUP;
	sh->err = errno;
	atomic_store(&sh->state, ST_LOOP_DONE);
	_exit(3);
}

FIXTURE(memcg)
{
	struct shared *sh;
	void *page;
	pid_t child;
	bool made_dir;
};

FIXTURE_VARIANT(memcg)
{
	unsigned int kinds;
};

FIXTURE_VARIANT_ADD(memcg, ioas)
{
	.kinds = 1 << KIND_IOAS,
};

FIXTURE_VARIANT_ADD(memcg, areas)
{
	.kinds = 1 << KIND_AREA,
};

FIXTURE_VARIANT_ADD(memcg, hwpts)
{
	.kinds = 1 << KIND_HWPT,
};

FIXTURE_VARIANT_ADD(memcg, mixed)
{
	.kinds = (1 << KIND_IOAS) | (1 << KIND_AREA) | (1 << KIND_HWPT),
};

FIXTURE_SETUP(memcg)
{
	char limit[32], buf[256] = {};
	struct statfs sfs;
	int controllers;

	PAGE_SIZE = own_page_size();

	self->child = -1;
	if (statfs(CG_ROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			SKIP(return, "cannot mount cgroup2 at " CG_ROOT ": %s",
			     strerror(errno));
	}
	controllers = open(CG_ROOT "/cgroup.controllers", O_RDONLY);
	ASSERT_LE(0, controllers);
	ASSERT_LT(0, read(controllers, buf, sizeof(buf) - 1));
	close(controllers);
	if (!strstr(buf, "memory"))
		SKIP(return, "no memory controller: %s", buf);
	ASSERT_EQ(0, cg_write(CG_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CG_DIR);
	ASSERT_EQ(0, mkdir(CG_DIR, 0755));
	self->made_dir = true;
	snprintf(limit, sizeof(limit), "%lu", CG_LIMIT);
	ASSERT_EQ(0, cg_write(CG_DIR "/memory.max", limit));
	/* No swap in the test VM; if there is, keep it out of the picture */
	cg_write(CG_DIR "/memory.swap.max", "0");

	/* Populated now, before the fork: charged to us, not to the child */
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
	self->page = mmap(NULL, own_page_size(), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	memset(self->page, 0x5a, own_page_size());
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->made_dir)
		rmdir(CG_DIR);
}

/* What the parent, outside the cgroup, must still be able to do */
static int parent_healthy(void)
{
	size_t len = 1 << 20;
	__u32 ioas, stdev;
	__u64 iova = 0;
	char *big;
	int fd, rc;

	big = malloc(32 << 20);
	if (!big)
		return ENOMEM;
	memset(big, 1, 32 << 20);
	free(big);

	fd = own_open();
	if (fd < 0)
		return errno;
	big = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (big == MAP_FAILED) {
		close(fd);
		return errno;
	}
	rc = own_ioas_alloc(fd, &ioas);
	if (!rc)
		rc = own_mock_domain(fd, ioas, 0, &stdev, NULL, NULL);
	if (!rc)
		rc = own_map_user(fd, ioas, RW, big, len, &iova);
	if (!rc)
		rc = own_check_refs(fd, big, len, 1);
	if (!rc)
		rc = own_unmap(fd, ioas, iova, len, NULL);
	if (!rc)
		rc = own_destroy(fd, stdev);
	if (!rc)
		rc = own_destroy(fd, ioas);
	close(fd);
	munmap(big, len);
	return rc;
}

TEST_F_TIMEOUT(memcg, until_enomem, 180)
{
	long oom0, oom_kill0, oom, oom_kill, base, peak, after = -1;
	struct shared *sh = self->sh;
	char pid[32];
	int status, i, healthy;

	oom0 = cg_read(CG_DIR "/memory.events", "oom");
	oom_kill0 = cg_read(CG_DIR "/memory.events", "oom_kill");

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child)
		child_main(sh, variant->kinds, self->page);

	snprintf(pid, sizeof(pid), "%d", self->child);
	ASSERT_EQ(0, cg_write(CG_DIR "/cgroup.procs", pid));
	atomic_store(&sh->ack, 1);

	/* Ready, or died, or gave up in its setup */
	while (atomic_load(&sh->state) < ST_READY) {
		if (waitpid(self->child, &status, WNOHANG) == self->child) {
			self->child = -1;
			ksft_print_msg("child ended in setup: %s, end %d errno %d\n",
				       WIFSIGNALED(status) ? "killed" : "exited",
				       sh->end, sh->err);
			ASSERT_TRUE(false);
		}
		usleep(1000);
	}
	base = mem_current();
	atomic_store(&sh->ack, 2);

	while (atomic_load(&sh->state) < ST_LOOP_DONE) {
		if (waitpid(self->child, &status, WNOHANG) == self->child) {
			self->child = -1;
			oom_kill = cg_read(CG_DIR "/memory.events", "oom_kill");
			ksft_print_msg("FAIL: the child died in the loop (%s %d), oom_kill events %ld; made %lu IOAS, %lu areas, %lu HWPTs\n",
				       WIFSIGNALED(status) ? "signal" : "exit",
				       WIFSIGNALED(status) ? WTERMSIG(status) :
							     WEXITSTATUS(status),
				       oom_kill - oom_kill0,
				       sh->counts[KIND_IOAS],
				       sh->counts[KIND_AREA],
				       sh->counts[KIND_HWPT]);
			ASSERT_TRUE(false);
		}
		usleep(10000);
	}
	peak = mem_current();
	oom = cg_read(CG_DIR "/memory.events", "oom");
	oom_kill = cg_read(CG_DIR "/memory.events", "oom_kill");
	/* The child holds all it could get: others must not suffer */
	healthy = parent_healthy();
	atomic_store(&sh->ack, 3);

	wait_state(sh, ST_CLOSED);
	/* Some of it is freed after an RCU grace period */
	for (i = 0; i != 500; i++) {
		after = mem_current();
		if (after <= base + (1 << 20))
			break;
		usleep(10000);
	}
	atomic_store(&sh->ack, 4);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;

	ksft_print_msg("made %lu IOAS, %lu areas, %lu HWPTs in %.1f s; ended with %s%s%s\n",
		       sh->counts[KIND_IOAS], sh->counts[KIND_AREA],
		       sh->counts[KIND_HWPT], sh->secs,
		       sh->end == END_ERRNO ? strerrorname_np(sh->err) :
		       sh->end == END_TIME ? "the time limit" :
		       sh->end == END_FREE_MEMORY ? "system memory running low" :
						    "a setup failure",
		       sh->end == END_ERRNO ? " from a new " : "",
		       sh->end == END_ERRNO ? kind_names[sh->failed_kind] : "");
	ksft_print_msg("memory.current: %ld kB before the loop, %ld kB at the end (max %lu kB), %ld kB after close\n",
		       base / 1024, peak / 1024, CG_LIMIT / 1024, after / 1024);
	ksft_print_msg("system free memory dropped by %ld kB (roughly) during the loop; memory.events oom +%ld, oom_kill +%ld\n",
		       sh->free_drop_kb, oom - oom0, oom_kill - oom_kill0);

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(END_ERRNO, sh->end);
	ASSERT_EQ(ENOMEM, sh->err);
	ASSERT_EQ(0, oom_kill - oom_kill0);
	ASSERT_EQ(0, healthy);
	/* The loop did fill the cgroup */
	ASSERT_LT(CG_LIMIT - (8ul << 20), (unsigned long)peak);
	/* Closing gave it back: within 2 MiB, or 5% of what was used */
	ASSERT_GE(base + ((peak - base) / 20 > (2 << 20) ?
				  (peak - base) / 20 : (2 << 20)),
		  after);
}

TEST_HARNESS_MAIN
