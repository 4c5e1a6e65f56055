// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races between iommufd operations, run by several threads at once against
 * the mock driver. Each test races for a time budget (IOMMUFD_RACE_SECONDS,
 * default 4) or an iteration cap, whichever ends first, then checks that
 * every thread only saw the errors its operation may return while the
 * others run, and that the end state is consistent: everything unmapped and
 * destroyed, no page left pinned (MD_CHECK_REFS, VmPin of the process).
 *
 *   destroy_vs_lookup     IOMMU_DESTROY and re-creation of an ID against
 *                         threads whose ioctls look that ID up
 *   unmap_vs_access       IOAS_UNMAP against access pins and access rw
 *   unmap_vs_hw_queue     IOAS_UNMAP against HW queue alloc and destroy
 *   vdevice_vs_unbind     destroying a vDEVICE while its device goes away
 *   close_vs_ioctls       close() of /dev/iommu while threads are in ioctls
 *   event_fds_release     fault and vEVENTQ fds released with events pending
 *   map_vs_munmap         IOAS_MAP and IOAS_COPY of memory that is being
 *                         munmap()ed, replaced or mprotect()ed
 *   change_process_vs_map IOAS_CHANGE_PROCESS from a forked child and from
 *                         a thread against IOAS_MAP_FILE and IOAS_UNMAP
 *   unmap_retry           an unmap that notified an access and then fails
 *                         on its retry must leave the area usable
 *
 * Worker threads never use ASSERT_*(): they count results per errno and the
 * test thread checks the counts after joining them. Every ioctl is timed; one
 * that stays in the kernel for STALL_NS is reported by a watchdog thread
 * with its kernel stack, and fails the test. IOMMUFD_RACE_VERBOSE=1 traces
 * the teardown steps of event_fds_release.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/vfio.h>

#include "iommufd_own_utils.h"

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED (RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define BASE ((__u64)MOCK_APERTURE_START)

/* Hard bound of every test; the race budget keeps them far below */
#define RACE_TIMEOUT 60

/* ------------------------------------------------------------------------ */
/* Time budget, randomness, result counting                                 */
/* ------------------------------------------------------------------------ */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool watchdog_started;
static void *stall_watchdog(void *arg);

struct budget {
	__u64 end_ns;
	unsigned long max_iters;
};

static void budget_init(struct budget *b, unsigned long max_iters)
{
	const char *env = getenv("IOMMUFD_RACE_SECONDS");
	double secs = env ? atof(env) : 4.0;

	if (secs <= 0 || secs > RACE_TIMEOUT / 2)
		secs = 4.0;
	b->end_ns = now_ns() + (__u64)(secs * 1e9);
	b->max_iters = max_iters;
	if (!watchdog_started) {
		pthread_t t;

		watchdog_started = !pthread_create(&t, NULL, stall_watchdog,
						   NULL);
	}
}

static bool budget_over(const struct budget *b, unsigned long iter)
{
	return iter >= b->max_iters || now_ns() >= b->end_ns;
}

/* xorshift32, one state per thread */
static unsigned int rnd(unsigned int *s)
{
	unsigned int x = *s ? *s : 0x9e3779b9;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static unsigned int seed_of(unsigned int salt)
{
	return (unsigned int)now_ns() ^ (salt * 0x85ebca6b) ^ getpid();
}

/* Burn a short random time, to shift where two threads meet */
static void spin(unsigned int *s, unsigned int max)
{
	volatile unsigned int i;
	unsigned int n = max ? rnd(s) % max : 0;

	for (i = 0; i < n; i++)
		;
}

#define EB(e) ((unsigned __int128)1 << (e))
#define NERR 128

/* An ioctl in flight this long is reported, with its kernel stack */
#define STALL_NS (10ull * 1000000000ull)

/*
 * What one operation of one thread returned. Only the owning thread writes
 * the counts; the test thread reads them after the join. The watchdog
 * thread reads @since_ns and @tid to find ioctls that hang.
 */
struct op_stats {
	const char *name;
	unsigned __int128 allowed;
	unsigned long ok;
	unsigned long errs[NERR];
	unsigned long bad;
	int first_bad;
	__u64 max_ns;
	atomic_ullong since_ns;
	atomic_int tid;
	bool stall_reported;
};

#define MAX_OPS 64
static struct op_stats *op_registry[MAX_OPS];
static atomic_int op_registered;

static void op_init(struct op_stats *st, const char *name,
		    unsigned __int128 allowed)
{
	int i;

	memset(st, 0, sizeof(*st));
	st->name = name;
	st->allowed = allowed;
	for (i = 0; i != atomic_load(&op_registered); i++)
		if (op_registry[i] == st)
			return;
	i = atomic_fetch_add(&op_registered, 1);
	if (i < MAX_OPS)
		op_registry[i] = st;
}

/* Record @err (0 or a positive errno); true if it was 0 */
static bool op_done(struct op_stats *st, int err)
{
	if (!err) {
		st->ok++;
		return true;
	}
	if (err > 0 && err < NERR) {
		st->errs[err]++;
		if (st->allowed & EB(err))
			return false;
	}
	if (!st->bad++)
		st->first_bad = err;
	return false;
}

static __u64 now_ns(void);

static void op_begin(struct op_stats *st)
{
	atomic_store(&st->tid, gettid());
	atomic_store(&st->since_ns, now_ns());
}

static bool op_end(struct op_stats *st, int err)
{
	__u64 d = now_ns() - atomic_load(&st->since_ns);

	atomic_store(&st->since_ns, 0);
	if (d > st->max_ns)
		st->max_ns = d;
	return op_done(st, err);
}

/* Run @expr (0 or an errno) as one op of @st, timed */
#define OP(st, expr)                                                          \
	({                                                                    \
		struct op_stats *__st = (st);                                 \
		int __err;                                                    \
		op_begin(__st);                                               \
		__err = (expr);                                               \
		op_end(__st, __err);                                          \
	})

/* Prints ioctls that do not come back, with where they sit in the kernel */
static void *stall_watchdog(void *arg)
{
	for (;;) {
		int i, n;

		sleep(1);
		n = atomic_load(&op_registered);
		for (i = 0; i < n && i < MAX_OPS; i++) {
			struct op_stats *st = op_registry[i];
			__u64 since = atomic_load(&st->since_ns);
			char path[64], line[256];
			FILE *f;

			if (!since || st->stall_reported ||
			    now_ns() - since < STALL_NS)
				continue;
			st->stall_reported = true;
			ksft_print_msg("STALL: '%s' has been in the kernel for %llu s (thread %d), stack:\n",
				       st->name,
				       (now_ns() - since) / 1000000000ull,
				       atomic_load(&st->tid));
			snprintf(path, sizeof(path), "/proc/self/task/%d/stack",
				 atomic_load(&st->tid));
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				ksft_print_msg("STALL:   %s", line);
			if (f)
				fclose(f);
		}
	}
	return NULL;
}

static unsigned long op_count(const struct op_stats *st, int err)
{
	return err ? st->errs[err] : st->ok;
}

static void op_print(const struct op_stats *st)
{
	char line[512];
	int len, e;

	len = snprintf(line, sizeof(line), "%-22s ok %lu", st->name, st->ok);
	for (e = 1; e < NERR && len < (int)sizeof(line) - 80; e++) {
		if (st->errs[e])
			len += snprintf(line + len, sizeof(line) - len,
					", %s %lu", strerrorname_np(e) ?: "?",
					st->errs[e]);
	}
	if (st->max_ns)
		len += snprintf(line + len, sizeof(line) - len,
				" (slowest %.1f ms)", st->max_ns / 1e6);
	if (st->bad)
		len += snprintf(line + len, sizeof(line) - len,
				"  <-- %lu unexpected, first %d (%s)", st->bad,
				st->first_bad, strerror(st->first_bad));
	if (st->max_ns >= STALL_NS)
		snprintf(line + len, sizeof(line) - len, "  <-- STALLED");
	ksft_print_msg("  %s\n", line);
}

/* Print every op; ASSERT that none saw an unexpected result or stalled */
#define CHECK_OPS(_ops, _n)                                                   \
	do {                                                                  \
		unsigned long __bad = 0, __stalled = 0;                       \
		int __i;                                                      \
		for (__i = 0; __i != (_n); __i++) {                           \
			op_print(&(_ops)[__i]);                               \
			__bad += (_ops)[__i].bad;                             \
			__stalled += (_ops)[__i].max_ns >= STALL_NS;          \
		}                                                             \
		ASSERT_EQ(0, __bad);                                          \
		ASSERT_EQ(0, __stalled);                                      \
	} while (0)

/* ------------------------------------------------------------------------ */
/* ioctl wrappers not in iommufd_own_utils.h; each returns 0 or the errno   */
/* ------------------------------------------------------------------------ */

static int iova_ranges(int fd, __u32 ioas_id)
{
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return OWN_ERR(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
}

static int ioas_huge_pages(int fd, __u32 ioas_id, bool set, __u64 val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = set ? IOMMU_OPTION_OP_SET : IOMMU_OPTION_OP_GET,
		.object_id = ioas_id,
		.val64 = val,
	};

	return OWN_ERR(ioctl(fd, IOMMU_OPTION, &cmd));
}

static int unmap_all(int fd, __u32 ioas_id, __u64 *unmapped)
{
	return own_unmap(fd, ioas_id, 0, UINT64_MAX, unmapped);
}

static int hwpt_alloc_data(int fd, __u32 dev_id, __u32 pt_id, __u32 flags,
			   __u32 fault_id, __u32 *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
		.fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return OWN_ERR(rc);
}

static int hwpt_dirty_bitmap(int fd, __u32 hwpt_id, __u64 iova,
			     __u64 length, __u64 *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.iova = iova,
		.length = length,
		.page_size = MOCK_PAGE_SIZE,
		.data = (uintptr_t)bitmap,
	};

	return OWN_ERR(ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd));
}



static int viommu_invalidate_one(int fd, __u32 viommu_id, __u32 vdev_id)
{
	struct iommu_viommu_invalidate_selftest inv = {
		.vdev_id = vdev_id,
		.cache_id = 1,
	};
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = viommu_id,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
		.data_uptr = (uintptr_t)&inv,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};

	return OWN_ERR(ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd));
}

static int veventq_alloc(int fd, __u32 viommu_id, __u32 depth,
			 __u32 *veventq_id, int *veventq_fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = depth,
	};
	int rc = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		*veventq_id = cmd.out_veventq_id;
		*veventq_fd = cmd.out_veventq_fd;
	}
	return OWN_ERR(rc);
}

static int fault_alloc(int fd, __u32 *fault_id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!rc) {
		*fault_id = cmd.out_fault_id;
		*fault_fd = cmd.out_fault_fd;
	}
	return OWN_ERR(rc);
}


static int trigger_iopf(int fd, __u32 idev_id, __u32 grpid)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = idev_id,
			.pasid = 0x1,
			.grpid = grpid,
			.perm = IOMMU_PGFAULT_PERM_READ |
				IOMMU_PGFAULT_PERM_WRITE,
			.addr = 0xdeadb000,
		},
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

static int trigger_vevent(int fd, __u32 idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev_id },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

/* Pin through a mock access; uptr checks the pages behind the IOVA */
static int access_pin(int fd, int access_fd, __u64 iova, __u64 length,
		      void *uptr, __u32 *pin_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = { .iova = iova, .length = length,
				  .uptr = (uintptr_t)uptr },
	};
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		*pin_id = cmd.access_pages.out_access_pages_id;
	return OWN_ERR(rc);
}

static int access_unpin(int fd, int access_fd, __u32 pin_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = access_fd,
		.destroy_access_pages = { .access_pages_id = pin_id },
	};

	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}


static int vfio_unmap(int fd, __u64 iova, __u64 *size)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.iova = iova,
		.size = *size,
	};
	int rc = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);

	if (!rc)
		*size = cmd.size;
	return OWN_ERR(rc);
}

/* VmPin settles when the last reference of a context is dropped */
static long vm_pin_settled(long expected)
{
	long pin = own_vm_pin(getpid());
	int i;

	for (i = 0; i != 100 && pin != expected; i++) {
		usleep(10000);
		pin = own_vm_pin(getpid());
	}
	return pin;
}

static void *map_buffer(size_t size)
{
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i != size; i++)
		p[i] = own_pattern(i);
	return p;
}

struct worker {
	pthread_t thread;
	struct op_stats ops[4];
	unsigned int seed;
	void *ctx;
};

static atomic_int race_stop;

/* iommufd_utils.h's helpers read it */
static void __attribute__((constructor)) races_init(void)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
}

static int start_worker(struct worker *w, void *(*fn)(void *), void *ctx,
			unsigned int salt)
{
	w->seed = seed_of(salt);
	w->ctx = ctx;
	return pthread_create(&w->thread, NULL, fn, w);
}


/* ------------------------------------------------------------------------ */
/* a. IOMMU_DESTROY and re-creation against lookups of the same ID          */
/* ------------------------------------------------------------------------ */

FIXTURE(destroy_lookup)
{
	int fd;
	long psz;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	void *buf;
	size_t size;
	long pin0;
	/* The ID that is destroyed and re-created */
	atomic_uint cur;
};

FIXTURE_VARIANT(destroy_lookup)
{
	/* false: the ID is an IOAS; true: a paging HWPT of a mock device */
	bool hwpt;
};

FIXTURE_VARIANT_ADD(destroy_lookup, ioas)
{
	.hwpt = false,
};

FIXTURE_VARIANT_ADD(destroy_lookup, hwpt)
{
	.hwpt = true,
};

FIXTURE_SETUP(destroy_lookup)
{
	__u32 id;

	self->psz = own_page_size();
	self->size = 16 * self->psz;
	self->buf = map_buffer(self->size);
	ASSERT_NE(NULL, self->buf);
	self->pin0 = own_vm_pin(getpid());
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	if (variant->hwpt) {
		ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
					     &self->stdev_id, NULL,
					     &self->idev_id));
		__u64 iova = BASE;

		ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED,
					  self->buf, self->size, &iova));
		ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id,
					    self->ioas_id,
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					    &id));
	} else {
		ASSERT_EQ(0, own_ioas_alloc(self->fd, &id));
	}
	atomic_store(&self->cur, id);
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(destroy_lookup)
{
	close(self->fd);
	munmap(self->buf, self->size);
}

struct lookup_ctx {
	FIXTURE_DATA(destroy_lookup) *self;
	bool hwpt;
	bool replacer;
};

static void *lookup_worker(void *arg)
{
	struct worker *w = arg;
	struct lookup_ctx *c = w->ctx;
	FIXTURE_DATA(destroy_lookup) *self = c->self;
	unsigned __int128 gone = EB(ENOENT);
	int fd = self->fd;

	if (c->hwpt) {
		op_init(&w->ops[0], "md_check_map", gone);
		op_init(&w->ops[1], "set_dirty_tracking", gone);
		op_init(&w->ops[2], "replace_to_hwpt", gone);
		op_init(&w->ops[3], "replace_back", 0);
	} else {
		op_init(&w->ops[0], "iova_ranges", gone);
		op_init(&w->ops[1], "map", gone);
		op_init(&w->ops[2], "unmap", gone);
		op_init(&w->ops[3], "option_huge_pages", gone);
	}

	while (!atomic_load(&race_stop)) {
		__u32 id = atomic_load(&self->cur);
		unsigned int r = rnd(&w->seed);

		if (c->hwpt) {
			struct iommu_hwpt_set_dirty_tracking dt = {
				.size = sizeof(dt),
				.hwpt_id = id,
				.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
			};

			switch (r % 3) {
			case 0:
				OP(&w->ops[0],
					own_check_map(fd, id, BASE, self->size,
						      self->buf));
				break;
			case 1:
				if (OP(&w->ops[1],
					    OWN_ERR(ioctl(fd,
						IOMMU_HWPT_SET_DIRTY_TRACKING,
						&dt)))) {
					dt.flags = 0;
					OP(&w->ops[1],
						OWN_ERR(ioctl(fd,
						  IOMMU_HWPT_SET_DIRTY_TRACKING,
						  &dt)));
				}
				break;
			default:
				if (!c->replacer)
					break;
				if (OP(&w->ops[2],
					    own_mock_domain_replace(
						    fd, self->stdev_id, id))) {
					spin(&w->seed, 2000);
					OP(&w->ops[3],
						own_mock_domain_replace(
							fd, self->stdev_id,
							self->ioas_id));
				}
				break;
			}
			continue;
		}

		switch (r % 3) {
		case 0:
			OP(&w->ops[0], iova_ranges(fd, id));
			break;
		case 1: {
			__u64 iova = 0;

			if (OP(&w->ops[1],
				    own_map_user(fd, id, RW,
						 self->buf + (r >> 8) % 16 *
							     self->psz,
						 self->psz, &iova)))
				OP(&w->ops[2], own_unmap(fd, id, iova,
							      self->psz,
							      NULL));
			break;
		}
		default:
			OP(&w->ops[3], ioas_huge_pages(fd, id, false, 0));
			break;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(destroy_lookup, destroy_vs_lookup, RACE_TIMEOUT)
{
	struct lookup_ctx ctx[2] = {
		{ self, variant->hwpt, true },
		{ self, variant->hwpt, false },
	};
	struct worker w[2];
	struct op_stats mine[2];
	unsigned long iter, reused = 0;
	struct budget b;
	__u32 id;
	int i;

	/* EBUSY: a lookup holds the object right now (or it is attached) */
	op_init(&mine[0], "destroy", EB(EBUSY));
	op_init(&mine[1], "re-create", 0);
	for (i = 0; i != 2; i++)
		ASSERT_EQ(0, start_worker(&w[i], lookup_worker, &ctx[i], i));

	budget_init(&b, 200000);
	for (iter = 0; !budget_over(&b, iter); iter++) {
		__u32 old = atomic_load(&self->cur);
		int rc;

		if (!OP(&mine[0], own_destroy(self->fd, old))) {
			sched_yield();
			continue;
		}
		if (variant->hwpt)
			rc = own_hwpt_alloc(self->fd, self->idev_id,
					    self->ioas_id,
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					    &id);
		else
			rc = own_ioas_alloc(self->fd, &id);
		if (!OP(&mine[1], rc))
			break;
		reused += id == old;
		atomic_store(&self->cur, id);
	}
	atomic_store(&race_stop, 1);
	for (i = 0; i != 2; i++)
		pthread_join(w[i].thread, NULL);

	ksft_print_msg("%lu destroy/re-create rounds, %lu reused the ID\n",
		       iter, reused);
	CHECK_OPS(mine, 2);
	for (i = 0; i != 2; i++)
		CHECK_OPS(w[i].ops, 4);
	/* The lookups did meet live objects */
	ASSERT_LT(0, w[0].ops[0].ok + w[1].ops[0].ok);
	ASSERT_LT(0, mine[0].ok);

	/* Everything goes, nothing stays pinned */
	id = atomic_load(&self->cur);
	if (variant->hwpt)
		ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
						     self->ioas_id));
	ASSERT_EQ(0, own_destroy(self->fd, id));
	ASSERT_EQ(ENOENT, own_destroy(self->fd, id));
	if (variant->hwpt) {
		ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE,
				       self->size, NULL));
		ASSERT_EQ(0, own_destroy(self->fd, self->stdev_id));
	}
	{
		__u64 n = 1;

		/* Whatever the lookers mapped went with their IOAS */
		ASSERT_EQ(0, unmap_all(self->fd, self->ioas_id, &n));
		ASSERT_EQ(0, n);
	}
	ASSERT_EQ(0, own_destroy(self->fd, self->ioas_id));
	ASSERT_EQ(0, own_check_refs(self->fd, self->buf, self->size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
}

/* ------------------------------------------------------------------------ */
/* b. IOAS_UNMAP against access pin and access rw                           */
/* g. IOAS_MAP and IOAS_COPY of memory being munmap()ed or mprotect()ed     */
/* ------------------------------------------------------------------------ */

FIXTURE(access_race)
{
	int fd;
	long psz;
	__u32 ioas_id;
	__u32 ioas2_id;
	long pin0;
	void *buf;
	size_t size;
	int pin_fd;
	int rw_fd;
};

FIXTURE_VARIANT(access_race)
{
	bool domain;
};

FIXTURE_VARIANT_ADD(access_race, no_domain)
{
	.domain = false,
};

FIXTURE_VARIANT_ADD(access_race, mock_domain)
{
	.domain = true,
};

FIXTURE_SETUP(access_race)
{
	self->psz = own_page_size();
	self->size = 16 * self->psz;
	self->buf = map_buffer(self->size);
	ASSERT_NE(NULL, self->buf);
	self->pin0 = own_vm_pin(getpid());
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas2_id));
	if (variant->domain) {
		ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, NULL,
					     NULL, NULL));
		ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas2_id, 0, NULL,
					     NULL, NULL));
	}
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &self->pin_fd));
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id, 0,
				       &self->rw_fd));
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(access_race)
{
	close(self->pin_fd);
	close(self->rw_fd);
	close(self->fd);
	munmap(self->buf, self->size);
}

static void *unmap_mapper(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(access_race) *self = w->ctx;
	long psz = self->psz;

	op_init(&w->ops[0], "map", 0);
	/* An access that keeps re-pinning may outlast the unmap's retries */
	op_init(&w->ops[1], "unmap", EB(EDEADLOCK));

	while (!atomic_load(&race_stop)) {
		bool two = rnd(&w->seed) & 1;
		__u64 iova = BASE;
		int tries;

		if (two) {
			__u64 iova2 = BASE + 8 * psz;

			OP(&w->ops[0],
				own_map_user(self->fd, self->ioas_id, FIXED,
					     self->buf, 8 * psz, &iova));
			OP(&w->ops[0],
				own_map_user(self->fd, self->ioas_id, FIXED,
					     self->buf + 8 * psz, 8 * psz,
					     &iova2));
		} else {
			OP(&w->ops[0],
				own_map_user(self->fd, self->ioas_id, FIXED,
					     self->buf, self->size, &iova));
		}
		spin(&w->seed, 20000);
		for (tries = 0; tries != 1000; tries++) {
			__u64 len = 0;

			if (OP(&w->ops[1],
				    own_unmap(self->fd, self->ioas_id, BASE,
					      self->size, &len))) {
				if (len != (__u64)self->size)
					OP(&w->ops[1], EMSGSIZE);
				break;
			}
		}
	}
	return NULL;
}

static void *unmap_pinner(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(access_race) *self = w->ctx;
	long psz = self->psz;

	/* EINVAL: the area is being unmapped (prevent_access) */
	op_init(&w->ops[0], "access_pin", EB(ENOENT) | EB(EINVAL));
	/* ENOENT: the unmap callback dropped the pin already */
	op_init(&w->ops[1], "access_unpin", EB(ENOENT));

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned long off = (r % 16) * psz + ((r >> 4) & 1 ? 64 : 0);
		unsigned long len = (1 + (r >> 8) % 4) * psz;
		__u32 pin = 0;

		if (off + len > self->size)
			len = self->size - off;
		if (!OP(&w->ops[0],
			     access_pin(self->fd, self->pin_fd, BASE + off, len,
					self->buf + off, &pin)))
			continue;
		spin(&w->seed, 5000);
		OP(&w->ops[1], access_unpin(self->fd, self->pin_fd, pin));
	}
	return NULL;
}

static void *unmap_rw(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(access_race) *self = w->ctx;
	unsigned char tmp[3 * 4096 + 64];
	long psz = self->psz;

	op_init(&w->ops[0], "access_rw_read", EB(ENOENT) | EB(EINVAL));
	op_init(&w->ops[1], "access_rw_write", EB(ENOENT) | EB(EINVAL));
	op_init(&w->ops[2], "rw_data_matches", 0);

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned long off = r % (self->size - 1);
		unsigned long len = 1 + (r >> 12) % (3 * psz);
		__u32 slow = (r & 1) ? MOCK_ACCESS_RW_SLOW_PATH : 0;

		if (len > sizeof(tmp))
			len = sizeof(tmp);
		if (off + len > self->size)
			len = self->size - off;
		memset(tmp, 0xee, len);
		if (!OP(&w->ops[0],
			     own_access_rw(self->fd, self->rw_fd, BASE + off,
					   tmp, len, slow)))
			continue;
		OP(&w->ops[2], memcmp(tmp, self->buf + off, len) ?
					    EILSEQ : 0);
		/* Writing back the same bytes keeps the buffer constant */
		OP(&w->ops[1],
			own_access_rw(self->fd, self->rw_fd, BASE + off, tmp,
				      len, slow | MOCK_ACCESS_RW_WRITE));
	}
	return NULL;
}

TEST_F_TIMEOUT(access_race, unmap_vs_access, RACE_TIMEOUT)
{
	void *(*fns[3])(void *) = { unmap_mapper, unmap_pinner, unmap_rw };
	struct worker w[3];
	struct budget b;
	__u64 n;
	int i;

	for (i = 0; i != 3; i++)
		ASSERT_EQ(0, start_worker(&w[i], fns[i], self, i));
	budget_init(&b, ~0ul);
	while (!budget_over(&b, 0))
		usleep(20000);
	atomic_store(&race_stop, 1);
	for (i = 0; i != 3; i++)
		pthread_join(w[i].thread, NULL);

	CHECK_OPS(w[0].ops, 2);
	CHECK_OPS(w[1].ops, 2);
	CHECK_OPS(w[2].ops, 3);
	ASSERT_LT(0, w[0].ops[1].ok);
	ASSERT_LT(0, w[1].ops[0].ok);
	ASSERT_LT(0, w[2].ops[0].ok);

	/* The mapper always finished with an unmap */
	n = 1;
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas_id, &n));
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, own_check_refs(self->fd, self->buf, self->size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
	/* Both accesses still work */
	n = BASE;
	ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED, self->buf,
				  self->size, &n));
	{
		unsigned char byte;
		__u32 pin = 0;

		ASSERT_EQ(0, access_pin(self->fd, self->pin_fd, BASE,
					self->size, self->buf, &pin));
		ASSERT_EQ(0, own_access_rw(self->fd, self->rw_fd, BASE + 5,
					   &byte, 1, 0));
		ASSERT_EQ(own_pattern(5), byte);
	}
	/* The unmap makes the access drop its pin */
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas_id, &n));
	ASSERT_EQ((__u64)self->size, n);
	ASSERT_EQ(0, own_check_refs(self->fd, self->buf, self->size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
}

#define VM_CHUNKS 8
#define VM_CHUNK_PAGES 8

struct vm_ctx {
	FIXTURE_DATA(access_race) *self;
	unsigned char *region;
	size_t region_size;
};

static void fill_chunk(unsigned char *p, size_t len, unsigned char v)
{
	memset(p, v, len);
}

static void *vm_mangler(void *arg)
{
	struct worker *w = arg;
	struct vm_ctx *c = w->ctx;
	size_t chunk = VM_CHUNK_PAGES * c->self->psz;

	op_init(&w->ops[0], "munmap+mmap", 0);
	op_init(&w->ops[1], "mprotect", 0);
	op_init(&w->ops[2], "mmap_fixed_over", 0);
	op_init(&w->ops[3], "madv_dontneed", 0);

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned char *p = c->region + (r % VM_CHUNKS) * chunk;
		void *q;

		switch ((r >> 8) % 4) {
		case 0:
			if (!OP(&w->ops[0], OWN_ERR(munmap(p, chunk))))
				break;
			spin(&w->seed, 20000);
			/* Nobody else maps in this process meanwhile */
			q = mmap(p, chunk, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_FIXED_NOREPLACE,
				 -1, 0);
			if (OP(&w->ops[0], q == MAP_FAILED ? errno :
						q != p ? EADDRINUSE : 0))
				fill_chunk(p, chunk, r >> 24);
			break;
		case 1:
			OP(&w->ops[1], OWN_ERR(mprotect(p, chunk,
							     PROT_NONE)));
			spin(&w->seed, 20000);
			OP(&w->ops[1], OWN_ERR(mprotect(p, chunk,
							     PROT_READ)));
			spin(&w->seed, 20000);
			OP(&w->ops[1],
				OWN_ERR(mprotect(p, chunk,
						 PROT_READ | PROT_WRITE)));
			break;
		case 2:
			q = mmap(p, chunk, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
					 MAP_POPULATE,
				 -1, 0);
			OP(&w->ops[2], q == MAP_FAILED ? errno :
					    q != p ? EADDRINUSE : 0);
			break;
		default:
			OP(&w->ops[3], OWN_ERR(madvise(p, chunk,
							    MADV_DONTNEED)));
			fill_chunk(p, chunk, r >> 24);
			break;
		}
		spin(&w->seed, 20000);
	}
	return NULL;
}

static void *vm_mapper(void *arg)
{
	struct worker *w = arg;
	struct vm_ctx *c = w->ctx;
	FIXTURE_DATA(access_race) *self = c->self;
	unsigned long npages = c->region_size / self->psz;

	/* EFAULT: the memory is gone, or not writable, when pinned */
	op_init(&w->ops[0], "map", EB(EFAULT));
	op_init(&w->ops[1], "access_pin", EB(EFAULT));
	op_init(&w->ops[2], "copy", 0);
	op_init(&w->ops[3], "unmap", 0);

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned long first = r % npages;
		unsigned long len = 1 + (r >> 8) % 16;
		__u32 flags = (r >> 16) & 1 ? IOMMU_IOAS_MAP_READABLE : RW;
		__u64 iova = 0, iova2 = 0;
		__u32 pin = 0;

		if (first + len > npages)
			len = npages - first;
		len *= self->psz;
		if (!OP(&w->ops[0],
			     own_map_user(self->fd, self->ioas_id, flags,
					  c->region + first * self->psz, len,
					  &iova)))
			continue;
		/* No uptr: the pages behind the VA may have changed */
		if (OP(&w->ops[1], access_pin(self->fd, self->pin_fd,
						   iova, len, NULL, &pin)))
			OP(&w->ops[1], access_unpin(self->fd,
							 self->pin_fd, pin));
		if (OP(&w->ops[2], own_copy(self->fd, self->ioas2_id,
						 self->ioas_id, flags, iova,
						 len, &iova2)))
			OP(&w->ops[3], own_unmap(self->fd, self->ioas2_id,
						      iova2, len, NULL));
		OP(&w->ops[3], own_unmap(self->fd, self->ioas_id, iova,
					      len, NULL));
	}
	return NULL;
}

TEST_F_TIMEOUT(access_race, map_vs_munmap, RACE_TIMEOUT)
{
	struct vm_ctx c = { .self = self };
	struct worker w[3];
	struct budget b;
	__u64 n;
	int i;

	c.region_size = VM_CHUNKS * VM_CHUNK_PAGES * self->psz;
	c.region = mmap(NULL, c.region_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, c.region);

	ASSERT_EQ(0, start_worker(&w[0], vm_mangler, &c, 0));
	ASSERT_EQ(0, start_worker(&w[1], vm_mapper, &c, 1));
	ASSERT_EQ(0, start_worker(&w[2], vm_mapper, &c, 2));
	budget_init(&b, ~0ul);
	while (!budget_over(&b, 0))
		usleep(20000);
	atomic_store(&race_stop, 1);
	for (i = 0; i != 3; i++)
		pthread_join(w[i].thread, NULL);

	for (i = 0; i != 3; i++)
		CHECK_OPS(w[i].ops, 4);
	ASSERT_LT(0, w[1].ops[0].ok + w[2].ops[0].ok);
	if (variant->domain)
		/* The mangler did make some maps fail */
		ksft_print_msg("maps that met a mangled range: %lu\n",
			       op_count(&w[1].ops[0], EFAULT) +
				       op_count(&w[2].ops[0], EFAULT));

	for (i = 0; i != 2; i++) {
		n = 1;
		ASSERT_EQ(0, unmap_all(self->fd,
				       i ? self->ioas2_id : self->ioas_id, &n));
		ASSERT_EQ(0, n);
	}
	ASSERT_EQ(0, own_check_refs(self->fd, c.region, c.region_size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
	munmap(c.region, c.region_size);
}

/* ------------------------------------------------------------------------ */
/* c. IOAS_UNMAP against HW queue alloc and destroy                         */
/* d. vDEVICE destroy against the destruction of its device                 */
/* ------------------------------------------------------------------------ */

FIXTURE(viommu_race)
{
	int fd;
	long psz;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 parent_id;
	__u32 viommu_id;
	long pin0;
	void *buf;
	size_t size;
	int pin_fd;
};

FIXTURE_SETUP(viommu_race)
{
	self->psz = own_page_size();
	self->size = 8 * self->psz;
	self->buf = map_buffer(self->size);
	ASSERT_NE(NULL, self->buf);
	self->pin0 = own_vm_pin(getpid());
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
				     &self->stdev_id, NULL, &self->idev_id));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_NEST_PARENT,
				    &self->parent_id));
	ASSERT_EQ(0, own_viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  &self->viommu_id));
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &self->pin_fd));
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(viommu_race)
{
	close(self->pin_fd);
	close(self->fd);
	munmap(self->buf, self->size);
}

static void *hwq_mapper(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(viommu_race) *self = w->ctx;

	op_init(&w->ops[0], "map", 0);
	/* EBUSY: a HW queue locks the area */
	op_init(&w->ops[1], "unmap", EB(EBUSY) | EB(EDEADLOCK));

	while (!atomic_load(&race_stop)) {
		__u64 iova = BASE;

		if (!OP(&w->ops[0],
			     own_map_user(self->fd, self->ioas_id, FIXED,
					  self->buf, self->size, &iova)))
			break;
		spin(&w->seed, 20000);
		/* The queue thread lets go soon; at the end it is stopped */
		while (!OP(&w->ops[1], own_unmap(self->fd, self->ioas_id,
						      BASE, self->size,
						      NULL))) {
			if (atomic_load(&race_stop) == 2)
				return NULL;
			spin(&w->seed, 5000);
		}
	}
	return NULL;
}

static void *hwq_queuer(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(viommu_race) *self = w->ctx;
	long psz = self->psz;

	/* ENOENT: nothing mapped there; EINVAL: area being unmapped */
	op_init(&w->ops[0], "hw_queue_alloc_0", EB(ENOENT) | EB(EINVAL));
	op_init(&w->ops[1], "hw_queue_alloc_1", EB(ENOENT) | EB(EINVAL));
	op_init(&w->ops[2], "hw_queue_destroy", 0);

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		__u64 iova = BASE + (r % 8) * psz;
		__u32 q0 = 0, q1 = 0;
		bool two;

		if (!OP(&w->ops[0],
			     own_hw_queue_alloc(self->fd, self->viommu_id, 0, iova,
					    psz, &q0)))
			continue;
		/* The second queue depends on the first */
		two = OP(&w->ops[1],
			      own_hw_queue_alloc(self->fd, self->viommu_id, 1,
					     BASE + ((r >> 8) % 8) * psz + 64,
					     psz - 64, &q1));
		spin(&w->seed, 20000);
		if (two)
			OP(&w->ops[2], own_destroy(self->fd, q1));
		OP(&w->ops[2], own_destroy(self->fd, q0));
	}
	return NULL;
}

static void *hwq_pinner(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(viommu_race) *self = w->ctx;
	long psz = self->psz;

	op_init(&w->ops[0], "access_pin", EB(ENOENT) | EB(EINVAL));
	op_init(&w->ops[1], "access_unpin", EB(ENOENT));

	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned long off = (r % 8) * psz;
		__u32 pin = 0;

		if (!OP(&w->ops[0],
			     access_pin(self->fd, self->pin_fd, BASE + off, psz,
					self->buf + off, &pin)))
			continue;
		spin(&w->seed, 5000);
		OP(&w->ops[1], access_unpin(self->fd, self->pin_fd, pin));
	}
	return NULL;
}

TEST_F_TIMEOUT(viommu_race, unmap_vs_hw_queue, RACE_TIMEOUT)
{
	void *(*fns[3])(void *) = { hwq_mapper, hwq_queuer, hwq_pinner };
	struct worker w[3];
	struct budget b;
	__u64 n;
	int i;

	for (i = 0; i != 3; i++)
		ASSERT_EQ(0, start_worker(&w[i], fns[i], self, i));
	budget_init(&b, ~0ul);
	while (!budget_over(&b, 0))
		usleep(20000);
	/* Queue and pin threads first, then the mapper's last unmap */
	atomic_store(&race_stop, 1);
	pthread_join(w[1].thread, NULL);
	pthread_join(w[2].thread, NULL);
	pthread_join(w[0].thread, NULL);

	CHECK_OPS(w[0].ops, 2);
	CHECK_OPS(w[1].ops, 3);
	CHECK_OPS(w[2].ops, 2);
	ASSERT_LT(0, w[1].ops[0].ok);
	ASSERT_LT(0, w[0].ops[1].ok);

	/* No queue is left: the vIOMMU goes, nothing stays pinned or locked */
	n = 1;
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas_id, &n));
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, own_check_refs(self->fd, self->buf, self->size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
	ASSERT_EQ(0, own_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, own_destroy(self->fd, self->parent_id));
}

struct unbind_ctx {
	FIXTURE_DATA(viommu_race) *self;
	atomic_uint go;
	atomic_uint done;
	__u32 vdev_id;
	__u64 virt_id;
	unsigned int delay;
	struct op_stats *vdev_destroy;
};

/* Destroys the vDEVICE of each round when told to */
static void *unbind_vdev_destroyer(void *arg)
{
	struct worker *w = arg;
	struct unbind_ctx *c = w->ctx;
	unsigned int round = 0;

	for (;;) {
		unsigned int go;

		while ((go = atomic_load(&c->go)) == round)
			;
		if (go == ~0u)
			break;
		round = go;
		spin(&w->seed, c->delay);
		if (rnd(&w->seed) & 1)
			/* A lookup of the vDEVICE through the vIOMMU first */
			viommu_invalidate_one(c->self->fd, c->self->viommu_id,
					      c->virt_id);
		OP(c->vdev_destroy, own_destroy(c->self->fd, c->vdev_id));
		atomic_store(&c->done, round);
	}
	return NULL;
}

TEST_F_TIMEOUT(viommu_race, vdevice_vs_unbind, RACE_TIMEOUT)
{
	struct unbind_ctx c = { .self = self };
	struct op_stats ops[3];
	unsigned int seed = seed_of(7);
	unsigned long iter;
	struct worker w;
	struct budget b;

	/*
	 * ENOENT: the unbind tombstoned the vDEVICE first; EBUSY: the unbind
	 * holds it while it does so
	 */
	op_init(&ops[0], "vdevice_destroy", EB(ENOENT) | EB(EBUSY));
	op_init(&ops[1], "device_destroy", 0);
	op_init(&ops[2], "all_gone_after", 0);
	c.vdev_destroy = &ops[0];
	ASSERT_EQ(0, start_worker(&w, unbind_vdev_destroyer, &c, 1));

	budget_init(&b, 20000);
	for (iter = 1; !budget_over(&b, iter); iter++) {
		__u32 stdev = 0, idev = 0, vdev = 0;
		int rc;

		ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
					     &stdev, NULL, &idev));
		c.virt_id = 0x100 + iter % 64;
		rc = own_vdevice_alloc(self->fd, self->viommu_id, idev, c.virt_id,
				   &vdev);
		ASSERT_EQ(0, rc);
		c.vdev_id = vdev;
		/* Vary which side gets ahead, by up to about a syscall */
		c.delay = rnd(&seed) % 4 ? 3000 : 0;
		atomic_store(&c.go, iter);
		spin(&seed, 3000);
		OP(&ops[1], own_destroy(self->fd, stdev));
		while (atomic_load(&c.done) != iter)
			;
		/* Either way both are gone, and the virtual ID is free */
		OP(&ops[2], own_destroy(self->fd, vdev) == ENOENT &&
				 own_destroy(self->fd, stdev) == ENOENT ?
					 0 : EEXIST);
	}
	atomic_store(&c.go, ~0u);
	pthread_join(w.thread, NULL);

	ksft_print_msg("%lu rounds: vDEVICE destroyed first %lu, tombstoned by the unbind first %lu\n",
		       iter - 1, ops[0].ok, op_count(&ops[0], ENOENT));
	CHECK_OPS(ops, 3);
	/* No vDEVICE kept its vIOMMU */
	ASSERT_EQ(0, own_destroy(self->fd, self->viommu_id));
	ASSERT_EQ(0, own_destroy(self->fd, self->parent_id));
}

/* ------------------------------------------------------------------------ */
/* e. close() of /dev/iommu while other threads are inside ioctls on it     */
/* ------------------------------------------------------------------------ */

struct close_ctx {
	int fd;
	int pin_fd;
	__u32 ioas_id;
	void *buf;
	long psz;
	atomic_int running;
};

static void *close_worker(void *arg)
{
	struct worker *w = arg;
	struct close_ctx *c = w->ctx;
	int fd = c->fd;

	/*
	 * Whatever an op meets while the others run, it ends with EBADF once
	 * the fd is closed. Nothing here creates a file descriptor, so the
	 * number cannot be reused under us. ops[0..2] count the first ioctl
	 * of each kind of step, ops[3] every follow-up ioctl.
	 */
	while (true) {
		unsigned int r = rnd(&w->seed);
		__u64 iova = 0;
		__u32 id = 0, id2 = 0;
		int rc;

		switch (r % 4) {
		case 0:
			rc = own_map_user(fd, c->ioas_id, RW,
					  c->buf + (r >> 8) % 8 * c->psz,
					  4 * c->psz, &iova);
			if (OP(&w->ops[0], rc)) {
				rc = own_unmap(fd, c->ioas_id, iova,
					       4 * c->psz, NULL);
				OP(&w->ops[3], rc);
			}
			break;
		case 1:
			rc = own_ioas_alloc(fd, &id);
			if (OP(&w->ops[1], rc)) {
				rc = own_destroy(fd, id);
				OP(&w->ops[3], rc);
			}
			break;
		case 2:
			rc = own_mock_domain(fd, c->ioas_id, 0, &id, NULL,
					     &id2);
			if (!OP(&w->ops[2], rc))
				break;
			if (r & 0x100)
				OP(&w->ops[3],
					own_hwpt_alloc(fd, id2, c->ioas_id, 0,
						       NULL));
			rc = own_destroy(fd, id);
			OP(&w->ops[3], rc);
			break;
		default:
			if (c->pin_fd < 0) {
				rc = iova_ranges(fd, c->ioas_id);
				OP(&w->ops[3], rc);
				break;
			}
			rc = access_pin(fd, c->pin_fd, BASE, c->psz, c->buf,
					&id);
			if (OP(&w->ops[3], rc)) {
				rc = access_unpin(fd, c->pin_fd, id);
				OP(&w->ops[3], rc);
			}
			break;
		}
		if (rc == EBADF)
			break;
	}
	return NULL;
}

/* Tests that make their own contexts, one or many */
FIXTURE(ctx_race)
{
	long pin0;
};

FIXTURE_SETUP(ctx_race)
{
	self->pin0 = own_vm_pin(getpid());
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(ctx_race)
{
}

TEST_F_TIMEOUT(ctx_race, close_vs_ioctls, RACE_TIMEOUT)
{
	long psz = own_page_size();
	size_t size = 16 * psz;
	void *buf = map_buffer(size);
	long pin0 = self->pin0;
	unsigned int seed = seed_of(5);
	unsigned long iter, with_access = 0;
	struct op_stats total[4];
	struct budget b;
	int i, k;

	ASSERT_NE(NULL, buf);
	op_init(&total[0], "map", 0);
	op_init(&total[1], "ioas_alloc", 0);
	op_init(&total[2], "mock_domain/hwpt", 0);
	op_init(&total[3], "other", 0);

	budget_init(&b, 2000);
	for (iter = 0; !budget_over(&b, iter); iter++) {
		struct close_ctx c = { .buf = buf, .psz = psz, .pin_fd = -1 };
		struct worker w[2];
		__u64 iova = BASE;
		__u32 pin = 0;

		c.fd = own_open();
		ASSERT_LE(0, c.fd);
		ASSERT_EQ(0, own_ioas_alloc(c.fd, &c.ioas_id));
		ASSERT_EQ(0, own_mock_domain(c.fd, c.ioas_id, 0, NULL, NULL,
					     NULL));
		ASSERT_EQ(0, own_map_user(c.fd, c.ioas_id, FIXED, buf, size,
					  &iova));
		if (rnd(&seed) & 1) {
			/* The access keeps the context alive past close() */
			ASSERT_EQ(0, own_create_access(c.fd, c.ioas_id,
					MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
					&c.pin_fd));
			ASSERT_EQ(0, access_pin(c.fd, c.pin_fd, BASE + psz,
						psz, buf + psz, &pin));
			with_access++;
		}
		for (i = 0; i != 2; i++) {
			unsigned __int128 any = EB(EBADF) | EB(ENOENT) |
						EB(EBUSY) | EB(EEXIST) |
						EB(EINVAL) | EB(EDEADLOCK);

			for (k = 0; k != 4; k++)
				op_init(&w[i].ops[k], total[k].name, any);
			ASSERT_EQ(0, start_worker(&w[i], close_worker, &c,
						  i));
		}
		usleep(rnd(&seed) % 3000);
		ASSERT_EQ(0, close(c.fd));
		for (i = 0; i != 2; i++) {
			pthread_join(w[i].thread, NULL);
			for (k = 0; k != 4; k++) {
				int e;

				total[k].ok += w[i].ops[k].ok;
				for (e = 0; e != NERR; e++)
					total[k].errs[e] += w[i].ops[k].errs[e];
				if (w[i].ops[k].bad && !total[k].bad++)
					total[k].first_bad =
						w[i].ops[k].first_bad;
			}
		}
		if (c.pin_fd >= 0)
			ASSERT_EQ(0, close(c.pin_fd));
		/* The last reference is gone: nothing stays pinned */
		ASSERT_EQ(pin0, vm_pin_settled(pin0));
	}
	ksft_print_msg("%lu contexts closed under running ioctls, %lu with an access left open\n",
		       iter, with_access);
	CHECK_OPS(total, 4);
	i = own_open();
	ASSERT_LE(0, i);
	ASSERT_EQ(0, own_check_refs(i, buf, size, 0));
	close(i);
	munmap(buf, size);
}

/* ------------------------------------------------------------------------ */
/* f. Fault and vEVENTQ fds released, objects destroyed, events pending     */
/* ------------------------------------------------------------------------ */

struct events_ctx {
	int fd;
	__u32 idev_a;
	__u32 idev_b;
	atomic_int fault_fd;
	atomic_int veventq_fd;
};

/* After the teardown: device gone, not attached, fd closed, ... */
#define EVENT_ERRS (EB(ENOENT) | EB(EBADF) | EB(EINVAL) | EB(ENODEV) | \
		    EB(EOPNOTSUPP) | EB(EBUSY))

static void *iopf_trigger(void *arg)
{
	struct worker *w = arg;
	struct events_ctx *c = w->ctx;
	__u32 grp = 0;

	op_init(&w->ops[0], "trigger_iopf", EVENT_ERRS);
	while (OP(&w->ops[0], trigger_iopf(c->fd, c->idev_a, grp++ & 0xff)) ||
	       w->ops[0].errs[EBADF] == 0)
		spin(&w->seed, 2000);
	return NULL;
}

static void *vevent_trigger(void *arg)
{
	struct worker *w = arg;
	struct events_ctx *c = w->ctx;

	op_init(&w->ops[0], "trigger_vevent", EVENT_ERRS);
	while (OP(&w->ops[0], trigger_vevent(c->fd, c->idev_b)) ||
	       w->ops[0].errs[EBADF] == 0)
		spin(&w->seed, 2000);
	return NULL;
}

/* Reads both queues and answers the faults it reads */
static void *event_reader(void *arg)
{
	struct worker *w = arg;
	struct events_ctx *c = w->ctx;
	struct iommu_hwpt_pgfault pf[4];
	char ev[256];

	op_init(&w->ops[0], "read_fault", EB(EBADF));
	/* EINVAL: the fault was answered by a detach meanwhile */
	op_init(&w->ops[1], "write_response", EB(EBADF) | EB(EINVAL) |
					      EB(ENOENT));
	op_init(&w->ops[2], "read_vevent", EB(EBADF));

	while (!atomic_load(&race_stop)) {
		int ffd = atomic_load(&c->fault_fd);
		int vfd = atomic_load(&c->veventq_fd);
		ssize_t n;
		int i;

		if (ffd >= 0) {
			n = read(ffd, pf, sizeof(pf));
			if (OP(&w->ops[0], n < 0 ? errno : 0)) {
				for (i = 0; i < n / (ssize_t)sizeof(pf[0]); i++) {
					struct iommu_hwpt_page_response resp = {
						.cookie = pf[i].cookie,
						.code = IOMMUFD_PAGE_RESP_SUCCESS,
					};

					if (rnd(&w->seed) & 1)
						continue;
					OP(&w->ops[1],
						write(ffd, &resp, sizeof(resp)) < 0 ?
							errno : 0);
				}
			}
		}
		if (vfd >= 0) {
			n = read(vfd, ev, sizeof(ev));
			OP(&w->ops[2], n < 0 ? errno : 0);
		}
		spin(&w->seed, 20000);
	}
	return NULL;
}

enum {
	STEP_CLOSE_FAULT_FD,
	STEP_DETACH_IOPF_HWPT,
	STEP_DESTROY_IOPF_HWPT,
	STEP_DESTROY_FAULT,
	STEP_DESTROY_DEV_A,
	STEP_CLOSE_VEVENTQ_FD,
	STEP_DESTROY_VEVENTQ,
	STEP_DESTROY_VDEVICE,
	STEP_DETACH_NESTED,
	STEP_DESTROY_DEV_B,
	STEP_CLOSE_FD,
	NR_STEPS,
};

static const char *const step_names[NR_STEPS] = {
	"close(fault_fd)", "detach iopf hwpt", "destroy iopf hwpt",
	"destroy fault", "destroy device A", "close(veventq_fd)",
	"destroy veventq", "destroy vdevice", "detach nested hwpt",
	"destroy device B", "close(iommufd)",
};

TEST_F_TIMEOUT(ctx_race, event_fds_release, RACE_TIMEOUT)
{
	unsigned int seed = seed_of(11);
	struct op_stats steps[NR_STEPS];
	struct op_stats total[5];
	unsigned long iter;
	struct budget b;
	int i, k;

	for (i = 0; i != NR_STEPS; i++)
		op_init(&steps[i], step_names[i],
			i == STEP_CLOSE_FAULT_FD || i == STEP_CLOSE_VEVENTQ_FD ||
					i == STEP_CLOSE_FD ?
				0 :
				EB(EBUSY) | EB(ENOENT) | EB(EBADF));
	op_init(&total[0], "trigger_iopf", EVENT_ERRS);
	op_init(&total[1], "trigger_vevent", EVENT_ERRS);
	op_init(&total[2], "read_fault", EB(EBADF));
	op_init(&total[3], "write_response", EB(EBADF) | EB(EINVAL) |
						     EB(ENOENT));
	op_init(&total[4], "read_vevent", EB(EBADF));

	budget_init(&b, 1000);
	for (iter = 0; !budget_over(&b, iter); iter++) {
		struct events_ctx c = {};
		__u32 ioas = 0, stdev_a = 0, stdev_b = 0, parent_a = 0;
		__u32 parent_b = 0, fault_id = 0, iopf_hwpt = 0, viommu = 0;
		__u32 vdev = 0, nested = 0, veventq_id = 0;
		struct op_stats *src[5];
		int fault_fd = -1, veventq_fd = -1;
		int order[NR_STEPS];
		struct worker w[3];

		c.fd = own_open();
		ASSERT_LE(0, c.fd);
		ASSERT_EQ(0, own_ioas_alloc(c.fd, &ioas));

		ASSERT_EQ(0, own_mock_domain(c.fd, ioas, 0, &stdev_a, NULL,
					     &c.idev_a));
		ASSERT_EQ(0, own_hwpt_alloc(c.fd, c.idev_a, ioas,
					    IOMMU_HWPT_ALLOC_NEST_PARENT,
					    &parent_a));
		ASSERT_EQ(0, fault_alloc(c.fd, &fault_id, &fault_fd));
		ASSERT_EQ(0, hwpt_alloc_data(c.fd, c.idev_a, parent_a,
					     IOMMU_HWPT_FAULT_ID_VALID,
					     fault_id, &iopf_hwpt));
		ASSERT_EQ(0, own_mock_domain_replace(c.fd, stdev_a,
						     iopf_hwpt));

		ASSERT_EQ(0, own_mock_domain(c.fd, ioas, 0, &stdev_b, NULL,
					     &c.idev_b));
		ASSERT_EQ(0, own_hwpt_alloc(c.fd, c.idev_b, ioas,
					    IOMMU_HWPT_ALLOC_NEST_PARENT,
					    &parent_b));
		ASSERT_EQ(0, own_viommu_alloc(c.fd, c.idev_b, parent_b, &viommu));
		ASSERT_EQ(0, own_vdevice_alloc(c.fd, viommu, c.idev_b, 0x99,
					   &vdev));
		ASSERT_EQ(0, hwpt_alloc_data(c.fd, c.idev_b, viommu, 0, 0,
					     &nested));
		ASSERT_EQ(0, own_mock_domain_replace(c.fd, stdev_b, nested));
		ASSERT_EQ(0, veventq_alloc(c.fd, viommu, 1 + rnd(&seed) % 8,
					   &veventq_id, &veventq_fd));

		/* Events waiting when the teardown starts; the count drawn once */
		k = 1 + (int)(rnd(&seed) % 6);
		for (i = 0; i != k; i++) {
			ASSERT_EQ(0, trigger_iopf(c.fd, c.idev_a, i));
			ASSERT_EQ(0, trigger_vevent(c.fd, c.idev_b));
		}
		if (rnd(&seed) & 1) {
			struct iommu_hwpt_pgfault pf;

			/* One fault read, not answered */
			ASSERT_EQ(sizeof(pf), read(fault_fd, &pf, sizeof(pf)));
		}
		atomic_store(&c.fault_fd, fault_fd);
		atomic_store(&c.veventq_fd, veventq_fd);
		atomic_store(&race_stop, 0);
		ASSERT_EQ(0, start_worker(&w[0], iopf_trigger, &c, 0));
		ASSERT_EQ(0, start_worker(&w[1], vevent_trigger, &c, 1));
		ASSERT_EQ(0, start_worker(&w[2], event_reader, &c, 2));

		for (i = 0; i != NR_STEPS; i++)
			order[i] = i;
		for (i = NR_STEPS - 1; i > 0; i--) {
			int j = rnd(&seed) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i != NR_STEPS; i++) {
			int s = order[i], rc = 0;

			spin(&seed, 30000);
			if (getenv("IOMMUFD_RACE_VERBOSE"))
				ksft_print_msg("round %lu step %s\n", iter,
					       step_names[s]);
			op_begin(&steps[s]);
			switch (s) {
			case STEP_CLOSE_FAULT_FD:
				atomic_store(&c.fault_fd, -1);
				rc = OWN_ERR(close(fault_fd));
				break;
			case STEP_DETACH_IOPF_HWPT:
				rc = own_mock_domain_replace(c.fd, stdev_a,
							     ioas);
				break;
			case STEP_DESTROY_IOPF_HWPT:
				rc = own_destroy(c.fd, iopf_hwpt);
				break;
			case STEP_DESTROY_FAULT:
				rc = own_destroy(c.fd, fault_id);
				break;
			case STEP_DESTROY_DEV_A:
				rc = own_destroy(c.fd, stdev_a);
				break;
			case STEP_CLOSE_VEVENTQ_FD:
				atomic_store(&c.veventq_fd, -1);
				rc = OWN_ERR(close(veventq_fd));
				break;
			case STEP_DESTROY_VEVENTQ:
				rc = own_destroy(c.fd, veventq_id);
				break;
			case STEP_DESTROY_VDEVICE:
				rc = own_destroy(c.fd, vdev);
				break;
			case STEP_DETACH_NESTED:
				rc = own_mock_domain_replace(c.fd, stdev_b,
							     ioas);
				break;
			case STEP_DESTROY_DEV_B:
				rc = own_destroy(c.fd, stdev_b);
				break;
			default:
				rc = OWN_ERR(close(c.fd));
				break;
			}
			op_end(&steps[s], rc);
		}
		/* The triggers stop at EBADF, the reader when told */
		pthread_join(w[0].thread, NULL);
		if (getenv("IOMMUFD_RACE_VERBOSE"))
			ksft_print_msg("round %lu joined iopf\n", iter);
		pthread_join(w[1].thread, NULL);
		if (getenv("IOMMUFD_RACE_VERBOSE"))
			ksft_print_msg("round %lu joined vevent\n", iter);
		atomic_store(&race_stop, 1);
		pthread_join(w[2].thread, NULL);

		src[0] = &w[0].ops[0];
		src[1] = &w[1].ops[0];
		src[2] = &w[2].ops[0];
		src[3] = &w[2].ops[1];
		src[4] = &w[2].ops[2];
		for (k = 0; k != 5; k++) {
			int e;

			total[k].ok += src[k]->ok;
			for (e = 0; e != NERR; e++)
				total[k].errs[e] += src[k]->errs[e];
			if (src[k]->bad && !total[k].bad++)
				total[k].first_bad = src[k]->first_bad;
		}
		ASSERT_EQ(self->pin0, vm_pin_settled(self->pin0));
	}
	ksft_print_msg("%lu contexts torn down in random order with events pending\n",
		       iter);
	CHECK_OPS(steps, NR_STEPS);
	CHECK_OPS(total, 5);
	/* Some events did meet the teardown */
	ASSERT_LT(0, total[0].ok + total[1].ok);
}

/* ------------------------------------------------------------------------ */
/* h. IOAS_CHANGE_PROCESS against IOAS_MAP_FILE and IOAS_UNMAP              */
/* ------------------------------------------------------------------------ */

#define CP_PAGES 32

/* Shared with the forked child */
struct cp_shared {
	atomic_int stop;
	atomic_int stopped;
	atomic_int cmd;
	atomic_int cmd_seq;
	atomic_int ack_seq;
	int cmd_rc;
	struct op_stats ops;
};

FIXTURE(change_race)
{
	int fd;
	long psz;
	long pkb;
	__u32 ioas_id;
	int mfd;
	long pin0;
	struct cp_shared *sh;
	pid_t child;
};

FIXTURE_SETUP(change_race)
{
	self->psz = own_page_size();
	self->pkb = self->psz / 1024;
	self->child = -1;
	ASSERT_EQ(0, own_set_memlock(RLIM_INFINITY));
	/* Charges then follow the accounting mode, capable or not */
	ASSERT_EQ(0, own_drop_cap(CAP_IPC_LOCK));
	self->pin0 = own_vm_pin(getpid());
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	/* A domain, so that maps pin and charge */
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, NULL, NULL,
				     NULL));
	self->mfd = own_memfd(CP_PAGES * self->psz, 0);
	ASSERT_LE(0, self->mfd);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(change_race)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	close(self->mfd);
	close(self->fd);
}

static void cp_child(int fd, struct cp_shared *sh)
{
	unsigned int seed = seed_of(99);
	int seq = 0;

	op_init(&sh->ops, "child change_process", 0);
	while (!atomic_load(&sh->stop)) {
		OP(&sh->ops, own_change_process(fd));
		spin(&seed, 50000);
	}
	atomic_store(&sh->stopped, 1);
	for (;;) {
		while (atomic_load(&sh->cmd_seq) == seq)
			usleep(1000);
		seq = atomic_load(&sh->cmd_seq);
		if (atomic_load(&sh->cmd) == 'x')
			_exit(0);
		sh->cmd_rc = own_change_process(fd);
		atomic_store(&sh->ack_seq, seq);
	}
}

static int cp_child_change(struct cp_shared *sh)
{
	int seq = atomic_load(&sh->cmd_seq) + 1;

	atomic_store(&sh->cmd, 'c');
	atomic_store(&sh->cmd_seq, seq);
	while (atomic_load(&sh->ack_seq) != seq)
		usleep(1000);
	return sh->cmd_rc;
}

static void *cp_mapper(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(change_race) *self = w->ctx;

	op_init(&w->ops[0], "map_file", 0);
	op_init(&w->ops[1], "unmap", 0);
	while (!atomic_load(&race_stop)) {
		unsigned int r = rnd(&w->seed);
		unsigned long first = r % CP_PAGES;
		unsigned long len = 1 + (r >> 8) % 8;
		__u64 iova = 0;

		if (first + len > CP_PAGES)
			len = CP_PAGES - first;
		if (!OP(&w->ops[0],
			     own_map_file(self->fd, self->ioas_id, RW,
					  self->mfd, first * self->psz,
					  len * self->psz, &iova)))
			continue;
		spin(&w->seed, 20000);
		OP(&w->ops[1], own_unmap(self->fd, self->ioas_id, iova,
					      len * self->psz, NULL));
	}
	return NULL;
}

static void *cp_changer(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(change_race) *self = w->ctx;

	op_init(&w->ops[0], "parent change_process", 0);
	while (!atomic_load(&race_stop)) {
		OP(&w->ops[0], own_change_process(self->fd));
		spin(&w->seed, 50000);
	}
	return NULL;
}

TEST_F_TIMEOUT(change_race, change_process_vs_map, RACE_TIMEOUT)
{
	long all = CP_PAGES * self->pkb;
	struct worker w[3];
	struct budget b;
	int status, i;
	__u64 iova;

	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child)
		cp_child(self->fd, self->sh);

	ASSERT_EQ(0, start_worker(&w[0], cp_mapper, self, 0));
	ASSERT_EQ(0, start_worker(&w[1], cp_mapper, self, 1));
	ASSERT_EQ(0, start_worker(&w[2], cp_changer, self, 2));
	budget_init(&b, ~0ul);
	while (!budget_over(&b, 0))
		usleep(20000);
	atomic_store(&self->sh->stop, 1);
	while (!atomic_load(&self->sh->stopped))
		usleep(1000);
	atomic_store(&race_stop, 1);
	for (i = 0; i != 3; i++)
		pthread_join(w[i].thread, NULL);

	op_print(&self->sh->ops);
	ASSERT_EQ(0, self->sh->ops.bad);
	CHECK_OPS(w[0].ops, 2);
	CHECK_OPS(w[1].ops, 2);
	CHECK_OPS(w[2].ops, 1);
	ASSERT_LT(0, self->sh->ops.ok);
	ASSERT_LT(0, w[0].ops[0].ok + w[1].ops[0].ok);

	/* Every charge went back to whoever held it at the unmap */
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
	ASSERT_EQ(0, own_vm_pin(self->child));

	/* And the hand-over still works both ways */
	iova = BASE;
	ASSERT_EQ(0, own_map_file(self->fd, self->ioas_id, FIXED, self->mfd,
				  0, CP_PAGES * self->psz, &iova));
	ASSERT_EQ(self->pin0 + all, own_vm_pin(getpid()));
	ASSERT_EQ(0, cp_child_change(self->sh));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
	ASSERT_EQ(all, own_vm_pin(self->child));
	ASSERT_EQ(0, own_change_process(self->fd));
	ASSERT_EQ(self->pin0 + all, own_vm_pin(getpid()));
	ASSERT_EQ(0, own_vm_pin(self->child));
	ASSERT_EQ(0, cp_child_change(self->sh));
	ASSERT_EQ(0, own_unmap(self->fd, self->ioas_id, BASE,
			       CP_PAGES * self->psz, NULL));
	ASSERT_EQ(0, own_vm_pin(self->child));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));

	atomic_store(&self->sh->cmd, 'x');
	atomic_store(&self->sh->cmd_seq, atomic_load(&self->sh->cmd_seq) + 1);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* ------------------------------------------------------------------------ */
/* i. A failed unmap retry must not leave the area refusing accesses        */
/* ------------------------------------------------------------------------ */

/* Pages of A1, each pinned on its own: the unmap callback drops them all */
#define A1_PAGES 16

/*
 * The unmap of U = [BASE, BASE + A1_PAGES + 4 pages) meets A1 = [BASE,
 * BASE + A1_PAGES pages), every page of it pinned by a mock access: it
 * marks A1 as being unmapped, drops its locks and has the access unpin,
 * which takes a while, then looks at U again. If meanwhile another thread
 *   crossing_map: mapped X = A1_PAGES + [2, 6) pages, across the end of U,
 *                 the retry fails with ENOENT;
 *   locked_area:  put a HW queue on A2 = A1_PAGES + [0, 4) pages, the
 *                 retry fails with EBUSY.
 * A1 stays. It must still take access pins, and VFIO type1 (v1) must still
 * be able to unmap part of it, which splits it. A1's pins being gone after
 * the failed unmap shows that it was the retry that failed.
 */
FIXTURE(unmap_retry)
{
	int fd;
	long psz;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	__u32 parent_id;
	__u32 viommu_id;
	int pin_fd;
	void *buf;
	size_t size;
	long pin0;
};

FIXTURE_VARIANT(unmap_retry)
{
	bool locked;
};

FIXTURE_VARIANT_ADD(unmap_retry, crossing_map)
{
	.locked = false,
};

FIXTURE_VARIANT_ADD(unmap_retry, locked_area)
{
	.locked = true,
};

FIXTURE_SETUP(unmap_retry)
{
	self->psz = own_page_size();
	self->size = (A1_PAGES + 8) * self->psz;
	self->buf = map_buffer(self->size);
	ASSERT_NE(NULL, self->buf);
	self->pin0 = own_vm_pin(getpid());
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	/* A VFIO type1 container: partial unmaps split areas */
	ASSERT_EQ(0, own_set_compat(self->fd, self->ioas_id));
	/*
	 * The HW queue needs a vIOMMU, so a device. Without a domain, maps
	 * pin nothing and are quick, while the access's unpins take longer:
	 * the crossing map then meets the retry more often.
	 */
	if (variant->locked)
		ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0,
					     &self->stdev_id, NULL,
					     &self->idev_id));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	if (variant->locked) {
		ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id,
					    self->ioas_id,
					    IOMMU_HWPT_ALLOC_NEST_PARENT,
					    &self->parent_id));
		ASSERT_EQ(0, own_viommu_alloc(self->fd, self->idev_id,
					  self->parent_id, &self->viommu_id));
	}
	ASSERT_EQ(0, own_create_access(self->fd, self->ioas_id,
				       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				       &self->pin_fd));
	atomic_store(&race_stop, 0);
}

FIXTURE_TEARDOWN(unmap_retry)
{
	close(self->pin_fd);
	close(self->fd);
	munmap(self->buf, self->size);
}

/* Maps and unmaps X, or allocates and destroys a queue on A2 */
static void *retry_disturber(void *arg)
{
	struct worker *w = arg;
	FIXTURE_DATA(unmap_retry) *self = w->ctx;
	bool locked = self->viommu_id;
	long psz = self->psz;

	if (locked) {
		/* ENOENT: A2 went with a successful unmap of U */
		op_init(&w->ops[0], "hw_queue_alloc", EB(ENOENT) | EB(EINVAL));
		op_init(&w->ops[1], "hw_queue_destroy", 0);
	} else {
		op_init(&w->ops[0], "map_across_end", 0);
		op_init(&w->ops[1], "unmap_across_end", 0);
	}

	while (!atomic_load(&race_stop)) {
		__u64 iova = BASE + (A1_PAGES + 2) * psz;
		__u32 q = 0;

		if (locked) {
			if (!OP(&w->ops[0],
				own_hw_queue_alloc(self->fd, self->viommu_id, 0,
					       BASE + (A1_PAGES + 1) * psz,
					       psz, &q)))
				continue;
			spin(&w->seed, 8000);
			OP(&w->ops[1], own_destroy(self->fd, q));
		} else {
			if (!OP(&w->ops[0],
				own_map_user(self->fd, self->ioas_id, FIXED,
					     self->buf + (A1_PAGES + 2) * psz,
					     4 * psz, &iova)))
				continue;
			spin(&w->seed, 8000);
			OP(&w->ops[1], own_unmap(self->fd, self->ioas_id, iova,
						 4 * psz, NULL));
		}
		spin(&w->seed, 8000);
	}
	return NULL;
}

TEST_F_TIMEOUT(unmap_retry, unmap_retry, RACE_TIMEOUT)
{
	long psz = self->psz;
	__u64 a1_len = A1_PAGES * psz, u_len = (A1_PAGES + 4) * psz;
	int fail_errno = variant->locked ? EBUSY : ENOENT;
	unsigned long iter, rounds = 0, hits = 0, early = 0, clean = 0;
	unsigned long stuck_pin = 0, stuck_split = 0;
	int first_pin_err = 0, first_split_err = 0;
	struct op_stats ops[3];
	struct worker w;
	struct budget b;
	__u64 iova, n;

	op_init(&ops[0], "access_pin_A1", 0);
	op_init(&ops[1], "unmap_U", EB(fail_errno));
	/* ENOENT: the unmap callback dropped the pin */
	op_init(&ops[2], "access_unpin_A1", EB(ENOENT));
	ASSERT_EQ(0, start_worker(&w, retry_disturber, self, 3));

	budget_init(&b, 100000);
	for (iter = 0; !budget_over(&b, iter); iter++) {
		__u32 pins[A1_PAGES], pin2 = 0;
		bool gone;
		int rc, i;

		rounds++;
		iova = BASE;
		ASSERT_EQ(0, own_map_user(self->fd, self->ioas_id, FIXED,
					  self->buf, a1_len, &iova));
		if (variant->locked) {
			/* A2 survives failed unmaps, goes with good ones */
			iova = BASE + a1_len;
			rc = own_map_user(self->fd, self->ioas_id, FIXED,
					  self->buf + a1_len, 4 * psz, &iova);
			ASSERT_TRUE(!rc || rc == EEXIST);
		}
		for (i = 0; i != A1_PAGES; i++)
			if (!OP(&ops[0], access_pin(self->fd, self->pin_fd,
						    BASE + i * psz, psz,
						    self->buf + i * psz,
						    &pins[i])))
				break;
		if (i != A1_PAGES)
			break;

		rc = own_unmap(self->fd, self->ioas_id, BASE, u_len, NULL);
		if (OP(&ops[1], rc)) {
			clean++;
			continue;
		}
		if (rc != fail_errno)
			break;
		/* The callback drops all of A1's pins, or none was asked */
		gone = !OP(&ops[2], access_unpin(self->fd, self->pin_fd,
						 pins[0]));
		for (i = 1; i != A1_PAGES; i++)
			OP(&ops[2], access_unpin(self->fd, self->pin_fd,
						 pins[i]));
		if (gone)
			hits++;
		else
			early++;

		/* A1 is still there and must take pins */
		rc = access_pin(self->fd, self->pin_fd, BASE, a1_len, self->buf,
				&pin2);
		if (rc) {
			if (!stuck_pin++)
				first_pin_err = rc;
		} else {
			ASSERT_EQ(0, access_unpin(self->fd, self->pin_fd, pin2));
		}
		/* VFIO v1 cuts off A1's last page, splitting it */
		n = psz;
		rc = vfio_unmap(self->fd, BASE + a1_len - psz, &n);
		if (rc || n != (__u64)psz) {
			if (!stuck_split++)
				first_split_err = rc;
		}
		/* Whatever is left of A1, it goes now */
		rc = own_unmap(self->fd, self->ioas_id, BASE, a1_len, NULL);
		ASSERT_TRUE(!rc || rc == ENOENT);
		if (stuck_pin || stuck_split)
			break;
	}
	atomic_store(&race_stop, 1);
	pthread_join(w.thread, NULL);

	ksft_print_msg("race hit %lu times in %lu rounds (failed on the first look %lu, unmapped %lu)\n",
		       hits, rounds, early, clean);
	CHECK_OPS(ops, 3);
	CHECK_OPS(w.ops, 2);
	if (!hits)
		ksft_print_msg("the retry never failed: the race was not hit, nothing was checked\n");
	if (stuck_pin)
		ksft_print_msg("BUG: %lu times the area refused access pins after a failed unmap retry (first error %s)\n",
			       stuck_pin, strerror(first_pin_err));
	if (stuck_split)
		ksft_print_msg("BUG: %lu times VFIO could not unmap part of the area after a failed unmap retry (first error %s)\n",
			       stuck_split, strerror(first_split_err));
	ASSERT_EQ(0, stuck_pin);
	ASSERT_EQ(0, stuck_split);

	/* Nothing is left pinned or locked: all of it unmaps at once */
	n = 0;
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas_id, &n));
	ASSERT_EQ(0, own_check_refs(self->fd, self->buf, self->size, 0));
	ASSERT_EQ(self->pin0, own_vm_pin(getpid()));
}

TEST_HARNESS_MAIN
