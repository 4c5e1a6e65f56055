// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the pinned pages layer: PFN batches (sizing, run
 * coalescing, capacity limits), the IOVA <-> page index arithmetic of areas
 * and the accounting of pinned pages.
 *
 * KUnit runs in a kernel thread without an mm, so accounting is checked on
 * zeroed stand-in mm and user structures: only their counters are touched.
 */
#include <kunit/test.h>
#include <linux/mm_types.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/sizes.h>

#include "../io_pagetable.h"

#define ENTRY_BYTES \
	(sizeof(unsigned long) + sizeof(u32) + sizeof(struct page *))

static void pages_free_batch(void *data)
{
	struct iopt_batch *batch = data;

	iopt_batch_destroy(batch, NULL);
}

/* A batch over caller memory of @entries entries, so capacity is exact */
static struct iopt_batch *pages_small_batch(struct kunit *test,
					    unsigned int entries)
{
	struct iopt_batch *batch;
	void *backup;

	batch = kunit_kzalloc(test, sizeof(*batch), GFP_KERNEL);
	backup = kunit_kzalloc(test, entries * ENTRY_BYTES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, batch);
	KUNIT_ASSERT_NOT_NULL(test, backup);
	iopt_batch_init(batch, 1, backup, entries * ENTRY_BYTES);
	KUNIT_ASSERT_FALSE(test, batch->allocated);
	KUNIT_ASSERT_EQ(test, batch->capacity, entries);
	return batch;
}

static void pages_batch_coalesce(struct kunit *test)
{
	struct iopt_batch *batch = pages_small_batch(test, 4);

	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 100, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 101, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 102, 510));
	KUNIT_EXPECT_EQ(test, batch->nruns, 1U);
	KUNIT_EXPECT_EQ(test, batch->npfns[0], 512U);
	KUNIT_EXPECT_EQ(test, batch->total, 512UL);

	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 700, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 699, 1));
	KUNIT_EXPECT_EQ(test, batch->nruns, 3U);
	KUNIT_EXPECT_EQ(test, batch->pfns[2], 699UL);
	KUNIT_EXPECT_EQ(test, batch->total, 514UL);
}

static void pages_batch_full(struct kunit *test)
{
	struct iopt_batch *batch = pages_small_batch(test, 2);

	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 10, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 20, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_full(batch));
	/* A new run does not fit, extending the last one still does */
	KUNIT_EXPECT_FALSE(test, iopt_batch_add(batch, 30, 1));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 21, 4));
	KUNIT_EXPECT_EQ(test, batch->total, 6UL);
	KUNIT_EXPECT_EQ(test, batch->nruns, 2U);

	iopt_batch_clear(batch);
	KUNIT_EXPECT_EQ(test, batch->total, 0UL);
	KUNIT_EXPECT_FALSE(test, iopt_batch_full(batch));
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 30, 1));
}

static void pages_batch_run_limit(struct kunit *test)
{
	struct iopt_batch *batch = pages_small_batch(test, 3);

	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, 0, U32_MAX - 1));
	/* The run counter is 32 bits: the overflow starts a new run */
	KUNIT_EXPECT_TRUE(test, iopt_batch_add(batch, U32_MAX - 1, 2));
	KUNIT_EXPECT_EQ(test, batch->nruns, 2U);
	KUNIT_EXPECT_EQ(test, batch->npfns[0], U32_MAX - 1);
	KUNIT_EXPECT_EQ(test, batch->total, (unsigned long)U32_MAX + 1);
	KUNIT_EXPECT_FALSE(test, iopt_batch_add(batch, 5, 1UL << 33));
}

static void pages_batch_backup(struct kunit *test)
{
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iopt_batch batch;

	/* A tiny job never allocates, the backup is enough */
	iopt_batch_init(&batch, 1, backup, sizeof(backup));
	KUNIT_EXPECT_FALSE(test, batch.allocated);
	KUNIT_EXPECT_PTR_EQ(test, (void *)batch.pfns, (void *)backup);
	KUNIT_EXPECT_GE(test, batch.capacity, 1U);
	KUNIT_EXPECT_EQ(test, batch.scratch_len, batch.capacity);
	iopt_batch_destroy(&batch, backup);
}

static void pages_batch_sized(struct kunit *test)
{
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iopt_batch *batch;

	batch = kunit_kzalloc(test, sizeof(*batch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, batch);
	iopt_batch_init(batch, 64, backup, sizeof(backup));
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, pages_free_batch,
						  batch),
			0);
	/* Sized for the job, not for the whole memory limit */
	if (batch->allocated)
		KUNIT_EXPECT_EQ(test, batch->capacity, 64U);
	else
		KUNIT_EXPECT_GE(test, batch->capacity, 1U);
	/* The three arrays do not overlap */
	KUNIT_EXPECT_PTR_EQ(test, (void *)batch->scratch,
			    (void *)(batch->pfns + batch->capacity));
	KUNIT_EXPECT_PTR_EQ(test, (void *)batch->npfns,
			    (void *)(batch->scratch + batch->capacity));
}

static void pages_batch_big_job(struct kunit *test)
{
	u64 backup[IOPT_BATCH_BACKUP_BYTES / sizeof(u64)];
	struct iopt_batch *batch;

	batch = kunit_kzalloc(test, sizeof(*batch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, batch);
	iopt_batch_init(batch, 1UL << 30, backup, sizeof(backup));
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, pages_free_batch,
						  batch),
			0);
	/* Bounded by the temporary memory limit, whatever the job size */
	KUNIT_EXPECT_LE(test, (unsigned long)batch->capacity * ENTRY_BYTES,
			max_t(unsigned long, 65536, sizeof(backup)));
	KUNIT_EXPECT_GE(test, batch->capacity, 1U);
}

/* Area arithmetic */

static void pages_area_index_math(struct kunit *test)
{
	struct iopt_area area = {
		.node = { .start = 0x10800, .last = 0x13fff },
		.pages_node = { .start = 3, .last = 6 },
		.page_offset = 0x800,
	};

	if (PAGE_SIZE != SZ_4K)
		kunit_skip(test, "written for 4K pages");

	KUNIT_EXPECT_EQ(test, iopt_area_length(&area), 0x3800UL);
	KUNIT_EXPECT_EQ(test, iopt_area_start_byte(&area), 0x3800UL);
	KUNIT_EXPECT_EQ(test, iopt_area_iova_to_index(&area, 0x10800), 3UL);
	KUNIT_EXPECT_EQ(test, iopt_area_iova_to_index(&area, 0x11000), 4UL);
	KUNIT_EXPECT_EQ(test, iopt_area_iova_to_index(&area, 0x13fff), 6UL);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_iova(&area, 3), 0x10800UL);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_iova(&area, 4), 0x11000UL);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_last_iova(&area, 3),
			0x10fffUL);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_last_iova(&area, 6),
			0x13fffUL);
}

static void pages_area_top_of_space(struct kunit *test)
{
	struct iopt_area area = {
		.node = { .start = ULONG_MAX - 0x17ff, .last = ULONG_MAX },
		.pages_node = { .start = 0, .last = 1 },
		.page_offset = 0x800,
	};

	if (PAGE_SIZE != SZ_4K)
		kunit_skip(test, "written for 4K pages");

	/* The last page ends exactly at ULONG_MAX, nothing may wrap */
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_iova(&area, 1),
			ULONG_MAX - 0xfff);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_last_iova(&area, 1),
			ULONG_MAX);
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_last_iova(&area, 0),
			ULONG_MAX - 0x1000);
	KUNIT_EXPECT_EQ(test, iopt_area_length(&area), 0x1800UL);
}

static void pages_area_short_tail(struct kunit *test)
{
	struct iopt_area area = {
		.node = { .start = 0x5000, .last = 0x50ff },
		.pages_node = { .start = 9, .last = 9 },
		.page_offset = 0,
	};

	/* A byte granular area ends inside its only page */
	KUNIT_EXPECT_EQ(test, iopt_area_index_to_last_iova(&area, 9), 0x50ffUL);
	KUNIT_EXPECT_EQ(test, iopt_area_iova_to_index(&area, 0x50ff), 9UL);
}

/* Accounting on stand-ins */

struct account_env {
	struct mm_struct *mm;
	struct user_struct *user;
	unsigned long limit;
};

static void account_env_init(struct kunit *test, struct account_env *env)
{
	env->mm = kunit_kzalloc(test, sizeof(*env->mm), GFP_KERNEL);
	env->user = kunit_kzalloc(test, sizeof(*env->user), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->mm);
	KUNIT_ASSERT_NOT_NULL(test, env->user);
	env->limit = task_rlimit(current, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
}

static void pages_account_none(struct kunit *test)
{
	struct account_env env;

	account_env_init(test, &env);
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_NONE, env.user,
					env.mm, current, false, 7, true),
			0);
	/* pinned_vm moves in every mode, locked_vm does not in NONE */
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 7LL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 0L);
	iopt_account_to(IOPT_PAGES_ACCOUNT_NONE, env.user, env.mm, current,
			false, 7, false);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);
}

static void pages_account_user(struct kunit *test)
{
	struct account_env env;

	account_env_init(test, &env);
	if (env.limit < 2)
		kunit_skip(test, "RLIMIT_MEMLOCK too small");
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, false, 2, true),
			0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 2L);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 2LL);
	iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user, env.mm, current,
			false, 2, false);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 0L);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);
}

static void pages_account_user_limit(struct kunit *test)
{
	struct account_env env;

	account_env_init(test, &env);
	if (env.limit >= (RLIM_INFINITY >> PAGE_SHIFT))
		kunit_skip(test, "RLIMIT_MEMLOCK is unlimited");

	/* Over the limit: refused, and nothing is charged */
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, false, env.limit + 1,
					true),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 0L);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);

	/* Up to the limit is fine, one more page is not */
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, false, env.limit,
					true),
			0);
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, false, 1, true),
			-ENOMEM);
	iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user, env.mm, current,
			false, env.limit, false);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 0L);
}

static void pages_account_user_exempt(struct kunit *test)
{
	struct account_env env;

	account_env_init(test, &env);
	if (env.limit >= (RLIM_INFINITY >> PAGE_SHIFT))
		kunit_skip(test, "RLIMIT_MEMLOCK is unlimited");

	/* CAP_IPC_LOCK: the limit is not enforced, the charge still counts */
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, true, env.limit + 10,
					true),
			0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm),
			(long)env.limit + 10);
	iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user, env.mm, current,
			true, env.limit + 10, false);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 0L);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);
}

static void pages_account_zero(struct kunit *test)
{
	struct account_env env;

	account_env_init(test, &env);
	/* Nothing pinned, nothing to check, even against a zero limit */
	KUNIT_EXPECT_EQ(test,
			iopt_account_to(IOPT_PAGES_ACCOUNT_USER, env.user,
					env.mm, current, false, 0, true),
			0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);
}

static void pages_charge_counts(struct kunit *test)
{
	struct account_env env;
	struct iopt_pages *pages;

	account_env_init(test, &env);
	if (env.limit < 5)
		kunit_skip(test, "RLIMIT_MEMLOCK too small");
	pages = kunit_kzalloc(test, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	mutex_init(&pages->mutex);
	pages->account_mode = IOPT_PAGES_ACCOUNT_USER;
	pages->source_mm = env.mm;
	pages->source_user = env.user;
	pages->source_task = current;

	mutex_lock(&pages->mutex);
	KUNIT_EXPECT_EQ(test, iopt_pages_charge(pages, 5), 0);
	KUNIT_EXPECT_EQ(test, pages->npinned, 5UL);
	if (env.limit < (RLIM_INFINITY >> PAGE_SHIFT)) {
		/* A refused charge leaves npinned alone */
		KUNIT_EXPECT_EQ(test, iopt_pages_charge(pages, env.limit),
				-ENOMEM);
		KUNIT_EXPECT_EQ(test, pages->npinned, 5UL);
	}
	iopt_pages_uncharge(pages, 3);
	KUNIT_EXPECT_EQ(test, pages->npinned, 2UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&env.user->locked_vm), 2L);
	iopt_pages_uncharge(pages, 2);
	KUNIT_EXPECT_EQ(test, pages->npinned, 0UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&env.mm->pinned_vm), 0LL);
	mutex_unlock(&pages->mutex);
}

static struct kunit_case iommufd_pages_cases[] = {
	KUNIT_CASE(pages_batch_coalesce),
	KUNIT_CASE(pages_batch_full),
	KUNIT_CASE(pages_batch_run_limit),
	KUNIT_CASE(pages_batch_backup),
	KUNIT_CASE(pages_batch_sized),
	KUNIT_CASE(pages_batch_big_job),
	KUNIT_CASE(pages_area_index_math),
	KUNIT_CASE(pages_area_top_of_space),
	KUNIT_CASE(pages_area_short_tail),
	KUNIT_CASE(pages_account_none),
	KUNIT_CASE(pages_account_user),
	KUNIT_CASE(pages_account_user_limit),
	KUNIT_CASE(pages_account_user_exempt),
	KUNIT_CASE(pages_account_zero),
	KUNIT_CASE(pages_charge_counts),
	{}
};

static struct kunit_suite iommufd_pages_suite = {
	.name = "iommufd_pages",
	.test_cases = iommufd_pages_cases,
};

kunit_test_suite(iommufd_pages_suite);
