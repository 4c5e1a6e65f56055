#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Prepare the kernel source trees:
#  - pristine: linux-source-6.12 unpacked once, never modified;
#  - tree (BASE=ours): a copy of pristine with patches/*.patch applied and
#    drivers/iommu/iommufd replaced by this repo's files.
# Re-runs are cheap: only changed files are copied, so unchanged files keep
# their mtimes and do not rebuild.
. "$(dirname "$0")/lib.sh"

ensure_pristine()
{
	[ -f "$PRISTINE/Makefile" ] && return 0
	[ -f "$SOURCE_TAR" ] ||
		die "$SOURCE_TAR missing: apt-get install linux-source-6.12"
	stage "unpack $SOURCE_TAR"
	rm -rf "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -C "$PRISTINE.tmp" -xf "$SOURCE_TAR" ||
		die "unpacking $SOURCE_TAR failed"
	mv "$PRISTINE.tmp/linux-source-6.12" "$PRISTINE"
	rmdir "$PRISTINE.tmp"
	stage_done
}

# Files touched by a list of patches (paths relative to the tree).
patched_files()
{
	[ $# -gt 0 ] || return 0
	sed -n 's@^+++ [^/]*/\([^\t ]*\).*@\1@p' "$@" | sort -u
}

# The tree is re-created from pristine whenever the patch set changes.
ensure_tree()
{
	local patches=() want have p f

	shopt -s nullglob
	patches=("$REPO"/patches/[0-9][0-9][0-9][0-9]-*.patch)
	shopt -u nullglob
	want=$(for p in "${patches[@]}"; do
		printf '%s %s\n' "$(basename "$p")" "$(sha256sum <"$p" | cut -c1-16)"
	done)
	have=$(cat "$TREE/.harness-patches" 2>/dev/null)
	if [ -f "$TREE/.harness-patches" ] && [ "$want" = "$have" ]; then
		return 0
	fi

	stage "create tree $TREE (${#patches[@]} patches)"
	# Files the old patch set touched: after re-copying they carry the
	# pristine (old) mtime, so touch them or make would keep stale objects.
	local stale=()
	[ -f "$TREE/.harness-patched-files" ] &&
		mapfile -t stale <"$TREE/.harness-patched-files"
	rm -rf "$TREE.tmp" "$TREE"
	cp -a "$PRISTINE/." "$TREE.tmp" || die "copying pristine failed"
	rm -rf "$TREE.tmp/drivers/iommu/iommufd"
	for p in "${patches[@]}"; do
		say "    apply $(basename "$p")"
		patch -d "$TREE.tmp" -p1 --batch --forward --quiet <"$p" ||
			die "patch $(basename "$p") does not apply to 6.12"
	done
	for f in "${stale[@]}"; do
		[ -e "$TREE.tmp/$f" ] && touch "$TREE.tmp/$f"
	done
	patched_files "${patches[@]}" >"$TREE.tmp/.harness-patched-files"
	printf '%s\n' "$want" >"$TREE.tmp/.harness-patches"
	mv "$TREE.tmp" "$TREE"
	stage_done
}

# sync_file SRC DST: copy SRC over DST if the contents differ. If SRC does
# not exist (the repo has no such file yet), restore the pristine file.
sync_file()
{
	local src=$1 dst=$2 rel=$3

	[ -f "$src" ] || src=$PRISTINE/$rel
	cmp -s "$src" "$dst" || cp "$src" "$dst"
}

overlay()
{
	local d=$TREE/drivers/iommu/iommufd

	[ -f "$REPO/Kconfig" ] || die "no Kconfig in $REPO: nothing to build yet"
	[ -f "$REPO/Makefile" ] || die "no Makefile in $REPO"
	mkdir -p "$d"
	# -c: compare contents; no -t: changed files get a new mtime, unchanged
	# ones are left alone.
	rsync -rc --delete \
		--include='/*.c' --include='/*.h' --include='/Kconfig' \
		--include='/Makefile' --include='/tests/***' --exclude='*' \
		"$REPO/" "$d/" || die "rsync into $d failed"
	for f in include/linux/iommufd.h include/uapi/linux/iommufd.h \
		 Documentation/userspace-api/iommufd.rst; do
		sync_file "$REPO/$f" "$TREE/$f" "$f"
	done
}

ensure_pristine
if [ "$BASE" = ours ]; then
	ensure_tree
	overlay
fi
