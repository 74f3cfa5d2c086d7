#!/usr/bin/env bash
# make deb: builds the Debian package from a copy of the checkout's files in build/pkg/SRC
# (dpkg-buildpackage writes its results into the PARENT of the tree it builds, so building
# in the checkout would drop them beside it, outside the project), moves the results into
# build/ and runs lintian on them: errors and warnings fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
version=$(sed -n '1s/^meshnfs (\([^)]*\)).*/\1/p' debian/changelog)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb.sh: no version in debian/changelog" >&2; exit 1; }

work=build/pkg
rm -rf "$work"
mkdir -p "$work/meshnfs-$version"
# The files the package is made of: everything tracked or new (not ignored), never build/.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$work/meshnfs-$version"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$work/meshnfs-$version"
fi

(cd "$work/meshnfs-$version" && dpkg-buildpackage -us -uc -b -J"$(nproc)")

results=("meshnfs_${version}_${arch}.deb" "meshnfs-dbgsym_${version}_${arch}.deb"
	"meshnfs_${version}_${arch}.buildinfo" "meshnfs_${version}_${arch}.changes")
for f in "${results[@]}"; do
	[ -e "$work/$f" ] || { echo "build-deb.sh: dpkg-buildpackage made no $f" >&2; exit 1; }
	mv -f "$work/$f" build/
done
rm -rf "$work"
echo "build-deb.sh: moved from build/pkg (dpkg-buildpackage's parent directory) into build/:"
printf '  build/%s\n' "${results[@]}"

# lintian on the .changes checks both .debs and the .buildinfo. Overrides live in
# debian/meshnfs.lintian-overrides, each with its reason.
lintian --fail-on error,warning --display-info --tag-display-limit 0 \
	"build/meshnfs_${version}_${arch}.changes"
echo "build-deb.sh: lintian: no errors, no warnings"
cd "$top"
