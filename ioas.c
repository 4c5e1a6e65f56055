// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOAS object and the IOMMU_IOAS_* commands.
 *
 * An IOAS is an IOVA space (struct io_pagetable) that userspace fills with
 * mappings of its memory; HWPTs and accesses attached to it see those
 * mappings. Everything here validates a command, looks the IOAS up and calls
 * one iopt_*() function; the IOVA space itself belongs to io_pagetable.c.
 *
 * Units are bytes. uAPI values are u64 while the iopt layer works with
 * unsigned long, so every IOVA and length is checked to fit before it is
 * passed down (EOVERFLOW). ULONG_MAX itself is refused as a length or IOVA
 * because the range would then end past the top of the address space.
 *
 * Lock order of IOAS_CHANGE_PROCESS: ictx->ioas_creation_lock (write), then
 * every iopt->iova_rwsem in ID order. Publishing a new IOAS takes the
 * creation lock for read, so no IOAS appears while every IOAS is locked.
 */
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* The flags IOAS_MAP, IOAS_MAP_FILE and IOAS_COPY accept */
#define IOMMUFD_IOAS_MAP_FLAGS                                    \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
	 IOMMU_IOAS_MAP_READABLE)

/*
 * IOVA_RANGES copies the ranges out of the IOVA space into a kernel buffer
 * sized from a first count. Only a concurrent ALLOW_IOVAS or attach can make
 * the count grow in between; give up after this many attempts.
 */
#define IOMMUFD_IOVA_RANGES_TRIES 8

/**
 * iommufd_ioas_destroy() - Destroy op of IOMMUFD_OBJ_IOAS
 * @obj: the IOAS
 *
 * Nothing can be attached any more (each attachment holds a users
 * reference), so only the mappings themselves remain to be undone.
 */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	/*
	 * With no access and no domain left nothing can pin or lock an area,
	 * so the table's own teardown removes the mappings; balances the
	 * init steps of iommufd_ioas_alloc(), in reverse.
	 */
	iopt_destroy_table(&ioas->iopt);
	mutex_destroy(&ioas->mutex);
}

/**
 * iommufd_ioas_alloc() - Allocate an empty IOAS and reserve its ID
 * @ictx: context to create it in
 *
 * The IOAS is not published; the caller finishes with
 * iommufd_ioas_finalize() or iommufd_object_abort_and_destroy().
 *
 * Context: Process context, may sleep.
 * Return: the IOAS or an ERR_PTR.
 */
struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas =
		iommufd_object_alloc(ictx, ioas, IOMMUFD_OBJ_IOAS);

	/* None of this can fail, so there is nothing to unwind */
	if (!IS_ERR(ioas)) {
		mutex_init(&ioas->mutex);
		INIT_LIST_HEAD(&ioas->hwpt_list);
		iopt_init_table(&ioas->iopt);
	}
	return ioas;
}

/**
 * iommufd_ioas_finalize() - Publish an IOAS from iommufd_ioas_alloc()
 * @ictx: its context
 * @ioas: the IOAS
 *
 * Context: Process context; takes ictx->ioas_creation_lock for read, so it
 * waits while IOAS_CHANGE_PROCESS holds every IOAS.
 */
void iommufd_ioas_finalize(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas)
{
	down_read(&ictx->ioas_creation_lock);
	iommufd_object_finalize(ictx, &ioas->obj);
	up_read(&ictx->ioas_creation_lock);
}

/**
 * iommufd_ioas_alloc_ioctl() - Handle IOMMU_IOAS_ALLOC
 * @ucmd: the command
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = -EOPNOTSUPP;

	if (cmd->flags)
		return rc;

	ioas = iommufd_ioas_alloc(ucmd->ictx);
	rc = PTR_ERR_OR_ZERO(ioas);
	if (!rc) {
		/* The ID must reach userspace before anyone can use it */
		cmd->out_ioas_id = ioas->obj.id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
		if (rc)
			iommufd_object_abort_and_destroy(ucmd->ictx,
							 &ioas->obj);
		else
			iommufd_ioas_finalize(ucmd->ictx, ioas);
	}
	return rc;
}

/**
 * iommufd_ioas_call() - Run a function on a looked-up IOAS, then release it
 * @ictx: context of the IOAS
 * @ioas: the result of a lookup: an IOAS with a lookup reference, or an
 *	ERR_PTR
 * @fn: what to do with the IOAS
 * @data: passed to @fn
 *
 * Lets every command that acts on one IOAS share the lookup error path and
 * the release of the reference.
 *
 * Context: Process context; whatever @fn needs.
 * Return: the lookup error, or what @fn returned.
 */
int iommufd_ioas_call(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
		      int (*fn)(struct iommufd_ioas *ioas, void *data),
		      void *data)
{
	int rc;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = fn(ioas, data);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* Run @fn on the IOAS named by @ioas_id, with @ucmd as its data */
static int iommufd_ioas_run(struct iommufd_ucmd *ucmd, u32 ioas_id,
			    int (*fn)(struct iommufd_ioas *ioas, void *data))
{
	return iommufd_ioas_call(ucmd->ictx,
				 iommufd_get_ioas(ucmd->ictx, ioas_id), fn,
				 ucmd);
}

/**
 * iommufd_ioas_read_ranges() - Copy the mappable IOVA ranges of an IOAS
 * @iopt: the IOVA space
 * @max: most entries the caller wants
 * @out: set to a kvmalloc()ed array of min(*@total, @max) ranges, or NULL
 * @total: set to the number of ranges, which may exceed @max
 *
 * Context: Process context, may sleep.
 * Return: 0, -ENOMEM, or -EAGAIN if the ranges kept changing.
 */
int iommufd_ioas_read_ranges(struct io_pagetable *iopt, u32 max,
			     struct iommu_iova_range **out, u32 *total)
{
	struct iommu_iova_range *ranges = NULL;
	unsigned int tries;
	u32 room = 0;
	int rc;

	for (tries = 0; tries != IOMMUFD_IOVA_RANGES_TRIES; tries++) {
		rc = iopt_get_iova_ranges(iopt, ranges, room, total);
		if (rc)
			goto out_free;
		if (*total <= room || room == max) {
			*out = ranges;
			return 0;
		}
		kvfree(ranges);
		room = min(*total, max);
		/* @max comes from userspace: a huge value must not WARN */
		ranges = kvcalloc(room, sizeof(*ranges),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!ranges)
			return -ENOMEM;
	}
	rc = -EAGAIN;
out_free:
	kvfree(ranges);
	return rc;
}

static int iommufd_ioas_do_iova_ranges(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range *ranges;
	u32 room = cmd->num_iovas;
	u32 total;
	int rc;

	rc = iommufd_ioas_read_ranges(&ioas->iopt, room, &ranges, &total);
	if (rc)
		return rc;
	if (ranges && copy_to_user(u64_to_user_ptr(cmd->allowed_iovas), ranges,
				   array_size(min(total, room),
					      sizeof(*ranges))))
		rc = -EFAULT;
	kvfree(ranges);
	if (rc)
		return rc;

	/* The needed count is reported back even when it did not fit */
	cmd->num_iovas = total;
	cmd->out_iova_alignment = iopt_get_iova_alignment(&ioas->iopt);
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	return rc ?: (total > room ? -EMSGSIZE : 0);
}

/**
 * iommufd_ioas_iova_ranges() - Handle IOMMU_IOAS_IOVA_RANGES
 * @ucmd: the command
 *
 * Reports the IOVA ranges that may be mapped and the required alignment.
 * When the user array is too small, as many ranges as fit are written,
 * @num_iovas is set to the number needed and the call fails with EMSGSIZE.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	return iommufd_ioas_run(ucmd, cmd->ioas_id,
				iommufd_ioas_do_iova_ranges);
}

/*
 * The uAPI has always refused single-byte (and inverted) ranges; overlaps
 * and reserved ranges are checked by iopt_set_allow_iova().
 */
static int iommufd_check_allowed_ranges(const struct iommu_iova_range *ranges,
					u32 num)
{
	u32 i;

	for (i = 0; i != num; i++)
		if (ranges[i].start >= ranges[i].last)
			return -EINVAL;
	return 0;
}

static int iommufd_ioas_do_allow_iovas(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommu_iova_range *ranges;
	int rc;

	/* An empty list lifts the restriction */
	if (!cmd->num_iovas)
		return iopt_set_allow_iova(&ioas->iopt, NULL, 0);

	ranges = kvcalloc(cmd->num_iovas, sizeof(*ranges),
			  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!ranges)
		return -ENOMEM;
	rc = copy_from_user(ranges, u64_to_user_ptr(cmd->allowed_iovas),
			    array_size(cmd->num_iovas, sizeof(*ranges))) ?
		     -EFAULT :
		     iommufd_check_allowed_ranges(ranges, cmd->num_iovas);
	if (!rc)
		rc = iopt_set_allow_iova(&ioas->iopt, ranges, cmd->num_iovas);
	kvfree(ranges);
	return rc;
}

/**
 * iommufd_ioas_allow_iovas() - Handle IOMMU_IOAS_ALLOW_IOVAS
 * @ucmd: the command
 *
 * Replaces the set of IOVA ranges automatic allocation may use. An empty
 * list removes the restriction.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	return iommufd_ioas_run(ucmd, cmd->ioas_id,
				iommufd_ioas_do_allow_iovas);
}

/*
 * The prepared arguments of MAP, MAP_FILE and COPY, from
 * iommufd_ioas_check_map(). @iova is where the mapping went, once it is made.
 */
struct iommufd_map_args {
	int prot;
	unsigned int iopt_flags;
	unsigned long iova;
};

/*
 * The checks MAP, MAP_FILE and COPY share, in the uAPI's order: unknown
 * flags, then values that do not fit the kernel's types (@other is COPY's
 * source IOVA, 0 otherwise), then a mapping with neither permission.
 */
static int iommufd_ioas_check_map(u32 flags, u64 iova, u64 length, u64 other,
				  struct iommufd_map_args *args)
{
	if (flags & ~IOMMUFD_IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (max3(iova, length, other) >= ULONG_MAX)
		return -EOVERFLOW;
	if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;

	/*
	 * Userspace has no way to flush CPU caches for DMA, so mappings are
	 * always cache coherent; devices that cannot honour IOMMU_CACHE are
	 * refused when they are bound.
	 */
	args->prot = IOMMU_CACHE;
	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		args->prot |= IOMMU_WRITE;
	if (flags & IOMMU_IOAS_MAP_READABLE)
		args->prot |= IOMMU_READ;
	args->iopt_flags = flags & IOMMU_IOAS_MAP_FIXED_IOVA ? 0 :
							       IOPT_ALLOC_IOVA;
	/* With IOPT_ALLOC_IOVA this is only a hint, and is overwritten */
	args->iova = iova;
	return 0;
}

/* Report where the mapping went, in the u64 @out of the command */
static int iommufd_map_respond(struct iommufd_ucmd *ucmd, size_t cmd_len,
			       const struct iommufd_map_args *args, u64 *out)
{
	*out = args->iova;
	return iommufd_ucmd_respond(ucmd, cmd_len);
}

static int iommufd_ioas_do_map(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_map_args args;
	int rc;

	rc = iommufd_ioas_check_map(cmd->flags, cmd->iova, cmd->length, 0,
				    &args);
	if (!rc)
		rc = iopt_map_user_pages(ucmd->ictx, &ioas->iopt, &args.iova,
					 u64_to_user_ptr(cmd->user_va),
					 cmd->length, args.prot,
					 args.iopt_flags);
	return rc ?: iommufd_map_respond(ucmd, sizeof(*cmd), &args, &cmd->iova);
}

/**
 * iommufd_ioas_map() - Handle IOMMU_IOAS_MAP
 * @ucmd: the command
 *
 * Return: 0 with @iova set to where the memory was mapped, or a negative
 * errno.
 */
int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_map_args args;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	/* Argument errors come before the lookup */
	rc = iommufd_ioas_check_map(cmd->flags, cmd->iova, cmd->length, 0,
				    &args);
	return rc ?: iommufd_ioas_run(ucmd, cmd->ioas_id, iommufd_ioas_do_map);
}

/* The dma-buf behind @fd, referenced, or NULL if it is something else */
static struct dma_buf *iommufd_fd_get_dmabuf(int fd)
{
	struct dma_buf *dmabuf;

	if (!IS_ENABLED(CONFIG_DMA_SHARED_BUFFER))
		return NULL;
	dmabuf = dma_buf_get(fd);
	return IS_ERR(dmabuf) ? NULL : dmabuf;
}

/* Everything MAP_FILE checks after the IOAS lookup, up to the mapping */
static int iommufd_map_file_check(const struct iommu_ioas_map_file *cmd)
{
	u64 last;

	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->start, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;
	return 0;
}

static int iommufd_ioas_do_map_file(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct iommufd_map_args args;
	struct dma_buf *dmabuf;
	struct file *file;
	int rc;

	rc = iommufd_ioas_check_map(cmd->flags, cmd->iova, cmd->length, 0,
				    &args);
	if (!rc)
		rc = iommufd_map_file_check(cmd);
	if (rc)
		return rc;

	dmabuf = iommufd_fd_get_dmabuf(cmd->fd);
	if (dmabuf) {
		rc = iopt_map_dmabuf_pages(&ioas->iopt, &args.iova, dmabuf,
					   cmd->start, cmd->length, args.prot,
					   args.iopt_flags);
		dma_buf_put(dmabuf);
		return rc ?: iommufd_map_respond(ucmd, sizeof(*cmd), &args,
						 &cmd->iova);
	}

	file = fget(cmd->fd);
	if (!file)
		return -EBADF;
	rc = iopt_map_file_pages(ucmd->ictx, &ioas->iopt, &args.iova, file,
				 cmd->start, cmd->length, args.prot,
				 args.iopt_flags);
	/* The area took its own file reference if it needed one */
	fput(file);
	return rc ?: iommufd_map_respond(ucmd, sizeof(*cmd), &args, &cmd->iova);
}

/**
 * iommufd_ioas_map_file() - Handle IOMMU_IOAS_MAP_FILE
 * @ucmd: the command
 *
 * Maps [@start, @start + @length) of a memfd or a dma-buf. A memfd must stay
 * big enough until the pages are pinned; the mapping keeps its own file or
 * dma-buf reference, so the fd may be closed right after the call.
 *
 * Return: 0 with @iova set, or a negative errno.
 */
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct iommufd_map_args args;
	int rc;

	rc = iommufd_ioas_check_map(cmd->flags, cmd->iova, cmd->length, 0,
				    &args);
	return rc ?: iommufd_ioas_run(ucmd, cmd->ioas_id,
				      iommufd_ioas_do_map_file);
}

/**
 * iommufd_ioas_copy() - Handle IOMMU_IOAS_COPY
 * @ucmd: the command
 *
 * Maps the memory behind [@src_iova, @src_iova + @length) of one IOAS again
 * in another (or the same) IOAS, without pinning it a second time.
 *
 * Return: 0 with @dst_iova set, or a negative errno.
 */
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas[2] = {};
	struct iommufd_map_args args;
	const u32 ids[2] = { cmd->src_ioas_id, cmd->dst_ioas_id };
	unsigned int got;
	int rc;

	rc = iommufd_ioas_check_map(cmd->flags, cmd->dst_iova, cmd->length,
				    cmd->src_iova, &args);
	if (rc)
		return rc;

	/* Source first, then destination; they may be the same IOAS */
	for (got = 0; got != ARRAY_SIZE(ids); got++) {
		ioas[got] = iommufd_get_ioas(ucmd->ictx, ids[got]);
		if (IS_ERR(ioas[got])) {
			rc = PTR_ERR(ioas[got]);
			goto out_put;
		}
	}

	rc = iopt_copy_range(ucmd->ictx, &ioas[1]->iopt, &args.iova,
			     &ioas[0]->iopt, cmd->src_iova, cmd->length,
			     args.prot, args.iopt_flags);
	if (!rc)
		rc = iommufd_map_respond(ucmd, sizeof(*cmd), &args,
					 &cmd->dst_iova);
out_put:
	/* balances the lookups that succeeded */
	while (got--)
		iommufd_put_object(ucmd->ictx, &ioas[got]->obj);
	return rc;
}

static int iommufd_ioas_do_unmap(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	/* [0, U64_MAX] is the documented "everything" request */
	bool all = !cmd->iova && cmd->length == U64_MAX;
	unsigned long unmapped = 0;
	int rc;

	if (!all && (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX))
		return -EOVERFLOW;
	if (all)
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	else
		rc = iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length,
				     &unmapped);
	/* A specific range must have held something */
	if (!rc && !all && !unmapped)
		rc = -ENOENT;
	if (rc)
		return rc;

	cmd->length = unmapped;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/**
 * iommufd_ioas_unmap() - Handle IOMMU_IOAS_UNMAP
 * @ucmd: the command
 *
 * Unmaps whole areas inside [@iova, @iova + @length); @iova 0 with @length
 * U64_MAX unmaps everything and succeeds even when nothing is mapped. The
 * number of bytes unmapped is returned in @length.
 *
 * Return: 0, -ENOENT if a specific range holds no mapping or would split
 * one, or another negative errno.
 */
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;

	return iommufd_ioas_run(ucmd, cmd->ioas_id, iommufd_ioas_do_unmap);
}

/*
 * Take a lookup reference on every IOAS of @ictx, in ID order. The caller
 * holds the creation lock for write, so the count taken first can only
 * shrink while the references are taken.
 */
static int iommufd_ioas_collect(struct iommufd_ctx *ictx,
				struct iommufd_ioas ***out, unsigned int *num)
{
	struct iommufd_ioas **list;
	struct iommufd_object *obj;
	unsigned int count = 0;
	unsigned long index;

	lockdep_assert_held_write(&ictx->ioas_creation_lock);

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj)
		count += obj->type == IOMMUFD_OBJ_IOAS;
	xa_unlock(&ictx->objects);

	*num = 0;
	*out = NULL;
	if (!count)
		return 0;
	list = kvcalloc(count, sizeof(*list), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!list)
		return -ENOMEM;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		if (*num == count)
			break;
		if (obj->type != IOMMUFD_OBJ_IOAS || !iommufd_lock_obj(obj))
			continue;
		list[(*num)++] = container_of(obj, struct iommufd_ioas, obj);
	}
	xa_unlock(&ictx->objects);
	*out = list;
	return 0;
}

/**
 * iommufd_ioas_change_process() - Handle IOMMU_IOAS_CHANGE_PROCESS
 * @ucmd: the command
 *
 * Moves the pinned-memory charge of every mapping of every IOAS to the
 * calling process. All mappings must be file backed; either every charge
 * moves or none does.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct io_pagetable **iopts = NULL;
	struct iommufd_ioas **list;
	unsigned int num;
	unsigned int i;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	down_write(&ictx->ioas_creation_lock);
	rc = iommufd_ioas_collect(ictx, &list, &num);
	if (rc || !num)
		goto out_unlock_creation;

	iopts = kvcalloc(num, sizeof(*iopts), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!iopts) {
		rc = -ENOMEM;
		goto out_put_list;
	}
	for (i = 0; i != num; i++) {
		iopts[i] = &list[i]->iopt;
		down_write_nest_lock(&iopts[i]->iova_rwsem,
				     &ictx->ioas_creation_lock);
	}

	rc = iopt_change_process(iopts, num);

	/* balances the down_write_nest_lock() loop above */
	for (i = 0; i != num; i++)
		up_write(&iopts[i]->iova_rwsem);
	kvfree(iopts);
out_put_list:
	for (i = 0; i != num; i++)
		iommufd_put_object(ictx, &list[i]->obj);
	kvfree(list);
out_unlock_creation:
	up_write(&ictx->ioas_creation_lock);
	return rc;
}

/**
 * iommufd_option_rlimit_mode() - IOMMU_OPTION for IOMMU_OPTION_RLIMIT_MODE
 * @cmd: the option command; @val64 is updated for a GET
 * @ictx: context the option applies to
 *
 * In the uAPI, value 0 charges the user's locked_vm and value 1 the mm's
 * pinned_vm (as legacy VFIO does). The mode may only change before any
 * object exists, so no page is ever charged under two different modes.
 *
 * Return: 0, -EOPNOTSUPP for an object ID or unknown op, -EPERM without
 * CAP_SYS_RESOURCE, -EBUSY once objects exist, -EINVAL for other values.
 */
int iommufd_option_rlimit_mode(struct iommu_option *cmd,
			       struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	unsigned long index;
	u8 mode;
	int rc;

	if (cmd->object_id)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = ictx->account_mode == IOPT_PAGES_ACCOUNT_MM;
		return 0;
	case IOMMU_OPTION_OP_SET:
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (cmd->val64 == 0)
		mode = IOPT_PAGES_ACCOUNT_USER;
	else if (cmd->val64 == 1)
		mode = IOPT_PAGES_ACCOUNT_MM;
	else
		return -EINVAL;

	/*
	 * Only published objects count: reserved IDs (objects being created
	 * or destroyed) and tombstones read back as NULL and are skipped.
	 */
	rc = 0;
	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		rc = -EBUSY;
		break;
	}
	if (!rc)
		ictx->account_mode = mode;
	xa_unlock(&ictx->objects);
	return rc;
}

static int iommufd_ioas_do_option(struct iommufd_ioas *ioas, void *data)
{
	struct iommufd_ucmd *ucmd = data;
	struct iommu_option *cmd = ucmd->cmd;

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !READ_ONCE(ioas->iopt.disable_large_pages);
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 > 1)
		return -EINVAL;
	if (!cmd->val64)
		return iopt_disable_large_pages(&ioas->iopt);
	iopt_enable_large_pages(&ioas->iopt);
	return 0;
}

/**
 * iommufd_ioas_option() - IOMMU_OPTION for per-IOAS options
 * @ucmd: the command, whose @object_id names the IOAS
 *
 * IOMMU_OPTION_HUGE_PAGES: 1 (the default) lets mappings use large IOMMU
 * pages, 0 limits them to PAGE_SIZE so that any page can be unmapped alone.
 *
 * Return: 0 or a negative errno.
 */
int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;

	if (cmd->option_id != IOMMU_OPTION_HUGE_PAGES)
		return -EOPNOTSUPP;
	return iommufd_ioas_run(ucmd, cmd->object_id, iommufd_ioas_do_option);
}
