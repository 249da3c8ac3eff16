#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Download the newest linux-source-X.Y that Debian's trixie-backports
# carries, without touching the machine's apt sources: a private source
# list, state and cache directory under build/apt/ (apt-get download).
# The version is discovered at run time, never hard-coded.
#
#   scripts/fetch-source.sh    print two paths: the linux-source .deb, and
#                              the same version's linux-headers-*-cloud-amd64
#                              .deb (for Debian's .config of that kernel)
#
# The .debs are unpacked by the caller (scripts/debug-kernel.sh), never
# installed: trixie's headers need glibc 2.38 and gcc 14.  Packages already
# downloaded are reused; the package index is refreshed at most once an hour.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suite=${COWSTAT_SOURCE_SUITE:-trixie-backports}
dir=$top/build/apt
msg() { echo "fetch-source: $*" >&2; }
die() { echo "fetch-source: error: $*" >&2; exit 1; }

# The mirror the machine's own Debian source uses (deb822 or one-line form).
uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources \
	/etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
	grep -oE 'https?://[^ ]*/debian/?' | grep -v security | head -n 1 || true)
[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list*"

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
echo "deb $uri $suite main" >"$dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$dir/lists"
	-o "Dir::Cache=$dir/cache"
	-o "APT::Sandbox::User=root")

if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null)" ]; then
	msg "updating the $suite index from $uri"
	apt-get "${apt_opts[@]}" update -q >&2 || die "apt-get update of $suite failed"
fi

pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-source- 2>/dev/null |
	grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
[ -n "$pkg" ] || die "no linux-source-X.Y package in $suite"
ver=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
	sed -n 's/^Version: //p' | sort -V | tail -n 1)
msg "newest in $suite: $pkg $ver"

# The cloud flavour's headers package of the same build carries its .config.
series=${pkg#linux-source-}
hdr=$(apt-cache "${apt_opts[@]}" pkgnames "linux-headers-$series." 2>/dev/null |
	grep -E -- '-cloud-amd64$' | sort -V | while read -r h; do
		apt-cache "${apt_opts[@]}" show "$h=$ver" >/dev/null 2>&1 && echo "$h"
	done | tail -n 1 || true)
[ -n "$hdr" ] || die "no linux-headers-$series.*-cloud-amd64 $ver in $suite"

fetch() {	# fetch PACKAGE: print the path of its .deb, downloading it once
	local deb
	deb=$(ls "$dir/debs/${1}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		msg "downloading $1 $ver"
		(cd "$dir/debs" && apt-get "${apt_opts[@]}" download -q "$1=$ver" >&2) ||
			die "apt-get download $1 failed"
		deb=$(ls "$dir/debs/${1}_${ver//:/%3a}_"*.deb | head -n 1)
	fi
	echo "$deb"
}
fetch "$pkg"
fetch "$hdr"
