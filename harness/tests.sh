#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the userspace programs that run in the VM, statically, against the
# headers installed from the kernel under test ($OUT/headers).
#   tests.sh check   the tree's iommufd kselftests (unmodified), our own
#                    kselftests (repo tools/testing/selftests/iommu/*.c),
#                    EXTRA_TESTS, the demo
#   tests.sh run     the demo only
# Writes the programs to $BIN and their run order to $BIN/order as
# "BOOT PROGRAM" lines (BOOT: which VM boot runs it, see vm.sh).
# A program that does not compile is a failed test ($RESULTS).
. "$(dirname "$0")/lib.sh"

mode=$1
LOG=$LOGDIR/tests-build.log
HDR=$OUT/headers/include
SELFTESTS=$TREE/tools/testing/selftests

rm -rf "$BIN"
mkdir -p "$BIN"
: >"$LOG"
: >"$BIN/order"

CFLAGS=(-static -O2 -g -Wall -Wno-unused-function -D_GNU_SOURCE=
	-isystem "$HDR")
COMPAT=()
[ "$BASE" != ours ] && COMPAT=(-include "$HARNESS/compat/upstream-6.12.h")

# cc BOOT NAME SRC [ARGS...]: compile SRC to $BIN/NAME.
cc()
{
	local boot=$1 name=$2 src=$3

	shift 3
	echo "== $name: gcc $src" >>"$LOG"
	if gcc "${CFLAGS[@]}" "$@" -o "$BIN/$name" "$src" -lpthread -lcap \
		>>"$LOG" 2>&1; then
		echo "$boot $name" >>"$BIN/order"
		return 0
	fi
	return 1
}

if [ "$mode" = check ]; then
	# The tree's kselftests, unmodified. Their iommufd_utils.h includes
	# ../../../../drivers/iommu/iommufd/iommufd_test.h, i.e. the mock
	# uAPI of the tree they are compiled in: ours in the overlaid tree.
	for t in iommufd iommufd_fail_nth; do
		cc mock "$t" "$SELFTESTS/iommu/$t.c" "${COMPAT[@]}" \
			-I"$SELFTESTS" -I"$SELFTESTS/iommu" ||
			result FAIL "$t:build" "(does not compile; see $LOG)"
	done

	# Our own kselftests; they may include "iommufd_utils.h" and
	# "../kselftest_harness.h" as if they were in the tree's directory.
	# harness/boots.txt says which VM boot runs them (default: mock).
	shopt -s nullglob
	# The fuzzer last in its boot: a kernel crash it finds must not hide
	# the results of the programs after it.
	for src in $(ls "$REPO"/tools/testing/selftests/iommu/*.c |
		     grep -v '_fuzz\.c$') \
		   "$REPO"/tools/testing/selftests/iommu/*_fuzz.c; do
		t=$(basename "$src" .c)
		boot=$(awk -v t="$t" '$1 == t { print $2 }' "$HARNESS/boots.txt")
		if ! cc "${boot:-mock}" "$t" "$src" "${COMPAT[@]}" -I"$SELFTESTS/iommu" \
			-I"$SELFTESTS"; then
			if [ "$BASE" = ours ]; then
				result FAIL "$t:build" "(does not compile; see $LOG)"
			else
				result SKIP "$t:build" "(not for $BASE)"
			fi
		fi
	done
	shopt -u nullglob

	# EXTRA_TESTS: every executable file, as is, in the mock boot unless
	# EXTRA_TESTS_BOOT=iommu.
	if [ -n "$EXTRA_TESTS" ]; then
		[ -d "$EXTRA_TESTS" ] || die "EXTRA_TESTS=$EXTRA_TESTS is not a directory"
		for f in "$EXTRA_TESTS"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			t=extra-$(basename "$f")
			cp "$f" "$BIN/$t"
			echo "${EXTRA_TESTS_BOOT:-mock} $t" >>"$BIN/order"
		done
	fi
fi

cc iommu iommufd-demo "$HARNESS/demo/iommufd-demo.c" ||
	result FAIL "iommufd-demo:build" "(does not compile; see $LOG)"
n=$(wc -l <"$BIN/order")
say "    $n programs built (log: $LOG)"
exit 0
