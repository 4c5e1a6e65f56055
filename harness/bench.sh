#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: build our kernel, the upstream 6.12 reference (BASE=upstream)
# and, unless BENCH_LEGACY=0, the legacy VFIO type1 kernel (BASE=legacy);
# boot each with the same QEMU command line (vm.sh) and run
# harness/bench/iommufd_bench.c in it; print one table.
#   bench.sh                 the whole thing
#   bench.sh one             one kernel ($BASE): build, boot, BENCH lines
#                            into $BENCH_DIR/bench-$BASE.txt
# Variables: BENCH_REPS=<n> (default 5), BENCH_LEGACY=0, BENCH_ONLY=<row
# prefix>, BENCH_PROFILE=1 (kernel profile per row into
# $BENCH_DIR/profile-$BASE.txt), and those of lib.sh.
. "$(dirname "$0")/lib.sh"

one()
{
	local out=$BENCH_DIR/bench-$BASE.txt boots="iommu mock" cmdline rc set

	# Programs, initramfs and NVMe image with this run's logs, as main.sh
	# does: a `make check` may run meanwhile.
	LOGDIR=$BENCH_DIR/$BASE
	BIN=$LOGDIR/bin
	mkdir -p "$LOGDIR" "$OUT"
	export LOGDIR BIN

	stage "$BASE: source tree"
	bash "$HARNESS/tree.sh" || die "preparing the $BASE tree failed"
	stage "$BASE: kernel config and build ($(basename "$BUILD"))"
	# shellcheck disable=SC2086
	bash "$HARNESS/kernel.sh" config "$BUILD" $FRAGMENTS ||
		die "configuring $BUILD failed"
	bash "$HARNESS/kernel.sh" build "$BUILD" bzImage ||
		die "building $BUILD failed"
	bash "$HARNESS/kernel.sh" headers "$BUILD" "$OUT/headers"
	stage_done

	# The mock uAPI (iommufd_test.h) of the tree under test.
	rm -rf "$BIN"
	mkdir -p "$BIN"
	gcc -static -O2 -Wall -D_GNU_SOURCE -DBENCH_HAVE_TEST_H \
		-isystem "$OUT/headers/include" \
		-I"$TREE/drivers/iommu/iommufd" \
		-o "$BIN/iommufd_bench" "$HARNESS/bench/iommufd_bench.c" \
		>"$LOGDIR/bench-cc-$BASE.log" 2>&1 ||
		die "iommufd_bench does not compile for $BASE (see $LOGDIR/bench-cc-$BASE.log)"
	printf 'iommu iommufd_bench\nmock iommufd_bench\n' >"$BIN/order"

	# KUnit at boot only costs time here (make check runs it).
	cmdline="kunit.enable=0 iommufd_bench.reps=${BENCH_REPS:-5}"
	[ -n "$BENCH_ONLY" ] && cmdline="$cmdline iommufd_bench.only=$BENCH_ONLY"
	[ "${BENCH_PROFILE:-0}" != 0 ] && cmdline="$cmdline iommufd_bench.profile=1"
	# The legacy kernel is only the reference of the type1 rows.
	if [ "$BASE" = legacy ]; then
		boots=iommu
		cmdline="$cmdline iommufd_bench.only=type1"
	fi
	: >"$out"
	for boot in $boots; do
		stage "$BASE: VM boot '$boot', benchmark"
		# The same kernel command line for every base: vm.sh turns the
		# Intel IOMMU off in the mock boot of upstream only.
		set=real
		[ "$boot" = mock ] && set="mock intel_iommu=off"
		KERNEL_CMDLINE="$cmdline iommufd_bench.set=$set${KERNEL_CMDLINE:+ $KERNEL_CMDLINE}" \
			bash "$HARNESS/vm.sh" check "$boot"
		rc=$(cat "$LOGDIR/vm-$boot.rc" 2>/dev/null)
		[ "$rc" = 0 ] || say "    $BASE $boot: QEMU exit status $rc (see $LOGDIR/qemu-$boot.log)"
		tr -d '\r' <"$LOGDIR/tests-$boot.log" |
			grep -E '^(BENCH|BENCHSKIP) ' >>"$out"
		tr -d '\r' <"$LOGDIR/tests-$boot.log" |
			grep -E '^PROFILE ' >>"$BENCH_DIR/profile-$BASE.txt"
		tr -d '\r' <"$LOGDIR/console-$boot.log" |
			grep -E 'WARNING:|BUG:|Kernel panic|Oops' |
			sed "s/^/    $BASE $boot console: /" | head -n 5
		stage_done
	done
}

table()
{
	python3 - "$BENCH_DIR" <<'EOF'
import os, re, sys

d = sys.argv[1]
data, skips, order = {}, {}, []
for base in ("ours", "upstream", "legacy"):
    p = os.path.join(d, "bench-%s.txt" % base)
    if not os.path.exists(p):
        continue
    for line in open(p):
        f = line.split()
        if f[0] == "BENCHSKIP":
            skips.setdefault(f[1], {})[base] = " ".join(f[2:])
            continue
        row, unit = f[1], f[2]
        kv = dict(x.split("=", 1) for x in f[3:])
        data.setdefault(row, {})[base] = (unit, float(kv["median"]),
                                          float(kv["min"]), float(kv["max"]))
        if row not in order:
            order.append(row)

def cell(v):
    if not v:
        return "-"
    return "%.3g (%.3g–%.3g)" % (v[1], v[2], v[3])

def target(row, unit):
    if row.startswith("mock") or row.startswith("gup"):
        return "(mock: see note)" if row.startswith("mock") else "reference"
    if row.startswith("type1"):
        return "≥ legacy"
    if row.endswith("vs_gup_pin"):
        return "≥ 0.5"
    if unit == "KiB/GiB":
        return "≤ 1.00"
    return "≥ 1.25"

print("| benchmark | unit | ours median (min–max) | upstream median (min–max) "
      "| ours/upstream | legacy type1 | ours/legacy | target |")
print("|---|---|---|---|---|---|---|---|")
for row in order:
    r = data[row]
    o, u, l = r.get("ours"), r.get("upstream"), r.get("legacy")
    unit = (o or u or l)[0]
    ratio = "%.2f" % (o[1] / u[1]) if o and u and u[1] else "-"
    lratio = "%.2f" % (o[1] / l[1]) if o and l and l[1] else "-"
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        row, unit, cell(o), cell(u), ratio, cell(l), lratio,
        target(row, unit)))
for row, why in skips.items():
    for base, w in why.items():
        print("skipped: %s on %s: %s" % (row, base, w))
print()
print("Runs are under QEMU TCG: absolute numbers mean little; only ratios")
print("measured in the same `make bench` invocation mean anything.")
print("mock* rows: our mock driver against upstream's; they compare fairly")
print("only while both mocks do equivalent page-table work.")
print("KiB/GiB: lower is better; every other unit: higher is better.")
EOF
}

if [ "${1:-all}" = one ]; then
	one
	exit 0
fi

BENCH_DIR=$CACHE/logs/$(date +%Y%m%d-%H%M%S)-bench
LOGDIR=$BENCH_DIR
RESULTS=$BENCH_DIR/results.txt
mkdir -p "$BENCH_DIR"
: >"$RESULTS"
ln -sfn "$BENCH_DIR" "$CACHE/logs/latest"
export BENCH_DIR LOGDIR RESULTS
say "iommufd harness: make bench, logs in $BENCH_DIR"
bases="ours upstream"
[ "${BENCH_LEGACY:-1}" != 0 ] && bases="$bases legacy"
for b in $bases; do
	BASE=$b DEBUG= bash "$HARNESS/bench.sh" one ||
		say "    bench: the $b run failed; its rows are missing"
done
stage "table"
table | tee "$BENCH_DIR/table.md"
say "table: $BENCH_DIR/table.md"
