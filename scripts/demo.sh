#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, build, boot the newest supported
# kernel in a VM, run a forking workload there and show cowstat on it.
set -euo pipefail
top=$(dirname "$(readlink -f "$0")")/..
cd "$top"
scripts/deps.sh
scripts/ksrc.sh >/dev/null
kver=$(scripts/kernels.sh 6.12)
selftests/vm/run.sh "$kver" demo | grep -v '^COWSTAT-VM-DONE'
