#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Pack the initramfs and boot the VM.
#   vm.sh check|kunit BOOT  console -> $LOGDIR/console-BOOT.log, test output
#                           (second serial port) -> $LOGDIR/tests-BOOT.log
#   vm.sh run               console on the terminal and in console-run.log
#   vm.sh shell             interactive (Ctrl-a x quits QEMU)
# BOOT names a set of programs of $BIN/order ("BOOT PROGRAM" lines):
#   mock   the mock-driver kselftests. For BASE=upstream/legacy booted with
#          intel_iommu=off: 6.12's IOMMU core probes devices of the mock bus
#          with the first registered driver's ops (intel's), so mock devices
#          cannot bind while the Intel IOMMU is on. Ours has
#          iommu_mock_device_add() (patches/) and keeps the IOMMU on.
#   iommu  everything else, with the emulated Intel IOMMU on.
#   noiommu  the Intel IOMMU off and VFIO's unsafe no-IOMMU mode on, so edu
#          on vfio-pci sits in a no-IOMMU group (booted only if a program
#          is listed for it in boots.txt).
# QEMU runs under `timeout $VM_TIMEOUT`; its status is in $LOGDIR/vm-BOOT.rc.
. "$(dirname "$0")/lib.sh"

mode=$1
boot=${2:-$mode}
KERNEL=$BUILD/arch/x86/boot/bzImage
ROOT=$(dirname "$BIN")/initramfs-$boot
INITRD=$ROOT.cpio.gz
BUSYBOX=/bin/busybox

[ -f "$KERNEL" ] || die "no kernel at $KERNEL"
[ -x "$BUSYBOX" ] && ! readelf -l "$BUSYBOX" | grep -q INTERP ||
	die "$BUSYBOX is not busybox-static (apt-get install busybox-static)"

rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/tests" "$ROOT/etc"
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$HARNESS/vm/init" "$ROOT/init"
chmod 755 "$ROOT/init"
: >"$ROOT/tests/order"
if [ "$mode" != kunit ]; then
	for t in $(awk -v b="$boot" '$1 == b || b == "shell" { print $2 }' \
		   "$BIN/order"); do
		cp "$BIN/$t" "$ROOT/tests/"
		echo "$t" >>"$ROOT/tests/order"
	done
fi
kmemleak=0
[ -n "$DEBUG" ] && kmemleak=1
cat >"$ROOT/etc/harness.conf" <<EOF
MODE=$mode
TEST_TIMEOUT=$TEST_TIMEOUT
KMEMLEAK=$kmemleak
${FUZZ_CALLS:+export FUZZ_CALLS=$FUZZ_CALLS}
${FUZZ_SEED:+export FUZZ_SEED=$FUZZ_SEED}
${FUZZ_TIME:+export FUZZ_TIME=$FUZZ_TIME}
EOF
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD" ||
	die "packing the initramfs failed"
rm -rf "$ROOT"

# A scratch disk for the emulated NVMe controller (a second PCI device for
# VFIO; no guest driver binds it).
# No guest driver uses it: concurrent VMs may share it (no image lock).
NVME=$(dirname "$BIN")/nvme.img
[ -f "$NVME" ] || truncate -s 16M "$NVME"

append="console=ttyS0 panic=-1 panic_on_warn=1 intel_iommu=on"
[ "$boot" = mock ] && [ "$BASE" != ours ] && append="$append intel_iommu=off"
# No IOMMU at all: edu on vfio-pci gets a VFIO no-IOMMU group
[ "$boot" = noiommu ] &&
	append="$append intel_iommu=off vfio.enable_unsafe_noiommu_mode=1"
append="$append${KERNEL_CMDLINE:+ $KERNEL_CMDLINE}"
# KUnit prints its KTAP at KERN_INFO: only quiet where KUnit is not read.
[ "$mode" = run ] && append="$append quiet"
QEMU=(qemu-system-x86_64 -accel tcg -cpu max
	-machine q35,kernel-irqchip=split
	-device intel-iommu,intremap=on,caching-mode=on
	-device edu
	-device nvme,serial=deadbeef,drive=nvm
	-drive file="$NVME",if=none,id=nvm,format=raw,file.locking=off
	-smp 2 -m 2G -no-reboot -nic none
	-kernel "$KERNEL" -initrd "$INITRD" -append "$append")

mkdir -p "$LOGDIR"
CONSOLE=$LOGDIR/console-$boot.log
TESTS=$LOGDIR/tests-$boot.log
: >"$TESTS"
t=$(date +%s)
case "$mode" in
check|kunit)
	PROGRESS_WATCH=$CONSOLE progress "$LOGDIR/qemu-$boot.log" timeout -k 10 "$VM_TIMEOUT" "${QEMU[@]}" \
		-display none -monitor none \
		-serial file:"$CONSOLE" -serial file:"$TESTS"
	rc=$?
	;;
run)
	timeout -k 10 "$VM_TIMEOUT" "${QEMU[@]}" -display none -monitor none \
		-serial stdio </dev/null | tee "$CONSOLE"
	rc=$?
	;;
shell)
	"${QEMU[@]}" -nographic
	rc=$?
	;;
*)
	die "vm.sh: unknown mode $mode"
	;;
esac
echo "$rc" >"$LOGDIR/vm-$boot.rc"
say "    VM ran for $(elapsed "$t") (QEMU status $rc)"
exit 0
