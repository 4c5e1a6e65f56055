// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd benchmark, run inside the test VM by `make bench`.
 *
 * Two sets of rows, picked by what the booted kernel offers:
 *  - "real": QEMU's edu device (1234:11e8) on vfio-pci, bound to /dev/iommu
 *    through its VFIO cdev and attached to the IOAS, so IOAS_MAP and
 *    IOAS_UNMAP program the Intel IOMMU driver's page tables. Needs
 *    intel_iommu=on. Also the VFIO type1 container rows and the gup_test
 *    long-term pin rate.
 *  - "mock": the iommufd selftest mock domains (needs IOMMUFD_TEST and a boot
 *    where mock devices can bind, i.e. intel_iommu=off on 6.12).
 *
 * 4 KiB-page buffers are faulted in so that no two neighbouring pages are
 * physically contiguous (see buf_alloc()).
 *
 * Every row is run once to warm up, then REPS times; the program prints one
 * line per row:
 *   BENCH <row> <unit> median=<v> min=<v> max=<v> n=<reps> raw=<v,v,...>
 * and "BENCHSKIP <row> <reason>" for rows it could not run. Higher is better
 * for every unit except KiB/GiB.
 *
 * Options come from the kernel command line (the harness appends
 * KERNEL_CMDLINE there): iommufd_bench.reps=<n>, iommufd_bench.only=<prefix>[,<prefix>...]
 * (run only rows whose name starts with one of the prefixes, e.g. "type1"),
 * iommufd_bench.set=real|mock (default: real rows if the edu device is
 * usable, else mock rows), iommufd_bench.profile=1 (sample where the kernel
 * spends each row's time and print "PROFILE" lines, see prof_dump()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/iommufd.h>
#include <linux/perf_event.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#ifdef BENCH_HAVE_TEST_H
#include "iommufd_test.h"
#endif

#define KiB		1024UL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PG		4096UL
#define HPAGE		(2 * MiB)

/*
 * Inside both the Intel IOMMU aperture (below the MSI window at 0xfee00000)
 * and the mock aperture (16 MiB .. 2 GiB).
 */
#define IOVA_BIG	0x40000000ULL
#define IOVA_SMALL	0x30000000ULL
#define IOVA_AREAS	0x01000000ULL
#define NR_AREAS	10000
/* Times 10 with iommufd_bench.profile=1, for enough samples at the tick */
#define SMALL_PAIRS	(2000 * (profile ? 10 : 1))
#define ALLOC_PAIRS	(2000 * (profile ? 10 : 1))

#define MAX_REPS	32

/*
 * A small-op repetition lasts tens of milliseconds, so a burst of load on
 * the shared host can spoil several of them: take five times as many and
 * keep the median.
 */
#define SMALL_REPS_MAX	(5 * MAX_REPS)
#define small_reps()	(5 * reps)

static int reps = 5;
static bool profile;
static const char *only;
static const char *set;
static int iommufd = -1;

enum backing { BACK_4K, BACK_THP, BACK_HUGETLB };
static const char *const backing_name[] = { "4k", "thp", "hugetlb" };

/* ---- measurement and output ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int write_str(const char *path, const char *val);

/* ---- optional profile: where the kernel spends a row's time ---- */

/*
 * A cpu-clock sampling event on this task with kernel call chains, enabled
 * only around the timed part of a row (prof_begin()/prof_end(), one label
 * per phase, e.g. "real_detach_4k_1G"). At exit prof_report() prints, per
 * label, the symbols with the most samples: exclusive ("self") and
 * inclusive ("total": the symbol anywhere in the call chain). Without
 * HIGH_RES_TIMERS the sampling runs at the tick (CONFIG_HZ), so use enough
 * repetitions.
 */
#define PROF_PAGES	4096	/* 16 MiB of ring buffer */
#define PROF_TOP	30
#define PROF_SYMS	2048
#define PROF_LABELS	16

struct ksym {
	unsigned long addr;
	char name[48];
};

struct prof_count {
	const struct ksym *sym;
	const struct ksym *caller, *caller2;	/* edge rows only */
	unsigned long self, total;
};

struct prof_label {
	char name[64];
	unsigned long samples, user;
	size_t n, nedges;
	struct prof_count c[PROF_SYMS];
	struct prof_count edges[PROF_SYMS];	/* self: (leaf, its caller) */
};

static struct ksym *ksyms;
static size_t nksyms;
static int prof_fd = -1;
static void *prof_ring;
static struct prof_label prof_labels[PROF_LABELS], *prof_cur;

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void prof_load_ksyms(void)
{
	size_t room = 0;
	char line[256];
	FILE *f;

	write_str("/proc/sys/kernel/kptr_restrict", "0");
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char type, name[128];
		unsigned long addr;

		if (sscanf(line, "%lx %c %127s", &addr, &type, name) != 3 ||
		    !addr || (type != 't' && type != 'T'))
			continue;
		if (nksyms == room) {
			room = room ? 2 * room : 65536;
			ksyms = realloc(ksyms, room * sizeof(*ksyms));
			if (!ksyms)
				exit(1);
		}
		ksyms[nksyms].addr = addr;
		name[sizeof(ksyms[nksyms].name) - 1] = 0;
		memcpy(ksyms[nksyms].name, name, sizeof(ksyms[nksyms].name));
		nksyms++;
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
}

static const struct ksym *prof_sym(unsigned long ip)
{
	size_t lo = 0, hi = nksyms;

	if (!nksyms || ip < ksyms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	return &ksyms[lo];
}

static struct prof_count *prof_slot(struct prof_label *l,
				    const struct ksym *sym)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->c[i].sym == sym)
			return &l->c[i];
	if (l->n == PROF_SYMS)
		return NULL;
	l->c[l->n].sym = sym;
	return &l->c[l->n++];
}

/* Count one sample: @rec is ip, nr, then nr call chain entries */
static void prof_count(struct prof_label *l, const uint64_t *rec, size_t len)
{
	const struct ksym *seen[64];
	size_t nseen = 0, j, k, nr = rec[1];
	struct prof_count *c;

	l->samples++;
	if (rec[0] < 0xffff800000000000ULL) {
		l->user++;
		return;
	}
	if (nr > len / 8 - 2)
		nr = len / 8 - 2;
	for (k = 0; k < nr; k++) {
		const struct ksym *sym;

		if (rec[2 + k] >= (uint64_t)PERF_CONTEXT_MAX)
			continue;
		sym = prof_sym(rec[2 + k]);
		for (j = 0; j < nseen && seen[j] != sym; j++)
			;
		if (j < nseen || nseen == 64)
			continue;
		seen[nseen++] = sym;
		c = prof_slot(l, sym);
		if (c)
			c->total++;
	}
	c = prof_slot(l, prof_sym(rec[0]));
	if (c)
		c->self++;

	/* rec[2] is a context marker, rec[3] the ip, rec[4] its caller */
	for (k = 0; k < nr && rec[2 + k] >= (uint64_t)PERF_CONTEXT_MAX; k++)
		;
	if (k + 1 < nr) {
		const struct ksym *leaf = prof_sym(rec[2 + k]);
		const struct ksym *up = prof_sym(rec[3 + k]);
		const struct ksym *up2 = k + 2 < nr ? prof_sym(rec[4 + k]) :
						       NULL;

		for (j = 0; j < l->nedges; j++)
			if (l->edges[j].sym == leaf &&
			    l->edges[j].caller == up &&
			    l->edges[j].caller2 == up2)
				break;
		if (j == l->nedges && j < PROF_SYMS) {
			l->edges[j].sym = leaf;
			l->edges[j].caller = up;
			l->edges[j].caller2 = up2;
			l->nedges++;
		}
		if (j < PROF_SYMS)
			l->edges[j].self++;
	}
}

/* Move the samples in the ring to the current label */
static void prof_drain(void)
{
	struct perf_event_mmap_page *meta = prof_ring;
	char *data = (char *)prof_ring + meta->data_offset;
	uint64_t head, tail;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	for (tail = meta->data_tail; tail < head;) {
		struct perf_event_header h;
		uint64_t rec[256];
		size_t k, len;

		for (k = 0; k < sizeof(h); k++)
			((char *)&h)[k] = data[(tail + k) % meta->data_size];
		if (!h.size)
			break;
		len = h.size - sizeof(h);
		if (len > sizeof(rec))
			len = sizeof(rec);
		for (k = 0; k < len; k++)
			((char *)rec)[k] = data[(tail + sizeof(h) + k) %
						meta->data_size];
		tail += h.size;
		if (h.type == PERF_RECORD_SAMPLE && len >= 16)
			prof_count(prof_cur, rec, len);
	}
	__atomic_store_n(&meta->data_tail, head, __ATOMIC_RELEASE);
}

static bool prof_open(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 20000,	/* ns; the tick may be coarser */
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN,
		.disabled = 1,
		.exclude_hv = 1,
		.exclude_callchain_user = 1,
	};

	prof_load_ksyms();
	/* The sampling is slow under TCG; do not let the kernel throttle it */
	write_str("/proc/sys/kernel/perf_cpu_time_max_percent", "0");
	prof_fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (prof_fd < 0) {
		printf("# profile: perf_event_open: %s\n", strerror(errno));
		return false;
	}
	prof_ring = mmap(NULL, (PROF_PAGES + 1) * PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED, prof_fd, 0);
	if (prof_ring == MAP_FAILED) {
		printf("# profile: mmap: %s\n", strerror(errno));
		close(prof_fd);
		prof_fd = -1;
		return false;
	}
	return true;
}

/* Start sampling into the profile called @label */
static void prof_begin(const char *label)
{
	int i;

	if (!profile || (prof_fd < 0 && !(profile = prof_open())))
		return;
	for (i = 0; i < PROF_LABELS - 1 && prof_labels[i].name[0] &&
		    strcmp(prof_labels[i].name, label); i++)
		;
	prof_cur = &prof_labels[i];
	if (!prof_cur->name[0])
		snprintf(prof_cur->name, sizeof(prof_cur->name), "%s", label);
	ioctl(prof_fd, PERF_EVENT_IOC_ENABLE, 0);
}

static void prof_end(void)
{
	if (!profile || !prof_cur)
		return;
	ioctl(prof_fd, PERF_EVENT_IOC_DISABLE, 0);
	prof_drain();
	prof_cur = NULL;
}

static int cmp_prof_total(const void *a, const void *b)
{
	const struct prof_count *x = a, *y = b;

	return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static int cmp_prof_self(const void *a, const void *b)
{
	const struct prof_count *x = a, *y = b;

	return x->self < y->self ? 1 : x->self > y->self ? -1 : 0;
}

static void prof_report(void)
{
	struct prof_label *l;
	size_t i;

	for (l = prof_labels; l < prof_labels + PROF_LABELS && l->name[0];
	     l++) {
		if (!l->samples)
			continue;
		printf("PROFILE %s samples=%lu user=%.1f%%\n", l->name,
		       l->samples, 100.0 * l->user / l->samples);
		qsort(l->c, l->n, sizeof(*l->c), cmp_prof_self);
		for (i = 0; i < l->n && i < PROF_TOP; i++)
			printf("PROFILE %s self %5.1f%% %s\n", l->name,
			       100.0 * l->c[i].self / l->samples,
			       l->c[i].sym ? l->c[i].sym->name : "?");
		qsort(l->edges, l->nedges, sizeof(*l->edges), cmp_prof_self);
		for (i = 0; i < l->nedges && i < PROF_TOP; i++)
			printf("PROFILE %s edge %5.1f%% %s <- %s <- %s\n",
			       l->name, 100.0 * l->edges[i].self / l->samples,
			       l->edges[i].sym ? l->edges[i].sym->name : "?",
			       l->edges[i].caller ? l->edges[i].caller->name :
						    "?",
			       l->edges[i].caller2 ? l->edges[i].caller2->name :
						     "?");
		qsort(l->c, l->n, sizeof(*l->c), cmp_prof_total);
		for (i = 0; i < l->n && i < PROF_TOP; i++)
			printf("PROFILE %s total %5.1f%% %s\n", l->name,
			       100.0 * l->c[i].total / l->samples,
			       l->c[i].sym ? l->c[i].sym->name : "?");
	}
	fflush(stdout);
}

/* Is @row (or row group) selected by iommufd_bench.only=<prefix>[,...]? */
static bool wanted(const char *row)
{
	const char *p = only;

	while (p) {
		size_t len = strcspn(p, ",");

		if (len && !strncmp(row, p, len))
			break;
		p = p[len] ? p + len + 1 : NULL;
	}
	return !only || p;
}

static void report(const char *row, const char *unit, double *v, int n)
{
	double s[SMALL_REPS_MAX];
	int i;

	if (n <= 0)
		return;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	printf("BENCH %s %s median=%.4g min=%.4g max=%.4g n=%d raw=", row, unit,
	       n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, s[0],
	       s[n - 1], n);
	for (i = 0; i < n; i++)
		printf("%s%.4g", i ? "," : "", v[i]);
	printf("\n");
	fflush(stdout);
}

static void skip(const char *row, const char *why, int err)
{
	printf("BENCHSKIP %s %s%s%s\n", row, why, err ? ": " : "",
	       err ? strerror(err) : "");
	fflush(stdout);
}

static void parse_cmdline(void)
{
	static char buf[4096];
	char *tok, *save;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "iommufd_bench.reps=", 19))
			reps = atoi(tok + 19);
		else if (!strncmp(tok, "iommufd_bench.only=", 19))
			only = tok + 19;
		else if (!strncmp(tok, "iommufd_bench.set=", 18))
			set = tok + 18;
		else if (!strcmp(tok, "iommufd_bench.profile=1"))
			profile = true;
	}
	if (reps < 1)
		reps = 1;
	if (reps > MAX_REPS)
		reps = MAX_REPS;
}

/* ---- memory ---- */

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

static int set_hugepages(unsigned long n)
{
	char v[32];

	snprintf(v, sizeof(v), "%lu", n);
	write_str("/proc/sys/vm/nr_hugepages", v);
	return meminfo_kb("HugePages_Total") >= (long)n ? 0 : -ENOMEM;
}

/* AnonHugePages of the mapping containing @p, from /proc/self/smaps */
static long smaps_anon_huge_kb(void *p)
{
	unsigned long start, end, addr = (uintptr_t)p;
	char line[256];
	bool in = false;
	long v = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = addr >= start && addr < end;
			continue;
		}
		if (in && !strncmp(line, "AnonHugePages:", 14)) {
			v = atol(line + 14);
			break;
		}
	}
	fclose(f);
	return v;
}

struct buf {
	void *map;
	size_t map_len;
	void *p;
	size_t len;
	enum backing back;
};

/* Allocates and faults in @len bytes with the given backing. */
static int buf_alloc(struct buf *b, size_t len, enum backing back)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uintptr_t a;

	memset(b, 0, sizeof(*b));
	b->back = back;
	b->len = len;
	/*
	 * Earlier rows leave free memory fragmented (the 4 KiB buffers on
	 * purpose); defragment so that THP and hugetlbfs get huge pages.
	 */
	if (back != BACK_4K)
		write_str("/proc/sys/vm/compact_memory", "1");
	if (back == BACK_HUGETLB) {
		if (set_hugepages(len / HPAGE + 8))
			return -ENOMEM;
		flags |= MAP_HUGETLB;
		b->map_len = len;
	} else {
		b->map_len = len + HPAGE;
	}
	b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	a = ((uintptr_t)b->map + HPAGE - 1) & ~(HPAGE - 1);
	b->p = back == BACK_HUGETLB ? b->map : (void *)a;
	if (back == BACK_4K)
		madvise(b->p, len, MADV_NOHUGEPAGE);
	else if (back == BACK_THP)
		madvise(b->p, len, MADV_HUGEPAGE);
	if (back == BACK_4K) {
		size_t off = len;

		/*
		 * Fault in from the top down: the page allocator hands out
		 * ascending PFNs, so the buffer ends up with no two
		 * neighbouring pages physically contiguous, as in a long-running
		 * VMM. Faulted bottom-up, fresh memory comes out contiguous and
		 * the 4 KiB rows would measure large IOMMU pages.
		 */
		while (off) {
			off -= PG;
			((volatile char *)b->p)[off] = 0x5a;
		}
	} else {
		memset(b->p, 0x5a, len);
	}
	if (back == BACK_THP) {
		long thp = smaps_anon_huge_kb(b->p);

		printf("# thp buffer of %zu MiB: %ld MiB in huge pages\n",
		       len / MiB, thp / 1024);
	}
	return 0;
}

static void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	if (b->back == BACK_HUGETLB)
		set_hugepages(0);
	memset(b, 0, sizeof(*b));
}

/* ---- iommufd ---- */

static int ioas_alloc(uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd))
		return -errno;
	*id = cmd.out_ioas_id;
	return 0;
}

static int obj_destroy(uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &cmd) ? -errno : 0;
}

static int ioas_map(uint32_t ioas, void *p, size_t len, uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)p,
		.length = len,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &cmd) ? -errno : 0;
}

static int ioas_unmap(uint32_t ioas, uint64_t iova, size_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd) ? -errno : 0;
}

static int ioas_copy(uint32_t dst, uint32_t src, uint64_t dst_iova,
		     uint64_t src_iova, size_t len)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_COPY, &cmd) ? -errno : 0;
}

/* ---- the edu device through VFIO ---- */

struct edu {
	char bdf[NAME_MAX + 1];
	int devfd;
	uint32_t devid;
	int group;
};

static struct edu edu = { .devfd = -1, .group = -1 };

static unsigned long sysfs_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], v[32] = {};
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return ULONG_MAX;
	if (read(fd, v, sizeof(v) - 1) <= 0)
		v[0] = 0;
	close(fd);
	return strtoul(v, NULL, 16);
}

static bool driver_is(const char *bdf, const char *drv)
{
	char path[PATH_MAX], t[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, t, sizeof(t) - 1);
	if (n < 0)
		return false;
	t[n] = 0;
	base = strrchr(t, '/');
	return !strcmp(base ? base + 1 : t, drv);
}

static int edu_find_and_bind(void)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;
	int i;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -ENODEV;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s",
			 de->d_name);
		if (sysfs_hex(dir, "vendor") == 0x1234 &&
		    sysfs_hex(dir, "device") == 0x11e8) {
			snprintf(edu.bdf, sizeof(edu.bdf), "%s", de->d_name);
			found = true;
		}
	}
	closedir(d);
	if (!found)
		return -ENODEV;
	if (driver_is(edu.bdf, "vfio-pci"))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 edu.bdf);
	write_str(path, edu.bdf);
	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/driver_override", edu.bdf);
	if (!write_str(path, "vfio-pci"))
		write_str("/sys/bus/pci/drivers_probe", edu.bdf);
	for (i = 0; i < 100 && !driver_is(edu.bdf, "vfio-pci"); i++)
		usleep(10000);
	return driver_is(edu.bdf, "vfio-pci") ? 0 : -ENODEV;
}

/* Opens the VFIO cdev and binds it to the iommufd. */
static int edu_cdev_open(void)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char dir[PATH_MAX], node[PATH_MAX] = {};
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev",
		 edu.bdf);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s",
				 de->d_name);
	closedir(d);
	if (!node[0])
		return -ENOENT;
	edu.devfd = open(node, O_RDWR);
	if (edu.devfd < 0)
		return -errno;
	bind.iommufd = iommufd;
	if (ioctl(edu.devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		int err = -errno;

		close(edu.devfd);
		edu.devfd = -1;
		return err;
	}
	edu.devid = bind.out_devid;
	return 0;
}

static void edu_cdev_close(void)
{
	if (edu.devfd >= 0)
		close(edu.devfd);
	edu.devfd = -1;
}

static int edu_attach(uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = pt_id,
	};

	return ioctl(edu.devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) ? -errno : 0;
}

static int edu_detach(void)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	return ioctl(edu.devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt) ? -errno : 0;
}

/* ---- row bodies ---- */

/*
 * MAP+UNMAP of a whole buffer: GiB/s of the pair, and of MAP alone (the
 * latter is what the gup_test pin rate is compared with).
 */
static void row_map_unmap(const char *tag, uint32_t ioas, enum backing back,
			  size_t len, double *map_only_med)
{
	double v[MAX_REPS], m[MAX_REPS];
	char row[64], row2[64], row3[64];
	struct buf b;
	int i, err;

	snprintf(row, sizeof(row), "%s_map_unmap_%s_%zuM", tag,
		 backing_name[back], len / MiB);
	snprintf(row2, sizeof(row2), "%s_map_%s_%zuM", tag,
		 backing_name[back], len / MiB);
	snprintf(row3, sizeof(row3), "%s_unmap_%s_%zuM", tag,
		 backing_name[back], len / MiB);
	if (!wanted(row))
		return;
	err = buf_alloc(&b, len, back);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		return;
	}
	for (i = -1; i < reps; i++) {
		double t0, t1, t2;

		prof_begin(row2);
		t0 = now();
		err = ioas_map(ioas, b.p, len, IOVA_BIG);
		t1 = now();
		prof_end();
		prof_begin(row3);
		if (!err)
			err = ioas_unmap(ioas, IOVA_BIG, len);
		t2 = now();
		prof_end();
		if (err) {
			skip(row, "IOAS_MAP/UNMAP failed", -err);
			goto out;
		}
		if (i >= 0) {
			v[i] = (double)len / GiB / (t2 - t0);
			m[i] = (double)len / GiB / (t1 - t0);
		}
	}
	report(row, "GiB/s", v, reps);
	report(row2, "GiB/s", m, reps);
	if (map_only_med) {
		qsort(m, reps, sizeof(*m), cmp_double);
		*map_only_med = m[reps / 2];
	}
out:
	buf_free(&b);
}

/* Pairs of 4 KiB MAP+UNMAP per second, optionally among NR_AREAS areas. */
static void row_small(const char *tag, uint32_t ioas, bool crowded)
{
	double v[SMALL_REPS_MAX];
	char row[64];
	struct buf b;
	int i, j, err = 0;

	snprintf(row, sizeof(row), "%s_small_4k_pairs%s", tag,
		 crowded ? "_10k_areas" : "");
	if (!wanted(row))
		return;
	err = buf_alloc(&b, 2 * MiB, BACK_4K);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		return;
	}
	if (crowded) {
		for (j = 0; j < NR_AREAS && !err; j++)
			err = ioas_map(ioas, (char *)b.p + (j % 256) * PG, PG,
				       IOVA_AREAS + 2ULL * PG * j);
		if (err) {
			skip(row, "creating the areas failed", -err);
			goto out_areas;
		}
	}
	for (i = -1; i < small_reps(); i++) {
		double t0 = now();

		prof_begin(row);
		for (j = 0; j < SMALL_PAIRS && !err; j++) {
			err = ioas_map(ioas, (char *)b.p + PG * (j % 256), PG,
				       IOVA_SMALL + PG * (j % 64));
			if (!err)
				err = ioas_unmap(ioas,
						 IOVA_SMALL + PG * (j % 64),
						 PG);
		}
		prof_end();
		if (err) {
			skip(row, "IOAS_MAP/UNMAP failed", -err);
			goto out_areas;
		}
		if (i >= 0)
			v[i] = SMALL_PAIRS / (now() - t0);
	}
	report(row, "pairs/s", v, small_reps());
out_areas:
	if (crowded)
		ioas_unmap(ioas, 0, 0);
	buf_free(&b);
}

static void row_ioas_alloc(const char *tag)
{
	double v[SMALL_REPS_MAX];
	uint32_t id = 0;
	char row[64];
	int i, j, err = 0;

	snprintf(row, sizeof(row), "%s_ioas_alloc_destroy", tag);
	if (!wanted(row))
		return;
	for (i = -1; i < small_reps(); i++) {
		double t0 = now();

		prof_begin(row);
		for (j = 0; j < ALLOC_PAIRS && !err; j++) {
			err = ioas_alloc(&id);
			if (!err)
				err = obj_destroy(id);
		}
		prof_end();
		if (err) {
			skip(row, "IOAS_ALLOC/DESTROY failed", -err);
			return;
		}
		if (i >= 0)
			v[i] = ALLOC_PAIRS / (now() - t0);
	}
	report(row, "pairs/s", v, small_reps());
}

/* Attach (domain fill) and detach with 1 GiB of 4 KiB pages mapped. */
static void row_attach_fill(uint32_t ioas)
{
	const char *row = "real_attach_fill_4k_1G";
	const char *row2 = "real_detach_4k_1G";
	double v[MAX_REPS], d[MAX_REPS];
	size_t len = GiB;
	struct buf b;
	int i, err;

	if (!wanted(row))
		return;
	err = buf_alloc(&b, len, BACK_4K);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		return;
	}
	err = ioas_map(ioas, b.p, len, IOVA_BIG);
	if (err) {
		skip(row, "IOAS_MAP failed", -err);
		goto out;
	}
	for (i = -1; i < reps; i++) {
		double t0, t1, t2;

		prof_begin(row);
		t0 = now();
		err = edu_attach(ioas);
		t1 = now();
		prof_end();
		prof_begin(row2);
		if (!err)
			err = edu_detach();
		t2 = now();
		prof_end();
		if (err) {
			skip(row, "attach/detach failed", -err);
			goto out_unmap;
		}
		if (i >= 0) {
			v[i] = (double)len / GiB / (t1 - t0);
			d[i] = (double)len / GiB / (t2 - t1);
		}
	}
	report(row, "GiB/s", v, reps);
	report(row2, "GiB/s", d, reps);
out_unmap:
	ioas_unmap(ioas, IOVA_BIG, len);
out:
	buf_free(&b);
}

/* IOAS_COPY of 1 GiB into a second IOAS the device is attached to. */
static void row_copy(uint32_t src_ioas)
{
	const char *row = "real_copy_unmap_4k_1G";
	double v[MAX_REPS];
	size_t len = GiB;
	uint32_t dst;
	struct buf b;
	int i, err;

	if (!wanted(row))
		return;
	err = buf_alloc(&b, len, BACK_4K);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		return;
	}
	err = ioas_alloc(&dst);
	if (err)
		goto out;
	err = ioas_map(src_ioas, b.p, len, IOVA_BIG);
	if (err)
		goto out_dst;
	err = edu_attach(dst);
	if (err)
		goto out_unmap;
	for (i = -1; i < reps; i++) {
		double t0 = now();

		prof_begin(row);
		err = ioas_copy(dst, src_ioas, IOVA_BIG, IOVA_BIG, len);
		if (!err)
			err = ioas_unmap(dst, IOVA_BIG, len);
		prof_end();
		if (err)
			break;
		if (i >= 0)
			v[i] = (double)len / GiB / (now() - t0);
	}
	if (!err)
		report(row, "GiB/s", v, reps);
	edu_detach();
out_unmap:
	ioas_unmap(src_ioas, IOVA_BIG, len);
out_dst:
	obj_destroy(dst);
out:
	if (err)
		skip(row, "IOAS_COPY setup or run failed", -err);
	buf_free(&b);
}

static char memcg_stat[PATH_MAX];

/*
 * Puts this process into its own memory cgroup, so that the kernel memory
 * charged on its behalf can be read from memory.stat.
 */
static void memcg_setup(void)
{
	const char *root = "/sys/fs/cgroup";
	char path[PATH_MAX], pid[32];

	mkdir(root, 0755);
	mount("none", root, "cgroup2", 0, NULL);
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(path, sizeof(path), "%s/iommufd_bench", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/iommufd_bench/cgroup.procs", root);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(path, pid))
		return;
	snprintf(memcg_stat, sizeof(memcg_stat),
		 "%s/iommufd_bench/memory.stat", root);
	if (access(memcg_stat, R_OK))
		memcg_stat[0] = 0;
}

/* Kernel memory of our cgroup in KiB, or MemFree's negation without one */
static long kmem_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f;

	if (!memcg_stat[0])
		return -meminfo_kb("MemFree");
	f = fopen(memcg_stat, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "kernel ", 7)) {
			v = atol(line + 7) / 1024;
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Kernel memory per GiB mapped: the growth of the "kernel" counter of this
 * process's memory cgroup across IOAS_MAP of an already faulted-in buffer
 * (so the pinned pages themselves do not count), with the device attached:
 * iommufd's own structures and the IOMMU page tables, everything charged with
 * __GFP_ACCOUNT. Scaled to KiB per GiB.
 */
static void row_memory(uint32_t ioas, enum backing back)
{
	double v[MAX_REPS];
	size_t len = GiB;
	char row[64];
	struct buf b;
	int i, err;

	snprintf(row, sizeof(row), "real_kmem_per_GiB_%s", backing_name[back]);
	if (!wanted(row))
		return;
	err = buf_alloc(&b, len, back);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		return;
	}
	for (i = 0; i < reps; i++) {
		long before, after;

		/*
		 * memory.stat only shows what the periodic (2 s) rstat flush
		 * has folded in, unless a lot is pending: wait for one.
		 */
		if (memcg_stat[0])
			usleep(2200000);
		before = kmem_kb();
		err = ioas_map(ioas, b.p, len, IOVA_BIG);
		if (memcg_stat[0])
			usleep(2200000);
		after = kmem_kb();
		if (!err)
			err = ioas_unmap(ioas, IOVA_BIG, len);
		if (err) {
			skip(row, "IOAS_MAP/UNMAP failed", -err);
			goto out;
		}
		v[i] = (double)(after - before) * GiB / len;
	}
	report(row, "KiB/GiB", v, reps);
out:
	buf_free(&b);
}

/* gup_test's long-term pin benchmark over the same kind of memory. */
static double row_gup(size_t len)
{
	struct {
		uint64_t get_delta_usec;
		uint64_t put_delta_usec;
		uint64_t addr;
		uint64_t size;
		uint32_t nr_pages_per_call;
		uint32_t gup_flags;
		uint32_t test_flags;
		uint32_t which_pages[8];
	} gup;
	const char *row = "gup_longterm_pin_4k_256M";
	double v[MAX_REPS], pu[MAX_REPS];
	struct buf b;
	int fd, i, err;

	if (!wanted(row))
		return 0;
	fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (fd < 0) {
		skip(row, "no /sys/kernel/debug/gup_test", errno);
		return 0;
	}
	err = buf_alloc(&b, len, BACK_4K);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		close(fd);
		return 0;
	}
	for (i = -1; i < reps; i++) {
		memset(&gup, 0, sizeof(gup));
		gup.addr = (uintptr_t)b.p;
		gup.size = len;
		gup.nr_pages_per_call = len / PG;
		gup.gup_flags = 1; /* FOLL_WRITE */
		/* _IOWR('g', 3, struct gup_test): PIN_LONGTERM_BENCHMARK */
		if (ioctl(fd, _IOWR('g', 3, gup), &gup)) {
			skip(row, "PIN_LONGTERM_BENCHMARK failed", errno);
			goto out;
		}
		if (i >= 0) {
			v[i] = (double)len / GiB / (gup.get_delta_usec / 1e6);
			pu[i] = (double)len / GiB /
				((gup.get_delta_usec + gup.put_delta_usec) / 1e6);
		}
	}
	report(row, "GiB/s", v, reps);
	report("gup_longterm_pin_unpin_4k_256M", "GiB/s", pu, reps);
	qsort(v, reps, sizeof(*v), cmp_double);
out:
	buf_free(&b);
	close(fd);
	return v[reps / 2];
}

/* ---- VFIO type1 (container) ---- */

static int type1_map(int c, void *p, size_t len, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)p,
		.iova = iova,
		.size = len,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int type1_unmap(int c, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};

	return ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

static void rows_type1(void)
{
	char path[PATH_MAX], t[PATH_MAX];
	int c = -1, g = -1, dev = -1, err, i;
	enum backing back;
	const char *base;
	ssize_t n;

	if (!wanted("type1"))
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 edu.bdf);
	n = readlink(path, t, sizeof(t) - 1);
	if (n < 0) {
		skip("type1", "no IOMMU group", errno);
		return;
	}
	t[n] = 0;
	base = strrchr(t, '/');
	snprintf(path, sizeof(path), "/dev/vfio/%.32s", base ? base + 1 : t);
	c = open("/dev/vfio/vfio", O_RDWR);
	g = open(path, O_RDWR);
	if (c < 0 || g < 0) {
		skip("type1", "no VFIO container or group node", errno);
		goto out;
	}
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		skip("type1", "container setup failed", errno);
		goto out;
	}
	/* Opening the device is what attaches it with iommufd's compat. */
	dev = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, edu.bdf);
	if (dev < 0) {
		skip("type1", "VFIO_GROUP_GET_DEVICE_FD failed", errno);
		goto out;
	}
	for (back = BACK_4K; back <= BACK_HUGETLB; back++) {
		double v[MAX_REPS];
		size_t len = GiB;
		char row[64];
		struct buf b;

		snprintf(row, sizeof(row), "type1_map_unmap_%s_1024M",
			 backing_name[back]);
		err = buf_alloc(&b, len, back);
		if (err) {
			skip(row, "allocating the buffer failed", -err);
			continue;
		}
		for (i = -1; i < reps; i++) {
			double t0 = now();

			err = type1_map(c, b.p, len, IOVA_BIG);
			if (!err)
				err = type1_unmap(c, IOVA_BIG, len);
			if (err)
				break;
			if (i >= 0)
				v[i] = (double)len / GiB / (now() - t0);
		}
		if (err)
			skip(row, "MAP_DMA/UNMAP_DMA failed", -err);
		else
			report(row, "GiB/s", v, reps);
		buf_free(&b);
	}
out:
	if (dev >= 0)
		close(dev);
	if (g >= 0)
		close(g);
	if (c >= 0)
		close(c);
}

static bool rows_real(void)
{
	double map4k = 0, pin;
	uint32_t ioas, ioas2;
	enum backing back;
	int err;

	err = edu_find_and_bind();
	if (!err)
		err = edu_cdev_open();
	if (err) {
		printf("# no edu device bound through VFIO cdev: %s\n",
		       strerror(-err));
		return false;
	}
	if (ioas_alloc(&ioas) || ioas_alloc(&ioas2)) {
		skip("real", "IOAS_ALLOC failed", errno);
		return true;
	}
	err = edu_attach(ioas);
	if (err) {
		printf("# attaching the edu device failed: %s\n",
		       strerror(-err));
		edu_cdev_close();
		return false;
	}
	for (back = BACK_4K; back <= BACK_HUGETLB; back++) {
		row_map_unmap("real", ioas, back, 256 * MiB,
			      back == BACK_4K ? &map4k : NULL);
		row_map_unmap("real", ioas, back, GiB, NULL);
	}
	row_small("real", ioas, false);
	row_small("real", ioas, true);
	memcg_setup();
	printf("# kmem method: %s\n", memcg_stat[0] ?
	       "memcg memory.stat kernel" : "MemFree");
	row_memory(ioas, BACK_4K);
	row_memory(ioas, BACK_THP);
	row_ioas_alloc("real");
	edu_detach();
	row_attach_fill(ioas2);
	row_copy(ioas2);
	edu_cdev_close();
	obj_destroy(ioas);
	obj_destroy(ioas2);

	pin = row_gup(256 * MiB);
	if (pin > 0 && map4k > 0) {
		double f = map4k / pin;

		if (wanted("real_map_4k_vs_gup_pin"))
			report("real_map_4k_vs_gup_pin", "fraction", &f, 1);
	}
	rows_type1();
	return true;
}

#ifdef BENCH_HAVE_TEST_H
static int mock_domain(uint32_t pt_id, uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
	};

	if (ioctl(iommufd, IOMMU_TEST_CMD, &cmd))
		return -errno;
	if (hwpt)
		*hwpt = cmd.mock_domain.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain.out_idev_id;
	return 0;
}

static int hwpt_alloc(uint32_t idev, uint32_t pt_id, uint32_t flags,
		      uint32_t *hwpt)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = idev,
		.pt_id = pt_id,
	};

	if (ioctl(iommufd, IOMMU_HWPT_ALLOC, &a))
		return -errno;
	*hwpt = a.out_hwpt_id;
	return 0;
}

/* GET_DIRTY_BITMAP over 1 GiB on a dirty-tracking mock HWPT. */
static void row_dirty(uint32_t idev)
{
	const char *row = "mock_get_dirty_bitmap_1G";
	size_t len = GiB, nbits = len / PG;
	uint64_t *bitmap, *marks;
	double v[MAX_REPS];
	uint32_t ioas, hwpt;
	struct buf b;
	int i, err;

	if (!wanted(row))
		return;
	bitmap = calloc(nbits / 8, 1);
	marks = calloc(nbits / 8, 1);
	if (!bitmap || !marks || ioas_alloc(&ioas)) {
		skip(row, "setup failed", ENOMEM);
		return;
	}
	/* THP backing: the row measures the bitmap walk, not the pinning. */
	err = buf_alloc(&b, len, BACK_THP);
	if (err) {
		skip(row, "allocating the buffer failed", -err);
		goto out_ioas;
	}
	{
		if (hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			       &hwpt)) {
			skip(row, "HWPT_ALLOC(DIRTY_TRACKING) failed", errno);
			goto out_buf;
		}
	}
	err = mock_domain(hwpt, NULL, NULL);
	if (!err)
		err = ioas_map(ioas, b.p, len, IOVA_BIG);
	if (err) {
		skip(row, "mock device or map failed", -err);
		goto out_buf;
	}
	{
		struct iommu_hwpt_set_dirty_tracking s = {
			.size = sizeof(s),
			.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
			.hwpt_id = hwpt,
		};
		struct iommu_test_cmd d = {
			.size = sizeof(d),
			.op = IOMMU_TEST_OP_DIRTY,
			.id = hwpt,
			.dirty = {
				.iova = IOVA_BIG,
				.length = len,
				.page_size = PG,
				.uptr = (uintptr_t)marks,
			},
		};

		/* Every other 4 KiB page dirty. */
		memset(marks, 0x55, nbits / 8);
		if (ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &s) ||
		    ioctl(iommufd, IOMMU_TEST_CMD, &d)) {
			skip(row, "enabling or marking dirty failed", errno);
			goto out_buf;
		}
	}
	for (i = -1; i < reps; i++) {
		struct iommu_hwpt_get_dirty_bitmap g = {
			.size = sizeof(g),
			.hwpt_id = hwpt,
			.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			.iova = IOVA_BIG,
			.length = len,
			.page_size = PG,
			.data = (uintptr_t)bitmap,
		};
		double t0 = now();

		if (ioctl(iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g)) {
			skip(row, "GET_DIRTY_BITMAP failed", errno);
			goto out_buf;
		}
		if (i >= 0)
			v[i] = (double)len / GiB / (now() - t0);
	}
	report(row, "GiB/s", v, reps);
out_buf:
	buf_free(&b);
out_ioas:
	/* Closing the iommufd at exit tears the rest down. */
	free(bitmap);
	free(marks);
}

static void rows_mock(void)
{
	uint32_t ioas1, ioas2, hwpt_a, hwpt_b, idev, idev2;

	if (ioas_alloc(&ioas1) || ioas_alloc(&ioas2))
		return;
	if (mock_domain(ioas1, NULL, &idev)) {
		skip("mock", "no mock domain (IOMMUFD_TEST off or intel_iommu=on)",
		     errno);
		return;
	}
	row_map_unmap("mock1", ioas1, BACK_4K, 256 * MiB, NULL);
	row_map_unmap("mock1", ioas1, BACK_THP, 256 * MiB, NULL);
	/* The same pairs as real_small_4k_pairs without IOTLB invalidations */
	row_small("mock1", ioas1, false);
	/*
	 * A second auto-attached mock device would share the first one's
	 * HWPT: allocate the second paging HWPT explicitly.
	 */
	if (mock_domain(ioas2, &hwpt_a, &idev2) ||
	    hwpt_alloc(idev2, ioas2, 0, &hwpt_b) ||
	    mock_domain(hwpt_b, NULL, NULL)) {
		skip("mock2", "second mock domain failed", errno);
	} else {
		if (hwpt_a == hwpt_b)
			printf("# mock2: both mock devices share one HWPT\n");
		row_map_unmap("mock2", ioas2, BACK_4K, 256 * MiB, NULL);
		row_map_unmap("mock2", ioas2, BACK_THP, 256 * MiB, NULL);
	}
	row_dirty(idev);
}
#else
static void rows_mock(void)
{
	skip("mock", "built without iommufd_test.h", 0);
}
#endif

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_cmdline();
	/* By hand: iommufd_bench [real|mock] */
	if (argc > 1)
		set = argv[1];
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0) {
		skip("all", "no /dev/iommu", errno);
		return 1;
	}
	printf("# iommufd_bench: reps=%d only=%s\n", reps, only ? only : "-");
	if (set && !strcmp(set, "mock"))
		rows_mock();
	else if (!rows_real() && !set)
		rows_mock();
	prof_report();
	printf("# iommufd_bench: done\n");
	return 0;
}
