#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Entry point of the harness (the repo's Makefile calls it).
#   main.sh check   lint + build + boot + KUnit + kselftests, one summary
#   main.sh run     build + boot + the demo
#   main.sh shell   build + boot into an interactive shell
#   main.sh lint    lint only
#   main.sh kunit   build + boot, KUnit only
#   main.sh bench   ours vs upstream (and legacy type1) benchmark table
#   main.sh fuzz    build + boot, iommufd_fuzz alone (FUZZ_CALLS, FUZZ_SEED)
# Variables: BASE=ours|upstream|legacy DEBUG=1 EXTRA_TESTS=<dir> (lib.sh).
. "$(dirname "$0")/lib.sh"

cmd=${1:-help}

usage()
{
	sed -n 's/^#   main.sh /  make /p' "$0"
	cat <<EOF
Variables: DEBUG=1 (KASAN, lockdep, kmemleak), BASE=upstream (pristine 6.12
as a reference), EXTRA_TESTS=<dir> (more programs for check), JOBS=<n>.
Cache and logs: $CACHE
EOF
}

case "$cmd" in
help)
	usage
	exit 0
	;;
bench)
	exec bash "$HARNESS/bench.sh"
	;;
check|run|shell|lint|kunit|fuzz) ;;
*)
	usage
	exit 2
	;;
esac

[ "$cmd" = lint ] && [ "$BASE" != ours ] && die "lint checks our code: BASE=ours only"

LOGDIR=$CACHE/logs/$(date +%Y%m%d-%H%M%S)-$cmd-$VARIANT
RESULTS=$LOGDIR/results.txt
mkdir -p "$LOGDIR" "$OUT"
ln -sfn "$LOGDIR" "$CACHE/logs/latest"
: >"$RESULTS"
# Test programs and initramfs of this run live with its logs, so that runs
# going on at the same time do not trade programs; keep the last 30 runs.
BIN=$LOGDIR/bin
export LOGDIR RESULTS BIN
ls -1dt "$CACHE"/logs/2*-* 2>/dev/null | tail -n +31 | xargs -r rm -rf

say "iommufd harness: make $cmd, BASE=$BASE${DEBUG:+ DEBUG=1}, logs in $LOGDIR"

# Always end with the summary line, whatever stopped us.
finish()
{
	stage "summary"
	bash "$HARNESS/report.sh" summary
	exit $?
}

fatal()
{
	result FAIL "$1" "$2"
	finish
}

stage "source tree ($BASE)"
bash "$HARNESS/tree.sh" || fatal "build:tree" "(preparing the source tree failed)"
stage_done

if [ "$cmd" = lint ]; then
	stage "lint"
	bash "$HARNESS/lint.sh" || result FAIL "lint:harness" "(lint.sh failed)"
	stage_done
	finish
fi

stage "kernel config ($(basename "$BUILD"))"
# shellcheck disable=SC2086
bash "$HARNESS/kernel.sh" config "$BUILD" $FRAGMENTS ||
	fatal "build:config" "(kernel config is not as requested)"
stage_done

stage "kernel build"
bash "$HARNESS/kernel.sh" build "$BUILD" bzImage ||
	fatal "build:kernel" "(see $LOGDIR/build-$(basename "$BUILD").log)"
stage_done

stage "headers_install"
bash "$HARNESS/kernel.sh" headers "$BUILD" "$OUT/headers" ||
	fatal "build:headers" "(headers_install failed)"
stage_done

if [ "$cmd" = check ] && [ "$BASE" = ours ]; then
	stage "lint"
	bash "$HARNESS/lint.sh" || result FAIL "lint:harness" "(lint.sh failed)"
	stage_done
fi

stage "test programs"
case "$cmd" in
check|shell) bash "$HARNESS/tests.sh" check ;;
fuzz)
	bash "$HARNESS/tests.sh" check &&
		grep ' iommufd_fuzz$' "$BIN/order" >"$BIN/order.fuzz" &&
		mv "$BIN/order.fuzz" "$BIN/order"
	;;
kunit) rm -rf "$BIN"; mkdir -p "$BIN"; : >"$BIN/order" ;;
*)     bash "$HARNESS/tests.sh" run ;;
esac || fatal "build:tests" "(building the test programs failed)"
stage_done

case "$cmd" in
fuzz)
	stage "VM boot 'mock': the fuzzer, ${FUZZ_CALLS} calls (timeout ${VM_TIMEOUT}s)"
	bash "$HARNESS/vm.sh" check mock
	bash "$HARNESS/report.sh" vm check mock
	stage_done
	finish
	;;
check|kunit)
	# Two or three boots (see vm.sh): mock-driver kselftests, the rest with
	# the Intel IOMMU on, and VFIO's no-IOMMU mode. KUnit is read from the
	# first.
	boots="mock iommu"
	# The no-IOMMU boot only when a program asks for it (boots.txt)
	grep -q '^noiommu ' "$BIN/order" && boots="$boots noiommu"
	[ "$cmd" = kunit ] && boots=iommu
	kunit=kunit
	for boot in $boots; do
		stage "VM boot '$boot': KUnit and tests (timeout ${VM_TIMEOUT}s)"
		bash "$HARNESS/vm.sh" "$cmd" "$boot"
		say "    console: $LOGDIR/console-$boot.log"
		bash "$HARNESS/report.sh" vm "$cmd" "$boot" $kunit
		kunit=
		stage_done
	done
	finish
	;;
run)
	stage "VM: boot and run the demo (timeout ${VM_TIMEOUT}s)"
	bash "$HARNESS/vm.sh" run iommu
	stage_done
	say "console log: $LOGDIR/console-iommu.log"
	if grep -q '^demo: all steps worked' "$LOGDIR/console-iommu.log"; then
		say "make run: the demo worked"
		exit 0
	fi
	say "make run: the demo did not finish successfully"
	exit 1
	;;
shell)
	stage "VM: interactive shell (Ctrl-a x quits)"
	bash "$HARNESS/vm.sh" shell shell
	;;
esac
