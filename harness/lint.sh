#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Lint our code (BASE=ours only). Each tool is one test case in $RESULTS:
#   lint:modules      IOMMUFD=m (and the tree's VFIO, =m) builds and links
#                     against vmlinux (modpost: only exported symbols), in
#                     a separate build directory ($LINT_BUILD), with W=1
#   lint:W=1          no W=1 compiler (and kernel-doc) warnings in our files
#   lint:sparse       no sparse warnings in our files (C=2)
#   lint:checkpatch   scripts/checkpatch.pl --strict on our files + patches
#   lint:kernel-doc   scripts/kernel-doc -none -Wall on our files
# Zero warnings is the bar; exceptions are listed, each with its reason, in
# harness/lint-exceptions.txt.
. "$(dirname "$0")/lib.sh"

[ "$BASE" = ours ] || die "lint is for BASE=ours"
LOG=$LOGDIR/lint.log
EXCEPTIONS=$HARNESS/lint-exceptions.txt
: >"$LOG"
OURS='drivers/iommu/iommufd/|include/linux/iommufd\.h|include/uapi/linux/iommufd\.h'

# Our files, relative to the tree.
our_files()
{
	(cd "$TREE" && find drivers/iommu/iommufd -name '*.[ch]' | sort)
	for f in include/linux/iommufd.h include/uapi/linux/iommufd.h; do
		[ -f "$REPO/$f" ] && echo "$f"
	done
}

# Warnings of one tool that are not listed as exceptions.
filter_exceptions()
{
	local tool=$1

	awk -v tool="$tool" -v list="$EXCEPTIONS" '
	BEGIN {
		while ((getline l < list) > 0) {
			if (l ~ /^[ \t]*(#|$)/)
				continue
			i = index(l, ":")
			t = substr(l, 1, i - 1)
			rest = substr(l, i + 1)
			j = index(rest, " -- ")
			if (i == 0 || j == 0 || substr(rest, j + 4) ~ /^[ \t]*$/) {
				print "harness: bad line in lint-exceptions.txt (need TOOL: REGEX -- reason): " l > "/dev/stderr"
				continue
			}
			if (t != tool)
				continue
			re = substr(rest, 1, j - 1)
			gsub(/^[ \t]+|[ \t]+$/, "", re)
			pat[++n] = re
		}
	}
	{
		for (k = 1; k <= n; k++)
			if ($0 ~ pat[k])
				next
		print
	}'
}

# Compiler/sparse output -> our warnings, paths made relative to the tree.
ours_only()
{
	grep -E "^[^ :]*($OURS)[^ :]*:[0-9]+(:[0-9]+)?: (warning|error)" |
		sed -E "s@^[^ :]*(drivers/iommu/iommufd/|include/linux/iommufd\.h|include/uapi/linux/iommufd\.h)@\1@" |
		sort -u
}

# verdict TOOL WARNINGS-FILE
verdict()
{
	local tool=$1 file=$2 n

	n=$(grep -c . "$file")
	{
		echo "==== $tool: $n warnings"
		cat "$file"
	} >>"$LOG"
	if [ "$n" -eq 0 ]; then
		say "    $tool: clean"
		result PASS "lint:$tool"
	else
		say "    $tool: $n warnings"
		head -n 20 "$file" | sed 's/^/      /'
		[ "$n" -gt 20 ] && say "      ... (all in $LOG)"
		result FAIL "lint:$tool" "($n warnings; see $LOG)"
	fi
}

W=$LOGDIR/lint
mkdir -p "$W"

# 1. IOMMUFD=m + VFIO=m with W=1, in its own build directory so that the
#    main build keeps its flags. Our objects are removed first so that
#    every run shows every warning again (ccache replays them cheaply).
bash "$HARNESS/kernel.sh" config "$LINT_BUILD" "$HARNESS/config/test.config" \
	"$HARNESS/config/modular.config" || {
	result FAIL "lint:modules" "(config failed)"
	exit 0
}
rm -rf "$LINT_BUILD/drivers/iommu/iommufd"
progress "$W/modules.out" kmake "$TREE" "$LINT_BUILD" W=1 vmlinux modules
rc=$?
cat "$W/modules.out" >>"$LOG"
if [ $rc -eq 0 ] && [ -f "$LINT_BUILD/drivers/iommu/iommufd/iommufd.ko" ]; then
	say "    modules: iommufd.ko and VFIO build as modules"
	result PASS "lint:modules"
else
	grep -E 'error:|No rule to make|undefined reference|undefined!|\*\*\* [^[]' "$W/modules.out" | head -n 20 | sed 's/^/      /'
	say "    modules: IOMMUFD=m build failed (log: $LOG)"
	result FAIL "lint:modules" "(IOMMUFD=m build failed; see $LOG)"
fi
ours_only <"$W/modules.out" | filter_exceptions W=1 >"$W/w1.txt"
verdict W=1 "$W/w1.txt"

# 2. sparse on every file of our directory (C=2: also the up-to-date ones).
kmake "$TREE" "$LINT_BUILD" W=1 C=2 drivers/iommu/iommufd/ >"$W/sparse.out" 2>&1
cat "$W/sparse.out" >>"$LOG"
grep -q '  CHECK ' "$W/sparse.out" ||
	echo "harness: sparse did not run (is it installed?)" >>"$W/sparse.out"
{
	ours_only <"$W/sparse.out"
	grep '^harness: sparse did not run' "$W/sparse.out"
} | filter_exceptions sparse >"$W/sparse.txt"
verdict sparse "$W/sparse.txt"

# 3. checkpatch --strict on our files, and on our patches.
mapfile -t files < <(our_files)
shopt -s nullglob
patches=("$REPO"/patches/*.patch)
shopt -u nullglob
{
	(cd "$TREE" && perl scripts/checkpatch.pl --strict --terse --show-types \
		--no-summary -f "${files[@]}" 2>&1)
	if [ ${#patches[@]} -gt 0 ]; then
		(cd "$REPO" && perl "$TREE/scripts/checkpatch.pl" --strict --terse \
			--show-types --no-summary --no-tree "${patches[@]}" 2>&1)
	fi
} | grep -E ': (ERROR|WARNING|CHECK):' | filter_exceptions checkpatch \
	>"$W/checkpatch.txt"
verdict checkpatch "$W/checkpatch.txt"

# 4. kernel-doc on our files.
(cd "$TREE" && perl scripts/kernel-doc -none -Wall "${files[@]}" 2>&1) |
	grep -iE 'warning|error' | filter_exceptions kernel-doc >"$W/kernel-doc.txt"
verdict kernel-doc "$W/kernel-doc.txt"
exit 0
