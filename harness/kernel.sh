#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Configure and build a kernel.
#   kernel.sh config BUILD FRAGMENT...  allnoconfig + fragments, then verify
#   kernel.sh build BUILD TARGET...     make TARGET... (bzImage, ...)
#   kernel.sh headers BUILD DIR         make headers_install into DIR
# Logs go to $LOGDIR.
. "$(dirname "$0")/lib.sh"

LOGDIR=${LOGDIR:-$CACHE/logs}
mkdir -p "$LOGDIR"

# verify_config MERGED DOTCONFIG: every requested option must have the
# requested value. "=n" also accepts an absent symbol; a line marked
# "# optional" may be absent if no Kconfig defines the symbol (but if present
# must match).
verify_config()
{
	local name bad=0

	: >"$3"
	awk '
	FNR == 1 { file++ }
	file == 1 && /^CONFIG_[A-Za-z0-9_]+=/ {
		opt = /#[ \t]*optional[ \t]*$/
		sub(/[ \t]*#.*$/, "")
		name = substr($0, 1, index($0, "=") - 1)
		want[name] = substr($0, index($0, "=") + 1)
		optional[name] = opt
		next
	}
	file == 2 && /^CONFIG_[A-Za-z0-9_]+=/ {
		name = substr($0, 1, index($0, "=") - 1)
		have[name] = substr($0, index($0, "=") + 1)
		next
	}
	file == 2 && /^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
		have[$2] = "n"
	}
	END {
		bad = 0
		for (name in want) {
			w = want[name]
			if (!(name in have)) {
				if (w == "n")
					continue
				if (optional[name]) {
					print name > optfile
					continue
				}
				printf "    %s=%s requested, absent from .config\n", name, w
				bad++
			} else if (have[name] != w) {
				printf "    %s=%s requested, .config has %s\n", name, w, have[name]
				bad++
			}
		}
		exit bad != 0
	}' optfile="$3" "$1" "$2" || bad=1
	# An optional symbol may be absent only if no Kconfig defines it.
	while read -r name; do
		if grep -rqs --include='Kconfig*' "^\(menu\)\?config ${name#CONFIG_}\$" "$TREE"; then
			echo "    $name is defined but absent from .config (dependencies off?)"
			bad=1
		fi
	done <"$3"
	return $bad
}

do_config()
{
	local build=$1 merged log

	shift
	mkdir -p "$build/.harness"
	merged=$build/.harness/fragment.config
	cat "$@" >"$merged"
	log=$LOGDIR/config-$(basename "$build").log
	# allnoconfig, the fragments appended (later assignments win, as with
	# merge_config.sh), then olddefconfig: options the fragments turn on
	# get their defaults for whatever they newly expose.
	{
		kmake "$TREE" "$build" allnoconfig &&
		sed 's/[ \t]*#[ \t]*optional[ \t]*$//' "$merged" \
			>>"$build/.config" &&
		kmake "$TREE" "$build" olddefconfig
	} >"$log" 2>&1 || {
		tail -n 30 "$log"
		die "configuring $build failed (log: $log)"
	}
	if ! verify_config "$merged" "$build/.config" "$build/.harness/absent"; then
		echo "harness: error: the kernel config of $build is not what the fragments ask for:" >&2
		echo "    (fragments: $*)" >&2
		echo "    A missing symbol means a dependency is off or Kconfig does not define it;" >&2
		echo "    mark the line '# optional' only if that is expected." >&2
		exit 1
	fi
}

do_build()
{
	local build=$1 log rc

	shift
	log=$LOGDIR/build-$(basename "$build").log
	say "    make $* in $build (log: $log)"
	progress "$log" kmake "$TREE" "$build" "$@"
	rc=$?
	if [ $rc -ne 0 ]; then
		grep -E 'error:|No rule to make|undefined reference|undefined!|\*\*\* [^[]' "$log" | head -n 40
		echo "---- last lines of $log:"
		tail -n 20 "$log"
		return $rc
	fi
	return 0
}

do_headers()
{
	local build=$1 dir=$2 log

	log=$LOGDIR/headers-$(basename "$build").log
	kmake "$TREE" "$build" headers_install INSTALL_HDR_PATH="$dir" \
		>"$log" 2>&1 || {
		tail -n 20 "$log"
		die "headers_install failed (log: $log)"
	}
}

cmd=$1
shift
case "$cmd" in
config)  do_config "$@" ;;
build)   do_build "$@" ;;
headers) do_headers "$@" ;;
verify)  # kernel.sh verify BUILD FRAGMENT...: check an existing .config
	b=$1; shift; cat "$@" >"$b/.harness/fragment.config"
	verify_config "$b/.harness/fragment.config" "$b/.config" "$b/.harness/absent" &&
		echo "config OK" ;;
*)       die "kernel.sh: unknown command $cmd" ;;
esac
