// SPDX-License-Identifier: GPL-2.0-only
/*
 * PASID attach, replace and detach through the mock test ops
 * (semantics-new.md §2.9 "PASID attach rules" and §4.9).
 */
#include "iommufd_own_utils.h"

#define PASID 100

static int pasid_op(int fd, __u32 op, __u32 stdev_id, __u32 pasid,
		    __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev_id,
	};

	switch (op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		cmd.pasid_attach.pasid = pasid;
		cmd.pasid_attach.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		cmd.pasid_replace.pasid = pasid;
		cmd.pasid_replace.pt_id = pt_id;
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		cmd.pasid_detach.pasid = pasid;
		break;
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		cmd.pasid_check.pasid = pasid;
		cmd.pasid_check.hwpt_id = pt_id;
		break;
	}
	return OWN_ERR(ioctl(fd, IOMMU_TEST_CMD, &cmd));
}

#define attach(_pasid, _pt) \
	pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH, self->stdev_id, \
		 _pasid, _pt)
#define replace(_pasid, _pt) \
	pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE, self->stdev_id, \
		 _pasid, _pt)
#define detach(_pasid) \
	pasid_op(self->fd, IOMMU_TEST_OP_PASID_DETACH, self->stdev_id, \
		 _pasid, 0)
/* 0 when @_pasid is attached to @_hwpt (0: attached to nothing) */
#define check(_pasid, _hwpt) \
	pasid_op(self->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, self->stdev_id, \
		 _pasid, _hwpt)

FIXTURE(pasid)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
	__u32 idev_id;
	/* The RID's automatic, non-PASID domain, freed once the RID leaves */
	__u32 auto_hwpt;
	__u32 rid_hwpt;		/* PASID-compatible, for the RID */
	__u32 p1, p2;		/* PASID-compatible */
	__u32 np;		/* not PASID-compatible */
};

FIXTURE_SETUP(pasid)
{
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, own_ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id,
				     MOCK_FLAGS_DEVICE_PASID, &self->stdev_id,
				     &self->auto_hwpt, &self->idev_id));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &self->rid_hwpt));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &self->p1));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &self->p2));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0,
				    &self->np));
}

FIXTURE_TEARDOWN(pasid)
{
	close(self->fd);
}

/* The RID sits on a non-PASID-compatible domain: no PASID may attach */
TEST_F(pasid, rid_not_compat)
{
	ASSERT_EQ(EINVAL, attach(PASID, self->p1));
	ASSERT_EQ(EINVAL, attach(PASID, self->auto_hwpt));
	ASSERT_EQ(EINVAL, attach(PASID, self->np));
	ASSERT_EQ(0, check(PASID, 0));
	ASSERT_EQ(EINVAL, check(PASID, self->p1));
}

TEST_F(pasid, attach_check_detach)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, check(PASID, 0));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(0, check(PASID, self->p1));
	ASSERT_EQ(EINVAL, check(PASID, self->p2));
	ASSERT_EQ(EINVAL, check(PASID, 0));
	/* Other PASIDs are unaffected */
	ASSERT_EQ(0, check(PASID + 1, 0));
	ASSERT_EQ(0, attach(PASID + 1, self->p1));
	ASSERT_EQ(0, attach(PASID + 2, self->p2));
	ASSERT_EQ(0, check(PASID + 1, self->p1));
	ASSERT_EQ(0, check(PASID + 2, self->p2));

	ASSERT_EQ(0, detach(PASID));
	ASSERT_EQ(0, check(PASID, 0));
	ASSERT_EQ(0, check(PASID + 1, self->p1));
	ASSERT_EQ(0, detach(PASID + 1));
	ASSERT_EQ(0, detach(PASID + 2));
	ASSERT_EQ(0, check(PASID + 2, 0));
	/* Detaching what is not attached does nothing */
	ASSERT_EQ(0, detach(PASID));
	ASSERT_EQ(0, detach(PASID + 50));
	/* Attachable again after detach */
	ASSERT_EQ(0, attach(PASID, self->p2));
	ASSERT_EQ(0, check(PASID, self->p2));
}

/* PASID attach needs a PASID-compatible HWPT; an IOAS never is one */
TEST_F(pasid, attach_not_compat)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(EINVAL, attach(PASID, self->np));
	ASSERT_EQ(0, check(PASID, 0));
	ASSERT_EQ(EINVAL, attach(PASID, self->ioas_id));
	ASSERT_EQ(0, check(PASID, 0));
}

TEST_F(pasid, attach_twice)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(EBUSY, attach(PASID, self->p1));
	ASSERT_EQ(EBUSY, attach(PASID, self->p2));
	ASSERT_EQ(0, check(PASID, self->p1));
}

TEST_F(pasid, replace)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(0, replace(PASID, self->p2));
	ASSERT_EQ(0, check(PASID, self->p2));
	ASSERT_EQ(EINVAL, check(PASID, self->p1));
	/* Same HWPT: nothing to do */
	ASSERT_EQ(0, replace(PASID, self->p2));
	ASSERT_EQ(0, check(PASID, self->p2));
	/* To a non-compatible HWPT or an IOAS: refused, the old one stays */
	ASSERT_EQ(EINVAL, replace(PASID, self->np));
	ASSERT_EQ(0, check(PASID, self->p2));
	ASSERT_EQ(EINVAL, replace(PASID, self->ioas_id));
	ASSERT_EQ(0, check(PASID, self->p2));
	/* Back again, and the old HWPT is free to be destroyed */
	ASSERT_EQ(0, replace(PASID, self->p1));
	ASSERT_EQ(0, check(PASID, self->p1));
	ASSERT_EQ(0, own_destroy(self->fd, self->p2));
	ASSERT_EQ(0, check(PASID, self->p1));
}

TEST_F(pasid, replace_not_attached)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(EINVAL, replace(PASID, self->p1));
	ASSERT_EQ(0, check(PASID, 0));
	/* And after a detach */
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(0, detach(PASID));
	ASSERT_EQ(EINVAL, replace(PASID, self->p2));
	ASSERT_EQ(0, check(PASID, 0));
}

/* A driver failure during replace keeps the old domain (mock PASID 1024) */
TEST_F(pasid, replace_driver_failure)
{
	__u32 rp = IOMMU_TEST_PASID_RESERVED;

	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(rp, self->p1));
	ASSERT_EQ(0, check(rp, self->p1));
	ASSERT_EQ(ENOMEM, replace(rp, self->p2));
	ASSERT_EQ(0, check(rp, self->p1));
	ASSERT_EQ(EINVAL, check(rp, self->p2));
	/* The failed replace left no reference on p2 */
	ASSERT_EQ(0, own_destroy(self->fd, self->p2));
	/* Detach clears the toggle: attach works again */
	ASSERT_EQ(0, detach(rp));
	ASSERT_EQ(0, check(rp, 0));
	ASSERT_EQ(0, attach(rp, self->p1));
	ASSERT_EQ(0, check(rp, self->p1));
}

/* With a PASID attached, the RID cannot move to a non-compatible HWPT */
TEST_F(pasid, rid_replace_with_pasid)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(EINVAL, own_mock_domain_replace(self->fd, self->stdev_id,
						  self->np));
	ASSERT_EQ(0, check(PASID, self->p1));
	/* The RID is still on rid_hwpt, which is therefore busy */
	ASSERT_EQ(EBUSY, own_destroy(self->fd, self->rid_hwpt));
	/* A compatible HWPT is fine, even the one the PASID uses */
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->p1));
	ASSERT_EQ(0, own_destroy(self->fd, self->rid_hwpt));
	ASSERT_EQ(0, check(PASID, self->p1));
	/* Once the PASID is gone the RID may leave PASID compatibility */
	ASSERT_EQ(0, detach(PASID));
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->np));
}

/* Each attachment holds a user on its HWPT */
TEST_F(pasid, hwpt_busy_while_attached)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(0, attach(PASID + 1, self->p1));
	ASSERT_EQ(EBUSY, own_destroy(self->fd, self->p1));
	ASSERT_EQ(0, detach(PASID));
	ASSERT_EQ(EBUSY, own_destroy(self->fd, self->p1));
	ASSERT_EQ(0, replace(PASID + 1, self->p2));
	ASSERT_EQ(0, own_destroy(self->fd, self->p1));
	ASSERT_EQ(EBUSY, own_destroy(self->fd, self->p2));
	ASSERT_EQ(0, check(PASID + 1, self->p2));
}

/* Object IDs that are not what the op expects */
TEST_F(pasid, bad_ids)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(ENOENT, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				   self->ioas_id, PASID, self->p1));
	ASSERT_EQ(ENOENT, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				   OWN_BAD_ID, PASID, self->p1));
	ASSERT_EQ(ENOENT, pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
				   self->idev_id, PASID, self->p1));
	ASSERT_EQ(ENOENT, pasid_op(self->fd, IOMMU_TEST_OP_PASID_DETACH,
				   self->p1, PASID, 0));
	ASSERT_EQ(ENOENT, pasid_op(self->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT,
				   OWN_BAD_ID, PASID, 0));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(ENOENT, check(PASID, OWN_BAD_ID));
	/* A missing pt_id does not attach anything */
	ASSERT_NE(0, attach(PASID + 1, OWN_BAD_ID));
	ASSERT_EQ(0, check(PASID + 1, 0));
	ASSERT_NE(0, replace(PASID, OWN_BAD_ID));
	ASSERT_EQ(0, check(PASID, self->p1));
}

/* A device without PASID support gets no PASID attachment */
TEST_F(pasid, no_pasid_device)
{
	__u32 stdev2 = 0, idev2 = 0, hwpt2 = 0;
	int err;

	ASSERT_EQ(0, own_mock_domain(self->fd, self->ioas_id, 0, &stdev2,
				     NULL, &idev2));
	ASSERT_EQ(0, own_hwpt_alloc(self->fd, idev2, self->ioas_id,
				    IOMMU_HWPT_ALLOC_PASID, &hwpt2));
	/* On its automatic domain, the rules already refuse */
	ASSERT_EQ(EINVAL, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				   stdev2, PASID, hwpt2));
	ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT,
			      stdev2, PASID, 0));
	/* Its RID may still use a PASID-compatible HWPT */
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, stdev2, hwpt2));
	/*
	 * The spec allows refusing up front (pasid >= PASID count 0) but does
	 * not require it; only report what happens.
	 */
	err = pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH, stdev2, PASID,
		       hwpt2);
	TH_LOG("PASID attach on a no-PASID device with a compatible RID: %d",
	       err);
	ASSERT_TRUE(err == 0 || err == EINVAL);
	if (!err)
		ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_DETACH,
				      stdev2, PASID, 0));
	ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT,
			      stdev2, PASID, 0));
}

/* Beyond the PASID width of the device (20 bits) */
TEST_F(pasid, out_of_range)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(EINVAL, attach(1U << MOCK_PASID_WIDTH, self->p1));
	ASSERT_EQ(0, attach((1U << MOCK_PASID_WIDTH) - 1, self->p1));
	ASSERT_EQ(0, check((1U << MOCK_PASID_WIDTH) - 1, self->p1));
}

/* Closing the file with PASIDs attached tears everything down */
TEST_F(pasid, close_attached)
{
	ASSERT_EQ(0, own_mock_domain_replace(self->fd, self->stdev_id,
					     self->rid_hwpt));
	ASSERT_EQ(0, attach(PASID, self->p1));
	ASSERT_EQ(0, attach(PASID + 1, self->p2));
	ASSERT_EQ(0, attach(IOMMU_TEST_PASID_RESERVED, self->p2));
	ASSERT_EQ(0, close(self->fd));
	self->fd = own_open();
	ASSERT_LE(0, self->fd);
}

TEST_HARNESS_MAIN
