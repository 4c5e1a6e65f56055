// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bad-input table of Documentation/userspace-api/iommufd.rst ("Bad
 * input and its errno"), one TAP test case per row.
 *
 * Every row names an ioctl, a case, the objects it needs (setup), a change
 * to an otherwise valid command (mutate) and the errno v6.19 gives for it.
 * A row runs on a fresh /dev/iommu context: setup builds the objects, the
 * ioctl's fill function writes a command that would succeed (each ioctl has
 * a "valid" row proving that), the mutate function breaks it, and the
 * result is compared with the row. The TAP name is IOCTL.case, as in the
 * document.
 *
 * The file also builds against upstream 6.12's headers: rows of commands
 * 6.12 does not have are reported as skipped, and the few rows where 6.12
 * answers differently carry the 6.12 value, used only in that build (the
 * list under the table says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

/* The harness and the mock driver uAPI (iommufd_test.h) */
#include "iommufd_utils.h"

/* The v6.19 uAPI, or upstream 6.12's (which lacks these commands) */
#ifdef IOMMU_VIOMMU_ALLOC
#define HAVE_V619 1
#else
#define HAVE_V619 0
#endif

#define PG 4096UL
#define BUF_PAGES 16
/* In the mock aperture [MOCK_APERTURE_START, MOCK_APERTURE_LAST] */
#define IOVA_BASE ((__u64)MOCK_APERTURE_START)
#define IOVA_RO (IOVA_BASE + 0x100000)
#define IOVA_FREE (IOVA_BASE + 0x200000)
#define BAD_ID 0xfffff0u
#define BAD_PTR 8ULL
#define TOP_PAGE (~0ULL - PG + 1)	/* the last page of a 64-bit space */

/* How much a row needs, each level including the ones before */
enum level {
	L_FRESH,	/* an empty context */
	L_IOAS,		/* two IOAS, mappings at IOVA_BASE and IOVA_RO */
	L_MOCK,		/* + mock device, nest parent, nested, dirty HWPT, fault */
	L_VIOMMU,	/* + second device, two vIOMMUs, vDEVICE, vEVENTQ */
	L_VFIO,		/* L_MOCK + compat IOAS and VFIO_SET_IOMMU(type1v2) */
};

struct env {
	int fd;
	__u32 ioas, ioas2, stale;
	__u32 stdev, hwpt, idev;
	__u32 stdev2, idev2;
	__u32 parent, nested, dirty;
	__u32 fault;
	__u32 viommu, viommu2, vdev;
	int fds[8];
	unsigned int nfds;
	unsigned long req;	/* the ioctl request, a mutate may change it */
	int mutate_err;		/* a preparatory step of the mutate failed */
	const char *mutate_what;
	bool cap_dropped;	/* CAP_SYS_RESOURCE is out of the effective set */
};

/* Process-wide memory the rows point commands at */
static unsigned char *buf;	/* BUF_PAGES pages, read-write */
static unsigned char *robuf;	/* 4 pages, PROT_READ */
static unsigned char *nonebuf;	/* 4 pages, PROT_NONE */
static int memfd = -1;		/* BUF_PAGES pages of shmem */
static int pipefd[2] = { -1, -1 };
static __u64 scratch[64] __attribute__((aligned(64)));

static void env_keep_fd(struct env *e, int fd)
{
	if (fd >= 0 && e->nfds < ARRAY_SIZE(e->fds))
		e->fds[e->nfds++] = fd;
	else if (fd >= 0)
		close(fd);
}

#define ERR(_rc) ((_rc) ? errno : 0)

/* A step a mutate needs before the command; a failure fails the row */
static void must(struct env *e, int rc, const char *what)
{
	if (rc && !e->mutate_err) {
		e->mutate_err = rc;
		e->mutate_what = what;
	}
}

static int set_effective(cap_value_t cap, cap_flag_value_t value)
{
	cap_t caps = cap_get_proc();
	int rc;

	if (!caps)
		return errno;
	rc = cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, value) ||
	     cap_set_proc(caps) ? errno : 0;
	cap_free(caps);
	return rc;
}

static int do_ioctl(int fd, unsigned long req, void *cmd)
{
	return ERR(ioctl(fd, req, cmd));
}

/* ------------------------------------------------------------------ */
/* Setup helpers: each returns 0 or an errno                          */
/* ------------------------------------------------------------------ */

static int ioas_alloc(int fd, __u32 *id)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = do_ioctl(fd, IOMMU_IOAS_ALLOC, &c);

	*id = c.out_ioas_id;
	return rc;
}

static int destroy(int fd, __u32 id)
{
	struct iommu_destroy c = { .size = sizeof(c), .id = id };

	return do_ioctl(fd, IOMMU_DESTROY, &c);
}

static int map_fixed(int fd, __u32 ioas, void *va, __u64 len, __u64 iova,
		     __u32 perm)
{
	struct iommu_ioas_map c = {
		.size = sizeof(c),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | perm,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return do_ioctl(fd, IOMMU_IOAS_MAP, &c);
}

static int mock_device(int fd, __u32 ioas, __u32 dev_flags, __u32 *stdev,
		       __u32 *hwpt, __u32 *idev)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = ioas,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int rc = do_ioctl(fd, IOMMU_TEST_CMD, &c);

	if (stdev)
		*stdev = c.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = c.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = c.mock_domain_flags.out_idev_id;
	return rc;
}

static int hwpt_alloc(int fd, __u32 dev, __u32 pt, __u32 flags, __u32 type,
		      void *data, __u32 len, __u32 *out)
{
	struct iommu_hwpt_alloc c = {
		.size = sizeof(c),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = do_ioctl(fd, IOMMU_HWPT_ALLOC, &c);

	*out = c.out_hwpt_id;
	return rc;
}

static int set_dirty(int fd, __u32 hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking c = {
		.size = sizeof(c),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return do_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &c);
}

static int allow_iovas(int fd, __u32 ioas, __u64 start, __u64 last)
{
	struct iommu_iova_range r = { .start = start, .last = last };
	struct iommu_ioas_allow_iovas c = {
		.size = sizeof(c),
		.ioas_id = ioas,
		.num_iovas = 1,
		.allowed_iovas = (uintptr_t)&r,
	};

	return do_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &c);
}

static struct iommu_hwpt_selftest nest_data = {
	.iotlb = IOMMU_TEST_IOTLB_DEFAULT,
};

#if HAVE_V619
static int viommu_alloc(int fd, __u32 dev, __u32 hwpt, __u32 *out)
{
	struct iommu_viommu_alloc c = {
		.size = sizeof(c),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = dev,
		.hwpt_id = hwpt,
	};
	int rc = do_ioctl(fd, IOMMU_VIOMMU_ALLOC, &c);

	*out = c.out_viommu_id;
	return rc;
}

static int vdevice_alloc(int fd, __u32 viommu, __u32 dev, __u64 virt_id,
			 __u32 *out)
{
	struct iommu_vdevice_alloc c = {
		.size = sizeof(c),
		.viommu_id = viommu,
		.dev_id = dev,
		.virt_id = virt_id,
	};
	int rc = do_ioctl(fd, IOMMU_VDEVICE_ALLOC, &c);

	*out = c.out_vdevice_id;
	return rc;
}
#endif

static int env_setup(struct env *e, enum level lvl, char *why, size_t n)
{
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	int rc;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if (lvl == L_VFIO)
		e->fd = open("/dev/vfio/vfio", O_RDWR);
	if (e->fd < 0)
		e->fd = open("/dev/iommu", O_RDWR);
	if (e->fd < 0) {
		snprintf(why, n, "open: %s", strerror(errno));
		return -1;
	}
#define STEP(_what, _call)                                                \
	do {                                                              \
		rc = (_call);                                             \
		if (rc) {                                                 \
			snprintf(why, n, "setup %s: %s", _what, strerror(rc)); \
			return -1;                                        \
		}                                                         \
	} while (0)

	if (lvl == L_FRESH)
		return 0;
	STEP("ioas", ioas_alloc(e->fd, &e->ioas));
	STEP("ioas2", ioas_alloc(e->fd, &e->ioas2));
	if (lvl >= L_MOCK) {
		STEP("mock device", mock_device(e->fd, e->ioas, 0, &e->stdev,
						&e->hwpt, &e->idev));
		STEP("nest parent", hwpt_alloc(e->fd, e->idev, e->ioas,
					       IOMMU_HWPT_ALLOC_NEST_PARENT,
					       0, NULL, 0, &e->parent));
		STEP("nested", hwpt_alloc(e->fd, e->idev, e->parent, 0,
					  IOMMU_HWPT_DATA_SELFTEST, &nest_data,
					  sizeof(nest_data), &e->nested));
		STEP("dirty hwpt", hwpt_alloc(e->fd, e->idev, e->ioas,
					      IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					      0, NULL, 0, &e->dirty));
		STEP("dirty on", set_dirty(e->fd, e->dirty, true));
		STEP("fault", do_ioctl(e->fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
		e->fault = fa.out_fault_id;
		env_keep_fd(e, fa.out_fault_fd);
	}
	STEP("map", map_fixed(e->fd, e->ioas, buf, 4 * PG, IOVA_BASE,
			      IOMMU_IOAS_MAP_READABLE |
				      IOMMU_IOAS_MAP_WRITEABLE));
	STEP("map ro", map_fixed(e->fd, e->ioas, buf + 4 * PG, 4 * PG, IOVA_RO,
				 IOMMU_IOAS_MAP_READABLE));
#if HAVE_V619
	if (lvl == L_VIOMMU) {
		struct iommu_veventq_alloc q = {
			.size = sizeof(q),
			.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
			.veventq_depth = 2,
		};

		STEP("mock device 2", mock_device(e->fd, e->ioas, 0,
						  &e->stdev2, NULL, &e->idev2));
		STEP("viommu", viommu_alloc(e->fd, e->idev, e->parent,
					    &e->viommu));
		STEP("viommu2", viommu_alloc(e->fd, e->idev, e->parent,
					     &e->viommu2));
		STEP("vdevice", vdevice_alloc(e->fd, e->viommu, e->idev, 0x10,
					      &e->vdev));
		q.viommu_id = e->viommu;
		STEP("veventq", do_ioctl(e->fd, IOMMU_VEVENTQ_ALLOC, &q));
		env_keep_fd(e, q.out_veventq_fd);
	}
#endif
	if (lvl == L_VFIO) {
		struct iommu_vfio_ioas v = {
			.size = sizeof(v),
			.ioas_id = e->ioas,
			.op = IOMMU_VFIO_IOAS_SET,
		};

		STEP("compat ioas", do_ioctl(e->fd, IOMMU_VFIO_IOAS, &v));
		STEP("set iommu", ERR(ioctl(e->fd, VFIO_SET_IOMMU,
					    VFIO_TYPE1v2_IOMMU)));
	}
	/* Last, so that nothing set up after it can take its ID again */
	STEP("stale ioas", ioas_alloc(e->fd, &e->stale));
	STEP("destroy stale", destroy(e->fd, e->stale));
#undef STEP
	return 0;
}

static void env_teardown(struct env *e)
{
	unsigned int i;

	if (e->cap_dropped)
		set_effective(CAP_SYS_RESOURCE, CAP_SET);
	for (i = 0; i != e->nfds; i++)
		close(e->fds[i]);
	if (e->fd >= 0)
		close(e->fd);
}

/* ------------------------------------------------------------------ */
/* The ioctls: a fill function writing a command that succeeds        */
/* ------------------------------------------------------------------ */

struct ioctl_desc {
	unsigned long req;
	unsigned int size;	/* kernel structure size, 0: no size rules */
	unsigned int min;	/* end of the first version's last field */
	void (*fill)(struct env *e, void *cmd);
	void (*done)(struct env *e, void *cmd);	/* after a success */
};

#define FILL(_name, _type) \
	static void fill_##_name(struct env *e, _type *c)

FILL(DESTROY, struct iommu_destroy)
{
	c->id = e->ioas2;
}

FILL(IOAS_ALLOC, struct iommu_ioas_alloc)
{
}

FILL(IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas)
{
	struct iommu_iova_range *r = (void *)scratch;

	r[0].start = IOVA_FREE;
	r[0].last = IOVA_FREE + 0x100000 - 1;
	r[1].start = IOVA_FREE + 0x200000;
	r[1].last = IOVA_FREE + 0x300000 - 1;
	c->ioas_id = e->ioas;
	c->num_iovas = 2;
	c->allowed_iovas = (uintptr_t)scratch;
}

FILL(IOAS_COPY, struct iommu_ioas_copy)
{
	c->flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		   IOMMU_IOAS_MAP_WRITEABLE;
	c->src_ioas_id = e->ioas;
	c->src_iova = IOVA_BASE;
	c->dst_ioas_id = e->ioas2;
	c->dst_iova = IOVA_BASE;
	c->length = 4 * PG;
}

FILL(IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges)
{
	c->ioas_id = e->ioas;
	c->num_iovas = 8;
	c->allowed_iovas = (uintptr_t)scratch;
}

FILL(IOAS_MAP, struct iommu_ioas_map)
{
	c->flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		   IOMMU_IOAS_MAP_WRITEABLE;
	c->ioas_id = e->ioas;
	c->user_va = (uintptr_t)(buf + 8 * PG);
	c->length = 4 * PG;
	c->iova = IOVA_FREE;
}

FILL(IOAS_UNMAP, struct iommu_ioas_unmap)
{
	c->ioas_id = e->ioas;
	c->iova = IOVA_BASE;
	c->length = 4 * PG;
}

FILL(OPTION, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_HUGE_PAGES;
	c->op = IOMMU_OPTION_OP_GET;
	c->object_id = e->ioas;
}

FILL(VFIO_IOAS, struct iommu_vfio_ioas)
{
	c->ioas_id = e->ioas;
	c->op = IOMMU_VFIO_IOAS_SET;
}

FILL(HWPT_ALLOC, struct iommu_hwpt_alloc)
{
	c->dev_id = e->idev;
	c->pt_id = e->ioas;
}

FILL(GET_HW_INFO, struct iommu_hw_info)
{
	c->dev_id = e->idev;
	c->data_len = sizeof(struct iommu_test_hw_info);
	c->data_uptr = (uintptr_t)scratch;
}

FILL(HWPT_SET_DIRTY_TRACKING, struct iommu_hwpt_set_dirty_tracking)
{
	c->flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	c->hwpt_id = e->dirty;
}

FILL(HWPT_GET_DIRTY_BITMAP, struct iommu_hwpt_get_dirty_bitmap)
{
	c->hwpt_id = e->dirty;
	c->iova = IOVA_BASE;
	c->length = 4 * PG;
	c->page_size = PG;
	c->data = (uintptr_t)scratch;
}

FILL(HWPT_INVALIDATE, struct iommu_hwpt_invalidate)
{
	struct iommu_hwpt_invalidate_selftest *inv = (void *)scratch;

	inv->flags = 0;
	inv->iotlb_id = 0;
	c->hwpt_id = e->nested;
	c->data_uptr = (uintptr_t)scratch;
	c->data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	c->entry_len = sizeof(*inv);
	c->entry_num = 1;
}

FILL(FAULT_QUEUE_ALLOC, struct iommu_fault_alloc)
{
}

static void done_FAULT_QUEUE_ALLOC(struct env *e, void *p)
{
	struct iommu_fault_alloc *c = p;

	env_keep_fd(e, c->out_fault_fd);
}

#if HAVE_V619
FILL(IOAS_MAP_FILE, struct iommu_ioas_map_file)
{
	c->flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		   IOMMU_IOAS_MAP_WRITEABLE;
	c->ioas_id = e->ioas;
	c->fd = memfd;
	c->start = 0;
	c->length = 4 * PG;
	c->iova = IOVA_FREE;
}

FILL(VIOMMU_ALLOC, struct iommu_viommu_alloc)
{
	c->type = IOMMU_VIOMMU_TYPE_SELFTEST;
	c->dev_id = e->idev;
	c->hwpt_id = e->parent;
}

FILL(VDEVICE_ALLOC, struct iommu_vdevice_alloc)
{
	c->viommu_id = e->viommu;
	c->dev_id = e->idev2;
	c->virt_id = 0x20;
}

FILL(IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process)
{
}

FILL(VEVENTQ_ALLOC, struct iommu_veventq_alloc)
{
	c->viommu_id = e->viommu2;
	c->type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	c->veventq_depth = 4;
}

static void done_VEVENTQ_ALLOC(struct env *e, void *p)
{
	struct iommu_veventq_alloc *c = p;

	env_keep_fd(e, c->out_veventq_fd);
}

FILL(HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc)
{
	c->viommu_id = e->viommu;
	c->type = IOMMU_HW_QUEUE_TYPE_SELFTEST;
	c->index = 0;
	c->nesting_parent_iova = IOVA_BASE;
	c->length = PG;
}
#endif

/* The VFIO container commands, sent to the compat context */
FILL(VFIO_IOMMU_MAP_DMA, struct vfio_iommu_type1_dma_map)
{
	c->argsz = sizeof(*c);
	c->flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	c->vaddr = (uintptr_t)(buf + 8 * PG);
	c->iova = IOVA_FREE;
	c->size = 4 * PG;
}

FILL(VFIO_IOMMU_UNMAP_DMA, struct vfio_iommu_type1_dma_unmap)
{
	c->argsz = sizeof(*c);
	c->iova = IOVA_BASE;
	c->size = 4 * PG;
}

FILL(VFIO_IOMMU_GET_INFO, struct vfio_iommu_type1_info)
{
	c->argsz = sizeof(*c);
}

/* VFIO_SET_IOMMU takes its argument by value: see mutate_set_iommu() */
FILL(VFIO_SET_IOMMU, unsigned char)
{
}

#define DESC(_name, _req, _type, _min_field, _done)                          \
	static const struct ioctl_desc D_##_name = {                        \
		.req = _req,                                                \
		.size = sizeof(_type),                                      \
		.min = offsetofend(_type, _min_field),                      \
		.fill = (void (*)(struct env *, void *))fill_##_name,       \
		.done = _done,                                              \
	}
#define VDESC(_name, _req, _done)                                            \
	static const struct ioctl_desc D_##_name = {                        \
		.req = _req,                                                \
		.fill = (void (*)(struct env *, void *))fill_##_name,       \
		.done = _done,                                              \
	}

DESC(DESTROY, IOMMU_DESTROY, struct iommu_destroy, id, NULL);
DESC(IOAS_ALLOC, IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id,
     NULL);
DESC(IOAS_ALLOW_IOVAS, IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
     allowed_iovas, NULL);
DESC(IOAS_COPY, IOMMU_IOAS_COPY, struct iommu_ioas_copy, src_iova, NULL);
DESC(IOAS_IOVA_RANGES, IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
     out_iova_alignment, NULL);
DESC(IOAS_MAP, IOMMU_IOAS_MAP, struct iommu_ioas_map, iova, NULL);
DESC(IOAS_UNMAP, IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, length, NULL);
DESC(OPTION, IOMMU_OPTION, struct iommu_option, val64, NULL);
DESC(VFIO_IOAS, IOMMU_VFIO_IOAS, struct iommu_vfio_ioas, __reserved, NULL);
DESC(HWPT_ALLOC, IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved, NULL);
DESC(GET_HW_INFO, IOMMU_GET_HW_INFO, struct iommu_hw_info, __reserved, NULL);
DESC(HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_SET_DIRTY_TRACKING,
     struct iommu_hwpt_set_dirty_tracking, __reserved, NULL);
DESC(HWPT_GET_DIRTY_BITMAP, IOMMU_HWPT_GET_DIRTY_BITMAP,
     struct iommu_hwpt_get_dirty_bitmap, data, NULL);
DESC(HWPT_INVALIDATE, IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate,
     __reserved, NULL);
DESC(FAULT_QUEUE_ALLOC, IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc,
     out_fault_fd, done_FAULT_QUEUE_ALLOC);
#if HAVE_V619
DESC(IOAS_MAP_FILE, IOMMU_IOAS_MAP_FILE, struct iommu_ioas_map_file, iova,
     NULL);
DESC(VIOMMU_ALLOC, IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc,
     out_viommu_id, NULL);
DESC(VDEVICE_ALLOC, IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc, virt_id,
     NULL);
DESC(IOAS_CHANGE_PROCESS, IOMMU_IOAS_CHANGE_PROCESS,
     struct iommu_ioas_change_process, __reserved, NULL);
DESC(VEVENTQ_ALLOC, IOMMU_VEVENTQ_ALLOC, struct iommu_veventq_alloc,
     out_veventq_fd, done_VEVENTQ_ALLOC);
DESC(HW_QUEUE_ALLOC, IOMMU_HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc,
     length, NULL);
#endif
VDESC(VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_MAP_DMA, NULL);
VDESC(VFIO_IOMMU_UNMAP_DMA, VFIO_IOMMU_UNMAP_DMA, NULL);
VDESC(VFIO_IOMMU_GET_INFO, VFIO_IOMMU_GET_INFO, NULL);
VDESC(VFIO_SET_IOMMU, VFIO_SET_IOMMU, NULL);
/* Rows about the dispatch itself: any command will do */
#define D_dispatch D_DESTROY
#define D_VFIO D_VFIO_IOMMU_GET_INFO

/* ------------------------------------------------------------------ */
/* Mutations                                                          */
/* ------------------------------------------------------------------ */

/* M(name, type) { body }: c is the command, e the environment */
#define M(_name, _type) \
	static void m_##_name(struct env *e, _type *c)

/* Rows that send the valid command as it is */
static void m_none(struct env *e, void *c)
{
}

/* Size rules, for every iommufd command */
static const struct ioctl_desc *cur_desc;

static void m_size_small(struct env *e, void *c)
{
	*(__u32 *)c = cur_desc->min - 1;
}

/* The buffer is 256 bytes, zero past the fill; one byte of tail is set */
static void m_size_tail(struct env *e, void *c)
{
	*(__u32 *)c = cur_desc->size + 8;
	((unsigned char *)c)[cur_desc->size + 7] = 1;
}

/* dispatch */
M(unknown_nr, void) { e->req = _IO(IOMMUFD_TYPE, 0xb0); }
M(size_bits, void) { e->req = _IOWR(IOMMUFD_TYPE, 0x80, struct iommu_destroy); }

/* DESTROY */
M(destroy_zero, struct iommu_destroy) { c->id = 0; }
M(destroy_stale, struct iommu_destroy) { c->id = e->stale; }
M(destroy_unknown, struct iommu_destroy) { c->id = BAD_ID; }
M(destroy_ioas_in_use, struct iommu_destroy) { c->id = e->ioas; }
M(destroy_hwpt_attached, struct iommu_destroy) { c->id = e->hwpt; }
M(destroy_device, struct iommu_destroy) { c->id = e->idev; }
M(destroy_parent_of_nested, struct iommu_destroy) { c->id = e->parent; }
/* The fault queue's fd holds the queue */
M(destroy_fault_fd_open, struct iommu_destroy) { c->id = e->fault; }
#if HAVE_V619
M(destroy_viommu_in_use, struct iommu_destroy) { c->id = e->viommu; }
M(destroy_tombstone, struct iommu_destroy)
{
	__u32 vdev = 0;

	/* The device goes away: its vDEVICE ID stays reserved but empty */
	must(e, vdevice_alloc(e->fd, e->viommu, e->idev2, 0x20, &vdev),
	     "vdevice");
	must(e, destroy(e->fd, e->stdev2), "destroy device");
	c->id = vdev;
}
#endif

/* IOAS_ALLOC */
M(ioas_alloc_flags, struct iommu_ioas_alloc) { c->flags = 1; }

/* IOAS_ALLOW_IOVAS */
M(allow_reserved, struct iommu_ioas_allow_iovas) { c->__reserved = 1; }
M(allow_wrong_id, struct iommu_ioas_allow_iovas) { c->ioas_id = e->hwpt; }
M(allow_stale, struct iommu_ioas_allow_iovas) { c->ioas_id = e->stale; }
M(allow_inverted, struct iommu_ioas_allow_iovas)
{
	struct iommu_iova_range *r = (void *)scratch;

	r[1].start = r[1].last + 1;
}
M(allow_one_byte, struct iommu_ioas_allow_iovas)
{
	struct iommu_iova_range *r = (void *)scratch;

	r[1].last = r[1].start;
}
M(allow_overlap, struct iommu_ioas_allow_iovas)
{
	struct iommu_iova_range *r = (void *)scratch;

	r[1].start = r[0].last;
}
M(allow_reserved_range, struct iommu_ioas_allow_iovas)
{
	struct iommu_iova_range *r = (void *)scratch;

	/* Below the mock aperture: reserved while the mock device is there */
	r[0].start = 0;
	r[0].last = MOCK_APERTURE_START - 1;
}
M(allow_bad_ptr, struct iommu_ioas_allow_iovas) { c->allowed_iovas = BAD_PTR; }

/* IOAS_COPY */
M(copy_flags, struct iommu_ioas_copy) { c->flags |= 1 << 3; }
M(copy_no_perm, struct iommu_ioas_copy) { c->flags = IOMMU_IOAS_MAP_FIXED_IOVA; }
M(copy_len_zero, struct iommu_ioas_copy) { c->length = 0; }
M(copy_len_huge, struct iommu_ioas_copy) { c->length = ~0ULL; }
M(copy_src_iova_huge, struct iommu_ioas_copy) { c->src_iova = ~0ULL; }
M(copy_dst_iova_huge, struct iommu_ioas_copy) { c->dst_iova = ~0ULL; }
M(copy_src_wraps, struct iommu_ioas_copy) { c->src_iova = TOP_PAGE - PG; c->length = 4 * PG; }
M(copy_src_unmapped, struct iommu_ioas_copy) { c->src_iova = IOVA_FREE; }
M(copy_src_hole, struct iommu_ioas_copy) { c->length = 8 * PG; }
M(copy_src_wrong_id, struct iommu_ioas_copy) { c->src_ioas_id = e->hwpt; }
M(copy_src_stale, struct iommu_ioas_copy) { c->src_ioas_id = e->stale; }
M(copy_dst_wrong_id, struct iommu_ioas_copy) { c->dst_ioas_id = e->idev; }
M(copy_dst_stale, struct iommu_ioas_copy) { c->dst_ioas_id = e->stale; }
M(copy_dst_in_use, struct iommu_ioas_copy) { c->dst_ioas_id = e->ioas; }
M(copy_dst_misaligned, struct iommu_ioas_copy)
{
	c->dst_ioas_id = e->ioas;
	c->dst_iova = IOVA_FREE + 1;
}
M(copy_dst_reserved, struct iommu_ioas_copy)
{
	c->dst_ioas_id = e->ioas;
	c->dst_iova = 0;
}
M(copy_dst_no_space, struct iommu_ioas_copy)
{
	must(e, allow_iovas(e->fd, e->ioas2, IOVA_FREE, IOVA_FREE + PG - 1),
	     "allow_iovas");
	c->flags &= ~IOMMU_IOAS_MAP_FIXED_IOVA;
}
M(copy_ro_writeable, struct iommu_ioas_copy) { c->src_iova = IOVA_RO; }

/* IOAS_IOVA_RANGES */
M(ranges_reserved, struct iommu_ioas_iova_ranges) { c->__reserved = 1; }
M(ranges_wrong_id, struct iommu_ioas_iova_ranges) { c->ioas_id = e->hwpt; }
M(ranges_stale, struct iommu_ioas_iova_ranges) { c->ioas_id = e->stale; }
M(ranges_too_few, struct iommu_ioas_iova_ranges) { c->num_iovas = 0; }
M(ranges_bad_ptr, struct iommu_ioas_iova_ranges) { c->allowed_iovas = BAD_PTR; }

/* IOAS_MAP */
M(map_flags, struct iommu_ioas_map) { c->flags |= 1 << 3; }
M(map_reserved, struct iommu_ioas_map) { c->__reserved = 1; }
M(map_no_perm, struct iommu_ioas_map) { c->flags = IOMMU_IOAS_MAP_FIXED_IOVA; }
M(map_wrong_id, struct iommu_ioas_map) { c->ioas_id = e->hwpt; }
M(map_stale, struct iommu_ioas_map) { c->ioas_id = e->stale; }
M(map_zero_id, struct iommu_ioas_map) { c->ioas_id = 0; }
M(map_len_zero, struct iommu_ioas_map) { c->length = 0; }
M(map_len_huge, struct iommu_ioas_map) { c->length = ~0ULL; }
M(map_iova_huge, struct iommu_ioas_map) { c->iova = ~0ULL; }
M(map_iova_wraps, struct iommu_ioas_map) { c->iova = TOP_PAGE - PG; }
M(map_va_wraps, struct iommu_ioas_map) { c->user_va = TOP_PAGE - PG; }
M(map_iova_misaligned, struct iommu_ioas_map) { c->iova = IOVA_FREE + 1; }
M(map_len_misaligned, struct iommu_ioas_map) { c->length = 4 * PG + 1; }
M(map_va_misaligned, struct iommu_ioas_map) { c->user_va += 1; }
M(map_iova_in_use, struct iommu_ioas_map) { c->iova = IOVA_BASE + PG; }
M(map_iova_reserved, struct iommu_ioas_map) { c->iova = 0; }
M(map_no_space, struct iommu_ioas_map)
{
	must(e, allow_iovas(e->fd, e->ioas, IOVA_FREE, IOVA_FREE + PG - 1),
	     "allow_iovas");
	c->flags &= ~IOMMU_IOAS_MAP_FIXED_IOVA;
}
M(map_ro_writeable, struct iommu_ioas_map) { c->user_va = (uintptr_t)robuf; }
M(map_prot_none, struct iommu_ioas_map) { c->user_va = (uintptr_t)nonebuf; }

/* IOAS_UNMAP */
M(unmap_wrong_id, struct iommu_ioas_unmap) { c->ioas_id = e->hwpt; }
M(unmap_stale, struct iommu_ioas_unmap) { c->ioas_id = e->stale; }
M(unmap_nothing, struct iommu_ioas_unmap) { c->iova = IOVA_FREE; }
M(unmap_split, struct iommu_ioas_unmap) { c->length = PG; }
M(unmap_len_zero, struct iommu_ioas_unmap) { c->length = 0; }
M(unmap_iova_huge, struct iommu_ioas_unmap) { c->iova = ~0ULL; c->length = PG; }
M(unmap_wraps, struct iommu_ioas_unmap) { c->iova = TOP_PAGE - PG; c->length = 4 * PG; }
#if HAVE_V619
M(unmap_hw_queue, struct iommu_ioas_unmap)
{
	struct iommu_hw_queue_alloc q = {
		.size = sizeof(q),
		.viommu_id = e->viommu,
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
		.nesting_parent_iova = IOVA_BASE,
		.length = PG,
	};

	must(e, do_ioctl(e->fd, IOMMU_HW_QUEUE_ALLOC, &q), "hw queue");
}
#endif

/* OPTION */
M(option_reserved, struct iommu_option) { c->__reserved = 1; }
M(option_unknown, struct iommu_option) { c->option_id = 99; }
M(option_op, struct iommu_option) { c->op = 2; }
M(option_wrong_id, struct iommu_option) { c->object_id = e->hwpt; }
M(option_stale, struct iommu_option) { c->object_id = e->stale; }
M(option_zero_id, struct iommu_option) { c->object_id = 0; }
M(option_huge_val, struct iommu_option)
{
	c->op = IOMMU_OPTION_OP_SET;
	c->val64 = 2;
}
M(rlimit_object, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_RLIMIT_MODE;
}
M(rlimit_op, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_RLIMIT_MODE;
	c->object_id = 0;
	c->op = 2;
}
M(rlimit_val, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_RLIMIT_MODE;
	c->object_id = 0;
	c->op = IOMMU_OPTION_OP_SET;
	c->val64 = 2;
}
M(rlimit_no_cap, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_RLIMIT_MODE;
	c->object_id = 0;
	c->op = IOMMU_OPTION_OP_SET;
	c->val64 = 1;
	must(e, set_effective(CAP_SYS_RESOURCE, CAP_CLEAR), "drop capability");
	e->cap_dropped = true;
}
M(rlimit_busy, struct iommu_option)
{
	c->option_id = IOMMU_OPTION_RLIMIT_MODE;
	c->object_id = 0;
	c->op = IOMMU_OPTION_OP_SET;
	c->val64 = 1;
}

/* VFIO_IOAS */
M(vfio_ioas_reserved, struct iommu_vfio_ioas) { c->__reserved = 1; }
M(vfio_ioas_op, struct iommu_vfio_ioas) { c->op = 3; }
M(vfio_ioas_wrong_id, struct iommu_vfio_ioas) { c->ioas_id = e->hwpt; }
M(vfio_ioas_stale, struct iommu_vfio_ioas) { c->ioas_id = e->stale; }
M(vfio_ioas_get_none, struct iommu_vfio_ioas) { c->op = IOMMU_VFIO_IOAS_GET; }

/* HWPT_ALLOC */
M(hwpt_flags, struct iommu_hwpt_alloc) { c->flags = 1 << 7; }
M(hwpt_reserved, struct iommu_hwpt_alloc) { c->__reserved = 1; }
M(hwpt_reserved2, struct iommu_hwpt_alloc) { c->__reserved2 = 1; }
M(hwpt_len_no_type, struct iommu_hwpt_alloc)
{
	c->data_len = sizeof(nest_data);
	c->data_uptr = (uintptr_t)&nest_data;
}
M(hwpt_type_no_len, struct iommu_hwpt_alloc)
{
	c->data_type = IOMMU_HWPT_DATA_SELFTEST;
}
M(hwpt_dev_wrong_id, struct iommu_hwpt_alloc) { c->dev_id = e->stdev; }
M(hwpt_dev_stale, struct iommu_hwpt_alloc) { c->dev_id = e->stale; }
M(hwpt_dev_zero, struct iommu_hwpt_alloc) { c->dev_id = 0; }
M(hwpt_pt_wrong_id, struct iommu_hwpt_alloc) { c->pt_id = e->idev; }
M(hwpt_pt_stale, struct iommu_hwpt_alloc) { c->pt_id = e->stale; }
M(hwpt_pt_zero, struct iommu_hwpt_alloc) { c->pt_id = 0; }
M(hwpt_dirty_unsupported, struct iommu_hwpt_alloc)
{
	must(e, mock_device(e->fd, e->ioas2, MOCK_FLAGS_DEVICE_NO_DIRTY, NULL,
			    NULL, &c->dev_id), "no-dirty device");
	c->pt_id = e->ioas2;
	c->flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
}
M(hwpt_fault_nest_parent, struct iommu_hwpt_alloc)
{
	c->flags = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_NEST_PARENT;
	c->fault_id = e->fault;
}
M(hwpt_fault_wrong_id, struct iommu_hwpt_alloc)
{
	c->flags = IOMMU_HWPT_FAULT_ID_VALID;
	c->fault_id = e->ioas;
}
M(hwpt_paging_data_type, struct iommu_hwpt_alloc)
{
	c->data_type = 0x1234;
	c->data_len = sizeof(nest_data);
	c->data_uptr = (uintptr_t)&nest_data;
}
/* Nested: pt_id is the nest parent and the mock's blob describes it */
static void nested_cmd(struct iommu_hwpt_alloc *c, __u32 pt)
{
	c->pt_id = pt;
	c->data_type = IOMMU_HWPT_DATA_SELFTEST;
	c->data_len = sizeof(nest_data);
	c->data_uptr = (uintptr_t)&nest_data;
}
M(nested_valid, struct iommu_hwpt_alloc) { nested_cmd(c, e->parent); }
M(nested_pt_nested, struct iommu_hwpt_alloc) { nested_cmd(c, e->nested); }
M(nested_auto_parent, struct iommu_hwpt_alloc) { nested_cmd(c, e->hwpt); }
M(nested_not_parent, struct iommu_hwpt_alloc) { nested_cmd(c, e->dirty); }
M(nested_flags, struct iommu_hwpt_alloc)
{
	nested_cmd(c, e->parent);
	c->flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
}
M(nested_no_data, struct iommu_hwpt_alloc) { c->pt_id = e->parent; }
M(nested_data_type, struct iommu_hwpt_alloc)
{
	nested_cmd(c, e->parent);
	c->data_type = 0x1234;
}
M(nested_data_short, struct iommu_hwpt_alloc)
{
	nested_cmd(c, e->parent);
	c->data_len = 2;
}
M(nested_data_long, struct iommu_hwpt_alloc)
{
	nested_cmd(c, e->parent);
	memset(scratch, 0, sizeof(scratch));
	memcpy(scratch, &nest_data, sizeof(nest_data));
	c->data_uptr = (uintptr_t)scratch;
	c->data_len = 64;
}
M(nested_data_bad_ptr, struct iommu_hwpt_alloc)
{
	nested_cmd(c, e->parent);
	c->data_uptr = BAD_PTR;
}

/* GET_HW_INFO */
M(info_flags, struct iommu_hw_info) { c->flags = 1 << 1; }
M(info_reserved, struct iommu_hw_info) { c->__reserved[2] = 1; }
M(info_wrong_id, struct iommu_hw_info) { c->dev_id = e->stdev; }
M(info_stale, struct iommu_hw_info) { c->dev_id = e->stale; }
M(info_in_type, struct iommu_hw_info)
{
	c->flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	c->in_data_type = 0x1234;
}
M(info_bad_ptr, struct iommu_hw_info) { c->data_uptr = BAD_PTR; }

/* HWPT_SET_DIRTY_TRACKING */
M(dirty_flags, struct iommu_hwpt_set_dirty_tracking) { c->flags |= 1 << 1; }
M(dirty_reserved, struct iommu_hwpt_set_dirty_tracking) { c->__reserved = 1; }
M(dirty_ioas_id, struct iommu_hwpt_set_dirty_tracking) { c->hwpt_id = e->ioas; }
M(dirty_nested_id, struct iommu_hwpt_set_dirty_tracking) { c->hwpt_id = e->nested; }
M(dirty_stale, struct iommu_hwpt_set_dirty_tracking) { c->hwpt_id = e->stale; }
M(dirty_not_capable, struct iommu_hwpt_set_dirty_tracking) { c->hwpt_id = e->parent; }

/* HWPT_GET_DIRTY_BITMAP */
M(bitmap_flags, struct iommu_hwpt_get_dirty_bitmap) { c->flags = 1 << 1; }
M(bitmap_reserved, struct iommu_hwpt_get_dirty_bitmap) { c->__reserved = 1; }
M(bitmap_ioas_id, struct iommu_hwpt_get_dirty_bitmap) { c->hwpt_id = e->ioas; }
M(bitmap_nested_id, struct iommu_hwpt_get_dirty_bitmap) { c->hwpt_id = e->nested; }
M(bitmap_stale, struct iommu_hwpt_get_dirty_bitmap) { c->hwpt_id = e->stale; }
M(bitmap_len_zero, struct iommu_hwpt_get_dirty_bitmap) { c->length = 0; }
M(bitmap_wraps, struct iommu_hwpt_get_dirty_bitmap) { c->iova = TOP_PAGE; c->length = 2 * PG; }
M(bitmap_page_size_zero, struct iommu_hwpt_get_dirty_bitmap) { c->page_size = 0; }
M(bitmap_misaligned, struct iommu_hwpt_get_dirty_bitmap) { c->iova += PG / 2; }
/* A page is dirty, so a bit must be written through the bad pointer */
M(bitmap_bad_ptr, struct iommu_hwpt_get_dirty_bitmap)
{
	static __u64 bits = 1;
	struct iommu_test_cmd t = {
		.size = sizeof(t),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = e->dirty,
		.dirty = { .iova = IOVA_BASE, .length = PG, .page_size = PG,
			   .uptr = (uintptr_t)&bits },
	};

	must(e, do_ioctl(e->fd, IOMMU_TEST_CMD, &t), "mark dirty");
	c->data = BAD_PTR;
}
M(bitmap_not_capable, struct iommu_hwpt_get_dirty_bitmap) { c->hwpt_id = e->parent; }

/* HWPT_INVALIDATE */
M(inv_reserved, struct iommu_hwpt_invalidate) { c->__reserved = 1; }
M(inv_null_ptr, struct iommu_hwpt_invalidate) { c->data_uptr = 0; }
M(inv_len_zero, struct iommu_hwpt_invalidate) { c->entry_len = 0; }
M(inv_paging_id, struct iommu_hwpt_invalidate) { c->hwpt_id = e->parent; }
M(inv_ioas_id, struct iommu_hwpt_invalidate) { c->hwpt_id = e->ioas; }
M(inv_stale, struct iommu_hwpt_invalidate) { c->hwpt_id = e->stale; }
M(inv_data_type, struct iommu_hwpt_invalidate)
{
	c->data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID;
}
M(inv_entry_flags, struct iommu_hwpt_invalidate)
{
	struct iommu_hwpt_invalidate_selftest *inv = (void *)scratch;

	inv->flags = 1 << 1;
}
M(inv_entry_range, struct iommu_hwpt_invalidate)
{
	struct iommu_hwpt_invalidate_selftest *inv = (void *)scratch;

	inv->iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
}
M(inv_entry_tail, struct iommu_hwpt_invalidate)
{
	scratch[1] = 0;
	scratch[2] = 0x55;
	c->entry_len = 24;
}
M(inv_bad_ptr, struct iommu_hwpt_invalidate) { c->data_uptr = BAD_PTR; }
#if HAVE_V619
/* The same command on a vIOMMU flushes the caches of its vDEVICEs */
M(vinv_valid, struct iommu_hwpt_invalidate)
{
	struct iommu_viommu_invalidate_selftest *inv = (void *)scratch;

	inv->flags = 0;
	inv->vdev_id = 0x10;
	inv->cache_id = 0;
	c->hwpt_id = e->viommu;
	c->data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	c->entry_len = sizeof(*inv);
}
M(vinv_type, struct iommu_hwpt_invalidate)
{
	m_vinv_valid(e, c);
	c->data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID;
}
M(vinv_vdev, struct iommu_hwpt_invalidate)
{
	struct iommu_viommu_invalidate_selftest *inv = (void *)scratch;

	m_vinv_valid(e, c);
	inv->vdev_id = 0x99;
}
M(vinv_tail, struct iommu_hwpt_invalidate)
{
	unsigned char *p = (void *)scratch;

	m_vinv_valid(e, c);
	p[20] = 1;
	c->entry_len = 24;
}
#endif

/* FAULT_QUEUE_ALLOC */
M(fault_flags, struct iommu_fault_alloc) { c->flags = 1; }

#if HAVE_V619
/* IOAS_MAP_FILE */
M(file_flags, struct iommu_ioas_map_file) { c->flags |= 1 << 3; }
M(file_no_perm, struct iommu_ioas_map_file) { c->flags = IOMMU_IOAS_MAP_FIXED_IOVA; }
M(file_len_huge, struct iommu_ioas_map_file) { c->length = ~0ULL; }
M(file_iova_huge, struct iommu_ioas_map_file) { c->iova = ~0ULL; }
M(file_wrong_id, struct iommu_ioas_map_file) { c->ioas_id = e->hwpt; }
M(file_stale, struct iommu_ioas_map_file) { c->ioas_id = e->stale; }
M(file_len_zero, struct iommu_ioas_map_file) { c->length = 0; }
M(file_start_wraps, struct iommu_ioas_map_file) { c->start = TOP_PAGE - PG; }
M(file_bad_fd, struct iommu_ioas_map_file) { c->fd = -1; }
M(file_not_shmem, struct iommu_ioas_map_file) { c->fd = pipefd[0]; }
M(file_past_end, struct iommu_ioas_map_file) { c->start = (BUF_PAGES - 2) * PG; }
M(file_iova_in_use, struct iommu_ioas_map_file) { c->iova = IOVA_BASE; }
M(file_iova_reserved, struct iommu_ioas_map_file) { c->iova = 0; }
M(file_iova_misaligned, struct iommu_ioas_map_file) { c->iova = IOVA_FREE + 1; }
M(file_no_space, struct iommu_ioas_map_file)
{
	must(e, allow_iovas(e->fd, e->ioas, IOVA_FREE, IOVA_FREE + PG - 1),
	     "allow_iovas");
	c->flags &= ~IOMMU_IOAS_MAP_FIXED_IOVA;
}

/* VIOMMU_ALLOC */
M(viommu_flags, struct iommu_viommu_alloc) { c->flags = 1; }
M(viommu_type_default, struct iommu_viommu_alloc) { c->type = IOMMU_VIOMMU_TYPE_DEFAULT; }
M(viommu_type_unknown, struct iommu_viommu_alloc) { c->type = 0x1234; }
M(viommu_reserved, struct iommu_viommu_alloc) { c->__reserved = 1; }
M(viommu_dev_wrong_id, struct iommu_viommu_alloc) { c->dev_id = e->ioas; }
M(viommu_dev_stale, struct iommu_viommu_alloc) { c->dev_id = e->stale; }
M(viommu_hwpt_ioas, struct iommu_viommu_alloc) { c->hwpt_id = e->ioas; }
M(viommu_hwpt_nested, struct iommu_viommu_alloc) { c->hwpt_id = e->nested; }
M(viommu_hwpt_zero, struct iommu_viommu_alloc) { c->hwpt_id = 0; }
M(viommu_not_parent, struct iommu_viommu_alloc) { c->hwpt_id = e->hwpt; }
M(viommu_data_short, struct iommu_viommu_alloc)
{
	memset(scratch, 0, sizeof(scratch));
	c->data_uptr = (uintptr_t)scratch;
	c->data_len = 4;
}
M(viommu_data_long, struct iommu_viommu_alloc)
{
	memset(scratch, 0, sizeof(scratch));
	c->data_uptr = (uintptr_t)scratch;
	c->data_len = 64;
}
M(viommu_data_bad_ptr, struct iommu_viommu_alloc)
{
	c->data_uptr = BAD_PTR;
	c->data_len = sizeof(struct iommu_viommu_selftest);
}

/* VDEVICE_ALLOC */
M(vdev_viommu_wrong_id, struct iommu_vdevice_alloc) { c->viommu_id = e->parent; }
M(vdev_viommu_stale, struct iommu_vdevice_alloc) { c->viommu_id = e->stale; }
M(vdev_dev_wrong_id, struct iommu_vdevice_alloc) { c->dev_id = e->stdev2; }
M(vdev_dev_stale, struct iommu_vdevice_alloc) { c->dev_id = e->stale; }
M(vdev_dev_has_one, struct iommu_vdevice_alloc) { c->dev_id = e->idev; }
M(vdev_virt_id_used, struct iommu_vdevice_alloc) { c->virt_id = 0x10; }

/* IOAS_CHANGE_PROCESS */
M(change_reserved, struct iommu_ioas_change_process) { c->__reserved = 1; }

/* VEVENTQ_ALLOC */
M(veventq_flags, struct iommu_veventq_alloc) { c->flags = 1; }
M(veventq_reserved, struct iommu_veventq_alloc) { c->__reserved = 1; }
M(veventq_type_default, struct iommu_veventq_alloc) { c->type = IOMMU_VEVENTQ_TYPE_DEFAULT; }
M(veventq_depth_zero, struct iommu_veventq_alloc) { c->veventq_depth = 0; }
M(veventq_wrong_id, struct iommu_veventq_alloc) { c->viommu_id = e->parent; }
M(veventq_stale, struct iommu_veventq_alloc) { c->viommu_id = e->stale; }
M(veventq_dup_type, struct iommu_veventq_alloc) { c->viommu_id = e->viommu; }

/* HW_QUEUE_ALLOC */
M(hwq_flags, struct iommu_hw_queue_alloc) { c->flags = 1; }
M(hwq_type_default, struct iommu_hw_queue_alloc) { c->type = IOMMU_HW_QUEUE_TYPE_DEFAULT; }
M(hwq_type_unknown, struct iommu_hw_queue_alloc) { c->type = 0x1234; }
M(hwq_len_zero, struct iommu_hw_queue_alloc) { c->length = 0; }
M(hwq_wraps, struct iommu_hw_queue_alloc) { c->nesting_parent_iova = TOP_PAGE; c->length = 2 * PG; }
M(hwq_wrong_id, struct iommu_hw_queue_alloc) { c->viommu_id = e->parent; }
M(hwq_stale, struct iommu_hw_queue_alloc) { c->viommu_id = e->stale; }
M(hwq_unmapped, struct iommu_hw_queue_alloc) { c->nesting_parent_iova = IOVA_FREE; }
M(hwq_index_range, struct iommu_hw_queue_alloc) { c->index = IOMMU_TEST_HW_QUEUE_MAX; }
M(hwq_index_order, struct iommu_hw_queue_alloc) { c->index = 1; }
#endif

/* VFIO container commands */
M(vmap_argsz, struct vfio_iommu_type1_dma_map) { c->argsz = 8; }
M(vmap_flags, struct vfio_iommu_type1_dma_map) { c->flags |= 1 << 3; }
M(vmap_vaddr_flag, struct vfio_iommu_type1_dma_map) { c->flags |= VFIO_DMA_MAP_FLAG_VADDR; }
M(vmap_no_perm, struct vfio_iommu_type1_dma_map) { c->flags = 0; }
M(vmap_size_zero, struct vfio_iommu_type1_dma_map) { c->size = 0; }
M(vmap_iova_wraps, struct vfio_iommu_type1_dma_map) { c->iova = TOP_PAGE - PG; }
M(vmap_vaddr_wraps, struct vfio_iommu_type1_dma_map) { c->vaddr = TOP_PAGE - PG; }
M(vmap_misaligned, struct vfio_iommu_type1_dma_map) { c->iova += 1; }
M(vmap_in_use, struct vfio_iommu_type1_dma_map) { c->iova = IOVA_BASE; }
M(vmap_ro_writeable, struct vfio_iommu_type1_dma_map) { c->vaddr = (uintptr_t)robuf; }
static void clear_compat(struct env *e)
{
	struct iommu_vfio_ioas v = {
		.size = sizeof(v),
		.op = IOMMU_VFIO_IOAS_CLEAR,
	};

	must(e, do_ioctl(e->fd, IOMMU_VFIO_IOAS, &v), "compat clear");
}
M(vmap_no_container, struct vfio_iommu_type1_dma_map) { clear_compat(e); }
M(vunmap_argsz, struct vfio_iommu_type1_dma_unmap) { c->argsz = 8; }
M(vunmap_flags, struct vfio_iommu_type1_dma_unmap) { c->flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP; }
M(vunmap_all_range, struct vfio_iommu_type1_dma_unmap) { c->flags = VFIO_DMA_UNMAP_FLAG_ALL; }
M(vunmap_size_zero, struct vfio_iommu_type1_dma_unmap) { c->size = 0; }
M(vunmap_misaligned, struct vfio_iommu_type1_dma_unmap) { c->size = 4 * PG + 1; }
M(vunmap_split, struct vfio_iommu_type1_dma_unmap) { c->size = PG; }
M(vunmap_no_container, struct vfio_iommu_type1_dma_unmap) { clear_compat(e); }
M(vinfo_argsz, struct vfio_iommu_type1_info) { c->argsz = 4; }
M(vinfo_no_container, struct vfio_iommu_type1_info) { clear_compat(e); }
/* VFIO_SET_IOMMU's argument is the type itself, in env.req's sibling */
static unsigned long set_iommu_arg;
M(vset_valid, void) { set_iommu_arg = VFIO_TYPE1v2_IOMMU; }
M(vset_unknown, void) { set_iommu_arg = 99; }
M(vset_no_container, void)
{
	clear_compat(e);
	set_iommu_arg = VFIO_TYPE1v2_IOMMU;
}
/* The ';' numbers from 0x80 up are iommufd's; VFIO's end well below */
M(vfio_unknown_cmd, void) { e->req = _IO(VFIO_TYPE, VFIO_BASE + 27); }

/* ------------------------------------------------------------------ */
/* The table                                                          */
/* ------------------------------------------------------------------ */

#define SAME_612 (-1)

struct row {
	const char *ioctl;
	const char *name;
	const struct ioctl_desc *desc;	/* NULL: not in this uAPI */
	enum level level;
	void (*mutate)(struct env *e, void *cmd);
	int expect;		/* v6.19; 0 is success */
	int expect_612;		/* upstream 6.12 if different, else SAME_612 */
};

#define MUT(_m) ((void (*)(struct env *, void *))m_##_m)

/* R(ioctl, case, setup, mutate, errno): a row every uAPI has */
#define R(_ioctl, _case, _lvl, _mut, _err)                              \
	{ #_ioctl, #_case, &D_##_ioctl, _lvl, MUT(_mut), _err, SAME_612 }
/* R612(...): as R, with the errno upstream 6.12 gives instead */
#define R612(_ioctl, _case, _lvl, _mut, _err, _err612)                  \
	{ #_ioctl, #_case, &D_##_ioctl, _lvl, MUT(_mut), _err, _err612 }
/* RSIZE(ioctl, setup): the two size rows of an iommufd command */
#define RSIZE(_ioctl, _lvl)                                             \
	{ #_ioctl, "size_too_small", &D_##_ioctl, _lvl, m_size_small,   \
	  EINVAL, SAME_612 },                                           \
	{ #_ioctl, "size_nonzero_tail", &D_##_ioctl, _lvl, m_size_tail, \
	  E2BIG, SAME_612 }
/* R619(...): a row of a command or object that is new after 6.12 */
#if HAVE_V619
#define R619(_ioctl, _case, _lvl, _mut, _err)                           \
	{ #_ioctl, #_case, &D_##_ioctl, _lvl, MUT(_mut), _err, SAME_612 }
#define RSIZE619(_ioctl, _lvl) RSIZE(_ioctl, _lvl)
#else
#define R619(_ioctl, _case, _lvl, _mut, _err)                           \
	{ #_ioctl, #_case, NULL, _lvl, NULL, _err, SAME_612 }
#define RSIZE619(_ioctl, _lvl)                                          \
	{ #_ioctl, "size_too_small", NULL, _lvl, NULL, EINVAL, SAME_612 }, \
	{ #_ioctl, "size_nonzero_tail", NULL, _lvl, NULL, E2BIG, SAME_612 }
#endif

static const struct row rows[] = {
	/* Dispatch (any command) */
	R(dispatch, unknown_command, L_FRESH, unknown_nr, ENOTTY),
	R(dispatch, size_dir_bits, L_FRESH, size_bits, ENOTTY),

	/* IOMMU_DESTROY */
	R(DESTROY, valid, L_IOAS, none, 0),
	RSIZE(DESTROY, L_IOAS),
	R(DESTROY, id_zero, L_IOAS, destroy_zero, ENOENT),
	R(DESTROY, id_unknown, L_IOAS, destroy_unknown, ENOENT),
	R(DESTROY, id_destroyed, L_IOAS, destroy_stale, ENOENT),
	R(DESTROY, ioas_in_use, L_MOCK, destroy_ioas_in_use, EBUSY),
	R(DESTROY, hwpt_attached, L_MOCK, destroy_hwpt_attached, EBUSY),
	R(DESTROY, parent_of_nested, L_MOCK, destroy_parent_of_nested, EBUSY),
	R(DESTROY, fault_fd_open, L_MOCK, destroy_fault_fd_open, EBUSY),
	R(DESTROY, kernel_owned_device, L_MOCK, destroy_device, EBUSY),
	R619(DESTROY, viommu_in_use, L_VIOMMU, destroy_viommu_in_use, EBUSY),
	R619(DESTROY, vdevice_tombstone, L_VIOMMU, destroy_tombstone, ENOENT),

	/* IOMMU_IOAS_ALLOC */
	R(IOAS_ALLOC, valid, L_FRESH, none, 0),
	RSIZE(IOAS_ALLOC, L_FRESH),
	R(IOAS_ALLOC, flags_unknown, L_FRESH, ioas_alloc_flags, EOPNOTSUPP),

	/* IOMMU_IOAS_ALLOW_IOVAS */
	R(IOAS_ALLOW_IOVAS, valid, L_MOCK, none, 0),
	RSIZE(IOAS_ALLOW_IOVAS, L_IOAS),
	R(IOAS_ALLOW_IOVAS, reserved_nonzero, L_IOAS, allow_reserved, EOPNOTSUPP),
	R(IOAS_ALLOW_IOVAS, id_wrong_type, L_MOCK, allow_wrong_id, ENOENT),
	R(IOAS_ALLOW_IOVAS, id_destroyed, L_IOAS, allow_stale, ENOENT),
	R(IOAS_ALLOW_IOVAS, range_inverted, L_IOAS, allow_inverted, EINVAL),
	R(IOAS_ALLOW_IOVAS, range_one_byte, L_IOAS, allow_one_byte, EINVAL),
	R(IOAS_ALLOW_IOVAS, ranges_overlap, L_IOAS, allow_overlap, EINVAL),
	R(IOAS_ALLOW_IOVAS, range_reserved, L_MOCK, allow_reserved_range,
	  EADDRINUSE),
	R(IOAS_ALLOW_IOVAS, bad_pointer, L_IOAS, allow_bad_ptr, EFAULT),

	/* IOMMU_IOAS_COPY */
	R(IOAS_COPY, valid, L_MOCK, none, 0),
	RSIZE(IOAS_COPY, L_IOAS),
	R(IOAS_COPY, flags_unknown, L_IOAS, copy_flags, EOPNOTSUPP),
	R(IOAS_COPY, no_permission, L_IOAS, copy_no_perm, EINVAL),
	R(IOAS_COPY, length_zero, L_IOAS, copy_len_zero, EINVAL),
	R(IOAS_COPY, length_too_big, L_IOAS, copy_len_huge, EOVERFLOW),
	R(IOAS_COPY, src_iova_too_big, L_IOAS, copy_src_iova_huge, EOVERFLOW),
	R(IOAS_COPY, dst_iova_too_big, L_IOAS, copy_dst_iova_huge, EOVERFLOW),
	R(IOAS_COPY, src_range_wraps, L_IOAS, copy_src_wraps, EOVERFLOW),
	R(IOAS_COPY, src_not_mapped, L_IOAS, copy_src_unmapped, ENOENT),
	R(IOAS_COPY, src_has_hole, L_IOAS, copy_src_hole, ENOENT),
	R(IOAS_COPY, src_id_wrong_type, L_MOCK, copy_src_wrong_id, ENOENT),
	R(IOAS_COPY, src_id_destroyed, L_IOAS, copy_src_stale, ENOENT),
	R(IOAS_COPY, dst_id_wrong_type, L_MOCK, copy_dst_wrong_id, ENOENT),
	R(IOAS_COPY, dst_id_destroyed, L_IOAS, copy_dst_stale, ENOENT),
	R(IOAS_COPY, dst_iova_in_use, L_IOAS, copy_dst_in_use, EEXIST),
	R(IOAS_COPY, dst_iova_misaligned, L_MOCK, copy_dst_misaligned, EINVAL),
	R(IOAS_COPY, dst_iova_reserved, L_MOCK, copy_dst_reserved, EINVAL),
	R(IOAS_COPY, dst_no_space, L_IOAS, copy_dst_no_space, ENOSPC),
	R(IOAS_COPY, writeable_from_read_only, L_IOAS, copy_ro_writeable, EPERM),

	/* IOMMU_IOAS_IOVA_RANGES */
	R(IOAS_IOVA_RANGES, valid, L_MOCK, none, 0),
	RSIZE(IOAS_IOVA_RANGES, L_IOAS),
	R(IOAS_IOVA_RANGES, reserved_nonzero, L_IOAS, ranges_reserved, EOPNOTSUPP),
	R(IOAS_IOVA_RANGES, id_wrong_type, L_MOCK, ranges_wrong_id, ENOENT),
	R(IOAS_IOVA_RANGES, id_destroyed, L_IOAS, ranges_stale, ENOENT),
	R(IOAS_IOVA_RANGES, array_too_small, L_IOAS, ranges_too_few, EMSGSIZE),
	R(IOAS_IOVA_RANGES, bad_pointer, L_IOAS, ranges_bad_ptr, EFAULT),

	/* IOMMU_IOAS_MAP */
	R(IOAS_MAP, valid, L_MOCK, none, 0),
	RSIZE(IOAS_MAP, L_IOAS),
	R(IOAS_MAP, flags_unknown, L_IOAS, map_flags, EOPNOTSUPP),
	R(IOAS_MAP, reserved_nonzero, L_IOAS, map_reserved, EOPNOTSUPP),
	R(IOAS_MAP, no_permission, L_IOAS, map_no_perm, EINVAL),
	R(IOAS_MAP, id_zero, L_IOAS, map_zero_id, ENOENT),
	R(IOAS_MAP, id_wrong_type, L_MOCK, map_wrong_id, ENOENT),
	R(IOAS_MAP, id_destroyed, L_IOAS, map_stale, ENOENT),
	R(IOAS_MAP, length_zero, L_IOAS, map_len_zero, EINVAL),
	R(IOAS_MAP, length_too_big, L_IOAS, map_len_huge, EOVERFLOW),
	R(IOAS_MAP, iova_too_big, L_IOAS, map_iova_huge, EOVERFLOW),
	R(IOAS_MAP, iova_range_wraps, L_IOAS, map_iova_wraps, EOVERFLOW),
	R(IOAS_MAP, user_va_range_wraps, L_IOAS, map_va_wraps, EOVERFLOW),
	R(IOAS_MAP, iova_misaligned, L_MOCK, map_iova_misaligned, EINVAL),
	R(IOAS_MAP, length_misaligned, L_MOCK, map_len_misaligned, EINVAL),
	R(IOAS_MAP, user_va_misaligned, L_MOCK, map_va_misaligned, EINVAL),
	R(IOAS_MAP, iova_in_use, L_IOAS, map_iova_in_use, EEXIST),
	R(IOAS_MAP, iova_reserved, L_MOCK, map_iova_reserved, EINVAL),
	R(IOAS_MAP, no_space, L_IOAS, map_no_space, ENOSPC),
	R(IOAS_MAP, writeable_read_only_memory, L_MOCK, map_ro_writeable, EFAULT),
	R(IOAS_MAP, inaccessible_memory, L_MOCK, map_prot_none, EFAULT),

	/* IOMMU_IOAS_UNMAP */
	R(IOAS_UNMAP, valid, L_MOCK, none, 0),
	RSIZE(IOAS_UNMAP, L_IOAS),
	R(IOAS_UNMAP, id_wrong_type, L_MOCK, unmap_wrong_id, ENOENT),
	R(IOAS_UNMAP, id_destroyed, L_IOAS, unmap_stale, ENOENT),
	R(IOAS_UNMAP, nothing_mapped, L_IOAS, unmap_nothing, ENOENT),
	R(IOAS_UNMAP, splits_mapping, L_IOAS, unmap_split, ENOENT),
	R(IOAS_UNMAP, length_zero, L_IOAS, unmap_len_zero, EINVAL),
	R(IOAS_UNMAP, iova_too_big, L_IOAS, unmap_iova_huge, EOVERFLOW),
	R(IOAS_UNMAP, range_wraps, L_IOAS, unmap_wraps, EOVERFLOW),
	R619(IOAS_UNMAP, locked_by_hw_queue, L_VIOMMU, unmap_hw_queue, EBUSY),

	/* IOMMU_OPTION */
	R(OPTION, valid, L_MOCK, none, 0),
	RSIZE(OPTION, L_IOAS),
	R(OPTION, reserved_nonzero, L_IOAS, option_reserved, EOPNOTSUPP),
	R(OPTION, option_unknown, L_IOAS, option_unknown, EOPNOTSUPP),
	R(OPTION, op_unknown, L_IOAS, option_op, EOPNOTSUPP),
	R(OPTION, huge_pages_id_zero, L_IOAS, option_zero_id, ENOENT),
	R(OPTION, huge_pages_id_wrong_type, L_MOCK, option_wrong_id, ENOENT),
	R(OPTION, huge_pages_id_destroyed, L_IOAS, option_stale, ENOENT),
	R(OPTION, huge_pages_value, L_IOAS, option_huge_val, EINVAL),
	R(OPTION, rlimit_object_id, L_IOAS, rlimit_object, EOPNOTSUPP),
	R(OPTION, rlimit_op_unknown, L_FRESH, rlimit_op, EOPNOTSUPP),
	R(OPTION, rlimit_value, L_FRESH, rlimit_val, EINVAL),
	R(OPTION, rlimit_objects_exist, L_IOAS, rlimit_busy, EBUSY),
	R(OPTION, rlimit_no_capability, L_FRESH, rlimit_no_cap, EPERM),

	/* IOMMU_VFIO_IOAS */
	R(VFIO_IOAS, valid, L_MOCK, none, 0),
	RSIZE(VFIO_IOAS, L_IOAS),
	R(VFIO_IOAS, reserved_nonzero, L_IOAS, vfio_ioas_reserved, EOPNOTSUPP),
	R(VFIO_IOAS, op_unknown, L_IOAS, vfio_ioas_op, EOPNOTSUPP),
	R(VFIO_IOAS, id_wrong_type, L_MOCK, vfio_ioas_wrong_id, ENOENT),
	R(VFIO_IOAS, id_destroyed, L_IOAS, vfio_ioas_stale, ENOENT),
	R(VFIO_IOAS, get_without_compat, L_IOAS, vfio_ioas_get_none, ENODEV),

	/* IOMMU_HWPT_ALLOC */
	R(HWPT_ALLOC, valid, L_MOCK, none, 0),
	RSIZE(HWPT_ALLOC, L_MOCK),
	R(HWPT_ALLOC, flags_unknown, L_MOCK, hwpt_flags, EOPNOTSUPP),
	R(HWPT_ALLOC, reserved_nonzero, L_MOCK, hwpt_reserved, EOPNOTSUPP),
	R(HWPT_ALLOC, reserved2_not_checked, L_MOCK, hwpt_reserved2, 0),
	R(HWPT_ALLOC, data_len_without_type, L_MOCK, hwpt_len_no_type, EINVAL),
	R(HWPT_ALLOC, data_type_without_len, L_MOCK, hwpt_type_no_len, EINVAL),
	R(HWPT_ALLOC, dev_id_zero, L_MOCK, hwpt_dev_zero, ENOENT),
	R(HWPT_ALLOC, dev_id_wrong_type, L_MOCK, hwpt_dev_wrong_id, ENOENT),
	R(HWPT_ALLOC, dev_id_destroyed, L_MOCK, hwpt_dev_stale, ENOENT),
	R(HWPT_ALLOC, pt_id_zero, L_MOCK, hwpt_pt_zero, EINVAL),
	R(HWPT_ALLOC, pt_id_wrong_type, L_MOCK, hwpt_pt_wrong_id, EINVAL),
	R(HWPT_ALLOC, pt_id_destroyed, L_MOCK, hwpt_pt_stale, EINVAL),
	R(HWPT_ALLOC, dirty_not_supported, L_MOCK, hwpt_dirty_unsupported,
	  EOPNOTSUPP),
	R(HWPT_ALLOC, fault_with_nest_parent, L_MOCK, hwpt_fault_nest_parent,
	  EOPNOTSUPP),
	R612(HWPT_ALLOC, fault_id_wrong_type, L_MOCK, hwpt_fault_wrong_id, ENOENT,
	     EOPNOTSUPP),
	R(HWPT_ALLOC, paging_data_type_unknown, L_MOCK, hwpt_paging_data_type,
	  EOPNOTSUPP),
	R(HWPT_ALLOC, nested_valid, L_MOCK, nested_valid, 0),
	R(HWPT_ALLOC, nested_parent_is_nested, L_MOCK, nested_pt_nested, EINVAL),
	R(HWPT_ALLOC, nested_parent_automatic, L_MOCK, nested_auto_parent, EINVAL),
	R(HWPT_ALLOC, nested_parent_not_nest_parent, L_MOCK, nested_not_parent,
	  EINVAL),
	R(HWPT_ALLOC, nested_flags_unknown, L_MOCK, nested_flags, EOPNOTSUPP),
	R(HWPT_ALLOC, nested_no_data, L_MOCK, nested_no_data, EOPNOTSUPP),
	R(HWPT_ALLOC, nested_data_type_unknown, L_MOCK, nested_data_type,
	  EOPNOTSUPP),
	R(HWPT_ALLOC, nested_data_too_short, L_MOCK, nested_data_short, EINVAL),
	R(HWPT_ALLOC, nested_data_too_long, L_MOCK, nested_data_long, EINVAL),
	R(HWPT_ALLOC, nested_data_bad_pointer, L_MOCK, nested_data_bad_ptr, EFAULT),

	/* IOMMU_GET_HW_INFO */
	R(GET_HW_INFO, valid, L_MOCK, none, 0),
	RSIZE(GET_HW_INFO, L_MOCK),
	R(GET_HW_INFO, flags_unknown, L_MOCK, info_flags, EOPNOTSUPP),
	R(GET_HW_INFO, reserved_nonzero, L_MOCK, info_reserved, EOPNOTSUPP),
	R(GET_HW_INFO, dev_id_wrong_type, L_MOCK, info_wrong_id, ENOENT),
	R(GET_HW_INFO, dev_id_destroyed, L_MOCK, info_stale, ENOENT),
	R(GET_HW_INFO, in_data_type_unknown, L_MOCK, info_in_type, EOPNOTSUPP),
	R(GET_HW_INFO, bad_pointer, L_MOCK, info_bad_ptr, EFAULT),

	/* IOMMU_HWPT_SET_DIRTY_TRACKING */
	R(HWPT_SET_DIRTY_TRACKING, valid, L_MOCK, none, 0),
	RSIZE(HWPT_SET_DIRTY_TRACKING, L_MOCK),
	R(HWPT_SET_DIRTY_TRACKING, flags_unknown, L_MOCK, dirty_flags, EOPNOTSUPP),
	R(HWPT_SET_DIRTY_TRACKING, reserved_not_checked, L_MOCK, dirty_reserved, 0),
	R(HWPT_SET_DIRTY_TRACKING, id_ioas, L_MOCK, dirty_ioas_id, ENOENT),
	R(HWPT_SET_DIRTY_TRACKING, id_nested, L_MOCK, dirty_nested_id, ENOENT),
	R(HWPT_SET_DIRTY_TRACKING, id_destroyed, L_MOCK, dirty_stale, ENOENT),
	R(HWPT_SET_DIRTY_TRACKING, not_dirty_capable, L_MOCK, dirty_not_capable,
	  EOPNOTSUPP),

	/* IOMMU_HWPT_GET_DIRTY_BITMAP */
	R(HWPT_GET_DIRTY_BITMAP, valid, L_MOCK, none, 0),
	RSIZE(HWPT_GET_DIRTY_BITMAP, L_MOCK),
	R(HWPT_GET_DIRTY_BITMAP, flags_unknown, L_MOCK, bitmap_flags, EOPNOTSUPP),
	R(HWPT_GET_DIRTY_BITMAP, reserved_nonzero, L_MOCK, bitmap_reserved,
	  EOPNOTSUPP),
	R(HWPT_GET_DIRTY_BITMAP, id_ioas, L_MOCK, bitmap_ioas_id, ENOENT),
	R(HWPT_GET_DIRTY_BITMAP, id_nested, L_MOCK, bitmap_nested_id, ENOENT),
	R(HWPT_GET_DIRTY_BITMAP, id_destroyed, L_MOCK, bitmap_stale, ENOENT),
	R(HWPT_GET_DIRTY_BITMAP, length_zero, L_MOCK, bitmap_len_zero, EINVAL),
	R(HWPT_GET_DIRTY_BITMAP, range_wraps, L_MOCK, bitmap_wraps, EOVERFLOW),
	R(HWPT_GET_DIRTY_BITMAP, page_size_zero, L_MOCK, bitmap_page_size_zero,
	  EINVAL),
	R(HWPT_GET_DIRTY_BITMAP, iova_misaligned, L_MOCK, bitmap_misaligned,
	  EINVAL),
	R(HWPT_GET_DIRTY_BITMAP, not_dirty_capable, L_MOCK, bitmap_not_capable,
	  EOPNOTSUPP),
	R612(HWPT_GET_DIRTY_BITMAP, bad_pointer, L_MOCK, bitmap_bad_ptr, EFAULT,
	     0),

	/* IOMMU_HWPT_INVALIDATE */
	R(HWPT_INVALIDATE, valid, L_MOCK, none, 0),
	RSIZE(HWPT_INVALIDATE, L_MOCK),
	R(HWPT_INVALIDATE, reserved_nonzero, L_MOCK, inv_reserved, EOPNOTSUPP),
	R(HWPT_INVALIDATE, entries_null_pointer, L_MOCK, inv_null_ptr, EINVAL),
	R(HWPT_INVALIDATE, entry_len_zero, L_MOCK, inv_len_zero, EINVAL),
	R612(HWPT_INVALIDATE, id_paging_hwpt, L_MOCK, inv_paging_id, EINVAL,
	     ENOENT),
	R612(HWPT_INVALIDATE, id_ioas, L_MOCK, inv_ioas_id, EINVAL, ENOENT),
	R(HWPT_INVALIDATE, id_destroyed, L_MOCK, inv_stale, ENOENT),
	R(HWPT_INVALIDATE, data_type_unknown, L_MOCK, inv_data_type, EINVAL),
	R(HWPT_INVALIDATE, entry_flags_unknown, L_MOCK, inv_entry_flags,
	  EOPNOTSUPP),
	R(HWPT_INVALIDATE, entry_out_of_range, L_MOCK, inv_entry_range, EINVAL),
	R(HWPT_INVALIDATE, entry_too_long, L_MOCK, inv_entry_tail, EINVAL),
	R(HWPT_INVALIDATE, bad_pointer, L_MOCK, inv_bad_ptr, EFAULT),
	R619(HWPT_INVALIDATE, viommu_valid, L_VIOMMU, vinv_valid, 0),
	R619(HWPT_INVALIDATE, viommu_data_type_unknown, L_VIOMMU, vinv_type,
	     EINVAL),
	R619(HWPT_INVALIDATE, viommu_vdev_id_unknown, L_VIOMMU, vinv_vdev,
	     EINVAL),
	R619(HWPT_INVALIDATE, viommu_entry_nonzero_tail, L_VIOMMU, vinv_tail,
	     E2BIG),

	/* IOMMU_FAULT_QUEUE_ALLOC */
	R(FAULT_QUEUE_ALLOC, valid, L_FRESH, none, 0),
	RSIZE(FAULT_QUEUE_ALLOC, L_FRESH),
	R(FAULT_QUEUE_ALLOC, flags_unknown, L_FRESH, fault_flags, EOPNOTSUPP),

	/* IOMMU_IOAS_MAP_FILE */
	R619(IOAS_MAP_FILE, valid, L_MOCK, none, 0),
	RSIZE619(IOAS_MAP_FILE, L_IOAS),
	R619(IOAS_MAP_FILE, flags_unknown, L_IOAS, file_flags, EOPNOTSUPP),
	R619(IOAS_MAP_FILE, no_permission, L_IOAS, file_no_perm, EINVAL),
	R619(IOAS_MAP_FILE, length_too_big, L_IOAS, file_len_huge, EOVERFLOW),
	R619(IOAS_MAP_FILE, iova_too_big, L_IOAS, file_iova_huge, EOVERFLOW),
	R619(IOAS_MAP_FILE, id_wrong_type, L_MOCK, file_wrong_id, ENOENT),
	R619(IOAS_MAP_FILE, id_destroyed, L_IOAS, file_stale, ENOENT),
	R619(IOAS_MAP_FILE, length_zero, L_IOAS, file_len_zero, EINVAL),
	R619(IOAS_MAP_FILE, start_range_wraps, L_IOAS, file_start_wraps,
	     EOVERFLOW),
	R619(IOAS_MAP_FILE, fd_not_open, L_IOAS, file_bad_fd, EBADF),
	R619(IOAS_MAP_FILE, fd_not_memfd, L_MOCK, file_not_shmem, EINVAL),
	R619(IOAS_MAP_FILE, past_end_of_file, L_MOCK, file_past_end, EINVAL),
	R619(IOAS_MAP_FILE, iova_in_use, L_IOAS, file_iova_in_use, EEXIST),
	R619(IOAS_MAP_FILE, iova_reserved, L_MOCK, file_iova_reserved, EINVAL),
	R619(IOAS_MAP_FILE, iova_misaligned, L_MOCK, file_iova_misaligned,
	     EINVAL),
	R619(IOAS_MAP_FILE, no_space, L_IOAS, file_no_space, ENOSPC),

	/* IOMMU_VIOMMU_ALLOC */
	R619(VIOMMU_ALLOC, valid, L_MOCK, none, 0),
	RSIZE619(VIOMMU_ALLOC, L_MOCK),
	R619(VIOMMU_ALLOC, flags_unknown, L_MOCK, viommu_flags, EOPNOTSUPP),
	R619(VIOMMU_ALLOC, type_default, L_MOCK, viommu_type_default,
	     EOPNOTSUPP),
	R619(VIOMMU_ALLOC, type_unknown, L_MOCK, viommu_type_unknown,
	     EOPNOTSUPP),
	R619(VIOMMU_ALLOC, reserved_not_checked, L_MOCK, viommu_reserved, 0),
	R619(VIOMMU_ALLOC, dev_id_wrong_type, L_MOCK, viommu_dev_wrong_id,
	     ENOENT),
	R619(VIOMMU_ALLOC, dev_id_destroyed, L_MOCK, viommu_dev_stale, ENOENT),
	R619(VIOMMU_ALLOC, hwpt_id_zero, L_MOCK, viommu_hwpt_zero, ENOENT),
	R619(VIOMMU_ALLOC, hwpt_id_ioas, L_MOCK, viommu_hwpt_ioas, ENOENT),
	R619(VIOMMU_ALLOC, hwpt_id_nested, L_MOCK, viommu_hwpt_nested, ENOENT),
	R619(VIOMMU_ALLOC, hwpt_not_nest_parent, L_MOCK, viommu_not_parent,
	     EINVAL),
	R619(VIOMMU_ALLOC, data_too_short, L_MOCK, viommu_data_short, EINVAL),
	R619(VIOMMU_ALLOC, data_too_long, L_MOCK, viommu_data_long, EINVAL),
	R619(VIOMMU_ALLOC, data_bad_pointer, L_MOCK, viommu_data_bad_ptr,
	     EFAULT),

	/* IOMMU_VDEVICE_ALLOC */
	R619(VDEVICE_ALLOC, valid, L_VIOMMU, none, 0),
	RSIZE619(VDEVICE_ALLOC, L_VIOMMU),
	R619(VDEVICE_ALLOC, viommu_id_wrong_type, L_VIOMMU,
	     vdev_viommu_wrong_id, ENOENT),
	R619(VDEVICE_ALLOC, viommu_id_destroyed, L_VIOMMU, vdev_viommu_stale,
	     ENOENT),
	R619(VDEVICE_ALLOC, dev_id_wrong_type, L_VIOMMU, vdev_dev_wrong_id,
	     ENOENT),
	R619(VDEVICE_ALLOC, dev_id_destroyed, L_VIOMMU, vdev_dev_stale, ENOENT),
	R619(VDEVICE_ALLOC, device_has_vdevice, L_VIOMMU, vdev_dev_has_one,
	     EEXIST),
	R619(VDEVICE_ALLOC, virt_id_in_use, L_VIOMMU, vdev_virt_id_used,
	     EEXIST),

	/* IOMMU_IOAS_CHANGE_PROCESS */
	R619(IOAS_CHANGE_PROCESS, valid, L_FRESH, none, 0),
	RSIZE619(IOAS_CHANGE_PROCESS, L_FRESH),
	R619(IOAS_CHANGE_PROCESS, reserved_nonzero, L_FRESH, change_reserved,
	     EOPNOTSUPP),
	R619(IOAS_CHANGE_PROCESS, user_va_mapping, L_IOAS, none, EINVAL),

	/* IOMMU_VEVENTQ_ALLOC */
	R619(VEVENTQ_ALLOC, valid, L_VIOMMU, none, 0),
	RSIZE619(VEVENTQ_ALLOC, L_VIOMMU),
	R619(VEVENTQ_ALLOC, flags_unknown, L_VIOMMU, veventq_flags, EOPNOTSUPP),
	R619(VEVENTQ_ALLOC, reserved_nonzero, L_VIOMMU, veventq_reserved,
	     EOPNOTSUPP),
	R619(VEVENTQ_ALLOC, type_default, L_VIOMMU, veventq_type_default,
	     EOPNOTSUPP),
	R619(VEVENTQ_ALLOC, depth_zero, L_VIOMMU, veventq_depth_zero, EINVAL),
	R619(VEVENTQ_ALLOC, viommu_id_wrong_type, L_VIOMMU, veventq_wrong_id,
	     ENOENT),
	R619(VEVENTQ_ALLOC, viommu_id_destroyed, L_VIOMMU, veventq_stale,
	     ENOENT),
	R619(VEVENTQ_ALLOC, type_exists, L_VIOMMU, veventq_dup_type, EEXIST),

	/* IOMMU_HW_QUEUE_ALLOC */
	R619(HW_QUEUE_ALLOC, valid, L_VIOMMU, none, 0),
	RSIZE619(HW_QUEUE_ALLOC, L_VIOMMU),
	R619(HW_QUEUE_ALLOC, flags_unknown, L_VIOMMU, hwq_flags, EOPNOTSUPP),
	R619(HW_QUEUE_ALLOC, type_default, L_VIOMMU, hwq_type_default,
	     EOPNOTSUPP),
	R619(HW_QUEUE_ALLOC, type_unknown, L_VIOMMU, hwq_type_unknown,
	     EOPNOTSUPP),
	R619(HW_QUEUE_ALLOC, length_zero, L_VIOMMU, hwq_len_zero, EINVAL),
	R619(HW_QUEUE_ALLOC, range_wraps, L_VIOMMU, hwq_wraps, EOVERFLOW),
	R619(HW_QUEUE_ALLOC, viommu_id_wrong_type, L_VIOMMU, hwq_wrong_id,
	     ENOENT),
	R619(HW_QUEUE_ALLOC, viommu_id_destroyed, L_VIOMMU, hwq_stale, ENOENT),
	R619(HW_QUEUE_ALLOC, iova_not_mapped, L_VIOMMU, hwq_unmapped, ENOENT),
	R619(HW_QUEUE_ALLOC, index_out_of_range, L_VIOMMU, hwq_index_range,
	     EINVAL),
	R619(HW_QUEUE_ALLOC, index_out_of_order, L_VIOMMU, hwq_index_order, EIO),

	/* The VFIO container commands, on /dev/vfio/vfio */
	R(VFIO_IOMMU_MAP_DMA, valid, L_VFIO, none, 0),
	R(VFIO_IOMMU_MAP_DMA, argsz_too_small, L_VFIO, vmap_argsz, EINVAL),
	R(VFIO_IOMMU_MAP_DMA, flags_unknown, L_VFIO, vmap_flags, EINVAL),
	R(VFIO_IOMMU_MAP_DMA, flag_vaddr, L_VFIO, vmap_vaddr_flag, EINVAL),
	R612(VFIO_IOMMU_MAP_DMA, no_permission, L_VFIO, vmap_no_perm, EINVAL, 0),
	R(VFIO_IOMMU_MAP_DMA, size_zero, L_VFIO, vmap_size_zero, EINVAL),
	R612(VFIO_IOMMU_MAP_DMA, iova_range_wraps, L_VFIO, vmap_iova_wraps, EINVAL,
	     EOVERFLOW),
	R612(VFIO_IOMMU_MAP_DMA, vaddr_range_wraps, L_VFIO, vmap_vaddr_wraps,
	     EINVAL, EOVERFLOW),
	R(VFIO_IOMMU_MAP_DMA, iova_misaligned, L_VFIO, vmap_misaligned, EINVAL),
	R(VFIO_IOMMU_MAP_DMA, iova_in_use, L_VFIO, vmap_in_use, EEXIST),
	R(VFIO_IOMMU_MAP_DMA, writeable_read_only_memory, L_VFIO,
	  vmap_ro_writeable, EFAULT),
	R(VFIO_IOMMU_MAP_DMA, no_container, L_VFIO, vmap_no_container, ENODEV),
	R(VFIO_IOMMU_UNMAP_DMA, valid, L_VFIO, none, 0),
	R(VFIO_IOMMU_UNMAP_DMA, argsz_too_small, L_VFIO, vunmap_argsz, EINVAL),
	R(VFIO_IOMMU_UNMAP_DMA, flags_unknown, L_VFIO, vunmap_flags, EINVAL),
	R(VFIO_IOMMU_UNMAP_DMA, all_with_range, L_VFIO, vunmap_all_range,
	  EINVAL),
	R(VFIO_IOMMU_UNMAP_DMA, size_zero, L_VFIO, vunmap_size_zero, EINVAL),
	R612(VFIO_IOMMU_UNMAP_DMA, size_misaligned, L_VFIO, vunmap_misaligned,
	     EINVAL, 0),
	R(VFIO_IOMMU_UNMAP_DMA, splits_mapping, L_VFIO, vunmap_split, ENOENT),
	R(VFIO_IOMMU_UNMAP_DMA, no_container, L_VFIO, vunmap_no_container,
	  ENODEV),
	R(VFIO_IOMMU_GET_INFO, valid, L_VFIO, none, 0),
	R(VFIO_IOMMU_GET_INFO, argsz_too_small, L_VFIO, vinfo_argsz, EINVAL),
	R(VFIO_IOMMU_GET_INFO, no_container, L_VFIO, vinfo_no_container, ENODEV),
	R(VFIO_SET_IOMMU, valid, L_VFIO, vset_valid, 0),
	R(VFIO_SET_IOMMU, type_unknown, L_VFIO, vset_unknown, EINVAL),
	R(VFIO_SET_IOMMU, no_container, L_VFIO, vset_no_container, ENODEV),
	R(VFIO, unknown_command, L_VFIO, vfio_unknown_cmd, ENOTTY),
};

#define NROWS ARRAY_SIZE(rows)

static const char *errname(int err)
{
	static char other[16];

	switch (err) {
	case 0: return "0";
#define E(x) case x: return #x
	E(EINVAL); E(E2BIG); E(ENOENT); E(EOPNOTSUPP); E(EBUSY); E(EEXIST);
	E(EOVERFLOW); E(ENOSPC); E(EFAULT); E(EPERM); E(EMSGSIZE); E(ENOTTY);
	E(ENODEV); E(EBADF); E(EADDRINUSE); E(EIO); E(ENOMEM); E(ENXIO);
#undef E
	}
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

static void run_row(const struct row *r)
{
	unsigned char cmd[256] __attribute__((aligned(8)));
	int expect = r->expect;
	const char *note = "";
	char why[128];
	struct env e;
	int err;

	if (!r->desc) {
		ksft_test_result_skip("%s.%s: not in this kernel's uAPI\n",
				      r->ioctl, r->name);
		return;
	}
	if (!HAVE_V619 && r->expect_612 != SAME_612) {
		expect = r->expect_612;
		note = " (the upstream 6.12 value)";
	}
	if (env_setup(&e, r->level, why, sizeof(why))) {
		ksft_print_msg("%s.%s: %s\n", r->ioctl, r->name, why);
		ksft_test_result_fail("%s.%s\n", r->ioctl, r->name);
		env_teardown(&e);
		return;
	}

	memset(cmd, 0, sizeof(cmd));
	memset(scratch, 0, sizeof(scratch));
	cur_desc = r->desc;
	if (r->desc->size)
		*(__u32 *)cmd = r->desc->size;
	r->desc->fill(&e, cmd);
	e.req = r->desc->req;
	set_iommu_arg = 0;
	r->mutate(&e, cmd);
	if (e.mutate_err) {
		ksft_print_msg("%s.%s: %s: %s\n", r->ioctl, r->name,
			       e.mutate_what, strerror(e.mutate_err));
		ksft_test_result_fail("%s.%s\n", r->ioctl, r->name);
		env_teardown(&e);
		return;
	}

	if (r->desc == &D_VFIO_SET_IOMMU && e.req == VFIO_SET_IOMMU)
		err = ERR(ioctl(e.fd, e.req, set_iommu_arg));
	else
		err = ERR(ioctl(e.fd, e.req, cmd));
	if (!err && r->desc->done)
		r->desc->done(&e, cmd);

	if (err == expect) {
		ksft_test_result_pass("%s.%s\n", r->ioctl, r->name);
	} else {
		ksft_print_msg("%s.%s: got %s, expected %s%s\n", r->ioctl,
			       r->name, errname(err), errname(expect), note);
		ksft_test_result_fail("%s.%s\n", r->ioctl, r->name);
	}
	env_teardown(&e);
}

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	return p;
}

int main(int argc, char **argv)
{
	unsigned int i;

	/* iommufd_utils.h's own page size, unused here otherwise */
	PAGE_SIZE = sysconf(_SC_PAGESIZE);
	if (PAGE_SIZE != PG)
		ksft_exit_skip("the table assumes 4 KiB pages\n");
	if (access("/dev/iommu", R_OK | W_OK))
		ksft_exit_skip("no /dev/iommu\n");

	buf = map_anon(BUF_PAGES * PG, PROT_READ | PROT_WRITE);
	memset(buf, 0x5a, BUF_PAGES * PG);
	robuf = map_anon(4 * PG, PROT_READ);
	nonebuf = map_anon(4 * PG, PROT_NONE);
	memfd = memfd_create("iommufd_bad_input", 0);
	if (memfd < 0 || ftruncate(memfd, BUF_PAGES * PG))
		ksft_exit_fail_msg("memfd: %s\n", strerror(errno));
	if (pipe(pipefd))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));

	ksft_print_header();
	ksft_set_plan(NROWS);
	for (i = 0; i != NROWS; i++) {
		/* argv[1], if any, runs only the rows of that ioctl */
		if (argc > 1 && strcmp(argv[1], rows[i].ioctl)) {
			ksft_test_result_skip("%s.%s: not selected\n",
					      rows[i].ioctl, rows[i].name);
			continue;
		}
		run_row(&rows[i]);
	}
	ksft_finished();
	return 0;
}
