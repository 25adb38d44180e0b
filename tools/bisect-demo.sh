#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A scratch git history for trying `make bisect` for real: Debian's 6.12
# tree as one commit, then harmless commits (a comment appended to a file
# in mm/ or lib/), one of which instead puts back a real allocator bug
# from tools/regressions/ (by default 01-krealloc-gfp-zero-spare.patch),
# so that the suites fail from that commit on.
#
#   tools/bisect-demo.sh [unpacked 6.12 tree]
#
# It only makes the history (git, no build) and prints the make bisect
# command to run and the commit it should name. The tree lands in
# build/bisect-demo/linux as a copy of hard links (cp -al): nothing is
# copied, and the unpacked tree is never written. Before any edit a file
# is replaced by a copy of its own (a new inode), every edit goes through
# that copy, and the script checks at the end that every file it changed
# is no longer linked to the unpacked tree and that the unpacked tree still
# holds the pristine contents. git itself replaces a file when it checks
# out another version of it (it unlinks and creates), so bisecting in the
# copy leaves the unpacked tree alone too.
#
# Environment: HARMLESS (number of harmless commits, 30), BREAK_AT (which
# of them is the breaking one instead, 19), REGRESSION (the patch).
# Commit dates are fixed, so the hashes are the same at every run.

set -eu

cd "$(dirname "$0")/.."
PROJECT=$(pwd)
CACHE=${ALLOC_KUNIT_SRC:-${XDG_CACHE_HOME:-$HOME/.cache}/alloc-kunit/src}
SRC=${1:-}
if [ -z "$SRC" ]; then
	for d in "$CACHE"/linux-source-6.12_*/; do
		[ -f "$d/Makefile" ] && SRC=${d%/}
	done
fi
REGRESSION=${REGRESSION:-tools/regressions/01-krealloc-gfp-zero-spare.patch}
HARMLESS=${HARMLESS:-30}
BREAK_AT=${BREAK_AT:-19}
DEMO=$PROJECT/build/bisect-demo
TREE=$DEMO/linux

die() { echo "bisect-demo: $*" >&2; exit 1; }

if [ -z "$SRC" ] || [ ! -f "$SRC/Makefile" ]; then
	die "no unpacked 6.12 tree (run make run once, or name one)"
fi
SRC=$(cd "$SRC" && pwd)
[ -f "$REGRESSION" ] || die "no patch $REGRESSION"
REGRESSION=$(cd "$(dirname "$REGRESSION")" && pwd)/$(basename "$REGRESSION")
if [ "$BREAK_AT" -lt 1 ] || [ "$BREAK_AT" -gt "$HARMLESS" ]; then
	die "BREAK_AT must be between 1 and HARMLESS ($HARMLESS)"
fi

# Files of the unpacked tree that the harmless commits touch: mostly files
# a UML build compiles, so every step rebuilds a little, as in real life.
CANDIDATES='mm/util.c mm/mmap.c mm/vmalloc.c mm/page_alloc.c mm/slub.c
mm/memory.c mm/mempool.c mm/percpu.c mm/swap.c mm/vmscan.c mm/filemap.c
mm/gup.c mm/rmap.c mm/mprotect.c mm/mremap.c mm/readahead.c mm/truncate.c
mm/vmstat.c mm/backing-dev.c mm/list_lru.c mm/highmem.c mm/mlock.c
mm/memblock.c mm/shmem.c mm/workingset.c lib/string.c lib/sort.c
lib/bitmap.c lib/kstrtox.c lib/vsprintf.c lib/idr.c lib/xarray.c
lib/rbtree.c lib/hexdump.c lib/bsearch.c lib/llist.c lib/list_sort.c
lib/string_helpers.c lib/scatterlist.c lib/radix-tree.c'
BROKEN_FILES=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$REGRESSION")
FILES=
n=0
for f in $CANDIDATES; do
	case " $BROKEN_FILES " in *" $f "*) continue ;; esac
	[ -f "$SRC/$f" ] || continue
	FILES="$FILES $f"
	n=$((n + 1))
	[ "$n" -lt "$HARMLESS" ] || break
done
[ "$n" -eq "$HARMLESS" ] || die "only $n candidate files for $HARMLESS commits"

echo "bisect-demo: $TREE from $SRC"
rm -rf "$TREE"          # a copy of links: removing it leaves $SRC alone
mkdir -p "$DEMO"
cp -al "$SRC" "$TREE"

# A file of its own (a new inode) before it is edited.
unshare() {
	cp -p "$TREE/$1" "$TREE/$1.bisect-demo-tmp"
	mv -f "$TREE/$1.bisect-demo-tmp" "$TREE/$1"
	! [ "$TREE/$1" -ef "$SRC/$1" ] || die "$1 is still linked to $SRC"
}

DATE=1733000000
commit() {
	DATE=$((DATE + 3600))
	GIT_AUTHOR_DATE="@$DATE +0000" GIT_COMMITTER_DATE="@$DATE +0000" \
		git -C "$TREE" commit -q "$@"
}

cd "$TREE"
git init -q -b demo .
git config user.name 'alloc-kunit bisect demo'
git config user.email 'bisect-demo@alloc-kunit.invalid'
git config gc.auto 0
git config core.looseCompression 1
git config commit.gpgsign false
echo "bisect-demo: git add of the whole tree (a minute or two)"
# -f: Debian's top-level .gitignore ignores everything at the top level
git add -A -f
version=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' Makefile |
	paste -sd.)
commit -m "Linux $version: $(basename "$SRC"), pristine"
GOOD=$(git rev-parse HEAD)
[ -z "$(git status --porcelain)" ] || die "the tree is not clean after git add"

i=0
BAD_COMMIT=
TOUCHED=$BROKEN_FILES
for f in $FILES; do
	i=$((i + 1))
	if [ "$i" -eq "$BREAK_AT" ]; then
		for b in $BROKEN_FILES; do unshare "$b"; done
		git apply "$REGRESSION"
		for b in $BROKEN_FILES; do
			! [ "$b" -ef "$SRC/$b" ] || die "$b written through a link"
		done
		{
			echo "mm: krealloc: drop the zeroing of spare memory on shrink"
			echo
			echo "bisect demo: this commit breaks a contract the suites check."
			echo "It puts back $(basename "$REGRESSION"):"
			echo
			sed -n 's/^# \{0,1\}//p' "$REGRESSION"
		} > "$DEMO/message"
		git add -u
		commit -F "$DEMO/message"
		BAD_COMMIT=$(git rev-parse HEAD)
		continue
	fi
	unshare "$f"
	TOUCHED="$TOUCHED $f"
	printf '/* bisect demo: harmless change %d */\n' "$i" >> "$f"
	git add -u
	commit -m "$(dirname "$f"): $(basename "$f" .c): a comment (bisect demo $i)"
done
BAD=$(git rev-parse HEAD)

# The unpacked tree still holds the pristine files, and no changed file
# is linked to it.
for f in $TOUCHED; do
	! [ "$f" -ef "$SRC/$f" ] || die "$f is still linked to $SRC"
	git show "$GOOD:$f" | cmp -s - "$SRC/$f" ||
		die "$SRC/$f differs from the pristine commit"
done
[ -z "$(git status --porcelain)" ] || die "the tree is not clean"

{
	echo "GOOD=$GOOD"
	echo "BAD=$BAD"
	echo "FIRST_BAD=$BAD_COMMIT"
} > "$DEMO/expected.txt"
echo
git log --format='%h %s' -n 1 "$GOOD"
echo "... $HARMLESS commits; the breaking one (commit $BREAK_AT of them):"
git log --format='%h %s' -n 1 "$BAD_COMMIT"
echo
echo "Run (a kernel build and run for BAD, GOOD and each of about 5 steps):"
echo "  make bisect KDIR=build/bisect-demo/linux GOOD=$GOOD BAD=demo"
echo "It should end with:"
echo "  first bad commit: $BAD_COMMIT $(git log -1 --format=%s "$BAD_COMMIT")"
echo "(also in $DEMO/expected.txt)"
