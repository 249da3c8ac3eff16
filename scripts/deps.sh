#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install, through apt, everything cowstat needs to build and test.
# Idempotent: installs only what is missing.  Kernel versions are never
# hard-coded: the meta-packages pull in the current point releases.
set -euo pipefail

pkgs=(
	# module and CLI builds
	build-essential bc flex bison libelf-dev libssl-dev kmod pkg-config
	libmnl-dev
	# Debian 12's kernels, 6.1 LTS and 6.12 LTS, in the cloud, generic and
	# PREEMPT_RT flavours (7.x is built from source: scripts/debug-kernel.sh)
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-amd64 linux-headers-amd64
	linux-image-rt-amd64 linux-headers-rt-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
	# DKMS (make dkms-install; make check builds through it)
	dkms
	# kselftest harness, checkpatch, and the debug kernel's source
	linux-source-6.12
	# static checks
	sparse perl
	# the VM test bed
	qemu-system-x86 busybox-static cpio xz-utils zstd
	# netlink spec validation
	python3 python3-yaml python3-jsonschema
	# the CLI's fleet side: promtool checks --prometheus; node_exporter
	# serves the textfile script's output in its host test, which finds
	# roots with pgrep and checks the script with shellcheck and dash
	prometheus prometheus-node-exporter procps shellcheck dash
	# make install's host test: systemd-analyze verify, man
	systemd man-db
	# cowstat plot draws with gnuplot (pngcairo, svg)
	gnuplot-nox
	# the real workloads in the VM (cowstat_redis, cowstat_python, make
	# demo): Redis, and python3 (above) whose multiprocessing run.sh copies
	redis-server
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
