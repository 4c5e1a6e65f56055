// SPDX-License-Identifier: GPL-2.0-only
/*
 * A seeded, multi-threaded fuzzer over every ioctl of /dev/iommu, the mock
 * driver's IOMMU_TEST_CMD operations, the VFIO container compat ioctls and
 * the file operations of the fault queue, vEVENTQ, access and mmap files.
 *
 * Several threads share a few iommufd contexts (one of them opened through
 * /dev/vfio/vfio when it exists) and issue random calls: valid structures
 * built from the objects seen so far, then mutated at the byte level; wrong
 * and stale IDs of every type; size fields around every version boundary;
 * IOVAs and lengths near 0 and U64_MAX; user memory replaced, protected or
 * dropped under existing mappings by another thread; contexts closed while
 * other threads use them and reopened later.
 *
 * Most calls take one random step; S_BUILD instead builds a valid chain to a
 * random depth (IOAS, mock device, mapping, access, nesting parent, vIOMMU,
 * vDEVICE, fault queue, nested HWPT, replace or PASID attach, vEVENTQ and
 * event, IOPF, HW queues, VFIO compat IOAS) so that deep states are reached.
 *
 * Each thread draws from its own PRNG, derived from the seed and its index,
 * so a seed replays the same sequence of calls per thread (only the
 * interleaving of the threads varies). The seed is the first line of the
 * output. Nothing blocks: fault and vEVENTQ files are non-blocking, polls
 * have timeouts and a deadline bounds the run.
 *
 * The calls are split into passes. After each pass (every fd closed, every
 * mapping gone, threads joined) the pins and the accounting must be back to
 * where they started: VmPin and VmLck of the process, Mlocked of the system
 * and, in a memory cgroup of our own, the memcg's "kernel" counter within a
 * tolerance. A watchdog prints the kernel stacks of threads whose call does
 * not return; a pass in which no call finished for STALL_FAIL seconds fails.
 * One TAP test per pass; a summary of the calls per operation and their
 * errnos follows. -x (or FUZZ_SKIP) leaves operations out, to get past a
 * known kernel bug; by default everything runs.
 *
 * Usage: iommufd_fuzz [-s SEED] [-n CALLS] [-t THREADS] [-p PASSES]
 *                     [-T SECONDS] [-m MUTATE%] [-x OP[,OP...]] [-k KB] [-v]
 * Environment: FUZZ_SEED, FUZZ_CALLS, FUZZ_THREADS, FUZZ_TIME, FUZZ_SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "../kselftest.h"
#include "../../../../drivers/iommu/iommufd/iommufd_test.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

#define U64_MAX ((__u64)~0ULL)
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

#define DEF_CALLS 200000
#define DEF_THREADS 4
#define DEF_PASSES 4
#define DEF_SECONDS 85
#define MAX_THREADS 32
#define NCTX 3
#define SLOTS 16
#define NMAPS 32
#define NFDS 8
#define NREGIONS 6
#define NMEMFDS 4
#define SEEN_IDS 1024
#define NMMIO 16
#define MAX_ERRNO 140
#define STALL_FAIL 30	/* seconds without any call finishing: a failure */

static long PAGE;

/* Operations, for the statistics and for -x */
#define OPS(X)                                                            \
	X(DESTROY, 6) X(IOAS_ALLOC, 4) X(IOAS_ALLOW_IOVAS, 2)              \
	X(IOAS_COPY, 4) X(IOAS_IOVA_RANGES, 3) X(IOAS_MAP, 10)             \
	X(IOAS_MAP_FILE, 5) X(IOAS_UNMAP, 8) X(OPTION, 2) X(VFIO_IOAS, 2)  \
	X(HWPT_ALLOC, 6) X(GET_HW_INFO, 2) X(HWPT_SET_DIRTY_TRACKING, 2)   \
	X(HWPT_GET_DIRTY_BITMAP, 2) X(HWPT_INVALIDATE, 3)                 \
	X(FAULT_QUEUE_ALLOC, 2) X(VIOMMU_ALLOC, 3) X(VDEVICE_ALLOC, 3)     \
	X(IOAS_CHANGE_PROCESS, 1) X(VEVENTQ_ALLOC, 2) X(HW_QUEUE_ALLOC, 2) \
	X(BAD_IOCTL, 1)                                                   \
	X(T_ADD_RESERVED, 1) X(T_MOCK_DOMAIN, 2) X(T_MOCK_DOMAIN_FLAGS, 3) \
	X(T_MD_CHECK_MAP, 2) X(T_MD_CHECK_REFS, 1) X(T_CREATE_ACCESS, 2)   \
	X(T_DESTROY_ACCESS_PAGES, 2) X(T_ACCESS_PAGES, 3)                 \
	X(T_ACCESS_RW, 3) X(T_SET_TEMP_MEMORY_LIMIT, 1)                   \
	X(T_MOCK_DOMAIN_REPLACE, 3) X(T_ACCESS_REPLACE_IOAS, 2)            \
	X(T_DIRTY, 2) X(T_MD_CHECK_IOTLB, 1) X(T_TRIGGER_IOPF, 3)          \
	X(T_DEV_CHECK_CACHE, 1) X(T_TRIGGER_VEVENT, 3)                    \
	X(T_PASID_ATTACH, 3) X(T_PASID_REPLACE, 2) X(T_PASID_DETACH, 2)    \
	X(T_PASID_CHECK_HWPT, 1) X(T_DMABUF_GET, 1) X(T_DMABUF_REVOKE, 1)  \
	X(T_BAD_OP, 1)                                                    \
	X(V_GET_API_VERSION, 1) X(V_CHECK_EXTENSION, 1) X(V_SET_IOMMU, 1)  \
	X(V_IOMMU_GET_INFO, 1) X(V_MAP_DMA, 3) X(V_UNMAP_DMA, 3)           \
	X(V_DIRTY_PAGES, 1)                                               \
	X(F_FAULT_READ, 2) X(F_FAULT_WRITE, 2) X(F_VEVENTQ_READ, 2)        \
	X(F_POLL, 2) X(F_CLOSE, 2) X(F_MMAP, 1) X(F_MUNMAP, 1)             \
	X(M_CHURN, 2) X(M_TRUNCATE, 1) X(C_CLOSE, 1) X(S_BUILD, 6)

#define OP_ENUM(n, w) OP_##n,
enum { OPS(OP_ENUM) NOPS };
#define OP_NAME(n, w) #n,
static const char *const op_names[] = { OPS(OP_NAME) };
#define OP_WEIGHT(n, w) w,
static unsigned int op_weight[] = { OPS(OP_WEIGHT) };

/* Object types of the ID lists */
enum {
	T_IOAS, T_HWPT, T_PARENT, T_NESTED, T_STDEV, T_IDEV, T_VIOMMU,
	T_VDEV, T_FAULT, T_VEVENTQ, T_HWQ, T_NTYPES
};

/* Kinds of file descriptors a context hands out */
enum { F_ACCESS, F_FAULTQ, F_VEVENTQ, F_NKINDS };

struct idlist {
	__u32 v[SLOTS];
	int n;
};

struct fdlist {
	int v[NFDS];
	int n;
};

struct map_rec {
	__u32 ioas;
	__u64 iova;
	__u64 len;
	__u64 uva;	/* 0 if not known */
};

struct ctx {
	pthread_mutex_t lock;
	int fd;
	bool vfio;
	unsigned int opens;
	struct idlist ids[T_NTYPES];
	struct fdlist fds[F_NKINDS];
	struct map_rec maps[NMAPS];
	int nmaps;
	struct { int afd; __u32 id; } accp[SLOTS];
	int naccp;
	struct { __u64 off, len; } mmio[4];
	int nmmio;
};

struct region {
	char *res;	/* the reservation, with a guard page after addr + len */
	size_t res_len;
	char *addr;
	size_t len;
	int kind;	/* 0 anon private, 1 anon shared, 2 hugetlb, 3 memfd */
	int memfd;	/* index into memfds for kind 3 */
	pthread_mutex_t lock;
};

struct memfd_rec {
	int fd;
	size_t size;
};

struct stats {
	unsigned long calls[NOPS];
	unsigned long ok[NOPS];
	unsigned int err[NOPS][MAX_ERRNO + 1];
};

struct thr {
	int idx;
	__u64 s[2];
	pthread_t th;
	unsigned long ncalls;
	char *scratch;	/* 2 pages, then a guard page */
	bool scratch_dirty;
	char *out;	/* 16 pages, then a guard page */
	char *map_base;
	size_t map_len;
	pid_t tid;
	__u32 argw[4];	/* first words of the structure of the current call */
	unsigned long cur;	/* index of the current call */
	__u32 cookies[8];
	int ncookies;
	struct stats st;
};

/* Configuration */
static __u64 seed;
static unsigned long total_calls = DEF_CALLS;
static int nthreads = DEF_THREADS;
static int npasses = DEF_PASSES;
static int seconds = DEF_SECONDS;
static int mutate_pct = 15;
static long kernel_tol_kb = 4096;
static bool verbose;
static bool skip_op[NOPS];

/* Shared state of a pass */
static struct ctx ctxs[NCTX];
static struct region regions[NREGIONS];
static struct memfd_rec memfds[NMEMFDS];
static bool have_vfio_dev;
static bool have_hugetlb;
static struct fdlist orphans;
static struct fdlist dmabufs;
static pthread_mutex_t glock = PTHREAD_MUTEX_INITIALIZER;
static struct { void *addr; size_t len; } mmios[NMMIO];
static int nmmios;
static __u32 seen_ids[SEEN_IDS];
static unsigned int seen_n;
static unsigned int weight_sum;
static struct timespec t_deadline;
static volatile bool stop_now;
static volatile int stalled;	/* longest stall of the pass, in seconds */
static unsigned long progress;
static volatile int thr_op[MAX_THREADS];
static struct stats total;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* PRNG: xorshift128+ seeded through splitmix64 */
static __u64 splitmix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd(struct thr *t)
{
	__u64 a = t->s[0], b = t->s[1];

	t->s[0] = b;
	a ^= a << 23;
	t->s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return t->s[1] + b;
}

static __u32 rn(struct thr *t, __u32 n)
{
	return n ? (__u32)(((rnd(t) >> 32) * n) >> 32) : 0;
}

static bool chance(struct thr *t, unsigned int pct)
{
	return rn(t, 100) < pct;
}

static __u64 interesting64(struct thr *t)
{
	static const __u64 v[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0x7fff, 0x8000,
		0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, U64_MAX,
		U64_MAX - 1, U64_MAX - 0xfff,
	};

	if (chance(t, 20))
		return rnd(t);
	return v[rn(t, ARRAY_SIZE(v))];
}

/* Statistics */
static void rec(struct thr *t, int op, int rc_errno)
{
	t->st.calls[op]++;
	if (!rc_errno)
		t->st.ok[op]++;
	else
		t->st.err[op][rc_errno > 0 && rc_errno < MAX_ERRNO ?
			      rc_errno : MAX_ERRNO]++;
}

static int xioctl(struct thr *t, int op, int fd, unsigned long req, void *arg)
{
	int rc;

	if (arg == t->scratch)
		memcpy(t->argw, arg, sizeof(t->argw));
	else
		memset(t->argw, 0xff, sizeof(t->argw));
	rc = ioctl(fd, req, arg);

	rec(t, op, rc < 0 ? errno : 0);
	return rc;
}

/* ID pool */
static void seen_add(__u32 id)
{
	unsigned int i = __atomic_fetch_add(&seen_n, 1, __ATOMIC_RELAXED);

	__atomic_store_n(&seen_ids[i % SEEN_IDS], id, __ATOMIC_RELAXED);
}

static void id_add(struct thr *t, struct ctx *c, int type, __u32 id)
{
	struct idlist *l = &c->ids[type];

	pthread_mutex_lock(&c->lock);
	if (l->n < SLOTS)
		l->v[l->n++] = id;
	else
		l->v[rn(t, SLOTS)] = id;
	pthread_mutex_unlock(&c->lock);
	seen_add(id);
}

static void id_forget(struct ctx *c, __u32 id)
{
	int i, j;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i != T_NTYPES; i++) {
		struct idlist *l = &c->ids[i];

		for (j = 0; j < l->n; j++) {
			if (l->v[j] == id) {
				l->v[j] = l->v[--l->n];
				j--;
			}
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static int id_count(struct ctx *c, int type)
{
	int n;

	pthread_mutex_lock(&c->lock);
	n = c->ids[type].n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* A valid ID of @type most of the time, else wrong, stale or odd */
static __u32 pick_id(struct thr *t, struct ctx *c, int type)
{
	static const __u32 odd[] = { 0, 1, 2, 3, 0x7fffffff, 0x80000000,
				     0xfffffff0, 0xffffffff };
	unsigned int r = rn(t, 100);
	struct idlist *l;
	__u32 id = 0;

	if (r < 80) {
		pthread_mutex_lock(&c->lock);
		l = &c->ids[type];
		if (l->n) {
			id = l->v[rn(t, l->n)];
			pthread_mutex_unlock(&c->lock);
			return id;
		}
		pthread_mutex_unlock(&c->lock);
	}
	if (r < 90) {
		pthread_mutex_lock(&c->lock);
		l = &c->ids[rn(t, T_NTYPES)];
		if (l->n)
			id = l->v[rn(t, l->n)];
		pthread_mutex_unlock(&c->lock);
		if (id)
			return id;
	}
	if (r < 97) {
		unsigned int n = __atomic_load_n(&seen_n, __ATOMIC_RELAXED);

		if (n)
			return __atomic_load_n(&seen_ids[rn(t, n < SEEN_IDS ?
							     n : SEEN_IDS)],
					       __ATOMIC_RELAXED);
	}
	if (chance(t, 50))
		return rn(t, 64);
	return odd[rn(t, ARRAY_SIZE(odd))];
}

/* Some page table ID: IOAS, paging, parent or nested HWPT, or a vIOMMU */
static __u32 pick_pt(struct thr *t, struct ctx *c)
{
	static const int types[] = { T_IOAS, T_IOAS, T_HWPT, T_PARENT,
				     T_NESTED, T_VIOMMU };

	return pick_id(t, c, types[rn(t, ARRAY_SIZE(types))]);
}

/* File descriptors handed out by a context */
static void fd_add(struct thr *t, struct ctx *c, int kind, int fd)
{
	struct fdlist *l = &c->fds[kind];
	int victim = -1;

	pthread_mutex_lock(&c->lock);
	if (l->n < NFDS) {
		l->v[l->n++] = fd;
	} else {
		int i = rn(t, NFDS);

		victim = l->v[i];
		l->v[i] = fd;
	}
	pthread_mutex_unlock(&c->lock);
	if (victim >= 0)
		close(victim);
}

static int fd_pick(struct thr *t, struct ctx *c, int kind)
{
	struct fdlist *l = &c->fds[kind];
	int fd = -1;

	pthread_mutex_lock(&c->lock);
	if (l->n)
		fd = l->v[rn(t, l->n)];
	pthread_mutex_unlock(&c->lock);
	if (fd < 0 || chance(t, 5)) {
		pthread_mutex_lock(&glock);
		if (orphans.n)
			fd = orphans.v[rn(t, orphans.n)];
		pthread_mutex_unlock(&glock);
	}
	if (fd < 0 && chance(t, 50))
		fd = c->fd;
	return fd;
}

/* Take an fd out of a list; the caller closes it */
static int fdlist_take(struct thr *t, struct fdlist *l)
{
	int i, fd;

	if (!l->n)
		return -1;
	i = rn(t, l->n);
	fd = l->v[i];
	l->v[i] = l->v[--l->n];
	return fd;
}

static void orphan_add(int fd)
{
	int victim = -1;

	pthread_mutex_lock(&glock);
	if (orphans.n < NFDS) {
		orphans.v[orphans.n++] = fd;
	} else {
		victim = orphans.v[0];
		orphans.v[0] = fd;
	}
	pthread_mutex_unlock(&glock);
	if (victim >= 0)
		close(victim);
}

static void map_add(struct thr *t, struct ctx *c, __u32 ioas, __u64 iova,
		    __u64 len, __u64 uva)
{
	struct map_rec m = { ioas, iova, len, uva };

	pthread_mutex_lock(&c->lock);
	if (c->nmaps < NMAPS)
		c->maps[c->nmaps++] = m;
	else
		c->maps[rn(t, NMAPS)] = m;
	pthread_mutex_unlock(&c->lock);
}

static bool map_pick(struct thr *t, struct ctx *c, struct map_rec *m)
{
	bool ok = false;

	pthread_mutex_lock(&c->lock);
	if (c->nmaps) {
		*m = c->maps[rn(t, c->nmaps)];
		ok = true;
	}
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void map_forget(struct ctx *c, __u32 ioas, __u64 iova)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nmaps; i++) {
		if (c->maps[i].ioas == ioas && c->maps[i].iova == iova) {
			c->maps[i] = c->maps[--c->nmaps];
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* Contexts */
static int ctx_open(bool vfio)
{
	int fd = -1;

	if (vfio)
		fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	return fd;
}

/* The context's fd, reopened if a thread closed it */
static int ctx_fd(struct ctx *c)
{
	int fd;

	pthread_mutex_lock(&c->lock);
	if (c->fd < 0) {
		c->fd = ctx_open(c->vfio);
		c->opens++;
	}
	fd = c->fd;
	pthread_mutex_unlock(&c->lock);
	return fd;
}

/* Close a context while the other threads may be using it */
static void ctx_close(struct thr *t, struct ctx *c)
{
	int fd, k, afd;

	pthread_mutex_lock(&c->lock);
	fd = c->fd;
	c->fd = -1;
	for (k = 0; k != F_NKINDS; k++) {
		/* Keep some of the files alive past their context */
		while ((afd = fdlist_take(t, &c->fds[k])) >= 0) {
			if (chance(t, 30))
				orphan_add(afd);
			else
				close(afd);
		}
	}
	memset(c->ids, 0, sizeof(c->ids));
	c->nmaps = 0;
	c->naccp = 0;
	c->nmmio = 0;
	pthread_mutex_unlock(&c->lock);
	if (fd >= 0)
		close(fd);
}

/*
 * Structures go through the scratch area of the thread: 2 pages followed by
 * a guard page. Mutations change the size field, bytes or words, or move the
 * structure so that it runs into the guard page.
 */
static void *prep(struct thr *t, const void *cmd, size_t full, size_t minsz)
{
	char *s = t->scratch;
	__u32 *size = (__u32 *)s;
	unsigned int n, i;

	if (t->scratch_dirty) {
		memset(s, 0, 2 * PAGE);
		t->scratch_dirty = false;
	} else {
		memset(s, 0, 256);
	}
	memcpy(s, cmd, full);
	if (!chance(t, mutate_pct))
		return s;
	switch (rn(t, 9)) {
	case 0:
	case 1:
	case 2:
		switch (rn(t, 10)) {
		case 0:
			*size = minsz - 1;
			break;
		case 1:
			*size = minsz;
			break;
		case 2:
			*size = full - 1;
			break;
		case 3:
			*size = full + 1;
			s[full] = 1 + rn(t, 255);
			break;
		case 4:
			*size = full + 8 + rn(t, 64);
			break;
		case 5:
			*size = PAGE + 1;
			if (chance(t, 50)) {
				s[PAGE] = 0x5a;
				t->scratch_dirty = true;
			}
			break;
		case 6:
			*size = 2 * PAGE + rn(t, 2) * PAGE;
			break;
		case 7:
			*size = 0;
			break;
		case 8:
			*size = 0xffffffff - rn(t, 2);
			break;
		default:
			*size = rn(t, 256);
			break;
		}
		break;
	case 3:
	case 4:
		n = 1 + rn(t, 4);
		for (i = 0; i != n; i++) {
			unsigned int off = rn(t, full);

			if (chance(t, 50))
				s[off] ^= 1 << rn(t, 8);
			else
				s[off] = rnd(t);
		}
		break;
	case 5:
		if (full >= 8) {
			i = 4 * (1 + rn(t, full / 4 - 1));
			*(__u32 *)(s + i) = interesting64(t);
		}
		break;
	case 6:
		if (full >= 16) {
			i = 8 * (1 + rn(t, full / 8 - 1));
			*(__u64 *)(s + i) = interesting64(t);
		}
		break;
	case 7: {
		/* The structure runs into the guard page */
		unsigned int keep = 4 + rn(t, full - 4);
		char *p = s + 2 * PAGE - keep;

		memcpy(p, cmd, keep);
		t->scratch_dirty = true;
		return p;
	}
	default:
		if (chance(t, 50))
			return NULL;
		return (void *)0xffff888000000000ULL;
	}
	return s;
}

/* Copy back the outputs of a structure that went through prep() */
static void unprep(struct thr *t, void *cmd, void *p, size_t full)
{
	if (p == t->scratch)
		memcpy(cmd, p, full);
}

/* @len bytes at the end of the output area, just before its guard page */
static void *out_tail(struct thr *t, size_t len)
{
	if (len > 16 * (size_t)PAGE)
		len = 16 * PAGE;
	return t->out + 16 * PAGE - len;
}

/* Memory to map: pages of a region mostly, sometimes odd addresses */
static void pick_mem(struct thr *t, __u64 *uva, __u64 *len)
{
	struct region *r = &regions[rn(t, NREGIONS)];
	size_t pages = r->len / PAGE;
	size_t off = rn(t, pages), n;

	n = 1 + rn(t, pages - off < 16 ? pages - off : 16);
	if (chance(t, 5))
		n = pages - off;
	*uva = (__u64)(uintptr_t)(r->addr + off * PAGE);
	*len = n * PAGE;
	switch (rn(t, 40)) {
	case 0:
		*uva = 0;
		break;
	case 1:
		*uva += 1 + rn(t, PAGE - 1);
		break;
	case 2:
		*len = 1 + rn(t, PAGE);
		break;
	case 3:
		*len = 0;
		break;
	case 4:
		*len = U64_MAX - rn(t, 2) * (PAGE - 1);
		break;
	case 5:
		*uva = 0xffff888000000000ULL;
		break;
	case 6:
		/* Read-only file pages: the program text */
		*uva = (uintptr_t)pick_mem & ~(PAGE - 1);
		*len = PAGE;
		break;
	case 7:
		*len = r->len + PAGE;	/* runs into the guard page */
		*uva = (uintptr_t)r->addr;
		break;
	case 8:
		*uva = U64_MAX & ~(PAGE - 1);
		break;
	default:
		break;
	}
}

static __u64 pick_iova(struct thr *t, struct ctx *c)
{
	struct map_rec m;

	switch (rn(t, 20)) {
	case 0:
		return 0;
	case 1:
		return PAGE * rn(t, 4);
	case 2:
		return U64_MAX & ~(PAGE - 1);
	case 3:
		return U64_MAX - rn(t, 2);
	case 4:
		return (1ULL << 31) - PAGE * rn(t, 3);
	case 5:
		return 1ULL << (32 + rn(t, 32));
	case 6:
		return rnd(t);
	case 7:
	case 8:
	case 9:
	case 10:
	case 11:
		if (map_pick(t, c, &m)) {
			switch (rn(t, 4)) {
			case 0:
				return m.iova + m.len;
			case 1:
				return m.iova + m.len - PAGE;
			case 2:
				return m.iova + MOCK_PAGE_SIZE * rn(t, 4);
			default:
				return m.iova;
			}
		}
		fallthrough;
	default:
		return MOCK_APERTURE_START + (__u64)PAGE * rn(t, 1024);
	}
}

static __u64 pick_len(struct thr *t)
{
	switch (rn(t, 16)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return MOCK_PAGE_SIZE;
	case 3:
		return 1ULL << (30 + rn(t, 20));
	case 4:
		return U64_MAX - rn(t, 2) * (PAGE - 1);
	case 5:
		return PAGE - 1;
	case 6:
		return 2 * 1024 * 1024;
	default:
		return (__u64)PAGE * (1 + rn(t, 16));
	}
}

static __u32 pick_flags(struct thr *t, __u32 valid)
{
	__u32 f = 0;
	int i;

	for (i = 0; i != 32; i++)
		if ((valid & (1u << i)) && chance(t, 50))
			f |= 1u << i;
	if (chance(t, 5))
		f |= 1u << rn(t, 32);
	return f;
}

static __u32 pick_pasid(struct thr *t)
{
	static const __u32 v[] = { 0, 1, 2, 3, IOMMU_TEST_PASID_RESERVED,
				   (1u << MOCK_PASID_WIDTH) - 1,
				   1u << MOCK_PASID_WIDTH, 0xffffffff };

	if (chance(t, 70))
		return 1 + rn(t, 4);
	return v[rn(t, ARRAY_SIZE(v))];
}

/* Common helpers for IOMMU_TEST_CMD */
static int test_cmd(struct thr *t, int op, int fd, struct iommu_test_cmd *cmd)
{
	void *p;
	int rc;

	cmd->size = sizeof(*cmd);
	p = prep(t, cmd, sizeof(*cmd), offsetofend(struct iommu_test_cmd, last));
	rc = xioctl(t, op, fd, IOMMU_TEST_CMD, p);
	if (!rc)
		unprep(t, cmd, p, sizeof(*cmd));
	return rc;
}

#define PREP(cmd, last_member)                                             \
	prep(t, &(cmd), sizeof(cmd), offsetofend(typeof(cmd), last_member))

/* The operations */
static void op_destroy(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	void *p;

	if (skip_op[OP_DESTROY])
		return;
	cmd.id = pick_id(t, c, rn(t, T_NTYPES));
	p = PREP(cmd, id);
	if (!xioctl(t, OP_DESTROY, fd, IOMMU_DESTROY, p))
		id_forget(c, cmd.id);
}

static void op_ioas_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	void *p;

	if (id_count(c, T_IOAS) >= SLOTS) {
		op_destroy(t, c, fd);
		return;
	}
	if (chance(t, 3))
		cmd.flags = 1u << rn(t, 32);
	p = PREP(cmd, out_ioas_id);
	if (!xioctl(t, OP_IOAS_ALLOC, fd, IOMMU_IOAS_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		id_add(t, c, T_IOAS, cmd.out_ioas_id);
	}
}

static void op_allow_iovas(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_iova_range *r = out_tail(t, 4 * sizeof(*r));
	struct iommu_ioas_allow_iovas cmd = { .size = sizeof(cmd) };
	unsigned int i, n = rn(t, 4);

	for (i = 0; i != n; i++) {
		r[i].start = chance(t, 70) ? MOCK_APERTURE_START +
				(__u64)PAGE * rn(t, 512) : interesting64(t);
		r[i].last = chance(t, 70) ? r[i].start + PAGE * 64 - 1 :
				interesting64(t);
	}
	cmd.ioas_id = pick_id(t, c, T_IOAS);
	cmd.num_iovas = chance(t, 95) ? n : interesting64(t);
	cmd.allowed_iovas = chance(t, 97) ? (uintptr_t)r : interesting64(t);
	xioctl(t, OP_IOAS_ALLOW_IOVAS, fd, IOMMU_IOAS_ALLOW_IOVAS,
	       PREP(cmd, allowed_iovas));
}

static void op_iova_ranges(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_iova_ranges cmd = { .size = sizeof(cmd) };
	unsigned int n = rn(t, 8);

	cmd.ioas_id = pick_id(t, c, T_IOAS);
	cmd.num_iovas = chance(t, 95) ? n : interesting64(t);
	cmd.allowed_iovas = (uintptr_t)out_tail(t, n * 16);
	if (chance(t, 3))
		cmd.allowed_iovas = interesting64(t);
	xioctl(t, OP_IOAS_IOVA_RANGES, fd, IOMMU_IOAS_IOVA_RANGES,
	       PREP(cmd, out_iova_alignment));
}

static __u32 map_flags(struct thr *t)
{
	__u32 f = IOMMU_IOAS_MAP_READABLE;

	if (chance(t, 80))
		f |= IOMMU_IOAS_MAP_WRITEABLE;
	if (chance(t, 10))
		f &= ~IOMMU_IOAS_MAP_READABLE;
	if (chance(t, 50))
		f |= IOMMU_IOAS_MAP_FIXED_IOVA;
	if (chance(t, 3))
		f |= 1u << rn(t, 32);
	return f;
}

static void op_ioas_map(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_map cmd = { .size = sizeof(cmd) };
	void *p;

	cmd.flags = map_flags(t);
	cmd.ioas_id = pick_id(t, c, T_IOAS);
	pick_mem(t, &cmd.user_va, &cmd.length);
	if (cmd.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		cmd.iova = pick_iova(t, c);
	p = PREP(cmd, iova);
	if (!xioctl(t, OP_IOAS_MAP, fd, IOMMU_IOAS_MAP, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		map_add(t, c, cmd.ioas_id, cmd.iova, cmd.length, cmd.user_va);
	}
}

/* A file to map: a memfd mostly, a mock dma-buf, or something odd */
static int pick_file(struct thr *t, struct ctx *c, int *memfd_idx)
{
	int fd = -1;

	*memfd_idx = -1;
	switch (rn(t, 10)) {
	case 0:
	case 1:
		pthread_mutex_lock(&glock);
		if (dmabufs.n)
			fd = dmabufs.v[rn(t, dmabufs.n)];
		pthread_mutex_unlock(&glock);
		if (fd >= 0)
			return fd;
		break;
	case 2:
		return chance(t, 50) ? -1 : c->fd;
	case 3:
		return fd_pick(t, c, rn(t, F_NKINDS));
	default:
		break;
	}
	*memfd_idx = rn(t, NMEMFDS);
	return memfds[*memfd_idx].fd;
}

static __u64 memfd_uva(int idx, __u64 start)
{
	int i;

	for (i = 0; i != NREGIONS; i++)
		if (regions[i].kind == 3 && regions[i].memfd == idx &&
		    start < regions[i].len)
			return (uintptr_t)regions[i].addr + start;
	return 0;
}

static void op_ioas_map_file(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_map_file cmd = { .size = sizeof(cmd) };
	int idx;
	__u64 size;
	void *p;

	cmd.flags = map_flags(t);
	cmd.ioas_id = pick_id(t, c, T_IOAS);
	cmd.fd = pick_file(t, c, &idx);
	size = idx >= 0 ? memfds[idx].size : 64 * PAGE;
	cmd.start = PAGE * rn(t, size / PAGE);
	cmd.length = PAGE * (1 + rn(t, 16));
	if (chance(t, 20))
		cmd.length = size - cmd.start;
	if (chance(t, 10))
		cmd.start = pick_len(t);
	if (chance(t, 10))
		cmd.length = pick_len(t);
	if (cmd.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		cmd.iova = pick_iova(t, c);
	p = PREP(cmd, iova);
	if (!xioctl(t, OP_IOAS_MAP_FILE, fd, IOMMU_IOAS_MAP_FILE, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		map_add(t, c, cmd.ioas_id, cmd.iova, cmd.length,
			idx >= 0 ? memfd_uva(idx, cmd.start) : 0);
	}
}

static void op_ioas_copy(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_copy cmd = { .size = sizeof(cmd) };
	struct map_rec m = {};
	__u64 off = 0;
	void *p;

	cmd.flags = map_flags(t);
	if (map_pick(t, c, &m) && chance(t, 90)) {
		cmd.src_ioas_id = chance(t, 90) ? m.ioas :
					pick_id(t, c, T_IOAS);
		off = m.len > (__u64)PAGE ? PAGE * rn(t, m.len / PAGE) : 0;
		cmd.src_iova = m.iova + off;
		cmd.length = m.len - off;
		if (chance(t, 30) && cmd.length > (__u64)PAGE)
			cmd.length = PAGE * (1 + rn(t, cmd.length / PAGE));
	} else {
		cmd.src_ioas_id = pick_id(t, c, T_IOAS);
		cmd.src_iova = pick_iova(t, c);
		cmd.length = pick_len(t);
	}
	cmd.dst_ioas_id = pick_id(t, c, T_IOAS);
	if (cmd.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		cmd.dst_iova = pick_iova(t, c);
	p = PREP(cmd, src_iova);
	if (!xioctl(t, OP_IOAS_COPY, fd, IOMMU_IOAS_COPY, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		map_add(t, c, cmd.dst_ioas_id, cmd.dst_iova, cmd.length,
			m.uva ? m.uva + off : 0);
	}
}

static void op_ioas_unmap(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_unmap cmd = { .size = sizeof(cmd) };
	struct map_rec m;
	bool exact = false;

	if (chance(t, 70) && map_pick(t, c, &m)) {
		cmd.ioas_id = m.ioas;
		cmd.iova = m.iova;
		cmd.length = m.len;
		exact = true;
		if (chance(t, 20)) {
			cmd.length = PAGE;
			exact = false;
		}
	} else if (chance(t, 30)) {
		cmd.ioas_id = pick_id(t, c, T_IOAS);
		cmd.length = U64_MAX;
	} else {
		cmd.ioas_id = pick_id(t, c, T_IOAS);
		cmd.iova = pick_iova(t, c);
		cmd.length = pick_len(t);
	}
	if (!xioctl(t, OP_IOAS_UNMAP, fd, IOMMU_IOAS_UNMAP,
		    PREP(cmd, length)) && exact)
		map_forget(c, m.ioas, m.iova);
}

static void op_option(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_option cmd = { .size = sizeof(cmd) };

	cmd.option_id = rn(t, 3);
	cmd.op = rn(t, 3);
	if (cmd.option_id == IOMMU_OPTION_HUGE_PAGES || chance(t, 10))
		cmd.object_id = pick_id(t, c, T_IOAS);
	cmd.val64 = chance(t, 80) ? rn(t, 2) : interesting64(t);
	xioctl(t, OP_OPTION, fd, IOMMU_OPTION, PREP(cmd, val64));
}

static void op_vfio_ioas(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd) };

	cmd.ioas_id = pick_id(t, c, T_IOAS);
	cmd.op = chance(t, 95) ? rn(t, 3) : rnd(t);
	if (cmd.op == IOMMU_VFIO_IOAS_SET && chance(t, 30))
		cmd.op = IOMMU_VFIO_IOAS_GET;
	xioctl(t, OP_VFIO_IOAS, fd, IOMMU_VFIO_IOAS, PREP(cmd, __reserved));
}

static void op_hwpt_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_selftest *data = out_tail(t, sizeof(*data) + 8);
	struct iommu_hwpt_alloc cmd = { .size = sizeof(cmd) };
	int mode = rn(t, 3), type;
	void *p;

	cmd.dev_id = pick_id(t, c, T_IDEV);
	data->iotlb = chance(t, 90) ? IOMMU_TEST_IOTLB_DEFAULT : rnd(t);
	data->pagetable_type = chance(t, 90) ? rn(t, 3) : rnd(t);
	cmd.data_uptr = (uintptr_t)data;
	if (mode == 0) {
		cmd.pt_id = pick_id(t, c, T_IOAS);
		cmd.flags = pick_flags(t, IOMMU_HWPT_ALLOC_NEST_PARENT |
					   IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					   IOMMU_HWPT_ALLOC_PASID);
		if (chance(t, 50)) {
			cmd.data_type = IOMMU_HWPT_DATA_SELFTEST;
			cmd.data_len = chance(t, 80) ? sizeof(*data) : 4;
		}
		type = cmd.flags & IOMMU_HWPT_ALLOC_NEST_PARENT ? T_PARENT :
								T_HWPT;
	} else {
		cmd.pt_id = mode == 1 ? pick_id(t, c, T_PARENT) :
					pick_id(t, c, T_VIOMMU);
		cmd.flags = pick_flags(t, IOMMU_HWPT_ALLOC_PASID);
		cmd.data_type = IOMMU_HWPT_DATA_SELFTEST;
		cmd.data_len = chance(t, 90) ? 4 : sizeof(*data);
		if (chance(t, 30)) {
			cmd.flags |= IOMMU_HWPT_FAULT_ID_VALID;
			cmd.fault_id = pick_id(t, c, T_FAULT);
		}
		type = T_NESTED;
	}
	if (chance(t, 5))
		cmd.data_type = rn(t, 4);
	if (chance(t, 5))
		cmd.data_len = interesting64(t);
	if (chance(t, 3))
		cmd.data_uptr = interesting64(t);
	p = PREP(cmd, __reserved2);
	if (!xioctl(t, OP_HWPT_ALLOC, fd, IOMMU_HWPT_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		id_add(t, c, type, cmd.out_hwpt_id);
	}
}

static void op_get_hw_info(struct thr *t, struct ctx *c, int fd)
{
	static const __u32 lens[] = { 0, 4, 8, 16, 64, 4096, 1 << 20 };
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };

	cmd.dev_id = pick_id(t, c, T_IDEV);
	cmd.data_len = lens[rn(t, ARRAY_SIZE(lens))];
	cmd.data_uptr = (uintptr_t)out_tail(t, cmd.data_len < 64 ?
						   cmd.data_len : 64);
	if (chance(t, 50)) {
		cmd.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
		cmd.in_data_type = chance(t, 50) ? IOMMU_HW_INFO_TYPE_SELFTEST :
						   rn(t, 4);
	}
	if (chance(t, 5))
		cmd.flags = rnd(t);
	if (chance(t, 3))
		cmd.__reserved[rn(t, 3)] = 1;
	xioctl(t, OP_GET_HW_INFO, fd, IOMMU_GET_HW_INFO,
	       PREP(cmd, __reserved));
}

static __u32 pick_hwpt(struct thr *t, struct ctx *c)
{
	static const int types[] = { T_HWPT, T_HWPT, T_PARENT, T_NESTED };

	return pick_id(t, c, types[rn(t, ARRAY_SIZE(types))]);
}

static void op_set_dirty(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_set_dirty_tracking cmd = { .size = sizeof(cmd) };

	cmd.hwpt_id = pick_hwpt(t, c);
	cmd.flags = chance(t, 95) ? rn(t, 2) : rnd(t);
	xioctl(t, OP_HWPT_SET_DIRTY_TRACKING, fd,
	       IOMMU_HWPT_SET_DIRTY_TRACKING, PREP(cmd, __reserved));
}

/* An IOVA range and a page size for a dirty bitmap of at most 16 pages */
static __u64 dirty_range(struct thr *t, struct ctx *c, __u64 *iova,
			 __u64 *len, __u64 *pgsize)
{
	struct map_rec m;
	__u64 bytes;

	*pgsize = chance(t, 70) ? PAGE : chance(t, 50) ? MOCK_PAGE_SIZE :
							 interesting64(t);
	if (chance(t, 80) && map_pick(t, c, &m)) {
		*iova = m.iova;
		*len = m.len;
	} else {
		*iova = pick_iova(t, c);
		*len = pick_len(t);
	}
	if (!*pgsize || *pgsize > *len)
		bytes = 8;
	else
		bytes = ((*len / *pgsize + 63) / 64) * 8;
	return bytes;
}

static void op_get_dirty(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };
	__u64 bytes;

	cmd.hwpt_id = pick_hwpt(t, c);
	cmd.flags = chance(t, 95) ? rn(t, 2) : rnd(t);
	bytes = dirty_range(t, c, &cmd.iova, &cmd.length, &cmd.page_size);
	cmd.data = (uintptr_t)out_tail(t, bytes);
	xioctl(t, OP_HWPT_GET_DIRTY_BITMAP, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
	       PREP(cmd, data));
}

static void op_hwpt_invalidate(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_invalidate cmd = { .size = sizeof(cmd) };
	__u32 *e = out_tail(t, 4 * 16);
	unsigned int i;

	for (i = 0; i != 16; i++)
		e[i] = chance(t, 50) ? 0 : rn(t, 5);
	if (chance(t, 50)) {
		cmd.hwpt_id = pick_id(t, c, T_NESTED);
		cmd.entry_len = sizeof(struct iommu_hwpt_invalidate_selftest);
		cmd.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	} else {
		cmd.hwpt_id = pick_id(t, c, T_VIOMMU);
		cmd.entry_len = sizeof(struct iommu_viommu_invalidate_selftest);
		cmd.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	}
	cmd.entry_num = rn(t, 4);
	cmd.data_uptr = (uintptr_t)out_tail(t, cmd.entry_num * cmd.entry_len);
	if (chance(t, 10))
		cmd.entry_len = rn(t, 32);
	if (chance(t, 5))
		cmd.entry_num = interesting64(t);
	if (chance(t, 5))
		cmd.data_type = chance(t, 50) ?
			IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID : rn(t, 3);
	if (chance(t, 3))
		cmd.data_uptr = interesting64(t);
	xioctl(t, OP_HWPT_INVALIDATE, fd, IOMMU_HWPT_INVALIDATE,
	       PREP(cmd, __reserved));
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void op_fault_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	void *p;

	if (chance(t, 3))
		cmd.flags = rnd(t);
	p = PREP(cmd, out_fault_fd);
	if (!xioctl(t, OP_FAULT_QUEUE_ALLOC, fd, IOMMU_FAULT_QUEUE_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		set_nonblock(cmd.out_fault_fd);
		id_add(t, c, T_FAULT, cmd.out_fault_id);
		fd_add(t, c, F_FAULTQ, cmd.out_fault_fd);
	}
}

static void op_viommu_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_viommu_selftest *data = out_tail(t, sizeof(*data));
	struct iommu_viommu_alloc cmd = { .size = sizeof(cmd) };
	static const __u32 lens[] = { 0, 8, 24, 24, 24, 4, 32 };
	void *p;

	if (id_count(c, T_VIOMMU) >= SLOTS / 2) {
		op_destroy(t, c, fd);
		return;
	}
	memset(data, 0, sizeof(*data));
	data->in_data = rnd(t);
	cmd.type = chance(t, 95) ? IOMMU_VIOMMU_TYPE_SELFTEST : rn(t, 3);
	cmd.dev_id = pick_id(t, c, T_IDEV);
	cmd.hwpt_id = pick_id(t, c, T_PARENT);
	cmd.data_len = lens[rn(t, ARRAY_SIZE(lens))];
	cmd.data_uptr = (uintptr_t)data;
	if (chance(t, 3))
		cmd.flags = rnd(t);
	p = PREP(cmd, data_uptr);
	if (!xioctl(t, OP_VIOMMU_ALLOC, fd, IOMMU_VIOMMU_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		id_add(t, c, T_VIOMMU, cmd.out_viommu_id);
		if (cmd.data_len >= sizeof(*data) && data->out_mmap_length) {
			pthread_mutex_lock(&c->lock);
			c->mmio[c->nmmio % 4].off = data->out_mmap_offset;
			c->mmio[c->nmmio % 4].len = data->out_mmap_length;
			c->nmmio++;
			pthread_mutex_unlock(&c->lock);
		}
	}
}

static void op_vdevice_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_vdevice_alloc cmd = { .size = sizeof(cmd) };
	void *p;

	cmd.viommu_id = pick_id(t, c, T_VIOMMU);
	cmd.dev_id = pick_id(t, c, T_IDEV);
	cmd.virt_id = chance(t, 90) ? rn(t, 4) : interesting64(t);
	p = PREP(cmd, virt_id);
	if (!xioctl(t, OP_VDEVICE_ALLOC, fd, IOMMU_VDEVICE_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		id_add(t, c, T_VDEV, cmd.out_vdevice_id);
	}
}

static void op_change_process(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	if (chance(t, 3))
		cmd.__reserved = rnd(t);
	xioctl(t, OP_IOAS_CHANGE_PROCESS, fd, IOMMU_IOAS_CHANGE_PROCESS,
	       PREP(cmd, __reserved));
}

static void op_veventq_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_veventq_alloc cmd = { .size = sizeof(cmd) };
	void *p;

	cmd.viommu_id = pick_id(t, c, T_VIOMMU);
	cmd.type = chance(t, 90) ? IOMMU_VEVENTQ_TYPE_SELFTEST : rn(t, 4);
	cmd.veventq_depth = chance(t, 90) ? 1 + rn(t, 4) : interesting64(t);
	if (chance(t, 3))
		cmd.flags = rnd(t);
	p = PREP(cmd, __reserved);
	if (!xioctl(t, OP_VEVENTQ_ALLOC, fd, IOMMU_VEVENTQ_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		set_nonblock(cmd.out_veventq_fd);
		id_add(t, c, T_VEVENTQ, cmd.out_veventq_id);
		fd_add(t, c, F_VEVENTQ, cmd.out_veventq_fd);
	}
}

static void op_hw_queue_alloc(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hw_queue_alloc cmd = { .size = sizeof(cmd) };
	void *p;

	cmd.viommu_id = pick_id(t, c, T_VIOMMU);
	cmd.type = chance(t, 95) ? IOMMU_HW_QUEUE_TYPE_SELFTEST : rn(t, 3);
	cmd.index = chance(t, 90) ? rn(t, 3) : rnd(t);
	cmd.nesting_parent_iova = pick_iova(t, c);
	if (chance(t, 30))
		cmd.nesting_parent_iova += PAGE / 2;
	cmd.length = chance(t, 60) ? PAGE / (1 + rn(t, 2)) : pick_len(t);
	if (chance(t, 3))
		cmd.flags = rnd(t);
	p = PREP(cmd, length);
	if (!xioctl(t, OP_HW_QUEUE_ALLOC, fd, IOMMU_HW_QUEUE_ALLOC, p)) {
		unprep(t, &cmd, p, sizeof(cmd));
		id_add(t, c, T_HWQ, cmd.out_hw_queue_id);
	}
}

static void op_bad_ioctl(struct thr *t, struct ctx *c, int fd)
{
	unsigned long req;

	switch (rn(t, 4)) {
	case 0:
		req = _IO(IOMMUFD_TYPE, rn(t, 256));
		break;
	case 1:
		req = _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + rn(t, 48));
		break;
	case 2:
		req = _IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + rn(t, 32),
			    struct iommu_ioas_map);
		break;
	default:
		req = (__u32)rnd(t);
		break;
	}
	memset(t->scratch, 0, 2 * PAGE);
	*(__u32 *)t->scratch = chance(t, 50) ? 8 + 8 * rn(t, 8) : rnd(t);
	xioctl(t, OP_BAD_IOCTL, fd, req, t->scratch);
}

/* IOMMU_TEST_CMD */
static void op_add_reserved(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ADD_RESERVED };

	cmd.id = pick_id(t, c, T_IOAS);
	cmd.add_reserved.start = pick_iova(t, c);
	cmd.add_reserved.length = pick_len(t);
	test_cmd(t, OP_T_ADD_RESERVED, fd, &cmd);
}

static void mock_domain(struct thr *t, struct ctx *c, int fd, bool flags)
{
	struct iommu_test_cmd cmd = {};
	int op = flags ? OP_T_MOCK_DOMAIN_FLAGS : OP_T_MOCK_DOMAIN;

	if (id_count(c, T_STDEV) >= SLOTS / 2) {
		op_destroy(t, c, fd);
		return;
	}
	cmd.op = flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
			 IOMMU_TEST_OP_MOCK_DOMAIN;
	cmd.id = chance(t, 80) ? pick_id(t, c, T_IOAS) : pick_pt(t, c);
	if (flags) {
		cmd.mock_domain_flags.dev_flags =
			pick_flags(t, MOCK_FLAGS_DEVICE_NO_DIRTY |
				      MOCK_FLAGS_DEVICE_PASID);
		if (chance(t, 3))
			cmd.mock_domain_flags.dev_flags |=
				MOCK_FLAGS_DEVICE_HUGE_IOVA;
	}
	if (!test_cmd(t, op, fd, &cmd)) {
		id_add(t, c, T_STDEV, cmd.mock_domain.out_stdev_id);
		id_add(t, c, T_HWPT, cmd.mock_domain.out_hwpt_id);
		id_add(t, c, T_IDEV, cmd.mock_domain.out_idev_id);
	}
}

static void op_mock_domain(struct thr *t, struct ctx *c, int fd)
{
	mock_domain(t, c, fd, false);
}

static void op_mock_domain_flags(struct thr *t, struct ctx *c, int fd)
{
	mock_domain(t, c, fd, true);
}

static void op_check_map(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_MAP };
	struct map_rec m;

	cmd.id = chance(t, 50) ? pick_hwpt(t, c) : pick_id(t, c, T_IOAS);
	if (map_pick(t, c, &m) && m.uva) {
		cmd.check_map.iova = m.iova;
		cmd.check_map.length = m.len;
		cmd.check_map.uptr = m.uva;
	} else {
		cmd.check_map.iova = pick_iova(t, c);
		cmd.check_map.length = pick_len(t);
		pick_mem(t, &cmd.check_map.uptr, &cmd.check_map.length);
	}
	test_cmd(t, OP_T_MD_CHECK_MAP, fd, &cmd);
}

static void op_check_refs(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_REFS };

	pick_mem(t, &cmd.check_refs.uptr, &cmd.check_refs.length);
	cmd.check_refs.refs = rn(t, 3);
	test_cmd(t, OP_T_MD_CHECK_REFS, fd, &cmd);
}

static void op_create_access(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_CREATE_ACCESS };

	cmd.id = pick_id(t, c, T_IOAS);
	cmd.create_access.flags = chance(t, 95) ? chance(t, 80) : rnd(t);
	if (!test_cmd(t, OP_T_CREATE_ACCESS, fd, &cmd)) {
		set_nonblock(cmd.create_access.out_access_fd);
		fd_add(t, c, F_ACCESS, cmd.create_access.out_access_fd);
	}
}

static void op_access_pages(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ACCESS_PAGES };
	struct map_rec m;
	int afd = fd_pick(t, c, F_ACCESS);

	cmd.id = afd;
	cmd.access_pages.flags = pick_flags(t, MOCK_FLAGS_ACCESS_WRITE |
					       MOCK_FLAGS_ACCESS_SYZ);
	if (map_pick(t, c, &m) && chance(t, 90)) {
		__u64 off = PAGE * rn(t, m.len / PAGE);

		cmd.access_pages.iova = m.iova + off;
		cmd.access_pages.length = m.len > off ? m.len - off : m.len;
		if (chance(t, 50))
			cmd.access_pages.length = PAGE;
		cmd.access_pages.uptr = m.uva ? m.uva + off : 0;
	} else {
		cmd.access_pages.iova = pick_iova(t, c);
		pick_mem(t, &cmd.access_pages.uptr, &cmd.access_pages.length);
	}
	if (!test_cmd(t, OP_T_ACCESS_PAGES, fd, &cmd)) {
		pthread_mutex_lock(&c->lock);
		if (c->naccp < SLOTS) {
			c->accp[c->naccp].afd = afd;
			c->accp[c->naccp].id =
				cmd.access_pages.out_access_pages_id;
			c->naccp++;
		}
		pthread_mutex_unlock(&c->lock);
	}
}

static void op_destroy_access_pages(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
	};
	int i = -1;

	pthread_mutex_lock(&c->lock);
	if (c->naccp && chance(t, 90)) {
		i = rn(t, c->naccp);
		cmd.id = c->accp[i].afd;
		cmd.destroy_access_pages.access_pages_id = c->accp[i].id;
		c->accp[i] = c->accp[--c->naccp];
	}
	pthread_mutex_unlock(&c->lock);
	if (i < 0) {
		cmd.id = fd_pick(t, c, F_ACCESS);
		cmd.destroy_access_pages.access_pages_id = rn(t, 16);
	}
	test_cmd(t, OP_T_DESTROY_ACCESS_PAGES, fd, &cmd);
}

static void op_access_rw(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ACCESS_RW };
	struct region *r = &regions[rn(t, NREGIONS)];
	__u64 len;

	cmd.id = fd_pick(t, c, F_ACCESS);
	cmd.access_rw.iova = pick_iova(t, c);
	if (chance(t, 30))
		cmd.access_rw.iova += rn(t, PAGE);
	len = chance(t, 90) ? 1 + rn(t, 3 * PAGE) : pick_len(t);
	/* User memory: a region, possibly running into its guard page */
	if (len > r->len)
		cmd.access_rw.uptr = (uintptr_t)r->addr;
	else
		cmd.access_rw.uptr = (uintptr_t)r->addr + rn(t, r->len - len);
	cmd.access_rw.length = len;
	cmd.access_rw.flags = pick_flags(t, MOCK_ACCESS_RW_WRITE |
					    MOCK_ACCESS_RW_SLOW_PATH);
	test_cmd(t, OP_T_ACCESS_RW, fd, &cmd);
}

static void op_memory_limit(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT
	};

	cmd.memory_limit.limit = chance(t, 50) ? 0 : rn(t, 64);
	test_cmd(t, OP_T_SET_TEMP_MEMORY_LIMIT, fd, &cmd);
}

static void op_domain_replace(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE };

	cmd.id = pick_id(t, c, T_STDEV);
	cmd.mock_domain_replace.pt_id = pick_pt(t, c);
	if (!test_cmd(t, OP_T_MOCK_DOMAIN_REPLACE, fd, &cmd) &&
	    cmd.mock_domain_replace.pt_id)
		seen_add(cmd.mock_domain_replace.pt_id);
}

static void op_access_replace(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS
	};

	cmd.id = fd_pick(t, c, F_ACCESS);
	cmd.access_replace_ioas.ioas_id = pick_id(t, c, T_IOAS);
	test_cmd(t, OP_T_ACCESS_REPLACE_IOAS, fd, &cmd);
}

static void op_dirty(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DIRTY };
	__u64 bytes, *bits;
	unsigned int i;

	cmd.id = pick_hwpt(t, c);
	bytes = dirty_range(t, c, &cmd.dirty.iova, &cmd.dirty.length,
			    &cmd.dirty.page_size);
	/*
	 * The mock sizes a kernel bitmap from length / page_size: keep that
	 * below a few MiB, several threads asking for 1 GiB exhaust the VM.
	 */
	if (cmd.dirty.length > (1ULL << 32))
		cmd.dirty.length = 1ULL << 32;
	bits = out_tail(t, bytes);
	for (i = 0; i < bytes / 8 && i < 16 * PAGE / 8; i++)
		bits[i] = chance(t, 50) ? rnd(t) : 0;
	cmd.dirty.uptr = (uintptr_t)bits;
	if (chance(t, 3))
		cmd.dirty.flags = rnd(t);
	test_cmd(t, OP_T_DIRTY, fd, &cmd);
}

static void op_check_iotlb(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MD_CHECK_IOTLB };

	cmd.id = pick_id(t, c, T_NESTED);
	cmd.check_iotlb.id = rn(t, 5);
	cmd.check_iotlb.iotlb = chance(t, 50) ? IOMMU_TEST_IOTLB_DEFAULT : 0;
	test_cmd(t, OP_T_MD_CHECK_IOTLB, fd, &cmd);
}

static void op_trigger_iopf(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_IOPF };

	cmd.trigger_iopf.dev_id = pick_id(t, c, T_IDEV);
	cmd.trigger_iopf.pasid = chance(t, 50) ? 0 : pick_pasid(t);
	cmd.trigger_iopf.grpid = rn(t, 4);
	cmd.trigger_iopf.perm = pick_flags(t, 0xf);
	cmd.trigger_iopf.addr = pick_iova(t, c);
	test_cmd(t, OP_T_TRIGGER_IOPF, fd, &cmd);
}

static void op_dev_check_cache(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DEV_CHECK_CACHE };

	cmd.id = pick_id(t, c, T_IDEV);
	cmd.check_dev_cache.id = rn(t, 5);
	cmd.check_dev_cache.cache =
		chance(t, 50) ? IOMMU_TEST_DEV_CACHE_DEFAULT : 0;
	test_cmd(t, OP_T_DEV_CHECK_CACHE, fd, &cmd);
}

static void op_trigger_vevent(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_VEVENT };

	cmd.trigger_vevent.dev_id = pick_id(t, c, T_IDEV);
	test_cmd(t, OP_T_TRIGGER_VEVENT, fd, &cmd);
}

static void op_pasid_attach(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_PASID_ATTACH };

	cmd.id = pick_id(t, c, T_STDEV);
	cmd.pasid_attach.pasid = pick_pasid(t);
	cmd.pasid_attach.pt_id = pick_pt(t, c);
	test_cmd(t, OP_T_PASID_ATTACH, fd, &cmd);
}

static void op_pasid_replace(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_PASID_REPLACE };

	cmd.id = pick_id(t, c, T_STDEV);
	cmd.pasid_replace.pasid = pick_pasid(t);
	cmd.pasid_replace.pt_id = pick_pt(t, c);
	test_cmd(t, OP_T_PASID_REPLACE, fd, &cmd);
}

static void op_pasid_detach(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_PASID_DETACH };

	cmd.id = pick_id(t, c, T_STDEV);
	cmd.pasid_detach.pasid = pick_pasid(t);
	test_cmd(t, OP_T_PASID_DETACH, fd, &cmd);
}

static void op_pasid_check(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_PASID_CHECK_HWPT };

	cmd.id = pick_id(t, c, T_STDEV);
	cmd.pasid_check.pasid = pick_pasid(t);
	cmd.pasid_check.hwpt_id = chance(t, 30) ? 0 : pick_hwpt(t, c);
	test_cmd(t, OP_T_PASID_CHECK_HWPT, fd, &cmd);
}

static void op_dmabuf_get(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DMABUF_GET };
	int victim = -1, rc;

	cmd.dmabuf_get.length = chance(t, 90) ? PAGE * (1 + rn(t, 16)) :
						interesting64(t);
	cmd.dmabuf_get.open_flags = chance(t, 95) ? O_CLOEXEC : rnd(t);
	rc = test_cmd(t, OP_T_DMABUF_GET, fd, &cmd);
	if (rc <= 0)
		return;
	pthread_mutex_lock(&glock);
	if (dmabufs.n < NFDS) {
		dmabufs.v[dmabufs.n++] = rc;
	} else {
		int i = rn(t, NFDS);

		victim = dmabufs.v[i];
		dmabufs.v[i] = rc;
	}
	pthread_mutex_unlock(&glock);
	if (victim >= 0)
		close(victim);
}

static void op_dmabuf_revoke(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_DMABUF_REVOKE };

	cmd.dmabuf_revoke.dmabuf_fd = -1;
	pthread_mutex_lock(&glock);
	if (dmabufs.n)
		cmd.dmabuf_revoke.dmabuf_fd = dmabufs.v[rn(t, dmabufs.n)];
	pthread_mutex_unlock(&glock);
	if (chance(t, 10))
		cmd.dmabuf_revoke.dmabuf_fd = chance(t, 50) ? fd :
					      memfds[0].fd;
	cmd.dmabuf_revoke.revoked = chance(t, 95) ? rn(t, 2) : rnd(t);
	test_cmd(t, OP_T_DMABUF_REVOKE, fd, &cmd);
}

static void op_bad_test_op(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd cmd = {};
	unsigned int i;

	cmd.op = chance(t, 50) ? 24 + rn(t, 16) : rnd(t);
	if (chance(t, 30))
		cmd.op = rn(t, 24);
	cmd.id = pick_id(t, c, rn(t, T_NTYPES));
	for (i = 0; i != 6; i++)
		((__u64 *)&cmd.add_reserved)[i] = chance(t, 50) ? 0 : rnd(t);
	/* Pointers in the union must not reach our own memory */
	for (i = 0; i != 6; i++) {
		__u64 *w = &((__u64 *)&cmd.add_reserved)[i];

		if (*w > 0x10000 && *w < 0x800000000000ULL)
			*w |= 0x8000000000000000ULL;
	}
	test_cmd(t, OP_T_BAD_OP, fd, &cmd);
}

/* The VFIO container compat ioctls */
static void op_v_api(struct thr *t, struct ctx *c, int fd)
{
	xioctl(t, OP_V_GET_API_VERSION, fd, VFIO_GET_API_VERSION, NULL);
}

static void op_v_ext(struct thr *t, struct ctx *c, int fd)
{
	xioctl(t, OP_V_CHECK_EXTENSION, fd, VFIO_CHECK_EXTENSION,
	       (void *)(uintptr_t)(chance(t, 90) ? rn(t, 12) : rnd(t)));
}

static void op_v_set_iommu(struct thr *t, struct ctx *c, int fd)
{
	static const unsigned long v[] = { VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU,
					   VFIO_TYPE1v2_IOMMU, 0, 2, 8, 1000 };

	xioctl(t, OP_V_SET_IOMMU, fd, VFIO_SET_IOMMU,
	       (void *)v[rn(t, ARRAY_SIZE(v))]);
}

static void op_v_get_info(struct thr *t, struct ctx *c, int fd)
{
	struct vfio_iommu_type1_info cmd = { .argsz = sizeof(cmd) };
	char *p;

	if (chance(t, 50))
		cmd.argsz = 64 + rn(t, 512);
	/* argsz may exceed the structure: the scratch area has 2 pages */
	p = prep(t, &cmd, sizeof(cmd), offsetofend(typeof(cmd), iova_pgsizes));
	xioctl(t, OP_V_IOMMU_GET_INFO, fd, VFIO_IOMMU_GET_INFO, p);
}

static void op_v_map(struct thr *t, struct ctx *c, int fd)
{
	struct vfio_iommu_type1_dma_map cmd = { .argsz = sizeof(cmd) };

	cmd.flags = pick_flags(t, VFIO_DMA_MAP_FLAG_READ |
				  VFIO_DMA_MAP_FLAG_WRITE);
	if (chance(t, 80))
		cmd.flags |= VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	pick_mem(t, &cmd.vaddr, &cmd.size);
	cmd.iova = pick_iova(t, c);
	xioctl(t, OP_V_MAP_DMA, fd, VFIO_IOMMU_MAP_DMA, PREP(cmd, size));
}

static void op_v_unmap(struct thr *t, struct ctx *c, int fd)
{
	struct {
		struct vfio_iommu_type1_dma_unmap hdr;
		struct vfio_bitmap bm;
	} cmd = { .hdr.argsz = sizeof(cmd.hdr) };
	struct map_rec m;

	cmd.hdr.flags = chance(t, 70) ? 0 :
			pick_flags(t, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
				      VFIO_DMA_UNMAP_FLAG_ALL);
	if (chance(t, 60) && map_pick(t, c, &m)) {
		cmd.hdr.iova = m.iova;
		cmd.hdr.size = m.len;
	} else {
		cmd.hdr.iova = pick_iova(t, c);
		cmd.hdr.size = pick_len(t);
	}
	if (cmd.hdr.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		cmd.hdr.argsz = sizeof(cmd);
		cmd.bm.pgsize = PAGE;
		cmd.bm.size = 8 * (1 + rn(t, 64));
		cmd.bm.data = (void *)out_tail(t, cmd.bm.size);
	}
	xioctl(t, OP_V_UNMAP_DMA, fd, VFIO_IOMMU_UNMAP_DMA,
	       prep(t, &cmd, sizeof(cmd), sizeof(cmd.hdr)));
}

static void op_v_dirty(struct thr *t, struct ctx *c, int fd)
{
	struct {
		struct vfio_iommu_type1_dirty_bitmap hdr;
		struct vfio_iommu_type1_dirty_bitmap_get get;
	} cmd = { .hdr.argsz = sizeof(cmd.hdr) };
	__u64 bytes, pgsize;

	cmd.hdr.flags = 1u << rn(t, 3);
	if (chance(t, 5))
		cmd.hdr.flags = rnd(t);
	if (cmd.hdr.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP) {
		cmd.hdr.argsz = sizeof(cmd);
		bytes = dirty_range(t, c, &cmd.get.iova, &cmd.get.size,
				    &pgsize);
		cmd.get.bitmap.pgsize = pgsize;
		cmd.get.bitmap.size = chance(t, 90) ? bytes : interesting64(t);
		cmd.get.bitmap.data = (void *)out_tail(t, bytes);
	}
	xioctl(t, OP_V_DIRTY_PAGES, fd, VFIO_IOMMU_DIRTY_PAGES,
	       prep(t, &cmd, sizeof(cmd), sizeof(cmd.hdr)));
}

/* File operations on the fault queue and vEVENTQ files */
static void op_fault_read(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_pgfault *f = (void *)(t->out + 8 * PAGE);
	int afd = fd_pick(t, c, F_FAULTQ);
	size_t count = sizeof(*f) * (1 + rn(t, 4));
	ssize_t n;
	int i;

	if (chance(t, 10))
		count = rn(t, sizeof(*f) + 1);
	n = read(afd, f, count);
	rec(t, OP_F_FAULT_READ, n < 0 ? errno : 0);
	for (i = 0; n > 0 && i < n / (ssize_t)sizeof(*f); i++)
		t->cookies[t->ncookies++ % 8] = f[i].cookie;
}

static void op_fault_write(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_hwpt_page_response *r = (void *)(t->out + 8 * PAGE);
	int afd = fd_pick(t, c, F_FAULTQ);
	unsigned int i, n = 1 + rn(t, 3);
	size_t count;
	ssize_t rc;

	for (i = 0; i != n; i++) {
		r[i].cookie = t->ncookies && chance(t, 80) ?
			t->cookies[rn(t, t->ncookies < 8 ? t->ncookies : 8)] :
			rn(t, 16);
		r[i].code = chance(t, 90) ? rn(t, 2) : rnd(t);
	}
	count = n * sizeof(*r);
	if (chance(t, 10))
		count = rn(t, count + 1);
	rc = write(afd, r, count);
	rec(t, OP_F_FAULT_WRITE, rc < 0 ? errno : 0);
}

static void op_veventq_read(struct thr *t, struct ctx *c, int fd)
{
	static const size_t counts[] = { 8, 12, 11, 24, 64, 4096, 0, 7 };
	int afd = fd_pick(t, c, F_VEVENTQ);
	size_t count = counts[rn(t, ARRAY_SIZE(counts))];
	ssize_t n;

	if (chance(t, 10))
		n = pread(afd, t->out + 8 * PAGE, count, 1 + rn(t, 16));
	else
		n = read(afd, t->out + 8 * PAGE, count);
	rec(t, OP_F_VEVENTQ_READ, n < 0 ? errno : 0);
}

static void op_poll(struct thr *t, struct ctx *c, int fd)
{
	struct pollfd p[3] = {};
	int rc;

	p[0].fd = fd_pick(t, c, F_FAULTQ);
	p[1].fd = fd_pick(t, c, F_VEVENTQ);
	p[2].fd = fd;
	p[0].events = p[1].events = p[2].events = POLLIN | POLLOUT;
	rc = poll(p, 3, rn(t, 3));
	rec(t, OP_F_POLL, rc < 0 ? errno : 0);
}

static void op_close(struct thr *t, struct ctx *c, int fd)
{
	int afd, kind = rn(t, F_NKINDS + 1);

	if (kind == F_NKINDS) {
		pthread_mutex_lock(&glock);
		afd = chance(t, 50) ? fdlist_take(t, &orphans) :
				      fdlist_take(t, &dmabufs);
		pthread_mutex_unlock(&glock);
	} else {
		pthread_mutex_lock(&c->lock);
		afd = fdlist_take(t, &c->fds[kind]);
		pthread_mutex_unlock(&c->lock);
	}
	if (afd < 0)
		return;
	rec(t, OP_F_CLOSE, close(afd) ? errno : 0);
}

static void op_mmap(struct thr *t, struct ctx *c, int fd)
{
	__u64 off = PAGE, len = 2 * PAGE;
	int prot = PROT_READ, flags = MAP_SHARED;
	void *p;

	pthread_mutex_lock(&c->lock);
	if (c->nmmio) {
		int i = rn(t, c->nmmio < 4 ? c->nmmio : 4);

		off = c->mmio[i].off;
		len = c->mmio[i].len;
	}
	pthread_mutex_unlock(&c->lock);
	switch (rn(t, 12)) {
	case 0:
		off += PAGE;
		break;
	case 1:
		len += PAGE;
		break;
	case 2:
		len = PAGE;
		break;
	case 3:
		prot |= PROT_EXEC;
		break;
	case 4:
		flags = MAP_PRIVATE;
		break;
	case 5:
		off = 0;
		break;
	case 6:
		prot |= PROT_WRITE;
		break;
	default:
		break;
	}
	p = mmap(NULL, len, prot, flags, fd, off);
	rec(t, OP_F_MMAP, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	pthread_mutex_lock(&glock);
	if (nmmios < NMMIO) {
		mmios[nmmios].addr = p;
		mmios[nmmios].len = len;
		nmmios++;
		p = NULL;
	}
	pthread_mutex_unlock(&glock);
	if (p)
		munmap(p, len);
}

static void op_munmap(struct thr *t, struct ctx *c, int fd)
{
	void *p = NULL;
	size_t len = 0;
	int rc;

	pthread_mutex_lock(&glock);
	if (nmmios) {
		int i = rn(t, nmmios);

		p = mmios[i].addr;
		len = mmios[i].len;
		if (len > (size_t)PAGE && chance(t, 30)) {
			/* Split the VMA: unmap the first page only */
			mmios[i].addr = (char *)p + PAGE;
			mmios[i].len -= PAGE;
			len = PAGE;
		} else {
			mmios[i] = mmios[--nmmios];
		}
	}
	pthread_mutex_unlock(&glock);
	if (!p)
		return;
	rc = munmap(p, len);
	rec(t, OP_F_MUNMAP, rc ? errno : 0);
}

/* User memory under existing mappings changes */
static int region_map(struct region *r, char *addr, size_t len, bool fixed)
{
	int flags = fixed ? MAP_FIXED : 0, fd = -1;
	void *p;

	switch (r->kind) {
	case 0:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case 1:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case 2:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	default:
		flags |= MAP_SHARED;
		fd = memfds[r->memfd].fd;
		break;
	}
	p = mmap(addr, len, PROT_READ | PROT_WRITE, flags, fd,
		 fd >= 0 ? addr - r->addr : 0);
	if (p == MAP_FAILED && fixed)
		p = mmap(addr, len, PROT_NONE, MAP_FIXED | MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}

static void op_churn(struct thr *t, struct ctx *c, int fd)
{
	struct region *r = &regions[rn(t, NREGIONS)];
	size_t unit = r->kind == 2 ? r->len : PAGE;
	size_t off = unit * rn(t, r->len / unit);
	size_t len = unit * (1 + rn(t, (r->len - off) / unit));
	char *a = r->addr + off;
	int rc;

	pthread_mutex_lock(&r->lock);
	switch (rn(t, 6)) {
	case 0:
		rc = mprotect(a, len, PROT_NONE);
		break;
	case 1:
		rc = mprotect(a, len, PROT_READ);
		break;
	case 2:
		rc = mprotect(a, len, PROT_READ | PROT_WRITE);
		break;
	case 3:
		/* "munmap" that keeps the address range reserved */
		rc = mmap(a, len, PROT_NONE, MAP_FIXED | MAP_PRIVATE |
			  MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED;
		break;
	case 4:
		rc = madvise(a, len, MADV_DONTNEED);
		break;
	default:
		/* New pages at the same address */
		rc = region_map(r, a, len, true);
		break;
	}
	pthread_mutex_unlock(&r->lock);
	rec(t, OP_M_CHURN, rc ? errno : 0);
}

static void op_truncate(struct thr *t, struct ctx *c, int fd)
{
	struct memfd_rec *m = &memfds[rn(t, NMEMFDS)];
	off_t size = m->size;
	int rc;

	if (chance(t, 50))
		size = PAGE * rn(t, m->size / PAGE);
	rc = ftruncate(m->fd, size);
	rec(t, OP_M_TRUNCATE, rc ? errno : 0);
}

/*
 * A valid chain of objects, built to a random depth with unmutated calls so
 * that the deep states (vIOMMU, vDEVICE, nested HWPT with a fault queue,
 * vEVENTQ, HW queue, PASID attachments, pinned accesses) are reached. The
 * calls count under their own operation names.
 */
static int vioctl(struct thr *t, int op, int fd, unsigned long req, void *arg)
{
	int rc;

	if (skip_op[op]) {
		errno = EPERM;
		return -1;
	}
	/* Every structure given here starts with its u32 size */
	memset(t->argw, 0, sizeof(t->argw));
	memcpy(t->argw, arg, *(__u32 *)arg < sizeof(t->argw) ?
			     *(__u32 *)arg : sizeof(t->argw));
	rc = ioctl(fd, req, arg);
	rec(t, op, rc < 0 ? errno : 0);
	return rc;
}

static void op_build(struct thr *t, struct ctx *c, int fd)
{
	struct iommu_test_cmd tc = { .size = sizeof(tc) };
	__u32 ioas, stdev, idev, parent = 0, viommu = 0, nested = 0;
	__u32 fault_id = 0, virt_id = 1 + rn(t, 3);
	int depth = 1 + rn(t, 12), step = 0, afd = -1;
	struct map_rec m = {};

	/* 1: an IOAS */
	if (id_count(c, T_IOAS) && chance(t, 85)) {
		ioas = pick_id(t, c, T_IOAS);
	} else {
		struct iommu_ioas_alloc a = { .size = sizeof(a) };

		if (vioctl(t, OP_IOAS_ALLOC, fd, IOMMU_IOAS_ALLOC, &a))
			return;
		ioas = a.out_ioas_id;
		id_add(t, c, T_IOAS, ioas);
	}
	if (++step > depth)
		return;
	/* 2: a mock device attached to it */
	if (id_count(c, T_STDEV) >= SLOTS / 2) {
		stdev = pick_id(t, c, T_STDEV);
		idev = pick_id(t, c, T_IDEV);
	} else {
		tc.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS;
		tc.id = ioas;
		tc.mock_domain_flags.dev_flags =
			pick_flags(t, MOCK_FLAGS_DEVICE_PASID) |
			(chance(t, 10) ? MOCK_FLAGS_DEVICE_NO_DIRTY : 0);
		if (vioctl(t, OP_T_MOCK_DOMAIN_FLAGS, fd, IOMMU_TEST_CMD, &tc))
			return;
		stdev = tc.mock_domain_flags.out_stdev_id;
		idev = tc.mock_domain_flags.out_idev_id;
		id_add(t, c, T_STDEV, stdev);
		id_add(t, c, T_IDEV, idev);
		id_add(t, c, T_HWPT, tc.mock_domain_flags.out_hwpt_id);
	}
	if (++step > depth)
		return;
	/* 3: memory mapped in the IOAS */
	{
		struct iommu_ioas_map a = {
			.size = sizeof(a),
			.flags = IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas,
		};
		struct region *r = &regions[rn(t, NREGIONS)];
		size_t n = 1 + rn(t, 8);

		if (n * PAGE > r->len)
			n = r->len / PAGE;
		a.user_va = (uintptr_t)r->addr;
		a.length = n * PAGE;
		if (!vioctl(t, OP_IOAS_MAP, fd, IOMMU_IOAS_MAP, &a)) {
			m.ioas = ioas;
			m.iova = a.iova;
			m.len = a.length;
			m.uva = a.user_va;
			map_add(t, c, ioas, a.iova, a.length, a.user_va);
		}
	}
	if (++step > depth)
		return;
	/* 4: an access pinning some of it */
	if (chance(t, 50)) {
		tc.op = IOMMU_TEST_OP_CREATE_ACCESS;
		tc.id = ioas;
		tc.create_access.flags =
			MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
		if (!vioctl(t, OP_T_CREATE_ACCESS, fd, IOMMU_TEST_CMD, &tc)) {
			afd = tc.create_access.out_access_fd;
			fd_add(t, c, F_ACCESS, afd);
		}
		if (afd >= 0 && m.len) {
			memset(&tc.access_pages, 0, sizeof(tc.access_pages));
			tc.op = IOMMU_TEST_OP_ACCESS_PAGES;
			tc.id = afd;
			tc.access_pages.iova = m.iova;
			tc.access_pages.length = PAGE;
			tc.access_pages.uptr = m.uva;
			tc.access_pages.flags = rn(t, 2);
			if (!vioctl(t, OP_T_ACCESS_PAGES, fd, IOMMU_TEST_CMD,
				    &tc)) {
				pthread_mutex_lock(&c->lock);
				if (c->naccp < SLOTS) {
					c->accp[c->naccp].afd = afd;
					c->accp[c->naccp].id =
					tc.access_pages.out_access_pages_id;
					c->naccp++;
				}
				pthread_mutex_unlock(&c->lock);
			}
		}
	}
	/* 5: a nesting parent */
	{
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a),
			.flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				 pick_flags(t, IOMMU_HWPT_ALLOC_PASID |
					       IOMMU_HWPT_ALLOC_DIRTY_TRACKING),
			.dev_id = idev,
			.pt_id = ioas,
		};

		if (vioctl(t, OP_HWPT_ALLOC, fd, IOMMU_HWPT_ALLOC, &a))
			return;
		parent = a.out_hwpt_id;
		id_add(t, c, T_PARENT, parent);
	}
	if (++step > depth)
		return;
	/* 6: a vIOMMU on it */
	{
		struct iommu_viommu_selftest d = { .in_data = rnd(t) };
		struct iommu_viommu_alloc a = {
			.size = sizeof(a),
			.type = IOMMU_VIOMMU_TYPE_SELFTEST,
			.dev_id = idev,
			.hwpt_id = parent,
			.data_len = sizeof(d),
			.data_uptr = (uintptr_t)&d,
		};

		if (vioctl(t, OP_VIOMMU_ALLOC, fd, IOMMU_VIOMMU_ALLOC, &a))
			return;
		viommu = a.out_viommu_id;
		id_add(t, c, T_VIOMMU, viommu);
		pthread_mutex_lock(&c->lock);
		c->mmio[c->nmmio % 4].off = d.out_mmap_offset;
		c->mmio[c->nmmio % 4].len = d.out_mmap_length;
		c->nmmio++;
		pthread_mutex_unlock(&c->lock);
	}
	if (++step > depth)
		return;
	/* 7: a vDEVICE */
	{
		struct iommu_vdevice_alloc a = {
			.size = sizeof(a),
			.viommu_id = viommu,
			.dev_id = idev,
			.virt_id = virt_id,
		};

		if (!vioctl(t, OP_VDEVICE_ALLOC, fd, IOMMU_VDEVICE_ALLOC, &a))
			id_add(t, c, T_VDEV, a.out_vdevice_id);
	}
	if (++step > depth)
		return;
	/* 8: a fault queue, and a nested HWPT on the vIOMMU */
	if (chance(t, 50)) {
		struct iommu_fault_alloc a = { .size = sizeof(a) };

		if (!vioctl(t, OP_FAULT_QUEUE_ALLOC, fd,
			    IOMMU_FAULT_QUEUE_ALLOC, &a)) {
			fault_id = a.out_fault_id;
			set_nonblock(a.out_fault_fd);
			id_add(t, c, T_FAULT, fault_id);
			fd_add(t, c, F_FAULTQ, a.out_fault_fd);
		}
	}
	{
		struct iommu_hwpt_selftest d = {
			.iotlb = IOMMU_TEST_IOTLB_DEFAULT
		};
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a),
			.flags = fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0,
			.dev_id = idev,
			.pt_id = chance(t, 80) ? viommu : parent,
			.data_type = IOMMU_HWPT_DATA_SELFTEST,
			.data_len = 4,
			.data_uptr = (uintptr_t)&d,
			.fault_id = fault_id,
		};

		if (vioctl(t, OP_HWPT_ALLOC, fd, IOMMU_HWPT_ALLOC, &a))
			return;
		nested = a.out_hwpt_id;
		id_add(t, c, T_NESTED, nested);
	}
	if (++step > depth)
		return;
	/* 9: the device moves onto it, or a PASID of it does */
	memset(&tc.pasid_attach, 0, sizeof(tc.pasid_attach));
	if (chance(t, 70)) {
		tc.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
		tc.id = stdev;
		tc.mock_domain_replace.pt_id = nested;
		vioctl(t, OP_T_MOCK_DOMAIN_REPLACE, fd, IOMMU_TEST_CMD, &tc);
	} else {
		tc.op = IOMMU_TEST_OP_PASID_ATTACH;
		tc.id = stdev;
		tc.pasid_attach.pasid = 1 + rn(t, 3);
		tc.pasid_attach.pt_id = chance(t, 50) ? nested : parent;
		vioctl(t, OP_T_PASID_ATTACH, fd, IOMMU_TEST_CMD, &tc);
	}
	if (++step > depth)
		return;
	/* 10: a vEVENTQ and an event */
	{
		struct iommu_veventq_alloc a = {
			.size = sizeof(a),
			.viommu_id = viommu,
			.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
			.veventq_depth = 1 + rn(t, 3),
		};

		if (!vioctl(t, OP_VEVENTQ_ALLOC, fd, IOMMU_VEVENTQ_ALLOC,
			    &a)) {
			set_nonblock(a.out_veventq_fd);
			id_add(t, c, T_VEVENTQ, a.out_veventq_id);
			fd_add(t, c, F_VEVENTQ, a.out_veventq_fd);
		}
		memset(&tc.trigger_vevent, 0, sizeof(tc.trigger_vevent));
		tc.op = IOMMU_TEST_OP_TRIGGER_VEVENT;
		tc.trigger_vevent.dev_id = idev;
		vioctl(t, OP_T_TRIGGER_VEVENT, fd, IOMMU_TEST_CMD, &tc);
	}
	if (++step > depth)
		return;
	/* 11: a page fault */
	memset(&tc.trigger_iopf, 0, sizeof(tc.trigger_iopf));
	tc.op = IOMMU_TEST_OP_TRIGGER_IOPF;
	tc.trigger_iopf.dev_id = idev;
	tc.trigger_iopf.pasid = rn(t, 4);
	tc.trigger_iopf.grpid = rn(t, 4);
	tc.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ;
	tc.trigger_iopf.addr = m.iova;
	vioctl(t, OP_T_TRIGGER_IOPF, fd, IOMMU_TEST_CMD, &tc);
	if (++step > depth)
		return;
	/* 12: HW queues over the mapped memory */
	if (m.len) {
		struct iommu_hw_queue_alloc a = {
			.size = sizeof(a),
			.viommu_id = viommu,
			.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
			.nesting_parent_iova = m.iova,
			.length = PAGE,
		};

		if (!vioctl(t, OP_HW_QUEUE_ALLOC, fd, IOMMU_HW_QUEUE_ALLOC,
			    &a)) {
			id_add(t, c, T_HWQ, a.out_hw_queue_id);
			a.index = 1;
			a.nesting_parent_iova += PAGE / 2;
			a.length = PAGE / 2;
			if (!vioctl(t, OP_HW_QUEUE_ALLOC, fd,
				    IOMMU_HW_QUEUE_ALLOC, &a))
				id_add(t, c, T_HWQ, a.out_hw_queue_id);
		}
	}
	/* 13: the VFIO compat IOAS of this context */
	if (chance(t, 30)) {
		struct iommu_vfio_ioas a = {
			.size = sizeof(a),
			.ioas_id = ioas,
			.op = IOMMU_VFIO_IOAS_SET,
		};

		vioctl(t, OP_VFIO_IOAS, fd, IOMMU_VFIO_IOAS, &a);
		xioctl(t, OP_V_SET_IOMMU, fd, VFIO_SET_IOMMU,
		       (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
	}
}

static void op_ctx_close(struct thr *t, struct ctx *c, int fd)
{
	ctx_close(t, c);
	rec(t, OP_C_CLOSE, 0);
}

typedef void (*op_fn)(struct thr *t, struct ctx *c, int fd);

static const op_fn op_fns[NOPS] = {
	[OP_DESTROY] = op_destroy,
	[OP_IOAS_ALLOC] = op_ioas_alloc,
	[OP_IOAS_ALLOW_IOVAS] = op_allow_iovas,
	[OP_IOAS_COPY] = op_ioas_copy,
	[OP_IOAS_IOVA_RANGES] = op_iova_ranges,
	[OP_IOAS_MAP] = op_ioas_map,
	[OP_IOAS_MAP_FILE] = op_ioas_map_file,
	[OP_IOAS_UNMAP] = op_ioas_unmap,
	[OP_OPTION] = op_option,
	[OP_VFIO_IOAS] = op_vfio_ioas,
	[OP_HWPT_ALLOC] = op_hwpt_alloc,
	[OP_GET_HW_INFO] = op_get_hw_info,
	[OP_HWPT_SET_DIRTY_TRACKING] = op_set_dirty,
	[OP_HWPT_GET_DIRTY_BITMAP] = op_get_dirty,
	[OP_HWPT_INVALIDATE] = op_hwpt_invalidate,
	[OP_FAULT_QUEUE_ALLOC] = op_fault_alloc,
	[OP_VIOMMU_ALLOC] = op_viommu_alloc,
	[OP_VDEVICE_ALLOC] = op_vdevice_alloc,
	[OP_IOAS_CHANGE_PROCESS] = op_change_process,
	[OP_VEVENTQ_ALLOC] = op_veventq_alloc,
	[OP_HW_QUEUE_ALLOC] = op_hw_queue_alloc,
	[OP_BAD_IOCTL] = op_bad_ioctl,
	[OP_T_ADD_RESERVED] = op_add_reserved,
	[OP_T_MOCK_DOMAIN] = op_mock_domain,
	[OP_T_MOCK_DOMAIN_FLAGS] = op_mock_domain_flags,
	[OP_T_MD_CHECK_MAP] = op_check_map,
	[OP_T_MD_CHECK_REFS] = op_check_refs,
	[OP_T_CREATE_ACCESS] = op_create_access,
	[OP_T_DESTROY_ACCESS_PAGES] = op_destroy_access_pages,
	[OP_T_ACCESS_PAGES] = op_access_pages,
	[OP_T_ACCESS_RW] = op_access_rw,
	[OP_T_SET_TEMP_MEMORY_LIMIT] = op_memory_limit,
	[OP_T_MOCK_DOMAIN_REPLACE] = op_domain_replace,
	[OP_T_ACCESS_REPLACE_IOAS] = op_access_replace,
	[OP_T_DIRTY] = op_dirty,
	[OP_T_MD_CHECK_IOTLB] = op_check_iotlb,
	[OP_T_TRIGGER_IOPF] = op_trigger_iopf,
	[OP_T_DEV_CHECK_CACHE] = op_dev_check_cache,
	[OP_T_TRIGGER_VEVENT] = op_trigger_vevent,
	[OP_T_PASID_ATTACH] = op_pasid_attach,
	[OP_T_PASID_REPLACE] = op_pasid_replace,
	[OP_T_PASID_DETACH] = op_pasid_detach,
	[OP_T_PASID_CHECK_HWPT] = op_pasid_check,
	[OP_T_DMABUF_GET] = op_dmabuf_get,
	[OP_T_DMABUF_REVOKE] = op_dmabuf_revoke,
	[OP_T_BAD_OP] = op_bad_test_op,
	[OP_V_GET_API_VERSION] = op_v_api,
	[OP_V_CHECK_EXTENSION] = op_v_ext,
	[OP_V_SET_IOMMU] = op_v_set_iommu,
	[OP_V_IOMMU_GET_INFO] = op_v_get_info,
	[OP_V_MAP_DMA] = op_v_map,
	[OP_V_UNMAP_DMA] = op_v_unmap,
	[OP_V_DIRTY_PAGES] = op_v_dirty,
	[OP_F_FAULT_READ] = op_fault_read,
	[OP_F_FAULT_WRITE] = op_fault_write,
	[OP_F_VEVENTQ_READ] = op_veventq_read,
	[OP_F_POLL] = op_poll,
	[OP_F_CLOSE] = op_close,
	[OP_F_MMAP] = op_mmap,
	[OP_F_MUNMAP] = op_munmap,
	[OP_M_CHURN] = op_churn,
	[OP_M_TRUNCATE] = op_truncate,
	[OP_C_CLOSE] = op_ctx_close,
	[OP_S_BUILD] = op_build,
};

static int pick_op(struct thr *t)
{
	unsigned int r = rn(t, weight_sum);
	int i;

	for (i = 0; i != NOPS; i++) {
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return OP_DESTROY;
}

static bool past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t_deadline.tv_sec ||
	       (now.tv_sec == t_deadline.tv_sec &&
		now.tv_nsec >= t_deadline.tv_nsec);
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	unsigned long i;

	t->tid = gettid();
	for (i = 0; i != t->ncalls; i++) {
		struct ctx *c;
		int op, fd;

		if (!(i & 31) && (stop_now || past_deadline())) {
			stop_now = true;
			break;
		}
		op = pick_op(t);
		c = &ctxs[rn(t, NCTX)];
		fd = ctx_fd(c);
		thr_op[t->idx] = op;
		t->cur = i;
		if (verbose) {
			pthread_mutex_lock(&out_lock);
			printf("# t%d %lu %s\n", t->idx, i, op_names[op]);
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
		}
		op_fns[op](t, c, fd);
		__atomic_fetch_add(&progress, 1, __ATOMIC_RELAXED);
	}
	thr_op[t->idx] = -1;
	return NULL;
}

/* Per-pass setup of the user memory */
static char *reserve(struct region *r, size_t align)
{
	char *p;

	r->res_len = r->len + align + PAGE;
	p = mmap(NULL, r->res_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	r->res = p;
	return (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

static int setup_memory(void)
{
	static const size_t msizes[NMEMFDS] = { 16, 64, 256, 520 };
	static const struct { int kind; size_t pages; } rdef[NREGIONS] = {
		{ 0, 16 }, { 0, 256 }, { 1, 64 }, { 2, 512 }, { 3, 64 },
		{ 3, 256 },
	};
	int i;

	for (i = 0; i != NMEMFDS; i++) {
		memfds[i].size = msizes[i] * PAGE;
		memfds[i].fd = memfd_create("iommufd_fuzz", MFD_CLOEXEC);
		if (memfds[i].fd < 0 ||
		    ftruncate(memfds[i].fd, memfds[i].size))
			return -1;
	}
	for (i = 0; i != NREGIONS; i++) {
		struct region *r = &regions[i];
		size_t align = PAGE;

		r->kind = rdef[i].kind;
		if (r->kind == 2 && !have_hugetlb)
			r->kind = 0;
		r->len = rdef[i].pages * PAGE;
		if (r->kind == 2)
			align = 2 * 1024 * 1024;
		r->memfd = r->kind == 3 ? (i == 4 ? 1 : 3) : -1;
		pthread_mutex_init(&r->lock, NULL);
		r->addr = reserve(r, align);
		if (!r->addr || region_map(r, r->addr, r->len, true))
			return -1;
		memset(r->addr, 0x5a + i, r->len);
	}
	return 0;
}

static void teardown_memory(void)
{
	int i;

	for (i = 0; i != NREGIONS; i++)
		munmap(regions[i].res, regions[i].res_len);
	for (i = 0; i != nmmios; i++)
		munmap(mmios[i].addr, mmios[i].len);
	nmmios = 0;
}

static bool probe_hugetlb(void)
{
	void *p = mmap(NULL, 2 * 1024 * 1024, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, 2 * 1024 * 1024);
	return true;
}

/* Accounting */
struct acct {
	long vmpin, vmlck, mlocked, avail;
	long long kernel, slab, percpu, sock, pagetables, vmalloc, kstack;
	bool memcg;
};

static char cg_dir[128];

static long kb_line(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static long long memstat(const char *key)
{
	char path[192], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg_dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			val = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static void read_acct(struct acct *a)
{
	a->vmpin = kb_line("/proc/self/status", "VmPin");
	a->vmlck = kb_line("/proc/self/status", "VmLck");
	a->mlocked = kb_line("/proc/meminfo", "Mlocked");
	a->avail = kb_line("/proc/meminfo", "MemAvailable");
	a->memcg = cg_dir[0] != 0;
	if (!a->memcg)
		return;
	a->kernel = memstat("kernel");
	a->slab = memstat("slab");
	a->percpu = memstat("percpu");
	a->sock = memstat("sock");
	a->pagetables = memstat("pagetables");
	a->vmalloc = memstat("vmalloc");
	a->kstack = memstat("kernel_stack");
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Put the process into a memory cgroup of its own, if cgroup2 allows */
/* Enough for every mapping the fuzzer makes, far less than the VM has */
#define FUZZ_MEMLOCK (256ULL << 20)

static void drop_cap_ipc_lock(void)
{
	cap_value_t cap = CAP_IPC_LOCK;
	cap_t caps = cap_get_proc();

	if (!caps)
		return;
	if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_CLEAR) ||
	    cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_CLEAR) ||
	    cap_set_proc(caps))
		ksft_print_msg("could not drop CAP_IPC_LOCK: %s\n",
			       strerror(errno));
	cap_free(caps);
}

static void setup_memcg(void)
{
	char path[192], pid[32];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/cgroup.controllers");
	if (stat(path, &st)) {
		if (mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL))
			return;
	}
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(cg_dir, sizeof(cg_dir), "/sys/fs/cgroup/iommufd_fuzz.%d",
		 getpid());
	if (mkdir(cg_dir, 0755) && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/memory.stat", cg_dir);
	if (stat(path, &st))
		goto fail;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(path, pid))
		goto fail;
	return;
fail:
	rmdir(cg_dir);
	cg_dir[0] = 0;
}

static void leave_memcg(void)
{
	char pid[32];

	if (!cg_dir[0])
		return;
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_str("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(cg_dir);
}

static void settle(void)
{
	/* RCU-freed objects, and the 2 s periodic rstat flush of the memcg */
	usleep(cg_dir[0] ? 2100000 : 300000);
}

static struct thr *thrs;
static const char *volatile main_phase = "setup";

/* The kernel stack of a thread, from /proc (needs CONFIG_STACKTRACE) */
static void print_kstack(pid_t tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("#     %s", line);
	fclose(f);
}

/* Watchdog: report threads that stop making progress */
static void *watchdog(void *arg)
{
	unsigned long last = 0;
	bool low_reported = false;
	int idle = 0, i;
	long avail;

	for (;;) {
		unsigned long p;

		sleep(1);
		p = __atomic_load_n(&progress, __ATOMIC_RELAXED);
		avail = kb_line("/proc/meminfo", "MemAvailable");
		if (avail >= 0 && avail < 256 * 1024 && !low_reported) {
			low_reported = true;
			pthread_mutex_lock(&out_lock);
			printf("# watchdog: MemAvailable %ld kB after %lu calls (seed 0x%llx); calls in flight:\n",
			       avail, p, (unsigned long long)seed);
			for (i = 0; i != nthreads; i++)
				if (thr_op[i] >= 0)
					printf("#   thread %d call %lu in %s\n", i,
					       thrs[i].cur, op_names[thr_op[i]]);
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
		}
		if (p != last) {
			last = p;
			idle = 0;
			continue;
		}
		if (++idle > stalled)
			stalled = idle;
		if (idle % 20)
			continue;
		pthread_mutex_lock(&out_lock);
		printf("# watchdog: no call finished for %d s (seed 0x%llx)\n",
		       idle, (unsigned long long)seed);
		for (i = 0; i != nthreads; i++) {
			struct thr *t = &thrs[i];

			if (thr_op[i] < 0)
				continue;
			printf("#   thread %d (tid %d) call %lu in %s, struct %08x %08x %08x %08x\n",
			       i, t->tid, t->cur, op_names[thr_op[i]],
			       t->argw[0], t->argw[1], t->argw[2], t->argw[3]);
			print_kstack(t->tid);
		}
		printf("#   main thread (%s):\n", main_phase);
		print_kstack(getpid());
		fflush(stdout);
		pthread_mutex_unlock(&out_lock);
	}
	return NULL;
}

static void restore_memory_limit(void)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	};
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		return;
	ioctl(fd, IOMMU_TEST_CMD, &cmd);
	close(fd);
}

/* One pass: returns the number of calls made */
static unsigned long run_pass(int pass, unsigned long calls)
{
	unsigned long done = 0;
	int i, j;

	memset(ctxs, 0, sizeof(ctxs));
	memset(&orphans, 0, sizeof(orphans));
	memset(&dmabufs, 0, sizeof(dmabufs));
	seen_n = 0;
	for (i = 0; i != NCTX; i++) {
		pthread_mutex_init(&ctxs[i].lock, NULL);
		ctxs[i].fd = -1;
		ctxs[i].vfio = have_vfio_dev && i == NCTX - 1;
	}
	if (setup_memory()) {
		ksft_print_msg("pass %d: cannot set up memory: %s\n", pass,
			       strerror(errno));
		return 0;
	}
	for (i = 0; i != nthreads; i++) {
		struct thr *t = &thrs[i];
		__u64 x = seed ^ ((__u64)(pass + 1) << 48) ^
			  (0x1000193ULL * (i + 1));

		memset(&t->st, 0, sizeof(t->st));
		t->idx = i;
		t->s[0] = splitmix(&x);
		t->s[1] = splitmix(&x) | 1;
		t->ncookies = 0;
		t->ncalls = calls / nthreads + (i < (int)(calls % nthreads));
		thr_op[i] = -1;
		if (pthread_create(&t->th, NULL, thread_main, t))
			ksft_exit_fail_msg("pthread_create\n");
	}
	main_phase = "joining the threads";
	for (i = 0; i != nthreads; i++) {
		pthread_join(thrs[i].th, NULL);
		for (j = 0; j != NOPS; j++) {
			int e;

			done += thrs[i].st.calls[j];
			total.calls[j] += thrs[i].st.calls[j];
			total.ok[j] += thrs[i].st.ok[j];
			for (e = 0; e <= MAX_ERRNO; e++)
				total.err[j][e] += thrs[i].st.err[j][e];
		}
	}
	restore_memory_limit();
	main_phase = "unmapping the memory and the mmap()s of the pass";
	teardown_memory();
	/* Every fd of the pass: contexts, queues, accesses, memfds... */
	main_phase = "closing every fd of the pass";
	if (syscall(SYS_close_range, 3, ~0U, 0))
		for (i = 3; i < 65536; i++)
			close(i);
	main_phase = "checking the accounting";
	return done;
}

static void print_summary(void)
{
	unsigned long calls = 0;
	int i, e;

	ksft_print_msg("%-26s %8s %8s  errnos\n", "operation", "calls", "ok");
	for (i = 0; i != NOPS; i++) {
		char buf[512];
		int len = 0, shown = 0;
		unsigned int used[MAX_ERRNO + 1] = {};

		calls += total.calls[i];
		/* The four most frequent errnos */
		while (shown < 4) {
			unsigned int best = 0;
			int be = -1;

			for (e = 0; e <= MAX_ERRNO; e++) {
				if (!used[e] && total.err[i][e] > best) {
					best = total.err[i][e];
					be = e;
				}
			}
			if (be < 0)
				break;
			used[be] = 1;
			len += snprintf(buf + len, sizeof(buf) - len, " %s:%u",
					be == MAX_ERRNO ? "other" :
					strerrorname_np(be) ?: "?", best);
			shown++;
		}
		buf[len] = 0;
		ksft_print_msg("%-26s %8lu %8lu %s%s\n", op_names[i],
			       total.calls[i], total.ok[i], buf,
			       skip_op[i] ? " (skipped: -x)" : "");
	}
	ksft_print_msg("total calls: %lu\n", calls);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n CALLS] [-t THREADS] [-p PASSES]\n"
		"       [-T SECONDS] [-m MUTATE%%] [-x OP[,OP...]] [-k KB] [-v]\n"
		"  -x skips operations by name (see the summary), e.g.\n"
		"     -x IOAS_COPY,T_MOCK_DOMAIN_FLAGS\n"
		"  -k tolerance of the memcg kernel counter in KiB\n",
		argv0);
	exit(KSFT_FAIL);
}

static void skip_ops(const char *list)
{
	char *s = strdup(list), *tok, *save;
	int i;

	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i != NOPS; i++)
			if (!strcasecmp(tok, op_names[i]))
				break;
		if (i == NOPS) {
			fprintf(stderr, "unknown operation %s\n", tok);
			exit(KSFT_FAIL);
		}
		skip_op[i] = true;
	}
	free(s);
}

int main(int argc, char **argv)
{
	struct acct base, now;
	struct rlimit rl;
	unsigned long per_pass, done_total = 0;
	bool seeded = false;
	pthread_t wd;
	char *env;
	int opt, pass, i, fd;

	PAGE = sysconf(_SC_PAGESIZE);
	env = getenv("FUZZ_SEED");
	if (env) {
		seed = strtoull(env, NULL, 0);
		seeded = true;
	}
	env = getenv("FUZZ_CALLS");
	if (env)
		total_calls = strtoul(env, NULL, 0);
	env = getenv("FUZZ_THREADS");
	if (env)
		nthreads = atoi(env);
	env = getenv("FUZZ_TIME");
	if (env)
		seconds = atoi(env);
	env = getenv("FUZZ_SKIP");
	if (env)
		skip_ops(env);
	while ((opt = getopt(argc, argv, "s:n:t:p:T:m:x:k:vh")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			total_calls = strtoul(optarg, NULL, 0);
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'p':
			npasses = atoi(optarg);
			break;
		case 'T':
			seconds = atoi(optarg);
			break;
		case 'm':
			mutate_pct = atoi(optarg);
			break;
		case 'x':
			skip_ops(optarg);
			break;
		case 'k':
			kernel_tol_kb = atol(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || npasses < 1)
		usage(argv[0]);
	if (!seeded && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = time(NULL) ^ ((__u64)getpid() << 32);

	/* The seed comes first, whatever happens next */
	printf("# iommufd_fuzz: seed 0x%llx; replay: iommufd_fuzz -s 0x%llx -n %lu -t %d -p %d\n",
	       (unsigned long long)seed, (unsigned long long)seed,
	       total_calls, nthreads, npasses);
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ksft_print_header();
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		ksft_exit_skip("cannot open /dev/iommu: %s\n", strerror(errno));
	close(fd);
	fd = open("/dev/vfio/vfio", O_RDWR);
	have_vfio_dev = fd >= 0;
	if (fd >= 0)
		close(fd);
	have_hugetlb = probe_hugetlb();

	ksft_set_plan(npasses);
	/*
	 * Pins are bounded by RLIMIT_MEMLOCK only without CAP_IPC_LOCK: drop
	 * it, or random maps of big buffers pin the VM's memory away (the
	 * OOM killer, not a bug). The ENOMEM paths get exercised on the way.
	 */
	drop_cap_ipc_lock();
	rl.rlim_cur = rl.rlim_max = FUZZ_MEMLOCK;
	setrlimit(RLIMIT_MEMLOCK, &rl);
	rl.rlim_cur = rl.rlim_max = 65536;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i != NOPS; i++) {
		if (skip_op[i])
			op_weight[i] = 0;
		weight_sum += op_weight[i];
	}
	if (!weight_sum)
		usage(argv[0]);
	setup_memcg();
	ksft_print_msg("%lu calls, %d threads, %d passes, %d contexts (%s), hugetlb %s, memcg %s, deadline %d s\n",
		       total_calls, nthreads, npasses, NCTX,
		       have_vfio_dev ? "one through /dev/vfio/vfio" :
				       "all /dev/iommu",
		       have_hugetlb ? "yes" : "no",
		       cg_dir[0] ? cg_dir : "none", seconds);

	thrs = calloc(nthreads, sizeof(*thrs));
	for (i = 0; i != nthreads; i++) {
		char *m = mmap(NULL, 20 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (!thrs || m == MAP_FAILED)
			ksft_exit_fail_msg("out of memory\n");
		thrs[i].scratch = m;
		mprotect(m + 2 * PAGE, PAGE, PROT_NONE);
		thrs[i].out = m + 3 * PAGE;
		mprotect(m + 19 * PAGE, PAGE, PROT_NONE);
	}
	pthread_create(&wd, NULL, watchdog, NULL);

	settle();
	read_acct(&base);
	clock_gettime(CLOCK_MONOTONIC, &t_deadline);
	t_deadline.tv_sec += seconds;
	per_pass = total_calls / npasses;
	for (pass = 1; pass <= npasses; pass++) {
		struct timespec t0, t1;
		unsigned long done;
		double secs;
		bool ok = true;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		done = run_pass(pass, pass == npasses ?
				total_calls - per_pass * (npasses - 1) :
				per_pass);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		done_total += done;
		secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		settle();
		read_acct(&now);
		ksft_print_msg("pass %d: %lu calls in %.1f s (%.0f calls/s)%s\n",
			       pass, done, secs, secs > 0 ? done / secs : 0.0,
			       stop_now ? ", deadline reached" : "");
		ksft_print_msg("pass %d: VmPin %ld -> %ld kB, VmLck %ld -> %ld kB, Mlocked %ld -> %ld kB\n",
			       pass, base.vmpin, now.vmpin, base.vmlck,
			       now.vmlck, base.mlocked, now.mlocked);
		if (stalled >= STALL_FAIL) {
			ksft_print_msg("pass %d: no call finished for %d s (see the watchdog lines above)\n",
				       pass, stalled);
			ok = false;
		}
		stalled = 0;
		if (now.vmpin != base.vmpin || now.vmlck != base.vmlck) {
			ksft_print_msg("pass %d: pins not released\n", pass);
			ok = false;
		}
		ksft_print_msg("pass %d: MemAvailable %ld -> %ld kB\n", pass,
			       base.avail, now.avail);
		if (now.avail < base.avail - 65536) {
			ksft_print_msg("pass %d: more than 64 MiB of memory did not come back\n",
				       pass);
			ok = false;
		}
		if (now.mlocked > base.mlocked + 64) {
			ksft_print_msg("pass %d: Mlocked grew\n", pass);
			ok = false;
		}
		if (now.memcg) {
			long long d = now.kernel - base.kernel;

			ksft_print_msg("pass %d: memcg kernel %lld -> %lld (%+lld) B; slab %+lld percpu %+lld pagetables %+lld vmalloc %+lld kernel_stack %+lld sock %+lld\n",
				       pass, base.kernel, now.kernel, d,
				       now.slab - base.slab,
				       now.percpu - base.percpu,
				       now.pagetables - base.pagetables,
				       now.vmalloc - base.vmalloc,
				       now.kstack - base.kstack,
				       now.sock - base.sock);
			if (d > kernel_tol_kb * 1024) {
				ksft_print_msg("pass %d: memcg kernel memory grew by more than %ld KiB\n",
					       pass, kernel_tol_kb);
				ok = false;
			}
		}
		ksft_test_result(ok, "fuzz.pass%d\n", pass);
		if (stop_now)
			break;
	}
	for (pass++; pass <= npasses; pass++)
		ksft_test_result_skip("fuzz.pass%d (deadline reached)\n", pass);
	print_summary();
	ksft_print_msg("seed 0x%llx: %lu calls\n", (unsigned long long)seed,
		       done_total);
	leave_memcg();
	ksft_finished();
	return 0;
}
