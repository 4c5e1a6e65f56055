#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Compare what vfio_type1_edu printed on our kernel and on the legacy type1
# reference kernel, line by line.
#   compare-type1.sh [OURS_LOGDIR [LEGACY_LOGDIR]]
# Defaults: the newest logs of `make check` and `make check BASE=legacy`.
# Exits 0 when the outputs are identical, 1 when they differ (every
# difference must be listed in Documentation/userspace-api/iommufd.rst).
. "$(dirname "$0")/lib.sh"

# The newest finished run of a variant (one still running has no test log)
newest()
{
	find "$CACHE/logs" -maxdepth 2 -path "*-check-$1/tests-iommu.log" |
		sort | tail -n 1 | xargs -r dirname
}

ours=${1:-$(newest ours)}
legacy=${2:-$(newest legacy)}
[ -d "$ours" ] || die "no log of make check (ours)"
[ -d "$legacy" ] || die "no log of make check BASE=legacy"

# The program's diagnostics, without the harness' per-test lines
values()
{
	tr -d '\r' <"$1/tests-iommu.log" |
		sed -n '/^@@ harness: begin vfio_type1_edu$/,/^@@ harness: end vfio_type1_edu/p' |
		grep '^# ' | grep -vE '^# +(RUN|OK|FAIL|SKIP) |^# (PASSED|FAILED|Totals|Starting)'
}

say "ours:   $ours"
say "legacy: $legacy"
if diff -u --label legacy --label ours <(values "$legacy") <(values "$ours"); then
	say "vfio_type1_edu: identical output"
	exit 0
fi
exit 1
