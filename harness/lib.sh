# SPDX-License-Identifier: GPL-2.0-only
# Common settings and helpers of the iommufd harness; sourced by the scripts.
#
# Environment (all optional):
#   IOMMUFD_CACHE  cache directory            (default ~/.cache/iommufd)
#   BASE           ours | upstream | legacy   (default ours)
#   DEBUG          1 = KASAN/lockdep/kmemleak kernel
#   JOBS           make -j                    (default: cores + 1)
#   EXTRA_TESTS    directory of extra test programs for `check`
#   VM_TIMEOUT     hard limit for one VM run, seconds
#   TEST_TIMEOUT   limit for one test program inside the VM, seconds

set -o pipefail

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${HARNESS_SNAPSHOT_OF:-$(dirname "$HARNESS")}

# Run from a snapshot of harness/: people edit the repo while a run goes on,
# and bash reads scripts as it runs them. main.sh re-executes itself from a
# copy; every script it calls then comes from that copy.
if [ "$(basename "$0")" = main.sh ]; then
	if [ -z "$HARNESS_SNAPSHOT_OF" ]; then
		snap=$(mktemp -d "${TMPDIR:-/tmp}/iommufd-harness.XXXXXX") &&
			cp -a "$HARNESS/." "$snap/" &&
			HARNESS_SNAPSHOT_OF=$REPO exec bash "$snap/main.sh" "$@"
		echo "harness: cannot snapshot $HARNESS" >&2
		exit 1
	fi
	trap 'rm -rf "$HARNESS"' EXIT
fi
export HARNESS_SNAPSHOT_OF
CACHE=${IOMMUFD_CACHE:-$HOME/.cache/iommufd}
PRISTINE=$CACHE/pristine
SOURCE_TAR=/usr/src/linux-source-6.12.tar.xz
# One lock for every kernel make on this machine, whatever the cache.
LOCK=${IOMMUFD_LOCK:-$HOME/.cache/iommufd/build.lock}
JOBS=${JOBS:-$(($(nproc) + 1))}
BASE=${BASE:-ours}
DEBUG=${DEBUG:-}
[ "$DEBUG" = 0 ] && DEBUG=

# Per variant: source tree, build directory, config fragments.
case "$BASE" in
ours)
	TREE=$CACHE/tree
	BUILD=$CACHE/build
	;;
upstream)
	TREE=$PRISTINE
	BUILD=$CACHE/build-upstream
	;;
legacy)
	# Legacy VFIO type1 reference (pristine tree, VFIO container on).
	TREE=$PRISTINE
	BUILD=$CACHE/build-legacy
	;;
*)
	echo "harness: unknown BASE=$BASE (ours, upstream or legacy)" >&2
	exit 2
	;;
esac
FRAGMENTS="$HARNESS/config/test.config"
[ "$BASE" = ours ] && FRAGMENTS="$FRAGMENTS $HARNESS/config/ours.config"
[ "$BASE" = legacy ] && FRAGMENTS="$FRAGMENTS $HARNESS/config/legacy-type1.config"
VARIANT=$BASE
if [ -n "$DEBUG" ]; then
	FRAGMENTS="$FRAGMENTS $HARNESS/config/debug.config"
	if [ "$BASE" = ours ]; then
		BUILD=$CACHE/build-debug
	else
		BUILD=$BUILD-debug
	fi
	VARIANT=$VARIANT-debug
fi
# Build-only directory for ours: IOMMUFD=m, W=1 and sparse.
LINT_BUILD=$CACHE/build-lint
# Userspace artifacts of this variant: installed headers; test programs
# and initramfs in $BIN and beside it (main.sh: per run, in its log dir).
OUT=$CACHE/out/$VARIANT
BIN=${BIN:-$OUT/bin}

if [ -n "$DEBUG" ]; then
	VM_TIMEOUT=${VM_TIMEOUT:-5400}
	TEST_TIMEOUT=${TEST_TIMEOUT:-3600}
else
	VM_TIMEOUT=${VM_TIMEOUT:-1200}
	TEST_TIMEOUT=${TEST_TIMEOUT:-600}
fi
# iommufd_fuzz calls per run: its own default (a short pass) in make check,
# 1M under DEBUG=1 and in make fuzz.
if [ -z "$FUZZ_CALLS" ] && { [ -n "$DEBUG" ] || [ "${1:-}" = fuzz ]; }; then
	FUZZ_CALLS=1000000
	# The calls, not the fuzzer's own short deadline, end such a run
	FUZZ_TIME=${FUZZ_TIME:-3000}
fi
export FUZZ_CALLS FUZZ_SEED FUZZ_TIME

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths relative to the cache: trees in other caches share ccache hits.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$CACHE}
export ARCH=x86_64
# Called from make: do not hand our make flags to the kernel build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

mkdir -p "$CACHE" "$(dirname "$LOCK")"

T0=${T0:-$(date +%s)}
export T0

# elapsed [START]: "1m05s" since START (default: since the harness started).
elapsed()
{
	local s=$(($(date +%s) - ${1:-$T0}))

	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

say()
{
	printf '%s\n' "$*"
}

die()
{
	printf 'harness: error: %s\n' "$*" >&2
	exit 1
}

# stage NAME: announce a stage with the time since start.
stage()
{
	STAGE_NAME=$*
	STAGE_T0=$(date +%s)
	printf '==> [%s] %s\n' "$(elapsed)" "$STAGE_NAME"
}

stage_done()
{
	printf '    %s: done in %s\n' "$STAGE_NAME" "$(elapsed "$STAGE_T0")"
}

# progress LOG CMD...: run CMD with its output in LOG; every 30 s print the
# elapsed time and the last line of LOG (or of $PROGRESS_WATCH). Returns
# CMD's status.
progress()
{
	local log=$1 pid rc t=$(date +%s) last

	shift
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		for _ in $(seq 30); do
			sleep 1
			kill -0 "$pid" 2>/dev/null || break
		done
		if kill -0 "$pid" 2>/dev/null; then
			last=$(tail -n 1 "${PROGRESS_WATCH:-$log}" 2>/dev/null |
				tr -d '\r' | cut -c 1-90)
			printf '    ... %s  %s\n' "$(elapsed "$t")" "$last"
		fi
	done
	wait "$pid"
	rc=$?
	return $rc
}

# kmake DIR-TREE DIR-BUILD ARGS...: make in a kernel tree, always under the
# shared build lock (other people compile single files concurrently).
kmake()
{
	local tree=$1 build=$2

	shift 2
	flock "$LOCK" make -C "$tree" O="$build" ARCH=x86_64 CC="ccache gcc" \
		-j"$JOBS" "$@"
}

# Results: one line per test case, "STATUS NAME [NOTE]".
# STATUS: PASS FAIL SKIP XFAIL (expected failure, counted as skipped)
#         XPASS (expected failure that passed, counted as failed)
result()
{
	printf '%s %s%s\n' "$1" "$2" "${3:+ $3}" >>"$RESULTS"
}
