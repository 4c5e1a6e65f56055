// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for main.c:
 *
 * iommufd_object   the object table: two-phase creation, lookups, DESTROY
 *                  rules, kernel-owned removal, tombstones and the order in
 *                  which context release destroys objects.
 * iommufd_dispatch the ioctl size rules, driven over the real ioctl table so
 *                  that a new row is covered without touching this file.
 *
 * Objects are of the test-only type IOMMUFD_OBJ_KUNIT, whose ops record
 * what the table did to them. Contexts are created without a file; every
 * one is released by a KUnit action so a failed assertion does not leak.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

#define KOBJ_LOG_MAX 16

struct iommufd_kunit_log {
	u32 destroyed[KOBJ_LOG_MAX];
	unsigned int num_destroyed;
	unsigned int aborts;
	unsigned int pre_destroys;
};

/*
 * struct iommufd_kunit_obj - test object
 * @obj: table header
 * @log: where the ops record their calls
 * @ictx: context, to wake destroyers when a held reference is revoked
 * @parent: object this one holds a users reference on (a graph edge)
 * @holds_wait: keeps one wait_cnt reference on itself until pre_destroy
 *	revokes it, like a vDEVICE does on its device
 */
struct iommufd_kunit_obj {
	struct iommufd_object obj;
	struct iommufd_kunit_log *log;
	struct iommufd_ctx *ictx;
	struct iommufd_kunit_obj *parent;
	bool holds_wait;
};

static struct iommufd_kunit_obj *to_kobj(struct iommufd_object *obj)
{
	return container_of(obj, struct iommufd_kunit_obj, obj);
}

static void kobj_drop_parent(struct iommufd_kunit_obj *kobj)
{
	if (kobj->parent)
		refcount_dec(&kobj->parent->obj.users);
}

/**
 * iommufd_kunit_obj_pre_destroy() - pre_destroy op of IOMMUFD_OBJ_KUNIT
 * @obj: the object
 */
void iommufd_kunit_obj_pre_destroy(struct iommufd_object *obj)
{
	struct iommufd_kunit_obj *kobj = to_kobj(obj);

	kobj->log->pre_destroys++;
	if (!kobj->holds_wait)
		return;
	kobj->holds_wait = false;
	if (refcount_dec_and_test(&obj->wait_cnt))
		wake_up_interruptible_all(&kobj->ictx->destroy_wait);
}

/**
 * iommufd_kunit_obj_destroy() - destroy op of IOMMUFD_OBJ_KUNIT
 * @obj: the object
 */
void iommufd_kunit_obj_destroy(struct iommufd_object *obj)
{
	struct iommufd_kunit_obj *kobj = to_kobj(obj);
	struct iommufd_kunit_log *log = kobj->log;

	if (log->num_destroyed < KOBJ_LOG_MAX)
		log->destroyed[log->num_destroyed] = obj->id;
	log->num_destroyed++;
	kobj_drop_parent(kobj);
}

/**
 * iommufd_kunit_obj_abort() - abort op of IOMMUFD_OBJ_KUNIT
 * @obj: the object
 */
void iommufd_kunit_obj_abort(struct iommufd_object *obj)
{
	struct iommufd_kunit_obj *kobj = to_kobj(obj);

	kobj->log->aborts++;
	kobj_drop_parent(kobj);
}

struct iommufd_kunit_fixture {
	struct iommufd_ctx *ictx;
	struct iommufd_kunit_log log;
	bool released;
	char __user *ubuf;
	size_t ubuf_len;
};

static void iommufd_kunit_release_ctx(void *data)
{
	struct iommufd_kunit_fixture *fx = data;

	if (!fx->released)
		iommufd_ctx_destroy(fx->ictx);
	fx->released = true;
	kfree(fx->ictx);
}

static int iommufd_kunit_init(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	fx->ictx = kzalloc(sizeof(*fx->ictx), GFP_KERNEL);
	if (!fx->ictx)
		return -ENOMEM;
	iommufd_ctx_init(fx->ictx, NULL);
	test->priv = fx;
	return kunit_add_action_or_reset(test, iommufd_kunit_release_ctx, fx);
}

/* Release the context now, as closing the file would */
static void kunit_release_now(struct iommufd_kunit_fixture *fx)
{
	iommufd_ctx_destroy(fx->ictx);
	fx->released = true;
}

static struct iommufd_kunit_obj *kobj_alloc(struct kunit *test,
					    struct iommufd_kunit_obj *parent)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj;

	kobj = iommufd_object_alloc(fx->ictx, kobj, IOMMUFD_OBJ_KUNIT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, kobj);
	kobj->log = &fx->log;
	kobj->ictx = fx->ictx;
	if (parent) {
		refcount_inc(&parent->obj.users);
		kobj->parent = parent;
	}
	return kobj;
}

static struct iommufd_kunit_obj *kobj_new(struct kunit *test,
					  struct iommufd_kunit_obj *parent)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_alloc(test, parent);

	iommufd_object_finalize(fx->ictx, &kobj->obj);
	return kobj;
}

static int kobj_lookup(struct kunit *test, u32 id,
		       enum iommufd_object_type type)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_object *obj;

	obj = iommufd_get_object(fx->ictx, id, type);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	iommufd_put_object(fx->ictx, obj);
	return 0;
}

static int kobj_user_destroy(struct kunit *test, u32 id)
{
	struct iommufd_kunit_fixture *fx = test->priv;

	return iommufd_object_remove(fx->ictx, NULL, id, 0);
}

/* @id is free: the next object gets it, being the lowest free ID */
static void kobj_expect_id_free(struct kunit *test, u32 id)
{
	KUNIT_EXPECT_EQ(test, kobj_new(test, NULL)->obj.id, id);
}

/*
 * Keep only the wait_cnt half of a lookup on @kobj, as a vDEVICE does; its
 * pre_destroy gives it back.
 */
static struct iommufd_object *kobj_hold_wait(struct kunit *test,
					     struct iommufd_kunit_obj *kobj)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_object *obj;

	obj = iommufd_get_object(fx->ictx, kobj->obj.id, IOMMUFD_OBJ_KUNIT);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	refcount_dec(&obj->users);
	kobj->holds_wait = true;
	return obj;
}

static void object_ids_start_at_one(struct kunit *test)
{
	struct iommufd_kunit_obj *a = kobj_new(test, NULL);
	struct iommufd_kunit_obj *b = kobj_new(test, NULL);

	KUNIT_EXPECT_EQ(test, a->obj.id, 1);
	KUNIT_EXPECT_EQ(test, b->obj.id, 2);
	/* ID 0 is global in the uAPI and never names an object */
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, 0, IOMMUFD_OBJ_ANY), -ENOENT);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, 0), -ENOENT);
}

static void object_reserved_until_finalize(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_alloc(test, NULL);
	u32 id = kobj->obj.id;

	KUNIT_EXPECT_NE(test, id, 0);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_ANY), -ENOENT);
	/* A reservation cannot be destroyed from userspace either */
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), -ENOENT);

	iommufd_object_finalize(fx->ictx, &kobj->obj);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_KUNIT), 0);
}

static void object_abort_releases_id(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_alloc(test, NULL);
	u32 id = kobj->obj.id;

	iommufd_object_abort(fx->ictx, &kobj->obj);
	KUNIT_EXPECT_EQ(test, fx->log.aborts, 0);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 0);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_ANY), -ENOENT);
	/* The freed ID is the lowest free one again */
	kobj_expect_id_free(test, id);
}

static void object_abort_and_destroy_uses_abort(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *parent = kobj_new(test, NULL);
	struct iommufd_kunit_obj *kobj = kobj_alloc(test, parent);

	KUNIT_EXPECT_EQ(test, refcount_read(&parent->obj.users), 2);
	iommufd_object_abort_and_destroy(fx->ictx, &kobj->obj);
	KUNIT_EXPECT_EQ(test, fx->log.aborts, 1);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 0);
	/* The abort op undid the edge, so the parent is free to go */
	KUNIT_EXPECT_EQ(test, refcount_read(&parent->obj.users), 1);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, parent->obj.id), 0);
}

static void object_lookup_checks_type(struct kunit *test)
{
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);

	KUNIT_EXPECT_EQ(test, kobj_lookup(test, kobj->obj.id, IOMMUFD_OBJ_IOAS),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, kobj->obj.id, IOMMUFD_OBJ_ANY),
			0);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, kobj->obj.id + 1,
					  IOMMUFD_OBJ_ANY),
			-ENOENT);
}

static void object_lookup_takes_both_counts(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	struct iommufd_object *obj;

	obj = iommufd_get_object(fx->ictx, kobj->obj.id, IOMMUFD_OBJ_KUNIT);
	KUNIT_ASSERT_PTR_EQ(test, obj, &kobj->obj);
	KUNIT_EXPECT_EQ(test, refcount_read(&obj->users), 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&obj->wait_cnt), 2);
	iommufd_put_object(fx->ictx, obj);
	KUNIT_EXPECT_EQ(test, refcount_read(&obj->users), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&obj->wait_cnt), 1);
}

static void object_destroy_unused(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	u32 id = kobj->obj.id;

	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), 0);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 1);
	KUNIT_EXPECT_EQ(test, fx->log.destroyed[0], id);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_ANY), -ENOENT);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), -ENOENT);
	/* Nobody held it: the ID was freed in the same pass */
	kobj_expect_id_free(test, id);
}

static void object_destroy_drains_wait_holder(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	u32 id = kobj->obj.id;

	kobj_hold_wait(test, kobj);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), 0);
	KUNIT_EXPECT_EQ(test, fx->log.pre_destroys, 1);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 1);
	/* Drained, then freed: the ID is handed out again */
	kobj_expect_id_free(test, id);
}

static void object_destroy_busy_with_dependent(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *parent = kobj_new(test, NULL);
	struct iommufd_kunit_obj *child = kobj_new(test, parent);

	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, parent->obj.id), -EBUSY);
	/* Nothing changed: still there and usable */
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, parent->obj.id,
					  IOMMUFD_OBJ_KUNIT),
			0);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 0);

	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, child->obj.id), 0);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, parent->obj.id), 0);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 2);
}

static void object_destroy_busy_during_lookup(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	struct iommufd_object *obj;

	/* An ioctl using the object holds a users reference too */
	obj = iommufd_get_object(fx->ictx, kobj->obj.id, IOMMUFD_OBJ_ANY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(obj));
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, kobj->obj.id), -EBUSY);
	iommufd_put_object(fx->ictx, obj);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, kobj->obj.id), 0);
}

static void object_kernel_owner_destroy(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	u32 id = kobj->obj.id;

	/* The kernel owner's reference, as a bind would take it */
	refcount_inc(&kobj->obj.users);
	/* ...which userspace cannot override */
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), -EBUSY);

	iommufd_object_destroy_user(fx->ictx, &kobj->obj);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 1);
	KUNIT_EXPECT_EQ(test, fx->log.pre_destroys, 0);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_ANY), -ENOENT);
	/* Not a tombstone: the ID is free again */
	kobj_expect_id_free(test, id);
}

static void object_kernel_owner_busy_restores(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *parent = kobj_new(test, NULL);
	struct iommufd_kunit_obj *child = kobj_new(test, parent);

	refcount_inc(&parent->obj.users);
	KUNIT_EXPECT_EQ(test, iommufd_object_remove(fx->ictx, &parent->obj,
						    parent->obj.id,
						    REMOVE_WAIT),
			-EBUSY);
	/* The owner's reference was consumed; lookups work again */
	KUNIT_EXPECT_EQ(test, refcount_read(&parent->obj.users), 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&parent->obj.wait_cnt), 1);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, parent->obj.id,
					  IOMMUFD_OBJ_KUNIT),
			0);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, child->obj.id), 0);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, parent->obj.id), 0);
}

static void object_pre_destroy_revokes_wait(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	struct iommufd_object *obj = kobj_hold_wait(test, kobj);

	refcount_inc(&obj->users);
	iommufd_object_destroy_user(fx->ictx, obj);
	KUNIT_EXPECT_EQ(test, fx->log.pre_destroys, 1);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 1);
}

static void object_no_pre_destroy_when_idle(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);

	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, kobj->obj.id), 0);
	KUNIT_EXPECT_EQ(test, fx->log.pre_destroys, 0);
}

static void object_tombstone(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *kobj = kobj_new(test, NULL);
	u32 id = kobj->obj.id;

	refcount_inc(&kobj->obj.users);
	iommufd_object_tombstone_user(fx->ictx, &kobj->obj);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 1);
	KUNIT_EXPECT_EQ(test, kobj_lookup(test, id, IOMMUFD_OBJ_ANY), -ENOENT);
	KUNIT_EXPECT_EQ(test, kobj_user_destroy(test, id), -ENOENT);
	/* A tombstoned ID is never handed out again */
	kobj = kobj_new(test, NULL);
	KUNIT_EXPECT_NE(test, kobj->obj.id, id);
}

static unsigned int kobj_log_pos(struct iommufd_kunit_log *log, u32 id)
{
	unsigned int i;

	for (i = 0; i != min_t(unsigned int, log->num_destroyed, KOBJ_LOG_MAX);
	     i++)
		if (log->destroyed[i] == id)
			return i;
	return UINT_MAX;
}

static void object_release_leaf_first(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	/* Parents get lower IDs, so an ID-order walk meets them first */
	struct iommufd_kunit_obj *root = kobj_new(test, NULL);
	struct iommufd_kunit_obj *mid = kobj_new(test, root);
	struct iommufd_kunit_obj *leaf = kobj_new(test, mid);
	struct iommufd_kunit_obj *lone = kobj_new(test, NULL);
	u32 ids[] = { root->obj.id, mid->obj.id, leaf->obj.id, lone->obj.id };

	kunit_release_now(fx);
	KUNIT_ASSERT_EQ(test, fx->log.num_destroyed, 4);
	KUNIT_EXPECT_LT(test, kobj_log_pos(&fx->log, ids[2]),
			kobj_log_pos(&fx->log, ids[1]));
	KUNIT_EXPECT_LT(test, kobj_log_pos(&fx->log, ids[1]),
			kobj_log_pos(&fx->log, ids[0]));
	KUNIT_EXPECT_NE(test, kobj_log_pos(&fx->log, ids[3]), UINT_MAX);
}

static void object_release_skips_tombstones(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_kunit_obj *gone = kobj_new(test, NULL);

	kobj_new(test, NULL);
	refcount_inc(&gone->obj.users);
	iommufd_object_tombstone_user(fx->ictx, &gone->obj);

	kunit_release_now(fx);
	KUNIT_EXPECT_EQ(test, fx->log.num_destroyed, 2);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->ictx->objects));
}

static struct kunit_case iommufd_object_cases[] = {
	KUNIT_CASE(object_ids_start_at_one),
	KUNIT_CASE(object_reserved_until_finalize),
	KUNIT_CASE(object_abort_releases_id),
	KUNIT_CASE(object_abort_and_destroy_uses_abort),
	KUNIT_CASE(object_lookup_checks_type),
	KUNIT_CASE(object_lookup_takes_both_counts),
	KUNIT_CASE(object_destroy_unused),
	KUNIT_CASE(object_destroy_busy_with_dependent),
	KUNIT_CASE(object_destroy_busy_during_lookup),
	KUNIT_CASE(object_kernel_owner_destroy),
	KUNIT_CASE(object_kernel_owner_busy_restores),
	KUNIT_CASE(object_pre_destroy_revokes_wait),
	KUNIT_CASE(object_no_pre_destroy_when_idle),
	KUNIT_CASE(object_destroy_drains_wait_holder),
	KUNIT_CASE(object_tombstone),
	KUNIT_CASE(object_release_leaf_first),
	KUNIT_CASE(object_release_skips_tombstones),
	{}
};

static struct kunit_suite iommufd_object_suite = {
	.name = "iommufd_object",
	.init = iommufd_kunit_init,
	.test_cases = iommufd_object_cases,
};

/* ------------------------------------------------------------------------ */
/* Dispatcher                                                               */
/* ------------------------------------------------------------------------ */

#define DISPATCH_UBUF_LEN (2 * PAGE_SIZE)

static int iommufd_dispatch_init(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx;
	unsigned long uaddr;
	int rc;

	rc = iommufd_kunit_init(test);
	if (rc)
		return rc;
	fx = test->priv;

	uaddr = kunit_vm_mmap(test, NULL, 0, DISPATCH_UBUF_LEN,
			      PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!uaddr || uaddr >= TASK_SIZE) {
		kunit_skip(test, "no user memory for the dispatcher tests");
		return 0;
	}
	fx->ubuf = (char __user *)uaddr;
	fx->ubuf_len = DISPATCH_UBUF_LEN;
	return 0;
}

/* Parameters are the used rows of the real table, in table order */
static const void *dispatch_row_gen(const void *prev, char *desc)
{
	const struct iommufd_ioctl_op *row = prev;
	const struct iommufd_ioctl_op *table;
	unsigned int num;

	table = iommufd_ioctl_table(&num);
	row = row ? row + 1 : table;
	for (; row != table + num; row++) {
		if (!row->ioctl_num)
			continue;
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "cmd 0x%x size %u min %u",
			 _IOC_NR(row->ioctl_num), row->size, row->min_size);
		return row;
	}
	return NULL;
}

/* Fill the user buffer with a pattern of nonzero bytes, then set @size */
static void ubuf_fill(struct kunit *test, size_t len, u32 size)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	u8 *pattern;
	size_t i;

	KUNIT_ASSERT_LE(test, len, fx->ubuf_len);
	pattern = kunit_kzalloc(test, fx->ubuf_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	for (i = 0; i != len; i++)
		pattern[i] = 0xa0 | (i & 0xf);
	memcpy(pattern, &size, sizeof(size));
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, pattern, fx->ubuf_len), 0);
	kunit_kfree(test, pattern);
}

static void ubuf_set_byte(struct kunit *test, size_t off, u8 val)
{
	struct iommufd_kunit_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, put_user(val, (u8 __user *)fx->ubuf + off), 0);
}

static int row_load(struct kunit *test, const struct iommufd_ioctl_op *row,
		    void *kbuf)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_ucmd ucmd = {
		.ictx = fx->ictx,
		.ubuffer = fx->ubuf,
		.cmd = kbuf,
	};

	return iommufd_ucmd_load(row, row->ioctl_num, &ucmd);
}

static void *row_kbuf(struct kunit *test, const struct iommufd_ioctl_op *row)
{
	void *kbuf = kunit_kzalloc(test, row->size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	return kbuf;
}

static void dispatch_table_rows_consistent(struct kunit *test)
{
	const struct iommufd_ioctl_op *table;
	unsigned int used = 0;
	unsigned int num;
	unsigned int i;

	table = iommufd_ioctl_table(&num);
	KUNIT_ASSERT_GE(test, num, IOMMUFD_CMD_HW_QUEUE_ALLOC -
				   IOMMUFD_CMD_BASE + 1);
	for (i = 0; i != num; i++) {
		const struct iommufd_ioctl_op *row = &table[i];

		if (!row->ioctl_num)
			continue;
		used++;
		/* Row i must describe _IO(';', IOMMUFD_CMD_BASE + i) */
		KUNIT_EXPECT_EQ(test, row->ioctl_num,
				_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + i));
		KUNIT_EXPECT_TRUE(test, row->execute);
		/* Every struct starts with its u32 size */
		KUNIT_EXPECT_GE(test, row->min_size, sizeof(u32));
		KUNIT_EXPECT_LE(test, row->min_size, row->size);
	}
	/* Every command 0x80 to 0x94 has a row */
	KUNIT_EXPECT_GE(test, used, IOMMUFD_CMD_HW_QUEUE_ALLOC -
				    IOMMUFD_CMD_BASE + 1);
}

static void dispatch_size_below_min(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;

	ubuf_fill(test, row->size, row->min_size - 1);
	KUNIT_EXPECT_EQ(test, row_load(test, row, row_kbuf(test, row)),
			-EINVAL);
}

static void dispatch_size_zero(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;

	ubuf_fill(test, row->size, 0);
	KUNIT_EXPECT_EQ(test, row_load(test, row, row_kbuf(test, row)),
			-EINVAL);
}

static void dispatch_tail_nonzero(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;

	ubuf_fill(test, row->size + 1, row->size + 1);
	ubuf_set_byte(test, row->size, 0xff);
	KUNIT_EXPECT_EQ(test, row_load(test, row, row_kbuf(test, row)),
			-E2BIG);
}

static void dispatch_tail_zero_same_as_exact(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;
	u8 *exact = row_kbuf(test, row);
	u8 *longer = row_kbuf(test, row);

	ubuf_fill(test, row->size, row->size);
	KUNIT_ASSERT_EQ(test, row_load(test, row, exact), 0);

	ubuf_fill(test, row->size, row->size + 1);
	ubuf_set_byte(test, row->size, 0);
	KUNIT_ASSERT_EQ(test, row_load(test, row, longer), 0);
	/* Only the size field itself may differ */
	KUNIT_EXPECT_EQ(test, *(u32 *)longer, row->size + 1);
	KUNIT_EXPECT_MEMEQ(test, exact + sizeof(u32), longer + sizeof(u32),
			   row->size - sizeof(u32));
}

static void dispatch_min_size_zero_extends(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;
	u8 *kbuf = row_kbuf(test, row);
	unsigned int i;

	/* The user buffer has garbage after min_size; it must not be read */
	ubuf_fill(test, row->size, row->min_size);
	memset(kbuf, 0x5a, row->size);
	KUNIT_ASSERT_EQ(test, row_load(test, row, kbuf), 0);
	for (i = sizeof(u32); i != row->min_size; i++)
		KUNIT_EXPECT_EQ(test, kbuf[i], 0xa0 | (i & 0xf));
	for (i = row->min_size; i != row->size; i++)
		KUNIT_EXPECT_EQ(test, kbuf[i], 0);
}

static void dispatch_long_zero_tail(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;
	struct iommufd_kunit_fixture *fx = test->priv;

	/* Not capped: a page-sized all-zero extension is still accepted */
	KUNIT_ASSERT_LE(test, PAGE_SIZE, fx->ubuf_len);
	ubuf_fill(test, row->size, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, row_load(test, row, row_kbuf(test, row)), 0);
}

static void dispatch_bad_pointer(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_ucmd ucmd = {
		.ictx = fx->ictx,
		.ubuffer = NULL,
		.cmd = row_kbuf(test, row),
	};

	KUNIT_EXPECT_EQ(test, iommufd_ucmd_load(row, row->ioctl_num, &ucmd),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, row->ioctl_num, NULL),
			-EFAULT);
}

static void dispatch_row_wrong_number(struct kunit *test)
{
	const struct iommufd_ioctl_op *row = test->param_value;
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommufd_ucmd ucmd = {
		.ictx = fx->ictx,
		.ubuffer = fx->ubuf,
		.cmd = row_kbuf(test, row),
	};

	/* Same nr, but with direction bits: not this command */
	ubuf_fill(test, row->size, row->size);
	KUNIT_EXPECT_EQ(test, iommufd_ucmd_load(row,
						row->ioctl_num |
							_IOC(_IOC_WRITE, 0, 0, 0),
						&ucmd),
			-ENOTTY);
}

static void dispatch_unknown_commands(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	const struct iommufd_ioctl_op *table;
	struct iommu_destroy cmd = { .size = sizeof(cmd) };
	unsigned int num;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &cmd, sizeof(cmd)), 0);
	/* Past the table */
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, _IO(IOMMUFD_TYPE, 0xff),
					       fx->ubuf),
			-ENOTTY);
	/* Below the table: neither iommufd nor a VFIO container command */
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx,
					       _IO(IOMMUFD_TYPE,
						   IOMMUFD_CMD_BASE - 1),
					       fx->ubuf),
			-ENOTTY);
	/* Unused rows inside the table */
	table = iommufd_ioctl_table(&num);
	for (i = 0; i != num; i++) {
		if (table[i].ioctl_num)
			continue;
		KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx,
						       _IO(IOMMUFD_TYPE,
							   IOMMUFD_CMD_BASE + i),
						       fx->ubuf),
				-ENOTTY);
	}
}

static void dispatch_number_must_match(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommu_destroy cmd = { .size = sizeof(cmd) };

	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &cmd, sizeof(cmd)), 0);
	/* Right nr, but with direction and size bits or another type */
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx,
					       _IOWR(IOMMUFD_TYPE,
						     IOMMUFD_CMD_DESTROY,
						     struct iommu_destroy),
					       fx->ubuf),
			-ENOTTY);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx,
					       _IO('x', IOMMUFD_CMD_DESTROY),
					       fx->ubuf),
			-ENOTTY);
}

static void dispatch_destroy_any_size(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct {
		struct iommu_destroy cmd;
		u32 extra;
	} buf = { .cmd = { .size = sizeof(buf.cmd), .id = 0 } };

	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, IOMMU_DESTROY,
					       fx->ubuf),
			-ENOENT);
	buf.cmd.size = sizeof(buf);
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, IOMMU_DESTROY,
					       fx->ubuf),
			-ENOENT);
	buf.extra = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, IOMMU_DESTROY,
					       fx->ubuf),
			-E2BIG);
}

static void dispatch_option_responds(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 77,
	};

	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &cmd, sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, IOMMU_OPTION,
					       fx->ubuf),
			0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&cmd, fx->ubuf, sizeof(cmd)), 0);
	/* A new context charges the user: mode 0 */
	KUNIT_EXPECT_EQ(test, cmd.val64, 0);

	/* Reserved fields are refused before anything else */
	cmd.__reserved = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, &cmd, sizeof(cmd)), 0);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, IOMMU_OPTION,
					       fx->ubuf),
			-EOPNOTSUPP);
}

/*
 * Issue one command through the dispatcher the way userspace does: the
 * structure goes through the user buffer and comes back from it.
 */
static long kunit_ioctl(struct kunit *test, unsigned int cmd, void *kcmd,
			size_t len)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	long rc;

	KUNIT_ASSERT_LE(test, len, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, copy_to_user(fx->ubuf, kcmd, len), 0);
	rc = iommufd_dispatch(fx->ictx, cmd, fx->ubuf);
	KUNIT_ASSERT_EQ(test, copy_from_user(kcmd, fx->ubuf, len), 0);
	return rc;
}

/* The second page of the user buffer holds arrays commands point at */
static void __user *kunit_uarray(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;

	return fx->ubuf + PAGE_SIZE;
}

static u32 kunit_ioas_alloc(struct kunit *test)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	KUNIT_ASSERT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_ALLOC, &cmd,
					  sizeof(cmd)),
			0);
	KUNIT_ASSERT_NE(test, cmd.out_ioas_id, 0);
	return cmd.out_ioas_id;
}

static void uapi_ioas_lifecycle(struct kunit *test)
{
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 1 };

	/* Unknown flags are refused and leave nothing behind */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_ALLOC, &alloc,
					  sizeof(alloc)),
			-EOPNOTSUPP);
	destroy.id = kunit_ioas_alloc(test);
	KUNIT_EXPECT_EQ(test, destroy.id, 1);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_DESTROY, &destroy,
					  sizeof(destroy)),
			0);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_DESTROY, &destroy,
					  sizeof(destroy)),
			-ENOENT);
}

static void uapi_iova_ranges(struct kunit *test)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = kunit_ioas_alloc(test),
		.allowed_iovas = (uintptr_t)kunit_uarray(test),
	};
	struct iommu_iova_range range;

	/* No room: the needed count comes back with EMSGSIZE */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_IOVA_RANGES, &cmd,
					  sizeof(cmd)),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, cmd.num_iovas, 1);

	/* An IOAS without devices can map anywhere */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_IOVA_RANGES, &cmd,
					  sizeof(cmd)),
			0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&range, kunit_uarray(test),
					     sizeof(range)),
			0);
	KUNIT_EXPECT_EQ(test, range.start, 0);
	KUNIT_EXPECT_EQ(test, range.last, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, cmd.out_iova_alignment, 1);

	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_IOVA_RANGES, &cmd,
					  sizeof(cmd)),
			-EOPNOTSUPP);
}

static void uapi_map_validation_order(struct kunit *test)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | 0x80,
		.ioas_id = 12345,
		.length = PAGE_SIZE,
		.iova = ULONG_MAX,
	};

	/* flags, then overflow, then permissions, then the lookup */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &cmd,
					  sizeof(cmd)),
			-EOPNOTSUPP);
	cmd.flags = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &cmd,
					  sizeof(cmd)),
			-EOVERFLOW);
	cmd.iova = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &cmd,
					  sizeof(cmd)),
			-EINVAL);
	cmd.flags = IOMMU_IOAS_MAP_WRITEABLE;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &cmd,
					  sizeof(cmd)),
			-ENOENT);
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &cmd,
					  sizeof(cmd)),
			-EOPNOTSUPP);
}

static void uapi_map_unmap(struct kunit *test)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = kunit_ioas_alloc(test),
		.length = PAGE_SIZE,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = map.ioas_id,
	};

	map.user_va = (uintptr_t)kunit_uarray(test);
	KUNIT_ASSERT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_MAP, &map,
					  sizeof(map)),
			0);
	/* Automatic placement keeps the page offset: page aligned here */
	KUNIT_EXPECT_EQ(test, map.iova % PAGE_SIZE, 0);

	/* Nothing at this range */
	unmap.iova = map.iova + PAGE_SIZE;
	unmap.length = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_UNMAP, &unmap,
					  sizeof(unmap)),
			-ENOENT);
	unmap.iova = map.iova;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_UNMAP, &unmap,
					  sizeof(unmap)),
			0);
	KUNIT_EXPECT_EQ(test, unmap.length, PAGE_SIZE);

	/* "Everything" succeeds on an empty IOAS and reports 0 bytes */
	unmap.iova = 0;
	unmap.length = U64_MAX;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_UNMAP, &unmap,
					  sizeof(unmap)),
			0);
	KUNIT_EXPECT_EQ(test, unmap.length, 0);
}

static void uapi_option_huge_pages(struct kunit *test)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = kunit_ioas_alloc(test),
	};

	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			0);
	KUNIT_EXPECT_EQ(test, cmd.val64, 1);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 2;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			-EINVAL);
	cmd.val64 = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			0);
	cmd.op = IOMMU_OPTION_OP_GET;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			0);
	KUNIT_EXPECT_EQ(test, cmd.val64, 0);

	/* Object 0 is no IOAS; RLIMIT_MODE is the global one */
	cmd.object_id = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			-ENOENT);
}

static void uapi_rlimit_mode_needs_empty_table(struct kunit *test)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET,
		.val64 = 1,
	};

	if (!capable(CAP_SYS_RESOURCE))
		kunit_skip(test, "needs CAP_SYS_RESOURCE");
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			0);
	cmd.val64 = 2;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			-EINVAL);
	kunit_ioas_alloc(test);
	cmd.val64 = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			-EBUSY);
	cmd.object_id = 1;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_OPTION, &cmd,
					  sizeof(cmd)),
			-EOPNOTSUPP);
}

static void uapi_change_process_empty(struct kunit *test)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	/* Nothing to move is a success, with or without an IOAS */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_CHANGE_PROCESS,
					  &cmd, sizeof(cmd)),
			0);
	kunit_ioas_alloc(test);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_CHANGE_PROCESS,
					  &cmd, sizeof(cmd)),
			0);
	cmd.__reserved = 1;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_IOAS_CHANGE_PROCESS,
					  &cmd, sizeof(cmd)),
			-EOPNOTSUPP);
}

static void uapi_vfio_compat_ioas(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_GET,
	};
	u32 id;

	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, VFIO_GET_API_VERSION,
					       NULL),
			VFIO_API_VERSION);
	/* No group, no container commands */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_VFIO_IOAS, &cmd,
					  sizeof(cmd)),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, VFIO_SET_IOMMU,
					       (void __user *)VFIO_TYPE1v2_IOMMU),
			-ENODEV);

	/* VFIO attaching a group creates the compat IOAS once */
	KUNIT_ASSERT_EQ(test, iommufd_vfio_compat_ioas_create(fx->ictx), 0);
	KUNIT_ASSERT_EQ(test, iommufd_vfio_compat_ioas_get_id(fx->ictx, &id),
			0);
	KUNIT_EXPECT_EQ(test, iommufd_vfio_compat_ioas_create(fx->ictx), 0);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_VFIO_IOAS, &cmd,
					  sizeof(cmd)),
			0);
	KUNIT_EXPECT_EQ(test, cmd.ioas_id, id);
	KUNIT_EXPECT_EQ(test, iommufd_vfio_compat_set_no_iommu(fx->ictx),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, iommufd_dispatch(fx->ictx, VFIO_SET_IOMMU,
					       (void __user *)VFIO_TYPE1_IOMMU),
			0);

	/* It is an ordinary object: destroying it forgets it */
	KUNIT_EXPECT_EQ(test, iommufd_object_remove(fx->ictx, NULL, id, 0), 0);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, IOMMU_VFIO_IOAS, &cmd,
					  sizeof(cmd)),
			-ENODEV);
}

static void uapi_vfio_map_unmap(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)kunit_uarray(test),
		.iova = 16 * PAGE_SIZE,
		.size = PAGE_SIZE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = map.iova,
		.size = PAGE_SIZE,
	};

	KUNIT_ASSERT_EQ(test, iommufd_vfio_compat_ioas_create(fx->ictx), 0);
	KUNIT_ASSERT_EQ(test, iommufd_dispatch(fx->ictx, VFIO_SET_IOMMU,
					       (void __user *)VFIO_TYPE1v2_IOMMU),
			0);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_MAP_DMA, &map,
					  sizeof(map)),
			0);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_UNMAP_DMA, &unmap,
					  sizeof(unmap)),
			0);
	KUNIT_EXPECT_EQ(test, unmap.size, PAGE_SIZE);

	/* "All" takes no range; with none it empties the container */
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_UNMAP_DMA, &unmap,
					  sizeof(unmap)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_MAP_DMA, &map,
					  sizeof(map)),
			0);
	unmap.iova = 0;
	unmap.size = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_UNMAP_DMA, &unmap,
					  sizeof(unmap)),
			0);
	KUNIT_EXPECT_EQ(test, unmap.size, PAGE_SIZE);

	/* type1 refuses a mapping without permissions */
	map.flags = 0;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_MAP_DMA, &map,
					  sizeof(map)),
			-EINVAL);
}

static void uapi_vfio_get_info(struct kunit *test)
{
	struct iommufd_kunit_fixture *fx = test->priv;
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	static const u16 order[] = {
		VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
		VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
		VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
	};
	struct vfio_iommu_type1_info_cap_iova_range cap;
	unsigned int i;
	u32 off;
	u8 *buf;

	info.argsz = 1;
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_GET_INFO, &info,
					  sizeof(info)),
			-EINVAL);
	info.argsz = sizeof(info);
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_GET_INFO, &info,
					  sizeof(info)),
			-ENODEV);

	KUNIT_ASSERT_EQ(test, iommufd_vfio_compat_ioas_create(fx->ictx), 0);
	/* Too small for the chain: no chain, but the size it needs */
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_GET_INFO, &info,
					  sizeof(info)),
			0);
	KUNIT_EXPECT_EQ(test, info.flags,
			VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	KUNIT_EXPECT_NE(test, info.iova_pgsizes, 0);
	KUNIT_EXPECT_EQ(test, info.cap_offset, 0);
	KUNIT_ASSERT_GT(test, info.argsz, sizeof(info));
	KUNIT_ASSERT_LE(test, info.argsz, PAGE_SIZE);

	buf = kunit_kzalloc(test, info.argsz, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, &info, sizeof(info));
	KUNIT_EXPECT_EQ(test, kunit_ioctl(test, VFIO_IOMMU_GET_INFO, buf,
					  info.argsz),
			0);
	memcpy(&info, buf, sizeof(info));
	KUNIT_ASSERT_EQ(test, info.cap_offset, sizeof(info));
	/* type1's order, 8-byte aligned; the IOVA ranges end the chain */
	off = info.cap_offset;
	for (i = 0; i != ARRAY_SIZE(order); i++) {
		struct vfio_info_cap_header hdr;

		KUNIT_ASSERT_NE(test, off, 0);
		KUNIT_ASSERT_LE(test, off + sizeof(cap), info.argsz);
		KUNIT_EXPECT_EQ(test, off % sizeof(u64), 0);
		memcpy(&hdr, buf + off, sizeof(hdr));
		KUNIT_EXPECT_EQ(test, hdr.id, order[i]);
		KUNIT_EXPECT_EQ(test, hdr.version, 1);
		if (hdr.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			memcpy(&cap, buf + off, sizeof(cap));
			/* No device yet: the system-wide geometry */
			KUNIT_EXPECT_GE(test, cap.nr_iovas, 1);
		}
		off = hdr.next;
	}
	KUNIT_EXPECT_EQ(test, off, 0);
}

static struct kunit_case iommufd_dispatch_cases[] = {
	KUNIT_CASE(dispatch_table_rows_consistent),
	KUNIT_CASE_PARAM(dispatch_size_below_min, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_size_zero, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_tail_nonzero, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_tail_zero_same_as_exact, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_min_size_zero_extends, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_long_zero_tail, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_bad_pointer, dispatch_row_gen),
	KUNIT_CASE_PARAM(dispatch_row_wrong_number, dispatch_row_gen),
	KUNIT_CASE(dispatch_unknown_commands),
	KUNIT_CASE(dispatch_number_must_match),
	KUNIT_CASE(dispatch_destroy_any_size),
	KUNIT_CASE(dispatch_option_responds),
	KUNIT_CASE(uapi_ioas_lifecycle),
	KUNIT_CASE(uapi_iova_ranges),
	KUNIT_CASE(uapi_map_validation_order),
	KUNIT_CASE(uapi_map_unmap),
	KUNIT_CASE(uapi_option_huge_pages),
	KUNIT_CASE(uapi_rlimit_mode_needs_empty_table),
	KUNIT_CASE(uapi_change_process_empty),
	KUNIT_CASE(uapi_vfio_compat_ioas),
	KUNIT_CASE(uapi_vfio_map_unmap),
	KUNIT_CASE(uapi_vfio_get_info),
	{}
};

static struct kunit_suite iommufd_dispatch_suite = {
	.name = "iommufd_dispatch",
	.init = iommufd_dispatch_init,
	.test_cases = iommufd_dispatch_cases,
};

/*
 * The IOPF enable count of a multi-device group's attach handle moves with
 * it when its device detaches. Bare devices have no IOMMU driver, so
 * enabling IOPF on them fails: the count must still leave the departing
 * device, and the handle must know it holds none.
 */
static void iopf_move_next_cannot_enable(struct kunit *test)
{
	struct iommufd_attach_handle *handle;
	struct iommufd_device *from, *to;

	handle = kunit_kzalloc(test, sizeof(*handle), GFP_KERNEL);
	from = kunit_kzalloc(test, sizeof(*from), GFP_KERNEL);
	to = kunit_kzalloc(test, sizeof(*to), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handle);
	KUNIT_ASSERT_NOT_NULL(test, from);
	KUNIT_ASSERT_NOT_NULL(test, to);
	from->dev = kunit_kzalloc(test, sizeof(*from->dev), GFP_KERNEL);
	to->dev = kunit_kzalloc(test, sizeof(*to->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, from->dev);
	KUNIT_ASSERT_NOT_NULL(test, to->dev);
	mutex_init(&from->iopf_lock);
	mutex_init(&to->iopf_lock);
	from->iopf_enabled = 1;
	handle->idev = from;
	handle->iopf_on = true;

	iommufd_iopf_move(handle, from, to);
	KUNIT_EXPECT_EQ(test, from->iopf_enabled, 0U);
	KUNIT_EXPECT_EQ(test, to->iopf_enabled, 0U);
	KUNIT_EXPECT_FALSE(test, handle->iopf_on);

	/* A handle without a count moves nothing */
	from->iopf_enabled = 1;
	iommufd_iopf_move(handle, from, to);
	KUNIT_EXPECT_EQ(test, from->iopf_enabled, 1U);
	KUNIT_EXPECT_EQ(test, to->iopf_enabled, 0U);
}

static struct kunit_case iommufd_device_cases[] = {
	KUNIT_CASE(iopf_move_next_cannot_enable),
	{}
};

static struct kunit_suite iommufd_device_suite = {
	.name = "iommufd_device",
	.test_cases = iommufd_device_cases,
};

kunit_test_suites(&iommufd_object_suite, &iommufd_dispatch_suite,
		  &iommufd_device_suite);
